-- Acorn schema, version 21: a collection that cannot be pulled says so on
-- its own, and pings cannot make a node pull a peer more than once in a
-- few seconds.
--
-- error, error_at: why the last pull of this collection from this peer
-- stopped (a page or entry over the limits, a page that does not parse,
-- the peer's answer), until a pull of it succeeds.  The other
-- collections of the peer are pulled all the same.
ALTER TABLE peer_cursors ADD COLUMN error text;
ALTER TABLE peer_cursors ADD COLUMN error_at timestamptz;

-- pinged: when the last pull a ping asked for was (or will be) due.
ALTER TABLE peers ADD COLUMN pinged timestamptz;

-- A ping from peer node sender.  Pings carry nothing and need nothing,
-- so they only move the peer's next pull earlier, never closer than gap
-- to the one the ping before asked for: a flood of pings costs one pull
-- each gap.  A sender that is not a peer changes nothing.  Answers the
-- peer's id when its puller is to look again at when it is due (and
-- tells it, acorn_ping), NULL otherwise.
CREATE FUNCTION acorn_peer_ping(sender uuid, gap interval) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	p peers%ROWTYPE;
	due timestamptz;
BEGIN
	SELECT * INTO p FROM peers WHERE node = sender FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF p.pinged IS NULL OR p.pinged <= now() - gap THEN
		due := now();
	ELSIF p.pinged > now() THEN
		RETURN NULL;		-- a pull is asked for already
	ELSE
		due := p.pinged + gap;
	END IF;
	UPDATE peers SET pinged = due,
	    next_attempt = least(next_attempt, due) WHERE id = p.id;
	IF due >= p.next_attempt THEN
		RETURN NULL;		-- due by then anyway
	END IF;
	PERFORM pg_notify('acorn_ping', p.id::text);
	RETURN p.id;
END $$;
