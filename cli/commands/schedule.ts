/**
 * `prescient schedule --block FILE [--genesis FILE] [--threads K] [--json] [--dot FILE]`
 *
 * Schedules a block: conflict DAG, columns, critical path, projected speedups, a worker
 * assignment for `--threads K` and fee quotes. Access-trace files (`"format": "access-trace/v1"`)
 * are read here; any other block format is handed to the loader the main CLI passes to
 * `createScheduleCommand`, since turning transactions into access sets needs the analyzer.
 */

import { writeFileSync } from "node:fs";
import type { CommandModule } from "yargs";
import type { BlockAccessSets } from "../../core/accessSet.js";
import { InputError } from "../../core/errors.js";
import { readJsonFile } from "../../core/schema.js";
import { accessSetsFromTrace, isAccessTraceDocument, parseAccessTrace } from "../../core/trace.js";
import { CongestionState } from "../../scheduler/congestionState.js";
import { toDot } from "../../scheduler/graphExport.js";
import { scheduleBlock, type ScheduleResult } from "../../scheduler/scheduleBlock.js";

/** Loads a block that is not an access trace (e.g. a `gen` block plus its genesis). */
export type BlockAccessSetsLoader = (blockFile: string, genesisFile: string | undefined) => Promise<BlockAccessSets>;

export interface ScheduleArguments {
  readonly block: string;
  readonly genesis?: string | undefined;
  readonly threads?: number | undefined;
  readonly json?: boolean | undefined;
  readonly dot?: string | undefined;
  readonly baseFee?: string | undefined;
  readonly congestionIn?: string | undefined;
  readonly congestionOut?: string | undefined;
}

export interface CommandOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processOutput: CommandOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Access sets of a block file: access traces directly, anything else through `loadOtherFormats`. */
export async function loadBlockAccessSets(
  blockFile: string,
  genesisFile: string | undefined,
  loadOtherFormats: BlockAccessSetsLoader | undefined,
): Promise<{ sets: BlockAccessSets; label: string }> {
  const json = readJsonFile(blockFile);
  if (isAccessTraceDocument(json)) {
    const trace = parseAccessTrace(json, blockFile);
    return { sets: accessSetsFromTrace(trace), label: `block ${trace.block} (access-trace/v1)` };
  }
  if (loadOtherFormats === undefined) {
    throw new InputError('not an access trace ("format": "access-trace/v1") and no loader for other block formats', {
      file: blockFile,
      field: "format",
    });
  }
  return { sets: await loadOtherFormats(blockFile, genesisFile), label: blockFile };
}

function parseBaseFee(text: string | undefined): bigint {
  if (text === undefined) return 1n;
  if (!/^[0-9]+$/.test(text)) throw new InputError("expected a non-negative decimal integer", { field: "--base-fee" });
  return BigInt(text);
}

function formatGas(gas: number): string {
  if (gas >= 1e6) return `${(gas / 1e6).toFixed(2)} Mgas`;
  if (gas >= 1e3) return `${(gas / 1e3).toFixed(1)} kgas`;
  return `${gas} gas`;
}

/** The short human-readable report. */
export function formatScheduleReport(label: string, result: ScheduleResult): string {
  const json = result.toJSON();
  const lines: string[] = [];
  const n = json.txs;
  let widest = 0;
  for (const column of json.columns) widest = Math.max(widest, column.length);
  lines.push(`${label}: ${n} txs, ${formatGas(json.totalGas)}, ${json.edges} conflict edges, ${json.locations} locations`);
  lines.push(`columns: ${json.columns.length} (widest ${widest} txs${n > 0 ? `, first ${json.columns[0]?.length ?? 0}` : ""})`);
  lines.push(
    `critical path: ${json.criticalPath.length} txs by count, ${formatGas(json.criticalPath.gas)} by gas (${(json.criticalPath.gasShare * 100).toFixed(1)}% of the block)`,
  );
  lines.push(
    `projected speedup: ${Object.entries(json.projectedSpeedup)
      .map(([k, v]) => `${k}t ${v.toFixed(2)}×`)
      .join(", ")}`,
  );
  if (json.assignment !== undefined) {
    const loads = json.assignment.load.map((l) => formatGas(l)).join(", ");
    lines.push(`assignment on ${json.assignment.threads} workers (${json.assignment.chains} chains): ${loads}`);
  }
  if (result.quote !== undefined && json.prices !== undefined) {
    const multipliers = result.quote.quotes.map((q) => q.multiplier);
    const ratio = result.quote.flatFee > 0n ? Number((result.quote.totalFee * 10_000n) / result.quote.flatFee) / 10_000 : 1;
    const critical = result.quote.quotes.filter((q) => q.critical).length;
    lines.push(
      `fees: total ${ratio.toFixed(4)}× the flat fee; multipliers ${Math.min(...multipliers).toFixed(2)}–${Math.max(...multipliers).toFixed(2)}; ${critical} txs on the bottleneck chain`,
    );
  }
  return lines.join("\n") + "\n";
}

export async function runSchedule(
  args: ScheduleArguments,
  loadOtherFormats?: BlockAccessSetsLoader,
  output: CommandOutput = processOutput,
): Promise<ScheduleResult> {
  if (args.threads !== undefined && (!Number.isInteger(args.threads) || args.threads < 1)) {
    throw new InputError("expected a positive integer", { field: "--threads" });
  }
  const { sets, label } = await loadBlockAccessSets(args.block, args.genesis, loadOtherFormats);
  const congestion =
    args.congestionIn === undefined ? CongestionState.empty() : CongestionState.fromJSON(readJsonFile(args.congestionIn), args.congestionIn);
  const result = scheduleBlock(sets, {
    ...(args.threads === undefined ? {} : { threads: args.threads }),
    baseFee: parseBaseFee(args.baseFee),
    congestion,
  });
  if (args.dot !== undefined) {
    writeFileSync(args.dot, toDot(result.graph, { columnOf: result.layout.columnOf, criticalPath: result.criticalPath.txs }));
  }
  if (args.congestionOut !== undefined && result.nextCongestion !== undefined) {
    writeFileSync(args.congestionOut, JSON.stringify(result.nextCongestion.toJSON()) + "\n");
  }
  if (args.json === true) output.stdout(JSON.stringify(result.toJSON()) + "\n");
  else output.stdout(formatScheduleReport(label, result));
  return result;
}

/**
 * The `schedule` command. The main CLI passes a loader for block formats other than access
 * traces (e.g. `gen` blocks, which need the analyzer and the genesis).
 */
export function createScheduleCommand(loadOtherFormats?: BlockAccessSetsLoader): CommandModule<object, ScheduleArguments> {
  return {
    command: "schedule",
    describe: "Build the conflict DAG of a block: columns, critical path, projected speedups, worker assignment and fees",
    builder: (yargs) =>
      yargs
        .option("block", { type: "string", demandOption: true, describe: "block file (access-trace/v1 or a block for the loader)" })
        .option("genesis", { type: "string", describe: "genesis file (for non-trace blocks)" })
        .option("threads", { type: "number", describe: "assign transactions to K workers" })
        .option("json", { type: "boolean", default: false, describe: "one JSON document on stdout" })
        .option("dot", { type: "string", describe: "write the DAG as Graphviz DOT to FILE" })
        .option("base-fee", { type: "string", describe: "base fee per gas for the quotes (decimal, default 1)" })
        .option("congestion-in", { type: "string", describe: "congestion state carried from the previous block (JSON)" })
        .option("congestion-out", { type: "string", describe: "write the congestion state for the next block (JSON)" }),
    handler: async (argv) => {
      await runSchedule(argv, loadOtherFormats);
    },
  };
}

/** The command without a loader for other formats: access traces only. */
export const scheduleCommand: CommandModule<object, ScheduleArguments> = createScheduleCommand();
