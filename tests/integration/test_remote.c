/*
 * Registering for another node's event (docs/protocol.md, section 8), on
 * real nodes on 127.0.0.1: a hub holding the event and a region whose
 * members register from home.  What each person sees, on the pages and
 * in their mail, and what each database holds: the host decides, the
 * home node tells; a host that is down gets the request when it is back,
 * exactly once.  And a race: members of three regions and of the hub
 * itself all registering at once for the same places, which the hub
 * must share out exactly as it would among its own members.
 */
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"

Suite	*remote_suite(void);

#define SETTLE_MS	30000	/* the most a change may take to arrive */

static struct node *hub, *nw, *london, *sw;
static char *hub_id, *nw_id, *coord_pw;

static void
nodes_up(const char *nw_settings)
{
	hub = node_new("National hub", "region = National\nsync_interval = 2");
	nw = node_new("North West node", nw_settings);
	ck_assert_ptr_nonnull(hub);
	ck_assert_ptr_nonnull(nw);
	ck_assert_int_eq(node_serve(hub), 0);
	ck_assert_int_eq(node_serve(nw), 0);
	ck_assert_int_eq(node_peer(hub, nw, 0), 0);
	ck_assert_int_eq(node_peer(nw, hub, 1), 0);
	hub_id = node_sql(hub, "SELECT id FROM node", NULL);
	nw_id = node_sql(nw, "SELECT id FROM node", NULL);
	coord_pw = node_user_add(hub, "coord@hub.example.org", "coordinator");
	ck_assert_ptr_nonnull(coord_pw);
}

static void
two_nodes(void)
{
	nodes_up("region = North West\nsync_interval = 2");
}

/* The same, the North West node's courier with one hand. */
static void
two_nodes_one_hand(void)
{
	nodes_up("region = North West\nsync_interval = 2\ncourier_workers = 1");
}

/* The hub and three regions, each pinning the hub as its hub. */
static void
four_nodes(void)
{
	two_nodes();
	london = node_new("London node", "region = London\nsync_interval = 2");
	sw = node_new("South West node",
	    "region = South West\nsync_interval = 2");
	ck_assert_ptr_nonnull(london);
	ck_assert_ptr_nonnull(sw);
	ck_assert_int_eq(node_serve(london), 0);
	ck_assert_int_eq(node_serve(sw), 0);
	ck_assert_int_eq(node_peer(hub, london, 0), 0);
	ck_assert_int_eq(node_peer(london, hub, 1), 0);
	ck_assert_int_eq(node_peer(hub, sw, 0), 0);
	ck_assert_int_eq(node_peer(sw, hub, 1), 0);
}

static void
two_nodes_down(void)
{
	node_free(hub);
	node_free(nw);
	node_free(london);
	node_free(sw);
	hub = nw = london = sw = NULL;
	free(hub_id);
	free(nw_id);
	free(coord_pw);
}

/* A published event on the hub with one kind of place, seen everywhere. */
static char *
hub_event(const char *title, const char *capacity)
{
	struct client *co = client_as(hub, "coord@hub.example.org", coord_pw);
	char *id = event_new_published(co, title, capacity);
	struct node *regions[] = { nw, london, sw };
	size_t i;

	ck_assert_ptr_nonnull(id);
	client_free(co);
	for (i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
		ck_assert_msg(regions[i] == NULL || node_wait(regions[i],
		    "SELECT count(*) = 1 FROM place_types WHERE event = $1"
		    " AND ref IS NOT NULL", id, SETTLE_MS),
		    "the event's places never reached %s", regions[i]->name);
	return id;
}

/* A member of nw, signed in; their password in *pw when asked. */
static struct client *
nw_member_pw(const char *email, char **pw)
{
	char *given = node_user_add(nw, email, "member");
	struct client *c;

	ck_assert_ptr_nonnull(given);
	c = client_as(nw, email, given);
	if (pw != NULL)
		*pw = given;
	else
		free(given);
	return c;
}

static struct client *
nw_member(const char *email)
{
	return nw_member_pw(email, NULL);
}

/*
 * After the member confirms, the home node hands the request to its
 * courier and shows the registration's own page, which says it is being
 * sent until the host answers or cannot be reached.  That page, once it
 * says one or the other (r, the answer to the confirmation, is freed).
 */
static struct resp *
sent_page(struct client *c, struct resp *r)
{
	char where[256];
	int i;

	ck_assert_msg(r->status == 303 && r->location != NULL &&
	    strstr(r->location, "/registrations/") != NULL,
	    "not sent to the registration's page: %ld %s", r->status,
	    r->body);
	snprintf(where, sizeof(where), "%s", strstr(r->location,
	    "/registrations/"));
	resp_free(r);
	for (i = 0; i < SETTLE_MS / 100; i++) {
		r = http_get(c, where);
		if (r->status != 200 || !resp_has(r, "Sending your registration"))
			return r;
		resp_free(r);
		poll(NULL, 0, 100);
	}
	ck_abort_msg("the registration was never sent");
	return NULL;
}

/*
 * Registers like a person on the home node: the event's form, then the
 * page showing what will be shared, then sending it.  The page the
 * member is left on once the host answered or could not be reached.
 */
static struct resp *
register_away(struct client *c, const char *event)
{
	char path[128], action[160];
	char *csrf, *request, *place;
	struct resp *r;

	snprintf(path, sizeof(path), "/events/%s", event);
	snprintf(action, sizeof(action), "/events/%s/register", event);
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "This event is held by"));
	csrf = form_field(r->body, "csrf");
	request = form_field(r->body, "request");
	place = form_field(r->body, "place");
	ck_assert_ptr_nonnull(csrf);
	ck_assert_ptr_nonnull(request);
	ck_assert_ptr_nonnull(place);
	resp_free(r);
	r = http_post(c, action, "csrf", csrf, "request", request, "place",
	    place, "places", "1", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(resp_has(r, "Check what will be shared") &&
	    resp_has(r, "is held by <span>National hub</span>") &&
	    resp_has(r, "<dd>Test Coordinator</dd>") &&
	    resp_has(r, "Role in social prescribing"),
	    "no confirmation step: %s", r->body);
	resp_free(r);
	/* Nothing has gone to the host before the member confirms. */
	r = http_post(c, action, "csrf", csrf, "request", request, "place",
	    place, "places", "1", "confirm", "yes", NULL);
	free(csrf);
	free(request);
	free(place);
	return sent_page(c, r);
}

static long
hub_count(const char *sql, const char *param)
{
	return node_num(hub, sql, param);
}

START_TEST(test_remote_registration_is_confirmed_then_waitlisted)
{
	char *event = hub_event("National conference", "1");
	struct client *a = nw_member("amina@nw.example.org");
	struct client *b = nw_member("ben@nw.example.org");
	struct client *co;
	struct resp *r;

	r = register_away(a, event);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(resp_has(r, "You have a place") &&
	    resp_has(r, "National hub has given you a place"), "%s", r->body);
	resp_free(r);
	r = register_away(b, event);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(resp_has(r, "on the waiting list</h1>") &&
	    resp_has(r, "at number 1"), "%s", r->body);
	resp_free(r);

	/* The host holds both, marked as the region's. */
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE email = 'amina@nw.example.org' AND status = 'confirmed'"
	    " AND home = $1", nw_id), 1);
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE email = 'ben@nw.example.org' AND status = 'waiting'"
	    " AND home = $1", nw_id), 1);
	/* The home node emails its members; the host does not. */
	ck_assert_int_eq(node_num(nw, "SELECT count(*) FROM outbox WHERE"
	    " recipient = 'amina@nw.example.org' AND subject ="
	    " 'Your place at National conference'", NULL), 1);
	ck_assert_int_eq(node_num(nw, "SELECT count(*) FROM outbox WHERE"
	    " recipient = 'ben@nw.example.org' AND subject LIKE"
	    " 'You are on the waiting list%'", NULL), 1);
	ck_assert_int_eq(hub_count("SELECT count(*) FROM outbox WHERE"
	    " recipient LIKE '%@nw.example.org'", NULL), 0);

	/* The member sees it on their page and the event's. */
	r = http_get(a, "/registrations");
	ck_assert(resp_has(r, "National conference"));
	ck_assert(resp_has(r, "You have a place"));
	ck_assert(resp_has(r, "Held by National hub"));
	resp_free(r);

	/* The organiser's list says where each attendee comes from. */
	co = client_as(hub, "coord@hub.example.org", coord_pw);
	{
		char path[256];

		snprintf(path, sizeof(path), "/events/%s/attendees", event);
		r = http_get(co, path);
		ck_assert_int_eq(r->status, 200);
		ck_assert(resp_has(r, "amina@nw.example.org"));
		ck_assert(resp_has(r, "From North West"));
		resp_free(r);
		/* At the door, and in the spreadsheet, with the region. */
		snprintf(path, sizeof(path), "/events/%s/checkin?q=Test",
		    event);
		r = http_get(co, path);
		ck_assert_int_eq(r->status, 200);
		ck_assert(resp_has(r, "From North West"));
		resp_free(r);
		snprintf(path, sizeof(path), "/events/%s/export.csv?which=all"
		    "&col=email&col=home", event);
		r = http_get(co, path);
		ck_assert_int_eq(r->status, 200);
		ck_assert_msg(resp_has(r, "Email,Home region") &&
		    resp_has(r, "amina@nw.example.org,North West") &&
		    resp_has(r, "ben@nw.example.org,North West"), "%s", r->body);
		resp_free(r);
	}
	client_free(co);
	client_free(a);
	client_free(b);
	free(event);
}
END_TEST

/*
 * The home node sends its member's stakeholder group; the host counts
 * them under it, and gives them the places it keeps for it.
 */
START_TEST(test_the_group_the_home_node_sends_counts_at_the_host)
{
	char *event = hub_event("Citizens' forum", "2");
	struct client *a = nw_member("ayo@nw.example.org");
	struct client *b = nw_member("bea@nw.example.org");
	struct client *c = nw_member("cal@nw.example.org");
	struct resp *r;

	/* One of the two places is kept for citizens. */
	ck_assert_int_eq(hub_count("SELECT count(*) FROM place_types pt,"
	    " acorn_keep(pt.id, 1, '{citizen}', now() + interval '30 days')"
	    " WHERE pt.event = $1", event), 1);
	ck_assert_int_eq(node_exec(nw, "UPDATE members SET stakeholder ="
	    " 'citizen' WHERE id = (SELECT member FROM accounts"
	    " WHERE email = 'cal@nw.example.org')", 0, NULL), 1);

	r = register_away(a, event);
	ck_assert_msg(resp_has(r, "You have a place"), "%s", r->body);
	resp_free(r);
	/* The place left is kept: a link worker waits ... */
	r = register_away(b, event);
	ck_assert_msg(resp_has(r, "on the waiting list</h1>"), "%s", r->body);
	resp_free(r);
	/* ... and a citizen arriving after has it. */
	r = register_away(c, event);
	ck_assert_msg(resp_has(r, "You have a place"), "%s", r->body);
	resp_free(r);

	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE event = $1 AND home IS NOT NULL AND ((email ="
	    " 'ayo@nw.example.org' AND stakeholder = 'link_worker') OR"
	    " (email = 'cal@nw.example.org' AND stakeholder = 'citizen'))",
	    event), 2);
	ck_assert_int_eq(hub_count("SELECT confirmed FROM"
	    " acorn_event_mix($1) WHERE by_what = 'group'"
	    " AND code = 'citizen'", event), 1);
	ck_assert_int_eq(hub_count("SELECT waiting FROM"
	    " acorn_event_mix($1) WHERE by_what = 'group'"
	    " AND code = 'link_worker'", event), 1);
	client_free(a);
	client_free(b);
	client_free(c);
	free(event);
}
END_TEST

/*
 * After the hub's event, its organiser sends the feedback form: a
 * member of the North West node is sent their link by their own node,
 * and answers on the hub without an account there.  A link that is not
 * to the host's own form is refused by the home node.
 */
START_TEST(test_feedback_reaches_a_remote_attendee_through_their_node)
{
	char *event = hub_event("National learning day", "5");
	struct client *a = nw_member("femi@nw.example.org");
	struct client *co = client_as(hub, "coord@hub.example.org", coord_pw);
	struct client *anon;
	char path[256], *mail, *link, *q, field[32], *csrf, *away;
	struct resp *r;

	r = register_away(a, event);
	ck_assert_msg(resp_has(r, "You have a place"), "%s", r->body);
	resp_free(r);
	snprintf(path, sizeof(path), "/events/%s/feedback", event);
	resp_free(form_post(co, path, path, "qkind", "rating", "label",
	    "How was it?", NULL));
	ck_assert_int_eq(node_exec(hub, "UPDATE events SET starts = now() -"
	    " interval '1 day', ends = now() - interval '20 hours' WHERE id ="
	    " $1", 1, (const char *[]){ event }), 1);
	r = form_post(co, path, path, "send", "yes", NULL);
	ck_assert_msg(resp_has(r, "The form was sent to 1 person."), "%s",
	    r->body);
	resp_free(r);
	/* The hub mails nobody from another node ... */
	ck_assert_int_eq(node_num(hub, "SELECT count(*) FROM outbox WHERE"
	    " recipient = 'femi@nw.example.org'", NULL), 0);
	/* ... their node does, with the hub's link. */
	ck_assert(node_wait(nw, "SELECT count(*) = 1 FROM outbox WHERE"
	    " recipient = 'femi@nw.example.org' AND subject ="
	    " 'What did you think of National learning day?'", NULL,
	    SETTLE_MS));
	mail = node_sql(nw, "SELECT body FROM outbox WHERE recipient ="
	    " 'femi@nw.example.org' AND subject LIKE 'What did you think%'",
	    NULL);
	ck_assert_ptr_nonnull(mail);
	ck_assert_ptr_nonnull(strstr(mail, "/feedback/"));
	link = strndup(strstr(mail, "/feedback/"),
	    strcspn(strstr(mail, "/feedback/"), "\n"));
	ck_assert_int_eq(strlen(link), 10 + 43);

	/* The member answers on the hub, with no account there. */
	anon = client_new(hub);
	r = http_get(anon, link);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "How was it?"));
	csrf = form_field(r->body, "csrf");
	resp_free(r);
	q = node_sql(hub, "SELECT id FROM feedback_questions WHERE label ="
	    " 'How was it?'", NULL);
	snprintf(field, sizeof(field), "answer_%s", q);
	r = http_post(anon, link, "csrf", csrf, field, "4", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Your answers are in."));
	resp_free(r);
	ck_assert_int_eq(node_num(hub, "SELECT count(*) FROM feedback_links"
	    " WHERE answered AND stakeholder = 'link_worker'", NULL), 1);

	/* A link elsewhere, in an outcome, is refused and mails nobody. */
	away = node_sql(nw, "SELECT id FROM away_registrations WHERE email ="
	    " 'femi@nw.example.org'", NULL);
	ck_assert_ptr_nonnull(away);
	ck_assert_int_eq(node_num(nw, "SELECT acorn_away_apply(a.id, a.host,"
	    " a.event, a.status, a.position, a.why, a.outcome + 1, a.version,"
	    " a.joining, 'https://nw.example.org',"
	    " 'https://elsewhere.example.org/feedback/"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')"
	    " FROM away_registrations a WHERE a.id = $1", away), 400);
	ck_assert_int_eq(node_num(nw, "SELECT count(*) FROM outbox WHERE"
	    " recipient = 'femi@nw.example.org' AND subject LIKE"
	    " 'What did you think%'", NULL), 1);

	/*
	 * Who came, by group, goes with the event's entry: the region
	 * holds the hub's count, and the hub's mix shows it.
	 */
	ck_assert_int_eq(node_num(hub, "SELECT acorn_attendance_publish()",
	    NULL), 1);
	ck_assert(node_wait(nw, "SELECT attendance = 'link_worker=1' FROM"
	    " events WHERE id = $1", event, SETTLE_MS));
	r = http_get(anon, "/mix");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "The network's mix"));
	ck_assert(resp_has(r, "Who came to events, by stakeholder group"));
	resp_free(r);

	free(away);
	free(q);
	free(csrf);
	free(link);
	free(mail);
	client_free(anon);
	client_free(co);
	client_free(a);
	free(event);
}
END_TEST

START_TEST(test_cancellations_either_way_and_promotions_reach_home)
{
	char *event = hub_event("Regional workshop", "1");
	struct client *a = nw_member("amina@nw.example.org");
	struct client *b = nw_member("ben@nw.example.org");
	struct client *c = nw_member("cara@nw.example.org");
	struct resp *r;
	char action[160];

	resp_free(register_away(a, event));
	resp_free(register_away(b, event));
	r = http_get(a, "/registrations");
	ck_assert(cancel_form_action(r->body, action, sizeof(action)));
	resp_free(r);
	r = form_post(a, action, action, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);

	/* The courier takes the cancellation to the host. */
	ck_assert_msg(node_wait(hub, "SELECT count(*) = 1 FROM registrations"
	    " WHERE email = 'amina@nw.example.org' AND status = 'cancelled'",
	    NULL, SETTLE_MS), "the cancellation never reached the host");
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE email = 'ben@nw.example.org' AND status = 'confirmed'",
	    NULL), 1);
	ck_assert_msg(node_wait(nw, "SELECT status = 'confirmed' FROM"
	    " away_registrations WHERE email = 'ben@nw.example.org'", NULL,
	    SETTLE_MS), "the promotion never reached the home node");
	ck_assert_int_eq(node_num(nw, "SELECT count(*) FROM outbox WHERE"
	    " recipient = 'ben@nw.example.org' AND subject ="
	    " 'A place has come up for you: Regional workshop'", NULL), 1);
	r = http_get(b, "/registrations");
	ck_assert(resp_has(r, "You have a place"));
	resp_free(r);

	/* The organiser cancels Ben's place: Cara, waiting, moves up. */
	resp_free(register_away(c, event));
	{
		struct client *co = client_as(hub, "coord@hub.example.org",
		    coord_pw);
		char path[128], unregister[160], ask[256], *ref;

		ref = node_sql(hub, "SELECT ref FROM registrations WHERE"
		    " email = 'ben@nw.example.org'", NULL);
		ck_assert_ptr_nonnull(ref);
		snprintf(path, sizeof(path), "/events/%s/attendees", event);
		snprintf(unregister, sizeof(unregister),
		    "/events/%s/unregister", event);
		/* The organiser is asked first, and told who is told. */
		snprintf(ask, sizeof(ask), "%s?id=%s", unregister, ref);
		r = http_get(co, ask);
		ck_assert_int_eq(r->status, 200);
		ck_assert(resp_has(r, "Cancel the registration of"));
		ck_assert(resp_has(r, "They registered from North West, which"
		    " will email them."));
		resp_free(r);
		ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
		    " WHERE email = 'ben@nw.example.org' AND status ="
		    " 'confirmed'", NULL), 1);
		r = form_post(co, ask, unregister, "id", ref, "confirm", "yes",
		    NULL);
		ck_assert_int_eq(r->status, 303);
		resp_free(r);
		free(ref);
		client_free(co);
	}
	ck_assert_msg(node_wait(nw, "SELECT status = 'cancelled' FROM"
	    " away_registrations WHERE email = 'ben@nw.example.org'", NULL,
	    SETTLE_MS), "the organiser's cancellation never reached home");
	ck_assert_msg(node_wait(nw, "SELECT status = 'confirmed' FROM"
	    " away_registrations WHERE email = 'cara@nw.example.org'", NULL,
	    SETTLE_MS), "the promotion never reached the home node");
	ck_assert_int_eq(node_num(nw, "SELECT count(*) FROM outbox WHERE"
	    " recipient = 'ben@nw.example.org' AND subject ="
	    " 'Your registration is cancelled: Regional workshop'", NULL), 1);

	/* The organiser cancels the event: the home node hears and tells. */
	{
		struct client *co = client_as(hub, "coord@hub.example.org",
		    coord_pw);
		char path[128], cancel[160];

		snprintf(path, sizeof(path), "/events/%s/cancel", event);
		snprintf(cancel, sizeof(cancel), "/events/%s/cancel", event);
		r = form_post(co, path, cancel, "confirm", "yes", NULL);
		ck_assert_int_eq(r->status, 303);
		resp_free(r);
		client_free(co);
	}
	ck_assert_msg(node_wait(nw, "SELECT status = 'cancelled' FROM"
	    " away_registrations WHERE email = 'cara@nw.example.org'", NULL,
	    SETTLE_MS), "the cancellation never reached the home node");
	ck_assert_int_eq(node_num(nw, "SELECT count(*) FROM outbox WHERE"
	    " recipient = 'cara@nw.example.org' AND subject ="
	    " 'Cancelled: Regional workshop'", NULL), 1);
	client_free(a);
	client_free(b);
	client_free(c);
	free(event);
}
END_TEST

START_TEST(test_host_down_then_up_gets_each_request_once)
{
	char *event = hub_event("Link worker summit", "10");
	struct client *c = nw_member("cara@nw.example.org"), *co;
	struct resp *r;
	char action[160], *pw;
	int port = node_port(hub);

	ck_assert_int_eq(node_stop(hub), 0);
	r = register_away(c, event);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(resp_has(r, "waiting to be delivered") &&
	    resp_has(r, "only ever count once"), "%s", r->body);
	resp_free(r);
	r = http_get(c, "/registrations");
	ck_assert(resp_has(r, "Waiting for a reply"));
	resp_free(r);
	/* The region's coordinator sees what waits, and why. */
	pw = node_user_add(nw, "coord@nw.example.org", "coordinator");
	ck_assert_ptr_nonnull(pw);
	co = client_as(nw, "coord@nw.example.org", pw);
	free(pw);
	r = http_get(co, "/admin/sync");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Waiting to be delivered"));
	ck_assert(resp_has(r, "1 registration or cancellation by members"
	    " here"));
	ck_assert(resp_has(r, "Couldn&#39;t connect") ||
	    resp_has(r, "Couldn't connect"));
	resp_free(r);
	ck_assert_int_eq(node_serve_port(hub, port), 0);
	ck_assert_msg(node_wait(nw, "SELECT status = 'confirmed' FROM"
	    " away_registrations WHERE email = 'cara@nw.example.org'", NULL,
	    SETTLE_MS), "the request never reached the host");
	r = http_get(co, "/admin/sync");
	ck_assert(resp_has(r, "Everything has been delivered."));
	resp_free(r);
	client_free(co);
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE email = 'cara@nw.example.org'", NULL), 1);

	/* A cancellation made while the host is down follows it back. */
	ck_assert_int_eq(node_stop(hub), 0);
	r = http_get(c, "/registrations");
	ck_assert(cancel_form_action(r->body, action, sizeof(action)));
	resp_free(r);
	r = form_post(c, action, action, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = http_get(c, "/registrations");
	ck_assert(resp_has(r, "Cancelling: waiting for National hub"));
	resp_free(r);
	ck_assert_int_eq(node_serve_port(hub, port), 0);
	ck_assert_msg(node_wait(hub, "SELECT status = 'cancelled' FROM"
	    " registrations WHERE email = 'cara@nw.example.org'", NULL,
	    SETTLE_MS), "the cancellation never reached the host");
	ck_assert_msg(node_wait(nw, "SELECT status = 'cancelled' FROM"
	    " away_registrations WHERE email = 'cara@nw.example.org'", NULL,
	    SETTLE_MS), "the host's answer never came back");
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE email = 'cara@nw.example.org'", NULL), 1);
	client_free(c);
	free(event);
}
END_TEST

START_TEST(test_erasing_an_account_cancels_at_the_host_and_removes_details)
{
	char *event = hub_event("Evaluation masterclass", "1");
	char *pw;
	struct client *a = nw_member_pw("erin@nw.example.org", &pw);
	struct client *b = nw_member("femi@nw.example.org");
	struct resp *r;

	resp_free(register_away(a, event));
	resp_free(register_away(b, event));
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE email = 'erin@nw.example.org' AND status = 'confirmed'",
	    NULL), 1);
	r = form_post(a, "/profile/erase", "/profile/erase", "password", pw,
	    "confirm", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Your account has been erased"));
	resp_free(r);

	/* The host cancels, forgets who it was, and gives the place on. */
	ck_assert_msg(node_wait(hub, "SELECT count(*) = 0 FROM registrations"
	    " WHERE email = 'erin@nw.example.org'", NULL, SETTLE_MS),
	    "the host still holds the erased member's details");
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE home = $1 AND status = 'cancelled' AND name ="
	    " 'Erased member' AND organisation IS NULL", nw_id), 1);
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE email = 'femi@nw.example.org' AND status = 'confirmed'",
	    NULL), 1);
	ck_assert_msg(node_wait(nw, "SELECT status = 'confirmed' FROM"
	    " away_registrations WHERE email = 'femi@nw.example.org'", NULL,
	    SETTLE_MS), "the promotion never reached the home node");
	/* Home keeps nothing personal either. */
	ck_assert_int_eq(node_num(nw, "SELECT count(*) FROM"
	    " away_registrations WHERE email = 'erin@nw.example.org'"
	    " OR name <> 'Erased member' AND erased", NULL), 0);
	ck_assert_msg(node_wait(nw, "SELECT bool_and(status = 'cancelled'"
	    " AND delivered = version) FROM away_registrations WHERE erased",
	    NULL, SETTLE_MS), "the host never confirmed the cancellation");
	client_free(a);
	client_free(b);
	free(pw);
	free(event);
}
END_TEST

START_TEST(test_a_changed_event_is_told_by_the_home_node)
{
	char *event = hub_event("Commissioners round table", "10");
	struct client *a = nw_member("gita@nw.example.org");
	struct client *co = client_as(hub, "coord@hub.example.org", coord_pw);
	struct resp *r;
	char edit[128];

	resp_free(register_away(a, event));
	snprintf(edit, sizeof(edit), "/events/%s/edit", event);
	r = form_post(co, edit, edit, "title", "Commissioners round table",
	    "kind", "conference", "start-day", "21", "start-month", "3",
	    "start-year", "2031", "start-hour", "10", "start-minute", "00",
	    "end-day", "21", "end-month", "3", "end-year", "2031", "end-hour",
	    "16", "end-minute", "00", "venue", "Manchester Central", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_msg(node_wait(nw, "SELECT count(*) = 1 FROM outbox WHERE"
	    " recipient = 'gita@nw.example.org' AND subject ="
	    " 'Changed: Commissioners round table'", NULL, SETTLE_MS),
	    "the change never reached the member");
	ck_assert_int_eq(hub_count("SELECT count(*) FROM outbox WHERE"
	    " recipient = 'gita@nw.example.org'", NULL), 0);
	client_free(co);
	client_free(a);
	free(event);
}
END_TEST

/*
 * The race: RACE_PLACES places at the hub and twice as many people
 * pressing the last button at the same time, half of them the hub's own
 * members and half members of the three regions confirming at home.
 */
#define RACE_PLACES	200
#define RACE_PEOPLE	(2 * RACE_PLACES)
#define RACE_THREADS	12	/* browsers at once: a crowd, on few cores */
#define RACE_REGIONS	3

struct person {
	struct node	*home;		/* where they are a member */
	char		 email[96];
	const char	*password;
	const char	*event;
	struct client	*c;
	char		*csrf;
	char		*request;
	char		*place;
	int		 ready;		/* signed in, one button from done */
	struct resp	*answer;
};

/* People handed out one at a time to a few threads. */
struct crowd {
	struct person	*people;
	int		 n;
	atomic_int	 next;
	void		(*step)(struct person *);
};

/*
 * count members of n, slug.1@race.example.org and on, made the quick
 * way: slug.0 by `acorn user add`, the rest in SQL with its password
 * hash.  Their password.
 */
static char *
race_members(struct node *n, const char *slug, int count)
{
	char email[96], number[16], *pw, *made;
	const char *p[3];

	snprintf(email, sizeof(email), "%s.0@race.example.org", slug);
	snprintf(number, sizeof(number), "%d", count);
	pw = node_user_add(n, email, "member");
	ck_assert_ptr_nonnull(pw);
	p[0] = slug;
	p[1] = number;
	p[2] = email;
	made = node_sqlv(n, "WITH m AS (INSERT INTO members (id, origin,"
	    " name, organisation, stakeholder, region)"
	    " SELECT gen_random_uuid(), n.id, $1 || ' member ' || g,"
	    " 'Race Primary Care Network', 'link_worker', n.region"
	    " FROM node n, generate_series(1, $2::integer) g"
	    " RETURNING id, name),"
	    " a AS (INSERT INTO accounts (member, email, password_hash,"
	    " status) SELECT m.id, $1 || '.' || substring(m.name"
	    " FROM '[0-9]+$') || '@race.example.org',"
	    " (SELECT password_hash FROM accounts WHERE email = $3),"
	    " 'active' FROM m RETURNING 1)"
	    " SELECT count(*) FROM a", 3, p);
	ck_assert_ptr_nonnull(made);
	ck_assert_int_eq(strtol(made, NULL, 10), count);
	free(made);
	return pw;
}

/* The registration form sent; confirmed, it goes on to the host. */
static struct resp *
person_post(struct person *p, int confirmed)
{
	char action[160];

	snprintf(action, sizeof(action), "/events/%s/register", p->event);
	if (confirmed)
		return http_post(p->c, action, "csrf", p->csrf, "request",
		    p->request, "place", p->place, "places", "1", "confirm",
		    "yes", NULL);
	return http_post(p->c, action, "csrf", p->csrf, "request",
	    p->request, "place", p->place, "places", "1", NULL);
}

/*
 * Signs in and opens the event's form; a region's member goes on to the
 * page showing what will be shared.  Runs in a thread: no assertions,
 * only ready set when all went well.
 */
static void
person_prepare(struct person *p)
{
	char path[128];
	struct resp *r;
	int ok;

	if ((p->c = client_new(p->home)) == NULL ||
	    !sign_in(p->c, p->email, p->password))
		return;
	snprintf(path, sizeof(path), "/events/%s", p->event);
	r = http_get(p->c, path);
	if (r != NULL && r->status == 200) {
		p->csrf = form_field(r->body, "csrf");
		p->request = form_field(r->body, "request");
		p->place = form_field(r->body, "place");
	}
	resp_free(r);
	if (p->csrf == NULL || p->request == NULL || p->place == NULL)
		return;
	if (p->home != hub) {
		r = person_post(p, 0);
		ok = r != NULL && r->status == 200 &&
		    resp_has(r, "Check what will be shared");
		resp_free(r);
		if (!ok)
			return;
	}
	p->ready = 1;
}

/*
 * The last button: Register on the hub, Confirm at home.  At home the
 * answer is the way to the registration's page, read once the courier
 * has delivered everything (person_told).
 */
static void
person_register(struct person *p)
{
	if (p->ready)
		p->answer = person_post(p, p->home != hub);
}

/* What a region's member's page says once the hub has answered. */
static void
person_told(struct person *p)
{
	struct resp *r = p->answer;
	const char *at;

	if (p->home == hub || r == NULL || r->status != 303 ||
	    r->location == NULL ||
	    (at = strstr(r->location, "/registrations/")) == NULL)
		return;
	p->answer = http_get(p->c, at);
	resp_free(r);
}

static void *
crowd_worker(void *arg)
{
	struct crowd *cr = arg;
	int i;

	while ((i = atomic_fetch_add(&cr->next, 1)) < cr->n)
		cr->step(&cr->people[i]);
	return NULL;
}

/* Everybody takes the step, RACE_THREADS people at a time. */
static void
crowd_run(struct person *people, int n, void (*step)(struct person *))
{
	struct crowd cr;
	pthread_t t[RACE_THREADS];
	int i;

	cr.people = people;
	cr.n = n;
	cr.step = step;
	atomic_init(&cr.next, 0);
	for (i = 0; i < RACE_THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, crowd_worker,
		    &cr), 0);
	for (i = 0; i < RACE_THREADS; i++)
		pthread_join(t[i], NULL);
}

/*
 * What a person's page said: 0 a place, n number n on the waiting list,
 * -1 that the host has not answered yet, -2 anything else.
 */
static long
told(const struct resp *r)
{
	const char *w;

	if (r == NULL || r->status != 200)
		return -2;
	if (resp_has(r, "You have a place"))
		return 0;
	if ((w = strstr(r->body, "you are number ")) != NULL)
		return strtol(w + 15, NULL, 10);
	if ((w = strstr(r->body, "has put you at number ")) != NULL)
		return strtol(w + 22, NULL, 10);
	if (resp_has(r, "waiting to be delivered"))
		return -1;
	return -2;
}

/* A count from the hub, with n parameters; -1 when there is none. */
static long
hub_countv(const char *sql, int n, const char *const *params)
{
	return node_numv(hub, sql, n, params);
}

START_TEST(test_regions_and_hub_race_for_the_same_places)
{
	struct node *regions[RACE_REGIONS] = { nw, london, sw };
	const char *slugs[RACE_REGIONS] = { "north-west", "london",
	    "south-west" };
	char *pws[RACE_REGIONS], *hub_pw, *event, capacity[16];
	char *region_ids[RACE_REGIONS], *everyone, *said, *at_hub, *at_home;
	struct person *people, *p;
	char seen[RACE_PEOPLE + 1];
	int counts[RACE_REGIONS] = { 0 }, i, k, placed = 0, waiting = 0;
	size_t used_all = 0, used_said = 0, size = RACE_PEOPLE * 128;
	const char *kp[2];
	long t;

	snprintf(capacity, sizeof(capacity), "%d", RACE_PLACES);
	event = hub_event("National conference", capacity);
	for (k = 0; k < RACE_PLACES; k++)
		counts[k % RACE_REGIONS]++;
	hub_pw = race_members(hub, "hub", RACE_PLACES);
	for (k = 0; k < RACE_REGIONS; k++) {
		pws[k] = race_members(regions[k], slugs[k], counts[k]);
		region_ids[k] = node_text(regions[k], "SELECT id FROM node",
		    NULL);
	}

	/* Hub members and region members take turns in the crowd. */
	people = calloc(RACE_PEOPLE, sizeof(*people));
	ck_assert_ptr_nonnull(people);
	for (i = 0; i < RACE_PEOPLE; i++) {
		int j = i / 2;

		p = &people[i];
		p->event = event;
		if (i % 2 == 0) {
			p->home = hub;
			p->password = hub_pw;
			snprintf(p->email, sizeof(p->email),
			    "hub.%d@race.example.org", j + 1);
		} else {
			k = j % RACE_REGIONS;
			p->home = regions[k];
			p->password = pws[k];
			snprintf(p->email, sizeof(p->email),
			    "%s.%d@race.example.org", slugs[k],
			    j / RACE_REGIONS + 1);
		}
	}
	crowd_run(people, RACE_PEOPLE, person_prepare);
	for (i = 0; i < RACE_PEOPLE; i++)
		ck_assert_msg(people[i].ready, "%s could not get to the last"
		    " step", people[i].email);
	crowd_run(people, RACE_PEOPLE, person_register);
	for (k = 0; k < RACE_REGIONS; k++)
		ck_assert_msg(node_wait(regions[k], "SELECT count(*) = 0 FROM"
		    " away_registrations WHERE delivered < version"
		    " OR status = 'pending'", NULL, SETTLE_MS),
		    "%s has requests the hub never answered", regions[k]->name);
	crowd_run(people, RACE_PEOPLE, person_told);

	/* Each page says a place or a number, each number once. */
	everyone = calloc(1, size);
	said = calloc(1, size);
	ck_assert(everyone != NULL && said != NULL);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < RACE_PEOPLE; i++) {
		p = &people[i];
		t = told(p->answer);
		ck_assert_msg(t >= 0, "%s was told: %s", p->email,
		    p->answer != NULL ? p->answer->body : "nothing");
		ck_assert_int_le(t, RACE_PEOPLE - RACE_PLACES);
		if (t == 0)
			placed++;
		else if (t > 0) {
			ck_assert_msg(!seen[t], "number %ld was told to two"
			    " people", t);
			seen[t] = 1;
			waiting++;
		}
		used_all += (size_t)snprintf(everyone + used_all,
		    size - used_all, "%s%s", i ? "," : "", p->email);
		if (t >= 0)
			used_said += (size_t)snprintf(said + used_said,
			    size - used_said, "%s%s=%ld", used_said ? "," :
			    "", p->email, t);
	}
	ck_assert(used_all < size && used_said < size);
	ck_assert_int_le(placed, RACE_PLACES);
	ck_assert_int_le(waiting, RACE_PEOPLE - RACE_PLACES);

	/* Exactly the places there are; the rest wait, in arrival order. */
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE event = $1 AND status = 'confirmed'", event),
	    RACE_PLACES);
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE event = $1 AND status = 'waiting'", event),
	    RACE_PEOPLE - RACE_PLACES);
	ck_assert_int_eq(hub_count("SELECT taken FROM place_types"
	    " WHERE event = $1", event), RACE_PLACES);
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations c,"
	    " registrations w WHERE c.event = $1 AND w.event = $1"
	    " AND c.status = 'confirmed' AND w.status = 'waiting'"
	    " AND c.arrival > w.arrival", event), 0);
	ck_assert_int_eq(hub_count("SELECT count(*) FROM (SELECT"
	    " acorn_waiting_position(id) AS pos, row_number() OVER"
	    " (ORDER BY arrival) AS n FROM registrations WHERE event = $1"
	    " AND status = 'waiting') x WHERE pos = n", event),
	    RACE_PEOPLE - RACE_PLACES);

	/* Nobody lost, nobody twice, and nobody else. */
	ck_assert_int_eq(hub_countv("SELECT count(*) FROM unnest("
	    " string_to_array($2, ',')) AS e WHERE (SELECT count(*)"
	    " FROM registrations r WHERE r.event = $1"
	    " AND lower(r.email) = lower(e)) = 1", 2,
	    (const char *[]){ event, everyone }), RACE_PEOPLE);
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE event = $1", event), RACE_PEOPLE);
	ck_assert_int_eq(hub_count("SELECT count(*) FROM inbox_requests"
	    " WHERE event = $1 AND registration IS NOT NULL", event),
	    RACE_PEOPLE - RACE_PLACES);
	/* One mail each, from the node they are a member of. */
	ck_assert_int_eq(hub_count("SELECT count(*) FROM outbox"
	    " WHERE recipient LIKE 'hub.%'", NULL), RACE_PLACES);
	ck_assert_int_eq(hub_count("SELECT count(*) FROM outbox"
	    " WHERE recipient LIKE '%@race.example.org'", NULL), RACE_PLACES);

	/* What each page said is what the hub holds. */
	ck_assert_int_eq(hub_countv("SELECT count(*) FROM registrations r,"
	    " (SELECT split_part(x, '=', 1) AS email, split_part(x, '=', 2)"
	    " AS said FROM unnest(string_to_array($2, ',')) AS x) s"
	    " WHERE r.event = $1 AND lower(r.email) = lower(s.email)"
	    " AND s.said = CASE r.status WHEN 'confirmed' THEN '0'"
	    " ELSE acorn_waiting_position(r.id)::text END", 2,
	    (const char *[]){ event, said }), placed + waiting);

	/* The hub's own have no home; each region's are marked as its. */
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE event = $1 AND email LIKE 'hub.%' AND home IS NULL",
	    event), RACE_PLACES);
	kp[0] = event;
	for (k = 0; k < RACE_REGIONS; k++) {
		char like[64];

		snprintf(like, sizeof(like), "%s.%%", slugs[k]);
		ck_assert_int_eq(hub_countv("SELECT count(*) FROM"
		    " registrations WHERE event = $1 AND home = $2::uuid"
		    " AND email LIKE $3", 3, (const char *[]){ event,
		    region_ids[k], like }), counts[k]);

		/* And each home holds what the hub holds, row for row. */
		kp[1] = region_ids[k];
		at_hub = node_sqlv(hub, "SELECT string_agg(lower(email) || ' '"
		    " || status || ' ' || coalesce(acorn_waiting_position(id)"
		    "::text, '-'), ',' ORDER BY lower(email)) FROM registrations"
		    " WHERE event = $1 AND home = $2::uuid", 2, kp);
		at_home = node_sqlv(regions[k], "SELECT string_agg(lower(email)"
		    " || ' ' || status || ' ' || coalesce(position::text, '-'),"
		    " ',' ORDER BY lower(email)) FROM away_registrations"
		    " WHERE event = $1", 1, kp);
		ck_assert_ptr_nonnull(at_hub);
		ck_assert_ptr_nonnull(at_home);
		ck_assert_str_eq(at_home, at_hub);
		ck_assert_int_eq(node_num(regions[k], "SELECT count(*) FROM"
		    " outbox WHERE recipient LIKE $1", like), counts[k]);
		free(at_hub);
		free(at_home);
	}

	for (i = 0; i < RACE_PEOPLE; i++) {
		p = &people[i];
		client_free(p->c);
		free(p->csrf);
		free(p->request);
		free(p->place);
		resp_free(p->answer);
	}
	for (k = 0; k < RACE_REGIONS; k++) {
		free(pws[k]);
		free(region_ids[k]);
	}
	free(people);
	free(everyone);
	free(said);
	free(hub_pw);
	free(event);
}
END_TEST

/*
 * A member's registration at another node's event is their account's:
 * another member cannot see it or cancel it by its id, and the host
 * knows the person by the home node and the member's id there.
 */
START_TEST(test_a_members_away_registration_is_their_accounts_alone)
{
	char *event = hub_event("Identity forum", "5"), *id, *before, *after;
	char *member_id;
	struct client *a = nw_member("alma@nw.example.org");
	struct client *b = nw_member("bruno@nw.example.org");
	const char *state = "SELECT concat_ws(',', wanted, version, status,"
	    " delivered) FROM away_registrations WHERE id = $1";
	char action[200];
	struct resp *r;

	r = register_away(a, event);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "You have a place"));
	resp_free(r);
	id = node_text(nw, "SELECT id FROM away_registrations WHERE event = $1",
	    event);
	member_id = node_text(nw, "SELECT member FROM accounts WHERE email ="
	    " 'alma@nw.example.org'", NULL);
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations WHERE"
	    " home_member = $1 AND status = 'confirmed'", member_id), 1);
	before = node_text(nw, state, id);

	r = http_get(b, "/registrations");
	ck_assert(!resp_has(r, "Identity forum"));
	ck_assert(!resp_has(r, id));
	resp_free(r);
	snprintf(action, sizeof(action), "/events/%s", event);
	r = http_get(b, action);
	ck_assert(!resp_has(r, "You have a place"));
	resp_free(r);
	snprintf(action, sizeof(action), "/registrations/%s/cancel", id);
	/* Not theirs: not found, to ask about or to cancel. */
	ck_assert_int_eq(http_get_status(b, action), 404);
	r = form_post(b, "/registrations", action, NULL);
	ck_assert_int_eq(r->status, 404);
	ck_assert(!resp_has(r, "Identity forum"));
	resp_free(r);
	r = http_get(b, "/registrations");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Identity forum"));
	ck_assert(!resp_has(r, id));
	resp_free(r);
	after = node_text(nw, state, id);
	ck_assert_str_eq(before, after);
	free(after);
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations WHERE"
	    " home_member = $1 AND status = 'confirmed'", member_id), 1);

	/* Its owner sees it, and can cancel it. */
	r = http_get(a, "/registrations");
	ck_assert(resp_has(r, "Identity forum"));
	resp_free(r);
	r = form_post(a, action, action, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert(node_wait(hub, "SELECT count(*) = 1 FROM registrations"
	    " WHERE home_member = $1 AND status = 'cancelled'", member_id,
	    SETTLE_MS));
	client_free(a);
	client_free(b);
	free(before);
	free(member_id);
	free(id);
	free(event);
}
END_TEST

/* A count the North West node's /metrics gives. */
static long
nw_metric(const char *name)
{
	struct client *c = client_new(nw);
	struct resp *r = http_get(c, "/metrics");
	char label[128];
	const char *at;
	long v = -1;

	ck_assert_int_eq(r->status, 200);
	snprintf(label, sizeof(label), "\n%s ", name);
	if ((at = strstr(r->body, label)) != NULL)
		v = strtol(at + strlen(label), NULL, 10);
	resp_free(r);
	client_free(c);
	return v;
}

/*
 * Members register one after another: the courier's one hand sends
 * every request over the connection it opened for the first, rather
 * than connecting to the host again each time (libcurl's count of the
 * connections it opened; one more is allowed should the host close an
 * idle one between two members).
 */
START_TEST(test_the_courier_keeps_its_connection_to_the_host)
{
	char *event = hub_event("Connection day", "10"), email[64];
	struct client *c;
	struct resp *r;
	long sent, opened;
	int i;

	ck_assert_int_eq(nw_metric("acorn_courier_requests_total"), 0);
	for (i = 0; i < 5; i++) {
		snprintf(email, sizeof(email), "member%d@nw.example.org", i);
		c = nw_member(email);
		r = register_away(c, event);
		ck_assert_msg(r->status == 200 && resp_has(r,
		    "You have a place"), "%s", r->body);
		resp_free(r);
		client_free(c);
	}
	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE status = 'confirmed' AND home = $1", nw_id), 5);
	sent = nw_metric("acorn_courier_requests_total");
	opened = nw_metric("acorn_courier_connections_total");
	ck_assert_int_ge(sent, 5);
	ck_assert_msg(opened >= 1 && opened <= 2,
	    "%ld connections opened for %ld requests", opened, sent);
	free(event);
}
END_TEST

Suite *
remote_suite(void)
{
	Suite *s = suite_create("remote");
	TCase *tc;

	tc = tcase_create("journeys");
	tcase_add_checked_fixture(tc, two_nodes, two_nodes_down);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_remote_registration_is_confirmed_then_waitlisted);
	tcase_add_test(tc,
	    test_the_group_the_home_node_sends_counts_at_the_host);
	tcase_add_test(tc,
	    test_feedback_reaches_a_remote_attendee_through_their_node);
	tcase_add_test(tc, test_cancellations_either_way_and_promotions_reach_home);
	tcase_add_test(tc, test_host_down_then_up_gets_each_request_once);
	tcase_add_test(tc,
	    test_erasing_an_account_cancels_at_the_host_and_removes_details);
	tcase_add_test(tc, test_a_changed_event_is_told_by_the_home_node);
	tcase_add_test(tc,
	    test_a_members_away_registration_is_their_accounts_alone);
	suite_add_tcase(s, tc);

	tc = tcase_create("courier");
	tcase_add_checked_fixture(tc, two_nodes_one_hand, two_nodes_down);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_the_courier_keeps_its_connection_to_the_host);
	suite_add_tcase(s, tc);

	tc = tcase_create("race");
	tcase_add_checked_fixture(tc, four_nodes, two_nodes_down);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_regions_and_hub_race_for_the_same_places);
	suite_add_tcase(s, tc);
	return s;
}
