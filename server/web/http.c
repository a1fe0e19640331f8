/*
 * The HTTP server: libmicrohttpd with its own thread pool, the three-phase
 * request cycle (allocate and admit, take the body, dispatch), and every
 * response leaving through http_queue, which adds the security headers.
 * Who may use a route is settled before any of the body is read, and
 * again, with the session as it is then, once the body has come; a file
 * in the body goes to a temporary file, never to memory, and so does a
 * stored file on its way to a reader.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "web.h"

struct server {
	struct MHD_Daemon	*daemon;
	struct db_pool		*pool;
};

static struct db_pool	*pool;
static const struct route *routes;	/* the table server_start was given */
static size_t		 nroutes;
static char		*upload_dir;	/* where uploads wait for handlers */

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

/*
 * Every response goes out through here.  Those with a body carry the
 * page security headers; a 204 or a 304 has nothing they could govern,
 * and a 304 carries only what a 200 would have said of the stored copy
 * (RFC 9110 section 15.4.5): a caught-up peer's poll is headers alone.
 */
int
http_queue(struct request *r, unsigned int status, struct MHD_Response *resp)
{
	enum MHD_Result rc;
	int i;

	if (resp == NULL)
		return MHD_NO;
	if (status != 204 && status != 304) {
		MHD_add_response_header(resp, "Content-Security-Policy", csp);
		MHD_add_response_header(resp, "X-Content-Type-Options",
		    "nosniff");
		MHD_add_response_header(resp, "Referrer-Policy",
		    "same-origin");
		MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	}
	for (i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i].name,
		    r->headers[i].value);
	r->status = status;
	r->answered = 1;
	rc = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/*
 * Sends body as type with cache_control (NULL: none).  A route that may
 * be kept: the cache takes the bytes, with the headers the handler added
 * (an ETag, say), and answers, a 304 included.
 */
int
http_send_kept(struct request *r, unsigned int status, const char *type,
    const char *cache_control, const void *body, size_t len, int copy)
{
	struct MHD_Response *resp;
	char *mine;

	if (r->cache.key != NULL) {
		if (!copy)
			mine = (char *)body;
		else if ((mine = malloc(len + 1)) == NULL)
			return http_error(r, 500);
		else
			memcpy(mine, body, len);
		if ((resp = cache_keep(r, &status, type, cache_control, mine,
		    len)) == NULL)
			return http_error(r, 500);
		return http_queue(r, status, resp);
	}
	resp = MHD_create_response_from_buffer(len, (void *)body,
	    copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		if (!copy)
			free((void *)body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	if (cache_control != NULL)
		MHD_add_response_header(resp, "Cache-Control", cache_control);
	return http_queue(r, status, resp);
}

int
http_send(struct request *r, unsigned int status, const char *type,
    const void *body, size_t len, int copy)
{
	return http_send_kept(r, status, type, NULL, body, len, copy);
}

/*
 * The Content-Disposition that saves a file under name: the name as
 * plain ASCII (no controls, quotes or backslashes; "download" when
 * nothing is left) and, when that lost anything, the whole name again
 * as RFC 5987 UTF-8 for the browsers that read it.  NULL when out of
 * memory.
 */
static char *
disposition(const char *name)
{
	char ascii[256], *enc, *out;
	size_t i, n;

	for (i = 0, n = 0; name[i] != '\0' && n < sizeof(ascii) - 1; i++)
		if ((unsigned char)name[i] >= 0x20 &&
		    (unsigned char)name[i] < 0x7f && name[i] != '"' &&
		    name[i] != '\\')
			ascii[n++] = name[i];
	ascii[n] = '\0';
	if (name[i] == '\0' && n == i)
		return util_printf("attachment; filename=\"%s\"", ascii);
	if ((enc = util_url_encode(name)) == NULL)
		return NULL;
	out = util_printf("attachment; filename=\"%s\"; filename*=UTF-8''%s",
	    n > 0 ? ascii : "download", enc);
	free(enc);
	return out;
}

/*
 * Queues resp (which this takes) as a file to save: named filename,
 * shown in a sandbox if a browser opens it anyway, and cached as
 * cache_control says.
 */
static int
attachment_queue(struct request *r, struct MHD_Response *resp,
    const char *type, const char *filename, const char *cache_control)
{
	char *disp;

	if ((disp = disposition(filename)) == NULL) {
		MHD_destroy_response(resp);
		return http_error(r, 500);
	}
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Content-Disposition", disp);
	MHD_add_response_header(resp, "Content-Security-Policy", "sandbox");
	MHD_add_response_header(resp, "Cache-Control", cache_control);
	free(disp);
	return http_queue(r, 200, resp);
}

/*
 * A file name for a spreadsheet from a title (an event's, say), then
 * what, and ".csv": letters and digits kept, any run of anything else
 * one hyphen, so that no header or path can be made.
 */
void
http_csv_name(const char *title, const char *what, char *out, size_t len)
{
	size_t n = 0;
	int gap = 0;

	for (; *title != '\0' && n + 1 < len && n < 60; title++) {
		char ch = *title;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9')) {
			if (gap && n > 0 && n + 2 < len)
				out[n++] = '-';
			out[n++] = ch;
			gap = 0;
		} else
			gap = 1;
	}
	out[n] = '\0';
	snprintf(out + n, len - n, "%s%s.csv", n > 0 ? "-" : "event-", what);
}

/*
 * A file to save rather than show: body (len bytes, which this frees)
 * as type, named filename when saved, and never kept by a browser or a
 * proxy, since what people download is theirs.
 */
int
http_attachment(struct request *r, const char *type, char *body, size_t len,
    const char *filename)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, body,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	return attachment_queue(r, resp, type, filename, "no-store");
}

/*
 * A stored file to save, streamed from fd (len bytes from its start;
 * this closes it) so that a slow reader holds a file, not its bytes in
 * memory.  etag names the content, so a reader can ask again cheaply.
 */
int
http_download(struct request *r, const char *type, int fd, size_t len,
    const char *filename, const char *etag)
{
	struct MHD_Response *resp;

	if ((resp = MHD_create_response_from_fd64(len, fd)) == NULL) {
		close(fd);
		return http_error(r, 500);
	}
	MHD_add_response_header(resp, "ETag", etag);
	return attachment_queue(r, resp, type, filename, "private, no-cache");
}

/*
 * Renders a page.  Browsers and proxies are told to keep none (a page
 * may show who is signed in); the node itself keeps those of routes
 * flagged CACHE or CACHE_OWN (cache.c), until the data changes.
 */
int
http_page(struct request *r, unsigned int status, const char *tmpl,
    struct view *v)
{
	struct MHD_Response *resp;
	char *out;
	size_t len;
	const char *title;

	/* A page sent back with problems says so first, in its title too. */
	if (view_has(v, "errors") && (title = view_get(v, "title")) != NULL &&
	    strncmp(title, "Error: ", 7) != 0)
		view_setf(v, "title", "Error: %s", title);
	/* What was typed back, and what was wrong with it, is theirs. */
	if (view_has(v, "errors"))
		r->cache.nostore = 1;
	if (template_render(tmpl, v, &out, &len) == -1) {
		view_free(v);
		return http_error(r, 500);
	}
	view_free(v);
	if (r->cache.key != NULL) {
		if ((resp = cache_keep(r, &status, "text/html; charset=utf-8",
		    "no-store", out, len)) == NULL)
			return http_error(r, 500);
		return http_queue(r, status, resp);
	}
	resp = MHD_create_response_from_buffer(len, out, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(out);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
	    "text/html; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return http_queue(r, status, resp);
}

static const struct {
	unsigned int	 status;
	const char	*title;
	const char	*text;
} errors[] = {
	{ 400, "Sorry, we could not read that request",
	  "Go back and try again." },
	{ 403, "You cannot do that",
	  "You do not have permission for this page, or the form you sent "
	  "had expired. Go back, reload the page and try again." },
	{ 404, "Page not found",
	  "If you typed the web address, check it is correct." },
	{ 405, "That is not allowed here",
	  "This page cannot be used in that way." },
	{ 413, "What you sent is too large",
	  "Shorten what you entered, or send a smaller file, and try again." },
	{ 415, "Sorry, we could not read that request",
	  "Send the form from this site's own pages." },
	{ 500, "Sorry, there is a problem with the service",
	  "Try again later. Nothing you entered has been saved." },
	{ 503, "Sorry, the service is unavailable",
	  "Try again in a few minutes. Nothing you entered has been saved." },
};

/* Fixed pages: nothing from the request is ever echoed in them. */
int
http_error(struct request *r, unsigned int status)
{
	struct view *v;
	char *out;
	size_t i, len;
	static const char fallback[] = "Error\n";

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]) - 1; i++)
		if (errors[i].status == status)
			break;
	if ((v = view_new()) != NULL) {
		view_set(v, "title", errors[i].title);
		view_set(v, "message", errors[i].text);
		view_set(v, "node_name", cfg->node_name);
		view_set(v, "node_region", cfg->region);
		if (template_render("error", v, &out, &len) == 0) {
			view_free(v);
			return http_send(r, status, "text/html; charset=utf-8",
			    out, len, 0);
		}
		view_free(v);
	}
	return http_send(r, status, "text/plain; charset=utf-8", fallback,
	    sizeof(fallback) - 1, 1);
}

/* 304: the client's copy, named by etag, is current. */
int
http_not_modified(struct request *r, const char *etag,
    const char *cache_control)
{
	return http_queue(r, 304, response_not_modified(etag, cache_control));
}

/* 303 to a local path, so a reload never repeats a POST. */
int
http_redirect(struct request *r, const char *path)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(0, NULL,
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Location", path);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return http_queue(r, 303, resp);
}

/* 303 to a local path put together from a format. */
int
http_redirectf(struct request *r, const char *fmt, ...)
{
	va_list ap;
	char *to;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&to, fmt, ap);
	va_end(ap);
	if (rc == -1)
		return http_error(r, 500);
	rc = http_redirect(r, to);
	free(to);
	return rc;
}

/*
 * A query parameter as it came, for the few that are no form field
 * (form.c's raw_query): the response cache keys pages by those and the
 * form's fields alone, so reading any other would be a page that a
 * kept copy gets wrong.
 */
const char *
http_query(struct request *r, const char *name)
{
	if (!form_query_raw(name)) {
		log_err("query parameter %s is not in raw_query", name);
		return NULL;
	}
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

const char *
http_header(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static void
flush_field(struct request *r)
{
	if (r->body_name == NULL)
		return;
	if (form_take(&r->form, r->body_name, r->acc ? r->acc : "",
	    r->acclen) == -1)
		form_answer(&r->form, r->body_name, r->acc ? r->acc : "",
		    r->acclen);
	free(r->body_name);
	if (r->acc != NULL)
		explicit_bzero(r->acc, r->acclen);
	free(r->acc);
	r->body_name = NULL;
	r->acc = NULL;
	r->acclen = 0;
}

/*
 * A file with no name in upload_dir, so that it goes with its request
 * however the request ends, even when the node is killed: an upload
 * waiting for its handler, or a stored file on its way to a reader.
 * Filesystems without O_TMPFILE get a private name that is removed at
 * once.  -1 on failure, logged.
 */
int
http_tmpfile(void)
{
	char *path;
	int fd;

	fd = open(upload_dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
	if (fd != -1 || (errno != EOPNOTSUPP && errno != EISDIR))
		goto done;
	if ((path = util_printf("%s/acorn-upload-XXXXXX", upload_dir)) ==
	    NULL)
		return -1;
	if ((fd = mkostemp(path, O_CLOEXEC)) != -1)
		unlink(path);
	free(path);
done:
	if (fd == -1)
		log_err("%s: %s: %s", __func__, upload_dir, strerror(errno));
	return fd;
}

/* Appends to the upload's file; -1 on failure, logged. */
static int
upload_write(struct request *r, const char *data, size_t size)
{
	ssize_t n;

	while (size > 0) {
		if ((n = write(r->upload.fd, data, size)) == -1) {
			if (errno == EINTR)
				continue;
			log_err("%s: %s: %s", __func__, upload_dir,
			    strerror(errno));
			return -1;
		}
		data += n;
		size -= (size_t)n;
		r->upload.len += (size_t)n;
	}
	return 0;
}

/*
 * A file in a multipart body: only routes that take one accept it, only
 * one file per request, in the field named "file".  It goes to a
 * temporary file as it arrives.  This site's forms put the CSRF token
 * before the file, so a file that comes without it is not even written
 * down.  What type it is gets decided from its bytes by the handler,
 * never from what the browser said.
 */
static enum MHD_Result
upload_part(struct request *r, const char *key, const char *filename,
    uint64_t off, const char *data, size_t size)
{
	if (!route_is(r, UPLOAD) || strcmp(key, "file") != 0) {
		r->bad_body = 1;
		return MHD_YES;
	}
	if (off == 0) {
		if (r->upload.filename != NULL) {
			r->bad_body = 1;	/* a second file */
			return MHD_YES;
		}
		flush_field(r);
		if (route_is(r, CSRF) && !session_csrf_ok(r)) {
			r->csrf_refused = 1;
			return MHD_YES;
		}
		if ((r->upload.filename = util_strdup(filename)) == NULL)
			return MHD_NO;
		if ((r->upload.fd = http_tmpfile()) == -1) {
			r->store_failed = 1;
			return MHD_YES;
		}
	}
	if (size == 0 || r->upload.fd == -1 || r->too_large)
		return MHD_YES;
	if (r->upload.len + size > (size_t)cfg->max_upload) {
		r->too_large = 1;
		return MHD_YES;
	}
	if (upload_write(r, data, size) == -1)
		r->store_failed = 1;
	return MHD_YES;
}

/*
 * Fields other than a file are held in memory: together no larger than
 * a body without a file may be, even on routes that take one.
 */
static size_t
fields_max(const struct request *r)
{
	if (r->route != NULL && r->route->max_body > 0)
		return (size_t)r->route->max_body;
	return (size_t)cfg->max_body;
}

/* The most a request's body may hold: a file more on routes that take one. */
static size_t
body_max(const struct request *r)
{
	return fields_max(r) + (route_is(r, UPLOAD) ?
	    (size_t)cfg->max_upload : 0);
}

static enum MHD_Result
post_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *type, const char *enc,
    const char *data, uint64_t off, size_t size)
{
	struct request *r = cls;
	char *grown;

	(void)kind; (void)type; (void)enc;
	if (filename != NULL)
		return upload_part(r, key, filename, off, data, size);
	if (r->body_name == NULL || off == 0 ||
	    strcmp(r->body_name, key) != 0) {
		flush_field(r);
		if ((r->body_name = util_strdup(key)) == NULL)
			return MHD_NO;
	}
	if (size == 0)
		return MHD_YES;
	if (r->fields + size > fields_max(r)) {
		r->too_large = 1;
		return MHD_YES;
	}
	r->fields += size;
	/* Grown by hand, not realloc: the old copy may hold a password. */
	if ((grown = malloc(r->acclen + size + 1)) == NULL)
		return MHD_NO;
	if (r->acc != NULL) {
		memcpy(grown, r->acc, r->acclen);
		explicit_bzero(r->acc, r->acclen);
		free(r->acc);
	}
	r->acc = grown;
	memcpy(r->acc + r->acclen, data, size);
	r->acclen += size;
	r->acc[r->acclen] = '\0';
	return MHD_YES;
}

static enum MHD_Result
query_field(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	struct request *r = cls;

	(void)kind; (void)key_size;
	if (key != NULL)
		(void)form_take(&r->form, key, value ? value : "",
		    value ? value_size : 0);
	return MHD_YES;
}

/* 127.0.0.0/8, ::1, or 127.0.0.0/8 mapped into IPv6. */
static int
address_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET)
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family != AF_INET6)
		return 0;
	return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
	    (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
	    s6->sin6_addr.s6_addr[12] == 127);
}

/*
 * For a route that does without the database (NO_DB) but shows more
 * with it: a connection when one is free at once, given back with the
 * request's; NULL otherwise.
 */
struct db *
http_db_try(struct request *r)
{
	if (r->db == NULL)
		r->db = db_acquire_within(pool, 0);
	return r->db;
}

/*
 * Whether the request comes from this machine itself and not through a
 * proxy on it: its socket's peer is loopback and no proxy header says it
 * was forwarded for someone else.  Behind a trusted proxy every request
 * comes from loopback, and a proxy that adds no such header would make
 * everyone local: then nothing is.
 */
int
http_local(struct request *r)
{
	return !cfg->trust_proxy && r->loopback &&
	    http_header(r, "X-Forwarded-For") == NULL &&
	    http_header(r, "Forwarded") == NULL;
}

/* Keeps the value of the last X-Forwarded-For header in *cls. */
static enum MHD_Result
forwarded_last(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	const char **last = cls;

	(void)kind; (void)key_size; (void)value_size;
	if (key != NULL && value != NULL &&
	    strcasecmp(key, "X-Forwarded-For") == 0)
		*last = value;
	return MHD_YES;
}

/*
 * Behind a reverse proxy on this machine every request comes from
 * loopback; the proxy appends the real client as the last entry of the
 * last X-Forwarded-For header, the only one a client cannot forge
 * (whatever headers the client sent come before it).
 */
static void
client_forwarded(struct request *r)
{
	const char *xff = NULL, *last;
	unsigned char buf[sizeof(struct in6_addr)];
	char addr[sizeof(r->addr)];
	size_t n;

	MHD_get_connection_values_n(r->conn, MHD_HEADER_KIND, forwarded_last,
	    &xff);
	if (xff == NULL)
		return;
	last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	last += strspn(last, " \t");
	n = strcspn(last, " \t");
	if (n == 0 || n >= sizeof(addr))
		return;
	memcpy(addr, last, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, buf) == 1 ||
	    inet_pton(AF_INET6, addr, buf) == 1)
		snprintf(r->addr, sizeof(r->addr), "%s", addr);
}

static void
client_address(struct request *r)
{
	const union MHD_ConnectionInfo *ci;
	socklen_t len;

	ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL) {
		snprintf(r->addr, sizeof(r->addr), "unknown");
		return;
	}
	r->loopback = address_loopback(ci->client_addr);
	len = ci->client_addr->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (getnameinfo(ci->client_addr, len, r->addr, sizeof(r->addr), NULL,
	    0, NI_NUMERICHOST) != 0)
		snprintf(r->addr, sizeof(r->addr), "unknown");
	if (cfg->trust_proxy && r->loopback)
		client_forwarded(r);
}

/*
 * Is a Content-Type an Atom document of kind ("entry" or "feed"):
 * application/atom+xml, with no type parameter or type=kind (RFC 5023
 * section 9.2)?
 */
static int
atom_type(const char *type, const char *kind)
{
	size_t k = strlen(kind);
	const char *t;

	if (type == NULL || strncasecmp(type, "application/atom+xml", 20) != 0)
		return 0;
	type += 20;
	if (*type == '\0')
		return 1;
	if (*type != ';' && *type != ' ')
		return 0;
	if ((t = strcasestr(type, "type=")) == NULL)
		return 1;
	t += 5;
	if (*t == '"')
		t++;
	return strncasecmp(t, kind, k) == 0 &&
	    (t[k] == '\0' || t[k] == ';' || t[k] == '"' || t[k] == ' ');
}

/* A raw body (the inbox's entry), NUL-terminated. */
static int
raw_append(struct request *r, const char *data, size_t size)
{
	size_t cap;
	char *grown;

	if (r->entry.len + size + 1 > r->entry.cap) {
		/* Declared, the whole body at once: no doubling past it. */
		cap = r->entry.cap ? r->entry.cap : r->declared > 0 ?
		    (size_t)r->declared + 1 : 16 * 1024;
		while (cap < r->entry.len + size + 1)
			cap *= 2;
		if ((grown = realloc(r->entry.data, cap)) == NULL)
			return -1;
		r->entry.data = grown;
		r->entry.cap = cap;
	}
	memcpy(r->entry.data + r->entry.len, data, size);
	r->entry.len += size;
	r->entry.data[r->entry.len] = '\0';
	return 0;
}

/*
 * 413, saying how large a file may be where a file was being sent: the
 * person can do something about that.
 */
static int
too_large(struct request *r)
{
	struct view *v;
	char msg[200], limit[32];

	if (!route_is(r, UPLOAD) || (v = view_new()) == NULL)
		return http_error(r, 413);
	util_size_text(cfg->max_upload, limit, sizeof(limit));
	snprintf(msg, sizeof(msg), "Files can be up to %s. Make the file "
	    "smaller, or choose a smaller one, and try again.", limit);
	view_set(v, "title", "The file is too large");
	view_set(v, "message", msg);
	view_set(v, "node_name", cfg->node_name);
	view_set(v, "node_region", cfg->region);
	return http_page(r, 413, "error", v);
}

/* Signed in: what every NEED_ flag asks first. */
static int
signed_in(const struct request *r)
{
	return r->account != NULL;
}

/*
 * Who may use a route: each NEED_ flag a route may carry and the test
 * the request must pass for it.  A route carrying several needs all of
 * them; a new role is a flag and a row here.
 */
static const struct {
	unsigned int	 flag;
	int		(*allows)(const struct request *);
} needs[] = {
	{ NEED_MEMBER,		signed_in },
	{ NEED_CONTRIBUTOR,	is_contributor },
	{ NEED_COORDINATOR,	is_coordinator },
	{ NEED_ADMIN,		is_admin },
};

#define NNEEDS	(sizeof(needs) / sizeof(needs[0]))

/* Whether the request's account passes every NEED_ flag of its route. */
static int
route_allows(const struct request *r)
{
	size_t i;

	for (i = 0; i < NNEEDS; i++)
		if ((r->route->flags & needs[i].flag) && !needs[i].allows(r))
			return 0;
	return 1;
}

/*
 * Reads the session (on r->db) and answers a request its route does not
 * allow: sent to sign in when not signed in, 403 when signed in without
 * the role.  MHD_YES with nothing answered: go on.
 */
static int
session_check(struct request *r)
{
	char *next;
	int rc;

	if (session_load(r) == -1)
		return http_error(r, 503);
	r->session_read = 1;
	if (route_allows(r))
		return MHD_YES;
	if (r->account != NULL)
		return http_error(r, 403);
	next = util_printf("/signin?next=%s", r->url);
	rc = http_redirect(r, next ? next : "/signin");
	free(next);
	return rc;
}

/*
 * Forgets the session read at the headers.  A body may take as long to
 * arrive as its sender likes, and meanwhile the session may have ended
 * (signed out everywhere, a password reset) or its account lost a role:
 * what the request does is decided by the session as it is when the
 * body is complete.
 */
static void
session_forget(struct request *r)
{
	account_free(r->account);
	r->account = NULL;
	OPENSSL_cleanse(r->session, sizeof(r->session));
	OPENSSL_cleanse(r->csrf, sizeof(r->csrf));
	r->session_read = 0;
}

/*
 * Bodies that may be large are taken a few at a time, so that a crowd
 * of slow senders cannot fill the node's memory or disk: a file on its
 * way to upload_dir (which may be in memory, a tmpfs) and an Atom entry,
 * held in memory before any signature on it is checked.  A body declared
 * no larger than max_body needs no slot.
 */
enum slot { SLOT_NONE, SLOT_UPLOAD, SLOT_ENTRY, SLOT__MAX };
static atomic_int slots_taken[SLOT__MAX];
#define SLOTS_PER_THREAD	4	/* of each kind, per request thread */
#define SLOT_RETRY		5	/* seconds the refused are told to wait */

static int
body_slot(struct request *r)
{
	enum slot s;

	if (route_is(r, UPLOAD))
		s = SLOT_UPLOAD;
	else if (route_is(r, ATOM_ENTRY) || route_is(r, ATOM_FEED))
		s = SLOT_ENTRY;
	else
		return MHD_YES;
	if (r->declared >= 0 && r->declared <= cfg->max_body)
		return MHD_YES;
	if (atomic_fetch_add(&slots_taken[s], 1) >=
	    SLOTS_PER_THREAD * cfg->threads) {
		atomic_fetch_sub(&slots_taken[s], 1);
		log_warn("%s: as many large bodies as the node takes at once",
		    r->route->metric);
		response_retry_after(r, SLOT_RETRY);
		return http_error(r, 503);
	}
	r->slot = (int)s;
	return MHD_YES;
}

/*
 * A POST's first call, before any of its body is read: reads the
 * session and checks what the route needs, so that someone who may not
 * use the route is answered at once and nothing they send after the
 * headers is read.  The database connection is given back before the
 * body is read, so a slow sender holds none.  (A GET or HEAD has no
 * body and is decided on its next call, which comes at once.)
 */
static int
admit(struct request *r)
{
	int rc;

	if (r->method != METHOD_POST)
		return MHD_YES;
	if (!(r->route->flags & (NO_DB | NO_SESSION))) {
		if ((r->db = db_acquire(pool)) == NULL)
			return http_error(r, 503);
		rc = session_check(r);
		db_release(pool, r->db);
		r->db = NULL;
		if (rc != MHD_YES || r->answered)
			return rc;
	}
	return body_slot(r);
}

/* Maps the upload's file for the handler; -1 on failure, logged. */
static int
upload_map(struct request *r)
{
	void *p;

	if (r->upload.fd == -1 || r->upload.len == 0)
		return 0;
	p = mmap(NULL, r->upload.len, PROT_READ, MAP_PRIVATE, r->upload.fd,
	    0);
	if (p == MAP_FAILED) {
		log_err("%s: %s", __func__, strerror(errno));
		return -1;
	}
	r->upload.data = p;
	return 0;
}

/*
 * Answers the request from memory when its route is kept and its page is
 * there; -1 when not, and then r->cache says whether and under what the
 * page about to be rendered may be kept.
 */
static int
cached(struct request *r)
{
	struct MHD_Response *resp;
	unsigned int status;

	if ((resp = cache_find(r, &status)) == NULL)
		return -1;
	return http_queue(r, status, resp);
}

/*
 * A GET or HEAD of a kept route is looked up before any database
 * connection is taken, when its session needs no query: nobody signed
 * in (a form token comes from the pre-session cookie alone), or a
 * session kept in memory (session.c).  A page found is sent with no
 * query at all.  -1: not answered, and the request goes on as any other.
 */
static int
cache_fast(struct request *r)
{
	if (!(r->route->flags & (CACHE | CACHE_OWN)))
		return -1;
	if (session_load(r) != 0 || !route_allows(r)) {
		session_forget(r);
		return -1;
	}
	r->session_read = 1;
	return cached(r);
}

/*
 * The request is complete: who may use the route is decided again, with
 * the session as it is now (a GET's first look, a POST's second), then
 * what its body held, then the handler answers.
 */
static int
dispatch(struct request *r)
{
	const struct route *rt = r->route;
	int rc;

	if (rt->arg != NULL)
		snprintf(r->arg, sizeof(r->arg), "%s", rt->arg);
	/*
	 * Not on the request's first call: libmicrohttpd closes a
	 * connection whose response was queued before the request was
	 * read to its end, and a page from memory must keep its
	 * connection as any other does.
	 */
	if (r->method != METHOD_POST && (rc = cache_fast(r)) != -1)
		return rc;
	if (!(rt->flags & NO_DB) && (r->db = db_acquire(pool)) == NULL)
		return http_error(r, 503);
	/*
	 * A POST's session is read again now its body is complete (one
	 * nobody was signed in for at the headers has nothing to lose); a
	 * GET's, read just now by cache_fast, stands, so that its page is
	 * rendered for the viewer it is kept under.
	 */
	if (!(rt->flags & (NO_DB | NO_SESSION)) && (!r->session_read ||
	    (r->method == METHOD_POST && r->account != NULL))) {
		session_forget(r);
		if ((rc = session_check(r)) != MHD_YES || r->answered)
			return rc;
	}
	if (r->too_large)
		return too_large(r);
	if (r->store_failed)
		return http_error(r, 503);
	if (r->bad_body)
		return http_error(r, 400);
	if (r->csrf_refused)
		return http_error(r, 403);
	if (r->method == METHOD_POST && (rt->flags & CSRF) &&
	    !session_csrf_ok(r))
		return http_error(r, 403);
	if (upload_map(r) == -1)
		return http_error(r, 503);
	/* A date's parts came one by one: it is judged whole. */
	form_end(&r->form);
	/* Signed in: one query for the session, and perhaps no more. */
	if (r->method != METHOD_POST && (rc = cached(r)) != -1)
		return rc;
	cache_mask(r);
	rc = rt->handler(r);
	cache_unmask(r);
	return rc;
}

/*
 * What the headers say of a body, on the first call: its length (-1
 * when chunked), refused when too large, and refused outright on a GET
 * or HEAD, which would otherwise be read while nothing was decided.
 */
static int
body_declared(struct request *r)
{
	const char *len;

	len = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	r->declared = -1;
	if (len != NULL && util_parse_long(len, 0, LONG_MAX, &r->declared) ==
	    -1)
		return too_large(r);
	if (r->method != METHOD_POST && (r->declared > 0 || (len == NULL &&
	    http_header(r, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)))
		return http_error(r, 400);
	if (r->declared > 0 && (size_t)r->declared > body_max(r))
		return too_large(r);
	return MHD_YES;
}

/* Requests begun and not yet answered: what a stop waits for. */
static atomic_int in_flight;

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	struct request *r = *req_cls;
	const char *type;
	int rc;

	(void)cls; (void)version;
	if (r == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		r->upload.fd = -1;
		*req_cls = r;
		atomic_fetch_add(&in_flight, 1);
		r->conn = conn;
		r->url = url;
		clock_gettime(CLOCK_MONOTONIC, &r->start);
		client_address(r);
		if (strcmp(method, "GET") == 0)
			r->method = METHOD_GET;
		else if (strcmp(method, "HEAD") == 0)
			r->method = METHOD_HEAD;
		else if (strcmp(method, "POST") == 0)
			r->method = METHOD_POST;
		else
			return http_error(r, 405);
		r->route = route_find(routes, nroutes, url, r->arg,
		    sizeof(r->arg));
		/* Nothing after the headers is read for a request refused. */
		if (r->route == NULL)
			return http_error(r, 404);
		if (!(r->route->methods & (1u << r->method)))
			return http_error(r, 405);
		if ((rc = body_declared(r)) != MHD_YES || r->answered)
			return rc == MHD_YES ? MHD_YES : MHD_NO;
		/* A refusal that could not be sent closes the connection. */
		if ((rc = admit(r)) != MHD_YES || r->answered)
			return rc == MHD_YES ? MHD_YES : MHD_NO;
		if (r->method != METHOD_POST) {
			MHD_get_connection_values_n(conn,
			    MHD_GET_ARGUMENT_KIND, query_field, r);
			return MHD_YES;
		}
		type = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
		/*
		 * An Atom entry (the inbox's) or feed (a push's) is kept
		 * as it came.
		 */
		if (route_is(r, ATOM_ENTRY) || route_is(r, ATOM_FEED)) {
			if (!atom_type(type, route_is(r, ATOM_ENTRY) ?
			    "entry" : "feed"))
				return http_error(r, 415);
			r->raw = 1;
			return MHD_YES;
		}
		if (type == NULL || (strncasecmp(type,
		    MHD_HTTP_POST_ENCODING_FORM_URLENCODED, 33) != 0 &&
		    strncasecmp(type, MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA,
		    19) != 0))
			return http_error(r, 415);
		r->pp = MHD_create_post_processor(conn, 16 * 1024, post_field,
		    r);
		if (r->pp == NULL)
			return http_error(r, 400);
		return MHD_YES;
	}
	/* Answered on the first call: whatever else comes is dropped. */
	if (r->answered) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		r->total += *upload_size;
		/*
		 * Only a chunked body, whose length the headers did not say,
		 * gets here past the limit: nothing more of it is read.
		 */
		if (r->total > body_max(r)) {
			log_info("%s: a chunked body past %zu bytes",
			    r->route->metric, body_max(r));
			return MHD_NO;
		}
		if (r->raw) {
			if (raw_append(r, upload, *upload_size) == -1)
				return MHD_NO;
		} else if (!r->bad_body && r->pp != NULL &&
		    MHD_post_process(r->pp, upload, *upload_size) != MHD_YES)
			r->bad_body = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	flush_field(r);
	rc = dispatch(r);
	/*
	 * The answer is queued: give the database connection back now, not
	 * when the last byte reaches the client.  A worker thread holding
	 * one while its other clients wait for a free one would stall them
	 * all until the pool's wait gives up.
	 */
	if (r->db != NULL) {
		db_release(pool, r->db);
		r->db = NULL;
	}
	return rc == MHD_YES ? MHD_YES : MHD_NO;
}

static void
completed(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode why)
{
	struct request *r = *req_cls;
	struct timespec now;
	double secs;
	int i;

	(void)cls; (void)conn; (void)why;
	if (r == NULL)
		return;
	atomic_fetch_sub(&in_flight, 1);
	if (r->slot != SLOT_NONE)
		atomic_fetch_sub(&slots_taken[r->slot], 1);
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - r->start.tv_sec) +
	    (double)(now.tv_nsec - r->start.tv_nsec) / 1e9;
	counters_record(r->route, r->status, secs);
	if (r->pp != NULL)
		MHD_destroy_post_processor(r->pp);
	free(r->body_name);
	if (r->acc != NULL)	/* a field cut off mid-way may be a password */
		explicit_bzero(r->acc, r->acclen);
	free(r->acc);
	free(r->upload.filename);
	if (r->upload.data != NULL)
		munmap((void *)r->upload.data, r->upload.len);
	if (r->upload.fd != -1)
		close(r->upload.fd);
	free(r->entry.data);
	form_free(&r->form);
	if (r->db != NULL)
		db_release(pool, r->db);
	cache_unmask(r);
	free(r->cache.key);
	account_free(r->account);
	for (i = 0; i < r->nheaders; i++)
		free(r->headers[i].value);
	OPENSSL_cleanse(r->session, sizeof(r->session));
	free(r);
	*req_cls = NULL;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_warn("%s", buf);
}

static int
parse_listen(const char *listen, struct sockaddr_storage *ss, int *v6)
{
	char host[128];
	const char *colon;
	long port;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (listen[0] == '[') {
		if ((colon = strstr(listen, "]:")) == NULL)
			return -1;
		hl = (size_t)(colon - listen - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, listen + 1, hl);
		host[hl] = '\0';
		colon++;
	} else {
		if ((colon = strrchr(listen, ':')) == NULL)
			return -1;
		hl = (size_t)(colon - listen);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, listen, hl);
		host[hl] = '\0';
	}
	if (util_parse_long(colon + 1, 0, 65535, &port) == -1)
		return -1;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*v6 = 0;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*v6 = 1;
		return 0;
	}
	return -1;
}

/*
 * Where uploads (and files on their way to readers) wait: upload_dir;
 * else the service's state directory, which systemd names in
 * STATE_DIRECTORY and which is on disk; else TMPDIR, or /tmp.  A
 * directory in which no temporary file can be made stops the start, not
 * the first upload; one in memory (tmpfs) is worth a warning, as every
 * file being sent takes RAM there.
 */
static int
upload_dir_set(const struct config *c)
{
	const char *d = c->upload_dir;
	struct statfs fs;
	size_t n;
	int fd;

	n = strlen(d);
	/* systemd separates several state directories with colons. */
	if (n == 0 && (d = getenv("STATE_DIRECTORY")) != NULL)
		n = strcspn(d, ":");
	if (n == 0 && (d = getenv("TMPDIR")) != NULL)
		n = strlen(d);
	if (n == 0) {
		d = "/tmp";
		n = strlen(d);
	}
	free(upload_dir);
	if ((upload_dir = util_printf("%.*s", (int)n, d)) == NULL)
		return -1;
	if ((fd = http_tmpfile()) == -1) {
		log_err("upload_dir: cannot make temporary files in %s",
		    upload_dir);
		return -1;
	}
	if (fstatfs(fd, &fs) == 0 && fs.f_type == TMPFS_MAGIC)
		log_warn("upload_dir: %s is in memory (tmpfs): files being "
		    "sent take RAM; set upload_dir to a directory on disk",
		    upload_dir);
	close(fd);
	return 0;
}

/*
 * Every connection is a socket, and may hold a file (an upload, a
 * download); each database connection, request thread and log is one
 * more.  The soft limit on open files is raised as far as it may go, and
 * a configuration that could run out of them does not start: running
 * out would refuse people at random, with nothing said why.
 */
static int
files_enough(const struct config *c)
{
	struct rlimit rl;
	long want, db;

	db = c->db_connections > 0 ? c->db_connections : c->threads + 1;
	want = 2L * c->max_connections + db + 4L * c->threads + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_err("%s: getrlimit: %s", __func__, strerror(errno));
		return -1;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("%s: setrlimit: %s", __func__,
			    strerror(errno));
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)want > rl.rlim_cur) {
		log_err("max_connections %d needs about %ld open files, but "
		    "the limit is %lu: lower max_connections, or raise the "
		    "limit (LimitNOFILE= in the service, ulimit -n)",
		    c->max_connections, want, (unsigned long)rl.rlim_cur);
		return -1;
	}
	return 0;
}

/*
 * A route answered without the session cannot check who is asking: a
 * NEED_ flag or CSRF on one would be silently ignored.  Such a table is
 * a mistake in the program, refused at the start.
 */
static int
routes_valid(const struct route *table, size_t n)
{
	unsigned int guarded = CSRF;
	size_t i;

	for (i = 0; i < NNEEDS; i++)
		guarded |= needs[i].flag;
	for (i = 0; i < n; i++)
		if ((table[i].flags & (NO_DB | NO_SESSION)) &&
		    (table[i].flags & guarded)) {
			log_err("route %s: NO_DB or NO_SESSION with a NEED_ "
			    "flag or CSRF", table[i].path);
			return -1;
		}
	return 0;
}

/*
 * Starts listening.  When port_file is given, the port actually bound is
 * written there, which lets tests ask for port 0 and learn their port.
 */
struct server *
server_start(const struct config *c, struct db_pool *p,
    const struct route *table, size_t n, const char *port_file)
{
	struct server *s;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *di;
	unsigned int flags;
	int v6;
	FILE *f;

	if (routes_valid(table, n) == -1 || files_enough(c) == -1)
		return NULL;
	pool = p;
	routes = table;
	nroutes = n;
	if (counters_init(table, n) == -1) {
		log_err("too many routes for the request counters");
		return NULL;
	}
	if (parse_listen(c->listen, &ss, &v6) == -1) {
		log_err("listen: expected ADDRESS:PORT, got %s", c->listen);
		return NULL;
	}
	if (upload_dir_set(c) == -1)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->pool = p;
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (v6)
		flags |= MHD_USE_IPv6;
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)c->threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)c->timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)c->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)c->connections_per_address,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_END);
	if (s->daemon == NULL) {
		log_err("cannot listen on %s", c->listen);
		free(s);
		return NULL;
	}
	di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	log_info("%s (%s) listening on %s, port %u", c->node_name, c->region,
	    c->listen, di ? di->port : 0);
	if (port_file != NULL && di != NULL) {
		if ((f = fopen(port_file, "w")) == NULL ||
		    fprintf(f, "%u\n", di->port) < 0 || fclose(f) != 0) {
			log_err("%s: cannot write the port", port_file);
			MHD_stop_daemon(s->daemon);
			free(s);
			return NULL;
		}
	}
	return s;
}

/* The port bound, which the kernel chose when the listen line said 0. */
unsigned int
server_port(const struct server *s)
{
	const union MHD_DaemonInfo *di;

	di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	return di != NULL ? di->port : 0;
}

/*
 * Stops accepting, lets requests in flight finish for up to grace
 * seconds, then closes everything.
 */
void
server_stop(struct server *s, int grace)
{
	const union MHD_DaemonInfo *di;
	MHD_socket fd;
	int i;

	if (s == NULL)
		return;
	/*
	 * New connections are refused; requests under way are finished.
	 * Idle keep-alive connections (a peer's puller keeps one) have
	 * nothing to finish, so they do not hold the stop up.  The socket
	 * stops listening at once (shut down, closed once the daemon has
	 * stopped), so that a connection that comes meanwhile is refused,
	 * and a proxy sends it to another process, rather than waiting in
	 * the queue of a socket nobody accepts from any more.
	 */
	fd = MHD_quiesce_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		(void)shutdown(fd, SHUT_RDWR);
	for (i = 0; i < grace * 10; i++) {
		di = MHD_get_daemon_info(s->daemon,
		    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (di == NULL || di->num_connections == 0 ||
		    atomic_load(&in_flight) == 0)
			break;
		usleep(100 * 1000);
	}
	MHD_stop_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	free(s);
	free(upload_dir);
	upload_dir = NULL;
}
