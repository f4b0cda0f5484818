/**
 * How the CLI talks: one JSON document on stdout with `--json`, readable text otherwise;
 * progress and logs on stderr, progress only on a TTY.
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import type { ExecutionResult, Receipt } from "../core/types.js";

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent);
}

/** Write a file whole or not at all: a crash mid-write leaves the old file (or none). */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export { Progress } from "./progress.js";

/** The result document of `run --json` (docs/formats.md, "Result"), optionally with each receipt's reads and writes. */
export function resultToJson(result: ExecutionResult, trace: boolean): unknown {
  return {
    stateRoot: result.stateRoot,
    receipts: result.receipts.map((r: Receipt) => ({
      index: r.index,
      status: r.status,
      gasUsed: r.gasUsed,
      fee: r.fee.toString(),
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(trace && r.reads !== undefined ? { reads: r.reads, writes: r.writes } : {}),
    })),
    stats: { ...result.stats, wallMs: Math.round(result.stats.wallMs * 1000) / 1000 },
  };
}

export function summarizeReceipts(receipts: readonly Receipt[]): Record<Receipt["status"], number> {
  const counts = { success: 0, revert: 0, "out-of-gas": 0, invalid: 0 };
  for (const r of receipts) counts[r.status]++;
  return counts;
}
