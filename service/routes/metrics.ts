/** GET /metrics: Prometheus text exposition. */
import type { FastifyInstance } from "fastify";
import { PROMETHEUS_CONTENT_TYPE } from "../metrics.js";
import { emptyQuerySchema } from "../requestSchemas.js";
import { responses } from "../responseSchemas.js";
import type { ServiceContext } from "../serviceContext.js";

export function registerMetricsRoute(app: FastifyInstance, { metrics }: ServiceContext): void {
  app.get(
    "/metrics",
    {
      schema: {
        summary: "Prometheus metrics: blocks, transactions, speedups, queue, mempool, request and block latency histograms, process and runtime",
        querystring: emptyQuerySchema,
        response: responses({ description: "the Prometheus text exposition format, version 0.0.4", content: { [PROMETHEUS_CONTENT_TYPE]: { schema: { type: "string" } } } }),
      },
    },
    async (_request, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).send(await metrics.render()),
  );
}
