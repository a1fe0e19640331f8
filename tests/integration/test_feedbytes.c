/*
 * Feeds served from the stored entries, and the one question a caught-up
 * puller asks (docs/protocol.md, sections 6 and 7): a page put together
 * from stored bytes is what a peer verifies and merges, tombstones and
 * paging included, with ETags that name what a page holds; a poll says
 * which collections have news, and a caught-up peer costs one request a
 * round; a compressed page is taken, and one that decodes past the cap
 * is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"
#include "federation.h"
#include "fakepeer.h"

#define SETTLE_MS	60000	/* the most a change may take to arrive */
#define NEXT_LINK	"<link rel=\"next\""

Suite	*feedbytes_suite(void);

/* The value of header name (with its ": ") in r, malloc'd, or NULL. */
static char *
header_value(const struct resp *r, const char *name)
{
	const char *line;
	size_t n = strlen(name);

	for (line = r->headers; line != NULL && *line != '\0';
	    line = strchr(line, '\n'), line = line != NULL ? line + 1 : NULL)
		if (strncasecmp(line, name, n) == 0)
			return strndup(line + n, strcspn(line + n, "\r\n"));
	return NULL;
}

/* GET path with If-None-Match: etag; the status. */
static long
get_if_none_match(struct node *n, const char *path, const char *etag)
{
	struct client *c = client_new(n);
	struct resp *r;
	char line[160];
	long status;

	snprintf(line, sizeof(line), "If-None-Match: %s", etag);
	client_header(c, line);
	ck_assert_ptr_nonnull(r = http_get(c, path));
	status = r->status;
	ck_assert_msg(status != 304 || r->len == 0, "a 304 with a body");
	resp_free(r);
	client_free(c);
	return status;
}

/*
 * An origin with more terms than one page holds, one of them withdrawn:
 * its pages are its stored entries byte for byte, the first full (a
 * rel="next", a cursor, a weak ETag and a cache lifetime), the last
 * not; and a peer that pulls them holds every live term and the
 * tombstone, as the origin's verified entries.
 */
START_TEST(test_a_page_of_stored_bytes_is_what_a_peer_merges)
{
	struct node *origin, *reader;
	struct client *c;
	struct resp *r;
	char *gone, *kept, *stored, *etag, *reader_etag, *cache, *next;
	char path[160];
	const char *at;
	size_t len;

	origin = node_new("Origin node", "sync_interval = 2");
	reader = node_new("Reading node", "sync_interval = 2");
	ck_assert_ptr_nonnull(origin);
	ck_assert_ptr_nonnull(reader);
	ck_assert_int_eq(node_serve(origin), 0);
	ck_assert_int_eq(node_serve(reader), 0);

	ck_assert_int_ge(node_exec(origin, "INSERT INTO glossary_terms (id,"
	    " origin, term, definition) SELECT gen_random_uuid(),"
	    " (SELECT id FROM node), 'Term ' || i, 'Meaning ' || i"
	    " FROM generate_series(1, 230) i", 0, NULL), 0);
	/* All signed first, so the withdrawal is the newest change. */
	ck_assert(node_wait(origin, "SELECT NOT EXISTS (SELECT 1 FROM"
	    " glossary_terms WHERE pending)", NULL, SETTLE_MS));
	gone = node_sql(origin, "SELECT id FROM glossary_terms"
	    " WHERE term = 'Term 7'", NULL);
	kept = node_sql(origin, "SELECT id FROM glossary_terms"
	    " WHERE term = 'Term 8'", NULL);
	ck_assert_ptr_nonnull(gone);
	ck_assert_ptr_nonnull(kept);
	free(node_sql(origin, "UPDATE glossary_terms SET deleted = true,"
	    " updated = now() WHERE id = $1 RETURNING id", gone));
	ck_assert(node_wait(origin, "SELECT NOT EXISTS (SELECT 1 FROM"
	    " glossary_terms WHERE pending)", NULL, SETTLE_MS));

	/* The first page: full, the stored bytes, cacheable. */
	c = client_new(origin);
	ck_assert_ptr_nonnull(r = http_get(c, "/feeds/glossary?after=0"));
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, NEXT_LINK));
	ck_assert_ptr_nonnull(strstr(r->body, "<acorn:cursor>"));
	ck_assert_ptr_nonnull(strstr(r->body, "<acorn:latest>"));
	stored = node_sql(origin, "SELECT entry FROM glossary_terms"
	    " WHERE id = $1", kept);
	ck_assert_ptr_nonnull(stored);
	ck_assert_msg(strstr(r->body, stored) != NULL,
	    "the page does not hold the stored entry byte for byte");
	free(stored);
	/* The tombstone is on a later page: its change came last. */
	ck_assert_ptr_null(strstr(r->body, "at:deleted-entry"));
	ck_assert_ptr_nonnull(etag = header_value(r, "ETag: "));
	ck_assert_msg(strncmp(etag, "W/\"", 3) == 0, "ETag %s", etag);
	ck_assert_ptr_nonnull(cache = header_value(r, "Cache-Control: "));
	ck_assert_ptr_nonnull(strstr(cache, "max-age="));
	free(cache);
	ck_assert_int_eq(get_if_none_match(origin, "/feeds/glossary?after=0",
	    etag), 304);
	/* Another page's ETag is not this page's. */
	ck_assert_int_eq(get_if_none_match(origin, "/feeds/glossary?after=1",
	    etag), 200);
	free(etag);
	at = strstr(r->body, NEXT_LINK);
	ck_assert_ptr_nonnull(next = strstr(at, "/feeds/glossary?after="));
	len = strcspn(next, "\"");
	ck_assert_uint_lt(len, sizeof(path));
	snprintf(path, sizeof(path), "%.*s", (int)len, next);
	resp_free(r);

	/* The last page: the tombstone, no next link, not to be kept. */
	ck_assert_ptr_nonnull(r = http_get(c, path));
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_null(strstr(r->body, NEXT_LINK));
	ck_assert_ptr_nonnull(strstr(r->body, "at:deleted-entry"));
	stored = node_sql(origin, "SELECT entry FROM glossary_terms"
	    " WHERE id = $1", gone);
	ck_assert_ptr_nonnull(stored);
	ck_assert_ptr_nonnull(strstr(r->body, stored));
	free(stored);
	ck_assert_ptr_nonnull(cache = header_value(r, "Cache-Control: "));
	ck_assert_str_eq(cache, "no-cache");
	free(cache);
	ck_assert_ptr_nonnull(etag = header_value(r, "ETag: "));
	ck_assert_int_eq(get_if_none_match(origin, path, etag), 304);
	resp_free(r);

	/* The feed for readers: its ETag too names what it holds. */
	ck_assert_ptr_nonnull(r = http_get(c, "/feeds/glossary"));
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_null(strstr(r->body, NEXT_LINK));
	ck_assert_ptr_nonnull(reader_etag = header_value(r, "ETag: "));
	resp_free(r);
	ck_assert_int_eq(get_if_none_match(origin, "/feeds/glossary",
	    reader_etag), 304);

	/* A peer takes all of it. */
	ck_assert_int_eq(node_peer(reader, origin, 0), 0);
	ck_assert(node_wait(reader, "SELECT count(*) = 229 FROM glossary_terms"
	    " WHERE NOT deleted AND origin <> (SELECT id FROM node)", NULL,
	    SETTLE_MS));
	ck_assert(node_wait(reader, "SELECT deleted FROM glossary_terms"
	    " WHERE id = $1", gone, SETTLE_MS));
	ck_assert_int_eq(node_num(reader, "SELECT count(*) FROM rejections",
	    NULL), 0);
	/* What it keeps and relays is the origin's signed bytes. */
	stored = node_sql(origin, "SELECT entry FROM glossary_terms"
	    " WHERE id = $1", kept);
	ck_assert_int_eq(node_num(reader, "SELECT count(*) FROM glossary_terms"
	    " WHERE entry = $1", stored), 1);
	free(stored);

	/* The last page's ETag moves with a change, and only then. */
	ck_assert_int_eq(get_if_none_match(origin, path, etag), 304);
	free(node_sql(origin, "UPDATE glossary_terms SET definition ="
	    " 'Changed' WHERE id = $1 RETURNING id", kept));
	ck_assert(node_wait(origin, "SELECT NOT pending FROM glossary_terms"
	    " WHERE id = $1", kept, SETTLE_MS));
	ck_assert_int_eq(get_if_none_match(origin, path, etag), 200);
	ck_assert_int_eq(get_if_none_match(origin, "/feeds/glossary",
	    reader_etag), 200);
	free(reader_etag);
	ck_assert(node_wait(reader, "SELECT definition = 'Changed' FROM"
	    " glossary_terms WHERE id = $1", kept, SETTLE_MS));
	free(etag);
	client_free(c);
	free(gone);
	free(kept);
	node_free(reader);
	node_free(origin);
}
END_TEST

/* GET path; the status, and the body in *body (malloc'd) if asked. */
static long
get(struct node *n, const char *path, char **body)
{
	struct client *c = client_new(n);
	struct resp *r;
	long status;

	ck_assert_ptr_nonnull(r = http_get(c, path));
	status = r->status;
	if (body != NULL)
		*body = strndup(r->body != NULL ? r->body : "", r->len);
	resp_free(r);
	client_free(c);
	return status;
}

/*
 * The poll: which of the collections named hold anything after the
 * cursor given, with their newest change; 204 when none does; 304 for
 * the answer held; 400 for anything not of its form.
 */
START_TEST(test_a_poll_names_the_collections_with_news)
{
	static const char *const bad[] = {
		"/feeds", "/feeds?since=", "/feeds?since=glossary",
		"/feeds?since=glossary:", "/feeds?since=glossary:-1",
		"/feeds?since=glossary:x", "/feeds?since=glossary:1,",
		"/feeds?since=Glossary:1", "/feeds?since=glossary:1,glossary:2",
		"/feeds?since=a:1,b:1,c:1,d:1,e:1,f:1,g:1,h:1,i:1,j:1,k:1,"
		    "l:1,m:1,n:1,o:1,p:1,q:1",
	};
	struct node *n;
	struct client *c;
	struct resp *r;
	char path[200], *body, *etag;
	long latest;
	size_t i;

	n = node_new("Polled node", NULL);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	free(node_sql(n, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'Link worker', 'Connects people.') RETURNING id", NULL));
	ck_assert(node_wait(n, "SELECT NOT pending FROM glossary_terms",
	    NULL, SETTLE_MS));
	latest = node_num(n, "SELECT max(seq) FROM glossary_terms", NULL);

	/* News in the glossary only; names it does not serve pass. */
	ck_assert_int_eq(get(n, "/feeds?since=glossary:0,events:0,widgets:3",
	    &body), 200);
	snprintf(path, sizeof(path), "glossary %ld\n", latest);
	ck_assert_str_eq(body, path);
	free(body);

	/* Caught up: headers only. */
	snprintf(path, sizeof(path), "/feeds?since=glossary:%ld,events:0,"
	    "members:0,nodes:%ld", latest, latest + 1000);
	c = client_new(n);
	ck_assert_ptr_nonnull(r = http_get(c, path));
	ck_assert_int_eq(r->status, 204);
	ck_assert_uint_eq(r->len, 0);
	ck_assert_msg(strlen(r->headers) < 1024, "%zu bytes of headers",
	    strlen(r->headers));
	resp_free(r);
	client_free(c);

	/* The answer held is answered 304. */
	c = client_new(n);
	ck_assert_ptr_nonnull(r = http_get(c, "/feeds?since=glossary:0"));
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(etag = header_value(r, "ETag: "));
	resp_free(r);
	client_free(c);
	ck_assert_int_eq(get_if_none_match(n, "/feeds?since=glossary:0", etag),
	    304);
	free(etag);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(get(n, bad[i], NULL) == 400, "%s not refused",
		    bad[i]);
	node_assert_serving(n, "/feeds?since=glossary:0");
	node_free(n);
}
END_TEST

/* Every request the peer had: polls and feed pages. */
static int
requests(struct fakepeer *p)
{
	static const char *const colls[] = {
		"nodes", "members", "events", "evaluations", "documents",
		"glossary", "organisations", "locations", "services",
	};
	size_t i;
	int n = fakepeer_polls(p);

	for (i = 0; i < sizeof(colls) / sizeof(colls[0]); i++)
		n += fakepeer_requests(p, colls[i]);
	return n;
}

/*
 * Has the node pull the peer once (a ping naming news, unless it is
 * NULL) and waits until that pull is over; the requests it made.
 */
static int
news_round(struct node *n, struct fakepeer *p, const char *news)
{
	int before = requests(p);
	const char *params[2];
	char *when;

	when = node_sql(n, "SELECT last_attempt::text FROM peers"
	    " WHERE node = $1", p->id);
	ck_assert_ptr_nonnull(when);
	/* A ping within the gap is taken too, the pull a little later. */
	ck_assert_int_eq(fakepeer_ping_news(n, p, news), 202);
	params[0] = p->id;
	params[1] = when;
	ck_assert(node_waitv(n, "SELECT last_attempt > $2::timestamptz FROM"
	    " peers WHERE node = $1", 2, params, SETTLE_MS));
	free(when);
	return requests(p) - before;
}

/*
 * Has the node pull the peer once (a ping) and waits until that pull is
 * over; the requests it made.
 */
static int
one_round(struct node *n, struct fakepeer *p)
{
	return news_round(n, p, NULL);
}
/* A new version of the peer's term, served at seq. */
static void
serve_term(struct fakepeer *peer, const char *id, int version,
    long long seq, const char *definition)
{
	char *term, *page;

	term = fake_term(peer, id, version, "Social prescribing", definition);
	page = fake_page(seq, term, NULL);
	fakepeer_serve(peer, "glossary", page);
	free(page);
	free(term);
}

/*
 * A node polling hourly, and a peer answering polls as a node does that
 * serves one term (the id returned), pinned and pulled once already.
 */
static char *
polled_peer(const char *node_name, const char *peer_name, struct node **n,
    struct fakepeer **peer)
{
	char *id;

	*n = node_new(node_name, "sync_interval = 3600\nping_gap = 1");
	ck_assert_ptr_nonnull(*n);
	ck_assert_int_eq(node_serve(*n), 0);
	*peer = fakepeer_new(peer_name);
	fakepeer_polling(*peer);
	id = fake_uuid();
	serve_term(*peer, id, 1, 5, "Linking.");
	ck_assert_int_eq(fakepeer_pin(*n, *peer, 0), 0);
	ck_assert(node_wait(*n, "SELECT EXISTS (SELECT 1 FROM glossary_terms"
	    " WHERE id = $1)", id, SETTLE_MS));
	ck_assert(node_wait(*n, "SELECT last_success IS NOT NULL FROM peers",
	    NULL, SETTLE_MS));
	return id;
}

/*
 * A caught-up puller asks a peer that knows the question once a round,
 * and fetches only the collections it names; a peer that does not know
 * it (404) is pulled per collection, and not asked again.
 */
START_TEST(test_a_caught_up_peer_costs_one_request_a_round)
{
	struct node *n;
	struct fakepeer *peer, *old;
	char *id;

	id = polled_peer("Polling node", "Polled peer", &n, &peer);
	/* The first pull asked once, then for the glossary only. */
	ck_assert_int_eq(fakepeer_polls(peer), 1);
	ck_assert_int_eq(fakepeer_requests(peer, "glossary"), 1);
	ck_assert_int_eq(requests(peer), 2);
	/* Every collection has its cursor, pulled or found caught up. */
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM peer_cursors",
	    NULL), FED_COLLECTIONS);

	/* Caught up: one request a round, and nothing fetched. */
	ck_assert_int_eq(one_round(n, peer), 1);
	ck_assert_int_eq(one_round(n, peer), 1);
	ck_assert_int_eq(fakepeer_requests(peer, "glossary"), 1);
	ck_assert_int_eq(fakepeer_polls(peer), 3);

	/* News: the question, then that collection. */
	serve_term(peer, id, 2, 6, "Linking up.");
	ck_assert_int_eq(one_round(n, peer), 2);
	ck_assert_int_eq(fakepeer_requests(peer, "glossary"), 2);
	ck_assert(node_wait(n, "SELECT definition = 'Linking up.' FROM"
	    " glossary_terms WHERE id = $1", id, SETTLE_MS));

	/* A peer without the question is pulled as before. */
	old = fakepeer_new("Older peer");
	ck_assert_int_eq(fakepeer_pin(n, old, 0), 0);
	ck_assert(node_wait(n, "SELECT count(*) = 2 FROM peers WHERE"
	    " last_success IS NOT NULL", NULL, SETTLE_MS));
	ck_assert_int_eq(fakepeer_polls(old), 1);
	ck_assert_int_eq(fakepeer_requests(old, "nodes"), 1);
	ck_assert_int_eq(fakepeer_requests(old, "glossary"), 1);
	ck_assert_int_eq(one_round(n, old), FED_COLLECTIONS);
	ck_assert_int_eq(fakepeer_polls(old), 1);
	ck_assert_int_eq(fakepeer_strays(old), 0);
	ck_assert_int_eq(fakepeer_strays(peer), 0);
	node_assert_serving(n, "/");
	free(id);
	fakepeer_free(old);
	fakepeer_free(peer);
	node_free(n);
}
END_TEST

/*
 * A ping may name the collections with news (news=): the pull takes
 * them first, and asks which have news after, so a change is merged a
 * request sooner and anything else the peer holds is still found.  A
 * ping naming the wrong collections, or nonsense, loses nothing: the
 * question finds the news all the same.
 */
START_TEST(test_a_ping_naming_its_news_is_pulled_first)
{
	struct node *n;
	struct fakepeer *peer;
	char *id;

	id = polled_peer("Pinged node", "Pinging peer", &n, &peer);

	/* The glossary named: fetched first, then the question. */
	serve_term(peer, id, 2, 6, "Linking up.");
	ck_assert_int_eq(news_round(n, peer, "glossary"), 2);
	ck_assert_int_lt(fakepeer_order(peer, "glossary"),
	    fakepeer_order(peer, NULL));
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND definition = 'Linking up.'", id), 1);

	/* The wrong one named: it, the question, then the glossary. */
	serve_term(peer, id, 3, 7, "Linking people up.");
	ck_assert_int_eq(news_round(n, peer, "members"), 3);
	ck_assert_int_lt(fakepeer_order(peer, "members"),
	    fakepeer_order(peer, NULL));
	ck_assert_int_lt(fakepeer_order(peer, NULL),
	    fakepeer_order(peer, "glossary"));
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND definition = 'Linking people up.'", id), 1);

	/* Nonsense named: a ping as any other, the question first. */
	serve_term(peer, id, 4, 8, "Linking people to groups.");
	ck_assert_int_eq(news_round(n, peer, "glossary;DROP,,nodes-x,%"), 2);
	ck_assert_int_lt(fakepeer_order(peer, NULL),
	    fakepeer_order(peer, "glossary"));
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND definition = 'Linking people to groups.'",
	    id), 1);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM peer_cursors"
	    " WHERE error IS NOT NULL", NULL), 0);
	ck_assert_int_eq(fakepeer_strays(peer), 0);
	node_assert_serving(n, "/");
	free(id);
	fakepeer_free(peer);
	node_free(n);
}
END_TEST

/* acorn_federation_pulled_bytes_total{as="…"} from /metrics. */
static long long
pulled_bytes(struct node *n, const char *as)
{
	char label[80], *body;
	const char *at;
	long long v = -1;

	ck_assert_int_eq(get(n, "/metrics", &body), 200);
	snprintf(label, sizeof(label),
	    "acorn_federation_pulled_bytes_total{as=\"%s\"} ", as);
	if ((at = strstr(body, label)) != NULL)
		v = strtoll(at + strlen(label), NULL, 10);
	free(body);
	return v;
}

/*
 * The puller asks for compression and counts what it saved; the cap on
 * a page holds for what a page decodes to: a small compressed answer
 * that would decode past it is refused as a page too large, nothing of
 * it is taken, and the node serves on.
 */
START_TEST(test_compressed_pages_are_taken_and_a_bomb_refused)
{
	struct node *n;
	struct fakepeer *peer;
	char *id, *term, *page, *bomb, *pad, *before;
	long long wire, decoded;
	size_t size = 20u * 1024 * 1024;

	n = node_new("Pulling node", "sync_interval = 3600\nping_gap = 1");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	peer = fakepeer_new("Compressing peer");
	id = fake_uuid();
	term = fake_term(peer, id, 1, "Green prescribing", "Outdoors.");
	/* Room to compress: a page as long as a real one. */
	pad = malloc(64 * 1024 + 1);
	ck_assert_ptr_nonnull(pad);
	memset(pad, ' ', 64 * 1024);
	pad[64 * 1024] = '\0';
	page = fake_page(3, term, pad, NULL);
	fakepeer_serve_gzip(peer, "glossary", page);
	free(page);
	free(pad);
	ck_assert_int_eq(fakepeer_pin(n, peer, 0), 0);
	ck_assert(node_wait(n, "SELECT EXISTS (SELECT 1 FROM glossary_terms"
	    " WHERE id = $1)", id, SETTLE_MS));
	ck_assert(node_wait(n, "SELECT last_success IS NOT NULL FROM peers",
	    NULL, SETTLE_MS));
	wire = pulled_bytes(n, "wire");
	decoded = pulled_bytes(n, "decoded");
	ck_assert_msg(decoded > 64 * 1024 && wire > 0 && wire * 4 < decoded,
	    "%lld bytes received for %lld decoded", wire, decoded);

	/* 20 MiB of blanks in a page: kilobytes on the wire. */
	bomb = malloc(size + 1);
	ck_assert_ptr_nonnull(bomb);
	memset(bomb, ' ', size);
	bomb[size] = '\0';
	page = fake_page(9, bomb, NULL);
	free(bomb);
	fakepeer_serve_gzip(peer, "glossary", page);
	free(page);
	before = node_sql(n, "SELECT seq::text FROM peer_cursors WHERE"
	    " collection = 'glossary'", NULL);
	ck_assert_ptr_nonnull(before);
	one_round(n, peer);
	ck_assert(node_wait(n, "SELECT count(*) > 0 FROM rejections WHERE"
	    " reason = 'larger than 16 MiB' AND collection = 'glossary'", NULL,
	    SETTLE_MS));
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM peer_cursors WHERE"
	    " collection = 'glossary' AND seq::text = $1", before), 1);
	ck_assert_msg(pulled_bytes(n, "wire") - wire < 1024 * 1024,
	    "the bomb was not small on the wire");
	node_assert_serving(n, "/");
	free(before);
	free(term);
	free(id);
	fakepeer_free(peer);
	node_free(n);
}
END_TEST

Suite *
feedbytes_suite(void)
{
	Suite *s = suite_create("feedbytes");
	TCase *tc;

	tc = tcase_create("pages");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_a_page_of_stored_bytes_is_what_a_peer_merges);
	tcase_add_test(tc, test_a_poll_names_the_collections_with_news);
	suite_add_tcase(s, tc);

	tc = tcase_create("polls");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_a_caught_up_peer_costs_one_request_a_round);
	tcase_add_test(tc, test_a_ping_naming_its_news_is_pulled_first);
	tcase_add_test(tc, test_compressed_pages_are_taken_and_a_bomb_refused);
	suite_add_tcase(s, tc);
	return s;
}
