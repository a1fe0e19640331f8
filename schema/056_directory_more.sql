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
