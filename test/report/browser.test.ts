/**
 * The report as a reader sees it: rendered by headless Chromium (the build the npm package
 * `@sparticuz/chromium` ships, driven by playwright-core: see chromium.ts), checked for what the
 * page shows, with a screenshot of each page taken. It needs nothing installed beyond `npm ci`;
 * it never skips.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCount, formatRatio, groupDigits, shortLocation } from "../../report/format.js";
import type { BlockReportData } from "../../report/reportData.js";
import { ROOT, cli } from "../helpers.js";
import { launchChromium } from "./chromium.js";

let dir: string;
let profile: string;
let browser: BrowserContext;

function embedded(file: string): BlockReportData {
  const html = readFileSync(file, "utf8");
  const match = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  if (match === null) throw new Error(`${file}: no embedded report data`);
  return JSON.parse(match[1]!) as BlockReportData;
}

/** Open a report; collect console errors, page errors and any request that leaves the file. */
async function open(file: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (r) => {
    if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) problems.push(`request: ${r.url()}`);
  });
  await page.goto(`file://${file}`);
  return { page, problems };
}

/**
 * A full-page screenshot of the report, checked to be a real picture of it. It is kept in
 * $PRESCIENT_REPORT_SCREENSHOTS when set (to look at), else in the test's directory, removed after.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  const file = join(process.env.PRESCIENT_REPORT_SCREENSHOTS ?? dir, name);
  const shot = await page.screenshot({ path: file, fullPage: true });
  expect(shot.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  // A full page of charts and tables, not a blank or cut-off one.
  expect(statSync(file).size).toBeGreaterThan(50_000);
  expect(shot.readUInt32BE(20), "page height").toBeGreaterThan(2000);
}

/** The report names no path of the machine it was made on. */
function expectNoMachinePaths(file: string): void {
  const html = readFileSync(file, "utf8");
  for (const path of [dir, ROOT, homedir(), process.cwd()]) expect(html.includes(path), path).toBe(false);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "prescient-report-"));
  profile = mkdtempSync(join(tmpdir(), "prescient-chromium-"));
  const gen = cli(["gen", "p2p", "--out", dir, "--txs", "200", "--accounts", "40", "--seed", "4"]);
  expect(gen.status, gen.stderr).toBe(0);
  const defi = cli(["gen", "defi", "--out", join(dir, "defi"), "--txs", "200", "--seed", "4"]);
  expect(defi.status, defi.stderr).toBe(0);
  browser = await launchChromium(profile, { width: 1280, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("the report in Chromium", () => {
  it("a hybrid run: speedups, columns, one lane per thread, a transaction's price, no errors", async () => {
    const file = join(dir, "hybrid.html");
    const run = cli(["run", "--block", join(dir, "block.json"), "--genesis", join(dir, "genesis.json"), "--mode", "hybrid", "--threads", "2", "--report", file]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`report written to ${file}`);
    const data = embedded(file);
    expect(data.run.inline, "the block is large enough for hybrid to use its threads").toBe(false);
    expect(data.run.identicalToSequential).toBe(true);

    const { page, problems } = await open(file);
    expect(await page.title()).toContain("Block 1");
    // The measured speedup is the sequential reference over this run (medians of five pairs of
    // runs), as printed, with its range; the throughput beside it.
    expect(data.speedup.measured).toBeCloseTo(data.sequential.wallMs / data.run.wallMs, 2);
    expect(data.speedup.runs).toBe(5);
    expect(await page.textContent("#speedup-measured .value")).toBe(formatRatio(data.speedup.measured));
    expect(await page.textContent("#speedup-spread")).toBe(`median of 5 runs, range ${formatRatio(data.speedup.spread.min)}–${formatRatio(data.speedup.spread.max)}`);
    expect(await page.textContent("#throughput .value")).toBe(`${formatCount(data.throughput.txsPerSecond)} tx/s`);
    expect(await page.textContent("#throughput .note")).toMatch(/^\d+\.\d+ [kMG]?gas\/s · sequential [\d\u2009]+ tx\/s/);
    expect(await page.textContent("#speedup-projected .value")).toBe(formatRatio(data.speedup.projected));
    expect(data.speedup.projected).toBeGreaterThan(1.15);

    // One stack per column, one cell per transaction, edges drawn.
    expect(await page.textContent("#column-count .value")).toBe(formatCount(data.schedule.columns));
    expect(data.dag.columnsPerStack).toBe(1);
    expect(await page.locator("#dag-svg g.stack").count()).toBe(data.schedule.columns);
    expect(await page.locator("#dag-svg rect.cell[data-tx]").count()).toBe(200);
    expect(await page.locator("#dag-svg .edges path").count()).toBe(data.schedule.edges);

    // One Gantt lane per thread (the calling thread and one worker), with bars; every
    // transaction executed once.
    const lanes = page.locator("#gantt-svg g.lane");
    expect(await lanes.count()).toBe(2);
    // (A worker the machine's scheduler kept from starting before the block was done shows as idle.)
    const labels = await page.locator("#gantt-svg g.lane .lane-label").allTextContents();
    expect(labels.map((l) => l.replace(/ \(no task\)$/, ""))).toEqual(["main thread", "worker 1"]);
    expect(await page.locator("#gantt-svg rect.bar.k-execution").count()).toBe(200);
    expect(await page.locator("#gantt-svg .reference rect").count()).toBe(1);

    // The keys behind the conflicts: the hottest first, each with its edges.
    const hot = page.locator("#hot-locations-table tbody tr");
    expect(data.conflicts.hot.length).toBeGreaterThan(0);
    expect(await hot.count()).toBe(data.conflicts.hot.length);
    const first = data.conflicts.hot[0]!;
    expect(await hot.first().locator("code").textContent()).toBe(shortLocation(first.location));
    expect(await hot.first().locator("code").getAttribute("title")).toBe(first.location);
    expect(await hot.first().locator("td").nth(1).textContent()).toBe(formatCount(first.edges));
    // A p2p block of transfers: nothing fails.
    expect(data.reverts).toEqual([]);
    expect(await page.textContent("#no-reverts")).toBe("Every transaction succeeded.");

    // A transaction's price: the most expensive one, looked up by index.
    const tx = data.prices.groups[0]!.txs[0]!;
    await page.fill("#tx-input", String(tx));
    await page.click("#lookup button");
    const details = page.locator("#tx-details");
    expect(await details.isVisible()).toBe(true);
    const text = await details.textContent();
    expect(text).toContain(`tx ${tx}`);
    expect(text).toContain(`×${data.txs.multiplier[tx]!.toFixed(4)} → fee ${groupDigits(data.txs.fee[tx]!)}`);
    // Who sent it, what it called, and the transactions it waits for and holds up, with the key of each conflict.
    expect(text).toContain(`sender${data.txs.senders[data.txs.from[tx]!]}`);
    expect(text).toContain(`contractAccount at ${data.txs.contracts[data.txs.to[tx]!]}`);
    expect(text).toContain("functiontransfer");
    const c = data.conflicts;
    const waits = details.locator(".waits-for a[data-tx]");
    expect(await waits.count()).toBe(c.before.offsets[tx + 1]! - c.before.offsets[tx]!);
    expect(c.before.count[tx]).toBeGreaterThan(0);
    const neighbour = c.before.tx[c.before.offsets[tx]!]!;
    const via = c.before.via[c.before.offsets[tx]!]!;
    expect(await details.locator(".waits-for").textContent()).toContain(`tx ${neighbour} (${via < 0 ? "fee recipient balance" : shortLocation(c.locations[via]!)})`);
    expect(await details.locator(".holds-up").textContent()).toMatch(c.after.count[tx]! > 0 ? /^tx \d+ \(/ : /^none$/);
    // A neighbour is a link to its own details.
    await waits.first().click();
    expect(await details.getAttribute("data-selected")).toBe(String(neighbour));
    expect(await details.locator("h3").textContent()).toMatch(new RegExp(`^tx ${neighbour} · `));
    expect(await page.locator("#price-groups tbody tr").first().textContent()).toContain(`×${data.prices.groups[0]!.multiplier.toFixed(2)}`);

    // Clicking a cell selects its transaction; hovering one describes it.
    const cell = page.locator("#dag-svg rect.cell[data-tx]").nth(7);
    const cellTx = Number(await cell.getAttribute("data-tx"));
    await cell.click();
    expect(await details.textContent()).toContain(`tx ${cellTx} · `);
    // (The widest bar: a bar narrower than a pixel cannot be pointed at.)
    const widths = (await page.locator("#gantt-svg rect.bar.k-execution").evaluateAll((bars) => bars.map((b) => Number(b.getAttribute("width")))));
    await page.locator("#gantt-svg rect.bar.k-execution").nth(widths.indexOf(Math.max(...widths))).hover();
    expect(await page.locator("#tip").isVisible()).toBe(true);
    expect(await page.locator("#tip").textContent()).toMatch(/^execution: tx \d+ · /);
    // A bad index says so.
    await page.fill("#tx-input", "5000");
    await page.click("#lookup button");
    expect(await page.textContent("#lookup-message")).toContain("no transaction 5000");

    await screenshot(page, "hybrid.png");
    expectNoMachinePaths(file);
    expect(data.block.source).toBe("block.json");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a DeFi block with reverts: the failures by reason, the pool's keys the hottest, a reverted transaction's details", async () => {
    const file = join(dir, "defi.html");
    const run = cli(["run", "--block", join(dir, "defi", "block.json"), "--genesis", join(dir, "defi", "genesis.json"), "--mode", "hybrid", "--threads", "2", "--report", file, "--report-runs", "3"]);
    expect(run.status, run.stderr).toBe(0);
    const data = embedded(file);
    expect(data.speedup.runs).toBe(3);
    const { page, problems } = await open(file);

    const reverts = page.locator("#reverts-table tbody tr");
    expect(await reverts.count()).toBe(data.reverts.length);
    const reasons = await page.locator("#reverts-table tbody tr td:nth-child(2) code").allTextContents();
    expect(reasons).toEqual(data.reverts.map((g) => g.reason));
    expect(reasons).toContain("seller does not own the token");
    const failed = data.run.receipts.revert + data.run.receipts["out-of-gas"] + data.run.receipts.invalid;
    expect(data.reverts.reduce((sum, g) => sum + g.count, 0)).toBe(failed);
    // A reverted transaction, from the table: its details say so.
    const example = reverts.first().locator("td.examples a").first();
    const tx = Number(await example.getAttribute("data-tx"));
    await example.click();
    expect(await page.locator("#tx-details h3").textContent()).toMatch(new RegExp(`^tx ${tx} · `));
    expect(await page.locator("#tx-details").textContent()).toContain("statusrevert");

    // Every swap writes the pool's reserves: they are among the hottest keys, on the critical path.
    const hotKeys = await page.locator("#hot-locations-table tbody tr td:first-child code").evaluateAll((codes) => codes.map((c) => c.getAttribute("title")));
    expect(hotKeys.slice(0, 4)).toContain("0x00000000000000000000000000000000000b0001/reserve0");
    expect(data.conflicts.hot.find((h) => h.location.endsWith("b0001/reserve0"))!.criticalEdges).toBeGreaterThan(0);

    await screenshot(page, "defi.png");
    expectNoMachinePaths(file);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a sequential run: one lane, the reference itself", async () => {
    const file = join(dir, "sequential.html");
    const run = cli(["run", "--block", join(dir, "block.json"), "--genesis", join(dir, "genesis.json"), "--mode", "sequential", "--report", file, "--json"]);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).stats.mode).toBe("sequential");
    const { page, problems } = await open(file);
    expect(await page.textContent("#speedup-measured .value")).toBe("1.00×");
    expect(await page.locator("#gantt-svg g.lane").count()).toBe(1);
    expect(await page.textContent("#gantt-svg g.lane .lane-label")).toBe("main thread");
    expect(await page.locator("#gantt-svg .reference").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
