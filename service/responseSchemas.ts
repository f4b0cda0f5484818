/**
 * What each route answers, as zod schemas: the OpenAPI document describes the answers with them,
 * and the endpoint tests parse every real answer with them, so the document cannot drift from
 * what the service sends. The objects are strict: a field added to an answer must be added here.
 */
import { z } from "zod";
import { toJsonSchema, type JsonSchema } from "./jsonSchema.js";

const decimal = z.string().regex(/^[0-9]+$/).meta({ description: "an unsigned integer as a decimal string" });
const hash = z.string().regex(/^0x[0-9a-f]{64}$/);
const receiptStatus = z.enum(["success", "revert", "out-of-gas", "invalid"]);
const executionMode = z.enum(["sequential", "hybrid", "columns", "blockstm"]);
const accessClass = z.enum(["exact", "over-approximate", "unknown"]);

/** Every error: a stable code, a message naming what and where, and the field and transaction when known. */
export const errorResponse = z
  .strictObject({
    error: z.string().meta({ description: "a stable code: invalid_input, block_number_conflict, conflict, body_too_large, not_found, method_not_allowed, internal_error, …" }),
    message: z.string(),
    field: z.string().optional(),
    txIndex: z.number().int().nonnegative().optional(),
  })
  .meta({ description: "an error" });

export const healthResponse = z.strictObject({
  status: z.literal("ok"),
  head: z.strictObject({ number: decimal, stateRoot: hash }),
  mode: executionMode,
  threads: z.number().int().positive(),
  queueDepth: z.number().int().nonnegative(),
  mempool: z.strictObject({ pending: z.number().int().nonnegative() }),
});

export const executeResponse = z.strictObject({
  number: decimal.meta({ description: "the number the block was committed as" }),
  stateRoot: hash,
  receipts: z.array(
    z.strictObject({
      index: z.number().int().nonnegative(),
      status: receiptStatus,
      gasUsed: z.number().nonnegative(),
      fee: decimal,
      error: z.string().optional(),
    }),
  ),
  stats: z.strictObject({
    mode: executionMode,
    threads: z.number().int().positive(),
    wallMs: z.number().nonnegative(),
    executions: z.number().int().nonnegative(),
    validations: z.number().int().nonnegative(),
    aborts: z.number().int().nonnegative(),
    violations: z.number().int().nonnegative(),
  }),
  projectedSpeedup: z.number().positive(),
  sequential: z.strictObject({ wallMs: z.number().nonnegative(), stateRoot: hash, speedup: z.number().nonnegative() }).optional().meta({ description: "with --measure-sequential: the sequential replica's run of the same block" }),
  workerFailure: z.string().optional().meta({ description: "a worker thread failed; the block ran on the calling thread" }),
});

export const analyzeResponse = z.strictObject({
  block: z.strictObject({
    feeRecipientLocation: z.string().optional(),
    txs: z.array(
      z.strictObject({
        index: z.number().int().nonnegative(),
        class: accessClass,
        feeRecipient: z.enum(["none", "read", "read-write"]),
        gas: z.number().nonnegative(),
        reads: z.array(z.string()),
        writes: z.array(z.string()),
        reasons: z.array(z.string()).optional(),
        warnings: z.array(z.string()).optional(),
      }),
    ),
  }),
  summary: z.strictObject({
    txs: z.strictObject({ exact: z.number().int(), "over-approximate": z.number().int(), unknown: z.number().int() }),
    warnings: z.number().int().nonnegative(),
    instantiateMs: z.number().nonnegative(),
  }),
});

export const scheduleResponse = z.strictObject({
  txs: z.number().int().nonnegative(),
  edges: z.number().int().nonnegative(),
  locations: z.number().int().nonnegative(),
  totalGas: z.number().nonnegative(),
  columns: z.array(z.array(z.number().int())).meta({ description: "transaction indices by column: each column can run in parallel" }),
  criticalPath: z.strictObject({ length: z.number().int(), gas: z.number(), gasShare: z.number(), gasPath: z.array(z.number().int()) }),
  projectedSpeedup: z.record(z.string(), z.number()).meta({ description: "projected speedup by thread count" }),
  assignment: z.strictObject({ threads: z.number().int(), workerOf: z.array(z.number().int()), load: z.array(z.number()), chains: z.number().int() }).optional(),
  prices: z
    .strictObject({
      baseFee: decimal,
      flatFee: decimal,
      totalFee: decimal,
      perTx: z.array(
        z.strictObject({
          index: z.number().int(),
          multiplier: z.number(),
          feePerGas: decimal,
          fee: decimal,
          critical: z.boolean(),
          contendedGas: z.number(),
          congestion: z.number(),
        }),
      ),
    })
    .optional(),
});

export const mempoolUpdateResponse = z.strictObject({
  added: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative().meta({ description: "included or dropped transactions the pool held" }),
  released: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
});

export const mempoolBatchResponse = z.strictObject({
  batch: z.number().int().positive().meta({ description: "the batch's sequence number" }),
  txs: z.array(z.string()).meta({ description: "ready, mutually non-conflicting transactions, highest priority first" }),
  gas: z.number().nonnegative(),
  pending: z.number().int().nonnegative(),
});

export const stateResponse = z.strictObject({
  location: z.string(),
  value: z.union([z.string(), z.boolean(), z.null()]).meta({ description: "the committed value; null for an empty slot" }),
  number: decimal.meta({ description: "the head the value was read at" }),
});

/** Statuses of the errors a route can answer, beyond the 400 of bad input and the 500 of a bug. */
export type ErrorStatus = 404 | 405 | 409 | 413 | 415;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "bad input: the message names the field (and the transaction index)",
  404: "not found",
  405: "the path is known, the method is not (the Allow header lists the methods)",
  409: "a conflict with the service's state (another block took the number, an id already pending)",
  413: "the body is larger than the limit (--body-limit)",
  415: "the body is not JSON",
  500: "a bug in prescient (the service log has the details)",
};

/** A route's documented answers: 200 with `ok`, and the errors it can give. */
export function responses(ok: z.ZodType | { readonly description: string; readonly content: Record<string, { schema: JsonSchema }> }, errors: readonly ErrorStatus[] = []): Record<number, JsonSchema> {
  const answers: Record<number, JsonSchema> = { 200: ok instanceof z.ZodType ? { description: "the answer", ...toJsonSchema(ok, "output") } : { ...ok } };
  const error = toJsonSchema(errorResponse, "output");
  for (const status of [400, ...errors, 500]) answers[status] = { ...error, description: ERROR_DESCRIPTIONS[status] };
  return answers;
}
