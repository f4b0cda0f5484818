/**
 * The report page's stylesheet, inlined: system fonts, no network, readable printed too.
 */
export const PAGE_STYLE = `
:root { --bg:#f5f6fa; --card:#fff; --ink:#0f172a; --muted:#64748b; --line:#e2e8f0; --accent:#4338ca; --ok:#15803d; --bad:#b91c1c; --critical:#e11d48; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width:1180px; margin:0 auto; padding:28px 24px 40px; }
header .eyebrow { text-transform:uppercase; letter-spacing:.08em; font-size:11px; color:var(--accent); font-weight:600; }
h1 { font-size:28px; margin:4px 0 6px; letter-spacing:-.01em; }
h2 { font-size:18px; margin:0 0 4px; }
.sub { color:var(--muted); margin:0; }
.sub code, td code { font:12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color:var(--ink); }
.ok { color:var(--ok); font-weight:600; }
.bad { color:var(--bad); font-weight:600; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(200px, 1fr)); gap:12px; margin:20px 0 8px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.card .label { color:var(--muted); font-size:12px; }
.card .value { font-size:28px; font-weight:700; letter-spacing:-.02em; margin:2px 0; font-variant-numeric:tabular-nums; }
.card .note { color:var(--muted); font-size:12px; }
.card.hero { border-color:#c7d2fe; background:linear-gradient(180deg,#eef2ff,#fff); }
.card.hero .value { color:var(--accent); }
section.panel { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:16px 18px; margin:16px 0; }
.explain { color:var(--muted); margin:0 0 10px; max-width:900px; }
.legend { display:flex; flex-wrap:wrap; gap:6px 16px; margin:6px 0 10px; font-size:12px; color:var(--muted); }
.legend span { display:inline-flex; align-items:center; gap:6px; }
.swatch { width:12px; height:12px; border-radius:2px; display:inline-block; }
.swatch.line { height:3px; width:18px; border-radius:2px; }
svg.chart { display:block; font-size:11px; fill:var(--muted); }
svg .axis text, svg .axis-note { fill:var(--muted); font-size:11px; }
svg .axis-title { fill:var(--muted); }
svg .edges path { fill:none; stroke:#94a3b8; stroke-opacity:.45; stroke-width:.8; }
svg .stack-hit { fill:transparent; }
svg .stack:hover .stack-hit { fill:#eef2ff; }
svg .cell { cursor:pointer; }
svg .cell.critical { stroke:var(--critical); stroke-width:.6; }
svg .cell.selected, svg .bar.selected { stroke:#111827; stroke-width:2; }
svg .critical-path { stroke-width:1.6; stroke-linejoin:round; stroke-linecap:round; opacity:.9; pointer-events:none; }
svg .critical-node { pointer-events:none; }
svg .grid line { stroke:var(--line); }
svg .lane-bg { fill:#f8fafc; }
svg .lane-label { fill:var(--ink); font-size:12px; font-weight:600; }
svg .lane-sub { fill:var(--muted); font-size:10px; }
svg .bar { cursor:pointer; }
svg .bar-label { fill:#fff; font-weight:600; }
svg .end-marker line { stroke:var(--ink); stroke-dasharray:3 3; }
svg .end-marker text { fill:var(--ink); font-weight:600; }
svg .gridline { stroke:var(--line); }
svg .base-line { stroke:var(--ink); stroke-dasharray:2 3; }
svg .base-label { fill:var(--ink); font-size:10px; }
svg .bin:hover rect { opacity:.85; }
#price-svg { max-width:640px; }
.grid2 { display:grid; grid-template-columns:minmax(0,1.1fr) minmax(0,1fr); gap:20px; align-items:start; }
@media (max-width: 900px) { .grid2 { grid-template-columns:1fr; } }
table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); font-size:13px; }
th { color:var(--muted); font-weight:600; font-size:12px; }
td.num, th.num { text-align:right; }
.tag { display:inline-block; padding:0 6px; border-radius:9px; font-size:11px; background:#fee2e2; color:var(--bad); }
.tag.soft { background:#ffedd5; color:#9a3412; }
.tag.free { background:#dbeafe; color:#1e40af; }
td.examples a { color:var(--accent); text-decoration:none; }
#hot-locations td code, #reverts td code { overflow-wrap:anywhere; }
td.examples a:hover { text-decoration:underline; }
h3 { font-size:15px; margin:18px 0 4px; }
form.lookup { display:flex; gap:8px; align-items:center; margin:14px 0 0; }
form.lookup input { width:110px; padding:5px 8px; border:1px solid var(--line); border-radius:6px; font:inherit; }
form.lookup button { padding:5px 12px; border:0; border-radius:6px; background:var(--accent); color:#fff; font:inherit; cursor:pointer; }
#tx-details { position:fixed; right:20px; bottom:20px; width:380px; max-height:80vh; overflow:auto; background:var(--card); border:1px solid var(--line); border-radius:10px; box-shadow:0 10px 30px rgba(15,23,42,.15); padding:12px 14px; font-size:13px; }
#tx-details h3 { margin:0 0 6px; font-size:15px; }
#tx-details dl { display:grid; grid-template-columns:auto 1fr; gap:2px 10px; margin:0; }
#tx-details dt { color:var(--muted); }
#tx-details dd { margin:0; font-variant-numeric:tabular-nums; overflow-wrap:anywhere; }
#tx-details dd a { color:var(--accent); }
#tx-details .close { position:absolute; right:8px; top:6px; border:0; background:none; font-size:18px; cursor:pointer; color:var(--muted); }
#lookup-message { color:var(--bad); font-size:12px; }
#tip { position:fixed; pointer-events:none; background:#0f172a; color:#fff; padding:5px 8px; border-radius:6px; font-size:12px; max-width:360px; z-index:10; box-shadow:0 4px 14px rgba(0,0,0,.2); }
footer { color:var(--muted); font-size:12px; margin-top:24px; }
footer p { margin:2px 0; }
[hidden] { display:none !important; }
`;
