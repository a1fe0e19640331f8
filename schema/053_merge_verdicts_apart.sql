-- Acorn schema, version 53: what the merge's classification finds of
-- each staged record goes to a table of its own, merge_verdicts.
--
-- It was written into the staging row itself.  That made PostgreSQL
-- write every staged row again, its whole signed entry with it, and
-- made the table twice as long for every statement after it to read:
-- about a twelfth of the merging backend's time in a catch-up.  The
-- verdicts are a few bytes a record, emptied with the staging table
-- and, being small, truncated only once they too pass 256 kB (each
-- truncation makes new files for a table and its index).  A process
-- that predates this version has no merge_verdicts, and its staging
-- table is cleared as before.
CREATE OR REPLACE FUNCTION acorn_merge_stage_clear() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF pg_relation_size('merge_stage') +
	    pg_indexes_size('merge_stage') > 256 * 1024 THEN
		TRUNCATE merge_stage;
	ELSE
		DELETE FROM merge_stage;
	END IF;
	IF to_regclass('pg_temp.merge_verdicts') IS NULL THEN
		RETURN;
	END IF;
	IF pg_relation_size('merge_verdicts') +
	    pg_indexes_size('merge_verdicts') > 256 * 1024 THEN
		TRUNCATE merge_verdicts;
	ELSE
		DELETE FROM merge_verdicts;
	END IF;
END $$;
