/**
 * Measure a block for its report: the sequential reference and the chosen mode run in the same
 * process, in pairs (one then the other, so a change of the machine's load hits both), each from
 * the same pre-state after warm-up runs, on the same shared-memory state representation (as
 * `prescient bench` does). Every measured run of the chosen mode records what each thread did;
 * the page shows the median run. Returns the report's data and page, that run's result, and the
 * post-state.
 */
import { packageVersion } from "../core/paths.js";
import type { EnforcementPolicy, ExecutionMode, ExecutionResult } from "../core/types.js";
import { machineDescription } from "../bench/measure.js";
import { analyzeBlockAccessSets } from "../executor/accessSets.js";
import type { ExecutionActivity } from "../executor/activity.js";
import type { LoadedChain } from "../executor/chain.js";
import { ParallelExecutor } from "../executor/parallel/parallelExecutor.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { SharedState } from "../state/sharedState.js";
import type { StateStore } from "../state/state.js";
import type { RunTimings } from "./measuredSpeedup.js";
import { buildBlockReportData, type BlockReportData } from "./reportData.js";
import { renderBlockReport } from "./renderReport.js";

export interface CreateBlockReportParameters {
  /** The block, deployed on its genesis (`loadChain` or `deployChain`); its state is left untouched. */
  readonly chain: LoadedChain;
  readonly mode?: ExecutionMode;
  /** Worker threads of a parallel mode (default 2). */
  readonly threads?: number;
  readonly enforce?: EnforcementPolicy;
  readonly checkSignatures?: boolean;
  /** Runs of each executor before the measured ones (default 2): workers reach steady JIT code. */
  readonly warmups?: number;
  /** Measured runs of each executor (default 5): the speedup is the ratio of the medians, with its spread. */
  readonly runs?: number;
  /** Record each receipt's reads and writes; this needs the sequential executor, which then is the run reported. */
  readonly trace?: boolean;
  /** Where the block came from, shown in the header. */
  readonly source?: string;
  /** What is running, and how far it got (for progress bars). */
  readonly onProgress?: (step: string, done?: number, total?: number) => void;
}

export interface CreateBlockReportReturnType {
  readonly data: BlockReportData;
  readonly html: string;
  /** The reported run, and the sequential reference. */
  readonly result: ExecutionResult;
  readonly sequential: ExecutionResult;
  /** The state after the reported run. */
  readonly state: StateStore;
}

type MeasuredResult = ExecutionResult & { readonly activity?: ExecutionActivity; readonly inline?: boolean };
/** One run of the block from its pre-state: `measured` runs record what the report needs. */
type Runner = (step: string, measured: boolean) => Promise<MeasuredResult>;

/** The index of a median value: the lower middle one for an even count. */
function medianIndex(values: readonly number[]): number {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  return order[(order.length - 1) >> 1]![1];
}

/**
 * Warm-ups, then `runs` pairs: the sequential reference, then the parallel mode (without one, the
 * sequential runs are the ones reported). The shown run is the median one.
 */
async function measurePairs(p: { warmups: number; runs: number; sequential: Runner; parallel?: Runner; label: string }): Promise<{ reference: MeasuredResult; shown: MeasuredResult; timings: RunTimings }> {
  for (let w = 1; w <= p.warmups; w++) {
    await p.sequential(`sequential warm-up ${w}/${p.warmups}`, false);
    await p.parallel?.(`${p.label} warm-up ${w}/${p.warmups}`, false);
  }
  const sequentialRuns: MeasuredResult[] = [];
  const parallelRuns: MeasuredResult[] = [];
  for (let k = 1; k <= p.runs; k++) {
    sequentialRuns.push(await p.sequential(`sequential reference ${k}/${p.runs}`, true));
    if (p.parallel !== undefined) parallelRuns.push(await p.parallel(`${p.label} ${k}/${p.runs}`, true));
  }
  const shownRuns = p.parallel !== undefined ? parallelRuns : sequentialRuns;
  const sequentialMs = sequentialRuns.map((r) => r.stats.wallMs);
  const runMs = shownRuns.map((r) => r.stats.wallMs);
  return { reference: sequentialRuns[medianIndex(sequentialMs)]!, shown: shownRuns[medianIndex(runMs)]!, timings: { sequentialMs, runMs } };
}

export async function createBlockReport(parameters: CreateBlockReportParameters): Promise<CreateBlockReportReturnType> {
  const { chain } = parameters;
  const checkSignatures = parameters.checkSignatures ?? true;
  const enforce = parameters.enforce ?? "fallback";
  const warmups = parameters.warmups ?? 2;
  if (!Number.isInteger(warmups) || warmups < 0) throw new RangeError(`warmups must be a non-negative integer, got ${warmups}`);
  const runs = parameters.runs ?? 5;
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new RangeError(`runs must be an integer from 1 to 100, got ${runs}`);
  const trace = parameters.trace ?? false;
  const mode: ExecutionMode = trace ? "sequential" : (parameters.mode ?? "hybrid");
  const threads = mode === "sequential" ? 1 : (parameters.threads ?? 2);
  const report = parameters.onProgress;
  const n = chain.block.txs.length;

  report?.("analyzing access sets");
  const sets = await analyzeBlockAccessSets({ block: chain.block, prepared: chain.prepared, runtime: chain.runtime, state: chain.state, checkSignatures });
  const capacity = Math.max(1 << 16, 4 * (chain.state.size + 8 * n));

  // The sequential reference on the shared-memory state, like the parallel modes.
  const sequentialState = SharedState.fromEntries(chain.state.entries(), { capacity });
  const pre = sequentialState.snapshotValues();
  const progress = (step: string) => (report !== undefined ? { onProgress: (done: number, total: number) => report(step, done, total) } : {});
  const sequential: Runner = async (step, measured) => {
    sequentialState.restoreValues(pre);
    return executeBlockSequential({
      block: chain.block,
      state: sequentialState,
      runtime: chain.runtime,
      prepared: chain.prepared,
      enforce,
      checkSignatures,
      events: false,
      ...(measured && trace ? { trace: true } : {}),
      ...(measured && mode === "sequential" ? { activity: true } : {}),
      ...progress(step),
    });
  };

  let executor: ParallelExecutor | undefined;
  let measured: Awaited<ReturnType<typeof measurePairs>>;
  try {
    let parallel: Runner | undefined;
    if (mode !== "sequential") {
      report?.(`starting ${threads} worker thread(s)`);
      executor = await ParallelExecutor.create({ genesis: chain.genesis, baseDir: chain.baseDir, threads, capacity });
      report?.("loading the block on every thread");
      const loaded = await executor.load({ block: chain.block, prepared: chain.prepared, checkSignatures, sets });
      const snapshot = executor.state.snapshotValues();
      const parallelExecutor = executor;
      parallel = async (step, measured) => {
        parallelExecutor.state.restoreValues(snapshot);
        return parallelExecutor.execute({ block: loaded, mode, enforce, ...(measured ? { activity: true } : {}), ...progress(step) });
      };
    }
    const label = mode === "sequential" ? "sequential" : `${mode} on ${threads} thread(s)`;
    measured = await measurePairs({ warmups, runs, sequential, ...(parallel !== undefined ? { parallel } : {}), label });
  } finally {
    await executor?.close();
  }
  const { reference, shown, timings } = measured;
  const result: ExecutionResult = shown;
  const activity: ExecutionActivity = shown.activity ?? { lanes: [] };
  const inline = shown.inline ?? false;
  const state: StateStore = executor?.state ?? sequentialState;

  report?.("building the report");
  const data = buildBlockReportData({
    block: chain.block,
    prepared: chain.prepared,
    sets,
    threads,
    result,
    activity,
    inline,
    sequential: reference,
    timings,
    ...(parameters.source !== undefined ? { source: parameters.source } : {}),
    machine: machineDescription(),
    method:
      (mode === "sequential"
        ? `Timings: ${runs} run${runs === 1 ? "" : "s"} of the sequential executor after ${warmups} warm-up run${warmups === 1 ? "" : "s"}, each from the same pre-state; times are medians, the timeline is the median run. `
        : `Timings: ${runs} pair${runs === 1 ? "" : "s"} of runs, the sequential reference then ${mode} on ${threads} thread(s), in the same process, each from the same pre-state, after ${warmups} warm-up pair${warmups === 1 ? "" : "s"}; ` +
          `the speedup is the ratio of the medians, its range the lowest and highest ratio of a pair; the timeline is the median ${mode} run. `) +
      `Signatures ${checkSignatures ? "verified" : "not verified"}; declared lists enforced as ${enforce}.`,
    generatedBy: `prescient ${packageVersion()}`,
  });
  return { data, html: renderBlockReport(data), result, sequential: reference, state };
}
