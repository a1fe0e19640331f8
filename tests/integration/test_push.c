/*
 * Pushes (docs/protocol.md, section 6): a change's entries sent with
 * its news, signed for the one node they go to.  A real node takes a
 * fake peer's pushes, honest and not: an honest one is merged and moves
 * the cursor at once; one that starts past where the node stands is
 * merged and pulled after; one not signed by a peer for this node, or
 * not of a push's shape, changes nothing.  The other way, the node
 * pushes its own changes to a peer that takes pushes, signed for it,
 * and pings a peer that does not (an older node).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "harness.h"
#include "fakepeer.h"

Suite	*push_suite(void);

#define SETTLE_MS	20000	/* the most a change may take to arrive */

/* A real node that has pinned a fake peer, and the node's id. */
struct scene {
	struct node	*node;
	struct fakepeer	*peer;
	char		*id;
};

/* taking: the fake peer takes the node's pushes, else it is an older node. */
static void
scene_up(struct scene *s, int taking)
{
	s->node = node_new("Pushed node", NULL);
	ck_assert_ptr_nonnull(s->node);
	ck_assert_int_eq(node_serve(s->node), 0);
	s->peer = fakepeer_new("Pushing peer");
	if (taking)
		fakepeer_take_pushes(s->peer);
	ck_assert_int_eq(fakepeer_pin(s->node, s->peer, 0), 0);
	/* The first pull, of empty pages, is over: every cursor is 0. */
	ck_assert(node_wait(s->node, "SELECT last_success IS NOT NULL"
	    " FROM peers WHERE node = $1", s->peer->id, SETTLE_MS));
	ck_assert_ptr_nonnull(s->id = node_text(s->node,
	    "SELECT id FROM node", NULL));
}

static void
scene_down(struct scene *s)
{
	node_free(s->node);
	fakepeer_free(s->peer);
	free(s->id);
}

static long
stored(struct scene *s, const char *id, const char *definition)
{
	const char *q[2] = { id, definition };

	return node_numv(s->node, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND definition = $2", 2, q);
}

/* Where the node stands in the peer's glossary; -1 when nowhere. */
static long
cursor_of(struct scene *s)
{
	char *v = node_text(s->node, "SELECT coalesce((SELECT c.seq FROM"
	    " peer_cursors c JOIN peers p ON p.id = c.peer WHERE p.node = $1"
	    " AND c.collection = 'glossary'), -1)", s->peer->id);
	long seq;

	ck_assert_ptr_nonnull(v);
	seq = strtol(v, NULL, 10);
	free(v);
	return seq;
}

/* The peer's push of page (glossary, from after) to the node. */
static long
push(struct scene *s, long long after, const char *page, char **answer)
{
	char *h = fake_push_header(s->peer, s->peer->key, s->id, "glossary",
	    after, page, strlen(page));
	long status = fakepeer_push(s->node, h, page, strlen(page), answer);

	free(h);
	return status;
}

START_TEST(test_push_is_merged_and_moves_the_cursor)
{
	struct scene s;
	char *id = fake_uuid(), *v1, *v2, *page, *answer;

	scene_up(&s, 0);
	ck_assert_int_eq(cursor_of(&s), 0);
	v1 = fake_term(s.peer, id, 1, "Link worker", "Pushed, first.");
	page = fake_page(1, v1, NULL);
	/* Merged before the answer: what the peer serves is empty. */
	ck_assert_int_eq(push(&s, 0, page, &answer), 202);
	ck_assert_str_eq(answer, "merged\n");
	ck_assert_int_eq(stored(&s, id, "Pushed, first."), 1);
	ck_assert_int_eq(cursor_of(&s), 1);
	free(answer);
	/* The same push again: held already, and nothing moves. */
	ck_assert_int_eq(push(&s, 0, page, &answer), 202);
	ck_assert_str_eq(answer, "held already\n");
	ck_assert_int_eq(cursor_of(&s), 1);
	free(answer);
	free(page);
	/* The next change, from where the last left the node. */
	v2 = fake_term(s.peer, id, 2, "Link worker", "Pushed, second.");
	page = fake_page(2, v2, NULL);
	ck_assert_int_eq(push(&s, 1, page, &answer), 202);
	ck_assert_str_eq(answer, "merged\n");
	ck_assert_int_eq(stored(&s, id, "Pushed, second."), 1);
	ck_assert_int_eq(cursor_of(&s), 2);
	ck_assert_int_eq(node_metric(s.node, "acorn_http_requests_total{"
	    "route=\"federation_push\",status=\"202\"}"), 3);
	free(answer);
	free(page);
	free(v2);
	free(v1);
	free(id);
	scene_down(&s);
}
END_TEST

START_TEST(test_push_past_the_cursor_is_merged_and_pulled)
{
	struct scene s;
	char *id = fake_uuid(), *entry, *page, *answer;
	int before;

	scene_up(&s, 0);
	entry = fake_term(s.peer, id, 1, "Social prescribing", "After a gap.");
	page = fake_page(6, entry, NULL);
	before = fakepeer_requests(s.peer, "glossary");
	/* Changes 1 to 5 never came: the cursor cannot move to 6. */
	ck_assert_int_eq(push(&s, 5, page, &answer), 202);
	ck_assert_str_eq(answer, "merged; a pull follows\n");
	ck_assert_int_eq(stored(&s, id, "After a gap."), 1);
	ck_assert_int_eq(cursor_of(&s), 0);
	ck_assert_msg(fakepeer_wait(s.peer, FAKE_REQUESTS, "glossary", before,
	    SETTLE_MS), "the node did not pull what it missed");
	free(answer);
	free(page);
	free(entry);
	free(id);
	scene_down(&s);
}
END_TEST

/* A P-256 key no node has pinned. */
static EVP_PKEY *
stranger_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	ck_assert_ptr_nonnull(k);
	return k;
}

/* Sends a push that must be refused with status and a text holding why. */
static void
refused(struct scene *s, const char *header, const char *body, size_t len,
    long status, const char *why)
{
	char *answer = NULL;

	ck_assert_int_eq(fakepeer_push(s->node, header, body, len, &answer),
	    status);
	if (why != NULL)
		ck_assert_msg(answer != NULL && strstr(answer, why) != NULL,
		    "the answer \"%s\" does not say \"%s\"",
		    answer != NULL ? answer : "", why);
	free(answer);
}

START_TEST(test_pushes_not_signed_by_a_peer_for_this_node_change_nothing)
{
	struct scene s;
	EVP_PKEY *stranger = stranger_key();
	char *id = fake_uuid(), *entry, *page, *h, *other = fake_uuid();
	char *changed;
	const char *not_ours = "not signed by a peer of this node for it";

	scene_up(&s, 0);
	entry = fake_term(s.peer, id, 1, "Care navigator", "Never merged.");
	page = fake_page(1, entry, NULL);
	/* No header, or one that is not of the form. */
	refused(&s, NULL, page, strlen(page), 400, "Acorn-Push:");
	refused(&s, "urn:uuid:x glossary 0 ab cd", page, strlen(page), 400,
	    "Acorn-Push:");
	/* A key that is not the peer's, in the peer's name. */
	h = fake_push_header(s.peer, stranger, s.id, "glossary", 0, page,
	    strlen(page));
	refused(&s, h, page, strlen(page), 403, not_ours);
	free(h);
	/* The peer's key, but signed for another node. */
	h = fake_push_header(s.peer, s.peer->key, other, "glossary", 0, page,
	    strlen(page));
	refused(&s, h, page, strlen(page), 403, not_ours);
	free(h);
	/* Signed for this node, then the body changed. */
	h = fake_push_header(s.peer, s.peer->key, s.id, "glossary", 0, page,
	    strlen(page));
	changed = fake_edit(page, "Never merged.", "Changed after.");
	refused(&s, h, changed, strlen(changed), 403, not_ours);
	free(changed);
	/* Signed for this node, then the start changed. */
	changed = fake_edit(h, " glossary 0 ", " glossary 1 ");
	refused(&s, changed, page, strlen(page), 403, not_ours);
	free(changed);
	/* ... or the collection. */
	changed = fake_edit(h, " glossary 0 ", " members 0 ");
	refused(&s, changed, page, strlen(page), 403, not_ours);
	free(changed);
	free(h);
	/* Nothing of it was taken, nor was anything refused in its name. */
	ck_assert_int_eq(stored(&s, id, "Never merged."), 0);
	ck_assert_int_eq(stored(&s, id, "Changed after."), 0);
	ck_assert_int_eq(cursor_of(&s), 0);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM rejections",
	    NULL), 0);
	node_assert_serving(s.node, "/feeds/glossary?after=0");
	EVP_PKEY_free(stranger);
	free(page);
	free(entry);
	free(other);
	free(id);
	scene_down(&s);
}
END_TEST

START_TEST(test_pushes_of_the_wrong_shape_are_refused)
{
	struct scene s;
	char *ids[17], *entries[17], *page, *h, *big, *next;
	size_t i;

	scene_up(&s, 0);
	for (i = 0; i < 17; i++) {
		ids[i] = fake_uuid();
		entries[i] = fake_term(s.peer, ids[i], 1, "Term",
		    "One of many.");
	}
	/* Seventeen entries: more than a push carries. */
	page = fake_page(17, entries[0], entries[1], entries[2], entries[3],
	    entries[4], entries[5], entries[6], entries[7], entries[8],
	    entries[9], entries[10], entries[11], entries[12], entries[13],
	    entries[14], entries[15], entries[16], NULL);
	h = fake_push_header(s.peer, s.peer->key, s.id, "glossary", 0, page,
	    strlen(page));
	refused(&s, h, page, strlen(page), 400, "1 to 16 entries");
	free(h);
	free(page);
	/* A page with a next page after it is not a push. */
	page = fake_page(1, entries[0], NULL);
	next = fake_edit(page, "<acorn:cursor>", "<link rel=\"next\""
	    " href=\"http://127.0.0.1:1/feeds/glossary?after=1\"/>"
	    "<acorn:cursor>");
	h = fake_push_header(s.peer, s.peer->key, s.id, "glossary", 0, next,
	    strlen(next));
	refused(&s, h, next, strlen(next), 400, "no next page");
	free(h);
	free(next);
	/* A page that does not move on from where it starts. */
	h = fake_push_header(s.peer, s.peer->key, s.id, "glossary", 1, page,
	    strlen(page));
	refused(&s, h, page, strlen(page), 400, "after its start");
	free(h);
	/* Not XML. */
	h = fake_push_header(s.peer, s.peer->key, s.id, "glossary", 0,
	    "not a feed", 10);
	refused(&s, h, "not a feed", 10, 400, NULL);
	free(h);
	/* Larger than a push may be: refused before it is read. */
	big = calloc(1, 90 * 1024 + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', 90 * 1024);
	refused(&s, "urn:uuid:x glossary 0 ab cd", big, strlen(big), 413,
	    NULL);
	free(big);
	/* Nothing was taken, and the cursor is where it was. */
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM glossary_terms"
	    " WHERE definition = 'One of many.'", NULL), 0);
	ck_assert_int_eq(cursor_of(&s), 0);
	node_assert_serving(s.node, "/feeds/glossary?after=0");
	free(page);
	for (i = 0; i < 17; i++) {
		free(ids[i]);
		free(entries[i]);
	}
	scene_down(&s);
}
END_TEST

START_TEST(test_a_pushed_entry_that_does_not_verify_is_refused_alone)
{
	struct scene s;
	char *bad = fake_uuid(), *good = fake_uuid(), *signed_xml, *forged;
	char *honest, *page, *answer;

	scene_up(&s, 0);
	signed_xml = fake_term(s.peer, bad, 1, "Social prescribing",
	    "What was signed.");
	forged = fake_edit(signed_xml, "What was signed.",
	    "Changed after signing.");
	honest = fake_term(s.peer, good, 1, "Link worker", "Signed and kept.");
	page = fake_page(2, forged, honest, NULL);
	ck_assert_int_eq(push(&s, 0, page, &answer), 202);
	ck_assert_int_eq(stored(&s, bad, "Changed after signing."), 0);
	ck_assert_int_eq(stored(&s, good, "Signed and kept."), 1);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM rejections"
	    " WHERE entry_id = 'urn:uuid:' || $1 AND reason ="
	    " 'signature does not verify'", bad), 1);
	ck_assert_int_eq(cursor_of(&s), 2);
	free(answer);
	free(page);
	free(honest);
	free(forged);
	free(signed_xml);
	free(good);
	free(bad);
	scene_down(&s);
}
END_TEST

/* Seconds on a monotonic clock. */
static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A peer's key in the wrong hands: its pushes, sent as fast as they
 * go, are taken up to the node's bound (60 at once, then 20 a second)
 * and refused past it with 429 and Retry-After, and the node goes on
 * serving.
 */
START_TEST(test_a_flood_of_pushes_from_a_peer_is_bounded)
{
	struct scene s;
	struct client *c;
	struct resp *r;
	char *id = fake_uuid(), *entry, *page, *h, *line;
	double start, took;
	int i, taken = 0, refused = 0;

	scene_up(&s, 0);
	entry = fake_term(s.peer, id, 1, "Flood", "The same push again.");
	page = fake_page(1, entry, NULL);
	h = fake_push_header(s.peer, s.peer->key, s.id, "glossary", 0, page,
	    strlen(page));
	ck_assert_int_gt(asprintf(&line, "Acorn-Push: %s", h), 0);
	c = client_new(s.node);
	client_header(c, line);
	start = seconds();
	for (i = 0; i < 150; i++) {
		r = http_post_bytes(c, "/federation/push", page, strlen(page),
		    "application/atom+xml;type=feed");
		ck_assert_ptr_nonnull(r);
		if (r->status == 202)
			taken++;
		else {
			ck_assert_int_eq(r->status, 429);
			ck_assert_int_ge(retry_after(r), 1);
			refused++;
		}
		resp_free(r);
	}
	took = seconds() - start;
	ck_assert_msg(refused > 0, "150 pushes in %.2f s were all taken", took);
	ck_assert_msg(taken <= 60 + (int)(20 * took) + 1, "%d pushes taken"
	    " in %.2f s", taken, took);
	/* What was taken was merged once. */
	ck_assert_int_eq(stored(&s, id, "The same push again."), 1);
	node_assert_serving(s.node, "/feeds/glossary?after=0");
	client_free(c);
	free(line);
	free(h);
	free(page);
	free(entry);
	free(id);
	scene_down(&s);
}
END_TEST

/*
 * An entry signed by a key the node does not trust yet (a node it has
 * not heard of) is not refused from a push: the cursor stays and the
 * node pulls, reading the peer's feed in order, after whatever would
 * vouch for the key, as if the push had not come.
 */
START_TEST(test_a_pushed_entry_of_an_unknown_key_is_left_to_the_pull)
{
	struct scene s;
	EVP_PKEY *stranger = stranger_key();
	struct fake_entry e = { 0 };
	char *id = fake_uuid(), *origin = fake_uuid(), *xml, *entry, *page;
	char *answer;
	int before;

	scene_up(&s, 0);
	e.kind = "term";
	e.id = id;
	e.origin = origin;
	e.source = origin;
	e.title = "Vouched for later";
	e.fields = "<acorn:term>Vouched for later</acorn:term>"
	    "<acorn:definition>From a node not known yet.</acorn:definition>";
	xml = fake_entry_xml(s.peer, &e);
	entry = fake_sign(xml, stranger);
	page = fake_page(1, entry, NULL);
	before = fakepeer_requests(s.peer, "glossary");
	ck_assert_int_eq(push(&s, 0, page, &answer), 202);
	ck_assert_str_eq(answer, "merged; a pull follows\n");
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM rejections",
	    NULL), 0);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1", id), 0);
	ck_assert_int_eq(cursor_of(&s), 0);
	ck_assert_msg(fakepeer_wait(s.peer, FAKE_REQUESTS, "glossary", before,
	    SETTLE_MS), "the node did not pull");
	EVP_PKEY_free(stranger);
	free(answer);
	free(page);
	free(entry);
	free(xml);
	free(origin);
	free(id);
	scene_down(&s);
}
END_TEST

/* The node's public key, from /federation/key.pem. */
static EVP_PKEY *
node_key(struct node *n)
{
	struct client *c = client_new(n);
	struct resp *r = http_get(c, "/federation/key.pem");
	EVP_PKEY *key;
	BIO *b;

	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(b = BIO_new_mem_buf(r->body, (int)r->len));
	ck_assert_ptr_nonnull(key = PEM_read_bio_PUBKEY(b, NULL, NULL,
	    NULL));
	BIO_free(b);
	resp_free(r);
	client_free(c);
	return key;
}

/* A new term of the node's own, which it signs and announces. */
static void
local_change(struct scene *s, const char *definition)
{
	char *v = node_sql(s->node, "INSERT INTO glossary_terms (id, origin,"
	    " term, definition) VALUES (gen_random_uuid(), (SELECT id FROM"
	    " node), $1, $1) RETURNING 1", definition);

	ck_assert_ptr_nonnull(v);
	free(v);
}

/*
 * The last push the peer had, once it holds text (the node pushes its
 * own node entry too, as a peer is pinned), malloc'd, with its header.
 */
static char *
push_holding(struct fakepeer *p, const char *text, char **header)
{
	char *body;
	int i;

	for (i = 0; i <= SETTLE_MS / 25; i++) {
		body = fakepeer_last_push(p, header);
		if (body != NULL && strstr(body, text) != NULL)
			return body;
		free(body);
		free(*header);
		*header = NULL;
		poll(NULL, 0, 25);
	}
	return NULL;
}

START_TEST(test_node_pushes_its_change_signed_for_the_peer)
{
	struct scene s;
	EVP_PKEY *key;
	char *body, *header, coll[32];
	long long after;
	int pings;

	scene_up(&s, 1);
	key = node_key(s.node);
	pings = fakepeer_count(s.peer, FAKE_PINGS, NULL);
	local_change(&s, "Pushed to the peer.");
	body = push_holding(s.peer, "Pushed to the peer.", &header);
	ck_assert_msg(body != NULL, "no push of the change came");
	ck_assert_msg(fake_push_verifies(s.peer, header, s.id, key, body,
	    strlen(body), coll, sizeof(coll), &after),
	    "the push is not signed by the node for the peer: %s",
	    header != NULL ? header : "(no header)");
	ck_assert_str_eq(coll, "glossary");
	/* The page the peer would have pulled from there, and no more. */
	ck_assert_ptr_nonnull(strstr(body, "<acorn:cursor>"));
	ck_assert_ptr_null(strstr(body, "rel=\"next\""));
	/* Taken: no ping besides. */
	ck_assert_int_eq(fakepeer_count(s.peer, FAKE_PINGS, NULL), pings);
	free(body);
	free(header);
	EVP_PKEY_free(key);
	scene_down(&s);
}
END_TEST

START_TEST(test_peer_without_pushes_is_pinged)
{
	struct scene s;
	int pushes, pings;

	scene_up(&s, 0);
	pings = fakepeer_count(s.peer, FAKE_PINGS, NULL);
	/*
	 * It answers pushes 404, as a node from before them does: the
	 * node tries one (of this change, or of its own node entry as the
	 * peer was pinned) and pings instead.
	 */
	local_change(&s, "Announced by ping.");
	ck_assert_msg(fakepeer_wait(s.peer, FAKE_PUSHES, NULL, 0, SETTLE_MS),
	    "no push was tried");
	ck_assert_msg(fakepeer_wait(s.peer, FAKE_PINGS, NULL, pings, SETTLE_MS),
	    "no ping came after the push was not taken");
	/* Not tried again for a while: the next change goes by ping. */
	pushes = fakepeer_count(s.peer, FAKE_PUSHES, NULL);
	pings = fakepeer_count(s.peer, FAKE_PINGS, NULL);
	local_change(&s, "Announced by ping again.");
	ck_assert_msg(fakepeer_wait(s.peer, FAKE_PINGS, NULL, pings, SETTLE_MS),
	    "the second change was not pinged");
	ck_assert_int_eq(fakepeer_count(s.peer, FAKE_PUSHES, NULL), pushes);
	scene_down(&s);
}
END_TEST

Suite *
push_suite(void)
{
	Suite *s = suite_create("push");
	TCase *tc = tcase_create("push");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_push_is_merged_and_moves_the_cursor);
	tcase_add_test(tc, test_push_past_the_cursor_is_merged_and_pulled);
	tcase_add_test(tc,
	    test_pushes_not_signed_by_a_peer_for_this_node_change_nothing);
	tcase_add_test(tc, test_pushes_of_the_wrong_shape_are_refused);
	tcase_add_test(tc,
	    test_a_pushed_entry_that_does_not_verify_is_refused_alone);
	tcase_add_test(tc,
	    test_a_pushed_entry_of_an_unknown_key_is_left_to_the_pull);
	tcase_add_test(tc, test_a_flood_of_pushes_from_a_peer_is_bounded);
	tcase_add_test(tc, test_node_pushes_its_change_signed_for_the_peer);
	tcase_add_test(tc, test_peer_without_pushes_is_pinged);
	suite_add_tcase(s, tc);
	return s;
}
