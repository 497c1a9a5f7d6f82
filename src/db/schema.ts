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
    // "This user's records, newest first"; id breaks ties so pages are stable.
    index("clock_records_user_clock_in_idx").on(table.userId, table.clockIn.desc(), table.id.desc()),
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
