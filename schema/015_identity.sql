-- Acorn schema, version 15: identity one can trust.  An address is
-- confirmed by following a link mailed to it before the account can be
-- used; a forgotten password is reset by a link mailed to the account;
-- sessions say where they were opened so their owner can see and end
-- them; and failed sign-ins slow an attacker down by a growing wait
-- instead of locking the account for everyone.

-- NULL until the address has been shown to reach its owner.  Accounts
-- made by `acorn user add` are vouched for by whoever made them, and
-- every account that existed before this version keeps working, so the
-- default is confirmed: /join is the one path that inserts NULL.
ALTER TABLE accounts ADD COLUMN confirmed timestamptz DEFAULT now();
UPDATE accounts SET confirmed = created;

-- A number to name a session by on the page that lists them (the
-- token's hash is never shown), and what opened it.
ALTER TABLE sessions ADD COLUMN id bigserial;
ALTER TABLE sessions ADD CONSTRAINT sessions_id_key UNIQUE (id);
ALTER TABLE sessions ADD COLUMN user_agent text;
ALTER TABLE sessions ADD COLUMN address text;

-- The links mailed to an account's owner: to confirm the address an
-- account was joined with, to reset its password, or to move it to a new
-- address (email is where the link was sent: for a move, the new
-- address).  As with sessions only a SHA-256 of each token is kept.  A
-- link is used once: taking it deletes it.
CREATE TABLE account_tokens (
	token_hash	bytea PRIMARY KEY,
	account		bigint NOT NULL REFERENCES accounts (id)
	    ON DELETE CASCADE,
	purpose		text NOT NULL
	    CHECK (purpose IN ('confirm', 'reset', 'email')),
	email		text NOT NULL,
	created		timestamptz NOT NULL DEFAULT now(),
	expires		timestamptz NOT NULL
);
CREATE INDEX account_tokens_account_idx ON account_tokens (account, purpose);
CREATE INDEX account_tokens_expires_idx ON account_tokens (expires);

-- A new link for an account and purpose: only the newest one mailed
-- works, so an older mail found later opens nothing.  Expired links of
-- every account go at the same time.
CREATE FUNCTION acorn_token_issue(p_hash bytea, p_account bigint,
    p_purpose text, p_email text, p_life interval) RETURNS void
LANGUAGE sql AS $$
	DELETE FROM account_tokens
	WHERE (account = p_account AND purpose = p_purpose)
	    OR expires < now();
	INSERT INTO account_tokens (token_hash, account, purpose, email,
	    expires)
	VALUES (p_hash, p_account, p_purpose, p_email, now() + p_life);
$$;

-- What a live link is for, without using it up (a page shows its form
-- first; only the form's POST takes the link).
CREATE FUNCTION acorn_token_peek(p_hash bytea)
    RETURNS TABLE (account bigint, purpose text, email text)
LANGUAGE sql STABLE AS $$
	SELECT t.account, t.purpose, t.email FROM account_tokens t
	WHERE t.token_hash = p_hash AND t.expires > now();
$$;

-- Uses a live link up: it is deleted, so of two requests racing with the
-- same link only one is given its account.
CREATE FUNCTION acorn_token_take(p_hash bytea, p_purpose text)
    RETURNS TABLE (account bigint, email text)
LANGUAGE sql AS $$
	DELETE FROM account_tokens t
	WHERE t.token_hash = p_hash AND t.purpose = p_purpose
	    AND t.expires > now()
	RETURNING t.account, t.email;
$$;

-- Following a join's link: the account's address is confirmed, provided
-- it is still the address the link was sent to.  Returns the account and
-- its status (pending accounts still wait for a coordinator).
CREATE FUNCTION acorn_confirm_join(p_hash bytea)
    RETURNS TABLE (account bigint, status text)
LANGUAGE sql AS $$
	WITH t AS (SELECT * FROM acorn_token_take(p_hash, 'confirm'))
	UPDATE accounts a SET confirmed = coalesce(a.confirmed, now())
	FROM t
	WHERE a.id = t.account AND lower(a.email) = lower(t.email)
	RETURNING a.id, a.status;
$$;

-- Following an email change's link: the account moves to the new
-- address.  Returns the old address to tell, and the new one; nothing
-- when the link is dead.  A new address taken by another account since
-- the link was sent raises unique_violation.
CREATE FUNCTION acorn_confirm_email(p_hash bytea)
    RETURNS TABLE (account bigint, old_email text, new_email text)
LANGUAGE plpgsql AS $$
DECLARE
	t record;
BEGIN
	SELECT * INTO t FROM acorn_token_take(p_hash, 'email');
	IF NOT FOUND THEN
		RETURN;
	END IF;
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

-- Following a reset link: the password changes, the link proves the
-- address reaches its owner, and every session of the account ends (one
-- of them may be whoever knew the old password).
CREATE FUNCTION acorn_reset_password(p_hash bytea, p_password_hash text)
    RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	t record;
BEGIN
	SELECT * INTO t FROM acorn_token_take(p_hash, 'reset');
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE accounts SET password_hash = p_password_hash,
	    confirmed = coalesce(confirmed, now())
	WHERE id = t.account AND lower(email) = lower(t.email);
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	DELETE FROM sessions WHERE account = t.account;
	RETURN t.account;
END
$$;

-- Throttling by delay, never by lock.  Each row counts recent attempts of
-- one kind from one party (a sign-in as an address from an address, all
-- sign-ins from an address, joins from an address, ...); once more than
-- a few come close together, the next is allowed only after a wait that
-- doubles with each further attempt, up to a cap.  A party that stays
-- quiet for the window starts again from nothing.  Nobody else's
-- attempts count against a party, so nobody can lock anyone else out.
-- signin_failures stays as the record of failed sign-ins (what a member
-- is shown of their account); nothing decides on it any more.
CREATE TABLE throttle (
	key		text PRIMARY KEY,
	hits		integer NOT NULL,
	last		timestamptz NOT NULL,
	wait_until	timestamptz NOT NULL
);
CREATE INDEX throttle_last_idx ON throttle (last);

-- Seconds before the party p_key may try again; 0 for now.
CREATE FUNCTION acorn_throttle_wait(p_key text) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT coalesce(max(greatest(0,
	    ceil(extract(epoch FROM wait_until - now()))))::integer, 0)
	FROM throttle WHERE key = p_key;
$$;

-- Counts an attempt by p_key: the first p_free within p_window of each
-- other cost nothing; after them the next attempt waits p_base seconds,
-- then twice that, and so on, at most p_cap.
CREATE FUNCTION acorn_throttle_hit(p_key text, p_free integer,
    p_base integer, p_cap integer, p_window interval) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	INSERT INTO throttle AS t (key, hits, last, wait_until)
	VALUES (p_key, 1, now(), now())
	ON CONFLICT (key) DO UPDATE SET
	    hits = CASE WHEN t.last < now() - p_window THEN 1
	        ELSE t.hits + 1 END,
	    last = now()
	RETURNING hits INTO n;
	IF n >= p_free THEN
		UPDATE throttle SET wait_until = now() + make_interval(secs =>
		    least(p_cap::double precision,
		    p_base * power(2, least(n - p_free, 30))))
		WHERE key = p_key;
	END IF;
	DELETE FROM throttle WHERE last < now() - interval '1 day'
	    AND wait_until < now();
END
$$;
