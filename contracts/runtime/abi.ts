/**
 * A contract's callable surface, read from its source: the public methods (names not starting
 * with `_`) and their parameter types. Transactions carry JSON arguments; the ABI says how each
 * converts, so a negative amount or a malformed address is rejected before the block runs.
 */
import { InputError, showInput } from "../../core/errors.js";
import type { Arg, RawArg } from "../../core/types.js";
import { MAX_U256, isAddress, isDecimal, isWellFormed } from "../../core/value.js";

export type ParamType = "u256" | "address" | "bool" | "string" | "u256[]" | "address[]" | "string[]";

export interface ParamAbi {
  readonly name: string;
  readonly type: ParamType;
}

export interface MethodAbi {
  readonly name: string;
  readonly params: readonly ParamAbi[];
  /**
   * What the method declares it returns: an ABI type, `void`, or nothing (no annotation, or a type
   * the ABI has no encoding for: any ABI value is accepted, see `decodeReturn`).
   */
  readonly returns?: ParamType | "void";
}

export interface ContractAbi {
  readonly className: string;
  readonly methods: Readonly<Record<string, MethodAbi>>;
}

/** Where a conversion error points: file, tx index, field prefix (e.g. `txs[3].args`). */
export interface ArgContext {
  readonly file?: string;
  readonly txIndex?: number;
  readonly field: string;
}

function fail(message: string, where: ArgContext, field: string): never {
  throw new InputError(message, {
    ...(where.file !== undefined ? { file: where.file } : {}),
    ...(where.txIndex !== undefined ? { txIndex: where.txIndex } : {}),
    field,
  });
}


function convertScalar(type: "u256" | "address" | "bool" | "string", raw: RawArg, where: ArgContext, field: string, param: string): Arg {
  switch (type) {
    case "u256": {
      if (typeof raw !== "string" || !isDecimal(raw)) {
        const negative = typeof raw === "string" && raw.startsWith("-");
        return fail(`${param}: expected a u256 as a decimal string${negative ? " (amounts cannot be negative)" : ""}, got ${showInput(raw)}`, where, field);
      }
      // u256 has at most 78 digits: a longer string overflows without BigInt parsing it (slowly).
      const value = raw.length <= 78 ? BigInt(raw) : MAX_U256 + 1n;
      if (value > MAX_U256) fail(`${param}: ${raw.length <= 78 ? raw : `${raw.slice(0, 20)}... (${raw.length} digits)`} overflows u256`, where, field);
      return value;
    }
    case "address":
      if (!isAddress(raw)) fail(`${param}: expected a lower-case 0x-prefixed 20-byte address, got ${showInput(raw)}`, where, field);
      return raw;
    case "bool":
      if (typeof raw !== "boolean") fail(`${param}: expected true or false, got ${showInput(raw)}`, where, field);
      return raw;
    case "string":
      if (typeof raw !== "string") fail(`${param}: expected a string, got ${showInput(raw)}`, where, field);
      if (!isWellFormed(raw)) fail(`${param}: the string contains a lone surrogate (strings must be well-formed Unicode)`, where, field);
      return raw;
  }
}

/** Convert a transaction's JSON arguments for `method`; throws InputError naming the field. */
export function convertArgs(method: MethodAbi, raw: readonly RawArg[], where: ArgContext): Arg[] {
  if (raw.length !== method.params.length) {
    fail(`${method.name} takes ${method.params.length} argument(s) (${method.params.map((p) => `${p.name}: ${p.type}`).join(", ")}), got ${raw.length}`, where, where.field);
  }
  return method.params.map((param, i) => {
    const field = `${where.field}[${i}]`;
    const value = raw[i] as RawArg;
    if (param.type.endsWith("[]")) {
      if (!Array.isArray(value)) fail(`${param.name}: expected an array, got ${showInput(value)}`, where, field);
      const element = param.type.slice(0, -2) as "u256" | "address" | "string";
      return (value as readonly RawArg[]).map((item, j) => convertScalar(element, item, where, `${field}[${j}]`, param.name));
    }
    return convertScalar(param.type as "u256" | "address" | "bool" | "string", value, where, field, param.name);
  });
}

/**
 * Why `value` is not a `type` value, or undefined when it is. An inner call's arguments and return
 * value pass here exactly as a transaction's JSON arguments pass `convertArgs`: primitives of the
 * declared type only (a bigint in u256 range, a lower-case address, a boolean, a well-formed
 * string), so no object — nor its `valueOf` or `Symbol.toPrimitive` — ever reaches the callee.
 */
function invalidScalar(type: "u256" | "address" | "bool" | "string", value: unknown): string | undefined {
  switch (type) {
    case "u256":
      if (typeof value !== "bigint") return `expected a u256 bigint, got ${typeof value}`;
      return value < 0n ? `${value} is negative` : value > MAX_U256 ? "the value overflows u256" : undefined;
    case "address":
      return isAddress(value) ? undefined : typeof value === "string" ? `expected a lower-case 0x-prefixed 20-byte address, got ${JSON.stringify(value.slice(0, 50))}` : `expected an address, got ${typeof value}`;
    case "bool":
      return typeof value === "boolean" ? undefined : `expected a boolean, got ${typeof value}`;
    case "string":
      if (typeof value !== "string") return `expected a string, got ${typeof value}`;
      return isWellFormed(value) ? undefined : "the string contains a lone surrogate";
  }
}

/** An inner call's argument or return value that its ABI type does not admit. */
export class CallDecodeError extends Error {
  override name = "CallDecodeError";
}

/** The longest array an inner call passes or returns (LIMITS.arguments-sized lists are the norm; this bounds the copy). */
export const MAX_CALL_ARRAY = 1 << 16;

/**
 * `value` decoded as a `type` value: a primitive as it is, an array copied element by element into
 * a new host array (read once each, so a getter cannot change an element after it was checked).
 * Throws a CallDecodeError saying what is wrong.
 */
export function decodeValue(type: ParamType, value: unknown): Arg {
  if (type.endsWith("[]")) {
    if (!Array.isArray(value)) throw new CallDecodeError(`expected an array, got ${value === null ? "null" : typeof value}`);
    const n = value.length;
    if (n > MAX_CALL_ARRAY) throw new CallDecodeError(`the array has ${n} elements, more than ${MAX_CALL_ARRAY}`);
    const element = type.slice(0, -2) as "u256" | "address" | "string";
    const copy: (bigint | string)[] = [];
    for (let i = 0; i < n; i++) {
      const item: unknown = value[i];
      const why = invalidScalar(element, item);
      if (why !== undefined) throw new CallDecodeError(`element ${i}: ${why}`);
      copy.push(item as bigint | string);
    }
    return copy as Arg;
  }
  const why = invalidScalar(type as "u256" | "address" | "bool" | "string", value);
  if (why !== undefined) throw new CallDecodeError(why);
  return value as Arg;
}

/** Inner-call arguments for `method`, decoded by its parameter types; throws a CallDecodeError naming the parameter. */
export function decodeCallArgs(method: MethodAbi, args: readonly unknown[]): Arg[] {
  if (args.length !== method.params.length) throw new CallDecodeError(`${method.name} takes ${method.params.length} argument(s), got ${args.length}`);
  const out: Arg[] = [];
  for (let i = 0; i < args.length; i++) {
    const param = method.params[i]!;
    try {
      out.push(decodeValue(param.type, args[i]));
    } catch (error) {
      throw new CallDecodeError(`${param.name}: ${(error as Error).message}`);
    }
  }
  return out;
}

const ANY_SCALAR = ["u256", "bool", "string"] as const;

/**
 * What `method` returned, as its caller receives it: a value of the declared type, undefined for
 * `void`, and without a declared ABI type any ABI value (undefined, a u256, a boolean, a string,
 * or an array of u256 or of strings). Throws a CallDecodeError saying what is wrong.
 */
export function decodeReturn(method: MethodAbi, value: unknown): Arg | undefined {
  const declared = method.returns;
  if (declared === "void") return undefined;
  if (declared !== undefined) return decodeValue(declared, value);
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    return decodeValue(typeof first === "bigint" ? "u256[]" : "string[]", value);
  }
  for (const type of ANY_SCALAR) if (invalidScalar(type, value) === undefined) return value as Arg;
  throw new CallDecodeError(`without a declared ABI return type a function returns undefined, a u256, a boolean, a string or an array, not ${value === null ? "null" : typeof value}`);
}
