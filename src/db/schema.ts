import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

// Millisecond precision matches what JavaScript dates and the API's ISO 8601 strings carry, so a
// value read back compares equal to the value the API returned.
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });

export const users = pgTable(
  "users",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    name: text("name").notNull(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (table) => [
    // Case-insensitive uniqueness: "Donald@Gmail.com" and "donald@gmail.com" are one account.
    uniqueIndex("users_email_lower_key").on(sql`lower(${table.email})`),
  ],
);

export const clockRecords = pgTable(
  "clock_records",
  {
    // bigint: the feed is sized for tens of millions of records.
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    clockIn: timestamptz("clock_in").notNull(),
    clockOut: timestamptz("clock_out"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (table) => [
    // The database, not a read-then-write, decides which of two racing clock-ins wins.
    uniqueIndex("clock_records_one_open_per_user_key")
      .on(table.userId)
      .where(sql`${table.clockOut} is null`),
    check("clock_records_clock_out_after_clock_in", sql`${table.clockOut} is null or ${table.clockOut} >= ${table.clockIn}`),
    // "This user's records, newest first"; id breaks ties so pages are stable. NULLS FIRST is
    // PostgreSQL's default for DESC: with NULLS LAST the planner cannot use the index for
    // `ORDER BY clock_in DESC, id DESC` and sorts instead.
    index("clock_records_user_clock_in_idx").on(table.userId, table.clockIn.desc().nullsFirst(), table.id.desc().nullsFirst()),
    // The feed's global orders (see docs/feed-design.md). The migration adds INCLUDE (user_id) to
    // both, which drizzle-kit cannot express, so the feed's time scan runs as an index-only scan.
    index("clock_records_clock_in_idx").on(table.clockIn.desc().nullsFirst(), table.id.desc().nullsFirst()),
    index("clock_records_duration_idx")
      .on(sql`(${table.clockOut} - ${table.clockIn}) desc`, table.id.desc().nullsFirst())
      .where(sql`${table.clockOut} is not null`),
    index("clock_records_user_duration_idx")
      .on(table.userId, sql`(${table.clockOut} - ${table.clockIn}) desc`, table.id.desc().nullsFirst())
      .where(sql`${table.clockOut} is not null`),
  ],
);

/**
 * Records per user, kept exact by triggers on clock_records (created in the feed migration) in the
 * same transaction as each write. The feed sums them over the followees for total_count.
 */
export const userRecordCounts = pgTable(
  "user_record_counts",
  {
    userId: integer("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    recordCount: bigint("record_count", { mode: "number" }).notNull().default(0),
    openRecordCount: integer("open_record_count").notNull().default(0),
  },
  (table) => [
    check("user_record_counts_record_count_check", sql`${table.recordCount} >= 0`),
    check("user_record_counts_open_record_count_check", sql`${table.openRecordCount} >= 0`),
  ],
);

export const follows = pgTable(
  "follows",
  {
    followerId: integer("follower_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    followeeId: integer("followee_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
  },
  (table) => [
    // The key rejects duplicate follows, also under concurrent requests, and serves "who do I follow".
    primaryKey({ name: "follows_pkey", columns: [table.followerId, table.followeeId] }),
    check("follows_no_self_follow", sql`${table.followerId} <> ${table.followeeId}`),
    index("follows_followee_follower_idx").on(table.followeeId, table.followerId),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type ClockRecordRow = typeof clockRecords.$inferSelect;
