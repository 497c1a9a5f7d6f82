import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { feedItemSchema, feedMetaSchema, feedQuerySchema } from "../../contracts/feed.js";
import { listFeed } from "../../domain/feed.js";
import { authenticated, errorResponses, jsonResponse } from "../openapi.js";
import { listEnvelope } from "../respond.js";
import type { AppEnv } from "../types.js";

const feedRoute = createRoute({
  method: "get",
  path: "/feed",
  tags: ["feed"],
  summary: "Clock records of everyone I follow",
  description:
    "Newest first (clock_in DESC, id DESC) or, with sort=duration, longest completed first (duration DESC, id DESC). " +
    "Page with page/per_page, or pass meta.next_cursor as cursor for pages whose cost does not grow with depth.",
  ...authenticated,
  request: { query: feedQuerySchema },
  responses: {
    200: jsonResponse(z.object({ data: z.array(feedItemSchema), message: z.string(), meta: feedMetaSchema }), "A page of the feed."),
    ...errorResponses(400, 401, 404),
  },
});

export function registerFeedRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(feedRoute, async (c) => {
    const page = await listFeed(c.get("context"), c.get("user").id, c.req.valid("query"));
    return c.json(listEnvelope(page, "Feed."), 200);
  });
}
