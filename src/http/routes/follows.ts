import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { envelopeSchema, listEnvelopeSchema, paginationQuerySchema } from "../../contracts/common.js";
import { directoryUserSchema, followInputSchema, followSchema, userIdParamSchema, userSearchQuerySchema } from "../../contracts/follows.js";
import { followUser, listFollowers, listFollowing, listUsers, unfollowUser } from "../../domain/follows.js";
import { resolvePage } from "../../domain/pagination.js";
import { authenticated, errorResponses, jsonResponse } from "../openapi.js";
import { envelope, listEnvelope } from "../respond.js";
import type { AppEnv } from "../types.js";

const followRoute = createRoute({
  method: "post",
  path: "/follows",
  tags: ["follows"],
  summary: "Follow a user",
  ...authenticated,
  request: { body: { content: { "application/json": { schema: followInputSchema } }, required: true } },
  responses: {
    201: jsonResponse(envelopeSchema(followSchema), "Now following."),
    200: jsonResponse(envelopeSchema(followSchema), "Already following; nothing changed."),
    ...errorResponses(400, 401, 404, 413, 415, 422, 429),
  },
});

const unfollowRoute = createRoute({
  method: "delete",
  path: "/follows",
  tags: ["follows"],
  summary: "Unfollow a user (user_id in the body)",
  ...authenticated,
  request: { body: { content: { "application/json": { schema: followInputSchema } }, required: true } },
  responses: {
    200: jsonResponse(envelopeSchema(followSchema), "Unfollowed."),
    ...errorResponses(400, 401, 404, 413, 415, 429),
  },
});

// Some clients and proxies drop the body of a DELETE, so the id may also travel in the path.
const unfollowByPathRoute = createRoute({
  method: "delete",
  path: "/follows/{user_id}",
  tags: ["follows"],
  summary: "Unfollow a user (user_id in the path)",
  ...authenticated,
  request: { params: userIdParamSchema },
  responses: {
    200: jsonResponse(envelopeSchema(followSchema), "Unfollowed."),
    ...errorResponses(400, 401, 404, 429),
  },
});

const usersRoute = createRoute({
  method: "get",
  path: "/users",
  tags: ["follows"],
  summary: "All users, by name, with follow counts",
  ...authenticated,
  request: { query: userSearchQuerySchema },
  responses: {
    200: jsonResponse(listEnvelopeSchema(directoryUserSchema), "A page of users."),
    ...errorResponses(400, 401),
  },
});

const followingRoute = createRoute({
  method: "get",
  path: "/following",
  tags: ["follows"],
  summary: "Users I follow, most recent first",
  ...authenticated,
  request: { query: paginationQuerySchema },
  responses: {
    200: jsonResponse(listEnvelopeSchema(directoryUserSchema), "A page of followed users."),
    ...errorResponses(400, 401),
  },
});

const followersRoute = createRoute({
  method: "get",
  path: "/followers",
  tags: ["follows"],
  summary: "Users who follow me, most recent first",
  ...authenticated,
  request: { query: paginationQuerySchema },
  responses: {
    200: jsonResponse(listEnvelopeSchema(directoryUserSchema), "A page of followers."),
    ...errorResponses(400, 401),
  },
});

export function registerFollowRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(followRoute, async (c) => {
    const { follow, created } = await followUser(c.get("context"), c.get("user").id, c.req.valid("json").user_id);
    return created ? c.json(envelope(follow, "Now following."), 201) : c.json(envelope(follow, "Already following."), 200);
  });

  app.openapi(unfollowRoute, async (c) => {
    const follow = await unfollowUser(c.get("context"), c.get("user").id, c.req.valid("json").user_id);
    return c.json(envelope(follow, "Unfollowed."), 200);
  });

  app.openapi(unfollowByPathRoute, async (c) => {
    const follow = await unfollowUser(c.get("context"), c.get("user").id, c.req.valid("param").user_id);
    return c.json(envelope(follow, "Unfollowed."), 200);
  });

  app.openapi(usersRoute, async (c) => {
    const query = c.req.valid("query");
    const page = await listUsers(c.get("context"), c.get("user").id, resolvePage(query), query.q || undefined);
    return c.json(listEnvelope(page, "Users."), 200);
  });

  app.openapi(followingRoute, async (c) => {
    const page = await listFollowing(c.get("context"), c.get("user").id, resolvePage(c.req.valid("query")));
    return c.json(listEnvelope(page, "Followed users."), 200);
  });

  app.openapi(followersRoute, async (c) => {
    const page = await listFollowers(c.get("context"), c.get("user").id, resolvePage(c.req.valid("query")));
    return c.json(listEnvelope(page, "Followers."), 200);
  });
}
