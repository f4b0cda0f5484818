/**
 * The host the sequential executor installs while a transaction runs: it meters gas, checks
 * accesses against the declared list, records what was touched, and buffers writes in an
 * overlay over the block state, so a revert (of the whole transaction or of one inner call)
 * is a cheap rollback and nothing is written to the state until the transaction commits.
 *
 * It is also the sandbox's last line: whatever the contract's realm did, the host admits a read or
 * write only inside the running contract's own locations (`<self>/…`, well-formed, within the
 * location limit), gas only as a non-negative safe integer, and an inner call's arguments and
 * return value only as values of the callee's ABI types.
 */
import { MAX_LOCATION_BYTES, accessMatchers, fitsLocationLimit, type LocationMatcher } from "../core/location.js";
import type { Address, EnforcementPolicy, Event, Tx, Value } from "../core/types.js";
import { isWellFormed, isZeroValue } from "../core/value.js";
import { GAS } from "../contracts/sdk/gas.js";
import type { BlockInfo, CallContext, Host } from "../contracts/sdk/host.js";
import { decodeCallArgs, decodeReturn, type MethodAbi } from "../contracts/runtime/abi.js";
import type { ContractRuntime, DeployedContract } from "../contracts/runtime/runtime.js";
import type { StateStore } from "../state/state.js";
import { BaseError } from "../core/errors.js";

/** Writes buffered by a transaction; `undefined` marks a deleted (zeroed) location. */
export type Overlay = Map<string, Value | undefined>;

const ABSENT = Symbol("absent");

export interface Checkpoint {
  readonly journal: number;
  readonly events: number;
}

/**
 * Thrown when a transaction touches a location outside the set the scheduler ran it with. It is
 * not a revert: the parallel executor discards the attempt and runs the transaction again where
 * nothing can race with it. Like out-of-gas it is sticky, so a contract cannot swallow it.
 * (An error of the contracts' realm, like every error the host throws into contract code.)
 */
export type ScheduleViolation = Error & { readonly location: string };
type AccessListViolation = Error & { readonly kind: string; readonly location: string };
type Revert = Error & { readonly reason: string };

/** The locations a transaction was scheduled with: what it may read, what it may write. */
export interface ScheduleGuard {
  readonly readable: LocationMatcher;
  readonly writable: LocationMatcher;
}

/** Matchers of each transaction's declared list, built once however often it runs. */
const declaredMatchers = new WeakMap<Tx, ScheduleGuard>();

/** Inner calls deeper than this revert, so recursion fails the same way on every thread's stack. */
export const MAX_CALL_DEPTH = 64;

/**
 * A transaction ran longer than the watchdog allows: something escaped the gas meter. It is not a
 * receipt (wall-clock time differs between machines) but the block's failure: nothing of the
 * block is committed, the process goes on. See `TxHost.charge`.
 */
export class WatchdogError extends BaseError {
  override name = "WatchdogError";
}

/** Metered charges between two looks at the clock. */
const WATCHDOG_TICKS = 4096;

/** The watchdog's wall-clock budget per transaction, in ms: PRESCIENT_TX_WATCHDOG_MS, or 30 s. */
export function transactionWatchdogMs(): number {
  const configured = Number(process.env.PRESCIENT_TX_WATCHDOG_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : 30_000;
}

export class TxHost implements Host {
  frame: CallContext;
  /** The transaction's writes not yet committed (replaced, not cleared: see `discard`). */
  overlay: Overlay = new Map();
  readonly events: Event[] = [];
  gasUsed = 0;
  outOfGas = false;
  violation: AccessListViolation | undefined;
  violations = 0;
  /**
   * Set when the transaction broke the sandbox (a location outside its contract, a malformed gas
   * charge) or its memory limit: like out-of-gas it is sticky, and the receipt is a revert with it.
   */
  failure: Revert | undefined;
  /** Set when the transaction left its scheduled set (parallel executors only). */
  scheduleViolation: ScheduleViolation | undefined;
  /** The scheduled set being guarded, if any. */
  guard: ScheduleGuard | undefined;
  /** Whether events are recorded (they cost a copy per event). */
  recordEvents = true;
  /** Whether gas is metered and declared lists enforced (off for the protocol's own phases). */
  metered = false;
  readonly reads: Set<string> | undefined;
  readonly writes: Set<string> | undefined;

  readonly #state: StateStore;
  readonly #runtime: ContractRuntime;
  /** The contracts' realm's error classes: nothing the host throws at a contract is a host object. */
  readonly #errors: ContractRuntime["sandbox"]["errors"];
  readonly #block: BlockInfo;
  readonly #journal: (string | Value | undefined | typeof ABSENT)[] = [];
  #depth = 0;
  /** The running contract's own locations: `<self>/`. */
  #own: string;
  /** Each storage-handle prefix seen, and the `<address>/` of the deployed contract it lies in (the runtime's own string). */
  readonly #handleOwners = new Map<string, string | undefined>();
  #gasAvailable = 0;
  /** Charges since the transaction began, and when its watchdog fires (0 until first looked at). */
  #ticks = 0;
  #deadline = 0;
  readonly #watchdogMs = transactionWatchdogMs();
  /** Set when the watchdog fired: runTx throws it, failing the block. */
  watchdog: WatchdogError | undefined;
  #policy: EnforcementPolicy = "off";
  #readable: LocationMatcher | undefined;
  #writable: LocationMatcher | undefined;

  constructor(state: StateStore, runtime: ContractRuntime, block: BlockInfo, trace: boolean) {
    this.#state = state;
    this.#runtime = runtime;
    this.#errors = runtime.sandbox.errors;
    this.#block = block;
    this.frame = { sender: block.sequencer, self: block.sequencer, origin: block.sequencer, block };
    // No contract runs yet: no location starts with a sequencer's address and a slash but its own.
    this.#own = `${block.sequencer}/`;
    this.reads = trace ? new Set() : undefined;
    this.writes = trace ? new Set() : undefined;
  }

  /** Start the execute phase: meter up to `gasAvailable` and enforce `tx`'s declared list. */
  beginExecution(tx: Tx, gasAvailable: number, policy: EnforcementPolicy): void {
    this.metered = true;
    this.#gasAvailable = gasAvailable;
    this.#policy = tx.accessList === undefined ? "off" : policy;
    if (this.#policy !== "off" && tx.accessList !== undefined) {
      let matchers = declaredMatchers.get(tx);
      if (matchers === undefined) {
        matchers = accessMatchers(tx.accessList.reads, tx.accessList.writes);
        declaredMatchers.set(tx, matchers);
      }
      this.#readable = matchers.readable;
      this.#writable = matchers.writable;
    }
  }

  endExecution(): void {
    this.metered = false;
    this.#policy = "off";
    this.#readable = undefined;
    this.#writable = undefined;
  }

  charge(gas: number): void {
    // Checked where gas enters the meter, whoever computed it: a negative, fractional, NaN or
    // unsafe amount would mint gas or break the receipt's arithmetic.
    if (typeof gas !== "number" || !Number.isSafeInteger(gas) || gas < 0) this.abort(`invalid gas charge ${typeof gas === "number" ? gas : typeof gas}`);
    if (!this.metered) return;
    if (this.failure !== undefined) throw this.failure;
    this.gasUsed += gas;
    if ((++this.#ticks & (WATCHDOG_TICKS - 1)) === 0) this.#watch();
    // Out of gas is sticky: a contract that catches OutOfGas cannot run on, every later charge
    // throws again and the receipt says out-of-gas whatever the contract did with the error.
    if (this.gasUsed > this.#gasAvailable || this.outOfGas) {
      if (this.watchdog !== undefined) throw this.watchdog;
      this.outOfGas = true;
      throw Object.freeze(new this.#errors.OutOfGas(this.#gasAvailable));
    }
  }

  /**
   * The watchdog, for what escapes the meter (a builtin far slower than its gas says): every few
   * thousand charges it looks at the clock, and a transaction past its wall-clock budget stops for
   * good — every later charge throws — and fails the block (runTx throws it). Cheap: a counter per
   * charge, a clock read per WATCHDOG_TICKS.
   */
  #watch(): void {
    const now = performance.now();
    if (this.#deadline === 0) {
      this.#deadline = now + this.#watchdogMs;
      return;
    }
    if (now <= this.#deadline) return;
    this.watchdog = new WatchdogError(`a transaction ran more than ${this.#watchdogMs} ms (PRESCIENT_TX_WATCHDOG_MS): it escaped the gas meter, and the block is refused`);
    this.#gasAvailable = -1;
    throw this.watchdog;
  }

  abort(reason: string): never {
    // Sticky: the first failure stands, and catching it does not let the contract go on.
    this.failure ??= Object.freeze(new this.#errors.Revert(reason)) as Revert;
    throw this.failure;
  }

  /**
   * The sandbox's rule for every access: inside the running contract's locations and within the
   * location limit. Another contract's state is reached only through a call to it. The SDK builds
   * every location from a handle's prefix (made once per handle at deployment, well-formed) and
   * keys it checked (well-formed, no '/'): the prefix is checked here, then known by identity,
   * so the hot path never reads the whole location. Without a prefix the location itself is checked.
   */
  #checkLocation(kind: "read" | "write", loc: string, prefix: string | undefined): void {
    const inside = prefix !== undefined ? this.#ownerOf(prefix) === this.#own : typeof loc === "string" && loc.startsWith(this.#own) && isWellFormed(loc);
    if (!inside) {
      const shown = typeof loc === "string" ? JSON.stringify(loc.slice(0, 120)) : typeof loc;
      this.abort(`sandbox: ${kind} of ${shown} is outside the running contract ${this.frame.self}`);
    }
    if (!fitsLocationLimit(loc)) throw new this.#errors.Revert(`${kind} of a location longer than ${MAX_LOCATION_BYTES} key bytes (${JSON.stringify(loc.slice(0, 60))}…)`);
  }

  /** The deployed contract's `<address>/` a handle prefix lies in (the runtime's string, so the comparison is by identity), or undefined. */
  #ownerOf(prefix: string): string | undefined {
    let owner = this.#handleOwners.get(prefix);
    if (owner === undefined && !this.#handleOwners.has(prefix)) {
      const slash = typeof prefix === "string" ? prefix.indexOf("/") : -1;
      owner = slash < 0 ? undefined : this.#runtime.get(prefix.slice(0, slash) as Address)?.locationPrefix;
      this.#handleOwners.set(prefix, owner);
    }
    return owner;
  }

  /** An access outside the declared list: counted, and under `strict` the transaction reverts. */
  #violate(kind: "read" | "write", loc: string): void {
    // Counted once per transaction: the stat says how many transactions broke their lists.
    this.violations = 1;
    if (this.#policy === "strict") {
      // Sticky like out-of-gas: catching the error does not make the access legal.
      this.violation ??= Object.freeze(new this.#errors.AccessListViolation(kind, loc));
      throw this.violation;
    }
  }

  /**
   * Stop the transaction: it touched `loc`, which the executor running it cannot allow yet (outside
   * its scheduled set, or not ready in multi-version memory). Sticky; runTx then returns undefined.
   */
  outOfSchedule(loc: string): never {
    this.scheduleViolation ??= Object.freeze(new this.#errors.ScheduleViolation(loc));
    throw this.scheduleViolation;
  }


  /*
   * The schedule guard is checked only in the execute phase: the protocol phases touch exactly the
   * sender's nonce, balance and key, which every scheduled set holds. And a location the declared
   * list allows needs no second look, because every scheduled set contains the declared list.
   */
  read(loc: string, prefix?: string): Value | undefined {
    this.#checkLocation("read", loc, prefix);
    if (this.metered) {
      this.charge(GAS.read);
      const declared = this.#policy !== "off" && this.#readable!.has(loc);
      if (this.#policy !== "off" && !declared) this.#violate("read", loc);
      if (this.guard !== undefined && !declared && !this.guard.readable.has(loc)) this.outOfSchedule(loc);
    }
    this.reads?.add(loc);
    const buffered = this.overlay.get(loc);
    if (buffered !== undefined || this.overlay.has(loc)) return buffered;
    return this.#state.get(loc);
  }

  write(loc: string, value: Value, prefix?: string): void {
    this.#checkLocation("write", loc, prefix);
    if (this.metered) {
      this.charge(GAS.write);
      const declared = this.#policy !== "off" && this.#writable!.has(loc);
      if (this.#policy !== "off" && !declared) this.#violate("write", loc);
      if (this.guard !== undefined && !declared && !this.guard.writable.has(loc)) this.outOfSchedule(loc);
    }
    this.writes?.add(loc);
    const previous = this.overlay.has(loc) ? this.overlay.get(loc) : ABSENT;
    this.#journal.push(loc, previous);
    this.overlay.set(loc, isZeroValue(value) ? undefined : value);
  }

  emit(name: string, args: readonly Value[]): void {
    // Receipts keep events: their size is paid for, like their count.
    let chars = name.length;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      chars += typeof arg === "string" ? arg.length : 32;
    }
    this.charge(GAS.event + chars * GAS.eventChar);
    if (this.recordEvents) this.events.push({ contract: this.frame.self, name, args: [...args] });
  }

  /** A point to roll back to. */
  checkpoint(): Checkpoint {
    return { journal: this.#journal.length, events: this.events.length };
  }

  rollback(checkpoint: Checkpoint): void {
    this.events.length = checkpoint.events;
    while (this.#journal.length > checkpoint.journal) {
      const previous = this.#journal.pop();
      const loc = this.#journal.pop() as string;
      if (previous === ABSENT) this.overlay.delete(loc);
      else this.overlay.set(loc, previous as Value | undefined);
    }
  }

  /**
   * An inner call: `fn` of the contract at `to`, as the running contract. Its arguments and its
   * return value are decoded by the callee's ABI, exactly as a transaction's arguments are: a
   * value of the wrong type reverts the call (the callee's writes rolled back) in the caller.
   */
  call(to: Address, fn: string, args: readonly unknown[]): unknown {
    this.charge(GAS.call);
    const target = typeof to === "string" ? this.#runtime.get(to) : undefined;
    if (target === undefined) throw new this.#errors.Revert(`call to ${String(to).slice(0, 60)}: no contract there`);
    if (typeof fn !== "string" || !Object.hasOwn(target.abi.methods, fn)) throw new this.#errors.Revert(`call to ${to}: ${target.abi.className} has no public function ${JSON.stringify(String(fn).slice(0, 60))}`);
    const method = target.abi.methods[fn]!;
    let decoded: unknown[];
    try {
      decoded = decodeCallArgs(method, args);
    } catch (error) {
      throw new this.#errors.Revert(`call to ${to} ${fn}: ${(error as Error).message}`);
    }
    return this.invoke(target, fn, decoded, this.frame.self, method);
  }

  /**
   * Run `fn` on a deployed contract as `sender`, rolling back its writes if it throws (or, for an
   * inner call to `method`, if what it returns is not of its ABI return type).
   */
  invoke(target: DeployedContract, fn: string, args: readonly unknown[], sender: Address, method?: MethodAbi): unknown {
    if (this.#depth >= MAX_CALL_DEPTH) throw new this.#errors.Revert(`call depth exceeds ${MAX_CALL_DEPTH}`);
    const caller = this.frame;
    const callerOwn = this.#own;
    const checkpoint = this.checkpoint();
    this.frame = { sender, self: target.address, origin: this.#depth === 0 ? sender : caller.origin, block: this.#block };
    this.#own = target.locationPrefix;
    const outermost = this.#depth === 0;
    this.#depth++;
    try {
      const result = this.#runtime.sandbox.invoke(target.instance, fn, args, outermost);
      if (method === undefined) return result;
      try {
        return decodeReturn(method, result);
      } catch (error) {
        throw new this.#errors.Revert(`call to ${target.address} ${fn}: the return value: ${(error as Error).message}`);
      }
    } catch (error) {
      this.rollback(checkpoint);
      throw error;
    } finally {
      this.#depth--;
      this.frame = caller;
      this.#own = callerOwn;
    }
  }

  /** Move the overlay into the state: the transaction commits. */
  commitTo(state: StateStore, onWrite?: (loc: string) => void): void {
    // forEach rather than for…of: no [location, value] pair allocated per write.
    this.overlay.forEach((value, loc) => {
      onWrite?.(loc);
      state.set(loc, value);
    });
    this.discard();
  }

  discard(): void {
    // A new Map rather than clear(). V8's clear() allocates the map a new hash table and leaves the
    // old one pointing to it (for iterators still walking it). A host lives as long as its block
    // or its executor, so one of its tables ends up in the old generation, and from then on every
    // later table, with the locations and values it held, is reachable from there until the next
    // full collection: each young-generation collection copied them all. An ERC-20 block run by
    // the parallel engine after a state root was hashed saw 4 collections of 4-5 ms each (1.4 MB
    // surviving each) where a fresh map per transaction sees 3 of ~1.5 ms.
    if (this.overlay.size !== 0) this.overlay = new Map();
    this.#journal.length = 0;
  }

  resetTx(): void {
    this.discard();
    this.events.length = 0;
    this.gasUsed = 0;
    this.outOfGas = false;
    this.#ticks = 0;
    this.#deadline = 0;
    this.watchdog = undefined;
    this.violation = undefined;
    this.failure = undefined;
    this.violations = 0;
    this.scheduleViolation = undefined;
    this.reads?.clear();
    this.writes?.clear();
  }
}
