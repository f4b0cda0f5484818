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
 * `--generator protocol` draws blocks aimed at the protocol instead (workloads/protocolBlocks.ts:
 * a late violation at transaction 0 with rivals committing beside it and an early violation
 * after them, chains of dependent replays, the sequencer paying, paid and read, sets left short
 * at low indices), scheduled with their declared lists cut short as the block says.
 *
 *   node dist/bench/stress.js [--blocks N] [--seed S] [--threads 1,2,…,8] [--fault-every K] [--generator random|protocol] [--json]
 *
 * The test suite runs a CI-sized part of both (test/stress.test.ts).
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
import type { BlockAccessSets } from "../core/accessSet.js";
import type { Block, EnforcementPolicy } from "../core/types.js";
import type { PreparedTx } from "../executor/prepare.js";
import { protocolBlock, protocolSets } from "../workloads/protocolBlocks.js";
import { randomBlock, randomChain, type RandomChain } from "../workloads/randomBlocks.js";
import { Random } from "../workloads/random.js";

export interface StressParameters {
  readonly blocks: number;
  readonly seed?: string | number;
  /** Thread counts, each with an executor of its own (default 1…8). */
  readonly threads?: readonly number[];
  /** Inject a worker fault every this many executions on worker threads (0: never). */
  readonly faultEvery?: number;
  /** Transactions per block (default 1…24; 2…8 for protocol blocks). */
  readonly txs?: readonly [min: number, max: number];
  /** Random blocks (randomBlocks.ts, the default) or blocks aimed at the protocol (protocolBlocks.ts). */
  readonly generator?: "random" | "protocol";
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
  /** DAG executions that took more than one round, and the rounds they took in all. */
  readonly rounds: number;
  /** Block-STM: validations, and incarnations aborted (by a failed validation or a dependency), in all. */
  readonly stmValidations: number;
  readonly stmAborts: number;
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

/** A block of the run, what it runs under, and the sets a DAG mode schedules it with. */
interface StressBlock {
  readonly block: Block;
  readonly policy: EnforcementPolicy;
  readonly checkSignatures: boolean;
  readonly label: string;
  /** The sets of a DAG execution (undefined: the analyzer's); may draw from `random`. */
  readonly sets: (prepared: readonly PreparedTx[], random: Random) => BlockAccessSets | undefined;
}

function drawBlock(generator: "random" | "protocol", chain: RandomChain, seed: string, random: Random, [min, max]: readonly [number, number]): StressBlock {
  if (generator === "protocol") {
    const p = protocolBlock(chain, seed, { min, max });
    const label = `${p.aim}: ${p.kinds.join(", ")}; left out of the sets: ${p.undeclared.map((u) => `tx ${u.tx}${u.inList ? " (declared)" : ""}`).join(", ") || "nothing"}`;
    return { block: p.block, policy: p.policy, checkSignatures: p.checkSignatures, label, sets: (prepared) => protocolSets(blockAccessSets(p.block, prepared, { checkSignatures: p.checkSignatures }), p) };
  }
  const { block, policy } = randomBlock(chain, seed, { min, max });
  // Signatures are checked in one block in four: verifying them dominates small blocks' time.
  const checkSignatures = random.int(4) === 0;
  return {
    block,
    policy,
    checkSignatures,
    label: "random",
    // Half the DAG runs use declared lists alone (no analyzer): wrong lists leave their sets, the guard and rollback path.
    sets: (prepared, r) => (r.int(2) === 0 ? blockAccessSets(block, prepared, { checkSignatures }) : undefined),
  };
}

export async function runStress(parameters: StressParameters): Promise<StressReport> {
  const started = performance.now();
  const seed = parameters.seed ?? 1;
  const threadCounts = parameters.threads ?? [1, 2, 3, 4, 5, 6, 7, 8];
  const faultEvery = parameters.faultEvery ?? 0;
  const generator = parameters.generator ?? "random";
  const txs = parameters.txs ?? (generator === "protocol" ? [2, 8] : [1, 24]);
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
  let rounds = 0;
  let stmValidations = 0;
  let stmAborts = 0;
  let faultsInjected = 0;
  let faultsHit = 0;
  let poolRecovered = 0;
  let transactions = 0;
  const afterFault = new Set<number>();
  try {
    for (let b = 0; b < parameters.blocks; b++) {
      const drawn = drawBlock(generator, chain, `${seed}:${b}`, random, txs);
      const { block, policy, checkSignatures } = drawn;
      transactions += block.txs.length;
      const sequential = executeBlockSequential({ block, state: stateFromGenesis(genesis), runtime, enforce: policy, checkSignatures });
      for (const r of sequential.receipts) receipts[r.status]++;
      const prepared = prepareBlock(block, runtime);
      for (const [m, mode] of MODES.entries()) {
        const threads = threadCounts[(b + m) % threadCounts.length]!;
        const { executor, snapshot } = executors.get(threads)!;
        const sets = mode !== "blockstm" ? drawn.sets(prepared, random) : undefined;
        let fault: FaultInjection | undefined;
        if (threads > 1) {
          workerExecutions++;
          if (faultEvery > 0 && workerExecutions % faultEvery === 0 && block.txs.length > 0) {
            fault = { tx: random.int(block.txs.length), kind: random.int(2) === 0 ? "exit" : "throw" };
            faultsInjected++;
          }
        }
        const where = `block ${b} (seed ${seed}, ${generator} generator, ${block.txs.length} txs, ${drawn.label}, ${policy}${checkSignatures ? "" : ", no signatures"}) ${mode} at ${threads} thread(s)${sets !== undefined ? " with declared lists only" : ""}${fault !== undefined ? ` with a worker ${fault.kind} at tx ${fault.tx}` : ""}`;
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
        if (result.rounds > 1) {
          recoveries++;
          rounds += result.rounds;
        }
        if (mode === "blockstm" && result.workerFailure === undefined) {
          stmValidations += result.stats.validations;
          stmAborts += result.stats.aborts;
        }
        executions++;
        byMode[mode] = (byMode[mode] ?? 0) + 1;
        byThreads[threads] = (byThreads[threads] ?? 0) + 1;
      }
      parameters.onBlock?.(b + 1);
    }
  } finally {
    for (const { executor } of executors.values()) await executor.close();
  }
  return { blocks: parameters.blocks, transactions, executions, byMode, byThreads, recoveries, rounds, stmValidations, stmAborts, faultsInjected, faultsHit, poolRecovered, receipts, mismatches, elapsedMs: performance.now() - started };
}

function parseGenerator(name: string): "random" | "protocol" {
  if (name === "random" || name === "protocol") return name;
  process.stderr.write(`--generator must be random or protocol, got ${JSON.stringify(name)}\n`);
  process.exit(2);
}

export function formatStressReport(r: StressReport): string {
  return [
    `${r.blocks} blocks, ${r.transactions} transactions (${Object.entries(r.receipts).map(([k, v]) => `${v} ${k}`).join(", ")})`,
    `${r.executions} parallel executions compared with the sequential result: ${Object.entries(r.byMode).map(([k, v]) => `${v} ${k}`).join(", ")}; by threads ${Object.entries(r.byThreads).map(([k, v]) => `${k}t ${v}`).join(", ")}`,
    `${r.recoveries} recovered from a transaction leaving its scheduled set (${r.rounds} rounds in all); Block-STM ${r.stmValidations} validations, ${r.stmAborts} incarnations aborted; ${r.faultsInjected} worker faults injected, ${r.faultsHit} hit a worker, the pool back on the workers ${r.poolRecovered} times`,
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
    generator: parseGenerator(arg("--generator") ?? "random"),
    onBlock: (done) => {
      if (process.stderr.isTTY && done % 50 === 0) process.stderr.write(`\r${done} blocks`);
    },
  });
  process.stdout.write(`${process.argv.includes("--json") ? JSON.stringify(report) : formatStressReport(report)}\n`);
  process.exitCode = report.mismatches.length === 0 ? 0 : 1;
}
