-- Acorn schema, version 57: an event's mix of people, by stakeholder
-- group and by region.
--
-- The group someone gives when they register without a profile here (a
-- guest; someone registered from another node, as their node sends
-- it): optional, and one of the network's groups.
ALTER TABLE registrations ADD COLUMN stakeholder text
    CHECK (stakeholder IN ('gp', 'link_worker', 'social_care',
    'public_health', 'commissioner', 'vcse', 'academic',
    'local_authority', 'citizen'));

-- Who is coming to event ev, as counts of places (a group booked
-- together counts each person) confirmed and waiting: by_what 'group'
-- (the member's stakeholder group, as their profile gives it, or as
-- given at registration) and 'region' (the member's region; for
-- someone registered from another node, that node's region).  code is NULL where nothing says: a guest
-- who gave no group, a guest's region, or a profile that leaves it out.
-- Counts only: nothing about anyone.
CREATE FUNCTION acorn_event_mix(ev uuid)
RETURNS TABLE (by_what text, code text, confirmed bigint, waiting bigint)
LANGUAGE sql STABLE AS $$
	WITH p AS (
		SELECT r.status, r.places,
		    coalesce(m.stakeholder, r.stakeholder) AS grp,
		    CASE WHEN r.home IS NOT NULL THEN (SELECT k.region
			FROM known_nodes k WHERE k.id = r.home)
		    ELSE m.region END AS region
		FROM registrations r
		LEFT JOIN accounts a ON a.id = r.account
		LEFT JOIN members m ON m.id = a.member
		WHERE r.event = ev AND r.status IN ('confirmed', 'waiting'))
	SELECT 'group', grp,
	    coalesce(sum(places) FILTER (WHERE status = 'confirmed'), 0),
	    coalesce(sum(places) FILTER (WHERE status = 'waiting'), 0)
	FROM p GROUP BY grp
	UNION ALL
	SELECT 'region', region,
	    coalesce(sum(places) FILTER (WHERE status = 'confirmed'), 0),
	    coalesce(sum(places) FILTER (WHERE status = 'waiting'), 0)
	FROM p GROUP BY region
$$;

-- The group a guest gives with their registration reg, set as the
-- registering statement makes it (a function, so that it sees the row
-- that statement has just made).
CREATE FUNCTION acorn_registration_group(reg bigint, grp text)
RETURNS void
LANGUAGE sql VOLATILE AS $$
	UPDATE registrations SET stakeholder = grp WHERE id = reg
$$;
