-- Events list benchmark data for one North West node: thirty published
-- events of its own, of every kind, twenty-four of them still to come
-- (so /events shows a full first page of twenty and a second page) and
-- six past.  Their times are whole hours from the day the data is
-- loaded, so the pages stay the same bytes through a run.  The
-- registration storms make events of their own: the list benchmark runs
-- before them.

\set ON_ERROR_STOP on

INSERT INTO events (id, origin, title, kind, description, starts, ends,
    venue, address, online_url, organiser, organiser_email, region, status)
SELECT gen_random_uuid(), n.id, e.title, e.kind,
    'A ' || replace(e.kind, '_', ' ') || ' for link workers, practice teams, '
    || 'community groups and commissioners across the region.',
    date_trunc('day', now()) + make_interval(days => e.day, hours => 10),
    date_trunc('day', now()) + make_interval(days => e.day, hours => 10 + e.hours),
    e.venue, e.address,
    CASE WHEN e.venue IS NULL OR e.kind = 'regional_meeting'
        THEN 'https://meet.bench.example.org/' || e.day END,
    'North West network', 'events@bench.example.org', 'North West',
    'published'
FROM node n, (VALUES
 ('North West social prescribing conference 2027', 'conference', 60, 7,
  'Manchester Central', 'Windmill Street, Manchester M2 3GX'),
 ('Link worker induction: the first ninety days', 'workshop', 3, 3,
  'Bolton Central Library', 'Le Mans Crescent, Bolton BL1 1SE'),
 ('Measuring wellbeing with WEMWBS and ONS4', 'webinar', 5, 1, NULL, NULL),
 ('Cheshire and Merseyside regional meeting', 'regional_meeting', 8, 2,
  'The Florrie', '377 Mill Street, Liverpool L8 4RF'),
 ('Green social prescribing in practice', 'workshop', 11, 3,
  'Heaton Park Hall', 'Heaton Park, Manchester M25 2SW'),
 ('Supervision for link workers', 'webinar', 13, 1, NULL, NULL),
 ('Greater Manchester regional meeting', 'regional_meeting', 15, 2,
  'Friends Meeting House', '6 Mount Street, Manchester M2 5NS'),
 ('Referral pathways from secondary care', 'workshop', 18, 3,
  'Royal Preston Hospital education centre', 'Sharoe Green Lane, Preston PR2 9HT'),
 ('Debt advice and social prescribing', 'webinar', 20, 1, NULL, NULL),
 ('Working with faith groups', 'workshop', 22, 3,
  'Bradford Court', '123 Deansgate, Manchester M3 2BU'),
 ('Lancashire and South Cumbria regional meeting', 'regional_meeting', 25, 2,
  'Lancaster Town Hall', 'Dalton Square, Lancaster LA1 1PJ'),
 ('Young people and social prescribing', 'webinar', 27, 1, NULL, NULL),
 ('Commissioning the wider system', 'workshop', 29, 3,
  'Stockport Town Hall', 'Edward Street, Stockport SK1 3XE'),
 ('Using the evidence base in a business case', 'webinar', 32, 1, NULL, NULL),
 ('Arts on prescription showcase', 'workshop', 34, 4,
  'The Lowry', 'Pier 8, Salford Quays M50 3AZ'),
 ('Carers and social prescribing', 'webinar', 36, 1, NULL, NULL),
 ('Rural social prescribing: transport and reach', 'workshop', 39, 3,
  'Kendal Town Hall', 'Highgate, Kendal LA9 4DL'),
 ('Data protection for VCFSE partners', 'webinar', 41, 1, NULL, NULL),
 ('Cheshire and Merseyside regional meeting (spring)', 'regional_meeting', 43, 2,
  'The Florrie', '377 Mill Street, Liverpool L8 4RF'),
 ('Health and wellbeing coaching skills', 'workshop', 46, 3,
  'Wigan Life Centre', 'The Wiend, Wigan WN1 1NH'),
 ('Men''s sheds and loneliness', 'webinar', 48, 1, NULL, NULL),
 ('Greater Manchester regional meeting (spring)', 'regional_meeting', 50, 2,
  'Friends Meeting House', '6 Mount Street, Manchester M2 5NS'),
 ('Physical activity referrals that last', 'workshop', 53, 3,
  'Etihad Campus', 'Ashton New Road, Manchester M11 3FF'),
 ('What commissioners ask of an evaluation', 'webinar', 55, 1, NULL, NULL),
 ('Social prescribing week 2026', 'conference', -5, 7,
  'Manchester Central', 'Windmill Street, Manchester M2 3GX'),
 ('Link worker peer support session', 'webinar', -9, 1, NULL, NULL),
 ('Greater Manchester regional meeting (autumn)', 'regional_meeting', -14, 2,
  'Friends Meeting House', '6 Mount Street, Manchester M2 5NS'),
 ('Food banks and holiday hunger', 'workshop', -20, 3,
  'Bolton Central Library', 'Le Mans Crescent, Bolton BL1 1SE'),
 ('Writing a good referral', 'webinar', -27, 1, NULL, NULL),
 ('Lancashire and South Cumbria regional meeting (autumn)', 'regional_meeting', -33, 2,
  'Lancaster Town Hall', 'Dalton Square, Lancaster LA1 1PJ')
) AS e(title, kind, day, hours, venue, address);

-- The benchmark's claims rest on these counts: refuse to go on otherwise.
DO $$
BEGIN
	IF (SELECT count(*) FROM events WHERE status = 'published'
	    AND starts > now()) <> 24 THEN
		RAISE EXCEPTION 'expected 24 upcoming published events';
	END IF;
END
$$;
