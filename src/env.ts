import { z } from "zod";

const positiveInteger = (minimum: number, maximum: number, fallback: number) =>
  z.coerce.number().int().min(minimum).max(maximum).default(fallback);

/**
 * Upstash Redis and what uses it. Without the URL and token the Worker still runs, with no
 * idempotency replay, no cache and no rate limits. Rate limits count requests per window, and 0
 * turns one limit off.
 */
const redisBindings = {
  UPSTASH_REDIS_REST_URL: z.string().url("UPSTASH_REDIS_REST_URL must be the REST URL from the Upstash console, such as https://name.upstash.io").optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
  // Separates deployments (or test runs) that share one Redis database.
  REDIS_KEY_PREFIX: z.string().min(1).max(64).default("punchclock:"),
  // Each Redis call is aborted after this long, so an unreachable Redis delays a request by at most
  // about this much per call.
  REDIS_TIMEOUT_MS: positiveInteger(50, 5_000, 800),
  IDEMPOTENCY_TTL_SECONDS: positiveInteger(60, 7 * 86_400, 86_400),
  IDEMPOTENCY_LOCK_TTL_MS: positiveInteger(100, 120_000, 30_000),
  RATE_LIMIT_ENABLED: z.enum(["true", "false"]).default("true").transform((value) => value === "true"),
  RATE_LIMIT_WINDOW_SECONDS: positiveInteger(1, 86_400, 60),
  RATE_LIMIT_LOGIN_PER_IP: positiveInteger(0, 1_000_000, 30),
  RATE_LIMIT_LOGIN_PER_EMAIL: positiveInteger(0, 1_000_000, 10),
  RATE_LIMIT_CLOCK_PER_USER: positiveInteger(0, 1_000_000, 30),
  RATE_LIMIT_FOLLOW_PER_USER: positiveInteger(0, 1_000_000, 60),
};

/**
 * The Worker's bindings: `[vars]` from wrangler.toml, secrets from `wrangler secret put`, and in
 * the local stack the values that `scripts/dev.ts` passes to `wrangler dev`.
 */
const environmentSchema = z.object({
  APP_ENV: z.enum(["production", "development", "test"]).default("production"),
  DATABASE_URL: z.string().url("DATABASE_URL must be a postgres:// connection string"),
  // Reads that tolerate replication lag go here when set; otherwise every query uses DATABASE_URL.
  DATABASE_REPLICA_URL: z.string().url().optional(),
  // host:port of a WebSocket-to-TCP proxy (local stack only). Neon's own proxy is used when unset.
  NEON_WS_PROXY: z.string().regex(/^[^\s/]+:\d{1,5}$/, "NEON_WS_PROXY must be host:port").optional(),
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters"),
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3_600),
  MAX_FOLLOWING: z.coerce.number().int().min(1).max(100_000).default(5_000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  ...redisBindings,
});

export type Environment = z.infer<typeof environmentSchema>;

export class EnvironmentError extends Error {
  override readonly name = "EnvironmentError";
}

const parsedByBindings = new WeakMap<object, Environment>();

/**
 * Validates the Worker's bindings once per isolate. A missing secret fails the first request with
 * a message that names it and the command that sets it, rather than an obscure error deep inside.
 */
export function loadEnvironment(bindings: Record<string, unknown>): Environment {
  const cached = parsedByBindings.get(bindings);
  if (cached) return cached;

  const result = environmentSchema
    .refine((environment) => (environment.UPSTASH_REDIS_REST_URL === undefined) === (environment.UPSTASH_REDIS_REST_TOKEN === undefined), {
      message: "set both UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or neither",
      path: ["UPSTASH_REDIS_REST_TOKEN"],
    })
    .safeParse(bindings);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join(".");
      const hint = name === "JWT_SECRET" || name === "DATABASE_URL" ? ` (set it with \`wrangler secret put ${name}\`)` : "";
      return `${name}: ${bindings[name] === undefined ? "missing" : issue.message}${hint}`;
    });
    throw new EnvironmentError(`Invalid Worker configuration: ${problems.join("; ")}.`);
  }

  parsedByBindings.set(bindings, result.data);
  return result.data;
}
