// Cuts the endpoint off from Redis with a loopback TCP proxy and checks that requests fail with
// 503, the outage is logged once, and the endpoint reconnects when Redis is back.

import net from "node:net";
import type { AddressInfo } from "node:net";

import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { parseRedisUrl } from "../../scripts/upstash/resp.js";
import { startUpstashEndpoint, type UpstashEndpoint } from "../../scripts/upstash/server.js";
import {
  TEST_REDIS_URL,
  TEST_TOKEN,
  createCapturingLogger,
  deleteKeysWithPrefix,
  isRedisReachable,
  openDirectConnection,
  rawRequest,
  redisRequired,
  uniquePrefix,
} from "./helpers.js";

const redisReachable = await isRedisReachable();

/** TCP proxy to Redis that the test can stop and restart on the same port. */
class RedisProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  async start(): Promise<void> {
    const target = parseRedisUrl(TEST_REDIS_URL);
    const server = net.createServer((client) => {
      const upstream = net.connect({ host: target.host, port: target.port });
      this.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const teardown = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on("error", teardown).on("close", teardown);
      upstream.on("error", teardown).on("close", teardown);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe.skipIf(!redisReachable && !redisRequired)("endpoint during a Redis outage", () => {
  const prefix = uniquePrefix("outage");
  const proxy = new RedisProxy();
  const logger = createCapturingLogger();
  let endpoint: UpstashEndpoint;
  let redis: Redis;

  beforeAll(async () => {
    await proxy.start();
    const { db } = parseRedisUrl(TEST_REDIS_URL);
    endpoint = await startUpstashEndpoint({ port: 0, token: TEST_TOKEN, redisUrl: `redis://127.0.0.1:${proxy.port}/${db}`, logger });
    redis = new Redis({ url: endpoint.url, token: endpoint.token, enableTelemetry: false });
  });

  afterAll(async () => {
    await endpoint?.close();
    await proxy.stop();
    const direct = await openDirectConnection();
    await deleteKeysWithPrefix(direct, prefix);
    direct.close();
  });

  test("outage returns 503 and recovers", async () => {
    expect(await redis.set(`${prefix}before`, "1")).toBe("OK");

    await proxy.stop();
    for (let i = 0; i < 3; i++) {
      const response = await rawRequest(endpoint.url, { body: ["GET", `${prefix}before`] });
      expect(response.status).toBe(503);
      expect(response.body.error).toMatch(/^ERR Redis (is unreachable|request failed)/);
    }
    const outageLines = logger.lines.filter((line) => line.event === "redis connection lost" || line.event === "redis connection failed");
    expect(outageLines).toHaveLength(1);
    expect(outageLines[0]?.level).toBe("warn");

    await proxy.start();
    expect(await redis.get(`${prefix}before`)).toBe(1);
    expect(await redis.multi().incr(`${prefix}before`).exec()).toEqual([2]);
    expect(logger.lines.filter((line) => line.event === "redis connection restored")).toHaveLength(1);
  });
});
