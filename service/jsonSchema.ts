/**
 * JSON Schemas of zod schemas, for the service's OpenAPI document: the document is derived from
 * the schemas that validate the requests (and, in tests, the answers), so it cannot drift from
 * them. Checks zod runs in code (refinements, transforms) are described by the schemas' metadata.
 */
import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema (draft 2020-12, which OpenAPI 3.1 uses) of what a schema accepts (`input`) or
 * of what a value of it looks like (`output`).
 */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output" = "input"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}
