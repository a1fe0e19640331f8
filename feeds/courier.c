/*
 * The courier inside `acorn serve`: delivers what inbox.c owes other
 * nodes.  Members' requests (and cancellations) go to the hosts of
 * their events; outcomes go back to members' home nodes.  One thread,
 * asleep on the acorn_courier notification or until the next retry is
 * due; each try that fails waits longer (doubling to 15 minutes, with
 * jitter), so a node that is down is neither hammered nor forgotten.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core.h"
#include "federation.h"

#define SEND_TIMEOUT	10L	/* seconds for one POST */
#define BATCH_ROWS	20	/* rows taken at a time, each way */
#define STR_(x)		#x
#define STR(x)		STR_(x)
#define BATCH		STR(BATCH_ROWS)
#define IDLE_MS		30000
#define ERROR_MS	2000

struct courier {
	const struct config *cfg;
	const struct signer *signer;
	struct db_pool	*pool;
	struct db	*db;
	CURL		*curl;
	pthread_t	 thread;
	atomic_int	 stop;
	int		 wake[2];
};

/*
 * Takes up to a batch of due rows, putting each one's next try a minute
 * off so that a request being answered elsewhere (the member's own
 * page) is not sent twice meanwhile.
 */
static const char due_away[] =
    "WITH due AS (SELECT id FROM away_registrations"
    " WHERE delivered < version AND next_attempt <= now()"
    " ORDER BY next_attempt LIMIT " BATCH " FOR UPDATE SKIP LOCKED)"
    " UPDATE away_registrations a SET next_attempt = now() +"
    " interval '1 minute' FROM due WHERE a.id = due.id RETURNING a.id";

enum { DA_ID };

static const char due_outcomes[] =
    "WITH due AS (SELECT home, request FROM inbox_requests"
    " WHERE delivered < out_version AND next_attempt <= now()"
    " ORDER BY next_attempt LIMIT " BATCH " FOR UPDATE SKIP LOCKED)"
    " UPDATE inbox_requests i SET next_attempt = now() +"
    " interval '1 minute' FROM due WHERE i.home = due.home"
    " AND i.request = due.request RETURNING i.home, i.request";

enum { DO_HOME, DO_REQUEST };

/* One round of deliveries: 1 when a batch was full, -1 on failure. */
static int
courier_round(struct courier *k)
{
	PGresult *res;
	int i, n, full = 0, rc = -1;

	if ((res = db_query(k->db, PGRES_TUPLES_OK, due_away, 0, NULL)) ==
	    NULL)
		return -1;
	n = PQntuples(res);
	full |= n == BATCH_ROWS;
	for (i = 0; i < n && !atomic_load(&k->stop); i++)
		if (away_send(k->db, k->signer, k->curl,
		    PQgetvalue(res, i, DA_ID), SEND_TIMEOUT) == -1)
			goto done;
	PQclear(res);
	if ((res = db_query(k->db, PGRES_TUPLES_OK, due_outcomes, 0,
	    NULL)) == NULL)
		return -1;
	n = PQntuples(res);
	full |= n == BATCH_ROWS;
	for (i = 0; i < n && !atomic_load(&k->stop); i++)
		if (outcome_send(k->db, k->signer, k->curl,
		    PQgetvalue(res, i, DO_HOME), PQgetvalue(res, i, DO_REQUEST),
		    SEND_TIMEOUT) == -1)
			goto done;
	rc = full;
done:
	PQclear(res);
	return rc;
}

/* Milliseconds until the next try is due; NULL when nothing waits. */
static const char due_in_query[] =
    "SELECT ceil(extract(epoch FROM min(t) - now()) * 1000) FROM ("
    " SELECT min(next_attempt) AS t FROM away_registrations"
    "  WHERE delivered < version"
    " UNION ALL SELECT min(next_attempt) FROM inbox_requests"
    "  WHERE delivered < out_version) u";

enum { DUE_MS };

/* Milliseconds until the next try is due, at most IDLE_MS. */
static long
courier_due_in(struct courier *k)
{
	PGresult *res;
	long ms = IDLE_MS;

	res = db_query(k->db, PGRES_TUPLES_OK, due_in_query, 0, NULL);
	if (res == NULL)
		return ERROR_MS;
	if (!PQgetisnull(res, 0, DUE_MS))
		ms = strtol(PQgetvalue(res, 0, DUE_MS), NULL, 10);
	PQclear(res);
	if (ms < 0)
		ms = 0;
	return ms > IDLE_MS ? IDLE_MS : ms;
}

/* Sleeps until something is due, notified, or the courier stops. */
static void
courier_wait(struct courier *k, long ms)
{
	PGnotify *note;

	worker_wait(k->wake[0], k->db, ms);
	if (k->db != NULL && PQconsumeInput(db_conn(k->db)) == 1)
		while ((note = PQnotifies(db_conn(k->db))) != NULL)
			PQfreemem(note);
}

static void *
courier_run(void *arg)
{
	struct courier *k = arg;
	int rc;

	while (!atomic_load(&k->stop)) {
		if (k->db == NULL) {
			if ((k->db = db_acquire(k->pool)) == NULL ||
			    db_exec(k->db, "LISTEN acorn_courier", 0,
			    NULL) == -1) {
				db_release(k->pool, k->db);
				k->db = NULL;
				courier_wait(k, ERROR_MS);
				continue;
			}
		}
		if ((rc = courier_round(k)) == -1) {
			if (PQstatus(db_conn(k->db)) != CONNECTION_OK) {
				db_release(k->pool, k->db);
				k->db = NULL;
			}
			courier_wait(k, ERROR_MS);
			continue;
		}
		if (rc == 0)
			courier_wait(k, courier_due_in(k));
	}
	db_release(k->pool, k->db);
	k->db = NULL;
	return NULL;
}

struct courier *
courier_start(const struct config *c, const struct signer *sg)
{
	struct courier *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->cfg = c;
	k->signer = sg;
	k->wake[0] = k->wake[1] = -1;
	if (pipe2(k->wake, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    (k->curl = curl_easy_init()) == NULL ||
	    (k->pool = db_pool_new(c->database, 1)) == NULL ||
	    pthread_create(&k->thread, NULL, courier_run, k) != 0) {
		log_err("cannot start the courier");
		if (k->wake[0] != -1) {
			close(k->wake[0]);
			close(k->wake[1]);
		}
		if (k->curl != NULL)
			curl_easy_cleanup(k->curl);
		db_pool_free(k->pool);
		free(k);
		return NULL;
	}
	return k;
}

void
courier_stop(struct courier *k)
{
	if (k == NULL)
		return;
	atomic_store(&k->stop, 1);
	if (write(k->wake[1], "x", 1) == -1)
		log_warn("cannot wake the courier");
	pthread_join(k->thread, NULL);
	close(k->wake[0]);
	close(k->wake[1]);
	curl_easy_cleanup(k->curl);
	db_pool_free(k->pool);
	free(k);
}
