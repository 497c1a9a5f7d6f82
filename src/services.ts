import { connectDatabase } from "./db/client.js";
import type { DomainContext } from "./domain/context.js";
import { loadEnvironment } from "./env.js";
import type { Logger } from "./lib/logger.js";

/**
 * Builds the services one request uses from the Worker's bindings. The environment is validated
 * once per isolate; the database pools are new for every request and closed when it ends, as
 * Neon's driver requires on Workers (a WebSocket cannot outlive the request that opened it).
 */
export function createRequestServices(bindings: Record<string, unknown>, logger: Logger): DomainContext {
  const environment = loadEnvironment(bindings);

  const db = connectDatabase({
    primaryUrl: environment.DATABASE_URL,
    replicaUrl: environment.DATABASE_REPLICA_URL,
    webSocketProxy: environment.NEON_WS_PROXY,
  });

  return {
    db,
    logger,
    settings: {
      jwtSecret: environment.JWT_SECRET,
      jwtTtlSeconds: environment.JWT_TTL_SECONDS,
      maxFollowing: environment.MAX_FOLLOWING,
    },
  };
}
