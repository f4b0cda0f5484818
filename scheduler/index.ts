/** The scheduler's public API: conflict DAG, columns, critical path, speedup projection, worker
 * assignment, pricing and the mempool. */

export { buildConflictGraph, ConflictGraph } from "./conflictGraph.js";
export { computeColumns, columnsAsArrays, type ColumnLayout } from "./columns.js";
export { computeCriticalPath, gasBottomLevels, gasTopLevels, type CriticalPath } from "./criticalPath.js";
export { DEFAULT_THREAD_COUNTS, listScheduleMakespan, projectSpeedups } from "./listSchedule.js";
export { assignWorkers, type WorkerAssignment } from "./workerAssignment.js";
export { DEFAULT_FEE_MODEL, feeModel, type FeeModelParameters } from "./feeModel.js";
export { CONGESTION_STATE_FORMAT, CongestionState, type CongestionStateJson } from "./congestionState.js";
export { measureDemand, type BlockDemand, type LocationDemand } from "./locationDemand.js";
export { quoteBlock, type BlockQuote, type TxQuote } from "./pricing.js";
export { Mempool, type MempoolBatch, type MempoolTx } from "./mempool.js";
export { toDot, toGraphlib, type GraphlibNodeLabel } from "./graphExport.js";
export { scheduleBlock, ScheduleResult, type ScheduleOptions, type ScheduleResultJson } from "./scheduleBlock.js";
