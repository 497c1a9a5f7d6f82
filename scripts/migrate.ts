import { applyMigrations } from "./stack/database.js";
import { createStackLogger } from "./stack/log.js";
import { startWebSocketProxy } from "./stack/ws-proxy.js";

/**
 * `npm run db:migrate`: applies drizzle/*.sql to the database at DATABASE_URL with the Neon driver.
 * A Neon host is reached through Neon's own WebSocket endpoint; a loopback host (a local Postgres)
 * through a temporary local proxy.
 */
const logger = createStackLogger("migrate");
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  logger.error("migrate.failed", { error: "DATABASE_URL is not set. Example: DATABASE_URL=postgres://... npm run db:migrate" });
  process.exit(1);
}

const url = new URL(databaseUrl);
const isLoopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
const proxy = isLoopback ? await startWebSocketProxy({ allowedTarget: { host: url.hostname.replace(/[[\]]/g, ""), port: Number(url.port || 5432) }, logger }) : undefined;

try {
  await applyMigrations(databaseUrl, proxy?.address);
  logger.info("migrate.done", { host: url.hostname, database: url.pathname.slice(1) });
} catch (error) {
  logger.error("migrate.failed", { host: url.hostname, error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
} finally {
  await proxy?.close();
}
