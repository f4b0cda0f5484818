/**
 * One call from access sets to everything a sequencer wants to know about a block: the conflict
 * DAG, its columns, critical path, projected speedups, a worker assignment and fee quotes.
 */

import type { BlockAccessSets } from "../core/accessSet.js";
import { columnsAsArrays, computeColumns, type ColumnLayout } from "./columns.js";
import { buildConflictGraph, type ConflictGraph } from "./conflictGraph.js";
import { CongestionState } from "./congestionState.js";
import { computeCriticalPath, gasBottomLevels, type CriticalPath } from "./criticalPath.js";
import { DEFAULT_FEE_MODEL, type FeeModelParameters } from "./feeModel.js";
import { DEFAULT_THREAD_COUNTS, projectSpeedups } from "./listSchedule.js";
import { measureDemand } from "./locationDemand.js";
import { quoteBlock, type BlockQuote } from "./pricing.js";
import { assignWorkers, type WorkerAssignment } from "./workerAssignment.js";

export interface ScheduleOptions {
  /** Workers for the assignment (default: none computed). */
  readonly threads?: number;
  /** Thread counts for the projected speedups (default 1, 2, 4, 8, 16, 32). */
  readonly speedupThreads?: readonly number[];
  /** Base fee per gas for the quotes (default 1: quotes are then multipliers × gas). */
  readonly baseFee?: bigint;
  /** Congestion carried from earlier blocks (default: none). */
  readonly congestion?: CongestionState;
  readonly feeModel?: FeeModelParameters;
  /** Skip the quotes (and congestion update), e.g. in throughput benchmarks. */
  readonly pricing?: boolean;
}

export interface ScheduleResultJson {
  readonly txs: number;
  readonly edges: number;
  readonly locations: number;
  readonly totalGas: number;
  readonly columns: number[][];
  /**
   * `length`: transactions on the longest path by count (= columns); `gas`: gas of the heaviest
   * path, `gasShare` its share of the block, `gasPath` that path's transactions (the two paths
   * can differ).
   */
  readonly criticalPath: { readonly length: number; readonly gas: number; readonly gasShare: number; readonly gasPath: readonly number[] };
  readonly projectedSpeedup: Record<string, number>;
  readonly assignment?: {
    readonly threads: number;
    readonly workerOf: number[];
    readonly load: number[];
    readonly chains: number;
  };
  readonly prices?: {
    readonly baseFee: string;
    readonly flatFee: string;
    readonly totalFee: string;
    readonly perTx: Array<{
      index: number;
      multiplier: number;
      feePerGas: string;
      fee: string;
      critical: boolean;
      contendedGas: number;
      congestion: number;
    }>;
  };
}

export class ScheduleResult {
  readonly graph: ConflictGraph;
  readonly layout: ColumnLayout;
  readonly criticalPath: CriticalPath;
  readonly totalGas: number;
  readonly projectedSpeedup: Record<string, number>;
  readonly assignment: WorkerAssignment | undefined;
  readonly quote: BlockQuote | undefined;
  readonly baseFee: bigint;
  /** Congestion to feed the next block (undefined when pricing is off). */
  readonly nextCongestion: CongestionState | undefined;

  constructor(fields: {
    graph: ConflictGraph;
    layout: ColumnLayout;
    criticalPath: CriticalPath;
    totalGas: number;
    projectedSpeedup: Record<string, number>;
    assignment: WorkerAssignment | undefined;
    quote: BlockQuote | undefined;
    baseFee: bigint;
    nextCongestion: CongestionState | undefined;
  }) {
    this.graph = fields.graph;
    this.layout = fields.layout;
    this.criticalPath = fields.criticalPath;
    this.totalGas = fields.totalGas;
    this.projectedSpeedup = fields.projectedSpeedup;
    this.assignment = fields.assignment;
    this.quote = fields.quote;
    this.baseFee = fields.baseFee;
    this.nextCongestion = fields.nextCongestion;
  }

  get columns(): number[][] {
    return columnsAsArrays(this.layout);
  }

  toJSON(): ScheduleResultJson {
    const cp = this.criticalPath;
    const json: {
      -readonly [K in keyof ScheduleResultJson]: ScheduleResultJson[K];
    } = {
      txs: this.graph.txCount,
      edges: this.graph.edgeCount,
      locations: this.graph.locationCount,
      totalGas: this.totalGas,
      columns: this.columns,
      criticalPath: { length: cp.length, gas: cp.gas, gasShare: this.totalGas > 0 ? cp.gas / this.totalGas : 0, gasPath: cp.txs },
      projectedSpeedup: this.projectedSpeedup,
    };
    if (this.assignment !== undefined) {
      json.assignment = {
        threads: this.assignment.workers,
        workerOf: Array.from(this.assignment.workerOf),
        load: Array.from(this.assignment.load),
        chains: this.assignment.chainCount,
      };
    }
    if (this.quote !== undefined) {
      json.prices = {
        baseFee: this.baseFee.toString(),
        flatFee: this.quote.flatFee.toString(),
        totalFee: this.quote.totalFee.toString(),
        perTx: this.quote.quotes.map((q) => ({
          index: q.index,
          multiplier: q.multiplier,
          feePerGas: q.feePerGas.toString(),
          fee: q.fee.toString(),
          critical: q.critical,
          contendedGas: q.contendedGas,
          congestion: q.congestion,
        })),
      };
    }
    return json;
  }
}

export function scheduleBlock(sets: BlockAccessSets, options: ScheduleOptions = {}): ScheduleResult {
  const graph = buildConflictGraph(sets);
  const layout = computeColumns(graph);
  const bottom = gasBottomLevels(graph);
  const criticalPath = computeCriticalPath(graph, layout.columnCount);
  let totalGas = 0;
  for (let j = 0; j < graph.txCount; j++) totalGas += graph.gas[j]!;
  const projectedSpeedup = projectSpeedups(graph, options.speedupThreads ?? DEFAULT_THREAD_COUNTS, bottom);
  const assignment = options.threads === undefined ? undefined : assignWorkers(graph, layout, options.threads);
  const baseFee = options.baseFee ?? 1n;
  let quote: BlockQuote | undefined;
  let nextCongestion: CongestionState | undefined;
  if (options.pricing !== false) {
    const parameters = options.feeModel ?? DEFAULT_FEE_MODEL;
    const congestion = options.congestion ?? CongestionState.empty();
    const demand = measureDemand(sets);
    quote = quoteBlock(sets, { baseFee, congestion, parameters, demand });
    nextCongestion = congestion.next(demand, parameters);
  }
  return new ScheduleResult({ graph, layout, criticalPath, totalGas, projectedSpeedup, assignment, quote, baseFee, nextCongestion });
}
