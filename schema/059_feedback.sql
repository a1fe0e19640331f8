-- Acorn schema, version 59: asking the people who came what they
-- thought.
--
-- An organiser attaches a short form to an event of this node: ratings
-- from 1 to 5, one answer from a list, written answers.  After the event
-- each attendee (checked in, when the event used check-in; with a place,
-- when it did not) is sent a link of their own, which works once.  A
-- member of another node is sent it through their node (the outcome's
-- feedback field, docs/protocol.md 8.5).  The link is kept only as a
-- hash, with whom it went to, so that the organisers can see the share
-- who answered by stakeholder group; the answers are kept apart from it
-- and, unless the form says otherwise, name nobody: nothing in the
-- database joins an anonymous answer to a person.  Once links have gone
-- out the questions are fixed.

CREATE TABLE feedback_forms (
	event		uuid PRIMARY KEY REFERENCES events (id)
	    ON DELETE CASCADE,
	-- Whether answers name the person (false: they never do).
	named		boolean NOT NULL DEFAULT false,
	sent		timestamptz,
	-- How long a link works after it was sent.
	days		integer NOT NULL DEFAULT 30
	    CHECK (days BETWEEN 1 AND 365)
);

CREATE TABLE feedback_questions (
	id		bigserial PRIMARY KEY,
	event		uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	kind		text NOT NULL
	    CHECK (kind IN ('rating', 'choice', 'text')),
	label		text NOT NULL CHECK (length(label) BETWEEN 1 AND 300),
	choices		text[],
	required	boolean NOT NULL DEFAULT false,
	position	integer NOT NULL DEFAULT 0,
	CHECK ((kind = 'choice') = (choices IS NOT NULL))
);
CREATE INDEX feedback_questions_event_idx ON feedback_questions (event);

-- A link sent: the SHA-256 of its key, and whom it went to.
CREATE TABLE feedback_links (
	hash		bytea PRIMARY KEY,
	event		uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	registration	bigint NOT NULL UNIQUE REFERENCES registrations (id)
	    ON DELETE CASCADE,
	-- The group they registered under, for the share who answered.
	stakeholder	text,
	answered	boolean NOT NULL DEFAULT false,
	expires		timestamptz NOT NULL
);
CREATE INDEX feedback_links_event_idx ON feedback_links (event);

-- An answer to the form.  Its id says nothing of whose it is; it has no
-- time finer than the day, so that nobody can match it to a link.
CREATE TABLE feedback_responses (
	id		bigserial PRIMARY KEY,
	event		uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	-- Only when the form names people.
	registration	bigint REFERENCES registrations (id) ON DELETE SET NULL,
	day		date NOT NULL DEFAULT current_date
);
CREATE INDEX feedback_responses_event_idx ON feedback_responses (event);
CREATE INDEX feedback_responses_registration_idx
	ON feedback_responses (registration) WHERE registration IS NOT NULL;

CREATE TABLE feedback_answers (
	response	bigint NOT NULL REFERENCES feedback_responses (id)
	    ON DELETE CASCADE,
	question	bigint NOT NULL REFERENCES feedback_questions (id)
	    ON DELETE CASCADE,
	value		text NOT NULL CHECK (length(value) <= 2000),
	PRIMARY KEY (response, question)
);
CREATE INDEX feedback_answers_question_idx ON feedback_answers (question);

-- The host's side of a registration from another node: the link to the
-- feedback form, sent with the outcome to the member's node.
ALTER TABLE inbox_requests ADD COLUMN feedback text;
-- The home node's: the link its member was sent.
ALTER TABLE away_registrations ADD COLUMN feedback text;

-- The letter with a link to the form (p_url), for someone who came.
CREATE FUNCTION acorn_feedback_letter(p_recipient text, p_name text,
    p_event uuid, p_url text, p_days integer, p_member uuid)
RETURNS void
LANGUAGE sql AS $$
	INSERT INTO outbox (recipient, subject, body, member)
	SELECT p_recipient, 'What did you think of ' || e.title || '?',
	    'Dear ' || p_name || E',\n\nThank you for coming to ' || e.title
	    || ', on ' || acorn_london(e.starts,
	    'FMDay FMDD FMMonth YYYY') || E'.\n\nThe organisers would like '
	    || E'to know what you thought. It takes a few\nminutes:\n\n'
	    || p_url || E'\n\nThe link is yours alone and works once'
	    || coalesce(', for ' || p_days || ' days', '') || E'. Your '
	    || E'answers\nare kept without your name unless the form says '
	    || E'otherwise.\n', p_member
	FROM events e WHERE e.id = p_event
$$;

-- Makes the links for the attendees of event p_event who have none yet,
-- and sends them: a letter to each of this node's people, and the link
-- in the outcome for each member of another node.  Returns how many
-- people were sent one.  Keys are made as acorn_guest_key makes them;
-- only their hashes stay.
CREATE FUNCTION acorn_feedback_send(p_event uuid, p_base text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	f	feedback_forms%ROWTYPE;
	r	record;
	k	text;
	url	text;
	n	integer := 0;
	door	boolean;
BEGIN
	SELECT * INTO f FROM feedback_forms WHERE event = p_event FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	-- People checked in at the door, when the event used check-in.
	door := EXISTS (SELECT 1 FROM registrations x WHERE x.event = p_event
	    AND x.attended IS NOT NULL);
	FOR r IN SELECT x.id, x.name, x.email, x.home, x.stakeholder,
	    a.member FROM registrations x
	    LEFT JOIN accounts a ON a.id = x.account
	    WHERE x.event = p_event AND x.status = 'confirmed'
	      AND x.role = 'attendee'
	      AND (NOT door OR x.attended IS NOT NULL)
	      AND NOT EXISTS (SELECT 1 FROM feedback_links l
	          WHERE l.registration = x.id)
	    ORDER BY x.id
	LOOP
		k := rtrim(translate(encode(uuid_send(gen_random_uuid()) ||
		    uuid_send(gen_random_uuid()), 'base64'), '+/', '-_'), '=');
		url := p_base || '/feedback/' || k;
		INSERT INTO feedback_links (hash, event, registration,
		    stakeholder, expires)
		VALUES (acorn_guest_key_hash(k), p_event, r.id, r.stakeholder,
		    now() + make_interval(days => f.days));
		IF r.home IS NOT NULL THEN
			-- next_attempt now: the trigger wakes the courier.
			UPDATE inbox_requests SET feedback = url,
			    out_version = out_version + 1, attempts = 0,
			    next_attempt = now(), last_error = NULL
			WHERE registration = r.id;
		ELSE
			PERFORM acorn_feedback_letter(r.email, r.name, p_event,
			    url, f.days, r.member);
		END IF;
		n := n + 1;
	END LOOP;
	UPDATE feedback_forms SET sent = now() WHERE event = p_event;
	RETURN n;
END
$$;

-- Answers through a link: 'done', or why not ('unknown', 'used',
-- 'expired', 'bad' when an answer is to no question of the form or a
-- required one is missing).  The link is spent in the same statement
-- that keeps the answers, under its row's lock, so it works once
-- however often it is sent at once.
CREATE FUNCTION acorn_feedback_answer(p_key text, p_questions bigint[],
    p_values text[])
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	l	feedback_links%ROWTYPE;
	resp	bigint;
BEGIN
	SELECT * INTO l FROM feedback_links
	WHERE hash = acorn_guest_key_hash(p_key) FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'unknown';
	ELSIF l.answered THEN
		RETURN 'used';
	ELSIF l.expires <= now() THEN
		RETURN 'expired';
	END IF;
	IF EXISTS (SELECT 1 FROM unnest(p_questions) AS q (id)
	    WHERE NOT EXISTS (SELECT 1 FROM feedback_questions fq
	        WHERE fq.id = q.id AND fq.event = l.event))
	    OR EXISTS (SELECT 1 FROM feedback_questions fq
	        WHERE fq.event = l.event AND fq.required
	          AND NOT fq.id = ANY (p_questions)) THEN
		RETURN 'bad';
	END IF;
	UPDATE feedback_links SET answered = true WHERE hash = l.hash;
	INSERT INTO feedback_responses (event, registration)
	SELECT l.event, CASE WHEN f.named THEN l.registration END
	FROM feedback_forms f WHERE f.event = l.event
	RETURNING id INTO resp;
	INSERT INTO feedback_answers (response, question, value)
	SELECT resp, a.q, a.v FROM unnest(p_questions, p_values) AS a (q, v)
	WHERE a.v <> '';
	RETURN 'done';
END
$$;

-- The home node took an outcome (as in version 49); one carrying a new
-- link to the host's feedback form is mailed to the member.  A link
-- that is not to the host's own form is refused (400): no node can use
-- another's members' trust to send them elsewhere.
DROP FUNCTION acorn_away_apply(uuid, uuid, uuid, text, bigint, text,
    integer, integer, text, text);
CREATE FUNCTION acorn_away_apply(p_id uuid, p_host uuid, p_event uuid,
    p_status text, p_position bigint, p_what text, p_outcome integer,
    p_acked integer, p_joining text, p_base text, p_feedback text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	a	away_registrations%ROWTYPE;
	tell	boolean;
	form	text := rtrim(acorn_node_url(p_host), '/') || '/feedback/';
BEGIN
	SELECT * INTO a FROM away_registrations WHERE id = p_id FOR UPDATE;
	IF NOT FOUND OR a.host IS DISTINCT FROM p_host OR
	    a.event IS DISTINCT FROM p_event THEN
		RETURN 404;
	END IF;
	IF p_feedback IS NOT NULL AND (form IS NULL OR
	    left(p_feedback, length(form)) <> form) THEN
		RETURN 400;
	END IF;
	IF a.outcome >= p_outcome THEN
		RETURN 204;		-- had it already
	END IF;
	tell := (a.status, a.position, a.why, a.joining) IS DISTINCT FROM
	    (p_status, p_position, p_what, p_joining) OR
	    (p_what = 'event_changed' AND
	    coalesce(a.told <= now() - interval '1 hour', true));
	a.delivered := greatest(a.delivered, least(p_acked, a.version));
	tell := tell AND (a.wanted = 'registered' OR
	    a.delivered = a.version);
	UPDATE away_registrations SET status = p_status,
	    position = p_position, why = p_what, outcome = p_outcome,
	    delivered = a.delivered, joining = p_joining, changed = now(),
	    told = CASE WHEN tell THEN now() ELSE told END,
	    attempts = CASE WHEN a.delivered = version THEN 0
		ELSE attempts END,
	    last_error = CASE WHEN a.delivered = version THEN NULL
		ELSE last_error END,
	    feedback = coalesce(p_feedback, feedback)
	    WHERE id = p_id;
	IF tell THEN
		PERFORM acorn_tell_away(p_id, p_what, p_base);
	END IF;
	IF p_feedback IS NOT NULL AND p_feedback IS DISTINCT FROM a.feedback
	    AND NOT a.erased AND a.wanted = 'registered' THEN
		PERFORM acorn_feedback_letter(a.email, a.name, a.event,
		    p_feedback, NULL, (SELECT ac.member FROM accounts ac
		    WHERE ac.id = a.account));
	END IF;
	RETURN 204;
END
$$;

-- Pages kept in the cache are told when any of it changes.
SELECT acorn_data_watch(t::regclass) FROM unnest(ARRAY['feedback_forms',
    'feedback_questions', 'feedback_links', 'feedback_responses',
    'feedback_answers']) AS t;
