-- The directory benchmark's data set: 5,000 services of 250
-- organisations, each at a place of its own in the North West's demo
-- postcode districts (tests/demo/postcodes.csv, imported first), with
-- weekly hours, needs from the vocabulary and names a search finds.
-- Every name, place and number is invented.
INSERT INTO organisations (id, origin, name, description)
SELECT md5('bench-org:' || g)::uuid, (SELECT id FROM node),
    'Bench organisation ' || g,
    'A community organisation of the benchmark, number ' || g || '.'
FROM generate_series(1, 250) g;

CREATE TEMP TABLE bench_pc AS
SELECT row_number() OVER (ORDER BY postcode) - 1 AS n, postcode
FROM postcodes WHERE split_part(postcode, ' ', 1) IN ('M6', 'BL1', 'WN1');

INSERT INTO locations (id, origin, organisation, name, location_type,
    address_1, city, postal_code, country)
SELECT md5('bench-place:' || g)::uuid, (SELECT id FROM node),
    md5('bench-org:' || (g % 250 + 1))::uuid, 'Bench hall ' || g,
    'physical', g || ' Bench Street', 'Bolton', p.postcode, 'GB'
FROM generate_series(1, 5000) g
JOIN bench_pc p ON p.n = g % (SELECT count(*) FROM bench_pc);

INSERT INTO services (id, origin, organisation, name, description, status,
    minimum_age, free, languages, attending, access, terms, schedules,
    contacts, locations, assured_date, assured_by)
SELECT md5('bench-service:' || g)::uuid, (SELECT id FROM node),
    md5('bench-org:' || (g % 250 + 1))::uuid,
    (ARRAY['Friendship group', 'Walking group', 'Craft circle',
    'Advice session', 'Lunch club', 'Gardening group', 'Singing group',
    'Coffee morning'])[g % 8 + 1] || ' ' || g,
    'A weekly ' || (ARRAY['friendship', 'walking', 'craft', 'advice',
    'lunch', 'gardening', 'singing', 'coffee'])[g % 8 + 1] ||
    ' group of the benchmark where people meet, talk and take part.',
    'active', CASE WHEN g % 3 = 0 THEN 18 END, g % 2 = 0, '{English}',
    '{in_person}', '{drop_in}',
    ARRAY(SELECT t.id FROM taxonomy_terms t WHERE t.code IN (
	(ARRAY['befriending', 'physical_activity', 'arts_creativity',
	'money_debt', 'food', 'nature_gardening', 'music_singing',
	'befriending'])[g % 8 + 1], 'mental_wellbeing') ORDER BY t.id),
    jsonb_build_array(jsonb_build_object('freq', 'WEEKLY',
	'byday', (ARRAY['MO', 'TU', 'WE', 'TH', 'FR'])[g % 5 + 1],
	'opens_at', '10:00', 'closes_at', '12:00')),
    jsonb_build_array(jsonb_build_object('name', 'Organiser',
	'phone', '01204 55' || lpad((g % 10000)::text, 4, '0'))),
    ARRAY[md5('bench-place:' || g)::uuid],
    current_date - (g % 200), 'organisation'
FROM generate_series(1, 5000) g;
