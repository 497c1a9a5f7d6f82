import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { users } from "../../src/db/schema.js";
import { TEST_PASSWORD, connectTestDatabase, createUser, request, uniqueEmail } from "../support/app.js";

const database = connectTestDatabase();
afterAll(() => database.close());

describe("POST /auth/register", () => {
  it("creates an account without exposing the hash", async () => {
    const email = uniqueEmail("register");
    const response = await request("/auth/register", { method: "POST", json: { name: "Reg Ister", email, password: TEST_PASSWORD } });

    expect(response.status).toBe(201);
    expect(response.body.data).toEqual({ id: expect.any(Number), name: "Reg Ister", email });
    expect(JSON.stringify(response.body)).not.toMatch(/scrypt|password/i);

    const [row] = await database.primary.select().from(users).where(eq(users.email, email));
    expect(row?.passwordHash).toMatch(/^scrypt\$16384\$8\$5\$/);
  });

  it("rejects a duplicate email ignoring case with 409", async () => {
    const email = uniqueEmail("dup");
    await request("/auth/register", { method: "POST", json: { name: "First", email, password: TEST_PASSWORD } });
    const response = await request("/auth/register", { method: "POST", json: { name: "Second", email: email.toUpperCase(), password: TEST_PASSWORD } });

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe("EMAIL_TAKEN");
    const rows = await database.primary.select().from(users).where(eq(sql`lower(${users.email})`, email));
    expect(rows).toHaveLength(1);
  });

  it("lets only one of two concurrent registrations win", async () => {
    const email = uniqueEmail("race");
    const responses = await Promise.all(
      [1, 2, 3].map((index) => request("/auth/register", { method: "POST", json: { name: `Racer ${index}`, email, password: TEST_PASSWORD } })),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409]);
  });

  it.each([
    [{ email: uniqueEmail(), password: TEST_PASSWORD }, "name"],
    [{ name: "No Email", password: TEST_PASSWORD }, "email"],
    [{ name: "Bad Email", email: "not-an-email", password: TEST_PASSWORD }, "email"],
    [{ name: "Short", email: uniqueEmail(), password: "short" }, "password"],
    [{ name: "", email: uniqueEmail(), password: TEST_PASSWORD }, "name"],
    [{ name: "Long", email: uniqueEmail(), password: "x".repeat(257) }, "password"],
    [{ name: "Nul\u0000Byte", email: uniqueEmail(), password: TEST_PASSWORD }, "name"],
    [{ name: 42, email: uniqueEmail(), password: TEST_PASSWORD }, "name"],
  ])("rejects %j with 400 naming %s and writes nothing", async (body, field) => {
    const response = await request("/auth/register", { method: "POST", json: body });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("VALIDATION_FAILED");
    expect(response.body.error.details.issues.map((issue: { path: string }) => issue.path)).toContain(field);

    // Only this case's email is counted: other test files register users at the same time.
    const email = (body as { email?: unknown }).email;
    if (typeof email === "string") {
      const rows = await database.primary.select().from(users).where(eq(sql`lower(${users.email})`, email.toLowerCase()));
      expect(rows).toHaveLength(0);
    }
  });

  it("names a missing field in plain words", async () => {
    const response = await request("/auth/register", { method: "POST", json: { email: uniqueEmail(), password: TEST_PASSWORD } });
    expect(response.body.message).toContain("name is required");
  });
});

describe("POST /auth/login", () => {
  it("returns a bearer token, its expiry and the user", async () => {
    const user = await createUser("login");
    const response = await request("/auth/login", { method: "POST", json: { email: user.email, password: TEST_PASSWORD } });

    expect(response.status).toBe(200);
    expect(response.body.message).toBe("Logged in.");
    expect(response.body.data.token_type).toBe("Bearer");
    expect(response.body.data.token.split(".")).toHaveLength(3);
    expect(Date.parse(response.body.data.expires_at)).toBeGreaterThan(Date.now());
    expect(response.body.data.user).toEqual({ id: user.id, name: user.name, email: user.email });
  });

  it("accepts the email in another case", async () => {
    const user = await createUser("case");
    const response = await request("/auth/login", { method: "POST", json: { email: user.email.toUpperCase(), password: TEST_PASSWORD } });
    expect(response.status).toBe(200);
  });

  it("answers unknown email and wrong password alike", async () => {
    const user = await createUser("same");
    const wrongPassword = await request("/auth/login", { method: "POST", json: { email: user.email, password: "wrong password" } });
    const unknownEmail = await request("/auth/login", { method: "POST", json: { email: uniqueEmail("nobody"), password: "wrong password" } });

    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.body.message).toBe(unknownEmail.body.message);
    expect(wrongPassword.body.error).toEqual(unknownEmail.body.error);
  });

  it("spends comparable time on unknown email and wrong password", async () => {
    // Without the decoy hash an unknown email returns after one query (a few ms) while a wrong
    // password costs a full scrypt run (about 180 ms): a ratio near 0.03, far outside these bounds.
    const user = await createUser("timing");
    const median = async (email: string) => {
      const durations: number[] = [];
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const started = performance.now();
        await request("/auth/login", { method: "POST", json: { email, password: "wrong password" } });
        durations.push(performance.now() - started);
      }
      return durations.sort((a, b) => a - b)[2]!;
    };

    const wrongPassword = await median(user.email);
    const unknownEmail = await median(uniqueEmail("ghost"));
    // Loose bounds: other tests run in parallel on two cores and add noise to either median.
    expect(unknownEmail / wrongPassword).toBeGreaterThan(0.33);
    expect(unknownEmail / wrongPassword).toBeLessThan(3);
  });

  it("rejects a 1 MB password before hashing", async () => {
    const response = await request("/auth/login", { method: "POST", json: { email: "donald@gmail.com", password: "x".repeat(1024 * 1024) } });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("rejects a password over 256 characters with 400", async () => {
    const response = await request("/auth/login", { method: "POST", json: { email: "donald@gmail.com", password: "x".repeat(300) } });
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues[0].path).toBe("password");
  });

  it("rejects a missing password with 400", async () => {
    const response = await request("/auth/login", { method: "POST", json: { email: "donald@gmail.com" } });
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/password/);
  });
});

describe("GET /auth/me", () => {
  it("returns the token's user", async () => {
    const user = await createUser("me");
    const response = await request("/auth/me", { token: user.token });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ id: user.id, name: user.name, email: user.email });
  });

  it("accepts the bare token", async () => {
    const user = await createUser("bare");
    const response = await request("/auth/me", { headers: { Authorization: user.token } });
    expect(response.status).toBe(200);
    expect(response.body.data.id).toBe(user.id);
  });

  it("rejects a missing token with 401", async () => {
    const response = await request("/auth/me");
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("UNAUTHENTICATED");
    expect(response.body.message).toMatch(/Authorization/);
  });

  it("rejects a token whose user was deleted", async () => {
    const user = await createUser("deleted");
    await database.primary.delete(users).where(eq(users.id, user.id));
    const response = await request("/auth/me", { token: user.token });
    expect(response.status).toBe(401);
  });

  it("rejects a token signed with another secret", async () => {
    const user = await createUser("secret");
    const response = await request("/auth/me", { token: user.token }, { ...(await import("../support/app.js")).testBindings({ JWT_SECRET: "a-completely-different-secret-of-32-chars" }) });
    expect(response.status).toBe(401);
  });
});
