-- Acorn schema, version 1: the node's identity, member profiles as shared
-- records, and the private account, session and audit tables.

-- One change sequence per node: every insert, update or delete of a shared
-- record takes the next value, which is what peers page through.
CREATE SEQUENCE change_seq;

CREATE FUNCTION acorn_take_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.seq := nextval('change_seq');
	RETURN NEW;
END
$$;

-- Turns what someone typed into a prefix query: "soc presc" finds
-- "social prescribing".  Words are quoted, so no tsquery syntax leaks in.
CREATE FUNCTION acorn_prefix_query(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(to_tsquery('simple',
	    string_agg(quote_literal(w) || ':*', ' & ')), ''::tsquery)
	FROM regexp_split_to_table(lower(q), '[^[:alnum:]]+') AS w
	WHERE w <> ''
$$;

-- This node: its global id, name, region and the secret its CSRF tokens
-- are derived from.  Exactly one row.
CREATE TABLE node (
	one		boolean PRIMARY KEY DEFAULT true CHECK (one),
	id		uuid NOT NULL,
	name		text NOT NULL,
	region		text NOT NULL,
	secret		bytea NOT NULL CHECK (length(secret) = 32),
	created		timestamptz NOT NULL DEFAULT now()
);

-- Member profiles: shared records.  A row whose origin is another node is
-- only ever changed by what that node publishes.  An erased member leaves a
-- tombstone: id, origin, version, updated, deleted, seq and nothing else.
CREATE TABLE members (
	id		uuid PRIMARY KEY,
	origin		uuid NOT NULL,
	version		integer NOT NULL DEFAULT 1 CHECK (version > 0),
	updated		timestamptz NOT NULL DEFAULT now(),
	deleted		boolean NOT NULL DEFAULT false,
	seq		bigint NOT NULL,
	entry		text,
	name		text,
	organisation	text,
	role_title	text,
	stakeholder	text,
	region		text,
	interests	text,
	bio		text,
	listed		boolean NOT NULL DEFAULT false,
	-- Angle brackets go before parsing: the text search parser would
	-- otherwise take "<b>Ann</b>" for markup and drop the name inside.
	search		tsvector GENERATED ALWAYS AS (
	    setweight(to_tsvector('simple',
	        translate(coalesce(name, ''), '<>', '  ')), 'A') ||
	    setweight(to_tsvector('simple',
	        translate(coalesce(organisation, ''), '<>', '  ')), 'B') ||
	    setweight(to_tsvector('simple',
	        translate(coalesce(interests, ''), '<>', '  ')), 'C')
	) STORED,
	CHECK (deleted OR (name IS NOT NULL AND stakeholder IS NOT NULL
	    AND region IS NOT NULL)),
	CHECK (NOT deleted OR (name IS NULL AND organisation IS NULL AND
	    role_title IS NULL AND stakeholder IS NULL AND region IS NULL AND
	    interests IS NULL AND bio IS NULL AND NOT listed))
);
CREATE TRIGGER members_seq BEFORE INSERT OR UPDATE ON members
	FOR EACH ROW EXECUTE FUNCTION acorn_take_seq();
CREATE UNIQUE INDEX members_seq_idx ON members (seq);
CREATE INDEX members_search_idx ON members USING gin (search);
CREATE INDEX members_region_idx ON members (region, stakeholder)
	WHERE NOT deleted;

-- Private: never federated.
CREATE TABLE accounts (
	id		bigserial PRIMARY KEY,
	member		uuid NOT NULL UNIQUE REFERENCES members (id),
	email		text NOT NULL,
	password_hash	text,
	role		text NOT NULL DEFAULT 'member'
	    CHECK (role IN ('member', 'coordinator', 'admin')),
	status		text NOT NULL DEFAULT 'pending'
	    CHECK (status IN ('pending', 'active')),
	created		timestamptz NOT NULL DEFAULT now(),
	approved	timestamptz,
	approved_by	bigint REFERENCES accounts (id) ON DELETE SET NULL
);
-- Emails are unique without regard to case.
CREATE UNIQUE INDEX accounts_email_idx ON accounts (lower(email));

-- Only a SHA-256 of each token is kept, so a copy of this table opens no
-- session.
CREATE TABLE sessions (
	token_hash	bytea PRIMARY KEY,
	account		bigint NOT NULL REFERENCES accounts (id)
	    ON DELETE CASCADE,
	created		timestamptz NOT NULL DEFAULT now(),
	last_seen	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_account_idx ON sessions (account);

-- Failed sign-ins, for throttling per account and per address.
CREATE TABLE signin_failures (
	id		bigserial PRIMARY KEY,
	email		text,
	address		text NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signin_failures_email_idx ON signin_failures (email, at);
CREATE INDEX signin_failures_address_idx ON signin_failures (address, at);

CREATE TABLE audit_log (
	id		bigserial PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT now(),
	actor		bigint,
	action		text NOT NULL,
	subject		text
);
