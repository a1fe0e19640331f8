-- The evidence library: evaluations of social prescribing schemes as
-- structured records (design, sample, follow-up, and what each outcome
-- showed), every saved version kept as a numbered revision, and report
-- files attached to them.  Members given the contributor role write them.

ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check
	CHECK (role IN ('member', 'contributor', 'coordinator', 'admin'));

-- Evaluations: shared records.  The typed columns hold the current
-- revision; outcomes sit in their own table, one row per outcome
-- measured.  As with documents, a save names the revision its form
-- started from, so two people editing at once never overwrite each other.
CREATE TABLE evaluations (
	id		uuid PRIMARY KEY,
	origin		uuid NOT NULL,
	version		integer NOT NULL DEFAULT 1 CHECK (version > 0),
	updated		timestamptz NOT NULL DEFAULT now(),
	deleted		boolean NOT NULL DEFAULT false,
	seq		bigint NOT NULL,
	entry		text,
	title		text,
	scheme		text,
	area		text,
	region		text,
	year		integer CHECK (year BETWEEN 1980 AND 2100),
	design		text CHECK (design IN ('rct', 'quasi_experimental',
			    'before_after', 'qualitative', 'mixed_methods',
			    'economic')),
	sample_size	integer CHECK (sample_size >= 0),
	follow_up	integer CHECK (follow_up BETWEEN 0 AND 240),	-- months
	summary		text,
	revision	integer NOT NULL DEFAULT 1 CHECK (revision > 0),
	created_by	bigint REFERENCES accounts (id) ON DELETE SET NULL,
	-- Kept by acorn_evaluations_search below, from this row and its
	-- outcomes' measures.
	search		tsvector,
	CHECK (deleted OR (title IS NOT NULL AND region IS NOT NULL AND
	    year IS NOT NULL AND design IS NOT NULL AND summary IS NOT NULL))
);
CREATE TRIGGER evaluations_seq BEFORE INSERT OR UPDATE ON evaluations
	FOR EACH ROW EXECUTE FUNCTION acorn_take_seq();
CREATE UNIQUE INDEX evaluations_seq_idx ON evaluations (seq);
CREATE INDEX evaluations_search_idx ON evaluations USING gin (search);
CREATE INDEX evaluations_list_idx ON evaluations (year DESC, lower(title))
	WHERE NOT deleted;

-- What one evaluation found for one outcome.  Replaced as a whole set on
-- every save (the revision keeps the old set).
CREATE TABLE evaluation_outcomes (
	evaluation	uuid NOT NULL REFERENCES evaluations (id)
			    ON DELETE CASCADE,
	outcome		text NOT NULL CHECK (outcome IN ('gp_consultations',
			    'ae_attendance', 'wellbeing', 'loneliness',
			    'anxiety_depression', 'activation',
			    'employment_volunteering', 'cost_roi')),
	measure		text NOT NULL DEFAULT '',
	direction	text NOT NULL CHECK (direction IN ('improved',
			    'no_change', 'worse', 'mixed')),
	figure		text NOT NULL DEFAULT '',
	PRIMARY KEY (evaluation, outcome)
);
CREATE INDEX evaluation_outcomes_filter_idx
	ON evaluation_outcomes (outcome, direction);

CREATE FUNCTION acorn_evaluations_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.search :=
	    setweight(to_tsvector('simple', coalesce(NEW.title, '')), 'A') ||
	    setweight(to_tsvector('simple', coalesce(NEW.scheme, '') || ' ' ||
	        coalesce(NEW.area, '') || ' ' || coalesce(NEW.region, '')),
	        'B') ||
	    setweight(to_tsvector('simple', coalesce((SELECT
	        string_agg(o.measure || ' ' || o.figure, ' ')
	        FROM evaluation_outcomes o WHERE o.evaluation = NEW.id), '')),
	        'B') ||
	    setweight(to_tsvector('simple', coalesce(NEW.summary, '')), 'C');
	RETURN NEW;
END
$$;
CREATE TRIGGER evaluations_search BEFORE INSERT OR UPDATE ON evaluations
	FOR EACH ROW EXECUTE FUNCTION acorn_evaluations_search();

-- Every version an evaluation has had, numbered from 1: the whole record
-- with its outcomes, as JSON, so that any one can be shown, compared or
-- restored.  Rows are only ever added.
CREATE TABLE evaluation_revisions (
	evaluation	uuid NOT NULL REFERENCES evaluations (id)
			    ON DELETE CASCADE,
	number		integer NOT NULL CHECK (number > 0),
	record		jsonb NOT NULL,
	author		bigint REFERENCES accounts (id) ON DELETE SET NULL,
	author_name	text NOT NULL,
	created		timestamptz NOT NULL DEFAULT now(),
	summary		text NOT NULL DEFAULT '',
	restored_from	integer,
	PRIMARY KEY (evaluation, number)
);

-- The record as a revision keeps it: the typed columns and the outcomes
-- in the fixed order of the form.
CREATE FUNCTION acorn_evaluation_record(e uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'title', v.title, 'scheme', v.scheme, 'area', v.area,
	    'region', v.region, 'year', v.year, 'design', v.design,
	    'sample_size', v.sample_size, 'follow_up', v.follow_up,
	    'summary', v.summary,
	    'outcomes', coalesce((SELECT jsonb_agg(jsonb_build_object(
	        'outcome', o.outcome, 'measure', o.measure,
	        'direction', o.direction, 'figure', o.figure)
	        ORDER BY array_position(ARRAY['gp_consultations',
	        'ae_attendance', 'wellbeing', 'loneliness',
	        'anxiety_depression', 'activation',
	        'employment_volunteering', 'cost_roi'], o.outcome))
	        FROM evaluation_outcomes o WHERE o.evaluation = v.id),
	        '[]'::jsonb))
	FROM evaluations v WHERE v.id = e
$$;

-- Report files (PDF) attached to an evaluation, checked and hashed when
-- uploaded.  Removing one keeps nothing.
CREATE TABLE evaluation_files (
	id		uuid PRIMARY KEY,
	evaluation	uuid NOT NULL REFERENCES evaluations (id)
			    ON DELETE CASCADE,
	filename	text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
	media_type	text NOT NULL,
	size		integer NOT NULL CHECK (size > 0),
	sha256		text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	content		bytea NOT NULL,
	created		timestamptz NOT NULL DEFAULT now(),
	created_by	bigint REFERENCES accounts (id) ON DELETE SET NULL,
	UNIQUE (evaluation, sha256)
);
CREATE INDEX evaluation_files_evaluation_idx
	ON evaluation_files (evaluation, created);

-- Saves one evaluation from a record shaped as above, as a new revision,
-- in one statement's transaction: the row, its outcomes, the revision.
-- base 0 creates it.  Otherwise the save succeeds only while base is
-- still the current revision (a second save from the same revision
-- waits for the first's row lock, then finds it moved on) and answers
-- NULL when it is not, or when the row is gone or belongs to a peer.
CREATE FUNCTION acorn_evaluation_save(p_id uuid, p_origin uuid,
    p_base integer, p_record jsonb, p_author bigint, p_author_name text,
    p_summary text, p_restored_from integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	IF p_base = 0 THEN
		INSERT INTO evaluations (id, origin, title, scheme, area,
		    region, year, design, sample_size, follow_up, summary,
		    created_by)
		VALUES (p_id, p_origin, p_record->>'title',
		    p_record->>'scheme', p_record->>'area',
		    p_record->>'region', (p_record->>'year')::integer,
		    p_record->>'design', (p_record->>'sample_size')::integer,
		    (p_record->>'follow_up')::integer, p_record->>'summary',
		    p_author)
		RETURNING revision INTO n;
	ELSE
		UPDATE evaluations SET title = p_record->>'title',
		    scheme = p_record->>'scheme', area = p_record->>'area',
		    region = p_record->>'region',
		    year = (p_record->>'year')::integer,
		    design = p_record->>'design',
		    sample_size = (p_record->>'sample_size')::integer,
		    follow_up = (p_record->>'follow_up')::integer,
		    summary = p_record->>'summary',
		    revision = revision + 1, version = version + 1,
		    updated = now()
		WHERE id = p_id AND origin = p_origin AND revision = p_base
		    AND NOT deleted
		RETURNING revision INTO n;
		IF NOT FOUND THEN
			RETURN NULL;
		END IF;
		DELETE FROM evaluation_outcomes WHERE evaluation = p_id;
	END IF;
	INSERT INTO evaluation_outcomes (evaluation, outcome, measure,
	    direction, figure)
	SELECT p_id, o->>'outcome', coalesce(o->>'measure', ''),
	    o->>'direction', coalesce(o->>'figure', '')
	FROM jsonb_array_elements(coalesce(p_record->'outcomes', '[]')) o;
	-- The search trigger reads the outcomes, which are only now in
	-- place: let it run once more.
	UPDATE evaluations SET search = NULL WHERE id = p_id;
	INSERT INTO evaluation_revisions (evaluation, number, record, author,
	    author_name, summary, restored_from)
	VALUES (p_id, n, acorn_evaluation_record(p_id), p_author,
	    p_author_name, coalesce(p_summary, ''), p_restored_from);
	RETURN n;
END
$$;
