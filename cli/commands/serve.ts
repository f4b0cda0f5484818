/**
 * `prescient serve [--port P] [--genesis FILE] [--state DIR]`: the HTTP JSON service for a
 * sequencer pipeline (service/). With neither a genesis nor a state directory it serves the
 * embedded default chain (the sample contracts, the genesis `prescient gen defi` writes), like
 * `anvil` or `hardhat node`. Where it listens and how to try it go to stdout; the service's log
 * (JSON lines, `--log-level`) goes to stderr. SIGINT or SIGTERM stops it after the queued commits.
 */
import type { CommandModule } from "yargs";
import { BaseError } from "../../core/errors.js";
import { packageVersion } from "../../core/paths.js";
import type { EnforcementPolicy, Genesis } from "../../core/types.js";
import { DEFAULT_BODY_LIMIT, createService, openChain } from "../../service/createService.js";
import { LOG_LEVELS, type LogLevel } from "../../service/logging.js";
import { ADDRESSES, defaultGenesis } from "../../workloads/index.js";
import { EXECUTION_MODES } from "./run.js";
import { UsageError } from "../usageError.js";

/** The port `serve` listens on unless told otherwise. */
export const DEFAULT_PORT = 7070;

interface ServeArgs {
  port: number;
  host: string;
  genesis?: string;
  state?: string;
  mode: (typeof EXECUTION_MODES)[number];
  threads: number;
  enforce: EnforcementPolicy;
  "body-limit": number;
  "skip-signatures": boolean;
  "measure-sequential": boolean;
  "log-level"?: LogLevel;
  quiet: boolean;
}

/** The default chain's contracts, as the banner lists them. */
const DEFAULT_CONTRACTS: readonly [string, string][] = [
  [ADDRESSES.usdc, "token (USDC)"],
  [ADDRESSES.weth, "token (WETH)"],
  [ADDRESSES.pool, "amm, the USDC/WETH pool"],
  [ADDRESSES.nft, "nft, a market paid in USDC"],
];

/** What `serve` prints once it listens: where, on which chain, and how to try it. */
function banner(args: ServeArgs, address: string, chain: string, defaultChain: Genesis | undefined): string {
  const executor = args.mode === "sequential" ? "sequential" : `${args.mode} on ${args.threads} thread(s)`;
  const lines = [`prescient serve: listening on ${address} (${chain}, ${executor}, access lists ${args.enforce}${args["skip-signatures"] ? ", signatures not checked" : ""})`];
  if (defaultChain !== undefined) {
    lines.push(
      "",
      `prescient ${packageVersion()}: the embedded default chain, the genesis \`prescient gen defi\` writes:`,
      ...DEFAULT_CONTRACTS.map(([address, what]) => `  ${address}  ${what}`),
      `  ${defaultChain.accounts.length} funded accounts (${defaultChain.accounts[0]?.address} …)`,
      "",
      "try it:",
      "  prescient gen defi --out blocks",
      `  curl -s -H 'content-type: application/json' --data-binary @blocks/block.json ${address}/execute`,
    );
  }
  lines.push(`endpoints: POST /analyze /schedule /execute /mempool/txs /mempool/batch · GET /state/<location> /health /metrics /openapi.json`);
  return `${lines.join("\n")}\n`;
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: "serve",
  describe: "Serve the pipeline over HTTP (POST /analyze, /schedule, /execute, /mempool/*; GET /state/<location>, /health, /metrics, /openapi.json); with no chain given, on the embedded default chain",
  builder: (y) =>
    y
      .option("port", { type: "number", default: DEFAULT_PORT, describe: "TCP port (0: any free port)" })
      .option("host", { type: "string", default: "127.0.0.1", describe: "interface to listen on (0.0.0.0: every interface)" })
      .option("genesis", { type: "string", describe: "genesis JSON file of the chain (with --state: only to initialize DIR); neither --genesis nor --state: the embedded default chain" })
      .option("state", { type: "string", describe: "keep the chain in DIR (LMDB) and continue from its head on restart" })
      .option("mode", { choices: EXECUTION_MODES, default: "hybrid" as const, describe: "executor" })
      .option("threads", { type: "number", default: 2, describe: "worker threads (parallel modes)" })
      .option("enforce", { choices: ["strict", "fallback", "off"] as const, default: "fallback" as const, describe: "declared access list policy" })
      .option("body-limit", { type: "number", default: DEFAULT_BODY_LIMIT, describe: "largest request body in bytes (larger: 413)" })
      .option("skip-signatures", { type: "boolean", default: false, describe: "do not verify signatures (checked upstream)" })
      .option("measure-sequential", { type: "boolean", default: false, describe: "also run every block sequentially on a replica: measured speedup metrics and a state-root check (twice the work)" })
      .option("log-level", { choices: LOG_LEVELS, describe: "least severe log line written to stderr (JSON lines; default info: a line per request and per committed block)" })
      .option("quiet", { type: "boolean", default: false, describe: "log warnings and errors only (--log-level warn)" })
      .check((a) => {
        if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new UsageError("--port must be a whole number from 0 to 65535");
        if (!Number.isInteger(a.threads) || a.threads < 1 || a.threads > 64) throw new UsageError("--threads must be a whole number from 1 to 64");
        if (!Number.isSafeInteger(a["body-limit"]) || a["body-limit"] < 1) throw new UsageError("--body-limit must be a positive whole number of bytes");
        return true;
      }) as never,
  handler: async (args) => {
    const useDefault = args.genesis === undefined && args.state === undefined;
    const genesis = useDefault ? defaultGenesis() : undefined;
    const chain = await openChain({
      ...(genesis !== undefined ? { genesis } : {}),
      ...(args.genesis !== undefined ? { genesisFile: args.genesis } : {}),
      ...(args.state !== undefined ? { stateDir: args.state } : {}),
      mode: args.mode,
      threads: args.threads,
    });
    const head = chain.head;
    const app = await createService({
      chain,
      mode: args.mode,
      enforce: args.enforce,
      checkSignatures: !args["skip-signatures"],
      bodyLimit: args["body-limit"],
      measureSequential: args["measure-sequential"],
      log: { level: args["log-level"] ?? (args.quiet ? "warn" : "info") },
    });
    let address: string;
    try {
      address = await app.listen({ port: args.port, host: args.host });
    } catch (error) {
      await app.close();
      throw new BaseError(`cannot listen on ${args.host}:${args.port}: ${(error as Error).message}`);
    }
    const where = args.state !== undefined ? `state ${args.state} at block ${head.number}` : genesis !== undefined ? "the embedded default chain, in memory" : `genesis ${args.genesis}, in memory`;
    process.stdout.write(banner(args, address, where, genesis));
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    app.log.info("stopping after the queued commits");
    await app.close();
  },
};
