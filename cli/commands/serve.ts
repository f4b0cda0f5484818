/**
 * `prescient serve --port P [--genesis FILE] [--state DIR]`: the HTTP JSON service for a sequencer
 * pipeline (service/), on a chain in memory or kept in a state directory. Logs go to stderr;
 * SIGINT or SIGTERM stops it after the queued commits finish.
 */
import type { CommandModule } from "yargs";
import { BaseError } from "../../core/errors.js";
import type { EnforcementPolicy } from "../../core/types.js";
import { DEFAULT_BODY_LIMIT, createService, openChain } from "../../service/createService.js";
import { log } from "../output.js";
import { EXECUTION_MODES } from "./run.js";
import { UsageError } from "../usageError.js";

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
  quiet: boolean;
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: "serve",
  describe: "Serve the pipeline over HTTP: POST /analyze, /schedule, /execute, /mempool/txs, /mempool/batch; GET /state/<location>, /health, /metrics",
  builder: (y) =>
    y
      .option("port", { type: "number", demandOption: true, describe: "TCP port (0: any free port)" })
      .option("host", { type: "string", default: "127.0.0.1", describe: "interface to listen on (0.0.0.0: every interface)" })
      .option("genesis", { type: "string", describe: "genesis JSON file of the chain (with --state: only to initialize DIR)" })
      .option("state", { type: "string", describe: "keep the chain in DIR (LMDB) and continue from its head on restart" })
      .option("mode", { choices: EXECUTION_MODES, default: "hybrid" as const, describe: "executor" })
      .option("threads", { type: "number", default: 2, describe: "worker threads (parallel modes)" })
      .option("enforce", { choices: ["strict", "fallback", "off"] as const, default: "fallback" as const, describe: "declared access list policy" })
      .option("body-limit", { type: "number", default: DEFAULT_BODY_LIMIT, describe: "largest request body in bytes (larger: 413)" })
      .option("skip-signatures", { type: "boolean", default: false, describe: "do not verify signatures (checked upstream)" })
      .option("measure-sequential", { type: "boolean", default: false, describe: "also run every block sequentially on a replica: measured speedup metrics and a state-root check (twice the work)" })
      .option("quiet", { type: "boolean", default: false, describe: "no log line per committed block" })
      .check((a) => {
        if (a.genesis === undefined && a.state === undefined) throw new UsageError("give --genesis FILE (a chain in memory) or --state DIR (a chain kept in DIR), or both");
        if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new UsageError("--port must be a whole number from 0 to 65535");
        if (!Number.isInteger(a.threads) || a.threads < 1 || a.threads > 64) throw new UsageError("--threads must be a whole number from 1 to 64");
        if (!Number.isSafeInteger(a["body-limit"]) || a["body-limit"] < 1) throw new UsageError("--body-limit must be a positive whole number of bytes");
        return true;
      }) as never,
  handler: async (args) => {
    const chain = await openChain({
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
      log: (line, kind) => {
        if (kind === "problem" || !args.quiet) log(line);
      },
    });
    let address: string;
    try {
      address = await app.listen({ port: args.port, host: args.host });
    } catch (error) {
      await app.close();
      throw new BaseError(`cannot listen on ${args.host}:${args.port}: ${(error as Error).message}`);
    }
    const executor = args.mode === "sequential" ? "sequential" : `${args.mode} on ${args.threads} thread(s)`;
    const where = args.state !== undefined ? `state ${args.state} at block ${head.number}` : `genesis ${args.genesis}, in memory`;
    log(`prescient serve: listening on ${address} (${where}, ${executor}, access lists ${args.enforce}${args["skip-signatures"] ? ", signatures not checked" : ""})`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    log("prescient serve: stopping after the queued commits");
    await app.close();
  },
};
