/**
 * GET /state/<location>: a location's committed value, after every block submitted before the
 * request; GET /health: the head, the executor, the queue and the mempool.
 */
import type { FastifyInstance } from "fastify";
import { emptyQuerySchema, stateParamsSchema } from "../requestSchemas.js";
import { healthResponse, responses, stateResponse } from "../responseSchemas.js";
import type { ServiceContext } from "../serviceContext.js";

export function registerStateRoutes(app: FastifyInstance, { handle, mempool }: ServiceContext): void {
  app.get<{ Params: { "*": string } }>(
    "/state/*",
    {
      schema: {
        summary: "A location's committed value, read after every block submitted before the request",
        params: stateParamsSchema,
        querystring: emptyQuerySchema,
        response: responses(stateResponse),
      },
    },
    async (request) => {
      const location = request.params["*"];
      const { number, value } = await handle.read(location);
      // An empty slot reads as null: zero, false and the zero address are all stored as nothing.
      return { location, value: value ?? null, number: number.toString() };
    },
  );

  app.get("/health", { schema: { summary: "The head, the executor, the commit queue and the mempool", querystring: emptyQuerySchema, response: responses(healthResponse) } }, async () => {
    const head = handle.head;
    return {
      status: "ok",
      head: { number: head.number.toString(), stateRoot: head.stateRoot },
      mode: handle.mode,
      threads: handle.threads,
      queueDepth: handle.queueDepth,
      mempool: { pending: mempool.pending },
    };
  });
}
