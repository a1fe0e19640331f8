-- Acorn schema, version 32: where an event stands, for everyone and for
-- the person looking, in one place; and a short reference for every
-- registration that a person can read out on the phone.

-- A reference is eight characters of Crockford's base 32 (no I, L, O or
-- U, so nothing is mistaken for 1 or 0), written XXXX-XXXX.  Each comes
-- from one sequence shared by the registrations here and the ones this
-- node's members make at other nodes' events.  The number is multiplied
-- by an odd constant modulo 32^8 before it is written: that is a
-- bijection, so references stay unique, and they do not count up in a
-- way that says how many registrations a node has taken.
CREATE SEQUENCE registration_reference;

CREATE FUNCTION acorn_reference(p_n bigint) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	digits	constant text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
	x	bigint := ((p_n::numeric * 722817249331) %
		    1099511627776)::bigint;
	s	text := '';
BEGIN
	FOR i IN 1..8 LOOP
		s := substr(digits, (x % 32)::integer + 1, 1) || s;
		x := x / 32;
	END LOOP;
	RETURN substr(s, 1, 4) || '-' || substr(s, 5, 4);
END
$$;

-- Existing rows get theirs as the column is added (the default is
-- volatile, so each row takes its own number).
ALTER TABLE registrations ADD COLUMN reference text NOT NULL
	DEFAULT acorn_reference(nextval('registration_reference'));
ALTER TABLE registrations ADD CONSTRAINT registrations_reference_key
	UNIQUE (reference);
ALTER TABLE away_registrations ADD COLUMN reference text NOT NULL
	DEFAULT acorn_reference(nextval('registration_reference'));
ALTER TABLE away_registrations ADD CONSTRAINT
	away_registrations_reference_key UNIQUE (reference);

-- Where an event stands, as its tag says it, for the person with
-- account p_account (NULL for a visitor), most telling first:
--
--   cancelled, past, draft   whatever else is true
--   booked, waiting          the person's own place or waiting position,
--                            here or, for another node's event, as its
--                            host last told this node
--   closed                   registration closed, or its closing passed
--   opens                    registration has not opened yet
--   full                     no place of any type is free to take (a
--                            type with people waiting has none to take)
--   few                      10 places or fewer free to take; left says
--                            how many.  A number rather than a share:
--                            "4 places left" is what makes someone act,
--                            whether the hall holds 20 or 400
--   open                     otherwise, and always for another node's
--                            event, whose places are counted where it is
--                            held
CREATE FUNCTION acorn_event_status(e events, p_account bigint,
    OUT status text, OUT left_places bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	local	boolean := e.origin = (SELECT id FROM node);
	mine	text;
BEGIN
	left_places := NULL;
	IF e.status = 'cancelled' THEN
		status := 'cancelled';
		RETURN;
	ELSIF e.ends < now() THEN
		status := 'past';
		RETURN;
	ELSIF e.status = 'draft' THEN
		status := 'draft';
		RETURN;
	END IF;
	IF p_account IS NOT NULL AND local THEN
		SELECT r.status INTO mine FROM registrations r
		WHERE r.event = e.id AND r.account = p_account
		    AND r.status IN ('confirmed', 'waiting');
	ELSIF p_account IS NOT NULL THEN
		SELECT a.status INTO mine FROM away_registrations a
		WHERE a.event = e.id AND a.account = p_account
		    AND a.wanted = 'registered'
		    AND a.status IN ('confirmed', 'waiting');
	END IF;
	IF mine = 'confirmed' THEN
		status := 'booked';
		RETURN;
	ELSIF mine = 'waiting' THEN
		status := 'waiting';
		RETURN;
	END IF;
	IF e.reg_closed OR now() >= coalesce(e.reg_closes, e.starts) THEN
		status := 'closed';
		RETURN;
	ELSIF now() < coalesce(e.reg_opens, '-infinity') THEN
		status := 'opens';
		RETURN;
	ELSIF NOT local THEN
		status := 'open';
		RETURN;
	END IF;
	SELECT coalesce(sum(pt.capacity - pt.taken) FILTER (WHERE NOT EXISTS
	    (SELECT 1 FROM registrations w WHERE w.place_type = pt.id
	    AND w.status = 'waiting')), 0)
	INTO left_places FROM place_types pt WHERE pt.event = e.id;
	IF left_places <= 0 THEN
		status := 'full';
		left_places := 0;
	ELSIF left_places <= 10 THEN
		status := 'few';
	ELSE
		status := 'open';
	END IF;
END
$$;

-- Every letter about a registration ends with its reference, so the
-- person can quote it.  As in version 16 (acorn_tell) and 26
-- (acorn_tell_away), then the reference is added to the letter just
-- queued: the outbox row this session inserted last, and only if it is
-- newer than any row there before the call (a registration whose event
-- is gone gets no letter, and no older letter is touched).
CREATE FUNCTION acorn_letter_reference(p_after bigint, p_reference text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE outbox SET body = body || E'\nYour reference: ' || p_reference
	    || E'\n'
	WHERE id = currval(pg_get_serial_sequence('outbox', 'id'))
	    AND id > p_after;
EXCEPTION WHEN object_not_in_prerequisite_state THEN
	-- No letter queued in this session yet: none to add it to.
	NULL;
END
$$;

CREATE OR REPLACE FUNCTION acorn_tell(p_registration bigint, p_what text,
    p_base text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r	registrations%ROWTYPE;
	last	bigint;
BEGIN
	SELECT * INTO r FROM registrations WHERE id = p_registration;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF r.home IS NOT NULL THEN
		-- next_attempt now: the trigger wakes the courier.
		UPDATE inbox_requests SET what = p_what,
		    out_version = out_version + 1, attempts = 0,
		    next_attempt = now(), last_error = NULL
		WHERE registration = p_registration;
		RETURN;
	END IF;
	SELECT coalesce(max(id), 0) INTO last FROM outbox;
	PERFORM acorn_letter(r.email, r.name, p_what,
	    acorn_waiting_position(r.id), r.role,
	    CASE WHEN r.guest THEN acorn_guest_key(r.id) END, r.event,
	    p_base);
	PERFORM acorn_letter_reference(last, r.reference);
END
$$;

CREATE OR REPLACE FUNCTION acorn_tell_away(p_id uuid, p_what text,
    p_base text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	a	away_registrations%ROWTYPE;
	last	bigint;
BEGIN
	SELECT * INTO a FROM away_registrations WHERE id = p_id;
	IF FOUND AND NOT a.erased THEN
		SELECT coalesce(max(id), 0) INTO last FROM outbox;
		PERFORM acorn_letter(a.email, a.name, p_what, a.position,
		    'attendee', NULL, a.event, p_base);
		PERFORM acorn_letter_reference(last, a.reference);
		UPDATE outbox o SET member = ac.member FROM accounts ac
		WHERE ac.id = a.account AND o.id > last
		    AND o.recipient = a.email AND o.member IS NULL;
	END IF;
END
$$;
