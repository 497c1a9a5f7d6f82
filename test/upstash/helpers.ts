import { randomUUID } from "node:crypto";

import type { EndpointLogger } from "../../scripts/upstash/backend.js";
import { RespConnection, parseRedisUrl, type Reply } from "../../scripts/upstash/resp.js";

/**
 * Redis the Redis-backed tests use, overridable with UPSTASH_TEST_REDIS_URL. The default selects
 * database 3, so SELECT on every endpoint connection is exercised too.
 */
export const TEST_REDIS_URL = process.env.UPSTASH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/3";
/** Redis that the endpoint's `auto` mode probes. */
export const DEFAULT_LOCAL_REDIS_URL = "redis://127.0.0.1:6379";
export const TEST_TOKEN = "test-token-upstash-endpoint";

/** REQUIRE_REDIS=1 turns a missing Redis into failing tests instead of skipped ones. */
export const redisRequired = process.env.REQUIRE_REDIS === "1";

/** Returns whether the Redis at `url` replies to PING within one second. */
export async function isRedisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  try {
    const connection = await RespConnection.connect(parseRedisUrl(url), 1_000);
    try {
      const reply = await connection.send(["PING"]);
      return !(reply instanceof Error);
    } finally {
      connection.close();
    }
  } catch {
    return false;
  }
}

/** Unique key prefix per test file run, so parallel runs and other users of the database never collide. */
export function uniquePrefix(label: string): string {
  return `punchclock-test:upstash:${label}:${randomUUID()}:`;
}

/** Direct RESP connection to the test database, for setup and for checking what the endpoint wrote. */
export async function openDirectConnection(): Promise<RespConnection> {
  return RespConnection.connect(parseRedisUrl(TEST_REDIS_URL), 2_000);
}

/** Deletes every key under `prefix` in the test database. */
export async function deleteKeysWithPrefix(connection: RespConnection, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const reply = (await connection.send(["SCAN", cursor, "MATCH", `${prefix}*`, "COUNT", "1000"])) as [Buffer, Buffer[]];
    cursor = reply[0].toString();
    if (reply[1].length > 0) await connection.send(["DEL", ...reply[1]]);
  } while (cursor !== "0");
}

export async function countKeysWithPrefix(connection: RespConnection, prefix: string): Promise<number> {
  let cursor = "0";
  let count = 0;
  do {
    const reply = (await connection.send(["SCAN", cursor, "MATCH", `${prefix}*`, "COUNT", "1000"])) as [Buffer, Buffer[]];
    cursor = reply[0].toString();
    count += reply[1].length;
  } while (cursor !== "0");
  return count;
}

export interface CapturedLine {
  level: "info" | "warn" | "error";
  event: string;
  fields: Record<string, unknown>;
}

/** Logger that records lines in memory so tests can assert on them without printing. */
export function createCapturingLogger(): EndpointLogger & { lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const record = (level: CapturedLine["level"]) => (event: string, fields: Record<string, unknown> = {}) => {
    lines.push({ level, event, fields });
  };
  return { lines, info: record("info"), warn: record("warn"), error: record("error") };
}

/** Sends a raw HTTP request to the endpoint and returns status, headers and parsed JSON body. */
export async function rawRequest(
  url: string,
  options: { path?: string; method?: string; token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> },
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? TEST_TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;

  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${url}${options.path ?? "/"}`, {
    method: options.method ?? (payload === undefined ? "GET" : "POST"),
    headers,
    body: payload,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
}

export function replyText(reply: Reply): string | null {
  return Buffer.isBuffer(reply) ? reply.toString("utf8") : null;
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
