/*
 * What other nodes may cost a node (docs/protocol.md, sections 8.2 and
 * 8.4).  The inbox gives so many places to one home node's members for
 * one event, takes so many entries a minute from one node, and none for
 * an event that takes only its own members; a flooding node (a fake
 * peer, pinned and so trusted) is refused beyond them while another
 * node's request still goes through, and outcomes that say nothing new
 * mail nobody.  Deliveries are queued per peer: a host that takes the
 * connection and never answers holds up only its own, and is put off as
 * a whole.  A member's registration for another node's event returns at
 * once, the outcome following on its page; and no SQL statement runs
 * for ever.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <libpq-fe.h>

#include "harness.h"
#include "fakepeer.h"
#include "federation.h"

Suite	*inbox_limits_suite(void);

#define SETTLE_MS	30000	/* the most a change may take to arrive */
#define INBOX		"/federation/inbox"
#define ENTRY_TYPE	"application/atom+xml;type=entry"
#define QUOTA		3	/* the host's inbox_quota */
#define RATE		6	/* the host's inbox_rate */
/* A number macro as a string literal. */
#define STR_(x)		#x
#define STR(x)		STR_(x)

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The limits ------------------------------------------------------------ */

/* A host with small limits, an event with room for all, two peers. */
static struct {
	struct node	*host;
	struct fakepeer	*flooder, *other;
	char		*coord_pw;
	char		*event;
	char		*place;
} lim;

static void
limits_up(void)
{
	struct client *c;

	lim.host = node_new("Host node", "inbox_quota = " STR(QUOTA)
	    "\ninbox_rate = " STR(RATE));
	ck_assert_ptr_nonnull(lim.host);
	ck_assert_int_eq(node_serve(lim.host), 0);
	lim.coord_pw = node_user_add(lim.host, "coord@host.example.org",
	    "coordinator");
	ck_assert_ptr_nonnull(lim.coord_pw);
	c = client_as(lim.host, "coord@host.example.org", lim.coord_pw);
	lim.event = event_new_published(c, "National conference", "50");
	ck_assert_ptr_nonnull(lim.event);
	client_free(c);
	lim.place = node_text(lim.host, "SELECT id FROM place_types"
	    " WHERE event = $1 AND ref IS NULL", lim.event);
	lim.flooder = fakepeer_new("Flooding node");
	lim.other = fakepeer_new("Quiet node");
	ck_assert_int_eq(fakepeer_pin(lim.host, lim.flooder, 0), 0);
	ck_assert_int_eq(fakepeer_pin(lim.host, lim.other, 0), 0);
}

static void
limits_down(void)
{
	node_free(lim.host);
	fakepeer_free(lim.flooder);
	fakepeer_free(lim.other);
	free(lim.coord_pw);
	free(lim.event);
	free(lim.place);
	memset(&lim, 0, sizeof(lim));
}

/*
 * A new request from peer p for the event, person n, for places places;
 * its id in id.
 */
static struct resp *
request_places(struct fakepeer *p, int n, const char *places, char **id)
{
	struct fake_request q = { 0 };
	struct client *c = client_new(lim.host);
	struct resp *r;
	char name[64], email[96], *body;

	*id = fake_uuid();
	snprintf(name, sizeof(name), "Person %d of %s", n, p->id);
	snprintf(email, sizeof(email), "person.%d@%.8s.example.org", n,
	    p->id);
	q.id = *id;
	q.version = 1;
	q.event = lim.event;
	q.place = lim.place;
	q.name = name;
	q.email = email;
	q.places = places;
	body = fake_request(p, &q);
	r = http_post_bytes(c, INBOX, body, strlen(body), ENTRY_TYPE);
	ck_assert_ptr_nonnull(r);
	free(body);
	client_free(c);
	return r;
}

static struct resp *
request_from(struct fakepeer *p, int n, char **id)
{
	return request_places(p, n, "1", id);
}

/* The outcome a host answered, read as its home node would (unverified:
 * test_inbox_hostile checks the host's signature on outcomes). */
static void
outcome_is(const struct resp *r, const char *status, const char *what)
{
	char want_status[64], want_what[64];

	ck_assert_msg(r->status == 200 && header_has(r, "Content-Type: "
	    ENTRY_TYPE), "the host answered %ld: %s", r->status, r->body);
	ck_assert_msg(resp_has(r, "Signature"), "an unsigned outcome");
	snprintf(want_status, sizeof(want_status), ":status>%s<", status);
	snprintf(want_what, sizeof(want_what), ":what>%s<", what);
	ck_assert_msg(resp_has(r, want_status) && resp_has(r, want_what),
	    "wanted %s (%s): %s", status, what, r->body);
}

static long
host_num(const char *sql, const char *param)
{
	return node_num(lim.host, sql, param);
}

START_TEST(test_inbox_flood_is_refused_beyond_the_quota)
{
	struct resp *r;
	char *id, *held, *now;
	int i;

	/* The quota's worth is taken as any request is. */
	for (i = 0; i < QUOTA; i++) {
		r = request_from(lim.flooder, i, &id);
		outcome_is(r, "confirmed", "confirmed");
		resp_free(r);
		free(id);
	}
	held = node_text(lim.host, "SELECT concat_ws(',', (SELECT taken FROM"
	    " place_types WHERE id = $1::bigint), (SELECT count(*) FROM"
	    " registrations), (SELECT count(*) FROM answers))", lim.place);

	/* Beyond it: a signed refusal the home node can show, and no place. */
	for (; i < RATE; i++) {
		r = request_from(lim.flooder, i, &id);
		outcome_is(r, "refused", "quota");
		resp_free(r);
		ck_assert_int_eq(host_num("SELECT count(*) FROM inbox_requests"
		    " WHERE request = $1 AND registration IS NULL"
		    " AND what = 'quota'", id), 1);
		free(id);
	}
	now = node_text(lim.host, "SELECT concat_ws(',', (SELECT taken FROM"
	    " place_types WHERE id = $1::bigint), (SELECT count(*) FROM"
	    " registrations), (SELECT count(*) FROM answers))", lim.place);
	ck_assert_str_eq(held, now);
	free(now);

	/* Past the rate: not even recorded; the home node tries later. */
	r = request_from(lim.flooder, i, &id);
	ck_assert_msg(r->status == 429 && resp_has(r, "too many entries"),
	    "%ld: %s", r->status, r->body);
	ck_assert(!header_has(r, "application/atom+xml"));
	/* When to send it again: once the minute the rate counts is over. */
	ck_assert_int_eq(retry_after(r), 60);
	resp_free(r);
	ck_assert_int_eq(host_num("SELECT count(*) FROM inbox_requests"
	    " WHERE request = $1", id), 0);
	free(id);
	ck_assert_int_eq(host_num("SELECT count(*) FROM inbox_requests"
	    " WHERE home = $1", lim.flooder->id), RATE);
	ck_assert_int_eq(host_num("SELECT count(*) FROM registrations"
	    " WHERE home = $1", lim.flooder->id), QUOTA);
	ck_assert_int_eq(host_num("SELECT taken FROM place_types"
	    " WHERE id = $1::bigint", lim.place), QUOTA);

	/* Another node's member still gets a place, and the node serves. */
	r = request_from(lim.other, 0, &id);
	outcome_is(r, "confirmed", "confirmed");
	resp_free(r);
	free(id);
	ck_assert_int_eq(host_num("SELECT taken FROM place_types"
	    " WHERE id = $1::bigint", lim.place), QUOTA + 1);
	{
		struct client *c = client_new(lim.host);
		char path[128];

		snprintf(path, sizeof(path), "/events/%s", lim.event);
		r = http_get(c, path);
		ck_assert_int_eq(r->status, 200);
		resp_free(r);
		client_free(c);
	}
	free(held);
}
END_TEST

/*
 * An outcome entry by peer p, id ref at version: the outcome of request
 * reg made at home for event, saying status (position) and what.
 */
static char *
outcome_from(struct fakepeer *p, const char *ref, int version,
    const char *reg, const char *home, const char *event,
    const char *status, const char *position, const char *what)
{
	struct fake_entry e = { 0 };
	char *fields, *out;

	ck_assert_int_ge(asprintf(&fields, "<acorn:registration version=\"1\">"
	    "urn:uuid:%s</acorn:registration><acorn:home>urn:uuid:%s"
	    "</acorn:home><acorn:event>urn:uuid:%s</acorn:event>"
	    "<acorn:status>%s</acorn:status>%s%s%s<acorn:what>%s</acorn:what>",
	    reg, home, event, status, position != NULL ? "<acorn:position>" :
	    "", position != NULL ? position : "", position != NULL ?
	    "</acorn:position>" : "", what), 0);
	e.kind = "outcome";
	e.id = ref;
	e.version = version;
	e.title = "Registration outcome";
	e.fields = fields;
	out = fake_entry(p, &e);
	free(fields);
	return out;
}

/* POSTs body to n's inbox; the answer. */
static struct resp *
inbox_post(struct node *n, const char *body)
{
	struct client *c = client_new(n);
	struct resp *r;

	r = http_post_bytes(c, INBOX, body, strlen(body), ENTRY_TYPE);
	ck_assert_ptr_nonnull(r);
	client_free(c);
	return r;
}

START_TEST(test_quota_counts_places_not_requests)
{
	struct resp *r;
	char *id;

	/* Two places of the three the quota gives: taken. */
	r = request_places(lim.flooder, 0, "2", &id);
	outcome_is(r, "confirmed", "confirmed");
	resp_free(r);
	free(id);
	/* Two more would be four: refused, and nothing taken. */
	r = request_places(lim.flooder, 1, "2", &id);
	outcome_is(r, "refused", "quota");
	resp_free(r);
	ck_assert_int_eq(host_num("SELECT count(*) FROM inbox_requests"
	    " WHERE request = $1 AND registration IS NULL"
	    " AND what = 'quota'", id), 1);
	free(id);
	ck_assert_int_eq(host_num("SELECT taken FROM place_types"
	    " WHERE id = $1::bigint", lim.place), 2);
	/* One more fits. */
	r = request_places(lim.flooder, 2, "1", &id);
	outcome_is(r, "confirmed", "confirmed");
	resp_free(r);
	free(id);
	r = request_places(lim.flooder, 3, "1", &id);
	outcome_is(r, "refused", "quota");
	resp_free(r);
	free(id);
	ck_assert_int_eq(host_num("SELECT taken FROM place_types"
	    " WHERE id = $1::bigint", lim.place), 3);
	/* Another node's quota is its own. */
	r = request_places(lim.other, 0, "3", &id);
	outcome_is(r, "confirmed", "confirmed");
	resp_free(r);
	free(id);
}
END_TEST

/*
 * Every entry a node sends counts against its rate, not only new
 * requests: a node sending outcome after outcome is told 429, as are
 * its requests then, while another node's still go through.
 */
START_TEST(test_every_entry_counts_against_the_rate)
{
	char *host_id = node_text(lim.host, "SELECT id FROM node", NULL);
	char *ref = fake_uuid(), *reg = fake_uuid(), *body, *id;
	struct resp *r;
	int i;

	for (i = 1; i <= RATE; i++) {
		body = outcome_from(lim.flooder, ref, i, reg, host_id,
		    lim.event, "confirmed", NULL, "confirmed");
		r = inbox_post(lim.host, body);
		ck_assert_msg(r->status == 404, "%ld: %s", r->status, r->body);
		resp_free(r);
		free(body);
	}
	body = outcome_from(lim.flooder, ref, i, reg, host_id, lim.event,
	    "confirmed", NULL, "confirmed");
	r = inbox_post(lim.host, body);
	ck_assert_msg(r->status == 429 && resp_has(r, "too many entries"),
	    "%ld: %s", r->status, r->body);
	ck_assert_int_eq(retry_after(r), 60);
	resp_free(r);
	free(body);
	r = request_from(lim.flooder, 0, &id);
	ck_assert_int_eq(r->status, 429);
	resp_free(r);
	ck_assert_int_eq(host_num("SELECT count(*) FROM inbox_requests"
	    " WHERE request = $1", id), 0);
	free(id);
	ck_assert_int_eq(host_num("SELECT count(*) FROM outbox", NULL), 0);
	ck_assert_int_eq(host_num("SELECT count(*) FROM registrations", NULL),
	    0);

	r = request_from(lim.other, 0, &id);
	outcome_is(r, "confirmed", "confirmed");
	resp_free(r);
	free(id);
	free(reg);
	free(ref);
	free(host_id);
}
END_TEST

/* Whether the form's input with that id is checked. */
static int
radio_checked(const char *body, const char *id)
{
	char attr[64];
	const char *at, *start, *end;

	snprintf(attr, sizeof(attr), "id=\"%s\"", id);
	ck_assert_ptr_nonnull(at = strstr(body, attr));
	for (start = at; start > body && *start != '<'; start--)
		continue;
	ck_assert_ptr_nonnull(end = strchr(at, '>'));
	return memmem(start, (size_t)(end - start), " checked", 8) != NULL;
}

START_TEST(test_event_closed_to_other_nodes_refuses_their_requests)
{
	struct client *co = client_as(lim.host, "coord@host.example.org",
	    lim.coord_pw);
	struct resp *r;
	char edit[128], *id;

	/* The organiser's choice, on the event's form. */
	snprintf(edit, sizeof(edit), "/events/%s/edit", lim.event);
	r = http_get(co, edit);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Registrations from other nodes"));
	ck_assert(radio_checked(r->body, "other_nodes"));
	ck_assert(!radio_checked(r->body, "other_nodes-no"));
	resp_free(r);
	r = form_post(co, edit, edit, "title", "National conference",
	    "kind", "conference", "start-day", "14", "start-month", "3",
	    "start-year", "2031", "start-hour", "9", "start-minute", "30",
	    "end-day", "14", "end-month", "3", "end-year", "2031", "end-hour",
	    "17", "end-minute", "00", "venue", "Manchester Central",
	    "other_nodes", "no", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = http_get(co, edit);
	ck_assert(radio_checked(r->body, "other_nodes-no"));
	ck_assert(!radio_checked(r->body, "other_nodes"));
	resp_free(r);
	client_free(co);
	/* Other nodes are told, so that they offer no registration. */
	ck_assert_msg(node_wait(lim.host, "SELECT entry LIKE"
	    " '%other-nodes>false<%' FROM events WHERE id = $1", lim.event,
	    SETTLE_MS), "the event was not published with its choice");

	r = request_from(lim.other, 0, &id);
	outcome_is(r, "refused", "closed");
	resp_free(r);
	free(id);
	ck_assert_int_eq(host_num("SELECT count(*) FROM registrations", NULL),
	    0);
	ck_assert_int_eq(host_num("SELECT taken FROM place_types"
	    " WHERE id = $1::bigint", lim.place), 0);
}
END_TEST

/* The home side --------------------------------------------------------- */

/*
 * A hub holding events and a region whose members register from home;
 * and, for the courier, a fake peer holding an event of its own.
 */
static struct node *hub, *nw;
static struct fakepeer *fake;
static char *coord_pw;

static void
home_up(void)
{
	hub = node_new("National hub", "region = National\nsync_interval = 2");
	/* A delivery that hangs lasts long enough to be seen hanging. */
	nw = node_new("North West node", "region = North West\n"
	    "sync_interval = 2\ncourier_timeout = 60");
	ck_assert_ptr_nonnull(hub);
	ck_assert_ptr_nonnull(nw);
	ck_assert_int_eq(node_serve(hub), 0);
	ck_assert_int_eq(node_serve(nw), 0);
	ck_assert_int_eq(node_peer(hub, nw, 0), 0);
	ck_assert_int_eq(node_peer(nw, hub, 1), 0);
	coord_pw = node_user_add(hub, "coord@hub.example.org", "coordinator");
	ck_assert_ptr_nonnull(coord_pw);
}

static void
home_down(void)
{
	/* A host stopped by a test goes on, to stop. */
	if (hub != NULL && hub->pid > 0)
		kill(hub->pid, SIGCONT);
	/* Closing the hung peer's socket lets the courier's call end. */
	fakepeer_free(fake);
	node_free(nw);
	node_free(hub);
	hub = nw = NULL;
	fake = NULL;
	free(coord_pw);
}

/* A published event on the hub, its places seen at the region. */
static char *
hub_event(const char *title)
{
	struct client *co = client_as(hub, "coord@hub.example.org", coord_pw);
	char *id = event_new_published(co, title, "10");

	ck_assert_ptr_nonnull(id);
	client_free(co);
	ck_assert_msg(node_wait(nw, "SELECT count(*) = 1 FROM place_types"
	    " WHERE event = $1 AND ref IS NOT NULL", id, SETTLE_MS),
	    "the event's places never reached the region");
	return id;
}

/* Peer p's own event, pinned and pulled by node n. */
static char *
peer_event(struct node *n, struct fakepeer *p)
{
	struct fake_entry e = { 0 };
	char *id = fake_uuid(), *entry, *page;

	ck_assert_int_eq(fakepeer_pin(n, p, 0), 0);
	e.kind = "event";
	e.id = id;
	e.title = "The hanging node's forum";
	e.fields = "<acorn:title>The hanging node's forum</acorn:title>"
	    "<acorn:kind>regional_meeting</acorn:kind>"
	    "<acorn:starts>2031-05-01T09:00:00Z</acorn:starts>"
	    "<acorn:ends>2031-05-01T17:00:00Z</acorn:ends>"
	    "<acorn:region>London</acorn:region>"
	    "<acorn:status>published</acorn:status>"
	    "<acorn:place ref=\"7\">In person</acorn:place>";
	entry = fake_entry(p, &e);
	page = fake_page(1, entry, NULL);
	fakepeer_serve(p, "events", page);
	ck_assert_int_eq(fakepeer_ping(n, p), 202);
	ck_assert_msg(node_wait(n, "SELECT count(*) = 1 FROM place_types"
	    " WHERE event = $1 AND ref = 7", id, SETTLE_MS),
	    "the fake peer's event never reached the node");
	free(page);
	free(entry);
	return id;
}

/* The fake peer's own event, pulled by the region. */
static char *
fake_event(void)
{
	fake = fakepeer_new("Hanging node");
	return peer_event(nw, fake);
}

/*
 * Count requests away from n for peer p's event, made in SQL as a
 * member's would be (with no account: the host would refuse them, were
 * they ever read); due now, or after a hour.
 */
static void
requests_away(struct node *n, const char *event, int count, int later)
{
	char c[16];
	const char *q[3] = { event, c, later ? "1 hour" : "0" };
	char *v;

	snprintf(c, sizeof(c), "%d", count);
	v = node_sqlv(n, "INSERT INTO away_registrations (id, event, host,"
	    " name, email, place_ref, place_name, places, next_attempt)"
	    " SELECT gen_random_uuid(), e.id, e.origin, 'Person ' || k,"
	    " 'person.' || k || '@home.example.org', 7, 'In person', 1,"
	    " now() + $3::interval FROM events e, generate_series(1,"
	    " $2::integer) k WHERE e.id = $1 RETURNING 1", 3, q);
	ck_assert_ptr_nonnull(v);
	free(v);
}

static struct client *
nw_member(const char *email)
{
	char *pw = node_user_add(nw, email, "member");
	struct client *c;

	ck_assert_ptr_nonnull(pw);
	c = client_as(nw, email, pw);
	free(pw);
	return c;
}

/*
 * The member's registration, made as in a browser up to the last
 * button; the answer to it, and how long it took in *took.
 */
static struct resp *
confirm_away(struct client *c, const char *event, double *took)
{
	char path[128], action[160], *csrf, *request, *place;
	struct resp *r;
	double t0;

	snprintf(path, sizeof(path), "/events/%s", event);
	snprintf(action, sizeof(action), "/events/%s/register", event);
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	csrf = form_field(r->body, "csrf");
	request = form_field(r->body, "request");
	place = form_field(r->body, "place");
	ck_assert(csrf != NULL && request != NULL && place != NULL);
	resp_free(r);
	t0 = now_s();
	r = http_post(c, action, "csrf", csrf, "request", request, "place",
	    place, "places", "1", "confirm", "yes", NULL);
	*took = now_s() - t0;
	free(csrf);
	free(request);
	free(place);
	return r;
}

/* The registration's own page, where the confirmation sent the member. */
static char *
sent_to(const struct resp *r)
{
	const char *at;

	ck_assert_msg(r->status == 303 && r->location != NULL &&
	    (at = strstr(r->location, "/registrations/")) != NULL,
	    "%ld: %s", r->status, r->body);
	return strdup(at);
}

START_TEST(test_remote_registration_returns_at_once_and_the_outcome_follows)
{
	char *event = hub_event("National conference"), *where = NULL;
	struct client *a = nw_member("amina@nw.example.org");
	struct client *b = nw_member("ben@nw.example.org");
	struct resp *r, *sent, *page = NULL, *list = NULL, *other = NULL;
	const char *at;
	double took;
	int i, told = 0, stopped, resumed;

	/*
	 * The host takes connections and answers none.  What the members
	 * see meanwhile is kept and checked once the host runs again: a
	 * failed check must not leave it stopped.
	 */
	stopped = kill(hub->pid, SIGSTOP);
	sent = confirm_away(a, event, &took);
	if (sent->status == 303 && sent->location != NULL &&
	    (at = strstr(sent->location, "/registrations/")) != NULL) {
		where = strdup(at);
		page = http_get(a, where);
		list = http_get(a, "/registrations");
		/* Nobody else's page may see it. */
		other = http_get(b, where);
	}
	/* The host back: the courier delivers, and the page says so. */
	resumed = kill(hub->pid, SIGCONT);
	ck_assert_int_eq(stopped, 0);
	ck_assert_int_eq(resumed, 0);
	ck_assert_msg(took < 3.0, "the page waited %.1f s for the host", took);
	ck_assert_msg(where != NULL, "%ld: %s", sent->status, sent->body);
	resp_free(sent);
	ck_assert_int_eq(page->status, 200);
	ck_assert_msg(resp_has(page, "Sending your registration to National "
	    "hub\xe2\x80\xa6") && resp_has(page, "role=\"status\"") &&
	    !resp_has(page, "http-equiv=\"refresh\"") &&
	    resp_has(page, "Check again now"), "%s", page->body);
	resp_free(page);
	ck_assert(resp_has(list, "Sending to National hub"));
	resp_free(list);
	ck_assert_int_eq(other->status, 404);
	resp_free(other);
	client_free(b);

	for (i = 0; i < SETTLE_MS / 200 && !told; i++) {
		r = http_get(a, where);
		told = resp_has(r, "You have a place");
		if (told)
			ck_assert_msg(!resp_has(r, "http-equiv=\"refresh\"") &&
			    resp_has(r, "National hub has given you a place"),
			    "%s", r->body);
		resp_free(r);
		if (!told)
			poll(NULL, 0, 200);
	}
	ck_assert_msg(told, "the outcome never appeared");
	ck_assert_int_eq(node_num(hub, "SELECT count(*) FROM registrations"
	    " WHERE email = 'amina@nw.example.org' AND status = 'confirmed'",
	    NULL), 1);
	client_free(a);
	free(where);
	free(event);
}
END_TEST

START_TEST(test_hung_host_delays_only_its_own_deliveries)
{
	char *hung_event = fake_event(), *event = hub_event("Regional forum");
	char *where;
	struct client *a = nw_member("amina@nw.example.org");
	struct client *b = nw_member("ben@nw.example.org");
	struct resp *r;
	double took, t0;

	fakepeer_hang(fake);
	r = confirm_away(a, hung_event, &took);
	ck_assert_msg(took < 3.0, "the page waited %.1f s", took);
	free(sent_to(r));
	resp_free(r);
	/* The courier is sending it: taken, and not yet failed. */
	ck_assert_msg(node_wait(nw, "SELECT next_attempt > now() +"
	    " interval '20 seconds' AND attempts = 0 FROM away_registrations"
	    " WHERE event = $1", hung_event, 10000),
	    "the courier never took the hung host's request");

	/* Meanwhile another host's delivery goes through. */
	t0 = now_s();
	r = confirm_away(b, event, &took);
	where = sent_to(r);
	resp_free(r);
	ck_assert_msg(node_wait(nw, "SELECT status = 'confirmed' FROM"
	    " away_registrations WHERE event = $1", event, 10000),
	    "the hub's delivery waited for the hung host");
	ck_assert_msg(now_s() - t0 < 10.0, "took %.1f s", now_s() - t0);
	ck_assert_int_eq(node_num(hub, "SELECT count(*) FROM registrations"
	    " WHERE email = 'ben@nw.example.org'", NULL), 1);
	/* ... while the hung one still hangs. */
	ck_assert_int_eq(node_num(nw, "SELECT count(*) FROM away_registrations"
	    " WHERE event = $1 AND status = 'pending' AND attempts = 0"
	    " AND delivered < version", hung_event), 1);
	r = http_get(b, where);
	ck_assert(resp_has(r, "You have a place"));
	resp_free(r);

	/* Stopping abandons the delivery that hangs, not waiting it out. */
	t0 = now_s();
	ck_assert_int_eq(node_stop(nw), 0);
	ck_assert_msg(now_s() - t0 < 10.0, "stopping took %.1f s",
	    now_s() - t0);
	client_free(a);
	client_free(b);
	free(where);
	free(event);
	free(hung_event);
}
END_TEST

/*
 * A host that sends version after version of an outcome saying the same
 * thing mails the member once: only a change is news.
 */
START_TEST(test_outcomes_saying_nothing_new_mail_nobody)
{
	char *event = fake_event(), *home = node_text(nw, "SELECT id FROM node",
	    NULL), *ref = fake_uuid(), *reg, *body;
	const char *said[][3] = {
		{ "confirmed", NULL, "confirmed" },	/* news: mailed */
		{ "confirmed", NULL, "confirmed" },
		{ "confirmed", NULL, "confirmed" },
		{ "waiting", "2", "waiting" },		/* news: mailed */
		{ "waiting", "2", "waiting" },
		{ "waiting", "1", "waiting" },		/* news: mailed */
	};
	const long mails[] = { 1, 1, 1, 2, 2, 3 };
	struct resp *r;
	size_t i;

	requests_away(nw, event, 1, 1);
	reg = node_text(nw, "SELECT id FROM away_registrations WHERE event = $1",
	    event);
	for (i = 0; i < sizeof(mails) / sizeof(mails[0]); i++) {
		body = outcome_from(fake, ref, (int)i + 1, reg, home, event,
		    said[i][0], said[i][1], said[i][2]);
		r = inbox_post(nw, body);
		ck_assert_msg(r->status == 204, "%ld: %s", r->status, r->body);
		resp_free(r);
		free(body);
		ck_assert_int_eq(node_num(nw, "SELECT outcome FROM"
		    " away_registrations WHERE id = $1", reg), (long)i + 1);
		ck_assert_msg(node_num(nw, "SELECT count(*) FROM outbox WHERE"
		    " recipient = 'person.1@home.example.org'", NULL) ==
		    mails[i], "after outcome %zu", i + 1);
	}
	ck_assert_int_eq(node_num(nw, "SELECT position FROM away_registrations"
	    " WHERE id = $1", reg), 1);
	free(reg);
	free(ref);
	free(home);
	free(event);
}
END_TEST

/* The courier ----------------------------------------------------------- */

/*
 * One courier hand, and deliveries that wait a second for an answer: a
 * fake host that hangs, and one that answers (it has no inbox, so it
 * refuses every request, 404).
 */
static struct node *cn;
static struct fakepeer *silent, *talking;

static void
courier_up(void)
{
	cn = node_new("Courier node", "courier_timeout = 1\n"
	    "courier_workers = 1");
	ck_assert_ptr_nonnull(cn);
	ck_assert_int_eq(node_serve(cn), 0);
	silent = fakepeer_new("Silent node");
	talking = fakepeer_new("Talking node");
}

static void
courier_down(void)
{
	node_free(cn);
	fakepeer_free(silent);
	fakepeer_free(talking);
	cn = NULL;
	silent = talking = NULL;
}

START_TEST(test_silent_host_is_put_off_as_a_whole)
{
	char *quiet = peer_event(cn, silent), *loud = peer_event(cn, talking);
	const char *q[2] = { silent->id, NULL };
	double t0;

	fakepeer_hang(silent);
	/* More than the courier takes of one peer at a time. */
	requests_away(cn, quiet, 30, 0);
	ck_assert_msg(node_waitv(cn, "SELECT failures >= 1 FROM courier_peers"
	    " WHERE peer = $1", 1, q, SETTLE_MS),
	    "the silent host was never put off");

	/* The other host is served between the silent one's turns. */
	t0 = now_s();
	requests_away(cn, loud, 3, 0);
	ck_assert_msg(node_wait(cn, "SELECT count(*) = 3 FROM"
	    " away_registrations WHERE event = $1 AND status = 'refused'"
	    " AND delivered = version", loud, SETTLE_MS),
	    "the answering host's requests were not all answered");
	ck_assert_msg(now_s() - t0 < 6.0, "they waited %.1f s", now_s() - t0);
	ck_assert_int_eq(node_num(cn, "SELECT count(*) FROM courier_peers"
	    " WHERE peer = $1", talking->id), 0);

	/*
	 * Each turn of the silent host tries one request, and the turns
	 * come further apart: 1 s, 2 s, 4 s, 8 s ... (a quarter either way).
	 */
	ck_assert_msg(node_waitv(cn, "SELECT c.failures >= 4 AND c.failures ="
	    " (SELECT sum(attempts) FROM away_registrations WHERE host = $1)"
	    " FROM courier_peers c WHERE c.peer = $1", 1, q, 40000),
	    "the silent host's turns: %s", node_text(cn, "SELECT failures ||"
	    " ' turns, ' || (SELECT sum(attempts) FROM away_registrations"
	    " WHERE host = $1) || ' tries' FROM courier_peers WHERE peer = $1",
	    silent->id));
	ck_assert_int_eq(node_num(cn, "SELECT count(*) FROM courier_peers"
	    " WHERE peer = $1 AND next_attempt > now() + make_interval(secs =>"
	    " 0.75 * power(2, failures - 1) - 2)", silent->id), 1);
	ck_assert_int_eq(node_num(cn, "SELECT count(*) FROM away_registrations"
	    " WHERE host = $1 AND delivered < version AND status = 'pending'",
	    silent->id), 30);
	free(quiet);
	free(loud);
}
END_TEST

START_TEST(test_other_nodes_hide_registration_for_a_closed_event)
{
	char *event = hub_event("Hub members' day");
	struct client *co = client_as(hub, "coord@hub.example.org", coord_pw);
	struct client *a = nw_member("amina@nw.example.org");
	struct resp *r;
	char edit[128], path[128], action[160], *csrf, *request, *place;

	/* A form opened before the organiser chose, sent after. */
	snprintf(path, sizeof(path), "/events/%s", event);
	snprintf(action, sizeof(action), "/events/%s/register", event);
	r = http_get(a, path);
	ck_assert(resp_has(r, "Register"));
	csrf = form_field(r->body, "csrf");
	request = form_field(r->body, "request");
	place = form_field(r->body, "place");
	ck_assert(csrf != NULL && request != NULL && place != NULL);
	resp_free(r);

	snprintf(edit, sizeof(edit), "/events/%s/edit", event);
	r = form_post(co, edit, edit, "title", "Hub members' day",
	    "kind", "conference", "start-day", "14", "start-month", "3",
	    "start-year", "2031", "start-hour", "9", "start-minute", "30",
	    "end-day", "14", "end-month", "3", "end-year", "2031", "end-hour",
	    "17", "end-minute", "00", "venue", "Manchester Central",
	    "other_nodes", "no", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	client_free(co);
	ck_assert_msg(node_wait(nw, "SELECT NOT accept_remote FROM events"
	    " WHERE id = $1", event, SETTLE_MS),
	    "the choice never reached the region");
	r = http_get(a, path);
	ck_assert_msg(resp_has(r, "takes registrations for it from its own "
	    "members only") && !resp_has(r, "name=\"request\""), "%s",
	    r->body);
	resp_free(r);

	/* The stale form: the host refuses, and the member is told why. */
	r = http_post(a, action, "csrf", csrf, "request", request, "place",
	    place, "places", "1", "confirm", "yes", NULL);
	free(csrf);
	free(request);
	free(place);
	csrf = sent_to(r);
	resp_free(r);
	ck_assert_msg(node_wait(nw, "SELECT status = 'refused' AND why ="
	    " 'closed' FROM away_registrations WHERE event = $1", event,
	    SETTLE_MS), "the host's refusal never came back");
	r = http_get(a, csrf);
	ck_assert_msg(resp_has(r, "Registration not accepted") &&
	    resp_has(r, "takes registrations from its own members only"),
	    "%s", r->body);
	resp_free(r);
	ck_assert_int_eq(node_num(hub, "SELECT count(*) FROM registrations",
	    NULL), 0);
	free(csrf);
	client_free(a);
	free(event);
}
END_TEST

/* Statements ------------------------------------------------------------ */

START_TEST(test_statement_timeout_cancels_a_query_stuck_on_a_lock)
{
	struct node *n = node_new("Timeout node", "statement_timeout = 1");
	struct client *c;
	struct resp *r;
	PGconn *db;
	PGresult *res;
	char info[512];
	double t0;

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	snprintf(info, sizeof(info), "host=%s user=acorn dbname=%s",
	    getenv("ACORN_TEST_PGHOST"), n->db);
	db = PQconnectdb(info);
	ck_assert_int_eq(PQstatus(db), CONNECTION_OK);
	/* Someone holds the events table and does not let go. */
	res = PQexec(db, "BEGIN; LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	c = client_new(n);
	t0 = now_s();
	r = http_get(c, "/events");
	ck_assert_int_eq(r->status, 503);
	ck_assert_msg(now_s() - t0 < 4.0, "the query ran %.1f s",
	    now_s() - t0);
	resp_free(r);
	r = http_get(c, "/healthz");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	res = PQexec(db, "ROLLBACK");
	PQclear(res);
	PQfinish(db);
	r = http_get(c, "/events");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	client_free(c);
	node_free(n);
}
END_TEST

Suite *
inbox_limits_suite(void)
{
	Suite *s = suite_create("inbox_limits");
	TCase *tc;

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, limits_up, limits_down);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_inbox_flood_is_refused_beyond_the_quota);
	tcase_add_test(tc,
	    test_event_closed_to_other_nodes_refuses_their_requests);
	tcase_add_test(tc, test_quota_counts_places_not_requests);
	tcase_add_test(tc, test_every_entry_counts_against_the_rate);
	suite_add_tcase(s, tc);

	tc = tcase_create("home");
	tcase_add_checked_fixture(tc, home_up, home_down);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc,
	    test_remote_registration_returns_at_once_and_the_outcome_follows);
	tcase_add_test(tc, test_hung_host_delays_only_its_own_deliveries);
	tcase_add_test(tc, test_other_nodes_hide_registration_for_a_closed_event);
	tcase_add_test(tc, test_outcomes_saying_nothing_new_mail_nobody);
	suite_add_tcase(s, tc);

	tc = tcase_create("courier");
	tcase_add_checked_fixture(tc, courier_up, courier_down);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_silent_host_is_put_off_as_a_whole);
	suite_add_tcase(s, tc);

	tc = tcase_create("statements");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc,
	    test_statement_timeout_cancels_a_query_stuck_on_a_lock);
	suite_add_tcase(s, tc);
	return s;
}
