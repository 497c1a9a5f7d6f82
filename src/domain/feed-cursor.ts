import type { FEED_SORTS } from "../contracts/feed.js";
import { DomainError } from "./errors.js";

export type FeedSort = (typeof FEED_SORTS)[number];

/**
 * The position after the last record of a page: the sort key of that record in milliseconds
 * (clock_in since the epoch, or the duration) and its id, which breaks ties. Keyset pagination
 * continues strictly after this pair, so no record repeats or is skipped between pages, and
 * records added meanwhile appear only where they sort.
 */
export type FeedPosition = { sort: FeedSort; key: number; id: number };

const CURSOR_VERSION = 1;

/**
 * Largest key a real record can produce: clock_in before the year 10000 (the limit of ISO 8601
 * dates without an expanded year), and a duration under 100 years. Larger numbers cannot be turned
 * into a timestamp and are rejected as malformed.
 */
const MAX_CURSOR_KEY_MS: Record<FeedSort, number> = {
  clock_in: Date.UTC(9999, 11, 31, 23, 59, 59, 999),
  duration: 100 * 365 * 24 * 3600 * 1000,
};

/** Encodes a position as an opaque base64url string; clients pass it back unchanged. */
export function encodeFeedCursor(position: FeedPosition): string {
  const payload = JSON.stringify([CURSOR_VERSION, position.sort, position.key, position.id]);
  return Buffer.from(payload, "utf8").toString("base64url");
}

/** Decodes a cursor made for `sort`. Anything else is a 400 whose message names the fix. */
export function decodeFeedCursor(cursor: string, sort: FeedSort): FeedPosition {
  const invalid = (reason: string) =>
    new DomainError("VALIDATION_FAILED", `Invalid cursor: ${reason}. Pass meta.next_cursor of the previous page unchanged.`, {
      issues: [{ path: "cursor", message: reason }],
    });

  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid("not a cursor issued by this API");
  }

  if (!Array.isArray(decoded) || decoded.length !== 4 || decoded[0] !== CURSOR_VERSION) {
    throw invalid("not a cursor issued by this API");
  }

  const [, cursorSort, key, id] = decoded as [number, unknown, unknown, unknown];
  if (cursorSort !== sort) throw invalid(`it was issued for sort=${String(cursorSort)}, not sort=${sort}`);
  if (typeof key !== "number" || !Number.isSafeInteger(key) || key < 0 || key > MAX_CURSOR_KEY_MS[sort]) {
    throw invalid("its position is malformed");
  }
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) throw invalid("its position is malformed");

  return { sort, key, id };
}
