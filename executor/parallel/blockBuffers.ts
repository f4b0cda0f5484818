/**
 * The shared memory of one block's parallel execution: per-transaction outcome arrays that every
 * thread writes for the transactions it runs, and the header of the current round (a ready
 * queue, counters, the lowest schedule violation). Everything here is typed arrays over
 * SharedArrayBuffers: workers receive the buffers once per round, never one message per
 * transaction.
 */

/**
 * Header words of a round. The words every transaction touches (queue ends, the done count, the
 * sleep word) sit on cache lines of their own, 64 bytes apart: two threads bumping counters that
 * share a line would bounce it between cores on every transaction.
 */
import { idleUntil, wakeSleepers, type SleepWords } from "./sleep.js";

const LINE = 16;
/**
 * Ready transactions wait in one FIFO queue per priority level, popped highest level first (see
 * `priorityLevels` in parallelExecutor.ts): a coarse list schedule by bottom level, lock-free.
 */
export const PRIORITY_LEVELS = 4;
export const H = {
  /** Next slot to pop / push of level k's queue: head at queueHead + 2k lines, tail one line after. */
  queueHead: 0,
  /** Transactions of the round that have committed. */
  done: 2 * PRIORITY_LEVELS * LINE,
  /** Bumped when a push may wake a sleeper, and at the end; idle threads wait on it. */
  generation: (2 * PRIORITY_LEVELS + 1) * LINE,
  /** Threads asleep on `generation`: pushers skip the bump and the notify when there are none. */
  sleepers: (2 * PRIORITY_LEVELS + 2) * LINE,
  /** Transactions in the round. */
  total: (2 * PRIORITY_LEVELS + 3) * LINE,
  /** Lowest index whose attempt left its scheduled set (txCount when none). */
  violation: (2 * PRIORITY_LEVELS + 3) * LINE + 1,
  /** Index up to which fees have been credited to the sequencer's balance (block-wide). */
  feeCursor: (2 * PRIORITY_LEVELS + 3) * LINE + 2,
  /** Threads that run the round (the main thread and the workers it was sent to). */
  participants: (2 * PRIORITY_LEVELS + 3) * LINE + 3,
  /** Threads that have left the round's loop: once all have, the violation word is final. */
  stopped: (2 * PRIORITY_LEVELS + 3) * LINE + 4,
  /** Columns mode: the column being released, and how many of its members are still running. */
  column: (2 * PRIORITY_LEVELS + 4) * LINE,
  columnRemaining: (2 * PRIORITY_LEVELS + 4) * LINE + 1,
  size: (2 * PRIORITY_LEVELS + 5) * LINE,
} as const;

/** The header words of level k's queue ends. */
function queueHeadWord(level: number): number {
  return H.queueHead + 2 * level * LINE;
}
function queueTailWord(level: number): number {
  return H.queueHead + (2 * level + 1) * LINE;
}

export const STATUS = { pending: 0, success: 1, revert: 2, outOfGas: 3, invalid: 4 } as const;

/**
 * A transaction's outcome record: one cache line per transaction. Why not one array per field:
 * consecutive transactions usually run on different threads, and with a byte or a double per
 * transaction per field, committing one wrote seven cache lines that the other thread was
 * writing too, each write taking the line from the other core. One record per line makes a
 * commit touch one line of its own. Doubles at word offsets, bytes at byte offsets.
 */
const OUTCOME = { bytes: 64, words: 8, gasUsed: 0, startMs: 1, endMs: 2, status: 24, committed: 25, violated: 26, thread: 27 } as const;

export interface BlockBuffers {
  readonly txCount: number;
  readonly header: SharedArrayBuffer;
  /**
   * Per tx, one 64-byte record (see OUTCOME): its status, gas used, whether it committed and broke
   * its declared list, which thread ran it and when.
   */
  readonly outcomes: SharedArrayBuffer;
  /** Per tx: 1 when the tx belongs to the current round. */
  readonly inRound: SharedArrayBuffer;
  /** Per tx: predecessors in the round not yet committed. */
  readonly remaining: SharedArrayBuffer;
  /**
   * The ready queues (tx index + 1; 0 = slot not yet written), n + 1 slots per level, level k's
   * from k·(n + 1). Each slot is written once per round: a round pushes each transaction once,
   * but for one push more — the main thread handing a fault-injected transaction back, once (see
   * BlockRun.#help). Slots are never reused within a round: with a ring, a pusher delayed between
   * taking its slot and writing it could be lapped, and two transactions written to one slot.
   */
  readonly queue: SharedArrayBuffer;
  /** Columns mode: the round's columns as CSR over round members. */
  readonly columnOffsets: SharedArrayBuffer;
  readonly columnMembers: SharedArrayBuffer;
}

export function createBlockBuffers(txCount: number): BlockBuffers {
  const n = Math.max(1, txCount);
  const buffers: BlockBuffers = {
    txCount,
    header: new SharedArrayBuffer(H.size * 4),
    outcomes: new SharedArrayBuffer(n * OUTCOME.bytes),
    inRound: new SharedArrayBuffer(n),
    remaining: new SharedArrayBuffer(n * 4),
    queue: new SharedArrayBuffer(PRIORITY_LEVELS * (n + 1) * 4),
    columnOffsets: new SharedArrayBuffer((n + 1) * 4),
    columnMembers: new SharedArrayBuffer(n * 4),
  };
  return buffers;
}

/** Typed views over a block's buffers, made once per thread per block. */
export class BlockView {
  readonly txCount: number;
  readonly header: Int32Array;
  readonly #words: Float64Array;
  readonly #bytes: Uint8Array;
  readonly inRound: Uint8Array;
  readonly remaining: Int32Array;
  readonly queue: Int32Array;
  readonly columnOffsets: Int32Array;
  readonly columnMembers: Int32Array;

  /** Slots per level in `queue` (see BlockBuffers.queue). */
  readonly #levelSlots: number;
  readonly #sleep: SleepWords;
  /** `hasWork` as a function made once (for idle waits). */
  readonly hasWorkCheck = (): boolean => this.hasWork();
  /** Whether every thread of the round has stopped, or the round was aborted (see BlockThread.endRound). */
  readonly everyoneStopped = (): boolean =>
    Atomics.load(this.header, H.stopped) >= Atomics.load(this.header, H.participants) || Atomics.load(this.header, H.violation) < 0;

  constructor(b: BlockBuffers) {
    this.txCount = b.txCount;
    this.#levelSlots = Math.max(1, b.txCount) + 1;
    this.header = new Int32Array(b.header);
    this.#words = new Float64Array(b.outcomes);
    this.#bytes = new Uint8Array(b.outcomes);
    this.inRound = new Uint8Array(b.inRound);
    this.remaining = new Int32Array(b.remaining);
    this.queue = new Int32Array(b.queue);
    this.columnOffsets = new Int32Array(b.columnOffsets);
    this.columnMembers = new Int32Array(b.columnMembers);
    this.#sleep = { header: this.header, generation: H.generation, sleepers: H.sleepers };
  }

  status(tx: number): number {
    return this.#bytes[tx * OUTCOME.bytes + OUTCOME.status]!;
  }

  gasUsed(tx: number): number {
    return this.#words[tx * OUTCOME.words + OUTCOME.gasUsed]!;
  }

  committed(tx: number): boolean {
    return this.#bytes[tx * OUTCOME.bytes + OUTCOME.committed] === 1;
  }

  violated(tx: number): boolean {
    return this.#bytes[tx * OUTCOME.bytes + OUTCOME.violated] === 1;
  }

  thread(tx: number): number {
    return this.#bytes[tx * OUTCOME.bytes + OUTCOME.thread]!;
  }

  startMs(tx: number): number {
    return this.#words[tx * OUTCOME.words + OUTCOME.startMs]!;
  }

  endMs(tx: number): number {
    return this.#words[tx * OUTCOME.words + OUTCOME.endMs]!;
  }

  /** Record a committed attempt of `tx` (the committing thread only). */
  setCommitted(tx: number, outcome: { status: number; gasUsed: number; violated: boolean; thread: number; startMs: number; endMs: number }): void {
    const w = tx * OUTCOME.words;
    const b = tx * OUTCOME.bytes;
    this.#words[w + OUTCOME.gasUsed] = outcome.gasUsed;
    this.#words[w + OUTCOME.startMs] = outcome.startMs;
    this.#words[w + OUTCOME.endMs] = outcome.endMs;
    this.#bytes[b + OUTCOME.status] = outcome.status;
    this.#bytes[b + OUTCOME.thread] = outcome.thread;
    this.#bytes[b + OUTCOME.violated] = outcome.violated ? 1 : 0;
    this.#bytes[b + OUTCOME.committed] = 1;
  }

  /** Forget a rolled-back commit of `tx`. */
  clearCommitted(tx: number): void {
    const b = tx * OUTCOME.bytes;
    this.#words[tx * OUTCOME.words + OUTCOME.gasUsed] = 0;
    this.#bytes[b + OUTCOME.status] = STATUS.pending;
    this.#bytes[b + OUTCOME.committed] = 0;
    this.#bytes[b + OUTCOME.violated] = 0;
  }

  /**
   * Make `tx` ready at priority `level` (0 … PRIORITY_LEVELS − 1). Higher levels are popped
   * first: transactions with the most work waiting behind them start first, so a chain of
   * dependent transactions keeps moving while independent ones fill the gaps, instead of
   * queueing behind them and leaving one thread to run it alone at the end of the block.
   */
  push(tx: number, level: number): void {
    const slot = Atomics.add(this.header, queueTailWord(level), 1);
    Atomics.store(this.queue, level * this.#levelSlots + slot, tx + 1);
    wakeSleepers(this.#sleep, 1);
  }

  /** Empty every queue (the round's setup, before any thread runs). */
  clearQueues(): void {
    for (let level = 0; level < PRIORITY_LEVELS; level++) {
      this.header[queueHeadWord(level)] = 0;
      this.header[queueTailWord(level)] = 0;
    }
    this.queue.fill(0);
  }

  /** Whether there is something to do: a ready transaction, or the round is over. */
  hasWork(): boolean {
    const h = this.header;
    for (let level = 0; level < PRIORITY_LEVELS; level++) {
      if (Atomics.load(h, queueTailWord(level)) > Atomics.load(h, queueHeadWord(level))) return true;
    }
    return Atomics.load(h, H.done) >= Atomics.load(h, H.total) || Atomics.load(h, H.violation) < this.txCount;
  }

  /** Wait for work (see sleep.ts). */
  idle(): void {
    idleUntil(this.#sleep, this.hasWorkCheck, 2000, 5);
  }

  /** Wait until `ready()` (rechecked whenever the generation word moves, or every 5 ms). */
  waitFor(ready: () => boolean): void {
    idleUntil(this.#sleep, ready, 2000, 5);
  }

  /** Count the calling thread out of the round's loop, and wake whoever waits for that. */
  stopThread(): void {
    Atomics.add(this.header, H.stopped, 1);
    wakeSleepers(this.#sleep);
  }

  /** Pop a ready tx (highest level first), or -1 when every queue is empty right now. */
  pop(): number {
    for (let level = PRIORITY_LEVELS - 1; level >= 0; level--) {
      const tx = this.#popFrom(queueHeadWord(level), queueTailWord(level), level * this.#levelSlots);
      if (tx >= 0) return tx;
    }
    return -1;
  }

  #popFrom(headIndex: number, tailIndex: number, base: number): number {
    const header = this.header;
    for (;;) {
      const head = Atomics.load(header, headIndex);
      if (head >= Atomics.load(header, tailIndex)) return -1;
      if (Atomics.compareExchange(header, headIndex, head, head + 1) !== head) continue;
      // The pusher bumps tail before it stores the slot: wait out that instant.
      let tx: number;
      while ((tx = Atomics.load(this.queue, base + head)) === 0) {
        // spin
      }
      return tx - 1;
    }
  }

  wakeAll(): void {
    Atomics.add(this.header, H.generation, 1);
    Atomics.notify(this.header, H.generation);
  }

  /** Record the lowest violating index. */
  flagViolation(tx: number): void {
    for (;;) {
      const current = Atomics.load(this.header, H.violation);
      if (tx >= current) return;
      if (Atomics.compareExchange(this.header, H.violation, current, tx) === current) return;
    }
  }
}
