/**
 * `prescient mempool [--max-gas G] [--max-txs N] [--no-auto-include] [--no-drain]`
 *
 * Streams a mempool through the incremental conflict DAG. Input: NDJSON on stdin, one record per
 * line (blank lines ignored):
 *
 *   {"id":"a","reads":["…"],"writes":["…"],"gas":21000,"priority":5}   add a pending transaction
 *   {"include":["a","b"]}                                              remove included transactions
 *   {"drop":["c"]}                                                     remove dropped transactions
 *   {"release":["d"]}                                                  put handed-out transactions back
 *   {"batch":{}}  or  {"batch":{"maxGas":1000000,"maxTxs":64}}         emit the next batch now
 *
 * Output: NDJSON on stdout, one line per batch:
 *
 *   {"batch":1,"txs":["a","d"],"gas":42000,"pending":3}
 *
 * A batch holds ready, mutually non-conflicting transactions, highest priority first (ties by
 * arrival). By default every emitted batch counts as included at once (`--auto-include`), which
 * replays a mempool end to end; with `--no-auto-include` the transactions stay in flight (their
 * dependents wait) until an `include` line names them. At end of input the pool is drained
 * (`--drain`, default): batches are emitted and included until it is empty. A bad line stops the
 * input: the records before it are kept (and drained), and the command exits 2 naming the line.
 */

import { createInterface } from "node:readline";
import type { CommandModule } from "yargs";
import { z } from "zod";
import { InputError, showInput } from "../../core/errors.js";
import { Mempool, type MempoolBatch } from "../../scheduler/mempool.js";
import { UsageError } from "../usageError.js";

export interface MempoolArguments {
  readonly maxGas?: number | undefined;
  readonly maxTxs?: number | undefined;
  readonly autoInclude?: boolean | undefined;
  readonly drain?: boolean | undefined;
}

const txRecord = z.strictObject({
  id: z.string().min(1),
  reads: z.array(z.string()),
  writes: z.array(z.string()),
  gas: z.number().nonnegative().finite(),
  priority: z.number().finite().optional(),
});
const includeRecord = z.strictObject({ include: z.array(z.string()) });
const dropRecord = z.strictObject({ drop: z.array(z.string()) });
const releaseRecord = z.strictObject({ release: z.array(z.string()) });
const batchRecord = z.strictObject({
  batch: z.strictObject({
    maxGas: z.number().positive().optional(),
    maxTxs: z.number().int().positive().optional(),
  }),
});

/** The record schemas by kind, for documents that describe them (the service's OpenAPI). */
export const mempoolRecordSchemas = { tx: txRecord, include: includeRecord, drop: dropRecord, release: releaseRecord, batch: batchRecord } as const;

export type MempoolRecord =
  | { kind: "tx"; value: z.infer<typeof txRecord> }
  | { kind: "include"; ids: string[] }
  | { kind: "drop"; ids: string[] }
  | { kind: "release"; ids: string[] }
  | { kind: "batch"; maxGas: number | undefined; maxTxs: number | undefined };

/** Reports a bad record: the field (`id`, `reads[2]`, `(record)`) and what is wrong with it. */
export type MempoolRecordFailure = (field: string, message: string) => never;

function fail(line: number, field: string, message: string): never {
  throw new InputError(message, { file: `<stdin> line ${line}`, field });
}

function firstIssue(error: z.ZodError, failure: MempoolRecordFailure): never {
  const issue = error.issues[0];
  const field = (issue?.path ?? []).map((p) => (typeof p === "number" ? `[${p}]` : String(p))).join(".").replace(/\.\[/g, "[");
  failure(field === "" ? "(record)" : field, issue?.message ?? "invalid record");
}

/** Parses one record (a parsed JSON value); the record kind is chosen by its distinguishing key. */
export function parseMempoolRecord(json: unknown, failure: MempoolRecordFailure): MempoolRecord {
  if (typeof json !== "object" || json === null || Array.isArray(json)) failure("(record)", "expected a JSON object");
  const record = json as Record<string, unknown>;
  if ("include" in record) {
    const r = includeRecord.safeParse(record);
    if (!r.success) firstIssue(r.error, failure);
    return { kind: "include", ids: r.data.include };
  }
  if ("drop" in record) {
    const r = dropRecord.safeParse(record);
    if (!r.success) firstIssue(r.error, failure);
    return { kind: "drop", ids: r.data.drop };
  }
  if ("release" in record) {
    const r = releaseRecord.safeParse(record);
    if (!r.success) firstIssue(r.error, failure);
    return { kind: "release", ids: r.data.release };
  }
  if ("batch" in record) {
    const r = batchRecord.safeParse(record);
    if (!r.success) firstIssue(r.error, failure);
    return { kind: "batch", maxGas: r.data.batch.maxGas, maxTxs: r.data.batch.maxTxs };
  }
  const r = txRecord.safeParse(record);
  if (!r.success) firstIssue(r.error, failure);
  return { kind: "tx", value: r.data };
}

/** Parses one NDJSON line. */
export function parseMempoolLine(text: string, line: number): MempoolRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    fail(line, "(line)", `malformed JSON: ${(cause as Error).message}`);
  }
  return parseMempoolRecord(json, (field, message) => fail(line, field, message));
}

export interface MempoolRunSummary {
  readonly lines: number;
  readonly added: number;
  readonly batches: number;
  readonly pending: number;
}

/**
 * Runs the protocol over lines of input, writing each output line through `write`. Exposed for
 * tests and for embedding; the command wires it to stdin/stdout.
 *
 * A bad line (malformed JSON, a record that does not parse, an id the pool refuses) stops the
 * input there: the lines after it may depend on it (an `include` naming its transaction), so they
 * are not read. The records before it are kept: they were applied as they came, and at the end
 * they are drained as at the end of a good input (with `drain`). Then the error is thrown, naming
 * the line (`<stdin> line 7: gas: …`); the command exits 2.
 */
export async function runMempool(
  input: AsyncIterable<string> | Iterable<string>,
  args: MempoolArguments,
  write: (line: string) => void,
): Promise<MempoolRunSummary> {
  const pool = new Mempool();
  const maxGas = args.maxGas ?? Number.POSITIVE_INFINITY;
  const maxTxs = args.maxTxs ?? Number.POSITIVE_INFINITY;
  const autoInclude = args.autoInclude ?? true;
  let batches = 0;
  let added = 0;
  let lineNumber = 0;

  const emit = (batch: MempoolBatch, include: boolean): void => {
    if (include) for (const tx of batch.txs) pool.remove(tx.id);
    batches++;
    write(JSON.stringify({ batch: batches, txs: batch.txs.map((t) => t.id), gas: batch.gas, pending: pool.size }));
  };

  let stoppedBy: InputError | undefined;
  try {
    for await (const raw of input) {
      lineNumber++;
      const text = raw.trim();
      if (text === "") continue;
      const record = parseMempoolLine(text, lineNumber);
      switch (record.kind) {
        case "tx":
          if (pool.has(record.value.id)) fail(lineNumber, "id", `transaction ${showInput(record.value.id)} is already pending`);
          if (pool.knows(record.value.id)) fail(lineNumber, "id", `transaction ${showInput(record.value.id)} was removed while it waited on earlier transactions; its id is free again once they leave the pool`);
          {
            const { priority, ...rest } = record.value;
            pool.add(priority === undefined ? rest : { ...rest, priority });
          }
          added++;
          break;
        case "include":
        case "drop":
          for (const id of record.ids) pool.remove(id);
          break;
        case "release":
          for (const id of record.ids) pool.release(id);
          break;
        case "batch":
          emit(pool.nextBatch(record.maxGas ?? maxGas, record.maxTxs ?? maxTxs), autoInclude);
          break;
      }
    }
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    stoppedBy = error;
  }
  if (args.drain ?? true) {
    for (;;) {
      const batch = pool.nextBatch(maxGas, maxTxs);
      if (batch.txs.length === 0) break;
      emit(batch, true);
    }
  }
  if (stoppedBy !== undefined) throw stoppedBy;
  return { lines: lineNumber, added, batches, pending: pool.size };
}

/** `--max-gas` and `--max-txs` take what POST /mempool/batch takes for `maxGas` and `maxTxs`. */
export function checkBatchLimits(a: { readonly "max-gas"?: number | undefined; readonly "max-txs"?: number | undefined }): true {
  const gas = a["max-gas"];
  const txs = a["max-txs"];
  if (gas !== undefined && !(typeof gas === "number" && gas > 0)) throw new UsageError(`--max-gas: expected a positive number, got ${String(gas)}`);
  if (txs !== undefined && !(Number.isSafeInteger(txs) && txs > 0)) throw new UsageError(`--max-txs: expected a positive integer, got ${String(txs)}`);
  return true;
}

export const mempoolCommand: CommandModule<object, MempoolArguments> = {
  command: "mempool",
  describe: "Stream NDJSON transactions from stdin through an incremental conflict DAG; print ready batches as NDJSON",
  builder: (yargs) =>
    yargs
      .option("max-gas", { type: "number", describe: "gas budget of a batch (default: unlimited)" })
      .option("max-txs", { type: "number", describe: "transactions per batch (default: unlimited; Solana uses 64)" })
      .option("auto-include", { type: "boolean", default: true, describe: "treat every emitted batch as included at once" })
      .option("drain", { type: "boolean", default: true, describe: "at end of input (or at a bad line, which stops the input), emit batches until the pool is empty" })
      .check(checkBatchLimits) as never,
  handler: async (argv) => {
    const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    const summary = await runMempool(lines, argv, (line) => void process.stdout.write(line + "\n"));
    process.stderr.write(`mempool: ${summary.added} txs, ${summary.batches} batches, ${summary.pending} still pending\n`);
  },
};
