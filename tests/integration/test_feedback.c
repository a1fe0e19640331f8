/*
 * Feedback after an event, against a real node: the organiser's form,
 * the links mailed to the people who came, each working once and
 * keeping answers apart from people, and the results, the spreadsheet
 * and the summary for the library matching the answers given.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"

Suite	*feedback_suite(void);

static struct node *node;
static char *coord_pw;
static char *member_pw;

#define COORD	"feedback.coord@example.org"
#define MEMBER	"feedback.member@example.org"

static void
start(void)
{
	node = node_new("Feedback node", "threads = 8\nretention_interval = 1");
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

static long
num(const char *sql, const char *param)
{
	return node_num(node, sql, param);
}

/* A published event of this node, with people registered, by hand. */
static char *
event_with(const char *title, int people)
{
	char n[16], *id;
	const char *p[2] = { title, n };

	snprintf(n, sizeof(n), "%d", people);
	id = node_sqlv(node, "WITH e AS (INSERT INTO events (id, origin,"
	    " title, kind, starts, ends, region, status) VALUES"
	    " (gen_random_uuid(), (SELECT id FROM node), $1, 'workshop',"
	    " now() + interval '10 days', now() + interval '10 days 3 hours',"
	    " 'North West', 'published') RETURNING id),"
	    " p AS (INSERT INTO place_types (event, name, capacity)"
	    " SELECT id, 'In person', 50 FROM e RETURNING id, event),"
	    " r AS (SELECT acorn_register(p.id, NULL, 'Person ' || g,"
	    " 'person' || g || '@' || left(p.event::text, 8) ||"
	    " '.feedback.example.org', NULL, 1, false,"
	    " gen_random_uuid()::text) FROM p, generate_series(1,"
	    " $2::integer) g)"
	    " SELECT event FROM p, (SELECT count(*) FROM r) x", 2, p);
	ck_assert_ptr_nonnull(id);
	return id;
}

/* Person i's address at event id. */
static void
address(char *buf, size_t size, const char *id, int i)
{
	snprintf(buf, size, "person%d@%.8s.feedback.example.org", i, id);
}

/* Moves the event into the past, so that feedback can be asked for. */
static void
event_over(const char *id)
{
	const char *p[1] = { id };

	ck_assert_int_eq(node_exec(node, "UPDATE events SET starts = now()"
	    " - interval '2 days', ends = now() - interval '2 days'"
	    " + interval '3 hours' WHERE id = $1", 1, p), 1);
}

static struct resp *
form(struct client *co, const char *id, ...)
{
	char path[128];
	const char *k[16];
	va_list ap;
	int n = 0;

	snprintf(path, sizeof(path), "/events/%s/feedback", id);
	va_start(ap, id);
	while (n < 14 && (k[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	k[n] = NULL;
	switch (n) {
	case 2:
		return form_post(co, path, path, k[0], k[1], NULL);
	case 4:
		return form_post(co, path, path, k[0], k[1], k[2], k[3], NULL);
	case 6:
		return form_post(co, path, path, k[0], k[1], k[2], k[3], k[4],
		    k[5], NULL);
	default:
		return form_post(co, path, path, k[0], k[1], k[2], k[3], k[4],
		    k[5], k[6], k[7], NULL);
	}
}

/* The key in the newest feedback mail to an address, or NULL. */
static char *
key_sent(const char *to)
{
	char *mail = node_sql(node, "SELECT body FROM outbox WHERE recipient ="
	    " $1 AND subject LIKE 'What did you think of %' ORDER BY id DESC"
	    " LIMIT 1", to), *p, *key = NULL;

	if (mail != NULL && (p = strstr(mail, "/feedback/")) != NULL)
		key = strndup(p + 10, strcspn(p + 10, "\n"));
	free(mail);
	return key;
}

static char *
question_id(const char *id, const char *label)
{
	char *q = node_sqlv(node, "SELECT id FROM feedback_questions WHERE"
	    " event = $1 AND label = $2", 2, (const char *[]){ id, label });

	ck_assert_ptr_nonnull(q);
	return q;
}

/* A browser that opened the page a link leads to, with its form. */
struct opened {
	struct client	*c;
	char		*csrf;
	char		 path[128];
};

static void
open_link(struct opened *o, const char *key)
{
	struct resp *r;

	o->c = client_new(node);
	snprintf(o->path, sizeof(o->path), "/feedback/%s", key);
	r = http_get(o->c, o->path);
	ck_assert_int_eq(r->status, 200);
	o->csrf = form_field(r->body, "csrf");
	ck_assert_ptr_nonnull(o->csrf);
	resp_free(r);
}

static void
opened_free(struct opened *o)
{
	client_free(o->c);
	free(o->csrf);
}

/* Sends answers to three questions from the opened form: the answer. */
static struct resp *
send_answers(struct opened *o, const char *qa, const char *a,
    const char *qb, const char *b, const char *qc, const char *c)
{
	char na[32], nb[32], nc[32];

	snprintf(na, sizeof(na), "answer_%s", qa);
	snprintf(nb, sizeof(nb), "answer_%s", qb);
	snprintf(nc, sizeof(nc), "answer_%s", qc);
	return http_post(o->c, o->path, "csrf", o->csrf, na, a, nb, b, nc, c,
	    NULL);
}

/* Opens the link with key and answers: the answer page. */
static struct resp *
answer(const char *key, const char *qa, const char *a, const char *qb,
    const char *b, const char *qc, const char *c)
{
	struct opened o;
	struct resp *r;

	open_link(&o, key);
	r = send_answers(&o, qa, a, qb, b, qc, c);
	opened_free(&o);
	return r;
}

START_TEST(test_links_work_once_answers_are_anonymous_and_results_match)
{
	char *id = event_with("Link worker learning day", 4);
	struct client *co = client_as(node, COORD, coord_pw);
	struct client *m = client_as(node, MEMBER, member_pw);
	char to[4][96], path[160], *k[4], *qr, *qc, *qt;
	struct resp *r;
	int i;

	for (i = 0; i < 4; i++)
		address(to[i], sizeof(to[i]), id, i + 1);
	/* Persons 1 and 3 are citizens, 2 a GP, 4 gave no group. */
	ck_assert_int_eq(node_exec(node, "UPDATE registrations SET"
	    " stakeholder = CASE WHEN name IN ('Person 1', 'Person 3') THEN"
	    " 'citizen' WHEN name = 'Person 2' THEN 'gp' END"
	    " WHERE event = $1", 1, (const char *[]){ id }), 4);

	/* What a form cannot hold is refused, saying why. */
	r = form(co, id, "qkind", "essay", "label", "Tell us", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select the kind of question from the list"));
	resp_free(r);
	r = form(co, id, "qkind", "choice", "label", "Which session?",
	    "choices", "Only one", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Enter at least two answers"));
	resp_free(r);
	r = form(co, id, "qkind", "rating", "label", "", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Enter the question"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM feedback_questions",
	    NULL), 0);

	r = form(co, id, "qkind", "rating", "label", "How useful was the day?",
	    "required", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Question added."));
	resp_free(r);
	resp_free(form(co, id, "qkind", "choice", "label",
	    "Which session helped most?", "choices",
	    "Morning talks\nAfternoon workshops", NULL));
	resp_free(form(co, id, "qkind", "text", "label",
	    "What should we change?", NULL));
	ck_assert_int_eq(num("SELECT count(*) FROM feedback_questions WHERE"
	    " event = $1", id), 3);
	qr = question_id(id, "How useful was the day?");
	qc = question_id(id, "Which session helped most?");
	qt = question_id(id, "What should we change?");

	/* Nothing is sent before the event is over. */
	r = form(co, id, "send", "yes", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "once the event has ended"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM feedback_links", NULL), 0);

	/* Nor may a member who does not organise it see or send it. */
	snprintf(path, sizeof(path), "/events/%s/feedback", id);
	ck_assert_int_eq(http_get_status(m, path), 403);

	event_over(id);
	r = form(co, id, "send", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "The form was sent to 4 people."));
	resp_free(r);
	for (i = 0; i < 4; i++) {
		k[i] = key_sent(to[i]);
		ck_assert_ptr_nonnull(k[i]);
		ck_assert_int_eq(strlen(k[i]), 43);
	}
	/* Sending again sends to nobody twice. */
	r = form(co, id, "send", "yes", NULL);
	ck_assert(resp_has(r, "The form was sent to 0 people."));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE subject ="
	    " 'What did you think of Link worker learning day?'", NULL), 4);
	/* The form is fixed once sent. */
	r = form(co, id, "qkind", "text", "label", "One more?", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "The form has been sent"));
	resp_free(r);

	/* The link opens the form, and opening it changes nothing. */
	{
		struct client *anon = client_new(node);

		snprintf(path, sizeof(path), "/feedback/%s", k[0]);
		r = http_get(anon, path);
		ck_assert_int_eq(r->status, 200);
		ck_assert(resp_has(r, "Link worker learning day"));
		ck_assert(resp_has(r, "How useful was the day?"));
		ck_assert(resp_has(r, "Your answers are kept without your "
		    "name"));
		resp_free(r);
		ck_assert_int_eq(http_get_status(anon, "/feedback/"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 404);
		ck_assert_int_eq(http_get_status(anon, "/feedback/short"),
		    404);
		client_free(anon);
	}

	/* Bad answers are refused, and the link stays unspent. */
	r = answer(k[0], qr, "", qc, "Morning talks", qt, "");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select an answer"));
	resp_free(r);
	r = answer(k[0], qr, "7", qc, "Morning talks", qt, "");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select a rating from 1 to 5"));
	resp_free(r);
	r = answer(k[0], qr, "4", qc, "Lunch", qt, "");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select one of the answers"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM feedback_responses",
	    NULL), 0);

	{
		struct opened o;

		open_link(&o, k[0]);
		r = send_answers(&o, qr, "5", qc, "Morning talks", qt,
		    "More time for questions");
		ck_assert_int_eq(r->status, 200);
		ck_assert(resp_has(r, "Your answers are in."));
		resp_free(r);
		/* Once: sent again from the same page, it is refused. */
		r = send_answers(&o, qr, "1", qc, "Afternoon workshops", qt,
		    "Again");
		ck_assert_int_eq(r->status, 409);
		ck_assert(resp_has(r, "this link has been used"));
		resp_free(r);
		opened_free(&o);
		/* And opened again, it says so. */
		o.c = client_new(node);
		r = http_get(o.c, o.path);
		ck_assert_int_eq(r->status, 200);
		ck_assert(resp_has(r, "this link has been used"));
		ck_assert(!resp_has(r, "How useful was the day?"));
		resp_free(r);
		client_free(o.c);
	}
	r = answer(k[1], qr, "3", qc, "Afternoon workshops", qt, "");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	/* An expired link is said to be. */
	{
		struct opened o;

		open_link(&o, k[3]);
		ck_assert_int_eq(node_exec(node, "UPDATE feedback_links SET"
		    " expires = now() - interval '1 second' WHERE registration"
		    " = (SELECT id FROM registrations WHERE email = $1)", 1,
		    (const char *[]){ to[3] }), 1);
		r = send_answers(&o, qr, "2", qc, "Morning talks", qt, "");
		ck_assert_int_eq(r->status, 410);
		ck_assert(resp_has(r, "This link has expired"));
		resp_free(r);
		opened_free(&o);
	}

	/* Two responses, naming nobody and holding no time of day. */
	ck_assert_int_eq(num("SELECT count(*) FROM feedback_responses WHERE"
	    " event = $1 AND registration IS NULL", id), 2);
	ck_assert_int_eq(num("SELECT count(*) FROM feedback_answers", NULL),
	    5);

	/* The results are the answers given. */
	snprintf(path, sizeof(path), "/events/%s/feedback/results", id);
	ck_assert_int_eq(http_get_status(m, path), 403);
	r = http_get(co, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(resp_has(r, "The form went to <span>4</span> people and "
	    "<span>2</span> answered (<span>50%</span>)"), "%s", r->body);
	ck_assert(resp_has(r, "2 answers; the average rating is 4.0 out of "
	    "5."));
	ck_assert(resp_has(r, "More time for questions"));
	ck_assert(resp_has(r, "1 written answer"));
	ck_assert(resp_has(r, "Citizen or patient (50%)"));
	ck_assert(resp_has(r, "GP or primary care (100%)"));
	ck_assert(resp_has(r, "Not given (0%)"));
	resp_free(r);

	/* The spreadsheet: a row per response, a column per question. */
	snprintf(path, sizeof(path), "/events/%s/feedback/results.csv", id);
	r = http_get(co, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(resp_has(r, "Response,Date,How useful was the day?,"
	    "Which session helped most?,What should we change?\r\n"),
	    "%s", r->body);
	ck_assert(resp_has(r, ",5,Morning talks,More time for questions\r\n"));
	ck_assert(resp_has(r, ",3,Afternoon workshops,\r\n"));
	resp_free(r);

	/* The summary for the library: figures, never the written words. */
	snprintf(path, sizeof(path), "/events/%s/feedback/publish", id);
	r = http_get(co, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "The form went to 4 people and 2 answered "
	    "(50%)."));
	ck_assert(resp_has(r, "- 5 (excellent): 1"));
	ck_assert(resp_has(r, "- Afternoon workshops: 1"));
	ck_assert(!resp_has(r, "More time for questions"));
	resp_free(r);
	r = form_post(co, path, path, "title", "What people said about the "
	    "learning day", "body", "Most found it useful.", NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(r->location);
	ck_assert(strstr(r->location, "/library/what-people-said") != NULL);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM documents WHERE title ="
	    " 'What people said about the learning day' AND category ="
	    " 'case_study' AND body = 'Most found it useful.'", NULL), 1);

	for (i = 0; i < 4; i++)
		free(k[i]);
	free(qr);
	free(qc);
	free(qt);
	client_free(co);
	client_free(m);
	free(id);
}
END_TEST

/* Threads sending one link's answers at once. */
struct sender {
	struct opened	 o;
	const char	*q;
	long		 status;
	pthread_barrier_t *go;
};

static void *
send_once(void *arg)
{
	struct sender *s = arg;
	struct resp *r;

	pthread_barrier_wait(s->go);
	r = send_answers(&s->o, s->q, "4", s->q, "4", s->q, "4");
	s->status = r->status;
	resp_free(r);
	return NULL;
}

START_TEST(test_a_link_sent_at_once_many_times_answers_once)
{
	enum { N = 12 };
	char *id = event_with("Commissioners' round table", 1);
	struct client *co = client_as(node, COORD, coord_pw);
	struct sender s[N];
	pthread_t t[N];
	pthread_barrier_t go;
	char to[96], *key, *q;
	int i, ok = 0, used = 0;

	resp_free(form(co, id, "qkind", "rating", "label", "Worth it?", NULL));
	event_over(id);
	resp_free(form(co, id, "send", "yes", NULL));
	address(to, sizeof(to), id, 1);
	key = key_sent(to);
	ck_assert_ptr_nonnull(key);
	q = question_id(id, "Worth it?");
	pthread_barrier_init(&go, NULL, N);
	for (i = 0; i < N; i++) {
		s[i].q = q;
		s[i].status = 0;
		s[i].go = &go;
		/* Each opened the page before anyone sent it. */
		open_link(&s[i].o, key);
	}
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(pthread_create(&t[i], NULL, send_once, &s[i]),
		    0);
	}
	for (i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		ok += s[i].status == 200;
		used += s[i].status == 409;
		opened_free(&s[i].o);
	}
	pthread_barrier_destroy(&go);
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(used, N - 1);
	ck_assert_int_eq(num("SELECT count(*) FROM feedback_responses WHERE"
	    " event = $1", id), 1);
	free(q);
	free(key);
	client_free(co);
	free(id);
}
END_TEST

START_TEST(test_a_named_form_says_so_and_shows_who)
{
	char *id = event_with("Social care forum", 2);
	struct client *co = client_as(node, COORD, coord_pw);
	char to[96], path[128], *key, *q;
	struct resp *r;

	resp_free(form(co, id, "qkind", "text", "label", "Anything else?",
	    NULL));
	r = form(co, id, "named", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	/* Only the people who came are asked, when check-in was used. */
	ck_assert_int_eq(node_exec(node, "UPDATE registrations SET attended"
	    " = now() WHERE event = $1 AND name = 'Person 2'", 1,
	    (const char *[]){ id }), 1);
	event_over(id);
	r = form(co, id, "send", "yes", NULL);
	ck_assert(resp_has(r, "The form was sent to 1 person."));
	resp_free(r);
	address(to, sizeof(to), id, 1);
	ck_assert_ptr_null(key_sent(to));
	address(to, sizeof(to), id, 2);
	key = key_sent(to);
	ck_assert_ptr_nonnull(key);
	snprintf(path, sizeof(path), "/feedback/%s", key);
	{
		struct client *anon = client_new(node);

		r = http_get(anon, path);
		ck_assert(resp_has(r, "The organisers will see your name"));
		resp_free(r);
		client_free(anon);
	}
	q = question_id(id, "Anything else?");
	r = answer(key, q, "Good venue", q, "Good venue", q, "Good venue");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	snprintf(path, sizeof(path), "/events/%s/feedback/results", id);
	r = http_get(co, path);
	ck_assert(resp_has(r, "<span>Good venue</span><span> (<span>Person 2"
	    "</span>)</span>"));
	resp_free(r);
	free(q);
	free(key);
	client_free(co);
	free(id);
}
END_TEST

/*
 * Once an event is over its node counts who came, by group, keeps it
 * with the event (for its entry) and shows it on the region's mix; a
 * late check-in changes the count.
 */
START_TEST(test_the_mix_counts_who_came_by_group)
{
	char *id = event_with("Voluntary sector showcase", 4);
	struct client *anon = client_new(node);
	struct resp *r;

	ck_assert_int_eq(node_exec(node, "UPDATE registrations SET"
	    " stakeholder = CASE name WHEN 'Person 1' THEN 'vcse'"
	    " WHEN 'Person 2' THEN 'vcse' WHEN 'Person 3' THEN 'academic'"
	    " END WHERE event = $1", 1, (const char *[]){ id }), 4);
	event_over(id);
	ck_assert(node_wait(node, "SELECT attendance ="
	    " 'vcse=2,academic=1,none=1' FROM events WHERE id = $1", id,
	    10000));
	r = http_get(anon, "/mix");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Our region's mix"));
	ck_assert(resp_has(r, "Who came to events, by stakeholder group"));
	ck_assert(resp_has(r, "Who came, by quarter and group"));
	ck_assert(resp_has(r, "Voluntary and community sector"));
	resp_free(r);
	/* One of them is checked in after all: only they count now. */
	ck_assert_int_eq(node_exec(node, "UPDATE registrations SET attended ="
	    " now() WHERE event = $1 AND name = 'Person 3'", 1,
	    (const char *[]){ id }), 1);
	ck_assert(node_wait(node, "SELECT attendance = 'academic=1' FROM"
	    " events WHERE id = $1", id, 10000));
	/* And the event's entry says so, for every node. */
	ck_assert(node_wait(node, "SELECT entry LIKE"
	    " '%<acorn:attendance>academic=1</acorn:attendance>%'"
	    " FROM events WHERE id = $1", id, 10000));
	ck_assert_int_ge(num("SELECT version FROM events WHERE id = $1", id),
	    2);
	client_free(anon);
	free(id);
}
END_TEST

/*
 * A member who answered a named form and then erases their account
 * leaves the answer with no name on it.  (Last: the member goes.)
 */
START_TEST(test_erasing_an_account_unnames_its_feedback)
{
	char *id = event_with("Erasure round table", 1), *left;
	struct client *m = client_as(node, MEMBER, member_pw);
	struct resp *r;

	ck_assert_int_eq(node_exec(node, "WITH reg AS (SELECT g.registration"
	    " FROM place_types pt, accounts a, acorn_register(pt.id, a.id,"
	    " 'Mo Member', a.email, NULL, 1, false, 'erase-test') g"
	    " WHERE pt.event = $1 AND a.email = $2),"
	    " f AS (INSERT INTO feedback_forms (event, named, sent)"
	    " VALUES ($1, true, now()) RETURNING event),"
	    " q AS (INSERT INTO feedback_questions (event, kind, label)"
	    " SELECT event, 'text', 'Anything else?' FROM f RETURNING id),"
	    " s AS (INSERT INTO feedback_responses (event, registration)"
	    " SELECT $1, registration FROM reg RETURNING id)"
	    " INSERT INTO feedback_answers (response, question, value)"
	    " SELECT s.id, q.id, 'Mo: more of this' FROM s, q", 2,
	    (const char *[]){ id, MEMBER }), 1);
	r = form_post(m, "/profile/erase", "/profile/erase", "password",
	    member_pw, "confirm", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Your account has been erased"));
	resp_free(r);
	left = node_sql(node, "SELECT a.value || ' / ' ||"
	    " (s.registration IS NULL)::text FROM feedback_answers a"
	    " JOIN feedback_responses s ON s.id = a.response"
	    " WHERE s.event = $1", id);
	ck_assert_ptr_nonnull(left);
	ck_assert_str_eq(left, "Mo: more of this / true");
	free(left);
	client_free(m);
	free(id);
}
END_TEST

Suite *
feedback_suite(void)
{
	Suite *s = suite_create("feedback");
	TCase *tc = tcase_create("feedback");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc,
	    test_links_work_once_answers_are_anonymous_and_results_match);
	tcase_add_test(tc, test_a_link_sent_at_once_many_times_answers_once);
	tcase_add_test(tc, test_a_named_form_says_so_and_shows_who);
	tcase_add_test(tc, test_the_mix_counts_who_came_by_group);
	tcase_add_test(tc, test_erasing_an_account_unnames_its_feedback);
	suite_add_tcase(s, tc);
	return s;
}
