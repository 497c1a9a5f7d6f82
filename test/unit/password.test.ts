import { describe, expect, it } from "vitest";
import { SCRYPT_PARAMETERS, WORKERD_SCRYPT_MAX_COST, hashPassword, verifyPassword } from "../../src/auth/password.js";

describe("password hashing", () => {
  it("stays within workerd's scrypt limit", () => {
    const { N, r, p } = SCRYPT_PARAMETERS;
    expect(N * r * p).toBeLessThanOrEqual(WORKERD_SCRYPT_MAX_COST);
    expect(WORKERD_SCRYPT_MAX_COST).toBe(2 ** 20);
  });

  it("uses memory within Node's default maxmem and an isolate's budget", () => {
    const { N, r } = SCRYPT_PARAMETERS;
    const memoryBytes = 128 * N * r;
    expect(memoryBytes).toBeLessThanOrEqual(32 * 1024 * 1024);
  });

  it("meets an OWASP scrypt setting", () => {
    // OWASP Password Storage Cheat Sheet: N=2^17,r=8,p=1 or equivalents down to N=2^13,r=8,p=10.
    const owaspSettings = [
      { N: 2 ** 17, r: 8, p: 1 },
      { N: 2 ** 16, r: 8, p: 2 },
      { N: 2 ** 15, r: 8, p: 3 },
      { N: 2 ** 14, r: 8, p: 5 },
      { N: 2 ** 13, r: 8, p: 10 },
    ];
    expect(owaspSettings).toContainEqual({ ...SCRYPT_PARAMETERS });
  });

  it("stores algorithm and parameters with each hash", async () => {
    const hash = await hashPassword("s3cret-passphrase");
    const [algorithm, N, r, p, salt, key] = hash.split("$");
    expect(algorithm).toBe("scrypt");
    expect(Number(N)).toBe(SCRYPT_PARAMETERS.N);
    expect(Number(r)).toBe(SCRYPT_PARAMETERS.r);
    expect(Number(p)).toBe(SCRYPT_PARAMETERS.p);
    expect(Buffer.from(salt!, "base64")).toHaveLength(16);
    expect(Buffer.from(key!, "base64")).toHaveLength(32);
  });

  it("salts every hash", async () => {
    const first = await hashPassword("same password");
    const second = await hashPassword("same password");
    expect(first).not.toBe(second);
  });

  it("verifies the right password only", async () => {
    const hash = await hashPassword("right password");
    expect(await verifyPassword("right password", hash)).toBe(true);
    expect(await verifyPassword("wrong password", hash)).toBe(false);
    expect(await verifyPassword("right passwor", hash)).toBe(false);
  });

  it("verifies hashes made with other parameters", async () => {
    // A hash stored with a lower setting still verifies after the setting is raised.
    const { scryptSync } = await import("node:crypto");
    const salt = Buffer.from("0123456789abcdef");
    const key = scryptSync("legacy", salt, 32, { N: 1024, r: 8, p: 1 });
    const stored = ["scrypt", 1024, 8, 1, salt.toString("base64"), key.toString("base64")].join("$");
    expect(await verifyPassword("legacy", stored)).toBe(true);
    expect(await verifyPassword("other", stored)).toBe(false);
  });

  it("treats malformed stored hashes as a mismatch", async () => {
    for (const stored of ["", "plain", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$c2FsdA==$a2V5", `scrypt$${2 ** 20}$8$1$c2FsdA==$a2V5`]) {
      expect(await verifyPassword("anything", stored)).toBe(false);
    }
  });
});
