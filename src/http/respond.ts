import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { PaginationMeta } from "../contracts/common.js";
import { IDEMPOTENT_REPLAYED_HEADER, type Replay } from "../domain/idempotency.js";

/** Builds the `{ data, message }` envelope every REST success response uses. */
export function envelope<T>(data: T, message: string): { data: T; message: string } {
  return { data, message };
}

/** Builds `{ data, message, meta }` for a list; the feed's meta adds cursor fields to the standard one. */
export function listEnvelope<T, M extends Omit<PaginationMeta, "current_page"> & { current_page: number | null }>(page: { data: T[]; meta: M }, message: string) {
  return { data: page.data, message, meta: page.meta };
}

/**
 * Sends a replayed idempotent outcome with its original status and body. A replayed error keeps
 * the original `request_id`, so the body is identical to the first response and points at the
 * log lines of the request that did the work. `X-Request-Id` names this request.
 */
export function respondWithReplay(c: Context, replay: Replay, successMessage: string): Response {
  c.header(IDEMPOTENT_REPLAYED_HEADER, "true");
  const status = replay.status as ContentfulStatusCode;

  if (replay.outcome.ok) return c.json(envelope(replay.outcome.value, successMessage), status);

  const { code, message, details } = replay.outcome;
  const error = details === undefined ? { code } : { code, details };
  return c.json({ data: null, message, error, request_id: replay.requestId }, status);
}
