/*
 * Prometheus metrics for this process: requests by route and status, a
 * latency histogram per route, and database errors; and /healthz, which
 * answers 200 only when the database does.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "acorn.h"

#define NROUTES		(PAGE__MAX + 1)	/* the last one is "unmatched" */
#define NSTATUS		600

static const double bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
#define NBUCKETS	(sizeof(bounds) / sizeof(bounds[0]))

static atomic_ulong	requests[NROUTES][NSTATUS];
static atomic_ulong	buckets[NROUTES][NBUCKETS + 1];
static atomic_ullong	micros[NROUTES];

void
metrics_record(int route, unsigned int status, double secs)
{
	size_t b;
	int i = route >= 0 && route < PAGE__MAX ? route : PAGE__MAX;

	if (status >= NSTATUS)
		status = 0;
	atomic_fetch_add(&requests[i][status], 1);
	for (b = 0; b < NBUCKETS && secs > bounds[b]; b++)
		;
	atomic_fetch_add(&buckets[i][b], 1);
	atomic_fetch_add(&micros[i], (unsigned long long)(secs * 1e6));
}

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static void
bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *grown;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL,
		    b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->p != NULL && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		if ((grown = realloc(b->p, b->cap * 2 + (size_t)n + 256)) ==
		    NULL)
			return;
		b->p = grown;
		b->cap = b->cap * 2 + (size_t)n + 256;
	}
}

static const char *
route_label(int i)
{
	const struct route *rt = route_get(i);

	return rt != NULL ? rt->metric : "unmatched";
}

/* Label values are the library's fixed strings: no quote to escape. */
static void
federation_metrics(struct buf *b)
{
	unsigned long merged, pulls, failures, n;
	const char *why;
	int i;

	sync_counts(&merged, &pulls, &failures);
	bprintf(b, "# HELP acorn_federation_rejections_total Entries and"
	    " pages from peers refused, by reason.\n"
	    "# TYPE acorn_federation_rejections_total counter\n");
	for (i = 0; (why = sync_rejections(i, &n)) != NULL; i++)
		bprintf(b, "acorn_federation_rejections_total{reason=\"%s\"}"
		    " %lu\n", why, n);
	bprintf(b, "# HELP acorn_federation_merged_total Entries from peers"
	    " stored.\n# TYPE acorn_federation_merged_total counter\n"
	    "acorn_federation_merged_total %lu\n"
	    "# HELP acorn_federation_pulls_total Pulls of a peer's feeds.\n"
	    "# TYPE acorn_federation_pulls_total counter\n"
	    "acorn_federation_pulls_total %lu\n"
	    "# HELP acorn_federation_pull_failures_total Pulls that failed.\n"
	    "# TYPE acorn_federation_pull_failures_total counter\n"
	    "acorn_federation_pull_failures_total %lu\n",
	    merged, pulls, failures);
}

int
metrics_serve(struct request *r)
{
	struct buf b = { NULL, 0, 0 };
	unsigned long n, cum;
	int i, s;
	size_t k;

	bprintf(&b, "# HELP acorn_http_requests_total HTTP requests answered."
	    "\n# TYPE acorn_http_requests_total counter\n");
	for (i = 0; i < NROUTES; i++)
		for (s = 0; s < NSTATUS; s++)
			if ((n = atomic_load(&requests[i][s])) > 0)
				bprintf(&b, "acorn_http_requests_total{route="
				    "\"%s\",status=\"%d\"} %lu\n",
				    route_label(i), s, n);
	bprintf(&b, "# HELP acorn_http_request_duration_seconds Time to "
	    "answer.\n# TYPE acorn_http_request_duration_seconds histogram\n");
	for (i = 0; i < NROUTES; i++) {
		cum = 0;
		for (k = 0; k <= NBUCKETS; k++)
			cum += atomic_load(&buckets[i][k]);
		if (cum == 0)
			continue;
		cum = 0;
		for (k = 0; k < NBUCKETS; k++) {
			cum += atomic_load(&buckets[i][k]);
			bprintf(&b, "acorn_http_request_duration_seconds_bucket"
			    "{route=\"%s\",le=\"%g\"} %lu\n", route_label(i),
			    bounds[k], cum);
		}
		cum += atomic_load(&buckets[i][NBUCKETS]);
		bprintf(&b, "acorn_http_request_duration_seconds_bucket"
		    "{route=\"%s\",le=\"+Inf\"} %lu\n", route_label(i), cum);
		bprintf(&b, "acorn_http_request_duration_seconds_sum"
		    "{route=\"%s\"} %.6f\n", route_label(i),
		    (double)atomic_load(&micros[i]) / 1e6);
		bprintf(&b, "acorn_http_request_duration_seconds_count"
		    "{route=\"%s\"} %lu\n", route_label(i), cum);
	}
	bprintf(&b, "# HELP acorn_db_errors_total Failed database operations."
	    "\n# TYPE acorn_db_errors_total counter\n"
	    "acorn_db_errors_total %lu\n", db_errors());
	federation_metrics(&b);
	if (b.p == NULL)
		return http_error(r, 500);
	return http_send(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    b.p, b.len, 0);
}

int
healthz_serve(struct request *r)
{
	static const char ok[] = "ok\n", down[] = "database unavailable\n";

	if (db_ping(r->db) == -1)
		return http_send(r, 503, "text/plain; charset=utf-8", down,
		    sizeof(down) - 1, 1);
	return http_send(r, 200, "text/plain; charset=utf-8", ok,
	    sizeof(ok) - 1, 1);
}
