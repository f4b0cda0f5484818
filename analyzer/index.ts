/**
 * The analyzer: access templates per contract function, access sets per transaction.
 */
export { ANALYZER_VERSION, CLASSES, formatAccess, formatCall, formatSym, type AccessTemplate, type CallTemplate, type ContractTemplates, type FunctionTemplate, type StorageField, type Sym } from "./template.js";
export { deriveTemplates } from "./derive.js";
export { lintSource, lintOrThrow, formatFinding, type LintFinding, type LintRule } from "./lint.js";
export { gasTransformer } from "./instrument.js";
export { analyzeSource, loadTemplates, contractFiles, clearTemplateMemoryCache, templatesHash } from "./load.js";
export { Instantiator, compileTemplates, type InstantiatorParameters, type TxAccessSetDetail, type BlockAccessSetsDetail } from "./instantiate.js";
export { inferAccessSets, measurePrecision, templatesForRuntime, traceAndMeasure, type InferAccessSetsParameters, type Miss, type PrecisionReport } from "./analyze.js";
