import { z } from "@hono/zod-openapi";
import { clockRecordSchema } from "./clock.js";
import { paginationMetaSchema, paginationQuerySchema } from "./common.js";

export const FEED_SORTS = ["clock_in", "duration"] as const;
export const FEED_STATUSES = ["all", "open", "completed"] as const;

/** Maximum length of a cursor string; real cursors are under 100 characters. */
export const MAX_CURSOR_LENGTH = 200;

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)$/;

/** Checks the calendar date too: Date.parse rolls 2026-02-30 over to 2 March instead of failing. */
function isIsoInstant(value: string): boolean {
  const match = ISO_INSTANT.exec(value);
  if (!match || Number.isNaN(Date.parse(value))) return false;

  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendarDate = new Date(Date.UTC(year, month - 1, day));
  return calendarDate.getUTCFullYear() === year && calendarDate.getUTCMonth() === month - 1 && calendarDate.getUTCDate() === day;
}

const isoInstant = (name: string) =>
  z
    .string()
    .refine(isIsoInstant, {
      message: `${name} must be an ISO 8601 date-time with a time zone, such as 2026-01-31T09:00:00Z (send + as %2B in a URL)`,
    })
    .transform((value) => new Date(value));

export const feedQuerySchema = paginationQuerySchema.extend({
  cursor: z
    .string()
    .min(1, "cursor must not be empty")
    .max(MAX_CURSOR_LENGTH, "cursor is too long; pass meta.next_cursor unchanged")
    .optional()
    .openapi({ param: { name: "cursor", in: "query" }, description: "meta.next_cursor of the previous page; replaces page." }),
  sort: z
    .enum(FEED_SORTS, { error: "sort must be clock_in or duration" })
    .optional()
    .openapi({ param: { name: "sort", in: "query" }, description: "clock_in (newest first, default) or duration (longest completed first)." }),
  status: z
    .enum(FEED_STATUSES, { error: "status must be all, open or completed" })
    .optional()
    .openapi({ param: { name: "status", in: "query" }, description: "all (default), open or completed." }),
  from: isoInstant("from")
    .optional()
    .openapi({ param: { name: "from", in: "query" }, type: "string", format: "date-time", description: "Inclusive lower bound on clock_in." }),
  to: isoInstant("to")
    .optional()
    .openapi({ param: { name: "to", in: "query" }, type: "string", format: "date-time", description: "Exclusive upper bound on clock_in." }),
  user_id: z
    .union([z.number(), z.string()])
    .transform((value, context) => {
      const text = String(value);
      if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > 2_147_483_647) {
        context.addIssue({ code: "custom", message: `user_id must be a positive integer, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return Number(text);
    })
    .optional()
    .openapi({ param: { name: "user_id", in: "query" }, type: "integer", description: "Only this followed user's records." }),
});

export type FeedQuery = z.output<typeof feedQuerySchema>;

export const feedItemSchema = clockRecordSchema
  .extend({ user: z.object({ id: z.number().int(), name: z.string() }) })
  .openapi("FeedItem");

export type FeedItem = z.infer<typeof feedItemSchema>;

export const feedMetaSchema = paginationMetaSchema
  .extend({
    current_page: z.number().int().nullable().openapi({ description: "null when the page was fetched with a cursor." }),
    next_cursor: z.string().nullable().openapi({ description: "Pass as cursor to fetch the next page; null on the last page." }),
    total_count_exact: z.boolean().openapi({ description: "false when total_count is an upper bound; see the feed design notes." }),
  })
  .openapi("FeedMeta");

export type FeedMeta = z.infer<typeof feedMetaSchema>;

export const feedPageSchema = z.object({ data: z.array(feedItemSchema), meta: feedMetaSchema });
