-- Acorn schema, version 41: a peer's pings are answered at once while
-- its pulls find something, and spaced by ping_gap only once pulls of it
-- find nothing.
--
-- Until now every pull a ping asked for came at least ping_gap after the
-- one the ping before asked for, so a peer that changed twice within the
-- gap had its second change wait for the gap at every hop.  The gap is
-- there because anyone can send a ping in a peer's name: what a flood of
-- pings looks like is pulls that find nothing.  So the gap now falls on
-- those pulls only.  Each pull that finds nothing (no entry after this
-- node's cursors, or a peer that did not answer) owes one gap; a ping is
-- answered at once while the peer owes less than PING_CREDIT gaps, and
-- otherwise when enough of that has passed (a "generic cell rate"
-- bucket: PING_CREDIT pulls that find nothing at once, then one a gap).
-- A pull that finds something owes nothing, so an honest peer's pings,
-- each made after a change, are never held back; the few that find
-- nothing (a change already read by a pull running when its ping came,
-- a node starting) are forgiven.  Anyone's pings can make this node pull
-- a peer at most once more for each change the peer makes, plus
-- PING_CREDIT pulls and then one a gap.
--
-- ping_owed: when the peer owes nothing any more (the bucket's
-- theoretical time); NULL when it never owed anything.
-- pull_started: when the newest pull of the peer started; a ping whose
-- pull has not started yet (pinged later than it) needs nothing more,
-- so a flood of pings is seen without a lock while one is waiting.
ALTER TABLE peers ADD COLUMN ping_owed timestamptz;
ALTER TABLE peers ADD COLUMN pull_started timestamptz;

-- How many pulls that find nothing a peer's pings may ask for at once.
CREATE FUNCTION acorn_ping_credit() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 3 $$;

-- A ping from peer node sender.  A sender that is not a peer changes
-- nothing.  Answers the peer's id when its puller is to look again at
-- when it is due (and tells it, acorn_ping), NULL otherwise.
CREATE OR REPLACE FUNCTION acorn_peer_ping(sender uuid, gap interval)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	p peers%ROWTYPE;
	due timestamptz;
BEGIN
	SELECT * INTO p FROM peers WHERE node = sender;
	IF NOT FOUND OR p.pinged > coalesce(p.pull_started, '-infinity') THEN
		RETURN NULL;	-- a pull is asked for that has not started
	END IF;
	SELECT * INTO p FROM peers WHERE id = p.id FOR UPDATE;
	IF NOT FOUND OR p.pinged > coalesce(p.pull_started, '-infinity') THEN
		RETURN NULL;
	END IF;
	due := greatest(now(), p.ping_owed - (acorn_ping_credit() - 1) * gap);
	UPDATE peers SET pinged = due,
	    next_attempt = least(next_attempt, due) WHERE id = p.id;
	IF due >= p.next_attempt THEN
		RETURN NULL;		-- due by then anyway
	END IF;
	PERFORM pg_notify('acorn_ping', p.id::text);
	RETURN p.id;
END $$;

-- A pull of peer id that started at started found nothing: the peer
-- did not answer, or had nothing after this node's cursors.  It owes a
-- gap (see above), and a ping that came while it ran, whose pull was
-- to follow it at once, is held back as though it came now.
CREATE FUNCTION acorn_peer_found_nothing(id bigint, started timestamptz,
    gap interval) RETURNS void
LANGUAGE sql AS $$
	UPDATE peers p SET ping_owed = o.owed,
	    pinged = CASE WHEN p.pinged > started THEN greatest(p.pinged,
		o.owed - (acorn_ping_credit() - 1) * gap) ELSE p.pinged END
	FROM (SELECT greatest(q.ping_owed, started) + gap AS owed
	    FROM peers q WHERE q.id = acorn_peer_found_nothing.id) o
	WHERE p.id = acorn_peer_found_nothing.id
$$;
