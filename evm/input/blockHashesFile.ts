/**
 * The hashes BLOCKHASH may ask for: `{ "<number>": "0x<hash>" }` (data/mainnet-blocks README).
 */
import { readJsonFile } from "../../core/schema.js";
import { InputReader } from "./jsonInput.js";

export type BlockHashes = ReadonlyMap<bigint, string>;

export function readBlockHashesFile(file: string): BlockHashes {
  return parseBlockHashes(readJsonFile(file), file);
}

export function parseBlockHashes(json: unknown, file?: string): BlockHashes {
  const r: InputReader = new InputReader(file);
  const hashes = new Map<bigint, string>();
  for (const [key, value] of Object.entries(r.object(json, "(root)"))) {
    if (!/^(0|[1-9][0-9]{0,19})$/.test(key)) r.fail(key, "expected a decimal block number as the key");
    hashes.set(BigInt(key), r.bytes(value, key, 32));
  }
  return hashes;
}
