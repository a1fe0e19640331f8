-- Acorn schema, version 19: whom a coordinator looks after.  A
-- coordinator looks after the people whose profile is in the
-- coordinator's own region: they see and decide those people's requests
-- to join, and see them in the directory when they are not listed.  An
-- admin looks after everyone on the node.  Pages ask this one function
-- instead of each writing the rule again.

-- Whether the active account p_viewer looks after a person whose profile
-- is in region p_region.  Nobody (0, or a member) looks after anyone.
CREATE FUNCTION acorn_looks_after(p_viewer bigint, p_region text)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT EXISTS (
		SELECT 1 FROM accounts a JOIN members m ON m.id = a.member
		WHERE a.id = p_viewer AND a.status = 'active'
		AND (a.role = 'admin'
		    OR (a.role = 'coordinator' AND m.region = p_region)))
$$;
