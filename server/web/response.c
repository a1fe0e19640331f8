/*
 * The headers a handler adds to the response its request is answered
 * with, beyond those every response carries: cookies, Retry-After.
 * http_queue writes them out and the request's end frees them; this file
 * only keeps them, so that sessions and pages can add one without
 * depending on the request cycle.
 */
#include <stdio.h>
#include <stdlib.h>

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
