import { and, count, eq, sql, type SQL } from "drizzle-orm";
import type { DirectoryUser, Follow } from "../contracts/follows.js";
import type { Database } from "../db/client.js";
import { follows, users } from "../db/schema.js";
import type { DomainContext } from "./context.js";
import { DomainError } from "./errors.js";
import { invalidateFeedCounts } from "./feed.js";
import { buildPageMeta, type Page, type PageRequest } from "./pagination.js";
import { isForeignKeyViolation } from "./postgres-errors.js";
import { enforceRateLimit } from "./rate-limit.js";

function toFollow(row: typeof follows.$inferSelect): Follow {
  return { follower_id: row.followerId, followee_id: row.followeeId, created_at: row.createdAt.toISOString() };
}

function userNotFound(userId: number): DomainError {
  return new DomainError("NOT_FOUND", `User ${userId} not found. List users with GET /users.`, { user_id: userId });
}

/**
 * Follows a user. Returns `created: false` when the follow already existed, so a repeated request
 * gets 200 instead of a second row. The follower's row is locked for the transaction,
 * so concurrent follows by one user are checked against the cap one at a time.
 */
export async function followUser(context: DomainContext, followerId: number, followeeId: number): Promise<{ follow: Follow; created: boolean }> {
  await enforceRateLimit(context, "follow", String(followerId));

  if (followerId === followeeId) {
    throw new DomainError("CANNOT_FOLLOW_SELF", "You cannot follow yourself. Pick another user_id.", { user_id: followeeId });
  }

  const result = await context.db.primary
    .transaction(async (transaction) => {
      const [followee] = await transaction.select({ id: users.id }).from(users).where(eq(users.id, followeeId));
      if (!followee) throw userNotFound(followeeId);

      await transaction.execute(sql`select 1 from ${users} where ${users.id} = ${followerId} for update`);

      const pair = and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId));
      const [existing] = await transaction.select().from(follows).where(pair);
      if (existing) return { follow: toFollow(existing), created: false };

      const [following] = await transaction.select({ value: count() }).from(follows).where(eq(follows.followerId, followerId));
      const limit = context.settings.maxFollowing;
      if ((following?.value ?? 0) >= limit) {
        throw new DomainError(
          "FOLLOW_LIMIT_REACHED",
          `You already follow ${limit} users, the maximum. Unfollow someone before following user ${followeeId}.`,
          { limit },
        );
      }

      const [inserted] = await transaction.insert(follows).values({ followerId, followeeId }).returning();
      return { follow: toFollow(inserted!), created: true };
    })
    .catch((error: unknown) => {
      // The followee can be deleted between the existence check and the insert.
      if (isForeignKeyViolation(error)) throw userNotFound(followeeId);
      throw error;
    });

  if (result.created) {
    await invalidateFeedCounts(context, followerId, followeeId);
    context.logger.info("follows.created", { follower_id: followerId, followee_id: followeeId });
  }
  return result;
}

export async function unfollowUser(context: DomainContext, followerId: number, followeeId: number): Promise<Follow> {
  await enforceRateLimit(context, "follow", String(followerId));

  const [removed] = await context.db.primary
    .delete(follows)
    .where(and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId)))
    .returning();

  if (!removed) {
    throw new DomainError("NOT_FOLLOWING", `You do not follow user ${followeeId}, so there is nothing to unfollow.`, { user_id: followeeId });
  }

  await invalidateFeedCounts(context, followerId, followeeId);
  context.logger.info("follows.removed", { follower_id: followerId, followee_id: followeeId });
  return toFollow(removed);
}

/** Escapes LIKE wildcards so that a search for "50%" matches the text "50%" only. */
function toContainsPattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * Columns of a user as another user sees them. The counts are correlated index-only counts on the
 * follows keys, so a page of 50 users costs 100 index range scans.
 */
function directoryColumns(viewerId: number) {
  return {
    id: users.id,
    name: users.name,
    email: users.email,
    is_following: sql<boolean>`exists (select 1 from ${follows} where ${follows.followerId} = ${viewerId} and ${follows.followeeId} = ${users.id})`,
    followers_count: sql<number>`(select count(*) from ${follows} where ${follows.followeeId} = ${users.id})::int`,
    following_count: sql<number>`(select count(*) from ${follows} where ${follows.followerId} = ${users.id})::int`,
  };
}

/** Lists every user, optionally those whose name or email contains `search`, ordered by name. */
export async function listUsers(context: DomainContext, viewerId: number, page: PageRequest, search?: string): Promise<Page<DirectoryUser>> {
  const database = context.db.replica;
  const filter: SQL | undefined = search
    ? sql`(${users.name} ilike ${toContainsPattern(search)} or ${users.email} ilike ${toContainsPattern(search)})`
    : undefined;

  const [rows, [total]] = await Promise.all([
    database
      .select(directoryColumns(viewerId))
      .from(users)
      .where(filter)
      .orderBy(users.name, users.id)
      .limit(page.perPage)
      .offset(page.offset),
    database.select({ value: count() }).from(users).where(filter),
  ]);

  return { data: rows, meta: buildPageMeta(page, total?.value ?? 0) };
}

/** Lists the users one side of the follow relation, most recent follow first. */
async function listRelated(
  database: Database,
  viewerId: number,
  page: PageRequest,
  direction: "following" | "followers",
): Promise<Page<DirectoryUser>> {
  const [ownColumn, otherColumn] = direction === "following" ? [follows.followerId, follows.followeeId] : [follows.followeeId, follows.followerId];

  const [rows, [total]] = await Promise.all([
    database
      .select(directoryColumns(viewerId))
      .from(follows)
      .innerJoin(users, eq(users.id, otherColumn))
      .where(eq(ownColumn, viewerId))
      .orderBy(sql`${follows.createdAt} desc`, sql`${otherColumn} desc`)
      .limit(page.perPage)
      .offset(page.offset),
    database.select({ value: count() }).from(follows).where(eq(ownColumn, viewerId)),
  ]);

  return { data: rows, meta: buildPageMeta(page, total?.value ?? 0) };
}

export function listFollowing(context: DomainContext, userId: number, page: PageRequest): Promise<Page<DirectoryUser>> {
  return listRelated(context.db.replica, userId, page, "following");
}

export function listFollowers(context: DomainContext, userId: number, page: PageRequest): Promise<Page<DirectoryUser>> {
  return listRelated(context.db.replica, userId, page, "followers");
}
