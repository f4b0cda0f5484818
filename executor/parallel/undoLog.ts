/**
 * What the transactions a thread committed overwrote, so the main thread can roll them back when
 * a schedule violation forces it. The log belongs to its thread: the thread itself only undoes
 * its open attempt (`abortOpen`); committed records leave it only through `takeAfter`, which the
 * thread calls once its round's violation is final (BlockThread.endRound, invariant 3 of
 * engine.ts), and the main thread applies them between rounds. Kept as raw slot copies (location id, tag, limb words) appended
 * to one growable typed array at commit time: no object and no BigInt per write, because the
 * common case never reads it.
 */
import { SharedState } from "../../state/sharedState.js";

/** One transaction's undo information, as sent to the main thread. */
export interface UndoRecord {
  /** Location ids, newest last. */
  readonly ids: Int32Array;
  /** SLOT_WORDS words per id: the slot as it was before the transaction wrote it. */
  readonly slots: Uint32Array;
  /** The fee cursor the transaction found, when it credited pending fees; -1 otherwise. */
  readonly feeCursorBefore: number;
}

const W = SharedState.SLOT_WORDS;

export class UndoLog {
  #ids = new Int32Array(1024);
  #slots = new Uint32Array(1024 * W);
  #length = 0;
  #start: Int32Array;
  #end: Int32Array;
  #feeCursor: Int32Array;
  #committed: number[] = [];
  #open = -1;

  constructor(txCount: number) {
    this.#start = new Int32Array(txCount);
    this.#end = new Int32Array(txCount).fill(-1);
    this.#feeCursor = new Int32Array(txCount).fill(-1);
  }

  /** Forget everything (a new execution of the block). */
  reset(txCount: number): void {
    this.#length = 0;
    if (this.#start.length !== txCount) {
      this.#start = new Int32Array(txCount);
      this.#end = new Int32Array(txCount);
      this.#feeCursor = new Int32Array(txCount);
    }
    this.#end.fill(-1);
    this.#feeCursor.fill(-1);
    this.#committed.length = 0;
  }

  begin(tx: number): void {
    this.#open = tx;
    this.#start[tx] = this.#length;
    this.#feeCursor[tx] = -1;
  }

  /** Save slot `id` of `state` before the open transaction overwrites it. */
  record(state: SharedState, id: number): void {
    if (this.#length === this.#ids.length) {
      const ids = new Int32Array(this.#ids.length * 2);
      ids.set(this.#ids);
      this.#ids = ids;
      const slots = new Uint32Array(this.#slots.length * 2);
      slots.set(this.#slots);
      this.#slots = slots;
    }
    this.#ids[this.#length] = id;
    state.saveSlot(id, this.#slots, this.#length * W);
    this.#length++;
  }

  recordFeeCursor(cursor: number): void {
    this.#feeCursor[this.#open] = cursor;
  }

  commit(tx: number): void {
    this.#end[tx] = this.#length;
    this.#committed.push(tx);
  }

  /** Put back what the open (uncommitted) transaction overwrote; returns its fee cursor or -1. */
  abortOpen(state: SharedState): number {
    const start = this.#start[this.#open]!;
    for (let k = this.#length - 1; k >= start; k--) state.restoreSlot(this.#ids[k]!, this.#slots, k * W);
    this.#length = start;
    return this.#feeCursor[this.#open]!;
  }

  /** Undo records of committed transactions after `index`; they are removed from the log. */
  takeAfter(index: number): [number, UndoRecord][] {
    const out: [number, UndoRecord][] = [];
    const kept: number[] = [];
    for (const tx of this.#committed) {
      if (tx <= index || this.#end[tx]! < 0) {
        kept.push(tx);
        continue;
      }
      const from = this.#start[tx]!;
      const to = this.#end[tx]!;
      out.push([tx, { ids: this.#ids.slice(from, to), slots: this.#slots.slice(from * W, to * W), feeCursorBefore: this.#feeCursor[tx]! }]);
      this.#end[tx] = -1;
    }
    this.#committed = kept;
    return out;
  }
}

/** Apply an undo record produced by any thread: newest write first. */
export function applyUndoRecord(state: SharedState, record: UndoRecord): void {
  for (let k = record.ids.length - 1; k >= 0; k--) state.restoreSlot(record.ids[k]!, record.slots, k * W);
}
