/*
 * Federation between real nodes on 127.0.0.1: a hub and three regions
 * pinned as docs/protocol.md describes (the hub pins every region, each
 * region pins the hub as a hub).  What one region writes reaches the
 * others through the hub, signed by its origin and relayed byte for
 * byte; changes and tombstones follow; an erased member's data leaves
 * every database; feeds page and answer idle polls with a 304; an entry
 * taken out of a feed verifies with the stock xmlsec1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"
#include "web.h"
#include "pages.h"
#include "federation.h"

Suite	*federation_suite(void);

#define SETTLE_MS	15000	/* the most a change may take to arrive */

enum { HUB, NW, LONDON, SW, NNODES };

static struct node *net[NNODES];

static const char *const names[NNODES] = {
	"National hub", "North West node", "London node", "South West node"
};
static const char *const regions[NNODES] = {
	"National", "North West", "London", "South West"
};

/* The hub pins every region; every region pins the hub, as a hub. */
static void
net_up(void)
{
	ck_assert_int_eq(network_up(net, NNODES, 1, names, regions,
	    "sync_interval = 2"), 0);
}

static void
net_down(void)
{
	network_down(net, NNODES);
}

/* Waits for a query to answer true on every node. */
static void
everywhere(const char *sql, const char *param)
{
	int i;

	for (i = 0; i < NNODES; i++)
		ck_assert_msg(node_wait(net[i], sql, param, SETTLE_MS),
		    "%s never saw: %s (%s)", names[i], sql, param);
}

static char *
origin_of(struct node *n)
{
	char *id = node_sql(n, "SELECT id FROM node", NULL);

	ck_assert_ptr_nonnull(id);
	return id;
}

/* A published event on n; its id (malloc'd). */
static char *
add_event(struct node *n, const char *title)
{
	char *id = node_sql(n, "INSERT INTO events (id, origin, title, kind,"
	    " starts, ends, region, status, venue) VALUES (gen_random_uuid(),"
	    " (SELECT id FROM node), $1, 'workshop', now() + interval '30 days',"
	    " now() + interval '30 days 2 hours', (SELECT region FROM node),"
	    " 'published', 'Town hall') RETURNING id", title);

	ck_assert_ptr_nonnull(id);
	return id;
}

static char *
add_member(struct node *n, const char *name, int listed)
{
	char *id;

	id = node_sql(n, listed ? "INSERT INTO members (id, origin, name,"
	    " stakeholder, region, organisation, listed) VALUES"
	    " (gen_random_uuid(), (SELECT id FROM node), $1, 'gp',"
	    " (SELECT region FROM node), 'Riverside Practice', true)"
	    " RETURNING id" : "INSERT INTO members (id, origin, name,"
	    " stakeholder, region, listed) VALUES (gen_random_uuid(),"
	    " (SELECT id FROM node), $1, 'gp', (SELECT region FROM node),"
	    " false) RETURNING id", name);
	ck_assert_ptr_nonnull(id);
	return id;
}

START_TEST(test_identity_is_served)
{
	struct client *c;
	struct resp *r;
	struct stat st;
	EVP_PKEY *key;
	char fp[FED_FP_LEN + 1], *keygen_fp, *id, path[600];
	struct node *n = node_new("Identity node", "region = London");

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	/* The private key is the service's alone. */
	snprintf(path, sizeof(path), "%.*s.key", (int)strlen(n->conf) - 5,
	    n->conf);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	c = client_new(n);
	r = http_get(c, "/federation/key.pem");
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "Content-Type: application/x-pem-file"));
	ck_assert_ptr_nonnull(key = fed_pem_key(r->body));
	ck_assert_int_eq(fed_fingerprint(key, fp), 0);
	EVP_PKEY_free(key);
	resp_free(r);
	keygen_fp = node_fingerprint(n);
	ck_assert_str_eq(fp, keygen_fp);
	r = http_get(c, "/federation/service");
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "Content-Type: application/atomsvc+xml"));
	id = origin_of(n);
	ck_assert(resp_has(r, id));
	ck_assert(resp_has(r, fp));
	ck_assert(resp_has(r, "region=\"London\""));
	ck_assert(resp_has(r, "/feeds/members\""));
	ck_assert(resp_has(r, "/feeds/glossary\""));
	ck_assert(resp_has(r, "/feeds/nodes\""));
	ck_assert(resp_has(r, "/federation/inbox\""));
	ck_assert(resp_has(r, "<app:accept>application/atom+xml;type=entry"
	    "</app:accept>"));
	resp_free(r);
	free(id);
	free(keygen_fp);
	client_free(c);
	node_free(n);
}
END_TEST

START_TEST(test_wrong_fingerprint_is_refused)
{
	struct node *a = node_new("Pinning node", NULL);
	struct node *b = node_new("Pinned node", NULL);
	char *argv_fp = "00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff", *a_id, *ping;
	struct resp *r;
	struct client *c;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(node_serve(a), 0);
	ck_assert_int_eq(node_serve(b), 0);
	ck_assert_int_eq(node_run(a, "peer", "add", b->url, "--fingerprint",
	    argv_fp, NULL), 1);
	ck_assert_int_eq(node_num(a, "SELECT count(*) FROM peers", NULL), 0);
	ck_assert_int_eq(node_num(a, "SELECT count(*) FROM node_keys", NULL),
	    0);
	/*
	 * A ping to b from a node that is not b's peer changes nothing
	 * there (no peer made, no pull of its one peer moved), and is
	 * answered as any ping is: it tells nobody who the peers are.
	 */
	ck_assert_int_eq(node_peer(b, a, 0), 0);
	c = client_new(b);
	r = http_post_raw(c, "/federation/ping", "node=urn:uuid:"
	    "00000000-0000-4000-8000-000000000000",
	    "application/x-www-form-urlencoded");
	ck_assert_int_eq(r->status, 202);
	ck_assert_int_eq(node_num(b, "SELECT count(*) FROM peers", NULL), 1);
	ck_assert_int_eq(node_num(b, "SELECT count(*) FROM peers"
	    " WHERE pinged IS NOT NULL", NULL), 0);
	resp_free(r);
	/* The same ping from that peer does ask for a pull. */
	ck_assert_ptr_nonnull(a_id = node_sql(a, "SELECT id FROM node",
	    NULL));
	ck_assert_int_ne(asprintf(&ping, "node=urn:uuid:%s", a_id), -1);
	r = http_post_raw(c, "/federation/ping", ping,
	    "application/x-www-form-urlencoded");
	ck_assert_int_eq(r->status, 202);
	ck_assert_int_eq(node_num(b, "SELECT count(*) FROM peers"
	    " WHERE pinged IS NOT NULL", NULL), 1);
	resp_free(r);
	free(ping);
	free(a_id);
	client_free(c);
	node_free(a);
	node_free(b);
}
END_TEST

START_TEST(test_network_converges)
{
#define AWKWARD	"E'Tab\\tand new line\\nand CR\\r, a backslash \\\\ and" \
	" \\\\N, caf\\u00e9'"
	char *ev, *member, *unlisted, *eval, *doc, *term, *lev, *nw_id, *saved;
	char *awkward;
	const char *p[1];

	net_up();
	ev = add_event(net[NW], "North West link worker forum");
	member = add_member(net[NW], "Dr Asha Patel", 1);
	unlisted = add_member(net[NW], "Private Person", 0);
	eval = node_sql(net[NW], "SELECT gen_random_uuid()", NULL);
	p[0] = eval;
	saved = node_sqlv(net[NW], "SELECT"
	    " acorn_evaluation_save($1, (SELECT id FROM node), 0,"
	    " '{\"title\": \"Walking groups in Bolton\", \"region\":"
	    " \"North West\", \"year\": 2024, \"design\": \"rct\","
	    " \"summary\": \"It helped.\", \"sample_size\": 120,"
	    " \"outcomes\": [{\"outcome\": \"wellbeing\", \"measure\":"
	    " \"WEMWBS\", \"direction\": \"improved\", \"figure\": \"+3\"}]}',"
	    " NULL, 'Rosa', 'First', NULL)", 1, p);
	ck_assert_ptr_nonnull(saved);
	free(saved);
	doc = node_sql(net[NW], "INSERT INTO documents (id, origin, slug,"
	    " title, category, body, tags) VALUES (gen_random_uuid(),"
	    " (SELECT id FROM node), 'getting-started', 'Getting started',"
	    " 'guide', 'Start *here*.', '{induction,tips}') RETURNING id",
	    NULL);
	term = node_sql(net[NW], "INSERT INTO glossary_terms (id, origin,"
	    " term, definition, synonyms) VALUES (gen_random_uuid(),"
	    " (SELECT id FROM node), 'Link worker', 'Connects people.',"
	    " '{care navigator,community connector}') RETURNING id", NULL);
	/* What COPY's text format would have had to escape, kept as it is. */
	awkward = node_sql(net[NW], "INSERT INTO glossary_terms (id, origin,"
	    " term, definition) VALUES (gen_random_uuid(), (SELECT id FROM"
	    " node), E'Back\\\\slash', " AWKWARD ") RETURNING id", NULL);
	lev = add_event(net[LONDON], "London evidence day");

	everywhere("SELECT EXISTS (SELECT 1 FROM events WHERE id = $1"
	    " AND title = 'North West link worker forum')", ev);
	everywhere("SELECT EXISTS (SELECT 1 FROM glossary_terms WHERE id = $1"
	    " AND term = E'Back\\\\slash' AND definition = " AWKWARD ")",
	    awkward);
	everywhere("SELECT EXISTS (SELECT 1 FROM members WHERE id = $1"
	    " AND name = 'Dr Asha Patel' AND listed)", member);
	everywhere("SELECT EXISTS (SELECT 1 FROM evaluations e JOIN"
	    " evaluation_outcomes o ON o.evaluation = e.id WHERE e.id = $1"
	    " AND o.outcome = 'wellbeing' AND o.figure = '+3')", eval);
	everywhere("SELECT EXISTS (SELECT 1 FROM documents WHERE id = $1"
	    " AND body = 'Start *here*.' AND tags = '{induction,tips}')", doc);
	everywhere("SELECT EXISTS (SELECT 1 FROM glossary_terms WHERE id = $1"
	    " AND synonyms = '{care navigator,community connector}')", term);
	everywhere("SELECT EXISTS (SELECT 1 FROM events WHERE id = $1)", lev);
	/* Every node knows the North West node by name, via the hub. */
	nw_id = origin_of(net[NW]);
	everywhere("SELECT EXISTS (SELECT 1 FROM known_nodes WHERE id = $1"
	    " AND name = 'North West node')", nw_id);
	/* An unlisted profile never leaves its node. */
	ck_assert_int_eq(node_num(net[SW], "SELECT count(*) FROM members"
	    " WHERE id = $1", unlisted), 0);
	ck_assert_int_eq(node_num(net[HUB], "SELECT count(*) FROM members"
	    " WHERE id = $1", unlisted), 0);
	/* Received rows are not republished as this node's own. */
	ck_assert_int_eq(node_num(net[SW], "SELECT count(*) FROM events"
	    " WHERE id = $1 AND origin = $1", ev), 0);
	ck_assert_int_eq(node_num(net[SW], "SELECT count(*) FROM events"
	    " WHERE pending AND origin <> (SELECT id FROM node)", NULL), 0);
	free(ev);
	free(member);
	free(unlisted);
	free(eval);
	free(doc);
	free(term);
	free(awkward);
	free(lev);
	free(nw_id);
	net_down();
#undef AWKWARD
}
END_TEST

START_TEST(test_relays_keep_the_origin_bytes)
{
	char *ev, *at_origin, *at_sw;

	net_up();
	ev = add_event(net[NW], "Byte for byte");
	everywhere("SELECT EXISTS (SELECT 1 FROM events WHERE id = $1)", ev);
	at_origin = node_sql(net[NW], "SELECT entry FROM events WHERE id = $1",
	    ev);
	at_sw = node_sql(net[SW], "SELECT entry FROM events WHERE id = $1",
	    ev);
	ck_assert_ptr_nonnull(at_origin);
	ck_assert_ptr_nonnull(at_sw);
	ck_assert_str_eq(at_origin, at_sw);
	ck_assert(strstr(at_sw, "<source>") != NULL);
	ck_assert(strstr(at_sw, "ds:Signature") != NULL ||
	    strstr(at_sw, "<Signature") != NULL);
	free(at_origin);
	free(at_sw);
	free(ev);
	net_down();
}
END_TEST

START_TEST(test_changes_and_tombstones_propagate)
{
	char *ev, *member, *doc;

	net_up();
	ev = add_event(net[NW], "First title");
	member = add_member(net[NW], "Erin Erased", 1);
	doc = node_sql(net[NW], "INSERT INTO documents (id, origin, slug,"
	    " title, category, body) VALUES (gen_random_uuid(),"
	    " (SELECT id FROM node), 'to-be-deleted', 'To be deleted',"
	    " 'guide', 'Soon gone.') RETURNING id", NULL);
	everywhere("SELECT EXISTS (SELECT 1 FROM events WHERE id = $1)", ev);
	everywhere("SELECT EXISTS (SELECT 1 FROM members WHERE id = $1)",
	    member);
	everywhere("SELECT EXISTS (SELECT 1 FROM documents WHERE id = $1)",
	    doc);

	free(node_sql(net[NW], "UPDATE events SET title = 'Second title',"
	    " updated = now() WHERE id = $1 RETURNING id", ev));
	everywhere("SELECT EXISTS (SELECT 1 FROM events WHERE id = $1"
	    " AND title = 'Second title' AND version = 2)", ev);

	/* Cancelled, then deleted: a tombstone everywhere. */
	free(node_sql(net[NW], "UPDATE events SET deleted = true, title = NULL,"
	    " description = NULL, kind = NULL, starts = NULL, ends = NULL,"
	    " venue = NULL, region = NULL, updated = now() WHERE id = $1"
	    " RETURNING id", ev));
	everywhere("SELECT EXISTS (SELECT 1 FROM events WHERE id = $1"
	    " AND deleted AND title IS NULL AND entry LIKE '<at:deleted-entry%')",
	    ev);

	/* Erasing an account: the profile's data leaves every database. */
	free(node_sql(net[NW], "UPDATE members SET name = NULL,"
	    " organisation = NULL, role_title = NULL, stakeholder = NULL,"
	    " region = NULL, interests = NULL, bio = NULL, listed = false,"
	    " deleted = true, updated = now() WHERE id = $1 RETURNING id",
	    member));
	everywhere("SELECT EXISTS (SELECT 1 FROM members WHERE id = $1"
	    " AND deleted AND name IS NULL AND organisation IS NULL"
	    " AND entry NOT LIKE '%Erin%' AND entry NOT LIKE '%Riverside%')",
	    member);

	free(node_sql(net[NW], "UPDATE documents SET deleted = true,"
	    " title = NULL, category = NULL, body = '', updated = now()"
	    " WHERE id = $1 RETURNING id", doc));
	everywhere("SELECT EXISTS (SELECT 1 FROM documents WHERE id = $1"
	    " AND deleted) AND NOT EXISTS (SELECT 1 FROM document_revisions"
	    " WHERE document = $1 AND body LIKE 'Soon%')", doc);
	free(ev);
	free(member);
	free(doc);
	net_down();
}
END_TEST

/*
 * What a region writes is found by search on every node, through the
 * hub: a received glossary term by its synonym, a received document by
 * a word of its body; and after a change, by the new words and not the
 * old.  Received rows store their search words and their seq in the
 * merge's own statement, so this is what proves those are right.
 */
static void
found_on_sw(const char *path, const char *text, int want)
{
	struct client *anon = client_new(net[SW]);
	struct resp *r = http_get(anon, path);

	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(resp_has(r, text) == want, "%s %s \"%s\"", path,
	    want ? "does not show" : "still shows", text);
	resp_free(r);
	client_free(anon);
}

/*
 * A report and a referral outcome made on South West about North West's
 * listing svc (of organisation org) reach North West, which looks after
 * it: the report its managers' mail and its coordinators' queue, the
 * outcome its figures; neither names who made it, each is taken once
 * however often it comes, and one node's reports about one listing are
 * limited.
 */
static void
directory_notes_reach_home(const char *svc, const char *org)
{
	struct client *anon = client_new(net[SW]), *member, *coord;
	char *sw_id, *pw, *coord_pw, page[128], action[128];
	struct resp *r;
	const char *p[2];
	int i;

	pw = node_user_add(net[NW], "notes.manager@example.org", "member");
	coord_pw = node_user_add(net[NW], "notes.coord@example.org",
	    "coordinator");
	free(node_sql(net[NW], "INSERT INTO organisation_managers"
	    " (organisation, account) SELECT $1::uuid, id FROM accounts"
	    " WHERE email = 'notes.manager@example.org' RETURNING 1", org));
	sw_id = node_sql(net[SW], "SELECT id FROM node", NULL);
	p[0] = svc;
	p[1] = sw_id;

	/* Reported by a visitor on South West: sent, not kept there. */
	snprintf(page, sizeof(page), "/services/%s/report", svc);
	r = form_post(anon, page, page, "topic", "phone", "details",
	    "The number rings out.", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "This listing comes from North West node"));
	resp_free(r);
	ck_assert_int_eq(node_num(net[SW], "SELECT count(*) FROM"
	    " service_reports", NULL), 0);
	ck_assert_msg(node_waitv(net[NW], "SELECT EXISTS (SELECT 1 FROM"
	    " service_reports WHERE service = $1::uuid AND topic = 'phone'"
	    " AND details = 'The number rings out.' AND account IS NULL"
	    " AND from_node = $2::uuid AND resolved IS NULL)", 2, p,
	    SETTLE_MS), "the report never reached the listing's home");
	ck_assert(node_wait(net[SW], "SELECT NOT EXISTS (SELECT 1 FROM"
	    " directory_notes)", NULL, SETTLE_MS));
	ck_assert_int_eq(node_num(net[NW], "SELECT count(*) FROM outbox"
	    " WHERE recipient = 'notes.manager@example.org' AND subject ="
	    " 'A problem was reported with your listing' AND strpos(body,"
	    " 'Someone on South West node reported a problem with Shared"
	    " lunch club') > 0 AND strpos(body, 'The number rings out.') > 0",
	    NULL), 1);
	coord = client_as(net[NW], "notes.coord@example.org", coord_pw);
	r = http_get(coord, "/services/review");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "by someone on <span>South West node</span>"));
	ck_assert(resp_has(r, "The number rings out."));
	resp_free(r);

	/* A referral outcome: counted here and at home, naming nobody. */
	free(pw);
	pw = node_user_add(net[SW], "notes.worker@example.org", "member");
	member = client_as(net[SW], "notes.worker@example.org", pw);
	snprintf(page, sizeof(page), "/services/%s", svc);
	snprintf(action, sizeof(action), "/services/%s/outcome", svc);
	r = form_post(member, page, action, "outcome", "no_response", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(node_num(net[SW], "SELECT count(*) FROM"
	    " service_referrals WHERE outcome = 'no_response'"
	    " AND account IS NOT NULL", NULL), 1);
	ck_assert_msg(node_waitv(net[NW], "SELECT EXISTS (SELECT 1 FROM"
	    " service_referrals WHERE service = $1::uuid AND outcome ="
	    " 'no_response' AND account IS NULL AND from_node = $2::uuid)", 2,
	    p, SETTLE_MS), "the outcome never reached the listing's home");

	/* Sent again, taken once; a sixth report in a day, not at all. */
	ck_assert_int_eq(node_num(net[NW], "SELECT count(*) FROM"
	    " (SELECT acorn_directory_note(r.remote_id, r.from_node,"
	    " 'report', r.service, 'phone', 'Again', NULL) AS a"
	    " FROM service_reports r WHERE r.from_node IS NOT NULL) x"
	    " WHERE a = 'again'", NULL), 1);
	for (i = 0; i < 4; i++)
		free(node_sql(net[NW], "SELECT acorn_directory_note("
		    "gen_random_uuid(), from_node, 'report', service, 'other',"
		    " 'More', NULL) FROM service_reports WHERE from_node IS NOT"
		    " NULL LIMIT 1", NULL));
	ck_assert_int_eq(node_num(net[NW], "SELECT count(*) FROM"
	    " service_reports WHERE from_node IS NOT NULL", NULL), 5);
	snprintf(page, sizeof(page), "/services/%s/report", svc);
	r = form_post(anon, page, page, "topic", "hours", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	ck_assert(node_wait(net[SW], "SELECT attempts > 0 AND strpos("
	    "last_error, 'answered 429') > 0 FROM directory_notes", NULL,
	    SETTLE_MS));
	ck_assert_int_eq(node_num(net[NW], "SELECT count(*) FROM"
	    " service_reports WHERE from_node IS NOT NULL", NULL), 5);
	free(node_sql(net[SW], "DELETE FROM directory_notes RETURNING 1",
	    NULL));

	client_free(coord);
	client_free(member);
	client_free(anon);
	free(coord_pw);
	free(pw);
	free(sw_id);
}

/*
 * A region's directory reaches every node: its organisation, place and
 * service, freshness and all, found there by need and shown as the
 * other region's; a change follows, and deleting it at home removes it
 * everywhere by its tombstone.
 */
START_TEST(test_directory_of_services_is_shared_with_tombstones)
{
	struct client *c;
	struct resp *r;
	char *org, *place, *svc, *term, *code, path[96];
	int i;

	net_up();
	org = node_sql(net[NW], "INSERT INTO organisations (id, origin, name,"
	    " description) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'Shared Friends', 'A charity that shares.') RETURNING id", NULL);
	place = node_sql(net[NW], "INSERT INTO locations (id, origin,"
	    " organisation, name, location_type, address_1, city,"
	    " postal_code, country, latitude, longitude) VALUES"
	    " (gen_random_uuid(), (SELECT id FROM node), $1::uuid,"
	    " 'Shared Hall', 'physical', '3 Mill Lane', 'Bolton', 'BL1 2BF',"
	    " 'GB', 53.59, -2.43) RETURNING id", org);
	/*
	 * A need of North West's own, and one of South West's of the same
	 * name and code: North West's reaches South West with the listing,
	 * under a code of its own.
	 */
	term = node_sql(net[NW], "INSERT INTO taxonomy_terms (id, code, name,"
	    " description, local) VALUES (gen_random_uuid(), 'dog_walking',"
	    " 'Dog walking', 'Walks with dogs, for company.', true)"
	    " RETURNING id", NULL);
	free(node_sql(net[SW], "INSERT INTO taxonomy_terms (id, code, name,"
	    " description, local) VALUES (gen_random_uuid(), 'dog_walking',"
	    " 'Dog walking', 'Our own.', true) RETURNING id", NULL));
	svc = node_sql(net[NW], "INSERT INTO services (id, origin,"
	    " organisation, name, description, status, terms, schedules,"
	    " locations, assured_date, assured_by) SELECT gen_random_uuid(),"
	    " (SELECT id FROM node), o.id, 'Shared lunch club',"
	    " 'Lunch, shared.', 'active', ARRAY[acorn_term_id('befriending'),"
	    " (SELECT id FROM taxonomy_terms WHERE code = 'dog_walking')],"
	    " '[{\"freq\":\"WEEKLY\",\"byday\":\"TU\",\"opens_at\":"
	    "\"12:00\",\"closes_at\":\"14:00\"}]', ARRAY[l.id],"
	    " current_date - 21, 'organisation' FROM organisations o,"
	    " locations l WHERE o.id = $1::uuid AND l.organisation = o.id"
	    " RETURNING id", org);
	ck_assert_ptr_nonnull(place);
	ck_assert_ptr_nonnull(svc);
	everywhere("SELECT EXISTS (SELECT 1 FROM services WHERE id = $1"
	    " AND name = 'Shared lunch club' AND assured_by = 'organisation'"
	    " AND schedules->0->>'byday' = 'TU')", svc);
	everywhere("SELECT EXISTS (SELECT 1 FROM locations WHERE id = $1"
	    " AND postal_code = 'BL1 2BF' AND latitude = 53.59)", place);
	everywhere("SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1"
	    " AND name = 'Shared Friends')", org);
	everywhere("SELECT EXISTS (SELECT 1 FROM taxonomy_terms WHERE id = $1"
	    " AND name = 'Dog walking')", term);
	code = node_sql(net[SW], "SELECT t.code FROM taxonomy_terms t"
	    " JOIN known_nodes k ON k.id = t.origin WHERE t.id = $1::uuid"
	    " AND k.name = 'North West node' AND NOT t.local", term);
	ck_assert_ptr_nonnull(code);
	ck_assert_str_ne(code, "dog_walking");
	ck_assert_int_eq(strncmp(code, "dog_walking_", 12), 0);
	/* Found on South West by its need, as North West's, as fresh. */
	c = client_new(net[SW]);
	snprintf(path, sizeof(path), "/services?need=%s", code);
	r = http_get(c, path);
	ck_assert(resp_has(r, "Shared lunch club"));
	resp_free(r);
	r = http_get(c, "/services?need=dog_walking");
	ck_assert(!resp_has(r, "Shared lunch club"));
	resp_free(r);
	r = http_get(c, "/services?need=befriending");
	ck_assert(resp_has(r, "Shared lunch club"));
	ck_assert(resp_has(r, "Checked 3 weeks ago by the organisation"));
	ck_assert(resp_has(r, "North West node"));
	resp_free(r);
	snprintf(path, sizeof(path), "/services/%s", svc);
	r = http_get(c, path);
	ck_assert(resp_has(r, "Every Tuesday, 12pm to 2pm"));
	ck_assert(resp_has(r, "Shared Hall"));
	ck_assert(!resp_has(r, "Yes, it is still correct"));
	resp_free(r);
	/* Confirmed at home: the new date travels. */
	free(node_sql(net[NW], "SELECT acorn_service_assure($1::uuid, NULL,"
	    " 'coordinator')::text", svc));
	everywhere("SELECT EXISTS (SELECT 1 FROM services WHERE id = $1"
	    " AND assured_date = current_date AND assured_by = 'coordinator')",
	    svc);
	client_free(c);
	directory_notes_reach_home(svc, org);

	/* Deleted at home: gone everywhere, its tombstone kept. */
	c = client_new(net[SW]);
	free(node_sql(net[NW], "UPDATE services SET deleted = true,"
	    " name = NULL, description = NULL, status = NULL WHERE id = $1"
	    " RETURNING id", svc));
	everywhere("SELECT EXISTS (SELECT 1 FROM services WHERE id = $1"
	    " AND deleted AND name IS NULL"
	    " AND entry LIKE '<at:deleted-entry%')", svc);
	for (i = 0; i < 2; i++) {
		r = http_get(c, "/services?need=befriending");
		ck_assert(!resp_has(r, "Shared lunch club"));
		resp_free(r);
	}
	client_free(c);
	free(org);
	free(place);
	free(svc);
	free(term);
	free(code);
}
END_TEST

START_TEST(test_received_records_are_found_by_search)
{
	char *term, *doc;

	net_up();
	term = node_sql(net[NW], "INSERT INTO glossary_terms (id, origin,"
	    " term, definition, synonyms) VALUES (gen_random_uuid(),"
	    " (SELECT id FROM node), 'Wellbeing walk', 'A guided walk in a"
	    " group.', ARRAY['strolling club']) RETURNING id", NULL);
	doc = node_sql(net[NW], "INSERT INTO documents (id, origin, slug,"
	    " title, category, body) VALUES (gen_random_uuid(),"
	    " (SELECT id FROM node), 'orchard-guide', 'Orchard guide',"
	    " 'guide', 'Volunteers planted quinces together.') RETURNING id",
	    NULL);
	everywhere("SELECT EXISTS (SELECT 1 FROM glossary_terms WHERE id = $1"
	    " AND NOT pending)", term);
	everywhere("SELECT EXISTS (SELECT 1 FROM documents WHERE id = $1"
	    " AND NOT pending)", doc);
	found_on_sw("/glossary?q=strolling+club", "Wellbeing walk", 1);
	found_on_sw("/search?q=quinces", "Orchard guide", 1);

	free(node_sql(net[NW], "UPDATE glossary_terms SET synonyms ="
	    " ARRAY['rambling group'], updated = now() WHERE id = $1"
	    " RETURNING id", term));
	free(node_sql(net[NW], "UPDATE documents SET body = 'Volunteers"
	    " planted medlars together.', revision = 2, updated = now()"
	    " WHERE id = $1 RETURNING id", doc));
	everywhere("SELECT EXISTS (SELECT 1 FROM glossary_terms WHERE id = $1"
	    " AND 'rambling group' = ANY (synonyms))", term);
	everywhere("SELECT EXISTS (SELECT 1 FROM documents WHERE id = $1"
	    " AND body LIKE '%medlars%')", doc);
	found_on_sw("/glossary?q=rambling+group", "Wellbeing walk", 1);
	found_on_sw("/glossary?q=strolling+club", "Wellbeing walk", 0);
	found_on_sw("/search?q=medlars", "Orchard guide", 1);
	found_on_sw("/search?q=quinces", "Orchard guide", 0);
	/* The words stored are the words the node's own writes would get. */
	ck_assert_int_eq(node_num(net[SW], "SELECT count(*) FROM"
	    " glossary_terms WHERE search IS DISTINCT FROM"
	    " acorn_glossary_words(term, synonyms, definition)", NULL), 0);
	ck_assert_int_eq(node_num(net[SW], "SELECT count(*) FROM documents"
	    " WHERE search IS DISTINCT FROM acorn_document_words(title, tags,"
	    " body)", NULL), 0);
	free(term);
	free(doc);
	net_down();
}
END_TEST

START_TEST(test_unlisting_withdraws_a_profile)
{
	char *member;

	net_up();
	member = add_member(net[LONDON], "Una Unlisted", 1);
	everywhere("SELECT EXISTS (SELECT 1 FROM members WHERE id = $1"
	    " AND name = 'Una Unlisted')", member);
	free(node_sql(net[LONDON], "UPDATE members SET listed = false"
	    " WHERE id = $1 RETURNING id", member));
	ck_assert(node_wait(net[SW], "SELECT EXISTS (SELECT 1 FROM members"
	    " WHERE id = $1 AND deleted AND name IS NULL)", member,
	    SETTLE_MS));
	ck_assert(node_wait(net[HUB], "SELECT EXISTS (SELECT 1 FROM members"
	    " WHERE id = $1 AND deleted AND name IS NULL)", member,
	    SETTLE_MS));
	/* At home the profile stays, unlisted. */
	ck_assert_int_eq(node_num(net[LONDON], "SELECT count(*) FROM members"
	    " WHERE id = $1 AND name = 'Una Unlisted' AND NOT listed",
	    member), 1);
	free(member);
	net_down();
}
END_TEST

/* Counts a string's occurrences. */
static int
count_of(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

START_TEST(test_feeds_page_for_peers)
{
	struct node *n = node_new("Paging node", NULL);
	struct client *c;
	struct resp *r;
	char path[256], etag[128], header[200], *p, *next;
	int total = 0, pages = 0;

	ck_assert_ptr_nonnull(n);
	free(node_sql(n, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) SELECT gen_random_uuid(), (SELECT id FROM node),"
	    " 'Term ' || g, 'Meaning ' || g FROM generate_series(1, 450) g"
	    " RETURNING 1", NULL));
	ck_assert_int_eq(node_serve(n), 0);
	c = client_new(n);
	snprintf(path, sizeof(path), "/feeds/glossary?after=0");
	for (;;) {
		r = http_get(c, path);
		ck_assert_int_eq(r->status, 200);
		pages++;
		total += count_of(r->body, "<entry ");
		ck_assert(resp_has(r, "<acorn:cursor>"));
		p = strstr(r->body, "rel=\"next\"");
		if (p == NULL) {
			resp_free(r);
			break;
		}
		ck_assert_int_eq(count_of(r->body, "<entry "), 200);
		next = strstr(p, "/feeds/glossary?after=");
		ck_assert_ptr_nonnull(next);
		snprintf(path, sizeof(path), "%.*s", (int)strcspn(next, "\""),
		    next);
		resp_free(r);
		ck_assert_int_lt(pages, 10);
	}
	ck_assert_int_eq(pages, 3);
	ck_assert_int_eq(total, 450);

	/* An idle poll: the same page again costs a 304 and no body. */
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	p = strstr(r->headers, "ETag: ");
	ck_assert_ptr_nonnull(p);
	snprintf(etag, sizeof(etag), "%.*s", (int)strcspn(p + 6, "\r\n"),
	    p + 6);
	resp_free(r);
	snprintf(header, sizeof(header), "If-None-Match: %s", etag);
	client_header(c, header);
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 304);
	ck_assert_int_eq((int)r->len, 0);
	resp_free(r);
	/* Something new: the poll gets it. */
	free(node_sql(n, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'Newest', 'Just added') RETURNING 1", NULL));
	node_barrier(n, "acorn_data");
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Newest"));
	resp_free(r);
	r = http_get(c, "/feeds/glossary?after=-1");
	ck_assert_int_eq(r->status, 400);
	resp_free(r);
	r = http_get(c, "/feeds/accounts");
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	client_free(c);
	node_free(n);
}
END_TEST

/*
 * A puller keeps the ETag of the last page it merged and polls next from
 * that page's cursor: with nothing new, that poll is a 304, not a page
 * without entries.
 */
START_TEST(test_poll_after_the_last_page_costs_a_304)
{
	struct node *n = node_new("Polled node", NULL);
	struct client *c;
	struct resp *r;
	char path[128], etag[128], header[200], *p;
	long cursor;

	ck_assert_ptr_nonnull(n);
	free(node_sql(n, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) SELECT gen_random_uuid(), (SELECT id FROM node),"
	    " 'Term ' || g, 'Meaning ' || g FROM generate_series(1, 3) g"
	    " RETURNING 1", NULL));
	ck_assert_int_eq(node_serve(n), 0);
	c = client_new(n);
	r = http_get(c, "/feeds/glossary?after=0");
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(count_of(r->body, "<entry "), 3);
	ck_assert_ptr_null(strstr(r->body, "rel=\"next\""));
	p = strstr(r->body, "<acorn:cursor>");
	ck_assert_ptr_nonnull(p);
	cursor = strtol(p + 14, NULL, 10);
	p = strstr(r->headers, "ETag: ");
	ck_assert_ptr_nonnull(p);
	snprintf(etag, sizeof(etag), "%.*s", (int)strcspn(p + 6, "\r\n"),
	    p + 6);
	resp_free(r);

	snprintf(header, sizeof(header), "If-None-Match: %s", etag);
	client_header(c, header);
	snprintf(path, sizeof(path), "/feeds/glossary?after=%ld", cursor);
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 304);
	ck_assert_int_eq((int)r->len, 0);
	resp_free(r);

	/* Something new: the same poll gets it. */
	free(node_sql(n, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'Newest', 'Just added') RETURNING 1", NULL));
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(count_of(r->body, "<entry "), 1);
	ck_assert(resp_has(r, "Newest"));
	resp_free(r);
	client_free(c);
	node_free(n);
}
END_TEST

START_TEST(test_reader_feed_has_no_private_data)
{
	struct node *n = node_new("Reader node", NULL);
	struct client *c;
	struct resp *r;

	ck_assert_ptr_nonnull(n);
	free(add_member(n, "Listed Lucy", 1));
	free(add_member(n, "Hidden Harry", 0));
	free(node_sql(n, "INSERT INTO events (id, origin, title, kind, starts,"
	    " ends, region, status, organiser_email) VALUES (gen_random_uuid(),"
	    " (SELECT id FROM node), 'Draft only', 'workshop', now(),"
	    " now() + interval '1 hour', 'London', 'draft',"
	    " 'organiser@example.org') RETURNING 1", NULL));
	ck_assert_int_eq(node_serve(n), 0);
	c = client_new(n);
	r = http_get(c, "/feeds/members");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Listed Lucy"));
	ck_assert(!resp_has(r, "Hidden Harry"));
	ck_assert(!resp_has(r, "@"));
	resp_free(r);
	r = http_get(c, "/feeds/events?after=0");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Draft only"));
	ck_assert(!resp_has(r, "organiser@example.org"));
	resp_free(r);
	client_free(c);
	node_free(n);
}
END_TEST

/* Writes len bytes of text to path; 0 on success. */
static int
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (f == NULL)
		return -1;
	rc = fwrite(text, 1, len, f) == len ? 0 : -1;
	return fclose(f) == 0 ? rc : -1;
}

/* 0 when the stock xmlsec1 verifies file with key, -1 when not. */
static int
xmlsec1_verify(const char *key, const char *file)
{
	char *argv[] = { "xmlsec1", "--verify", "--pubkey-pem", (char *)key,
	    (char *)file, NULL };
	char *out = harness_run(argv);

	free(out);
	return out != NULL ? 0 : -1;
}

/*
 * docs/protocol.md: "An entry taken out of any feed verifies with the
 * stock tool."  An entry cut out of a node's feed for peers, byte for
 * byte, verifies with xmlsec1 and the key the node serves; one byte
 * changed, it does not.
 */
START_TEST(test_feed_entry_verifies_with_stock_xmlsec1)
{
	struct node *n = node_new("Interop node", NULL);
	struct client *c;
	struct resp *r;
	char key[600], entry[600], *ev, *start, *end, *changed, *at;
	size_t len;

	ck_assert_ptr_nonnull(n);
	ev = add_event(n, "Stock tool check");
	ck_assert_int_eq(node_serve(n), 0);
	snprintf(key, sizeof(key), "%s.pub.pem", n->conf);
	snprintf(entry, sizeof(entry), "%s.entry.xml", n->conf);
	c = client_new(n);
	r = http_get(c, "/federation/key.pem");
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(write_file(key, r->body, r->len), 0);
	resp_free(r);

	r = http_get(c, "/feeds/events?after=0");
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(at = strstr(r->body, ev));
	/* The entry around the event's id, from "<entry " to "</entry>". */
	for (start = at; start > r->body && strncmp(start, "<entry ", 7) != 0;
	    start--)
		;
	ck_assert(strncmp(start, "<entry ", 7) == 0);
	ck_assert_ptr_nonnull(end = strstr(at, "</entry>"));
	len = (size_t)(end + strlen("</entry>") - start);
	ck_assert_int_eq(write_file(entry, start, len), 0);
	ck_assert_int_eq(xmlsec1_verify(key, entry), 0);

	/* One byte of the title changed. */
	ck_assert_ptr_nonnull(changed = strndup(start, len));
	ck_assert_ptr_nonnull(at = strstr(changed, "Stock tool check"));
	at[0] = 's';
	ck_assert_int_eq(write_file(entry, changed, len), 0);
	ck_assert_int_ne(xmlsec1_verify(key, entry), 0);
	free(changed);
	resp_free(r);
	unlink(entry);
	unlink(key);
	client_free(c);
	free(ev);
	node_free(n);
}
END_TEST

Suite *
federation_suite(void)
{
	Suite *s = suite_create("federation");
	TCase *tc = tcase_create("federation");

	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_identity_is_served);
	tcase_add_test(tc, test_wrong_fingerprint_is_refused);
	tcase_add_test(tc, test_feeds_page_for_peers);
	tcase_add_test(tc, test_poll_after_the_last_page_costs_a_304);
	tcase_add_test(tc, test_reader_feed_has_no_private_data);
	tcase_add_test(tc, test_feed_entry_verifies_with_stock_xmlsec1);
	tcase_add_test(tc, test_network_converges);
	tcase_add_test(tc, test_relays_keep_the_origin_bytes);
	tcase_add_test(tc, test_changes_and_tombstones_propagate);
	tcase_add_test(tc, test_unlisting_withdraws_a_profile);
	tcase_add_test(tc, test_received_records_are_found_by_search);
	tcase_add_test(tc, test_directory_of_services_is_shared_with_tombstones);
	suite_add_tcase(s, tc);
	return s;
}
