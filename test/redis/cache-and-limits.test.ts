import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { users } from "../../src/db/schema.js";
import { invalidateCachedUser } from "../../src/domain/users.js";
import { createLogger } from "../../src/lib/logger.js";
import { createRequestServices } from "../../src/services.js";
import { TEST_PASSWORD, connectTestDatabase, createUser, testBindings } from "../support/app.js";
import { bindingsWithClosedRedisPort, captureLogs, directRedis, itRunsAgainstRedis, send, skipWithoutRedis, startSilentServer } from "./support.js";

const database = connectTestDatabase();
afterAll(() => database.close());

/** Bindings with their own key prefix, so the rate limit counters start at zero for one test. */
function isolatedBindings(overrides: Record<string, unknown>): Record<string, unknown> {
  return testBindings({ REDIS_KEY_PREFIX: `${inject("redisKeyPrefix")}${crypto.randomUUID()}:`, ...overrides });
}

describe.skipIf(skipWithoutRedis)("user cache", () => {
  itRunsAgainstRedis();

  it("serves the cached user until it is invalidated", async () => {
    const user = await createUser("cache");
    expect((await send("GET", "/auth/me", { token: user.token })).body.data.name).toBe(user.name);

    await database.primary.update(users).set({ name: "Renamed Directly" }).where(eq(users.id, user.id));
    const cached = await send("GET", "/auth/me", { token: user.token });
    expect(cached.body.data.name).toBe(user.name);

    const context = createRequestServices(testBindings(), createLogger("error"));
    try {
      await invalidateCachedUser(context, user.id);
    } finally {
      await context.db.close();
    }
    const fresh = await send("GET", "/auth/me", { token: user.token });
    expect(fresh.body.data.name).toBe("Renamed Directly");
  });

  it("stores the user DTO for one day", async () => {
    const user = await createUser("cache-ttl");
    await send("GET", "/auth/me", { token: user.token });

    const key = `${inject("redisKeyPrefix")}user:v1:${user.id}`;
    const ttl = await directRedis().ttl(key);
    expect(ttl).toBeGreaterThan(86_400 - 60);
    expect(ttl).toBeLessThanOrEqual(86_400);
    expect(JSON.parse((await directRedis().get<string>(key))!)).toEqual({ id: user.id, name: user.name, email: user.email });
  });

  it("logs a miss, then a hit, at debug level", async () => {
    const user = await createUser("cache-log");
    const bindings = testBindings({ LOG_LEVEL: "debug" });

    const { events } = await captureLogs("log", async () => {
      await send("GET", "/auth/me", { token: user.token, bindings });
      await send("GET", "/auth/me", { token: user.token, bindings });
    });

    const cacheEvents = events.filter((event) => event.cache === "user").map((event) => `${event.level} ${event.event}`);
    expect(cacheEvents).toEqual(["debug cache.miss", "debug cache.hit"]);
  });

  it("reads the database when Redis is down", async () => {
    const user = await createUser("cache-down");
    const bindings = await bindingsWithClosedRedisPort({ LOG_LEVEL: "warn" });

    const { result, events } = await captureLogs("warn", () => send("GET", "/auth/me", { token: user.token, bindings }));

    expect(result.status).toBe(200);
    expect(result.body.data.id).toBe(user.id);
    expect(events.map((event) => event.event)).toContain("cache.read_failed");
  });
});

describe.skipIf(skipWithoutRedis)("rate limits", () => {
  itRunsAgainstRedis();

  it("answers 429 with Retry-After and RateLimit headers on clock-in", async () => {
    const user = await createUser("limit-clock");
    const bindings = isolatedBindings({ RATE_LIMIT_CLOCK_PER_USER: "2" });

    const first = await send("POST", "/clock-in", { token: user.token, bindings });
    const second = await send("PATCH", "/clock-out", { token: user.token, bindings });
    const limited = await send("POST", "/clock-in", { token: user.token, bindings });

    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("RATE_LIMITED");
    expect(limited.headers.get("RateLimit-Limit")).toBe("2");
    expect(limited.headers.get("RateLimit-Remaining")).toBe("0");
    const retryAfter = Number(limited.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(Number(limited.headers.get("RateLimit-Reset"))).toBe(retryAfter);
  });

  it("counts each user separately", async () => {
    const alice = await createUser("limit-alice");
    const bob = await createUser("limit-bob");
    const bindings = isolatedBindings({ RATE_LIMIT_CLOCK_PER_USER: "1" });

    expect((await send("POST", "/clock-in", { token: alice.token, bindings })).status).toBe(201);
    expect((await send("PATCH", "/clock-out", { token: alice.token, bindings })).status).toBe(429);
    expect((await send("POST", "/clock-in", { token: bob.token, bindings })).status).toBe(201);
  });

  it("limits tRPC clock calls the same way", async () => {
    const user = await createUser("limit-trpc");
    const bindings = isolatedBindings({ RATE_LIMIT_CLOCK_PER_USER: "1" });

    expect((await send("POST", "/trpc/clock.in", { token: user.token, json: null, bindings })).status).toBe(200);
    const limited = await send("POST", "/trpc/clock.out", { token: user.token, json: null, bindings });

    expect(limited.status).toBe(429);
    expect(limited.body.error.data.domain_code).toBe("RATE_LIMITED");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("RateLimit-Limit")).toBe("1");
  });

  it("limits login attempts per email", async () => {
    const user = await createUser("limit-email");
    const other = await createUser("limit-email-other");
    const bindings = isolatedBindings({ RATE_LIMIT_LOGIN_PER_EMAIL: "2" });
    const login = (email: string, password = TEST_PASSWORD) => send("POST", "/auth/login", { json: { email, password }, bindings });

    expect((await login(user.email, "wrong password")).status).toBe(401);
    expect((await login(user.email.toUpperCase())).status).toBe(200);
    const limited = await login(user.email);

    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("RATE_LIMITED");
    expect(limited.headers.get("RateLimit-Limit")).toBe("2");
    expect((await login(other.email)).status).toBe(200);
  });

  it("limits login attempts per CF-Connecting-IP", async () => {
    const user = await createUser("limit-ip");
    const bindings = isolatedBindings({ RATE_LIMIT_LOGIN_PER_IP: "1" });
    const login = (ip: string) =>
      send("POST", "/auth/login", { json: { email: user.email, password: TEST_PASSWORD }, headers: { "CF-Connecting-IP": ip }, bindings });

    expect((await login("203.0.113.5")).status).toBe(200);
    expect((await login("203.0.113.5")).status).toBe(429);
    expect((await login("203.0.113.6")).status).toBe(200);
  });

  it("limits follow and unfollow per user", async () => {
    const follower = await createUser("limit-follower");
    const first = await createUser("limit-followee-1");
    const second = await createUser("limit-followee-2");
    const bindings = isolatedBindings({ RATE_LIMIT_FOLLOW_PER_USER: "2" });

    expect((await send("POST", "/follows", { token: follower.token, json: { user_id: first.id }, bindings })).status).toBe(201);
    expect((await send("DELETE", "/follows", { token: follower.token, json: { user_id: first.id }, bindings })).status).toBe(200);
    const limited = await send("POST", "/follows", { token: follower.token, json: { user_id: second.id }, bindings });

    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("RATE_LIMITED");
    expect(limited.headers.get("RateLimit-Limit")).toBe("2");
  });

  it("turns a limit off with 0", async () => {
    const user = await createUser("limit-zero");
    const bindings = isolatedBindings({ RATE_LIMIT_CLOCK_PER_USER: "0" });

    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await send("POST", "/clock-in", { token: user.token, bindings })).status).toBe(201);
      expect((await send("PATCH", "/clock-out", { token: user.token, bindings })).status).toBe(200);
    }
  });
});

// These tests need no working Redis, so they also run when the endpoint uses its in-memory store.
describe("rate limits when Redis fails", () => {
  it("reject login with 503 when Redis is down", async () => {
    const user = await createUser("limit-down");
    const bindings = await bindingsWithClosedRedisPort({ RATE_LIMIT_ENABLED: "true" });

    const { result } = await captureLogs("error", () =>
      send("POST", "/auth/login", { json: { email: user.email, password: TEST_PASSWORD }, bindings }),
    );

    expect(result.status).toBe(503);
    expect(result.body.error.code).toBe("SERVICE_UNAVAILABLE");
    expect(result.body.message).toMatch(/rate limit could not be checked/);
    expect(result.headers.get("Retry-After")).toBe("5");
  });

  it("reject login with 503 within the timeout when Redis hangs", async () => {
    const silent = await startSilentServer();
    try {
      const user = await createUser("limit-silent");
      const bindings = testBindings({ UPSTASH_REDIS_REST_URL: silent.url, REDIS_TIMEOUT_MS: "300", RATE_LIMIT_ENABLED: "true" });

      const startedAt = Date.now();
      const { result } = await captureLogs("error", () =>
        send("POST", "/auth/login", { json: { email: user.email, password: TEST_PASSWORD }, bindings }),
      );

      expect(result.status).toBe(503);
      expect(Date.now() - startedAt).toBeLessThan(3_000);
    } finally {
      await silent.close();
    }
  });

  it("let clock-in through when Redis is down", async () => {
    const user = await createUser("limit-open");
    await send("GET", "/auth/me", { token: user.token });
    const bindings = await bindingsWithClosedRedisPort({ RATE_LIMIT_ENABLED: "true", RATE_LIMIT_CLOCK_PER_USER: "1", LOG_LEVEL: "warn" });

    const { result, events } = await captureLogs("warn", async () => [
      await send("POST", "/clock-in", { token: user.token, bindings }),
      await send("PATCH", "/clock-out", { token: user.token, bindings }),
    ]);

    expect(result.map((response) => response.status)).toEqual([201, 200]);
    expect(events.filter((event) => event.event === "rate_limit.unavailable")).toHaveLength(2);
  });

  it("are off without Redis bindings", async () => {
    const user = await createUser("limit-unconfigured");
    const bindings = testBindings({ UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined, RATE_LIMIT_LOGIN_PER_EMAIL: "1" });
    const login = () => send("POST", "/auth/login", { json: { email: user.email, password: TEST_PASSWORD }, bindings });

    expect((await login()).status).toBe(200);
    expect((await login()).status).toBe(200);
  });
});
