/**
 * What each route accepts, as parsers fastify runs before the handler (its validator compiler
 * is set to call them): a body or query that does not parse never reaches a handler, and its
 * error is the CLI's message for the same mistake, naming the field and transaction index.
 */
import { z } from "zod";
import { InputError, showInput } from "../core/errors.js";
import { parseBlock, unknownFields } from "../core/schema.js";
import { isAccessTraceDocument, parseAccessTrace, type AccessTrace } from "../core/trace.js";
import { isDecimal } from "../core/value.js";
import type { BlockRequest } from "./chainHandle.js";
import { BODY } from "./jsonBody.js";
import { parseMempoolRecords, type MempoolBatchOptions } from "./serviceMempool.js";

/** A route's schema: a parser from the JSON fastify decoded to the value the handler gets. */
export interface RequestSchema<T> {
  readonly parse: (json: unknown) => T;
}

function schema<T>(parse: (json: unknown) => T): RequestSchema<T> {
  return { parse };
}

function isObject(json: unknown): json is Record<string, unknown> {
  return typeof json === "object" && json !== null && !Array.isArray(json);
}

/** A block as in a block file, whose `number` may be left out (the service assigns head + 1). */
export function parseBlockRequest(json: unknown): BlockRequest {
  if (isObject(json) && !Object.hasOwn(json, "number")) {
    const { number: _placeholder, ...rest } = parseBlock({ ...json, number: "0" }, BODY);
    return rest;
  }
  return parseBlock(json, BODY);
}

export const blockRequestSchema = schema(parseBlockRequest);

export type ScheduleRequest = { readonly kind: "block"; readonly block: BlockRequest } | { readonly kind: "trace"; readonly trace: AccessTrace };

/** POST /schedule takes a block, or an access trace as `prescient schedule --block` does. */
export const scheduleRequestSchema = schema((json): ScheduleRequest => {
  if (isAccessTraceDocument(json)) return { kind: "trace", trace: parseAccessTrace(json, BODY) };
  return { kind: "block", block: parseBlockRequest(json) };
});

export const mempoolRecordsSchema = schema(parseMempoolRecords);

const batchOptions = z.strictObject({
  maxGas: z.number({ error: "expected a positive number" }).positive({ error: "expected a positive number" }).optional(),
  maxTxs: z.number({ error: "expected a positive integer" }).int({ error: "expected a positive integer" }).positive({ error: "expected a positive integer" }).optional(),
  autoInclude: z.boolean({ error: "expected true or false" }).optional(),
});

/** POST /mempool/batch: `{}` (or no body) or `{ maxGas?, maxTxs?, autoInclude? }`. */
export const batchRequestSchema = schema((json): MempoolBatchOptions => {
  const result = batchOptions.safeParse(json ?? {});
  if (result.success) {
    const { maxGas, maxTxs, autoInclude } = result.data;
    return { ...(maxGas !== undefined ? { maxGas } : {}), ...(maxTxs !== undefined ? { maxTxs } : {}), ...(autoInclude !== undefined ? { autoInclude } : {}) };
  }
  const issue = result.error.issues[0]!;
  const message = issue.code === "unrecognized_keys" ? unknownFields(issue.keys) : issue.message;
  throw new InputError(message, { file: BODY, field: issue.path.length === 0 ? "(body)" : issue.path.map(String).join(".") });
});

export interface ScheduleQuery {
  /** Assign transactions to this many workers. */
  readonly threads?: number;
  /** Base fee per gas of the quotes (default: the block's, or 1 for a trace). */
  readonly baseFee?: bigint;
}

/** The query of POST /schedule: `?threads=K&baseFee=N`. */
export const scheduleQuerySchema = schema((json): ScheduleQuery => {
  const query = isObject(json) ? json : {};
  const out: { threads?: number; baseFee?: bigint } = {};
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== "string") throw new InputError("expected one value", { file: "query", field: key });
    if (key === "threads") {
      if (!/^[1-9][0-9]{0,3}$/.test(value) || Number(value) > 1024) throw new InputError(`expected a whole number of workers from 1 to 1024, got ${showInput(value, 30)}`, { file: "query", field: key });
      out.threads = Number(value);
    } else if (key === "baseFee") {
      if (!isDecimal(value) || value.length > 78) throw new InputError(`expected a decimal integer, got ${showInput(value, 30)}`, { file: "query", field: key });
      out.baseFee = BigInt(value);
    } else {
      throw new InputError("unknown parameter (expected threads or baseFee)", { file: "query", field: key });
    }
  }
  return out;
});

/** Routes without query parameters refuse any, so a typo is not silently ignored. */
export const emptyQuerySchema = schema((json): Record<string, never> => {
  const keys = isObject(json) ? Object.keys(json) : [];
  if (keys.length > 0) throw new InputError("this route takes no query parameters", { file: "query", field: keys[0]! });
  return {};
});

/** The location of GET /state/<location>. */
export function parseStateLocation(raw: string): string {
  if (raw === "") throw new InputError("name a location: GET /state/<contract>/<var>[/<key>…]", { file: "path", field: "location" });
  if (raw.length > 1024) throw new InputError("a location is at most 1024 characters", { file: "path", field: "location" });
  if (raw.endsWith("/*")) throw new InputError("a wildcard names many locations; read one location at a time", { file: "path", field: "location" });
  return raw;
}
