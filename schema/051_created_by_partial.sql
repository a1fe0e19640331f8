-- Acorn schema, version 51: the indexes on who created a record hold
-- only the records someone here created.
--
-- They serve deleting an account (its records keep their text and lose
-- the name: ON DELETE SET NULL) and a member's own list of what they
-- wrote, both of which ask for one account.  Records received from
-- peers, most rows on most nodes, have no such account, and each of
-- their writes (merging, and signing on a node that imported them)
-- still put a NULL into the index.  An index for those that have one
-- answers the same questions.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['events', 'documents', 'glossary_terms',
	    'evaluations'] LOOP
		EXECUTE format('DROP INDEX %I', t || '_created_by_idx');
		EXECUTE format('CREATE INDEX %I ON %I (created_by)'
		    ' WHERE created_by IS NOT NULL', t || '_created_by_idx', t);
	END LOOP;
END
$$;
