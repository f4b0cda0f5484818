/**
 * The state a block starts from: accounts, code and storage, from a pevm-style snapshot (the
 * touched part of mainnet) or a geth-style genesis `alloc` (a whole state).
 *
 * The snapshot rule (docs/evm.md): a snapshot lists every *existing* account the block touches
 * (its producer drops accounts that do not exist), and for each of them every storage slot the
 * block reads, zero or not. So an absent account is one that does not exist, and an account
 * without code has no storage; but a slot of an account *with* code that the snapshot does not
 * list is a hole in the snapshot, never a zero. An `alloc` is the whole state: nothing it lacks
 * exists.
 */
import { CodeStore } from "./codeStore.js";
import { balanceLocation, codeLocation, existsLocation, nonceLocation, slotLocation } from "./locations.js";
import type { Value } from "../../core/types.js";

export interface PreAccount {
  readonly balance: bigint;
  readonly nonce: bigint;
  /** keccak-256 of the code as a number; 0n when the account has no code. */
  readonly codeHash: bigint;
  /** Slot (0x + 64 hex digits) → value, as listed (zero values included). */
  readonly storage: ReadonlyMap<string, bigint>;
}

export type PreStateKind = "snapshot" | "alloc";

export class PreState {
  readonly kind: PreStateKind;
  /** The file it was read from, for error messages. */
  readonly file: string | undefined;
  readonly accounts: ReadonlyMap<string, PreAccount>;
  readonly codes: CodeStore;
  /** Slot locations the snapshot lists (zero values included). */
  readonly #listedSlots = new Set<string>();

  constructor(kind: PreStateKind, file: string | undefined, accounts: ReadonlyMap<string, PreAccount>, codes: CodeStore) {
    this.kind = kind;
    this.file = file;
    this.accounts = accounts;
    this.codes = codes;
    for (const [address, account] of accounts) for (const slot of account.storage.keys()) this.#listedSlots.add(slotLocation(address, 0n, slot));
  }

  /**
   * Whether reading `location` (a slot of incarnation 0 of `address`) as absent would be a hole in
   * the snapshot rather than a zero: the account had code before the block and the snapshot does
   * not list the slot. Always false for an alloc, which is a whole state.
   */
  isMissingSlot(address: string, location: string): boolean {
    if (this.kind === "alloc") return false;
    const account = this.accounts.get(address);
    return account !== undefined && account.codeHash !== 0n && !this.#listedSlots.has(location);
  }

  /** Whether the account has non-zero storage before the block (EIP-7610's collision test). */
  hasStorage(address: string): boolean {
    const account = this.accounts.get(address);
    if (account === undefined) return false;
    for (const value of account.storage.values()) if (value !== 0n) return true;
    return false;
  }

  /** Every non-zero location of the pre-state, in prescient's location scheme. */
  *entries(): IterableIterator<[string, Value]> {
    for (const [address, account] of this.accounts) {
      yield [existsLocation(address), true];
      if (account.balance !== 0n) yield [balanceLocation(address), account.balance];
      if (account.nonce !== 0n) yield [nonceLocation(address), account.nonce];
      if (account.codeHash !== 0n) yield [codeLocation(address), account.codeHash];
      for (const [slot, value] of account.storage) if (value !== 0n) yield [slotLocation(address, 0n, slot), value];
    }
  }
}
