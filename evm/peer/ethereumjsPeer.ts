/**
 * The peer: what a TypeScript user runs instead of prescient — @ethereumjs/vm's `runTx` in a loop
 * over one of @ethereumjs/statemanager's in-memory state managers, loaded with the same pre-state.
 *
 * - `merkle`: `MerkleStateManager` as `createVM` makes it by default (a trie read and written on
 *   every access);
 * - `merkle-cached`: the same with its account, code and storage caches (what the ethereumjs
 *   client uses);
 * - `simple`: `SimpleStateManager` (maps, copied whole at every checkpoint).
 */
import type { StateManagerInterface } from "@ethereumjs/common";
import { Caches, MerkleStateManager, SimpleStateManager } from "@ethereumjs/statemanager";
import { Account, Address, bigIntToUnpaddedBytes, hexToBytes } from "@ethereumjs/util";
import { createVM, runTx } from "@ethereumjs/vm";
import type { LoadedEvmBlock, PreparedEvmTx } from "../runtime/evmRuntime.js";

export type PeerStateManager = "merkle" | "merkle-cached" | "simple";

export const PEER_STATE_MANAGERS: readonly PeerStateManager[] = ["merkle", "merkle-cached", "simple"];

export interface PeerBlockRun {
  readonly gasUsed: bigint;
  readonly statuses: readonly (0 | 1)[];
  readonly wallMs: number;
}

export interface PeerBlock {
  /** Run the block's transactions once, timed; the state is the pre-state each time. */
  run(): Promise<PeerBlockRun>;
}

/** Build the peer for a block; every `run` starts over from a freshly loaded state (loading is not timed). */
export function createPeerBlock(loaded: LoadedEvmBlock, prepared: readonly PreparedEvmTx[], kind: PeerStateManager): PeerBlock {
  return {
    async run() {
      const common = loaded.block.block.common;
      const stateManager = await loadedStateManager(loaded, kind);
      const hashes = new Map(Array.from(loaded.blockHashes, ([n, h]) => [Number(n), hexToBytes(h as `0x${string}`)]));
      const blockchain = {
        getBlock: async (n: number) => ({ hash: () => hashes.get(n) ?? new Uint8Array(32) }),
        putBlock: async () => {},
        shallowCopy() {
          return this;
        },
      };
      const vm = await createVM({ common, stateManager, blockchain });
      const block = loaded.block.block;
      const statuses: (0 | 1)[] = [];
      let gasUsed = 0n;
      const started = performance.now();
      for (const p of prepared) {
        const result = await runTx(vm, { tx: p.tx, block, blockGasUsed: gasUsed, skipHardForkValidation: true });
        gasUsed += result.totalGasSpent;
        statuses.push(result.execResult.exceptionError === undefined ? 1 : 0);
      }
      return { gasUsed, statuses, wallMs: performance.now() - started };
    },
  };
}

async function loadedStateManager(loaded: LoadedEvmBlock, kind: PeerStateManager): Promise<StateManagerInterface> {
  const common = loaded.block.block.common;
  const sm: StateManagerInterface =
    kind === "simple" ? new SimpleStateManager({ common }) : new MerkleStateManager({ common, ...(kind === "merkle-cached" ? { caches: new Caches() } : {}) });
  await sm.checkpoint();
  for (const [address, account] of loaded.preState.accounts) {
    const a = new Address(hexToBytes(address as `0x${string}`));
    await sm.putAccount(a, new Account(account.nonce, account.balance));
    if (account.codeHash !== 0n) await sm.putCode(a, loaded.preState.codes.get(account.codeHash)!.code);
    for (const [slot, value] of account.storage) if (value !== 0n) await sm.putStorage(a, hexToBytes(slot as `0x${string}`), bigIntToUnpaddedBytes(value));
  }
  await sm.commit();
  if (sm instanceof MerkleStateManager) await sm.flush();
  return sm;
}
