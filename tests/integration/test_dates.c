/*
 * Dates against a real node: typed as GOV.UK date inputs (each of
 * GOV.UK's errors, real dates, leap years, British summer time stored as
 * it should be), shown in one style on pages and in mail, and a new
 * event set up in steps with a check-answers page, its draft seen by no
 * member, feed or peer until it is published.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"

Suite	*dates_suite(void);

static struct node *node;
static char *coord_pw;
static char *member_pw;

#define COORD		"dates.coord@example.org"
#define MEMBER		"dates.member@example.org"

static void
start(void)
{
	node = node_new("Dates node", "argon2_memory = 1024\n"
	    "argon2_passes = 1\n");
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	member_pw = node_user_add(node, MEMBER, "member");
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_ptr_nonnull(member_pw);
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop(void)
{
	node_free(node);
	free(coord_pw);
	free(member_pw);
	node = NULL;
}

static long
num(const char *sql, const char *param)
{
	return node_num(node, sql, param);
}

static struct client *
as(const char *email, const char *pw)
{
	struct client *c = client_new(node);

	ck_assert(sign_in(c, email, pw));
	return c;
}

/* A date and time as the form's five inputs take them. */
struct when {
	const char	*day, *month, *year, *hour, *minute;
};

static const struct when june = { "12", "6", "2031", "9", "30" };
static const struct when june_end = { "12", "6", "2031", "16", "00" };

/*
 * Sends the first step (what and when) to path, as the form on page
 * does: a title, the start and end, and a venue.
 */
static struct resp *
what_post(struct client *c, const char *page, const char *path,
    const char *title, const struct when *s, const struct when *e)
{
	return form_post(c, page, path, "title", title, "kind", "workshop",
	    "start-day", s->day, "start-month", s->month,
	    "start-year", s->year, "start-hour", s->hour,
	    "start-minute", s->minute,
	    "end-day", e->day, "end-month", e->month, "end-year", e->year,
	    "end-hour", e->hour, "end-minute", e->minute,
	    "venue", "Bolton Town Hall", NULL);
}

/* A new draft made by the first step; its id (malloc'd). */
static char *
new_draft(struct client *co, const char *title, const struct when *s,
    const struct when *e)
{
	struct resp *r = what_post(co, "/events/new", "/events/new", title, s,
	    e);
	const char *at;
	char *id;

	ck_assert_int_eq(r->status, 303);
	at = strstr(r->location, "/events/");
	ck_assert_ptr_nonnull(at);
	id = strndup(at + 8, 36);
	ck_assert_ptr_nonnull(strstr(r->location, "/places"));
	resp_free(r);
	return id;
}

static struct resp *
get(struct client *c, const char *fmt, const char *id)
{
	char path[256];

	snprintf(path, sizeof(path), fmt, id);
	return http_get(c, path);
}

START_TEST(test_date_errors_in_govuk_words)
{
	static const struct {
		struct when	 s;
		const char	*message;
		const char	*href;	/* the input the summary links to */
	} cases[] = {
		{ { "", "", "", "9", "30" }, "Enter the start date",
		    "#start-day" },
		{ { "12", "", "2031", "9", "30" },
		    "Start date must include a month", "#start-month" },
		{ { "", "6", "", "9", "30" },
		    "Start date must include a day and year", "#start-day" },
		{ { "31", "2", "2031", "9", "30" },
		    "Start date must be a real date", "#start-day" },
		{ { "12", "13", "2031", "9", "30" },
		    "Start date must be a real date", "#start-month" },
		{ { "1x", "6", "2031", "9", "30" },
		    "Start date must be a real date", "#start-day" },
		{ { "29", "2", "2031", "9", "30" },
		    "Start date must be a real date", "#start-day" },
		{ { "29", "2", "2100", "9", "30" },
		    "Start date must be a real date", "#start-day" },
		{ { "12", "6", "31", "9", "30" },
		    "The year of the start date must include 4 numbers",
		    "#start-year" },
		{ { "12", "6", "2031", "", "" }, "Enter the start time",
		    "#start-hour" },
		{ { "12", "6", "2031", "", "30" },
		    "Start time must include an hour", "#start-hour" },
		{ { "12", "6", "2031", "9", "75" },
		    "Start time must be a real time", "#start-minute" },
		{ { "12", "6", "2031", "24", "00" },
		    "Start time must be a real time", "#start-hour" },
	};
	struct client *co = as(COORD, coord_pw);
	long before = num("SELECT count(*) FROM events", NULL);
	struct resp *r;
	char want[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = what_post(co, "/events/new", "/events/new", "Bad dates",
		    &cases[i].s, &june_end);
		ck_assert_int_eq(r->status, 422);
		ck_assert_msg(resp_has(r, cases[i].message), "case %zu: %s",
		    i, cases[i].message);
		snprintf(want, sizeof(want), "href=\"%s\"", cases[i].href);
		ck_assert_msg(resp_has(r, want), "case %zu links %s", i,
		    cases[i].href);
		/* What was typed is kept. */
		if (*cases[i].s.day != '\0') {
			snprintf(want, sizeof(want), "value=\"%s\"",
			    cases[i].s.day);
			ck_assert(resp_has(r, want));
		}
		ck_assert(resp_has(r, "value=\"Bad dates\""));
		ck_assert(resp_has(r, "input--error"));
		resp_free(r);
	}
	/* Nothing at all: both dates asked for. */
	r = form_post(co, "/events/new", "/events/new", "title", "No dates",
	    "kind", "workshop", "venue", "Bolton", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Enter the start date"));
	ck_assert(resp_has(r, "Enter the end date"));
	resp_free(r);
	/* An end before the start. */
	r = what_post(co, "/events/new", "/events/new", "Backwards", &june,
	    &(struct when){ "11", "6", "2031", "16", "00" });
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "The event must end after it starts"));
	ck_assert(resp_has(r, "href=\"#end-day\""));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM events", NULL), before);
	client_free(co);
}
END_TEST

START_TEST(test_leap_days_and_uk_time_are_stored_right)
{
	struct client *co = as(COORD, coord_pw);
	char *id;

	/* 29 February in a leap year, and in 2000 (divisible by 400). */
	id = new_draft(co, "Leap day", &(struct when){ "29", "2", "2032", "10",
	    "0" }, &(struct when){ "29", "2", "2032", "12", "" });
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " starts = '2032-02-29 10:00+00' AND ends = '2032-02-29 12:00+00'",
	    id), 1);
	free(id);
	/* In British summer time 9:30am in London is 8:30 UTC ... */
	id = new_draft(co, "Summer", &june, &june_end);
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " starts = '2031-06-12 08:30+00' AND ends = '2031-06-12 15:00+00'",
	    id), 1);
	free(id);
	/* ... and in winter it is 9:30 UTC. */
	id = new_draft(co, "Winter", &(struct when){ "08", "01", "2031", "09",
	    "30" }, &(struct when){ "8", "1", "2031", "16", "0" });
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " starts = '2031-01-08 09:30+00' AND ends = '2031-01-08 16:00+00'",
	    id), 1);
	free(id);
	client_free(co);
}
END_TEST

START_TEST(test_dates_shown_in_one_style)
{
	struct client *co = as(COORD, coord_pw);
	struct client *m = as(MEMBER, member_pw);
	struct resp *r;
	char *id, path[128];

	id = event_new_published(co, "Style day", "10");
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(node_exec(node, "UPDATE events SET"
	    " starts = '2031-06-12 09:30 Europe/London',"
	    " ends = '2031-06-12 12:00 Europe/London',"
	    " reg_closes = '2031-06-01 00:00 Europe/London' WHERE id = $1", 1,
	    (const char *[]){ id }), 1);
	r = get(m, "/events/%s", id);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Thursday 12 June 2031, 9:30am"));
	ck_assert(resp_has(r, "Sunday 1 June 2031, 12am"));
	ck_assert(resp_has(r, "(UK time)"));
	ck_assert(!resp_has(r, "09:30"));
	resp_free(r);
	r = http_get(m, "/events");
	ck_assert(resp_has(r, "Thursday 12 June 2031, 9:30am"));
	ck_assert(resp_has(r, "UK time"));
	resp_free(r);
	/* Machine formats stay as they were. */
	snprintf(path, sizeof(path), "/events/%s.ics", id);
	r = http_get(m, path);
	ck_assert(resp_has(r, "DTSTART:20310612T083000Z"));
	resp_free(r);
	/* Noon, and a range on one day and across two. */
	ck_assert_int_eq(num("SELECT count(*) WHERE acorn_london("
	    " '2031-06-12 12:00 Europe/London', 'FMHH12:MIam') = '12pm'"
	    " AND acorn_london_range('2031-06-12 09:30 Europe/London',"
	    " '2031-06-12 16:00 Europe/London') ="
	    " 'Thursday 12 June 2031, 9:30am to 4pm'"
	    " AND acorn_london_range('2031-06-12 09:30 Europe/London',"
	    " '2031-06-13 12:30 Europe/London') ="
	    " 'Thursday 12 June 2031, 9:30am to Friday 13 June 2031, 12:30pm'",
	    NULL), 1);
	free(id);
	client_free(co);
	client_free(m);
}
END_TEST

START_TEST(test_event_set_up_in_steps_and_checked)
{
	struct client *co = as(COORD, coord_pw);
	struct client *m = as(MEMBER, member_pw), *anon = client_new(node);
	struct resp *r;
	char *id, page[160], action[160];

	id = new_draft(co, "Stepped summit", &june, &june_end);
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " status = 'draft' AND NOT shared", id), 1);

	/* Step 2: places. */
	r = get(co, "/events/%s/places", id);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "New event: step 2 of 4"));
	ck_assert(resp_has(r, "value=\"In person\""));
	snprintf(action, sizeof(action), "/events/%s/questions\"", id);
	ck_assert(resp_has(r, action));
	resp_free(r);
	snprintf(page, sizeof(page), "/events/%s/places", id);
	r = form_post(co, page, page, "place_name", "In person", "capacity",
	    "40", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);

	/* Step 3: questions, which may be none. */
	r = get(co, "/events/%s/questions", id);
	ck_assert(resp_has(r, "New event: step 3 of 4"));
	snprintf(action, sizeof(action), "/events/%s/registration\"", id);
	ck_assert(resp_has(r, action));
	resp_free(r);
	snprintf(page, sizeof(page), "/events/%s/questions", id);
	r = form_post(co, page, page, "qkind", "dietary", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);

	/* Step 4: registration; it must close before the event starts. */
	snprintf(page, sizeof(page), "/events/%s/registration", id);
	r = form_post(co, page, page, "closes-day", "12", "closes-month", "6",
	    "closes-year", "2031", "other_nodes", "yes", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Registration must close before the event "
	    "starts"));
	ck_assert(resp_has(r, "href=\"#closes-day\""));
	resp_free(r);
	r = form_post(co, page, page, "opens-day", "1", "opens-month", "6",
	    "opens-year", "2031", "closes-day", "1", "closes-month", "5",
	    "closes-year", "2031", "other_nodes", "yes", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Registration must close after it opens"));
	resp_free(r);
	r = form_post(co, page, page, "opens-day", "1", "opens-month", "5",
	    "opens-year", "2031", "closes-day", "10", "closes-month", "6",
	    "closes-year", "2031", "closes-hour", "17", "organiser",
	    "Asha Patel", "other_nodes", "yes", NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/check"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " reg_opens = '2031-05-01 00:00 Europe/London' AND"
	    " reg_closes = '2031-06-10 17:00 Europe/London'", id), 1);

	/* Check your answers: each with its Change link. */
	r = get(co, "/events/%s/check", id);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Check your answers before publishing"));
	ck_assert(resp_has(r, "Thursday 12 June 2031, 9:30am to 4pm"));
	ck_assert(resp_has(r, "In person: 40"));
	ck_assert(resp_has(r, "Do you have any dietary needs?"));
	ck_assert(resp_has(r, "Tuesday 10 June 2031, 5pm"));
	ck_assert(resp_has(r, "Asha Patel"));
	snprintf(action, sizeof(action), "/events/%s/what?check=yes", id);
	ck_assert(resp_has(r, action));
	snprintf(action, sizeof(action), "/events/%s/places?check=yes", id);
	ck_assert(resp_has(r, action));
	resp_free(r);

	/* A Change link leads back to the check page, once saved. */
	snprintf(page, sizeof(page), "/events/%s/what?check=yes", id);
	r = http_get(co, page);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "name=\"check\" value=\"yes\""));
	ck_assert(resp_has(r, "value=\"Stepped summit\""));
	ck_assert(resp_has(r, "Save and go back to check your answers"));
	resp_free(r);
	snprintf(action, sizeof(action), "/events/%s/what", id);
	r = form_post(co, page, action, "check", "yes", "title",
	    "Stepped summit 2031", "kind", "conference",
	    "start-day", "12", "start-month", "6", "start-year", "2031",
	    "start-hour", "10", "start-minute", "00",
	    "end-day", "12", "end-month", "6", "end-year", "2031",
	    "end-hour", "16", "end-minute", "00", "venue", "Bolton", NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/check"));
	resp_free(r);
	r = get(co, "/events/%s/places?check=yes", id);
	ck_assert(resp_has(r, "Back to check your answers"));
	resp_free(r);

	/* Until published: no member, guest, list, calendar or feed. */
	r = get(m, "/events/%s", id);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	r = get(anon, "/events/%s", id);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	r = http_get(m, "/events");
	ck_assert(!resp_has(r, "Stepped summit"));
	resp_free(r);
	r = http_get(anon, "/events.ics");
	ck_assert(!resp_has(r, "Stepped summit"));
	resp_free(r);
	r = http_get(anon, "/feeds/events");
	ck_assert(!resp_has(r, "Stepped summit"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " NOT shared AND status = 'draft'", id), 1);

	/* Saved as a draft: still a draft. */
	snprintf(page, sizeof(page), "/events/%s/check", id);
	r = form_post(co, page, page, "done", "draft", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " status = 'draft'", id), 1);
	/* Published from the check page. */
	r = form_post(co, page, page, "done", "publish", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " status = 'published' AND title = 'Stepped summit 2031' AND"
	    " starts = '2031-06-12 09:00+00'", id), 1);
	r = get(m, "/events/%s", id);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Thursday 12 June 2031, 10am"));
	resp_free(r);
	/* A published event's steps lead to its edit page. */
	r = get(co, "/events/%s/what", id);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/edit"));
	resp_free(r);
	r = get(co, "/events/%s/places", id);
	ck_assert(!resp_has(r, "New event: step"));
	resp_free(r);
	free(id);
	client_free(co);
	client_free(m);
	client_free(anon);
}
END_TEST

START_TEST(test_publishing_needs_a_type_of_place)
{
	struct client *co = as(COORD, coord_pw);
	struct resp *r;
	char *id, page[160];

	id = new_draft(co, "Placeless", &june, &june_end);
	snprintf(page, sizeof(page), "/events/%s/check", id);
	r = form_post(co, page, page, "done", "publish", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Add at least one type of place before "
	    "publishing"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " status = 'draft'", id), 1);
	free(id);
	client_free(co);
}
END_TEST

START_TEST(test_steps_refuse_members_and_other_nodes_events)
{
	struct client *co = as(COORD, coord_pw);
	struct client *m = as(MEMBER, member_pw), *contrib;
	static const char *const steps[] = { "what", "places", "questions",
	    "registration", "check" };
	struct resp *r;
	char *id, *away, *tok, *contrib_pw, path[160];
	size_t i;

	id = new_draft(co, "Members keep out", &june, &june_end);
	contrib_pw = node_user_add(node, "dates.contrib@example.org",
	    "contributor");
	ck_assert_ptr_nonnull(contrib_pw);
	contrib = as("dates.contrib@example.org", contrib_pw);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		snprintf(path, sizeof(path), "/events/%s/%s", id, steps[i]);
		r = http_get(m, path);
		ck_assert_int_eq(r->status, 403);
		ck_assert(!resp_has(r, "Members keep out"));
		resp_free(r);
		/* A contributor edits evidence, not events. */
		r = http_get(contrib, path);
		ck_assert_int_eq(r->status, 403);
		resp_free(r);
	}
	r = http_get(m, "/events/new");
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	/* With the member's own form token: refused, and nothing moves. */
	tok = page_csrf(m, "/events");
	ck_assert_ptr_nonnull(tok);
	snprintf(path, sizeof(path), "/events/%s/check", id);
	r = http_post(m, path, "csrf", tok, "done", "publish", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	snprintf(path, sizeof(path), "/events/%s/what", id);
	r = http_post(m, path, "csrf", tok, "title", "Taken over", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	free(tok);
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " status = 'draft' AND title = 'Members keep out'", id), 1);
	/* Bad input from the coordinator changes nothing either. */
	snprintf(path, sizeof(path), "/events/%s/what", id);
	r = form_post(co, path, path, "title", "Renamed", "kind", "workshop",
	    "start-day", "32", "start-month", "6", "start-year", "2031",
	    "start-hour", "9", "end-day", "12", "end-month", "6",
	    "end-year", "2031", "end-hour", "16", "venue", "Bolton", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "value=\"32\""));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " title = 'Members keep out'", id), 1);
	/* Another node's event is changed there, not here. */
	away = node_sql(node, "INSERT INTO events (id, origin, title, kind,"
	    " starts, ends, region, status) VALUES (gen_random_uuid(),"
	    " gen_random_uuid(), 'Hosted elsewhere', 'conference',"
	    " '2031-03-14 09:30+00', '2031-03-14 17:00+00', 'North West',"
	    " 'published') RETURNING id", NULL);
	ck_assert_ptr_nonnull(away);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		snprintf(path, sizeof(path), "/events/%s/%s", away, steps[i]);
		r = http_get(co, path);
		ck_assert_int_eq(r->status, 403);
		resp_free(r);
	}
	node_assert_serving(node, "/events");
	free(away);
	free(id);
	free(contrib_pw);
	client_free(co);
	client_free(m);
	client_free(contrib);
}
END_TEST

Suite *
dates_suite(void)
{
	Suite *s = suite_create("dates");
	TCase *tc = tcase_create("dates");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_date_errors_in_govuk_words);
	tcase_add_test(tc, test_leap_days_and_uk_time_are_stored_right);
	tcase_add_test(tc, test_dates_shown_in_one_style);
	tcase_add_test(tc, test_event_set_up_in_steps_and_checked);
	tcase_add_test(tc, test_publishing_needs_a_type_of_place);
	tcase_add_test(tc, test_steps_refuse_members_and_other_nodes_events);
	suite_add_tcase(s, tc);
	return s;
}
