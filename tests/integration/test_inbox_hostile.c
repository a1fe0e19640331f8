/*
 * The inbox under attack.  A fake peer, pinned by a real host node so
 * that its key is trusted, posts forged, replayed, wrongly signed and
 * malformed registrations and outcomes to POST /federation/inbox.  Each
 * must get the answer a peer is owed, leave the host's registrations,
 * requests, answers and mail exactly as they were, and leave the node
 * serving; an honest request sent again must count once and be answered
 * the same.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>

#include "harness.h"
#include "fakepeer.h"
#include "federation.h"

Suite	*inbox_hostile_suite(void);

#define SETTLE_MS	20000	/* the most a pull may take */
#define INBOX		"/federation/inbox"
#define ENTRY_TYPE	"application/atom+xml;type=entry"

/* A host holding a published event with one place, and a pinned peer. */
static struct {
	struct node	*host;
	struct fakepeer	*peer;
	char		*host_id;
	char		*host_fp;
	char		*host_pem;
	char		*coord_pw;
	char		*event;
	char		*place;
} scene;

static void
scene_up(void)
{
	struct client *c;
	struct resp *r;

	/* outcome_of checks the host's answers with the federation library. */
	ck_assert_int_eq(fed_init(), 0);
	scene.host = node_new("Host node", NULL);
	ck_assert_ptr_nonnull(scene.host);
	ck_assert_int_eq(node_serve(scene.host), 0);
	scene.host_id = node_text(scene.host, "SELECT id FROM node", NULL);
	ck_assert_ptr_nonnull(scene.host_fp = node_fingerprint(scene.host));
	c = client_new(scene.host);
	r = http_get(c, "/federation/key.pem");
	ck_assert_int_eq(r->status, 200);
	scene.host_pem = strdup(r->body);
	resp_free(r);
	client_free(c);
	scene.coord_pw = node_user_add(scene.host, "coord@host.example.org",
	    "coordinator");
	ck_assert_ptr_nonnull(scene.coord_pw);
	c = client_as(scene.host, "coord@host.example.org", scene.coord_pw);
	scene.event = event_new_published(c, "National conference", "1");
	ck_assert_ptr_nonnull(scene.event);
	client_free(c);
	scene.place = node_text(scene.host, "SELECT id FROM place_types"
	    " WHERE event = $1 AND ref IS NULL", scene.event);
	scene.peer = fakepeer_new("North West node");
	ck_assert_int_eq(fakepeer_pin(scene.host, scene.peer, 0), 0);
	ck_assert_int_eq(node_num(scene.host, "SELECT count(*) FROM node_keys"
	    " WHERE fingerprint = $1", scene.peer->fingerprint), 1);
}

static void
scene_down(void)
{
	node_free(scene.host);
	fakepeer_free(scene.peer);
	free(scene.host_id);
	free(scene.host_fp);
	free(scene.host_pem);
	free(scene.coord_pw);
	free(scene.event);
	free(scene.place);
	memset(&scene, 0, sizeof(scene));
}

/* A request of the peer's for the scene's event; id must be set. */
static char *
request(const char *id, int version, const char *state)
{
	struct fake_request q = { 0 };

	q.id = id;
	q.version = version;
	q.event = scene.event;
	q.state = state;
	q.place = scene.place;
	return fake_request(scene.peer, &q);
}

static struct resp *
inbox_post_as(struct client *c, const char *body, size_t len,
    const char *type)
{
	struct resp *r = http_post_bytes(c, INBOX, body, len, type);

	ck_assert_ptr_nonnull(r);
	return r;
}

static struct resp *
inbox_post(const char *body)
{
	struct client *c = client_new(scene.host);
	struct resp *r = inbox_post_as(c, body, strlen(body), ENTRY_TYPE);

	client_free(c);
	return r;
}

/* Posts body and expects status, with why in the answer when given. */
static void
refused_as(const char *body, size_t len, const char *type, long status,
    const char *why)
{
	struct client *c = client_new(scene.host);
	struct resp *r = inbox_post_as(c, body, len, type);

	ck_assert_msg(r->status == status && (why == NULL ||
	    resp_has(r, why)), "wanted %ld (%s), the host answered %ld: %s",
	    status, why != NULL ? why : "", r->status, r->body);
	ck_assert(!header_has(r, "application/atom+xml"));
	resp_free(r);
	client_free(c);
}

static void
refused(const char *body, long status, const char *why)
{
	refused_as(body, strlen(body), ENTRY_TYPE, status, why);
}

/* The host's key, the only one its answers may be signed with. */
static char *
host_key(void *arg, const char *fingerprint, char node[FED_UUID_LEN + 1])
{
	(void)arg;
	if (strcmp(fingerprint, scene.host_fp) != 0)
		return NULL;
	snprintf(node, FED_UUID_LEN + 1, "%s", scene.host_id);
	return strdup(scene.host_pem);
}

struct outcome {
	char	status[16];
	char	what[32];
};

/* The outcome the host answered for a request, verified as a peer would. */
static struct outcome
outcome_of(const struct resp *r, const char *request_id)
{
	struct outcome o;
	struct fed_record rec;
	xmlDocPtr doc;
	const char *why = NULL, *v;
	char signer[FED_UUID_LEN + 1], urn[64], *canonical = NULL;

	ck_assert_msg(r->status == 200, "the host answered %ld: %s",
	    r->status, r->body);
	ck_assert(header_has(r, "Content-Type: " ENTRY_TYPE));
	doc = fed_parse(r->body, r->len, &why);
	ck_assert_msg(doc != NULL, "the answer does not parse: %s", why);
	ck_assert_msg(fed_verify(doc, host_key, NULL, signer, &canonical,
	    &why) == 0, "the answer is not signed by the host: %s", why);
	ck_assert_int_eq(fed_record_read(doc, &rec, &why), 0);
	ck_assert_str_eq(rec.kind, "outcome");
	ck_assert_str_eq(rec.origin, scene.host_id);
	snprintf(urn, sizeof(urn), "urn:uuid:%s", request_id);
	ck_assert_ptr_nonnull(v = fed_field(&rec, "registration"));
	ck_assert_str_eq(v, urn);
	ck_assert_ptr_nonnull(v = fed_field(&rec, "status"));
	snprintf(o.status, sizeof(o.status), "%s", v);
	ck_assert_ptr_nonnull(v = fed_field(&rec, "what"));
	snprintf(o.what, sizeof(o.what), "%s", v);
	fed_record_free(&rec);
	free(canonical);
	xmlFreeDoc(doc);
	return o;
}

/* Posts a request and expects the outcome status and what. */
static void
answered(const char *body, const char *request_id, const char *status,
    const char *what)
{
	struct resp *r = inbox_post(body);
	struct outcome o = outcome_of(r, request_id);

	ck_assert_str_eq(o.status, status);
	ck_assert_str_eq(o.what, what);
	resp_free(r);
}

/*
 * What a refused entry must leave as it was.  people: who is registered
 * for what, with which answers, the mail owed, the places taken and any
 * record the inbox might have been tricked into storing.  requests: what
 * the host owes other nodes, less the courier's own bookkeeping.
 */
struct snapshot {
	char	*people;
	char	*requests;
};

static void
snap(struct snapshot *s)
{
	s->people = node_text(scene.host, "SELECT concat_ws(' | ',"
	    " (SELECT count(*) FROM registrations),"
	    " (SELECT string_agg(concat_ws(',', id, event, place_type,"
	    "  status, name, email, home, places), ';' ORDER BY id)"
	    "  FROM registrations),"
	    " (SELECT count(*) FROM answers),"
	    " (SELECT string_agg(concat_ws(',', registration, question, value),"
	    "  ';' ORDER BY registration, question) FROM answers),"
	    " (SELECT count(*) FROM outbox),"
	    " (SELECT string_agg(concat_ws(',', id, event, ref, capacity,"
	    "  taken), ';' ORDER BY id) FROM place_types),"
	    " (SELECT string_agg(concat_ws(',', id, status, outcome), ';'"
	    "  ORDER BY id) FROM away_registrations),"
	    " (SELECT count(*) FROM events),"
	    " (SELECT count(*) FROM glossary_terms),"
	    " (SELECT count(*) FROM members))", NULL);
	s->requests = node_text(scene.host, "SELECT concat_ws(' | ',"
	    " (SELECT count(*) FROM inbox_requests),"
	    " (SELECT string_agg(concat_ws(',', home, request, version, event,"
	    "  registration, what, out_version), ';' ORDER BY home, request)"
	    "  FROM inbox_requests))", NULL);
}

static void
snap_free(struct snapshot *s)
{
	free(s->people);
	free(s->requests);
}

static void
compare(const struct snapshot *before, int requests_too)
{
	struct snapshot now;

	snap(&now);
	ck_assert_msg(strcmp(before->people, now.people) == 0,
	    "the host changed:\n  before %s\n  after  %s", before->people,
	    now.people);
	ck_assert_msg(!requests_too || strcmp(before->requests,
	    now.requests) == 0, "the host's requests changed:\n  before %s\n"
	    "  after  %s", before->requests, now.requests);
	snap_free(&now);
}

/* Nobody's registration, answers, mail or places changed. */
static void
assert_people_unchanged(const struct snapshot *before)
{
	compare(before, 0);
}

/* Nothing changed at all. */
static void
assert_unchanged(const struct snapshot *before)
{
	compare(before, 1);
}

/* Still up: its health, and an event page. */
static void
assert_serving(void)
{
	char path[128];

	snprintf(path, sizeof(path), "/events/%s", scene.event);
	node_assert_serving(scene.host, path);
}

static long
host_num(const char *sql, const char *param)
{
	return node_num(scene.host, sql, param);
}

/* The peer's own event, pulled by the host: held there, not hosted. */
static char *
peer_event(void)
{
	struct fake_entry e = { 0 };
	char *id = fake_uuid(), *entry, *page;

	e.kind = "event";
	e.id = id;
	e.title = "The region's own forum";
	e.fields = "<acorn:title>The region's own forum</acorn:title>"
	    "<acorn:kind>regional_meeting</acorn:kind>"
	    "<acorn:starts>2031-05-01T09:00:00Z</acorn:starts>"
	    "<acorn:ends>2031-05-01T17:00:00Z</acorn:ends>"
	    "<acorn:region>North West</acorn:region>"
	    "<acorn:status>published</acorn:status>"
	    "<acorn:place ref=\"7\">In person</acorn:place>";
	entry = fake_entry(scene.peer, &e);
	page = fake_page(1, entry, NULL);
	fakepeer_serve(scene.peer, "events", page);
	ck_assert_int_eq(fakepeer_ping(scene.host, scene.peer), 202);
	ck_assert_msg(node_wait(scene.host, "SELECT count(*) = 1"
	    " FROM place_types WHERE event = $1 AND ref = 7", id, SETTLE_MS),
	    "the peer's event never reached the host");
	free(page);
	free(entry);
	return id;
}

START_TEST(test_honest_request_sent_twice_registers_once)
{
	char *id = fake_uuid(), *body = request(id, 1, NULL);
	struct snapshot before;
	struct resp *first, *again;

	first = inbox_post(body);
	ck_assert_str_eq(outcome_of(first, id).status, "confirmed");
	snap(&before);
	again = inbox_post(body);
	ck_assert_int_eq(again->status, 200);
	ck_assert_msg(again->len == first->len &&
	    memcmp(again->body, first->body, first->len) == 0,
	    "the same request got another answer:\n%s\n%s", first->body,
	    again->body);
	assert_unchanged(&before);
	ck_assert_int_eq(host_num("SELECT count(*) FROM registrations"
	    " WHERE home = $1 AND status = 'confirmed'", scene.peer->id), 1);
	ck_assert_int_eq(host_num("SELECT count(*) FROM inbox_requests"
	    " WHERE request = $1", id), 1);
	ck_assert_int_eq(host_num("SELECT taken FROM place_types WHERE id = $1",
	    scene.place), 1);
	/* The home node does the telling, never the host. */
	ck_assert_int_eq(host_num("SELECT count(*) FROM outbox", NULL), 0);
	resp_free(first);
	resp_free(again);
	snap_free(&before);
	free(body);
	free(id);
}
END_TEST

/* Requests let go together, as a courier's retries might arrive. */
struct racer {
	const char	*body;
	struct resp	*r;
};
static pthread_barrier_t gate;

static void *
race(void *arg)
{
	struct racer *x = arg;
	struct client *c = client_new(scene.host);

	pthread_barrier_wait(&gate);
	x->r = http_post_bytes(c, INBOX, x->body, strlen(x->body), ENTRY_TYPE);
	client_free(c);
	return NULL;
}

START_TEST(test_simultaneous_repeats_register_once)
{
	char *id = fake_uuid(), *body = request(id, 1, NULL);
	struct racer x[4];
	pthread_t t[4];
	int i;

	pthread_barrier_init(&gate, NULL, 4);
	for (i = 0; i < 4; i++) {
		x[i].body = body;
		x[i].r = NULL;
		ck_assert_int_eq(pthread_create(&t[i], NULL, race, &x[i]), 0);
	}
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&gate);
	for (i = 0; i < 4; i++) {
		ck_assert_ptr_nonnull(x[i].r);
		ck_assert_str_eq(outcome_of(x[i].r, id).status, "confirmed");
		ck_assert_msg(x[i].r->len == x[0].r->len &&
		    memcmp(x[i].r->body, x[0].r->body, x[0].r->len) == 0,
		    "one request, two answers:\n%s\n%s", x[0].r->body,
		    x[i].r->body);
	}
	ck_assert_int_eq(host_num("SELECT count(*) FROM registrations"
	    " WHERE home = $1", scene.peer->id), 1);
	ck_assert_int_eq(host_num("SELECT taken FROM place_types WHERE id = $1",
	    scene.place), 1);
	ck_assert_int_eq(host_num("SELECT count(*) FROM inbox_requests", NULL),
	    1);
	for (i = 0; i < 4; i++)
		resp_free(x[i].r);
	free(body);
	free(id);
}
END_TEST

START_TEST(test_forged_signature_is_refused)
{
	char *id = fake_uuid(), *body = request(id, 1, NULL), *forged;
	struct snapshot before;

	/* One byte of the signed record changed. */
	forged = fake_edit(body, "Amina Khan", "Amina Kahn");
	snap(&before);
	refused(forged, 403, "signature does not verify");
	assert_unchanged(&before);
	ck_assert_int_eq(host_num("SELECT count(*) FROM registrations"
	    " WHERE name = 'Amina Kahn'", NULL), 0);
	assert_serving();
	/* The same entry as signed is taken. */
	answered(body, id, "confirmed", "confirmed");
	snap_free(&before);
	free(forged);
	free(body);
	free(id);
}
END_TEST

START_TEST(test_key_the_host_does_not_trust_is_refused)
{
	EVP_PKEY *stranger = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	struct fake_request q = { 0 };
	char *id = fake_uuid(), *xml, *body, *named;
	char stranger_fp[FED_FP_LEN + 1], from[FED_FP_LEN + 30];
	char to[FED_FP_LEN + 30];
	struct snapshot before;

	ck_assert_ptr_nonnull(stranger);
	fake_fingerprint(stranger, stranger_fp);
	q.id = id;
	q.event = scene.event;
	q.place = scene.place;
	xml = fake_request_xml(scene.peer, &q);
	body = fake_sign(xml, stranger);
	/* Signed by the stranger, named as the peer's key. */
	snprintf(from, sizeof(from), "<ds:KeyName>%s</ds:KeyName>",
	    stranger_fp);
	snprintf(to, sizeof(to), "<ds:KeyName>%s</ds:KeyName>",
	    scene.peer->fingerprint);
	named = fake_edit(body, from, to);
	snap(&before);
	refused(body, 403, "signed by a key this node does not trust");
	refused(named, 403, "signature does not verify");
	assert_unchanged(&before);
	assert_serving();
	snap_free(&before);
	free(named);
	free(body);
	free(xml);
	free(id);
	EVP_PKEY_free(stranger);
}
END_TEST

/*
 * The peer signs in another node's name: a node the host trusts too,
 * or the host itself.  And a source that names another node than the
 * record does.
 */
START_TEST(test_origin_other_than_the_signer_is_refused)
{
	struct fakepeer *other = fakepeer_new("South West node");
	struct fake_request q = { 0 };
	char *ids[3], *bodies[3];
	struct snapshot before;
	int i;

	ck_assert_int_eq(fakepeer_pin(scene.host, other, 0), 0);
	for (i = 0; i < 3; i++)
		ids[i] = fake_uuid();
	q.event = scene.event;
	q.place = scene.place;
	q.id = ids[0];
	q.origin = other->id;
	bodies[0] = fake_request(scene.peer, &q);
	q.id = ids[1];
	q.origin = scene.host_id;
	bodies[1] = fake_request(scene.peer, &q);
	q.id = ids[2];
	q.origin = NULL;
	q.source = other->id;
	bodies[2] = fake_request(scene.peer, &q);
	snap(&before);
	refused(bodies[0], 403, "signed by a node other than the record's "
	    "origin");
	refused(bodies[1], 403, "signed by a node other than the record's "
	    "origin");
	refused(bodies[2], 400, "source and origin disagree");
	assert_unchanged(&before);
	assert_serving();
	for (i = 0; i < 3; i++) {
		free(bodies[i]);
		free(ids[i]);
	}
	snap_free(&before);
	fakepeer_free(other);
}
END_TEST

/*
 * A cancelled request sent again at its first version, as a replay
 * would: the place stays with whoever the cancellation gave it to.
 */
START_TEST(test_older_version_after_cancellation_is_refused)
{
	char *amina = fake_uuid(), *ben = fake_uuid(), *first, *again, *cancel;
	struct fake_request q = { 0 };
	struct snapshot before;
	struct resp *r, *r2;

	first = request(amina, 1, NULL);
	answered(first, amina, "confirmed", "confirmed");
	q.id = ben;
	q.event = scene.event;
	q.place = scene.place;
	q.name = "Ben Okafor";
	q.email = "ben@peer.example.org";
	{
		char *body = fake_request(scene.peer, &q);

		answered(body, ben, "waiting", "waiting");
		free(body);
	}
	cancel = request(amina, 2, "cancelled");
	r = inbox_post(cancel);
	ck_assert_str_eq(outcome_of(r, amina).status, "cancelled");
	ck_assert_int_eq(host_num("SELECT count(*) FROM registrations WHERE"
	    " email = 'ben@peer.example.org' AND status = 'confirmed'", NULL),
	    1);

	snap(&before);
	refused(first, 409, "replay");
	/* Signed again, with a new time: still the old version. */
	again = request(amina, 1, NULL);
	refused(again, 409, "replay");
	assert_unchanged(&before);
	ck_assert_int_eq(host_num("SELECT count(*) FROM registrations WHERE"
	    " email = 'amina@peer.example.org' AND status <> 'cancelled'",
	    NULL), 0);
	ck_assert_int_eq(host_num("SELECT count(*) FROM registrations WHERE"
	    " email = 'ben@peer.example.org' AND status = 'confirmed'", NULL),
	    1);
	ck_assert_int_eq(host_num("SELECT taken FROM place_types WHERE id = $1",
	    scene.place), 1);
	/* The cancellation itself, sent again, is answered as before. */
	r2 = inbox_post(cancel);
	ck_assert_int_eq(r2->status, 200);
	ck_assert_msg(r2->len == r->len && memcmp(r2->body, r->body, r->len) ==
	    0, "the cancellation got another answer:\n%s\n%s", r->body,
	    r2->body);
	assert_unchanged(&before);
	assert_serving();
	resp_free(r);
	resp_free(r2);
	snap_free(&before);
	free(again);
	free(cancel);
	free(first);
	free(ben);
	free(amina);
}
END_TEST

/* Not XML, a DOCTYPE with its entities, or not one entry at all. */
START_TEST(test_hostile_xml_is_refused)
{
	char *id = fake_uuid(), *body = request(id, 1, NULL), *s;
	char *xxe, *external, *laughs, *doctype, *feed, *deep, *nul, dtd[256];
	struct snapshot before;
	size_t len;
	int i, strays;

	xxe = fake_edit(body, "Amina Khan", "&xxe;");
	s = xxe;
	ck_assert_int_ge(asprintf(&xxe, "<!DOCTYPE entry [<!ENTITY xxe SYSTEM"
	    " \"file:///etc/passwd\">]>\n%s", s), 0);
	free(s);
	snprintf(dtd, sizeof(dtd), "%s/feeds/evil.dtd", scene.peer->url);
	ck_assert_int_ge(asprintf(&external, "<!DOCTYPE entry SYSTEM \"%s\">\n"
	    "%s", dtd, body), 0);
	s = fake_edit(body, "Amina Khan", "&l9;");
	ck_assert_int_ge(asprintf(&laughs, "<!DOCTYPE entry [<!ENTITY l0"
	    " \"lol\">%s]>\n%s",
	    "<!ENTITY l1 \"&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;\">"
	    "<!ENTITY l2 \"&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;\">"
	    "<!ENTITY l3 \"&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;\">"
	    "<!ENTITY l4 \"&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;\">"
	    "<!ENTITY l5 \"&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;\">"
	    "<!ENTITY l6 \"&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;\">"
	    "<!ENTITY l7 \"&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;\">"
	    "<!ENTITY l8 \"&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;\">"
	    "<!ENTITY l9 \"&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;\">", s),
	    0);
	free(s);
	/* Honestly signed, with a DOCTYPE put before it. */
	ck_assert_int_ge(asprintf(&doctype, "<!DOCTYPE entry>\n%s", body), 0);
	ck_assert_int_ge(asprintf(&feed, "<feed xmlns=\"" FED_ATOM_NS "\">"
	    "<title>Many</title>%s</feed>", body), 0);
	{
		FILE *f;
		char *out = NULL;
		size_t n = 0;

		ck_assert_ptr_nonnull(f = open_memstream(&out, &n));
		fputs("<entry xmlns=\"" FED_ATOM_NS "\">", f);
		for (i = 0; i < 40; i++)
			fputs("<x>", f);
		for (i = 0; i < 40; i++)
			fputs("</x>", f);
		fputs("</entry>", f);
		ck_assert_int_eq(fclose(f), 0);
		deep = out;
	}
	nul = strdup(body);
	len = strlen(nul);
	*strstr(nul, "Amina Khan") = '\0';

	strays = fakepeer_strays(scene.peer);
	snap(&before);
	refused("", 400, "an Atom entry is required");
	refused("this is not XML", 400, "not well-formed XML");
	refused_as(body, strlen(body) / 2, ENTRY_TYPE, 400,
	    "not well-formed XML");
	refused(xxe, 400, "a DOCTYPE is not allowed");
	refused(external, 400, "a DOCTYPE is not allowed");
	refused(laughs, 400, "a DOCTYPE is not allowed");
	refused(doctype, 400, "a DOCTYPE is not allowed");
	refused(deep, 400, "too deeply nested");
	refused_as(nul, len, ENTRY_TYPE, 400, "not well-formed XML");
	refused(feed, 400, "not an entry");
	assert_unchanged(&before);
	/* Nothing was fetched for the external DTD. */
	ck_assert_int_eq(fakepeer_strays(scene.peer), strays);
	assert_serving();
	/* What the entities named is never in an answer. */
	{
		struct resp *r = inbox_post(xxe);

		ck_assert(!resp_has(r, "root:"));
		resp_free(r);
	}
	snap_free(&before);
	free(nul);
	free(deep);
	free(feed);
	free(doctype);
	free(laughs);
	free(external);
	free(xxe);
	free(body);
	free(id);
}
END_TEST

START_TEST(test_wrong_content_type_is_refused)
{
	static const char *const types[] = {
		"text/xml", "application/xml", "text/plain",
		"application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "",
	};
	char *id = fake_uuid(), *body = request(id, 1, NULL);
	struct snapshot before;
	size_t i;

	snap(&before);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		refused_as(body, strlen(body), types[i], 415, NULL);
	assert_unchanged(&before);
	assert_serving();
	/* The very same entry, as an entry. */
	answered(body, id, "confirmed", "confirmed");
	snap_free(&before);
	free(body);
	free(id);
}
END_TEST

/* An honest request padded after its root element to len bytes. */
static char *
padded(const char *body, size_t len)
{
	size_t n = strlen(body);
	char *out;

	ck_assert_uint_ge(len, n);
	ck_assert_ptr_nonnull(out = malloc(len + 1));
	memcpy(out, body, n);
	memset(out + n, ' ', len - n);
	out[len] = '\0';
	return out;
}

START_TEST(test_entry_over_one_mib_is_refused)
{
	char *id = fake_uuid(), *body = request(id, 1, NULL);
	char *big = padded(body, FED_MAX_ENTRY + 1);
	char *limit = padded(body, FED_MAX_ENTRY);
	struct snapshot before;
	struct client *c;
	struct resp *r;

	snap(&before);
	refused_as(big, strlen(big), ENTRY_TYPE, 413, NULL);
	/*
	 * Sent in chunks, with no length announced: cut off once past the
	 * limit, the connection closed with no answer.
	 */
	c = client_new(scene.host);
	client_header(c, "Transfer-Encoding: chunked");
	r = inbox_post_as(c, big, strlen(big), ENTRY_TYPE);
	ck_assert_msg(r->status == -1, "chunked: %ld", r->status);
	resp_free(r);
	client_free(c);
	assert_unchanged(&before);
	assert_serving();
	/* One MiB itself is allowed. */
	answered(limit, id, "confirmed", "confirmed");
	snap_free(&before);
	free(limit);
	free(big);
	free(body);
	free(id);
}
END_TEST

START_TEST(test_tombstone_is_refused)
{
	char *id = fake_uuid(), *body = request(id, 1, NULL), *tomb;
	struct fake_entry e = { 0 };
	struct snapshot before;

	answered(body, id, "confirmed", "confirmed");
	e.kind = "registration";
	e.id = id;
	e.version = 2;
	e.deleted = 1;
	tomb = fake_entry(scene.peer, &e);
	snap(&before);
	refused(tomb, 400, "a tombstone is neither a registration nor an "
	    "outcome");
	assert_unchanged(&before);
	ck_assert_int_eq(host_num("SELECT count(*) FROM registrations"
	    " WHERE home = $1 AND status = 'confirmed'", scene.peer->id), 1);
	assert_serving();
	snap_free(&before);
	free(tomb);
	free(body);
	free(id);
}
END_TEST

/* Records that belong in feeds, posted to the inbox instead. */
START_TEST(test_kinds_other_than_registration_and_outcome_are_refused)
{
	char *term_id = fake_uuid(), *event_id = fake_uuid();
	char *member_id = fake_uuid(), *term, *event, *member;
	struct fake_entry e = { 0 };
	struct snapshot before;

	term = fake_term(scene.peer, term_id, 1, "Link worker", "Not for the "
	    "inbox.");
	e.kind = "event";
	e.id = event_id;
	e.title = "Pushed event";
	e.fields = "<acorn:title>Pushed event</acorn:title>"
	    "<acorn:kind>webinar</acorn:kind>"
	    "<acorn:starts>2031-05-01T09:00:00Z</acorn:starts>"
	    "<acorn:ends>2031-05-01T10:00:00Z</acorn:ends>"
	    "<acorn:region>North West</acorn:region>"
	    "<acorn:status>published</acorn:status>";
	event = fake_entry(scene.peer, &e);
	e.kind = "member";
	e.id = member_id;
	e.title = "Pushed member";
	e.fields = "<acorn:name>Pushed member</acorn:name>";
	member = fake_entry(scene.peer, &e);
	snap(&before);
	refused(term, 422, "and referral outcomes only");
	refused(event, 422, "and referral outcomes only");
	refused(member, 422, "and referral outcomes only");
	assert_unchanged(&before);
	ck_assert_int_eq(host_num("SELECT count(*) FROM events WHERE id = $1",
	    event_id), 0);
	assert_serving();
	snap_free(&before);
	free(member);
	free(event);
	free(term);
	free(member_id);
	free(event_id);
	free(term_id);
}
END_TEST

/* A note of the peer's (a report or a referral outcome) about service. */
static char *
note(const char *id, const char *kind, const char *service,
    const char *fields)
{
	struct fake_entry e = { 0 };
	char *all = NULL, *text;

	if (asprintf(&all, "<acorn:service>urn:uuid:%s</acorn:service>%s",
	    service, fields) == -1)
		return NULL;
	e.kind = kind;
	e.id = id;
	e.title = "Report";
	e.fields = all;
	text = fake_entry(scene.peer, &e);
	free(all);
	return text;
}

/* A note of the peer's that the host must refuse with status and why. */
static void
note_refused(const char *id, const char *kind, const char *service,
    const char *fields, long status, const char *why)
{
	char *text = note(id, kind, service, fields);

	ck_assert_ptr_nonnull(text);
	refused(text, status, why);
	free(text);
}

/*
 * A trusted peer's reports and referral outcomes about the host's
 * listings: an honest one is taken once, however often it comes, and
 * mailed to the listing's managers; one about a listing the host does
 * not look after (none, or a copy of another node's), or with fields
 * missing, unknown or too long, changes nothing.
 */
START_TEST(test_directory_notes_are_taken_once_and_checked)
{
	char *own, *copy, *id, *id2, *body, *big, *peer_id;
	struct snapshot before;
	struct resp *r;
	const char *pp[2];
	long mails;

	own = node_text(scene.host, "INSERT INTO services (id, origin, name,"
	    " description, status) SELECT gen_random_uuid(), id,"
	    " 'Host swim', '', 'active' FROM node RETURNING id", NULL);
	copy = node_text(scene.host, "INSERT INTO services (id, origin, name,"
	    " description, status) VALUES (gen_random_uuid(),"
	    " gen_random_uuid(), 'Copied swim', '', 'active') RETURNING id",
	    NULL);
	free(node_text(scene.host, "WITH p AS (SELECT a.id FROM accounts a"
	    " WHERE a.email = 'coord@host.example.org'),"
	    " o AS (INSERT INTO organisations (id, origin, name, description)"
	    " SELECT gen_random_uuid(), id, 'Host pool', '' FROM node"
	    " RETURNING id),"
	    " m AS (INSERT INTO organisation_managers (organisation, account)"
	    " SELECT o.id, p.id FROM o, p)"
	    " UPDATE services SET organisation = (SELECT id FROM o)"
	    " WHERE id = $1::uuid RETURNING id", own));
	peer_id = node_text(scene.host, "SELECT id FROM known_nodes"
	    " WHERE name = 'North West node'", NULL);

	snap(&before);
	id = fake_uuid();
	big = calloc(1, 1100);
	memset(big, 'x', 1001);
	if (asprintf(&body, "<acorn:topic>phone</acorn:topic>"
	    "<acorn:details>%s</acorn:details>", big) == -1)
		body = NULL;
	note_refused(id, "report", own, body, 400, "fields are missing");
	free(body);
	note_refused(id, "report", own, "<acorn:topic>weather</acorn:topic>",
	    400, "fields are missing");
	note_refused(id, "report", own, "<acorn:topic>phone</acorn:topic>"
	    "<acorn:result>closed</acorn:result>", 400, "fields are missing");
	note_refused(id, "referral", own, "<acorn:result>maybe</acorn:result>",
	    400, "fields are missing");
	note_refused(id, "report", copy, "<acorn:topic>phone</acorn:topic>",
	    404, "no listing of this node");
	note_refused(id, "referral", id, "<acorn:result>closed</acorn:result>",
	    404, "no listing of this node");
	assert_unchanged(&before);
	ck_assert_int_eq(host_num("SELECT count(*) FROM service_reports",
	    NULL), 0);
	ck_assert_int_eq(host_num("SELECT count(*) FROM service_referrals",
	    NULL), 0);

	/* Honest, and sent twice: taken once, mailed once. */
	mails = host_num("SELECT count(*) FROM outbox", NULL);
	body = note(id, "report", own, "<acorn:topic>closed</acorn:topic>"
	    "<acorn:details>Shut for good.</acorn:details>");
	r = inbox_post(body);
	ck_assert_int_eq(r->status, 204);
	resp_free(r);
	r = inbox_post(body);
	ck_assert_int_eq(r->status, 204);
	resp_free(r);
	free(body);
	pp[0] = own;
	pp[1] = peer_id;
	ck_assert_int_eq(node_num(scene.host, "SELECT count(*) FROM"
	    " service_reports WHERE topic = 'closed' AND details ="
	    " 'Shut for good.' AND account IS NULL", NULL), 1);
	ck_assert(node_waitv(scene.host, "SELECT count(*) = 1 FROM"
	    " service_reports WHERE service = $1::uuid AND from_node ="
	    " $2::uuid", 2, pp, 0));
	ck_assert_int_eq(host_num("SELECT count(*) FROM outbox", NULL),
	    mails + 1);
	ck_assert_int_eq(host_num("SELECT count(*) FROM outbox WHERE"
	    " recipient = 'coord@host.example.org' AND strpos(body,"
	    " 'Someone on North West node reported a problem with Host swim')"
	    " > 0", NULL), 1);
	id2 = fake_uuid();
	body = note(id2, "referral", own,
	    "<acorn:result>declined</acorn:result>");
	r = inbox_post(body);
	ck_assert_int_eq(r->status, 204);
	resp_free(r);
	free(body);
	ck_assert_int_eq(host_num("SELECT count(*) FROM service_referrals"
	    " WHERE outcome = 'declined' AND account IS NULL", NULL), 1);
	assert_serving();
	snap_free(&before);
	free(big);
	free(id);
	free(id2);
	free(own);
	free(copy);
	free(peer_id);
}
END_TEST

/* No such event, and an event the host holds only a copy of. */
START_TEST(test_event_the_host_does_not_hold_is_refused)
{
	char *nowhere = fake_uuid(), *copy = peer_event();
	char *ids[3], *bodies[3], *copy_place;
	struct fake_request q = { 0 };
	struct snapshot before;
	int i;

	copy_place = node_text(scene.host, "SELECT id FROM place_types"
	    " WHERE event = $1", copy);
	for (i = 0; i < 3; i++)
		ids[i] = fake_uuid();
	q.place = scene.place;
	q.id = ids[0];
	q.event = nowhere;
	bodies[0] = fake_request(scene.peer, &q);
	q.id = ids[1];
	q.event = copy;
	q.place = copy_place;
	bodies[1] = fake_request(scene.peer, &q);
	q.id = ids[2];
	q.event = nowhere;
	q.state = "cancelled";
	bodies[2] = fake_request(scene.peer, &q);
	snap(&before);
	for (i = 0; i < 3; i++)
		refused(bodies[i], 404, "the event is not held by this node");
	assert_unchanged(&before);
	assert_serving();
	for (i = 0; i < 3; i++) {
		free(bodies[i]);
		free(ids[i]);
	}
	snap_free(&before);
	free(copy_place);
	free(copy);
	free(nowhere);
}
END_TEST

/*
 * The request names a place type the host has, but of another event:
 * one of its own, one it holds a copy of, or none at all.  A refusal
 * by the rules is an answer, kept so that a repeat gets the same one;
 * nobody is registered for anything.
 */
START_TEST(test_place_type_of_another_event_is_refused)
{
	struct client *co = client_as(scene.host, "coord@host.example.org",
	    scene.coord_pw);
	char *other = event_new_published(co, "Regional workshop", "5");
	char *copy = peer_event(), *places[3], *ids[3], *bodies[3];
	struct fake_request q = { 0 };
	struct snapshot before;
	struct resp *first, *again;
	int i;

	ck_assert_ptr_nonnull(other);
	places[0] = node_text(scene.host, "SELECT id FROM place_types"
	    " WHERE event = $1", other);
	places[1] = node_text(scene.host, "SELECT id FROM place_types"
	    " WHERE event = $1", copy);
	places[2] = node_text(scene.host, "SELECT max(id) + 1000 FROM"
	    " place_types", NULL);
	q.event = scene.event;
	for (i = 0; i < 3; i++) {
		ids[i] = fake_uuid();
		q.id = ids[i];
		q.place = places[i];
		bodies[i] = fake_request(scene.peer, &q);
	}
	snap(&before);
	for (i = 0; i < 3; i++)
		answered(bodies[i], ids[i], "refused", "no_place");
	assert_people_unchanged(&before);
	ck_assert_int_eq(host_num("SELECT count(*) FROM registrations", NULL),
	    0);
	ck_assert_int_eq(host_num("SELECT count(*) FROM inbox_requests WHERE"
	    " what = 'no_place' AND registration IS NULL", NULL), 3);
	/* Sent again: the same refusal, nothing more kept. */
	snap_free(&before);
	snap(&before);
	first = inbox_post(bodies[0]);
	again = inbox_post(bodies[0]);
	ck_assert_int_eq(again->status, 200);
	ck_assert(first->len == again->len &&
	    memcmp(first->body, again->body, first->len) == 0);
	assert_unchanged(&before);
	assert_serving();
	resp_free(first);
	resp_free(again);
	for (i = 0; i < 3; i++) {
		free(bodies[i]);
		free(ids[i]);
		free(places[i]);
	}
	snap_free(&before);
	free(copy);
	free(other);
	client_free(co);
}
END_TEST

START_TEST(test_required_question_left_unanswered_is_refused)
{
	struct client *co = client_as(scene.host, "coord@host.example.org",
	    scene.coord_pw);
	char *other = event_new_published(co, "Regional workshop", "5");
	char *question, *elsewhere, *answers[4], *ids[4], *bodies[4];
	struct fake_request q = { 0 };
	struct snapshot before;
	int i;

	ck_assert_ptr_nonnull(other);
	question = node_text(scene.host, "INSERT INTO questions (event, kind,"
	    " label, required) VALUES ($1, 'text', 'Access needs', true)"
	    " RETURNING id", scene.event);
	elsewhere = node_text(scene.host, "INSERT INTO questions (event, kind,"
	    " label) VALUES ($1, 'text', 'Dietary needs') RETURNING id",
	    other);
	answers[0] = strdup("");
	ck_assert_int_ge(asprintf(&answers[1], "<acorn:answer question="
	    "\"%s\">None</acorn:answer>", elsewhere), 0);
	ck_assert_int_ge(asprintf(&answers[2], "<acorn:answer question="
	    "\"%s\">None</acorn:answer><acorn:answer question=\"%s\">Step-free"
	    "</acorn:answer>", question, question), 0);
	ck_assert_int_ge(asprintf(&answers[3], "<acorn:answer question="
	    "\"%s\">Step-free access</acorn:answer>", question), 0);
	q.event = scene.event;
	q.place = scene.place;
	for (i = 0; i < 4; i++) {
		ids[i] = fake_uuid();
		q.id = ids[i];
		q.answers = answers[i];
		bodies[i] = fake_request(scene.peer, &q);
	}
	snap(&before);
	for (i = 0; i < 3; i++)
		answered(bodies[i], ids[i], "refused", "answers");
	assert_people_unchanged(&before);
	ck_assert_int_eq(host_num("SELECT count(*) FROM inbox_requests WHERE"
	    " what = 'answers' AND registration IS NULL", NULL), 3);
	assert_serving();
	/* Answered: taken, with its answer. */
	answered(bodies[3], ids[3], "confirmed", "confirmed");
	ck_assert_int_eq(host_num("SELECT count(*) FROM answers WHERE"
	    " question = $1 AND value = 'Step-free access'", question), 1);
	for (i = 0; i < 4; i++) {
		free(bodies[i]);
		free(ids[i]);
		free(answers[i]);
	}
	snap_free(&before);
	free(elsewhere);
	free(question);
	free(other);
	client_free(co);
}
END_TEST

START_TEST(test_malformed_personal_fields_are_refused)
{
	static const struct {
		const char	*field;
		const char	*value;
	} bad[] = {
		{ "email", "amina.peer.example.org" },
		{ "email", "amina@" },
		{ "email", "Amina &lt;amina@peer.example.org&gt;" },
		{ "email", "amina@peer.example.org\nBcc: all@example.org" },
		{ "email", "" },
		{ "name", "" },
		{ "member", "" },
		{ "member", "amina@peer.example.org" },
		{ "member", "urn:uuid:not-a-uuid" },
		{ "places", "0" },
		{ "places", "11" },
		{ "places", "two" },
		{ "place", "first" },
		{ "place", "-1" },
		{ "public", "yes" },
		/* A stakeholder group is one of the network's, or none. */
		{ "stakeholder", "<acorn:stakeholder>pirate"
		    "</acorn:stakeholder>" },
		{ "stakeholder", "<acorn:stakeholder>Citizen"
		    "</acorn:stakeholder>" },
		{ "stakeholder", "<acorn:stakeholder>citizen gp"
		    "</acorn:stakeholder>" },
	};
	struct fake_request q = { 0 };
	struct snapshot before;
	char *id, *body;
	size_t i;

	snap(&before);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&q, 0, sizeof(q));
		id = fake_uuid();
		q.id = id;
		q.event = scene.event;
		q.place = scene.place;
		if (strcmp(bad[i].field, "email") == 0)
			q.email = bad[i].value;
		else if (strcmp(bad[i].field, "name") == 0)
			q.name = bad[i].value;
		else if (strcmp(bad[i].field, "member") == 0)
			q.member = bad[i].value;
		else if (strcmp(bad[i].field, "places") == 0)
			q.places = bad[i].value;
		else if (strcmp(bad[i].field, "place") == 0)
			q.place = bad[i].value;
		else if (strcmp(bad[i].field, "stakeholder") == 0)
			q.answers = bad[i].value;
		else
			q.public = bad[i].value;
		body = fake_request(scene.peer, &q);
		refused(body, 422, "missing or malformed");
		free(body);
		free(id);
	}
	/* A state that is neither. */
	id = fake_uuid();
	body = request(id, 1, "maybe");
	refused(body, 400, "without its event or state");
	free(body);
	free(id);
	assert_unchanged(&before);
	assert_serving();
	snap_free(&before);
}
END_TEST

/* An outcome's fields, for the registration given. */
static char *
outcome_fields(const char *registration, const char *home,
    const char *status)
{
	char *s;

	ck_assert_int_ge(asprintf(&s, "<acorn:registration version=\"1\">"
	    "urn:uuid:%s</acorn:registration><acorn:home>urn:uuid:%s"
	    "</acorn:home><acorn:event>urn:uuid:%s</acorn:event>%s%s%s"
	    "<acorn:what>confirmed</acorn:what>", registration, home,
	    scene.event, status != NULL ? "<acorn:status>" : "",
	    status != NULL ? status : "",
	    status != NULL ? "</acorn:status>" : ""), 0);
	return s;
}

static char *
outcome_by(struct fakepeer *p, const char *registration, const char *home,
    const char *status)
{
	struct fake_entry e = { 0 };
	char *id = fake_uuid(), *fields, *out;

	fields = outcome_fields(registration, home, status);
	e.kind = "outcome";
	e.id = id;
	e.title = "Registration outcome";
	e.fields = fields;
	out = fake_entry(p, &e);
	free(fields);
	free(id);
	return out;
}

/*
 * Outcomes posted to a node that never made the registration: one it
 * has never heard of, one made on another node, and one it made but
 * with another host, told by a node that is not that host.
 */
START_TEST(test_outcome_for_a_registration_never_made_is_refused)
{
	struct fakepeer *other = fakepeer_new("South West node");
	char *copy = peer_event(), *unknown = fake_uuid(), *mine = fake_uuid();
	char *bodies[5];
	const char *p[2] = { mine, copy };
	struct snapshot before;
	char *v;
	int i;

	ck_assert_int_eq(fakepeer_pin(scene.host, other, 0), 0);
	/*
	 * A member here asked the peer for a place at its event; the fake
	 * peer has no inbox, so the request is not due to be sent again
	 * while the test runs.
	 */
	v = node_sqlv(scene.host, "INSERT INTO away_registrations (id, event,"
	    " host, name, email, place_ref, place_name, places, next_attempt)"
	    " SELECT $1, e.id, e.origin, 'Cara Jones', 'cara@host.example.org',"
	    " 7, 'In person', 1, now() + interval '1 hour' FROM events e"
	    " WHERE e.id = $2 RETURNING id", 2, p);
	ck_assert_ptr_nonnull(v);
	free(v);
	bodies[0] = outcome_by(scene.peer, unknown, scene.host_id, "confirmed");
	bodies[1] = outcome_by(scene.peer, unknown, other->id, "confirmed");
	bodies[2] = outcome_by(other, mine, scene.host_id, "confirmed");
	bodies[3] = outcome_by(scene.peer, mine, scene.host_id, "accepted");
	bodies[4] = outcome_by(scene.peer, mine, scene.host_id, NULL);
	snap(&before);
	refused(bodies[0], 404, "no registration made here");
	refused(bodies[1], 404, "a registration made on another node");
	refused(bodies[2], 404, "no registration made here");
	refused(bodies[3], 400, "fields are missing or unknown");
	refused(bodies[4], 400, "fields are missing or unknown");
	assert_unchanged(&before);
	ck_assert_int_eq(host_num("SELECT count(*) FROM away_registrations"
	    " WHERE status = 'pending' AND outcome = 0", NULL), 1);
	ck_assert_int_eq(host_num("SELECT count(*) FROM outbox", NULL), 0);
	assert_serving();
	for (i = 0; i < 5; i++)
		free(bodies[i]);
	snap_free(&before);
	free(mine);
	free(unknown);
	free(copy);
	fakepeer_free(other);
}
END_TEST

Suite *
inbox_hostile_suite(void)
{
	Suite *s = suite_create("inbox_hostile");
	TCase *tc;

	tc = tcase_create("inbox");
	tcase_add_checked_fixture(tc, scene_up, scene_down);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_honest_request_sent_twice_registers_once);
	tcase_add_test(tc, test_simultaneous_repeats_register_once);
	tcase_add_test(tc, test_forged_signature_is_refused);
	tcase_add_test(tc, test_key_the_host_does_not_trust_is_refused);
	tcase_add_test(tc, test_origin_other_than_the_signer_is_refused);
	tcase_add_test(tc, test_older_version_after_cancellation_is_refused);
	tcase_add_test(tc, test_hostile_xml_is_refused);
	tcase_add_test(tc, test_wrong_content_type_is_refused);
	tcase_add_test(tc, test_entry_over_one_mib_is_refused);
	tcase_add_test(tc, test_tombstone_is_refused);
	tcase_add_test(tc,
	    test_kinds_other_than_registration_and_outcome_are_refused);
	tcase_add_test(tc, test_directory_notes_are_taken_once_and_checked);
	tcase_add_test(tc, test_event_the_host_does_not_hold_is_refused);
	tcase_add_test(tc, test_place_type_of_another_event_is_refused);
	tcase_add_test(tc, test_required_question_left_unanswered_is_refused);
	tcase_add_test(tc, test_malformed_personal_fields_are_refused);
	tcase_add_test(tc,
	    test_outcome_for_a_registration_never_made_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
