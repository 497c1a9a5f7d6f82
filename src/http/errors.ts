import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError, INTERNAL_ERROR_MESSAGE, type ErrorCode } from "../domain/errors.js";
import { describeError } from "../lib/logger.js";
import type { AppEnv } from "./types.js";

/** HTTP exceptions raised by Hono's own middleware (body parsing, body limit), as domain codes. */
const HTTP_EXCEPTION_CODES: Record<number, { code: ErrorCode; message: string }> = {
  400: { code: "INVALID_JSON", message: "Malformed JSON in the request body. Send a valid JSON object." },
  413: { code: "PAYLOAD_TOO_LARGE", message: "The request body is too large." },
  415: { code: "UNSUPPORTED_MEDIA_TYPE", message: "Unsupported Content-Type. Send the body as application/json." },
};


/** Converts anything thrown while handling a request into a domain error a client may see. */
export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;

  if (error instanceof HTTPException) {
    const known = HTTP_EXCEPTION_CODES[error.status];
    if (known) return new DomainError(known.code, known.message, undefined, { cause: error });
  }

  return new DomainError("INTERNAL", INTERNAL_ERROR_MESSAGE, undefined, { cause: error });
}

/**
 * The one place where REST errors become responses. 5xx errors are logged with their stack and
 * get a generic message, so no SQL, driver text or stack reaches the client.
 */
export function respondWithError(error: unknown, c: Context<AppEnv>): Response {
  const domainError = toDomainError(error);
  const requestId = c.get("requestId") ?? "unknown";
  const logger = c.get("logger");

  if (domainError.status >= 500) {
    logger?.error("request.failed", { code: domainError.code, ...describeError(error) });
  } else {
    logger?.info("request.rejected", { code: domainError.code, status: domainError.status });
  }

  for (const [name, value] of Object.entries(domainError.headers ?? {})) c.header(name, value);

  const error_ = domainError.details === undefined ? { code: domainError.code } : { code: domainError.code, details: domainError.details };
  return c.json(
    { data: null, message: domainError.message, error: error_, request_id: requestId },
    domainError.status as ContentfulStatusCode,
  );
}
