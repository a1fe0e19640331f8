-- Acorn schema, version 63: the names of known nodes are made again by
-- one transaction at a time.
--
-- known_nodes is made again from peers and node entries after every
-- statement that changes either (schema/013).  Two transactions doing so
-- at once (a coordinator pinning a peer while a hub's node entries are
-- merged, which a network of dozens of nodes does all the time) locked
-- its rows in different orders and one of them failed as a deadlock:
-- the coordinator's "peer add" was refused.  Each now waits for the
-- other: the lock is the transaction's (LOCK_KNOWN_NODES in core.h),
-- held from its first refresh until it ends, a moment at most.
CREATE OR REPLACE FUNCTION acorn_known_nodes_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(7234025);
	DELETE FROM known_nodes k
	WHERE NOT EXISTS (SELECT 1 FROM known_nodes_view v WHERE v.id = k.id);
	INSERT INTO known_nodes SELECT * FROM known_nodes_view ORDER BY id
	ON CONFLICT (id) DO UPDATE SET name = excluded.name,
	    region = excluded.region, url = excluded.url, self = excluded.self
	WHERE (known_nodes.name, known_nodes.region, known_nodes.url,
	    known_nodes.self) IS DISTINCT FROM (excluded.name,
	    excluded.region, excluded.url, excluded.self);
	RETURN NULL;
END
$$;
