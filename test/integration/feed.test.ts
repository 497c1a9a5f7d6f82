import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FeedItem, FeedQuery } from "../../src/contracts/feed.js";
import { buildFeedQuery } from "../../src/db/feed-query.js";
import { clockRecords } from "../../src/db/schema.js";
import { invalidateFeedCounts, listFeed } from "../../src/domain/feed.js";
import { createLogger } from "../../src/lib/logger.js";
import { createRequestServices } from "../../src/services.js";
import { connectTestDatabase, createUser, request, testBindings } from "../support/app.js";

const database = connectTestDatabase();
const services = createRequestServices(testBindings(), createLogger("error"));
afterAll(async () => {
  await services.db.close();
  await database.close();
});

type TestUser = Awaited<ReturnType<typeof createUser>>;
type StoredRecord = { id: number; userId: number; clockIn: Date; clockOut: Date | null };

/** Few distinct clock_in values and durations, so ordering rests on the id tie-breaker. */
const CLOCK_INS = ["2026-03-02T08:00:00.000Z", "2026-03-02T09:00:00.000Z", "2026-03-03T08:00:00.000Z", "2026-03-03T08:00:00.500Z"];
const DURATIONS_MS = [3_600_000, 7_200_000, 3_600_000, 28_800_000];

let viewer: TestUser;
let followees: TestUser[];
let stranger: TestUser;
let records: StoredRecord[];

async function insertRecords(user: TestUser, count: number, seed: number): Promise<void> {
  const values = Array.from({ length: count }, (_, index) => {
    const clockIn = new Date(CLOCK_INS[(index + seed) % CLOCK_INS.length]!);
    return { userId: user.id, clockIn, clockOut: new Date(clockIn.getTime() + DURATIONS_MS[(index * 3 + seed) % DURATIONS_MS.length]!) };
  });
  await database.primary.insert(clockRecords).values(values);
}

beforeAll(async () => {
  viewer = await createUser("viewer");
  followees = await Promise.all([createUser("heavy"), createUser("medium"), createUser("light"), createUser("open")]);
  stranger = await createUser("stranger");

  await insertRecords(followees[0]!, 40, 0);
  await insertRecords(followees[1]!, 17, 1);
  await insertRecords(followees[2]!, 3, 2);
  await insertRecords(followees[3]!, 5, 3);
  await insertRecords(stranger, 12, 0);
  // One open record, at the latest clock_in, to check status filters and sort=duration.
  await database.primary.insert(clockRecords).values({ userId: followees[3]!.id, clockIn: new Date("2026-03-03T08:00:00.500Z") });

  for (const followee of followees) {
    const response = await request("/follows", { method: "POST", token: viewer.token, json: { user_id: followee.id } });
    expect(response.status).toBe(201);
  }

  const followedIds = followees.map((followee) => followee.id);
  const rows = await database.primary
    .select({ id: clockRecords.id, userId: clockRecords.userId, clockIn: clockRecords.clockIn, clockOut: clockRecords.clockOut })
    .from(clockRecords)
    .where(sql`${clockRecords.userId} in (${sql.join(followedIds, sql`, `)})`);
  records = rows;
});

/** Computes the feed the slow, obvious way from every followed record. */
function bruteForce(options: { sort?: "clock_in" | "duration"; status?: "all" | "open" | "completed"; from?: Date; to?: Date; userId?: number } = {}): number[] {
  const sort = options.sort ?? "clock_in";
  return records
    .filter((record) => (options.userId === undefined ? true : record.userId === options.userId))
    .filter((record) => (options.from ? record.clockIn >= options.from : true))
    .filter((record) => (options.to ? record.clockIn < options.to : true))
    .filter((record) => (sort === "duration" || options.status === "completed" ? record.clockOut !== null : true))
    .filter((record) => (options.status === "open" ? record.clockOut === null : true))
    .sort((left, right) => {
      const leftKey = sort === "clock_in" ? left.clockIn.getTime() : left.clockOut!.getTime() - left.clockIn.getTime();
      const rightKey = sort === "clock_in" ? right.clockIn.getTime() : right.clockOut!.getTime() - right.clockIn.getTime();
      return rightKey - leftKey || right.id - left.id;
    })
    .map((record) => record.id);
}

async function walkByPage(query: FeedQuery, plan: "time_scan" | "per_followee"): Promise<number[]> {
  const ids: number[] = [];
  for (let page = 1; page < 100; page += 1) {
    const result = await listFeed(services, viewer.id, { ...query, page, per_page: 7 }, { plan });
    ids.push(...result.data.map((item) => item.id));
    if (result.meta.next_page === null) break;
  }
  return ids;
}

async function walkByCursor(query: FeedQuery, plan: "time_scan" | "per_followee"): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | undefined;
  for (let step = 0; step < 100; step += 1) {
    const result = await listFeed(services, viewer.id, { ...query, per_page: 7, cursor }, { plan });
    ids.push(...result.data.map((item) => item.id));
    if (result.meta.next_cursor === null) break;
    cursor = result.meta.next_cursor;
  }
  return ids;
}

describe("feed order and pagination", () => {
  const cases: Array<[string, FeedQuery, Parameters<typeof bruteForce>[0]]> = [
    ["newest first", {}, {}],
    ["longest first", { sort: "duration" }, { sort: "duration" }],
    ["completed only", { status: "completed" }, { status: "completed" }],
    ["open only", { status: "open" }, { status: "open" }],
    ["one followee", { user_id: 0 }, { userId: 0 }],
    ["window by duration", { sort: "duration", from: new Date("2026-03-02T09:00:00.000Z"), to: new Date("2026-03-03T08:00:00.500Z") }, { sort: "duration", from: new Date("2026-03-02T09:00:00.000Z"), to: new Date("2026-03-03T08:00:00.500Z") }],
  ];

  for (const plan of ["time_scan", "per_followee"] as const) {
    it.each(cases)(`walks %s by page and cursor (${plan})`, async (_name, query, expectation) => {
      const resolvedQuery = query.user_id === 0 ? { ...query, user_id: followees[1]!.id } : query;
      const resolvedExpectation = expectation?.userId === 0 ? { ...expectation, userId: followees[1]!.id } : expectation;
      const expected = bruteForce(resolvedExpectation);

      expect(expected.length).toBeGreaterThan(0);
      expect(await walkByPage(resolvedQuery, plan)).toEqual(expected);
      expect(await walkByCursor(resolvedQuery, plan)).toEqual(expected);
    });
  }

  it("gives the same page with cached totals", async () => {
    const cold = await listFeed(services, viewer.id, { per_page: 9, page: 2 });
    const warm = await listFeed(services, viewer.id, { per_page: 9, page: 2 });
    expect(warm).toEqual(cold);
    expect(warm.meta.total_count).toBe(bruteForce().length);
  });

  it("gives the same first page with either plan and auto", async () => {
    const auto = await listFeed(services, viewer.id, { per_page: 20 });
    const timeScan = await listFeed(services, viewer.id, { per_page: 20 }, { plan: "time_scan" });
    const perFollowee = await listFeed(services, viewer.id, { per_page: 20 }, { plan: "per_followee" });
    expect(auto.data).toEqual(timeScan.data);
    expect(auto.data).toEqual(perFollowee.data);
  });
});

describe("GET /feed", () => {
  it("returns items with the user and the full meta", async () => {
    const response = await request("/feed?per_page=5", { token: viewer.token });
    expect(response.status).toBe(200);
    expect(response.body.message).toBe("Feed.");

    const expected = bruteForce();
    const item = response.body.data[0] as FeedItem;
    expect(item.id).toBe(expected[0]);
    const owner = followees.find((followee) => followee.id === item.user_id)!;
    expect(item.user).toEqual({ id: owner.id, name: owner.name });
    expect(Object.keys(item).sort()).toEqual(["clock_in", "clock_out", "created_at", "duration", "id", "updated_at", "user", "user_id"]);

    expect(response.body.meta).toMatchObject({
      current_page: 1,
      next_page: 2,
      prev_page: null,
      per_page: 5,
      total_count: expected.length,
      total_pages: Math.ceil(expected.length / 5),
      total_count_exact: true,
    });
    expect(response.body.meta.next_cursor).toEqual(expect.any(String));
  });

  it("counts exactly per status from maintained counts", async () => {
    for (const status of ["all", "open", "completed"] as const) {
      const response = await request(`/feed?status=${status}`, { token: viewer.token });
      expect(response.body.meta.total_count).toBe(bruteForce({ status }).length);
    }
  });

  it("applies from inclusive and to exclusive, to the millisecond", async () => {
    const from = "2026-03-03T08:00:00.000Z";
    const to = "2026-03-03T08:00:00.500Z";
    const response = await request(`/feed?from=${from}&to=${to}&per_page=50`, { token: viewer.token });
    const expected = bruteForce({ from: new Date(from), to: new Date(to) });

    expect(response.status).toBe(200);
    expect(response.body.data.map((item: FeedItem) => item.id)).toEqual(expected);
    expect(response.body.data.every((item: FeedItem) => item.clock_in === from)).toBe(true);
    expect(response.body.meta.total_count).toBe(expected.length);
  });

  it("accepts offsets in from and to", async () => {
    const response = await request(`/feed?from=${encodeURIComponent("2026-03-03T09:00:00+01:00")}&per_page=50`, { token: viewer.token });
    expect(response.body.data.map((item: FeedItem) => item.id)).toEqual(bruteForce({ from: new Date("2026-03-03T08:00:00.000Z") }));
  });

  it("never shows records of users not followed", async () => {
    const response = await request("/feed?per_page=50&page=1", { token: viewer.token });
    const all = [...response.body.data];
    const second = await request("/feed?per_page=50&page=2", { token: viewer.token });
    all.push(...second.body.data);
    expect(all.some((item: FeedItem) => item.user_id === stranger.id)).toBe(false);
    expect(all).toHaveLength(bruteForce().length);
  });

  it.each([
    ["sort=name", "sort"],
    ["status=closed", "status"],
    ["from=yesterday", "from"],
    ["from=2026-03-03", "from"],
    ["to=2026-13-01T00:00:00Z", "to"],
    ["from=2026-02-30T00:00:00Z", "from"],
    ["from=2026-03-01T24:00:00Z", "from"],
    ["cursor=WzEsImNsb2NrX2luIiw4NjQwMDAwMDAwMDAwMDAxLDVd", "cursor"],
    ["sort=duration&cursor=WzEsImR1cmF0aW9uIiwtNSw1XQ", "cursor"],
    ["from=2026-03-03T00:00:00Z&to=2026-03-02T00:00:00Z", "to"],
    ["user_id=abc", "user_id"],
    ["cursor=not-a-cursor", "cursor"],
    ["page=2&cursor=WzEsImNsb2NrX2luIiwxLDFd", "cursor"],
    ["sort=duration&status=open", "status"],
    ["page=-1", "page"],
  ])("rejects %s with 400 naming %s", async (query, parameter) => {
    const response = await request(`/feed?${query}`, { token: viewer.token });
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues[0].path).toBe(parameter);
  });

  it("rejects a cursor from the other sort", async () => {
    const first = await request("/feed?per_page=2", { token: viewer.token });
    const response = await request(`/feed?sort=duration&cursor=${first.body.meta.next_cursor}`, { token: viewer.token });
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/sort=clock_in/);
  });

  it("answers 404 for a user_id not followed", async () => {
    const response = await request(`/feed?user_id=${stranger.id}`, { token: viewer.token });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("NOT_FOLLOWING");
  });

  it("clamps per_page to 50", async () => {
    const response = await request("/feed?per_page=100000", { token: viewer.token });
    expect(response.body.meta.per_page).toBe(50);
    expect(response.body.data).toHaveLength(50);
  });

  it("returns an empty page past the end", async () => {
    const response = await request("/feed?page=1000", { token: viewer.token });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([]);
    expect(response.body.meta.next_page).toBeNull();
  });
});

describe("feed after follow changes", () => {
  it("drops an unfollowed user's records and shows a new followee's history at once", async () => {
    const reader = await createUser("reader");
    const author = await createUser("author");
    await insertRecords(author, 4, 1);

    const before = await request("/feed", { token: reader.token });
    expect(before.body.data).toEqual([]);
    expect(before.body.meta.total_count).toBe(0);

    await request("/follows", { method: "POST", token: reader.token, json: { user_id: author.id } });
    const following = await request("/feed", { token: reader.token });
    expect(following.body.data).toHaveLength(4);
    expect(following.body.meta.total_count).toBe(4);

    await request(`/follows/${author.id}`, { method: "DELETE", token: reader.token });
    const after = await request("/feed", { token: reader.token });
    expect(after.body.data).toEqual([]);
    expect(after.body.meta.total_count).toBe(0);
  });

  it("places a new clock-in first and keeps a running cursor stable", async () => {
    const reader = await createUser("pager");
    const author = await createUser("writer");
    await insertRecords(author, 6, 0);
    await request("/follows", { method: "POST", token: reader.token, json: { user_id: author.id } });

    const first = await request("/feed?per_page=3", { token: reader.token });
    await request("/clock-in", { method: "POST", token: author.token });
    const second = await request(`/feed?per_page=3&cursor=${first.body.meta.next_cursor}`, { token: reader.token });
    const seen = [...first.body.data, ...second.body.data].map((item: FeedItem) => item.id);
    expect(new Set(seen).size).toBe(6);

    const fresh = await request("/feed?per_page=3", { token: reader.token });
    expect(fresh.body.data[0].clock_out).toBeNull();

    // The totals are cached for FEED_COUNTS_TTL_SECONDS and a followee's clock-in does not clear
    // them, so the count lags the data until the entry expires or a follow change removes it.
    expect(fresh.body.meta.total_count).toBe(6);
    await invalidateFeedCounts(services, reader.id, author.id);
    const recounted = await request("/feed?per_page=3", { token: reader.token });
    expect(recounted.body.meta.total_count).toBe(7);
  });
});

describe("tRPC feed.list", () => {
  it("returns the same page as REST", async () => {
    const input = encodeURIComponent(JSON.stringify({ per_page: 4, sort: "duration" }));
    const trpc = await request(`/trpc/feed.list?input=${input}`, { token: viewer.token });
    const rest = await request("/feed?per_page=4&sort=duration", { token: viewer.token });
    expect(trpc.status).toBe(200);
    expect(trpc.body.result.data.data).toEqual(rest.body.data);
    expect(trpc.body.result.data.meta).toEqual(rest.body.meta);
  });
});

describe("feed query plans", () => {
  /**
   * Plans a statement with sequential scans, bitmap scans and sorts priced out. The test tables are
   * small enough for a scan plus sort to win otherwise, which would hide whether an index can
   * deliver the order at all (an index declared NULLS LAST cannot serve ORDER BY ... DESC).
   */
  async function explain(statement: ReturnType<typeof sql>): Promise<string> {
    return database.primary.transaction(async (transaction) => {
      await transaction.execute(sql`set local enable_seqscan = off`);
      await transaction.execute(sql`set local enable_bitmapscan = off`);
      await transaction.execute(sql`set local enable_sort = off`);
      const result = await transaction.execute(sql`explain ${statement}`);
      return (result.rows as Array<{ "QUERY PLAN": string }>).map((row) => row["QUERY PLAN"]).join("\n");
    });
  }

  const base = { viewerId: 0, status: "all" as const, offset: 0, limit: 51 };

  it("walks the global clock_in index in the time scan", async () => {
    const plan = await explain(buildFeedQuery({ ...base, viewerId: viewer.id, sort: "clock_in", plan: "time_scan" }));
    expect(plan).toContain("clock_records_clock_in_idx");
  });

  it("probes the per-user index per followee", async () => {
    const plan = await explain(buildFeedQuery({ ...base, viewerId: viewer.id, sort: "clock_in", plan: "per_followee" }));
    expect(plan).toContain("clock_records_user_clock_in_idx");
  });

  it("uses the duration indexes for sort=duration", async () => {
    const timeScan = await explain(buildFeedQuery({ ...base, viewerId: viewer.id, sort: "duration", plan: "time_scan" }));
    const perFollowee = await explain(buildFeedQuery({ ...base, viewerId: viewer.id, sort: "duration", plan: "per_followee" }));
    expect(timeScan).toContain("clock_records_duration_idx");
    expect(perFollowee).toContain("clock_records_user_duration_idx");
  });

  it("serves GET /records from the per-user index without a sort", async () => {
    const plan = await explain(sql`select id from clock_records where user_id = ${viewer.id} order by clock_in desc, id desc limit 50`);
    expect(plan).toContain("clock_records_user_clock_in_idx");
    expect(plan).not.toMatch(/Sort/);
  });
});
