/**
 * Interleaving exploration: runs a block many times, each under a different order of the
 * protocol's synchronization points (the turnstile of executor/parallel/turnstile.ts decides
 * every step), and compares each result with the sequential one. Orders are enumerated
 * exhaustively (depth first over the turnstile's choices, as a stateless model checker does) or
 * drawn at random from a printed seed; either way a failing order is named by its choices or its
 * seed, and replaying them gives the same run.
 */
import type { BlockAccessSets } from "../../core/accessSet.js";
import type { Block, EnforcementPolicy, ExecutionResult, Genesis } from "../../core/types.js";
import { ContractRuntime } from "../../contracts/runtime/runtime.js";
import { ParallelExecutor, type LoadedParallelBlock, type ParallelExecutionResult, type ParallelMode } from "../../executor/parallel/parallelExecutor.js";
import { SYNC_NAMES, type FaultInjection } from "../../executor/parallel/testHook.js";
import { Turnstile, formatTrace, type TurnstileSchedule, type TurnstileStep } from "../../executor/parallel/turnstile.js";
import { prepareBlock, type PreparedTx } from "../../executor/prepare.js";
import { executeBlockSequential } from "../../executor/sequential.js";
import { stateFromGenesis, withAccountContract } from "../../state/genesis.js";
import { Random } from "../../workloads/random.js";
import { comparable } from "../parallelFixture.js";

export interface ExploreTarget {
  readonly label: string;
  readonly block: Block;
  readonly policy: EnforcementPolicy;
  readonly checkSignatures: boolean;
  /** The sets to schedule with, from the block's prepared transactions (default: the analyzer's). */
  readonly sets?: (prepared: readonly PreparedTx[]) => BlockAccessSets;
}

export interface ExploreOptions {
  readonly modes: readonly ParallelMode[];
  readonly threads: readonly number[];
  /** Orders per block, mode and thread count: the enumeration stops here if not exhausted before. */
  readonly orders: number;
  /**
   * `exhaustive`: depth first over every order with at most `preemptions` preemptions (a thread
   * that could go on made to wait; CHESS's bound: most concurrency bugs need one or two);
   * `random`: a random thread at every decision; `pct`: PCT at `depth` (turnstile.ts),
   * alternating with random walks one order in four.
   */
  readonly strategy: "exhaustive" | "random" | "pct";
  /** PCT's depth (default 3). */
  readonly depth?: number;
  /** The enumeration's preemption bound (default 2). */
  readonly preemptions?: number;
  /** Seeds the random orders and the faults. */
  readonly seed: number;
  /** Every this-many-th order (on worker threads) has a worker throw or exit mid-block; 0 never. */
  readonly faultEvery?: number;
}

export interface ExploreReport {
  /** Orders run, and of them how many ran with a worker fault. */
  orders: number;
  faults: number;
  /** Block × mode × threads whose order tree the enumeration exhausted. */
  exhausted: number;
  trees: number;
  /** Every synchronization point the orders stopped at, with how often. */
  readonly points: Map<string, number>;
  /** Decisions with more than one thread to choose from. */
  choices: number;
  readonly failures: string[];
}

export function emptyReport(): ExploreReport {
  return { orders: 0, faults: 0, exhausted: 0, trees: 0, points: new Map(), choices: 0, failures: [] };
}

const serialize = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

type Executors = Map<number, { executor: ParallelExecutor; snapshot: ReturnType<ParallelExecutor["state"]["snapshotValues"]> }>;

/** Executors (one per thread count) on one chain, and the turnstile they share. */
export class Explorer {
  readonly genesis: Genesis;
  readonly #runtime: ContractRuntime;
  readonly #executors: Executors;
  readonly turnstile = new Turnstile();

  private constructor(genesis: Genesis, runtime: ContractRuntime, executors: Executors) {
    this.genesis = genesis;
    this.#runtime = runtime;
    this.#executors = executors;
  }

  static async create(genesis: Genesis, baseDir: string, threads: readonly number[]): Promise<Explorer> {
    const g = withAccountContract(genesis);
    const runtime = await ContractRuntime.create({ genesis: g, baseDir });
    const executors: Executors = new Map();
    for (const t of threads) {
      const executor = await ParallelExecutor.create({ genesis: g, baseDir, threads: t, capacity: 1 << 12 });
      executors.set(t, { executor, snapshot: executor.state.snapshotValues() });
    }
    return new Explorer(g, runtime, executors);
  }

  async close(): Promise<void> {
    for (const { executor } of this.#executors.values()) await executor.close();
  }

  sequential(target: ExploreTarget): ExecutionResult {
    return executeBlockSequential({ block: target.block, state: stateFromGenesis(this.genesis), runtime: this.#runtime, enforce: target.policy, checkSignatures: target.checkSignatures });
  }

  async load(target: ExploreTarget, threads: number): Promise<LoadedParallelBlock> {
    const { executor } = this.#executors.get(threads)!;
    const prepared = prepareBlock(target.block, executor.runtime);
    const sets = target.sets?.(prepared);
    return executor.load({ block: target.block, prepared, checkSignatures: target.checkSignatures, ...(sets !== undefined ? { sets } : {}) });
  }

  /** One run of `loaded` under `schedule` (and `fault`), from the genesis state. */
  async run(target: ExploreTarget, loaded: LoadedParallelBlock, mode: ParallelMode, threads: number, schedule: TurnstileSchedule | undefined, fault?: FaultInjection): Promise<{ result: ParallelExecutionResult; trace: TurnstileStep[]; failure: string }> {
    const { executor, snapshot } = this.#executors.get(threads)!;
    executor.state.restoreValues(snapshot);
    if (schedule !== undefined) this.turnstile.reset(schedule);
    const result = await executor.execute({
      block: loaded,
      mode,
      enforce: target.policy,
      events: true,
      inlineBelowSpeedup: 0,
      ...(schedule !== undefined || fault !== undefined ? { testHook: { ...(schedule !== undefined ? { turnstile: this.turnstile } : {}), ...(fault !== undefined ? { fault } : {}) } } : {}),
    });
    if (schedule === undefined) return { result, trace: [], failure: "none" };
    return { result, trace: this.turnstile.trace(), failure: this.turnstile.failure() };
  }

  #schedule(options: ExploreOptions, k: number, seed: number, prefix: readonly number[], steps: number): TurnstileSchedule {
    if (options.strategy === "exhaustive") return { prefix, rest: "stay" };
    if (options.strategy === "random" || k % 4 === 3) return { rest: "random", seed };
    return { rest: "pct", seed, depth: options.depth ?? 3, steps };
  }

  /** Explore `target` under `options`, adding what happened to `report`. */
  async explore(target: ExploreTarget, options: ExploreOptions, report: ExploreReport): Promise<void> {
    const sequential = this.sequential(target);
    const expected = serialize(comparable(sequential.receipts));
    const random = new Random(`explore:${options.seed}:${target.label}`);
    for (const threads of options.threads) {
      const loaded = await this.load(target, threads);
      for (const mode of options.modes) {
        report.trees++;
        let prefix: number[] = [];
        let steps = 20;
        for (let k = 0; k < options.orders; k++) {
          const seed = 1 + random.int(0x7fff_fffe);
          const schedule = this.#schedule(options, k, seed, prefix, steps);
          const faultEvery = options.faultEvery ?? 0;
          const fault: FaultInjection | undefined =
            threads > 1 && faultEvery > 0 && random.int(faultEvery) === 0 ? { tx: random.int(target.block.txs.length), kind: random.int(2) === 0 ? "throw" : "exit" } : undefined;
          const { result, trace, failure } = await this.run(target, loaded, mode, threads, schedule, fault);
          // PCT draws its change points from a run's expected length: the longest run seen so far.
          steps = Math.max(steps, trace.length);
          report.orders++;
          if (fault !== undefined) report.faults++;
          for (const step of trace) {
            const name = SYNC_NAMES[step.point]!;
            report.points.set(name, (report.points.get(name) ?? 0) + 1);
            if (step.candidates > 1) report.choices++;
          }
          const where = `${target.label}, ${mode} at ${threads} threads, schedule ${serialize(schedule)}${fault !== undefined ? `, a worker ${fault.kind} at tx ${fault.tx}` : ""}`;
          const problems: string[] = [];
          // A run the turnstile gave up on (a stall, a deadlock) is a failure, except after an
          // injected death, where the abort comes from outside the schedule.
          if (failure !== "none" && !(fault !== undefined && failure === "released")) problems.push(`turnstile ${failure}`);
          if (result.workerFailure !== undefined && fault === undefined) problems.push(`worker failure ${result.workerFailure}`);
          if (result.stateRoot !== sequential.stateRoot) problems.push(`state root ${result.stateRoot} ≠ ${sequential.stateRoot}`);
          if (serialize(comparable(result.receipts)) !== expected) problems.push(`receipts ${serialize(comparable(result.receipts))} ≠ ${expected}`);
          if (result.stats.violations !== sequential.stats.violations) problems.push(`${result.stats.violations} violations ≠ ${sequential.stats.violations}`);
          if (problems.length > 0) report.failures.push(`${where}: ${problems.join("; ")}\n${formatTrace(trace.slice(0, 400), SYNC_NAMES)}`);
          if (options.strategy === "exhaustive") {
            const next = nextPrefix(trace, options.preemptions ?? 2);
            if (next === undefined) {
              report.exhausted++;
              break;
            }
            prefix = next;
          }
        }
      }
    }
  }
}

/**
 * The next order of a depth-first enumeration after the one that made `trace`, among the orders
 * with at most `bound` preemptions: the deepest decision with an untried candidate within the
 * bound takes it, the decisions before it are replayed, and every later one lets the thread that
 * ran last go on (the turnstile's `stay`). At each decision the candidates are tried in that
 * order: the thread that ran last first, then the others by slot. Undefined when none is left.
 */
export function nextPrefix(trace: readonly TurnstileStep[], bound: number): number[] | undefined {
  const preemptions: number[] = [];
  let count = 0;
  for (const step of trace) {
    preemptions.push(count);
    if (step.stay >= 0 && step.choice !== step.stay) count++;
  }
  for (let i = trace.length - 1; i >= 0; i--) {
    const step = trace[i]!;
    const first = step.stay >= 0 ? step.stay : 0;
    const order = [first, ...Array.from({ length: step.candidates }, (_, c) => c).filter((c) => c !== first)];
    for (let q = order.indexOf(step.choice) + 1; q < order.length; q++) {
      const preempts = step.stay >= 0 && order[q] !== step.stay;
      if (preemptions[i]! + (preempts ? 1 : 0) <= bound) return [...trace.slice(0, i).map((s) => s.choice), order[q]!];
    }
  }
  return undefined;
}
