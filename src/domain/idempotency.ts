import { describeRedisError } from "../cache/redis.js";
import type { DomainContext } from "./context.js";
import { DomainError, validationError, type ErrorCode } from "./errors.js";

/**
 * Idempotency-Key handling for the non-idempotent endpoints, after the IETF draft "The
 * Idempotency-Key HTTP Header Field" and Stripe's API. REST and tRPC both call
 * `runIdempotently`, so a key used on `POST /clock-in` replays the same outcome on `clock.in`.
 *
 * One Redis key per (user, Idempotency-Key) holds either an in-flight lock or the completed
 * outcome, and names the operation that created it, so the same key on another operation is
 * detected rather than replayed.
 */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
export const IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed";

/** The operations that accept a key, named by their REST method and route. */
export type IdempotentOperation = "POST /clock-in" | "PATCH /clock-out";

type FailedOutcome = { ok: false; code: ErrorCode; message: string; details?: unknown };
export type StoredOutcome = { ok: true; value: unknown } | FailedOutcome;

type StoredRecord =
  | { state: "in_flight"; operation: IdempotentOperation; request_id: string }
  | { state: "completed"; operation: IdempotentOperation; request_id: string; status: number; outcome: StoredOutcome };

/** A stored outcome returned again; `requestId` is the request that produced it. */
export type Replay = { replayed: true; status: number; outcome: StoredOutcome; requestId: string };

export type IdempotentResult<T> = { replayed: false; value: T } | Replay;

export type IdempotentRequest = {
  /** The raw header value; undefined when the header is absent. */
  key: string | undefined;
  userId: number;
  operation: IdempotentOperation;
  requestId: string;
  /** HTTP status of a successful outcome, stored for replays. */
  successStatus: number;
};

const MAX_KEY_LENGTH = 255;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** Returns the key, or throws VALIDATION_FAILED (400) naming the header when it is malformed. */
export function parseIdempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;

  if (raw.length < 1 || raw.length > MAX_KEY_LENGTH || !PRINTABLE_ASCII.test(raw)) {
    throw validationError([
      {
        path: IDEMPOTENCY_KEY_HEADER,
        message: `must be 1 to ${MAX_KEY_LENGTH} printable ASCII characters (got ${raw.length} ${raw.length === 1 ? "character" : "characters"}); a UUID is a good key`,
      },
    ]);
  }
  return raw;
}

/**
 * Runs `execute` at most once per (user, key) within the retention time and returns its outcome,
 * or the outcome stored by an earlier request with the same key.
 *
 * - Successes and 409 domain errors are stored. Any other error, 429 and 5xx included, releases
 *   the key, so a retry runs again.
 * - A key whose first request is still running throws IDEMPOTENCY_KEY_IN_USE (409, Retry-After).
 * - A key first used on another operation throws IDEMPOTENCY_KEY_REUSED (422).
 * - Without Redis, or when Redis fails, `execute` runs unprotected and a warning is logged. The
 *   database's one-open-record rule still prevents double clock-ins.
 */
export async function runIdempotently<T>(context: DomainContext, request: IdempotentRequest, execute: () => Promise<T>): Promise<IdempotentResult<T>> {
  const key = parseIdempotencyKey(request.key);
  const redis = context.redis;
  if (key === undefined || !redis) return { replayed: false, value: await execute() };

  const redisKey = redis.key("idempotency", request.userId, key);
  const logFields = { operation: request.operation, user_id: request.userId };

  let replay: Replay | undefined;
  try {
    replay = await acquireOrRead(context, redisKey, request);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    context.logger.warn("idempotency.unavailable", { ...logFields, outcome: "ran_without_key", ...describeRedisError(error) });
    return { replayed: false, value: await execute() };
  }

  if (replay) {
    context.logger.info("idempotency.replayed", { ...logFields, original_request_id: replay.requestId });
    return replay;
  }

  let value: T;
  try {
    value = await execute();
  } catch (error) {
    if (error instanceof DomainError && error.status === 409) {
      await store(context, redisKey, request, error.status, { ok: false, code: error.code, message: error.message, details: error.details });
    } else {
      await release(context, redisKey, request);
    }
    throw error;
  }

  await store(context, redisKey, request, request.successStatus, { ok: true, value });
  return { replayed: false, value };
}

/**
 * Takes the in-flight lock and returns undefined, or returns the completed record to replay.
 * Throws IN_USE or REUSED for the other states.
 */
async function acquireOrRead(context: DomainContext, redisKey: string, request: IdempotentRequest): Promise<Replay | undefined> {
  const redis = context.redis!;
  const lock: StoredRecord = { state: "in_flight", operation: request.operation, request_id: request.requestId };

  // Two attempts: the record that made SET NX fail can expire before the GET reads it.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const acquired = await redis.client.set(redisKey, JSON.stringify(lock), { nx: true, px: context.settings.idempotencyLockTtlMs });
    if (acquired === "OK") return undefined;

    const text = await redis.client.get<string>(redisKey);
    if (text === null) continue;
    const record = JSON.parse(text) as StoredRecord;

    if (record.operation !== request.operation) {
      throw new DomainError(
        "IDEMPOTENCY_KEY_REUSED",
        `This Idempotency-Key was already used for ${record.operation}. Send a new key for ${request.operation}.`,
        { header: IDEMPOTENCY_KEY_HEADER, original_operation: record.operation },
      );
    }

    if (record.state === "completed") {
      return { replayed: true, status: record.status, outcome: record.outcome, requestId: record.request_id };
    }

    // The first request can store its outcome (24 h TTL) between the GET and the PTTL. A TTL
    // above the lock's own then means the outcome is ready, and the retry can come at once.
    const lockTtlMs = context.settings.idempotencyLockTtlMs;
    const remainingMs = await redis.client.pttl(redisKey);
    const lockRemainingMs = remainingMs > 0 && remainingMs <= lockTtlMs ? remainingMs : 1000;
    const retryAfterSeconds = Math.max(1, Math.ceil(lockRemainingMs / 1000));
    throw new DomainError(
      "IDEMPOTENCY_KEY_IN_USE",
      `A request with this Idempotency-Key is still being processed. Retry in ${retryAfterSeconds} seconds with the same key.`,
      { header: IDEMPOTENCY_KEY_HEADER },
      { headers: { "Retry-After": String(retryAfterSeconds) } },
    );
  }

  throw new DomainError("IDEMPOTENCY_KEY_IN_USE", "A request with this Idempotency-Key is still being processed. Retry in 1 second.", undefined, {
    headers: { "Retry-After": "1" },
  });
}

/**
 * Replaces the lock with the outcome. SET with PX, because a plain SET would store it with no
 * expiry. NOTE: the lock's owner is not checked. A request that outlived its lock therefore
 * overwrites the outcome of the retry that took the lock over. Both ran, and the database's
 * one-open-record rule kept them apart.
 */
async function store(context: DomainContext, redisKey: string, request: IdempotentRequest, status: number, outcome: StoredOutcome): Promise<void> {
  const record: StoredRecord = { state: "completed", operation: request.operation, request_id: request.requestId, status, outcome };

  try {
    await context.redis!.client.set(redisKey, JSON.stringify(record), { px: context.settings.idempotencyTtlSeconds * 1000 });
  } catch (error) {
    context.logger.warn("idempotency.store_failed", { operation: request.operation, user_id: request.userId, ...describeRedisError(error) });
  }
}

/** Deletes the lock after a failure that must not be replayed, so the retry runs at once. */
async function release(context: DomainContext, redisKey: string, request: IdempotentRequest): Promise<void> {
  try {
    await context.redis!.client.del(redisKey);
  } catch (error) {
    // The lock then expires on its own after IDEMPOTENCY_LOCK_TTL_MS.
    context.logger.warn("idempotency.release_failed", { operation: request.operation, user_id: request.userId, ...describeRedisError(error) });
  }
}

/** Rebuilds the domain error of a replayed failure, for transports that throw errors. */
export function replayedError(outcome: FailedOutcome): DomainError {
  return new DomainError(outcome.code, outcome.message, outcome.details);
}
