/**
 * The command line's conventions (clig.dev): help and version on every command, `help <command>`,
 * a suggestion for a mistyped command, and options checked before any work. Most run the parser
 * in this process (fast); the ones about exit codes and streams run the real binary.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createParser } from "../cli/parser.js";
import { runMempool } from "../cli/commands/mempool.js";
import { UsageError } from "../cli/usageError.js";
import { ROOT, cli } from "./helpers.js";

const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const COMMANDS = ["demo", "gen", "run", "schedule", "mempool", "analyze", "bench", "serve"];

/** What the parser prints for `argv` (help, version), without running a command or exiting. */
function printed(argv: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    createParser(argv)
      .exitProcess(false)
      .parse(argv as string[], {}, (error, _argv, output) => (error ? reject(error) : resolve(output))),
  );
}

describe("help and version on every command", () => {
  for (const command of COMMANDS) {
    it(command, async () => {
      for (const flag of ["-h", "--help"]) {
        const help = await printed([command, flag]);
        expect(help, `${command} ${flag}`).toMatch(new RegExp(`^prescient ${command}\\b`));
        expect(help).toContain("-h, --help");
        expect(help).toContain("-V, --version");
      }
      for (const flag of ["-V", "--version"]) expect(await printed([command, flag])).toBe(VERSION);
    });
  }

  it("prescient -h lists every command, prescient -V prints the version", async () => {
    const help = await printed(["-h"]);
    for (const command of [...COMMANDS, "help"]) expect(help).toMatch(new RegExp(`^  prescient ${command}\\b`, "m"));
    expect(await printed(["-V"])).toBe(VERSION);
  });

  it("run -h prints help even though --block is required; help run prints the same", () => {
    const short = cli(["run", "-h"]);
    expect(short.status).toBe(0);
    expect(short.stderr).toBe("");
    expect(short.stdout).toMatch(/^prescient run\n/);
    expect(short.stdout).toContain("--block");
    expect(short.stdout).not.toContain("Missing required argument");
    const viaHelp = cli(["help", "run"]);
    expect(viaHelp.status).toBe(0);
    expect(viaHelp.stdout).toBe(short.stdout);
  });
});

/** The usage error `argv` is refused with, before its command does any work. */
async function refused(argv: readonly string[]): Promise<string> {
  try {
    await createParser(argv).exitProcess(false).parseAsync();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(" ")} was not refused`);
}

describe("a mistyped command", () => {
  it("is refused with a suggestion, on its own or after help", async () => {
    expect(await refused(["rn", "--block", "b.json"])).toBe('unknown command "rn": did you mean run?');
    expect(await refused(["help", "sevre"])).toBe('unknown command "sevre": did you mean serve?');
    expect(await refused(["xyzzy"])).toBe('unknown command "xyzzy" (the commands: help, demo, gen, run, schedule, mempool, analyze, bench, serve)');
  });

  it("exits 2 with the message on stderr, nothing on stdout", () => {
    const r = cli(["rn"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('error: unknown command "rn": did you mean run?\n(run prescient --help for usage)\n');
    expect(r.stdout).toBe("");
  });
});

describe("options checked before any work", () => {
  it("mempool --max-txs and --max-gas take what POST /mempool/batch takes", async () => {
    expect(await refused(["mempool", "--max-txs", "0"])).toBe("--max-txs: expected a positive integer, got 0");
    expect(await refused(["mempool", "--max-txs", "2.5"])).toBe("--max-txs: expected a positive integer, got 2.5");
    expect(await refused(["mempool", "--max-gas", "0"])).toBe("--max-gas: expected a positive number, got 0");
    expect(await refused(["mempool", "--max-gas", "-3"])).toBe("--max-gas: expected a positive number, got -3");
    expect(await refused(["mempool", "--max-gas", "lots"])).toBe("--max-gas: expected a positive number, got NaN");
  });

  it("bench --cases with a name no case has: refused naming the cases, nothing measured, no process started", async () => {
    const message = await refused(["bench", "--cases", "transfers", "erc2O", "--processes", "3"]);
    expect(message).toMatch(/^--cases: no case starts with "erc2O"; the cases are transfers, erc20, p2p, hot, chain, defi, mainnet \(/);
  });
});

describe("prescient mempool: a bad line", () => {
  const lines = [
    '{"id":"a","reads":[],"writes":["k"],"gas":1}',
    '{"id":"b","reads":["k"],"writes":[],"gas":1}',
    "",
    '{"id":"c","reads":[],"writes":[],"gas":"lots"}',
    '{"id":"d","reads":[],"writes":[],"gas":1}',
  ];

  it("stops the input and names its line; the records before it are kept and drained", async () => {
    const out: string[] = [];
    await expect(runMempool(lines, {}, (line) => out.push(line))).rejects.toThrow(/^<stdin> line 4: gas: /);
    // a and b came before the bad line: their batches; d came after it and was not read.
    expect(out.map((l) => JSON.parse(l).txs)).toEqual([["a"], ["b"]]);
    // Without --drain, the records before it stay pending: nothing is emitted for them.
    const undrained: string[] = [];
    await expect(runMempool(lines, { drain: false }, (line) => undrained.push(line))).rejects.toThrow(/line 4/);
    expect(undrained).toEqual([]);
  });

  it("the command: batches of the records before it on stdout, the line on stderr, exit 2", () => {
    const r = cli(["mempool"], `${lines.join("\n")}\n`);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("error: <stdin> line 4: gas: Invalid input: expected number, received string\n");
    expect(r.stdout.trim().split("\n").map((l) => JSON.parse(l).txs)).toEqual([["a"], ["b"]]);
  });
});
