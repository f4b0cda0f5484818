/**
 * Runs a block in the sequential reference and in every parallel mode at several thread counts,
 * on executors made once per chain and reused block after block (each block starts from the
 * genesis state again), and says where a parallel result differs from the sequential one.
 */
import type { Block, EnforcementPolicy, ExecutionResult, Genesis } from "../core/types.js";
import { ContractRuntime } from "../contracts/runtime/runtime.js";
import { ParallelExecutor, type ParallelExecutionResult, type ParallelMode } from "../executor/parallel/parallelExecutor.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { comparable } from "./parallelFixture.js";

export const PARALLEL_MODES: readonly ParallelMode[] = ["hybrid", "columns", "blockstm"];

export interface ModeRun {
  readonly mode: ParallelMode;
  readonly threads: number;
  readonly result: ParallelExecutionResult;
}

export interface EveryModeResult {
  readonly sequential: ExecutionResult;
  readonly runs: readonly ModeRun[];
}

export interface RunOptions {
  readonly enforce?: EnforcementPolicy;
  readonly checkSignatures?: boolean;
}

type Executors = Map<number, { executor: ParallelExecutor; snapshot: ReturnType<ParallelExecutor["state"]["snapshotValues"]> }>;

const serialize = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

export class EveryMode {
  readonly genesis: Genesis;
  readonly runtime: ContractRuntime;
  readonly #executors: Executors;

  private constructor(genesis: Genesis, runtime: ContractRuntime, executors: Executors) {
    this.genesis = genesis;
    this.runtime = runtime;
    this.#executors = executors;
  }

  static async create(genesis: Genesis, baseDir: string, threads: readonly number[], capacity = 1 << 16): Promise<EveryMode> {
    const g = withAccountContract(genesis);
    const runtime = await ContractRuntime.create({ genesis: g, baseDir });
    const executors: Executors = new Map();
    for (const t of threads) {
      const executor = await ParallelExecutor.create({ genesis: g, baseDir, threads: t, capacity });
      executors.set(t, { executor, snapshot: executor.state.snapshotValues() });
    }
    return new EveryMode(g, runtime, executors);
  }

  get threadCounts(): number[] {
    return [...this.#executors.keys()];
  }

  executor(threads: number): ParallelExecutor {
    return this.#executors.get(threads)!.executor;
  }

  sequential(block: Block, options: RunOptions = {}): ExecutionResult {
    return executeBlockSequential({ block, state: stateFromGenesis(this.genesis), runtime: this.runtime, enforce: options.enforce ?? "fallback", checkSignatures: options.checkSignatures ?? true });
  }

  /** One parallel run from the genesis state; `inlineBelowSpeedup: 0` so hybrid always runs rounds on the workers. */
  async parallel(block: Block, mode: ParallelMode, threads: number, options: RunOptions = {}): Promise<ParallelExecutionResult> {
    const entry = this.#executors.get(threads)!;
    entry.executor.state.restoreValues(entry.snapshot);
    const checkSignatures = options.checkSignatures ?? true;
    const loaded = await entry.executor.load({ block, checkSignatures });
    return entry.executor.execute({ block: loaded, mode, enforce: options.enforce ?? "fallback", checkSignatures, events: true, inlineBelowSpeedup: 0 });
  }

  async run(block: Block, options: RunOptions = {}, modes: readonly ParallelMode[] = PARALLEL_MODES): Promise<EveryModeResult> {
    const sequential = this.sequential(block, options);
    const runs: ModeRun[] = [];
    for (const threads of this.#executors.keys()) {
      for (const mode of modes) runs.push({ mode, threads, result: await this.parallel(block, mode, threads, options) });
    }
    return { sequential, runs };
  }

  async close(): Promise<void> {
    for (const { executor } of this.#executors.values()) await executor.close();
  }
}

/** Every difference between each parallel run and the sequential result (empty when all agree). */
export function differences({ sequential, runs }: EveryModeResult): string[] {
  const out: string[] = [];
  const expected = serialize(comparable(sequential.receipts));
  for (const { mode, threads, result } of runs) {
    const where = `${mode} at ${threads} thread(s)`;
    if (result.workerFailure !== undefined) out.push(`${where}: worker failure ${result.workerFailure}`);
    if (result.stateRoot !== sequential.stateRoot) out.push(`${where}: state root ${result.stateRoot} ≠ ${sequential.stateRoot}`);
    if (serialize(comparable(result.receipts)) !== expected) {
      const first = result.receipts.findIndex((r, i) => serialize(comparable([r])) !== serialize(comparable([sequential.receipts[i]!])));
      out.push(`${where}: receipt ${first} differs: ${serialize(comparable([result.receipts[first]!]))} ≠ ${serialize(comparable([sequential.receipts[first]!]))}`);
    }
  }
  return out;
}
