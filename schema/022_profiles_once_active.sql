-- Acorn schema, version 22: a profile is the network's only once its
-- account is in use.  Joining makes a profile at once, but until the
-- address is confirmed (and, where a coordinator approves joins, until
-- one has) it belongs to nobody proven: it is neither published to peers
-- nor shown in the directory.  An account never confirmed goes, with
-- its profile, after the period the retention worker is given.  Lapsed
-- guest forms are the retention worker's alone to remove, after the
-- period the privacy notice quotes.

-- Whether the profile p_member may be shown and published: it has no
-- account on this node (another node's member, or one erased), or its
-- account is confirmed and active.
CREATE FUNCTION acorn_profile_ready(p_member uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT NOT EXISTS (SELECT 1 FROM accounts a
	    WHERE a.member = p_member
	    AND (a.confirmed IS NULL OR a.status <> 'active'))
$$;

-- An account that becomes (or stops being) usable changes whether its
-- profile goes out: the publisher looks at the profile again.
CREATE FUNCTION acorn_account_readiness() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE members SET pending = true
	WHERE id = NEW.member AND origin = (SELECT id FROM node);
	RETURN NULL;
END
$$;
CREATE TRIGGER accounts_readiness AFTER UPDATE OF confirmed, status
    ON accounts FOR EACH ROW
    WHEN ((OLD.confirmed IS NULL) IS DISTINCT FROM (NEW.confirmed IS NULL)
	OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION acorn_account_readiness();

-- A guest's form, as in version 16 but without removing lapsed forms:
-- the retention worker does that, after retain_guest_forms_days.
CREATE OR REPLACE FUNCTION acorn_register_guest(p_place_type bigint,
    p_name text, p_email text, p_organisation text, p_places integer,
    p_public boolean, p_request_key text)
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
