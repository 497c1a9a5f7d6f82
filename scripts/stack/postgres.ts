import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
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

  const releaseLock = options.dataDirectory ? await lockDataDirectory(options.dataDirectory) : async () => {};
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
      await releaseLock();
    },
  };
}

/**
 * Takes the data directory for this process. Two PGlite instances on one directory corrupt it, so
 * a second stack fails here while the first one runs. A lock left by a dead process is taken over.
 */
async function lockDataDirectory(directory: string): Promise<() => Promise<void>> {
  // The lock sits beside the directory: PGlite's initdb expects an empty directory on first start.
  await mkdir(dirname(directory), { recursive: true });
  const lockPath = `${directory.replace(/\/+$/, "")}.pid`;

  const holder = Number(await readFile(lockPath, "utf8").catch(() => ""));
  if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
    throw new Error(`The PGlite data directory ${directory} is in use by process ${holder}. Stop that stack first.`);
  }

  await writeFile(lockPath, String(process.pid));
  return () => rm(lockPath, { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
