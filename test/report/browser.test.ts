/**
 * The report as a reader sees it: rendered by headless Chromium (the build the npm package
 * `@sparticuz/chromium` ships, driven by playwright-core: see chromium.ts), checked for what the
 * page shows. It needs nothing installed beyond `npm ci`; it never skips.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCount, formatRatio, groupDigits } from "../../report/format.js";
import type { BlockReportData } from "../../report/reportData.js";
import { cli } from "../helpers.js";
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

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "prescient-report-"));
  profile = mkdtempSync(join(tmpdir(), "prescient-chromium-"));
  const gen = cli(["gen", "p2p", "--out", dir, "--txs", "200", "--accounts", "40", "--seed", "4"]);
  expect(gen.status, gen.stderr).toBe(0);
  browser = await launchChromium(profile, { width: 1280, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
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
    // The measured speedup is the sequential reference over this run, as printed.
    expect(data.speedup.measured).toBeCloseTo(data.sequential.wallMs / data.run.wallMs, 2);
    expect(await page.textContent("#speedup-measured .value")).toBe(formatRatio(data.speedup.measured));
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

    // A transaction's price: the most expensive one, looked up by index.
    const tx = data.prices.groups[0]!.txs[0]!;
    await page.fill("#tx-input", String(tx));
    await page.click("#lookup button");
    const details = page.locator("#tx-details");
    expect(await details.isVisible()).toBe(true);
    const text = await details.textContent();
    expect(text).toContain(`tx ${tx}`);
    expect(text).toContain(`×${data.txs.multiplier[tx]!.toFixed(4)} → fee ${groupDigits(data.txs.fee[tx]!)}`);
    expect(await page.locator("#price-groups tbody tr").first().textContent()).toContain(`×${data.prices.groups[0]!.multiplier.toFixed(2)}`);

    // Clicking a cell selects its transaction; hovering one describes it.
    const cell = page.locator("#dag-svg rect.cell[data-tx]").nth(7);
    const cellTx = Number(await cell.getAttribute("data-tx"));
    await cell.click();
    expect(await details.textContent()).toContain(`tx ${cellTx} · `);
    await page.locator("#gantt-svg rect.bar.k-execution").first().hover();
    expect(await page.locator("#tip").isVisible()).toBe(true);
    expect(await page.locator("#tip").textContent()).toMatch(/^execution: tx \d+ · /);
    // A bad index says so.
    await page.fill("#tx-input", "5000");
    await page.click("#lookup button");
    expect(await page.textContent("#lookup-message")).toContain("no transaction 5000");

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
