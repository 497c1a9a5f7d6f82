import { eq, sql } from "drizzle-orm";
import type { User } from "../contracts/auth.js";
import { users, type UserRow } from "../db/schema.js";
import type { DomainContext } from "./context.js";
import { DomainError } from "./errors.js";

export function toUser(row: Pick<UserRow, "id" | "name" | "email">): User {
  return { id: row.id, name: row.name, email: row.email };
}

/** Looks up an account by email, ignoring case as the unique index does. */
export async function findUserByEmail(context: DomainContext, email: string): Promise<UserRow | undefined> {
  const [row] = await context.db.primary
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
    .limit(1);
  return row;
}

/**
 * Loads the user a verified token names. A token can outlive its account, so a missing user is a
 * 401 rather than a 404.
 */
export async function getAuthenticatedUser(context: DomainContext, userId: number): Promise<User> {
  const [row] = await context.db.primary
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);

  if (!row) {
    throw new DomainError("UNAUTHENTICATED", "The account for this token no longer exists. Log in again.");
  }
  return toUser(row);
}
