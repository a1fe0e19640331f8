-- Acorn schema, version 23: whether a profile may be shown and published
-- is decided from the columns of its account, which the directory and
-- the publisher already join, rather than looked up once for every
-- member.  Looked up, the rule was a call the planner cannot inline, and
-- it took most of the directory page's time; written over columns it is
-- an expression the planner folds into each query.

DROP FUNCTION acorn_profile_ready(uuid);

-- A profile is ready when it has no account on this node (another node's
-- member, or one erased), or its account is confirmed and active: pass
-- the account's id, confirmed and status from members LEFT JOIN accounts.
CREATE FUNCTION acorn_profile_ready(p_account bigint,
    p_confirmed timestamptz, p_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT p_account IS NULL
	    OR (p_confirmed IS NOT NULL AND p_status = 'active')
$$;
