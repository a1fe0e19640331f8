/*
 * The headers a handler adds to the response its request is answered
 * with, beyond those every response carries: cookies, Retry-After.
 * http_queue writes them out and the request's end frees them; this file
 * only keeps them, so that sessions and pages can add one without
 * depending on the request cycle.  And conditional requests: whether the
 * client's copy is current, and the 304 that says so, which a handler
 * and the response cache both send.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "web.h"

/*
 * Adds a header to whatever response the request is answered with
 * (name is a constant; value is copied): cookies, Retry-After.  0, or -1
 * when the request already holds as many as it can.
 */
int
response_header(struct request *r, const char *name, const char *value)
{
	char *v;

	if (r->nheaders >= (int)(sizeof(r->headers) /
	    sizeof(r->headers[0]))) {
		log_err("no room for the %s header", name);
		return -1;
	}
	if ((v = util_strdup(value)) == NULL)
		return -1;
	r->headers[r->nheaders].name = name;
	r->headers[r->nheaders++].value = v;
	return 0;
}

/*
 * Every 429, and a 503 that knows, says when to try again (RFC 9110
 * section 10.2.3): seconds, at least one.
 */
int
response_retry_after(struct request *r, long seconds)
{
	char s[32];

	snprintf(s, sizeof(s), "%ld", seconds > 0 ? seconds : 1L);
	return response_header(r, "Retry-After", s);
}

/*
 * 1 when the request's If-None-Match names etag (or is "*"): what the
 * client holds is current.  The comparison is the weak one RFC 9110
 * (section 13.1.2) asks of If-None-Match: "W/" on either side is not
 * looked at.
 */
int
http_fresh(struct request *r, const char *etag)
{
	const char *p = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	size_t n, elen;

	if (strncmp(etag, "W/", 2) == 0)
		etag += 2;
	elen = strlen(etag);

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t,");
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		n = strcspn(p, " \t,");
		if ((n == 1 && *p == '*') || (n == elen &&
		    memcmp(p, etag, n) == 0))
			return 1;
		p += n;
	}
	return 0;
}

/* A 304's response, naming etag; NULL when out of memory. */
struct MHD_Response *
response_not_modified(const char *etag, const char *cache_control)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(0, NULL,
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return NULL;
	MHD_add_response_header(resp, "ETag", etag);
	if (cache_control != NULL)
		MHD_add_response_header(resp, "Cache-Control", cache_control);
	return resp;
}
