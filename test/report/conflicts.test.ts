/**
 * The report's conflict and failure views: every conflict edge traced back to the key(s) behind
 * it (wildcards included), the hottest keys ranked, each transaction's nearest neighbours, and
 * failed transactions grouped by their reason.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BlockAccessSets, TxAccessSet } from "../../core/accessSet.js";
import type { Receipt } from "../../core/types.js";
import { VIA_FEE_RECIPIENT, analyzeConflicts } from "../../report/conflictView.js";
import { groupReverts, reasonPattern } from "../../report/revertView.js";
import { buildConflictGraph } from "../../scheduler/conflictGraph.js";
import { accessSetsArbitrary, FEE, overlaps } from "../scheduler/oracle.js";

function tx(index: number, reads: string[], writes: string[], extra: Partial<TxAccessSet> = {}): TxAccessSet {
  return { index, reads, writes, gas: 100, class: "exact", feeRecipient: "none", ...extra };
}

describe("analyzeConflicts", () => {
  it("traces each edge to its key, ranks the keys, and keeps each transaction's neighbours", () => {
    const sets: BlockAccessSets = {
      feeRecipientLocation: FEE,
      txs: [
        tx(0, [], ["a", FEE]),
        tx(1, ["a"], [FEE]),
        tx(2, [], ["a"]),
        tx(3, [], ["p/*"]),
        tx(4, ["p/x"], []),
        tx(5, ["b"], [], { feeRecipient: "read" }),
      ],
    };
    const graph = buildConflictGraph(sets);
    const view = analyzeConflicts({ sets, graph, criticalPath: [0, 1, 2, 5] });
    expect(graph.edges().sort()).toEqual([[0, 1], [0, 5], [1, 2], [1, 5], [2, 5], [3, 4], [3, 5], [4, 5]].sort());
    expect(view.edges).toBe(8);
    // The edges into 5 share no key: it reads the fee recipient's balance, so it follows everything.
    expect(view.feeRecipientEdges).toBe(5);
    expect(view.hot).toEqual([
      { location: "a", edges: 2, criticalEdges: 2, writers: 2, readers: 1, gas: 300 },
      { location: "p/*", edges: 1, criticalEdges: 0, writers: 1, readers: 1, gas: 200 },
    ]);
    const named = (lists: typeof view.before, i: number) =>
      lists.tx.slice(lists.offsets[i], lists.offsets[i + 1]).map((t, k) => {
        const via = lists.via[lists.offsets[i]! + k]!;
        return `${t}:${via === VIA_FEE_RECIPIENT ? "fee" : view.locations[via]}`;
      });
    expect(named(view.before, 1)).toEqual(["0:a"]);
    expect(named(view.before, 4)).toEqual(["3:p/*"]);
    // Nearest first, at most five, with the whole count beside them.
    expect(named(view.before, 5)).toEqual(["4:fee", "3:fee", "2:fee", "1:fee", "0:fee"]);
    expect(named(view.after, 0)).toEqual(["1:a", "5:fee"]);
    expect(view.before.count).toEqual([0, 1, 1, 0, 1, 5]);
    expect(view.after.count).toEqual([2, 2, 1, 2, 1, 0]);
  });

  it("on random blocks (wildcards included), every edge between transactions that ignore the fee recipient has a key they share with a write (seed 2601)", () => {
    fc.assert(
      fc.property(accessSetsArbitrary({ maxTxs: 20 }), (sets) => {
        const graph = buildConflictGraph(sets);
        const view = analyzeConflicts({ sets, graph, criticalPath: [], neighbours: 100, top: 1000 });
        const ordered = (j: number) => sets.txs[j]!.feeRecipient !== "none";
        for (let j = 0; j < graph.txCount; j++) {
          const { offsets, tx: from, via } = view.before;
          expect(offsets[j + 1]! - offsets[j]!).toBe(graph.predecessorsOf(j).length);
          for (let k = offsets[j]!; k < offsets[j + 1]!; k++) {
            const i = from[k]!;
            if (via[k] === VIA_FEE_RECIPIENT) {
              expect(ordered(j), `edge ${i}→${j} has no key`).toBe(true);
              continue;
            }
            const key = view.locations[via[k]!]!;
            const a = sets.txs[i]!;
            const b = sets.txs[j]!;
            const writes = (t: TxAccessSet) => t.writes.some((e) => e !== FEE && overlaps(e, key));
            const touches = (t: TxAccessSet) => [...t.reads, ...t.writes].some((e) => e !== FEE && overlaps(e, key));
            expect(touches(a) && touches(b) && (writes(a) || writes(b)), `${i}→${j} via ${key}`).toBe(true);
          }
        }
        expect(view.hot.reduce((sum, h) => sum + h.edges, 0)).toBeGreaterThanOrEqual(view.edges - view.feeRecipientEdges);
      }),
      { numRuns: 300, seed: 2601 },
    );
  });
});

describe("groupReverts", () => {
  it("groups failures by status and reason without its numbers, largest group first (ties by reason)", () => {
    expect(reasonPattern("slippage: 5910113207 < 10000 at 0xdeadBEEF")).toBe("slippage: … < … at 0x…");
    const receipt = (status: Receipt["status"], error?: string): Receipt => ({ index: 0, status, gasUsed: 1, fee: 1n, ...(error !== undefined ? { error } : {}) });
    const receipts = [
      receipt("success"),
      receipt("revert", "slippage: 5 < 10"),
      receipt("revert", "seller does not own the token"),
      receipt("revert", "slippage: 7 < 99"),
      receipt("invalid", "nonce 3, expected 2"),
      receipt("out-of-gas"),
    ];
    const calls = ["T.transfer", "Pool.swap", "Nft.buy", "Pool.swap", "T.transfer", "Pool.swap"];
    expect(groupReverts(receipts, (i) => calls[i]!)).toEqual([
      { status: "revert", reason: "slippage: … < …", example: "slippage: 5 < 10", count: 2, calls: [{ fn: "Pool.swap", count: 2 }], txs: [1, 3] },
      { status: "out-of-gas", reason: "(no reason given)", example: "(no reason given)", count: 1, calls: [{ fn: "Pool.swap", count: 1 }], txs: [5] },
      { status: "invalid", reason: "nonce …, expected …", example: "nonce 3, expected 2", count: 1, calls: [{ fn: "T.transfer", count: 1 }], txs: [4] },
      { status: "revert", reason: "seller does not own the token", example: "seller does not own the token", count: 1, calls: [{ fn: "Nft.buy", count: 1 }], txs: [2] },
    ]);
  });
});
