/**
 * An account whose balance and nonce are read from the state only when the EVM looks at them.
 * The EVM fetches the whole account for every call (the callee, the executing contract after each
 * SSTORE); reading each field on demand keeps a transaction's read set to what it really uses, so
 * a call to a token contract does not depend on the token contract's ether balance.
 */
import { Account } from "@ethereumjs/util";

export interface AccountFieldReader {
  readBalance(address: string): bigint;
  readNonce(address: string): bigint;
  storageRootOf(address: string): Uint8Array;
}

export class ViewAccount extends Account {
  readonly #reader: AccountFieldReader;
  readonly #address: string;

  constructor(reader: AccountFieldReader, address: string, codeHash: Uint8Array) {
    // Balance, nonce and storage root start unloaded (null); code size is not used outside verkle.
    super(null, null, null, codeHash, 0, 0);
    this.#reader = reader;
    this.#address = address;
  }

  override get balance(): bigint {
    if (this._balance === null) this._balance = this.#reader.readBalance(this.#address);
    return this._balance;
  }

  override set balance(balance: bigint) {
    this._balance = balance;
  }

  override get nonce(): bigint {
    if (this._nonce === null) this._nonce = this.#reader.readNonce(this.#address);
    return this._nonce;
  }

  override set nonce(nonce: bigint) {
    this._nonce = nonce;
  }

  override get storageRoot(): Uint8Array {
    if (this._storageRoot === null) this._storageRoot = this.#reader.storageRootOf(this.#address);
    return this._storageRoot;
  }

  override set storageRoot(root: Uint8Array) {
    this._storageRoot = root;
  }
}
