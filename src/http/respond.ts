import type { PaginationMeta } from "../contracts/common.js";

/** Builds the `{ data, message }` envelope every REST success response uses. */
export function envelope<T>(data: T, message: string): { data: T; message: string } {
  return { data, message };
}

export function listEnvelope<T>(page: { data: T[]; meta: PaginationMeta }, message: string) {
  return { data: page.data, message, meta: page.meta };
}
