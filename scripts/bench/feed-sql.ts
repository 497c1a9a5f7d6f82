// Measures feed query latency for the three benchmark followers (dense1k, dense5k, sparse5) and
// prints one markdown table of p50/p95 per case and candidate.
//
//   npx tsx scripts/bench/feed-sql.ts [--runs N]
//
// Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/punchclock_bench), loaded by
// scripts/bench/generate.ts. Each statement is sent with parameters as an unnamed prepared
// statement, as the app's driver does, so PostgreSQL plans it with the actual values every time.
// Latency is measured in this process and includes the loopback round trip.
import { parseArgs } from "node:util";
import { PgDialect } from "drizzle-orm/pg-core";
import pg from "pg";
import { buildFeedQuery, buildWindowCountQuery, type FeedCounts, type FeedQueryParameters } from "../../src/db/feed-query.js";
import * as q from "./feed-queries.js";

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/punchclock_bench";
const WARMUP_RUNS = 3;
// Candidates slower than this in warm-up get fewer timed runs, so one run of the script stays
// within minutes.
const SLOW_MS = 100;
const SLOW_RUNS = 10;
const VERY_SLOW_MS = 1000;
const VERY_SLOW_RUNS = 3;

// --design-only skips the comparison candidates, whose naive plans take minutes on 50 M records.
const { values: options } = parseArgs({
  options: { runs: { type: "string", default: "30" }, "design-only": { type: "boolean", default: false } },
});
const runs = Number(options.runs);
if (!Number.isInteger(runs) || runs < 1) {
  throw new Error(`invalid --runs ${JSON.stringify(options.runs)}: expected a positive integer`);
}

type Query = { sql: string; params: unknown[] };
type Row = { follower: string; scenario: string; candidate: string; p50: number; p95: number; runs: number; rows: number };

function percentile(sorted: number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

async function timeQueries(client: pg.Client, queries: Query[]): Promise<{ ms: number; rows: number }> {
  const started = performance.now();
  let rows = 0;
  for (const query of queries) {
    const result = await client.query(query.sql, query.params);
    rows += result.rowCount ?? 0;
  }
  return { ms: performance.now() - started, rows };
}

async function measure(client: pg.Client, queries: Query[]): Promise<{ p50: number; p95: number; runs: number; rows: number }> {
  const warmup: number[] = [];
  let rows = 0;
  for (let i = 0; i < WARMUP_RUNS; i++) {
    const result = await timeQueries(client, queries);
    warmup.push(result.ms);
    rows = result.rows;
    if (result.ms > VERY_SLOW_MS) break;
  }
  warmup.sort((a, b) => a - b);
  const slowest = warmup[warmup.length - 1]!;
  const count = slowest > VERY_SLOW_MS ? VERY_SLOW_RUNS : percentile(warmup, 0.5) > SLOW_MS ? Math.min(runs, SLOW_RUNS) : runs;
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    samples.push((await timeQueries(client, queries)).ms);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p95: percentile(samples, 0.95), runs: count, rows };
}

const dialect = new PgDialect();

/** Runs the feed statement once and returns the totals the app would cache from it. */
async function readCounts(client: pg.Client, query: Query): Promise<FeedCounts> {
  const result = await client.query(query.sql, query.params);
  return { total: Number(result.rows[0].total_count), activeFollowees: Number(result.rows[0].active_followees) };
}

async function main(): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL ?? DEFAULT_URL });
  await client.connect();
  const results: Row[] = [];
  try {
    // Session settings only: no parallel workers (one core stays free for others), no JIT
    // (it costs more than it saves on millisecond queries).
    await client.query("SET max_parallel_workers_per_gather = 0");
    await client.query("SET jit = off");

    const size = await client.query("SELECT (SELECT sum(record_count) FROM user_record_counts) AS records, (SELECT count(*) FROM follows) AS follows");
    console.log(`data set: ${size.rows[0].records} records, ${size.rows[0].follows} follows`);

    const record = async (follower: string, scenario: string, candidate: string, queries: Query[]) => {
      const reference = scenario.startsWith("GET /records") || candidate === "counters summed";
      if (options["design-only"] && !candidate.startsWith("design") && !reference) return;
      const measured = await measure(client, queries);
      results.push({ follower, scenario, candidate, ...measured });
      console.error(`${follower} ${scenario} ${candidate}: p50 ${measured.p50.toFixed(2)} ms`);
    };

    const followers = await client.query<{ id: number; name: string }>(
      "SELECT id, name FROM users WHERE name IN ('dense1k', 'dense5k', 'sparse5') ORDER BY id",
    );
    if (followers.rowCount !== 3) {
      throw new Error("benchmark followers dense1k, dense5k and sparse5 not found: run scripts/bench/generate.ts first");
    }

    for (const { id, name } of followers.rows) {
      // The app's own statement, rendered by Drizzle exactly as the app sends it.
      const design = (parameters: Partial<FeedQueryParameters>): Query => {
        const rendered = dialect.sqlToQuery(buildFeedQuery({ viewerId: id, sort: "clock_in", status: "all", offset: 0, limit: 51, ...parameters }));
        return { sql: rendered.sql, params: rendered.params };
      };

      // Page 1 with total_count.
      await record(name, "page 1 + count", "naive + COUNT(*)", [
        { sql: q.NAIVE_PAGE, params: [id, 0] },
        { sql: q.NAIVE_COUNT, params: [id] },
      ]);
      await record(name, "page 1 + count", "lateral + counters", [
        { sql: q.LATERAL_PAGE, params: [id, 0, 50] },
        { sql: q.COUNTER_SUM, params: [id] },
      ]);
      await record(name, "page 1 + count", "time scan + counters", [
        { sql: q.TIME_SCAN_PAGE, params: [id, 0] },
        { sql: q.COUNTER_SUM, params: [id] },
      ]);
      await record(name, "page 1 + count", "design (one statement)", [design({})]);
      // The app caches the totals for 30 s; a warm request sends them with the statement.
      const knownCounts = await readCounts(client, design({}));
      await record(name, "page 1 + count", "design, totals cached", [design({ knownCounts })]);
      await record(name, "count only", "COUNT(*)", [{ sql: q.NAIVE_COUNT, params: [id] }]);
      await record(name, "count only", "counters summed", [{ sql: q.COUNTER_SUM, params: [id] }]);

      // Page 100 with OFFSET.
      const offset = 99 * 50;
      await record(name, "page 100 (OFFSET)", "naive", [{ sql: q.NAIVE_PAGE, params: [id, offset] }]);
      await record(name, "page 100 (OFFSET)", "lateral", [{ sql: q.LATERAL_PAGE, params: [id, offset, offset + 50] }]);
      await record(name, "page 100 (OFFSET)", "time scan", [{ sql: q.TIME_SCAN_PAGE, params: [id, offset] }]);
      await record(name, "page 100 (OFFSET)", "design (one statement)", [design({ offset })]);

      // Keyset cursor 100,000 records deep, or half-way through a smaller feed.
      const total = Number((await client.query(q.COUNTER_SUM, [id])).rows[0].coalesce);
      const depth = Math.min(100_000, Math.floor(total / 2));
      const anchor = await client.query(`${q.TIME_SCAN_PAGE.replace("LIMIT 50", "LIMIT 1")}`, [id, depth - 1]);
      const cursor: [Date, string] = [anchor.rows[0].clock_in, anchor.rows[0].id];
      const deep = `cursor at ${depth}`;
      await record(name, deep, "naive", [{ sql: q.NAIVE_CURSOR, params: [id, ...cursor] }]);
      await record(name, deep, "lateral", [{ sql: q.LATERAL_CURSOR, params: [id, ...cursor] }]);
      await record(name, deep, "time scan", [{ sql: q.TIME_SCAN_CURSOR, params: [id, ...cursor] }]);
      const after = { key: new Date(cursor[0]).getTime(), id: Number(cursor[1]) };
      await record(name, deep, "design (one statement)", [design({ after })]);
      await record(name, deep, "design, totals cached", [design({ after, knownCounts })]);

      // sort=duration page 1.
      await record(name, "duration page 1", "naive", [{ sql: q.NAIVE_DURATION, params: [id] }]);
      await record(name, "duration page 1", "lateral", [{ sql: q.LATERAL_DURATION, params: [id] }]);
      await record(name, "duration page 1", "duration scan", [{ sql: q.DURATION_SCAN, params: [id] }]);
      await record(name, "duration page 1", "design (one statement)", [design({ sort: "duration" })]);
      const completedCounts = await readCounts(client, design({ sort: "duration" }));
      await record(name, "duration page 1", "design, totals cached", [design({ sort: "duration", knownCounts: completedCounts })]);

      // A 30-day window: the page plus the count capped at 1,000 (the app runs both at once).
      const from = new Date("2026-10-01T00:00:00Z");
      const to = new Date("2026-10-31T00:00:00Z");
      const windowCount = dialect.sqlToQuery(buildWindowCountQuery({ viewerId: id, sort: "clock_in", status: "all", from, to }));
      await record(name, "30-day window + capped count", "design (two statements)", [
        design({ from, to }),
        { sql: windowCount.sql, params: windowCount.params },
      ]);
    }

    const top = await client.query("SELECT user_id FROM user_record_counts ORDER BY record_count DESC, user_id LIMIT 1");
    const topUser = top.rows[0].user_id;
    await record(`user ${topUser} (most active)`, "GET /records page 1 + count", "index + maintained count", [
      { sql: q.RECORDS_PAGE, params: [topUser] },
      { sql: q.RECORDS_COUNT, params: [topUser] },
    ]);
  } finally {
    await client.end();
  }

  console.log("\n| follower | scenario | candidate | p50 ms | p95 ms | runs | rows |");
  console.log("| --- | --- | --- | ---: | ---: | ---: | ---: |");
  for (const row of results) {
    console.log(
      `| ${row.follower} | ${row.scenario} | ${row.candidate} | ${row.p50.toFixed(2)} | ${row.p95.toFixed(2)} | ${row.runs} | ${row.rows} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
