import type { DatabaseConnections } from "../db/client.js";
import type { Logger } from "../lib/logger.js";

/** What every domain function receives: the request's database handles, logger and settings. */
export interface DomainContext {
  db: DatabaseConnections;
  logger: Logger;
  settings: {
    jwtSecret: string;
    jwtTtlSeconds: number;
    /** Maximum number of users one user may follow. */
    maxFollowing: number;
  };
}
