-- Acorn schema, version 53: what the merge's classification finds of
-- each staged record goes to a table of its own, merge_verdicts.
--
-- It was written into the staging row itself.  That made PostgreSQL
-- write every staged row again, its whole signed entry with it, and
-- made the table twice as long for every statement after it to read:
-- about a twentieth of the merging backend's time in a catch-up.  The
-- verdicts are a few bytes a record, emptied with the staging table.
-- A process that predates this version has no merge_verdicts yet, and
-- its staging table is cleared as before.
CREATE OR REPLACE FUNCTION acorn_merge_stage_clear() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	verdicts CONSTANT boolean :=
	    to_regclass('pg_temp.merge_verdicts') IS NOT NULL;
BEGIN
	IF pg_relation_size('merge_stage') +
	    pg_indexes_size('merge_stage') > 256 * 1024 THEN
		IF verdicts THEN
			TRUNCATE merge_stage, merge_verdicts;
		ELSE
			TRUNCATE merge_stage;
		END IF;
	ELSE
		DELETE FROM merge_stage;
		IF verdicts THEN
			DELETE FROM merge_verdicts;
		END IF;
	END IF;
END $$;
