// Runs the local Upstash-compatible endpoint until Ctrl-C:
//   npx tsx scripts/upstash/cli.ts --port 8079
// then point the app at it with UPSTASH_REDIS_REST_URL=http://127.0.0.1:8079 and the same token.

import { parseArgs } from "node:util";

import { createJsonLineLogger } from "./backend.js";
import { startUpstashEndpoint } from "./server.js";

/** Token used when neither --token nor UPSTASH_REDIS_REST_TOKEN is set; only suitable on loopback. */
const DEFAULT_TOKEN = "punchclock-local-token";

const HELP = `Usage: npx tsx scripts/upstash/cli.ts [options]

Serves Upstash's Redis REST API on HTTP, backed by Redis or, when none answers, an in-memory store.

Options:
  --port <number>      TCP port to listen on (default 8079; 0 picks a free port)
  --host <address>     address to bind (default 127.0.0.1)
  --token <string>     bearer token clients must send (default: $UPSTASH_REDIS_REST_TOKEN,
                       else "${DEFAULT_TOKEN}")
  --redis-url <url>    redis://[[user]:password@]host[:port][/db]; startup fails if unreachable
                       (default: redis://127.0.0.1:6379 when it answers, else the in-memory store)
  --memory             use the in-memory store even when Redis is running
  -h, --help           print this help
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8079" },
      host: { type: "string", default: "127.0.0.1" },
      token: { type: "string" },
      "redis-url": { type: "string" },
      memory: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });

  if (values.help) {
    process.stdout.write(HELP);
    return;
  }

  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid --port ${JSON.stringify(values.port)}: expected an integer from 0 to 65535`);
  }
  if (values.memory && values["redis-url"] !== undefined) {
    throw new Error("--memory and --redis-url cannot be combined: choose one backend");
  }

  const logger = createJsonLineLogger();
  const environmentToken = process.env.UPSTASH_REDIS_REST_TOKEN || undefined;
  let token = DEFAULT_TOKEN;
  let tokenSource = "default";
  if (values.token !== undefined) {
    token = values.token;
    tokenSource = "--token";
  } else if (environmentToken !== undefined) {
    token = environmentToken;
    tokenSource = "UPSTASH_REDIS_REST_TOKEN";
  }

  const endpoint = await startUpstashEndpoint({
    port,
    host: values.host,
    token,
    redisUrl: values["redis-url"],
    backend: values.memory ? "memory" : "auto",
    logger,
  });
  // The log names where the token came from, never its value.
  logger.info("upstash endpoint ready", { url: endpoint.url, backend: endpoint.backend, tokenSource });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info("upstash endpoint stopping", { signal });
    endpoint.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error("upstash endpoint close failed", { error: error instanceof Error ? error.message : String(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ time: new Date().toISOString(), level: "error", event: "upstash endpoint failed to start", error: error instanceof Error ? error.message : String(error) }));
  process.exit(1);
});
