-- Demo library for one node: psql -v region=... -v slug=...
-- The social prescribing toolkit and the guides, case study, business case
-- and commissioning advice it links to, most with a few revisions by
-- different members, and the common glossary.  Revision authors are
-- matched to the demo members when members.sql ran first; the name is
-- kept on the revision either way, so the file also loads on its own.

-- What each document is, apart from its text.
CREATE TEMP TABLE demo_documents (
	slug		text PRIMARY KEY,
	category	text NOT NULL,
	tags		text[] NOT NULL,
	protected	boolean NOT NULL DEFAULT false
);

-- Every revision: who saved it, how many days ago, and why.
CREATE TEMP TABLE demo_revisions (
	slug		text NOT NULL,
	number		int NOT NULL,
	title		text NOT NULL,
	author		text NOT NULL,
	days_ago	int NOT NULL,
	summary		text NOT NULL,
	PRIMARY KEY (slug, number)
);

-- A revision's text is its sections in order, joined by blank lines.  A
-- section is in revisions first to last (last NULL: still there), so a
-- later revision can add a section, drop one or reword it without the
-- text being written out again for every revision.
CREATE TEMP TABLE demo_sections (
	slug		text NOT NULL,
	pos		int NOT NULL,
	first		int NOT NULL DEFAULT 1,
	last		int,
	body		text NOT NULL
);

-- A town for the regional case study: the hub's "region" is the nation.
CREATE TEMP TABLE demo_place (region text, place text);
INSERT INTO demo_place VALUES ('National', 'Leeds'),
 ('North West', 'Wigan'), ('London', 'Hackney'), ('South West', 'Bristol');

INSERT INTO demo_documents VALUES
 ('social-prescribing-toolkit', 'toolkit',
  '{toolkit,getting started,link workers}', false),
 ('referral-pathways', 'guide',
  '{referrals,primary care,self-referral}', false),
 ('setting-up-a-link-worker-service', 'guide',
  '{link workers,arrs,pcn,recruitment,supervision}', false),
 ('measuring-outcomes', 'guide',
  '{evaluation,outcomes,wemwbs,ons4,pam}', false),
 ('safeguarding-and-boundaries', 'guide',
  '{safeguarding,boundaries,lone working,supervision}', true),
 ('what-matters-conversations', 'guide',
  '{personalised care,conversations,link workers}', false),
 ('working-with-the-vcse-sector', 'guide',
  '{vcse,community groups,asset mapping,partnership}', false),
 ('case-study-{slug}', 'case_study',
  '{case study,green social prescribing,loneliness}', false),
 ('business-case-template', 'business_case',
  '{business case,roi,sroi,funding}', false),
 ('commissioning-social-prescribing', 'commissioning',
  '{commissioning,icb,contracts,vcse funding}', false);

INSERT INTO demo_revisions VALUES
 ('social-prescribing-toolkit', 1, 'Social prescribing toolkit',
  'Amara Okafor', 120, 'First version: the pages we have so far'),
 ('social-prescribing-toolkit', 2, 'Social prescribing toolkit',
  'Eilidh MacLeod', 75, 'Added the business case and commissioning pages'),
 ('social-prescribing-toolkit', 3, 'Social prescribing toolkit',
  'Farah Hussain', 30, 'Added working with the VCSE sector and the case study; shorter introduction'),

 ('referral-pathways', 1, 'Referral pathways', 'Kwame Mensah', 110,
  'First version'),
 ('referral-pathways', 2, 'Referral pathways into social prescribing',
  'Ben Hughes', 60, 'Added self-referral and referrals from outside the practice; recording the referral'),

 ('setting-up-a-link-worker-service', 1,
  'Setting up a link worker service', 'Laura Fitzgerald', 100,
  'First version'),
 ('setting-up-a-link-worker-service', 2,
  'Setting up a link worker service', 'Eilidh MacLeod', 70,
  'ARRS funding and the two employment models'),
 ('setting-up-a-link-worker-service', 3,
  'Setting up a link worker service', 'Amara Okafor', 20,
  'Supervision and caseload, from the link worker forum'),

 ('measuring-outcomes', 1, 'Measuring outcomes', 'Hannah Kowalski', 140,
  'First version'),
 ('measuring-outcomes', 2, 'Measuring outcomes', 'Dafydd Jones', 95,
  'Added ONS4 and when to use which measure'),
 ('measuring-outcomes', 3, 'Measuring outcomes: WEMWBS, ONS4 and PAM',
  'Tariq Aziz', 50, 'PAM licensing; what counts as a meaningful change'),
 ('measuring-outcomes', 4, 'Measuring outcomes: WEMWBS, ONS4 and PAM',
  'Laura Fitzgerald', 10,
  'Tips from link workers on asking the questions without it feeling like a form'),

 ('safeguarding-and-boundaries', 1, 'Safeguarding and boundaries',
  'Chloe Patel', 90, 'First version'),
 ('safeguarding-and-boundaries', 2,
  'Safeguarding and professional boundaries', 'Wei Zhang', 40,
  'Added escalation to the practice safeguarding lead and how to record concerns'),

 ('what-matters-conversations', 1,
  'First conversations: what matters to you', 'Amara Okafor', 65,
  'First version'),
 ('what-matters-conversations', 2,
  'First conversations: what matters to you', 'Jess Thompson', 8,
  'Added what it feels like from the other side of the table'),

 ('working-with-the-vcse-sector', 1,
  'Working with the voluntary and community sector', 'George Whitfield',
  55, 'First version'),
 ('working-with-the-vcse-sector', 2,
  'Working with the voluntary and community sector', 'Imran Sheikh', 12,
  'Added community asset mapping'),

 ('case-study-{slug}', 1,
  'Case study: green social prescribing in {place}', 'Farah Hussain', 45,
  'First version'),
 ('case-study-{slug}', 2,
  'Case study: green social prescribing in {place}', 'Olu Adeyemi', 15,
  'Added the six-month follow-up and what we would do differently'),

 ('business-case-template', 1, 'Business case template',
  'Priya Sharma', 85, 'First version'),
 ('business-case-template', 2,
  'Business case template for a link worker service', 'Eilidh MacLeod', 35,
  'Costs split into one-off and recurring; a warning on counting savings twice'),

 ('commissioning-social-prescribing', 1,
  'Commissioning social prescribing', 'Eilidh MacLeod', 80,
  'First version'),
 ('commissioning-social-prescribing', 2,
  'Commissioning social prescribing', 'Priya Sharma', 25,
  'Added funding the community groups people are referred to');

-- The toolkit: the index of the other pages.
INSERT INTO demo_sections VALUES
 ('social-prescribing-toolkit', 10, 1, 1, $$This toolkit brings together what members of the {region} social prescribing network have learnt about setting up, running, measuring and paying for social prescribing. It is written for GPs, practice managers, link workers, commissioners and the voluntary and community groups who make social prescribing work. Each page is kept up to date by members: if something is out of date or missing, edit it.$$),
 ('social-prescribing-toolkit', 10, 2, NULL, $$Practical guidance from members of the {region} social prescribing network on setting up, running, measuring and paying for social prescribing. Any member can improve these pages: if something is wrong or missing, edit it. A few agreed pages, such as safeguarding, are protected and changed by coordinators.$$),
 ('social-prescribing-toolkit', 20, 1, NULL, $$# Starting out

- [Setting up a link worker service](/library/setting-up-a-link-worker-service): employing link workers through a primary care network, supervision, caseload and the practical things that are easy to forget.
- [Referral pathways](/library/referral-pathways): who can refer, what a good referral contains, and how to record it.$$),
 ('social-prescribing-toolkit', 30, 1, NULL, $$# Working with people

- [First conversations: what matters to you](/library/what-matters-conversations): how a first meeting with a link worker can start from the person rather than the referral.
- [Safeguarding and professional boundaries](/library/safeguarding-and-boundaries): what to do when you are worried about someone, and keeping yourself safe.
- [Measuring outcomes](/library/measuring-outcomes): which wellbeing and activation measures to use (WEMWBS, ONS4, PAM), when, and what the results can and cannot tell you.$$),
 ('social-prescribing-toolkit', 40, 3, NULL, $$# Working with the community

- [Working with the voluntary and community sector](/library/working-with-the-vcse-sector): building relationships with the groups people are referred to, and community asset mapping.
- [Case study: green social prescribing in {place}](/library/case-study-{slug}): what one scheme in our region did, what it found and what it would change.$$),
 ('social-prescribing-toolkit', 50, 2, NULL, $$# Making the case and paying for it

- [Business case template](/library/business-case-template): a structure for a business case to your PCN or integrated care board, with the questions each section must answer.
- [Commissioning social prescribing](/library/commissioning-social-prescribing): advice for commissioners on contracts, outcomes and funding the voluntary sector.$$),
 ('social-prescribing-toolkit', 60, 1, NULL, $$# Words we use

Social prescribing has many names for the same things. The [glossary](/glossary) explains them in plain English, with the other names you may hear.$$);

INSERT INTO demo_sections VALUES
 ('referral-pathways', 10, 1, NULL, $$Social prescribing works best when anyone who meets a person who could benefit can refer them, and when the referral is quick to make. This page describes the routes in and what a link worker needs to know.$$),
 ('referral-pathways', 20, 1, NULL, $$# Who can refer

- GPs, practice nurses, pharmacists and other members of the practice team
- other roles in the primary care network, such as physiotherapists and health and wellbeing coaches
- reception and care navigation staff, using the practice's signposting protocol$$),
 ('referral-pathways', 21, 2, NULL, $$- adult social care, housing officers and the local authority's community teams
- hospital discharge teams, community mental health teams and midwives
- voluntary and community organisations, faith groups and libraries
- the person themselves, or a family member with their agreement (self-referral)

Self-referral matters: many people who would benefit most rarely see a GP. Make the route simple (a phone number, a short online form, a drop-in at the library) and publicise it where people already go.$$),
 ('referral-pathways', 30, 1, NULL, $$# Who social prescribing is for

Social prescribing suits people whose health is affected by things a prescription cannot fix: loneliness, low mood, money worries, housing problems, caring responsibilities or a long-term condition they are struggling to manage. It often helps people who see their GP frequently for reasons that are not mainly medical.

It is not a crisis service. Someone at risk of harm to themselves or others needs the urgent mental health pathway or safeguarding, not a referral. See [Safeguarding and professional boundaries](/library/safeguarding-and-boundaries).$$),
 ('referral-pathways', 40, 1, NULL, $$# Making a referral

1. Talk it through with the person. Explain what a link worker does and that it is voluntary.
2. Ask for their agreement to the referral and to sharing the information the link worker needs.
3. Send the referral: name, how and when to contact them, any language or access needs, and a sentence on why you are referring. Keep the form short; the link worker will find out the rest.
4. The link worker contacts the person, usually within five working days, and offers a first conversation of 45 to 60 minutes.
5. The link worker lets the referrer know the outcome: seen, declined, or could not be contacted.$$),
 ('referral-pathways', 50, 2, NULL, $$# Recording the referral

Record the referral in the clinical system with the SNOMED CT codes for social prescribing (offered, referred, declined) so that activity is counted the same way across the primary care network and reported consistently. Referrals from outside the practice should be recorded when the person is registered with a practice in the network.$$),
 ('referral-pathways', 60, 1, NULL, $$# Common problems

- **Referrals with no conversation first.** People who did not know they were referred rarely take up the offer.
- **Long waits.** If the wait is more than a few weeks, tell referrers and the person; a quick call to say when they will be seen keeps people engaged.
- **No feedback.** Referrers stop referring when they never hear what happened.$$);

INSERT INTO demo_sections VALUES
 ('setting-up-a-link-worker-service', 10, 1, NULL, $$A practical checklist for a primary care network setting up a social prescribing link worker service for the first time, or reviewing one that has grown without a plan.$$),
 ('setting-up-a-link-worker-service', 20, 2, NULL, $$# Funding and employment

Most link workers in England are funded through the Additional Roles Reimbursement Scheme (ARRS), which reimburses the primary care network for the salary of the role. Check the current rules and reimbursement limits in the Network Contract DES each year.

There are two common employment models:

- **The PCN (or one of its practices) employs the link worker directly.** Closer integration with the practice team and clinical system; the PCN carries employment responsibilities and must arrange supervision and peer support.
- **The PCN sub-contracts a voluntary sector or local authority provider.** The provider brings community knowledge, management and peer support from a team of link workers; the contract must cover access to the clinical system, information sharing and a named clinical contact in the practice.

Whichever model you choose, budget for the costs that are not salary: training, supervision, travel, equipment and a small fund for activities.$$),
 ('setting-up-a-link-worker-service', 30, 1, NULL, $$# Before the link worker starts

1. Agree who the service is for first: for example people who are lonely, people with long-term conditions, or carers. A service for everyone is hard to explain to referrers.
2. Write the job description with the practice team and a local voluntary organisation.
3. Arrange a room where people can talk privately, a phone, a laptop and access to the clinical system.
4. Agree the referral route and form (see [Referral pathways](/library/referral-pathways)).
5. Name a GP or senior clinician as the link worker's clinical contact, and a line manager.
6. Introduce the link worker at a practice meeting in each practice, and to local community groups.$$),
 ('setting-up-a-link-worker-service', 40, 1, NULL, $$# Induction and training

In the first months a link worker needs time to get to know the community and the practices before taking a full caseload. Include the national social prescribing e-learning, the practice's safeguarding training, information governance, and visits to the groups and services people will be referred to.$$),
 ('setting-up-a-link-worker-service', 50, 3, NULL, $$# Supervision and caseload

Link workers hear difficult stories and work alone much of the time. Members of our link worker forum recommend:

- monthly one-to-one supervision with someone who understands the role, separate from line management;
- regular peer support with other link workers, across the PCN or the region;
- a caseload that leaves time for community work as well as one-to-one support. NHS England's guidance has suggested no more than about 250 people a year for a full-time link worker; agree a lower figure if most referrals are complex;
- a limit on the number of sessions with each person (six to twelve is common), with room to go further when it is needed.$$),
 ('setting-up-a-link-worker-service', 60, 1, NULL, $$# Keeping track

Decide from the start what you will count and measure, so the service can show what it does. See [Measuring outcomes](/library/measuring-outcomes).$$);

INSERT INTO demo_sections VALUES
 ('measuring-outcomes', 10, 1, NULL, $$Commissioners, practices and the people who use social prescribing all want to know whether it helps. This page suggests a small set of measures that are quick to use, well tested and comparable across the network.$$),
 ('measuring-outcomes', 20, 1, NULL, $$# What to measure

Most schemes in the network measure three things:

1. **Wellbeing**, with WEMWBS or its short version SWEMWBS, or the ONS4 questions.
2. **Confidence to manage one's own health**, with the Patient Activation Measure (PAM), where the service has a licence.
3. **Use of services**, such as GP consultations in the six months before and after referral, taken from the clinical system.

Add what people tell you in their own words: short case studies often persuade more than numbers.$$),
 ('measuring-outcomes', 30, 1, NULL, $$# WEMWBS and SWEMWBS

The Warwick-Edinburgh Mental Wellbeing Scale has 14 positively worded statements about the last two weeks, such as "I've been feeling useful", each scored from 1 to 5. Totals run from 14 to 70; higher is better. The short version (SWEMWBS) has seven statements and is converted to a metric score with a published table. Both are free for non-commercial use, but you must register to use them.$$),
 ('measuring-outcomes', 40, 2, NULL, $$# ONS4

The Office for National Statistics asks four questions, each answered from 0 to 10:

- Overall, how satisfied are you with your life nowadays?
- Overall, to what extent do you feel that the things you do in your life are worthwhile?
- Overall, how happy did you feel yesterday?
- Overall, how anxious did you feel yesterday?

Report the four answers separately rather than adding them up, and remember that for anxiety a lower score is better. National figures from the Annual Population Survey give a useful comparison.$$),
 ('measuring-outcomes', 50, 1, 2, $$# Patient Activation Measure

PAM has 13 statements about a person's knowledge, skills and confidence to manage their own health, giving a score from 0 to 100 and one of four levels.$$),
 ('measuring-outcomes', 50, 3, NULL, $$# Patient Activation Measure

PAM has 13 statements about a person's knowledge, skills and confidence to manage their own health, giving a score from 0 to 100 and one of four levels. It is a licensed tool: check whether your integrated care board or PCN has access before you plan to use it. People at levels 1 and 2 often benefit from more support before they are ready to join a group.$$),
 ('measuring-outcomes', 60, 2, NULL, $$# Which measure when

- Use **SWEMWBS** as the standard wellbeing measure: it is short and most schemes in the network use it, so results can be compared.
- Use **ONS4** when you want to compare with national figures, or when a funder asks for it.
- Use **PAM** when the service is mainly about helping people with long-term conditions manage their health.
- Ask at the first or second meeting, once the person is settled, and again at the end of support or after three months, always with the same measure.$$),
 ('measuring-outcomes', 70, 3, NULL, $$# Meaningful change

A change of about 3 points on WEMWBS, or 1 to 3 points on the SWEMWBS metric score, is often taken as meaningful for an individual. For a group, report the average change with its confidence interval and the number of people who completed both measures, not only those who did best.$$),
 ('measuring-outcomes', 80, 1, NULL, $$# What the results can and cannot show

A before-and-after comparison shows that people's wellbeing changed, not that social prescribing caused the change: people are often referred at a low point and improve anyway. Stronger evidence needs a comparison group, as in a quasi-experimental study, or a randomised controlled trial. If you want to go that far, talk to a university partner early; several are members of the network.$$),
 ('measuring-outcomes', 90, 4, NULL, $$# Asking the questions well

Link workers in the network suggest:

- explain why you are asking and that the answers help keep the service funded;
- never start the first conversation with a questionnaire: build trust first;
- offer to read the statements aloud, and use a version in the person's language where one exists;
- record the scores in the clinical system straight away, with the date.$$),
 ('measuring-outcomes', 100, 1, NULL, $$# Data protection

Scores are health information. Record them in the clinical system or a system covered by a data protection impact assessment, share them only in anonymised or aggregated form, and tell people how their answers will be used.$$);

INSERT INTO demo_sections VALUES
 ('safeguarding-and-boundaries', 10, 1, NULL, $$Link workers spend time with people when things are hard, often alone and sometimes in people's homes. This page sets out what to do when you are worried about someone, and how to keep the relationship safe for both of you. It does not replace your employer's policies.$$),
 ('safeguarding-and-boundaries', 20, 1, NULL, $$# If you are worried about someone

- **Someone is in immediate danger:** call 999.
- **Someone may harm themselves:** do not leave it until the next appointment. Speak to the duty GP the same day, or help the person contact the local urgent mental health line (in England, NHS 111 and choose the mental health option).
- **An adult may be experiencing abuse or neglect:** follow your organisation's adult safeguarding procedure. Under the Care Act 2014 concerns go to the local authority, usually through the practice safeguarding lead.
- **A child may be at risk:** follow the children's safeguarding procedure without delay, even if the child is not the person you are supporting.

Wherever you can, talk to the person about your concern and what you are going to do, in line with Making Safeguarding Personal.$$),
 ('safeguarding-and-boundaries', 30, 2, NULL, $$# Escalating and recording

1. Know who your practice safeguarding lead is, and who covers when they are away.
2. Raise the concern the same day. If you are not sure whether something is a safeguarding matter, ask: that is what the lead is for.
3. Record what you saw and heard, in the person's words where possible, what you did and who you told, with the date and time.
4. Follow up: check the concern was received and acted on.$$),
 ('safeguarding-and-boundaries', 40, 1, NULL, $$# Professional boundaries

- Be clear at the start about what you can offer, for how long, and when you will share information.
- Use a work phone and work email; do not connect with people on personal social media.
- Follow your organisation's policy on gifts. Small thank-yous are usually fine if declared; money is not.
- In small communities you may know the people you support. Tell your manager, and agree whether a colleague should work with them instead.
- Plan endings from the first meeting. A good ending leaves the person connected to people and groups who will still be there.$$),
 ('safeguarding-and-boundaries', 50, 1, NULL, $$# Lone working

Home visits and community visits need a risk assessment and a way for a colleague to know where you are and when you are due back. Meet in a public place if you have any doubt. Your own safety always comes first: leave if you feel unsafe.$$),
 ('safeguarding-and-boundaries', 60, 1, NULL, $$# Looking after yourself

Regular supervision is part of the job, not a sign of struggling. Talk about the cases that stay with you.$$);

INSERT INTO demo_sections VALUES
 ('what-matters-conversations', 10, 1, NULL, $$The first meeting with a link worker sets the tone for everything after it. A what matters to you conversation starts from the person's own priorities rather than the reason they were referred.$$),
 ('what-matters-conversations', 20, 1, NULL, $$# Before you meet

Read the referral, but do not let it set the agenda. Offer a choice of place: the surgery, a café, a community centre, a phone or video call, or the person's home.$$),
 ('what-matters-conversations', 30, 1, NULL, $$# Questions that open things up

- What matters to you at the moment?
- What does a good day look like for you? What gets in the way?
- What did you use to enjoy doing?
- Who do you have around you?
- If one thing could change in the next few months, what would you want it to be?$$),
 ('what-matters-conversations', 40, 1, NULL, $$# Agreeing next steps

Write down together, in the person's own words, what they want to work on and the first small step. This is the start of a personalised care and support plan. Offer to go with them to the first session of a group, or to introduce them by phone: a warm handover makes it far more likely they will go.$$),
 ('what-matters-conversations', 50, 2, NULL, $$# From the other side of the table

"I had been to the doctor six times that winter. When the link worker asked what mattered to me, nobody had asked that in years. I said I missed singing. Three weeks later I went to a community choir with her, and I still go every Tuesday."

People who have used social prescribing in our region say what helped was: not being rushed, being asked rather than told, and someone checking in after the first visit to a group.$$);

INSERT INTO demo_sections VALUES
 ('working-with-the-vcse-sector', 10, 1, NULL, $$Social prescribing is only as good as the community activities and support people are connected to. Most of them are run by the voluntary, community and social enterprise (VCSE) sector, many by volunteers on small grants. This page is about working with them as partners.$$),
 ('working-with-the-vcse-sector', 20, 2, NULL, $$# Know what is there

Community asset mapping means finding out what a place already has: groups, venues, skills, green spaces, faith communities, local businesses and people willing to help. Do it with residents and local groups, not only from a desk. Walk the area, ask people where they go, and record what you find somewhere others can use it. Keep the map up to date: groups change often.$$),
 ('working-with-the-vcse-sector', 30, 1, NULL, $$# Build relationships

- Visit groups before referring anyone to them, and meet the people who run them.
- Ask how many new people they can welcome, and how they would like to be contacted.
- Invite VCSE organisations to PCN meetings and to the network's regional events.$$),
 ('working-with-the-vcse-sector', 40, 1, NULL, $$# Checking a group is suitable

Be proportionate. A small peer support group needs to be welcoming and safe, not to have the policies of a large charity. For groups you refer to regularly, check that they have a named contact, a simple safeguarding policy, appropriate insurance, and DBS checks where volunteers work alone with adults at risk.$$),
 ('working-with-the-vcse-sector', 50, 1, NULL, $$# Referrals without resources

Every referral adds to the work of a group. If groups are full, or closing for lack of money, tell your PCN and commissioners: the evidence you collect about demand is what makes the case for funding them. See [Commissioning social prescribing](/library/commissioning-social-prescribing).$$);

INSERT INTO demo_sections VALUES
 ('case-study-{slug}', 10, 1, NULL, $$A primary care network in {place} worked with the local wildlife trust, a community garden and the council's parks team to offer nature-based activities to people referred by its link workers.$$),
 ('case-study-{slug}', 20, 1, NULL, $$# The scheme

- **Who:** adults who were lonely, had low mood or anxiety, or a long-term condition, referred by link workers in six practices.
- **What:** a twelve-week programme of weekly sessions: guided walks, conservation volunteering and gardening, with a volunteer buddy for the first visits.
- **How it was paid for:** a one-year grant from the integrated care board's health inequalities fund, with the wildlife trust contributing staff time.$$),
 ('case-study-{slug}', 30, 1, NULL, $$# What happened

- 86 people were referred and 64 came to at least one session.
- 49 completed the programme; most who left early did so in the first three weeks.
- Among the 49, the average SWEMWBS metric score rose from 19.6 to 22.4.
- Half of those who completed now volunteer with the wildlife trust or the garden.

There was no comparison group, so these figures show change, not what caused it.$$),
 ('case-study-{slug}', 40, 2, NULL, $$# Six months on

Of the 49 who completed, 31 answered the questionnaire again after six months; their average score was 22.1, so most of the gain had lasted. Several said the walking group had become their main way of seeing people.$$),
 ('case-study-{slug}', 50, 1, NULL, $$# What worked

- The volunteer buddy: people said they would not have gone alone the first time.
- Transport: a minibus from two estates with poor bus links.
- Sessions that ran all year round, with indoor options in bad weather.$$),
 ('case-study-{slug}', 60, 2, NULL, $$# What we would do differently

- Ask about wellbeing at the first session, not at referral, so fewer people are missing a starting score.
- Reach people in the most deprived neighbourhoods earlier: they were under-represented among referrals in the first six months.
- Agree longer funding from the start; the uncertainty made it hard to keep staff.$$),
 ('case-study-{slug}', 70, 1, NULL, $$*An illustrative example written for the {region} demonstration network: the scheme and its figures are not from a real evaluation.*$$);

INSERT INTO demo_sections VALUES
 ('business-case-template', 10, 1, NULL, $$A structure for a business case for a link worker service or a social prescribing scheme, to a primary care network, an integrated care board or a local authority. Replace the prompts in square brackets. Keep the whole case to a few pages; put detail in appendices.$$),
 ('business-case-template', 20, 1, NULL, $$# 1. Summary

[In five sentences: the problem, what you propose, what it costs, what it will achieve and what you are asking for.]$$),
 ('business-case-template', 30, 1, NULL, $$# 2. The need

[Local figures: the population, deprivation, loneliness, long-term conditions, frequent attendance at the GP. The local public health team and published profiles such as Fingertips are good sources. Say which groups you will focus on, for example those in Core20PLUS5.]$$),
 ('business-case-template', 40, 1, NULL, $$# 3. What we propose

[The service: who it is for, how people are referred, how many link workers, who employs them, how it links with the voluntary and community sector.]$$),
 ('business-case-template', 50, 1, NULL, $$# 4. Evidence

[What is known from published evaluations and from schemes in the network. Be honest about the strength of the evidence: most evaluations are before-and-after studies without a comparison group.]$$),
 ('business-case-template', 60, 1, 1, $$# 5. Costs

[Salaries with on-costs, supervision, training, travel, equipment, management, and funding for the community activities people will be referred to.]$$),
 ('business-case-template', 60, 2, NULL, $$# 5. Costs

**Recurring, each year:** [salaries with on-costs, supervision, training, travel, management, and funding for the community activities people will be referred to.]

**One-off:** [recruitment, equipment, setting up the referral route and the directory of local activities.]$$),
 ('business-case-template', 70, 1, NULL, $$# 6. Benefits

[Outcomes for people: wellbeing, confidence, connection. Outcomes for services: GP time released, fewer attendances. If you give a return on investment, show how it was worked out: (benefits − costs) ÷ costs. A social return on investment (SROI) ratio values wider outcomes too; say which financial proxies were used.]$$),
 ('business-case-template', 75, 2, NULL, $$> **Be careful with savings.** GP appointments that are not needed are usually filled by other patients, so they release capacity rather than cash. Count a saving once: not both as GP time and as a reduction in the practice's costs.$$),
 ('business-case-template', 80, 1, NULL, $$# 7. Risks

[For example: recruitment, too few referrals, community groups unable to take more people, short-term funding. For each, what you will do about it.]$$),
 ('business-case-template', 90, 1, NULL, $$# 8. Measuring success

[The measures you will use and when, who collects them and when you will report.] The network's guide to [measuring outcomes](/library/measuring-outcomes) suggests a small set.$$),
 ('business-case-template', 100, 1, NULL, $$# 9. What we are asking for

[The money, for how long, and any other support, such as access to data or space in practices.]$$);

INSERT INTO demo_sections VALUES
 ('commissioning-social-prescribing', 10, 1, NULL, $$Advice for commissioners in integrated care boards, local authorities and primary care networks, drawn from what has worked across the network.$$),
 ('commissioning-social-prescribing', 20, 1, NULL, $$# Principles

1. **Commission with people, not only for them.** Involve people who have used social prescribing, and the VCSE sector, in designing the service.
2. **Commission for outcomes, measured proportionately.** Agree a small shared set of measures (see [Measuring outcomes](/library/measuring-outcomes)) rather than long monitoring forms.
3. **Give it time.** Contracts of three years or more let providers recruit and keep staff, and let the service build trust in the community.
4. **Target inequalities.** Make sure referrals reach the people with the worst health, for example through Core20PLUS5, and check who is and is not being referred.$$),
 ('commissioning-social-prescribing', 30, 1, NULL, $$# What a service specification should cover

- who the service is for and how people are referred, including self-referral;
- caseload, the number and length of sessions, and response times;
- supervision, training and peer support for link workers;
- information sharing and access to clinical systems;
- the outcome measures and how often they are reported;
- how the service will work with community groups, and feed back gaps in local provision.$$),
 ('commissioning-social-prescribing', 40, 2, NULL, $$# Fund what people are referred to

A link worker service without community activities to refer to becomes a signposting service to groups that are full. Set aside part of the budget for the VCSE sector: small grants with simple applications, not competitive tenders that small groups cannot enter. Pooling funding with the local authority and public health helps.$$),
 ('commissioning-social-prescribing', 50, 1, NULL, $$# Working across the system

Social prescribing touches primary care, social care, public health, housing and the voluntary sector. The integrated care partnership is a good place to agree a shared approach, so that link workers employed by different organisations work to the same standards and the same directory of local support.$$);

-- The node's region and name go in where the texts mark them.
UPDATE demo_documents SET slug = replace(slug, '{slug}', :'slug');
UPDATE demo_documents SET tags = tags || lower(:'region')
WHERE category = 'case_study';
UPDATE demo_revisions SET slug = replace(slug, '{slug}', :'slug');
UPDATE demo_sections SET slug = replace(slug, '{slug}', :'slug');

CREATE TEMP TABLE demo_texts AS
SELECT r.slug, r.number, r.title, r.author, r.days_ago, r.summary,
    string_agg(s.body, E'\n\n' ORDER BY s.pos) AS body
FROM demo_revisions r
JOIN demo_sections s ON s.slug = r.slug AND r.number >= s.first
    AND (s.last IS NULL OR r.number <= s.last)
GROUP BY r.slug, r.number, r.title, r.author, r.days_ago, r.summary;

UPDATE demo_texts t SET
    title = replace(t.title, '{place}', p.place),
    body = replace(replace(replace(t.body, '{place}', p.place),
        '{region}', :'region'), '{slug}', :'slug')
FROM (SELECT coalesce((SELECT place FROM demo_place
    WHERE region = :'region'), :'region') AS place) p;

-- The demo member of that name, when members.sql made one.
CREATE TEMP VIEW demo_author AS
	SELECT m.name, min(a.id) AS account
	FROM members m JOIN accounts a ON a.member = m.id
	WHERE a.status = 'active' AND NOT m.deleted
	GROUP BY m.name;

-- The row holds the current (highest) revision, as a save leaves it.
INSERT INTO documents (id, origin, slug, title, category, tags, protected,
    revision, version, body, created_by, updated)
SELECT gen_random_uuid(), (SELECT id FROM node), c.slug, c.title,
    d.category, d.tags, d.protected, c.number, c.number, c.body,
    (SELECT w.account FROM demo_texts f JOIN demo_author w
     ON w.name = f.author WHERE f.slug = c.slug AND f.number = 1),
    now() - make_interval(days => c.days_ago)
FROM (SELECT DISTINCT ON (slug) * FROM demo_texts
    ORDER BY slug, number DESC) c
JOIN demo_documents d ON d.slug = c.slug;

INSERT INTO document_revisions (document, number, title, body, author,
    author_name, created, summary)
SELECT d.id, t.number, t.title, t.body, w.account, t.author,
    now() - make_interval(days => t.days_ago),
    t.summary
FROM demo_texts t
JOIN documents d ON d.slug = t.slug
LEFT JOIN demo_author w ON w.name = t.author;

-- The glossary: the words a newcomer to social prescribing meets, in
-- plain English, with the other names each goes by in the network.
INSERT INTO glossary_terms (id, origin, term, definition, synonyms,
    updated)
SELECT gen_random_uuid(), (SELECT id FROM node), g.term, g.definition,
    g.synonyms, now() - make_interval(days => 100 - g.n)
FROM (VALUES
 (1, 'Link worker',
  $$Someone who gives people time to talk about what matters to them and connects them to community groups, activities and services for practical and emotional support, such as debt advice, a walking group or befriending. Most are employed by primary care networks or by voluntary organisations working for them. Job titles vary from place to place; in some practices "care navigator" means reception staff who signpost patients, which is a lighter-touch role.$$,
  ARRAY['social prescribing link worker', 'care navigator',
  'community connector', 'social prescriber']),
 (2, 'Health champion',
  $$A volunteer, often from the community they serve, who passes on health information and encourages neighbours, colleagues or members of a group to use services and local activities. Health champions often work alongside link workers but do not hold a caseload, and the two are different roles.$$,
  ARRAY['community health champion', 'wellbeing champion']),
 (3, 'Social prescribing',
  $$A way for GPs, nurses and other professionals, or people themselves, to connect people to non-medical support in their community, such as groups, activities and advice, to improve their health and wellbeing. A link worker usually makes the connection, starting from what matters to the person.$$,
  ARRAY['community referral']),
 (4, 'Personalised care',
  $$NHS England's model, set out in Universal Personalised Care (2019), in which people have choice and control over how their care is planned and delivered, based on what matters to them and their strengths and needs. Social prescribing is one of its six parts, with shared decision making, personalised care and support planning, choice, supported self-management and personal health budgets.$$,
  ARRAY['Universal Personalised Care',
  'comprehensive model of personalised care']),
 (5, 'Primary Care Network',
  $$A group of GP practices, usually serving 30,000 to 50,000 people, working together and with community, mental health, social care and voluntary services. Primary care networks were set up in England in 2019 and employ most social prescribing link workers.$$,
  ARRAY['PCN']),
 (6, 'Additional Roles Reimbursement Scheme',
  $$The scheme through which NHS England reimburses primary care networks for the salaries of additional roles, including social prescribing link workers, health and wellbeing coaches and care coordinators. It started in 2019 as part of the primary care network contract (the Network Contract DES).$$,
  ARRAY['ARRS']),
 (7, 'Voluntary, community and social enterprise sector',
  $$Charities, community groups, faith groups, social enterprises and mutual aid groups. Most of the activities people are referred to by link workers are run by this sector, often by volunteers on small grants.$$,
  ARRAY['VCSE', 'VCS', 'voluntary sector', 'third sector']),
 (8, 'Warwick-Edinburgh Mental Wellbeing Scale',
  $$A questionnaire of 14 positively worded statements about the last two weeks, such as "I've been feeling optimistic about the future", each scored from 1 to 5, giving a total from 14 to 70. Higher scores mean better mental wellbeing. Free for non-commercial use once registered.$$,
  ARRAY['WEMWBS']),
 (9, 'Short Warwick-Edinburgh Mental Wellbeing Scale',
  $$The seven-statement version of WEMWBS, scored from 7 to 35 and usually converted to a metric score with a published table. It is quicker to complete, so it is the most common wellbeing measure in social prescribing.$$,
  ARRAY['SWEMWBS']),
 (10, 'ONS4 personal wellbeing questions',
  $$Four questions the Office for National Statistics uses to measure personal wellbeing: how satisfied you are with your life, how worthwhile the things you do feel, how happy you felt yesterday and how anxious you felt yesterday, each answered from 0 to 10. National figures allow comparison. Report the four answers separately; for anxiety, lower is better.$$,
  ARRAY['ONS4', 'ONS-4', 'ONS personal wellbeing']),
 (11, 'Patient Activation Measure',
  $$A licensed questionnaire of 13 statements that measures a person's knowledge, skills and confidence to manage their own health, giving a score from 0 to 100 and one of four levels of activation. Often used by health and wellbeing coaches.$$,
  ARRAY['PAM']),
 (12, 'Social return on investment',
  $$A way of putting a money value on the social, environmental and economic outcomes of an activity, often reported as a ratio such as £3 of social value for every £1 spent. Results depend heavily on the financial proxies chosen, so read how they were made before comparing ratios.$$,
  ARRAY['SROI']),
 (13, 'Return on investment',
  $$The financial benefit of a service compared with its cost, usually (benefits − costs) ÷ costs. In health, the benefits are often staff time released or appointments avoided rather than cash that can be taken out of a budget.$$,
  ARRAY['ROI']),
 (14, 'Randomised controlled trial',
  $$A study that decides at random who receives a service and who does not (or receives it later), so that differences in outcomes can be put down to the service. It is the strongest design for showing cause and effect, but hard to run for support in the community.$$,
  ARRAY['RCT', 'randomized controlled trial']),
 (15, 'Quasi-experimental study',
  $$A study that compares people who received a service with a similar group who did not, without deciding at random who gets it: for example, matched patients from practices without a link worker. Stronger evidence than a simple before-and-after comparison, weaker than a randomised controlled trial.$$,
  ARRAY['quasi-experimental design', 'matched comparison study']),
 (16, 'Before-and-after study',
  $$A study that measures people at the start and end of support, with no comparison group. It shows whether things changed, not whether the service caused the change: people referred at a low point often improve anyway.$$,
  ARRAY['pre-post study', 'uncontrolled before-and-after study']),
 (17, 'What matters to you conversation',
  $$An open conversation that starts from the person's own priorities rather than their diagnosis: asking "What matters to you?" rather than "What is the matter with you?". It is how a link worker's first meeting usually begins.$$,
  ARRAY['what matters to me', 'what matters conversation']),
 (18, 'Community asset mapping',
  $$Finding and recording what a community already has, such as groups, venues, skills, green spaces, local businesses and people willing to help, so that link workers and residents can use it and the gaps can be seen. Best done with residents rather than from a desk.$$,
  ARRAY['asset mapping', 'community mapping']),
 (19, 'Green social prescribing',
  $$Social prescribing to activities in nature, such as walking groups, community gardening and conservation volunteering; blue social prescribing means activities in or by water. A national test and learn programme ran in seven areas of England from 2021 to 2023.$$,
  ARRAY['green prescribing', 'nature on prescription',
  'blue social prescribing']),
 (20, 'Health inequalities',
  $$Unfair and avoidable differences in health between groups of people, for example by deprivation, ethnicity, disability or where they live. Social prescribing can narrow them or widen them, depending on who is referred and who takes part.$$,
  ARRAY['health inequities', 'health disparities']),
 (21, 'Core20PLUS5',
  $$NHS England's approach to reducing health inequalities. Core20 is the most deprived 20% of the population; PLUS are groups each area chooses, such as people experiencing homelessness or unpaid carers; 5 are five clinical areas for adults: maternity, severe mental illness, chronic respiratory disease, early cancer diagnosis and finding high blood pressure. A version for children and young people followed.$$,
  '{}'::text[]),
 (22, 'Integrated care board',
  $$The NHS body that plans and pays for most NHS services in an area of England. Integrated care boards replaced clinical commissioning groups in July 2022.$$,
  ARRAY['ICB']),
 (23, 'Integrated care system',
  $$The partnership of the NHS, local authorities, the voluntary and community sector and others in an area, working together to plan services and improve health. Each has an integrated care board and an integrated care partnership.$$,
  ARRAY['ICS']),
 (24, 'Health and wellbeing coach',
  $$A role, also funded through the Additional Roles Reimbursement Scheme, that helps people with long-term conditions set their own goals and build the confidence to manage their health. Coaches and link workers often work together, but the roles are different.$$,
  ARRAY['health coach']),
 (25, 'Personalised care and support plan',
  $$A plan made with the person, in their own words, of what matters to them, what they want to work on and the support they will have. Link workers and health and wellbeing coaches often start one.$$,
  ARRAY['PCSP', 'care and support plan']),
 (26, 'Warm handover',
  $$Introducing someone to a group or service in person or in a three-way call, instead of giving them a leaflet or a phone number. It makes it much more likely that they will go.$$,
  ARRAY['warm referral', 'accompanied referral']),
 (27, 'Co-production',
  $$Designing and running services together with the people who use them, as equal partners, rather than consulting them once decisions are made.$$,
  ARRAY['coproduction']),
 (28, 'Making Every Contact Count',
  $$An approach that encourages everyone who works with the public to use everyday conversations to support people to make healthier choices, and to know where to point them for help.$$,
  ARRAY['MECC'])
) AS g(n, term, definition, synonyms);
