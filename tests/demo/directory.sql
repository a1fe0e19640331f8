-- Demo directory of services for one node: psql -v region=...
-- A region's node lists about fifty services from eight organisations in
-- three of its towns; the national hub lists a few national phone and
-- online services.  Some listings were checked recently, some are due
-- for review, one is overdue and one was never checked, as in a real
-- directory.  Every organisation, service, address, phone number and
-- email here is invented for the demo.

CREATE TEMP TABLE demo_town (region text, n integer, town text,
    outcode text, street text);
INSERT INTO demo_town VALUES
 ('North West', 0, 'Salford', 'M6', 'Chapel Street'),
 ('North West', 1, 'Bolton', 'BL1', 'Deansgate'),
 ('North West', 2, 'Wigan', 'WN1', 'Library Street'),
 ('London', 0, 'Hackney', 'E8', 'Mare Street'),
 ('London', 1, 'Lewisham', 'SE13', 'Rushey Green'),
 ('London', 2, 'Brent', 'NW10', 'High Road'),
 ('South West', 0, 'Bristol', 'BS2', 'Stokes Croft'),
 ('South West', 1, 'Plymouth', 'PL4', 'Mutley Plain'),
 ('South West', 2, 'Exeter', 'EX4', 'Sidwell Street'),
 ('North East and Yorkshire', 0, 'Leeds', 'LS6', 'Headingley Lane'),
 ('North East and Yorkshire', 1, 'Sunderland', 'SR1', 'Fawcett Street'),
 ('North East and Yorkshire', 2, 'Hull', 'HU3', 'Anlaby Road'),
 ('Midlands', 0, 'Coventry', 'CV1', 'Far Gosford Street'),
 ('Midlands', 1, 'Derby', 'DE1', 'Friar Gate'),
 ('Midlands', 2, 'Stoke-on-Trent', 'ST4', 'Church Street'),
 ('East of England', 0, 'Norwich', 'NR2', 'Magdalen Street'),
 ('East of England', 1, 'Luton', 'LU1', 'Park Street'),
 ('East of England', 2, 'Ipswich', 'IP4', 'Fore Street'),
 ('South East', 0, 'Brighton', 'BN2', 'London Road'),
 ('South East', 1, 'Reading', 'RG1', 'Oxford Road'),
 ('South East', 2, 'Canterbury', 'CT1', 'Northgate');

-- The organisations: {town} becomes the town each works in.
CREATE TEMP TABLE demo_org (k integer PRIMARY KEY, name text,
    description text, email text, id uuid DEFAULT gen_random_uuid());
INSERT INTO demo_org (k, name, description, email) VALUES
 (1, 'Age Friendly {town}', 'A local charity for older people in {town}: clubs, befriending, advice and help at home.', 'hello@agefriendly-{slug}.example.org'),
 (2, '{town} Carers Centre', 'Information, breaks and support for unpaid carers of all ages in {town}.', 'support@carers-{slug}.example.org'),
 (3, '{town} Advice Network', 'Free, independent advice on money, debt, benefits, housing and work.', 'advice@{slug}-advice.example.org'),
 (4, 'Green Spaces {town}', 'Community gardens, conservation volunteering and nature walks across {town}.', 'grow@greenspaces-{slug}.example.org'),
 (5, 'Mind Matters {town}', 'Mental wellbeing support in {town}: groups, courses and a listening line.', 'talk@mindmatters-{slug}.example.org'),
 (6, 'Active {town} Trust', 'Getting people in {town} moving, whatever their age or ability.', 'move@active-{slug}.example.org'),
 (7, '{town} Arts Hub', 'Creative groups, classes and performances open to everyone in {town}.', 'create@artshub-{slug}.example.org'),
 (8, '{town} Community Pantry', 'Low-cost food, shared meals and cooking skills for people in {town}.', 'food@pantry-{slug}.example.org');

-- The services: their organisation (k), and what each says.
CREATE TEMP TABLE demo_service (n integer PRIMARY KEY, k integer,
    name text, description text, terms text[], attending text[],
    access text[], schedules jsonb, free boolean, fees text,
    minimum_age integer, maximum_age integer, eligibility text,
    venue text);
INSERT INTO demo_service VALUES
 (1, 1, 'Tuesday lunch club', 'A hot two-course lunch, a quiz and good company every Tuesday. Transport can be arranged for people who cannot get there on their own.', '{befriending,food,later_life}', '{in_person}', '{self_referral,professional_referral}', '[{"freq":"WEEKLY","byday":"TU","opens_at":"11:30","closes_at":"14:00"}]', false, '£4.50 for lunch', 60, NULL, 'People aged 60 and over', 'St Anne''s Church Hall'),
 (2, 1, 'Telephone befriending', 'A friendly volunteer calls at the same time each week for a chat. For people who feel lonely or cut off.', '{befriending,later_life}', '{phone}', '{self_referral,professional_referral}', '[{"freq":"WEEKLY","byday":"MO,TU,WE,TH,FR","opens_at":"10:00","closes_at":"16:00"}]', true, NULL, 50, NULL, 'People aged 50 and over who live alone', NULL),
 (3, 1, 'Home visiting befrienders', 'A trained volunteer visits at home for an hour a week: conversation, a walk, help to get out again.', '{befriending,later_life,disability}', '{home_visit}', '{professional_referral}', '[]', true, NULL, 65, NULL, 'Older people who rarely leave home', NULL),
 (4, 1, 'Digital drop-in', 'Bring your phone, tablet or laptop and get help with video calls, online shopping and NHS services.', '{digital_skills,later_life}', '{in_person}', '{drop_in}', '[{"freq":"WEEKLY","byday":"TH","opens_at":"10:00","closes_at":"12:00"}]', true, NULL, NULL, NULL, NULL, 'Central Library'),
 (5, 1, 'Memory cafe', 'A relaxed monthly cafe for people living with dementia and the people who care for them, with music and activities.', '{dementia,carers,befriending}', '{in_person}', '{drop_in}', '[{"freq":"MONTHLY","byday":"2WE","opens_at":"14:00","closes_at":"16:00"}]', true, NULL, NULL, NULL, 'People living with dementia and their carers', 'The Old Library Cafe'),
 (6, 1, 'Chair-based exercise', 'Gentle seated exercise to music to build strength and balance.', '{physical_activity,later_life}', '{in_person}', '{self_referral}', '[{"freq":"WEEKLY","byday":"MO,FR","opens_at":"10:30","closes_at":"11:30"}]', false, '£3 a session', 55, NULL, NULL, 'St Anne''s Church Hall'),
 (7, 2, 'Carers support group', 'Meet other carers, share what works and get information from visiting speakers.', '{carers,peer_support}', '{in_person,online}', '{self_referral}', '[{"freq":"MONTHLY","byday":"1TH","opens_at":"18:00","closes_at":"20:00"}]', true, NULL, 18, NULL, 'Adult carers', 'Carers Centre'),
 (8, 2, 'Young carers club', 'Fun activities, trips and someone to talk to for young people who look after someone at home.', '{carers,young_people}', '{in_person}', '{self_referral,professional_referral}', '[{"freq":"WEEKLY","byday":"WE","opens_at":"16:00","closes_at":"18:00"}]', true, NULL, 8, 17, 'Young carers aged 8 to 17', 'Carers Centre'),
 (9, 2, 'Carers advice line', 'Advice on carers allowance, breaks, assessments and working while caring.', '{carers,benefits}', '{phone}', '{self_referral}', '[{"freq":"WEEKLY","byday":"MO,TU,WE,TH,FR","opens_at":"09:00","closes_at":"17:00"}]', true, NULL, NULL, NULL, NULL, NULL),
 (10, 2, 'Carers wellbeing breaks', 'Short funded breaks and relaxation sessions for carers who need time for themselves.', '{carers,mental_wellbeing}', '{in_person}', '{appointment}', '[]', true, NULL, 18, NULL, 'Carers registered with the centre', 'Carers Centre'),
 (11, 2, 'Bereaved carers group', 'Support for people whose caring role has ended with the death of the person they cared for.', '{carers,bereavement}', '{in_person}', '{self_referral,professional_referral}', '[{"freq":"MONTHLY","byday":"-1TU","opens_at":"13:00","closes_at":"15:00"}]', true, NULL, NULL, NULL, NULL, 'Carers Centre'),
 (12, 2, 'Carers digital skills course', 'Six sessions on managing appointments, prescriptions and support online.', '{carers,digital_skills}', '{online}', '{self_referral}', '[{"freq":"WEEKLY","byday":"TH","opens_at":"19:00","closes_at":"20:30"}]', true, NULL, NULL, NULL, NULL, NULL),
 (13, 3, 'Debt advice', 'Confidential help to deal with debts, talk to creditors and make a plan you can afford.', '{money_debt}', '{in_person,phone}', '{appointment,professional_referral}', '[{"freq":"WEEKLY","byday":"MO,WE","opens_at":"09:30","closes_at":"16:30"}]', true, NULL, 18, NULL, NULL, 'Advice Centre'),
 (14, 3, 'Benefits check and claims', 'Find out what you are entitled to and get help to claim and appeal.', '{benefits,money_debt}', '{in_person,phone}', '{drop_in,appointment}', '[{"freq":"WEEKLY","byday":"TU,TH","opens_at":"10:00","closes_at":"15:00"}]', true, NULL, NULL, NULL, NULL, 'Advice Centre'),
 (15, 3, 'Housing advice', 'Advice on renting, repairs, eviction and homelessness.', '{housing,legal_advice}', '{in_person,phone}', '{appointment}', '[{"freq":"WEEKLY","byday":"WE","opens_at":"09:30","closes_at":"13:00"}]', true, NULL, NULL, NULL, NULL, 'Advice Centre'),
 (16, 3, 'Energy advice', 'Help with energy bills, debts to suppliers and keeping warm for less.', '{energy,money_debt}', '{phone,home_visit}', '{self_referral,professional_referral}', '[{"freq":"WEEKLY","byday":"MO,TU,WE,TH","opens_at":"09:00","closes_at":"17:00"}]', true, NULL, NULL, NULL, NULL, NULL),
 (17, 3, 'Job club', 'CVs, applications and interview practice with a friendly adviser.', '{employment,learning}', '{in_person}', '{drop_in}', '[{"freq":"WEEKLY","byday":"FR","opens_at":"10:00","closes_at":"13:00"}]', true, NULL, 16, NULL, NULL, 'Central Library'),
 (18, 3, 'Welcome and advice for new arrivals', 'Advice on rights, services and English classes for refugees, asylum seekers and migrants.', '{refugees_migrants,legal_advice}', '{in_person}', '{drop_in}', '[{"freq":"WEEKLY","byday":"TH","opens_at":"13:00","closes_at":"16:00"}]', true, NULL, NULL, NULL, NULL, 'Advice Centre'),
 (19, 4, 'Community garden volunteering', 'Grow fruit and vegetables alongside others. No experience needed; tools and tea provided.', '{nature_gardening,volunteering,mental_wellbeing}', '{in_person}', '{self_referral,professional_referral}', '[{"freq":"WEEKLY","byday":"WE,SA","opens_at":"10:00","closes_at":"13:00"}]', true, NULL, 16, NULL, NULL, 'Riverside Community Garden'),
 (20, 4, 'Green gym', 'Practical conservation work outdoors that gets you fit and helps local green spaces.', '{nature_gardening,physical_activity}', '{in_person}', '{self_referral}', '[{"freq":"WEEKLY","byday":"TU","opens_at":"10:00","closes_at":"13:00"}]', true, NULL, 18, NULL, NULL, 'Meet at the park gates'),
 (21, 4, 'Nature walks for wellbeing', 'Slow, sociable walks that notice the nature around us, led by a trained walk leader.', '{nature_gardening,physical_activity,mental_wellbeing}', '{in_person}', '{drop_in}', '[{"freq":"WEEKLY","byday":"SU","opens_at":"10:30","closes_at":"12:00"}]', true, NULL, NULL, NULL, NULL, 'Meet at the park cafe'),
 (22, 4, 'Allotment taster sessions', 'Try a shared allotment plot for a season with support from experienced growers.', '{nature_gardening,food}', '{in_person}', '{appointment}', '[{"freq":"WEEKLY","byday":"SA","opens_at":"09:00","closes_at":"12:00","valid_from":"2027-03-01","valid_to":"2027-10-31"}]', false, '£10 for the season', NULL, NULL, NULL, 'Hillside Allotments'),
 (23, 4, 'Gardening for people with dementia', 'Gentle gardening in a safe, sensory garden with trained volunteers.', '{nature_gardening,dementia}', '{in_person}', '{professional_referral}', '[{"freq":"WEEKLY","byday":"TH","opens_at":"10:00","closes_at":"12:00"}]', true, NULL, NULL, NULL, 'People living with dementia', 'Riverside Community Garden'),
 (24, 4, 'Young rangers', 'Outdoor skills, den building and wildlife surveys for teenagers.', '{nature_gardening,young_people}', '{in_person}', '{self_referral}', '[{"freq":"WEEKLY","byday":"SA","opens_at":"13:00","closes_at":"16:00"}]', true, NULL, 12, 18, NULL, 'Visitor Centre'),
 (25, 5, 'Wellbeing drop-in', 'A safe, friendly space to talk to someone about how you are feeling. No appointment needed.', '{mental_wellbeing,peer_support}', '{in_person}', '{drop_in}', '[{"freq":"WEEKLY","byday":"MO,WE,FR","opens_at":"12:00","closes_at":"16:00"}]', true, NULL, 18, NULL, NULL, 'Wellbeing Centre'),
 (26, 5, 'Listening line', 'Talk in confidence to a trained volunteer in the evenings.', '{mental_wellbeing,befriending}', '{phone}', '{self_referral}', '[{"freq":"WEEKLY","byday":"MO,TU,WE,TH,FR,SA,SU","opens_at":"18:00","closes_at":"23:00"}]', true, NULL, 18, NULL, NULL, NULL),
 (27, 5, 'Managing stress and anxiety course', 'A six-week course on understanding anxiety and practical ways to cope.', '{mental_wellbeing,learning}', '{in_person,online}', '{self_referral,professional_referral}', '[{"freq":"WEEKLY","byday":"TU","opens_at":"18:30","closes_at":"20:30"}]', true, NULL, 18, NULL, NULL, 'Wellbeing Centre'),
 (28, 5, 'Men''s shed', 'A workshop where men (and anyone else) make, mend and chat side by side.', '{befriending,mental_wellbeing,arts_creativity}', '{in_person}', '{drop_in}', '[{"freq":"WEEKLY","byday":"TU,TH","opens_at":"10:00","closes_at":"15:00"}]', false, '£2 a visit towards materials', 18, NULL, NULL, 'Unit 4, Canal Workshops'),
 (29, 5, 'Bereavement support group', 'Meet others who have lost someone close, with a trained facilitator.', '{bereavement,peer_support}', '{in_person}', '{self_referral,professional_referral}', '[{"freq":"MONTHLY","byday":"3MO","opens_at":"18:00","closes_at":"19:30"}]', true, NULL, 18, NULL, NULL, 'Wellbeing Centre'),
 (30, 5, 'Hearing voices group', 'A peer support group for people who hear voices or have unusual experiences.', '{mental_wellbeing,peer_support}', '{in_person}', '{self_referral}', '[{"freq":"WEEKLY","byday":"WE","opens_at":"14:00","closes_at":"15:30"}]', true, NULL, 18, NULL, NULL, 'Wellbeing Centre'),
 (31, 6, 'Walking for health', 'Free, friendly short walks led by trained volunteers, with a cuppa afterwards.', '{physical_activity,befriending}', '{in_person}', '{drop_in}', '[{"freq":"WEEKLY","byday":"MO,TH","opens_at":"10:00","closes_at":"11:00"}]', true, NULL, NULL, NULL, NULL, 'Meet at the leisure centre'),
 (32, 6, 'Exercise on referral', 'A twelve-week supported exercise programme for people with a health condition.', '{physical_activity,long_term_conditions,healthy_weight}', '{in_person}', '{professional_referral}', '[{"freq":"WEEKLY","byday":"MO,WE,FR","opens_at":"09:00","closes_at":"12:00"}]', false, '£2.50 a session', 16, NULL, 'Referral from a GP, nurse or link worker', 'Leisure Centre'),
 (33, 6, 'Walking football', 'Football at walking pace for people who want to play again.', '{physical_activity,later_life,befriending}', '{in_person}', '{drop_in}', '[{"freq":"WEEKLY","byday":"WE","opens_at":"11:00","closes_at":"12:00"}]', false, '£3 a session', 50, NULL, NULL, 'Leisure Centre'),
 (34, 6, 'Couch to 5k group', 'Go from no running to 5 kilometres in nine weeks with a supportive group.', '{physical_activity,healthy_weight}', '{in_person}', '{self_referral}', '[{"freq":"WEEKLY","byday":"TU,SA","opens_at":"09:00","closes_at":"10:00"}]', true, NULL, 16, NULL, NULL, 'Meet at the park bandstand'),
 (35, 6, 'Swim for wellbeing', 'Quiet, women-only swim sessions with a supportive instructor.', '{physical_activity,mental_wellbeing}', '{in_person}', '{self_referral}', '[{"freq":"WEEKLY","byday":"SU","opens_at":"08:00","closes_at":"09:00"}]', false, '£3.20 a swim', 16, NULL, 'Women', 'Leisure Centre pool'),
 (36, 6, 'Seated yoga online', 'Gentle yoga from your own chair, live online with a teacher.', '{physical_activity,long_term_conditions,disability}', '{online}', '{self_referral}', '[{"freq":"WEEKLY","byday":"WE","opens_at":"14:00","closes_at":"15:00"}]', true, NULL, NULL, NULL, NULL, NULL),
 (37, 7, 'Arts on prescription', 'A ten-week creative course for people with low mood or anxiety, in a small group.', '{arts_creativity,mental_wellbeing}', '{in_person}', '{professional_referral}', '[{"freq":"WEEKLY","byday":"TH","opens_at":"13:00","closes_at":"15:30"}]', true, NULL, 18, NULL, 'Referral from a GP or link worker', 'Arts Hub studio'),
 (38, 7, 'Community choir', 'Sing together for the joy of it. No auditions, no need to read music.', '{music_singing,befriending}', '{in_person}', '{drop_in}', '[{"freq":"WEEKLY","byday":"MO","opens_at":"19:00","closes_at":"21:00"}]', false, '£3 a week, free for carers', NULL, NULL, NULL, 'Arts Hub hall'),
 (39, 7, 'Singing for better breathing', 'Singing exercises and songs for people living with lung conditions.', '{music_singing,long_term_conditions}', '{in_person,online}', '{self_referral,professional_referral}', '[{"freq":"WEEKLY","byday":"TU","opens_at":"14:00","closes_at":"15:00"}]', true, NULL, 18, NULL, 'People with COPD or another lung condition', 'Arts Hub hall'),
 (40, 7, 'Creative writing circle', 'Write, read aloud and share in a supportive group.', '{arts_creativity,learning}', '{in_person}', '{drop_in}', '[{"freq":"MONTHLY","byday":"1SA","opens_at":"10:30","closes_at":"12:30"}]', true, NULL, NULL, NULL, NULL, 'Central Library'),
 (41, 7, 'Family art club', 'Messy art for parents and children under five.', '{arts_creativity,families}', '{in_person}', '{drop_in}', '[{"freq":"WEEKLY","byday":"FR","opens_at":"10:00","closes_at":"11:30"}]', false, '£1 per family', 0, 5, 'Children under five with a parent or carer', 'Arts Hub studio'),
 (42, 7, 'Museum object handling', 'Handle and talk about objects from the museum collection, in a relaxed group.', '{heritage_culture,dementia,later_life}', '{in_person}', '{self_referral}', '[{"freq":"MONTHLY","byday":"2FR","opens_at":"14:00","closes_at":"15:30"}]', true, NULL, NULL, NULL, NULL, 'Town Museum'),
 (43, 8, 'Community pantry', 'Choose groceries worth much more for a small weekly membership.', '{food,money_debt}', '{in_person}', '{drop_in}', '[{"freq":"WEEKLY","byday":"TU,FR","opens_at":"12:00","closes_at":"16:00"}]', false, '£5 a week membership', 18, NULL, 'People living in the area', 'Community Pantry'),
 (44, 8, 'Community meal', 'A free hot meal served at the table, open to anyone.', '{food,befriending}', '{in_person}', '{drop_in}', '[{"freq":"WEEKLY","byday":"WE","opens_at":"17:30","closes_at":"19:00"}]', true, NULL, NULL, NULL, NULL, 'Community Pantry'),
 (45, 8, 'Cook and eat sessions', 'Learn to cook simple, healthy meals on a budget, then eat together.', '{food,healthy_weight,learning}', '{in_person}', '{self_referral,professional_referral}', '[{"freq":"WEEKLY","byday":"TH","opens_at":"10:00","closes_at":"12:30"}]', true, NULL, 16, NULL, NULL, 'Community Pantry kitchen'),
 (46, 8, 'Emergency food parcels', 'Three days of food for people in crisis, with advice on what to do next.', '{food,money_debt}', '{in_person}', '{professional_referral}', '[{"freq":"WEEKLY","byday":"MO,WE,FR","opens_at":"11:00","closes_at":"14:00"}]', true, NULL, NULL, NULL, 'People referred by an agency with a food voucher', 'Community Pantry'),
 (47, 8, 'Holiday lunch club', 'Free lunch and activities for children during school holidays.', '{food,young_people,families}', '{in_person}', '{self_referral}', '[{"freq":"WEEKLY","byday":"MO,TU,WE,TH","opens_at":"11:00","closes_at":"14:00","valid_from":"2027-07-26","valid_to":"2027-08-27"}]', true, NULL, 5, 16, 'Children eligible for free school meals', 'Community Pantry'),
 (48, 8, 'Stop smoking clinic', 'Free support and medication to help you quit, with a trained adviser.', '{smoking_alcohol_drugs,long_term_conditions}', '{in_person,phone}', '{self_referral,appointment}', '[{"freq":"WEEKLY","byday":"WE","opens_at":"09:00","closes_at":"12:00"}]', true, NULL, 12, NULL, NULL, 'Health Centre');

-- A region's organisations, each in one of its towns.
CREATE TEMP TABLE demo_placed AS
SELECT o.k, o.id, t.town, t.outcode, t.street,
    replace(o.name, '{town}', t.town) AS name,
    replace(o.description, '{town}', t.town) AS description,
    replace(o.email, '{slug}', lower(replace(t.town, ' ', '-'))) AS email
FROM demo_org o JOIN demo_town t ON t.region = :'region'
    AND t.n = o.k % 3;

INSERT INTO organisations (id, origin, name, description, email, website,
    phone)
SELECT id, (SELECT id FROM node), name, description, email,
    'https://' || split_part(email, '@', 2) || '/',
    '0' || (1000 + k * 37) || ' 55' || (1000 + k * 113)
FROM demo_placed;

-- Each service at its own place in its organisation's town; the
-- location's id is the service's, for the demo.
CREATE TEMP TABLE demo_listing AS
SELECT s.*, p.id AS org, p.town, p.outcode, p.street,
    gen_random_uuid() AS id, gen_random_uuid() AS place
FROM demo_service s JOIN demo_placed p ON p.k = s.k;

INSERT INTO locations (id, origin, organisation, name, location_type,
    address_1, city, postal_code, country)
SELECT place, (SELECT id FROM node), org, venue || ', ' || town,
    'physical', (n * 7 % 180 + 1) || ' ' || street, town,
    outcode || ' ' || (n % 9 + 1) || chr(65 + n % 26) || chr(65 + (n * 5) % 26),
    'GB'
FROM demo_listing WHERE venue IS NOT NULL;

-- Checked over the last seven months by their organisations, a few by
-- coordinators: those checked more than six months ago are due; one is
-- overdue (nine months) and one was never checked.
INSERT INTO services (id, origin, organisation, name, description, status,
    url, email, minimum_age, maximum_age, eligibility, fees, free,
    languages, attending, access, terms, schedules, contacts, locations,
    assured_date, assured_by)
SELECT l.id, (SELECT id FROM node), l.org, l.name, l.description,
    CASE WHEN l.n = 22 THEN 'temporarily closed' ELSE 'active' END,
    NULL, NULL, l.minimum_age, l.maximum_age, l.eligibility, l.fees,
    l.free, CASE WHEN l.n % 5 = 0 THEN '{English,Polish}'::text[]
    WHEN l.n % 7 = 0 THEN '{English,Urdu,Punjabi}' ELSE '{English}' END,
    l.attending, l.access,
    ARRAY(SELECT acorn_term_id(c) FROM unnest(l.terms) c ORDER BY c),
    l.schedules,
    jsonb_build_array(jsonb_build_object('name', 'Duty team',
	'phone', '0' || (1000 + l.k * 37) || ' 55' || (2000 + l.n * 17))),
    CASE WHEN l.venue IS NULL THEN '{}' ELSE ARRAY[l.place] END,
    CASE WHEN l.n = 17 THEN NULL
	WHEN l.n = 9 THEN current_date - 270
	ELSE current_date - (l.n * 29 % 214) END,
    CASE WHEN l.n = 17 THEN NULL WHEN l.n % 6 = 0 THEN 'coordinator'
	ELSE 'organisation' END
FROM demo_listing l
WHERE :'region' <> 'National';

INSERT INTO service_revisions (service, revision, summary, content)
SELECT s.id, s.version, 'Listed', acorn_service_content(s)
FROM services s WHERE s.origin = (SELECT id FROM node);

-- One listing a visitor reported a problem with, two days ago, waiting
-- for the coordinators to settle it.
INSERT INTO service_reports (service, topic, details, created)
SELECT s.id, 'hours', 'The group meets on Thursdays now, not on the day'
    ' the listing says.', now() - interval '2 days'
FROM services s
WHERE s.origin = (SELECT id FROM node) AND :'region' <> 'National'
    AND s.status = 'active' AND jsonb_array_length(s.schedules) > 0
ORDER BY lower(s.name), s.id LIMIT 1;

-- The national hub's services: by phone and online, for everyone.
INSERT INTO organisations (id, origin, name, description, email, website,
    phone)
SELECT gen_random_uuid(), (SELECT id FROM node), o.name, o.description,
    o.email, o.website, o.phone
FROM (VALUES
 ('Friends on the Line', 'A national charity that calls people who are lonely, every week, for as long as they want.', 'calls@friendsontheline.example.org', 'https://friendsontheline.example.org/', '0800 555 0101'),
 ('National Money Help', 'Free, confidential debt and money advice by phone and online, across England.', 'help@nationalmoneyhelp.example.org', 'https://nationalmoneyhelp.example.org/', '0800 555 0102'),
 ('Carers Together', 'Advice and an online community for unpaid carers everywhere.', 'hello@carerstogether.example.org', 'https://carerstogether.example.org/', '0800 555 0103')
) AS o (name, description, email, website, phone)
WHERE :'region' = 'National';

INSERT INTO services (id, origin, organisation, name, description, status,
    url, minimum_age, free, languages, attending, access, terms,
    schedules, contacts, assured_date, assured_by)
SELECT gen_random_uuid(), (SELECT id FROM node),
    (SELECT id FROM organisations WHERE name = s.org), s.name,
    s.description, 'active', s.url, s.minimum_age, true, s.languages,
    s.attending, s.access,
    ARRAY(SELECT acorn_term_id(c) FROM unnest(s.terms) c ORDER BY c),
    s.schedules::jsonb,
    jsonb_build_array(jsonb_build_object('name', 'Helpline',
	'phone', s.phone)),
    current_date - s.age, 'organisation'
FROM (VALUES
 ('Friends on the Line', 'Weekly friendship calls', 'A volunteer calls every week for a friendly chat, matched on shared interests.', 'https://friendsontheline.example.org/calls', 18, '{English,Welsh}'::text[], '{phone}'::text[], '{self_referral,professional_referral}'::text[], '{befriending,later_life}'::text[], '[{"freq":"WEEKLY","byday":"MO,TU,WE,TH,FR","opens_at":"09:00","closes_at":"20:00"}]', '0800 555 0111', 20),
 ('Friends on the Line', 'Night owls line', 'Someone to talk to through the night, every night of the year.', 'https://friendsontheline.example.org/night', 18, '{English}', '{phone}', '{self_referral}', '{befriending,mental_wellbeing}', '[{"freq":"WEEKLY","byday":"MO,TU,WE,TH,FR,SA,SU","opens_at":"20:00","closes_at":"23:59"}]', '0800 555 0112', 75),
 ('National Money Help', 'Debt advice line', 'Advisers help you deal with debts and make a plan, by phone or webchat.', 'https://nationalmoneyhelp.example.org/debt', 18, '{English}', '{phone,online}', '{self_referral}', '{money_debt,benefits}', '[{"freq":"WEEKLY","byday":"MO,TU,WE,TH,FR","opens_at":"08:00","closes_at":"20:00"},{"freq":"WEEKLY","byday":"SA","opens_at":"09:00","closes_at":"13:00"}]', '0800 555 0121', 40),
 ('National Money Help', 'Online benefits calculator with adviser chat', 'Check what you can claim online, then talk it through with an adviser.', 'https://nationalmoneyhelp.example.org/benefits', 16, '{English,Polish,Urdu}', '{online}', '{self_referral}', '{benefits}', '[]', '0800 555 0122', 200),
 ('Carers Together', 'Carers helpline', 'Advice on benefits, breaks and your rights as a carer.', 'https://carerstogether.example.org/helpline', NULL, '{English}', '{phone}', '{self_referral}', '{carers,benefits}', '[{"freq":"WEEKLY","byday":"MO,TU,WE,TH,FR","opens_at":"10:00","closes_at":"16:00"}]', '0800 555 0131', 10),
 ('Carers Together', 'Online carers community', 'A moderated forum and weekly video meet-ups for carers.', 'https://carerstogether.example.org/community', 18, '{English}', '{online}', '{self_referral}', '{carers,peer_support}', '[{"freq":"WEEKLY","byday":"WE","opens_at":"19:00","closes_at":"20:00"}]', '0800 555 0132', 120)
) AS s (org, name, description, url, minimum_age, languages, attending,
    access, terms, schedules, phone, age)
WHERE :'region' = 'National';

INSERT INTO service_revisions (service, revision, summary, content)
SELECT s.id, s.version, 'Listed', acorn_service_content(s)
FROM services s WHERE s.origin = (SELECT id FROM node)
ON CONFLICT DO NOTHING;
