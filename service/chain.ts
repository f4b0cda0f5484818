/**
 * What the service runs blocks on: prescient's `Chain` (in memory from a genesis, or kept in a
 * state directory), or anything with the same shape — a test puts a probe in front of one.
 * `ChainHandle` is the only caller, and commits one block at a time.
 */
import type { Value } from "../core/types.js";
import type { ContractRuntime } from "../contracts/runtime/runtime.js";
import type { ChainHead, CommitBlockParameters, CommitBlockReturnType } from "../chain/chain.js";
import type { StateStore } from "../state/state.js";

export interface ServiceChain {
  /** The last committed block (number 0 and the genesis root before the first). */
  readonly head: ChainHead;
  readonly runtime: ContractRuntime;
  /** The state at the head; consistent between commits. */
  readonly state: StateStore;
  /** Worker threads the parallel modes run on. */
  readonly threads: number;
  /** A location's value at the head. */
  get(location: string): Value | undefined;
  /** Execute a block numbered head + 1 and commit it: all of it, or (when this throws) nothing. */
  commitBlock(parameters: CommitBlockParameters): Promise<CommitBlockReturnType>;
  close(): Promise<void>;
}
