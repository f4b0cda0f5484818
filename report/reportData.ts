/**
 * Everything the report page shows, as one JSON-able document: the figures of the header (the
 * measured speedup with its spread, throughput), the drawable DAG, timeline and price views, the
 * keys behind the conflicts, the reasons transactions failed, and a per-transaction table
 * (column-wise, to stay small on 10⁵-transaction blocks). The page is rendered from it and embeds
 * it, so what a reader sees can also be read by a program. It names no path of the machine it was
 * made on: the block's source is its file name.
 */
import type { BlockAccessSets } from "../core/accessSet.js";
import type { Block, ExecutionResult, ReceiptStatus } from "../core/types.js";
import type { ExecutionActivity } from "../executor/activity.js";
import type { PreparedTx } from "../executor/prepare.js";
import { scheduleBlock, type ScheduleResult } from "../scheduler/scheduleBlock.js";
import { DEFAULT_THREAD_COUNTS, listScheduleMakespan } from "../scheduler/listSchedule.js";
import { quoteBlock } from "../scheduler/pricing.js";
import { layoutDag, type DagView } from "./dagView.js";
import { layoutGantt, type GanttView } from "./ganttView.js";
import { summarizePrices, type PriceView } from "./priceView.js";
import { round } from "./format.js";
import { analyzeConflicts, type ConflictView } from "./conflictView.js";
import { measuredSpeedup, type RunTimings } from "./measuredSpeedup.js";
import { groupReverts, type RevertGroup } from "./revertView.js";

export const REPORT_FORMAT = "prescient-report/v2";

export const RECEIPT_STATUSES: readonly ReceiptStatus[] = ["success", "revert", "out-of-gas", "invalid"];

/** Per transaction, column-wise: entry i of every array is transaction i. */
export interface ReportTxTable {
  /** Call names (`Contract.fn`); `fn[i]` indexes it. */
  readonly calls: readonly string[];
  readonly fn: readonly number[];
  /** Senders; `from[i]` indexes it. */
  readonly senders: readonly string[];
  readonly from: readonly number[];
  /** Called contracts' addresses; `to[i]` indexes it. */
  readonly contracts: readonly string[];
  readonly to: readonly number[];
  /** Index into RECEIPT_STATUSES. */
  readonly status: readonly number[];
  readonly gasUsed: readonly number[];
  /** The fee the transaction paid in the run (gasUsed × gasPrice). */
  readonly paid: readonly string[];
  readonly column: readonly number[];
  /** The scheduler's quote: multiplier, fee, contended gas, on the bottleneck chain (1/0). */
  readonly multiplier: readonly number[];
  readonly fee: readonly string[];
  readonly contendedGas: readonly number[];
  readonly critical: readonly number[];
  /** Index into `classes` of the access set's class. */
  readonly classes: readonly string[];
  readonly class: readonly number[];
  /** Timeline lane of its kept execution (-1: none recorded), its times, and its attempts. */
  readonly lane: readonly number[];
  readonly startMs: readonly number[];
  readonly endMs: readonly number[];
  readonly attempts: readonly number[];
}

export interface BlockReportData {
  readonly format: typeof REPORT_FORMAT;
  readonly title: string;
  readonly generatedBy: string;
  readonly machine: string;
  /** How the timings were taken (warm-ups, which run is shown). */
  readonly method: string;
  readonly block: {
    readonly number: string;
    readonly txs: number;
    readonly gasUsed: number;
    readonly sequencer: string;
    readonly baseFee: string;
    readonly source?: string;
  };
  readonly run: {
    readonly mode: string;
    /** Threads asked for, and the threads the run used (1 when it ran inline). */
    readonly threads: number;
    readonly threadsUsed: number;
    readonly inline: boolean;
    readonly wallMs: number;
    readonly stateRoot: string;
    readonly identicalToSequential: boolean;
    readonly executions: number;
    readonly validations: number;
    readonly aborts: number;
    readonly violations: number;
    readonly receipts: Readonly<Record<ReceiptStatus, number>>;
    /** Every measured run's wall time (`wallMs` is their median). */
    readonly runsMs: readonly number[];
  };
  readonly sequential: { readonly wallMs: number; readonly stateRoot: string; readonly runsMs: readonly number[] };
  readonly speedup: {
    /** Median sequential wall time / median wall time of this mode, measured in pairs in the same invocation. */
    readonly measured: number;
    /** Lowest and highest ratio of one pair of runs, and the number of pairs. */
    readonly spread: { readonly min: number; readonly max: number };
    readonly runs: number;
    /** The scheduler's list-schedule projection at `threads`, and at other thread counts. */
    readonly projected: number;
    readonly projectedByThreads: Readonly<Record<string, number>>;
  };
  readonly schedule: {
    readonly columns: number;
    readonly edges: number;
    readonly locations: number;
    readonly widestColumn: number;
    /** Transactions in the first column: they depend on no earlier transaction. */
    readonly independent: number;
    readonly criticalPath: { readonly length: number; readonly gas: number; readonly gasShare: number; readonly txs: readonly number[] };
    readonly classes: Readonly<Record<string, number>>;
  };
  /** Transactions and gas per second of wall time, of this mode and of the sequential reference (medians). */
  readonly throughput: { readonly txsPerSecond: number; readonly gasPerSecond: number; readonly sequentialTxsPerSecond: number; readonly sequentialGasPerSecond: number };
  readonly dag: DagView;
  readonly gantt: GanttView;
  readonly prices: PriceView;
  /** The keys behind the conflict edges, and each transaction's nearest neighbours in the DAG. */
  readonly conflicts: ConflictView;
  /** Failed transactions by reason, largest group first. */
  readonly reverts: readonly RevertGroup[];
  readonly txs: ReportTxTable;
}

export interface BuildBlockReportDataParameters {
  readonly block: Block;
  /** Names the calls `Contract.fn` (without it, the function name alone). */
  readonly prepared?: readonly PreparedTx[];
  /** The access sets the block was scheduled with. */
  readonly sets: BlockAccessSets;
  /** Threads asked for: the projection is read at this count. */
  readonly threads: number;
  /** The run the report shows, its per-thread activity, and whether it ran inline. */
  readonly result: ExecutionResult;
  readonly activity: ExecutionActivity;
  readonly inline?: boolean;
  /** The sequential reference, measured in the same invocation. */
  readonly sequential: ExecutionResult;
  /** Every measured run, in pairs (default: the one pair of `sequential` and `result`). */
  readonly timings?: RunTimings;
  /** Reuse a schedule of these sets (computed otherwise, with the block's base fee). */
  readonly schedule?: ScheduleResult;
  /** Where the block came from: shown as its file name. */
  readonly source?: string;
  readonly machine?: string;
  readonly method?: string;
  readonly generatedBy?: string;
}

/** Values interned: `list` holds each distinct value once, `of` each item's index into it. */
function intern<T>(items: readonly T[], valueOf: (item: T, i: number) => string): { list: string[]; of: number[] } {
  const list: string[] = [];
  const index = new Map<string, number>();
  const of = items.map((item, i) => {
    const value = valueOf(item, i);
    let k = index.get(value);
    if (k === undefined) index.set(value, (k = list.push(value) - 1));
    return k;
  });
  return { list, of };
}

/** A file's name without its directories: the report names no path of the machine. */
function fileName(source: string): string {
  return source.split(/[\\/]/).filter((part) => part !== "").at(-1) ?? source;
}

export function buildBlockReportData(p: BuildBlockReportDataParameters): BlockReportData {
  const { block, result, sequential } = p;
  const n = block.txs.length;
  if (result.receipts.length !== n || sequential.receipts.length !== n || p.sets.txs.length !== n) {
    throw new RangeError(`report: the block has ${n} transactions, the run ${result.receipts.length}, the reference ${sequential.receipts.length}, the sets ${p.sets.txs.length}`);
  }
  const speedupThreads = Array.from(new Set([...DEFAULT_THREAD_COUNTS, p.threads])).sort((a, b) => a - b);
  const schedule = p.schedule ?? scheduleBlock(p.sets, { baseFee: block.baseFee, speedupThreads });
  const quote = schedule.quote ?? quoteBlock(p.sets, { baseFee: schedule.baseFee });
  const projected =
    schedule.projectedSpeedup[String(p.threads)] ?? schedule.totalGas / Math.max(1e-9, listScheduleMakespan(schedule.graph, p.threads));

  const { list: calls, of: fn } = intern(block.txs, (tx, i) => {
    const contract = p.prepared?.[i]?.target.abi.className;
    return contract === undefined ? tx.fn : `${contract}.${tx.fn}`;
  });
  const senders = intern(block.txs, (tx) => tx.from);
  const contracts = intern(block.txs, (tx) => tx.to);
  const timing = measuredSpeedup(p.timings ?? { sequentialMs: [sequential.stats.wallMs], runMs: [result.stats.wallMs] });

  const layout = schedule.layout;
  const graph = schedule.graph;
  const dag = layoutDag({
    columnOf: layout.columnOf,
    columnCount: layout.columnCount,
    gas: graph.gas,
    fnOf: fn,
    criticalPath: schedule.criticalPath.txs,
    successorOffsets: graph.successorOffsets,
    successors: graph.successors,
  });
  const gantt = layoutGantt({ activity: p.activity, wallMs: result.stats.wallMs, sequentialMs: timing.sequentialMs });

  // Where and when each transaction's kept execution ran, and how often it was attempted.
  const lane = new Array<number>(n).fill(-1);
  const startMs = new Array<number>(n).fill(0);
  const endMs = new Array<number>(n).fill(0);
  const attempts = new Array<number>(n).fill(0);
  p.activity.lanes.forEach((l, li) => {
    for (const e of l.events) {
      if (e.kind === "execution" || e.kind === "abort") attempts[e.tx]!++;
      if (e.kind === "execution") {
        lane[e.tx] = li;
        startMs[e.tx] = round(e.startMs, 4);
        endMs[e.tx] = round(e.endMs, 4);
      }
    }
  });

  const { list: classes, of: cls } = intern(p.sets.txs, (s) => s.class);
  const classCounts: Record<string, number> = {};
  for (const s of p.sets.txs) classCounts[s.class] = (classCounts[s.class] ?? 0) + 1;

  const receipts: Record<ReceiptStatus, number> = { success: 0, revert: 0, "out-of-gas": 0, invalid: 0 };
  for (const r of result.receipts) receipts[r.status]++;
  const identical =
    result.stateRoot === sequential.stateRoot &&
    result.receipts.every((r, i) => {
      const s = sequential.receipts[i]!;
      return r.status === s.status && r.gasUsed === s.gasUsed && r.fee === s.fee;
    });
  let widest = 0;
  for (let c = 0; c < layout.columnCount; c++) widest = Math.max(widest, layout.offsets[c + 1]! - layout.offsets[c]!);
  // Quotes by transaction index (the sets are in block order, but say so by their index).
  const quotes = new Array<(typeof quote.quotes)[number]>(n);
  for (const q of quote.quotes) quotes[q.index] = q;
  const prices = summarizePrices({ quotes: quote.quotes, baseFee: schedule.baseFee, flatFee: quote.flatFee, totalFee: quote.totalFee, fnName: (tx) => calls[fn[tx]!]! });
  const gasUsed = result.receipts.reduce((sum, r) => sum + r.gasUsed, 0);
  const stats = result.stats;
  const inline = p.inline ?? false;
  return {
    format: REPORT_FORMAT,
    title: `Block ${block.number} — ${stats.mode}${stats.mode === "sequential" ? "" : ` on ${p.threads} thread${p.threads === 1 ? "" : "s"}`}`,
    generatedBy: p.generatedBy ?? "prescient",
    machine: p.machine ?? "",
    method: p.method ?? "",
    block: {
      number: block.number.toString(),
      txs: n,
      gasUsed,
      sequencer: block.sequencer,
      baseFee: block.baseFee.toString(),
      ...(p.source !== undefined ? { source: fileName(p.source) } : {}),
    },
    run: {
      mode: stats.mode,
      threads: p.threads,
      threadsUsed: stats.threads,
      inline,
      wallMs: round(timing.runMs, 4),
      stateRoot: result.stateRoot,
      identicalToSequential: identical,
      executions: stats.executions,
      validations: stats.validations,
      aborts: stats.aborts,
      violations: stats.violations,
      receipts,
      runsMs: (p.timings?.runMs ?? [stats.wallMs]).map((ms) => round(ms, 4)),
    },
    sequential: { wallMs: round(timing.sequentialMs, 4), stateRoot: sequential.stateRoot, runsMs: (p.timings?.sequentialMs ?? [sequential.stats.wallMs]).map((ms) => round(ms, 4)) },
    speedup: {
      measured: timing.measured,
      spread: timing.spread,
      runs: timing.runs,
      projected,
      projectedByThreads: schedule.projectedSpeedup,
    },
    schedule: {
      columns: layout.columnCount,
      edges: graph.edgeCount,
      locations: graph.locationCount,
      widestColumn: widest,
      independent: layout.columnCount > 0 ? layout.offsets[1]! - layout.offsets[0]! : 0,
      criticalPath: {
        length: schedule.criticalPath.length,
        gas: schedule.criticalPath.gas,
        gasShare: schedule.totalGas > 0 ? schedule.criticalPath.gas / schedule.totalGas : 0,
        txs: schedule.criticalPath.txs,
      },
      classes: classCounts,
    },
    throughput: {
      txsPerSecond: perSecond(n, timing.runMs),
      gasPerSecond: perSecond(gasUsed, timing.runMs),
      sequentialTxsPerSecond: perSecond(n, timing.sequentialMs),
      sequentialGasPerSecond: perSecond(gasUsed, timing.sequentialMs),
    },
    dag,
    gantt: {
      ...gantt,
      lanes: gantt.lanes.map((l) => ({ ...l, busyMs: round(l.busyMs, 4), bars: l.bars.map((b) => ({ ...b, startMs: round(b.startMs, 4), endMs: round(b.endMs, 4) })) })),
    },
    prices,
    conflicts: analyzeConflicts({ sets: p.sets, graph, criticalPath: schedule.criticalPath.txs }),
    reverts: groupReverts(result.receipts, (tx) => calls[fn[tx]!]!),
    txs: {
      calls,
      fn,
      senders: senders.list,
      from: senders.of,
      contracts: contracts.list,
      to: contracts.of,
      status: result.receipts.map((r) => RECEIPT_STATUSES.indexOf(r.status)),
      gasUsed: result.receipts.map((r) => r.gasUsed),
      paid: result.receipts.map((r) => r.fee.toString()),
      column: Array.from(layout.columnOf),
      multiplier: quotes.map((q) => q.multiplier),
      fee: quotes.map((q) => q.fee.toString()),
      contendedGas: quotes.map((q) => q.contendedGas),
      critical: quotes.map((q) => (q.critical ? 1 : 0)),
      classes,
      class: cls,
      lane,
      startMs,
      endMs,
      attempts,
    },
  };
}

/** `amount` per second of `ms` milliseconds (0 when no time was measured). */
function perSecond(amount: number, ms: number): number {
  return ms > 0 ? round((amount * 1000) / ms, 1) : 0;
}
