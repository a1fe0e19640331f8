/*
 * The fake peer: libmicrohttpd on 127.0.0.1 and a kernel-chosen port,
 * one internal thread, serving the key made for it, an AtomPub service
 * document shaped like a node's, and whatever feed pages the test sets
 * (an empty page until then).  A page can also be served too large to
 * take, streamed rather than held, or announced whole and cut short; and
 * the whole peer can hang, taking connections it never answers.
 *
 * What it signs, it signs with the stock xmlsec1 tool, never with the
 * federation library under test: a fault in feeds/sign.c must show as
 * entries the node refuses, not hide in both sides.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <microhttpd.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <zlib.h>

#include "fakepeer.h"
#include "harness.h"

#define NCOLLECTIONS	9
#define XMLSEC1		"/usr/bin/xmlsec1"

enum serving { SERVE_BODY, SERVE_HUGE, SERVE_CUT, SERVE_GZIP };

struct collection {
	const char	*name;
	enum serving	 how;
	char		*body;		/* the page, or the repeated entry */
	size_t		 bytes;		/* huge: at least; cut: after; gzip: size */
	long long	 latest;	/* the page's acorn:latest, or 0 */
	int		 requests;
	double		 last;		/* when the last was answered */
	int		 order;		/* of the last, among all requests */
	long long	 lowest;	/* the lowest ?after= since set, or -1 */
};

struct fakepeer_state {
	struct MHD_Daemon	*daemon;
	MHD_socket		 hung;		/* listening, never accepting */
	pthread_mutex_t		 lock;
	char			 name[64];
	char			*service;
	struct collection	 colls[NCOLLECTIONS];
	int			 strays;
	int			 polls;		/* GET /feeds?since= */
	int			 poll_order;	/* of the last, among all */
	int			 order;		/* requests for feeds so far */
	int			 polling;	/* answers them as a node does */
	int			 service_hangs;	/* suspend service requests */
	int			 releasing;	/* answer the suspended now */
	struct MHD_Connection	*held[16];	/* suspended, to resume */
	int			 nheld;
	int			 held_over;	/* hangs past held[] */
	int			 taking_pushes;	/* else 404, as an older node */
	int			 pushes;	/* POST /federation/push */
	int			 pings;		/* POST /federation/ping */
	char			*push_header;	/* the last one's Acorn-Push */
	char			*push_body;
	size_t			 push_len;
};

/* A push's body, read as it comes. */
struct push_upload {
	char		*body;
	size_t		 len;
};

/* What a streamed answer reads from: head, unit times n, tail. */
struct stream {
	char		*head, *unit, *tail;
	size_t		 hlen, ulen, tlen;
	uint64_t	 n;
	uint64_t	 total;
	uint64_t	 cut;		/* stop with an error here */
};

static const char *const collection_names[NCOLLECTIONS] = {
	"nodes", "members", "events", "evaluations", "documents", "glossary",
	"organisations", "locations", "services"
};

static const char feed_open[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<feed xmlns=\"" FED_ATOM_NS "\" xmlns:at=\"" FED_TOMB_NS "\""
    " xmlns:acorn=\"" FED_ACORN_NS "\">"
    "<id>urn:x-acorn:fake-peer-feed</id><title>A fake peer</title>"
    "<updated>2026-11-30T10:15:00Z</updated>";

static void
now_rfc3339(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double
wall_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(rc, 0);
	return s;
}

static struct collection *
collection_of(struct fakepeer_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < NCOLLECTIONS; i++)
		if (strcmp(st->colls[i].name, name) == 0)
			return &st->colls[i];
	return NULL;
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	uint64_t end = s->cut > 0 ? s->cut : s->total, off;
	size_t n = 0, take;

	if (pos >= end)
		return s->cut > 0 ? MHD_CONTENT_READER_END_WITH_ERROR :
		    MHD_CONTENT_READER_END_OF_STREAM;
	while (n < max && pos < end) {
		if (pos < s->hlen) {
			take = s->hlen - (size_t)pos;
			if (take > max - n)
				take = max - n;
			memcpy(buf + n, s->head + pos, take);
		} else if (pos < s->hlen + s->n * s->ulen) {
			off = (pos - s->hlen) % s->ulen;
			take = s->ulen - (size_t)off;
			if (take > max - n)
				take = max - n;
			memcpy(buf + n, s->unit + off, take);
		} else {
			off = pos - s->hlen - s->n * s->ulen;
			take = s->tlen - (size_t)off;
			if (take > max - n)
				take = max - n;
			memcpy(buf + n, s->tail + off, take);
		}
		if (pos + take > end)
			take = (size_t)(end - pos);
		n += take;
		pos += take;
	}
	return (ssize_t)n;
}

static void
stream_free(void *cls)
{
	struct stream *s = cls;

	free(s->head);
	free(s->unit);
	free(s->tail);
	free(s);
}

/* The answer for a collection, as it is set now. */
static struct MHD_Response *
feed_response(struct collection *c)
{
	struct stream *s;
	size_t len;

	if (c->how == SERVE_BODY) {
		len = strlen(c->body);
		return MHD_create_response_from_buffer(len, c->body,
		    MHD_RESPMEM_MUST_COPY);
	}
	if (c->how == SERVE_GZIP)
		return MHD_create_response_from_buffer(c->bytes, c->body,
		    MHD_RESPMEM_MUST_COPY);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (c->how == SERVE_HUGE) {
		/* The entry again and again until the page is big enough. */
		s->head = xprintf("%s<acorn:cursor>900</acorn:cursor>"
		    "<acorn:latest>900</acorn:latest>\n", feed_open);
		s->unit = xprintf("%s\n", c->body);
		s->tail = strdup("</feed>\n");
		s->hlen = strlen(s->head);
		s->ulen = strlen(s->unit);
		s->tlen = strlen(s->tail);
		s->n = c->bytes / s->ulen + 1;
	} else {
		s->head = strdup(c->body);
		s->unit = strdup("");
		s->tail = strdup("");
		s->hlen = strlen(s->head);
		s->cut = c->bytes;
	}
	s->total = s->hlen + s->n * s->ulen + s->tlen;
	return MHD_create_response_from_callback(s->total, 64 * 1024,
	    stream_read, s, stream_free);
}

/*
 * GET /feeds?since=…: as a node answers it when the peer polls as a node
 * does (the collections whose page says it holds more than the cursor
 * given, or 204), else 404, as from a node that predates it.
 */
static struct MHD_Response *
poll_response(struct fakepeer_state *st, const char *since,
    unsigned int *status)
{
	struct collection *c;
	char *list, *item, *save = NULL, *colon, *out = NULL;
	size_t len = 0;
	FILE *f;

	if (!st->polling || since == NULL) {
		*status = 404;
		return MHD_create_response_from_buffer(10, "not found\n",
		    MHD_RESPMEM_PERSISTENT);
	}
	ck_assert_ptr_nonnull(list = strdup(since));
	ck_assert_ptr_nonnull(f = open_memstream(&out, &len));
	for (item = strtok_r(list, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		if ((colon = strchr(item, ':')) == NULL)
			continue;
		*colon = '\0';
		if ((c = collection_of(st, item)) != NULL &&
		    c->latest > strtoll(colon + 1, NULL, 10))
			fprintf(f, "%s %lld\n", c->name, c->latest);
	}
	ck_assert_int_eq(fclose(f), 0);
	free(list);
	*status = len > 0 ? 200 : 204;
	return MHD_create_response_from_buffer(len, out,
	    MHD_RESPMEM_MUST_FREE);
}

/* What req_cls holds for a request under way that is not a push. */
static int not_a_push;

/* A push cut short leaves its body behind: freed here. */
static void
fake_done(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode why)
{
	struct push_upload *u = *req_cls;

	(void)cls;
	(void)conn;
	(void)why;
	if (u == NULL || (void *)u == (void *)&not_a_push)
		return;
	free(u->body);
	free(u);
	*req_cls = NULL;
}

static enum MHD_Result
fake_answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	void *started = &not_a_push;
	struct fakepeer *p = cls;
	struct fakepeer_state *st = p->state;
	struct MHD_Response *resp = NULL;
	struct collection *c;
	const char *type = "application/atom+xml; charset=utf-8";
	unsigned int status = 200;
	enum MHD_Result rc;

	(void)version;
	if (*req_cls == NULL) {
		if (strcmp(method, "POST") == 0 &&
		    strcmp(url, "/federation/push") == 0)
			ck_assert_ptr_nonnull(*req_cls = calloc(1,
			    sizeof(struct push_upload)));
		else
			*req_cls = started;
		return MHD_YES;
	}
	if (*upload_size > 0 && *req_cls != started) {
		struct push_upload *u = *req_cls;

		ck_assert_ptr_nonnull(u->body = realloc(u->body,
		    u->len + *upload_size + 1));
		memcpy(u->body + u->len, upload, *upload_size);
		u->len += *upload_size;
		u->body[u->len] = '\0';
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0;	/* a ping's form: nothing to read */
		return MHD_YES;
	}
	pthread_mutex_lock(&st->lock);
	if (*req_cls != started) {
		struct push_upload *u = *req_cls;
		const char *h = MHD_lookup_connection_value(conn,
		    MHD_HEADER_KIND, "Acorn-Push");

		/* Counted either way: a node pushes, then pings. */
		st->pushes++;
			free(st->push_header);
		free(st->push_body);
		st->push_header = h != NULL ? strdup(h) : NULL;
		st->push_body = u->body;
		st->push_len = u->len;
		free(u);
		*req_cls = started;
		status = st->taking_pushes ? 202 : 404;
		type = "text/plain";
		resp = MHD_create_response_from_buffer(st->taking_pushes ? 7 :
		    10, st->taking_pushes ? "merged\n" : "not found\n",
		    MHD_RESPMEM_PERSISTENT);
	} else if (strcmp(method, "POST") == 0 &&
	    strcmp(url, "/federation/ping") == 0) {
		st->pings++;
		status = 202;
		type = "text/plain";
		resp = MHD_create_response_from_buffer(8, "pulling\n",
		    MHD_RESPMEM_PERSISTENT);
	} else if (strcmp(url, "/federation/key.pem") == 0) {
		type = "application/x-pem-file";
		resp = MHD_create_response_from_buffer(strlen(p->pem), p->pem,
		    MHD_RESPMEM_MUST_COPY);
	} else if (strcmp(url, "/federation/service") == 0 &&
	    st->service_hangs && !st->releasing &&
	    st->nheld < (int)(sizeof(st->held) / sizeof(st->held[0]))) {
		/* Taken, and never answered until the peer is freed. */
		st->held[st->nheld++] = conn;
		MHD_suspend_connection(conn);
		pthread_mutex_unlock(&st->lock);
		return MHD_YES;
	} else if (strcmp(url, "/federation/service") == 0 &&
	    st->service_hangs && !st->releasing) {
		/*
		 * More hung requests than the peer can hold: answering would
		 * pass a test that needs every one hung, so fakepeer_free
		 * fails it instead.
		 */
		st->held_over++;
		status = 500;
		type = "text/plain";
		resp = MHD_create_response_from_buffer(23,
		    "too many held requests\n", MHD_RESPMEM_PERSISTENT);
	} else if (strcmp(url, "/federation/service") == 0) {
		type = "application/atomsvc+xml; charset=utf-8";
		resp = MHD_create_response_from_buffer(strlen(st->service),
		    st->service, MHD_RESPMEM_MUST_COPY);
	} else if (strcmp(url, "/feeds") == 0) {
		st->polls++;
		st->poll_order = ++st->order;
		resp = poll_response(st, MHD_lookup_connection_value(conn,
		    MHD_GET_ARGUMENT_KIND, "since"), &status);
		type = "text/plain";
	} else if (strncmp(url, "/feeds/", 7) == 0 &&
	    (c = collection_of(st, url + 7)) != NULL) {
		const char *after = MHD_lookup_connection_value(conn,
		    MHD_GET_ARGUMENT_KIND, "after");
		long long a = after != NULL ? strtoll(after, NULL, 10) : 0;

		c->requests++;
		c->last = wall_clock();
		c->order = ++st->order;
		if (c->lowest < 0 || a < c->lowest)
			c->lowest = a;
		resp = feed_response(c);
		if (resp != NULL && c->how == SERVE_GZIP)
			MHD_add_response_header(resp, "Content-Encoding",
			    "gzip");
	} else {
		st->strays++;
			status = 404;
		type = "text/plain";
		resp = MHD_create_response_from_buffer(10, "not found\n",
		    MHD_RESPMEM_PERSISTENT);
	}
	pthread_mutex_unlock(&st->lock);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", type);
	/* No connection kept: once hung, the peer answers no request. */
	MHD_add_response_header(resp, "Connection", "close");
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* A new file in the tests' directory, named after what it holds. */
static int
var_file(char *path, size_t size, const char *what)
{
	int fd;

	ck_assert_int_lt(snprintf(path, size, "%s/%s-XXXXXX",
	    getenv("ACORN_TEST_VAR"), what), (int)size);
	ck_assert_int_ne(fd = mkstemp(path), -1);
	return fd;
}

static void
text_write(const char *text, char *path, size_t size, const char *what)
{
	FILE *f;

	ck_assert_ptr_nonnull(f = fdopen(var_file(path, size, what), "w"));
	ck_assert_int_ne(fputs(text, f), EOF);
	ck_assert_int_eq(fclose(f), 0);
}

/* The private key, in a new PEM file for xmlsec1 to read. */
static void
key_write(EVP_PKEY *key, char *path, size_t size)
{
	FILE *f;

	ck_assert_ptr_nonnull(f = fdopen(var_file(path, size, "fakepeer-key"),
	    "w"));
	ck_assert_int_eq(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL,
	    NULL), 1);
	ck_assert_int_eq(fclose(f), 0);
}

static char *
public_pem(EVP_PKEY *key)
{
	BIO *b;
	char *data, *pem;
	long len;

	ck_assert_ptr_nonnull(b = BIO_new(BIO_s_mem()));
	ck_assert_int_eq(PEM_write_bio_PUBKEY(b, key), 1);
	ck_assert_int_gt(len = BIO_get_mem_data(b, &data), 0);
	ck_assert_ptr_nonnull(pem = strndup(data, (size_t)len));
	BIO_free(b);
	return pem;
}

/*
 * The fingerprint as docs/protocol.md defines it, the SHA-256 of the
 * DER SubjectPublicKeyInfo.  Worked out here, not by fed_fingerprint,
 * so that the name a peer signs under and pins with is not the node's
 * own idea of it.
 */
void
fake_fingerprint(EVP_PKEY *key, char hex[FED_FP_LEN + 1])
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	int len;

	ck_assert_int_gt(len = i2d_PUBKEY(key, &der), 0);
	ck_assert_int_eq(EVP_Digest(der, (size_t)len, md, &mdlen,
	    EVP_sha256(), NULL), 1);
	ck_assert_uint_eq(mdlen * 2, FED_FP_LEN);
	for (i = 0; i < mdlen; i++)
		snprintf(hex + i * 2, 3, "%02x", md[i]);
	OPENSSL_free(der);
}

static char *
service_doc(const struct fakepeer *p, const char *name)
{
	char *s, *colls = strdup(""), *more;
	size_t i;

	for (i = 0; i < NCOLLECTIONS; i++) {
		more = xprintf("%s<app:collection href=\"%s/feeds/%s\">"
		    "<title>%s</title><app:accept/></app:collection>", colls,
		    p->url, collection_names[i], collection_names[i]);
		free(colls);
		colls = more;
	}
	s = xprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<app:service xmlns:app=\"" FED_APP_NS "\" xmlns=\"" FED_ATOM_NS
	    "\" xmlns:acorn=\"" FED_ACORN_NS "\"><app:workspace>"
	    "<title>%s</title><acorn:node id=\"urn:uuid:%s\" region=\"London\""
	    " url=\"%s\" fingerprint=\"%s\"/>%s</app:workspace>"
	    "</app:service>\n",
	    name, p->id, p->url, p->fingerprint, colls);
	free(colls);
	return s;
}

/*
 * From now on the service document claims to be node id (its own when
 * NULL), named name, in region; the key stays the peer's own.
 */
void
fakepeer_claim(struct fakepeer *p, const char *id, const char *name,
    const char *region)
{
	struct fakepeer copy = *p;
	char *doc, *r, *to;

	if (id != NULL)
		snprintf(copy.id, sizeof(copy.id), "%s", id);
	doc = service_doc(&copy, name);
	to = xprintf("region=\"%s\"", region);
	r = fake_edit(doc, "region=\"London\"", to);
	free(to);
	free(doc);
	pthread_mutex_lock(&p->state->lock);
	free(p->state->service);
	p->state->service = r;
	pthread_mutex_unlock(&p->state->lock);
}

/* From now on requests for the service document are never answered. */
void
fakepeer_hang_service(struct fakepeer *p)
{
	pthread_mutex_lock(&p->state->lock);
	p->state->service_hangs = 1;
	pthread_mutex_unlock(&p->state->lock);
}

/* A peer with a new key and id, serving empty pages on its own port. */
struct fakepeer *
fakepeer_new(const char *name)
{
	struct fakepeer *p;
	struct fakepeer_state *st;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *di;
	char *id;
	size_t i;

	ck_assert_ptr_nonnull(p = calloc(1, sizeof(*p)));
	ck_assert_ptr_nonnull(st = calloc(1, sizeof(*st)));
	p->state = st;
	pthread_mutex_init(&st->lock, NULL);
	snprintf(st->name, sizeof(st->name), "%s", name);
	id = fake_uuid();
	snprintf(p->id, sizeof(p->id), "%s", id);
	free(id);
	ck_assert_ptr_nonnull(p->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-256"));
	key_write(p->key, p->key_path, sizeof(p->key_path));
	fake_fingerprint(p->key, p->fingerprint);
	p->pem = public_pem(p->key);
	for (i = 0; i < NCOLLECTIONS; i++) {
		st->colls[i].name = collection_names[i];
		st->colls[i].body = fake_page(-1, NULL);
		st->colls[i].lowest = -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = 0;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	st->hung = MHD_INVALID_SOCKET;
	st->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME, 0,
	    NULL, NULL, fake_answer, p, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, fake_done,
	    NULL, MHD_OPTION_END);
	ck_assert_ptr_nonnull(st->daemon);
	di = MHD_get_daemon_info(st->daemon, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert_ptr_nonnull(di);
	snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%u",
	    (unsigned int)di->port);
	pthread_mutex_lock(&st->lock);
	st->service = service_doc(p, name);
	pthread_mutex_unlock(&st->lock);
	return p;
}

void
fakepeer_free(struct fakepeer *p)
{
	size_t i;
	int over;

	if (p == NULL)
		return;
	/* A daemon stops only once every suspended connection is back. */
	pthread_mutex_lock(&p->state->lock);
	over = p->state->held_over;
	p->state->releasing = 1;
	for (i = 0; i < (size_t)p->state->nheld; i++)
		MHD_resume_connection(p->state->held[i]);
	pthread_mutex_unlock(&p->state->lock);
	MHD_stop_daemon(p->state->daemon);
	if (p->state->hung != MHD_INVALID_SOCKET)
		close(p->state->hung);
	for (i = 0; i < NCOLLECTIONS; i++)
		free(p->state->colls[i].body);
	free(p->state->service);
	free(p->state->push_header);
	free(p->state->push_body);
	pthread_mutex_destroy(&p->state->lock);
	free(p->state);
	EVP_PKEY_free(p->key);
	free(p->pem);
	unlink(p->key_path);
	free(p);
	ck_assert_msg(over == 0, "the fake peer was asked to hang %d more"
	    " requests than it holds", over);
}

/* body gzip-compressed, malloc'd; its size in *len. */
static char *
gzip(const char *body, size_t *len)
{
	z_stream z;
	char *out;
	size_t cap;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 9,
	    Z_DEFAULT_STRATEGY), Z_OK);
	cap = deflateBound(&z, strlen(body));
	ck_assert_ptr_nonnull(out = malloc(cap));
	z.next_in = (unsigned char *)(uintptr_t)body;
	z.avail_in = (unsigned int)strlen(body);
	z.next_out = (unsigned char *)out;
	z.avail_out = (unsigned int)cap;
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	*len = z.total_out;
	deflateEnd(&z);
	return out;
}

static void
set_collection(struct fakepeer *p, const char *name, enum serving how,
    const char *body, size_t bytes)
{
	struct collection *c;
	const char *latest = strstr(body, "<acorn:latest>");
	char *copy;

	if (how == SERVE_GZIP)
		copy = gzip(body, &bytes);
	else
		ck_assert_ptr_nonnull(copy = strdup(body));
	pthread_mutex_lock(&p->state->lock);
	c = collection_of(p->state, name);
	ck_assert_ptr_nonnull(c);
	free(c->body);
	c->body = copy;
	c->how = how;
	c->bytes = bytes;
	c->lowest = -1;
	c->latest = latest != NULL ? strtoll(latest + 14, NULL, 10) : 0;
	pthread_mutex_unlock(&p->state->lock);
}

void
fakepeer_serve(struct fakepeer *p, const char *collection, const char *page)
{
	set_collection(p, collection, SERVE_BODY, page, 0);
}

void
fakepeer_serve_gzip(struct fakepeer *p, const char *collection,
    const char *page)
{
	set_collection(p, collection, SERVE_GZIP, page, 0);
}

/* From now on, answers polls (GET /feeds?since=) as a node does. */
void
fakepeer_polling(struct fakepeer *p)
{
	pthread_mutex_lock(&p->state->lock);
	p->state->polling = 1;
	pthread_mutex_unlock(&p->state->lock);
}

/* Polls asked of the peer, answered or not. */
int
fakepeer_polls(struct fakepeer *p)
{
	int n;

	pthread_mutex_lock(&p->state->lock);
	n = p->state->polls;
	pthread_mutex_unlock(&p->state->lock);
	return n;
}

void
fakepeer_serve_huge(struct fakepeer *p, const char *collection,
    const char *entry, size_t bytes)
{
	set_collection(p, collection, SERVE_HUGE, entry, bytes);
}

void
fakepeer_serve_cut(struct fakepeer *p, const char *collection,
    const char *page, size_t after)
{
	ck_assert_uint_lt(after, strlen(page));
	set_collection(p, collection, SERVE_CUT, page, after);
}

int
fakepeer_requests(struct fakepeer *p, const char *collection)
{
	return fakepeer_count(p, FAKE_REQUESTS, collection);
}

int
fakepeer_count(struct fakepeer *p, enum fake_count what,
    const char *collection)
{
	struct collection *c;
	int n;

	pthread_mutex_lock(&p->state->lock);
	switch (what) {
	case FAKE_REQUESTS:
		c = collection_of(p->state, collection);
		n = c != NULL ? c->requests : -1;
		break;
	case FAKE_PINGS:
		n = p->state->pings;
		break;
	default:
		n = p->state->pushes;
		break;
	}
	pthread_mutex_unlock(&p->state->lock);
	return n;
}

/*
 * The lowest cursor (?after=) the collection was asked for since it was
 * last set; -1 when it was not asked for.
 */
long long
fakepeer_lowest_after(struct fakepeer *p, const char *collection)
{
	struct collection *c;
	long long n;

	pthread_mutex_lock(&p->state->lock);
	c = collection_of(p->state, collection);
	n = c != NULL ? c->lowest : -1;
	pthread_mutex_unlock(&p->state->lock);
	return n;
}

/*
 * From now on the peer takes connections (the kernel does, into the
 * listening socket's queue) and never answers: a hung server.
 */
void
fakepeer_hang(struct fakepeer *p)
{
	p->state->hung = MHD_quiesce_daemon(p->state->daemon);
	ck_assert_int_ne(p->state->hung, MHD_INVALID_SOCKET);
}

/* When the last request for the collection was answered (epoch seconds). */
double
fakepeer_last_request(struct fakepeer *p, const char *collection)
{
	struct collection *c;
	double t;

	pthread_mutex_lock(&p->state->lock);
	c = collection_of(p->state, collection);
	t = c != NULL ? c->last : 0;
	pthread_mutex_unlock(&p->state->lock);
	return t;
}

/*
 * Where the last request for the collection (the last poll, when
 * collection is NULL) came among all the peer's requests for feeds and
 * polls, from 1; 0 when none came, -1 when it serves no such collection.
 */
int
fakepeer_order(struct fakepeer *p, const char *collection)
{
	struct collection *c;
	int n;

	pthread_mutex_lock(&p->state->lock);
	if (collection == NULL)
		n = p->state->poll_order;
	else
		n = (c = collection_of(p->state, collection)) != NULL ?
		    c->order : -1;
	pthread_mutex_unlock(&p->state->lock);
	return n;
}

/* Waits up to ms for the count to pass n: 1 when it did, 0 if not. */
int
fakepeer_wait(struct fakepeer *p, enum fake_count what,
    const char *collection, int n, int ms)
{
	int i;

	for (i = 0; i <= ms / 25; i++) {
		if (fakepeer_count(p, what, collection) > n)
			return 1;
		poll(NULL, 0, 25);
	}
	return 0;
}

int
fakepeer_strays(struct fakepeer *p)
{
	int n;

	pthread_mutex_lock(&p->state->lock);
	n = p->state->strays;
	pthread_mutex_unlock(&p->state->lock);
	return n;
}

int
fakepeer_pin(struct node *n, const struct fakepeer *p, int hub)
{
	return node_run(n, "peer", "add", p->url, "--fingerprint",
	    p->fingerprint, hub ? "--hub" : NULL, NULL);
}

long
fakepeer_ping(struct node *n, const struct fakepeer *p)
{
	return fakepeer_ping_news(n, p, NULL);
}

/* A ping naming the collections with news (news=), unless news is NULL. */
long
fakepeer_ping_news(struct node *n, const struct fakepeer *p,
    const char *news)
{
	struct client *c = client_new(n);
	struct resp *r;
	char node[64];
	long status;

	snprintf(node, sizeof(node), "urn:uuid:%s", p->id);
	r = http_post(c, "/federation/ping", "node", node,
	    news != NULL ? "news" : NULL, news, NULL);
	status = r != NULL ? r->status : -1;
	resp_free(r);
	client_free(c);
	return status;
}

/* Pushes are taken (202) and kept from now on, not answered 404. */
void
fakepeer_take_pushes(struct fakepeer *p)
{
	pthread_mutex_lock(&p->state->lock);
	p->state->taking_pushes = 1;
	pthread_mutex_unlock(&p->state->lock);
}

/*
 * The last push's body, and its Acorn-Push header in *header (NULL
 * when it had none), both malloc'd; NULL when none came.
 */
char *
fakepeer_last_push(struct fakepeer *p, char **header)
{
	char *body = NULL;

	*header = NULL;
	pthread_mutex_lock(&p->state->lock);
	if (p->state->push_body != NULL) {
		body = strdup(p->state->push_body);
		if (p->state->push_header != NULL)
			*header = strdup(p->state->push_header);
	}
	pthread_mutex_unlock(&p->state->lock);
	return body;
}

/*
 * The text a push's signature covers (docs/protocol.md, section 6):
 * receiver and sender node ids, the collection, where the page
 * starts, and the hex SHA-256 of the body.
 */
static char *
push_text(const char *to, const char *from, const char *collection,
    long long after, const char *body, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	size_t i;

	SHA256((const unsigned char *)body, len, md);
	for (i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return xprintf("acorn-push\n%s\n%s\n%s\n%lld\n%s\n", to, from,
	    collection, after, hex);
}

/*
 * The Acorn-Push header of a push of body to the node to (its id), of
 * collection from after after, in peer p's name, signed with key (the
 * peer's own, or another), malloc'd: signed with OpenSSL here, not by
 * the library under test.
 */
char *
fake_push_header(const struct fakepeer *p, EVP_PKEY *key, const char *to,
    const char *collection, long long after, const char *body, size_t len)
{
	EVP_MD_CTX *ctx;
	ECDSA_SIG *sig;
	const BIGNUM *r, *s;
	const unsigned char *q;
	unsigned char der[80], raw[64];
	char fp[FED_FP_LEN + 1], value[89], *text, *out;
	size_t derlen = sizeof(der);

	text = push_text(to, p->id, collection, after, body, len);
	ck_assert_ptr_nonnull(ctx = EVP_MD_CTX_new());
	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
	    key), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, der, &derlen,
	    (const unsigned char *)text, strlen(text)), 1);
	EVP_MD_CTX_free(ctx);
	q = der;
	ck_assert_ptr_nonnull(sig = d2i_ECDSA_SIG(NULL, &q, (long)derlen));
	ECDSA_SIG_get0(sig, &r, &s);
	ck_assert_int_eq(BN_bn2binpad(r, raw, 32), 32);
	ck_assert_int_eq(BN_bn2binpad(s, raw + 32, 32), 32);
	ECDSA_SIG_free(sig);
	EVP_EncodeBlock((unsigned char *)value, raw, sizeof(raw));
	fake_fingerprint(key, fp);
	out = xprintf("urn:uuid:%s %s %lld %s %s", p->id, collection, after,
	    fp, value);
	free(text);
	return out;
}

/*
 * Whether header is a push of body from node from to peer p, signed
 * with key (the node's public key), of collection from after after.
 */
int
fake_push_verifies(const struct fakepeer *p, const char *header,
    const char *from, EVP_PKEY *key, const char *body, size_t len,
    char *collection, size_t size, long long *after)
{
	char urn[64], coll[32], fp[FED_FP_LEN + 1], value[128], *text;
	unsigned char raw[66], der[80], *d = der;
	EVP_MD_CTX *ctx;
	ECDSA_SIG *sig;
	int derlen, ok;

	if (header == NULL || sscanf(header, "%63s %31s %lld %64s %127s", urn,
	    coll, after, fp, value) != 5 || strcmp(urn + 9, from) != 0 ||
	    strlen(value) != 88 ||
	    EVP_DecodeBlock(raw, (const unsigned char *)value, 88) != 66)
		return 0;
	snprintf(collection, size, "%s", coll);
	ck_assert_ptr_nonnull(sig = ECDSA_SIG_new());
	ck_assert_int_eq(ECDSA_SIG_set0(sig, BN_bin2bn(raw, 32, NULL),
	    BN_bin2bn(raw + 32, 32, NULL)), 1);
	ck_assert_int_gt(derlen = i2d_ECDSA_SIG(sig, &d), 0);
	ECDSA_SIG_free(sig);
	text = push_text(p->id, from, coll, *after, body, len);
	ck_assert_ptr_nonnull(ctx = EVP_MD_CTX_new());
	ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
	    key), 1);
	ok = EVP_DigestVerify(ctx, der, (size_t)derlen,
	    (const unsigned char *)text, strlen(text)) == 1;
	EVP_MD_CTX_free(ctx);
	free(text);
	return ok;
}

/*
 * POST /federation/push to n: header as Acorn-Push (none when NULL),
 * body as a feed.  The status, and the answer in *answer (malloc'd)
 * when answer is not NULL.
 */
long
fakepeer_push(struct node *n, const char *header, const char *body,
    size_t len, char **answer)
{
	struct client *c = client_new(n);
	struct resp *r;
	char *line;
	long status;

	if (header != NULL) {
		line = xprintf("Acorn-Push: %s", header);
		client_header(c, line);
		free(line);
	}
	r = http_post_bytes(c, "/federation/push", body, len,
	    "application/atom+xml;type=feed");
	status = r != NULL ? r->status : -1;
	if (answer != NULL)
		*answer = r != NULL && r->body != NULL ? strdup(r->body) : NULL;
	resp_free(r);
	client_free(c);
	return status;
}

/* A random (version 4) UUID, lower case. */
char *
fake_uuid(void)
{
	unsigned char b[16];

	ck_assert_int_eq(RAND_bytes(b, sizeof(b)), 1);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	return xprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static const char *
collection_of_kind(const char *kind)
{
	static const char *const map[][2] = {
		{ "member", "members" }, { "event", "events" },
		{ "evaluation", "evaluations" }, { "document", "documents" },
		{ "term", "glossary" }, { "node", "nodes" },
		{ "organisation", "organisations" },
		{ "location", "locations" }, { "service", "services" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], kind) == 0)
			return map[i][1];
	return "glossary";
}

/* Registrations and outcomes go between inboxes, never in a feed. */
static int
inbox_kind(const char *kind)
{
	return strcmp(kind, "registration") == 0 ||
	    strcmp(kind, "outcome") == 0;
}

/*
 * The unsigned entry or tombstone, in the shape of docs/protocol.md
 * sections 3 and 5.
 */
char *
fake_entry_xml(const struct fakepeer *p, const struct fake_entry *e)
{
	const char *kind = e->kind != NULL ? e->kind : "term";
	const char *origin = e->origin != NULL ? e->origin : p->id;
	const char *source = e->source != NULL ? e->source : origin;
	const char *coll = collection_of_kind(kind);
	char now[32], *src, *self, *alternate, *out;
	int version = e->version > 0 ? e->version : 1;

	now_rfc3339(now);
	if (inbox_kind(kind)) {
		self = xprintf("%s/federation/inbox", p->url);
		alternate = xprintf("%s", "");
	} else {
		self = xprintf("%s/feeds/%s", p->url, coll);
		alternate = xprintf("  <link rel=\"alternate\""
		    " type=\"text/html\" href=\"%s/%s/%s\"/>\n", p->url, coll,
		    e->id);
	}
	src = xprintf("  <source>\n"
	    "    <id>urn:uuid:%s</id>\n"
	    "    <title>%s</title>\n"
	    "    <updated>%s</updated>\n"
	    "    <link rel=\"self\" type=\"application/atom+xml\""
	    " href=\"%s\"/>\n"
	    "  </source>\n", source, p->state->name, now, self);
	if (e->deleted)
		out = xprintf("<at:deleted-entry xmlns:at=\"" FED_TOMB_NS "\""
		    " xmlns=\"" FED_ATOM_NS "\""
		    " xmlns:acorn=\"" FED_ACORN_NS "\""
		    " ref=\"urn:uuid:%s\" when=\"%s\">\n"
		    "  <at:comment>Deleted by its origin.</at:comment>\n"
		    "%s"
		    "  <acorn:record kind=\"%s\" version=\"%d\""
		    " origin=\"urn:uuid:%s\" deleted=\"true\"/>\n"
		    "</at:deleted-entry>\n", e->id, now, src, kind, version,
		    origin);
	else
		out = xprintf("<entry xmlns=\"" FED_ATOM_NS "\""
		    " xmlns:acorn=\"" FED_ACORN_NS "\">\n"
		    "  <id>urn:uuid:%s</id>\n"
		    "  <title>%s</title>\n"
		    "  <updated>%s</updated>\n"
		    "%s"
		    "%s"
		    "  <acorn:record kind=\"%s\" version=\"%d\""
		    " origin=\"urn:uuid:%s\">\n"
		    "    %s\n"
		    "  </acorn:record>\n"
		    "</entry>\n", e->id, e->title != NULL ? e->title : "A term",
		    now, alternate, src, kind, version, origin,
		    e->fields != NULL ? e->fields : "");
	free(alternate);
	free(self);
	free(src);
	return out;
}

/*
 * The ds:Signature template of docs/protocol.md section 4, filled in by
 * xmlsec1: the algorithms are the protocol's, written out here rather
 * than taken from the library under test.
 */
static const char signature_template[] =
    "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">"
    "<ds:SignedInfo>"
    "<ds:CanonicalizationMethod"
    " Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"
    "<ds:SignatureMethod"
    " Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256\"/>"
    "<ds:Reference URI=\"\">"
    "<ds:Transforms>"
    "<ds:Transform Algorithm="
    "\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>"
    "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"
    "</ds:Transforms>"
    "<ds:DigestMethod"
    " Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>"
    "<ds:DigestValue></ds:DigestValue>"
    "</ds:Reference>"
    "</ds:SignedInfo>"
    "<ds:SignatureValue></ds:SignatureValue>"
    "<ds:KeyInfo><ds:KeyName>%s</ds:KeyName></ds:KeyInfo>"
    "</ds:Signature>";

/* Runs argv (argv[0] a path) to the end; its exit status. */
static int
run(char *const argv[])
{
	pid_t pid;
	int status;

	ck_assert_int_eq(posix_spawn(&pid, argv[0], NULL, NULL, argv,
	    environ), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * The document xml signed by `xmlsec1 --sign` with the key in
 * key_path, whose fingerprint is fp: the template goes in as the last
 * child of the root, whose end tag ends xml.  The key is named by fp,
 * so that xmlsec1 finds it by the template's KeyName.  The signed
 * document comes back in its exclusive canonical form, as a node sends
 * it: without an XML declaration, so it can sit in a feed page.
 */
static char *
xmlsec1_sign(const char *xml, const char *key_path, const char *fp)
{
	char tmpl_path[512], out_path[512], option[FED_FP_LEN + 20];
	char *const argv[] = { XMLSEC1, "--sign", option, (char *)key_path,
	    "--output", out_path, tmpl_path, NULL };
	char *sig, *tmpl, *out;
	const char *end;
	xmlDocPtr doc;
	xmlChar *c14n = NULL;
	int len;

	ck_assert_ptr_nonnull(end = strrchr(xml, '<'));
	ck_assert_msg(end[1] == '/', "xml does not end with its root's end"
	    " tag");
	sig = xprintf(signature_template, fp);
	tmpl = xprintf("%.*s%s%s", (int)(end - xml), xml, sig, end);
	text_write(tmpl, tmpl_path, sizeof(tmpl_path), "fakepeer-template");
	close(var_file(out_path, sizeof(out_path), "fakepeer-signed"));
	snprintf(option, sizeof(option), "--privkey-pem:%s", fp);
	ck_assert_msg(run(argv) == 0, "xmlsec1 did not sign %s", tmpl_path);
	doc = xmlReadFile(out_path, NULL, XML_PARSE_NONET);
	ck_assert_ptr_nonnull(doc);
	len = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_EXCLUSIVE_1_0, NULL, 0,
	    &c14n);
	ck_assert_int_gt(len, 0);
	ck_assert_ptr_nonnull(out = strndup((const char *)c14n, (size_t)len));
	xmlFree(c14n);
	xmlFreeDoc(doc);
	unlink(out_path);
	unlink(tmpl_path);
	free(tmpl);
	free(sig);
	return out;
}

/* xml signed with key, named by its own fingerprint. */
char *
fake_sign(const char *xml, EVP_PKEY *key)
{
	char fp[FED_FP_LEN + 1], key_path[512], *out;

	fake_fingerprint(key, fp);
	key_write(key, key_path, sizeof(key_path));
	out = xmlsec1_sign(xml, key_path, fp);
	unlink(key_path);
	return out;
}

/* The entry as the peer signs it with its own key. */
char *
fake_entry(const struct fakepeer *p, const struct fake_entry *e)
{
	char *xml = fake_entry_xml(p, e), *out;

	out = xmlsec1_sign(xml, p->key_path, p->fingerprint);
	free(xml);
	return out;
}

/* A glossary term of the peer's own, signed. */
char *
fake_term(const struct fakepeer *p, const char *id, int version,
    const char *term, const char *definition)
{
	struct fake_entry e = { 0 };
	char *fields, *out;

	fields = xprintf("<acorn:term>%s</acorn:term>"
	    "<acorn:definition>%s</acorn:definition>", term, definition);
	e.id = id;
	e.version = version;
	e.title = term;
	e.fields = fields;
	out = fake_entry(p, &e);
	free(fields);
	return out;
}

/*
 * The home node's id for the member a request names: the one given, or
 * else one of the peer's members per address, so that requests with one
 * address are one person's and with two addresses two people's.
 */
static char *
request_member(const struct fake_request *r, const char *email)
{
	unsigned char h[SHA256_DIGEST_LENGTH];

	if (r->member != NULL)
		return xprintf("%s", r->member);
	SHA256((const unsigned char *)email, strlen(email), h);
	return xprintf("urn:uuid:%02x%02x%02x%02x-%02x%02x-4%x%02x-%x%x%02x-"
	    "%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3], h[4], h[5],
	    h[6] & 0x0f, h[7], 8 | (h[8] & 3), h[8] >> 4, h[9], h[10], h[11],
	    h[12], h[13], h[14], h[15]);
}

/*
 * The unsigned registration request, as a home node writes it for the
 * host's inbox.  The caller's strings go in as they are: a test may
 * want them malformed.
 */
char *
fake_request_xml(const struct fakepeer *p, const struct fake_request *r)
{
	struct fake_entry e = { 0 };
	const char *state = r->state != NULL ? r->state : "registered";
	const char *email = r->email != NULL ? r->email :
	    "amina@peer.example.org";
	char *fields, *out, *member = request_member(r, email);

	if (strcmp(state, "registered") == 0)
		fields = xprintf("<acorn:event>urn:uuid:%s</acorn:event>"
		    "<acorn:state>%s</acorn:state>"
		    "<acorn:place ref=\"%s\">In person</acorn:place>"
		    "<acorn:places>%s</acorn:places>"
		    "<acorn:member>%s</acorn:member>"
		    "<acorn:name>%s</acorn:name>"
		    "<acorn:email>%s</acorn:email>"
		    "<acorn:organisation>Test Health Centre"
		    "</acorn:organisation>"
		    "<acorn:public>%s</acorn:public>%s", r->event, state,
		    r->place, r->places != NULL ? r->places : "1",
		    member, r->name != NULL ? r->name : "Amina Khan", email,
		    r->public != NULL ? r->public : "false",
		    r->answers != NULL ? r->answers : "");
	else
		fields = xprintf("<acorn:event>urn:uuid:%s</acorn:event>"
		    "<acorn:state>%s</acorn:state>", r->event, state);
	e.kind = "registration";
	e.id = r->id;
	e.version = r->version;
	e.origin = r->origin;
	e.source = r->source;
	e.title = "Registration";
	e.fields = fields;
	out = fake_entry_xml(p, &e);
	free(fields);
	free(member);
	return out;
}

/* The registration request, signed with the peer's own key. */
char *
fake_request(const struct fakepeer *p, const struct fake_request *r)
{
	char *xml = fake_request_xml(p, r), *out;

	out = xmlsec1_sign(xml, p->key_path, p->fingerprint);
	free(xml);
	return out;
}

/*
 * A feed page for peers holding the entries given (NULL ends them),
 * with its cursor and the peer's latest change; no cursor when it is
 * negative.
 */
char *
fake_page(long long cursor, ...)
{
	va_list ap;
	const char *entry;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_ptr_nonnull(f = open_memstream(&out, &len));
	fputs(feed_open, f);
	if (cursor >= 0)
		fprintf(f, "<acorn:cursor>%lld</acorn:cursor>"
		    "<acorn:latest>%lld</acorn:latest>", cursor, cursor);
	else
		fputs("<acorn:latest>0</acorn:latest>", f);
	fputs("\n", f);
	va_start(ap, cursor);
	while ((entry = va_arg(ap, const char *)) != NULL)
		fprintf(f, "%s\n", entry);
	va_end(ap);
	fputs("</feed>\n", f);
	ck_assert_int_eq(fclose(f), 0);
	return out;
}

/* s with its first from replaced by to, malloc'd; from must be there. */
char *
fake_edit(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t pre;

	ck_assert_msg(at != NULL, "\"%s\" is not in the text", from);
	pre = (size_t)(at - s);
	return xprintf("%.*s%s%s", (int)pre, s, to, at + strlen(from));
}
