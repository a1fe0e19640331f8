-- Acorn schema, version 64: one home for "a key its node has retired".
--
-- Whether a hub's word may bring a key back was asked in two places,
-- in the same words: taking a hub's node entry (feeds/merge.c) and
-- taking the keys another hub still vouches for (schema/062).  It is a
-- function now, which both call.

-- Whether node subject's own entry, as held here, no longer lists the
-- key fp: retired, so that no hub that has not heard yet brings it back.
CREATE FUNCTION acorn_key_retired(subject uuid, fp text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM nodes o
	    WHERE o.subject = $1 AND o.origin = $1 AND NOT o.deleted
	    AND NOT o.keys @> jsonb_build_array(
	    jsonb_build_object('fingerprint', $2)))
$$;

CREATE OR REPLACE FUNCTION acorn_vouches_restore() RETURNS integer
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
		AND NOT acorn_key_retired(n.subject, k->>'fingerprint')
		ORDER BY k->>'fingerprint', h.id
		ON CONFLICT (fingerprint) DO NOTHING
		RETURNING 1)
	SELECT count(*)::integer FROM taken
$$;
