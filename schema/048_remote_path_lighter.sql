-- Acorn schema, version 48: less work for each address a node looks up.
--
-- Where a node's inbox is (acorn_node_url) was one query over three
-- sources ordered by preference, which PostgreSQL answers by reading
-- all three (asking acorn_may_describe of every node entry about the
-- node) before it takes the first: half a millisecond for each request
-- sent in a storm of registrations.  It now asks each source in turn
-- and stops at the first that knows, with the same answer.
CREATE OR REPLACE FUNCTION acorn_node_url(who uuid) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	u text;
BEGIN
	SELECT p.url INTO u FROM peers p WHERE p.node = who;
	IF FOUND THEN
		RETURN u;
	END IF;
	SELECT n.url INTO u FROM nodes n WHERE n.origin = who
	    AND n.subject = who AND NOT n.deleted;
	IF FOUND THEN
		RETURN u;
	END IF;
	SELECT n.url INTO u FROM nodes n WHERE n.subject = who
	    AND NOT n.deleted AND acorn_may_describe(n.origin, n.subject)
	    LIMIT 1;
	RETURN u;
END
$$;
