import { z } from "@hono/zod-openapi";
import { errorBodySchema } from "../contracts/common.js";
import { requireUser } from "./middleware.js";

/** Response entries for the OpenAPI document; every error status shares the error schema. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

export function errorResponses(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: "Invalid input; `error.details.issues` names each field.",
    401: "Missing, invalid or expired token, or wrong credentials.",
    404: "Not found.",
    409: "Conflicts with the current state.",
    413: "Request body too large.",
    415: "Unsupported Content-Type.",
    422: "Well-formed but not allowed.",
    429: "Rate limited; see Retry-After.",
  };

  return Object.fromEntries(
    [...statuses, 500].map((status) => [status, jsonResponse(errorBodySchema, descriptions[status] ?? "Internal server error.")]),
  );
}

export const bearerSecurity = [{ Bearer: [] }];

/** Route options of every endpoint that needs a token: the OpenAPI security entry and the check. */
export const authenticated = { security: bearerSecurity, middleware: requireUser };
