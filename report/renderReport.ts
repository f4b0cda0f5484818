/**
 * The report page: one self-contained HTML document (inline CSS, SVG and script, nothing fetched)
 * rendered from the report data, which it also embeds as JSON (`#report-data`).
 */
import { ACTIVITY_KINDS } from "./ganttView.js";
import { renderDagSvg } from "./dagSvg.js";
import { renderGanttSvg } from "./ganttSvg.js";
import { renderPriceSvg } from "./priceSvg.js";
import { PAGE_SCRIPT } from "./pageScript.js";
import { PAGE_STYLE } from "./pageStyle.js";
import { ACTIVITY_COLORS, ACTIVITY_LABELS, CRITICAL_COLOR, CONTENDED_COLOR, FREE_COLOR, OTHER_CALL_COLOR, callColor, CALL_COLORS } from "./palette.js";
import { escapeHtml as e, formatCount, formatGas, formatMs, formatPercent, formatRatio, groupDigits, jsonForScript, shortHex, shortLocation } from "./format.js";
import type { BlockReportData } from "./reportData.js";

function card(id: string, label: string, value: string, note: string, hero = false): string {
  return `<div class="card${hero ? " hero" : ""}" id="${id}"><div class="label">${e(label)}</div><div class="value">${e(value)}</div><div class="note">${note}</div></div>`;
}

/** Colour rank of every call: by how many transactions make it, as in the price table. */
function colorRanks(data: BlockReportData): number[] {
  const ranks = new Array<number>(data.txs.calls.length).fill(CALL_COLORS.length);
  data.prices.byCall.forEach((c, rank) => {
    const k = data.txs.calls.indexOf(c.fn);
    if (k >= 0) ranks[k] = rank;
  });
  return ranks;
}

function header(d: BlockReportData): string {
  const r = d.run;
  const statuses = (["success", "revert", "out-of-gas", "invalid"] as const)
    .filter((s) => r.receipts[s] > 0 || s === "success")
    .map((s) => `${formatCount(r.receipts[s])} ${s}`)
    .join(", ");
  const same = r.identicalToSequential
    ? `<span class="ok" id="identical">identical to the sequential result</span>`
    : `<span class="bad" id="identical">DIFFERS from the sequential result (${e(shortHex(d.sequential.stateRoot))})</span>`;
  return (
    `<header><div class="eyebrow">prescient block report</div><h1 id="title">${e(d.title)}</h1>` +
    `<p class="sub">${formatCount(d.block.txs)} transactions (${statuses}) · ${e(formatGas(d.block.gasUsed))} used${d.block.source !== undefined ? ` · <code>${e(d.block.source)}</code>` : ""}</p>` +
    `<p class="sub">state root <code title="${e(r.stateRoot)}">${e(shortHex(r.stateRoot, 10))}</code> · ${same}</p></header>`
  );
}

function cards(d: BlockReportData): string {
  const r = d.run;
  const sequentialMode = r.mode === "sequential";
  const sp = d.speedup;
  const runs = `median of ${formatCount(sp.runs)} ${sp.runs === 1 ? "run" : "runs"}`;
  const measuredNote = sequentialMode
    ? `this run is the sequential reference: ${e(formatMs(r.wallMs))} (${runs})`
    : `<span id="speedup-spread">${runs}, range ${e(formatRatio(sp.spread.min))}–${e(formatRatio(sp.spread.max))}</span> · sequential ${e(formatMs(d.sequential.wallMs))} → ${e(r.mode)} ${e(formatMs(r.wallMs))}${r.inline ? " (ran inline)" : ""}`;
  const t = d.throughput;
  const throughputNote = `${e(formatGas(t.gasPerSecond))}/s${sequentialMode ? "" : ` · sequential ${e(formatCount(t.sequentialTxsPerSecond))} tx/s, ${e(formatGas(t.sequentialGasPerSecond))}/s`}`;
  const others = Object.entries(d.speedup.projectedByThreads)
    .filter(([k]) => Number(k) !== r.threads && Number(k) > 1)
    .filter(([k]) => ["2", "8", "32"].includes(k))
    .map(([k, v]) => `${k}t ${formatRatio(v)}`)
    .join(" · ");
  const cp = d.schedule.criticalPath;
  return (
    `<section class="cards">` +
    card("speedup-measured", "measured speedup", formatRatio(d.speedup.measured), measuredNote, true) +
    card("throughput", "throughput", `${formatCount(t.txsPerSecond)} tx/s`, throughputNote) +
    card("speedup-projected", `projected at ${r.threads} thread${r.threads === 1 ? "" : "s"}`, formatRatio(d.speedup.projected), `the scheduler's list schedule${others !== "" ? ` · ${others}` : ""}`) +
    card("column-count", "columns", formatCount(d.schedule.columns), `widest ${formatCount(d.schedule.widestColumn)} · critical path ${formatPercent(cp.gasShare)} of gas`) +
    card("work", "executions", formatCount(r.executions), `${formatCount(r.validations)} validations · ${formatCount(r.aborts)} aborts · ${formatCount(r.violations)} list violations`) +
    card("fees", "fees vs flat", formatRatio(d.prices.ratio), `${formatCount(d.prices.contended)} contended · ${formatCount(d.prices.critical)} on the bottleneck · ${formatCount(d.prices.discounted)} discounted`) +
    `</section>`
  );
}

function dagSection(d: BlockReportData, ranks: number[]): string {
  const v = d.dag;
  const cp = d.schedule.criticalPath;
  const legend = d.prices.byCall
    .slice(0, CALL_COLORS.length)
    .map((c, rank) => `<span><i class="swatch" style="background:${callColor(rank)}"></i>${e(c.fn)}</span>`)
    .concat(d.prices.byCall.length > CALL_COLORS.length ? [`<span><i class="swatch" style="background:${OTHER_CALL_COLOR}"></i>other calls</span>`] : [])
    .concat([`<span><i class="swatch line" style="background:${CRITICAL_COLOR}"></i>critical path by gas (${formatCount(cp.txs.length)} txs, ${formatPercent(cp.gasShare)} of the gas)</span>`])
    .join("");
  const compressed = v.stacks.filter((s) => s.txsPerCell > 1).length;
  const parts: string[] = [];
  if (v.columnsPerStack > 1) parts.push(`each stack holds ${v.columnsPerStack} neighbouring columns`);
  if (compressed > 0) parts.push(`the ${formatCount(compressed)} stack${compressed === 1 ? "" : "s"} taller than the chart draw each cell for up to ${formatCount(v.txsPerCell)} transactions (labelled with their count)`);
  const scale =
    v.edgesShown === "all"
      ? `Every transaction is a cell; the grey curves are the ${formatCount(v.totalEdges)} conflict edges.`
      : parts.length === 0
        ? `Every transaction is a cell; its ${formatCount(v.totalEdges)} conflict edges are too many to draw, the critical path (on top of each stack) is kept.`
        : `Too many to draw one by one: ${parts.join("; ")}. The ${formatCount(v.totalEdges)} edges are left out; the critical path runs along the top of the stacks.`;
  return (
    `<section class="panel" id="dag"><h2>Conflict DAG, column by column</h2>` +
    `<p class="explain">A transaction's column is one more than the latest column among the transactions it conflicts with, so each column can run in parallel and the ${formatCount(d.schedule.columns)} columns are the fewest barriers any level-by-level schedule needs (${formatCount(d.schedule.independent)} transactions depend on nothing before them; ${formatCount(d.schedule.edges)} edges over ${formatCount(d.schedule.locations)} locations). Cells are in index order, the critical path's first, coloured by call. ${scale}</p>` +
    `<div class="legend">${legend}</div>` +
    renderDagSvg({ view: v, calls: d.txs.calls, colorRank: ranks }) +
    `</section>`
  );
}

function ganttSection(d: BlockReportData): string {
  const g = d.gantt;
  const r = d.run;
  const isReference = r.mode === "sequential";
  const seen = (k: (typeof ACTIVITY_KINDS)[number]) => k === "execution" || g.lanes.some((l) => l.counts[k] > 0);
  const legend = ACTIVITY_KINDS.filter(seen).map((k) => `<span><i class="swatch" style="background:${ACTIVITY_COLORS[k]}"></i>${e(ACTIVITY_LABELS[k])}</span>`).join("");
  const rows = g.lanes
    .map((l) => {
      const c = l.counts;
      return `<tr><td>${e(l.label)}</td><td class="num">${formatCount(c.execution)}</td><td class="num">${formatCount(c.abort)}</td><td class="num">${formatCount(c.validation + c["failed-validation"])}</td><td class="num">${formatCount(c["failed-validation"])}</td><td class="num">${e(formatMs(l.busyMs))}</td><td class="num">${formatPercent(g.wallMs > 0 ? Math.min(1, l.busyMs / g.wallMs) : 0)}</td></tr>`;
    })
    .join("");
  const inline = r.inline
    ? ` The ${e(r.mode)} executor found no parallelism worth a round in this block (projected speedup below its threshold, or too little work to pay for starting threads), so it ran the block inline on the calling thread: one lane.`
    : "";
  const what = isReference
    ? "The sequential executor runs every transaction on the calling thread, one after another: one lane."
    : "Every execution attempt on its thread's lane, on one time axis with the sequential reference above it: the grey bar's length against the lanes' is the measured speedup. Red attempts were thrown away and run again — a read outside the scheduled set, a Block-STM read of an estimate, or work rolled back or invalidated; Block-STM's validations sit on each lane's thin lower row.";
  return (
    `<section class="panel" id="gantt"><h2>What each thread did</h2>` +
    `<p class="explain">${what}${inline}${g.merged ? " Events closer together than a pixel are merged into one bar (hover for the count)." : ""}</p>` +
    `<div class="legend">${legend}${isReference ? "" : `<span><i class="swatch" style="background:#94a3b8"></i>sequential reference</span>`}</div>` +
    renderGanttSvg({ view: g, runLabel: `${r.mode} on ${r.threadsUsed} thread${r.threadsUsed === 1 ? "" : "s"}`, isReference }) +
    `<table id="lanes"><thead><tr><th>thread</th><th class="num">executions</th><th class="num">aborted</th><th class="num">validations</th><th class="num">failed</th><th class="num">busy</th><th class="num">of the run</th></tr></thead><tbody>${rows}</tbody></table>` +
    `</section>`
  );
}

function priceSection(d: BlockReportData): string {
  const p = d.prices;
  const byCall = p.byCall
    .slice(0, 12)
    .map((c, rank) => `<tr><td><i class="swatch" style="background:${callColor(rank)}"></i> ${e(c.fn)}</td><td class="num">${formatCount(c.count)}</td><td class="num">×${c.median.toFixed(2)}</td><td class="num">×${c.min.toFixed(2)}–${c.max.toFixed(2)}</td></tr>`)
    .join("");
  const groups = p.groups
    .map((g) => {
      const examples = g.txs.map((tx) => `<a href="#" data-tx="${tx}">${tx}</a>`).join(", ");
      const more = g.count > g.txs.length ? ", …" : "";
      const why = g.critical ? `<span class="tag">bottleneck</span>` : g.contendedGas > 0 ? `<span class="tag soft">contended</span>` : g.multiplier < 1 ? `<span class="tag free">conflict-free</span>` : "";
      return `<tr><td>${e(g.fn)}</td><td class="num">×${g.multiplier.toFixed(2)}</td><td class="num">${formatCount(g.count)}</td><td class="num">${e(groupDigits(g.medianFee))}</td><td class="num">${e(formatGas(g.contendedGas))}</td><td>${why}</td><td class="examples">${examples}${more}</td></tr>`;
    })
    .join("");
  return (
    `<section class="panel" id="prices"><h2>Fee quotes</h2>` +
    `<p class="explain">The scheduler's quote for every transaction: fee = base fee (${e(p.baseFee)}) × gas × multiplier. A transaction pays more the more gas conflicts with it, more again on the block's serial bottleneck, and less when its set is exact and conflicts with nothing. This block: ${e(groupDigits(p.totalFee))} quoted against ${e(groupDigits(p.flatFee))} flat (${formatRatio(p.ratio)}).</p>` +
    `<div class="grid2"><div><div class="legend"><span><i class="swatch" style="background:${FREE_COLOR}"></i>conflict-free</span><span><i class="swatch" style="background:${CONTENDED_COLOR}"></i>contended</span></div>${renderPriceSvg(p)}</div>` +
    `<div><table id="by-call"><thead><tr><th>call</th><th class="num">txs</th><th class="num">median</th><th class="num">range</th></tr></thead><tbody>${byCall}</tbody></table></div></div>` +
    `<h3>Price classes, most expensive first</h3>` +
    `<table id="price-groups"><thead><tr><th>call</th><th class="num">multiplier</th><th class="num">txs</th><th class="num">median fee</th><th class="num">contended gas</th><th></th><th>transactions</th></tr></thead><tbody>${groups}</tbody></table>` +
    `<form class="lookup" id="lookup" novalidate><label for="tx-input">Any transaction:</label><input id="tx-input" type="number" min="0" max="${Math.max(0, d.block.txs - 1)}" placeholder="index"><button type="submit">Show</button><span id="lookup-message"></span></form>` +
    `</section>`
  );
}

function hotLocationsSection(d: BlockReportData): string {
  const c = d.conflicts;
  const rows = c.hot
    .map(
      (h) =>
        `<tr><td><code title="${e(h.location)}">${e(shortLocation(h.location))}</code></td><td class="num">${formatCount(h.edges)}</td><td class="num">${formatPercent(c.edges > 0 ? h.edges / c.edges : 0)}</td><td class="num">${formatCount(h.criticalEdges)}</td><td class="num">${formatCount(h.writers)}</td><td class="num">${formatCount(h.readers)}</td><td class="num">${e(formatGas(h.gas))}</td></tr>`,
    )
    .join("");
  const fee = c.feeRecipientEdges > 0 ? ` ${formatCount(c.feeRecipientEdges)} edge${c.feeRecipientEdges === 1 ? "" : "s"} share no key: they order a transaction that reads the fee recipient's balance after the fees paid before it.` : "";
  const body =
    c.edges === 0
      ? `<p class="explain" id="no-conflicts">No conflicts: no two transactions touch a common location where one of them writes.</p>`
      : `<table id="hot-locations-table"><thead><tr><th>location</th><th class="num">edges</th><th class="num">of all</th><th class="num">on the critical path</th><th class="num">writers</th><th class="num">readers</th><th class="num">gas of its txs</th></tr></thead><tbody>${rows}</tbody></table>`;
  return (
    `<section class="panel" id="hot-locations"><h2>Hottest locations</h2>` +
    `<p class="explain">Which keys cause the conflicts: each of the DAG's ${formatCount(c.edges)} edges traced back to the locations its two transactions share with at least one of them writing (an edge can have several). The keys behind most edges, and behind the critical path, are where the block runs one transaction after another.${fee}</p>` +
    body +
    `</section>`
  );
}

function revertsSection(d: BlockReportData): string {
  const rows = d.reverts
    .map((g) => {
      const tag = g.status === "revert" ? `<span class="tag soft">revert</span>` : `<span class="tag">${e(g.status)}</span>`;
      const calls = g.calls.map((c) => `${e(c.fn)} ×${formatCount(c.count)}`).join(", ");
      const examples = g.txs.map((tx) => `<a href="#" data-tx="${tx}">${tx}</a>`).join(", ") + (g.count > g.txs.length ? ", …" : "");
      return `<tr><td>${tag}</td><td><code title="${e(g.example)}">${e(g.reason)}</code></td><td class="num">${formatCount(g.count)}</td><td>${calls}</td><td class="examples">${examples}</td></tr>`;
    })
    .join("");
  const failed = d.reverts.reduce((sum, g) => sum + g.count, 0);
  const body =
    d.reverts.length === 0
      ? `<p class="explain" id="no-reverts">Every transaction succeeded.</p>`
      : `<table id="reverts-table"><thead><tr><th>status</th><th>reason</th><th class="num">txs</th><th>calls</th><th>transactions</th></tr></thead><tbody>${rows}</tbody></table>`;
  return (
    `<section class="panel" id="reverts"><h2>Reverts and failures</h2>` +
    `<p class="explain">${formatCount(failed)} of ${formatCount(d.block.txs)} transactions did not succeed, grouped by reason (numbers in a reason are shown as …; hover for one as it was). A revert still pays its gas and is in the block; an invalid transaction is excluded.</p>` +
    body +
    `</section>`
  );
}

function footer(d: BlockReportData): string {
  return (
    `<footer><p>${e(d.method)}</p><p>${d.machine !== "" ? `machine: ${e(d.machine)} · ` : ""}generated by ${e(d.generatedBy)} · the data behind this page is embedded in it as JSON (<code>#report-data</code>, format ${e(d.format)}).</p></footer>`
  );
}

/** The report as one self-contained HTML page. */
export function renderBlockReport(data: BlockReportData): string {
  const ranks = colorRanks(data);
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    // Nothing may be fetched: no network, not even a favicon.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<link rel="icon" href="data:,">`,
    `<title>${e(data.title)} · prescient</title><style>${PAGE_STYLE}</style></head><body><main>`,
    header(data),
    cards(data),
    dagSection(data, ranks),
    hotLocationsSection(data),
    ganttSection(data),
    revertsSection(data),
    priceSection(data),
    footer(data),
    `</main><div id="tip" hidden></div>`,
    `<aside id="tx-details" hidden><button class="close" type="button" aria-label="close">×</button><div class="body"></div></aside>`,
    `<script type="application/json" id="report-data">${jsonForScript(data)}</script>`,
    `<script>${PAGE_SCRIPT}</script>`,
    "</body></html>",
  ].join("\n");
}
