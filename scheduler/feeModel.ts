/**
 * Parameters of the parallelism-aware fee model (see pricing.ts for the formula). Defaults are
 * chosen for Ethereum-sized blocks (10–30 Mgas, 21k–300k gas per transaction).
 */
export interface FeeModelParameters {
  /**
   * Gas of writes one location may take per block before its congestion multiplier rises
   * (cf. Solana's per-writable-account CU limit, 12M of a 48M block, and Sui's per-object
   * congestion budget). Default 1,500,000: about ten swaps on one pool.
   */
  readonly locationGasTarget: number;
  /** Largest relative change of a location multiplier per block (EIP-1559's 1/8). */
  readonly congestionAdjustment: number;
  /** Upper bound of a location's carried congestion multiplier (lower bound is 1). */
  readonly maxLocationMultiplier: number;
  /** Weight of in-block contention: up to ×(1 + weight) when the conflicting gas reaches the target. */
  readonly contentionWeight: number;
  /** Surcharge for a transaction on the block's bottleneck chain: ×(1 + surcharge). */
  readonly criticalSurcharge: number;
  /** A contended transaction is on the bottleneck chain when its serial gas ≥ this share of the block's largest. */
  readonly criticalFraction: number;
  /** Factor for an `exact` transaction with no conflict in the block (the parallelism discount). */
  readonly parallelDiscount: number;
  /** Factor for `over-approximate` access sets (they cost parallelism). */
  readonly overApproximateFactor: number;
  /** Factor for `unknown` access sets (the executor must discover them and may re-execute). */
  readonly unknownFactor: number;
  /** Bounds of every transaction's multiplier: the block fee stays within [min, max] × flat fee. */
  readonly minMultiplier: number;
  readonly maxMultiplier: number;
}

export const DEFAULT_FEE_MODEL: FeeModelParameters = Object.freeze({
  locationGasTarget: 1_500_000,
  congestionAdjustment: 0.125,
  maxLocationMultiplier: 4,
  contentionWeight: 1,
  criticalSurcharge: 0.25,
  criticalFraction: 0.5,
  parallelDiscount: 0.8,
  overApproximateFactor: 1.1,
  unknownFactor: 1.25,
  minMultiplier: 0.8,
  maxMultiplier: 8,
});

export function feeModel(overrides: Partial<FeeModelParameters> = {}): FeeModelParameters {
  const p = { ...DEFAULT_FEE_MODEL, ...overrides };
  if (!(p.locationGasTarget > 0)) throw new RangeError("locationGasTarget must be > 0");
  if (!(p.minMultiplier > 0 && p.minMultiplier <= p.maxMultiplier)) throw new RangeError("need 0 < minMultiplier ≤ maxMultiplier");
  if (!(p.maxLocationMultiplier >= 1)) throw new RangeError("maxLocationMultiplier must be ≥ 1");
  if (!(p.congestionAdjustment >= 0 && p.congestionAdjustment < 1)) throw new RangeError("congestionAdjustment must be in [0, 1)");
  return p;
}
