/*
 * Events and registration against a real node: what a coordinator and
 * members see, and that places are never oversold, the waiting list keeps
 * arrival order, groups stay whole and a form sent twice registers once,
 * also when hundreds of people press Register at the same moment.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"

Suite	*events_suite(void);

/* The first "cancel my place" form's action on a registrations page. */
static int
cancel_action(const char *body, char *out, size_t size)
{
	const char *p = body, *end;

	while ((p = strstr(p, "action=\"/registrations/")) != NULL) {
		p += 8;
		end = strchr(p, '"');
		if (end != NULL && end - p > 7 &&
		    strncmp(end - 7, "/cancel", 7) == 0) {
			snprintf(out, size, "%.*s", (int)(end - p), p);
			return 1;
		}
	}
	return 0;
}

static struct node *node;
static char *coord_pw;
static char *member_pw;

#define COORD		"events.coord@example.org"
#define TEMPLATE	"template.member@example.org"

static void
start(void)
{
	/* Cheap password hashes: hundreds of people sign in below. */
	node = node_new("Events node", "argon2_memory = 1024\n"
	    "argon2_passes = 1\nthreads = 8");
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	member_pw = node_user_add(node, TEMPLATE, "member");
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
	char *v = node_sql(node, sql, param);
	long n = v != NULL ? strtol(v, NULL, 10) : -1;

	free(v);
	return n;
}

/* n active members prefix.1@race.example.org ..., all with member_pw. */
static void
make_members(const char *prefix, int n)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
	    "WITH m AS (INSERT INTO members (id, origin, name, stakeholder,"
	    " region) SELECT gen_random_uuid(), (SELECT id FROM node),"
	    " '%s ' || g, 'gp', 'North West' FROM generate_series(1, %d) g"
	    " RETURNING id, name),"
	    " a AS (INSERT INTO accounts (member, email, password_hash, status)"
	    " SELECT m.id, replace(m.name, ' ', '.') || '@race.example.org',"
	    " (SELECT password_hash FROM accounts WHERE email = $1), 'active'"
	    " FROM m RETURNING 1) SELECT count(*) FROM a", prefix, n);
	ck_assert_int_eq(num(sql, TEMPLATE), n);
}

static struct client *
member(const char *prefix, int i)
{
	struct client *c = client_new(node);
	char email[128];

	snprintf(email, sizeof(email), "%s.%d@race.example.org", prefix, i);
	ck_assert(sign_in(c, email, member_pw));
	return c;
}

static struct client *
coordinator(void)
{
	struct client *c = client_new(node);

	ck_assert(sign_in(c, COORD, coord_pw));
	return c;
}

/* Creates and publishes an event with one place type; its id. */
static char *
new_event(const char *title, const char *capacity)
{
	struct client *co = coordinator();
	struct resp *r;
	char *id, path[128];

	r = form_post(co, "/events/new", "/events/new", "title", title,
	    "kind", "conference", "start_date", "2031-03-14", "start_time",
	    "09:30", "end_date", "2031-03-14", "end_time", "17:00", "venue",
	    "Manchester Central", "place_name", "In person", "capacity",
	    capacity, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(r->location);
	ck_assert_ptr_nonnull(strstr(r->location, "/events/"));
	id = strdup(strstr(r->location, "/events/") + 8);
	resp_free(r);
	snprintf(path, sizeof(path), "/events/%s", id);
	{
		char action[160];

		snprintf(action, sizeof(action), "/events/%s/publish", id);
		r = form_post(co, path, action, NULL);
		ck_assert_int_eq(r->status, 303);
		resp_free(r);
	}
	client_free(co);
	return id;
}

/* What a person's browser holds after opening the event page. */
struct pending {
	struct client	*c;
	char		 action[160];
	char		*csrf;
	char		*request;
	char		*place;
	struct resp	*answer;
};

/* The value of the first input called name, wherever its value sits. */
static char *
field(const char *body, const char *name)
{
	char pat[64];
	const char *p, *end, *v;

	snprintf(pat, sizeof(pat), "name=\"%s\"", name);
	if ((p = strstr(body, pat)) == NULL)
		return NULL;
	while (p > body && *p != '<')
		p--;
	end = strchr(p, '>');
	if ((v = strstr(p, " value=\"")) == NULL || end == NULL || v > end)
		return NULL;
	v += 8;
	return strndup(v, strcspn(v, "\""));
}

static void
open_form(struct pending *p, struct client *c, const char *id)
{
	char path[128];
	struct resp *r;

	snprintf(path, sizeof(path), "/events/%s", id);
	snprintf(p->action, sizeof(p->action), "/events/%s/register", id);
	p->c = c;
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	p->csrf = field(r->body, "csrf");
	p->request = field(r->body, "request");
	p->place = field(r->body, "place");
	ck_assert_ptr_nonnull(p->csrf);
	ck_assert_ptr_nonnull(p->request);
	ck_assert_ptr_nonnull(p->place);
	resp_free(r);
	p->answer = NULL;
}

static struct resp *
send_form(struct pending *p, const char *places)
{
	return http_post(p->c, p->action, "csrf", p->csrf, "request",
	    p->request, "place", p->place, "places", places, NULL);
}

static void
pending_free(struct pending *p)
{
	free(p->csrf);
	free(p->request);
	free(p->place);
	resp_free(p->answer);
	client_free(p->c);
}

static struct resp *
register_for(struct client *c, const char *id, const char *places)
{
	struct pending p;
	struct resp *r;

	open_form(&p, c, id);
	r = send_form(&p, places);
	p.c = NULL;	/* the caller's */
	pending_free(&p);
	return r;
}

/* The waiting-list number a page tells the person, or 0. */
static long
position_shown(const struct resp *r)
{
	const char *p = strstr(r->body, "you are number ");

	return p != NULL ? strtol(p + 15, NULL, 10) : 0;
}

START_TEST(test_draft_is_hidden_until_published)
{
	struct client *co = coordinator(), *anon = client_new(node);
	struct resp *r;
	char path[128];

	r = form_post(co, "/events/new", "/events/new", "title",
	    "Draft gathering", "kind", "workshop", "start_date", "2031-05-01",
	    "start_time", "10:00", "end_date", "2031-05-01", "end_time",
	    "12:00", "venue", "Bolton", "place_name", "In person", "capacity",
	    "20", NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/events/"));
	snprintf(path, sizeof(path), "%s", strstr(r->location, "/events/"));
	resp_free(r);
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	r = http_get(anon, "/events");
	ck_assert(!resp_has(r, "Draft gathering"));
	resp_free(r);
	r = http_get(co, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Only coordinators can see this event"));
	resp_free(r);
	client_free(co);
	client_free(anon);
}
END_TEST

START_TEST(test_bad_event_form_says_what_and_stores_nothing)
{
	struct client *co = coordinator();
	struct resp *r;
	long before = num("SELECT count(*) FROM events", NULL);

	r = form_post(co, "/events/new", "/events/new", "title",
	    "<script>alert(1)</script> Summit", "kind", "gala", "start_date",
	    "2031-02-30", "start_time", "25:00", "end_date", "2031-02-01",
	    "end_time", "10:00", "place_name", "In person", "capacity", "-4",
	    NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select the kind of event from the list"));
	ck_assert(resp_has(r, "Enter the start date like 2027-03-14"));
	ck_assert(resp_has(r, "Enter the start time like 09:30"));
	ck_assert(resp_has(r, "Enter a venue, or a joining link"));
	ck_assert(resp_has(r, "Number of places must be a whole number"));
	/* What was typed comes back, as text. */
	ck_assert(resp_has(r, "&lt;script&gt;alert(1)&lt;/script&gt; Summit"));
	ck_assert(!resp_has(r, "<script>alert(1)"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM events", NULL), before);
	client_free(co);
}
END_TEST

START_TEST(test_register_wait_cancel_and_promote)
{
	char *id = new_event("North West link worker forum", "2");
	struct client *a, *b, *c;
	struct resp *r;
	char path[128];

	make_members("flow", 3);
	a = member("flow", 1);
	b = member("flow", 2);
	c = member("flow", 3);
	r = register_for(a, id, "1");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "You have a place at North West link worker"));
	resp_free(r);
	/* A group of two waits whole behind a free place: nobody overtakes. */
	r = register_for(b, id, "2");
	ck_assert(resp_has(r, "you are number 1 on the waiting list"));
	resp_free(r);
	r = register_for(c, id, "1");
	ck_assert(resp_has(r, "you are number 2 on the waiting list"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE recipient ="
	    " 'flow.1@race.example.org' AND subject LIKE 'Your place at %'",
	    NULL), 1);

	/* The member's own page says where they stand. */
	r = http_get(c, "/registrations");
	ck_assert(resp_has(r, "Number 2 on the waiting list"));
	resp_free(r);

	/* A cancels: the group at the head gets both places. */
	r = http_get(a, "/registrations");
	{
		char action[128];
		struct resp *x;

		ck_assert(cancel_action(r->body, action, sizeof(action)));
		x = form_post(a, "/registrations", action, NULL);
		ck_assert_int_eq(x->status, 303);
		resp_free(x);
	}
	resp_free(r);
	r = http_get(b, "/registrations");
	ck_assert(resp_has(r, "You have 2 places"));
	resp_free(r);
	r = http_get(c, "/registrations");
	ck_assert(resp_has(r, "Number 1 on the waiting list"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE recipient ="
	    " 'flow.2@race.example.org' AND subject LIKE 'A place has come up%'",
	    NULL), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE recipient ="
	    " 'flow.1@race.example.org' AND subject LIKE '%cancelled%'", NULL),
	    1);

	/* The coordinator sees both lists. */
	{
		struct client *co = coordinator();

		snprintf(path, sizeof(path), "/events/%s/attendees", id);
		r = http_get(co, path);
		ck_assert_int_eq(r->status, 200);
		ck_assert(resp_has(r, "flow 2"));
		ck_assert(resp_has(r, "1 waiting"));
		resp_free(r);
		client_free(co);
	}
	client_free(a);
	client_free(b);
	client_free(c);
	free(id);
}
END_TEST

START_TEST(test_form_sent_twice_registers_once)
{
	char *id = new_event("Double click conference", "5");
	struct pending p;
	struct resp *r1, *r2;

	make_members("twice", 1);
	open_form(&p, member("twice", 1), id);
	r1 = send_form(&p, "1");
	r2 = send_form(&p, "1");
	ck_assert_int_eq(r1->status, 200);
	ck_assert_int_eq(r2->status, 200);
	ck_assert(resp_has(r2, "You have a place at Double click"));
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE email"
	    " = 'twice.1@race.example.org'", NULL), 1);
	ck_assert_int_eq(num("SELECT taken FROM place_types pt JOIN events e"
	    " ON e.id = pt.event WHERE e.title = $1", "Double click conference"),
	    1);
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE recipient ="
	    " 'twice.1@race.example.org'", NULL), 1);
	resp_free(r1);
	resp_free(r2);
	pending_free(&p);
	free(id);
}
END_TEST

START_TEST(test_capacity_below_taken_is_refused_and_raising_promotes)
{
	char *id = new_event("Capacity workshop", "2");
	struct client *co, *m;
	struct resp *r;
	char path[128], *place;
	int i;

	make_members("cap", 4);
	for (i = 1; i <= 4; i++) {
		m = member("cap", i);
		resp_free(register_for(m, id, "1"));
		client_free(m);
	}
	co = coordinator();
	snprintf(path, sizeof(path), "/events/%s/places", id);
	place = node_sql(node, "SELECT pt.id FROM place_types pt JOIN events e"
	    " ON e.id = pt.event WHERE e.title = $1", "Capacity workshop");
	r = form_post(co, path, path, "place", place, "capacity", "1", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Some of those places are already taken"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT capacity FROM place_types WHERE id = $1",
	    place), 2);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations r JOIN"
	    " place_types pt ON pt.id = r.place_type WHERE pt.id = $1 AND"
	    " r.status = 'confirmed'", place), 2);

	r = form_post(co, path, path, "place", place, "capacity", "3", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "1 person was promoted"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " email = $1 AND status = 'confirmed'", "cap.3@race.example.org"), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " email = $1 AND status = 'waiting'", "cap.4@race.example.org"), 1);
	free(place);
	client_free(co);
	free(id);
}
END_TEST

/* Threads that press Register at once. */
struct race {
	struct pending	*p;
	int		 n;
	int		 first;
	int		 step;
	const char	*places;	/* NULL: a cancellation */
	pthread_barrier_t *go;
};

static struct resp *
send_cancel(struct pending *p)
{
	return http_post(p->c, p->action, "csrf", p->csrf, NULL);
}

static void *
racer(void *arg)
{
	struct race *ra = arg;
	int i;

	pthread_barrier_wait(ra->go);
	for (i = ra->first; i < ra->n; i += ra->step)
		ra->p[i].answer = ra->places != NULL ?
		    send_form(&ra->p[i], ra->places) : send_cancel(&ra->p[i]);
	return NULL;
}

static void
race(struct pending *p, int n, int threads, const char *places)
{
	pthread_t t[64];
	struct race ra[64];
	pthread_barrier_t go;
	int i;

	ck_assert_int_le(threads, 64);
	pthread_barrier_init(&go, NULL, (unsigned)threads);
	for (i = 0; i < threads; i++) {
		ra[i] = (struct race){ p, n, i, threads, places, &go };
		ck_assert_int_eq(pthread_create(&t[i], NULL, racer, &ra[i]), 0);
	}
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
}

START_TEST(test_400_people_for_200_places)
{
	enum { N = 400, CAP = 200 };
	char *id = new_event("National social prescribing conference", "200");
	struct pending *p = calloc(N, sizeof(*p));
	char seen[N + 1];
	long pos;
	int i, placed = 0, waiting = 0;

	make_members("storm", N);
	for (i = 0; i < N; i++)
		open_form(&p[i], member("storm", i + 1), id);
	race(p, N, 50, "1");

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < N; i++) {
		ck_assert_ptr_nonnull(p[i].answer);
		ck_assert_int_eq(p[i].answer->status, 200);
		if (resp_has(p[i].answer, "You have a place"))
			placed++;
		else {
			pos = position_shown(p[i].answer);
			ck_assert_int_ge(pos, 1);
			ck_assert_int_le(pos, N - CAP);
			/* Every position is told to exactly one person. */
			ck_assert_int_eq(seen[pos], 0);
			seen[pos] = 1;
			waiting++;
		}
	}
	ck_assert_int_eq(placed, CAP);
	ck_assert_int_eq(waiting, N - CAP);
	ck_assert_int_eq(num("SELECT taken FROM place_types pt JOIN events e"
	    " ON e.id = pt.event WHERE e.title = $1",
	    "National social prescribing conference"), CAP);
	/* Arrival order: everyone placed arrived before everyone waiting. */
	ck_assert_int_eq(num("SELECT count(*) FROM registrations c,"
	    " registrations w WHERE c.event = $1 AND w.event = $1 AND"
	    " c.status = 'confirmed' AND w.status = 'waiting' AND"
	    " c.arrival > w.arrival", id), 0);
	/* The positions people were told are 1..200 in arrival order. */
	ck_assert_int_eq(num("SELECT count(*) FROM (SELECT"
	    " acorn_waiting_position(id) AS pos, row_number() OVER"
	    " (ORDER BY arrival) AS n FROM registrations WHERE event = $1"
	    " AND status = 'waiting') x WHERE pos = n", id), N - CAP);

	/* Then 50 people with places cancel at once: exactly 50 move up. */
	{
		struct pending q[50];
		struct resp *mine;
		int k = 0;

		for (i = 0; i < N && k < 50; i++) {
			if (!resp_has(p[i].answer, "You have a place"))
				continue;
			q[k].c = p[i].c;
			mine = http_get(q[k].c, "/registrations");
			ck_assert(cancel_action(mine->body, q[k].action,
			    sizeof(q[k].action)));
			q[k].csrf = field(mine->body, "csrf");
			q[k].answer = NULL;
			resp_free(mine);
			k++;
		}
		ck_assert_int_eq(k, 50);
		race(q, 50, 50, NULL);
		for (k = 0; k < 50; k++) {
			ck_assert_int_eq(q[k].answer->status, 303);
			resp_free(q[k].answer);
			free(q[k].csrf);
		}
		ck_assert_int_eq(num("SELECT count(*) FROM registrations"
		    " WHERE event = $1 AND status = 'confirmed'", id), CAP);
		ck_assert_int_eq(num("SELECT count(*) FROM registrations"
		    " WHERE event = $1 AND status = 'waiting'", id),
		    N - CAP - 50);
		/* The 50 who moved up are the first 50 who waited. */
		ck_assert_int_eq(num("SELECT count(*) FROM registrations c,"
		    " registrations w WHERE c.event = $1 AND w.event = $1 AND"
		    " c.status = 'confirmed' AND w.status = 'waiting' AND"
		    " c.arrival > w.arrival", id), 0);
	}
	for (i = 0; i < N; i++)
		pending_free(&p[i]);
	free(p);
	free(id);
}
END_TEST

Suite *
events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("events");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_draft_is_hidden_until_published);
	tcase_add_test(tc, test_bad_event_form_says_what_and_stores_nothing);
	tcase_add_test(tc, test_register_wait_cancel_and_promote);
	tcase_add_test(tc, test_form_sent_twice_registers_once);
	tcase_add_test(tc,
	    test_capacity_below_taken_is_refused_and_raising_promotes);
	tcase_add_test(tc, test_400_people_for_200_places);
	suite_add_tcase(s, tc);
	return s;
}
