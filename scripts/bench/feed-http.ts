import pg from "pg";
import { hashPassword } from "../../src/auth/password.js";
import { encodeFeedCursor } from "../../src/domain/feed-cursor.js";
import { createStackLogger } from "../stack/log.js";
import { UNLIMITED_RATE_LIMITS, findFreePort, startStack } from "../stack/start.js";

/**
 * `npm run bench:feed-http`: feed latency through the full stack (wrangler dev, the WebSocket
 * proxy, the Neon driver, Redis through the Upstash endpoint) on the data set of
 * `npm run bench:generate`, next to `GET /records` page 1 of the most active user.
 *
 * It sets the password of the three benchmark followers and of the most active user to
 * BENCH_PASSWORD in the benchmark database, so it can log in as them.
 */
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/punchclock_bench";
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP_RUNS = 3;
const BENCH_PASSWORD = "bench-password";

type Sample = { label: string; p50: number; p95: number };

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

async function measure(label: string, url: string, token: string): Promise<Sample> {
  const durations: number[] = [];
  for (let run = 0; run < WARMUP_RUNS + RUNS; run += 1) {
    const started = performance.now();
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${label}: ${url} returned ${response.status}`);
    if (run >= WARMUP_RUNS) durations.push(performance.now() - started);
  }

  durations.sort((a, b) => a - b);
  const sample = { label, p50: percentile(durations, 0.5), p95: percentile(durations, 0.95) };
  process.stdout.write(`| ${label} | ${sample.p50.toFixed(1)} | ${sample.p95.toFixed(1)} |\n`);
  return sample;
}

/** Builds the cursor that continues after the record `depth` places into the viewer's feed. */
async function cursorAtDepth(client: pg.Client, viewerId: number, depth: number): Promise<string> {
  const result = await client.query<{ id: string; clock_in: Date }>(
    `SELECT r.id, r.clock_in FROM clock_records r
      WHERE EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = r.user_id)
      ORDER BY r.clock_in DESC, r.id DESC OFFSET $2 LIMIT 1`,
    [viewerId, depth - 1],
  );
  const row = result.rows[0]!;
  return encodeFeedCursor({ sort: "clock_in", key: row.clock_in.getTime(), id: Number(row.id) });
}

const client = new pg.Client({ connectionString: DATABASE_URL });
await client.connect();

const followers = await client.query<{ id: number; name: string; email: string; records: string }>(
  `SELECT u.id, u.name, u.email, coalesce(sum(c.record_count), 0) AS records
     FROM users u JOIN follows f ON f.follower_id = u.id LEFT JOIN user_record_counts c ON c.user_id = f.followee_id
    WHERE u.name IN ('dense1k', 'dense5k', 'sparse5') GROUP BY u.id ORDER BY u.id`,
);
const active = await client.query<{ id: number; email: string; record_count: string }>(
  `SELECT u.id, u.email, c.record_count FROM user_record_counts c JOIN users u ON u.id = c.user_id
    ORDER BY c.record_count DESC, c.user_id LIMIT 1`,
);
if (followers.rowCount !== 3 || active.rowCount !== 1) throw new Error("benchmark data not found: run npm run bench:generate first");

const passwordHash = await hashPassword(BENCH_PASSWORD);
await client.query("UPDATE users SET password_hash = $1 WHERE id = ANY($2::int[])", [
  passwordHash,
  [...followers.rows.map((row) => row.id), active.rows[0]!.id],
]);

const stack = await startStack({
  port: await findFreePort(),
  databaseUrl: DATABASE_URL,
  logger: createStackLogger("bench", true),
  workerVars: UNLIMITED_RATE_LIMITS,
});

const login = async (email: string): Promise<string> => {
  const response = await fetch(`${stack.baseUrl}/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password: BENCH_PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`login as ${email} returned ${response.status}`);
  return ((await response.json()) as { data: { token: string } }).data.token;
};

try {
  const records = Number(active.rows[0]!.record_count);
  process.stdout.write(`database: ${stack.database.kind}; ${RUNS} runs after ${WARMUP_RUNS} warm-up runs; per_page=50\n\n`);
  process.stdout.write("| request | p50 ms | p95 ms |\n| --- | ---: | ---: |\n");

  const reference = await measure(
    `GET /records page 1, user ${active.rows[0]!.id} (${records} records)`,
    `${stack.baseUrl}/records?per_page=50`,
    await login(active.rows[0]!.email),
  );

  const ratios: string[] = [];
  for (const follower of followers.rows) {
    const token = await login(follower.email);
    const total = Number(follower.records);
    const depth = Math.min(100_000, Math.floor(total / 2));
    const cursor = await cursorAtDepth(client, follower.id, depth);

    const first = await measure(`${follower.name} feed page 1`, `${stack.baseUrl}/feed?per_page=50`, token);
    await measure(`${follower.name} feed page 100`, `${stack.baseUrl}/feed?per_page=50&page=100`, token);
    await measure(`${follower.name} feed cursor at ${depth}`, `${stack.baseUrl}/feed?per_page=50&cursor=${cursor}`, token);
    await measure(`${follower.name} feed sort=duration page 1`, `${stack.baseUrl}/feed?per_page=50&sort=duration`, token);
    ratios.push(`${follower.name} ${(first.p50 / reference.p50).toFixed(2)}x`);
  }

  process.stdout.write(`\nfeed page 1 p50 / GET /records page 1 p50: ${ratios.join(", ")}\n`);
} finally {
  await stack.stop();
  await client.end();
}
