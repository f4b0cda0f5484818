/**
 * Per-location congestion carried from block to block, EIP-1559 style but per location instead
 * of per chain. After each block, every location's multiplier moves by at most
 * `congestionAdjustment` (1/8) toward demand:
 *
 *     m' = clamp(m × (1 + adjustment × clamp((writeGas − target) / target, −1, 1)), 1, maxLocationMultiplier)
 *
 * so a location kept over target for b blocks costs up to (9/8)^b more (capped), and decays by up
 * to 7/8 per block once demand falls under target, back to 1 where it is forgotten. Only writes
 * count: concurrent readers never serialize each other.
 *
 * Compared with Solana's per-writable-account CU limit (a hard cap: transactions over it wait for
 * the next block) and Sui's per-object congestion budget (transactions over it are deferred), the
 * price rises smoothly instead and nothing is refused: the sequencer can still include a hot
 * transaction, the price makes the serial resource scarce.
 */

import { z } from "zod";
import type { BlockAccessSets } from "../core/accessSet.js";
import { InputError } from "../core/errors.js";
import { DEFAULT_FEE_MODEL, type FeeModelParameters } from "./feeModel.js";
import { measureDemand, type BlockDemand } from "./locationDemand.js";

export const CONGESTION_STATE_FORMAT = "congestion-state/v1";

export interface CongestionStateJson {
  readonly format: typeof CONGESTION_STATE_FORMAT;
  /** Blocks folded in so far. */
  readonly blocks: number;
  /** Multiplier per location, > 1 only (absent = 1), keys sorted. */
  readonly multipliers: Record<string, number>;
}

const congestionStateSchema = z.object({
  format: z.literal(CONGESTION_STATE_FORMAT),
  blocks: z.number().int().nonnegative(),
  multipliers: z.record(z.string(), z.number().min(1)),
});

export class CongestionState {
  readonly blocks: number;
  readonly #multipliers: ReadonlyMap<string, number>;

  constructor(multipliers: ReadonlyMap<string, number> = new Map(), blocks = 0) {
    this.#multipliers = multipliers;
    this.blocks = blocks;
  }

  static empty(): CongestionState {
    return new CongestionState();
  }

  /** The multiplier of a location (1 when it has not been congested recently). */
  multiplier(location: string): number {
    return this.#multipliers.get(location) ?? 1;
  }

  get size(): number {
    return this.#multipliers.size;
  }

  /** Folds one block's write demand in; returns the state for the next block. */
  next(block: BlockAccessSets | BlockDemand, parameters: FeeModelParameters = DEFAULT_FEE_MODEL): CongestionState {
    const demand = "byLocation" in block ? block : measureDemand(block);
    const target = parameters.locationGasTarget;
    const out = new Map<string, number>();
    const update = (location: string, writeGas: number): void => {
      const m = this.multiplier(location);
      const pressure = Math.min(1, Math.max(-1, (writeGas - target) / target));
      const next = Math.min(parameters.maxLocationMultiplier, Math.max(1, m * (1 + parameters.congestionAdjustment * pressure)));
      if (next > 1) out.set(location, next);
    };
    for (const [location, d] of demand.byLocation) update(location, d.writeGas);
    for (const location of this.#multipliers.keys()) {
      if (!demand.byLocation.has(location)) update(location, 0);
    }
    return new CongestionState(out, this.blocks + 1);
  }

  toJSON(): CongestionStateJson {
    const multipliers: Record<string, number> = {};
    for (const key of [...this.#multipliers.keys()].sort()) multipliers[key] = this.#multipliers.get(key)!;
    return { format: CONGESTION_STATE_FORMAT, blocks: this.blocks, multipliers };
  }

  static fromJSON(json: unknown, file = "congestion state"): CongestionState {
    const result = congestionStateSchema.safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new InputError(issue?.message ?? "invalid congestion state", {
        file,
        field: (issue?.path ?? []).map(String).join(".") || "(root)",
      });
    }
    return new CongestionState(new Map(Object.entries(result.data.multipliers)), result.data.blocks);
  }
}
