/**
 * Protocol constants: where native balances, nonces and keys live, and the locations every
 * transaction touches in its validate and settlement phases.
 */
import type { Address } from "./types.js";

/** The address of the account contract (shipped sample `account`), deployed in every genesis. */
export const ACCOUNTS_ADDRESS: Address = "0x0000000000000000000000000000000000000001";

export function nonceLocation(account: Address): string {
  return `${ACCOUNTS_ADDRESS}/nonce/${account}`;
}

export function balanceLocation(account: Address): string {
  return `${ACCOUNTS_ADDRESS}/balance/${account}`;
}

export function keyLocation(account: Address): string {
  return `${ACCOUNTS_ADDRESS}/key/${account}`;
}
