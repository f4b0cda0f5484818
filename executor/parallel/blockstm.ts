/**
 * Block-STM (Gelashvili et al., arXiv 2203.06871), without hints: optimistic execution over a
 * multi-version memory, with the paper's collaborative scheduler. Every thread (the workers, or
 * the calling thread alone at one thread) runs `BlockStmThread.run` over the same shared buffers:
 *
 * - Multi-version memory, keyed by SharedState location ids. Each location has a spin lock and a
 *   list of versions sorted by transaction index, highest first; a version is (tx, incarnation,
 *   ESTIMATE flag, value as a raw SharedState slot). A read by tx j takes the highest version
 *   below j; an ESTIMATE there aborts the incarnation with a dependency on its writer; no version
 *   means the value before the block, read from SharedState, which nobody writes during the block.
 * - Per transaction, in shared arenas: the read set of its latest incarnation (location, version
 *   read or "storage") and its write set (location, version node), so any thread can validate it
 *   or turn its writes into ESTIMATEs.
 * - The scheduler: execution_idx, validation_idx, decrease_cnt, num_active_tasks, done_marker and
 *   a status word per transaction (incarnation << 2 | READY_TO_EXECUTE, EXECUTING, EXECUTED,
 *   ABORTING), moved by CAS; dependency lists are intrusive linked lists under a per-tx lock (a
 *   transaction waits on at most one other at a time).
 *
 * The sequencer's fee credit is not a conflict: it is a commutative delta applied after each
 * transaction in the sequential order. A read of the sequencer's balance by tx j returns the
 * highest version below j (written by tx k), or the pre-block value, plus the fees of every
 * transaction in [k, j) (or [0, j)); each of those must be EXECUTED, otherwise the read is a
 * dependency on it, like an ESTIMATE. The read set records that sum; validation recomputes it.
 * At the end of the block the final version of every location is copied into the state, plus the
 * fees of the transactions after the last writer of the sequencer's balance.
 */
import { balanceLocation } from "../../core/protocol.js";
import type { Block, Event, Value } from "../../core/types.js";
import type { ContractRuntime } from "../../contracts/runtime/runtime.js";
import { decodeSlot, encodeSlot, SharedState } from "../../state/sharedState.js";
import type { StateStore } from "../../state/state.js";
import type { PreparedTx } from "../prepare.js";
import { runTx } from "../runTx.js";
import { TxHost } from "../txHost.js";
import type { EngineOptions } from "./engine.js";
import { STATUS } from "./blockBuffers.js";
import { idleUntil, wakeSleepers } from "./sleep.js";
import { SYNC, type ThreadHook } from "./testHook.js";
import { ActivityLog, RAW_ACTIVITY } from "../activity.js";

const LINE = 16;
/** Header words, the hot ones on cache lines of their own. */
export const SH = {
  executionIdx: 0 * LINE,
  validationIdx: 1 * LINE,
  decreaseCnt: 2 * LINE,
  numActive: 3 * LINE,
  done: 4 * LINE,
  /** Bumped when an index decreases or the block is done; idle threads wait on it. */
  generation: 5 * LINE,
  sleepers: 5 * LINE + 1,
  /** Set by the main thread when a worker failed: everyone stops. */
  abort: 5 * LINE + 2,
  /** Bump allocators of the version nodes and the read and write arenas. */
  nodeTop: 6 * LINE,
  readTop: 7 * LINE,
  writeTop: 8 * LINE,
  size: 9 * LINE,
} as const;

/*
 * A transaction's status word, incarnation i (the paper's, and aptos-core's scheduler's), and the
 * test hook's point (testHook.ts) before each move:
 *
 *   READY(i) ─ #incarnate: a thread takes it to execute (stmIncarnate) ────────────▶ EXECUTING(i)
 *   EXECUTING(i) ─ #finishExecution: its write set published (stmRecord, stmExecuted) ▶ EXECUTED(i)
 *   EXECUTING(i) ─ #addDependency: it read an ESTIMATE, or a fee not final yet, of a
 *                  transaction not EXECUTED (stmDependency) ────────────────────────▶ ABORTING(i)
 *   EXECUTED(i) ─ #tryValidationAbort: a validation found a read out of date
 *                 (stmValidate, stmValidationAbort); its writes become ESTIMATEs ───▶ ABORTING(i)
 *   ABORTING(i) ─ #setReadyStatus: its dependency executed, or it failed validation
 *                 (stmReady) ───────────────────────────────────────────────────────▶ READY(i + 1)
 *
 * The block is done when both indices are past the block, no task is active, and no index
 * decreased meanwhile (#checkDone); then every status is EXECUTED and its latest incarnation's
 * writes are the block's.
 */
const READY = 0;
const EXECUTING = 1;
const EXECUTED = 2;
const ABORTING = 3;

/** Version node: [tx, incarnation, estimate, next, location, slot (SLOT_WORDS)]. */
const N_TX = 0;
const N_INC = 1;
const N_EST = 2;
const N_NEXT = 3;
const N_LOC = 4;
const N_SLOT = 5;
const NODE_WORDS = N_SLOT + SharedState.SLOT_WORDS;

/** Per location in the executor-wide table: [epoch, lock, head node]. */
const LOC_WORDS = 3;

/** Read-set entry kinds besides a location id. */
const FEE_ENTRY = -2;
/** A read-set entry: [location, writer tx or -1 for storage, writer incarnation]. */
const READ_WORDS = 3;
/** The fee entry: [FEE_ENTRY, from, eight words of the fee sum]. */
const FEE_WORDS = 10;

export interface StmBuffers {
  readonly txCount: number;
  /** Tags this block's entries in the executor-wide location table. */
  readonly epoch: number;
  readonly header: SharedArrayBuffer;
  readonly status: SharedArrayBuffer;
  readonly depHead: SharedArrayBuffer;
  readonly depNext: SharedArrayBuffer;
  readonly depLock: SharedArrayBuffer;
  readonly gasUsed: SharedArrayBuffer;
  /** Receipt status (STATUS) and whether the declared list was broken, of the latest incarnation. */
  readonly outcome: SharedArrayBuffer;
  readonly violated: SharedArrayBuffer;
  readonly readSeg: SharedArrayBuffer;
  readonly writeSeg: SharedArrayBuffer;
  readonly nodes: SharedArrayBuffer;
  readonly reads: SharedArrayBuffer;
  readonly writes: SharedArrayBuffer;
  /** Executor-wide, LOC_WORDS per state location: reused by every block, told apart by epoch. */
  readonly locations: SharedArrayBuffer;
}

/** Capacity of the shared arenas; running out fails the attempt (the block then runs inline). */
export function createStmBuffers(txCount: number, epoch: number, locations: SharedArrayBuffer): StmBuffers {
  const n = Math.max(1, txCount);
  const nodes = 4096 + 64 * n;
  const readWords = 65_536 + 2048 * n;
  const writeWords = 16_384 + 256 * n;
  return {
    txCount,
    epoch,
    header: new SharedArrayBuffer(SH.size * 4),
    status: new SharedArrayBuffer(n * 4),
    depHead: new SharedArrayBuffer(n * 4),
    depNext: new SharedArrayBuffer(n * 4),
    depLock: new SharedArrayBuffer(n * 4),
    gasUsed: new SharedArrayBuffer(n * 8),
    outcome: new SharedArrayBuffer(n),
    violated: new SharedArrayBuffer(n),
    readSeg: new SharedArrayBuffer(n * 4),
    writeSeg: new SharedArrayBuffer(n * 4),
    nodes: new SharedArrayBuffer(nodes * NODE_WORDS * 4),
    reads: new SharedArrayBuffer(readWords * 4),
    writes: new SharedArrayBuffer(writeWords * 4),
    locations,
  };
}

export function createStmLocationTable(capacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer(capacity * LOC_WORDS * 4);
}

/** Initialise a block's header (the arenas start at 1: offset 0 means "none"). */
export function initStmHeader(buffers: StmBuffers): void {
  const header = new Int32Array(buffers.header);
  header[SH.nodeTop] = 1;
  header[SH.readTop] = 1;
  header[SH.writeTop] = 1;
}

/** The multi-version memory ran out of room: the block runs again inline. */
export class StmCapacityError extends Error {
  override name = "StmCapacityError";
}

/** Errors and events of one incarnation (the main thread keeps the final incarnation's). */
export interface StmExtra {
  readonly index: number;
  readonly incarnation: number;
  readonly error?: string;
  readonly events?: readonly Event[];
}

export interface StmCounts {
  executions: number;
  validations: number;
  aborts: number;
}

const NO_TASK = 0;
const EXECUTION_TASK = 1;
const VALIDATION_TASK = 2;

/** One thread's view of a Block-STM block. */
export class BlockStmThread {
  readonly block: Block;
  readonly prepared: readonly PreparedTx[];
  readonly state: SharedState;
  readonly runtime: ContractRuntime;
  readonly #host: TxHost;
  readonly #feeId: number;
  readonly #gasPrice: bigint[];

  // Per block.
  #n = 0;
  #epoch = 0;
  #options: EngineOptions = { enforce: "fallback", checkSignatures: true, events: false };
  #header!: Int32Array;
  #status!: Int32Array;
  #depHead!: Int32Array;
  #depNext!: Int32Array;
  #depLock!: Int32Array;
  #gasUsed!: Float64Array;
  #outcome!: Uint8Array;
  #violated!: Uint8Array;
  #readSeg!: Int32Array;
  #writeSeg!: Int32Array;
  #nodes!: Int32Array;
  #nodeWords!: Uint32Array;
  #nodeCapacity = 0;
  #reads!: Int32Array;
  #writes!: Int32Array;
  #loc!: Int32Array;

  // The incarnation being executed.
  #tx = -1;
  #blockedOn = -1;
  #cache = new Map<string, Value | undefined>();
  readonly #readLog: number[] = [];
  readonly #pendingWrites: [string, Value | undefined][] = [];
  readonly #segment: number[] = [];
  #previous = new Map<number, number>();

  // Results of mvRead.
  #rTx = -1;
  #rInc = 0;
  readonly #scratch = new Uint32Array(SharedState.SLOT_WORDS);
  readonly #feeWords = new Uint32Array(8);

  extras = new Map<number, StmExtra>();
  counts: StmCounts = { executions: 0, validations: 0, aborts: 0 };
  /** Tests only (testHook.ts): undefined in production, so each point costs one branch. */
  hook: ThreadHook | undefined = undefined;
  /** Incarnations and validations with their times, when recording (see activity.ts). */
  activity: ActivityLog | undefined;
  /** performance.now() of the execution's start on this thread's clock. */
  #activityEpoch = 0;

  constructor(parameters: { block: Block; prepared: readonly PreparedTx[]; state: SharedState; runtime: ContractRuntime }) {
    this.block = parameters.block;
    this.prepared = parameters.prepared;
    this.state = parameters.state;
    this.runtime = parameters.runtime;
    const store: StateStore = {
      get: (loc) => this.#read(loc),
      set: () => {
        throw new Error("internal error: Block-STM writes go through the write set");
      },
      get size(): number {
        throw new Error("internal error: not available during Block-STM execution");
      },
      entries: () => {
        throw new Error("internal error: not available during Block-STM execution");
      },
      clone: () => {
        throw new Error("internal error: not available during Block-STM execution");
      },
    };
    this.#host = new TxHost(store, this.runtime, { number: this.block.number, timestamp: this.block.timestamp, sequencer: this.block.sequencer }, false);
    this.#feeId = this.state.intern(balanceLocation(this.block.sequencer));
    this.#gasPrice = this.prepared.map((p) => p.tx.gasPrice);
  }

  /** Attach to a block execution's buffers; `epoch` is the execution's start on this thread's clock. */
  begin(buffers: StmBuffers, options: EngineOptions, epoch = 0): void {
    this.#n = buffers.txCount;
    this.#epoch = buffers.epoch;
    this.#options = options;
    this.#host.recordEvents = options.events;
    this.#header = new Int32Array(buffers.header);
    this.#status = new Int32Array(buffers.status);
    this.#depHead = new Int32Array(buffers.depHead);
    this.#depNext = new Int32Array(buffers.depNext);
    this.#depLock = new Int32Array(buffers.depLock);
    this.#gasUsed = new Float64Array(buffers.gasUsed);
    this.#outcome = new Uint8Array(buffers.outcome);
    this.#violated = new Uint8Array(buffers.violated);
    this.#readSeg = new Int32Array(buffers.readSeg);
    this.#writeSeg = new Int32Array(buffers.writeSeg);
    this.#nodes = new Int32Array(buffers.nodes);
    this.#nodeWords = new Uint32Array(buffers.nodes);
    this.#nodeCapacity = this.#nodes.length / NODE_WORDS;
    this.#reads = new Int32Array(buffers.reads);
    this.#writes = new Int32Array(buffers.writes);
    this.#loc = new Int32Array(buffers.locations);
    this.extras = new Map();
    this.counts = { executions: 0, validations: 0, aborts: 0 };
    this.activity = options.activity === true ? new ActivityLog() : undefined;
    this.#activityEpoch = epoch;
  }

  // ---------------------------------------------------------------- multi-version memory

  #lock(id: number): void {
    const i = id * LOC_WORDS + 1;
    while (Atomics.compareExchange(this.#loc, i, 0, 1) !== 0) {
      // spin: the critical sections are a few list steps
    }
  }

  #unlock(id: number): void {
    Atomics.store(this.#loc, id * LOC_WORDS + 1, 0);
  }

  /** Head of `id`'s version list in this block (call under the lock). */
  #head(id: number): number {
    const b = id * LOC_WORDS;
    return this.#loc[b] === this.#epoch ? this.#loc[b + 2]! : 0;
  }

  /**
   * The version of `id` that tx `j` reads: 0 storage, 1 a value (copied into the scratch slot,
   * writer in #rTx/#rInc), 2 an ESTIMATE of #rTx.
   */
  #mvRead(id: number, j: number): 0 | 1 | 2 {
    const nodes = this.#nodes;
    this.#lock(id);
    let node = this.#head(id);
    while (node !== 0 && nodes[node * NODE_WORDS + N_TX]! >= j) node = nodes[node * NODE_WORDS + N_NEXT]!;
    if (node === 0) {
      this.#unlock(id);
      return 0;
    }
    const b = node * NODE_WORDS;
    this.#rTx = nodes[b + N_TX]!;
    this.#rInc = nodes[b + N_INC]!;
    if (nodes[b + N_EST] === 1) {
      this.#unlock(id);
      return 2;
    }
    const words = this.#nodeWords;
    const scratch = this.#scratch;
    for (let k = 0; k < SharedState.SLOT_WORDS; k++) scratch[k] = words[b + N_SLOT + k]!;
    this.#unlock(id);
    return 1;
  }

  #allocNode(): number {
    const node = Atomics.add(this.#header, SH.nodeTop, 1);
    if (node >= this.#nodeCapacity) throw new StmCapacityError("Block-STM multi-version memory is full");
    return node;
  }

  #allocArena(top: number, arena: Int32Array, words: number): number {
    const at = Atomics.add(this.#header, top, words);
    if (at + words > arena.length) throw new StmCapacityError("Block-STM read/write-set arena is full");
    return at;
  }

  /** Insert `node` of tx into `id`'s list, sorted by tx descending (call under the lock). */
  #insert(id: number, node: number, tx: number): void {
    const loc = this.#loc;
    const b = id * LOC_WORDS;
    if (loc[b] !== this.#epoch) {
      loc[b] = this.#epoch;
      loc[b + 2] = 0;
    }
    const nodes = this.#nodes;
    let previous = 0;
    let current = loc[b + 2]!;
    while (current !== 0 && nodes[current * NODE_WORDS + N_TX]! > tx) {
      previous = current;
      current = nodes[current * NODE_WORDS + N_NEXT]!;
    }
    nodes[node * NODE_WORDS + N_NEXT] = current;
    if (previous === 0) loc[b + 2] = node;
    else nodes[previous * NODE_WORDS + N_NEXT] = node;
  }

  #unlink(id: number, node: number): void {
    const loc = this.#loc;
    const b = id * LOC_WORDS;
    const nodes = this.#nodes;
    let previous = 0;
    let current = this.#head(id);
    while (current !== 0 && current !== node) {
      previous = current;
      current = nodes[current * NODE_WORDS + N_NEXT]!;
    }
    if (current === 0) return;
    const next = nodes[node * NODE_WORDS + N_NEXT]!;
    if (previous === 0) loc[b + 2] = next;
    else nodes[previous * NODE_WORDS + N_NEXT] = next;
  }

  /**
   * MVMemory.record: the incarnation's write set replaces the previous one's, and its read set is
   * published. Returns whether it wrote a location the previous incarnation did not.
   */
  #record(tx: number, incarnation: number): boolean {
    const nodes = this.#nodes;
    const words = this.#nodeWords;
    const writes = this.#writes;
    // Replaced, not cleared, for the reason TxHost.discard gives.
    if (this.#previous.size !== 0) this.#previous = new Map();
    const previous = this.#previous;
    const prevAt = Atomics.load(this.#writeSeg, tx);
    if (prevAt !== 0) {
      const count = writes[prevAt]!;
      for (let k = 0; k < count; k++) previous.set(writes[prevAt + 1 + 2 * k]!, writes[prevAt + 2 + 2 * k]!);
    }
    let wroteNew = false;
    const pending = this.#pendingWrites;
    const segment = this.#segment;
    segment.length = 0;
    for (const [loc, value] of pending) {
      const id = this.state.intern(loc);
      let node = previous.get(id);
      if (node !== undefined) {
        previous.delete(id);
        const b = node * NODE_WORDS;
        this.#lock(id);
        nodes[b + N_INC] = incarnation;
        encodeSlot(value, words, b + N_SLOT);
        nodes[b + N_EST] = 0;
        this.#unlock(id);
      } else {
        node = this.#allocNode();
        const b = node * NODE_WORDS;
        nodes[b + N_TX] = tx;
        nodes[b + N_INC] = incarnation;
        nodes[b + N_EST] = 0;
        nodes[b + N_LOC] = id;
        encodeSlot(value, words, b + N_SLOT);
        this.#lock(id);
        this.#insert(id, node, tx);
        this.#unlock(id);
        wroteNew = true;
      }
      segment.push(id, node);
    }
    if (previous.size > 0) for (const [id, node] of previous) {
      this.#lock(id);
      this.#unlink(id, node);
      this.#unlock(id);
    }
    const wAt = this.#allocArena(SH.writeTop, writes, 1 + segment.length);
    writes[wAt] = segment.length / 2;
    for (let k = 0; k < segment.length; k++) writes[wAt + 1 + k] = segment[k]!;
    Atomics.store(this.#writeSeg, tx, wAt);
    const log = this.#readLog;
    const reads = this.#reads;
    const rAt = this.#allocArena(SH.readTop, reads, 1 + log.length);
    reads[rAt] = log.length;
    for (let k = 0; k < log.length; k++) reads[rAt + 1 + k] = log[k]!;
    Atomics.store(this.#readSeg, tx, rAt);
    return wroteNew;
  }

  /** MVMemory.convert_writes_to_estimates. */
  #convertWritesToEstimates(tx: number): void {
    const at = Atomics.load(this.#writeSeg, tx);
    if (at === 0) return;
    const writes = this.#writes;
    const count = writes[at]!;
    for (let k = 0; k < count; k++) {
      const id = writes[at + 1 + 2 * k]!;
      const node = writes[at + 2 + 2 * k]!;
      this.#lock(id);
      this.#nodes[node * NODE_WORDS + N_EST] = 1;
      this.#unlock(id);
    }
  }

  /**
   * The fees of txs [from, to) into #feeWords; -1 when all are EXECUTED, else the first that is
   * not (a dependency).
   */
  #feesOf(from: number, to: number): { sum: bigint; blocking: number } {
    let sum = 0n;
    for (let i = from; i < to; i++) {
      if ((Atomics.load(this.#status, i) & 3) !== EXECUTED) return { sum, blocking: i };
      const gas = this.#gasUsed[i]!;
      if (gas > 0) sum += BigInt(gas) * this.#gasPrice[i]!;
    }
    return { sum, blocking: -1 };
  }

  /** MVMemory.validate_read_set. */
  #validateReadSet(tx: number): boolean {
    const at = Atomics.load(this.#readSeg, tx);
    if (at === 0) return true;
    const reads = this.#reads;
    const end = at + 1 + reads[at]!;
    for (let p = at + 1; p < end; ) {
      const id = reads[p]!;
      if (id === FEE_ENTRY) {
        const { sum, blocking } = this.#feesOf(reads[p + 1]!, tx);
        if (blocking >= 0) return false;
        sumToWords(sum, this.#feeWords);
        for (let k = 0; k < 8; k++) if (reads[p + 2 + k]! !== (this.#feeWords[k]! | 0)) return false;
        p += FEE_WORDS;
        continue;
      }
      const writer = reads[p + 1]!;
      const incarnation = reads[p + 2]!;
      p += READ_WORDS;
      if (this.hook !== undefined) this.hook.at(SYNC.stmRead, tx);
      const kind = this.#mvRead(id, tx);
      if (kind === 2) return false;
      if (kind === 0) {
        if (writer !== -1) return false;
      } else if (this.#rTx !== writer || this.#rInc !== incarnation) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- execution

  /** Stop the incarnation: it read something not ready yet (an ESTIMATE, or an unfinished fee). */
  #blocked(tx: number, loc: string): never {
    this.#blockedOn = tx;
    return this.#host.outOfSchedule(loc);
  }

  /** A read by the executing incarnation (the TxHost's state). */
  #read(loc: string): Value | undefined {
    if (this.#blockedOn >= 0) this.#blocked(this.#blockedOn, loc);
    const cache = this.#cache;
    const cached = cache.get(loc);
    if (cached !== undefined || cache.has(loc)) return cached;
    const tx = this.#tx;
    const id = this.state.intern(loc);
    if (this.hook !== undefined) this.hook.at(SYNC.stmRead, tx);
    const kind = this.#mvRead(id, tx);
    if (kind === 2) this.#blocked(this.#rTx, loc);
    let value = kind === 1 ? decodeSlot(this.#scratch, 0) : this.state.getById(id);
    const log = this.#readLog;
    if (kind === 1) log.push(id, this.#rTx, this.#rInc);
    else log.push(id, -1, 0);
    if (id === this.#feeId) {
      // The fee credits of [writer, tx): the writer's own fee is credited after it commits.
      const from = kind === 1 ? this.#rTx : 0;
      const { sum, blocking } = this.#feesOf(from, tx);
      if (blocking >= 0) this.#blocked(blocking, loc);
      sumToWords(sum, this.#feeWords);
      log.push(FEE_ENTRY, from);
      for (let k = 0; k < 8; k++) log.push(this.#feeWords[k]! | 0);
      if (sum !== 0n) {
        const total = ((value as bigint | undefined) ?? 0n) + sum;
        value = total === 0n ? undefined : total;
      }
    }
    cache.set(loc, value);
    return value;
  }

  /** try_execute: run an incarnation; returns the next task (validation of tx, or none). */
  #tryExecute(tx: number, incarnation: number): number {
    const host = this.#host;
    const prepared = this.prepared[tx]!;
    for (;;) {
      this.#tx = tx;
      this.#blockedOn = -1;
      if (this.#cache.size !== 0) this.#cache = new Map(); // not clear(): see TxHost.discard
      this.#readLog.length = 0;
      this.#pendingWrites.length = 0;
      this.counts.executions++;
      const log = this.activity;
      const started = log === undefined ? 0 : performance.now();
      const result = runTx(prepared, this.runtime, host, this.#options, () => {
        for (const entry of host.overlay) this.#pendingWrites.push(entry);
        host.discard();
      });
      const blocking = this.#blockedOn;
      this.#tx = -1;
      if (log !== undefined) {
        const stopped = result === undefined || blocking >= 0;
        log.push(stopped ? RAW_ACTIVITY.stopped : RAW_ACTIVITY.completed, tx, incarnation, started - this.#activityEpoch, performance.now() - this.#activityEpoch);
      }
      if (result === undefined || blocking >= 0) {
        if (blocking < 0) throw new Error(`internal error: transaction ${tx} stopped without a dependency`);
        this.counts.aborts++;
        if (!this.#addDependency(tx, blocking)) continue;
        return NO_TASK;
      }
      const r = result.receipt;
      this.#gasUsed[tx] = r.gasUsed;
      this.#outcome[tx] = r.status === "success" ? STATUS.success : r.status === "revert" ? STATUS.revert : r.status === "out-of-gas" ? STATUS.outOfGas : STATUS.invalid;
      this.#violated[tx] = result.violations > 0 ? 1 : 0;
      if (r.error !== undefined || r.events !== undefined) {
        this.extras.set(tx, { index: tx, incarnation, ...(r.error !== undefined ? { error: r.error } : {}), ...(r.events !== undefined ? { events: r.events } : {}) });
      }
      if (this.hook !== undefined) this.hook.at(SYNC.stmRecord, tx);
      const wroteNew = this.#record(tx, incarnation);
      return this.#finishExecution(tx, incarnation, wroteNew);
    }
  }

  /** needs_reexecution: validate an incarnation; returns the next task (re-execution, or none). */
  #validate(tx: number, incarnation: number): number {
    this.counts.validations++;
    const log = this.activity;
    const started = log === undefined ? 0 : performance.now();
    if (this.hook !== undefined) this.hook.at(SYNC.stmValidate, tx);
    const valid = this.#validateReadSet(tx);
    log?.push(valid ? RAW_ACTIVITY.validated : RAW_ACTIVITY.failedValidation, tx, incarnation, started - this.#activityEpoch, performance.now() - this.#activityEpoch);
    if (!valid && this.hook !== undefined) this.hook.at(SYNC.stmValidationAbort, tx);
    const aborted = !valid && this.#tryValidationAbort(tx, incarnation);
    if (aborted) {
      this.counts.aborts++;
      this.#convertWritesToEstimates(tx);
    }
    return this.#finishValidation(tx, aborted);
  }

  // ---------------------------------------------------------------- scheduler

  /** The task handed back by the scheduler functions: kind, and its version here. */
  #taskTx = -1;
  #taskInc = 0;

  #wake(): void {
    wakeSleepers({ header: this.#header, generation: SH.generation, sleepers: SH.sleepers });
  }

  #decreaseExecutionIdx(target: number): void {
    atomicMin(this.#header, SH.executionIdx, target);
    Atomics.add(this.#header, SH.decreaseCnt, 1);
    this.#wake();
  }

  #decreaseValidationIdx(target: number): void {
    atomicMin(this.#header, SH.validationIdx, target);
    Atomics.add(this.#header, SH.decreaseCnt, 1);
    this.#wake();
  }

  #checkDone(): void {
    const header = this.#header;
    const observed = Atomics.load(header, SH.decreaseCnt);
    const n = this.#n;
    if (
      Math.min(Atomics.load(header, SH.executionIdx), Atomics.load(header, SH.validationIdx)) >= n &&
      Atomics.load(header, SH.numActive) === 0 &&
      observed === Atomics.load(header, SH.decreaseCnt)
    ) {
      Atomics.store(header, SH.done, 1);
      Atomics.add(header, SH.generation, 1);
      Atomics.notify(header, SH.generation);
    }
  }

  /** try_incarnate without the num_active_tasks bookkeeping. */
  #incarnate(tx: number): boolean {
    if (tx >= this.#n) return false;
    const status = this.#status;
    if (this.hook !== undefined) this.hook.at(SYNC.stmIncarnate, tx);
    const word = Atomics.load(status, tx);
    if ((word & 3) !== READY) return false;
    if (Atomics.compareExchange(status, tx, word, (word & ~3) | EXECUTING) !== word) return false;
    this.#taskTx = tx;
    this.#taskInc = word >>> 2;
    return true;
  }

  #nextVersionToExecute(): number {
    const header = this.#header;
    if (Atomics.load(header, SH.executionIdx) >= this.#n) {
      this.#checkDone();
      return NO_TASK;
    }
    Atomics.add(header, SH.numActive, 1);
    const tx = Atomics.add(header, SH.executionIdx, 1);
    if (this.#incarnate(tx)) return EXECUTION_TASK;
    Atomics.sub(header, SH.numActive, 1);
    return NO_TASK;
  }

  #nextVersionToValidate(): number {
    const header = this.#header;
    if (Atomics.load(header, SH.validationIdx) >= this.#n) {
      this.#checkDone();
      return NO_TASK;
    }
    Atomics.add(header, SH.numActive, 1);
    const tx = Atomics.add(header, SH.validationIdx, 1);
    if (tx < this.#n) {
      const word = Atomics.load(this.#status, tx);
      if ((word & 3) === EXECUTED) {
        this.#taskTx = tx;
        this.#taskInc = word >>> 2;
        return VALIDATION_TASK;
      }
    }
    Atomics.sub(header, SH.numActive, 1);
    return NO_TASK;
  }

  #nextTask(): number {
    const header = this.#header;
    if (this.hook !== undefined) this.hook.at(SYNC.stmNext, -1);
    if (Atomics.load(header, SH.validationIdx) < Atomics.load(header, SH.executionIdx)) {
      const task = this.#nextVersionToValidate();
      if (task !== NO_TASK) return task;
    } else {
      const task = this.#nextVersionToExecute();
      if (task !== NO_TASK) return task;
    }
    return NO_TASK;
  }

  #lockDeps(tx: number): void {
    while (Atomics.compareExchange(this.#depLock, tx, 0, 1) !== 0) {
      // spin
    }
  }

  #unlockDeps(tx: number): void {
    Atomics.store(this.#depLock, tx, 0);
  }

  /** add_dependency: false when the blocking tx has executed meanwhile (run again at once). */
  #addDependency(tx: number, blocking: number): boolean {
    if (this.hook !== undefined) this.hook.at(SYNC.stmDependency, tx);
    this.#lockDeps(blocking);
    if ((Atomics.load(this.#status, blocking) & 3) === EXECUTED) {
      this.#unlockDeps(blocking);
      return false;
    }
    const word = Atomics.load(this.#status, tx);
    Atomics.store(this.#status, tx, (word & ~3) | ABORTING);
    this.#depNext[tx] = this.#depHead[blocking]!;
    this.#depHead[blocking] = tx + 1;
    this.#unlockDeps(blocking);
    Atomics.sub(this.#header, SH.numActive, 1);
    return true;
  }

  /** set_ready_status: ABORTING(i) → READY_TO_EXECUTE(i + 1). */
  #setReadyStatus(tx: number): void {
    if (this.hook !== undefined) this.hook.at(SYNC.stmReady, tx);
    const word = Atomics.load(this.#status, tx);
    Atomics.store(this.#status, tx, (((word >>> 2) + 1) << 2) | READY);
  }

  #finishExecution(tx: number, incarnation: number, wroteNew: boolean): number {
    if (this.hook !== undefined) this.hook.at(SYNC.stmExecuted, tx);
    Atomics.store(this.#status, tx, (incarnation << 2) | EXECUTED);
    this.#lockDeps(tx);
    let dependent = this.#depHead[tx]!;
    this.#depHead[tx] = 0;
    this.#unlockDeps(tx);
    if (dependent !== 0) {
      // Read the whole detached list before resuming any: a resumed tx may join another list.
      const resumed: number[] = [];
      while (dependent !== 0) {
        resumed.push(dependent - 1);
        dependent = this.#depNext[dependent - 1]!;
      }
      let min = this.#n;
      for (const d of resumed) {
        this.#setReadyStatus(d);
        if (d < min) min = d;
      }
      this.#decreaseExecutionIdx(min);
    }
    if (Atomics.load(this.#header, SH.validationIdx) > tx) {
      if (wroteNew) {
        this.#decreaseValidationIdx(tx);
      } else {
        this.#taskTx = tx;
        this.#taskInc = incarnation;
        return VALIDATION_TASK;
      }
    }
    Atomics.sub(this.#header, SH.numActive, 1);
    return NO_TASK;
  }

  #tryValidationAbort(tx: number, incarnation: number): boolean {
    const word = (incarnation << 2) | EXECUTED;
    return Atomics.compareExchange(this.#status, tx, word, (incarnation << 2) | ABORTING) === word;
  }

  #finishValidation(tx: number, aborted: boolean): number {
    if (aborted) {
      this.#setReadyStatus(tx);
      this.#decreaseValidationIdx(tx + 1);
      if (Atomics.load(this.#header, SH.executionIdx) > tx && this.#incarnate(tx)) return EXECUTION_TASK;
    }
    Atomics.sub(this.#header, SH.numActive, 1);
    return NO_TASK;
  }

  /**
   * Wait for a task: indices past the block, others still active (see sleep.ts).
   *
   * First, whether the block is done: a thread that took the last index and found it not READY
   * (#incarnate failed: another thread runs it) or not EXECUTED, gives up its task without
   * passing check_done, and if it was the last active one, nobody else will pass it either —
   * every thread would sleep on a finished block until its wait timed out (2 ms).
   */
  #idle(): void {
    const header = this.#header;
    const n = this.#n;
    if (Atomics.load(header, SH.executionIdx) >= n && Atomics.load(header, SH.validationIdx) >= n) this.#checkDone();
    const hasWork = () =>
      Atomics.load(header, SH.done) === 1 ||
      Atomics.load(header, SH.abort) === 1 ||
      Atomics.load(header, SH.executionIdx) < n ||
      Atomics.load(header, SH.validationIdx) < n;
    if (this.hook === undefined) idleUntil({ header, generation: SH.generation, sleepers: SH.sleepers }, hasWork, 200, 2);
    else this.hook.idle(SYNC.stmIdle, header, SH.generation, SH.sleepers, hasWork, 2);
  }

  /** The thread loop of the paper: run tasks until the block is done. */
  run(): void {
    const header = this.#header;
    const hook = this.hook;
    if (hook !== undefined) hook.join(SYNC.stmStart, header, SH.generation);
    try {
      this.#loop(hook);
    } finally {
      hook?.leave();
    }
  }

  #loop(hook: ThreadHook | undefined): void {
    const header = this.#header;
    let task = NO_TASK;
    while (Atomics.load(header, SH.done) === 0) {
      if (Atomics.load(header, SH.abort) === 1) return;
      if (task === EXECUTION_TASK) {
        const tx = this.#taskTx;
        if (hook !== undefined && hook.faultTx === tx) hook.fail(tx);
        task = this.#tryExecute(tx, this.#taskInc);
      } else if (task === VALIDATION_TASK) {
        task = this.#validate(this.#taskTx, this.#taskInc);
      }
      if (task === NO_TASK) {
        task = this.#nextTask();
        if (task === NO_TASK) this.#idle();
      }
    }
  }

  // ---------------------------------------------------------------- end of block (main thread)

  /**
   * Apply the block's final values to the state: the highest version of every location written,
   * then the fee credits after the last writer of the sequencer's balance. Returns per tx the
   * final incarnation, status code, gas used and whether it broke its declared list.
   */
  applyFinal(): { incarnation: Int32Array; status: Uint8Array; gasUsed: Float64Array; violated: Uint8Array } {
    const n = this.#n;
    const incarnation = new Int32Array(n);
    for (let tx = 0; tx < n; tx++) {
      const word = Atomics.load(this.#status, tx);
      if ((word & 3) !== EXECUTED) throw new Error(`internal error: Block-STM finished with transaction ${tx} not executed`);
      incarnation[tx] = word >>> 2;
    }
    const top = Atomics.load(this.#header, SH.nodeTop);
    const nodes = this.#nodes;
    const seen = new Set<number>();
    for (let node = 1; node < top; node++) {
      const id = nodes[node * NODE_WORDS + N_LOC]!;
      if (seen.has(id)) continue;
      seen.add(id);
      const head = this.#head(id);
      if (head === 0) continue;
      if (nodes[head * NODE_WORDS + N_EST] === 1) throw new Error(`internal error: Block-STM finished with an ESTIMATE at ${this.state.locationOf(id)}`);
      this.state.restoreSlot(id, this.#nodeWords, head * NODE_WORDS + N_SLOT);
    }
    const feeHead = this.#head(this.#feeId);
    const from = feeHead === 0 ? 0 : nodes[feeHead * NODE_WORDS + N_TX]!;
    const { sum } = this.#feesOf(from, n);
    if (sum !== 0n) {
      const old = this.state.getById(this.#feeId) as bigint | undefined;
      this.state.setById(this.#feeId, (old ?? 0n) + sum);
    }
    return { incarnation, status: this.#outcome.slice(), gasUsed: this.#gasUsed.slice(), violated: this.#violated.slice() };
  }

  /** Transactions whose latest incarnation has executed (a progress figure while the block runs). */
  executedCount(): number {
    let count = 0;
    for (let tx = 0; tx < this.#n; tx++) if ((Atomics.load(this.#status, tx) & 3) === EXECUTED) count++;
    return count;
  }

  /** Stop every thread of this block (a worker failed). */
  abort(): void {
    Atomics.store(this.#header, SH.abort, 1);
    Atomics.add(this.#header, SH.generation, 1);
    Atomics.notify(this.#header, SH.generation);
  }
}

function atomicMin(array: Int32Array, index: number, target: number): void {
  for (;;) {
    const current = Atomics.load(array, index);
    if (current <= target) return;
    if (Atomics.compareExchange(array, index, current, target) === current) return;
  }
}

const MASK32 = 0xffff_ffffn;

function sumToWords(sum: bigint, out: Uint32Array): void {
  let v = sum;
  for (let k = 0; k < 8; k++) {
    out[k] = Number(v & MASK32);
    v >>= 32n;
  }
}
