/**
 * The service's log: fastify's pino logger, one JSON object a line. Each request is one line when
 * its response is sent (method, path, route, status, time, request id); each committed block one
 * line with its figures; problems (a bug, a failed worker, a root that differs from the
 * sequential replica's) are errors and warnings with their details.
 */
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from "fastify";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServiceLogOptions {
  /** The least severe level written (default `info`). */
  readonly level?: LogLevel;
  /** Where the JSON lines go (default: stderr). */
  readonly destination?: { write(line: string): unknown };
}

/** What the service writes its own lines through (a pino logger, or anything shaped like one). */
export type ServiceLogger = Pick<FastifyBaseLogger, "info" | "warn" | "error">;

/** A request's path for a log line or a message: without its query, and cut short. */
export function shortPath(url: string): string {
  const path = url.split("?")[0]!;
  return path.length > 80 ? `${path.slice(0, 77)}...` : path;
}

/**
 * One line per request, when its response is sent (fastify's default is two, and a third for a
 * 404): `POST /execute 200 41.2 ms` with the method, path, route pattern, status and time as
 * fields, beside the request id fastify binds to every line of a request.
 */
class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, path: shortPath(request.url) }, "incoming request");
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const ms = reply.elapsedTime;
    const fields = { method: request.method, path: shortPath(request.url), route: request.routeOptions.url ?? null, status: reply.statusCode, ms: Math.round(ms * 1000) / 1000 };
    const message = `${request.method} ${fields.path} ${reply.statusCode} ${ms.toFixed(1)} ms`;
    if (error !== null && error !== undefined) reply.log.error({ ...fields, err: error }, message);
    else reply.log.info(fields, message);
  }

  override routeNotFound(): void {
    // The request's line says 404 (or 405).
  }
}

/** A logger instance given whole (pino's, or the application's own). */
function isLogger(value: ServiceLogOptions | FastifyBaseLogger): value is FastifyBaseLogger {
  return typeof (value as FastifyBaseLogger).child === "function" && typeof (value as FastifyBaseLogger).info === "function";
}

/** fastify's logger options for the service's log settings: none means no log at all. */
export function loggerOptions(log: ServiceLogOptions | FastifyBaseLogger | undefined): Pick<FastifyServerOptions, "logger" | "loggerInstance" | "logController"> {
  const logController = new RequestLogController();
  if (log === undefined) return { logger: false, logController };
  if (isLogger(log)) return { loggerInstance: log, logController };
  return { logger: { level: log.level ?? "info", stream: log.destination ?? process.stderr }, logController };
}
