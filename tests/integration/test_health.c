/*
 * What an operator's monitoring reads of a node: /healthz/peers says
 * whether the database and each peer are reachable, and how far behind
 * the node is; /metrics says the same of each peer with the queues and
 * the feeds' stream; both only for this machine or the token's holder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "harness.h"

Suite	*health_suite(void);

#define SETTLE_MS	20000

/* GET path on n as its own machine would, or as if through a proxy. */
static struct resp *
get_as(struct node *n, const char *path, const char *header)
{
	struct client *c = client_new(n);
	struct resp *r;

	if (header != NULL)
		client_header(c, header);
	r = http_get(c, path);
	client_free(c);
	ck_assert_ptr_nonnull(r);
	return r;
}

/* Waits for /healthz/peers on n to hold text; 1 when it did. */
static int
health_says(struct node *n, const char *text)
{
	struct resp *r;
	int i, has = 0;

	for (i = 0; i < SETTLE_MS / 100 && !has; i++) {
		r = get_as(n, "/healthz/peers", NULL);
		has = r->status == 200 && resp_has(r, text);
		resp_free(r);
		if (!has)
			nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
	}
	return has;
}

START_TEST(test_peers_health_and_metrics)
{
	struct node *hub, *region;
	struct resp *r;
	char *region_id, want[160];

	ck_assert_ptr_nonnull(hub = node_new("Hub",
	    "region = National\nsync_interval = 1"));
	ck_assert_ptr_nonnull(region = node_new("Region",
	    "region = London\nsync_interval = 1"));
	ck_assert_int_eq(node_serve(hub), 0);
	ck_assert_int_eq(node_serve(region), 0);
	ck_assert_int_eq(node_peer(hub, region, 0), 0);
	ck_assert_int_eq(node_peer(region, hub, 1), 0);
	region_id = node_sql(region, "SELECT id FROM node", NULL);
	ck_assert_ptr_nonnull(region_id);

	/* Reachable, once a pull has gone well. */
	snprintf(want, sizeof(want), "\"node\": \"urn:uuid:%s\"", region_id);
	ck_assert_msg(health_says(hub, want), "the peer is not listed");
	ck_assert(health_says(hub, "\"reachable\": true"));
	r = get_as(hub, "/healthz/peers", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "\"database\": \"ok\""));
	ck_assert(resp_has(r, "\"name\": \"Region\""));
	ck_assert(header_has(r, "Content-Type: application/json"));
	resp_free(r);

	/* What monitoring scrapes, the node's own gauges with the rest. */
	r = get_as(hub, "/metrics", NULL);
	ck_assert_int_eq(r->status, 200);
	snprintf(want, sizeof(want), "acorn_peer_behind_changes{peer="
	    "\"urn:uuid:%s\"} ", region_id);
	ck_assert_msg(resp_has(r, want), "%s", r->body);
	ck_assert(resp_has(r, "\nacorn_mail_queue "));
	ck_assert(resp_has(r, "\nacorn_courier_queue "));
	ck_assert(resp_has(r, "\nacorn_review_queue{stage=\"asked\"} "));
	ck_assert(resp_has(r, "\nacorn_feed_stream_info{stream=\"urn:uuid:"));
	ck_assert(resp_has(r, "\nacorn_federation_signed_total "));
	resp_free(r);

	/* Not for the world: a request a proxy forwarded is refused. */
	r = get_as(hub, "/healthz/peers", "X-Forwarded-For: 203.0.113.9");
	ck_assert_int_eq(r->status, 403);
	ck_assert(!resp_has(r, "Region"));
	resp_free(r);

	/* The peer goes down: said, with what went wrong. */
	ck_assert_int_eq(node_stop(region), 0);
	ck_assert_msg(health_says(hub, "\"reachable\": false"),
	    "a peer down was never said to be");
	r = get_as(hub, "/healthz/peers", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "\"error\": null"));
	resp_free(r);
	r = get_as(hub, "/metrics", NULL);
	snprintf(want, sizeof(want), "acorn_peer_failing{peer="
	    "\"urn:uuid:%s\"} 1", region_id);
	ck_assert_msg(resp_has(r, want), "%s", r->body);
	resp_free(r);
	/* The load balancer's check is about this node alone. */
	r = get_as(hub, "/healthz", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);

	free(region_id);
	node_free(region);
	node_free(hub);
}
END_TEST

Suite *
health_suite(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("health");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_peers_health_and_metrics);
	suite_add_tcase(s, tc);
	return s;
}
