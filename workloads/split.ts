/**
 * A workload as a chain: its transactions split, in order, into consecutive blocks numbered 1..n.
 * Each sender's nonces keep increasing from one block to the next, so the blocks commit one after
 * another onto the workload's genesis, and leave the state the single block would.
 */
import type { Block } from "../core/types.js";

export function splitIntoBlocks(block: Block, count: number): Block[] {
  if (!Number.isInteger(count) || count < 1 || count > Math.max(1, block.txs.length)) {
    throw new RangeError(`cannot split ${block.txs.length} transactions into ${count} blocks`);
  }
  const size = Math.ceil(block.txs.length / count);
  return Array.from({ length: count }, (_, i) => ({
    ...block,
    number: BigInt(i + 1),
    timestamp: block.timestamp + BigInt(i),
    txs: block.txs.slice(i * size, (i + 1) * size),
  }));
}
