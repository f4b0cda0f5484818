import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BlockAccessSets } from "../../core/accessSet.js";
import { accessSetsFromTrace, defaultTracesDir, readAccessTrace } from "../../core/trace.js";
import { scheduleBlock, type ScheduleResult } from "../../scheduler/index.js";

function tracesDir(): string {
  return defaultTracesDir();
}

/**
 * Checks a schedule against the access sets directly (no DAG): on every location, each write is
 * in a column strictly after every earlier accessor and strictly before every later one; a
 * fee-recipient-direct tx comes after every earlier tx.
 */
function expectValidColumns(sets: BlockAccessSets, result: ScheduleResult): void {
  const col = result.layout.columnOf;
  const fee = sets.feeRecipientLocation;
  const accessors = new Map<string, Array<{ tx: number; write: boolean }>>();
  for (const tx of sets.txs) {
    const writes = new Set(tx.writes);
    for (const loc of new Set([...tx.reads, ...tx.writes])) {
      if (loc === fee) continue;
      let list = accessors.get(loc);
      if (list === undefined) accessors.set(loc, (list = []));
      list.push({ tx: tx.index, write: writes.has(loc) });
    }
  }
  for (const [loc, list] of accessors) {
    let maxBefore = -1; // max column of accessors so far
    let lastWriteColumn = -1;
    for (const { tx, write } of list) {
      if (write) expect(col[tx]!, `${loc}: write of tx ${tx}`).toBeGreaterThan(maxBefore);
      else expect(col[tx]!, `${loc}: read of tx ${tx}`).toBeGreaterThan(lastWriteColumn);
      maxBefore = Math.max(maxBefore, col[tx]!);
      if (write) lastWriteColumn = col[tx]!;
    }
  }
  let maxSoFar = -1;
  for (const tx of sets.txs) {
    if (tx.feeRecipient !== "none") expect(col[tx.index]!).toBeGreaterThan(maxSoFar);
    maxSoFar = Math.max(maxSoFar, col[tx.index]!);
  }
}

describe("mainnet access traces", () => {
  const dir = tracesDir();
  const files = readdirSync(dir).filter((f) => /\.json(\.gz)?$/.test(f));

  it("finds the 46 shared blocks", () => {
    expect(files.length).toBe(46);
  });

  it.each(files)("schedules %s validly", (file) => {
    const trace = readAccessTrace(join(dir, file));
    const sets = accessSetsFromTrace(trace);
    const result = scheduleBlock(sets, { threads: 8 });
    const json = result.toJSON();
    expect(json.txs).toBe(trace.txs.length);
    expect(json.totalGas).toBe(Number(trace.headerGasUsed));
    expect(json.columns.flat().sort((a, b) => a - b)).toEqual(trace.txs.map((t) => t.index));
    expect(json.criticalPath.length).toBe(json.columns.length);
    expect(json.projectedSpeedup["1"]).toBe(1);
    for (const [i, j] of result.graph.edges()) expect(result.layout.columnOf[i]!).toBeLessThan(result.layout.columnOf[j]!);
    expectValidColumns(sets, result);
  });
});
