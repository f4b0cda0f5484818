import { describe, expect, it } from "vitest";
import { runsInline } from "../executor/parallel/inlineRule.js";

describe("hybrid's inline rule", () => {
  it("runs a block without parallelism inline, and never with inlineBelowSpeedup 0", () => {
    expect(runsInline({ estimatedMs: 500, projected: 1.1, txs: 1000 })).toBe(true);
    expect(runsInline({ estimatedMs: 500, projected: 1.1, txs: 100_000, inlineBelowSpeedup: 1.05 })).toBe(false);
    expect(runsInline({ estimatedMs: 0.1, projected: 2, txs: 10, inlineBelowSpeedup: 0 })).toBe(false);
  });

  it("sends the first block to the workers: nothing is known of its cost yet", () => {
    expect(runsInline({ estimatedMs: Number.POSITIVE_INFINITY, projected: 2, txs: 10 })).toBe(false);
  });

  it("prices cheap transactions by a 2.5 ms saving", () => {
    // 200 transfers, 1.3 ms: saving 0.65 ms.
    expect(runsInline({ estimatedMs: 1.3, projected: 2, txs: 200 })).toBe(true);
    // 10,000 transfers, 60 ms: saving 30 ms.
    expect(runsInline({ estimatedMs: 60, projected: 2, txs: 10_000 })).toBe(false);
    expect(runsInline({ estimatedMs: 4.9, projected: 2, txs: 200 })).toBe(true);
    expect(runsInline({ estimatedMs: 5.1, projected: 2, txs: 200 })).toBe(false);
  });

  it("prices heavy transactions by a 0.5 ms saving with each 10% slower beside another", () => {
    // Mainnet 19933122: 45 transactions, 4.6 ms, projected 1.98: saving 2.04 ms.
    expect(runsInline({ estimatedMs: 4.6, projected: 1.98, txs: 45 })).toBe(false);
    // 2674998: 16 transactions, 3.6 ms, projected 1.60: saving 1.13 ms.
    expect(runsInline({ estimatedMs: 3.6, projected: 1.6, txs: 16 })).toBe(false);
    // 2675000: 15 transactions, 2.8 ms, projected 1.69: saving 0.98 ms (1.27× as a round).
    expect(runsInline({ estimatedMs: 2.8, projected: 1.69, txs: 15 })).toBe(false);
    // 1796867: 49 transactions, 8.9 ms, projected 1.22: saving 0.87 ms (1.03× as a round).
    expect(runsInline({ estimatedMs: 8.9, projected: 1.22, txs: 49 })).toBe(false);
    // 930196: 18 transactions, 1.0 ms, projected 1.20: saving 0.08 ms.
    expect(runsInline({ estimatedMs: 1.0, projected: 1.2, txs: 18 })).toBe(true);
    // Heavy but tiny: 3 transactions of 0.1 ms, projected 2: saving 0.135 ms.
    expect(runsInline({ estimatedMs: 0.3, projected: 2, txs: 3 })).toBe(true);
  });
});
