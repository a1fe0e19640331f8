-- Acorn schema, version 49: a registration from another node takes
-- fewer statements on each side.
--
-- Each statement is a round trip between a node and its database, which
-- costs both of them processor time (waking the other side) whatever the
-- statement does; in a storm of registrations from another node they
-- were most of the work.
--
-- The host: taking a request's lock, asking whether the event is held
-- here and reading what is held of the request were three statements;
-- acorn_inbox_hold is one.  Each statement of a PL/pgSQL function sees
-- what was committed before it ran, so the reads come after the lock
-- as before.  The lock is the one feeds/inbox.c took (LOCK_INBOX, on the
-- home node's id and the request's as the entry gave them).
CREATE FUNCTION acorn_inbox_hold(p_home text, p_request text,
    p_event text, p_digest text, OUT here boolean, OUT version integer,
    OUT same_event boolean, OUT same_digest boolean)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(7234019, hashtext(p_home || p_request));
	here := EXISTS (SELECT 1 FROM events e, node n
	    WHERE e.id = p_event::uuid AND e.origin = n.id);
	SELECT i.version, i.event = p_event::uuid, i.digest = p_digest
	    INTO version, same_event, same_digest
	    FROM inbox_requests i
	    WHERE i.home = p_home::uuid AND i.request = p_request::uuid
	    FOR UPDATE;
END
$$;

-- The home node: an outcome was a transaction of its own around a check
-- (is the request made here, held by that node, for that event, and is
-- the outcome newer) and acorn_away_outcome, which read the row again
-- and wrote it three times, each a new version of the row with its index
-- entries: the outcome, when the member was told, and the tries
-- forgotten once the newest version is acknowledged.  acorn_away_apply
-- is all of it in one statement, the row read once and written once:
-- 404 when the request is not one made here for that event held by that
-- node, 204 when it was applied or had been already.  The member is told
-- as before.
CREATE FUNCTION acorn_away_apply(p_id uuid, p_host uuid, p_event uuid,
    p_status text, p_position bigint, p_what text, p_outcome integer,
    p_acked integer, p_joining text, p_base text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	a	away_registrations%ROWTYPE;
	tell	boolean;
BEGIN
	SELECT * INTO a FROM away_registrations WHERE id = p_id FOR UPDATE;
	IF NOT FOUND OR a.host IS DISTINCT FROM p_host OR
	    a.event IS DISTINCT FROM p_event THEN
		RETURN 404;
	END IF;
	IF a.outcome >= p_outcome THEN
		RETURN 204;		-- had it already
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
	RETURN 204;
END
$$;

DROP FUNCTION acorn_away_outcome(uuid, uuid, text, bigint, text, integer,
    integer, text, text);
