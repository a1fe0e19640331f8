-- Acorn schema, version 24: indexes the retention sweep and the removal
-- of accounts read, the counts that slow down attempts handed to the
-- retention worker, and the inbox's lock on a key of its own.

-- The sweep removes mail a while after it was sent or given up on
-- (retention.c: coalesce(sent, failed) < now() - period).  020's index
-- said "sent IS NOT NULL OR failed IS NOT NULL", which PostgreSQL cannot
-- prove from that comparison, so the sweep read the whole outbox; this
-- one's condition follows from it.
DROP INDEX outbox_done_idx;
CREATE INDEX outbox_done_idx ON outbox ((coalesce(sent, failed)))
	WHERE coalesce(sent, failed) IS NOT NULL;

-- Accounts whose address was never confirmed go by age, and sessions by
-- when they were last used or began.
CREATE INDEX accounts_unconfirmed_idx ON accounts (created)
	WHERE confirmed IS NULL;
CREATE INDEX sessions_last_seen_idx ON sessions (last_seen);
CREATE INDEX sessions_created_idx ON sessions (created);

-- Removing an account sets these references to it to NULL (ON DELETE SET
-- NULL), and a member's download finds their files and glossary terms
-- by them: without an index each removal read every one of these tables
-- whole.
CREATE INDEX accounts_approved_by_idx ON accounts (approved_by);
CREATE INDEX events_created_by_idx ON events (created_by);
CREATE INDEX documents_created_by_idx ON documents (created_by);
CREATE INDEX glossary_terms_created_by_idx ON glossary_terms (created_by);
CREATE INDEX evaluations_created_by_idx ON evaluations (created_by);
CREATE INDEX evaluation_files_created_by_idx
	ON evaluation_files (created_by);

-- As in 015, without removing day-old counts here: the retention worker
-- does (retain_throttle_days), so that the period the privacy notice
-- quotes is the one applied.
CREATE OR REPLACE FUNCTION acorn_throttle_hit(p_key text, p_free integer,
    p_base integer, p_cap integer, p_window interval) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	INSERT INTO throttle AS t (key, hits, last, wait_until)
	VALUES (p_key, 1, now(), now())
	ON CONFLICT (key) DO UPDATE SET
	    hits = CASE WHEN t.last < now() - p_window THEN 1
	        ELSE t.hits + 1 END,
	    last = now()
	RETURNING hits INTO n;
	IF n >= p_free THEN
		UPDATE throttle SET wait_until = now() + make_interval(secs =>
		    least(p_cap::double precision,
		    p_base * power(2, least(n - p_free, 30))))
		WHERE key = p_key;
	END IF;
END
$$;

-- As in 018, with the lock on a first key no other lock uses
-- (LOCK_INBOX_HOME in server/core/core.h, which lists every key): 018's
-- shared the retention worker's, so a home node's requests and a rule's
-- sweep could wait on each other, or one pass the other by.
CREATE OR REPLACE FUNCTION acorn_inbox_admit(p_home uuid, p_event uuid,
    p_quota integer, p_rate integer) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(7234022, hashtext(p_home::text));
	IF (SELECT count(*) FROM inbox_requests WHERE home = p_home
	    AND received > now() - interval '1 minute') >= p_rate THEN
		RETURN 'rate';
	END IF;
	IF NOT (SELECT accept_remote FROM events WHERE id = p_event) THEN
		RETURN 'closed';
	END IF;
	IF (SELECT count(*) FROM inbox_requests i
	    JOIN registrations r ON r.id = i.registration
	    WHERE i.home = p_home AND i.event = p_event
	    AND r.status IN ('confirmed', 'waiting')) >= p_quota THEN
		RETURN 'quota';
	END IF;
	RETURN NULL;
END
$$;
