/*
 * Signing in batches: a node signs everything waiting in one pass (more
 * rows than one batch holds), a peer verifies and merges every entry; a
 * batch whose write fails leaves every row of it unsigned, for the next
 * pass to take whole; and storing signed entries leaves what people
 * search for as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"

Suite	*signing_suite(void);

#define SETTLE_MS	60000	/* the most a batch may take to arrive */
#define MANY		"1200"	/* glossary terms: more than one batch */

/* n glossary terms of this node's own, added in one statement. */
static void
add_terms(struct node *n, const char *count)
{
	ck_assert_int_eq(node_exec(n, "INSERT INTO glossary_terms (id, origin,"
	    " term, definition, synonyms) SELECT gen_random_uuid(),"
	    " (SELECT id FROM node), 'Batch term ' || i, 'Batch term ' || i"
	    " || ' means what it says.', ARRAY['batch synonym ' || i]"
	    " FROM generate_series(1, $1::integer) AS i", 1,
	    (const char *const []){ count }), atol(count));
}

START_TEST(test_a_batch_is_signed_and_a_peer_merges_every_entry)
{
	struct node *origin = node_new("Batch origin", NULL);
	struct node *peer = node_new("Batch peer", NULL);
	char *id;

	ck_assert_ptr_nonnull(origin);
	ck_assert_ptr_nonnull(peer);
	add_terms(origin, MANY);
	ck_assert_int_eq(node_serve(origin), 0);
	ck_assert_int_eq(node_serve(peer), 0);
	ck_assert_msg(node_wait(origin, "SELECT NOT EXISTS (SELECT 1 FROM"
	    " glossary_terms WHERE pending)", NULL, SETTLE_MS),
	    "the origin never signed its terms");
	/* One signed entry each, each at its own place in the feed. */
	ck_assert_int_eq(node_num(origin, "SELECT count(DISTINCT seq) FROM"
	    " glossary_terms WHERE entry LIKE '%<ds:Signature%' AND shared",
	    NULL), atol(MANY));

	ck_assert_int_eq(node_peer(peer, origin, 0), 0);
	id = node_sql(origin, "SELECT id FROM node", NULL);
	ck_assert_ptr_nonnull(id);
	ck_assert_msg(node_wait(peer, "SELECT count(*) = " MANY " FROM"
	    " glossary_terms WHERE origin = $1", id, SETTLE_MS),
	    "the peer did not merge every term");
	ck_assert_int_eq(node_num(peer, "SELECT count(*) FROM rejections",
	    NULL), 0);
	/* Stored as they were signed, and searchable on the peer. */
	ck_assert_int_eq(node_num(peer, "SELECT count(*) FROM glossary_terms"
	    " WHERE search @@ to_tsquery('simple', 'synonym')", NULL),
	    atol(MANY));
	node_assert_serving(origin, "/glossary");
	free(id);
	node_free(peer);
	node_free(origin);
}
END_TEST

/*
 * The write of a batch fails on one row (a trigger refuses it): none of
 * the batch is stored, a peer asking for the feed is told to come back
 * and sees no entry, and once the refusal is gone the next pass signs
 * them all.
 */
START_TEST(test_a_failed_batch_leaves_nothing_half_signed)
{
	struct node *n = node_new("Refusing node", NULL);
	struct client *c;
	struct resp *r;

	ck_assert_ptr_nonnull(n);
	add_terms(n, "40");
	ck_assert_int_ge(node_exec(n, "UPDATE glossary_terms SET term ="
	    " 'Refused term' WHERE term = 'Batch term 20'", 0, NULL), 1);
	ck_assert_int_ge(node_exec(n, "CREATE FUNCTION test_refuse()"
	    " RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
	    " RAISE EXCEPTION 'refused for the test'; END $$", 0, NULL), 0);
	ck_assert_int_ge(node_exec(n, "CREATE TRIGGER test_refuse BEFORE"
	    " UPDATE ON glossary_terms FOR EACH ROW WHEN (NEW.term ="
	    " 'Refused term' AND NOT NEW.pending) EXECUTE FUNCTION"
	    " test_refuse()", 0, NULL), 0);
	ck_assert_int_eq(node_serve(n), 0);
	c = client_new(n);
	r = http_get(c, "/feeds/glossary?after=0");
	ck_assert_int_eq(r->status, 503);
	resp_free(r);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM glossary_terms"
	    " WHERE pending AND entry IS NULL AND NOT shared", NULL), 40);

	ck_assert_int_ge(node_exec(n, "DROP TRIGGER test_refuse ON"
	    " glossary_terms", 0, NULL), 0);
	r = http_get(c, "/feeds/glossary?after=0");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Refused term"));
	ck_assert(resp_has(r, "Batch term 40"));
	resp_free(r);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM glossary_terms"
	    " WHERE NOT pending AND entry IS NOT NULL AND shared", NULL), 40);
	client_free(c);
	node_free(n);
}
END_TEST

/*
 * Storing a signed entry is not an edit: a term signed again keeps the
 * search terms it had (a marker put there by hand stays), and an edit of
 * its text makes them again.
 */
START_TEST(test_signing_leaves_search_alone)
{
	struct node *n = node_new("Search node", NULL);
	char *id, *seq;

	ck_assert_ptr_nonnull(n);
	id = node_sql(n, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'Social prescribing', 'Linking people to community support.')"
	    " RETURNING id", NULL);
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(node_serve(n), 0);
	ck_assert(node_wait(n, "SELECT NOT pending FROM glossary_terms"
	    " WHERE id = $1", id, SETTLE_MS));
	ck_assert_int_eq(node_exec(n, "UPDATE glossary_terms SET search ="
	    " to_tsvector('simple', 'marker') WHERE id = $1", 1,
	    (const char *const []){ id }), 1);
	seq = node_sql(n, "SELECT seq FROM glossary_terms WHERE id = $1", id);
	ck_assert_ptr_nonnull(seq);

	ck_assert_int_eq(node_exec(n, "UPDATE glossary_terms SET pending ="
	    " true WHERE id = $1", 1, (const char *const []){ id }), 1);
	ck_assert(node_waitv(n, "SELECT NOT pending AND seq > $2::bigint"
	    " FROM glossary_terms WHERE id = $1", 2,
	    (const char *const []){ id, seq }, SETTLE_MS));
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND search = to_tsvector('simple', 'marker')",
	    id), 1);

	ck_assert_int_eq(node_exec(n, "UPDATE glossary_terms SET definition ="
	    " 'Connecting people with allotments.' WHERE id = $1", 1,
	    (const char *const []){ id }), 1);
	ck_assert(node_wait(n, "SELECT NOT pending AND entry LIKE"
	    " '%allotments%' FROM glossary_terms WHERE id = $1", id,
	    SETTLE_MS));
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND search @@ to_tsquery('simple', 'allotments')"
	    " AND NOT search @@ to_tsquery('simple', 'marker')", id), 1);
	free(seq);
	free(id);
	node_free(n);
}
END_TEST

/*
 * The publisher and the merge write seq themselves and so run no seq
 * trigger; a write of this node's own that gives a placeholder seq (as
 * the demo's data did, 0) is still this node's change: it takes a real
 * number and is signed.
 */
START_TEST(test_a_placeholder_seq_is_still_published)
{
	struct node *n = node_new("Placeholder node", NULL);
	char *id;

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	id = node_sql(n, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition, seq) VALUES (gen_random_uuid(), (SELECT id FROM"
	    " node), 'Link worker', 'Someone who connects people.', 0)"
	    " RETURNING id", NULL);
	ck_assert_ptr_nonnull(id);
	ck_assert(node_wait(n, "SELECT NOT pending AND seq > 0 AND entry LIKE"
	    " '%Link worker%' FROM glossary_terms WHERE id = $1", id,
	    SETTLE_MS));
	free(id);
	node_free(n);
}
END_TEST

Suite *
signing_suite(void)
{
	Suite *s = suite_create("signing");
	TCase *tc = tcase_create("signing");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_a_batch_is_signed_and_a_peer_merges_every_entry);
	tcase_add_test(tc, test_a_failed_batch_leaves_nothing_half_signed);
	tcase_add_test(tc, test_signing_leaves_search_alone);
	tcase_add_test(tc, test_a_placeholder_seq_is_still_published);
	suite_add_tcase(s, tc);
	return s;
}
