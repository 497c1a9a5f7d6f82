import { randomBytes } from "node:crypto";
import { createStackLogger } from "../stack/log.js";
import { UNLIMITED_RATE_LIMITS, findFreePort, startStack } from "../stack/start.js";

/**
 * `npm run bench:clock-in`: starts the local stack (DATABASE_URL or embedded PGlite, and REDIS_URL
 * or Redis on 127.0.0.1:6379, else the in-memory store). It prints the latency of POST /clock-in
 * through wrangler dev without an Idempotency-Key, with a new key per request, and for a replay
 * of a stored key. Each clock-in is followed by an untimed clock-out. BENCH_RUNS sets the number
 * of timed requests per row (default 100).
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const WARMUP_RUNS = 5;

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

const stack = await startStack({
  port: await findFreePort(),
  databaseUrl: process.env.DATABASE_URL || undefined,
  redisUrl: process.env.REDIS_URL || undefined,
  workerVars: UNLIMITED_RATE_LIMITS,
  logger: createStackLogger("bench", true),
});
process.stdout.write(`database: ${stack.database.kind}, Upstash endpoint store: ${stack.upstash.backend}, ${RUNS} runs per row\n`);

try {
  const email = `bench-${randomBytes(6).toString("hex")}@example.test`;
  const password = "benchmark password";
  const post = (path: string, body: unknown) =>
    fetch(`${stack.baseUrl}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  await (await post("/auth/register", { name: "Benchmark", email, password })).arrayBuffer();
  const token = ((await (await post("/auth/login", { email, password })).json()) as { data: { token: string } }).data.token;

  const clockIn = (key?: string) =>
    fetch(`${stack.baseUrl}/clock-in`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, ...(key === undefined ? {} : { "Idempotency-Key": key }) },
    });
  const clockOut = async () => {
    await (await fetch(`${stack.baseUrl}/clock-out`, { method: "PATCH", headers: { Authorization: `Bearer ${token}` } })).arrayBuffer();
  };

  /** Times `action` RUNS times after a warm-up; `expectedStatus` guards against timing errors. */
  async function measure(label: string, expectedStatus: number, action: () => Promise<Response>, after: () => Promise<void>): Promise<void> {
    const durations: number[] = [];
    for (let run = 0; run < WARMUP_RUNS + RUNS; run += 1) {
      const started = performance.now();
      const response = await action();
      await response.arrayBuffer();
      const elapsed = performance.now() - started;
      if (response.status !== expectedStatus) throw new Error(`${label} returned ${response.status}, expected ${expectedStatus}`);
      if (run >= WARMUP_RUNS) durations.push(elapsed);
      await after();
    }

    durations.sort((a, b) => a - b);
    process.stdout.write(`${label.padEnd(40)} p50 ${percentile(durations, 0.5).toFixed(1).padStart(6)} ms   p95 ${percentile(durations, 0.95).toFixed(1).padStart(6)} ms\n`);
  }

  await clockOut();
  await measure("POST /clock-in without a key", 201, () => clockIn(), clockOut);
  await measure("POST /clock-in with a new key", 201, () => clockIn(randomBytes(16).toString("hex")), clockOut);

  const storedKey = randomBytes(16).toString("hex");
  await (await clockIn(storedKey)).arrayBuffer();
  await measure("POST /clock-in replaying a stored key", 201, () => clockIn(storedKey), async () => {});
  await clockOut();
} finally {
  await stack.stop();
}
