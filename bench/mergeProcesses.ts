/**
 * `bench --processes N`: the same cases measured in N fresh processes, one after another, and
 * merged figure by figure into the median over the processes.
 *
 * Why: on a shared 2-core VM one process's figures swing by 10–20% on small blocks — the JIT's
 * luck in that process (which call sites went polymorphic, when its young generation filled), and
 * whatever the neighbours did during its minutes. Five interleaved runs inside one process cannot
 * average that out: they share the process. A median over processes can, and the spread
 * (lowest and highest ratio over the processes) says how much a figure is worth.
 */
import type { ModeMeasurement, SpeedupRow } from "./parallel.js";
import { median } from "./measure.js";

/** A figure's ratio to sequential in each process, lowest and highest. */
export interface RatioSpread {
  readonly min: number;
  readonly max: number;
}

export interface MergedModeMeasurement extends ModeMeasurement {
  /** Present when merged from several processes: vsSequential's range over them. */
  readonly spread?: RatioSpread;
}

export interface MergedSpeedupRow extends Omit<SpeedupRow, "modes"> {
  readonly modes: readonly MergedModeMeasurement[];
}

/** The machine's ceiling for K threads, measured before and after the cases. */
export interface ThreadCeilingRange {
  readonly before: number;
  readonly after: number;
}

/** One process's bench document (`bench --json`), the parts merged. */
export interface BenchRun {
  readonly rows: readonly SpeedupRow[];
  readonly threadCeiling?: ThreadCeilingRange;
}

export interface MergedBenchRuns {
  readonly rows: readonly MergedSpeedupRow[];
  readonly threadCeiling?: ThreadCeilingRange;
}

/**
 * Merge the documents of processes that measured the same cases: every time and ratio becomes
 * the median over the processes (each ratio's own median, not a ratio of medians: each process
 * compared a mode with the baseline measured beside it), `inline` holds when it held in most.
 */
export function mergeBenchRuns(runs: readonly BenchRun[]): MergedBenchRuns {
  const first = runs[0];
  if (first === undefined) throw new RangeError("mergeBenchRuns: no runs to merge");
  const labels = first.rows.map((r) => r.label).join("\n");
  runs.forEach((run, i) => {
    if (run.rows.map((r) => r.label).join("\n") !== labels) throw new Error(`bench process ${i + 1} measured other cases than process 1`);
  });
  const rows = first.rows.map((row, r): MergedSpeedupRow => {
    const same = runs.map((run) => run.rows[r]!);
    const modes = row.modes.map((m, k): MergedModeMeasurement => {
      const all = same.map((s, i) => {
        const found = s.modes[k];
        if (found === undefined || found.mode !== m.mode || found.threads !== m.threads) throw new Error(`bench process ${i + 1} measured other modes of ${row.label} than process 1`);
        return found;
      });
      const ratios = all.map((x) => x.vsSequential);
      return {
        mode: m.mode,
        threads: m.threads,
        medianMs: median(all.map((x) => x.medianMs)),
        sequentialMs: median(all.map((x) => x.sequentialMs)),
        vsSequential: median(ratios),
        vsOneThread: median(all.map((x) => x.vsOneThread)),
        inline: 2 * all.filter((x) => x.inline).length > all.length,
        loadMs: median(all.map((x) => x.loadMs)),
        spread: { min: Math.min(...ratios), max: Math.max(...ratios) },
      };
    });
    return { ...row, sequentialMs: median(same.map((s) => s.sequentialMs)), projected: median(same.map((s) => s.projected)), modes };
  });
  const ceilings = runs.map((run) => run.threadCeiling).filter((c) => c !== undefined);
  const threadCeiling = ceilings.length === runs.length ? { before: median(ceilings.map((c) => c.before)), after: median(ceilings.map((c) => c.after)) } : undefined;
  return { rows, ...(threadCeiling !== undefined ? { threadCeiling } : {}) };
}
