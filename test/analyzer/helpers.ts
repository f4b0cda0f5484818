import { resolve } from "node:path";
import type { Address, Block, Genesis, Tx } from "../../core/types.js";
import { deployChain, type LoadedChain } from "../../executor/chain.js";
import { withAccountContract } from "../../state/genesis.js";

export const FIXTURES = resolve(import.meta.dirname, "..", "fixtures");
export const SEQUENCER: Address = "0x00000000000000000000000000000000000e0001";
export const NO_SIGNATURE = `0x${"00".repeat(64)}`;

export function address(i: number): Address {
  return `0x${(0xabc0000000n + BigInt(i)).toString(16).padStart(40, "0")}`;
}

export function tx(from: Address, nonce: bigint, to: Address, fn: string, args: Tx["args"], gasLimit = 200_000n): Tx {
  return { from, nonce, to, fn, args, gasLimit, gasPrice: 10n, signature: NO_SIGNATURE };
}

export function block(txs: readonly Tx[]): Block {
  return { number: 1n, timestamp: 1_700_000_000n, sequencer: SEQUENCER, baseFee: 10n, txs };
}

export async function chainOf(genesis: Genesis, txs: readonly Tx[]): Promise<LoadedChain> {
  return deployChain(block(txs), withAccountContract(genesis), FIXTURES);
}
