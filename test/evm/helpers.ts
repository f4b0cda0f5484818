/** Shared by the EVM tests: the shipped mainnet blocks, run and checked. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { mainnetBlockSource } from "../../evm/input/mainnetBlocks.js";
import { runEvmBlock, type EvmRunReport, type RunEvmBlockParameters } from "../../evm/runEvmBlock.js";

const reports = new Map<string, Promise<EvmRunReport>>();

/** A shipped block run (and verified) once per test file, shared by the tests that look at it. */
export function shippedReport(number: number, options: Omit<RunEvmBlockParameters, "source"> = {}): Promise<EvmRunReport> {
  const key = `${number} ${JSON.stringify(options)}`;
  let report = reports.get(key);
  if (report === undefined) {
    report = runEvmBlock({ source: mainnetBlockSource(number), ...options });
    reports.set(key, report);
  }
  return report;
}

/** Blocks across the hardforks, each quick to run: what npm test verifies. */
export const FAST_BLOCKS = {
  frontier: 46147,
  homestead: 1796867,
  spuriousDragon: 2675000,
  byzantium: 6196166,
  /** Muir Glacier: a contract destroyed and created again at the same address (CREATE2) within the block. */
  recreated: 11114732,
  shanghai: 18426253,
  /** Cancun: EIP-1559 fee market and EIP-2930 access-list transactions. */
  accessLists: 19929064,
  /** Cancun: a blob transaction. */
  cancun: 19933122,
} as const;

/** The JSON of a shipped file (gzipped in the package). */
export function shippedJson(number: number, name: "block" | "pre_state" | "block_hashes"): Record<string, unknown> {
  const source = mainnetBlockSource(number);
  const file = name === "block" ? source.blockFile : name === "pre_state" ? source.preStateFile : source.blockHashesFile!;
  const bytes = readFileSync(file);
  return JSON.parse((file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8")) as Record<string, unknown>;
}

let dir: string | undefined;

/** Write a JSON document to a fresh temporary directory; returns its path. */
export function writeTemp(name: string, value: unknown): string {
  dir ??= mkdtempSync(join(tmpdir(), "prescient-evm-"));
  const file = join(dir, name);
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}
