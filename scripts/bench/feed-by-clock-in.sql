WITH followees AS MATERIALIZED (
  SELECT f.followee_id AS user_id,
         coalesce((SELECT CASE $7::text
                            WHEN 'open' THEN c.open_record_count::bigint
                            WHEN 'completed' THEN c.record_count - c.open_record_count
                            ELSE c.record_count
                          END
                     FROM user_record_counts c
                    WHERE c.user_id = f.followee_id), 0) AS matching_count
    FROM follows f
   WHERE f.follower_id = $1::int
     AND ($6::int IS NULL OR f.followee_id = $6::int)
),
feed_plan AS MATERIALIZED (
  SELECT s.total_count,
         $7::text <> 'open'
           AND s.total_count * s.active_followees
               >= 5 * (SELECT reltuples FROM pg_class WHERE oid = 'clock_records'::regclass) AS time_scan
    FROM (SELECT coalesce(sum(matching_count), 0)::bigint AS total_count,
                 count(*) FILTER (WHERE matching_count > 0) AS active_followees
            FROM followees) s
),
page AS (
  (SELECT c.id, c.user_id, c.clock_in, c.clock_out
     FROM clock_records c
    WHERE (SELECT time_scan FROM feed_plan)
      AND EXISTS (SELECT 1 FROM follows f
                   WHERE f.follower_id = $1::int AND f.followee_id = c.user_id)
      AND ($6::int IS NULL OR c.user_id = $6::int)
      AND ($2::timestamptz IS NULL OR (c.clock_in, c.id) < ($2::timestamptz, $3::bigint))
      AND ($4::timestamptz IS NULL OR c.clock_in >= $4::timestamptz)
      AND ($5::timestamptz IS NULL OR c.clock_in < $5::timestamptz)
      AND ($7::text <> 'completed' OR c.clock_out IS NOT NULL)
      AND ($7::text <> 'open' OR c.clock_out IS NULL)
    ORDER BY c.clock_in DESC, c.id DESC
    LIMIT 51)
  UNION ALL
  (SELECT r.id, r.user_id, r.clock_in, r.clock_out
     FROM followees f
    CROSS JOIN LATERAL (
      SELECT c.id, c.user_id, c.clock_in, c.clock_out
        FROM clock_records c
       WHERE c.user_id = f.user_id
         AND ($2::timestamptz IS NULL OR (c.clock_in, c.id) < ($2::timestamptz, $3::bigint))
         AND ($4::timestamptz IS NULL OR c.clock_in >= $4::timestamptz)
         AND ($5::timestamptz IS NULL OR c.clock_in < $5::timestamptz)
         AND ($7::text <> 'completed' OR c.clock_out IS NOT NULL)
         AND ($7::text <> 'open' OR c.clock_out IS NULL)
       ORDER BY c.clock_in DESC, c.id DESC
       LIMIT 51
    ) r
    WHERE NOT (SELECT time_scan FROM feed_plan)
      AND f.matching_count > 0
    ORDER BY r.clock_in DESC, r.id DESC
    LIMIT 51)
)
SELECT p.total_count, page.id, page.user_id, page.clock_in, page.clock_out
  FROM feed_plan p
  LEFT JOIN page ON true
 ORDER BY page.clock_in DESC, page.id DESC
