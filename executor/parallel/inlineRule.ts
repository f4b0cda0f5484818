/**
 * When `hybrid` runs a block inline (the sequential executor on the calling thread) rather than
 * as a round on the workers: the block's estimated single-thread time against what a round costs.
 */

export interface RunsInlineParameters {
  /** The block's single-thread time estimated from the executor's own runs (Infinity before the first). */
  readonly estimatedMs: number;
  /** The scheduler's projected speedup at the executor's thread count. */
  readonly projected: number;
  readonly txs: number;
  /** Below this projected speedup the block runs inline (default 1.15); 0 never runs inline. */
  readonly inlineBelowSpeedup?: number | undefined;
}

/**
 * The ideal saving (single-thread time × (1 − 1/projected)) below which a block of cheap
 * transactions runs inline, in milliseconds. A round's own start and end are ~0.5 ms of it (one
 * task dispatch and result); the rest is what two threads lose to each other on a short block of
 * cheap transactions: a block of 200 transfers (1.3 ms, saving 0.65 ms) ran 0.35–0.40× with the
 * threshold at 0.5 ms, the hand-offs per transaction deciding.
 */
export const ROUND_COST_MS = 2.5;

/**
 * Transactions averaging at least this long each (estimated) are heavy: hand-offs are a small part
 * of them, and the block is priced by HEAVY_ROUND_COST_MS instead.
 */
export const HEAVY_TX_MS = 0.05;

/**
 * For heavy transactions: the saving below which the block runs inline, estimated with every
 * transaction SLOWDOWN_BESIDE_ANOTHER times as long when another thread runs beside it. Measured
 * on mainnet replays of warm code (2-core AMD EPYC VM): 19933122 (45 transactions, 4.6 ms,
 * projected 1.98×) ran 1.00× inline and up to 1.97× as a round; 2674998 (16, 3.6 ms, 1.60×) 1.00×
 * inline and 1.16–1.17× as a round; 1796867 (49, 9.1 ms, 1.22×) 1.03× inline and 0.98× as a
 * round. Each of them fell under the cheap rule; this one sends the first two to the workers and
 * keeps the third inline (its saving with the slowdown is 0.9 ms).
 */
export const HEAVY_ROUND_COST_MS = 1.0;
export const SLOWDOWN_BESIDE_ANOTHER = 1.1;

/** Whether `hybrid` runs the block inline. */
export function runsInline(parameters: RunsInlineParameters): boolean {
  const { estimatedMs, projected, txs } = parameters;
  const below = parameters.inlineBelowSpeedup ?? 1.15;
  if (projected < below) return true;
  if (below === 0) return false;
  if (!Number.isFinite(estimatedMs)) return false;
  if (txs > 0 && estimatedMs / txs >= HEAVY_TX_MS) return estimatedMs * (1 - SLOWDOWN_BESIDE_ANOTHER / projected) < HEAVY_ROUND_COST_MS;
  return estimatedMs * (1 - 1 / projected) < ROUND_COST_MS;
}
