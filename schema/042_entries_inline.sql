-- Acorn schema, version 42: a shared record's row keeps its signed
-- entry with it.
--
-- PostgreSQL compresses a row's long values once the row is over about
-- two kilobytes, and moves them to the table's TOAST store when that is
-- not enough.  A signed entry is two to three kilobytes, so nearly every
-- record's entry was compressed and then stored apart from its row:
-- every signing and every merge wrote it twice (the row and the TOAST
-- store, each with its index), and every feed page looked each entry up
-- in the TOAST store again.  Rows are now kept whole up to the most a
-- page holds, as the staging table of the merge already is; only larger
-- ones (a long document, say) are compressed and moved as before.  The
-- cost is disk: an entry takes its length, not about half of it.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['members', 'events', 'documents',
	    'glossary_terms', 'evaluations', 'nodes'] LOOP
		EXECUTE format('ALTER TABLE %I SET (toast_tuple_target = 8160)',
		    t);
	END LOOP;
END
$$;
