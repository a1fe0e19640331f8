/*
 * /metrics, Prometheus text for this process: requests by route and
 * status with their latency, database errors, the federation's counts
 * and the response cache's, for this machine alone or for whoever holds
 * metrics_token; and
 * /healthz, which answers 200 only when the database does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "web.h"
#include "pages.h"
#include "federation.h"

/* Label values are the library's fixed strings: no quote to escape. */
static void
federation_metrics(struct strbuf *b)
{
	unsigned long merged, pulls, failures, n, sent, connects;
	unsigned long long wire, decoded;
	const char *why;
	int i;

	sync_counts(&merged, &pulls, &failures);
	strbuf_printf(b, "# HELP acorn_federation_signed_total Entries of this"
	    " node's changes signed by this process.\n"
	    "# TYPE acorn_federation_signed_total counter\n"
	    "acorn_federation_signed_total %lu\n", publish_signed());
	sync_bytes(&wire, &decoded);
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
	/* Their difference is what compression saved. */
	strbuf_printf(b, "# HELP acorn_federation_pulled_bytes_total Bytes of"
	    " peers' feeds received, as sent (wire) and decoded.\n"
	    "# TYPE acorn_federation_pulled_bytes_total counter\n"
	    "acorn_federation_pulled_bytes_total{as=\"wire\"} %llu\n"
	    "acorn_federation_pulled_bytes_total{as=\"decoded\"} %llu\n",
	    wire, decoded);
	inbox_sent_counts(&sent, &connects);
	strbuf_printf(b, "# HELP acorn_courier_requests_total Registrations"
	    " and outcomes the courier sent to peers.\n"
	    "# TYPE acorn_courier_requests_total counter\n"
	    "acorn_courier_requests_total %lu\n"
	    "# HELP acorn_courier_connections_total Connections to peers the"
	    " courier opened (each is kept for the next request).\n"
	    "# TYPE acorn_courier_connections_total counter\n"
	    "acorn_courier_connections_total %lu\n", sent, connects);
}

/*
 * Whether the request carries "Authorization: Bearer" with the configured
 * token.  Both sides are hashed first, so the comparison takes as long
 * whatever was sent, its length included.
 */
static int
metrics_bearer_ok(struct request *r)
{
	const char *h = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	unsigned char want[32], got[32];
	int ok;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	h += 7;
	h += strspn(h, " ");
	util_sha256(cfg->metrics_token, strlen(cfg->metrics_token), want);
	util_sha256(h, strlen(h), got);
	ok = CRYPTO_memcmp(want, got, sizeof(want)) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/* 401, asking for the token (RFC 6750). */
static int
metrics_unauthorised(struct request *r)
{
	static const char body[] = "a bearer token is required\n";
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(sizeof(body) - 1,
	    (void *)body, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type",
	    "text/plain; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
	    "Bearer realm=\"metrics\"");
	return http_queue(r, 401, resp);
}

/*
 * GET /metrics: with metrics_token set, for whoever sends it, from
 * anywhere; without it, for this machine alone, never for a request a
 * proxy on it forwarded.
 */
int
metrics_serve(struct request *r)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	size_t len;
	char *text;

	if (cfg->metrics_token[0] != '\0') {
		if (!metrics_bearer_ok(r))
			return metrics_unauthorised(r);
	} else if (!http_local(r))
		return http_error(r, 403);
	counters_text(&b);
	strbuf_printf(&b, "# HELP acorn_db_errors_total Failed database "
	    "operations.\n# TYPE acorn_db_errors_total counter\n"
	    "acorn_db_errors_total %lu\n", db_errors());
	strbuf_printf(&b, "# HELP acorn_db_statements_prepared_total"
	    " Statements prepared, each once per database connection.\n"
	    "# TYPE acorn_db_statements_prepared_total counter\n"
	    "acorn_db_statements_prepared_total %lu\n",
	    db_statements_prepared());
	federation_metrics(&b);
	cache_text(&b);
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
