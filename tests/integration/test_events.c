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
#include <time.h>

#include <check.h>

#include "harness.h"

Suite	*events_suite(void);

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
	    "argon2_passes = 1\nthreads = 8\n"
	    "retain_guest_forms_days = 30\nretention_interval = 1");
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
	return node_num(node, sql, param);
}

/* n active members prefix.1@race.example.org ..., all with member_pw. */
static void
make_members(const char *prefix, int n)
{
	ck_assert_int_eq(node_members_add(node, prefix, n, TEMPLATE,
	    "race.example.org"), n);
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
	char *id = event_new_published(co, title, capacity);

	ck_assert_ptr_nonnull(id);
	client_free(co);
	return id;
}

/* What a person's browser holds after opening the event page. */
struct pending {
	struct client	*c;
	struct reg_form	 f;	/* or a cancel's action and token */
	struct resp	*answer;
};

static void
open_form(struct pending *p, struct client *c, const char *id)
{
	p->c = c;
	reg_form_open(c, id, &p->f);
	p->answer = NULL;
}

static struct resp *
send_form(struct pending *p, const char *places)
{
	return reg_form_send(p->c, &p->f, "places", places, NULL);
}

static void
pending_free(struct pending *p)
{
	reg_form_free(&p->f);
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
	    "Draft gathering", "kind", "workshop",
	    "start-day", "1", "start-month", "5", "start-year", "2031",
	    "start-hour", "10", "start-minute", "00",
	    "end-day", "1", "end-month", "5", "end-year", "2031",
	    "end-hour", "12", "end-minute", "00", "venue", "Bolton", NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/places"));
	snprintf(path, sizeof(path), "%.44s", strstr(r->location, "/events/"));
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
	    "<script>alert(1)</script> Summit", "kind", "gala",
	    "start-day", "30", "start-month", "2", "start-year", "2031",
	    "start-hour", "25", "start-minute", "00",
	    "end-day", "1", "end-month", "2", "end-year", "2031",
	    "end-hour", "10", "end-minute", "00", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select the kind of event from the list"));
	ck_assert(resp_has(r, "Start date must be a real date"));
	ck_assert(resp_has(r, "Start time must be a real time"));
	ck_assert(resp_has(r, "Enter a venue, or a joining link"));
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
	ck_assert(resp_has(r, ">You have a place</h1>"));
	ck_assert(resp_has(r, "North West link worker forum"));
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

		ck_assert(cancel_form_action(r->body, action, sizeof(action)));
		x = form_post(a, action, action, NULL);
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
	ck_assert(resp_has(r2, ">You have a place</h1>"));
	ck_assert(resp_has(r2, "Double click conference"));
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
	return http_post(p->c, p->f.action, "csrf", p->f.csrf, NULL);
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

/*
 * What n people pressing Register at once were told, for cap places:
 * cap had a place, and each waiting position from 1 was told to exactly
 * one of the others.
 */
static void
assert_told(struct pending *p, int n, int cap)
{
	char *seen = calloc((size_t)n + 1, 1);
	long pos;
	int i, placed = 0, waiting = 0;

	ck_assert_ptr_nonnull(seen);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(p[i].answer);
		ck_assert_int_eq(p[i].answer->status, 200);
		if (resp_has(p[i].answer, "You have a place"))
			placed++;
		else {
			pos = position_shown(p[i].answer);
			ck_assert_int_ge(pos, 1);
			ck_assert_int_le(pos, n - cap);
			/* Every position is told to exactly one person. */
			ck_assert_int_eq(seen[pos], 0);
			seen[pos] = 1;
			waiting++;
		}
	}
	free(seen);
	ck_assert_int_eq(placed, cap);
	ck_assert_int_eq(waiting, n - cap);
}

/* The first k of the n people told they had a place cancel at once. */
static void
cancel_at_once(struct pending *p, int n, int k)
{
	struct pending q[64];
	struct resp *mine;
	int i, j = 0;

	ck_assert_int_le(k, 64);
	for (i = 0; i < n && j < k; i++) {
		if (!resp_has(p[i].answer, "You have a place"))
			continue;
		q[j].c = p[i].c;
		mine = http_get(q[j].c, "/registrations");
		ck_assert(cancel_form_action(mine->body, q[j].f.action,
		    sizeof(q[j].f.action)));
		q[j].f.csrf = form_field(mine->body, "csrf");
		q[j].answer = NULL;
		resp_free(mine);
		j++;
	}
	ck_assert_int_eq(j, k);
	race(q, k, k, NULL);
	for (j = 0; j < k; j++) {
		ck_assert_int_eq(q[j].answer->status, 303);
		resp_free(q[j].answer);
		free(q[j].f.csrf);
	}
}

START_TEST(test_400_people_for_200_places)
{
	enum { N = 400, CAP = 200 };
	char *id = new_event("National social prescribing conference", "200");
	struct pending *p = calloc(N, sizeof(*p));
	int i;

	make_members("storm", N);
	for (i = 0; i < N; i++)
		open_form(&p[i], member("storm", i + 1), id);
	race(p, N, 50, "1");
	assert_told(p, N, CAP);
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
	cancel_at_once(p, N, 50);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations"
	    " WHERE event = $1 AND status = 'confirmed'", id), CAP);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations"
	    " WHERE event = $1 AND status = 'waiting'", id), N - CAP - 50);
	/* The 50 who moved up are the first 50 who waited. */
	ck_assert_int_eq(num("SELECT count(*) FROM registrations c,"
	    " registrations w WHERE c.event = $1 AND w.event = $1 AND"
	    " c.status = 'confirmed' AND w.status = 'waiting' AND"
	    " c.arrival > w.arrival", id), 0);
	for (i = 0; i < N; i++)
		pending_free(&p[i]);
	free(p);
	free(id);
}
END_TEST

/* Members prefix.i for i in every's multiples become citizens. */
static void
make_citizens(const char *prefix, int every)
{
	char step[16];
	const char *p[2] = { prefix, step };

	snprintf(step, sizeof(step), "%d", every);
	ck_assert_int_ge(node_exec(node, "UPDATE members SET stakeholder ="
	    " 'citizen' WHERE name LIKE $1 || ' %' AND split_part(name, ' ',"
	    " 2)::integer % $2::integer = 0", 2, p), 1);
}

/*
 * The coordinator keeps places of the event's one place type for
 * groups until days from now; the answer.
 */
static struct resp *
keep_places(struct client *co, const char *id, const char *kept,
    const char *groups, int days)
{
	char path[128], d[16], m[16], y[16];
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(d, sizeof(d), "%d", tm.tm_mday);
	snprintf(m, sizeof(m), "%d", tm.tm_mon + 1);
	snprintf(y, sizeof(y), "%d", tm.tm_year + 1900);
	snprintf(path, sizeof(path), "/events/%s/places", id);
	return form_post(co, path, path, "keeping", "yes", "kept", kept,
	    "groups", groups, "until-day", d, "until-month", m, "until-year",
	    y, NULL);
}

/* A status of a member's registration for the event. */
static char *
status_of(const char *id, const char *email)
{
	return node_sqlv(node, "SELECT status FROM registrations"
	    " WHERE event = $1 AND email = $2 AND status <> 'cancelled'", 2,
	    (const char *[]){ id, email });
}

static void
assert_status(const char *id, const char *email, const char *want)
{
	char *st = status_of(id, email);

	ck_assert_ptr_nonnull(st);
	ck_assert_str_eq(st, want);
	free(st);
}

/* A member cancels their one registration from their own page. */
static void
cancel_own(struct client *c)
{
	struct resp *r = http_get(c, "/registrations"), *x;
	char action[128];

	ck_assert(cancel_form_action(r->body, action, sizeof(action)));
	x = form_post(c, action, action, NULL);
	ck_assert_int_eq(x->status, 303);
	resp_free(x);
	resp_free(r);
}

START_TEST(test_kept_places_go_to_their_groups_until_the_date)
{
	char *id = new_event("Every voice workshop", "4"), path[128];
	struct client *co = coordinator(), *m[7], *anon;
	struct resp *r;
	int i;

	make_members("kv", 6);
	make_citizens("kv", 5);	/* kv 5 is a citizen */
	for (i = 1; i <= 6; i++)
		m[i] = member("kv", i);
	snprintf(path, sizeof(path), "/events/%s/places", id);

	/* What cannot be kept is refused, saying why, and nothing kept. */
	r = keep_places(co, id, "5", "citizen", 30);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "That is more places than there are"));
	resp_free(r);
	r = keep_places(co, id, "2", "", 30);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select the groups to keep places for"));
	resp_free(r);
	r = keep_places(co, id, "0", "citizen", 30);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Keep at least 1 place"));
	resp_free(r);
	r = form_post(co, path, path, "keeping", "yes", "kept", "", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Enter the number of places to keep"));
	ck_assert(resp_has(r, "Select the groups to keep places for"));
	resp_free(r);
	r = keep_places(co, id, "2", "pirates", 30);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select groups from the list"));
	resp_free(r);
	r = keep_places(co, id, "2", "citizen", -2);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "must be in the future"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM place_keeps", NULL), 0);

	r = keep_places(co, id, "2", "citizen", 30);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Places kept."));
	ck_assert(resp_has(r, "Stop keeping In person places for Citizen or "
	    "patient"));
	ck_assert(resp_has(r, "<span>11:59pm on "));
	resp_free(r);
	/* One group, one keep. */
	r = keep_places(co, id, "1", "citizen", 30);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Places are already kept for one of those "
	    "groups"));
	resp_free(r);

	/* Everyone reading the event is told. */
	anon = client_new(node);
	snprintf(path, sizeof(path), "/events/%s", id);
	r = http_get(anon, path);
	ck_assert(resp_has(r, "4 of 4 places left, 2 of them kept for the "
	    "groups below"));
	ck_assert(resp_has(r, "2 In person places are kept for Citizen or "
	    "patient until"));
	/* A guest can say they are a citizen. */
	ck_assert(resp_has(r, "<option value=\"citizen\">Citizen or patient"
	    "</option>"));
	resp_free(r);

	/* Two GPs take the places not kept; the next two wait. */
	resp_free(register_for(m[1], id, "1"));
	resp_free(register_for(m[2], id, "1"));
	r = register_for(m[3], id, "1");
	ck_assert(resp_has(r, "you are number 1 on the waiting list"));
	resp_free(r);
	r = register_for(m[4], id, "1");
	ck_assert(resp_has(r, "you are number 2 on the waiting list"));
	resp_free(r);
	r = http_get(anon, path);
	ck_assert(resp_has(r, "2 of 4 places left, kept for the groups "
	    "below"));
	resp_free(r);
	/* A citizen arriving later has a kept place at once. */
	r = register_for(m[5], id, "1");
	ck_assert(resp_has(r, ">You have a place</h1>"));
	resp_free(r);
	/* Nor can a coordinator hand a kept place to someone else. */
	ck_assert_int_eq(num("SELECT count(*) FROM registrations r,"
	    " acorn_promote_one(r.id) WHERE r.event = $1 AND r.email ="
	    " 'kv.3@race.example.org'", id), 0);
	assert_status(id, "kv.3@race.example.org", "waiting");

	/*
	 * A GP cancels: of the two free places one is still kept, so the
	 * first waiting moves up and the second waits.
	 */
	cancel_own(m[1]);
	assert_status(id, "kv.3@race.example.org", "confirmed");
	assert_status(id, "kv.4@race.example.org", "waiting");
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE recipient ="
	    " 'kv.3@race.example.org' AND subject LIKE 'A place has come up%'",
	    NULL), 1);
	r = http_get(m[4], "/registrations");
	ck_assert(resp_has(r, "Number 1 on the waiting list"));
	resp_free(r);

	/*
	 * The date comes: the kept place goes to the first waiting, by
	 * itself, and they are told.
	 */
	ck_assert_int_eq(node_exec(node, "UPDATE place_keeps SET until ="
	    " now() - interval '1 second', created = created - interval"
	    " '1 day'", 0, NULL), 1);
	ck_assert(node_wait(node, "SELECT status = 'confirmed' FROM"
	    " registrations WHERE email = 'kv.4@race.example.org'"
	    " AND status <> 'cancelled'", NULL, 10000));
	ck_assert(node_wait(node, "SELECT count(*) = 1 FROM outbox"
	    " WHERE recipient = 'kv.4@race.example.org'"
	    " AND subject LIKE 'A place has come up%'", NULL, 10000));
	ck_assert_int_eq(num("SELECT taken FROM place_types WHERE event = $1",
	    id), 4);
	/* And a latecomer of any group now simply waits. */
	r = register_for(m[6], id, "1");
	ck_assert(resp_has(r, "you are number 1 on the waiting list"));
	resp_free(r);
	r = http_get(anon, path);
	ck_assert(!resp_has(r, "kept for"));
	resp_free(r);

	client_free(anon);
	client_free(co);
	for (i = 1; i <= 6; i++)
		client_free(m[i]);
	free(id);
}
END_TEST

/*
 * Pairs where a later arrival has a place while an earlier one waits,
 * other than a citizen moving up past someone the kept places are not
 * for: 0 when the list kept its order.
 */
static long
overtaken(const char *id)
{
	return num("SELECT count(*) FROM registrations c, registrations w"
	    " WHERE c.event = $1 AND w.event = $1 AND c.status = 'confirmed'"
	    " AND w.status = 'waiting' AND c.arrival > w.arrival"
	    " AND NOT (c.stakeholder = 'citizen'"
	    "  AND w.stakeholder IS DISTINCT FROM 'citizen')", id);
}

START_TEST(test_400_for_200_with_20_kept_for_citizens)
{
	enum { N = 400, CAP = 200, KEPT = 20 };
	char *id = new_event("Citizens' voice conference", "200");
	struct client *co = coordinator();
	struct pending *p = calloc(N, sizeof(*p));
	struct resp *r;
	int i;

	make_members("ks", N);
	make_citizens("ks", 10);	/* 40 citizens among 400 */
	r = keep_places(co, id, "20", "citizen", 30);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	for (i = 0; i < N; i++)
		open_form(&p[i], member("ks", i + 1), id);
	race(p, N, 50, "1");
	/* Never oversold, every place given, every position told once. */
	assert_told(p, N, CAP);
	ck_assert_int_eq(num("SELECT taken FROM place_types WHERE event = $1",
	    id), CAP);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'confirmed'", id), CAP);
	/* The kept places went to citizens alone. */
	ck_assert_int_le(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'confirmed' AND stakeholder <>"
	    " 'citizen'", id), CAP - KEPT);
	ck_assert_int_ge(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'confirmed' AND stakeholder ="
	    " 'citizen'", id), KEPT);
	ck_assert_int_eq(overtaken(id), 0);
	ck_assert_int_eq(num("SELECT count(*) FROM (SELECT"
	    " acorn_waiting_position(id) AS pos, row_number() OVER"
	    " (ORDER BY arrival) AS n FROM registrations WHERE event = $1"
	    " AND status = 'waiting') x WHERE pos = n", id), N - CAP);

	/* 50 with places cancel at once, citizens among them. */
	cancel_at_once(p, N, 50);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'confirmed'", id), CAP);
	ck_assert_int_eq(num("SELECT taken FROM place_types WHERE event = $1",
	    id), CAP);
	ck_assert_int_le(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'confirmed' AND stakeholder <>"
	    " 'citizen'", id), CAP - KEPT);
	ck_assert_int_eq(overtaken(id), 0);

	for (i = 0; i < N; i++)
		pending_free(&p[i]);
	free(p);
	client_free(co);
	free(id);
}
END_TEST

/* The newest mail queued for an address: "subject\nbody", or NULL. */
static char *
last_mail(const char *to)
{
	return node_sql(node, "SELECT subject || E'\\n' || body FROM outbox"
	    " WHERE recipient = $1 ORDER BY id DESC LIMIT 1", to);
}

static long
mails_to(const char *to)
{
	return num("SELECT count(*) FROM outbox WHERE recipient = $1", to);
}

/* A guest fills in the event's form; the answer page. */
static struct resp *
guest_registers(const char *id, const char *name, const char *email)
{
	struct pending p;
	struct resp *r;

	open_form(&p, client_new(node), id);
	r = reg_form_send(p.c, &p.f, "name", name, "email", email, NULL);
	pending_free(&p);
	return r;
}

/* The key in the link a guest was sent. */
static char *
guest_key(const char *email)
{
	char *mail = last_mail(email), *p, *key = NULL;

	if (mail != NULL && (p = strstr(mail, "/registrations/guest/")) !=
	    NULL)
		key = strndup(p + 21, strcspn(p + 21, "\n"));
	free(mail);
	return key;
}

static struct resp *
guest_post(struct client *c, const char *key, const char *what)
{
	char page[160], action[200];

	snprintf(page, sizeof(page), "/registrations/guest/%s", key);
	snprintf(action, sizeof(action), "%s/%s", page, what);
	return form_post(c, page, action, NULL);
}

START_TEST(test_guest_confirms_by_email_before_holding_a_place)
{
	char *id = new_event("Guests welcome day", "1"), *k1, *k2, *mail;
	struct client *g1 = client_new(node), *g2 = client_new(node);
	struct resp *r;
	char page[160];
	int i;
	const char *taken = "SELECT taken FROM place_types WHERE event = $1";

	/* A form without a name or an address is refused; nothing kept. */
	r = guest_registers(id, "", "not-an-address");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Enter your full name"));
	ck_assert(resp_has(r, "Enter an email address in the correct format"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1", id), 0);

	r = guest_registers(id, "Grace Guest", "grace@guest.example.org");
	ck_assert_int_eq(r->status, 200);
	/* The node sends no mail: it promises none. */
	ck_assert(resp_has(r, "This site does not send email"));
	ck_assert(!resp_has(r, "Check your email"));
	ck_assert(resp_has(r, "no place is held"));
	resp_free(r);
	ck_assert_int_eq(num(taken, id), 0);
	mail = last_mail("grace@guest.example.org");
	ck_assert_ptr_nonnull(mail);
	ck_assert(strncmp(mail, "Confirm your registration: Guests welcome "
	    "day", 42) == 0);
	free(mail);
	k1 = guest_key("grace@guest.example.org");
	ck_assert_ptr_nonnull(k1);

	/* Opening the link changes nothing: scanners open links too. */
	snprintf(page, sizeof(page), "/registrations/guest/%s", k1);
	r = http_get(g1, page);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Confirm my registration"));
	resp_free(r);
	ck_assert_int_eq(num(taken, id), 0);

	r = guest_post(g1, k1, "confirm");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = http_get(g1, page);
	ck_assert(resp_has(r, "<h1 class=\"panel__title\">You have a place</h1>"));
	resp_free(r);
	ck_assert_int_eq(num(taken, id), 1);
	mail = last_mail("grace@guest.example.org");
	ck_assert(strncmp(mail, "Your place at Guests welcome day", 32) == 0);
	free(mail);
	/* Each letter has a key of its own, to the same registration. */
	k2 = guest_key("grace@guest.example.org");
	ck_assert_ptr_nonnull(k2);
	ck_assert_str_ne(k1, k2);
	snprintf(page, sizeof(page), "/registrations/guest/%s", k2);
	r = http_get(g1, page);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<h1 class=\"panel__title\">You have a place</h1>"));
	resp_free(r);
	free(k2);
	snprintf(page, sizeof(page), "/registrations/guest/%s", k1);
	/* Confirming again is harmless and sends nothing more. */
	r = guest_post(g1, k1, "confirm");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(mails_to("grace@guest.example.org"), 2);
	ck_assert_int_eq(num(taken, id), 1);

	/* The second guest waits; the first cancels; the second moves up. */
	r = guest_registers(id, "Harry Guest", "harry@guest.example.org");
	resp_free(r);
	k2 = guest_key("harry@guest.example.org");
	ck_assert_ptr_nonnull(k2);
	r = guest_post(g2, k2, "confirm");
	resp_free(r);
	mail = last_mail("harry@guest.example.org");
	ck_assert(strncmp(mail, "You are on the waiting list", 27) == 0);
	free(mail);
	r = guest_post(g1, k1, "cancel");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	mail = last_mail("harry@guest.example.org");
	ck_assert(strncmp(mail, "A place has come up for you", 27) == 0);
	free(mail);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'confirmed'", id), 1);

	/* Links last 48 hours; an old one is refused and holds nothing. */
	r = guest_registers(id, "Late Guest", "late@guest.example.org");
	resp_free(r);
	free(k1);
	k1 = guest_key("late@guest.example.org");
	ck_assert_int_eq(node_exec(node, "UPDATE registrations SET confirm_by = now() -"
	    " interval '1 minute' WHERE id = acorn_guest_registration($1)",
	    1, (const char *const[]){ k1 }), 1);
	/* Its page offers no button, so the form is sent from elsewhere. */
	snprintf(page, sizeof(page), "/events/%s", id);
	mail = page_csrf(g1, page);
	ck_assert_ptr_nonnull(mail);
	snprintf(page, sizeof(page), "/registrations/guest/%s/confirm", k1);
	r = http_post(g1, page, "csrf", mail, NULL);
	free(mail);
	ck_assert_int_eq(r->status, 410);
	ck_assert(resp_has(r, "This link has expired"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " id = acorn_guest_registration($1) AND status = 'unconfirmed'",
	    k1), 1);
	/*
	 * Kept as long as the privacy notice says (30 days here), whatever
	 * other guests do meanwhile; then the retention worker removes it.
	 */
	ck_assert_int_eq(node_exec(node, "UPDATE registrations SET confirm_by = now() -"
	    " interval '8 days' WHERE id = acorn_guest_registration($1)",
	    1, (const char *const[]){ k1 }), 1);
	r = guest_registers(id, "Later Guest", "later@guest.example.org");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = http_get(g1, "/privacy");
	ck_assert(resp_has(r, "30 days after its confirmation link lapsed"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " id = acorn_guest_registration($1)", k1), 1);
	ck_assert_int_eq(node_exec(node, "UPDATE registrations SET confirm_by = now() -"
	    " interval '31 days' WHERE id = acorn_guest_registration($1)",
	    1, (const char *const[]){ k1 }), 1);
	ck_assert(node_wait(node, "SELECT count(*) = 0 FROM guest_keys WHERE"
	    " hash = acorn_guest_key_hash($1)", k1, 15000));
	ck_assert_int_eq(num("SELECT count(*) FROM guest_keys WHERE"
	    " hash = acorn_guest_key_hash($1)", k1), 0);
	/*
	 * A fourth unconfirmed form for one address within the hour is
	 * refused, and says when to try again.
	 */
	for (i = 0; i < 3; i++) {
		r = guest_registers(id, "Many Forms", "many@guest.example.org");
		ck_assert_int_eq(r->status, 200);
		ck_assert_int_eq(retry_after(r), -1);
		resp_free(r);
	}
	r = guest_registers(id, "Many Forms", "many@guest.example.org");
	ck_assert_int_eq(r->status, 429);
	ck_assert(resp_has(r, "try again in an hour"));
	ck_assert_int_eq(retry_after(r), 3600);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " email = $1", "many@guest.example.org"), 3);
	/* A made-up key finds nothing. */
	r = http_get(g1, "/registrations/guest/"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	free(k1);
	free(k2);
	free(id);
	client_free(g1);
	client_free(g2);
}
END_TEST

/* The id of the event's question labelled label. */
static char *
question_id(const char *label)
{
	return node_sql(node, "SELECT id FROM questions WHERE label = $1",
	    label);
}

/* The signer's part in the race below: publishing one event, again. */
struct signer_like {
	const char	*event;
	atomic_int	 stop;
	long		 runs;
};

static void *
signer_like(void *arg)
{
	struct signer_like *s = arg;
	const char *p[1] = { s->event };

	/* Every update moves the event's seq, as signing it does. */
	s->runs = node_exec_repeat(node, "UPDATE events SET pending = true"
	    " WHERE id = $1", 1, p, &s->stop, 200000);
	return NULL;
}

/*
 * A coordinator adds questions and kinds of place while the event is
 * being published over and over: every one is taken, none is a 503
 * (the insert and the republishing it causes once deadlocked with the
 * signer).
 */
START_TEST(test_event_changed_while_it_is_being_signed)
{
	char *id = new_event("Workshop changed while signed", "10");
	char qpage[128], label[64];
	struct client *co = coordinator();
	struct signer_like s = { id, 0, 0 };
	struct resp *r;
	pthread_t t;
	int i, ok = 0;

	snprintf(qpage, sizeof(qpage), "/events/%s/questions", id);
	ck_assert_int_eq(pthread_create(&t, NULL, signer_like, &s), 0);
	for (i = 0; i < 40; i++) {
		snprintf(label, sizeof(label), "Question %d?", i);
		r = form_post(co, qpage, qpage, "qkind", "yesno", "label",
		    label, NULL);
		ok += r != NULL && r->status == 200;
		resp_free(r);
	}
	atomic_store(&s.stop, 1);
	pthread_join(t, NULL);
	ck_assert_int_gt(s.runs, 0);
	ck_assert_int_eq(ok, 40);
	ck_assert_int_eq(num("SELECT count(*) FROM questions WHERE event = $1",
	    id), 40);
	free(id);
	client_free(co);
}
END_TEST

START_TEST(test_questions_are_asked_and_answers_checked)
{
	char *id = new_event("Workshop day with questions", "10");
	char page[128], qpage[128], nyes[64], nchoice[64], *qy, *qc;
	struct client *co = coordinator(), *m;
	struct pending p;
	struct resp *r;

	snprintf(page, sizeof(page), "/events/%s", id);
	snprintf(qpage, sizeof(qpage), "/events/%s/questions", id);
	/* A list needs two answers at least; nothing is stored otherwise. */
	r = form_post(co, qpage, qpage, "qkind", "choice", "label",
	    "Which workshop?", "choices", "Only one", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Enter at least two answers"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM questions q JOIN events e"
	    " ON e.id = q.event WHERE e.id = $1", id), 0);
	r = form_post(co, qpage, qpage, "qkind", "access", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = form_post(co, qpage, qpage, "qkind", "yesno", "label",
	    "Will you need <b>parking</b>?", "required", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = form_post(co, qpage, qpage, "qkind", "choice", "label",
	    "Which workshop?", "choices", "Green spaces\n\nArts on "
	    "prescription\n", "required", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Green spaces, Arts on prescription"));
	resp_free(r);
	qy = question_id("Will you need <b>parking</b>?");
	qc = question_id("Which workshop?");
	ck_assert_ptr_nonnull(qy);
	ck_assert_ptr_nonnull(qc);
	snprintf(nyes, sizeof(nyes), "answer_%s", qy);
	snprintf(nchoice, sizeof(nchoice), "answer_%s", qc);

	make_members("asked", 1);
	m = member("asked", 1);
	r = http_get(m, page);
	ck_assert(resp_has(r, "Do you have any access needs?"));
	ck_assert(resp_has(r, "(optional)"));
	/* The label is text, never markup. */
	ck_assert(resp_has(r, "Will you need &lt;b&gt;parking&lt;/b&gt;?"));
	ck_assert(resp_has(r, nyes));
	resp_free(r);

	/* Required answers missing, and an answer not on the list. */
	open_form(&p, m, id);
	r = reg_form_send(m, &p.f, nchoice, "Knitting", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Choose an answer to \xe2\x80\x9cWill you need "
	    "&lt;b&gt;parking&lt;/b&gt;?"));
	ck_assert(resp_has(r, "Choose one of the answers to"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1", id), 0);

	r = reg_form_send(m, &p.f, nyes, "yes", nchoice,
	    "Arts on prescription", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "You have a place"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM answers a JOIN registrations"
	    " g ON g.id = a.registration WHERE g.event = $1", id), 2);
	ck_assert_int_eq(num("SELECT count(*) FROM answers WHERE question = $1"
	    " AND value = 'Arts on prescription'", qc), 1);
	p.c = NULL;
	pending_free(&p);

	/* A question no longer asked leaves the form; its answers stay. */
	r = form_post(co, qpage, qpage, "question", qc, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "No longer asked"));
	resp_free(r);
	r = http_get(co, page);
	ck_assert(!resp_has(r, nchoice));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM answers WHERE question = $1",
	    qc), 1);
	/* Members cannot change questions. */
	r = form_post(m, page, qpage, "qkind", "text", "label", "Sneaky?",
	    NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM questions WHERE label ="
	    " 'Sneaky?'", NULL), 0);
	free(qy);
	free(qc);
	free(id);
	client_free(co);
	client_free(m);
}
END_TEST

START_TEST(test_edit_tells_people_when_time_or_place_changes)
{
	char *id = new_event("Commissioners round table", "10");
	char edit[128], *mail;
	long version;
	struct client *co = coordinator(), *m;
	struct resp *r;

	snprintf(edit, sizeof(edit), "/events/%s/edit", id);
	make_members("edited", 1);
	m = member("edited", 1);
	r = register_for(m, id, "1");
	resp_free(r);
	r = http_get(co, edit);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "value=\"Commissioners round table\""));
	ck_assert(resp_has(r, "name=\"start-year\""));
	ck_assert(resp_has(r, "value=\"2031\""));
	resp_free(r);
	version = num("SELECT version FROM events WHERE id = $1", id);
	/* A refused form changes nothing. */
	r = form_post(co, edit, edit, "title", "Renamed", "kind", "workshop",
	    "start-day", "14", "start-month", "3", "start-year", "2031",
	    "start-hour", "9", "start-minute", "30", "end-day", "13",
	    "end-month", "3", "end-year", "2031", "end-hour", "17",
	    "end-minute", "00", "venue", "Bolton", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "The event must end after it starts"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " title = 'Commissioners round table'", id), 1);
	ck_assert_int_eq(num("SELECT version FROM events WHERE id = $1", id),
	    version);
	/* A new title only: nobody needs an email. */
	r = form_post(co, edit, edit, "title", "Commissioners' round table",
	    "kind", "conference", "start-day", "14", "start-month", "3",
	    "start-year", "2031", "start-hour", "9", "start-minute", "30",
	    "end-day", "14", "end-month", "3", "end-year", "2031", "end-hour",
	    "17", "end-minute", "00", "venue", "Manchester Central", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(mails_to("edited.1@race.example.org"), 1);
	/* A new time: everyone registered is told the new one. */
	r = form_post(co, edit, edit, "title", "Commissioners' round table",
	    "kind", "conference", "start-day", "21", "start-month", "3",
	    "start-year", "2031", "start-hour", "10", "start-minute", "00",
	    "end-day", "21", "end-month", "3", "end-year", "2031", "end-hour",
	    "16", "end-minute", "00", "venue", "Manchester Central", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	mail = last_mail("edited.1@race.example.org");
	ck_assert_ptr_nonnull(mail);
	ck_assert(strncmp(mail, "Changed: Commissioners' round table", 35) ==
	    0);
	ck_assert_ptr_nonnull(strstr(mail, "Friday 21 March 2031, 10am (UK time)"));
	free(mail);
	r = http_get(m, edit);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);

	/* Registration opening at a time not yet come: nobody can register. */
	r = form_post(co, edit, edit, "title", "Commissioners' round table",
	    "kind", "conference", "start-day", "21", "start-month", "3",
	    "start-year", "2031", "start-hour", "10", "start-minute", "00",
	    "end-day", "21", "end-month", "3", "end-year", "2031", "end-hour",
	    "16", "end-minute", "00", "venue", "Manchester Central",
	    "opens-day", "6", "opens-month", "1", "opens-year", "2031",
	    "opens-hour", "9", "opens-minute", "00", "closes-hour", "17",
	    "closes-minute", "00", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Enter the date registration closes"));
	resp_free(r);
	r = form_post(co, edit, edit, "title", "Commissioners' round table",
	    "kind", "conference", "start-day", "21", "start-month", "3",
	    "start-year", "2031", "start-hour", "10", "start-minute", "00",
	    "end-day", "21", "end-month", "3", "end-year", "2031", "end-hour",
	    "16", "end-minute", "00", "venue", "Manchester Central",
	    "opens-day", "6", "opens-month", "1", "opens-year", "2031",
	    "opens-hour", "9", "opens-minute", "00", "closes-day", "1",
	    "closes-month", "3", "closes-year", "2031", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " reg_opens = '2031-01-06 09:00 Europe/London' AND"
	    " reg_closes = '2031-03-01 23:59 Europe/London'", id), 1);
	r = http_get(co, edit);
	ck_assert(resp_has(r, "id=\"opens-day\""));
	ck_assert(resp_has(r, "value=\"6\""));
	resp_free(r);
	make_members("early", 1);
	client_free(m);
	m = member("early", 1);
	snprintf(edit, sizeof(edit), "/events/%s", id);
	r = http_get(m, edit);
	ck_assert(resp_has(r, "Registration is not open at the moment"));
	ck_assert(!resp_has(r, "Join the waiting list"));
	resp_free(r);
	free(id);
	client_free(co);
	client_free(m);
}
END_TEST

START_TEST(test_cancelling_the_event_tells_everyone_and_promotes_nobody)
{
	char *id = new_event("Regional meeting called off", "1");
	char cancel[128], page[128], *mail;
	struct client *co = coordinator(), *a, *b;
	struct resp *r;

	snprintf(cancel, sizeof(cancel), "/events/%s/cancel", id);
	snprintf(page, sizeof(page), "/events/%s", id);
	make_members("off", 2);
	a = member("off", 1);
	b = member("off", 2);
	resp_free(register_for(a, id, "1"));
	resp_free(register_for(b, id, "1"));
	r = http_get(co, cancel);
	ck_assert(resp_has(r, "1 person has a place and 1 is on the waiting"));
	resp_free(r);
	/* Not without the box ticked. */
	r = form_post(co, cancel, cancel, NULL);
	ck_assert_int_eq(r->status, 422);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM events WHERE id = $1 AND"
	    " status = 'published'", id), 1);
	r = form_post(co, cancel, cancel, "confirm", "yes", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status <> 'cancelled'", id), 0);
	ck_assert_int_eq(num("SELECT taken FROM place_types WHERE event = $1",
	    id), 0);
	mail = last_mail("off.1@race.example.org");
	ck_assert(strncmp(mail, "Cancelled: Regional meeting called off",
	    38) == 0);
	free(mail);
	mail = last_mail("off.2@race.example.org");
	ck_assert(strncmp(mail, "Cancelled: Regional meeting called off",
	    38) == 0);
	free(mail);
	r = http_get(b, page);
	ck_assert(resp_has(r, "This event has been cancelled"));
	ck_assert(!resp_has(r, "Join the waiting list"));
	resp_free(r);
	free(id);
	client_free(co);
	client_free(a);
	client_free(b);
}
END_TEST

START_TEST(test_team_uses_no_places_and_the_public_list_is_opt_in)
{
	char *id = new_event("Speakers and listeners", "1");
	char attendees[128], page[128], people[128], action[160], *mail;
	struct client *co = coordinator(), *a, *anon = client_new(node);
	struct pending p;
	struct resp *r;
	const char *ref;

	snprintf(attendees, sizeof(attendees), "/events/%s/attendees", id);
	snprintf(people, sizeof(people), "/events/%s/people", id);
	snprintf(page, sizeof(page), "/events/%s", id);
	r = form_post(co, attendees, people, "name", "Sam Speaker", "email",
	    "sam@speak.example.org", "role", "speaker", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = form_post(co, attendees, people, "name", "Sam Again", "email",
	    "SAM@speak.example.org", "role", "helper", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "already registered for this event"));
	resp_free(r);
	r = form_post(co, attendees, people, "name", "Pat", "email",
	    "pat@speak.example.org", "role", "attendee", NULL);
	ck_assert_int_eq(r->status, 422);
	resp_free(r);
	ck_assert_int_eq(num("SELECT taken FROM place_types WHERE event = $1",
	    id), 0);
	ck_assert_int_eq(mails_to("sam@speak.example.org"), 1);
	mail = last_mail("sam@speak.example.org");
	ck_assert(strncmp(mail, "You are on the team for Speakers and "
	    "listeners", 46) == 0);
	ck_assert_ptr_nonnull(strstr(mail, "You are down as a speaker at"));
	free(mail);

	/* The one place is still there for a member, who is not listed. */
	make_members("listed", 1);
	a = member("listed", 1);
	open_form(&p, a, id);
	r = send_form(&p, "1");
	ck_assert(resp_has(r, "You have a place"));
	resp_free(r);
	p.c = NULL;
	pending_free(&p);
	r = http_get(co, attendees);
	ck_assert(resp_has(r, "Sam Speaker"));
	ck_assert(resp_has(r, "Speaker"));
	resp_free(r);
	r = http_get(a, page);
	ck_assert(!resp_has(r, "Who is coming"));
	resp_free(r);
	/* They choose to be listed. */
	r = http_get(a, "/registrations");
	ref = strstr(r->body, "action=\"/registrations/");
	ck_assert_ptr_nonnull(ref);
	snprintf(action, sizeof(action), "%.*s", (int)strcspn(ref + 8, "\""),
	    ref + 8);
	ck_assert_ptr_nonnull(strstr(action, "/public"));
	resp_free(r);
	r = form_post(a, "/registrations", action, "public", "yes", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = http_get(anon, page);
	ck_assert(resp_has(r, "Who is coming"));
	ck_assert(resp_has(r, "listed 1"));
	ck_assert(!resp_has(r, "Sam Speaker"));
	resp_free(r);
	free(id);
	client_free(co);
	client_free(a);
	client_free(anon);
}
END_TEST

/*
 * A coordinator adds two helpers by email: one whose account is
 * confirmed, who finds the role among their registrations, and one
 * whose address someone joined with and never confirmed, whose row
 * belongs to no account: whoever made that account gets nothing of it.
 */
START_TEST(test_team_row_is_linked_only_to_a_confirmed_account)
{
	char *id = new_event("Helpers by address", "5");
	char attendees[128], people[128];
	struct client *co = coordinator(), *a, *squat = client_new(node);
	struct resp *r;

	snprintf(attendees, sizeof(attendees), "/events/%s/attendees", id);
	snprintf(people, sizeof(people), "/events/%s/people", id);
	make_members("helper", 1);
	r = join_form(squat, "Sid Squatter", "victim@team.example.org",
	    "a long enough password", "a long enough password");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1"
	    " AND confirmed IS NULL", "victim@team.example.org"), 1);

	r = form_post(co, attendees, people, "name", "Hana Helper", "email",
	    "HELPER.1@race.example.org", "role", "helper", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = form_post(co, attendees, people, "name", "Vic Victim", "email",
	    "victim@team.example.org", "role", "helper", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);

	ck_assert_int_eq(num("SELECT count(*) FROM registrations r JOIN"
	    " accounts a ON a.id = r.account WHERE r.event = $1"
	    " AND a.email = 'helper.1@race.example.org'", id), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND email = 'victim@team.example.org'"
	    " AND account IS NULL", id), 1);
	a = member("helper", 1);
	r = http_get(a, "/registrations");
	ck_assert(resp_has(r, "Helpers by address"));
	resp_free(r);
	r = http_get(co, attendees);
	ck_assert(resp_has(r, "Vic Victim"));
	resp_free(r);
	free(id);
	client_free(co);
	client_free(a);
	client_free(squat);
}
END_TEST

START_TEST(test_form_loaded_while_full_takes_a_place_freed_since)
{
	char *id = new_event("Freed place fairness check", "1");
	char action[160], path[128];
	struct client *a, *b;
	struct pending p;
	struct resp *r;

	make_members("stale", 2);
	a = member("stale", 1);
	b = member("stale", 2);
	resp_free(register_for(a, id, "1"));
	/* B opens the page while it is full: it offers the waiting list. */
	snprintf(path, sizeof(path), "/events/%s", id);
	r = http_get(b, path);
	ck_assert(resp_has(r, "Join the waiting list"));
	resp_free(r);
	open_form(&p, b, id);
	/* A cancels before B presses the button. */
	r = http_get(a, "/registrations");
	ck_assert(cancel_form_action(r->body, action, sizeof(action)));
	resp_free(r);
	r = form_post(a, action, action, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = send_form(&p, "1");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "You have a place"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'waiting'", id), 0);
	p.c = NULL;
	pending_free(&p);
	free(id);
	client_free(a);
	client_free(b);
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
	tcase_add_test(tc, test_kept_places_go_to_their_groups_until_the_date);
	tcase_add_test(tc, test_400_for_200_with_20_kept_for_citizens);
	tcase_add_test(tc, test_guest_confirms_by_email_before_holding_a_place);
	tcase_add_test(tc, test_questions_are_asked_and_answers_checked);
	tcase_add_test(tc, test_event_changed_while_it_is_being_signed);
	tcase_add_test(tc, test_edit_tells_people_when_time_or_place_changes);
	tcase_add_test(tc,
	    test_cancelling_the_event_tells_everyone_and_promotes_nobody);
	tcase_add_test(tc,
	    test_team_uses_no_places_and_the_public_list_is_opt_in);
	tcase_add_test(tc, test_team_row_is_linked_only_to_a_confirmed_account);
	tcase_add_test(tc, test_form_loaded_while_full_takes_a_place_freed_since);
	suite_add_tcase(s, tc);
	return s;
}
