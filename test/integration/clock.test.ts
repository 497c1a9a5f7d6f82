import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, describe, expect, inject, it } from "vitest";
import { clockRecords, userRecordCounts } from "../../src/db/schema.js";
import { connectTestDatabase, createUser, request, testBindings } from "../support/app.js";

const database = connectTestDatabase();
afterAll(() => database.close());

const isoWithMilliseconds = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function countRecords(userId: number, openOnly = false): Promise<number> {
  const condition = openOnly ? and(eq(clockRecords.userId, userId), isNull(clockRecords.clockOut)) : eq(clockRecords.userId, userId);
  const [row] = await database.primary.select({ value: sql<number>`count(*)::int` }).from(clockRecords).where(condition);
  return row?.value ?? 0;
}

/** Inserts closed records directly, for list tests that need a known history. */
async function insertHistory(userId: number, clockIns: string[]): Promise<void> {
  await database.primary.insert(clockRecords).values(
    clockIns.map((clockIn) => ({ userId, clockIn: new Date(clockIn), clockOut: new Date(Date.parse(clockIn) + 3_600_500) })),
  );
}

describe("POST /clock-in", () => {
  it("opens a record at the server's time", async () => {
    const user = await createUser("in");
    const before = Date.now();
    const response = await request("/clock-in", { method: "POST", token: user.token });
    const after = Date.now();

    expect(response.status).toBe(201);
    const record = response.body.data;
    expect(record).toMatchObject({ user_id: user.id, clock_out: null, duration: null });
    expect(record.clock_in).toMatch(isoWithMilliseconds);
    // The database clock and this process's clock are the same machine's.
    expect(Date.parse(record.clock_in)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(record.clock_in)).toBeLessThanOrEqual(after + 1000);
    expect(await countRecords(user.id, true)).toBe(1);
  });

  it("rejects a second clock-in with the open record", async () => {
    const user = await createUser("twice");
    const first = await request("/clock-in", { method: "POST", token: user.token });
    const second = await request("/clock-in", { method: "POST", token: user.token });

    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("ALREADY_CLOCKED_IN");
    expect(second.body.error.details.record).toEqual(first.body.data);
    expect(await countRecords(user.id)).toBe(1);
  });

  it("gives exactly one 201 to 10 concurrent clock-ins", async () => {
    const user = await createUser("race");
    const responses = await Promise.all(Array.from({ length: 10 }, () => request("/clock-in", { method: "POST", token: user.token })));
    const statuses = responses.map((response) => response.status);

    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(9);
    expect(await countRecords(user.id)).toBe(1);
  });

  it("ignores fields sent in the body", async () => {
    const user = await createUser("body");
    const response = await request("/clock-in", {
      method: "POST",
      token: user.token,
      json: { clock_in: "2000-01-01T00:00:00.000Z", clock_out: "2000-01-01T08:00:00.000Z", user_id: 1, id: 999999 },
    });

    expect(response.status).toBe(201);
    expect(response.body.data.user_id).toBe(user.id);
    expect(response.body.data.clock_out).toBeNull();
    expect(Date.parse(response.body.data.clock_in)).toBeGreaterThan(Date.parse("2020-01-01"));
  });

  it("requires a token", async () => {
    const response = await request("/clock-in", { method: "POST" });
    expect(response.status).toBe(401);
  });
});

describe("PATCH /clock-out", () => {
  it("closes the open record with a floored duration", async () => {
    const user = await createUser("out");
    const opened = await request("/clock-in", { method: "POST", token: user.token });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const response = await request("/clock-out", { method: "PATCH", token: user.token });

    expect(response.status).toBe(200);
    const record = response.body.data;
    expect(record.id).toBe(opened.body.data.id);
    expect(record.clock_out).toMatch(isoWithMilliseconds);
    const expected = Math.floor((Date.parse(record.clock_out) - Date.parse(record.clock_in)) / 1000);
    expect(record.duration).toBe(expected);
    expect(record.duration).toBeGreaterThanOrEqual(1);
    expect(Date.parse(record.updated_at)).toBeGreaterThanOrEqual(Date.parse(record.created_at));
    expect(await countRecords(user.id, true)).toBe(0);
  });

  it("rejects a clock-out when not clocked in", async () => {
    const user = await createUser("notin");
    const response = await request("/clock-out", { method: "PATCH", token: user.token });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe("NOT_CLOCKED_IN");
  });

  it("gives one 200 to concurrent clock-outs", async () => {
    const user = await createUser("outrace");
    await request("/clock-in", { method: "POST", token: user.token });
    const responses = await Promise.all(Array.from({ length: 6 }, () => request("/clock-out", { method: "PATCH", token: user.token })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409]);
  });

  it("allows a new clock-in after clocking out", async () => {
    const user = await createUser("cycle");
    await request("/clock-in", { method: "POST", token: user.token });
    await request("/clock-out", { method: "PATCH", token: user.token });
    const again = await request("/clock-in", { method: "POST", token: user.token });
    expect(again.status).toBe(201);
    expect(await countRecords(user.id)).toBe(2);
  });

  it("closes only the caller's record", async () => {
    const owner = await createUser("owner");
    const other = await createUser("other");
    await request("/clock-in", { method: "POST", token: owner.token });
    const response = await request("/clock-out", { method: "PATCH", token: other.token });

    expect(response.status).toBe(409);
    expect(await countRecords(owner.id, true)).toBe(1);
  });
});

describe("database rules", () => {
  it("rejects a second open record even without the API", async () => {
    const user = await createUser("index");
    await database.primary.insert(clockRecords).values({ userId: user.id, clockIn: new Date() });
    await expect(database.primary.insert(clockRecords).values({ userId: user.id, clockIn: new Date() })).rejects.toThrow();
  });

  it("rejects clock_out before clock_in", async () => {
    const user = await createUser("check");
    await expect(
      database.primary.insert(clockRecords).values({ userId: user.id, clockIn: new Date("2026-01-02"), clockOut: new Date("2026-01-01") }),
    ).rejects.toThrow();
  });

  it("keeps user_record_counts exact through writes", async () => {
    const user = await createUser("counts");
    const readCounts = async () => {
      const [row] = await database.primary
        .select({ total: userRecordCounts.recordCount, open: userRecordCounts.openRecordCount })
        .from(userRecordCounts)
        .where(eq(userRecordCounts.userId, user.id));
      return row;
    };

    await insertHistory(user.id, ["2026-05-01T08:00:00.000Z", "2026-05-02T08:00:00.000Z"]);
    expect(await readCounts()).toEqual({ total: 2, open: 0 });

    await request("/clock-in", { method: "POST", token: user.token });
    expect(await readCounts()).toEqual({ total: 3, open: 1 });

    await request("/clock-out", { method: "PATCH", token: user.token });
    expect(await readCounts()).toEqual({ total: 3, open: 0 });

    await database.primary.delete(clockRecords).where(and(eq(clockRecords.userId, user.id), eq(clockRecords.clockIn, new Date("2026-05-01T08:00:00.000Z"))));
    expect(await readCounts()).toEqual({ total: 2, open: 0 });
    expect(await countRecords(user.id)).toBe(2);
  });

  it("turns JIT off for the database's sessions", async () => {
    const result = await database.primary.execute(
      sql`select setconfig from pg_db_role_setting where setrole = 0 and setdatabase = (select oid from pg_database where datname = current_database())`,
    );
    expect((result.rows[0] as { setconfig: string[] } | undefined)?.setconfig).toContain("jit=off");
  });

  it("rejects a record for an unknown user", async () => {
    await expect(database.primary.insert(clockRecords).values({ userId: 2_000_000_000, clockIn: new Date() })).rejects.toThrow();
  });
});

describe("GET /records", () => {
  it("lists my records newest first with ties broken by id", async () => {
    const user = await createUser("list");
    await insertHistory(user.id, ["2026-01-01T08:00:00.000Z", "2026-01-03T08:00:00.000Z", "2026-01-03T08:00:00.000Z", "2026-01-02T08:00:00.000Z"]);

    const response = await request("/records", { token: user.token });
    expect(response.status).toBe(200);
    const records = response.body.data as Array<{ id: number; clock_in: string; duration: number }>;
    expect(records.map((record) => record.clock_in)).toEqual([
      "2026-01-03T08:00:00.000Z",
      "2026-01-03T08:00:00.000Z",
      "2026-01-02T08:00:00.000Z",
      "2026-01-01T08:00:00.000Z",
    ]);
    expect(records[0]!.id).toBeGreaterThan(records[1]!.id);
    expect(records[0]!.duration).toBe(3600);
    expect(response.body.meta).toEqual({ current_page: 1, next_page: null, prev_page: null, total_pages: 1, total_count: 4, per_page: 20 });
  });

  it("walks pages without repeats or gaps", async () => {
    const user = await createUser("pages");
    // Seven records with only two distinct clock_in values, so ordering rests on the id.
    await insertHistory(user.id, Array.from({ length: 7 }, (_, index) => (index % 2 === 0 ? "2026-02-01T08:00:00.000Z" : "2026-02-02T08:00:00.000Z")));

    const seen: number[] = [];
    for (let page = 1; page <= 3; page += 1) {
      const response = await request(`/records?page=${page}&per_page=3`, { token: user.token });
      expect(response.body.meta.current_page).toBe(page);
      expect(response.body.meta.total_pages).toBe(3);
      seen.push(...response.body.data.map((record: { id: number }) => record.id));
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it("returns an empty page past the end", async () => {
    const user = await createUser("past");
    await insertHistory(user.id, ["2026-03-01T08:00:00.000Z"]);
    const response = await request("/records?page=5", { token: user.token });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([]);
    expect(response.body.meta.total_count).toBe(1);
    expect(response.body.meta.next_page).toBeNull();
  });

  it("clamps per_page=100000 to 50", async () => {
    const user = await createUser("clamp");
    const response = await request("/records?per_page=100000", { token: user.token });
    expect(response.status).toBe(200);
    expect(response.body.meta.per_page).toBe(50);
  });

  it.each([
    ["page=-1", "page"],
    ["page=0", "page"],
    ["page=abc", "page"],
    ["per_page=0", "per_page"],
    ["per_page=2.5", "per_page"],
  ])("rejects %s naming %s", async (query, parameter) => {
    const user = await createUser("badpage");
    const response = await request(`/records?${query}`, { token: user.token });
    expect(response.status).toBe(400);
    expect(response.body.error.details.issues[0].path).toBe(parameter);
    expect(response.body.message).toContain(parameter);
  });

  it("never shows another user's records", async () => {
    const owner = await createUser("private");
    const other = await createUser("snoop");
    await insertHistory(owner.id, ["2026-04-01T08:00:00.000Z"]);

    const response = await request("/records", { token: other.token });
    expect(response.body.data).toEqual([]);
    expect(response.body.meta.total_count).toBe(0);
  });
});

describe("GET /records/current", () => {
  it("returns the open record, then null after clock-out", async () => {
    const user = await createUser("current");
    const opened = await request("/clock-in", { method: "POST", token: user.token });

    const open = await request("/records/current", { token: user.token });
    expect(open.status).toBe(200);
    expect(open.body.data).toEqual(opened.body.data);

    await request("/clock-out", { method: "PATCH", token: user.token });
    const closed = await request("/records/current", { token: user.token });
    expect(closed.status).toBe(200);
    expect(closed.body.data).toBeNull();
  });
});

describe("DATABASE_REPLICA_URL", () => {
  it("works with a replica configured", async () => {
    // The replica URL names the same database, so this checks that the second pool and Drizzle's
    // replica routing work end to end. It cannot tell which pool served a read.
    const replicaBindings = testBindings({ DATABASE_REPLICA_URL: inject("databaseUrl") });
    const user = await createUser("replica");

    const opened = await request("/clock-in", { method: "POST", token: user.token }, replicaBindings);
    expect(opened.status).toBe(201);

    const listed = await request("/records", { token: user.token }, replicaBindings);
    expect(listed.status).toBe(200);
    expect(listed.body.data[0].id).toBe(opened.body.data.id);

    const feed = await request("/feed", { token: user.token }, replicaBindings);
    expect(feed.status).toBe(200);
  });
});
