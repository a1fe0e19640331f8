-- Acorn schema, version 52: a ping's notification says which process
-- took it and which collections it named.
--
-- The process whose web server takes a ping tells its own puller at
-- once, with the collections the ping named, which the pull fetches
-- first; the other processes serving the node learn of the ping from
-- the notification acorn_peer_ping sends.  That notification named
-- the peer only, and reached the taking process too: its sync thread
-- could wake the puller before the handler had told it the news, and
-- the pull then went without it.  The note now carries what the
-- handler gives: its process's token (which that process passes over)
-- and the names of the collections, "PEER TOKEN NEWS".  The form with
-- two arguments stays, for a process not yet restarted, and sends the
-- peer alone, as before.
CREATE FUNCTION acorn_peer_ping(sender uuid, gap interval, note text)
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
	PERFORM pg_notify('acorn_ping', CASE WHEN coalesce(note, '') = ''
	    THEN p.id::text ELSE p.id::text || ' ' || left(note, 200) END);
	RETURN p.id;
END $$;

CREATE OR REPLACE FUNCTION acorn_peer_ping(sender uuid, gap interval)
RETURNS bigint
LANGUAGE sql AS $$
	SELECT acorn_peer_ping(sender, gap, NULL)
$$;
