import { describe, expect, it } from "vitest";
import { mergeBenchRuns, type BenchRun } from "../bench/mergeProcesses.js";
import type { ModeMeasurement, SpeedupRow } from "../bench/parallel.js";
import { mainnetSummary } from "../cli/commands/bench.js";

function mode(m: Partial<ModeMeasurement> & Pick<ModeMeasurement, "mode" | "threads" | "vsSequential">): ModeMeasurement {
  return { medianMs: 10 / m.vsSequential, sequentialMs: 10, vsOneThread: 1, inline: false, loadMs: 1, ...m };
}

function row(label: string, hybrid2: number, inline = false): SpeedupRow {
  return {
    label,
    txs: 100,
    signatures: false,
    sequentialMs: 10,
    projected: 1.9,
    modes: [mode({ mode: "hybrid", threads: 1, vsSequential: 1 }), mode({ mode: "hybrid", threads: 2, vsSequential: hybrid2, inline })],
  };
}

describe("bench --processes: merging the processes' figures", () => {
  it("takes each figure's median over the processes, with the range of its ratio", () => {
    const runs: BenchRun[] = [
      { rows: [row("a", 1.2), row("b", 0.9, true)], threadCeiling: { before: 1.7, after: 1.8 } },
      { rows: [row("a", 1.8), row("b", 1.0, true)], threadCeiling: { before: 1.9, after: 1.6 } },
      { rows: [row("a", 1.5), row("b", 1.1)], threadCeiling: { before: 1.8, after: 1.7 } },
    ];
    const merged = mergeBenchRuns(runs);
    expect(merged.rows.map((r) => r.label)).toEqual(["a", "b"]);
    const a2 = merged.rows[0]!.modes[1]!;
    expect(a2.vsSequential).toBe(1.5);
    expect(a2.spread).toEqual({ min: 1.2, max: 1.8 });
    expect(a2.medianMs).toBeCloseTo(10 / 1.5, 9);
    const b2 = merged.rows[1]!.modes[1]!;
    expect(b2.vsSequential).toBe(1.0);
    // Inline in two processes of three: inline.
    expect(b2.inline).toBe(true);
    expect(merged.threadCeiling).toEqual({ before: 1.8, after: 1.7 });
  });

  it("refuses processes that measured other cases or modes, and an empty list", () => {
    expect(() => mergeBenchRuns([])).toThrow(RangeError);
    expect(() => mergeBenchRuns([{ rows: [row("a", 1.2)] }, { rows: [row("b", 1.2)] }])).toThrow(/process 2 measured other cases/);
    const other = { ...row("a", 1.2), modes: [mode({ mode: "columns", threads: 1, vsSequential: 1 }), mode({ mode: "hybrid", threads: 2, vsSequential: 1 })] };
    expect(() => mergeBenchRuns([{ rows: [row("a", 1.2)] }, { rows: [other] }])).toThrow(/process 2 measured other modes of a/);
  });

  it("leaves the ceiling out when a process had none (one thread)", () => {
    expect(mergeBenchRuns([{ rows: [row("a", 1)] }, { rows: [row("a", 1)], threadCeiling: { before: 1.8, after: 1.8 } }]).threadCeiling).toBeUndefined();
  });
});

describe("bench: the mainnet summary", () => {
  const projected = (r: SpeedupRow, p: number): SpeedupRow => ({ ...r, projected: p });
  const rows = [projected(row("mainnet 1", 1.6), 2), projected(row("mainnet 2", 1.1), 1.2), row("erc20 10000", 1.9)];

  it("averages hybrid's share of min(K, projected) over the mainnet blocks only", () => {
    // (1.6 / 2 + 1.1 / 1.2) / 2 = 85.8%; the mean speedup (1.6 + 1.1) / 2 = 1.35.
    expect(mainnetSummary(rows, 2)).toBe("mainnet (2 blocks): hybrid at 2 threads averages 1.35× sequential, 85.8% of min(2, projected)");
  });

  it("with the machine's ceiling, also the share of min(ceiling, projected)", () => {
    // (1.6 / 1.7 + 1.1 / 1.2) / 2 = 92.9%: the ceiling bounds only the block projected above it.
    expect(mainnetSummary(rows, 2, 1.7)).toBe(
      "mainnet (2 blocks): hybrid at 2 threads averages 1.35× sequential, 85.8% of min(2, projected), 92.9% of min(ceiling 1.70×, projected)",
    );
  });

  it("says nothing without mainnet rows", () => {
    expect(mainnetSummary([row("erc20 10000", 1.9)], 2, 1.7)).toBeUndefined();
  });
});
