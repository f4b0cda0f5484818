/**
 * The block report: a self-contained HTML page with the DAG as columns, a per-thread timeline of
 * executions, validations and aborts, the measured and projected speedups, and the fee quotes.
 */
export { createBlockReport, type CreateBlockReportParameters, type CreateBlockReportReturnType } from "./createBlockReport.js";
export { REPORT_FORMAT, buildBlockReportData, type BlockReportData, type BuildBlockReportDataParameters, type ReportTxTable } from "./reportData.js";
export { renderBlockReport } from "./renderReport.js";
export { layoutDag, type DagCell, type DagStack, type DagView, type LayoutDagParameters } from "./dagView.js";
export { layoutGantt, type GanttBar, type GanttLane, type GanttView, type LayoutGanttParameters } from "./ganttView.js";
export { summarizePrices, type CallPrice, type PriceBin, type PriceView, type PriceGroup, type SummarizePricesParameters } from "./priceView.js";
