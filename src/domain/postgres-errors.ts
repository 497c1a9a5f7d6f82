/** Postgres SQLSTATE codes the domain reacts to (PostgreSQL manual, appendix A). */
const UNIQUE_VIOLATION = "23505";
const CHECK_VIOLATION = "23514";
const FOREIGN_KEY_VIOLATION = "23503";

type DatabaseErrorShape = { code?: unknown; constraint?: unknown; cause?: unknown };

/** Finds the driver's error inside Drizzle's wrapper, which keeps the original as `cause`. */
function findDatabaseError(error: unknown): DatabaseErrorShape | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth += 1) {
    const candidate = current as DatabaseErrorShape;
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    current = candidate.cause;
  }
  return undefined;
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const found = findDatabaseError(error);
  return found?.code === UNIQUE_VIOLATION && found.constraint === constraint;
}

export function isCheckViolation(error: unknown, constraint: string): boolean {
  const found = findDatabaseError(error);
  return found?.code === CHECK_VIOLATION && found.constraint === constraint;
}

export function isForeignKeyViolation(error: unknown): boolean {
  return findDatabaseError(error)?.code === FOREIGN_KEY_VIOLATION;
}
