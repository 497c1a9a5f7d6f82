import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";

/**
 * Stable error codes that clients branch on. Each maps to one HTTP status and one tRPC code in
 * `ERROR_MAPPING`, the only place where that translation happens.
 */
export const ERROR_CODES = [
  "VALIDATION_FAILED",
  "INVALID_JSON",
  "UNAUTHENTICATED",
  "INVALID_CREDENTIALS",
  "FORBIDDEN",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "EMAIL_TAKEN",
  "ALREADY_CLOCKED_IN",
  "NOT_CLOCKED_IN",
  "NOT_FOLLOWING",
  "CANNOT_FOLLOW_SELF",
  "FOLLOW_LIMIT_REACHED",
  "IDEMPOTENCY_KEY_IN_USE",
  "IDEMPOTENCY_KEY_REUSED",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "UNPROCESSABLE",
  "RATE_LIMITED",
  "INTERNAL",
  "SERVICE_UNAVAILABLE",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const ERROR_MAPPING: Record<ErrorCode, { status: number; trpc: TRPC_ERROR_CODE_KEY }> = {
  VALIDATION_FAILED: { status: 400, trpc: "BAD_REQUEST" },
  INVALID_JSON: { status: 400, trpc: "PARSE_ERROR" },
  UNAUTHENTICATED: { status: 401, trpc: "UNAUTHORIZED" },
  INVALID_CREDENTIALS: { status: 401, trpc: "UNAUTHORIZED" },
  FORBIDDEN: { status: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { status: 404, trpc: "NOT_FOUND" },
  METHOD_NOT_ALLOWED: { status: 405, trpc: "METHOD_NOT_SUPPORTED" },
  EMAIL_TAKEN: { status: 409, trpc: "CONFLICT" },
  ALREADY_CLOCKED_IN: { status: 409, trpc: "CONFLICT" },
  NOT_CLOCKED_IN: { status: 409, trpc: "CONFLICT" },
  NOT_FOLLOWING: { status: 404, trpc: "NOT_FOUND" },
  CANNOT_FOLLOW_SELF: { status: 422, trpc: "UNPROCESSABLE_CONTENT" },
  FOLLOW_LIMIT_REACHED: { status: 422, trpc: "UNPROCESSABLE_CONTENT" },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, trpc: "CONFLICT" },
  IDEMPOTENCY_KEY_REUSED: { status: 422, trpc: "UNPROCESSABLE_CONTENT" },
  PAYLOAD_TOO_LARGE: { status: 413, trpc: "PAYLOAD_TOO_LARGE" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  UNPROCESSABLE: { status: 422, trpc: "UNPROCESSABLE_CONTENT" },
  RATE_LIMITED: { status: 429, trpc: "TOO_MANY_REQUESTS" },
  INTERNAL: { status: 500, trpc: "INTERNAL_SERVER_ERROR" },
  SERVICE_UNAVAILABLE: { status: 503, trpc: "SERVICE_UNAVAILABLE" },
};

/** The message of every 500: the cause goes to the log only, under the request id. */
export const INTERNAL_ERROR_MESSAGE = "Internal server error. Retry later, and quote the request id if it persists.";

/**
 * The one error type that domain functions throw. `message` is safe to show to a client.
 * `details` carries structured context, such as the offending field or the open record. `headers`
 * are response headers that both transports add, such as `Retry-After`.
 */
export class DomainError extends Error {
  override readonly name = "DomainError";

  readonly headers: Record<string, string> | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.headers = options?.headers;
  }

  get status(): number {
    return ERROR_MAPPING[this.code].status;
  }
}

/** One invalid input field, in the shape that `error.details.issues` carries. */
export type FieldIssue = { path: string; message: string };

export function validationError(issues: FieldIssue[]): DomainError {
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
  return new DomainError("VALIDATION_FAILED", `Invalid request: ${summary}.`, { issues });
}
