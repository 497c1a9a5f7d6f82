import net from "node:net";
import { Redis } from "@upstash/redis";
import { and, eq, isNull, sql } from "drizzle-orm";
import { expect, inject, it } from "vitest";
import { findFreePort } from "../../scripts/stack/start.js";
import { clockRecords } from "../../src/db/schema.js";
import { createApp } from "../../src/http/app.js";
import type { DatabaseConnections } from "../../src/db/client.js";
import { testBindings } from "../support/app.js";

/** Whether the tests' Upstash endpoint stores data in Redis rather than its in-memory fallback. */
export const redisBacked = inject("upstashBackend") === "redis";
/** REQUIRE_REDIS=1 turns the memory fallback into failing tests instead of skipped ones. */
export const redisRequired = process.env.REQUIRE_REDIS === "1";
export const skipWithoutRedis = !redisBacked && !redisRequired;

/** Adds the first test of each Redis file, which fails when REQUIRE_REDIS=1 and no Redis is behind the endpoint. */
export function itRunsAgainstRedis(): void {
  it("runs against Redis, not the in-memory store", () => {
    expect(inject("upstashBackend")).toBe("redis");
  });
}

/** Creates a client of the tests' endpoint, for checking what the Worker wrote (PTTL, stored records). */
export function directRedis(): Redis {
  return new Redis({ url: inject("upstashUrl"), token: inject("upstashToken"), automaticDeserialization: false, enableTelemetry: false });
}

/** Builds the Redis key that `runIdempotently` uses under the default bindings' prefix. */
export function idempotencyRedisKey(userId: number, key: string, prefix = inject("redisKeyPrefix")): string {
  return `${prefix}idempotency:${userId}:${key}`;
}

const app = createApp();

export type RawResponse = { status: number; headers: Headers; text: string; body: any };

/** Sends a request through the app and keeps the raw body text, so replays can be compared byte for byte. */
export async function send(
  method: string,
  path: string,
  options: { token?: string; key?: string; headers?: Record<string, string>; json?: unknown; bindings?: Record<string, unknown> } = {},
): Promise<RawResponse> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  if (options.key !== undefined) headers.set("Idempotency-Key", options.key);
  if (options.json !== undefined) headers.set("Content-Type", "application/json");

  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const response = await app.request(path, { method, headers, body }, options.bindings ?? testBindings());
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text === "" ? null : JSON.parse(text) };
}

export async function countRecords(database: DatabaseConnections, userId: number, openOnly = false): Promise<number> {
  const condition = openOnly ? and(eq(clockRecords.userId, userId), isNull(clockRecords.clockOut)) : eq(clockRecords.userId, userId);
  const [row] = await database.primary.select({ value: sql<number>`count(*)::int` }).from(clockRecords).where(condition);
  return row?.value ?? 0;
}

/** Bindings whose Upstash URL points at a loopback port nothing listens on. */
export async function bindingsWithClosedRedisPort(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return testBindings({ UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${await findFreePort()}`, ...overrides });
}

/** Starts a loopback TCP server that accepts connections and never responds, like a hung Redis. */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Collects the Worker's JSON log lines of one level while `run` executes. */
export async function captureLogs<T>(level: "log" | "warn" | "error", run: () => Promise<T>): Promise<{ result: T; events: Array<Record<string, unknown>> }> {
  const original = console[level];
  const events: Array<Record<string, unknown>> = [];
  console[level] = (line: unknown) => {
    try {
      events.push(JSON.parse(String(line)));
    } catch {
      original(line);
    }
  };
  try {
    return { result: await run(), events };
  } finally {
    console[level] = original;
  }
}
