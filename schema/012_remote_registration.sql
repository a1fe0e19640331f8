-- Acorn schema, version 12: registering for another node's event.
--
-- A member registers on their home node; the home node sends a signed
-- registration entry to the inbox of the node holding the event (the
-- host), which decides under the same place type lock as its own
-- registrations and answers with a signed outcome.  Later changes travel
-- the same way, between the two inboxes (docs/protocol.md, section 8).
-- Each side keeps what it has to send in a table with three versions:
-- the newest, the one signed, and the one the other side acknowledged.

-- The place types and questions of a received event, as its host
-- publishes them; ref is the host's id for each.  A received place type
-- holds no places here (capacity 0): the host decides.
ALTER TABLE place_types ADD COLUMN ref bigint;
ALTER TABLE questions ADD COLUMN ref bigint;
CREATE UNIQUE INDEX place_types_ref_idx ON place_types (event, ref)
	WHERE ref IS NOT NULL;
CREATE UNIQUE INDEX questions_ref_idx ON questions (event, ref)
	WHERE ref IS NOT NULL;

-- An event's place types and questions are part of its entry: changing
-- them (but not the places taken) publishes the event again.
CREATE FUNCTION acorn_event_offer_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	ev uuid;
BEGIN
	IF TG_OP = 'DELETE' THEN
		ev := OLD.event;
	ELSE
		ev := NEW.event;
	END IF;
	UPDATE events SET updated = now()
	WHERE id = ev AND origin = (SELECT id FROM node) AND NOT deleted;
	RETURN NULL;
END
$$;
CREATE TRIGGER place_types_offer AFTER INSERT OR DELETE OR
	UPDATE OF name, position ON place_types
	FOR EACH ROW EXECUTE FUNCTION acorn_event_offer_changed();
CREATE TRIGGER questions_offer AFTER INSERT OR DELETE OR UPDATE
	ON questions
	FOR EACH ROW EXECUTE FUNCTION acorn_event_offer_changed();

-- Host side.  A registration made from another node names that node.
ALTER TABLE registrations ADD COLUMN home uuid;

-- What the host knows of each registration request, and the outcome it
-- owes the home node.  registration is NULL when the request was
-- refused (or cancelled before it was ever decided).  what is the last
-- thing to tell: confirmed, waiting, promoted, cancelled,
-- event_cancelled, event_changed, or a refusal (not_open, full_group,
-- already_registered, no_place, answers).
CREATE TABLE inbox_requests (
	home		uuid NOT NULL,
	request		uuid NOT NULL,
	version		integer NOT NULL CHECK (version > 0),
	-- SHA-256 of the request's signed text at that version: the same
	-- version again must be the same entry.
	digest		text NOT NULL,
	event		uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	registration	bigint UNIQUE REFERENCES registrations (id)
	    ON DELETE SET NULL,
	ref		uuid NOT NULL UNIQUE,
	what		text NOT NULL,
	out_version	integer NOT NULL DEFAULT 1,
	out_signed	integer NOT NULL DEFAULT 0,
	out_entry	text,
	delivered	integer NOT NULL DEFAULT 0,
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt	timestamptz NOT NULL DEFAULT now(),
	last_error	text,
	PRIMARY KEY (home, request)
);
CREATE INDEX inbox_requests_due_idx ON inbox_requests (next_attempt)
	WHERE delivered < out_version;

-- Home side.  A member's registration for a received event: what they
-- asked for (wanted, at version), the signed request for that version,
-- the version the host has answered, and what the host said.
CREATE TABLE away_registrations (
	id		uuid PRIMARY KEY,
	event		uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	host		uuid NOT NULL,
	account		bigint REFERENCES accounts (id) ON DELETE SET NULL,
	name		text NOT NULL,
	email		text NOT NULL,
	organisation	text,
	place_ref	bigint NOT NULL,
	place_name	text NOT NULL,
	places		integer NOT NULL CHECK (places BETWEEN 1 AND 10),
	public		boolean NOT NULL DEFAULT false,
	-- [{"question": host's id, "label": ..., "value": ...}]
	answers		jsonb NOT NULL DEFAULT '[]',
	request_key	text UNIQUE,
	wanted		text NOT NULL DEFAULT 'registered'
	    CHECK (wanted IN ('registered', 'cancelled')),
	erased		boolean NOT NULL DEFAULT false,
	version		integer NOT NULL DEFAULT 1,
	signed		integer NOT NULL DEFAULT 0,
	entry		text,
	delivered	integer NOT NULL DEFAULT 0,
	status		text NOT NULL DEFAULT 'pending' CHECK (status IN
			    ('pending', 'confirmed', 'waiting', 'cancelled',
			    'refused')),
	position	bigint,
	why		text,
	joining		text,		-- an online event's way in, once confirmed
	outcome		integer NOT NULL DEFAULT 0,
	created		timestamptz NOT NULL DEFAULT now(),
	changed		timestamptz NOT NULL DEFAULT now(),
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt	timestamptz NOT NULL DEFAULT now(),
	last_error	text
);
-- One live request per person per event, as for local registrations.
CREATE UNIQUE INDEX away_person_idx ON away_registrations
	(event, lower(email))
	WHERE wanted = 'registered' AND status NOT IN ('cancelled', 'refused');
CREATE INDEX away_due_idx ON away_registrations (next_attempt)
	WHERE delivered < version;
CREATE INDEX away_account_idx ON away_registrations (account);

-- The words of every registration mail, local or away, in one place.
CREATE FUNCTION acorn_letter(p_recipient text, p_name text, p_what text,
    p_position bigint, p_role text, p_guest_key text, p_event uuid,
    p_base text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO outbox (recipient, subject, body)
	SELECT p_recipient,
	    CASE p_what
	    WHEN 'confirmed' THEN 'Your place at ' || e.title
	    WHEN 'promoted' THEN 'A place has come up for you: ' || e.title
	    WHEN 'waiting' THEN 'You are on the waiting list: ' || e.title
	    WHEN 'cancelled' THEN 'Your registration is cancelled: ' || e.title
	    WHEN 'event_cancelled' THEN 'Cancelled: ' || e.title
	    WHEN 'event_changed' THEN 'Changed: ' || e.title
	    WHEN 'unconfirmed' THEN 'Confirm your registration: ' || e.title
	    WHEN 'role' THEN 'You are on the team for ' || e.title
	    ELSE 'Your registration was not accepted: ' || e.title
	    END,
	    'Dear ' || p_name || E',\n\n' ||
	    CASE p_what
	    WHEN 'confirmed' THEN 'You have a place at '
	    WHEN 'promoted' THEN 'A place has become free and it is yours. '
	        || 'You now have a place at '
	    WHEN 'waiting' THEN 'The event is full, so you are number '
	        || p_position || ' on the waiting list for '
	    WHEN 'cancelled' THEN 'Your registration has been cancelled for '
	    WHEN 'event_cancelled' THEN 'We are sorry: the organisers have '
	        || 'cancelled '
	    WHEN 'event_changed' THEN 'The organisers have changed the '
	        || 'details of '
	    WHEN 'unconfirmed' THEN 'Please confirm that you want to '
	        || 'register for '
	    WHEN 'role' THEN 'You are down as ' || CASE p_role
	        WHEN 'organiser' THEN 'an organiser' ELSE 'a ' || p_role END
	        || ' at '
	    ELSE 'The organisers could not accept your registration ('
	        || acorn_refusal(p_what) || ') for '
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
	        || p_guest_key || E'\n\nUntil you confirm, no place is held '
	        || E'for you. If you did not ask to register,\nignore this '
	        || E'email and nothing more will happen.\n\n'
	    WHEN 'event_changed' THEN E'Please check the new details on the '
	        || E'event page.\n\n'
	    ELSE '' END
	    || CASE WHEN p_what = 'unconfirmed' THEN ''
	    WHEN p_guest_key IS NOT NULL THEN E'The event, and your '
	        || E'registration (to see it or cancel it):\n' || p_base
	        || '/events/' || e.id || E'\n' || p_base
	        || '/registrations/guest/' || p_guest_key || E'\n'
	    ELSE E'Details and your registrations:\n' || p_base || '/events/'
	        || e.id || E'\n' || p_base || E'/registrations\n' END
	FROM events e WHERE e.id = p_event;
END
$$;

-- Why a host refused a request, in words for the member.
CREATE FUNCTION acorn_refusal(p_why text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_why
	WHEN 'not_open' THEN 'registration is not open'
	WHEN 'full_group' THEN 'there are not that many places of that kind'
	WHEN 'already_registered' THEN 'your email address is already registered'
	WHEN 'no_place' THEN 'that kind of place is no longer offered'
	WHEN 'answers' THEN 'the answers did not fit the questions asked'
	WHEN 'unreadable' THEN 'it could not read the request'
	ELSE 'the organisers gave no reason' END
$$;

-- Telling someone what happened to their registration.  A registration
-- made from another node is told through that node: the outcome it is
-- owed moves on a version, and the courier signs and delivers it.
CREATE OR REPLACE FUNCTION acorn_tell(p_registration bigint, p_what text,
    p_base text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r	registrations%ROWTYPE;
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
	PERFORM acorn_letter(r.email, r.name, p_what,
	    acorn_waiting_position(r.id), r.role, r.guest_key, r.event,
	    p_base);
END
$$;

-- The same for a member's registration at another node's event.
CREATE FUNCTION acorn_tell_away(p_id uuid, p_what text, p_base text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	a	away_registrations%ROWTYPE;
BEGIN
	SELECT * INTO a FROM away_registrations WHERE id = p_id;
	IF FOUND AND NOT a.erased THEN
		PERFORM acorn_letter(a.email, a.name, p_what, a.position,
		    'attendee', NULL, a.event, p_base);
	END IF;
END
$$;

-- The courier sleeps until the next try it knows of, or 30 seconds at
-- most; a row whose next try comes sooner than that wakes it (an erasure,
-- say, or a retry after a failure).  A request a member's page is
-- sending itself (its next try a minute off) does not.
CREATE FUNCTION acorn_courier_wake() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('acorn_courier', '');
	RETURN NULL;
END
$$;
CREATE TRIGGER away_registrations_wake
	AFTER INSERT OR UPDATE OF version, next_attempt ON away_registrations
	FOR EACH ROW WHEN (NEW.delivered < NEW.version
	    AND NEW.next_attempt < now() + interval '30 seconds')
	EXECUTE FUNCTION acorn_courier_wake();
CREATE TRIGGER inbox_requests_wake
	AFTER UPDATE OF next_attempt ON inbox_requests
	FOR EACH ROW WHEN (NEW.delivered < NEW.out_version
	    AND NEW.next_attempt < now() + interval '30 seconds')
	EXECUTE FUNCTION acorn_courier_wake();

-- The host's decision on a new request from another node, in one
-- statement, so the place type's lock is held no longer than for a local
-- registration: the place or the waiting list as acorn_register decides,
-- the registration marked as the home node's, its answers, and what the
-- host owes the home node.  A refusal by the rules is recorded too (with
-- no registration), to be answered the same way every time.  p_place is
-- NULL when the answers did not fit the questions.  Returns what to tell.
CREATE FUNCTION acorn_register_remote(p_home uuid, p_request uuid,
    p_version integer, p_digest text, p_event uuid, p_place bigint,
    p_name text, p_email text, p_organisation text, p_places integer,
    p_public boolean, p_questions bigint[], p_answers text[])
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	g	record;
	reg	bigint;
	ref	uuid;
	what	text;
BEGIN
	IF p_place IS NULL THEN
		what := 'answers';
	ELSIF NOT EXISTS (SELECT 1 FROM place_types WHERE id = p_place
	    AND event = p_event AND place_types.ref IS NULL) THEN
		what := 'no_place';
	ELSE
		BEGIN
			SELECT * INTO STRICT g FROM acorn_register(p_place,
			    NULL, p_name, p_email, p_organisation, p_places,
			    p_public, 'inbox:' || p_home || ':' || p_request);
			reg := g.registration;
			ref := g.ref;
			what := g.status;
			UPDATE registrations SET home = p_home WHERE id = reg;
			INSERT INTO answers (registration, question, value)
			SELECT reg, a.q, a.v
			FROM unnest(p_questions, p_answers) AS a (q, v);
		EXCEPTION
			WHEN SQLSTATE 'AC001' THEN what := 'not_open';
			WHEN SQLSTATE 'AC002' THEN what := 'no_place';
			WHEN SQLSTATE 'AC003' THEN what := 'full_group';
			WHEN SQLSTATE 'AC005' THEN what := 'already_registered';
		END;
	END IF;
	INSERT INTO inbox_requests (home, request, version, digest, event,
	    registration, ref, what, next_attempt)
	VALUES (p_home, p_request, p_version, p_digest, p_event, reg,
	    coalesce(ref, gen_random_uuid()), what,
	    now() + interval '1 minute');
	RETURN what;
END
$$;

-- Cancels a registration (as acorn_cancel does) and tells whoever moves
-- up; the person is told p_what too, unless it is NULL (an erased
-- account's owner is not written to).  Every way of cancelling one
-- registration, by its person, an organiser, another node or an erasure,
-- goes through here.  Returns the mails and outcomes it queued.
CREATE FUNCTION acorn_cancel_told(p_registration bigint, p_what text,
    p_base text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	x	bigint;
	n	integer := 0;
BEGIN
	FOR x IN SELECT acorn_cancel(p_registration) LOOP
		PERFORM acorn_tell(x, 'promoted', p_base);
		n := n + 1;
	END LOOP;
	IF p_what IS NOT NULL THEN
		PERFORM acorn_tell(p_registration, p_what, p_base);
		n := n + 1;
	END IF;
	RETURN n;
END
$$;
