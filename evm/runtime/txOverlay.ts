/**
 * One transaction's writes, buffered over the view it runs against, with the checkpoints the EVM
 * takes at every call frame. It also records what the transaction read: the first value of every
 * location it fetched from the view (later reads of it are served from here, so the transaction
 * sees one consistent value, and a Block-STM validation can compare exactly those values).
 *
 * Nothing reaches the view before `commit`, which writes only net changes: a location set back to
 * the value it had (a zero-value transfer, a lock set and cleared) is read, not written.
 *
 * A view may throw to stop the transaction. @ethereumjs/evm catches some errors of the state it
 * reads (a failing balance update becomes a failed call), so the first throw is also kept here, and
 * the runtime rethrows it once the EVM returns: a stopped transaction never yields a result.
 */
import type { Value } from "../../core/types.js";
import type { StateView } from "./stateView.js";

const ABSENT = Symbol("absent");

/** Zero and absent are one value (prescient's state stores no zeros). */
function normalize(value: Value | undefined): Value | undefined {
  return value === 0n || value === false ? undefined : value;
}

export class TxOverlay {
  readonly view: StateView;
  /** The value each location had in the view when this transaction first read it: the read set. */
  readonly #reads = new Map<string, Value | undefined>();
  #writes = new Map<string, Value | undefined>();
  /** (location, previous overlay entry) pairs, so a checkpoint can be rolled back. */
  readonly #journal: (string | Value | undefined | typeof ABSENT)[] = [];
  readonly #checkpoints: number[] = [];
  #stopped: { readonly error: unknown } | undefined;

  constructor(view: StateView) {
    this.view = view;
  }

  /** The value the transaction sees at `location`. */
  read(location: string): Value | undefined {
    const written = this.#writes.get(location);
    if (written !== undefined || this.#writes.has(location)) return written;
    return this.readBefore(location);
  }

  /** The value `location` had before this transaction (a read of the view, recorded). */
  readBefore(location: string): Value | undefined {
    const seen = this.#reads.get(location);
    if (seen !== undefined || this.#reads.has(location)) return seen;
    let value: Value | undefined;
    try {
      value = normalize(this.view.get(location));
    } catch (error) {
      this.stop(error);
      throw error;
    }
    this.#reads.set(location, value);
    return value;
  }

  /** Stop the transaction with `error` (the first one counts), whatever the EVM does with it. */
  stop(error: unknown): void {
    this.#stopped ??= { error };
  }

  /** What stopped the transaction, if anything did. */
  get stopped(): { readonly error: unknown } | undefined {
    return this.#stopped;
  }

  /** Whether the transaction has written `location` (a zero included). */
  isWritten(location: string): boolean {
    return this.#writes.has(location);
  }

  /** The value the transaction sees, without recording a read (for the fee credit's bookkeeping). */
  peek(location: string): Value | undefined {
    if (this.#writes.has(location)) return this.#writes.get(location);
    if (this.#reads.has(location)) return this.#reads.get(location);
    return normalize(this.view.get(location));
  }

  write(location: string, value: Value | undefined): void {
    this.#journal.push(location, this.#writes.has(location) ? this.#writes.get(location) : ABSENT);
    this.#writes.set(location, normalize(value));
  }

  checkpoint(): void {
    this.#checkpoints.push(this.#journal.length);
  }

  /** Keep the writes since the last checkpoint (they belong to the enclosing frame now). */
  commitCheckpoint(): void {
    this.#checkpoints.pop();
  }

  /** Undo the writes since the last checkpoint. */
  revertCheckpoint(): void {
    const to = this.#checkpoints.pop() ?? 0;
    const journal = this.#journal;
    while (journal.length > to) {
      const previous = journal.pop();
      const location = journal.pop() as string;
      if (previous === ABSENT) this.#writes.delete(location);
      else this.#writes.set(location, previous as Value | undefined);
    }
  }

  /** The net writes, each compared with the value before the transaction (which reads it). */
  netWrites(): [string, Value | undefined][] {
    const out: [string, Value | undefined][] = [];
    this.#writes.forEach((value, location) => {
      if (value !== this.readBefore(location)) out.push([location, value]);
    });
    return out;
  }

  /** The locations read from the view, in the order first read. */
  readLocations(): string[] {
    return Array.from(this.#reads.keys());
  }
}
