/**
 * prescient's library API: the pipeline a sequencer calls — analyzer → scheduler → executor — on
 * an in-memory state. Importing it loads no HTTP server, no database and no thread pool; those
 * parts have entry points of their own, loaded only when imported (docs/library.md):
 *
 * - `prescient/chain`: a chain across blocks (a worker pool, state in memory or in LMDB)
 * - `prescient/executor`: the executors, the parallel one on worker threads among them
 * - `prescient/state`: the states: in memory, in shared memory, the LMDB state directory
 * - `prescient/service`: the HTTP service
 * - `prescient/report`: the block report
 * - `prescient/analyzer`: the analyzer in full: templates, the lint, formatting, caches
 * - `prescient/contract`: what contract modules import
 */
export type * from "./core/types.js";
export type { AccessClass, BlockAccessSets, FeeRecipientAccess, TxAccessSet } from "./core/accessSet.js";
export { BaseError, ContractLoadError, InputError } from "./core/errors.js";
export { covers, location } from "./core/location.js";
export { ACCOUNTS_ADDRESS, balanceLocation, keyLocation, nonceLocation } from "./core/protocol.js";
export { blockToJson, parseBlock, parseGenesis, parseTx, readJsonFile, txToJson } from "./core/schema.js";
export { txHash, txHashHex } from "./core/txHash.js";
export { ZERO_ADDRESS, isAddress } from "./core/value.js";
export { ACCESS_TRACE_FORMAT, accessSetsFromTrace, isAccessTraceDocument, parseAccessTrace, readAccessTrace, type AccessTrace, type AccessTraceTx } from "./core/trace.js";

export { ContractRuntime, SAMPLE_CONTRACTS, type DeployedContract } from "./contracts/runtime/runtime.js";
export type { ContractAbi, MethodAbi, ParamAbi, ParamType } from "./contracts/runtime/abi.js";
export { GAS } from "./contracts/sdk/gas.js";

export { State, stateRoot, type StateBase, type StateBaseSource, type StateChange, type StateStore } from "./state/state.js";
export { stateFromGenesis, stateToGenesisJson, withAccountContract } from "./state/genesis.js";

export {
  ANALYZER_VERSION,
  Instantiator,
  inferAccessSets,
  lintSource,
  loadTemplates,
  measurePrecision,
  traceAndMeasure,
  type AccessTemplate,
  type BlockAccessSetsDetail,
  type CallTemplate,
  type ContractTemplates,
  type FunctionTemplate,
  type InferAccessSetsParameters,
  type InstantiatorParameters,
  type LintFinding,
  type LintRule,
  type Miss,
  type PrecisionReport,
  type StorageField,
  type Sym,
  type TxAccessSetDetail,
} from "./analyzer/index.js";
export { BARRIER_LOCATION, analyzeBlockAccessSets, blockAccessSets, withBarriers, type AnalyzeBlockAccessSetsParameters } from "./executor/accessSets.js";

export * from "./scheduler/index.js";

export { prepareBlock, prepareTx, type PreparedTx } from "./executor/prepare.js";
export { executeBlockSequential, type ExecuteBlockParameters, type ExecuteBlockReturnType } from "./executor/sequential.js";
export type { ActivityEvent, ActivityKind, ActivityLane, ExecutionActivity } from "./executor/activity.js";

export { ADDRESSES, WORKLOADS, WORKLOAD_NAMES, generateWorkload, type Workload, type WorkloadName, type WorkloadOptions } from "./workloads/index.js";
export { DEFAULT_MAINNET_BLOCK, mainnetTraceFile, mainnetTraceFiles, mainnetWorkload, traceToWorkload } from "./workloads/index.js";
export { deriveKeyPair, keyPairForAddress, signTx, type KeyPair } from "./workloads/keys.js";
