-- Acorn schema, version 55: the directory of local services.
--
-- Organisations, the places they work from, and the services they run,
-- with Open Referral UK 3.0's names and meanings (HSDS 3.0 with the UK
-- profile): a service's status, ages, eligibility, costs, languages,
-- how people attend and how they get in, its opening times and its
-- needs and activities (taxonomy terms).  Each of the three is a shared
-- kind as the others are: a global id, its origin, a version only the
-- origin raises, tombstones, and the signed entry.
--
-- A service's parts that have no life of their own (its schedules, the
-- locations it runs at, its contacts, its terms) are columns of the
-- service, so that changing any of them is a change of the service: a
-- new version, a revision, and an entry that carries all of it.
--
-- Freshness is data: assured_date moves only when a person confirms
-- the listing is right (acorn_service_assure), never with a save that
-- changes nothing, nor with an import.

-- The network's vocabulary of needs and activities.  The terms Acorn
-- ships have the same id on every node (derived from their code), so a
-- service tagged on one node is tagged the same on every other; a node
-- may add its own, and map any to an external list's identifier.
CREATE TABLE taxonomy_terms (
	id		uuid PRIMARY KEY,
	code		text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9_]{1,40}$'),
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
	description	text NOT NULL CHECK (length(description) <= 500),
	parent		uuid REFERENCES taxonomy_terms (id),
	taxonomy	text NOT NULL DEFAULT 'acorn-needs',
	external_taxonomy text,
	external_id	text,
	local		boolean NOT NULL DEFAULT false,
	added		timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX taxonomy_terms_name_idx ON taxonomy_terms (lower(name));

CREATE FUNCTION acorn_term_id(code text) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT md5('acorn:taxonomy:' || code)::uuid
$$;

INSERT INTO taxonomy_terms (id, code, name, description)
SELECT acorn_term_id(t.code), t.code, t.name, t.description
FROM (VALUES
 ('befriending', 'Loneliness and befriending',
  'Company and conversation: befriending visits and calls, friendship groups, lunch clubs and places to meet people.'),
 ('physical_activity', 'Physical activity',
  'Getting moving at any level: walking groups, chair exercise, swimming, dance, sport and gentle activity.'),
 ('arts_creativity', 'Arts and creativity',
  'Making and taking part: art classes, crafts, writing, drama and creative groups.'),
 ('music_singing', 'Music and singing',
  'Choirs, singing for health, music groups and lessons.'),
 ('nature_gardening', 'Nature and gardening',
  'Green activity: community gardens, allotments, conservation volunteering and nature walks.'),
 ('money_debt', 'Money and debt advice',
  'Help with debt, budgeting, bills and financial worries.'),
 ('benefits', 'Benefits advice',
  'Help to claim the benefits and grants a person is entitled to, and with forms and appeals.'),
 ('housing', 'Housing',
  'Advice and support with housing, tenancy problems, repairs and homelessness.'),
 ('employment', 'Work and employment',
  'Support into work, job clubs, CVs and interview practice, and help to stay in work.'),
 ('volunteering', 'Volunteering',
  'Chances to volunteer, and support to start.'),
 ('learning', 'Learning and skills',
  'Courses and classes for adults, English for speakers of other languages, and learning for pleasure.'),
 ('digital_skills', 'Digital skills',
  'Help to get online and use phones, computers and online services with confidence.'),
 ('carers', 'Support for carers',
  'Advice, breaks, groups and support for people who look after someone.'),
 ('bereavement', 'Bereavement',
  'Support after the death of someone close: groups, counselling and practical help.'),
 ('mental_wellbeing', 'Mental wellbeing',
  'Support for low mood, stress and anxiety: talking groups, wellbeing courses and peer support.'),
 ('peer_support', 'Peer support',
  'Groups run by and for people who share an experience or a condition.'),
 ('long_term_conditions', 'Living with a long-term condition',
  'Self-management courses and groups for people living with a long-term condition or pain.'),
 ('dementia', 'Dementia',
  'Support for people living with dementia and those who care for them: cafes, groups and advice.'),
 ('food', 'Food',
  'Food banks, community pantries, cooking skills and shared meals.'),
 ('healthy_weight', 'Healthy weight',
  'Support with eating well and a healthy weight.'),
 ('smoking_alcohol_drugs', 'Smoking, alcohol and drugs',
  'Support to stop smoking, and with alcohol and drug use.'),
 ('families', 'Parents and families',
  'Support for parents and families: groups, advice and activities together.'),
 ('young_people', 'Young people',
  'Activities, advice and support for young people.'),
 ('later_life', 'Later life',
  'Activities, advice and support for older people.'),
 ('disability', 'Disability',
  'Advice, activities and support for disabled people.'),
 ('domestic_abuse', 'Domestic abuse',
  'Confidential support for people experiencing domestic abuse.'),
 ('legal_advice', 'Legal advice',
  'Free legal advice, including on consumer, employment and family matters.'),
 ('refugees_migrants', 'Refugees and migrants',
  'Welcome, advice and support for refugees, asylum seekers and migrants.'),
 ('transport', 'Getting about',
  'Community transport, travel training and help getting to appointments.'),
 ('energy', 'Energy and fuel',
  'Help with energy bills, warm homes and energy saving.'),
 ('faith_community', 'Faith and community groups',
  'Places of worship and community centres with activities open to all.'),
 ('heritage_culture', 'Museums, heritage and culture',
  'Museums, libraries, heritage groups and cultural activities.')
) AS t (code, name, description);

-- How people take part in a service, and how they get in: Acorn's
-- codes, written into ORUK as attributes of taxonomy terms of their own.
CREATE FUNCTION acorn_attending_valid(v text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT v <@ ARRAY['in_person', 'phone', 'online', 'home_visit']
	    AND cardinality(v) = cardinality(ARRAY(SELECT DISTINCT unnest(v)))
$$;
CREATE FUNCTION acorn_access_valid(v text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT v <@ ARRAY['self_referral', 'drop_in', 'appointment',
	    'professional_referral']
	    AND cardinality(v) = cardinality(ARRAY(SELECT DISTINCT unnest(v)))
$$;

-- A service's opening times: an array of ORUK schedules, each weekly
-- on days ("MO,TU") or monthly on a day of a week of the month ("2TU",
-- the last: "-1FR"), from opens_at to closes_at, between valid_from and
-- valid_to when given, with a description for what the fields cannot
-- say.  At most 14.
CREATE FUNCTION acorn_schedules_valid(s jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT jsonb_typeof(s) = 'array' AND jsonb_array_length(s) <= 14
	    AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(s) e
	    WHERE jsonb_typeof(e) <> 'object'
	    OR NOT (e ?& ARRAY['freq', 'byday'])
	    OR (e - ARRAY['freq', 'byday', 'opens_at', 'closes_at',
		'valid_from', 'valid_to', 'description']) <> '{}'::jsonb
	    OR NOT (
		(e->>'freq' = 'WEEKLY' AND e->>'byday' ~
		    '^(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU)){0,6}$')
		OR (e->>'freq' = 'MONTHLY' AND e->>'byday' ~
		    '^(-1|[1-4])(MO|TU|WE|TH|FR|SA|SU)$'))
	    OR coalesce(e->>'opens_at', '00:00') !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
	    OR coalesce(e->>'closes_at', '00:00') !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
	    OR (e ? 'opens_at') <> (e ? 'closes_at')
	    OR e->>'opens_at' >= e->>'closes_at'
	    OR coalesce(e->>'valid_from', '2000-01-01') !~ '^\d{4}-\d{2}-\d{2}$'
	    OR coalesce(e->>'valid_to', '2000-01-01') !~ '^\d{4}-\d{2}-\d{2}$'
	    OR e->>'valid_from' > e->>'valid_to'
	    OR length(coalesce(e->>'description', '')) > 200)
$$;

-- Whether schedules s say no more than a listing's form can: one set
-- of hours a day on weekly days, at most one monthly day, no dates of
-- validity, a description on the first only.
CREATE FUNCTION acorn_schedules_simple(s jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT NOT EXISTS (SELECT 1 FROM jsonb_array_elements(s)
	    WITH ORDINALITY AS x (e, n)
	    WHERE e ? 'valid_from' OR e ? 'valid_to'
	    OR (n > 1 AND e ? 'description')
	    OR (e->>'freq' = 'WEEKLY' AND NOT e ? 'opens_at'))
	AND (SELECT count(*) FROM jsonb_array_elements(s) e
	    WHERE e->>'freq' = 'MONTHLY') <= 1
	AND (SELECT count(*) = count(DISTINCT d)
	    FROM jsonb_array_elements(s) e,
	    unnest(string_to_array(e->>'byday', ',')) d
	    WHERE e->>'freq' = 'WEEKLY')
$$;

-- A service's contacts: name, title, email and phone of each, at most 5.
CREATE FUNCTION acorn_contacts_valid(c jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT jsonb_typeof(c) = 'array' AND jsonb_array_length(c) <= 5
	    AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c) e
	    WHERE jsonb_typeof(e) <> 'object'
	    OR (e - ARRAY['name', 'title', 'email', 'phone']) <> '{}'::jsonb
	    OR e = '{}'::jsonb
	    OR EXISTS (SELECT 1 FROM jsonb_each(e) f
		WHERE jsonb_typeof(f.value) <> 'string'
		OR length(f.value #>> '{}') NOT BETWEEN 1 AND 200))
$$;

-- Opening times in words, as pages write times ("10am", "2:30pm").
CREATE FUNCTION acorn_clock_words(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT replace(to_char(date '2024-01-01' + t::time, 'FMHH12:MIam'),
	    ':00', '')
$$;

-- An ORUK day code's name: 2024-01-01 was a Monday.
CREATE FUNCTION acorn_day_name(code text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_char(date '2024-01-01' + array_position(ARRAY['MO', 'TU',
	    'WE', 'TH', 'FR', 'SA', 'SU'], right(code, 2)) - 1, 'FMDay')
$$;

-- One schedule in words: "Every Tuesday, 10am to 12pm", "Mondays and
-- Thursdays", "Monday to Friday, 9am to 5pm", "Second Tuesday of the
-- month, 2pm to 4pm", "Last Friday of the month".
CREATE FUNCTION acorn_schedule_words(e jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	days text[] := string_to_array(e->>'byday', ',');
	names text[];
	words text;
BEGIN
	IF e->>'freq' = 'MONTHLY' THEN
		words := (ARRAY['First', 'Second', 'Third', 'Fourth'])[
		    nullif(left(e->>'byday', -2), '-1')::int];
		words := coalesce(words, 'Last') || ' ' ||
		    acorn_day_name(e->>'byday') || ' of the month';
	ELSIF days = ARRAY['MO', 'TU', 'WE', 'TH', 'FR'] THEN
		words := 'Monday to Friday';
	ELSIF days = ARRAY['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] THEN
		words := 'Every day';
	ELSIF cardinality(days) = 1 THEN
		words := 'Every ' || acorn_day_name(days[1]);
	ELSE
		names := ARRAY(SELECT acorn_day_name(d) || 's' FROM
		    unnest(days) WITH ORDINALITY AS x (d, n) ORDER BY n);
		words := array_to_string(names[1:cardinality(names) - 1], ', ')
		    || ' and ' || names[cardinality(names)];
	END IF;
	IF e ? 'opens_at' THEN
		words := words || ', ' || acorn_clock_words(e->>'opens_at') ||
		    ' to ' || acorn_clock_words(e->>'closes_at');
	END IF;
	RETURN words;
END
$$;

-- Whether schedule e runs on day d (not minding its hours).
CREATE FUNCTION acorn_schedule_on(e jsonb, d date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT (e->>'valid_from' IS NULL OR d >= (e->>'valid_from')::date)
	    AND (e->>'valid_to' IS NULL OR d <= (e->>'valid_to')::date)
	    AND CASE e->>'freq'
	    WHEN 'WEEKLY' THEN (ARRAY['MO', 'TU', 'WE', 'TH', 'FR', 'SA',
		'SU'])[extract(isodow FROM d)::int] =
		ANY (string_to_array(e->>'byday', ','))
	    ELSE (ARRAY['MO', 'TU', 'WE', 'TH', 'FR', 'SA',
		'SU'])[extract(isodow FROM d)::int] = right(e->>'byday', 2)
		AND CASE left(e->>'byday', -2)
		WHEN '-1' THEN extract(month FROM d + 7) <>
		    extract(month FROM d)
		ELSE (extract(day FROM d)::int + 6) / 7 =
		    left(e->>'byday', -2)::int END
	    END
$$;

-- When a service next opens from at (UK time), within eight weeks:
-- "Today, 10am to 12pm", "Tuesday 9 December, 2pm to 4pm"; NULL when
-- its schedules give no hours in that time.
CREATE FUNCTION acorn_next_opening(s jsonb, at timestamptz) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
	here timestamp := at AT TIME ZONE 'Europe/London';
	d date;
	e jsonb;
	best jsonb;
BEGIN
	IF jsonb_array_length(s) = 0 THEN
		RETURN NULL;
	END IF;
	FOR i IN 0 .. 55 LOOP
		d := here::date + i;
		best := NULL;
		FOR e IN SELECT x FROM jsonb_array_elements(s) x LOOP
			CONTINUE WHEN NOT (e ? 'opens_at') OR
			    NOT acorn_schedule_on(e, d);
			CONTINUE WHEN i = 0 AND
			    (e->>'closes_at')::time <= here::time;
			IF best IS NULL OR e->>'opens_at' < best->>'opens_at' THEN
				best := e;
			END IF;
		END LOOP;
		IF best IS NOT NULL THEN
			RETURN CASE i WHEN 0 THEN 'Today'
			    WHEN 1 THEN 'Tomorrow'
			    ELSE to_char(d, 'FMDay FMDD FMMonth') END || ', ' ||
			    acorn_clock_words(best->>'opens_at') || ' to ' ||
			    acorn_clock_words(best->>'closes_at');
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;

-- How long ago day d was, from today, in words: "today", "3 days",
-- "3 weeks", "8 months", "2 years".
CREATE FUNCTION acorn_span_words(d date, today date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
	    WHEN today - d < 1 THEN 'less than a day'
	    WHEN today - d = 1 THEN '1 day'
	    WHEN today - d < 14 THEN (today - d) || ' days'
	    WHEN today - d < 61 THEN ((today - d) / 7) || ' weeks'
	    WHEN age(today, d) < interval '2 years' THEN
		(extract(year FROM age(today, d)) * 12 +
		extract(month FROM age(today, d)))::int || ' months'
	    ELSE extract(year FROM age(today, d))::int || ' years' END
$$;

-- A listing's freshness as every page shows it, for a review cycle of
-- months: "Checked 3 weeks ago by the organisation", or once the cycle
-- has passed "Not checked for 8 months"; "Never checked".
CREATE FUNCTION acorn_freshness(assured date, by_whom text, months integer,
    today date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN assured IS NULL THEN 'Never checked'
	    WHEN assured + make_interval(months => months) <= today THEN
		'Not checked for ' || acorn_span_words(assured, today)
	    WHEN assured >= today THEN 'Checked today' || CASE by_whom
		WHEN 'organisation' THEN ' by the organisation'
		WHEN 'publisher' THEN ' by its publisher'
		ELSE ' by a coordinator' END
	    ELSE 'Checked ' || acorn_span_words(assured, today) || ' ago' ||
		CASE by_whom WHEN 'organisation' THEN ' by the organisation'
		WHEN 'publisher' THEN ' by its publisher'
		ELSE ' by a coordinator' END END
$$;

-- Where a listing stands in its review cycle of months: 0 checked
-- within it, 1 due (its managers are asked), 2 overdue (four weeks
-- after, or never checked: the coordinators' queue shows it).
CREATE FUNCTION acorn_review_stage(assured date, months integer,
    today date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN assured IS NULL THEN 2
	    WHEN assured + make_interval(months => months, days => 28) <= today
		THEN 2
	    WHEN assured + make_interval(months => months) <= today THEN 1
	    ELSE 0 END
$$;

-- Where postcodes are (acorn postcodes import, from the ONS Postcode
-- Directory), and the centre of each postcode district, for a postcode
-- the table lacks.
CREATE TABLE postcodes (
	postcode	text PRIMARY KEY
			    CHECK (postcode ~ '^[A-Z][A-Z0-9]{1,3} [0-9][A-Z]{2}$'),
	latitude	double precision NOT NULL
			    CHECK (latitude BETWEEN 49 AND 61),
	longitude	double precision NOT NULL
			    CHECK (longitude BETWEEN -9 AND 3)
);
CREATE TABLE postcode_districts (
	outcode		text PRIMARY KEY
			    CHECK (outcode ~ '^[A-Z][A-Z0-9]{1,3}$'),
	latitude	double precision NOT NULL
			    CHECK (latitude BETWEEN 49 AND 61),
	longitude	double precision NOT NULL
			    CHECK (longitude BETWEEN -9 AND 3)
);

-- Where a postcode (as postcode_normal writes it) is: its own place,
-- or else its district's centre (exact false); no row when neither is
-- known.
CREATE FUNCTION acorn_postcode_point(pc text)
RETURNS TABLE (latitude double precision, longitude double precision,
    exact boolean)
LANGUAGE sql STABLE AS $$
	SELECT p.latitude, p.longitude, true FROM postcodes p
	WHERE p.postcode = pc
	UNION ALL
	SELECT d.latitude, d.longitude, false FROM postcode_districts d
	WHERE d.outcode = split_part(pc, ' ', 1)
	AND NOT EXISTS (SELECT 1 FROM postcodes WHERE postcode = pc)
$$;

-- Kilometres between two points on the Earth (haversine).
CREATE FUNCTION acorn_distance_km(lat1 double precision,
    lon1 double precision, lat2 double precision, lon2 double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT 2 * 6371.0 * asin(sqrt(power(sin(radians(lat2 - lat1) / 2), 2)
	    + cos(radians(lat1)) * cos(radians(lat2)) *
	    power(sin(radians(lon2 - lon1) / 2), 2)))
$$;

-- After an import: each district's centre is the mean of its postcodes,
-- and this node's places without coordinates take their postcode's.
CREATE PROCEDURE acorn_postcodes_imported()
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO postcode_districts (outcode, latitude, longitude)
	SELECT split_part(postcode, ' ', 1), avg(latitude), avg(longitude)
	FROM postcodes GROUP BY 1
	ON CONFLICT (outcode) DO UPDATE SET latitude = excluded.latitude,
	    longitude = excluded.longitude;
	UPDATE locations l SET latitude = p.latitude,
	    longitude = p.longitude
	FROM postcodes p
	WHERE p.postcode = l.postal_code AND l.latitude IS NULL
	AND l.origin = (SELECT id FROM node) AND NOT l.deleted;
END
$$;

CREATE TABLE organisations (
	id		uuid PRIMARY KEY,
	origin		uuid NOT NULL,
	version		integer NOT NULL DEFAULT 1 CHECK (version > 0),
	updated		timestamptz NOT NULL DEFAULT now(),
	deleted		boolean NOT NULL DEFAULT false,
	seq		bigint NOT NULL,
	entry		text,
	pending		boolean NOT NULL DEFAULT false,
	shared		boolean NOT NULL DEFAULT false,
	home		text,
	changed_in	bigint,
	name		text,
	description	text,
	email		text,
	website		text,
	phone		text,
	-- Where an imported record came from (an ORUK publisher's address).
	provenance	text,
	created_by	bigint REFERENCES accounts (id) ON DELETE SET NULL,
	CHECK (deleted OR (name IS NOT NULL AND description IS NOT NULL))
);

CREATE TABLE locations (
	id		uuid PRIMARY KEY,
	origin		uuid NOT NULL,
	version		integer NOT NULL DEFAULT 1 CHECK (version > 0),
	updated		timestamptz NOT NULL DEFAULT now(),
	deleted		boolean NOT NULL DEFAULT false,
	seq		bigint NOT NULL,
	entry		text,
	pending		boolean NOT NULL DEFAULT false,
	shared		boolean NOT NULL DEFAULT false,
	home		text,
	changed_in	bigint,
	organisation	uuid,
	name		text,
	location_type	text CHECK (location_type IN ('physical', 'postal',
			    'virtual')),
	address_1	text,
	city		text,
	state_province	text,
	postal_code	text,
	country		text CHECK (country ~ '^[A-Z]{2}$'),
	latitude	double precision CHECK (latitude BETWEEN -90 AND 90),
	longitude	double precision CHECK (longitude BETWEEN -180 AND 180),
	accessibility	text,
	provenance	text,
	created_by	bigint REFERENCES accounts (id) ON DELETE SET NULL,
	CHECK (deleted OR (name IS NOT NULL AND location_type IS NOT NULL)),
	CHECK ((latitude IS NULL) = (longitude IS NULL))
);

CREATE TABLE services (
	id		uuid PRIMARY KEY,
	origin		uuid NOT NULL,
	version		integer NOT NULL DEFAULT 1 CHECK (version > 0),
	updated		timestamptz NOT NULL DEFAULT now(),
	deleted		boolean NOT NULL DEFAULT false,
	seq		bigint NOT NULL,
	entry		text,
	pending		boolean NOT NULL DEFAULT false,
	shared		boolean NOT NULL DEFAULT false,
	home		text,
	changed_in	bigint,
	organisation	uuid,
	name		text,
	description	text,
	status		text CHECK (status IN ('active', 'inactive', 'defunct',
			    'temporarily closed')),
	url		text,
	email		text,
	alert		text,
	minimum_age	integer CHECK (minimum_age BETWEEN 0 AND 120),
	maximum_age	integer CHECK (maximum_age BETWEEN 0 AND 120),
	eligibility	text,
	fees		text,
	free		boolean NOT NULL DEFAULT false,
	languages	text[] NOT NULL DEFAULT '{}'
			    CHECK (cardinality(languages) <= 30),
	accessibility	text,
	attending	text[] NOT NULL DEFAULT '{}'
			    CHECK (acorn_attending_valid(attending)),
	access		text[] NOT NULL DEFAULT '{}'
			    CHECK (acorn_access_valid(access)),
	schedules	jsonb NOT NULL DEFAULT '[]'
			    CHECK (acorn_schedules_valid(schedules)),
	contacts	jsonb NOT NULL DEFAULT '[]'
			    CHECK (acorn_contacts_valid(contacts)),
	locations	uuid[] NOT NULL DEFAULT '{}'
			    CHECK (cardinality(locations) <= 20),
	terms		uuid[] NOT NULL DEFAULT '{}'
			    CHECK (cardinality(terms) <= 20),
	-- Who confirmed the listing was right, and when: the organisation
	-- (one of its managers), the node's coordinators, or the publisher
	-- it was imported from (its own date, kept as it said).
	assured_date	date,
	assured_by	text CHECK (assured_by IN ('organisation', 'coordinator',
			    'publisher')),
	provenance	text,
	created_by	bigint REFERENCES accounts (id) ON DELETE SET NULL,
	search		tsvector,
	CHECK (deleted OR (name IS NOT NULL AND description IS NOT NULL AND
	    status IS NOT NULL)),
	CHECK (minimum_age IS NULL OR maximum_age IS NULL OR
	    minimum_age <= maximum_age),
	CHECK ((assured_date IS NULL) = (assured_by IS NULL))
);

-- Words a service is found by: its name first, its needs and
-- activities and what the glossary calls them, then its description.
CREATE FUNCTION acorn_service_words(name text, description text,
    eligibility text, terms uuid[]) RETURNS tsvector
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT setweight(to_tsvector('simple', coalesce(name, '')), 'A') ||
	    setweight(to_tsvector('simple', coalesce((SELECT
		string_agg(t.name, ' ') FROM taxonomy_terms t
		WHERE t.id = ANY (terms)), '')), 'B') ||
	    setweight(to_tsvector('simple', coalesce(description, '') || ' '
		|| coalesce(eligibility, '')), 'C')
$$;

CREATE FUNCTION acorn_services_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.search := acorn_service_words(NEW.name, NEW.description,
	    NEW.eligibility, NEW.terms);
	RETURN NEW;
END
$$;

CREATE TRIGGER services_search
	BEFORE INSERT ON services
	FOR EACH ROW WHEN (NEW.search IS NULL)
	EXECUTE FUNCTION acorn_services_search();
CREATE TRIGGER services_search_update
	BEFORE UPDATE OF name, description, eligibility, terms ON services
	FOR EACH ROW WHEN (NEW.search IS NULL OR
	    NEW.search IS NOT DISTINCT FROM OLD.search)
	EXECUTE FUNCTION acorn_services_search();

-- A change made here moves the row's updated time (ORUK's
-- last_modified); a save that changes nothing leaves it, as it leaves
-- the version (acorn_take_seq marks a change with changed_in, and runs
-- first: triggers run in the order of their names).
CREATE FUNCTION acorn_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.updated := now();
	RETURN NEW;
END
$$;

-- The federation's columns and triggers, as the other shared kinds.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['organisations', 'locations', 'services']
	LOOP
		EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %I'
		    ' FOR EACH ROW WHEN (NEW.seq IS NULL OR NEW.seq < 1)'
		    ' EXECUTE FUNCTION acorn_take_seq()', t || '_seq', t);
		EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I'
		    ' FOR EACH ROW WHEN (NEW.seq IS NOT DISTINCT FROM OLD.seq)'
		    ' EXECUTE FUNCTION acorn_take_seq()', t || '_seq_update', t);
		EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OF origin ON %I'
		    ' FOR EACH ROW EXECUTE FUNCTION acorn_origin_fixed()',
		    t || '_origin', t);
		EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I'
		    ' FOR EACH ROW WHEN (NEW.changed_in IS DISTINCT FROM'
		    ' OLD.changed_in) EXECUTE FUNCTION acorn_touch()',
		    t || '_touch', t);
		EXECUTE format('CREATE UNIQUE INDEX %I ON %I (seq)',
		    t || '_seq_idx', t);
		EXECUTE format('CREATE INDEX %I ON %I (seq) WHERE pending',
		    t || '_pending_idx', t);
		EXECUTE format('CREATE INDEX %I ON %I (updated DESC, seq DESC)'
		    ' WHERE entry IS NOT NULL AND NOT pending AND NOT deleted'
		    ' AND left(entry, 6) = ''<entry''', t || '_feed_idx', t);
		EXECUTE format('CREATE INDEX %I ON %I (created_by)'
		    ' WHERE created_by IS NOT NULL', t || '_created_by_idx', t);
		EXECUTE format('ALTER TABLE %I SET (toast_tuple_target = 8160)',
		    t);
		PERFORM acorn_data_watch(t::regclass);
	END LOOP;
END
$$;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['organisations', 'locations', 'services']
	LOOP
		EXECUTE format('ALTER TABLE %I ALTER COLUMN entry'
		    ' SET COMPRESSION lz4', t);
	END LOOP;
EXCEPTION WHEN feature_not_supported THEN
	NULL;
END
$$;

-- A place of this node given a postcode the table knows takes its
-- coordinates, unless they were given with it.
CREATE FUNCTION acorn_location_point() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.origin IS DISTINCT FROM (SELECT id FROM node) THEN
		RETURN NEW;
	END IF;
	-- Coordinates given with the place (or changed with it) stay.
	IF TG_OP = 'INSERT' AND NEW.latitude IS NOT NULL THEN
		RETURN NEW;
	END IF;
	IF TG_OP = 'UPDATE' AND (NEW.latitude IS DISTINCT FROM OLD.latitude
	    OR (NEW.latitude IS NOT NULL AND
	    NEW.postal_code IS NOT DISTINCT FROM OLD.postal_code)) THEN
		RETURN NEW;
	END IF;
	SELECT p.latitude, p.longitude INTO NEW.latitude, NEW.longitude
	FROM postcodes p WHERE p.postcode = NEW.postal_code;
	RETURN NEW;
END
$$;
CREATE TRIGGER locations_point BEFORE INSERT OR UPDATE OF postal_code,
	latitude ON locations FOR EACH ROW
	EXECUTE FUNCTION acorn_location_point();

CREATE INDEX services_search_idx ON services USING gin (search);
CREATE INDEX services_terms_idx ON services USING gin (terms);
CREATE INDEX services_organisation_idx ON services (organisation);
CREATE INDEX locations_organisation_idx ON locations (organisation);
CREATE UNIQUE INDEX organisations_name_idx ON organisations
	(origin, lower(name)) WHERE NOT deleted;

-- Members who look after an organisation's listings here: they edit
-- its services directly and confirm they are right.
CREATE TABLE organisation_managers (
	organisation	uuid NOT NULL REFERENCES organisations (id)
			    ON DELETE CASCADE,
	account		bigint NOT NULL REFERENCES accounts (id)
			    ON DELETE CASCADE,
	added		timestamptz NOT NULL DEFAULT now(),
	added_by	bigint REFERENCES accounts (id) ON DELETE SET NULL,
	PRIMARY KEY (organisation, account)
);
CREATE INDEX organisation_managers_account_idx ON
	organisation_managers (account);

-- Every version of a service made here, as it was: what it said, who
-- changed it and why.
CREATE TABLE service_revisions (
	service		uuid NOT NULL REFERENCES services (id)
			    ON DELETE CASCADE,
	revision	integer NOT NULL,
	at		timestamptz NOT NULL DEFAULT now(),
	account		bigint REFERENCES accounts (id) ON DELETE SET NULL,
	summary		text NOT NULL DEFAULT '',
	content		jsonb NOT NULL,
	PRIMARY KEY (service, revision)
);
CREATE INDEX service_revisions_account_idx ON service_revisions (account)
	WHERE account IS NOT NULL;

-- What a service says, as a revision keeps it: every field a person
-- edits, and none of the federation's.
CREATE FUNCTION acorn_service_content(s services) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT to_jsonb(s) - ARRAY['id', 'origin', 'version', 'updated',
	    'deleted', 'seq', 'entry', 'pending', 'shared', 'home',
	    'changed_in', 'created_by', 'search']
$$;

-- After a save of service id here: a revision of its version, when
-- this transaction made one (a save that changed nothing made none).
-- True when it did.
CREATE FUNCTION acorn_service_revise(sid uuid, who bigint, why text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	s services;
BEGIN
	SELECT * INTO s FROM services WHERE id = sid AND NOT deleted;
	IF NOT FOUND OR s.changed_in IS DISTINCT FROM txid_current() THEN
		RETURN false;
	END IF;
	INSERT INTO service_revisions (service, revision, account, summary,
	    content)
	VALUES (sid, s.version, who, coalesce(why, ''),
	    acorn_service_content(s))
	ON CONFLICT (service, revision) DO NOTHING;
	RETURN FOUND;
END
$$;

-- A person confirms service id is right as it stands (by: the
-- organisation or a coordinator): its assured date is today.  A
-- change of its own, so it goes out as a new version with its
-- freshness.
CREATE FUNCTION acorn_service_assure(sid uuid, who bigint, by_whom text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE services SET assured_date = current_date,
	    assured_by = by_whom
	WHERE id = sid AND origin = (SELECT id FROM node) AND NOT deleted;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM acorn_service_revise(sid, who, 'Confirmed as correct');
	RETURN true;
END
$$;

-- The review cycle.  A listing of this node falls due a cycle after it
-- was last confirmed (at once when it never was): its managers are
-- asked to check it, reminded after two weeks, and after four the
-- coordinators' review queue shows it.  One row per listing and due
-- date, so that confirming it starts the next cycle afresh.
CREATE TABLE service_reviews (
	service		uuid NOT NULL REFERENCES services (id)
			    ON DELETE CASCADE,
	due_on		date NOT NULL,
	asked		timestamptz NOT NULL DEFAULT now(),
	reminded	timestamptz,
	escalated	timestamptz,
	PRIMARY KEY (service, due_on)
);

-- One-click "still correct" links mailed to managers: the SHA-256 of
-- each (the link itself is never stored), whom it was sent to, until
-- when it works, and when it was used (once).
CREATE TABLE service_checks (
	token_hash	text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	service		uuid NOT NULL REFERENCES services (id)
			    ON DELETE CASCADE,
	account		bigint REFERENCES accounts (id) ON DELETE CASCADE,
	created		timestamptz NOT NULL DEFAULT now(),
	expires		timestamptz NOT NULL,
	used		timestamptz
);
CREATE INDEX service_checks_service_idx ON service_checks (service);
CREATE INDEX service_checks_expires_idx ON service_checks (expires);

-- Problems anyone reported with a listing.  A report changes nothing by
-- itself: it marks the listing reported until a coordinator resolves it.
CREATE TABLE service_reports (
	id		bigserial PRIMARY KEY,
	service		uuid NOT NULL REFERENCES services (id)
			    ON DELETE CASCADE,
	topic		text NOT NULL CHECK (topic IN ('closed', 'phone',
			    'address', 'hours', 'website', 'other')),
	details		text NOT NULL DEFAULT ''
			    CHECK (length(details) <= 1000),
	account		bigint REFERENCES accounts (id) ON DELETE SET NULL,
	created		timestamptz NOT NULL DEFAULT now(),
	resolved	timestamptz,
	resolved_by	bigint REFERENCES accounts (id) ON DELETE SET NULL,
	outcome		text CHECK (outcome IN ('corrected', 'still_correct',
			    'not_a_problem')),
	CHECK ((resolved IS NULL) = (outcome IS NULL))
);
CREATE INDEX service_reports_open_idx ON service_reports (service)
	WHERE resolved IS NULL;
CREATE INDEX service_reports_account_idx ON service_reports (account)
	WHERE account IS NOT NULL;

-- The day a listing falls due in a cycle of months: '-infinity' when it
-- was never confirmed (due at once, in one cycle until it is).
CREATE FUNCTION acorn_due_on(assured date, months integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT coalesce((assured + make_interval(months => months))::date,
	    '-infinity'::date)
$$;

-- One step of the review cycle for a cycle of months, at time t: opens
-- the cycles of listings now due, and marks the reminders and the
-- escalations whose time has come.  The managers to mail: each
-- listing's, with what to tell them ('asked' or 'reminded').
CREATE FUNCTION acorn_review_step(months integer, t timestamptz)
RETURNS TABLE (service uuid, stage text, account bigint)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY
	WITH opened AS (
		INSERT INTO service_reviews AS r (service, due_on, asked)
		SELECT s.id, acorn_due_on(s.assured_date, months), t
		FROM services s
		WHERE s.origin = (SELECT id FROM node) AND NOT s.deleted
		AND s.status <> 'defunct'
		AND acorn_due_on(s.assured_date, months) <=
		    (t AT TIME ZONE 'Europe/London')::date
		ON CONFLICT DO NOTHING
		RETURNING r.service, 'asked'::text AS stage
	), reminded AS (
		UPDATE service_reviews r SET reminded = t
		FROM services s
		WHERE s.id = r.service AND r.reminded IS NULL
		AND r.asked <= t - interval '14 days'
		AND r.due_on = acorn_due_on(s.assured_date, months)
		AND NOT s.deleted
		RETURNING r.service, 'reminded'::text AS stage
	), escalated AS (
		UPDATE service_reviews r SET escalated = t
		FROM services s
		WHERE s.id = r.service AND r.escalated IS NULL
		AND r.asked <= t - interval '28 days'
		AND r.due_on = acorn_due_on(s.assured_date, months)
		AND NOT s.deleted
		RETURNING r.service
	)
	SELECT x.service, x.stage, m.account
	FROM (SELECT * FROM opened UNION ALL SELECT * FROM reminded) x
	JOIN services s ON s.id = x.service
	JOIN organisation_managers m ON m.organisation = s.organisation
	JOIN accounts a ON a.id = m.account AND a.status = 'active'
	UNION ALL
	SELECT e.service, 'escalated', NULL FROM escalated e;
END
$$;

-- A one-click link used: the listing it was for is confirmed by its
-- organisation, once, and no other link sent for that cycle works.
-- The listing's id, or NULL when the link is unknown, used or expired.
CREATE FUNCTION acorn_service_check(hash text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
	c service_checks;
BEGIN
	UPDATE service_checks SET used = now()
	WHERE token_hash = hash AND used IS NULL AND expires > now()
	RETURNING * INTO c;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF NOT acorn_service_assure(c.service, c.account, 'organisation') THEN
		RETURN NULL;
	END IF;
	UPDATE service_checks SET expires = now()
	WHERE service = c.service AND used IS NULL;
	RETURN c.service;
END
$$;

-- Changes members suggest to a listing they do not look after: the
-- listing as they would have it (acorn_service_content), and its place
-- when that changes too, from the version they saw.  A coordinator or
-- one of its managers accepts it (a new version, as if they had saved
-- it) or rejects it with a reason; a suggestion changes nothing before.
CREATE TABLE service_suggestions (
	id		bigserial PRIMARY KEY,
	service		uuid NOT NULL REFERENCES services (id)
			    ON DELETE CASCADE,
	account		bigint REFERENCES accounts (id) ON DELETE SET NULL,
	base		integer NOT NULL,
	content		jsonb NOT NULL,
	place		jsonb,
	summary		text NOT NULL DEFAULT '' CHECK (length(summary) <= 200),
	created		timestamptz NOT NULL DEFAULT now(),
	decided		timestamptz,
	decided_by	bigint REFERENCES accounts (id) ON DELETE SET NULL,
	outcome		text CHECK (outcome IN ('accepted', 'rejected')),
	reason		text CHECK (length(reason) <= 1000),
	CHECK ((decided IS NULL) = (outcome IS NULL)),
	CHECK (outcome IS DISTINCT FROM 'rejected' OR length(reason) > 0)
);
CREATE INDEX service_suggestions_open_idx ON service_suggestions (service)
	WHERE decided IS NULL;
CREATE INDEX service_suggestions_account_idx ON service_suggestions
	(account) WHERE account IS NOT NULL;

-- What a place says, as a suggestion keeps it.
CREATE FUNCTION acorn_place_content(l locations) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', l.id, 'organisation', l.organisation,
	    'name', l.name, 'address_1', l.address_1, 'city', l.city,
	    'postal_code', l.postal_code)
$$;

-- A suggestion accepted by account who: the listing (and its place)
-- become what it says, when the listing is still the version it was
-- made from.  'accepted'; 'changed' when the listing moved on since
-- (nothing is applied); 'decided' when it was decided already.
CREATE FUNCTION acorn_suggestion_accept(sid bigint, who bigint)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	g service_suggestions;
	c services;
	here uuid := (SELECT id FROM node);
BEGIN
	SELECT * INTO g FROM service_suggestions
	WHERE id = sid AND decided IS NULL FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'decided';
	END IF;
	PERFORM 1 FROM services s WHERE s.id = g.service
	AND s.version = g.base AND s.origin = here AND NOT s.deleted
	FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'changed';
	END IF;
	c := jsonb_populate_record(NULL::services, g.content);
	IF g.place IS NOT NULL THEN
		INSERT INTO locations (id, origin, organisation, name,
		    location_type, address_1, city, postal_code, country,
		    created_by)
		VALUES ((g.place->>'id')::uuid, here,
		    (g.place->>'organisation')::uuid, g.place->>'name',
		    'physical', g.place->>'address_1', g.place->>'city',
		    g.place->>'postal_code', 'GB', who)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name,
		    address_1 = excluded.address_1, city = excluded.city,
		    postal_code = excluded.postal_code
		WHERE locations.origin = here;
	END IF;
	UPDATE services s SET name = c.name, description = c.description,
	    status = c.status, url = c.url, email = c.email, alert = c.alert,
	    minimum_age = c.minimum_age, maximum_age = c.maximum_age,
	    eligibility = c.eligibility, fees = c.fees, free = c.free,
	    languages = c.languages, accessibility = c.accessibility,
	    attending = c.attending, access = c.access,
	    schedules = c.schedules, contacts = c.contacts,
	    locations = c.locations, terms = c.terms
	WHERE s.id = g.service;
	UPDATE service_suggestions SET decided = now(), decided_by = who,
	    outcome = 'accepted' WHERE id = sid;
	PERFORM acorn_service_revise(g.service, who, 'Suggested by a member'
	    || coalesce(': ' || nullif(g.summary, ''), ''));
	RETURN 'accepted';
END
$$;

-- One field of a listing's content (acorn_service_content) in words,
-- for the side-by-side view of a suggestion.
CREATE FUNCTION acorn_service_field_words(k text, v jsonb) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE
	    WHEN v IS NULL OR v = 'null'::jsonb THEN ''
	    WHEN k = 'terms' THEN (SELECT string_agg(t.name, ', '
		ORDER BY lower(t.name)) FROM taxonomy_terms t
		WHERE t.id::text IN (SELECT jsonb_array_elements_text(v)))
	    WHEN k = 'schedules' THEN (SELECT string_agg(
		acorn_schedule_words(e) || coalesce(' (' ||
		(e->>'description') || ')', ''), '; ' ORDER BY n)
		FROM jsonb_array_elements(v) WITH ORDINALITY AS x (e, n))
	    WHEN k = 'contacts' THEN (SELECT string_agg(concat_ws(' ',
		e->>'name', e->>'phone', e->>'email'), '; ' ORDER BY n)
		FROM jsonb_array_elements(v) WITH ORDINALITY AS x (e, n))
	    WHEN k = 'locations' THEN (SELECT string_agg(concat_ws(', ',
		l.name, l.address_1, l.city, l.postal_code), '; ')
		FROM locations l
		WHERE l.id::text IN (SELECT jsonb_array_elements_text(v)))
	    WHEN k = 'free' THEN CASE WHEN v = 'true'::jsonb THEN 'Yes'
		ELSE 'No' END
	    WHEN k IN ('attending', 'access') THEN (SELECT string_agg(x, ' ')
		FROM jsonb_array_elements_text(v) x)
	    WHEN jsonb_typeof(v) = 'array' THEN (SELECT string_agg(x, ', ')
		FROM jsonb_array_elements_text(v) x)
	    ELSE v #>> '{}' END
$$;

-- A link worker's shortlist of services ("what we talked about"), with
-- a note on each, printed or shared by an unguessable link (its hash
-- kept) until it expires.  It holds nothing about the person it is for
-- but what someone types into a note.
CREATE TABLE shortlists (
	id		bigserial PRIMARY KEY,
	account		bigint NOT NULL REFERENCES accounts (id)
			    ON DELETE CASCADE,
	created		timestamptz NOT NULL DEFAULT now(),
	updated		timestamptz NOT NULL DEFAULT now(),
	token_hash	text UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	expires		timestamptz,
	CHECK ((token_hash IS NULL) = (expires IS NULL))
);
CREATE INDEX shortlists_account_idx ON shortlists (account, id);
CREATE TABLE shortlist_items (
	shortlist	bigint NOT NULL REFERENCES shortlists (id)
			    ON DELETE CASCADE,
	service		uuid NOT NULL REFERENCES services (id)
			    ON DELETE CASCADE,
	position	integer NOT NULL,
	note		text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
	PRIMARY KEY (shortlist, service)
);
INSERT INTO unwatched_tables (name, why) VALUES
	('shortlists', 'a person''s own; never on a page kept in memory'),
	('shortlist_items', 'a person''s own; never on a page kept in memory');

-- What happened after link workers referred someone to a listing:
-- counts only, nothing about the person.  Two answers in a row of "no
-- response" or "service closed" since the listing last changed (or was
-- confirmed) send it to the coordinators' review queue.
CREATE TABLE service_referrals (
	id		bigserial PRIMARY KEY,
	service		uuid NOT NULL REFERENCES services (id)
			    ON DELETE CASCADE,
	account		bigint REFERENCES accounts (id) ON DELETE SET NULL,
	outcome		text NOT NULL CHECK (outcome IN ('attended',
			    'not_attended', 'declined', 'no_response',
			    'closed')),
	recorded	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_referrals_service_idx ON service_referrals
	(service, recorded DESC);
CREATE INDEX service_referrals_account_idx ON service_referrals (account)
	WHERE account IS NOT NULL;

-- Whether a listing's referrals flag it: its last two outcomes since it
-- last changed (a confirmation is a change) were no response or closed.
CREATE FUNCTION acorn_referrals_flag(sid uuid, since timestamptz)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT count(*) = 2 AND bool_and(outcome IN ('no_response', 'closed'))
	FROM (SELECT outcome FROM service_referrals
	    WHERE service = sid AND recorded > since
	    ORDER BY recorded DESC, id DESC LIMIT 2) last
$$;

-- The directory in Open Referral UK 3.0's shapes, for its read API
-- (/api/oruk) and anything else that speaks it.  Optional fields with
-- no value are left out, never null.  Parts with no id of their own (a
-- schedule, an address, a language) are given one derived from their
-- owner's, the same each time.  How people take part and get in are
-- attributes of terms in Acorn's taxonomies of those names; their
-- labels come from the program's vocabulary, as arrays of codes and
-- labels.
CREATE FUNCTION acorn_oruk_id(parts text) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT md5('acorn:oruk:' || parts)::uuid
$$;

CREATE FUNCTION acorn_taxonomy_id(taxonomy text) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT md5('acorn:taxonomy-scheme:' || taxonomy)::uuid
$$;

CREATE FUNCTION acorn_oruk_stamp(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE FUNCTION acorn_oruk_organization(o organisations) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object('id', o.id, 'name', o.name,
	    'description', o.description, 'email', nullif(o.email, ''),
	    'website', nullif(o.website, '')))
$$;

CREATE FUNCTION acorn_oruk_location(l locations) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object('id', l.id,
	    'location_type', l.location_type, 'name', l.name,
	    'latitude', l.latitude, 'longitude', l.longitude,
	    'addresses', CASE WHEN coalesce(l.address_1, l.postal_code)
		IS NOT NULL THEN jsonb_build_array(jsonb_build_object(
		'id', acorn_oruk_id(l.id || ':address'), 'location_id', l.id,
		'address_1', coalesce(l.address_1, ''),
		'city', coalesce(l.city, ''),
		'state_province', coalesce(l.state_province, l.city, ''),
		'postal_code', coalesce(l.postal_code, ''),
		'country', coalesce(l.country, 'GB'),
		'address_type', 'physical')) END,
	    'accessibility', CASE WHEN nullif(l.accessibility, '') IS NOT NULL
		THEN jsonb_build_array(jsonb_build_object(
		'id', acorn_oruk_id(l.id || ':accessibility'),
		'location_id', l.id, 'description', l.accessibility)) END))
$$;

CREATE FUNCTION acorn_oruk_term(t taxonomy_terms) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object('id', t.id,
	    'name', t.name, 'description', t.description,
	    'parent_id', t.parent, 'taxonomy', t.taxonomy,
	    'taxonomy_id', acorn_taxonomy_id(t.taxonomy),
	    'term_uri', CASE WHEN t.external_id IS NOT NULL THEN
		coalesce(t.external_taxonomy || ':', '') || t.external_id END))
$$;

-- A term of one of the taxonomies kept in the program's vocabulary.
CREATE FUNCTION acorn_oruk_coded_term(taxonomy text, code text,
    label text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('id', acorn_oruk_id(taxonomy || ':' || code),
	    'name', label, 'description', label, 'taxonomy', taxonomy,
	    'taxonomy_id', acorn_taxonomy_id(taxonomy))
$$;

-- A service as ORUK lists it: its own fields and its organisation.
CREATE FUNCTION acorn_oruk_service_list(s services, o organisations)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object('id', s.id,
	    'organization_id', s.organisation, 'name', s.name,
	    'description', s.description, 'url', nullif(s.url, ''),
	    'email', nullif(s.email, ''), 'status', s.status,
	    'minimum_age', s.minimum_age, 'maximum_age', s.maximum_age,
	    'assured_date', s.assured_date::text,
	    'alert', nullif(s.alert, ''),
	    'eligibility_description', nullif(s.eligibility, ''),
	    'fees_description', nullif(s.fees, ''),
	    'last_modified', acorn_oruk_stamp(s.updated),
	    'organization', CASE WHEN o.id IS NOT NULL THEN
		acorn_oruk_organization(o) END))
$$;

-- A service whole: what the list shows and every part of it.
CREATE FUNCTION acorn_oruk_service(s services, o organisations,
    attending_codes text[], attending_labels text[], access_codes text[],
    access_labels text[]) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT acorn_oruk_service_list(s, o) || jsonb_strip_nulls(
	    jsonb_build_object(
	    'schedules', (SELECT jsonb_agg(jsonb_strip_nulls(
		jsonb_build_object('id', acorn_oruk_id(s.id || ':schedule:' ||
		x.n), 'service_id', s.id, 'freq', x.e->>'freq',
		'byday', x.e->>'byday',
		'opens_at', (x.e->>'opens_at') || ':00',
		'closes_at', (x.e->>'closes_at') || ':00',
		'valid_from', x.e->>'valid_from', 'valid_to', x.e->>'valid_to',
		'description', coalesce(x.e->>'description',
		    acorn_schedule_words(x.e)),
		'attending_type', (SELECT string_agg(l, ', ' ORDER BY i)
		    FROM unnest(attending_codes, attending_labels)
		    WITH ORDINALITY AS a (c, l, i) WHERE c = ANY
		    (s.attending)))) ORDER BY x.n)
		FROM jsonb_array_elements(s.schedules) WITH ORDINALITY
		AS x (e, n)),
	    'service_at_locations', (SELECT jsonb_agg(jsonb_build_object(
		'id', acorn_oruk_id(s.id || ':' || l.id), 'service_id', s.id,
		'location_id', l.id, 'location', acorn_oruk_location(l))
		ORDER BY x.n)
		FROM unnest(s.locations) WITH ORDINALITY AS x (lid, n)
		JOIN locations l ON l.id = x.lid AND NOT l.deleted),
	    'languages', (SELECT jsonb_agg(jsonb_build_object(
		'id', acorn_oruk_id(s.id || ':language:' || x.n),
		'service_id', s.id, 'name', x.lang) ORDER BY x.n)
		FROM unnest(s.languages) WITH ORDINALITY AS x (lang, n)),
	    'cost_options', CASE WHEN s.free OR nullif(s.fees, '') IS NOT NULL
		THEN jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
		'id', acorn_oruk_id(s.id || ':cost'), 'service_id', s.id,
		'option', CASE WHEN s.free THEN 'Free' END,
		'amount', CASE WHEN s.free THEN 0 END,
		'amount_description', nullif(s.fees, '')))) END,
	    'contacts', (SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
		'id', acorn_oruk_id(s.id || ':contact:' || x.n),
		'service_id', s.id, 'name', x.c->>'name',
		'title', x.c->>'title', 'email', x.c->>'email',
		'phones', CASE WHEN x.c ? 'phone' THEN jsonb_build_array(
		    jsonb_build_object('id', acorn_oruk_id(s.id || ':phone:' ||
		    x.n), 'number', x.c->>'phone')) END)) ORDER BY x.n)
		FROM jsonb_array_elements(s.contacts) WITH ORDINALITY
		AS x (c, n)),
	    'attributes', (SELECT jsonb_agg(a.v ORDER BY a.k) FROM (
		SELECT 1 AS k, jsonb_build_object('id', acorn_oruk_id(s.id ||
		    ':attribute:' || t.id), 'link_id', s.id,
		    'link_type', 'need', 'link_entity', 'service',
		    'taxonomy_term_id', t.id,
		    'taxonomy_term', acorn_oruk_term(t)) AS v
		FROM taxonomy_terms t WHERE t.id = ANY (s.terms)
		UNION ALL
		SELECT 2, jsonb_build_object('id', acorn_oruk_id(s.id ||
		    ':attribute:attending:' || c), 'link_id', s.id,
		    'link_type', 'attending', 'link_entity', 'service',
		    'taxonomy_term_id', acorn_oruk_id('acorn-attending:' || c),
		    'taxonomy_term', acorn_oruk_coded_term('acorn-attending',
		    c, l))
		FROM unnest(attending_codes, attending_labels) AS z (c, l)
		WHERE c = ANY (s.attending)
		UNION ALL
		SELECT 3, jsonb_build_object('id', acorn_oruk_id(s.id ||
		    ':attribute:access:' || c), 'link_id', s.id,
		    'link_type', 'access', 'link_entity', 'service',
		    'taxonomy_term_id', acorn_oruk_id('acorn-access:' || c),
		    'taxonomy_term', acorn_oruk_coded_term('acorn-access',
		    c, l))
		FROM unnest(access_codes, access_labels) AS z (c, l)
		WHERE c = ANY (s.access)) a)))
$$;

-- A page of ORUK's paged lists.
CREATE FUNCTION acorn_oruk_page(total bigint, page integer, per integer,
    contents jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('total_items', total,
	    'total_pages', ceil(total::numeric / per)::bigint,
	    'page_number', page,
	    'size', jsonb_array_length(coalesce(contents, '[]')),
	    'first_page', page = 1,
	    'last_page', page >= ceil(total::numeric / per),
	    'empty', jsonb_array_length(coalesce(contents, '[]')) = 0,
	    'contents', coalesce(contents, '[]'))
$$;

-- Every taxonomy term ORUK shows: the needs and activities of the
-- table, and the terms of how people take part and get in.
CREATE FUNCTION acorn_oruk_terms(attending_codes text[],
    attending_labels text[], access_codes text[], access_labels text[])
RETURNS TABLE (id uuid, taxonomy_id uuid, parent uuid, name text,
    body jsonb)
LANGUAGE sql STABLE AS $$
	SELECT t.id, acorn_taxonomy_id(t.taxonomy), t.parent, t.name,
	    acorn_oruk_term(t) FROM taxonomy_terms t
	UNION ALL
	SELECT acorn_oruk_id('acorn-attending:' || c),
	    acorn_taxonomy_id('acorn-attending'), NULL, l,
	    acorn_oruk_coded_term('acorn-attending', c, l)
	FROM unnest(attending_codes, attending_labels) AS z (c, l)
	UNION ALL
	SELECT acorn_oruk_id('acorn-access:' || c),
	    acorn_taxonomy_id('acorn-access'), NULL, l,
	    acorn_oruk_coded_term('acorn-access', c, l)
	FROM unnest(access_codes, access_labels) AS z (c, l)
$$;

-- The ids of the terms a service has, of every taxonomy.
CREATE FUNCTION acorn_oruk_term_ids(s services) RETURNS uuid[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT s.terms || ARRAY(SELECT acorn_oruk_id('acorn-attending:' || c)
	    FROM unnest(s.attending) c) || ARRAY(SELECT
	    acorn_oruk_id('acorn-access:' || c) FROM unnest(s.access) c)
$$;

-- One service of another publisher's ORUK directory (the full nested
-- record its /services/{id} gives), imported from src: its
-- organisation, its places and itself, under their own ids, kept as
-- they say (their assured date included: an import confirms nothing).
-- A record imported before from src is brought up to date; one this
-- node made, or imported from elsewhere, is left alone.  Needs are
-- matched to this node's terms by an external id or a name, and terms
-- not known are added as local ones mapped to theirs.  'added',
-- 'updated', 'same', or why it was left out.
CREATE FUNCTION acorn_oruk_import(j jsonb, src text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	here uuid := (SELECT id FROM node);
	sid uuid;
	org jsonb := j->'organization';
	oid uuid;
	places uuid[] := '{}';
	sal jsonb;
	loc jsonb;
	addr jsonb;
	lid uuid;
	tids uuid[] := '{}';
	att jsonb;
	term jsonb;
	tid uuid;
	code text;
	before integer;
	after integer;
	owner uuid;
	known text;
BEGIN
	IF jsonb_typeof(j) <> 'object' OR j->>'id' IS NULL
	    OR j->>'id' !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
	    OR nullif(j->>'name', '') IS NULL THEN
		RETURN 'no id or no name';
	END IF;
	sid := (j->>'id')::uuid;
	SELECT origin, provenance, version INTO owner, known, before
	    FROM services WHERE id = sid;
	IF FOUND AND (owner <> here OR known IS DISTINCT FROM src) THEN
		RETURN 'already held, not from this publisher';
	END IF;
	-- Its organisation.
	oid := coalesce(nullif(org->>'id', ''), nullif(j->>'organization_id',
	    ''))::uuid;
	IF oid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM organisations
	    WHERE id = oid AND (origin <> here OR provenance IS DISTINCT FROM
	    src)) THEN
		INSERT INTO organisations (id, origin, name, description,
		    email, website, provenance)
		VALUES (oid, here, coalesce(nullif(org->>'name', ''),
		    'Organisation of ' || (j->>'name')),
		    coalesce(org->>'description', ''), nullif(org->>'email', ''),
		    nullif(org->>'website', ''), src)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name,
		    description = excluded.description, email = excluded.email,
		    website = excluded.website;
	END IF;
	-- Its places.
	FOR sal IN SELECT x FROM jsonb_array_elements(coalesce(
	    j->'service_at_locations', '[]')) x LOOP
		loc := sal->'location';
		CONTINUE WHEN jsonb_typeof(loc) IS DISTINCT FROM 'object'
		    OR coalesce(loc->>'id', '') !~* '^[0-9a-f-]{36}$';
		lid := (loc->>'id')::uuid;
		addr := loc->'addresses'->0;
		IF NOT EXISTS (SELECT 1 FROM locations WHERE id = lid AND
		    (origin <> here OR provenance IS DISTINCT FROM src)) THEN
			INSERT INTO locations (id, origin, organisation, name,
			    location_type, address_1, city, state_province,
			    postal_code, country, latitude, longitude, provenance)
			VALUES (lid, here, oid, coalesce(nullif(loc->>'name', ''),
			    addr->>'address_1', 'Place'),
			    CASE WHEN loc->>'location_type' IN ('physical',
			    'postal', 'virtual') THEN loc->>'location_type'
			    ELSE 'physical' END, nullif(addr->>'address_1', ''),
			    nullif(addr->>'city', ''),
			    nullif(addr->>'state_province', ''),
			    nullif(upper(addr->>'postal_code'), ''),
			    CASE WHEN addr->>'country' ~ '^[A-Z]{2}$' THEN
			    addr->>'country' ELSE 'GB' END,
			    CASE WHEN (loc->>'latitude') ~ '^-?[0-9.]+$' AND
			    (loc->>'longitude') ~ '^-?[0-9.]+$' THEN
			    (loc->>'latitude')::float8 END,
			    CASE WHEN (loc->>'latitude') ~ '^-?[0-9.]+$' AND
			    (loc->>'longitude') ~ '^-?[0-9.]+$' THEN
			    (loc->>'longitude')::float8 END, src)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name,
			    location_type = excluded.location_type,
			    address_1 = excluded.address_1, city = excluded.city,
			    state_province = excluded.state_province,
			    postal_code = excluded.postal_code,
			    country = excluded.country,
			    latitude = excluded.latitude,
			    longitude = excluded.longitude;
		END IF;
		IF cardinality(places) < 20 THEN
			places := places || lid;
		END IF;
	END LOOP;
	-- Its needs: this node's terms by their mapping or their name.
	FOR att IN SELECT x FROM jsonb_array_elements(coalesce(
	    j->'attributes', '[]')) x LOOP
		term := att->'taxonomy_term';
		CONTINUE WHEN jsonb_typeof(term) IS DISTINCT FROM 'object'
		    OR nullif(term->>'name', '') IS NULL
		    OR coalesce(term->>'taxonomy', '') IN ('acorn-attending',
		    'acorn-access');
		SELECT t.id INTO tid FROM taxonomy_terms t
		WHERE (t.external_id = term->>'id' AND
		    t.external_taxonomy IS NOT DISTINCT FROM
		    coalesce(term->>'taxonomy', src))
		    OR t.id::text = term->>'id'
		    OR lower(t.name) = lower(term->>'name')
		ORDER BY t.external_id = term->>'id' DESC NULLS LAST LIMIT 1;
		IF NOT FOUND THEN
			code := left(regexp_replace(lower(term->>'name'),
			    '[^a-z0-9]+', '_', 'g'), 32);
			code := trim(both '_' FROM code);
			CONTINUE WHEN code = '' OR length(term->>'name') > 80;
			INSERT INTO taxonomy_terms (id, code, name, description,
			    taxonomy, external_taxonomy, external_id, local)
			VALUES (gen_random_uuid(), code || '_' ||
			    left(md5(term->>'name'), 6), term->>'name',
			    left(coalesce(term->>'description', ''), 500),
			    'acorn-needs', coalesce(term->>'taxonomy', src),
			    term->>'id', true)
			ON CONFLICT DO NOTHING
			RETURNING id INTO tid;
			CONTINUE WHEN tid IS NULL;
		END IF;
		IF NOT tid = ANY (tids) AND cardinality(tids) < 20 THEN
			tids := tids || tid;
		END IF;
	END LOOP;
	INSERT INTO services AS s (id, origin, organisation, name,
	    description, status, url, email, alert, minimum_age, maximum_age,
	    eligibility, fees, free, languages, schedules, contacts,
	    locations, terms, assured_date, assured_by, provenance)
	SELECT sid, here, oid, j->>'name', coalesce(j->>'description', ''),
	    CASE WHEN j->>'status' IN ('active', 'inactive', 'defunct',
	    'temporarily closed') THEN j->>'status' ELSE 'active' END,
	    nullif(j->>'url', ''), nullif(j->>'email', ''),
	    nullif(j->>'alert', ''),
	    CASE WHEN (j->>'minimum_age') ~ '^[0-9]{1,3}(\.0+)?$' AND
		(j->>'minimum_age')::numeric <= 120 THEN
		(j->>'minimum_age')::numeric::int END,
	    CASE WHEN (j->>'maximum_age') ~ '^[0-9]{1,3}(\.0+)?$' AND
		(j->>'maximum_age')::numeric <= 120 THEN
		(j->>'maximum_age')::numeric::int END,
	    nullif(j->>'eligibility_description', ''),
	    coalesce(nullif(j->>'fees_description', ''), (SELECT
		string_agg(c->>'amount_description', '; ') FROM
		jsonb_array_elements(coalesce(j->'cost_options', '[]')) c
		WHERE nullif(c->>'amount_description', '') IS NOT NULL)),
	    EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(
		j->'cost_options', '[]')) c WHERE lower(c->>'option') = 'free'
		OR (c->>'amount') IN ('0', '0.0', '0.00')),
	    ARRAY(SELECT left(l->>'name', 60) FROM jsonb_array_elements(
		coalesce(j->'languages', '[]')) l
		WHERE nullif(l->>'name', '') IS NOT NULL LIMIT 30),
	    coalesce((SELECT jsonb_agg(x.e) FROM (SELECT jsonb_strip_nulls(
		jsonb_build_object('freq', e->>'freq', 'byday', e->>'byday',
		'opens_at', left(e->>'opens_at', 5),
		'closes_at', left(e->>'closes_at', 5),
		'valid_from', left(e->>'valid_from', 10),
		'valid_to', left(e->>'valid_to', 10),
		'description', left(e->>'description', 200))) AS e
		FROM jsonb_array_elements(coalesce(j->'schedules', '[]')) e
		LIMIT 14) x WHERE acorn_schedules_valid(jsonb_build_array(x.e))),
		'[]'),
	    coalesce((SELECT jsonb_agg(x.c) FROM (SELECT jsonb_strip_nulls(
		jsonb_build_object('name', nullif(left(c->>'name', 200), ''),
		'title', nullif(left(c->>'title', 200), ''),
		'email', nullif(left(c->>'email', 200), ''),
		'phone', nullif(left(c->'phones'->0->>'number', 200), '')))
		AS c FROM jsonb_array_elements(coalesce(j->'contacts', '[]')) c
		LIMIT 5) x WHERE x.c <> '{}'), '[]'),
	    places, tids,
	    CASE WHEN (j->>'assured_date') ~ '^\d{4}-\d{2}-\d{2}' THEN
		left(j->>'assured_date', 10)::date END,
	    CASE WHEN (j->>'assured_date') ~ '^\d{4}-\d{2}-\d{2}' THEN
		'publisher' END, src
	ON CONFLICT (id) DO UPDATE SET organisation = excluded.organisation,
	    name = excluded.name, description = excluded.description,
	    status = excluded.status, url = excluded.url,
	    email = excluded.email, alert = excluded.alert,
	    minimum_age = excluded.minimum_age,
	    maximum_age = excluded.maximum_age,
	    eligibility = excluded.eligibility, fees = excluded.fees,
	    free = excluded.free, languages = excluded.languages,
	    schedules = excluded.schedules, contacts = excluded.contacts,
	    locations = excluded.locations, terms = excluded.terms,
	    assured_date = excluded.assured_date,
	    assured_by = excluded.assured_by
	WHERE s.provenance = src;
	SELECT version INTO after FROM services WHERE id = sid;
	RETURN CASE WHEN before IS NULL THEN 'added'
	    WHEN after <> before THEN 'updated' ELSE 'same' END;
END
$$;

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
	    EXISTS (SELECT 1 FROM glossary_terms WHERE origin = who) OR
	    EXISTS (SELECT 1 FROM organisations WHERE origin = who) OR
	    EXISTS (SELECT 1 FROM locations WHERE origin = who) OR
	    EXISTS (SELECT 1 FROM services WHERE origin = who)) THEN
		RETURN format('It claims to be %s, whose records this node'
		    ' already holds, signed by a key it no longer knows.',
		    label);
	END IF;
	RETURN NULL;
END
$$;

-- The vocabulary and the managers and revisions are this node's own
-- and change the pages that show them.
SELECT acorn_data_watch(t::regclass) FROM unnest(ARRAY['taxonomy_terms',
    'organisation_managers', 'service_revisions', 'service_reviews',
    'service_reports', 'service_suggestions', 'postcodes',
    'postcode_districts', 'service_referrals']) AS t;
INSERT INTO unwatched_tables (name, why) VALUES
	('service_checks', 'mailed "still correct" links; never shown');
