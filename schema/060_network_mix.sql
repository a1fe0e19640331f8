-- Acorn schema, version 60: the network's mix at a glance.
--
-- Who the network is, by stakeholder group and region, comes from the
-- listed profiles every node already holds.  Who came to its events
-- comes from counts: once an event of this node is over, how many
-- people of each group came (checked in, when the event used check-in;
-- with a place, when it did not) is kept with the event and goes with
-- its entry to every node (the event field attendance), so that the hub
-- sees the whole network's and each region its own.  Counts only: no
-- name, and nothing that was not already shared, travels for this.

-- Whether a text is attendance as events.attendance keeps it (a node
-- takes another's only when it is).
CREATE FUNCTION acorn_attendance_valid(t text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT t IS NULL OR t ~ ('^' || g || '=[0-9]{1,6}(,' || g ||
	    '=[0-9]{1,6}){0,9}$')
	FROM (SELECT '(gp|link_worker|social_care|public_health|'
	    'commissioner|vcse|academic|local_authority|citizen|none)' AS g) x
$$;

-- "code=n" pairs joined by commas, a group's code or "none" for people
-- who gave none, in the network's order of groups.
ALTER TABLE events ADD COLUMN attendance text
    CHECK (acorn_attendance_valid(attendance));

-- The attendance of event ev as it stands, as events.attendance keeps
-- it; NULL when nobody came.
CREATE FUNCTION acorn_event_attendance(ev uuid) RETURNS text
LANGUAGE sql STABLE AS $$
	WITH door AS (SELECT EXISTS (SELECT 1 FROM registrations x
		WHERE x.event = ev AND x.attended IS NOT NULL) AS used),
	came AS (
		SELECT coalesce(r.stakeholder, m.stakeholder, 'none') AS grp,
		    r.places
		FROM registrations r
		LEFT JOIN accounts a ON a.id = r.account
		LEFT JOIN members m ON m.id = a.member, door
		WHERE r.event = ev AND r.role = 'attendee'
		  AND r.status = 'confirmed'
		  AND (NOT door.used OR r.attended IS NOT NULL))
	SELECT string_agg(grp || '=' || n, ',' ORDER BY array_position(
	    ARRAY['gp', 'link_worker', 'social_care', 'public_health',
	    'commissioner', 'vcse', 'academic', 'local_authority', 'citizen',
	    'none'], grp))
	FROM (SELECT grp, sum(places) AS n FROM came GROUP BY grp) c
$$;

-- Keeps the attendance of this node's events that are over, where it
-- changed (a late check-in, say): each change is a new version of the
-- event, published as any other.  Returns the events changed.
CREATE FUNCTION acorn_attendance_publish() RETURNS integer
LANGUAGE sql AS $$
	WITH c AS (
		SELECT e.id, acorn_event_attendance(e.id) AS counts
		FROM events e, node n
		WHERE e.origin = n.id AND NOT e.deleted
		  AND e.status = 'published' AND e.ends < now()
		  AND e.ends > now() - interval '1 year'),
	u AS (
		UPDATE events e SET attendance = c.counts
		FROM c WHERE e.id = c.id
		  AND e.attendance IS DISTINCT FROM c.counts
		RETURNING 1)
	SELECT count(*)::integer FROM u
$$;

-- Listed profiles, by group and by region (p_region, or every region
-- when NULL): by_what 'group' or 'region', code NULL where a profile
-- does not say.
CREATE FUNCTION acorn_network_members(p_region text)
RETURNS TABLE (by_what text, code text, people bigint)
LANGUAGE sql STABLE AS $$
	WITH m AS (
		SELECT m.stakeholder, m.region FROM members m
		LEFT JOIN accounts a ON a.member = m.id
		WHERE NOT m.deleted AND m.listed
		  AND (a.id IS NULL OR (a.confirmed IS NOT NULL AND
		      acorn_profile_ready(a.id, a.confirmed, a.status)))
		  AND (p_region IS NULL OR m.region = p_region))
	SELECT 'group', stakeholder, count(*) FROM m GROUP BY stakeholder
	UNION ALL
	SELECT 'region', region, count(*) FROM m GROUP BY region
$$;

-- Events over and who came, by quarter (its first day) and group, for
-- events of region p_region, or of every region when NULL.  A row with
-- code NULL counts the quarter's events.
CREATE FUNCTION acorn_network_attendance(p_region text)
RETURNS TABLE (quarter date, code text, people bigint)
LANGUAGE sql STABLE AS $$
	WITH e AS (
		SELECT e.id, e.attendance, date_trunc('quarter',
		    e.starts AT TIME ZONE 'Europe/London')::date AS q
		FROM events e
		WHERE NOT e.deleted AND e.status = 'published'
		  AND e.ends < now() AND e.attendance IS NOT NULL
		  AND (p_region IS NULL OR e.region = p_region))
	SELECT q, NULL, count(*) FROM e GROUP BY q
	UNION ALL
	SELECT e.q, split_part(x, '=', 1), sum(split_part(x, '=', 2)::bigint)
	FROM e, unnest(string_to_array(e.attendance, ',')) AS x
	GROUP BY 1, 2
$$;
CREATE INDEX events_over_idx ON events (ends)
	WHERE NOT deleted AND attendance IS NOT NULL;
