/*
 * A node restored from a backup, as its peers and its coordinator see
 * it (docs/protocol.md, section 6.2): `acorn backup` keeps the keys and
 * the members' data private and refuses to write over anything;
 * `acorn restore` refuses a damaged backup and a node still serving,
 * and starts a new stream of changes; the peers read the restored node
 * again from the start, so what it changes after the restore reaches
 * every node although its change numbers went backwards; what it
 * changed after the backup comes back to it from the hub, verified
 * against its own key, and a copy a peer tampered with does not.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"

Suite	*restore_suite(void);

#define SETTLE_MS	20000	/* the most a change may take to arrive */

enum { HUB, NW, LONDON, NNODES };

static struct node *net[NNODES];

static void
net_up(void)
{
	static const char *const names[NNODES] = {
		"National hub", "North West node", "London node"
	};
	static const char *const regions[NNODES] = {
		"National", "North West", "London"
	};

	ck_assert_int_eq(network_up(net, NNODES, 1, names, regions,
	    "sync_interval = 1"), 0);
}

static void
net_down(void)
{
	network_down(net, NNODES);
}

/* A glossary term of n's own; its id (malloc'd). */
static char *
add_term(struct node *n, const char *term)
{
	char *id = node_term_add(n, term, "Said in the North West.");

	ck_assert_ptr_nonnull(id);
	return id;
}

static int
holds(struct node *n, const char *id)
{
	return node_wait(n, "SELECT EXISTS (SELECT 1 FROM glossary_terms"
	    " WHERE id = $1 AND NOT deleted)", id, SETTLE_MS);
}

/* Where the backup of n goes: a directory that does not exist yet. */
static void
backup_dir(const struct node *n, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.backup", getenv("ACORN_TEST_VAR"), n->db);
	harness_rmtree(buf);
}

static mode_t
mode_of(const char *dir, const char *name)
{
	char path[1100];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) == -1)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

START_TEST(test_backup_is_private_and_new)
{
	char dir[1024];

	net_up();
	backup_dir(net[NW], dir, sizeof(dir));
	ck_assert_int_eq(node_run(net[NW], "backup", dir, NULL), 0);
	/* The keys and the members' data: for the node's owner alone. */
	ck_assert_int_eq(mode_of(dir, "."), 0700);
	ck_assert_int_eq(mode_of(dir, "node.key"), 0600);
	ck_assert_int_eq(mode_of(dir, "database.dump"), 0600);
	ck_assert_int_eq(mode_of(dir, "acorn.conf"), 0600);
	ck_assert_int_eq(mode_of(dir, "MANIFEST"), 0600);
	/* Never over an earlier backup. */
	ck_assert_int_ne(node_run(net[NW], "backup", dir, NULL), 0);
	harness_rmtree(dir);
	net_down();
}
END_TEST

START_TEST(test_restore_refuses_a_serving_node_and_a_damaged_backup)
{
	char dir[1024], path[1100], *term;
	FILE *f;

	net_up();
	backup_dir(net[NW], dir, sizeof(dir));
	ck_assert_int_eq(node_run(net[NW], "backup", dir, NULL), 0);
	term = add_term(net[NW], "Written after the backup");
	/* The node still serves: nothing is restored under it. */
	ck_assert_int_ne(node_run(net[NW], "restore", dir, NULL), 0);
	ck_assert_int_eq(node_num(net[NW], "SELECT count(*) FROM"
	    " glossary_terms WHERE id = $1", term), 1);
	ck_assert_int_eq(node_stop(net[NW]), 0);
	/* One byte of the dump changed: the whole backup is refused. */
	snprintf(path, sizeof(path), "%s/database.dump", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "r+b"));
	ck_assert_int_eq(fseek(f, 100, SEEK_SET), 0);
	ck_assert_int_ne(fputc('~', f), EOF);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_ne(node_run(net[NW], "restore", dir, NULL), 0);
	ck_assert_int_eq(node_num(net[NW], "SELECT count(*) FROM"
	    " glossary_terms WHERE id = $1", term), 1);
	/* Not a backup at all. */
	ck_assert_int_ne(node_run(net[NW], "restore", getenv("ACORN_TEST_VAR"),
	    NULL), 0);
	ck_assert_int_eq(node_num(net[NW], "SELECT count(*) FROM"
	    " glossary_terms WHERE id = $1", term), 1);
	free(term);
	harness_rmtree(dir);
	net_down();
}
END_TEST

/*
 * Back up, change, restore, change again: every peer holds the new
 * changes although the restored node's numbers went back below what
 * the hub had read, and what was changed between the backup and the
 * restore comes back to the node from the hub.
 */
START_TEST(test_a_restored_node_loses_nothing_the_network_holds)
{
	char dir[1024], *kept, *after[6], *fresh, *later;
	char *before_stream, *stream, *nw, *refused, v[8];
	long cursor, seq;
	int i, port;

	net_up();
	kept = add_term(net[NW], "Before the backup");
	ck_assert(holds(net[HUB], kept));
	backup_dir(net[NW], dir, sizeof(dir));
	ck_assert_int_eq(node_run(net[NW], "backup", dir, NULL), 0);
	before_stream = node_sql(net[NW], "SELECT id FROM feed_stream", NULL);
	ck_assert_ptr_nonnull(before_stream);

	/*
	 * Changed after the backup: thirty terms at once, six more, and
	 * one edited.
	 */
	ck_assert_int_eq(node_exec(net[NW], "INSERT INTO glossary_terms (id,"
	    " origin, term, definition) SELECT gen_random_uuid(), (SELECT id"
	    " FROM node), 'Bulk ' || i, 'One of many.' FROM"
	    " generate_series(1, 30) i", 0, NULL), 30);
	for (i = 0; i < 6; i++) {
		snprintf(v, sizeof(v), "After %d", i);
		after[i] = add_term(net[NW], v);
	}
	ck_assert_int_eq(node_exec(net[NW], "UPDATE glossary_terms SET"
	    " definition = 'Said again, better.' WHERE id = $1", 1,
	    (const char *[]){ kept }), 1);
	for (i = 0; i < 6; i++) {
		ck_assert(holds(net[HUB], after[i]));
		ck_assert(holds(net[LONDON], after[i]));
	}
	ck_assert(node_wait(net[LONDON], "SELECT EXISTS (SELECT 1 FROM"
	    " glossary_terms WHERE id = $1 AND version = 2)", kept, SETTLE_MS));
	nw = node_sql(net[NW], "SELECT id FROM node", NULL);
	ck_assert_ptr_nonnull(nw);
	cursor = node_num(net[HUB], "SELECT c.seq FROM peer_cursors c"
	    " JOIN peers p ON p.id = c.peer WHERE p.node = $1"
	    " AND c.collection = 'glossary'", nw);

	/* The bad day: the node comes back as the backup holds it. */
	port = node_port(net[NW]);
	ck_assert_int_eq(node_stop(net[NW]), 0);
	ck_assert_int_eq(node_run(net[NW], "restore", dir, NULL), 0);
	ck_assert_int_eq(node_num(net[NW], "SELECT count(*) FROM"
	    " glossary_terms WHERE id = $1", after[0]), 0);
	stream = node_sql(net[NW], "SELECT id || ' ' || reason FROM"
	    " feed_stream", NULL);
	ck_assert_ptr_nonnull(stream);
	ck_assert_msg(strncmp(stream, before_stream, 36) != 0, "%s", stream);
	ck_assert_msg(strstr(stream, "a restore from a backup") != NULL, "%s",
	    stream);

	/*
	 * Its first change after the restore takes a number the hub has
	 * read past already: without a new stream it would be skipped.
	 * Until the hub has it, the node does not pull (its peer is taken
	 * away for now), so that nothing but its own changes moves its
	 * numbers on.
	 */
	ck_assert_int_eq(node_run(net[NW], "peer", "remove", net[HUB]->url,
	    NULL), 0);
	fresh = add_term(net[NW], "After the restore");
	seq = node_num(net[NW], "SELECT seq FROM glossary_terms WHERE id = $1",
	    fresh);
	ck_assert_msg(seq + 20 <= cursor, "seq %ld, hub's cursor %ld", seq,
	    cursor);
	ck_assert_int_eq(node_serve_port(net[NW], port), 0);

	ck_assert_msg(holds(net[HUB], fresh), "the hub never got the change"
	    " made after the restore");
	ck_assert(holds(net[LONDON], fresh));
	ck_assert_int_lt(node_num(net[NW], "SELECT max(seq) FROM"
	    " glossary_terms", NULL), cursor);
	later = add_term(net[NW], "Later still");
	ck_assert(holds(net[HUB], later));
	ck_assert(holds(net[LONDON], later));
	/* The hub knows the node's new stream. */
	ck_assert_int_eq(node_numv(net[HUB], "SELECT count(*) FROM peers"
	    " WHERE node = $1 AND stream = left($2, 36)::uuid", 2,
	    (const char *[]){ nw, stream }), 1);

	/* Pinned again, it reads the hub. */
	ck_assert_int_eq(node_peer(net[NW], net[HUB], 1), 0);

	/* What it changed after the backup, back from the hub. */
	for (i = 0; i < 6; i++)
		ck_assert_msg(holds(net[NW], after[i]), "term %d never came"
		    " back", i);
	ck_assert(node_wait(net[NW], "SELECT EXISTS (SELECT 1 FROM"
	    " glossary_terms WHERE id = $1 AND version = 2"
	    " AND definition = 'Said again, better.')", kept, SETTLE_MS));
	/* Its own again: it edits them as before, and the edit travels. */
	ck_assert_int_eq(node_exec(net[NW], "UPDATE glossary_terms SET"
	    " definition = 'Edited once restored.' WHERE id = $1", 1,
	    (const char *[]){ after[2] }), 1);
	ck_assert(node_wait(net[LONDON], "SELECT EXISTS (SELECT 1 FROM"
	    " glossary_terms WHERE id = $1 AND version = 2"
	    " AND definition = 'Edited once restored.')", after[2], SETTLE_MS));
	/*
	 * Nothing of its own came back refused.  (Pinning the hub again
	 * had it meet the other nodes' entries before the hub vouched for
	 * their keys, as a new peer does: those are read again, not lost.)
	 */
	refused = node_sql(net[NW], "SELECT coalesce(string_agg(reason,"
	    " '; '), '') FROM rejections WHERE collection = 'glossary'",
	    NULL);
	ck_assert_ptr_nonnull(refused);
	ck_assert_msg(*refused == '\0', "refused: %s", refused);

	for (i = 0; i < 6; i++)
		free(after[i]);
	free(kept);
	free(fresh);
	free(later);
	free(stream);
	free(before_stream);
	free(nw);
	free(refused);
	harness_rmtree(dir);
	net_down();
}
END_TEST

/*
 * A hub whose copy of the node's record was tampered with: the node
 * does not take it back as its own, and keeps the record it holds.
 */
START_TEST(test_a_tampered_copy_of_its_own_record_is_refused)
{
	char *term;

	net_up();
	term = add_term(net[NW], "Tampered with");
	ck_assert(holds(net[HUB], term));
	/* A newer version, the text changed, the signature not. */
	ck_assert_int_eq(node_exec(net[HUB], "UPDATE glossary_terms SET"
	    " entry = replace(replace(entry, 'Said in the North West.',"
	    " 'Said by the hub.'), 'version=\"1\"', 'version=\"7\"'),"
	    " version = 7, definition = 'Said by the hub.'"
	    " WHERE id = $1", 1, (const char *[]){ term }), 1);
	ck_assert_int_eq(node_exec(net[HUB], "UPDATE glossary_terms SET"
	    " seq = nextval('change_seq') WHERE id = $1", 1,
	    (const char *[]){ term }), 1);
	ck_assert(node_wait(net[NW], "SELECT count(*) > 0 FROM rejections"
	    " WHERE reason LIKE '%verif%'", NULL, SETTLE_MS));
	ck_assert_int_eq(node_num(net[NW], "SELECT count(*) FROM"
	    " glossary_terms WHERE id = $1 AND version = 1"
	    " AND definition = 'Said in the North West.'", term), 1);
	free(term);
	net_down();
}
END_TEST

/* The ETag of r (malloc'd). */
static char *
etag_of(const struct resp *r)
{
	const char *p = strstr(r->headers, "ETag: ");

	ck_assert_ptr_nonnull(p);
	return strndup(p + 6, strcspn(p + 6, "\r\n"));
}

/*
 * What a peer sees of a node's stream: in every page and in the poll's
 * answer, and a page or an answer held from before a new stream is
 * never confirmed with a 304.
 */
START_TEST(test_peers_see_the_stream_and_its_change)
{
	struct node *n;
	struct client *c;
	struct resp *r;
	char *stream, *fresh, *page_etag, *poll_etag, want[64], header[200];
	static const char page[] = "/feeds/glossary?after=0";
	static const char poll[] = "/feeds?since=glossary:0";

	n = node_new("Streaming node", "region = London");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	free(node_sql(n, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'Streamed', 'Numbered.') RETURNING 1", NULL));
	node_barrier(n, "acorn_data");
	stream = node_sql(n, "SELECT id FROM feed_stream", NULL);
	ck_assert_ptr_nonnull(stream);
	c = client_new(n);

	r = http_get(c, page);
	ck_assert_int_eq(r->status, 200);
	snprintf(want, sizeof(want), "<acorn:stream>urn:uuid:%s<", stream);
	ck_assert_msg(resp_has(r, want), "%s", r->body);
	page_etag = etag_of(r);
	resp_free(r);
	r = http_get(c, poll);
	ck_assert_int_eq(r->status, 200);
	snprintf(want, sizeof(want), "Acorn-Stream: urn:uuid:%s", stream);
	ck_assert_msg(header_has(r, want), "%s", r->headers);
	poll_etag = etag_of(r);
	resp_free(r);
	r = http_get(c, "/feeds?since=glossary:999999");
	ck_assert_int_eq(r->status, 204);
	ck_assert(header_has(r, want));
	resp_free(r);

	/* A new stream, as after a restore made by hand. */
	ck_assert_int_eq(node_run(n, "stream", "--new", NULL), 0);
	fresh = node_sql(n, "SELECT id FROM feed_stream", NULL);
	ck_assert_ptr_nonnull(fresh);
	ck_assert_str_ne(fresh, stream);
	node_barrier(n, "acorn_data");
	snprintf(header, sizeof(header), "If-None-Match: %s", page_etag);
	client_header(c, header);
	r = http_get(c, page);
	ck_assert_int_eq(r->status, 200);
	snprintf(want, sizeof(want), "<acorn:stream>urn:uuid:%s<", fresh);
	ck_assert(resp_has(r, want));
	resp_free(r);
	snprintf(header, sizeof(header), "If-None-Match: %s", poll_etag);
	client_header(c, header);
	r = http_get(c, poll);
	ck_assert_int_eq(r->status, 200);
	snprintf(want, sizeof(want), "Acorn-Stream: urn:uuid:%s", fresh);
	ck_assert(header_has(r, want));
	resp_free(r);
	/* Why it started is kept, for the coordinator. */
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM feed_stream WHERE"
	    " reason LIKE '%by hand%'", NULL), 1);

	client_free(c);
	free(page_etag);
	free(poll_etag);
	free(stream);
	free(fresh);
	node_free(n);
}
END_TEST

Suite *
restore_suite(void)
{
	Suite *s = suite_create("restore");
	TCase *tc = tcase_create("restore");

	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_backup_is_private_and_new);
	tcase_add_test(tc,
	    test_restore_refuses_a_serving_node_and_a_damaged_backup);
	tcase_add_test(tc,
	    test_a_restored_node_loses_nothing_the_network_holds);
	tcase_add_test(tc, test_a_tampered_copy_of_its_own_record_is_refused);
	tcase_add_test(tc, test_peers_see_the_stream_and_its_change);
	suite_add_tcase(s, tc);
	return s;
}
