import { SignJWT, errors as joseErrors, jwtVerify } from "jose";
import { DomainError } from "../domain/errors.js";

export const JWT_ALGORITHM = "HS256";
export const JWT_ISSUER = "punchclock";
export const JWT_AUDIENCE = "punchclock-api";

export type IssuedToken = { token: string; expiresAt: Date };

export type TokenSettings = { secret: string; ttlSeconds: number };

const encoder = new TextEncoder();

export async function issueToken(userId: number, settings: TokenSettings, now = new Date()): Promise<IssuedToken> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + settings.ttlSeconds;

  const token = await new SignJWT({})
    .setProtectedHeader({ alg: JWT_ALGORITHM, typ: "JWT" })
    .setSubject(String(userId))
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(encoder.encode(settings.secret));

  return { token, expiresAt: new Date(expiresAt * 1000) };
}

/**
 * Verifies a token and returns its user id. The algorithm is pinned (so `alg: none` and key
 * confusion fail), and `exp`, `iat` and `sub` must be present alongside the issuer and audience.
 */
export async function verifyToken(token: string, secret: string): Promise<number> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      requiredClaims: ["exp", "iat", "sub"],
      // Tolerates small clock differences between the issuing and the verifying isolate.
      clockTolerance: 5,
    });

    const userId = Number(payload.sub);
    if (!Number.isSafeInteger(userId) || userId <= 0) {
      throw new DomainError("UNAUTHENTICATED", "Invalid token: the subject is not a user id. Log in again.");
    }
    return userId;
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (error instanceof joseErrors.JWTExpired) {
      throw new DomainError("UNAUTHENTICATED", "The token has expired. Log in again with POST /auth/login.", undefined, { cause: error });
    }
    if (error instanceof joseErrors.JOSEError) {
      throw new DomainError("UNAUTHENTICATED", "Invalid token. Log in again with POST /auth/login.", undefined, { cause: error });
    }
    throw error;
  }
}

/**
 * Extracts the token from an `Authorization` header. Both `Bearer <token>` and the bare token are
 * accepted, because some clients send the token without the scheme.
 */
export function readBearerToken(header: string | undefined | null): string {
  const value = header?.trim() ?? "";
  if (value === "") {
    throw new DomainError("UNAUTHENTICATED", "Missing Authorization header. Send `Authorization: Bearer <token>` from POST /auth/login.");
  }

  const match = /^Bearer\s+(\S+)$/i.exec(value);
  if (match) return match[1]!;
  if (/^\S+$/.test(value) && !/^bearer$/i.test(value)) return value;

  throw new DomainError("UNAUTHENTICATED", "Malformed Authorization header. Send `Authorization: Bearer <token>`.");
}
