-- Acorn schema, version 26: whose mail a coordinator may read, and an
-- address nobody has confirmed never stands in the way of one who does.
--
-- A message in the outbox about one person's account (or their
-- registration at another node's event) names that person's profile,
-- so that /admin/mail shows it only to admins and to the coordinators
-- who look after them (acorn_looks_after).  A message naming nobody is
-- about one of this node's events, which every coordinator manages.

ALTER TABLE outbox ADD COLUMN member uuid;
COMMENT ON COLUMN outbox.member IS
    'the profile whose coordinators may read this message; NULL: mail'
    ' about this node''s events, for every coordinator';

-- Mail queued before this version names nobody: whatever went to the
-- address of an account here is taken to be about that person.
UPDATE outbox o SET member = a.member FROM accounts a
WHERE lower(a.email) = lower(o.recipient);

-- An account whose address was never confirmed, with its profile (never
-- shown nor published), as the retention worker removes one in time:
-- whoever proves they hold the address p_email has the better claim.
CREATE FUNCTION acorn_unconfirmed_forget(p_email text) RETURNS void
LANGUAGE sql AS $$
	WITH a AS (DELETE FROM accounts WHERE lower(email) = lower(p_email)
	    AND confirmed IS NULL RETURNING member)
	DELETE FROM members m USING a WHERE m.id = a.member;
$$;

-- As in version 15, but an unconfirmed account holding the new address
-- goes first: the link proves the address, which joining never did.
CREATE OR REPLACE FUNCTION acorn_confirm_email(p_hash bytea)
    RETURNS TABLE (account bigint, old_email text, new_email text)
LANGUAGE plpgsql AS $$
DECLARE
	t record;
BEGIN
	SELECT * INTO t FROM acorn_token_take(p_hash, 'email');
	IF NOT FOUND THEN
		RETURN;
	END IF;
	PERFORM acorn_unconfirmed_forget(t.email);
	RETURN QUERY
	WITH old AS (SELECT a.id, a.email FROM accounts a
	    WHERE a.id = t.account FOR UPDATE)
	UPDATE accounts a SET email = t.email,
	    confirmed = coalesce(a.confirmed, now())
	FROM old WHERE a.id = old.id
	RETURNING a.id, old.email, a.email;
	-- A reset link sent to the old address must not outlive the move.
	DELETE FROM account_tokens WHERE account_tokens.account = t.account
	    AND purpose = 'reset';
END
$$;

-- As in version 12, and the letter names the member it is for: it is
-- about another node's event, which this node's coordinators do not
-- manage.  The letter is the one just queued to that address; a letter
-- to the same address that another transaction committed meanwhile is
-- the same person's, so naming them there too hides nothing wrongly.
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
		UPDATE outbox o SET member = ac.member FROM accounts ac
		WHERE ac.id = a.account AND o.id > last
		    AND o.recipient = a.email AND o.member IS NULL;
	END IF;
END
$$;
