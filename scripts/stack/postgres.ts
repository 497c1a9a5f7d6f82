import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import type { StackLogger } from "./log.js";
import { startPGliteServer } from "./pglite-server.js";

export interface DatabaseServer {
  kind: "postgres" | "pglite";
  /** Connection string for the Neon driver; its host and port are what the proxy dials. */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Uses the Postgres at `databaseUrl`, or starts an embedded PGlite kept in `dataDirectory`. */
export async function startDatabase(options: {
  databaseUrl?: string | undefined;
  dataDirectory?: string | undefined;
  logger: StackLogger;
}): Promise<DatabaseServer> {
  const { logger } = options;

  if (options.databaseUrl) {
    const parsed = new URL(options.databaseUrl);
    const port = Number(parsed.port || 5432);
    const host = parsed.hostname;
    logger.info("database.selected", { kind: "postgres", host, port, database: parsed.pathname.slice(1) });
    return { kind: "postgres", url: options.databaseUrl, host, port, close: async () => {} };
  }

  if (options.dataDirectory) await mkdir(options.dataDirectory, { recursive: true });
  const database = await PGlite.create(options.dataDirectory);
  const server = await startPGliteServer(database, logger);
  const port = server.port;

  logger.info("database.selected", {
    kind: "pglite",
    data_directory: options.dataDirectory ?? "(in memory)",
    port,
    note: "embedded PGlite; set DATABASE_URL to use a Postgres server",
  });

  return {
    kind: "pglite",
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    host: "127.0.0.1",
    port,
    close: async () => {
      await server.close();
      await database.close();
    },
  };
}
