import { z } from "@hono/zod-openapi";
import { isoTimestamp } from "./common.js";

export const clockRecordSchema = z
  .object({
    id: z.number().int(),
    user_id: z.number().int(),
    clock_in: isoTimestamp,
    clock_out: isoTimestamp.nullable(),
    created_at: isoTimestamp,
    updated_at: isoTimestamp,
    duration: z.number().int().nullable().openapi({ description: "Whole seconds between clock_in and clock_out (floor); null while open." }),
  })
  .openapi("ClockRecord");

export type ClockRecord = z.infer<typeof clockRecordSchema>;
