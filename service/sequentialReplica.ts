/**
 * A second copy of the chain's state that every committed block also runs on, with the
 * sequential executor: the measured baseline of the speedup metrics, and a check that the
 * executor the service runs gives the sequential state root on every block. It doubles the work
 * per block, so it is opt-in (`--measure-sequential`).
 */
import type { Block, EnforcementPolicy } from "../core/types.js";
import type { ContractRuntime } from "../contracts/runtime/runtime.js";
import type { PreparedTx } from "../executor/prepare.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { SharedState } from "../state/sharedState.js";
import type { StateStore } from "../state/state.js";

export interface ReplayBlockParameters {
  readonly block: Block;
  readonly prepared: readonly PreparedTx[];
  readonly enforce: EnforcementPolicy;
  readonly checkSignatures: boolean;
}

export interface ReplayBlockReturnType {
  readonly wallMs: number;
  readonly stateRoot: string;
}

export class SequentialReplica {
  readonly #state: SharedState;
  readonly #runtime: ContractRuntime;

  /** A replica of `state` (the chain's committed state, read between commits). */
  constructor(state: StateStore, runtime: ContractRuntime, capacity?: number) {
    // The same representation the chain's executors use, so the ratio compares executors only.
    this.#state = SharedState.fromEntries(state.entries(), capacity !== undefined ? { capacity } : {});
    this.#runtime = runtime;
  }

  replay({ block, prepared, enforce, checkSignatures }: ReplayBlockParameters): ReplayBlockReturnType {
    const result = executeBlockSequential({ block, state: this.#state, runtime: this.#runtime, prepared, enforce, checkSignatures, events: false });
    return { wallMs: result.stats.wallMs, stateRoot: result.stateRoot };
  }
}
