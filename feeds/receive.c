/*
 * Pushes (docs/protocol.md, section 7.1), the receiving side: a peer's
 * page of a change, signed for this node.  Every entry is verified as a
 * pull verifies it and merged, and the cursor moves when the page
 * starts where this node stands; otherwise (a push lost on the way, a
 * pull running) the entries are merged all the same and the peer is
 * pulled.
 *
 * Anyone can send a push; only a peer's key makes one that is read,
 * and then it says no more than the sender's own feed would, so a push
 * sent again later moves nothing backward (a record's version only
 * goes up, and the cursor only from where the page starts).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "federation.h"
#include "fed_internal.h"

/*
 * Pushes a peer may send this process: PUSH_BURST at once, then
 * PUSH_RATE a second.  A peer sends one an announcement, and a busy
 * one announces less often, not more (each announcement covers all
 * since the last), so an honest peer stays far under it; past it, a
 * push is refused and becomes the ping it replaced, which is spaced as
 * pings are.  What a compromised peer's pushes can cost is bounded so.
 */
#define PUSH_BURST	60
#define PUSH_RATE	20
#define PUSH_PEERS	64		/* peers with a bucket in memory */

static struct {
	long long	 peer;
	double		 tokens;
	double		 at;		/* seconds, CLOCK_MONOTONIC */
} buckets[PUSH_PEERS];
static pthread_mutex_t buckets_lock = PTHREAD_MUTEX_INITIALIZER;

/* Takes a push from peer's bucket: 0, or -1 when it is empty. */
static int
push_allowed(long long peer)
{
	struct timespec ts;
	double now;
	size_t i, free_at = PUSH_PEERS, oldest = 0;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	pthread_mutex_lock(&buckets_lock);
	for (i = 0; i < PUSH_PEERS; i++) {
		if (buckets[i].peer == peer)
			break;
		if (buckets[i].peer == 0 && free_at == PUSH_PEERS)
			free_at = i;
		if (buckets[i].at < buckets[oldest].at)
			oldest = i;
	}
	if (i == PUSH_PEERS) {
		/* A new one, full; the longest unused gives way. */
		i = free_at < PUSH_PEERS ? free_at : oldest;
		buckets[i].peer = peer;
		buckets[i].tokens = PUSH_BURST;
		buckets[i].at = now;
	}
	buckets[i].tokens += (now - buckets[i].at) * PUSH_RATE;
	if (buckets[i].tokens > PUSH_BURST)
		buckets[i].tokens = PUSH_BURST;
	buckets[i].at = now;
	if (buckets[i].tokens >= 1)
		buckets[i].tokens -= 1;
	else
		rc = -1;
	pthread_mutex_unlock(&buckets_lock);
	return rc;
}

/* The parts of an Acorn-Push header, pointing into a copy of it. */
struct push_claim {
	char		*copy;
	const char	*from;		/* a bare UUID */
	const char	*collection;
	long long	 after;
	const char	*fp;
	const char	*value;
};

/* Reads header into c; -1 when it is not of push_header's form. */
static int
claim_read(const char *header, struct push_claim *c)
{
	char *part[5], *save = NULL, *t, *end;
	int n = 0;

	memset(c, 0, sizeof(*c));
	if (header == NULL || strlen(header) > 512 ||
	    (c->copy = util_strdup(header)) == NULL)
		return -1;
	for (t = strtok_r(c->copy, " ", &save); t != NULL && n < 5;
	    t = strtok_r(NULL, " ", &save))
		part[n++] = t;
	if (n != 5 || t != NULL || (c->from = fed_urn_uuid(part[0])) ==
	    NULL || publish_table(part[1]) == NULL || !fed_is_fp(part[3]) ||
	    strlen(part[4]) != FED_B64_LEN(2 * FED_P256_HALF))
		return -1;
	c->collection = part[1];
	if (part[2][0] < '0' || part[2][0] > '9')
		return -1;
	c->after = strtoll(part[2], &end, 10);
	if (*end != '\0' || c->after < 0)
		return -1;
	c->fp = part[3];
	c->value = part[4];
	return 0;
}

/*
 * The peer that sent a push, by its node and the key it names: its id
 * and the key's PEM, and this node's own id (what the push must name).
 */
static const char sender_query[] =
    "SELECT p.id, k.pem, (SELECT id FROM node)::text FROM peers p"
    " JOIN node_keys k ON k.node = p.node AND k.fingerprint = $2"
    " WHERE p.node = $1::uuid";

enum { SE_ID, SE_PEM, SE_SELF };

/*
 * Whether the push's page starts where this node stands in the peer's
 * collection: the lock on pulling the peer, taken for the transaction
 * when no pull holds it, and the feed lock; then the cursor, read by a
 * statement of its own, so that it is the one the locks keep still.
 * One round trip, with the transaction's start.
 */
static const char pull_lock_query[] =
    "SELECT pg_try_advisory_xact_lock(" LOCK_PULL ", $1::integer),"
    " pg_advisory_xact_lock(" LOCK_PUBLISH ")";
static const char push_cursor_query[] =
    "SELECT coalesce(c.seq, 0), coalesce(p.stream::text, $3) FROM peers p"
    " LEFT JOIN peer_cursors c ON c.peer = p.id AND c.collection = $2"
    " WHERE p.id = $1";
/* A stream seen first in a push is noted, as a pull notes it. */
static const char push_stream_query[] =
    "UPDATE peers SET stream = nullif($2, '')::uuid WHERE id = $1"
    " AND stream IS NULL";

/*
 * Merges the page inside a transaction, moving the cursor when the
 * page starts where this node stands.  1 when it moved, 0 when it was
 * merged without (a pull is to follow), 2 when this node held the
 * page already; -1 when the database failed.  A page whose numbers are
 * not of the stream the cursor counts in (a new one) says nothing of
 * where this node stands: it is merged, and the pull that follows finds
 * the new stream and starts again.  The first stream seen of a peer is
 * the one its cursors count in, as it is for a pull (sync.c).
 */
static int
push_merge(struct db *db, long long peer, const struct push_claim *c,
    const struct fed_page *page, long long latest, int *stored, int *learnt)
{
	char id[24];
	const char *p[3] = { id, c->collection, page->stream };
	const char *ps[2] = { id, page->stream };
	const struct db_step st[4] = {
		{ "BEGIN", 0, NULL, PGRES_COMMAND_OK },
		{ pull_lock_query, 1, p, PGRES_TUPLES_OK },
		{ push_stream_query, 2, ps, PGRES_COMMAND_OK },
		{ push_cursor_query, 3, p, PGRES_TUPLES_OK },
	};
	PGresult *res[4];
	long long at = -1;
	int idle, rc, untrusted = 0;

	snprintf(id, sizeof(id), "%lld", peer);
	if (db_batch(db, st, 4, res) != 4) {
		for (rc = 0; rc < 4; rc++)
			PQclear(res[rc]);
		goto fail;
	}
	idle = *PQgetvalue(res[1], 0, 0) == 't';
	if (PQntuples(res[3]) != 1 ||
	    strcmp(PQgetvalue(res[3], 0, 1), page->stream) != 0)
		idle = 0;
	/* Never pulled: the first page starts from nothing. */
	if (idle)
		at = strtoll(PQgetvalue(res[3], 0, 0), NULL, 10);
	for (rc = 0; rc < 4; rc++)
		PQclear(res[rc]);
	if (idle && at >= page->cursor) {
		db_rollback(db);
		return 2;
	}
	rc = idle && at >= c->after ? 1 : 0;
	if (merge_page_commit(db, peer, c->collection, c->after, page, NULL,
	    rc, NULL, latest, stored, learnt, &untrusted) == -1)
		goto fail;
	sync_count_merged(*stored);
	return untrusted > 0 ? 0 : rc;
fail:
	db_rollback(db);
	return -1;
}

/*
 * POST /federation/push: a push, its header and body as they came.
 * Fills a (the peer, when the push was its; whether a pull of the
 * collection should be asked for, as a ping asks) and answers the HTTP
 * status, with a->why the text for a refusal.
 */
int
push_receive(struct db *db, const char *header, const char *body,
    size_t len, struct push_answer *a)
{
	struct push_claim c;
	struct fed_page page;
	PGresult *res = NULL;
	EVP_PKEY *key = NULL;
	const char *p[2];
	char *text = NULL;
	int status, stored = 0, learnt = 0, rc;

	memset(a, 0, sizeof(*a));
	memset(&page, 0, sizeof(page));
	if (claim_read(header, &c) == -1) {
		a->why = "Acorn-Push: urn:uuid:SENDER COLLECTION AFTER KEY"
		    " SIGNATURE is required";
		status = 400;
		goto done;
	}
	if (body == NULL || len == 0 || len > PUSH_MAX_BODY) {
		a->why = "a push is one Atom feed page of at most 80 KiB";
		status = 400;
		goto done;
	}
	p[0] = c.from;
	p[1] = c.fp;
	if ((res = db_query(db, PGRES_TUPLES_OK, sender_query, 2, p)) == NULL) {
		status = 503;
		goto done;
	}
	/* Not a peer, a key not its, or not signed for this node: alike. */
	status = 403;
	a->why = "not signed by a peer of this node for it";
	if (PQntuples(res) != 1 ||
	    (key = fed_pem_key(PQgetvalue(res, 0, SE_PEM))) == NULL ||
	    (text = push_statement(PQgetvalue(res, 0, SE_SELF), c.from,
	    c.collection, c.after, body, len)) == NULL ||
	    fed_verify_text(key, text, strlen(text), c.value) == -1)
		goto done;
	a->peer = strtoll(PQgetvalue(res, 0, SE_ID), NULL, 10);
	a->from = c.from;
	a->collection = c.collection;
	if (push_allowed(a->peer) == -1) {
		a->why = "more pushes than this node takes from one peer; its"
		    " news goes by ping";
		status = 429;
		goto done;
	}
	status = 400;
	if (fed_page_parse(body, len, &page, &a->why) == -1)
		goto done;
	if (page.n == 0 || page.n > PUSH_ENTRIES || page.more ||
	    page.cursor <= c.after) {
		a->why = "a push holds 1 to 16 entries after its start, and no"
		    " next page";
		goto done;
	}
	status = 503;
	a->why = NULL;
	/* Verified in the merge, against the trust store as it is then. */
	if (merge_prepare(db) == -1)
		goto done;
	rc = push_merge(db, a->peer, &c, &page, page_latest(body), &stored,
	    &learnt);
	if (rc == -1)
		goto done;
	/* A key learnt: every cursor may have moved back (merge_page_commit). */
	a->pull = rc == 0 || learnt > 0;
	a->all = learnt > 0;
	a->why = rc == 2 ? "held already" : rc == 1 ? "merged" :
	    "merged; a pull follows";
	status = 202;
done:
	if (status != 202)
		a->pull = 0;
	/* a->collection points into the copy: kept for the caller. */
	a->copy = c.copy;
	fed_page_free(&page);
	EVP_PKEY_free(key);
	free(text);
	PQclear(res);
	return status;
}

void
push_answer_free(struct push_answer *a)
{
	free(a->copy);
	a->copy = NULL;
}
