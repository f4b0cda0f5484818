/**
 * The workloads of `prescient gen`, by name.
 */
import type { Workload, WorkloadOptions } from "./builder.js";
import { defi } from "./defi.js";
import { chain, erc20, hot, p2p, transfers } from "./simple.js";

export type { Workload, WorkloadOptions } from "./builder.js";
export { ADDRESSES } from "./builder.js";

export const WORKLOADS = { transfers, erc20, p2p, hot, chain, defi } as const satisfies Record<string, (options: WorkloadOptions) => Workload>;

export type WorkloadName = keyof typeof WORKLOADS | "mainnet";
export const WORKLOAD_NAMES: readonly WorkloadName[] = [...(Object.keys(WORKLOADS) as (keyof typeof WORKLOADS)[]), "mainnet"];

export { DEFAULT_MAINNET_BLOCK, mainnetTraceFile, mainnetTraceFiles, mainnetWorkload, traceToWorkload } from "./mainnet.js";

export function generateWorkload(name: keyof typeof WORKLOADS, options: WorkloadOptions): Workload {
  return WORKLOADS[name](options);
}

/** What `prescient gen` generates unless told otherwise. */
export const DEFAULT_GEN_TXS = 1000;
export const DEFAULT_GEN_SEED = "1";

/**
 * The embedded default chain (`prescient serve` without a genesis): the sample contracts as
 * `prescient demo` deploys them — two tokens, an AMM pool, an NFT market and their traders —
 * exactly the genesis `prescient gen defi` writes with its defaults, so the block it writes
 * beside it runs on this chain.
 */
export function defaultGenesis(): Workload["genesis"] {
  return generateWorkload("defi", { txs: DEFAULT_GEN_TXS, seed: DEFAULT_GEN_SEED }).genesis;
}
