/*
 * The response cache: pages (and any response a route flags CACHE or
 * CACHE_OWN) kept in memory under (data version, clock step, viewer
 * class, path and normalised query), served without rendering or, for
 * someone not signed in, without the database at all.  A committed
 * change moves the data version (notify.c), so a page kept before it is
 * never found again: the cache cannot serve a page older than the data,
 * only fail to find one.
 *
 * What differs between people of one class (the CSRF token, the name in
 * the header) or between responses (a form's one-time key) is rendered
 * as a random sentinel of plain letters and
 * digits, which escaping leaves whole; the kept bytes are cut at the
 * sentinels into literal runs and holes, and each request fills the
 * holes with its own values, escaped.  A page with no holes is also
 * kept gzip-compressed, compressed once when it is stored.
 *
 * Memory is bounded by cache_bytes, the least recently used entry going
 * first.  Entries are counted references: one being sent keeps its
 * bytes after it leaves the table, until libmicrohttpd lets go of them.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>
#include <zlib.h>

#include "web.h"

#define BUCKETS		4096		/* a power of two */
#define SENTINEL_LEN	32
#define QUERY_MAX	1024		/* longer queries are not kept */
#define QUERY_PARAMS	32
#define GZIP_MIN	256		/* smaller bodies are sent as they are */
/*
 * Larger ones (a peer's page of entries, up to megabytes) are compressed
 * at zlib's fastest level: a page is compressed again whenever the data
 * version moves, and that must stay cheap.
 */
#define GZIP_FAST	(256 * 1024)

/*
 * The holes: the form token, the name in the header, and a form's
 * one-time key, which is fresh in every response, from memory or not.
 */
enum hole { HOLE_CSRF, HOLE_NAME, HOLE_KEY, HOLE__MAX };

struct seg {
	size_t	 off;		/* into plain, for a literal run */
	size_t	 len;
	int	 hole;		/* enum hole, or -1 for a literal run */
};

struct entry {
	struct entry	*chain;		/* the bucket's next */
	struct entry	*newer, *older;	/* the LRU list */
	atomic_int	 refs;
	uint64_t	 hash;
	uint64_t	 version;
	char		*key;
	size_t		 bytes;		/* what it counts against the bound */
	char		*plain;		/* as rendered, sentinels and all */
	size_t		 plain_len;
	char		*gz;		/* gzip of plain, when it has no holes */
	size_t		 gz_len;
	struct seg	*segs;
	int		 nsegs;
	int		 nholes;
	unsigned int	 status;
	char		*type;
	char		*cache_control;	/* NULL: none */
	struct {
		const char	*name;
		char		*value;
	}		 headers[4];	/* the route's own: ETag and so on */
	int		 nheaders;
};

static struct {
	pthread_mutex_t	 lock;
	struct entry	*bucket[BUCKETS];
	struct entry	*newest, *oldest;
	size_t		 bytes;
	size_t		 max;
	uint64_t	 version;	/* of the newest entry kept */
	unsigned long	 entries;
} c = { .lock = PTHREAD_MUTEX_INITIALIZER };

static atomic_ulong hits, misses, stores, evictions, purged;
static char sentinel[HOLE__MAX][SENTINEL_LEN + 1];

/* Sets the bound (0: nothing kept) and the process's sentinels. */
int
cache_init(long bytes)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char raw[SENTINEL_LEN];
	int h, i;

	c.max = bytes > 0 ? (size_t)bytes : 0;
	for (h = 0; h < HOLE__MAX; h++) {
		if (util_random(raw, sizeof(raw)) == -1)
			return -1;
		/* A letter first: never mistaken for a number in a page. */
		sentinel[h][0] = 'q';
		for (i = 1; i < SENTINEL_LEN; i++)
			sentinel[h][i] = alnum[raw[i] % 36];
		sentinel[h][SENTINEL_LEN] = '\0';
	}
	return 0;
}

static void
entry_unref(struct entry *e)
{
	int i;

	if (e == NULL || atomic_fetch_sub(&e->refs, 1) != 1)
		return;
	free(e->key);
	free(e->plain);
	free(e->gz);
	free(e->segs);
	free(e->type);
	free(e->cache_control);
	for (i = 0; i < e->nheaders; i++)
		free(e->headers[i].value);
	free(e);
}

/* libmicrohttpd is done with the bytes an entry lent it. */
static void
entry_release(void *cls)
{
	entry_unref(cls);
}

static uint64_t
key_hash(const char *k)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *k != '\0'; k++) {
		h ^= (unsigned char)*k;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Under the lock: e leaves the LRU list. */
static void
lru_out(struct entry *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		c.newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		c.oldest = e->newer;
	e->newer = e->older = NULL;
}

/* Under the lock: e joins the LRU list as the most recently used. */
static void
lru_in(struct entry *e)
{
	e->newer = NULL;
	e->older = c.newest;
	if (c.newest != NULL)
		c.newest->newer = e;
	c.newest = e;
	if (c.oldest == NULL)
		c.oldest = e;
}

/* Under the lock: e leaves the table and the LRU list. */
static void
unlink_entry(struct entry *e)
{
	struct entry **pp = &c.bucket[e->hash & (BUCKETS - 1)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->chain;
	if (*pp == e)
		*pp = e->chain;
	lru_out(e);
	c.bytes -= e->bytes;
	c.entries--;
	entry_unref(e);
}

/* Under the lock: e, in the table, becomes the most recently used. */
static void
touch(struct entry *e)
{
	if (c.newest == e)
		return;
	lru_out(e);
	lru_in(e);
}

/*
 * Under the lock: the version has moved on, so every entry kept under
 * an older one can never be found again; its memory goes now.
 */
static void
purge_older(uint64_t v)
{
	struct entry *e, *next;

	if (v <= c.version)
		return;
	c.version = v;
	for (e = c.oldest; e != NULL; e = next) {
		next = e->newer;
		if (e->version < v) {
			unlink_entry(e);
			atomic_fetch_add(&purged, 1);
		}
	}
}

void
cache_free(void)
{
	pthread_mutex_lock(&c.lock);
	while (c.oldest != NULL)
		unlink_entry(c.oldest);
	pthread_mutex_unlock(&c.lock);
}

struct param {
	const char	*key;
	const char	*value;
};

struct params {
	struct param	 p[QUERY_PARAMS];
	int		 n;
	size_t		 len;
	int		 over;	/* too many or too long: not kept */
};

static enum MHD_Result
param_take(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	struct params *ps = cls;

	(void)kind;
	/*
	 * An empty parameter asks for nothing (?q= is the page itself), and
	 * one no handler reads changes nothing.
	 */
	if (key == NULL || value == NULL || value_size == 0 ||
	    !form_query_known(key))
		return MHD_YES;
	ps->len += key_size + value_size + 16;
	if (ps->n == QUERY_PARAMS || ps->len > QUERY_MAX) {
		ps->over = 1;
		return MHD_NO;
	}
	ps->p[ps->n].key = key;
	ps->p[ps->n++].value = value;
	return MHD_YES;
}

/*
 * The request's key: the version, the clock's step when the route's
 * page depends on the time, who is asking (anonymous, with or without a
 * form token; or a role and a region, and the account itself for a
 * CACHE_OWN route), the path and the query with its parameters in order
 * of name (a name's several values kept in their order, which pages may
 * read), empty ones and those no handler reads dropped.  NULL when the
 * request is not to be kept.
 */
static char *
key_make(struct request *r, uint64_t v)
{
	struct params ps;
	struct param t;
	struct strbuf b = { NULL, 0, 0, 0 };
	long step = 0;
	int i, j;

	memset(&ps, 0, sizeof(ps));
	MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND,
	    param_take, &ps);
	if (ps.over)
		return NULL;
	/* Insertion sort: stable, and a handful of parameters at most. */
	for (i = 1; i < ps.n; i++) {
		t = ps.p[i];
		for (j = i; j > 0 && strcmp(ps.p[j - 1].key, t.key) > 0; j--)
			ps.p[j] = ps.p[j - 1];
		ps.p[j] = t;
	}
	if (r->route->clock > 0)
		step = (long)(time(NULL) / r->route->clock);
	strbuf_printf(&b, "%llu\n%ld\n", (unsigned long long)v, step);
	if (r->account == NULL)
		strbuf_printf(&b, "-%s\n", r->csrf[0] != '\0' ? "t" : "");
	else if (r->route->flags & CACHE_OWN)
		strbuf_printf(&b, "%s\n%s\n#%ld\n", r->account->role,
		    r->account->region, r->account->id);
	else
		strbuf_printf(&b, "%s\n%s\n", r->account->role,
		    r->account->region);
	strbuf_str(&b, r->url);
	for (i = 0; i < ps.n; i++)
		strbuf_printf(&b, "\n%zu:%s=%zu:%s", strlen(ps.p[i].key),
		    ps.p[i].key, strlen(ps.p[i].value), ps.p[i].value);
	return strbuf_take(&b);
}

/* Whether the client takes gzip (RFC 9110 section 12.5.3). */
static int
accepts_gzip(struct request *r)
{
	const char *p = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING);
	const char *q;
	size_t n;
	int named;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t,");
		n = strcspn(p, " \t;,");
		named = (n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(p, "x-gzip", 6) == 0) ||
		    (n == 1 && *p == '*');
		p += n;
		n = strcspn(p, ",");
		if (named) {
			/* q=0, q=0.0 ... refuses it. */
			q = strcasestr(p, "q=");
			if (q == NULL || q >= p + n)
				return 1;
			q += 2;
			q += strspn(q, "0.");
			return q < p + n && *q >= '1' && *q <= '9';
		}
		p += n;
	}
	return 0;
}

/* Appends s to out, escaped for HTML text and attributes. */
static void
escape_into(struct strbuf *out, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': strbuf_str(out, "&amp;"); break;
		case '<': strbuf_str(out, "&lt;"); break;
		case '>': strbuf_str(out, "&gt;"); break;
		case '"': strbuf_str(out, "&quot;"); break;
		case '\'': strbuf_str(out, "&#39;"); break;
		default: strbuf_add(out, s, 1); break;
		}
}

/*
 * The request's own values for the holes, as masked before rendering; a
 * one-time key made now, in key (NULL when one could not be made: then
 * the hole is left empty, and the form that needs it is refused as it
 * is sent).
 */
static const char *
hole_value(const struct request *r, int h, char key[ACORN_TOKEN_LEN + 1])
{
	if (h == HOLE_CSRF)
		return r->cache.csrf;
	if (h == HOLE_KEY)
		return util_token(key) == 0 ? key : "";
	return r->cache.name != NULL ? r->cache.name : "";
}

/*
 * A form's one-time key, for the page being rendered: fresh, or, on a
 * page about to be kept, the sentinel each response fills with a fresh
 * one.  -1 when none could be made.
 */
int
cache_form_key(const struct request *r, char out[ACORN_TOKEN_LEN + 1])
{
	if (r->cache.masked) {
		snprintf(out, ACORN_TOKEN_LEN + 1, "%s", sentinel[HOLE_KEY]);
		return 0;
	}
	return util_token(out);
}

/*
 * The response to r from e, and its status in *status: the gzip bytes
 * or the plain ones lent without a copy when there are no holes, else
 * the holes filled into a buffer of the request's own; a 304 when the
 * client holds e's ETag.  The headers are those the page had when it
 * was rendered; http_queue adds those every response carries.  NULL
 * when out of memory.
 */
static struct MHD_Response *
entry_response(struct request *r, struct entry *e, unsigned int *status)
{
	struct MHD_Response *resp;
	struct strbuf b = { NULL, 0, 0, 0 };
	char key[ACORN_TOKEN_LEN + 1];
	const char *etag = NULL, *cc = e->cache_control;
	size_t len;
	char *body;
	int i, gz = 0;

	for (i = 0; i < e->nheaders; i++)
		if (strcasecmp(e->headers[i].name, "ETag") == 0)
			etag = e->headers[i].value;
		else if (strcasecmp(e->headers[i].name, "Cache-Control") == 0)
			cc = e->headers[i].value;
	if (etag != NULL && http_fresh(r, etag)) {
		*status = 304;
		return response_not_modified(etag, cc);
	}
	if (e->nholes == 0) {
		gz = e->gz != NULL && accepts_gzip(r);
		atomic_fetch_add(&e->refs, 1);
		resp = MHD_create_response_from_buffer_with_free_callback_cls(
		    gz ? e->gz_len : e->plain_len, gz ? e->gz : e->plain,
		    entry_release, e);
		if (resp == NULL) {
			entry_unref(e);
			return NULL;
		}
	} else {
		for (i = 0; i < e->nsegs; i++)
			if (e->segs[i].hole < 0)
				strbuf_add(&b, e->plain + e->segs[i].off,
				    e->segs[i].len);
			else
				escape_into(&b, hole_value(r, e->segs[i].hole,
				    key));
		len = b.len;
		if ((body = strbuf_take(&b)) == NULL)
			return NULL;
		resp = MHD_create_response_from_buffer(len, body,
		    MHD_RESPMEM_MUST_FREE);
		if (resp == NULL) {
			free(body);
			return NULL;
		}
	}
	MHD_add_response_header(resp, "Content-Type", e->type);
	if (e->cache_control != NULL)
		MHD_add_response_header(resp, "Cache-Control",
		    e->cache_control);
	for (i = 0; i < e->nheaders; i++)
		MHD_add_response_header(resp, e->headers[i].name,
		    e->headers[i].value);
	if (e->gz != NULL) {
		MHD_add_response_header(resp, "Vary", "Accept-Encoding");
		if (gz)
			MHD_add_response_header(resp, "Content-Encoding",
			    "gzip");
	}
	*status = e->status;
	return resp;
}

/*
 * Looks the request up, when its route is kept and the data version is
 * known: the response from memory, its status in *status; or NULL, and
 * then, when the answer may be kept, r->cache.key says under what, and
 * cache_mask readies the request for rendering it.
 */
struct MHD_Response *
cache_find(struct request *r, unsigned int *status)
{
	struct MHD_Response *resp;
	struct entry *e;
	uint64_t v, h;

	if (c.max == 0 || r->cache.tried)
		return NULL;
	r->cache.tried = 1;
	if (!(r->route->flags & (CACHE | CACHE_OWN)))
		return NULL;
	notify_poll();
	if ((v = notify_version()) == 0)
		return NULL;
	if ((r->cache.key = key_make(r, v)) == NULL)
		return NULL;
	h = key_hash(r->cache.key);
	pthread_mutex_lock(&c.lock);
	purge_older(v);
	for (e = c.bucket[h & (BUCKETS - 1)]; e != NULL; e = e->chain)
		if (e->hash == h && strcmp(e->key, r->cache.key) == 0)
			break;
	if (e != NULL) {
		touch(e);
		atomic_fetch_add(&e->refs, 1);
	}
	pthread_mutex_unlock(&c.lock);
	if (e == NULL) {
		atomic_fetch_add(&misses, 1);
		return NULL;
	}
	atomic_fetch_add(&hits, 1);
	/* The holes are filled with this request's own values. */
	snprintf(r->cache.csrf, sizeof(r->cache.csrf), "%s", r->csrf);
	r->cache.name = r->account != NULL ? r->account->name : NULL;
	resp = entry_response(r, e, status);
	entry_unref(e);
	return resp;
}

/*
 * Before the handler of a request that may be kept: its own values are
 * put aside and sentinels rendered in their place, so that the page
 * rendered is everyone's of its class.
 */
void
cache_mask(struct request *r)
{
	if (r->cache.key == NULL || r->cache.masked)
		return;
	snprintf(r->cache.csrf, sizeof(r->cache.csrf), "%s", r->csrf);
	/*
	 * No token yet: none is rendered, unless the handler makes one
	 * (a pre-session cookie), which makes the page this visitor's.
	 */
	if (r->csrf[0] != '\0')
		snprintf(r->csrf, sizeof(r->csrf), "%s", sentinel[HOLE_CSRF]);
	if (r->account != NULL) {
		r->cache.name = r->account->name;
		r->account->name = sentinel[HOLE_NAME];
	}
	r->cache.masked = 1;
}

/* After the handler: the request's own values are back. */
void
cache_unmask(struct request *r)
{
	if (!r->cache.masked)
		return;
	if (strcmp(r->csrf, sentinel[HOLE_CSRF]) == 0)
		snprintf(r->csrf, sizeof(r->csrf), "%s", r->cache.csrf);
	if (r->account != NULL)
		r->account->name = r->cache.name;
	r->cache.masked = 0;
}

/* Cuts e->plain at the sentinels; -1 when out of memory. */
static int
entry_cut(struct entry *e)
{
	const char *p = e->plain, *end = e->plain + e->plain_len, *best, *f;
	size_t cap = 8;
	int h, which;

	if ((e->segs = calloc(cap, sizeof(*e->segs))) == NULL)
		return -1;
	for (;;) {
		best = NULL;
		which = -1;
		for (h = 0; h < HOLE__MAX; h++) {
			f = memmem(p, (size_t)(end - p), sentinel[h],
			    SENTINEL_LEN);
			if (f != NULL && (best == NULL || f < best)) {
				best = f;
				which = h;
			}
		}
		if ((size_t)e->nsegs + 2 > cap) {
			struct seg *grown;

			cap *= 2;
			if ((grown = realloc(e->segs, cap *
			    sizeof(*grown))) == NULL)
				return -1;
			e->segs = grown;
		}
		e->segs[e->nsegs].off = (size_t)(p - e->plain);
		e->segs[e->nsegs].len = (size_t)((best ? best : end) - p);
		e->segs[e->nsegs++].hole = -1;
		if (best == NULL)
			break;
		e->segs[e->nsegs].off = 0;
		e->segs[e->nsegs].len = 0;
		e->segs[e->nsegs++].hole = which;
		e->nholes++;
		p = best + SENTINEL_LEN;
	}
	return 0;
}

/* Compresses a page with no holes once, when that makes it smaller. */
static void
entry_gzip(struct entry *e)
{
	z_stream z;
	uLong bound;

	if (e->nholes > 0 || e->plain_len < GZIP_MIN)
		return;
	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip header and trailer, not a bare zlib stream. */
	if (deflateInit2(&z, e->plain_len > GZIP_FAST ? 1 : 6, Z_DEFLATED,
	    15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	bound = deflateBound(&z, (uLong)e->plain_len);
	if ((e->gz = malloc(bound)) != NULL) {
		z.next_in = (Bytef *)e->plain;
		z.avail_in = (uInt)e->plain_len;
		z.next_out = (Bytef *)e->gz;
		z.avail_out = (uInt)bound;
		if (deflate(&z, Z_FINISH) == Z_STREAM_END &&
		    z.total_out < e->plain_len)
			e->gz_len = z.total_out;
		else {
			free(e->gz);
			e->gz = NULL;
		}
	}
	deflateEnd(&z);
}

/* Under the lock: keeps e (taking a reference) within the bound. */
static void
insert(struct entry *e)
{
	struct entry *o;
	size_t b = e->hash & (BUCKETS - 1);

	purge_older(e->version);
	if (e->version < c.version)
		return;		/* rendered from data already changed */
	for (o = c.bucket[b]; o != NULL; o = o->chain)
		if (o->hash == e->hash && strcmp(o->key, e->key) == 0)
			return;	/* another request kept it first */
	while (c.oldest != NULL && c.bytes + e->bytes > c.max) {
		unlink_entry(c.oldest);
		atomic_fetch_add(&evictions, 1);
	}
	atomic_fetch_add(&e->refs, 1);
	e->chain = c.bucket[b];
	c.bucket[b] = e;
	lru_in(e);
	c.bytes += e->bytes;
	c.entries++;
	atomic_fetch_add(&stores, 1);
}

/*
 * Whether an answer of len bytes would be kept: one that would not is
 * better sent without being copied into one buffer first.
 */
int
cache_fits(size_t len)
{
	return c.max > 0 && len <= c.max / 4;
}

/* Whether what the request is answered with may be kept for others. */
static int
keepable(const struct request *r, unsigned int status, size_t len)
{
	int i;

	if (status != 200 || r->cache.nostore || !cache_fits(len))
		return 0;
	/* A cookie set is this visitor's alone. */
	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, "Set-Cookie") == 0)
			return 0;
	return 1;
}

/*
 * The response to a request whose key is set, with body (len bytes,
 * which this takes) as type, its status in *status; the page is kept
 * when it may be: status 200, no cookie set, no error summary.  Whether
 * kept or not, the holes are filled with the request's own values.  The
 * headers a handler added (response_header) other than cookies go into
 * the entry.  NULL when out of memory.
 */
struct MHD_Response *
cache_keep(struct request *r, unsigned int *status, const char *type,
    const char *cache_control, char *body, size_t len)
{
	struct MHD_Response *resp;
	struct entry *e;
	uint64_t v;
	int i, keep;

	if ((e = calloc(1, sizeof(*e))) == NULL) {
		free(body);
		return NULL;
	}
	atomic_init(&e->refs, 1);
	e->plain = body;
	e->plain_len = len;
	e->status = *status;
	if (sscanf(r->cache.key, "%" SCNu64, &v) != 1)
		v = 0;
	e->version = v;
	keep = keepable(r, *status, len);
	if ((e->type = util_strdup(type)) == NULL ||
	    (cache_control != NULL && (e->cache_control =
	    util_strdup(cache_control)) == NULL) ||
	    (keep && (e->key = util_strdup(r->cache.key)) == NULL) ||
	    entry_cut(e) == -1) {
		entry_unref(e);
		return NULL;
	}
	if (keep) {
		/* The route's own headers go with the page; cookies stay. */
		for (i = 0; i < r->nheaders && e->nheaders < 4; i++) {
			e->headers[e->nheaders].name = r->headers[i].name;
			e->headers[e->nheaders++].value = r->headers[i].value;
		}
		r->nheaders = 0;
		e->hash = key_hash(e->key);
		entry_gzip(e);
		e->bytes = sizeof(*e) + strlen(e->key) + e->plain_len +
		    e->gz_len + (size_t)e->nsegs * sizeof(*e->segs) + 256;
		pthread_mutex_lock(&c.lock);
		insert(e);
		pthread_mutex_unlock(&c.lock);
	}
	resp = entry_response(r, e, status);
	entry_unref(e);
	return resp;
}

/* Prometheus text: what the cache holds and how it is used. */
void
cache_text(struct strbuf *b)
{
	size_t bytes;
	unsigned long entries;
	uint64_t v;
	int up;
	unsigned long reconnected, notified, s_hits, s_misses;

	session_kept_counts(&s_hits, &s_misses);
	pthread_mutex_lock(&c.lock);
	bytes = c.bytes;
	entries = c.entries;
	pthread_mutex_unlock(&c.lock);
	notify_counts(&v, &up, &reconnected, &notified);
	strbuf_printf(b,
	    "# HELP acorn_cache_hits_total Requests answered from memory.\n"
	    "# TYPE acorn_cache_hits_total counter\n"
	    "acorn_cache_hits_total %lu\n"
	    "# HELP acorn_cache_misses_total Requests of kept routes rendered"
	    " anew.\n# TYPE acorn_cache_misses_total counter\n"
	    "acorn_cache_misses_total %lu\n"
	    "# HELP acorn_cache_stores_total Responses kept.\n"
	    "# TYPE acorn_cache_stores_total counter\n"
	    "acorn_cache_stores_total %lu\n"
	    "# HELP acorn_cache_evictions_total Entries dropped to stay within"
	    " cache_bytes.\n# TYPE acorn_cache_evictions_total counter\n"
	    "acorn_cache_evictions_total %lu\n"
	    "# HELP acorn_cache_purged_total Entries dropped because the data"
	    " changed.\n# TYPE acorn_cache_purged_total counter\n"
	    "acorn_cache_purged_total %lu\n"
	    "# HELP acorn_cache_entries Responses kept now.\n"
	    "# TYPE acorn_cache_entries gauge\n"
	    "acorn_cache_entries %lu\n"
	    "# HELP acorn_cache_bytes Memory the kept responses take.\n"
	    "# TYPE acorn_cache_bytes gauge\n"
	    "acorn_cache_bytes %zu\n"
	    "# HELP acorn_cache_max_bytes The bound, cache_bytes.\n"
	    "# TYPE acorn_cache_max_bytes gauge\n"
	    "acorn_cache_max_bytes %zu\n"
	    "# HELP acorn_data_version Changes this process has seen.\n"
	    "# TYPE acorn_data_version counter\n"
	    "acorn_data_version %llu\n"
	    "# HELP acorn_data_listening 1 while changes are heard of, so"
	    " that pages may be kept.\n# TYPE acorn_data_listening gauge\n"
	    "acorn_data_listening %d\n"
	    "# HELP acorn_data_reconnects_total Times the data version's"
	    " connection was made.\n"
	    "# TYPE acorn_data_reconnects_total counter\n"
	    "acorn_data_reconnects_total %lu\n"
	    "# HELP acorn_data_notifications_total Change notifications"
	    " received.\n# TYPE acorn_data_notifications_total counter\n"
	    "acorn_data_notifications_total %lu\n"
	    "# HELP acorn_sessions_kept_hits_total Sessions found in memory.\n"
	    "# TYPE acorn_sessions_kept_hits_total counter\n"
	    "acorn_sessions_kept_hits_total %lu\n"
	    "# HELP acorn_sessions_kept_misses_total Sessions of a GET read"
	    " from the database.\n"
	    "# TYPE acorn_sessions_kept_misses_total counter\n"
	    "acorn_sessions_kept_misses_total %lu\n"
	    "# HELP acorn_sessions_notifications_total Notifications that a"
	    " session ended or an account changed.\n"
	    "# TYPE acorn_sessions_notifications_total counter\n"
	    "acorn_sessions_notifications_total %lu\n",
	    atomic_load(&hits), atomic_load(&misses), atomic_load(&stores),
	    atomic_load(&evictions), atomic_load(&purged), entries, bytes,
	    c.max, (unsigned long long)v, up, reconnected, notified, s_hits,
	    s_misses, db_sessions_notifications());
}
