/**
 * Where an Ethereum account lives in prescient's state: one location per field, so that what
 * one transaction changes of an account conflicts only with what another reads of that field.
 *
 * | location | value |
 * |---|---|
 * | `<address>/balance` | u256, wei |
 * | `<address>/nonce` | u64 (as a bigint) |
 * | `<address>/code` | u256: keccak-256 of the code; zero (absent) for no code. The bytes live in the content-addressed code store |
 * | `<address>/exists` | true while the account exists (written only when it is created or deleted) |
 * | `<address>/incarnation` | u64: how often the account was destroyed in this chain of blocks (absent = 0) |
 * | `<address>/storage/<slot>` | u256, a slot of incarnation 0 (every account the pre-state holds) |
 * | `<address>/storage/<n>/<slot>` | u256, a slot of incarnation n ≥ 1 (storage after a destruction starts empty) |
 *
 * Addresses are lower-case 0x-hex (40 digits), slots 0x-hex of 64 digits. The coinbase's fee credit
 * adds to `<coinbase>/balance` only (and creates the account: `<coinbase>/exists`), so it never
 * meets a nonce bump or a code change; see docs/evm.md.
 */

export type AccountField = "balance" | "nonce" | "code" | "exists" | "incarnation";

export const ACCOUNT_FIELDS: readonly AccountField[] = ["balance", "nonce", "code", "exists", "incarnation"];

export function balanceLocation(address: string): string {
  return `${address}/balance`;
}

export function nonceLocation(address: string): string {
  return `${address}/nonce`;
}

export function codeLocation(address: string): string {
  return `${address}/code`;
}

export function existsLocation(address: string): string {
  return `${address}/exists`;
}

export function incarnationLocation(address: string): string {
  return `${address}/incarnation`;
}

/** A storage slot's location; `slot` is 0x-hex of 64 digits. */
export function slotLocation(address: string, incarnation: bigint, slot: string): string {
  return incarnation === 0n ? `${address}/storage/${slot}` : `${address}/storage/${incarnation}/${slot}`;
}

export type ParsedLocation =
  | { readonly kind: "account"; readonly address: string; readonly field: AccountField }
  | { readonly kind: "slot"; readonly address: string; readonly incarnation: bigint; readonly slot: string };

const ACCOUNT = /^(0x[0-9a-f]{40})\/(balance|nonce|code|exists|incarnation)$/;
const SLOT = /^(0x[0-9a-f]{40})\/storage\/(?:([1-9][0-9]*)\/)?(0x[0-9a-f]{64})$/;

/** What an EVM location names, or undefined when it is not one. */
export function parseLocation(location: string): ParsedLocation | undefined {
  const account = ACCOUNT.exec(location);
  if (account !== null) return { kind: "account", address: account[1]!, field: account[2] as AccountField };
  const slot = SLOT.exec(location);
  if (slot !== null) return { kind: "slot", address: slot[1]!, incarnation: slot[2] === undefined ? 0n : BigInt(slot[2]), slot: slot[3]! };
  return undefined;
}

/** A 0x-hex slot key of any length (as the pre-state writes `0x4`) in the 64-digit form. */
export function canonicalSlot(hex: string): string {
  return `0x${hex.slice(2).toLowerCase().padStart(64, "0")}`;
}
