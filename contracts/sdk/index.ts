/**
 * `prescient/contract`: everything a contract module may import.
 *
 * ```ts
 * import { Contract, StorageMap, ensure, sub, add, type Address } from "prescient/contract";
 * ```
 */
export type { Address, Value } from "../../core/types.js";
export { ZERO_ADDRESS, isAddress } from "../../core/value.js";
export { Contract } from "./contract.js";
export { StorageMap, StorageValue, type Key } from "./storage.js";
export { Revert, OutOfGas, AccessListViolation, revert, ensure } from "./errors.js";
export { add, sub, mul, div, mod, min, isU256, MAX_U256, type u256 } from "./u256.js";
export { hashValues, verifyEd25519, work } from "./crypto.js";
export { GAS } from "./gas.js";
export { ACCOUNTS_ADDRESS } from "../../core/protocol.js";
export type { CallContext, BlockInfo } from "./host.js";
