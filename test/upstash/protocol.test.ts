// Checks the endpoint's HTTP responses byte for byte against Upstash's REST shapes, using the
// in-memory backend so these run without Redis.

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { startUpstashEndpoint, type UpstashEndpoint } from "../../scripts/upstash/server.js";
import { TEST_TOKEN, createCapturingLogger, rawRequest } from "./helpers.js";

const MAX_BODY_BYTES = 4096;

describe("Upstash REST protocol", () => {
  let endpoint: UpstashEndpoint;

  beforeAll(async () => {
    endpoint = await startUpstashEndpoint({ port: 0, token: TEST_TOKEN, backend: "memory", maxBodyBytes: MAX_BODY_BYTES, logger: createCapturingLogger() });
  });

  afterAll(async () => {
    await endpoint?.close();
  });

  describe("authentication", () => {
    test("missing token is 401", async () => {
      const response = await rawRequest(endpoint.url, { token: null, body: ["PING"] });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: "Unauthorized" });
    });

    test("wrong token is 401", async () => {
      const response = await rawRequest(endpoint.url, { token: "nope", body: ["PING"] });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: "Unauthorized" });
    });

    test("token prefix is not enough", async () => {
      const response = await rawRequest(endpoint.url, { token: TEST_TOKEN.slice(0, -1), body: ["PING"] });
      expect(response.status).toBe(401);
    });

    test("_token query parameter works", async () => {
      const response = await rawRequest(endpoint.url, { token: null, path: `/ping?_token=${TEST_TOKEN}` });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ result: "PONG" });
    });
  });

  describe("single commands", () => {
    test("json array command", async () => {
      expect((await rawRequest(endpoint.url, { body: ["SET", "proto:a", "hello"] })).text).toBe('{"result":"OK"}');
      expect((await rawRequest(endpoint.url, { body: ["GET", "proto:a"] })).text).toBe('{"result":"hello"}');
      expect((await rawRequest(endpoint.url, { body: ["GET", "proto:missing"] })).text).toBe('{"result":null}');
    });

    test("numbers and booleans become arguments", async () => {
      await rawRequest(endpoint.url, { body: ["SET", "proto:n", 41] });
      expect((await rawRequest(endpoint.url, { body: ["INCRBY", "proto:n", 1] })).text).toBe('{"result":42}');
      await rawRequest(endpoint.url, { body: ["SET", "proto:b", true] });
      expect((await rawRequest(endpoint.url, { body: ["GET", "proto:b"] })).body).toEqual({ result: "true" });
    });

    test("64-bit integers stay exact", async () => {
      await rawRequest(endpoint.url, { body: ["SET", "proto:big", "9223372036854775806"] });
      const response = await rawRequest(endpoint.url, { body: ["INCR", "proto:big"] });
      expect(response.text).toBe('{"result":9223372036854775807}');
    });

    test("command error is 400", async () => {
      await rawRequest(endpoint.url, { body: ["SET", "proto:text", "abc"] });
      const response = await rawRequest(endpoint.url, { body: ["INCR", "proto:text"] });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: "ERR value is not an integer or out of range" });
    });

    test("sync token header is sent", async () => {
      const first = await rawRequest(endpoint.url, { body: ["PING"] });
      const second = await rawRequest(endpoint.url, { body: ["PING"] });
      expect(first.headers.get("upstash-sync-token")).toMatch(/^\d+$/);
      expect(second.headers.get("upstash-sync-token")).not.toBe(first.headers.get("upstash-sync-token"));
      expect(first.headers.get("content-type")).toBe("application/json");
    });
  });

  describe("base64 encoding", () => {
    const base64 = { "Upstash-Encoding": "base64" };

    test("bulk strings are encoded", async () => {
      await rawRequest(endpoint.url, { body: ["SET", "proto:u", "Grüße 👋"] });
      const response = await rawRequest(endpoint.url, { body: ["GET", "proto:u"], headers: base64 });
      expect(response.body).toEqual({ result: Buffer.from("Grüße 👋").toString("base64") });
    });

    test("OK stays plain, other statuses are encoded", async () => {
      expect((await rawRequest(endpoint.url, { body: ["SET", "proto:s", "v"], headers: base64 })).body).toEqual({ result: "OK" });
      expect((await rawRequest(endpoint.url, { body: ["PING"], headers: base64 })).body).toEqual({ result: Buffer.from("PONG").toString("base64") });
    });

    test("bulk string OK is encoded", async () => {
      await rawRequest(endpoint.url, { body: ["SET", "proto:ok", "OK"] });
      const response = await rawRequest(endpoint.url, { body: ["GET", "proto:ok"], headers: base64 });
      expect(response.body).toEqual({ result: "T0s=" });
    });

    test("arrays are encoded recursively", async () => {
      await rawRequest(endpoint.url, { body: ["SET", "proto:m1", "x"] });
      const response = await rawRequest(endpoint.url, { body: ["MGET", "proto:m1", "proto:none"], headers: base64 });
      expect(response.body).toEqual({ result: ["eA==", null] });
    });

    test("integers and errors are not encoded", async () => {
      expect((await rawRequest(endpoint.url, { body: ["EXISTS", "proto:m1"], headers: base64 })).body).toEqual({ result: 1 });
      const error = await rawRequest(endpoint.url, { body: ["GET"], headers: base64 });
      expect(error.body).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    });
  });

  describe("path form", () => {
    test("get and set via path", async () => {
      expect((await rawRequest(endpoint.url, { path: "/set/proto:path/from%20path" })).body).toEqual({ result: "OK" });
      expect((await rawRequest(endpoint.url, { path: "/get/proto:path" })).body).toEqual({ result: "from path" });
    });

    test("query parameters become arguments", async () => {
      await rawRequest(endpoint.url, { path: "/set/proto:q/v?EX=100" });
      const ttl = (await rawRequest(endpoint.url, { path: "/ttl/proto:q" })).body.result;
      expect(ttl).toBeGreaterThanOrEqual(99);
      expect(ttl).toBeLessThanOrEqual(100);
    });

    test("post body is the last argument", async () => {
      const value = '{"json":"body with / and ?"}';
      await rawRequest(endpoint.url, { path: "/set/proto:body", method: "POST", rawBody: value });
      expect((await rawRequest(endpoint.url, { path: "/get/proto:body" })).body).toEqual({ result: value });
    });
  });

  describe("pipeline and multi-exec", () => {
    test("pipeline entries", async () => {
      await rawRequest(endpoint.url, { body: ["SET", "proto:pt", "abc"] });
      const response = await rawRequest(endpoint.url, {
        path: "/pipeline",
        body: [["SET", "proto:p1", "1"], ["INCR", "proto:pt"], ["INCR", "proto:p1"]],
      });
      expect(response.status).toBe(200);
      expect(response.text).toBe('[{"result":"OK"},{"error":"ERR value is not an integer or out of range"},{"result":2}]');
    });

    test("multi-exec entries", async () => {
      const response = await rawRequest(endpoint.url, {
        path: "/multi-exec",
        body: [["SET", "proto:t", "v"], ["GET", "proto:t"]],
        headers: { "Upstash-Encoding": "base64" },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual([{ result: "OK" }, { result: "dg==" }]);
    });

    test("invalid bodies are 400", async () => {
      const cases: Array<{ path: string; rawBody: string; error: RegExp }> = [
        { path: "/", rawBody: "not json", error: /^ERR failed to parse request body as JSON/ },
        { path: "/", rawBody: "[]", error: /^ERR empty command/ },
        { path: "/", rawBody: '["SET","k",null]', error: /^ERR invalid argument at body\[2\]: expected a string, number or boolean, got null/ },
        { path: "/pipeline", rawBody: "[]", error: /^ERR invalid body: expected a non-empty JSON array of commands/ },
        { path: "/pipeline", rawBody: '["GET","k"]', error: /^ERR invalid command at body\[0\]/ },
        { path: "/multi-exec", rawBody: '[["GET"],{"a":1}]', error: /^ERR invalid command at body\[1\]/ },
      ];
      for (const { path, rawBody, error } of cases) {
        const response = await rawRequest(endpoint.url, { path, rawBody });
        expect(response.status, `${path} ${rawBody}`).toBe(400);
        expect(response.body.error, `${path} ${rawBody}`).toMatch(error);
      }
    });

    test("get on pipeline is 405", async () => {
      const response = await rawRequest(endpoint.url, { path: "/pipeline" });
      expect(response.status).toBe(405);
      expect(response.body.error).toMatch(/use POST/);
    });
  });

  describe("rejected requests", () => {
    test("connection-state commands are rejected", async () => {
      for (const command of [["MULTI"], ["SELECT", "1"], ["SUBSCRIBE", "ch"], ["BRPOP", "l", "0"], ["CLIENT", "REPLY", "OFF"], ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]]) {
        const response = await rawRequest(endpoint.url, { body: command });
        expect(response.status, command.join(" ")).toBe(400);
        expect(response.body.error, command.join(" ")).toMatch(/is not supported by this endpoint/);
      }
    });

    test("rejected command inside pipeline fails it whole", async () => {
      const response = await rawRequest(endpoint.url, { path: "/pipeline", body: [["SET", "proto:never", "1"], ["WATCH", "k"]] });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatch(/WATCH is not supported/);
      expect((await rawRequest(endpoint.url, { body: ["EXISTS", "proto:never"] })).body).toEqual({ result: 0 });
    });

    test("subscribe path is rejected", async () => {
      const response = await rawRequest(endpoint.url, { path: "/subscribe/channel", headers: { Accept: "text/event-stream" } });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatch(/SUBSCRIBE is not supported/);
    });

    test("resp2 response format is rejected", async () => {
      const response = await rawRequest(endpoint.url, { body: ["PING"], headers: { "Upstash-Response-Format": "resp2" } });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatch(/Upstash-Response-Format "resp2" is not supported/);
    });

    test("oversized body is 413", async () => {
      const response = await rawRequest(endpoint.url, { body: ["SET", "proto:huge", "x".repeat(MAX_BODY_BYTES)] });
      expect(response.status).toBe(413);
      expect(response.body.error).toMatch(/exceeds the limit of 4096 bytes/);
    });
  });
});
