/*
 * Two `acorn serve` processes on one database, as behind a reverse
 * proxy with two upstreams: a registration storm sent to both oversells
 * nothing and mails everyone once; each change is signed by one of them;
 * when the process pulling a peer is killed outright, the other takes
 * the pull over from where the dead one's last committed page left it,
 * losing and doubling nothing; and a rolling restart, one process at a
 * time, loses no request a proxy sends.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <curl/curl.h>

#include "harness.h"
#include "smtp.h"

Suite	*processes_suite(void);

#define COORD		"coordinator@north-west.example.org"
#define TEMPLATE	"template@north-west.example.org"
#define SETTLE_MS	30000

struct storm {
	struct client	*c;
	struct reg_form	 f;
	struct resp	*answer;
};

struct racer {
	struct storm	  *s;
	int		   n;
	int		   first;
	int		   step;
	pthread_barrier_t *go;
};

static void *
race(void *arg)
{
	struct racer *ra = arg;
	int i;

	pthread_barrier_wait(ra->go);
	for (i = ra->first; i < ra->n; i += ra->step)
		ra->s[i].answer = reg_form_send(ra->s[i].c, &ra->s[i].f,
		    "places", "1", NULL);
	return NULL;
}

/* Sum of a counter over both processes. */
static long
both(struct node *a, struct node *b, const char *metric)
{
	long x = node_metric(a, metric), y = node_metric(b, metric);

	ck_assert_int_ge(x, 0);
	ck_assert_int_ge(y, 0);
	return x + y;
}

/*
 * 60 people for 20 places, half of them through each process, all at
 * once; then ten changes, each signed by one process alone.
 */
START_TEST(test_two_processes_share_a_storm)
{
	enum { N = 60, CAP = 20, THREADS = 30, CHANGES = 10 };
	struct smtp *sink = smtp_new();
	struct node *a, *b;
	struct storm *s = calloc(N, sizeof(*s));
	struct racer ra[THREADS];
	pthread_t t[THREADS];
	pthread_barrier_t go;
	struct client *co;
	char settings[256], email[64], *coord_pw, *member_pw, *id, *term;
	long placed = 0, sent, mails, before, i;

	ck_assert_ptr_nonnull(sink);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(smtp_listen(sink), 0);
	snprintf(settings, sizeof(settings), "smtp_url = smtp://127.0.0.1:%d\n"
	    "mail_from = events@north-west.example.org\nmail_retry = 1\n"
	    "public_url = http://acorn.north-west.example.org\n",
	    smtp_port(sink));
	ck_assert_ptr_nonnull(a = node_new("Two-process node", settings));
	ck_assert_ptr_nonnull(coord_pw = node_user_add(a, COORD,
	    "coordinator"));
	ck_assert_ptr_nonnull(member_pw = node_user_add(a, TEMPLATE,
	    "member"));
	ck_assert_ptr_nonnull(b = node_twin(a, 2));
	ck_assert_int_eq(node_serve(a), 0);
	ck_assert_int_eq(node_serve(b), 0);
	ck_assert_int_eq(node_members_add(a, "storm", N, TEMPLATE,
	    "storm.example.org"), N);

	co = client_as(a, COORD, coord_pw);
	id = event_new_published(co, "Two-process conference", "20");
	ck_assert_ptr_nonnull(id);
	/* Half the people are served by each process. */
	for (i = 0; i < N; i++) {
		snprintf(email, sizeof(email), "storm.%ld@storm.example.org",
		    i + 1);
		s[i].c = client_as(i % 2 == 0 ? a : b, email, member_pw);
		reg_form_open(s[i].c, id, &s[i].f);
	}
	pthread_barrier_init(&go, NULL, THREADS);
	for (i = 0; i < THREADS; i++) {
		ra[i] = (struct racer){ s, N, (int)i, THREADS, &go };
		ck_assert_int_eq(pthread_create(&t[i], NULL, race, &ra[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	for (i = 0; i < N; i++) {
		ck_assert_ptr_nonnull(s[i].answer);
		ck_assert_int_eq(s[i].answer->status, 200);
		placed += resp_has(s[i].answer, "You have a place");
	}
	/* Nobody oversold: as many told they have a place as places. */
	ck_assert_int_eq(placed, CAP);
	ck_assert_int_eq(node_num(a, "SELECT count(*) FROM registrations"
	    " WHERE event = $1 AND status = 'confirmed'", id), CAP);
	ck_assert_int_eq(node_num(a, "SELECT count(*) FROM registrations"
	    " WHERE event = $1 AND status = 'waiting'", id), N - CAP);
	ck_assert_int_eq(node_num(a, "SELECT taken FROM place_types"
	    " WHERE event = $1", id), CAP);

	/* Each change signed once, by whichever process took it. */
	before = both(a, b, "acorn_federation_signed_total");
	term = node_sql(a, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'Upstream', 'Version 0.') RETURNING id", NULL);
	ck_assert_ptr_nonnull(term);
	for (i = 1; i <= CHANGES; i++) {
		ck_assert(node_wait(a, "SELECT NOT pending FROM glossary_terms"
		    " WHERE id = $1", term, SETTLE_MS));
		if (i == CHANGES)
			break;
		snprintf(email, sizeof(email), "Version %ld.", i);
		ck_assert_int_eq(node_exec(a, "UPDATE glossary_terms SET"
		    " definition = $2 WHERE id = $1", 2,
		    (const char *[]){ term, email }), 1);
	}
	ck_assert_int_eq(both(a, b, "acorn_federation_signed_total") - before,
	    CHANGES);

	/*
	 * Every mail once: once the outbox is empty and both processes
	 * have stopped (a stop finishes what is being sent), the sink has
	 * exactly what the outbox sent, and nobody got the same one twice.
	 */
	ck_assert(node_wait(a, "SELECT count(*) > 0 AND count(sent) = count(*)"
	    " FROM outbox", NULL, SETTLE_MS));
	sent = node_num(a, "SELECT count(*) FROM outbox", NULL);
	ck_assert_int_ge(sent, CAP);
	ck_assert_int_eq(node_stop(a), 0);
	ck_assert_int_eq(node_stop(b), 0);
	mails = smtp_count(sink);
	ck_assert_int_eq(mails, sent);
	ck_assert_int_eq(node_num(a, "SELECT count(*) FROM (SELECT recipient,"
	    " subject FROM outbox GROUP BY 1, 2 HAVING count(*) > 1) x", NULL),
	    0);

	for (i = 0; i < N; i++) {
		reg_form_free(&s[i].f);
		resp_free(s[i].answer);
		client_free(s[i].c);
	}
	free(s);
	client_free(co);
	free(id);
	free(term);
	free(coord_pw);
	free(member_pw);
	node_twin_free(b);
	node_free(a);
	smtp_free(sink);
}
END_TEST

/* Whether some process holds the lock on pulling a peer, on n's database. */
static long
pull_locks(struct node *n)
{
	return node_num(n, "SELECT count(*) FROM pg_locks WHERE"
	    " locktype = 'advisory' AND granted AND classid = $1::oid",
	    "7234018");
}

/*
 * The process pulling a peer is killed in the middle of the pull, the
 * peer stalled so that the pull cannot have finished: the other process
 * takes the pull over, from the last page the dead one committed.
 */
START_TEST(test_the_other_process_takes_a_pull_over)
{
	enum { TERMS = 3000 };
	struct node *peer, *a, *b;
	char *origin, cursor[24];
	long at, rest, merged;
	int i;

	ck_assert_ptr_nonnull(peer = node_new("Busy peer",
	    "region = London\nsync_interval = 1"));
	ck_assert_int_eq(node_serve(peer), 0);
	ck_assert_int_eq(node_exec(peer, "INSERT INTO glossary_terms (id,"
	    " origin, term, definition) SELECT gen_random_uuid(), (SELECT id"
	    " FROM node), 'Term ' || g, repeat('Long enough to weigh. ', 20)"
	    " FROM generate_series(1, $1::integer) g", 1,
	    (const char *[]){ "3000" }), TERMS);
	ck_assert(node_wait(peer, "SELECT NOT EXISTS (SELECT 1 FROM"
	    " glossary_terms WHERE pending)", NULL, SETTLE_MS));
	origin = node_sql(peer, "SELECT id FROM node", NULL);
	ck_assert_ptr_nonnull(origin);

	ck_assert_ptr_nonnull(a = node_new("Puller", "sync_interval = 1"));
	ck_assert_ptr_nonnull(b = node_twin(a, 2));
	ck_assert_int_eq(node_serve(a), 0);
	ck_assert_int_eq(node_peer(a, peer, 0), 0);
	/* A page merged: the peer stops answering, mid-pull. */
	for (i = 0; i < 2000 && node_num(a, "SELECT count(*) FROM"
	    " glossary_terms WHERE origin = $1", origin) == 0; i++)
		nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
	kill(peer->pid, SIGSTOP);
	ck_assert_int_lt(node_num(a, "SELECT count(*) FROM glossary_terms"
	    " WHERE origin = $1", origin), TERMS);
	ck_assert_int_eq(pull_locks(a), 1);

	/* The second process starts, and the first dies holding the pull. */
	ck_assert_int_eq(node_serve(b), 0);
	node_kill(a);
	kill(peer->pid, SIGCONT);
	at = node_num(a, "SELECT coalesce(max(c.seq), 0) FROM peer_cursors c"
	    " JOIN peers p ON p.id = c.peer WHERE p.node = $1"
	    " AND c.collection = 'glossary'", origin);
	snprintf(cursor, sizeof(cursor), "%ld", at);
	rest = node_numv(peer, "SELECT count(*) FROM glossary_terms"
	    " WHERE seq > $1::bigint", 1, (const char *[]){ cursor });
	ck_assert_int_gt(rest, 0);

	ck_assert_msg(node_wait(a, "SELECT count(*) = 3000 FROM glossary_terms"
	    " WHERE origin = $1", origin, SETTLE_MS), "the pull was not taken"
	    " over");
	/* The rest, exactly: nothing merged twice, nothing skipped. */
	merged = node_metric(b, "acorn_federation_merged_total");
	ck_assert_int_eq(merged, rest);
	ck_assert_int_eq(node_num(a, "SELECT count(DISTINCT seq) FROM"
	    " glossary_terms WHERE origin = $1", origin), TERMS);

	free(origin);
	node_twin_free(b);
	node_free(a);
	node_free(peer);
}
END_TEST

/* What a proxy in front of two processes saw, as nginx would retry. */
struct proxy {
	struct node	*up[2];
	atomic_int	 stop;
	atomic_long	 answered;	/* 200s */
	atomic_long	 retried;	/* sent to the other process */
	atomic_long	 dropped;	/* no answer, or not a 200 */
	atomic_long	 last_status;
};

/*
 * Requests through a proxy with two upstreams: each to the next process
 * in turn, on a connection of its own, and when that process cannot be
 * reached (restarting) or closes the connection before answering, to
 * the other, as nginx's proxy_next_upstream (error) does for a GET.  An
 * error answered, or no answer from either, is a request dropped.
 */
static void *
proxied(void *arg)
{
	struct proxy *px = arg;
	struct client *c[2];
	struct resp *r;
	int n, k, t;

	for (k = 0; k < 2; k++) {
		c[k] = client_new(px->up[k]);
		client_header(c[k], "Connection: close");
	}
	for (n = 0; n < 100000 && !atomic_load(&px->stop); n++) {
		for (t = 0; t < 4; t++) {
			k = (n + t) % 2;
			client_free(c[k]);
			c[k] = client_new(px->up[k]);
			client_header(c[k], "Connection: close");
			r = http_get(c[k], "/events");
			if (r != NULL && r->status == -1 &&
			    (r->failure == CURLE_COULDNT_CONNECT ||
			    r->failure == CURLE_RECV_ERROR ||
			    r->failure == CURLE_GOT_NOTHING)) {
				resp_free(r);
				atomic_fetch_add(&px->retried, 1);
				continue;
			}
			if (r != NULL && r->status == 200)
				atomic_fetch_add(&px->answered, 1);
			else {
				atomic_fetch_add(&px->dropped, 1);
				atomic_store(&px->last_status,
				    r != NULL ? r->status : 0);
			}
			resp_free(r);
			break;
		}
		if (t == 4)
			atomic_fetch_add(&px->dropped, 1);
	}
	client_free(c[0]);
	client_free(c[1]);
	return NULL;
}

/* Restarts one process on its port, and waits until it serves. */
static void
restart(struct node *n)
{
	struct client *c;
	struct resp *r;
	int port = node_port(n), i, up = 0;

	ck_assert_int_eq(node_stop(n), 0);
	ck_assert_int_eq(node_serve_port(n, port), 0);
	c = client_new(n);
	for (i = 0; i < 200 && !up; i++) {
		r = http_get(c, "/healthz");
		up = r != NULL && r->status == 200;
		resp_free(r);
	}
	client_free(c);
	ck_assert(up);
}

/*
 * A rolling restart, one process at a time, under a steady load through
 * a proxy that retries what never reached a process: no request is
 * lost, and none is answered with an error.
 */
START_TEST(test_a_rolling_restart_drops_no_request)
{
	enum { THREADS = 4 };
	struct proxy px;
	struct node *a, *b;
	pthread_t t[THREADS];
	long before;
	int i;

	memset(&px, 0, sizeof(px));
	ck_assert_ptr_nonnull(a = node_new("Rolling node",
	    "connections_per_address = 0"));
	ck_assert_ptr_nonnull(b = node_twin(a, 2));
	ck_assert_int_eq(node_serve(a), 0);
	ck_assert_int_eq(node_serve(b), 0);
	px.up[0] = a;
	px.up[1] = b;
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, proxied, &px), 0);
	/* Under way before the first process is stopped. */
	for (i = 0; i < 2000 && atomic_load(&px.answered) < 50; i++)
		nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
	restart(a);
	before = atomic_load(&px.answered);
	restart(b);
	for (i = 0; i < 2000 && atomic_load(&px.answered) < before + 50; i++)
		nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
	atomic_store(&px.stop, 1);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);

	ck_assert_msg(atomic_load(&px.dropped) == 0, "%ld dropped (last %ld),"
	    " %ld answered", atomic_load(&px.dropped),
	    atomic_load(&px.last_status), atomic_load(&px.answered));
	/* Each restart was felt, and went to the other process. */
	ck_assert_int_gt(atomic_load(&px.retried), 0);
	ck_assert_int_gt(atomic_load(&px.answered), 100);
	node_twin_free(b);
	node_free(a);
}
END_TEST

Suite *
processes_suite(void)
{
	Suite *s = suite_create("processes");
	TCase *tc = tcase_create("processes");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_two_processes_share_a_storm);
	tcase_add_test(tc, test_the_other_process_takes_a_pull_over);
	tcase_add_test(tc, test_a_rolling_restart_drops_no_request);
	suite_add_tcase(s, tc);
	return s;
}
