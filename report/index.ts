/**
 * The block report: a self-contained HTML page with the DAG as columns, a per-thread timeline of
 * executions, validations and aborts, the measured (with its spread) and projected speedups,
 * throughput, the hottest locations, failures by reason, and the fee quotes.
 */
export { createBlockReport, type CreateBlockReportParameters, type CreateBlockReportReturnType } from "./createBlockReport.js";
export { REPORT_FORMAT, buildBlockReportData, type BlockReportData, type BuildBlockReportDataParameters, type ReportTxTable } from "./reportData.js";
export { renderBlockReport } from "./renderReport.js";
export { layoutDag, type DagCell, type DagStack, type DagView, type LayoutDagParameters } from "./dagView.js";
export { layoutGantt, type GanttBar, type GanttLane, type GanttView, type LayoutGanttParameters } from "./ganttView.js";
export { summarizePrices, type CallPrice, type PriceBin, type PriceView, type PriceGroup, type SummarizePricesParameters } from "./priceView.js";
export { analyzeConflicts, VIA_FEE_RECIPIENT, type ConflictView, type ConflictViewParameters, type HotLocation, type NeighbourLists } from "./conflictView.js";
export { groupReverts, reasonPattern, type RevertGroup } from "./revertView.js";
export { measuredSpeedup, type MeasuredSpeedup, type RunTimings } from "./measuredSpeedup.js";
