/*
 * Check-in at the door and the CSV export, against a real node: what the
 * coordinator's phone shows and what the downloaded file holds, byte for
 * byte, and that nobody else can do either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"

Suite	*attendance_suite(void);

static struct node *node;
static char *coord_pw;
static char *member_pw;

#define COORD	"attendance.coord@example.org"
#define MEMBER	"attendance.member@example.org"
#define BOM	"\xef\xbb\xbf"

static void
start(void)
{
	node = node_new("Attendance node", NULL);
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

/* The first value of a query with up to four parameters; the caller frees. */
static char *
sql(const char *q, const char *a, const char *b, const char *c, const char *d)
{
	const char *p[4] = { a, b, c, d };
	int n = d ? 4 : c ? 3 : b ? 2 : a ? 1 : 0;

	return node_sqlv(node, q, n, p);
}

static struct client *
signed_in(const char *email, const char *pw)
{
	return client_as(node, email, pw);
}

/* A published event hosted here with one kind of place; its id. */
static char *
new_event(const char *title, const char *capacity)
{
	char *id;

	id = sql("WITH e AS (INSERT INTO events (id, origin, title, kind,"
	    " starts, ends, region, status) VALUES (gen_random_uuid(),"
	    " (SELECT id FROM node), $1, 'conference',"
	    " '2031-03-14 09:30+00', '2031-03-14 17:00+00', 'North West',"
	    " 'published') RETURNING id),"
	    " p AS (INSERT INTO place_types (event, name, capacity)"
	    " SELECT id, 'In person', $2::integer FROM e RETURNING event)"
	    " SELECT event FROM p", title, capacity, NULL, NULL);
	ck_assert_ptr_nonnull(id);
	return id;
}

/*
 * Registers someone the way the register button does (a place if one is
 * free, otherwise the waiting list); the registration's ref.
 */
static char *
enrol(const char *event, const char *name, const char *org,
    const char *places)
{
	char *email = harness_email("person"), *ref;
	const char *p[5];

	ck_assert_ptr_nonnull(email);
	p[0] = event;
	p[1] = name;
	p[2] = email;
	p[3] = org;
	p[4] = places != NULL ? places : "1";
	ref = node_sqlv(node, "SELECT g.ref FROM place_types pt,"
	    " acorn_register(pt.id, NULL, $2, $3, $4, $5::integer, false,"
	    " gen_random_uuid()::text) AS g WHERE pt.event = $1", 5, p);
	free(email);
	ck_assert_ptr_nonnull(ref);
	return ref;
}

/* Someone with a role and no place, or with a status made by hand. */
static char *
enrol_as(const char *event, const char *name, const char *role,
    const char *status)
{
	char *ref = sql("INSERT INTO registrations (ref, event, place_type,"
	    " name, email, role, status, arrival) SELECT gen_random_uuid(), $1,"
	    " CASE WHEN $3 = 'attendee' THEN (SELECT id FROM place_types"
	    " WHERE event = $1) END, $2, gen_random_uuid() ||"
	    " '@attendance.example.org', $3, $4, nextval('registration_arrival')"
	    " RETURNING ref", event, name, role, status);

	ck_assert_ptr_nonnull(ref);
	return ref;
}

static char *
attended(const char *ref)
{
	char *v = sql("SELECT coalesce(attended::text, 'never') FROM"
	    " registrations WHERE ref = $1", ref, NULL, NULL, NULL);

	ck_assert_ptr_nonnull(v);
	return v;
}

static void
assert_never_attended(const char *ref)
{
	char *v = attended(ref);

	ck_assert_str_eq(v, "never");
	free(v);
}

static struct resp *
get(struct client *c, const char *fmt, const char *id, const char *rest)
{
	char path[1024];

	snprintf(path, sizeof(path), fmt, id, rest ? rest : "");
	return http_get(c, path);
}

/* Presses the button on the check-in page; the page it leads to. */
static struct resp *
press(struct client *c, const char *id, const char *button, const char *ref,
    const char *q, long want_status)
{
	char page[256], action[256], *path;
	struct resp *r, *after;

	snprintf(page, sizeof(page), "/events/%s/checkin", id);
	snprintf(action, sizeof(action), "/events/%s/checkin%s", id, button);
	r = form_post(c, page, action, "id", ref, "q", q, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, want_status);
	if (r->status != 303)
		return r;
	ck_assert_ptr_nonnull(r->location);
	path = strstr(r->location, "/events/");
	ck_assert_ptr_nonnull(path);
	after = http_get(c, path);
	resp_free(r);
	ck_assert_int_eq(after->status, 200);
	return after;
}

START_TEST(test_checkin_search_finds_partial_names_in_any_case)
{
	char *id = new_event("Check-in search day", "10");
	struct client *co = signed_in(COORD, coord_pw);
	struct resp *r;

	free(enrol(id, "Jane Smith", "Bolton CVS", NULL));
	free(enrol(id, "Zoë O'Connor", "Salford Royal", NULL));
	free(enrol(id, "JOHN JONES", NULL, NULL));
	free(enrol(id, "<b>Bold</b> Name", NULL, NULL));
	free(enrol_as(id, "Priya Patel", "speaker", "confirmed"));
	free(enrol_as(id, "Wendy Wait", "attendee", "waiting"));
	free(enrol_as(id, "Una Unconfirmed", "attendee", "unconfirmed"));
	free(enrol_as(id, "Carl Cancel", "attendee", "cancelled"));

	/* Everyone with a place, organisers' speakers too, nobody else. */
	r = get(co, "/events/%s/checkin%s", id, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "0 of 5 checked in"));
	ck_assert(resp_has(r, "Jane Smith"));
	ck_assert(resp_has(r, "Priya Patel"));
	ck_assert(resp_has(r, "Speaker"));
	ck_assert(resp_has(r, "&lt;b&gt;Bold&lt;/b&gt; Name"));
	ck_assert(!resp_has(r, "<b>Bold"));
	ck_assert(!resp_has(r, "Wendy Wait"));
	ck_assert(!resp_has(r, "Una Unconfirmed"));
	ck_assert(!resp_has(r, "Carl Cancel"));
	ck_assert(resp_has(r, "Mark attended: Jane Smith"));
	resp_free(r);

	/* Part of a name, in other capitals. */
	r = get(co, "/events/%s/checkin?q=%s", id, "jAN");
	ck_assert(resp_has(r, "Jane Smith"));
	ck_assert(!resp_has(r, "JOHN JONES"));
	ck_assert(resp_has(r, "1 found for"));
	resp_free(r);
	r = get(co, "/events/%s/checkin?q=%s", id, "smi");
	ck_assert(resp_has(r, "Jane Smith"));
	ck_assert(!resp_has(r, "Zoë O'Connor"));
	resp_free(r);
	r = get(co, "/events/%s/checkin?q=%s", id, "john%20JONES");
	ck_assert(resp_has(r, "JOHN JONES"));
	resp_free(r);
	/* Without the accent or the apostrophe, words in any order. */
	r = get(co, "/events/%s/checkin?q=%s", id, "oconnor%20zoe");
	ck_assert(resp_has(r, "Zoë O'Connor"));
	resp_free(r);
	r = get(co, "/events/%s/checkin?q=%s", id, "O%E2%80%99CONNOR");
	ck_assert(resp_has(r, "Zoë O'Connor"));
	resp_free(r);
	/* By organisation. */
	r = get(co, "/events/%s/checkin?q=%s", id, "salford");
	ck_assert(resp_has(r, "Zoë O'Connor"));
	ck_assert(!resp_has(r, "Jane Smith"));
	resp_free(r);
	/* Someone waiting is not found, and the page says why. */
	r = get(co, "/events/%s/checkin?q=%s", id, "wendy");
	ck_assert(!resp_has(r, "Wendy Wait"));
	ck_assert(resp_has(r, "People on the waiting list are not shown"));
	resp_free(r);
	/* What looks like SQL or a pattern is only text. */
	r = get(co, "/events/%s/checkin?q=%s", id, "%25_%27");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Jane Smith"));
	resp_free(r);
	client_free(co);
	free(id);
}
END_TEST

START_TEST(test_marking_sets_attended_and_the_count_moves)
{
	char *id = new_event("Check-in marking day", "10");
	char *jane = enrol(id, "Jane Marsh", "Wigan Council", "3");
	char *tom = enrol(id, "Tom Marsh", NULL, NULL);
	struct client *co = signed_in(COORD, coord_pw);
	struct resp *r;
	char *at;

	r = get(co, "/events/%s/checkin%s", id, NULL);
	ck_assert(resp_has(r, "0 of 2 checked in"));
	ck_assert(resp_has(r, "0 of 4 places"));
	ck_assert(resp_has(r, "3 places"));
	resp_free(r);

	r = press(co, id, "", jane, "marsh", 303);
	ck_assert(resp_has(r, "Marked Jane Marsh as attended"));
	ck_assert(resp_has(r, "1 of 2 checked in"));
	ck_assert(resp_has(r, "3 of 4 places"));
	/* Back on the same search, with Jane's time and an undo button. */
	ck_assert(resp_has(r, "value=\"marsh\""));
	ck_assert(resp_has(r, "Tom Marsh"));
	ck_assert(resp_has(r, "Checked in at"));
	ck_assert(resp_has(r, "Undo check-in for Jane Marsh"));
	ck_assert(resp_has(r, "Mark attended: Tom Marsh"));
	ck_assert(!resp_has(r, "Mark attended: Jane Marsh"));
	resp_free(r);
	at = attended(jane);
	ck_assert_str_ne(at, "never");
	free(at);
	assert_never_attended(tom);
	at = sql("SELECT count(*) FROM audit_log WHERE action = 'checkin'"
	    " AND subject = $1", jane, NULL, NULL, NULL);
	ck_assert_str_eq(at, "1");
	free(at);

	/* Undo takes it back, and the count with it. */
	r = press(co, id, "/undo", jane, "", 303);
	ck_assert(resp_has(r, "Jane Marsh is no longer marked as attended"));
	ck_assert(resp_has(r, "0 of 2 checked in"));
	ck_assert(resp_has(r, "Mark attended: Jane Marsh"));
	resp_free(r);
	assert_never_attended(jane);
	client_free(co);
	free(jane);
	free(tom);
	free(id);
}
END_TEST

START_TEST(test_marking_twice_keeps_the_first_time)
{
	char *id = new_event("Check-in twice day", "10");
	char *ref = enrol(id, "Sam Twice", NULL, NULL);
	struct client *co = signed_in(COORD, coord_pw);
	struct client *other = signed_in(COORD, coord_pw);
	struct resp *r;
	char *first, *second;

	r = press(co, id, "", ref, "sam", 303);
	ck_assert(resp_has(r, "Marked Sam Twice as attended"));
	resp_free(r);
	first = attended(ref);
	/* A second phone at the door presses it too. */
	r = press(other, id, "", ref, "sam", 303);
	ck_assert(resp_has(r, "Sam Twice was already marked as attended at"));
	ck_assert(resp_has(r, "1 of 1 checked in"));
	resp_free(r);
	second = attended(ref);
	ck_assert_str_eq(first, second);
	free(first);
	free(second);
	client_free(co);
	client_free(other);
	free(ref);
	free(id);
}
END_TEST

START_TEST(test_waiting_unconfirmed_and_cancelled_cannot_be_marked)
{
	char *id = new_event("Check-in refusals day", "1");
	char *held = enrol(id, "Holly Place", NULL, NULL);
	char *wait = enrol(id, "Wendy Wait", NULL, NULL);
	char *unconf = enrol_as(id, "Una Unconfirmed", "attendee",
	    "unconfirmed");
	char *gone = enrol(id, "Carl Cancel", NULL, NULL);
	struct client *co = signed_in(COORD, coord_pw);
	struct resp *r;

	free(sql("SELECT count(*) FROM registrations, acorn_cancel(id)"
	    " WHERE ref = $1", gone, NULL, NULL, NULL));
	r = press(co, id, "", wait, "wendy", 409);
	ck_assert(resp_has(r, "There is a problem"));
	ck_assert(resp_has(r, "Wendy Wait is on the waiting list, so cannot be"
	    " marked as attended"));
	ck_assert(resp_has(r, "0 of 1 checked in"));
	resp_free(r);
	r = press(co, id, "", unconf, "", 409);
	ck_assert(resp_has(r, "Una Unconfirmed has not confirmed their email"));
	resp_free(r);
	r = press(co, id, "", gone, "", 409);
	ck_assert(resp_has(r, "Carl Cancel has cancelled their registration"));
	resp_free(r);
	/* Someone from another event is not on this list. */
	{
		char *other = new_event("Another day", "5");
		char *stranger = enrol(other, "Stan Ger", NULL, NULL);

		r = press(co, id, "", stranger, "", 404);
		ck_assert(resp_has(r, "That person is not registered for this"
		    " event"));
		resp_free(r);
		assert_never_attended(stranger);
		free(stranger);
		free(other);
	}
	assert_never_attended(wait);
	assert_never_attended(unconf);
	assert_never_attended(gone);
	assert_never_attended(held);
	client_free(co);
	free(held);
	free(wait);
	free(unconf);
	free(gone);
	free(id);
}
END_TEST

START_TEST(test_member_cannot_check_in_or_export)
{
	char *id = new_event("Members-only refusal day", "5");
	char *ref = enrol(id, "Mo Member", NULL, NULL);
	struct client *m = signed_in(MEMBER, member_pw);
	struct resp *r;
	char action[256];

	r = get(m, "/events/%s/checkin%s", id, NULL);
	ck_assert_int_eq(r->status, 403);
	ck_assert(!resp_has(r, "Mo Member"));
	resp_free(r);
	snprintf(action, sizeof(action), "/events/%s/checkin", id);
	r = form_post(m, "/profile", action, "id", ref, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	snprintf(action, sizeof(action), "/events/%s/checkin/undo", id);
	r = form_post(m, "/profile", action, "id", ref, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = get(m, "/events/%s/export%s", id, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = get(m, "/events/%s/export.csv?which=all&col=name&col=email%s", id,
	    NULL);
	ck_assert_int_eq(r->status, 403);
	ck_assert(!resp_has(r, "Mo Member"));
	resp_free(r);
	assert_never_attended(ref);
	client_free(m);

	/* Nor can someone who is not signed in. */
	m = client_new(node);
	r = get(m, "/events/%s/export.csv?which=all&col=name%s", id, NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/signin"));
	resp_free(r);
	client_free(m);
	free(ref);
	free(id);
}
END_TEST

START_TEST(test_checkin_without_csrf_token_is_refused)
{
	char *id = new_event("Forged check-in day", "5");
	char *ref = enrol(id, "Fay Forged", NULL, NULL);
	struct client *co = signed_in(COORD, coord_pw);
	struct resp *r;
	char action[256];

	snprintf(action, sizeof(action), "/events/%s/checkin", id);
	r = http_post(co, action, "id", ref, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = http_post(co, action, "id", ref, "csrf",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	assert_never_attended(ref);

	/* Nor can a check-in be undone without one. */
	r = press(co, id, "", ref, "", 303);
	resp_free(r);
	snprintf(action, sizeof(action), "/events/%s/checkin/undo", id);
	r = http_post(co, action, "id", ref, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	{
		char *at = attended(ref);

		ck_assert_str_ne(at, "never");
		free(at);
	}
	client_free(co);
	free(ref);
	free(id);
}
END_TEST

START_TEST(test_attendees_page_links_to_checkin_and_export)
{
	char *id = new_event("Linked tools day", "5");
	struct client *co = signed_in(COORD, coord_pw);
	struct resp *r;
	char href[256];

	r = get(co, "/events/%s/attendees%s", id, NULL);
	ck_assert_int_eq(r->status, 200);
	snprintf(href, sizeof(href), "href=\"/events/%s/checkin\"", id);
	ck_assert(resp_has(r, href));
	snprintf(href, sizeof(href), "href=\"/events/%s/export\"", id);
	ck_assert(resp_has(r, href));
	resp_free(r);
	client_free(co);
	free(id);
}
END_TEST

/*
 * One row of a mix chart as the chart says it in words (its accessible
 * name, from the same figures as its table): "London: Confirmed 2."
 */
static void
assert_mix_row(const struct resp *r, const char *said)
{
	ck_assert_msg(resp_has(r, said), "the mix does not say \"%s\"", said);
}

/*
 * Who is coming, by stakeholder group and region, matches the
 * registrations: members by their profiles (a group of two counts two),
 * a guest as not given, someone registered from another node by that
 * node's region; waiting apart from confirmed; cancelled not at all.
 * Organisers see it on the attendee list, at check-in and on the event
 * page; nobody else does.
 */
START_TEST(test_mix_of_people_counts_groups_and_regions)
{
	char *id = new_event("Mixed voices day", "4");
	struct client *co = signed_in(COORD, coord_pw);
	struct client *me = signed_in(MEMBER, member_pw), *guest;
	struct resp *r;
	char *ref, *sw, page[128], action[160], *csrf, *request, *place;

	free(sql("UPDATE members SET stakeholder = 'gp', region = 'North West'"
	    " WHERE id = (SELECT member FROM accounts WHERE email = $1)"
	    " RETURNING id", COORD, NULL, NULL, NULL));
	free(sql("UPDATE members SET stakeholder = 'citizen',"
	    " region = 'London' WHERE id = (SELECT member FROM accounts"
	    " WHERE email = $1) RETURNING id", MEMBER, NULL, NULL, NULL));
	/* The member and someone with them; the coordinator; a guest. */
	free(sql("SELECT g.ref FROM place_types pt, accounts a,"
	    " acorn_register(pt.id, a.id, 'Mia Member', a.email, NULL, 2,"
	    " false, gen_random_uuid()::text) AS g WHERE pt.event = $1"
	    " AND a.email = $2", id, MEMBER, NULL, NULL));
	free(sql("SELECT g.ref FROM place_types pt, accounts a,"
	    " acorn_register(pt.id, a.id, 'Cora Coord', a.email, NULL, 1,"
	    " false, gen_random_uuid()::text) AS g WHERE pt.event = $1"
	    " AND a.email = $2", id, COORD, NULL, NULL));
	free(enrol(id, "Gus Guest", NULL, NULL));
	/* Full now: one from South West waits; a cancelled one counts not. */
	sw = sql("INSERT INTO known_nodes (id, name, region, self) VALUES"
	    " (gen_random_uuid(), 'Mix South West', 'South West', false)"
	    " RETURNING id", NULL, NULL, NULL, NULL);
	free(sql("INSERT INTO registrations (ref, event, place_type, name,"
	    " email, status, arrival, home, home_member) SELECT"
	    " gen_random_uuid(), $1, pt.id, 'Sam Away', 'sam@away.example.org',"
	    " 'waiting', nextval('registration_arrival'), $2::uuid,"
	    " gen_random_uuid() FROM place_types pt WHERE pt.event = $1"
	    " RETURNING ref", id, sw, NULL, NULL));
	/* A guest gives their group on the form; one that is not a group
	   is refused, and nothing is kept. */
	guest = client_new(node);
	snprintf(page, sizeof(page), "/events/%s", id);
	snprintf(action, sizeof(action), "/events/%s/register", id);
	r = http_get(guest, page);
	csrf = form_field(r->body, "csrf");
	request = form_field(r->body, "request");
	place = form_field(r->body, "place");
	resp_free(r);
	r = http_post(guest, action, "csrf", csrf, "request", request,
	    "place", place, "name", "Vic Volunteer", "email",
	    "vic@guest.example.org", "group", "dragons", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select your role in social prescribing from"
	    " the list"));
	resp_free(r);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM registrations"
	    " WHERE name = 'Vic Volunteer'", NULL), 0);
	r = http_post(guest, action, "csrf", csrf, "request", request,
	    "place", place, "name", "Vic Volunteer", "email",
	    "vic@guest.example.org", "group", "vcse", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	client_free(guest);
	free(csrf);
	free(request);
	free(place);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM registrations"
	    " WHERE name = 'Vic Volunteer' AND stakeholder = 'vcse'", NULL),
	    1);
	/* Confirmed from the link, the event full: they wait. */
	free(sql("UPDATE registrations SET status = 'waiting', arrival ="
	    " nextval('registration_arrival') WHERE name = 'Vic Volunteer'"
	    " RETURNING ref", NULL, NULL, NULL, NULL));
	ref = enrol(id, "Carl Cancelled", NULL, NULL);
	free(sql("UPDATE registrations SET status = 'cancelled' WHERE ref = $1"
	    " RETURNING ref", ref, NULL, NULL, NULL));

	r = get(co, "/events/%s/attendees%s", id, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Who is coming, by stakeholder group"));
	/* Each chart says it all in words, as a screen reader reads it. */
	assert_mix_row(r, "Who is coming, by stakeholder group. GP or primary"
	    " care: Confirmed 1. Link worker or care navigator: none. Social"
	    " care: none. Public health: none. Commissioner: none. Voluntary"
	    " and community sector: Waiting 1. Academic or researcher: none."
	    " Local authority: none. Citizen or patient: Confirmed 2. Not"
	    " given: Confirmed 1, Waiting 1.");
	assert_mix_row(r, "Who is coming, by region. North West: Confirmed 1."
	    " London: Confirmed 2. South West: Waiting 1. Not given:"
	    " Confirmed 1, Waiting 1.");
	/* Every group, to show who is missing; only regions someone is from. */
	ck_assert(!resp_has(r, "Midlands:"));
	/* And its table, for anyone who would rather read numbers. */
	ck_assert(resp_has(r, "class=\"table__name\">Citizen or patient</th>"));
	resp_free(r);
	r = get(co, "/events/%s/checkin%s", id, NULL);
	ck_assert_int_eq(r->status, 200);
	assert_mix_row(r, "London: Confirmed 2. South West: Waiting 1.");
	resp_free(r);
	r = get(co, "/events/%s%s", id, NULL);
	ck_assert_int_eq(r->status, 200);
	assert_mix_row(r, "Citizen or patient: Confirmed 2.");
	resp_free(r);
	/* A member sees the event, not who is coming by group. */
	r = get(me, "/events/%s%s", id, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Who is coming, by stakeholder group"));
	resp_free(r);
	r = get(me, "/events/%s/attendees%s", id, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);

	free(ref);
	free(sw);
	client_free(me);
	client_free(co);
	free(id);
}
END_TEST

/* Two questions, asked in the order access then dietary; their ids. */
static void
ask(const char *id, char **access, char **diet)
{
	*diet = sql("INSERT INTO questions (event, kind, label, position)"
	    " VALUES ($1, 'dietary', 'Dietary needs', 2) RETURNING id", id,
	    NULL, NULL, NULL);
	*access = sql("INSERT INTO questions (event, kind, label, position)"
	    " VALUES ($1, 'access', 'Access needs', 1) RETURNING id", id,
	    NULL, NULL, NULL);
	ck_assert_ptr_nonnull(*diet);
	ck_assert_ptr_nonnull(*access);
}

static void
answer(const char *ref, const char *question, const char *value)
{
	char *ok = sql("INSERT INTO answers (registration, question, value)"
	    " SELECT id, $2::bigint, $3 FROM registrations WHERE ref = $1"
	    " RETURNING 1", ref, question, value, NULL);

	ck_assert_ptr_nonnull(ok);
	free(ok);
}

START_TEST(test_csv_has_the_chosen_columns_quoted_and_safe)
{
	char *id = new_event("Spring \"Forum\"; 2031/../x", "10");
	char *access, *diet, *ann, *bob, *cara, *dev, *smith, *q;
	struct client *co = signed_in(COORD, coord_pw);
	struct resp *r;
	char query[512];

	ask(id, &access, &diet);
	ann = enrol(id, "Ann \"Nan\" Lee", "=1+2", NULL);
	smith = enrol(id, "Smith, John", "\tTab Trust", NULL);
	bob = enrol(id, "Bob Brown", "+44 161", NULL);
	dev = enrol(id, "Dev Doshi", "@SUM(A1)", NULL);
	cara = enrol(id, "Cara Cole", "-5", NULL);
	answer(ann, diet, "No nuts\nNo dairy");
	answer(ann, access, "Step-free\r\naccess");
	answer(bob, diet, "-");
	answer(dev, diet, "Vegan, strictly");
	answer(cara, access, "Hearing loop");

	/* The form offers the questions by their labels. */
	r = get(co, "/events/%s/export%s", id, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Dietary needs"));
	ck_assert(resp_has(r, "Access needs"));
	ck_assert(resp_has(r, "Public listing consent"));
	resp_free(r);

	snprintf(query, sizeof(query), "?col=name&col=organisation&col=q%s"
	    "&which=confirmed", diet);
	r = get(co, "/events/%s/export.csv%s", id, query);
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "Content-Type: text/csv; charset=utf-8"));
	ck_assert(header_has(r, "Content-Disposition: attachment; "
	    "filename=\"Spring-Forum-2031-x-attendees.csv\""));
	ck_assert(header_has(r, "Cache-Control: no-store"));
	/* BOM, header, CRLF, quoting, apostrophes before formulas, by name. */
	ck_assert_str_eq(r->body, BOM
	    "Name,Organisation,Dietary needs\r\n"
	    "\"Ann \"\"Nan\"\" Lee\",'=1+2,\"No nuts\nNo dairy\"\r\n"
	    "Bob Brown,'+44 161,'-\r\n"
	    "Cara Cole,'-5,\r\n"
	    "Dev Doshi,'@SUM(A1),\"Vegan, strictly\"\r\n"
	    "\"Smith, John\",'\tTab Trust,\r\n");
	resp_free(r);

	/* Columns come in the form's order, whatever order they are sent in. */
	snprintf(query, sizeof(query), "?col=q%s&col=q%s&col=places&col=name"
	    "&which=confirmed", diet, access);
	r = get(co, "/events/%s/export.csv%s", id, query);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(r->body, BOM
	    "Name,Places,Access needs,Dietary needs\r\n"
	    "\"Ann \"\"Nan\"\" Lee\",1,\"Step-free\r\naccess\",\"No nuts\n"
	    "No dairy\"\r\n"
	    "Bob Brown,1,,'-\r\n"
	    "Cara Cole,1,Hearing loop,\r\n"
	    "Dev Doshi,1,,\"Vegan, strictly\"\r\n"
	    "\"Smith, John\",1,,\r\n");
	resp_free(r);

	/* A question label that looks like a formula is made safe too. */
	q = sql("UPDATE questions SET label = '=Dietary, needs' WHERE id ="
	    " $1::bigint RETURNING 1", diet, NULL, NULL, NULL);
	free(q);
	snprintf(query, sizeof(query), "?col=q%s&which=confirmed", diet);
	r = get(co, "/events/%s/export.csv%s", id, query);
	ck_assert_ptr_nonnull(strstr(r->body, BOM "\"'=Dietary, needs\"\r\n"));
	resp_free(r);

	client_free(co);
	free(ann);
	free(bob);
	free(cara);
	free(dev);
	free(smith);
	free(access);
	free(diet);
	free(id);
}
END_TEST

START_TEST(test_csv_of_the_waiting_list_is_in_position_order)
{
	char *id = new_event("Waiting list export", "2");
	char *first = enrol(id, "Holly Place", NULL, "2");
	char *zed = enrol(id, "Zed Young", "Leigh", NULL);
	char *amy = enrol(id, "Amy Adams", NULL, "2");
	char *carl = enrol(id, "Carl Cancel", NULL, NULL);
	char *mia = enrol(id, "Mia Moss", NULL, NULL);
	struct client *co = signed_in(COORD, coord_pw);
	struct resp *r;
	char *v;

	v = sql("SELECT count(*) FROM registrations, acorn_cancel(id)"
	    " WHERE ref = $1", carl, NULL, NULL, NULL);
	free(v);
	r = get(co, "/events/%s/export.csv%s", id,
	    "?which=waiting&col=position&col=name&col=places");
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "filename=\"Waiting-list-export-waiting-list"
	    ".csv\""));
	ck_assert_str_eq(r->body, BOM
	    "Name,Places,Waiting list position\r\n"
	    "Zed Young,1,1\r\n"
	    "Amy Adams,2,2\r\n"
	    "Mia Moss,1,3\r\n");
	resp_free(r);

	/* Everyone but the cancelled: places first, then the list in order. */
	r = get(co, "/events/%s/export.csv%s", id,
	    "?which=all&col=name&col=status&col=role&col=public");
	ck_assert_str_eq(r->body, BOM
	    "Name,Role,Status,Public listing consent\r\n"
	    "Holly Place,Attendee,Confirmed,No\r\n"
	    "Zed Young,Attendee,Waiting list,No\r\n"
	    "Amy Adams,Attendee,Waiting list,No\r\n"
	    "Mia Moss,Attendee,Waiting list,No\r\n");
	resp_free(r);

	/* Times are UK time: 12:00 UTC in June is 13:00 in London. */
	free(sql("UPDATE registrations SET created = '2031-06-01 12:00+00',"
	    " attended = '2031-06-01 08:05+00' WHERE ref = $1 RETURNING 1",
	    first, NULL, NULL, NULL));
	r = get(co, "/events/%s/export.csv%s", id,
	    "?which=confirmed&col=name&col=registered&col=attended");
	ck_assert_str_eq(r->body, BOM
	    "Name,Registered at,Attended at\r\n"
	    "Holly Place,2031-06-01 13:00,2031-06-01 09:05\r\n");
	resp_free(r);
	client_free(co);
	free(first);
	free(zed);
	free(amy);
	free(carl);
	free(mia);
	free(id);
}
END_TEST

/* 1 when the checkbox with this value is ticked on the page. */
static int
ticked(const struct resp *r, const char *value)
{
	char pat[64];
	const char *p, *start, *end;

	snprintf(pat, sizeof(pat), "value=\"%s\"", value);
	ck_assert_ptr_nonnull(p = strstr(r->body, pat));
	for (start = p; start > r->body && *start != '<'; start--)
		;
	ck_assert_ptr_nonnull(end = strchr(p, '>'));
	for (p = start; p + 8 <= end; p++)
		if (strncmp(p, " checked", 8) == 0)
			return 1;
	return 0;
}

START_TEST(test_export_without_a_good_choice_says_what_is_wrong)
{
	char *id = new_event("Export mistakes", "5"), *away;
	struct client *co = signed_in(COORD, coord_pw);
	struct resp *r;

	r = get(co, "/events/%s/export.csv%s", id, "?which=confirmed");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Choose at least one column"));
	ck_assert(header_has(r, "Content-Type: text/html"));
	resp_free(r);
	r = get(co, "/events/%s/export.csv%s", id,
	    "?which=confirmed&col=name&col=password");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Choose columns from the list"));
	/* What was ticked stays ticked. */
	ck_assert_int_eq(ticked(r, "name"), 1);
	ck_assert_int_eq(ticked(r, "email"), 0);
	resp_free(r);
	r = get(co, "/events/%s/export.csv%s", id, "?which=everyone&col=name");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Choose who to include"));
	resp_free(r);
	r = get(co, "/events/%s/export.csv%s", id,
	    "?which=confirmed&col=Name%3Cx%3E");
	ck_assert_int_eq(r->status, 422);
	ck_assert(!resp_has(r, "Name<x>"));
	resp_free(r);
	/*
	 * An event another node hosts: its registrations are not here, and
	 * the coordinator is told whose it is.  (A record's origin never
	 * changes, so it is one received as another node's.)
	 */
	away = sql("INSERT INTO events (id, origin, title, kind, starts, ends,"
	    " region, status) VALUES (gen_random_uuid(), gen_random_uuid(),"
	    " 'Hosted elsewhere', 'conference', '2031-03-14 09:30+00',"
	    " '2031-03-14 17:00+00', 'North West', 'published') RETURNING id",
	    NULL, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(away);
	r = get(co, "/events/%s/export.csv%s", away, "?which=all&col=name");
	ck_assert_int_eq(r->status, 403);
	ck_assert(resp_has(r, "it can only be changed there"));
	ck_assert(!resp_has(r, "Name,"));
	resp_free(r);
	r = get(co, "/events/%s/checkin%s", away, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	free(away);
	/* An event that does not exist. */
	r = get(co, "/events/%s/export.csv%s",
	    "6f1c2b3a-9d4e-4f70-8a1b-2c3d4e5f6a7b", "?which=all&col=name");
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	client_free(co);
	free(id);
}
END_TEST

Suite *
attendance_suite(void)
{
	Suite *s = suite_create("attendance");
	TCase *tc = tcase_create("attendance");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_checkin_search_finds_partial_names_in_any_case);
	tcase_add_test(tc, test_marking_sets_attended_and_the_count_moves);
	tcase_add_test(tc, test_marking_twice_keeps_the_first_time);
	tcase_add_test(tc,
	    test_waiting_unconfirmed_and_cancelled_cannot_be_marked);
	tcase_add_test(tc, test_member_cannot_check_in_or_export);
	tcase_add_test(tc, test_checkin_without_csrf_token_is_refused);
	tcase_add_test(tc, test_attendees_page_links_to_checkin_and_export);
	tcase_add_test(tc, test_mix_of_people_counts_groups_and_regions);
	tcase_add_test(tc, test_csv_has_the_chosen_columns_quoted_and_safe);
	tcase_add_test(tc, test_csv_of_the_waiting_list_is_in_position_order);
	tcase_add_test(tc, test_export_without_a_good_choice_says_what_is_wrong);
	suite_add_tcase(s, tc);
	return s;
}
