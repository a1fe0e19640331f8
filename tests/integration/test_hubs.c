/*
 * A network with no single hub: two hubs that pin each other and every
 * region, and regions that pin both.  What a region changes reaches
 * every node through either hub; with one hub down the others keep
 * converging through the other, and the hub that comes back catches up
 * from it; a region's key rotated and retired is learnt and dropped
 * everywhere through both; and regions that pin each other directly
 * keep converging with no hub at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"

Suite	*hubs_suite(void);

#define SETTLE_MS	20000

enum { H1, H2, R1, R2, R3, NNODES };

static struct node *net[NNODES];

/* The hubs pin each other as hubs, and every region; regions pin both. */
static void
net_up(void)
{
	static const char *const names[NNODES] = {
		"First hub", "Second hub", "North West", "London",
		"South West"
	};
	static const char *const regions[NNODES] = {
		"National", "National", "North West", "London", "South West"
	};

	ck_assert_int_eq(network_up(net, NNODES, 2, names, regions,
	    "sync_interval = 1"), 0);
}

static void
net_down(void)
{
	network_down(net, NNODES);
}

static char *
add_term(struct node *n, const char *term)
{
	char *id = node_term_add(n, term, "Shared across the network.");

	ck_assert_ptr_nonnull(id);
	return id;
}

/* Waits for every node of the list (ending at -1) to hold term id. */
static void
held_by(const char *id, const int *nodes)
{
	for (; *nodes >= 0; nodes++)
		ck_assert_msg(node_wait(net[*nodes], "SELECT EXISTS (SELECT 1"
		    " FROM glossary_terms WHERE id = $1)", id, SETTLE_MS),
		    "%s never got %s", net[*nodes]->name, id);
}

START_TEST(test_either_hub_carries_the_network)
{
	static const int all[] = { H1, H2, R1, R2, R3, -1 };
	static const int without_h1[] = { H2, R1, R2, R3, -1 };
	char *t0, *t1, *t2;
	int port;

	net_up();
	t0 = add_term(net[R1], "Through both hubs");
	held_by(t0, all);

	/* The first hub goes down: the network carries on through the other. */
	port = node_port(net[H1]);
	ck_assert_int_eq(node_stop(net[H1]), 0);
	t1 = add_term(net[R1], "While the first hub was down (North West)");
	t2 = add_term(net[R2], "While the first hub was down (London)");
	held_by(t1, without_h1);
	held_by(t2, without_h1);

	/* It comes back, and catches up from the second hub and regions. */
	ck_assert_int_eq(node_serve_port(net[H1], port), 0);
	held_by(t1, all);
	held_by(t2, all);
	/* Nothing was refused on the way, relayed twice or not. */
	ck_assert_int_eq(node_num(net[R3], "SELECT count(*) FROM rejections"
	    " WHERE collection = 'glossary'", NULL), 0);
	ck_assert_int_eq(node_num(net[H1], "SELECT count(*) FROM rejections"
	    " WHERE collection = 'glossary'", NULL), 0);
	free(t0);
	free(t1);
	free(t2);
	net_down();
}
END_TEST

/*
 * A region rotates its key with the first hub down: the regions learn
 * the new key through the second hub, and once it is retired every node
 * holds the new key alone.
 */
START_TEST(test_rotation_with_two_hubs)
{
	static const int all[] = { H1, H2, R1, R2, R3, -1 };
	const char *q[3];
	char *r3, *old_fp, *new_fp, *t1, *t2;
	int port, hub_port, i;

	net_up();
	r3 = node_sql(net[R3], "SELECT id FROM node", NULL);
	ck_assert_ptr_nonnull(r3);
	ck_assert_ptr_nonnull(old_fp = node_fingerprint(net[R3]));
	t1 = add_term(net[R3], "Before the rotation");
	held_by(t1, all);

	hub_port = node_port(net[H1]);
	ck_assert_int_eq(node_stop(net[H1]), 0);
	port = node_port(net[R3]);
	ck_assert_int_eq(node_stop(net[R3]), 0);
	ck_assert_int_eq(node_run(net[R3], "keygen", "--rotate", NULL), 0);
	ck_assert_ptr_nonnull(new_fp = node_fingerprint(net[R3]));
	ck_assert_str_ne(old_fp, new_fp);
	ck_assert_int_eq(node_serve_port(net[R3], port), 0);
	q[0] = r3;
	q[1] = new_fp;
	for (i = R1; i <= R2; i++)
		ck_assert_msg(node_waitv(net[i], "SELECT EXISTS (SELECT 1 FROM"
		    " node_keys WHERE node = $1 AND fingerprint = $2)", 2, q,
		    SETTLE_MS), "%s never learnt the new key",
		    net[i]->name);
	t2 = add_term(net[R3], "Signed by the new key");
	held_by(t2, (const int[]){ H2, R1, R2, -1 });

	/* Retired with both hubs up: the old key goes everywhere. */
	ck_assert_int_eq(node_serve_port(net[H1], hub_port), 0);
	ck_assert_int_eq(node_stop(net[R3]), 0);
	ck_assert_int_eq(node_run(net[R3], "keygen", "--retire", NULL), 0);
	ck_assert_int_eq(node_serve_port(net[R3], port), 0);
	for (i = H1; i <= R2; i++)
		ck_assert_msg(node_waitv(net[i], "SELECT count(*) = 1 AND"
		    " bool_and(fingerprint = $2) FROM node_keys"
		    " WHERE node = $1",
		    2, q, SETTLE_MS), "%s kept the retired key",
		    net[i]->name);
	held_by(t2, all);
	free(t1);
	free(t2);
	free(r3);
	free(old_fp);
	free(new_fp);
	net_down();
}
END_TEST

/*
 * A region that stops trusting one hub keeps the keys the other vouches
 * for: what the third region writes still reaches it.
 */
START_TEST(test_unpinning_one_hub_keeps_what_the_other_vouches)
{
	static const int all[] = { H1, H2, R1, R2, R3, -1 };
	char *t1, *t2, *r3;

	net_up();
	t1 = add_term(net[R3], "Before the first hub was unpinned");
	held_by(t1, all);
	r3 = node_sql(net[R3], "SELECT id FROM node", NULL);
	ck_assert_ptr_nonnull(r3);
	ck_assert_int_eq(node_run(net[R1], "peer", "remove", net[H1]->url,
	    NULL), 0);
	ck_assert_int_ge(node_num(net[R1], "SELECT count(*) FROM node_keys"
	    " WHERE node = $1", r3), 1);
	t2 = add_term(net[R3], "After the first hub was unpinned");
	held_by(t2, (const int[]){ R1, -1 });
	ck_assert_int_eq(node_num(net[R1], "SELECT count(*) FROM rejections"
	    " WHERE collection = 'glossary'", NULL), 0);
	free(t1);
	free(t2);
	free(r3);
	net_down();
}
END_TEST

/*
 * A peer asked for its own records alone (what a hub asks of a region)
 * leaves out what it relays; asked for everything (what a region asks
 * of a hub), it serves both.
 */
START_TEST(test_a_peer_serves_its_own_records_alone_when_asked)
{
	static const int all[] = { H1, H2, R1, R2, R3, -1 };
	struct client *c;
	struct resp *r;
	char *mine, *theirs, path[96];
	long seq;

	net_up();
	mine = add_term(net[R1], "The North West's own");
	held_by(mine, all);
	theirs = add_term(net[R2], "London's, relayed");
	held_by(theirs, all);
	c = client_new(net[R1]);
	r = http_get(c, "/feeds/glossary?after=0&own=1");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "The North West&apos;s own") ||
	    resp_has(r, "The North West's own"));
	ck_assert(!resp_has(r, "London's, relayed") &&
	    !resp_has(r, "London&apos;s, relayed"));
	ck_assert(resp_has(r, "after=0&amp;own=1"));
	resp_free(r);
	r = http_get(c, "/feeds/glossary?after=0");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "London's, relayed") ||
	    resp_has(r, "London&apos;s, relayed"));
	resp_free(r);
	r = http_get(c, "/feeds/glossary?after=0&own=yes");
	ck_assert_int_eq(r->status, 400);
	resp_free(r);
	r = http_get(c, "/feeds?since=glossary:0&own=2");
	ck_assert_int_eq(r->status, 400);
	resp_free(r);
	/* Past its own last change, nothing new for a hub to read. */
	seq = node_num(net[R1], "SELECT max(seq) FROM glossary_terms WHERE"
	    " origin = (SELECT id FROM node)", NULL);
	snprintf(path, sizeof(path), "/feeds?since=glossary:%ld&own=1", seq);
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 204);
	resp_free(r);
	snprintf(path, sizeof(path), "/feeds?since=glossary:%ld", seq);
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	client_free(c);
	free(mine);
	free(theirs);
	net_down();
}
END_TEST

/* Regions that pin each other directly need no hub at all. */
START_TEST(test_regions_without_any_hub)
{
	char *t;

	net_up();
	ck_assert_int_eq(node_peer(net[R1], net[R2], 0), 0);
	ck_assert_int_eq(node_peer(net[R2], net[R1], 0), 0);
	ck_assert_int_eq(node_stop(net[H1]), 0);
	ck_assert_int_eq(node_stop(net[H2]), 0);
	t = add_term(net[R1], "Straight to London");
	held_by(t, (const int[]){ R2, -1 });
	free(t);
	net_down();
}
END_TEST

Suite *
hubs_suite(void)
{
	Suite *s = suite_create("hubs");
	TCase *tc = tcase_create("hubs");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_either_hub_carries_the_network);
	tcase_add_test(tc, test_rotation_with_two_hubs);
	tcase_add_test(tc, test_unpinning_one_hub_keeps_what_the_other_vouches);
	tcase_add_test(tc, test_a_peer_serves_its_own_records_alone_when_asked);
	tcase_add_test(tc, test_regions_without_any_hub);
	suite_add_tcase(s, tc);
	return s;
}
