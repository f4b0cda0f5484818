/**
 * `prescient/executor`: the executors — the sequential reference and the parallel executor
 * (`hybrid`, `columns`, `blockstm` on a pool of worker threads) — and what they take and return.
 */
export { prepareBlock, prepareTx, type PreparedTx } from "./prepare.js";
export { executeBlockSequential, type ExecuteBlockParameters, type ExecuteBlockReturnType } from "./sequential.js";
export { BARRIER_LOCATION, analyzeBlockAccessSets, blockAccessSets, withBarriers, type AnalyzeBlockAccessSetsParameters } from "./accessSets.js";
export type { ActivityEvent, ActivityKind, ActivityLane, ExecutionActivity } from "./activity.js";
export {
  ParallelExecutor,
  type CreateParallelExecutorParameters,
  type ExecuteParallelParameters,
  type LoadParallelBlockParameters,
  type LoadedParallelBlock,
  type ParallelExecutionResult,
  type ParallelMode,
  type TimelineEntry,
} from "./parallel/parallelExecutor.js";
