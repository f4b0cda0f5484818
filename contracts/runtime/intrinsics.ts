/**
 * The contracts' realm, made deterministic and bounded. `guardIntrinsics` runs inside the realm
 * (the sandbox evaluates its source text, like the SDK's), once, before anything is frozen:
 *
 * - globals contracts must not have are deleted (an allowlist: no clock, no promises or
 *   microtasks, no regular expressions, no JSON, no buffers or shared memory, no Proxy, no
 *   locale, no weak references, no console), and so are the engine's leaks of state between
 *   transactions (RegExp's legacy `$1`… statics, stack traces that show the host's frames);
 * - builtins that create or walk data in proportion to a size (array and string methods,
 *   `Array.from`, collections built from iterables, `Object.keys`…) charge gas for that size and
 *   refuse sizes above LIMITS, so a huge allocation is an out-of-gas or a RangeError in every
 *   executor, never an out-of-memory of the host;
 * - builtins that call functions or recurse through data (`apply`, `Reflect.apply`/`construct`,
 *   bound functions, `join`, `Error.prototype.toString`, `flat`) reserve contract stack slots, so
 *   the stack contract code can use is bounded by a count, not by the thread's stack size (the main
 *   thread's is a quarter of a worker's: a limit the engine enforced would depend on the thread);
 * - then every intrinsic reachable from the global object, from iterators and from generator
 *   functions is frozen, accessors included.
 *
 * It returns the helpers that instrumented contract code calls for operators and spreads (see
 * analyzer/instrument.ts), in OPERATOR_HELPERS order. Like realm.ts, the function is
 * self-contained and free of syntax a transpiler lowers into helpers.
 */

/** What the guards need from the SDK: gas for size, memory, and the contract stack budget. */
export interface RealmMeter {
  /** Charge gas during a transaction's execute phase (a no-op elsewhere). */
  charge(gas: number): void;
  /** Count `bytes` against the transaction's memory limit and charge their gas, before they are allocated. */
  allocate(bytes: number): void;
  /** Reserve stack slots (a Revert when the budget is exhausted). */
  reserve(slots: number): void;
  release(slots: number): void;
  /** Register what to clear when a transaction's outermost call starts. */
  onReset(reset: () => void): void;
}

/** The limits the guards enforce, as JSON (LIMITS and SIZE_GAS of contracts/sdk/gas.ts). */
export interface IntrinsicLimits {
  readonly arguments: number;
  readonly nesting: number;
  readonly elements: number;
  readonly stringLength: number;
  readonly properties: number;
  readonly bigintBits: number;
  readonly free: number;
  readonly elementsPerGas: number;
  readonly charsPerGas: number;
  readonly propertiesPerGas: number;
  /** Prototype links an object may have above it (see `protoChecked`). */
  readonly prototypeChain: number;
}

/** Names of the operator helpers, in the order `guardIntrinsics` returns them. */
export const OPERATOR_HELPERS = ["add", "sub", "mul", "pow", "shl", "shr", "str", "spread", "props", "ctor", "key", "proto", "heritage", "fn", "methods", "caught", "wkey"] as const;

type Fn = (...args: never[]) => unknown;

// eslint-disable-next-line max-lines-per-function
export function guardIntrinsics(meter: RealmMeter, limitsJson: string): readonly Fn[] {
  "use strict";
  const L = JSON.parse(limitsJson) as IntrinsicLimits;
  const global = globalThis as unknown as Record<PropertyKey, unknown>;
  const { freeze, defineProperty, getOwnPropertyDescriptor, getPrototypeOf, hasOwn } = Object;
  const ownKeys = Reflect.ownKeys;
  const deleteProperty = Reflect.deleteProperty;
  const reflectApply = Reflect.apply;
  const reflectConstruct = Reflect.construct;
  const isArray = Array.isArray;
  const RealmObject = Object;
  const RealmString = String;
  const RealmNumber = Number;
  const NativeBigInt = BigInt;
  const RealmRangeError = RangeError;
  const RealmTypeError = TypeError;
  const floor = Math.floor;
  const ceil = Math.ceil;
  const log2 = Math.log2;
  const ITERATOR = Symbol.iterator;
  const SPREADABLE = Symbol.isConcatSpreadable;
  const ArrayProto = Array.prototype as unknown as Record<PropertyKey, unknown>;
  const StringProto = String.prototype as unknown as Record<PropertyKey, unknown>;
  const nativeJoin = Array.prototype.join;
  const nativePush = Array.prototype.push;
  const nativeIndexOf = String.prototype.indexOf;
  const charge = meter.charge;
  const allocate = meter.allocate;
  const reserve = meter.reserve;
  const release = meter.release;
  /** Slots a wrapped builtin holds while it runs: its own frame and the native frames under it. */
  const WRAPPER_SLOTS = 64;
  const BIGINT_LIMIT = 1n << NativeBigInt(L.bigintBits);
  const BIGINT_BITS = NativeBigInt(L.bigintBits);

  // ---- sizes, gas and limits ----------------------------------------------------------------
  const sizeGas = (units: number, perGas: number): number => (units > L.free ? floor(units / perGas) : 0);
  const chargeElements = (n: number): void => {
    const gas = sizeGas(n, L.elementsPerGas);
    if (gas > 0) charge(gas);
  };
  const chargeChars = (n: number): void => {
    const gas = sizeGas(n, L.charsPerGas);
    if (gas > 0) charge(gas);
  };
  const chargeProperties = (n: number): void => {
    const gas = sizeGas(n, L.propertiesPerGas);
    if (gas > 0) charge(gas);
  };
  // What a builtin creates (not only walks) pays memory gas and is counted against the memory
  // limit, from the first unit: 8 bytes an element, 2 a character, 48 a property, before it is allocated.
  const createdElements = (n: number): void => allocate(n * 8);
  const createdChars = (n: number): void => allocate(n * 2);
  const createdProperties = (n: number): void => allocate(n * 48);
  const limit = (what: string, n: number, max: number): void => {
    if (n > max) throw new RealmRangeError(`${what}: ${n} exceeds the contract limit of ${max}`);
  };
  /** A string a builtin or an operator created: limited, and paid for as memory. */
  const checkedString = (what: string, s: string): string => {
    const n = s.length;
    if (n > L.free) limit(what, n, L.stringLength);
    allocate(n * 2);
    return s;
  };
  const BIGINT_COUNTED = 1n << 256n;
  const checkedBigInt = (value: bigint): bigint => {
    if (value >= BIGINT_LIMIT || value <= -BIGINT_LIMIT) throw new RealmRangeError(`a bigint above ${L.bigintBits} bits exceeds the contract limit`);
    // Beyond u256 a bigint's digits are counted as memory (by bound: up to the limit's 512 bytes).
    if (value >= BIGINT_COUNTED || value <= -BIGINT_COUNTED) allocate(L.bigintBits / 8);
    return value;
  };
  /** ToLength of an array-like's length (getters run: they are contract code, metered). */
  const lengthOf = (o: unknown): number => {
    const n = RealmNumber((o as { length?: unknown }).length);
    if (!(n > 0)) return 0;
    return n === Infinity ? 2 ** 53 - 1 : floor(n);
  };
  const isObjectLike = (v: unknown): v is object => (typeof v === "object" && v !== null) || typeof v === "function";
  const toInteger = (v: unknown): number => {
    const n = RealmNumber(v);
    if (n !== n) return 0;
    if (n === Infinity || n === -Infinity) return n;
    return n < 0 ? ceil(n) : floor(n);
  };
  /** Run `body` holding `slots` of the contract stack. */
  const holding = <T>(slots: number, body: () => T): T => {
    reserve(slots);
    try {
      return body();
    } finally {
      release(slots);
    }
  };

  /**
   * An iterable as an array, counted: at most `elements` elements, gas per element. Plain arrays
   * and strings are measured, not copied; anything else is iterated here, so an iterator over a
   * sparse array of 2³² holes stops at the limit instead of materialising in the engine.
   */
  const materialize = (x: unknown, what: string): unknown => {
    if (typeof x === "string") {
      limit(what, x.length, L.elements);
      createdElements(x.length);
      return x;
    }
    if (isArray(x) && getPrototypeOf(x) === ArrayProto && !hasOwn(x, ITERATOR)) {
      limit(what, x.length, L.elements);
      createdElements(x.length);
      return x;
    }
    const out: unknown[] = [];
    let n = 0;
    for (const v of x as Iterable<unknown>) {
      n++;
      if (n > L.elements) limit(what, n, L.elements);
      // Charge as we go, so an endless iterator runs out of gas (or memory) before it reaches the limit.
      if ((n & 1023) === 0) {
        allocate(1024 * 8);
        if ((n & 8191) === 0) charge(floor(8192 / L.elementsPerGas));
      }
      reflectApply(nativePush, out, [v]);
    }
    allocate((n & 1023) * 8);
    const rest = floor((n & 8191) / L.elementsPerGas);
    if (n > L.free && rest > 0) charge(rest);
    return out;
  };

  const define = (target: object, key: PropertyKey, value: unknown): void => {
    defineProperty(target, key, { value, writable: true, enumerable: false, configurable: true });
  };
  const refuse = (what: string, why: string) =>
    ({
      [what]() {
        throw new RealmTypeError(`${what} is not available to contracts: ${why}`);
      },
    })[what]!;

  // ---- the Array constructor ------------------------------------------------------------------
  // `new Array(n)` and `Array(n)` allocate n elements at once (up to 32M: 229 MB for one call). The
  // global `Array` becomes a guard that counts them. `Array.prototype.constructor` must stay the
  // engine's function (redefining it would disable V8's array-species fast paths for the whole
  // process, host included, 20-30x slower `slice`/`map`/`filter`), so every way contract code reads
  // a value (`.constructor`, computed member reads, `Reflect.get`, property descriptors) hands it
  // the guard instead (`ctor`, and the instrumented reads of analyzer/instrument.ts).
  const NativeArray = Array as unknown as (new (...a: unknown[]) => unknown[]) & ((...a: unknown[]) => unknown[]);
  const arrayLength = (args: unknown[]): void => {
    if (args.length === 1 && typeof args[0] === "number") {
      const n = args[0];
      // A length that is not an array index throws the engine's RangeError below, unallocated.
      if (n >= 0 && n <= 4294967295 && floor(n) === n) {
        limit("Array", n, L.elements);
        createdElements(n);
      }
    } else allocate(args.length * 8);
  };
  const GuardedArray = function (this: unknown, ...args: unknown[]): unknown {
    arrayLength(args);
    return new.target === undefined ? reflectApply(NativeArray, undefined, args) : reflectConstruct(NativeArray, args, (new.target as unknown) === GuardedArray ? NativeArray : new.target);
  } as unknown as Record<PropertyKey, unknown>;
  defineProperty(GuardedArray, "name", { value: "Array" });
  defineProperty(GuardedArray, "length", { value: 1 });
  defineProperty(GuardedArray, "prototype", { value: NativeArray.prototype, writable: false });
  for (const key of ownKeys(NativeArray)) {
    if (key === "length" || key === "name" || key === "prototype") continue;
    defineProperty(GuardedArray, key, getOwnPropertyDescriptor(NativeArray, key)!);
  }
  /** A value contract code reads: the engine's Array constructor becomes the guard. */
  const ctor = (value: unknown): unknown => (value === NativeArray ? GuardedArray : value);
  global.Array = GuardedArray;

  // ---- calls that forward argument lists ------------------------------------------------------
  const argumentList = (args: unknown, what: string): unknown[] => {
    if (args === null || args === undefined) return [];
    if (!isObjectLike(args)) throw new RealmTypeError(`${what}: the argument list must be an object`);
    const n = lengthOf(args);
    limit(`${what} arguments`, n, L.arguments);
    allocate(n * 8);
    const list: unknown[] = [];
    for (let i = 0; i < n; i++) reflectApply(nativePush, list, [(args as Record<number, unknown>)[i]]);
    return list;
  };
  const guardedApply = (target: unknown, thisArg: unknown, list: unknown[]): unknown =>
    holding(WRAPPER_SLOTS + list.length, () => reflectApply(ctor(target) as Fn, thisArg, list));
  const guardedConstruct = (target: unknown, list: unknown[], newTarget: unknown): unknown =>
    holding(WRAPPER_SLOTS + list.length, () => reflectConstruct(ctor(target) as new (...a: unknown[]) => unknown, list, ctor(newTarget) as new (...a: unknown[]) => unknown));

  const FunctionProto = Function.prototype as unknown as Record<PropertyKey, unknown>;
  define(FunctionProto, "apply", {
    apply(this: unknown, thisArg: unknown, args: unknown) {
      return guardedApply(this, thisArg, argumentList(args, "apply"));
    },
  }.apply);
  define(FunctionProto, "bind", {
    bind(this: unknown, thisArg: unknown, ...bound: unknown[]) {
      const target = this;
      if (typeof target !== "function") throw new RealmTypeError("Bind must be called on a function");
      limit("bind arguments", bound.length, L.arguments);
      // A closure instead of an engine bound function: calling it goes through the same
      // accounting as apply, so a chain of binds cannot recurse in the engine unaccounted.
      const boundFunction = function (this: unknown, ...args: unknown[]): unknown {
        const all: unknown[] = [];
        for (let i = 0; i < bound.length; i++) reflectApply(nativePush, all, [bound[i]]);
        for (let i = 0; i < args.length; i++) reflectApply(nativePush, all, [args[i]]);
        limit("bound function arguments", all.length, L.arguments);
        return new.target === undefined ? guardedApply(target, thisArg, all) : guardedConstruct(target, all, new.target === boundFunction ? target : new.target);
      };
      // Its `prototype` cannot be replaced: see `fn` (no prototype chain grows through it).
      defineProperty(boundFunction, "prototype", { writable: false });
      return boundFunction;
    },
  }.bind);
  const ReflectObject = Reflect as unknown as Record<PropertyKey, unknown>;
  define(ReflectObject, "apply", {
    apply(target: unknown, thisArg: unknown, args: unknown) {
      if (!isObjectLike(args)) throw new RealmTypeError("Reflect.apply: the argument list must be an object");
      return guardedApply(target, thisArg, argumentList(args, "Reflect.apply"));
    },
  }.apply);
  define(ReflectObject, "construct", {
    construct(target: unknown, args: unknown, ...rest: unknown[]) {
      if (!isObjectLike(args)) throw new RealmTypeError("Reflect.construct: the argument list must be an object");
      return guardedConstruct(target, argumentList(args, "Reflect.construct"), rest.length > 0 ? rest[0] : target);
    },
  }.construct);

  // ---- conversions that recurse through data --------------------------------------------------
  let nesting = 0;
  const joining: unknown[] = [];
  // Only an engine stack overflow inside a `finally` could leave these behind; never across transactions.
  meter.onReset(() => {
    nesting = 0;
    if (joining.length !== 0) joining.length = 0;
  });
  const nested = <T>(what: string, body: () => T): T => {
    if (nesting >= L.nesting) throw new RealmRangeError(`${what}: nesting deeper than the contract limit of ${L.nesting}`);
    nesting++;
    reserve(WRAPPER_SLOTS);
    try {
      return body();
    } finally {
      release(WRAPPER_SLOTS);
      nesting--;
    }
  };

  define(ArrayProto, "join", {
    join(this: unknown, separator: unknown) {
      if (this === null || this === undefined) return reflectApply(nativeJoin, this, [separator]);
      const o = RealmObject(this);
      const n = lengthOf(o);
      limit("Array.prototype.join", n, L.elements);
      createdElements(n);
      const sep = separator === undefined ? "," : RealmString(separator);
      // An array that contains itself joins as the empty string, as in the engine.
      if (joining.indexOf(o) !== -1) return "";
      return nested("Array.prototype.join", () => {
        reflectApply(nativePush, joining, [o]);
        try {
          // Convert every element here, once, so the result's size is known before it is built.
          const parts: string[] = [];
          let total = n > 0 ? sep.length * (n - 1) : 0;
          limit("Array.prototype.join", total, L.stringLength);
          for (let i = 0; i < n; i++) {
            const v = (o as Record<number, unknown>)[i];
            const part = v === undefined || v === null ? "" : RealmString(v);
            total += part.length;
            limit("Array.prototype.join", total, L.stringLength);
            reflectApply(nativePush, parts, [part]);
          }
          createdChars(total);
          return reflectApply(nativeJoin, parts, [sep]);
        } finally {
          joining.length--;
        }
      });
    },
  }.join);

  // Strings the engine builds from what it holds: a function's source text, a symbol's description.
  for (const [proto, what] of [[Function.prototype, "Function.prototype.toString"], [Symbol.prototype, "Symbol.prototype.toString"]] as const) {
    const native = (proto as unknown as Record<PropertyKey, Fn>).toString;
    define(proto, "toString", {
      toString(this: unknown) {
        return checkedString(what, reflectApply(native, this, []) as string);
      },
    }.toString);
  }

  const ErrorProto = Error.prototype as unknown as Record<PropertyKey, unknown>;
  const nativeErrorToString = ErrorProto.toString as Fn;
  define(ErrorProto, "toString", {
    toString(this: unknown) {
      return nested("Error.prototype.toString", () => checkedString("Error.prototype.toString", reflectApply(nativeErrorToString, this, []) as string));
    },
  }.toString);

  // ---- array methods ----------------------------------------------------------------------------
  /** Methods that build a new array (or, for sort, a copy of the receiver to sort). */
  const CREATING_ARRAY = ["concat", "filter", "map", "slice", "splice", "toReversed", "toSorted", "toSpliced", "with", "sort", "unshift", "fill"];
  const wrapArrayMethod = (name: PropertyKey, units: (n: number, args: unknown[], self: unknown) => number): void => {
    const native = ArrayProto[name];
    if (typeof native !== "function") return;
    const label = `Array.prototype.${RealmString(name)}`;
    const creates = CREATING_ARRAY.indexOf(name as string) !== -1;
    const wrapped = {
      [name](this: unknown, ...args: unknown[]) {
        return holding(WRAPPER_SLOTS, () => {
          if (this !== null && this !== undefined) {
            const n = lengthOf(RealmObject(this));
            limit(label, n, L.elements);
            const u = units(n, args, this);
            limit(label, u, L.elements * 32);
            if (creates) allocate((u < n ? n : u) * 8);
            chargeElements(u);
          }
          return reflectApply(native as Fn, this, args);
        });
      },
    }[name as string]!;
    define(ArrayProto, name, wrapped);
  };
  const spreadLength = (v: unknown): number => {
    if (!isObjectLike(v)) return 1;
    const spreadable = (v as Record<PropertyKey, unknown>)[SPREADABLE];
    return (spreadable === undefined ? isArray(v) : !!spreadable) ? lengthOf(v) : 1;
  };
  /** How many `free`-sized pieces a string of `length` characters is (at least one). */
  const stringFactor = (length: number): number => (length > L.free ? ceil(length / L.free) : 1);
  /** The longest string among the first `n` elements of `array`. */
  const longestString = (array: unknown, n: number): number => {
    let longest = 0;
    const o = array as Record<number, unknown>;
    for (let i = 0; i < n; i++) {
      const v = o[i];
      if (typeof v === "string" && v.length > longest) longest = v.length;
    }
    return longest;
  };
  const EXEMPT_ARRAY = ["constructor", "push", "pop", "at", "keys", "values", "entries", "toString", "join", "flat", "flatMap", "toLocaleString"];
  for (const name of ownKeys(ArrayProto)) {
    if (typeof name === "symbol" || EXEMPT_ARRAY.indexOf(name) !== -1) continue;
    if (name === "concat") {
      wrapArrayMethod(name, (n, args) => {
        let total = n;
        for (let i = 0; i < args.length; i++) total += spreadLength(args[i]);
        limit("Array.prototype.concat", total, L.elements);
        return total;
      });
    } else if (name === "sort" || name === "toSorted") {
      // Each comparison of the default order compares two strings: up to the longest one's length.
      wrapArrayMethod(name, (n, args, self) => n * ceil(log2(n + 1)) * (args[0] === undefined ? stringFactor(longestString(self, n)) : 1));
    } else if (name === "includes" || name === "indexOf" || name === "lastIndexOf") {
      // Each element is compared with the search value: up to its length, if it is a string.
      wrapArrayMethod(name, (n, args) => n * (typeof args[0] === "string" ? stringFactor(args[0].length) : 1));
    } else wrapArrayMethod(name, (n) => n);
  }
  define(ArrayProto, "toLocaleString", refuse("toLocaleString", "its result depends on the host's locale"));

  const nativeFlat = ArrayProto.flat as Fn;
  const flat = {
    flat(this: unknown, depth?: unknown) {
      if (this === null || this === undefined) return reflectApply(nativeFlat, this, [depth]);
      const o = RealmObject(this);
      const requested = depth === undefined ? 1 : toInteger(depth);
      // Nesting is capped, so flattening never recurses deeper than the limit.
      const levels = requested < 0 ? 0 : requested > L.nesting ? L.nesting : requested;
      return holding(WRAPPER_SLOTS + 4 * levels, () => {
        let count = 0;
        const walk = (a: object, level: number): void => {
          const n = lengthOf(a);
          limit("Array.prototype.flat", n, L.elements);
          chargeElements(n);
          for (let i = 0; i < n; i++) {
            if (!(i in a)) continue;
            const v = (a as Record<number, unknown>)[i];
            if (level > 0 && isArray(v)) walk(v, level - 1);
            else if (++count > L.elements) limit("Array.prototype.flat", count, L.elements);
          }
        };
        walk(o, levels);
        allocate(count * 8);
        return reflectApply(nativeFlat, o, [levels]);
      });
    },
  }.flat;
  define(ArrayProto, "flat", flat);
  const guardedMap = ArrayProto.map as Fn;
  define(ArrayProto, "flatMap", {
    flatMap(this: unknown, callback: unknown, thisArg?: unknown) {
      // flatMap is map, then flat by one level (only arrays are flattened, as in the engine).
      return reflectApply(flat, reflectApply(guardedMap, this, [callback, thisArg]), [1]);
    },
  }.flatMap);

  const ArrayObject = Array as unknown as Record<PropertyKey, unknown>;
  const nativeFrom = ArrayObject.from as Fn;
  define(ArrayObject, "from", {
    from(this: unknown, items: unknown, ...rest: unknown[]) {
      return holding(WRAPPER_SLOTS, () => {
        let source = items;
        if (items !== null && items !== undefined) {
          const iterator = (items as Record<PropertyKey, unknown>)[ITERATOR];
          if (iterator !== undefined && iterator !== null) source = materialize(items, "Array.from");
          else {
            const n = lengthOf(RealmObject(items));
            limit("Array.from", n, L.elements);
            createdElements(n);
          }
        }
        // Counted here: the engine's `from` then builds the array with the engine's constructor.
        return reflectApply(nativeFrom, this === GuardedArray ? NativeArray : this, [source, ...rest]);
      });
    },
  }.from);
  for (const name of ["fromAsync"]) delete ArrayObject[name];

  // ---- string methods ---------------------------------------------------------------------------
  /** The receiver as a string, converted once (as the engine would), or undefined for null/undefined. */
  const receiverString = (self: unknown): string | undefined => (self === null || self === undefined ? undefined : typeof self === "string" ? self : RealmString(self));
  const wrapStringMethod = (name: string, pre: (s: string, args: unknown[]) => void): void => {
    const native = StringProto[name];
    if (typeof native !== "function") return;
    const label = `String.prototype.${name}`;
    const wrapped = {
      [name](this: unknown, ...args: unknown[]) {
        return holding(WRAPPER_SLOTS, () => {
          const s = receiverString(this);
          if (s === undefined) return reflectApply(native as Fn, this, args);
          pre(s, args);
          const result = reflectApply(native as Fn, s, args);
          return typeof result === "string" ? checkedString(label, result) : result;
        });
      },
    }[name]!;
    define(StringProto, name, wrapped);
  };
  const scan = (s: string): void => chargeChars(s.length);
  const GROWING_STRING: Record<string, number> = { __proto__: null, toUpperCase: 3, toLowerCase: 3, normalize: 18 } as unknown as Record<string, number>;
  const EXEMPT_STRING = ["constructor", "at", "charAt", "charCodeAt", "codePointAt", "toString", "valueOf"];
  const REGEXP_METHODS = ["match", "matchAll", "search"];
  const LOCALE_METHODS = ["localeCompare", "toLocaleLowerCase", "toLocaleUpperCase"];
  for (const name of ownKeys(StringProto)) {
    if (typeof name === "symbol" || EXEMPT_STRING.indexOf(name) !== -1) continue;
    if (REGEXP_METHODS.indexOf(name) !== -1) define(StringProto, name, refuse(name, "it builds a regular expression, which can backtrack for exponential time outside the gas meter"));
    else if (LOCALE_METHODS.indexOf(name) !== -1) define(StringProto, name, refuse(name, "its result depends on the host's locale"));
    else if (name === "repeat") {
      wrapStringMethod(name, (s, args) => {
        const count = toInteger(args[0]);
        if (count > 0 && s.length > 0) {
          limit("String.prototype.repeat", s.length * count, L.stringLength);
          chargeChars(s.length * count);
        }
      });
    } else if (name === "padStart" || name === "padEnd") {
      wrapStringMethod(name, (s, args) => {
        const target = lengthOf({ length: args[0] });
        if (target > s.length) {
          limit(`String.prototype.${name}`, target, L.stringLength);
          chargeChars(target);
        }
      });
    } else if (name === "concat") {
      wrapStringMethod(name, (s, args) => {
        // Convert the arguments once, here, so the result's size is known before it is built.
        let total = s.length;
        for (let i = 0; i < args.length; i++) {
          args[i] = RealmString(args[i]);
          total += (args[i] as string).length;
        }
        limit("String.prototype.concat", total, L.stringLength);
        chargeChars(total);
      });
    } else if (name === "replace" || name === "replaceAll") {
      wrapStringMethod(name, (s, args) => {
        scan(s);
        // Converted here, once: an object pattern (whose `toString` could answer "" and match
        // everywhere) is measured like a string. Contracts have no regular expressions.
        const search = RealmString(args[0]);
        args[0] = search;
        const replacement = args[1];
        if (typeof replacement === "function") {
          // A replacer can return a long string for every match: count what it returns.
          let total = s.length;
          args[1] = function (this: unknown, ...match: unknown[]): string {
            const r = RealmString(reflectApply(replacement as Fn, undefined, match));
            total += r.length;
            limit(`String.prototype.${name}`, total, L.stringLength);
            allocate(r.length * 2);
            return r;
          };
          return;
        }
        const text = RealmString(replacement);
        args[1] = text;
        let matches = 0;
        if (search === "") matches = name === "replace" ? 1 : s.length + 1;
        else {
          for (let at = reflectApply(nativeIndexOf, s, [search]) as number; at !== -1; at = reflectApply(nativeIndexOf, s, [search, at + search.length]) as number) {
            matches++;
            if (name === "replace") break;
          }
        }
        // `$\`` and `$'` insert the text before or after the match: up to the whole string each.
        let wide = 0;
        for (let at = reflectApply(nativeIndexOf, text, ["$"]) as number; at !== -1; at = reflectApply(nativeIndexOf, text, ["$", at + 1]) as number) {
          const next = text[at + 1];
          if (next === "`" || next === "'") wide++;
        }
        const bound = s.length + matches * (text.length + wide * s.length);
        limit(`String.prototype.${name}`, bound, L.stringLength);
        chargeChars(bound);
      });
    } else if (name === "split") {
      wrapStringMethod(name, (s, args) => {
        // An object separator is converted here, once, and measured like a string.
        if (args[0] !== undefined) args[0] = RealmString(args[0]);
        limit("String.prototype.split", s.length + 1, L.elements);
        createdElements(s.length + 1);
        createdChars(s.length);
      });
    } else if (GROWING_STRING[name] !== undefined) {
      // Case mappings and normalization can make a string longer than its input ("ß" → "SS",
      // NFKD up to 18 code units a character): bounded before the engine builds the result.
      const growth = GROWING_STRING[name]!;
      wrapStringMethod(name, (s) => {
        limit(`String.prototype.${name}`, s.length * growth, L.stringLength);
        scan(s);
      });
    } else wrapStringMethod(name, scan);
  }

  const StringObject = String as unknown as Record<PropertyKey, unknown>;
  define(StringObject, "raw", {
    raw(template: unknown, ...substitutions: unknown[]) {
      const raw = RealmObject(RealmObject(template).raw) as Record<number, unknown>;
      const n = lengthOf(raw);
      limit("String.raw", n, L.elements);
      chargeElements(n);
      let out = "";
      for (let i = 0; i < n; i++) {
        out += RealmString(raw[i]);
        if (i + 1 < n && i < substitutions.length) out += RealmString(substitutions[i]);
        limit("String.raw", out.length, L.stringLength);
      }
      return checkedString("String.raw", out);
    },
  }.raw);

  // URI encoding grows a string up to 9 times (escape: 6), decoding never grows it.
  for (const [name, growth] of [["encodeURI", 9], ["encodeURIComponent", 9], ["escape", 6], ["decodeURI", 1], ["decodeURIComponent", 1], ["unescape", 1]] as const) {
    const native = global[name] as Fn;
    global[name] = {
      [name](value: unknown) {
        const s = RealmString(value);
        limit(name, s.length * growth, L.stringLength);
        createdChars(s.length * growth);
        return reflectApply(native, undefined, [s]);
      },
    }[name];
  }

  // ---- objects ----------------------------------------------------------------------------------
  /** How many own properties reading `v`'s keys or spreading it creates (strings have one per character). */
  const propertyCount = (v: unknown, what: string): number => {
    let n = 0;
    if (typeof v === "string") n = v.length;
    else if (isObjectLike(v)) {
      if (isArray(v)) limit(what, v.length, L.elements);
      n = ownKeys(v).length;
    }
    limit(what, n, L.properties);
    return n;
  };
  const ObjectObject = Object as unknown as Record<PropertyKey, unknown>;
  /** A property descriptor as contract code gets it: the engine's Array constructor becomes the guard (see `ctor`). */
  const guardedDescriptor = (d: PropertyDescriptor | undefined): PropertyDescriptor | undefined => {
    if (d !== undefined && d.value === NativeArray) d.value = GuardedArray;
    return d;
  };
  for (const name of ["keys", "values", "entries", "getOwnPropertyNames", "getOwnPropertySymbols", "getOwnPropertyDescriptors"]) {
    const native = ObjectObject[name] as Fn;
    define(ObjectObject, name, {
      [name](value: unknown) {
        createdProperties(propertyCount(value, `Object.${name}`));
        const result = reflectApply(native, undefined, [value]);
        if (name === "getOwnPropertyDescriptors") {
          const keys = ownKeys(result as object);
          for (let i = 0; i < keys.length; i++) guardedDescriptor((result as Record<PropertyKey, PropertyDescriptor>)[keys[i]!]);
        }
        return result;
      },
    }[name]);
  }
  const nativeGetOwnPropertyDescriptor = getOwnPropertyDescriptor as Fn;
  define(ObjectObject, "getOwnPropertyDescriptor", {
    getOwnPropertyDescriptor(target: unknown, key: unknown) {
      return guardedDescriptor(reflectApply(nativeGetOwnPropertyDescriptor, undefined, [target, key]) as PropertyDescriptor | undefined);
    },
  }.getOwnPropertyDescriptor);
  const nativeReflectDescriptor = ReflectObject.getOwnPropertyDescriptor as Fn;
  define(ReflectObject, "getOwnPropertyDescriptor", {
    getOwnPropertyDescriptor(target: unknown, key: unknown) {
      return guardedDescriptor(reflectApply(nativeReflectDescriptor, undefined, [target, key]) as PropertyDescriptor | undefined);
    },
  }.getOwnPropertyDescriptor);
  // ---- the engine's process-wide fast paths --------------------------------------------------
  // V8 keeps one switch per process ("protector") for each of its fast paths over arrays, sets and
  // iterators; some writes to ordinary objects turn one off for good, slowing down every realm
  // (host included): `constructor` on an array (species: `map`, `slice`, `filter`…), `@@iterator`
  // on an array or a set, `next` on a builtin iterator (`for…of`, spreads, destructuring), and
  // `@@isConcatSpreadable` on anything (`concat`). Every way contract code defines or sets a
  // property refuses those: instrumented writes (`__prescient_wkey`), the functions below, and
  // `Symbol.isConcatSpreadable`, which is not reachable at all (see the guarded Symbol).
  const iteratorOf = (o: unknown): unknown => (o as Iterable<unknown>)[Symbol.iterator]();
  const ITERATOR_PROTOTYPES = [iteratorOf([]), iteratorOf(""), iteratorOf(new Map()), iteratorOf(new Set())].map((it) => getPrototypeOf(it));
  const setHas = Set.prototype.has;
  const isSet = (o: object): boolean => {
    try {
      reflectApply(setHas, o, [undefined]);
      return true;
    } catch {
      return false;
    }
  };
  /** The key, or a TypeError when writing it on `target` would switch a fast path off. */
  const writableKey = (what: string, target: unknown, k: unknown): unknown => {
    const property = isObjectLike(k) ? RealmString(k) : k;
    const refused =
      property === "constructor" ||
      property === SPREADABLE ||
      (property === ITERATOR && isObjectLike(target) && (isArray(target) || isSet(target))) ||
      (property === "next" && isObjectLike(target) && ITERATOR_PROTOTYPES.indexOf(getPrototypeOf(target)) !== -1);
    if (refused) throw new RealmTypeError(`${what}: writing ${RealmString(property)} here is not available to contracts (it would switch off the engine's fast paths for the whole process)`);
    return property;
  };
  for (const [holder, name] of [[ObjectObject, "defineProperty"], [ReflectObject, "defineProperty"], [ReflectObject, "set"], [ReflectObject, "deleteProperty"]] as const) {
    const native = holder[name] as Fn;
    const what = `${holder === ObjectObject ? "Object" : "Reflect"}.${name}`;
    define(holder, name, {
      [name](target: unknown, k: unknown, ...rest: unknown[]) {
        return reflectApply(native, undefined, [target, writableKey(what, target, k), ...rest]);
      },
    }[name]);
  }
  const nativeDefineProperties = ObjectObject.defineProperties as Fn;
  define(ObjectObject, "defineProperties", {
    defineProperties(target: unknown, properties: unknown) {
      if (isObjectLike(properties)) for (const k of ownKeys(properties)) writableKey("Object.defineProperties", target, k);
      return reflectApply(nativeDefineProperties, undefined, [target, properties]);
    },
  }.defineProperties);
  const nativeReflectGet = ReflectObject.get as Fn;
  define(ReflectObject, "get", {
    get(target: unknown, ...rest: unknown[]) {
      return ctor(reflectApply(nativeReflectGet, undefined, [target, ...rest]));
    },
  }.get);
  const nativeOwnKeys = ReflectObject.ownKeys as Fn;
  define(ReflectObject, "ownKeys", {
    ownKeys(target: unknown) {
      const keys = reflectApply(nativeOwnKeys, undefined, [target]) as unknown[];
      limit("Reflect.ownKeys", keys.length, L.properties);
      allocate(keys.length * 8);
      chargeProperties(keys.length);
      return keys;
    },
  }.ownKeys);
  const nativeAssign = ObjectObject.assign as Fn;
  define(ObjectObject, "assign", {
    assign(target: unknown, ...sources: unknown[]) {
      let total = 0;
      for (let i = 0; i < sources.length; i++) {
        total += propertyCount(sources[i], "Object.assign");
        const source = sources[i];
        if (isObjectLike(source)) for (const k of ownKeys(source)) writableKey("Object.assign", target, k);
      }
      limit("Object.assign", total, L.properties);
      createdProperties(total);
      return reflectApply(nativeAssign, undefined, [target, ...sources]);
    },
  }.assign);
  const nativeFromEntries = ObjectObject.fromEntries as Fn;
  define(ObjectObject, "fromEntries", {
    fromEntries(entries: unknown) {
      const list = materialize(entries, "Object.fromEntries");
      createdProperties(typeof list === "string" ? list.length : (list as unknown[]).length);
      return reflectApply(nativeFromEntries, undefined, [list]);
    },
  }.fromEntries);
  for (const name of ["groupBy"]) delete ObjectObject[name];

  // ---- prototype chains -------------------------------------------------------------------------
  // The engine walks a prototype chain in one step: `instanceof`, `in`, a missing property. So no
  // object may have more than L.prototypeChain prototypes above it. A prototype is chosen only when
  // an object is created — Object.create, `{ __proto__: p }` and `class … extends` check the chain
  // they extend (`protoChecked`), a function's `prototype` cannot be replaced (`fn`), and nothing
  // sets the prototype of an existing object (which could lengthen every chain through it).
  const protoChecked = (p: unknown, what: string): unknown => {
    let n = 0;
    for (let o = p; isObjectLike(o); o = getPrototypeOf(o)) {
      if (++n > L.prototypeChain) throw new RealmRangeError(`${what}: a prototype chain longer than the contract limit of ${L.prototypeChain}`);
    }
    return p;
  };
  const nativeCreate = ObjectObject.create as Fn;
  define(ObjectObject, "create", {
    create(proto: unknown, properties?: unknown) {
      protoChecked(proto, "Object.create");
      if (properties !== undefined) createdProperties(propertyCount(properties, "Object.create"));
      return properties === undefined ? reflectApply(nativeCreate, undefined, [proto]) : reflectApply(nativeCreate, undefined, [proto, properties]);
    },
  }.create);
  const nativeSetPrototypeOf = ObjectObject.setPrototypeOf as Fn;
  const samePrototype = (what: string, reflect: boolean) =>
    ({
      setPrototypeOf(target: unknown, proto: unknown) {
        // Only a no-op is allowed: the prototype an object was created with is the one it keeps.
        if (isObjectLike(target) && getPrototypeOf(target) !== proto) throw new RealmTypeError(`${what} is not available to contracts: an object's prototype is chosen when it is created (Object.create, class … extends)`);
        const result = reflectApply(nativeSetPrototypeOf, undefined, [target, proto]);
        return reflect ? true : result;
      },
    }).setPrototypeOf;
  define(ObjectObject, "setPrototypeOf", samePrototype("Object.setPrototypeOf", false));
  define(ReflectObject, "setPrototypeOf", samePrototype("Reflect.setPrototypeOf", true));
  const ObjectProto = Object.prototype as unknown as Record<PropertyKey, unknown>;
  const protoAccessor = getOwnPropertyDescriptor(ObjectProto, "__proto__");
  if (protoAccessor !== undefined && protoAccessor.get !== undefined) {
    const protoGetter = protoAccessor.get;
    defineProperty(ObjectProto, "__proto__", {
      get: protoGetter,
      set: {
        __proto__(this: unknown, proto: unknown) {
          if (isObjectLike(this) && getPrototypeOf(this) !== proto) throw new RealmTypeError("setting __proto__ is not available to contracts: an object's prototype is chosen when it is created (Object.create, class … extends)");
        },
      }.__proto__,
      enumerable: false,
      configurable: true,
    });
  }
  /** The prototype an object literal's `__proto__: p` gives it (instrumented object literals). */
  const proto = (p: unknown): unknown => protoChecked(p, "__proto__");
  /** A class's `extends` expression: the parent and its `prototype` start chains the class extends by one. */
  const heritage = (parent: unknown): unknown => {
    protoChecked(parent, "class extends");
    if (typeof parent === "function") protoChecked((parent as { prototype?: unknown }).prototype, "class extends");
    return parent;
  };
  /**
   * A function contract code creates (`function` and `function*`): its `prototype` — what `new`
   * gives the objects it makes — cannot be replaced, so `F.prototype = longChain; new F()` cannot
   * grow a chain one link per call.
   */
  const fn = <T>(f: T): T => {
    if (typeof f === "function" && hasOwn(f, "prototype")) defineProperty(f, "prototype", { writable: false });
    return f;
  };
  /**
   * An object literal or a class with generator methods, just created: each generator method's
   * `prototype` made read-only, as `fn` does for functions (instrumented where they are defined).
   */
  const methods = <T>(target: T): T => {
    const holders: unknown[] = [target];
    if (typeof target === "function") holders.push((target as { prototype?: unknown }).prototype);
    for (let h = 0; h < holders.length; h++) {
      const holder = holders[h];
      if (!isObjectLike(holder)) continue;
      const keys = ownKeys(holder);
      for (let i = 0; i < keys.length; i++) {
        const d = getOwnPropertyDescriptor(holder, keys[i]!);
        if (d !== undefined && "value" in d && d.value !== target) fn(d.value);
      }
    }
    return target;
  };

  // Collections built from an iterable take it through `materialize`.
  for (const name of ["Map", "Set", "WeakMap", "WeakSet"]) {
    const Native = global[name] as new (...a: unknown[]) => object;
    const Guarded = function (this: unknown, iterable?: unknown): object {
      if (new.target === undefined) throw new RealmTypeError(`Constructor ${name} requires 'new'`);
      const args = iterable === undefined || iterable === null ? [] : [materialize(iterable, `new ${name}`)];
      // Each entry of the collection: a hash-table slot and its links.
      if (args.length === 1) allocate(lengthOf(args[0]) * 32);
      return reflectConstruct(Native, args, new.target === Guarded ? Native : new.target);
    };
    defineProperty(Guarded, "name", { value: name });
    Guarded.prototype = Native.prototype;
    define(Native.prototype, "constructor", Guarded);
    for (const key of ownKeys(Native)) {
      if (key === "length" || key === "name" || key === "prototype" || key === "groupBy") continue;
      defineProperty(Guarded, key, getOwnPropertyDescriptor(Native, key)!);
    }
    global[name] = Guarded;
  }
  // AggregateError copies an iterable of errors: through `materialize` too.
  const NativeAggregate = global.AggregateError as new (...a: unknown[]) => object;
  const GuardedAggregate = function (this: unknown, errors: unknown, ...rest: unknown[]): object {
    const list = materialize(errors, "AggregateError");
    return reflectConstruct(NativeAggregate, [list, ...rest], new.target === undefined || new.target === GuardedAggregate ? NativeAggregate : new.target);
  };
  defineProperty(GuardedAggregate, "name", { value: "AggregateError" });
  GuardedAggregate.prototype = NativeAggregate.prototype;
  define(NativeAggregate.prototype, "constructor", GuardedAggregate);
  global.AggregateError = GuardedAggregate;
  // Symbol, without `Symbol.isConcatSpreadable` (setting it on any object switches a fast path off
  // for the whole process) and without the registry (`Symbol.for`: it lives as long as the realm,
  // and the engine never frees what it holds).
  const NativeSymbol = Symbol;
  const GuardedSymbol = function (this: unknown, description?: unknown): symbol {
    if (new.target !== undefined) throw new RealmTypeError("Symbol is not a constructor");
    return description === undefined ? NativeSymbol() : NativeSymbol(RealmString(description));
  };
  defineProperty(GuardedSymbol, "name", { value: "Symbol" });
  defineProperty(GuardedSymbol, "prototype", { value: NativeSymbol.prototype, writable: false });
  for (const k of ownKeys(NativeSymbol)) {
    if (k === "length" || k === "name" || k === "prototype" || k === "isConcatSpreadable" || k === "for" || k === "keyFor") continue;
    defineProperty(GuardedSymbol, k, getOwnPropertyDescriptor(NativeSymbol, k)!);
  }
  define(GuardedSymbol, "for", refuse("Symbol.for", "the global symbol registry outlives the transaction; use Symbol() or a string"));
  define(GuardedSymbol, "keyFor", refuse("Symbol.keyFor", "the global symbol registry outlives the transaction; use Symbol() or a string"));
  define(NativeSymbol.prototype, "constructor", GuardedSymbol);
  global.Symbol = GuardedSymbol;

  // ---- bigints ----------------------------------------------------------------------------------
  const BigIntObject = NativeBigInt as unknown as Record<PropertyKey, unknown>;
  const GuardedBigInt = function (value: unknown): bigint {
    if (new.target !== undefined) throw new RealmTypeError("BigInt is not a constructor");
    // Parsing a decimal string is quadratic in its length: only strings a bigint within the limit can come from.
    if (typeof value === "string") limit("BigInt", value.length, L.bigintBits + 64);
    else if (isObjectLike(value)) throw new RealmTypeError("BigInt: contracts convert strings, numbers, booleans and bigints");
    return checkedBigInt(NativeBigInt(value as string));
  };
  defineProperty(GuardedBigInt, "name", { value: "BigInt" });
  GuardedBigInt.prototype = NativeBigInt.prototype;
  define(NativeBigInt.prototype, "constructor", GuardedBigInt);
  for (const name of ["asUintN", "asIntN"]) {
    const native = BigIntObject[name] as Fn;
    define(GuardedBigInt, name, {
      [name](bits: unknown, value: unknown) {
        limit(`BigInt.${name}`, toInteger(bits), L.bigintBits);
        return reflectApply(native, undefined, [bits, value]);
      },
    }[name]);
  }
  define(NativeBigInt.prototype, "toLocaleString", refuse("toLocaleString", "its result depends on the host's locale"));
  define(Number.prototype, "toLocaleString", refuse("toLocaleString", "its result depends on the host's locale"));
  global.BigInt = GuardedBigInt;

  // ---- what the engine would leak between transactions ---------------------------------------
  // Stack traces list the host's frames, which differ between the main thread and a worker.
  (Error as unknown as { stackTraceLimit: number }).stackTraceLimit = 0;
  delete (Error as unknown as Record<string, unknown>).captureStackTrace;
  // RegExp.$1, lastMatch…: the last match of any regular expression in the realm (the SDK's too).
  const RegExpObject = RegExp as unknown as Record<PropertyKey, unknown>;
  for (const key of ownKeys(RegExpObject)) {
    if (key !== "length" && key !== "name" && key !== "prototype" && key !== Symbol.species) delete RegExpObject[key];
  }
  Object.defineProperty(Math, "random", { value: refuse("Math.random", "randomness is not deterministic; derive it from the block (hashValues)") });

  // Iterator helpers (newer engines) would materialise iterators inside the engine.
  const arrayIterator = ([] as unknown[])[Symbol.iterator]();
  const IteratorProto = getPrototypeOf(getPrototypeOf(arrayIterator)) as Record<PropertyKey, unknown>;
  for (const key of ownKeys(IteratorProto)) if (key !== ITERATOR) delete IteratorProto[key];

  const ALLOWED_GLOBALS = [
    "Object", "Function", "Array", "Number", "parseFloat", "parseInt", "Infinity", "NaN", "undefined", "Boolean", "String", "Symbol", "BigInt", "Math", "Reflect",
    "Error", "AggregateError", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError",
    "Map", "Set", "WeakMap", "WeakSet", "isFinite", "isNaN", "encodeURI", "encodeURIComponent", "decodeURI", "decodeURIComponent", "escape", "unescape",
  ];
  for (const key of ownKeys(global)) {
    if (typeof key === "string" && ALLOWED_GLOBALS.indexOf(key) !== -1) continue;
    if (deleteProperty(global, key)) continue;
    // The engine installs some globals non-configurable in every context (`gc` under
    // --expose-gc): they cannot go, so they are emptied; one that cannot be emptied either would
    // leave the host reachable, and the realm refuses to start rather than run contracts with it.
    const d = getOwnPropertyDescriptor(global, key);
    if (d !== undefined && "value" in d && d.writable === true) {
      defineProperty(global, key, { value: undefined, writable: false });
      continue;
    }
    throw new RealmTypeError(`the contract realm cannot remove the global ${String(key)}`);
  }
  // One world per transaction: no global can be replaced (`parseFloat = …`, `Math = …`) or
  // removed. A vm context's global object cannot be frozen, so each binding is made read-only;
  // nothing names the global object itself (`globalThis` is gone; contract code is strict, so no
  // function receives it as `this`), so no global can be added either.
  for (const key of ownKeys(global)) {
    const d = getOwnPropertyDescriptor(global, key);
    // A full descriptor: the context's interceptor would turn a partial one into `undefined`.
    if (d !== undefined && "value" in d) defineProperty(global, key, { value: d.value, writable: false, enumerable: d.enumerable === true, configurable: false });
  }

  // ---- freeze every intrinsic ---------------------------------------------------------------------
  const frozen = new WeakSet<object>();
  const deepFreeze = (value: unknown): void => {
    if (!isObjectLike(value) || value === global || frozen.has(value)) return;
    frozen.add(value);
    freeze(value);
    for (const key of ownKeys(value)) {
      const d = getOwnPropertyDescriptor(value, key);
      if (d === undefined) continue;
      if ("value" in d) deepFreeze(d.value);
      else {
        deepFreeze(d.get);
        deepFreeze(d.set);
      }
    }
    deepFreeze(getPrototypeOf(value));
  };
  for (const key of ownKeys(global)) {
    const d = getOwnPropertyDescriptor(global, key)!;
    deepFreeze("value" in d ? d.value : d.get);
  }
  // Intrinsics no global names: iterators' and generators' prototypes.
  const generator = function* (): Generator<never> {};
  deepFreeze(arrayIterator);
  deepFreeze(""[Symbol.iterator]());
  deepFreeze(new Map()[Symbol.iterator]());
  deepFreeze(new Set()[Symbol.iterator]());
  deepFreeze(generator);
  deepFreeze(generator());

  // ---- helpers for instrumented operators and spreads (analyzer/instrument.ts) ------------------
  const add = (a: unknown, b: unknown): unknown => {
    const r = (a as number) + (b as number);
    if (typeof r === "string") {
      if ((r as string).length > L.free) return checkedString("string concatenation", r);
      // Short results too: the engine copies a concatenation into a flat string when it is used.
      allocate((r as string).length * 2);
      return r;
    }
    return typeof r === "bigint" ? checkedBigInt(r) : r;
  };
  const sub = (a: unknown, b: unknown): unknown => {
    const r = (a as number) - (b as number);
    return typeof r === "bigint" ? checkedBigInt(r) : r;
  };
  const mul = (a: unknown, b: unknown): unknown => {
    const r = (a as number) * (b as number);
    return typeof r === "bigint" ? checkedBigInt(r) : r;
  };
  const bitLength = (v: bigint): number => (v < 0n ? -v : v).toString(2).length;
  const pow = (a: unknown, b: unknown): unknown => {
    // Checked before computing: 3n ** 600000000n would take seconds and a hundred megabytes.
    if (typeof a === "bigint" && typeof b === "bigint" && b > 1n && (a > 1n || a < -1n)) {
      if (b > BIGINT_BITS || bitLength(a) * RealmNumber(b) > L.bigintBits + 1) checkedBigInt(BIGINT_LIMIT);
    }
    const r = (a as number) ** (b as number);
    return typeof r === "bigint" ? checkedBigInt(r) : r;
  };
  const shl = (a: unknown, b: unknown): unknown => {
    if (typeof a === "bigint" && typeof b === "bigint" && a !== 0n && b > BIGINT_BITS) checkedBigInt(BIGINT_LIMIT);
    const r = (a as number) << (b as number);
    return typeof r === "bigint" ? checkedBigInt(r) : r;
  };
  const shr = (a: unknown, b: unknown): unknown => {
    if (typeof a === "bigint" && typeof b === "bigint" && a !== 0n && b < -BIGINT_BITS) checkedBigInt(BIGINT_LIMIT);
    const r = (a as number) >> (b as number);
    return typeof r === "bigint" ? checkedBigInt(r) : r;
  };
  const str = (s: string): string => {
    if (s.length > L.free) return checkedString("template literal", s);
    allocate(s.length * 2);
    return s;
  };
  const spread = (x: unknown): unknown => materialize(x, "spread");
  const props = (x: unknown): unknown => {
    createdProperties(propertyCount(x, "object spread"));
    return x;
  };
  /**
   * The key of a method call, a write or a delete through a computed member (`x[k](…)`,
   * `x[k] = v`): converted once, and never
   * "constructor" (whose value could be the engine's Array constructor; `new x[k]()` and reads
   * go through `ctor` instead).
   */
  const key = (k: unknown): unknown => {
    const name = isObjectLike(k) ? RealmString(k) : k;
    if (name === "constructor") throw new RealmTypeError("a method call through a computed \"constructor\" key is not available to contracts");
    return name;
  };
  /** The key of a write or a delete through a computed member (`x[k] = v`): see `writableKey`. */
  const wkey = (target: unknown, k: unknown): unknown => writableKey("a computed write", target, k);
  /**
   * What a `catch` gets, paid for when it gets it: an error the engine made can hold a copy of a
   * string the contract made (`null[key]`, `str.x = 1` quote the key or the string in full), so a
   * loop that throws and catches would allocate it again and again for a few gas. The message (and
   * the stack the engine formats from it) is charged as memory; it is read without running a getter.
   */
  const caught = (e: unknown): void => {
    if (!isObjectLike(e)) return;
    const d = getOwnPropertyDescriptor(e, "message");
    if (d !== undefined && typeof d.value === "string" && d.value.length > 64) allocate(d.value.length * 4);
  };
  return freeze([add, sub, mul, pow, shl, shr, str, spread, props, ctor, key, proto, heritage, fn, methods, caught, wkey] as Fn[]);
}
