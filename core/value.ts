/**
 * Storage values and map keys. A location holds a u256 bigint, an address or a boolean; the
 * zero of each (0n, the zero address, false) is the same as an absent location, so a state never
 * depends on whether a slot was cleared or never written.
 */
import type { Address, Value } from "./types.js";

export const ZERO_ADDRESS: Address = "0x0000000000000000000000000000000000000000";
export const MAX_U256: bigint = (1n << 256n) - 1n;

const ADDRESS = /^0x[0-9a-f]{40}$/;
const ANY_CASE_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

export function isAddress(value: unknown): value is Address {
  return typeof value === "string" && ADDRESS.test(value);
}

export function looksLikeAddress(value: string): boolean {
  return ANY_CASE_ADDRESS.test(value);
}

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

export function isZeroValue(value: Value): boolean {
  return value === 0n || value === false || value === ZERO_ADDRESS;
}

/** Why `value` cannot be stored, or undefined when it can. */
export function invalidValueReason(value: unknown): string | undefined {
  switch (typeof value) {
    case "bigint":
      if (value < 0n) return "u256 underflow";
      if (value > MAX_U256) return "u256 overflow";
      return undefined;
    case "boolean":
      return undefined;
    case "string":
      return isAddress(value) ? undefined : `storage strings must be lower-case addresses, got ${JSON.stringify(value.slice(0, 50))}`;
    default:
      return `storage values must be u256 bigints, addresses or booleans, got ${typeof value}`;
  }
}

/**
 * Whether `text` is well-formed UTF-16 (no lone surrogate). Locations, map keys and string
 * arguments must be: a lone surrogate has no UTF-8 encoding, so two different ones would hash
 * alike in the state root.
 */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Map keys are written into locations: bigints in decimal, addresses and strings as they are. */
export function encodeKey(key: unknown): string {
  switch (typeof key) {
    case "bigint":
      if (key < 0n) throw new TypeError("a map key cannot be negative");
      return key.toString();
    case "string":
      if (key.length === 0 || key.includes("/")) throw new TypeError(`a map key cannot be empty or contain '/': ${JSON.stringify(key.slice(0, 50))}`);
      if (!isWellFormed(key)) throw new TypeError("a map key cannot contain a lone surrogate (it must be well-formed Unicode)");
      return key;
    case "boolean":
      return key ? "true" : "false";
    default:
      throw new TypeError(`map keys must be bigints, strings or booleans, got ${typeof key}`);
  }
}

/** The JSON form of a value: bigints as decimal strings. */
export function valueToJson(value: Value): string | boolean {
  return typeof value === "bigint" ? value.toString() : value;
}

/**
 * Parse a JSON value back: decimal strings are u256, lower-case 0x…40 hex strings are addresses,
 * booleans are booleans. Returns undefined when the input is none of those.
 */
export function valueFromJson(json: unknown): Value | undefined {
  if (typeof json === "boolean") return json;
  if (typeof json !== "string") return undefined;
  if (isAddress(json)) return json;
  if (isDecimal(json)) {
    if (json.length > 78) return undefined; // more digits than u256 has
    const value = BigInt(json);
    return value <= MAX_U256 ? value : undefined;
  }
  return undefined;
}
