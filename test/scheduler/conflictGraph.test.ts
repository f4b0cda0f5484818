import { alg } from "@dagrejs/graphlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BlockAccessSets, TxAccessSet } from "../../core/accessSet.js";
import {
  buildConflictGraph,
  computeColumns,
  computeCriticalPath,
  listScheduleMakespan,
  projectSpeedups,
  toDot,
  toGraphlib,
} from "../../scheduler/index.js";
import { accessSetsArbitrary, FEE, mustOrder } from "./oracle.js";

function reachableFrom(g: ReturnType<typeof toGraphlib>, source: number): Set<string> {
  return new Set(alg.preorder(g, [String(source)]));
}

function tx(index: number, reads: string[], writes: string[], extra: Partial<TxAccessSet> = {}): TxAccessSet {
  return { index, reads, writes, gas: 100, class: "exact", feeRecipient: "none", ...extra };
}

describe("conflict DAG against a graphlib oracle", () => {
  it("orders every conflicting pair, adds no edge between non-conflicting txs, and lays columns out validly", () => {
    fc.assert(
      fc.property(accessSetsArbitrary(), (sets) => {
        const graph = buildConflictGraph(sets);
        const layout = computeColumns(graph);
        const g = toGraphlib(graph);
        expect(alg.isAcyclic(g)).toBe(true);
        const n = sets.txs.length;
        const reach = Array.from({ length: n }, (_, i) => reachableFrom(g, i));
        for (let j = 0; j < n; j++) {
          for (let i = 0; i < j; i++) {
            if (mustOrder(sets.txs[i]!, sets.txs[j]!, FEE)) {
              expect(reach[i]!.has(String(j)), `conflict ${i}→${j} not ordered`).toBe(true);
              expect(layout.columnOf[i]!).toBeLessThan(layout.columnOf[j]!);
            }
          }
        }
        for (const [i, j] of graph.edges()) {
          expect(i).toBeLessThan(j);
          expect(mustOrder(sets.txs[i]!, sets.txs[j]!, FEE), `spurious edge ${i}→${j}`).toBe(true);
          expect(layout.columnOf[i]!).toBeLessThan(layout.columnOf[j]!);
        }
        // Longest path (in nodes) by DP over graphlib's topological order.
        const longest = new Map<string, number>();
        for (const v of alg.topsort(g)) {
          const preds = g.predecessors(v) ?? [];
          longest.set(v, 1 + Math.max(0, ...preds.map((p) => longest.get(p)!)));
        }
        const longestPath = Math.max(0, ...longest.values());
        expect(layout.columnCount).toBe(longestPath);
        // Columns are antichains of conflicts.
        for (let c = 0; c < layout.columnCount; c++) {
          const members = Array.from(layout.members.subarray(layout.offsets[c]!, layout.offsets[c + 1]!));
          for (const a of members) for (const b of members) if (a < b) expect(mustOrder(sets.txs[a]!, sets.txs[b]!, FEE)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps edges linear on a hot key: n writers make a chain", () => {
    const n = 1000;
    const sets: BlockAccessSets = {
      feeRecipientLocation: undefined,
      txs: Array.from({ length: n }, (_, i) => tx(i, ["hot"], ["hot"])),
    };
    const graph = buildConflictGraph(sets);
    expect(graph.edgeCount).toBe(n - 1);
    expect(computeColumns(graph).columnCount).toBe(n);
  });

  it("treats the fee recipient as a commutative credit except for direct access", () => {
    const sets: BlockAccessSets = {
      feeRecipientLocation: "acct:cb",
      txs: [
        tx(0, ["acct:a", "acct:cb"], ["acct:a", "acct:cb"]),
        tx(1, ["acct:b", "acct:cb"], ["acct:b", "acct:cb"]),
        tx(2, ["acct:cb"], ["acct:cb", "acct:c"], { feeRecipient: "read-write" }),
        tx(3, ["acct:d", "acct:cb"], ["acct:d", "acct:cb"]),
        tx(4, ["acct:cb"], ["acct:cb"], { feeRecipient: "read" }),
      ],
    };
    const graph = buildConflictGraph(sets);
    expect(graph.edges()).toEqual([
      [0, 2],
      [1, 2],
      [2, 4],
      [3, 4],
    ]);
    expect(Array.from(computeColumns(graph).columnOf)).toEqual([0, 0, 1, 0, 2]);
  });

  it("makes wildcards conflict with every location under their prefix", () => {
    const sets: BlockAccessSets = {
      feeRecipientLocation: undefined,
      txs: [
        tx(0, [], ["tok/balances/a"]),
        tx(1, [], ["tok/balances/b"]),
        tx(2, ["tok/balances/*"], []),
        tx(3, [], ["tok/balancesX"]),
        tx(4, [], ["tok/balances/c"]),
      ],
    };
    const graph = buildConflictGraph(sets);
    expect(graph.edges()).toEqual([
      [0, 2],
      [1, 2],
      [2, 4],
    ]);
  });

  it("reports critical path, makespans within bounds, and exports DOT", () => {
    fc.assert(
      fc.property(accessSetsArbitrary({ maxTxs: 40 }), fc.integer({ min: 1, max: 8 }), (sets, k) => {
        const graph = buildConflictGraph(sets);
        const layout = computeColumns(graph);
        const cp = computeCriticalPath(graph, layout.columnCount);
        const total = sets.txs.reduce((s, t) => s + t.gas, 0);
        const makespan = listScheduleMakespan(graph, k);
        expect(makespan).toBeGreaterThanOrEqual(cp.gas);
        expect(makespan).toBeGreaterThanOrEqual(total / k - 1e-9);
        // Graham: list scheduling is within (2 − 1/k) of the lower bound max(total/k, cp).
        expect(makespan).toBeLessThanOrEqual(total / k + cp.gas + 1e-9);
        expect(listScheduleMakespan(graph, 1)).toBe(total);
        // The reported path is a path of the DAG with the reported gas.
        for (let e = 1; e < cp.txs.length; e++) {
          expect(Array.from(graph.predecessorsOf(cp.txs[e]!))).toContain(cp.txs[e - 1]!);
        }
        expect(cp.txs.reduce((s, j) => s + graph.gas[j]!, 0)).toBe(cp.gas);
        const speedups = projectSpeedups(graph);
        expect(Object.keys(speedups)).toEqual(["1", "2", "4", "8", "16", "32"]);
        for (const [threads, s] of Object.entries(speedups)) expect(s).toBeLessThanOrEqual(Number(threads) + 1e-9);
        const dot = toDot(graph, { columnOf: layout.columnOf, criticalPath: cp.txs });
        expect(dot.startsWith("digraph")).toBe(true);
        expect(dot.match(/->/g)?.length ?? 0).toBe(graph.edgeCount);
      }),
      { numRuns: 200 },
    );
  });
});
