import { afterEach, describe, expect, it, vi } from "vitest";
import { request, testBindings } from "../support/app.js";
import { chunkedBody } from "../support/streams.js";

afterEach(() => vi.restoreAllMocks());

/** Captures the JSON log lines the app writes while `action` runs. */
async function captureLogs(action: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const record = (line: unknown) => {
    lines.push(String(line));
  };
  vi.spyOn(console, "log").mockImplementation(record);
  vi.spyOn(console, "warn").mockImplementation(record);
  vi.spyOn(console, "error").mockImplementation(record);
  await action();
  vi.restoreAllMocks();
  return lines;
}

describe("request bodies", () => {
  it("rejects malformed JSON with 400", async () => {
    const response = await request("/auth/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{\"email\": " });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("INVALID_JSON");
    expect(response.body.data).toBeNull();
  });

  it("rejects a non-JSON content type with 415", async () => {
    const response = await request("/auth/login", { method: "POST", headers: { "Content-Type": "text/plain" }, body: "email=donald" });
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("rejects a JSON array body with 400", async () => {
    const response = await request("/auth/login", { method: "POST", json: ["donald@gmail.com", "test12345"] });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("VALIDATION_FAILED");
  });

  it("rejects an empty login body with 400", async () => {
    const response = await request("/auth/login", { method: "POST", headers: { "Content-Type": "application/json" } });
    expect(response.status).toBe(400);
  });

  it("rejects a chunked body over the limit with 413", async () => {
    const body = chunkedBody(8192, 64);
    const response = await request("/auth/register", { method: "POST", headers: { "Content-Type": "application/json" }, body, duplex: "half" } as RequestInit);
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("accepts a chunked body under the limit", async () => {
    const payload = new TextEncoder().encode(JSON.stringify({ email: "nobody@example.test", password: "wrong-password" }));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(payload.slice(0, 10));
        controller.enqueue(payload.slice(10));
        controller.close();
      },
    });
    const response = await request("/auth/login", { method: "POST", headers: { "Content-Type": "application/json" }, body, duplex: "half" } as RequestInit);
    expect(response.status).toBe(401);
  });

  it("rejects a body over the limit with 413", async () => {
    const response = await request("/auth/register", { method: "POST", json: { name: "x".repeat(20_000), email: "a@example.test", password: "password123" } });
    expect(response.status).toBe(413);
  });
});

describe("routing", () => {
  it("answers an unknown route with 404 in the error shape", async () => {
    const response = await request("/nope");
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ data: null, message: expect.any(String), error: { code: "NOT_FOUND" }, request_id: expect.any(String) });
  });

  it("answers a wrong method with 405 and Allow", async () => {
    const response = await request("/clock-in", { method: "GET" });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("POST");
    expect(response.body.error.code).toBe("METHOD_NOT_ALLOWED");
  });

  it("sends X-Request-Id on every response and in error bodies", async () => {
    const failure = await request("/auth/me");
    expect(failure.headers.get("X-Request-Id")).toBe(failure.body.request_id);

    const success = await request("/openapi.json");
    expect(success.headers.get("X-Request-Id")).toMatch(/\S+/);
  });

  it("keeps a caller's X-Request-Id", async () => {
    const response = await request("/auth/me", { headers: { "X-Request-Id": "trace-abc-123" } });
    expect(response.headers.get("X-Request-Id")).toBe("trace-abc-123");
    expect(response.body.request_id).toBe("trace-abc-123");
  });

  it("serves an OpenAPI 3.1 document of the REST routes", async () => {
    const response = await request("/openapi.json");
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe("3.1.0");
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(["/auth/login", "/auth/register", "/auth/me", "/clock-in", "/clock-out", "/records", "/records/current"]),
    );
    expect(response.body.components.securitySchemes.Bearer.scheme).toBe("bearer");
  });
});

describe("internal errors", () => {
  it("hide driver messages and SQL behind a generic 500", async () => {
    // Nothing listens on port 1 of the loopback, so the driver's connection fails.
    const bindings = testBindings({ NEON_WS_PROXY: "127.0.0.1:1" });
    let response: Awaited<ReturnType<typeof request>> | undefined;
    const logs = await captureLogs(async () => {
      response = await request("/auth/login", { method: "POST", json: { email: "donald@gmail.com", password: "test12345" } }, bindings);
    });

    expect(response!.status).toBe(500);
    expect(response!.body.error).toEqual({ code: "INTERNAL" });
    expect(response!.body.message).toMatch(/Internal server error/);
    expect(JSON.stringify(response!.body)).not.toMatch(/select|users|ECONNREFUSED|stack|at /i);
    expect(logs.some((line) => line.includes("request.failed"))).toBe(true);
  });

  it("report a missing JWT_SECRET in the log, not to the client", async () => {
    const { JWT_SECRET: _omitted, ...bindings } = testBindings();
    let response: Awaited<ReturnType<typeof request>> | undefined;
    const logs = await captureLogs(async () => {
      response = await request("/auth/me", {}, bindings);
    });

    expect(response!.status).toBe(500);
    expect(JSON.stringify(response!.body)).not.toContain("JWT_SECRET");
    expect(logs.join("\n")).toContain("JWT_SECRET: missing");
  });
});

describe("logs", () => {
  it("never contain the password or the token", async () => {
    const password = "test12345";
    let token = "";
    const logs = await captureLogs(async () => {
      const login = await request("/auth/login", { method: "POST", json: { email: "nobody@example.test", password } }, testBindings({ LOG_LEVEL: "debug" }));
      expect(login.status).toBe(401);
      const registered = await request("/auth/register", { method: "POST", json: { name: "Log Check", email: `log-${Date.now()}@example.test`, password: "log-check-password" } }, testBindings({ LOG_LEVEL: "debug" }));
      const session = await request("/auth/login", { method: "POST", json: { email: registered.body.data.email, password: "log-check-password" } }, testBindings({ LOG_LEVEL: "debug" }));
      token = session.body.data.token;
      await request("/auth/me", { token }, testBindings({ LOG_LEVEL: "debug" }));
    });

    const joined = logs.join("\n");
    expect(logs.length).toBeGreaterThan(3);
    expect(joined).not.toContain(password);
    expect(joined).not.toContain("log-check-password");
    expect(joined).not.toContain(token);
    expect(joined).not.toContain("scrypt$");
    for (const line of logs) expect(JSON.parse(line).request_id).toEqual(expect.any(String));
  });
});
