/**
 * `prescient bench`: executor throughput, every figure measured in this run on this machine.
 */
import type { CommandModule } from "yargs";
import { WORKLOADS } from "../../workloads/index.js";
import { machineDescription, measureSequential, prepareCase, type BenchRow } from "../../bench/measure.js";
import { log, toJson } from "../output.js";

interface BenchArgs {
  workloads: string[];
  txs: number;
  repeat: number;
  json: boolean;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: "bench",
  describe: "Measure executor throughput (median of --repeat runs, in one process)",
  builder: (y) =>
    y
      .option("workloads", { type: "array", string: true, default: ["erc20"], describe: `workloads (${Object.keys(WORKLOADS).join(", ")})` })
      .option("txs", { type: "number", default: 100_000, describe: "transactions per block" })
      .option("repeat", { type: "number", default: 5, describe: "runs per measurement (median reported)" })
      .option("json", { type: "boolean", default: false, describe: "print one JSON document" })
      .check((a) => {
        for (const w of a.workloads) if (!(w in WORKLOADS)) throw new Error(`unknown workload ${JSON.stringify(w)} (choose from ${Object.keys(WORKLOADS).join(", ")})`);
        if (!Number.isInteger(a.txs) || a.txs < 1) throw new Error("--txs must be a positive integer");
        if (!Number.isInteger(a.repeat) || a.repeat < 1) throw new Error("--repeat must be a positive integer");
        return true;
      }) as never,
  handler: async (args) => {
    const rows: BenchRow[] = [];
    for (const workload of args.workloads as (keyof typeof WORKLOADS)[]) {
      if (!args.json) log(`generating ${workload} (${args.txs} txs)…`);
      const chain = await prepareCase({ workload, options: { txs: args.txs, seed: 1 }, label: workload });
      for (const signatures of [true, false]) {
        const row = measureSequential(chain, workload, signatures, args.repeat);
        rows.push(row);
        if (!args.json) log(`  ${workload} sequential signatures=${signatures}: ${row.txPerSecond} tx/s (median ${row.medianMs.toFixed(0)} ms)`);
      }
    }
    const machine = machineDescription();
    if (args.json) {
      process.stdout.write(`${toJson({ machine, rows })}\n`);
      return;
    }
    const lines = [`machine: ${machine}`, "| workload | txs | mode | signatures | median ms | tx/s |", "|---|---:|---|---|---:|---:|"];
    for (const r of rows) lines.push(`| ${r.label} | ${r.txs} | ${r.mode} | ${r.signatures ? "checked" : "skipped"} | ${r.medianMs.toFixed(0)} | ${r.txPerSecond} |`);
    process.stdout.write(`${lines.join("\n")}\n`);
  },
};
