import type { JsonCache } from "../cache/cache.js";
import type { RedisStore } from "../cache/redis.js";
import type { DatabaseConnections } from "../db/client.js";
import type { Logger } from "../lib/logger.js";
import type { RateLimitSettings } from "./rate-limit.js";

/** The services every domain function receives: the request's database handles, logger and settings. */
export interface DomainContext {
  db: DatabaseConnections;
  logger: Logger;
  /** Absent when the Upstash bindings are not set. */
  redis: RedisStore | undefined;
  cache: JsonCache;
  /** The caller's address from `CF-Connecting-IP`, or "local" outside Cloudflare's network. */
  clientIp: string;
  settings: {
    jwtSecret: string;
    jwtTtlSeconds: number;
    /** Maximum number of users one user may follow. */
    maxFollowing: number;
    idempotencyTtlSeconds: number;
    idempotencyLockTtlMs: number;
    rateLimits: RateLimitSettings;
  };
}
