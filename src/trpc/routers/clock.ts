import { z } from "zod";
import { clockRecordSchema } from "../../contracts/clock.js";
import { paginationMetaSchema, paginationQuerySchema } from "../../contracts/common.js";
import { clockIn, clockOut, getCurrentRecord, listRecords } from "../../domain/clock.js";
import type { ClockRecord } from "../../contracts/clock.js";
import { IDEMPOTENT_REPLAYED_HEADER, replayedError, runIdempotently, type IdempotentOperation } from "../../domain/idempotency.js";
import { resolvePage } from "../../domain/pagination.js";
import { authedProcedure, router, type TRPCContext } from "../init.js";
import type { User } from "../../contracts/auth.js";

/** Runs a clock mutation through the same Idempotency-Key handling as the REST routes. */
async function idempotent(
  ctx: TRPCContext & { user: User },
  operation: IdempotentOperation,
  successStatus: number,
  execute: () => Promise<ClockRecord>,
): Promise<ClockRecord> {
  const request = { key: ctx.idempotencyKey, userId: ctx.user.id, operation, requestId: ctx.requestId, successStatus };
  const result = await runIdempotently(ctx.services, request, execute);
  if (!result.replayed) return result.value;

  ctx.responseHeaders.set(IDEMPOTENT_REPLAYED_HEADER, "true");
  if (!result.outcome.ok) throw replayedError(result.outcome);
  return result.outcome.value as ClockRecord;
}

export const clockRouter = router({
  in: authedProcedure
    .output(clockRecordSchema)
    .mutation(({ ctx }) => idempotent(ctx, "POST /clock-in", 201, () => clockIn(ctx.services, ctx.user.id))),

  out: authedProcedure
    .output(clockRecordSchema)
    .mutation(({ ctx }) => idempotent(ctx, "PATCH /clock-out", 200, () => clockOut(ctx.services, ctx.user.id))),

  records: authedProcedure
    .input(paginationQuerySchema.optional())
    .output(z.object({ data: z.array(clockRecordSchema), meta: paginationMetaSchema }))
    .query(({ ctx, input }) => listRecords(ctx.services, ctx.user.id, resolvePage(input ?? {}))),

  current: authedProcedure.output(clockRecordSchema.nullable()).query(({ ctx }) => getCurrentRecord(ctx.services, ctx.user.id)),
});
