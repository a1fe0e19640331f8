/*
 * Requests answered by this process, by route and status, and a latency
 * histogram per route, as Prometheus text for /metrics.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "web.h"

#define ROUTES_MAX	191	/* routes the counters can hold */
#define NSTATUS		600

static const double bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
#define NBUCKETS	(sizeof(bounds) / sizeof(bounds[0]))

/* One more than the routes: the last counts requests that matched none. */
static atomic_ulong	requests[ROUTES_MAX + 1][NSTATUS];
static atomic_ulong	buckets[ROUTES_MAX + 1][NBUCKETS + 1];
static atomic_ullong	micros[ROUTES_MAX + 1];
static const struct route *routes;
static size_t		 nroutes;

/* The table requests are counted by; -1 when it is too long to hold. */
int
counters_init(const struct route *table, size_t n)
{
	if (n > ROUTES_MAX)
		return -1;
	routes = table;
	nroutes = n;
	return 0;
}

static size_t
route_slot(const struct route *rt)
{
	if (rt == NULL || routes == NULL || rt < routes || rt >= routes + nroutes)
		return nroutes;
	return (size_t)(rt - routes);
}

void
counters_record(const struct route *rt, unsigned int status, double secs)
{
	size_t b, i = route_slot(rt);

	if (status >= NSTATUS)
		status = 0;
	atomic_fetch_add(&requests[i][status], 1);
	for (b = 0; b < NBUCKETS && secs > bounds[b]; b++)
		;
	atomic_fetch_add(&buckets[i][b], 1);
	atomic_fetch_add(&micros[i], (unsigned long long)(secs * 1e6));
}

static const char *
route_label(size_t i)
{
	return i < nroutes && routes[i].metric != NULL ? routes[i].metric :
	    "unmatched";
}

/* The counters, as Prometheus text added to b. */
void
counters_text(struct strbuf *b)
{
	unsigned long n, cum;
	size_t i, k;
	int s;

	strbuf_printf(b, "# HELP acorn_http_requests_total HTTP requests "
	    "answered.\n# TYPE acorn_http_requests_total counter\n");
	for (i = 0; i <= nroutes; i++)
		for (s = 0; s < NSTATUS; s++)
			if ((n = atomic_load(&requests[i][s])) > 0)
				strbuf_printf(b, "acorn_http_requests_total{"
				    "route=\"%s\",status=\"%d\"} %lu\n",
				    route_label(i), s, n);
	strbuf_printf(b, "# HELP acorn_http_request_duration_seconds Time to "
	    "answer.\n# TYPE acorn_http_request_duration_seconds histogram\n");
	for (i = 0; i <= nroutes; i++) {
		cum = 0;
		for (k = 0; k <= NBUCKETS; k++)
			cum += atomic_load(&buckets[i][k]);
		if (cum == 0)
			continue;
		cum = 0;
		for (k = 0; k < NBUCKETS; k++) {
			cum += atomic_load(&buckets[i][k]);
			strbuf_printf(b, "acorn_http_request_duration_seconds"
			    "_bucket{route=\"%s\",le=\"%g\"} %lu\n",
			    route_label(i), bounds[k], cum);
		}
		cum += atomic_load(&buckets[i][NBUCKETS]);
		strbuf_printf(b, "acorn_http_request_duration_seconds_bucket"
		    "{route=\"%s\",le=\"+Inf\"} %lu\n", route_label(i), cum);
		strbuf_printf(b, "acorn_http_request_duration_seconds_sum"
		    "{route=\"%s\"} %.6f\n", route_label(i),
		    (double)atomic_load(&micros[i]) / 1e6);
		strbuf_printf(b, "acorn_http_request_duration_seconds_count"
		    "{route=\"%s\"} %lu\n", route_label(i), cum);
	}
}
