-- Registration, second part: guests who confirm by email, answers to an
-- event's questions, organisers and helpers, changed and cancelled events.

-- A guest registers with a name and an email address.  Until they follow
-- the link sent to that address the registration is 'unconfirmed': it
-- holds no place and no position on the waiting list, and it lapses at
-- confirm_by.  guest_key is the secret in every link a guest is sent (to
-- confirm, to see and to cancel); members use their account instead.
ALTER TABLE registrations ADD COLUMN guest_key text UNIQUE;
ALTER TABLE registrations ADD COLUMN confirm_by timestamptz;
CREATE INDEX registrations_unconfirmed_idx ON registrations (confirm_by)
	WHERE status = 'unconfirmed';

-- Only a registration holding a place or a position counts as the
-- person's one registration for an event: an unconfirmed guest form (which
-- anybody could send with anybody's address) blocks nobody.
DROP INDEX registrations_person_idx;
CREATE UNIQUE INDEX registrations_person_idx
	ON registrations (event, lower(email))
	WHERE status IN ('confirmed', 'waiting');

-- A question no longer asked keeps the answers already given.
ALTER TABLE questions ADD COLUMN retired boolean NOT NULL DEFAULT false;

-- Is registration for the event open at this moment?
CREATE FUNCTION acorn_open(p_event uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT NOT e.deleted AND e.status = 'published' AND NOT e.reg_closed
	    AND now() >= coalesce(e.reg_opens, '-infinity')
	    AND now() < coalesce(e.reg_closes, e.starts)
	FROM events e WHERE e.id = p_event
$$;

-- The one decision, made with the place type's row lock held: a place
-- when the group fits and nobody is waiting ahead, otherwise the list.
CREATE FUNCTION acorn_take(p_place_type bigint, p_places integer)
RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE place_types SET taken = taken + p_places
	WHERE id = p_place_type AND taken + p_places <= capacity
	  AND NOT EXISTS (SELECT 1 FROM registrations x
	      WHERE x.place_type = p_place_type AND x.status = 'waiting');
	IF FOUND THEN
		RETURN 'confirmed';
	END IF;
	RETURN 'waiting';
END
$$;

CREATE OR REPLACE FUNCTION acorn_register(p_place_type bigint,
    p_account bigint, p_name text, p_email text, p_organisation text,
    p_places integer, p_public boolean, p_request_key text)
RETURNS TABLE (registration bigint, ref uuid, status text,
    waiting_position bigint, repeated boolean)
LANGUAGE plpgsql AS $$
DECLARE
	pt	place_types%ROWTYPE;
	r	registrations%ROWTYPE;
BEGIN
	SELECT * INTO pt FROM place_types WHERE id = p_place_type FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such place type' USING ERRCODE = 'AC002';
	END IF;
	SELECT * INTO r FROM registrations
	WHERE request_key = p_request_key;
	IF FOUND THEN
		RETURN QUERY SELECT r.id, r.ref, r.status,
		    acorn_waiting_position(r.id), true;
		RETURN;
	END IF;
	IF NOT acorn_open(pt.event) THEN
		RAISE EXCEPTION 'registration is not open' USING ERRCODE = 'AC001';
	END IF;
	IF p_places > pt.capacity THEN
		RAISE EXCEPTION 'group larger than capacity'
		    USING ERRCODE = 'AC003';
	END IF;
	IF EXISTS (SELECT 1 FROM registrations x WHERE x.event = pt.event
	    AND lower(x.email) = lower(p_email)
	    AND x.status IN ('confirmed', 'waiting')) THEN
		RAISE EXCEPTION 'already registered' USING ERRCODE = 'AC005';
	END IF;
	INSERT INTO registrations (ref, event, place_type, account, name,
	    email, organisation, places, status, arrival, public, request_key)
	VALUES (gen_random_uuid(), pt.event, p_place_type, p_account, p_name,
	    p_email, p_organisation, p_places,
	    acorn_take(p_place_type, p_places),
	    nextval('registration_arrival'), p_public, p_request_key)
	RETURNING * INTO r;
	RETURN QUERY SELECT r.id, r.ref, r.status,
	    acorn_waiting_position(r.id), false;
EXCEPTION WHEN unique_violation THEN
	-- Another tab registered the same person for another place type
	-- of this event at the same moment.
	RAISE EXCEPTION 'already registered' USING ERRCODE = 'AC005';
END
$$;

-- A guest's form: kept unconfirmed, holding nothing, until the link in
-- the email is followed.  Whether the address is already registered is
-- not said here, only at confirmation, so the form tells a stranger
-- nothing about who is coming.
CREATE FUNCTION acorn_register_guest(p_place_type bigint, p_name text,
    p_email text, p_organisation text, p_places integer, p_public boolean,
    p_request_key text, p_guest_key text)
RETURNS TABLE (registration bigint, guest_key text, repeated boolean)
LANGUAGE plpgsql AS $$
DECLARE
	pt	place_types%ROWTYPE;
	r	registrations%ROWTYPE;
BEGIN
	SELECT * INTO pt FROM place_types WHERE id = p_place_type;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such place type' USING ERRCODE = 'AC002';
	END IF;
	SELECT * INTO r FROM registrations
	WHERE request_key = p_request_key;
	IF FOUND THEN
		RETURN QUERY SELECT r.id, r.guest_key, true;
		RETURN;
	END IF;
	IF NOT acorn_open(pt.event) THEN
		RAISE EXCEPTION 'registration is not open' USING ERRCODE = 'AC001';
	END IF;
	IF p_places > pt.capacity THEN
		RAISE EXCEPTION 'group larger than capacity'
		    USING ERRCODE = 'AC003';
	END IF;
	-- Forms never confirmed are personal data kept for nothing: a week
	-- after their link lapsed they go, with their answers.
	DELETE FROM registrations x WHERE x.status = 'unconfirmed'
	    AND x.confirm_by < now() - interval '7 days';
	-- Nobody can use the form to fill a stranger's inbox.
	IF (SELECT count(*) FROM registrations x
	    WHERE lower(x.email) = lower(p_email) AND x.status = 'unconfirmed'
	      AND x.created > now() - interval '1 hour') >= 3 THEN
		RAISE EXCEPTION 'too many unconfirmed registrations'
		    USING ERRCODE = 'AC007';
	END IF;
	INSERT INTO registrations (ref, event, place_type, name, email,
	    organisation, places, status, public, request_key, guest_key,
	    confirm_by)
	VALUES (gen_random_uuid(), pt.event, p_place_type, p_name, p_email,
	    p_organisation, p_places, 'unconfirmed', p_public, p_request_key,
	    p_guest_key, now() + interval '2 days')
	RETURNING * INTO r;
	RETURN QUERY SELECT r.id, r.guest_key, false;
END
$$;

-- The guest followed the link: now, and only now, the place is decided,
-- and the arrival number taken, under the place type's lock.  Following
-- the link again changes nothing and answers the same.
CREATE FUNCTION acorn_confirm(p_guest_key text)
RETURNS TABLE (registration bigint, status text, waiting_position bigint,
    changed boolean)
LANGUAGE plpgsql AS $$
DECLARE
	r	registrations%ROWTYPE;
BEGIN
	SELECT * INTO r FROM registrations WHERE guest_key = p_guest_key;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	PERFORM 1 FROM place_types WHERE id = r.place_type FOR UPDATE;
	SELECT * INTO STRICT r FROM registrations WHERE id = r.id;
	IF r.status <> 'unconfirmed' THEN
		RETURN QUERY SELECT r.id, r.status,
		    acorn_waiting_position(r.id), false;
		RETURN;
	END IF;
	IF r.confirm_by < now() THEN
		RAISE EXCEPTION 'confirmation link expired'
		    USING ERRCODE = 'AC006';
	END IF;
	IF NOT acorn_open(r.event) THEN
		RAISE EXCEPTION 'registration is not open' USING ERRCODE = 'AC001';
	END IF;
	IF EXISTS (SELECT 1 FROM place_types WHERE id = r.place_type
	    AND capacity < r.places) THEN
		RAISE EXCEPTION 'group larger than capacity'
		    USING ERRCODE = 'AC003';
	END IF;
	IF EXISTS (SELECT 1 FROM registrations x WHERE x.event = r.event
	    AND lower(x.email) = lower(r.email)
	    AND x.status IN ('confirmed', 'waiting')) THEN
		RAISE EXCEPTION 'already registered' USING ERRCODE = 'AC005';
	END IF;
	UPDATE registrations x
	SET status = acorn_take(r.place_type, r.places),
	    arrival = nextval('registration_arrival'), confirm_by = NULL,
	    changed = now()
	WHERE x.id = r.id
	RETURNING * INTO r;
	RETURN QUERY SELECT r.id, r.status, acorn_waiting_position(r.id),
	    true;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'already registered' USING ERRCODE = 'AC005';
END
$$;

-- Cancelling an event cancels every registration; nobody is promoted.
-- Returns the registrations that held a place or a position, to be told.
CREATE FUNCTION acorn_cancel_event(p_event uuid) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM place_types WHERE event = p_event ORDER BY id
	FOR UPDATE;
	UPDATE events SET status = 'cancelled', version = version + 1,
	    updated = now()
	WHERE id = p_event AND status <> 'cancelled' AND NOT deleted;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	UPDATE place_types SET taken = 0 WHERE event = p_event;
	UPDATE registrations SET status = 'cancelled', changed = now()
	WHERE event = p_event AND status = 'unconfirmed';
	RETURN QUERY UPDATE registrations SET status = 'cancelled',
	    changed = now()
	WHERE event = p_event AND status IN ('confirmed', 'waiting')
	RETURNING id;
END
$$;

-- The mail for every change, queued in the same transaction as the
-- change.  Guests get links carrying their key; members their account's
-- registrations page.  PL/pgSQL, so the statement is planned once per
-- connection rather than on every call: this runs while the place type's
-- lock is held.
CREATE OR REPLACE FUNCTION acorn_tell(p_registration bigint, p_what text,
    p_base text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO outbox (recipient, subject, body)
	SELECT r.email,
	    CASE p_what
	    WHEN 'confirmed' THEN 'Your place at ' || e.title
	    WHEN 'promoted' THEN 'A place has come up for you: ' || e.title
	    WHEN 'waiting' THEN 'You are on the waiting list: ' || e.title
	    WHEN 'cancelled' THEN 'Your registration is cancelled: ' || e.title
	    WHEN 'event_cancelled' THEN 'Cancelled: ' || e.title
	    WHEN 'event_changed' THEN 'Changed: ' || e.title
	    WHEN 'unconfirmed' THEN 'Confirm your registration: ' || e.title
	    WHEN 'role' THEN 'You are on the team for ' || e.title
	    END,
	    'Dear ' || r.name || E',\n\n' ||
	    CASE p_what
	    WHEN 'confirmed' THEN 'You have a place at '
	    WHEN 'promoted' THEN 'A place has become free and it is yours. '
	        || 'You now have a place at '
	    WHEN 'waiting' THEN 'The event is full, so you are number '
	        || acorn_waiting_position(r.id) || ' on the waiting list for '
	    WHEN 'cancelled' THEN 'Your registration has been cancelled for '
	    WHEN 'event_cancelled' THEN 'We are sorry: the organisers have '
	        || 'cancelled '
	    WHEN 'event_changed' THEN 'The organisers have changed the '
	        || 'details of '
	    WHEN 'unconfirmed' THEN 'Please confirm that you want to '
	        || 'register for '
	    WHEN 'role' THEN 'You are down as ' || CASE r.role
	        WHEN 'organiser' THEN 'an organiser' ELSE 'a ' || r.role END
	        || ' at '
	    END || e.title || ', on '
	    || to_char(e.starts AT TIME ZONE 'Europe/London',
	        'FMDay FMDD FMMonth YYYY "at" HH24:MI')
	    || coalesce(', at ' || e.venue, '')
	    || E'.\n\n'
	    || CASE p_what
	    WHEN 'waiting' THEN E'If a place becomes free we will give it to '
	        || E'the next person on the list\nand email you straight away.\n\n'
	    WHEN 'unconfirmed' THEN E'Follow this link within 48 hours to '
	        || E'confirm:\n' || p_base || '/registrations/guest/'
	        || r.guest_key || E'\n\nUntil you confirm, no place is held '
	        || E'for you. If you did not ask to register,\nignore this '
	        || E'email and nothing more will happen.\n\n'
	    WHEN 'event_changed' THEN E'Please check the new details on the '
	        || E'event page.\n\n'
	    ELSE '' END
	    || CASE WHEN p_what = 'unconfirmed' THEN ''
	    WHEN r.guest_key IS NOT NULL THEN E'The event, and your '
	        || E'registration (to see it or cancel it):\n' || p_base
	        || '/events/' || e.id || E'\n' || p_base
	        || '/registrations/guest/' || r.guest_key || E'\n'
	    ELSE E'Details and your registrations:\n' || p_base || '/events/'
	        || e.id || E'\n' || p_base || E'/registrations\n' END
	FROM registrations r JOIN events e ON e.id = r.event
	WHERE r.id = p_registration;
END
$$;
