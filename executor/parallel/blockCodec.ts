/**
 * Blocks on their way to worker threads: encoded once as JSON bytes in a SharedArrayBuffer, so
 * every worker reads the same bytes without a copy per message, and decoded without schema
 * validation, because the main thread validated the block before it was encoded.
 */
import { blockToJson } from "../../core/schema.js";
import type { BlockAccessSets } from "../../core/accessSet.js";
import type { AccessList, Address, Block, RawArg, Tx } from "../../core/types.js";

export function encodeBlock(block: Block): SharedArrayBuffer {
  const bytes = Buffer.from(JSON.stringify(blockToJson(block)), "utf8");
  const shared = new SharedArrayBuffer(bytes.length);
  new Uint8Array(shared).set(bytes);
  return shared;
}

interface TxJson {
  from: Address;
  nonce: string;
  to: Address;
  fn: string;
  args: RawArg[];
  gasLimit: string;
  gasPrice: string;
  accessList?: AccessList;
  signature: string;
}

export function decodeTrustedBlock(shared: SharedArrayBuffer): Block {
  const json = JSON.parse(Buffer.from(shared).toString("utf8")) as { number: string; timestamp: string; sequencer: Address; baseFee: string; txs: TxJson[] };
  return {
    number: BigInt(json.number),
    timestamp: BigInt(json.timestamp),
    sequencer: json.sequencer,
    baseFee: BigInt(json.baseFee),
    txs: json.txs.map(
      (t): Tx => ({
        from: t.from,
        nonce: BigInt(t.nonce),
        to: t.to,
        fn: t.fn,
        args: t.args,
        gasLimit: BigInt(t.gasLimit),
        gasPrice: BigInt(t.gasPrice),
        ...(t.accessList !== undefined ? { accessList: t.accessList } : {}),
        signature: t.signature,
      }),
    ),
  };
}

/** The access sets the main thread scheduled with, for the workers' guards. */
export function encodeSets(sets: BlockAccessSets): SharedArrayBuffer {
  const bytes = Buffer.from(JSON.stringify(sets), "utf8");
  const shared = new SharedArrayBuffer(Math.max(1, bytes.length));
  new Uint8Array(shared).set(bytes);
  return shared;
}

export function decodeSets(shared: SharedArrayBuffer): BlockAccessSets {
  return JSON.parse(Buffer.from(shared).toString("utf8")) as BlockAccessSets;
}
