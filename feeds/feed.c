/*
 * The documents around stored entries: a feed's frame (its head, made
 * once per collection, and a page's own few elements, written without
 * any XML library: a self link, a date and for peers the paging links)
 * and this node's AtomPub service document (RFC 5023).  The entries
 * themselves are never rewritten: the server sends them from where they
 * are stored.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core.h"
#include "atom.h"
#include "federation.h"

/*
 * The feed element up to where a page's own parts go: the parts that
 * stay the same for every page of the collection while this process
 * runs.  Atom leaves the order of a feed's children free, so the self
 * link, the date and the paging elements follow them.
 */
static char *
frame_head(const char *collection)
{
	struct atom a;
	char *s;

	if (atom_open(&a) == -1)
		return NULL;
	atom_declaration(&a);
	atom_start_ns(&a, NULL, "feed", FED_ATOM_NS);
	/* For the paging elements, and for readers of the entries. */
	atom_xmlns(&a, "at", FED_TOMB_NS);
	atom_xmlns(&a, "acorn", FED_ACORN_NS);
	s = util_printf("%s/feeds/%s", cfg->public_url, collection);
	atom_text(&a, "id", s);
	free(s);
	s = util_printf("%s%s", cfg->public_url, publish_page(collection));
	atom_link(&a, "alternate", "text/html", s);
	free(s);
	s = util_printf("%s: %s", cfg->node_name, publish_title(collection));
	atom_text(&a, "title", s);
	free(s);
	atom_start(&a, "author");
	atom_text(&a, "name", cfg->node_name);
	atom_end(&a);
	atom_start(&a, "generator");
	atom_attr(&a, "version", PACKAGE_VERSION);
	atom_string(&a, "Acorn");
	atom_end(&a);
	atom_raw(&a, FED_ENTRIES_MARK);
	if ((s = atom_close(&a)) != NULL)
		*strstr(s, FED_ENTRIES_MARK) = '\0';
	return s;
}

/* s as an XML attribute value holds it (malloc'd), or NULL. */
static char *
attr_escape(const char *s)
{
	struct strbuf b = { NULL, 0, 0, 0 };

	atom_escape_attr(&b, s);
	return strbuf_take(&b);
}

static struct feed_frame frames[FED_COLLECTIONS];
static pthread_once_t frames_once = PTHREAD_ONCE_INIT;
static int frames_failed;

/*
 * Makes every collection's frame, once: the configuration they come from
 * does not change while the process runs.
 */
static void
frames_make(void)
{
	struct feed_frame *f;
	unsigned char digest[32];
	const char *coll;
	char *href;
	size_t i;

	for (i = 0; i < FED_COLLECTIONS &&
	    (coll = publish_collection(i)) != NULL; i++) {
		f = &frames[i];
		f->collection = coll;
		href = util_printf("%s/feeds/%s", cfg->public_url, coll);
		f->head = frame_head(coll);
		f->href = href != NULL ? attr_escape(href) : NULL;
		free(href);
		if (f->head == NULL || f->href == NULL) {
			frames_failed = 1;
			return;
		}
		f->head_len = strlen(f->head);
		/* What every page of it depends on besides its entries. */
		href = util_printf("%s|%s", f->head, f->href);
		if (href == NULL) {
			frames_failed = 1;
			return;
		}
		util_sha256(href, strlen(href), digest);
		free(href);
		util_hex(digest, 8, f->version);
	}
}

/*
 * The frame of collection (a name publish_table knows), or NULL when it
 * is unknown or memory ran out.  Made once per process, shared by every
 * thread, never freed.
 */
const struct feed_frame *
feed_frame_get(const char *collection)
{
	size_t i;

	pthread_once(&frames_once, frames_make);
	if (frames_failed || collection == NULL)
		return NULL;
	for (i = 0; i < FED_COLLECTIONS && frames[i].collection != NULL; i++)
		if (strcmp(frames[i].collection, collection) == 0)
			return &frames[i];
	return NULL;
}

/*
 * A page's own parts of the feed element, written after f's head: its
 * self link (with ?after=after when after >= 0: a page for peers), its
 * date, and for peers the link to the next page when next >= 0, its
 * cursor when cursor >= 0, the newest change when latest >= 0 and the
 * stream the numbers belong to when stream is not NULL (a uuid, as the
 * database writes one); with own, both links ask for this node's own
 * records alone (&own=1).  The numbers, a date and a uuid are all that
 * is new here, so nothing is escaped.
 * Answers its length, or -1 when it does not fit in out.
 */
int
feed_frame_page(const struct feed_frame *f, char *out, size_t size,
    long long after, const char *updated, long long next, long long cursor,
    long long latest, const char *stream, int own)
{
	const char *mine = own ? "&amp;own=1" : "";
	size_t n = 0;
	int k;

#define PUT(...) do { \
	k = snprintf(out + n, size - n, __VA_ARGS__); \
	if (k < 0 || (size_t)k >= size - n) \
		return -1; \
	n += (size_t)k; \
} while (0)
	PUT("<link rel=\"self\" type=\"application/atom+xml\" href=\"%s",
	    f->href);
	if (after >= 0)
		PUT("?after=%lld%s", after, mine);
	PUT("\"/><updated>%s</updated>", updated);
	if (next >= 0)
		PUT("<link rel=\"next\" type=\"application/atom+xml\""
		    " href=\"%s?after=%lld%s\"/>", f->href, next, mine);
	if (cursor >= 0)
		PUT("<acorn:cursor>%lld</acorn:cursor>", cursor);
	if (latest >= 0)
		PUT("<acorn:latest>%lld</acorn:latest>", latest);
	if (stream != NULL && strlen(stream) == FED_UUID_LEN &&
	    strspn(stream, "0123456789abcdef-") == FED_UUID_LEN)
		PUT("<acorn:stream>urn:uuid:%s</acorn:stream>", stream);
#undef PUT
	return (int)n;
}

/*
 * For peers: the newest change served, whether rows wait to be signed,
 * and a page from after change $1, oldest first, of at most %d entries
 * that together hold at most $2 bytes, but always the first.  One row
 * more than the page comes back, its entry NULL, when there are more:
 * the page's rel="next" goes on from its last entry.  Sizes are read
 * without reading the entries, and only the page's entries are.  A
 * page's date is the newest of its entries' (the running maximum of
 * its last row), so that the page is the same bytes until they change.
 * One row with a NULL seq when the page is empty.  Every row says the
 * stream the numbers belong to (schema/061).
 */
static const char peer_sql[] =
    "SELECT s.latest, s.pending, p.seq, p.entry, "
    RFC3339("coalesce(p.newest, " FED_NO_DATE ")") ", s.stream"
    " FROM (SELECT (SELECT coalesce(max(seq), 0) FROM %s WHERE " FED_SERVED
    "  %s) AS latest, (SELECT min(seq) FROM %s WHERE pending) IS NOT NULL"
    "  AS pending, (SELECT id FROM feed_stream) AS stream) s"
    " LEFT JOIN (SELECT seq, newest, CASE WHEN n <= %d AND"
    "  (n = 1 OR total <= $2::bigint) THEN entry END AS entry"
    "  FROM (SELECT seq, entry, row_number() OVER w AS n,"
    "   sum(octet_length(entry) + 1) OVER w AS total,"
    "   max(updated) OVER w AS newest"
    "   FROM (SELECT seq, entry, updated FROM %s WHERE seq > $1 AND "
    FED_SERVED " %s ORDER BY seq LIMIT %d) l"
    "   WINDOW w AS (ORDER BY seq)) w"
    "  WHERE n <= 2 OR total - octet_length(entry) - 1 <= $2::bigint) p"
    " ON true ORDER BY p.seq";

/*
 * The query of a page for peers from table (publish_table's), of at
 * most entries entries (PE_ names its columns), malloc'd, or NULL.
 * With own, of this node's own records alone (protocol section 6,
 * ?own=1): the numbers are the same, those of others left out.
 */
char *
feed_peer_sql(const char *table, int entries, int own)
{
	const char *mine = own ? FED_OWN : "";

	return util_printf(peer_sql, table, mine, table, entries, table,
	    mine, entries + 1);
}

/* What the answer res to feed_peer_sql's query says of its page. */
void
feed_peer_read(const struct pg_result *res, struct peer_page *pg)
{
	const PGresult *r = (const PGresult *)res;
	int rows;

	rows = PQgetisnull(r, 0, PE_SEQ) ? 0 : PQntuples(r);
	pg->n = rows;
	if (rows > 0 && PQgetisnull(r, rows - 1, PE_ENTRY))
		pg->n--;
	pg->latest = strtoll(PQgetvalue(r, 0, PE_LATEST), NULL, 10);
	pg->updated = PQgetvalue(r, pg->n > 0 ? pg->n - 1 : 0, PE_UPDATED);
	pg->cursor = pg->n > 0 ? strtoll(PQgetvalue(r, pg->n - 1, PE_SEQ),
	    NULL, 10) : -1;
	pg->next = pg->n < rows ? pg->cursor : -1;
	pg->stream = PQgetisnull(r, 0, PE_STREAM) ? NULL :
	    PQgetvalue(r, 0, PE_STREAM);
}

/*
 * A whole feed document into b: f's head, the page's own elements
 * (feed_frame_page's), the n entries of column col from row first of
 * res, each on a line of its own, and the tail.  -1 when the page's
 * elements could not be written (b failed is the caller's to look at).
 */
int
feed_page_text(const struct feed_frame *f, const struct pg_result *res,
    int col, int first, int n, long long after, const char *updated,
    long long next, long long cursor, long long latest, const char *stream,
    int own, struct strbuf *b)
{
	const PGresult *r = (const PGresult *)res;
	size_t size = FEED_FRAME_PAGE_SIZE(f);
	char *parts;
	int i, len;

	if ((parts = malloc(size)) == NULL || (len = feed_frame_page(f,
	    parts, size, after, updated, next, cursor, latest, stream,
	    own)) == -1) {
		free(parts);
		return -1;
	}
	strbuf_add(b, f->head, f->head_len);
	strbuf_add(b, parts, (size_t)len);
	free(parts);
	for (i = first; i < first + n; i++) {
		strbuf_add(b, "\n", 1);
		strbuf_add(b, PQgetvalue(r, i, col),
		    (size_t)PQgetlength(r, i, col));
	}
	strbuf_str(b, FED_FEED_TAIL);
	return 0;
}

/* A collection element of the service document. */
static void
service_collection(struct atom *a, const char *href, const char *title,
    const char *accept)
{
	atom_start_ns(a, "app", "collection", NULL);
	atom_attr(a, "href", href);
	atom_text(a, "title", title);
	atom_start_ns(a, "app", "accept", NULL);
	if (accept != NULL)
		atom_string(a, accept);
	atom_end(a);
	atom_end(a);
}

/*
 * This node's AtomPub service document: its id, region, address and
 * key's fingerprint, every collection it serves, and the inbox.  NULL
 * when memory ran out.
 */
char *
feed_service(const char *fingerprint)
{
	struct atom a;
	const char *coll;
	char *s;
	size_t i;

	if (atom_open(&a) == -1)
		return NULL;
	atom_declaration(&a);
	atom_start_ns(&a, "app", "service", FED_APP_NS);
	atom_xmlns(&a, "", FED_ATOM_NS);
	atom_xmlns(&a, "acorn", FED_ACORN_NS);
	atom_start_ns(&a, "app", "workspace", NULL);
	atom_text(&a, "title", cfg->node_name);
	atom_field_start(&a, "node");
	s = util_printf("urn:uuid:%s", node_id);
	atom_attr(&a, "id", s);
	free(s);
	atom_attr(&a, "region", cfg->region);
	atom_attr(&a, "url", cfg->public_url);
	atom_attr(&a, "fingerprint", fingerprint);
	atom_end(&a);
	for (i = 0; (coll = publish_collection(i)) != NULL; i++) {
		s = util_printf("%s/feeds/%s", cfg->public_url, coll);
		service_collection(&a, s, coll, NULL);
		free(s);
	}
	/* The inbox, which takes one signed entry at a time. */
	s = util_printf("%s/federation/inbox", cfg->public_url);
	service_collection(&a, s, "inbox", "application/atom+xml;type=entry");
	free(s);
	return atom_close(&a);
}
