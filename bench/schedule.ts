/**
 * Scheduling benchmark: throughput of access sets → conflict DAG → columns → worker assignment on
 * synthetic blocks of 100k–1M transactions, and the schedule of every shared mainnet trace block
 * (columns, critical path, projected speedups).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/schedule.js [--sizes 100000,200000] [--repeat 3] [--json]
 */

import { pathToFileURL } from "node:url";
import type { BlockAccessSets, TxAccessSet } from "../core/accessSet.js";
import { accessSetsFromTrace, defaultTracesDir, readAccessTrace } from "../core/trace.js";
import { assignWorkers } from "../scheduler/workerAssignment.js";
import { buildConflictGraph } from "../scheduler/conflictGraph.js";
import { computeColumns } from "../scheduler/columns.js";
import { scheduleBlock } from "../scheduler/scheduleBlock.js";
import { mainnetTraceFiles } from "../workloads/mainnet.js";

export type SyntheticWorkload = "erc20" | "p2p";

/** A small deterministic PRNG (mulberry32), so synthetic blocks are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function address(i: number): string {
  return "0x" + i.toString(16).padStart(40, "0");
}

/**
 * `erc20`: independent token transfers, sender i → receiver i (distinct accounts); `p2p`: sender
 * and receiver uniform among `accounts` accounts (1000 by default). Each tx reads and writes both
 * balances and the sender's nonce.
 */
export function syntheticBlock(workload: SyntheticWorkload, txs: number, options: { accounts?: number; seed?: number } = {}): BlockAccessSets {
  const random = mulberry32(options.seed ?? 1);
  const accounts = options.accounts ?? 1000;
  const token = address(0xe20);
  const out: TxAccessSet[] = new Array<TxAccessSet>(txs);
  for (let i = 0; i < txs; i++) {
    let sender: string;
    let receiver: string;
    if (workload === "erc20") {
      sender = address(2 * i + 1);
      receiver = address(2 * i + 2);
    } else {
      const s = Math.floor(random() * accounts);
      let r = Math.floor(random() * (accounts - 1));
      if (r >= s) r++;
      sender = address(s + 1);
      receiver = address(r + 1);
    }
    // join() yields flat strings, as JSON.parse does for real input (template literals would
    // leave rope strings that the first hash lookup flattens, charging that to the scheduler).
    const locations = [[token, "/balances/", sender].join(""), [token, "/balances/", receiver].join(""), ["acct/nonce/", sender].join("")];
    out[i] = { index: i, reads: locations, writes: locations, gas: workload === "erc20" ? 51_000 : 21_000, class: "exact", feeRecipient: "none" };
  }
  return { feeRecipientLocation: "acct/balance/sequencer", txs: out };
}

export interface ThroughputRow {
  readonly workload: SyntheticWorkload;
  readonly txs: number;
  readonly edges: number;
  readonly columns: number;
  /** Median over the repetitions, milliseconds. */
  readonly dagMs: number;
  readonly columnsMs: number;
  readonly assignMs: number;
  readonly totalMs: number;
  /** From the median total. */
  readonly txPerSecond: number;
  /** From the fastest repetition: closer to the uncontended cost on a shared machine. */
  readonly bestTxPerSecond: number;
}

export interface MainnetRow {
  readonly block: number;
  readonly txs: number;
  readonly columns: number;
  readonly criticalPathTxs: number;
  readonly criticalPathGasShare: number;
  /**
   * Share of txs that depend on no earlier tx (the first column), the measure closest to the
   * "independent transactions" of the EIP-7928 analysis. (A tx that reaches the coinbase directly
   * gives every earlier tx an out-edge, so "no edge at all" would undercount.)
   */
  readonly independentShare: number;
  readonly speedup2: number;
  readonly speedup8: number;
  readonly speedup32: number;
}

export interface BenchmarkOptions {
  readonly sizes?: readonly number[];
  readonly workloads?: readonly SyntheticWorkload[];
  readonly repeat?: number;
  readonly threads?: number;
  readonly tracesDir?: string | false;
}

export interface BenchmarkResult {
  readonly throughput: readonly ThroughputRow[];
  readonly mainnet: readonly MainnetRow[];
  readonly mainnetAverage: Omit<MainnetRow, "block"> | undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function measureThroughput(workload: SyntheticWorkload, txs: number, repeat = 3, threads = 8): ThroughputRow {
  const sets = syntheticBlock(workload, txs);
  const dag: number[] = [];
  const cols: number[] = [];
  const assign: number[] = [];
  let edges = 0;
  let columns = 0;
  for (let r = 0; r <= repeat; r++) {
    const t0 = performance.now();
    const graph = buildConflictGraph(sets);
    const t1 = performance.now();
    const layout = computeColumns(graph);
    const t2 = performance.now();
    assignWorkers(graph, layout, threads);
    const t3 = performance.now();
    if (r === 0) continue; // warm-up (JIT, string hashes)
    dag.push(t1 - t0);
    cols.push(t2 - t1);
    assign.push(t3 - t2);
    edges = graph.edgeCount;
    columns = layout.columnCount;
  }
  const dagMs = median(dag);
  const columnsMs = median(cols);
  const assignMs = median(assign);
  const totals = dag.map((d, k) => d + cols[k]! + assign[k]!);
  const totalMs = median(totals);
  const bestMs = Math.min(...totals);
  return {
    workload,
    txs,
    edges,
    columns,
    dagMs,
    columnsMs,
    assignMs,
    totalMs,
    txPerSecond: txs / (totalMs / 1000),
    bestTxPerSecond: txs / (bestMs / 1000),
  };
}

export function mainnetTable(dir = defaultTracesDir()): { rows: MainnetRow[]; average: Omit<MainnetRow, "block"> | undefined } {
  const files = mainnetTraceFiles(dir);
  const rows: MainnetRow[] = files.map((file) => {
    const trace = readAccessTrace(file);
    const result = scheduleBlock(accessSetsFromTrace(trace), { speedupThreads: [2, 8, 32], pricing: false });
    const json = result.toJSON();
    const independent = json.columns[0]?.length ?? 0;
    return {
      block: trace.block,
      txs: json.txs,
      columns: json.columns.length,
      criticalPathTxs: json.criticalPath.length,
      criticalPathGasShare: json.criticalPath.gasShare,
      independentShare: json.txs > 0 ? independent / json.txs : 0,
      speedup2: json.projectedSpeedup["2"]!,
      speedup8: json.projectedSpeedup["8"]!,
      speedup32: json.projectedSpeedup["32"]!,
    };
  });
  if (rows.length === 0) return { rows, average: undefined };
  const mean = (f: (r: MainnetRow) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  return {
    rows,
    average: {
      txs: mean((r) => r.txs),
      columns: mean((r) => r.columns),
      criticalPathTxs: mean((r) => r.criticalPathTxs),
      criticalPathGasShare: mean((r) => r.criticalPathGasShare),
      independentShare: mean((r) => r.independentShare),
      speedup2: mean((r) => r.speedup2),
      speedup8: mean((r) => r.speedup8),
      speedup32: mean((r) => r.speedup32),
    },
  };
}

export function benchmarkScheduling(options: BenchmarkOptions = {}): BenchmarkResult {
  const sizes = options.sizes ?? [100_000, 200_000, 500_000, 1_000_000];
  const workloads = options.workloads ?? ["erc20", "p2p"];
  const throughput: ThroughputRow[] = [];
  for (const workload of workloads) {
    for (const txs of sizes) throughput.push(measureThroughput(workload, txs, options.repeat ?? 3, options.threads ?? 8));
  }
  const { rows, average } = options.tracesDir === false ? { rows: [], average: undefined } : mainnetTable(options.tracesDir ?? defaultTracesDir());
  return { throughput, mainnet: rows, mainnetAverage: average };
}

function formatMarkdown(result: BenchmarkResult): string {
  const lines: string[] = [];
  lines.push("| workload | txs | edges | columns | DAG ms | columns ms | assign ms | total ms | tx/s (median) | tx/s (best) |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of result.throughput) {
    lines.push(
      `| ${r.workload} | ${r.txs} | ${r.edges} | ${r.columns} | ${r.dagMs.toFixed(1)} | ${r.columnsMs.toFixed(1)} | ${r.assignMs.toFixed(1)} | ${r.totalMs.toFixed(1)} | ${Math.round(r.txPerSecond).toLocaleString("en-US")} | ${Math.round(r.bestTxPerSecond).toLocaleString("en-US")} |`,
    );
  }
  if (result.mainnet.length > 0) {
    lines.push("");
    lines.push("| block | txs | columns | critical path (txs) | critical path (gas share) | independent txs | speedup 2t | 8t | 32t |");
    lines.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    const row = (label: string, r: Omit<MainnetRow, "block">, digits: number) =>
      `| ${label} | ${r.txs.toFixed(digits)} | ${r.columns.toFixed(digits)} | ${r.criticalPathTxs.toFixed(digits)} | ${(r.criticalPathGasShare * 100).toFixed(1)}% | ${(r.independentShare * 100).toFixed(1)}% | ${r.speedup2.toFixed(2)} | ${r.speedup8.toFixed(2)} | ${r.speedup32.toFixed(2)} |`;
    for (const r of result.mainnet) lines.push(row(String(r.block), r, 0));
    if (result.mainnetAverage !== undefined) lines.push(row("**average**", result.mainnetAverage, 1));
  }
  return lines.join("\n") + "\n";
}

function main(argv: readonly string[]): void {
  const option = (name: string): string | undefined => {
    const k = argv.indexOf(name);
    return k >= 0 ? argv[k + 1] : undefined;
  };
  const sizes = option("--sizes")?.split(",").map(Number);
  const repeat = option("--repeat");
  const result = benchmarkScheduling({
    ...(sizes === undefined ? {} : { sizes }),
    ...(repeat === undefined ? {} : { repeat: Number(repeat) }),
  });
  if (argv.includes("--json")) process.stdout.write(JSON.stringify(result) + "\n");
  else process.stdout.write(formatMarkdown(result));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
