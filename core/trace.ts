/**
 * Access traces (`"format": "access-trace/v1"`, see `data/mainnet-access-traces/README.md`):
 * the recorded read and write sets of real blocks. This module validates such a file and turns it
 * into the `BlockAccessSets` the scheduler consumes.
 */

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import type { BlockAccessSets, FeeRecipientAccess, TxAccessSet } from "./accessSet.js";
import { InputError } from "./errors.js";

export const ACCESS_TRACE_FORMAT = "access-trace/v1";

const hexAddress = z.string().regex(/^0x[0-9a-f]{40}$/, "expected a lower-case 0x-prefixed 20-byte address");

const traceTxSchema = z.object({
  index: z.number().int().nonnegative(),
  hash: z.string(),
  from: hexAddress,
  to: hexAddress.nullable(),
  gasUsed: z.number().int().nonnegative(),
  status: z.enum(["success", "revert"]),
  reads: z.array(z.string()),
  writes: z.array(z.string()),
  coinbaseDirect: z.enum(["read", "read-write"]).optional(),
});

export const accessTraceSchema = z.object({
  format: z.literal(ACCESS_TRACE_FORMAT),
  chain: z.string(),
  block: z.number().int().nonnegative(),
  coinbase: hexAddress,
  headerGasUsed: z.string().regex(/^[0-9]+$/, "expected a decimal string"),
  txs: z.array(traceTxSchema),
});

export type AccessTraceTx = z.infer<typeof traceTxSchema>;
export type AccessTrace = z.infer<typeof accessTraceSchema>;

/** Renders a zod issue path as `txs[3].gasUsed`. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(root)" : out;
}

/** Whether a parsed JSON document claims to be an access trace (used to pick a loader). */
export function isAccessTraceDocument(json: unknown): boolean {
  return typeof json === "object" && json !== null && (json as { format?: unknown }).format === ACCESS_TRACE_FORMAT;
}

/**
 * Validates a parsed JSON document as an access trace. Throws `InputError` naming the file, the
 * transaction index (when the problem is inside `txs[i]`) and the field.
 */
export function parseAccessTrace(json: unknown, file: string): AccessTrace {
  const result = accessTraceSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path ?? [];
    const txIndex = path[0] === "txs" && typeof path[1] === "number" ? path[1] : undefined;
    throw new InputError(issue?.message ?? "invalid access trace", {
      file,
      field: fieldPath(path),
      ...(txIndex === undefined ? {} : { txIndex }),
    });
  }
  const trace = result.data;
  trace.txs.forEach((tx, position) => {
    // The scheduler relies on `index` being the position in the block.
    if (tx.index !== position) {
      throw new InputError(`expected index ${position}, found ${tx.index}`, {
        file,
        txIndex: position,
        field: `txs[${position}].index`,
      });
    }
  });
  return trace;
}

/** Reads and validates an access-trace file (`.json`, or `.json.gz`); malformed JSON is an `InputError` too. */
export function readAccessTrace(path: string): AccessTrace {
  let text: string;
  try {
    const bytes = readFileSync(path);
    text = (path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
  } catch (cause) {
    throw new InputError(`cannot read file: ${(cause as Error).message}`, { file: path, cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InputError(`malformed JSON: ${(cause as Error).message}`, { file: path, cause });
  }
  return parseAccessTrace(json, path);
}

/**
 * Converts a trace to scheduler input. Every trace transaction reads and writes
 * `acct:<coinbase>` to pay its fee; that access is the commutative fee credit, so the location is
 * declared as `feeRecipientLocation` and only `coinbaseDirect` transactions get a real dependency.
 * A transaction sent by or to the coinbase reaches that account beyond the fee credit even if the
 * trace forgot to flag it, so it is treated as `read-write` at least.
 */
export function accessSetsFromTrace(trace: AccessTrace): BlockAccessSets {
  const coinbase = trace.coinbase;
  const txs: TxAccessSet[] = trace.txs.map((tx) => {
    let feeRecipient: FeeRecipientAccess = tx.coinbaseDirect ?? "none";
    if (tx.from === coinbase || tx.to === coinbase) feeRecipient = "read-write";
    return {
      index: tx.index,
      reads: tx.reads,
      writes: tx.writes,
      gas: tx.gasUsed,
      class: "exact",
      feeRecipient,
    };
  });
  return { feeRecipientLocation: `acct:${coinbase}`, txs };
}

export { defaultTracesDir } from "./paths.js";
