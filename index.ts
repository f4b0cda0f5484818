/**
 * prescient's library API. Data flows analyzer → scheduler → executor; everything a sequencer
 * pipeline calls is exported here.
 */
export type * from "./core/types.js";
export type { AccessClass, BlockAccessSets, FeeRecipientAccess, TxAccessSet } from "./core/accessSet.js";
export { BaseError, ContractLoadError, InputError } from "./core/errors.js";
export { LocationMatcher, covers, location } from "./core/location.js";
export { ACCOUNTS_ADDRESS, balanceLocation, keyLocation, nonceLocation } from "./core/protocol.js";
export { blockToJson, parseBlock, parseGenesis, parseTx, readJsonFile, txToJson } from "./core/schema.js";
export { txHash, txHashHex } from "./core/txHash.js";
export { ZERO_ADDRESS, isAddress } from "./core/value.js";

export { ContractRuntime, SAMPLE_CONTRACTS, type DeployedContract } from "./contracts/runtime/runtime.js";
export type { ContractAbi, MethodAbi, ParamAbi, ParamType } from "./contracts/runtime/abi.js";
export { GAS } from "./contracts/sdk/gas.js";

export { State, stateRoot, type StateChange } from "./state/state.js";
export { stateFromGenesis, stateToGenesisJson, withAccountContract } from "./state/genesis.js";

export { prepareBlock, prepareTx, type PreparedTx } from "./executor/prepare.js";
export { executeBlockSequential, type ExecuteBlockParameters, type ExecuteBlockReturnType } from "./executor/sequential.js";

export { WORKLOADS, WORKLOAD_NAMES, ADDRESSES, generateWorkload, type Workload, type WorkloadName, type WorkloadOptions } from "./workloads/index.js";
export { deriveKeyPair, keyPairForAddress, signTx, type KeyPair } from "./workloads/keys.js";

export {
  ANALYZER_VERSION,
  Instantiator,
  analyzeSource,
  clearTemplateMemoryCache,
  compileTemplates,
  contractFiles,
  deriveTemplates,
  formatAccess,
  formatCall,
  formatFinding,
  formatSym,
  gasTransformer,
  inferAccessSets,
  lintSource,
  loadTemplates,
  measurePrecision,
  templatesForRuntime,
  templatesHash,
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

export { SharedState, type SharedStateBuffers, type CreateSharedStateParameters, type ValuesSnapshot } from "./state/sharedState.js";
export type { StateBase, StateBaseSource, StateStore } from "./state/state.js";
export { HeadMovedError, STATE_FORMAT, StateDb, type ChainHead, type ChainRecord, type CommitParameters, type InitializeStateDbParameters, type StoredContract } from "./state/stateDb.js";
export { Chain, type CommitBlockParameters, type CommitBlockReturnType, type OpenChainParameters } from "./chain/chain.js";
export { analyzeBlockAccessSets, blockAccessSets, withBarriers, BARRIER_LOCATION, type AnalyzeBlockAccessSetsParameters } from "./executor/accessSets.js";
export { deployChain, loadChain, type LoadedChain } from "./executor/chain.js";
export {
  ParallelExecutor,
  type CreateParallelExecutorParameters,
  type ExecuteParallelParameters,
  type LoadParallelBlockParameters,
  type LoadedParallelBlock,
  type ParallelExecutionResult,
  type ParallelMode,
  type TimelineEntry,
} from "./executor/parallel/parallelExecutor.js";

export * from "./scheduler/index.js";
export { ACCESS_TRACE_FORMAT, accessSetsFromTrace, isAccessTraceDocument, parseAccessTrace, readAccessTrace, type AccessTrace, type AccessTraceTx } from "./core/trace.js";
export { DEFAULT_MAINNET_BLOCK, mainnetTraceFile, mainnetTraceFiles, mainnetWorkload, traceToWorkload } from "./workloads/index.js";

export type { ActivityEvent, ActivityKind, ActivityLane, ExecutionActivity } from "./executor/activity.js";
export * from "./report/index.js";
export { createService, DEFAULT_BODY_LIMIT, type CreateServiceParameters, type CreateServiceReturnType } from "./service/createService.js";
export type { ServiceChain } from "./service/chain.js";
export { LOG_LEVELS, type LogLevel, type ServiceLogOptions } from "./service/logging.js";
