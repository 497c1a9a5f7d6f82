import { describe, expect, it } from "vitest";
import { toClockRecord } from "../../src/domain/clock.js";
import { ERROR_CODES, ERROR_MAPPING } from "../../src/domain/errors.js";
import { loadEnvironment } from "../../src/env.js";

describe("clock record shape", () => {
  const base = { id: 1, userId: 2, createdAt: new Date("2026-01-01T08:00:00.000Z"), updatedAt: new Date("2026-01-01T08:00:00.000Z") };

  it("floors the duration to whole seconds", () => {
    const record = toClockRecord({ ...base, clockIn: new Date("2026-01-01T08:00:00.000Z"), clockOut: new Date("2026-01-01T08:00:01.999Z") });
    expect(record.duration).toBe(1);
  });

  it("has a null duration while open", () => {
    const record = toClockRecord({ ...base, clockIn: new Date("2026-01-01T08:00:00.000Z"), clockOut: null });
    expect(record.duration).toBeNull();
    expect(record.clock_out).toBeNull();
  });

  it("formats timestamps as ISO 8601 UTC with milliseconds", () => {
    const record = toClockRecord({ ...base, clockIn: new Date("2026-01-01T08:00:00.000Z"), clockOut: new Date("2026-01-01T16:30:00.250Z") });
    expect(record.clock_in).toBe("2026-01-01T08:00:00.000Z");
    expect(record.clock_out).toBe("2026-01-01T16:30:00.250Z");
    expect(record.duration).toBe(8 * 3600 + 30 * 60);
  });
});

describe("error mapping", () => {
  it("maps every code to an HTTP status and a tRPC code", () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_MAPPING[code].status).toBeGreaterThanOrEqual(400);
      expect(ERROR_MAPPING[code].trpc).toBeTruthy();
    }
  });

  it("maps the clock conflicts to 409", () => {
    expect(ERROR_MAPPING.ALREADY_CLOCKED_IN.status).toBe(409);
    expect(ERROR_MAPPING.NOT_CLOCKED_IN.status).toBe(409);
  });
});

describe("environment", () => {
  const valid = { DATABASE_URL: "postgres://user@db.example.test/app", JWT_SECRET: "x".repeat(32) };

  it("names a missing JWT_SECRET and how to set it", () => {
    expect(() => loadEnvironment({ DATABASE_URL: valid.DATABASE_URL })).toThrowError(/JWT_SECRET: missing \(set it with `wrangler secret put JWT_SECRET`\)/);
  });

  it("rejects a short JWT_SECRET", () => {
    expect(() => loadEnvironment({ ...valid, JWT_SECRET: "short" })).toThrowError(/at least 32 characters/);
  });

  it("defaults to production settings", () => {
    const environment = loadEnvironment({ ...valid });
    expect(environment.APP_ENV).toBe("production");
    expect(environment.JWT_TTL_SECONDS).toBe(3600);
  });
});
