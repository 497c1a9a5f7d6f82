import { describe, expect, it } from "vitest";
import { createUser, request, TEST_PASSWORD, testBindings } from "../support/app.js";

/** Calls a tRPC procedure over HTTP as a tRPC client would (no batching). */
async function callProcedure(path: string, options: { kind: "query" | "mutation"; input?: unknown; token?: string; bindings?: Record<string, unknown> }) {
  const encodedInput = options.input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(options.input))}`;
  if (options.kind === "query") {
    return request(`/trpc/${path}${encodedInput}`, { token: options.token }, options.bindings);
  }
  return request(`/trpc/${path}`, { method: "POST", json: options.input ?? null, token: options.token }, options.bindings);
}

describe("tRPC auth", () => {
  it("logs in and reads the current user", async () => {
    const user = await createUser("trpc");
    const login = await callProcedure("auth.login", { kind: "mutation", input: { email: user.email, password: TEST_PASSWORD } });

    expect(login.status).toBe(200);
    expect(login.body.result.data.token_type).toBe("Bearer");

    const me = await callProcedure("auth.me", { kind: "query", token: login.body.result.data.token });
    expect(me.body.result.data).toEqual({ id: user.id, name: user.name, email: user.email });
  });

  it("maps wrong credentials to UNAUTHORIZED", async () => {
    const response = await callProcedure("auth.login", { kind: "mutation", input: { email: "nobody@example.test", password: "wrong-password" } });
    expect(response.status).toBe(401);
    expect(response.body.error.data.code).toBe("UNAUTHORIZED");
    expect(response.body.error.data.domain_code).toBe("INVALID_CREDENTIALS");
  });

  it("rejects invalid input with BAD_REQUEST naming the field", async () => {
    const response = await callProcedure("auth.register", { kind: "mutation", input: { name: "X", email: "not-an-email", password: "long-enough" } });
    expect(response.status).toBe(400);
    expect(response.body.error.data.domain_code).toBe("VALIDATION_FAILED");
    expect(response.body.error.data.details.issues[0].path).toBe("email");
    expect(response.body.error.message).toMatch(/email/);
  });

  it("maps malformed JSON to INVALID_JSON", async () => {
    const response = await request("/trpc/auth.login", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{\"email\": " });
    expect(response.status).toBe(400);
    expect(response.body.error.data.domain_code).toBe("INVALID_JSON");
    expect(response.body.error.message).not.toMatch(/position/);
  });

  it("rejects batches over 10 calls", async () => {
    const paths = Array.from({ length: 11 }, () => "auth.login").join(",");
    const input = Object.fromEntries(Array.from({ length: 11 }, (_, index) => [index, { email: "nobody@example.test", password: "wrong-password" }]));
    const started = performance.now();
    const response = await request(`/trpc/${paths}?batch=1`, { method: "POST", json: input });
    expect(response.status).toBe(400);
    // Rejected before any of the 11 scrypt verifications (about 180 ms each) ran.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("maps an unknown procedure to NOT_FOUND", async () => {
    const response = await request("/trpc/auth.nothing");
    expect(response.status).toBe(404);
    expect(response.body.error.data.domain_code).toBe("NOT_FOUND");
  });

  it("requires a token on authed procedures", async () => {
    const response = await callProcedure("clock.current", { kind: "query" });
    expect(response.status).toBe(401);
    expect(response.body.error.data.code).toBe("UNAUTHORIZED");
  });
});

describe("tRPC clock", () => {
  it("clocks in, rejects a second clock-in, clocks out", async () => {
    const user = await createUser("trpcclock");
    const opened = await callProcedure("clock.in", { kind: "mutation", token: user.token });
    expect(opened.status).toBe(200);
    expect(opened.body.result.data).toMatchObject({ user_id: user.id, clock_out: null, duration: null });

    const again = await callProcedure("clock.in", { kind: "mutation", token: user.token });
    expect(again.status).toBe(409);
    expect(again.body.error.data.code).toBe("CONFLICT");
    expect(again.body.error.data.domain_code).toBe("ALREADY_CLOCKED_IN");
    expect(again.body.error.data.details.record.id).toBe(opened.body.result.data.id);

    const current = await callProcedure("clock.current", { kind: "query", token: user.token });
    expect(current.body.result.data.id).toBe(opened.body.result.data.id);

    const closed = await callProcedure("clock.out", { kind: "mutation", token: user.token });
    expect(closed.status).toBe(200);
    expect(closed.body.result.data.duration).toEqual(expect.any(Number));

    const notIn = await callProcedure("clock.out", { kind: "mutation", token: user.token });
    expect(notIn.body.error.data.domain_code).toBe("NOT_CLOCKED_IN");
  });

  it("lists records with the page meta", async () => {
    const user = await createUser("trpclist");
    await callProcedure("clock.in", { kind: "mutation", token: user.token });
    await callProcedure("clock.out", { kind: "mutation", token: user.token });

    const page = await callProcedure("clock.records", { kind: "query", token: user.token, input: { page: 1, per_page: 500 } });
    expect(page.status).toBe(200);
    expect(page.body.result.data.data).toHaveLength(1);
    expect(page.body.result.data.meta).toMatchObject({ current_page: 1, per_page: 50, total_count: 1 });
  });

  it("rejects page=-1", async () => {
    const user = await createUser("trpcpage");
    const response = await callProcedure("clock.records", { kind: "query", token: user.token, input: { page: -1 } });
    expect(response.status).toBe(400);
    expect(response.body.error.data.details.issues[0].path).toBe("page");
  });

  it("hides internal errors without a stack", async () => {
    const user = await createUser("trpc500");
    const response = await callProcedure("clock.current", { kind: "query", token: user.token, bindings: testBindings({ NEON_WS_PROXY: "127.0.0.1:1" }) });
    expect(response.status).toBe(500);
    expect(response.body.error.message).toMatch(/Internal server error/);
    expect(response.body.error.data.stack).toBeUndefined();
    expect(JSON.stringify(response.body)).not.toMatch(/select|ECONNREFUSED/i);
  });
});
