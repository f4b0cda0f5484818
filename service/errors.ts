/**
 * What the service answers when a request fails: `{ error, message, field?, txIndex? }` with a
 * 4xx status for anything the client can fix (the same messages as the CLI), and a 500 without a
 * stack for a bug in prescient (the stack goes to the service's log instead).
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { BaseError, InputError } from "../core/errors.js";

/** A block whose `number` is not the head's successor: another block got there first. */
export class BlockNumberConflictError extends BaseError {
  override name = "BlockNumberConflictError";
  readonly expected: bigint;
  readonly got: bigint;

  constructor(got: bigint, expected: bigint) {
    super(`block number ${got} is not the next block: the head is ${expected - 1n}, so the next block is ${expected} (leave "number" out to take the next one)`);
    this.expected = expected;
    this.got = got;
  }
}

/** A request the service refuses as a whole (e.g. a duplicate mempool id): 409 with a message. */
export class ConflictError extends BaseError {
  override name = "ConflictError";
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

export interface HttpErrorBody {
  /** A stable code: `invalid_input`, `block_number_conflict`, `body_too_large`, … */
  readonly error: string;
  readonly message: string;
  readonly field?: string;
  readonly txIndex?: number;
}

export interface HttpError {
  readonly status: number;
  readonly body: HttpErrorBody;
  /** Whether this is a bug in prescient (to be logged with its stack). */
  readonly internal: boolean;
}

/** Fastify's own client errors, by code: the status and a message in prescient's words. */
function fastifyClientError(error: { code?: unknown; statusCode?: unknown; message: string }, bodyLimit: number): HttpError | undefined {
  const status = typeof error.statusCode === "number" ? error.statusCode : undefined;
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return clientError(413, "body_too_large", `the request body is larger than the limit of ${bodyLimit} bytes (--body-limit)`);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return clientError(415, "unsupported_media_type", "send the body as JSON, with content-type: application/json");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return clientError(400, "invalid_content_length", "the body's length does not match its content-length header");
    case "FST_ERR_BAD_URL":
      return clientError(400, "bad_url", `the URL is not valid: ${error.message}`);
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return clientError(400, "invalid_input", "request body: the body is empty; expected a JSON document");
    default:
      if (status !== undefined && status >= 400 && status < 500) return clientError(status, "bad_request", error.message);
      return undefined;
  }
}

function clientError(status: number, error: string, message: string, where: { field?: string | undefined; txIndex?: number | undefined } = {}): HttpError {
  return {
    status,
    body: { error, message, ...(where.field !== undefined ? { field: where.field } : {}), ...(where.txIndex !== undefined ? { txIndex: where.txIndex } : {}) },
    internal: false,
  };
}

/** The HTTP answer for anything a route or fastify throws. */
export function toHttpError(error: unknown, bodyLimit: number): HttpError {
  if (error instanceof InputError) return clientError(400, "invalid_input", error.shortMessage, error);
  if (error instanceof BlockNumberConflictError) return clientError(409, "block_number_conflict", error.shortMessage, { field: "number" });
  if (error instanceof ConflictError) return clientError(409, "conflict", error.shortMessage, error);
  if (error instanceof Error) {
    const known = fastifyClientError(error as Error & { code?: unknown; statusCode?: unknown }, bodyLimit);
    if (known !== undefined) return known;
  }
  return { status: 500, body: { error: "internal_error", message: "internal error in prescient; the service log has the details" }, internal: true };
}

/**
 * Requests that are not HTTP enough to reach fastify's routing (headers over Node's limit, a
 * request that did not arrive in time, bytes that are not HTTP) get the same JSON error shape,
 * then the connection closes.
 */
export function writeClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  let status = 400;
  let body: HttpErrorBody = { error: "bad_request", message: "the request is not valid HTTP" };
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    status = 408;
    body = { error: "request_timeout", message: "the request did not arrive in time" };
  } else if (error.code === "HPE_HEADER_OVERFLOW") {
    status = 431;
    body = { error: "headers_too_large", message: "the request's headers (its URL included) are larger than the server accepts (16 KiB)" };
  }
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  }
  socket.destroy(error);
}
