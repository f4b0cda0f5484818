/**
 * Reading an Ethereum block as `eth_getBlockByNumber(n, true)` returns it: header fields, full
 * signed transactions, withdrawals where present. The hardfork comes from the Mainnet schedule
 * by number and timestamp. Every transaction's hash is recomputed from its signed fields and must
 * equal the published one, so a field that is wrong in any way is caught here (exit 2), not as a
 * strange result later.
 */
import { createBlockFromRPC, type Block } from "@ethereumjs/block";
import { Common, Mainnet } from "@ethereumjs/common";
import { bytesToHex, type KZG } from "@ethereumjs/util";
import { readJsonFile } from "../../core/schema.js";
import { InputReader } from "./jsonInput.js";
import { loadKzg } from "./kzg.js";

export interface EvmBlockTx {
  /** The published hash (checked against the signed fields). */
  readonly hash: string;
  /** The published sender (checked against the signature when the block is prepared). */
  readonly from: string;
}

export interface EvmBlock {
  readonly file: string | undefined;
  readonly number: bigint;
  readonly timestamp: bigint;
  readonly hash: string;
  readonly coinbase: string;
  readonly gasUsed: bigint;
  readonly receiptsRoot: string;
  readonly logsBloom: string;
  /** The hardfork the Mainnet schedule gives this block (`chainstart` … `cancun`). */
  readonly hardfork: string;
  /** The block as @ethereumjs/block builds it (its transactions are the ones that run). */
  readonly block: Block;
  readonly txs: readonly EvmBlockTx[];
}

/** The transaction types a block from Frontier to Cancun can hold. */
const TX_TYPES = new Set([0n, 1n, 2n, 3n]);

/** Read and check a block file (`.json` or `.json.gz`). */
export async function readBlockFile(file: string): Promise<EvmBlock> {
  return parseEvmBlockJson(readJsonFile(file), file);
}

/** Check a parsed block; KZG is loaded when the block is from Cancun on. */
export async function parseEvmBlockJson(json: unknown, file?: string): Promise<EvmBlock> {
  return parseEvmBlock(json, file, needsKzg(json) ? await loadKzg() : undefined);
}

function needsKzg(json: unknown): boolean {
  const common = new Common({ chain: Mainnet });
  const timestamp = (json as { timestamp?: unknown } | null)?.timestamp;
  const cancun = common.hardforkTimestamp("cancun");
  return typeof timestamp === "string" && /^0x[0-9a-fA-F]{1,16}$/.test(timestamp) && cancun !== null && BigInt(timestamp) >= cancun;
}

export function parseEvmBlock(json: unknown, file: string | undefined, kzg: KZG | undefined): EvmBlock {
  const r: InputReader = new InputReader(file);
  const root = r.object(json, "(root)");
  const number = r.strictQuantity(root.number, "number");
  const timestamp = r.strictQuantity(root.timestamp, "timestamp");
  const coinbase = r.address(root.miner, "miner");
  const gasUsed = r.strictQuantity(root.gasUsed, "gasUsed");
  r.strictQuantity(root.gasLimit, "gasLimit");
  r.strictQuantity(root.difficulty, "difficulty");
  const receiptsRoot = r.bytes(root.receiptsRoot, "receiptsRoot", 32);
  const logsBloom = r.bytes(root.logsBloom, "logsBloom", 256);
  const hash = r.bytes(root.hash, "hash", 32);
  for (const field of ["parentHash", "sha3Uncles", "stateRoot", "transactionsRoot", "mixHash"]) r.bytes(root[field], field, 32);
  r.bytes(root.extraData, "extraData");
  for (const field of ["baseFeePerGas", "blobGasUsed", "excessBlobGas"]) if (root[field] !== undefined) r.strictQuantity(root[field], field);
  if (!Array.isArray(root.transactions)) r.fail("transactions", "expected an array of full transactions");
  const txs = root.transactions.map((tx: unknown, i: number) => checkTx(r, tx, i));
  let block: Block;
  try {
    block = createBlockFromRPC(root as never, [], { common: new Common({ chain: Mainnet, ...(kzg !== undefined ? { customCrypto: { kzg } } : {}) }), setHardfork: true });
  } catch (cause) {
    r.fail("(root)", `not a valid block: ${(cause as Error).message.split(" (")[0]}`);
  }
  block.transactions.forEach((tx, i) => {
    if (bytesToHex(tx.hash()) !== txs[i]!.hash) r.forTx(i).fail(`transactions[${i}].hash`, `does not match the signed transaction (its fields hash to ${bytesToHex(tx.hash())})`);
  });
  return { file, number, timestamp, hash, coinbase, gasUsed, receiptsRoot, logsBloom, hardfork: block.common.hardfork(), block, txs };
}

function checkTx(block: InputReader, json: unknown, i: number): EvmBlockTx {
  const r: InputReader = block.forTx(i);
  const at = `transactions[${i}]`;
  if (typeof json !== "object" || json === null || Array.isArray(json)) r.fail(at, "expected a full transaction object (eth_getBlockByNumber with `true`)");
  const tx = json as Record<string, unknown>;
  const field = (name: string) => `${at}.${name}`;
  const quantity = (name: string) => r.quantity(tx[name], field(name));
  const type = tx.type === undefined ? 0n : quantity("type");
  if (!TX_TYPES.has(type)) r.fail(field("type"), `transaction type ${type} is not one a block up to Cancun can hold`);
  for (const name of ["nonce", "gas", "value", "r", "s", "v"]) quantity(name);
  if (type === 0n || type === 1n) quantity("gasPrice");
  if (type >= 2n) {
    quantity("maxFeePerGas");
    quantity("maxPriorityFeePerGas");
  }
  if (type === 3n) quantity("maxFeePerBlobGas");
  if (tx.to !== null && tx.to !== undefined) r.address(tx.to, field("to"));
  r.bytes(tx.input, field("input"));
  return { hash: r.bytes(tx.hash, field("hash"), 32), from: r.address(tx.from, field("from")) };
}
