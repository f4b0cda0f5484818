/**
 * `prescient demo`: the main job on an embedded default. A realistic DeFi block (swaps on a hot
 * pool, NFT purchases, transfers) is generated, deployed, executed, and reported.
 */
import type { CommandModule } from "yargs";
import { deployChain } from "../../executor/chain.js";
import { executeBlockSequential } from "../../executor/sequential.js";
import { withAccountContract } from "../../state/genesis.js";
import { generateWorkload } from "../../workloads/index.js";
import { machineDescription } from "../../bench/measure.js";
import { resultToJson, summarizeReceipts, toJson } from "../output.js";

interface DemoArgs {
  txs: number;
  seed: string;
  json: boolean;
}

function callMix(fns: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const fn of fns) counts.set(fn, (counts.get(fn) ?? 0) + 1);
  return Array.from(counts, ([fn, n]) => `${n} ${fn}`).join(", ");
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: "demo",
  describe: "Generate a realistic DeFi block, run it, and print a report",
  builder: (y) =>
    y
      .option("txs", { type: "number", default: 2000, describe: "transactions in the block" })
      .option("seed", { type: "string", default: "1", describe: "workload seed" })
      .option("json", { type: "boolean", default: false, describe: "print one JSON document" })
      .check((a) => {
        if (!Number.isInteger(a.txs) || a.txs < 1) throw new Error("--txs must be a positive integer");
        return true;
      }) as never,
  handler: async (args) => {
    const workload = generateWorkload("defi", { txs: args.txs, seed: args.seed });
    const chain = await deployChain(workload.block, withAccountContract(workload.genesis), process.cwd());
    const sequential = executeBlockSequential({ block: chain.block, state: chain.state.clone(), runtime: chain.runtime, prepared: chain.prepared });
    if (args.json) {
      process.stdout.write(`${toJson({ workload: "defi", txs: args.txs, seed: args.seed, sequential: resultToJson(sequential, false) })}\n`);
      return;
    }
    const counts = summarizeReceipts(sequential.receipts);
    const gas = sequential.receipts.reduce((sum, r) => sum + r.gasUsed, 0);
    const txs = chain.block.txs.length;
    const lines = [
      `prescient demo — a DeFi block of ${txs} transactions (seed ${args.seed})`,
      `  calls: ${callMix(chain.block.txs.map((t) => t.fn))}`,
      "",
      "sequential execution (the reference)",
      `  ${counts.success} success, ${counts.revert} revert, ${counts["out-of-gas"]} out-of-gas, ${counts.invalid} invalid; gas used ${gas}`,
      `  ${sequential.stats.wallMs.toFixed(1)} ms, ${Math.round((txs * 1000) / sequential.stats.wallMs)} tx/s, signatures verified`,
      `  state root ${sequential.stateRoot}`,
      "",
      `machine: ${machineDescription()}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  },
};
