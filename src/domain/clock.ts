import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { ClockRecord } from "../contracts/clock.js";
import { clockRecords, userRecordCounts, type ClockRecordRow } from "../db/schema.js";
import type { DomainContext } from "./context.js";
import { DomainError } from "./errors.js";
import { buildPageMeta, type Page, type PageRequest } from "./pagination.js";
import { enforceRateLimit } from "./rate-limit.js";

export function toClockRecord(row: ClockRecordRow): ClockRecord {
  const duration = row.clockOut === null ? null : Math.floor((row.clockOut.getTime() - row.clockIn.getTime()) / 1000);

  return {
    id: row.id,
    user_id: row.userId,
    clock_in: row.clockIn.toISOString(),
    clock_out: row.clockOut?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    duration,
  };
}

async function findOpenRecord(context: DomainContext, userId: number): Promise<ClockRecordRow | undefined> {
  const [row] = await context.db.primary
    .select()
    .from(clockRecords)
    .where(and(eq(clockRecords.userId, userId), isNull(clockRecords.clockOut)))
    .limit(1);
  return row;
}

/**
 * Opens a record at the database server's current time. The insert skips itself when the partial
 * unique index already holds an open record for the user, so of many concurrent clock-ins exactly
 * one inserts and the rest see ALREADY_CLOCKED_IN; no read-then-write window exists.
 */
export async function clockIn(context: DomainContext, userId: number): Promise<ClockRecord> {
  await enforceRateLimit(context, "clock", String(userId));

  const [inserted] = await context.db.primary
    .insert(clockRecords)
    .values({ userId, clockIn: sql`now()` })
    .onConflictDoNothing({ target: clockRecords.userId, where: sql`${clockRecords.clockOut} is null` })
    .returning();

  if (inserted) {
    context.logger.info("clock.clocked_in", { user_id: userId, record_id: inserted.id });
    return toClockRecord(inserted);
  }

  // The open record can be closed between the insert and this read; then it is simply absent.
  const open = await findOpenRecord(context, userId);
  throw new DomainError(
    "ALREADY_CLOCKED_IN",
    "You are already clocked in. Clock out with PATCH /clock-out before clocking in again.",
    { record: open ? toClockRecord(open) : null },
  );
}

/**
 * Closes the open record in one conditional update. Of concurrent clock-outs only one matches
 * `clock_out is null`; the others update nothing and get NOT_CLOCKED_IN. GREATEST keeps the
 * clock_out >= clock_in constraint even if the server clock steps backwards.
 */
export async function clockOut(context: DomainContext, userId: number): Promise<ClockRecord> {
  await enforceRateLimit(context, "clock", String(userId));

  const [closed] = await context.db.primary
    .update(clockRecords)
    .set({ clockOut: sql`greatest(now(), ${clockRecords.clockIn})`, updatedAt: sql`now()` })
    .where(and(eq(clockRecords.userId, userId), isNull(clockRecords.clockOut)))
    .returning();

  if (!closed) {
    throw new DomainError("NOT_CLOCKED_IN", "You are not clocked in. Clock in with POST /clock-in first.");
  }

  context.logger.info("clock.clocked_out", { user_id: userId, record_id: closed.id });
  return toClockRecord(closed);
}

/** Returns the user's open record, or null. Read from the primary because it gates the next action. */
export async function getCurrentRecord(context: DomainContext, userId: number): Promise<ClockRecord | null> {
  const open = await findOpenRecord(context, userId);
  return open ? toClockRecord(open) : null;
}

/**
 * Lists the user's records newest first. The (user_id, clock_in desc, id desc) index serves the
 * page, and `id` breaks ties so equal clock_in values keep a stable order. The total comes from
 * `user_record_counts`, which triggers keep exact, so it costs one row read however many records
 * the user has.
 */
export async function listRecords(context: DomainContext, userId: number, page: PageRequest): Promise<Page<ClockRecord>> {
  // NOTE: reads go to the replica when one is configured, so a record written a moment ago may
  // be missing from this list until replication catches up.
  const database = context.db.replica;

  const [rows, [total]] = await Promise.all([
    database
      .select()
      .from(clockRecords)
      .where(eq(clockRecords.userId, userId))
      .orderBy(desc(clockRecords.clockIn), desc(clockRecords.id))
      .limit(page.perPage)
      .offset(page.offset),
    database.select({ value: userRecordCounts.recordCount }).from(userRecordCounts).where(eq(userRecordCounts.userId, userId)),
  ]);

  return { data: rows.map(toClockRecord), meta: buildPageMeta(page, total?.value ?? 0) };
}
