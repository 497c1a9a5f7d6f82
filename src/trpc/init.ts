import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { authenticate } from "../auth/authenticate.js";
import type { DomainContext } from "../domain/context.js";
import { DomainError, ERROR_MAPPING, INTERNAL_ERROR_MESSAGE, validationError, type ErrorCode } from "../domain/errors.js";
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


/**
 * Errors that tRPC raises itself (unparsable input, unknown procedure, wrong method), as domain
 * codes and messages, so tRPC clients branch on the same codes as REST clients.
 */
const TRPC_ERROR_CODES: Partial<Record<TRPCError["code"], { code: ErrorCode; message?: string }>> = {
  PARSE_ERROR: { code: "INVALID_JSON", message: "Malformed JSON in the request. Send valid JSON input." },
  BAD_REQUEST: { code: "VALIDATION_FAILED" },
  NOT_FOUND: { code: "NOT_FOUND" },
  METHOD_NOT_SUPPORTED: { code: "METHOD_NOT_ALLOWED" },
  UNSUPPORTED_MEDIA_TYPE: { code: "UNSUPPORTED_MEDIA_TYPE" },
  PAYLOAD_TOO_LARGE: { code: "PAYLOAD_TOO_LARGE" },
  INTERNAL_SERVER_ERROR: { code: "INTERNAL", message: INTERNAL_ERROR_MESSAGE },
};

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

    // tRPC reports unparsable JSON as BAD_REQUEST with the parser's SyntaxError as the cause.
    const fallback = cause instanceof SyntaxError ? TRPC_ERROR_CODES.PARSE_ERROR : TRPC_ERROR_CODES[error.code];
    const message = domainError?.message ?? fallback?.message ?? error.message;

    return {
      ...shape,
      message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        domain_code: domainError?.code ?? fallback?.code ?? "INTERNAL",
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

/** Procedure builder that requires `Authorization: Bearer <token>` (or the bare token). */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const user = await authenticate(ctx.services, ctx.authorization);
  return next({ ctx: { ...ctx, user } });
});
