/*
 * Pages a puller can always take, collections pulled independently, and
 * pings that cost nothing to abuse (docs/protocol.md, sections 6, 7 and
 * 9): an ordinary member writing the largest documents the library takes
 * does not stop anything else flowing, a peer's collection that cannot
 * be taken does not stop its others, an honest peer's changes one after
 * another never wait for the gap pings are spaced by, and a flood of
 * pings with nothing new makes a node pull no more than once a gap.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "harness.h"
#include "fakepeer.h"

#define SETTLE_MS	30000	/* the most a change may take to arrive */
#define DOCUMENTS	25
#define BODY_CHARS	60000	/* the most the library's form takes */
#define PROTOCOL_PAGE_BYTES	((size_t)4 * 1024 * 1024)
#define NEXT_PAGE	"/feeds/documents?after="

Suite	*feedpages_suite(void);

enum { HUB, NW, SW, NNODES };

static const char *const names[NNODES] = {
	"National hub", "North West node", "South West node"
};
static const char *const regions[NNODES] = {
	"National", "North West", "South West"
};

/*
 * The hub pulls both regions; each region pulls the hub; each node with
 * the settings given beside its region.
 */
static void
network_with(struct node *net[NNODES], const char *more)
{
	ck_assert_int_eq(network_up(net, NNODES, 1, names, regions, more), 0);
}

static void
net_up(struct node *net[NNODES])
{
	network_with(net, "sync_interval = 2");
}

/*
 * Writes a document as a person does, through the library's form, sent
 * as multipart/form-data (what a browser sends for a large text area):
 * in a URL-encoded form every "&" would take three bytes.
 */
static void
write_document(struct client *c, const char *slug, const char *title,
    const char *body)
{
	const char *fields[][2] = {
		{ "csrf", NULL }, { "title", title }, { "slug", slug },
		{ "category", "toolkit" }, { "tags", "stress" },
		{ "summary", "First draft" }, { "body", body },
	};
	struct mpart *m;
	char *tok, *form;
	size_t i, len;
	struct resp *r;

	ck_assert_ptr_nonnull(tok = page_csrf(c, "/library/new"));
	fields[0][1] = tok;
	ck_assert_ptr_nonnull(m = mpart_new());
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		mpart_field(m, fields[i][0], fields[i][1]);
	ck_assert_ptr_nonnull(form = mpart_end(m, &len));
	r = http_post_multipart(c, "/library/new", form, len);
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(r->status == 303, "the library answered %ld",
	    (long)r->status);
	resp_free(r);
	free(form);
	free(tok);
}

/*
 * Reads the node's documents feed as a peer does, page after page, and
 * checks every page against the cap; the number of entries read.
 */
static long
read_every_page(struct node *n, const char *body_entity_run)
{
	struct client *c = client_new(n);
	struct resp *r;
	char path[128], *next;
	long entries = 0, in_page, pages = 0, after = 0, next_after;
	char *end;
	const char *p;

	snprintf(path, sizeof(path), "/feeds/documents?after=0");
	for (;;) {
		/* Every page moves on: no more pages than entries. */
		ck_assert_int_le(pages, DOCUMENTS);
		ck_assert_ptr_nonnull(r = http_get(c, path));
		ck_assert_int_eq(r->status, 200);
		/* docs/protocol.md, section 9: a page is at most 4 MiB. */
		ck_assert_msg(r->len <= PROTOCOL_PAGE_BYTES,
		    "a page of %zu bytes", r->len);
		in_page = 0;
		for (p = r->body; (p = strstr(p, "<entry")) != NULL; p++)
			in_page++;
		ck_assert_int_ge(in_page, 1);
		entries += in_page;
		pages++;
		/* The body once: no acorn:body beside the content. */
		ck_assert_ptr_null(strstr(r->body, "<acorn:body>"));
		ck_assert_ptr_nonnull(strstr(r->body, body_entity_run));
		if ((next = strstr(r->body, "<link rel=\"next\"")) == NULL) {
			resp_free(r);
			break;
		}
		ck_assert_ptr_nonnull(p = strstr(next, NEXT_PAGE));
		/* Each next page starts after the last: no page comes twice. */
		next_after = strtol(p + strlen(NEXT_PAGE), &end, 10);
		ck_assert_msg(end != p + strlen(NEXT_PAGE) &&
		    next_after > after, "rel=next goes from after=%ld to"
		    " %.40s", after, p);
		after = next_after;
		snprintf(path, sizeof(path), "%.*s", (int)strcspn(p, "\""), p);
		resp_free(r);
	}
	client_free(c);
	/* 25 entries of 300 kB do not fit in one page of 4 MiB. */
	ck_assert_int_ge(pages, 2);
	return entries;
}

/*
 * The attack as it was measured on the demo network: an ordinary member
 * of North West writes 25 documents of 60,000 "&", then a glossary term.
 * The term reaches the hub and South West within seconds, the documents
 * arrive whole, and no page anyone serves is over the cap.
 */
START_TEST(test_largest_documents_do_not_stall_the_glossary)
{
	struct node *net[NNODES];
	struct client *member;
	struct resp *r;
	char *pw, *body, *amp5, slug[32], *nw_id;
	const char *q[2];
	int i;

	net_up(net);
	pw = node_user_add(net[NW], "rosa@nw.example.org", "member");
	ck_assert_ptr_nonnull(pw);
	member = client_as(net[NW], "rosa@nw.example.org", pw);
	ck_assert_ptr_nonnull(body = malloc(BODY_CHARS + 1));
	memset(body, '&', BODY_CHARS);
	body[BODY_CHARS] = '\0';
	for (i = 0; i < DOCUMENTS; i++) {
		snprintf(slug, sizeof(slug), "ampersands-%02d", i);
		write_document(member, slug, "Ampersands", body);
	}
	r = form_post(member, "/glossary/new", "/glossary/new", "term",
	    "Social prescribing link worker", "definition", "Connects people"
	    " to community support.", "synonyms", "", NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);

	/* The term everywhere within seconds, the documents behind it. */
	for (i = HUB; i < NNODES; i++)
		ck_assert_msg(node_wait(net[i], "SELECT EXISTS (SELECT 1 FROM"
		    " glossary_terms WHERE term = $1)",
		    "Social prescribing link worker", SETTLE_MS),
		    "%s never had the term", names[i]);
	nw_id = node_sql(net[NW], "SELECT id FROM node", NULL);
	q[0] = nw_id;
	q[1] = body;
	for (i = HUB; i < NNODES; i++)
		ck_assert_msg(node_waitv(net[i], "SELECT count(*) = 25 FROM"
		    " documents WHERE origin = $1 AND body = $2 AND"
		    " title = 'Ampersands'", 2, q, SETTLE_MS),
		    "%s never had every document whole", names[i]);

	/* Each entry holds the body once, well inside the limit. */
	ck_assert_int_eq(node_num(net[NW], "SELECT count(*) FROM documents"
	    " WHERE octet_length(entry) > $1::bigint / 2", "1048576"), 0);
	ck_assert_int_eq(node_num(net[NW], "SELECT count(*) FROM documents"
	    " WHERE octet_length(entry) < 300000", NULL), 0);
	/* Every page, of the origin and of the relaying hub, under the cap. */
	ck_assert_ptr_nonnull(amp5 = malloc(5 * 1000 + 1));
	for (i = 0; i < 1000; i++)
		memcpy(amp5 + 5 * i, "&amp;", 5);
	amp5[5 * 1000] = '\0';
	ck_assert_int_eq(read_every_page(net[NW], amp5), DOCUMENTS);
	ck_assert_int_eq(read_every_page(net[HUB], amp5), DOCUMENTS);
	/* Nothing refused, nothing failing. */
	for (i = 0; i < NNODES; i++) {
		ck_assert_int_eq(node_num(net[i], "SELECT count(*) FROM"
		    " rejections", NULL), 0);
		ck_assert_int_eq(node_num(net[i], "SELECT count(*) FROM"
		    " peer_cursors WHERE error IS NOT NULL", NULL), 0);
	}
	free(amp5);
	free(nw_id);
	free(body);
	free(pw);
	client_free(member);
	for (i = 0; i < NNODES; i++)
		node_free(net[i]);
}
END_TEST

/*
 * A peer whose documents cannot be taken (an entry over 1 MiB, which no
 * Acorn node writes) still has its glossary pulled in the same round,
 * and the coordinator reads on the sync page which collection stopped
 * and why.  The cursor of the documents stays: nothing is skipped.
 */
START_TEST(test_a_collection_that_fails_stops_no_other)
{
	struct node *n;
	struct fakepeer *peer;
	struct client *co;
	struct resp *r;
	char *pw, *huge, *bad, *good, *page, *bad_id, *good_id;
	const char *q[1];
	size_t len = (size_t)FED_MAX_ENTRY + 4096;

	n = node_new("Receiving node", "sync_interval = 2");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	peer = fakepeer_new("Peer with a huge entry");
	bad_id = fake_uuid();
	good_id = fake_uuid();
	ck_assert_ptr_nonnull(huge = malloc(len + 1));
	memset(huge, 'a', len);
	huge[len] = '\0';
	bad = fake_term(peer, bad_id, 1, "Too large", huge);
	page = fake_page(3, bad, NULL);
	fakepeer_serve(peer, "documents", page);
	free(page);
	good = fake_term(peer, good_id, 1, "Still arrives", "Pulled all the"
	    " same.");
	page = fake_page(4, good, NULL);
	fakepeer_serve(peer, "glossary", page);
	free(page);
	ck_assert_int_eq(fakepeer_pin(n, peer, 0), 0);

	/* The glossary, after the documents, arrives. */
	ck_assert(node_wait(n, "SELECT EXISTS (SELECT 1 FROM glossary_terms"
	    " WHERE id = $1::uuid AND term = 'Still arrives')", good_id,
	    SETTLE_MS));
	q[0] = peer->id;
	ck_assert(node_waitv(n, "SELECT c.error LIKE 'documents: page refused:"
	    " an entry larger than 1 MiB%' AND c.seq = 0 FROM peer_cursors c"
	    " JOIN peers p ON p.id = c.peer WHERE p.node = $1"
	    " AND c.collection = 'documents'", 1, q, SETTLE_MS));
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1::uuid", bad_id), 0);
	/* Only the documents stopped; the peer was reached, not backed off. */
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM peer_cursors c"
	    " JOIN peers p ON p.id = c.peer WHERE p.node = $1 AND"
	    " c.error IS NOT NULL", peer->id), 1);
	ck_assert_int_eq(node_num(n, "SELECT failures FROM peers WHERE"
	    " node = $1", peer->id), 0);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM rejections"
	    " WHERE collection = 'documents' AND reason ="
	    " 'an entry larger than 1 MiB'", NULL) > 0, 1);

	/* The coordinator sees which collection stopped, and why. */
	pw = node_user_add(n, "coordinator@example.org", "coordinator");
	co = client_as(n, "coordinator@example.org", pw);
	ck_assert_ptr_nonnull(r = http_get(co, "/admin/sync"));
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Failing"));
	ck_assert(resp_has(r, "Kinds of record stopped, the others pulled:"));
	ck_assert(resp_has(r, "documents: page refused: an entry larger than"
	    " 1 MiB"));
	resp_free(r);

	/* Served sensibly at last, the documents go on, and the error goes. */
	page = fake_page(3, NULL);
	fakepeer_serve(peer, "documents", page);
	free(page);
	ck_assert(node_waitv(n, "SELECT NOT EXISTS (SELECT 1 FROM peer_cursors"
	    " c JOIN peers p ON p.id = c.peer WHERE p.node = $1 AND"
	    " c.error IS NOT NULL)", 1, q, SETTLE_MS));
	ck_assert(node_waitv(n, "SELECT last_error IS NULL FROM peers WHERE"
	    " node = $1", 1, q, SETTLE_MS));
	client_free(co);
	free(pw);
	free(huge);
	free(bad);
	free(good);
	free(bad_id);
	free(good_id);
	node_free(n);
	fakepeer_free(peer);
}
END_TEST

/* Pulls of the peer the node has made: it asks for nodes first. */
static int
pulls(struct fakepeer *p)
{
	return fakepeer_requests(p, "nodes");
}

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define PING_CREDIT	3	/* pulls finding nothing a flood gets at once */
#define CHANGES		5

/*
 * Changes made one after another on a region, each as soon as the one
 * before has reached the other region, all through the hub, with pings
 * spaced by a minute and polling once an hour: every change goes on at
 * once, at both hops, never waiting for the gap.  Before, each change
 * after the first waited at each hop until a minute had passed since
 * the pull the ping before asked for.
 */
START_TEST(test_back_to_back_changes_never_wait_for_the_gap)
{
	struct node *net[NNODES];
	char text[32], *id;
	const char *p[2];
	double start;
	int i, k;

	network_with(net, "sync_interval = 3600\nping_gap = 60");

	id = node_sql(net[NW], "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) SELECT gen_random_uuid(), id, 'Link worker',"
	    " 'Change 0' FROM node RETURNING id", NULL);
	ck_assert_ptr_nonnull(id);
	p[0] = id;
	p[1] = "Change 0";
	ck_assert_msg(node_waitv(net[SW], "SELECT count(*) = 1 FROM"
	    " glossary_terms WHERE id = $1 AND definition = $2", 2, p,
	    SETTLE_MS), "the term never reached the South West");
	for (k = 1; k <= CHANGES; k++) {
		snprintf(text, sizeof(text), "Change %d", k);
		p[1] = text;
		start = now_s();
		ck_assert_int_eq(node_exec(net[NW], "UPDATE glossary_terms"
		    " SET definition = $2 WHERE id = $1", 2, p), 1);
		/* Well inside the gap: a minute would be the gap's doing. */
		ck_assert_msg(node_waitv(net[SW], "SELECT count(*) = 1 FROM"
		    " glossary_terms WHERE id = $1 AND definition = $2", 2, p,
		    20000), "change %d not in the South West after %.1f s", k,
		    now_s() - start);
		ck_assert_msg(node_waitv(net[HUB], "SELECT count(*) = 1 FROM"
		    " glossary_terms WHERE id = $1 AND definition = $2", 2, p,
		    1000), "change %d in the South West, not the hub", k);
	}
	free(id);
	for (i = 0; i < NNODES; i++)
		node_free(net[i]);
}
END_TEST

/* A new term on node from, waited for until node to holds it. */
static void
cross(struct node *net[NNODES], int from, int to, const char *text)
{
	const char *p[2] = { NULL, text };
	char *id;

	id = node_sql(net[from], "INSERT INTO glossary_terms (id, origin,"
	    " term, definition) SELECT gen_random_uuid(), id, $1, $1 FROM"
	    " node RETURNING id", text);
	ck_assert_ptr_nonnull(id);
	p[0] = id;
	ck_assert_msg(node_waitv(net[to], "SELECT count(*) = 1 FROM"
	    " glossary_terms WHERE id = $1 AND definition = $2", 2, p,
	    SETTLE_MS), "\"%s\" never crossed", text);
	free(id);
}

/*
 * The announcements a node has taken: pushes and pings (each push the
 * hub sends is one request, or a ping instead; a ping is one request).
 */
static long
announcements(struct node *n)
{
	long pushes = node_metric(n, "acorn_http_requests_total{"
	    "route=\"federation_push\",status=\"202\"}");
	long pings = node_metric(n, "acorn_http_requests_total{"
	    "route=\"federation_ping\",status=\"202\"}");

	return (pushes > 0 ? pushes : 0) + (pings > 0 ? pings : 0);
}

/* The node's announcements once they reach want, or after SETTLE_MS. */
static long
announced(struct node *n, long want)
{
	long got = announcements(n);
	int i;

	for (i = 0; i < SETTLE_MS / 25 && got < want; i++) {
		poll(NULL, 0, 25);
		got = announcements(n);
	}
	return got;
}

/*
 * What a node merged from a peer is news to its other peers, not to
 * that one: the hub tells the other region of a region's change, not
 * the region it came from, which would only take its own change back
 * (and the other region, which has only the hub, tells nobody).
 * Counted as the announcements each region takes, polling being
 * hourly: one each, of the other region's change.
 */
START_TEST(test_a_change_is_not_pinged_back_to_where_it_came_from)
{
	struct node *net[NNODES];
	long nw, sw;
	int i;

	network_with(net, "sync_interval = 3600\nping_gap = 60");
	/* Settled: a change each way has crossed. */
	cross(net, NW, SW, "Settling from the North West");
	cross(net, SW, NW, "Settling from the South West");
	ck_assert_int_ge(nw = announcements(net[NW]), 1);
	ck_assert_int_ge(sw = announcements(net[SW]), 1);

	cross(net, NW, SW, "Measured from the North West");
	cross(net, SW, NW, "Measured from the South West");
	/*
	 * A request is counted once its answer has gone, a moment after
	 * the change it brought is committed: waited for, not read once.
	 */
	ck_assert_int_eq(announced(net[NW], nw + 1) - nw, 1);
	ck_assert_int_eq(announced(net[SW], sw + 1) - sw, 1);
	for (i = 0; i < NNODES; i++)
		node_free(net[i]);
}
END_TEST

/* The pulls of peer that have started, over, with no ping waiting. */
static void
wait_pulls_over(struct node *n, struct fakepeer *peer, int ms)
{
	ck_assert(node_wait(n, "SELECT pull_started IS NOT NULL AND"
	    " last_attempt > pull_started AND (pinged IS NULL OR pinged <="
	    " pull_started) FROM peers WHERE node = $1", peer->id, ms));
}

/*
 * A peer with nothing new, pinged in its name one ping at a time, each
 * once the pull before is over: PING_CREDIT pulls may come at once, and
 * from then on one a gap.  Then 200 pings in a tight loop: every one
 * answered, the node still serving, and still no more than one pull a
 * gap.
 */
START_TEST(test_ping_flood_with_nothing_new_is_spaced_by_the_gap)
{
	struct node *n;
	struct fakepeer *peer;
	struct client *c;
	struct resp *r;
	char form[80], *page;
	double at[PING_CREDIT + 3], start, flood, last;
	int before, done, i;

	/* Quiet peers polled once an hour: every pull here is a ping's. */
	n = node_new("Pinged node", "sync_interval = 3600\nping_gap = 5");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	peer = fakepeer_new("Pinging peer");
	page = fake_page(0, NULL);
	fakepeer_serve(peer, "nodes", page);
	free(page);
	ck_assert_int_eq(fakepeer_pin(n, peer, 0), 0);
	ck_assert(node_wait(n, "SELECT last_success IS NOT NULL FROM peers"
	    " WHERE node = $1", peer->id, SETTLE_MS));
	wait_pulls_over(n, peer, SETTLE_MS);

	/* One ping at a time, each pull finding nothing. */
	for (i = 0; i < PING_CREDIT + 3; i++) {
		before = pulls(peer);
		ck_assert_int_eq(fakepeer_ping(n, peer), 202);
		ck_assert(fakepeer_wait(peer, FAKE_REQUESTS, "nodes", before,
		    SETTLE_MS));
		at[i] = fakepeer_last_request(peer, "nodes");
		wait_pulls_over(n, peer, SETTLE_MS);
		ck_assert_int_eq(pulls(peer), before + 1);
	}
	/* The credit spent (the pin's pull found nothing too), a gap each. */
	for (i = PING_CREDIT; i < PING_CREDIT + 3; i++)
		ck_assert_msg(at[i] - at[i - 1] >= 4.5, "pull %d came %.2f s"
		    " after the one before", i + 1, at[i] - at[i - 1]);

	/* Now a flood. */
	before = pulls(peer);
	c = client_new(n);
	snprintf(form, sizeof(form), "node=urn:uuid:%s", peer->id);
	start = now_s();
	for (i = 0; i < 200; i++) {
		r = http_post_raw(c, "/federation/ping", form,
		    "application/x-www-form-urlencoded");
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(r->status, 202);
		resp_free(r);
	}
	/* The node still serves while the flood is taken. */
	ck_assert_ptr_nonnull(r = http_get(c, "/"));
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	flood = now_s() - start;

	/* The pull the flood asked for comes a gap after the last one. */
	ck_assert(fakepeer_wait(peer, FAKE_REQUESTS, "nodes", before,
	    SETTLE_MS));
	ck_assert_msg(fakepeer_last_request(peer, "nodes") -
	    at[PING_CREDIT + 2] >= 4.5, "the flood's pull came %.2f s after"
	    " the one before", fakepeer_last_request(peer, "nodes") -
	    at[PING_CREDIT + 2]);
	wait_pulls_over(n, peer, SETTLE_MS);
	ck_assert_msg(pulls(peer) - before <= 1 + (int)(flood / 5.0),
	    "%d pulls for a flood of %.1f s", pulls(peer) - before, flood);
	last = fakepeer_last_request(peer, "nodes");
	done = pulls(peer);

	/* A ping a gap later is taken too, and no sooner. */
	ck_assert_int_eq(fakepeer_ping(n, peer), 202);
	ck_assert(fakepeer_wait(peer, FAKE_REQUESTS, "nodes", done, SETTLE_MS));
	ck_assert(fakepeer_last_request(peer, "nodes") - last >= 4.5);
	client_free(c);
	node_free(n);
	fakepeer_free(peer);
}
END_TEST

/*
 * A ping in the name of a node that is not a peer gets the answer any
 * ping gets, and starts nothing: no pull is asked for, of anyone.
 */
START_TEST(test_ping_from_an_unknown_node_starts_no_pull)
{
	struct node *n;
	struct fakepeer *peer, *stranger;
	char *page;
	int before;

	n = node_new("Pinged node", "sync_interval = 3600\nping_gap = 5");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	peer = fakepeer_new("Pinned peer");
	stranger = fakepeer_new("Stranger");
	page = fake_page(0, NULL);
	fakepeer_serve(peer, "nodes", page);
	fakepeer_serve(stranger, "nodes", page);
	free(page);
	ck_assert_int_eq(fakepeer_pin(n, peer, 0), 0);
	ck_assert(node_wait(n, "SELECT last_success IS NOT NULL FROM peers"
	    " WHERE node = $1", peer->id, SETTLE_MS));
	before = pulls(peer);

	/* Answered as any ping is. */
	ck_assert_int_eq(fakepeer_ping(n, stranger), 202);
	/* Nothing asked for: the one peer is still due in an hour. */
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM peers WHERE"
	    " pinged IS NOT NULL OR next_attempt < now() + interval"
	    " '3000 seconds'", NULL), 0);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM peers", NULL), 1);
	ck_assert_int_eq(fakepeer_requests(stranger, "nodes"), 0);
	ck_assert_int_eq(pulls(peer), before);

	/* The peer's own ping does start one: the check can fail. */
	ck_assert_int_eq(fakepeer_ping(n, peer), 202);
	ck_assert(fakepeer_wait(peer, FAKE_REQUESTS, "nodes", before,
	    SETTLE_MS));
	ck_assert_int_eq(fakepeer_requests(stranger, "nodes"), 0);
	node_free(n);
	fakepeer_free(peer);
	fakepeer_free(stranger);
}
END_TEST

Suite *
feedpages_suite(void)
{
	Suite *s = suite_create("feedpages");
	TCase *tc;

	tc = tcase_create("pages");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_largest_documents_do_not_stall_the_glossary);
	tcase_add_test(tc, test_a_collection_that_fails_stops_no_other);
	suite_add_tcase(s, tc);

	tc = tcase_create("pings");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_back_to_back_changes_never_wait_for_the_gap);
	tcase_add_test(tc,
	    test_a_change_is_not_pinged_back_to_where_it_came_from);
	tcase_add_test(tc, test_ping_flood_with_nothing_new_is_spaced_by_the_gap);
	tcase_add_test(tc, test_ping_from_an_unknown_node_starts_no_pull);
	suite_add_tcase(s, tc);
	return s;
}
