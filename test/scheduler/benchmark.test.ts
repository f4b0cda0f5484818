import { describe, expect, it } from "vitest";
import { benchmarkScheduling, syntheticBlock } from "../../bench/schedule.js";
import { buildConflictGraph, computeColumns } from "../../scheduler/index.js";

describe("scheduling benchmark (shape only, no timing assertions)", () => {
  it("builds the synthetic blocks it claims", () => {
    const erc20 = buildConflictGraph(syntheticBlock("erc20", 2000));
    expect(erc20.edgeCount).toBe(0);
    expect(computeColumns(erc20).columnCount).toBe(1);
    const p2p = buildConflictGraph(syntheticBlock("p2p", 2000, { accounts: 10 }));
    expect(computeColumns(p2p).columnCount).toBeGreaterThan(10);
  });

  it("returns one throughput row per workload and size", () => {
    const result = benchmarkScheduling({ sizes: [1000, 2000], repeat: 1, tracesDir: false });
    expect(result.throughput.map((r) => [r.workload, r.txs])).toEqual([
      ["erc20", 1000],
      ["erc20", 2000],
      ["p2p", 1000],
      ["p2p", 2000],
    ]);
    for (const row of result.throughput) expect(row.txPerSecond).toBeGreaterThan(0);
    expect(result.mainnet).toEqual([]);
  });
});
