-- Acorn schema, version 43: the two writers that give a row its sequence
-- number themselves run no trigger for it.
--
-- Every write to a shared table took its seq in acorn_take_seq, a
-- PL/pgSQL trigger that also asks whether the row is this node's own.
-- Two writers know the answer already: the merge (a received record is
-- never this node's) and the publisher (which only clears pending).  A
-- PL/pgSQL call per row was a quarter of what storing a row cost them,
-- and the search triggers as much again.  So:
--
-- - a statement that writes seq itself has taken it from change_seq:
--   the seq trigger runs only when an INSERT leaves seq unset (or gives
--   a placeholder below 1, which no number from change_seq is) or an
--   UPDATE leaves it as it was, which every other write does;
-- - a statement that writes the search words itself has made them: the
--   search trigger runs only when they are left unset, or as they were,
--   or set to NULL (an evaluation's outcomes changed);
-- - the words of a glossary term and of a document are made by one
--   function each, which the trigger and the merge both call.

CREATE FUNCTION acorn_glossary_words(term text, synonyms text[],
    definition text) RETURNS tsvector
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT setweight(to_tsvector('simple', coalesce(term, '')), 'A') ||
	    setweight(to_tsvector('simple', array_to_string(synonyms, ' ')),
	        'A') ||
	    setweight(to_tsvector('simple', coalesce(definition, '')), 'C')
$$;

CREATE FUNCTION acorn_document_words(title text, tags text[], body text)
RETURNS tsvector
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
	    setweight(to_tsvector('simple', array_to_string(tags, ' ')), 'B') ||
	    setweight(to_tsvector('simple', coalesce(body, '')), 'C')
$$;

CREATE OR REPLACE FUNCTION acorn_glossary_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.search := acorn_glossary_words(NEW.term, NEW.synonyms,
	    NEW.definition);
	RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION acorn_documents_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.search := acorn_document_words(NEW.title, NEW.tags, NEW.body);
	RETURN NEW;
END
$$;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['members', 'events', 'documents',
	    'glossary_terms', 'evaluations', 'nodes'] LOOP
		EXECUTE format('DROP TRIGGER %I ON %I', t || '_seq', t);
		EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %I'
		    ' FOR EACH ROW WHEN (NEW.seq IS NULL OR NEW.seq < 1)'
		    ' EXECUTE FUNCTION acorn_take_seq()', t || '_seq', t);
		EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I'
		    ' FOR EACH ROW WHEN (NEW.seq IS NOT DISTINCT FROM OLD.seq)'
		    ' EXECUTE FUNCTION acorn_take_seq()', t || '_seq_update', t);
	END LOOP;
END
$$;

DROP TRIGGER documents_search ON documents;
CREATE TRIGGER documents_search
	BEFORE INSERT ON documents
	FOR EACH ROW WHEN (NEW.search IS NULL)
	EXECUTE FUNCTION acorn_documents_search();
CREATE TRIGGER documents_search_update
	BEFORE UPDATE OF title, tags, body ON documents
	FOR EACH ROW WHEN (NEW.search IS NULL OR
	    NEW.search IS NOT DISTINCT FROM OLD.search)
	EXECUTE FUNCTION acorn_documents_search();

DROP TRIGGER glossary_terms_search ON glossary_terms;
CREATE TRIGGER glossary_terms_search
	BEFORE INSERT ON glossary_terms
	FOR EACH ROW WHEN (NEW.search IS NULL)
	EXECUTE FUNCTION acorn_glossary_search();
CREATE TRIGGER glossary_terms_search_update
	BEFORE UPDATE OF term, synonyms, definition ON glossary_terms
	FOR EACH ROW WHEN (NEW.search IS NULL OR
	    NEW.search IS NOT DISTINCT FROM OLD.search)
	EXECUTE FUNCTION acorn_glossary_search();
