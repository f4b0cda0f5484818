/**
 * How the CLI talks: one JSON document on stdout with `--json`, readable text otherwise;
 * progress and logs on stderr, progress only on a TTY.
 */
import { renameSync, writeFileSync } from "node:fs";
import type { ExecutionResult, Receipt } from "../core/types.js";

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent);
}

/** Write a file whole or not at all: a crash mid-write leaves the old file (or none). */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A progress line on stderr, redrawn in place; silent when stderr is not a TTY or under --json. */
export class Progress {
  readonly #enabled: boolean;
  readonly #label: string;
  #last = 0;

  constructor(label: string, quiet: boolean) {
    this.#enabled = !quiet && process.stderr.isTTY === true;
    this.#label = label;
  }

  update(done: number, total: number): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#last < 100 && done < total) return;
    this.#last = now;
    const width = 30;
    const filled = Math.round((width * done) / Math.max(1, total));
    process.stderr.write(`\r${this.#label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`);
  }

  done(): void {
    if (this.#enabled) process.stderr.write("\n");
  }
}

/** The result contract of DESIGN.md, optionally with each receipt's reads and writes. */
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
