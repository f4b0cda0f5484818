/**
 * The state manager the EVM runs on: @ethereumjs/evm's StateManagerInterface over a prescient
 * state view, through one transaction's overlay. The EVM awaits every call; each resolves at
 * once (nothing here does I/O).
 *
 * Two things make it more than a key-value adapter:
 * - The snapshot rule: a slot of a pre-block contract that the snapshot does not list is a hole,
 *   never a zero (SnapshotMissError), while an absent account is one that does not exist.
 * - The coinbase's fee: @ethereumjs/vm credits the coinbase itself after the execution; here that
 *   credit is taken out of the transaction (not read, not written) and returned as a commutative
 *   delta, so only a transaction that really reaches the coinbase depends on earlier fees.
 */
import type { AccountFields, StateManagerInterface } from "@ethereumjs/common";
import { Account, KECCAK256_NULL, KECCAK256_RLP, bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex, equalsBytes, type Address } from "@ethereumjs/util";
import type { FeeRecipientAccess } from "../../core/accessSet.js";
import { SnapshotMissError } from "../errors.js";
import { CodeStore, type CodeEntry } from "../state/codeStore.js";
import { balanceLocation, codeLocation, existsLocation, incarnationLocation, nonceLocation, slotLocation } from "../state/locations.js";
import type { PreState } from "../state/preState.js";
import type { TxOverlay } from "./txOverlay.js";
import { ViewAccount, type AccountFieldReader } from "./viewAccount.js";

const EMPTY = new Uint8Array(0);
/** Reported for an account with storage: any root but the empty trie's makes CREATE collide (EIP-7610). */
const NON_EMPTY_STORAGE_ROOT = new Uint8Array(32);

/** What a read the pre-state cannot answer does: fail (a real run), or read zero and count it (prediction). */
export type MissPolicy = "fail" | "zero";

export interface TxContext {
  readonly overlay: TxOverlay;
  readonly index: number;
  readonly coinbase: string;
  readonly sender: string;
  readonly missPolicy: MissPolicy;
}

export interface TxStateOutcome {
  readonly feeRecipient: FeeRecipientAccess;
  /** The fee credit @ethereumjs/vm made to the coinbase (taken out of the transaction). */
  readonly fee: bigint | undefined;
  /** Locations the pre-state could not answer (prediction only; a real run throws). */
  readonly misses: readonly string[];
  readonly createdCode: readonly CodeEntry[];
}

export class ViewStateManager implements StateManagerInterface, AccountFieldReader {
  readonly #pre: PreState;
  readonly #codes: CodeStore;
  #tx: TxContext | undefined;
  #feeRecipient: FeeRecipientAccess = "none";
  /** After the outermost call returns: the refund, the fee credit and the clean-up run. */
  #settling = false;
  #refundSeen = false;
  #settlementBase = 0n;
  #settledCoinbase: Account | undefined;
  #fee: bigint | undefined;
  #misses: string[] = [];
  #created: CodeEntry[] = [];

  readonly originalStorageCache = {
    get: async (address: Address, key: Uint8Array): Promise<Uint8Array> => this.#storage(address, key, true),
    clear: (): void => {},
  };

  constructor(pre: PreState, codes: CodeStore) {
    this.#pre = pre;
    this.#codes = codes;
  }

  begin(tx: TxContext): void {
    this.#tx = tx;
    this.#feeRecipient = tx.sender === tx.coinbase ? "read-write" : "none";
    this.#settling = false;
    this.#refundSeen = false;
    this.#settledCoinbase = undefined;
    this.#fee = undefined;
    this.#misses = [];
    this.#created = [];
  }

  end(): TxStateOutcome {
    this.#tx = undefined;
    return { feeRecipient: this.#feeRecipient, fee: this.#fee, misses: this.#misses, createdCode: this.#created };
  }

  /** The outermost call returned: what follows is @ethereumjs/vm's settlement. */
  startSettlement(): void {
    this.#settling = true;
  }

  get #current(): TxContext {
    if (this.#tx === undefined) throw new Error("internal error: the EVM touched the state outside a transaction");
    return this.#tx;
  }

  // -- fields, with the coinbase's balance and existence watched --

  #touchCoinbase(address: string, access: "read" | "read-write"): void {
    if (address !== this.#current.coinbase || this.#feeRecipient === "read-write") return;
    this.#feeRecipient = access;
  }

  #read(address: string, location: string, feeField: boolean): bigint | boolean | `0x${string}` | undefined {
    if (feeField) this.#touchCoinbase(address, "read");
    return this.#current.overlay.read(location);
  }

  #write(address: string, location: string, value: bigint | boolean | undefined, feeField: boolean): void {
    if (feeField) this.#touchCoinbase(address, "read-write");
    this.#current.overlay.write(location, value);
  }

  readBalance(address: string): bigint {
    return (this.#read(address, balanceLocation(address), true) as bigint | undefined) ?? 0n;
  }

  readNonce(address: string): bigint {
    return (this.#read(address, nonceLocation(address), false) as bigint | undefined) ?? 0n;
  }

  storageRootOf(address: string): Uint8Array {
    const incarnation = this.#read(address, incarnationLocation(address), false);
    return incarnation === undefined && this.#pre.hasStorage(address) ? NON_EMPTY_STORAGE_ROOT : KECCAK256_RLP;
  }

  #codeHashBytes(hash: bigint | undefined): Uint8Array {
    if (hash === undefined) return KECCAK256_NULL;
    const entry = this.#codes.get(hash);
    if (entry === undefined) throw new Error(`internal error: no code with hash 0x${hash.toString(16)}`);
    return entry.hashBytes;
  }

  // -- accounts --

  /** Whether @ethereumjs/vm is now crediting the coinbase (not refunding a coinbase sender). */
  #creditingCoinbase(address: string): boolean {
    const tx = this.#current;
    return this.#settling && address === tx.coinbase && (tx.sender !== tx.coinbase || this.#refundSeen);
  }

  async getAccount(address: Address): Promise<Account | undefined> {
    const a = address.toString();
    if (this.#creditingCoinbase(a)) return this.#coinbaseForCredit(a);
    if (this.#read(a, existsLocation(a), true) === undefined) return undefined;
    return new ViewAccount(this, a, this.#codeHashBytes(this.#current.overlay.read(codeLocation(a)) as bigint | undefined));
  }

  /** The coinbase as @ethereumjs/vm sees it while crediting the fee; nothing is recorded. */
  #coinbaseForCredit(a: string): Account | undefined {
    if (this.#settledCoinbase !== undefined) return this.#settledCoinbase;
    const overlay = this.#current.overlay;
    if (overlay.peek(existsLocation(a)) === undefined) return undefined;
    this.#settlementBase = (overlay.peek(balanceLocation(a)) as bigint | undefined) ?? 0n;
    const nonce = (overlay.peek(nonceLocation(a)) as bigint | undefined) ?? 0n;
    return new Account(nonce, this.#settlementBase, KECCAK256_RLP, this.#codeHashBytes(overlay.peek(codeLocation(a)) as bigint | undefined));
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    if (account === undefined) return this.deleteAccount(address);
    const a = address.toString();
    if (this.#creditingCoinbase(a)) {
      this.#fee = account.balance - this.#settlementBase;
      this.#settledCoinbase = account;
      return;
    }
    if (this.#settling && a === this.#current.coinbase) this.#refundSeen = true;
    if (this.#read(a, existsLocation(a), true) === undefined) this.#write(a, existsLocation(a), true, true);
    const balance = account._balance;
    if (balance !== null && balance !== this.readBalance(a)) this.#write(a, balanceLocation(a), balance, true);
    const nonce = account._nonce;
    if (nonce !== null && nonce !== this.readNonce(a)) this.#write(a, nonceLocation(a), nonce, false);
    const codeHash = account._codeHash;
    if (codeHash !== null) {
      const current = this.#read(a, codeLocation(a), false) as bigint | undefined;
      const currentBytes = this.#codeHashBytes(current);
      if (codeHash !== currentBytes && !equalsBytes(codeHash, currentBytes)) {
        this.#write(a, codeLocation(a), equalsBytes(codeHash, KECCAK256_NULL) ? undefined : bytesToBigInt(codeHash), false);
      }
    }
  }

  async deleteAccount(address: Address): Promise<void> {
    const a = address.toString();
    if (this.#creditingCoinbase(a)) {
      // The clean-up found the credited coinbase empty: the credit was zero. Deleting it is a real
      // change only when it existed before.
      this.#settledCoinbase = undefined;
      if (this.#current.overlay.peek(existsLocation(a)) === undefined) return;
    }
    if (this.#read(a, existsLocation(a), true) === undefined) return;
    const hadCode = this.#read(a, codeLocation(a), false) !== undefined;
    const incarnation = (this.#read(a, incarnationLocation(a), false) as bigint | undefined) ?? 0n;
    this.#write(a, existsLocation(a), undefined, true);
    this.#write(a, balanceLocation(a), undefined, true);
    this.#write(a, nonceLocation(a), undefined, false);
    this.#write(a, codeLocation(a), undefined, false);
    // Its storage ends with it: the next incarnation's slots are other locations, all empty.
    if (hadCode || (incarnation === 0n && this.#pre.hasStorage(a))) this.#write(a, incarnationLocation(a), incarnation + 1n, false);
  }

  async modifyAccountFields(address: Address, fields: AccountFields): Promise<void> {
    const account = (await this.getAccount(address)) ?? new Account();
    if (fields.nonce !== undefined) account.nonce = fields.nonce;
    if (fields.balance !== undefined) account.balance = fields.balance;
    if (fields.codeHash !== undefined) account.codeHash = fields.codeHash;
    if (fields.storageRoot !== undefined) account.storageRoot = fields.storageRoot;
    await this.putAccount(address, account);
  }

  // -- code --

  async getCode(address: Address): Promise<Uint8Array> {
    const a = address.toString();
    const hash = this.#read(a, codeLocation(a), false) as bigint | undefined;
    return hash === undefined ? EMPTY : this.#codes.get(hash)!.code;
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length;
  }

  async putCode(address: Address, code: Uint8Array): Promise<void> {
    const a = address.toString();
    if (this.#read(a, existsLocation(a), true) === undefined) this.#write(a, existsLocation(a), true, true);
    let hash: bigint | undefined;
    if (code.length > 0) {
      const entry = this.#codes.add(code);
      this.#created.push(entry);
      hash = entry.hash;
    }
    if (this.#read(a, codeLocation(a), false) !== hash) this.#write(a, codeLocation(a), hash, false);
  }

  // -- storage --

  #incarnation(a: string): bigint {
    return (this.#read(a, incarnationLocation(a), false) as bigint | undefined) ?? 0n;
  }

  #storage(address: Address, key: Uint8Array, before: boolean): Uint8Array {
    const a = address.toString();
    const incarnation = this.#incarnation(a);
    const location = slotLocation(a, incarnation, bytesToHex(key));
    const overlay = this.#current.overlay;
    const value = (before ? overlay.readBefore(location) : overlay.read(location)) as bigint | undefined;
    // Only the pre-block incarnation's slots come from the snapshot; a later one starts empty.
    if (value === undefined && incarnation === 0n && (before || !overlay.isWritten(location)) && this.#pre.isMissingSlot(a, location)) {
      this.#miss(location, `${a}.storage`, `slot ${bytesToHex(key)} of ${a}`);
    }
    return value === undefined ? EMPTY : bigIntToUnpaddedBytes(value);
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    return this.#storage(address, key, false);
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const a = address.toString();
    this.#current.overlay.write(slotLocation(a, this.#incarnation(a), bytesToHex(key)), value.length === 0 ? undefined : bytesToBigInt(value));
  }

  /**
   * Called for a new contract's address. Its storage is already empty: a CREATE at an address
   * with storage collides (EIP-7610, see storageRootOf), and a destroyed account's storage is
   * another incarnation's.
   */
  async clearStorage(_address: Address): Promise<void> {}

  /** A hole in the pre-state: fail, or (prediction) read zero and remember it. */
  #miss(location: string, field: string, what: string): void {
    const tx = this.#current;
    if (tx.missPolicy === "zero") {
      this.#misses.push(location);
      return;
    }
    const error = new SnapshotMissError(`transaction ${tx.index} reads ${what}, which the pre-state does not list (an incomplete snapshot: it must list every slot the block reads)`, {
      file: this.#pre.file,
      field,
      txIndex: tx.index,
      location,
    });
    tx.overlay.stop(error);
    throw error;
  }

  /** BLOCKHASH asked for a hash the block-hash file lacks. */
  blockHashMiss(number: bigint, file: string | undefined): Uint8Array {
    const tx = this.#current;
    if (tx.missPolicy === "zero") {
      this.#misses.push(`blockhash/${number}`);
      return new Uint8Array(32);
    }
    const error = new SnapshotMissError(`transaction ${tx.index} asks for the hash of block ${number} (BLOCKHASH), which ${file === undefined ? "no block-hash file was given for" : "the block-hash file does not list"}`, {
      file,
      field: String(number),
      txIndex: tx.index,
      location: `blockhash/${number}`,
    });
    tx.overlay.stop(error);
    throw error;
  }

  // -- checkpoints --

  async checkpoint(): Promise<void> {
    this.#current.overlay.checkpoint();
  }

  async commit(): Promise<void> {
    this.#current.overlay.commitCheckpoint();
  }

  async revert(): Promise<void> {
    this.#current.overlay.revertCheckpoint();
  }

  // -- what a partial state cannot give --

  /**
   * Pre-Byzantium receipts carry the state root after each transaction; a snapshot of the touched
   * accounts cannot give mainnet's root, so none is computed (docs/evm.md, verification).
   */
  async getStateRoot(): Promise<Uint8Array> {
    return new Uint8Array(32);
  }

  async setStateRoot(): Promise<void> {
    throw new Error("the EVM runtime's state has no state root to set");
  }

  async hasStateRoot(): Promise<boolean> {
    return false;
  }

  clearCaches(): void {}

  shallowCopy(): StateManagerInterface {
    throw new Error("the EVM runtime's state manager is bound to one block's view and cannot be copied");
  }
}
