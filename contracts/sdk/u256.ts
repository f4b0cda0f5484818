/**
 * u256 arithmetic on bigint. JavaScript bigints never overflow, so contracts use these helpers
 * (and storage refuses negative or oversized values) to get EVM-like checked arithmetic: any
 * result outside [0, 2^256) reverts the transaction.
 */
import { MAX_U256 } from "../../core/value.js";
import { Revert } from "./errors.js";

export { MAX_U256 };

export type u256 = bigint;

export function add(a: bigint, b: bigint): bigint {
  const r = a + b;
  if (r > MAX_U256) throw new Revert("u256 overflow");
  return r;
}

export function sub(a: bigint, b: bigint): bigint {
  const r = a - b;
  if (r < 0n) throw new Revert("u256 underflow");
  return r;
}

export function mul(a: bigint, b: bigint): bigint {
  const r = a * b;
  if (r > MAX_U256) throw new Revert("u256 overflow");
  return r;
}

export function div(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new Revert("division by zero");
  return a / b;
}

export function mod(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new Revert("division by zero");
  return a % b;
}

export function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function isU256(value: bigint): boolean {
  return value >= 0n && value <= MAX_U256;
}
