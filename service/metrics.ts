/**
 * The service's metrics in the Prometheus text exposition format (version 0.0.4): counters of
 * committed blocks, transactions by status, gas, executions, aborts and access-list violations;
 * gauges of the head, the commit queue, the mempool, and the speedup of the executor — against
 * the scheduler's projection always, and against a measured sequential run of the same block
 * when the service replays every block sequentially (`--measure-sequential`).
 */
import type { ReceiptStatus } from "../core/types.js";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

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

export interface LiveGauges {
  readonly headNumber: bigint;
  readonly queueDepth: number;
  readonly mempoolPending: number;
  readonly mode: string;
  readonly threads: number;
}

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly type: "counter" | "gauge";
  readonly help: string;
  readonly samples: { labels: Labels; value: number }[];
}

const STATUSES: readonly ReceiptStatus[] = ["success", "revert", "out-of-gas", "invalid"];

export class ServiceMetrics {
  #blocks = 0;
  readonly #txs: Record<ReceiptStatus, number> = { success: 0, revert: 0, "out-of-gas": 0, invalid: 0 };
  #gasUsed = 0;
  #executions = 0;
  #validations = 0;
  #aborts = 0;
  #violations = 0;
  #wallMs = 0;
  #lastWallMs = 0;
  #projectedGas = 0;
  #projectedMakespan = 0;
  #lastProjected = 1;
  #measuredBlocks = 0;
  #sequentialMs = 0;
  #measuredWallMs = 0;
  #lastMeasured = 1;
  #rootMismatches = 0;
  #workerFailures = 0;
  /** Responses by route and status. */
  readonly #responses = new Map<string, { route: string; status: number; count: number }>();

  recordBlock(sample: BlockSample): void {
    this.#blocks++;
    for (const status of STATUSES) this.#txs[status] += sample.txs[status];
    this.#gasUsed += sample.gasUsed;
    this.#executions += sample.executions;
    this.#validations += sample.validations;
    this.#aborts += sample.aborts;
    this.#violations += sample.violations;
    this.#wallMs += sample.wallMs;
    this.#lastWallMs = sample.wallMs;
    const { gas, makespan } = sample.projection;
    this.#projectedGas += gas;
    this.#projectedMakespan += makespan;
    this.#lastProjected = makespan > 0 ? gas / makespan : 1;
    if (sample.sequential !== undefined) {
      this.#measuredBlocks++;
      this.#sequentialMs += sample.sequential.wallMs;
      this.#measuredWallMs += sample.wallMs;
      this.#lastMeasured = sample.sequential.wallMs / Math.max(sample.wallMs, 1e-6);
      if (!sample.sequential.rootMatches) this.#rootMismatches++;
    }
    if (sample.workerFailure) this.#workerFailures++;
  }

  recordResponse(route: string, status: number): void {
    const key = `${route} ${status}`;
    const entry = this.#responses.get(key);
    if (entry === undefined) this.#responses.set(key, { route, status, count: 1 });
    else entry.count++;
  }

  /** Blocks committed so far. */
  get blocks(): number {
    return this.#blocks;
  }

  render(live: LiveGauges): string {
    const families = new Map<string, Family>();
    const add = (name: string, type: Family["type"], help: string, value: number, labels: Labels = {}): void => {
      let family = families.get(name);
      if (family === undefined) {
        family = { type, help, samples: [] };
        families.set(name, family);
      }
      family.samples.push({ labels, value });
    };
    add("prescient_info", "gauge", "The executor the service runs blocks with.", 1, { mode: live.mode, threads: String(live.threads) });
    add("prescient_head_block_number", "gauge", "Number of the last committed block (0: the genesis).", Number(live.headNumber));
    add("prescient_commit_queue_depth", "gauge", "Block commits and reads waiting for the commit lock, the running one included.", live.queueDepth);
    add("prescient_mempool_pending_txs", "gauge", "Transactions in the mempool, handed out in a batch or not.", live.mempoolPending);
    add("prescient_blocks_total", "counter", "Blocks committed.", this.#blocks);
    for (const status of STATUSES) add("prescient_txs_total", "counter", "Transactions in committed blocks, by receipt status.", this.#txs[status], { status });
    add("prescient_gas_used_total", "counter", "Gas used by committed blocks.", this.#gasUsed);
    add("prescient_tx_executions_total", "counter", "Transaction executions (Block-STM incarnations included).", this.#executions);
    add("prescient_tx_validations_total", "counter", "Block-STM validations.", this.#validations);
    add("prescient_tx_aborts_total", "counter", "Executions aborted and re-run (Block-STM conflicts, guard rollbacks).", this.#aborts);
    add("prescient_access_list_violations_total", "counter", "Accesses outside a transaction's declared access list.", this.#violations);
    add("prescient_worker_failures_total", "counter", "Blocks re-run on the calling thread after a worker thread failed.", this.#workerFailures);
    add("prescient_block_execution_seconds_total", "counter", "Time spent executing committed blocks.", this.#wallMs / 1000);
    add("prescient_last_block_execution_seconds", "gauge", "Execution time of the last committed block.", this.#lastWallMs / 1000);
    add("prescient_last_block_projected_speedup", "gauge", "The scheduler's projected speedup of the last block at the executor's thread count (gas / list-schedule makespan).", this.#lastProjected);
    add(
      "prescient_projected_speedup_average",
      "gauge",
      "Projected speedup over every committed block: their gas / the sum of their makespans.",
      this.#projectedMakespan > 0 ? this.#projectedGas / this.#projectedMakespan : 1,
    );
    if (this.#measuredBlocks > 0) {
      add("prescient_sequential_execution_seconds_total", "counter", "Time the sequential replica spent on the same blocks.", this.#sequentialMs / 1000);
      add("prescient_last_block_speedup", "gauge", "Measured speedup of the last block: sequential replica time / execution time.", this.#lastMeasured);
      add("prescient_speedup_average", "gauge", "Measured speedup over every measured block: sequential time / execution time.", this.#sequentialMs / Math.max(this.#measuredWallMs, 1e-6));
      add("prescient_state_root_mismatches_total", "counter", "Blocks whose state root differed from the sequential replica's (a bug in prescient).", this.#rootMismatches);
    }
    for (const { route, status, count } of [...this.#responses.values()].sort((a, b) => (a.route === b.route ? a.status - b.status : a.route < b.route ? -1 : 1))) {
      add("prescient_http_responses_total", "counter", "HTTP responses by route and status.", count, { route, status: String(status) });
    }
    const lines: string[] = [];
    for (const [name, family] of families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      for (const s of family.samples) lines.push(`${name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
    }
    return `${lines.join("\n")}\n`;
  }
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`).join(",")}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
