/**
 * The service's metrics, in the Prometheus text exposition format (version 0.0.4), kept by
 * prom-client in a registry of the service's own (two services in one process never share one):
 *
 * - counters of committed blocks, transactions by status, gas, executions, aborts and access-list
 *   violations; gauges of the head, the commit queue and the mempool, read when scraped;
 * - the speedup of the executor, against the scheduler's projection always, and against a
 *   measured sequential run of the same block when the service replays every block sequentially
 *   (`--measure-sequential`; those families exist only then);
 * - latency histograms: every HTTP request by method, route and status, and every committed
 *   block's execution;
 * - the process and runtime metrics prom-client collects (CPU, memory, heap, event-loop lag, GC).
 *
 * A new histogram (e.g. a block's time per pipeline stage) is one `histogram(...)` field and one
 * `observe` in `recordBlock`; every latency histogram shares LATENCY_BUCKETS, so they compare.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ReceiptStatus } from "../core/types.js";

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Latency buckets in seconds, 0.5 ms to 60 s: a small request to a 100,000-transaction block. */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface BlockSample {
  readonly txs: Readonly<Record<ReceiptStatus, number>>;
  readonly gasUsed: number;
  readonly wallMs: number;
  readonly executions: number;
  readonly validations: number;
  readonly aborts: number;
  readonly violations: number;
  /** The block's gas and its list-schedule makespan at the executor's thread count. */
  readonly projection: { readonly gas: number; readonly makespan: number };
  /** The sequential replica's run of the same block, when measured. */
  readonly sequential?: { readonly wallMs: number; readonly rootMatches: boolean };
  readonly workerFailure: boolean;
}

/** What the gauges read when the metrics are scraped. */
export interface LiveGauges {
  readonly headNumber: bigint;
  readonly queueDepth: number;
  readonly mempoolPending: number;
  readonly mode: string;
  readonly threads: number;
}

export interface ServiceMetricsParameters {
  /** Read at each scrape. */
  readonly live: () => LiveGauges;
  /** Whether blocks carry a sequential replica's run (the measured-speedup families exist only then). */
  readonly measureSequential?: boolean;
}

const STATUSES: readonly ReceiptStatus[] = ["success", "revert", "out-of-gas", "invalid"];

/** The families of measured speedups, present only when the service measures them. */
class MeasuredSpeedupMetrics {
  readonly sequentialSeconds: Counter;
  readonly lastSpeedup: Gauge;
  readonly rootMismatches: Counter;
  sequentialMs = 0;
  executionMs = 0;
  blocks = 0;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sequentialSeconds = new Counter({ name: "prescient_sequential_execution_seconds_total", help: "Time the sequential replica spent on the same blocks.", registers });
    this.lastSpeedup = new Gauge({ name: "prescient_last_block_speedup", help: "Measured speedup of the last block: sequential replica time / execution time.", registers });
    this.lastSpeedup.set(Number.NaN);
    const measured = this;
    new Gauge({
      name: "prescient_speedup_average",
      help: "Measured speedup over every measured block: sequential time / execution time (NaN before the first block).",
      registers,
      collect() {
        this.set(measured.blocks > 0 ? measured.sequentialMs / Math.max(measured.executionMs, 1e-6) : Number.NaN);
      },
    });
    this.rootMismatches = new Counter({ name: "prescient_state_root_mismatches_total", help: "Blocks whose state root differed from the sequential replica's (a bug in prescient).", registers });
  }

  record(sequentialMs: number, executionMs: number, rootMatches: boolean): void {
    this.blocks++;
    this.sequentialMs += sequentialMs;
    this.executionMs += executionMs;
    this.sequentialSeconds.inc(sequentialMs / 1000);
    this.lastSpeedup.set(sequentialMs / Math.max(executionMs, 1e-6));
    if (!rootMatches) this.rootMismatches.inc();
  }
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #blocks: Counter;
  readonly #txs: Counter<"status">;
  readonly #gasUsed: Counter;
  readonly #executions: Counter;
  readonly #validations: Counter;
  readonly #aborts: Counter;
  readonly #violations: Counter;
  readonly #workerFailures: Counter;
  readonly #executionSeconds: Counter;
  readonly #lastExecutionSeconds: Gauge;
  readonly #lastProjected: Gauge;
  readonly #blockExecution: Histogram;
  readonly #responses: Counter<"route" | "status">;
  readonly #requestDuration: Histogram<"method" | "route" | "status">;
  readonly #measured: MeasuredSpeedupMetrics | undefined;
  #blockCount = 0;
  #projectedGas = 0;
  #projectedMakespan = 0;

  constructor(parameters: ServiceMetricsParameters) {
    const registers = [this.registry];
    const { live } = parameters;
    const counter = (name: string, help: string) => new Counter({ name, help, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Histogram<L>({ name, help, labelNames, buckets: [...LATENCY_BUCKETS], registers });

    new Gauge({
      name: "prescient_info",
      help: "The executor the service runs blocks with.",
      labelNames: ["mode", "threads"],
      registers,
      collect() {
        const { mode, threads } = live();
        this.reset();
        this.set({ mode, threads: String(threads) }, 1);
      },
    });
    const gauge = (name: string, help: string, read: (g: LiveGauges) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(live()));
        },
      });
    gauge("prescient_head_block_number", "Number of the last committed block (0: the genesis).", (g) => Number(g.headNumber));
    gauge("prescient_commit_queue_depth", "Block commits and reads waiting for the commit lock, the running one included.", (g) => g.queueDepth);
    gauge("prescient_mempool_pending_txs", "Transactions in the mempool, handed out in a batch or not.", (g) => g.mempoolPending);

    this.#blocks = counter("prescient_blocks_total", "Blocks committed.");
    this.#txs = new Counter({ name: "prescient_txs_total", help: "Transactions in committed blocks, by receipt status.", labelNames: ["status"], registers });
    // Every status is exposed from the start, at 0, so a rate over it never starts from nothing.
    for (const status of STATUSES) this.#txs.inc({ status }, 0);
    this.#gasUsed = counter("prescient_gas_used_total", "Gas used by committed blocks.");
    this.#executions = counter("prescient_tx_executions_total", "Transaction executions (Block-STM incarnations included).");
    this.#validations = counter("prescient_tx_validations_total", "Block-STM validations.");
    this.#aborts = counter("prescient_tx_aborts_total", "Executions aborted and re-run (Block-STM conflicts, guard rollbacks).");
    this.#violations = counter("prescient_access_list_violations_total", "Accesses outside a transaction's declared access list.");
    this.#workerFailures = counter("prescient_worker_failures_total", "Blocks re-run on the calling thread after a worker thread failed.");
    this.#executionSeconds = counter("prescient_block_execution_seconds_total", "Time spent executing committed blocks.");
    this.#lastExecutionSeconds = new Gauge({ name: "prescient_last_block_execution_seconds", help: "Execution time of the last committed block.", registers });
    this.#lastProjected = new Gauge({
      name: "prescient_last_block_projected_speedup",
      help: "The scheduler's projected speedup of the last block at the executor's thread count (gas / list-schedule makespan).",
      registers,
    });
    this.#lastProjected.set(1);
    const metrics = this;
    new Gauge({
      name: "prescient_projected_speedup_average",
      help: "Projected speedup over every committed block: their gas / the sum of their makespans.",
      registers,
      collect() {
        this.set(metrics.#projectedMakespan > 0 ? metrics.#projectedGas / metrics.#projectedMakespan : 1);
      },
    });
    this.#measured = parameters.measureSequential === true ? new MeasuredSpeedupMetrics(this.registry) : undefined;
    this.#blockExecution = histogram("prescient_block_execution_duration_seconds", "Execution time of each committed block (the executor's wall time).");

    this.#responses = new Counter({ name: "prescient_http_responses_total", help: "HTTP responses by route and status.", labelNames: ["route", "status"], registers });
    this.#requestDuration = histogram("prescient_http_request_duration_seconds", "Time from a request's arrival to its response, by method, route and status.", ["method", "route", "status"]);

    collectDefaultMetrics({ register: this.registry });
  }

  recordBlock(sample: BlockSample): void {
    this.#blockCount++;
    this.#blocks.inc();
    for (const status of STATUSES) this.#txs.inc({ status }, sample.txs[status]);
    this.#gasUsed.inc(sample.gasUsed);
    this.#executions.inc(sample.executions);
    this.#validations.inc(sample.validations);
    this.#aborts.inc(sample.aborts);
    this.#violations.inc(sample.violations);
    this.#executionSeconds.inc(sample.wallMs / 1000);
    this.#lastExecutionSeconds.set(sample.wallMs / 1000);
    this.#blockExecution.observe(sample.wallMs / 1000);
    const { gas, makespan } = sample.projection;
    this.#projectedGas += gas;
    this.#projectedMakespan += makespan;
    this.#lastProjected.set(makespan > 0 ? gas / makespan : 1);
    if (sample.sequential !== undefined) this.#measured?.record(sample.sequential.wallMs, sample.wallMs, sample.sequential.rootMatches);
    if (sample.workerFailure) this.#workerFailures.inc();
  }

  /** A response: its route (the pattern, `(unmatched)` for none), method, status and latency. */
  recordResponse(route: string, method: string, status: number, seconds: number): void {
    this.#responses.inc({ route, status: String(status) });
    this.#requestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** Blocks committed so far. */
  get blocks(): number {
    return this.#blockCount;
  }

  /** The exposition text. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
