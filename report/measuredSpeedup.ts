/**
 * The measured speedup of a report: the sequential reference and the reported mode run in pairs,
 * one after the other, several times; the speedup is the ratio of their medians, and its spread
 * the lowest and highest ratio of a pair — one run says little on a machine that does anything
 * else.
 */
import { median } from "../bench/measure.js";

/** Wall times of the measured runs, in pairs: `sequentialMs[k]` ran just before `runMs[k]`. */
export interface RunTimings {
  readonly sequentialMs: readonly number[];
  readonly runMs: readonly number[];
}

export interface MeasuredSpeedup {
  /** median(sequential) / median(run). */
  readonly measured: number;
  /** Lowest and highest sequential / run ratio of one pair. */
  readonly spread: { readonly min: number; readonly max: number };
  readonly runs: number;
  readonly sequentialMs: number;
  readonly runMs: number;
}

export function measuredSpeedup(timings: RunTimings): MeasuredSpeedup {
  const { sequentialMs, runMs } = timings;
  if (sequentialMs.length === 0 || sequentialMs.length !== runMs.length) {
    throw new RangeError(`expected as many sequential runs as runs, at least one: got ${sequentialMs.length} and ${runMs.length}`);
  }
  const ratio = (s: number, r: number): number => (r > 0 ? s / r : 1);
  const ratios = sequentialMs.map((s, k) => ratio(s, runMs[k]!));
  const sequential = median(sequentialMs);
  const run = median(runMs);
  return { measured: ratio(sequential, run), spread: { min: Math.min(...ratios), max: Math.max(...ratios) }, runs: runMs.length, sequentialMs: sequential, runMs: run };
}
