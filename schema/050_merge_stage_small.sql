-- Acorn schema, version 50: the merge's staging table is truncated once
-- it holds more than 256 kB, not 8 MB.
--
-- Every statement of a merge reads the whole staging table, and what
-- the DELETE of each run leaves behind stays in it, page after page,
-- until it is truncated.  Up to 8 MB, a merge read up to a thousand
-- pages of dead rows several times over: a tenth of what PostgreSQL
-- did while a new node caught up, and a page more at each one-entry
-- merge of a change going round the network.  A truncation costs about
-- as much as a one-entry merge; at 256 kB it comes after every page of
-- a catch-up, and after about eighty one-entry merges.
CREATE OR REPLACE FUNCTION acorn_merge_stage_clear() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF pg_relation_size('merge_stage') +
	    pg_indexes_size('merge_stage') > 256 * 1024 THEN
		TRUNCATE merge_stage;
	ELSE
		DELETE FROM merge_stage;
	END IF;
END $$;
