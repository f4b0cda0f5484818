import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BlockAccessSets, TxAccessSet } from "../../core/accessSet.js";
import { CongestionState, DEFAULT_FEE_MODEL, quoteBlock, scheduleBlock } from "../../scheduler/index.js";
import { accessSetsArbitrary } from "./oracle.js";

function tx(index: number, reads: string[], writes: string[], gas: number, extra: Partial<TxAccessSet> = {}): TxAccessSet {
  return { index, reads, writes, gas, class: "exact", feeRecipient: "none", ...extra };
}

/** A block: one independent transfer and `swaps` swaps on one pool. */
function transferAndSwaps(swaps: number): BlockAccessSets {
  const txs: TxAccessSet[] = [tx(0, ["tok/balances/alice", "tok/balances/bob"], ["tok/balances/alice", "tok/balances/bob"], 50_000)];
  for (let i = 0; i < swaps; i++) {
    const user = `tok/balances/u${i}`;
    txs.push(tx(i + 1, [user, "pool/reserves", "tok/balances/pool"], [user, "pool/reserves", "tok/balances/pool"], 150_000));
  }
  return { feeRecipientLocation: "acct:cb", txs };
}

function permute(sets: BlockAccessSets, order: readonly number[]): BlockAccessSets {
  return { ...sets, txs: order.map((from, to) => ({ ...sets.txs[from]!, index: to })) };
}

describe("fee quotes", () => {
  it("quotes an independent transfer below a swap on a hot pool", () => {
    const quote = quoteBlock(transferAndSwaps(20), { baseFee: 10_000n });
    const transfer = quote.quotes[0]!;
    const swap = quote.quotes[1]!;
    expect(transfer.multiplier).toBe(DEFAULT_FEE_MODEL.parallelDiscount);
    expect(swap.multiplier).toBeGreaterThan(1);
    expect(swap.critical).toBe(true);
    expect(transfer.critical).toBe(false);
    expect(transfer.feePerGas).toBeLessThan(swap.feePerGas);
  });

  it("does not depend on arrival order", () => {
    fc.assert(
      fc.property(
        accessSetsArbitrary().chain((sets) =>
          fc.tuple(fc.constant(sets), fc.shuffledSubarray([...sets.txs.keys()], { minLength: sets.txs.length, maxLength: sets.txs.length })),
        ),
        ([sets, order]) => {
          const congestion = new CongestionState(new Map([["hot/key", 2.5], ["tok/balances/a", 1.5]]));
          const original = quoteBlock(sets, { baseFee: 7n, congestion });
          const shuffled = quoteBlock(permute(sets, order), { baseFee: 7n, congestion });
          order.forEach((from, to) => {
            const { index: _a, ...q1 } = original.quotes[from]!;
            const { index: _b, ...q2 } = shuffled.quotes[to]!;
            expect(q2).toEqual(q1);
          });
          expect(shuffled.totalFee).toBe(original.totalFee);
          expect(JSON.stringify(congestion.next(permute(sets, order)).toJSON())).toBe(JSON.stringify(congestion.next(sets).toJSON()));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps every block's total fee within [min, max] × the flat fee", () => {
    fc.assert(
      fc.property(accessSetsArbitrary({ maxTxs: 60 }), fc.double({ min: 1, max: 4, noNaN: true }), (sets, carried) => {
        const congestion = new CongestionState(new Map([["hot/key", carried]]));
        const q = quoteBlock(sets, { baseFee: 10_000n, congestion });
        const { minMultiplier, maxMultiplier } = DEFAULT_FEE_MODEL;
        for (const t of q.quotes) {
          expect(t.multiplier).toBeGreaterThanOrEqual(minMultiplier);
          expect(t.multiplier).toBeLessThanOrEqual(maxMultiplier);
        }
        // baseFee is a multiple of 10_000 basis points, so no rounding: exact bounds.
        expect(q.totalFee * 10n).toBeGreaterThanOrEqual(q.flatFee * BigInt(minMultiplier * 10));
        expect(q.totalFee).toBeLessThanOrEqual(q.flatFee * BigInt(maxMultiplier));
      }),
    );
  });

  it("raises congestion while a location stays over target and lets it decay afterwards", () => {
    const hot = transferAndSwaps(40); // 6 Mgas written to the pool, 4× the target
    const quiet = transferAndSwaps(1);
    let state = CongestionState.empty();
    const history: number[] = [];
    for (let b = 0; b < 8; b++) {
      state = state.next(hot);
      history.push(state.multiplier("pool/reserves"));
    }
    for (let b = 1; b < history.length; b++) expect(history[b]!).toBeGreaterThan(history[b - 1]!);
    expect(history[0]).toBeCloseTo(1.125);
    expect(state.multiplier("tok/balances/alice")).toBe(1); // under target: never congested
    const peak = state.multiplier("pool/reserves");
    const hotQuote = quoteBlock(quiet, { congestion: state }).quotes[1]!.multiplier;
    const coldQuote = quoteBlock(quiet).quotes[1]!.multiplier;
    expect(hotQuote).toBeGreaterThan(coldQuote);
    for (let b = 0; b < 40; b++) {
      const next = state.next(quiet);
      expect(next.multiplier("pool/reserves")).toBeLessThanOrEqual(state.multiplier("pool/reserves"));
      state = next;
    }
    expect(peak).toBeGreaterThan(2);
    expect(state.multiplier("pool/reserves")).toBe(1);
    expect(state.size).toBe(0);
  });

  it("serializes congestion to JSON and back", () => {
    const state = CongestionState.empty().next(transferAndSwaps(40)).next(transferAndSwaps(40));
    const json = JSON.parse(JSON.stringify(state.toJSON())) as unknown;
    const back = CongestionState.fromJSON(json);
    expect(back.toJSON()).toEqual(state.toJSON());
    expect(back.blocks).toBe(2);
    expect(() => CongestionState.fromJSON({ format: "congestion-state/v1", blocks: 1, multipliers: { x: 0.5 } })).toThrow(/multipliers/);
  });

  it("is part of scheduleBlock's JSON", () => {
    const json = scheduleBlock(transferAndSwaps(3), { baseFee: 5n }).toJSON();
    expect(json.prices?.perTx.length).toBe(4);
    expect(typeof json.prices?.totalFee).toBe("string");
  });
});
