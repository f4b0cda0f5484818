/**
 * A turnstile for the executor's threads under test: every thread of a round (the calling thread
 * and the workers) or of a Block-STM run stops at each synchronization point of the protocol
 * (SYNC in testHook.ts), announces (thread, point, transaction) in shared memory, and waits until
 * it is granted. A schedule decides which waiting thread goes next. So a test chooses the order in
 * which the protocol's steps interleave instead of hoping a machine's timing produces it, and an
 * order that broke something is replayed exactly from its choices or its seed.
 *
 * Exactly one thread of a phase runs at a time once every participant has joined: a decision is
 * made only when no joined thread is running, and it grants one. So between two points a thread
 * has the shared memory to itself, and the outcome of a run is a function of the choices alone.
 *
 * There is no controller thread. The thread whose arrival leaves nobody running makes the decision
 * itself, under the turnstile's lock, from data in shared memory (the choices to replay, a PRNG
 * state, hold rules), and records it in the trace. Why not a controller on the test's thread: the
 * calling thread runs transactions of the round too, synchronously, and cannot both wait at a
 * point and decide; a dedicated controller thread would need its own lifecycle and would add a
 * hand-off (and a context switch) to every step.
 *
 * Two kinds of waits:
 * - at a point (`arrive`): the thread is ready to take its next step; it may be chosen at once.
 * - blocked (`block`): the thread waits for work or for the other threads (idle, the end-of-round
 *   barrier), as it would sleep on its block's generation word. It may be chosen only after that
 *   word moved since it blocked (a producer published work or the round changed), and then it
 *   looks again. So an idle thread is never granted into the same empty queue twice, and an
 *   exhaustive enumeration stays finite.
 *
 * Nothing here runs in production: the executor reaches it only through a ThreadHook, which is
 * undefined unless a test passed one.
 */
import { waitAsync } from "./sessions.js";
import type { SyncPoint } from "./testHook.js";

/** Threads a turnstile can hold: the calling thread (slot 0) and up to 15 workers. */
export const TURNSTILE_SLOTS = 16;
/** Decisions recorded per run (and choices a schedule can replay). */
export const TURNSTILE_TRACE = 16_384;
const HOLD_RULES = 8;
/** PCT's priority change points, at most (its depth − 1). */
const CHANGE_POINTS = 8;
const REST = { first: 0, random: 1, pct: 2, stay: 3 } as const;
const WAKE_ALL = -2;

/** Header words. */
const T = {
  lock: 0,
  /** 1 while the turnstile controls the threads; 0 passes every point (released, or never reset). */
  active: 1,
  /** Threads the current phase waits for before the first decision. */
  expected: 2,
  joined: 3,
  /** Joined threads between a grant and their next arrival. */
  running: 4,
  /** Decisions made in this run. */
  step: 5,
  /** The xorshift32 state of random choices. */
  rng: 6,
  prefixLength: 7,
  holdCount: 8,
  /** Why the turnstile released every thread (FAILURE), 0 while in control. */
  failure: 9,
  /** After the prefix: REST.first, REST.random or REST.pct. */
  rest: 10,
  /** PCT: the slot chosen last (its priority drops at a change point), and the change points. */
  lastSlot: 11,
  changeCount: 12,
  size: 16,
} as const;

/** Per-slot words. */
const S = { state: 0, point: 1, tx: 2, since: 3, grant: 4, watchIndex: 5, words: 8 } as const;
const SLOT_BASE = T.size;
const HOLD_BASE = SLOT_BASE + TURNSTILE_SLOTS * S.words;
const PRIORITY_BASE = HOLD_BASE + HOLD_RULES * 3;
const CHANGE_BASE = PRIORITY_BASE + TURNSTILE_SLOTS;
const PREFIX_BASE = CHANGE_BASE + CHANGE_POINTS;
const TRACE_WORDS = 6;
const TRACE_BASE = PREFIX_BASE + TURNSTILE_TRACE;
const TOTAL_WORDS = TRACE_BASE + TURNSTILE_TRACE * TRACE_WORDS;

/** A slot's state in the current phase. */
const ABSENT = 0;
const RUNNING = 1;
const AT = 2;
const BLOCKED = 3;
const LEFT = 4;

export const TURNSTILE_FAILURE = { none: 0, stall: 1, deadlock: 2, traceFull: 3, released: 4 } as const;
const FAILURE_NAMES = ["none", "stall", "deadlock", "trace full", "released"] as const;

/**
 * No decision for this long while a thread waits: a thread died without leaving, or the protocol
 * deadlocked. The turnstile then releases everyone (the run finishes as in production) and says
 * so. Generous: a worker's first round of a block may include compiling its contracts.
 */
const STALL_MS = 60_000;
/**
 * Every participant waiting and none of them enabled for this long: the protocol deadlocked (or
 * relied on a wait's timeout to see something nobody announced, a lost wake-up). An abort from
 * the calling thread's event loop, the one legitimate outside event, comes within milliseconds.
 */
const DEADLOCK_MS = 5_000;
/** How often a waiter looks whether something outside the turnstile moved (a fault's abort). */
const POLL_MS = 20;

/** Which waiting thread a decision may not choose while another is enabled. */
export interface HoldRule {
  /** The thread's slot (0 the calling thread, k the k-th worker), or any. */
  readonly slot?: number;
  readonly point: SyncPoint;
  /** The transaction, or any. */
  readonly tx?: number;
}

export interface TurnstileSchedule {
  /** Choices to replay first: at decision k, candidate prefix[k] (modulo the candidates). */
  readonly prefix?: readonly number[];
  /**
   * After the prefix: the first candidate (lowest slot) each time; a random one each time (from
   * `seed`); or PCT, probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): the
   * threads get random priorities, the highest enabled one always goes, and at `depth` − 1
   * decisions drawn from the first `steps` the thread that just ran drops below all others. It
   * finds an ordering bug that needs d particular steps in order with probability at least
   * 1/(threads · steps^(d−1)), and it hands the processor from thread to thread only at those
   * points: a random walk switches threads at every other step, each switch a wake-up. `stay`:
   * the thread that ran last while it can, else the first: no preemption (the default of a
   * preemption-bounded enumeration, see TurnstileStep.stay).
   */
  readonly rest?: "first" | "random" | "pct" | "stay";
  readonly seed?: number;
  /** PCT: the bug depth aimed at (1 … 9, default 3) and the decisions a run is expected to take (default 100). */
  readonly depth?: number;
  readonly steps?: number;
  /** Waiters to leave until nothing else can move (a forced interleaving). */
  readonly holds?: readonly HoldRule[];
}

/** One decision: how many threads could go, which one went, and where it stood. */
export interface TurnstileStep {
  readonly candidates: number;
  readonly choice: number;
  /**
   * The candidate that is the thread which ran last (-1 when it cannot go): choosing another one
   * preempts it.
   */
  readonly stay: number;
  readonly slot: number;
  readonly point: SyncPoint;
  readonly tx: number;
}

/**
 * The test's side: made once, reset before each run with the schedule to follow, read after it.
 * Its buffer travels to the workers with each round (see ThreadHook).
 */
export class Turnstile {
  readonly buffer: SharedArrayBuffer;
  readonly #words: Int32Array;

  constructor() {
    this.buffer = new SharedArrayBuffer(TOTAL_WORDS * 4);
    this.#words = new Int32Array(this.buffer);
  }

  /** Take control for a new run following `schedule`. No thread may be waiting. */
  reset(schedule: TurnstileSchedule = {}): void {
    const w = this.#words;
    const prefix = schedule.prefix ?? [];
    const holds = schedule.holds ?? [];
    if (prefix.length > TURNSTILE_TRACE) throw new RangeError(`a schedule replays at most ${TURNSTILE_TRACE} choices, got ${prefix.length}`);
    if (holds.length > HOLD_RULES) throw new RangeError(`a schedule has at most ${HOLD_RULES} hold rules, got ${holds.length}`);
    w.fill(0);
    w[T.rng] = (schedule.seed ?? 1) | 0 || 1;
    w[T.rest] = REST[schedule.rest ?? "first"];
    w[T.lastSlot] = -1;
    if (schedule.rest === "pct") this.#pct(schedule.depth ?? 3, schedule.steps ?? 100);
    w[T.prefixLength] = prefix.length;
    for (let k = 0; k < prefix.length; k++) w[PREFIX_BASE + k] = prefix[k]!;
    w[T.holdCount] = holds.length;
    holds.forEach((rule, k) => {
      w[HOLD_BASE + 3 * k] = rule.slot ?? -1;
      w[HOLD_BASE + 3 * k + 1] = rule.point;
      w[HOLD_BASE + 3 * k + 2] = rule.tx ?? -1;
    });
    Atomics.store(w, T.active, 1);
  }

  /** PCT's set-up: distinct random priorities above the change points' levels, and the change points. */
  #pct(depth: number, steps: number): void {
    if (!Number.isInteger(depth) || depth < 1 || depth > CHANGE_POINTS + 1) throw new RangeError(`PCT depth is 1…${CHANGE_POINTS + 1}, got ${depth}`);
    const w = this.#words;
    const order = Array.from({ length: TURNSTILE_SLOTS }, (_, s) => s);
    for (let k = order.length - 1; k > 0; k--) {
      const j = xorshift(w) % (k + 1);
      [order[k], order[j]] = [order[j]!, order[k]!];
    }
    for (let s = 0; s < TURNSTILE_SLOTS; s++) w[PRIORITY_BASE + s] = depth + order[s]!;
    w[T.changeCount] = depth - 1;
    for (let k = 0; k < depth - 1; k++) w[CHANGE_BASE + k] = 1 + (xorshift(w) % Math.max(1, steps));
  }

  /** The decisions of the last run, in order. */
  trace(): TurnstileStep[] {
    const w = this.#words;
    const steps = Math.min(Atomics.load(w, T.step), TURNSTILE_TRACE);
    const out: TurnstileStep[] = [];
    for (let k = 0; k < steps; k++) {
      const b = TRACE_BASE + k * TRACE_WORDS;
      out.push({ candidates: w[b]!, choice: w[b + 1]!, slot: w[b + 2]!, point: w[b + 3]! as SyncPoint, tx: w[b + 4]!, stay: w[b + 5]! });
    }
    return out;
  }

  /** Why the last run left the turnstile's control, if it did. */
  failure(): (typeof FAILURE_NAMES)[number] {
    return FAILURE_NAMES[Atomics.load(this.#words, T.failure)]!;
  }
}

/**
 * A thread's side of the turnstile: its slot, and the word its idle waits sleep on in the current
 * phase (a block's generation word). Made by each thread from the shared buffer.
 */
export class TurnstileGate {
  readonly slot: number;
  readonly #words: Int32Array;
  readonly #base: number;
  #watch: Int32Array | undefined;
  /** Who to wake when the lock is released: a slot, WAKE_ALL, or -1. */
  #wake = -1;

  constructor(buffer: SharedArrayBuffer, slot: number) {
    if (!Number.isInteger(slot) || slot < 0 || slot >= TURNSTILE_SLOTS) throw new RangeError(`a turnstile slot is 0…${TURNSTILE_SLOTS - 1}, got ${slot}`);
    this.#words = new Int32Array(buffer);
    this.slot = slot;
    this.#base = SLOT_BASE + slot * S.words;
  }

  /**
   * Start a phase (the calling thread, before it hands the phase to the workers): the first
   * decision waits until `expected` threads have joined.
   */
  beginPhase(expected: number): void {
    const w = this.#words;
    this.#lock();
    w[T.expected] = expected;
    w[T.joined] = 0;
    w[T.running] = 0;
    for (let s = 0; s < TURNSTILE_SLOTS; s++) {
      const b = SLOT_BASE + s * S.words;
      w[b + S.state] = ABSENT;
      w[b + S.grant] = 0;
    }
    this.#unlock();
  }

  /** Join the current phase at `point`, watching `watch[index]` when blocked; waits for a grant. */
  join(point: SyncPoint, watch: Int32Array, index: number): void {
    if (this.#enter(point, -1, AT, 0, watch, index)) this.#waitGrant();
  }

  async joinAsync(point: SyncPoint, watch: Int32Array, index: number, stop?: Promise<unknown>): Promise<void> {
    if (this.#enter(point, -1, AT, 0, watch, index)) await this.#waitGrantAsync(stop);
  }

  /** Stop at `point` (for transaction `tx`, or -1) until granted. */
  arrive(point: SyncPoint, tx: number): void {
    if (this.#enter(point, tx, AT, 0, undefined, 0)) this.#waitGrant();
  }

  async arriveAsync(point: SyncPoint, tx: number, stop?: Promise<unknown>): Promise<void> {
    if (this.#enter(point, tx, AT, 0, undefined, 0)) await this.#waitGrantAsync(stop);
  }

  /**
   * Wait as a sleeper on `watch[index]`, which read `since`: until the word moved and this thread
   * is chosen. Outside the turnstile's control, waits on the word itself (at most `timeoutMs`), as
   * the executor does without a hook.
   */
  block(point: SyncPoint, watch: Int32Array, index: number, since: number, timeoutMs: number): void {
    if (this.#enter(point, -1, BLOCKED, since, undefined, 0)) this.#waitGrant();
    else Atomics.wait(watch, index, since, timeoutMs);
  }

  async blockAsync(point: SyncPoint, watch: Int32Array, index: number, since: number, timeoutMs: number, stop?: Promise<unknown>): Promise<void> {
    if (this.#enter(point, -1, BLOCKED, since, undefined, 0)) {
      await this.#waitGrantAsync(stop);
      return;
    }
    const wait = waitAsync(watch, index, since, timeoutMs);
    if (wait.async) await (stop === undefined ? wait.value : Promise.race([wait.value, stop]));
  }

  /** Leave the phase: this thread has no more points in it (or is about to die). */
  leave(): void {
    const w = this.#words;
    this.#lock();
    const state = w[this.#base + S.state]!;
    if (state !== ABSENT && state !== LEFT) {
      if (state === RUNNING) w[T.running]!--;
      w[this.#base + S.state] = LEFT;
      this.#decide();
    }
    this.#unlock();
  }

  /** Give up control: every waiter goes, every later point passes (a fault ended the phase). */
  release(): void {
    this.#lock();
    this.#releaseAll(TURNSTILE_FAILURE.released);
    this.#unlock();
  }

  /** Record this thread's arrival; false when the turnstile lets it pass without a grant. */
  #enter(point: SyncPoint, tx: number, kind: number, since: number, watch: Int32Array | undefined, index: number): boolean {
    const w = this.#words;
    const b = this.#base;
    if (Atomics.load(w, T.active) === 0) return false;
    this.#lock();
    const state = w[b + S.state]!;
    const joining = watch !== undefined;
    // A thread outside the current phase (the calling thread running a transaction alone between
    // rounds, or a phase that has not started) passes.
    if (Atomics.load(w, T.active) === 0 || (joining ? state !== ABSENT : state !== RUNNING)) {
      this.#unlock();
      return false;
    }
    if (joining) {
      this.#watch = watch;
      w[b + S.watchIndex] = index;
      w[T.joined]!++;
    } else {
      w[T.running]!--;
    }
    w[b + S.state] = kind;
    w[b + S.point] = point;
    w[b + S.tx] = tx;
    w[b + S.since] = since;
    Atomics.store(w, b + S.grant, 0);
    this.#decide();
    this.#unlock();
    return true;
  }

  #waitGrant(): void {
    const w = this.#words;
    const grant = this.#base + S.grant;
    let seen = Atomics.load(w, T.step);
    let idleSince = performance.now();
    while (Atomics.load(w, grant) === 0) {
      if (Atomics.load(w, T.active) === 0) return;
      Atomics.wait(w, grant, 0, POLL_MS);
      const now = performance.now();
      const decisions = Atomics.load(w, T.step);
      if (decisions !== seen) {
        seen = decisions;
        idleSince = now;
      }
      if (Atomics.load(w, grant) === 0) this.#poll(now - idleSince);
    }
  }

  async #waitGrantAsync(stop: Promise<unknown> | undefined): Promise<void> {
    const w = this.#words;
    const grant = this.#base + S.grant;
    let stopped = false;
    void stop?.then(() => (stopped = true));
    let seen = Atomics.load(w, T.step);
    let idleSince = performance.now();
    while (Atomics.load(w, grant) === 0) {
      if (Atomics.load(w, T.active) === 0) return;
      if (stopped) {
        // A session ended (a worker died): the round is being aborted from this thread's event
        // loop, which no schedule controls. Let everyone finish as in production.
        this.release();
        return;
      }
      const wait = waitAsync(w, grant, 0, POLL_MS);
      if (wait.async) await (stop === undefined ? wait.value : Promise.race([wait.value, stop]));
      const now = performance.now();
      const decisions = Atomics.load(w, T.step);
      if (decisions !== seen) {
        seen = decisions;
        idleSince = now;
      }
      if (Atomics.load(w, grant) === 0) this.#poll(now - idleSince);
    }
  }

  /**
   * A waiter's periodic look: a generation word may have moved outside the turnstile (an abort
   * from the calling thread's event loop), which no arrival announced; and a long wait with no
   * decision at all is a stall.
   */
  #poll(waitedMs: number): void {
    const w = this.#words;
    this.#lock();
    const settled = w[T.joined]! >= w[T.expected]! && w[T.running] === 0;
    if (waitedMs > STALL_MS) this.#releaseAll(TURNSTILE_FAILURE.stall);
    else if (settled && waitedMs > DEADLOCK_MS) this.#releaseAll(TURNSTILE_FAILURE.deadlock);
    else this.#decide();
    this.#unlock();
  }

  /**
   * The lock around arrivals and decisions. It spins (a decision is a few dozen word reads), then
   * sleeps in short naps: on two loaded cores the holder may have lost its core, and a spinner
   * would keep it from getting it back for a whole time slice.
   */
  #lock(): void {
    const w = this.#words;
    for (let spin = 0; Atomics.compareExchange(w, T.lock, 0, 1) !== 0; spin++) if (spin > 64) Atomics.wait(w, T.lock, 1, 0.05);
  }

  /**
   * Unlock, then wake whoever the decision granted. Never wake under the lock: the woken thread
   * may take the waker's core at once, run its step and spin on the lock the waker still holds.
   */
  #unlock(): void {
    const w = this.#words;
    const wake = this.#wake;
    this.#wake = -1;
    Atomics.store(w, T.lock, 0);
    if (wake === WAKE_ALL) for (let s = 0; s < TURNSTILE_SLOTS; s++) Atomics.notify(w, SLOT_BASE + s * S.words + S.grant);
    else if (wake >= 0) Atomics.notify(w, SLOT_BASE + wake * S.words + S.grant);
  }

  #releaseAll(failure: number): void {
    const w = this.#words;
    if (Atomics.load(w, T.active) === 0) return;
    if (w[T.failure] === 0) w[T.failure] = failure;
    Atomics.store(w, T.active, 0);
    for (let s = 0; s < TURNSTILE_SLOTS; s++) Atomics.store(w, SLOT_BASE + s * S.words + S.grant, 1);
    this.#wake = WAKE_ALL;
  }

  #enabled(b: number): boolean {
    const state = this.#words[b + S.state]!;
    if (state === AT) return true;
    if (state !== BLOCKED || this.#watch === undefined) return false;
    return Atomics.load(this.#watch, this.#words[b + S.watchIndex]!) !== this.#words[b + S.since];
  }

  #held(b: number, slot: number): boolean {
    const w = this.#words;
    for (let k = 0; k < w[T.holdCount]!; k++) {
      const h = HOLD_BASE + 3 * k;
      if ((w[h] === -1 || w[h] === slot) && w[h + 1] === w[b + S.point] && (w[h + 2] === -1 || w[h + 2] === w[b + S.tx])) return true;
    }
    return false;
  }

  /** Under the lock: when every participant has joined and none is running, grant one. */
  #decide(): void {
    const w = this.#words;
    if (Atomics.load(w, T.active) === 0 || w[T.joined]! < w[T.expected]! || w[T.running]! > 0) return;
    const candidates: number[] = [];
    let unheld = 0;
    for (let s = 0; s < TURNSTILE_SLOTS; s++) {
      const b = SLOT_BASE + s * S.words;
      if (!this.#enabled(b)) continue;
      // Unheld candidates first, in slot order; held ones only when nothing else can go.
      if (this.#held(b, s)) candidates.push(s);
      else candidates.splice(unheld++, 0, s);
    }
    // Nothing can go: everyone left, or the blocked wait for something outside the turnstile
    // (their polls decide again) — a stall if it never comes.
    if (candidates.length === 0) return;
    const pool = unheld > 0 ? unheld : candidates.length;
    const step = w[T.step]!;
    const stay = candidates.indexOf(w[T.lastSlot]!);
    const stays = stay < pool ? stay : -1;
    let choice = 0;
    if (step < w[T.prefixLength]!) choice = w[PREFIX_BASE + step]! % pool;
    else if (w[T.rest] === REST.random) choice = xorshift(w) % pool;
    else if (w[T.rest] === REST.pct) choice = this.#pctChoice(candidates, pool, step);
    else if (w[T.rest] === REST.stay) choice = Math.max(0, stays);
    w[T.lastSlot] = candidates[choice]!;
    const slot = candidates[choice]!;
    const b = SLOT_BASE + slot * S.words;
    if (step < TURNSTILE_TRACE) {
      const t = TRACE_BASE + step * TRACE_WORDS;
      w[t] = pool;
      w[t + 1] = choice;
      w[t + 2] = slot;
      w[t + 3] = w[b + S.point]!;
      w[t + 4] = w[b + S.tx]!;
      w[t + 5] = stays;
    } else if (w[T.failure] === 0) {
      w[T.failure] = TURNSTILE_FAILURE.traceFull;
    }
    Atomics.store(w, T.step, step + 1);
    w[b + S.state] = RUNNING;
    w[T.running]!++;
    Atomics.store(w, b + S.grant, 1);
    if (slot !== this.slot) this.#wake = slot;
  }

  /** PCT: at a change point the thread that ran last drops low; the highest priority goes. */
  #pctChoice(candidates: readonly number[], pool: number, step: number): number {
    const w = this.#words;
    const last = w[T.lastSlot]!;
    for (let k = 0; k < w[T.changeCount]!; k++) if (w[CHANGE_BASE + k] === step && last >= 0) w[PRIORITY_BASE + last] = k + 1;
    let best = 0;
    for (let c = 1; c < pool; c++) if (w[PRIORITY_BASE + candidates[c]!]! > w[PRIORITY_BASE + candidates[best]!]!) best = c;
    return best;
  }
}

/** The next xorshift32 value of the turnstile's PRNG word. */
function xorshift(w: Int32Array): number {
  let x = w[T.rng]!;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  w[T.rng] = x;
  return x >>> 0;
}

/** The trace as one line per decision, for a failure message. */
export function formatTrace(steps: readonly TurnstileStep[], names: Readonly<Record<number, string>>): string {
  return steps.map((s, k) => `${k}: thread ${s.slot} ${names[s.point] ?? s.point}${s.tx >= 0 ? ` tx ${s.tx}` : ""} (${s.choice + 1} of ${s.candidates})`).join("\n");
}
