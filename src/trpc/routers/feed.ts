import { feedPageSchema, feedQuerySchema } from "../../contracts/feed.js";
import { listFeed } from "../../domain/feed.js";
import { authedProcedure, router } from "../init.js";

export const feedRouter = router({
  list: authedProcedure
    .input(feedQuerySchema.optional())
    .output(feedPageSchema)
    .query(({ ctx, input }) => listFeed(ctx.services, ctx.user.id, input ?? {})),
});
