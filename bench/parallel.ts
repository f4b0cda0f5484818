/**
 * The speedup benchmark: every case runs sequentially and in each parallel mode at one thread and
 * at K threads, in one process, after a warm-up run, as the median of repeated runs from the same
 * pre-state, on the same state representation (the shared-memory state, whose interned locations
 * also make the one-thread path faster). Every figure is a ratio measured in that same run; every parallel run must reproduce
 * the sequential state root or the benchmark fails.
 */
import type { Genesis } from "../core/types.js";
import type { LoadedChain } from "../executor/chain.js";
import { ParallelExecutor, type ParallelMode } from "../executor/parallel/parallelExecutor.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { analyzeBlockAccessSets } from "../executor/accessSets.js";
import { buildConflictGraph, listScheduleMakespan } from "../scheduler/index.js";
import { SharedState } from "../state/sharedState.js";
import { median } from "./measure.js";

export interface SpeedupRow {
  readonly label: string;
  readonly txs: number;
  readonly signatures: boolean;
  readonly sequentialMs: number;
  /** Projected speedup at K threads from the scheduler's list schedule. */
  readonly projected: number;
  readonly modes: readonly ModeMeasurement[];
}

export interface ModeMeasurement {
  readonly mode: ParallelMode;
  readonly threads: number;
  readonly medianMs: number;
  /** sequential median / this median. */
  readonly vsSequential: number;
  /** same mode at one thread / this median (1 for the one-thread row itself). */
  readonly vsOneThread: number;
  readonly inline: boolean;
  readonly loadMs: number;
}

export interface SpeedupCaseParameters {
  readonly label: string;
  readonly chain: LoadedChain;
  readonly threads: number;
  readonly repeat: number;
  readonly signatures: boolean;
  readonly modes?: readonly ParallelMode[];
  /** Told what is being measured (sequential, each mode at each thread count). */
  readonly onStep?: (step: string) => void;
}

/** Warm-up runs before measuring: workers reach steady JIT code after two or three runs. */
const WARMUP = 3;

function timed(runs: number, run: () => number): number {
  for (let i = 0; i < WARMUP; i++) run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(run());
  return median(times);
}

async function timedAsync(runs: number, run: () => Promise<number>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await run());
  return median(times);
}

export async function measureSpeedups(p: SpeedupCaseParameters): Promise<SpeedupRow> {
  const { chain } = p;
  let sequentialRoot = "";
  const capacity = Math.max(1 << 16, 4 * (chain.state.size + 8 * chain.block.txs.length));
  const sequentialState = SharedState.fromEntries(chain.state.entries(), { capacity });
  const pre = sequentialState.snapshotValues();
  p.onStep?.("sequential");
  const sequentialMs = timed(p.repeat, () => {
    sequentialState.restoreValues(pre);
    const r = executeBlockSequential({ block: chain.block, state: sequentialState, runtime: chain.runtime, prepared: chain.prepared, checkSignatures: p.signatures, events: false });
    sequentialRoot = r.stateRoot;
    return r.stats.wallMs;
  });
  const sets = await analyzeBlockAccessSets({ block: chain.block, prepared: chain.prepared, runtime: chain.runtime, state: chain.state, checkSignatures: p.signatures });
  const graph = buildConflictGraph(sets);
  let total = 0;
  for (let i = 0; i < graph.txCount; i++) total += graph.gas[i]!;
  const projected = total / Math.max(1e-9, listScheduleMakespan(graph, p.threads));
  const modes: ModeMeasurement[] = [];
  const threadCounts = p.threads === 1 ? [1] : [1, p.threads];
  const oneThread = new Map<ParallelMode, number>();
  for (const threads of threadCounts) {
    const executor = await ParallelExecutor.create({ genesis: chain.genesis as Genesis, baseDir: chain.baseDir, threads, capacity });
    try {
      const loaded = await executor.load({ block: chain.block, prepared: chain.prepared, checkSignatures: p.signatures, sets });
      const snapshot = executor.state.snapshotValues();
      for (const mode of p.modes ?? (["hybrid", "columns", "blockstm"] as const)) {
        p.onStep?.(`${mode} at ${threads} thread${threads === 1 ? "" : "s"}`);
        let inline = false;
        const ms = await timedAsync(p.repeat, async () => {
          executor.state.restoreValues(snapshot);
          const r = await executor.execute({ block: loaded, mode });
          if (r.stateRoot !== sequentialRoot) throw new Error(`${p.label}: ${mode} at ${threads} thread(s) gave state root ${r.stateRoot}, sequential ${sequentialRoot}`);
          inline = r.inline;
          return r.stats.wallMs;
        });
        if (threads === 1) oneThread.set(mode, ms);
        modes.push({ mode, threads, medianMs: ms, vsSequential: sequentialMs / ms, vsOneThread: (oneThread.get(mode) ?? ms) / ms, inline, loadMs: loaded.loadMs });
      }
    } finally {
      await executor.close();
    }
  }
  return { label: p.label, txs: chain.block.txs.length, signatures: p.signatures, sequentialMs, projected, modes };
}
