/**
 * What the service runs blocks on: a chain with a head, a deployed runtime and a committed state.
 * The in-memory chain (`MemoryChain`) is one; a persistent store can be another. A chain commits
 * one block per call and is not safe to call concurrently: `ChainHandle` serialises every commit.
 */
import type { BlockAccessSets } from "../core/accessSet.js";
import type { Block, EnforcementPolicy, ExecutionMode, ExecutionResult } from "../core/types.js";
import type { ContractRuntime } from "../contracts/runtime/runtime.js";
import type { PreparedTx } from "../executor/prepare.js";
import type { ConflictGraph } from "../scheduler/conflictGraph.js";
import type { StateStore } from "../state/state.js";

export interface ChainHead {
  /** The last committed block's number; 0 before the first block (the genesis). */
  readonly number: bigint;
  readonly stateRoot: string;
}

export interface ServiceCommitParameters {
  /** The block, numbered head + 1. */
  readonly block: Block;
  readonly prepared: readonly PreparedTx[];
  readonly enforce: EnforcementPolicy;
  readonly checkSignatures: boolean;
}

export interface ServiceCommitReturnType {
  readonly result: ExecutionResult;
  /** The access sets the block was scheduled with. */
  readonly sets: BlockAccessSets;
  /** Their conflict DAG, when the executor built one. */
  readonly graph?: ConflictGraph;
  /** Set when a worker failed mid-block and the block was re-run on the calling thread. */
  readonly workerFailure?: string;
}

export interface ServiceChain {
  readonly head: ChainHead;
  readonly runtime: ContractRuntime;
  /** The committed state; only consistent between commits. */
  readonly state: StateStore;
  readonly mode: ExecutionMode;
  /** Threads a block runs on (1 for the sequential executor). */
  readonly threads: number;
  /** Execute a block on the head and commit it: all of it, or, when this throws, nothing. */
  commit(parameters: ServiceCommitParameters): Promise<ServiceCommitReturnType>;
  close(): Promise<void>;
}
