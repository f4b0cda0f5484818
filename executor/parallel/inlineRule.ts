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
 * transactions runs inline, in milliseconds. A round's own start and end are ~0.2 ms of it (waking
 * the workers, a message and a reply per worker); the rest is what two threads lose to each other on a short block of
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
 * transaction SLOWDOWN_BESIDE_ANOTHER times as long when another thread runs beside it. A round
 * costs ~0.2 ms of its own (waking the workers, a message and a reply per worker, see
 * sessions.ts). Measured on mainnet replays of warm code, forced into a round against the
 * sequential executor in the same process (40 alternated runs each, medians, 2-core VM):
 * 2675000 (15 transactions, 2.8 ms, projected 1.69×, saving 0.98 ms) 1.27×; 2674998 (16, 3.9 ms,
 * 1.60×) 1.35×; 19933122 (45, 5.1 ms, 1.98×) 1.76×; 1796867 (49, 8.9 ms, 1.22×, saving 0.87 ms)
 * 1.03×; 930196 (18, 1.0 ms, 1.20×, saving 0.08 ms) 1.02×. With a piscina task per round the
 * same rounds ran 1.23×, 1.28×, 1.67×, 0.99× and 0.76×, and the threshold was 1 ms, which kept
 * 2675000 inline at 1.00×.
 */
export const HEAVY_ROUND_COST_MS = 0.5;
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
