import { afterAll, describe, expect, it } from "vitest";
import { connectTestDatabase, createUser, testBindings } from "../support/app.js";
import {
  bindingsWithClosedRedisPort,
  captureLogs,
  countRecords,
  directRedis,
  idempotencyRedisKey,
  itRunsAgainstRedis,
  send,
  skipWithoutRedis,
  startSilentServer,
} from "./support.js";

const database = connectTestDatabase();
afterAll(() => database.close());

const DAY_MS = 86_400_000;

function newKey(label: string): string {
  return `${label}-${crypto.randomUUID()}`;
}

describe.skipIf(skipWithoutRedis)("Idempotency-Key on clock-in and clock-out", () => {
  itRunsAgainstRedis();

  it("replays the stored 201 unchanged", async () => {
    const user = await createUser("idem-replay");
    const key = newKey("replay");

    const first = await send("POST", "/clock-in", { token: user.token, key });
    const retry = await send("POST", "/clock-in", { token: user.token, key });

    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get("X-Request-Id")).not.toBe(first.headers.get("X-Request-Id"));
    expect(await countRecords(database, user.id)).toBe(1);
  });

  it("replays a stored 409 without running again", async () => {
    const user = await createUser("idem-409");
    await send("POST", "/clock-in", { token: user.token });
    const key = newKey("conflict");

    const first = await send("POST", "/clock-in", { token: user.token, key });
    expect(first.status).toBe(409);
    expect(first.body.error.code).toBe("ALREADY_CLOCKED_IN");

    // After clocking out, a real run would succeed; the replay still returns the stored 409.
    expect((await send("PATCH", "/clock-out", { token: user.token })).status).toBe(200);
    const retry = await send("POST", "/clock-in", { token: user.token, key });

    expect(retry.status).toBe(409);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(retry.text).toBe(first.text);
    expect(await countRecords(database, user.id, true)).toBe(0);
  });

  it("runs 20 parallel requests with one key once", async () => {
    const user = await createUser("idem-parallel");
    const key = newKey("parallel");

    const responses = await Promise.all(Array.from({ length: 20 }, () => send("POST", "/clock-in", { token: user.token, key })));

    const created = responses.filter((response) => response.status === 201);
    const inUse = responses.filter((response) => response.status === 409);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.length + inUse.length).toBe(20);
    for (const response of created) expect(response.text).toBe(created[0]!.text);
    for (const response of inUse) {
      expect(response.body.error.code).toBe("IDEMPOTENCY_KEY_IN_USE");
      expect(Number(response.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
      // Never longer than the in-flight lock lives, even when the outcome lands mid-check.
      expect(Number(response.headers.get("Retry-After"))).toBeLessThanOrEqual(30);
    }
    expect(await countRecords(database, user.id)).toBe(1);
  });

  it("lets a retry run after the in-flight lock expires", async () => {
    const user = await createUser("idem-lock");
    const key = newKey("lock");
    // The lock a request leaves when its Worker dies before storing an outcome.
    const crashedLock = JSON.stringify({ state: "in_flight", operation: "POST /clock-in", request_id: "crashed-request" });
    await directRedis().set(idempotencyRedisKey(user.id, key), crashedLock, { px: 600 });

    const blocked = await send("POST", "/clock-in", { token: user.token, key });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe("IDEMPOTENCY_KEY_IN_USE");
    expect(blocked.headers.get("Retry-After")).toBe("1");
    expect(await countRecords(database, user.id)).toBe(0);

    await new Promise((resolve) => setTimeout(resolve, 700));
    const retry = await send("POST", "/clock-in", { token: user.token, key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await countRecords(database, user.id)).toBe(1);
  });

  it("stores the outcome with a 24-hour TTL", async () => {
    const user = await createUser("idem-ttl");
    const key = newKey("ttl");
    await send("POST", "/clock-in", { token: user.token, key });

    const redisKey = idempotencyRedisKey(user.id, key);
    const ttl = await directRedis().pttl(redisKey);
    expect(ttl).toBeGreaterThan(DAY_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(DAY_MS);

    const stored = JSON.parse((await directRedis().get<string>(redisKey))!);
    expect(stored.state).toBe("completed");
    expect(stored.status).toBe(201);
  });

  it("keeps one user's key away from another user", async () => {
    const alice = await createUser("idem-alice");
    const bob = await createUser("idem-bob");
    const key = newKey("shared");

    const aliceResponse = await send("POST", "/clock-in", { token: alice.token, key });
    const bobResponse = await send("POST", "/clock-in", { token: bob.token, key });

    expect(aliceResponse.status).toBe(201);
    expect(bobResponse.status).toBe(201);
    expect(bobResponse.headers.get("Idempotent-Replayed")).toBeNull();
    expect(bobResponse.body.data.user_id).toBe(bob.id);
    expect(bobResponse.body.data.id).not.toBe(aliceResponse.body.data.id);
    expect(await countRecords(database, bob.id)).toBe(1);
  });

  it("rejects a key reused on the other endpoint with 422", async () => {
    const user = await createUser("idem-reuse");
    const key = newKey("reuse");
    expect((await send("POST", "/clock-in", { token: user.token, key })).status).toBe(201);

    const reused = await send("PATCH", "/clock-out", { token: user.token, key });

    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(reused.body.message).toContain("POST /clock-in");
    expect(await countRecords(database, user.id, true)).toBe(1);
  });

  it.each([
    ["empty", ""],
    ["256 characters", "k".repeat(256)],
    ["non-ASCII", "clé-é"],
    ["a control character", "key\twith-tab"],
  ])("rejects a key that is %s with 400", async (_case, key) => {
    const user = await createUser("idem-invalid");

    const response = await send("POST", "/clock-in", { token: user.token, key });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("VALIDATION_FAILED");
    expect(response.body.message).toContain("Idempotency-Key");
    expect(await countRecords(database, user.id)).toBe(0);
  });

  it("accepts a 255-character key", async () => {
    const user = await createUser("idem-255");
    const response = await send("POST", "/clock-in", { token: user.token, key: "k".repeat(255) });
    expect(response.status).toBe(201);
  });

  it("does not store a 500, so the retry runs", async () => {
    const user = await createUser("idem-500");
    const key = newKey("failure");
    // Caches the user, so the broken database below fails the clock-in rather than authentication.
    expect((await send("GET", "/auth/me", { token: user.token })).status).toBe(200);
    const broken = testBindings({ NEON_WS_PROXY: "127.0.0.1:1" });

    const failed = await captureLogs("error", () => send("POST", "/clock-in", { token: user.token, key, bindings: broken }));
    expect(failed.result.status).toBe(500);
    expect(failed.events.map((event) => event.event)).toContain("request.failed");
    expect(await directRedis().exists(idempotencyRedisKey(user.id, key))).toBe(0);

    const retry = await send("POST", "/clock-in", { token: user.token, key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await countRecords(database, user.id)).toBe(1);
  });

  it("still clocks in once when Redis is down", async () => {
    const user = await createUser("idem-down");
    const key = newKey("down");
    const bindings = await bindingsWithClosedRedisPort({ LOG_LEVEL: "warn" });

    const { result, events } = await captureLogs("warn", async () => [
      await send("POST", "/clock-in", { token: user.token, key, bindings }),
      await send("POST", "/clock-in", { token: user.token, key, bindings }),
    ]);

    expect(result[0]!.status).toBe(201);
    expect(result[1]!.status).toBe(409);
    expect(result[1]!.body.error.code).toBe("ALREADY_CLOCKED_IN");
    expect(result[1]!.headers.get("Idempotent-Replayed")).toBeNull();
    expect(events.map((event) => event.event)).toContain("idempotency.unavailable");
    expect(await countRecords(database, user.id)).toBe(1);
  });

  it("does not stall when Redis accepts but never answers", async () => {
    const silent = await startSilentServer();
    try {
      const user = await createUser("idem-silent");
      const bindings = testBindings({ UPSTASH_REDIS_REST_URL: silent.url, REDIS_TIMEOUT_MS: "300" });

      const startedAt = Date.now();
      const response = await captureLogs("warn", () => send("POST", "/clock-in", { token: user.token, key: newKey("silent"), bindings }));

      expect(response.result.status).toBe(201);
      // Cache read, cache write and the idempotency lock each give up after 300 ms.
      expect(Date.now() - startedAt).toBeLessThan(5_000);
    } finally {
      await silent.close();
    }
  });

  it("replays through tRPC with the same header", async () => {
    const user = await createUser("idem-trpc");
    const key = newKey("trpc");

    const first = await send("POST", "/trpc/clock.in", { token: user.token, key, json: null });
    const retry = await send("POST", "/trpc/clock.in", { token: user.token, key, json: null });
    const restRetry = await send("POST", "/clock-in", { token: user.token, key });

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(retry.body.result.data).toEqual(first.body.result.data);
    expect(restRetry.status).toBe(201);
    expect(restRetry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(restRetry.body.data).toEqual(first.body.result.data);
    expect(await countRecords(database, user.id)).toBe(1);
  });

  it("rejects reuse and invalid keys over tRPC", async () => {
    const user = await createUser("idem-trpc-errors");
    const key = newKey("trpc-reuse");
    await send("POST", "/trpc/clock.in", { token: user.token, key, json: null });

    const reused = await send("POST", "/trpc/clock.out", { token: user.token, key, json: null });
    const invalid = await send("POST", "/trpc/clock.out", { token: user.token, key: "", json: null });

    expect(reused.status).toBe(422);
    expect(reused.body.error.data.domain_code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.data.domain_code).toBe("VALIDATION_FAILED");
    expect(invalid.body.error.message).toContain("Idempotency-Key");
    expect(await countRecords(database, user.id, true)).toBe(1);
  });
});

describe("Idempotency-Key without Redis bindings", () => {
  it("validates the key and runs every request", async () => {
    const user = await createUser("idem-unconfigured");
    const bindings = testBindings({ UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined });
    const key = newKey("unconfigured");

    const first = await send("POST", "/clock-in", { token: user.token, key, bindings });
    const second = await send("POST", "/clock-in", { token: user.token, key, bindings });
    const invalid = await send("POST", "/clock-in", { token: user.token, key: "", bindings });

    expect(first.status).toBe(201);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("ALREADY_CLOCKED_IN");
    expect(invalid.status).toBe(400);
  });
});
