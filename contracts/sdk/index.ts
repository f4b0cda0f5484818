/**
 * `prescient/contract`: everything a contract module may import.
 *
 * ```ts
 * import { Contract, StorageMap, ensure, sub, add, type Address } from "prescient/contract";
 * ```
 *
 * Contracts never receive this module's values: the sandbox evaluates the SDK (realm.ts) inside
 * the contracts' own realm and hands them that copy. This module declares the public types and,
 * for host-side importers, exports the same implementation instantiated in the host realm.
 */
import type { Address, Value } from "../../core/types.js";
import { MAX_CONTRACT_FRAMES } from "./gas.js";
import { hostBridge, sdkConfig } from "./bridge.js";
import type { CallContext } from "./host.js";
import { defineSdk } from "./realm.js";

export type { Address, Value } from "../../core/types.js";
export type { CallContext, BlockInfo } from "./host.js";
export { GAS } from "./gas.js";
export { ACCOUNTS_ADDRESS } from "../../core/protocol.js";
export { ZERO_ADDRESS, MAX_U256, isAddress } from "../../core/value.js";

/** A map key: an address, a u256, a boolean or an opaque string without '/'. */
export type Key = bigint | string | boolean;
type Keys<K> = K extends readonly Key[] ? K : [K];
export type u256 = bigint;

/**
 * The base class of every contract. A contract is a class whose public methods (those not
 * starting with `_`) are callable by transactions; its state lives in `StorageValue` and
 * `StorageMap` fields; `this.ctx` says who called and in which block.
 */
declare abstract class ContractApi {
  /** The address this instance is deployed at. */
  readonly address: Address;
  /** The current call: sender, self, origin and block (a frozen copy). */
  protected get ctx(): CallContext;
  /**
   * Call `fn` on the contract at `to`, as this contract. A revert in the callee rolls back the
   * callee's writes and propagates, unless caught here.
   */
  protected call<T = unknown>(to: Address, fn: string, ...args: unknown[]): T;
  /** Record an event in the transaction's receipt (arguments: bigints, strings, booleans). */
  protected emit(name: string, ...args: Value[]): void;
}

/**
 * Typed storage. A field `balances = new StorageMap<Address, bigint>("balances", 0n)` of the
 * contract deployed at `0xtok…` lives at the locations `0xtok…/balances/<key>`; a scalar
 * `StorageValue` at `0xtok…/<name>`.
 */
declare class StorageValueApi<V extends Value> {
  readonly location: string;
  readonly defaultValue: V;
  constructor(name: string, defaultValue: V);
  get(): V;
  set(value: V): void;
}

/**
 * A map from one key, or from a tuple of keys (`StorageMap<[owner: Address, spender: Address],
 * bigint>` for nested maps), to a value. Absent entries read as the default.
 */
declare class StorageMapApi<K extends Key | readonly Key[], V extends Value> {
  readonly prefix: string;
  readonly defaultValue: V;
  constructor(name: string, defaultValue: V);
  /** The location of an entry. */
  location(...keys: Keys<K>): string;
  get(...keys: Keys<K>): V;
  set(...keysAndValue: [...Keys<K>, V]): void;
}

/** What a contract throws on purpose: the receipt is `revert` with `reason`. */
declare class RevertApi extends Error {
  readonly reason: string;
  constructor(reason: string);
}
declare class OutOfGasApi extends Error {
  readonly gasLimit: number;
  constructor(gasLimit: number);
}
declare class AccessListViolationApi extends Error {
  readonly kind: "read" | "write";
  readonly location: string;
  constructor(kind: "read" | "write", location: string);
}

interface SdkApi {
  readonly Contract: typeof ContractApi;
  readonly StorageValue: typeof StorageValueApi;
  readonly StorageMap: typeof StorageMapApi;
  readonly Revert: typeof RevertApi;
  readonly OutOfGas: typeof OutOfGasApi;
  readonly AccessListViolation: typeof AccessListViolationApi;
  revert(reason: string): never;
  ensure(condition: boolean, reason: string): asserts condition;
  add(a: bigint, b: bigint): bigint;
  sub(a: bigint, b: bigint): bigint;
  mul(a: bigint, b: bigint): bigint;
  div(a: bigint, b: bigint): bigint;
  mod(a: bigint, b: bigint): bigint;
  min(a: bigint, b: bigint): bigint;
  isU256(value: bigint): boolean;
  hashValues(...values: (Value | string)[]): bigint;
  verifyEd25519(publicKey: bigint, message: bigint, signature: string): boolean;
  work(units: number, seed: bigint): bigint;
}

const sdk = defineSdk(hostBridge, sdkConfig(MAX_CONTRACT_FRAMES)).sdk as unknown as SdkApi;

export const Contract = sdk.Contract;
export type Contract = ContractApi;
export const StorageValue = sdk.StorageValue;
export type StorageValue<V extends Value> = StorageValueApi<V>;
export const StorageMap = sdk.StorageMap;
export type StorageMap<K extends Key | readonly Key[], V extends Value> = StorageMapApi<K, V>;
export const Revert = sdk.Revert;
export type Revert = RevertApi;
export const OutOfGas = sdk.OutOfGas;
export type OutOfGas = OutOfGasApi;
export const AccessListViolation = sdk.AccessListViolation;
export type AccessListViolation = AccessListViolationApi;
/** Abort the current call with a reason; every write of the transaction is rolled back. */
export const revert: (reason: string) => never = sdk.revert;
/** Revert with `reason` unless `condition` holds. */
export const ensure: (condition: boolean, reason: string) => asserts condition = sdk.ensure;
/** u256 arithmetic: any result outside [0, 2^256) reverts. */
export const add = sdk.add;
export const sub = sdk.sub;
export const mul = sdk.mul;
export const div = sdk.div;
export const mod = sdk.mod;
export const min = sdk.min;
export const isU256 = sdk.isU256;
/** sha256 over the canonical encoding of `values`, as a u256. */
export const hashValues = sdk.hashValues;
/** Whether `signature` (0x-prefixed, 64 bytes) is a valid ed25519 signature by `publicKey` of the 32-byte `message`. */
export const verifyEd25519 = sdk.verifyEd25519;
/** Deterministic CPU work, charged one gas per unit. */
export const work = sdk.work;
