/**
 * `prescient gen <workload> --out DIR`: a deterministic genesis and block for a workload; with
 * `--blocks N`, its transactions as a chain of N blocks for `run --state`.
 */
import { UsageError } from "../usageError.js";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { CommandModule } from "yargs";
import { blockToJson } from "../../core/schema.js";
import type { Genesis } from "../../core/types.js";
import { valueToJson } from "../../core/value.js";
import { DEFAULT_GEN_SEED, DEFAULT_GEN_TXS, DEFAULT_MAINNET_BLOCK, WORKLOADS, WORKLOAD_NAMES, generateWorkload, mainnetWorkload } from "../../workloads/index.js";
import { splitIntoBlocks } from "../../workloads/split.js";
import { log, toJson, writeFileAtomic } from "../output.js";
import { Progress } from "../progress.js";

export function genesisToJson(genesis: Genesis): unknown {
  return {
    contracts: genesis.contracts.map((c) => ({
      address: c.address,
      contract: c.contract,
      storage: Object.fromEntries(Object.entries(c.storage).map(([k, v]) => [k, valueToJson(v)])),
    })),
    accounts: genesis.accounts.map((a) => ({
      address: a.address,
      ...(a.publicKey !== undefined ? { publicKey: a.publicKey } : {}),
      balance: a.balance.toString(),
      nonce: a.nonce.toString(),
    })),
  };
}

interface GenArgs {
  workload: string;
  out: string;
  txs: number;
  accounts?: number;
  "hot-ratio": number;
  seed: string;
  declare: boolean;
  number: number;
  blocks: number;
}

export const genCommand: CommandModule<object, GenArgs> = {
  command: "gen <workload>",
  describe: "Generate a deterministic genesis.json and block.json for a workload",
  builder: (y) =>
    y
      .positional("workload", { choices: WORKLOAD_NAMES, demandOption: true, describe: "which workload" })
      .option("out", { type: "string", demandOption: true, describe: "output directory" })
      .option("txs", { type: "number", default: DEFAULT_GEN_TXS, describe: "number of transactions" })
      .option("accounts", { type: "number", describe: "accounts (p2p: K; hot: population; defi: traders)" })
      .option("hot-ratio", { type: "number", default: 0.3, describe: "share of txs touching the hot accounts (hot)" })
      .option("seed", { type: "string", default: DEFAULT_GEN_SEED, describe: "seed: the same seed gives the same files" })
      .option("declare", { type: "boolean", default: true, describe: "give transactions exact declared access lists (--no-declare to omit)" })
      .option("number", { type: "number", default: DEFAULT_MAINNET_BLOCK, describe: "mainnet: which block of the shared access traces" })
      .option("blocks", { type: "number", default: 1, describe: "split the transactions into a chain of N blocks: block-1.json … block-N.json" })
      .check((a) => {
        if (!Number.isInteger(a.txs) || a.txs < 1) throw new UsageError("--txs must be a positive integer");
        if (a.accounts !== undefined && (!Number.isInteger(a.accounts) || a.accounts < 2)) throw new UsageError("--accounts must be an integer >= 2");
        if (!(a["hot-ratio"] >= 0 && a["hot-ratio"] <= 1)) throw new UsageError("--hot-ratio must be between 0 and 1");
        if (!Number.isInteger(a.blocks) || a.blocks < 1 || a.blocks > a.txs) throw new UsageError("--blocks must be an integer between 1 and --txs");
        return true;
      }) as never,
  handler: (args) => {
    // Signing dominates (about 50 µs a transaction): a 100k-transaction block takes seconds.
    const progress = new Progress(`gen ${args.workload}`);
    if (args.workload === "mainnet") progress.step(`reading block ${args.number} of the access traces`);
    const workload = args.workload === "mainnet" ? mainnetWorkload(args.number) : generateWorkload(args.workload as keyof typeof WORKLOADS, {
      txs: args.txs,
      seed: args.seed,
      hotRatio: args["hot-ratio"],
      declare: args.declare,
      ...(args.accounts !== undefined ? { accounts: args.accounts } : {}),
      onProgress: (done, total) => progress.update(done, total, "signing transactions"),
    });
    mkdirSync(args.out, { recursive: true });
    progress.step("writing genesis.json");
    writeFileAtomic(join(args.out, "genesis.json"), toJson(genesisToJson(workload.genesis)));
    if (args.blocks === 1) {
      progress.step("writing block.json");
      writeFileAtomic(join(args.out, "block.json"), toJson(blockToJson(workload.block)));
      progress.done();
      log(`wrote ${join(args.out, "genesis.json")} and ${join(args.out, "block.json")} (${workload.block.txs.length} txs)`);
      return;
    }
    const blocks = splitIntoBlocks(workload.block, args.blocks);
    for (const [i, block] of blocks.entries()) {
      progress.update(i, blocks.length, `writing block-${block.number}.json`);
      writeFileAtomic(join(args.out, `block-${block.number}.json`), toJson(blockToJson(block)));
    }
    progress.done();
    log(`wrote ${join(args.out, "genesis.json")} and block-1.json … block-${blocks.length}.json (${workload.block.txs.length} txs)`);
  },
};
