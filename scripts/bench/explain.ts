import { parseArgs } from "node:util";
import { PgDialect } from "drizzle-orm/pg-core";
import pg from "pg";
import { buildFeedQuery } from "../../src/db/feed-query.js";

/**
 * `npm run bench:explain -- --viewer 2 [--sort duration] [--offset 4950] [--depth 100000] [--cached]`: prints
 * EXPLAIN (ANALYZE, BUFFERS) of the app's feed statement on the benchmark database.
 */
const { values } = parseArgs({
  options: {
    viewer: { type: "string", default: "1" },
    sort: { type: "string", default: "clock_in" },
    offset: { type: "string", default: "0" },
    cached: { type: "boolean", default: false },
    depth: { type: "string", default: "0" },
  },
});

const client = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/punchclock_bench" });
await client.connect();

try {
  // The same session settings as feed-sql.ts.
  await client.query("SET max_parallel_workers_per_gather = 0");
  await client.query("SET jit = off");

  const base = { viewerId: Number(values.viewer), sort: values.sort === "duration" ? "duration" : "clock_in", status: "all", offset: Number(values.offset), limit: 51 } as const;
  const dialect = new PgDialect();

  // --depth N continues after the N-th record of the feed, as a cursor from a client would.
  let after: { key: number; id: number } | undefined;
  const depth = Number(values.depth);
  if (depth > 0) {
    const anchor = await client.query<{ id: string; clock_in: Date }>(
      `SELECT r.id, r.clock_in FROM clock_records r
        WHERE EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = r.user_id)
        ORDER BY r.clock_in DESC, r.id DESC OFFSET $2 LIMIT 1`,
      [base.viewerId, depth - 1],
    );
    after = { key: anchor.rows[0]!.clock_in.getTime(), id: Number(anchor.rows[0]!.id) };
  }

  let knownCounts;
  if (values.cached) {
    const cold = dialect.sqlToQuery(buildFeedQuery(base));
    const row = (await client.query(cold.sql, cold.params)).rows[0];
    knownCounts = { total: Number(row.total_count), activeFollowees: Number(row.active_followees) };
  }

  const query = dialect.sqlToQuery(buildFeedQuery({ ...base, after, knownCounts }));
  const result = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, query.params);
  process.stdout.write(`${result.rows.map((row: Record<string, string>) => row["QUERY PLAN"]).join("\n")}\n`);
} finally {
  await client.end();
}
