/**
 * The 46 mainnet blocks prescient ships as EVM inputs (data/mainnet-blocks/<number>/), found in the
 * package's own directory, so they load whether prescient runs from its repository or is installed
 * as a dependency.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { dataDir } from "../../core/paths.js";
import type { EvmBlockSource } from "../runtime/evmRuntime.js";

export function mainnetBlocksDir(): string {
  return join(dataDir(), "mainnet-blocks");
}

/** The shipped block numbers, ascending. */
export function mainnetBlockNumbers(): number[] {
  return readdirSync(mainnetBlocksDir())
    .filter((name) => /^[0-9]+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

/** A shipped block's files (`.json.gz`, or `.json` where unpacked); block hashes only where the block uses BLOCKHASH. */
export function mainnetBlockSource(number: number): EvmBlockSource {
  const dir = join(mainnetBlocksDir(), String(number));
  const file = (name: string): string | undefined => [`${name}.json.gz`, `${name}.json`].map((f) => join(dir, f)).find((f) => existsSync(f));
  const blockFile = file("block");
  const preStateFile = file("pre_state");
  if (blockFile === undefined || preStateFile === undefined) throw new Error(`mainnet block ${number} is not shipped (looked in ${dir})`);
  return { blockFile, preStateFile, blockHashesFile: file("block_hashes") };
}
