/**
 * `prescient bench`: the speedup table. Every case runs sequentially and in each parallel mode at
 * one thread and at K threads, in this process, after a warm-up, as the median of --repeat runs;
 * every figure is a ratio measured in this run.
 */
import { UsageError } from "../usageError.js";
import { availableParallelism } from "node:os";
import type { CommandModule } from "yargs";
import { deployChain, type LoadedChain } from "../../executor/chain.js";
import { withAccountContract } from "../../state/genesis.js";
import { WORKLOADS, generateWorkload, mainnetTraceFiles, traceToWorkload, type Workload } from "../../workloads/index.js";
import { readAccessTrace } from "../../core/trace.js";
import { machineDescription } from "../../bench/measure.js";
import { measureSpeedups, type SpeedupRow } from "../../bench/parallel.js";
import { log, toJson } from "../output.js";
import { Progress } from "../progress.js";

interface BenchArgs {
  cases?: string[];
  txs: number;
  threads: number;
  repeat: number;
  quick: boolean;
  json: boolean;
}

interface BenchCase {
  readonly label: string;
  readonly group: string;
  readonly signatures: boolean;
  readonly make: () => Workload;
}

function cases(txs: number, quick: boolean): BenchCase[] {
  const gen = (name: keyof typeof WORKLOADS, options: { txs: number; accounts?: number; hotRatio?: number }) => () => generateWorkload(name, { seed: 1, ...options });
  const list: BenchCase[] = [
    { label: `transfers ${txs}`, group: "transfers", signatures: false, make: gen("transfers", { txs }) },
    { label: `erc20 ${txs} +sig`, group: "erc20", signatures: true, make: gen("erc20", { txs }) },
    { label: `erc20 ${txs}`, group: "erc20", signatures: false, make: gen("erc20", { txs }) },
  ];
  for (const n of quick ? [1000] : [1000, 10_000]) {
    for (const k of [2, 10, 100, 1000, 10_000]) list.push({ label: `p2p K=${k} ${n}`, group: "p2p", signatures: false, make: gen("p2p", { txs: n, accounts: k }) });
  }
  list.push({ label: `hot 30% ${txs}`, group: "hot", signatures: false, make: gen("hot", { txs, hotRatio: 0.3 }) });
  list.push({ label: `chain ${txs}`, group: "chain", signatures: false, make: gen("chain", { txs }) });
  list.push({ label: `defi ${txs} +sig`, group: "defi", signatures: true, make: gen("defi", { txs }) });
  let files: string[] = [];
  try {
    files = mainnetTraceFiles();
  } catch {
    log("mainnet access traces not found: skipping the mainnet cases");
  }
  if (quick) files = files.filter((_, i) => i % 6 === 0);
  for (const file of files) {
    const number = file.replace(/^.*\//, "").replace(/\.json$/, "");
    list.push({ label: `mainnet ${number}`, group: "mainnet", signatures: false, make: () => traceToWorkload(readAccessTrace(file)) });
  }
  return list;
}

function ratio(x: number): string {
  return `${x.toFixed(2)}×`;
}

export function speedupTable(rows: readonly SpeedupRow[], threads: number): string {
  const head = `| case | txs | projected ${threads}t | sequential ms | hybrid 1t | hybrid ${threads}t | columns 1t | columns ${threads}t | blockstm 1t | blockstm ${threads}t |`;
  const lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"];
  for (const r of rows) {
    const cell = (mode: string, t: number) => {
      const m = r.modes.find((x) => x.mode === mode && x.threads === t);
      if (m === undefined) return "–";
      return `${ratio(m.vsSequential)}${t > 1 ? ` (${ratio(m.vsOneThread)} vs 1t)` : ""}${m.inline && t > 1 ? " inline" : ""}`;
    };
    lines.push(`| ${r.label} | ${r.txs} | ${r.projected.toFixed(2)} | ${r.sequentialMs.toFixed(1)} | ${cell("hybrid", 1)} | ${cell("hybrid", threads)} | ${cell("columns", 1)} | ${cell("columns", threads)} | ${cell("blockstm", 1)} | ${cell("blockstm", threads)} |`);
  }
  return lines.join("\n");
}

/** Mainnet summary: hybrid at K threads against min(K, projected), averaged over the blocks. */
export function mainnetSummary(rows: readonly SpeedupRow[], threads: number): string | undefined {
  const mainnet = rows.filter((r) => r.label.startsWith("mainnet "));
  if (mainnet.length === 0) return undefined;
  let achieved = 0;
  let share = 0;
  for (const r of mainnet) {
    const m = r.modes.find((x) => x.mode === "hybrid" && x.threads === threads);
    const speedup = m?.vsSequential ?? 1;
    achieved += speedup;
    share += speedup / Math.min(threads, Math.max(1, r.projected));
  }
  return `mainnet (${mainnet.length} blocks): hybrid at ${threads} threads averages ${ratio(achieved / mainnet.length)} sequential, ${((100 * share) / mainnet.length).toFixed(0)}% of min(${threads}, projected)`;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: "bench",
  describe: "The speedup table: sequential against each parallel mode, measured in one run",
  builder: (y) =>
    y
      .option("cases", { type: "array", string: true, describe: "only cases whose label starts with one of these (e.g. erc20 p2p mainnet)" })
      .option("txs", { type: "number", default: 10_000, describe: "transactions per generated block (p2p uses 1k and 10k)" })
      .option("threads", { type: "number", default: Math.max(2, availableParallelism()), describe: "K: threads of the parallel runs" })
      .option("repeat", { type: "number", default: 5, describe: "measured runs per figure (median; after three warm-ups of every mode, interleaved)" })
      .option("quick", { type: "boolean", default: false, describe: "fewer cases (p2p at 1k only, one mainnet block in six)" })
      .option("json", { type: "boolean", default: false, describe: "print one JSON document" })
      .check((a) => {
        if (!Number.isInteger(a.txs) || a.txs < 1) throw new UsageError("--txs must be a positive integer");
        if (!Number.isInteger(a.repeat) || a.repeat < 1) throw new UsageError("--repeat must be a positive integer");
        if (!Number.isInteger(a.threads) || a.threads < 1 || a.threads > 64) throw new UsageError("--threads must be an integer in [1, 64]");
        return true;
      }) as never,
  handler: async (args) => {
    const selected = cases(args.txs, args.quick).filter((c) => args.cases === undefined || args.cases.some((prefix) => c.label.startsWith(prefix)));
    const rows: SpeedupRow[] = [];
    const progress = new Progress("bench", args.json);
    for (const [i, c] of selected.entries()) {
      progress.update(i, selected.length, `${c.label}: generating`);
      const w = c.make();
      const chain: LoadedChain = await deployChain(w.block, withAccountContract(w.genesis), process.cwd());
      const row = await measureSpeedups({
        label: c.label,
        chain,
        threads: args.threads,
        repeat: args.repeat,
        signatures: c.signatures,
        onStep: (step) => progress.update(i, selected.length, `${c.label}: ${step}`),
      });
      rows.push(row);
      if (!args.json && process.stderr.isTTY !== true) log(`${c.label}: sequential ${row.sequentialMs.toFixed(1)} ms; ${row.modes.map((m) => `${m.mode}@${m.threads} ${ratio(m.vsSequential)}`).join(", ")}`);
    }
    progress.done();
    const machine = machineDescription();
    if (args.json) {
      process.stdout.write(`${toJson({ machine, threads: args.threads, repeat: args.repeat, rows })}\n`);
      return;
    }
    const summary = mainnetSummary(rows, args.threads);
    process.stdout.write(`machine: ${machine}; K = ${args.threads}; median of ${args.repeat} interleaved runs after warm-ups\n\n${speedupTable(rows, args.threads)}\n${summary !== undefined ? `\n${summary}\n` : ""}`);
  },
};
