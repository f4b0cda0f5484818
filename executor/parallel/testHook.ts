/**
 * The executor's one test hook: injected worker faults, and a turnstile (turnstile.ts) that
 * pauses every synchronization point of the worker protocol so a test chooses their order. Passed
 * as `ExecuteParallelParameters.testHook`; not part of the documented API.
 *
 * Cost when off: each thread holds its hook in a field that is undefined in production, and every
 * point is `if (hook !== undefined) …` — one well-predicted branch, no call, no allocation. Faults
 * never end a process from inside the executor's loops: a fault is an exception (InjectedFault,
 * or InjectedWorkerExit, which the worker's task turns into the thread's death, outside the loops).
 */
import { waitAsync } from "./sessions.js";
import { TURNSTILE_SLOTS, TurnstileGate, type Turnstile } from "./turnstile.js";

/** Make the worker that picks transaction `tx` throw, or die (its thread exits). */
export interface FaultInjection {
  readonly tx: number;
  readonly kind: "throw" | "exit";
}

/** @internal For tests only. */
export interface ExecutorTestHook {
  readonly fault?: FaultInjection;
  /** Pause every synchronization point until the turnstile's schedule grants it. */
  readonly turnstile?: Turnstile;
}

/**
 * The synchronization points of the protocol. DAG rounds (hybrid, columns; engine.ts):
 * a thread joins at `roundStart`, stops at `pop` before it looks for a ready transaction (and
 * reads the violation word), at `commit` before a transaction's writes reach the shared state, at
 * `guard` when a transaction left its set, at `flag` before it records the violation, at `push`
 * before it makes a transaction ready, blocks at `idle` with nothing ready, stops at `roundEnd`
 * before it counts itself stopped, blocks at `barrier` until every thread of the round has
 * stopped, then stops at `read` before it reads the final violation and at `undo` before it hands
 * its undo records back.
 *
 * Block-STM (blockstm.ts): `stmStart`, `stmNext` before the scheduler hands out a task,
 * `stmIncarnate` before READY → EXECUTING, `stmRead` before a read of multi-version memory,
 * `stmRecord` before an incarnation's writes are published, `stmExecuted` before EXECUTING →
 * EXECUTED, `stmDependency` before EXECUTING → ABORTING on a dependency, `stmValidate` before a
 * read set is validated, `stmValidationAbort` before EXECUTED → ABORTING, `stmReady` before
 * ABORTING → READY (next incarnation), `stmIdle` blocked with no task.
 */
export const SYNC = {
  roundStart: 1,
  pop: 2,
  commit: 3,
  guard: 4,
  flag: 5,
  push: 6,
  idle: 7,
  roundEnd: 8,
  barrier: 9,
  read: 10,
  undo: 11,
  stmStart: 12,
  stmNext: 13,
  stmIncarnate: 14,
  stmRead: 15,
  stmRecord: 16,
  stmExecuted: 17,
  stmDependency: 18,
  stmValidate: 19,
  stmValidationAbort: 20,
  stmReady: 21,
  stmIdle: 22,
} as const;

export type SyncPoint = (typeof SYNC)[keyof typeof SYNC];

/** Point names by number (for traces). */
export const SYNC_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(SYNC).map(([name, point]) => [point, name]));

/** An injected fault: the worker's task fails (its session replies with the failure and ends). */
export class InjectedFault extends Error {
  override name = "InjectedFault";
}

/** An injected death: the worker's task catches it and ends its thread. */
export class InjectedWorkerExit extends Error {
  override name = "InjectedWorkerExit";
}

/** What a worker receives with a round or a Block-STM task to build its ThreadHook. */
export interface ThreadHookData {
  readonly fault?: FaultInjection;
  readonly turnstile?: { readonly buffer: SharedArrayBuffer; readonly slot: number };
}

/** The hook data for one thread: the calling thread is slot 0, the k-th worker slot k. */
export function threadHookData(hook: ExecutorTestHook, slot: number): ThreadHookData {
  if (hook.turnstile !== undefined && slot >= TURNSTILE_SLOTS) throw new RangeError(`a turnstile holds ${TURNSTILE_SLOTS} threads; this executor has more`);
  return {
    ...(hook.fault !== undefined ? { fault: hook.fault } : {}),
    ...(hook.turnstile !== undefined ? { turnstile: { buffer: hook.turnstile.buffer, slot } } : {}),
  };
}

/** `task` for the worker in `slot`, with its hook data when a test gave a hook. */
export function withThreadHook<T extends object>(task: T, hook: ExecutorTestHook | undefined, slot: number): T {
  return hook === undefined ? task : { ...task, hook: threadHookData(hook, slot) };
}

/** The calling thread's hook (slot 0), without the fault when it must not fail (Block-STM's). */
export function callingThreadHook(hook: ExecutorTestHook | undefined, withFault: boolean): ThreadHook | undefined {
  if (hook === undefined) return undefined;
  const own: ExecutorTestHook = withFault ? hook : { ...(hook.turnstile !== undefined ? { turnstile: hook.turnstile } : {}) };
  return new ThreadHook(threadHookData(own, 0));
}

/**
 * One thread's hook for one round or Block-STM run. Without a turnstile, points pass and blocked
 * waits sleep on their word as in production.
 */
export class ThreadHook {
  /** The transaction whose pick fails this thread (-1: none). */
  readonly faultTx: number;
  readonly #faultKind: FaultInjection["kind"];
  readonly gate: TurnstileGate | undefined;

  constructor(data: ThreadHookData) {
    this.faultTx = data.fault?.tx ?? -1;
    this.#faultKind = data.fault?.kind ?? "throw";
    this.gate = data.turnstile === undefined ? undefined : new TurnstileGate(data.turnstile.buffer, data.turnstile.slot);
  }

  /** Fail as injected, having picked `tx`: leave the turnstile first, so nobody waits for us. */
  fail(tx: number): never {
    this.gate?.leave();
    if (this.#faultKind === "exit") throw new InjectedWorkerExit(`injected worker exit at transaction ${tx}`);
    throw new InjectedFault(`injected fault at transaction ${tx}`);
  }

  /** Start a phase of `expected` threads (the calling thread, before it hands out the phase). */
  beginPhase(expected: number): void {
    this.gate?.beginPhase(expected);
  }

  join(point: SyncPoint, watch: Int32Array, index: number): void {
    this.gate?.join(point, watch, index);
  }

  /**
   * The calling thread's join, stops and idle waits outside transactions are asynchronous, and
   * race `stop` (a worker's session ended). Why: its event loop must keep running while it
   * waits there. A worker whose session is not started yet gets its round only once piscina
   * dispatches the session, from this event loop, so a blocking wait at the round's start would
   * wait for a worker that waits for it; and a worker's death reaches this thread only as a
   * rejected task, through the same loop (a death the hook injects announces itself first, by
   * leaving the turnstile). Inside a transaction (commit, guard, flag, push) the calling thread
   * does block: runTx is synchronous and cannot yield. That cannot deadlock: by then every
   * worker of the round has joined, and no worker needs this event loop to reach its next point
   * (rounds and replies travel through shared memory, sessions.ts); a worker that dies
   * unannounced is caught by the turnstile's stall timeout.
   */
  async joinAsync(point: SyncPoint, watch: Int32Array, index: number, stop: Promise<unknown>): Promise<void> {
    await this.gate?.joinAsync(point, watch, index, stop);
  }

  async atAsync(point: SyncPoint, tx: number, stop: Promise<unknown>): Promise<void> {
    await this.gate?.arriveAsync(point, tx, stop);
  }

  /** The calling thread's idle wait (see joinAsync): as `idle`, without blocking its event loop. */
  async idleAsync(point: SyncPoint, header: Int32Array, generation: number, sleepers: number, ready: () => boolean, stop: Promise<unknown>): Promise<void> {
    const seen = Atomics.load(header, generation);
    Atomics.add(header, sleepers, 1);
    try {
      if (ready()) return;
      if (this.gate === undefined) {
        const wait = waitAsync(header, generation, seen, 5);
        if (wait.async) await Promise.race([wait.value, stop]);
      } else {
        await this.gate.blockAsync(point, header, generation, seen, 5, stop);
      }
    } finally {
      Atomics.sub(header, sleepers, 1);
    }
  }

  at(point: SyncPoint, tx: number): void {
    this.gate?.arrive(point, tx);
  }

  leave(): void {
    this.gate?.leave();
  }

  /**
   * Sleep as an idle executor thread does (sleep.ts): read the generation word, count as a
   * sleeper (so producers move the word), and unless `ready()` wait until the word moves.
   */
  idle(point: SyncPoint, header: Int32Array, generation: number, sleepers: number, ready: () => boolean, timeoutMs: number): void {
    const seen = Atomics.load(header, generation);
    Atomics.add(header, sleepers, 1);
    try {
      if (ready()) return;
      if (this.gate === undefined) Atomics.wait(header, generation, seen, timeoutMs);
      else this.gate.block(point, header, generation, seen, timeoutMs);
    } finally {
      Atomics.sub(header, sleepers, 1);
    }
  }
}
