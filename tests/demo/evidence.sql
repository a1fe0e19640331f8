-- Demo evaluations for one node: psql -v region=... -v part=K -v parts=N
-- In a demo network of N nodes each loads its own part (K from 0), so the
-- network as a whole holds each evaluation once; a lone node loads all
-- (part=0, parts=1).
-- Fourteen evaluations of social prescribing schemes, of every study
-- design, from 2016 to 2025 and across the regions; those marked local
-- took place in this node's own region.  The findings are not all good
-- news: some outcomes did not change, some were mixed and one got worse,
-- as in real evidence.  Every scheme, place, person and figure here is
-- invented for the demo and describes no real study.
-- Each is saved through acorn_evaluation_save, as the pages save them,
-- so each has its first revision; one was later corrected, so it has two.

CREATE TEMP TABLE demo_evaluation (
	n	integer PRIMARY KEY,
	id	uuid NOT NULL DEFAULT gen_random_uuid(),
	local	boolean NOT NULL,
	record	jsonb NOT NULL
);

INSERT INTO demo_evaluation (n, local, record) VALUES
(1, false, '{
 "title": "Green prescribing for adults with low mood: a randomised controlled trial",
 "scheme": "Brightwater Green Prescribing", "area": "Teesside",
 "region": "North East and Yorkshire", "year": 2023, "design": "rct",
 "sample_size": 412, "follow_up": 12,
 "summary": "Adults with mild to moderate low mood were randomised to twelve weeks of guided walking and conservation work or to usual GP care. Wellbeing and mood improved more in the green prescribing group; GP appointments did not differ.",
 "outcomes": [
  {"outcome": "gp_consultations", "measure": "GP appointments in 12 months", "direction": "no_change", "figure": "-0.4 appointments, not significant"},
  {"outcome": "wellbeing", "measure": "WEMWBS", "direction": "improved", "figure": "+3.2 points against usual care"},
  {"outcome": "anxiety_depression", "measure": "PHQ-9", "direction": "improved", "figure": "-1.8 points against usual care"},
  {"outcome": "cost_roi", "measure": "Cost per QALY gained", "direction": "improved", "figure": "£11,900 per QALY gained"}]}'),
(2, true, '{
 "title": "Link worker support for people with long-term conditions: a pragmatic randomised trial",
 "scheme": "Kestrel Link Worker Service", "area": "Four primary care networks",
 "year": 2024, "design": "rct", "sample_size": 586, "follow_up": 12,
 "summary": "Patients with two or more long-term conditions were offered up to six sessions with a link worker, or usual care. Patient activation rose; wellbeing improved at six months but the difference had gone by twelve; loneliness, GP and A&E use did not change.",
 "outcomes": [
  {"outcome": "gp_consultations", "measure": "GP appointments in 12 months", "direction": "no_change", "figure": "+0.3 appointments, not significant"},
  {"outcome": "ae_attendance", "measure": "A&E attendances in 12 months", "direction": "no_change", "figure": "No difference between groups"},
  {"outcome": "wellbeing", "measure": "SWEMWBS", "direction": "mixed", "figure": "+0.9 points at 6 months, no difference at 12"},
  {"outcome": "loneliness", "measure": "UCLA loneliness scale (3 items)", "direction": "no_change", "figure": "-0.2 points"},
  {"outcome": "activation", "measure": "PAM", "direction": "improved", "figure": "+4.6 points against usual care"}]}'),
(3, false, '{
 "title": "Social prescribing and GP workload: a matched comparison across 24 practices",
 "scheme": "Millbrook Social Prescribing Network", "area": "Greater Manchester",
 "region": "North West", "year": 2019, "design": "quasi_experimental",
 "sample_size": 2140, "follow_up": 12,
 "summary": "Patients referred to social prescribing were matched on age, deprivation and prior use of services with similar patients in practices without a link worker. Referred patients saw their GP less often and attended A&E less.",
 "outcomes": [
  {"outcome": "gp_consultations", "measure": "GP appointments in 12 months", "direction": "improved", "figure": "-1.4 appointments per person (-18%)"},
  {"outcome": "ae_attendance", "measure": "A&E attendances in 12 months", "direction": "improved", "figure": "-9% against matched patients"},
  {"outcome": "cost_roi", "measure": "NHS savings against service cost", "direction": "mixed", "figure": "Savings covered 60% of the service cost"}]}'),
(4, false, '{
 "title": "Arts on prescription for older people: a controlled before and after study",
 "scheme": "Lanterns Arts on Prescription", "area": "Lewisham and Southwark",
 "region": "London", "year": 2021, "design": "quasi_experimental",
 "sample_size": 238, "follow_up": 6,
 "summary": "Older people attending ten weekly arts sessions were compared with a waiting-list group from the same practices. Loneliness fell and wellbeing rose against the comparison group.",
 "outcomes": [
  {"outcome": "gp_consultations", "measure": "GP appointments in 6 months", "direction": "no_change", "figure": "No difference"},
  {"outcome": "wellbeing", "measure": "WEMWBS", "direction": "improved", "figure": "+2.7 points against comparison"},
  {"outcome": "loneliness", "measure": "UCLA loneliness scale (3 items)", "direction": "improved", "figure": "-1.1 points against comparison"}]}'),
(5, true, '{
 "title": "Community connectors for people who are lonely: service evaluation",
 "scheme": "Hearthside Community Connectors", "area": "Market towns and villages",
 "year": 2018, "design": "before_after", "sample_size": 164,
 "follow_up": 6,
 "summary": "Scores before referral and six months later for people referred because they were lonely or isolated, most of them over 75. Loneliness and wellbeing improved; A&E attendance rose, which the authors put down to the age and frailty of the group.",
 "outcomes": [
  {"outcome": "ae_attendance", "measure": "A&E attendances in 6 months", "direction": "worse", "figure": "+0.2 attendances per person"},
  {"outcome": "wellbeing", "measure": "SWEMWBS", "direction": "improved", "figure": "+2.9 points"},
  {"outcome": "loneliness", "measure": "UCLA loneliness scale (3 items)", "direction": "improved", "figure": "-2.3 points (112 with both scores)"}]}'),
(6, false, '{
 "title": "Money and wellbeing: social prescribing for people with debt and housing worries",
 "scheme": "Millstone Money and Wellbeing", "area": "Stoke-on-Trent",
 "region": "Midlands", "year": 2020, "design": "before_after",
 "sample_size": 321, "follow_up": 3,
 "summary": "Link workers based with a debt advice service. Anxiety fell and wellbeing rose over three months; a minority moved into work or volunteering.",
 "outcomes": [
  {"outcome": "wellbeing", "measure": "SWEMWBS", "direction": "improved", "figure": "+2.1 points"},
  {"outcome": "anxiety_depression", "measure": "GAD-7", "direction": "improved", "figure": "-3.1 points"},
  {"outcome": "employment_volunteering", "measure": "In work, training or volunteering", "direction": "mixed", "figure": "14% moved into work or volunteering; no change for most"}]}'),
(7, false, '{
 "title": "Social prescribing for young people aged 16 to 25: pilot evaluation",
 "scheme": "Harbourside Young People''s Link Service", "area": "Medway",
 "region": "South East", "year": 2022, "design": "before_after",
 "sample_size": 96, "follow_up": 6,
 "summary": "A pilot for young people referred by GPs, colleges and youth services. Wellbeing rose on average, anxiety scores went both ways, and a fifth started education, training or volunteering.",
 "outcomes": [
  {"outcome": "wellbeing", "measure": "SWEMWBS", "direction": "improved", "figure": "+1.6 points"},
  {"outcome": "anxiety_depression", "measure": "GAD-7", "direction": "mixed", "figure": "Better for 58%, worse for 17%"},
  {"outcome": "employment_volunteering", "measure": "Started education, training or volunteering", "direction": "improved", "figure": "22 of 96 young people"}]}'),
(8, false, '{
 "title": "What link workers and patients say makes social prescribing work",
 "scheme": "Fenland Link Workers", "area": "Fenland",
 "region": "East of England", "year": 2017, "design": "qualitative",
 "sample_size": 42,
 "summary": "Interviews with 30 patients and 12 link workers. Time, trust and a warm handover to a group mattered most; people who never joined a group felt little had changed.",
 "outcomes": [
  {"outcome": "wellbeing", "measure": "Interviews", "direction": "improved", "figure": "Most described feeling more confident and connected"},
  {"outcome": "loneliness", "measure": "Interviews", "direction": "mixed", "figure": "Helped those who joined groups; some found groups hard to join"}]}'),
(9, false, '{
 "title": "Heritage volunteering on prescription: participants'' experiences",
 "scheme": "Old Quarry Heritage Volunteers", "area": "Mid Devon",
 "region": "South West", "year": 2019, "design": "qualitative",
 "sample_size": 28,
 "summary": "Focus groups and interviews with people referred to volunteer on heritage sites. They valued structure, purpose and belonging, and several went on volunteering after the programme ended.",
 "outcomes": [
  {"outcome": "wellbeing", "measure": "Interviews and focus groups", "direction": "improved", "figure": "Themes of belonging and confidence"},
  {"outcome": "employment_volunteering", "measure": "Interviews and focus groups", "direction": "improved", "figure": "Several carried on volunteering"}]}'),
(10, true, '{
 "title": "Evaluation of a borough-wide social prescribing service",
 "scheme": "Oakfield Social Prescribing", "area": "Whole borough",
 "year": 2025, "design": "mixed_methods", "sample_size": 1180,
 "follow_up": 12,
 "summary": "Routine outcome scores, GP records for a year either side of referral, and interviews with patients, link workers and GPs. GP appointments fell and wellbeing rose; patient activation barely moved.",
 "outcomes": [
  {"outcome": "gp_consultations", "measure": "GP appointments in 12 months", "direction": "improved", "figure": "-0.9 appointments per person (-12%)"},
  {"outcome": "wellbeing", "measure": "WEMWBS", "direction": "improved", "figure": "+4.1 points"},
  {"outcome": "activation", "measure": "PAM", "direction": "no_change", "figure": "+1.2 points"},
  {"outcome": "cost_roi", "measure": "Net NHS saving per referral", "direction": "improved", "figure": "£86 per referral"}]}'),
(11, true, '{
 "title": "Social return on investment of a community gardening prescription",
 "scheme": "Growing Together Gardens", "area": "Three community gardens",
 "year": 2021, "design": "economic", "sample_size": 210,
 "follow_up": 12,
 "summary": "A social return on investment analysis with stakeholders, valuing changes in wellbeing, volunteering and use of services against the cost of running the gardens.",
 "outcomes": [
  {"outcome": "wellbeing", "measure": "WEMWBS", "direction": "improved", "figure": "+3.5 points"},
  {"outcome": "cost_roi", "measure": "SROI ratio", "direction": "improved", "figure": "£2.14 social value per £1 invested"}]}'),
(12, false, '{
 "title": "Costs and consequences of social prescribing in rural general practice",
 "scheme": "Tamar Valley Link Workers", "area": "East Cornwall",
 "region": "South West", "year": 2016, "design": "economic",
 "sample_size": 730, "follow_up": 24,
 "summary": "A cost-consequence analysis over two years from NHS and council records. The return was close to break-even and sensitive to what was assumed about how long benefits last.",
 "outcomes": [
  {"outcome": "gp_consultations", "measure": "GP appointments in 12 months", "direction": "improved", "figure": "-1.1 appointments per person"},
  {"outcome": "ae_attendance", "measure": "A&E attendances in 12 months", "direction": "no_change", "figure": "No difference"},
  {"outcome": "cost_roi", "measure": "Return per £1 of NHS and council spending", "direction": "mixed", "figure": "£1.20 per £1 in the base case, £0.70 to £1.90 in sensitivity analyses"}]}'),
(13, false, '{
 "title": "Telephone befriending with link worker support during and after lockdown",
 "scheme": "Calderside Keep in Touch", "area": "Calderdale",
 "region": "North East and Yorkshire", "year": 2022, "design": "mixed_methods",
 "sample_size": 354, "follow_up": 6,
 "summary": "Weekly calls from trained volunteers with a link worker behind them, evaluated with scores and interviews. Loneliness and wellbeing improved; depression scores did not change.",
 "outcomes": [
  {"outcome": "wellbeing", "measure": "SWEMWBS", "direction": "improved", "figure": "+1.9 points"},
  {"outcome": "loneliness", "measure": "UCLA loneliness scale (3 items)", "direction": "improved", "figure": "-0.9 points"},
  {"outcome": "anxiety_depression", "measure": "PHQ-9", "direction": "no_change", "figure": "-0.4 points"}]}'),
(14, false, '{
 "title": "Social prescribing in a coastal town: social return on investment",
 "scheme": "Shoreline Social Prescribing", "area": "Coastal Norfolk",
 "region": "East of England", "year": 2024, "design": "economic",
 "sample_size": 505, "follow_up": 12,
 "summary": "A social return on investment analysis of a service in an area of high deprivation, valuing wellbeing, employment and volunteering, and reduced use of services.",
 "outcomes": [
  {"outcome": "employment_volunteering", "measure": "In work or volunteering", "direction": "improved", "figure": "+8 percentage points"},
  {"outcome": "cost_roi", "measure": "SROI ratio", "direction": "improved", "figure": "£3.40 social value per £1 invested"}]}');

-- This node's share of the network's evaluations.
DELETE FROM demo_evaluation WHERE n % :parts <> :part;

-- Local evaluations took place in this node's region.
UPDATE demo_evaluation
SET record = record || jsonb_build_object('region', :'region')
WHERE local;

DO $$
DECLARE
	d record;
BEGIN
	FOR d IN SELECT * FROM demo_evaluation ORDER BY n LOOP
		IF acorn_evaluation_save(d.id, (SELECT id FROM node), 0,
		    d.record, NULL, 'Rosa Hall', 'First version', NULL)
		    IS NULL THEN
			RAISE EXCEPTION 'demo evaluation % not saved', d.n;
		END IF;
	END LOOP;
	-- The rural study's two-year results came in after it was first
	-- entered: a second revision.
	SELECT * INTO d FROM demo_evaluation WHERE n = 12;
	IF FOUND AND acorn_evaluation_save(d.id, (SELECT id FROM node), 1,
	    jsonb_set(d.record, '{summary}', to_jsonb((d.record->>'summary')
	    || ' Two-year figures were added in a later report.')),
	    NULL, 'Declan Davies', 'Added the two-year follow-up', NULL)
	    IS NULL THEN
		RAISE EXCEPTION 'demo evaluation 12 not revised';
	END IF;
END
$$;
