import type { PaginationMeta } from "../contracts/common.js";

/** Builds the `{ data, message }` envelope every REST success response uses. */
export function envelope<T>(data: T, message: string): { data: T; message: string } {
  return { data, message };
}

/** Builds `{ data, message, meta }` for a list; the feed's meta adds cursor fields to the standard one. */
export function listEnvelope<T, M extends Omit<PaginationMeta, "current_page"> & { current_page: number | null }>(page: { data: T[]; meta: M }, message: string) {
  return { data: page.data, message, meta: page.meta };
}
