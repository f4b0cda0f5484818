/**
 * `prescient run --block FILE --genesis FILE`: execute a block and print the result contract;
 * `--report FILE.html` also measures the sequential reference and writes the block's report page.
 */
import { statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { CommandModule } from "yargs";
import { InputError } from "../../core/errors.js";
import { createBlockReport } from "../../report/createBlockReport.js";
import { Progress } from "../progress.js";
import type { EnforcementPolicy, ExecutionResult } from "../../core/types.js";
import type { StateStore } from "../../state/state.js";
import { executeBlockSequential } from "../../executor/sequential.js";
import { ParallelExecutor } from "../../executor/parallel/parallelExecutor.js";
import { stateToGenesisJson } from "../../state/genesis.js";
import { loadChain } from "../../executor/chain.js";
import { resultToJson, summarizeReceipts, toJson, writeFileAtomic } from "../output.js";

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
  "skip-signatures": boolean;
  report?: string;
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
      .option("skip-signatures", { type: "boolean", default: false, describe: "do not verify signatures (checked upstream)" })
      .option("report", { type: "string", describe: "write an HTML report (DAG, per-thread timeline, speedup, prices); measures sequential too" })
      .check((a) => {
        if (!Number.isInteger(a.threads) || a.threads < 1) throw new Error("--threads must be a positive integer");
        return true;
      }) as never,
  handler: async (args) => {
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
        `block ${chain.block.number}: ${txs} txs — ${counts.success} success, ${counts.revert} revert, ${counts["out-of-gas"]} out-of-gas, ${counts.invalid} invalid`,
        `gas used ${gas}, fees ${fees}`,
        `state root ${result.stateRoot}`,
        `${result.stats.mode} on ${result.stats.threads} thread(s): ${result.stats.wallMs.toFixed(1)} ms (${Math.round((txs * 1000) / Math.max(result.stats.wallMs, 1e-6))} tx/s), ${result.stats.violations} access-list violation(s)`,
        ...(args.report !== undefined ? [`report written to ${args.report}`] : []),
      ].join("\n") + "\n",
    );
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
