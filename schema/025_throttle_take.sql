-- Acorn schema, version 25: an attempt takes its throttle slot in one
-- step.  Asking how long to wait and counting the attempt afterwards
-- were two statements, so attempts sent at once all found no wait and
-- were all let through before any of them was counted.  Now the check
-- and the count happen under the party's row lock, before the attempt
-- is let through: of a burst, only those the rule allows get past.

-- Takes a slot for an attempt by p_key.  While the party must wait,
-- nothing is counted and the seconds left are returned; otherwise the
-- attempt is counted and 0 returned.  The first p_free attempts within
-- p_window of each other cost nothing; after them the next waits p_base
-- seconds, then twice that, and so on, at most p_cap.  Old counts are
-- removed by the retention worker (retain_throttle_days), as in 024.
CREATE FUNCTION acorn_throttle_take(p_key text, p_free integer,
    p_base integer, p_cap integer, p_window interval) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
	w integer;
BEGIN
	-- A refused attempt leaves the row as it was but still locked, so
	-- the wait read below is the one every other attempt sees too.
	INSERT INTO throttle AS t (key, hits, last, wait_until)
	VALUES (p_key, 1, now(), now())
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

-- Gives back the slot an attempt by p_key took, when the attempt turned
-- out not to count (a sign-in that succeeded, or one another rule
-- refused): the wait it started goes too, unless earlier attempts had
-- already used up the p_free that cost nothing.
CREATE FUNCTION acorn_throttle_give(p_key text, p_free integer)
RETURNS void LANGUAGE sql AS $$
	UPDATE throttle SET hits = greatest(hits - 1, 0),
	    wait_until = CASE WHEN hits - 1 < p_free
	        THEN least(wait_until, now()) ELSE wait_until END
	WHERE key = p_key;
$$;

-- Waiting and counting are one step now.
DROP FUNCTION acorn_throttle_wait(text);
DROP FUNCTION acorn_throttle_hit(text, integer, integer, integer, interval);
