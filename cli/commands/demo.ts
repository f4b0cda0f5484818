/**
 * `prescient demo`: the main job on an embedded default. A realistic DeFi block (swaps on a hot
 * pool, NFT purchases, transfers) is generated and deployed; its access sets are built and
 * scheduled; it is executed sequentially and in parallel; the report compares them.
 */
import { UsageError } from "../usageError.js";
import { availableParallelism } from "node:os";
import type { CommandModule } from "yargs";
import { analyzeBlockAccessSets } from "../../executor/accessSets.js";
import { deployChain } from "../../executor/chain.js";
import { ParallelExecutor } from "../../executor/parallel/parallelExecutor.js";
import { executeBlockSequential } from "../../executor/sequential.js";
import { scheduleBlock } from "../../scheduler/index.js";
import { withAccountContract } from "../../state/genesis.js";
import { SharedState } from "../../state/sharedState.js";
import { generateWorkload } from "../../workloads/index.js";
import { machineDescription, median } from "../../bench/measure.js";
import { resultToJson, summarizeReceipts, toJson } from "../output.js";

interface DemoArgs {
  txs: number;
  seed: string;
  threads: number;
  json: boolean;
}

function callMix(fns: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const fn of fns) counts.set(fn, (counts.get(fn) ?? 0) + 1);
  return Array.from(counts, ([fn, n]) => `${n} ${fn}`).join(", ");
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: "demo",
  describe: "Generate a realistic DeFi block, schedule it, run it sequentially and in parallel, report",
  builder: (y) =>
    y
      .option("txs", { type: "number", default: 2000, describe: "transactions in the block" })
      .option("seed", { type: "string", default: "1", describe: "workload seed" })
      .option("threads", { type: "number", default: Math.max(2, availableParallelism()), describe: "worker threads of the parallel run" })
      .option("json", { type: "boolean", default: false, describe: "print one JSON document" })
      .check((a) => {
        if (!Number.isInteger(a.txs) || a.txs < 1) throw new UsageError("--txs must be a positive integer");
        if (!Number.isInteger(a.threads) || a.threads < 1 || a.threads > 64) throw new UsageError("--threads must be an integer in [1, 64]");
        return true;
      }) as never,
  handler: async (args) => {
    const workload = generateWorkload("defi", { txs: args.txs, seed: args.seed });
    const genesis = withAccountContract(workload.genesis);
    const chain = await deployChain(workload.block, genesis, process.cwd());
    const sets = await analyzeBlockAccessSets({ block: chain.block, prepared: chain.prepared, runtime: chain.runtime, state: chain.state, checkSignatures: true });
    const schedule = scheduleBlock(sets, { threads: args.threads, baseFee: chain.block.baseFee });

    // Two warm-up runs, then the median of three: workers reach steady JIT code after a few runs.
    // The sequential reference runs on the same shared-memory state representation.
    const sequentialState = SharedState.fromEntries(chain.state.entries());
    const pre = sequentialState.snapshotValues();
    const sequentialRuns = [0, 1, 2, 3, 4].map(() => {
      sequentialState.restoreValues(pre);
      return executeBlockSequential({ block: chain.block, state: sequentialState, runtime: chain.runtime, prepared: chain.prepared, events: false });
    });
    const sequential = sequentialRuns[4]!;
    const executor = await ParallelExecutor.create({ genesis, baseDir: process.cwd(), threads: args.threads });
    const parallelMs: number[] = [];
    let parallel;
    try {
      const loaded = await executor.load({ block: chain.block, prepared: chain.prepared, sets });
      const snapshot = executor.state.snapshotValues();
      for (let i = 0; i < 5; i++) {
        executor.state.restoreValues(snapshot);
        parallel = await executor.execute({ block: loaded, mode: "hybrid" });
        if (i >= 2) parallelMs.push(parallel.stats.wallMs);
      }
    } finally {
      await executor.close();
    }
    parallel = parallel!;
    const sequentialMs = median(sequentialRuns.slice(2).map((r) => r.stats.wallMs));
    const parallelMedian = median(parallelMs);
    const same = parallel.stateRoot === sequential.stateRoot && parallel.receipts.every((r, i) => r.status === sequential.receipts[i]!.status && r.gasUsed === sequential.receipts[i]!.gasUsed);
    if (args.json) {
      process.stdout.write(
        `${toJson({ workload: "defi", txs: args.txs, seed: args.seed, schedule: { ...schedule.toJSON(), columns: undefined }, sequential: resultToJson(sequential, false), parallel: resultToJson(parallel, false), identical: same })}\n`,
      );
      return;
    }
    const counts = summarizeReceipts(sequential.receipts);
    const txs = chain.block.txs.length;
    const quotes = schedule.quote?.quotes ?? [];
    const byFn = new Map<string, number[]>();
    for (const q of quotes) {
      const fn = chain.block.txs[q.index]!.fn;
      let list = byFn.get(fn);
      if (list === undefined) byFn.set(fn, (list = []));
      list.push(q.multiplier);
    }
    const classes = new Map<string, number>();
    for (const s of sets.txs) classes.set(s.class, (classes.get(s.class) ?? 0) + 1);
    const speedups = Object.entries(schedule.projectedSpeedup).map(([k, v]) => `${k}t ${v.toFixed(2)}×`).join(", ");
    const lines = [
      `prescient demo — a DeFi block of ${txs} transactions (seed ${args.seed})`,
      `  calls: ${callMix(chain.block.txs.map((t) => t.fn))}`,
      "",
      "access sets (analyzer templates ∪ declared lists ∪ protocol accesses)",
      `  ${Array.from(classes, ([c, n]) => `${n} ${c}`).join(", ")}`,
      "",
      "schedule",
      `  conflict DAG: ${schedule.graph.edgeCount} edges over ${schedule.graph.locationCount} locations; ${schedule.layout.columnCount} columns`,
      `  critical path: ${schedule.criticalPath.length} txs by count, ${((100 * schedule.criticalPath.gas) / Math.max(1, schedule.totalGas)).toFixed(1)}% of the block's gas`,
      `  projected speedup: ${speedups}`,
      `  fee multipliers by call (median): ${Array.from(byFn, ([fn, m]) => `${fn} ${median(m).toFixed(2)}`).join(", ")}`,
      "",
      "execution",
      `  ${counts.success} success, ${counts.revert} revert, ${counts["out-of-gas"]} out-of-gas, ${counts.invalid} invalid (signatures verified)`,
      `  sequential:            ${sequentialMs.toFixed(1)} ms  (${Math.round((txs * 1000) / sequentialMs)} tx/s; median of 3 after 2 warm-ups)`,
      `  hybrid, ${args.threads} threads:     ${parallelMedian.toFixed(1)} ms  (${(sequentialMs / parallelMedian).toFixed(2)}× sequential${parallel.inline ? ", ran inline" : ""})`,
      `  state root ${sequential.stateRoot}`,
      `  parallel result identical to sequential: ${same ? "yes" : "NO"}`,
      "",
      `machine: ${machineDescription()}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    if (!same) process.exitCode = 1;
  },
};
