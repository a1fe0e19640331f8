/* Requests to peers (fetch.c). */
#ifndef FETCH_H
#define FETCH_H

#include <stdatomic.h>

#include <curl/curl.h>

struct fetch {
	char		*body;		/* NUL-terminated */
	size_t		 len;
	size_t		 cap;		/* allocated for body */
	size_t		 max;
	long		 status;	/* HTTP status, 0 when none */
	long		 timeout_ms;	/* the whole request, at most */
	long		 connect_ms;	/* connecting, at most */
	curl_off_t	 bytes;		/* body bytes on the wire (len: decoded) */
	int		 too_big;
	atomic_int	*stop;		/* set: abandon the transfer */
	char		 etag[128];
	char		 stream[64];	/* Acorn-Stream, "" when not sent */
	char		 error[CURL_ERROR_SIZE];
};

int	 fetch_get(CURL *, const char *, const char *, size_t, long,
	    struct fetch *);
int	 fetch_get_quick(CURL *, const char *, size_t, long,
	    struct fetch *);
int	 fetch_post_entry(CURL *, const char *, const char *, long,
	    struct fetch *);
void	 fetch_free(struct fetch *);

#endif
