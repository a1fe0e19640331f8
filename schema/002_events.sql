-- Acorn schema, version 2: events, their place types and questions, and
-- registrations with a waiting list.
--
-- Places are taken here, in the database, under the place type's row lock:
-- every function below that changes who holds a place first locks the
-- place type with SELECT ... FOR UPDATE, so registrations, cancellations,
-- promotions and capacity changes for one place type happen one at a
-- time, in the order their transactions reached the lock.  The CHECK on
-- place_types makes overselling impossible even for a caller that forgot.
--
-- The waiting list is strictly first come, first served: a new
-- registration waits whenever anyone is already waiting, and freed places
-- go to the longest-waiting entry.  A group (several places booked
-- together) is confirmed whole or waits whole; while a group at the head
-- of the list does not fit, the places stay free for it and nobody behind
-- it overtakes (a coordinator can promote someone by hand).

-- Events: shared records, like member profiles.
CREATE TABLE events (
	id		uuid PRIMARY KEY,
	origin		uuid NOT NULL,
	version		integer NOT NULL DEFAULT 1 CHECK (version > 0),
	updated		timestamptz NOT NULL DEFAULT now(),
	deleted		boolean NOT NULL DEFAULT false,
	seq		bigint NOT NULL,
	entry		text,
	title		text,
	description	text,
	kind		text CHECK (kind IN ('conference', 'regional_meeting',
			    'webinar', 'workshop')),
	starts		timestamptz,
	ends		timestamptz,
	venue		text,
	address		text,
	online_url	text,
	organiser	text,
	organiser_email	text,
	region		text,
	status		text NOT NULL DEFAULT 'draft'
	    CHECK (status IN ('draft', 'published', 'cancelled')),
	-- Registration is open from reg_opens (or publication) until
	-- reg_closes (or the start), unless a coordinator closed it.
	reg_opens	timestamptz,
	reg_closes	timestamptz,
	reg_closed	boolean NOT NULL DEFAULT false,
	created_by	bigint REFERENCES accounts (id) ON DELETE SET NULL,
	search		tsvector GENERATED ALWAYS AS (
	    setweight(to_tsvector('simple',
	        translate(coalesce(title, ''), '<>', '  ')), 'A') ||
	    setweight(to_tsvector('simple',
	        translate(coalesce(venue, ''), '<>', '  ')), 'B')
	) STORED,
	CHECK (deleted OR (title IS NOT NULL AND kind IS NOT NULL AND
	    starts IS NOT NULL AND ends IS NOT NULL AND region IS NOT NULL)),
	CHECK (ends >= starts),
	CHECK (reg_opens IS NULL OR reg_closes IS NULL OR
	    reg_closes > reg_opens)
);
CREATE TRIGGER events_seq BEFORE INSERT OR UPDATE ON events
	FOR EACH ROW EXECUTE FUNCTION acorn_take_seq();
CREATE UNIQUE INDEX events_seq_idx ON events (seq);
CREATE INDEX events_starts_idx ON events (starts) WHERE NOT deleted;

-- Private from here on: never federated.

CREATE TABLE place_types (
	id		bigserial PRIMARY KEY,
	event		uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	name		text NOT NULL,
	capacity	integer NOT NULL CHECK (capacity >= 0),
	taken		integer NOT NULL DEFAULT 0,
	position	integer NOT NULL DEFAULT 0,
	CONSTRAINT place_types_not_oversold
	    CHECK (taken >= 0 AND taken <= capacity),
	UNIQUE (event, name)
);

-- Questions asked at registration.  Access and dietary needs are kinds of
-- their own so that the attendee list and export can find them.
CREATE TABLE questions (
	id		bigserial PRIMARY KEY,
	event		uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	kind		text NOT NULL CHECK (kind IN ('access', 'dietary',
			    'text', 'yesno', 'choice')),
	label		text NOT NULL,
	choices		text[],
	required	boolean NOT NULL DEFAULT false,
	position	integer NOT NULL DEFAULT 0,
	CHECK ((kind = 'choice') = (choices IS NOT NULL))
);

-- Arrival order: taken while the place type is locked, so it is the order
-- in which registrations were decided.
CREATE SEQUENCE registration_arrival;

CREATE TABLE registrations (
	id		bigserial PRIMARY KEY,
	ref		uuid NOT NULL UNIQUE,
	event		uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	place_type	bigint REFERENCES place_types (id),
	account		bigint REFERENCES accounts (id) ON DELETE SET NULL,
	name		text NOT NULL,
	email		text NOT NULL,
	organisation	text,
	-- Places booked together (a carer and the person they support):
	-- confirmed together or waiting together.
	places		integer NOT NULL DEFAULT 1 CHECK (places BETWEEN 1 AND 10),
	role		text NOT NULL DEFAULT 'attendee' CHECK (role IN
			    ('attendee', 'organiser', 'speaker', 'helper')),
	status		text NOT NULL CHECK (status IN ('unconfirmed',
			    'confirmed', 'waiting', 'cancelled')),
	arrival		bigint,
	public		boolean NOT NULL DEFAULT false,
	-- The hidden key of the form that made it: a form sent twice
	-- registers once.
	request_key	text UNIQUE,
	created		timestamptz NOT NULL DEFAULT now(),
	changed		timestamptz NOT NULL DEFAULT now(),
	attended	timestamptz,
	-- Attendees hold places; organisers, speakers and helpers do not.
	CHECK ((role = 'attendee') = (place_type IS NOT NULL)),
	CHECK (status <> 'waiting' OR arrival IS NOT NULL)
);
-- One live registration per person per event.
CREATE UNIQUE INDEX registrations_person_idx
	ON registrations (event, lower(email)) WHERE status <> 'cancelled';
CREATE INDEX registrations_waiting_idx
	ON registrations (place_type, arrival) WHERE status = 'waiting';
CREATE INDEX registrations_account_idx ON registrations (account);

CREATE TABLE answers (
	registration	bigint NOT NULL REFERENCES registrations (id)
	    ON DELETE CASCADE,
	question	bigint NOT NULL REFERENCES questions (id)
	    ON DELETE CASCADE,
	value		text NOT NULL,
	PRIMARY KEY (registration, question)
);

-- Errors the functions raise, by SQLSTATE:
--   AC001  registration for this event is not open
--   AC002  no such place type
--   AC003  the group is larger than the place type's capacity
--   AC004  capacity below the places already taken
--   AC005  the person is already registered for this event

-- 1-based position on the waiting list, or NULL when not waiting.
CREATE FUNCTION acorn_waiting_position(p_registration bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT count(*) FROM registrations w, registrations r
	WHERE r.id = p_registration AND r.status = 'waiting'
	  AND w.place_type = r.place_type AND w.status = 'waiting'
	  AND w.arrival <= r.arrival
	HAVING count(*) > 0
$$;

-- Confirms waiting entries in arrival order while they fit.  The caller
-- holds the place type's lock.  Returns the registrations promoted.
CREATE FUNCTION acorn_promote(p_place_type bigint) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
	pt	place_types%ROWTYPE;
	w	registrations%ROWTYPE;
BEGIN
	SELECT * INTO STRICT pt FROM place_types WHERE id = p_place_type;
	FOR w IN SELECT * FROM registrations
	    WHERE place_type = p_place_type AND status = 'waiting'
	    ORDER BY arrival
	LOOP
		EXIT WHEN pt.taken + w.places > pt.capacity;
		UPDATE registrations SET status = 'confirmed', changed = now()
		WHERE id = w.id;
		pt.taken := pt.taken + w.places;
		RETURN NEXT w.id;
	END LOOP;
	UPDATE place_types SET taken = pt.taken WHERE id = p_place_type;
END
$$;

-- Registers someone for a place type: confirmed if the places are free
-- and nobody is waiting, otherwise on the waiting list.  A form sent again
-- (same request key) gets back what the first sending got.
CREATE FUNCTION acorn_register(p_place_type bigint, p_account bigint,
    p_name text, p_email text, p_organisation text, p_places integer,
    p_public boolean, p_request_key text)
RETURNS TABLE (registration bigint, ref uuid, status text,
    waiting_position bigint, repeated boolean)
LANGUAGE plpgsql AS $$
DECLARE
	pt	place_types%ROWTYPE;
	ev	events%ROWTYPE;
	r	registrations%ROWTYPE;
	st	text;
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
	SELECT * INTO STRICT ev FROM events WHERE id = pt.event;
	IF ev.deleted OR ev.status <> 'published' OR ev.reg_closed
	    OR now() < coalesce(ev.reg_opens, '-infinity')
	    OR now() >= coalesce(ev.reg_closes, ev.starts) THEN
		RAISE EXCEPTION 'registration is not open' USING ERRCODE = 'AC001';
	END IF;
	IF p_places > pt.capacity THEN
		RAISE EXCEPTION 'group larger than capacity'
		    USING ERRCODE = 'AC003';
	END IF;
	IF EXISTS (SELECT 1 FROM registrations x WHERE x.event = pt.event
	    AND lower(x.email) = lower(p_email) AND x.status <> 'cancelled') THEN
		RAISE EXCEPTION 'already registered' USING ERRCODE = 'AC005';
	END IF;
	IF pt.taken + p_places <= pt.capacity AND NOT EXISTS (
	    SELECT 1 FROM registrations x
	    WHERE x.place_type = p_place_type AND x.status = 'waiting') THEN
		st := 'confirmed';
		UPDATE place_types SET taken = taken + p_places
		WHERE id = p_place_type;
	ELSE
		st := 'waiting';
	END IF;
	INSERT INTO registrations (ref, event, place_type, account, name,
	    email, organisation, places, status, arrival, public, request_key)
	VALUES (gen_random_uuid(), pt.event, p_place_type, p_account, p_name,
	    p_email, p_organisation, p_places, st,
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

-- Cancels a registration or takes it off the waiting list, and promotes
-- whoever the freed places now fit.  Returns the registrations promoted.
-- Cancelling twice is not an error and promotes nobody.
CREATE FUNCTION acorn_cancel(p_registration bigint) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
	r	registrations%ROWTYPE;
BEGIN
	SELECT * INTO r FROM registrations WHERE id = p_registration;
	IF NOT FOUND OR r.status = 'cancelled' THEN
		RETURN;
	END IF;
	IF r.place_type IS NULL THEN
		UPDATE registrations SET status = 'cancelled', changed = now()
		WHERE id = p_registration;
		RETURN;
	END IF;
	PERFORM 1 FROM place_types WHERE id = r.place_type FOR UPDATE;
	-- Read again under the lock: a promotion may have changed it.
	SELECT * INTO STRICT r FROM registrations WHERE id = p_registration;
	IF r.status = 'cancelled' THEN
		RETURN;
	END IF;
	IF r.status = 'confirmed' THEN
		UPDATE place_types SET taken = taken - r.places
		WHERE id = r.place_type;
	END IF;
	UPDATE registrations SET status = 'cancelled', changed = now()
	WHERE id = p_registration;
	RETURN QUERY SELECT acorn_promote(r.place_type);
END
$$;

-- Changes a place type's capacity.  Lowering it below the places already
-- taken is refused (AC004) rather than dropping anyone; raising it
-- promotes from the waiting list.  Returns the registrations promoted.
CREATE FUNCTION acorn_set_capacity(p_place_type bigint, p_capacity integer)
RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
	pt	place_types%ROWTYPE;
BEGIN
	SELECT * INTO pt FROM place_types WHERE id = p_place_type FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such place type' USING ERRCODE = 'AC002';
	END IF;
	IF p_capacity < pt.taken THEN
		RAISE EXCEPTION '% places are already taken', pt.taken
		    USING ERRCODE = 'AC004';
	END IF;
	UPDATE place_types SET capacity = p_capacity WHERE id = p_place_type;
	RETURN QUERY SELECT acorn_promote(p_place_type);
END
$$;

-- A coordinator confirms one waiting entry out of turn, if its places
-- are free.  Returns 1 row when promoted, none otherwise.
CREATE FUNCTION acorn_promote_one(p_registration bigint) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
	r	registrations%ROWTYPE;
	pt	place_types%ROWTYPE;
BEGIN
	SELECT * INTO r FROM registrations WHERE id = p_registration;
	IF NOT FOUND OR r.place_type IS NULL THEN
		RETURN;
	END IF;
	SELECT * INTO pt FROM place_types WHERE id = r.place_type FOR UPDATE;
	SELECT * INTO STRICT r FROM registrations WHERE id = p_registration;
	IF r.status <> 'waiting' OR pt.taken + r.places > pt.capacity THEN
		RETURN;
	END IF;
	UPDATE place_types SET taken = taken + r.places WHERE id = pt.id;
	UPDATE registrations SET status = 'confirmed', changed = now()
	WHERE id = p_registration;
	RETURN NEXT p_registration;
END
$$;

-- Mail waiting to be sent.  A mail server that is down loses nothing: the
-- sender retries with backoff until it is accepted.
CREATE TABLE outbox (
	id		bigserial PRIMARY KEY,
	recipient	text NOT NULL,
	subject		text NOT NULL,
	body		text NOT NULL,
	created		timestamptz NOT NULL DEFAULT now(),
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt	timestamptz NOT NULL DEFAULT now(),
	sent		timestamptz,
	last_error	text
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt) WHERE sent IS NULL;

-- Queues the mail that tells someone what happened to their registration,
-- in the same transaction as the change itself.  p_base is the node's
-- public URL.  Titles are single lines (the forms refuse line breaks), so
-- no header can be smuggled into the subject.
CREATE FUNCTION acorn_tell(p_registration bigint, p_what text,
    p_base text) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO outbox (recipient, subject, body)
	SELECT r.email,
	    CASE p_what
	    WHEN 'confirmed' THEN 'Your place at ' || e.title
	    WHEN 'promoted' THEN 'A place has come up for you: ' || e.title
	    WHEN 'waiting' THEN 'You are on the waiting list: ' || e.title
	    WHEN 'cancelled' THEN 'Your registration is cancelled: ' || e.title
	    WHEN 'event_cancelled' THEN 'Cancelled: ' || e.title
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
	    END || e.title || ', on '
	    || to_char(e.starts AT TIME ZONE 'Europe/London',
	        'FMDay FMDD FMMonth YYYY "at" HH24:MI')
	    || E'.\n\n'
	    || CASE p_what
	    WHEN 'waiting' THEN E'If a place becomes free we will give it to '
	        || E'the next person on the list\nand email you straight away.\n\n'
	    ELSE '' END
	    || E'Details and your registrations:\n' || p_base || '/events/'
	    || e.id || E'\n' || p_base || E'/registrations\n'
	FROM registrations r JOIN events e ON e.id = r.event
	WHERE r.id = p_registration
$$;
