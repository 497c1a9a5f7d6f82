// Runs @upstash/redis against the endpoint in memory mode, which needs no Redis, and checks how
// the endpoint chooses its backend.

import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { startUpstashEndpoint, type UpstashEndpoint } from "../../scripts/upstash/server.js";
import { DEFAULT_LOCAL_REDIS_URL, TEST_TOKEN, createCapturingLogger, isRedisReachable, sleep } from "./helpers.js";

const localRedisReachable = await isRedisReachable(DEFAULT_LOCAL_REDIS_URL);

describe("@upstash/redis against the in-memory endpoint", () => {
  const logger = createCapturingLogger();
  let endpoint: UpstashEndpoint;
  let redis: Redis;

  beforeAll(async () => {
    endpoint = await startUpstashEndpoint({ port: 0, token: TEST_TOKEN, backend: "memory", logger });
    redis = new Redis({ url: endpoint.url, token: endpoint.token, enableTelemetry: false });
  });

  afterAll(async () => {
    await endpoint?.close();
  });

  test("startup logs memory backend", () => {
    expect(endpoint.backend).toBe("memory");
    const started = logger.lines.find((line) => line.event === "upstash endpoint started");
    expect(started?.fields.backend).toBe("memory");
    expect(started?.fields.url).toBe(endpoint.url);
    expect(JSON.stringify(logger.lines)).not.toContain(TEST_TOKEN);
  });

  test("get set del exists", async () => {
    expect(await redis.set("k", "value")).toBe("OK");
    expect(await redis.get("k")).toBe("value");
    expect(await redis.exists("k", "k", "missing")).toBe(2);
    expect(await redis.del("k", "missing")).toBe(1);
    expect(await redis.get("k")).toBeNull();
  });

  test("set options through the client", async () => {
    expect(await redis.set("nx", "1", { nx: true })).toBe("OK");
    expect(await redis.set("nx", "2", { nx: true })).toBeNull();
    expect(await redis.get("nx")).toBe(1);

    await redis.set("ex", "v", { ex: 100 });
    expect(await redis.ttl("ex")).toBeGreaterThanOrEqual(99);
    expect(await redis.set("ex", "v2", { keepTtl: true, get: true })).toBe("v");
    expect(await redis.ttl("ex")).toBeGreaterThanOrEqual(99);
    expect(await redis.ttl("ex")).toBeLessThanOrEqual(100);

    await redis.set("px", "v", { px: 100 });
    expect(await redis.pttl("px")).toBeGreaterThan(0);
    await sleep(200);
    expect(await redis.get("px")).toBeNull();
  });

  test("expire pexpire ttl pttl", async () => {
    await redis.set("e", "v");
    expect(await redis.ttl("e")).toBe(-1);
    expect(await redis.expire("e", 30)).toBe(1);
    const ttl = await redis.ttl("e");
    expect(ttl).toBeGreaterThanOrEqual(29);
    expect(ttl).toBeLessThanOrEqual(30);
    expect(await redis.pexpire("e", 5_000)).toBe(1);
    const pttl = await redis.pttl("e");
    expect(pttl).toBeGreaterThan(4_000);
    expect(pttl).toBeLessThanOrEqual(5_000);
    expect(await redis.ttl("missing")).toBe(-2);
  });

  test("incr and mget with json", async () => {
    expect(await redis.incr("counter")).toBe(1);
    expect(await redis.incrby("counter", 9)).toBe(10);
    await redis.set("json", { minutes: 90, note: "Grüße 👋" });
    expect(await redis.mget("counter", "json", "none")).toEqual([10, { minutes: 90, note: "Grüße 👋" }, null]);
  });

  test("pipeline and multi", async () => {
    expect(await redis.pipeline().set("p", "1").incr("p").get("p").exec()).toEqual(["OK", 2, 2]);
    expect(await redis.multi().set("m", "a").get("m").del("m").exec()).toEqual(["OK", "a", 1]);
  });

  test("redis-style errors reach client", async () => {
    await redis.set("text", "abc");
    await expect(redis.incr("text")).rejects.toThrow("ERR value is not an integer or out of range");
  });

  test("eval is rejected clearly", async () => {
    await expect(redis.eval("return 1", [], [])).rejects.toThrow(/EVAL is not supported by the in-memory store/);
  });
});

describe("backend selection", () => {
  test("unreachable redisUrl fails startup", async () => {
    // Nothing listens on port 1 of loopback, so the connection is refused at once.
    const logger = createCapturingLogger();
    await expect(startUpstashEndpoint({ port: 0, token: TEST_TOKEN, redisUrl: "redis://127.0.0.1:1/0", logger })).rejects.toThrow(
      /connecting to Redis at 127\.0\.0\.1:1\/0 failed/,
    );
  });

  test("empty token is rejected", async () => {
    await expect(startUpstashEndpoint({ port: 0, token: "", backend: "memory" })).rejects.toThrow(/token must not be empty/);
  });

  test.skipIf(!localRedisReachable)("auto picks local redis", async () => {
    const logger = createCapturingLogger();
    const endpoint = await startUpstashEndpoint({ port: 0, token: TEST_TOKEN, logger });
    try {
      expect(endpoint.backend).toBe("redis");
      expect(logger.lines.find((line) => line.event === "upstash endpoint started")?.fields.redis).toBe("127.0.0.1:6379/0");
    } finally {
      await endpoint.close();
    }
  });

  test.skipIf(localRedisReachable)("auto falls back to memory", async () => {
    const logger = createCapturingLogger();
    const endpoint = await startUpstashEndpoint({ port: 0, token: TEST_TOKEN, logger });
    try {
      expect(endpoint.backend).toBe("memory");
      expect(logger.lines.map((line) => line.event)).toContain("redis unavailable, using in-memory store");
    } finally {
      await endpoint.close();
    }
  });

  test("close stops listening", async () => {
    const endpoint = await startUpstashEndpoint({ port: 0, token: TEST_TOKEN, backend: "memory", logger: createCapturingLogger() });
    const redis = new Redis({ url: endpoint.url, token: endpoint.token, enableTelemetry: false, retry: false });
    expect(await redis.set("k", "v")).toBe("OK");

    await endpoint.close();
    await expect(redis.get("k")).rejects.toThrow();
  });
});
