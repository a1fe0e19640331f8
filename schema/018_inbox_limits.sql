-- Acorn schema, version 18: what the inbox takes from other nodes.
--
-- An event says whether members of other nodes may register for it
-- through their home nodes (accept_remote, published in its entry when
-- it does not).  Each other node may hold so many registrations for one
-- event here, and send so many new requests a minute; beyond them the
-- inbox refuses (docs/protocol.md, section 8).  The limits themselves
-- are the node's configuration, given to acorn_inbox_admit.

ALTER TABLE events ADD COLUMN accept_remote boolean NOT NULL DEFAULT true;

-- When a request was first received, for the rate.
ALTER TABLE inbox_requests ADD COLUMN received timestamptz NOT NULL
	DEFAULT now();
CREATE INDEX inbox_requests_home_idx ON inbox_requests (home, received);
CREATE INDEX inbox_requests_home_event_idx ON inbox_requests (home, event)
	WHERE registration IS NOT NULL;

-- Whether a new request from node p_home, for event p_event, is taken:
-- NULL when it is, else why not: 'rate' (more than p_rate new requests
-- in the last minute; nothing is recorded, the home node sends it
-- again later), 'closed' (the event takes no registrations from other
-- nodes) or 'quota' (p_quota of the node's registrations already hold a
-- place or wait for one).  The requests of one home node are decided one
-- at a time, under a lock held to the end of the caller's transaction,
-- so that requests sent at once cannot all slip under a limit.
CREATE FUNCTION acorn_inbox_admit(p_home uuid, p_event uuid,
    p_quota integer, p_rate integer) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(7234020, hashtext(p_home::text));
	IF (SELECT count(*) FROM inbox_requests WHERE home = p_home
	    AND received > now() - interval '1 minute') >= p_rate THEN
		RETURN 'rate';
	END IF;
	IF NOT (SELECT accept_remote FROM events WHERE id = p_event) THEN
		RETURN 'closed';
	END IF;
	IF (SELECT count(*) FROM inbox_requests i
	    JOIN registrations r ON r.id = i.registration
	    WHERE i.home = p_home AND i.event = p_event
	    AND r.status IN ('confirmed', 'waiting')) >= p_quota THEN
		RETURN 'quota';
	END IF;
	RETURN NULL;
END
$$;

-- A new request refused before it came near a place ('closed',
-- 'quota'): recorded as acorn_register_remote records a refusal by the
-- rules, so that it is answered the same way every time it is sent.
CREATE FUNCTION acorn_inbox_refuse(p_home uuid, p_request uuid,
    p_version integer, p_digest text, p_event uuid, p_what text)
RETURNS void
LANGUAGE sql AS $$
	INSERT INTO inbox_requests (home, request, version, digest, event,
	    ref, what, next_attempt)
	VALUES (p_home, p_request, p_version, p_digest, p_event,
	    gen_random_uuid(), p_what, now() + interval '1 minute');
$$;

-- Why a host refused a request, in words for the member.
CREATE OR REPLACE FUNCTION acorn_refusal(p_why text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_why
	WHEN 'not_open' THEN 'registration is not open'
	WHEN 'full_group' THEN 'there are not that many places of that kind'
	WHEN 'already_registered' THEN 'you are already registered for it'
	WHEN 'no_place' THEN 'that kind of place is no longer offered'
	WHEN 'answers' THEN 'the answers did not fit the questions asked'
	WHEN 'unreadable' THEN 'it could not read the request'
	WHEN 'closed' THEN 'this event takes registrations from its own'
	    || ' members only'
	WHEN 'quota' THEN 'it has taken as many registrations from this node'
	    || ' as it takes for one event'
	ELSE 'the organisers gave no reason' END
$$;
