/**
 * A chain of small blocks for the persistent-state tests: token and native transfers among a few
 * accounts, with nonces continuing across blocks, transfers of a whole balance (which clear a
 * location), and transfers beyond it (which revert).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { blockToJson } from "../core/schema.js";
import type { Address, Block, Genesis } from "../core/types.js";
import { genesisToJson } from "../cli/commands/gen.js";
import { toJson } from "../cli/output.js";
import { ADDRESSES, WorkloadBuilder } from "../workloads/builder.js";
import { nativeTransfer, tokenTransfer } from "../workloads/tokens.js";
import { ContractRuntime } from "../contracts/runtime/runtime.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { stateRoot } from "../state/state.js";
import { ROOT } from "./helpers.js";

export interface ChainBlocks {
  readonly genesis: Genesis;
  readonly blocks: readonly Block[];
}

export function chainBlocks(options: { seed: string | number; blocks: number; txsPerBlock: number; accounts?: number }): ChainBlocks {
  const b = new WorkloadBuilder(options.seed);
  const k = options.accounts ?? 6;
  const balances = new Map<Address, bigint>();
  b.deploy(ADDRESSES.usdc, "token", { minter: ADDRESSES.sequencer });
  for (let i = 0; i < k; i++) {
    const a = b.account(i).address;
    const balance = 1000n + BigInt(i) * 100n;
    balances.set(a, balance);
    b.store(ADDRESSES.usdc, `balances/${a}`, balance);
  }
  let genesis: Genesis | undefined;
  const blocks: Block[] = [];
  for (let n = 1; n <= options.blocks; n++) {
    b.txs.length = 0;
    for (let t = 0; t < options.txsPerBlock; t++) {
      const i = b.random.int(k);
      const from = b.account(i);
      const to = b.account((i + 1 + b.random.int(k - 1)) % k);
      const kind = b.random.next();
      if (kind < 0.25) {
        b.call(from, nativeTransfer(from.address, to.address, b.random.bigint(1n, 1000n), b.random.next() < 0.5));
        continue;
      }
      const have = balances.get(from.address) ?? 0n;
      // A whole balance clears the sender's location; more than it reverts.
      const amount = kind < 0.4 ? have : kind < 0.5 ? have + 1n : have === 0n ? 1n : b.random.bigint(1n, have);
      if (amount > 0n && amount <= have) {
        balances.set(from.address, have - amount);
        balances.set(to.address, (balances.get(to.address) ?? 0n) + amount);
      }
      b.call(from, tokenTransfer(ADDRESSES.usdc, from.address, to.address, amount, b.random.next() < 0.5));
    }
    const built = b.build();
    genesis ??= built.genesis;
    blocks.push({ ...built.block, number: BigInt(n), timestamp: built.block.timestamp + BigInt(n) });
  }
  return { genesis: genesis!, blocks };
}

/** Write `genesis.json` and `block-<n>.json` files into `dir`. */
export function writeChainBlocks(dir: string, chain: ChainBlocks): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "genesis.json"), toJson(genesisToJson(chain.genesis)));
  for (const block of chain.blocks) writeFileSync(join(dir, `block-${block.number}.json`), toJson(blockToJson(block)));
}

/**
 * The reference: every block run by the sequential executor on one in-memory `State`, chained.
 * `roots[n]` is the state root after block n (`roots[0]` the genesis').
 */
export async function replayRoots(chain: ChainBlocks): Promise<string[]> {
  const genesis = withAccountContract(chain.genesis);
  const runtime = await ContractRuntime.create({ genesis, baseDir: ROOT });
  const state = stateFromGenesis(genesis);
  const roots = [stateRoot(state)];
  for (const block of chain.blocks) roots.push(executeBlockSequential({ block, state, runtime }).stateRoot);
  return roots;
}
