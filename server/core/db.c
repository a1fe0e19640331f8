/*
 * PostgreSQL access: a fixed pool of libpq connections shared by the HTTP
 * threads, parameterised queries only, and schema migrations.  A lost
 * connection is re-established on next use, so a database restart costs
 * 503s while it lasts and nothing more.
 *
 * Each connection prepares every statement it runs the first time it
 * runs it, and from then on only executes it: PostgreSQL then neither
 * parses it again nor, once it has seen that a plan for any parameters
 * does as well, plans it again.  Parsing and planning had been most of
 * what a registration cost the database.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

/*
 * The statements a connection has prepared: an open-addressed table by
 * the text's hash, never more than half full; a statement past that is
 * run unprepared.  Each is named by a number never used twice in this
 * process.
 */
#define DB_STMT_SLOTS	1024

struct db_stmt {
	char		*sql;		/* NULL: a free slot */
	uint64_t	 hash;
	unsigned long	 name;
};

struct db {
	PGconn	*conn;
	int	 wrote;		/* WROTE_*: what its transaction wrote */
	int	 busy;
	time_t	 released;	/* when last given back (CLOCK_MONOTONIC) */
	char	 state[6];	/* SQLSTATE of the last failure */
	struct db_stmt *stmts;	/* DB_STMT_SLOTS, for conn; or NULL */
	int	 nstmts;
	unsigned int marks;	/* DB_MARK_*: what its users set up on conn */
};

struct db_pool {
	char		*conninfo;
	struct db	*dbs;
	int		 n;
	pthread_mutex_t	 lock;
	pthread_cond_t	 freed;
};

/*
 * What a connection's transaction wrote, as the schema's triggers say
 * in a DEBUG message (acorn_data_changed, acorn_sessions_changed): the
 * versions move once it commits.
 */
#define WROTE_DATA	1
#define WROTE_SESSIONS	2

static atomic_ulong errors;
/*
 * The data version: moved by every committed change to what pages show
 * that this process learns of (notify.c says how), and the notifications
 * of such changes counted.
 */
static atomic_uint_fast64_t data_version = 1;
static atomic_ulong data_notifications;
/*
 * The sessions' version: moved whenever a session may have ended or its
 * account changed (signed out, a password reset, a role or a name
 * changed), so that a session kept in memory is read again.
 */
static atomic_uint_fast64_t sessions_version = 1;
static atomic_ulong sessions_notifications;
static atomic_int statement_timeout;	/* seconds; 0: none */
/* What every new connection asks first (db_on_connect); NULL: nothing. */
static const char *_Atomic connect_sql;
static atomic_ulong statement_names;
static atomic_ulong statements_prepared;

/* Forgets what d's connection prepared: it is closing, or lost them. */
static void
stmts_forget(struct db *d)
{
	int i;

	for (i = 0; d->stmts != NULL && i < DB_STMT_SLOTS; i++)
		free(d->stmts[i].sql);
	free(d->stmts);
	d->stmts = NULL;
	d->nstmts = 0;
	d->marks = 0;
}

/*
 * Whether mark (DB_MARK_*) is set on d's connection: what a user of it
 * set up there (statements of its own, say), forgotten with what the
 * core prepared, when the connection closes or loses them.
 */
int
db_marked(const struct db *d, unsigned int mark)
{
	return (d->marks & mark) != 0;
}

void
db_mark(struct db *d, unsigned int mark, int on)
{
	if (on)
		d->marks |= mark;
	else
		d->marks &= ~mark;
}

/* Closes d's connection, and forgets what it prepared. */
static void
db_close(struct db *d)
{
	PQfinish(d->conn);
	d->conn = NULL;
	stmts_forget(d);
}

static uint64_t
stmt_hash(const char *sql)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (; *sql != '\0'; sql++)
		h = (h ^ (unsigned char)*sql) * 0x100000001b3ULL;
	return h;
}

/*
 * The name sql is prepared under on d's connection, preparing it now if
 * it is not yet; NULL when it is not (the table is full: run it
 * unprepared).  When preparing it failed, *failed is PostgreSQL's
 * answer, which the caller reports as the statement's.
 */
static const char *
stmt_prepared(struct db *d, const char *sql, int n, char name[32],
    PGresult **failed)
{
	uint64_t h = stmt_hash(sql);
	size_t i;
	PGresult *r;
	int ok;

	if (d->stmts == NULL &&
	    (d->stmts = calloc(DB_STMT_SLOTS, sizeof(*d->stmts))) == NULL)
		return NULL;
	for (i = h & (DB_STMT_SLOTS - 1); d->stmts[i].sql != NULL;
	    i = (i + 1) & (DB_STMT_SLOTS - 1))
		if (d->stmts[i].hash == h && strcmp(d->stmts[i].sql, sql) == 0) {
			snprintf(name, 32, "acorn_%lu", d->stmts[i].name);
			return name;
		}
	if (d->nstmts >= DB_STMT_SLOTS / 2 ||
	    (d->stmts[i].sql = util_strdup(sql)) == NULL)
		return NULL;
	d->stmts[i].hash = h;
	d->stmts[i].name = atomic_fetch_add(&statement_names, 1);
	snprintf(name, 32, "acorn_%lu", d->stmts[i].name);
	r = PQprepare(d->conn, name, sql, n, NULL);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok) {
		free(d->stmts[i].sql);
		d->stmts[i].sql = NULL;
		*failed = r;
		return NULL;
	}
	PQclear(r);
	d->nstmts++;
	atomic_fetch_add(&statements_prepared, 1);
	return name;
}

/* Statements prepared by every connection so far, for /metrics. */
unsigned long
db_statements_prepared(void)
{
	return atomic_load(&statements_prepared);
}

/*
 * How long any statement on a connection made from now on may run:
 * set once, from the configuration, before the first connection.
 */
/*
 * A statement every connection opened from now on runs before anything
 * else, its answer read and dropped; a connection on which it fails is
 * closed and not used.  For acorn_stream(), which must see each
 * database a node is connected to (a promoted replica after failover,
 * a restored one) before any feed is read from it.
 */
void
db_on_connect(const char *sql)
{
	atomic_store(&connect_sql, sql);
}

void
db_statement_timeout(int seconds)
{
	atomic_store(&statement_timeout, seconds);
}

/* Something may have changed: whatever was kept before is old. */
void
db_data_changed(void)
{
	atomic_fetch_add(&data_version, 1);
}

/* A session may have ended or changed: every one kept is read again. */
void
db_sessions_changed(void)
{
	atomic_fetch_add(&sessions_version, 1);
}

uint64_t
db_sessions_version(void)
{
	return atomic_load(&sessions_version);
}

unsigned long
db_sessions_notifications(void)
{
	return atomic_load(&sessions_notifications);
}

uint64_t
db_data_version(void)
{
	return atomic_load(&data_version);
}

unsigned long
db_data_notifications(void)
{
	return atomic_load(&data_notifications);
}

/*
 * Counts the notifications waiting on c, which LISTENs on acorn_data
 * and acorn_sessions, and frees them: acorn_sessions moves the sessions'
 * version, anything else the data version.
 */
int
db_notifies(PGconn *c)
{
	PGnotify *n;
	int count = 0, sessions = 0;

	while ((n = PQnotifies(c)) != NULL) {
		if (strcmp(n->relname, "acorn_sessions") == 0)
			sessions++;
		else
			count++;
		PQfreemem(n);
	}
	if (sessions > 0) {
		atomic_fetch_add(&sessions_notifications,
		    (unsigned long)sessions);
		db_sessions_changed();
	}
	if (count > 0) {
		atomic_fetch_add(&data_notifications, (unsigned long)count);
		db_data_changed();
	}
	return count + sessions;
}

unsigned long
db_errors(void)
{
	return atomic_load(&errors);
}

PGconn *
db_connect(const char *conninfo)
{
	const char *keys[] = { "dbname", "connect_timeout",
	    "application_name", NULL };
	const char *vals[] = { conninfo, "5", "acorn", NULL };
	char timeout[24];
	const char *sql;
	PGconn *c;
	PGresult *r;

	c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		log_err("cannot connect: %s",
		    c ? PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		atomic_fetch_add(&errors, 1);
		return NULL;
	}
	/*
	 * A fixed search_path, so no schema a user can write shadows ours;
	 * and a statement_timeout, so that no query (a lock waited on, a
	 * plan gone wrong) holds a request thread or a worker for ever.
	 */
	snprintf(timeout, sizeof(timeout), "%ds",
	    atomic_load(&statement_timeout));
	r = PQexecParams(c, "SELECT pg_catalog.set_config('search_path', "
	    "'public, pg_catalog', false), "
	    "pg_catalog.set_config('TimeZone', 'UTC', false), "
	    "pg_catalog.set_config('statement_timeout', $1, false)", 1, NULL,
	    (const char *[]){ timeout }, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_err("cannot set search_path: %s", PQerrorMessage(c));
		PQclear(r);
		PQfinish(c);
		atomic_fetch_add(&errors, 1);
		return NULL;
	}
	PQclear(r);
	if ((sql = atomic_load(&connect_sql)) != NULL) {
		r = PQexec(c, sql);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			log_err("%s: %s", sql, PQerrorMessage(c));
			PQclear(r);
			PQfinish(c);
			atomic_fetch_add(&errors, 1);
			return NULL;
		}
		PQclear(r);
	}
	return c;
}

static time_t
monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

struct db_pool *
db_pool_new(const char *conninfo, int n)
{
	struct db_pool *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->dbs = calloc((size_t)n, sizeof(*p->dbs))) == NULL ||
	    (p->conninfo = util_strdup(conninfo)) == NULL) {
		free(p->dbs);
		free(p);
		return NULL;
	}
	p->n = n;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	return p;
}

void
db_pool_free(struct db_pool *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		db_close(&p->dbs[i]);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	free(p->dbs);
	free(p->conninfo);
	free(p);
}

/*
 * A message from the server.  The schema's triggers say so in one (a
 * DEBUG one, which the pool's connections ask for) when a statement
 * writes what pages show (acorn_data) or what sessions hold
 * (acorn_sessions): noted, to move the versions once the transaction
 * commits (db_settle), so that what is written through this process is
 * seen on its very next request, before the notification that tells
 * every process comes round (notify.c).  Noting it costs nothing;
 * listening on every connection, as before, had PostgreSQL signal each
 * of them at every commit anywhere.  Other notices are logged, other
 * DEBUG messages passed over.
 */
static void
db_notice(void *arg, const PGresult *res)
{
	struct db *d = arg;
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *level = PQresultErrorField(res,
	    PG_DIAG_SEVERITY_NONLOCALIZED);

	if (msg != NULL && strcmp(msg, "acorn_data") == 0)
		d->wrote |= WROTE_DATA;
	else if (msg != NULL && strcmp(msg, "acorn_sessions") == 0)
		d->wrote |= WROTE_SESSIONS;
	else if (level == NULL || strcmp(level, "DEBUG") != 0)
		log_info("%s", PQresultErrorMessage(res));
}

/*
 * Once d's transaction is over: moves the versions for what it wrote if
 * it committed, forgets it either way.
 */
static void
db_settle(struct db *d)
{
	if (d->wrote == 0 || PQtransactionStatus(d->conn) != PQTRANS_IDLE)
		return;
	if (d->wrote & WROTE_SESSIONS)
		db_sessions_changed();
	if (d->wrote & WROTE_DATA)
		db_data_changed();
	d->wrote = 0;
}

/*
 * Closes the connections after the pool's first that have not been used
 * for idle seconds or more.  The pool hands out its lowest free
 * connection first, so the others are only opened by a burst of
 * concurrent requests; once it is over, each holds libpq's buffers (grown
 * to the largest message it carried, never shrunk) here and a backend
 * in PostgreSQL for nothing.  A later burst opens them again.  The first
 * stays, so a quiet node's next request waits for no connection.
 */
void
db_pool_close_idle(struct db_pool *p, int idle)
{
	PGconn *closing;
	time_t now = monotonic_seconds();
	int i;

	for (i = 1; i < p->n; i++) {
		closing = NULL;
		pthread_mutex_lock(&p->lock);
		if (!p->dbs[i].busy && p->dbs[i].conn != NULL &&
		    now - p->dbs[i].released >= idle) {
			closing = p->dbs[i].conn;
			p->dbs[i].conn = NULL;
			stmts_forget(&p->dbs[i]);
		}
		pthread_mutex_unlock(&p->lock);
		/* Outside the lock: saying goodbye is a write to a socket. */
		PQfinish(closing);
	}
}

/*
 * Takes a free connection, waiting up to five seconds for one, and makes
 * sure it is alive.  NULL means the caller answers 503.
 */
struct db *
db_acquire(struct db_pool *p)
{
	return db_acquire_within(p, 5);
}

/*
 * db_acquire, waiting at most seconds for a free connection (0: only
 * one free now, for what can do without).
 */
struct db *
db_acquire_within(struct db_pool *p, int seconds)
{
	struct timespec until;
	struct db *d = NULL;
	int i;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		for (i = 0; i < p->n; i++)
			if (!p->dbs[i].busy) {
				d = &p->dbs[i];
				d->busy = 1;
				break;
			}
		if (d != NULL)
			break;
		if (seconds <= 0 || pthread_cond_timedwait(&p->freed,
		    &p->lock, &until) == ETIMEDOUT) {
			pthread_mutex_unlock(&p->lock);
			if (seconds > 0)
				log_warn("no database connection free after"
				    " %ds", seconds);
			return NULL;
		}
	}
	pthread_mutex_unlock(&p->lock);

	if (d->conn != NULL && PQstatus(d->conn) != CONNECTION_OK)
		db_close(d);
	if (d->conn == NULL) {
		d->wrote = 0;
		if ((d->conn = db_connect(p->conninfo)) == NULL) {
			db_release(p, d);
			return NULL;
		}
		PQsetNoticeReceiver(d->conn, db_notice, d);
		/* The triggers' messages are DEBUG ones (schema/047). */
		if (db_exec(d, "SET client_min_messages = debug1", 0,
		    NULL) == -1) {
			db_close(d);
			db_release(p, d);
			return NULL;
		}
	}
	return d;
}

void
db_release(struct db_pool *p, struct db *d)
{
	if (d == NULL)
		return;
	/* A connection left inside a transaction would poison the next user. */
	if (d->conn != NULL && PQtransactionStatus(d->conn) != PQTRANS_IDLE) {
		PGresult *r = PQexec(d->conn, "ROLLBACK");
		PQclear(r);
		if (PQtransactionStatus(d->conn) != PQTRANS_IDLE)
			db_close(d);
	}
	pthread_mutex_lock(&p->lock);
	d->busy = 0;
	d->released = monotonic_seconds();
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

/*
 * Gives a connection back closed: for one that may hold a session lock
 * it could not let go of, which closing lets go.
 */
void
db_discard(struct db_pool *p, struct db *d)
{
	if (d == NULL)
		return;
	db_close(d);
	db_release(p, d);
}

PGconn *
db_conn(struct db *d)
{
	return d->conn;
}

/* 1 when the last statement failed on a unique constraint. */
int
db_duplicate(const struct db *d)
{
	return strcmp(d->state, "23505") == 0;
}

/* The SQLSTATE of the last failed statement, "" after a success. */
const char *
db_state(const struct db *d)
{
	return d->state;
}

/*
 * A failed answer r to sql: its SQLSTATE kept, and logged unless it is
 * an answer rather than a failure.  Unique violations and Acorn's own
 * refusals (class AC, raised by the schema's functions) are answers.
 * A deadlock or a serialization failure is a failure the person sees
 * (nothing retries it), and says which statement lost.
 */
static void
db_failed(struct db *d, const PGresult *r, const char *sql)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	if (state != NULL)
		snprintf(d->state, sizeof(d->state), "%s", state);
	if (state == NULL || (strcmp(state, "23505") != 0 &&
	    strncmp(state, "AC", 2) != 0)) {
		log_err("%s: %.80s", r != NULL ? PQresultErrorMessage(r) :
		    PQerrorMessage(d->conn), sql);
		atomic_fetch_add(&errors, 1);
	}
	/* Its prepared statements gone (DISCARD ALL, say): forgotten. */
	if (state != NULL && strcmp(state, "26000") == 0)
		stmts_forget(d);
}

/*
 * Runs one statement with $n parameters and checks the result against the
 * status expected.  NULL on any other outcome, logged once here.
 */
PGresult *
db_query(struct db *d, ExecStatusType want, const char *sql, int n,
    const char *const *params)
{
	PGresult *r = NULL;
	const char *name, *lost;
	char buf[32];

	d->state[0] = '\0';
	name = stmt_prepared(d, sql, n, buf, &r);
	if (r == NULL && name != NULL) {
		r = PQexecPrepared(d->conn, name, n, params, NULL, NULL, 0);
		/*
		 * Its prepared statements gone (DISCARD ALL, say): forgotten
		 * here too, and, outside a transaction, run again.
		 */
		lost = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (lost != NULL && strcmp(lost, "26000") == 0) {
			stmts_forget(d);
			if (PQtransactionStatus(d->conn) == PQTRANS_IDLE) {
				PQclear(r);
				r = PQexecParams(d->conn, sql, n, NULL, params,
				    NULL, NULL, 0);
			}
		}
	} else if (r == NULL)
		r = PQexecParams(d->conn, sql, n, NULL, params, NULL, NULL, 0);
	/* What a transaction that ended here wrote moves the versions. */
	db_settle(d);
	if (PQresultStatus(r) != want) {
		db_failed(d, r, sql);
		PQclear(r);
		return NULL;
	}
	return r;
}

/*
 * Runs steps st[0] .. st[n - 1] in order, in one round trip (libpq's
 * pipeline mode), each prepared once per connection as db_query's
 * statements are: res[i] holds each answer of the status its step
 * wants, and none runs after one that fails (res[i] NULL from it on).
 * The index of the first that failed, n when none did; -1 when the
 * connection failed (and every res[i] is NULL).  Statements a
 * transaction needs the answers of before it goes on take a round trip
 * each; those that do not can go together.
 */
long
db_batch(struct db *d, const struct db_step *st, size_t n, PGresult **res)
{
	char names[DB_BATCH_MAX][32];
	const char *name[DB_BATCH_MAX];
	PGresult *r, *failed_prepare;
	ExecStatusType status;
	size_t i, sent;
	long failed = (long)n;
	int broken = 0;

	if (n > DB_BATCH_MAX)
		return -1;
	d->state[0] = '\0';
	for (i = 0; i < n; i++) {
		res[i] = NULL;
		failed_prepare = NULL;
		name[i] = stmt_prepared(d, st[i].sql, st[i].n, names[i],
		    &failed_prepare);
		if (failed_prepare != NULL) {
			db_failed(d, failed_prepare, st[i].sql);
			PQclear(failed_prepare);
			return (long)i;
		}
	}
	if (PQenterPipelineMode(d->conn) != 1)
		return -1;
	for (sent = 0; sent < n; sent++)
		if ((name[sent] != NULL ? PQsendQueryPrepared(d->conn,
		    name[sent], st[sent].n, st[sent].params, NULL, NULL, 0) :
		    PQsendQueryParams(d->conn, st[sent].sql, st[sent].n, NULL,
		    st[sent].params, NULL, NULL, 0)) != 1)
			break;
	if (sent < n || PQpipelineSync(d->conn) != 1)
		broken = 1;
	for (i = 0; i < sent; i++)
		while ((r = PQgetResult(d->conn)) != NULL) {
			status = PQresultStatus(r);
			if (status == st[i].want && res[i] == NULL &&
			    failed == (long)n) {
				res[i] = r;
				continue;
			}
			if (failed == (long)n) {
				failed = (long)i;
				if (status != PGRES_PIPELINE_ABORTED)
					db_failed(d, r, st[i].sql);
			}
			PQclear(r);
		}
	if (!broken) {
		r = PQgetResult(d->conn);
		broken = PQresultStatus(r) != PGRES_PIPELINE_SYNC;
		PQclear(r);
	}
	if (PQexitPipelineMode(d->conn) != 1 || broken) {
		for (i = 0; i < sent; i++) {
			PQclear(res[i]);
			res[i] = NULL;
		}
		log_err("%s", PQerrorMessage(d->conn));
		atomic_fetch_add(&errors, 1);
		return -1;
	}
	for (i = (size_t)failed; i < n; i++) {
		PQclear(res[i]);
		res[i] = NULL;
	}
	/* What a transaction that ended here wrote moves the versions. */
	db_settle(d);
	return failed;
}

int
db_exec(struct db *d, const char *sql, int n, const char *const *params)
{
	PGresult *r;

	if ((r = db_query(d, PGRES_COMMAND_OK, sql, n, params)) == NULL)
		return -1;
	PQclear(r);
	return 0;
}

/* Runs a SELECT for what the functions it calls do; its rows go. */
int
db_call(struct db *d, const char *sql, int n, const char *const *params)
{
	PGresult *r;

	if ((r = db_query(d, PGRES_TUPLES_OK, sql, n, params)) == NULL)
		return -1;
	PQclear(r);
	return 0;
}

/* Runs one statement; how many rows it changed, or -1. */
long
db_changes(struct db *d, const char *sql, int n, const char *const *params)
{
	PGresult *r;
	long rows;

	if ((r = db_query(d, PGRES_COMMAND_OK, sql, n, params)) == NULL)
		return -1;
	rows = strtol(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return rows;
}

int
db_begin(struct db *d)
{
	return db_exec(d, "BEGIN", 0, NULL);
}

/* Commits; the versions move for what it wrote (db_settle). */
int
db_commit(struct db *d)
{
	return db_exec(d, "COMMIT", 0, NULL);
}

void
db_rollback(struct db *d)
{
	PGresult *r;

	if (PQtransactionStatus(d->conn) == PQTRANS_IDLE)
		return;
	r = PQexec(d->conn, "ROLLBACK");
	PQclear(r);
	d->wrote = 0;	/* none of it stands */
}

int
db_ping(struct db *d)
{
	PGresult *r;

	if ((r = db_query(d, PGRES_TUPLES_OK, "SELECT 1", 0, NULL)) == NULL)
		return -1;
	PQclear(r);
	return 0;
}

/* A column as a string, or NULL when SQL says NULL. */
const char *
db_value(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return PQgetvalue(r, row, col);
}
