/**
 * `createService`: prescient as an HTTP JSON service for a sequencer pipeline, on fastify. The
 * returned instance is an ordinary fastify server: `listen` to serve, `close` to stop (which
 * waits for queued commits and then stops the executor's worker threads).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { toJson } from "../cli/output.js";
import { InputError } from "../core/errors.js";
import { parseGenesis, readJsonFile } from "../core/schema.js";
import type { EnforcementPolicy, ExecutionMode, Genesis } from "../core/types.js";
import { Chain } from "../chain/chain.js";
import type { ServiceChain } from "./chain.js";
import { ChainHandle, type ServiceLog } from "./chainHandle.js";
import { toHttpError, writeClientError } from "./errors.js";
import { parseJsonBody } from "./jsonBody.js";
import { ServiceMetrics } from "./metrics.js";
import type { RequestSchema } from "./requestSchemas.js";
import { registerMempoolRoutes } from "./routes/mempool.js";
import { registerMetricsRoute } from "./routes/metrics.js";
import { registerPipelineRoutes } from "./routes/pipeline.js";
import { registerStateRoutes } from "./routes/state.js";
import { ServiceMempool } from "./serviceMempool.js";
import type { ServiceContext } from "./serviceContext.js";

/** Default largest request body: 8 MiB, a block of about 15,000 signed transactions. */
export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

export interface CreateServiceParameters {
  /** A chain to serve (the service takes it over and closes it). Otherwise one is opened from the settings below. */
  readonly chain?: ServiceChain;
  /** A state directory (LMDB): the chain is kept there and continues from its head when served again. */
  readonly stateDir?: string;
  /** A genesis file (relative contract paths resolve against its directory); needed unless `stateDir` holds a chain. */
  readonly genesisFile?: string;
  /** A genesis, with the directory its relative contract paths resolve against. */
  readonly genesis?: Genesis;
  readonly baseDir?: string;
  /** The executor (default `hybrid`). */
  readonly mode?: ExecutionMode;
  /** Worker threads of the parallel modes (default 2). */
  readonly threads?: number;
  /** Locations the shared state holds (see SharedState). */
  readonly capacity?: number;
  /** Declared access-list policy (default `fallback`). */
  readonly enforce?: EnforcementPolicy;
  /** Verify ed25519 signatures (default true). */
  readonly checkSignatures?: boolean;
  /** Largest request body in bytes (default 8 MiB); larger bodies get a 413. */
  readonly bodyLimit?: number;
  /** Also run each block on a sequential replica: measured speedups and a root check per block. */
  readonly measureSequential?: boolean;
  /** Where the service reports commits and problems (default: nowhere). */
  readonly log?: ServiceLog;
}

export type CreateServiceReturnType = FastifyInstance;

/** The chain `createService` serves: the one given, or one opened from the settings. */
export async function openChain(parameters: CreateServiceParameters): Promise<ServiceChain> {
  if (parameters.chain !== undefined) return parameters.chain;
  const { stateDir, genesisFile } = parameters;
  if (parameters.genesis === undefined && genesisFile === undefined && stateDir === undefined) {
    throw new InputError("the service needs a chain: a genesis (or a genesis file), or a state directory", { field: "genesis" });
  }
  const genesis = parameters.genesis ?? (genesisFile !== undefined ? parseGenesis(readJsonFile(genesisFile), genesisFile) : undefined);
  return Chain.open({
    ...(stateDir !== undefined ? { stateDir } : {}),
    ...(genesis !== undefined ? { genesis } : {}),
    ...(genesisFile !== undefined ? { genesisFile } : {}),
    ...(parameters.baseDir !== undefined ? { baseDir: parameters.baseDir } : {}),
    // The sequential executor needs no worker threads.
    threads: parameters.mode === "sequential" ? 1 : (parameters.threads ?? 2),
    ...(parameters.capacity !== undefined ? { capacity: parameters.capacity } : {}),
  });
}

/** A request's path for a message: without its query, and cut short. */
function shortPath(url: string): string {
  const path = url.split("?")[0]!;
  return path.length > 80 ? `${path.slice(0, 77)}...` : path;
}

export async function createService(parameters: CreateServiceParameters): Promise<CreateServiceReturnType> {
  const bodyLimit = parameters.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1) throw new InputError(`expected a positive whole number of bytes, got ${bodyLimit}`, { field: "bodyLimit" });
  const chain = await openChain(parameters);
  const log = parameters.log;
  const metrics = new ServiceMetrics();
  const enforce = parameters.enforce ?? "fallback";
  const checkSignatures = parameters.checkSignatures ?? true;
  const handle = new ChainHandle({ chain, mode: parameters.mode ?? "hybrid", enforce, checkSignatures, metrics, measureSequential: parameters.measureSequential ?? false, ...(log !== undefined ? { log } : {}) });
  const context: ServiceContext = { handle, mempool: new ServiceMempool(), metrics, enforce, checkSignatures };

  const sendError = (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const answer = toHttpError(error, bodyLimit);
    if (answer.internal) log?.(`internal error on ${request.method} ${request.url}: ${(error as Error)?.stack ?? String(error)}`, "problem");
    return reply.status(answer.status).type("application/json").send(toJson(answer.body));
  };
  const app = Fastify({
    bodyLimit,
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    requestTimeout: 120_000,
    clientErrorHandler: writeClientError,
    frameworkErrors: sendError,
  });

  // JSON only, parsed by prescient: a malformed body gets the CLI's message, a hostile one is
  // refused before validation recurses into it.
  app.removeAllContentTypeParsers();
  const parseJson = (_request: unknown, body: string | Buffer, done: (error: Error | null, json?: unknown) => void): void => {
    try {
      done(null, parseJsonBody(body.toString()));
    } catch (error) {
      done(error as Error, undefined);
    }
  };
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit }, parseJson);
  app.addContentTypeParser(/^application\/[a-z0-9.+-]+\+json$/, { parseAs: "string", bodyLimit }, parseJson);
  // Route schemas are prescient's own parsers (requestSchemas.ts); what they return replaces the body.
  app.setValidatorCompiler(({ schema }) => (data: unknown) => {
    try {
      return { value: (schema as RequestSchema<unknown>).parse(data) };
    } catch (error) {
      if (error instanceof InputError) return { error };
      // A parser that throws anything else is a bug, not bad input.
      return { error: Object.assign(error instanceof Error ? error : new Error(String(error)), { statusCode: 500 }) };
    }
  });
  app.setReplySerializer((payload) => toJson(payload));

  app.setErrorHandler(sendError);
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .type("application/json")
      .send(
        toJson({
          error: "not_found",
          message: `no route ${request.method} ${shortPath(request.url)}; the service answers POST /analyze, /schedule, /execute, /mempool/txs, /mempool/batch and GET /state/<location>, /health, /metrics`,
        }),
      ),
  );
  app.addHook("onResponse", async (request, reply) => {
    metrics.recordResponse(request.routeOptions.url ?? "(unmatched)", reply.statusCode);
  });
  app.addHook("onClose", async () => {
    await handle.close();
  });

  registerPipelineRoutes(app, context);
  registerMempoolRoutes(app, context);
  registerStateRoutes(app, context);
  registerMetricsRoute(app, context);
  return app;
}
