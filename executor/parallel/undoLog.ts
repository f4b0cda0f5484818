/**
 * What the transactions a thread committed overwrote, so the main thread can roll them back when
 * a schedule violation forces it. Kept as flat arrays appended at commit time (one push per
 * written location, no object per transaction): the common case never reads it.
 */
import type { Value } from "../../core/types.js";

/** One transaction's undo information, as sent to the main thread. */
export interface UndoRecord {
  readonly ids: readonly number[];
  readonly values: readonly (Value | undefined)[];
  /** The fee cursor the transaction found, when it credited pending fees; -1 otherwise. */
  readonly feeCursorBefore: number;
}

export class UndoLog {
  #ids: number[] = [];
  #values: (Value | undefined)[] = [];
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
    this.#ids = [];
    this.#values = [];
    if (this.#start.length !== txCount) {
      this.#start = new Int32Array(txCount);
      this.#end = new Int32Array(txCount);
      this.#feeCursor = new Int32Array(txCount);
    }
    this.#end.fill(-1);
    this.#feeCursor.fill(-1);
    this.#committed = [];
  }

  begin(tx: number): void {
    this.#open = tx;
    this.#start[tx] = this.#ids.length;
    this.#feeCursor[tx] = -1;
  }

  record(id: number, previous: Value | undefined): void {
    this.#ids.push(id);
    this.#values.push(previous);
  }

  recordFeeCursor(cursor: number): void {
    this.#feeCursor[this.#open] = cursor;
  }

  commit(tx: number): void {
    this.#end[tx] = this.#ids.length;
    this.#committed.push(tx);
  }

  /** The open (uncommitted) transaction's entries, newest first, then dropped. */
  abortOpen(apply: (id: number, value: Value | undefined) => void): number {
    const start = this.#start[this.#open]!;
    for (let k = this.#ids.length - 1; k >= start; k--) apply(this.#ids[k]!, this.#values[k]);
    this.#ids.length = start;
    this.#values.length = start;
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
      out.push([tx, { ids: this.#ids.slice(from, to), values: this.#values.slice(from, to), feeCursorBefore: this.#feeCursor[tx]! }]);
      this.#end[tx] = -1;
    }
    this.#committed = kept;
    return out;
  }
}
