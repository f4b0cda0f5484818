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
export const H = {
  /** Next slot to pop / push, normal queue. */
  head: 0 * LINE,
  tail: 1 * LINE,
  /** The urgent queue (transactions with work waiting on them): popped before the normal one. */
  urgentHead: 2 * LINE,
  urgentTail: 3 * LINE,
  /** Transactions of the round that have committed. */
  done: 4 * LINE,
  /** Bumped when a push may wake a sleeper, and at the end; idle threads wait on it. */
  generation: 5 * LINE,
  /** Threads asleep on `generation`: pushers skip the bump and the notify when there are none. */
  sleepers: 6 * LINE,
  /** Transactions in the round. */
  total: 7 * LINE,
  /** Lowest index whose attempt left its scheduled set (txCount when none). */
  violation: 7 * LINE + 1,
  /** Index up to which fees have been credited to the sequencer's balance (block-wide). */
  feeCursor: 7 * LINE + 2,
  /** Columns mode: the column being released, and how many of its members are still running. */
  column: 8 * LINE,
  columnRemaining: 8 * LINE + 1,
  size: 9 * LINE,
} as const;

export const STATUS = { pending: 0, success: 1, revert: 2, outOfGas: 3, invalid: 4 } as const;

export interface BlockBuffers {
  readonly txCount: number;
  readonly header: SharedArrayBuffer;
  /** Per tx: STATUS once committed. */
  readonly status: SharedArrayBuffer;
  /** Per tx: gas used (Float64, since limits are u64). */
  readonly gasUsed: SharedArrayBuffer;
  /** Per tx: 1 once committed (rolled back: 0). */
  readonly committed: SharedArrayBuffer;
  /** Per tx: 1 when its committed attempt broke its declared list (the `violations` stat; rolled back: 0). */
  readonly violated: SharedArrayBuffer;
  /** Per tx: which thread ran it, and when (ms since the block started, per the thread's clock). */
  readonly thread: SharedArrayBuffer;
  readonly startMs: SharedArrayBuffer;
  readonly endMs: SharedArrayBuffer;
  /** Per tx: 1 when the tx belongs to the current round. */
  readonly inRound: SharedArrayBuffer;
  /** Per tx: predecessors in the round not yet committed. */
  readonly remaining: SharedArrayBuffer;
  /** The ready queues (tx index + 1; 0 = slot not yet written): normal in [0, n), urgent in [n, 2n). */
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
    status: new SharedArrayBuffer(n),
    gasUsed: new SharedArrayBuffer(n * 8),
    committed: new SharedArrayBuffer(n),
    violated: new SharedArrayBuffer(n),
    thread: new SharedArrayBuffer(n),
    startMs: new SharedArrayBuffer(n * 8),
    endMs: new SharedArrayBuffer(n * 8),
    inRound: new SharedArrayBuffer(n),
    remaining: new SharedArrayBuffer(n * 4),
    queue: new SharedArrayBuffer(2 * n * 4),
    columnOffsets: new SharedArrayBuffer((n + 1) * 4),
    columnMembers: new SharedArrayBuffer(n * 4),
  };
  return buffers;
}

/** Typed views over a block's buffers, made once per thread per block. */
export class BlockView {
  readonly txCount: number;
  readonly header: Int32Array;
  readonly status: Uint8Array;
  readonly gasUsed: Float64Array;
  readonly committed: Uint8Array;
  readonly violated: Uint8Array;
  readonly thread: Uint8Array;
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
  readonly inRound: Uint8Array;
  readonly remaining: Int32Array;
  readonly queue: Int32Array;
  readonly columnOffsets: Int32Array;
  readonly columnMembers: Int32Array;

  readonly txCountOrOne: number;
  readonly #sleep: SleepWords;
  readonly #hasWork = (): boolean => this.hasWork();

  constructor(b: BlockBuffers) {
    this.txCount = b.txCount;
    this.txCountOrOne = Math.max(1, b.txCount);
    this.header = new Int32Array(b.header);
    this.status = new Uint8Array(b.status);
    this.gasUsed = new Float64Array(b.gasUsed);
    this.committed = new Uint8Array(b.committed);
    this.violated = new Uint8Array(b.violated);
    this.thread = new Uint8Array(b.thread);
    this.startMs = new Float64Array(b.startMs);
    this.endMs = new Float64Array(b.endMs);
    this.inRound = new Uint8Array(b.inRound);
    this.remaining = new Int32Array(b.remaining);
    this.queue = new Int32Array(b.queue);
    this.columnOffsets = new Int32Array(b.columnOffsets);
    this.columnMembers = new Int32Array(b.columnMembers);
    this.#sleep = { header: this.header, generation: H.generation, sleepers: H.sleepers };
  }

  /**
   * Make `tx` ready. Urgent transactions (others wait on them) go to their own queue, popped
   * first: list scheduling by critical path, so a chain of dependent transactions keeps moving
   * while independent ones fill the gaps, instead of queueing behind them.
   */
  push(tx: number, urgent: boolean): void {
    const base = urgent ? this.txCountOrOne : 0;
    const slot = Atomics.add(this.header, urgent ? H.urgentTail : H.tail, 1);
    Atomics.store(this.queue, base + slot, tx + 1);
    wakeSleepers(this.#sleep, 1);
  }

  /** Whether there is something to do: a ready transaction, or the round is over. */
  hasWork(): boolean {
    const h = this.header;
    return (
      Atomics.load(h, H.urgentTail) > Atomics.load(h, H.urgentHead) ||
      Atomics.load(h, H.tail) > Atomics.load(h, H.head) ||
      Atomics.load(h, H.done) >= Atomics.load(h, H.total) ||
      Atomics.load(h, H.violation) < this.txCount
    );
  }

  /** Wait for work (see sleep.ts). */
  idle(): void {
    idleUntil(this.#sleep, this.#hasWork, 2000, 5);
  }

  /** Pop a ready tx (urgent first), or -1 when both queues are empty right now. */
  pop(): number {
    const urgent = this.#popFrom(H.urgentHead, H.urgentTail, this.txCountOrOne);
    return urgent >= 0 ? urgent : this.#popFrom(H.head, H.tail, 0);
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
