/*
 * The database goes away under load and comes back, as in a restart of
 * PostgreSQL or a failover: every connection of the node is cut, and
 * for two seconds no new one is let in.  Requests in flight then fail
 * cleanly (never a 500, nothing half written), members who press
 * Register again until it goes through hold one registration each, the
 * node serves again within seconds of the database, and its background
 * work (signing) carries on by itself.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "harness.h"

Suite	*outage_suite(void);

#define COORD		"coordinator@north-west.example.org"
#define TEMPLATE	"template@north-west.example.org"
#define MEMBERS		64
#define THREADS		8
#define READERS		4
#define TRIES		200	/* a member's presses of Register, at most */

static struct node *node;
static char *event_id;
static char *member_pw;
static atomic_int statuses[600];
static atomic_int registered;	/* members through, so far */
static atomic_int stop;

static void
pause_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

static void
count(const struct resp *r)
{
	atomic_fetch_add(&statuses[r != NULL && r->status > 0 &&
	    r->status < 600 ? r->status : 0], 1);
}

/*
 * A member signs in and registers as a person would when the site
 * fails: press again, a moment later, until an answer comes.
 */
static void
member_registers(int i)
{
	char email[64];
	struct client *c = NULL;
	struct reg_form f;
	struct resp *r;
	long status;
	int t, signed_in = 0, opened = 0;

	snprintf(email, sizeof(email), "outage.%d@storm.example.org", i);
	for (t = 0; t < TRIES && !signed_in; t++) {
		client_free(c);
		c = client_new(node);
		if (!(signed_in = sign_in(c, email, member_pw)))
			pause_ms(50);
	}
	ck_assert_msg(signed_in, "%s never signed in", email);
	memset(&f, 0, sizeof(f));
	for (t = 0; t < TRIES && !opened; t++) {
		status = reg_form_try(c, event_id, &f);
		atomic_fetch_add(&statuses[status > 0 && status < 600 ?
		    status : 0], 1);
		if (!(opened = status == 200))
			pause_ms(50);
	}
	ck_assert_msg(opened, "%s never saw the event", email);
	for (t = 0; t < TRIES; t++) {
		r = reg_form_send(c, &f, "places", "1", NULL);
		count(r);
		if (r != NULL && r->status == 200) {
			resp_free(r);
			break;
		}
		resp_free(r);
		pause_ms(50);
	}
	ck_assert_msg(t < TRIES, "%s never got through", email);
	atomic_fetch_add(&registered, 1);
	reg_form_free(&f);
	client_free(c);
}

static void *
registrar(void *arg)
{
	int k = *(int *)arg, i;

	for (i = k; i < MEMBERS; i += THREADS) {
		member_registers(i + 1);
		pause_ms(40);
	}
	return NULL;
}

/* Reads pages until told to stop: what a browsing visitor sees. */
static void *
reader(void *arg)
{
	struct client *c = client_new(node);
	char path[128];
	struct resp *r;
	int n;

	(void)arg;
	snprintf(path, sizeof(path), "/events/%s", event_id);
	for (n = 0; n < 20000 && !atomic_load(&stop); n++) {
		r = http_get(c, n % 2 ? path : "/events");
		count(r);
		resp_free(r);
		pause_ms(10);
	}
	client_free(c);
	return NULL;
}

static void
outage(const char *db, long ms)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "ALTER DATABASE %s ALLOW_CONNECTIONS"
	    " false", db);
	ck_assert_int_eq(admin_sql(sql), 0);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(pid) FROM"
	    " pg_stat_activity WHERE datname = '%s'", db);
	ck_assert_int_eq(admin_sql(sql), 0);
	pause_ms(ms);
	snprintf(sql, sizeof(sql), "ALTER DATABASE %s ALLOW_CONNECTIONS"
	    " true", db);
	ck_assert_int_eq(admin_sql(sql), 0);
}

START_TEST(test_the_database_goes_away_under_load)
{
	pthread_t reg[THREADS], rd[READERS];
	int ids[THREADS], i, waited;
	struct client *co, *c;
	struct resp *r;
	char *coord_pw, *term;
	struct timespec back, now;

	ck_assert_ptr_nonnull(node = node_new("Outage node",
	    "sync_interval = 1"));
	ck_assert_ptr_nonnull(coord_pw = node_user_add(node, COORD,
	    "coordinator"));
	ck_assert_ptr_nonnull(member_pw = node_user_add(node, TEMPLATE,
	    "member"));
	ck_assert_int_eq(node_serve(node), 0);
	ck_assert_int_eq(node_members_add(node, "outage", MEMBERS, TEMPLATE,
	    "storm.example.org"), MEMBERS);
	co = client_as(node, COORD, coord_pw);
	event_id = event_new_published(co, "Outage conference", "40");
	ck_assert_ptr_nonnull(event_id);

	for (i = 0; i < READERS; i++)
		ck_assert_int_eq(pthread_create(&rd[i], NULL, reader, NULL), 0);
	for (i = 0; i < THREADS; i++) {
		ids[i] = i;
		ck_assert_int_eq(pthread_create(&reg[i], NULL, registrar,
		    &ids[i]), 0);
	}
	/* The outage comes once the storm is under way. */
	for (waited = 0; waited < 2000 && atomic_load(&registered) < 4;
	    waited++)
		pause_ms(5);
	ck_assert_int_lt(atomic_load(&registered), MEMBERS);
	outage(node->db, 2000);
	clock_gettime(CLOCK_MONOTONIC, &back);

	/* Serving again within seconds of the database. */
	c = client_new(node);
	for (waited = 0; waited < 100; waited++) {
		r = http_get(c, "/healthz");
		i = r != NULL && r->status == 200;
		resp_free(r);
		if (i)
			break;
		pause_ms(100);
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	ck_assert_msg(waited < 100, "not serving 10 s after the database");
	ck_assert_int_lt(now.tv_sec - back.tv_sec, 10);
	client_free(c);

	for (i = 0; i < THREADS; i++)
		pthread_join(reg[i], NULL);
	atomic_store(&stop, 1);
	for (i = 0; i < READERS; i++)
		pthread_join(rd[i], NULL);

	/* The outage was felt, and never as a 500. */
	ck_assert_int_gt(atomic_load(&statuses[503]) +
	    atomic_load(&statuses[0]), 0);
	ck_assert_int_eq(atomic_load(&statuses[500]), 0);
	ck_assert_int_eq(atomic_load(&registered), MEMBERS);
	/* Each member once, and the places counted as they are held. */
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM registrations"
	    " WHERE event = $1 AND status IN ('confirmed', 'waiting')",
	    event_id), MEMBERS);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM (SELECT account"
	    " FROM registrations WHERE event = $1 GROUP BY account"
	    " HAVING count(*) > 1) x", event_id), 0);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM registrations"
	    " WHERE event = $1 AND status = 'confirmed'", event_id), 40);
	ck_assert_int_eq(node_num(node, "SELECT taken FROM place_types WHERE"
	    " event = $1", event_id), 40);
	/* The background work carries on: a change is signed. */
	term = node_sql(node, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'After the outage', 'Signed all the same.') RETURNING id", NULL);
	ck_assert_ptr_nonnull(term);
	ck_assert(node_wait(node, "SELECT NOT pending FROM glossary_terms"
	    " WHERE id = $1", term, 20000));

	free(term);
	client_free(co);
	free(coord_pw);
	free(member_pw);
	free(event_id);
	node_free(node);
	node = NULL;
}
END_TEST

Suite *
outage_suite(void)
{
	Suite *s = suite_create("outage");
	TCase *tc = tcase_create("outage");

	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_the_database_goes_away_under_load);
	suite_add_tcase(s, tc);
	return s;
}
