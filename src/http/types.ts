import type { User } from "../contracts/auth.js";
import type { DomainContext } from "../domain/context.js";
import type { Logger } from "../lib/logger.js";

/** Hono's type parameters for the whole app: raw Worker bindings and per-request variables. */
export type AppEnv = {
  Bindings: Record<string, unknown>;
  Variables: {
    requestId: string;
    logger: Logger;
    context: DomainContext;
    /** Set by the authentication middleware on routes that require a token. */
    user: User;
  };
};
