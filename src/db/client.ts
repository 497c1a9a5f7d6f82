import { Pool, neonConfig } from "@neondatabase/serverless";
import { withReplicas } from "drizzle-orm/pg-core";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import * as schema from "./schema.js";

export type Database = NeonDatabase<typeof schema>;

/** The database handles of one request: writes go to `primary`, lag-tolerant reads to `replica`. */
export interface DatabaseConnections {
  primary: Database;
  replica: Database;
  /** Ends every pool; call it when the request is done (Neon pools must not outlive a request). */
  close(): Promise<void>;
}

export type DatabaseSettings = {
  primaryUrl: string;
  replicaUrl?: string | undefined;
  /** `host:port` of a local WebSocket-to-TCP proxy; unset means Neon's own proxy. */
  webSocketProxy?: string | undefined;
};

/**
 * Routes the Neon driver through a plain WebSocket proxy without TLS. Neon's defaults (TLS,
 * pipelined startup with a cleartext password) assume Neon's proxy; a local Postgres with trust
 * or SCRAM authentication needs the normal startup sequence.
 */
function useLocalWebSocketProxy(proxy: string): void {
  neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
}

/**
 * Opens the request's pools. A Pool opens its WebSocket on first use, so a request that never
 * touches the replica never connects to it.
 */
export function connectDatabase(settings: DatabaseSettings): DatabaseConnections {
  if (settings.webSocketProxy) useLocalWebSocketProxy(settings.webSocketProxy);

  const pools: Pool[] = [];
  const open = (url: string): Database => {
    const pool = new Pool({ connectionString: url, max: 5 });
    pools.push(pool);
    return drizzle({ client: pool, schema });
  };

  const primary = open(settings.primaryUrl);
  const replica = settings.replicaUrl ? withReplicas(primary, [open(settings.replicaUrl)]) : primary;

  return {
    primary,
    // withReplicas routes select() to the replica and everything else to the primary.
    replica: replica as Database,
    close: async () => {
      await Promise.allSettled(pools.map((pool) => pool.end()));
    },
  };
}
