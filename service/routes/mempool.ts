/**
 * The mempool mode over HTTP: POST /mempool/txs takes `prescient mempool`'s records (add,
 * include, drop, release), POST /mempool/batch hands out the next batch.
 */
import type { FastifyInstance } from "fastify";
import { batchRequestSchema, emptyQuerySchema, mempoolRecordsSchema } from "../requestSchemas.js";
import { mempoolBatchResponse, mempoolUpdateResponse, responses } from "../responseSchemas.js";
import type { ServiceContext } from "../serviceContext.js";
import type { MempoolBatchOptions, MempoolUpdateRecord } from "../serviceMempool.js";

export function registerMempoolRoutes(app: FastifyInstance, { mempool }: ServiceContext): void {
  app.post<{ Body: MempoolUpdateRecord[] }>(
    "/mempool/txs",
    {
      schema: {
        summary: "Add, include, drop or release mempool transactions (the records of `prescient mempool`); all or nothing",
        body: mempoolRecordsSchema,
        querystring: emptyQuerySchema,
        response: responses(mempoolUpdateResponse, [409, 413, 415]),
      },
    },
    async (request) => mempool.apply(request.body),
  );

  app.post<{ Body: MempoolBatchOptions }>(
    "/mempool/batch",
    {
      schema: {
        summary: "The next batch of ready, mutually non-conflicting transactions, highest priority first",
        body: batchRequestSchema,
        querystring: emptyQuerySchema,
        response: responses(mempoolBatchResponse, [413, 415]),
      },
    },
    async (request) => mempool.nextBatch(request.body),
  );
}
