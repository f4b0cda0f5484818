/**
 * GET /openapi.json: the service's OpenAPI 3.1 document, built by @fastify/swagger from the routes
 * as registered — every route, its method, its summary — with the JSON Schemas of the zod schemas
 * that validate the requests (requestSchemas.ts) and describe the answers (responseSchemas.ts).
 * Registered before the routes: the plugin records each route as it is added.
 */
import fastifySwagger from "@fastify/swagger";
import type { FastifyInstance, FastifySchema } from "fastify";
import { packageVersion } from "../core/paths.js";
import { emptyQuerySchema, isRequestSchema } from "./requestSchemas.js";
import { responses } from "./responseSchemas.js";
import type { JsonSchema } from "./jsonSchema.js";

/** What the one wildcard route (`GET /state/*`) calls the rest of its path. */
const WILDCARD_NAME = "location";

/** A route's schema as the document shows it: each request parser replaced by its JSON Schema. */
function documented(schema: FastifySchema & Record<string, unknown>, url: string): { schema: Record<string, unknown>; url: string } {
  const out: Record<string, unknown> = { ...schema };
  for (const part of ["body", "querystring", "params"] as const) {
    const value = schema[part];
    if (isRequestSchema(value)) out[part] = value.jsonSchema;
  }
  if (!url.endsWith("*")) return { schema: out, url };
  const params = out.params as JsonSchema | undefined;
  const properties = (params?.properties ?? {}) as Record<string, unknown>;
  const { "*": wildcard, ...others } = properties;
  out.params = { ...params, properties: { ...others, [WILDCARD_NAME]: wildcard ?? { type: "string" } }, required: [WILDCARD_NAME] };
  return { schema: out, url: `${url.slice(0, -1)}{${WILDCARD_NAME}}` };
}

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "prescient",
        version: packageVersion(),
        description:
          "prescient's HTTP JSON service for a sequencer pipeline: access sets (POST /analyze), the conflict DAG, columns and fee quotes (POST /schedule), executing and committing blocks (POST /execute), a mempool that hands out conflict-free batches (POST /mempool/txs, /mempool/batch), committed state (GET /state/…), health and Prometheus metrics. Amounts are decimal strings; errors are `{ error, message, field?, txIndex? }`.",
      },
    },
    transform: ({ schema, url }) => documented((schema ?? {}) as FastifySchema & Record<string, unknown>, url),
  });
  app.get(
    "/openapi.json",
    {
      schema: {
        summary: "This document: the service's OpenAPI 3.1 description",
        querystring: emptyQuerySchema,
        response: responses({ description: "the OpenAPI document", content: { "application/json": { schema: { type: "object" } } } }),
      },
    },
    async () => app.swagger(),
  );
}
