/**
 * The implementation of `prescient/contract`: the one place the SDK's behaviour is written.
 *
 * `defineSdk` is self-contained (it references nothing outside its own body), because the
 * sandbox evaluates its source text inside the contracts' `node:vm` realm: contracts then only
 * ever hold objects of their own realm (classes, prototypes, functions, errors, call contexts),
 * so no `constructor` or prototype chain leads to the host's `Function` or host prototypes.
 * The host operations it needs come in `bridge`, whose functions are captured by closures here
 * and never handed to contract code; every value crossing from the host is a primitive or is
 * copied into a realm object, and anything the host throws becomes a realm error.
 *
 * Keep this function free of syntax a transpiler lowers into helpers (class fields, `#private`,
 * decorators, enums): its text is evaluated as it is. contracts/sdk/index.ts runs the same
 * function in the host realm for host-side importers, and declares the public types.
 */

/** Host operations the SDK calls. Arguments going out are primitives or realm arrays of them. */
export interface SdkBridge {
  /** `prefix`: the storage handle's own prefix, which `location` starts with (see Host.read). */
  read(location: string, prefix: string): unknown;
  write(location: string, value: unknown, prefix: string): void;
  call(to: string, fn: string, args: readonly unknown[]): unknown;
  emit(name: string, args: readonly unknown[]): void;
  charge(gas: number): void;
  /** Metered gas (steps, and size: what builtins create or walk): charged to the installed host, if any. */
  meter(gas: number): void;
  /** Fail the transaction for good (sticky, like out-of-gas): the host throws the error to raise. */
  abort(reason: string): never;
  /** The current call frame (a host object; the SDK copies its primitive fields). */
  frame(): { readonly sender: string; readonly self: string; readonly origin: string; readonly block: { readonly number: bigint; readonly timestamp: bigint; readonly sequencer: string } };
  deployingAddress(): string;
  encodeKey(key: unknown): string;
  invalidValueReason(value: unknown): string | undefined;
  sha256Hex(text: string): string;
  verifyEd25519(publicKey: bigint, message: bigint, signature: string): boolean;
}

/** Constants the SDK exports, as JSON (bigints as decimal strings). */
export interface SdkConfig {
  readonly gas: Readonly<Record<string, number>>;
  readonly zeroAddress: string;
  readonly accountsAddress: string;
  readonly maxU256: string;
  readonly maxFrames: number;
  /** The contract stack budget in slots (LIMITS.stackSlots). */
  readonly maxStackSlots: number;
  /** Characters of a revert reason or event string kept in a receipt (LIMITS.receiptString). */
  readonly receiptString: number;
  /** Characters of a storage map key (LIMITS.mapKey). */
  readonly mapKey: number;
  /** Gas for size (SIZE_GAS). */
  readonly sizeGas: { readonly free: number; readonly chars: number };
  /** Bytes a transaction (or a module's load) may allocate, by the meter's estimate (LIMITS.memory). */
  readonly memory: number;
  /** Bytes of memory one gas pays for (SIZE_GAS.bytes). */
  readonly bytesPerGas: number;
}

/** What `defineSdk` returns: the contract-facing module and the runtime's own handles. */
export interface SdkRealm {
  /** The frozen `prescient/contract` module contracts import. */
  readonly sdk: Readonly<Record<string, unknown>>;
  /** Realm error classes the host throws into contract code. */
  readonly errors: {
    readonly Revert: new (reason: string) => Error;
    readonly OutOfGas: new (gasLimit: number) => Error;
    readonly AccessListViolation: new (kind: "read" | "write", location: string) => Error & { readonly kind: string; readonly location: string };
    readonly ScheduleViolation: new (location: string) => Error & { readonly location: string };
  };
  /** What a thrown value says when it is one of the SDK's errors (by brand, not by prototype); undefined otherwise. */
  describe(thrown: unknown): string | undefined;
  /**
   * Call `instance[fn](...args)`, copying host arrays among `args` into realm arrays. `outermost`
   * (the transaction's own call, not an inner one) starts the frame, stack, nesting and memory
   * counts from zero, whatever an earlier transaction left in them.
   */
  invoke(instance: object, fn: string, args: readonly unknown[], outermost: boolean): unknown;
  /** Start the counts from zero, as `invoke` does for a transaction: before a module loads or a contract is deployed. */
  reset(): void;
  /**
   * Run a compiled module's factory with realm `exports`, `module` and `require`, the metering
   * helpers and `operators` (the intrinsic guards' helpers for operators and spreads).
   */
  loadModule(factory: (...a: unknown[]) => void, operators: readonly unknown[]): { readonly exports: Record<string, unknown>; readonly badImport: string | undefined; readonly threw: boolean; readonly error: unknown };
  /** Whether `value` is a class extending this realm's `Contract`. */
  isContractClass(value: unknown): boolean;
  /** Deep-freeze a realm value (a contract class and its prototype, an instance). */
  harden<T>(value: T): T;
  /**
   * Gas-metering helpers for instrumented code: step(gas?, bytes?), enter(slots, gas?, bytes?),
   * exit(slots), freeze(...values).
   */
  readonly metering: readonly [(gas?: number, bytes?: number) => void, (slots: number, gas?: number, bytes?: number) => void, (slots: number) => void, (...values: unknown[]) => void];
  /** Gas for size, memory and the contract stack budget, for the sandbox's intrinsic guards. */
  readonly meter: {
    readonly charge: (gas: number) => void;
    /** Count `bytes` against the memory limit, and charge their gas, before they are allocated. */
    readonly allocate: (bytes: number) => void;
    readonly reserve: (slots: number) => void;
    readonly release: (slots: number) => void;
    /** Register what to clear when a transaction's outermost call starts. */
    readonly onReset: (reset: () => void) => void;
  };
}

// eslint-disable-next-line max-lines-per-function
export function defineSdk(bridge: SdkBridge, configJson: string): SdkRealm {
  "use strict";
  const config = JSON.parse(configJson) as SdkConfig;
  // The sandbox removes JSON from the contracts' realm after the SDK is defined.
  const stringify = JSON.stringify;
  const { freeze, defineProperty, getPrototypeOf, getOwnPropertyDescriptor } = Object;
  const ownKeys = Reflect.ownKeys;
  const RealmObject = Object;
  const RealmError = Error;
  const RealmTypeError = TypeError;
  const RealmRangeError = RangeError;
  const isArray = Array.isArray;
  // Intrinsics the hot paths use, held in locals (see `work`).
  const imul = Math.imul;
  const RealmNumber = Number;
  const RealmBigInt = BigInt;
  const RealmString = String;
  const floor = Math.floor;
  const isSafeInteger = Number.isSafeInteger;

  // Captured once: contract code never gets these functions.
  const hostRead = bridge.read;
  const hostWrite = bridge.write;
  const hostCall = bridge.call;
  const hostEmit = bridge.emit;
  const hostCharge = bridge.charge;
  const hostMeter = bridge.meter;
  const hostAbort = bridge.abort;
  const hostFrame = bridge.frame;
  const hostDeployingAddress = bridge.deployingAddress;
  const hostEncodeKey = bridge.encodeKey;
  const hostInvalidValueReason = bridge.invalidValueReason;
  const hostSha256Hex = bridge.sha256Hex;
  const hostVerifyEd25519 = bridge.verifyEd25519;

  /** Receipt text of the SDK's own errors, keyed by the error object (a brand no prototype can fake). */
  const described = new WeakMap<object, string>();

  // The realm's intrinsics are frozen by the sandbox (or are the host's, when this runs there):
  // hardening stops at them.
  const seen = new WeakSet<object>([Object.prototype, Function.prototype, Array.prototype, Error, Error.prototype, TypeError.prototype, RangeError.prototype, RegExp.prototype]);
  // Brand checks of the collections, whose contents freezing does not fix.
  const collectionChecks = [Map.prototype.has, Set.prototype.has, WeakMap.prototype.has, WeakSet.prototype.has];
  const reflectApply = Reflect.apply;
  const isCollection = (value: object): boolean => {
    for (let i = 0; i < collectionChecks.length; i++) {
      try {
        reflectApply(collectionChecks[i]!, value, [undefined]);
        return true;
      } catch {
        // not this kind
      }
    }
    return false;
  };
  // A worklist, not recursion: a deep value cannot overflow the thread's stack (whose size differs between threads).
  const harden = <T>(root: T): T => {
    const pending: unknown[] = [root];
    while (pending.length > 0) {
      const value = pending.pop();
      if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value as object)) continue;
      if (isCollection(value as object)) throw new RealmTypeError("a Map, Set, WeakMap or WeakSet that outlives a transaction is state outside storage; keep it in a StorageMap");
      seen.add(value as object);
      freeze(value);
      const keys = ownKeys(value as object);
      for (let i = 0; i < keys.length; i++) {
        const d = getOwnPropertyDescriptor(value, keys[i]!);
        if (d !== undefined && "value" in d) pending.push(d.value);
        else if (d !== undefined) pending.push(d.get, d.set);
      }
      pending.push(getPrototypeOf(value));
    }
    return root;
  };

  const setOwn = (target: object, key: string, value: unknown, writable = false): void => {
    defineProperty(target, key, { value, writable, enumerable: true, configurable: false });
  };

  /** A string a receipt keeps, cut to the receipt limit so no contract can fill the host's memory with receipts. */
  const receiptText = (value: unknown): string => {
    const text = RealmString(value);
    return text.length > config.receiptString ? `${text.slice(0, config.receiptString)}…` : text;
  };

  class Revert extends RealmError {
    declare readonly reason: string;
    constructor(reason: string) {
      const text = receiptText(reason);
      super(text);
      defineProperty(this, "name", { value: "Revert", writable: true, enumerable: true, configurable: true });
      setOwn(this, "reason", text);
      described.set(this, text);
    }
  }

  class OutOfGas extends RealmError {
    declare readonly gasLimit: number;
    constructor(gasLimit: number) {
      super(`out of gas (limit ${gasLimit})`);
      defineProperty(this, "name", { value: "OutOfGas", writable: true, enumerable: true, configurable: true });
      setOwn(this, "gasLimit", gasLimit);
      described.set(this, this.message);
    }
  }

  class AccessListViolation extends RealmError {
    declare readonly kind: "read" | "write";
    declare readonly location: string;
    constructor(kind: "read" | "write", location: string) {
      super(`AccessListViolation: ${kind} of ${location} is not in the declared access list`);
      defineProperty(this, "name", { value: "AccessListViolation", writable: true, enumerable: true, configurable: true });
      setOwn(this, "kind", kind);
      setOwn(this, "location", location);
      described.set(this, this.message);
    }
  }

  /** The transaction left its scheduled access set (parallel executors): not a revert, the attempt is retried. */
  class ScheduleViolation extends RealmError {
    declare readonly location: string;
    constructor(location: string) {
      super(`access to ${location} is outside the scheduled access set`);
      defineProperty(this, "name", { value: "ScheduleViolation", writable: true, enumerable: true, configurable: true });
      setOwn(this, "location", location);
      described.set(this, this.message);
    }
  }

  /** Anything the host throws, as a value of this realm: SDK errors pass, host errors are copied. */
  const fromHost = (error: unknown): unknown => {
    if ((typeof error !== "object" && typeof error !== "function") || error === null) return error;
    if (error instanceof RealmObject) return error;
    let name = "Error";
    let message = "host error";
    try {
      const n = (error as { name?: unknown }).name;
      const m = (error as { message?: unknown }).message;
      if (typeof n === "string") name = n;
      if (typeof m === "string") message = m;
    } catch {
      // unreadable: the defaults
    }
    if (name === "TypeError") return new RealmTypeError(message);
    if (name === "RangeError") return new RealmRangeError(message);
    if (name === "Revert") return new Revert(message);
    const copy = new RealmError(message);
    defineProperty(copy, "name", { value: name, writable: true, enumerable: false, configurable: true });
    return copy;
  };

  const read = (location: string, prefix: string): unknown => {
    try {
      return hostRead(location, prefix);
    } catch (error) {
      throw fromHost(error);
    }
  };
  const write = (location: string, value: unknown, prefix: string): void => {
    try {
      hostWrite(location, value, prefix);
    } catch (error) {
      throw fromHost(error);
    }
  };
  const charge = (gas: number): void => {
    try {
      hostCharge(gas);
    } catch (error) {
      throw fromHost(error);
    }
  };
  const encodeKey = (key: unknown): string => {
    if (typeof key === "string" && key.length > config.mapKey) throw new RealmTypeError(`map keys are limited to ${config.mapKey} characters, got ${key.length}`);
    if (typeof key === "string" || typeof key === "bigint" || typeof key === "boolean") {
      try {
        return hostEncodeKey(key);
      } catch (error) {
        throw fromHost(error);
      }
    }
    throw new RealmTypeError(`map keys must be bigints, strings or booleans, got ${typeof key}`);
  };

  // ---- the contract stack budget and gas for size ---------------------------------------------
  // Contract code never meets the engine's stack limit, which differs between threads: every
  // metered frame and every wrapped builtin reserves an upper bound of its stack use here first.
  let slots = 0;
  const maxSlots = config.maxStackSlots;
  const INNER_CALL_SLOTS = 256;
  const reserve = (n: number): void => {
    if (slots + n > maxSlots) throw new Revert(`contract call stack exceeds ${maxSlots} slots`);
    slots += n;
  };
  const release = (n: number): void => {
    slots -= n;
  };
  const resets: (() => void)[] = [];
  const onReset = (reset: () => void): void => {
    resets.push(reset);
  };
  const meterSize = (gas: number): void => {
    try {
      hostMeter(gas);
    } catch (error) {
      throw fromHost(error);
    }
  };
  // Memory: every allocation the meter can see is counted, by estimate, before it happens; past
  // the limit the transaction fails for good. Counted per transaction from zero (see `invoke`).
  let allocated = 0;
  const maxAllocated = config.memory;
  const bytesPerGas = config.bytesPerGas;
  /** Count `bytes` against the memory limit (their gas is paid elsewhere: the compiler folded it into a step's). */
  const count = (bytes: number): void => {
    allocated += bytes;
    if (allocated > maxAllocated) {
      try {
        hostAbort(`the transaction exceeds the memory limit of ${maxAllocated} bytes`);
      } catch (error) {
        throw fromHost(error);
      }
    }
  };
  /** Count `bytes` and charge their gas: one per `bytesPerGas` bytes (what a builtin or an operator creates). */
  const allocate = (bytes: number): void => {
    count(bytes);
    if (bytes >= bytesPerGas) meterSize(floor(bytes / bytesPerGas));
  };

  // ---- call context -------------------------------------------------------------------------
  type Frame = ReturnType<SdkBridge["frame"]>;
  let lastFrame: Frame | undefined;
  let lastCtx: object | undefined;
  let lastHostBlock: Frame["block"] | undefined;
  let lastBlock: object | undefined;
  const currentContext = (): object => {
    let frame: Frame;
    try {
      frame = hostFrame();
    } catch (error) {
      throw fromHost(error);
    }
    if (frame !== lastFrame || lastCtx === undefined) {
      const hostBlock = frame.block;
      if (hostBlock !== lastHostBlock || lastBlock === undefined) {
        lastBlock = freeze({ __proto__: null, number: hostBlock.number, timestamp: hostBlock.timestamp, sequencer: hostBlock.sequencer });
        lastHostBlock = hostBlock;
      }
      lastCtx = freeze({ __proto__: null, sender: frame.sender, self: frame.self, origin: frame.origin, block: lastBlock });
      lastFrame = frame;
    }
    return lastCtx;
  };

  const deployingAddress = (): string => {
    try {
      return hostDeployingAddress();
    } catch (error) {
      throw fromHost(error);
    }
  };

  // ---- contract base class and storage ------------------------------------------------------
  abstract class Contract {
    declare readonly address: string;
    constructor() {
      setOwn(this, "address", deployingAddress());
    }

    /** The current call: sender, self, origin and block. */
    protected get ctx(): object {
      return currentContext();
    }

    /** Call `fn` on the contract at `to`, as this contract. */
    protected call(to: string, fn: string, ...args: unknown[]): unknown {
      if (typeof to !== "string" || typeof fn !== "string") throw new Revert("call: the target and function name must be strings");
      // The host's frames between this call and the callee's contract frames.
      reserve(INNER_CALL_SLOTS);
      try {
        // The host decoded the result by the callee's ABI: primitives, or host arrays rebuilt here.
        return toRealm(hostCall(to, fn, args));
      } catch (error) {
        throw fromHost(error);
      } finally {
        release(INNER_CALL_SLOTS);
      }
    }

    /** Record an event in the transaction's receipt. */
    protected emit(name: string, ...args: unknown[]): void {
      if (typeof name !== "string") throw new Revert("emit: the event name must be a string");
      if (name.length > config.receiptString) throw new Revert(`emit: event names are limited to ${config.receiptString} characters`);
      for (let i = 0; i < args.length; i++) {
        const t = typeof args[i];
        if (t !== "bigint" && t !== "string" && t !== "boolean") throw new Revert(`emit: event arguments must be bigints, strings or booleans, got ${t}`);
        if (t === "string" && (args[i] as string).length > config.receiptString) throw new Revert(`emit: event strings are limited to ${config.receiptString} characters`);
      }
      try {
        hostEmit(name, args);
      } catch (error) {
        throw fromHost(error);
      }
    }
  }

  const checked = (value: unknown): unknown => {
    let reason: string | undefined;
    try {
      reason = hostInvalidValueReason(value);
    } catch (error) {
      throw fromHost(error);
    }
    if (reason !== undefined) throw new Revert(reason);
    return value;
  };

  const variablePrefix = (name: string): string => {
    if (typeof name !== "string" || name.length === 0 || name.includes("/") || !(name as unknown as { isWellFormed(): boolean }).isWellFormed()) throw new RealmTypeError(`invalid storage variable name ${stringify(name)}`);
    return `${deployingAddress()}/${name}`;
  };

  // Storage handles are capabilities: their methods are closures over the location fixed at
  // deployment, made once per handle, so no method reads `this` — a method called on a forged
  // receiver (`StorageMap.prototype.set.call({ prefix: … })`) does not exist to be called — and the
  // host refuses any location outside the running contract anyway (executor/txHost.ts).
  class StorageValue {
    declare readonly location: string;
    declare readonly defaultValue: unknown;
    declare readonly get: () => unknown;
    declare readonly set: (value: unknown) => void;
    constructor(name: string, defaultValue: unknown) {
      const location = variablePrefix(name);
      setOwn(this, "location", location);
      setOwn(this, "defaultValue", defaultValue);
      setOwn(this, "get", (): unknown => read(location, location) ?? defaultValue);
      setOwn(this, "set", (value: unknown): void => write(location, checked(value), location));
    }
  }

  class StorageMap {
    declare readonly prefix: string;
    declare readonly defaultValue: unknown;
    declare readonly location: (...keys: unknown[]) => string;
    declare readonly get: (...keys: unknown[]) => unknown;
    declare readonly set: (...keysAndValue: unknown[]) => void;
    constructor(name: string, defaultValue: unknown) {
      const prefix = `${variablePrefix(name)}/`;
      /** The location of an entry. */
      const location = (...keys: unknown[]): string => {
        let loc = prefix + encodeKey(keys[0]);
        for (let i = 1; i < keys.length; i++) loc += `/${encodeKey(keys[i])}`;
        return loc;
      };
      setOwn(this, "prefix", prefix);
      setOwn(this, "defaultValue", defaultValue);
      setOwn(this, "location", location);
      setOwn(this, "get", (...keys: unknown[]): unknown => read(location(...keys), prefix) ?? defaultValue);
      setOwn(this, "set", (...keysAndValue: unknown[]): void => {
        const last = keysAndValue.length - 1;
        const value = keysAndValue[last];
        // The location by hand: this is the hottest path of every contract, and the realm's
        // array methods are metered wrappers.
        let loc = prefix + encodeKey(last > 0 ? keysAndValue[0] : undefined);
        for (let i = 1; i < last; i++) loc += `/${encodeKey(keysAndValue[i])}`;
        write(loc, checked(value), prefix);
      });
    }
  }

  // ---- errors and u256 arithmetic -----------------------------------------------------------
  const revert = (reason: string): never => {
    throw new Revert(reason);
  };
  const ensure = (condition: boolean, reason: string): void => {
    if (!condition) throw new Revert(reason);
  };

  const MAX_U256 = BigInt(config.maxU256);
  const add = (a: bigint, b: bigint): bigint => {
    const r = a + b;
    if (r > MAX_U256) throw new Revert("u256 overflow");
    return r;
  };
  const sub = (a: bigint, b: bigint): bigint => {
    const r = a - b;
    if (r < 0n) throw new Revert("u256 underflow");
    return r;
  };
  const mul = (a: bigint, b: bigint): bigint => {
    const r = a * b;
    if (r > MAX_U256) throw new Revert("u256 overflow");
    return r;
  };
  const div = (a: bigint, b: bigint): bigint => {
    if (b === 0n) throw new Revert("division by zero");
    return a / b;
  };
  const mod = (a: bigint, b: bigint): bigint => {
    if (b === 0n) throw new Revert("division by zero");
    return a % b;
  };
  const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
  const isU256 = (value: bigint): boolean => value >= 0n && value <= MAX_U256;
  const ADDRESS = /^0x[0-9a-f]{40}$/;
  const isAddress = (value: unknown): boolean => typeof value === "string" && ADDRESS.test(value);

  // ---- deterministic cryptography and work ---------------------------------------------------
  /** sha256 over the canonical encoding of `values`, as a u256. */
  const hashValues = (...values: unknown[]): bigint => {
    let text = "";
    for (const value of values) text += `${typeof value}:${RealmString(value)};`;
    // Hashing is linear in the text: a long one pays for its size.
    allocate(text.length * 2);
    if (text.length > config.sizeGas.free) meterSize(floor(text.length / config.sizeGas.chars));
    let hex: string;
    try {
      hex = hostSha256Hex(text);
    } catch (error) {
      throw fromHost(error);
    }
    return RealmBigInt(`0x${hex}`);
  };

  const SIGNATURE_GAS = config.gas.signature!;
  /** Whether `signature` (0x-prefixed, 64 bytes) is a valid ed25519 signature by `publicKey` of the 32-byte `message`. */
  const verifyEd25519 = (publicKey: bigint, message: bigint, signature: string): boolean => {
    if (typeof publicKey !== "bigint" || typeof message !== "bigint" || typeof signature !== "string") return false;
    // Paid before the work: a check costs tens of microseconds (the validate phase's own check is in the intrinsic gas).
    meterSize(SIGNATURE_GAS);
    if (!/^0x[0-9a-f]{128}$/.test(signature) || publicKey <= 0n || publicKey >= 1n << 256n || message < 0n || message >= 1n << 256n) return false;
    try {
      return hostVerifyEd25519(publicKey, message, signature) === true;
    } catch (error) {
      throw fromHost(error);
    }
  };

  // The mixing loop lives in its own function, called for chunks of at most 2,048 rounds. As one
  // loop over all of a call's units it was compiled by on-stack replacement call by call, and a
  // process ran it 4× slower for its first thousand calls or so — or did not, depending on the
  // order in which calls warmed it: the same block measured 40 ms in one process and 110 ms in
  // the next. A small function called often is optimized early and the same way every time.
  // Every value stays an int32 (`| 0` after the add), so no iteration ever boxes a double.
  const mixState = new Int32Array(2);
  const mix = (rounds: number): void => {
    let a = mixState[0]! | 0;
    let b = mixState[1]! | 0;
    // imul is a local: a global lookup inside a vm context goes through the context's
    // interceptor, which in this loop costs more than the work itself.
    for (let i = 0; i < rounds; i++) {
      a = (imul(a ^ (a >>> 15), 0x2c1b3c6d) + b) | 0;
      b = (b + 0x9e3779b9) | 0;
    }
    mixState[0] = a;
    mixState[1] = b;
  };

  /** Deterministic CPU work: `units` rounds of an integer mix seeded by `seed`, charged one gas per unit. */
  const work = (units: number, seed: bigint): bigint => {
    // Checked here and again where the gas enters the meter: a negative, fractional or huge count
    // would mint gas or break the receipt.
    if (typeof units !== "number" || !isSafeInteger(units) || units < 0) throw new Revert("work: units must be a non-negative safe integer");
    if (typeof seed !== "bigint") throw new Revert("work: the seed must be a bigint");
    charge(units);
    mixState[0] = RealmNumber(seed & 0xffffffffn) | 0;
    mixState[1] = RealmNumber((seed >> 32n) & 0xffffffffn) | 0;
    for (let left = units; left > 0; left -= 2048) mix(left < 2048 ? left : 2048);
    return RealmBigInt(mixState[0]! >>> 0) * 0x100000000n + RealmBigInt(mixState[1]! >>> 0);
  };

  const sdk = harden({
    __proto__: null,
    Contract,
    StorageValue,
    StorageMap,
    Revert,
    OutOfGas,
    AccessListViolation,
    revert,
    ensure,
    add,
    sub,
    mul,
    div,
    mod,
    min,
    isU256,
    MAX_U256,
    isAddress,
    ZERO_ADDRESS: config.zeroAddress,
    ACCOUNTS_ADDRESS: config.accountsAddress,
    GAS: { ...config.gas },
    hashValues,
    verifyEd25519,
    work,
  });
  harden(ScheduleViolation);

  // ---- what only the runtime holds ----------------------------------------------------------
  const describe = (thrown: unknown): string | undefined =>
    (typeof thrown === "object" || typeof thrown === "function") && thrown !== null ? described.get(thrown) : undefined;

  /** A host value as a realm value: primitives pass, host arrays (of primitives) are rebuilt here. */
  const toRealm = (value: unknown): unknown => {
    if ((typeof value !== "object" && typeof value !== "function") || value === null || value instanceof RealmObject) return value;
    if (isArray(value)) {
      const items = value as readonly unknown[];
      const copy: unknown[] = [];
      for (let i = 0; i < items.length; i++) copy.push(toRealm(items[i]));
      return copy;
    }
    throw new RealmTypeError("a host object cannot be passed to contract code");
  };

  const reset = (): void => {
    depth = 0;
    slots = 0;
    allocated = 0;
    for (let i = 0; i < resets.length; i++) resets[i]!();
  };

  const invoke = (instance: object, fn: string, args: readonly unknown[], outermost: boolean): unknown => {
    if (outermost) reset();
    const copy: unknown[] = [];
    for (let i = 0; i < args.length; i++) {
      const v = args[i];
      copy.push(typeof v === "object" && v !== null ? toRealm(v) : v);
    }
    return (instance as Record<string, (...a: unknown[]) => unknown>)[fn]!(...copy);
  };

  const loadModule = (factory: (...a: unknown[]) => void, operators: readonly unknown[]) => {
    reset();
    const exports = {};
    const module = { exports };
    let badImport: string | undefined;
    const require = (id: string): unknown => {
      if (id === "prescient/contract") return sdk;
      badImport = RealmString(id);
      throw new RealmError(`contracts may import only "prescient/contract", not ${stringify(badImport)}`);
    };
    try {
      factory(exports, require, module, ...metering, ...operators);
    } catch (error) {
      return freeze({ __proto__: null, exports: module.exports as Record<string, unknown>, badImport, threw: true, error });
    }
    // What the module wrapper handed the module outlives every transaction: frozen, like the module's own bindings.
    harden(module);
    harden(require);
    return freeze({ __proto__: null, exports: module.exports as Record<string, unknown>, badImport, threw: false, error: undefined });
  };

  const isContractClass = (value: unknown): boolean => typeof value === "function" && (value as { prototype?: unknown }).prototype instanceof Contract;

  // ---- gas metering helpers (analyzer/instrument.ts) ----------------------------------------
  let depth = 0;
  const maxFrames = config.maxFrames;
  const STEP = config.gas.step!;
  // `gas` is the step's cost (GAS.step per few syntax nodes of the body, and the gas of what it
  // allocates, see analyzer/instrument.ts) and `bytes` the estimate of what the body allocates;
  // both are constants the compiler wrote.
  const step = (gas?: number, bytes?: number): void => {
    try {
      hostMeter(gas === undefined ? STEP : gas);
    } catch (error) {
      throw fromHost(error);
    }
    if (bytes !== undefined) count(bytes);
  };
  const enter = (slots: number, gas?: number, bytes?: number): void => {
    try {
      hostMeter(gas === undefined ? STEP : gas);
    } catch (error) {
      throw fromHost(error);
    }
    if (bytes !== undefined) count(bytes);
    if (depth >= maxFrames) throw new Revert(`call depth exceeds ${maxFrames} contract frames`);
    reserve(slots);
    depth++;
  };
  const exit = (slots: number): void => {
    depth--;
    release(slots);
  };
  /** The module's own bindings, frozen once it has loaded: state lives in storage only. */
  const freezeModule = (...values: unknown[]): void => {
    for (let i = 0; i < values.length; i++) harden(values[i]);
  };
  const metering = freeze([freeze(step), freeze(enter), freeze(exit), freeze(freezeModule)] as const);

  return freeze({
    sdk: sdk as unknown as Readonly<Record<string, unknown>>,
    errors: freeze({ Revert, OutOfGas, AccessListViolation, ScheduleViolation }),
    describe,
    invoke,
    reset,
    loadModule,
    isContractClass,
    harden,
    metering,
    meter: freeze({ charge: meterSize, allocate, reserve, release, onReset }),
  }) as unknown as SdkRealm;
}
