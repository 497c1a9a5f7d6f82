import { SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { JWT_AUDIENCE, JWT_ISSUER, issueToken, readBearerToken, verifyToken } from "../../src/auth/token.js";
import { DomainError } from "../../src/domain/errors.js";

const secret = "unit-test-secret-with-at-least-32-characters";
const key = new TextEncoder().encode(secret);

async function expectUnauthenticated(promise: Promise<unknown>, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe("UNAUTHENTICATED");
  if (message) expect((error as DomainError).message).toMatch(message);
}

function baseToken() {
  return new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("7").setIssuer(JWT_ISSUER).setAudience(JWT_AUDIENCE);
}

describe("verifyToken", () => {
  it("accepts a token it issued", async () => {
    const { token, expiresAt } = await issueToken(42, { secret, ttlSeconds: 600 });
    expect(await verifyToken(token, secret)).toBe(42);
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(590_000);
  });

  it("rejects an expired token", async () => {
    const issuedAt = new Date(Date.now() - 2 * 3600_000);
    const { token } = await issueToken(42, { secret, ttlSeconds: 600 }, issuedAt);
    await expectUnauthenticated(verifyToken(token, secret), /expired/);
  });

  it("rejects a tampered payload", async () => {
    const { token } = await issueToken(42, { secret, ttlSeconds: 600 });
    const [header, , signature] = token.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ sub: "1", iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: 1, exp: 9_999_999_999 })).toString("base64url");
    await expectUnauthenticated(verifyToken(`${header}.${forgedPayload}.${signature}`, secret));
  });

  it("rejects a token signed with another secret", async () => {
    const { token } = await issueToken(42, { secret: "another-secret-that-is-also-32-characters", ttlSeconds: 600 });
    await expectUnauthenticated(verifyToken(token, secret));
  });

  it("rejects alg none", async () => {
    const unsecured = new UnsecuredJWT({}).setSubject("7").setIssuer(JWT_ISSUER).setAudience(JWT_AUDIENCE).setIssuedAt().setExpirationTime("1h").encode();
    await expectUnauthenticated(verifyToken(unsecured, secret));
  });

  it("rejects a token without exp", async () => {
    const token = await baseToken().setIssuedAt().sign(key);
    await expectUnauthenticated(verifyToken(token, secret));
  });

  it("rejects a token without iat", async () => {
    const token = await baseToken().setExpirationTime("1h").sign(key);
    await expectUnauthenticated(verifyToken(token, secret));
  });

  it("rejects a wrong issuer or audience", async () => {
    const wrongIssuer = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("7").setIssuer("someone-else").setAudience(JWT_AUDIENCE).setIssuedAt().setExpirationTime("1h").sign(key);
    const wrongAudience = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("7").setIssuer(JWT_ISSUER).setAudience("other-api").setIssuedAt().setExpirationTime("1h").sign(key);
    await expectUnauthenticated(verifyToken(wrongIssuer, secret));
    await expectUnauthenticated(verifyToken(wrongAudience, secret));
  });

  it("rejects another HMAC algorithm", async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: "HS512" }).setSubject("7").setIssuer(JWT_ISSUER).setAudience(JWT_AUDIENCE).setIssuedAt().setExpirationTime("1h").sign(key);
    await expectUnauthenticated(verifyToken(token, secret));
  });

  it("rejects a subject that is not a user id", async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("admin").setIssuer(JWT_ISSUER).setAudience(JWT_AUDIENCE).setIssuedAt().setExpirationTime("1h").sign(key);
    await expectUnauthenticated(verifyToken(token, secret), /subject/);
  });
});

describe("readBearerToken", () => {
  it("accepts the Bearer scheme in any case", () => {
    expect(readBearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(readBearerToken("bearer abc.def.ghi")).toBe("abc.def.ghi");
  });

  it("accepts the bare token", () => {
    expect(readBearerToken("abc.def.ghi")).toBe("abc.def.ghi");
  });

  it("rejects missing and malformed headers", () => {
    for (const header of [undefined, "", "   ", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b"]) {
      expect(() => readBearerToken(header)).toThrowError(DomainError);
    }
  });
});
