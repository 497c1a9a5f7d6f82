import { DEFAULT_PER_PAGE, MAX_PER_PAGE, type PaginationMeta } from "../contracts/common.js";

export type PageRequest = { page: number; perPage: number; offset: number };

/** Applies defaults and the per-page clamp to already validated `page`/`per_page` values. */
export function resolvePage(input: { page?: number | undefined; per_page?: number | undefined }): PageRequest {
  const page = input.page ?? 1;
  const perPage = Math.min(input.per_page ?? DEFAULT_PER_PAGE, MAX_PER_PAGE);
  return { page, perPage, offset: (page - 1) * perPage };
}

export function buildPageMeta(request: PageRequest, totalCount: number): PaginationMeta {
  const totalPages = Math.ceil(totalCount / request.perPage);

  return {
    current_page: request.page,
    next_page: request.page < totalPages ? request.page + 1 : null,
    prev_page: request.page > 1 ? request.page - 1 : null,
    total_pages: totalPages,
    total_count: totalCount,
    per_page: request.perPage,
  };
}

export type Page<T> = { data: T[]; meta: PaginationMeta };
