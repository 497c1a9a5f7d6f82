import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { TestProject } from "vitest/node";
import { applyMigrations, connectThroughProxy } from "../../scripts/stack/database.js";
import { createStackLogger } from "../../scripts/stack/log.js";
import { startDatabase, type DatabaseServer } from "../../scripts/stack/postgres.js";
import { startWebSocketProxy, type WebSocketProxy } from "../../scripts/stack/ws-proxy.js";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseKind: "postgres" | "pglite";
    proxyAddress: string;
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

  project.provide("databaseUrl", databaseUrl);
  project.provide("databaseKind", server.kind);
  project.provide("proxyAddress", maintenanceProxy.address);

  return async () => {
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

export type { DatabaseServer };
