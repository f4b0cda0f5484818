/**
 * A contract's callable surface, read from its source: the public methods (names not starting
 * with `_`) and their parameter types. Transactions carry JSON arguments; the ABI says how each
 * converts, so a negative amount or a malformed address is rejected before the block runs.
 */
import { InputError, showInput } from "../../core/errors.js";
import type { Arg, RawArg } from "../../core/types.js";
import { MAX_U256, isAddress, isDecimal } from "../../core/value.js";

export type ParamType = "u256" | "address" | "bool" | "string" | "u256[]" | "address[]" | "string[]";

export interface ParamAbi {
  readonly name: string;
  readonly type: ParamType;
}

export interface MethodAbi {
  readonly name: string;
  readonly params: readonly ParamAbi[];
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
