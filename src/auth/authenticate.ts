import type { User } from "../contracts/auth.js";
import type { DomainContext } from "../domain/context.js";
import { getAuthenticatedUser } from "../domain/users.js";
import { readBearerToken, verifyToken } from "./token.js";

/** Resolves an `Authorization` header to its user; shared by the REST adapter and tRPC. */
export async function authenticate(context: DomainContext, authorization: string | undefined | null): Promise<User> {
  const token = readBearerToken(authorization);
  const userId = await verifyToken(token, context.settings.jwtSecret);
  return getAuthenticatedUser(context, userId);
}
