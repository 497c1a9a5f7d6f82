import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { loginInputSchema, registerInputSchema, sessionSchema, userSchema } from "../../contracts/auth.js";
import { envelopeSchema } from "../../contracts/common.js";
import { login, register } from "../../domain/auth.js";
import { authenticated, errorResponses, jsonResponse } from "../openapi.js";
import { envelope } from "../respond.js";
import type { AppEnv } from "../types.js";

const loginRoute = createRoute({
  method: "post",
  path: "/auth/login",
  tags: ["auth"],
  summary: "Exchange email and password for a bearer token",
  request: { body: { content: { "application/json": { schema: loginInputSchema } }, required: true } },
  responses: {
    200: jsonResponse(envelopeSchema(sessionSchema), "Logged in."),
    ...errorResponses(400, 401, 413, 415, 429),
  },
});

const registerRoute = createRoute({
  method: "post",
  path: "/auth/register",
  tags: ["auth"],
  summary: "Create an account",
  request: { body: { content: { "application/json": { schema: registerInputSchema } }, required: true } },
  responses: {
    201: jsonResponse(envelopeSchema(userSchema), "Account created."),
    ...errorResponses(400, 409, 413, 415, 429),
  },
});

const meRoute = createRoute({
  method: "get",
  path: "/auth/me",
  tags: ["auth"],
  summary: "The user the token belongs to",
  ...authenticated,
  responses: {
    200: jsonResponse(envelopeSchema(userSchema), "The current user."),
    ...errorResponses(401),
  },
});

export function registerAuthRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(loginRoute, async (c) => {
    const session = await login(c.get("context"), c.req.valid("json"));
    return c.json(envelope(session, "Logged in."), 200);
  });

  app.openapi(registerRoute, async (c) => {
    const user = await register(c.get("context"), c.req.valid("json"));
    return c.json(envelope(user, "Account created."), 201);
  });

  app.openapi(meRoute, (c) => c.json(envelope(c.get("user"), "Current user."), 200));
}
