/**
 * The gas schedule. Every executor charges exactly these amounts at exactly the same points, so
 * gasUsed (and out-of-gas) is identical whichever mode runs the block.
 */
export const GAS = {
  /**
   * Intrinsic cost of any transaction: covers the validate phase (signature included, whether or
   * not this run checks it, so gas never depends on how the block is run) and the settlement.
   */
  txBase: 21_000,
  read: 200,
  write: 5_000,
  call: 700,
  event: 375,
  /** Per character of an event's name and string arguments (32 per bigint or boolean): receipts keep them. */
  eventChar: 1,
  /** A signature check by contract code (`verifyEd25519`): tens of microseconds of work. */
  signature: 3_000,
  /** Charged at every function entry and loop iteration of instrumented contract code. */
  step: 1,
} as const;

/**
 * Contract function frames (all contracts, all call depths) alive at once. Deeper recursion
 * reverts, so it fails identically on every thread whatever its stack size.
 */
export const MAX_CONTRACT_FRAMES = 1024;

/**
 * What contract code may use besides gas. Every limit is checked by code, never by the engine
 * running out of something, so a transaction that reaches one fails the same way on every thread:
 * the main thread and the workers have different stack sizes and heaps, and a limit the engine
 * enforces would make the result depend on which thread ran the transaction.
 */
export const LIMITS = {
  /**
   * The contract call stack, in estimated stack slots (8 bytes each): every metered function
   * reserves 16 + its parameters + its syntax-tree size while it runs (an upper bound of its
   * engine frame), every builtin the sandbox wraps 64, every argument list it forwards its
   * length, every inner call 256. 49,152 slots is at most 384 KB (the worst recursion measured
   * uses about 300 KB), well inside the smallest thread stack prescient runs contracts on (984 KB
   * on the main thread; a worker has 4 MB).
   */
  stackSlots: 49_152,
  /** Arguments a wrapped `apply`, `Reflect.apply`, `Reflect.construct` or bound function forwards. */
  arguments: 256,
  /** Nesting of array joins and error-to-string conversions, and the depth `flat` goes to. */
  nesting: 64,
  /** Elements a builtin may create or walk in one call (arrays, iterables, split strings). */
  elements: 2 ** 24,
  /**
   * Characters of a string built by an operator, a template or a builtin. Short, because the engine
   * walks a string in one step wherever it compares, hashes, parses or quotes one (`===`, `<`,
   * `Number(s)`, a property key, an error message): no such step may be long.
   */
  stringLength: 16_384,
  /** Own properties a builtin or an object spread may copy in one call. */
  properties: 2 ** 20,
  /** Bits of a bigint produced by `+`, `-`, `*`, `**`, `<<`, `>>`, `BigInt()` or `BigInt.asUintN`. */
  bigintBits: 4096,
  /** Characters of a revert reason or an event string argument kept in a receipt. */
  receiptString: 1024,
  /** Characters of a storage map key. */
  mapKey: 1024,
  /**
   * Bytes a transaction may allocate, by the meter's estimate, counted before each allocation: what
   * builtins and operators create (elements, characters, properties, bigint digits) and what each
   * function body and loop iteration creates (literals, closures, objects, strings; see
   * analyzer/instrument.ts). Past it the transaction fails for good. The same figure on every thread,
   * far below any thread's heap, so no transaction can exhaust the host's memory whatever its gas.
   */
  memory: 256 * 1024 * 1024,
  /**
   * Prototypes above any object: `instanceof`, `in` and a missing property walk the whole chain in
   * one step of the engine, so its length is bounded where a prototype is chosen.
   */
  prototypeChain: 64,
  /** Gas a contract module may spend while it loads, and a contract while it is deployed. */
  loadGas: 1_000_000,
} as const;

/**
 * Gas for size: what a builtin or an operator walks beyond `free` units costs one gas per
 * `elements` array elements, per `chars` characters or per `properties` object properties; below
 * `free` walking costs nothing. What it creates costs memory gas (`bytes`).
 */
export const SIZE_GAS = {
  free: 1024,
  elements: 8,
  chars: 64,
  properties: 2,
  /**
   * What is created (not walked) pays for its memory from the first byte: one gas per 64 bytes of
   * the meter's estimate (8 an element, 2 a character, 48 a property, the compiler's estimate of a
   * body's literals, closures and calls). So memory costs gas whatever the sizes of single calls,
   * and retaining it (whose garbage collection costs time) cannot be cheap.
   */
  bytes: 64,
} as const;
