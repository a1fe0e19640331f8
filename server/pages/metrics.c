/*
 * /metrics, Prometheus text for this process: requests by route and
 * status with their latency, database errors and the federation's
 * counts; and /healthz, which answers 200 only when the database does.
 */
#include <stdio.h>
#include <stdlib.h>

#include "web.h"
#include "pages.h"
#include "federation.h"

/* Label values are the library's fixed strings: no quote to escape. */
static void
federation_metrics(struct strbuf *b)
{
	unsigned long merged, pulls, failures, n;
	const char *why;
	int i;

	sync_counts(&merged, &pulls, &failures);
	strbuf_printf(b, "# HELP acorn_federation_rejections_total Entries and"
	    " pages from peers refused, by reason.\n"
	    "# TYPE acorn_federation_rejections_total counter\n");
	for (i = 0; (why = sync_rejections(i, &n)) != NULL; i++)
		strbuf_printf(b, "acorn_federation_rejections_total{reason=\"%s\"}"
		    " %lu\n", why, n);
	strbuf_printf(b, "# HELP acorn_federation_merged_total Entries from peers"
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
	struct strbuf b = { NULL, 0, 0, 0 };
	size_t len;
	char *text;

	counters_text(&b);
	strbuf_printf(&b, "# HELP acorn_db_errors_total Failed database "
	    "operations.\n# TYPE acorn_db_errors_total counter\n"
	    "acorn_db_errors_total %lu\n", db_errors());
	federation_metrics(&b);
	len = b.len;
	if ((text = strbuf_take(&b)) == NULL)
		return http_error(r, 500);
	/* http_send frees the text once it is sent. */
	return http_send(r, 200, "text/plain; version=0.0.4; charset=utf-8",
	    text, len, 0);
}

int
metrics_healthz(struct request *r)
{
	static const char ok[] = "ok\n", down[] = "database unavailable\n";

	if (db_ping(r->db) == -1)
		return http_send(r, 503, "text/plain; charset=utf-8", down,
		    sizeof(down) - 1, 1);
	return http_send(r, 200, "text/plain; charset=utf-8", ok,
	    sizeof(ok) - 1, 1);
}
