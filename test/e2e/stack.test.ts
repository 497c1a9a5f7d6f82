import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createStackLogger } from "../../scripts/stack/log.js";
import { DEMO_USER } from "../../scripts/stack/seed.js";
import { findFreePort, startStack, type RunningStack } from "../../scripts/stack/start.js";
import { GENEROUS_RATE_LIMITS } from "../support/app.js";
import { chunkedBody } from "../support/streams.js";

/**
 * Drives the real local stack over HTTP: `wrangler dev` (workerd) running the Worker, the Neon
 * driver through the WebSocket proxy, and the test database.
 */
let stack: RunningStack;

beforeAll(async () => {
  stack = await startStack({
    port: await findFreePort(),
    databaseUrl: inject("databaseUrl"),
    redisUrl: process.env.REDIS_URL || undefined,
    workerVars: { ...GENEROUS_RATE_LIMITS, REDIS_KEY_PREFIX: inject("redisKeyPrefix") },
    logger: createStackLogger("e2e", true),
  });
});

afterAll(async () => {
  await stack?.stop();
});

async function call(method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${stack.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe("wrangler dev stack", () => {
  it("runs the demo user's day end to end", async () => {
    const login = await call("POST", "/auth/login", undefined, { email: DEMO_USER.email, password: DEMO_USER.password });
    expect(login.status).toBe(200);
    const token = login.body.data.token as string;

    // The demo user may be clocked in from an earlier run against the same database.
    await call("PATCH", "/clock-out", token);

    const opened = await call("POST", "/clock-in", token);
    expect(opened.status).toBe(201);
    expect(opened.headers.get("X-Request-Id")).toMatch(/\S+/);

    const second = await call("POST", "/clock-in", token);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("ALREADY_CLOCKED_IN");

    const closed = await call("PATCH", "/clock-out", token);
    expect(closed.status).toBe(200);
    expect(closed.body.data.id).toBe(opened.body.data.id);

    const parallel = await Promise.all(Array.from({ length: 10 }, () => call("POST", "/clock-in", token)));
    const statuses = parallel.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(9);

    const closedAgain = await call("PATCH", "/clock-out", token);
    expect(closedAgain.status).toBe(200);

    const rejected = await call("PATCH", "/clock-out", token);
    expect(rejected.status).toBe(409);
    expect(rejected.body.error.code).toBe("NOT_CLOCKED_IN");

    const records = await call("GET", "/records?per_page=5", token);
    expect(records.status).toBe(200);
    expect(records.body.data[0].id).toBe(closedAgain.body.data.id);
    expect(records.body.data[1].id).toBe(closed.body.data.id);
    expect(records.body.meta.per_page).toBe(5);
    expect(records.body.meta.total_count).toBeGreaterThanOrEqual(2);
  });

  it("replays a clock-in sent with the same Idempotency-Key", async () => {
    const login = await call("POST", "/auth/login", undefined, { email: DEMO_USER.email, password: DEMO_USER.password });
    const token = login.body.data.token as string;
    await call("PATCH", "/clock-out", token);

    const key = `e2e-${Date.now()}`;
    const send = () =>
      fetch(`${stack.baseUrl}/clock-in`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Idempotency-Key": key } });
    const first = await send();
    const retry = await send();

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await retry.text()).toBe(await first.text());

    const closed = await call("PATCH", "/clock-out", token);
    expect(closed.status).toBe(200);
  });

  it("serves tRPC from the same Worker", async () => {
    const response = await fetch(`${stack.baseUrl}/trpc/auth.login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: DEMO_USER.email, password: DEMO_USER.password }),
    });
    const body = (await response.json()) as any;
    expect(response.status).toBe(200);
    expect(body.result.data.user.email).toBe(DEMO_USER.email);
  });

  it("keeps serving after a chunked body over the limit", async () => {
    const body = chunkedBody(16 * 1024, 64);
    const rejected = await fetch(`${stack.baseUrl}/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(rejected.status).toBe(413);
    await rejected.arrayBuffer();

    const next = await fetch(`${stack.baseUrl}/openapi.json`, { signal: AbortSignal.timeout(5_000) });
    expect(next.status).toBe(200);
  });

  it("rejects a bad token over HTTP", async () => {
    const response = await call("GET", "/auth/me", "not-a-token");
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("UNAUTHENTICATED");
  });
});
