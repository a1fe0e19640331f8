/*
 * GET /feeds/{collection}: the Atom feeds of every shared collection
 * (newest first for feed readers; with ?after=SEQ, oldest first in pages
 * for peers), and GET /feeds?since=…, the one question a caught-up peer
 * asks: which collections have anything after its cursors.
 *
 * The entries themselves are made and signed by feeds/publish.c and
 * stored; a feed is the stored entries put together, byte for byte,
 * between the collection's head, made once (feeds/feed.c), and a few
 * elements of the page's own.  One query reads a page, and whether
 * anything still waits to be signed (then it is signed first and the
 * page read again, so a feed is never behind the pages).  A page's ETag
 * comes from what the query read: the sequence numbers say which bytes
 * the page holds, since every change of a row takes a new one.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "config.h"
#include "web.h"
#include "pages.h"
#include "federation.h"

#define READER_ENTRIES	50
#define PEER_PAGE	200
#define POLL_MAX	16	/* collections one poll may name */

/*
 * Whether rows wait to be signed is asked as min(seq) of the pending
 * ones, which the partial index on (seq) WHERE pending always answers:
 * EXISTS was planned as a scan of the whole table while its statistics
 * were young (a node catching up), hundreds of milliseconds a page.
 */
/* Live entries, not tombstones (an unlisted profile keeps one). */
#define LIVE	FED_SERVED " AND NOT deleted AND left(entry, 6) = '<entry'"

/*
 * A page with more after it changes only when one of its entries
 * changes (and so leaves it for a later sequence number), which is
 * rare; a cache may keep it a while.  Not for ever: an entry withdrawn
 * since, a profile unlisted say, must not be served from a copy.
 */
#define FULL_PAGE_CACHE	"public, max-age=3600"
#define FEED_TYPE	"application/atom+xml; charset=utf-8"
#define LAST_PAGE_CACHE	"no-cache"

/* A response's parts, kept until it has been sent. */
struct feed_body {
	PGresult		*res;	/* the stored entries */
	char			*own;	/* the page's own elements */
	struct MHD_IoVec	*iov;
};

static void
feed_body_free(void *arg)
{
	struct feed_body *fb = arg;

	PQclear(fb->res);
	free(fb->own);
	free(fb->iov);
	free(fb);
}

/* What a feed is made of, read by one query. */
struct feed_page {
	const struct feed_frame	*frame;
	PGresult		*res;
	int			 col;	/* res's column of entries */
	int			 first;	/* res's row of the first entry */
	int			 n;	/* entries */
	long long		 after;	/* -1: for feed readers */
	long long		 next;	/* -1: no page after it */
	long long		 cursor;	/* -1: none */
	long long		 latest;	/* -1: not said */
	const char		*updated;
	const char		*stream;	/* NULL: not said */
	int			 own;	/* this node's own records alone */
	char			 etag[128];
	const char		*cache;
};

/*
 * Sends a page: the frame's head, the page's own elements, its entries
 * from res where they are (never copied into one buffer: a page of 200
 * runs to megabytes), each on a line of its own, and the tail.  Takes
 * pg->res.
 */
static int
send_feed(struct request *r, struct feed_page *pg)
{
	struct MHD_Response *resp;
	struct feed_body *fb;
	size_t size;
	int i, k = 0, len;

	size = FEED_FRAME_PAGE_SIZE(pg->frame);
	if ((fb = calloc(1, sizeof(*fb))) == NULL ||
	    (fb->own = malloc(size)) == NULL ||
	    (fb->iov = calloc(2 * (size_t)pg->n + 3, sizeof(*fb->iov))) ==
	    NULL ||
	    (len = feed_frame_page(pg->frame, fb->own, size, pg->after,
	    pg->updated, pg->next, pg->cursor, pg->latest, pg->stream,
	    pg->own)) == -1) {
		if (fb != NULL) {
			free(fb->own);
			free(fb->iov);
		}
		free(fb);
		PQclear(pg->res);
		return http_error(r, 500);
	}
	fb->res = pg->res;
	fb->iov[k].iov_base = pg->frame->head;
	fb->iov[k++].iov_len = pg->frame->head_len;
	fb->iov[k].iov_base = fb->own;
	fb->iov[k++].iov_len = (size_t)len;
	for (i = pg->first; i < pg->first + pg->n; i++) {
		fb->iov[k].iov_base = "\n";
		fb->iov[k++].iov_len = 1;
		fb->iov[k].iov_base = PQgetvalue(pg->res, i, pg->col);
		fb->iov[k++].iov_len = (size_t)PQgetlength(pg->res, i, pg->col);
	}
	fb->iov[k].iov_base = FED_FEED_TAIL;
	fb->iov[k++].iov_len = strlen(FED_FEED_TAIL);
	resp = MHD_create_response_from_iovec(fb->iov, (unsigned int)k,
	    feed_body_free, fb);
	if (resp == NULL) {
		feed_body_free(fb);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", FEED_TYPE);
	MHD_add_response_header(resp, "ETag", pg->etag);
	MHD_add_response_header(resp, "Cache-Control", pg->cache);
	return http_queue(r, 200, resp);
}

/*
 * Sends a page that may be kept (r->cache.key set): the same bytes as
 * send_feed, in one buffer the cache keeps, compresses once and answers
 * later requests and their 304s from, until the data version moves.
 * Takes pg->res.
 */
static int
keep_feed(struct request *r, struct feed_page *pg)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	size_t len;
	char *body;

	if (feed_page_text(pg->frame, pg->res, pg->col, pg->first, pg->n,
	    pg->after, pg->updated, pg->next, pg->cursor, pg->latest,
	    pg->stream, pg->own, &b) == -1) {
		strbuf_free(&b);
		PQclear(pg->res);
		return http_error(r, 500);
	}
	PQclear(pg->res);
	len = b.len;
	if ((body = strbuf_take(&b)) == NULL ||
	    response_header(r, "ETag", pg->etag) == -1) {
		free(body);
		return http_error(r, 500);
	}
	return http_send_kept(r, 200, FEED_TYPE, pg->cache, body, len, 0);
}

/*
 * A page answered: a 304 when the client holds it already, else the
 * page, kept in memory when its route may be.  Takes pg->res.
 */
static int
answer_feed(struct request *r, struct feed_page *pg)
{
	size_t len = pg->frame->head_len + strlen(FED_FEED_TAIL) + 512;
	int i;

	for (i = pg->first; i < pg->first + pg->n; i++)
		len += (size_t)PQgetlength(pg->res, i, pg->col) + 1;
	/* The cache answers 304s from what it keeps. */
	if (r->cache.key != NULL && cache_fits(len))
		return keep_feed(r, pg);
	if (http_fresh(r, pg->etag)) {
		PQclear(pg->res);
		return http_not_modified(r, pg->etag, pg->cache);
	}
	return send_feed(r, pg);
}

/*
 * Reads a feed with sql, the collection's table in for each of its %s:
 * column pending_col says whether rows wait to be signed, and when they
 * do they are signed and it is read again.  NULL with the error page in
 * *rc.
 */
static PGresult *
feed_read(struct request *r, const char *sql, int n, const char *const *p,
    int pending_col, int *rc)
{
	PGresult *res = NULL;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		PQclear(res);
		res = db_query(r->db, PGRES_TUPLES_OK, sql, n, p);
		if (res == NULL || PQntuples(res) == 0) {
			PQclear(res);
			*rc = http_error(r, 503);
			return NULL;
		}
		if (*PQgetvalue(res, 0, pending_col) != 't')
			break;
		/* Whatever waits to be signed goes out first. */
		if (tries == 0 && publish_pending(r->db, server_signer) == -1) {
			PQclear(res);
			*rc = http_error(r, 503);
			return NULL;
		}
	}
	return res;
}

/*
 * For feed readers: the newest live entries, the newest first, and
 * whether rows wait to be signed.  One row with a NULL seq when there
 * are none.
 */
static const char reader_sql[] =
    "SELECT s.pending, e.seq, e.entry, "
    RFC3339("coalesce(e.updated, " FED_NO_DATE ")")
    " FROM (SELECT (SELECT min(seq) FROM %s WHERE pending) IS NOT NULL"
    "  AS pending) s"
    " LEFT JOIN (SELECT seq, entry, updated FROM %s WHERE " LIVE
    "  ORDER BY updated DESC, seq DESC LIMIT %d) e ON true"
    " ORDER BY e.updated DESC, e.seq DESC";

enum { RE_PENDING, RE_SEQ, RE_ENTRY, RE_UPDATED };

/*
 * The reader's feed is the entries of those sequence numbers, and its
 * date the first's, so they are its ETag.
 */
static void
reader_etag(struct feed_page *pg)
{
	unsigned char digest[32];
	char hex[33];
	struct strbuf b = { NULL, 0, 0, 0 };
	int i;

	for (i = 0; i < pg->n; i++)
		strbuf_printf(&b, "%s,", PQgetvalue(pg->res, i, RE_SEQ));
	util_sha256(b.p != NULL ? b.p : "", b.len, digest);
	strbuf_free(&b);
	util_hex(digest, 12, hex);
	snprintf(pg->etag, sizeof(pg->etag), "\"r%s.%.24s\"",
	    pg->frame->version, hex);
}

static int
reader_feed(struct request *r, const struct feed_frame *frame,
    const char *table)
{
	struct feed_page pg = { .frame = frame, .col = RE_ENTRY, .after = -1,
	    .next = -1, .cursor = -1, .latest = -1, .cache = LAST_PAGE_CACHE };
	char *sql;
	int rc;

	sql = util_printf(reader_sql, table, table, READER_ENTRIES);
	if (sql == NULL)
		return http_error(r, 500);
	pg.res = feed_read(r, sql, 0, NULL, RE_PENDING, &rc);
	free(sql);
	if (pg.res == NULL)
		return rc;
	pg.n = PQgetisnull(pg.res, 0, RE_SEQ) ? 0 : PQntuples(pg.res);
	pg.updated = PQgetvalue(pg.res, 0, RE_UPDATED);
	reader_etag(&pg);
	return answer_feed(r, &pg);
}

/*
 * The entries of a page take what is left of FED_PAGE_BYTES once the
 * feed element around them is written, which is never near this much.
 */
#define FRAME_ROOM	(16 * 1024)

/*
 * A page's ETag, from what it holds.  A page with more after it holds
 * the entries after its after up to its cursor, so those and how many
 * there are name its entries (they can only leave it, for later
 * numbers); only its acorn:latest says more, which is why its ETag is
 * weak.  A last page (no rel="next") depends only on the newest change
 * served: a puller keeps the ETag of the last page it merged and next
 * asks from that page's cursor, so its next poll is a 304 unless
 * something changed (docs/protocol.md, section 6).  Numbers name
 * entries only within their stream, which both name too: a page of a
 * new stream is never its predecessor's 304.
 */
static void
peer_etag(struct feed_page *pg)
{
	const char *st = pg->stream != NULL ? pg->stream : "";
	const char *mine = pg->own ? "o" : "";

	if (pg->next >= 0)
		snprintf(pg->etag, sizeof(pg->etag),
		    "W/\"f%s%s.%.36s.%lld.%lld.%d\"", mine, pg->frame->version,
		    st, pg->after, pg->cursor, pg->n);
	else
		snprintf(pg->etag, sizeof(pg->etag), "\"l%s%s.%.36s.%lld\"",
		    mine, pg->frame->version, st, pg->latest);
}

static int
peer_feed(struct request *r, const struct feed_frame *frame,
    const char *table, long long after, int own)
{
	struct feed_page pg = { .frame = frame, .col = PE_ENTRY, .after = after,
	    .next = -1, .cursor = -1, .cache = LAST_PAGE_CACHE, .own = own };
	char *sql, from[24], budget[24];
	const char *p[2] = { from, budget };
	struct peer_page pp;
	int rc;

	snprintf(from, sizeof(from), "%lld", after);
	snprintf(budget, sizeof(budget), "%ld", FED_PAGE_BYTES - FRAME_ROOM);
	sql = feed_peer_sql(table, PEER_PAGE, own);
	if (sql == NULL)
		return http_error(r, 500);
	pg.res = feed_read(r, sql, 2, p, PE_PENDING, &rc);
	free(sql);
	if (pg.res == NULL)
		return rc;
	feed_peer_read(pg.res, &pp);
	pg.n = pp.n;
	pg.latest = pp.latest;
	pg.updated = pp.updated;
	pg.cursor = pp.cursor;
	pg.next = pp.next;
	pg.stream = pp.stream;
	if (pg.next >= 0)
		pg.cache = FULL_PAGE_CACHE;
	peer_etag(&pg);
	return answer_feed(r, &pg);
}

/*
 * Whether a peer asks for this node's own records alone (own=1: a
 * puller that pins it as a plain peer, whose word counts only for
 * itself); -1 for any other value.
 */
static int
own_asked(struct request *r)
{
	const char *own = http_query(r, "own");

	if (own == NULL)
		return 0;
	return strcmp(own, "1") == 0 ? 1 : -1;
}

/* GET /feeds/{collection}[?after=SEQ[&own=1]] */
int
feeds_serve(struct request *r)
{
	const char *table = publish_table(r->arg), *after;
	const struct feed_frame *frame;
	long seq;
	int own;

	if (table == NULL)
		return http_error(r, 404);
	after = http_query(r, "after");
	if (after != NULL && util_parse_long(after, 0, LONG_MAX, &seq) == -1)
		return http_error(r, 400);
	if ((own = own_asked(r)) == -1 || (own && after == NULL))
		return http_error(r, 400);
	if ((frame = feed_frame_get(r->arg)) == NULL)
		return http_error(r, 500);
	return after == NULL ? reader_feed(r, frame, table) :
	    peer_feed(r, frame, table, seq, own);
}

/* One collection a poll asks about, and the cursor it asks from. */
struct poll_item {
	const char	*collection;
	const char	*table;
	long long	 since;
	long long	 latest;
};

/*
 * Reads since, "members:120,events:44", into items: at most POLL_MAX
 * names, each a collection at most once.  A name this node does not
 * serve is passed over, so that a newer peer may ask of collections an
 * older node does not have.  The number of items, or -1 when it is not
 * of that form.
 */
static int
poll_parse(const char *since, struct poll_item items[POLL_MAX])
{
	char name[33], num[24];
	const char *p = since, *colon, *end, *coll;
	size_t len, i;
	long v;
	int n = 0, seen = 0, k;

	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		if (seen++ >= POLL_MAX)
			return -1;
		end = p + strcspn(p, ",");
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon == NULL || colon == p ||
		    (len = (size_t)(colon - p)) >= sizeof(name) ||
		    (size_t)(end - colon - 1) >= sizeof(num))
			return -1;
		memcpy(name, p, len);
		name[len] = '\0';
		memcpy(num, colon + 1, (size_t)(end - colon - 1));
		num[end - colon - 1] = '\0';
		if (strspn(name, "abcdefghijklmnopqrstuvwxyz") != len ||
		    util_parse_long(num, 0, LONG_MAX, &v) == -1)
			return -1;
		for (i = 0; (coll = publish_collection(i)) != NULL; i++)
			if (strcmp(coll, name) == 0)
				break;
		if (coll != NULL) {
			for (k = 0; k < n; k++)
				if (items[k].collection == coll)
					return -1;
			items[n].collection = coll;
			items[n].table = publish_table(coll);
			items[n].since = v;
			n++;
		}
		p = *end == ',' ? end + 1 : end;
		if (*end == ',' && *p == '\0')
			return -1;
	}
	return n;
}

/*
 * GET /feeds?since=members:120,events:44 (docs/protocol.md, section 6):
 * the collections named with anything served after the cursor given,
 * one a line with the newest change ("members 130"), or 204 when none
 * has: a caught-up peer asks this one question per poll.  It says only
 * what the feeds say (their newest sequence numbers, and in the header
 * Acorn-Stream the stream they belong to: a puller that finds a new one
 * reads this node again from the start).
 */
int
feeds_poll(struct request *r)
{
	struct poll_item items[POLL_MAX];
	struct strbuf sql = { NULL, 0, 0, 0 }, body = { NULL, 0, 0, 0 };
	struct MHD_Response *resp;
	unsigned char digest[32];
	char hex[33], etag[40], *q = NULL, *text = NULL, *stream = NULL;
	const char *since = http_query(r, "since");
	PGresult *res = NULL;
	int n, i, news = 0, rc, own;

	if (since == NULL || (n = poll_parse(since, items)) == -1 ||
	    (own = own_asked(r)) == -1)
		return http_error(r, 400);
	strbuf_str(&sql, "SELECT (SELECT 'urn:uuid:' || id FROM feed_stream)");
	for (i = 0; i < n; i++)
		strbuf_printf(&sql, ", (SELECT coalesce(max(seq), 0) FROM %s"
		    " WHERE " FED_SERVED " %s)", items[i].table,
		    own ? FED_OWN : "");
	if ((q = strbuf_take(&sql)) == NULL) {
		rc = http_error(r, 500);
		goto done;
	}
	if ((res = db_query(r->db, PGRES_TUPLES_OK, q, 0, NULL)) == NULL) {
		rc = http_error(r, 503);
		goto done;
	}
	for (i = 0; i < n; i++) {
		items[i].latest = strtoll(PQgetvalue(res, 0, i + 1), NULL, 10);
		if (items[i].latest > items[i].since) {
			strbuf_printf(&body, "%s %lld\n", items[i].collection,
			    items[i].latest);
			news++;
		}
	}
	if ((text = strbuf_take(&body)) == NULL) {
		rc = http_error(r, 500);
		goto done;
	}
	/* The answer and the stream are all the ETag has to name. */
	if (!PQgetisnull(res, 0, 0) && (stream = util_printf("%s%s\n%s",
	    own ? "own " : "", PQgetvalue(res, 0, 0), text)) == NULL) {
		rc = http_error(r, 500);
		goto done;
	}
	if (stream != NULL && response_header(r, "Acorn-Stream",
	    PQgetvalue(res, 0, 0)) == -1) {
		rc = http_error(r, 500);
		goto done;
	}
	util_sha256(stream != NULL ? stream : text,
	    strlen(stream != NULL ? stream : text), digest);
	util_hex(digest, 12, hex);
	snprintf(etag, sizeof(etag), "\"p%.24s\"", hex);
	if (http_fresh(r, etag)) {
		rc = http_not_modified(r, etag, "no-cache");
		goto done;
	}
	resp = MHD_create_response_from_buffer(strlen(text), text,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		rc = MHD_NO;
		goto done;
	}
	text = NULL;	/* the response has it */
	if (news > 0)
		MHD_add_response_header(resp, "Content-Type",
		    "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "ETag", etag);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	rc = http_queue(r, news > 0 ? 200 : 204, resp);
done:
	PQclear(res);
	free(stream);
	free(text);
	free(q);
	return rc;
}
