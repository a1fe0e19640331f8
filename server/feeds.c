/*
 * The federation's HTTP side: the Atom feeds of every shared collection
 * (newest first for feed readers; with ?after=SEQ, oldest first in pages
 * for peers), this node's public key and AtomPub service document, the
 * ping a peer sends to have its feeds pulled at once, and the inbox.
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

#include <libxml/xmlwriter.h>
#include <microhttpd.h>

#include "config.h"
#include "acorn.h"
#include "atom.h"
#include "federation.h"

#define READER_ENTRIES	50
#define PEER_PAGE	200

const struct signer *server_signer;

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

/* Where a feed's entries go in the document written around them. */
#define ENTRIES_MARK	"<?acorn-entries?>"

/* A feed response's parts, kept until it has been sent. */
struct feed_body {
	PGresult		*res;	/* the stored entries */
	char			*frame;	/* the feed element, ENTRIES_MARK inside */
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
 * Sends a feed: frame, the feed document written with ENTRIES_MARK in
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

	mark = frame != NULL ? strstr(frame, ENTRIES_MARK) : NULL;
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
	fb->iov[k].iov_base = mark + strlen(ENTRIES_MARK);
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

/* The feed element up to its entries; the caller ends it. */
static void
feed_head(struct atom *a, const char *collection, const char *self,
    const char *updated)
{
	char *s;

	atom_check(a, xmlTextWriterStartDocument(a->w, NULL, "UTF-8", NULL));
	atom_check(a, xmlTextWriterStartElementNS(a->w, NULL, BAD_CAST "feed",
	    BAD_CAST FED_ATOM_NS));
	atom_check(a, xmlTextWriterWriteAttribute(a->w, BAD_CAST "xmlns:at",
	    BAD_CAST FED_TOMB_NS));
	atom_check(a, xmlTextWriterWriteAttribute(a->w,
	    BAD_CAST "xmlns:acorn", BAD_CAST FED_ACORN_NS));
	s = util_printf("%s/feeds/%s", cfg->public_url, collection);
	atom_text(a, "id", s);
	free(s);
	atom_link(a, "self", "application/atom+xml", self);
	s = util_printf("%s%s", cfg->public_url,
	    strcmp(collection, "evaluations") == 0 ? "/evidence" :
	    strcmp(collection, "documents") == 0 ? "/library" :
	    strcmp(collection, "nodes") == 0 ? "/" : NULL);
	if (s == NULL)
		s = util_printf("%s/%s", cfg->public_url, collection);
	atom_link(a, "alternate", "text/html", s);
	free(s);
	s = util_printf("%s: %s", cfg->node_name,
	    strcmp(collection, "members") == 0 ? "member directory" :
	    strcmp(collection, "documents") == 0 ? "library documents" :
	    strcmp(collection, "nodes") == 0 ? "nodes of the network" :
	    collection);
	atom_text(a, "title", s);
	free(s);
	atom_text(a, "updated", updated);
	atom_start(a, "author");
	atom_text(a, "name", cfg->node_name);
	atom_end(a);
	atom_start(a, "generator");
	atom_attr(a, "version", PACKAGE_VERSION);
	atom_string(a, "Acorn");
	atom_end(a);
}


/*
 * The state of a feed: first column, what it depends on; second, its
 * date.  NULL with the error page given in *rc.
 */
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
    PGresult *state, struct atom *a, int *rc)
{
	PGresult *res;

	res = sql == NULL ? NULL : db_query(r->db, PGRES_TUPLES_OK, sql, n, p);
	if (res == NULL || atom_open(a) == -1) {
		*rc = http_error(r, res == NULL ? 503 : 500);
		PQclear(res);
		PQclear(state);
		return NULL;
	}
	return res;
}

/*
 * Ends the feed and sends it, with rows 0 to n - 1 of column col of res
 * as its entries: stored as they are, canonicalised when signed.
 */
static int
feed_finish(struct request *r, struct atom *a, PGresult *res, int col,
    int n, PGresult *state, const char *etag)
{
	atom_raw(a, ENTRIES_MARK);
	atom_check(a, xmlTextWriterEndDocument(a->w));
	PQclear(state);
	return send_feed(r, atom_close(a), res, col, n, etag);
}

/* For feed readers: the newest live entries. */
static int
reader_feed(struct request *r, const char *collection, const char *table)
{
	PGresult *state, *res;
	struct atom a;
	char *sql, *self, etag[35];
	int rc;

	state = feed_state(r, table, "SELECT count(*) || '|' ||"
	    " coalesce(sum(seq), 0), "
	    RFC3339("coalesce(max(updated), (SELECT created FROM node))")
	    " FROM %s WHERE " LIVE, &rc);
	if (state == NULL)
		return rc;
	if (feed_etag(r, util_printf("%s|after=-1", PQgetvalue(state, 0, 0)),
	    etag, &rc)) {
		PQclear(state);
		return rc;
	}
	sql = util_printf("SELECT entry FROM %s WHERE " LIVE
	    " ORDER BY updated DESC, seq DESC LIMIT %d", table,
	    READER_ENTRIES);
	res = feed_rows(r, sql, 0, NULL, state, &a, &rc);
	free(sql);
	if (res == NULL)
		return rc;
	self = util_printf("%s/feeds/%s", cfg->public_url, collection);
	feed_head(&a, collection, self, PQgetvalue(state, 0, 1));
	free(self);
	return feed_finish(r, &a, res, 0, PQntuples(res), state, etag);
}

/*
 * For peers: oldest first from after, a page at a time.  The ETag of a
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
	struct atom a;
	char *sql, *s, etag[35], from[24];
	const char *p[1] = { from };
	long long latest;
	int n, more = 0, rc;

	state = feed_state(r, table, "SELECT coalesce(max(seq), 0), "
	    RFC3339("now()") " FROM %s WHERE " SERVED, &rc);
	if (state == NULL)
		return rc;
	latest = strtoll(PQgetvalue(state, 0, 0), NULL, 10);
	snprintf(from, sizeof(from), "%ld", after);
	sql = util_printf("SELECT seq, entry FROM %s WHERE seq > $1 AND "
	    SERVED " ORDER BY seq LIMIT %d", table, PEER_PAGE + 1);
	/* From the newest change on, nothing is read before a 304. */
	if (after < latest) {
		if ((res = feed_rows(r, sql, 1, p, state, &a, &rc)) == NULL) {
			free(sql);
			return rc;
		}
		more = PQntuples(res) > PEER_PAGE;
	}
	s = more ? util_printf("%lld|after=%ld", latest, after) :
	    util_printf("%lld|last", latest);
	if (feed_etag(r, s, etag, &rc)) {
		if (res != NULL) {
			PQclear(res);
			free(atom_close(&a));
		}
		PQclear(state);
		free(sql);
		return rc;
	}
	if (res == NULL &&
	    (res = feed_rows(r, sql, 1, p, state, &a, &rc)) == NULL) {
		free(sql);
		return rc;
	}
	free(sql);
	n = PQntuples(res);
	more = n > PEER_PAGE;
	if (more)
		n = PEER_PAGE;
	s = util_printf("%s/feeds/%s?after=%ld", cfg->public_url, collection,
	    after);
	feed_head(&a, collection, s, PQgetvalue(state, 0, 1));
	free(s);
	if (n > 0) {
		if (more) {
			s = util_printf("%s/feeds/%s?after=%s", cfg->public_url,
			    collection, PQgetvalue(res, n - 1, 0));
			atom_link(&a, "next", "application/atom+xml", s);
			free(s);
		}
		atom_field(&a, "cursor", PQgetvalue(res, n - 1, 0));
	}
	atom_field(&a, "latest", PQgetvalue(state, 0, 0));
	return feed_finish(r, &a, res, 1, n, state, etag);
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

/* GET /federation/key.pem */
int
federation_key(struct request *r)
{
	char *pem;

	if (server_signer == NULL || server_signer->key == NULL)
		return http_error(r, 404);
	if ((pem = fed_public_pem(server_signer->key)) == NULL)
		return http_error(r, 500);
	return http_send(r, 200, "application/x-pem-file", pem, strlen(pem),
	    0);
}

/* GET /federation/service: the AtomPub service document (RFC 5023). */
int
federation_service(struct request *r)
{
	struct atom a;
	const char *coll;
	char *s, *body;
	size_t i;

	if (server_signer == NULL || atom_open(&a) == -1)
		return http_error(r, 500);
	atom_check(&a, xmlTextWriterStartDocument(a.w, NULL, "UTF-8", NULL));
	atom_check(&a, xmlTextWriterStartElementNS(a.w, BAD_CAST "app",
	    BAD_CAST "service", BAD_CAST FED_APP_NS));
	atom_check(&a, xmlTextWriterWriteAttribute(a.w, BAD_CAST "xmlns",
	    BAD_CAST FED_ATOM_NS));
	atom_check(&a, xmlTextWriterWriteAttribute(a.w,
	    BAD_CAST "xmlns:acorn", BAD_CAST FED_ACORN_NS));
	atom_check(&a, xmlTextWriterStartElementNS(a.w, BAD_CAST "app",
	    BAD_CAST "workspace", NULL));
	atom_text(&a, "title", cfg->node_name);
	atom_field_start(&a, "node");
	s = util_printf("urn:uuid:%s", node_id);
	atom_attr(&a, "id", s);
	free(s);
	atom_attr(&a, "region", cfg->region);
	atom_attr(&a, "url", cfg->public_url);
	atom_attr(&a, "fingerprint", server_signer->fingerprint);
	atom_end(&a);
	for (i = 0; (coll = publish_collection(i)) != NULL; i++) {
		atom_check(&a, xmlTextWriterStartElementNS(a.w, BAD_CAST "app",
		    BAD_CAST "collection", NULL));
		s = util_printf("%s/feeds/%s", cfg->public_url, coll);
		atom_attr(&a, "href", s);
		free(s);
		atom_text(&a, "title", coll);
		atom_check(&a, xmlTextWriterStartElementNS(a.w, BAD_CAST "app",
		    BAD_CAST "accept", NULL));
		atom_end(&a);
		atom_end(&a);
	}
	/* The inbox, which takes one signed entry at a time. */
	atom_check(&a, xmlTextWriterStartElementNS(a.w, BAD_CAST "app",
	    BAD_CAST "collection", NULL));
	s = util_printf("%s/federation/inbox", cfg->public_url);
	atom_attr(&a, "href", s);
	free(s);
	atom_text(&a, "title", "inbox");
	atom_check(&a, xmlTextWriterStartElementNS(a.w, BAD_CAST "app",
	    BAD_CAST "accept", NULL));
	atom_string(&a, "application/atom+xml;type=entry");
	atom_end(&a);
	atom_end(&a);
	atom_check(&a, xmlTextWriterEndDocument(a.w));
	if ((body = atom_close(&a)) == NULL)
		return http_error(r, 500);
	return http_send(r, 200, "application/atomsvc+xml; charset=utf-8",
	    body, strlen(body), 0);
}

/* POST /federation/ping: node=urn:uuid:SENDER.  Pull it at once. */
int
federation_ping(struct request *r)
{
	const char *node = r->form.f[KEY_NODE].text;
	const char *p[1];
	PGresult *res;
	int found;

	if (node == NULL || strncmp(node, "urn:uuid:", 9) != 0 ||
	    !util_uuid_valid(node + 9))
		return http_send(r, 400, "text/plain; charset=utf-8",
		    "node=urn:uuid:... is required\n", 30, 1);
	p[0] = node + 9;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT pg_notify('acorn_ping',"
	    " id::text) FROM peers WHERE node = $1::uuid", 1, p);
	if (res == NULL)
		return http_error(r, 503);
	found = PQntuples(res) == 1;
	PQclear(res);
	if (!found)
		return http_send(r, 404, "text/plain; charset=utf-8",
		    "not a peer of this node\n", 24, 1);
	return http_send(r, 202, "text/plain; charset=utf-8", "pulling\n", 8,
	    1);
}

/*
 * POST /federation/inbox: one signed entry from another node, a
 * registration for an event held here or the outcome of one a member
 * here made (docs/protocol.md, section 8).
 */
int
federation_inbox(struct request *r)
{
	const char *why = NULL;
	char *reply = NULL, *text;
	unsigned int status;
	int rc;

	if (r->upload.data == NULL)
		return http_send(r, 400, "text/plain; charset=utf-8",
		    "an Atom entry is required\n", 26, 1);
	status = (unsigned int)inbox_receive(r->db, server_signer,
	    r->upload.data, r->upload.len, &reply, &why);
	if (reply != NULL) {
		rc = http_send(r, status, "application/atom+xml;type=entry",
		    reply, strlen(reply), 1);
		free(reply);
		return rc;
	}
	if (status == 204)
		return http_send(r, 204, "text/plain; charset=utf-8", "", 0, 1);
	if (status == 503 && why == NULL)
		return http_error(r, 503);
	log_info("inbox: refused (%u): %s", status, why != NULL ? why :
	    "no reason");
	if ((text = util_printf("%s\n", why != NULL ? why : "refused")) ==
	    NULL)
		return http_error(r, 500);
	rc = http_send(r, status, "text/plain; charset=utf-8", text,
	    strlen(text), 1);
	free(text);
	return rc;
}
