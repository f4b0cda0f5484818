/**
 * The `prescient` command line's parser and runner (main.ts runs it on the process's arguments).
 * Usage and input errors print one line and exit 2; anything else is a bug in prescient and
 * prints its stack.
 *
 * Conventions (clig.dev): `-h`/`--help` and `-V`/`--version` on every command, `prescient help
 * <command>`, a suggestion for a mistyped command, help text wrapped to the terminal.
 */
import yargs, { type Argv, type CommandModule } from "yargs";
import { BaseError } from "../core/errors.js";
import { packageVersion } from "../core/paths.js";
import { UsageError } from "./usageError.js";
import { analyzeCommand } from "./commands/analyze.js";
import { benchCommand } from "./commands/bench.js";
import { demoCommand } from "./commands/demo.js";
import { genCommand } from "./commands/gen.js";
import { mempoolCommand } from "./commands/mempool.js";
import { runCommand } from "./commands/run.js";
import { createScheduleCommand } from "./commands/schedule.js";
import { serveCommand } from "./commands/serve.js";
import { terminalColumns } from "./progress.js";
import { loadChain } from "../executor/chain.js";
import { analyzeBlockAccessSets } from "../executor/accessSets.js";

const scheduleCommand = createScheduleCommand(async (blockFile, genesisFile) => {
  const chain = await loadChain({ blockFile, genesisFile });
  return analyzeBlockAccessSets({ block: chain.block, prepared: chain.prepared, runtime: chain.runtime, state: chain.state, checkSignatures: true });
});

// Each `as CommandModule` forgets the command's own argument type: yargs checks them per command.
const COMMANDS = [demoCommand, genCommand, runCommand, scheduleCommand, mempoolCommand, analyzeCommand, benchCommand, serveCommand] as CommandModule[];

interface HelpArgs {
  command: string[] | undefined;
}

/** The names a command answers to (`gen <workload>` answers to `gen`). */
const COMMAND_NAMES = new Set(["help", ...COMMANDS.map((c) => String(c.command).split(" ")[0]!)]);

/** `prescient help [command]`: the help of a command, as `prescient <command> --help` prints it. */
const helpCommand: CommandModule<object, HelpArgs> = {
  command: "help [command..]",
  describe: "Show the help of a command (or of prescient)",
  builder: (y) => y.positional("command", { type: "string", array: true, describe: "the command, e.g. run" }) as Argv<HelpArgs>,
  handler: async (args) => {
    const [name, ...rest] = args.command ?? [];
    // A parser of its own: the help shown is the one `prescient <command> --help` prints; a
    // mistyped command fails as it does on the command line, with the same suggestion.
    if (name !== undefined && !COMMAND_NAMES.has(name)) await createParser([name]).parseAsync();
    await createParser([...(name !== undefined ? [name, ...rest] : []), "--help"]).parseAsync();
  },
};

/** Help text width: the terminal's, at most 110 (80 when it does not say, or says 0). */
function helpWidth(): number {
  return Math.min(110, terminalColumns(process.stdout.isTTY === true ? process.stdout.columns : undefined));
}

/**
 * yargs' message, saying "unknown command" when the first word is no command: yargs reports a
 * mistyped command as an unknown argument, or as its suggestion alone.
 */
function usageMessage(message: string, argv: readonly string[]): string {
  const first = argv.find((a) => !a.startsWith("-"));
  if (first === undefined || COMMAND_NAMES.has(first)) return message;
  const suggestion = /^Did you mean (\S+)\?$/.exec(message);
  if (suggestion !== null) return `unknown command "${first}": did you mean ${suggestion[1]}?`;
  if (message === `Unknown argument: ${first}`) return `unknown command "${first}" (the commands: ${[...COMMAND_NAMES].join(", ")})`;
  return message;
}

export function createParser(argv: readonly string[]): Argv {
  let parser = yargs(argv as string[]).scriptName("prescient").usage("$0 <command> [options]");
  for (const command of COMMANDS) parser = parser.command(command);
  return parser
    .command(helpCommand as CommandModule)
    .demandCommand(1, "name a command (see --help)")
    .recommendCommands()
    .strict()
    .fail((message, error) => {
      // A check that rejected an option throws a UsageError; anything else thrown is a bug.
      if (error !== undefined && error !== null) throw error;
      throw new UsageError(usageMessage(message, argv));
    })
    .help("help", "Show help")
    .alias("help", "h")
    .version("version", "Show the version", packageVersion())
    .alias("version", "V")
    .wrap(helpWidth());
}

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await createParser(argv).parseAsync();
    return 0;
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

