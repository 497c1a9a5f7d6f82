import { createStackLogger } from "./stack/log.js";
import { startStack } from "./stack/start.js";

/**
 * `npm run dev`: the API on http://127.0.0.1:8787 through `wrangler dev`.
 *
 * Environment:
 * - DATABASE_URL selects a Postgres server, else an embedded PGlite in .data/pglite.
 * - REDIS_URL selects the Redis behind the local Upstash endpoint, else 127.0.0.1:6379 when it
 *   accepts connections, else an in-memory store.
 * - PORT sets the port, JWT_SECRET overrides the development secret, and LOG_LEVEL sets the
 *   Worker's log level.
 * Ctrl-C stops everything this command started.
 */
const logger = createStackLogger("dev");

const stack = await startStack({
  port: Number(process.env.PORT ?? 8787),
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDirectory: process.env.PGLITE_DATA_DIR ?? ".data/pglite",
  jwtSecret: process.env.JWT_SECRET || undefined,
  logLevel: process.env.LOG_LEVEL || undefined,
  redisUrl: process.env.REDIS_URL || undefined,
  logger,
  showWorkerLogs: true,
}).catch((error: unknown) => {
  logger.error("stack.start_failed", { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});

logger.info("stack.listening", { url: stack.baseUrl, demo_user: "donald@gmail.com", hint: "Ctrl-C stops the stack" });

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info("stack.stopping", { signal });
    void stack.stop().then(() => process.exit(0));
  });
}
