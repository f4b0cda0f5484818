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
