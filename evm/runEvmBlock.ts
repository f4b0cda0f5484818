/**
 * One call from block files to a verified result: load, prepare, pre-execute (predicted sets),
 * run, check against the header, digest the post-state. What `prescient evm run` prints.
 */
import { InputError } from "../core/errors.js";
import type { ExecutionMode } from "../core/types.js";
import { SharedState } from "../state/sharedState.js";
import { State } from "../state/state.js";
import { predictBlock } from "./predict/preExecute.js";
import { predictionAccuracy, type PredictionAccuracy } from "./predict/predictionAccuracy.js";
import { EvmRuntime, loadEvmBlock, type EvmBlockSource } from "./runtime/evmRuntime.js";
import type { StateView } from "./runtime/stateView.js";
import { runEvmBlockSequential, type EvmBlockRun } from "./sequential.js";
import { postStateDigest } from "./verify/postStateDigest.js";
import type { EvmReceipt } from "./verify/receipts.js";
import { verifyEvmBlock, type EvmBlockVerification } from "./verify/verifyBlock.js";

export interface RunEvmBlockParameters {
  readonly source: EvmBlockSource;
  readonly mode?: ExecutionMode;
  readonly threads?: number;
  /** Pre-execute every transaction for predicted sets and their accuracy (default true). */
  readonly predict?: boolean;
  /** The state the block runs on: a Map (default) or prescient's shared-memory state. */
  readonly state?: "map" | "shared";
}

export interface EvmRunStats {
  readonly mode: ExecutionMode;
  readonly threads: number;
  readonly wallMs: number;
  readonly executions: number;
  readonly aborts: number;
  /** Transactions whose predicted (or exact) set equals what they touched. */
  readonly predictedExact: number;
}

export interface EvmRunReport extends EvmBlockVerification {
  readonly number: bigint;
  readonly hardfork: string;
  readonly postStateDigest: string;
  readonly receipts: readonly EvmReceipt[];
  readonly stats: EvmRunStats;
  readonly prediction: (PredictionAccuracy & { readonly wallMs: number }) | undefined;
  readonly run: EvmBlockRun;
}

/** Until the executor's runtime seam lands, EVM blocks run in sequential mode only. */
export function checkEvmMode(mode: ExecutionMode): void {
  if (mode !== "sequential") {
    throw new InputError(`mode ${mode} is not available for EVM blocks yet: EVM blocks run sequentially until the parallel executor can run the EVM runtime (use --mode sequential)`, { field: "--mode" });
  }
}

export async function runEvmBlock(parameters: RunEvmBlockParameters): Promise<EvmRunReport> {
  const mode = parameters.mode ?? "sequential";
  checkEvmMode(mode);
  const loaded = await loadEvmBlock(parameters.source);
  const runtime = await EvmRuntime.create(loaded);
  const prepared = runtime.prepareBlock();
  const prediction = parameters.predict === false ? undefined : await predictBlock(runtime, prepared);
  const view: StateView = parameters.state === "shared" ? SharedState.fromEntries(runtime.initialEntries()) : new State(runtime.initialEntries());
  const run = await runEvmBlockSequential({ runtime, prepared, view });
  const verification = await verifyEvmBlock(runtime.block, run);
  const accuracy = prediction === undefined ? undefined : predictionAccuracy(prediction.txs, run.results);
  return {
    ...verification,
    number: runtime.block.number,
    hardfork: runtime.block.hardfork,
    postStateDigest: postStateDigest(view, run.written),
    receipts: run.receipts,
    stats: {
      mode,
      threads: 1,
      wallMs: run.wallMs,
      executions: prepared.length,
      aborts: 0,
      predictedExact: accuracy === undefined ? 0 : accuracy.predictedMatched + accuracy.exactEqual,
    },
    prediction: accuracy === undefined ? undefined : { ...accuracy, wallMs: prediction!.wallMs },
    run,
  };
}
