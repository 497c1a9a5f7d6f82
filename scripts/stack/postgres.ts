import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { StackLogger } from "./log.js";

export interface DatabaseServer {
  kind: "postgres" | "pglite";
  /** Connection string for the Neon driver; its host and port are what the proxy dials. */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * PGlite is one Postgres backend. pglite-socket multiplexes several client connections onto it,
 * but its default `maxConnections` is 1, and a connection is released only a tick after its
 * socket closes; a client that reconnects at once (a new Neon Pool per request) was answered
 * with a bare "Too many connections" and no protocol message, which looked like a hang. A higher
 * limit lets connections overlap; the multiplexer still runs one query at a time and keeps a
 * transaction on the connection that opened it.
 */
const PGLITE_MAX_CONNECTIONS = 64;

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
  const server = new PGLiteSocketServer({ db: database, host: "127.0.0.1", port: 0, maxConnections: PGLITE_MAX_CONNECTIONS });
  await server.start();
  const port = Number(server.getServerConn().split(":")[1]);

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
      await server.stop();
      await database.close();
    },
  };
}
