-- Acorn schema, version 46: the merge's staging table is emptied by the
-- merge, not at every commit.
--
-- The staging table (merge_stage, a temporary table each connection
-- that merges makes for itself) was declared ON COMMIT DELETE ROWS.
-- PostgreSQL empties such a table by truncating it, its TOAST store and
-- their indexes at the end of every transaction of the connection that
-- touched any temporary table: about half a millisecond, and several on
-- a busy machine, at every merge's commit, a one-entry merge being a
-- few milliseconds in all.  The merge already empties the table before
-- each run, so it is no longer declared so.  What a DELETE leaves
-- behind a temporary table keeps until it is truncated (autovacuum
-- never visits one), so the merge truncates it instead once it holds
-- more than 8 MB, and deletes its rows otherwise.
CREATE FUNCTION acorn_merge_stage_clear() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF pg_relation_size('merge_stage') +
	    pg_indexes_size('merge_stage') > 8 * 1024 * 1024 THEN
		TRUNCATE merge_stage;
	ELSE
		DELETE FROM merge_stage;
	END IF;
END $$;
