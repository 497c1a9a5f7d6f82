import { Ratelimit } from "@upstash/ratelimit";
import { describeRedisError } from "../cache/redis.js";
import type { DomainContext } from "./context.js";
import { DomainError } from "./errors.js";

export type RateLimitSettings = {
  enabled: boolean;
  windowSeconds: number;
  loginPerIp: number;
  loginPerEmail: number;
  clockPerUser: number;
  followPerUser: number;
};

/** Limits by name, each counted in its own keys. The login limits fail closed, the rest open. */
const POLICIES = {
  "login-ip": { limit: (settings: RateLimitSettings) => settings.loginPerIp, failClosed: true },
  "login-email": { limit: (settings: RateLimitSettings) => settings.loginPerEmail, failClosed: true },
  clock: { limit: (settings: RateLimitSettings) => settings.clockPerUser, failClosed: false },
  follow: { limit: (settings: RateLimitSettings) => settings.followPerUser, failClosed: false },
} as const;

export type RateLimitPolicy = keyof typeof POLICIES;

/** Retry-After, in seconds, of a login rejected because Redis failed or timed out. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * Counts one request for `identifier` under `policy` (sliding window, @upstash/ratelimit) and
 * throws RATE_LIMITED with `Retry-After` and `RateLimit-*` headers when it is over the limit.
 *
 * When Redis fails or times out, fail-closed policies (login) throw SERVICE_UNAVAILABLE (503),
 * because an attacker who can slow Redis down must not get unlimited password guesses. The other
 * policies let the request through and log a warning.
 */
export async function enforceRateLimit(context: DomainContext, policy: RateLimitPolicy, identifier: string): Promise<void> {
  const settings = context.settings.rateLimits;
  const limit = POLICIES[policy].limit(settings);
  if (!context.redis || !settings.enabled || limit === 0) return;

  const limiter = new Ratelimit({
    redis: context.redis.client,
    limiter: Ratelimit.slidingWindow(limit, `${settings.windowSeconds} s`),
    prefix: context.redis.key("ratelimit", policy),
    // Without this, limit() waits 5 s (the library's default) before letting a request through.
    timeout: context.redis.timeoutMs,
    // The in-memory cache of blocked identifiers only helps when the limiter outlives a request.
    ephemeralCache: false,
    analytics: false,
  });

  let failure: unknown;
  try {
    const result = await limiter.limit(identifier);
    if (result.reason !== "timeout") {
      if (!result.success) throw rateLimited(policy, result);
      return;
    }
    failure = new Error(`Redis timed out after ${context.redis.timeoutMs} ms`);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    failure = error;
  }

  if (POLICIES[policy].failClosed) {
    context.logger.error("rate_limit.unavailable", { policy, outcome: "rejected", ...describeRedisError(failure) });
    throw new DomainError(
      "SERVICE_UNAVAILABLE",
      `Login is temporarily unavailable because its rate limit could not be checked. Retry in ${UNAVAILABLE_RETRY_AFTER_SECONDS} seconds.`,
      undefined,
      { cause: failure, headers: { "Retry-After": String(UNAVAILABLE_RETRY_AFTER_SECONDS) } },
    );
  }
  context.logger.warn("rate_limit.unavailable", { policy, outcome: "allowed", ...describeRedisError(failure) });
}

function rateLimited(policy: RateLimitPolicy, result: { limit: number; remaining: number; reset: number }): DomainError {
  const secondsUntilReset = Math.max(1, Math.ceil((result.reset - Date.now()) / 1000));

  return new DomainError(
    "RATE_LIMITED",
    `Too many requests (limit ${result.limit} per window). Retry in ${secondsUntilReset} seconds.`,
    { policy, limit: result.limit, retry_after_seconds: secondsUntilReset },
    {
      headers: {
        "Retry-After": String(secondsUntilReset),
        "RateLimit-Limit": String(result.limit),
        "RateLimit-Remaining": String(Math.max(0, result.remaining)),
        "RateLimit-Reset": String(secondsUntilReset),
      },
    },
  );
}

/**
 * Derives the login limit identifier for an email: a SHA-256 hex digest of the lower-cased
 * address, so Redis keys hold no email addresses.
 */
export async function emailIdentifier(email: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(email.trim().toLowerCase()));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
