/*
 * /metrics, Prometheus text for this process: requests by route and
 * status with their latency, database errors, the federation's counts
 * and the response cache's, and, when the database answers, the node's
 * own: how far behind each peer it is, the queues (mail, deliveries to
 * other nodes, listings waiting for their review) and its feeds'
 * stream; for this machine alone or for whoever holds metrics_token;
 * /healthz, which answers 200 only when the database does, for load
 * balancers; and
 * /healthz/peers, for the same people as /metrics: the database and
 * each peer, whether it is reachable and how far behind this node is.
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
	unsigned long long wire, decoded, pushed, pinged;
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
	sync_sent_bytes(&pushed, &pinged);
	strbuf_printf(b, "# HELP acorn_federation_sent_bytes_total Bytes of the"
	    " bodies of pushes and pings this process sent its peers.\n"
	    "# TYPE acorn_federation_sent_bytes_total counter\n"
	    "acorn_federation_sent_bytes_total{as=\"push\"} %llu\n"
	    "acorn_federation_sent_bytes_total{as=\"ping\"} %llu\n",
	    pushed, pinged);
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
 * The node's queues, its stream and each peer, as the database says:
 * one query, the first row the node's, then a row for each peer (its
 * node id, whether its last pull failed, seconds since one went well,
 * changes behind, seconds behind).
 */
static const char node_sql[] =
    "SELECT NULL::uuid, (SELECT count(*) FROM outbox WHERE sent IS NULL),"
    " (SELECT count(*) FROM away_registrations WHERE delivered < version)"
    " + (SELECT count(*) FROM inbox_requests WHERE delivered < out_version)"
    " + (SELECT count(*) FROM directory_notes),"
    " (SELECT count(*) FROM service_reviews WHERE escalated IS NULL),"
    " (SELECT count(*) FROM service_reviews WHERE escalated IS NOT NULL),"
    " (SELECT id::text FROM feed_stream), 0"
    " UNION ALL SELECT * FROM (SELECT p.node, (p.failures > 0)::integer,"
    " coalesce(floor(extract(epoch FROM now() - p.last_success)), -1),"
    " coalesce(sum(c.behind), 0),"
    " coalesce(floor(extract(epoch FROM now() - min(c.behind_since))), 0),"
    " NULL, 0 FROM peers p LEFT JOIN peer_cursors c ON c.peer = p.id"
    " GROUP BY p.id ORDER BY p.id) x";

enum { NG_PEER, NG_MAIL, NG_COURIER, NG_REVIEW, NG_ESCALATED, NG_STREAM };
enum { NP_NODE, NP_FAILING, NP_SINCE, NP_BEHIND, NP_LAG };

/* A gauge with its help, one value for each row of res in column col. */
static void
peer_gauge(struct strbuf *b, const PGresult *res, const char *name,
    const char *help, int col)
{
	int i;

	strbuf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
	for (i = 1; i < PQntuples(res); i++)
		strbuf_printf(b, "%s{peer=\"urn:uuid:%s\"} %s\n", name,
		    PQgetvalue(res, i, NP_NODE), PQgetvalue(res, i, col));
}

/*
 * What the database says of the node, when a connection is free at
 * once: without one the rest of /metrics still answers.  Peer ids are
 * uuids and the stream one, so no label needs escaping.
 */
static void
node_metrics(struct request *r, struct strbuf *b)
{
	struct db *db = http_db_try(r);
	PGresult *res;

	if (db == NULL || (res = db_query(db, PGRES_TUPLES_OK, node_sql, 0,
	    NULL)) == NULL)
		return;
	if (PQntuples(res) < 1) {
		PQclear(res);
		return;
	}
	strbuf_printf(b, "# HELP acorn_mail_queue Mails waiting to be sent.\n"
	    "# TYPE acorn_mail_queue gauge\nacorn_mail_queue %s\n"
	    "# HELP acorn_courier_queue Registrations, outcomes and notes"
	    " waiting to reach another node.\n"
	    "# TYPE acorn_courier_queue gauge\nacorn_courier_queue %s\n"
	    "# HELP acorn_review_queue Listings asked to be confirmed and not"
	    " yet, by whether coordinators were told.\n"
	    "# TYPE acorn_review_queue gauge\n"
	    "acorn_review_queue{stage=\"asked\"} %s\n"
	    "acorn_review_queue{stage=\"escalated\"} %s\n",
	    PQgetvalue(res, 0, NG_MAIL), PQgetvalue(res, 0, NG_COURIER),
	    PQgetvalue(res, 0, NG_REVIEW), PQgetvalue(res, 0, NG_ESCALATED));
	if (!PQgetisnull(res, 0, NG_STREAM))
		strbuf_printf(b, "# HELP acorn_feed_stream_info The stream this"
		    " node's change numbers belong to.\n"
		    "# TYPE acorn_feed_stream_info gauge\n"
		    "acorn_feed_stream_info{stream=\"urn:uuid:%s\"} 1\n",
		    PQgetvalue(res, 0, NG_STREAM));
	peer_gauge(b, res, "acorn_peer_failing", "1 when the last pull of the"
	    " peer failed.", NP_FAILING);
	peer_gauge(b, res, "acorn_peer_last_success_seconds", "Seconds since"
	    " a pull of the peer went well, -1 when none has.", NP_SINCE);
	peer_gauge(b, res, "acorn_peer_behind_changes", "Changes the peer"
	    " holds that this node has not read yet.", NP_BEHIND);
	peer_gauge(b, res, "acorn_peer_lag_seconds", "Seconds this node has"
	    " been behind the peer, 0 when it is not.", NP_LAG);
	PQclear(res);
}

/*
 * Whether r may read what /metrics says: with metrics_token set,
 * whoever sends it, from anywhere; without it, this machine alone,
 * never a request a proxy on it forwarded.  -1 with the refusal
 * answered in *rc.
 */
static int
metrics_allowed(struct request *r, int *rc)
{
	if (cfg->metrics_token[0] != '\0') {
		if (!metrics_bearer_ok(r)) {
			*rc = metrics_unauthorised(r);
			return -1;
		}
	} else if (!http_local(r)) {
		*rc = http_error(r, 403);
		return -1;
	}
	return 0;
}

/* GET /metrics, for whoever metrics_allowed lets in. */
int
metrics_serve(struct request *r)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	size_t len;
	char *text;
	int rc;

	if (metrics_allowed(r, &rc) == -1)
		return rc;
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
	node_metrics(r, &b);
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

/*
 * The peers as /healthz/peers shows them: whether the last pull went
 * well, when one last did, what it said when it failed, and how many
 * changes this node has still to read.
 */
static const char peers_sql[] =
    "SELECT p.node, p.name, p.url, p.failures = 0, "
    RFC3339("p.last_success") ", p.failures, p.last_error,"
    " coalesce((SELECT sum(c.behind) FROM peer_cursors c"
    "  WHERE c.peer = p.id), 0)"
    " FROM peers p ORDER BY p.name, p.id";

enum { PH_NODE, PH_NAME, PH_URL, PH_OK, PH_SUCCESS, PH_FAILURES,
	PH_ERROR, PH_BEHIND };

/*
 * GET /healthz/peers, for whoever may read /metrics: JSON saying
 * whether the database answers and, for each peer, whether it is
 * reachable (its last pull went well) and how far behind this node is.
 * 200 when the database answers, whatever the peers do (a peer down
 * is for the coordinator, not a reason to take this node out of a
 * load balancer); 503 when it does not.
 */
int
metrics_health_peers(struct request *r)
{
	struct json j;
	PGresult *res;
	size_t len;
	char *text, *urn;
	int i, rc;

	if (metrics_allowed(r, &rc) == -1)
		return rc;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, peers_sql, 0, NULL)) ==
	    NULL)
		return http_error(r, 503);
	json_init(&j);
	json_open(&j, '{');
	json_key(&j, "database");
	json_string(&j, "ok");
	json_key(&j, "peers");
	json_open(&j, '[');
	for (i = 0; i < PQntuples(res); i++) {
		json_open(&j, '{');
		json_key(&j, "node");
		urn = util_printf("urn:uuid:%s", PQgetvalue(res, i, PH_NODE));
		json_string(&j, urn != NULL ? urn : "");
		free(urn);
		json_key(&j, "name");
		json_string(&j, PQgetvalue(res, i, PH_NAME));
		json_key(&j, "url");
		json_string(&j, PQgetvalue(res, i, PH_URL));
		json_key(&j, "reachable");
		json_bool(&j, *PQgetvalue(res, i, PH_OK) == 't');
		json_key(&j, "last_success");
		if (PQgetisnull(res, i, PH_SUCCESS))
			json_null(&j);
		else
			json_string(&j, PQgetvalue(res, i, PH_SUCCESS));
		json_key(&j, "failures");
		json_number(&j, PQgetvalue(res, i, PH_FAILURES));
		json_key(&j, "error");
		if (PQgetisnull(res, i, PH_ERROR))
			json_null(&j);
		else
			json_string(&j, PQgetvalue(res, i, PH_ERROR));
		json_key(&j, "behind");
		json_number(&j, PQgetvalue(res, i, PH_BEHIND));
		json_close(&j);
	}
	json_close(&j);
	json_close(&j);
	PQclear(res);
	if ((text = json_finish(&j, &len)) == NULL)
		return http_error(r, 500);
	return http_send(r, 200, "application/json", text, len, 0);
}
