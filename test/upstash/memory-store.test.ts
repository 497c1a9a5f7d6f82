// Unit tests for the in-memory fallback store, with a controllable clock for expiry.

import { afterEach, beforeEach, describe, expect, test } from "vitest";

import { MemoryStore } from "../../scripts/upstash/memory-store.js";
import { ReplyError, SimpleString, type Reply } from "../../scripts/upstash/resp.js";

let now = 1_000_000;
let store: MemoryStore;

const run = (...args: string[]): Promise<Reply> => store.execute(args.map((arg) => Buffer.from(arg)));

const text = (reply: Reply): string | null => {
  if (reply === null) return null;
  if (Buffer.isBuffer(reply)) return reply.toString("utf8");
  throw new Error(`expected a bulk string or nil, got ${String(reply)}`);
};

const errorMessage = (reply: Reply): string => {
  if (!(reply instanceof ReplyError)) throw new Error(`expected an error reply, got ${String(reply)}`);
  return reply.message;
};

beforeEach(() => {
  now = 1_000_000;
  store = new MemoryStore({ now: () => now });
});

afterEach(async () => {
  await store.close();
});

describe("MemoryStore SET", () => {
  test("plain set and get", async () => {
    expect(await run("SET", "k", "v")).toEqual(new SimpleString("OK"));
    expect(text(await run("GET", "k"))).toBe("v");
    expect(await run("GET", "missing")).toBeNull();
  });

  test("nx and xx conditions", async () => {
    expect(await run("SET", "k", "1", "XX")).toBeNull();
    expect(await run("GET", "k")).toBeNull();
    expect(await run("SET", "k", "1", "NX")).toEqual(new SimpleString("OK"));
    expect(await run("SET", "k", "2", "NX")).toBeNull();
    expect(text(await run("GET", "k"))).toBe("1");
    expect(await run("SET", "k", "3", "XX")).toEqual(new SimpleString("OK"));
    expect(text(await run("GET", "k"))).toBe("3");
  });

  test("get option returns old value", async () => {
    expect(await run("SET", "k", "1", "GET")).toBeNull();
    expect(text(await run("SET", "k", "2", "GET"))).toBe("1");
    // With NX on an existing key, Redis 7 returns the old value and does not write.
    expect(text(await run("SET", "k", "3", "NX", "GET"))).toBe("2");
    expect(text(await run("GET", "k"))).toBe("2");
  });

  test("ex and px expire the key", async () => {
    await run("SET", "ex", "v", "EX", "10");
    await run("SET", "px", "v", "PX", "1500");
    expect(await run("TTL", "ex")).toBe(10n);
    expect(await run("PTTL", "px")).toBe(1500n);

    now += 1_500;
    expect(await run("GET", "px")).toBeNull();
    expect(text(await run("GET", "ex"))).toBe("v");

    now += 8_500;
    expect(await run("GET", "ex")).toBeNull();
    expect(await run("TTL", "ex")).toBe(-2n);
  });

  test("exat and pxat set absolute expiry", async () => {
    await run("SET", "exat", "v", "EXAT", String(now / 1000 + 20));
    await run("SET", "pxat", "v", "PXAT", String(now + 700));
    expect(await run("TTL", "exat")).toBe(20n);
    expect(await run("PTTL", "pxat")).toBe(700n);
  });

  test("keepttl keeps the expiry", async () => {
    await run("SET", "k", "1", "EX", "100");
    await run("SET", "k", "2", "KEEPTTL");
    expect(await run("TTL", "k")).toBe(100n);
    await run("SET", "k", "3");
    expect(await run("TTL", "k")).toBe(-1n);
  });

  test("invalid options are rejected", async () => {
    expect(errorMessage(await run("SET", "k", "v", "NX", "XX"))).toBe("ERR syntax error");
    expect(errorMessage(await run("SET", "k", "v", "EX", "10", "PX", "10"))).toBe("ERR syntax error");
    expect(errorMessage(await run("SET", "k", "v", "KEEPTTL", "EX", "10"))).toBe("ERR syntax error");
    expect(errorMessage(await run("SET", "k", "v", "EX"))).toBe("ERR syntax error");
    expect(errorMessage(await run("SET", "k", "v", "BOGUS"))).toBe("ERR syntax error");
    expect(errorMessage(await run("SET", "k", "v", "EX", "ten"))).toBe("ERR value is not an integer or out of range");
    expect(errorMessage(await run("SET", "k", "v", "EX", "0"))).toBe("ERR invalid expire time in 'set' command");
    expect(errorMessage(await run("SET", "k", "v", "PX", "-5"))).toBe("ERR invalid expire time in 'set' command");
    expect(await run("GET", "k")).toBeNull();
  });
});

describe("MemoryStore expiry commands", () => {
  test("expire and pexpire", async () => {
    await run("SET", "k", "v");
    expect(await run("TTL", "k")).toBe(-1n);
    expect(await run("EXPIRE", "k", "30")).toBe(1n);
    expect(await run("TTL", "k")).toBe(30n);
    expect(await run("PEXPIRE", "k", "2500")).toBe(1n);
    expect(await run("PTTL", "k")).toBe(2500n);
    expect(await run("EXPIRE", "missing", "30")).toBe(0n);
  });

  test("ttl rounds to nearest second", async () => {
    await run("SET", "k", "v", "PX", "1499");
    expect(await run("TTL", "k")).toBe(1n);
    await run("SET", "k", "v", "PX", "1500");
    expect(await run("TTL", "k")).toBe(2n);
  });

  test("non-positive expire deletes", async () => {
    await run("SET", "k", "v");
    expect(await run("EXPIRE", "k", "0")).toBe(1n);
    expect(await run("EXISTS", "k")).toBe(0n);
    await run("SET", "k", "v");
    expect(await run("PEXPIRE", "k", "-1")).toBe(1n);
    expect(await run("GET", "k")).toBeNull();
  });

  test("expire nx xx gt lt", async () => {
    await run("SET", "k", "v");
    expect(await run("EXPIRE", "k", "10", "XX")).toBe(0n);
    expect(await run("EXPIRE", "k", "10", "GT")).toBe(0n);
    expect(await run("EXPIRE", "k", "10", "NX")).toBe(1n);
    expect(await run("EXPIRE", "k", "20", "NX")).toBe(0n);
    expect(await run("EXPIRE", "k", "5", "GT")).toBe(0n);
    expect(await run("EXPIRE", "k", "20", "GT")).toBe(1n);
    expect(await run("EXPIRE", "k", "30", "LT")).toBe(0n);
    expect(await run("EXPIRE", "k", "15", "LT")).toBe(1n);
    expect(await run("TTL", "k")).toBe(15n);

    expect(errorMessage(await run("EXPIRE", "k", "10", "NX", "GT"))).toBe("ERR NX and XX, GT or LT options at the same time are not compatible");
    expect(errorMessage(await run("EXPIRE", "k", "10", "GT", "LT"))).toBe("ERR GT and LT options at the same time are not compatible");
    expect(errorMessage(await run("EXPIRE", "k", "soon"))).toBe("ERR value is not an integer or out of range");
  });

  test("persist removes expiry", async () => {
    await run("SET", "k", "v", "EX", "10");
    expect(await run("PERSIST", "k")).toBe(1n);
    expect(await run("TTL", "k")).toBe(-1n);
    expect(await run("PERSIST", "k")).toBe(0n);
  });
});

describe("MemoryStore counters and keys", () => {
  test("incr family", async () => {
    expect(await run("INCR", "c")).toBe(1n);
    expect(await run("INCRBY", "c", "41")).toBe(42n);
    expect(await run("DECR", "c")).toBe(41n);
    expect(await run("DECRBY", "c", "50")).toBe(-9n);
    expect(text(await run("GET", "c"))).toBe("-9");
  });

  test("incr keeps ttl", async () => {
    await run("SET", "c", "5", "EX", "60");
    await run("INCR", "c");
    expect(await run("TTL", "c")).toBe(60n);
  });

  test("incr rejects non-integers and overflow", async () => {
    await run("SET", "text", "abc");
    expect(errorMessage(await run("INCR", "text"))).toBe("ERR value is not an integer or out of range");
    await run("SET", "spaced", " 1");
    expect(errorMessage(await run("INCR", "spaced"))).toBe("ERR value is not an integer or out of range");
    expect(errorMessage(await run("INCRBY", "c", "1.5"))).toBe("ERR value is not an integer or out of range");

    await run("SET", "max", "9223372036854775807");
    expect(errorMessage(await run("INCR", "max"))).toBe("ERR increment or decrement would overflow");
    expect(text(await run("GET", "max"))).toBe("9223372036854775807");
    expect(errorMessage(await run("DECRBY", "c", "-9223372036854775808"))).toBe("ERR decrement would overflow");
  });

  test("del exists mget", async () => {
    await run("SET", "a", "1");
    await run("SET", "b", "2");
    expect(await run("EXISTS", "a", "a", "missing")).toBe(2n);
    expect((await run("MGET", "a", "missing", "b")) as Reply[]).toEqual([Buffer.from("1"), null, Buffer.from("2")]);
    expect(await run("DEL", "a", "b", "missing")).toBe(2n);
    expect(await run("EXISTS", "a", "b")).toBe(0n);
  });

  test("binary keys and values", async () => {
    const key = Buffer.from([0xff, 0x00, 0x80]);
    const value = Buffer.from([0x00, 0xfe, 0x0a]);
    await store.execute([Buffer.from("SET"), key, value]);
    expect(await store.execute([Buffer.from("GET"), key])).toEqual(value);
    expect(await store.execute([Buffer.from("GET"), Buffer.from([0xff, 0x00, 0x81])])).toBeNull();
  });

  test("ping and flushdb", async () => {
    expect(await run("PING")).toEqual(new SimpleString("PONG"));
    expect(text(await run("PING", "hi"))).toBe("hi");
    await run("SET", "k", "v");
    expect(await run("FLUSHDB")).toEqual(new SimpleString("OK"));
    expect(await run("EXISTS", "k")).toBe(0n);
  });
});

describe("MemoryStore unsupported commands", () => {
  test("eval is rejected with guidance", async () => {
    expect(errorMessage(await run("EVAL", "return 1", "0"))).toMatch(/^ERR EVAL is not supported by the in-memory store: start Redis/);
    expect(errorMessage(await run("EVALSHA", "abc", "0"))).toMatch(/^ERR EVALSHA is not supported/);
    expect(errorMessage(await run("SCRIPT", "LOAD", "return 1"))).toMatch(/^ERR SCRIPT is not supported/);
  });

  test("unknown command and arity", async () => {
    expect(errorMessage(await run("HSET", "h", "f", "v"))).toMatch(/^ERR unknown command 'HSET' for the in-memory store/);
    expect(errorMessage(await run("GET"))).toBe("ERR wrong number of arguments for 'get' command");
    expect(errorMessage(await run("GET", "a", "b"))).toBe("ERR wrong number of arguments for 'get' command");
  });
});

describe("MemoryStore transactions", () => {
  test("runtime errors stay per command", async () => {
    await run("SET", "text", "abc");
    const replies = await store.executeTransaction([
      [Buffer.from("INCR"), Buffer.from("text")],
      [Buffer.from("SET"), Buffer.from("after"), Buffer.from("ran")],
    ]);
    expect(Array.isArray(replies)).toBe(true);
    const [first, second] = replies as Reply[];
    expect(errorMessage(first!)).toBe("ERR value is not an integer or out of range");
    expect(second).toEqual(new SimpleString("OK"));
    expect(text(await run("GET", "after"))).toBe("ran");
  });

  test("unknown command discards all", async () => {
    const result = await store.executeTransaction([
      [Buffer.from("SET"), Buffer.from("never"), Buffer.from("1")],
      [Buffer.from("HSET"), Buffer.from("h"), Buffer.from("f"), Buffer.from("v")],
    ]);
    expect(result).toBeInstanceOf(ReplyError);
    expect((result as ReplyError).message).toMatch(/^EXECABORT .*unknown command 'HSET'/);
    expect(await run("EXISTS", "never")).toBe(0n);
  });
});
