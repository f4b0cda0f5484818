/**
 * The loop every thread of a parallel block runs, workers and the main thread alike: pop a ready
 * transaction, run it against the shared state under its schedule guard, commit it (logging what
 * it overwrote), and release the transactions that waited for it.
 *
 * Why running straight on the shared state is safe: the conflict DAG orders every pair of
 * transactions that touch a common location with a write, and a transaction is released only when
 * all its predecessors have committed. So when it runs, the locations of its set hold exactly what
 * they hold in the sequential execution at that point, and no other running transaction touches
 * them. The guard checks that assumption on every access; an access outside the set stops the
 * attempt before the value is used, and the main thread recovers (see parallelExecutor.ts).
 *
 * A transaction in a round (BlockRun in parallelExecutor.ts runs the rounds; docs/executor-protocol.md):
 *
 *   WAITING ─ its last predecessor in the round commits (#releaseDag), or its column opens
 *             (#releaseColumn) ─────────────────────────────────────────────────────▶ READY
 *   READY   ─ a thread pops it (#drain) ──────────────────────────────────────────────▶ RUNNING
 *   RUNNING ─ runTx ends inside its set: writes applied, undo record in the thread's log ▶ COMMITTED
 *   RUNNING ─ the guard trips: nothing of it stays, the violation word drops to ≤ tx ─────▶ STOPPED
 *   READY, WAITING ─ the round stops first ─────────────────────────────────────────────▶ pending
 *   and once the round is over, v its final violation (BlockRun.#round, runBelow):
 *   COMMITTED above v ─ rolled back by the calling thread, newest commit first ──────────▶ pending
 *   COMMITTED at or below v ─ stays; its record stays in its thread's log
 *   STOPPED v ─ every transaction below v committed, nothing above it: runs alone on the calling
 *               thread, unguarded ──────────────────────────────────────────────────────▶ COMMITTED
 *   STOPPED above v ────────────────────────────────────────────────────────────────────▶ pending
 *
 * The invariants that make that the sequential result:
 *
 * 1. What a commit promises: the transaction ran with all its DAG predecessors committed and no
 *    running transaction touching its set, so it saw the sequential values of its set — unless a
 *    transaction below it left its own set (it may have touched one of them). Then, and only
 *    then, the commit is rolled back before that transaction runs again.
 * 2. The violation word only decreases during a round (a CAS to the minimum; -1 when the round is
 *    aborted), and a thread takes no transaction once it is below the block's size. It is final
 *    once every thread of the round has counted itself stopped (H.stopped = H.participants):
 *    only then may a worker read it to hand back its records (endRound).
 * 3. Who may undo what: a commit's undo record belongs to the thread that made it until that
 *    thread hands it back — at the end of a round, only records above the final violation. Only
 *    the calling thread applies handed-back records, between rounds, while no worker runs. A
 *    thread undoes on its own only its open, uncommitted attempt (UndoLog.abortOpen).
 * 4. Rollback happens newest commit first: two commits that wrote a common location were ordered
 *    by the DAG, so by index; restoring in descending index order puts back the oldest value.
 */
import type { TxAccessSet } from "../../core/accessSet.js";
import { accessMatchers } from "../../core/location.js";
import { balanceLocation } from "../../core/protocol.js";
import type { Block, EnforcementPolicy, Event, Receipt, Value } from "../../core/types.js";
import type { ContractRuntime } from "../../contracts/runtime/runtime.js";
import type { SharedState } from "../../state/sharedState.js";
import type { PreparedTx } from "../prepare.js";
import { runTx } from "../runTx.js";
import { TxHost, type ScheduleGuard } from "../txHost.js";
import { BlockView, H, STATUS } from "./blockBuffers.js";
import { UndoLog, applyUndoRecord, type UndoRecord } from "./undoLog.js";
import { SYNC, type ThreadHook } from "./testHook.js";
import { ActivityLog, RAW_ACTIVITY } from "../activity.js";

export type ReleasePolicy = "dag" | "columns";

export interface EngineOptions {
  readonly enforce: EnforcementPolicy;
  readonly checkSignatures: boolean;
  readonly events: boolean;
  /** Record every attempt with its times (for reports; see activity.ts). */
  readonly activity?: boolean;
}

export type { UndoRecord };

export interface ReceiptExtra {
  readonly index: number;
  readonly error?: string;
  readonly events?: readonly Event[];
}

/** One thread's view of one block: what it needs to run any of the block's transactions. */
export class BlockThread {
  view: BlockView;
  readonly block: Block;
  readonly prepared: readonly PreparedTx[];
  readonly sets: readonly TxAccessSet[];
  readonly state: SharedState;
  readonly runtime: ContractRuntime;
  options: EngineOptions;
  readonly threadId: number;
  readonly successorOffsets: Int32Array;
  readonly successors: Int32Array;
  /** Per tx, the priority level its ready queue has (see BlockView.push). */
  readonly priority: Uint8Array;
  /** What the transactions this thread committed in this execution overwrote. */
  readonly undo: UndoLog;
  /** Errors and events of committed transactions, sent to the main thread after each round. */
  extras: ReceiptExtra[] = [];
  /** Attempts and discarded attempts in this execution (counted here, summed by the main thread). */
  executions = 0;
  aborts = 0;
  /** This execution's attempts, when recording (taken by the round's result). */
  activity: ActivityLog | undefined;
  /**
   * On the calling thread (thread 0): the receipt of each transaction it committed last, by index.
   * A block's receipts are made when it ends, on this thread alone, while the workers are idle
   * (~0.4 µs each, 4-7 ms for 10,000 transactions, 3-5% of an ERC-20 block at two threads); for
   * the transactions this thread ran, runTx made them already. A receipt here is the current one
   * exactly when the block's outcome says thread 0 committed the transaction: every commit on
   * this thread overwrites it, and one on a worker changes the outcome's thread.
   */
  readonly receipts: (Receipt | undefined)[] | undefined;
  readonly #guards: (ScheduleGuard | undefined)[];
  readonly #host: TxHost;
  readonly #feeLocationId: number;
  /** Moves the host's overlay into the shared state, logging what each write overwrites. */
  readonly #commit: () => void;
  readonly #commitEntry: (value: Value | undefined, loc: string) => void;
  #epoch: number;
  /** Which execution of the block the view belongs to. */
  executionId = -1;
  /** Tests only (testHook.ts): undefined in production, so each point costs one branch. */
  hook: ThreadHook | undefined = undefined;
  /** The transaction being executed (for the hook's commit point). */
  #tx = -1;

  constructor(parameters: {
    view: BlockView;
    block: Block;
    prepared: readonly PreparedTx[];
    sets: readonly TxAccessSet[];
    state: SharedState;
    runtime: ContractRuntime;
    options: EngineOptions;
    threadId: number;
    successorOffsets: Int32Array;
    successors: Int32Array;
    priority: Uint8Array;
    epoch: number;
  }) {
    this.view = parameters.view;
    this.block = parameters.block;
    this.prepared = parameters.prepared;
    this.sets = parameters.sets;
    this.state = parameters.state;
    this.runtime = parameters.runtime;
    this.options = parameters.options;
    this.threadId = parameters.threadId;
    this.successorOffsets = parameters.successorOffsets;
    this.successors = parameters.successors;
    this.priority = parameters.priority;
    this.#epoch = parameters.epoch;
    this.#guards = new Array(this.prepared.length);
    this.undo = new UndoLog(this.prepared.length);
    this.#host = new TxHost(this.state, this.runtime, { number: this.block.number, timestamp: this.block.timestamp, sequencer: this.block.sequencer }, false);
    this.#host.recordEvents = this.options.events;
    this.#feeLocationId = this.state.intern(balanceLocation(this.block.sequencer));
    this.receipts = this.threadId === 0 ? new Array<Receipt | undefined>(this.prepared.length).fill(undefined) : undefined;
    // Made once: a closure per transaction, and a [location, value] pair per write when the
    // overlay is iterated with for…of, were a tenth of what a token transfer allocates here, and
    // on two busy cores every young-generation collection runs without a helper thread.
    const state = this.state;
    const undo = this.undo;
    const host = this.#host;
    this.#commitEntry = (value, loc) => {
      const id = state.intern(loc);
      undo.record(state, id);
      state.setById(id, value);
    };
    this.#commit = () => {
      if (this.hook !== undefined) this.hook.at(SYNC.commit, this.#tx);
      host.overlay.forEach(this.#commitEntry);
      host.discard();
    };
  }

  /** Start a new execution of the block over fresh shared buffers. */
  begin(view: BlockView, options: EngineOptions, epoch: number, executionId: number): void {
    this.view = view;
    this.options = options;
    this.#host.recordEvents = options.events;
    this.#epoch = epoch;
    this.executionId = executionId;
    this.undo.reset(this.prepared.length);
    this.extras = [];
    this.executions = 0;
    this.aborts = 0;
    this.activity = options.activity === true ? new ActivityLog() : undefined;
  }

  #guard(tx: number): ScheduleGuard {
    let guard = this.#guards[tx];
    if (guard === undefined) {
      const set = this.sets[tx]!;
      guard = accessMatchers(set.reads, set.writes);
      this.#guards[tx] = guard;
    }
    return guard;
  }

  /**
   * Credit the sequencer with the fees of every transaction before `tx` not yet credited. Only
   * transactions that reach the sequencer's balance do this, and the DAG runs them after every
   * earlier transaction, so the sum is final and no other thread touches the balance meanwhile.
   */
  #creditPendingFees(tx: number): void {
    const view = this.view;
    const cursor = Atomics.load(view.header, H.feeCursor);
    if (cursor >= tx) return;
    const sum = feesOf(view, this.prepared, cursor, tx);
    this.undo.recordFeeCursor(cursor);
    this.undo.record(this.state, this.#feeLocationId);
    const old = this.state.getById(this.#feeLocationId);
    this.state.setById(this.#feeLocationId, ((old as bigint | undefined) ?? 0n) + sum);
    Atomics.store(view.header, H.feeCursor, tx);
  }

  /** Run one transaction; false when it left its scheduled set (nothing committed). */
  execute(tx: number, guarded: boolean): boolean {
    const view = this.view;
    const host = this.#host;
    const undo = this.undo;
    this.#tx = tx;
    undo.begin(tx);
    if (this.sets[tx]!.feeRecipient !== "none" || !guarded) this.#creditPendingFees(tx);
    host.guard = guarded ? this.#guard(tx) : undefined;
    const started = performance.now();
    this.executions++;
    const result = runTx(this.prepared[tx]!, this.runtime, host, this.options, this.#commit);
    host.guard = undefined;
    if (result === undefined) {
      if (this.hook !== undefined) this.hook.at(SYNC.guard, tx);
      const cursor = undo.abortOpen(this.state);
      if (cursor >= 0) Atomics.store(view.header, H.feeCursor, cursor);
      this.aborts++;
      this.activity?.push(RAW_ACTIVITY.stopped, tx, 0, started - this.#epoch, performance.now() - this.#epoch);
      return false;
    }
    const r = result.receipt;
    const startMs = started - this.#epoch;
    const endMs = performance.now() - this.#epoch;
    this.activity?.push(RAW_ACTIVITY.completed, tx, 0, startMs, endMs);
    if (r.error !== undefined || r.events !== undefined) {
      this.extras.push({ index: tx, ...(r.error !== undefined ? { error: r.error } : {}), ...(r.events !== undefined ? { events: r.events } : {}) });
    }
    undo.commit(tx);
    if (this.receipts !== undefined) this.receipts[tx] = r;
    const status = r.status === "success" ? STATUS.success : r.status === "revert" ? STATUS.revert : r.status === "out-of-gas" ? STATUS.outOfGas : STATUS.invalid;
    view.setCommitted(tx, { status, gasUsed: r.gasUsed, violated: result.violations > 0, thread: this.threadId, startMs, endMs });
    return true;
  }

  #releaseDag(tx: number): void {
    const view = this.view;
    for (let e = this.successorOffsets[tx]!; e < this.successorOffsets[tx + 1]!; e++) {
      const s = this.successors[e]!;
      if (view.inRound[s] === 1 && Atomics.sub(view.remaining, s, 1) === 1) {
        if (this.hook !== undefined) this.hook.at(SYNC.push, s);
        view.push(s, this.priority[s]!);
      }
    }
  }

  #releaseColumn(): void {
    const view = this.view;
    if (Atomics.sub(view.header, H.columnRemaining, 1) !== 1) return;
    // The last transaction of a column to finish opens the next one: a barrier, as columns promise.
    const next = Atomics.load(view.header, H.column) + 1;
    const from = view.columnOffsets[next];
    const to = view.columnOffsets[next + 1];
    if (from === undefined || to === undefined || from >= to) return;
    if (this.hook !== undefined) this.hook.at(SYNC.push, -1);
    Atomics.store(view.header, H.column, next);
    Atomics.store(view.header, H.columnRemaining, to - from);
    for (let k = from; k < to; k++) view.push(view.columnMembers[k]!, 0);
  }

  /** A round on this thread alone (an executor of one thread): the whole round, no workers. */
  runRoundAlone(policy: ReleasePolicy): void {
    this.hook?.join(SYNC.roundStart, this.view.header, H.generation);
    try {
      this.runRound(policy);
    } finally {
      this.hook?.leave();
    }
  }

  /**
   * The calling thread's end of a round run with workers: it counts itself stopped, so that the
   * workers' barrier can open once they have stopped too (endRound), and leaves the turnstile.
   */
  async leaveRound(stop: Promise<unknown>): Promise<void> {
    if (this.hook !== undefined) await this.hook.atAsync(SYNC.roundEnd, -1, stop);
    this.view.stopThread();
    this.hook?.leave();
  }

  /** The round loop of a worker. Returns when the round is complete or a violation stopped it. */
  runRound(policy: ReleasePolicy): void {
    const hook = this.hook;
    while (this.#drain(policy, false, undefined) !== "over") {
      if (hook === undefined) this.view.idle();
      else hook.idle(SYNC.idle, this.view.header, H.generation, H.sleepers, this.view.hasWorkCheck, 5);
    }
  }

  /**
   * The main thread's share of a round run by workers: like `runRound`, but it never sleeps.
   * When nothing is ready it returns "idle", so that the caller can go back to its event loop —
   * the only place it can learn that a worker died (see BlockRun.#round); "over" when the round
   * is (complete, or stopped by a violation or a failure).
   *
   * A transaction chosen for fault injection is left to the workers (pushed back, and the main
   * thread steps aside, "aside"): the injected fault is a worker's, never the main thread's.
   */
  helpRound(policy: ReleasePolicy, tick: (() => void) | undefined): "over" | "idle" | "aside" {
    return this.#drain(policy, true, tick);
  }

  /**
   * Run ready transactions until none is ready ("idle") or the round is over. Meeting the
   * fault-injected transaction (tests), a worker fails as asked; the main thread (`stepAside`)
   * leaves it.
   */
  #drain(policy: ReleasePolicy, stepAside: boolean, tick: (() => void) | undefined): "over" | "idle" | "aside" {
    const view = this.view;
    const header = view.header;
    const txCount = view.txCount;
    const hook = this.hook;
    // The main thread's event loop does not run while it works: progress is reported from here.
    for (let ran = 1; ; ran++) {
      if (tick !== undefined && (ran & 127) === 0) tick();
      if (hook !== undefined) hook.at(SYNC.pop, -1);
      if (Atomics.load(header, H.violation) < txCount) return "over";
      if (Atomics.load(header, H.done) >= Atomics.load(header, H.total)) return "over";
      const tx = view.pop();
      if (tx < 0) return "idle";
      if (hook !== undefined && hook.faultTx === tx) {
        if (!stepAside) hook.fail(tx);
        hook.at(SYNC.push, tx);
        view.push(tx, this.priority[tx]!);
        return "aside";
      }
      // An `unknown` transaction is a barrier in the DAG: nothing runs beside it, so it needs no guard.
      if (!this.execute(tx, this.sets[tx]!.class !== "unknown")) {
        if (hook !== undefined) hook.at(SYNC.flag, tx);
        view.flagViolation(tx);
        view.wakeAll();
        return "over";
      }
      if (policy === "dag") this.#releaseDag(tx);
      else this.#releaseColumn();
      if (Atomics.add(header, H.done, 1) + 1 >= Atomics.load(header, H.total)) view.wakeAll();
    }
  }

  /**
   * A worker's end of a round: count itself stopped, and when the round stopped on a violation,
   * hand back the undo records of its commits above the violation — once the violation is final.
   *
   * Why wait for the others (the barrier): the violation word only decreases while any thread of
   * the round still runs a transaction. A thread that read it as v while another thread was still
   * running transaction u < v, which then left its set too, would hand back only its commits above
   * v; its commits in (u, v] would survive a rollback to u, and u would run again after them — a
   * later transaction's effect applied before an earlier one's, on a state it never saw. Once
   * every thread of the round has stopped (the main thread counts itself when it leaves the round,
   * leaveRound), nobody can flag again, and the word read here is the round's final
   * violation. A round that completed has no violation and nothing to wait for: the barrier costs
   * only rounds that are already recovering. A thread that dies never counts itself: the main
   * thread then aborts the round (violation -1), which ends the wait too.
   */
  endRound(): [number, UndoRecord][] {
    const view = this.view;
    const header = view.header;
    const hook = this.hook;
    if (hook !== undefined) hook.at(SYNC.roundEnd, -1);
    view.stopThread();
    // A round that ended without a violation completed: nothing runs, nothing can be flagged.
    if (Atomics.load(header, H.violation) < view.txCount) {
      const final = view.everyoneStopped;
      while (!final()) {
        if (hook === undefined) view.waitFor(final);
        else hook.idle(SYNC.barrier, header, H.generation, H.sleepers, final, 5);
      }
    }
    if (hook !== undefined) hook.at(SYNC.read, -1);
    const violation = Atomics.load(header, H.violation);
    if (violation >= view.txCount) return [];
    if (hook !== undefined) hook.at(SYNC.undo, violation);
    return this.undo.takeAfter(violation);
  }

  /** Undo records of committed transactions after `index`, for the main thread to roll back. */
  takeUndoAfter(index: number): [number, UndoRecord][] {
    return this.undo.takeAfter(index);
  }
}

/** The fees of transactions [from, to): what the sequencer is owed for them. */
export function feesOf(view: BlockView, prepared: readonly PreparedTx[], from: number, to: number): bigint {
  let sum = 0n;
  for (let i = from; i < to; i++) {
    const gas = view.gasUsed(i);
    if (gas > 0) sum += BigInt(gas) * prepared[i]!.tx.gasPrice;
  }
  return sum;
}

/** Apply an undo record produced by any thread. */
export function applyUndo(state: SharedState, header: Int32Array, record: UndoRecord): void {
  applyUndoRecord(state, record);
  if (record.feeCursorBefore >= 0) Atomics.store(header, H.feeCursor, record.feeCursorBefore);
}
