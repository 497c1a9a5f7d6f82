import { z } from "@hono/zod-openapi";

/**
 * Wire schemas shared by the REST adapter (which also builds the OpenAPI document from them) and
 * the tRPC router. Field names are snake_case because that is the public JSON contract.
 */

export const MAX_PER_PAGE = 50;
export const DEFAULT_PER_PAGE = 20;
/** Bounds the OFFSET a page number can produce, so page·per_page stays a safe integer. */
export const MAX_PAGE = 1_000_000_000;

/**
 * Creates a required string field with messages that name it. PostgreSQL text cannot hold the NUL
 * character, so it is rejected here as invalid input instead of failing later as a 500.
 */
export function textField(name: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${name} is required` : `${name} must be a string`) })
    .refine((value) => !value.includes("\u0000"), `${name} must not contain the NUL character`);
}

export const isoTimestamp = z.string().openapi({ format: "date-time", example: "2026-12-04T08:30:00.000Z" });

export const paginationMetaSchema = z
  .object({
    current_page: z.number().int(),
    next_page: z.number().int().nullable(),
    prev_page: z.number().int().nullable(),
    total_pages: z.number().int(),
    total_count: z.number().int(),
    per_page: z.number().int(),
  })
  .openapi("PaginationMeta");

export type PaginationMeta = z.infer<typeof paginationMetaSchema>;

/**
 * `page` and `per_page` as they arrive in a query string or a tRPC input. Values must be positive
 * integers; `per_page` above the maximum is clamped to it rather than rejected.
 */
const positiveInteger = (name: string, maximum?: number) =>
  z
    .union([z.number(), z.string()])
    .transform((value, context) => {
      const text = String(value).trim();
      const parsed = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(parsed) || parsed < 1) {
        context.addIssue({ code: "custom", message: `${name} must be a positive integer, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      if (maximum !== undefined && parsed > maximum) {
        context.addIssue({ code: "custom", message: `${name} must be at most ${maximum}, got ${parsed}` });
        return z.NEVER;
      }
      return parsed;
    })
    .openapi({ type: "integer", minimum: 1 });

export const paginationQuerySchema = z.object({
  page: positiveInteger("page", MAX_PAGE).optional().openapi({ param: { name: "page", in: "query" }, example: 1 }),
  per_page: positiveInteger("per_page")
    .optional()
    .openapi({ param: { name: "per_page", in: "query" }, example: DEFAULT_PER_PAGE, description: `Clamped to ${MAX_PER_PAGE}.` }),
});

export type PaginationQuery = z.input<typeof paginationQuerySchema>;

export const errorBodySchema = z
  .object({
    data: z.null(),
    message: z.string(),
    error: z.object({ code: z.string(), details: z.unknown().optional() }),
    request_id: z.string(),
  })
  .openapi("Error");

export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.object({ data, message: z.string() });
}

export function listEnvelopeSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), message: z.string(), meta: paginationMetaSchema });
}
