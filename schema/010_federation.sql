-- Acorn schema, version 10: federation.  Every shared record is published
-- as a signed Atom entry (or a signed tombstone) kept in its entry column,
-- peers are pinned by their key, and what came from each peer is followed
-- by a cursor per collection.  docs/protocol.md describes the wire format.

-- Node entries: what a node says about itself (subject = origin) and the
-- nodes it vouches for (subject = a peer it pinned).  Shared records like
-- the others; keys is the subject's public keys, each
-- {"fingerprint": hex, "pem": text}, newest first.
CREATE TABLE nodes (
	id		uuid PRIMARY KEY,
	origin		uuid NOT NULL,
	version		integer NOT NULL DEFAULT 1 CHECK (version > 0),
	updated		timestamptz NOT NULL DEFAULT now(),
	deleted		boolean NOT NULL DEFAULT false,
	seq		bigint NOT NULL,
	entry		text,
	subject		uuid,
	name		text,
	region		text,
	url		text,
	keys		jsonb NOT NULL DEFAULT '[]',
	CHECK (deleted OR (subject IS NOT NULL AND name IS NOT NULL AND
	    region IS NOT NULL AND url IS NOT NULL))
);
CREATE UNIQUE INDEX nodes_seq_idx ON nodes (seq);
CREATE UNIQUE INDEX nodes_subject_idx ON nodes (origin, subject)
	WHERE NOT deleted;

-- Publishing state of every shared table:
--   pending  the row changed since its entry was written: the publisher
--            signs a new entry (or tombstone) and clears it.  Local rows
--            only; a received row is never pending.
--   shared   a live entry of it has gone out, so taking it back (erasing,
--            unlisting) must publish a tombstone.
--   home     for a received row, its page on its home node (the entry's
--            alternate link).
-- Only rows with an entry and not pending are served to peers.
ALTER TABLE members ADD COLUMN pending boolean NOT NULL DEFAULT false,
	ADD COLUMN shared boolean NOT NULL DEFAULT false,
	ADD COLUMN home text;
ALTER TABLE events ADD COLUMN pending boolean NOT NULL DEFAULT false,
	ADD COLUMN shared boolean NOT NULL DEFAULT false,
	ADD COLUMN home text;
ALTER TABLE documents ADD COLUMN pending boolean NOT NULL DEFAULT false,
	ADD COLUMN shared boolean NOT NULL DEFAULT false,
	ADD COLUMN home text;
ALTER TABLE glossary_terms ADD COLUMN pending boolean NOT NULL DEFAULT false,
	ADD COLUMN shared boolean NOT NULL DEFAULT false,
	ADD COLUMN home text;
ALTER TABLE evaluations ADD COLUMN pending boolean NOT NULL DEFAULT false,
	ADD COLUMN shared boolean NOT NULL DEFAULT false,
	ADD COLUMN home text;
ALTER TABLE nodes ADD COLUMN pending boolean NOT NULL DEFAULT false,
	ADD COLUMN shared boolean NOT NULL DEFAULT false,
	ADD COLUMN home text;

-- Every change of a shared row takes the next seq.  A change to a local
-- row's content (anything but the publishing columns) makes it pending
-- and, once its last version has gone out, gives it the next version; the
-- publisher is told at commit.
CREATE OR REPLACE FUNCTION acorn_take_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	quiet CONSTANT text[] := ARRAY['seq', 'entry', 'pending', 'shared',
	    'version', 'search', 'home'];
BEGIN
	NEW.seq := nextval('change_seq');
	IF NEW.origin IS DISTINCT FROM (SELECT id FROM node) THEN
		RETURN NEW;
	END IF;
	IF TG_OP = 'INSERT' THEN
		NEW.pending := true;
	ELSIF (to_jsonb(NEW) - quiet) IS DISTINCT FROM
	    (to_jsonb(OLD) - quiet) THEN
		NEW.pending := true;
		IF NEW.version = OLD.version AND NOT OLD.pending THEN
			NEW.version := OLD.version + 1;
		END IF;
	END IF;
	IF NEW.pending THEN
		PERFORM pg_notify('acorn_publish', '');
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER nodes_seq BEFORE INSERT OR UPDATE ON nodes
	FOR EACH ROW EXECUTE FUNCTION acorn_take_seq();

CREATE INDEX members_pending_idx ON members (seq) WHERE pending;
CREATE INDEX events_pending_idx ON events (seq) WHERE pending;
CREATE INDEX documents_pending_idx ON documents (seq) WHERE pending;
CREATE INDEX glossary_terms_pending_idx ON glossary_terms (seq) WHERE pending;
CREATE INDEX evaluations_pending_idx ON evaluations (seq) WHERE pending;
CREATE INDEX nodes_pending_idx ON nodes (seq) WHERE pending;

-- Everything already here goes out once the node has a key.
UPDATE members SET pending = true WHERE origin = (SELECT id FROM node);
UPDATE events SET pending = true WHERE origin = (SELECT id FROM node);
UPDATE documents SET pending = true WHERE origin = (SELECT id FROM node);
UPDATE glossary_terms SET pending = true
	WHERE origin = (SELECT id FROM node);
UPDATE evaluations SET pending = true WHERE origin = (SELECT id FROM node);

-- Glossary terms are unique per origin: two regions may both define
-- "link worker".  (A document's slug stays unique here: a received
-- document whose slug is taken is given the slug with its id's first
-- eight digits appended, and links home by its own.)
DROP INDEX glossary_terms_term_idx;
CREATE UNIQUE INDEX glossary_terms_term_idx ON glossary_terms
	(origin, lower(term)) WHERE NOT deleted;

-- Private from here on: never federated.

-- The trust store: every public key this node accepts signatures from,
-- and whose it is.  pinned: a coordinator added the peer with this
-- fingerprint.  announced: the node itself listed it in its node entry,
-- signed by a key already trusted for it (key rotation).  vouched: a peer
-- pinned as a hub listed it in a node entry about another node.
CREATE TABLE node_keys (
	fingerprint	text PRIMARY KEY CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
	node		uuid NOT NULL,
	pem		text NOT NULL,
	source		text NOT NULL
	    CHECK (source IN ('pinned', 'announced', 'vouched')),
	introducer	uuid,
	added		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX node_keys_node_idx ON node_keys (node);

-- Peers this node pulls from, and how pulling them is going.
CREATE TABLE peers (
	id		bigserial PRIMARY KEY,
	url		text NOT NULL UNIQUE,
	node		uuid NOT NULL UNIQUE,
	name		text NOT NULL,
	region		text NOT NULL,
	fingerprint	text NOT NULL,
	hub		boolean NOT NULL DEFAULT false,
	added		timestamptz NOT NULL DEFAULT now(),
	last_attempt	timestamptz,
	last_success	timestamptz,
	last_error	text,
	failures	integer NOT NULL DEFAULT 0,
	next_attempt	timestamptz NOT NULL DEFAULT now()
);

-- Per peer and collection: the last seq merged, the ETag of the page
-- after it, and how far behind the peer's newest entry we were when we
-- last looked (entries, and the age of the oldest one not yet merged).
CREATE TABLE peer_cursors (
	peer		bigint NOT NULL REFERENCES peers (id) ON DELETE CASCADE,
	collection	text NOT NULL,
	seq		bigint NOT NULL DEFAULT 0,
	etag		text,
	behind		bigint NOT NULL DEFAULT 0,
	behind_since	timestamptz,
	PRIMARY KEY (peer, collection)
);

-- Every entry refused, with its reason; the newest thousand are kept.
CREATE TABLE rejections (
	id		bigserial PRIMARY KEY,
	peer		bigint REFERENCES peers (id) ON DELETE CASCADE,
	collection	text,
	entry_id	text,
	reason		text NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rejections_peer_idx ON rejections (peer, id);

-- Every node this one knows, itself included, with the name, region and
-- address to show beside what came from it.  What a node says of itself
-- wins over what a coordinator typed when pinning it, which wins over
-- what a hub says of it.
CREATE VIEW known_nodes AS
	SELECT id, name, region, NULL::text AS url, true AS self FROM node
	UNION ALL
	(SELECT DISTINCT ON (k.id) k.id, k.name, k.region, k.url, false
	FROM (SELECT subject AS id, name, region, url,
	    CASE WHEN origin = subject THEN 0 ELSE 2 END AS rank, updated
	    FROM nodes WHERE NOT deleted
	    UNION ALL
	    SELECT node, name, region, url, 1, added FROM peers) k
	WHERE k.id <> (SELECT id FROM node)
	ORDER BY k.id, k.rank, k.updated DESC);
