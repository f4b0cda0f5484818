/**
 * What each route accepts, as parsers fastify runs before the handler (its validator compiler
 * is set to call them): a body or query that does not parse never reaches a handler, and its
 * error is the CLI's message for the same mistake, naming the field and transaction index. Each
 * parser carries the JSON Schema of the zod schema it validates with, for the OpenAPI document.
 */
import { z } from "zod";
import { mempoolRecordSchemas } from "../cli/commands/mempool.js";
import { InputError, showInput } from "../core/errors.js";
import { blockSchema, parseBlock, unknownFields } from "../core/schema.js";
import { accessTraceSchema, isAccessTraceDocument, parseAccessTrace, type AccessTrace } from "../core/trace.js";
import { isDecimal } from "../core/value.js";
import type { BlockRequest } from "./chainHandle.js";
import { toJsonSchema, type JsonSchema } from "./jsonSchema.js";
import { BODY } from "./jsonBody.js";
import { parseMempoolRecords, type MempoolBatchOptions } from "./serviceMempool.js";

/** A route's schema: a parser from the JSON fastify decoded to the value the handler gets. */
export interface RequestSchema<T> {
  readonly parse: (json: unknown) => T;
  /** What the parser accepts, as JSON Schema (from the zod schema it validates with). */
  readonly jsonSchema: JsonSchema;
}

function schema<T>(parse: (json: unknown) => T, accepts: z.ZodType): RequestSchema<T> {
  return { parse, jsonSchema: toJsonSchema(accepts) };
}

/** Whether a value is a route's schema (and not a JSON Schema fastify would compile). */
export function isRequestSchema(value: unknown): value is RequestSchema<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { parse?: unknown }).parse === "function";
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

const blockRequest = blockSchema.partial({ number: true }).meta({ description: "a block as in a block file; without `number` it runs as the head's successor" });

export const blockRequestSchema = schema(parseBlockRequest, blockRequest);

export type ScheduleRequest = { readonly kind: "block"; readonly block: BlockRequest } | { readonly kind: "trace"; readonly trace: AccessTrace };

/** POST /schedule takes a block, or an access trace as `prescient schedule --block` does. */
export const scheduleRequestSchema = schema(
  (json): ScheduleRequest => {
    if (isAccessTraceDocument(json)) return { kind: "trace", trace: parseAccessTrace(json, BODY) };
    return { kind: "block", block: parseBlockRequest(json) };
  },
  z.union([blockRequest, accessTraceSchema.meta({ description: "an access trace (access-trace/v1), as `prescient schedule --block` reads" })]),
);

const { tx: txRecord, include, drop, release } = mempoolRecordSchemas;
const mempoolRecord = z.union([txRecord.meta({ description: "add a pending transaction" }), include, drop, release]);

export const mempoolRecordsSchema = schema(parseMempoolRecords, z.union([mempoolRecord, z.array(mempoolRecord)]));

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
}, batchOptions);

export interface ScheduleQuery {
  /** Assign transactions to this many workers. */
  readonly threads?: number;
  /** Base fee per gas of the quotes (default: the block's, or 1 for a trace). */
  readonly baseFee?: bigint;
}

/** A query parameter given once: a string (twice or more, fastify makes it an array). */
const oneValue = () => z.string({ error: "expected one value" });

const scheduleQuery = z.strictObject({
  threads: oneValue()
    .refine((v) => /^[1-9][0-9]{0,3}$/.test(v) && Number(v) <= 1024, { error: (issue) => `expected a whole number of workers from 1 to 1024, got ${showInput(issue.input, 30)}` })
    .transform(Number)
    .meta({ description: "assign the transactions to this many workers", pattern: "^[1-9][0-9]{0,3}$" })
    .optional(),
  baseFee: oneValue()
    .refine((v) => isDecimal(v) && v.length <= 78, { error: (issue) => `expected a decimal integer, got ${showInput(issue.input, 30)}` })
    .transform(BigInt)
    .meta({ description: "base fee per gas of the quotes (default: the block's, or 1 for a trace)", pattern: "^[0-9]{1,78}$" })
    .optional(),
});

/** A query parsed with `zodSchema`; its first issue is an InputError naming the parameter. */
function parseQuery<T>(zodSchema: z.ZodType<T>, json: unknown, unknownMessage: string): T {
  const result = zodSchema.safeParse(isObject(json) ? json : {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === "unrecognized_keys") throw new InputError(unknownMessage, { file: "query", field: issue.keys[0]! });
  throw new InputError(issue.message, { file: "query", field: issue.path.map(String).join(".") });
}

/** The query of POST /schedule: `?threads=K&baseFee=N`. */
export const scheduleQuerySchema = schema(
  (json): ScheduleQuery => {
    const { threads, baseFee } = parseQuery(scheduleQuery, json, "unknown parameter (expected threads or baseFee)");
    return { ...(threads !== undefined ? { threads } : {}), ...(baseFee !== undefined ? { baseFee } : {}) };
  },
  scheduleQuery,
);

const emptyQuery = z.strictObject({});

/** Routes without query parameters refuse any, so a typo is not silently ignored. */
export const emptyQuerySchema = schema((json): Record<string, never> => {
  parseQuery(emptyQuery, json, "this route takes no query parameters");
  return {};
}, emptyQuery);

const stateParams = z.strictObject({
  "*": z.string().min(1).max(1024).meta({ description: "a location: <contract>/<var>[/<key>…], no wildcard" }),
});

/** The path of GET /state/<location>: the location, checked. */
export const stateParamsSchema = schema((json): { "*": string } => ({ "*": parseStateLocation(isObject(json) && typeof json["*"] === "string" ? json["*"] : "") }), stateParams);

/** The location of GET /state/<location>. */
export function parseStateLocation(raw: string): string {
  if (raw === "") throw new InputError("name a location: GET /state/<contract>/<var>[/<key>…]", { file: "path", field: "location" });
  if (raw.length > 1024) throw new InputError("a location is at most 1024 characters", { file: "path", field: "location" });
  if (raw.endsWith("/*")) throw new InputError("a wildcard names many locations; read one location at a time", { file: "path", field: "location" });
  return raw;
}
