-- Acorn schema, version 38: signing many entries at once.  The publisher
-- writes a whole batch of signed entries back in one statement, and that
-- statement changes nothing a reader searches for, so:
--
-- - the search triggers run only when a column they read is written, not
--   on every update (a signed entry going in left every tsvector as it
--   was, after computing it again);
-- - the publisher's write (the one statement that clears pending, and it
--   touches only the publishing columns) takes its seq without comparing
--   the whole row, old and new, as JSON.

CREATE OR REPLACE FUNCTION acorn_take_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	quiet CONSTANT text[] := ARRAY['seq', 'entry', 'pending', 'shared',
	    'version', 'search', 'home', 'changed_in'];
BEGIN
	NEW.seq := nextval('change_seq');
	-- Only the publisher clears pending, and it writes nothing else
	-- but the entry and whether one went out.
	IF TG_OP = 'UPDATE' AND OLD.pending AND NOT NEW.pending THEN
		RETURN NEW;
	END IF;
	IF NEW.origin IS DISTINCT FROM (SELECT id FROM node) THEN
		RETURN NEW;
	END IF;
	IF TG_OP = 'INSERT' THEN
		NEW.pending := true;
		NEW.changed_in := txid_current();
	ELSIF (to_jsonb(NEW) - quiet) IS DISTINCT FROM
	    (to_jsonb(OLD) - quiet) THEN
		NEW.pending := true;
		IF NEW.version = OLD.version AND
		    OLD.changed_in IS DISTINCT FROM txid_current() THEN
			NEW.version := OLD.version + 1;
		END IF;
		NEW.changed_in := txid_current();
	END IF;
	IF NEW.pending THEN
		PERFORM pg_notify('acorn_publish', '');
	END IF;
	RETURN NEW;
END
$$;

DROP TRIGGER documents_search ON documents;
CREATE TRIGGER documents_search
	BEFORE INSERT OR UPDATE OF title, tags, body ON documents
	FOR EACH ROW EXECUTE FUNCTION acorn_documents_search();

DROP TRIGGER glossary_terms_search ON glossary_terms;
CREATE TRIGGER glossary_terms_search
	BEFORE INSERT OR UPDATE OF term, synonyms, definition ON glossary_terms
	FOR EACH ROW EXECUTE FUNCTION acorn_glossary_search();

-- An evaluation's outcomes are searched too, and live in their own
-- table: whoever changes them writes search (to NULL) to have it made
-- again, as acorn_evaluation_save and the merge do.
DROP TRIGGER evaluations_search ON evaluations;
CREATE TRIGGER evaluations_search
	BEFORE INSERT OR UPDATE OF title, scheme, area, region, summary, search
	ON evaluations
	FOR EACH ROW EXECUTE FUNCTION acorn_evaluations_search();

-- Signed entries are written once and read on every feed page: lz4
-- compresses and decompresses them several times faster than the
-- default, for a little more space.  A server built without lz4 keeps
-- the default.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['members', 'events', 'documents',
	    'glossary_terms', 'evaluations', 'nodes'] LOOP
		EXECUTE format('ALTER TABLE %I ALTER COLUMN entry'
		    ' SET COMPRESSION lz4', t);
	END LOOP;
EXCEPTION WHEN feature_not_supported THEN
	NULL;
END
$$;
