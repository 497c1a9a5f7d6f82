import { PgDialect } from "drizzle-orm/pg-core";
import pg from "pg";
import { buildFeedQuery, type FeedCounts, type FeedQueryParameters } from "../../src/db/feed-query.js";

/**
 * `npm run bench:feed-growth`: the tenfold-growth check. It times the app's feed statement on the
 * 5 M data set and on the tenfold one (`npm run bench:generate -- --scale 10` into
 * BENCH_X10_DATABASE_URL) and prints the p50 of each side and their ratio. The two databases
 * alternate run by run, so load on the machine affects both sides alike.
 */
const SMALL_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/punchclock_bench";
const LARGE_URL = process.env.BENCH_X10_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/punchclock_bench_x10";
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const WARMUP_RUNS = 5;
const CURSOR_DEPTH = 100_000;

const dialect = new PgDialect();

type Case = { name: string; parameters: Partial<FeedQueryParameters>; cached: boolean; deep: boolean };

const CASES: Case[] = [
  { name: "page 1", parameters: {}, cached: false, deep: false },
  { name: "page 1, totals cached", parameters: {}, cached: true, deep: false },
  { name: "cursor 100,000 deep (sparse5: half-way)", parameters: {}, cached: false, deep: true },
  { name: "cursor deep, totals cached", parameters: {}, cached: true, deep: true },
  { name: "sort=duration page 1", parameters: { sort: "duration" }, cached: false, deep: false },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("SET max_parallel_workers_per_gather = 0");
  return client;
}

/** Builds the statement for one database: the cursor and the cached totals are that database's own. */
async function prepare(client: pg.Client, viewerId: number, testCase: Case): Promise<{ sql: string; params: unknown[] }> {
  const base: FeedQueryParameters = { viewerId, sort: "clock_in", status: "all", offset: 0, limit: 51, ...testCase.parameters };

  let after: FeedQueryParameters["after"];
  if (testCase.deep) {
    const total = await client.query<{ total: string }>(
      "SELECT coalesce(sum(c.record_count), 0) AS total FROM follows f JOIN user_record_counts c ON c.user_id = f.followee_id WHERE f.follower_id = $1",
      [viewerId],
    );
    const depth = Math.min(CURSOR_DEPTH, Math.floor(Number(total.rows[0]!.total) / 2));
    const anchor = await client.query<{ id: string; clock_in: Date }>(
      `SELECT r.id, r.clock_in FROM clock_records r
        WHERE EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = r.user_id)
        ORDER BY r.clock_in DESC, r.id DESC OFFSET $2 LIMIT 1`,
      [viewerId, depth - 1],
    );
    after = { key: anchor.rows[0]!.clock_in.getTime(), id: Number(anchor.rows[0]!.id) };
  }

  let knownCounts: FeedCounts | undefined;
  if (testCase.cached) {
    const cold = dialect.sqlToQuery(buildFeedQuery({ ...base, after }));
    const row = (await client.query(cold.sql, cold.params)).rows[0];
    knownCounts = { total: Number(row.total_count), activeFollowees: Number(row.active_followees) };
  }

  const query = dialect.sqlToQuery(buildFeedQuery({ ...base, after, knownCounts }));
  return { sql: query.sql, params: query.params };
}

async function time(client: pg.Client, query: { sql: string; params: unknown[] }): Promise<number> {
  const started = performance.now();
  await client.query(query.sql, query.params);
  return performance.now() - started;
}

const small = await connect(SMALL_URL);
const large = await connect(LARGE_URL);

try {
  const sizes = await Promise.all(
    [small, large].map(async (client) => (await client.query("SELECT sum(record_count) AS records FROM user_record_counts")).rows[0].records),
  );
  process.stdout.write(`records: ${sizes[0]} and ${sizes[1]}; ${RUNS} alternating runs per side after ${WARMUP_RUNS} warm-up runs\n\n`);
  process.stdout.write("| follower | case | p50 ms, 1× | p50 ms, 10× | ratio |\n| --- | --- | ---: | ---: | ---: |\n");

  const followers = await small.query<{ id: number; name: string }>("SELECT id, name FROM users WHERE name IN ('dense1k', 'dense5k', 'sparse5') ORDER BY id");
  for (const follower of followers.rows) {
    for (const testCase of CASES) {
      const smallQuery = await prepare(small, follower.id, testCase);
      const largeQuery = await prepare(large, follower.id, testCase);

      const smallTimes: number[] = [];
      const largeTimes: number[] = [];
      for (let run = 0; run < WARMUP_RUNS + RUNS; run += 1) {
        const smallMs = await time(small, smallQuery);
        const largeMs = await time(large, largeQuery);
        if (run >= WARMUP_RUNS) {
          smallTimes.push(smallMs);
          largeTimes.push(largeMs);
        }
      }

      const smallMedian = median(smallTimes);
      const largeMedian = median(largeTimes);
      process.stdout.write(
        `| ${follower.name} | ${testCase.name} | ${smallMedian.toFixed(2)} | ${largeMedian.toFixed(2)} | ${(largeMedian / smallMedian).toFixed(2)} |\n`,
      );
    }
  }
} finally {
  await small.end();
  await large.end();
}
