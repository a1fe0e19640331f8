-- Acorn schema, version 11: the names of the nodes this one knows, kept
-- in a table rather than worked out by a view on every page.  Lists join
-- it to name each item's origin; planning the view's union cost more
-- than the rest of the member directory's query.  Statement triggers
-- rebuild it (a handful of rows) whenever what it is made from changes.

ALTER VIEW known_nodes RENAME TO known_nodes_view;

CREATE TABLE known_nodes (
	id		uuid PRIMARY KEY,
	name		text,
	region		text,
	url		text,
	self		boolean NOT NULL
);

CREATE FUNCTION acorn_known_nodes_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM known_nodes;
	INSERT INTO known_nodes SELECT * FROM known_nodes_view;
	RETURN NULL;
END
$$;

CREATE TRIGGER known_nodes_from_node
	AFTER INSERT OR DELETE OR UPDATE OF id, name, region ON node
	FOR EACH STATEMENT EXECUTE FUNCTION acorn_known_nodes_refresh();
CREATE TRIGGER known_nodes_from_nodes
	AFTER INSERT OR DELETE OR UPDATE OF subject, name, region, url, deleted
	ON nodes
	FOR EACH STATEMENT EXECUTE FUNCTION acorn_known_nodes_refresh();
CREATE TRIGGER known_nodes_from_peers
	AFTER INSERT OR DELETE OR UPDATE OF node, name, region, url ON peers
	FOR EACH STATEMENT EXECUTE FUNCTION acorn_known_nodes_refresh();

INSERT INTO known_nodes SELECT * FROM known_nodes_view;
