import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { authenticate } from "../auth/authenticate.js";
import type { DomainContext } from "../domain/context.js";
import { DomainError, ERROR_MAPPING, validationError } from "../domain/errors.js";
import { toFieldIssues } from "../lib/validation.js";

export type TRPCContext = {
  services: DomainContext;
  requestId: string;
  authorization: string | undefined;
  /** The `Idempotency-Key` request header, read by `clock.in` and `clock.out`. */
  idempotencyKey: string | undefined;
  /** Headers that procedures add to the HTTP response, such as `Idempotent-Replayed`. */
  responseHeaders: Headers;
};

const INTERNAL_MESSAGE = "Internal server error. Retry later, and quote the request id if it persists.";

/** Converts a domain error into the tRPC error with the code `ERROR_MAPPING` assigns to it. */
function toTRPCError(error: DomainError): TRPCError {
  return new TRPCError({ code: ERROR_MAPPING[error.code].trpc, message: error.message, cause: error });
}

const t = initTRPC.context<TRPCContext>().create({
  // tRPC defaults `isDev` to true where `process.env.NODE_ENV` is absent, as on Workers, and would
  // then send stack traces to clients.
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const cause = error.cause;
    const domainError =
      cause instanceof DomainError
        ? cause
        : cause instanceof ZodError
          ? validationError(toFieldIssues(cause.issues))
          : undefined;

    const message = domainError?.message ?? (error.code === "INTERNAL_SERVER_ERROR" ? INTERNAL_MESSAGE : error.message);

    return {
      ...shape,
      message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        domain_code: domainError?.code ?? (error.code === "INTERNAL_SERVER_ERROR" ? "INTERNAL" : error.code),
        details: domainError?.details,
        request_id: ctx?.requestId,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Rethrows domain errors as tRPC errors so that each gets its mapped code and HTTP status. */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) throw toTRPCError(result.error.cause);
  return result;
});

export const publicProcedure = t.procedure.use(mapDomainErrors);

/** A procedure that requires `Authorization: Bearer <token>` (or the bare token). */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const user = await authenticate(ctx.services, ctx.authorization);
  return next({ ctx: { ...ctx, user } });
});
