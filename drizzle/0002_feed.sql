CREATE TABLE "user_record_counts" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"record_count" bigint DEFAULT 0 NOT NULL,
	"open_record_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "user_record_counts_record_count_check" CHECK ("user_record_counts"."record_count" >= 0),
	CONSTRAINT "user_record_counts_open_record_count_check" CHECK ("user_record_counts"."open_record_count" >= 0)
);
--> statement-breakpoint
DROP INDEX "clock_records_user_clock_in_idx";--> statement-breakpoint
ALTER TABLE "user_record_counts" ADD CONSTRAINT "user_record_counts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- INCLUDE (user_id) lets the feed's time-ordered walk test "is this a followee's record" from the
-- index alone (an index-only scan). Added by hand: drizzle-kit cannot express INCLUDE.
CREATE INDEX "clock_records_clock_in_idx" ON "clock_records" USING btree ("clock_in" DESC NULLS FIRST,"id" DESC NULLS FIRST) INCLUDE ("user_id");--> statement-breakpoint
CREATE INDEX "clock_records_duration_idx" ON "clock_records" USING btree (("clock_out" - "clock_in") desc,"id" DESC NULLS FIRST) INCLUDE ("user_id") WHERE "clock_records"."clock_out" is not null;--> statement-breakpoint
CREATE INDEX "clock_records_user_duration_idx" ON "clock_records" USING btree ("user_id",("clock_out" - "clock_in") desc,"id" DESC NULLS FIRST) WHERE "clock_records"."clock_out" is not null;--> statement-breakpoint
CREATE INDEX "clock_records_user_clock_in_idx" ON "clock_records" USING btree ("user_id","clock_in" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
-- Keeps user_record_counts exact in the same transaction as every record write. A DELETE only
-- updates an existing row: when a user is deleted, the cascade may already have removed the
-- counts row, and an upsert there would violate the foreign key.
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
--> statement-breakpoint
CREATE TRIGGER clock_records_counts_insert_delete
  AFTER INSERT OR DELETE ON clock_records
  FOR EACH ROW EXECUTE FUNCTION user_record_counts_maintain();
--> statement-breakpoint
-- Updates touch the counts only when the owner or the open/closed state changes, so a clock-out
-- costs one counts update and editing other columns costs nothing.
CREATE TRIGGER clock_records_counts_update
  AFTER UPDATE OF user_id, clock_out ON clock_records
  FOR EACH ROW
  WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id OR (OLD.clock_out IS NULL) <> (NEW.clock_out IS NULL))
  EXECUTE FUNCTION user_record_counts_maintain();
--> statement-breakpoint
-- Backfill for records written before the triggers existed. The SHARE lock blocks writes until the
-- migration's transaction commits, so no write slips between the count and the triggers.
LOCK TABLE clock_records IN SHARE MODE;
--> statement-breakpoint
INSERT INTO user_record_counts (user_id, record_count, open_record_count)
SELECT user_id, count(*), count(*) FILTER (WHERE clock_out IS NULL)
  FROM clock_records
 GROUP BY user_id
ON CONFLICT (user_id) DO UPDATE
   SET record_count = EXCLUDED.record_count,
       open_record_count = EXCLUDED.open_record_count;
