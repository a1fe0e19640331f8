-- Acorn schema, version 16: a registration belongs to a person, never to
-- the address typed with it, and a guest's key is kept only as a hash.
--
-- Who a registration is for:
--   - a member of this node: their account (registrations.account);
--   - a member of another node: that node and its id for the member
--     (home, home_member), as the registration entry names them;
--   - anyone else (a guest, or a team member the coordinator added who
--     has no account here): the email address, among such rows only.
-- An address somebody typed as a guest therefore never stands in the
-- way of the member whose address it is, nor shows them anything.
--
-- A guest's links carry a key, as before; what is kept is the SHA-256 of
-- each key, as for sessions.  Every letter that needs a link makes a
-- fresh key, and every key of a registration opens it while it lives.

ALTER TABLE registrations ADD COLUMN guest boolean NOT NULL DEFAULT false;
ALTER TABLE registrations ADD COLUMN home_member uuid;
ALTER TABLE registrations ADD CONSTRAINT registrations_home_member_check
	CHECK (home_member IS NULL OR home IS NOT NULL);

CREATE TABLE guest_keys (
	hash		bytea PRIMARY KEY,
	registration	bigint NOT NULL REFERENCES registrations (id)
	    ON DELETE CASCADE,
	created		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX guest_keys_registration_idx ON guest_keys (registration);

-- The hash a key is kept as: SHA-256 of its text, as session tokens.
CREATE FUNCTION acorn_guest_key_hash(p_key text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT sha256(convert_to(p_key, 'UTF8'))
$$;

-- Links already mailed keep working: their keys become hashes.
UPDATE registrations SET guest = true WHERE guest_key IS NOT NULL;
INSERT INTO guest_keys (hash, registration, created)
SELECT acorn_guest_key_hash(guest_key), id, created FROM registrations
WHERE guest_key IS NOT NULL;
ALTER TABLE registrations DROP COLUMN guest_key;

-- The registration a guest's link opens, or NULL.
CREATE FUNCTION acorn_guest_registration(p_key text) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT registration FROM guest_keys
	WHERE hash = acorn_guest_key_hash(p_key)
$$;

-- A new key for a guest's registration, for one letter: 32 random bytes
-- (two version 4 UUIDs, 244 random bits, from the server's strong
-- random source), written as util_token writes them, base64url without
-- padding.  Only its hash is kept.
CREATE FUNCTION acorn_guest_key(p_registration bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	k	text;
BEGIN
	k := rtrim(translate(encode(uuid_send(gen_random_uuid()) ||
	    uuid_send(gen_random_uuid()), 'base64'), '+/', '-_'), '=');
	INSERT INTO guest_keys (hash, registration)
	VALUES (acorn_guest_key_hash(k), p_registration);
	RETURN k;
END
$$;

-- One live registration per person per event, the person being who the
-- registration is for (above).  Before the new indexes, a member with
-- two live registrations for one event under two addresses (their
-- account's address changed between them) keeps the first as theirs;
-- the later one stays, known by its address, as the old index had it.
UPDATE registrations r SET account = NULL
WHERE r.account IS NOT NULL AND r.status IN ('confirmed', 'waiting')
  AND EXISTS (SELECT 1 FROM registrations x WHERE x.event = r.event
      AND x.account = r.account AND x.status IN ('confirmed', 'waiting')
      AND x.id < r.id);
DROP INDEX registrations_person_idx;
CREATE UNIQUE INDEX registrations_account_live_idx
	ON registrations (event, account)
	WHERE account IS NOT NULL AND status IN ('confirmed', 'waiting');
CREATE UNIQUE INDEX registrations_remote_live_idx
	ON registrations (event, home, home_member)
	WHERE home_member IS NOT NULL AND status IN ('confirmed', 'waiting');
CREATE UNIQUE INDEX registrations_email_live_idx
	ON registrations (event, lower(email))
	WHERE account IS NULL AND home IS NULL
	  AND status IN ('confirmed', 'waiting');

-- A member's requests for other nodes' events: one live one per account.
UPDATE away_registrations w SET account = NULL
WHERE w.account IS NOT NULL AND w.wanted = 'registered'
  AND w.status NOT IN ('cancelled', 'refused')
  AND EXISTS (SELECT 1 FROM away_registrations x WHERE x.event = w.event
      AND x.account = w.account AND x.wanted = 'registered'
      AND x.status NOT IN ('cancelled', 'refused') AND x.created < w.created);
DROP INDEX away_person_idx;
CREATE UNIQUE INDEX away_account_live_idx ON away_registrations
	(event, account)
	WHERE account IS NOT NULL AND wanted = 'registered'
	  AND status NOT IN ('cancelled', 'refused');

-- Whether the person a registration would be for already holds a place
-- or a position at the event (p_except aside).
CREATE FUNCTION acorn_registered(p_event uuid, p_account bigint,
    p_home uuid, p_home_member uuid, p_email text, p_except bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM registrations x
	    WHERE x.event = p_event AND x.status IN ('confirmed', 'waiting')
	      AND x.id IS DISTINCT FROM p_except
	      AND CASE
	      WHEN p_account IS NOT NULL THEN x.account = p_account
	      WHEN p_home IS NOT NULL THEN x.home = p_home
	          AND x.home_member = p_home_member
	      ELSE x.account IS NULL AND x.home IS NULL
	          AND lower(x.email) = lower(p_email) END)
$$;

-- Registers a person (see above for who) for a place type: confirmed if
-- the places are free and nobody is waiting, otherwise on the waiting
-- list.  A form sent again (same request key) gets back what the first
-- sending got.
CREATE FUNCTION acorn_register_as(p_place_type bigint, p_account bigint,
    p_home uuid, p_home_member uuid, p_name text, p_email text,
    p_organisation text, p_places integer, p_public boolean,
    p_request_key text)
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
	IF p_home IS NOT NULL AND p_home_member IS NULL THEN
		RAISE EXCEPTION 'a registration from another node names its member'
		    USING ERRCODE = '22004';
	END IF;
	IF acorn_registered(pt.event, p_account, p_home, p_home_member,
	    p_email, NULL) THEN
		RAISE EXCEPTION 'already registered' USING ERRCODE = 'AC005';
	END IF;
	INSERT INTO registrations (ref, event, place_type, account, home,
	    home_member, name, email, organisation, places, status, arrival,
	    public, request_key)
	VALUES (gen_random_uuid(), pt.event, p_place_type, p_account, p_home,
	    p_home_member, p_name, p_email, p_organisation, p_places,
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

-- A member of this node (p_account), or, with no account, someone known
-- by their address (a registration a coordinator or the demo makes).
CREATE OR REPLACE FUNCTION acorn_register(p_place_type bigint,
    p_account bigint, p_name text, p_email text, p_organisation text,
    p_places integer, p_public boolean, p_request_key text)
RETURNS TABLE (registration bigint, ref uuid, status text,
    waiting_position bigint, repeated boolean)
LANGUAGE sql AS $$
	SELECT * FROM acorn_register_as(p_place_type, p_account, NULL, NULL,
	    p_name, p_email, p_organisation, p_places, p_public, p_request_key)
$$;

-- A guest's form: kept unconfirmed, holding nothing, until a link in the
-- email is followed (the letter makes the key).  Whether the address is
-- already registered is not said here, only at confirmation, so the form
-- tells a stranger nothing about who is coming.
DROP FUNCTION acorn_register_guest(bigint, text, text, text, integer,
    boolean, text, text);
CREATE FUNCTION acorn_register_guest(p_place_type bigint, p_name text,
    p_email text, p_organisation text, p_places integer, p_public boolean,
    p_request_key text)
RETURNS TABLE (registration bigint, repeated boolean)
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
		RETURN QUERY SELECT r.id, true;
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
	-- after their link lapsed they go, with their answers and keys.
	DELETE FROM registrations x WHERE x.status = 'unconfirmed'
	    AND x.confirm_by < now() - interval '7 days';
	-- Nobody can use the form to fill a stranger's inbox.
	IF (SELECT count(*) FROM registrations x
	    WHERE x.guest AND lower(x.email) = lower(p_email)
	      AND x.status = 'unconfirmed'
	      AND x.created > now() - interval '1 hour') >= 3 THEN
		RAISE EXCEPTION 'too many unconfirmed registrations'
		    USING ERRCODE = 'AC007';
	END IF;
	INSERT INTO registrations (ref, event, place_type, name, email,
	    organisation, places, status, public, request_key, guest,
	    confirm_by)
	VALUES (gen_random_uuid(), pt.event, p_place_type, p_name, p_email,
	    p_organisation, p_places, 'unconfirmed', p_public, p_request_key,
	    true, now() + interval '2 days')
	RETURNING * INTO r;
	RETURN QUERY SELECT r.id, false;
END
$$;

-- The guest followed a link: now, and only now, the place is decided,
-- and the arrival number taken, under the place type's lock.  Following
-- a link again changes nothing and answers the same.  Only another
-- guest's registration with the same address stands in the way: a
-- member's own registration is theirs, not this address's.
CREATE OR REPLACE FUNCTION acorn_confirm(p_guest_key text)
RETURNS TABLE (registration bigint, status text, waiting_position bigint,
    changed boolean)
LANGUAGE plpgsql AS $$
DECLARE
	r	registrations%ROWTYPE;
BEGIN
	SELECT * INTO r FROM registrations
	WHERE id = acorn_guest_registration(p_guest_key);
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
	IF acorn_registered(r.event, NULL, NULL, NULL, r.email, r.id) THEN
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

-- Telling someone what happened to their registration.  A registration
-- made from another node is told through that node; a guest's letter
-- carries a key of its own to their registration.
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
	    acorn_waiting_position(r.id), r.role,
	    CASE WHEN r.guest THEN acorn_guest_key(r.id) END, r.event,
	    p_base);
END
$$;

-- The host's decision on a new request from another node (as in version
-- 12), the person being the home node's member p_member.
DROP FUNCTION acorn_register_remote(uuid, uuid, integer, text, uuid,
    bigint, text, text, text, integer, boolean, bigint[], text[]);
CREATE FUNCTION acorn_register_remote(p_home uuid, p_member uuid,
    p_request uuid, p_version integer, p_digest text, p_event uuid,
    p_place bigint, p_name text, p_email text, p_organisation text,
    p_places integer, p_public boolean, p_questions bigint[],
    p_answers text[])
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
			SELECT * INTO STRICT g FROM acorn_register_as(p_place,
			    NULL, p_home, p_member, p_name, p_email,
			    p_organisation, p_places, p_public,
			    'inbox:' || p_home || ':' || p_request);
			reg := g.registration;
			ref := g.ref;
			what := g.status;
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
	ELSE 'the organisers gave no reason' END
$$;
