/**
 * The host the sequential executor installs while a transaction runs: it meters gas, checks
 * accesses against the declared list, records what was touched, and buffers writes in an
 * overlay over the block state, so a revert (of the whole transaction or of one inner call)
 * is a cheap rollback and nothing is written to the state until the transaction commits.
 */
import { accessMatchers, type LocationMatcher } from "../core/location.js";
import type { Address, EnforcementPolicy, Event, Tx, Value } from "../core/types.js";
import { isZeroValue } from "../core/value.js";
import { GAS } from "../contracts/sdk/gas.js";
import type { BlockInfo, CallContext, Host } from "../contracts/sdk/host.js";
import type { ContractRuntime } from "../contracts/runtime/runtime.js";
import type { StateStore } from "../state/state.js";

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

/** The locations a transaction was scheduled with: what it may read, what it may write. */
export interface ScheduleGuard {
  readonly readable: LocationMatcher;
  readonly writable: LocationMatcher;
}

/** Matchers of each transaction's declared list, built once however often it runs. */
const declaredMatchers = new WeakMap<Tx, ScheduleGuard>();

/** Inner calls deeper than this revert, so recursion fails the same way on every thread's stack. */
export const MAX_CALL_DEPTH = 64;

export class TxHost implements Host {
  frame: CallContext;
  /** The transaction's writes not yet committed (replaced, not cleared: see `discard`). */
  overlay: Overlay = new Map();
  readonly events: Event[] = [];
  gasUsed = 0;
  outOfGas = false;
  violation: AccessListViolation | undefined;
  violations = 0;
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
  #gasAvailable = 0;
  #policy: EnforcementPolicy = "off";
  #readable: LocationMatcher | undefined;
  #writable: LocationMatcher | undefined;

  constructor(state: StateStore, runtime: ContractRuntime, block: BlockInfo, trace: boolean) {
    this.#state = state;
    this.#runtime = runtime;
    this.#errors = runtime.sandbox.errors;
    this.#block = block;
    this.frame = { sender: block.sequencer, self: block.sequencer, origin: block.sequencer, block };
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
    if (!this.metered) return;
    this.gasUsed += gas;
    // Out of gas is sticky: a contract that catches OutOfGas cannot run on, every later charge
    // throws again and the receipt says out-of-gas whatever the contract did with the error.
    if (this.gasUsed > this.#gasAvailable || this.outOfGas) {
      this.outOfGas = true;
      throw Object.freeze(new this.#errors.OutOfGas(this.#gasAvailable));
    }
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
  read(loc: string): Value | undefined {
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

  write(loc: string, value: Value): void {
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
    this.charge(GAS.event);
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

  call(to: Address, fn: string, args: readonly unknown[]): unknown {
    this.charge(GAS.call);
    const target = this.#runtime.get(to);
    if (target === undefined) throw new this.#errors.Revert(`call to ${to}: no contract there`);
    if (!Object.hasOwn(target.abi.methods, fn)) throw new this.#errors.Revert(`call to ${to}: ${target.abi.className} has no public function ${JSON.stringify(fn)}`);
    return this.invoke(target.instance, to, fn, args, this.frame.self);
  }

  /** Run `fn` on a contract instance as `sender`, rolling back its writes if it throws. */
  invoke(instance: object, self: Address, fn: string, args: readonly unknown[], sender: Address): unknown {
    if (this.#depth >= MAX_CALL_DEPTH) throw new this.#errors.Revert(`call depth exceeds ${MAX_CALL_DEPTH}`);
    const caller = this.frame;
    const checkpoint = this.checkpoint();
    this.frame = { sender, self, origin: this.#depth === 0 ? sender : caller.origin, block: this.#block };
    const outermost = this.#depth === 0;
    this.#depth++;
    try {
      return this.#runtime.sandbox.invoke(instance, fn, args, outermost);
    } catch (error) {
      this.rollback(checkpoint);
      throw error;
    } finally {
      this.#depth--;
      this.frame = caller;
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
    this.violation = undefined;
    this.violations = 0;
    this.scheduleViolation = undefined;
    this.reads?.clear();
    this.writes?.clear();
  }
}
