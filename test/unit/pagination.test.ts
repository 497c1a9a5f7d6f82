import { describe, expect, it } from "vitest";
import { paginationQuerySchema } from "../../src/contracts/common.js";
import { buildPageMeta, resolvePage } from "../../src/domain/pagination.js";

describe("pagination parameters", () => {
  it("defaults to page 1 with 20 per page", () => {
    const parsed = paginationQuerySchema.parse({});
    expect(resolvePage(parsed)).toEqual({ page: 1, perPage: 20, offset: 0 });
  });

  it("clamps per_page to 50", () => {
    const parsed = paginationQuerySchema.parse({ per_page: "100000" });
    expect(resolvePage(parsed).perPage).toBe(50);
  });

  it("computes the offset", () => {
    const parsed = paginationQuerySchema.parse({ page: "3", per_page: "10" });
    expect(resolvePage(parsed)).toEqual({ page: 3, perPage: 10, offset: 20 });
  });

  it.each(["0", "-1", "1.5", "abc", "", "1e3", " ", "9007199254740993"])("rejects page=%j", (value) => {
    const result = paginationQuerySchema.safeParse({ page: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["page"]);
    expect(result.error?.issues[0]?.message).toContain("page");
  });

  it("rejects per_page=0 naming the parameter", () => {
    const result = paginationQuerySchema.safeParse({ per_page: "0" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/^per_page must be a positive integer/);
  });
});

describe("page meta", () => {
  it("links neighbouring pages", () => {
    expect(buildPageMeta({ page: 2, perPage: 10, offset: 10 }, 35)).toEqual({
      current_page: 2,
      next_page: 3,
      prev_page: 1,
      total_pages: 4,
      total_count: 35,
      per_page: 10,
    });
  });

  it("has no next page on the last page", () => {
    const meta = buildPageMeta({ page: 4, perPage: 10, offset: 30 }, 35);
    expect(meta.next_page).toBeNull();
    expect(meta.prev_page).toBe(3);
  });

  it("describes an empty list", () => {
    const meta = buildPageMeta({ page: 1, perPage: 20, offset: 0 }, 0);
    expect(meta.total_pages).toBe(0);
    expect(meta.next_page).toBeNull();
    expect(meta.prev_page).toBeNull();
  });
});
