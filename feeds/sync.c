/*
 * The sync worker inside `acorn serve`.  One thread publishes (signs
 * what changed here) and pings the peers when anything went out; one
 * thread per peer pulls that peer's feeds, so a slow or dead peer holds
 * up nobody else.  Threads sleep on PostgreSQL notifications: a local
 * change (acorn_publish), an entry gone out here or in another process
 * serving this node (acorn_published), a peer's ping (acorn_ping, the
 * peer's id) or a change to the peer list (acorn_peers).  The courier
 * (courier.c), started and stopped with it, delivers inbox entries.
 *
 * A pull merges each page in one transaction together with its cursor,
 * so a crash between pages loses nothing and repeats nothing.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "core.h"
#include "federation.h"
#include "fetch.h"
#include "fed_internal.h"

#define MAX_BACKOFF	"900"	/* seconds between tries of a dead peer */
#define MAX_PAGES	100000	/* pages of one collection in one pull */
#define PING_TIMEOUT	3L
#define ERROR_WAIT_MS	2000
#define POLL_MAX_BYTES	(16 * 1024)	/* the answer to a poll */
#define POLL_RETRY	3600	/* seconds before asking a node without it */
#define OUT_ALL		(-1LL)	/* news for every peer (sync_drain) */
#define NEWS_ALL	(~0u)	/* news of collections not known */

struct puller {
	struct sync	*sync;
	long long	 id;		/* peers.id */
	char		*url;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	int		 woken;
	atomic_int	 stop;
	int		 seen;		/* still in the peer list */
	atomic_int	 hub;		/* pinned as a hub */
	time_t		 no_poll_until;	/* the peer has no /feeds?since= */
	time_t		 no_push_until;	/* nor /federation/push */
	atomic_uint	 news;		/* collections a ping named: bits */
	/* The peer's stream as this node last saw it; "" when never. */
	char		 stream[FED_UUID_LEN + 1];
	struct puller	*next;
};

/*
 * What is asked of a peer pinned as a plain one: its own records alone
 * (protocol section 6).  What it relays, this node has from the hubs it
 * pins, or would refuse: a plain peer's word counts only for itself.
 */
#define OWN_ONLY(pl)	(atomic_load(&(pl)->hub) ? "" : "&own=1")

struct sync {
	const struct config *cfg;
	const struct signer *signer;
	struct db_pool	*pool;
	struct db	*db;
	pthread_t	 thread;
	atomic_int	 stop;
	int		 wake[2];
	struct puller	*pullers;
	struct courier	*courier;	/* inbox deliveries (courier.c) */
	char		 token[17];	/* this process, in its pings' notes */
	/*
	 * Where this process's last announcement of each collection left
	 * the peers (the newest change then), -1 when not known.
	 */
	long long	 pushed[FED_COLLECTIONS];
	/*
	 * The announcements' transfers: it keeps their connections to
	 * the peers open between announcements (libcurl's cache).
	 */
	CURLM		*multi;
};

/*
 * The worker serving this process, if one is, for the web layer's pings
 * (sync_pinged); the lock guards it and every list of its pullers, which
 * only the worker's own thread changes.
 */
static pthread_mutex_t serving_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sync *serving;

static atomic_ulong merged, pulls, pull_failures;
/* Feed bytes pulled: as they came over the wire, and decoded. */
static atomic_ullong wire_bytes, decoded_bytes;
/* What this process sent its peers to tell them of news: bodies. */
static atomic_ullong pushed_bytes, pinged_bytes;

/* What one pull of a peer received. */
struct pull_bytes {
	long long	 wire;
	long long	 decoded;
	long long	 entries;	/* after this node's cursors */
};

/*
 * Refusals by reason.  Reasons are the library's fixed strings, so a
 * short table holds them all; one that does not fit counts as "other".
 */
#define NREASONS	48
static struct {
	const char	*reason;
	atomic_ulong	 n;
} reasons[NREASONS];
static pthread_mutex_t reasons_lock = PTHREAD_MUTEX_INITIALIZER;

static void
count_reason(const char *why)
{
	int i;

	pthread_mutex_lock(&reasons_lock);
	for (i = 0; i < NREASONS - 1 && reasons[i].reason != NULL; i++)
		if (strcmp(reasons[i].reason, why) == 0)
			break;
	if (reasons[i].reason == NULL)
		reasons[i].reason = i == NREASONS - 1 ? "other" : why;
	atomic_fetch_add(&reasons[i].n, 1);
	pthread_mutex_unlock(&reasons_lock);
}

/* The i-th reason counted and its count; NULL past the last. */
const char *
sync_rejections(int i, unsigned long *n)
{
	const char *why = NULL;

	pthread_mutex_lock(&reasons_lock);
	if (i >= 0 && i < NREASONS && reasons[i].reason != NULL) {
		why = reasons[i].reason;
		*n = atomic_load(&reasons[i].n);
	}
	pthread_mutex_unlock(&reasons_lock);
	return why;
}

void
sync_counts(unsigned long *m, unsigned long *p, unsigned long *f)
{
	*m = atomic_load(&merged);
	*p = atomic_load(&pulls);
	*f = atomic_load(&pull_failures);
}

/* Feed bytes pulled since the start, on the wire and decoded. */
void
sync_bytes(unsigned long long *wire, unsigned long long *decoded)
{
	*wire = atomic_load(&wire_bytes);
	*decoded = atomic_load(&decoded_bytes);
}

/* Bytes of pushes' pages and of pings' forms this process sent. */
void
sync_sent_bytes(unsigned long long *pushed, unsigned long long *pinged)
{
	*pushed = atomic_load(&pushed_bytes);
	*pinged = atomic_load(&pinged_bytes);
}

/* Counts what a request to a peer received. */
static void
count_bytes(struct pull_bytes *pb, const struct fetch *f)
{
	pb->wire += (long long)f->bytes;
	pb->decoded += (long long)f->len;
	atomic_fetch_add(&wire_bytes, (unsigned long long)f->bytes);
	atomic_fetch_add(&decoded_bytes, (unsigned long long)f->len);
}

/*
 * Records a refused entry, or a refused page (id NULL), read from the
 * page after cursor: an entry refused for want of a key is read again
 * from there once the key is learnt (merge_page).
 */
static void
reject(struct db *db, long long peer, const char *collection,
    long long cursor, const char *id, const char *why)
{
	char s[24], c[24];
	const char *p[5] = { s, collection, id, why, c };

	snprintf(s, sizeof(s), "%lld", peer);
	snprintf(c, sizeof(c), "%lld", cursor);
	count_reason(why);
	log_warn("refused %s from peer %lld (%s): %s", id != NULL ? id :
	    "a page", peer, collection, why);
	/* The newest thousand are kept: enough to see what went wrong. */
	if (db_exec(db, "INSERT INTO rejections (peer, collection, entry_id,"
	    " reason, cursor) VALUES ($1, $2, $3, $4, $5::bigint)", 5, p) ==
	    0)
		db_exec(db, "DELETE FROM rejections WHERE id <= (SELECT max(id)"
		    " - 1000 FROM rejections)", 0, NULL);
}

/*
 * Collections whose entries were refused for want of a key are read
 * again, each from the earliest page such an entry came in; only once.
 */
static const char rewind_query[] =
    "WITH f AS (SELECT peer, collection, min(cursor) AS seq"
    "  FROM rejections WHERE reason = $1 AND cursor IS NOT NULL"
    "  GROUP BY peer, collection),"
    " used AS (UPDATE rejections SET cursor = NULL WHERE reason = $1"
    "  AND cursor IS NOT NULL)"
    " UPDATE peer_cursors c SET seq = f.seq, etag = NULL FROM f"
    " WHERE c.peer = f.peer AND c.collection = f.collection"
    " AND c.seq > f.seq";

/*
 * The cursor moved to $3, and how far behind this node is: behind, how
 * many changes the peer holds past the cursor ($5, the newest it
 * holds); behind_since, since when we have been behind at all.  The
 * notification, named after the collection and the peer (what came
 * from it is news to every peer but that one: sync_drain), goes in the
 * same statement, when anything was stored ($6).
 */
static const char cursor_sql[] =
    "WITH c AS (INSERT INTO peer_cursors (peer,"
    " collection, seq, etag, behind, behind_since) VALUES ($1, $2,"
    " CASE WHEN $3::bigint >= 0 THEN $3::bigint ELSE 0 END, $4,"
    " greatest($5::bigint - greatest($3::bigint, 0), 0), NULL)"
    " ON CONFLICT (peer, collection) DO UPDATE SET"
    " seq = CASE WHEN $3::bigint >= 0 THEN $3::bigint"
    "  ELSE peer_cursors.seq END, etag = $4,"
    " behind = greatest($5::bigint - greatest($3::bigint,"
    "  peer_cursors.seq), 0),"
    " behind_since = CASE WHEN $5::bigint > greatest($3::bigint,"
    "  peer_cursors.seq) THEN coalesce(peer_cursors.behind_since, now())"
    "  END RETURNING 1)"
    " SELECT pg_notify('acorn_published', $2::text || ' ' || $1::text)"
    " FROM c WHERE $6::boolean";
static const char notify_sql[] =
    "SELECT pg_notify('acorn_published', $2::text || ' ' || $1::text)";

/*
 * Merges one page from peer, read after cursor after, and commits,
 * inside the caller's transaction, begun by feed_begin: its entries
 * verified on every core and merged set-based (merge_docs), each
 * refusal recorded, and when move, the cursor moved to the page's
 * (with etag, and how far behind latest says this node is), in the
 * commit's round trip.  The caller has prepared the merge's statements
 * (merge_prepare).  *stored counts the entries stored, *learnt the keys
 * the trust store learnt.  With untrusted (a push), entries signed by a
 * key not trusted yet are counted there and not refused, and the cursor
 * stays: a pull reads them in the order the peer serves them, after
 * what may vouch for their key, as if the push had not come.  0, or -1
 * when the database failed (the caller rolls back).
 */
int
merge_page_commit(struct db *db, long long peer, const char *collection,
    long long after, const struct fed_page *page, struct merge_ahead *ahead,
    int move, const char *etag, long long latest, int *stored, int *learnt,
    int *untrusted)
{
	char s[24], cursor[24], late[24];
	const char *p[6] = { s, collection, cursor, etag, late, NULL };
	struct merge_outcome *out;
	struct db_step st[2];
	PGresult *res[2];
	size_t i, n = 0;
	int rc = -1;

	snprintf(s, sizeof(s), "%lld", peer);
	snprintf(cursor, sizeof(cursor), "%lld", page->cursor);
	snprintf(late, sizeof(late), "%lld", latest);
	if ((out = calloc(page->n + 1, sizeof(*out))) == NULL)
		return -1;
	if (merge_docs(db, page->docs, page->canon, page->n, out, learnt,
	    ahead) == -1)
		goto done;
	for (i = 0; i < page->n; i++) {
		if (out[i].stored == -1 && untrusted != NULL &&
		    out[i].why != NULL && strcmp(out[i].why, FED_UNTRUSTED) == 0) {
			(*untrusted)++;
			move = 0;
		} else if (out[i].stored == -1)
			reject(db, peer, collection, after, out[i].id,
			    out[i].why);
		else if (out[i].stored == 1)
			(*stored)++;
	}
	p[5] = *stored > 0 ? "t" : "f";
	n = 0;
	if (move)
		st[n++] = (struct db_step){ cursor_sql, 6, p, PGRES_TUPLES_OK };
	else if (*stored > 0)
		st[n++] = (struct db_step){ notify_sql, 2, p, PGRES_TUPLES_OK };
	/*
	 * A key learnt: what was refused for want of a key is read again,
	 * so that entries signed with it are taken now (and nothing else
	 * is: a peer announcing key after key makes this node re-read only
	 * what it refused); and vouch for it, so the nodes that trust this
	 * one learn it too.  Rare: the cursor goes first, on its own.
	 */
	if (*learnt > 0) {
		if (db_batch(db, st, n, res) != (long)n)
			goto done;
		while (n > 0)
			PQclear(res[--n]);
		if (db_exec(db, rewind_query, 1,
		    (const char *[]){ FED_UNTRUSTED }) == -1 ||
		    vouch_refresh(db) == -1)
			goto done;
	}
	/* The commit goes with the cursor. */
	st[n++] = (struct db_step){ "COMMIT", 0, NULL, PGRES_COMMAND_OK };
	if (db_batch(db, st, n, res) != (long)n)
		goto done;
	rc = 0;
done:
	while (n > 0)
		PQclear(res[--n]);
	merge_outcomes_free(out, page->n);
	free(out);
	return rc;
}

/* Entries merged here and committed, for /metrics. */
void
sync_count_merged(int n)
{
	atomic_fetch_add(&merged, (unsigned long)n);
}

/*
 * Merges one page, read after cursor after, and moves the cursor, all
 * in one transaction (merge_page_commit).  0 when committed, -1 when the
 * database failed (nothing of it is kept).
 */
static int
merge_page(struct db *db, long long peer, const char *collection,
    long long after, const struct fed_page *page, struct merge_ahead *ahead,
    const char *etag, long long latest, int *stored, int *learnt)
{
	if (feed_begin(db) == -1)
		return -1;
	if (merge_page_commit(db, peer, collection, after, page, ahead, 1,
	    etag, latest, stored, learnt, NULL) == -1) {
		db_rollback(db);
		return -1;
	}
	sync_count_merged(*stored);
	return 0;
}

/* <acorn:latest> of a page: the newest change the peer holds. */
long long
page_latest(const char *body)
{
	const char *p = strstr(body, "<acorn:latest>");

	return p != NULL ? strtoll(p + 14, NULL, 10) : -1;
}

/*
 * The peer's stream is $2 (docs/protocol.md, section 6.2): noted, and
 * when it is not the one this node had seen, every cursor of the peer
 * goes back to the start (the ETags with them, and the pages refusals
 * are to be read again from: those numbers were the old stream's).
 * What this node holds stays; versions decide what is new.  Whether
 * the cursors went back.
 */
static const char stream_query[] =
    "WITH was AS (SELECT stream FROM peers WHERE id = $1 FOR UPDATE),"
    " noted AS (UPDATE peers SET stream = $2::uuid WHERE id = $1),"
    " new AS (SELECT EXISTS (SELECT 1 FROM was"
    "  WHERE stream IS NOT NULL AND stream <> $2::uuid) AS again),"
    " cursors AS (UPDATE peer_cursors SET seq = 0, etag = NULL"
    "  WHERE peer = $1 AND (SELECT again FROM new)),"
    " refused AS (UPDATE rejections SET cursor = NULL"
    "  WHERE peer = $1 AND cursor IS NOT NULL AND (SELECT again FROM new))"
    " SELECT again FROM new";

/*
 * What the peer says its stream is, stream (a uuid): 1 when it is a new
 * one, and this node reads the peer again from the start; 0 when it is
 * the one seen before, or the first seen; -1 when the database failed.
 */
static int
stream_seen(struct puller *pl, struct db *db, const char *stream)
{
	char s[24];
	PGresult *res;
	int again;

	if (strcmp(stream, pl->stream) == 0)
		return 0;
	snprintf(s, sizeof(s), "%lld", pl->id);
	if ((res = db_query(db, PGRES_TUPLES_OK, stream_query, 2,
	    (const char *[]){ s, stream })) == NULL)
		return -1;
	again = PQntuples(res) == 1 && *PQgetvalue(res, 0, 0) == 't';
	PQclear(res);
	if (again)
		log_info("peer %lld started a new stream of changes (%s):"
		    " reading it again from the start", pl->id, stream);
	snprintf(pl->stream, sizeof(pl->stream), "%s", stream);
	return again;
}

/* Where this node is in peer $1's collection $2, and the ETag it holds. */
static const char cursor_query[] =
    "SELECT seq, etag FROM peer_cursors WHERE peer = $1 AND collection = $2";

enum { CU_SEQ, CU_ETAG };

/*
 * One page of a collection, fetched, parsed and verified.  The next
 * page is fetched, parsed and verified by a thread of its own while
 * this one is merged: fetching waits on the peer, parsing and checking
 * signatures are processor time, merging waits on the database, and
 * each page's address is known as soon as the page before it is
 * parsed.  It is verified against the trust store as it was when its
 * fetch started; merging this page may teach the store a key, and the
 * merge then verifies it again (merge_docs).  The page is looked at only once the
 * one before it is merged, so what becomes of it is what would have
 * become of it fetched then; one not looked at (the pull stopped or
 * starts again) is dropped unread.
 */
struct page_fetch {
	CURL		*c;
	char		*url;
	const char	*etag;		/* If-None-Match, or NULL */
	struct fetch	 f;
	struct fed_page	 page;
	int		 got;		/* fetch_get's answer */
	int		 parsed;	/* fed_page_parse's, or 1 when not tried */
	const char	*why;
	struct merge_ahead ahead;
	pthread_t	 thread;
	int		 running;
};

static void *
page_fetch_run(void *arg)
{
	struct page_fetch *pf = arg;

	pf->parsed = 1;
	pf->got = pf->url == NULL ? -1 : fetch_get(pf->c, pf->url, pf->etag,
	    FED_MAX_FEED, 0, &pf->f);
	if (pf->got == 0 && pf->f.status == 200)
		pf->parsed = fed_page_parse(pf->f.body, pf->f.len, &pf->page,
		    &pf->why);
	if (pf->parsed == 0)
		merge_ahead_verify(&pf->ahead, pf->page.docs, pf->page.canon,
		    pf->page.n);
	return NULL;
}

/*
 * Starts fetching the page after cursor, in a thread when one starts,
 * to be verified against the trust store keys says (a copy is kept).
 */
static void
page_fetch_start(struct page_fetch *pf, struct puller *pl, CURL *c,
    const char *collection, long long cursor, const char *etag,
    const PGresult *keys)
{
	merge_ahead_free(&pf->ahead);
	pf->ahead.keys = keys != NULL ? PQcopyResult(keys,
	    PG_COPYRES_ATTRS | PG_COPYRES_TUPLES) : NULL;
	free(pf->url);
	pf->c = c;
	pf->url = util_printf("%s/feeds/%s?after=%lld%s", pl->url, collection,
	    cursor, OWN_ONLY(pl));
	pf->etag = etag;
	pf->f.stop = &pl->stop;
	memset(&pf->page, 0, sizeof(pf->page));
	pf->running = pthread_create(&pf->thread, NULL, page_fetch_run,
	    pf) == 0;
	if (!pf->running)
		page_fetch_run(pf);
}

static void
page_fetch_wait(struct page_fetch *pf)
{
	if (pf->running)
		pthread_join(pf->thread, NULL);
	pf->running = 0;
}

/* Waits for a page no longer wanted, and forgets it. */
static void
page_fetch_drop(struct page_fetch *pf, struct pull_bytes *pb)
{
	if (!pf->running)
		return;
	page_fetch_wait(pf);
	if (pf->url != NULL)
		count_bytes(pb, &pf->f);
	if (pf->parsed == 0)
		fed_page_free(&pf->page);
	merge_ahead_free(&pf->ahead);
}

/*
 * Pulls one collection of a peer up to its end.  0 when done, -1 with
 * *error when the peer or the database failed, or the pull stopped
 * (the node stopping, or MAX_PAGES pages read).
 */
static int
pull_collection(struct puller *pl, struct db *db, CURL *c,
    const char *collection, int *learnt, struct pull_bytes *pb, char *error,
    size_t errlen)
{
	struct page_fetch pfs[2], *pf, *next;
	struct fed_page *page;
	struct fetch *f;
	PGresult *res, *keys;
	char s[24], *etag = NULL;
	const char *p[2] = { s, collection }, *why;
	long long cursor = 0;
	int stored, rc = -1, pages, again;

	memset(pfs, 0, sizeof(pfs));
	snprintf(s, sizeof(s), "%lld", pl->id);
	res = db_query(db, PGRES_TUPLES_OK, cursor_query, 2, p);
	if (res == NULL) {
		snprintf(error, errlen, "the database failed");
		return -1;
	}
	if (PQntuples(res) == 1) {
		cursor = strtoll(PQgetvalue(res, 0, CU_SEQ), NULL, 10);
		etag = util_strdup(PQgetvalue(res, 0, CU_ETAG));
	}
	PQclear(res);
	/*
	 * The merge's statements, prepared once for the pull; without the
	 * trust store, each page is verified as it is merged.
	 */
	if (merge_prepare(db) == -1) {
		free(etag);
		snprintf(error, errlen, "the database failed");
		return -1;
	}
	keys = merge_keys(db);
	pf = &pfs[0];
	next = &pfs[1];
	if (!atomic_load(&pl->stop))
		page_fetch_start(pf, pl, c, collection, cursor, etag, keys);
	for (pages = 0; pages < MAX_PAGES && !atomic_load(&pl->stop); pages++) {
		page_fetch_wait(pf);
		f = &pf->f;
		page = &pf->page;
		if (pf->url != NULL)
			count_bytes(pb, f);
		if (pf->got == -1) {
			snprintf(error, errlen, "%s: %s", collection,
			    pf->url == NULL ? "out of memory" : f->error);
			/*
			 * A page over the limit is the peer's, refused as
			 * a page that does not parse is, not a network
			 * failure: coordinators see it among the refusals.
			 */
			if (pf->url != NULL && f->too_big)
				reject(db, pl->id, collection, cursor, NULL,
				    "larger than 16 MiB");
			break;
		}
		if (f->status == 304) {
			rc = 0;
			break;
		}
		if (f->status != 200) {
			snprintf(error, errlen, "%s: the peer answered %ld",
			    collection, f->status);
			break;
		}
		if (pf->parsed == -1) {
			snprintf(error, errlen, "%s: page refused: %s",
			    collection, pf->why);
			reject(db, pl->id, collection, cursor, NULL, pf->why);
			break;
		}
		/* A next page from the same place would be this one again. */
		if (page->more && page->cursor <= cursor) {
			why = "the next page does not move on";
			fed_page_free(page);
			snprintf(error, errlen, "%s: page refused: %s",
			    collection, why);
			reject(db, pl->id, collection, cursor, NULL, why);
			break;
		}
		/*
		 * A page of a new stream: its numbers are not the ones
		 * the cursors count in.  Every collection starts again.
		 */
		if (page->stream[0] != '\0' &&
		    (again = stream_seen(pl, db, page->stream)) != 0) {
			fed_page_free(page);
			if (again == -1) {
				snprintf(error, errlen, "the database failed");
				break;
			}
			(*learnt)++;
			rc = 0;
			break;
		}
		if (page->more && pages + 1 < MAX_PAGES &&
		    !atomic_load(&pl->stop))
			page_fetch_start(next, pl, c, collection, page->cursor,
			    NULL, keys);
		stored = 0;
		pb->entries += (long long)page->n;
		if (merge_page(db, pl->id, collection, cursor, page,
		    &pf->ahead, page->more ? NULL : f->etag,
		    page_latest(f->body), &stored, learnt) == -1) {
			fed_page_free(page);
			snprintf(error, errlen, "the database failed");
			break;
		}
		if (*learnt > 0) {
			fed_page_free(page);
			rc = 0;		/* start again from the beginning */
			break;
		}
		merge_ahead_free(&pf->ahead);
		/* The store as the next page's merge will find it. */
		if (page->more) {
			PQclear(keys);
			keys = merge_keys(db);
		}
		if (page->cursor >= 0)
			cursor = page->cursor;
		free(etag);
		etag = NULL;
		if (!page->more) {
			fed_page_free(page);
			rc = 0;
			break;
		}
		fed_page_free(page);
		pf = next;
		next = next == &pfs[0] ? &pfs[1] : &pfs[0];
	}
	page_fetch_drop(next, pb);
	page_fetch_drop(pf, pb);
	if (rc == -1 && error[0] == '\0' && atomic_load(&pl->stop))
		snprintf(error, errlen, "%s: not finished, as this node is"
		    " stopping", collection);
	else if (rc == -1 && error[0] == '\0')
		snprintf(error, errlen, "%s: not finished after %d pages; the"
		    " rest is read in the next pull", collection, MAX_PAGES);
	free(etag);
	PQclear(keys);
	merge_ahead_free(&pfs[0].ahead);
	merge_ahead_free(&pfs[1].ahead);
	free(pfs[0].url);
	free(pfs[1].url);
	fetch_free(&pfs[0].f);
	fetch_free(&pfs[1].f);
	return rc;
}

/*
 * Milliseconds until peer $1 is due, 0 when it is (to the millisecond,
 * so that pulls spaced by a gap are a gap apart); and, when it is due,
 * whether this process took the lock on pulling it, and when: one round
 * trip.  A pull is due no earlier than the pull a ping asked for
 * (pinged), so a pinged later than the start is a pull asked for while
 * this one ran.  The start is noted before anything is asked of the
 * peer: a ping that comes after it needs a pull of its own, as this one
 * may have read the peer before the change behind it (acorn_peer_ping).
 */
static const char due_lock_query[] =
    "WITH d AS (SELECT greatest(0, ceil(1000 * extract(epoch FROM"
    "  next_attempt - clock_timestamp())))::bigint AS ms, stream FROM peers"
    "  WHERE id = $1),"
    " l AS (SELECT pg_try_advisory_lock(" LOCK_PULL ", $1::integer)"
    "  AS taken FROM d WHERE ms = 0),"
    " noted AS (UPDATE peers SET pull_started = now() WHERE id = $1"
    "  AND coalesce((SELECT taken FROM l), false))"
    " SELECT d.ms, coalesce(l.taken, false), now()::text, d.stream"
    " FROM d LEFT JOIN l ON true";

enum { DL_MS, DL_TAKEN, DL_STARTED, DL_STREAM };

static const char unlock_query[] =
    "SELECT pg_advisory_unlock(" LOCK_PULL ", $1::integer)";

/*
 * Milliseconds until peer pl is due, or 0 when it is, with *started
 * (malloc'd) when this process then took the lock on pulling it (and
 * pl->stream what it holds of the peer's stream), NULL when another
 * process serving this node holds it.  -1 when the database failed, -2
 * when the lock could not be let go of.
 */
static long
due_or_lock(struct db *db, struct puller *pl, char **started)
{
	char s[24];
	const char *p[1] = { s };
	PGresult *res;
	long ms = 60000;	/* a peer removed meanwhile */
	int taken = 0;

	*started = NULL;
	snprintf(s, sizeof(s), "%lld", pl->id);
	if ((res = db_query(db, PGRES_TUPLES_OK, due_lock_query, 1, p)) ==
	    NULL)
		return -1;
	if (PQntuples(res) == 1) {
		ms = strtol(PQgetvalue(res, 0, DL_MS), NULL, 10);
		taken = *PQgetvalue(res, 0, DL_TAKEN) == 't';
		if (taken)
			*started = util_strdup(PQgetvalue(res, 0,
			    DL_STARTED));
		snprintf(pl->stream, sizeof(pl->stream), "%s",
		    PQgetvalue(res, 0, DL_STREAM));
	}
	PQclear(res);
	if (taken && *started == NULL && db_call(db, unlock_query, 1, p) == -1)
		return -2;
	return ms;
}

/*
 * A pull that found nothing, the peer silent or with nothing after this
 * node's cursors, is what a flood of pings in its name looks like: it
 * counts against the pulls its pings ask for (acorn_peer_ping).  Noted
 * before when the peer is next due, which a ping that came meanwhile
 * may move.
 */
static const char found_nothing_query[] =
    "SELECT acorn_peer_found_nothing($1, $2::timestamptz,"
    " make_interval(secs => $3::integer))";

/*
 * Notes how the last pull of one collection of a peer went: error, or
 * NULL when it went well.  A collection that fails is shown on its own
 * and does not stop the others.
 */
static void
note_collection(struct db *db, long long peer, const char *collection,
    const char *error)
{
	char s[24];
	const char *p[3] = { s, collection, error };

	snprintf(s, sizeof(s), "%lld", peer);
	if (error == NULL)
		db_exec(db, "UPDATE peer_cursors SET error = NULL,"
		    " error_at = NULL WHERE peer = $1 AND collection = $2"
		    " AND error IS NOT NULL", 2, p);
	else
		db_exec(db, "INSERT INTO peer_cursors (peer, collection,"
		    " error, error_at) VALUES ($1, $2, $3::text, now())"
		    " ON CONFLICT (peer, collection) DO UPDATE SET"
		    " error = $3::text, error_at = CASE WHEN"
		    " peer_cursors.error = $3::text THEN peer_cursors.error_at"
		    " ELSE now() END", 3, p);
}

/*
 * When a peer is next due.  Unless a ping asked for a pull while this
 * one ran ($3 is when it started), after the sync interval ($4) or, after a
 * failure of every collection, after a backoff of 2^failures seconds, at
 * most MAX_BACKOFF, times a random factor between a half and one and a
 * half, so peers that failed together do not retry together.
 */
#define NEXT_PULL(normal) \
	"CASE WHEN pinged > $3::timestamptz" \
	" THEN least(" normal ", pinged) ELSE " normal " END"

static const char pulled_query[] =
    "UPDATE peers SET last_attempt = now(), last_success = now(),"
    " failures = 0, last_error = $2,"
    " next_attempt = " NEXT_PULL("now() + make_interval(secs => $4::integer)")
    " WHERE id = $1";
static const char failed_query[] =
    "UPDATE peers SET last_attempt = now(), last_error = $2,"
    " failures = failures + 1, next_attempt = " NEXT_PULL("now() +"
    " make_interval(secs => least(power(2, least(failures + 1, 20)), "
    MAX_BACKOFF ") * (0.5 + random()))")
    " WHERE id = $1";

/* Where this node is in each of peer $1's collections. */
static const char cursors_query[] =
    "SELECT collection, seq FROM peer_cursors WHERE peer = $1";

enum { CS_COLLECTION, CS_SEQ };

/*
 * The question of a caught-up puller (docs/protocol.md, section 6): the
 * peer's address and "/feeds?since=" with this node's cursor in every
 * collection, malloc'd, or NULL.
 */
static char *
poll_url(struct puller *pl, struct db *db)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	PGresult *res;
	const char *coll, *p[1];
	char s[24];
	long long seq;
	size_t i;
	int r;

	snprintf(s, sizeof(s), "%lld", pl->id);
	p[0] = s;
	if ((res = db_query(db, PGRES_TUPLES_OK, cursors_query, 1, p)) ==
	    NULL)
		return NULL;
	strbuf_printf(&b, "%s/feeds?since=", pl->url);
	for (i = 0; (coll = publish_collection(i)) != NULL; i++) {
		seq = 0;
		for (r = 0; r < PQntuples(res); r++)
			if (strcmp(PQgetvalue(res, r, CS_COLLECTION), coll) == 0)
				seq = strtoll(PQgetvalue(res, r, CS_SEQ), NULL,
				    10);
		strbuf_printf(&b, "%s%s:%lld", i > 0 ? "," : "", coll, seq);
	}
	strbuf_str(&b, OWN_ONLY(pl));
	PQclear(res);
	return strbuf_take(&b);
}

/*
 * The bit of the collection named by the len bytes at name
 * (publish_collection's order), NEWS_ALL when it names none.
 */
static unsigned int
sync_news_of(const char *name, size_t len)
{
	const char *coll;
	size_t i;

	for (i = 0; (coll = publish_collection(i)) != NULL; i++)
		if (strlen(coll) == len && strncmp(coll, name, len) == 0)
			return 1u << i;
	return NEWS_ALL;
}

/*
 * Reads the answer to a poll, a collection and its newest change a
 * line, into *want: bit i for publish_collection(i).  Names this node
 * does not know are passed over.  -1 when it is not of that form.
 */
static int
poll_read(const char *body, unsigned int *want)
{
	const char *line;
	unsigned int bit;
	size_t len;

	for (line = body; *line != '\0'; line += len + 1) {
		len = strcspn(line, "\n");
		if (line[len] != '\n' || memchr(line, ' ', len) == NULL)
			return -1;
		if ((bit = sync_news_of(line, strcspn(line, " "))) != NEWS_ALL)
			*want |= bit;
	}
	return 0;
}

/*
 * Asks the peer once which collections have anything after this node's
 * cursors.  0 with *want set (nothing set: all caught up) when it
 * answered; -1 when it could not say, and every collection is pulled as
 * before.  A peer that does not know the question (404: an older node)
 * is not asked again for POLL_RETRY seconds.
 */
static int
poll_peer(struct puller *pl, struct db *db, CURL *c, struct pull_bytes *pb,
    unsigned int *want)
{
	struct fetch f = { 0 };
	const char *stream;
	char *url;
	int rc = -1, again;

	*want = 0;
	if (time(NULL) < pl->no_poll_until)
		return -1;
	f.stop = &pl->stop;
	if ((url = poll_url(pl, db)) == NULL)
		return -1;
	if (fetch_get(c, url, NULL, POLL_MAX_BYTES, 0, &f) == 0) {
		count_bytes(pb, &f);
		if (f.status == 204 || f.status == 304)
			rc = 0;
		else if (f.status == 200 && f.body != NULL)
			rc = poll_read(f.body, want);
		else if (f.status == 404)
			pl->no_poll_until = time(NULL) + POLL_RETRY;
		/* Numbers of a new stream: the answer was to the old. */
		if (rc == 0 && (stream = fed_urn_uuid(f.stream)) != NULL &&
		    (again = stream_seen(pl, db, stream)) != 0) {
			*want = ~0u;
			rc = again == 1 ? 0 : -1;
		}
	}
	free(url);
	fetch_free(&f);
	return rc;
}

/*
 * The collections a poll found caught up: each has a cursor, as a pull
 * of it would have left (a collection the peer never had anything in
 * is never pulled), and no error since.
 */
static const char caught_up_query[] =
    "WITH c AS (SELECT unnest($2::text[]) AS collection),"
    " mark AS (INSERT INTO peer_cursors (peer, collection)"
    "  SELECT $1, collection FROM c ON CONFLICT DO NOTHING)"
    " UPDATE peer_cursors SET error = NULL, error_at = NULL"
    " WHERE peer = $1 AND error IS NOT NULL"
    " AND collection IN (SELECT collection FROM c)";

static void
note_caught_up(struct db *db, long long peer, unsigned int want)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	const char *coll, *p[2];
	char s[24], *list;
	size_t i;

	snprintf(s, sizeof(s), "%lld", peer);
	strbuf_str(&b, "{");
	for (i = 0; (coll = publish_collection(i)) != NULL; i++)
		if (!(want & 1u << i))
			strbuf_printf(&b, "%s%s", b.len > 1 ? "," : "", coll);
	strbuf_str(&b, "}");
	if ((list = strbuf_take(&b)) == NULL)
		return;
	p[0] = s;
	p[1] = list;
	db_exec(db, caught_up_query, 2, p);
	free(list);
}

/* How one round of a pull went. */
struct round {
	struct strbuf	 errors;
	int		 good;
	int		 bad;
	int		 learnt;	/* keys: start again from the top */
	unsigned int	 failed;	/* collections: bits */
};

/*
 * Pulls the collections of want (bits), noting how each went, until
 * one teaches a key.
 */
static void
pull_round(struct puller *pl, struct db *db, CURL *c, unsigned int want,
    struct pull_bytes *pb, struct round *rd)
{
	char error[CURL_ERROR_SIZE + 64];
	const char *coll;
	size_t i;

	for (i = 0; (coll = publish_collection(i)) != NULL &&
	    !atomic_load(&pl->stop); i++) {
		if (!(want & 1u << i))
			continue;
		error[0] = '\0';
		if (pull_collection(pl, db, c, coll, &rd->learnt, pb, error,
		    sizeof(error)) == -1) {
			if (atomic_load(&pl->stop))
				break;	/* says nothing of the peer */
			rd->bad++;
			rd->failed |= 1u << i;
			note_collection(db, pl->id, coll, error);
			strbuf_printf(&rd->errors, "%s%s",
			    rd->errors.len > 0 ? "\n" : "", error);
		} else {
			rd->good++;
			note_collection(db, pl->id, coll, NULL);
		}
		if (rd->learnt > 0)
			break;	/* start again from the beginning */
	}
}

/*
 * One pull of every collection of a peer; notes how it went.  A
 * collection that fails is noted and the next one pulled all the same.
 * The collections a ping named come first, then the one question of
 * which have news (the answer names those just pulled no more, unless
 * they moved on again meanwhile).
 * This process holds the lock on pulling the peer, taken at started
 * (due_or_lock), and lets it go.  -2 when it could not.
 */
static int
pull_peer(struct puller *pl, struct db *db, CURL *c, int interval,
    const char *started)
{
	char s[24], iv[16], gap[16];
	const char *p[4] = { s, NULL, NULL, iv };
	struct round rd;
	struct pull_bytes pb = { 0, 0, 0 };
	char *all;
	unsigned int want = ~0u, hint;
	int rounds = 0, good, bad, polled = 0;

	memset(&rd, 0, sizeof(rd));
	snprintf(s, sizeof(s), "%lld", pl->id);
	snprintf(iv, sizeof(iv), "%d", interval);
	atomic_fetch_add(&pulls, 1);
	/* Taken now: a ping after this asks for a pull of its own. */
	hint = atomic_exchange(&pl->news, 0);
	if (hint != 0)
		pull_round(pl, db, c, hint, &pb, &rd);
	/*
	 * One question then: a caught-up peer costs one request a poll,
	 * not one per collection.
	 */
	if (rd.learnt == 0 && !atomic_load(&pl->stop)) {
		polled = poll_peer(pl, db, c, &pb, &want) == 0;
		if (polled)
			note_caught_up(db, pl->id, want | rd.failed);
		else
			want = ~0u;
		pull_round(pl, db, c, want & ~rd.failed, &pb, &rd);
	}
	/*
	 * Keys learnt, or a new stream: cursors may have moved back
	 * anywhere.
	 */
	while (rd.learnt > 0 && ++rounds < 10) {
		strbuf_free(&rd.errors);
		memset(&rd, 0, sizeof(rd));
		pull_round(pl, db, c, ~0u, &pb, &rd);
	}
	good = rd.good;
	bad = rd.bad;
	if (polled && good == 0 && bad == 0)
		good = 1;	/* the peer answered: nothing new */
	if (bad > 0)
		atomic_fetch_add(&pull_failures, 1);
	if (pb.decoded > 0)
		log_info("pulled peer %lld: %lld bytes received, %lld"
		    " decoded", pl->id, pb.wire, pb.decoded);
	all = strbuf_take(&rd.errors);
	p[1] = bad > 0 ? (all != NULL ? all : "out of memory") : NULL;
	p[2] = started;
	/*
	 * Backoff only when the peer gave nothing: it may be down.  A pull
	 * cut short by stopping leaves the peer due as it was.
	 */
	if (!atomic_load(&pl->stop) && pb.entries == 0) {
		snprintf(gap, sizeof(gap), "%d", pl->sync->cfg->ping_gap);
		db_call(db, found_nothing_query, 3,
		    (const char *[]){ s, started, gap });
	}
	if (!atomic_load(&pl->stop) && good > 0)
		db_exec(db, pulled_query, 4, p);
	else if (!atomic_load(&pl->stop))
		db_exec(db, failed_query, 3, p);
	free(all);
	/* Not unlocked: the caller discards the connection, and the lock. */
	if (db_call(db, unlock_query, 1, p) == -1)
		return -2;
	return 0;
}

/* Sleeps up to ms, or until pinged or stopped. */
static void
puller_sleep(struct puller *pl, long ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&pl->lock);
	while (!pl->woken && !atomic_load(&pl->stop))
		if (pthread_cond_timedwait(&pl->wake, &pl->lock, &until) ==
		    ETIMEDOUT)
			break;
	pl->woken = 0;
	pthread_mutex_unlock(&pl->lock);
}

/*
 * Pulls the peer whenever it is due.  A ping does not start a pull: the
 * schema moves the peer's next pull earlier (acorn_peer_ping, which
 * spaces those that find nothing) and wakes this thread to look again.
 */
static void *
puller_run(void *arg)
{
	struct puller *pl = arg;
	struct db_pool *pool;
	struct db *db = NULL;
	CURL *c;
	char *started;
	long ms;
	int rc;

	pool = db_pool_new(pl->sync->cfg->database, 1);
	c = curl_easy_init();
	while (pool != NULL && c != NULL && !atomic_load(&pl->stop)) {
		if (db == NULL && (db = db_acquire(pool)) == NULL) {
			puller_sleep(pl, ERROR_WAIT_MS);
			continue;
		}
		if ((ms = due_or_lock(db, pl, &started)) < 0) {
			if (ms == -2)
				db_discard(pool, db);	/* and the lock */
			else
				db_release(pool, db);
			db = NULL;
			puller_sleep(pl, ERROR_WAIT_MS);
			continue;
		}
		if (ms > 0) {
			puller_sleep(pl, ms);
			continue;	/* look again: the time may have moved */
		}
		/*
		 * Not taken: the peer stays due, so looking again at once
		 * would spin on the database until the other process is
		 * done.  Taken, the pull lets the lock go, stopping or not.
		 */
		if (started == NULL) {
			puller_sleep(pl, ERROR_WAIT_MS);
			continue;
		}
		rc = pull_peer(pl, db, c, pl->sync->cfg->sync_interval,
		    started);
		free(started);
		if (rc == -2) {
			/* Closed, it lets the peer's lock go. */
			db_discard(pool, db);
			db = NULL;
		}
		if (rc != 0)
			puller_sleep(pl, ERROR_WAIT_MS);
	}
	if (c != NULL)
		curl_easy_cleanup(c);
	db_release(pool, db);
	db_pool_free(pool);
	return NULL;
}

static void
puller_wake(struct puller *pl)
{
	pthread_mutex_lock(&pl->lock);
	pl->woken = 1;
	pthread_cond_signal(&pl->wake);
	pthread_mutex_unlock(&pl->lock);
}

static void
puller_stop(struct puller *pl)
{
	atomic_store(&pl->stop, 1);
	puller_wake(pl);
	pthread_join(pl->thread, NULL);
	pthread_mutex_destroy(&pl->lock);
	pthread_cond_destroy(&pl->wake);
	free(pl->url);
	free(pl);
}

/* Every peer pinned, to pull from. */
static const char pullers_query[] = "SELECT id, url, hub FROM peers";

enum { PU_ID, PU_URL, PU_HUB };

/* Starts a puller for each new peer and stops those of peers removed. */
static int
sync_peers(struct sync *s)
{
	struct puller **pp, *pl;
	PGresult *res;
	long long id;
	int i;

	res = db_query(s->db, PGRES_TUPLES_OK, pullers_query, 0, NULL);
	if (res == NULL)
		return -1;
	for (pl = s->pullers; pl != NULL; pl = pl->next)
		pl->seen = 0;
	for (i = 0; i < PQntuples(res); i++) {
		id = strtoll(PQgetvalue(res, i, PU_ID), NULL, 10);
		for (pl = s->pullers; pl != NULL; pl = pl->next)
			if (pl->id == id &&
			    strcmp(pl->url, PQgetvalue(res, i, PU_URL)) == 0)
				break;
		if (pl != NULL) {
			pl->seen = 1;
			atomic_store(&pl->hub, *PQgetvalue(res, i, PU_HUB) ==
			    't');
			continue;
		}
		if ((pl = calloc(1, sizeof(*pl))) == NULL ||
		    (pl->url = util_strdup(PQgetvalue(res, i, PU_URL))) ==
		    NULL) {
			free(pl);
			continue;
		}
		pl->sync = s;
		pl->id = id;
		pl->seen = 1;
		atomic_store(&pl->hub, *PQgetvalue(res, i, PU_HUB) == 't');
		pthread_mutex_init(&pl->lock, NULL);
		pthread_cond_init(&pl->wake, NULL);
		if (pthread_create(&pl->thread, NULL, puller_run, pl) != 0) {
			free(pl->url);
			free(pl);
			continue;
		}
		pthread_mutex_lock(&serving_lock);
		pl->next = s->pullers;
		s->pullers = pl;
		pthread_mutex_unlock(&serving_lock);
	}
	PQclear(res);
	for (pp = &s->pullers; *pp != NULL; ) {
		pl = *pp;
		if (pl->seen) {
			pp = &pl->next;
			continue;
		}
		pthread_mutex_lock(&serving_lock);
		*pp = pl->next;
		pthread_mutex_unlock(&serving_lock);
		puller_stop(pl);
	}
	return 0;
}

static size_t
ignore_body(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

/*
 * The collections a ping's news names, comma-separated: their bits,
 * those this node does not serve passed over; 0 when it names none.
 */
unsigned int
sync_news_read(const char *list)
{
	unsigned int news = 0, bit;
	size_t len;

	while (list != NULL && *list != '\0') {
		len = strcspn(list, ",");
		if ((bit = sync_news_of(list, len)) != NEWS_ALL)
			news |= bit;
		list += len;
		if (*list == ',')
			list++;
	}
	return news;
}

/*
 * The collections of news, comma-separated, after first (when there is
 * any); nothing for NEWS_ALL.
 */
static void
news_names(struct strbuf *b, unsigned int news, const char *first)
{
	const char *coll, *sep = first;
	size_t i;

	for (i = 0; news != NEWS_ALL && (coll = publish_collection(i)) !=
	    NULL; i++)
		if (news & 1u << i) {
			strbuf_printf(b, "%s%s", sep, coll);
			sep = ",";
		}
}

/* The form of a ping: news=, when known, names the collections. */
static char *
ping_form(unsigned int news)
{
	struct strbuf b = { NULL, 0, 0, 0 };

	strbuf_printf(&b, "node=urn:uuid:%s", node_id);
	news_names(&b, news, "&news=");
	return strbuf_take(&b);
}

/* Every peer pinned, but peer $1, to tell. */
/*
 * The peers to tell of a change: every one for this node's own; for one
 * merged from peer $1, the others but those pinned here as hubs, which
 * have it from its origin or from each other (a hub pins every region
 * and the other hub), so that relays do not echo between them.
 */
static const char ping_query[] = "SELECT url, id, node FROM peers"
    " WHERE $1::bigint IS NULL OR (id <> $1::bigint AND NOT hub)";

enum { PI_URL, PI_ID, PI_NODE };

/* One request of an announcement: a push or a ping, to one peer. */
struct call {
	CURL		*easy;
	struct curl_slist *headers;
	char		*url;
	char		*form;		/* a ping's */
	struct puller	*peer;		/* NULL: a peer not yet pulled */
	const char	*base;		/* the peer's address */
	long long	 id;
	unsigned int	 news;		/* a push's collection, a ping's news */
	int		 push;
};

/* The puller of peer id in s, or NULL. */
static struct puller *
puller_of(struct sync *s, long long id)
{
	struct puller *pl;

	for (pl = s->pullers; pl != NULL; pl = pl->next)
		if (pl->id == id)
			return pl;
	return NULL;
}

/*
 * Adds to m the request of call k: a ping naming news, to url; or the
 * push p, signed for node to.  -1 when it could not be made.
 */
static int
call_add(struct sync *s, CURLM *m, struct call *k, const char *url,
    const char *to, const struct push *p)
{
	char *h;

	if ((k->easy = curl_easy_init()) == NULL)
		return -1;
	if (p != NULL) {
		k->url = util_printf("%s/federation/push", url);
		h = push_header(s->signer, to, p);
		if (h != NULL) {
			char *line = util_printf("Acorn-Push: %s", h);

			free(h);
			if (line != NULL)
				k->headers = curl_slist_append(k->headers, line);
			free(line);
		}
		k->headers = curl_slist_append(k->headers,
		    "Content-Type: application/atom+xml;type=feed");
		k->headers = curl_slist_append(k->headers, "Expect:");
		if (k->url == NULL || k->headers == NULL)
			return -1;
		curl_easy_setopt(k->easy, CURLOPT_HTTPHEADER, k->headers);
		curl_easy_setopt(k->easy, CURLOPT_POSTFIELDS, p->body);
		curl_easy_setopt(k->easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)p->len);
		atomic_fetch_add(&pushed_bytes, (unsigned long long)p->len);
	} else {
		k->url = util_printf("%s/federation/ping", url);
		if (k->url == NULL || (k->form = ping_form(k->news)) == NULL)
			return -1;
		curl_easy_setopt(k->easy, CURLOPT_POSTFIELDS, k->form);
		atomic_fetch_add(&pinged_bytes,
		    (unsigned long long)strlen(k->form));
	}
	curl_easy_setopt(k->easy, CURLOPT_URL, k->url);
	curl_easy_setopt(k->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(k->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(k->easy, CURLOPT_TIMEOUT, PING_TIMEOUT);
	curl_easy_setopt(k->easy, CURLOPT_CONNECTTIMEOUT, PING_TIMEOUT);
	curl_easy_setopt(k->easy, CURLOPT_WRITEFUNCTION, ignore_body);
	curl_easy_setopt(k->easy, CURLOPT_PRIVATE, k);
	curl_multi_add_handle(m, k->easy);
	return 0;
}

static void
call_free(CURLM *m, struct call *k)
{
	if (k->easy != NULL) {
		curl_multi_remove_handle(m, k->easy);
		curl_easy_cleanup(k->easy);
	}
	curl_slist_free_all(k->headers);
	free(k->url);
	free(k->form);
	memset(k, 0, sizeof(*k));
}

/* Runs m until every request in it is done or the worker stops. */
static void
calls_run(struct sync *s, CURLM *m)
{
	int running;

	do {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 200, NULL);
	} while (running > 0 && !atomic_load(&s->stop));
}

/*
 * The queries of the pushes of news, into st from st[1] on, with which
 * collection each is for in at[]: for each collection named, the page
 * after what this process last announced of it.  The news of the
 * collections that go by ping, or NEWS_ALL; *n counts st.
 */
static unsigned int
pushes_ask(struct sync *s, unsigned int news, struct push p[FED_COLLECTIONS],
    struct db_step *st, size_t at[], size_t *n)
{
	const char *coll;
	unsigned int ping = 0;
	size_t i;

	if (news == NEWS_ALL || s->signer == NULL)
		return NEWS_ALL;
	for (i = 0; (coll = publish_collection(i)) != NULL &&
	    i < FED_COLLECTIONS; i++) {
		if (!(news & 1u << i))
			continue;
		/*
		 * Not known where the last announcement left the peers
		 * (pushes_start failed): nothing after "now" is asked for,
		 * to learn where that is, and the news goes by ping.
		 */
		if (s->pushed[i] < 0)
			ping |= 1u << i;
		if (push_step(&p[i], coll, s->pushed[i] >= 0 ? s->pushed[i] :
		    LLONG_MAX, &st[*n]) == -1) {
			ping |= 1u << i;
			s->pushed[i] = -1;
			continue;
		}
		at[(*n)++] = i;
	}
	return ping;
}

/*
 * Takes the answers to pushes_ask's queries (res[1] on): the pushes
 * whose pages fit; the others join the news that goes by ping.
 */
static unsigned int
pushes_take(struct sync *s, struct push p[FED_COLLECTIONS], PGresult **res,
    const size_t at[], size_t n, unsigned int ping)
{
	size_t j, i;
	int rc;

	for (j = 1; j < n; j++) {
		i = at[j];
		rc = push_take(&p[i], res[j]);
		res[j] = NULL;
		if (rc == -1 || rc == 2 || (ping & 1u << i)) {
			ping |= 1u << i;
			free(p[i].body);
			p[i].body = NULL;
		}
		s->pushed[i] = rc == -1 ? -1 : p[i].latest;
	}
	return ping;
}

/*
 * Tells every peer that something went out here (but, when from > 0,
 * the peer it all came from, which holds it, and the hubs: ping_query),
 * and in which collections,
 * all at once, each with a short timeout: a dead peer costs the others
 * nothing.  A collection whose change fits a push (push.c) is pushed to
 * peers that take pushes; the rest is pinged.  A peer that does not
 * take a push (an older node: no such address) or refuses one is
 * pinged at once instead.
 */
static void
ping_peers(struct sync *s, long long from, unsigned int news)
{
	struct push pushes[FED_COLLECTIONS];
	struct db_step st[FED_COLLECTIONS + 1];
	PGresult *res = NULL, *answers[FED_COLLECTIONS + 1];
	size_t at[FED_COLLECTIONS + 1], nst = 1;
	CURLM *m = NULL;
	CURLMsg *msg;
	struct call *calls = NULL, *k;
	struct puller *who;
	char id[24];
	const char *p[1] = { from > 0 ? id : NULL };
	unsigned int ping;
	long code;
	int i, j, n, ncalls = 0, left, refused = 0, told = 0, pushing = 0;
	size_t c;

	snprintf(id, sizeof(id), "%lld", from);
	memset(pushes, 0, sizeof(pushes));
	/*
	 * Nobody to tell (a node with no peers but the one it all came
	 * from): nothing is asked of the database.  No peer that takes
	 * pushes: no page is read.
	 */
	for (who = s->pullers; who != NULL; who = who->next)
		if (who->id != from && (from <= 0 ||
		    !atomic_load(&who->hub))) {
			told++;
			pushing += time(NULL) >= who->no_push_until;
		}
	if (told == 0)
		return;
	/* The peers, and the pages to push them: one round trip. */
	st[0] = (struct db_step){ ping_query, 1, p, PGRES_TUPLES_OK };
	ping = pushing > 0 ? pushes_ask(s, news, pushes, st, at, &nst) : news;
	if (db_batch(s->db, st, nst, answers) != (long)nst) {
		for (c = 0; c < nst; c++)
			PQclear(answers[c]);
		goto done;
	}
	res = answers[0];
	ping = pushes_take(s, pushes, answers, at, nst, ping);
	if ((n = PQntuples(res)) == 0)
		goto done;
	/*
	 * At most a push of each collection and a ping, to each peer;
	 * and pushes refused become pings, as many again.
	 */
	if ((calls = calloc((size_t)n * (2 * FED_COLLECTIONS + 1),
	    sizeof(*calls))) == NULL || (m = s->multi) == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		long long peer = strtoll(PQgetvalue(res, i, PI_ID), NULL, 10);
		struct puller *pl = puller_of(s, peer);
		unsigned int rest = ping;
		int pushes_taken = pl == NULL || time(NULL) >= pl->no_push_until;

		for (c = 0; c < FED_COLLECTIONS; c++) {
			if (pushes[c].body == NULL)
				continue;
			if (!pushes_taken) {
				rest |= 1u << c;
				continue;
			}
			k = &calls[ncalls++];
			k->peer = pl;
			k->base = PQgetvalue(res, i, PI_URL);
			k->id = peer;
			k->push = 1;
			k->news = 1u << c;
			if (call_add(s, m, k, k->base,
			    PQgetvalue(res, i, PI_NODE), &pushes[c]) == -1)
				call_free(m, k);
		}
		if (rest == 0)
			continue;
		k = &calls[ncalls++];
		k->base = PQgetvalue(res, i, PI_URL);
		k->id = peer;
		k->news = rest;
		if (call_add(s, m, k, PQgetvalue(res, i, PI_URL), NULL,
		    NULL) == -1)
			call_free(m, k);
	}
	calls_run(s, m);
	/*
	 * A push refused is a ping now: the peer pulls.  One that got no
	 * answer is not (nor is a ping that got none): the peer is not
	 * there to take it, and pulls when it is next due.
	 */
	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		k = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&k);
		if (k == NULL || !k->push)
			continue;
		code = 0;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
		    &code);
		if (msg->data.result != CURLE_OK || code == 202)
			continue;
		/* No such address: an older node, which is asked again later. */
		if ((code == 404 || code == 405) && k->peer != NULL)
			k->peer->no_push_until = time(NULL) + POLL_RETRY;
		k->push = -1;
		refused++;
	}
	for (j = 0, i = ncalls; j < ncalls && refused > 0; j++) {
		if (calls[j].push != -1)
			continue;
		k = &calls[i++];
		k->base = calls[j].base;
		k->id = calls[j].id;
		k->news = calls[j].news;
		if (call_add(s, m, k, k->base, NULL, NULL) == -1)
			call_free(m, k);
	}
	if (refused > 0)
		calls_run(s, m);
	ncalls = i > ncalls ? i : ncalls;
done:
	for (i = 0; calls != NULL && i < ncalls; i++)
		call_free(m, &calls[i]);
	free(calls);
	PQclear(res);
	for (c = 0; c < FED_COLLECTIONS; c++)
		push_free(&pushes[c]);
}

/*
 * Where the peers stand in this node's collections as this process
 * starts announcing (after it listens, before its first ping, which
 * names them all): the newest change served in each, for the first
 * pushes to start from.  Left unknown (-1) when the database failed.
 */
static void
pushes_start(struct sync *s)
{
	struct push p[FED_COLLECTIONS];
	struct db_step st[FED_COLLECTIONS];
	PGresult *res[FED_COLLECTIONS];
	const char *coll;
	size_t i, n = 0;
	int ok;

	memset(p, 0, sizeof(p));
	memset(res, 0, sizeof(res));
	for (i = 0; i < FED_COLLECTIONS; i++)
		s->pushed[i] = -1;
	/* Nothing after "now" is asked for: the answer says where it is. */
	for (i = 0; (coll = publish_collection(i)) != NULL &&
	    i < FED_COLLECTIONS && push_step(&p[i], coll, LLONG_MAX,
	    &st[i]) == 0; i++)
		n++;
	ok = n > 0 && db_batch(s->db, st, n, res) == (long)n;
	for (i = 0; i < n; i++)
		if (ok)
			s->pushed[i] = push_take(&p[i], res[i]) == -1 ?
			    -1 : p[i].latest;
		else
			PQclear(res[i]);
	for (i = 0; i < FED_COLLECTIONS; i++)
		push_free(&p[i]);
}

static int
sync_connect(struct sync *s)
{
	if ((s->db = db_acquire(s->pool)) == NULL)
		return -1;
	if (db_exec(s->db, "LISTEN acorn_publish", 0, NULL) == -1 ||
	    db_exec(s->db, "LISTEN acorn_published", 0, NULL) == -1 ||
	    db_exec(s->db, "LISTEN acorn_ping", 0, NULL) == -1 ||
	    db_exec(s->db, "LISTEN acorn_peers", 0, NULL) == -1 ||
	    node_self_refresh(s->db, s->signer) == -1 ||
	    vouch_refresh(s->db) == -1 || sync_peers(s) == -1) {
		db_release(s->pool, s->db);
		s->db = NULL;
		return -1;
	}
	pushes_start(s);
	return 0;
}

/* Peer id's puller in list takes the news (bits) and looks again. */
static void
pullers_tell(struct puller *list, long long id, unsigned int news)
{
	struct puller *pl;

	for (pl = list; pl != NULL; pl = pl->next)
		if (pl->id == id) {
			atomic_fetch_or(&pl->news, news);
			puller_wake(pl);
		}
}

/*
 * A ping a process serving this node took (acorn_peer_ping's note,
 * "PEER TOKEN NEWS"): the peer's puller here takes the news and looks
 * again.  Not when it was this process's own (its token): the ping's
 * handler told the puller directly (sync_pinged), and telling it again
 * once it may have pulled would leave the news for a later pull that
 * has none of it.  A note of the peer alone is a ping without news.
 */
static void
ping_heard(struct sync *s, const char *note)
{
	long long id;
	char *end;
	size_t len;
	unsigned int news = 0;

	id = strtoll(note, &end, 10);
	if (*end == ' ') {
		note = end + 1;
		len = strcspn(note, " ");
		if (len == strlen(s->token) &&
		    strncmp(note, s->token, len) == 0)
			return;
		if (note[len] == ' ')
			news = sync_news_read(note + len + 1);
	}
	pullers_tell(s->pullers, id, news);
}

/*
 * Takes the notifications that arrived: wakes the pullers of peers that
 * pinged, reloads the peer list when it changed.  *out is set when
 * entries went out (here or in another process): to a peer's id when
 * all of them were merged from that peer, to OUT_ALL otherwise; *kinds
 * gains the kinds in which a local change waits to be signed
 * (publish_kinds_of).  -1 when the connection is gone.
 */
static int
sync_drain(struct sync *s, long long *out, unsigned int *news,
    unsigned int *kinds)
{
	PGconn *c = db_conn(s->db);
	PGnotify *n;
	long long from;
	size_t len;
	int peers = 0;

	if (PQconsumeInput(c) == 0)
		return -1;
	while ((n = PQnotifies(c)) != NULL) {
		if (strcmp(n->relname, "acorn_published") == 0) {
			/* "COLLECTION [PEER]"; anything else is news of all. */
			len = strcspn(n->extra, " ");
			*news |= sync_news_of(n->extra, len);
			from = n->extra[len] == ' ' ?
			    strtoll(n->extra + len + 1, NULL, 10) : 0;
			if (from <= 0)
				*out = OUT_ALL;
			else if (*out == 0)
				*out = from;
			else if (*out != from)
				*out = OUT_ALL;
		} else if (strcmp(n->relname, "acorn_publish") == 0)
			*kinds |= publish_kinds_of(n->extra);
		else if (strcmp(n->relname, "acorn_peers") == 0)
			peers = 1;
		else if (strcmp(n->relname, "acorn_ping") == 0)
			ping_heard(s, n->extra);
		PQfreemem(n);
	}
	return peers ? sync_peers(s) : 0;
}

static void
sync_wait(struct sync *s, long ms)
{
	worker_wait(s->wake[0], s->db, ms);
}

/*
 * Whether the worker is due to ask every shared table for rows waiting
 * to be signed (publish_kinds with PUBLISH_ALL), as it does every
 * CHECK_EVERY seconds: the notifications name what waits, and this
 * finds what one missed.  *last is when it last asked.
 */
#define CHECK_EVERY	5

static int
check_due(struct timespec *last)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - last->tv_sec < CHECK_EVERY)
		return 0;
	*last = now;
	return 1;
}

static void *
sync_run(void *arg)
{
	struct sync *s = arg;
	struct puller *gone;
	struct timespec checked = { 0, 0 };
	long long out, heard;
	unsigned int news, told, kinds = 0, signing;
	int rc;

	while (!atomic_load(&s->stop)) {
		out = 0;
		news = 0;
		if (s->db == NULL) {
			if (sync_connect(s) == -1) {
				sync_wait(s, ERROR_WAIT_MS);
				continue;
			}
			/*
			 * Back (or first) on line: peers whose tries of
			 * this node backed off hear at once that it is,
			 * and whatever waits is signed.
			 */
			out = OUT_ALL;
			news = NEWS_ALL;
			kinds = PUBLISH_ALL;
		}
		/*
		 * Entries gone out (merged from a peer, or signed by
		 * another process) are announced before anything is
		 * signed here: a relay's pings do not wait for its own
		 * signing.
		 */
		rc = sync_drain(s, &out, &news, &kinds);
		if (rc == 0 && out != 0)
			ping_peers(s, out, news);
		if (rc == 0 && check_due(&checked))
			kinds = PUBLISH_ALL;
		signing = kinds;
		kinds = 0;
		if (rc == 0 && signing != 0 &&
		    (rc = publish_kinds(s->db, s->signer, signing)) > 0) {
			/*
			 * Its own acorn_published, heard now, is not
			 * announced twice: a second ping would ask each
			 * peer for a pull that finds nothing.
			 */
			heard = 0;
			told = 0;
			if (sync_drain(s, &heard, &told, &kinds) == -1)
				rc = -1;
			ping_peers(s, OUT_ALL, told != 0 ? told : NEWS_ALL);
		}
		if (rc == -1) {
			/* What was to be signed is looked for again. */
			kinds = PUBLISH_ALL;
			if (PQstatus(db_conn(s->db)) != CONNECTION_OK) {
				db_release(s->pool, s->db);
				s->db = NULL;
			}
			sync_wait(s, ERROR_WAIT_MS);
			continue;
		}
		if (out == 0 && kinds == 0 && rc == 0)
			sync_wait(s, CHECK_EVERY * 1000);
	}
	pthread_mutex_lock(&serving_lock);
	gone = s->pullers;
	s->pullers = NULL;
	pthread_mutex_unlock(&serving_lock);
	while (gone != NULL) {
		struct puller *pl = gone;

		gone = pl->next;
		puller_stop(pl);
	}
	db_release(s->pool, s->db);
	s->db = NULL;
	return NULL;
}

/* Starts the worker; NULL when it could not be set up. */
struct sync *
sync_start(const struct config *c, const struct signer *sg)
{
	struct sync *s;
	unsigned char r[8];
	size_t i;

	if (util_random(r, sizeof(r)) == -1 ||
	    (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->cfg = c;
	s->signer = sg;
	s->wake[0] = s->wake[1] = -1;
	for (i = 0; i < FED_COLLECTIONS; i++)
		s->pushed[i] = -1;
	util_hex(r, sizeof(r), s->token);
	if ((s->multi = curl_multi_init()) == NULL ||
	    curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, 64L) !=
	    CURLM_OK ||
	    pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    (s->pool = db_pool_new(c->database, 1)) == NULL ||
	    (s->courier = courier_start(c, sg)) == NULL ||
	    pthread_create(&s->thread, NULL, sync_run, s) != 0) {
		log_err("cannot start the sync worker");
		courier_stop(s->courier);
		if (s->wake[0] != -1) {
			close(s->wake[0]);
			close(s->wake[1]);
		}
		db_pool_free(s->pool);
		if (s->multi != NULL)
			curl_multi_cleanup(s->multi);
		free(s);
		return NULL;
	}
	pthread_mutex_lock(&serving_lock);
	serving = s;
	pthread_mutex_unlock(&serving_lock);
	return s;
}

/*
 * What a ping this process took tells the others serving the node
 * (acorn_peer_ping's note, read by ping_heard): this process's token,
 * then the collections with news.  malloc'd; NULL when memory ran out.
 */
char *
sync_ping_note(unsigned int news)
{
	struct strbuf b = { NULL, 0, 0, 0 };

	pthread_mutex_lock(&serving_lock);
	strbuf_str(&b, serving != NULL ? serving->token : "-");
	pthread_mutex_unlock(&serving_lock);
	news_names(&b, news, " ");
	return strbuf_take(&b);
}

/*
 * A ping from peer id that asks for a pull (acorn_peer_ping), taken by
 * this process, naming the collections with news (bits; 0 when it
 * named none): its puller, if this process runs one, looks again at
 * once rather than when the notification reaches it, which other
 * processes serving the node wait for, and pulls those collections
 * before it asks the peer which have news.
 */
void
sync_pinged(long long id, unsigned int news)
{
	pthread_mutex_lock(&serving_lock);
	if (serving != NULL)
		pullers_tell(serving->pullers, id, news);
	pthread_mutex_unlock(&serving_lock);
}

/* Stops the worker and its pullers, abandoning transfers in flight. */
void
sync_stop(struct sync *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&serving_lock);
	if (serving == s)
		serving = NULL;
	pthread_mutex_unlock(&serving_lock);
	atomic_store(&s->stop, 1);
	if (write(s->wake[1], "x", 1) == -1)
		log_warn("cannot wake the sync worker");
	pthread_join(s->thread, NULL);
	courier_stop(s->courier);
	close(s->wake[0]);
	close(s->wake[1]);
	db_pool_free(s->pool);
	curl_multi_cleanup(s->multi);
	free(s);
}
