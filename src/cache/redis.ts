import { Redis } from "@upstash/redis/cloudflare";
import type { Logger, LogFields } from "../lib/logger.js";

export type RedisSettings = {
  url: string;
  token: string;
  keyPrefix: string;
  timeoutMs: number;
};

/** The request's Redis client and the key prefix every key it writes starts with. */
export interface RedisStore {
  client: Redis;
  timeoutMs: number;
  /** Joins `parts` with ":" under the deployment's prefix, e.g. `punchclock:user:v1:42`. */
  key(...parts: Array<string | number>): string;
}

/**
 * Creates the Redis client for one request. Every command is aborted after `timeoutMs` and is not
 * retried: the client's default of 5 retries with exponential backoff would hold a request for
 * seconds when Redis is unreachable, and every caller has a fallback that is better than waiting.
 */
export function connectRedis(settings: RedisSettings): RedisStore {
  const client = new Redis({
    url: settings.url,
    token: settings.token,
    retry: false,
    // A function, so each command gets a fresh timeout rather than one shared deadline.
    signal: () => AbortSignal.timeout(settings.timeoutMs),
    // Values are JSON strings that the callers encode and decode themselves.
    automaticDeserialization: false,
    enableTelemetry: false,
  });

  return {
    client,
    timeoutMs: settings.timeoutMs,
    key: (...parts) => `${settings.keyPrefix}${parts.join(":")}`,
  };
}

const warnedEvents = new Set<string>();

/**
 * Logs a warning the first time `event` happens in this isolate. Used for missing configuration,
 * which would otherwise repeat on every request.
 */
export function warnOnce(logger: Logger, event: string, fields?: LogFields): void {
  if (warnedEvents.has(event)) return;
  warnedEvents.add(event);
  logger.warn(event, fields);
}

/**
 * Describes a Redis failure for a log line. @upstash/redis appends the whole command to its error
 * messages ("…, command was: [...]"), which would log cached values and stored responses.
 */
export function describeRedisError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error: String(error) };
  return { error: `${error.name}: ${error.message.replace(/, command was: [\s\S]*$/, "")}` };
}
