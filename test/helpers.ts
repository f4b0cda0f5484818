import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { deployChain, type LoadedChain } from "../executor/chain.js";
import { executeBlockSequential, type ExecuteBlockParameters } from "../executor/sequential.js";
import type { Genesis } from "../core/types.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import type { Workload } from "../workloads/builder.js";

export const ROOT = join(import.meta.dirname, "..");
export const CLI = join(ROOT, "bin", "prescient.js");

export async function chainOf(workload: Workload, baseDir = ROOT): Promise<LoadedChain> {
  return deployChain(workload.block, withAccountContract(workload.genesis), baseDir);
}

/** Run a workload sequentially on a fresh copy of its genesis state. */
export async function runWorkload(workload: Workload, options: Partial<ExecuteBlockParameters> = {}) {
  const chain = await chainOf(workload);
  const state = chain.state.clone();
  const result = executeBlockSequential({ block: chain.block, state, runtime: chain.runtime, prepared: chain.prepared, ...options });
  return { chain, state, result };
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function cli(args: readonly string[], input?: string): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", input, env: { ...process.env, FORCE_COLOR: "0" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A shared-state capacity with room for `genesis` and about `spare` more locations: both the
 * location count and the key arena (SharedState budgets 96 characters per location) are
 * nearly full, so a block that creates locations fills the state mid-block.
 */
export function capacityJustAbove(genesis: Genesis, spare: number): number {
  const state = stateFromGenesis(genesis);
  let chars = 0;
  for (const [location] of state.entries()) chars += location.length;
  return Math.max(state.size, Math.ceil(chars / 96)) + spare;
}
