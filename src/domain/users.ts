import { eq, sql } from "drizzle-orm";
import { userSchema, type User } from "../contracts/auth.js";
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

/** How long the user DTO of an authenticated request stays in the cache. */
const USER_CACHE_TTL_SECONDS = 86_400;

/** The version segment changes whenever the cached `User` shape does, so old entries are ignored. */
function userCacheKey(userId: number): string {
  return `user:v1:${userId}`;
}

/**
 * Loads the user a verified token names, cache-aside: from the cache when present, else from the
 * database, then cached for a day. A token can outlive its account, so a missing user is a 401
 * rather than a 404, and is not cached.
 *
 * NOTE: code that changes or deletes a user must call `invalidateCachedUser`. Otherwise tokens
 * keep seeing the old user, or a deleted one, for up to USER_CACHE_TTL_SECONDS.
 */
export async function getAuthenticatedUser(context: DomainContext, userId: number): Promise<User> {
  const key = userCacheKey(userId);
  const cached = userSchema.safeParse(await context.cache.get(key));
  if (cached.success && cached.data.id === userId) {
    context.logger.debug("cache.hit", { cache: "user", user_id: userId });
    return cached.data;
  }
  context.logger.debug("cache.miss", { cache: "user", user_id: userId });

  const [row] = await context.db.primary
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);

  if (!row) {
    throw new DomainError("UNAUTHENTICATED", "The account for this token no longer exists. Log in again.");
  }

  const user = toUser(row);
  await context.cache.set(key, user, USER_CACHE_TTL_SECONDS);
  return user;
}

/** Drops the cached user, so the next authenticated request reads it from the database. */
export async function invalidateCachedUser(context: DomainContext, userId: number): Promise<void> {
  await context.cache.delete(userCacheKey(userId));
}
