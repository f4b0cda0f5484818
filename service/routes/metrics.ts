/** GET /metrics: Prometheus text exposition. */
import type { FastifyInstance } from "fastify";
import { PROMETHEUS_CONTENT_TYPE } from "../metrics.js";
import { emptyQuerySchema } from "../requestSchemas.js";
import type { ServiceContext } from "../serviceContext.js";

export function registerMetricsRoute(app: FastifyInstance, { handle, mempool, metrics }: ServiceContext): void {
  app.get("/metrics", { schema: { querystring: emptyQuerySchema } }, async (_request, reply) => {
    const text = metrics.render({ headNumber: handle.head.number, queueDepth: handle.queueDepth, mempoolPending: mempool.pending, mode: handle.mode, threads: handle.threads });
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(text);
  });
}
