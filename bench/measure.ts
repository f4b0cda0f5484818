/**
 * Measuring executors: every figure comes from runs in one process on one machine, repeated,
 * reported as a median; each run starts from a fresh copy of the same pre-state.
 */
import { cpus } from "node:os";
import type { ExecutionResult } from "../core/types.js";
import { WORKLOADS, generateWorkload, type WorkloadOptions } from "../workloads/index.js";
import { deployChain, type LoadedChain } from "../executor/chain.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { withAccountContract } from "../state/genesis.js";

export interface BenchCase {
  readonly workload: keyof typeof WORKLOADS;
  readonly options: WorkloadOptions;
  readonly label: string;
}

export interface BenchRow {
  readonly label: string;
  readonly txs: number;
  readonly mode: string;
  readonly signatures: boolean;
  readonly medianMs: number;
  readonly txPerSecond: number;
  readonly runsMs: readonly number[];
  readonly stateRoot: string;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function prepareCase(c: BenchCase): Promise<LoadedChain> {
  const w = generateWorkload(c.workload, c.options);
  return deployChain(w.block, withAccountContract(w.genesis), process.cwd());
}

/** Run the sequential executor `repeat` times on fresh copies of the pre-state. */
export function measureSequential(chain: LoadedChain, label: string, signatures: boolean, repeat: number): BenchRow {
  const runs: number[] = [];
  let result: ExecutionResult | undefined;
  for (let i = 0; i < repeat; i++) {
    const state = chain.state.clone();
    result = executeBlockSequential({ block: chain.block, state, runtime: chain.runtime, prepared: chain.prepared, checkSignatures: signatures });
    runs.push(result.stats.wallMs);
  }
  const medianMs = median(runs);
  return {
    label,
    txs: chain.block.txs.length,
    mode: "sequential",
    signatures,
    medianMs,
    txPerSecond: Math.round((chain.block.txs.length * 1000) / medianMs),
    runsMs: runs,
    stateRoot: result!.stateRoot,
  };
}

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}`;
}
