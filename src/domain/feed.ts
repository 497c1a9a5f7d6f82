import { and, eq } from "drizzle-orm";
import type { FeedItem, FeedMeta, FeedQuery } from "../contracts/feed.js";
import {
  buildFeedQuery,
  buildWindowCountQuery,
  WINDOW_COUNT_CAP,
  type FeedCounts,
  type FeedPlanChoice,
  type FeedQueryRow,
  type FeedStatusFilter,
} from "../db/feed-query.js";
import { follows } from "../db/schema.js";
import type { DomainContext } from "./context.js";
import { DomainError, validationError } from "./errors.js";
import { decodeFeedCursor, encodeFeedCursor, type FeedSort } from "./feed-cursor.js";
import { buildPageMeta, resolvePage } from "./pagination.js";

/**
 * How long a feed's totals stay cached. Follows and unfollows by the viewer delete them at once,
 * but the followees' clock-ins are not fanned out to their followers' entries, so total_count can
 * lag new records by up to this long.
 */
export const FEED_COUNTS_TTL_SECONDS = 30;

function feedCountsKey(viewerId: number, status: FeedStatusFilter, followeeId: number | undefined): string {
  return `feed-counts:v1:${viewerId}:${status}:${followeeId ?? "all"}`;
}

/** Removes the cached feed totals a follow or unfollow by `viewerId` makes wrong. */
export async function invalidateFeedCounts(context: DomainContext, viewerId: number, followeeId: number): Promise<void> {
  const statuses: FeedStatusFilter[] = ["all", "open", "completed"];
  const keys = statuses.flatMap((status) => [feedCountsKey(viewerId, status, undefined), feedCountsKey(viewerId, status, followeeId)]);
  await context.cache.delete(...keys);
}

async function readFeedCounts(context: DomainContext, key: string): Promise<FeedCounts | undefined> {
  const cached = (await context.cache.get(key)) as Partial<FeedCounts> | undefined;
  const valid = Number.isSafeInteger(cached?.total) && Number.isSafeInteger(cached?.activeFollowees);
  context.logger.debug(valid ? "feed.counts_cache_hit" : "feed.counts_cache_miss", { key });
  return valid ? (cached as FeedCounts) : undefined;
}

function toDate(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

function toFeedItem(row: FeedQueryRow): FeedItem {
  const clockIn = toDate(row.clock_in!);
  const clockOut = row.clock_out === null ? null : toDate(row.clock_out);

  return {
    id: Number(row.id),
    user_id: row.user_id!,
    clock_in: clockIn.toISOString(),
    clock_out: clockOut?.toISOString() ?? null,
    created_at: toDate(row.created_at!).toISOString(),
    updated_at: toDate(row.updated_at!).toISOString(),
    duration: clockOut === null ? null : Math.floor((clockOut.getTime() - clockIn.getTime()) / 1000),
    user: { id: row.user_id!, name: row.user_name! },
  };
}

/** Returns the sort key of an item in milliseconds, as the cursor stores it. */
function sortKeyOf(item: FeedItem, sort: FeedSort): number {
  const clockIn = Date.parse(item.clock_in);
  return sort === "clock_in" ? clockIn : Date.parse(item.clock_out!) - clockIn;
}

function checkFilters(query: FeedQuery, sort: FeedSort): void {
  if (sort === "duration" && query.status === "open") {
    throw validationError([{ path: "status", message: "sort=duration ranks completed records; use sort=clock_in to list open ones" }]);
  }
  if (query.from && query.to && query.from >= query.to) {
    throw validationError([{ path: "to", message: "to must be later than from" }]);
  }
  if (query.cursor && query.page !== undefined) {
    throw validationError([{ path: "cursor", message: "send either cursor or page, not both" }]);
  }
}

/**
 * Lists the records of everyone the viewer follows, newest first or longest first, with page
 * numbers or a keyset cursor. total_count comes from counts maintained on write, cached for up to
 * FEED_COUNTS_TTL_SECONDS; with from/to it is counted up to WINDOW_COUNT_CAP and
 * `total_count_exact` is false above that.
 */
export async function listFeed(
  context: DomainContext,
  viewerId: number,
  query: FeedQuery,
  options: { plan?: FeedPlanChoice } = {},
): Promise<{ data: FeedItem[]; meta: FeedMeta }> {
  const sort: FeedSort = query.sort ?? "clock_in";
  const status = query.status ?? "all";
  checkFilters(query, sort);

  const page = resolvePage(query);
  const position = query.cursor ? decodeFeedCursor(query.cursor, sort) : undefined;
  const filters = { viewerId, sort, status, from: query.from, to: query.to, followeeId: query.user_id };
  const database = context.db.replica;

  // sort=duration counts completed records whatever the status filter is.
  const countsKey = feedCountsKey(viewerId, sort === "duration" ? "completed" : status, query.user_id);
  const knownCounts = await readFeedCounts(context, countsKey);

  const [result, windowCount] = await Promise.all([
    database.execute(
      buildFeedQuery({
        ...filters,
        after: position ? { key: position.key, id: position.id } : undefined,
        offset: position ? 0 : page.offset,
        limit: page.perPage + 1,
        plan: options.plan ?? "auto",
        knownCounts,
      }),
    ),
    query.from || query.to ? database.execute(buildWindowCountQuery(filters)) : Promise.resolve(undefined),
  ]);

  const rows = result.rows as FeedQueryRow[];
  const items = rows.filter((row) => row.id !== null).map(toFeedItem);
  const hasMore = items.length > page.perPage;
  const data = items.slice(0, page.perPage);

  const maintainedTotal = Number(rows[0]?.total_count ?? 0);
  if (!knownCounts && rows[0]) {
    const counts: FeedCounts = { total: maintainedTotal, activeFollowees: Number(rows[0].active_followees) };
    await context.cache.set(countsKey, counts, FEED_COUNTS_TTL_SECONDS);
  }
  const counted = windowCount ? Number((windowCount.rows[0] as { window_count: number }).window_count) : undefined;
  const totalCount = counted === undefined ? maintainedTotal : Math.min(counted, WINDOW_COUNT_CAP);
  const totalCountExact = counted === undefined || counted <= WINDOW_COUNT_CAP;

  if (query.user_id !== undefined && maintainedTotal === 0 && data.length === 0) {
    await assertFollowing(context, viewerId, query.user_id);
  }

  let nextPage: number | null = null;
  if (!position && hasMore) nextPage = page.page + 1;

  const last = data.at(-1);
  const nextCursor = hasMore && last ? encodeFeedCursor({ sort, key: sortKeyOf(last, sort), id: last.id }) : null;
  const pageMeta = buildPageMeta(page, totalCount);

  return {
    data,
    meta: {
      ...pageMeta,
      // A cursor page has no page number, and only next_cursor shows whether more follow.
      current_page: position ? null : pageMeta.current_page,
      next_page: nextPage,
      prev_page: position ? null : pageMeta.prev_page,
      next_cursor: nextCursor,
      total_count_exact: totalCountExact,
    },
  };
}

/** Rejects a feed filter on a user the viewer does not follow with a 404 naming that user. */
async function assertFollowing(context: DomainContext, viewerId: number, followeeId: number): Promise<void> {
  const [follow] = await context.db.replica
    .select({ followeeId: follows.followeeId })
    .from(follows)
    .where(and(eq(follows.followerId, viewerId), eq(follows.followeeId, followeeId)));

  if (!follow) {
    throw new DomainError("NOT_FOLLOWING", `You do not follow user ${followeeId}. Follow them with POST /follows to see their records.`, {
      user_id: followeeId,
    });
  }
}
