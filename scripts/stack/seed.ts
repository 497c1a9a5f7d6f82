import { sql } from "drizzle-orm";
import { hashPassword } from "../../src/auth/password.js";
import type { Database } from "../../src/db/client.js";
import { clockRecords, users } from "../../src/db/schema.js";

export const DEMO_USER = { name: "Donald Duck", email: "donald@gmail.com", password: "test12345" } as const;

/** Colleagues with a few weeks of history, so the records list and the feed have data. */
const SAMPLE_USERS = [
  { name: "Ada Lovelace", email: "ada@example.com" },
  { name: "Grace Hopper", email: "grace@example.com" },
  { name: "Alan Turing", email: "alan@example.com" },
  { name: "Katherine Johnson", email: "katherine@example.com" },
] as const;

const HOUR_MS = 3_600_000;

/**
 * Builds workday records for the last `days` days: a start between 07:00 and 10:00 UTC and a
 * shift of 4 to 10 hours, with weekends off. Deterministic per user so reseeding looks the same.
 */
function buildWorkdays(userIndex: number, days: number, now: Date): Array<{ clockIn: Date; clockOut: Date }> {
  const records: Array<{ clockIn: Date; clockOut: Date }> = [];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());

  for (let day = days; day >= 1; day -= 1) {
    const midnight = today - day * 24 * HOUR_MS;
    const weekday = new Date(midnight).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;

    const variation = (userIndex * 7 + day * 13) % 37;
    const clockIn = new Date(midnight + 7 * HOUR_MS + (variation % 13) * 15 * 60_000);
    const clockOut = new Date(clockIn.getTime() + (4 + (variation % 7)) * HOUR_MS + (variation % 5) * 60_000);
    records.push({ clockIn, clockOut });
  }

  return records;
}

/**
 * Creates the demo user and the sample colleagues when missing. Existing accounts are left as
 * they are, so running the stack again never duplicates records.
 */
export async function seedDatabase(database: Database, now = new Date()): Promise<{ created: string[] }> {
  const created: string[] = [];
  const everyone = [DEMO_USER, ...SAMPLE_USERS.map((user) => ({ ...user, password: DEMO_USER.password }))];

  for (const [index, person] of everyone.entries()) {
    const passwordHash = await hashPassword(person.password);

    await database.transaction(async (transaction) => {
      const [user] = await transaction
        .insert(users)
        .values({ name: person.name, email: person.email, passwordHash })
        .onConflictDoNothing()
        .returning({ id: users.id });
      if (!user) return;

      created.push(person.email);
      // The demo user starts with history too, but clocked out, so the walk-through can clock in.
      const history = buildWorkdays(index, 21, now);
      if (history.length > 0) {
        await transaction.insert(clockRecords).values(history.map((record) => ({ userId: user.id, ...record })));
      }
    });
  }

  await database.execute(sql`analyze users, clock_records`);
  return { created };
}
