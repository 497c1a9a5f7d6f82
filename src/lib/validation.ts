import type { FieldIssue } from "../domain/errors.js";

/** Flattens zod issues into `{ path, message }` pairs such as `{ path: "email", ... }`. */
export function toFieldIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): FieldIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}
