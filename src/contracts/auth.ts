import { z } from "@hono/zod-openapi";
import { isoTimestamp, textField } from "./common.js";

/**
 * Upper bound on password length, checked before any hashing so a huge password costs nothing.
 * 256 characters is far above any passphrase a person types or a manager generates.
 */
export const MAX_PASSWORD_LENGTH = 256;
export const MIN_PASSWORD_LENGTH = 8;

const email = textField("email")
  .trim()
  .max(254, "email must be at most 254 characters")
  .pipe(z.email("email must be a valid email address"))
  .openapi({ example: "donald@gmail.com" });

export const loginInputSchema = z
  .object({
    email,
    password: textField("password")
      .min(1, "password is required")
      .max(MAX_PASSWORD_LENGTH, `password must be at most ${MAX_PASSWORD_LENGTH} characters`)
      .openapi({ example: "test12345" }),
  })
  .openapi("LoginInput");

export const registerInputSchema = z
  .object({
    name: textField("name").trim().min(1, "name is required").max(100, "name must be at most 100 characters").openapi({ example: "Ada Lovelace" }),
    email,
    password: textField("password")
      .min(MIN_PASSWORD_LENGTH, `password must be at least ${MIN_PASSWORD_LENGTH} characters`)
      .max(MAX_PASSWORD_LENGTH, `password must be at most ${MAX_PASSWORD_LENGTH} characters`),
  })
  .openapi("RegisterInput");

export type LoginInput = z.infer<typeof loginInputSchema>;
export type RegisterInput = z.infer<typeof registerInputSchema>;

export const userSchema = z
  .object({ id: z.number().int(), name: z.string(), email: z.string() })
  .openapi("User");

export type User = z.infer<typeof userSchema>;

export const sessionSchema = z
  .object({
    token: z.string(),
    token_type: z.literal("Bearer"),
    expires_at: isoTimestamp,
    user: userSchema,
  })
  .openapi("Session");

export type Session = z.infer<typeof sessionSchema>;
