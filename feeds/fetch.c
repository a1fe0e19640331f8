/*
 * Talking to peers with libcurl: a GET with a size cap and the ETag of
 * what we hold, asking for compression (any coding curl knows), a quick GET a person waits on (pinning), and an entry
 * POST (inboxes).  Every request has a connect timeout and an overall
 * one, so a peer that hangs costs at most that, and is abandoned when
 * the node stops; redirects are not followed (a peer's address is what
 * was pinned).
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "config.h"
#include "core.h"
#include "federation.h"
#include "fetch.h"

#define CONNECT_MS	5000L
#define TOTAL_MS	60000L		/* when the caller gives no timeout */
#define QUICK_CONNECT_MS	2000L	/* a quick request's connect, at most */

/*
 * The body grows by doubling: curl hands it over 16 KiB at a time, and
 * growing it by that much each time would copy a large page over and
 * over.  What curl hands over is decoded already, so the cap holds for
 * what a compressed answer decodes to: a few kilobytes of gzip that
 * would make gigabytes are refused once they pass it.
 */
static size_t
take_body(char *data, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;
	size_t len = size * n, cap;
	char *p;

	if (f->len + len > f->max) {
		f->too_big = 1;
		return 0;	/* makes curl stop with a write error */
	}
	if (f->len + len + 1 > f->cap) {
		cap = f->cap > 0 ? f->cap : 64 * 1024;
		while (cap < f->len + len + 1)
			cap *= 2;
		if (cap > f->max + 1)
			cap = f->max + 1;
		if ((p = realloc(f->body, cap)) == NULL)
			return 0;
		f->body = p;
		f->cap = cap;
	}
	memcpy(f->body + f->len, data, len);
	f->len += len;
	f->body[f->len] = '\0';
	return len;
}

/*
 * The value of header line data (len bytes) into out when its name is
 * name (with the colon) and the value fits; a longer one is left out.
 */
static void
header_value(const char *data, size_t len, const char *name, char *out,
    size_t size)
{
	size_t v = strlen(name);

	if (len <= v || strncasecmp(data, name, v) != 0)
		return;
	for (; v < len && (data[v] == ' ' || data[v] == '\t'); v++)
		;
	while (len > v && (data[len - 1] == '\r' ||
	    data[len - 1] == '\n' || data[len - 1] == ' '))
		len--;
	if (len - v < size)
		snprintf(out, size, "%.*s", (int)(len - v), data + v);
}

static size_t
take_header(char *data, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;
	size_t len = size * n;

	header_value(data, len, "ETag:", f->etag, sizeof(f->etag));
	header_value(data, len, "Acorn-Stream:", f->stream, sizeof(f->stream));
	return size * n;
}

/* Abandons a transfer when the node is stopping. */
static int
progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct fetch *f = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return f->stop != NULL && atomic_load(f->stop);
}

/*
 * Empties f for a request of at most max bytes, within timeout seconds
 * (0: TOTAL_MS), keeping what stops it.
 */
static void
fetch_reset(struct fetch *f, size_t max, long timeout)
{
	atomic_int *stop = f->stop;

	free(f->body);
	memset(f, 0, sizeof(*f));
	f->max = max;
	f->stop = stop;
	f->timeout_ms = timeout > 0 ? timeout * 1000 : TOTAL_MS;
	f->connect_ms = CONNECT_MS;
}

void
fetch_free(struct fetch *f)
{
	free(f->body);
	f->body = NULL;
	f->len = f->cap = 0;
}

static int
perform(CURL *c, struct fetch *f, const char *url)
{
	CURLcode rc;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, f->connect_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, f->timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, take_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "Acorn/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, f->error);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, f);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &f->status);
	curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &f->bytes);
	if (f->too_big) {
		snprintf(f->error, sizeof(f->error),
		    "the answer is larger than %zu bytes", f->max);
		return -1;
	}
	if (rc != CURLE_OK) {
		if (f->error[0] == '\0')
			snprintf(f->error, sizeof(f->error), "%s",
			    curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * GET url into f, at most max bytes; etag (may be NULL) asks for a 304
 * when nothing changed.  0 when an answer came (see f->status), -1 with
 * f->error set when none did.
 */
int
fetch_get(CURL *c, const char *url, const char *etag, size_t max,
    long timeout, struct fetch *f)
{
	struct curl_slist *h = NULL;
	char line[160];
	int rc;

	fetch_reset(f, max, timeout);
	curl_easy_reset(c);
	if (etag != NULL && *etag != '\0') {
		snprintf(line, sizeof(line), "If-None-Match: %s", etag);
		h = curl_slist_append(h, line);
	}
	h = curl_slist_append(h, "Accept: application/atom+xml, */*;q=0.1");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	rc = perform(c, f, url);
	curl_slist_free_all(h);
	return rc;
}

/*
 * GET url into f, at most max bytes, all within ms milliseconds and the
 * connection made within two seconds of them: for a request a person
 * waits on, such as pinning a peer.
 */
int
fetch_get_quick(CURL *c, const char *url, size_t max, long ms,
    struct fetch *f)
{
	fetch_reset(f, max, 0);
	f->timeout_ms = ms > 0 ? ms : 1;
	f->connect_ms = ms < QUICK_CONNECT_MS ? f->timeout_ms :
	    QUICK_CONNECT_MS;
	curl_easy_reset(c);
	return perform(c, f, url);
}

/*
 * POSTs one signed Atom entry to an inbox (protocol.md section 8); the
 * answer, an entry too, is kept up to the size of one entry.
 */
int
fetch_post_entry(CURL *c, const char *url, const char *entry, long timeout,
    struct fetch *f)
{
	struct curl_slist *h;
	int rc;

	fetch_reset(f, FED_MAX_ENTRY, timeout);
	curl_easy_reset(c);
	h = curl_slist_append(NULL,
	    "Content-Type: application/atom+xml;type=entry");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, entry);
	rc = perform(c, f, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	return rc;
}
