import { createMiddleware } from "hono/factory";
import { authenticate } from "../auth/authenticate.js";
import { describeError } from "../lib/logger.js";
import { createRequestServices } from "../services.js";
import type { AppEnv } from "./types.js";

/**
 * Wires the request's services (the logger is set by the app's first middleware), logs one line when the request ends, and closes the
 * database pools afterwards (in `waitUntil` on Workers, so the response is not delayed).
 */
export const requestServices = createMiddleware<AppEnv>(async (c, next) => {
  const startedAt = Date.now();
  const bindings = c.env ?? {};
  const logger = c.get("logger");
  logger.debug("request.started", { method: c.req.method, path: c.req.path });

  // Throws before any route runs when a secret is missing. The error handler logs the message,
  // which names the binding, and the client gets a generic 500.
  const context = createRequestServices(bindings, logger, { clientIp: c.req.header("CF-Connecting-IP") });
  c.set("context", context);

  try {
    await next();
  } finally {
    const closing = context.db.close().catch((error: unknown) => logger.warn("db.close_failed", describeError(error)));
    try {
      c.executionCtx.waitUntil(closing);
    } catch {
      // Outside Workers (tests calling app.request) there is no execution context.
      await closing;
    }

    const user = c.get("user");
    logger.info("request.completed", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Date.now() - startedAt,
      ...(user ? { user_id: user.id } : {}),
    });
  }
});

/** Requires a valid token and loads its user into `c.var.user`. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const user = await authenticate(c.get("context"), c.req.header("Authorization"));
  c.set("user", user);
  await next();
});
