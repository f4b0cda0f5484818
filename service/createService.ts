/**
 * `createService`: prescient as an HTTP JSON service for a sequencer pipeline, on fastify. The
 * returned instance is an ordinary fastify server: `listen` to serve, `close` to stop (which
 * waits for queued commits and then stops the executor's worker threads). It describes itself
 * (GET /openapi.json), logs JSON lines through pino (logging.ts) and exposes Prometheus metrics
 * (metrics.ts).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { toJson } from "../cli/output.js";
import { InputError } from "../core/errors.js";
import { parseGenesis, readJsonFile } from "../core/schema.js";
import type { EnforcementPolicy, ExecutionMode, Genesis } from "../core/types.js";
import { Chain } from "../chain/chain.js";
import type { ServiceChain } from "./chain.js";
import { AllowedMethods } from "./allowedMethods.js";
import { ChainHandle } from "./chainHandle.js";
import { toHttpError, writeClientError } from "./errors.js";
import { parseJsonBody } from "./jsonBody.js";
import { loggerOptions, shortPath, type ServiceLogOptions } from "./logging.js";
import { ServiceMetrics } from "./metrics.js";
import { registerOpenApi } from "./openapi.js";
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
  /**
   * The service's log: settings for fastify's pino logger (level, destination), or a logger
   * instance; without it nothing is logged. A line per request and per committed block at
   * `info`, problems at `warn` and `error`.
   */
  readonly log?: ServiceLogOptions | FastifyBaseLogger;
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


/** Everything the service answers, for the message of a 404. */
const ROUTES_MESSAGE = "the service answers POST /analyze, /schedule, /execute, /mempool/txs, /mempool/batch and GET /state/<location>, /health, /metrics, /openapi.json";

export async function createService(parameters: CreateServiceParameters): Promise<CreateServiceReturnType> {
  const bodyLimit = parameters.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1) throw new InputError(`expected a positive whole number of bytes, got ${bodyLimit}`, { field: "bodyLimit" });
  const chain = await openChain(parameters);
  const enforce = parameters.enforce ?? "fallback";
  const checkSignatures = parameters.checkSignatures ?? true;

  const sendError = (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const answer = toHttpError(error, bodyLimit);
    if (answer.internal) request.log.error({ err: error }, `internal error on ${request.method} ${shortPath(request.url)}`);
    return reply.status(answer.status).type("application/json").send(toJson(answer.body));
  };
  const app = Fastify({
    bodyLimit,
    ...loggerOptions(parameters.log),
    return503OnClosing: true,
    forceCloseConnections: "idle",
    requestTimeout: 120_000,
    clientErrorHandler: writeClientError,
    frameworkErrors: sendError,
  });
  const metrics: ServiceMetrics = new ServiceMetrics({
    measureSequential: parameters.measureSequential ?? false,
    // Read at each scrape, after the handle below exists.
    live: () => ({ headNumber: handle.head.number, queueDepth: handle.queueDepth, mempoolPending: mempool.pending, mode: handle.mode, threads: handle.threads }),
  });
  const handle: ChainHandle = new ChainHandle({ chain, mode: parameters.mode ?? "hybrid", enforce, checkSignatures, metrics, measureSequential: parameters.measureSequential ?? false, log: app.log });
  const mempool = new ServiceMempool();
  const context: ServiceContext = { handle, mempool, metrics, enforce, checkSignatures };

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
  // Answers are always prescient's JSON (bigints as decimal strings): the response schemas of the
  // routes document them (responseSchemas.ts) and never reshape them.
  app.setReplySerializer((payload) => toJson(payload));
  app.setSerializerCompiler(() => (payload) => toJson(payload));

  app.setErrorHandler(sendError);
  const allowed = AllowedMethods.watch(app);
  app.setNotFoundHandler((request, reply) => {
    const path = shortPath(request.url);
    const methods = allowed.for(request.url.split("?")[0]!);
    if (methods.length > 0) {
      const message = `${request.method} is not allowed on ${path}; it answers ${methods.join(", ")}`;
      return reply.status(405).header("allow", methods.join(", ")).type("application/json").send(toJson({ error: "method_not_allowed", message }));
    }
    return reply.status(404).type("application/json").send(toJson({ error: "not_found", message: `no route ${request.method} ${path}; ${ROUTES_MESSAGE}` }));
  });
  app.addHook("onResponse", async (request, reply) => {
    metrics.recordResponse(request.routeOptions.url ?? "(unmatched)", request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.addHook("onClose", async () => {
    await handle.close();
  });

  await registerOpenApi(app);
  registerPipelineRoutes(app, context);
  registerMempoolRoutes(app, context);
  registerStateRoutes(app, context);
  registerMetricsRoute(app, context);
  return app;
}
