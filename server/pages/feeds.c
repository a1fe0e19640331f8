/*
 * GET /feeds/{collection}: the Atom feeds of every shared collection
 * (newest first for feed readers; with ?after=SEQ, oldest first in pages
 * for peers).
 *
 * The entries themselves are made and signed by feeds/publish.c and
 * stored; a feed is the stored entries put together, byte for byte.
 * Anything still waiting to be signed is signed first, so a feed is
 * never behind the pages.  An unchanged feed answers If-None-Match with
 * a 304 worked out from one small query.
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

/* Rows peers may be given: signed, and not changed since. */
#define SERVED	"entry IS NOT NULL AND NOT pending"
/* Live entries, not tombstones (an unlisted profile keeps one). */
#define LIVE	SERVED " AND NOT deleted AND left(entry, 6) = '<entry'"

/* "\"<32 hex>\"" of what the feed depends on. */
static int
make_etag(const char *state, char etag[35])
{
	unsigned char digest[32];
	char hex[65], *seed;

	seed = util_printf("%s|%s|%s|%s", state, cfg->public_url,
	    cfg->node_name, PACKAGE_VERSION);
	if (seed == NULL)
		return -1;
	util_sha256(seed, strlen(seed), digest);
	free(seed);
	util_hex(digest, 16, hex);
	snprintf(etag, 35, "\"%.32s\"", hex);
	return 0;
}

/* A feed response's parts, kept until it has been sent. */
struct feed_body {
	PGresult		*res;	/* the stored entries */
	char			*frame;	/* the feed element, FED_ENTRIES_MARK inside */
	struct MHD_IoVec	*iov;
};

static void
feed_body_free(void *arg)
{
	struct feed_body *fb = arg;

	PQclear(fb->res);
	free(fb->frame);
	free(fb->iov);
	free(fb);
}

/*
 * Sends a feed: frame, the feed document written with FED_ENTRIES_MARK in
 * place of its entries, and in there rows 0 to n - 1 of column col of
 * res, each on a line of its own, as stored.  The entries go out from
 * res where they are, never copied into one big buffer (a page of 200
 * runs to megabytes).  Takes frame and res.
 */
static int
send_feed(struct request *r, char *frame, PGresult *res, int col, int n,
    const char *etag)
{
	struct MHD_Response *resp;
	struct feed_body *fb = NULL;
	char *mark;
	int i, k = 0;

	mark = frame != NULL ? strstr(frame, FED_ENTRIES_MARK) : NULL;
	if (mark == NULL || (fb = calloc(1, sizeof(*fb))) == NULL ||
	    (fb->iov = calloc(2 * (size_t)n + 3, sizeof(*fb->iov))) == NULL) {
		free(fb);
		free(frame);
		PQclear(res);
		return http_error(r, 500);
	}
	fb->res = res;
	fb->frame = frame;
	fb->iov[k].iov_base = frame;
	fb->iov[k++].iov_len = (size_t)(mark - frame);
	for (i = 0; i < n; i++) {
		fb->iov[k].iov_base = "\n";
		fb->iov[k++].iov_len = 1;
		fb->iov[k].iov_base = PQgetvalue(res, i, col);
		fb->iov[k++].iov_len = (size_t)PQgetlength(res, i, col);
	}
	fb->iov[k].iov_base = "\n";
	fb->iov[k++].iov_len = 1;
	fb->iov[k].iov_base = mark + strlen(FED_ENTRIES_MARK);
	fb->iov[k].iov_len = strlen(fb->iov[k].iov_base);
	k++;
	resp = MHD_create_response_from_iovec(fb->iov, (unsigned int)k,
	    feed_body_free, fb);
	if (resp == NULL) {
		feed_body_free(fb);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
	    "application/atom+xml; charset=utf-8");
	MHD_add_response_header(resp, "ETag", etag);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	return http_queue(r, 200, resp);
}

/*
 * The state of a feed, for the table named by its %s: what the feed
 * depends on, and its date.  For feed readers, how many live entries
 * there are and the sum of their change numbers; for peers, the newest
 * change served.
 */
static const char reader_state[] =
    "SELECT count(*) || '|' || coalesce(sum(seq), 0), "
    RFC3339("coalesce(max(updated), (SELECT created FROM node))")
    " FROM %s WHERE " LIVE;
static const char peer_state[] =
    "SELECT coalesce(max(seq), 0), " RFC3339("now()")
    " FROM %s WHERE " SERVED;

enum { FS_STATE, FS_UPDATED };

/* The entries of a feed: the newest live ones for feed readers. */
static const char reader_entries[] =
    "SELECT entry FROM %s WHERE " LIVE
    " ORDER BY updated DESC, seq DESC LIMIT %d";

enum { RE_ENTRY };

/*
 * For peers: a page from after change $1, oldest first, of at most %d
 * entries that together hold at most $2 bytes, but always the first.
 * One row more than the page comes back, its entry NULL, when there are
 * more: the page's rel="next" goes on from its last entry.  Sizes are
 * read without reading the entries, and only the page's entries are.
 */
static const char peer_entries[] =
    "SELECT seq, CASE WHEN n <= %d AND (n = 1 OR total <= $2::bigint)"
    "  THEN entry END"
    " FROM (SELECT seq, entry, row_number() OVER w AS n,"
    "  sum(octet_length(entry) + 1) OVER w AS total"
    "  FROM (SELECT seq, entry FROM %s WHERE seq > $1 AND " SERVED
    "   ORDER BY seq LIMIT %d) l WINDOW w AS (ORDER BY seq)) s"
    " WHERE n <= 2 OR total - octet_length(entry) - 1 <= $2::bigint"
    " ORDER BY seq";

enum { PE_SEQ, PE_ENTRY };

/*
 * The entries of a page take what is left of FED_PAGE_BYTES once the
 * feed element around them is written, which is never near this much.
 */
#define FRAME_ROOM	(16 * 1024)

/* The state of a feed (reader_state, peer_state), or NULL with *rc. */
static PGresult *
feed_state(struct request *r, const char *table, const char *state_sql,
    int *rc)
{
	PGresult *state;
	char *sql;

	sql = util_printf(state_sql, table);
	state = sql == NULL ? NULL : db_query(r->db, PGRES_TUPLES_OK, sql, 0,
	    NULL);
	free(sql);
	if (state == NULL)
		*rc = http_error(r, 503);
	return state;
}

/*
 * The ETag of a feed from seed (malloc'd, taken), what it depends on.
 * 1 when the answer is given already, in *rc: a 304 for a reader who
 * holds it, or an error; 0 when the feed is to be sent.
 */
static int
feed_etag(struct request *r, char *seed, char etag[35], int *rc)
{
	if (seed == NULL || make_etag(seed, etag) == -1) {
		free(seed);
		*rc = http_error(r, 500);
		return 1;
	}
	free(seed);
	if (http_fresh(r, etag)) {
		*rc = http_not_modified(r, etag, "no-cache");
		return 1;
	}
	return 0;
}

/* The rows of a feed, or NULL with the error page given in *rc. */
static PGresult *
feed_rows(struct request *r, const char *sql, int n, const char *const *p,
    int *rc)
{
	PGresult *res;

	res = sql == NULL ? NULL : db_query(r->db, PGRES_TUPLES_OK, sql, n, p);
	if (res == NULL)
		*rc = http_error(r, 503);
	return res;
}

/* For feed readers: the newest live entries. */
static int
reader_feed(struct request *r, const char *collection, const char *table)
{
	PGresult *state, *res;
	char *sql = NULL, *self, *frame, etag[35];
	int rc;

	if ((state = feed_state(r, table, reader_state, &rc)) == NULL)
		return rc;
	if (feed_etag(r, util_printf("%s|after=-1", PQgetvalue(state, 0,
	    FS_STATE)), etag, &rc))
		goto done;
	sql = util_printf(reader_entries, table, READER_ENTRIES);
	if ((res = feed_rows(r, sql, 0, NULL, &rc)) == NULL)
		goto done;
	self = util_printf("%s/feeds/%s", cfg->public_url, collection);
	frame = self == NULL ? NULL : feed_frame(collection, self,
	    PQgetvalue(state, 0, FS_UPDATED), NULL, NULL, NULL);
	free(self);
	rc = send_feed(r, frame, res, RE_ENTRY, PQntuples(res), etag);
done:
	free(sql);
	PQclear(state);
	return rc;
}

/*
 * For peers: oldest first from after, a page at a time, each at most
 * FED_PAGE_BYTES however large its entries are.  The ETag of a
 * last page (no rel="next") depends only on the newest change served,
 * and a page with more after it also on where it starts.  A puller
 * keeps the ETag of the last page it merged and next asks from that
 * page's cursor, so its next poll is a 304 unless something changed;
 * were the ETag to depend on where each page starts, the first poll
 * after every change would be a page without entries.
 */
static int
peer_feed(struct request *r, const char *collection, const char *table,
    long after)
{
	PGresult *state, *res = NULL;
	char *sql, *s, *self, *next = NULL, *frame, etag[35], from[24];
	char budget[24];
	const char *p[2] = { from, budget };
	long long latest;
	int n, more = 0, rc;

	if ((state = feed_state(r, table, peer_state, &rc)) == NULL)
		return rc;
	latest = strtoll(PQgetvalue(state, 0, FS_STATE), NULL, 10);
	snprintf(from, sizeof(from), "%ld", after);
	snprintf(budget, sizeof(budget), "%ld", FED_PAGE_BYTES - FRAME_ROOM);
	sql = util_printf(peer_entries, PEER_PAGE, table, PEER_PAGE + 1);
	/* From the newest change on, nothing is read before a 304. */
	if (after < latest) {
		if ((res = feed_rows(r, sql, 2, p, &rc)) == NULL)
			goto done;
		more = PQntuples(res) > 0 &&
		    PQgetisnull(res, PQntuples(res) - 1, PE_ENTRY);
	}
	s = more ? util_printf("%lld|after=%ld", latest, after) :
	    util_printf("%lld|last", latest);
	if (feed_etag(r, s, etag, &rc))
		goto done;
	if (res == NULL && (res = feed_rows(r, sql, 2, p, &rc)) == NULL)
		goto done;
	n = PQntuples(res);
	more = n > 0 && PQgetisnull(res, n - 1, PE_ENTRY);
	if (more)
		n--;
	self = util_printf("%s/feeds/%s?after=%ld", cfg->public_url,
	    collection, after);
	if (more)
		next = util_printf("%s/feeds/%s?after=%s", cfg->public_url,
		    collection, PQgetvalue(res, n - 1, PE_SEQ));
	frame = self == NULL || (more && next == NULL) ? NULL :
	    feed_frame(collection, self, PQgetvalue(state, 0, FS_UPDATED),
	    next, n > 0 ? PQgetvalue(res, n - 1, PE_SEQ) : NULL,
	    PQgetvalue(state, 0, FS_STATE));
	free(self);
	free(next);
	rc = send_feed(r, frame, res, PE_ENTRY, n, etag);
	res = NULL;	/* send_feed took it */
done:
	PQclear(res);
	free(sql);
	PQclear(state);
	return rc;
}

/* GET /feeds/{collection}[?after=SEQ] */
int
feeds_serve(struct request *r)
{
	const char *table = publish_table(r->arg), *after;
	long seq;

	if (table == NULL)
		return http_error(r, 404);
	after = http_query(r, "after");
	if (after != NULL && util_parse_long(after, 0, LONG_MAX, &seq) == -1)
		return http_error(r, 400);
	/* Whatever waits to be signed goes out first. */
	if (publish_pending(r->db, server_signer) == -1)
		return http_error(r, 503);
	return after == NULL ? reader_feed(r, r->arg, table) :
	    peer_feed(r, r->arg, table, seq);
}

