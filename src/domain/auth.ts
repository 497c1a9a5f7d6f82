import type { LoginInput, RegisterInput, Session, User } from "../contracts/auth.js";
import { getDecoyHash, hashPassword, verifyPassword } from "../auth/password.js";
import { issueToken } from "../auth/token.js";
import { users } from "../db/schema.js";
import type { DomainContext } from "./context.js";
import { DomainError } from "./errors.js";
import { isUniqueViolation } from "./postgres-errors.js";
import { emailIdentifier, enforceRateLimit } from "./rate-limit.js";
import { findUserByEmail, toUser } from "./users.js";

const INVALID_CREDENTIALS_MESSAGE = "Invalid email or password.";

/**
 * Checks the credentials and issues a token. An unknown email still runs one full scrypt
 * verification against a decoy hash, so both failures return the same 401 after the same work.
 * Attempts are rate limited per client IP and per email before any of that work.
 */
export async function login(context: DomainContext, input: LoginInput): Promise<Session> {
  const emailKey = await emailIdentifier(input.email);
  await Promise.all([enforceRateLimit(context, "login-ip", context.clientIp), enforceRateLimit(context, "login-email", emailKey)]);

  const user = await findUserByEmail(context, input.email);
  const storedHash = user?.passwordHash ?? (await getDecoyHash());
  const passwordMatches = await verifyPassword(input.password, storedHash);

  if (!user || !passwordMatches) {
    context.logger.info("auth.login_failed", { reason: user ? "wrong_password" : "unknown_email" });
    throw new DomainError("INVALID_CREDENTIALS", INVALID_CREDENTIALS_MESSAGE);
  }

  const { token, expiresAt } = await issueToken(user.id, {
    secret: context.settings.jwtSecret,
    ttlSeconds: context.settings.jwtTtlSeconds,
  });

  context.logger.info("auth.login_succeeded", { user_id: user.id });
  return { token, token_type: "Bearer", expires_at: expiresAt.toISOString(), user: toUser(user) };
}

/** Creates an account. The unique index on lower(email) decides duplicates, including races. */
export async function register(context: DomainContext, input: RegisterInput): Promise<User> {
  const passwordHash = await hashPassword(input.password);

  try {
    const [row] = await context.db.primary
      .insert(users)
      .values({ name: input.name, email: input.email, passwordHash })
      .returning({ id: users.id, name: users.name, email: users.email });

    context.logger.info("auth.registered", { user_id: row!.id });
    return toUser(row!);
  } catch (error) {
    if (isUniqueViolation(error, "users_email_lower_key")) {
      throw new DomainError("EMAIL_TAKEN", `An account with email ${input.email} already exists. Log in instead.`, { field: "email" });
    }
    throw error;
  }
}
