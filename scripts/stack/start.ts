import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { applyMigrations, connectThroughProxy } from "./database.js";
import type { StackLogger } from "./log.js";
import { startDatabase, type DatabaseServer } from "./postgres.js";
import { seedDatabase } from "./seed.js";
import { startWebSocketProxy, type WebSocketProxy } from "./ws-proxy.js";
import { startUpstashEndpoint, type UpstashEndpoint } from "../upstash/server.js";

/** Signs development tokens only; production refuses to start without its own JWT_SECRET. */
export const DEVELOPMENT_JWT_SECRET = "development-only-jwt-secret-not-for-production-use";

export type StackOptions = {
  port: number;
  databaseUrl?: string | undefined;
  /** Directory of the embedded PGlite's files; unset keeps the database in memory. */
  dataDirectory?: string | undefined;
  jwtSecret?: string | undefined;
  logLevel?: string | undefined;
  logger: StackLogger;
  /** Forwards the Worker's own log lines to this process's output. */
  showWorkerLogs?: boolean;
  /**
   * Redis behind the local Upstash endpoint. Unset means Redis on 127.0.0.1:6379 when it accepts
   * connections, else the endpoint's in-memory store.
   */
  redisUrl?: string | undefined;
  /** Extra Worker vars, such as REDIS_KEY_PREFIX or rate limits; they override the stack's own. */
  workerVars?: Record<string, string>;
};

export interface RunningStack {
  baseUrl: string;
  database: DatabaseServer;
  proxyAddress: string;
  upstash: { url: string; token: string; backend: UpstashEndpoint["backend"] };
  stop(): Promise<void>;
}

/** Worker vars for benchmarks: 0 turns each limit off, so no request gets a 429. */
export const UNLIMITED_RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_LOGIN_PER_IP: "0",
  RATE_LIMIT_LOGIN_PER_EMAIL: "0",
  RATE_LIMIT_CLOCK_PER_USER: "0",
  RATE_LIMIT_FOLLOW_PER_USER: "0",
};

const WRANGLER_READY_TIMEOUT_MS = 90_000;

/**
 * Starts the local stack. It brings up a database (the server at `databaseUrl`, else embedded
 * PGlite), the WebSocket proxy in front of it, migrations and seed data, and the local Upstash REST
 * endpoint. Then it runs `wrangler dev` with the production Neon driver and @upstash/redis.
 * `stop()` ends everything that was started.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { logger } = options;
  const startedAt = Date.now();
  const cleanups: Array<() => Promise<void>> = [];

  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => logger.warn("stack.stop_failed", { error: String(error) }));
    }
  };

  try {
    await assertPortFree(options.port);
    const database = await startDatabase({ databaseUrl: options.databaseUrl, dataDirectory: options.dataDirectory, logger });
    cleanups.push(() => database.close());

    const proxy: WebSocketProxy = await startWebSocketProxy({ allowedTarget: { host: database.host, port: database.port }, logger });
    cleanups.push(() => proxy.close());
    logger.info("ws_proxy.started", { address: proxy.address, target: `${database.host}:${database.port}` });

    await applyMigrations(database.url, proxy.address);
    const connections = connectThroughProxy(database.url, proxy.address);
    try {
      const { created } = await seedDatabase(connections.primary);
      logger.info("database.seeded", { created_users: created.length });
    } finally {
      await connections.close();
    }

    const upstash = await startUpstashEndpoint({
      port: 0,
      host: "127.0.0.1",
      token: randomBytes(24).toString("base64url"),
      redisUrl: options.redisUrl,
      logger: { info: () => {}, warn: logger.warn, error: logger.error },
    });
    cleanups.push(() => upstash.close());
    const rateLimitVars = describeUpstash(upstash, logger);

    const configDirectory = await mkdtemp(join(tmpdir(), "punchclock-"));
    cleanups.push(() => rm(configDirectory, { recursive: true, force: true }));
    const environmentFile = join(configDirectory, "worker.env");
    await writeFile(
      environmentFile,
      [
        "APP_ENV=development",
        `DATABASE_URL=${database.url}`,
        `NEON_WS_PROXY=${proxy.address}`,
        `JWT_SECRET=${options.jwtSecret ?? DEVELOPMENT_JWT_SECRET}`,
        `LOG_LEVEL=${options.logLevel ?? "info"}`,
        `UPSTASH_REDIS_REST_URL=${upstash.url}`,
        `UPSTASH_REDIS_REST_TOKEN=${upstash.token}`,
        `REDIS_KEY_PREFIX=${redisKeyPrefixFor(database, options.dataDirectory)}`,
        ...Object.entries({ ...rateLimitVars, ...options.workerVars }).map(([name, value]) => `${name}=${value}`),
        "",
      ].join("\n"),
      { mode: 0o600 },
    );

    const wrangler = await startWrangler(options, environmentFile, configDirectory);
    cleanups.push(() => stopProcess(wrangler));

    const baseUrl = `http://127.0.0.1:${options.port}`;
    await waitUntilServing(baseUrl, wrangler);
    logger.info("stack.ready", { url: baseUrl, database: database.kind, startup_ms: Date.now() - startedAt });

    return { baseUrl, database, proxyAddress: proxy.address, upstash: { url: upstash.url, token: upstash.token, backend: upstash.backend }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Gives each database its own Redis key prefix. Local stacks share the Redis on 127.0.0.1:6379, and
 * with one prefix a stack would read another database's cached users, idempotency outcomes and
 * feed totals (user ids repeat across databases).
 */
function redisKeyPrefixFor(database: DatabaseServer, dataDirectory: string | undefined): string {
  let identity: string;
  if (database.kind === "postgres") {
    const url = new URL(database.url);
    identity = `${url.hostname}:${url.port || 5432}${url.pathname}`;
  } else {
    identity = dataDirectory ? resolve(dataDirectory) : `memory:${randomBytes(8).toString("hex")}`;
  }

  const digest = createHash("sha256").update(identity).digest("hex").slice(0, 12);
  return `punchclock-dev:${digest}:`;
}

/**
 * Logs which store the Upstash endpoint uses and returns the Worker vars that store needs. The
 * in-memory store cannot run the Lua scripts of @upstash/ratelimit, so rate limits are off there
 * (login would otherwise fail closed with 503 on every attempt).
 */
function describeUpstash(upstash: UpstashEndpoint, logger: StackLogger): Record<string, string> {
  if (upstash.backend === "redis") {
    logger.info("upstash.started", { url: upstash.url, backend: "redis" });
    return {};
  }

  logger.warn("upstash.started", {
    url: upstash.url,
    backend: "memory",
    reason: "no REDIS_URL set and no Redis answering on 127.0.0.1:6379",
    effect: "cache and Idempotency-Key use an in-process store that is lost on exit; rate limits are off",
  });
  return { RATE_LIMIT_ENABLED: "false" };
}

async function startWrangler(options: StackOptions, environmentFile: string, configDirectory: string): Promise<ChildProcess> {
  const inspectorPort = await findFreePort();
  const wranglerBinary = new URL("../../node_modules/wrangler/bin/wrangler.js", import.meta.url).pathname;

  const child = spawn(
    process.execPath,
    [
      wranglerBinary,
      "dev",
      "--ip", "127.0.0.1",
      "--port", String(options.port),
      "--inspector-port", String(inspectorPort),
      "--env-file", environmentFile,
      "--persist-to", join(configDirectory, "state"),
      "--show-interactive-dev-session=false",
      "--log-level", options.showWorkerLogs ? "log" : "warn",
    ],
    {
      cwd: new URL("../..", import.meta.url).pathname,
      // CLOUDFLARE_CF_FETCH_ENABLED=false keeps Miniflare from fetching a `Request.cf` sample from
      // workers.cloudflare.com at startup; the stack makes no outbound calls.
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "1", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so stopping it also stops the workerd child it spawns.
      detached: true,
    },
  );

  const forward = (stream: NodeJS.ReadableStream | null, target: NodeJS.WriteStream) => {
    stream?.on("data", (chunk: Buffer) => {
      if (options.showWorkerLogs) target.write(chunk);
    });
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);

  return child;
}

async function waitUntilServing(baseUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + WRANGLER_READY_TIMEOUT_MS;
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });

  while (Date.now() < deadline) {
    if (exited) throw new Error(`wrangler dev exited before serving ${baseUrl}; run it with --verbose to see why.`);
    try {
      const response = await fetch(`${baseUrl}/openapi.json`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  throw new Error(`wrangler dev did not serve ${baseUrl} within ${WRANGLER_READY_TIMEOUT_MS / 1000} s.`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;

  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }

  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 5_000));
  if ((await Promise.race([exited, timeout])) === "timeout") {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/**
 * Fails early when the API port is taken, typically by another `npm run dev`. Otherwise the new
 * wrangler would fail to bind while the readiness probe reached the other instance and reported
 * this stack as ready.
 */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`Port ${port} on 127.0.0.1 is already in use, perhaps by another npm run dev. Stop it or set PORT.`)
          : error,
      );
    });
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
