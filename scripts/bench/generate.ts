// Generates the feed benchmark data set: users, clock records and a follow graph.
//
//   npx tsx scripts/bench/generate.ts [--scale N] [--users N] [--records N]
//
// The database comes from BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/punchclock_bench)
// and is created when missing. The script applies the app's migrations (drizzle/) with the app's
// migrator, so the schema, indexes and triggers are the production ones, and replaces all rows.
//
// --scale multiplies every user's record count and keeps users and follows identical (same seed),
// so `--scale 10` gives the tenfold-growth data set. All randomness is seeded: two runs with the
// same options produce the same rows.
import { parseArgs } from "node:util";
import pg from "pg";
import { applyMigrations } from "../stack/database.js";
import { createStackLogger } from "../stack/log.js";
import { startWebSocketProxy } from "../stack/ws-proxy.js";

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/punchclock_bench";

// Records span the two years before this instant. A fixed end keeps runs reproducible.
const END = "2026-12-01T00:00:00Z";
const SPAN_DAYS = 730;
// Days per INSERT. Each chunk is sorted by clock_in before insertion, so ids and heap order follow
// time as they do in production, where a record is inserted at clock-in.
const CHUNK_DAYS = 30;

const { values: options } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    users: { type: "string", default: "10000" },
    records: { type: "string", default: "5000000" },
  },
});

function parsePositiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`invalid --${name} ${JSON.stringify(text)}: expected a positive integer`);
  }
  return value;
}

const scale = parsePositiveInt("scale", options.scale);
const userCount = parsePositiveInt("users", options.users);
const baseRecordCount = parsePositiveInt("records", options.records);
if (userCount < 5100) {
  throw new Error(`invalid --users ${userCount}: the follow graph needs at least 5100 users (dense5k follows 5000)`);
}

const url = process.env.BENCH_DATABASE_URL ?? DEFAULT_URL;

async function ensureDatabase(): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
      console.log(`created database ${database}`);
    }
  } finally {
    await client.end();
  }
}

async function step(client: pg.Client, label: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const started = performance.now();
  const result = await client.query(sql, params);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${label}: ${seconds} s${result.rowCount !== null ? `, ${result.rowCount} rows` : ""}`);
  return result;
}

/** Applies drizzle/ through a temporary WebSocket proxy, as `npm run db:migrate` does. */
async function applySchema(): Promise<void> {
  const target = new URL(url);
  const logger = createStackLogger("bench-generate", true);
  const proxy = await startWebSocketProxy({ allowedTarget: { host: target.hostname, port: Number(target.port || 5432) }, logger });
  const started = performance.now();
  try {
    await applyMigrations(url, proxy.address);
  } finally {
    await proxy.close();
  }
  console.log(`migrations: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// Secondary indexes of clock_records, dropped during the load and rebuilt afterwards because one
// sorted build is far cheaper than millions of index insertions. Their definitions are read from
// the catalog first, so the rebuilt indexes are exactly the migrations' ones.
const LOAD_DROPPED_INDEXES = [
  "clock_records_user_clock_in_idx",
  "clock_records_clock_in_idx",
  "clock_records_duration_idx",
  "clock_records_user_duration_idx",
];

async function readIndexDefinitions(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ definition: string }>(
    "SELECT pg_get_indexdef(to_regclass(name)) AS definition FROM unnest($1::text[]) AS name",
    [LOAD_DROPPED_INDEXES],
  );
  const definitions = result.rows.map((row) => row.definition);
  if (definitions.some((definition) => !definition)) {
    throw new Error(`missing one of ${LOAD_DROPPED_INDEXES.join(", ")}: the migrations did not create them`);
  }
  return definitions;
}

async function loadUsers(client: pg.Client): Promise<void> {
  await step(
    client,
    "users",
    `INSERT INTO users (name, email, password_hash)
     SELECT 'user' || g, 'user' || g || '@bench.test', 'bench-no-login'
       FROM generate_series(1, $1::int) g`,
    [userCount],
  );
  // Fixed ids for the three benchmark followers, so scripts/bench/feed-sql.ts finds them by name.
  await client.query(
    `UPDATE users SET name = v.name, email = v.name || '@bench.test'
       FROM (VALUES (1, 'dense1k'), (2, 'dense5k'), (3, 'sparse5')) AS v (id, name)
      WHERE users.id = v.id`,
  );

  // Activity: record counts are log-normal (sigma 1.4), so a few users own tens of thousands of
  // records and some own one. join_day staggers when users started clocking in.
  await client.query("DROP TABLE IF EXISTS bench_user_activity");
  await client.query("SELECT setseed(0.42)");
  await step(
    client,
    "user activity",
    `CREATE TABLE bench_user_activity AS
     WITH weights AS (
       SELECT id AS user_id,
              exp(1.4 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) AS weight,
              CASE WHEN random() < 0.3 THEN 0 ELSE floor(random() * ${SPAN_DAYS - 130})::int END AS join_day
         FROM users
        ORDER BY id
     )
     SELECT user_id,
            join_day,
            ${SPAN_DAYS} - join_day AS span_days,
            ceil(weight / sum(weight) OVER () * $1::bigint)::int AS base_records,
            ceil(weight / sum(weight) OVER () * $1::bigint)::int * $2::int AS n
       FROM weights`,
    [baseRecordCount, scale],
  );
  await client.query("ALTER TABLE bench_user_activity ADD PRIMARY KEY (user_id)");
  // Rank 1 is the most active user. Ties break by user_id so the ranking is reproducible.
  await client.query(
    `CREATE TABLE bench_activity_rank AS
     SELECT row_number() OVER (ORDER BY base_records DESC, user_id)::int AS rank, user_id
       FROM bench_user_activity WHERE user_id > 3`,
  );
  await client.query("ALTER TABLE bench_activity_rank ADD PRIMARY KEY (rank)");
}

async function loadFollows(client: pg.Client): Promise<void> {
  await client.query("SELECT setseed(0.17)");
  // The dense followers follow random users; the order of the two statements keeps the seeded
  // random sequence, and so the data set, the same from run to run.
  for (const { id, name, count } of [
    { id: 1, name: "dense1k", count: 1000 },
    { id: 2, name: "dense5k", count: 5000 },
  ]) {
    await step(
      client,
      `follows of ${name}`,
      `INSERT INTO follows (follower_id, followee_id)
       SELECT $1::int, user_id FROM (SELECT id AS user_id, random() AS r FROM users WHERE id > 3 ORDER BY id) u
        ORDER BY r LIMIT $2::int`,
      [id, count],
    );
  }
  await step(
    client,
    "follows of sparse5",
    `INSERT INTO follows (follower_id, followee_id)
     SELECT 3, user_id FROM bench_activity_rank ORDER BY rank DESC LIMIT 5`,
  );

  // Background graph: every other user follows a log-normal number of users (median 20, at most
  // 300), picked with a bias towards active users (rank = N * u^2 for uniform u).
  await step(
    client,
    "background follows",
    `INSERT INTO follows (follower_id, followee_id)
     SELECT p.follower_id, r.user_id
       FROM (
         SELECT u.follower_id,
                1 + floor((SELECT count(*) FROM bench_activity_rank) * power(random(), 2))::int AS rank
           FROM (
             SELECT id AS follower_id,
                    least(300, greatest(1, round(20 * exp(sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())))))::int
                      AS followee_count
               FROM users
              WHERE id > 3
              ORDER BY id
             OFFSET 0
           ) u
          CROSS JOIN LATERAL generate_series(1, u.followee_count) g
         OFFSET 0
       ) p
       JOIN bench_activity_rank r ON r.rank = p.rank
      WHERE r.user_id <> p.follower_id
     ON CONFLICT DO NOTHING`,
  );
}

// One chunk of records: every user's records whose day falls in [fromDay, toDay). Record k of a
// user with n records over span_days days lands on day join_day + floor((k + 0.5) * span_days / n),
// so records spread evenly over the user's active period and each k belongs to exactly one chunk.
const CHUNK_SQL = `
INSERT INTO clock_records (user_id, clock_in, clock_out, created_at, updated_at)
SELECT user_id, clock_in, clock_in + duration, clock_in, clock_in + duration
  FROM (
    SELECT user_id,
           timestamptz '${END}' - interval '${SPAN_DAYS} days' + make_interval(days => day)
             + make_interval(mins => CASE WHEN r4 < 0.4 THEN round(tod / 15) * 15 ELSE round(tod) END::int) AS clock_in,
           make_interval(secs => round(duration_seconds * 1000) / 1000) AS duration
      FROM (
        SELECT user_id, day, r4,
               -- Minute of the day: 70 % day shifts around 08:00, 20 % late shifts around 14:00,
               -- 10 % any time.
               least(1439, greatest(0, CASE
                 WHEN r1 < 0.70 THEN 480 + 60 * sqrt(-2 * ln(1 - r2)) * cos(2 * pi() * r3)
                 WHEN r1 < 0.90 THEN 840 + 120 * sqrt(-2 * ln(1 - r2)) * cos(2 * pi() * r3)
                 ELSE 1440 * r2
               END)) AS tod,
               -- 75 % full shifts of 4-10 h (peak at 7 h), 18 % short ones of 5 min-2 h,
               -- 5 % of 2-4 h, 2 % long ones of 10-14 h.
               CASE
                 WHEN r5 < 0.75 THEN 14400 + 21600 * (r6 + r7) / 2
                 WHEN r5 < 0.93 THEN 300 + 6900 * r6
                 WHEN r5 < 0.98 THEN 7200 + 7200 * r6
                 ELSE 36000 + 14400 * r6
               END AS duration_seconds
          FROM (
            SELECT a.user_id, a.join_day + floor((k + 0.5) * a.span_days / a.n)::int AS day,
                   random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                   random() AS r5, random() AS r6, random() AS r7
              FROM bench_user_activity a
             CROSS JOIN LATERAL generate_series(
                     greatest(0, floor(($1::int - a.join_day)::float8 * a.n / a.span_days)::int - 1),
                     least(a.n - 1, ceil(($2::int - a.join_day)::float8 * a.n / a.span_days)::int + 1)) k
            OFFSET 0
          ) draws
         WHERE day >= $1::int AND day < $2::int
      ) shaped
  ) rows
 ORDER BY clock_in, user_id`;

async function loadRecords(client: pg.Client): Promise<void> {
  await client.query("SELECT setseed(0.91)");
  const started = performance.now();
  let total = 0;
  for (let fromDay = 0; fromDay < SPAN_DAYS; fromDay += CHUNK_DAYS) {
    const toDay = Math.min(SPAN_DAYS, fromDay + CHUNK_DAYS);
    const result = await client.query(CHUNK_SQL, [fromDay, toDay]);
    total += result.rowCount ?? 0;
    process.stdout.write(`\rrecords: ${total} (day ${toDay}/${SPAN_DAYS})`);
  }
  console.log(`\nrecords: ${((performance.now() - started) / 1000).toFixed(1)} s, ${total} rows`);
}

async function main(): Promise<void> {
  await ensureDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await applySchema();
    const indexDefinitions = await readIndexDefinitions(client);
    // Session settings only: one core stays free for others (no parallel workers), and the load
    // skips triggers and foreign-key checks (session_replication_role = replica), so the counts
    // are rebuilt set-based afterwards.
    await client.query("SET max_parallel_workers_per_gather = 0");
    // JIT compilation costs more than these short statements save (about 0.5 s per chunk).
    await client.query("SET jit = off");
    await client.query("SET max_parallel_maintenance_workers = 0");
    await client.query("SET work_mem = '256MB'");
    await client.query("SET maintenance_work_mem = '1GB'");
    await client.query("SET session_replication_role = replica");

    await step(client, "truncate", "TRUNCATE users, clock_records, follows, user_record_counts RESTART IDENTITY CASCADE");
    for (const index of LOAD_DROPPED_INDEXES) {
      await client.query(`DROP INDEX IF EXISTS ${pg.escapeIdentifier(index)}`);
    }
    await client.query("DROP TABLE IF EXISTS bench_activity_rank");

    await loadUsers(client);
    await loadFollows(client);
    await loadRecords(client);

    await step(client, "index clock_records_user_clock_in_idx", indexDefinitions[0]!);

    // Open records: about 3 % of users never clocked out of their latest record.
    await client.query("SELECT setseed(0.33)");
    await step(
      client,
      "open records",
      `UPDATE clock_records r SET clock_out = NULL, updated_at = r.clock_in
         FROM (
           SELECT (SELECT c.id FROM clock_records c WHERE c.user_id = u.user_id
                    ORDER BY c.clock_in DESC, c.id DESC LIMIT 1) AS id
             FROM (SELECT user_id, random() AS r FROM bench_user_activity ORDER BY user_id OFFSET 0) u
            WHERE u.r < 0.03
         ) latest
        WHERE r.id = latest.id`,
    );

    await client.query("SET session_replication_role = origin");
    for (const [position, definition] of indexDefinitions.entries()) {
      if (position > 0) await step(client, `index ${LOAD_DROPPED_INDEXES[position]}`, definition);
    }
    // The load bypassed the triggers, so the counts are rebuilt the way the feed migration does.
    await step(
      client,
      "user_record_counts",
      `INSERT INTO user_record_counts (user_id, record_count, open_record_count)
       SELECT user_id, count(*), count(*) FILTER (WHERE clock_out IS NULL) FROM clock_records GROUP BY user_id`,
    );
    await step(client, "vacuum analyze", "VACUUM ANALYZE users, clock_records, follows, user_record_counts");

    const summary = await client.query(
      `SELECT (SELECT count(*) FROM users) AS users,
              (SELECT sum(record_count) FROM user_record_counts) AS records,
              (SELECT sum(open_record_count) FROM user_record_counts) AS open_records,
              (SELECT max(record_count) FROM user_record_counts) AS max_per_user,
              (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY record_count) FROM user_record_counts) AS median_per_user,
              (SELECT count(*) FROM follows) AS follows`,
    );
    console.log(summary.rows[0]);
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
