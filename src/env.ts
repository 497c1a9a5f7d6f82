import { z } from "zod";

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

  const result = environmentSchema.safeParse(bindings);
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
