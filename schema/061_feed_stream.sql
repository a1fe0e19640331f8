-- Acorn schema, version 61: the stream a node's change numbers belong to.
--
-- Peers keep how far they have read of a node's feeds as its change
-- numbers (docs/protocol.md, section 6).  Those numbers only go up,
-- unless the database they come from is not the one they were counting
-- in: a new database for the same node, a restore from a backup, a
-- replica promoted after losing the primary's last commits.  Then
-- numbers the peers have already read are handed out again, for other
-- changes, and a peer whose cursor is ahead would skip them.  So every
-- number belongs to a stream, named by a random id that peers see with
-- every feed; a new stream starts whenever the numbering could have
-- gone backwards, and a peer that sees a new stream reads the node
-- again from the start.
--
-- The database notices by itself.  The stream's row keeps where it was
-- written: the cluster (its system identifier, new with every initdb),
-- the timeline (a promoted replica, or a recovery from archived WAL,
-- moves to a new one), the database's oid (a copy made by CREATE
-- DATABASE ... TEMPLATE) and the transaction that wrote the row (a
-- restore by pg_restore writes every row again, under a transaction of
-- its own).  Every connection a node opens asks acorn_stream() first,
-- which starts a new stream when any of those is not what the row says.
-- A copy of the data directory put back by hand is the one restore it
-- cannot see: `acorn restore` and `acorn stream --new` start one.

CREATE TABLE feed_stream (
	one		boolean PRIMARY KEY DEFAULT true CHECK (one),
	id		uuid NOT NULL,
	place		text NOT NULL,
	written		bigint NOT NULL,	-- the xmin it was written with
	started		timestamptz NOT NULL DEFAULT now(),
	reason		text NOT NULL
);
SELECT acorn_data_watch('feed_stream');

-- Where this connection's database is: cluster, timeline and oid.
CREATE FUNCTION acorn_stream_place() RETURNS text
LANGUAGE sql VOLATILE AS $$
	SELECT s.system_identifier::text || '/' ||
	    ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))
	    ::bit(32)::integer::text || '/' ||
	    (SELECT d.oid::text FROM pg_database d
	    WHERE d.datname = current_database())
	FROM pg_control_system() s
$$;

-- The stream's id, after starting a new one when the row was not
-- written here (or when p_why asks for one, saying why).  Two
-- connections that both find it out of place start one stream between
-- them.
CREATE FUNCTION acorn_stream(p_why text DEFAULT NULL) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
	here text := acorn_stream_place();
	s record;
	why text;
BEGIN
	FOR attempt IN 1 .. 2 LOOP
		why := p_why;
		SELECT f.id, f.place, f.written, f.xmin::text::bigint AS x
		    INTO s FROM feed_stream f;
		IF NOT FOUND THEN
			why := coalesce(why, 'a new database');
		ELSIF why IS NULL AND s.x <> s.written THEN
			why := 'a restore from a backup';
		ELSIF why IS NULL AND
		    split_part(s.place, '/', 1) <> split_part(here, '/', 1) THEN
			why := 'a new database cluster';
		ELSIF why IS NULL AND
		    split_part(s.place, '/', 2) <> split_part(here, '/', 2) THEN
			why := 'a promoted replica or a recovery';
		ELSIF why IS NULL AND s.place <> here THEN
			why := 'a copy of the database';
		END IF;
		IF why IS NULL THEN
			RETURN s.id;
		END IF;
		IF attempt = 1 AND p_why IS NULL THEN
			-- Whoever waited here finds the new row in place.
			PERFORM pg_advisory_xact_lock(hashtext('acorn_stream'));
			CONTINUE;
		END IF;
		INSERT INTO feed_stream (id, place, written, reason)
		VALUES (gen_random_uuid(), here, 0, why)
		ON CONFLICT (one) DO UPDATE SET id = excluded.id,
		    place = excluded.place, started = now(),
		    reason = excluded.reason;
		-- The transaction that wrote the row, as its xmin says (a
		-- subtransaction's, when one wrote it).
		UPDATE feed_stream SET written = xmin::text::bigint
		RETURNING id INTO s;
		RAISE LOG 'acorn: a new feed stream, after %', why;
		RETURN s.id;
	END LOOP;
END;
$$;

-- What this node has seen of each peer's stream: NULL until it has
-- seen one (a peer from before streams never shows one).
ALTER TABLE peers ADD COLUMN stream uuid;

SELECT acorn_stream('the first stream');
