// Runs @upstash/ratelimit, which relies on EVALSHA with an EVAL fallback, against the
// Redis-backed endpoint. Skipped without Redis on 127.0.0.1:6379 unless REQUIRE_REDIS=1.

import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { RespConnection } from "../../scripts/upstash/resp.js";
import { startUpstashEndpoint, type UpstashEndpoint } from "../../scripts/upstash/server.js";
import {
  TEST_REDIS_URL,
  TEST_TOKEN,
  countKeysWithPrefix,
  createCapturingLogger,
  deleteKeysWithPrefix,
  isRedisReachable,
  openDirectConnection,
  redisRequired,
  sleep,
  uniquePrefix,
} from "./helpers.js";

const redisReachable = await isRedisReachable();

const LIMIT = 3;
const WINDOW = "60 s";
const WINDOW_MS = 60_000;
/** Time a test needs to finish inside one window, with margin for a loaded machine. */
const TEST_MARGIN_MS = 3_000;

/**
 * Waits for the next window when the current one ends within TEST_MARGIN_MS. Both limiters align
 * windows to the Unix epoch, so a test that crosses a window boundary would see its count reset.
 */
async function waitForRoomInWindow(): Promise<void> {
  const remainingInWindow = WINDOW_MS - (Date.now() % WINDOW_MS);
  if (remainingInWindow < TEST_MARGIN_MS) await sleep(remainingInWindow + 50);
}

describe.skipIf(!redisReachable && !redisRequired)("@upstash/ratelimit against the Redis-backed endpoint", () => {
  const prefix = uniquePrefix("ratelimit");
  let endpoint: UpstashEndpoint;
  let redis: Redis;
  let direct: RespConnection;

  beforeAll(async () => {
    endpoint = await startUpstashEndpoint({ port: 0, token: TEST_TOKEN, redisUrl: TEST_REDIS_URL, logger: createCapturingLogger() });
    redis = new Redis({ url: endpoint.url, token: endpoint.token, enableTelemetry: false });
    direct = await openDirectConnection();
  });

  afterAll(async () => {
    if (direct !== undefined) {
      await deleteKeysWithPrefix(direct, prefix);
      direct.close();
    }
    await endpoint?.close();
  });

  // The ephemeral cache would reject blocked identifiers in-process, hiding whether Redis enforced the limit.
  const createLimiter = (limiter: ReturnType<typeof Ratelimit.fixedWindow>, name: string) =>
    new Ratelimit({ redis, limiter, prefix: `${prefix}${name}`, ephemeralCache: false, analytics: false });

  const windows = [
    { name: "fixedWindow", limiter: () => Ratelimit.fixedWindow(LIMIT, WINDOW) },
    { name: "slidingWindow", limiter: () => Ratelimit.slidingWindow(LIMIT, WINDOW) },
  ];

  for (const { name, limiter } of windows) {
    test(`${name} enforces the limit`, async () => {
      const ratelimit = createLimiter(limiter(), name);
      const identifier = "user-1";
      await waitForRoomInWindow();
      const startedAt = Date.now();

      const results = [];
      for (let i = 0; i < LIMIT + 2; i++) {
        const result = await ratelimit.limit(identifier);
        await result.pending;
        results.push(result);
      }

      expect(results.map((result) => result.success)).toEqual([true, true, true, false, false]);
      expect(results.map((result) => result.remaining)).toEqual([2, 1, 0, 0, 0]);
      for (const result of results) {
        expect(result.limit).toBe(LIMIT);
        expect(result.reset).toBeGreaterThan(startedAt);
        expect(result.reset).toBeLessThanOrEqual(Date.now() + WINDOW_MS);
      }
    });

    test(`${name} state lives in redis`, async () => {
      const identifier = "user-2";
      await waitForRoomInWindow();
      const first = createLimiter(limiter(), name);
      for (let i = 0; i < LIMIT; i++) {
        expect((await first.limit(identifier)).success).toBe(true);
      }

      // A second limiter shares nothing in-process with the first, so only Redis can deny it.
      const second = createLimiter(limiter(), name);
      const denied = await second.limit(identifier);
      expect(denied.success).toBe(false);
      expect(await countKeysWithPrefix(direct, `${prefix}${name}:${identifier}`)).toBeGreaterThan(0);

      const other = await second.limit("user-3");
      expect(other.success).toBe(true);
      expect(other.remaining).toBe(LIMIT - 1);
    });

    test(`${name} getRemaining and resetUsedTokens`, async () => {
      const ratelimit = createLimiter(limiter(), name);
      const identifier = "user-4";
      await waitForRoomInWindow();
      await ratelimit.limit(identifier);
      await ratelimit.limit(identifier);

      const remaining = await ratelimit.getRemaining(identifier);
      expect(remaining.remaining).toBe(LIMIT - 2);
      expect(remaining.reset).toBeGreaterThan(Date.now() - 1);

      await ratelimit.resetUsedTokens(identifier);
      expect((await ratelimit.getRemaining(identifier)).remaining).toBe(LIMIT);
    });
  }

  test("restarted endpoint recovers via eval fallback", async () => {
    const identifier = "user-5";
    await waitForRoomInWindow();
    const warm = createLimiter(Ratelimit.fixedWindow(LIMIT, WINDOW), "restart");
    expect((await warm.limit(identifier)).remaining).toBe(LIMIT - 1);

    // A new endpoint has not seen the scripts, so EVALSHA with the client's SHA1 gets NOSCRIPT,
    // which @upstash/ratelimit must find in the error message before retrying with EVAL.
    const restarted = await startUpstashEndpoint({ port: 0, token: TEST_TOKEN, redisUrl: TEST_REDIS_URL, logger: createCapturingLogger() });
    try {
      const redisAfterRestart = new Redis({ url: restarted.url, token: restarted.token, enableTelemetry: false });
      const ratelimit = new Ratelimit({
        redis: redisAfterRestart,
        limiter: Ratelimit.fixedWindow(LIMIT, WINDOW),
        prefix: `${prefix}restart`,
        ephemeralCache: false,
        analytics: false,
      });
      const result = await ratelimit.limit(identifier);
      expect(result.success).toBe(true);
      expect(result.remaining).toBe(LIMIT - 2);
    } finally {
      await restarted.close();
    }
  });
});
