import type { Logger } from "../lib/logger.js";
import { describeRedisError, type RedisStore } from "./redis.js";

/**
 * A JSON cache in Redis for cache-aside reads. Every method treats a Redis failure as a miss (or
 * a no-op) and logs it, so callers always fall back to their source of truth. Keys are relative:
 * the store adds the deployment's prefix.
 */
export interface JsonCache {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
}

/** The cache used when Redis is not configured: every read misses. */
export const disabledCache: JsonCache = {
  get: async () => undefined,
  set: async () => {},
  delete: async () => {},
};

export function createJsonCache(store: RedisStore, logger: Logger): JsonCache {
  return {
    async get(key) {
      try {
        const text = await store.client.get<string>(store.key(key));
        return text === null ? undefined : JSON.parse(text);
      } catch (error) {
        logger.warn("cache.read_failed", { key, ...describeRedisError(error) });
        return undefined;
      }
    },

    async set(key, value, ttlSeconds) {
      try {
        await store.client.set(store.key(key), JSON.stringify(value), { ex: ttlSeconds });
      } catch (error) {
        logger.warn("cache.write_failed", { key, ...describeRedisError(error) });
      }
    },

    async delete(...keys) {
      if (keys.length === 0) return;
      try {
        await store.client.del(...keys.map((key) => store.key(key)));
      } catch (error) {
        // NOTE: a failed delete leaves the old value until its TTL ends; callers that cannot accept
        // that must keep TTLs short.
        logger.error("cache.delete_failed", { keys, ...describeRedisError(error) });
      }
    },
  };
}
