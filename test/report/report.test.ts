import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ExecutionMode } from "../../core/types.js";
import type { LoadedChain } from "../../executor/chain.js";
import { createBlockReport } from "../../report/createBlockReport.js";
import { renderBlockReport } from "../../report/renderReport.js";
import type { BlockReportData } from "../../report/reportData.js";
import { generateWorkload } from "../../workloads/index.js";
import { chainOf, cli } from "../helpers.js";

function embedded(html: string): unknown {
  const match = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  return JSON.parse(match![1]!);
}

describe("createBlockReport", () => {
  let chain: LoadedChain;
  const reports = new Map<ExecutionMode, BlockReportData>();

  beforeAll(async () => {
    chain = await chainOf(generateWorkload("defi", { txs: 150, seed: 2 }));
    for (const mode of ["sequential", "hybrid", "columns", "blockstm"] as const) {
      const steps: string[] = [];
      const made = await createBlockReport({ chain, mode, threads: 2, warmups: 1, runs: 3, source: "defi 150", onProgress: (step) => steps.push(step) });
      expect(made.result.stats.mode).toBe(mode);
      expect(made.result.stateRoot).toBe(made.sequential.stateRoot);
      expect(steps[0]).toBe("analyzing access sets");
      expect(embedded(made.html)).toEqual(JSON.parse(JSON.stringify(made.data)));
      reports.set(mode, made.data);
    }
  });

  it("works in every mode: the sequential one has one lane, parallel ones a lane per thread", () => {
    expect(reports.get("sequential")!.gantt.lanes.map((l) => l.label)).toEqual(["main thread"]);
    expect(reports.get("sequential")!.speedup.measured).toBe(1);
    // Columns runs on the calling thread and one worker, Block-STM on two workers.
    expect(reports.get("columns")!.gantt.lanes.map((l) => l.label.replace(/ \(no task\)$/, ""))).toEqual(["main thread", "worker 1"]);
    expect(reports.get("blockstm")!.gantt.lanes.map((l) => l.label.replace(/ \(no task\)$/, ""))).toEqual(["worker 1", "worker 2"]);
    // hybrid may find this block too small for threads after its warm-up: then it says so, with one lane.
    const hybrid = reports.get("hybrid")!;
    expect(hybrid.gantt.lanes.length).toBe(hybrid.run.inline ? 1 : 2);
  });

  it("describes the block, the schedule and the run consistently", () => {
    for (const [mode, d] of reports) {
      expect(d.block.txs, mode).toBe(150);
      expect(d.block.source).toBe("defi 150");
      expect(d.run.identicalToSequential, mode).toBe(true);
      expect(d.speedup.measured, mode).toBeCloseTo(d.sequential.wallMs / d.run.wallMs, 2);
      // Several measured pairs: the ratio of the medians lies within the pairs' range.
      expect(d.speedup.runs, mode).toBe(3);
      expect(d.run.runsMs, mode).toHaveLength(3);
      expect(d.sequential.runsMs, mode).toHaveLength(3);
      expect(d.speedup.spread.min, mode).toBeLessThanOrEqual(d.speedup.measured + 1e-9);
      expect(d.speedup.spread.max, mode).toBeGreaterThanOrEqual(d.speedup.measured - 1e-9);
      const near = (x: number, y: number) => Math.abs(x - y) / y < 1e-3;
      expect(near(d.throughput.txsPerSecond, (150 * 1000) / d.run.wallMs), mode).toBe(true);
      expect(near(d.throughput.gasPerSecond, (d.block.gasUsed * 1000) / d.run.wallMs), mode).toBe(true);
      expect(near(d.throughput.sequentialGasPerSecond, (d.block.gasUsed * 1000) / d.sequential.wallMs), mode).toBe(true);
      expect(d.speedup.projected, mode).toBe(d.speedup.projectedByThreads[String(d.run.threads)]);
      // Per-transaction table: one entry per transaction in every column of it.
      for (const [name, values] of Object.entries(d.txs)) {
        if (["calls", "classes", "senders", "contracts"].includes(name)) continue;
        expect(values, `${mode}: txs.${name}`).toHaveLength(150);
      }
      expect([...d.txs.calls].sort()).toEqual(["Account.transfer", "NftMarket.buy", "Pool.swap", "Token.transfer"]);
      expect(Math.max(...d.txs.column) + 1).toBe(d.schedule.columns);
      expect(d.txs.lane.every((l) => l >= 0 && l < d.gantt.lanes.length), mode).toBe(true);
      expect(d.prices.bins.reduce((sum, b) => sum + b.count, 0)).toBe(150);
      // The swaps on one pool are the serial bottleneck and the most expensive class.
      expect(d.prices.groups[0]!.fn).toBe("Pool.swap");
      expect(d.prices.groups[0]!.critical).toBe(true);
      const receipts = d.run.receipts;
      expect(receipts.success + receipts.revert + receipts["out-of-gas"] + receipts.invalid).toBe(150);
      // Who sent and what was called, per transaction.
      expect(d.txs.senders[d.txs.from[0]!]).toBe(chain.block.txs[0]!.from);
      expect(d.txs.contracts[d.txs.to[0]!]).toBe(chain.block.txs[0]!.to);
      // The failures by reason add up to the receipts that failed; the pool's reserves are the hottest key.
      expect(d.reverts.reduce((sum, g) => sum + g.count, 0)).toBe(150 - receipts.success);
      // (The pool's two reserves and its two token balances: every swap writes all four.)
      expect(d.conflicts.hot.slice(0, 4).map((h) => h.location)).toContain("0x00000000000000000000000000000000000b0001/reserve0");
      expect(d.conflicts.hot[0]!.criticalEdges).toBeGreaterThan(0);
    }
  });

  it("an empty block still makes a page", async () => {
    const empty = { ...chain, block: { ...chain.block, txs: [] }, prepared: [] };
    for (const mode of ["sequential", "columns"] as const) {
      const made = await createBlockReport({ chain: empty, mode, warmups: 0 });
      expect(made.data.schedule.columns, mode).toBe(0);
      expect(made.data.dag.stacks, mode).toEqual([]);
      expect(made.html, mode).toContain("no transactions");
    }
  });

  it("renders a page that fetches nothing and keeps its data intact whatever the strings", () => {
    const d = reports.get("columns")!;
    const hostile = { ...d, block: { ...d.block, source: `</script><script>alert(1)</script>"'&` }, title: "<b>x</b>" };
    const html = renderBlockReport(hostile);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toMatch(/<b>x<\/b>/);
    expect(embedded(html)).toEqual(JSON.parse(JSON.stringify(hostile)));
    // Self-contained: no external script, stylesheet, image or font.
    expect(html).not.toMatch(/\b(src|href)="(?!#|data:)/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/@import|url\(/);
  });
});

describe("prescient run --report", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "prescient-report-cli-"));
    expect(cli(["gen", "erc20", "--out", dir, "--txs", "30"]).status).toBe(0);
  });

  it("writes the page, and prints the usual result (JSON stays one document)", () => {
    const file = join(dir, "r.html");
    const r = cli(["run", "--block", join(dir, "block.json"), "--genesis", join(dir, "genesis.json"), "--mode", "columns", "--report", file, "--json", "--state-out", join(dir, "s.json")]);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.stats.mode).toBe("columns");
    const html = readFileSync(file, "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect((embedded(html) as BlockReportData).run.stateRoot).toBe(result.stateRoot);
    expect(existsSync(join(dir, "s.json"))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("refuses a report in a directory that does not exist, before running anything", () => {
    const file = join(dir, "missing", "r.html");
    const r = cli(["run", "--block", join(dir, "block.json"), "--genesis", join(dir, "genesis.json"), "--report", file, "--state-out", join(dir, "never.json")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/r\.html: --report: the directory .*missing does not exist/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stdout).toBe("");
    expect(existsSync(join(dir, "never.json"))).toBe(false);
  });

  it("refuses a directory as the report file", () => {
    const r = cli(["run", "--block", join(dir, "block.json"), "--genesis", join(dir, "genesis.json"), "--report", dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--report: is a directory, not a file/);
  });
});
