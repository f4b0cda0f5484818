/**
 * Measure a block for its report: the sequential reference and the chosen mode run in the same
 * process, each from the same pre-state after warm-up runs, on the same shared-memory state
 * representation (as `prescient bench` does); the last run of the chosen mode records what every
 * thread did. Returns the report's data and page, and that run's result and post-state.
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
  /** Runs of each executor before the measured one (default 2): workers reach steady JIT code. */
  readonly warmups?: number;
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

export async function createBlockReport(parameters: CreateBlockReportParameters): Promise<CreateBlockReportReturnType> {
  const { chain } = parameters;
  const checkSignatures = parameters.checkSignatures ?? true;
  const enforce = parameters.enforce ?? "fallback";
  const warmups = parameters.warmups ?? 2;
  if (!Number.isInteger(warmups) || warmups < 0) throw new RangeError(`warmups must be a non-negative integer, got ${warmups}`);
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
  let sequential: ExecutionResult & { activity?: ExecutionActivity } | undefined;
  for (let run = 0; run <= warmups; run++) {
    const last = run === warmups;
    sequentialState.restoreValues(pre);
    const step = last ? "sequential reference" : `sequential warm-up ${run + 1}/${warmups}`;
    sequential = executeBlockSequential({
      block: chain.block,
      state: sequentialState,
      runtime: chain.runtime,
      prepared: chain.prepared,
      enforce,
      checkSignatures,
      events: false,
      ...(last && trace ? { trace: true } : {}),
      ...(last && mode === "sequential" ? { activity: true } : {}),
      ...(report !== undefined ? { onProgress: (done: number, total: number) => report(step, done, total) } : {}),
    });
  }
  const reference = sequential!;

  let result: ExecutionResult = reference;
  let activity: ExecutionActivity = reference.activity ?? { lanes: [] };
  let inline = false;
  let state: StateStore = sequentialState;
  if (mode !== "sequential") {
    report?.(`starting ${threads} worker thread(s)`);
    const executor = await ParallelExecutor.create({ genesis: chain.genesis, baseDir: chain.baseDir, threads, capacity });
    try {
      report?.("loading the block on every thread");
      const loaded = await executor.load({ block: chain.block, prepared: chain.prepared, checkSignatures, sets });
      const snapshot = executor.state.snapshotValues();
      for (let run = 0; run <= warmups; run++) {
        const last = run === warmups;
        executor.state.restoreValues(snapshot);
        const step = last ? `${mode} on ${threads} thread(s)` : `${mode} warm-up ${run + 1}/${warmups}`;
        const r = await executor.execute({
          block: loaded,
          mode,
          enforce,
          ...(last ? { activity: true } : {}),
          ...(report !== undefined ? { onProgress: (done: number, total: number) => report(step, done, total) } : {}),
        });
        if (last) {
          result = r;
          activity = r.activity ?? { lanes: [] };
          inline = r.inline;
        }
      }
    } finally {
      await executor.close();
    }
    state = executor.state;
  }

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
    ...(parameters.source !== undefined ? { source: parameters.source } : {}),
    machine: machineDescription(),
    method:
      `Timings: the sequential reference and ${mode === "sequential" ? "the run" : `${mode} on ${threads} thread(s)`} ran in the same process, ` +
      `each from the same pre-state after ${warmups} warm-up run${warmups === 1 ? "" : "s"}; the page shows the run after the warm-ups. ` +
      `Signatures ${checkSignatures ? "verified" : "not verified"}; declared lists enforced as ${enforce}.`,
    generatedBy: `prescient ${packageVersion()}`,
  });
  return { data, html: renderBlockReport(data), result, sequential: reference, state };
}
