/**
 * Worker sessions: each worker of the executor's pool runs one long piscina task, a session, for
 * as long as the executor lives, and receives its work — load a block, run a round, run
 * Block-STM — as messages on a port of its own, each announced by a doorbell word in shared
 * memory; its reply comes back the same way.
 *
 * Why not a piscina task per round: a task costs ~0.1 ms on the calling thread (piscina's queue,
 * promises and bookkeeping), the worker sees it ~0.1 ms later, and its result reaches the caller
 * only through the caller's event loop, ~0.1 ms after the worker is done. A round of a 20 ms
 * block pays that once, a 3 ms block pays a tenth of its time. Here the calling thread posts a
 * message (a few µs, the buffers' handles included), rings the bell, and takes the reply
 * synchronously (`receiveMessageOnPort`) the moment the reply word moves, without a turn of its
 * event loop. piscina still starts the workers, reports a session whose worker died (its task
 * rejects), and replaces that worker; the next message to that slot starts a session on the
 * replacement.
 *
 * One message at a time per session: the caller sends, then takes the reply before it sends
 * again, so replies pair with messages by count. `WorkerSessions` is the caller's side,
 * `serveSession` the worker's.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { Piscina } from "piscina";
import type { EndMessage, FailedReply, SessionTask } from "./task.js";

/** Words of a session's control block: each on a cache line of its own (16 Int32s = 64 bytes). */
const LINE = 16;
export const SESSION = {
  /** Messages posted to the session; bumped (and notified) after each post. */
  posted: 0,
  /** Replies posted by the session; bumped (and notified) after each reply. */
  replied: LINE,
  size: 2 * LINE,
} as const;

/**
 * `Atomics.waitAsync` (in V8 since 8.7, in the ES2024 library types TypeScript's ES2022 ones lack):
 * a wait on a shared word that resolves a promise instead of blocking the thread.
 */
export const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: false; value: "not-equal" | "timed-out" } | { async: true; value: Promise<"ok" | "timed-out"> };
}).waitAsync;

/** A session ended without replying: its worker threw out of its loop, or died. */
export class SessionEnded extends Error {
  override name = "SessionEnded";
}

interface Session {
  readonly port: MessagePort;
  readonly control: Int32Array;
  /** Settles when the session's task ends (never rejects). */
  readonly ended: Promise<void>;
  /** Set when the session's task has ended, with why. */
  endedWith: { readonly reason: string } | undefined;
  /**
   * Called once when the session ends. Waiters register here rather than on `ended`: a promise
   * that lives as long as the executor would keep a reaction from every wait that raced it.
   */
  readonly onEnd: Set<() => void>;
  /** Messages sent, and replies taken. */
  sent: number;
  taken: number;
  /**
   * Its last reply said its task failed: the session is ending (serveSession returns after such a
   * reply) even if piscina has not reported it yet. A message sent to it now would be lost.
   */
  ending: boolean;
}

export class WorkerSessions {
  readonly #pool: Piscina;
  readonly #sessions: (Session | undefined)[];

  /** `count` sessions over `pool`, which must have at least `count` workers. */
  constructor(pool: Piscina, count: number) {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`sessions must be a positive integer, got ${count}`);
    this.#pool = pool;
    this.#sessions = new Array(count).fill(undefined);
  }

  get count(): number {
    return this.#sessions.length;
  }

  /**
   * A session on `slot`, started when there is none or the last one ended (its worker threw or
   * died; piscina replaces a dead worker, and the new session runs on the replacement).
   */
  #session(slot: number): Session {
    const known = this.#sessions[slot];
    if (known !== undefined && known.endedWith === undefined && !known.ending) return known;
    const control = new Int32Array(new SharedArrayBuffer(SESSION.size * 4));
    const { port1, port2 } = new MessageChannel();
    const task: SessionTask = { kind: "session", port: port2, control: control.buffer as SharedArrayBuffer };
    const onEnd = new Set<() => void>();
    const end = (reason: string) => {
      session.endedWith = { reason };
      for (const listener of onEnd) listener();
      onEnd.clear();
    };
    const session: Session = {
      port: port1,
      control,
      ended: this.#pool.run(task, { transferList: [port2] as never }).then(
        () => end("the worker's session ended"),
        (error: unknown) => end(String((error as Error)?.message ?? error)),
      ),
      endedWith: undefined,
      onEnd,
      sent: 0,
      taken: 0,
      ending: false,
    };
    this.#sessions[slot] = session;
    return session;
  }

  /**
   * Call `listener` once when any of `slots`' sessions ends (at once if one has); returns the
   * function that stops listening.
   */
  onEnd(slots: readonly number[], listener: () => void): () => void {
    let called = false;
    const once = () => {
      if (called) return;
      called = true;
      listener();
    };
    const sessions: Session[] = [];
    for (const slot of slots) {
      const session = this.#sessions[slot];
      if (session === undefined || session.endedWith !== undefined) {
        for (const s of sessions) s.onEnd.delete(once);
        once();
        return () => {};
      }
      session.onEnd.add(once);
      sessions.push(session);
    }
    return () => {
      for (const session of sessions) session.onEnd.delete(once);
    };
  }

  /**
   * Wake `slot`'s worker ahead of a message about to come: it spins for the message instead of
   * sleeping, so that the ~50–100 µs a sleeping thread takes to wake overlaps the caller's own
   * preparation. Harmless when no message follows (the worker goes back to sleep).
   */
  wake(slot: number): void {
    const session = this.#session(slot);
    Atomics.notify(session.control, SESSION.posted, 1);
  }

  /** Post `message` to `slot`'s worker and ring its bell. The previous reply must have been taken. */
  send(slot: number, message: unknown): void {
    const session = this.#session(slot);
    if (session.sent !== session.taken) throw new Error(`internal error: session ${slot} has a reply not taken`);
    session.port.postMessage(message);
    session.sent++;
    Atomics.store(session.control, SESSION.posted, session.sent);
    Atomics.notify(session.control, SESSION.posted, 1);
  }

  /** Whether `slot`'s reply to its last message has arrived. */
  #replied(session: Session): boolean {
    return Atomics.load(session.control, SESSION.replied) >= session.sent;
  }

  #take<T>(session: Session): T {
    const entry = receiveMessageOnPort(session.port);
    if (entry === undefined) throw new Error("internal error: a reply word moved without a reply");
    session.taken = session.sent;
    if ((entry.message as Partial<FailedReply>).sessionEnds === true) session.ending = true;
    return entry.message as T;
  }

  /**
   * The reply to the last message sent to `slot`, if it arrives before `until` (performance.now()
   * time; the caller spins: for the end of a round, when the worker is finishing its last
   * transaction). Undefined when it has not; `reply` then waits for it.
   */
  replyWithin<T>(slot: number, until: number): T | undefined {
    const session = this.#sessions[slot];
    if (session === undefined || session.taken === session.sent) throw new Error(`internal error: no reply awaited from session ${slot}`);
    if (this.#replied(session)) return this.#take<T>(session);
    for (let spin = 1; ; spin++) {
      if (this.#replied(session)) return this.#take<T>(session);
      if ((spin & 63) === 0 && performance.now() > until) return undefined;
    }
  }

  /**
   * The reply to the last message sent to `slot`. Rejects with SessionEnded when the session ended
   * without replying (its worker died, or threw out of its loop). Waits without blocking this
   * thread: a worker's death reaches it only through its event loop.
   */
  async reply<T>(slot: number): Promise<T> {
    const session = this.#sessions[slot];
    if (session === undefined || session.taken === session.sent) throw new Error(`internal error: no reply awaited from session ${slot}`);
    for (;;) {
      const seen = Atomics.load(session.control, SESSION.replied);
      if (seen >= session.sent) return this.#take<T>(session);
      if (session.endedWith !== undefined) {
        // A session that replied and then ended (it failed) has its reply first.
        if (this.#replied(session)) return this.#take<T>(session);
        session.taken = session.sent;
        throw new SessionEnded(session.endedWith.reason);
      }
      const wait = waitAsync(session.control, SESSION.replied, seen, 50);
      if (!wait.async) continue;
      let stop = () => {};
      await new Promise<void>((resolve) => {
        session.onEnd.add(resolve);
        stop = () => session.onEnd.delete(resolve);
        void wait.value.then(() => resolve());
      });
      stop();
    }
  }

  /** Whether `slot`'s session has ended. */
  hasEnded(slot: number): boolean {
    return this.#sessions[slot]?.endedWith !== undefined;
  }

  /**
   * End every session (each returns from its task, leaving its worker to piscina) and wait for
   * them. A session still owing a reply is waited for first: a session never gets a message
   * while it works.
   */
  async close(): Promise<void> {
    const ending: Promise<void>[] = [];
    for (let slot = 0; slot < this.#sessions.length; slot++) {
      const session = this.#sessions[slot];
      if (session === undefined || session.endedWith !== undefined) continue;
      if (session.taken !== session.sent) {
        try {
          await this.reply(slot);
        } catch {
          continue;
        }
      }
      if (session.endedWith !== undefined) continue;
      if (!session.ending) this.send(slot, { kind: "end" });
      ending.push(session.ended);
    }
    await Promise.all(ending);
    for (const session of this.#sessions) session?.port.close();
    this.#sessions.fill(undefined);
  }
}

/**
 * After an early wake (a notify with no message yet, see WorkerSessions.wake), how long the worker
 * spins for the message before sleeping again: the caller posts it once it has prepared the
 * round, tens of microseconds later.
 */
const EARLY_WAKE_SPIN_MS = 0.5;

/**
 * The worker's side of a session: sleep on the bell, take the message, `handle` it, reply; until
 * an `end` message. When `handle` throws, the session replies with the failure and ends (the
 * caller starts a new one when it next needs this worker); a worker that dies ends it through
 * piscina.
 */
export async function serveSession<M extends { readonly kind: string }, R>(task: SessionTask, handle: (message: M) => Promise<R> | R): Promise<void> {
  const control = new Int32Array(task.control);
  const { port } = task;
  let handled = 0;
  try {
    for (;;) {
      for (let posted = Atomics.load(control, SESSION.posted); posted === handled; posted = Atomics.load(control, SESSION.posted)) {
        if (Atomics.wait(control, SESSION.posted, posted) === "ok" && Atomics.load(control, SESSION.posted) === posted) {
          const until = performance.now() + EARLY_WAKE_SPIN_MS;
          for (let spin = 1; Atomics.load(control, SESSION.posted) === posted; spin++) if ((spin & 63) === 0 && performance.now() > until) break;
        }
      }
      handled++;
      const entry = receiveMessageOnPort(port);
      if (entry === undefined) throw new Error("internal error: the session's bell rang without a message");
      const message = entry.message as M | EndMessage;
      if (message.kind === "end") return;
      let reply: R | FailedReply;
      let failed = false;
      try {
        reply = await handle(message as M);
      } catch (error) {
        reply = { failed: (error as Error).stack ?? String(error), sessionEnds: true };
        failed = true;
      }
      port.postMessage(reply);
      Atomics.store(control, SESSION.replied, handled);
      Atomics.notify(control, SESSION.replied);
      if (failed) return;
    }
  } finally {
    port.close();
  }
}
