import { z } from "zod";
import { paginationMetaSchema, paginationQuerySchema } from "../../contracts/common.js";
import { directoryUserSchema, followInputSchema, followSchema, userSearchQuerySchema } from "../../contracts/follows.js";
import { followUser, listFollowers, listFollowing, listUsers, unfollowUser } from "../../domain/follows.js";
import { resolvePage } from "../../domain/pagination.js";
import { authedProcedure, router } from "../init.js";

const userPageSchema = z.object({ data: z.array(directoryUserSchema), meta: paginationMetaSchema });

export const followRouter = router({
  follow: authedProcedure
    .input(followInputSchema)
    .output(z.object({ follow: followSchema, created: z.boolean() }))
    .mutation(({ ctx, input }) => followUser(ctx.services, ctx.user.id, input.user_id)),

  unfollow: authedProcedure
    .input(followInputSchema)
    .output(followSchema)
    .mutation(({ ctx, input }) => unfollowUser(ctx.services, ctx.user.id, input.user_id)),

  following: authedProcedure
    .input(paginationQuerySchema.optional())
    .output(userPageSchema)
    .query(({ ctx, input }) => listFollowing(ctx.services, ctx.user.id, resolvePage(input ?? {}))),

  followers: authedProcedure
    .input(paginationQuerySchema.optional())
    .output(userPageSchema)
    .query(({ ctx, input }) => listFollowers(ctx.services, ctx.user.id, resolvePage(input ?? {}))),
});

export const usersRouter = router({
  list: authedProcedure
    .input(userSearchQuerySchema.optional())
    .output(userPageSchema)
    .query(({ ctx, input }) => listUsers(ctx.services, ctx.user.id, resolvePage(input ?? {}), input?.q || undefined)),
});
