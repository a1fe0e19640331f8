-- Acorn schema, version 62: a key two hubs vouch for stays while either
-- does.
--
-- A key this node learnt from a hub's word (node_keys.source 'vouched')
-- keeps the one hub that introduced it.  With two hubs vouching for the
-- same region, unpinning one of them, or that one withdrawing its word,
-- took the key away although the other still vouched for it, and the
-- region's entries were refused until its next node entry.  Each hub's
-- word is kept in its own node entries (nodes, origin the hub), so when
-- a vouched key goes, every key a hub still pinned here vouches for is
-- taken again in that hub's name.

-- The keys of nodes not pinned here that some hub pinned here vouches
-- for, where this node has none: each in the name of one such hub.  A
-- key the node's own entry held here no longer lists (retired) is not
-- taken back from a hub that has not heard yet.  How many were taken.
CREATE FUNCTION acorn_vouches_restore() RETURNS integer
LANGUAGE sql AS $$
	WITH taken AS (
		INSERT INTO node_keys (fingerprint, node, pem, source,
		    introducer)
		SELECT DISTINCT ON (k->>'fingerprint') k->>'fingerprint',
		    n.subject, k->>'pem', 'vouched', n.origin
		FROM nodes n
		JOIN peers h ON h.node = n.origin AND h.hub
		CROSS JOIN LATERAL jsonb_array_elements(n.keys) k
		WHERE NOT n.deleted AND n.subject IS NOT NULL
		AND n.subject <> n.origin
		AND n.subject <> (SELECT id FROM node)
		AND NOT EXISTS (SELECT 1 FROM peers p
		    WHERE p.node = n.subject)
		AND jsonb_typeof(n.keys) = 'array'
		AND k->>'fingerprint' ~ '^[0-9a-f]{64}$'
		AND k->>'pem' IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM nodes o
		    WHERE o.subject = n.subject AND o.origin = n.subject
		    AND NOT o.deleted AND NOT o.keys @> jsonb_build_array(
		    jsonb_build_object('fingerprint', k->>'fingerprint')))
		ORDER BY k->>'fingerprint', h.id
		ON CONFLICT (fingerprint) DO NOTHING
		RETURNING 1)
	SELECT count(*)::integer FROM taken
$$;
