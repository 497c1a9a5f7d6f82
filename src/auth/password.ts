import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Password hashing with scrypt from `node:crypto` (Workers `nodejs_compat`).
 *
 * Why scrypt at N=2^14, r=8, p=5: it is one of the equivalent scrypt settings in the OWASP
 * Password Storage Cheat Sheet, and it fits what production Workers allow. workerd caps PBKDF2
 * (WebCrypto and node:crypto) at 100,000 iterations in production, below OWASP's 600,000 for
 * PBKDF2-SHA256; Argon2 and bcrypt would need WASM compiled at run time, which Workers refuse;
 * workerd accepts scrypt up to N·r·p = 2^20. This setting has N·r·p = 655,360 and needs
 * 128·N·r = 16 MiB, a safe share of a 128 MB isolate, where N=2^17, r=8, p=1 would need 128 MiB.
 * Measured cost: about 180 ms per hash on one core of the 2-core development machine.
 *
 * Each stored hash carries its algorithm and parameters (`scrypt$N$r$p$salt$hash`, base64), so the
 * setting can be raised later and old hashes still verify.
 */
export const SCRYPT_PARAMETERS = { N: 2 ** 14, r: 8, p: 5 } as const;

/** workerd rejects scrypt above this N·r·p product. */
export const WORKERD_SCRYPT_MAX_COST = 2 ** 20;

const KEY_LENGTH_BYTES = 32;
const SALT_LENGTH_BYTES = 16;

/** Node's default scrypt `maxmem` (32 MiB); the setting above stays below it. */
const SCRYPT_MAX_MEMORY_BYTES = 32 * 1024 * 1024;

type ScryptParameters = { N: number; r: number; p: number };

function deriveKey(password: string, salt: Buffer, parameters: ScryptParameters, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, length, { ...parameters, maxmem: SCRYPT_MAX_MEMORY_BYTES }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH_BYTES);
  const key = await deriveKey(password, salt, SCRYPT_PARAMETERS, KEY_LENGTH_BYTES);
  const { N, r, p } = SCRYPT_PARAMETERS;
  return ["scrypt", N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

/**
 * Verifies a password against a stored hash in constant time. A malformed stored hash verifies as
 * false rather than throwing, so one corrupt row cannot turn a login into a 500.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStoredHash(stored);
  if (parsed === null) return false;

  const key = await deriveKey(password, parsed.salt, parsed.parameters, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

function parseStoredHash(stored: string): { parameters: ScryptParameters; salt: Buffer; key: Buffer } | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;

  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((value) => Number.isSafeInteger(value) && value > 0)) return null;
  if (N * r * p > WORKERD_SCRYPT_MAX_COST) return null;

  const salt = Buffer.from(parts[4]!, "base64");
  const key = Buffer.from(parts[5]!, "base64");
  if (salt.length === 0 || key.length === 0) return null;

  return { parameters: { N, r, p }, salt, key };
}

/**
 * A real hash of a random password, computed once per isolate. Login verifies against it when the
 * email is unknown, so an unknown email and a wrong password cost the same scrypt work.
 */
let decoyHash: Promise<string> | undefined;

export function getDecoyHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(18).toString("base64"));
  return decoyHash;
}
