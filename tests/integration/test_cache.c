/*
 * The response cache is always right: a page kept in memory (proved by
 * /metrics counting a hit) is never served after a change to what it
 * shows, whoever made the change: a person's form, a peer's entries
 * merged, another node's registration arriving in the inbox, the
 * command line, or a second acorn process on the same database.  Each
 * viewer sees their own class's page and only their own token; the
 * cache stays within cache_bytes; a lost notification connection costs
 * speed, never a stale page; a compressed page is the page.
 *
 * How soon a change shows is what docs/acorn.8 (RESPONSE CACHE) states:
 * at once for writes through this process's own requests and workers;
 * for a GET that takes no query (someone not signed in, or a session
 * kept in memory), once the process has heard of a change another
 * process made.  The same holds for sessions: one ended, or an account
 * changed, through this process is read again at once; through another,
 * once this process has heard.  The tests assert exactly that: where the
 * process must first hear, they wait until /metrics says it has, then
 * the very next request must show the change.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <zlib.h>

#include "harness.h"

Suite	*cache_suite(void);

#define SETTLE_MS	30000	/* the most a change may take to arrive */
#define COORD		"cache.coord@example.org"
#define MEMBER		"cache.member@example.org"
#define MEMBER2		"cache.member2@example.org"
#define ADMIN		"cache.admin@example.org"
#define BOOKED		"You\u2019re booked"	/* a person's own tag */

static struct node *node;
static char *coord_pw, *member_pw, *member2_pw, *admin_pw;

static void
start(void)
{
	node = node_new("Cache node", "argon2_memory = 1024\n"
	    "argon2_passes = 1\nthreads = 4\nsession_idle = 3600");
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	member_pw = node_user_add(node, MEMBER, "member");
	member2_pw = node_user_add(node, MEMBER2, "member");
	admin_pw = node_user_add(node, ADMIN, "admin");
	ck_assert_ptr_nonnull(admin_pw);
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_ptr_nonnull(member_pw);
	ck_assert_ptr_nonnull(member2_pw);
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop(void)
{
	node_free(node);
	node = NULL;
	free(coord_pw);
	free(member_pw);
	free(member2_pw);
	free(admin_pw);
}

/* GETs path, which must be 200, and says whether it holds text. */
static int
shows(struct client *c, const char *path, const char *text)
{
	struct resp *r = http_get(c, path);
	int has;

	ck_assert_ptr_nonnull(r);
	ck_assert_msg(r->status == 200, "%s: %ld", path, r->status);
	has = resp_has(r, text);
	resp_free(r);
	return has;
}

/*
 * GETs path, which must be 200; 1 when the answer came from memory (the
 * cache's hits went up by one: nothing else asks meanwhile).  The
 * response in *out, when out is not NULL.
 */
static int
hit(struct node *n, struct client *c, const char *path, struct resp **out)
{
	long hits = node_metric(n, "acorn_cache_hits_total");
	struct resp *r = http_get(c, path);

	ck_assert_ptr_nonnull(r);
	ck_assert_msg(r->status == 200, "%s: %ld", path, r->status);
	if (out != NULL)
		*out = r;
	else
		resp_free(r);
	return node_metric(n, "acorn_cache_hits_total") == hits + 1;
}

/* Milliseconds on a clock that only goes forward. */
static long long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Asks for path until an answer comes from memory: the page is kept.
 * A node's background work after a test's writes (signing what it
 * made) moves the version a few times, which costs a miss each, and on
 * a busy machine that work takes longer than any number of tries: so
 * it asks for up to SETTLE_MS.  That answer in *out, when out is not
 * NULL.
 */
static void
primed_as(struct node *n, struct client *c, const char *path,
    struct resp **out)
{
	long long until = now_ms() + SETTLE_MS;
	struct resp *r;

	do {
		if (hit(n, c, path, &r)) {
			if (out != NULL)
				*out = r;
			else
				resp_free(r);
			return;
		}
		resp_free(r);
	} while (now_ms() < until);
	ck_abort_msg("%s was never answered from memory in %d ms", path,
	    SETTLE_MS);
}

static void
primed(struct node *n, struct client *c, const char *path)
{
	primed_as(n, c, path, NULL);
}

static void
add_term(struct client *c, const char *term)
{
	struct resp *r = form_post(c, "/glossary/new", "/glossary/new",
	    "term", term, "definition", "Someone who connects people.",
	    "synonyms", "", NULL);

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
}

/* The value of a header of r, or "" (a static buffer). */
static const char *
header(const struct resp *r, const char *name)
{
	static char v[512];
	char pat[96];
	const char *p;

	v[0] = '\0';
	snprintf(pat, sizeof(pat), "\n%s:", name);
	if ((p = strcasestr(r->headers, pat)) != NULL) {
		p += strlen(pat);
		p += strspn(p, " ");
		snprintf(v, sizeof(v), "%.*s", (int)strcspn(p, "\r\n"), p);
	}
	return v;
}

START_TEST(test_a_form_write_shows_on_the_next_request)
{
	struct client *anon = client_new(node);
	struct client *m = client_as(node, MEMBER, member_pw);
	struct client *writer = client_as(node, MEMBER2, member2_pw);
	static const char *const pages[] = { "/glossary", "/library",
	    "/evidence", "/evidence/summary", "/members", "/contact" };
	struct resp *a, *b;
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		primed(node, anon, pages[i]);
		primed(node, m, pages[i]);
	}
	/* The events list tags a member's own bookings: kept for each. */
	primed(node, anon, "/events");
	primed(node, m, "/events");
	/*
	 * The query's order and parameters no page reads change nothing:
	 * one kept page.
	 */
	primed(node, anon, "/members?page=1&q=a");
	ck_assert(hit(node, anon, "/members?q=a&page=1&utm_source=x&q=",
	    NULL));
	/* A hit carries the headers a rendered page does. */
	a = http_get(anon, "/glossary");
	ck_assert_int_eq(http_get_status(m, "/glossary/new"), 200);
	add_term(writer, "Quixotic navigator");
	b = http_get(anon, "/glossary");
	ck_assert_msg(resp_has(b, "Quixotic navigator"),
	    "a stale glossary after a form: %s", b->body);
	ck_assert(!resp_has(a, "Quixotic navigator"));
	ck_assert_str_eq(header(a, "Content-Type"), "text/html; charset=utf-8");
	ck_assert_str_eq(header(a, "Cache-Control"), "no-store");
	ck_assert_str_eq(header(b, "Content-Security-Policy"),
	    header(a, "Content-Security-Policy"));
	ck_assert_str_eq(header(b, "X-Frame-Options"), "DENY");
	ck_assert_str_eq(header(b, "X-Content-Type-Options"), "nosniff");
	ck_assert(strstr(b->headers, "Set-Cookie") == NULL);
	resp_free(a);
	resp_free(b);
	ck_assert(shows(m, "/glossary", "Quixotic navigator"));

	/* A document on the library's list, for both, at once. */
	{
		struct resp *r = form_post(writer, "/library/new",
		    "/library/new", "title", "Quixotic toolkit", "slug",
		    "quixotic-toolkit", "category", "toolkit", "tags", "",
		    "summary", "First", "body", "How to run it.", NULL);

		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(r->status, 303);
		resp_free(r);
	}
	ck_assert(shows(anon, "/library", "Quixotic toolkit"));
	ck_assert(shows(m, "/library", "Quixotic toolkit"));
	client_free(anon);
	client_free(m);
	client_free(writer);
}
END_TEST

/*
 * The page kept for a class is shared; the token in it is each
 * person's own, and a coordinator, a member and a visitor each get
 * their own class's page.
 */
START_TEST(test_each_viewer_sees_their_own_parts)
{
	struct client *a = client_as(node, MEMBER, member_pw);
	struct client *b = client_as(node, MEMBER2, member2_pw);
	struct client *co = client_as(node, COORD, coord_pw);
	struct client *anon = client_new(node);
	char *ta, *tb, *tok;
	struct resp *r;
	int i, got_a, got_b;

	/* Each one's token, from a page that is never kept. */
	ta = page_csrf(a, "/glossary/new");
	tb = page_csrf(b, "/glossary/new");
	ck_assert_ptr_nonnull(ta);
	ck_assert_ptr_nonnull(tb);
	ck_assert_str_ne(ta, tb);
	/* Each gets their own token, kept page or not, and each gets one. */
	for (i = 0, got_a = got_b = 0; i < 50 && !(got_a && got_b); i++) {
		got_a |= hit(node, a, "/glossary", &r);
		tok = form_field(r->body, "csrf");
		ck_assert_ptr_nonnull(tok);
		ck_assert_str_eq(tok, ta);
		ck_assert(resp_has(r, "Sign out"));
		ck_assert(!resp_has(r, "href=\"/manage\""));
		free(tok);
		resp_free(r);
		got_b |= hit(node, b, "/glossary", &r);
		tok = form_field(r->body, "csrf");
		ck_assert_ptr_nonnull(tok);
		ck_assert_str_eq(tok, tb);
		free(tok);
		resp_free(r);
	}
	ck_assert(got_a && got_b);

	for (i = 0; i < 2; i++) {
		r = http_get(co, "/glossary");
		ck_assert(resp_has(r, "href=\"/manage\""));
		ck_assert(resp_has(r, "Sign out"));
		resp_free(r);
		r = http_get(anon, "/glossary");
		ck_assert(!resp_has(r, "href=\"/manage\""));
		ck_assert(!resp_has(r, "Sign out"));
		ck_assert(resp_has(r, "Sign in"));
		resp_free(r);
		r = http_get(a, "/glossary");
		ck_assert(!resp_has(r, "href=\"/manage\""));
		ck_assert(resp_has(r, "Sign out"));
		resp_free(r);
	}

	/*
	 * An event's page, kept for visitors: each visitor's form token is
	 * their own (from their own pre-session cookie), never another's.
	 */
	{
		struct client *v1 = client_new(node), *v2 = client_new(node);
		char *id = event_new_published(co, "Quixotic meeting", "5");
		char path[128], *t1, *t2, *c1, *c2;

		ck_assert_ptr_nonnull(id);
		snprintf(path, sizeof(path), "/events/%s", id);
		/* The first visit sets the cookie, and is nobody else's. */
		t1 = page_csrf(v1, path);
		t2 = page_csrf(v2, path);
		ck_assert_ptr_nonnull(t1);
		ck_assert_ptr_nonnull(t2);
		ck_assert_str_ne(t1, t2);
		for (i = 0, got_a = got_b = 0; i < 50 && !(got_a && got_b);
		    i++) {
			got_a |= hit(node, v1, path, &r);
			c1 = form_field(r->body, "csrf");
			resp_free(r);
			got_b |= hit(node, v2, path, &r);
			c2 = form_field(r->body, "csrf");
			resp_free(r);
			ck_assert_ptr_nonnull(c1);
			ck_assert_ptr_nonnull(c2);
			ck_assert_str_eq(c1, t1);
			ck_assert_str_eq(c2, t2);
			free(c1);
			free(c2);
		}
		ck_assert(got_a && got_b);
		free(t1);
		free(t2);
		free(id);
		client_free(v1);
		client_free(v2);
	}
	free(ta);
	free(tb);
	client_free(a);
	client_free(b);
	client_free(co);
	client_free(anon);
}
END_TEST

/*
 * Another process on the same database: a second acorn serve, and the
 * command line.  The next request shows the change once this process
 * has heard of it: the notification is on its way for a moment after
 * the other process's commit (server/core/notify.c), longer on a busy
 * machine, so each case waits until the node has heard it.
 */
START_TEST(test_other_processes_writes_show)
{
	struct node second = *node;
	struct client *co = client_as(node, COORD, coord_pw);
	struct client *anon = client_new(node);
	struct client *m = client_as(node, MEMBER, member_pw);
	struct client *w;
	long before;

	second.pid = 0;
	ck_assert_int_eq(node_serve(&second), 0);
	ck_assert_str_ne(second.url, node->url);
	primed(node, anon, "/glossary");
	primed(node, m, "/glossary");
	primed(node, co, "/members");

	/* A form on the second process. */
	before = node_metric(node, "acorn_data_notifications_total");
	w = client_as(&second, MEMBER2, member2_pw);
	add_term(w, "Zephyrine connector");
	client_free(w);
	ck_assert(node_heard(node, "acorn_data_notifications_total", before));
	ck_assert(shows(m, "/glossary", "Zephyrine connector"));
	ck_assert(shows(anon, "/glossary", "Zephyrine connector"));
	ck_assert_int_eq(node_stop(&second), 0);

	/*
	 * The command line: an account made by `acorn user add`, which the
	 * coordinator of its region sees on the members list.
	 */
	primed(node, co, "/members");
	ck_assert_int_eq(node_run(node, "user", "add",
	    "zephyr@example.org", "--role", "member", "--name",
	    "Zephyrine Quayle", NULL), 0);
	node_barrier(node, "acorn_data");
	ck_assert_msg(shows(co, "/members", "Zephyrine Quayle"),
	    "a stale members list after the command line");

	/* And plain SQL, as an operator might: a visitor's list too. */
	primed(node, anon, "/members");
	before = node_metric(node, "acorn_data_notifications_total");
	free(node_text(node, "UPDATE members SET listed = true WHERE id ="
	    " (SELECT member FROM accounts WHERE email = $1) RETURNING id",
	    "zephyr@example.org"));
	ck_assert(node_heard(node, "acorn_data_notifications_total", before));
	ck_assert(shows(anon, "/members", "Zephyrine Quayle"));
	client_free(co);
	client_free(anon);
	client_free(m);
}
END_TEST

/*
 * The events list and an event's page show the person their own
 * bookings: each signed-in person's copy is kept for them alone, from
 * memory, and a booking made shows on the booker's very next request
 * and never on anyone else's.
 */
START_TEST(test_own_pages_are_kept_for_their_person_alone)
{
	struct client *a = client_as(node, MEMBER, member_pw);
	struct client *b = client_as(node, MEMBER2, member2_pw);
	struct client *co = client_as(node, COORD, coord_pw);
	struct reg_form f;
	struct resp *r;
	char *id, path[128];

	id = event_new_published(co, "Xylophonic gathering", "5");
	ck_assert_ptr_nonnull(id);
	snprintf(path, sizeof(path), "/events/%s", id);
	primed(node, a, "/events");
	primed(node, b, "/events");
	primed(node, a, path);
	primed(node, b, path);
	ck_assert(!shows(a, "/events", BOOKED));
	ck_assert(!shows(b, "/events", BOOKED));

	reg_form_open(a, id, &f);
	r = reg_form_send(a, &f, "places", "1", NULL);
	ck_assert_int_lt(r->status, 400);
	resp_free(r);
	reg_form_free(&f);
	ck_assert(shows(a, "/events", BOOKED));
	ck_assert(shows(a, path, BOOKED));
	/* Kept for a: an answer from memory, still a's. */
	primed_as(node, a, "/events", &r);
	ck_assert(resp_has(r, BOOKED));
	resp_free(r);
	/* b, of the same role and region, never gets a's page. */
	primed(node, b, "/events");
	ck_assert(!shows(b, "/events", BOOKED));
	ck_assert(!shows(b, path, BOOKED));
	ck_assert(shows(b, path, "4 of 5 places left") ||
	    shows(b, path, "4 places left"));
	free(id);
	client_free(a);
	client_free(b);
	client_free(co);
}
END_TEST

/*
 * A registration form's one-time key (which makes a second click the
 * same registration, not another) is fresh in every response, from
 * memory too: two visitors, or two tabs, never share one.
 */
#define KEYS_SEEN	60

START_TEST(test_form_keys_are_fresh_in_every_response)
{
	struct client *co = client_as(node, COORD, coord_pw);
	struct client *m = client_as(node, MEMBER, member_pw);
	struct client *v1 = client_new(node), *v2 = client_new(node);
	struct client *who[3] = { v1, v2, m };
	char *id, path[128], *keys[KEYS_SEEN];
	struct resp *r;
	int i, j, hits;

	id = event_new_published(co, "Yodelling workshop", "5");
	ck_assert_ptr_nonnull(id);
	snprintf(path, sizeof(path), "/events/%s", id);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(http_get_status(who[i], path), 200);
		primed(node, who[i], path);
	}
	/*
	 * Until six answers in a row came from memory (the node signing the
	 * new event moves the data version a time or two): every key seen
	 * differs from every other.
	 */
	for (i = 0, hits = 0; i < KEYS_SEEN && hits < 6; i++) {
		hits = hit(node, who[i % 3], path, &r) ? hits + 1 : 0;
		keys[i] = form_field(r->body, "request");
		ck_assert_ptr_nonnull(keys[i]);
		ck_assert_uint_eq(strlen(keys[i]), 43);
		resp_free(r);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(keys[i], keys[j]);
	}
	ck_assert_int_eq(hits, 6);
	while (i-- > 0)
		free(keys[i]);
	free(id);
	client_free(co);
	client_free(m);
	client_free(v1);
	client_free(v2);
}
END_TEST

/*
 * A GET whose session is kept in memory (proved by /metrics counting it)
 * is answered as the session is now: signed out everywhere from another
 * device, a role given and taken by an admin, a name changed and the
 * sessions ended from another process.
 */
START_TEST(test_kept_sessions_follow_every_change)
{
	struct client *m = client_as(node, MEMBER2, member2_pw);
	struct client *m2 = client_as(node, MEMBER2, member2_pw);
	struct client *ad = client_as(node, ADMIN, admin_pw);
	struct client *co = client_as(node, COORD, coord_pw);
	struct resp *r;
	char *me, *csrf;
	long kept, before;

	me = node_text(node, "SELECT member FROM accounts WHERE email = $1",
	    MEMBER2);
	ck_assert_ptr_nonnull(me);
	primed(node, m, "/glossary");
	kept = node_metric(node, "acorn_sessions_kept_hits_total");
	ck_assert(shows(m, "/glossary", "Sign out"));
	ck_assert_int_gt(node_metric(node, "acorn_sessions_kept_hits_total"), kept);

	/* Given a role by an admin: the next page is a coordinator's. */
	ck_assert(!shows(m, "/glossary", "href=\"/manage\""));
	ck_assert_int_eq(http_get_status(m, "/events/new"), 403);
	csrf = page_csrf(ad, "/admin/roles");
	ck_assert_ptr_nonnull(csrf);
	r = http_post(ad, "/admin/roles", "csrf", csrf, "id", me, "role",
	    "coordinator", "region", "London", NULL);
	ck_assert_int_lt(r->status, 400);
	resp_free(r);
	ck_assert(shows(m, "/glossary", "href=\"/manage\""));
	ck_assert_int_eq(http_get_status(m, "/events/new"), 200);
	/* And taken away again. */
	r = http_post(ad, "/admin/roles", "csrf", csrf, "id", me, "role",
	    "member", "region", "London", "confirm", "yes", NULL);
	ck_assert_int_lt(r->status, 400);
	resp_free(r);
	ck_assert(!shows(m, "/glossary", "href=\"/manage\""));
	ck_assert_int_eq(http_get_status(m, "/events/new"), 403);
	free(csrf);

	/* Renamed from another process: the home page greets the new name. */
	ck_assert(shows(m, "/", "Hello"));
	before = node_metric(node, "acorn_sessions_notifications_total");
	free(node_text(node, "UPDATE members SET name = 'Quillon Vexworth'"
	    " WHERE id = $1 RETURNING id", me));
	ck_assert(node_heard(node, "acorn_sessions_notifications_total", before));
	ck_assert(shows(m, "/", "Quillon Vexworth"));

	/* Signed out everywhere from another device: signed out here. */
	primed(node, m, "/glossary");
	r = form_post(m2, "/profile/sessions", "/signout/everywhere", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	ck_assert_int_eq(http_get_status(m, "/profile"), 303);
	ck_assert(!shows(m, "/glossary", "Sign out"));
	ck_assert(!shows(m, "/", "Quillon Vexworth"));

	/*
	 * Sessions ended by another process (an operator's SQL): a POST
	 * reads its session from the database, so at once it can change
	 * nothing; a GET, once this process has heard.
	 */
	primed(node, co, "/glossary");
	ck_assert(shows(co, "/glossary", "Sign out"));
	csrf = page_csrf(co, "/glossary/new");
	ck_assert_ptr_nonnull(csrf);
	before = node_metric(node, "acorn_sessions_notifications_total");
	free(node_text(node, "DELETE FROM sessions WHERE account = (SELECT id"
	    " FROM accounts WHERE email = $1) RETURNING 1", COORD));
	r = http_post(co, "/glossary/new", "csrf", csrf, "term",
	    "Ubiquitous signpost", "definition", "Never added.", NULL);
	ck_assert_int_ne(r->status, 200);
	ck_assert(strstr(header(r, "Location"), "/signin") != NULL);
	resp_free(r);
	free(csrf);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM glossary_terms"
	    " WHERE term = $1", "Ubiquitous signpost"), 0);
	ck_assert(node_heard(node, "acorn_sessions_notifications_total", before));
	ck_assert(!shows(co, "/glossary", "Sign out"));
	ck_assert_int_eq(http_get_status(co, "/events/new"), 303);
	free(me);
	client_free(m);
	client_free(m2);
	client_free(ad);
	client_free(co);
}
END_TEST

/* A peer's entries merged by the puller, and the inbox's registrations. */
START_TEST(test_federation_writes_show)
{
	struct node *origin;
	struct client *oc, *anon = client_new(node);
	struct client *m = client_as(node, MEMBER, member_pw);
	char *opw;
	long before;

	origin = node_new("Origin node", "region = London\nsync_interval = 2");
	ck_assert_ptr_nonnull(origin);
	ck_assert_int_eq(node_serve(origin), 0);
	ck_assert_int_eq(node_peer(node, origin, 0), 0);
	opw = node_user_add(origin, "writer@origin.example.org", "member");
	ck_assert_ptr_nonnull(opw);
	oc = client_as(origin, "writer@origin.example.org", opw);

	primed(node, anon, "/glossary");
	primed(node, m, "/glossary");
	before = node_metric(node, "acorn_data_notifications_total");
	add_term(oc, "Peregrine befriender");
	ck_assert_msg(node_wait(node, "SELECT EXISTS (SELECT 1 FROM"
	    " glossary_terms WHERE term = $1)", "Peregrine befriender",
	    SETTLE_MS), "the term never arrived");
	ck_assert(shows(m, "/glossary", "Peregrine befriender"));
	ck_assert(node_heard(node, "acorn_data_notifications_total", before));
	ck_assert(shows(anon, "/glossary", "Peregrine befriender"));

	client_free(oc);
	free(opw);
	node_free(origin);
	client_free(anon);
	client_free(m);
}
END_TEST

/*
 * A registration from another node's member arrives in this node's
 * inbox: the event's page, kept for visitors, shows the place taken.
 */
START_TEST(test_inbox_registration_shows)
{
	struct node *home;
	struct client *co = client_as(node, COORD, coord_pw);
	struct client *anon = client_new(node);
	struct client *hm;
	char *id, *hpw, path[128], action[160];
	char *csrf, *request, *place;
	struct resp *r;
	int i;

	home = node_new("Home node", "region = London\nsync_interval = 2");
	ck_assert_ptr_nonnull(home);
	ck_assert_int_eq(node_serve(home), 0);
	ck_assert_int_eq(node_peer(home, node, 1), 0);
	ck_assert_int_eq(node_peer(node, home, 0), 0);
	id = event_new_published(co, "Quorate summit", "3");
	ck_assert_ptr_nonnull(id);
	ck_assert(node_wait(home, "SELECT count(*) = 1 FROM place_types"
	    " WHERE event = $1 AND ref IS NOT NULL", id, SETTLE_MS));
	snprintf(path, sizeof(path), "/events/%s", id);
	/* The first visit gives the visitor a form cookie; then kept. */
	ck_assert_int_eq(http_get_status(anon, path), 200);
	primed(node, anon, path);
	ck_assert(shows(anon, path, "3 of 3 places left"));

	hpw = node_user_add(home, "away@home.example.org", "member");
	ck_assert_ptr_nonnull(hpw);
	hm = client_as(home, "away@home.example.org", hpw);
	snprintf(action, sizeof(action), "/events/%s/register", id);
	r = http_get(hm, path);
	ck_assert_int_eq(r->status, 200);
	csrf = form_field(r->body, "csrf");
	request = form_field(r->body, "request");
	place = form_field(r->body, "place");
	ck_assert_ptr_nonnull(csrf);
	ck_assert_ptr_nonnull(request);
	ck_assert_ptr_nonnull(place);
	resp_free(r);
	r = http_post(hm, action, "csrf", csrf, "request", request, "place",
	    place, "places", "1", "confirm", "yes", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	/* The host's answer reaches home only after the host committed. */
	for (i = 0; i < SETTLE_MS / 100; i++) {
		if (node_num(home, "SELECT count(*) FROM away_registrations"
		    " WHERE status = 'confirmed'", NULL) == 1)
			break;
		poll(NULL, 0, 100);
	}
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM registrations"
	    " WHERE event = $1 AND status = 'confirmed'", id), 1);
	ck_assert_msg(shows(anon, path, "2 of 3 places left"),
	    "a stale event page after the inbox");
	free(csrf);
	free(request);
	free(place);
	free(hpw);
	free(id);
	client_free(hm);
	client_free(co);
	client_free(anon);
	node_free(home);
}
END_TEST

/*
 * The connection that hears of changes is cut: while it is down nothing
 * is served from memory, and once it is back (which moves the version,
 * since what was notified meanwhile was missed) pages are kept again.
 */
START_TEST(test_listener_lost_pages_stay_right)
{
	struct client *anon = client_new(node);
	long reconnects;
	int i;

	primed(node, anon, "/glossary");
	reconnects = node_metric(node, "acorn_data_reconnects_total");
	ck_assert_int_ge(reconnects, 1);
	ck_assert_int_eq(node_num(node, "SELECT count(pg_terminate_backend("
	    "pid)) FROM pg_stat_activity WHERE application_name ="
	    " 'acorn data version' AND datname = current_database()", NULL),
	    1);
	free(node_text(node, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " $1, 'Someone who connects people.') RETURNING id",
	    "Halcyon signposter"));
	/* Down or back, the change shows: never the page from before. */
	ck_assert(shows(anon, "/glossary", "Halcyon signposter"));
	for (i = 0; i < SETTLE_MS / 50; i++) {
		if (node_metric(node, "acorn_data_reconnects_total") > reconnects &&
		    node_metric(node, "acorn_data_listening") == 1)
			break;
		poll(NULL, 0, 50);
	}
	ck_assert_int_eq(node_metric(node, "acorn_data_listening"), 1);
	ck_assert(shows(anon, "/glossary", "Halcyon signposter"));
	primed(node, anon, "/glossary");
	client_free(anon);
}
END_TEST

/* Filled far past cache_bytes, the cache stays within it. */
START_TEST(test_cache_stays_within_its_bound)
{
	struct node *small;
	struct client *c;
	char path[64];
	long bytes;
	int i;

	small = node_new("Small cache node", "cache_bytes = 100000");
	ck_assert_ptr_nonnull(small);
	ck_assert_int_eq(node_serve(small), 0);
	c = client_new(small);
	ck_assert_int_eq(node_metric(small, "acorn_cache_max_bytes"), 100000);
	/* Once the start's own changes are done, pages stay kept. */
	primed(small, c, "/glossary");
	/*
	 * Page after page until the bound makes one go (a change to the
	 * data meanwhile empties the cache instead, so the filling goes on).
	 */
	for (i = 0; i < 600; i++) {
		snprintf(path, sizeof(path), "/glossary?tag=t%d", i);
		ck_assert_int_eq(http_get_status(c, path), 200);
		if (i % 20 != 19)
			continue;
		bytes = node_metric(small, "acorn_cache_bytes");
		ck_assert_int_le(bytes, 100000);
		if (node_metric(small, "acorn_cache_evictions_total") > 0)
			break;
	}
	ck_assert_int_gt(node_metric(small, "acorn_cache_evictions_total"), 0);
	ck_assert_int_gt(node_metric(small, "acorn_cache_entries"), 0);
	/* Still keeping pages, and still within the bound. */
	primed(small, c, path);
	ck_assert_int_le(node_metric(small, "acorn_cache_bytes"), 100000);
	client_free(c);
	node_free(small);
}
END_TEST

/* Inflates a gzip body; the caller frees it. */
static char *
gunzip(const char *in, size_t len, size_t *outlen)
{
	z_stream z;
	size_t cap = len * 20 + 1024;
	char *out = malloc(cap);
	int rc;

	ck_assert_ptr_nonnull(out);
	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	rc = inflate(&z, Z_FINISH);
	ck_assert_int_eq(rc, Z_STREAM_END);
	*outlen = z.total_out;
	inflateEnd(&z);
	return out;
}

START_TEST(test_gzip_body_is_the_plain_body)
{
	struct client *plain = client_new(node), *zipped = client_new(node);
	struct resp *p, *z, *refused;
	size_t len;
	char *out;

	primed(node, plain, "/evidence/summary");
	p = http_get(plain, "/evidence/summary");
	ck_assert_int_eq(p->status, 200);
	ck_assert(strcasestr(p->headers, "Content-Encoding") == NULL);
	client_header(zipped, "Accept-Encoding: gzip, deflate");
	z = http_get(zipped, "/evidence/summary");
	ck_assert_int_eq(z->status, 200);
	ck_assert_str_eq(header(z, "Content-Encoding"), "gzip");
	ck_assert_str_eq(header(z, "Vary"), "Accept-Encoding");
	ck_assert_str_eq(header(p, "Vary"), "Accept-Encoding");
	ck_assert_uint_lt(z->len, p->len);
	out = gunzip(z->body, z->len, &len);
	ck_assert_uint_eq(len, p->len);
	ck_assert(memcmp(out, p->body, len) == 0);
	free(out);
	/* gzip;q=0 refuses it. */
	client_header(zipped, "Accept-Encoding: gzip;q=0, identity");
	refused = http_get(zipped, "/evidence/summary");
	ck_assert(strcasestr(refused->headers, "Content-Encoding") == NULL);
	ck_assert_uint_eq(refused->len, p->len);
	resp_free(p);
	resp_free(z);
	resp_free(refused);
	client_free(plain);
	client_free(zipped);
}
END_TEST

/*
 * A feed is kept as pages are: the next request comes from memory, its
 * 304 too (headers only: no page security headers), compressed once
 * when asked, and a write is in the very next answer.
 */
START_TEST(test_feeds_are_kept_and_answered_from_memory)
{
	struct client *peer = client_new(node), *again = client_new(node);
	struct client *zipped = client_new(node);
	struct client *w = client_as(node, MEMBER, member_pw);
	struct resp *r, *z, *nm;
	char inm[600], etag[512];
	long hits;
	size_t len;
	char *out;
	int i;

	add_term(w, "Quibbling outreach");
	primed(node, peer, "/feeds/glossary");
	primed(node, peer, "/feeds/glossary?after=0");
	r = http_get(peer, "/feeds/glossary?after=0");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Quibbling outreach"));
	snprintf(etag, sizeof(etag), "%s", header(r, "ETag"));
	ck_assert_str_ne(etag, "");
	ck_assert_str_ne(header(r, "Content-Security-Policy"), "");

	/* The peer holds it: a 304 from memory, with headers HTTP needs. */
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	client_header(again, inm);
	for (i = 0; i < 50; i++) {
		hits = node_metric(node, "acorn_cache_hits_total");
		nm = http_get(again, "/feeds/glossary?after=0");
		ck_assert_int_eq(nm->status, 304);
		if (node_metric(node, "acorn_cache_hits_total") == hits + 1)
			break;
		resp_free(nm);
	}
	ck_assert_msg(i < 50, "the 304 never came from memory");
	ck_assert_str_eq(header(nm, "ETag"), etag);
	ck_assert_str_ne(header(nm, "Cache-Control"), "");
	ck_assert_str_eq(header(nm, "Content-Security-Policy"), "");
	ck_assert_str_eq(header(nm, "X-Frame-Options"), "");
	ck_assert_uint_eq(nm->len, 0);
	resp_free(nm);

	/* Compressed, the same bytes. */
	client_header(zipped, "Accept-Encoding: gzip");
	z = http_get(zipped, "/feeds/glossary?after=0");
	ck_assert_int_eq(z->status, 200);
	ck_assert_str_eq(header(z, "Content-Encoding"), "gzip");
	out = gunzip(z->body, z->len, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(len, r->len);
	ck_assert(memcmp(out, r->body, len) == 0);
	free(out);
	resp_free(z);
	resp_free(r);

	/* A write: the next answer has it, and the old ETag is not fresh. */
	add_term(w, "Zealous befriending");
	nm = http_get(again, "/feeds/glossary?after=0");
	ck_assert_int_eq(nm->status, 200);
	ck_assert(resp_has(nm, "Zealous befriending"));
	ck_assert_str_ne(header(nm, "ETag"), etag);
	resp_free(nm);
	client_free(peer);
	client_free(again);
	client_free(zipped);
	client_free(w);
}
END_TEST

/*
 * Every table carries the change trigger or is listed, with a reason,
 * as one requests write as they go: a later migration cannot add a
 * table whose changes leave kept pages stale.
 */
START_TEST(test_every_table_is_watched_or_listed)
{
	char *missing = node_sql(node, "SELECT coalesce(string_agg(c.relname,"
	    " ', ' ORDER BY c.relname), '') FROM pg_class c JOIN pg_namespace"
	    " n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND"
	    " c.relkind IN ('r', 'p') AND c.relname NOT IN (SELECT name FROM"
	    " unwatched_tables) AND NOT EXISTS (SELECT 1 FROM pg_trigger t"
	    " WHERE t.tgrelid = c.oid AND t.tgname = 'acorn_data'"
	    " AND t.tgenabled <> 'D')", NULL);
	char *both, *gone;

	ck_assert_ptr_nonnull(missing);
	ck_assert_msg(missing[0] == '\0', "tables neither watched nor listed"
	    " in unwatched_tables: %s", missing);
	both = node_sql(node, "SELECT coalesce(string_agg(u.name, ', '), '')"
	    " FROM unwatched_tables u JOIN pg_class c ON c.relname = u.name"
	    " JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname ="
	    " 'acorn_data'", NULL);
	ck_assert_ptr_nonnull(both);
	ck_assert_msg(both[0] == '\0', "listed and watched: %s", both);
	gone = node_sql(node, "SELECT coalesce(string_agg(u.name, ', '), '')"
	    " FROM unwatched_tables u WHERE to_regclass(u.name) IS NULL", NULL);
	ck_assert_ptr_nonnull(gone);
	ck_assert_msg(gone[0] == '\0', "listed but no such table: %s", gone);
	free(missing);
	free(both);
	free(gone);
}
END_TEST

Suite *
cache_suite(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("cache");

	tcase_add_checked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_every_table_is_watched_or_listed);
	tcase_add_test(tc, test_a_form_write_shows_on_the_next_request);
	tcase_add_test(tc, test_each_viewer_sees_their_own_parts);
	tcase_add_test(tc, test_other_processes_writes_show);
	tcase_add_test(tc, test_kept_sessions_follow_every_change);
	tcase_add_test(tc, test_own_pages_are_kept_for_their_person_alone);
	tcase_add_test(tc, test_form_keys_are_fresh_in_every_response);
	tcase_add_test(tc, test_federation_writes_show);
	tcase_add_test(tc, test_inbox_registration_shows);
	tcase_add_test(tc, test_listener_lost_pages_stay_right);
	tcase_add_test(tc, test_cache_stays_within_its_bound);
	tcase_add_test(tc, test_gzip_body_is_the_plain_body);
	tcase_add_test(tc, test_feeds_are_kept_and_answered_from_memory);
	suite_add_tcase(s, tc);
	return s;
}
