/*
 * Registering for another node's event (docs/protocol.md, section 8), on
 * real nodes on 127.0.0.1: a hub holding the event and a region whose
 * members register from home.  What each person sees, on the pages and
 * in their mail, and what each database holds: the host decides, the
 * home node tells; a host that is down gets the request when it is back,
 * exactly once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"

Suite	*remote_suite(void);

#define SETTLE_MS	30000	/* the most a change may take to arrive */

static struct node *hub, *nw;
static char *hub_id, *nw_id, *coord_pw;

static void
two_nodes(void)
{
	hub = node_new("National hub", "region = National\nsync_interval = 2");
	nw = node_new("North West node",
	    "region = North West\nsync_interval = 2");
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
two_nodes_down(void)
{
	node_free(hub);
	node_free(nw);
	hub = nw = NULL;
	free(hub_id);
	free(nw_id);
	free(coord_pw);
}

/* A published event on the hub with one kind of place, seen on nw. */
static char *
hub_event(const char *title, const char *capacity)
{
	struct client *co = client_as(hub, "coord@hub.example.org", coord_pw);
	char *id = event_new_published(co, title, capacity);

	ck_assert_ptr_nonnull(id);
	client_free(co);
	ck_assert_msg(node_wait(nw, "SELECT count(*) = 1 FROM place_types"
	    " WHERE event = $1 AND ref IS NOT NULL", id, SETTLE_MS),
	    "the event's places never reached the region");
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
 * Registers like a person on the home node: the event's form, then the
 * page showing what will be shared, then sending it.  The last answer.
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
	    resp_has(r, "<dd>Test Coordinator</dd>"),
	    "no confirmation step: %s", r->body);
	resp_free(r);
	/* Nothing has gone to the host before the member confirms. */
	r = http_post(c, action, "csrf", csrf, "request", request, "place",
	    place, "places", "1", "confirm", "yes", NULL);
	free(csrf);
	free(request);
	free(place);
	return r;
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
	ck_assert_msg(resp_has(r, "You are on the waiting list") &&
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
		char path[128];

		snprintf(path, sizeof(path), "/events/%s/attendees", event);
		r = http_get(co, path);
		ck_assert_int_eq(r->status, 200);
		ck_assert(resp_has(r, "amina@nw.example.org"));
		ck_assert(resp_has(r, "From North West"));
		resp_free(r);
	}
	client_free(co);
	client_free(a);
	client_free(b);
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
	r = form_post(a, "/registrations", action, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);

	ck_assert_int_eq(hub_count("SELECT count(*) FROM registrations"
	    " WHERE email = 'amina@nw.example.org' AND status = 'cancelled'",
	    NULL), 1);
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
		char path[128], unregister[160], *ref;

		ref = node_sql(hub, "SELECT ref FROM registrations WHERE"
		    " email = 'ben@nw.example.org'", NULL);
		ck_assert_ptr_nonnull(ref);
		snprintf(path, sizeof(path), "/events/%s/attendees", event);
		snprintf(unregister, sizeof(unregister),
		    "/events/%s/unregister", event);
		r = form_post(co, path, unregister, "id", ref, NULL);
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
	ck_assert(resp_has(r, "Pending"));
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
	r = form_post(c, "/registrations", action, NULL);
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
	    "kind", "conference", "start_date", "2031-03-21", "start_time",
	    "10:00", "end_date", "2031-03-21", "end_time", "16:00", "venue",
	    "Manchester Central", NULL);
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

Suite *
remote_suite(void)
{
	Suite *s = suite_create("remote");
	TCase *tc;

	tc = tcase_create("journeys");
	tcase_add_checked_fixture(tc, two_nodes, two_nodes_down);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_remote_registration_is_confirmed_then_waitlisted);
	tcase_add_test(tc, test_cancellations_either_way_and_promotions_reach_home);
	tcase_add_test(tc, test_host_down_then_up_gets_each_request_once);
	tcase_add_test(tc,
	    test_erasing_an_account_cancels_at_the_host_and_removes_details);
	tcase_add_test(tc, test_a_changed_event_is_told_by_the_home_node);
	suite_add_tcase(s, tc);
	return s;
}
