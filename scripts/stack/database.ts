import { neonConfig } from "@neondatabase/serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import ws from "ws";
import { connectDatabase, type DatabaseConnections } from "../../src/db/client.js";

/** Node.js 20 has no global WebSocket client, which the Neon driver needs outside Workers. */
neonConfig.webSocketConstructor = ws;

/**
 * Connects from Node.js with the Worker's own driver setup, through the local WebSocket proxy when
 * `proxyAddress` is given and through Neon's endpoint otherwise.
 */
export function connectThroughProxy(databaseUrl: string, proxyAddress: string | undefined): DatabaseConnections {
  return connectDatabase({ primaryUrl: databaseUrl, webSocketProxy: proxyAddress });
}

/** Applies the committed SQL migrations in drizzle/ that the database has not run yet. */
export async function applyMigrations(databaseUrl: string, proxyAddress: string | undefined): Promise<void> {
  const connections = connectThroughProxy(databaseUrl, proxyAddress);
  try {
    await migrate(connections.primary, { migrationsFolder: new URL("../../drizzle", import.meta.url).pathname });
  } finally {
    await connections.close();
  }
}
