/*
 * The database pool's spare connections, against a real database: the
 * connections after the first that a burst opened are closed once they
 * have had nothing to do for the time asked, and never sooner; the first
 * stays, and a connection in use is never closed; and a connection
 * opened again afterwards works, and still hears of its own commits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "core.h"
#include "harness.h"

Suite	*pool_suite(void);

/*
 * The connections the node's pools have to its database now: those
 * named as the node names them (db_connect), other than the one asking.
 * The node does not serve, so they are this suite's pool's.
 */
static long
backends(struct node *n)
{
	return node_num(n, "SELECT count(*) FROM pg_stat_activity"
	    " WHERE datname = current_database() AND application_name = $1"
	    " AND pid <> pg_backend_pid()", "acorn");
}

/*
 * The count of backends once it is want, or what it still is after five
 * seconds: a backend whose client said goodbye leaves pg_stat_activity
 * when its process has finished, a moment after the close returned.
 */
static long
backends_become(struct node *n, long want)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };
	long have;
	int i;

	for (i = 0; (have = backends(n)) != want && i < 250; i++)
		nanosleep(&pause, NULL);
	return have;
}

static struct db_pool *
pool_for(struct node *n, int size)
{
	char info[512];

	snprintf(info, sizeof(info), "host=%s user=acorn dbname=%s",
	    getenv("ACORN_TEST_PGHOST"), n->db);
	return db_pool_new(info, size);
}

/* The number a one-value query on d answers. */
static long
ask(struct db *d, const char *sql)
{
	PGresult *r;
	long v = -1;

	if ((r = db_query(d, PGRES_TUPLES_OK, sql, 0, NULL)) != NULL) {
		if (PQntuples(r) == 1 && db_value(r, 0, 0) != NULL)
			v = strtol(db_value(r, 0, 0), NULL, 10);
		PQclear(r);
	}
	return v;
}

/*
 * Three connections opened by three holders at once, then given back:
 * asked to close those idle an hour, none goes; asked to close those
 * idle at all, the second and third go and the first stays.  Taken again,
 * each works, two on new backends.
 */
START_TEST(test_spare_connections_close_when_idle)
{
	struct node *n = node_new("Pool node", NULL);
	struct db_pool *pool;
	struct db *d[3];
	long pid[3];
	int i;

	ck_assert_ptr_nonnull(n);
	ck_assert_ptr_nonnull(pool = pool_for(n, 3));
	for (i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(d[i] = db_acquire(pool));
		pid[i] = ask(d[i], "SELECT pg_backend_pid()");
		ck_assert_int_gt(pid[i], 0);
	}
	for (i = 0; i < 3; i++)
		db_release(pool, d[i]);
	ck_assert_int_eq(backends_become(n, 3), 3);

	/*
	 * Just given back, so not idle an hour: taken again, each is on
	 * the backend it had (the pool hands out its lowest free first).
	 */
	db_pool_close_idle(pool, 3600);
	for (i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(d[i] = db_acquire(pool));
		ck_assert_int_eq(ask(d[i], "SELECT pg_backend_pid()"), pid[i]);
	}
	for (i = 0; i < 3; i++)
		db_release(pool, d[i]);

	db_pool_close_idle(pool, 0);
	ck_assert_int_eq(backends_become(n, 1), 1);

	/* The first free connection is the one kept, its backend unchanged. */
	ck_assert_ptr_nonnull(d[0] = db_acquire(pool));
	ck_assert_int_eq(ask(d[0], "SELECT pg_backend_pid()"), pid[0]);
	/* The others open again when a burst needs them, and work. */
	for (i = 1; i < 3; i++) {
		ck_assert_ptr_nonnull(d[i] = db_acquire(pool));
		ck_assert_int_ne(ask(d[i], "SELECT pg_backend_pid()"), pid[i]);
		ck_assert_int_eq(ask(d[i], "SELECT 41 + 1"), 42);
	}
	ck_assert_int_eq(backends_become(n, 3), 3);
	for (i = 0; i < 3; i++)
		db_release(pool, d[i]);
	db_pool_free(pool);
	ck_assert_int_eq(backends_become(n, 0), 0);
	node_free(n);
}
END_TEST

/*
 * A connection in use is not closed however long since it was last
 * given back, and keeps its backend and its transaction.
 */
START_TEST(test_connection_in_use_stays_open)
{
	struct node *n = node_new("Pool busy node", NULL);
	struct db_pool *pool;
	struct db *first, *held;
	long pid;

	ck_assert_ptr_nonnull(n);
	ck_assert_ptr_nonnull(pool = pool_for(n, 2));
	ck_assert_ptr_nonnull(first = db_acquire(pool));
	ck_assert_ptr_nonnull(held = db_acquire(pool));
	pid = ask(held, "SELECT pg_backend_pid()");
	ck_assert_int_eq(db_begin(held), 0);
	ck_assert_int_eq(db_exec(held, "CREATE TEMPORARY TABLE kept (x int)"
	    " ON COMMIT DROP", 0, NULL), 0);
	db_release(pool, first);

	db_pool_close_idle(pool, 0);
	ck_assert_int_eq(backends_become(n, 2), 2);
	ck_assert_int_eq(ask(held, "SELECT pg_backend_pid()"), pid);
	ck_assert_int_eq(ask(held, "SELECT count(*) FROM kept"), 0);
	ck_assert_int_eq(db_commit(held), 0);
	db_release(pool, held);

	/* Given back now: the next call closes it. */
	db_pool_close_idle(pool, 0);
	ck_assert_int_eq(backends_become(n, 1), 1);
	db_pool_free(pool);
	node_free(n);
}
END_TEST

/*
 * A write through a pool's connection moves the data version when it
 * commits, not before and not when it is rolled back, and one to what
 * sessions hold moves the sessions' version: the process sees what it
 * wrote on its very next request, before any notification comes round.
 * No connection of the pool LISTENs (which had PostgreSQL signal every
 * one of them at every commit); one opened again hears its own writes
 * all the same.
 */
START_TEST(test_own_writes_move_the_versions_when_committed)
{
	struct node *n = node_new("Pool writes node", NULL);
	static const char add[] = "INSERT INTO glossary_terms (id, origin,"
	    " term, definition) SELECT gen_random_uuid(), id, $1, 'Said.'"
	    " FROM node";
	struct db_pool *pool;
	struct db *a, *b;
	uint64_t v, sv;

	ck_assert_ptr_nonnull(n);
	ck_assert_ptr_nonnull(pool = pool_for(n, 2));
	ck_assert_ptr_nonnull(a = db_acquire(pool));
	ck_assert_ptr_nonnull(b = db_acquire(pool));
	ck_assert_int_eq(ask(b,
	    "SELECT count(*) FROM pg_listening_channels()"), 0);

	/* Read only: nothing moves. */
	v = db_data_version();
	ck_assert_int_eq(ask(a, "SELECT count(*) FROM glossary_terms"), 0);
	ck_assert_uint_eq(db_data_version(), v);

	/* Written: it moves at the commit, not before. */
	ck_assert_int_eq(db_begin(a), 0);
	ck_assert_int_eq(db_exec(a, add, 1, (const char *[]){ "Kept" }), 0);
	ck_assert_uint_eq(db_data_version(), v);
	ck_assert_int_eq(db_commit(a), 0);
	ck_assert_uint_gt(db_data_version(), v);

	/* Rolled back: nothing moves. */
	v = db_data_version();
	ck_assert_int_eq(db_begin(a), 0);
	ck_assert_int_eq(db_exec(a, add, 1, (const char *[]){ "Undone" }),
	    0);
	db_rollback(a);
	ck_assert_uint_eq(db_data_version(), v);
	ck_assert_int_eq(ask(b, "SELECT count(*) FROM glossary_terms"), 1);

	/* A session's account changed: the sessions' version moves. */
	sv = db_sessions_version();
	ck_assert_int_eq(db_exec(a, "UPDATE accounts SET role = role", 0,
	    NULL), 0);
	ck_assert_uint_gt(db_sessions_version(), sv);

	/* Closed and opened again: its own write, in one statement. */
	db_release(pool, b);
	db_pool_close_idle(pool, 0);
	ck_assert_int_eq(backends_become(n, 1), 1);
	ck_assert_ptr_nonnull(b = db_acquire(pool));
	v = db_data_version();
	ck_assert_int_eq(db_exec(b, add, 1, (const char *[]){ "Again" }), 0);
	ck_assert_uint_gt(db_data_version(), v);
	ck_assert_int_eq(ask(b,
	    "SELECT count(*) FROM pg_listening_channels()"), 0);
	db_release(pool, b);
	db_release(pool, a);
	db_pool_free(pool);
	node_free(n);
}
END_TEST

Suite *
pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_spare_connections_close_when_idle);
	tcase_add_test(tc, test_connection_in_use_stays_open);
	tcase_add_test(tc, test_own_writes_move_the_versions_when_committed);
	suite_add_tcase(s, tc);
	return s;
}
