-- The best-practice library: documents written in CommonMark by members,
-- with every saved text kept as a numbered revision, and the common
-- glossary of the network's words (link worker, care navigator, ...).

-- Documents: shared records.  title and body repeat the current revision
-- so that pages and search read one row; revision is its number.  A save
-- names the revision it started from and succeeds only while that is
-- still the current one, so two people editing at once never overwrite
-- each other (the later one is shown an edit conflict instead).
CREATE TABLE documents (
	id		uuid PRIMARY KEY,
	origin		uuid NOT NULL,
	version		integer NOT NULL DEFAULT 1 CHECK (version > 0),
	updated		timestamptz NOT NULL DEFAULT now(),
	deleted		boolean NOT NULL DEFAULT false,
	seq		bigint NOT NULL,
	entry		text,
	slug		text NOT NULL UNIQUE
	    CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
	title		text,
	category	text CHECK (category IN ('toolkit', 'guide',
			    'case_study', 'business_case', 'commissioning')),
	tags		text[] NOT NULL DEFAULT '{}',
	protected	boolean NOT NULL DEFAULT false,
	revision	integer NOT NULL DEFAULT 1 CHECK (revision > 0),
	body		text NOT NULL DEFAULT '',
	created_by	bigint REFERENCES accounts (id) ON DELETE SET NULL,
	-- Kept by documents_search below: tags are an array, and turning one
	-- into text is not immutable, so a generated column cannot do it.
	search		tsvector,
	CHECK (deleted OR (title IS NOT NULL AND category IS NOT NULL))
);
CREATE TRIGGER documents_seq BEFORE INSERT OR UPDATE ON documents
	FOR EACH ROW EXECUTE FUNCTION acorn_take_seq();
CREATE UNIQUE INDEX documents_seq_idx ON documents (seq);
CREATE INDEX documents_search_idx ON documents USING gin (search);
CREATE INDEX documents_category_idx ON documents (category, lower(title))
	WHERE NOT deleted;

CREATE FUNCTION acorn_documents_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.search :=
	    setweight(to_tsvector('simple', coalesce(NEW.title, '')), 'A') ||
	    setweight(to_tsvector('simple',
	        array_to_string(NEW.tags, ' ')), 'B') ||
	    setweight(to_tsvector('simple', coalesce(NEW.body, '')), 'C');
	RETURN NEW;
END
$$;
CREATE TRIGGER documents_search BEFORE INSERT OR UPDATE ON documents
	FOR EACH ROW EXECUTE FUNCTION acorn_documents_search();

-- Every text a document has had, numbered from 1.  Rows are only ever
-- added: restoring an old text makes a new revision that says so.
CREATE TABLE document_revisions (
	document	uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
	number		integer NOT NULL CHECK (number > 0),
	title		text NOT NULL,
	body		text NOT NULL,
	author		bigint REFERENCES accounts (id) ON DELETE SET NULL,
	author_name	text NOT NULL,
	created		timestamptz NOT NULL DEFAULT now(),
	summary		text NOT NULL DEFAULT '',
	restored_from	integer,
	PRIMARY KEY (document, number)
);

-- Glossary terms: shared records.  Searching any synonym finds the term.
CREATE TABLE glossary_terms (
	id		uuid PRIMARY KEY,
	origin		uuid NOT NULL,
	version		integer NOT NULL DEFAULT 1 CHECK (version > 0),
	updated		timestamptz NOT NULL DEFAULT now(),
	deleted		boolean NOT NULL DEFAULT false,
	seq		bigint NOT NULL,
	entry		text,
	term		text,
	definition	text,
	synonyms	text[] NOT NULL DEFAULT '{}',
	created_by	bigint REFERENCES accounts (id) ON DELETE SET NULL,
	search		tsvector,
	CHECK (deleted OR (term IS NOT NULL AND definition IS NOT NULL))
);
CREATE TRIGGER glossary_terms_seq BEFORE INSERT OR UPDATE ON glossary_terms
	FOR EACH ROW EXECUTE FUNCTION acorn_take_seq();
CREATE UNIQUE INDEX glossary_terms_seq_idx ON glossary_terms (seq);
CREATE UNIQUE INDEX glossary_terms_term_idx ON glossary_terms (lower(term))
	WHERE NOT deleted;
CREATE INDEX glossary_terms_search_idx ON glossary_terms USING gin (search);

CREATE FUNCTION acorn_glossary_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.search :=
	    setweight(to_tsvector('simple', coalesce(NEW.term, '')), 'A') ||
	    setweight(to_tsvector('simple',
	        array_to_string(NEW.synonyms, ' ')), 'A') ||
	    setweight(to_tsvector('simple', coalesce(NEW.definition, '')),
	        'C');
	RETURN NEW;
END
$$;
CREATE TRIGGER glossary_terms_search BEFORE INSERT OR UPDATE
	ON glossary_terms
	FOR EACH ROW EXECUTE FUNCTION acorn_glossary_search();
