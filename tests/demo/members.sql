-- Demo members for one regional node: psql -v region=... -v slug=...
-- Forty people across every stakeholder group; most are listed in the
-- network directory, some are not, and three are waiting for approval.
-- Demo accounts have no password: only the coordinator account signs in.

CREATE TEMP TABLE demo_people (n int, first text, last text);
INSERT INTO demo_people VALUES
 (1,'Amara','Okafor'),(2,'Ben','Hughes'),(3,'Chloe','Patel'),
 (4,'Dafydd','Jones'),(5,'Eilidh','MacLeod'),(6,'Farah','Hussain'),
 (7,'George','Whitfield'),(8,'Hannah','Kowalski'),(9,'Imran','Sheikh'),
 (10,'Jess','Thompson'),(11,'Kwame','Mensah'),(12,'Laura','Fitzgerald'),
 (13,'Mohammed','Rahman'),(14,'Niamh','O''Connor'),(15,'Olu','Adeyemi'),
 (16,'Priya','Sharma'),(17,'Rachel','Green'),(18,'Sam','Ellis'),
 (19,'Tariq','Aziz'),(20,'Uma','Chandra'),(21,'Victoria','Lane'),
 (22,'Wei','Zhang'),(23,'Yusuf','Demir'),(24,'Zoe','Harper'),
 (25,'Aled','Price'),(26,'Bethan','Morgan'),(27,'Callum','Reid'),
 (28,'Deborah','Okonjo'),(29,'Ed','Barker'),(30,'Fatima','Begum'),
 (31,'Grace','Allen'),(32,'Harjit','Singh'),(33,'Isla','Campbell'),
 (34,'Jamal','Brown'),(35,'Kate','Walsh'),(36,'Liam','Doyle'),
 (37,'Maya','Cohen'),(38,'Nadia','Petrova'),(39,'Owen','Parry'),
 (40,'Ruth','Sinclair');

CREATE TEMP TABLE demo_roles (k int, stakeholder text, title text, org text, interests text);
INSERT INTO demo_roles VALUES
 (0,'gp','GP partner','%s Health Centre','social prescribing referrals, frailty, long-term conditions'),
 (1,'link_worker','Social prescribing link worker','%s Primary Care Network','loneliness, financial wellbeing, community groups'),
 (2,'link_worker','Care navigator','%s Primary Care Network','housing, carers, benefits advice'),
 (3,'social_care','Social worker','%s City Council adult social care','carers, dementia, reablement'),
 (4,'public_health','Public health specialist','%s public health team','health inequalities, evaluation, physical activity'),
 (5,'commissioner','Commissioning manager','%s Integrated Care Board','commissioning, return on investment, outcomes frameworks'),
 (6,'vcse','Community development worker','%s Community Action','volunteering, green social prescribing, arts on prescription'),
 (7,'vcse','Health champion coordinator','%s Voluntary Services','health champions, peer support, men''s sheds'),
 (8,'academic','Senior research fellow','University of %s','mixed methods evaluation, WEMWBS, realist review'),
 (9,'local_authority','Community connector','%s Borough Council','community connectors, libraries, leisure'),
 (10,'citizen','Patient representative','%s Patient Participation Group','lived experience, co-production, walking groups');

CREATE TEMP TABLE demo_places (region text, place text);
INSERT INTO demo_places VALUES
 ('National','Leeds'),('North West','Manchester'),('London','Hackney'),
 ('South West','Bristol'),('Midlands','Leicester'),('North East and Yorkshire','Sheffield'),
 ('East of England','Norwich'),('South East','Brighton');

WITH p AS (
	SELECT d.n, d.first, d.last, r.*, coalesce(pl.place, 'Regional') AS place
	FROM demo_people d
	JOIN demo_roles r ON r.k = d.n % 11
	LEFT JOIN demo_places pl ON pl.region = :'region'
), m AS (
	INSERT INTO members (id, origin, name, organisation, role_title,
	    stakeholder, region, interests, bio, listed, updated)
	SELECT gen_random_uuid(), (SELECT id FROM node), first || ' ' || last,
	    format(org, place), title, stakeholder, :'region', interests,
	    CASE WHEN n % 3 = 0 THEN format('%s works across %s on %s. Happy to share what has worked locally.',
	        first, place, split_part(interests, ',', 1)) END,
	    n % 5 <> 0, now() - make_interval(days => n)
	FROM p ORDER BY n
	RETURNING id, name
)
INSERT INTO accounts (member, email, status, created)
SELECT m.id,
    lower(replace(replace(m.name, ' ', '.'), '''', '')) || '.' || :'slug' || '@example.org',
    CASE WHEN m.name IN ('Ruth Sinclair', 'Owen Parry', 'Nadia Petrova') THEN 'pending' ELSE 'active' END,
    now() - interval '1 day'
FROM m;

UPDATE members SET listed = false
WHERE id IN (SELECT member FROM accounts WHERE status = 'pending');
