// SQL of the candidates that scripts/bench/feed-sql.ts compares with the app's feed statement
// (src/db/feed-query.ts).

// Naive: every record of every followee, sorted, then OFFSET. $1 follower id, $2 offset.
export const NAIVE_PAGE = `
SELECT c.id, c.user_id, c.clock_in, c.clock_out
  FROM clock_records c
 WHERE c.user_id IN (SELECT followee_id FROM follows WHERE follower_id = $1)
 ORDER BY c.clock_in DESC, c.id DESC
OFFSET $2 LIMIT 50`;

// Naive with a keyset cursor. $1 follower id, $2/$3 cursor clock_in and id.
export const NAIVE_CURSOR = `
SELECT c.id, c.user_id, c.clock_in, c.clock_out
  FROM clock_records c
 WHERE c.user_id IN (SELECT followee_id FROM follows WHERE follower_id = $1)
   AND (c.clock_in, c.id) < ($2, $3)
 ORDER BY c.clock_in DESC, c.id DESC
 LIMIT 50`;

export const NAIVE_COUNT = `
SELECT count(*) FROM clock_records c
 WHERE c.user_id IN (SELECT followee_id FROM follows WHERE follower_id = $1)`;

// Maintained counts summed over the followees: what the design's total_count costs on its own.
export const COUNTER_SUM = `
SELECT coalesce(sum(c.record_count), 0) FROM follows f
  JOIN user_record_counts c ON c.user_id = f.followee_id
 WHERE f.follower_id = $1`;

// Per-followee top-k merge. $1 follower id, $2 offset, $3 k = offset + 50.
export const LATERAL_PAGE = `
SELECT r.* FROM follows f
 CROSS JOIN LATERAL (
   SELECT c.id, c.user_id, c.clock_in, c.clock_out FROM clock_records c
    WHERE c.user_id = f.followee_id
    ORDER BY c.clock_in DESC, c.id DESC LIMIT $3) r
 WHERE f.follower_id = $1
 ORDER BY r.clock_in DESC, r.id DESC
OFFSET $2 LIMIT 50`;

export const LATERAL_CURSOR = `
SELECT r.* FROM follows f
 CROSS JOIN LATERAL (
   SELECT c.id, c.user_id, c.clock_in, c.clock_out FROM clock_records c
    WHERE c.user_id = f.followee_id AND (c.clock_in, c.id) < ($2, $3)
    ORDER BY c.clock_in DESC, c.id DESC LIMIT 50) r
 WHERE f.follower_id = $1
 ORDER BY r.clock_in DESC, r.id DESC
 LIMIT 50`;

// Time-ordered walk of clock_records_clock_in_idx with a semi-join on follows.
export const TIME_SCAN_PAGE = `
SELECT c.id, c.user_id, c.clock_in, c.clock_out FROM clock_records c
 WHERE EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = c.user_id)
 ORDER BY c.clock_in DESC, c.id DESC
OFFSET $2 LIMIT 50`;

export const TIME_SCAN_CURSOR = `
SELECT c.id, c.user_id, c.clock_in, c.clock_out FROM clock_records c
 WHERE EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = c.user_id)
   AND (c.clock_in, c.id) < ($2, $3)
 ORDER BY c.clock_in DESC, c.id DESC
 LIMIT 50`;

// sort=duration candidates (completed records only). $1 follower id.
export const NAIVE_DURATION = `
SELECT c.id, c.user_id, c.clock_in, c.clock_out FROM clock_records c
 WHERE c.user_id IN (SELECT followee_id FROM follows WHERE follower_id = $1)
   AND c.clock_out IS NOT NULL
 ORDER BY c.clock_out - c.clock_in DESC, c.id DESC
 LIMIT 50`;

export const LATERAL_DURATION = `
SELECT r.* FROM follows f
 CROSS JOIN LATERAL (
   SELECT c.id, c.user_id, c.clock_in, c.clock_out FROM clock_records c
    WHERE c.user_id = f.followee_id AND c.clock_out IS NOT NULL
    ORDER BY c.clock_out - c.clock_in DESC, c.id DESC LIMIT 50) r
 WHERE f.follower_id = $1
 ORDER BY r.clock_out - r.clock_in DESC, r.id DESC
 LIMIT 50`;

export const DURATION_SCAN = `
SELECT c.id, c.user_id, c.clock_in, c.clock_out FROM clock_records c
 WHERE EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = c.user_id)
   AND c.clock_out IS NOT NULL
 ORDER BY c.clock_out - c.clock_in DESC, c.id DESC
 LIMIT 50`;

// GET /records of one user, the reference. $1 user id.
export const RECORDS_PAGE = `
SELECT c.id, c.user_id, c.clock_in, c.clock_out FROM clock_records c
 WHERE c.user_id = $1 ORDER BY c.clock_in DESC, c.id DESC LIMIT 50`;

// GET /records reads its total from the maintained counts. $1 user id.
export const RECORDS_COUNT = `SELECT record_count FROM user_record_counts WHERE user_id = $1`;
