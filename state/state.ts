/**
 * The in-memory world state: location → value. Zero values are never stored, so two states
 * that hold the same non-zero values are the same state, however they were reached.
 */
import { createHash } from "node:crypto";
import type { Value } from "../core/types.js";
import { isZeroValue } from "../core/value.js";

/** What executors need of a state: the in-memory `State` and the `SharedState` both provide it. */
export interface StateStore {
  get(location: string): Value | undefined;
  /** A zero value (0n, false, the zero address) or undefined deletes the location. */
  set(location: string, value: Value | undefined): void;
  readonly size: number;
  entries(): IterableIterator<[string, Value]>;
  clone(): StateStore;
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

function encodeValue(value: Value): string {
  switch (typeof value) {
    case "bigint":
      return `u${value.toString(16)}`;
    case "boolean":
      return value ? "b1" : "b0";
    default:
      return `a${value}`;
  }
}

/**
 * The state root: sha256 over every (location, value) pair in location order, as 0x-hex. Two
 * executors agree on the root exactly when they agree on the whole state.
 */
export function stateRoot(state: StateStore): string {
  return stateRootOf(state);
}

export function stateRootOf(state: StateStore): string {
  const entries = Array.from(state.entries());
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const hash = createHash("sha256");
  let chunk = "";
  for (const [loc, value] of entries) {
    chunk += `${loc}\u0000${encodeValue(value)}\n`;
    // Hash in chunks: one update per entry costs more than building a 64 KiB string.
    if (chunk.length > 65_536) {
      hash.update(chunk);
      chunk = "";
    }
  }
  hash.update(chunk);
  return `0x${hash.digest("hex")}`;
}

export interface StateChange {
  readonly location: string;
  readonly before: Value | undefined;
  readonly after: Value | undefined;
}
