/*
 * The directory of services against a real node: a coordinator adds an
 * organisation and a listing that people then find by need, day and
 * time; opening times and freshness in words; a save that changes
 * nothing makes no version and moves no checked date; an organisation's
 * manager edits and confirms, other members cannot; bad input changes
 * nothing; two editors of one version get one save and one refusal;
 * received listings are changed only at home; listings past their
 * review are marked and come last; the demo directory loads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"

Suite	*directory_suite(void);

static struct node *node;
static char *coord_pw, *member_pw, *other_pw;

#define COORD		"directory.coord@example.org"
#define MEMBER		"directory.manager@example.org"
#define OTHER		"directory.member@example.org"

static void
start(void)
{
	/* The review cycle steps every second. */
	node = node_new("Directory node", "argon2_memory = 1024\n"
	    "argon2_passes = 1\nthreads = 4\nretention_interval = 1");
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	member_pw = node_user_add(node, MEMBER, "member");
	other_pw = node_user_add(node, OTHER, "member");
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_ptr_nonnull(member_pw);
	ck_assert_ptr_nonnull(other_pw);
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop(void)
{
	node_free(node);
	free(coord_pw);
	free(member_pw);
	free(other_pw);
	node = NULL;
}

static long
num(const char *sql, const char *param)
{
	return node_num(node, sql, param);
}

/* The id at the end of a redirect to /PREFIX/{id}, malloc'd. */
static char *
id_of(const struct resp *r, const char *prefix)
{
	const char *p;

	ck_assert_ptr_nonnull(r);
	ck_assert_msg(r->status == 303, "answered %ld, not a redirect: %.300s",
	    r->status, r->body);
	p = strstr(r->location, prefix);
	ck_assert_ptr_nonnull(p);
	return strndup(p + strlen(prefix), 36);
}

/* A new organisation of name, added by coordinator c: its id. */
static char *
add_org(struct client *c, const char *name)
{
	struct resp *r;
	char *id;

	r = form_post(c, "/organisations/new", "/organisations/new", "title",
	    name, "description", "A charity that brings people together.",
	    "phone", "0161 555 0100", NULL);
	id = id_of(r, "/organisations/");
	resp_free(r);
	return id;
}

/*
 * A new listing of org, by c: open on Tuesdays 10:00 to 12:00 and the
 * second Thursday of the month, for befriending; its id.
 */
static char *
add_service(struct client *c, const char *org, const char *name)
{
	struct resp *r;
	char page[96];
	char *id;

	snprintf(page, sizeof(page), "/services/new?org=%s", org);
	r = form_post(c, page, "/services/new", "org", org, "service", name,
	    "description",
	    "Tea, cake and a chat every week.", "status", "active",
	    "terms", "befriending", "terms", "food", "attend", "in_person",
	    "access", "drop_in", "opens_tu", "10:00", "closes_tu", "12:00",
	    "monthly_week", "2", "monthly_day", "TH", "monthly_opens",
	    "14:00", "monthly_closes", "16:00", "venue", "Village Hall",
	    "address", "1 Church Lane", "town", "Salford", "postcode",
	    "m6 5px", "contact_name", "Ann", "phone", "0161 555 0199",
	    "min_age", "18", "free", "yes", "languages", "English, Polish",
	    "assure", "yes", NULL);
	id = id_of(r, "/services/");
	resp_free(r);
	return id;
}

START_TEST(test_listing_added_found_by_need_and_day_and_shown_in_words)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char *org, *svc, path[96];

	org = add_org(coord, "Friendly Faces Salford");
	svc = add_service(coord, org, "Tuesday tea and chat");

	snprintf(path, sizeof(path), "/services/%s", svc);
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Tuesday tea and chat"));
	ck_assert(resp_has(r, "Friendly Faces Salford"));
	ck_assert(resp_has(r, "Every Tuesday, 10am to 12pm"));
	ck_assert(resp_has(r, "Second Thursday of the month, 2pm to 4pm"));
	ck_assert(resp_has(r, "Checked today by a coordinator"));
	ck_assert(resp_has(r, "Village Hall"));
	ck_assert(resp_has(r, "1 Church Lane, Salford, M6 5PX"));
	ck_assert(resp_has(r, "Ages 18 and over"));
	ck_assert(resp_has(r, "English, Polish"));
	ck_assert(resp_has(r, "Loneliness and befriending"));
	/* Nobody signed in: no way to change it. */
	ck_assert(!resp_has(r, "Yes, it is still correct"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM service_revisions"
	    " WHERE service = $1", svc), 1);

	/* Found by its need and its day, not by another day. */
	r = http_get(anon, "/services?need=befriending&day=TU&at=11:00");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Tuesday tea and chat"));
	ck_assert(resp_has(r, "need Loneliness and befriending"));
	resp_free(r);
	r = http_get(anon, "/services?day=TH");
	ck_assert(resp_has(r, "Tuesday tea and chat"));
	resp_free(r);
	r = http_get(anon, "/services?day=WE");
	ck_assert(!resp_has(r, "Tuesday tea and chat"));
	resp_free(r);
	r = http_get(anon, "/services?day=TU&at=13:00");
	ck_assert(!resp_has(r, "Tuesday tea and chat"));
	resp_free(r);
	r = http_get(anon, "/services?age=12");
	ck_assert(!resp_has(r, "Tuesday tea and chat"));
	resp_free(r);
	r = http_get(anon, "/services?attend=phone&attend=online");
	ck_assert(!resp_has(r, "Tuesday tea and chat"));
	resp_free(r);
	r = http_get(anon, "/services?q=cake&free=yes&access=drop_in");
	ck_assert(resp_has(r, "Tuesday tea and chat"));
	ck_assert(resp_has(r, "free only"));
	resp_free(r);
	/* Hand-made addresses are refused, not guessed at. */
	ck_assert_int_eq(http_get_status(anon, "/services?day=XX"), 400);
	ck_assert_int_eq(http_get_status(anon, "/services?attend=Bad-Code"),
	    400);
	ck_assert_int_eq(http_get_status(anon, "/services?at=25:00"), 400);
	ck_assert_int_eq(http_get_status(anon, "/services?sort=random"), 400);
	ck_assert_int_eq(http_get_status(anon, "/services/not-a-uuid"), 404);
	free(org);
	free(svc);
	client_free(anon);
	client_free(coord);
}
END_TEST

/* A glossary entry's other names find the listings of its need. */
START_TEST(test_search_finds_listings_through_glossary_synonyms)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char *org, *svc;

	org = add_org(coord, "Glossed Org");
	svc = add_service(coord, org, "Knit and natter");
	r = http_get(anon, "/services?q=companionship");
	ck_assert(!resp_has(r, "Knit and natter"));
	resp_free(r);
	r = form_post(coord, "/glossary/new", "/glossary/new", "term",
	    "Befriending", "definition", "Regular company from a volunteer.",
	    "synonyms", "companionship, visiting", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = http_get(anon, "/services?q=companionship");
	ck_assert(resp_has(r, "Knit and natter"));
	resp_free(r);
	free(org);
	free(svc);
	client_free(anon);
	client_free(coord);
}
END_TEST

START_TEST(test_save_without_change_makes_no_version_and_keeps_checked_date)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct resp *r;
	char *org, *svc, path[96], *base, *place;

	org = add_org(coord, "Unchanged Org");
	svc = add_service(coord, org, "Unchanged club");
	place = node_text(node, "SELECT locations[1] FROM services"
	    " WHERE id = $1", svc);
	ck_assert_int_eq(node_exec(node, "UPDATE services SET assured_date ="
	    " current_date - 21 WHERE id = $1", 1,
	    (const char *[]){ svc }), 1);
	base = node_text(node, "SELECT version FROM services WHERE id = $1",
	    svc);

	/* The edit form sent back as it came, without the box ticked. */
	snprintf(path, sizeof(path), "/services/%s/edit", svc);
	r = form_post(coord, path, path, "base", base, "service",
	    "Unchanged club", "description", "Tea, cake and a chat every week.",
	    "status", "active", "terms", "befriending", "terms", "food",
	    "attend", "in_person", "access", "drop_in", "opens_tu", "10:00",
	    "closes_tu", "12:00", "monthly_week", "2", "monthly_day", "TH",
	    "monthly_opens", "14:00", "monthly_closes", "16:00", "locations",
	    place, "contact_name", "Ann", "phone",
	    "0161 555 0199", "min_age", "18", "free", "yes", "languages",
	    "English, Polish", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT version FROM services WHERE id = $1",
	    svc), strtol(base, NULL, 10));
	ck_assert_int_eq(num("SELECT count(*) FROM service_revisions"
	    " WHERE service = $1", svc), 1);
	ck_assert_int_eq(num("SELECT current_date - assured_date FROM services"
	    " WHERE id = $1", svc), 21);
	snprintf(path, sizeof(path), "/services/%s", svc);
	r = http_get(coord, path);
	ck_assert(resp_has(r, "Checked 3 weeks ago by a coordinator"));
	resp_free(r);

	/* A real change: a new version and a revision, the date kept. */
	snprintf(path, sizeof(path), "/services/%s/edit", svc);
	r = form_post(coord, path, path, "base", base, "service",
	    "Unchanged club", "description", "Tea and a chat every week.",
	    "status", "active", "opens_tu", "10:00", "closes_tu", "12:00",
	    "summary", "No more cake", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT version FROM services WHERE id = $1",
	    svc), strtol(base, NULL, 10) + 1);
	ck_assert_int_eq(num("SELECT count(*) FROM service_revisions"
	    " WHERE service = $1 AND summary = 'No more cake'", svc), 1);
	/* The history says what each version changed, in words. */
	snprintf(path, sizeof(path), "/services/%s/history", svc);
	r = http_get(coord, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "No more cake"));
	ck_assert(resp_has(r, "Tea, cake and a chat every week."));
	ck_assert(resp_has(r, "Tea and a chat every week."));
	ck_assert(resp_has(r, "Loneliness and befriending"));
	ck_assert(resp_has(r, "The listing as first saved."));
	resp_free(r);
	ck_assert_int_eq(num("SELECT current_date - assured_date FROM services"
	    " WHERE id = $1", svc), 21);
	free(place);
	free(base);
	free(org);
	free(svc);
	client_free(coord);
}
END_TEST

START_TEST(test_manager_edits_and_confirms_other_members_cannot)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *manager = client_as(node, MEMBER, member_pw);
	struct client *other = client_as(node, OTHER, other_pw);
	struct resp *r;
	char *org, *svc, path[96], action[96], *tok;

	org = add_org(coord, "Managed Org");
	svc = add_service(coord, org, "Managed group");
	ck_assert_int_eq(node_exec(node, "UPDATE services SET assured_date ="
	    " current_date - 200 WHERE id = $1", 1,
	    (const char *[]){ svc }), 1);

	/* Not yet a manager: a suggestion, no confirming, no adding. */
	snprintf(path, sizeof(path), "/services/%s/edit", svc);
	r = http_get(manager, path);
	ck_assert(resp_has(r, "Suggest a change to"));
	resp_free(r);
	snprintf(path, sizeof(path), "/services/new?org=%s", org);
	ck_assert_int_eq(http_get_status(manager, path), 403);
	snprintf(path, sizeof(path), "/services/%s", svc);
	snprintf(action, sizeof(action), "/services/%s/confirm", svc);
	tok = page_csrf(manager, "/services");
	ck_assert_ptr_nonnull(tok);
	r = http_post(manager, action, "csrf", tok, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	free(tok);
	ck_assert_int_eq(num("SELECT current_date - assured_date FROM services"
	    " WHERE id = $1", svc), 200);
	/* Members cannot name managers either. */
	snprintf(path, sizeof(path), "/organisations/%s", org);
	snprintf(action, sizeof(action), "/organisations/%s/managers", org);
	tok = page_csrf(manager, "/services");
	r = http_post(manager, action, "csrf", tok, "email", MEMBER, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	free(tok);

	/* The coordinator names them; an unknown email changes nothing. */
	r = form_post(coord, path, action, "email", "nobody@example.org",
	    NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "No member has that email address"));
	resp_free(r);
	r = form_post(coord, path, action, "email", MEMBER, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM organisation_managers"
	    " WHERE organisation = $1", org), 1);

	/* Now the manager sees the question and says it is still right. */
	snprintf(path, sizeof(path), "/services/%s", svc);
	r = http_get(manager, path);
	ck_assert(resp_has(r, "Yes, it is still correct"));
	ck_assert(resp_has(r, "Not checked for 6 months"));
	ck_assert(resp_has(r, "Due for review"));
	resp_free(r);
	snprintf(action, sizeof(action), "/services/%s/confirm", svc);
	r = form_post(manager, path, action, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = http_get(manager, path);
	ck_assert(resp_has(r, "Checked today by the organisation"));
	ck_assert(!resp_has(r, "Due for review"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM service_revisions"
	    " WHERE service = $1 AND summary = 'Confirmed as correct'", svc),
	    1);
	/* Another member still cannot. */
	r = http_get(other, path);
	ck_assert(!resp_has(r, "Yes, it is still correct"));
	resp_free(r);
	/* Their edit is a suggestion; the manager's is the listing. */
	snprintf(path, sizeof(path), "/services/%s/edit", svc);
	r = http_get(other, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Suggest a change to"));
	ck_assert(!resp_has(r, "I have checked that everything"));
	resp_free(r);
	r = http_get(manager, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Suggest a change to"));
	resp_free(r);
	/* Removing asks first; only those who look after it may. */
	snprintf(path, sizeof(path), "/services/%s/remove", svc);
	ck_assert_int_eq(http_get_status(other, path), 403);
	r = http_get(manager, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Remove Managed group from the directory?"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM services WHERE id = $1"
	    " AND NOT deleted", svc), 1);
	r = form_post(manager, path, path, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	/* Its content gone, and a signed tombstone to tell the network. */
	ck_assert(node_wait(node, "SELECT EXISTS (SELECT 1 FROM services"
	    " WHERE id = $1 AND deleted AND name IS NULL"
	    " AND entry LIKE '<at:deleted-entry%')", svc, 10000));
	snprintf(path, sizeof(path), "/services/%s", svc);
	ck_assert_int_eq(http_get_status(other, path), 404);
	free(org);
	free(svc);
	client_free(other);
	client_free(manager);
	client_free(coord);
}
END_TEST

/*
 * Bad fields of a new listing (key and value, and key2 and value2 when
 * key2 is not NULL): 422 with the message, nothing kept.  The name and
 * status every listing needs are sent too, but for the one refused: a
 * field sent twice counts once.
 */
static void
refused(struct client *c, const char *page, const char *key,
    const char *value, const char *key2, const char *value2,
    const char *message)
{
	struct resp *r;
	int own = strcmp(key, "service") == 0 || strcmp(key, "status") == 0;

	r = form_post(c, page, "/services/new", "org", page + 18,
	    "description", "Should never be stored.",
	    "service", strcmp(key, "service") == 0 ? value : "Refused service",
	    "status", strcmp(key, "status") == 0 ? value : "active",
	    own ? "alert" : key, own ? "" : value, key2, value2, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(r->status == 422, "%s=%s answered %ld", key, value,
	    r->status);
	ck_assert_msg(resp_has(r, message), "%s=%s: no \"%s\"", key, value,
	    message);
	resp_free(r);
}

START_TEST(test_bad_listing_refused_with_its_reason_and_nothing_stored)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	char *org, page[96];
	long before = num("SELECT count(*) FROM services", NULL);
	long places = num("SELECT count(*) FROM locations", NULL);

	org = add_org(coord, "Refusals Org");
	snprintf(page, sizeof(page), "/services/new?org=%s", org);
	refused(coord, page, "opens_mo", "09:00", "closes_mo", "08:00",
	    "Closing time must be after the opening time");
	refused(coord, page, "opens_tu", "10:00", NULL, NULL,
	    "Enter when it closes as well as when it opens");
	refused(coord, page, "opens_we", "25:00", "closes_we", "26:00",
	    "Enter a time like 09:30");
	refused(coord, page, "attend", "teleport", NULL, NULL,
	    "Select how people take part from the list");
	refused(coord, page, "terms", "no_such_need", NULL, NULL,
	    "Select needs and activities from the list");
	refused(coord, page, "max_age", "130", NULL, NULL,
	    "Oldest age must be 120 or less");
	refused(coord, page, "min_age", "40", "max_age", "30",
	    "Oldest age must be the same as or more than the youngest age");
	refused(coord, page, "postcode", "NOT A CODE", NULL, NULL,
	    "Enter a full UK postcode");
	refused(coord, page, "website", "javascript:alert(1)", NULL, NULL,
	    "Enter a website address starting with https://");
	refused(coord, page, "monthly_week", "5", "monthly_day", "TU",
	    "Select the week of the month");
	refused(coord, page, "hours_note", "Not in August", NULL, NULL,
	    "Give the days and times it runs as well");
	refused(coord, page, "languages", "a, b, c, d, e, f, g, h, i, j, k, l,"
	    " m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, bb, cc, dd, ee",
	    NULL, NULL, "Give up to 30 languages");
	refused(coord, page, "status", "gone", NULL, NULL,
	    "Select the status from the list");
	refused(coord, page, "service", "", NULL, NULL,
	    "Enter the name of the service");
	ck_assert_int_eq(num("SELECT count(*) FROM services", NULL), before);
	ck_assert_int_eq(num("SELECT count(*) FROM locations", NULL), places);
	/* A listing of an organisation that does not exist. */
	ck_assert_int_eq(http_get_status(coord, "/services/new?org="
	    "00000000-0000-4000-8000-000000000000"), 404);
	free(org);
	client_free(coord);
}
END_TEST

/* Two people edit from the same version: one save, one refusal. */
START_TEST(test_two_editors_of_one_version_get_one_save_and_one_refusal)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct resp *a, *b;
	char *org, *svc, *base, path[96];

	org = add_org(coord, "Conflict Org");
	svc = add_service(coord, org, "Contested club");
	base = node_text(node, "SELECT version FROM services WHERE id = $1",
	    svc);
	snprintf(path, sizeof(path), "/services/%s/edit", svc);
	a = form_post(coord, path, path, "base", base, "service",
	    "Contested club", "description", "First editor's words.",
	    "status", "active", NULL);
	b = form_post(coord, path, path, "base", base, "service",
	    "Contested club", "description", "Second editor's words.",
	    "status", "active", NULL);
	ck_assert_int_eq(a->status, 303);
	ck_assert_int_eq(b->status, 422);
	ck_assert(resp_has(b, "Someone else changed this listing"));
	/* What the second typed is shown again, not lost. */
	ck_assert(resp_has(b, "Second editor&#39;s words.") ||
	    resp_has(b, "Second editor's words."));
	ck_assert_int_eq(num("SELECT count(*) FROM services WHERE id = $1"
	    " AND description = 'First editor''s words.'", svc), 1);
	resp_free(a);
	resp_free(b);
	free(base);
	free(org);
	free(svc);
	client_free(coord);
}
END_TEST

/* A listing from another node is changed only there. */
START_TEST(test_received_listing_is_not_changed_here)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct resp *r;
	const char *id = "5e1f0c1e-0000-4000-8000-00000000beef";
	char path[96];

	ck_assert_int_eq(node_exec(node, "INSERT INTO services (id, origin,"
	    " name, description, status, assured_date, assured_by)"
	    " VALUES ($1, '0badc0de-0000-4000-8000-000000000001',"
	    " 'Received befriending', 'From another region.', 'active',"
	    " current_date - 10, 'organisation')", 1,
	    (const char *[]){ id }), 1);
	snprintf(path, sizeof(path), "/services/%s", id);
	r = http_get(coord, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Checked 10 days ago by the organisation"));
	ck_assert(!resp_has(r, "Yes, it is still correct"));
	resp_free(r);
	snprintf(path, sizeof(path), "/services/%s/edit", id);
	ck_assert_int_eq(http_get_status(coord, path), 403);
	snprintf(path, sizeof(path), "/services/%s/confirm", id);
	r = form_post(coord, "/services", path, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(num("SELECT current_date - assured_date FROM services"
	    " WHERE id = $1", id), 10);
	client_free(coord);
}
END_TEST

/* The freshness every list shows, and those past review come last. */
START_TEST(test_listings_past_review_are_marked_and_come_last)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char *org, *fresh, *due, *overdue;
	const char *a, *b, *c;

	org = add_org(coord, "Freshness Org");
	overdue = add_service(coord, org, "Aardvark overdue group");
	due = add_service(coord, org, "Badger due group");
	fresh = add_service(coord, org, "Zebra fresh group");
	ck_assert_int_eq(node_exec(node, "UPDATE services SET assured_date ="
	    " (current_date - interval '6 months')::date - 10 WHERE id = $1", 1,
	    (const char *[]){ due }), 1);
	ck_assert_int_eq(node_exec(node, "UPDATE services SET assured_date ="
	    " current_date - interval '8 months' WHERE id = $1", 1,
	    (const char *[]){ overdue }), 1);
	r = http_get(anon, "/services");
	ck_assert_int_eq(r->status, 200);
	a = strstr(r->body, "Aardvark overdue group");
	b = strstr(r->body, "Badger due group");
	c = strstr(r->body, "Zebra fresh group");
	ck_assert(a != NULL && b != NULL && c != NULL);
	/* Due still ranks by name; overdue goes after the rest. */
	ck_assert(b < c);
	ck_assert(c < a);
	ck_assert(resp_has(r, "Not checked for 6 months"));
	ck_assert(resp_has(r, "Not checked for 8 months"));
	ck_assert(resp_has(r, "Overdue for review"));
	resp_free(r);
	/* Most recently checked first, on request. */
	r = http_get(anon, "/services?sort=fresh");
	ck_assert(strstr(r->body, "Zebra fresh group") <
	    strstr(r->body, "Badger due group"));
	resp_free(r);
	free(org);
	free(fresh);
	free(due);
	free(overdue);
	client_free(anon);
	client_free(coord);
}
END_TEST

/* Anonymous visitors read; they add, edit and confirm nothing. */
START_TEST(test_visitors_read_but_change_nothing)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char *org, *svc, path[96];

	org = add_org(coord, "Visitors Org");
	svc = add_service(coord, org, "Visitors club");
	snprintf(path, sizeof(path), "/organisations/%s", org);
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Visitors club"));
	ck_assert(!resp_has(r, "Add a service"));
	ck_assert(!resp_has(r, "Managers"));
	resp_free(r);
	r = http_get(anon, "/organisations");
	ck_assert(resp_has(r, "Visitors Org"));
	resp_free(r);
	snprintf(path, sizeof(path), "/services/new?org=%s", org);
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(node_exec(node, "UPDATE services SET assured_date ="
	    " current_date - 30 WHERE id = $1", 1,
	    (const char *[]){ svc }), 1);
	snprintf(path, sizeof(path), "/services/%s/confirm", svc);
	r = http_post(anon, path, "csrf", "x", NULL);
	ck_assert_int_ne(r->status, 200);
	resp_free(r);
	ck_assert_int_eq(num("SELECT current_date - assured_date FROM services"
	    " WHERE id = $1", svc), 30);
	ck_assert_int_eq(http_get_status(anon, "/organisations/new"), 303);
	free(org);
	free(svc);
	client_free(anon);
	client_free(coord);
}
END_TEST


/* The "still correct" link in the last mail to email, malloc'd. */
static char *
check_link(const char *email, const char *subject)
{
	const char *p[2] = { email, subject };
	char *body, *at, *link = NULL;

	body = node_sqlv(node, "SELECT body FROM outbox WHERE recipient = $1"
	    " AND subject = $2 ORDER BY id DESC LIMIT 1", 2, p);
	if (body != NULL && (at = strstr(body, "/services/check/")) != NULL)
		link = strndup(at, strlen("/services/check/") +
		    strspn(at + strlen("/services/check/"),
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_"));
	free(body);
	return link;
}

START_TEST(test_review_cycle_asks_reminds_escalates_and_a_click_confirms)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char *org, *svc, *link, *second, path[96];
	const char *ask = "Is your listing still right?";
	const char *remind = "Reminder: is your listing still right?";

	org = add_org(coord, "Review Cycle Org");
	svc = add_service(coord, org, "Review cycle club");
	ck_assert_int_eq(node_exec(node, "INSERT INTO organisation_managers"
	    " (organisation, account) SELECT $1::uuid, id FROM accounts"
	    " WHERE email = '" MEMBER "'", 1, (const char *[]){ org }), 1);
	/* Not due: nobody is asked. */
	ck_assert(!node_wait(node, "SELECT EXISTS (SELECT 1 FROM"
	    " service_reviews WHERE service = $1)", svc, 2500));

	/* Checked 200 days ago: due, so its manager is asked. */
	ck_assert_int_eq(node_exec(node, "UPDATE services SET assured_date ="
	    " current_date - 200 WHERE id = $1", 1,
	    (const char *[]){ svc }), 1);
	ck_assert(node_wait(node, "SELECT EXISTS (SELECT 1 FROM outbox"
	    " WHERE recipient = '" MEMBER "' AND subject = 'Is your listing"
	    " still right?' AND strpos(body, 'Review cycle club') > 0)", NULL,
	    10000));
	link = check_link(MEMBER, ask);
	ck_assert_ptr_nonnull(link);
	ck_assert_uint_eq(strlen(link), strlen("/services/check/") + 43);
	/* Asked once, not again each time the worker wakes. */
	ck_assert(!node_wait(node, "SELECT count(*) > 1 FROM outbox"
	    " WHERE recipient = '" MEMBER "' AND strpos(body,"
	    " 'Review cycle club') > 0", NULL, 2500));

	/* Two weeks on: reminded, with a link of its own. */
	ck_assert_int_eq(node_exec(node, "UPDATE service_reviews SET asked ="
	    " asked - interval '15 days' WHERE service = $1", 1,
	    (const char *[]){ svc }), 1);
	ck_assert(node_wait(node, "SELECT EXISTS (SELECT 1 FROM outbox"
	    " WHERE recipient = '" MEMBER "' AND subject = 'Reminder: is your"
	    " listing still right?')", NULL, 10000));
	second = check_link(MEMBER, remind);
	ck_assert_ptr_nonnull(second);
	ck_assert_str_ne(second, link);

	/* Four weeks on: escalated; the coordinators' queue says so. */
	ck_assert_int_eq(node_exec(node, "UPDATE service_reviews SET asked ="
	    " asked - interval '14 days' WHERE service = $1", 1,
	    (const char *[]){ svc }), 1);
	ck_assert(node_wait(node, "SELECT escalated IS NOT NULL FROM"
	    " service_reviews WHERE service = $1", svc, 10000));
	r = http_get(coord, "/services/review");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Review cycle club"));
	ck_assert(resp_has(r, "Managers asked and reminded, with no answer"));
	resp_free(r);
	/* Members do not see the queue. */
	{
		struct client *m = client_as(node, OTHER, other_pw);

		ck_assert_int_eq(http_get_status(m, "/services/review"), 403);
		client_free(m);
	}

	/* Opening the link (as a mail scanner would) changes nothing. */
	r = http_get(anon, link);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Review cycle club"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT current_date - assured_date FROM services"
	    " WHERE id = $1", svc), 200);
	/* Its button confirms, signed out, as the organisation. */
	r = form_post(anon, link, link, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "checked today"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT (assured_date = current_date AND"
	    " assured_by = 'organisation')::int FROM services WHERE id = $1",
	    svc), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM service_revisions"
	    " WHERE service = $1 AND summary = 'Confirmed as correct'", svc),
	    1);
	/* Once only; and the cycle's other link stopped working with it. */
	snprintf(path, sizeof(path), "/services/%s/report", svc);
	r = form_post(anon, path, link, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, 410);
	resp_free(r);
	ck_assert_int_eq(http_get_status(anon, second), 410);
	snprintf(path, sizeof(path), "/services/%s", svc);
	r = http_get(anon, path);
	ck_assert(resp_has(r, "Checked today by the organisation"));
	resp_free(r);
	/* Links that never were, or of the wrong shape. */
	ck_assert_int_eq(http_get_status(anon, "/services/check/"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 404);
	ck_assert_int_eq(http_get_status(anon, "/services/check/short"), 404);
	ck_assert_int_eq(http_get_status(anon, "/services/check/"
	    "%3Cscript%3EAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 404);
	free(second);
	free(link);
	free(org);
	free(svc);
	client_free(anon);
	client_free(coord);
}
END_TEST

START_TEST(test_expired_check_link_confirms_nothing)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char *org, *svc;
	/* The SHA-256 of the link's 43 characters after /services/check/. */
	const char *tok = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

	org = add_org(coord, "Expired Link Org");
	svc = add_service(coord, org, "Expired link club");
	ck_assert_int_eq(node_exec(node, "UPDATE services SET assured_date ="
	    " current_date - 100 WHERE id = $1", 1,
	    (const char *[]){ svc }), 1);
	ck_assert_int_eq(node_exec(node, "INSERT INTO service_checks"
	    " (token_hash, service, expires) VALUES (encode(sha256($1::bytea),"
	    " 'hex'), $2::uuid, now() - interval '1 minute')", 2,
	    (const char *[]){ tok, svc }), 1);
	r = http_get(anon, "/services/check/"
	    "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
	ck_assert_int_eq(r->status, 410);
	resp_free(r);
	ck_assert_int_eq(num("SELECT current_date - assured_date FROM services"
	    " WHERE id = $1", svc), 100);
	free(org);
	free(svc);
	client_free(anon);
	client_free(coord);
}
END_TEST

START_TEST(test_report_changes_nothing_reaches_managers_queue_and_is_throttled)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char *org, *svc, *version, path[96], *report;
	int i, refused = 0;

	org = add_org(coord, "Reported Org");
	svc = add_service(coord, org, "Reported walk");
	ck_assert_int_eq(node_exec(node, "INSERT INTO organisation_managers"
	    " (organisation, account) SELECT $1::uuid, id FROM accounts"
	    " WHERE email = '" MEMBER "'", 1, (const char *[]){ org }), 1);
	version = node_text(node, "SELECT version FROM services WHERE id = $1",
	    svc);
	snprintf(path, sizeof(path), "/services/%s/report", svc);

	/* What is wrong must be said, from the list. */
	r = form_post(anon, path, path, "topic", "aliens", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select what is wrong from the list"));
	resp_free(r);
	r = form_post(anon, path, path, "topic", "other", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Say what is wrong"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM service_reports"
	    " WHERE service = $1", svc), 0);

	r = form_post(anon, path, path, "topic", "hours", "details",
	    "It moved to Wednesdays <b>from May</b>", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Thank you for reporting the problem"));
	resp_free(r);
	/* The listing is as it was, marked reported. */
	ck_assert_int_eq(num("SELECT version FROM services WHERE id = $1",
	    svc), strtol(version, NULL, 10));
	snprintf(path, sizeof(path), "/services/%s", svc);
	r = http_get(anon, path);
	ck_assert(resp_has(r, "Problem reported"));
	ck_assert(resp_has(r, "Every Tuesday, 10am to 12pm"));
	resp_free(r);
	/* Its manager is told, and the coordinators' queue holds it. */
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE recipient ="
	    " $1 AND subject = 'A problem was reported with your listing'"
	    " AND strpos(body, 'It moved to Wednesdays') > 0", MEMBER), 1);
	r = http_get(coord, "/services/review");
	ck_assert(resp_has(r, "Reported walk"));
	ck_assert(resp_has(r, "The days or times are wrong"));
	ck_assert(resp_has(r, "It moved to Wednesdays &lt;b&gt;from May&lt;/b&gt;"));
	resp_free(r);
	report = node_text(node, "SELECT id FROM service_reports"
	    " WHERE service = $1", svc);
	r = form_post(coord, "/services/review", "/services/review", "report",
	    report, "outcome", "corrected", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = http_get(anon, path);
	ck_assert(!resp_has(r, "Problem reported"));
	resp_free(r);
	/* Bad outcomes and reports that are not are refused. */
	r = form_post(coord, "/services/review", "/services/review", "report",
	    report, "outcome", "deleted", NULL);
	ck_assert_int_eq(r->status, 400);
	resp_free(r);

	/* One address cannot flood the managers: it is made to wait. */
	snprintf(path, sizeof(path), "/services/%s/report", svc);
	for (i = 0; i < 8 && !refused; i++) {
		r = form_post(anon, path, path, "topic", "phone", NULL);
		ck_assert(r->status == 200 || r->status == 429);
		refused = r->status == 429;
		resp_free(r);
	}
	ck_assert(refused);
	ck_assert_int_le(num("SELECT count(*) FROM service_reports"
	    " WHERE service = $1", svc), 6);
	ck_assert_int_eq(http_get_status(anon, "/services/"
	    "00000000-0000-4000-8000-000000000000/report"), 404);
	free(report);
	free(version);
	free(org);
	free(svc);
	client_free(anon);
	client_free(coord);
}
END_TEST

/* A member's change is a suggestion: nothing changes until accepted. */
START_TEST(test_suggestions_change_nothing_until_accepted_or_rejected)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *other = client_as(node, OTHER, other_pw);
	struct resp *r;
	char *org, *svc, *base, *first, *second, path[96], page[96], *place;

	org = add_org(coord, "Suggestions Org");
	svc = add_service(coord, org, "Suggested swim");
	place = node_text(node, "SELECT locations[1] FROM services"
	    " WHERE id = $1", svc);
	base = node_text(node, "SELECT version FROM services WHERE id = $1",
	    svc);
	snprintf(path, sizeof(path), "/services/%s/edit", svc);
	/* Sent back unchanged, it is refused: there is nothing to check. */
	r = form_post(other, path, path, "base", base, "service",
	    "Suggested swim", "description", "Tea, cake and a chat every week.",
	    "status", "active", "terms", "befriending", "terms", "food",
	    "attend", "in_person", "access", "drop_in", "opens_tu", "10:00",
	    "closes_tu", "12:00", "monthly_week", "2", "monthly_day", "TH",
	    "monthly_opens", "14:00", "monthly_closes", "16:00", "locations",
	    place, "contact_name", "Ann", "phone",
	    "0161 555 0199", "min_age", "18", "free", "yes", "languages",
	    "English, Polish", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "You have not changed anything"));
	resp_free(r);
	/* A real change, with a new place: kept aside. */
	r = form_post(other, path, path, "base", base, "service",
	    "Suggested swim", "description", "Now on Wednesdays.", "status",
	    "active", "opens_we", "10:00", "closes_we", "11:30", "venue",
	    "Leisure Centre", "address", "2 Pool Road", "town", "Salford",
	    "postcode", "M6 5PY", "summary", "It moved", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "your suggestion was sent"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT version FROM services WHERE id = $1",
	    svc), strtol(base, NULL, 10));
	ck_assert_int_eq(num("SELECT count(*) FROM services WHERE id = $1"
	    " AND description = 'Tea, cake and a chat every week.'", svc), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM locations WHERE"
	    " address_1 = '2 Pool Road'", NULL), 0);
	first = node_text(node, "SELECT id FROM service_suggestions"
	    " WHERE service = $1", svc);

	/* The queue lists it; the suggestion page shows both sides. */
	r = http_get(coord, "/services/review");
	ck_assert(resp_has(r, "Change to <span>Suggested swim</span>") ||
	    resp_has(r, "Suggested swim"));
	resp_free(r);
	snprintf(page, sizeof(page), "/services/suggestions/%s", first);
	r = http_get(coord, page);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Tea, cake and a chat every week."));
	ck_assert(resp_has(r, "Now on Wednesdays."));
	ck_assert(resp_has(r, "Every Tuesday, 10am to 12pm"));
	ck_assert(resp_has(r, "Every Wednesday, 10am to 11:30am"));
	ck_assert(resp_has(r, "2 Pool Road, Salford, M6 5PY"));
	/* Fields not changed are not shown. */
	ck_assert(!resp_has(r, ">Status<"));
	ck_assert(!resp_has(r, ">Name<"));
	resp_free(r);
	/* Its author cannot decide it. */
	ck_assert_int_eq(http_get_status(other, page), 403);
	r = form_post(other, path, page, "step", "accept", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	/* Rejecting needs a reason. */
	r = form_post(coord, page, page, "step", "reject", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Say why"));
	resp_free(r);

	/* Accepted: the listing and its place become what it says. */
	r = form_post(coord, page, page, "step", "accept", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT version FROM services WHERE id = $1",
	    svc), strtol(base, NULL, 10) + 1);
	snprintf(path, sizeof(path), "/services/%s", svc);
	r = http_get(other, path);
	ck_assert(resp_has(r, "Now on Wednesdays."));
	ck_assert(resp_has(r, "Every Wednesday, 10am to 11:30am"));
	ck_assert(resp_has(r, "2 Pool Road, Salford, M6 5PY"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM service_revisions WHERE"
	    " service = $1 AND summary = 'Suggested by a member: It moved'",
	    svc), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE recipient = $1"
	    " AND subject = 'Your suggested change to a listing'"
	    " AND strpos(body, 'It was accepted') > 0", OTHER), 1);

	/* A second suggestion, made stale by an edit, cannot be accepted. */
	free(base);
	base = node_text(node, "SELECT version FROM services WHERE id = $1",
	    svc);
	snprintf(path, sizeof(path), "/services/%s/edit", svc);
	r = form_post(other, path, path, "base", base, "service",
	    "Suggested swim", "description", "Closed in August.", "status",
	    "active", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	second = node_text(node, "SELECT max(id) FROM service_suggestions"
	    " WHERE service = $1", svc);
	ck_assert_int_eq(node_exec(node, "UPDATE services SET alert ="
	    " 'Pool closed for repairs' WHERE id = $1", 1,
	    (const char *[]){ svc }), 1);
	snprintf(page, sizeof(page), "/services/suggestions/%s", second);
	r = form_post(coord, page, page, "step", "accept", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "The listing has changed since this was "
	    "suggested"));
	resp_free(r);
	r = form_post(coord, page, page, "step", "reject", "reason",
	    "It is only closed for one week.", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM services WHERE id = $1"
	    " AND description = 'Now on Wednesdays.'", svc), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE recipient = $1"
	    " AND strpos(body, 'It is only closed for one week.') > 0", OTHER),
	    1);
	/* Decided once. */
	r = form_post(coord, page, page, "step", "accept", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM services WHERE id = $1"
	    " AND description = 'Now on Wednesdays.'", svc), 1);
	ck_assert_int_eq(http_get_status(coord, "/services/suggestions/x"),
	    404);
	free(place);
	free(first);
	free(second);
	free(base);
	free(org);
	free(svc);
	client_free(other);
	client_free(coord);
}
END_TEST

/* Writes text to a file of the test run's; its path, malloc'd. */
static char *
run_file(const char *name, const char *text)
{
	char *path;
	FILE *f;

	ck_assert_int_ne(asprintf(&path, "%s/%s", getenv("ACORN_TEST_VAR"),
	    name), -1);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

START_TEST(test_postcodes_imported_and_services_found_near_one)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char *org, *near, *far, *bad, *good, *broken;
	const char *a, *b;

	/* A file without the columns changes nothing, and says so. */
	broken = run_file("postcodes-broken.csv", "postcode,latitude\n"
	    "\"ZE1 0AA\",60.15,-1.14\n");
	ck_assert_int_eq(node_run(node, "postcodes", "import", broken, NULL),
	    1);
	ck_assert_int_eq(num("SELECT count(*) FROM postcodes WHERE"
	    " postcode LIKE 'ZE%'", NULL), 0);
	bad = run_file("postcodes-open-quote.csv", "pcds,lat,long,doterm\n"
	    "\"ZE1 0AB\",60.15,-1.14,\n\"ZE1 0AC,60.15,-1.14,\n");
	ck_assert_int_eq(node_run(node, "postcodes", "import", bad, NULL), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM postcodes WHERE"
	    " postcode LIKE 'ZE%'", NULL), 0);
	/* Terminated ones, and those without a place, are left out. */
	good = run_file("postcodes.csv", "# Invented for this test.\n"
	    "pcd7,pcds,doterm,long,lat\n"
	    "\"ZE1 0XA\",\"ZE1 0XA\",,-1.1400,60.1500\n"
	    "\"ZE1 0XB\",\"ze10xb\",,-1.1600,60.1600\n"
	    "\"ZE1 0XC\",\"ZE1 0XC\",200401,-1.2000,60.2000\n"
	    "\"ZE1 0XD\",\"ZE1 0XD\",,0.000000,99.999999\n"
	    "\"ZE9 9XX\",\"ZE9 9XX\",,-1.3000,60.3000\n"
	    "nonsense,nonsense,,-1.3,60.3\n");
	ck_assert_int_eq(node_run(node, "postcodes", "import", good, NULL), 0);
	ck_assert_int_eq(num("SELECT count(*) FROM postcodes WHERE"
	    " postcode LIKE 'ZE%'", NULL), 3);
	ck_assert_int_eq(num("SELECT count(*) FROM postcodes WHERE"
	    " postcode IN ('ZE1 0XC', 'ZE1 0XD')", NULL), 0);
	ck_assert_int_eq(num("SELECT count(*) FROM postcode_districts WHERE"
	    " outcode = 'ZE1' AND abs(latitude - 60.155) < 0.0001", NULL), 1);
	/* Twice is the same as once. */
	ck_assert_int_eq(node_run(node, "postcodes", "import", good, NULL), 0);
	ck_assert_int_eq(num("SELECT count(*) FROM postcodes WHERE"
	    " postcode LIKE 'ZE%'", NULL), 3);

	org = add_org(coord, "Shetland Org");
	near = add_service(coord, org, "Lerwick near group");
	far = add_service(coord, org, "Scalloway far group");
	/* A place given a known postcode takes its coordinates. */
	ck_assert_int_eq(node_exec(node, "UPDATE locations SET postal_code ="
	    " 'ZE1 0XA' WHERE id = (SELECT locations[1] FROM services"
	    " WHERE id = $1)", 1, (const char *[]){ near }), 1);
	ck_assert_int_eq(node_exec(node, "UPDATE locations SET postal_code ="
	    " 'ZE9 9XX' WHERE id = (SELECT locations[1] FROM services"
	    " WHERE id = $1)", 1, (const char *[]){ far }), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM locations WHERE"
	    " postal_code = 'ZE1 0XA' AND abs(latitude - 60.15) < 0.0001",
	    NULL), 1);

	/* Near ZE1 0XB: the near one by its distance, not the far one. */
	r = http_get(anon, "/services?postcode=ze1+0xb&distance=5");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "near ZE1 0XB, within 5 km"));
	ck_assert(resp_has(r, "Lerwick near group"));
	ck_assert(resp_has(r, "1.6 km away (1.0 miles)"));
	ck_assert(!resp_has(r, "Scalloway far group"));
	resp_free(r);
	r = http_get(anon, "/services?postcode=ZE1+0XB&distance=50");
	a = strstr(r->body, "Lerwick near group");
	b = strstr(r->body, "Scalloway far group");
	ck_assert(a != NULL && b != NULL && a < b);
	resp_free(r);
	/* A postcode the table lacks: its district's middle, said so. */
	r = http_get(anon, "/services?postcode=ZE1+5ZZ&distance=5");
	ck_assert(resp_has(r, "We could not find ZE1 5ZZ exactly"));
	ck_assert(resp_has(r, "Lerwick near group"));
	resp_free(r);
	r = http_get(anon, "/services?postcode=ZE7+1AA");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "We do not know where ZE7 1AA is"));
	resp_free(r);
	r = http_get(anon, "/services?postcode=%3Cb%3E");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Enter a full UK postcode"));
	ck_assert(!resp_has(r, "<b>"));
	resp_free(r);
	ck_assert_int_eq(http_get_status(anon,
	    "/services?postcode=ZE1+0XB&distance=7"), 400);
	free(broken);
	free(bad);
	free(good);
	free(org);
	free(near);
	free(far);
	client_free(anon);
	client_free(coord);
}
END_TEST

START_TEST(test_shortlist_built_printed_shared_and_expired)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *lw = client_as(node, OTHER, other_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char *org, *one, *two, *link, *list, note[600], path[128];
	const char *at;

	org = add_org(coord, "Shortlist Org");
	one = add_service(coord, org, "Shortlisted lunch club");
	two = add_service(coord, org, "Shortlisted walking group");
	r = http_get(lw, "/services/shortlist");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Your shortlist is empty"));
	ck_assert(resp_has(r, "do not type their name or health details"));
	resp_free(r);

	/* Added from the search results, which it goes back to. */
	r = form_post(lw, "/services?q=shortlisted", "/services/shortlist",
	    "step", "add", "id", one, "next", "/services?q=shortlisted",
	    NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location,
	    "/services?q=shortlisted&added=yes#results"));
	resp_free(r);
	r = http_get(lw, "/services?q=shortlisted&added=yes");
	ck_assert(resp_has(r, "Added to your shortlist"));
	resp_free(r);
	snprintf(path, sizeof(path), "/services/%s", two);
	r = form_post(lw, path, "/services/shortlist", "step", "add", "id",
	    two, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	/* Twice is once. */
	r = form_post(lw, path, "/services/shortlist", "step", "add", "id",
	    two, NULL);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM shortlist_items i JOIN"
	    " shortlists s ON s.id = i.shortlist JOIN accounts a"
	    " ON a.id = s.account WHERE a.email = $1", OTHER), 2);

	/* A note; one too long changes nothing. */
	r = form_post(lw, "/services/shortlist", "/services/shortlist", "step",
	    "note", "id", one, "details", "Ask for Ann; bus 36 stops outside",
	    NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	memset(note, 'x', 501);
	note[501] = '\0';
	r = form_post(lw, "/services/shortlist", "/services/shortlist", "step",
	    "note", "id", two, "details", note, NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "A note must be 500 characters or fewer"));
	resp_free(r);

	/* The page to print holds what the person needs, and the note. */
	r = http_get(lw, "/services/shortlist/print");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Shortlisted lunch club"));
	ck_assert(resp_has(r, "Shortlisted walking group"));
	ck_assert(resp_has(r, "Every Tuesday, 10am to 12pm"));
	ck_assert(resp_has(r, "Village Hall"));
	ck_assert(resp_has(r, "Ann 0161 555 0199"));
	ck_assert(resp_has(r, "Ask for Ann; bus 36 stops outside"));
	snprintf(path, sizeof(path), "/services/%s\"", one);
	ck_assert(resp_has(r, path));
	resp_free(r);
	/* Nobody else's shortlist is theirs to see. */
	r = http_get(coord, "/services/shortlist/print");
	ck_assert(!resp_has(r, "Shortlisted lunch club"));
	resp_free(r);

	/* Shared: the link works signed out, and shows it as printed. */
	r = form_post(lw, "/services/shortlist", "/services/shortlist", "step",
	    "share", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(at = strstr(r->body, "/services/shared/"));
	link = strndup(at, strlen("/services/shared/") + 43);
	resp_free(r);
	r = http_get(anon, link);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Shortlisted walking group"));
	ck_assert(resp_has(r, "Ask for Ann; bus 36 stops outside"));
	resp_free(r);
	ck_assert_int_eq(http_get_status(anon, "/services/shared/"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 404);
	ck_assert_int_eq(http_get_status(anon, "/services/shared/x"), 404);
	/* Not for changing: only its owner, signed in, changes it. */
	r = http_post(anon, "/services/shortlist", "step", "new", NULL);
	ck_assert_int_ne(r->status, 200);
	resp_free(r);
	r = form_post(lw, "/services/shortlist", "/services/shortlist", "step",
	    "explode", NULL);
	ck_assert_int_eq(r->status, 400);
	resp_free(r);

	/* Expired: the link stops, and the shortlist is removed. */
	list = node_text(node, "SELECT s.id FROM shortlists s JOIN accounts a"
	    " ON a.id = s.account WHERE a.email = $1", OTHER);
	ck_assert_int_eq(node_exec(node, "UPDATE shortlists SET expires ="
	    " now() - interval '1 minute' WHERE id = $1::bigint", 1,
	    (const char *[]){ list }), 1);
	r = http_get(anon, link);
	ck_assert_int_eq(r->status, 404);
	ck_assert(resp_has(r, "This shortlist is not available"));
	resp_free(r);
	ck_assert(node_wait(node, "SELECT NOT EXISTS (SELECT 1 FROM"
	    " shortlists WHERE id = $1::bigint)", list, 10000));
	free(list);
	free(link);
	free(org);
	free(one);
	free(two);
	client_free(anon);
	client_free(lw);
	client_free(coord);
}
END_TEST

START_TEST(test_referral_outcomes_counted_and_two_unanswered_flag_review)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *lw = client_as(node, OTHER, other_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char *org, *svc, page[96], action[96];
	int i;

	org = add_org(coord, "Outcomes Org");
	svc = add_service(coord, org, "Outcome counted club");
	ck_assert_int_eq(node_exec(node, "UPDATE services SET assured_date ="
	    " current_date - 10 WHERE id = $1", 1, (const char *[]){ svc }), 1);
	snprintf(page, sizeof(page), "/services/%s", svc);
	snprintf(action, sizeof(action), "/services/%s/outcome", svc);
	r = http_get(anon, page);
	ck_assert(resp_has(r, "No referrals recorded in the last 6 months"));
	ck_assert(!resp_has(r, "what happened?"));
	resp_free(r);
	r = form_post(lw, page, action, "outcome", "attended", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = form_post(lw, page, action, "outcome", "declined", NULL);
	resp_free(r);
	r = form_post(lw, page, action, "outcome", "nonsense", NULL);
	ck_assert_int_eq(r->status, 400);
	resp_free(r);
	r = http_get(anon, page);
	ck_assert(resp_has(r, "2 referrals in the last 6 months, 1 taken up"));
	resp_free(r);
	/* Only counts are kept: service, member, outcome, time. */
	ck_assert_int_eq(num("SELECT count(*) FROM service_referrals"
	    " WHERE service = $1", svc), 2);

	/* Two unanswered in a row: flagged, until it is confirmed. */
	r = form_post(lw, page, action, "outcome", "no_response", NULL);
	resp_free(r);
	r = http_get(coord, "/services/review");
	ck_assert(!resp_has(r, "Outcome counted club"));
	resp_free(r);
	r = form_post(lw, page, action, "outcome", "closed", NULL);
	resp_free(r);
	r = http_get(coord, "/services/review");
	ck_assert(resp_has(r, "Outcome counted club"));
	resp_free(r);
	r = http_get(anon, page);
	ck_assert(resp_has(r, "The last two referrals found no response"));
	resp_free(r);
	snprintf(action, sizeof(action), "/services/%s/confirm", svc);
	r = form_post(coord, page, action, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	snprintf(action, sizeof(action), "/services/%s/outcome", svc);
	r = http_get(coord, "/services/review");
	ck_assert(!resp_has(r, "Outcome counted club"));
	resp_free(r);

	/* One member cannot weigh a listing's figures alone. */
	for (i = 0; i < 25; i++) {
		r = form_post(lw, page, action, "outcome", "attended", NULL);
		ck_assert(r->status == 303 || r->status == 429);
		if (r->status == 429) {
			resp_free(r);
			break;
		}
		resp_free(r);
	}
	ck_assert_int_lt(i, 25);
	ck_assert_int_eq(num("SELECT count(*) FROM service_referrals"
	    " WHERE service = $1", svc), 20);
	free(org);
	free(svc);
	client_free(anon);
	client_free(lw);
	client_free(coord);
}
END_TEST

/* Another publisher's ORUK API imported twice: the same directory. */
START_TEST(test_importer_run_twice_gives_the_same_directory)
{
	struct node *src = node_new("Directory source", NULL);
	struct client *anon = client_new(node);
	struct resp *r;
	char file[1024], url[160], *before, *after;
	long held;

	ck_assert_ptr_nonnull(src);
	snprintf(file, sizeof(file), "%s/tests/demo/directory.sql",
	    getenv("ACORN_DATADIR"));
	ck_assert_int_eq(node_psql(src, file, "region=South West", NULL), 0);
	ck_assert_int_eq(node_serve(src), 0);
	held = node_num(src, "SELECT count(*) FROM services", NULL);
	ck_assert_int_ge(held, 40);
	snprintf(url, sizeof(url), "%s/api/oruk/", src->url);

	ck_assert_int_eq(node_run(node, "directory", "import", url, NULL), 0);
	snprintf(url, sizeof(url), "%s/api/oruk", src->url);
	ck_assert_int_eq(num("SELECT count(*) FROM services WHERE"
	    " provenance = $1", url), held);
	before = node_text(node, "SELECT string_agg(id || ':' || version ||"
	    " ':' || md5(acorn_service_content(s)::text), ',' ORDER BY id)"
	    " FROM services s WHERE provenance = $1", url);
	/* Their assured dates are theirs, not the day of the import. */
	ck_assert_int_eq(num("SELECT count(*) FROM services s WHERE"
	    " provenance = $1 AND assured_by = 'publisher'", url), held - 1);
	ck_assert_int_eq(num("SELECT count(*) FROM services WHERE"
	    " provenance = $1 AND assured_date = current_date - 270", url), 1);

	ck_assert_int_eq(node_run(node, "directory", "import", url, NULL), 0);
	after = node_text(node, "SELECT string_agg(id || ':' || version ||"
	    " ':' || md5(acorn_service_content(s)::text), ',' ORDER BY id)"
	    " FROM services s WHERE provenance = $1", url);
	ck_assert_str_eq(before, after);
	r = http_get(anon, "/services?q=tuesday+lunch+club");
	ck_assert(resp_has(r, "by its publisher"));
	resp_free(r);
	/* An address that is not an ORUK API changes nothing. */
	snprintf(url, sizeof(url), "%s/services", src->url);
	ck_assert_int_eq(node_run(node, "directory", "import", url, NULL), 1);
	snprintf(url, sizeof(url), "%s/glossary", src->url);
	ck_assert_int_eq(node_run(node, "directory", "import", url, NULL), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM services WHERE"
	    " provenance LIKE '%/glossary'", NULL), 0);
	free(before);
	free(after);
	client_free(anon);
	node_free(src);
}
END_TEST

/* Coordinators add the region's own terms and map terms elsewhere. */
START_TEST(test_coordinators_add_local_needs_and_map_them)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *other = client_as(node, OTHER, other_pw);
	struct resp *r;
	char *id, *org, *svc, *code, *base, path[128];

	ck_assert_int_eq(http_get_status(other, "/services/needs"), 403);
	r = form_post(coord, "/services/needs", "/services/needs", "term",
	    "Men's sheds", "definition", "Making and mending side by side.",
	    "scheme", "council-taxonomy", "tag", "MS-01", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM taxonomy_terms WHERE"
	    " name = 'Men''s sheds' AND local AND external_id = 'MS-01'"
	    " AND external_taxonomy = 'council-taxonomy'", NULL), 1);
	/* The same name twice, or half a mapping, is refused. */
	r = form_post(coord, "/services/needs", "/services/needs", "term",
	    "men's SHEDS", "definition", "Again.", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "has a term of this name already"));
	resp_free(r);
	r = form_post(coord, "/services/needs", "/services/needs", "term",
	    "Repair cafes", "definition", "Fixing things.", "scheme", "x",
	    NULL);
	ck_assert_int_eq(r->status, 422);
	resp_free(r);
	/* A shipped term mapped; the search page offers the new one. */
	id = node_text(node, "SELECT id FROM taxonomy_terms WHERE code ="
	    " 'befriending'", NULL);
	r = form_post(coord, "/services/needs", "/services/needs", "id", id,
	    "scheme", "council-taxonomy", "tag", "BF-07", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM taxonomy_terms WHERE"
	    " code = 'befriending' AND external_id = 'BF-07'", NULL), 1);
	r = http_get(other, "/services");
	ck_assert(resp_has(r, "Men&#39;s sheds") || resp_has(r, "Men's sheds"));
	resp_free(r);

	/* A listing tagged with it is found by it, and by nothing else. */
	org = add_org(coord, "Sheds Org");
	svc = add_service(coord, org, "Tuesday shed");
	code = node_text(node, "SELECT code FROM taxonomy_terms WHERE name ="
	    " 'Men''s sheds'", NULL);
	base = node_text(node, "SELECT version FROM services WHERE id = $1",
	    svc);
	snprintf(path, sizeof(path), "/services/%s/edit", svc);
	r = form_post(coord, path, path, "base", base, "service",
	    "Tuesday shed", "description", "Tea, cake and a chat every week.",
	    "status", "active", "opens_tu", "10:00", "closes_tu", "12:00",
	    "terms", code, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM services s JOIN"
	    " taxonomy_terms t ON t.id = ANY (s.terms) WHERE s.id = $1"
	    " AND t.name = 'Men''s sheds'", svc), 1);
	snprintf(path, sizeof(path), "/services?need=%s", code);
	r = http_get(other, path);
	ck_assert(resp_has(r, "Tuesday shed"));
	resp_free(r);
	r = http_get(other, "/services?need=befriending");
	ck_assert(!resp_has(r, "Tuesday shed"));
	resp_free(r);
	free(base);
	free(code);
	free(svc);
	free(org);
	free(id);
	client_free(other);
	client_free(coord);
}
END_TEST

START_TEST(test_demo_directory_loads_with_fresh_due_and_overdue_listings)
{
	struct node *demo = node_new("Demo directory", NULL);
	struct client *c;
	struct resp *r;
	char file[1024];

	ck_assert_ptr_nonnull(demo);
	snprintf(file, sizeof(file), "%s/tests/demo/directory.sql",
	    getenv("ACORN_DATADIR"));
	ck_assert_int_eq(node_psql(demo, file, "region=North West", NULL), 0);
	ck_assert_int_ge(node_num(demo, "SELECT count(*) FROM services",
	    NULL), 40);
	ck_assert_int_le(node_num(demo, "SELECT count(*) FROM services",
	    NULL), 60);
	ck_assert_int_ge(node_num(demo, "SELECT count(*) FROM services"
	    " WHERE acorn_review_stage(assured_date, 6, current_date) = 1",
	    NULL), 1);
	ck_assert_int_ge(node_num(demo, "SELECT count(*) FROM services"
	    " WHERE acorn_review_stage(assured_date, 6, current_date) = 2",
	    NULL), 1);
	ck_assert_int_eq(node_num(demo, "SELECT count(*) FROM service_reports"
	    " WHERE resolved IS NULL", NULL), 1);
	ck_assert_int_eq(node_serve(demo), 0);
	c = client_new(demo);
	r = http_get(c, "/services?need=befriending");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Tuesday lunch club"));
	resp_free(r);
	client_free(c);
	node_free(demo);
}
END_TEST

/* The fields of a listing's form every save in a test sends. */
#define EDIT_FIELDS(base, name) "base", base, "service", name, \
	"description", "Tea, cake and a chat every week.", "status", \
	"active", "opens_tu", "10:00", "closes_tu", "12:00"

START_TEST(test_listing_at_several_places_each_kept_once)
{
	struct client *coord = client_as(node, COORD, coord_pw);
	struct client *other = client_as(node, OTHER, other_pw);
	struct resp *r;
	char *org, *org2, *svc, *a, *b, *d, *base, path[128], page[128];

	org = add_org(coord, "Places Org");
	org2 = add_org(coord, "Elsewhere Org");
	svc = add_service(coord, org, "Walk and talk");
	a = node_text(node, "SELECT locations[1] FROM services WHERE id = $1",
	    svc);

	/* A second place of the organisation, on its own page. */
	snprintf(page, sizeof(page), "/organisations/places/new?org=%s", org);
	r = form_post(coord, page, "/organisations/places/new", "org", org,
	    "venue", "Central Library", "address", "Le Mans Crescent",
	    "town", "Bolton", "postcode", "bl1 1se", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	b = node_text(node, "SELECT id FROM locations WHERE name ="
	    " 'Central Library'", NULL);
	ck_assert_int_eq(num("SELECT count(*) FROM locations WHERE id = $1"
	    " AND postal_code = 'BL1 1SE'", b), 1);
	/* A place of another organisation. */
	snprintf(page, sizeof(page), "/organisations/places/new?org=%s", org2);
	r = form_post(coord, page, "/organisations/places/new", "org", org2,
	    "venue", "Their Hall", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	d = node_text(node, "SELECT id FROM locations WHERE name ="
	    " 'Their Hall'", NULL);

	/* The form offers the organisation's places, ticked as they are. */
	snprintf(path, sizeof(path), "/services/%s/edit", svc);
	r = http_get(coord, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Central Library"));
	ck_assert(resp_has(r, "Le Mans Crescent, Bolton, BL1 1SE"));
	ck_assert(!resp_has(r, "Their Hall"));
	resp_free(r);

	/* Two places ticked and a third added: the listing is at all three. */
	base = node_text(node, "SELECT version FROM services WHERE id = $1",
	    svc);
	r = form_post(coord, path, path, EDIT_FIELDS(base, "Walk and talk"),
	    "locations", a, "locations", b, "venue", "Moss Bank Park",
	    "town", "Bolton", "postcode", "BL1 6JT", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT cardinality(locations) FROM services"
	    " WHERE id = $1", svc), 3);
	ck_assert_int_eq(num("SELECT count(*) FROM locations l, services s"
	    " WHERE s.id = $1 AND l.id = s.locations[3] AND l.name ="
	    " 'Moss Bank Park' AND l.organisation = s.organisation", svc), 1);
	snprintf(page, sizeof(page), "/services/%s", svc);
	r = http_get(other, page);
	ck_assert(resp_has(r, "Village Hall"));
	ck_assert(resp_has(r, "Central Library"));
	ck_assert(resp_has(r, "Moss Bank Park"));
	resp_free(r);

	/* Another organisation's place, or no place at all: refused. */
	free(base);
	base = node_text(node, "SELECT version FROM services WHERE id = $1",
	    svc);
	r = form_post(coord, path, path, EDIT_FIELDS(base, "Walk and talk"),
	    "locations", a, "locations", d, NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select places from the list"));
	resp_free(r);
	r = form_post(coord, path, path, EDIT_FIELDS(base, "Walk and talk"),
	    "locations", "not-a-place", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select places from the list"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT version FROM services WHERE id = $1",
	    svc), strtol(base, NULL, 10));
	ck_assert_int_eq(num("SELECT cardinality(locations) FROM services"
	    " WHERE id = $1", svc), 3);

	/* A place corrected once is corrected on the listing. */
	snprintf(page, sizeof(page), "/organisations/places/%s", a);
	ck_assert_int_eq(http_get_status(other, page), 403);
	r = form_post(other, "/services", page, "venue", "Stolen Hall", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = form_post(coord, page, page, "venue", "Village Hall", "address",
	    "3 Church Lane", "town", "Salford", "postcode", "M6 5PX",
	    "accessibility", "Step-free entrance", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT version FROM locations WHERE id = $1",
	    a), 2);
	snprintf(page, sizeof(page), "/services/%s", svc);
	r = http_get(other, page);
	ck_assert(resp_has(r, "3 Church Lane"));
	ck_assert(!resp_has(r, "1 Church Lane"));
	resp_free(r);
	/* The organisation's page lists its places and their use. */
	snprintf(page, sizeof(page), "/organisations/%s", org);
	r = http_get(coord, page);
	ck_assert(resp_has(r, "Moss Bank Park"));
	ck_assert(resp_has(r, "1 service runs here"));
	resp_free(r);

	/* A place in use is not removed; unticked everywhere, it is. */
	snprintf(page, sizeof(page), "/organisations/places/%s/remove", b);
	r = http_get(coord, page);
	ck_assert_int_eq(r->status, 409);
	ck_assert(resp_has(r, "1 listing still runs here"));
	resp_free(r);
	r = form_post(coord, "/services", page, NULL);
	ck_assert_int_eq(r->status, 409);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM locations WHERE id = $1"
	    " AND NOT deleted", b), 1);
	free(base);
	base = node_text(node, "SELECT version FROM services WHERE id = $1",
	    svc);
	r = form_post(coord, path, path, EDIT_FIELDS(base, "Walk and talk"),
	    "locations", a, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = http_get(coord, page);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Yes, remove the place"));
	resp_free(r);
	r = form_post(coord, page, page, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM locations WHERE id = $1"
	    " AND deleted AND name IS NULL", b), 1);
	ck_assert_int_eq(http_get_status(coord, page), 404);

	free(a);
	free(b);
	free(d);
	free(base);
	free(svc);
	free(org);
	free(org2);
	client_free(other);
	client_free(coord);
}
END_TEST

Suite *
directory_suite(void)
{
	Suite *s = suite_create("directory");
	TCase *tc = tcase_create("directory");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc,
	    test_listing_added_found_by_need_and_day_and_shown_in_words);
	tcase_add_test(tc, test_search_finds_listings_through_glossary_synonyms);
	tcase_add_test(tc,
	    test_save_without_change_makes_no_version_and_keeps_checked_date);
	tcase_add_test(tc, test_manager_edits_and_confirms_other_members_cannot);
	tcase_add_test(tc,
	    test_bad_listing_refused_with_its_reason_and_nothing_stored);
	tcase_add_test(tc,
	    test_two_editors_of_one_version_get_one_save_and_one_refusal);
	tcase_add_test(tc, test_received_listing_is_not_changed_here);
	tcase_add_test(tc, test_listings_past_review_are_marked_and_come_last);
	tcase_add_test(tc, test_visitors_read_but_change_nothing);
	tcase_add_test(tc,
	    test_review_cycle_asks_reminds_escalates_and_a_click_confirms);
	tcase_add_test(tc, test_expired_check_link_confirms_nothing);
	tcase_add_test(tc, test_postcodes_imported_and_services_found_near_one);
	tcase_add_test(tc, test_shortlist_built_printed_shared_and_expired);
	tcase_add_test(tc,
	    test_referral_outcomes_counted_and_two_unanswered_flag_review);
	tcase_add_test(tc,
	    test_suggestions_change_nothing_until_accepted_or_rejected);
	tcase_add_test(tc,
	    test_report_changes_nothing_reaches_managers_queue_and_is_throttled);
	tcase_add_test(tc, test_importer_run_twice_gives_the_same_directory);
	tcase_add_test(tc, test_coordinators_add_local_needs_and_map_them);
	tcase_add_test(tc, test_listing_at_several_places_each_kept_once);
	tcase_add_test(tc,
	    test_demo_directory_loads_with_fresh_due_and_overdue_listings);
	suite_add_tcase(s, tc);
	return s;
}
