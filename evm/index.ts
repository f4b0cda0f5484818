/**
 * `prescient/evm`: Ethereum blocks on @ethereumjs/vm — read and checked, run against a prescient
 * state view, verified against their headers, pre-executed for predicted access sets — and the
 * plain @ethereumjs/vm peer (docs/evm.md).
 */
export { EvmRuntime, createEvmRuntime, loadEvmBlock, type EvmBlockSource, type EvmLog, type EvmTxResult, type LoadedEvmBlock, type PreparedEvmTx, type RunEvmTxOptions } from "./runtime/evmRuntime.js";
export type { StateView } from "./runtime/stateView.js";
export { checkEvmMode, runEvmBlock, type EvmRunReport, type EvmRunStats, type RunEvmBlockParameters } from "./runEvmBlock.js";
export { runEvmBlockSequential, type EvmBlockRun } from "./sequential.js";
export { predictBlock, type BlockPrediction, type TxPrediction } from "./predict/preExecute.js";
export { predictionAccuracy, type PredictionAccuracy } from "./predict/predictionAccuracy.js";
export { verifyEvmBlock, type EvmBlockVerification } from "./verify/verifyBlock.js";
export { postStateDigest } from "./verify/postStateDigest.js";
export { receiptsRoot, type EvmReceipt } from "./verify/receipts.js";
export { parseEvmBlockJson, readBlockFile, type EvmBlock } from "./input/blockFile.js";
export { parsePreState, readPreStateFile } from "./input/preStateFile.js";
export { parseBlockHashes, readBlockHashesFile, type BlockHashes } from "./input/blockHashesFile.js";
export { mainnetBlockNumbers, mainnetBlockSource, mainnetBlocksDir } from "./input/mainnetBlocks.js";
export { PreState, type PreAccount } from "./state/preState.js";
export { parseLocation as parseEvmLocation, type ParsedLocation as ParsedEvmLocation } from "./state/locations.js";
export { SnapshotMissError } from "./errors.js";
export { PEER_STATE_MANAGERS, createPeerBlock, type PeerBlock, type PeerStateManager } from "./peer/ethereumjsPeer.js";
