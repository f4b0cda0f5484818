/**
 * Receipts as the chain commits to them: the receipts trie (EIP-2718 typed receipts, keyed by
 * RLP(index)) and the block's logs bloom, the OR of every receipt's.
 */
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex } from "@ethereumjs/util";
import { encodeReceipt } from "@ethereumjs/vm";
import type { EvmLog } from "../runtime/evmRuntime.js";

export interface EvmReceipt {
  readonly index: number;
  readonly type: number;
  readonly status: 0 | 1;
  readonly gasUsed: bigint;
  readonly cumulativeGasUsed: bigint;
  readonly logs: readonly EvmLog[];
  readonly bloom: Uint8Array;
}

/**
 * The receipts-trie root from Byzantium on (status receipts). Before Byzantium a receipt carries
 * the state root after its transaction, which a snapshot of the touched accounts cannot give:
 * undefined then.
 */
export async function receiptsRoot(receipts: readonly EvmReceipt[], byzantium: boolean): Promise<string | undefined> {
  if (!byzantium) return undefined;
  const trie = new MerklePatriciaTrie();
  for (const r of receipts) {
    const encoded = encodeReceipt({ status: r.status, cumulativeBlockGasUsed: r.cumulativeGasUsed, bitvector: r.bloom, logs: r.logs as EvmLog[] }, r.type as never);
    await trie.put(RLP.encode(r.index), encoded);
  }
  return bytesToHex(trie.root());
}

/** The block's logs bloom: every receipt's, OR-ed. */
export function blockBloom(receipts: readonly EvmReceipt[]): Uint8Array {
  const bloom = new Uint8Array(256);
  for (const r of receipts) for (let i = 0; i < 256; i++) bloom[i]! |= r.bloom[i]!;
  return bloom;
}

/** The first receipt whose bloom has a bit the header's bloom lacks (its logs are not the published ones). */
export function firstBloomOutsider(receipts: readonly EvmReceipt[], header: Uint8Array): number | undefined {
  for (const r of receipts) for (let i = 0; i < 256; i++) if ((r.bloom[i]! & ~header[i]!) !== 0) return r.index;
  return undefined;
}

/** A receipt's logs in JSON. */
export function logsToJson(logs: readonly EvmLog[]): { address: string; topics: string[]; data: string }[] {
  return logs.map(([address, topics, data]) => ({ address: bytesToHex(address), topics: topics.map((t) => bytesToHex(t)), data: bytesToHex(data) }));
}
