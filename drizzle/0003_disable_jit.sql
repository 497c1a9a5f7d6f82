-- JIT compilation is for long analytical queries. The feed's statement carries a high planner cost
-- estimate (its LIMIT stops a walk of millions of index entries early), so with PostgreSQL's
-- default jit_above_cost it was compiled on every call: 20 to 60 ms spent to save nothing on a
-- query that runs in 2 to 5 ms. Turned off for every new session of this database.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
END
$$;
