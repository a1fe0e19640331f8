-- Acorn schema, version 56: the directory's personal data kept only as
-- long as it is needed.
--
-- A resolved report and a decided suggestion are removed
-- retain_directory_months after they were settled; a referral outcome
-- forgets who recorded it once it no longer counts towards that
-- member's daily limit.  The retention worker finds each by these
-- indexes.
CREATE INDEX service_reports_resolved_idx ON service_reports (resolved)
    WHERE resolved IS NOT NULL;
CREATE INDEX service_suggestions_decided_idx ON service_suggestions
    (decided) WHERE decided IS NOT NULL;
CREATE INDEX service_referrals_recorded_idx ON service_referrals
    (recorded) WHERE account IS NOT NULL;

-- A shortlist goes when its shared link expires, or, never shared, a
-- while after its last change: an index for each half of the rule.
CREATE INDEX shortlists_expires_idx ON shortlists (expires)
    WHERE expires IS NOT NULL;
CREATE INDEX shortlists_unshared_idx ON shortlists (updated)
    WHERE expires IS NULL;

-- Removing an account (erasure, or one never confirmed) follows every
-- reference to it through an index.
CREATE INDEX service_checks_account_idx ON service_checks (account)
    WHERE account IS NOT NULL;
CREATE INDEX organisation_managers_added_by_idx ON organisation_managers
    (added_by) WHERE added_by IS NOT NULL;
CREATE INDEX service_reports_resolved_by_idx ON service_reports
    (resolved_by) WHERE resolved_by IS NOT NULL;
CREATE INDEX service_suggestions_decided_by_idx ON service_suggestions
    (decided_by) WHERE decided_by IS NOT NULL;

-- The listings at a place: the organisation's page counts them, and a
-- place is removed only when none runs there.
CREATE INDEX services_locations_idx ON services USING gin (locations);

-- Reports and referral outcomes about a listing received from another
-- node go to the listing's home, whose managers and coordinators act on
-- them (docs/protocol.md section 8.9).  What this node owes a home node
-- waits here until the home takes it, or refuses it for good; nothing
-- in it names the person who made it.
CREATE TABLE directory_notes (
	id		uuid PRIMARY KEY,
	home		uuid NOT NULL,
	service		uuid NOT NULL,
	kind		text NOT NULL CHECK (kind IN ('report', 'referral')),
	topic		text CHECK (topic IN ('closed', 'phone', 'address',
			    'hours', 'website', 'other')),
	details		text CHECK (length(details) <= 1000),
	outcome		text CHECK (outcome IN ('attended', 'not_attended',
			    'declined', 'no_response', 'closed')),
	created		timestamptz NOT NULL DEFAULT now(),
	entry		text,
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt	timestamptz NOT NULL DEFAULT now(),
	last_error	text,
	CHECK ((kind = 'report') = (topic IS NOT NULL)),
	CHECK ((kind = 'referral') = (outcome IS NOT NULL))
);
CREATE INDEX directory_notes_due_idx ON directory_notes (home,
    next_attempt);
CREATE INDEX directory_notes_created_idx ON directory_notes (created);
CREATE TRIGGER directory_notes_wake
	AFTER INSERT OR UPDATE OF next_attempt ON directory_notes
	FOR EACH ROW WHEN (NEW.next_attempt < now() + interval '30 seconds')
	EXECUTE FUNCTION acorn_courier_wake();

-- At the home node: which node a report or referral outcome came from,
-- and its id there, so that one sent twice is taken once.
ALTER TABLE service_reports ADD COLUMN from_node uuid,
    ADD COLUMN remote_id uuid UNIQUE;
ALTER TABLE service_referrals ADD COLUMN from_node uuid,
    ADD COLUMN remote_id uuid UNIQUE;
CREATE INDEX service_reports_from_idx ON service_reports (service,
    from_node, created) WHERE from_node IS NOT NULL;
CREATE INDEX service_referrals_from_idx ON service_referrals (service,
    from_node, recorded) WHERE from_node IS NOT NULL;

-- A note from node sender about listing sid of this node: a report
-- (topic, details) or a referral outcome.  'new' when taken now, 'again'
-- when it was taken before, 'unknown' when this node holds no such
-- listing of its own, 'busy' when the sender has sent as many about the
-- listing in the last day as one node may (5 reports, 100 outcomes),
-- so that no node, however trusted, floods its managers or its figures.
CREATE FUNCTION acorn_directory_note(nid uuid, sender uuid, what text,
    sid uuid, p_topic text, p_details text, p_outcome text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	taken bigint;
BEGIN
	PERFORM 1 FROM services s WHERE s.id = sid AND NOT s.deleted
	    AND s.origin = (SELECT id FROM node);
	IF NOT FOUND THEN
		RETURN 'unknown';
	END IF;
	IF EXISTS (SELECT 1 FROM service_reports r WHERE r.remote_id = nid)
	    OR EXISTS (SELECT 1 FROM service_referrals f
	    WHERE f.remote_id = nid) THEN
		RETURN 'again';
	END IF;
	IF what = 'report' AND (SELECT count(*) FROM service_reports r
	    WHERE r.service = sid AND r.from_node = sender
	    AND r.created > now() - interval '1 day') >= 5
	    OR what = 'referral' AND (SELECT count(*) FROM service_referrals f
	    WHERE f.service = sid AND f.from_node = sender
	    AND f.recorded > now() - interval '1 day') >= 100 THEN
		RETURN 'busy';
	END IF;
	IF what = 'report' THEN
		INSERT INTO service_reports (service, topic, details,
		    from_node, remote_id)
		VALUES (sid, p_topic, coalesce(p_details, ''), sender, nid)
		ON CONFLICT (remote_id) DO NOTHING RETURNING id INTO taken;
	ELSE
		INSERT INTO service_referrals (service, outcome, from_node,
		    remote_id)
		VALUES (sid, p_outcome, sender, nid)
		ON CONFLICT (remote_id) DO NOTHING RETURNING id INTO taken;
	END IF;
	RETURN CASE WHEN taken IS NULL THEN 'again' ELSE 'new' END;
END
$$;
INSERT INTO unwatched_tables (name, why) VALUES
	('directory_notes', 'owed to other nodes; never shown');

-- A region's own needs and activities travel with the listings tagged
-- with them: each service entry carries the terms of its own that not
-- every node ships (docs/protocol.md section 5), and a receiver adds
-- them to its vocabulary, marked with the node they came from (origin;
-- NULL for the terms Acorn ships and this node's own).  Names are
-- unique among this node's terms; a received one may share a name and
-- is shown with where it comes from.
ALTER TABLE taxonomy_terms ADD COLUMN origin uuid;
DROP INDEX taxonomy_terms_name_idx;
CREATE UNIQUE INDEX taxonomy_terms_name_idx ON taxonomy_terms (lower(name))
    WHERE origin IS NULL;

-- The terms of a listing (its terms) not every node has, for its entry:
-- {"taxonomy_terms": [{id, code, name, description}]}, or {} when none.
CREATE FUNCTION acorn_service_vocabulary(terms uuid[]) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN count(*) = 0 THEN '{}'::jsonb
	    ELSE jsonb_build_object('taxonomy_terms', jsonb_agg(
		jsonb_build_object('id', t.id, 'code', t.code, 'name', t.name,
		'description', t.description) ORDER BY t.code)) END
	FROM taxonomy_terms t
	WHERE t.id = ANY (terms) AND (t.local OR t.origin IS NOT NULL)
$$;

-- The terms a service entry from node sender carries (rec, its record),
-- added to the vocabulary or, when they came from sender before,
-- brought up to date; the first 20, and those that fit.  A code this
-- node uses for another term takes a suffix of the term's id.  A term
-- is never changed by a node it did not come from.  The terms taken.
CREATE FUNCTION acorn_terms_received(rec jsonb, sender uuid)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	e	jsonb;
	tid	uuid;
	c	text;
	n	integer := 0;
BEGIN
	IF jsonb_typeof(rec->'taxonomy_terms') IS DISTINCT FROM 'array' THEN
		RETURN 0;
	END IF;
	FOR e IN SELECT x FROM jsonb_array_elements(rec->'taxonomy_terms') x
	    LIMIT 20 LOOP
		CONTINUE WHEN jsonb_typeof(e) <> 'object'
		    OR NOT coalesce(e->>'id' ~ ('^[0-9a-f]{8}-[0-9a-f]{4}-'
		    '[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'), false)
		    OR NOT coalesce(e->>'code' ~ '^[a-z0-9_]{1,40}$', false)
		    OR coalesce(length(e->>'name'), 0) NOT BETWEEN 1 AND 80
		    OR length(coalesce(e->>'description', '')) > 500;
		tid := (e->>'id')::uuid;
		c := e->>'code';
		IF EXISTS (SELECT 1 FROM taxonomy_terms
		    WHERE code = c AND id <> tid) THEN
			c := left(c, 33) || '_' ||
			    left(replace(tid::text, '-', ''), 6);
			CONTINUE WHEN EXISTS (SELECT 1 FROM taxonomy_terms
			    WHERE code = c AND id <> tid);
		END IF;
		INSERT INTO taxonomy_terms (id, code, name, description,
		    origin)
		VALUES (tid, c, e->>'name', coalesce(e->>'description', ''),
		    sender)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name,
		    description = excluded.description
		WHERE taxonomy_terms.origin = sender;
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

-- An organisation whole, for the ORUK API's /organizations/{id}: what
-- the list shows, its phone, its places and its services as the
-- services list shows them.
CREATE FUNCTION acorn_oruk_organization_full(o organisations)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT acorn_oruk_organization(o) || jsonb_strip_nulls(
	    jsonb_build_object(
	    'phones', CASE WHEN nullif(o.phone, '') IS NOT NULL THEN
		jsonb_build_array(jsonb_build_object('id',
		acorn_oruk_id(o.id || ':phone'), 'organization_id', o.id,
		'number', o.phone)) END,
	    'locations', (SELECT jsonb_agg(acorn_oruk_location(l)
		ORDER BY lower(l.name), l.id) FROM locations l
		WHERE l.organisation = o.id AND NOT l.deleted),
	    'services', (SELECT jsonb_agg(acorn_oruk_service_list(s, o)
		ORDER BY lower(s.name), s.id) FROM services s
		WHERE s.organisation = o.id AND NOT s.deleted)))
$$;
