/**
 * `prescient bench`: the speedup table. Every case runs sequentially and in each parallel mode at
 * one thread and at K threads, in this process, after a warm-up, as the median of --repeat runs;
 * every figure is a ratio measured in this run. With --processes N, the whole selection runs in N
 * fresh processes one after another and every figure is the median over them.
 */
import { spawn } from "node:child_process";
import { UsageError } from "../usageError.js";
import { availableParallelism } from "node:os";
import type { CommandModule } from "yargs";
import { deployChain, type LoadedChain } from "../../executor/chain.js";
import { withAccountContract } from "../../state/genesis.js";
import { WORKLOADS, generateWorkload, mainnetTraceFiles, traceToWorkload, type Workload } from "../../workloads/index.js";
import { readAccessTrace } from "../../core/trace.js";
import { machineDescription } from "../../bench/measure.js";
import { measureThreadCeiling } from "../../bench/threadCeiling.js";
import { measureSpeedups, type SpeedupRow } from "../../bench/parallel.js";
import type { ParallelMode } from "../../executor/parallel/parallelExecutor.js";
import { mergeBenchRuns, type BenchRun, type MergedModeMeasurement, type MergedSpeedupRow, type ThreadCeilingRange } from "../../bench/mergeProcesses.js";
import { log, toJson } from "../output.js";
import { Progress } from "../progress.js";

interface BenchArgs {
  cases?: string[];
  txs: number;
  threads: number;
  repeat: number;
  quick: boolean;
  json: boolean;
  processes: number;
  modes?: ParallelMode[];
}

export interface BenchCase {
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
    const number = file.replace(/^.*\//, "").replace(/\.json(\.gz)?$/, "");
    list.push({ label: `mainnet ${number}`, group: "mainnet", signatures: false, make: () => traceToWorkload(readAccessTrace(file)) });
  }
  return list;
}

/**
 * The cases `--cases` selects: those whose label starts with one of its names. A name that selects
 * nothing is a usage error naming the cases, never an empty table.
 */
export function selectCases(all: readonly BenchCase[], names: readonly string[] | undefined): BenchCase[] {
  if (names === undefined) return [...all];
  const unknown = names.filter((name) => !all.some((c) => c.label.startsWith(name)));
  if (unknown.length > 0) {
    const groups = [...new Set(all.map((c) => c.group))];
    throw new UsageError(
      `--cases: no case starts with ${unknown.map((n) => JSON.stringify(n)).join(", ")}; the cases are ${groups.join(", ")} (a longer start of a label selects fewer, e.g. "p2p K=10" or "${all.at(-1)!.label}")`,
    );
  }
  return all.filter((c) => names.some((prefix) => c.label.startsWith(prefix)));
}

function ratio(x: number): string {
  return `${x.toFixed(2)}×`;
}

export function speedupTable(rows: readonly (SpeedupRow | MergedSpeedupRow)[], threads: number): string {
  const head = `| case | txs | projected ${threads}t | sequential ms | hybrid 1t | hybrid ${threads}t | columns 1t | columns ${threads}t | blockstm 1t | blockstm ${threads}t |`;
  const lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"];
  for (const r of rows) {
    const cell = (mode: string, t: number) => {
      const m = r.modes.find((x) => x.mode === mode && x.threads === t);
      if (m === undefined) return "–";
      const range = (m as MergedModeMeasurement).spread;
      const spread = range !== undefined && t > 1 ? ` [${range.min.toFixed(2)}–${range.max.toFixed(2)}]` : "";
      return `${ratio(m.vsSequential)}${spread}${t > 1 ? ` (${ratio(m.vsOneThread)} vs 1t)` : ""}${m.inline && t > 1 ? " inline" : ""}`;
    };
    lines.push(`| ${r.label} | ${r.txs} | ${r.projected.toFixed(2)} | ${r.sequentialMs.toFixed(1)} | ${cell("hybrid", 1)} | ${cell("hybrid", threads)} | ${cell("columns", 1)} | ${cell("columns", threads)} | ${cell("blockstm", 1)} | ${cell("blockstm", threads)} |`);
  }
  return lines.join("\n");
}

/**
 * Mainnet summary: hybrid at K threads against min(K, projected), averaged over the blocks. With
 * the machine's measured ceiling for K threads (pure integer work, no shared memory), also against
 * min(ceiling, projected): a block projected at 2× cannot run faster than the machine's two threads
 * run two loops that share nothing, and on a VM whose two vCPUs give 1.7× that bound is what says
 * how much of the hardware the executor uses.
 */
export function mainnetSummary(rows: readonly SpeedupRow[], threads: number, ceiling?: number): string | undefined {
  const mainnet = rows.filter((r) => r.label.startsWith("mainnet "));
  if (mainnet.length === 0) return undefined;
  let achieved = 0;
  let share = 0;
  let ceilingShare = 0;
  for (const r of mainnet) {
    const m = r.modes.find((x) => x.mode === "hybrid" && x.threads === threads);
    const speedup = m?.vsSequential ?? 1;
    const projected = Math.max(1, r.projected);
    achieved += speedup;
    share += speedup / Math.min(threads, projected);
    if (ceiling !== undefined) ceilingShare += speedup / Math.max(1, Math.min(ceiling, projected));
  }
  const percent = (x: number): string => `${((100 * x) / mainnet.length).toFixed(1)}%`;
  const againstCeiling = ceiling !== undefined ? `, ${percent(ceilingShare)} of min(ceiling ${ratio(ceiling)}, projected)` : "";
  return `mainnet (${mainnet.length} blocks): hybrid at ${threads} threads averages ${ratio(achieved / mainnet.length)} sequential, ${percent(share)} of min(${threads}, projected)${againstCeiling}`;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: "bench",
  describe: "The speedup table: sequential against each parallel mode, measured in one run",
  builder: (y) =>
    y
      .option("cases", { type: "array", string: true, describe: "only cases whose label starts with one of these (e.g. erc20 p2p mainnet)" })
      .option("txs", { type: "number", default: 10_000, describe: "transactions per generated block (p2p uses 1k and 10k)" })
      .option("threads", { type: "number", default: Math.max(2, availableParallelism()), describe: "K: threads of the parallel runs" })
      .option("repeat", { type: "number", default: 5, describe: "measured runs per figure (median; interleaved, after warm-ups of every mode worth at least 15,000 transactions, at most 100 runs)" })
      .option("modes", {
        type: "array",
        string: true,
        choices: ["hybrid", "columns", "blockstm"],
        describe: "only these parallel modes (default all three): a sequencer runs one, and another mode's runs in the same process shape its heap and caches",
      })
      .option("processes", { type: "number", default: 1, describe: "N: run the cases in N fresh processes, one after another; every figure is the median over them, with its range" })
      .option("quick", { type: "boolean", default: false, describe: "fewer cases (p2p at 1k only, one mainnet block in six)" })
      .option("json", { type: "boolean", default: false, describe: "print one JSON document" })
      .check((a) => {
        if (!Number.isInteger(a.txs) || a.txs < 1) throw new UsageError("--txs must be a positive integer");
        if (!Number.isInteger(a.repeat) || a.repeat < 1) throw new UsageError("--repeat must be a positive integer");
        if (!Number.isInteger(a.threads) || a.threads < 1 || a.threads > 64) throw new UsageError("--threads must be an integer in [1, 64]");
        if (!Number.isInteger(a.processes) || a.processes < 1 || a.processes > 99) throw new UsageError("--processes must be an integer in [1, 99]");
        return true;
      }) as never,
  handler: async (args) => {
    // Checked here, before any process starts or any case is measured.
    const selected = selectCases(cases(args.txs, args.quick), args.cases);
    if (args.processes > 1) return benchInProcesses(args);
    const rows: SpeedupRow[] = [];
    const progress = new Progress("bench", args.json);
    // The machine's own ceiling for K threads, before and after the cases (load may change).
    const ceiling = async (): Promise<number | undefined> => (args.threads >= 2 ? measureThreadCeiling({ threads: args.threads }) : undefined);
    progress.update(0, selected.length, "machine ceiling");
    const ceilingBefore = await ceiling();
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
        ...(args.modes !== undefined ? { modes: args.modes } : {}),
        onStep: (step) => progress.update(i, selected.length, `${c.label}: ${step}`),
      });
      rows.push(row);
      if (!args.json && !progress.enabled) log(`${c.label}: sequential ${row.sequentialMs.toFixed(1)} ms; ${row.modes.map((m) => `${m.mode}@${m.threads} ${ratio(m.vsSequential)}`).join(", ")}`);
    }
    progress.update(selected.length, selected.length, "machine ceiling");
    const ceilingAfter = await ceiling();
    progress.done();
    printBench(args, rows, ceilingBefore !== undefined && ceilingAfter !== undefined ? { before: ceilingBefore, after: ceilingAfter } : undefined);
  },
};

/**
 * The bench's output: one JSON document, or the table with its header and mainnet summary. Rows
 * merged from several processes (`args.processes` > 1) carry their ranges, and say so.
 */
function printBench(args: BenchArgs, rows: readonly (SpeedupRow | MergedSpeedupRow)[], threadCeiling: ThreadCeilingRange | undefined): void {
  const machine = machineDescription();
  const merged = args.processes > 1;
  if (args.json) {
    process.stdout.write(`${toJson({ machine, threads: args.threads, repeat: args.repeat, ...(merged ? { processes: args.processes } : {}), ...(threadCeiling !== undefined ? { threadCeiling } : {}), rows })}\n`);
    return;
  }
  const summary = mainnetSummary(rows, args.threads, threadCeiling === undefined ? undefined : (threadCeiling.before + threadCeiling.after) / 2);
  const ceilingLine =
    threadCeiling === undefined
      ? ""
      : `machine ceiling${merged ? " (median over the processes)" : ""}: ${args.threads} threads of pure integer work, no shared memory, did ${ratio(threadCeiling.before)} the work of one before the cases and ${ratio(threadCeiling.after)} after\n`;
  const runs = merged
    ? `median over ${args.processes} processes of the median of ${args.repeat} interleaved runs after warm-ups; [lowest–highest over the processes]`
    : `median of ${args.repeat} interleaved runs after warm-ups`;
  process.stdout.write(`machine: ${machine}; K = ${args.threads}; ${runs}\n${ceilingLine}\n${speedupTable(rows, args.threads)}\n${summary !== undefined ? `\n${summary}\n` : ""}`);
}

/** The child's command line: this bench's selection, one process, JSON. */
function childArguments(args: BenchArgs): string[] {
  const out = ["bench", "--json", "--processes", "1", "--txs", String(args.txs), "--threads", String(args.threads), "--repeat", String(args.repeat)];
  if (args.quick) out.push("--quick");
  if (args.modes !== undefined) out.push("--modes", ...args.modes);
  if (args.cases !== undefined) out.push("--cases", ...args.cases);
  return out;
}

function runChild(args: BenchArgs, index: number): Promise<BenchRun> {
  return new Promise((resolve, reject) => {
    const script = process.argv[1];
    if (script === undefined) return reject(new Error("bench --processes: cannot tell which script to run the processes with"));
    const child = spawn(process.execPath, [...process.execArgv, script, ...childArguments(args)], { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        const last = Buffer.concat(err).toString("utf8").trim().split("\n").at(-1) ?? "";
        return reject(new Error(`bench process ${index + 1} of ${args.processes} failed (exit code ${code}): ${last}`));
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString("utf8")) as BenchRun);
      } catch {
        reject(new Error(`bench process ${index + 1} of ${args.processes} printed no JSON document`));
      }
    });
  });
}

/**
 * The selection in N fresh processes, one after another (never side by side: they would measure
 * each other), merged figure by figure (bench/mergeProcesses.ts).
 */
async function benchInProcesses(args: BenchArgs): Promise<void> {
  const progress = new Progress("bench", args.json);
  const runs: BenchRun[] = [];
  for (let i = 0; i < args.processes; i++) {
    progress.update(i, args.processes, `process ${i + 1} of ${args.processes}`);
    runs.push(await runChild(args, i));
  }
  progress.done();
  const { rows, threadCeiling } = mergeBenchRuns(runs);
  printBench(args, rows, threadCeiling);
}
