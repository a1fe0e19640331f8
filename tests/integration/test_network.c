/*
 * What people see of the network: records received from peers listed
 * beside this node's own with the node they come from and a link to
 * their home page, the region filters, received records that nobody
 * here can change, and the coordinator's sync and peers pages.  Records
 * are received the way the federation engine stores them: rows whose
 * origin is another node, with their home address, and that node's
 * entry in nodes naming it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"

Suite	*network_suite(void);

static struct node *node;
static char *coord_pw;
static char *member_pw;

#define COORD		"network.coord@example.org"
#define MEMBER		"network.member@example.org"

#define LONDON		"6c1e3b52-2f0a-4d7e-9a51-0a0b0c0d0e01"
#define LONDON_NAME	"London social prescribing network"
#define LONDON_URL	"https://london.example.org"
#define SOUTH_WEST	"6c1e3b52-2f0a-4d7e-9a51-0a0b0c0d0e02"
#define SW_NAME		"South West social prescribing network"
#define SW_URL		"https://southwest.example.org"

/* Records received from London and the South West. */
#define EVENT		"7e000000-0000-4000-8000-000000000001"
#define SW_EVENT	"7e000000-0000-4000-8000-000000000002"
#define PERSON		"7e000000-0000-4000-8000-000000000003"
#define EVALUATION	"7e000000-0000-4000-8000-000000000004"
#define DOCUMENT	"7e000000-0000-4000-8000-000000000005"
#define SW_DOCUMENT	"7e000000-0000-4000-8000-000000000006"
#define TERM		"7e000000-0000-4000-8000-000000000007"
#define SW_TERM		"7e000000-0000-4000-8000-000000000008"
#define SW_EVALUATION	"7e000000-0000-4000-8000-000000000009"

#define REFUSED_TEXT	"belongs to " LONDON_NAME "; it can only be " \
	"changed there."

/* Runs a statement that returns a row; the test fails when it does not. */
static void
run(struct node *n, const char *sql)
{
	free(node_text(n, sql, NULL));
}

/* What a peer's node entry says of it, as known_nodes reads it. */
static void
known_node(struct node *n, const char *id, const char *name,
    const char *region, const char *url)
{
	const char *p[4] = { id, name, region, url };
	char *v;

	v = node_sqlv(n, "INSERT INTO nodes (id, origin, subject, name,"
	    " region, url) VALUES ($1, $1, $1, $2, $3, $4) RETURNING id", 4,
	    p);
	ck_assert_ptr_nonnull(v);
	free(v);
}

/* An evaluation saved as the merge saves one, with its home page. */
static void
received_evaluation(struct node *n, const char *id, const char *origin,
    const char *record, const char *home)
{
	const char *p[3] = { id, origin, record }, *q[2] = { id, home };
	char *v;

	v = node_sqlv(n, "SELECT acorn_evaluation_save($1::uuid, $2::uuid, 0,"
	    " $3::jsonb, NULL, 'Merged', '', NULL)", 3, p);
	ck_assert_ptr_nonnull(v);
	free(v);
	v = node_sqlv(n, "UPDATE evaluations SET home = $2 WHERE id = $1::uuid"
	    " RETURNING id", 2, q);
	ck_assert_ptr_nonnull(v);
	free(v);
}

/*
 * The node of the first case: its own records (North West) and records
 * received from London and the South West.
 */
static void
start(void)
{
	node = node_new("North West social prescribing network", NULL);
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	member_pw = node_user_add(node, MEMBER, "member");
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_ptr_nonnull(member_pw);
	known_node(node, LONDON, LONDON_NAME, "London", LONDON_URL);
	known_node(node, SOUTH_WEST, SW_NAME, "South West", SW_URL);

	/* This node's own. */
	run(node, "INSERT INTO members (id, origin, name, stakeholder, region,"
	    " listed) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'Nora Northwest', 'gp', 'North West', true) RETURNING id");
	run(node, "INSERT INTO events (id, origin, title, kind, starts, ends,"
	    " region, status) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'Salford local forum', 'regional_meeting', now() + interval"
	    " '20 days', now() + interval '20 days 2 hours', 'North West',"
	    " 'published') RETURNING id");
	run(node, "INSERT INTO documents (id, origin, slug, title, category,"
	    " body) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'salford-toolkit', 'Salford toolkit', 'toolkit', 'Local text')"
	    " RETURNING id");
	run(node, "INSERT INTO glossary_terms (id, origin, term, definition)"
	    " VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'Health champion', 'A volunteer who helps.') RETURNING id");
	run(node, "SELECT acorn_evaluation_save(gen_random_uuid(),"
	    " (SELECT id FROM node), 0, '{\"title\": \"Bolton walking study\","
	    " \"region\": \"North West\", \"year\": 2021, \"design\": \"rct\","
	    " \"summary\": \"S\", \"outcomes\": [{\"outcome\": \"wellbeing\","
	    " \"direction\": \"improved\"}]}', NULL, 'Author', '', NULL)");

	/* Received from London. */
	run(node, "INSERT INTO members (id, origin, name, stakeholder, region,"
	    " listed, organisation, home) VALUES ('" PERSON "', '" LONDON "',"
	    " 'Lola Londoner', 'link_worker', 'London', true, 'Camden PCN',"
	    " '" LONDON_URL "/members/" PERSON "') RETURNING id");
	run(node, "INSERT INTO events (id, origin, title, kind, starts, ends,"
	    " region, status, venue, home) VALUES ('" EVENT "', '" LONDON "',"
	    " 'Thames link worker forum', 'conference', now() + interval"
	    " '30 days', now() + interval '30 days 6 hours', 'London',"
	    " 'published', 'City Hall', '" LONDON_URL "/events/" EVENT "')"
	    " RETURNING id");
	run(node, "INSERT INTO documents (id, origin, slug, title, category,"
	    " body, home) VALUES ('" DOCUMENT "', '" LONDON "',"
	    " 'london-referral-guide', 'London referral guide', 'guide',"
	    " 'How to refer.', '" LONDON_URL "/library/london-referral-guide')"
	    " RETURNING id");
	run(node, "INSERT INTO glossary_terms (id, origin, term, definition,"
	    " home) VALUES ('" TERM "', '" LONDON "', 'Community navigator',"
	    " 'Someone who finds local support.', '" LONDON_URL
	    "/glossary#term-" TERM "') RETURNING id");
	received_evaluation(node, EVALUATION, LONDON, "{\"title\":"
	    " \"Southwark befriending evaluation\", \"region\": \"London\","
	    " \"year\": 2023, \"design\": \"before_after\", \"summary\": \"S\","
	    " \"outcomes\": [{\"outcome\": \"loneliness\", \"direction\":"
	    " \"improved\"}]}", LONDON_URL "/evidence/" EVALUATION);

	/* Received from the South West. */
	run(node, "INSERT INTO events (id, origin, title, kind, starts, ends,"
	    " region, status, home) VALUES ('" SW_EVENT "', '" SOUTH_WEST "',"
	    " 'Devon green health day', 'workshop', now() + interval"
	    " '40 days', now() + interval '40 days 3 hours', 'South West',"
	    " 'published', '" SW_URL "/events/" SW_EVENT "') RETURNING id");
	run(node, "INSERT INTO documents (id, origin, slug, title, category,"
	    " body, home) VALUES ('" SW_DOCUMENT "', '" SOUTH_WEST "',"
	    " 'devon-walking-toolkit', 'Devon walking toolkit', 'toolkit',"
	    " 'Walk.', '" SW_URL "/library/devon-walking-toolkit')"
	    " RETURNING id");
	run(node, "INSERT INTO glossary_terms (id, origin, term, definition,"
	    " home) VALUES ('" SW_TERM "', '" SOUTH_WEST "', 'Green"
	    " prescribing', 'Referral to nature-based activity.', '" SW_URL
	    "/glossary#term-" SW_TERM "') RETURNING id");
	received_evaluation(node, SW_EVALUATION, SOUTH_WEST, "{\"title\":"
	    " \"Cornwall surf therapy review\", \"region\": \"South West\","
	    " \"year\": 2022, \"design\": \"qualitative\", \"summary\": \"S\","
	    " \"outcomes\": [{\"outcome\": \"wellbeing\", \"direction\":"
	    " \"mixed\"}]}", SW_URL "/evidence/" SW_EVALUATION);
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

/* How many times needle occurs in a page. */
static int
occurrences(const struct resp *r, const char *needle)
{
	const char *p = r->body;
	int n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* A page by its path; the test fails unless it is a 200. */
static struct resp *
page(struct client *c, const char *path)
{
	struct resp *r = http_get(c, path);

	ck_assert_ptr_nonnull(r);
	ck_assert_msg(r->status == 200, "%s: %ld", path, r->status);
	return r;
}

/* --- lists ------------------------------------------------------------- */

START_TEST(test_lists_show_received_records_with_their_origin)
{
	struct client *anon = client_new(node);
	struct resp *r;

	r = page(anon, "/events");
	ck_assert(resp_has(r, "Salford local forum"));
	ck_assert(resp_has(r, "Thames link worker forum"));
	ck_assert(resp_has(r, "Devon green health day"));
	ck_assert(resp_has(r, "From <a href=\"" LONDON_URL "/events/" EVENT
	    "\"><span>" LONDON_NAME "</span><span class=\"visually-hidden\">:"
	    " <span>Thames link worker forum</span> on its home site</span>"
	    "</a></p>"));
	ck_assert(resp_has(r, "href=\"" SW_URL "/events/" SW_EVENT "\"><span>"
	    SW_NAME "</span>"));
	/* This node's own event needs no label. */
	ck_assert_int_eq(occurrences(r, "<p class=\"origin\">"), 2);
	resp_free(r);

	r = page(anon, "/members");
	ck_assert(resp_has(r, "Nora Northwest"));
	ck_assert(resp_has(r, "Lola Londoner"));
	ck_assert(resp_has(r, "href=\"" LONDON_URL "/members/" PERSON
	    "\"><span>" LONDON_NAME "</span>"));
	ck_assert_int_eq(occurrences(r, "<p class=\"origin\">"), 1);
	resp_free(r);

	r = page(anon, "/evidence");
	ck_assert(resp_has(r, "Bolton walking study"));
	ck_assert(resp_has(r, "Southwark befriending evaluation"));
	ck_assert(resp_has(r, "Cornwall surf therapy review"));
	ck_assert(resp_has(r, "href=\"" LONDON_URL "/evidence/" EVALUATION
	    "\"><span>" LONDON_NAME "</span>"));
	ck_assert_int_eq(occurrences(r, "<p class=\"origin\">"), 2);
	resp_free(r);

	r = page(anon, "/library");
	ck_assert(resp_has(r, "Salford toolkit"));
	ck_assert(resp_has(r, "London referral guide"));
	ck_assert(resp_has(r, "Devon walking toolkit"));
	ck_assert(resp_has(r, "href=\"" LONDON_URL "/library/"
	    "london-referral-guide\"><span>" LONDON_NAME "</span>"));
	ck_assert_int_eq(occurrences(r, "<p class=\"origin\">"), 2);
	resp_free(r);

	r = page(anon, "/glossary");
	ck_assert(resp_has(r, "Health champion"));
	ck_assert(resp_has(r, "Community navigator"));
	ck_assert(resp_has(r, "Green prescribing"));
	ck_assert(resp_has(r, "href=\"" LONDON_URL "/glossary#term-" TERM
	    "\"><span>" LONDON_NAME "</span>"));
	ck_assert_int_eq(occurrences(r, "<p class=\"origin\">"), 2);
	resp_free(r);
	client_free(anon);
}
END_TEST

START_TEST(test_origin_unknown_to_this_node_is_still_labelled)
{
	struct client *anon = client_new(node);
	struct resp *r;

	/* A relayed term whose node entry has not arrived yet. */
	run(node, "INSERT INTO glossary_terms (id, origin, term, definition)"
	    " VALUES (gen_random_uuid(), gen_random_uuid(), 'Wellbeing coach',"
	    " 'Someone who coaches.') RETURNING id");
	r = page(anon, "/glossary?q=coach");
	ck_assert(resp_has(r, "Wellbeing coach"));
	ck_assert(resp_has(r, "<p class=\"origin\">From <span>another node "
	    "of the network</span></p>"));
	resp_free(r);
	client_free(anon);
}
END_TEST

START_TEST(test_region_filter_narrows_every_list)
{
	struct client *anon = client_new(node);
	struct resp *r;

	r = page(anon, "/library?region=London");
	ck_assert(resp_has(r, "London referral guide"));
	ck_assert(!resp_has(r, "Devon walking toolkit"));
	ck_assert(!resp_has(r, "Salford toolkit"));
	ck_assert(resp_has(r, "<option value=\"London\" selected>"));
	resp_free(r);
	/* This node's own region is a region like the others. */
	r = page(anon, "/library?region=North+West");
	ck_assert(resp_has(r, "Salford toolkit"));
	ck_assert(!resp_has(r, "London referral guide"));
	resp_free(r);
	r = page(anon, "/library?region=");
	ck_assert(resp_has(r, "Salford toolkit"));
	ck_assert(resp_has(r, "Devon walking toolkit"));
	resp_free(r);

	r = page(anon, "/glossary?region=South+West");
	ck_assert(resp_has(r, "Green prescribing"));
	ck_assert(!resp_has(r, "Community navigator"));
	ck_assert(!resp_has(r, "Health champion"));
	resp_free(r);

	r = page(anon, "/events?region=London");
	ck_assert(resp_has(r, "Thames link worker forum"));
	ck_assert(!resp_has(r, "Devon green health day"));
	ck_assert(!resp_has(r, "Salford local forum"));
	resp_free(r);

	r = page(anon, "/members?region=London");
	ck_assert(resp_has(r, "Lola Londoner"));
	ck_assert(!resp_has(r, "Nora Northwest"));
	resp_free(r);

	r = page(anon, "/evidence?region=South+West");
	ck_assert(resp_has(r, "Cornwall surf therapy review"));
	ck_assert(!resp_has(r, "Southwark befriending evaluation"));
	ck_assert(!resp_has(r, "Bolton walking study"));
	resp_free(r);
	client_free(anon);
}
END_TEST

START_TEST(test_a_region_not_on_the_list_is_refused)
{
	struct client *anon = client_new(node);
	struct resp *r;

	r = http_get(anon, "/library?region=Atlantis");
	ck_assert_int_eq(r->status, 400);
	ck_assert(resp_has(r, "Sorry, we could not read that request"));
	ck_assert(!resp_has(r, "Atlantis"));
	resp_free(r);
	r = http_get(anon, "/glossary?region=%3Cb%3EAtlantis");
	ck_assert_int_eq(r->status, 400);
	ck_assert(!resp_has(r, "Atlantis"));
	resp_free(r);
	client_free(anon);
}
END_TEST

/* --- a received record's own page ------------------------------------- */

START_TEST(test_received_pages_link_home_and_offer_no_changes)
{
	struct client *co = client_as(node, COORD, coord_pw);
	struct resp *r;
	const char *home_link = "View on <span>" LONDON_NAME "</span></a>";

	r = page(co, "/events/" EVENT);
	ck_assert(resp_has(r, "From <span>" LONDON_NAME "</span>"));
	ck_assert(resp_has(r, "<a href=\"" LONDON_URL "/events/" EVENT "\">"));
	ck_assert(resp_has(r, home_link));
	ck_assert(!resp_has(r, "Manage this event"));
	ck_assert(!resp_has(r, "/events/" EVENT "/edit"));
	ck_assert(!resp_has(r, "/events/" EVENT "/close"));
	resp_free(r);

	r = page(co, "/library/london-referral-guide");
	ck_assert(resp_has(r, home_link));
	ck_assert(!resp_has(r, "Edit this document"));
	ck_assert(!resp_has(r, "/library/london-referral-guide/protect"));
	resp_free(r);
	r = page(co, "/library/london-referral-guide/history");
	ck_assert(!resp_has(r, "Restore revision"));
	resp_free(r);

	r = page(co, "/evidence/" EVALUATION);
	ck_assert(resp_has(r, home_link));
	ck_assert(!resp_has(r, "Edit this evaluation"));
	ck_assert(!resp_has(r, "Attach or remove reports"));
	ck_assert(!resp_has(r, "Delete this evaluation"));
	resp_free(r);

	r = page(co, "/members/" PERSON);
	ck_assert(resp_has(r, "Lola Londoner"));
	ck_assert(resp_has(r, home_link));
	resp_free(r);

	r = page(co, "/glossary");
	ck_assert(resp_has(r, "aria-label=\"Edit Health champion\""));
	ck_assert(!resp_has(r, "aria-label=\"Edit Community navigator\""));
	ck_assert(!resp_has(r, "/glossary/" TERM "/edit"));
	resp_free(r);

	/* This node's own event still offers its coordinator everything. */
	r = page(co, "/events");
	ck_assert(resp_has(r, "Salford local forum"));
	resp_free(r);
	client_free(co);
}
END_TEST

/* The version and change number of every received row, in one line. */
static char *
received_state(void)
{
	return node_text(node, "SELECT string_agg(t || ':' || id || ':' ||"
	    " v || ':' || s, ',' ORDER BY t, id) FROM ("
	    " SELECT 'e' t, id::text, version v, seq s FROM events"
	    "  WHERE origin <> (SELECT id FROM node) UNION ALL"
	    " SELECT 'd', id::text, version, seq FROM documents"
	    "  WHERE origin <> (SELECT id FROM node) UNION ALL"
	    " SELECT 'g', id::text, version, seq FROM glossary_terms"
	    "  WHERE origin <> (SELECT id FROM node) UNION ALL"
	    " SELECT 'v', id::text, version, seq FROM evaluations"
	    "  WHERE origin <> (SELECT id FROM node) UNION ALL"
	    " SELECT 'm', id::text, version, seq FROM members"
	    "  WHERE origin <> (SELECT id FROM node)) x", NULL);
}

/* A POST with the session's token: its answer must be the refusal. */
static void
refused(struct client *c, const char *action, const char *what, ...)
{
	struct resp *r;
	char *tok = page_csrf(c, "/");
	char body[1024], want[160];
	const char *k, *v;
	va_list ap;
	int n;

	ck_assert_ptr_nonnull(tok);
	n = snprintf(body, sizeof(body), "csrf=%s", tok);
	va_start(ap, what);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		n += snprintf(body + n, sizeof(body) - (size_t)n, "&%s=%s", k,
		    v);
	}
	va_end(ap);
	free(tok);
	r = http_post_raw(c, action, body,
	    "application/x-www-form-urlencoded");
	ck_assert_msg(r->status == 403, "%s: %ld", action, r->status);
	snprintf(want, sizeof(want), "This %s " REFUSED_TEXT, what);
	ck_assert_msg(resp_has(r, want), "%s: no explanation", action);
	ck_assert(resp_has(r, "You cannot change this "));
	resp_free(r);
}

START_TEST(test_changes_to_received_records_are_refused_and_change_nothing)
{
	struct client *co = client_as(node, COORD, coord_pw);
	struct resp *r;
	char *before, *after;

	before = received_state();
	refused(co, "/events/" EVENT "/edit", "event", "title", "Hijacked",
	    "kind", "conference", "start-day", "1", "start-month", "1",
	    "start-year", "2031", "start-hour", "9", "start-minute", "00",
	    "end-day", "1", "end-month", "1", "end-year", "2031", "end-hour",
	    "10", "end-minute", "00", "venue", "Nowhere", NULL);
	refused(co, "/events/" EVENT "/cancel", "event", "confirm", "yes",
	    NULL);
	refused(co, "/events/" EVENT "/publish", "event", NULL);
	refused(co, "/events/" EVENT "/close", "event", NULL);
	refused(co, "/events/" EVENT "/reopen", "event", NULL);
	refused(co, "/events/" EVENT "/places", "event", "place_name",
	    "Extra", "capacity", "5", NULL);
	refused(co, "/events/" EVENT "/questions", "event", "qkind", "text",
	    "label", "Hijacked", NULL);
	refused(co, "/events/" EVENT "/people", "event", "name", "Eve",
	    "email", "eve@example.org", "role", "helper", NULL);
	refused(co, "/events/" EVENT "/checkin", "event", "id",
	    "7e000000-0000-4000-8000-0000000000ff", NULL);
	refused(co, "/library/london-referral-guide/edit", "document",
	    "base", "1", "title", "Hijacked", "category", "guide", "body",
	    "Hijacked", NULL);
	refused(co, "/library/london-referral-guide/protect", "document",
	    "protected", "yes", NULL);
	refused(co, "/library/london-referral-guide/restore", "document",
	    "revision", "1", NULL);
	refused(co, "/evidence/" EVALUATION "/edit", "evaluation", "base",
	    "1", "title", "Hijacked", "region", "London", "year", "2023",
	    "design", "rct", "abstract", "Hijacked", NULL);
	refused(co, "/evidence/" EVALUATION "/restore", "evaluation",
	    "revision", "1", NULL);
	refused(co, "/evidence/" EVALUATION "/delete", "evaluation",
	    "confirm", "yes", NULL);
	refused(co, "/evidence/" EVALUATION "/files", "evaluation", "id",
	    "7e000000-0000-4000-8000-0000000000ff", NULL);
	refused(co, "/glossary/" TERM "/edit", "glossary term", "term",
	    "Hijacked", "definition", "Hijacked", NULL);

	/* Their forms are refused too, before anything is typed. */
	r = http_get(co, "/events/" EVENT "/edit");
	ck_assert_int_eq(r->status, 403);
	ck_assert(resp_has(r, "This event " REFUSED_TEXT));
	ck_assert(resp_has(r, "<a href=\"" LONDON_URL "/events/" EVENT "\">"
	    "View it on " LONDON_NAME "</a>"));
	resp_free(r);
	r = http_get(co, "/events/" EVENT "/attendees");
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = http_get(co, "/library/london-referral-guide/edit");
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = http_get(co, "/glossary/" TERM "/edit");
	ck_assert_int_eq(r->status, 403);
	ck_assert(resp_has(r, "This glossary term " REFUSED_TEXT));
	resp_free(r);

	after = received_state();
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM events WHERE"
	    " id = $1 AND title = 'Thames link worker forum' AND status ="
	    " 'published' AND NOT reg_closed", EVENT), 1);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM place_types"
	    " WHERE event = $1", EVENT), 0);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM questions"
	    " WHERE event = $1", EVENT), 0);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM documents"
	    " WHERE id = $1 AND NOT protected AND revision = 1", DOCUMENT), 1);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM evaluations"
	    " WHERE id = $1 AND NOT deleted AND revision = 1", EVALUATION), 1);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND term = 'Community navigator'", TERM), 1);
	free(before);
	free(after);
	client_free(co);
}
END_TEST

/*
 * A received event is registered for here by members, and sent to its
 * home node only once they confirm (test_remote.c follows that through);
 * guests are sent to the home node.  Nothing is stored for a form this
 * node cannot send on.
 */
START_TEST(test_received_event_is_registered_for_through_its_home_node)
{
	struct client *m = client_as(node, MEMBER, member_pw);
	struct client *anon = client_new(node);
	struct resp *r;

	r = page(m, "/events/" EVENT);
	ck_assert(resp_has(r, "This event is held by <span>" LONDON_NAME
	    "</span>"));
	ck_assert(resp_has(r, "action=\"/events/" EVENT "/register\""));
	ck_assert(resp_has(r, ">Register</button>"));
	ck_assert(!resp_has(r, "name=\"email\""));
	resp_free(r);
	r = page(anon, "/events/" EVENT);
	ck_assert(!resp_has(r, "action=\"/events/" EVENT "/register\""));
	ck_assert(resp_has(r, "Register as a guest on <span>" LONDON_NAME
	    "</span></a>"));
	resp_free(r);

	/* A kind of place the event does not offer: nothing is made. */
	r = form_post(m, "/events/" EVENT, "/events/" EVENT "/register",
	    "place", "1", "places", "1", "request", "abcdefghijklmnop", NULL);
	ck_assert_int_eq(r->status, 404);
	ck_assert(resp_has(r, "That type of place is not offered"));
	resp_free(r);
	/* A guest's form sent anyway is asked to sign in. */
	r = form_post(anon, "/signin", "/events/" EVENT "/register",
	    "place", "1", "request", "qrstuvwxyzabcdef", "name", "Guest",
	    "email", "guest@example.org", NULL);
	ck_assert_int_eq(r->status, 403);
	ck_assert(resp_has(r, "Sign in to register"));
	ck_assert(resp_has(r, "is handled by " LONDON_NAME));
	resp_free(r);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM registrations"
	    " WHERE event = $1", EVENT), 0);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM"
	    " away_registrations WHERE event = $1", EVENT), 0);
	client_free(m);
	client_free(anon);
}
END_TEST

START_TEST(test_evidence_summary_counts_every_region)
{
	struct client *anon = client_new(node);
	struct resp *r;

	r = page(anon, "/evidence/summary");
	/* One of this node's own and two received. */
	ck_assert(resp_has(r, "<span class=\"stat__figure\">3</span>"));
	ck_assert(resp_has(r, "/evidence?region=London"));
	ck_assert(resp_has(r, "/evidence?region=South%20West"));
	resp_free(r);
	client_free(anon);
}
END_TEST

/* --- the coordinator's sync and peers pages ---------------------------- */

static struct node *admin_node;
static char *admin_pw;
static char *plain_pw;

#define ADMIN		"sync.coord@example.org"
#define PLAIN		"sync.member@example.org"
#define FINGERPRINT	"0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef"

static void
admin_start(void)
{
	admin_node = node_new("Sync node", NULL);
	ck_assert_ptr_nonnull(admin_node);
	admin_pw = node_user_add(admin_node, ADMIN, "admin");
	plain_pw = node_user_add(admin_node, PLAIN, "member");
	ck_assert_ptr_nonnull(admin_pw);
	ck_assert_ptr_nonnull(plain_pw);
	ck_assert_int_eq(node_serve(admin_node), 0);
}

static void
admin_stop(void)
{
	node_free(admin_node);
	free(admin_pw);
	free(plain_pw);
	admin_node = NULL;
}

/* Pins a peer as feeds/peers.c would; its id. */
static char *
pin(const char *url, const char *node_uuid, const char *name,
    const char *region, const char *more)
{
	const char *p[5] = { url, node_uuid, name, region, FINGERPRINT };
	char *id;

	id = node_sqlv(admin_node, "INSERT INTO peers (url, node, name, region,"
	    " fingerprint) VALUES ($1, $2, $3, $4, $5) RETURNING id", 5, p);
	ck_assert_ptr_nonnull(id);
	if (more != NULL) {
		const char *q[1] = { id };
		char *v = node_sqlv(admin_node, more, 1, q);

		ck_assert_ptr_nonnull(v);
		free(v);
	}
	return id;
}

START_TEST(test_sync_page_says_how_each_peer_is_doing)
{
	struct client *co = client_as(admin_node, ADMIN, admin_pw);
	struct resp *r;
	char *ok, *bad;

	/* The tools are under Manage, the network among them. */
	r = page(co, "/");
	ck_assert(resp_has(r, "<a href=\"/manage\">Manage</a>"));
	resp_free(r);
	r = page(co, "/manage");
	ck_assert(resp_has(r, "<a href=\"/admin/sync\">Network</a>"));
	resp_free(r);
	r = page(co, "/admin/sync");
	ck_assert(resp_has(r, "This node has no peers yet"));
	ck_assert(resp_has(r, "aria-current=\"page\">Network</a>"));
	resp_free(r);

	ok = pin("https://hub.example.org", "6c1e3b52-2f0a-4d7e-9a51-"
	    "0a0b0c0d0e10", "National social prescribing network", "National",
	    "UPDATE peers SET hub = true, last_attempt = '2027-07-01"
	    " 08:30:00+00', last_success = '2027-07-01 08:30:00+00'"
	    " WHERE id = $1::bigint RETURNING id");
	free(node_text(admin_node, "INSERT INTO peer_cursors (peer, collection,"
	    " seq) SELECT id, 'events', 40 FROM peers RETURNING peer", NULL));
	r = page(co, "/admin/sync");
	ck_assert(resp_has(r, "All is well"));
	ck_assert(resp_has(r, "National social prescribing network"));
	ck_assert(resp_has(r, "https://hub.example.org"));
	ck_assert(resp_has(r, "<span>Hub</span>"));
	/* UK time: British Summer Time in July. */
	ck_assert(resp_has(r, "Thursday 1 July 2027, 9:30am"));
	ck_assert(resp_has(r, "Up to date"));
	ck_assert(resp_has(r, "0 entries"));
	ck_assert(resp_has(r, "No entry from a peer has been refused."));
	resp_free(r);

	bad = pin("https://london.example.org", LONDON, LONDON_NAME, "London",
	    "UPDATE peers SET last_attempt = now(), last_error = 'Could not"
	    " reach https://london.example.org: timed out'"
	    " WHERE id = $1::bigint RETURNING id");
	ck_assert_int_eq(node_exec(admin_node, "INSERT INTO peer_cursors"
	    " (peer, collection, seq, behind, behind_since) VALUES"
	    " ($1::bigint, 'events', 3, 7, now() - interval '1 hour'),"
	    " ($1::bigint, 'members', 9, 3, now() - interval '5 minutes')", 1,
	    (const char *const[]){ bad }), 2);
	ck_assert_int_eq(node_exec(admin_node, "INSERT INTO rejections (peer,"
	    " collection, entry_id, reason) VALUES ($1::bigint, 'events',"
	    " 'urn:uuid:7e000000-0000-4000-8000-0000000000aa', 'The signature"
	    " does not verify'), ($1::bigint, 'documents', 'urn:uuid:"
	    "7e000000-0000-4000-8000-0000000000bb', 'Version 2 is not newer"
	    " than version 3')", 1, (const char *const[]){ bad }), 2);
	r = page(co, "/admin/sync");
	ck_assert(!resp_has(r, "All is well"));
	ck_assert(resp_has(r, "1 of 2 peers needs attention."));
	ck_assert(resp_has(r, LONDON_NAME));
	ck_assert(resp_has(r, "Failing"));
	ck_assert(resp_has(r, "Could not reach https://london.example.org: "
	    "timed out"));
	ck_assert(resp_has(r, "<span>Never</span>"));
	/* Entries waiting over every collection, the oldest an hour. */
	ck_assert(resp_has(r, "10 entries"));
	ck_assert(resp_has(r, "(about 60 minutes)"));
	ck_assert(resp_has(r, "Refused from " LONDON_NAME));
	ck_assert(resp_has(r, "The signature does not verify"));
	ck_assert(resp_has(r, "urn:uuid:7e000000-0000-4000-8000-0000000000aa"));
	ck_assert(resp_has(r, "Version 2 is not newer than version 3"));
	ck_assert(resp_has(r, "<span>documents</span>"));
	ck_assert(!resp_has(r, "No entry from a peer has been refused."));
	resp_free(r);

	/* The failing peer recovers and catches up. */
	ck_assert_int_eq(node_exec(admin_node, "UPDATE peers SET last_success"
	    " = now(), last_attempt = now(), last_error = NULL"
	    " WHERE id = $1::bigint", 1, (const char *const[]){ bad }), 1);
	ck_assert_int_eq(node_exec(admin_node, "UPDATE peer_cursors SET"
	    " behind = 0, behind_since = NULL WHERE peer = $1::bigint", 1,
	    (const char *const[]){ bad }), 2);
	r = page(co, "/admin/sync");
	ck_assert(resp_has(r, "All is well"));
	/* What it refused on the way stays listed. */
	ck_assert(resp_has(r, "The signature does not verify"));
	resp_free(r);
	free(ok);
	free(bad);
	client_free(co);
}
END_TEST

START_TEST(test_sync_and_peers_are_for_coordinators_only)
{
	struct client *m = client_as(admin_node, PLAIN, plain_pw);
	struct client *anon = client_new(admin_node);
	struct resp *r;
	long before = node_num(admin_node, "SELECT count(*) FROM peers", NULL);

	r = http_get(m, "/admin/sync");
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = http_get(m, "/admin/peers");
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = form_post(m, "/", "/admin/peers", "url",
	    "https://member.example.org", "fingerprint", FINGERPRINT, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = page(m, "/");
	ck_assert(!resp_has(r, "/admin/sync"));
	resp_free(r);
	r = http_get(anon, "/admin/sync");
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/signin"));
	resp_free(r);
	ck_assert_int_eq(node_num(admin_node, "SELECT count(*) FROM peers",
	    NULL), before);
	client_free(m);
	client_free(anon);
}
END_TEST

START_TEST(test_peers_page_lists_peers_for_people_to_compare)
{
	struct client *co = client_as(admin_node, ADMIN, admin_pw);
	struct resp *r;
	char *id, *own, groups[16];

	id = pin("https://wales.example.org", "6c1e3b52-2f0a-4d7e-9a51-"
	    "0a0b0c0d0e20", "Wales social prescribing network", "South West",
	    NULL);
	r = page(co, "/admin/peers");
	ck_assert(resp_has(r, "Wales social prescribing network"));
	ck_assert(resp_has(r, "https://wales.example.org"));
	ck_assert(resp_has(r, "0123 4567 89ab cdef 0123 4567 89ab cdef "
	    "0123 4567 89ab cdef 0123 4567 89ab cdef"));
	ck_assert(resp_has(r, "aria-label=\"Remove peer Wales social "
	    "prescribing network\""));
	ck_assert(resp_has(r, "<th scope=\"col\" role=\"columnheader\">"
	    "Fingerprint</th>"));
	/* This node's own, for the other coordinator to pin, in groups. */
	own = node_fingerprint(admin_node);
	ck_assert_ptr_nonnull(own);
	snprintf(groups, sizeof(groups), "%.4s %.4s %.4s", own, own + 4,
	    own + 8);
	ck_assert(resp_has(r, groups));
	free(own);
	resp_free(r);
	free(id);
	client_free(co);
}
END_TEST

START_TEST(test_peer_form_problems_keep_what_was_typed)
{
	struct client *co = client_as(admin_node, ADMIN, admin_pw);
	struct resp *r;
	long before = node_num(admin_node, "SELECT count(*) FROM peers", NULL);

	r = form_post(co, "/admin/peers", "/admin/peers", "url",
	    "ftp://york.example.org", "fingerprint", "AB:CD:EF", "hub", "yes",
	    NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "There is a problem"));
	ck_assert(resp_has(r, "Enter the peer&#39;s address starting with "
	    "https://") || resp_has(r, "Enter the peer's address starting "
	    "with https://"));
	ck_assert(resp_has(r, "Enter the fingerprint as 64 characters"));
	ck_assert(resp_has(r, "value=\"ftp://york.example.org\""));
	ck_assert(resp_has(r, "value=\"AB:CD:EF\""));
	ck_assert(resp_has(r, "class=\"checkbox__input\" checked"));
	resp_free(r);

	r = form_post(co, "/admin/peers", "/admin/peers", "url", "",
	    "fingerprint", "", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Enter the address of the peer"));
	ck_assert(resp_has(r, "Enter the fingerprint of the peer"));
	ck_assert(!resp_has(r, "class=\"checkbox__input\" checked"));
	resp_free(r);

	r = form_post(co, "/admin/peers", "/admin/peers", "url", "https://",
	    "fingerprint", FINGERPRINT "0", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "with the name of its server"));
	ck_assert(resp_has(r, "Enter the fingerprint as 64 characters"));
	resp_free(r);

	/*
	 * Both well formed (the fingerprint as people copy it: upper case,
	 * in groups): the form's own checks pass and it is the pinning
	 * that fails, here for want of a peer at that address.  Its reason
	 * is shown on the form, and nothing is kept.
	 */
	r = form_post(co, "/admin/peers", "/admin/peers", "url",
	    "http://127.0.0.1:9", "fingerprint", "0123:4567:89AB:CDEF:"
	    "0123:4567:89AB:CDEF:0123:4567:89AB:CDEF:0123:4567:89AB:CDEF",
	    NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "There is a problem"));
	ck_assert(!resp_has(r, "Enter the fingerprint as 64 characters"));
	ck_assert(resp_has(r, "value=\"http://127.0.0.1:9\""));
	ck_assert(resp_has(r, "value=\"0123:4567:89AB:CDEF:"));
	resp_free(r);
	ck_assert_int_eq(node_num(admin_node, "SELECT count(*) FROM peers",
	    NULL), before);
	client_free(co);
}
END_TEST

START_TEST(test_removing_a_peer_twice_is_harmless)
{
	struct client *co = client_as(admin_node, ADMIN, admin_pw);
	struct resp *r;
	char *id;

	id = pin("https://york.example.org", "6c1e3b52-2f0a-4d7e-9a51-"
	    "0a0b0c0d0e30", "York social prescribing network",
	    "North East and Yorkshire", NULL);
	/* Without the session's token, nothing happens. */
	r = http_post(co, "/admin/peers/remove", "peer", id, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(node_num(admin_node, "SELECT count(*) FROM peers"
	    " WHERE id = $1::bigint", id), 1);

	r = form_post(co, "/admin/peers", "/admin/peers/remove", "peer", id,
	    NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/admin/peers?done=removed"));
	resp_free(r);
	ck_assert_int_eq(node_num(admin_node, "SELECT count(*) FROM peers"
	    " WHERE id = $1::bigint", id), 0);
	r = page(co, "/admin/peers?done=removed");
	ck_assert(resp_has(r, "The peer was removed."));
	ck_assert(!resp_has(r, "York social prescribing network"));
	resp_free(r);

	r = form_post(co, "/admin/peers", "/admin/peers/remove", "peer", id,
	    NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/admin/peers?done=gone"));
	resp_free(r);
	r = page(co, "/admin/peers?done=gone");
	ck_assert(resp_has(r, "That peer had already been removed."));
	resp_free(r);
	free(id);
	client_free(co);
}
END_TEST

Suite *
network_suite(void)
{
	Suite *s = suite_create("network");
	TCase *tc;

	tc = tcase_create("received records");
	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_lists_show_received_records_with_their_origin);
	tcase_add_test(tc, test_region_filter_narrows_every_list);
	tcase_add_test(tc, test_a_region_not_on_the_list_is_refused);
	tcase_add_test(tc, test_received_pages_link_home_and_offer_no_changes);
	tcase_add_test(tc,
	    test_changes_to_received_records_are_refused_and_change_nothing);
	tcase_add_test(tc,
	    test_received_event_is_registered_for_through_its_home_node);
	tcase_add_test(tc, test_evidence_summary_counts_every_region);
	/* Last: it adds a term the other tests do not expect. */
	tcase_add_test(tc, test_origin_unknown_to_this_node_is_still_labelled);
	suite_add_tcase(s, tc);

	tc = tcase_create("sync and peers");
	tcase_add_unchecked_fixture(tc, admin_start, admin_stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sync_page_says_how_each_peer_is_doing);
	tcase_add_test(tc, test_sync_and_peers_are_for_coordinators_only);
	tcase_add_test(tc, test_peers_page_lists_peers_for_people_to_compare);
	tcase_add_test(tc, test_peer_form_problems_keep_what_was_typed);
	tcase_add_test(tc, test_removing_a_peer_twice_is_harmless);
	suite_add_tcase(s, tc);
	return s;
}
