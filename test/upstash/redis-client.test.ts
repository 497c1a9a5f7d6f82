// Runs the real @upstash/redis client against the endpoint backed by Redis on 127.0.0.1:6379.
// Skipped when that Redis is not running, unless REQUIRE_REDIS=1 makes its absence a failure.

import { createHash } from "node:crypto";

import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { describeAddress, parseRedisUrl, type RespConnection } from "../../scripts/upstash/resp.js";
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
  replyText,
  sleep,
  uniquePrefix,
} from "./helpers.js";

const redisReachable = await isRedisReachable();

describe.skipIf(!redisReachable && !redisRequired)("@upstash/redis against the Redis-backed endpoint", () => {
  const prefix = uniquePrefix("client");
  const key = (name: string) => `${prefix}${name}`;
  const logger = createCapturingLogger();
  let endpoint: UpstashEndpoint;
  let redis: Redis;
  let direct: RespConnection;

  beforeAll(async () => {
    endpoint = await startUpstashEndpoint({ port: 0, token: TEST_TOKEN, redisUrl: TEST_REDIS_URL, logger });
    redis = new Redis({ url: endpoint.url, token: endpoint.token, enableTelemetry: false });
    direct = await openDirectConnection();
  });

  afterAll(async () => {
    if (direct !== undefined) {
      await deleteKeysWithPrefix(direct, prefix);
      direct.close();
    }
    await endpoint?.close();
  });

  test("startup logs redis backend", () => {
    expect(endpoint.backend).toBe("redis");
    const started = logger.lines.find((line) => line.event === "upstash endpoint started");
    expect(started?.fields.backend).toBe("redis");
    expect(started?.fields.redis).toBe(describeAddress(parseRedisUrl(TEST_REDIS_URL)));
    expect(JSON.stringify(logger.lines)).not.toContain(TEST_TOKEN);
  });

  test("set and get round trip", async () => {
    expect(await redis.set(key("plain"), "hello")).toBe("OK");
    expect(await redis.get(key("plain"))).toBe("hello");
    expect(await redis.get(key("missing"))).toBeNull();
    // The value must land in the test database, proving the endpoint's SELECT took effect.
    expect(replyText(await direct.send(["GET", key("plain")]))).toBe("hello");
  });

  test("set with nx only writes missing keys", async () => {
    expect(await redis.set(key("nx"), "first", { nx: true })).toBe("OK");
    expect(await redis.set(key("nx"), "second", { nx: true })).toBeNull();
    expect(await redis.get(key("nx"))).toBe("first");
  });

  test("set with px expires the key", async () => {
    await redis.set(key("px"), "short", { px: 150 });
    const remaining = await redis.pttl(key("px"));
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(150);

    await sleep(250);
    expect(await redis.get(key("px"))).toBeNull();
    expect(await redis.pttl(key("px"))).toBe(-2);
  });

  test("set with ex sets ttl in seconds", async () => {
    await redis.set(key("ex"), "value", { ex: 100 });
    const ttl = await redis.ttl(key("ex"));
    expect(ttl).toBeGreaterThanOrEqual(99);
    expect(ttl).toBeLessThanOrEqual(100);
  });

  test("set with keepTtl and get", async () => {
    await redis.set(key("keep"), "v1", { ex: 100 });
    const previous = await redis.set(key("keep"), "v2", { keepTtl: true, get: true });
    expect(previous).toBe("v1");
    expect(await redis.get(key("keep"))).toBe("v2");
    expect(await redis.ttl(key("keep"))).toBeGreaterThanOrEqual(99);

    await redis.set(key("keep"), "v3");
    expect(await redis.ttl(key("keep"))).toBe(-1);
  });

  test("del counts removed keys", async () => {
    await redis.set(key("del-a"), "a");
    await redis.set(key("del-b"), "b");
    expect(await redis.del(key("del-a"), key("del-b"), key("del-missing"))).toBe(2);
    expect(await redis.exists(key("del-a"))).toBe(0);
  });

  test("expire, pexpire, ttl and pttl", async () => {
    await redis.set(key("expire"), "x");
    expect(await redis.ttl(key("expire"))).toBe(-1);
    expect(await redis.expire(key("expire"), 50)).toBe(1);
    expect(await redis.ttl(key("expire"))).toBeGreaterThanOrEqual(49);

    expect(await redis.pexpire(key("expire"), 20_000)).toBe(1);
    const pttl = await redis.pttl(key("expire"));
    expect(pttl).toBeGreaterThan(19_000);
    expect(pttl).toBeLessThanOrEqual(20_000);

    expect(await redis.expire(key("expire-missing"), 10)).toBe(0);
    expect(await redis.ttl(key("expire-missing"))).toBe(-2);
  });

  test("incr, incrby and exists", async () => {
    expect(await redis.incr(key("counter"))).toBe(1);
    expect(await redis.incr(key("counter"))).toBe(2);
    expect(await redis.incrby(key("counter"), 40)).toBe(42);
    expect(await redis.exists(key("counter"), key("counter"), key("nothing"))).toBe(2);
  });

  test("mget returns values and nulls", async () => {
    await redis.set(key("m1"), "one");
    await redis.set(key("m2"), { nested: [1, 2] });
    const values = await redis.mget<[string, { nested: number[] }, null]>(key("m1"), key("m2"), key("m3"));
    expect(values).toEqual(["one", { nested: [1, 2] }, null]);
  });

  test("json values deserialize", async () => {
    const shift = { userId: "u-1", clockedIn: true, minutes: 90, tags: ["night", "überstunden"] };
    await redis.set(key("json"), shift);
    expect(await redis.get(key("json"))).toEqual(shift);
    expect(replyText(await direct.send(["GET", key("json")]))).toBe(JSON.stringify(shift));
  });

  test("non-ascii values survive base64", async () => {
    const text = "Grüße, 日本語, emoji 👋, quote \" and backslash \\";
    await redis.set(key("unicode"), text);
    expect(await redis.get(key("unicode"))).toBe(text);

    // Control characters and a value that is itself valid base64 must not be decoded twice.
    const binaryish = "\u0000\u0001\u007f\u00ff tail";
    await redis.set(key("binaryish"), binaryish);
    expect(await redis.get(key("binaryish"))).toBe(binaryish);
    await redis.set(key("looks-base64"), "YmFy");
    expect(await redis.get(key("looks-base64"))).toBe("YmFy");
    await redis.set(key("ok-string"), "OK");
    expect(await redis.get(key("ok-string"))).toBe("OK");
  });

  test("raw bytes are base64-encoded exactly", async () => {
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x0d, 0x41]);
    await direct.send(["SET", key("bytes"), bytes]);

    const response = await rawRequest(endpoint.url, { body: ["GET", key("bytes")], headers: { "Upstash-Encoding": "base64" } });
    expect(response.status).toBe(200);
    expect(Buffer.from(response.body.result, "base64")).toEqual(bytes);
  });

  test("eval, scriptLoad and evalsha", async () => {
    const script = "redis.call('SET', KEYS[1], ARGV[1]); return {KEYS[1], redis.call('GET', KEYS[1]), 7}";
    const evalResult = await redis.eval<[string], [string, string, number]>(script, [key("script")], ["from-eval"]);
    expect(evalResult).toEqual([key("script"), "from-eval", 7]);

    const sha = await redis.scriptLoad(script);
    expect(sha).toBe(createHash("sha1").update(script).digest("hex"));
    const evalshaResult = await redis.evalsha<[string], [string, string, number]>(sha, [key("script")], ["from-evalsha"]);
    expect(evalshaResult).toEqual([key("script"), "from-evalsha", 7]);
  });

  test("upstash-only shebang flag is accepted", async () => {
    // @upstash/ratelimit sends this flag, which Redis itself rejects.
    const script = "#!lua flags=allow-key-locking\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])";
    expect(await redis.eval(script, [key("flagged")], [5])).toBe(5);

    const sha = await redis.scriptLoad(script);
    expect(sha).toBe(createHash("sha1").update(script).digest("hex"));
    expect(await redis.evalsha(sha, [key("flagged")], [2])).toBe(7);
    expect(await redis.scriptExists(sha)).toEqual([1]);
  });

  test("evalsha of unknown script throws NOSCRIPT", async () => {
    await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  test("pipeline returns results in order", async () => {
    const results = await redis.pipeline().set(key("pipe"), "p").incr(key("pipe-counter")).get(key("pipe")).exec();
    expect(results).toEqual(["OK", 1, "p"]);
  });

  test("pipeline reports per-command errors", async () => {
    await redis.set(key("pipe-text"), "not a number");
    const pipeline = redis.pipeline().incr(key("pipe-text")).set(key("pipe-after"), "ran");
    const results = await pipeline.exec({ keepErrors: true });

    expect(results[0]?.error).toMatch(/ERR value is not an integer/);
    expect(results[1]?.result).toBe("OK");
    expect(await redis.get(key("pipe-after"))).toBe("ran");
  });

  test("multi runs a transaction", async () => {
    const results = await redis.multi().set(key("tx"), "5").incrby(key("tx"), 10).get(key("tx")).exec();
    expect(results).toEqual(["OK", 15, 15]);
    // The transaction ran on a dedicated connection, which must also have selected the test database.
    expect(replyText(await direct.send(["GET", key("tx")]))).toBe("15");
  });

  test("multi with runtime error keeps other commands", async () => {
    await redis.set(key("tx-text"), "abc");
    const results = await redis.multi().incr(key("tx-text")).set(key("tx-after"), "ran").exec({ keepErrors: true });
    expect(results[0]?.error).toMatch(/ERR value is not an integer/);
    expect(results[1]?.result).toBe("OK");
  });

  test("multi with unknown command is discarded", async () => {
    // @upstash/redis cannot queue an unknown command, so this request is sent raw.
    const response = await rawRequest(endpoint.url, {
      path: "/multi-exec",
      body: [["SET", key("tx-discarded"), "never"], ["NOSUCHCOMMAND"]],
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/^EXECABORT .*unknown command/);
    expect(await redis.exists(key("tx-discarded"))).toBe(0);
  });

  test("concurrent transactions stay isolated", async () => {
    const runs = Array.from({ length: 8 }, (_, i) =>
      redis.multi().set(key(`tx-iso-${i}`), String(i)).incr(key("tx-iso-total")).get(key(`tx-iso-${i}`)).exec(),
    );
    const results = await Promise.all(runs);
    results.forEach((result, i) => {
      expect(result[0]).toBe("OK");
      expect(result[2]).toBe(i);
    });
    expect(await redis.get(key("tx-iso-total"))).toBe(8);
  });

  test("wrong token makes client throw", async () => {
    const intruder = new Redis({ url: endpoint.url, token: "wrong-token", enableTelemetry: false });
    await expect(intruder.get(key("plain"))).rejects.toThrow(/Unauthorized/);
  });

  test("redis error reaches client", async () => {
    await redis.set(key("text"), "abc");
    await expect(redis.incr(key("text"))).rejects.toThrow("ERR value is not an integer or out of range");
  });

  test("blocking command is rejected", async () => {
    await expect(redis.exec(["BLPOP", key("list"), "0"])).rejects.toThrow(/blocking command BLPOP is not supported/);
  });
});
