/**
 * `prescient analyze`: access templates per contract function and, with a block, access sets
 * per transaction, the count per class and the precision measured against a traced run.
 */
import { UsageError } from "../usageError.js";
import type { CommandModule } from "yargs";
import { resolve } from "node:path";
import type { AccessClass } from "../../core/accessSet.js";
import { InputError } from "../../core/errors.js";
import { samplesDir } from "../../core/paths.js";
import type { EnforcementPolicy } from "../../core/types.js";
import { loadChain } from "../../executor/chain.js";
import { inferAccessSets, traceAndMeasure, type PrecisionReport } from "../../analyzer/analyze.js";
import type { BlockAccessSetsDetail } from "../../analyzer/instantiate.js";
import { contractFiles, loadTemplates } from "../../analyzer/load.js";
import { formatAccess, formatCall, type ContractTemplates } from "../../analyzer/template.js";
import { toJson } from "../output.js";

interface AnalyzeArgs {
  contracts?: string;
  block?: string;
  genesis?: string;
  json: boolean;
  "skip-signatures": boolean;
  trace: boolean;
  enforce: EnforcementPolicy;
  txs: number;
}

/** A block's access sets as `analyze --json` prints them (also the answer of POST /analyze). */
export function accessSetsToJson(sets: BlockAccessSetsDetail): unknown {
  return {
    feeRecipientLocation: sets.feeRecipientLocation,
    txs: sets.txs.map((t) => ({
      index: t.index,
      class: t.class,
      feeRecipient: t.feeRecipient,
      gas: t.gas,
      reads: t.reads,
      writes: t.writes,
      ...(t.reasons.length > 0 ? { reasons: t.reasons } : {}),
      ...(t.warnings.length > 0 ? { warnings: t.warnings } : {}),
    })),
  };
}

/** Transactions per access class. */
export function accessClassCounts(sets: BlockAccessSetsDetail): Record<AccessClass, number> {
  const counts: Record<AccessClass, number> = { exact: 0, "over-approximate": 0, unknown: 0 };
  for (const t of sets.txs) counts[t.class]++;
  return counts;
}

function templatesToJson(t: ContractTemplates): unknown {
  return {
    file: t.file,
    className: t.className,
    ...(t.error !== undefined ? { error: t.error } : {}),
    fields: t.fields,
    functions: Object.values(t.functions).map((f) => ({
      name: f.name,
      public: f.public,
      class: f.class,
      ...(f.reasons.length > 0 ? { reasons: f.reasons } : {}),
      reads: f.accesses.filter((a) => a.rw === "r").map((a) => formatAccess(a, f.params)),
      writes: f.accesses.filter((a) => a.rw === "w").map((a) => formatAccess(a, f.params)),
      calls: f.calls.map((c) => formatCall(c, f.params)),
    })),
  };
}

function templatesToText(t: ContractTemplates): string[] {
  const lines = [`${t.className} (${t.file})${t.error !== undefined ? ` — ${t.error}` : ""}`];
  for (const f of Object.values(t.functions)) {
    lines.push(`  ${f.public ? "" : "(internal) "}${f.name}(${f.params.join(", ")}): ${f.class}`);
    for (const r of f.reasons) lines.push(`    ! ${r}`);
    for (const a of f.accesses) lines.push(`    ${a.rw === "r" ? "read " : "write"} ${formatAccess(a, f.params)}`);
    for (const c of f.calls) lines.push(`    call  ${formatCall(c, f.params)}`);
  }
  return lines;
}

export const analyzeCommand: CommandModule<object, AnalyzeArgs> = {
  command: "analyze",
  describe: "Derive access templates per contract function and access sets per transaction",
  builder: (y) =>
    y
      .option("contracts", { type: "string", describe: "directory of contract modules (default: the shipped samples)" })
      .option("block", { type: "string", describe: "block JSON file: also infer each transaction's access set" })
      .option("genesis", { type: "string", describe: "genesis JSON file (with --block)" })
      .option("json", { type: "boolean", default: false, describe: "print one JSON document" })
      .option("skip-signatures", { type: "boolean", default: false, describe: "the validate phase does not check signatures (no key read)" })
      .option("trace", { type: "boolean", default: true, describe: "run the block sequentially with tracing to measure soundness and precision (--no-trace to skip)" })
      .option("enforce", { choices: ["strict", "fallback", "off"] as const, default: "fallback" as const, describe: "declared access list policy the sets are built for" })
      .option("txs", { type: "number", default: 20, describe: "transactions listed in the text output (all with --json)" })
      .check((a) => {
        if (a.block !== undefined && a.genesis === undefined) throw new UsageError("--block needs --genesis");
        if (a.genesis !== undefined && a.block === undefined) throw new UsageError("--genesis needs --block");
        return true;
      }) as never,
  handler: async (args) => {
    const dir = args.contracts !== undefined ? resolve(args.contracts) : samplesDir();
    let files: string[];
    try {
      files = contractFiles(dir);
    } catch (error) {
      throw new InputError(`cannot read the contracts directory ${dir}: ${(error as Error).message}`);
    }
    const started = performance.now();
    const templates: ContractTemplates[] = [];
    for (const file of files) templates.push(await loadTemplates(file));
    const templatesMs = performance.now() - started;
    const functionClasses: Record<AccessClass, number> = { exact: 0, "over-approximate": 0, unknown: 0 };
    for (const t of templates) for (const f of Object.values(t.functions)) if (f.public) functionClasses[f.class]++;

    let blockReport: { sets: Awaited<ReturnType<typeof inferAccessSets>>; precision?: PrecisionReport; ms: number } | undefined;
    if (args.block !== undefined) {
      const chain = await loadChain({ blockFile: args.block, genesisFile: args.genesis });
      const params = { block: chain.block, runtime: chain.runtime, state: chain.state, prepared: chain.prepared, checkSignatures: !args["skip-signatures"], enforce: args.enforce };
      const t0 = performance.now();
      const sets = await inferAccessSets(params);
      const ms = performance.now() - t0;
      blockReport = { sets, ms, ...(args.trace ? { precision: traceAndMeasure(params, sets.txs) } : {}) };
    }

    if (args.json) {
      const out: Record<string, unknown> = {
        contracts: templates.map(templatesToJson),
        summary: { functions: functionClasses, templatesMs: Math.round(templatesMs * 1000) / 1000 },
      };
      if (blockReport !== undefined) {
        out.block = accessSetsToJson(blockReport.sets);
        out.summary = {
          ...(out.summary as object),
          txs: accessClassCounts(blockReport.sets),
          instantiateMs: Math.round(blockReport.ms * 1000) / 1000,
          warnings: blockReport.sets.warnings.length,
          ...(blockReport.precision !== undefined
            ? { touched: blockReport.precision.touched, inferred: blockReport.precision.inferred, precision: blockReport.precision.precision, misses: blockReport.precision.misses }
            : {}),
        };
      }
      process.stdout.write(`${toJson(out)}\n`);
      return;
    }
    const lines: string[] = [];
    for (const t of templates) lines.push(...templatesToText(t), "");
    lines.push(`functions: ${functionClasses.exact} exact, ${functionClasses["over-approximate"]} over-approximate, ${functionClasses.unknown} unknown (${templatesMs.toFixed(1)} ms)`);
    if (blockReport !== undefined) {
      const { sets, precision } = blockReport;
      const txClasses: Record<AccessClass, number> = { exact: 0, "over-approximate": 0, unknown: 0 };
      for (const t of sets.txs) txClasses[t.class]++;
      lines.push("", `fee recipient: ${sets.feeRecipientLocation}`);
      for (const t of sets.txs.slice(0, args.txs)) {
        lines.push(`tx ${t.index}: ${t.class}${t.feeRecipient !== "none" ? ` (fee recipient: ${t.feeRecipient})` : ""}`);
        for (const r of t.reads) lines.push(`    read  ${r}`);
        for (const w of t.writes) lines.push(`    write ${w}`);
        for (const r of t.reasons) lines.push(`    ! ${r}`);
        for (const w of t.warnings) lines.push(`    warning: ${w}`);
      }
      if (sets.txs.length > args.txs) lines.push(`… ${sets.txs.length - args.txs} more (--txs N or --json)`);
      lines.push(`txs: ${txClasses.exact} exact, ${txClasses["over-approximate"]} over-approximate, ${txClasses.unknown} unknown; ${sets.warnings.length} declared-list warning(s); instantiated in ${blockReport.ms.toFixed(1)} ms`);
      if (precision !== undefined) {
        lines.push(`precision (touched/inferred, exact and over-approximate txs): ${precision.touched}/${precision.inferred} = ${(precision.precision * 100).toFixed(2)}%; misses: ${precision.misses.length}`);
        for (const m of precision.misses.slice(0, 20)) lines.push(`    MISS tx ${m.index} (${m.class}): ${m.kind} ${m.location}`);
      }
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  },
};
