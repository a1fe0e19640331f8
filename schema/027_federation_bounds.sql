-- Acorn schema, version 27: what one peer can cost a node, bounded.
--
-- A peer that does not answer is backed off as a whole, not one row at
-- a time; every entry a node sends to the inbox counts against its rate;
-- the quota counts places, not requests; learning a key re-reads only
-- what was refused for want of a key; unpinning a hub takes the keys it
-- vouched for; a key trusted for one node is never pinned for another;
-- a pinned peer is sent to where it was pinned; and a ping takes no
-- lock when it changes nothing.  docs/protocol.md, sections 6, 8 and 9.

-- Peers the courier could not reach: how many turns in a row went
-- unanswered, and when the next turn is due.  A row goes once the peer
-- answers again.
CREATE TABLE courier_peers (
	peer		uuid PRIMARY KEY,
	failures	integer NOT NULL CHECK (failures > 0),
	next_attempt	timestamptz NOT NULL
);

-- A turn of the courier at peer p_peer ended with a delivery it did not
-- answer (answered: whether it answered any before that one).  Its next
-- turn waits 1 s, 2 s, 4 s ... up to 15 minutes, times a random factor
-- between 0.75 and 1.25, counted in the turns that went wholly
-- unanswered: one stubborn entry among answered ones costs only itself.
CREATE FUNCTION acorn_courier_unanswered(p_peer uuid, p_answered boolean)
RETURNS void
LANGUAGE sql AS $$
	INSERT INTO courier_peers AS c (peer, failures, next_attempt)
	VALUES (p_peer, 1, now() + (0.75 + random() / 2) * interval '1 second')
	ON CONFLICT (peer) DO UPDATE SET
	    failures = CASE WHEN p_answered THEN 1 ELSE c.failures + 1 END,
	    next_attempt = now() + least(900, power(2, least(CASE
	     WHEN p_answered THEN 0 ELSE c.failures END, 10)))
	     * (0.75 + random() / 2) * interval '1 second';
$$;

-- Every verified entry a node POSTs to the inbox, for its rate.
CREATE TABLE inbox_arrivals (
	origin		uuid NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbox_arrivals_origin_idx ON inbox_arrivals (origin, at);

-- Whether one more entry from node p_origin is taken: false when it has
-- sent p_rate in the last p_window already (the entry is not counted,
-- and answered 429).  Registrations and outcomes, new or not, count
-- alike, so a node cannot make this one work (or mail its members)
-- without end by sending version after version.  One origin at a time,
-- under its lock (the key acorn_inbox_admit locks a home node on since
-- 024, LOCK_INBOX_HOME), so that entries sent at once cannot all slip
-- under.
CREATE FUNCTION acorn_inbox_arrive(p_origin uuid, p_rate integer,
    p_window interval) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(7234022, hashtext(p_origin::text));
	DELETE FROM inbox_arrivals WHERE origin = p_origin
	    AND at <= now() - p_window;
	IF (SELECT count(*) FROM inbox_arrivals
	    WHERE origin = p_origin) >= p_rate THEN
		RETURN false;
	END IF;
	INSERT INTO inbox_arrivals (origin) VALUES (p_origin);
	RETURN true;
END
$$;

-- Whether a new request from node p_home, for event p_event, for
-- p_places places, is taken: NULL when it is, else why not: 'closed'
-- (the event takes no registrations from other nodes) or 'quota' (the
-- node's registrations for the event that hold places or wait for them
-- would hold more than p_quota places).  The rate is acorn_inbox_arrive's.
-- The requests of one home node are decided one at a time, under a lock
-- held to the end of the caller's transaction, so that requests sent at
-- once cannot all slip under the quota.
DROP FUNCTION acorn_inbox_admit(uuid, uuid, integer, integer);
CREATE FUNCTION acorn_inbox_admit(p_home uuid, p_event uuid,
    p_places integer, p_quota integer) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(7234022, hashtext(p_home::text));
	IF NOT (SELECT accept_remote FROM events WHERE id = p_event) THEN
		RETURN 'closed';
	END IF;
	IF (SELECT coalesce(sum(r.places), 0) FROM inbox_requests i
	    JOIN registrations r ON r.id = i.registration
	    WHERE i.home = p_home AND i.event = p_event
	    AND r.status IN ('confirmed', 'waiting')) + p_places > p_quota THEN
		RETURN 'quota';
	END IF;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION acorn_refusal(p_why text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_why
	WHEN 'not_open' THEN 'registration is not open'
	WHEN 'full_group' THEN 'there are not that many places of that kind'
	WHEN 'already_registered' THEN 'you are already registered for it'
	WHEN 'no_place' THEN 'that kind of place is no longer offered'
	WHEN 'answers' THEN 'the answers did not fit the questions asked'
	WHEN 'unreadable' THEN 'it could not read the request'
	WHEN 'closed' THEN 'this event takes registrations from its own'
	    || ' members only'
	WHEN 'quota' THEN 'it has given as many places to this node''s'
	    || ' members as it gives for one event'
	ELSE 'the organisers gave no reason' END
$$;

-- When the member was last mailed about a registration away.
ALTER TABLE away_registrations ADD COLUMN told timestamptz;

-- Home side: outcome p_outcome of registration p_id from its host
-- p_host, already checked to be newer than the last applied.  The
-- member is mailed only when what they hold changed (its status, place
-- on the waiting list, the reason, or the way in), or the event changed
-- and they have not been told of a change in the last hour: a host that
-- sends version after version saying the same thing mails nobody.  Not
-- when the outcome answers a request they have since cancelled (its own
-- outcome follows).
CREATE FUNCTION acorn_away_outcome(p_id uuid, p_host uuid, p_status text,
    p_position bigint, p_what text, p_outcome integer, p_acked integer,
    p_joining text, p_base text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	a	away_registrations%ROWTYPE;
	tell	boolean;
BEGIN
	SELECT * INTO a FROM away_registrations WHERE id = p_id
	    AND host = p_host FOR UPDATE;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	tell := (a.status, a.position, a.why, a.joining) IS DISTINCT FROM
	    (p_status, p_position, p_what, p_joining) OR
	    (p_what = 'event_changed' AND
	    coalesce(a.told <= now() - interval '1 hour', true));
	UPDATE away_registrations SET status = p_status,
	    position = p_position, why = p_what, outcome = p_outcome,
	    delivered = greatest(delivered, least(p_acked, version)),
	    joining = p_joining, changed = now() WHERE id = p_id
	    RETURNING * INTO a;
	IF tell AND (a.wanted = 'registered' OR a.delivered = a.version) THEN
		PERFORM acorn_tell_away(p_id, p_what, p_base);
		UPDATE away_registrations SET told = now() WHERE id = p_id;
	END IF;
	UPDATE away_registrations SET attempts = 0, last_error = NULL
	    WHERE id = p_id AND delivered = version;
END
$$;

-- The cursor a refused entry's page was read from: a key learnt later
-- rewinds only the collections that had entries refused for want of a
-- key, and only to there (the rest of the network is not read again).
ALTER TABLE rejections ADD COLUMN cursor bigint;

-- Unpinning a hub: the keys it vouched for go with it, as a hub's word
-- counts only while it is a hub.
DELETE FROM node_keys k WHERE k.source = 'vouched' AND NOT EXISTS
	(SELECT 1 FROM peers p WHERE p.node = k.introducer AND p.hub);

-- Where a node is (its inbox is under this address): as pinned here,
-- else as its own node entry says, else as a hub here (or this node)
-- vouches.  A pinned peer's own entry does not move it: what it says of
-- itself cannot point this node's deliveries at another address.
CREATE OR REPLACE FUNCTION acorn_node_url(who uuid) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT url FROM (
	    SELECT url, 1 AS o FROM peers WHERE node = who
	    UNION ALL SELECT url, 2 FROM nodes WHERE subject = who
	    AND origin = who AND NOT deleted
	    UNION ALL SELECT url, 3 FROM nodes WHERE subject = who
	    AND NOT deleted AND acorn_may_describe(origin, subject)) u
	ORDER BY o LIMIT 1
$$;

-- Why a peer claiming to be node who, with the key fp, may not be
-- pinned; NULL when it may.  As in 017, and first: a key pinned here
-- for another node, or vouched for it by a hub, stays that node's.  (A
-- key only a node's own entry lists yields to a pin, as before: anyone
-- can copy a public key into their node entry.)
CREATE OR REPLACE FUNCTION acorn_pin_refusal(who uuid, fp text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	label text;
	k record;
BEGIN
	SELECT nk.node, nk.source, coalesce(n.name, 'urn:uuid:' || nk.node)
	    AS name INTO k FROM node_keys nk
	    LEFT JOIN known_nodes n ON n.id = nk.node
	    WHERE nk.fingerprint = fp AND nk.node <> who
	    AND nk.source <> 'announced';
	IF FOUND THEN
		RETURN format('Its key is already trusted here for %s'
		    ' (urn:uuid:%s), %s: one key speaks for one node.',
		    k.name, k.node, CASE k.source WHEN 'pinned'
		    THEN 'pinned here' ELSE 'vouched for by a hub' END);
	END IF;
	label := coalesce((SELECT name FROM known_nodes WHERE id = who) ||
	    ' (urn:uuid:' || who || ')', 'urn:uuid:' || who);
	IF who = (SELECT id FROM node) THEN
		RETURN 'It claims to be this node.';
	END IF;
	SELECT url INTO k FROM peers WHERE node = who;
	IF FOUND THEN
		RETURN format('It claims to be %s, which is already a peer'
		    ' at %s.', label, k.url);
	END IF;
	IF EXISTS (SELECT 1 FROM node_keys WHERE node = who) THEN
		IF EXISTS (SELECT 1 FROM node_keys WHERE node = who
		    AND fingerprint = fp) THEN
			RETURN NULL;
		END IF;
		SELECT nk.source, h.name AS hub INTO k FROM node_keys nk
		    LEFT JOIN known_nodes h ON h.id = nk.introducer
		    WHERE nk.node = who ORDER BY nk.added DESC LIMIT 1;
		RETURN format('It claims to be %s, which this node already'
		    ' knows with another key, %s. Its key is not that one.',
		    label, CASE k.source
		    WHEN 'vouched' THEN 'vouched for by the hub ' ||
			coalesce(k.hub, 'that introduced it')
		    WHEN 'pinned' THEN 'pinned here'
		    ELSE 'announced by that node itself' END);
	END IF;
	-- No key trusted now, but what was said of it named its keys.
	IF EXISTS (SELECT 1 FROM nodes WHERE subject = who AND NOT deleted)
	    AND NOT EXISTS (SELECT 1 FROM nodes n,
	    jsonb_array_elements(n.keys) e WHERE n.subject = who
	    AND NOT n.deleted AND e->>'fingerprint' = fp) THEN
		RETURN format('It claims to be %s, which node entries held'
		    ' here describe with other keys. Its key is not one of'
		    ' them.', label);
	END IF;
	IF NOT EXISTS (SELECT 1 FROM nodes WHERE subject = who
	    AND NOT deleted) AND (
	    EXISTS (SELECT 1 FROM members WHERE origin = who) OR
	    EXISTS (SELECT 1 FROM events WHERE origin = who) OR
	    EXISTS (SELECT 1 FROM evaluations WHERE origin = who) OR
	    EXISTS (SELECT 1 FROM documents WHERE origin = who) OR
	    EXISTS (SELECT 1 FROM glossary_terms WHERE origin = who)) THEN
		RETURN format('It claims to be %s, whose records this node'
		    ' already holds, signed by a key it no longer knows.',
		    label);
	END IF;
	RETURN NULL;
END
$$;

-- A ping from peer node sender, as in 021, but a ping that changes
-- nothing (from a node that is not a peer, or with a pull asked for
-- already) is seen without a lock: a flood of pings does not queue on
-- the peer's row.
CREATE OR REPLACE FUNCTION acorn_peer_ping(sender uuid, gap interval)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	p peers%ROWTYPE;
	due timestamptz;
BEGIN
	SELECT * INTO p FROM peers WHERE node = sender;
	IF NOT FOUND OR p.pinged > now() THEN
		RETURN NULL;
	END IF;
	SELECT * INTO p FROM peers WHERE id = p.id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF p.pinged IS NULL OR p.pinged <= now() - gap THEN
		due := now();
	ELSIF p.pinged > now() THEN
		RETURN NULL;		-- a pull is asked for already
	ELSE
		due := p.pinged + gap;
	END IF;
	UPDATE peers SET pinged = due,
	    next_attempt = least(next_attempt, due) WHERE id = p.id;
	IF due >= p.next_attempt THEN
		RETURN NULL;		-- due by then anyway
	END IF;
	PERFORM pg_notify('acorn_ping', p.id::text);
	RETURN p.id;
END $$;

-- A document received from a node that sends its body only as the
-- entry's content, merged here by a version that read the body from the
-- record alone, was stored with an empty body; its signed entry, kept
-- beside it, has the body still.
UPDATE documents d SET body = x.body
FROM documents s, XMLTABLE(XMLNAMESPACES('http://www.w3.org/2005/Atom'
    AS a), '/a:entry/a:content' PASSING XMLPARSE(DOCUMENT s.entry)
    COLUMNS body text PATH '.') x
WHERE d.id = s.id AND d.body = '' AND NOT d.deleted AND s.entry IS NOT NULL
    AND d.origin <> (SELECT id FROM node) AND x.body IS NOT NULL;
