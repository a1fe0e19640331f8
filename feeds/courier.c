/*
 * The courier inside `acorn serve`: delivers what inbox.c owes other
 * nodes.  Members' requests (and cancellations) go to the hosts of
 * their events; outcomes go back to members' home nodes; reports and
 * referral outcomes about the directory's listings go to the listings'
 * home nodes.
 *
 * Deliveries are queued per peer: a few hands (courier_workers threads,
 * each with its own database connection and libcurl handle, which keeps
 * its connections to peers open from one delivery to the next) take
 * peers' due rows a batch at a time, under a session advisory lock on
 * one of the peer's slots.  A peer has one slot fewer than there are
 * hands (and at least one), so a storm of registrations for one host
 * goes out over several connections at once, while a peer that hangs
 * can never hold every hand.  Rows are leased as they are taken, so no
 * two hands send the same one; the order between versions of one
 * request is the receiver's to keep (a version older than the one it
 * holds is a replay, docs/protocol.md section 8).  The first delivery a
 * peer does not answer ends that hand's turn and puts the whole peer off
 * (courier_peers: doubling to 15 minutes, with jitter), so a peer that
 * is slow or hangs holds its hands for at most one delivery's timeout
 * per turn, and gets fewer turns the longer it is silent, while the
 * other hands serve everyone else.  A hand sleeps on the acorn_courier
 * notification, until the next try is due, or until another hand
 * finishes a turn and frees a slot.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core.h"
#include "federation.h"

#define BATCH		"20"	/* rows of one peer taken at a time */
#define PEERS		"64"	/* due peers looked at in one round */
#define IDLE_MS		30000
#define ERROR_MS	2000
/*
 * Every slot of every due peer was taken: a hand of this process wakes
 * the others as it frees one; this bounds the wait for another
 * process's.
 */
#define BUSY_MS		1000

struct courier;

/* One hand: a thread delivering to one peer at a time. */
struct hand {
	struct courier	*k;
	struct db	*db;
	CURL		*curl;
	pthread_t	 thread;
	int		 started;
	int		 wake[2];
};

struct courier {
	const struct config *cfg;
	const struct signer *signer;
	struct db_pool	*pool;
	struct hand	*hands;
	int		 n;
	int		 slots;		/* hands one peer may have at once */
	atomic_int	 stop;
};

/*
 * The peers with something due and not put off for want of an answer,
 * the longest waiting first.
 */
static const char due_peers[] =
    "SELECT peer FROM ("
    " SELECT host AS peer, min(next_attempt) AS t FROM away_registrations"
    "  WHERE delivered < version AND next_attempt <= now() GROUP BY host"
    " UNION ALL SELECT home, min(next_attempt) FROM inbox_requests"
    "  WHERE delivered < out_version AND next_attempt <= now()"
    "  GROUP BY home"
    " UNION ALL SELECT home, min(next_attempt) FROM directory_notes"
    "  WHERE next_attempt <= now() GROUP BY home) d"
    " WHERE NOT EXISTS (SELECT 1 FROM courier_peers c"
    "  WHERE c.peer = d.peer AND c.next_attempt > now())"
    " GROUP BY peer ORDER BY min(t) LIMIT " PEERS;

enum { DP_PEER };

/*
 * Takes up to a batch of peer $1's due rows, putting each one's next
 * try a minute off so that no other hand (or process, should a lock
 * ever be lost with its connection) sends it meanwhile.
 */
static const char due_away[] =
    "WITH due AS (SELECT id FROM away_registrations"
    " WHERE host = $1 AND delivered < version AND next_attempt <= now()"
    " ORDER BY next_attempt LIMIT " BATCH " FOR UPDATE SKIP LOCKED)"
    " UPDATE away_registrations a SET next_attempt = now() +"
    " interval '1 minute' FROM due WHERE a.id = due.id"
    " RETURNING a.id";

enum { DA_ID };

static const char due_outcomes[] =
    "WITH due AS (SELECT home, request FROM inbox_requests"
    " WHERE home = $1 AND delivered < out_version AND next_attempt <= now()"
    " ORDER BY next_attempt LIMIT " BATCH " FOR UPDATE SKIP LOCKED)"
    " UPDATE inbox_requests i SET next_attempt = now() +"
    " interval '1 minute' FROM due WHERE i.home = due.home"
    " AND i.request = due.request RETURNING i.home, i.request";

enum { DO_HOME, DO_REQUEST };

static const char due_notes[] =
    "WITH due AS (SELECT id FROM directory_notes"
    " WHERE home = $1 AND next_attempt <= now()"
    " ORDER BY next_attempt LIMIT " BATCH " FOR UPDATE SKIP LOCKED)"
    " UPDATE directory_notes n SET next_attempt = now() +"
    " interval '1 minute' FROM due WHERE n.id = due.id RETURNING n.id";

enum { DN_ID };

/*
 * Sends one peer's due rows, requests first, then outcomes, then notes.
 * The first one the peer did not answer ends the peer's turn, and puts
 * the whole peer off (acorn_courier_unanswered): the rest wait for its
 * next turn rather than for the same silence again.  1 when all were answered, 0
 * when one was not, -1 when the database failed.
 */
static int
hand_peer(struct hand *h, const char *peer)
{
	struct courier *k = h->k;
	struct courier_call call = { h->curl, k->cfg->courier_timeout,
	    &k->stop };
	const char *p[2] = { peer, NULL };
	PGresult *res;
	int i, n, rc = 1, answered = 0;

	if ((res = db_query(h->db, PGRES_TUPLES_OK, due_away, 1, p)) == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n && rc == 1 && !atomic_load(&k->stop); i++)
		if ((rc = away_send(h->db, k->signer, &call,
		    PQgetvalue(res, i, DA_ID))) == 1)
			answered++;
	PQclear(res);
	if (rc == 1) {
		res = db_query(h->db, PGRES_TUPLES_OK, due_outcomes, 1, p);
		if (res == NULL)
			return -1;
		n = PQntuples(res);
		for (i = 0; i < n && rc == 1 && !atomic_load(&k->stop); i++)
			if ((rc = outcome_send(h->db, k->signer, &call,
			    PQgetvalue(res, i, DO_HOME),
			    PQgetvalue(res, i, DO_REQUEST))) == 1)
				answered++;
		PQclear(res);
	}
	if (rc == 1) {
		res = db_query(h->db, PGRES_TUPLES_OK, due_notes, 1, p);
		if (res == NULL)
			return -1;
		n = PQntuples(res);
		for (i = 0; i < n && rc == 1 && !atomic_load(&k->stop); i++)
			if ((rc = note_send(h->db, k->signer, &call,
			    PQgetvalue(res, i, DN_ID))) == 1)
				answered++;
		PQclear(res);
	}
	/* A try cut short by stopping says nothing of the peer. */
	if (rc == 0 && atomic_load(&k->stop))
		return 0;
	p[1] = answered > 0 ? "t" : "f";
	if (rc == 0 && db_call(h->db, "SELECT acorn_courier_unanswered($1,"
	    " $2::boolean)", 2, p) == -1)
		return -1;
	if (rc == 1 && db_exec(h->db, "DELETE FROM courier_peers"
	    " WHERE peer = $1", 1, p) == -1)
		return -1;
	return rc;
}

/* Wakes the other hands: a slot is free again. */
static void
hand_wake_others(struct hand *h)
{
	struct courier *k = h->k;
	int i;

	/* A full pipe is a hand being woken already. */
	for (i = 0; i < k->n; i++)
		if (&k->hands[i] != h)
			(void)!write(k->hands[i].wake[1], "x", 1);
}

/*
 * One round: the first free slot of a due peer, and that peer's due
 * rows delivered.  1 when a peer was served, 0 when none was due, 2 when
 * every slot of every due peer was another hand's, -1 on failure.
 */
static int
hand_round(struct hand *h)
{
	PGresult *res, *lock;
	const char *p[2];
	char slot[16];
	int i, s, n, got = 0, rc = 0;

	if ((res = db_query(h->db, PGRES_TUPLES_OK, due_peers, 0, NULL)) ==
	    NULL)
		return -1;
	n = PQntuples(res);
	p[1] = slot;
	for (i = 0; i < n && !got; i++) {
		p[0] = PQgetvalue(res, i, DP_PEER);
		for (s = 0; s < h->k->slots && !got; s++) {
			snprintf(slot, sizeof(slot), "%d", s);
			lock = db_query(h->db, PGRES_TUPLES_OK, "SELECT"
			    " pg_try_advisory_lock(" LOCK_COURIER ","
			    " hashtext($1 || '/' || $2))", 2, p);
			if (lock == NULL) {
				rc = -1;
				goto done;
			}
			got = *PQgetvalue(lock, 0, DB_ONLY) == 't';
			PQclear(lock);
		}
	}
	if (!got) {
		rc = n > 0 ? 2 : 0;
		goto done;
	}
	rc = hand_peer(h, p[0]) == -1 ? -1 : 1;
	/* Not unlocked: the caller discards the connection, and the lock. */
	if (db_call(h->db, "SELECT pg_advisory_unlock(" LOCK_COURIER ","
	    " hashtext($1 || '/' || $2))", 2, p) == -1)
		rc = -1;
	hand_wake_others(h);
done:
	PQclear(res);
	return rc;
}

/*
 * Milliseconds until the next try is due, a peer put off counting from
 * its next turn; NULL when nothing waits.
 */
static const char due_in_query[] =
    "SELECT ceil(extract(epoch FROM min(greatest(u.t, c.next_attempt))"
    " - now()) * 1000) FROM ("
    " SELECT host AS peer, min(next_attempt) AS t FROM away_registrations"
    "  WHERE delivered < version GROUP BY host"
    " UNION ALL SELECT home, min(next_attempt) FROM inbox_requests"
    "  WHERE delivered < out_version GROUP BY home"
    " UNION ALL SELECT home, min(next_attempt) FROM directory_notes"
    "  GROUP BY home) u"
    " LEFT JOIN courier_peers c ON c.peer = u.peer";

enum { DUE_MS };

/* Milliseconds until the next try is due, at most IDLE_MS. */
static long
hand_due_in(struct hand *h)
{
	PGresult *res;
	long ms = IDLE_MS;

	res = db_query(h->db, PGRES_TUPLES_OK, due_in_query, 0, NULL);
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
hand_wait(struct hand *h, long ms)
{
	PGnotify *note;

	worker_wait(h->wake[0], h->db, ms);
	if (h->db != NULL && PQconsumeInput(db_conn(h->db)) == 1)
		while ((note = PQnotifies(db_conn(h->db))) != NULL)
			PQfreemem(note);
}

static void *
hand_run(void *arg)
{
	struct hand *h = arg;
	struct courier *k = h->k;
	long ms;
	int rc;

	while (!atomic_load(&k->stop)) {
		if (h->db == NULL) {
			if ((h->db = db_acquire(k->pool)) == NULL ||
			    db_exec(h->db, "LISTEN acorn_courier", 0,
			    NULL) == -1) {
				db_release(k->pool, h->db);
				h->db = NULL;
				hand_wait(h, ERROR_MS);
				continue;
			}
		}
		if ((rc = hand_round(h)) == -1) {
			/*
			 * The connection may still hold a peer's lock (its
			 * unlock failed): closed, it lets the lock go.
			 */
			db_discard(k->pool, h->db);
			h->db = NULL;
			hand_wait(h, ERROR_MS);
			continue;
		}
		if (rc == 1)
			continue;
		ms = hand_due_in(h);
		/*
		 * What is due is being sent by another hand: nothing to do
		 * until it is done, something new is notified, or a while.
		 */
		if (rc == 2 && ms < BUSY_MS)
			ms = BUSY_MS;
		hand_wait(h, ms);
	}
	db_release(k->pool, h->db);
	h->db = NULL;
	return NULL;
}

/* Stops and frees the hands started so far, and the courier. */
static void
courier_free(struct courier *k)
{
	struct hand *h;
	int i;

	atomic_store(&k->stop, 1);
	for (i = 0; i < k->n; i++)
		if (k->hands[i].started &&
		    write(k->hands[i].wake[1], "x", 1) == -1)
			log_warn("cannot wake the courier");
	/* Every hand stopped before any pipe closes: each writes to all. */
	for (i = 0; i < k->n; i++)
		if (k->hands[i].started)
			pthread_join(k->hands[i].thread, NULL);
	for (i = 0; i < k->n; i++) {
		h = &k->hands[i];
		if (h->wake[0] != -1) {
			close(h->wake[0]);
			close(h->wake[1]);
		}
		if (h->curl != NULL)
			curl_easy_cleanup(h->curl);
	}
	free(k->hands);
	db_pool_free(k->pool);
	free(k);
}

struct courier *
courier_start(const struct config *c, const struct signer *sg)
{
	struct courier *k;
	struct hand *h;
	int i;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->cfg = c;
	k->signer = sg;
	k->n = c->courier_workers > 0 ? c->courier_workers : 1;
	k->slots = k->n > 1 ? k->n - 1 : 1;
	if ((k->hands = calloc((size_t)k->n, sizeof(*k->hands))) == NULL) {
		free(k);
		return NULL;
	}
	for (i = 0; i < k->n; i++)
		k->hands[i].wake[0] = k->hands[i].wake[1] = -1;
	if ((k->pool = db_pool_new(c->database, k->n)) == NULL)
		goto fail;
	/* Every hand's pipe first: each hand may wake any other. */
	for (i = 0; i < k->n; i++) {
		h = &k->hands[i];
		h->k = k;
		if (pipe2(h->wake, O_CLOEXEC | O_NONBLOCK) == -1 ||
		    (h->curl = curl_easy_init()) == NULL)
			goto fail;
	}
	for (i = 0; i < k->n; i++) {
		h = &k->hands[i];
		if (pthread_create(&h->thread, NULL, hand_run, h) != 0)
			goto fail;
		h->started = 1;
	}
	return k;
fail:
	log_err("cannot start the courier");
	courier_free(k);
	return NULL;
}

void
courier_stop(struct courier *k)
{
	if (k != NULL)
		courier_free(k);
}
