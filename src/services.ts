import { createJsonCache, disabledCache } from "./cache/cache.js";
import { connectRedis, warnOnce } from "./cache/redis.js";
import { connectDatabase } from "./db/client.js";
import type { DomainContext } from "./domain/context.js";
import { loadEnvironment } from "./env.js";
import type { Logger } from "./lib/logger.js";

/**
 * Builds the services one request uses from the Worker's bindings. The environment is validated
 * once per isolate. The database pools are new for every request and closed when it ends, because
 * on Workers a WebSocket, and so a Neon connection, cannot outlive the request that opened it.
 */
export function createRequestServices(bindings: Record<string, unknown>, logger: Logger, request: { clientIp?: string | undefined } = {}): DomainContext {
  const environment = loadEnvironment(bindings);

  const db = connectDatabase({
    primaryUrl: environment.DATABASE_URL,
    replicaUrl: environment.DATABASE_REPLICA_URL,
    webSocketProxy: environment.NEON_WS_PROXY,
  });

  const redis =
    environment.UPSTASH_REDIS_REST_URL && environment.UPSTASH_REDIS_REST_TOKEN
      ? connectRedis({
          url: environment.UPSTASH_REDIS_REST_URL,
          token: environment.UPSTASH_REDIS_REST_TOKEN,
          keyPrefix: environment.REDIS_KEY_PREFIX,
          timeoutMs: environment.REDIS_TIMEOUT_MS,
        })
      : undefined;

  if (!redis) {
    const reason = "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are not set";
    warnOnce(logger, "idempotency.disabled", { reason, effect: "Idempotency-Key is validated but never replayed" });
    warnOnce(logger, "cache.disabled", { reason, effect: "every read goes to the database" });
    warnOnce(logger, "rate_limit.disabled", { reason, effect: "no request is rate limited" });
  }

  return {
    db,
    logger,
    redis,
    cache: redis ? createJsonCache(redis, logger) : disabledCache,
    clientIp: request.clientIp || "local",
    settings: {
      jwtSecret: environment.JWT_SECRET,
      jwtTtlSeconds: environment.JWT_TTL_SECONDS,
      maxFollowing: environment.MAX_FOLLOWING,
      idempotencyTtlSeconds: environment.IDEMPOTENCY_TTL_SECONDS,
      idempotencyLockTtlMs: environment.IDEMPOTENCY_LOCK_TTL_MS,
      rateLimits: {
        enabled: environment.RATE_LIMIT_ENABLED,
        windowSeconds: environment.RATE_LIMIT_WINDOW_SECONDS,
        loginPerIp: environment.RATE_LIMIT_LOGIN_PER_IP,
        loginPerEmail: environment.RATE_LIMIT_LOGIN_PER_EMAIL,
        clockPerUser: environment.RATE_LIMIT_CLOCK_PER_USER,
        followPerUser: environment.RATE_LIMIT_FOLLOW_PER_USER,
      },
    },
  };
}
