-- Acorn schema, version 45: the functions every registration and every
-- delivery calls are planned once per connection, not at every call.
--
-- A SQL function that PostgreSQL cannot fold into its caller (any with a
-- FROM, called for its value) has its query parsed and planned again at
-- every call; a PL/pgSQL function keeps its plans for the connection.
-- Where a node's inbox is (acorn_node_url) took a millisecond a call on
-- the home node of a storm of registrations, two calls each; a waiting
-- list position was asked three times a registration.  The bodies are
-- the same queries as before (002, 006, 016, 017, 027), parameters named
-- by number where a name could also be a column's.

CREATE OR REPLACE FUNCTION acorn_may_describe(origin uuid, subject uuid)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN $1 = $2 OR $1 = (SELECT n.id FROM node n) OR
	    EXISTS (SELECT 1 FROM peers p WHERE p.node = $1 AND p.hub);
END
$$;

CREATE OR REPLACE FUNCTION acorn_node_url(who uuid) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT u.url FROM (
	    SELECT p.url, 1 AS o FROM peers p WHERE p.node = $1
	    UNION ALL SELECT n.url, 2 FROM nodes n WHERE n.subject = $1
	    AND n.origin = $1 AND NOT n.deleted
	    UNION ALL SELECT n.url, 3 FROM nodes n WHERE n.subject = $1
	    AND NOT n.deleted AND acorn_may_describe(n.origin, n.subject)) u
	    ORDER BY u.o LIMIT 1);
END
$$;

-- Two queries, not one joining registrations to itself: planned once,
-- the join could be a walk through every waiting place for each.
CREATE OR REPLACE FUNCTION acorn_waiting_position(p_registration bigint)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	pt	registrations.place_type%TYPE;
	at	registrations.arrival%TYPE;
BEGIN
	SELECT r.place_type, r.arrival INTO pt, at FROM registrations r
	    WHERE r.id = p_registration AND r.status = 'waiting';
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	RETURN (SELECT count(*) FROM registrations w
	    WHERE w.place_type = pt AND w.status = 'waiting'
	    AND w.arrival <= at);
END
$$;

-- Each kind of person asked about by its own query, so that each is
-- planned once with the index that finds them: one query whose CASE
-- chose at every call was, planned once for any person, a walk through
-- every place held at the event, under the place type's lock.
CREATE OR REPLACE FUNCTION acorn_registered(p_event uuid, p_account bigint,
    p_home uuid, p_home_member uuid, p_email text, p_except bigint)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_account IS NOT NULL THEN
		RETURN EXISTS (SELECT 1 FROM registrations x
		    WHERE x.event = p_event AND x.account = p_account
		    AND x.status IN ('confirmed', 'waiting')
		    AND x.id IS DISTINCT FROM p_except);
	ELSIF p_home IS NOT NULL THEN
		RETURN EXISTS (SELECT 1 FROM registrations x
		    WHERE x.event = p_event AND x.home = p_home
		    AND x.home_member = p_home_member
		    AND x.status IN ('confirmed', 'waiting')
		    AND x.id IS DISTINCT FROM p_except);
	END IF;
	RETURN EXISTS (SELECT 1 FROM registrations x
	    WHERE x.event = p_event AND x.account IS NULL AND x.home IS NULL
	    AND lower(x.email) = lower(p_email)
	    AND x.status IN ('confirmed', 'waiting')
	    AND x.id IS DISTINCT FROM p_except);
END
$$;

CREATE OR REPLACE FUNCTION acorn_open(p_event uuid) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT NOT e.deleted AND e.status = 'published'
	    AND NOT e.reg_closed
	    AND now() >= coalesce(e.reg_opens, '-infinity')
	    AND now() < coalesce(e.reg_closes, e.starts)
	    FROM events e WHERE e.id = p_event);
END
$$;
