import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { clockRecordSchema } from "../../contracts/clock.js";
import { envelopeSchema, listEnvelopeSchema, paginationQuerySchema } from "../../contracts/common.js";
import { clockIn, clockOut, getCurrentRecord, listRecords } from "../../domain/clock.js";
import { IDEMPOTENCY_KEY_HEADER, runIdempotently, type IdempotentOperation } from "../../domain/idempotency.js";
import { resolvePage } from "../../domain/pagination.js";
import { authenticated, errorResponses, jsonResponse } from "../openapi.js";
import { envelope, listEnvelope, respondWithReplay } from "../respond.js";
import type { AppEnv } from "../types.js";
import type { Context } from "hono";

// Clock-in and clock-out take no body: the server's clock decides the time, and any body sent is
// ignored, so a client cannot set clock_in, clock_out or user_id.

// Documents the header only: `runIdempotently` validates it, so that REST and tRPC reject a
// malformed key with the same error.
const idempotencyHeaders = z.object({
  "idempotency-key": z.string().optional().openapi({
    description: "1 to 255 printable ASCII characters, e.g. a UUID. A retry with the same key within 24 hours returns the first response with `Idempotent-Replayed: true`.",
  }),
});

const clockInRoute = createRoute({
  method: "post",
  path: "/clock-in",
  tags: ["clock"],
  summary: "Open a clock record at the server's current time",
  ...authenticated,
  request: { headers: idempotencyHeaders },
  responses: {
    201: jsonResponse(envelopeSchema(clockRecordSchema), "Clocked in."),
    ...errorResponses(400, 401, 409, 422, 429),
  },
});

const clockOutRoute = createRoute({
  method: "patch",
  path: "/clock-out",
  tags: ["clock"],
  summary: "Close the open clock record at the server's current time",
  ...authenticated,
  request: { headers: idempotencyHeaders },
  responses: {
    200: jsonResponse(envelopeSchema(clockRecordSchema), "Clocked out."),
    ...errorResponses(400, 401, 409, 422, 429),
  },
});

const recordsRoute = createRoute({
  method: "get",
  path: "/records",
  tags: ["clock"],
  summary: "My clock records, newest first",
  ...authenticated,
  request: { query: paginationQuerySchema },
  responses: {
    200: jsonResponse(listEnvelopeSchema(clockRecordSchema), "A page of records."),
    ...errorResponses(400, 401),
  },
});

const currentRecordRoute = createRoute({
  method: "get",
  path: "/records/current",
  tags: ["clock"],
  summary: "My open clock record, or null",
  ...authenticated,
  responses: {
    200: jsonResponse(envelopeSchema(clockRecordSchema.nullable()), "The open record or null."),
    ...errorResponses(401),
  },
});

export function registerClockRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(clockInRoute, async (c) => {
    const result = await runIdempotently(c.get("context"), idempotentRequest(c, "POST /clock-in", 201), () =>
      clockIn(c.get("context"), c.get("user").id),
    );
    // A replay sends one of the route's declared responses, but which one is known only at run time.
    if (result.replayed) return respondWithReplay(c, result, "Clocked in.") as never;
    return c.json(envelope(result.value, "Clocked in."), 201);
  });

  app.openapi(clockOutRoute, async (c) => {
    const result = await runIdempotently(c.get("context"), idempotentRequest(c, "PATCH /clock-out", 200), () =>
      clockOut(c.get("context"), c.get("user").id),
    );
    // A replay sends one of the route's declared responses, but which one is known only at run time.
    if (result.replayed) return respondWithReplay(c, result, "Clocked out.") as never;
    return c.json(envelope(result.value, "Clocked out."), 200);
  });

  app.openapi(recordsRoute, async (c) => {
    const page = await listRecords(c.get("context"), c.get("user").id, resolvePage(c.req.valid("query")));
    return c.json(listEnvelope(page, "Clock records."), 200);
  });

  app.openapi(currentRecordRoute, async (c) => {
    const record = await getCurrentRecord(c.get("context"), c.get("user").id);
    return c.json(envelope(record, record ? "Currently clocked in." : "Not clocked in."), 200);
  });
}

function idempotentRequest(c: Context<AppEnv>, operation: IdempotentOperation, successStatus: number) {
  return {
    key: c.req.header(IDEMPOTENCY_KEY_HEADER),
    userId: c.get("user").id,
    operation,
    requestId: c.get("requestId"),
    successStatus,
  };
}
