/**
 * The parallel executor: `hybrid` (the conflict DAG drives a pool of workers; each transaction is
 * released the moment its predecessors commit) and `columns` (the DAG's columns run one after
 * another, a barrier between them). Both run every transaction under its schedule guard and give
 * exactly the sequential result.
 *
 * Recovery, when a transaction v touches a location outside its scheduled set (a wrong or missing
 * declared list under `fallback`): the round stops; every transaction after v that committed is
 * rolled back, newest commit first, which restores the state as of "everything before v that
 * committed"; then the uncommitted transactions before v run (in parallel, recursively), v runs
 * alone on the main thread with nothing racing it, and the rest run in parallel again. Only
 * transactions after v pay, and only those that had already run — one violation never sends the
 * whole block sequential.
 */
import { Piscina } from "piscina";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { BlockAccessSets } from "../../core/accessSet.js";
import { packageRoot } from "../../core/paths.js";
import { balanceLocation } from "../../core/protocol.js";
import type { Block, EnforcementPolicy, ExecutionResult, Genesis, Receipt } from "../../core/types.js";
import { ContractRuntime } from "../../contracts/runtime/runtime.js";
import { buildConflictGraph, computeColumns, gasBottomLevels, listScheduleMakespan, type ConflictGraph } from "../../scheduler/index.js";
import { SharedState } from "../../state/sharedState.js";
import { stateFromGenesis } from "../../state/genesis.js";
import { analyzeBlockAccessSets, withDeclaredLists } from "../accessSets.js";
import { prepareBlock, type PreparedTx } from "../prepare.js";
import { executeBlockSequential } from "../sequential.js";
import { BlockView, H, createBlockBuffers, type BlockBuffers } from "./blockBuffers.js";
import { encodeBlock, encodeSets } from "./blockCodec.js";
import { BlockThread, applyUndo, type EngineOptions, type ReceiptExtra, type ReleasePolicy, type UndoRecord } from "./engine.js";
import { SessionEnded, WorkerSessions, waitAsync } from "./sessions.js";
import type { BlockPayload, BlockStmResult, BlockStmTask, FailedReply, LoadResult, LoadTask, RoundResult, RoundTask, WorkerData } from "./task.js";
import { BlockStmThread, StmCapacityError, createStmBuffers, createStmLocationTable, initStmHeader, type StmExtra } from "./blockstm.js";
import { runsInline } from "./inlineRule.js";
import { SYNC, callingThreadHook, withThreadHook, type ExecutorTestHook } from "./testHook.js";
import { assembleActivity, type ExecutionActivity, type ThreadRecords } from "../activity.js";

export type ParallelMode = "hybrid" | "columns" | "blockstm";

export interface CreateParallelExecutorParameters {
  readonly genesis: Genesis;
  readonly baseDir: string;
  /** Worker threads (>= 1). */
  readonly threads: number;
  readonly file?: string;
  /** State capacity in locations (see SharedState). */
  readonly capacity?: number;
  /**
   * The state to execute on (default: the genesis' state in a fresh SharedState). Over an LMDB
   * base, each worker opens the same directory read-only and fills locations from it.
   */
  readonly state?: SharedState;
  /** The contracts already deployed from `genesis` on this thread (default: deployed here). */
  readonly runtime?: ContractRuntime;
}

export interface LoadParallelBlockParameters {
  readonly block: Block;
  /** Verify signatures (default true); part of loading because it changes the access sets. */
  readonly checkSignatures?: boolean;
  readonly prepared?: readonly PreparedTx[];
  /** The access sets to schedule with (default: the analyzer's; declared lists are added, see withDeclaredLists). */
  readonly sets?: BlockAccessSets;
  readonly file?: string;
}

/** A block decoded and prepared on every thread, with its conflict DAG: ready to execute, repeatedly. */
export interface LoadedParallelBlock {
  readonly id: number;
  readonly block: Block;
  readonly prepared: readonly PreparedTx[];
  readonly sets: BlockAccessSets;
  readonly graph: ConflictGraph;
  readonly columnOf: Int32Array;
  /**
   * The transactions by the gas of the heaviest path of the DAG that starts with each (its
   * bottom level), heaviest first, ties by index: the order a round starts its ready
   * transactions in (see #prepareRound). Sorted once here, not per round.
   */
  readonly startOrder: Int32Array;
  readonly payload: BlockPayload;
  readonly mainThread: BlockThread;
  /** Time spent loading: preparing, building the DAG, and the workers decoding the block. */
  readonly loadMs: number;
}

export interface ExecuteParallelParameters {
  /** A block loaded with `load`, or a block to load first (its load time is not in wallMs). */
  readonly block: Block | LoadedParallelBlock;
  readonly mode?: ParallelMode;
  readonly enforce?: EnforcementPolicy;
  readonly checkSignatures?: boolean;
  readonly events?: boolean;
  readonly prepared?: readonly PreparedTx[];
  /** The access sets to schedule a block that is not loaded yet with (default: the analyzer's). */
  readonly sets?: BlockAccessSets;
  readonly file?: string;
  /**
   * Run inline on the calling thread when the projected speedup at this many threads is below
   * this (hybrid only; default 1.15): a block with no parallelism should not pay for threads.
   */
  readonly inlineBelowSpeedup?: number;
  /** @internal Tests only: injected worker faults and a turnstile over the threads (testHook.ts). */
  readonly testHook?: ExecutorTestHook;
  /**
   * Record every execution attempt and validation per thread, with its times, in the result's
   * `activity` (what a report's Gantt chart shows). Off by default: it costs two clock reads per
   * attempt.
   */
  readonly activity?: boolean;
  /**
   * Called about ten times a second while the block runs, with how many transactions have
   * committed (Block-STM: executed), and once at the end. For progress bars; never per transaction.
   */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface TimelineEntry {
  readonly tx: number;
  readonly thread: number;
  readonly startMs: number;
  readonly endMs: number;
}

export interface ParallelExecutionResult extends ExecutionResult {
  /** Which thread ran each transaction, and when (built on demand: it is a 10⁵-object array). */
  readonly timeline: () => readonly TimelineEntry[];
  /** Whether the block ran inline because it had no parallelism to use. */
  readonly inline: boolean;
  readonly rounds: number;
  readonly loadMs: number;
  /** Set when a worker failed mid-block and the block was re-run on the calling thread. */
  readonly workerFailure?: string;
  /** Per thread, every attempt and validation (when `activity` was asked for). */
  readonly activity?: ExecutionActivity;
}

/** The file each pool worker loads: a CommonJS entry that imports worker.js (workerEntry.cts says why). */
export const workerEntryFile = (): string => join(packageRoot(), "dist", "executor", "parallel", "workerEntry.cjs");

function isLoaded(block: Block | LoadedParallelBlock): block is LoadedParallelBlock {
  return (block as LoadedParallelBlock).payload !== undefined;
}

export class ParallelExecutor {
  readonly threads: number;
  readonly state: SharedState;
  readonly runtime: ContractRuntime;
  readonly #pool: Piscina | undefined;
  /** One session per worker of the pool (see sessions.ts); undefined at one thread. */
  readonly #sessions: WorkerSessions | undefined;
  /**
   * Whether this executor's threads fit the machine's cores. Only then does a thread spin while it
   * waits for another (a wake through the kernel costs ~50–100 µs here): with more threads than
   * cores, the spinner takes the core the thread it waits for needs.
   */
  readonly #spins: boolean;
  #blockId = 0;
  #executionId = 0;
  /**
   * Milliseconds of single-thread work per unit of gas, learned from this executor's own runs
   * (undefined until the first). It prices a block before it runs: when the work parallelism can
   * save is below what starting a round costs, the block runs inline.
   */
  #msPerGas: number | undefined;
  /** Block-STM's per-location table (locks and version lists), made on first use. */
  #stmLocations: SharedArrayBuffer | undefined;
  /** Block-STM's view of each loaded block on this thread (used at one thread, and to finish). */
  readonly #stmThreads = new WeakMap<LoadedParallelBlock, BlockStmThread>();
  /**
   * Each loaded block's gas and projected speedup at this executor's thread count: a list
   * schedule over the DAG, a couple of milliseconds at 10k transactions, made once per block
   * rather than once per execution.
   */
  readonly #projections = new WeakMap<LoadedParallelBlock, { readonly gas: number; readonly projected: number }>();

  private constructor(threads: number, state: SharedState, runtime: ContractRuntime, pool: Piscina | undefined) {
    this.threads = threads;
    this.state = state;
    this.runtime = runtime;
    this.#pool = pool;
    this.#sessions = pool === undefined ? undefined : new WorkerSessions(pool, threads);
    this.#spins = threads <= availableParallelism();
  }

  /** See #spins. */
  get spins(): boolean {
    return this.#spins;
  }

  static async create(parameters: CreateParallelExecutorParameters): Promise<ParallelExecutor> {
    const { threads } = parameters;
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
    if (threads > 64) throw new RangeError(`threads must be at most 64, got ${threads}`);
    const runtime = parameters.runtime ?? (await ContractRuntime.create({ genesis: parameters.genesis, baseDir: parameters.baseDir, file: parameters.file }));
    const state = parameters.state ?? SharedState.fromEntries(stateFromGenesis(parameters.genesis, parameters.file).entries(), parameters.capacity !== undefined ? { capacity: parameters.capacity } : {});
    const base = state.base;
    if (base !== undefined && base.source === undefined && threads > 1) throw new RangeError("a state whose base only this thread can read runs on one thread");
    const workerData: WorkerData = {
      genesis: { contracts: parameters.genesis.contracts, accounts: [] },
      baseDir: parameters.baseDir,
      state: state.buffers,
      ...(base?.source !== undefined ? { base: base.source } : {}),
    };
    const pool =
      threads > 1
        ? new Piscina({ filename: workerEntryFile(), minThreads: threads, maxThreads: threads, idleTimeout: 60_000, workerData, concurrentTasksPerWorker: 1 })
        : undefined;
    return new ParallelExecutor(threads, state, runtime, pool);
  }

  /**
   * Transactions prepared against another runtime (the caller's chain) call that runtime's
   * contract instances, which live in another realm: run on this thread, their errors would not
   * carry this realm's brand and their receipts would differ from the sequential ones. Point
   * them at this executor's instances (same genesis, same ABI), or prepare the block again.
   */
  #ownPrepared(prepared: readonly PreparedTx[], block: Block, file: string | undefined): readonly PreparedTx[] {
    if (prepared.every((p) => p.target === this.runtime.get(p.tx.to))) return prepared;
    const own: PreparedTx[] = [];
    for (const p of prepared) {
      const target = this.runtime.get(p.tx.to);
      if (target === undefined || target.file !== p.target.file) return prepareBlock(block, this.runtime, file);
      own.push({ ...p, target });
    }
    return own;
  }

  async close(): Promise<void> {
    await this.#sessions?.close();
    await this.#pool?.destroy();
  }

  async load(parameters: LoadParallelBlockParameters): Promise<LoadedParallelBlock> {
    const started = performance.now();
    const { block } = parameters;
    const checkSignatures = parameters.checkSignatures ?? true;
    const prepared = parameters.prepared === undefined ? prepareBlock(block, this.runtime, parameters.file) : this.#ownPrepared(parameters.prepared, block, parameters.file);
    const sets = parameters.sets !== undefined ? withDeclaredLists(parameters.sets, block) : await analyzeBlockAccessSets({ block, prepared, runtime: this.runtime, state: this.state, checkSignatures });
    const graph = buildConflictGraph(sets);
    const shared = (a: Int32Array) => {
      const out = new SharedArrayBuffer(Math.max(4, a.byteLength));
      new Int32Array(out).set(a);
      return out;
    };
    const bottom = gasBottomLevels(graph);
    const priority = new SharedArrayBuffer(Math.max(1, graph.txCount));
    const priorityView = new Uint8Array(priority);
    priorityView.set(priorityLevels(graph, bottom));
    const payload: BlockPayload = {
      blockId: ++this.#blockId,
      blockBytes: encodeBlock(block),
      setsBytes: encodeSets(sets),
      checkSignatures,
      successorOffsets: shared(graph.successorOffsets),
      successors: shared(graph.successors),
      priority,
    };
    const mainThread = new BlockThread({
      view: new BlockView(createBlockBuffers(0)),
      block,
      prepared,
      sets: sets.txs,
      state: this.state,
      runtime: this.runtime,
      options: { enforce: "fallback", checkSignatures, events: false },
      threadId: 0,
      successorOffsets: graph.successorOffsets,
      successors: graph.successors,
      priority: priorityView,
      epoch: 0,
    });
    const sessions = this.#sessions;
    if (sessions !== undefined) {
      // Every worker decodes and prepares the block now, not in its first round. One that fails
      // here fails again in that round, which then runs on this thread: nothing to do yet.
      for (let slot = 0; slot < sessions.count; slot++) sessions.send(slot, { kind: "load", block: payload } satisfies LoadTask);
      for (let slot = 0; slot < sessions.count; slot++) await sessions.reply<LoadResult>(slot).catch(() => undefined);
    }
    const startOrder = Int32Array.from(Array.from({ length: graph.txCount }, (_, i) => i).sort((a, b) => bottom[b]! - bottom[a]! || a - b));
    return { id: payload.blockId, block, prepared, sets, graph, columnOf: computeColumns(graph).columnOf, startOrder, payload, mainThread, loadMs: performance.now() - started };
  }

  async execute(parameters: ExecuteParallelParameters): Promise<ParallelExecutionResult> {
    const loaded = isLoaded(parameters.block)
      ? parameters.block
      : await this.load({
          block: parameters.block,
          ...(parameters.checkSignatures !== undefined ? { checkSignatures: parameters.checkSignatures } : {}),
          ...(parameters.prepared !== undefined ? { prepared: parameters.prepared } : {}),
          ...(parameters.sets !== undefined ? { sets: parameters.sets } : {}),
          ...(parameters.file !== undefined ? { file: parameters.file } : {}),
        });
    const mode = parameters.mode ?? "hybrid";
    const options: EngineOptions = {
      enforce: parameters.enforce ?? "fallback",
      checkSignatures: loaded.payload.checkSignatures,
      events: parameters.events ?? false,
      ...(parameters.activity === true ? { activity: true } : {}),
    };
    const onProgress = parameters.onProgress;
    if (mode === "blockstm") return this.#runBlockStm(loaded, options, parameters.testHook, onProgress);
    const started = performance.now();
    const { gas, projected } = this.#projection(loaded);
    const estimatedMs = this.#msPerGas === undefined ? Number.POSITIVE_INFINITY : this.#msPerGas * gas;
    const inline =
      mode === "hybrid" &&
      (this.#pool === undefined ||
        runsInline({ estimatedMs, projected, txs: loaded.prepared.length, inlineBelowSpeedup: parameters.inlineBelowSpeedup }));
    if (inline) {
      // No parallelism to use: the sequential executor itself, on this executor's state. Nothing
      // runs beside it, so it needs no guard, no undo log and no queue, and stays near 1×.
      const result = this.#runInline(loaded, options, mode, onProgress);
      this.#learn(result.stats.wallMs, gas);
      return result;
    }
    // The round's workers sleep between blocks; waking one takes ~50–100 µs here, which this
    // thread spends preparing the round instead of waiting for it after. Not with more threads
    // than cores: a worker spinning for its message would take a core from this thread.
    const sessions = this.#sessions;
    if (sessions !== undefined && this.#spins) for (let slot = 0; slot < this.threads - 1; slot++) sessions.wake(slot);
    // The values before the block, so that a worker failure never leaves a partly applied state:
    // two typed-array copies, a few milliseconds for a state of a million locations.
    const before = this.state.snapshotValues();
    const run = new BlockRun(this, loaded, options, ++this.#executionId, started, parameters.testHook, onProgress);
    const stopWatching = watchProgress(() => run.committedCount(), loaded.prepared.length, onProgress);
    try {
      await run.runBelow(loaded.prepared.length, mode === "columns" ? "columns" : "dag", this.#sessions);
    } catch (error) {
      if (!(error instanceof WorkerFailure)) {
        // The block fails: nothing of it stays (the workers have stopped, see #round).
        this.state.restoreValues(before);
        throw error;
      }
      // A worker threw or died mid-block. Back to the pre-block state, and the block runs on this
      // thread: the result is still exactly the sequential one.
      this.state.restoreValues(before);
      return { ...this.#runInline(loaded, options, mode, onProgress), workerFailure: error.message };
    } finally {
      stopWatching();
    }
    const result = run.finish(mode, this.#pool === undefined ? 1 : this.threads);
    onProgress?.(loaded.prepared.length, loaded.prepared.length);
    this.#learn(result.workMs, gas);
    const { workMs: _work, ...rest } = result;
    void _work;
    return { ...rest, inline: false, loadMs: loaded.loadMs };
  }

  /**
   * Block-STM with no hints: neither the DAG nor the access sets are used. One task per worker
   * (or the calling thread alone at one thread) runs the collaborative scheduler until done.
   */
  async #runBlockStm(
    loaded: LoadedParallelBlock,
    options: EngineOptions,
    hook: ExecutorTestHook | undefined,
    onProgress: ((done: number, total: number) => void) | undefined,
  ): Promise<ParallelExecutionResult> {
    const started = performance.now();
    this.#stmLocations ??= createStmLocationTable(this.state.buffers.capacity);
    const buffers = createStmBuffers(loaded.prepared.length, ++this.#executionId, this.#stmLocations);
    initStmHeader(buffers);
    let main = this.#stmThreads.get(loaded);
    if (main === undefined) {
      main = new BlockStmThread({ block: loaded.block, prepared: loaded.prepared, state: this.state, runtime: this.runtime });
      this.#stmThreads.set(loaded, main);
    }
    main.begin(buffers, options, started);
    // The calling thread runs Block-STM only at one thread; the injected fault is a worker's.
    main.hook = callingThreadHook(hook, false);
    const before = this.state.snapshotValues();
    const counts = { executions: 0, validations: 0, aborts: 0 };
    const activity: ThreadRecords[] = [];
    const threadsSeen: number[] = [];
    const stopWatching = watchProgress(() => main.executedCount(), loaded.prepared.length, onProgress);
    const extras = new Map<number, StmExtra>();
    const keep = (extra: StmExtra) => {
      const known = extras.get(extra.index);
      if (known === undefined || known.incarnation < extra.incarnation) extras.set(extra.index, extra);
    };
    try {
      const sessions = this.#sessions;
      if (sessions === undefined) {
        main.hook?.beginPhase(1);
        main.run();
        const records = main.activity?.take();
        if (records !== undefined) activity.push({ thread: 0, records });
        threadsSeen.push(0);
        for (const extra of main.extras.values()) keep(extra);
        counts.executions += main.counts.executions;
        counts.validations += main.counts.validations;
        counts.aborts += main.counts.aborts;
      } else {
        const slots = Array.from({ length: this.threads }, (_, slot) => slot);
        const task: BlockStmTask = { kind: "blockstm", block: loaded.payload, buffers, options, epochWallMs: performance.timeOrigin + started };
        main.hook?.beginPhase(slots.length);
        for (const slot of slots) sessions.send(slot, withThreadHook(task, hook, slot + 1));
        // A worker that fails never finishes its task: the first failure stops everyone.
        const stopListening = sessions.onEnd(slots, () => main.abort());
        let failure: string | undefined;
        try {
          for (const slot of slots) {
            let reply: BlockStmResult | FailedReply;
            try {
              reply = await sessions.reply<BlockStmResult | FailedReply>(slot);
            } catch (error) {
              if (!(error instanceof SessionEnded)) throw error;
              failure ??= error.message;
              continue;
            }
            if (reply.failed !== undefined) {
              main.abort();
              failure ??= reply.failed;
              continue;
            }
            const r = reply as BlockStmResult;
            if (r.threadId !== undefined) threadsSeen.push(r.threadId);
            if (r.activity !== undefined && r.threadId !== undefined) activity.push({ thread: r.threadId, records: r.activity });
            for (const extra of r.extras) keep(extra);
            counts.executions += r.counts.executions;
            counts.validations += r.counts.validations;
            counts.aborts += r.counts.aborts;
          }
        } finally {
          stopListening();
        }
        if (failure !== undefined) throw new WorkerFailure(failure);
      }
    } catch (error) {
      if (!(error instanceof WorkerFailure) && !(error instanceof StmCapacityError)) throw error;
      // The state was not touched yet (values are applied at the end), but restore to be safe.
      this.state.restoreValues(before);
      return { ...this.#runInline(loaded, options, "blockstm", onProgress), workerFailure: (error as Error).message };
    } finally {
      stopWatching();
    }
    const final = main.applyFinal();
    const names = ["pending", "success", "revert", "out-of-gas", "invalid"] as const;
    const receipts: Receipt[] = new Array(loaded.prepared.length);
    let violations = 0;
    for (let i = 0; i < receipts.length; i++) {
      const gasUsed = final.gasUsed[i]!;
      const extra = extras.get(i);
      const current = extra !== undefined && extra.incarnation === final.incarnation[i] ? extra : undefined;
      if (final.violated[i] === 1) violations++;
      receipts[i] = {
        index: i,
        status: stmStatus(names[final.status[i]!]!, i),
        gasUsed,
        fee: BigInt(gasUsed) * loaded.prepared[i]!.tx.gasPrice,
        ...(current?.error !== undefined ? { error: current.error } : {}),
        ...(current?.events !== undefined ? { events: current.events } : {}),
      };
    }
    const wallMs = performance.now() - started;
    onProgress?.(loaded.prepared.length, loaded.prepared.length);
    return {
      stateRoot: this.state.root(),
      receipts,
      stats: { mode: "blockstm", threads: this.#pool === undefined ? 1 : this.threads, wallMs, executions: counts.executions, validations: counts.validations, aborts: counts.aborts, violations },
      timeline: () => [],
      inline: false,
      rounds: 1,
      loadMs: loaded.loadMs,
      ...(options.activity === true ? { activity: assembleActivity({ parts: activity, threads: threadsSeen, workers: this.#pool === undefined ? 0 : this.threads }) } : {}),
    };
  }

  #runInline(loaded: LoadedParallelBlock, options: EngineOptions, mode: ParallelMode, onProgress?: (done: number, total: number) => void): ParallelExecutionResult {
    const result = executeBlockSequential({
      block: loaded.block,
      state: this.state,
      runtime: this.runtime,
      prepared: loaded.prepared,
      enforce: options.enforce,
      checkSignatures: options.checkSignatures,
      events: options.events,
      ...(options.activity === true ? { activity: true, activityLabel: "main thread (inline)" } : {}),
      ...(onProgress !== undefined ? { onProgress } : {}),
    });
    return { ...result, stats: { ...result.stats, mode, threads: 1 }, timeline: () => [], inline: true, rounds: 0, loadMs: loaded.loadMs };
  }

  #projection(loaded: LoadedParallelBlock): { readonly gas: number; readonly projected: number } {
    let known = this.#projections.get(loaded);
    if (known === undefined) {
      const gas = totalGas(loaded.graph);
      known = { gas, projected: gas / Math.max(1e-9, listScheduleMakespan(loaded.graph, this.threads)) };
      this.#projections.set(loaded, known);
    }
    return known;
  }

  #learn(workMs: number, gas: number): void {
    if (gas <= 0 || !(workMs > 0)) return;
    const rate = workMs / gas;
    this.#msPerGas = this.#msPerGas === undefined ? rate : 0.7 * this.#msPerGas + 0.3 * rate;
  }
}

/**
 * Each transaction's ready-queue priority level, from its bottom level b (the gas of the heaviest
 * DAG path it starts) against the heaviest, B: 3 when b ≥ B/2, 2 when b ≥ B/4, 1 when b ≥ B/16 or
 * other transactions wait on it, else 0. Ready transactions start highest level first, a coarse
 * version of the projection's list schedule (heaviest remaining path first), which lock-free
 * FIFO queues can keep. With one FIFO for everything that others wait on, a long chain released
 * mid-block queued behind transactions with one cheap successor each; on mainnet block 17034869
 * (critical path 7 ms of 22 ms) one thread then ran the chain alone for the last 5–6 ms of a
 * 14–16 ms round whose list schedule over the same measured durations took 11 ms.
 */
export function priorityLevels(graph: ConflictGraph, bottom: Float64Array): Uint8Array {
  const n = graph.txCount;
  let heaviest = 0;
  for (let i = 0; i < n; i++) if (bottom[i]! > heaviest) heaviest = bottom[i]!;
  const levels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const b = bottom[i]!;
    const waitedOn = graph.successorOffsets[i + 1]! > graph.successorOffsets[i]!;
    levels[i] = b >= heaviest / 2 ? 3 : b >= heaviest / 4 ? 2 : waitedOn || b >= heaviest / 16 ? 1 : 0;
  }
  return levels;
}

function stmStatus(status: Receipt["status"] | "pending", tx: number): Receipt["status"] {
  if (status === "pending") throw new Error(`internal error: transaction ${tx} has no outcome`);
  return status;
}

/** A worker threw or died during a round. */
class WorkerFailure extends Error {
  override name = "WorkerFailure";
}

function sum(counts: ReadonlyMap<number, { executions: number; aborts: number }>, key: "executions" | "aborts"): number {
  let total = 0;
  for (const c of counts.values()) total += c[key];
  return total;
}

function totalGas(graph: ConflictGraph): number {
  let sum = 0;
  for (let i = 0; i < graph.txCount; i++) sum += graph.gas[i]!;
  return sum;
}

function countViolated(view: BlockView): number {
  let n = 0;
  for (let i = 0; i < view.txCount; i++) if (view.violated(i)) n++;
  return n;
}

/** Report progress every 100 ms while a block runs on the workers; returns the stop function. */
function watchProgress(count: () => number, total: number, onProgress: ((done: number, total: number) => void) | undefined): () => void {
  if (onProgress === undefined) return () => {};
  const timer = setInterval(() => onProgress(count(), total), 100);
  timer.unref();
  return () => clearInterval(timer);
}

/** One block's execution on the main thread's side: rounds, recovery, and the final result. */
class BlockRun {
  readonly #executor: ParallelExecutor;
  readonly #loaded: LoadedParallelBlock;
  readonly #options: EngineOptions;
  readonly #executionId: number;
  readonly #started: number;
  readonly #buffers: BlockBuffers;
  readonly #view: BlockView;
  readonly #main: BlockThread;
  readonly #extras = new Map<number, ReceiptExtra>();
  #rolledBack = 0;
  #rounds = 0;
  readonly #workerCounts = new Map<number, { executions: number; aborts: number }>();
  readonly #activity: ThreadRecords[] = [];

  /** Tests only: faults and the turnstile, handed to each worker with its slot (testHook.ts). */
  readonly #testHook: ExecutorTestHook | undefined;
  /** Reports progress at most every 100 ms while this thread runs transactions (see helpRound). */
  readonly #tick: (() => void) | undefined;

  constructor(
    executor: ParallelExecutor,
    loaded: LoadedParallelBlock,
    options: EngineOptions,
    executionId: number,
    started: number,
    testHook?: ExecutorTestHook,
    onProgress?: (done: number, total: number) => void,
  ) {
    this.#testHook = testHook;
    if (onProgress !== undefined) {
      let last = performance.now();
      this.#tick = () => {
        const now = performance.now();
        if (now - last < 100) return;
        last = now;
        onProgress(this.committedCount(), loaded.prepared.length);
      };
    }
    this.#executor = executor;
    this.#loaded = loaded;
    this.#options = options;
    this.#executionId = executionId;
    this.#started = started;
    this.#buffers = createBlockBuffers(loaded.prepared.length);
    this.#view = new BlockView(this.#buffers);
    this.#view.header[H.violation] = loaded.prepared.length;
    this.#main = loaded.mainThread;
    this.#main.begin(this.#view, options, started, executionId);
    // The injected fault is a worker's: at one thread there is none, and the fault never fires.
    this.#main.hook = callingThreadHook(testHook, executor.threads > 1);
  }

  /** Set up the round over `members` (all uncommitted, ascending) for `participants` threads; seed the ready queue. */
  #prepareRound(members: readonly number[], policy: ReleasePolicy, participants: number): void {
    const view = this.#view;
    const header = view.header;
    view.inRound.fill(0);
    for (const tx of members) view.inRound[tx] = 1;
    view.clearQueues();
    header[H.done] = 0;
    header[H.total] = members.length;
    header[H.violation] = view.txCount;
    header[H.participants] = participants;
    header[H.stopped] = 0;
    const { predecessorOffsets, predecessors } = this.#loaded.graph;
    // Ready transactions start heaviest remaining path first, as the projection's list schedule
    // does. In index order, a block's one long transaction (a fifth of mainnet block 7,280,000)
    // or the head of its long chain could start when the other thread had little left, and the
    // block ended with one thread running it alone.
    const order = this.#loaded.startOrder;
    if (policy === "dag") {
      for (const tx of members) {
        let waiting = 0;
        for (let e = predecessorOffsets[tx]!; e < predecessorOffsets[tx + 1]!; e++) if (view.inRound[predecessors[e]!] === 1) waiting++;
        view.remaining[tx] = waiting;
      }
      for (const tx of order) if (view.inRound[tx] === 1 && view.remaining[tx] === 0) view.push(tx, this.#main.priority[tx]!);
      return;
    }
    // Columns of this round's members, compacted: the DAG's columns with empty ones dropped. Within
    // a column, the heaviest first (longest processing time first: the column's last transactions,
    // which decide when the next column may start, are its short ones).
    const byColumn = new Map<number, number[]>();
    for (const tx of order) {
      if (view.inRound[tx] !== 1) continue;
      const c = this.#loaded.columnOf[tx]!;
      let list = byColumn.get(c);
      if (list === undefined) byColumn.set(c, (list = []));
      list.push(tx);
    }
    const columns = Array.from(byColumn.keys()).sort((a, b) => a - b);
    let k = 0;
    columns.forEach((c, i) => {
      view.columnOffsets[i] = k;
      for (const tx of byColumn.get(c)!) view.columnMembers[k++] = tx;
    });
    view.columnOffsets[columns.length] = k;
    view.columnOffsets[columns.length + 1] = k;
    header[H.column] = 0;
    const first = view.columnOffsets[1]! - view.columnOffsets[0]!;
    header[H.columnRemaining] = first;
    for (let i = 0; i < first; i++) view.push(view.columnMembers[i]!, 0);
  }

  async #round(members: readonly number[], policy: ReleasePolicy, sessions: WorkerSessions | undefined): Promise<number> {
    this.#rounds++;
    const participants = sessions === undefined ? 1 : this.#executor.threads;
    this.#prepareRound(members, policy, participants);
    const hook = this.#main.hook;
    hook?.beginPhase(participants);
    const results: RoundResult[] = [];
    if (sessions === undefined) {
      this.#main.extras = [];
      this.#main.runRoundAlone(policy);
      results.push({ extras: this.#main.extras, undo: [], loadMs: 0, loopMs: 0, threadId: 0, executions: 0, aborts: 0 });
    } else {
      // The calling thread is one of the round's K threads: K - 1 workers get the round. It starts
      // on the first ready transactions while the message is on its way to the workers, and is
      // there the moment the last transaction commits.
      const slots = Array.from({ length: this.#executor.threads - 1 }, (_, slot) => slot);
      const task: RoundTask = {
        kind: "round",
        block: this.#loaded.payload,
        executionId: this.#executionId,
        buffers: this.#buffers,
        options: this.#options,
        policy,
        epochWallMs: performance.timeOrigin + this.#started,
      };
      for (const slot of slots) sessions.send(slot, withThreadHook(task, this.#testHook, slot + 1));
      // A worker that dies never finishes its transaction, so the others would wait for it
      // forever: a session's end stops the round for everyone. (A worker whose round throws
      // replies with the failure; its session ends right after, which stops the round too.)
      let stopListening = () => {};
      const ended = new Promise<void>((resolve) => {
        stopListening = sessions.onEnd(slots, () => {
          this.#abortRound();
          resolve();
        });
      });
      this.#main.extras = [];
      try {
        await this.#help(policy, ended);
        await this.#main.leaveRound(ended);
      } catch (error) {
        // This thread failed mid-round (a state with no room for another location, an internal
        // error). The workers must have stopped before anyone restores the state: a transaction
        // still running on one of them would write into the restored values (seen as a sender's
        // nonce bumped by a block that failed and was rolled back).
        hook?.leave();
        this.#abortRound();
        for (const slot of slots) await sessions.reply(slot).catch(() => undefined);
        stopListening();
        throw error;
      }
      results.push({ extras: this.#main.extras, undo: [], loadMs: 0, loopMs: 0, threadId: 0, executions: 0, aborts: 0 });
      let failure: string | undefined;
      // The workers finish their last transactions about when this thread does: spin a little
      // for their replies (0.5 ms in all) before waiting through the event loop.
      const spinUntil = this.#executor.spins ? performance.now() + 0.5 : 0;
      for (const slot of slots) {
        let reply: RoundResult | FailedReply;
        try {
          reply = sessions.replyWithin<RoundResult | FailedReply>(slot, spinUntil) ?? (await sessions.reply<RoundResult | FailedReply>(slot));
        } catch (error) {
          if (!(error instanceof SessionEnded)) throw error;
          failure ??= error.message;
          continue;
        }
        if (reply.failed !== undefined) {
          failure ??= reply.failed;
          continue;
        }
        const result = reply as RoundResult;
        results.push(result);
        // Each worker reports its running totals for this execution: keep the latest per worker.
        this.#workerCounts.set(result.threadId, { executions: result.executions, aborts: result.aborts });
        if (result.activity !== undefined) this.#activity.push({ thread: result.threadId, records: result.activity });
      }
      stopListening();
      if (failure !== undefined) throw new WorkerFailure(failure);
    }
    for (const r of results) for (const extra of r.extras) this.#extras.set(extra.index, extra);
    // Every thread of the round has stopped and replied, the workers after their barrier: the
    // violation is final, and every record above it is here (invariants 2 and 3 of engine.ts).
    const violation = this.#view.header[H.violation]!;
    if (violation < this.#view.txCount) {
      const undo: [number, UndoRecord][] = [...this.#main.takeUndoAfter(violation)];
      for (const r of results) undo.push(...r.undo);
      this.#rollback(undo);
    }
    return violation;
  }

  /**
   * Run the round's ready transactions on this thread until the round is over. When nothing is
   * ready, this thread must not block as the workers do (Atomics.wait): a worker's death reaches
   * it only as a rejected task, delivered by its event loop. So it spins briefly, then waits
   * asynchronously, until the generation word moves (a push or the round's end: it registers as a
   * sleeper, so pushers notify it, as in sleep.ts) or a session ends. The round is over for it
   * when every transaction committed, a violation stopped it, or a failure aborted it.
   */
  async #help(policy: ReleasePolicy, ended: Promise<void>): Promise<void> {
    const view = this.#view;
    const header = view.header;
    let settled = false;
    void ended.then(() => (settled = true));
    const hook = this.#main.hook;
    if (hook !== undefined) await hook.joinAsync(SYNC.roundStart, header, H.generation, ended);
    for (;;) {
      const state = this.#main.helpRound(policy, this.#tick);
      if (state === "over" || settled) return;
      if (state === "aside") {
        // The fault-injected transaction is back in its queue for a worker. This thread helps no
        // more in this round: were it to pop that transaction again, it would push it again, and a
        // round has one slot beyond its transactions per queue (see BlockBuffers.queue).
        return;
      }
      if (hook !== undefined) {
        // Under a turnstile: an idle wait it schedules, without blocking the event loop (see ThreadHook.joinAsync).
        await hook.idleAsync(SYNC.idle, header, H.generation, H.sleepers, view.hasWorkCheck, ended);
        continue;
      }
      if (state === "idle") {
        // Spin up to 0.2 ms first: a dependency is usually released within microseconds, while a
        // wake through the event loop costs tens of them, on every wait of a dense block.
        const until = performance.now() + 0.2;
        let found = false;
        for (let spin = 1; !(found = view.hasWork()); spin++) if ((spin & 63) === 0 && performance.now() > until) break;
        if (found) continue;
      }
      const generation = Atomics.load(header, H.generation);
      Atomics.add(header, H.sleepers, 1);
      try {
        if (view.hasWork()) continue;
        const wait = waitAsync(header, H.generation, generation, 5);
        if (wait.async) await Promise.race([wait.value, ended]);
      } finally {
        Atomics.sub(header, H.sleepers, 1);
      }
    }
  }

  #abortRound(): void {
    Atomics.store(this.#view.header, H.violation, -1);
    this.#view.wakeAll();
  }

  /** Roll back committed transactions, newest commit first. */
  #rollback(undo: [number, UndoRecord][]): void {
    const view = this.#view;
    // Newest first. Two transactions that wrote a common location are ordered by the DAG, so
    // their commits happened in index order: descending index undoes them newest first.
    undo.sort((a, b) => b[0] - a[0]);
    for (const [tx, record] of undo) {
      applyUndo(this.#executor.state, view.header, record);
      view.clearCommitted(tx);
      this.#extras.delete(tx);
      this.#rolledBack++;
    }
  }

  /** Transactions committed so far (read while the workers run: a progress figure, not exact). */
  committedCount(): number {
    const view = this.#view;
    let count = 0;
    for (let i = 0; i < view.txCount; i++) if (view.committed(i)) count++;
    return count;
  }

  #committed(tx: number): boolean {
    return this.#view.committed(tx);
  }

  /**
   * Run every transaction below `bound` that has not committed, in rounds. A round stops at the
   * lowest transaction v that left its scheduled set, after every transaction committed after v —
   * in this round or an earlier one — was rolled back: they may have missed what v really touched.
   * Then what is left before v runs first (recursively: it may stop at an earlier violation and
   * roll back more), v runs alone on this thread, and the loop takes up everything still
   * uncommitted below the bound, including what the rollbacks undid. Every round's members are all
   * the uncommitted transactions below its bound, so no transaction is left out of the DAG, and
   * each iteration commits at least v: the loop ends.
   */
  async runBelow(bound: number, policy: ReleasePolicy, sessions: WorkerSessions | undefined): Promise<void> {
    for (;;) {
      const members: number[] = [];
      for (let tx = 0; tx < bound; tx++) if (!this.#committed(tx)) members.push(tx);
      if (members.length === 0) return;
      const violation = await this.#round(members, policy, sessions);
      if (violation >= this.#view.txCount) continue;
      await this.runBelow(violation, policy, sessions);
      // Everything before it has committed and nothing runs beside it: the transaction sees exactly
      // the sequential state, whatever it touches.
      this.#main.extras = [];
      this.#main.execute(violation, false);
      for (const extra of this.#main.extras) this.#extras.set(extra.index, extra);
    }
  }

  finish(mode: ParallelMode, threads: number): Omit<ParallelExecutionResult, "inline" | "loadMs"> & { workMs: number } {
    const view = this.#view;
    const state = this.#executor.state;
    // One pass makes the receipts and sums the fees not yet credited (those after the last
    // transaction that read the sequencer's balance): each fee is one BigInt product, made once.
    const receipts: Receipt[] = new Array(view.txCount);
    const names = ["pending", "success", "revert", "out-of-gas", "invalid"] as const;
    const prepared = this.#loaded.prepared;
    const creditFrom = view.header[H.feeCursor]!;
    const noExtras = this.#extras.size === 0;
    const made = this.#main.receipts!;
    let pending = 0n;
    for (let i = 0; i < view.txCount; i++) {
      if (view.thread(i) === 0 && view.committed(i)) {
        // Committed last on this thread: runTx's receipt is the one (see BlockThread.receipts).
        const receipt = made[i]!;
        if (i >= creditFrom) pending += receipt.fee;
        receipts[i] = receipt;
        continue;
      }
      const status = names[view.status(i)]!;
      if (status === "pending") throw new Error(`internal error: transaction ${i} never committed`);
      const gasUsed = view.gasUsed(i);
      const fee = gasUsed === 0 ? 0n : BigInt(gasUsed) * prepared[i]!.tx.gasPrice;
      if (i >= creditFrom) pending += fee;
      const extra = noExtras ? undefined : this.#extras.get(i);
      receipts[i] =
        extra === undefined
          ? { index: i, status, gasUsed, fee }
          : {
              index: i,
              status,
              gasUsed,
              fee,
              ...(extra.error !== undefined ? { error: extra.error } : {}),
              ...(extra.events !== undefined ? { events: extra.events } : {}),
            };
    }
    if (pending > 0n) {
      const loc = balanceLocation(this.#loaded.block.sequencer);
      state.set(loc, ((state.get(loc) as bigint | undefined) ?? 0n) + pending);
    }
    const wallMs = performance.now() - this.#started;
    const mainRecords = this.#main.activity?.take();
    if (mainRecords !== undefined && mainRecords.length > 0) this.#activity.push({ thread: 0, records: mainRecords });
    // Time spent inside transactions, over all threads: the block's single-thread work.
    let workMs = 0;
    for (let i = 0; i < view.txCount; i++) workMs += view.endMs(i) - view.startMs(i);
    return {
      // Like the sequential executor's, wallMs stops before the state root is hashed.
      stateRoot: state.root(),
      receipts,
      stats: {
        mode,
        threads,
        wallMs,
        executions: this.#main.executions + sum(this.#workerCounts, "executions"),
        validations: 0,
        aborts: this.#main.aborts + sum(this.#workerCounts, "aborts") + this.#rolledBack,
        violations: countViolated(view),
      },
      timeline: () => Array.from({ length: view.txCount }, (_, i) => ({ tx: i, thread: view.thread(i), startMs: view.startMs(i), endMs: view.endMs(i) })),
      rounds: this.#rounds,
      workMs,
      ...(this.#options.activity === true
        ? {
            activity: assembleActivity({
              parts: this.#activity,
              // The calling thread runs transactions beside K - 1 workers.
              threads: threads === 1 ? [0] : [0, ...this.#workerCounts.keys()],
              workers: threads === 1 ? 0 : threads - 1,
            }),
          }
        : {}),
    };
  }
}
