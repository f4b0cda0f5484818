/**
 * Accounts: native balances, nonces and ed25519 public keys, deployed once at the protocol's
 * account address. Its `_validate` and `_settle` are the validate and settlement phases of
 * every transaction; the executor calls them, transactions cannot (their names start with `_`).
 */
import { Contract, StorageMap, add, ensure, sub, verifyEd25519, type Address } from "prescient/contract";

export default class Account extends Contract {
  readonly nonce = new StorageMap<Address, bigint>("nonce", 0n);
  readonly balance = new StorageMap<Address, bigint>("balance", 0n);
  readonly key = new StorageMap<Address, bigint>("key", 0n);

  /**
   * Checks the sender's nonce, signature and ability to pay the maximum fee, then bumps the nonce
   * and reserves the fee. A revert here makes the transaction invalid: it is excluded.
   */
  _validate(from: Address, nonce: bigint, txHash: bigint, signature: string, maxFee: bigint, checkSignature: boolean): void {
    const expected = this.nonce.get(from);
    ensure(nonce >= expected, `nonce too low: expected ${expected}, got ${nonce}`);
    ensure(nonce === expected, `nonce too high: expected ${expected}, got ${nonce}`);
    if (checkSignature) {
      const publicKey = this.key.get(from);
      ensure(publicKey !== 0n, "bad signature: the sender has no public key");
      ensure(verifyEd25519(publicKey, txHash, signature), "bad signature");
    }
    const balance = this.balance.get(from);
    ensure(balance >= maxFee, `cannot pay the max fee: balance ${balance}, max fee ${maxFee}`);
    this.nonce.set(from, nonce + 1n);
    this.balance.set(from, balance - maxFee);
  }

  /** Returns the unused part of the reserved fee to the sender. */
  _settle(from: Address, refund: bigint): void {
    if (refund > 0n) this.balance.set(from, add(this.balance.get(from), refund));
  }

  /** Native transfer from the caller to `to`. */
  transfer(to: Address, amount: bigint): void {
    const from = this.ctx.sender;
    this.balance.set(from, sub(this.balance.get(from), amount));
    this.balance.set(to, add(this.balance.get(to), amount));
    this.emit("Transfer", from, to, amount);
  }

  balanceOf(who: Address): bigint {
    return this.balance.get(who);
  }
}
