import { z } from "zod";
import { clockRecordSchema } from "../../contracts/clock.js";
import { paginationMetaSchema, paginationQuerySchema } from "../../contracts/common.js";
import { clockIn, clockOut, getCurrentRecord, listRecords } from "../../domain/clock.js";
import { resolvePage } from "../../domain/pagination.js";
import { authedProcedure, router } from "../init.js";

export const clockRouter = router({
  in: authedProcedure.output(clockRecordSchema).mutation(({ ctx }) => clockIn(ctx.services, ctx.user.id)),

  out: authedProcedure.output(clockRecordSchema).mutation(({ ctx }) => clockOut(ctx.services, ctx.user.id)),

  records: authedProcedure
    .input(paginationQuerySchema.optional())
    .output(z.object({ data: z.array(clockRecordSchema), meta: paginationMetaSchema }))
    .query(({ ctx, input }) => listRecords(ctx.services, ctx.user.id, resolvePage(input ?? {}))),

  current: authedProcedure.output(clockRecordSchema.nullable()).query(({ ctx }) => getCurrentRecord(ctx.services, ctx.user.id)),
});
