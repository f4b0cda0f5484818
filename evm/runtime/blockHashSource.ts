/**
 * What BLOCKHASH sees: the hashes of the block-hash file, and a clear failure (or, when
 * predicting, a counted zero) for one it lacks, never a made-up hash.
 */
import type { EVMMockBlockchainInterface } from "@ethereumjs/evm";
import { hexToBytes } from "@ethereumjs/util";
import type { BlockHashes } from "../input/blockHashesFile.js";
import type { ViewStateManager } from "./viewStateManager.js";

export class BlockHashSource implements EVMMockBlockchainInterface {
  readonly #hashes: ReadonlyMap<bigint, Uint8Array>;
  readonly #file: string | undefined;
  readonly #state: ViewStateManager;

  constructor(hashes: BlockHashes, file: string | undefined, state: ViewStateManager) {
    this.#hashes = new Map(Array.from(hashes, ([n, hash]) => [n, hexToBytes(hash as `0x${string}`)]));
    this.#file = file;
    this.#state = state;
  }

  async getBlock(blockId: number): Promise<{ hash(): Uint8Array }> {
    const number = BigInt(blockId);
    const hash = this.#hashes.get(number) ?? this.#state.blockHashMiss(number, this.#file);
    return { hash: () => hash };
  }

  async putBlock(): Promise<void> {}

  shallowCopy(): EVMMockBlockchainInterface {
    return this;
  }
}
