/*
 * What people see of an event and of their own place, against a real
 * node: the status tag on the events list and the event page for a
 * visitor, a member with a place and a member waiting; the form when
 * there is one type of place; the confirmation page; cancelling, which
 * asks first and finds nobody else's registration; and the lists shown
 * a page at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"
#include "smtp.h"

Suite	*event_status_suite(void);

#define COORD		"status.coord@example.org"
#define ANN		"ann.status@example.org"
#define BEN		"ben.status@example.org"
#define CAL		"cal.status@example.org"

static struct node *node;
static char *coord_pw, *ann_pw, *ben_pw, *cal_pw;

static void
start(void)
{
	node = node_new("Status node", "argon2_memory = 1024\n"
	    "argon2_passes = 1\n");
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	ann_pw = node_user_add(node, ANN, "member");
	ben_pw = node_user_add(node, BEN, "member");
	cal_pw = node_user_add(node, CAL, "member");
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_ptr_nonnull(ann_pw);
	ck_assert_ptr_nonnull(ben_pw);
	ck_assert_ptr_nonnull(cal_pw);
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop(void)
{
	node_free(node);
	free(coord_pw);
	free(ann_pw);
	free(ben_pw);
	free(cal_pw);
	node = NULL;
}

static long
num(const char *sql, const char *param)
{
	return node_num(node, sql, param);
}

static struct client *
signed_in(const char *email, const char *pw)
{
	struct client *c = client_new(node);

	ck_assert(sign_in(c, email, pw));
	return c;
}

/* A published event with one type of place, made by the coordinator. */
static char *
new_event(const char *title, const char *capacity)
{
	struct client *co = signed_in(COORD, coord_pw);
	char *id = event_new_published(co, title, capacity);

	ck_assert_ptr_nonnull(id);
	client_free(co);
	return id;
}

/* The coordinator presses a button on the event's page. */
static void
coordinator_post(const char *id, const char *what, ...)
{
	struct client *co = signed_in(COORD, coord_pw);
	char page[128], action[160];
	struct resp *r;

	snprintf(page, sizeof(page), "/events/%s", id);
	snprintf(action, sizeof(action), "/events/%s/%s", id, what);
	r = strcmp(what, "cancel") == 0 ? form_post(co, action, action,
	    "confirm", "yes", NULL) : form_post(co, page, action, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	client_free(co);
}

/* c registers for the event; the answer page. */
static struct resp *
register_for(struct client *c, const char *id)
{
	struct reg_form f;
	struct resp *r;

	reg_form_open(c, id, &f);
	r = reg_form_send(c, &f, NULL);
	reg_form_free(&f);
	return r;
}

/*
 * The text of the first status tag after marker in body (malloc'd), or
 * NULL: on a list, the marker is the end of an event's title link.
 */
static char *
tag_after(const char *body, const char *marker)
{
	const char *p = strstr(body, marker), *end;

	if (p == NULL || (p = strstr(p, "<strong class=\"tag")) == NULL ||
	    (p = strchr(p, '>')) == NULL || (end = strstr(p,
	    "</strong>")) == NULL)
		return NULL;
	return strndup(p + 1, end - p - 1);
}

/* The tag c sees for the event titled title on path (a list). */
static char *
list_tag(struct client *c, const char *path, const char *title)
{
	char marker[160];
	struct resp *r = http_get(c, path);
	char *tag;

	ck_assert_int_eq(r->status, 200);
	snprintf(marker, sizeof(marker), ">%s</a></h2>", title);
	tag = tag_after(r->body, marker);
	resp_free(r);
	return tag;
}

/* The tag at the top of the event's page, as c sees it. */
static char *
page_tag(struct client *c, const char *id)
{
	char path[128];
	struct resp *r;
	char *tag;

	snprintf(path, sizeof(path), "/events/%s", id);
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	tag = tag_after(r->body, "class=\"event-status\"");
	resp_free(r);
	return tag;
}

/* The same tag on the list (of path) and on the event's page. */
static void
assert_tag(struct client *c, const char *path, const char *id,
    const char *title, const char *want)
{
	char *on_list = list_tag(c, path, title), *on_page = page_tag(c, id);

	ck_assert_msg(on_list != NULL && strncmp(on_list, want,
	    strlen(want)) == 0, "%s on %s: \"%s\", not \"%s\"", title, path,
	    on_list ? on_list : "(none)", want);
	ck_assert_msg(on_page != NULL && strncmp(on_page, want,
	    strlen(want)) == 0, "%s's page: \"%s\", not \"%s\"", title,
	    on_page ? on_page : "(none)", want);
	free(on_list);
	free(on_page);
}

START_TEST(test_each_status_has_its_tag_on_the_list_and_the_page)
{
	char *open = new_event("Status open day", "50");
	char *few = new_event("Status few seats", "3");
	char *full = new_event("Status full house", "1");
	char *closed = new_event("Status closed forum", "20");
	char *opens = new_event("Status opens later", "20");
	char *cancelled = new_event("Status cancelled talk", "20");
	char *past = new_event("Status past meeting", "20");
	struct client *anon = client_new(node);
	struct client *ann = signed_in(ANN, ann_pw);
	struct client *ben = signed_in(BEN, ben_pw);
	struct resp *r;

	/* Ann takes the one place at the full house and one of the few. */
	r = register_for(ann, full);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = register_for(ann, few);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = register_for(ben, full);
	ck_assert(resp_has(r, "on the waiting list</h1>"));
	resp_free(r);
	coordinator_post(closed, "close");
	coordinator_post(cancelled, "cancel");
	/*
	 * Dates are moved in the database: registration opening on a day
	 * to come, and a meeting already held, whatever the event form
	 * asks dates like.
	 */
	ck_assert_int_eq(node_exec(node, "UPDATE events SET reg_opens ="
	    " '2031-01-10 09:30'::timestamp AT TIME ZONE 'Europe/London'"
	    " WHERE id = $1", 1, (const char *[]){ opens }), 1);
	ck_assert_int_eq(node_exec(node, "UPDATE events SET"
	    " starts = '2020-03-14 09:30+00', ends = '2020-03-14 17:00+00'"
	    " WHERE id = $1", 1, (const char *[]){ past }), 1);

	/* What a visitor sees. */
	assert_tag(anon, "/events", open, "Status open day", "Open");
	assert_tag(anon, "/events", few, "Status few seats", "2 places left");
	assert_tag(anon, "/events", full, "Status full house",
	    "Full \u2013 waiting list");
	assert_tag(anon, "/events", closed, "Status closed forum", "Closed");
	assert_tag(anon, "/events", opens, "Status opens later",
	    "Opens on Friday 10 January 2031");
	assert_tag(anon, "/events", cancelled, "Status cancelled talk",
	    "Cancelled");
	assert_tag(anon, "/events?when=past", past, "Status past meeting",
	    "Past");

	/* Ann has her places; Ben waits; each sees the rest as anyone. */
	assert_tag(ann, "/events", full, "Status full house",
	    "You\u2019re booked");
	assert_tag(ann, "/events", few, "Status few seats",
	    "You\u2019re booked");
	assert_tag(ann, "/events", open, "Status open day", "Open");
	assert_tag(ben, "/events", full, "Status full house",
	    "You\u2019re on the waiting list");
	assert_tag(ben, "/events", few, "Status few seats", "2 places left");
	assert_tag(ben, "/events", closed, "Status closed forum", "Closed");

	/* The tag is words, never its colour alone. */
	r = http_get(anon, "/events");
	ck_assert(resp_has(r, "<strong class=\"tag tag--orange\">Full"));
	resp_free(r);

	/* The cancelled house's page says nothing of registering. */
	{
		char path[128];

		snprintf(path, sizeof(path), "/events/%s", cancelled);
		r = http_get(ann, path);
		ck_assert(!resp_has(r, "<h2>Register</h2>"));
		resp_free(r);
	}
	client_free(anon);
	client_free(ann);
	client_free(ben);
	free(open);
	free(few);
	free(full);
	free(closed);
	free(opens);
	free(cancelled);
	free(past);
}
END_TEST

START_TEST(test_one_type_of_place_is_said_not_chosen)
{
	char *id = new_event("Single place workshop", "30");
	struct client *anon = client_new(node), *co;
	struct client *cal = signed_in(CAL, cal_pw);
	char path[128], action[160];
	struct resp *r;

	snprintf(path, sizeof(path), "/events/%s", id);
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "type=\"radio\" name=\"place\""));
	ck_assert(resp_has(r, "<dt>Type of place</dt>"));
	ck_assert(resp_has(r, "In person"));
	ck_assert(resp_has(r, "30 of 30 places left"));
	resp_free(r);

	/* The one type is sent with the form: registering works. */
	r = register_for(cal, id);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, ">You have a place</h1>"));
	resp_free(r);

	/* A second type makes it a choice. */
	co = signed_in(COORD, coord_pw);
	snprintf(action, sizeof(action), "/events/%s/places", id);
	r = form_post(co, action, action, "place_name", "Online",
	    "capacity", "10", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = http_get(anon, path);
	ck_assert(resp_has(r, "Type of place</legend>"));
	ck_assert(resp_has(r, "type=\"radio\" name=\"place\""));
	ck_assert(resp_has(r, "10 of 10 places left"));
	resp_free(r);
	client_free(co);
	client_free(cal);
	client_free(anon);
	free(id);
}
END_TEST

/* The registration's ref and reference for the member with email. */
static void
reg_of(const char *id, const char *email, char **ref, char **reference)
{
	const char *p[2] = { id, email };

	*ref = node_sqlv(node, "SELECT ref FROM registrations WHERE event = $1"
	    " AND email = $2", 2, p);
	*reference = node_sqlv(node, "SELECT reference FROM registrations"
	    " WHERE event = $1 AND email = $2", 2, p);
	ck_assert_ptr_nonnull(*ref);
	ck_assert_ptr_nonnull(*reference);
}

START_TEST(test_confirmation_says_what_when_where_and_how_to_cancel)
{
	char *id = new_event("Confirmation conference", "1"), *ref, *reference;
	struct client *ann = signed_in(ANN, ann_pw);
	struct client *ben = signed_in(BEN, ben_pw);
	char want[200];
	struct resp *r;
	int i;

	r = register_for(ann, id);
	ck_assert_int_eq(r->status, 200);
	reg_of(id, ANN, &ref, &reference);
	/* A confirmation panel, then what, when and where. */
	ck_assert(resp_has(r, "class=\"panel panel--success confirmation\""));
	ck_assert(resp_has(r, ">You have a place</h1>"));
	ck_assert(resp_has(r, "Confirmation conference"));
	ck_assert(resp_has(r, "Friday 14 March 2031"));
	ck_assert(resp_has(r, "Manchester Central"));
	ck_assert(resp_has(r, "<dt>Type of place</dt><dd>In person</dd>"));
	/* A reference to quote: short, readable, this registration's. */
	ck_assert_int_eq(strlen(reference), 9);
	ck_assert_int_eq(reference[4], '-');
	for (i = 0; i < 9; i++)
		ck_assert(i == 4 || strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ",
		    reference[i]) != NULL);
	ck_assert(resp_has(r, reference));
	snprintf(want, sizeof(want), "href=\"/events/%s.ics\"", id);
	ck_assert(resp_has(r, want));
	ck_assert(resp_has(r, "Add to calendar"));
	ck_assert(resp_has(r, "What happens next"));
	ck_assert(resp_has(r, "How to cancel"));
	snprintf(want, sizeof(want), "href=\"/registrations/%s/cancel\"", ref);
	ck_assert(resp_has(r, want));
	/* This node sends no mail: no promise of one. */
	ck_assert(!resp_has(r, "We have sent"));
	ck_assert(resp_has(r, "This site does not send emails"));
	resp_free(r);

	/* The calendar file is there to add. */
	snprintf(want, sizeof(want), "/events/%s.ics", id);
	r = http_get(ann, want);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "BEGIN:VEVENT"));
	resp_free(r);

	/* So does the letter queued for her. */
	ck_assert_int_eq(node_numv(node, "SELECT count(*) FROM outbox WHERE"
	    " recipient = $1 AND subject LIKE 'Your place at %'"
	    " AND strpos(body, E'\\nYour reference: ' || $2 || E'\\n') > 0",
	    2, (const char *[]){ ANN, reference }), 1);

	/* Her registrations list gives the same reference. */
	r = http_get(ann, "/registrations");
	ck_assert(resp_has(r, reference));
	ck_assert(resp_has(r, "You\u2019re booked"));
	resp_free(r);

	/* Ben waits: a neutral status first, not a success. */
	r = register_for(ben, id);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "on the waiting list</h1>"));
	ck_assert(resp_has(r, "<div role=\"status\" class=\"status-box\">"));
	ck_assert(resp_has(r, "you are number 1 on the waiting list"));
	ck_assert(!resp_has(r, "panel--success"));
	ck_assert(resp_has(r, "Leave the waiting list"));
	ck_assert(!resp_has(r, "we will email"));
	resp_free(r);
	client_free(ann);
	client_free(ben);
	free(ref);
	free(reference);
	free(id);
}
END_TEST

/* With mail set up, the pages say what was sent, and to whom. */
START_TEST(test_confirmation_promises_mail_only_when_mail_is_sent)
{
	struct smtp *s = smtp_new();
	struct node *mailing;
	struct client *co, *m, *g;
	struct reg_form f;
	struct resp *r;
	char settings[256], *pw, *cpw, *id, *key, *body, *p;

	ck_assert_ptr_nonnull(s);
	snprintf(settings, sizeof(settings), "smtp_url = smtp://127.0.0.1:%d\n"
	    "mail_from = events@example.org\nmail_retry = 1\n"
	    "argon2_memory = 1024\nargon2_passes = 1\n", smtp_port(s));
	ck_assert_int_eq(smtp_listen(s), 0);
	mailing = node_new("Mailing node", settings);
	ck_assert_ptr_nonnull(mailing);
	cpw = node_user_add(mailing, "coord@mailing.example.org",
	    "coordinator");
	pw = node_user_add(mailing, "mo@mailing.example.org", "member");
	ck_assert_int_eq(node_serve(mailing), 0);
	co = client_new(mailing);
	ck_assert(sign_in(co, "coord@mailing.example.org", cpw));
	id = event_new_published(co, "Mailed summit", "5");
	ck_assert_ptr_nonnull(id);

	m = client_new(mailing);
	ck_assert(sign_in(m, "mo@mailing.example.org", pw));
	reg_form_open(m, id, &f);
	r = reg_form_send(m, &f, NULL);
	reg_form_free(&f);
	ck_assert(resp_has(r, ">You have a place</h1>"));
	ck_assert(resp_has(r, "We have sent a confirmation email to"));
	ck_assert(resp_has(r, "mo@mailing.example.org"));
	ck_assert(!resp_has(r, "does not send"));
	resp_free(r);

	/* A guest is told to check their email, then confirms. */
	g = client_new(mailing);
	reg_form_open(g, id, &f);
	r = reg_form_send(g, &f, "name", "Gil Guest", "email",
	    "gil@guest.example.org", NULL);
	reg_form_free(&f);
	ck_assert(resp_has(r, "Check your email"));
	ck_assert(resp_has(r,
	    "We have sent an email to gil@guest.example.org"));
	resp_free(r);
	body = node_sql(mailing, "SELECT body FROM outbox WHERE recipient ="
	    " 'gil@guest.example.org' ORDER BY id DESC LIMIT 1", NULL);
	ck_assert_ptr_nonnull(body);
	ck_assert_ptr_nonnull(p = strstr(body, "/registrations/guest/"));
	key = strndup(p + 21, strcspn(p + 21, "\n"));
	free(body);
	{
		char page[160], action[200];

		snprintf(page, sizeof(page), "/registrations/guest/%s", key);
		snprintf(action, sizeof(action), "%s/confirm", page);
		r = form_post(g, page, action, NULL);
		ck_assert_int_eq(r->status, 303);
		resp_free(r);
		r = http_get(g, page);
		ck_assert(resp_has(r, ">You have a place</h1>"));
		ck_assert(resp_has(r, "We have sent a confirmation email to"));
		ck_assert(resp_has(r, "Add to calendar"));
		snprintf(action, sizeof(action), "href=\"%s/cancel\"", page);
		ck_assert(resp_has(r, action));
		resp_free(r);
	}
	free(key);
	client_free(g);
	client_free(m);
	client_free(co);
	free(id);
	free(pw);
	free(cpw);
	node_free(mailing);
	smtp_free(s);
}
END_TEST

START_TEST(test_cancelling_asks_first_and_changes_nothing_until_confirmed)
{
	char *id = new_event("Cancel question day", "1"), *ref, *reference;
	struct client *ann = signed_in(ANN, ann_pw);
	struct client *ben = signed_in(BEN, ben_pw);
	const char *status = "SELECT status FROM registrations WHERE ref = $1";
	char path[160], *st;
	struct resp *r;

	r = register_for(ann, id);
	resp_free(r);
	r = register_for(ben, id);
	resp_free(r);
	reg_of(id, ANN, &ref, &reference);

	/* Her list links to the question, not straight to cancelling. */
	r = http_get(ann, "/registrations");
	snprintf(path, sizeof(path), "href=\"/registrations/%s/cancel\"", ref);
	ck_assert(resp_has(r, path));
	snprintf(path, sizeof(path), "action=\"/registrations/%s/cancel\"",
	    ref);
	ck_assert(!resp_has(r, path));
	resp_free(r);

	/* Asking changes nothing. */
	snprintf(path, sizeof(path), "/registrations/%s/cancel", ref);
	r = http_get(ann, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Are you sure you want to cancel your place at"
	    " Cancel question day?"));
	ck_assert(resp_has(r, "goes to the next person on the waiting list"));
	ck_assert(resp_has(r, "button button--warning"));
	ck_assert(resp_has(r, "Yes, cancel my place"));
	ck_assert(resp_has(r, "No, keep my place"));
	ck_assert(resp_has(r, reference));
	resp_free(r);
	st = node_sql(node, status, ref);
	ck_assert_str_eq(st, "confirmed");
	free(st);

	/* A form without the page's token changes nothing either. */
	r = http_post(ann, path, "confirm", "yes", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	st = node_sql(node, status, ref);
	ck_assert_str_eq(st, "confirmed");
	free(st);

	/* Yes: cancelled, and Ben, waiting, has the place. */
	r = form_post(ann, path, path, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	st = node_sql(node, status, ref);
	ck_assert_str_eq(st, "cancelled");
	free(st);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND email = '" BEN "' AND status = 'confirmed'", id),
	    1);
	/* Sent again, it finds it cancelled already: no error. */
	r = form_post(ann, "/registrations", path, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	/* Nothing is left to ask about. */
	ck_assert_int_eq(http_get_status(ann, path), 404);
	free(ref);
	free(reference);

	/* Waiting, the question is about the waiting list. */
	r = register_for(ann, id);
	ck_assert(resp_has(r, "on the waiting list</h1>"));
	resp_free(r);
	ref = node_sql(node, "SELECT ref FROM registrations WHERE event = $1"
	    " AND email = '" ANN "' AND status = 'waiting'", id);
	snprintf(path, sizeof(path), "/registrations/%s/cancel", ref);
	r = http_get(ann, path);
	ck_assert(resp_has(r, "Are you sure you want to leave the waiting list"
	    " for Cancel question day?"));
	ck_assert(resp_has(r, "Yes, leave the waiting list"));
	ck_assert(resp_has(r, "No, stay on the waiting list"));
	resp_free(r);
	free(ref);
	client_free(ann);
	client_free(ben);
	free(id);
}
END_TEST

START_TEST(test_a_guest_is_asked_before_cancelling)
{
	char *id = new_event("Guest cancel day", "5"), *body, *p, *key;
	struct client *g = client_new(node);
	char page[200], action[220];
	struct reg_form f;
	struct resp *r;
	const char *status = "SELECT status FROM registrations WHERE"
	    " email = 'gus@guest.example.org'";

	reg_form_open(g, id, &f);
	r = reg_form_send(g, &f, "name", "Gus Guest", "email",
	    "gus@guest.example.org", NULL);
	reg_form_free(&f);
	resp_free(r);
	body = node_sql(node, "SELECT body FROM outbox WHERE recipient ="
	    " 'gus@guest.example.org' ORDER BY id DESC LIMIT 1", NULL);
	ck_assert_ptr_nonnull(body);
	ck_assert_ptr_nonnull(p = strstr(body, "/registrations/guest/"));
	key = strndup(p + 21, strcspn(p + 21, "\n"));
	free(body);
	snprintf(page, sizeof(page), "/registrations/guest/%s", key);
	snprintf(action, sizeof(action), "%s/confirm", page);
	r = form_post(g, page, action, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);

	snprintf(action, sizeof(action), "%s/cancel", page);
	r = http_get(g, action);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Are you sure you want to cancel your place at"
	    " Guest cancel day?"));
	resp_free(r);
	body = node_sql(node, status, NULL);
	ck_assert_str_eq(body, "confirmed");
	free(body);
	r = form_post(g, action, action, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	body = node_sql(node, status, NULL);
	ck_assert_str_eq(body, "cancelled");
	free(body);
	r = http_get(g, page);
	ck_assert(resp_has(r, "Your registration is cancelled"));
	resp_free(r);

	/* A key that opens nothing is not found, asked or sent. */
	ck_assert_int_eq(http_get_status(g, "/registrations/guest/"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/cancel"), 404);
	free(key);
	client_free(g);
	free(id);
}
END_TEST

/*
 * Ben sends Ann's registration's address, to ask, to cancel and to
 * relist: each is not found, as an address that names nothing, and her
 * registration stays as it was.
 */
START_TEST(test_someone_elses_registration_is_not_found)
{
	char *id = new_event("Not yours day", "5"), *ref, *reference, *before;
	struct client *ann = signed_in(ANN, ann_pw);
	struct client *ben = signed_in(BEN, ben_pw);
	const char *state = "SELECT concat_ws(',', status, public, places)"
	    " FROM registrations WHERE ref = $1";
	char path[160], *after;
	struct resp *r;

	r = register_for(ann, id);
	resp_free(r);
	r = register_for(ben, id);
	resp_free(r);
	reg_of(id, ANN, &ref, &reference);
	before = node_sql(node, state, ref);

	snprintf(path, sizeof(path), "/registrations/%s/cancel", ref);
	r = http_get(ben, path);
	ck_assert_int_eq(r->status, 404);
	ck_assert(!resp_has(r, "Not yours day"));
	ck_assert(!resp_has(r, reference));
	resp_free(r);
	r = form_post(ben, "/registrations", path, NULL);
	ck_assert_int_eq(r->status, 404);
	ck_assert(!resp_has(r, "cancelled"));
	ck_assert(!resp_has(r, "Not yours day"));
	resp_free(r);
	snprintf(path, sizeof(path), "/registrations/%s/public", ref);
	r = form_post(ben, "/registrations", path, "public", "yes", NULL);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	/* An address that names nothing answers the same. */
	r = form_post(ben, "/registrations", "/registrations/"
	    "00000000-0000-4000-8000-000000000000/cancel", NULL);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);

	after = node_sql(node, state, ref);
	ck_assert_str_eq(before, after);
	free(after);
	/* Ben's own is untouched too, and the node still serves. */
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'confirmed'", id), 2);
	node_assert_serving(node, "/events");
	r = http_get(ann, "/registrations");
	ck_assert(resp_has(r, "Not yours day"));
	resp_free(r);
	free(before);
	free(ref);
	free(reference);
	client_free(ann);
	client_free(ben);
	free(id);
}
END_TEST

/* How many times s occurs in body. */
static int
occurrences(const char *body, const char *s)
{
	int n = 0;

	while ((body = strstr(body, s)) != NULL) {
		n++;
		body += strlen(s);
	}
	return n;
}

START_TEST(test_events_and_registrations_are_shown_a_page_at_a_time)
{
	struct client *anon = client_new(node);
	struct client *cal = signed_in(CAL, cal_pw);
	char *ids[23], title[64], path[64], want[64];
	struct resp *pages[8];
	long total, npages, i, k, seen;
	struct resp *r;

	for (i = 0; i < 23; i++) {
		snprintf(title, sizeof(title), "Paged meeting %02ld", i);
		ids[i] = new_event(title, "5");
	}
	total = num("SELECT count(*) FROM events WHERE ends >= now()"
	    " AND status <> 'draft'", NULL);
	npages = (total + 19) / 20;
	ck_assert_int_ge(npages, 2);
	ck_assert_int_le(npages, 8);
	for (k = 0; k < npages; k++) {
		snprintf(path, sizeof(path), "/events?page=%ld", k + 1);
		pages[k] = http_get(anon, path);
		ck_assert_int_eq(pages[k]->status, 200);
		snprintf(want, sizeof(want), "Page %ld of %ld", k + 1, npages);
		ck_assert(resp_has(pages[k], want));
		ck_assert_int_eq(occurrences(pages[k]->body,
		    "class=\"member-card\""), k + 1 < npages ? 20 :
		    total - 20 * (npages - 1));
	}
	ck_assert(resp_has(pages[0], "rel=\"next\" href=\"/events?page=2\""));
	ck_assert(!resp_has(pages[0], "rel=\"prev\""));
	/* Every event is on exactly one page. */
	for (i = 0; i < 23; i++) {
		snprintf(title, sizeof(title), ">Paged meeting %02ld<", i);
		for (seen = 0, k = 0; k < npages; k++)
			seen += occurrences(pages[k]->body, title);
		ck_assert_int_eq(seen, 1);
	}
	for (k = 0; k < npages; k++)
		resp_free(pages[k]);
	/* A filter is kept from page to page. */
	r = http_get(anon, "/events?kind=conference");
	ck_assert(resp_has(r, "href=\"/events?kind=conference&amp;page=2\""));
	resp_free(r);
	/* Past the end: nothing listed, and a way back. */
	r = http_get(anon, "/events?page=99");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "No events match"));
	ck_assert(resp_has(r, "rel=\"prev\""));
	resp_free(r);

	/* Cal registers for 21 of them: her list has two pages. */
	for (i = 0; i < 21; i++) {
		r = register_for(cal, ids[i]);
		ck_assert_int_eq(r->status, 200);
		resp_free(r);
	}
	total = num("SELECT count(*) FROM registrations r JOIN events e"
	    " ON e.id = r.event WHERE r.email = '" CAL "' AND e.ends >= now()"
	    " AND r.status <> 'cancelled'", NULL);
	r = http_get(cal, "/registrations");
	snprintf(want, sizeof(want), "Page 1 of %ld", (total + 19) / 20);
	ck_assert(resp_has(r, want));
	ck_assert_int_eq(occurrences(r->body, "class=\"member-card\""), 20);
	resp_free(r);
	r = http_get(cal, "/registrations?page=2");
	ck_assert_int_eq(occurrences(r->body, "class=\"member-card\""),
	    total - 20);
	resp_free(r);

	/* One of them is held: it moves to her past registrations. */
	ck_assert_int_eq(node_exec(node, "UPDATE events SET"
	    " starts = '2020-05-01 09:30+00', ends = '2020-05-01 12:00+00'"
	    " WHERE id = $1", 1, (const char *[]){ ids[0] }), 1);
	r = http_get(cal, "/registrations?when=past");
	ck_assert(resp_has(r, "Your past registrations"));
	ck_assert(resp_has(r, ">Paged meeting 00<"));
	ck_assert(resp_has(r, ">Past</strong>"));
	ck_assert(!resp_has(r, "Cancel my place"));
	resp_free(r);
	r = http_get(cal, "/registrations");
	ck_assert(!resp_has(r, ">Paged meeting 00<"));
	resp_free(r);
	for (i = 0; i < 23; i++)
		free(ids[i]);
	client_free(anon);
	client_free(cal);
}
END_TEST

Suite *
event_status_suite(void)
{
	Suite *s = suite_create("event_status");
	TCase *tc = tcase_create("event_status");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc,
	    test_each_status_has_its_tag_on_the_list_and_the_page);
	tcase_add_test(tc, test_one_type_of_place_is_said_not_chosen);
	tcase_add_test(tc,
	    test_confirmation_says_what_when_where_and_how_to_cancel);
	tcase_add_test(tc,
	    test_confirmation_promises_mail_only_when_mail_is_sent);
	tcase_add_test(tc,
	    test_cancelling_asks_first_and_changes_nothing_until_confirmed);
	tcase_add_test(tc, test_a_guest_is_asked_before_cancelling);
	tcase_add_test(tc, test_someone_elses_registration_is_not_found);
	tcase_add_test(tc,
	    test_events_and_registrations_are_shown_a_page_at_a_time);
	suite_add_tcase(s, tc);
	return s;
}
