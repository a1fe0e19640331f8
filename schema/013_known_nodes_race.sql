-- Acorn schema, version 13: known_nodes refreshed safely by several
-- transactions at once.  The refresh deleted every row and inserted them
-- all again; when two transactions refreshed at once (a coordinator
-- pinning a peer while the sync worker merged a node entry, or two acorn
-- processes on one database), the second insert met the first's rows
-- and failed on the primary key, taking the pin or the merge with it.
-- Now each refresh removes the rows no longer known and upserts the
-- rest, in id order so that two refreshes take row locks in one order.

CREATE OR REPLACE FUNCTION acorn_known_nodes_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
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
