/**
 * The mempool mode over HTTP: POST /mempool/txs takes `prescient mempool`'s records (add,
 * include, drop, release), POST /mempool/batch hands out the next batch.
 */
import type { FastifyInstance } from "fastify";
import { batchRequestSchema, emptyQuerySchema, mempoolRecordsSchema } from "../requestSchemas.js";
import type { ServiceContext } from "../serviceContext.js";
import type { MempoolBatchOptions, MempoolUpdateRecord } from "../serviceMempool.js";

export function registerMempoolRoutes(app: FastifyInstance, { mempool }: ServiceContext): void {
  app.post<{ Body: MempoolUpdateRecord[] }>("/mempool/txs", { schema: { body: mempoolRecordsSchema, querystring: emptyQuerySchema } }, async (request) => mempool.apply(request.body));

  app.post<{ Body: MempoolBatchOptions }>("/mempool/batch", { schema: { body: batchRequestSchema, querystring: emptyQuerySchema } }, async (request) => mempool.nextBatch(request.body));
}
