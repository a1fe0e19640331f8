-- Acorn schema, version 17: peers speak only for themselves.
--
-- A node entry about a third node is taken only from a hub pinned here
-- (or written here, vouching for a peer); any other node may describe
-- only itself.  A record id belongs to the first origin stored for it:
-- another origin claiming the id is refused and the claim kept, for the
-- sync page.  And a peer is pinned only under a node id nobody else
-- already speaks for with another key.  docs/protocol.md, section 9.

-- Whether a node entry by origin about subject may be stored here.
CREATE FUNCTION acorn_may_describe(origin uuid, subject uuid)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT origin = subject OR origin = (SELECT id FROM node) OR
	    EXISTS (SELECT 1 FROM peers p WHERE p.node = origin AND p.hub)
$$;

-- What else may write it, the rule holds for every live node entry.
CREATE FUNCTION acorn_nodes_speaker() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT NEW.deleted AND
	    NOT acorn_may_describe(NEW.origin, NEW.subject) THEN
		RAISE EXCEPTION 'node % may not describe node %',
		    NEW.origin, NEW.subject USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END
$$;

-- Entries about third nodes stored from nodes that are not hubs here
-- go: nobody vouched for what they say.
DELETE FROM nodes WHERE NOT deleted AND NOT acorn_may_describe(origin, subject);

CREATE TRIGGER nodes_speaker BEFORE INSERT OR UPDATE ON nodes
	FOR EACH ROW EXECUTE FUNCTION acorn_nodes_speaker();

-- Where a node is (its inbox is under this address): as its own node
-- entry says, else as pinned here, else as a hub here (or this node)
-- vouches.  Never from any other node's word.
CREATE FUNCTION acorn_node_url(who uuid) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT url FROM (
	    SELECT url, 1 AS o FROM nodes WHERE subject = who
	    AND origin = who AND NOT deleted
	    UNION ALL SELECT url, 2 FROM peers WHERE node = who
	    UNION ALL SELECT url, 3 FROM nodes WHERE subject = who
	    AND NOT deleted AND acorn_may_describe(origin, subject)) u
	ORDER BY o LIMIT 1
$$;

-- The names shown beside records follow the same rule.
CREATE OR REPLACE VIEW known_nodes_view AS
	SELECT id, name, region, NULL::text AS url, true AS self FROM node
	UNION ALL
	(SELECT DISTINCT ON (k.id) k.id, k.name, k.region, k.url, false
	FROM (SELECT subject AS id, name, region, url,
	    CASE WHEN origin = subject THEN 0 ELSE 2 END AS rank, updated
	    FROM nodes WHERE NOT deleted
	    AND acorn_may_describe(origin, subject)
	    UNION ALL
	    SELECT node, name, region, url, 1, added FROM peers) k
	WHERE k.id <> (SELECT id FROM node)
	ORDER BY k.id, k.rank, k.updated DESC);

-- A hub pinned or unpinned changes whose word counts.
DROP TRIGGER known_nodes_from_peers ON peers;
CREATE TRIGGER known_nodes_from_peers
	AFTER INSERT OR DELETE OR UPDATE OF node, name, region, url, hub
	ON peers
	FOR EACH STATEMENT EXECUTE FUNCTION acorn_known_nodes_refresh();

DELETE FROM known_nodes k
	WHERE NOT EXISTS (SELECT 1 FROM known_nodes_view v WHERE v.id = k.id);
INSERT INTO known_nodes SELECT * FROM known_nodes_view ORDER BY id
	ON CONFLICT (id) DO UPDATE SET name = excluded.name,
	region = excluded.region, url = excluded.url, self = excluded.self;

-- A record's origin never changes: the id is bound to the first origin
-- stored for it, and only that origin changes or deletes the record.
CREATE FUNCTION acorn_origin_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.origin IS DISTINCT FROM OLD.origin THEN
		RAISE EXCEPTION 'record % belongs to node %, not %',
		    OLD.id, OLD.origin, NEW.origin
		    USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER members_origin BEFORE UPDATE OF origin ON members
	FOR EACH ROW EXECUTE FUNCTION acorn_origin_fixed();
CREATE TRIGGER events_origin BEFORE UPDATE OF origin ON events
	FOR EACH ROW EXECUTE FUNCTION acorn_origin_fixed();
CREATE TRIGGER evaluations_origin BEFORE UPDATE OF origin ON evaluations
	FOR EACH ROW EXECUTE FUNCTION acorn_origin_fixed();
CREATE TRIGGER documents_origin BEFORE UPDATE OF origin ON documents
	FOR EACH ROW EXECUTE FUNCTION acorn_origin_fixed();
CREATE TRIGGER glossary_terms_origin BEFORE UPDATE OF origin
	ON glossary_terms FOR EACH ROW EXECUTE FUNCTION acorn_origin_fixed();
CREATE TRIGGER nodes_origin BEFORE UPDATE OF origin ON nodes
	FOR EACH ROW EXECUTE FUNCTION acorn_origin_fixed();

-- Private: entries refused because another origin already owns their
-- record id, one row per record and claimant, for the sync page.
CREATE TABLE record_conflicts (
	record		uuid NOT NULL,
	kind		text NOT NULL,
	owner		uuid NOT NULL,
	claimant	uuid NOT NULL CHECK (claimant <> owner),
	first_seen	timestamptz NOT NULL DEFAULT now(),
	last_seen	timestamptz NOT NULL DEFAULT now(),
	times		integer NOT NULL DEFAULT 1,
	PRIMARY KEY (record, claimant)
);
CREATE INDEX record_conflicts_seen_idx ON record_conflicts (last_seen);

-- Notes that claimant sent an entry for a record owner's; the newest
-- thousand claims are kept.
CREATE FUNCTION acorn_record_conflict(record uuid, kind text, owner uuid,
    claimant uuid) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO record_conflicts (record, kind, owner, claimant)
	VALUES (record, kind, owner, claimant)
	ON CONFLICT (record, claimant) DO UPDATE SET last_seen = now(),
	    times = record_conflicts.times + 1;
	DELETE FROM record_conflicts WHERE last_seen < (SELECT last_seen
	    FROM record_conflicts ORDER BY last_seen DESC OFFSET 1000 LIMIT 1);
$$;

-- Why a peer claiming to be node who, with the key fp, may not be
-- pinned; NULL when it may.  Whoever already speaks for that id here (a
-- peer pinned, a hub's word, the node's own entry, records received
-- from it) did so with its keys: a peer whose key is not among them
-- would take over a node it is not.
CREATE FUNCTION acorn_pin_refusal(who uuid, fp text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	label text;
	k record;
BEGIN
	label := coalesce((SELECT name FROM known_nodes WHERE id = who) ||
	    ' (urn:uuid:' || who || ')', 'urn:uuid:' || who);
	IF who = (SELECT id FROM node) THEN
		RETURN 'It claims to be this node.';
	END IF;
	SELECT url INTO k FROM peers WHERE node = who;
	IF FOUND THEN
		RETURN format('It claims to be %s, which is already a peer'
		    ' at %s.', label, k.url);
	END IF;
	IF EXISTS (SELECT 1 FROM node_keys WHERE node = who) THEN
		IF EXISTS (SELECT 1 FROM node_keys WHERE node = who
		    AND fingerprint = fp) THEN
			RETURN NULL;
		END IF;
		SELECT nk.source, h.name AS hub INTO k FROM node_keys nk
		    LEFT JOIN known_nodes h ON h.id = nk.introducer
		    WHERE nk.node = who ORDER BY nk.added DESC LIMIT 1;
		RETURN format('It claims to be %s, which this node already'
		    ' knows with another key, %s. Its key is not that one.',
		    label, CASE k.source
		    WHEN 'vouched' THEN 'vouched for by the hub ' ||
			coalesce(k.hub, 'that introduced it')
		    WHEN 'pinned' THEN 'pinned here'
		    ELSE 'announced by that node itself' END);
	END IF;
	-- No key trusted now, but what was said of it named its keys.
	IF EXISTS (SELECT 1 FROM nodes WHERE subject = who AND NOT deleted)
	    AND NOT EXISTS (SELECT 1 FROM nodes n,
	    jsonb_array_elements(n.keys) e WHERE n.subject = who
	    AND NOT n.deleted AND e->>'fingerprint' = fp) THEN
		RETURN format('It claims to be %s, which node entries held'
		    ' here describe with other keys. Its key is not one of'
		    ' them.', label);
	END IF;
	IF NOT EXISTS (SELECT 1 FROM nodes WHERE subject = who
	    AND NOT deleted) AND (
	    EXISTS (SELECT 1 FROM members WHERE origin = who) OR
	    EXISTS (SELECT 1 FROM events WHERE origin = who) OR
	    EXISTS (SELECT 1 FROM evaluations WHERE origin = who) OR
	    EXISTS (SELECT 1 FROM documents WHERE origin = who) OR
	    EXISTS (SELECT 1 FROM glossary_terms WHERE origin = who)) THEN
		RETURN format('It claims to be %s, whose records this node'
		    ' already holds, signed by a key it no longer knows.',
		    label);
	END IF;
	RETURN NULL;
END
$$;
