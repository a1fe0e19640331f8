-- Acorn schema, version 44: a storm of registrations from another node
-- decided as fast as one made here.
--
-- The requests of one home node are decided one at a time, under that
-- node's lock (acorn_inbox_admit), and the rate of its entries was
-- counted under the same lock (acorn_inbox_arrive).  So every entry a
-- node sent, even one only being counted, waited for the decision in
-- progress; and the decision summed the places the node holds by joining
-- every request it ever sent to its registration, which grew with every
-- one decided.  A storm of 400 went at 50 a second at first and 12 by the
-- end, each waiting its turn.  Now:
--
-- - the rate is counted under a lock of its own (LOCK_INBOX_ARRIVE),
--   which is held only for the count;
-- - the places a node holds for an event are read from the event's
--   registrations made for that node's members, by the index on them.

CREATE OR REPLACE FUNCTION acorn_inbox_arrive(p_origin uuid, p_rate integer,
    p_window interval) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(7234023, hashtext(p_origin::text));
	DELETE FROM inbox_arrivals WHERE origin = p_origin
	    AND at <= now() - p_window;
	IF (SELECT count(*) FROM inbox_arrivals
	    WHERE origin = p_origin) >= p_rate THEN
		RETURN false;
	END IF;
	INSERT INTO inbox_arrivals (origin) VALUES (p_origin);
	RETURN true;
END
$$;

-- A registration a node's member holds here names the node (home) and
-- the member there (home_member), and only acorn_register_remote makes
-- one: the same set as that node's requests joined to their
-- registrations, read from registrations_remote_live_idx.
CREATE OR REPLACE FUNCTION acorn_inbox_admit(p_home uuid, p_event uuid,
    p_places integer, p_quota integer) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(7234022, hashtext(p_home::text));
	IF NOT (SELECT accept_remote FROM events WHERE id = p_event) THEN
		RETURN 'closed';
	END IF;
	IF (SELECT coalesce(sum(r.places), 0) FROM registrations r
	    WHERE r.event = p_event AND r.home = p_home
	    AND r.home_member IS NOT NULL
	    AND r.status IN ('confirmed', 'waiting')) + p_places > p_quota THEN
		RETURN 'quota';
	END IF;
	RETURN NULL;
END
$$;
