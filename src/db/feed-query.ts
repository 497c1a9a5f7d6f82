import { sql, type SQL } from "drizzle-orm";

/**
 * The feed statement: one round trip that returns a page of followed users' records and the
 * total count. docs/feed-design.md has the measurements behind each choice.
 *
 * 1. `feed_plan` sums the followees' matching record counts from `user_record_counts` (kept
 *    exact by triggers) into total_count, or takes known totals, and picks the cheaper plan from
 *    the same numbers.
 *    When the followees own a large share of all records (S·F ≥ 5·N: S their records, F followees
 *    with records, N all records), walking the global time or duration index and keeping followee
 *    rows finds 50 rows quickly. Otherwise a top-k per followee, merged, is cheaper.
 * 2. Only the chosen branch runs: the other one's one-time filter is false. `followees`, the
 *    followee list with counts that the per-followee branch needs, is a CTE, so it runs only then.
 * 3. The page is found from index columns alone; the full rows and user names are joined for the
 *    returned rows only.
 */

export type FeedSortKey = "clock_in" | "duration";
export type FeedStatusFilter = "all" | "open" | "completed";
export type FeedPlanChoice = "auto" | "time_scan" | "per_followee";

export type FeedQueryParameters = {
  viewerId: number;
  sort: FeedSortKey;
  /** For sort=duration only "all" and "completed" apply, and both mean completed records. */
  status: FeedStatusFilter;
  from?: Date | undefined;
  to?: Date | undefined;
  followeeId?: number | undefined;
  /** Keyset position: continue strictly after (key, id). Key is milliseconds (epoch or duration). */
  after?: { key: number; id: number } | undefined;
  offset: number;
  /** Rows to return; callers ask for one more than the page size to learn whether more exist. */
  limit: number;
  /** Forces a plan; tests use it to check that both plans return the same pages. */
  plan?: FeedPlanChoice;
  /**
   * Totals from a recent run of this statement (see FeedCounts). When given, the statement skips
   * summing the followees' counts, which costs about 3 ms for 5,000 followees.
   */
  knownCounts?: FeedCounts | undefined;
};

/** The matching records of all followees, and how many followees have at least one. */
export type FeedCounts = { total: number; activeFollowees: number };

/** The time scan wins once S·F reaches this multiple of N; measured in docs/feed-design.md. */
const TIME_SCAN_THRESHOLD = 5;

export type FeedQueryRow = {
  total_count: string | number;
  active_followees: string | number;
  id: string | number | null;
  user_id: number | null;
  user_name: string | null;
  clock_in: string | Date | null;
  clock_out: string | Date | null;
  created_at: string | Date | null;
  updated_at: string | Date | null;
};

function whereAll(conditions: SQL[]): SQL {
  return conditions.length === 0 ? sql`true` : sql.join(conditions, sql` and `);
}

export function buildFeedQuery(parameters: FeedQueryParameters): SQL {
  const { viewerId, sort, from, to, followeeId, after, offset, limit } = parameters;
  const completedOnly = sort === "duration" || parameters.status === "completed";
  const openOnly = sort === "clock_in" && parameters.status === "open";

  const matchingCount = openOnly
    ? sql`coalesce(c.open_record_count, 0)::bigint`
    : completedOnly
      ? sql`coalesce(c.record_count - c.open_record_count, 0)::bigint`
      : sql`coalesce(c.record_count, 0)::bigint`;

  // Filters on clock_records shared by both plans, as SQL on the alias `r`.
  const recordFilters: SQL[] = [];
  if (from) recordFilters.push(sql`r.clock_in >= ${from.toISOString()}::timestamptz`);
  if (to) recordFilters.push(sql`r.clock_in < ${to.toISOString()}::timestamptz`);
  if (completedOnly) recordFilters.push(sql`r.clock_out is not null`);
  if (openOnly) recordFilters.push(sql`r.clock_out is null`);

  const sortKey = sort === "clock_in" ? sql`r.clock_in` : sql`(r.clock_out - r.clock_in)`;
  if (after) {
    const afterKey =
      sort === "clock_in"
        ? sql`${new Date(after.key).toISOString()}::timestamptz`
        : sql`(${after.key}::bigint * interval '1 millisecond')`;
    recordFilters.push(sql`(${sortKey}, r.id) < (${afterKey}, ${after.id}::bigint)`);
  }

  const order = sql`${sortKey} desc, r.id desc`;
  const followeeFilter = followeeId === undefined ? sql`true` : sql`f.followee_id = ${followeeId}::int`;

  const totals = parameters.knownCounts
    ? sql`select ${parameters.knownCounts.total}::bigint as total_count, ${parameters.knownCounts.activeFollowees}::bigint as active_followees`
    : // Aggregated straight from the join rather than from the materialized followees CTE: copying
      // 5,000 rows into the CTE first doubled the cost, and the CTE is only needed per followee.
      sql`select coalesce(sum(${matchingCount}), 0)::bigint as total_count,
                 count(*) filter (where ${matchingCount} > 0) as active_followees
            from follows f
            join user_record_counts c on c.user_id = f.followee_id
           where f.follower_id = ${viewerId}::int and ${followeeFilter}`;

  const timeScanDecision =
    parameters.plan === "time_scan"
      ? sql`true`
      : parameters.plan === "per_followee"
        ? sql`false`
        : openOnly
          ? // At most one open record per user, so per followee is always the cheaper plan.
            sql`false`
          : sql`s.total_count * s.active_followees >= ${TIME_SCAN_THRESHOLD} * greatest((select reltuples from pg_class where oid = 'clock_records'::regclass), 1)`;

  // The time scan walks the global index for the sort and keeps rows of followees.
  const timeScan = sql`
    select r.id, r.user_id
      from clock_records r
     where (select time_scan from feed_plan)
       and exists (select 1 from follows f where f.follower_id = ${viewerId}::int and f.followee_id = r.user_id and ${followeeFilter})
       and ${whereAll(recordFilters)}
     order by ${order}
     limit ${limit}::int offset ${offset}::int`;

  // Per followee: the first offset + limit rows of each from its own index, then merged.
  const perFollowee = sql`
    select top.id, top.user_id
      from followees fe
     cross join lateral (
       select r.id, r.user_id, ${sortKey} as sort_key
         from clock_records r
        where r.user_id = fe.user_id
          and ${whereAll(recordFilters)}
        order by ${order}
        limit ${offset + limit}::int
     ) top
     where not (select time_scan from feed_plan)
       and fe.matching_count > 0
     order by top.sort_key desc, top.id desc
     limit ${limit}::int offset ${offset}::int`;

  return sql`
    with followees as materialized (
      select f.followee_id as user_id, ${matchingCount} as matching_count
        from follows f
        left join user_record_counts c on c.user_id = f.followee_id
       where f.follower_id = ${viewerId}::int and ${followeeFilter}
    ),
    feed_plan as materialized (
      select s.total_count, s.active_followees, ${timeScanDecision} as time_scan
        from (${totals}) s
    ),
    page as (
      (${timeScan})
      union all
      (${perFollowee})
    )
    select p.total_count, p.active_followees, r.id, r.user_id, u.name as user_name, r.clock_in, r.clock_out, r.created_at, r.updated_at
      from feed_plan p
      left join page on true
      left join clock_records r on r.id = page.id
      left join users u on u.id = r.user_id
     order by ${order}`;
}

/** Upper bound of the count run when from/to make the maintained counts inapplicable. */
export const WINDOW_COUNT_CAP = 1000;

/**
 * Counts the feed's records inside a from/to window, stopping after WINDOW_COUNT_CAP + 1 so the
 * cost stays bounded for a follower of thousands. A result above the cap means "more than".
 */
export function buildWindowCountQuery(parameters: Omit<FeedQueryParameters, "after" | "offset" | "limit" | "plan">): SQL {
  const { viewerId, sort, from, to, followeeId } = parameters;
  const completedOnly = sort === "duration" || parameters.status === "completed";
  const openOnly = sort === "clock_in" && parameters.status === "open";

  const filters: SQL[] = [];
  if (from) filters.push(sql`r.clock_in >= ${from.toISOString()}::timestamptz`);
  if (to) filters.push(sql`r.clock_in < ${to.toISOString()}::timestamptz`);
  if (completedOnly) filters.push(sql`r.clock_out is not null`);
  if (openOnly) filters.push(sql`r.clock_out is null`);
  const followeeFilter = followeeId === undefined ? sql`true` : sql`f.followee_id = ${followeeId}::int`;

  return sql`
    select count(*)::int as window_count from (
      select 1
        from follows f
       cross join lateral (
         select 1 from clock_records r
          where r.user_id = f.followee_id and ${whereAll(filters)}
          limit ${WINDOW_COUNT_CAP + 1}::int
       ) matching
       where f.follower_id = ${viewerId}::int and ${followeeFilter}
       limit ${WINDOW_COUNT_CAP + 1}::int
    ) capped`;
}
