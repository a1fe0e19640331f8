-- Demo events for one node: psql -v region=... -v slug=...
-- The hub hosts the national conference: in-person places all taken with a
-- waiting list (one entry is a carer and the person they support), a few
-- online places left, and the usual questions.  Every region has a
-- regional meeting coming up, a webinar, and a workshop that has already
-- happened.  Places are taken through acorn_register, as the pages take
-- them, so the counts and the waiting list are what the server would make.

CREATE TEMP TABLE demo_first (i int, name text);
INSERT INTO demo_first VALUES (0,'Aisha'),(1,'Brian'),(2,'Catrin'),
 (3,'Declan'),(4,'Esther'),(5,'Femi'),(6,'Gwen'),(7,'Hassan'),(8,'Ingrid'),
 (9,'Josef'),(10,'Kirsty'),(11,'Lamar'),(12,'Mei'),(13,'Nikhil'),
 (14,'Orla'),(15,'Pavel'),(16,'Rosa'),(17,'Simon'),(18,'Tamsin'),
 (19,'Usman');
CREATE TEMP TABLE demo_last (i int, name text);
INSERT INTO demo_last VALUES (0,'Ahmed'),(1,'Baker'),(2,'Chowdhury'),
 (3,'Davies'),(4,'Evans'),(5,'Fraser'),(6,'Gill'),(7,'Hall'),(8,'Iqbal'),
 (9,'Jenkins');
-- Person n (0 to 199): a name and an address nobody will receive.
CREATE TEMP VIEW demo_person AS
	SELECT f.i + 20 * l.i AS n, f.name || ' ' || l.name AS name,
	    lower(f.name || '.' || l.name) || '.' || (f.i + 20 * l.i)
	    || '@' || :'slug' || '.example.org' AS email,
	    (ARRAY['Primary Care Network', 'Integrated Care Board',
	    'Age UK', 'City Council', 'Community Health Trust'])
	    [1 + (f.i + l.i) % 5] AS organisation
	FROM demo_first f, demo_last l;

CREATE TEMP TABLE demo_event (slug text PRIMARY KEY, id uuid);

INSERT INTO demo_event
SELECT e.slug, gen_random_uuid() FROM (VALUES ('conference'),
    ('meeting'), ('webinar'), ('past')) AS e(slug);

INSERT INTO events (id, origin, title, description, kind, starts, ends,
    venue, address, online_url, organiser, organiser_email, region, status)
SELECT d.id, n.id, v.title, v.description, v.kind,
    (v.day || ' ' || v.starts)::timestamp AT TIME ZONE 'Europe/London',
    (v.day || ' ' || v.ends)::timestamp AT TIME ZONE 'Europe/London',
    v.venue, v.address, v.online_url, :'region' || ' coordinator',
    'coordinator@' || :'slug' || '.example.org', :'region', 'published'
FROM node n, demo_event d JOIN (VALUES
 ('conference', 'National social prescribing conference 2027',
  E'A day on what social prescribing does for people and for services.\n\n'
  || E'- Keynote: the evidence so far, and what commissioners ask for\n'
  || E'- Workshops on green, arts and financial wellbeing prescribing\n'
  || E'- Link workers share what makes referrals work\n\n'
  || 'Lunch is provided. Tell us about access or dietary needs when you register.',
  'conference', current_date + 115, '09:30', '17:00',
  'Birmingham Council House', E'Victoria Square\nBirmingham\nB1 1BB',
  'https://meet.example.org/national-2027'),
 ('meeting', CASE WHEN :'region' = 'National'
  THEN 'Regional coordinators'' meeting'
  ELSE :'region' || ' regional meeting' END,
  'Our quarterly meeting: news from the region, a case study from a link '
  || 'worker, and time to plan next quarter together.',
  'regional_meeting', current_date + 30, '13:30', '16:00',
  :'region' || ' Community Hub', E'12 High Street\n' || :'region', NULL),
 ('webinar', 'Evaluating social prescribing: a practical introduction',
  'How to measure what matters: wellbeing scales, GP attendance and '
  || 'return on investment, with time for questions.',
  'webinar', current_date + 12, '12:30', '13:30', NULL, NULL,
  'https://meet.example.org/' || :'slug' || '-evaluation'),
 ('past', 'Green social prescribing workshop',
  'A morning outdoors with community gardening groups and walking leaders.',
  'workshop', current_date - 40, '10:00', '12:30',
  :'region' || ' Botanical Gardens', NULL, NULL)
) AS v(slug, title, description, kind, day, starts, ends, venue, address,
    online_url) ON v.slug = d.slug
WHERE d.slug <> 'conference' OR :'region' = 'National';

INSERT INTO place_types (event, name, capacity, position)
SELECT d.id, v.name, v.capacity, v.position
FROM demo_event d JOIN (VALUES ('conference', 'In person', 150, 0),
    ('conference', 'Online', 40, 1), ('meeting', 'In person', 40, 0),
    ('webinar', 'Online', 100, 0), ('past', 'In person', 25, 0))
    AS v(slug, name, capacity, position) ON v.slug = d.slug
JOIN events e ON e.id = d.id;

INSERT INTO questions (event, kind, label, choices, required, position)
SELECT d.id, v.kind, v.label, v.choices, v.required, v.position
FROM demo_event d JOIN events e ON e.id = d.id
JOIN (VALUES ('access', 'Do you have any access needs?', NULL::text[],
    false, 1),
    ('dietary', 'Do you have any dietary needs?', NULL, false, 2),
    ('choice', 'Which afternoon workshop would you like?',
     ARRAY['Green social prescribing', 'Arts on prescription',
     'Money and debt advice'], true, 3)) AS v(kind, label, choices,
    required, position) ON d.slug IN ('conference', 'meeting')
WHERE v.kind <> 'choice' OR d.slug = 'conference';

-- Who registers where, in arrival order: the conference's 150 in-person
-- places go, then nine people wait (one of them booking two places); 36
-- take online places.  The regional meeting has 14, the webinar 23.
CREATE TEMP TABLE demo_booking (n int, slug text, place text, places int);
INSERT INTO demo_booking
SELECT n, 'conference', 'In person', CASE WHEN n = 154 THEN 2 ELSE 1 END
FROM generate_series(0, 158) n WHERE :'region' = 'National'
UNION ALL SELECT n, 'conference', 'Online', 1
FROM generate_series(159, 194) n WHERE :'region' = 'National'
UNION ALL SELECT n, 'meeting', 'In person', 1 FROM generate_series(0, 13) n
UNION ALL SELECT n, 'webinar', 'Online', 1 FROM generate_series(20, 42) n;

-- The past workshop is still open for a moment while its 18 people come.
UPDATE events SET starts = now() + interval '1 hour',
    ends = now() + interval '2 hours'
WHERE id = (SELECT id FROM demo_event WHERE slug = 'past');
INSERT INTO demo_booking
SELECT n, 'past', 'In person', 1 FROM generate_series(60, 77) n;

DO $$
DECLARE
	b	record;
BEGIN
	FOR b IN SELECT pt.id AS place_type, p.name, p.email, p.organisation,
	    k.places, k.n, k.slug FROM demo_booking k
	    JOIN demo_event d ON d.slug = k.slug
	    JOIN place_types pt ON pt.event = d.id AND pt.name = k.place
	    JOIN demo_person p ON p.n = k.n
	    ORDER BY k.slug, k.n
	LOOP
		PERFORM acorn_register(b.place_type, NULL, b.name, b.email,
		    b.organisation, b.places, b.n % 3 = 0,
		    'demo-' || b.slug || '-' || b.n);
	END LOOP;
END
$$;

-- Answers from the conference's confirmed people, some needing something.
INSERT INTO answers (registration, question, value)
SELECT r.id, q.id, CASE q.kind
    WHEN 'access' THEN 'Step-free access and a seat near the front'
    WHEN 'dietary' THEN (ARRAY['Vegetarian', 'Halal', 'Gluten free'])
        [1 + r.id % 3]
    ELSE q.choices[1 + r.id % 3] END
FROM registrations r JOIN questions q ON q.event = r.event
WHERE r.event = (SELECT id FROM demo_event WHERE slug = 'conference')
  AND (q.kind = 'choice' OR r.id % 7 = 0);

UPDATE events SET starts = (current_date - 40 + time '10:00')
        AT TIME ZONE 'Europe/London',
    ends = (current_date - 40 + time '12:30') AT TIME ZONE 'Europe/London'
WHERE id = (SELECT id FROM demo_event WHERE slug = 'past');
UPDATE registrations SET attended = e.starts + interval '5 minutes'
FROM events e WHERE e.id = registrations.event
  AND e.id = (SELECT id FROM demo_event WHERE slug = 'past')
  AND registrations.id % 6 <> 0;

-- Every voice in the room: each person registered gives their group,
-- as a guest may and a member's profile does, so that the mix shows on
-- the events' pages and the network's.
UPDATE registrations r SET stakeholder = (ARRAY['link_worker', 'gp',
    'vcse', 'social_care', 'citizen', 'public_health', 'commissioner',
    'link_worker', 'academic', 'local_authority', 'vcse', 'citizen',
    'link_worker'])[1 + r.id % 13]
WHERE r.event IN (SELECT id FROM demo_event) AND r.stakeholder IS NULL;

-- The regional meeting keeps places for the voices it would otherwise
-- miss until a week before: 5 for citizens, 5 for voluntary and
-- community groups.
DO $$
BEGIN
	PERFORM acorn_keep(pt.id, 5, v.groups, e.starts - interval '7 days')
	FROM demo_event d JOIN events e ON e.id = d.id
	JOIN place_types pt ON pt.event = e.id,
	    (VALUES (ARRAY['citizen']), (ARRAY['vcse'])) AS v(groups)
	WHERE d.slug = 'meeting';
END
$$;

-- The past workshop asked the people who came what they thought, and
-- two in three answered (anonymously, as its form promised).
INSERT INTO feedback_forms (event, sent)
SELECT e.id, e.ends + interval '1 day'
FROM demo_event d JOIN events e ON e.id = d.id WHERE d.slug = 'past';
INSERT INTO feedback_questions (event, kind, label, choices, required,
    position)
SELECT d.id, v.kind, v.label, v.choices, v.required, v.position
FROM demo_event d, (VALUES
    ('rating', 'How useful was the morning for your work?', NULL::text[],
     true, 1),
    ('choice', 'Which part helped most?', ARRAY['The gardening groups',
     'The walking leaders', 'Meeting other link workers'], false, 2),
    ('text', 'What would you change next time?', NULL, false, 3))
    AS v(kind, label, choices, required, position)
WHERE d.slug = 'past';
-- Each link's key is random and never mailed: the demo's people are
-- invented, so nobody could use one.
INSERT INTO feedback_links (hash, event, registration, stakeholder,
    answered, expires)
SELECT sha256(uuid_send(gen_random_uuid())), r.event, r.id, r.stakeholder,
    r.id % 3 <> 0, now() + interval '10 days'
FROM registrations r
WHERE r.event = (SELECT id FROM demo_event WHERE slug = 'past')
  AND r.status = 'confirmed' AND r.attended IS NOT NULL;
INSERT INTO feedback_responses (event, day)
SELECT l.event, current_date - 38 FROM feedback_links l
WHERE l.event = (SELECT id FROM demo_event WHERE slug = 'past')
  AND l.answered;
INSERT INTO feedback_answers (response, question, value)
SELECT s.id, q.id, CASE q.kind
    WHEN 'rating' THEN (ARRAY['5', '4', '4', '3', '5', '2', '4'])
        [1 + s.id % 7]
    WHEN 'choice' THEN q.choices[1 + s.id % 3]
    ELSE (ARRAY['More time to walk the gardens ourselves.',
        'A session on how to refer people who use a wheelchair.',
        'Start later: the trains from the valleys arrive at ten.'])
        [1 + s.id % 3] END
FROM feedback_responses s JOIN feedback_questions q ON q.event = s.event
WHERE s.event = (SELECT id FROM demo_event WHERE slug = 'past')
  AND (q.kind <> 'text' OR s.id % 2 = 0)
  AND (q.kind <> 'choice' OR s.id % 5 <> 0);
