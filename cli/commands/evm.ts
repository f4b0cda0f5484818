/**
 * `prescient evm run --block FILE --pre-state FILE [--block-hashes FILE] [--mode M] [--threads K] [--json]`
 * executes an Ethereum block (JSON-RPC form, `.json` or `.json.gz`) on the EVM runtime and checks
 * it against its header; exit 1 when it does not verify.
 *
 * `prescient evm schedule --block FILE --pre-state FILE [--threads K] [--json] [--dot FILE]`
 * prints the block's schedule (as `schedule` does) built from pre-executed (predicted) access sets.
 */
import type { Argv, CommandModule } from "yargs";
import { EXECUTION_MODES } from "./run.js";
import { runSchedule } from "./schedule.js";
import { UsageError } from "../usageError.js";
import { log, toJson } from "../output.js";
import type { ExecutionMode } from "../../core/types.js";
import type { EvmRunReport } from "../../evm/runEvmBlock.js";
import type { EvmLog } from "../../evm/runtime/evmRuntime.js";

// The EVM (@ethereumjs/*) loads when an evm command runs, not with every prescient command.

interface EvmRunArgs {
  block: string;
  "pre-state": string;
  "block-hashes"?: string;
  mode: ExecutionMode;
  threads: number;
  json: boolean;
}

interface EvmScheduleArgs {
  block: string;
  "pre-state": string;
  "block-hashes"?: string;
  threads?: number;
  json: boolean;
  dot?: string;
  "base-fee"?: string;
}

function inputs(y: Argv): Argv<{ block: string; "pre-state": string; "block-hashes": string | undefined }> {
  return y
    .option("block", { type: "string", demandOption: true, describe: "block as eth_getBlockByNumber(n, true) returns it (.json or .json.gz)" })
    .option("pre-state", { type: "string", demandOption: true, describe: "pre-state: a pevm snapshot or a geth genesis alloc (.json or .json.gz)" })
    .option("block-hashes", { type: "string", describe: "hashes BLOCKHASH may ask for: { \"<number>\": \"0x…\" }" });
}

/** The result document of `evm run --json`. */
export function evmRunToJson(report: EvmRunReport, logsToJson: (logs: readonly EvmLog[]) => unknown): unknown {
  return {
    number: Number(report.number),
    hardfork: report.hardfork,
    gasUsed: Number(report.gasUsed),
    headerGasUsed: Number(report.headerGasUsed),
    receiptsRoot: report.receiptsRoot ?? null,
    headerReceiptsRoot: report.headerReceiptsRoot,
    logsBloomMatches: report.logsBloomMatches,
    verified: report.verified,
    ...(report.mismatches.length > 0 ? { mismatches: report.mismatches } : {}),
    postStateDigest: report.postStateDigest,
    receipts: report.receipts.map((r) => ({ index: r.index, status: r.status, gasUsed: Number(r.gasUsed), cumulativeGasUsed: Number(r.cumulativeGasUsed), logs: logsToJson(r.logs) })),
    stats: { ...report.stats, wallMs: Math.round(report.stats.wallMs * 1000) / 1000 },
    ...(report.prediction !== undefined ? { prediction: { ...report.prediction, wallMs: Math.round(report.prediction.wallMs * 1000) / 1000 } } : {}),
  };
}

function summary(report: EvmRunReport): string {
  const p = report.prediction;
  const lines = [
    `block ${report.number} (${report.hardfork}): ${report.receipts.length} txs, gasUsed ${report.gasUsed} (header ${report.headerGasUsed})`,
    `receiptsRoot ${report.receiptsRoot ?? "not checkable before Byzantium"} (header ${report.headerReceiptsRoot}); logsBloom ${report.logsBloomMatches ? "matches" : "differs"}`,
    `verified: ${report.verified}${report.mismatches.length > 0 ? ` (${report.mismatches.join("; ")})` : ""}`,
    `post-state digest ${report.postStateDigest}`,
    `${report.stats.mode}: ${report.stats.wallMs.toFixed(1)} ms, ${(Number(report.gasUsed) / report.stats.wallMs / 1000).toFixed(1)} Mgas/s`,
  ];
  if (p !== undefined) {
    lines.push(`prediction (${p.wallMs.toFixed(1)} ms): ${p.predictedMatched}/${p.predicted} predicted sets equal the actual, ${p.exactEqual}/${p.exact} exact (${p.exactCovered} covered), ${p.unknown} unknown`);
  }
  return lines.join("\n") + "\n";
}

const evmRunCommand: CommandModule<object, EvmRunArgs> = {
  command: "run",
  describe: "Execute an Ethereum block and check it against its header (receipts root, logs bloom, gas)",
  builder: (y) =>
    inputs(y)
      .option("mode", { choices: EXECUTION_MODES, default: "sequential" as const, describe: "executor (EVM blocks: sequential for now)" })
      .option("threads", { type: "number", default: 1, describe: "worker threads (parallel modes)" })
      .option("json", { type: "boolean", default: false, describe: "print one JSON document" })
      .check((a) => {
        if (!Number.isInteger(a.threads) || a.threads < 1 || a.threads > 64) throw new UsageError("--threads must be an integer in [1, 64]");
        return true;
      }) as never,
  handler: async (args) => {
    const [{ checkEvmMode, runEvmBlock }, { logsToJson }] = await Promise.all([import("../../evm/runEvmBlock.js"), import("../../evm/verify/receipts.js")]);
    checkEvmMode(args.mode);
    const report = await runEvmBlock({ source: { blockFile: args.block, preStateFile: args["pre-state"], blockHashesFile: args["block-hashes"] }, mode: args.mode, threads: args.threads });
    process.stdout.write(args.json ? `${toJson(evmRunToJson(report, logsToJson))}\n` : summary(report));
    if (!report.verified) {
      if (!args.json) log(`block ${report.number} does not verify`);
      process.exitCode = 1;
    }
  },
};

const evmScheduleCommand: CommandModule<object, EvmScheduleArgs> = {
  command: "schedule",
  describe: "Schedule an Ethereum block from pre-executed (predicted) access sets: the document of `schedule`",
  builder: (y) =>
    inputs(y)
      .option("threads", { type: "number", describe: "assign transactions to K workers" })
      .option("json", { type: "boolean", default: false, describe: "one JSON document on stdout" })
      .option("dot", { type: "string", describe: "write the DAG as Graphviz DOT to FILE" })
      .option("base-fee", { type: "string", describe: "base fee per gas for the quotes (decimal, default 1)" }) as never,
  handler: async (args) => {
    const [{ withBarriers }, { EvmRuntime, loadEvmBlock }, { predictBlock }] = await Promise.all([
      import("../../executor/accessSets.js"),
      import("../../evm/runtime/evmRuntime.js"),
      import("../../evm/predict/preExecute.js"),
    ]);
    await runSchedule({ block: args.block, threads: args.threads, json: args.json, dot: args.dot, baseFee: args["base-fee"] }, async (blockFile) => {
      const runtime = await EvmRuntime.create(await loadEvmBlock({ blockFile, preStateFile: args["pre-state"], blockHashesFile: args["block-hashes"] }));
      const prediction = await predictBlock(runtime, runtime.prepareBlock());
      return withBarriers(prediction.sets);
    });
  },
};

export const evmCommand: CommandModule = {
  command: "evm <command>",
  describe: "Ethereum blocks: run and verify them, schedule them from predicted access sets",
  builder: (y) => y.command(evmRunCommand).command(evmScheduleCommand).demandCommand(1, "name an evm command: run or schedule"),
  handler: () => {},
};

