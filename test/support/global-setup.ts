import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { TestProject } from "vitest/node";
import { applyMigrations, connectThroughProxy } from "../../scripts/stack/database.js";
import { createStackLogger } from "../../scripts/stack/log.js";
import { startDatabase, type DatabaseServer } from "../../scripts/stack/postgres.js";
import { startWebSocketProxy, type WebSocketProxy } from "../../scripts/stack/ws-proxy.js";
import { startUpstashEndpoint } from "../../scripts/upstash/server.js";
import { Redis } from "@upstash/redis";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseKind: "postgres" | "pglite";
    proxyAddress: string;
    upstashUrl: string;
    upstashToken: string;
    upstashBackend: "redis" | "memory";
    /** Prefix of every Redis key this run writes; the keys are deleted at the end. */
    redisKeyPrefix: string;
  }
}

const logger = createStackLogger("test", true);

/**
 * With DATABASE_URL set, the tests run in a new database created on that server and dropped at
 * the end, so they never touch the data already there. Without it they use an in-memory PGlite.
 * Every test then talks to Postgres through the WebSocket proxy and the Neon driver.
 */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.DATABASE_URL || undefined;
  if (process.env.REQUIRE_POSTGRES === "1" && !serverUrl) {
    throw new Error("REQUIRE_POSTGRES=1 but DATABASE_URL is not set: refusing to fall back to PGlite.");
  }

  const server = await startDatabase({ databaseUrl: serverUrl, logger });
  const maintenanceProxy = await startWebSocketProxy({ allowedTarget: { host: server.host, port: server.port }, logger });

  let databaseUrl = server.url;
  let dropDatabase = async () => {};
  if (server.kind === "postgres") {
    const name = `punchclock_test_${randomBytes(4).toString("hex")}`;
    await runStatement(server.url, maintenanceProxy, `create database ${name}`);
    const url = new URL(server.url);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = () => runStatement(server.url, maintenanceProxy, `drop database if exists ${name} with (force)`);
  }

  await applyMigrations(databaseUrl, maintenanceProxy.address);

  // REDIS_URL selects the Redis behind the endpoint; otherwise 127.0.0.1:6379 when it accepts connections, else
  // the in-memory store, and the tests that need Redis skip themselves (or fail with REQUIRE_REDIS=1).
  const upstash = await startUpstashEndpoint({
    port: 0,
    host: "127.0.0.1",
    token: randomBytes(24).toString("base64url"),
    redisUrl: process.env.REDIS_URL || undefined,
    logger: { info: () => {}, warn: logger.warn, error: logger.error },
  });
  const redisKeyPrefix = `punchclock-test-${randomBytes(4).toString("hex")}:`;
  if (upstash.backend === "memory") logger.warn("test.redis_missing", { effect: "Redis tests are skipped unless REQUIRE_REDIS=1" });

  project.provide("databaseUrl", databaseUrl);
  project.provide("databaseKind", server.kind);
  project.provide("proxyAddress", maintenanceProxy.address);
  project.provide("upstashUrl", upstash.url);
  project.provide("upstashToken", upstash.token);
  project.provide("upstashBackend", upstash.backend);
  project.provide("redisKeyPrefix", redisKeyPrefix);

  return async () => {
    // The in-memory store has no SCAN, and its data ends with the process anyway.
    if (upstash.backend === "redis") {
      await deleteKeys(upstash.url, upstash.token, redisKeyPrefix).catch((error: unknown) =>
        logger.warn("test.redis_cleanup_failed", { error: String(error) }),
      );
    }
    await upstash.close();
    await dropDatabase().catch((error: unknown) => logger.warn("test.drop_database_failed", { error: String(error) }));
    await maintenanceProxy.close();
    await server.close();
  };
}

async function runStatement(url: string, proxy: WebSocketProxy, statement: string): Promise<void> {
  const connections = connectThroughProxy(url, proxy.address);
  try {
    await connections.primary.execute(sql.raw(statement));
  } finally {
    await connections.close();
  }
}

async function deleteKeys(url: string, token: string, prefix: string): Promise<void> {
  const redis = new Redis({ url, token, enableTelemetry: false });
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, { match: `${prefix}*`, count: 1000 });
    cursor = String(next);
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}

export type { DatabaseServer };
