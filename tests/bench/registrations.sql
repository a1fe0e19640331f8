-- Registration benchmark data: the 400 people who all press Register at
-- the same moment for a conference with 200 places.  They are active
-- members of this node, unlisted (so the member directory benchmark still
-- sees its 50), with consecutive account ids: the pgbench side of the
-- benchmark computes each person's account from their number.  No
-- passwords: tests/bench/registrations.sh gives each one a session.
-- The events themselves are made fresh for every round by the script.

\set ON_ERROR_STOP on

WITH m AS (
	INSERT INTO members (id, origin, name, organisation, stakeholder,
	    region, listed)
	SELECT gen_random_uuid(), (SELECT id FROM node),
	    'Storm attendee ' || n, 'Bench Primary Care Network', 'link_worker',
	    'North West', false
	FROM generate_series(1, 400) n
	ORDER BY n
	RETURNING id, name
)
INSERT INTO accounts (member, email, role, status, created, approved)
SELECT m.id, 'storm.' || substr(m.name, 16) || '@bench.example.org',
    'member', 'active', now() - interval '30 days',
    now() - interval '29 days'
FROM m
ORDER BY substr(m.name, 16)::int;

-- Person n is account (first id) + n - 1 and storm.n@bench.example.org:
-- refuse to go on if the ids have holes or the order came out otherwise.
DO $$
DECLARE
	lo bigint;
BEGIN
	SELECT min(id) INTO lo FROM accounts
	WHERE email LIKE 'storm.%@bench.example.org';
	IF (SELECT count(*) FROM accounts a JOIN members m ON m.id = a.member
	    WHERE a.email = 'storm.' || (a.id - lo + 1) || '@bench.example.org'
	    AND m.name = 'Storm attendee ' || (a.id - lo + 1)
	    AND a.status = 'active' AND NOT m.listed) <> 400 THEN
		RAISE EXCEPTION 'expected 400 active storm accounts with '
		    'consecutive ids';
	END IF;
END
$$;
