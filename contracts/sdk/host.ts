/**
 * The boundary between contract code and the executor running it. Contracts never see state
 * directly: every storage access, call, event and unit of gas goes through the installed `Host`,
 * which is where executors meter gas, record accesses, enforce declared lists and keep
 * multi-version memory. One host is installed per thread at a time (contracts are synchronous).
 */
import type { Address, Value } from "../../core/types.js";

export interface BlockInfo {
  readonly number: bigint;
  readonly timestamp: bigint;
  readonly sequencer: Address;
}

/** What a running contract knows about its call: who called, who it is, which block. */
export interface CallContext {
  /** The immediate caller: the transaction's sender, or the calling contract. */
  readonly sender: Address;
  /** The address of the running contract. */
  readonly self: Address;
  /** The transaction's sender, whatever the call depth. */
  readonly origin: Address;
  readonly block: BlockInfo;
}

export interface Host {
  /** The current call. Replaced, never mutated, per call: the SDK caches its copy by identity. */
  readonly frame: CallContext;
  /**
   * `prefix`, when given, is the storage handle's own prefix the SDK built `location` from (a
   * string made once per handle at deployment): the host checks it belongs to the running contract
   * (by identity after the first time) instead of reading the whole location.
   */
  read(location: string, prefix?: string): Value | undefined;
  /** Writing a zero value (0n, false, the zero address) deletes the location. */
  write(location: string, value: Value, prefix?: string): void;
  call(to: Address, fn: string, args: readonly unknown[]): unknown;
  emit(name: string, args: readonly Value[]): void;
  /** Meter `gas`: a non-negative safe integer, checked here (anything else fails the transaction). */
  charge(gas: number): void;
  /** Fail the transaction for good with `reason` (sticky, like out-of-gas): throws the error to raise. */
  abort(reason: string): never;
}

let installed: Host | undefined;
let deploying: Address | undefined;

export function host(): Host {
  if (installed === undefined) throw new Error("contract code ran outside an executor");
  return installed;
}

/** The installed host, if any (the gas-metering helpers charge it; deployment has none). */
export function currentHost(): Host | undefined {
  return installed;
}

/** Install `next` as the current host; returns the previous one so callers can restore it. */
export function installHost(next: Host | undefined): Host | undefined {
  const previous = installed;
  installed = next;
  return previous;
}

/**
 * Contract instances are built once per deployed address. Storage fields read the address being
 * deployed while the instance's field initializers run, so they can precompute their prefix.
 */
export function withDeployment<T>(address: Address, build: () => T): T {
  const previous = deploying;
  deploying = address;
  try {
    return build();
  } finally {
    deploying = previous;
  }
}

export function deployingAddress(): Address {
  if (deploying === undefined) {
    throw new Error("contracts and storage fields can only be created by the runtime at deployment");
  }
  return deploying;
}
