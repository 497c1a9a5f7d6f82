import { OpenAPIHono } from "@hono/zod-openapi";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { requestId } from "hono/request-id";
import { DomainError, validationError } from "../domain/errors.js";
import { IDEMPOTENCY_KEY_HEADER } from "../domain/idempotency.js";
import { createLogger, describeError, readLogLevel } from "../lib/logger.js";
import { toFieldIssues } from "../lib/validation.js";
import { appRouter } from "../trpc/router.js";
import { limitBody } from "./body-limit.js";
import { respondWithError } from "./errors.js";
import { requestServices } from "./middleware.js";
import { registerAuthRoutes } from "./routes/auth.js";
import { registerClockRoutes } from "./routes/clock.js";
import { registerFeedRoutes } from "./routes/feed.js";
import { registerFollowRoutes } from "./routes/follows.js";
import type { AppEnv } from "./types.js";

/** Request bodies are small JSON objects; 16 KiB leaves room for long names and passwords. */
export const MAX_BODY_BYTES = 16 * 1024;

export const API_VERSION = "0.1.0";

/** Calls one tRPC batch request may carry; larger batches get 400. */
export const MAX_TRPC_BATCH_SIZE = 10;

/**
 * Builds the Hono app: request id, services and body limit for every route, the REST adapter,
 * tRPC at /trpc, the OpenAPI document, and one error handler for all of them.
 */
export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(toFieldIssues(result.error.issues));
    },
  });

  app.use("*", requestId());
  app.use("*", async (c, next) => {
    // The request's one logger. It exists before the services do, so that configuration errors
    // and rejected bodies are logged with the request id too.
    c.set("logger", createLogger(readLogLevel(c.env), { request_id: c.get("requestId") }));
    await next();
  });
  app.use("*", limitBody(MAX_BODY_BYTES));
  app.use("*", requestServices);

  registerAuthRoutes(app);
  registerClockRoutes(app);
  registerFollowRoutes(app);
  registerFeedRoutes(app);

  app.all("/trpc/*", (c) =>
    fetchRequestHandler({
      endpoint: "/trpc",
      req: c.req.raw,
      router: appRouter,
      // A batch runs its calls in one request; unbounded, one request could run hundreds of
      // scrypt logins and starve every other request on the isolate.
      maxBatchSize: MAX_TRPC_BATCH_SIZE,
      createContext: () => ({
        services: c.get("context"),
        requestId: c.get("requestId"),
        authorization: c.req.header("Authorization"),
        idempotencyKey: c.req.header(IDEMPOTENCY_KEY_HEADER),
        responseHeaders: new Headers(),
      }),
      onError: ({ error, path }) => {
        const logger = c.get("logger");
        if (error.code === "INTERNAL_SERVER_ERROR") logger.error("trpc.failed", { path, ...describeError(error.cause ?? error) });
        else logger.info("trpc.rejected", { path, code: error.code });
      },
      responseMeta: ({ ctx, errors }) => {
        const headers = new Headers(ctx?.responseHeaders);
        headers.set("X-Request-Id", c.get("requestId"));
        // Retry-After and RateLimit-* headers of domain errors, as the REST error handler adds them.
        for (const error of errors) {
          if (error.cause instanceof DomainError) for (const [name, value] of Object.entries(error.cause.headers ?? {})) headers.set(name, value);
        }
        return { headers };
      },
    }),
  );

  app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Punchclock API",
      version: API_VERSION,
      description: "Clock in and out, and follow colleagues' records. Errors share one schema with a stable `error.code`.",
    },
  });

  registerMethodNotAllowed(app);

  app.notFound(() => {
    throw new DomainError("NOT_FOUND", "No such route. See /openapi.json for the available routes.");
  });
  app.onError(respondWithError);

  return app;
}

/**
 * Responds 405 with an `Allow` header on known paths called with another method. Registered after
 * the real routes, so it matches only when no method-specific route did.
 */
function registerMethodNotAllowed(app: OpenAPIHono<AppEnv>): void {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === "ALL" || route.path.includes("*")) continue;
    const methods = methodsByPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    methodsByPath.set(route.path, methods);
  }

  for (const [path, methods] of methodsByPath) {
    const allowed = [...methods].sort().join(", ");
    app.all(path, (c) => {
      c.header("Allow", allowed);
      throw new DomainError("METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on ${path}. Allowed: ${allowed}.`);
    });
  }
}
