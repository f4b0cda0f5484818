/**
 * `prescient run --block FILE --genesis FILE`: execute a block and print the result contract.
 * With `--state DIR`, the block extends the chain kept in DIR and is committed there.
 * `--report FILE.html` also measures the sequential reference and writes the block's report page.
 */
import { statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { UsageError } from "../usageError.js";
import type { CommandModule } from "yargs";
import { InputError } from "../../core/errors.js";
import { parseBlock, parseGenesis, readJsonFile } from "../../core/schema.js";
import { isAccessTraceDocument } from "../../core/trace.js";
import type { EnforcementPolicy, ExecutionResult } from "../../core/types.js";
import type { StateStore } from "../../state/state.js";
import { executeBlockSequential } from "../../executor/sequential.js";
import { ParallelExecutor } from "../../executor/parallel/parallelExecutor.js";
import { stateToGenesisJson } from "../../state/genesis.js";
import { loadChain } from "../../executor/chain.js";
import { Chain } from "../../chain/chain.js";
import { createBlockReport } from "../../report/createBlockReport.js";
import { resultToJson, summarizeReceipts, toJson, writeFileAtomic } from "../output.js";
import { Progress } from "../progress.js";

export const EXECUTION_MODES = ["sequential", "hybrid", "columns", "blockstm"] as const;

interface RunArgs {
  block: string;
  genesis?: string;
  mode: (typeof EXECUTION_MODES)[number];
  events: boolean;
  threads: number;
  enforce: EnforcementPolicy;
  json: boolean;
  trace: boolean;
  "state-out"?: string;
  state?: string;
  "skip-signatures": boolean;
  report?: string;
  "report-runs": number;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: "run",
  describe: "Execute a block and print its state root, receipts and stats",
  builder: (y) =>
    y
      .option("block", { type: "string", demandOption: true, describe: "block JSON file" })
      .option("genesis", { type: "string", describe: "genesis JSON file" })
      .option("mode", { choices: EXECUTION_MODES, default: "hybrid" as const, describe: "executor" })
      .option("threads", { type: "number", default: 2, describe: "worker threads (parallel modes)" })
      .option("events", { type: "boolean", default: false, describe: "record events in the library result" })
      .option("enforce", { choices: ["strict", "fallback", "off"] as const, default: "fallback" as const, describe: "declared access list policy" })
      .option("json", { type: "boolean", default: false, describe: "print one JSON document" })
      .option("trace", { type: "boolean", default: false, describe: "add each receipt's actual reads and writes" })
      .option("state-out", { type: "string", describe: "write the post-state as a genesis file" })
      .option("state", { type: "string", describe: "state directory (LMDB): commit the block onto the chain kept there; --genesis initializes it" })
      .option("skip-signatures", { type: "boolean", default: false, describe: "do not verify signatures (checked upstream)" })
      .option("report", { type: "string", describe: "write an HTML report (DAG, per-thread timeline, speedup, hot locations, reverts, prices); measures sequential too" })
      .option("report-runs", { type: "number", default: 5, describe: "--report: measured pairs of runs (sequential, then the mode); the speedup is the ratio of the medians, with its range" })
      .check((a) => {
        if (!Number.isInteger(a.threads) || a.threads < 1 || a.threads > 64) throw new UsageError("--threads must be an integer in [1, 64]");
        if (a.report !== undefined && a.state !== undefined) throw new UsageError("--report measures a block from its genesis: run it without --state");
        if (!Number.isInteger(a["report-runs"]) || a["report-runs"] < 1 || a["report-runs"] > 100) throw new UsageError("--report-runs must be an integer from 1 to 100");
        return true;
      }) as never,
  handler: async (args) => {
    if (args.state !== undefined) return runOnState(args, args.state);
    if (args.report !== undefined) checkWritable(args.report, "--report");
    const progress = new Progress("run", args.json);
    // Only when drawn: a parallel run polls its shared counters for it ten times a second.
    const executing = progress.enabled ? { onProgress: (done: number, total: number) => progress.update(done, total, "executing") } : {};
    progress.step(`loading ${basename(args.block)}`);
    const chain = await loadChain({ blockFile: args.block, genesisFile: args.genesis });
    const checkSignatures = !args["skip-signatures"];
    let result: ExecutionResult;
    let postState: StateStore;
    let reportHtml: string | undefined;
    if (args.report !== undefined) {
      const made = await createBlockReport({
        chain,
        mode: args.mode,
        threads: args.threads,
        enforce: args.enforce,
        checkSignatures,
        trace: args.trace,
        runs: args["report-runs"],
        source: args.block,
        ...(progress.enabled
          ? { onProgress: (step: string, done?: number, total?: number) => (done === undefined || total === undefined ? progress.step(step) : progress.update(done, total, step)) }
          : {}),
      });
      result = made.result;
      postState = made.state;
      reportHtml = made.html;
    } else if (args.mode === "sequential" || args.trace) {
      // Tracing records every access of every transaction: the sequential executor does that.
      result = executeBlockSequential({ block: chain.block, state: chain.state, runtime: chain.runtime, prepared: chain.prepared, enforce: args.enforce, checkSignatures, trace: args.trace, ...executing });
      postState = chain.state;
    } else {
      progress.step(`starting ${args.threads} worker thread(s)`);
      const executor = await ParallelExecutor.create({ genesis: chain.genesis, baseDir: chain.baseDir, threads: args.threads });
      try {
        progress.step("analyzing and loading the block on every thread");
        const loaded = await executor.load({ block: chain.block, prepared: chain.prepared, checkSignatures });
        result = await executor.execute({ block: loaded, mode: args.mode, enforce: args.enforce, ...executing });
      } finally {
        await executor.close();
      }
      postState = executor.state;
    }
    progress.done();
    if (args.report !== undefined && reportHtml !== undefined) writeOutput(args.report, "--report", reportHtml);
    if (args["state-out"] !== undefined) {
      writeFileAtomic(args["state-out"], toJson(stateToGenesisJson(postState, chain.modules, args["state-out"]), 1));
    }
    printResult(args, chain.block.number, result);
    if (args.report !== undefined && !args.json) process.stdout.write(`report written to ${args.report}\n`);
  },
};

/** Fail before any work when an output file cannot be written where it is asked for. */
function checkWritable(file: string, option: string): void {
  const dir = dirname(resolve(file));
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new InputError(`the directory ${dir} does not exist`, { file, field: option });
  try {
    if (statSync(file).isDirectory()) throw new InputError("is a directory, not a file", { file, field: option });
  } catch (error) {
    if (error instanceof InputError) throw error;
  }
}

function writeOutput(file: string, option: string, text: string): void {
  try {
    writeFileAtomic(file, text);
  } catch (cause) {
    throw new InputError(`cannot write: ${(cause as Error).message}`, { file, field: option, cause });
  }
}

/**
 * `run --state DIR`: the block must be numbered head + 1. Everything is checked (the block, the
 * genesis against DIR, the block number) before anything is written; the commit is atomic.
 */
async function runOnState(args: RunArgs, dir: string): Promise<void> {
  const blockJson = readJsonFile(args.block);
  if (isAccessTraceDocument(blockJson)) {
    throw new InputError("an access trace carries its own pre-state and cannot extend a chain: run it without --state", { file: args.block, field: "--state" });
  }
  const block = parseBlock(blockJson, args.block);
  const genesis = args.genesis === undefined ? undefined : parseGenesis(readJsonFile(args.genesis), args.genesis);
  const sequential = args.mode === "sequential" || args.trace;
  const chain = await Chain.open({ stateDir: dir, ...(genesis !== undefined ? { genesis, genesisFile: args.genesis } : {}), threads: sequential ? 1 : args.threads });
  try {
    const committed = await chain.commitBlock({ block, file: args.block, mode: args.mode, enforce: args.enforce, checkSignatures: !args["skip-signatures"], trace: args.trace });
    if (args["state-out"] !== undefined) {
      writeFileAtomic(args["state-out"], toJson(stateToGenesisJson(chain.state, chain.modules, args["state-out"]), 1));
    }
    printResult(args, block.number, committed.result);
    if (!args.json) process.stdout.write(`committed block ${committed.head.number} to ${dir}: ${committed.changed} location(s) changed, commit ${committed.commitMs.toFixed(1)} ms\n`);
  } finally {
    await chain.close();
  }
}

function printResult(args: RunArgs, blockNumber: bigint, result: ExecutionResult): void {
  if (args.json) {
    process.stdout.write(`${toJson(resultToJson(result, args.trace))}\n`);
    return;
  }
  const counts = summarizeReceipts(result.receipts);
  const gas = result.receipts.reduce((sum, r) => sum + r.gasUsed, 0);
  const fees = result.receipts.reduce((sum, r) => sum + r.fee, 0n);
  const txs = result.receipts.length;
  process.stdout.write(
    [
      `block ${blockNumber}: ${txs} txs — ${counts.success} success, ${counts.revert} revert, ${counts["out-of-gas"]} out-of-gas, ${counts.invalid} invalid`,
      `gas used ${gas}, fees ${fees}`,
      `state root ${result.stateRoot}`,
      `${result.stats.mode} on ${result.stats.threads} thread(s): ${result.stats.wallMs.toFixed(1)} ms (${Math.round((txs * 1000) / Math.max(result.stats.wallMs, 1e-6))} tx/s), ${result.stats.violations} access-list violation(s)`,
    ].join("\n") + "\n",
  );
}
