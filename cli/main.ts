/**
 * The `prescient` command line. Usage and input errors print one line and exit 2; anything
 * else is a bug in prescient and prints its stack.
 */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { BaseError } from "../core/errors.js";
import { UsageError } from "./usageError.js";
import { analyzeCommand } from "./commands/analyze.js";
import { benchCommand } from "./commands/bench.js";
import { demoCommand } from "./commands/demo.js";
import { evmCommand } from "./commands/evm.js";
import { genCommand } from "./commands/gen.js";
import { mempoolCommand } from "./commands/mempool.js";
import { runCommand } from "./commands/run.js";
import { createScheduleCommand } from "./commands/schedule.js";
import { serveCommand } from "./commands/serve.js";
import { loadChain } from "../executor/chain.js";
import { analyzeBlockAccessSets } from "../executor/accessSets.js";


export async function main(argv: readonly string[]): Promise<number> {
  try {
    await yargs(argv as string[])
      .scriptName("prescient")
      .command(demoCommand)
      .command(genCommand)
      .command(runCommand)
      .command(
        createScheduleCommand(async (blockFile, genesisFile) => {
          const chain = await loadChain({ blockFile, genesisFile });
          return analyzeBlockAccessSets({ block: chain.block, prepared: chain.prepared, runtime: chain.runtime, state: chain.state, checkSignatures: true });
        }),
      )
      .command(mempoolCommand)
      .command(analyzeCommand)
      .command(benchCommand)
      .command(evmCommand)
      .command(serveCommand)
      .demandCommand(1, "name a command (see --help)")
      .strict()
      .fail((message, error) => {
        // A check that rejected an option throws a UsageError; anything else thrown is a bug.
        if (error !== undefined && error !== null) throw error;
        throw new UsageError(message);
      })
      .help()
      .wrap(Math.min(110, process.stdout.columns ?? 110))
      .parseAsync();
    // A command that ran but found a failure (a block that does not verify) set the exit code.
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n(run prescient --help for usage)\n`);
      return 2;
    }
    if (error instanceof BaseError) {
      process.stderr.write(`error: ${error.shortMessage}\n`);
      return 2;
    }
    process.stderr.write(`internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(hideBin(process.argv));
