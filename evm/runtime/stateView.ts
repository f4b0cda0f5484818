/**
 * What a transaction runs against: a synchronous, Map-like view of the state by location. The
 * sequential run passes the block state itself; the parallel executor passes its own view
 * (multi-version memory, a schedule guard). A view may throw to stop a transaction that reached a
 * location it may not read yet: the runtime lets the throw through and commits nothing.
 */
import type { Value } from "../../core/types.js";

export interface StateView {
  get(location: string): Value | undefined;
  /** A zero value or undefined clears the location. */
  set(location: string, value: Value | undefined): void;
}
