import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { connectThroughProxy } from "../../scripts/stack/database.js";
import type { DatabaseConnections } from "../../src/db/client.js";
import { createApp } from "../../src/http/app.js";

export const TEST_JWT_SECRET = "test-only-jwt-secret-with-more-than-32-characters";

/**
 * Rate limits far above what any test sends, so only the tests that lower them see 429s. The
 * in-memory Upstash store cannot run @upstash/ratelimit's Lua scripts, so limits are off there.
 */
export const GENEROUS_RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_ENABLED: inject("upstashBackend") === "redis" ? "true" : "false",
  RATE_LIMIT_LOGIN_PER_IP: "100000",
  RATE_LIMIT_LOGIN_PER_EMAIL: "100000",
  RATE_LIMIT_CLOCK_PER_USER: "100000",
  RATE_LIMIT_FOLLOW_PER_USER: "100000",
};

/** Worker bindings as the test database, proxy and Upstash endpoint need them. */
export function testBindings(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    APP_ENV: "test",
    DATABASE_URL: inject("databaseUrl"),
    NEON_WS_PROXY: inject("proxyAddress"),
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: "error",
    UPSTASH_REDIS_REST_URL: inject("upstashUrl"),
    UPSTASH_REDIS_REST_TOKEN: inject("upstashToken"),
    REDIS_KEY_PREFIX: inject("redisKeyPrefix"),
    ...GENEROUS_RATE_LIMITS,
    ...overrides,
  };
}

const app = createApp();

export type JsonResponse = { status: number; headers: Headers; body: any };

/** Sends a request through the whole Hono app (REST, tRPC, middleware) with test bindings. */
export async function request(
  path: string,
  init: RequestInit & { json?: unknown; token?: string } = {},
  bindings: Record<string, unknown> = testBindings(),
): Promise<JsonResponse> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(init.json);
  }

  const response = await app.request(path, { ...init, headers, body }, bindings);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    // Leave non-JSON bodies as text so a test can show them.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export function uniqueEmail(label = "user"): string {
  return `${label}-${randomBytes(6).toString("hex")}@example.test`;
}

export const TEST_PASSWORD = "correct horse battery";

/** Registers a new user and logs in; returns the user and a token. */
export async function createUser(label = "user"): Promise<{ id: number; email: string; name: string; token: string }> {
  const email = uniqueEmail(label);
  const name = `Test ${label}`;
  const registered = await request("/auth/register", { method: "POST", json: { name, email, password: TEST_PASSWORD } });
  if (registered.status !== 201) throw new Error(`register failed: ${JSON.stringify(registered.body)}`);

  const login = await request("/auth/login", { method: "POST", json: { email, password: TEST_PASSWORD } });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);

  return { id: registered.body.data.id, email, name, token: login.body.data.token };
}

/** Direct database access for assertions on what was (or was not) written. */
export function connectTestDatabase(): DatabaseConnections {
  return connectThroughProxy(inject("databaseUrl"), inject("proxyAddress"));
}
