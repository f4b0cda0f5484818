/**
 * A deterministic, parallelism-aware fee quote. Every transaction pays
 *
 *     fee = baseFee × gas × multiplier,   multiplier ∈ [minMultiplier, maxMultiplier]
 *
 *     multiplier = clamp( congestion × (1 + contentionWeight × min(1, contendedGas / target))
 *                         × (critical ? 1 + criticalSurcharge : 1) × classFactor,
 *                         minMultiplier, maxMultiplier )
 *
 * - `congestion`: the largest carried multiplier (CongestionState, from earlier blocks) among the
 *   locations the transaction reads or writes.
 * - `contendedGas`: gas of the *other* transactions of the block it conflicts with on its most
 *   contended location (for a written location: every other accessor; for a read-only one: the
 *   writers). A transaction that reaches the fee recipient directly conflicts with the whole block.
 * - `critical`: the transaction is contended and its serial gas — the gas of the chain every
 *   ordering must run serially through its hottest location (all writers of a written location;
 *   those writers plus itself for a read one) — is at least `criticalFraction` of the block's
 *   largest. That chain is a lower bound of the DAG's critical path in *every* ordering of the
 *   block, which keeps quotes independent of arrival order (the DAG's own critical path is not).
 *   In the spirit of the ethresear.ch "sequential block gas limit" idea, it is the scarce resource.
 * - `classFactor`: `parallelDiscount` (< 1) for an `exact` transaction with no conflict at all —
 *   the one a parallel executor runs for free (cf. EIP-648) —, 1 for other exact ones,
 *   `overApproximateFactor` / `unknownFactor` for less trustworthy sets.
 *
 * Everything is computed from the multiset of accesses (sums over transactions), so permuting the
 * block leaves every quote unchanged. Multipliers are rounded to basis points and fees computed in
 * bigint, so quotes are reproducible across machines. Since each multiplier lies in
 * [minMultiplier, maxMultiplier], the block's total fee lies in [min, max] × the flat fee
 * Σ baseFee × gas (up to one unit of rounding down per transaction).
 */

import type { BlockAccessSets } from "../core/accessSet.js";
import { CongestionState } from "./congestionState.js";
import { DEFAULT_FEE_MODEL, type FeeModelParameters } from "./feeModel.js";
import { measureDemand, type BlockDemand } from "./locationDemand.js";

export interface TxQuote {
  readonly index: number;
  /** The fee multiplier, rounded to basis points. */
  readonly multiplier: number;
  /** baseFee × multiplier, rounded down (decimal string in JSON). */
  readonly feePerGas: bigint;
  /** baseFee × gas × multiplier, rounded down. */
  readonly fee: bigint;
  readonly congestion: number;
  readonly contendedGas: number;
  readonly critical: boolean;
}

export interface BlockQuote {
  readonly quotes: readonly TxQuote[];
  /** Σ baseFee × gas. */
  readonly flatFee: bigint;
  readonly totalFee: bigint;
  /** The order-independent bottleneck: the largest serial gas of any transaction. */
  readonly bottleneckGas: number;
}

const BASIS_POINTS = 10_000;

export function quoteBlock(
  sets: BlockAccessSets,
  options: {
    readonly baseFee?: bigint;
    readonly congestion?: CongestionState;
    readonly parameters?: FeeModelParameters;
    readonly demand?: BlockDemand;
  } = {},
): BlockQuote {
  const baseFee = options.baseFee ?? 1n;
  const congestionState = options.congestion ?? CongestionState.empty();
  const p = options.parameters ?? DEFAULT_FEE_MODEL;
  const demand = options.demand ?? measureDemand(sets);
  const { byLocation, writeKeys, readOnlyKeys, totalGas } = demand;
  const n = sets.txs.length;

  const contended = new Float64Array(n);
  const serial = new Float64Array(n);
  const congestion = new Float64Array(n);
  let bottleneckGas = 0;
  for (let k = 0; k < n; k++) {
    const tx = sets.txs[k]!;
    let c = 0;
    let s = tx.gas;
    let m = 1;
    for (const key of writeKeys[k]!) {
      const d = byLocation.get(key)!;
      c = Math.max(c, d.writeGas + d.readOnlyGas - tx.gas);
      s = Math.max(s, d.writeGas);
      m = Math.max(m, congestionState.multiplier(key));
    }
    for (const key of readOnlyKeys[k]!) {
      const d = byLocation.get(key)!;
      c = Math.max(c, d.writeGas);
      if (d.writeGas > 0) s = Math.max(s, d.writeGas + tx.gas);
      m = Math.max(m, congestionState.multiplier(key));
    }
    // Reaching the fee recipient beyond the credit orders it against every other transaction.
    if (tx.feeRecipient !== "none") c = Math.max(c, totalGas - tx.gas);
    contended[k] = c;
    serial[k] = s;
    congestion[k] = m;
    if (s > bottleneckGas) bottleneckGas = s;
  }

  const quotes: TxQuote[] = [];
  let flatFee = 0n;
  let totalFee = 0n;
  for (let k = 0; k < n; k++) {
    const tx = sets.txs[k]!;
    const c = contended[k]!;
    const critical = c > 0 && serial[k]! >= p.criticalFraction * bottleneckGas;
    const classFactor =
      tx.class === "exact" ? (c === 0 ? p.parallelDiscount : 1) : tx.class === "over-approximate" ? p.overApproximateFactor : p.unknownFactor;
    const raw =
      congestion[k]! *
      (1 + p.contentionWeight * Math.min(1, c / p.locationGasTarget)) *
      (critical ? 1 + p.criticalSurcharge : 1) *
      classFactor;
    const clamped = Math.min(p.maxMultiplier, Math.max(p.minMultiplier, raw));
    // Rounding inside the bounds: round, then clamp again to the bounds' own basis points.
    const bps = Math.min(Math.floor(p.maxMultiplier * BASIS_POINTS), Math.max(Math.ceil(p.minMultiplier * BASIS_POINTS), Math.round(clamped * BASIS_POINTS)));
    const gas = BigInt(Math.round(tx.gas));
    const fee = (baseFee * gas * BigInt(bps)) / BigInt(BASIS_POINTS);
    flatFee += baseFee * gas;
    totalFee += fee;
    quotes.push({
      index: tx.index,
      multiplier: bps / BASIS_POINTS,
      feePerGas: (baseFee * BigInt(bps)) / BigInt(BASIS_POINTS),
      fee,
      congestion: congestion[k]!,
      contendedGas: c,
      critical,
    });
  }
  return { quotes, flatFee, totalFee, bottleneckGas };
}
