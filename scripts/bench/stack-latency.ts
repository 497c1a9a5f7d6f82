import { createStackLogger } from "../stack/log.js";
import { DEMO_USER } from "../stack/seed.js";
import { UNLIMITED_RATE_LIMITS, findFreePort, startStack } from "../stack/start.js";

/**
 * `npm run bench:stack`: starts the local stack (DATABASE_URL or embedded PGlite) and prints its
 * start time and request latencies through wrangler dev, the WebSocket proxy and the Neon driver.
 * Every request opens and closes its own database connection, as in production.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 30);

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

async function measure(label: string, runs: number, action: () => Promise<Response>): Promise<void> {
  await (await action()).arrayBuffer();

  const durations: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const response = await action();
    await response.arrayBuffer();
    durations.push(performance.now() - started);
    if (response.status >= 500) throw new Error(`${label} returned ${response.status}`);
  }

  durations.sort((a, b) => a - b);
  process.stdout.write(`${label.padEnd(34)} p50 ${percentile(durations, 0.5).toFixed(1).padStart(7)} ms   p95 ${percentile(durations, 0.95).toFixed(1).padStart(7)} ms   (${runs} runs)\n`);
}

const startedAt = performance.now();
const stack = await startStack({
  port: await findFreePort(),
  databaseUrl: process.env.DATABASE_URL || undefined,
  workerVars: UNLIMITED_RATE_LIMITS,
  logger: createStackLogger("bench", true),
});
process.stdout.write(`database: ${stack.database.kind}\nstack start (database, proxy, migrations, seed, wrangler dev): ${((performance.now() - startedAt) / 1000).toFixed(1)} s\n`);

try {
  const login = () =>
    fetch(`${stack.baseUrl}/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: DEMO_USER.email, password: DEMO_USER.password }),
    });
  const token = ((await (await login()).json()) as { data: { token: string } }).data.token;
  const authorization = { Authorization: `Bearer ${token}` };

  await measure("POST /auth/login (scrypt)", Math.min(RUNS, 15), login);
  await measure("GET /openapi.json (no database)", RUNS, () => fetch(`${stack.baseUrl}/openapi.json`));
  await measure("GET /records/current", RUNS, () => fetch(`${stack.baseUrl}/records/current`, { headers: authorization }));
  await measure("GET /records page 1", RUNS, () => fetch(`${stack.baseUrl}/records?per_page=50`, { headers: authorization }));
  await fetch(`${stack.baseUrl}/clock-out`, { method: "PATCH", headers: authorization });
  await measure("POST /clock-in + PATCH /clock-out", Math.min(RUNS, 20), async () => {
    await (await fetch(`${stack.baseUrl}/clock-in`, { method: "POST", headers: authorization })).arrayBuffer();
    return fetch(`${stack.baseUrl}/clock-out`, { method: "PATCH", headers: authorization });
  });
} finally {
  await stack.stop();
}
