-- Acorn schema, version 28: a party that need not wait never waits.
-- A slot's "no wait" was written as the time of the transaction that
-- wrote it, and now() is when a transaction began, not when it ran: of
-- two attempts sent together, the one that began first but took the
-- row second found a "wait" that ended a moment after its own start,
-- and was told to wait a second.  A crowd signing in at once from one
-- office was refused that way.  No wait is now written as -infinity,
-- which every attempt finds behind it.

CREATE OR REPLACE FUNCTION acorn_throttle_take(p_key text, p_free integer,
    p_base integer, p_cap integer, p_window interval) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
	w integer;
BEGIN
	-- A refused attempt leaves the row as it was but still locked, so
	-- the wait read below is the one every other attempt sees too.
	INSERT INTO throttle AS t (key, hits, last, wait_until)
	VALUES (p_key, 1, now(), '-infinity')
	ON CONFLICT (key) DO UPDATE SET
	    hits = CASE WHEN t.last < now() - p_window THEN 1
	        ELSE t.hits + 1 END,
	    last = now()
	WHERE t.wait_until <= now()
	RETURNING hits INTO n;
	IF NOT FOUND THEN
		SELECT greatest(1, ceil(extract(epoch FROM
		    wait_until - now())))::integer INTO w
		FROM throttle WHERE key = p_key;
		RETURN coalesce(w, 1);
	END IF;
	IF n >= p_free THEN
		UPDATE throttle SET wait_until = now() + make_interval(secs =>
		    least(p_cap::double precision,
		    p_base * power(2, least(n - p_free, 30))))
		WHERE key = p_key;
	END IF;
	RETURN 0;
END
$$;

CREATE OR REPLACE FUNCTION acorn_throttle_give(p_key text, p_free integer)
RETURNS void LANGUAGE sql AS $$
	UPDATE throttle SET hits = greatest(hits - 1, 0),
	    wait_until = CASE WHEN hits - 1 < p_free
	        THEN '-infinity' ELSE wait_until END
	WHERE key = p_key;
$$;
