/**
 * The concurrency stress run: random small blocks (workloads/randomBlocks.ts: reverts,
 * out-of-gas, hot keys, bad nonces, the sequencer sending and paid, declared lists that are exact,
 * missing, wildcard, empty, covering everything or lying, under every enforcement policy) through
 * every parallel mode at every thread count from 1 to 8, each compared with the sequential result:
 * the state root and every receipt must match. Executors are made once per thread count and
 * reused, block after block. Every `faultEvery`-th execution on worker threads has a worker exit
 * or throw mid-block; the result must still be the sequential one, and the next block must run on
 * the workers again.
 *
 *   node dist/bench/stress.js [--blocks N] [--seed S] [--threads 1,2,…,8] [--fault-every K] [--json]
 *
 * The test suite runs a CI-sized part of it (test/stress.test.ts).
 */
import { pathToFileURL } from "node:url";
import { packageRoot } from "../core/paths.js";
import type { ExecutionResult, Receipt } from "../core/types.js";
import { ContractRuntime } from "../contracts/runtime/runtime.js";
import { blockAccessSets } from "../executor/accessSets.js";
import { ParallelExecutor, type ParallelMode } from "../executor/parallel/parallelExecutor.js";
import type { FaultInjection } from "../executor/parallel/testHook.js";
import { prepareBlock } from "../executor/prepare.js";
import { executeBlockSequential } from "../executor/sequential.js";
import { stateFromGenesis, withAccountContract } from "../state/genesis.js";
import { randomBlock, randomChain } from "../workloads/randomBlocks.js";
import { Random } from "../workloads/random.js";

export interface StressParameters {
  readonly blocks: number;
  readonly seed?: string | number;
  /** Thread counts, each with an executor of its own (default 1…8). */
  readonly threads?: readonly number[];
  /** Inject a worker fault every this many executions on worker threads (0: never). */
  readonly faultEvery?: number;
  /** Transactions per block (default 1…24). */
  readonly txs?: readonly [min: number, max: number];
  /** Called after each block, for progress. */
  readonly onBlock?: (done: number) => void;
}

export interface StressReport {
  readonly blocks: number;
  readonly transactions: number;
  /** Parallel executions compared with the sequential result. */
  readonly executions: number;
  readonly byMode: Readonly<Record<string, number>>;
  readonly byThreads: Readonly<Record<string, number>>;
  /** Executions that recovered from a transaction leaving its scheduled set. */
  readonly recoveries: number;
  /** Faults injected, and how many of them a worker really hit (the rest ran on the calling thread). */
  readonly faultsInjected: number;
  readonly faultsHit: number;
  /** Blocks run on the workers right after a fault, without another failure. */
  readonly poolRecovered: number;
  readonly receipts: Readonly<Record<Receipt["status"], number>>;
  /** Every difference from the sequential result (empty: nothing lost, nothing different). */
  readonly mismatches: readonly string[];
  readonly elapsedMs: number;
}

/** The fields of a receipt every mode must reproduce. */
function receiptKey(r: Receipt): string {
  return JSON.stringify([r.index, r.status, r.gasUsed, r.fee.toString(), r.error ?? null, (r.events ?? []).map((e) => [e.contract, e.name, e.args.map(String)])]);
}

function compare(sequential: ExecutionResult, parallel: ExecutionResult, where: string): string[] {
  const out: string[] = [];
  if (parallel.stateRoot !== sequential.stateRoot) out.push(`${where}: state root ${parallel.stateRoot} ≠ ${sequential.stateRoot}`);
  if (parallel.receipts.length !== sequential.receipts.length) out.push(`${where}: ${parallel.receipts.length} receipts ≠ ${sequential.receipts.length}`);
  for (let i = 0; i < sequential.receipts.length; i++) {
    const a = receiptKey(sequential.receipts[i]!);
    const b = parallel.receipts[i] === undefined ? "missing" : receiptKey(parallel.receipts[i]!);
    if (a !== b) {
      out.push(`${where}: receipt ${i}: ${b} ≠ ${a}`);
      break;
    }
  }
  if (parallel.stats.violations !== sequential.stats.violations) out.push(`${where}: ${parallel.stats.violations} violations ≠ ${sequential.stats.violations}`);
  return out;
}

const MODES: readonly ParallelMode[] = ["hybrid", "columns", "blockstm"];

export async function runStress(parameters: StressParameters): Promise<StressReport> {
  const started = performance.now();
  const seed = parameters.seed ?? 1;
  const threadCounts = parameters.threads ?? [1, 2, 3, 4, 5, 6, 7, 8];
  const faultEvery = parameters.faultEvery ?? 0;
  const [minTxs, maxTxs] = parameters.txs ?? [1, 24];
  const chain = randomChain();
  const genesis = withAccountContract(chain.genesis);
  const baseDir = packageRoot();
  const runtime = await ContractRuntime.create({ genesis, baseDir });
  const executors = new Map<number, { executor: ParallelExecutor; snapshot: ReturnType<ParallelExecutor["state"]["snapshotValues"]> }>();
  for (const threads of threadCounts) {
    const executor = await ParallelExecutor.create({ genesis, baseDir, threads, capacity: 1 << 14 });
    executors.set(threads, { executor, snapshot: executor.state.snapshotValues() });
  }
  const random = new Random(`stress:${seed}`);
  const byMode: Record<string, number> = {};
  const byThreads: Record<string, number> = {};
  const receipts: Record<Receipt["status"], number> = { success: 0, revert: 0, "out-of-gas": 0, invalid: 0 };
  const mismatches: string[] = [];
  let executions = 0;
  let workerExecutions = 0;
  let recoveries = 0;
  let faultsInjected = 0;
  let faultsHit = 0;
  let poolRecovered = 0;
  let transactions = 0;
  const afterFault = new Set<number>();
  try {
    for (let b = 0; b < parameters.blocks; b++) {
      const { block, policy } = randomBlock(chain, `${seed}:${b}`, { min: minTxs, max: maxTxs });
      transactions += block.txs.length;
      // Signatures are checked in one block in four: verifying them dominates small blocks' time.
      const checkSignatures = random.int(4) === 0;
      const sequential = executeBlockSequential({ block, state: stateFromGenesis(genesis), runtime, enforce: policy, checkSignatures });
      for (const r of sequential.receipts) receipts[r.status]++;
      const prepared = prepareBlock(block, runtime);
      // Declared lists alone (no analyzer) make wrong lists leave their sets: the guard and rollback path.
      const declaredOnly = blockAccessSets(block, prepared, { checkSignatures });
      for (const [m, mode] of MODES.entries()) {
        const threads = threadCounts[(b + m) % threadCounts.length]!;
        const { executor, snapshot } = executors.get(threads)!;
        const sets = mode !== "blockstm" && random.int(2) === 0 ? declaredOnly : undefined;
        let fault: FaultInjection | undefined;
        if (threads > 1) {
          workerExecutions++;
          if (faultEvery > 0 && workerExecutions % faultEvery === 0 && block.txs.length > 0) {
            fault = { tx: random.int(block.txs.length), kind: random.int(2) === 0 ? "exit" : "throw" };
            faultsInjected++;
          }
        }
        const where = `block ${b} (seed ${seed}, ${block.txs.length} txs, ${policy}${checkSignatures ? "" : ", no signatures"}) ${mode} at ${threads} thread(s)${sets !== undefined ? " with declared lists only" : ""}${fault !== undefined ? ` with a worker ${fault.kind} at tx ${fault.tx}` : ""}`;
        executor.state.restoreValues(snapshot);
        let result;
        try {
          const loaded = await executor.load({ block, checkSignatures, ...(sets !== undefined ? { sets } : {}) });
          result = await executor.execute({ block: loaded, mode, enforce: policy, checkSignatures, events: true, inlineBelowSpeedup: 0, ...(fault !== undefined ? { testHook: { fault } } : {}) });
        } catch (error) {
          mismatches.push(`${where}: threw ${(error as Error)?.stack ?? String(error)}`);
          continue;
        }
        mismatches.push(...compare(sequential, result, where));
        if (result.workerFailure !== undefined) {
          if (fault === undefined) mismatches.push(`${where}: unexpected worker failure ${result.workerFailure}`);
          else {
            faultsHit++;
            afterFault.add(threads);
          }
        } else if (afterFault.has(threads) && !result.inline) {
          poolRecovered++;
          afterFault.delete(threads);
        }
        if (result.rounds > 1) recoveries++;
        executions++;
        byMode[mode] = (byMode[mode] ?? 0) + 1;
        byThreads[threads] = (byThreads[threads] ?? 0) + 1;
      }
      parameters.onBlock?.(b + 1);
    }
  } finally {
    for (const { executor } of executors.values()) await executor.close();
  }
  return { blocks: parameters.blocks, transactions, executions, byMode, byThreads, recoveries, faultsInjected, faultsHit, poolRecovered, receipts, mismatches, elapsedMs: performance.now() - started };
}

export function formatStressReport(r: StressReport): string {
  return [
    `${r.blocks} random blocks, ${r.transactions} transactions (${Object.entries(r.receipts).map(([k, v]) => `${v} ${k}`).join(", ")})`,
    `${r.executions} parallel executions compared with the sequential result: ${Object.entries(r.byMode).map(([k, v]) => `${v} ${k}`).join(", ")}; by threads ${Object.entries(r.byThreads).map(([k, v]) => `${k}t ${v}`).join(", ")}`,
    `${r.recoveries} recovered from a transaction leaving its scheduled set; ${r.faultsInjected} worker faults injected, ${r.faultsHit} hit a worker, the pool back on the workers ${r.poolRecovered} times`,
    r.mismatches.length === 0 ? "every state root and receipt identical to sequential" : `${r.mismatches.length} MISMATCHES:\n${r.mismatches.slice(0, 20).join("\n")}`,
    `${(r.elapsedMs / 1000).toFixed(1)} s`,
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string): string | undefined => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  const report = await runStress({
    blocks: Number(arg("--blocks") ?? 2000),
    seed: arg("--seed") ?? 1,
    ...(arg("--threads") !== undefined ? { threads: arg("--threads")!.split(",").map(Number) } : {}),
    faultEvery: Number(arg("--fault-every") ?? 50),
    onBlock: (done) => {
      if (process.stderr.isTTY && done % 50 === 0) process.stderr.write(`\r${done} blocks`);
    },
  });
  process.stdout.write(`${process.argv.includes("--json") ? JSON.stringify(report) : formatStressReport(report)}\n`);
  process.exitCode = report.mismatches.length === 0 ? 0 : 1;
}
