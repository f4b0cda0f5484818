/**
 * The service's one way onto its chain. Block commits go through a queue one at a time, so
 * concurrent requests never interleave two commits; each block is numbered when its turn comes
 * (head + 1), or refused when it names another number. After each commit the handle carries the
 * congestion state the fee quotes of the next blocks start from, and feeds the metrics.
 */
import type { Address, Block, ExecutionMode, ExecutionResult, Value } from "../core/types.js";
import { analyzeBlockAccessSets } from "../executor/accessSets.js";
import type { PreparedTx } from "../executor/prepare.js";
import { buildConflictGraph } from "../scheduler/conflictGraph.js";
import { CongestionState } from "../scheduler/congestionState.js";
import { listScheduleMakespan } from "../scheduler/listSchedule.js";
import type { EnforcementPolicy } from "../core/types.js";
import { summarizeReceipts } from "../cli/output.js";
import type { ChainHead } from "../chain/chain.js";
import type { ServiceChain } from "./chain.js";
import { CommitQueue } from "./commitQueue.js";
import { BlockNumberConflictError } from "./errors.js";
import type { ServiceMetrics } from "./metrics.js";
import type { ServiceLogger } from "./logging.js";
import { SequentialReplica } from "./sequentialReplica.js";

/** A block as a client sends it: the number may be left to the service. */
export interface BlockRequest {
  readonly number?: bigint;
  readonly timestamp: bigint;
  readonly sequencer: Address;
  readonly baseFee: bigint;
  readonly txs: Block["txs"];
}

export interface ChainHandleParameters {
  readonly chain: ServiceChain;
  /** The executor every block runs with. */
  readonly mode: ExecutionMode;
  readonly enforce: EnforcementPolicy;
  readonly checkSignatures: boolean;
  readonly metrics: ServiceMetrics;
  /** Also run every block on a sequential replica of the state (measured speedup, root check). */
  readonly measureSequential?: boolean;
  /** Where each committed block is logged (info), and problems (a failed worker, a root mismatch). */
  readonly log?: ServiceLogger;
}

export interface CommittedBlock {
  readonly number: bigint;
  readonly result: ExecutionResult;
  /** The scheduler's projected speedup of this block at the executor's thread count. */
  readonly projectedSpeedup: number;
  /** The sequential replica's run of the same block (with `measureSequential`). */
  readonly sequential?: { readonly wallMs: number; readonly stateRoot: string; readonly speedup: number };
  readonly workerFailure?: string;
}

export interface StateRead {
  /** The head the value was read at. */
  readonly number: bigint;
  readonly value: Value | undefined;
}

export class ChainHandle {
  readonly chain: ServiceChain;
  readonly #queue = new CommitQueue();
  readonly #parameters: ChainHandleParameters;
  readonly #replica: SequentialReplica | undefined;
  #congestion = CongestionState.empty();
  #closed = false;

  constructor(parameters: ChainHandleParameters) {
    this.chain = parameters.chain;
    this.#parameters = parameters;
    this.#replica = parameters.measureSequential === true ? new SequentialReplica(parameters.chain.state, parameters.chain.runtime) : undefined;
  }

  get head(): ChainHead {
    return this.chain.head;
  }

  get mode(): ExecutionMode {
    return this.#parameters.mode;
  }

  /** Threads a block runs on: the chain's workers, or 1 for the sequential executor. */
  get threads(): number {
    return this.#parameters.mode === "sequential" ? 1 : this.chain.threads;
  }

  /** Congestion after the head: what the fee quotes of the next block start from. */
  get congestion(): CongestionState {
    return this.#congestion;
  }

  /** Commits and reads waiting for their turn, the running one included. */
  get queueDepth(): number {
    return this.#queue.depth;
  }

  /**
   * Execute `block` on the head and commit it, after every block submitted before it. A block
   * that names a number other than head + 1 when its turn comes is refused and commits nothing.
   */
  submit(block: BlockRequest, prepared: readonly PreparedTx[]): Promise<CommittedBlock> {
    return this.#queue.run(async () => {
      if (this.#closed) throw new Error("the chain is closed");
      const next = this.chain.head.number + 1n;
      if (block.number !== undefined && block.number !== next) throw new BlockNumberConflictError(block.number, next);
      const numbered: Block = { ...block, number: next };
      const { mode, enforce, checkSignatures } = this.#parameters;
      // The sets the parallel modes schedule with, made once here: they also give the block's
      // projected speedup and the congestion the next blocks' fee quotes start from.
      const sets = await analyzeBlockAccessSets({ block: numbered, prepared, runtime: this.chain.runtime, state: this.chain.state, checkSignatures, enforce });
      const { result } = await this.chain.commitBlock({ block: numbered, prepared, sets, mode, enforce, checkSignatures });
      const workerFailure = (result as { workerFailure?: string }).workerFailure;
      const graph = buildConflictGraph(sets);
      let gas = 0;
      for (let i = 0; i < graph.txCount; i++) gas += graph.gas[i]!;
      const makespan = listScheduleMakespan(graph, this.threads);
      const projectedSpeedup = makespan > 0 ? gas / makespan : 1;
      this.#congestion = this.#congestion.next(sets);
      let sequential: CommittedBlock["sequential"];
      if (this.#replica !== undefined) {
        const replayed = this.#replica.replay({ block: numbered, prepared, enforce, checkSignatures });
        sequential = { ...replayed, speedup: replayed.wallMs / Math.max(result.stats.wallMs, 1e-6) };
        if (replayed.stateRoot !== result.stateRoot) {
          this.#parameters.log?.error({ block: next.toString(), stateRoot: result.stateRoot, sequentialStateRoot: replayed.stateRoot }, `block ${next}: state root ${result.stateRoot} differs from the sequential replica's ${replayed.stateRoot}`);
        }
      }
      const txs = summarizeReceipts(result.receipts);
      this.#parameters.metrics.recordBlock({
        txs,
        gasUsed: result.receipts.reduce((sum, r) => sum + r.gasUsed, 0),
        wallMs: result.stats.wallMs,
        executions: result.stats.executions,
        validations: result.stats.validations,
        aborts: result.stats.aborts,
        violations: result.stats.violations,
        projection: { gas, makespan },
        ...(sequential !== undefined ? { sequential: { wallMs: sequential.wallMs, rootMatches: sequential.stateRoot === result.stateRoot } } : {}),
        workerFailure: workerFailure !== undefined,
      });
      if (workerFailure !== undefined) this.#parameters.log?.warn({ block: next.toString(), workerFailure }, `block ${next}: a worker failed (${workerFailure}); the block ran on the calling thread`);
      this.#parameters.log?.info(
        {
          block: next.toString(),
          txs: result.receipts.length,
          receipts: txs,
          stateRoot: result.stateRoot,
          mode: result.stats.mode,
          threads: result.stats.threads,
          wallMs: Math.round(result.stats.wallMs * 1000) / 1000,
          projectedSpeedup: Math.round(projectedSpeedup * 1000) / 1000,
          ...(sequential !== undefined ? { sequentialMs: Math.round(sequential.wallMs * 1000) / 1000, speedup: Math.round(sequential.speedup * 1000) / 1000 } : {}),
        },
        `block ${next}: ${result.receipts.length} txs (${txs.success} success, ${txs.revert} revert, ${txs["out-of-gas"]} out-of-gas, ${txs.invalid} invalid), ` +
          `root ${result.stateRoot}, ${result.stats.mode} on ${result.stats.threads} thread(s) ${result.stats.wallMs.toFixed(1)} ms` +
          (sequential !== undefined ? `, sequential ${sequential.wallMs.toFixed(1)} ms (${sequential.speedup.toFixed(2)}×)` : ""),
      );
      return {
        number: next,
        result,
        projectedSpeedup,
        ...(sequential !== undefined ? { sequential } : {}),
        ...(workerFailure !== undefined ? { workerFailure: workerFailure } : {}),
      };
    });
  }

  /** A location's committed value, read after every block submitted before this call. */
  read(location: string): Promise<StateRead> {
    return this.#queue.run(() => ({ number: this.chain.head.number, value: this.chain.get(location) }));
  }

  /** Wait for the queued commits, then release the chain. */
  async close(): Promise<void> {
    await this.#queue.run(() => {
      this.#closed = true;
    });
    await this.chain.close();
  }
}
