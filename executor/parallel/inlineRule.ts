/**
 * When `hybrid` runs a block inline (the sequential executor on the calling thread) rather than
 * as a round on the workers: the block's estimated single-thread time against what a round costs.
 * The thresholds and the measurements behind them: docs/executor.md, "When hybrid runs inline".
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
 * transactions runs inline, in milliseconds: a round's own start and end, and what two threads
 * lose to each other handing cheap transactions over (docs/executor.md, "When hybrid runs inline").
 */
export const ROUND_COST_MS = 2.5;

/**
 * Transactions averaging at least this long each (estimated) are heavy: hand-offs are a small part
 * of them, and the block is priced by HEAVY_ROUND_COST_MS instead.
 */
export const HEAVY_TX_MS = 0.05;

/**
 * For heavy transactions: the saving below which the block runs inline, estimated with every
 * transaction SLOWDOWN_BESIDE_ANOTHER times as long when another thread runs beside it (a round's
 * own cost is small beside them: waking the workers, a message and a reply per worker, see
 * sessions.ts). The mainnet blocks these values were set by, forced into a round: docs/executor.md,
 * "When hybrid runs inline".
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
