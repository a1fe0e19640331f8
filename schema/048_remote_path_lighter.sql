-- Acorn schema, version 48: less work for each outcome a member's node
-- applies, and for each address it looks up.
--
-- Where a node's inbox is (acorn_node_url) was one query over three
-- sources ordered by preference, which PostgreSQL answers by reading
-- all three (asking acorn_may_describe of every node entry about the
-- node) before it takes the first: half a millisecond for each request
-- sent in a storm of registrations.  It now asks each source in turn
-- and stops at the first that knows, with the same answer.
CREATE OR REPLACE FUNCTION acorn_node_url(who uuid) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	u text;
BEGIN
	SELECT p.url INTO u FROM peers p WHERE p.node = who;
	IF FOUND THEN
		RETURN u;
	END IF;
	SELECT n.url INTO u FROM nodes n WHERE n.origin = who
	    AND n.subject = who AND NOT n.deleted;
	IF FOUND THEN
		RETURN u;
	END IF;
	SELECT n.url INTO u FROM nodes n WHERE n.subject = who
	    AND NOT n.deleted AND acorn_may_describe(n.origin, n.subject)
	    LIMIT 1;
	RETURN u;
END
$$;

-- Applying an outcome (acorn_away_outcome) wrote the request's row three
-- times, each a new version of the row with its index entries: the
-- outcome, when the member was told, and the tries forgotten once the
-- newest version is acknowledged.  It is now written once, the same
-- values in one UPDATE; the member is told as before.
CREATE OR REPLACE FUNCTION acorn_away_outcome(p_id uuid, p_host uuid,
    p_status text, p_position bigint, p_what text, p_outcome integer,
    p_acked integer, p_joining text, p_base text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	a	away_registrations%ROWTYPE;
	tell	boolean;
BEGIN
	SELECT * INTO a FROM away_registrations WHERE id = p_id
	    AND host = p_host FOR UPDATE;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	tell := (a.status, a.position, a.why, a.joining) IS DISTINCT FROM
	    (p_status, p_position, p_what, p_joining) OR
	    (p_what = 'event_changed' AND
	    coalesce(a.told <= now() - interval '1 hour', true));
	a.delivered := greatest(a.delivered, least(p_acked, a.version));
	tell := tell AND (a.wanted = 'registered' OR
	    a.delivered = a.version);
	UPDATE away_registrations SET status = p_status,
	    position = p_position, why = p_what, outcome = p_outcome,
	    delivered = a.delivered, joining = p_joining, changed = now(),
	    told = CASE WHEN tell THEN now() ELSE told END,
	    attempts = CASE WHEN a.delivered = version THEN 0
		ELSE attempts END,
	    last_error = CASE WHEN a.delivered = version THEN NULL
		ELSE last_error END
	    WHERE id = p_id;
	IF tell THEN
		PERFORM acorn_tell_away(p_id, p_what, p_base);
	END IF;
END
$$;
