import { z } from "@hono/zod-openapi";
import { paginationQuerySchema, textField } from "./common.js";

/** A user id in a JSON body: a positive integer, not a numeric string. */
export const userIdSchema = z
  .number({ error: (issue) => (issue.input === undefined ? "user_id is required" : "user_id must be a positive integer") })
  .int("user_id must be a positive integer")
  .positive("user_id must be a positive integer")
  .max(2_147_483_647, "user_id must be at most 2147483647")
  .openapi({ example: 2 });

export const followInputSchema = z.object({ user_id: userIdSchema }).openapi("FollowInput");

export type FollowInput = z.infer<typeof followInputSchema>;

/** A user id in a URL path, as text. */
export const userIdParamSchema = z.object({
  user_id: z
    .string()
    .regex(/^[1-9]\d*$/, "user_id must be a positive integer")
    .transform(Number)
    .pipe(z.number().max(2_147_483_647, "user_id must be at most 2147483647"))
    .openapi({ param: { name: "user_id", in: "path" }, type: "integer", example: 2 }),
});

export const followSchema = z
  .object({
    follower_id: z.number().int(),
    followee_id: z.number().int(),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Follow");

export type Follow = z.infer<typeof followSchema>;

export const directoryUserSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    email: z.string(),
    is_following: z.boolean(),
    followers_count: z.number().int(),
    following_count: z.number().int(),
  })
  .openapi("DirectoryUser");

export type DirectoryUser = z.infer<typeof directoryUserSchema>;

export const MAX_SEARCH_LENGTH = 100;

export const userSearchQuerySchema = paginationQuerySchema.extend({
  q: textField("q")
    .trim()
    .max(MAX_SEARCH_LENGTH, `q must be at most ${MAX_SEARCH_LENGTH} characters`)
    .optional()
    .openapi({ param: { name: "q", in: "query" }, description: "Matches part of the name or the email, ignoring case." }),
});

export type UserSearchQuery = z.input<typeof userSearchQuerySchema>;
