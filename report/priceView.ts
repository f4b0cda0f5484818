/**
 * The fee quotes of a block, summarised for the page: a histogram of multipliers that separates
 * contended transactions from free ones, the median per call, and the most expensive price
 * classes (transactions of one call quoted at one multiplier: a block's 593 swaps on one pool are
 * one row, not 593) with the reason they cost more.
 */
import type { TxQuote } from "../scheduler/pricing.js";

export interface PriceBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  /** Of which conflict with some other transaction of the block. */
  readonly contended: number;
}

export interface CallPrice {
  readonly fn: string;
  readonly count: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface PriceGroup {
  readonly fn: string;
  readonly multiplier: number;
  readonly count: number;
  /** The median quoted fee of the group's transactions. */
  readonly medianFee: string;
  /** The most gas any of them conflicts with. */
  readonly contendedGas: number;
  /** Some of them are on the block's serial bottleneck. */
  readonly critical: boolean;
  /** The first few of them, by index. */
  readonly txs: readonly number[];
}

export interface PriceView {
  readonly baseFee: string;
  readonly flatFee: string;
  readonly totalFee: string;
  /** totalFee / flatFee. */
  readonly ratio: number;
  readonly contended: number;
  readonly critical: number;
  /** Quoted below the base fee (exact, conflict-free transactions). */
  readonly discounted: number;
  readonly bins: readonly PriceBin[];
  readonly byCall: readonly CallPrice[];
  /** The price classes, highest multiplier first. */
  readonly groups: readonly PriceGroup[];
}

export interface SummarizePricesParameters {
  readonly quotes: readonly TxQuote[];
  readonly baseFee: bigint;
  readonly flatFee: bigint;
  readonly totalFee: bigint;
  readonly fnName: (tx: number) => string;
  /** Price classes listed at most (default 12). */
  readonly groupCount?: number;
  /** Histogram bins at most (default 24). */
  readonly maxBins?: number;
}

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Bin width: a round step (0.05, 0.1, 0.25, 0.5, 1, …) giving at most `maxBins` bins. */
export function binWidth(low: number, high: number, maxBins: number): number {
  const steps = [0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];
  for (const step of steps) if ((high - low) / step < maxBins) return step;
  return 10;
}

export function summarizePrices(p: SummarizePricesParameters): PriceView {
  const quotes = p.quotes;
  let low = Infinity;
  let high = -Infinity;
  let contended = 0;
  let critical = 0;
  let discounted = 0;
  for (const q of quotes) {
    low = Math.min(low, q.multiplier);
    high = Math.max(high, q.multiplier);
    if (q.contendedGas > 0) contended++;
    if (q.critical) critical++;
    if (q.multiplier < 1) discounted++;
  }
  const bins: PriceBin[] = [];
  if (quotes.length > 0) {
    const width = binWidth(low, high, p.maxBins ?? 24);
    // Bin edges on multiples of the width, computed in integer steps so 1.1 is never 1.0999….
    const first = Math.floor(low / width + 1e-9);
    const last = Math.floor(high / width + 1e-9);
    const counts = new Array<number>(last - first + 1).fill(0);
    const contendedCounts = new Array<number>(last - first + 1).fill(0);
    for (const q of quotes) {
      const b = Math.floor(q.multiplier / width + 1e-9) - first;
      counts[b]!++;
      if (q.contendedGas > 0) contendedCounts[b]!++;
    }
    const edge = (k: number) => Math.round(k * width * 10_000) / 10_000;
    for (let b = 0; b < counts.length; b++) bins.push({ from: edge(first + b), to: edge(first + b + 1), count: counts[b]!, contended: contendedCounts[b]! });
  }
  const perCall = new Map<string, number[]>();
  for (const q of quotes) {
    const fn = p.fnName(q.index);
    let list = perCall.get(fn);
    if (list === undefined) perCall.set(fn, (list = []));
    list.push(q.multiplier);
  }
  const byCall = Array.from(perCall, ([fn, list]): CallPrice => {
    list.sort((a, b) => a - b);
    return { fn, count: list.length, median: median(list), min: list[0]!, max: list[list.length - 1]! };
  }).sort((a, b) => b.count - a.count || (a.fn < b.fn ? -1 : 1));
  const byClass = new Map<string, { fn: string; multiplier: number; fees: bigint[]; contendedGas: number; critical: boolean; txs: number[] }>();
  for (const q of quotes) {
    const fn = p.fnName(q.index);
    const key = `${fn}\u0000${q.multiplier}`;
    let group = byClass.get(key);
    if (group === undefined) byClass.set(key, (group = { fn, multiplier: q.multiplier, fees: [], contendedGas: 0, critical: false, txs: [] }));
    group.fees.push(q.fee);
    group.contendedGas = Math.max(group.contendedGas, q.contendedGas);
    group.critical ||= q.critical;
    if (group.txs.length < 8) group.txs.push(q.index);
  }
  const groups = Array.from(byClass.values())
    .sort((a, b) => b.multiplier - a.multiplier || b.fees.length - a.fees.length || (a.fn < b.fn ? -1 : a.fn > b.fn ? 1 : 0))
    .slice(0, p.groupCount ?? 12)
    .map((g): PriceGroup => {
      const fees = g.fees.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return { fn: g.fn, multiplier: g.multiplier, count: fees.length, medianFee: fees[(fees.length - 1) >> 1]!.toString(), contendedGas: g.contendedGas, critical: g.critical, txs: g.txs };
    });
  const ratio = p.flatFee > 0n ? Number((p.totalFee * 1_000_000n) / p.flatFee) / 1_000_000 : 1;
  return {
    baseFee: p.baseFee.toString(),
    flatFee: p.flatFee.toString(),
    totalFee: p.totalFee.toString(),
    ratio,
    contended,
    critical,
    discounted,
    bins,
    byCall,
    groups,
  };
}
