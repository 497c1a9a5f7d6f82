-- Feed structures, applied after drizzle/0000_init.sql. Idempotent: every statement can run again.
-- docs/feed-design.md explains each structure and the queries that use it.

-- Who follows whom. The primary key answers "who do I follow" (follower_id first) and rejects
-- duplicate follows; the second index answers "who follows me".
CREATE TABLE IF NOT EXISTS follows (
  follower_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  followee_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamp (3) with time zone NOT NULL DEFAULT now(),
  CONSTRAINT follows_pkey PRIMARY KEY (follower_id, followee_id),
  CONSTRAINT follows_no_self_follow CHECK (follower_id <> followee_id)
);

CREATE INDEX IF NOT EXISTS follows_followee_follower_idx ON follows (followee_id, follower_id);

-- Per-user record counts, kept exact by the trigger below in the same transaction as the write.
-- The feed's total_count is the sum of these rows over the followees, and the sum also tells the
-- feed query which plan is cheaper (see clock_records_clock_in_idx).
CREATE TABLE IF NOT EXISTS user_record_counts (
  user_id integer PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  record_count bigint NOT NULL DEFAULT 0 CHECK (record_count >= 0),
  open_record_count integer NOT NULL DEFAULT 0 CHECK (open_record_count >= 0)
);

-- Global time order. A follower whose followees own a large share of all records finds a page by
-- walking this index newest first and keeping the rows of followees; user_id is included so the
-- walk can run as an index-only scan.
CREATE INDEX IF NOT EXISTS clock_records_clock_in_idx
  ON clock_records (clock_in DESC, id DESC) INCLUDE (user_id);

-- Global duration order of completed records, for sort=duration with the same walk.
CREATE INDEX IF NOT EXISTS clock_records_duration_idx
  ON clock_records ((clock_out - clock_in) DESC, id DESC) INCLUDE (user_id)
  WHERE clock_out IS NOT NULL;

-- Per-user duration order of completed records, for sort=duration of followers whose followees own
-- few records (one probe per followee), and for GET /records?sort=duration.
CREATE INDEX IF NOT EXISTS clock_records_user_duration_idx
  ON clock_records (user_id, (clock_out - clock_in) DESC, id DESC)
  WHERE clock_out IS NOT NULL;

-- Keep user_record_counts in step with clock_records. A DELETE only updates an existing row:
-- when a user is deleted, the cascade may already have removed the user's counts row, and an
-- upsert there would violate the foreign key.
CREATE OR REPLACE FUNCTION user_record_counts_maintain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE user_record_counts
       SET record_count = record_count - 1,
           open_record_count = open_record_count - (OLD.clock_out IS NULL)::int
     WHERE user_id = OLD.user_id;
  END IF;

  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO user_record_counts AS c (user_id, record_count, open_record_count)
    VALUES (NEW.user_id, 1, (NEW.clock_out IS NULL)::int)
    ON CONFLICT (user_id) DO UPDATE
       SET record_count = c.record_count + 1,
           open_record_count = c.open_record_count + (NEW.clock_out IS NULL)::int;
  END IF;

  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS clock_records_counts_insert_delete ON clock_records;
CREATE TRIGGER clock_records_counts_insert_delete
  AFTER INSERT OR DELETE ON clock_records
  FOR EACH ROW EXECUTE FUNCTION user_record_counts_maintain();

-- Updates touch the counts only when the owner or the open/closed state changes, so editing
-- clock_in or bumping updated_at costs nothing extra.
DROP TRIGGER IF EXISTS clock_records_counts_update ON clock_records;
CREATE TRIGGER clock_records_counts_update
  AFTER UPDATE OF user_id, clock_out ON clock_records
  FOR EACH ROW
  WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id OR (OLD.clock_out IS NULL) <> (NEW.clock_out IS NULL))
  EXECUTE FUNCTION user_record_counts_maintain();

-- Backfill for records that existed before the trigger. Running it again changes nothing. The
-- SHARE lock blocks writes to clock_records until COMMIT, so no write can slip between the count
-- and the trigger.
BEGIN;
LOCK TABLE clock_records IN SHARE MODE;
INSERT INTO user_record_counts (user_id, record_count, open_record_count)
SELECT user_id, count(*), count(*) FILTER (WHERE clock_out IS NULL)
  FROM clock_records
 GROUP BY user_id
ON CONFLICT (user_id) DO UPDATE
   SET record_count = EXCLUDED.record_count,
       open_record_count = EXCLUDED.open_record_count;
COMMIT;
