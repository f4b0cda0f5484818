/**
 * The in-memory world state: location → value. Zero values are never stored, so two states
 * that hold the same non-zero values are the same state, however they were reached.
 */
import type { Value } from "../core/types.js";
import { isZeroValue } from "../core/value.js";
import { rootOfEntries } from "./root.js";

/** What executors need of a state: the in-memory `State` and the `SharedState` both provide it. */
export interface StateStore {
  get(location: string): Value | undefined;
  /** A zero value (0n, false, the zero address) or undefined deletes the location. */
  set(location: string, value: Value | undefined): void;
  readonly size: number;
  entries(): IterableIterator<[string, Value]>;
  clone(): StateStore;
  /** The state root, when the store computes it faster than sorting its entries. */
  root?(): string;
}

/**
 * A read-only state under a `SharedState`, consulted the first time a location is seen: the
 * persistent state of the chain's head (LMDB), so that a block reads only what it touches instead
 * of loading the whole state first.
 */
export interface StateBase {
  get(location: string): Value | undefined;
  /** Every non-zero pair, in location order. */
  entries(): IterableIterator<[string, Value]>;
  /** Every non-zero pair in location order, the value already in its state-root text (see root.ts). */
  rootEntries(): IterableIterator<[string, string]>;
  readonly size: number;
  /** How a worker thread opens the same base read-only; undefined when only this thread can read it. */
  readonly source: StateBaseSource | undefined;
  /** See every commit made so far (a thread's read snapshot may lag until it is renewed). */
  refresh(): void;
}

/** A base another thread can open: an LMDB state directory. */
export interface StateBaseSource {
  readonly kind: "lmdb";
  readonly dir: string;
}

export class State implements StateStore {
  readonly #values: Map<string, Value>;

  constructor(values?: Iterable<readonly [string, Value]>) {
    this.#values = new Map();
    if (values !== undefined) for (const [loc, value] of values) this.set(loc, value);
  }

  get(location: string): Value | undefined {
    return this.#values.get(location);
  }

  /** Set a location; a zero value (0n, false, the zero address) deletes it. */
  set(location: string, value: Value | undefined): void {
    if (value === undefined || isZeroValue(value)) this.#values.delete(location);
    else this.#values.set(location, value);
  }

  get size(): number {
    return this.#values.size;
  }

  entries(): IterableIterator<[string, Value]> {
    return this.#values.entries();
  }

  clone(): State {
    const copy = new State();
    for (const [loc, value] of this.#values) copy.#values.set(loc, value);
    return copy;
  }
}

/**
 * The state root: sha256 over every (location, value) pair in location order, as 0x-hex (see
 * root.ts). A store that can do better than sorting all of its entries (one over an ordered base)
 * computes it itself.
 */
export function stateRoot(state: StateStore): string {
  return state.root?.() ?? rootOfEntries(state.entries());
}

/** The root from the entries alone, sorting them. */
export function stateRootOf(state: StateStore): string {
  return rootOfEntries(state.entries());
}

export interface StateChange {
  readonly location: string;
  readonly before: Value | undefined;
  readonly after: Value | undefined;
}
