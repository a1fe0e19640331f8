-- Acorn schema, version 58: places kept for the voices an event would
-- otherwise miss.
--
-- An organiser keeps a number of a place type's places for chosen
-- stakeholder groups until a time (place_keeps).  While kept, those
-- places go only to people of those groups: a keep of 10 for citizens
-- holds 10 places free for citizens until 10 citizens have places,
-- however they came by them.  A group is kept for by at most one keep of
-- a place type, and a place type keeps at most its capacity.
--
-- Who gets a place is decided, as before, under the place type's row
-- lock, by one function (acorn_next_places) that both a new
-- registration and the waiting list go through: in arrival order, each
-- waiting entry gets its places when they are free and not kept for
-- other groups.  An entry the kept places hold back is passed over, and
-- behind it only someone of a group the places are kept for, and whom
-- the entry could not have overtaken, may move up; an entry too large
-- for the free places stops the list, as before.  When the time is up
-- the keep ends by itself, and the node's periodic worker moves the
-- waiting list on (acorn_keeps_release).
--
-- The group of a registration is the one it was made under: a member's
-- profile group at that moment, the group a guest chose, or the group
-- another node sent for its member.

CREATE TABLE place_keeps (
	id		bigserial PRIMARY KEY,
	place_type	bigint NOT NULL REFERENCES place_types (id)
	    ON DELETE CASCADE,
	places		integer NOT NULL CHECK (places > 0),
	groups		text[] NOT NULL CHECK (cardinality(groups) > 0
	    AND groups <@ ARRAY['gp', 'link_worker', 'social_care',
	    'public_health', 'commissioner', 'vcse', 'academic',
	    'local_authority', 'citizen']),
	until		timestamptz NOT NULL,
	-- Set when the worker has moved the waiting list on after until.
	released	boolean NOT NULL DEFAULT false,
	created		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX place_keeps_place_type_idx ON place_keeps (place_type);
CREATE INDEX place_keeps_due_idx ON place_keeps (until) WHERE NOT released;

-- The places people of each group hold, read under the lock.
CREATE INDEX registrations_group_idx ON registrations (place_type,
	stakeholder) WHERE status = 'confirmed';

-- The group a member registering for another node's event is in, as
-- their profile gave it then: sent with the request, for the host's
-- kept places and mix.
ALTER TABLE away_registrations ADD COLUMN stakeholder text;

-- Registrations made before: the group their member's profile gives.
UPDATE registrations r SET stakeholder = m.stakeholder
FROM accounts a JOIN members m ON m.id = a.member
WHERE a.id = r.account AND r.stakeholder IS NULL
  AND m.stakeholder IS NOT NULL;

-- The mix counts the group a registration was made under, or, for one
-- made without any, what the member's profile says now.
CREATE OR REPLACE FUNCTION acorn_event_mix(ev uuid)
RETURNS TABLE (by_what text, code text, confirmed bigint, waiting bigint)
LANGUAGE sql STABLE AS $$
	WITH p AS (
		SELECT r.status, r.places,
		    coalesce(r.stakeholder, m.stakeholder) AS grp,
		    CASE WHEN r.home IS NOT NULL THEN (SELECT k.region
			FROM known_nodes k WHERE k.id = r.home)
		    ELSE m.region END AS region
		FROM registrations r
		LEFT JOIN accounts a ON a.id = r.account
		LEFT JOIN members m ON m.id = a.member
		WHERE r.event = ev AND r.status IN ('confirmed', 'waiting'))
	SELECT 'group', grp,
	    coalesce(sum(places) FILTER (WHERE status = 'confirmed'), 0),
	    coalesce(sum(places) FILTER (WHERE status = 'waiting'), 0)
	FROM p GROUP BY grp
	UNION ALL
	SELECT 'region', region,
	    coalesce(sum(places) FILTER (WHERE status = 'confirmed'), 0),
	    coalesce(sum(places) FILTER (WHERE status = 'waiting'), 0)
	FROM p GROUP BY region
$$;

-- The places of keep k still held for its groups: its number, less the
-- places people of its groups hold.
CREATE FUNCTION acorn_keep_open(k place_keeps) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT greatest(k.places - coalesce(sum(r.places), 0), 0)::integer
	FROM registrations r
	WHERE r.place_type = k.place_type AND r.status = 'confirmed'
	  AND r.stakeholder = ANY (k.groups)
$$;

-- Who the free places of place type p go to now, in arrival order: the
-- waiting entries, and after them, when p_places > 0, a newcomer of
-- group p_group (returned as 0).  Changes nothing; the caller holds the
-- place type's lock.  With nothing kept this is the plain rule: in
-- order, while each fits.
CREATE FUNCTION acorn_next_places(p bigint, p_group text,
    p_places integer)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	free	integer;
	k	place_keeps%ROWTYPE;
	kept	text[] := '{}';		-- each kept group ...
	keep_of	integer[] := '{}';	-- ... and the number of its keep
	spare	integer[] := '{}';	-- each keep's places still held
	held	integer := 0;		-- their sum
	denied	integer[] := '{}';	-- keeps of groups passed over
	passed	boolean := false;	-- someone was passed over
	w	record;
	mine	integer;
	took	integer;
	n	integer := 0;
BEGIN
	SELECT capacity - taken INTO STRICT free FROM place_types
	WHERE id = p;
	FOR k IN SELECT * FROM place_keeps
	    WHERE place_type = p AND until > now() ORDER BY id LOOP
		n := n + 1;
		spare[n] := acorn_keep_open(k);
		held := held + spare[n];
		kept := kept || k.groups;
		keep_of := keep_of ||
		    array_fill(n, ARRAY[cardinality(k.groups)]);
	END LOOP;
	FOR w IN SELECT x.id, x.places, x.grp FROM (
		SELECT r.id, r.places, r.stakeholder AS grp, r.arrival
		FROM registrations r
		WHERE r.place_type = p AND r.status = 'waiting'
		UNION ALL
		SELECT 0, p_places, p_group, NULL WHERE p_places > 0) x
	    ORDER BY x.arrival NULLS LAST
	LOOP
		-- Too large for what is free: nobody behind overtakes.
		EXIT WHEN w.places > free;
		mine := keep_of[array_position(kept, w.grp)];
		IF w.places > free - held + coalesce(spare[mine], 0) THEN
			-- Held back by places kept for others.
			passed := true;
			IF mine IS NOT NULL THEN
				denied := denied || mine;
			END IF;
			CONTINUE;
		END IF;
		-- Behind someone passed over, only people the kept places
		-- are for move up, and not past someone of their own keep.
		CONTINUE WHEN passed AND (mine IS NULL OR spare[mine] = 0
		    OR mine = ANY (denied));
		free := free - w.places;
		IF mine IS NOT NULL THEN
			took := least(w.places, spare[mine]);
			spare[mine] := spare[mine] - took;
			held := held - took;
		END IF;
		RETURN NEXT w.id;
	END LOOP;
END
$$;

-- The one decision for a newcomer of group p_group, with the place
-- type's row lock held: a place when the free places not kept for
-- others fit the group and nobody waiting comes first, otherwise the
-- list.
DROP FUNCTION acorn_take(bigint, integer);
CREATE FUNCTION acorn_take(p_place_type bigint, p_places integer,
    p_group text)
RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM place_keeps k
	    WHERE k.place_type = p_place_type AND k.until > now()) THEN
		UPDATE place_types SET taken = taken + p_places
		WHERE id = p_place_type AND taken + p_places <= capacity
		  AND NOT EXISTS (SELECT 1 FROM registrations x
		      WHERE x.place_type = p_place_type
		        AND x.status = 'waiting');
	ELSIF EXISTS (SELECT 1 FROM acorn_next_places(p_place_type, p_group,
	    p_places) AS x WHERE x = 0) THEN
		UPDATE place_types SET taken = taken + p_places
		WHERE id = p_place_type;
	END IF;
	IF FOUND THEN
		RETURN 'confirmed';
	END IF;
	RETURN 'waiting';
END
$$;

-- Confirms the waiting entries acorn_next_places names.  The caller
-- holds the place type's lock.  Returns the registrations promoted.
CREATE OR REPLACE FUNCTION acorn_promote(p_place_type bigint)
RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
	x	bigint;
	n	integer;
	total	integer := 0;
BEGIN
	FOR x IN SELECT acorn_next_places(p_place_type, NULL, 0) LOOP
		UPDATE registrations SET status = 'confirmed', changed = now()
		WHERE id = x RETURNING places INTO n;
		total := total + n;
		RETURN NEXT x;
	END LOOP;
	IF total > 0 THEN
		UPDATE place_types SET taken = taken + total
		WHERE id = p_place_type;
	END IF;
END
$$;

-- A coordinator confirms one waiting entry out of turn, if its places
-- are free and not kept for other groups.  Returns 1 row when promoted,
-- none otherwise.
CREATE OR REPLACE FUNCTION acorn_promote_one(p_registration bigint)
RETURNS SETOF bigint
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
	IF r.status <> 'waiting' OR pt.taken + r.places > pt.capacity
	    - (SELECT coalesce(sum(acorn_keep_open(k)), 0) FROM place_keeps k
	       WHERE k.place_type = pt.id AND k.until > now()
	         AND NOT coalesce(r.stakeholder = ANY (k.groups), false)) THEN
		RETURN;
	END IF;
	UPDATE place_types SET taken = taken + r.places WHERE id = pt.id;
	UPDATE registrations SET status = 'confirmed', changed = now()
	WHERE id = p_registration;
	RETURN NEXT p_registration;
END
$$;

-- Errors, by SQLSTATE, beside those of version 2:
--   AC008  more places kept than the place type has
--   AC009  a group already kept for at this place type
--   AC010  keeping places until a time already past

-- Keeps p_places of place type p for the groups p_groups until p_until.
-- Nobody moves: keeping only holds places back.  Returns the keep.
CREATE FUNCTION acorn_keep(p bigint, p_places integer, p_groups text[],
    p_until timestamptz)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	pt	place_types%ROWTYPE;
	kid	bigint;
BEGIN
	SELECT * INTO pt FROM place_types WHERE place_types.id = p FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such place type' USING ERRCODE = 'AC002';
	END IF;
	IF p_until <= now() THEN
		RAISE EXCEPTION 'that time has passed' USING ERRCODE = 'AC010';
	END IF;
	IF EXISTS (SELECT 1 FROM place_keeps k WHERE k.place_type = p
	    AND k.until > now() AND k.groups && p_groups) THEN
		RAISE EXCEPTION 'a group is already kept for'
		    USING ERRCODE = 'AC009';
	END IF;
	IF p_places + (SELECT coalesce(sum(k.places), 0) FROM place_keeps k
	    WHERE k.place_type = p AND k.until > now()) > pt.capacity THEN
		RAISE EXCEPTION 'more places kept than there are'
		    USING ERRCODE = 'AC008';
	END IF;
	INSERT INTO place_keeps (place_type, places, groups, until)
	VALUES (p, p_places, p_groups, p_until)
	RETURNING place_keeps.id INTO kid;
	RETURN kid;
END
$$;

-- Ends keep p_keep of the event p_event at once, and moves the waiting
-- list on.  Returns the registrations promoted.
CREATE FUNCTION acorn_keep_end(p_keep bigint, p_event uuid)
RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
	p	bigint;
BEGIN
	SELECT k.place_type INTO p FROM place_keeps k
	JOIN place_types pt ON pt.id = k.place_type
	WHERE k.id = p_keep AND pt.event = p_event;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	PERFORM 1 FROM place_types WHERE id = p FOR UPDATE;
	DELETE FROM place_keeps WHERE id = p_keep;
	RETURN QUERY SELECT acorn_promote(p);
END
$$;

-- The keeps whose time is up: each place type's waiting list moves on,
-- once.  Returns the registrations promoted.
CREATE FUNCTION acorn_keeps_release() RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
	p	bigint;
BEGIN
	FOR p IN SELECT DISTINCT k.place_type FROM place_keeps k
	    WHERE NOT k.released AND k.until <= now()
	    ORDER BY k.place_type LOOP
		PERFORM 1 FROM place_types WHERE id = p FOR UPDATE;
		UPDATE place_keeps SET released = true
		WHERE place_type = p AND NOT released AND until <= now();
		RETURN QUERY SELECT acorn_promote(p);
	END LOOP;
END
$$;

-- When the next keep ends, for the worker's sleep; NULL when none will.
CREATE FUNCTION acorn_keeps_next() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT min(until) FROM place_keeps WHERE NOT released
$$;

-- Lowering a capacity below the places kept is refused as lowering it
-- below the places taken is.
CREATE OR REPLACE FUNCTION acorn_set_capacity(p_place_type bigint,
    p_capacity integer)
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
	IF p_capacity < (SELECT coalesce(sum(k.places), 0) FROM place_keeps k
	    WHERE k.place_type = p_place_type AND k.until > now()) THEN
		RAISE EXCEPTION 'more places kept than there would be'
		    USING ERRCODE = 'AC008';
	END IF;
	UPDATE place_types SET capacity = p_capacity WHERE id = p_place_type;
	RETURN QUERY SELECT acorn_promote(p_place_type);
END
$$;

-- Registering, as in version 16, under a group: p_group, or for a
-- member of this node their profile's.
DROP FUNCTION acorn_register(bigint, bigint, text, text, text, integer,
    boolean, text);
DROP FUNCTION acorn_register_as(bigint, bigint, uuid, uuid, text, text,
    text, integer, boolean, text);
CREATE FUNCTION acorn_register_as(p_place_type bigint, p_account bigint,
    p_home uuid, p_home_member uuid, p_name text, p_email text,
    p_organisation text, p_places integer, p_public boolean,
    p_request_key text, p_group text)
RETURNS TABLE (registration bigint, ref uuid, status text,
    waiting_position bigint, repeated boolean)
LANGUAGE plpgsql AS $$
DECLARE
	pt	place_types%ROWTYPE;
	r	registrations%ROWTYPE;
	grp	text := p_group;
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
		RAISE EXCEPTION 'registration is not open'
		    USING ERRCODE = 'AC001';
	END IF;
	IF p_places > pt.capacity THEN
		RAISE EXCEPTION 'group larger than capacity'
		    USING ERRCODE = 'AC003';
	END IF;
	IF p_home IS NOT NULL AND p_home_member IS NULL THEN
		RAISE EXCEPTION
		    'a registration from another node names its member'
		    USING ERRCODE = '22004';
	END IF;
	IF acorn_registered(pt.event, p_account, p_home, p_home_member,
	    p_email, NULL) THEN
		RAISE EXCEPTION 'already registered' USING ERRCODE = 'AC005';
	END IF;
	IF grp IS NULL AND p_account IS NOT NULL THEN
		SELECT m.stakeholder INTO grp FROM accounts a
		JOIN members m ON m.id = a.member WHERE a.id = p_account;
	END IF;
	INSERT INTO registrations (ref, event, place_type, account, home,
	    home_member, name, email, organisation, places, status, arrival,
	    public, request_key, stakeholder)
	VALUES (gen_random_uuid(), pt.event, p_place_type, p_account, p_home,
	    p_home_member, p_name, p_email, p_organisation, p_places,
	    acorn_take(p_place_type, p_places, grp),
	    nextval('registration_arrival'), p_public, p_request_key, grp)
	RETURNING * INTO r;
	RETURN QUERY SELECT r.id, r.ref, r.status,
	    acorn_waiting_position(r.id), false;
EXCEPTION WHEN unique_violation THEN
	-- Another tab registered the same person for another place type
	-- of this event at the same moment.
	RAISE EXCEPTION 'already registered' USING ERRCODE = 'AC005';
END
$$;

CREATE FUNCTION acorn_register(p_place_type bigint,
    p_account bigint, p_name text, p_email text, p_organisation text,
    p_places integer, p_public boolean, p_request_key text)
RETURNS TABLE (registration bigint, ref uuid, status text,
    waiting_position bigint, repeated boolean)
LANGUAGE sql AS $$
	SELECT * FROM acorn_register_as(p_place_type, p_account, NULL, NULL,
	    p_name, p_email, p_organisation, p_places, p_public, p_request_key,
	    NULL)
$$;

-- A guest's link followed (as in version 16), decided under the group
-- they gave.
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
		RAISE EXCEPTION 'registration is not open'
		    USING ERRCODE = 'AC001';
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
	SET status = acorn_take(r.place_type, r.places, r.stakeholder),
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

-- The host's decision on a request from another node (as in version
-- 16), under the group the member's node sent (p_group, or NULL).
DROP FUNCTION acorn_register_remote(uuid, uuid, uuid, integer, text, uuid,
    bigint, text, text, text, integer, boolean, bigint[], text[]);
CREATE FUNCTION acorn_register_remote(p_home uuid, p_member uuid,
    p_request uuid, p_version integer, p_digest text, p_event uuid,
    p_place bigint, p_name text, p_email text, p_organisation text,
    p_places integer, p_public boolean, p_questions bigint[],
    p_answers text[], p_group text)
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
			    'inbox:' || p_home || ':' || p_request, p_group);
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

-- Pages kept in the cache show what is kept.
SELECT acorn_data_watch('place_keeps');
