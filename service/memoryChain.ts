/**
 * A chain held in memory: a `ParallelExecutor` keeps its worker pool and its shared state from one
 * block to the next, so each committed block is the pre-state of the next. Restarting the process
 * starts again from the genesis.
 */
import type { ExecutionMode, Genesis } from "../core/types.js";
import type { ContractRuntime } from "../contracts/runtime/runtime.js";
import { analyzeBlockAccessSets } from "../executor/accessSets.js";
import { ParallelExecutor } from "../executor/parallel/parallelExecutor.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { withAccountContract } from "../state/genesis.js";
import type { SharedState } from "../state/sharedState.js";
import type { ChainHead, ServiceCommitParameters, ServiceCommitReturnType, ServiceChain } from "./chain.js";

export interface CreateMemoryChainParameters {
  readonly genesis: Genesis;
  /** The directory relative contract paths of the genesis resolve against. */
  readonly baseDir: string;
  /** The genesis file, for error messages. */
  readonly file?: string;
  /** Executor (default `hybrid`). */
  readonly mode?: ExecutionMode;
  /** Worker threads of the parallel modes (default 2; the sequential mode uses none). */
  readonly threads?: number;
  /** Most distinct locations the state can hold (see SharedState). */
  readonly capacity?: number;
}

export class MemoryChain implements ServiceChain {
  readonly mode: ExecutionMode;
  readonly #executor: ParallelExecutor;
  #head: ChainHead;

  private constructor(executor: ParallelExecutor, mode: ExecutionMode) {
    this.#executor = executor;
    this.mode = mode;
    this.#head = { number: 0n, stateRoot: executor.state.root() };
  }

  static async create(parameters: CreateMemoryChainParameters): Promise<MemoryChain> {
    const mode = parameters.mode ?? "hybrid";
    const executor = await ParallelExecutor.create({
      genesis: withAccountContract(parameters.genesis),
      baseDir: parameters.baseDir,
      threads: mode === "sequential" ? 1 : (parameters.threads ?? 2),
      ...(parameters.file !== undefined ? { file: parameters.file } : {}),
      ...(parameters.capacity !== undefined ? { capacity: parameters.capacity } : {}),
    });
    return new MemoryChain(executor, mode);
  }

  get head(): ChainHead {
    return this.#head;
  }

  get runtime(): ContractRuntime {
    return this.#executor.runtime;
  }

  get state(): SharedState {
    return this.#executor.state;
  }

  get threads(): number {
    return this.#executor.threads;
  }

  async commit({ block, prepared, enforce, checkSignatures }: ServiceCommitParameters): Promise<ServiceCommitReturnType> {
    const state = this.#executor.state;
    // The executors leave nothing half-applied when a worker fails, but any other error (a full
    // state, a bug) could: the pre-block values come back and the head stays where it was.
    const before = state.snapshotValues();
    try {
      if (this.mode === "sequential") {
        const sets = await analyzeBlockAccessSets({ block, prepared, runtime: this.runtime, state, checkSignatures, enforce });
        const result = executeBlockSequential({ block, state, runtime: this.runtime, prepared, enforce, checkSignatures, events: false });
        this.#head = { number: block.number, stateRoot: result.stateRoot };
        return { result, sets };
      }
      const loaded = await this.#executor.load({ block, prepared, checkSignatures });
      const result = await this.#executor.execute({ block: loaded, mode: this.mode, enforce });
      this.#head = { number: block.number, stateRoot: result.stateRoot };
      return { result, sets: loaded.sets, graph: loaded.graph, ...(result.workerFailure !== undefined ? { workerFailure: result.workerFailure } : {}) };
    } catch (error) {
      state.restoreValues(before);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#executor.close();
  }
}
