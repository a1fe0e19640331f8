-- Knowledge benchmark data for one North West node: the evidence library
-- with sixty evaluations, about as many as the network has analysed, and
-- one library document of realistic length with a few revisions behind
-- it.
--
-- The evaluations are spread over the six study designs, the seven NHS
-- England regions and the years 2015 to 2025, each with two to six
-- outcome results across the eight outcomes and four findings, mostly
-- improvements as the real evidence is.  They are saved through
-- acorn_evaluation_save, as the pages save them, and every fifth one has
-- been corrected once since, so that some have a second revision.  The values
-- come from each evaluation's number, not from random(): every load is the
-- same data.
--
-- The document measured is the network's social prescribing toolkit, about ten
-- kilobytes of CommonMark with headings, lists and links, at revision 4:
-- a first draft, the impact and funding sections added, governance and
-- further reading added, and a correction.  Its page lists the glossary
-- terms it uses, so the glossary is here too.  Eleven shorter documents
-- fill the library's list beside it.

\set ON_ERROR_STOP on

-- --- evaluations ---------------------------------------------------------

CREATE TEMP TABLE bench_region (i int PRIMARY KEY, region text NOT NULL,
    areas text[] NOT NULL);
INSERT INTO bench_region VALUES
 (0, 'North East and Yorkshire', ARRAY['Leeds', 'Sunderland', 'Bradford',
  'Hull', 'North Yorkshire']),
 (1, 'North West', ARRAY['Salford', 'Wirral', 'Lancashire', 'Bolton',
  'Cumbria']),
 (2, 'Midlands', ARRAY['Birmingham', 'Leicester', 'Stoke-on-Trent',
  'Nottinghamshire', 'Herefordshire']),
 (3, 'East of England', ARRAY['Norfolk', 'Luton', 'Cambridgeshire',
  'Suffolk', 'Essex']),
 (4, 'London', ARRAY['Tower Hamlets', 'Croydon', 'Camden', 'Brent',
  'Lewisham']),
 (5, 'South East', ARRAY['Kent', 'Brighton and Hove', 'Oxfordshire',
  'Portsmouth', 'Surrey']),
 (6, 'South West', ARRAY['Bristol', 'Cornwall', 'Plymouth', 'Somerset',
  'Gloucestershire']);

CREATE TEMP TABLE bench_scheme (i int PRIMARY KEY, scheme text NOT NULL,
    activity text NOT NULL);
INSERT INTO bench_scheme VALUES
 (0, 'Community Connectors', 'link worker support'),
 (1, 'Green Health Prescribing', 'nature-based activities'),
 (2, 'Arts on Prescription', 'group arts courses'),
 (3, 'Active Lives', 'physical activity referral'),
 (4, 'Time to Talk', 'peer support groups'),
 (5, 'Money and Wellbeing', 'debt and welfare advice'),
 (6, 'Men''s Sheds Link', 'community sheds'),
 (7, 'Healthy Minds Together', 'psychosocial support'),
 (8, 'Ways to Wellbeing', 'link worker support'),
 (9, 'Grow Well', 'community gardening'),
 (10, 'Carers Connect', 'support for unpaid carers'),
 (11, 'Back to Work Wellbeing', 'employment support');

-- Which outcomes an evaluation reports: outcome (s + 3k) mod 8 for k from
-- 0, so that consecutive ones are all different.
CREATE TEMP TABLE bench_outcome (i int PRIMARY KEY, outcome text NOT NULL,
    measure text NOT NULL);
INSERT INTO bench_outcome VALUES
 (0, 'gp_consultations', 'GP appointments in the year after referral, from practice records'),
 (1, 'ae_attendance', 'A&E attendances, hospital episode statistics'),
 (2, 'wellbeing', 'WEMWBS'),
 (3, 'loneliness', 'UCLA three-item loneliness scale'),
 (4, 'anxiety_depression', 'PHQ-9 and GAD-7'),
 (5, 'activation', 'Patient Activation Measure (PAM)'),
 (6, 'employment_volunteering', 'People in work, training or volunteering'),
 (7, 'cost_roi', 'Social return on investment');

CREATE TEMP TABLE bench_evaluation AS
SELECT n, gen_random_uuid() AS id,
    (ARRAY['rct', 'quasi_experimental', 'before_after', 'qualitative',
     'mixed_methods', 'economic'])[1 + n % 6] AS design,
    (3 * n + n / 6) % 7 AS region_i,
    2015 + (7 * n + 3) % 11 AS year,
    (5 * n + n / 12) % 12 AS scheme_i,
    2 + (3 * n + n / 7) % 5 AS outcomes,
    (5 * n) % 8 AS first_outcome
FROM generate_series(1, 60) n;

CREATE TEMP VIEW bench_record AS
SELECT e.n, e.id, e.design, jsonb_build_object(
    'title', CASE e.design
        WHEN 'rct' THEN 'A randomised trial of ' || s.scheme || ' in ' || a.area
        WHEN 'quasi_experimental' THEN s.scheme || ' in ' || a.area
            || ': a matched comparison with practices not yet referring'
        WHEN 'before_after' THEN s.scheme || ' in ' || a.area
            || ': outcomes before and after referral'
        WHEN 'qualitative' THEN 'What people referred to ' || s.scheme
            || ' in ' || a.area || ' told us'
        WHEN 'mixed_methods' THEN s.scheme || ' in ' || a.area
            || ': a mixed-methods evaluation'
        ELSE 'The costs and returns of ' || s.scheme || ' in ' || a.area
        END,
    'scheme', s.scheme,
    'area', a.area,
    'region', r.region,
    'year', e.year,
    'design', e.design,
    'sample_size', CASE e.design
        WHEN 'rct' THEN 180 + (37 * e.n) % 520
        WHEN 'quasi_experimental' THEN 400 + (113 * e.n) % 2600
        WHEN 'before_after' THEN 60 + (29 * e.n) % 440
        WHEN 'qualitative' THEN 12 + (7 * e.n) % 30
        WHEN 'mixed_methods' THEN 40 + (17 * e.n) % 260
        ELSE 150 + (53 * e.n) % 1200
        END,
    'follow_up', CASE WHEN e.design = 'qualitative' THEN NULL
        ELSE (ARRAY[3, 6, 6, 12, 12, 12, 18, 24])[1 + (3 * e.n) % 8] END,
    'summary', 'An evaluation of ' || s.activity || ' offered by '
        || s.scheme || ' to adults referred by GP practices in ' || a.area
        || ' (' || r.region || ').'
        || E'\n\n' || CASE e.design
        WHEN 'rct' THEN 'People were allocated at random to referral or '
            || 'to usual care, and followed up by post and telephone.'
        WHEN 'quasi_experimental' THEN 'People referred were compared '
            || 'with people of the same age, sex and conditions registered '
            || 'with practices that did not yet refer.'
        WHEN 'before_after' THEN 'Measures were taken at the first '
            || 'meeting with a link worker and again at the end of support.'
        WHEN 'qualitative' THEN 'Semi-structured interviews with people '
            || 'referred, link workers and the groups they were referred to.'
        WHEN 'mixed_methods' THEN 'Routine outcome measures alongside '
            || 'interviews and focus groups with people referred and staff.'
        ELSE 'Costs of the service set against changes in the use of GP, '
            || 'A&E and other services, valued with national unit costs.'
        END
        || E'\n\n' || (ARRAY[
            'Completion of follow-up was lower among people in the most deprived areas.',
            'Most people were referred for loneliness, low mood or money worries.',
            'The authors note that the groups people were referred to had waiting lists over the winter.',
            'Results were shared with the practices and the community groups involved.',
            'People who met a link worker three times or more reported the largest changes.'
        ])[1 + e.n % 5],
    'outcomes', (SELECT jsonb_agg(jsonb_build_object(
        'outcome', o.outcome, 'measure', o.measure,
        'direction', d.direction,
        'figure', CASE
            WHEN e.design = 'qualitative' THEN CASE d.direction
                WHEN 'improved' THEN 'Most people interviewed described this improving'
                WHEN 'no_change' THEN 'Few people interviewed described a change'
                WHEN 'worse' THEN 'Some people interviewed described this getting worse'
                ELSE 'Better for some people interviewed, worse for others'
                END
            WHEN d.direction = 'no_change' THEN
                'No significant difference (p = 0.' || 2 + (e.n + k) % 7 || ')'
            WHEN d.direction = 'mixed' THEN
                'Better at 3 months, not sustained at the end of follow-up'
            -- Improved or worse: a figure in the measure's own units.
            ELSE CASE o.outcome
                WHEN 'gp_consultations' THEN
                    CASE d.direction WHEN 'improved' THEN '-' ELSE '+' END
                    || 8 + (11 * e.n + k) % 25 || '% consultations'
                WHEN 'ae_attendance' THEN
                    CASE d.direction WHEN 'improved' THEN '-' ELSE '+' END
                    || 5 + (7 * e.n + k) % 20 || '% attendances'
                WHEN 'wellbeing' THEN
                    CASE d.direction WHEN 'improved' THEN '+' ELSE '-' END
                    || round(1.5 + ((13 * e.n + k) % 50) / 10.0, 1)
                    || ' points'
                WHEN 'loneliness' THEN
                    CASE d.direction WHEN 'improved' THEN '-' ELSE '+' END
                    || round(0.5 + ((7 * e.n + k) % 20) / 10.0, 1)
                    || ' points'
                WHEN 'anxiety_depression' THEN
                    CASE d.direction WHEN 'improved' THEN '-' ELSE '+' END
                    || 1 + (e.n + k) % 4 || ' points on PHQ-9'
                WHEN 'activation' THEN
                    CASE d.direction WHEN 'improved' THEN '+' ELSE '-' END
                    || 3 + (5 * e.n + k) % 9 || ' points'
                WHEN 'employment_volunteering' THEN
                    CASE d.direction WHEN 'improved' THEN
                        5 + (3 * e.n + k) % 20
                        || ' people into work or volunteering'
                    ELSE 'Fewer in work or volunteering at follow-up' END
                ELSE '£' || CASE d.direction
                    WHEN 'improved' THEN round(1.2 + ((17 * e.n + k) % 30) / 10.0, 2)
                    ELSE round(0.4 + ((e.n + k) % 5) / 10.0, 2) END
                    || ' returned for every £1'
                END
            END)
        ORDER BY o.i)
        FROM generate_series(0, e.outcomes - 1) k
        JOIN bench_outcome o ON o.i = (e.first_outcome + 3 * k) % 8
        CROSS JOIN LATERAL (SELECT (ARRAY['improved', 'improved',
            'no_change', 'improved', 'mixed', 'improved', 'worse',
            'improved', 'no_change', 'improved', 'mixed'])
            [1 + (7 * e.n + 3 * k) % 11] AS direction) d)
    ) AS record
FROM bench_evaluation e
JOIN bench_region r ON r.i = e.region_i
JOIN bench_scheme s ON s.i = e.scheme_i
CROSS JOIN LATERAL (SELECT r.areas[1 + (e.n / 7 + e.n) % 5] AS area) a;

CREATE TEMP TABLE bench_saved AS
SELECT n, acorn_evaluation_save(id, (SELECT id FROM node), 0, record, NULL,
    (ARRAY['Elliot Marsh', 'Deepa Venkatesh', 'Emma Clarkson',
     'Aisha Rahman'])[1 + n % 4], 'First version', NULL) AS revision
FROM (SELECT * FROM bench_record ORDER BY n) r;

-- The corrections: the sample as finally analysed, after some dropped out.
INSERT INTO bench_saved
SELECT e.n, acorn_evaluation_save(e.id, (SELECT id FROM node), 1,
    jsonb_set(acorn_evaluation_record(e.id), '{sample_size}',
        to_jsonb(((acorn_evaluation_record(e.id)->>'sample_size')::int
            * 9) / 10)),
    NULL, 'Elliot Marsh', 'Sample as analysed, after drop-out', NULL)
FROM bench_evaluation e
WHERE e.n % 5 = 0
ORDER BY e.n;

-- --- the document --------------------------------------------------------

CREATE TEMP TABLE bench_doc (id uuid, title text, body text);
INSERT INTO bench_doc VALUES (gen_random_uuid(),
'Social prescribing toolkit for primary care networks',
$toolkit$This toolkit is for primary care networks (PCNs) in the North West that are setting up a social prescribing service, or want to make the one they have work better. It brings together what link workers, practice managers, GPs and community groups across the region have learned since the first link workers were funded through the Network Contract DES in 2019.

It is a living document: any member of the network can edit it. If something here no longer matches how things work in your area, change it and say why in the summary of your changes.

## Who this toolkit is for

- **PCN clinical directors and managers** deciding how to employ, host and supervise link workers.
- **Link workers, care coordinators and health and wellbeing coaches** starting in post.
- **Practice teams** (GPs, nurses, receptionists and care navigators) who make referrals.
- **Voluntary, community, faith and social enterprise (VCFSE) organisations** who receive them.
- **Commissioners** in integrated care boards and local authorities who fund the wider system.

## What social prescribing is

Social prescribing connects people to activities, groups and services in their community that meet the practical, social and emotional needs affecting their health and wellbeing. A link worker gives people time, typically six to twelve contacts over three months, to focus on *what matters to them* and to make a shared plan.

It is not a replacement for clinical care, and it is not signposting. The difference lies in the time taken, the personal plan, and the follow-up that checks whether the person actually got to the group and whether it helped.

People most often referred are those who:

1. are lonely or isolated, including carers;
2. have long-term conditions, or several of them;
3. need support with low-level mental health problems;
4. have complex social needs, such as debt, housing or employment problems, that affect their wellbeing;
5. frequently attend their GP practice or A&E without a clinical need that explains it.

## Setting up the service

Before the first link worker starts, agree across the PCN:

1. **Who employs and hosts them.** Direct employment by the PCN's lead practice is the most common arrangement; some PCNs subcontract to a local VCFSE organisation that already knows the community. Both work; what matters is that the host provides proper supervision.
2. **Where they sit.** Link workers need a desk in at least one practice, access to the clinical system to read and record, and a private room for first meetings. Home visits and community venues should be allowed from the start.
3. **How people are referred.** A single referral route for all practices in the PCN, through the clinical system, is far easier to keep track of than email and paper.
4. **What is recorded.** Agree the SNOMED codes for referral, declined referral and support completed, so that activity can be counted the same way in every practice (see Measuring impact, below).
5. **How the service is introduced.** A short session at each practice meeting, repeated after six months, does more than any leaflet.

### Recruiting link workers

Look for people who know the area and its communities, listen well, and are comfortable with uncertainty. Lived experience of the issues people bring, or of the communities the PCN serves, is a strength. A clinical background is not needed.

The [NHS England workforce development framework](https://www.england.nhs.uk/publication/social-prescribing-link-workers-reference-guide-and-technical-annex/) sets out the role, the competencies and the induction expected. Every new link worker should complete the online learning from the [Personalised Care Institute](https://www.personalisedcareinstitute.org.uk/) in their first three months.

### Supervision and wellbeing

Link workers hear difficult stories and hold risk. Each needs:

- a named **line manager** for day-to-day work and caseload;
- monthly **clinical supervision** from a GP or other clinician in the PCN, for safeguarding and for people whose health is deteriorating;
- regular **peer support**, such as the network's link worker forums (see [events](/events));
- a caseload they can manage: most PCNs find **between 200 and 250 people a year** per full-time link worker sustainable.

## Making referrals

Anyone in the practice team can refer, and people can refer themselves. Accept referrals from outside the practice too: pharmacies, housing officers, Jobcentre Plus, fire and rescue services and the voluntary sector all see people who would benefit.

The service is open to people **aged 16 and over** registered with a practice in the PCN. Younger people are referred to the children and young people's service run by the local authority.

A good referral says, in a sentence or two, why the person might benefit and what they have already agreed to. It does not need a diagnosis. Before referring, check that the person:

- knows what a link worker is and has agreed to be contacted;
- has given the best way and time to reach them;
- has said whether they need an interpreter, or any adjustments to take part.

### When not to refer

Social prescribing is not the right route for people in crisis or at risk of harm. Follow your practice's safeguarding and urgent mental health pathways first; a link worker can still support the person once they are safe.

## Working with the voluntary and community sector

Social prescribing only works if there is something good to refer people to. Link workers depend on community groups that are often small, unfunded and run by volunteers.

- **Map what exists** with your local council for voluntary service, and keep the directory up to date together. Share it through the network's [library](/library) so neighbouring PCNs can use it.
- **Visit groups before referring to them**, and go back from time to time.
- **Tell groups what to expect**: how many people, with what needs, and who to contact if something goes wrong.
- **Support the groups you rely on.** Some PCNs and ICBs fund a small grants scheme so that the groups receiving referrals can take more people; in our region, Salford and Wirral have both done this.

When a group has a waiting list or closes, say so at the next link worker forum so nobody keeps referring to it.

## Measuring impact

Decide at the start what the service will measure, and measure the same things in every practice. Most PCNs in the network record:

- **Activity**: referrals, people supported and people who completed support, by practice, counted from the SNOMED codes.
- **Wellbeing**: WEMWBS, or the shorter SWEMWBS, at the first meeting and at the end of support.
- **Loneliness**: the UCLA three-item scale, or the Campaign to End Loneliness measurement tool.
- **Activation**: the Patient Activation Measure (PAM), where the PCN holds a licence.
- **Use of services**: GP consultations and A&E attendances in the year before and the year after referral.

Outcome measures should be offered, not imposed: people can decline and still be supported.

The network's [evidence library](/evidence) holds evaluations of social prescribing schemes across England, and its [summary](/evidence/summary) shows what they found for each outcome. Before designing an evaluation of your own, look there for one that measured what you want to measure.

## Funding and commissioning

Link workers are funded through the Additional Roles Reimbursement Scheme (ARRS), which reimburses salary and on-costs up to a maximum for each role. It does not pay for supervision time, training, travel, equipment or the community activities people are referred to, so plan for these from the start.

Commissioners in integrated care boards and local authorities can help by:

- funding the **VCFSE infrastructure** that social prescribing relies on;
- paying for **evaluation** across several PCNs rather than each one alone;
- bringing **public health, housing and employment support** into the same referral routes.

The [business case template](/library?category=business_case) in this library shows how other PCNs have made the case to their boards.

## Information governance

Link workers are part of the practice team for the purpose of direct care, and can read and record in the clinical record with the person's agreement. Sharing information with community groups needs the person's explicit consent each time.

- Record consent to referral to each group in the clinical record.
- Share the least information the group needs to welcome the person: usually a name, a contact number and any adjustments.
- Never send clinical details to a community group by email.
- Check your data protection impact assessment covers link workers working from community venues and people's homes.

## A checklist for the first year

- Employment, hosting and supervision agreed across the PCN
- Referral route and SNOMED codes agreed with every practice
- Introduced at every practice meeting, and again six months on
- Local directory of groups mapped with the council for voluntary service
- Outcome measures chosen and recorded the same way everywhere
- Link worker forum and clinical supervision in every link worker's diary
- First-year review with practices, community groups and the people supported

## Further reading

- NHS England, [Social prescribing](https://www.england.nhs.uk/personalisedcare/social-prescribing/): the national programme, the role, and the reference guide.
- National Academy for Social Prescribing, [evidence and resources](https://socialprescribingacademy.org.uk/).
- The network's [glossary](/glossary): link worker, care navigator, health and wellbeing coach, and what each does.
- Other [toolkits in the library](/library?category=toolkit), including the toolkit for children and young people.
$toolkit$);

-- Each revision's text, from the first draft to the current one.
CREATE TEMP VIEW bench_doc_revision AS
SELECT d.id, v.number, v.title, v.body, v.author_name, v.created, v.summary
FROM bench_doc d, LATERAL (VALUES
 (1, 'Social prescribing toolkit',
  split_part(d.body, E'\n## Measuring impact', 1) || E'\n',
  'Bronwen Lloyd', timestamptz '2024-09-12 10:42:00+01',
  'First version'),
 (2, d.title,
  split_part(d.body, E'\n## Information governance', 1) || E'\n',
  'Emma Clarkson', timestamptz '2024-10-03 15:18:00+01',
  'Added measuring impact and funding, and a clearer title'),
 (3, d.title,
  replace(d.body, 'aged 16 and over', 'aged 18 and over'),
  'Deepa Venkatesh', timestamptz '2025-01-21 09:05:00+00',
  'Added information governance, the checklist and further reading'),
 (4, d.title, d.body,
  'Aisha Rahman', timestamptz '2025-03-14 14:27:00+00',
  'The service takes referrals from 16, not 18')
) AS v(number, title, body, author_name, created, summary);

INSERT INTO documents (id, origin, slug, title, category, tags, body,
    revision, updated)
SELECT d.id, n.id, 'social-prescribing-toolkit', d.title, 'toolkit',
    ARRAY['link workers', 'primary care networks', 'referrals',
    'evaluation'], d.body, 4, timestamptz '2025-03-14 14:27:00+00'
FROM bench_doc d, node n;

INSERT INTO document_revisions (document, number, title, body, author_name,
    created, summary)
SELECT id, number, title, body, author_name, created, summary
FROM bench_doc_revision ORDER BY number;

-- --- the glossary --------------------------------------------------------

-- The network's common words, which a document's page lists where its
-- text uses them: twenty-four terms, most of them with another name.
-- The toolkit uses some of them, as a real one would.
INSERT INTO glossary_terms (id, origin, term, definition, synonyms)
SELECT gen_random_uuid(), n.id, g.term, g.definition, g.synonyms
FROM node n, (VALUES
 ('Link worker', 'Someone who gives people time to talk about what matters to them and connects them to community groups and services. Employed by a primary care network or a voluntary organisation working with one.',
  ARRAY['social prescribing link worker', 'community connector']),
 ('Care coordinator', 'A member of the practice team who helps people with long-term conditions manage their care across services, with a personalised care and support plan.',
  '{}'::text[]),
 ('Care navigator', 'A receptionist or other practice staff member trained to point people to the right service at first contact, such as a pharmacist or a link worker instead of a GP.',
  ARRAY['active signposting']),
 ('Health and wellbeing coach', 'Someone who supports people to set their own goals and change their behaviour, often over several sessions, using health coaching techniques.',
  ARRAY['wellbeing coach']),
 ('Primary care network', 'A group of GP practices, usually serving 30,000 to 50,000 people, working together with community services. PCNs employ most link workers.',
  ARRAY['PCN']),
 ('Integrated care board', 'The NHS body that plans and funds health services for an area, together with local authorities and other partners in its integrated care system.',
  ARRAY['ICB']),
 ('VCFSE', 'The voluntary, community, faith and social enterprise sector: the charities, community groups, faith groups and social enterprises that people are referred to.',
  ARRAY['voluntary sector', 'third sector']),
 ('Council for voluntary service', 'A local organisation that supports voluntary and community groups in its area, and often keeps the directory of groups link workers use.',
  ARRAY['CVS']),
 ('Additional Roles Reimbursement Scheme', 'The scheme that reimburses primary care networks for the salaries of new roles, including link workers, care coordinators and health and wellbeing coaches.',
  ARRAY['ARRS']),
 ('Network Contract DES', 'The directed enhanced service through which primary care networks are funded and agree what they will provide, social prescribing among it.',
  ARRAY['DES']),
 ('Personalised care', 'Care in which people have choice and control over how their care is planned and delivered, based on what matters to them and their strengths and needs.',
  '{}'::text[]),
 ('What matters to me', 'The question at the heart of a link worker''s first conversation, and the plan that follows from it, rather than what is the matter with the person.',
  ARRAY['what matters to you']),
 ('Warm handover', 'Introducing someone in person to the group or service they are referred to, instead of giving them a leaflet or a phone number.',
  ARRAY['warm handoff']),
 ('Self-referral', 'When people contact the social prescribing service themselves, without a referral from a GP or anyone else.',
  '{}'::text[]),
 ('Frequent attender', 'Someone who sees their GP or attends A&E much more often than most people, often for reasons that are social as much as medical.',
  ARRAY['high intensity user']),
 ('WEMWBS', 'The Warwick-Edinburgh Mental Wellbeing Scale: fourteen statements about thoughts and feelings, scored from 14 to 70. SWEMWBS is its seven-item short form.',
  ARRAY['Warwick-Edinburgh Mental Wellbeing Scale', 'SWEMWBS']),
 ('Patient Activation Measure', 'A licensed questionnaire scoring how much knowledge, skill and confidence a person has to manage their own health, in four levels.',
  ARRAY['PAM']),
 ('UCLA loneliness scale', 'A short questionnaire measuring how often people feel they lack companionship, feel left out or feel isolated; the three-item version is the most used.',
  ARRAY['UCLA three-item scale']),
 ('SNOMED CT', 'The clinical terminology used in GP records. Agreed codes for referral and for support completed let social prescribing be counted across practices.',
  ARRAY['SNOMED']),
 ('Social return on investment', 'A way of valuing the social, economic and environmental changes a service brings, set against what it costs, usually given as pounds returned for each pound spent.',
  ARRAY['SROI']),
 ('Randomised controlled trial', 'A study in which people are allocated at random to receive the service or not, so that differences in outcome can be put down to the service.',
  ARRAY['RCT']),
 ('Green social prescribing', 'Social prescribing to nature-based activities, such as walking groups, community gardening and conservation volunteering.',
  ARRAY['green prescribing']),
 ('Clinical supervision', 'Regular protected time in which a link worker talks through difficult cases with a clinician, for safeguarding and their own wellbeing.',
  '{}'::text[]),
 ('Safeguarding', 'Protecting people''s right to live free from abuse and neglect. Link workers follow their employer''s safeguarding policy and raise concerns without delay.',
  '{}'::text[])
) AS g(term, definition, synonyms);

-- --- the rest of the library ---------------------------------------------

-- The other documents /library lists beside the toolkit: eleven shorter
-- ones across every category, each at its first revision, so the list
-- page groups twelve documents under five headings.
CREATE TEMP TABLE bench_library AS
SELECT gen_random_uuid() AS id, d.*
FROM (VALUES
 ('link-worker-induction-guide', 'Link worker induction guide', 'guide',
  ARRAY['link workers', 'induction'], timestamptz '2024-09-12 10:20:00+01'),
 ('referral-form-guide', 'Making a good referral: a guide for practice teams', 'guide',
  ARRAY['referrals', 'practice teams'], timestamptz '2024-11-05 16:02:00+00'),
 ('supervision-guide', 'Supervision and support for link workers', 'guide',
  ARRAY['link workers', 'supervision'], timestamptz '2025-01-08 09:45:00+00'),
 ('bolton-walking-groups', 'Bolton walking groups: from referral to volunteer leader', 'case_study',
  ARRAY['physical activity', 'volunteering'], timestamptz '2024-06-19 13:30:00+01'),
 ('wirral-carers-cafes', 'Wirral carers'' cafés', 'case_study',
  ARRAY['carers', 'loneliness'], timestamptz '2024-08-27 11:10:00+01'),
 ('rural-transport-cumbria', 'Getting there: community transport in rural Cumbria', 'case_study',
  ARRAY['rural', 'transport'], timestamptz '2025-02-03 15:55:00+00'),
 ('business-case-template', 'A business case for social prescribing: template', 'business_case',
  ARRAY['funding', 'evaluation'], timestamptz '2024-10-14 10:00:00+01'),
 ('business-case-gp-time', 'Freeing GP time: the business case in numbers', 'business_case',
  ARRAY['funding', 'GP consultations'], timestamptz '2025-02-20 12:40:00+00'),
 ('commissioning-vcfse-grants', 'Commissioning the groups link workers refer to', 'commissioning',
  ARRAY['commissioning', 'VCFSE'], timestamptz '2024-12-02 14:25:00+00'),
 ('outcomes-framework', 'An outcomes framework for commissioners', 'commissioning',
  ARRAY['commissioning', 'evaluation'], timestamptz '2025-03-03 09:15:00+00'),
 ('green-prescribing-toolkit', 'Green social prescribing toolkit', 'toolkit',
  ARRAY['green social prescribing', 'physical activity'], timestamptz '2025-01-29 11:50:00+00')
) AS d(slug, title, category, tags, updated);

INSERT INTO documents (id, origin, slug, title, category, tags, body,
    revision, updated)
SELECT l.id, n.id, l.slug, l.title, l.category, l.tags,
    l.title || E'\n\nWritten by members of the North West network for '
    || E'colleagues across the region. Change it when it no longer matches '
    || E'how things work in your area.\n\n## Why this matters\n\n'
    || E'People are referred to link workers for many reasons that are '
    || E'social as much as medical.\n\n## What to do\n\n'
    || E'- Talk to your supervisor first.\n- Keep a note of what was agreed.\n'
    || E'- Share what worked with the network.\n',
    1, l.updated
FROM bench_library l, node n;

INSERT INTO document_revisions (document, number, title, body, author_name,
    created, summary)
SELECT d.id, 1, d.title, d.body, 'Emma Clarkson', d.updated, 'First version'
FROM documents d JOIN bench_library l ON l.id = d.id;

DROP TABLE bench_library;

-- Refuse to go on unless the data is what tests/bench/knowledge.sh checks
-- for, and each revision really differs from the one before.
DO $$
DECLARE
	n integer;
BEGIN
	SELECT count(*) INTO n FROM evaluations WHERE NOT deleted;
	IF n <> 60 THEN
		RAISE EXCEPTION 'expected 60 evaluations, found %', n;
	END IF;
	SELECT count(*) INTO n FROM bench_saved WHERE revision IS NULL;
	IF n <> 0 THEN
		RAISE EXCEPTION '% evaluation saves were refused', n;
	END IF;
	IF (SELECT count(DISTINCT design) FROM evaluations) <> 6 OR
	    (SELECT count(DISTINCT region) FROM evaluations) <> 7 OR
	    (SELECT count(DISTINCT year) FROM evaluations) <> 11 OR
	    (SELECT count(DISTINCT outcome) FROM evaluation_outcomes) <> 8 OR
	    (SELECT count(DISTINCT direction) FROM evaluation_outcomes) <> 4 OR
	    EXISTS (SELECT FROM evaluations e WHERE (SELECT count(*)
	    FROM evaluation_outcomes o WHERE o.evaluation = e.id)
	    NOT BETWEEN 2 AND 6) THEN
		RAISE EXCEPTION 'evaluations do not cover every design, region, '
		    'year, outcome and finding with 2 to 6 outcomes each';
	END IF;
	SELECT count(*) INTO n FROM documents WHERE NOT deleted;
	IF n <> 12 OR (SELECT count(DISTINCT category) FROM documents) <> 5
	THEN
		RAISE EXCEPTION 'expected 12 documents in 5 categories, found %', n;
	END IF;
	SELECT count(*) INTO n FROM glossary_terms WHERE NOT deleted;
	IF n <> 24 THEN
		RAISE EXCEPTION 'expected 24 glossary terms, found %', n;
	END IF;
	IF EXISTS (SELECT FROM document_revisions a JOIN document_revisions b
	    ON b.document = a.document AND b.number = a.number + 1
	    WHERE a.body = b.body AND a.title = b.title) OR
	    (SELECT octet_length(body) FROM documents
	    WHERE slug = 'social-prescribing-toolkit') NOT BETWEEN 8192 AND 12288
	THEN
		RAISE EXCEPTION 'the toolkit is not 8-12 KB with four '
		    'different revisions';
	END IF;
END
$$;
