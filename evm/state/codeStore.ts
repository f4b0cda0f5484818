/**
 * Contract code, content-addressed: a location holds a code hash (a u256 fits prescient's
 * values), the bytes live here. Entries are immutable and keyed by their own hash, so two runs
 * that add the same code agree whatever their order: a code deployed during a block is added
 * when the deploying transaction runs and is harmless if that transaction reverts.
 */
import { bytesToBigInt, bytesToHex } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";

/** keccak-256 of the empty string: the code hash of an account without code. */
export const EMPTY_CODE_HASH: Uint8Array = keccak_256(new Uint8Array(0));

export interface CodeEntry {
  /** The hash as a number: what `<address>/code` holds. */
  readonly hash: bigint;
  readonly hashBytes: Uint8Array;
  readonly code: Uint8Array;
}

export class CodeStore {
  readonly #byHash = new Map<bigint, CodeEntry>();

  get size(): number {
    return this.#byHash.size;
  }

  get(hash: bigint): CodeEntry | undefined {
    return this.#byHash.get(hash);
  }

  /** Add `code` (non-empty) and return its entry; the hash is computed here. */
  add(code: Uint8Array): CodeEntry {
    const hashBytes = keccak_256(code);
    const hash = bytesToBigInt(hashBytes);
    let entry = this.#byHash.get(hash);
    if (entry === undefined) {
      entry = { hash, hashBytes, code };
      this.#byHash.set(hash, entry);
    }
    return entry;
  }

  entries(): IterableIterator<CodeEntry> {
    return this.#byHash.values();
  }
}

export function hashHex(entry: CodeEntry): string {
  return bytesToHex(entry.hashBytes);
}
