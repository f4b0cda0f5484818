import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BlockAccessSets, TxAccessSet } from "../../core/accessSet.js";
import { assignWorkers, buildConflictGraph, computeColumns } from "../../scheduler/index.js";
import { accessSetsArbitrary } from "./oracle.js";

function tx(index: number, reads: string[], writes: string[], gas = 100): TxAccessSet {
  return { index, reads, writes, gas, class: "exact", feeRecipient: "none" };
}

function assign(sets: BlockAccessSets, k: number) {
  const graph = buildConflictGraph(sets);
  return assignWorkers(graph, computeColumns(graph), k);
}

describe("worker assignment", () => {
  it("puts a fully dependent block on one worker", () => {
    // Every tx reads the previous tx's output and writes its own: a chain through distinct keys.
    const txs = Array.from({ length: 200 }, (_, i) => tx(i, i === 0 ? [] : [`k/${i - 1}`], [`k/${i}`], 1000 + i));
    const a = assign({ feeRecipientLocation: undefined, txs }, 8);
    expect(new Set(a.workerOf).size).toBe(1);
    expect(a.chainCount).toBe(1);
  });

  it("puts a hot-key chain on one worker", () => {
    const txs = Array.from({ length: 100 }, (_, i) => tx(i, ["hot"], ["hot"]));
    expect(new Set(assign({ feeRecipientLocation: undefined, txs }, 4).workerOf).size).toBe(1);
  });

  it("balances independent txs by gas", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 16 }), (gases, k) => {
        const txs = gases.map((g, i) => tx(i, [`r/${i}`], [`w/${i}`], g));
        const a = assign({ feeRecipientLocation: undefined, txs }, k);
        const loads = Array.from(a.load);
        const total = gases.reduce((s, g) => s + g, 0);
        expect(loads.reduce((s, l) => s + l, 0)).toBe(total);
        // LPT: the most loaded worker exceeds the average by at most one tx.
        expect(Math.max(...loads)).toBeLessThanOrEqual(total / k + Math.max(...gases));
        if (gases.length >= k) expect(new Set(a.workerOf).size).toBe(k);
      }),
    );
  });

  it("keeps each chain on one worker and every tx assigned", () => {
    fc.assert(
      fc.property(accessSetsArbitrary(), fc.integer({ min: 1, max: 6 }), (sets, k) => {
        const a = assign(sets, k);
        const workerOfChain = new Map<number, number>();
        for (let j = 0; j < sets.txs.length; j++) {
          expect(a.workerOf[j]!).toBeGreaterThanOrEqual(0);
          expect(a.workerOf[j]!).toBeLessThan(k);
          const chain = a.chainOf[j]!;
          if (workerOfChain.has(chain)) expect(workerOfChain.get(chain)).toBe(a.workerOf[j]);
          else workerOfChain.set(chain, a.workerOf[j]!);
        }
      }),
    );
  });
});
