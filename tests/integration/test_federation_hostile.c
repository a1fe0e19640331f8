/*
 * The federation under attack and under faults.  A fake peer (pinned by
 * a real node like any other) serves forged, replayed, wrapped and
 * malformed entries and pages; each must be refused with its reason in
 * the rejections list and the metrics, none of it stored, and the honest
 * entries beside it still taken.  It also claims another node's key and
 * hangs, and neither may cost the node its other peers.  Peers claim
 * other nodes' identities when pinned, speak for third nodes without
 * being hubs and claim records other nodes own; each is refused and
 * shown, and nothing the node knew changes.  Then real
 * nodes are killed mid-sync, left down for a while, rotate their keys,
 * rely on a hub's word and share a pull between two processes, and the
 * network must come out whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "harness.h"
#include "fakepeer.h"
#include "federation.h"

Suite	*federation_hostile_suite(void);

#define SETTLE_MS	20000	/* the most a change may take to arrive */

/* A real node that has pinned a fake peer. */
struct scene {
	struct node	*node;
	struct fakepeer	*peer;
};

static void
scene_up(struct scene *s)
{
	s->node = node_new("Receiving node", NULL);
	ck_assert_ptr_nonnull(s->node);
	ck_assert_int_eq(node_serve(s->node), 0);
	s->peer = fakepeer_new("Fake peer");
	ck_assert_int_eq(fakepeer_pin(s->node, s->peer, 0), 0);
	/* The first pull, of empty pages, is over. */
	ck_assert(node_wait(s->node, "SELECT last_success IS NOT NULL"
	    " FROM peers WHERE node = $1", s->peer->id, SETTLE_MS));
}

static void
scene_down(struct scene *s)
{
	node_free(s->node);
	fakepeer_free(s->peer);
}

/*
 * Pings the node in the peer's name and waits until the pull that read
 * the collection as the peer serves it now is over, so that everything
 * it stored or refused is committed.
 */
static void
pull_now(struct node *n, struct fakepeer *p, const char *collection)
{
	char since[32];
	const char *q[2] = { p->id, since };
	int before = fakepeer_requests(p, collection);

	ck_assert_int_eq(fakepeer_ping(n, p), 202);
	ck_assert_msg(fakepeer_wait(p, FAKE_REQUESTS, collection, before,
	    SETTLE_MS), "the node never read the page");
	snprintf(since, sizeof(since), "%.6f",
	    fakepeer_last_request(p, collection));
	ck_assert_msg(node_waitv(n, "SELECT last_attempt >"
	    " to_timestamp($2::float8) FROM peers WHERE node = $1", 2, q,
	    SETTLE_MS), "the pull that read the page never ended");
}

static void
deliver_to(struct node *n, struct fakepeer *p, const char *collection,
    const char *page)
{
	fakepeer_serve(p, collection, page);
	pull_now(n, p, collection);
}

static void
deliver(struct scene *s, const char *page)
{
	deliver_to(s->node, s->peer, "glossary", page);
}

/*
 * Refusals of what came from the peer (its node id) for why: of entry
 * id, or of pages when NULL.
 */
static long
refusals(struct node *n, const char *peer, const char *id, const char *why)
{
	const char *q[3] = { peer, why, id };
	char *v;
	long count;

	v = node_sqlv(n, id != NULL ? "SELECT count(*) FROM rejections j"
	    " JOIN peers p ON p.id = j.peer WHERE p.node = $1"
	    " AND j.reason = $2 AND j.entry_id = 'urn:uuid:' || $3" :
	    "SELECT count(*) FROM rejections j JOIN peers p ON p.id = j.peer"
	    " WHERE p.node = $1 AND j.reason = $2 AND j.entry_id IS NULL",
	    id != NULL ? 3 : 2, q);
	ck_assert_ptr_nonnull(v);
	count = strtol(v, NULL, 10);
	free(v);
	return count;
}

/* acorn_federation_rejections_total for why, from /metrics. */
static long
metric(struct node *n, const char *why)
{
	struct client *c = client_new(n);
	struct resp *r = http_get(c, "/metrics");
	char label[256];
	const char *at;
	long v = 0;

	ck_assert_int_eq(r->status, 200);
	snprintf(label, sizeof(label),
	    "acorn_federation_rejections_total{reason=\"%s\"} ", why);
	if ((at = strstr(r->body, label)) != NULL)
		v = strtol(at + strlen(label), NULL, 10);
	resp_free(r);
	client_free(c);
	return v;
}

/* The newest refusals on a node, for a failure's message. */
static char *
latest_refusals(struct node *n)
{
	char *v = node_sql(n, "SELECT coalesce(string_agg(coalesce(entry_id,"
	    " 'a page') || ': ' || reason, '; '), 'none') FROM (SELECT *"
	    " FROM rejections ORDER BY id DESC LIMIT 5) j", NULL);

	return v != NULL ? v : strdup("?");
}

/* The node refused it for why, and says so where coordinators look. */
static void
assert_refused(struct scene *s, const char *id, const char *why)
{
	ck_assert_msg(refusals(s->node, s->peer->id, id, why) > 0,
	    "%s was not refused for: %s", id != NULL ? id : "the page", why);
	ck_assert_msg(metric(s->node, why) > 0, "/metrics does not count: %s",
	    why);
}

static long
stored(struct node *n, const char *id)
{
	return node_num(n, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1", id);
}

static void
assert_stored(struct scene *s, const char *id)
{
	const char *q[2] = { id, s->peer->id };

	ck_assert_msg(node_waitv(s->node, "SELECT EXISTS (SELECT 1 FROM"
	    " glossary_terms WHERE id = $1 AND origin = $2 AND NOT deleted)",
	    2, q, 0), "the honest entry %s was not stored", id);
}

/* Still up: /healthz, and its own feeds for peers. */
static void
assert_serving(struct node *n)
{
	node_assert_serving(n, "/feeds/glossary?after=0");
}

static long
cursor_of(struct scene *s, const char *collection)
{
	const char *q[2] = { s->peer->id, collection };
	char *v = node_sqlv(s->node, "SELECT c.seq FROM peer_cursors c"
	    " JOIN peers p ON p.id = c.peer WHERE p.node = $1"
	    " AND c.collection = $2", 2, q);
	long seq;

	ck_assert_ptr_nonnull(v);
	seq = strtol(v, NULL, 10);
	free(v);
	return seq;
}

/* A P-256 key no node has pinned. */
static EVP_PKEY *
stranger_key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	ck_assert_ptr_nonnull(k);
	return k;
}

static char *
base64(const unsigned char *in, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	ck_assert_ptr_nonnull(out);
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

/* XML-DSig 1.1 ECKeyValue of a key, as a KeyValue element. */
static char *
key_value(EVP_PKEY *k)
{
	unsigned char point[133];
	size_t len;
	char *b64, *out;

	ck_assert_int_eq(EVP_PKEY_get_octet_string_param(k,
	    OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &len), 1);
	b64 = base64(point, len);
	ck_assert_int_ge(asprintf(&out, "<ds:KeyValue><dsig11:ECKeyValue"
	    " xmlns:dsig11=\"http://www.w3.org/2009/xmldsig11#\">"
	    "<dsig11:NamedCurve URI=\"urn:oid:1.2.840.10045.3.1.7\"/>"
	    "<dsig11:PublicKey>%s</dsig11:PublicKey></dsig11:ECKeyValue>"
	    "</ds:KeyValue>", b64), 0);
	free(b64);
	return out;
}

/* A self-signed certificate for a key, as an X509Data element. */
static char *
x509_data(EVP_PKEY *k)
{
	X509 *x = X509_new();
	X509_NAME *name;
	unsigned char *der = NULL;
	char *b64, *out;
	int len;

	ck_assert_ptr_nonnull(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	ck_assert_int_eq(X509_set_pubkey(x, k), 1);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"Fake peer", -1, -1, 0);
	X509_set_issuer_name(x, name);
	ck_assert_int_gt(X509_sign(x, k, EVP_sha256()), 0);
	ck_assert_int_gt(len = i2d_X509(x, &der), 0);
	b64 = base64(der, (size_t)len);
	ck_assert_int_ge(asprintf(&out, "<ds:X509Data><ds:X509Certificate>%s"
	    "</ds:X509Certificate></ds:X509Data>", b64), 0);
	free(b64);
	OPENSSL_free(der);
	X509_free(x);
	return out;
}

/* A term of the peer's, signed by key. */
static char *
term_signed_by(struct fakepeer *p, const char *id, EVP_PKEY *key,
    const char *origin)
{
	struct fake_entry e = { 0 };
	char *xml, *out;

	e.id = id;
	e.origin = origin;
	e.title = "Signed elsewhere";
	e.fields = "<acorn:term>Signed elsewhere</acorn:term>"
	    "<acorn:definition>Made by another key.</acorn:definition>";
	xml = fake_entry_xml(p, &e);
	out = fake_sign(xml, key);
	free(xml);
	return out;
}

START_TEST(test_forged_signature_is_refused)
{
	struct scene s;
	char *bad = fake_uuid(), *good = fake_uuid(), *signed_xml, *forged;
	char *honest, *page;

	scene_up(&s);
	signed_xml = fake_term(s.peer, bad, 1, "Social prescribing",
	    "What was signed.");
	forged = fake_edit(signed_xml, "What was signed.",
	    "Changed after signing.");
	honest = fake_term(s.peer, good, 1, "Link worker", "Signed and kept.");
	page = fake_page(2, forged, honest, NULL);
	deliver(&s, page);
	assert_refused(&s, bad, "signature does not verify");
	ck_assert_int_eq(stored(s.node, bad), 0);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM glossary_terms"
	    " WHERE definition LIKE 'Changed after%'", NULL), 0);
	assert_stored(&s, good);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 2);
	assert_serving(s.node);
	free(page);
	free(honest);
	free(forged);
	free(signed_xml);
	free(good);
	free(bad);
	scene_down(&s);
}
END_TEST

START_TEST(test_signature_by_an_unpinned_key_is_refused)
{
	struct scene s;
	EVP_PKEY *stranger = stranger_key();
	char *bad = fake_uuid(), *good = fake_uuid(), *entry, *honest, *page;

	scene_up(&s);
	entry = term_signed_by(s.peer, bad, stranger, NULL);
	honest = fake_term(s.peer, good, 1, "Care navigator", "Kept.");
	page = fake_page(3, entry, honest, NULL);
	deliver(&s, page);
	assert_refused(&s, bad, "signed by a key this node does not trust");
	ck_assert_int_eq(stored(s.node, bad), 0);
	assert_stored(&s, good);
	assert_serving(s.node);
	free(page);
	free(honest);
	free(entry);
	free(good);
	free(bad);
	EVP_PKEY_free(stranger);
	scene_down(&s);
}
END_TEST

/*
 * KeyInfo is outside what the signature covers: whatever key it offers
 * (a key value, a certificate, beside a trusted key's name or instead of
 * it) must never be used.
 */
START_TEST(test_key_offered_in_key_info_is_refused)
{
	struct scene s;
	EVP_PKEY *stranger = stranger_key();
	char fp[FED_FP_LEN + 1], name[FED_FP_LEN + 40], *ids[3], *entries[3];
	char *value, *cert, *to, *signed_xml, *good, *honest, *page;
	int i;

	scene_up(&s);
	fake_fingerprint(stranger, fp);
	value = key_value(stranger);
	cert = x509_data(stranger);
	snprintf(name, sizeof(name), "<ds:KeyName>%s</ds:KeyName>", fp);
	for (i = 0; i < 3; i++) {
		ids[i] = fake_uuid();
		signed_xml = term_signed_by(s.peer, ids[i], stranger, NULL);
		if (i == 0)		/* its name and its key */
			ck_assert_int_ge(asprintf(&to, "%s%s", name, value), 0);
		else if (i == 1)	/* a certificate in place of a name */
			to = strdup(cert);
		else		/* the trusted key's name, its own key */
			ck_assert_int_ge(asprintf(&to, "<ds:KeyName>%s"
			    "</ds:KeyName>%s", s.peer->fingerprint, value), 0);
		entries[i] = fake_edit(signed_xml, name, to);
		free(to);
		free(signed_xml);
	}
	good = fake_uuid();
	honest = fake_term(s.peer, good, 1, "Community connector", "Kept.");
	page = fake_page(4, entries[0], entries[1], entries[2], honest, NULL);
	deliver(&s, page);
	for (i = 0; i < 3; i++) {
		assert_refused(&s, ids[i], "the signature carries its own key");
		ck_assert_int_eq(stored(s.node, ids[i]), 0);
		free(entries[i]);
		free(ids[i]);
	}
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM node_keys"
	    " WHERE fingerprint = $1", fp), 0);
	assert_stored(&s, good);
	assert_serving(s.node);
	free(page);
	free(honest);
	free(good);
	free(cert);
	free(value);
	EVP_PKEY_free(stranger);
	scene_down(&s);
}
END_TEST

/*
 * Signature wrapping: an honestly signed entry carried inside one of
 * the attacker's, or its signature moved onto the attacker's entry, or
 * a second record slipped in after signing.  What is verified must be
 * what is read, so none of it is stored.
 */
START_TEST(test_signature_wrapping_is_refused)
{
	struct scene s;
	char *inner = fake_uuid(), *outer1 = fake_uuid(), *outer2 = fake_uuid();
	char *doubled = fake_uuid(), *good = fake_uuid();
	char *signed_xml, *sig, *body, *wrapped, *moved, *two, *extra, *honest;
	char *page;
	const char *sig_at;

	scene_up(&s);
	signed_xml = fake_term(s.peer, inner, 1, "Wrapped term",
	    "Honestly signed.");
	ck_assert_ptr_nonnull(sig_at = strstr(signed_xml, "<ds:Signature"));
	sig = strndup(sig_at, (size_t)(strstr(sig_at, "</ds:Signature>") +
	    strlen("</ds:Signature>") - sig_at));
	body = fake_edit(signed_xml, sig, "");

	/* The signed entry whole, inside the attacker's. */
	ck_assert_int_ge(asprintf(&wrapped, "<entry xmlns=\"" FED_ATOM_NS
	    "\" xmlns:acorn=\"" FED_ACORN_NS "\"><id>urn:uuid:%s</id>"
	    "<title>Evil</title><updated>2026-11-30T10:15:00Z</updated>"
	    "<source><id>urn:uuid:%s</id></source><acorn:record kind=\"term\""
	    " version=\"7\" origin=\"urn:uuid:%s\"><acorn:term>Evil"
	    "</acorn:term></acorn:record><content type=\"xhtml\">%s</content>"
	    "</entry>",
	    outer1, s.peer->id, s.peer->id, signed_xml), 0);
	/* Its signature moved out to be the attacker's entry's last child. */
	ck_assert_int_ge(asprintf(&moved, "<entry xmlns=\"" FED_ATOM_NS
	    "\" xmlns:acorn=\"" FED_ACORN_NS "\"><id>urn:uuid:%s</id>"
	    "<title>Evil</title><updated>2026-11-30T10:15:00Z</updated>"
	    "<source><id>urn:uuid:%s</id></source><acorn:record kind=\"term\""
	    " version=\"7\" origin=\"urn:uuid:%s\"><acorn:term>Evil too"
	    "</acorn:term></acorn:record><content type=\"xhtml\">%s</content>"
	    "%s</entry>", outer2, s.peer->id, s.peer->id, body, sig), 0);
	/* A second record inserted after signing. */
	free(signed_xml);
	signed_xml = fake_term(s.peer, doubled, 1, "Doubled term", "One.");
	ck_assert_int_ge(asprintf(&extra, "</acorn:record><acorn:record"
	    " kind=\"term\" version=\"8\" origin=\"urn:uuid:%s\">"
	    "<acorn:term>Second record</acorn:term></acorn:record>",
	    s.peer->id), 0);
	two = fake_edit(signed_xml, "</acorn:record>", extra);
	honest = fake_term(s.peer, good, 1, "Asset mapping", "Kept.");
	page = fake_page(5, wrapped, moved, two, honest, NULL);
	deliver(&s, page);

	assert_refused(&s, outer1,
	    "the signature is not the entry's last element");
	assert_refused(&s, outer2, "signature does not verify");
	assert_refused(&s, doubled, "not one acorn:record naming its origin");
	ck_assert_int_eq(stored(s.node, inner), 0);
	ck_assert_int_eq(stored(s.node, outer1), 0);
	ck_assert_int_eq(stored(s.node, outer2), 0);
	ck_assert_int_eq(stored(s.node, doubled), 0);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM glossary_terms"
	    " WHERE term IN ('Evil', 'Evil too', 'Second record')", NULL), 0);
	assert_stored(&s, good);
	assert_serving(s.node);
	free(page);
	free(honest);
	free(two);
	free(extra);
	free(moved);
	free(wrapped);
	free(body);
	free(sig);
	free(signed_xml);
	free(good);
	free(doubled);
	free(outer2);
	free(outer1);
	free(inner);
	scene_down(&s);
}
END_TEST

START_TEST(test_replayed_older_version_is_refused)
{
	struct scene s;
	char *id = fake_uuid(), *good = fake_uuid(), *v1, *v2, *other, *honest;
	char *page;

	scene_up(&s);
	v1 = fake_term(s.peer, id, 1, "Replayed term", "The first version.");
	v2 = fake_term(s.peer, id, 2, "Replayed term", "The second version.");
	page = fake_page(1, v2, NULL);
	deliver(&s, page);
	free(page);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND version = 2", id), 1);

	honest = fake_term(s.peer, good, 1, "Wellbeing", "Kept.");
	page = fake_page(2, v1, honest, NULL);
	deliver(&s, page);
	free(page);
	assert_refused(&s, id, "an older version than the one held (a replay)");
	assert_stored(&s, good);

	/* Another entry under the version held is no better. */
	other = fake_term(s.peer, id, 2, "Replayed term", "A second second.");
	page = fake_page(3, other, NULL);
	deliver(&s, page);
	assert_refused(&s, id,
	    "a different entry under a version already held");
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND version = 2 AND definition ="
	    " 'The second version.'", id), 1);
	assert_serving(s.node);
	free(page);
	free(other);
	free(honest);
	free(v2);
	free(v1);
	free(good);
	free(id);
	scene_down(&s);
}
END_TEST

START_TEST(test_entry_claiming_another_origin_is_refused)
{
	struct scene s;
	struct fake_entry e = { 0 };
	char *other = fake_uuid(), *claims = fake_uuid(), *mixed = fake_uuid();
	char *mine = fake_uuid(), *good = fake_uuid(), *self;
	char *a, *b, *c, *honest, *page;

	scene_up(&s);
	self = node_text(s.node, "SELECT id FROM node", NULL);
	e.fields = "<acorn:term>Not yours</acorn:term>";
	/* Signed by the peer, in another node's name. */
	e.id = claims;
	e.origin = other;
	a = fake_entry(s.peer, &e);
	/* The peer's record, but its source names another node. */
	e.id = mixed;
	e.origin = NULL;
	e.source = other;
	b = fake_entry(s.peer, &e);
	/* In the receiving node's own name: passed over, never stored. */
	e.id = mine;
	e.origin = self;
	e.source = NULL;
	c = fake_entry(s.peer, &e);
	honest = fake_term(s.peer, good, 1, "Green prescribing", "Kept.");
	page = fake_page(6, a, b, c, honest, NULL);
	deliver(&s, page);
	assert_refused(&s, claims,
	    "signed by a node other than the record's origin");
	assert_refused(&s, mixed, "source and origin disagree");
	ck_assert_int_eq(stored(s.node, claims), 0);
	ck_assert_int_eq(stored(s.node, mixed), 0);
	ck_assert_int_eq(stored(s.node, mine), 0);
	assert_stored(&s, good);
	assert_serving(s.node);
	free(page);
	free(honest);
	free(c);
	free(b);
	free(a);
	free(self);
	free(good);
	free(mine);
	free(mixed);
	free(claims);
	free(other);
	scene_down(&s);
}
END_TEST

/* A peer may not change, nor delete, a record another node owns. */
START_TEST(test_entry_changing_a_local_record_is_refused)
{
	struct scene s;
	struct fake_entry e = { 0 };
	char *local, *good = fake_uuid(), *good2 = fake_uuid();
	char *change, *tomb, *honest, *page;

	scene_up(&s);
	local = node_text(s.node, "INSERT INTO glossary_terms (id, origin,"
	    " term, definition) VALUES (gen_random_uuid(), (SELECT id FROM"
	    " node), 'Local term', 'Ours alone.') RETURNING id", NULL);
	e.id = local;
	e.version = 99;
	e.fields = "<acorn:term>Local term</acorn:term>"
	    "<acorn:definition>Taken over.</acorn:definition>";
	change = fake_entry(s.peer, &e);
	honest = fake_term(s.peer, good, 1, "Befriending", "Kept.");
	page = fake_page(7, change, honest, NULL);
	deliver(&s, page);
	free(page);
	assert_refused(&s, local,
	    "claims a record that belongs to another node");
	assert_stored(&s, good);

	e.version = 100;
	e.deleted = 1;
	tomb = fake_entry(s.peer, &e);
	free(honest);
	honest = fake_term(s.peer, good2, 1, "Social value", "Kept.");
	page = fake_page(8, tomb, honest, NULL);
	deliver(&s, page);
	ck_assert_int_ge(refusals(s.node, s.peer->id, local,
	    "claims a record that belongs to another node"), 2);
	assert_stored(&s, good2);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND origin = (SELECT id FROM node) AND NOT deleted"
	    " AND definition = 'Ours alone.' AND version = 1", local), 1);
	assert_serving(s.node);
	free(page);
	free(honest);
	free(tomb);
	free(change);
	free(good2);
	free(good);
	free(local);
	scene_down(&s);
}
END_TEST

/*
 * DTDs are refused whole: an external entity naming a local file or the
 * peer's own server, an entity bomb, even a bare DOCTYPE.  Nothing of
 * the page is stored, not even its honest entry, and the cursor stays.
 */
START_TEST(test_doctype_xxe_and_entity_bombs_refuse_the_page)
{
	struct scene s;
	char secret_path[600], *secret = fake_uuid(), *good = fake_uuid();
	char *honest, *pages[3], *page, *body, *decl, *uses;
	const char *why = "a DOCTYPE is not allowed";
	long before;
	FILE *f;
	int i;

	scene_up(&s);
	snprintf(secret_path, sizeof(secret_path), "%s/xxe-%s.txt",
	    getenv("ACORN_TEST_VAR"), secret);
	ck_assert_ptr_nonnull(f = fopen(secret_path, "w"));
	fprintf(f, "XXE-SECRET-%s\n", secret);
	fclose(f);
	honest = fake_term(s.peer, good, 1, "Holistic care", "Refused with"
	    " its page.");
	page = fake_page(9, honest, NULL);
	/* After the XML declaration, before <feed>. */
	body = strstr(page, "<feed");
	ck_assert_ptr_nonnull(body);
	ck_assert_int_ge(asprintf(&decl, "<!DOCTYPE feed SYSTEM \"%s/evil.dtd\""
	    " [<!ENTITY xxe SYSTEM \"file://%s\">]>", s.peer->url,
	    secret_path), 0);
	uses = fake_edit(body, "<title>A fake peer</title>",
	    "<title>&xxe;</title>");
	ck_assert_int_ge(asprintf(&pages[0], "%.*s%s\n%s", (int)(body - page),
	    page, decl, uses), 0);
	free(uses);
	free(decl);
	uses = fake_edit(body, "<title>A fake peer</title>",
	    "<title>&i;</title>");
	ck_assert_int_ge(asprintf(&pages[1], "%.*s<!DOCTYPE feed ["
	    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
	    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
	    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
	    "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
	    "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">"
	    "<!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">]>\n%s",
	    (int)(body - page), page, uses), 0);
	free(uses);
	ck_assert_int_ge(asprintf(&pages[2], "%.*s<!DOCTYPE feed>\n%s",
	    (int)(body - page), page, body), 0);
	for (i = 0; i < 3; i++) {
		before = refusals(s.node, s.peer->id, NULL, why);
		deliver(&s, pages[i]);
		ck_assert_msg(refusals(s.node, s.peer->id, NULL, why) > before,
		    "page %d was not refused", i);
		ck_assert_int_eq(stored(s.node, good), 0);
		ck_assert_int_eq(cursor_of(&s, "glossary"), 0);
		assert_serving(s.node);
		free(pages[i]);
	}
	ck_assert_int_gt(metric(s.node, why), 0);
	/* Nothing was fetched for the DTD, nothing of the file kept. */
	ck_assert_int_eq(fakepeer_strays(s.peer), 0);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM glossary_terms"
	    " WHERE definition LIKE '%XXE-SECRET%' OR term LIKE '%XXE%'",
	    NULL), 0);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM rejections"
	    " WHERE reason LIKE '%XXE-SECRET%'", NULL), 0);

	/* The same entry in a clean page is taken. */
	deliver(&s, page);
	assert_stored(&s, good);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 9);
	unlink(secret_path);
	free(page);
	free(honest);
	free(good);
	free(secret);
	scene_down(&s);
}
END_TEST

START_TEST(test_oversized_page_is_refused_and_the_cursor_stays)
{
	struct scene s;
	char *first = fake_uuid(), *good = fake_uuid(), *a, *b, *page;
	const char *q[1];

	scene_up(&s);
	a = fake_term(s.peer, first, 1, "Before the flood", "Kept.");
	page = fake_page(5, a, NULL);
	deliver(&s, page);
	free(page);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 5);

	/* An honest entry over and over, past 16 MiB. */
	b = fake_term(s.peer, good, 1, "In the flood", "Kept once it is"
	    " served sensibly.");
	fakepeer_serve_huge(s.peer, "glossary", b, FED_MAX_FEED + 1024 * 1024);
	pull_now(s.node, s.peer, "glossary");
	assert_refused(&s, NULL, "larger than 16 MiB");
	ck_assert_int_eq(stored(s.node, good), 0);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 5);
	q[0] = s.peer->id;
	/*
	 * The glossary stopped, and says why, on its own: the peer's other
	 * collections were pulled, so the peer is not backed off.
	 */
	ck_assert(node_waitv(s.node, "SELECT last_error LIKE '%larger than%'"
	    " AND failures = 0 FROM peers WHERE node = $1", 1, q, 0));
	ck_assert(node_waitv(s.node, "SELECT c.error LIKE 'glossary: %larger"
	    " than%' FROM peer_cursors c JOIN peers p ON p.id = c.peer"
	    " WHERE p.node = $1 AND c.collection = 'glossary'", 1, q, 0));
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM peer_cursors"
	    " c JOIN peers p ON p.id = c.peer WHERE p.node = $1 AND"
	    " c.error IS NOT NULL", s.peer->id), 1);
	assert_serving(s.node);

	page = fake_page(6, b, NULL);
	deliver(&s, page);
	assert_stored(&s, good);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 6);
	free(page);
	free(b);
	free(a);
	free(good);
	free(first);
	scene_down(&s);
}
END_TEST

START_TEST(test_truncated_page_is_refused_and_the_cursor_stays)
{
	struct scene s;
	char *first = fake_uuid(), *g1 = fake_uuid(), *g2 = fake_uuid();
	char *a, *b, *c, *page, *cut;
	const char *q[1];
	size_t at;

	scene_up(&s);
	a = fake_term(s.peer, first, 1, "Before the cut", "Kept.");
	page = fake_page(5, a, NULL);
	deliver(&s, page);
	free(page);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 5);

	b = fake_term(s.peer, g1, 1, "Whole entry", "Before the cut.");
	c = fake_term(s.peer, g2, 1, "Cut entry", "Cut in the middle.");
	page = fake_page(7, b, c, NULL);
	/* Cut in the middle of the second entry's record. */
	at = (size_t)(strstr(page, "Cut in the middle") - page);
	cut = strndup(page, at);
	deliver(&s, cut);
	assert_refused(&s, NULL, "not well-formed XML");
	ck_assert_int_eq(stored(s.node, g1), 0);
	ck_assert_int_eq(stored(s.node, g2), 0);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 5);
	assert_serving(s.node);

	/* The whole page announced, the connection cut half way. */
	fakepeer_serve_cut(s.peer, "glossary", page, at);
	pull_now(s.node, s.peer, "glossary");
	q[0] = s.peer->id;
	ck_assert(node_waitv(s.node, "SELECT c.error IS NOT NULL AND"
	    " p.last_error IS NOT NULL FROM peer_cursors c JOIN peers p"
	    " ON p.id = c.peer WHERE p.node = $1 AND"
	    " c.collection = 'glossary'", 1, q, 0));
	ck_assert_int_eq(stored(s.node, g1), 0);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 5);
	assert_serving(s.node);

	/* Served whole at last: both arrive. */
	deliver(&s, page);
	assert_stored(&s, g1);
	assert_stored(&s, g2);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 7);
	ck_assert(node_waitv(s.node, "SELECT failures = 0 AND last_error IS"
	    " NULL AND NOT EXISTS (SELECT 1 FROM peer_cursors c WHERE"
	    " c.peer = p.id AND c.error IS NOT NULL) FROM peers p"
	    " WHERE node = $1", 1, q, 0));
	free(cut);
	free(page);
	free(c);
	free(b);
	free(a);
	free(g2);
	free(g1);
	free(first);
	scene_down(&s);
}
END_TEST

/* The node entry a peer publishes about itself, listing keys. */
static char *
node_entry_listing(struct fakepeer *p, int version, const char *keys)
{
	struct fake_entry e = { 0 };
	char *fields, *out;

	ck_assert_int_ge(asprintf(&fields, "<acorn:subject>urn:uuid:%s"
	    "</acorn:subject><acorn:name>Fake peer</acorn:name>"
	    "<acorn:region>London</acorn:region><acorn:url>%s</acorn:url>%s",
	    p->id, p->url, keys), 0);
	e.kind = "node";
	e.id = p->id;
	e.version = version;
	e.title = "Fake peer";
	e.fields = fields;
	out = fake_entry(p, &e);
	free(fields);
	return out;
}

/*
 * A peer may list in its own node entry a public key that is another
 * node's (anyone can fetch it).  It cannot sign with it, but the key
 * would be filed under the peer; a coordinator who then pins that node,
 * by that very key, must find the pin working.
 */
START_TEST(test_key_claimed_by_a_peer_yields_to_a_pin)
{
	struct scene s;
	struct fakepeer *third = fakepeer_new("Third node");
	char *keys, *entry, *page, *term = fake_uuid(), *honest;
	const char *q[2];

	scene_up(&s);
	ck_assert_int_ge(asprintf(&keys, "<acorn:key fingerprint=\"%s\">%s"
	    "</acorn:key><acorn:key fingerprint=\"%s\">%s</acorn:key>",
	    s.peer->fingerprint, s.peer->pem, third->fingerprint, third->pem),
	    0);
	entry = node_entry_listing(s.peer, 1, keys);
	page = fake_page(1, entry, NULL);
	deliver_to(s.node, s.peer, "nodes", page);
	free(page);

	ck_assert_int_eq(fakepeer_pin(s.node, third, 0), 0);
	q[0] = third->fingerprint;
	q[1] = third->id;
	ck_assert_msg(node_waitv(s.node, "SELECT EXISTS (SELECT 1 FROM"
	    " node_keys WHERE fingerprint = $1 AND node = $2 AND"
	    " source = 'pinned')", 2, q, 0),
	    "the pinned key is filed under another node");
	honest = fake_term(third, term, 1, "Pinned and trusted", "Kept.");
	page = fake_page(1, honest, NULL);
	deliver_to(s.node, third, "glossary", page);
	ck_assert_msg(stored(s.node, term) == 1, "refused: %s",
	    latest_refusals(s.node));
	assert_serving(s.node);
	free(page);
	free(honest);
	free(entry);
	free(keys);
	free(term);
	fakepeer_free(third);
	scene_down(&s);
}
END_TEST

/* --- identity: who a peer may say it is, and what it may speak for ---- */

/* An administrator of the node (who pins peers), signed in. */
static struct client *
administrator(struct node *n)
{
	char *pw = node_user_add(n, "peers.admin@example.org", "admin");
	struct client *c;

	ck_assert_ptr_nonnull(pw);
	c = client_as(n, "peers.admin@example.org", pw);
	free(pw);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* A node entry by peer by about node about, at url, listing about's key. */
static char *
vouch_entry(struct fakepeer *by, struct fakepeer *about, const char *url)
{
	struct fake_entry e = { 0 };
	char *fields, *out, *id = fake_uuid();

	ck_assert_int_ge(asprintf(&fields, "<acorn:subject>urn:uuid:%s"
	    "</acorn:subject><acorn:name>Vouched node</acorn:name>"
	    "<acorn:region>London</acorn:region><acorn:url>%s</acorn:url>"
	    "<acorn:key fingerprint=\"%s\">%s</acorn:key>", about->id, url,
	    about->fingerprint, about->pem), 0);
	e.kind = "node";
	e.id = id;
	e.title = "Vouched node";
	e.fields = fields;
	out = fake_entry(by, &e);
	free(fields);
	free(id);
	return out;
}

/* A fake peer pinned by the node, its first pull over. */
static struct fakepeer *
pinned_peer(struct node *n, const char *name, int hub)
{
	struct fakepeer *p = fakepeer_new(name);

	ck_assert_int_eq(fakepeer_pin(n, p, hub), 0);
	ck_assert(node_wait(n, "SELECT last_success IS NOT NULL"
	    " FROM peers WHERE node = $1", p->id, SETTLE_MS));
	return p;
}

/* What the node trusts for a node id, as one line. */
static char *
keys_of(struct node *n, const char *id)
{
	char *v = node_sql(n, "SELECT coalesce(string_agg(fingerprint || ' '"
	    " || source || ' ' || coalesce(introducer::text, '-'), ', '"
	    " ORDER BY fingerprint), 'none') FROM node_keys WHERE node = $1",
	    id);

	ck_assert_ptr_nonnull(v);
	return v;
}

/*
 * A node known here only through a hub's word: a peer whose service
 * document claims that node's id, with a key of its own, is refused at
 * pinning with the reason, from the pages and from the command line,
 * and the keys the hub vouched for stay as they were.
 */
START_TEST(test_impostor_claiming_a_vouched_node_is_refused_at_pinning)
{
	struct scene s;
	struct fakepeer *hub, *victim = fakepeer_new("Victim node");
	struct fakepeer *impostor = fakepeer_new("Impostor");
	struct client *co;
	struct resp *r;
	char *entry, *page, *before, *after, *expect;
	const char *q[3];

	scene_up(&s);
	co = administrator(s.node);
	hub = pinned_peer(s.node, "Fake hub", 1);
	entry = vouch_entry(hub, victim, victim->url);
	page = fake_page(1, entry, NULL);
	deliver_to(s.node, hub, "nodes", page);
	q[0] = victim->id;
	q[1] = victim->fingerprint;
	q[2] = hub->id;
	ck_assert_msg(node_waitv(s.node, "SELECT EXISTS (SELECT 1 FROM"
	    " node_keys WHERE node = $1 AND fingerprint = $2 AND"
	    " source = 'vouched' AND introducer = $3)", 3, q, 0),
	    "the hub's word was not taken: %s", latest_refusals(s.node));
	before = keys_of(s.node, victim->id);

	fakepeer_claim(impostor, victim->id, "Victim node", "London");
	r = form_post(co, "/admin/peers", "/admin/peers", "url",
	    impostor->url, "fingerprint", impostor->fingerprint, NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "There is a problem"));
	ck_assert(resp_has(r, "cannot be added"));
	ck_assert(resp_has(r, victim->id));
	ck_assert(resp_has(r, "vouched for by the hub Fake hub"));
	ck_assert(!resp_has(r, "Confirm and add peer"));
	resp_free(r);
	/* Nor by the command line, which pins without the pages. */
	ck_assert_int_ne(fakepeer_pin(s.node, impostor, 0), 0);

	after = keys_of(s.node, victim->id);
	ck_assert_str_eq(after, before);
	ck_assert_int_ge(asprintf(&expect, "%s vouched %s", victim->fingerprint,
	    hub->id), 0);
	ck_assert_str_eq(after, expect);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM node_keys"
	    " WHERE fingerprint = $1", impostor->fingerprint), 0);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM peers"
	    " WHERE url = $1", impostor->url), 0);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM peers"
	    " WHERE node = $1", victim->id), 0);
	assert_serving(s.node);
	free(expect);
	free(after);
	free(before);
	free(page);
	free(entry);
	client_free(co);
	fakepeer_free(impostor);
	fakepeer_free(victim);
	fakepeer_free(hub);
	scene_down(&s);
}
END_TEST

/*
 * Adding a peer is two steps: the first shows the id, name, region and
 * fingerprint the peer claims and stores nothing; the confirmation
 * carries what was shown, and an answer that changed in between is
 * refused.  Without the form's token nothing happens.
 */
START_TEST(test_pinning_shows_the_claim_and_refuses_a_changed_one)
{
	struct scene s;
	struct fakepeer *cand = fakepeer_new("Candidate node");
	struct client *co;
	struct resp *r;
	char *claim, groups[32], id[64];

	scene_up(&s);
	co = administrator(s.node);
	fakepeer_claim(cand, NULL, "Candidate node", "North West");
	r = form_post(co, "/admin/peers", "/admin/peers", "url", cand->url,
	    "fingerprint", cand->fingerprint, NULL);
	ck_assert_int_eq(r->status, 200);
	snprintf(id, sizeof(id), "urn:uuid:%s", cand->id);
	snprintf(groups, sizeof(groups), "%.4s %.4s %.4s", cand->fingerprint,
	    cand->fingerprint + 4, cand->fingerprint + 8);
	ck_assert(resp_has(r, "Add Candidate node as a peer?"));
	ck_assert(resp_has(r, id));
	ck_assert(resp_has(r, "North West"));
	ck_assert(resp_has(r, groups));
	ck_assert(resp_has(r, "Confirm and add peer"));
	ck_assert_ptr_nonnull(claim = form_field(r->body, "claim"));
	ck_assert_uint_eq(strlen(claim), 64);
	resp_free(r);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM peers"
	    " WHERE node = $1", cand->id), 0);

	/* The confirmation without the session's token. */
	r = http_post(co, "/admin/peers", "url", cand->url, "fingerprint",
	    cand->fingerprint, "claim", claim, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM peers"
	    " WHERE node = $1", cand->id), 0);

	/* The peer's answer changes between the two steps. */
	fakepeer_claim(cand, NULL, "Someone else entirely", "North West");
	r = form_post(co, "/admin/peers", "/admin/peers", "url", cand->url,
	    "fingerprint", cand->fingerprint, "claim", claim, NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "has changed since it was shown to you"));
	ck_assert(resp_has(r, "Someone else entirely"));
	resp_free(r);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM peers"
	    " WHERE node = $1", cand->id), 0);

	/* Back as it was shown: confirmed, it is pinned as shown. */
	fakepeer_claim(cand, NULL, "Candidate node", "North West");
	r = form_post(co, "/admin/peers", "/admin/peers", "url", cand->url,
	    "fingerprint", cand->fingerprint, "claim", claim, NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/admin/peers?done=added"));
	resp_free(r);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM peers"
	    " WHERE node = $1 AND name = 'Candidate node'"
	    " AND region = 'North West' AND NOT hub", cand->id), 1);
	assert_serving(s.node);
	free(claim);
	client_free(co);
	fakepeer_free(cand);
	scene_down(&s);
}
END_TEST

/*
 * A peer that is not a hub here speaks only for itself: its own node
 * entry is taken, its word about a third node is not (neither name,
 * key nor address), where a hub's is.
 */
START_TEST(test_plain_peer_speaks_only_for_itself)
{
	struct scene s;
	struct fakepeer *third = fakepeer_new("Third node"), *hub;
	char *keys, *own, *about, *page, *url;
	const char *q[2];

	scene_up(&s);
	ck_assert_int_ge(asprintf(&keys, "<acorn:key fingerprint=\"%s\">%s"
	    "</acorn:key>", s.peer->fingerprint, s.peer->pem), 0);
	own = node_entry_listing(s.peer, 1, keys);
	about = vouch_entry(s.peer, third, "http://127.0.0.1:9");
	page = fake_page(2, own, about, NULL);
	deliver_to(s.node, s.peer, "nodes", page);
	free(page);

	q[0] = s.peer->id;
	ck_assert_msg(node_waitv(s.node, "SELECT EXISTS (SELECT 1 FROM nodes"
	    " WHERE origin = $1 AND subject = $1 AND NOT deleted)", 1, q, 0),
	    "the peer's own node entry was not taken: %s",
	    latest_refusals(s.node));
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM nodes"
	    " WHERE subject = $1", third->id), 0);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM known_nodes"
	    " WHERE id = $1", third->id), 0);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM node_keys"
	    " WHERE node = $1", third->id), 0);
	/* Where a registration for the third node's events would go. */
	ck_assert(node_wait(s.node, "SELECT acorn_node_url($1) IS NULL",
	    third->id, 0));

	/* The same word from a hub pinned here is taken. */
	hub = pinned_peer(s.node, "Fake hub", 1);
	free(about);
	about = vouch_entry(hub, third, third->url);
	page = fake_page(1, about, NULL);
	deliver_to(s.node, hub, "nodes", page);
	q[0] = third->id;
	q[1] = third->url;
	ck_assert_msg(node_waitv(s.node, "SELECT acorn_node_url($1) = $2",
	    2, q, 0), "the hub's word was not taken: %s",
	    latest_refusals(s.node));
	url = node_text(s.node, "SELECT url FROM known_nodes WHERE id = $1",
	    third->id);
	ck_assert_str_eq(url, third->url);
	assert_serving(s.node);
	free(url);
	free(page);
	free(about);
	free(own);
	free(keys);
	fakepeer_free(hub);
	fakepeer_free(third);
	scene_down(&s);
}
END_TEST

/*
 * A record id belongs to the origin first stored for it.  A second
 * trusted peer publishing an entry, then a tombstone, under that id is
 * refused: the record keeps its owner's content and is not deleted,
 * its owner can still change it, and the sync page names both nodes.
 */
START_TEST(test_second_origin_claiming_a_record_is_refused_and_shown)
{
	struct scene s;
	struct fakepeer *claimant;
	struct fake_entry e = { 0 };
	struct client *co;
	struct resp *r;
	char *term = fake_uuid(), *entry, *page, *rid;
	const char *why = "claims a record that belongs to another node";
	const char *q[2];

	scene_up(&s);
	co = administrator(s.node);
	claimant = pinned_peer(s.node, "Claimant node", 0);
	entry = fake_term(s.peer, term, 1, "Link worker", "The owner's word.");
	page = fake_page(1, entry, NULL);
	deliver(&s, page);
	free(page);
	free(entry);
	assert_stored(&s, term);

	entry = fake_term(claimant, term, 5, "Link worker", "Overwritten.");
	page = fake_page(1, entry, NULL);
	deliver_to(s.node, claimant, "glossary", page);
	free(page);
	free(entry);
	e.id = term;
	e.version = 6;
	e.deleted = 1;
	entry = fake_entry(claimant, &e);
	page = fake_page(2, entry, NULL);
	deliver_to(s.node, claimant, "glossary", page);
	free(page);
	free(entry);

	ck_assert_int_ge(refusals(s.node, claimant->id, term, why), 2);
	q[0] = term;
	q[1] = s.peer->id;
	ck_assert(node_waitv(s.node, "SELECT EXISTS (SELECT 1 FROM"
	    " glossary_terms WHERE id = $1 AND origin = $2 AND version = 1"
	    " AND NOT deleted AND definition = 'The owner''s word.')", 2, q,
	    0));

	r = http_get(co, "/admin/sync");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Records claimed by two nodes"));
	ck_assert_int_ge(asprintf(&rid, "urn:uuid:%s", term), 0);
	ck_assert(resp_has(r, rid));
	ck_assert(resp_has(r, "Fake peer"));
	ck_assert(resp_has(r, "Claimant node"));
	ck_assert(resp_has(r, "2 times"));
	resp_free(r);

	/* The owner still changes its own record. */
	entry = fake_term(s.peer, term, 2, "Link worker", "Still the owner.");
	page = fake_page(3, entry, NULL);
	deliver(&s, page);
	ck_assert(node_waitv(s.node, "SELECT EXISTS (SELECT 1 FROM"
	    " glossary_terms WHERE id = $1 AND origin = $2 AND version = 2"
	    " AND definition = 'Still the owner.')", 2, q, 0));
	assert_serving(s.node);
	free(rid);
	free(page);
	free(entry);
	free(term);
	client_free(co);
	fakepeer_free(claimant);
	scene_down(&s);
}
END_TEST

/*
 * A would-be peer whose service document never comes costs the
 * coordinator's request a few seconds, not twenty; one whose document
 * is large is not read past a few KiB; and the node serves on.
 */
START_TEST(test_hung_service_document_answers_within_the_bound)
{
	struct scene s;
	struct fakepeer *slow = fakepeer_new("Slow node");
	struct fakepeer *big = fakepeer_new("Big node");
	struct client *co;
	struct resp *r;
	struct timespec t0, t1;
	char *name;
	double secs;

	scene_up(&s);
	co = administrator(s.node);
	fakepeer_hang_service(slow);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = form_post(co, "/admin/peers", "/admin/peers", "url", slow->url,
	    "fingerprint", slow->fingerprint, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Could not fetch the service document"));
	resp_free(r);
	/*
	 * feeds/peers.c gives the key and the service document 4 s in
	 * all: with the form's own round trip under 6 s, and still over
	 * the 7 s two fetches of 3.5 s each would take.
	 */
	ck_assert_msg(secs < 6.0, "adding a hung peer took %.1f s", secs);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM peers"
	    " WHERE url = $1", slow->url), 0);

	/* A service document past the small limit is not read on. */
	ck_assert_ptr_nonnull(name = malloc(40 * 1024 + 1));
	memset(name, 'n', 40 * 1024);
	name[40 * 1024] = '\0';
	fakepeer_claim(big, NULL, name, "London");
	r = form_post(co, "/admin/peers", "/admin/peers", "url", big->url,
	    "fingerprint", big->fingerprint, NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "larger than"));
	resp_free(r);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM peers"
	    " WHERE url = $1", big->url), 0);
	assert_serving(s.node);
	free(name);
	client_free(co);
	fakepeer_free(big);
	fakepeer_free(slow);
	scene_down(&s);
}
END_TEST

/*
 * A peer that takes the connection and never answers holds up nobody
 * else: each peer has its puller, and the node goes on serving.
 */
START_TEST(test_hung_peer_holds_up_no_other)
{
	struct scene s;
	struct fakepeer *hung = fakepeer_new("Hung peer");
	char *good = fake_uuid(), *honest, *page, *since;
	const char *q[2];

	scene_up(&s);
	ck_assert_int_eq(fakepeer_pin(s.node, hung, 0), 0);
	ck_assert(node_wait(s.node, "SELECT last_success IS NOT NULL"
	    " FROM peers WHERE node = $1", hung->id, SETTLE_MS));
	since = node_text(s.node, "SELECT last_attempt FROM peers"
	    " WHERE node = $1", hung->id);
	fakepeer_hang(hung);
	/* Its puller is now waiting on an answer that will not come. */
	ck_assert_int_eq(fakepeer_ping(s.node, hung), 202);

	honest = fake_term(s.peer, good, 1, "Not held up", "Kept.");
	page = fake_page(1, honest, NULL);
	deliver(&s, page);
	assert_stored(&s, good);
	q[0] = hung->id;
	q[1] = since;
	ck_assert_msg(node_waitv(s.node, "SELECT last_attempt ="
	    " $2::timestamptz FROM peers WHERE node = $1", 2, q, 0),
	    "the hung peer's pull is over already: this proves nothing");
	assert_serving(s.node);
	free(page);
	free(honest);
	free(since);
	free(good);
	scene_down(&s);
	fakepeer_free(hung);
}
END_TEST

/* Faults, between real nodes. */

#define TOTAL		3000	/* terms on the node killed while pulling */

static char *
add_term(struct node *n, const char *term)
{
	return node_text(n, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " $1, 'Defined on its home node.') RETURNING id", term);
}

static int
has_term(struct node *n, const char *id, int ms)
{
	return node_wait(n, "SELECT EXISTS (SELECT 1 FROM glossary_terms"
	    " WHERE id = $1 AND NOT deleted)", id, ms);
}


static int
by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Reads a node's glossary feed for peers from the start, page after
 * page, as a peer would: the number of entries, which must each appear
 * once.
 */
static int
feed_entries_once(struct node *n, int most)
{
	struct client *c = client_new(n);
	struct resp *r;
	char path[256], **ids, *p, *next;
	int count = 0, pages = 0, i;

	ck_assert_ptr_nonnull(ids = calloc((size_t)most + 1, sizeof(*ids)));
	snprintf(path, sizeof(path), "/feeds/glossary?after=0");
	for (;;) {
		r = http_get(c, path);
		ck_assert_int_eq(r->status, 200);
		for (p = r->body; (p = strstr(p, "<entry ")) != NULL; p++) {
			ck_assert_int_lt(count, most);
			ck_assert_ptr_nonnull(p = strstr(p, "<id>urn:uuid:"));
			ids[count++] = strndup(p + 13, FED_UUID_LEN);
		}
		next = strstr(r->body, "rel=\"next\"");
		if (next == NULL) {
			resp_free(r);
			break;
		}
		ck_assert_ptr_nonnull(next = strstr(next,
		    "/feeds/glossary?after="));
		snprintf(path, sizeof(path), "%.*s", (int)strcspn(next, "\""),
		    next);
		resp_free(r);
		ck_assert_int_lt(++pages, 100);
	}
	qsort(ids, (size_t)count, sizeof(*ids), by_text);
	for (i = 1; i < count; i++)
		ck_assert_msg(strcmp(ids[i - 1], ids[i]) != 0,
		    "%s is in the feed twice", ids[i]);
	for (i = 0; i < count; i++)
		free(ids[i]);
	free(ids);
	client_free(c);
	return count;
}

/*
 * A node killed outright while it pulls loses nothing and takes nothing
 * twice: each page was merged in one transaction with its cursor.
 */
START_TEST(test_kill_during_sync_loses_and_repeats_nothing)
{
	struct node *a = node_new("Large node", NULL);
	struct node *b = node_new("Crashing node", "sync_interval = 1");
	char total[16], *a_id, *served;
	const char *q[2];
	long partial;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	snprintf(total, sizeof(total), "%d", TOTAL);
	free(node_sql(a, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) SELECT gen_random_uuid(), (SELECT id FROM node),"
	    " 'Term ' || g, 'Meaning ' || g FROM generate_series(1, $1::int) g"
	    " RETURNING 1", total));
	ck_assert_int_eq(node_serve(a), 0);
	ck_assert_int_eq(node_serve(b), 0);
	a_id = node_text(a, "SELECT id FROM node", NULL);
	q[0] = a_id;
	q[1] = total;
	ck_assert_int_eq(node_peer(b, a, 0), 0);
	ck_assert_msg(node_waitv(b, "SELECT count(*) > 0 AND count(*) < $2::int"
	    " FROM glossary_terms WHERE origin = $1", 2, q, 60000),
	    "never caught the node part way through");
	node_kill(b);
	partial = node_num(b, "SELECT count(*) FROM glossary_terms"
	    " WHERE origin = $1", a_id);
	ck_assert(partial > 0 && partial < TOTAL);

	ck_assert_int_eq(node_serve(b), 0);
	ck_assert_msg(node_waitv(b, "SELECT count(*) = $2::int FROM"
	    " glossary_terms WHERE origin = $1", 2, q, 120000),
	    "the restarted node never caught up");
	ck_assert_int_eq(node_num(b, "SELECT count(DISTINCT id) FROM"
	    " glossary_terms WHERE origin = $1", a_id), TOTAL);
	/* Its cursor is at the peer's newest change... */
	served = node_text(a, "SELECT max(seq) FROM glossary_terms", NULL);
	q[1] = served;
	ck_assert(node_waitv(b, "SELECT c.seq = $2::bigint FROM peer_cursors c"
	    " JOIN peers p ON p.id = c.peer WHERE p.node = $1"
	    " AND c.collection = 'glossary'", 2, q, SETTLE_MS));
	/* ...and what it relays, it relays once. */
	ck_assert_int_eq(feed_entries_once(b, TOTAL + 10), TOTAL);
	assert_serving(b);
	free(served);
	free(a_id);
	node_free(a);
	node_free(b);
}
END_TEST

/*
 * A node back after a long outage is caught up at once both ways: it
 * pulls what its peers wrote meanwhile, and by pinging them on starting
 * it has them pull what was written to it meanwhile, long before their
 * backed-off next try.
 */
START_TEST(test_peer_back_from_an_outage_is_caught_up_at_once)
{
	struct node *a = node_new("Returning node", "sync_interval = 1");
	struct node *b = node_new("Waiting node", "sync_interval = 1");
	char url[64], *a_id, *before, *on_a, *on_b, *due;
	const char *q[1];
	int port;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(node_serve(a), 0);
	ck_assert_int_eq(node_serve(b), 0);
	ck_assert_int_eq(node_peer(a, b, 0), 0);
	ck_assert_int_eq(node_peer(b, a, 0), 0);
	a_id = node_text(a, "SELECT id FROM node", NULL);
	before = add_term(a, "Before the outage");
	ck_assert(has_term(b, before, SETTLE_MS));

	port = node_port(a);
	snprintf(url, sizeof(url), "%s", a->url);
	ck_assert_int_eq(node_stop(a), 0);
	on_b = add_term(b, "Written on B during the outage");
	on_a = add_term(a, "Written on A during the outage");
	/* B keeps failing to reach A, and waits longer each time. */
	q[0] = a_id;
	ck_assert_msg(node_waitv(b, "SELECT failures >= 2 AND next_attempt >"
	    " now() + interval '8 seconds' FROM peers WHERE node = $1", 1, q,
	    120000), "B never backed off");
	due = node_text(b, "SELECT extract(epoch FROM next_attempt)"
	    " FROM peers WHERE node = $1", a_id);

	ck_assert_int_eq(node_serve_port(a, port), 0);
	ck_assert_str_eq(a->url, url);
	ck_assert_msg(has_term(b, on_a, SETTLE_MS),
	    "B never took what A wrote while down");
	q[0] = due;
	ck_assert_msg(node_waitv(b, "SELECT now() < to_timestamp($1::float8)",
	    1, q, 0), "it came only with B's next try, not with A's ping");
	ck_assert_msg(has_term(a, on_b, SETTLE_MS),
	    "A never took what B wrote meanwhile");
	ck_assert(node_wait(b, "SELECT failures = 0 FROM peers"
	    " WHERE node = $1", a_id, SETTLE_MS));
	free(due);
	free(on_a);
	free(on_b);
	free(before);
	free(a_id);
	node_free(a);
	node_free(b);
}
END_TEST

/*
 * Rotation: the node entry signed by the old key announces the new one,
 * entries signed by either are taken during the overlap, and once the
 * old key is retired its signature counts for nothing.
 */
START_TEST(test_key_rotation_is_learnt_and_the_retired_key_refused)
{
	struct node *a = node_new("Rotating node", NULL);
	struct node *h = node_new("Hub", "sync_interval = 1");
	struct fakepeer *relay;
	struct fake_entry e = { 0 };
	EVP_PKEY *old_key;
	char old_path[600], *a_id, *old_fp, *new_fp, *t1, *t2, *x1, *x2;
	char *xml, *entry, *page;
	const char *q[3];
	const char *untrusted = "signed by a key this node does not trust";
	int port;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(node_serve(a), 0);
	ck_assert_int_eq(node_serve(h), 0);
	ck_assert_int_eq(node_peer(h, a, 0), 0);
	relay = fakepeer_new("Relay");
	ck_assert_int_eq(fakepeer_pin(h, relay, 0), 0);
	a_id = node_text(a, "SELECT id FROM node", NULL);
	ck_assert_ptr_nonnull(old_fp = node_fingerprint(a));

	port = node_port(a);
	ck_assert_int_eq(node_stop(a), 0);
	ck_assert_int_eq(node_run(a, "keygen", "--rotate", NULL), 0);
	ck_assert_ptr_nonnull(new_fp = node_fingerprint(a));
	ck_assert_str_ne(old_fp, new_fp);
	/* The old key, kept aside before it is retired. */
	snprintf(old_path, sizeof(old_path), "%.*s.key.old",
	    (int)strlen(a->conf) - 5, a->conf);
	ck_assert_ptr_nonnull(old_key = fed_key_load(old_path));
	ck_assert_int_eq(node_serve_port(a, port), 0);

	q[0] = a_id;
	q[1] = old_fp;
	q[2] = new_fp;
	ck_assert_msg(node_waitv(h, "SELECT count(*) = 2 FROM node_keys"
	    " WHERE node = $1 AND fingerprint IN ($2, $3)", 3, q, SETTLE_MS),
	    "the hub never learnt the new key");
	t1 = add_term(a, "Signed by the new key");
	ck_assert(has_term(h, t1, SETTLE_MS));
	q[1] = t1;
	ck_assert(node_waitv(h, "SELECT entry LIKE '%' || $3 || '%' FROM"
	    " glossary_terms WHERE id = $2 AND origin = $1", 3, q, 0));

	/* During the overlap an entry signed by the old key still counts. */
	x1 = fake_uuid();
	e.id = x1;
	e.origin = a_id;
	e.fields = "<acorn:term>Signed by the old key</acorn:term>"
	    "<acorn:definition>Taken during the overlap.</acorn:definition>";
	xml = fake_entry_xml(relay, &e);
	entry = fake_sign(xml, old_key);
	free(xml);
	page = fake_page(1, entry, NULL);
	deliver_to(h, relay, "glossary", page);
	free(page);
	free(entry);
	ck_assert_msg(has_term(h, x1, 0), "refused: %s", latest_refusals(h));

	/* Retired: the next node entry lists the new key alone. */
	ck_assert_int_eq(node_stop(a), 0);
	ck_assert_int_eq(node_run(a, "keygen", "--retire", NULL), 0);
	ck_assert_int_eq(node_serve_port(a, port), 0);
	q[1] = new_fp;
	ck_assert_msg(node_waitv(h, "SELECT count(*) = 1 AND bool_and("
	    "fingerprint = $2) FROM node_keys WHERE node = $1", 2, q,
	    SETTLE_MS), "the hub never dropped the old key");
	t2 = add_term(a, "After the overlap");
	ck_assert(has_term(h, t2, SETTLE_MS));

	x2 = fake_uuid();
	e.id = x2;
	e.fields = "<acorn:term>Signed by the retired key</acorn:term>"
	    "<acorn:definition>Refused once it is retired.</acorn:definition>";
	xml = fake_entry_xml(relay, &e);
	entry = fake_sign(xml, old_key);
	free(xml);
	page = fake_page(2, entry, NULL);
	deliver_to(h, relay, "glossary", page);
	ck_assert_int_gt(refusals(h, relay->id, x2, untrusted), 0);
	ck_assert_int_gt(metric(h, untrusted), 0);
	ck_assert_int_eq(stored(h, x2), 0);
	assert_serving(h);
	free(page);
	free(entry);
	free(x2);
	free(x1);
	free(t2);
	free(t1);
	EVP_PKEY_free(old_key);
	free(new_fp);
	free(old_fp);
	free(a_id);
	fakepeer_free(relay);
	node_free(a);
	node_free(h);
}
END_TEST

/*
 * Regions that pin only the hub, as a hub, take each other's entries on
 * its word; a region that pinned it as a plain peer reads its own
 * records alone, and learns no third node's key from it.
 */
START_TEST(test_hub_vouches_and_a_plain_peer_does_not)
{
	struct node *hub = node_new("National hub", "region = National\n"
	    "sync_interval = 1");
	struct node *r1 = node_new("Region one", "sync_interval = 1");
	struct node *r2 = node_new("Region two", "region = London\n"
	    "sync_interval = 1");
	struct node *r3 = node_new("Region three", "region = South West\n"
	    "sync_interval = 1");
	const char *untrusted = "signed by a key this node does not trust";
	char *hub_id, *r1_id, *r1_fp, *term, *own;
	const char *q[3];

	ck_assert_ptr_nonnull(hub);
	ck_assert_ptr_nonnull(r1);
	ck_assert_ptr_nonnull(r2);
	ck_assert_ptr_nonnull(r3);
	ck_assert_int_eq(node_serve(hub), 0);
	ck_assert_int_eq(node_serve(r1), 0);
	ck_assert_int_eq(node_serve(r2), 0);
	ck_assert_int_eq(node_serve(r3), 0);
	ck_assert_int_eq(node_peer(hub, r1, 0), 0);
	ck_assert_int_eq(node_peer(hub, r2, 0), 0);
	ck_assert_int_eq(node_peer(hub, r3, 0), 0);
	ck_assert_int_eq(node_peer(r1, hub, 1), 0);
	ck_assert_int_eq(node_peer(r2, hub, 1), 0);
	ck_assert_int_eq(node_peer(r3, hub, 0), 0);
	hub_id = node_text(hub, "SELECT id FROM node", NULL);
	r1_id = node_text(r1, "SELECT id FROM node", NULL);
	ck_assert_ptr_nonnull(r1_fp = node_fingerprint(r1));

	term = add_term(r1, "Known through the hub");
	ck_assert_msg(has_term(r2, term, SETTLE_MS),
	    "region two never took region one's entry from the hub");
	ck_assert_int_eq(node_num(r2, "SELECT count(*) FROM peers"
	    " WHERE node = $1", r1_id), 0);
	q[0] = r1_id;
	q[1] = r1_fp;
	q[2] = hub_id;
	ck_assert(node_waitv(r2, "SELECT EXISTS (SELECT 1 FROM node_keys"
	    " WHERE node = $1 AND fingerprint = $2 AND source = 'vouched'"
	    " AND introducer = $3)", 3, q, 0));

	/*
	 * Region three pins the hub as a plain peer: it reads the hub's
	 * own records alone (the hub's term comes), takes no key from it,
	 * and keeps nothing of its word about region one.
	 */
	own = add_term(hub, "The hub's own");
	ck_assert_msg(has_term(r3, own, SETTLE_MS),
	    "region three never read the hub's own record");
	q[1] = hub_id;
	ck_assert(node_waitv(r3, "SELECT NOT EXISTS (SELECT 1 FROM nodes"
	    " WHERE origin = $2 AND subject = $1)", 2, q, 0));
	ck_assert_int_eq(stored(r3, term), 0);
	ck_assert_int_eq(refusals(r3, hub_id, term, untrusted), 0);
	ck_assert_int_eq(node_num(r3, "SELECT count(*) FROM node_keys"
	    " WHERE node = $1", r1_id), 0);
	assert_serving(r3);
	free(own);
	free(term);
	free(r1_fp);
	free(r1_id);
	free(hub_id);
	node_free(hub);
	node_free(r1);
	node_free(r2);
	node_free(r3);
}
END_TEST

/* CPU time the process has used, in clock ticks. */
static long
cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long utime, stime;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After the command's name: state is field 3, utime 14, stime 15. */
	ck_assert_ptr_nonnull(p = strrchr(buf, ')'));
	ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u"
	    " %*u %*u %lu %lu", &utime, &stime), 2);
	return (long)(utime + stime);
}

/*
 * Two processes serving one node pull each peer one at a time: the one
 * that finds the pull under way waits for it, without spinning, and
 * pulls once it is over.
 */
START_TEST(test_pull_under_way_elsewhere_is_waited_for)
{
	struct node *a = node_new("Pulled node", NULL);
	struct node *b = node_new("Busy node", "sync_interval = 1");
	char info[512], *a_id, *row, *term;
	const char *q[1];
	PGconn *other;
	PGresult *res;
	long ticks;
	struct timespec window = { 3, 0 };

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(node_serve(a), 0);
	ck_assert_int_eq(node_serve(b), 0);
	ck_assert_int_eq(node_peer(b, a, 0), 0);
	a_id = node_text(a, "SELECT id FROM node", NULL);
	ck_assert(node_wait(b, "SELECT last_success IS NOT NULL FROM peers"
	    " WHERE node = $1", a_id, SETTLE_MS));
	row = node_text(b, "SELECT id FROM peers WHERE node = $1", a_id);

	/* As another process serving B would while it pulls A. */
	snprintf(info, sizeof(info), "host=%s user=acorn dbname=%s",
	    getenv("ACORN_TEST_PGHOST"), b->db);
	other = PQconnectdb(info);
	ck_assert_int_eq(PQstatus(other), CONNECTION_OK);
	q[0] = row;
	res = PQexecParams(other, "SELECT pg_advisory_lock(7234018,"
	    " $1::integer)", 1, NULL, q, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	term = add_term(a, "Pulled once the other is done");
	ticks = cpu_ticks(b->pid);
	/* A window to measure in, B due every second all through it. */
	nanosleep(&window, NULL);
	ticks = cpu_ticks(b->pid) - ticks;
	ck_assert_msg(ticks < sysconf(_SC_CLK_TCK) / 10,
	    "B used %ld ticks of CPU in 3 s waiting for the pull", ticks);
	ck_assert_int_eq(stored(b, term), 0);

	res = PQexecParams(other, "SELECT pg_advisory_unlock(7234018,"
	    " $1::integer)", 1, NULL, q, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	PQfinish(other);
	ck_assert(has_term(b, term, SETTLE_MS));
	free(term);
	free(row);
	free(a_id);
	node_free(a);
	node_free(b);
}
END_TEST

/* --- what one peer can cost, and what unpinning takes ----------------- */

/*
 * A page that says more follows but whose cursor does not move on would
 * be read again and again: it is refused, said why where coordinators
 * look, and read once a pull.
 */
START_TEST(test_next_page_that_does_not_move_on_is_refused)
{
	struct scene s;
	char *id = fake_uuid(), *term, *page, *looping, *error;
	const char *why = "the next page does not move on";
	int before;

	scene_up(&s);
	term = fake_term(s.peer, id, 1, "Round and round", "Again.");
	page = fake_page(0, term, NULL);
	looping = fake_edit(page, "<acorn:cursor>", "<link rel=\"next\""
	    " href=\"/feeds/glossary?after=0\"/><acorn:cursor>");
	before = fakepeer_requests(s.peer, "glossary");
	deliver(&s, looping);
	assert_refused(&s, NULL, why);
	ck_assert_int_eq(stored(s.node, id), 0);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 0);
	error = node_text(s.node, "SELECT c.error FROM peer_cursors c"
	    " JOIN peers p ON p.id = c.peer WHERE p.node = $1"
	    " AND c.collection = 'glossary'", s.peer->id);
	ck_assert_msg(error != NULL && strstr(error, why) != NULL, "%s",
	    error != NULL ? error : "no error noted");
	/* Once for the pull asked for, not over and over. */
	ck_assert_int_le(fakepeer_requests(s.peer, "glossary") - before, 2);
	assert_serving(s.node);
	free(error);
	free(looping);
	free(page);
	free(term);
	free(id);
	scene_down(&s);
}
END_TEST

/*
 * A key learnt makes the node read again what it refused for want of a
 * key, from where it was refused, and nothing else: a peer that
 * announces key after key cannot make the node read the whole network
 * again.
 */
START_TEST(test_key_learnt_rereads_only_what_was_refused)
{
	struct scene s;
	struct fakepeer *hub, *third = fakepeer_new("Third node");
	char *own = fake_uuid(), *relayed = fake_uuid(), *t1, *t3, *p1, *p3;
	char *vouch, *nodes;

	scene_up(&s);
	hub = pinned_peer(s.node, "Fake hub", 1);
	t1 = fake_term(s.peer, own, 1, "The peer's own", "Kept.");
	p1 = fake_page(4, t1, NULL);
	deliver(&s, p1);
	assert_stored(&s, own);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 4);
	/* The hub relays a third node's term before vouching for it. */
	t3 = fake_term(third, relayed, 1, "Relayed", "Not yet trusted.");
	p3 = fake_page(3, t3, NULL);
	deliver_to(s.node, hub, "glossary", p3);
	ck_assert_int_gt(refusals(s.node, hub->id, relayed, FED_UNTRUSTED), 0);
	ck_assert_int_eq(stored(s.node, relayed), 0);

	/* From here on, the lowest cursor each is asked for. */
	fakepeer_serve(s.peer, "glossary", p1);
	fakepeer_serve(hub, "glossary", p3);
	vouch = vouch_entry(hub, third, third->url);
	nodes = fake_page(2, vouch, NULL);
	deliver_to(s.node, hub, "nodes", nodes);
	ck_assert_msg(node_wait(s.node, "SELECT count(*) = 1 FROM"
	    " glossary_terms WHERE id = $1", relayed, SETTLE_MS),
	    "the refused term was not read again: %s",
	    latest_refusals(s.node));
	ck_assert_int_eq(fakepeer_lowest_after(hub, "glossary"), 0);
	/* The plain peer's glossary had nothing refused: read on from 4. */
	pull_now(s.node, s.peer, "glossary");
	ck_assert_int_eq(fakepeer_lowest_after(s.peer, "glossary"), 4);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 4);
	assert_serving(s.node);
	free(nodes);
	free(vouch);
	free(p3);
	free(t3);
	free(p1);
	free(t1);
	free(relayed);
	free(own);
	fakepeer_free(third);
	fakepeer_free(hub);
	scene_down(&s);
}
END_TEST

/*
 * A hub's word counts while it is a hub: unpinned, the keys it vouched
 * for go with it, and what they sign is refused.
 */
START_TEST(test_unpinning_a_hub_takes_the_keys_it_vouched_for)
{
	struct scene s;
	struct fakepeer *hub, *third = fakepeer_new("Third node");
	char *vouch, *nodes, *keys, *id = fake_uuid(), *term, *page;
	const char *q[3];

	scene_up(&s);
	hub = pinned_peer(s.node, "Fake hub", 1);
	vouch = vouch_entry(hub, third, third->url);
	nodes = fake_page(1, vouch, NULL);
	deliver_to(s.node, hub, "nodes", nodes);
	q[0] = third->id;
	q[1] = third->fingerprint;
	q[2] = hub->id;
	ck_assert_msg(node_waitv(s.node, "SELECT EXISTS (SELECT 1 FROM"
	    " node_keys WHERE node = $1 AND fingerprint = $2 AND"
	    " source = 'vouched' AND introducer = $3)", 3, q, 0),
	    "the hub's word was not taken: %s", latest_refusals(s.node));

	ck_assert_int_eq(node_run(s.node, "peer", "remove", hub->url, NULL),
	    0);
	keys = keys_of(s.node, third->id);
	ck_assert_str_eq(keys, "none");
	/* What the third node signs, relayed by a peer, is refused now. */
	term = fake_term(third, id, 1, "Vouched no more", "Refused.");
	page = fake_page(1, term, NULL);
	deliver(&s, page);
	ck_assert_int_gt(refusals(s.node, s.peer->id, id, FED_UNTRUSTED), 0);
	ck_assert_int_eq(stored(s.node, id), 0);
	/* The plain peer's own key stays. */
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM node_keys"
	    " WHERE node = $1", s.peer->id), 1);
	assert_serving(s.node);
	free(page);
	free(term);
	free(keys);
	free(nodes);
	free(vouch);
	free(id);
	fakepeer_free(third);
	fakepeer_free(hub);
	scene_down(&s);
}
END_TEST

/*
 * A key trusted here for one node is never pinned for another: a peer
 * serving a vouched node's key under a new id is refused, told whose
 * key it is, and the key stays where it was.
 */
START_TEST(test_key_trusted_for_one_node_is_not_pinned_for_another)
{
	struct scene s;
	struct fakepeer *hub, *victim = fakepeer_new("Victim node");
	struct client *co;
	struct resp *r;
	char *vouch, *nodes, *before, *after, *other = fake_uuid();

	scene_up(&s);
	co = administrator(s.node);
	hub = pinned_peer(s.node, "Fake hub", 1);
	vouch = vouch_entry(hub, victim, victim->url);
	nodes = fake_page(1, vouch, NULL);
	deliver_to(s.node, hub, "nodes", nodes);
	ck_assert(node_wait(s.node, "SELECT count(*) = 1 FROM node_keys"
	    " WHERE node = $1", victim->id, SETTLE_MS));
	before = keys_of(s.node, victim->id);

	/* The same key, at the same address, claiming another id. */
	fakepeer_claim(victim, other, "Someone new", "London");
	r = form_post(co, "/admin/peers", "/admin/peers", "url",
	    victim->url, "fingerprint", victim->fingerprint, NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "cannot be added"));
	ck_assert(resp_has(r, "Its key is already trusted here for"));
	ck_assert(resp_has(r, victim->id));
	ck_assert(!resp_has(r, "Confirm and add peer"));
	resp_free(r);
	ck_assert_int_ne(fakepeer_pin(s.node, victim, 0), 0);

	after = keys_of(s.node, victim->id);
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM node_keys"
	    " WHERE node = $1", other), 0);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM peers"
	    " WHERE url = $1", victim->url), 0);
	assert_serving(s.node);
	free(after);
	free(before);
	free(nodes);
	free(vouch);
	free(other);
	client_free(co);
	fakepeer_free(victim);
	fakepeer_free(hub);
	scene_down(&s);
}
END_TEST

/*
 * A pinned peer's own node entry cannot move where this node sends to
 * it: deliveries go to the address it was pinned at, never to the one
 * it names (an internal service, say), whose answer nobody reads.
 */
START_TEST(test_pinned_peer_is_sent_to_where_it_was_pinned)
{
	struct scene s;
	struct fakepeer *inside = fakepeer_new("Internal service");
	struct fake_entry e = { 0 };
	char *fields, *entry, *page, *event = fake_uuid(), *v, *url;
	const char *q[2] = { event, NULL };
	int strays;

	scene_up(&s);
	/* The peer's own entry names the internal service as its address. */
	ck_assert_int_ge(asprintf(&fields, "<acorn:subject>urn:uuid:%s"
	    "</acorn:subject><acorn:name>Fake peer</acorn:name>"
	    "<acorn:region>London</acorn:region><acorn:url>%s</acorn:url>"
	    "<acorn:key fingerprint=\"%s\">%s</acorn:key>", s.peer->id,
	    inside->url, s.peer->fingerprint, s.peer->pem), 0);
	e.kind = "node";
	e.id = s.peer->id;
	e.title = "Fake peer";
	e.fields = fields;
	entry = fake_entry(s.peer, &e);
	page = fake_page(1, entry, NULL);
	deliver_to(s.node, s.peer, "nodes", page);
	ck_assert(node_wait(s.node, "SELECT count(*) = 1 FROM nodes"
	    " WHERE subject = origin AND subject = $1", s.peer->id,
	    SETTLE_MS));
	url = node_text(s.node, "SELECT acorn_node_url($1)", s.peer->id);
	ck_assert_str_eq(url, s.peer->url);
	free(page);
	free(entry);

	/* A member here asks the peer for a place at its event. */
	memset(&e, 0, sizeof(e));
	e.kind = "event";
	e.id = event;
	e.title = "The peer's forum";
	e.fields = "<acorn:title>The peer's forum</acorn:title>"
	    "<acorn:kind>regional_meeting</acorn:kind>"
	    "<acorn:starts>2031-05-01T09:00:00Z</acorn:starts>"
	    "<acorn:ends>2031-05-01T17:00:00Z</acorn:ends>"
	    "<acorn:region>London</acorn:region>"
	    "<acorn:status>published</acorn:status>"
	    "<acorn:place ref=\"7\">In person</acorn:place>";
	entry = fake_entry(s.peer, &e);
	page = fake_page(1, entry, NULL);
	deliver_to(s.node, s.peer, "events", page);
	ck_assert(node_wait(s.node, "SELECT count(*) = 1 FROM events"
	    " WHERE id = $1", event, SETTLE_MS));
	strays = fakepeer_strays(s.peer);
	v = node_sqlv(s.node, "INSERT INTO away_registrations (id, event,"
	    " host, name, email, place_ref, place_name, places)"
	    " SELECT gen_random_uuid(), e.id, e.origin, 'Cara Jones',"
	    " 'cara@node.example.org', 7, 'In person', 1 FROM events e"
	    " WHERE e.id = $1 RETURNING id", 1, q);
	ck_assert_ptr_nonnull(v);
	/* The peer has no inbox: it answers 404, and the node gives up. */
	ck_assert_msg(node_wait(s.node, "SELECT status = 'refused' FROM"
	    " away_registrations WHERE id = $1", v, SETTLE_MS),
	    "the request was never answered");
	ck_assert_int_gt(fakepeer_strays(s.peer), strays);
	ck_assert_int_eq(fakepeer_strays(inside), 0);
	assert_serving(s.node);
	free(v);
	free(url);
	free(fields);
	free(page);
	free(entry);
	free(event);
	fakepeer_free(inside);
	scene_down(&s);
}
END_TEST

/*
 * A page is merged a run of entries at a time, set-based; what becomes
 * of each entry must be what became of it one entry at a time: the new
 * and newer stored, the tombstone deleting, the older version, the
 * forged, the one in another node's name and the one that does not fit
 * the tables each refused with its own reason, and nothing else.
 */
START_TEST(test_mixed_page_merges_as_entry_by_entry)
{
	struct scene s;
	struct fake_entry e = { 0 };
	char *held = fake_uuid(), *gone = fake_uuid(), *moved = fake_uuid();
	char *fresh = fake_uuid(), *forged_id = fake_uuid();
	char *claims = fake_uuid(), *other = fake_uuid(), *unfit = fake_uuid();
	char *h1, *h2, *g1, *m1, *m2, *tomb, *n1, *signed_xml, *forged;
	char *wrong, *misfit, *page, *n2, *fresh2 = fake_uuid();
	const char *q[1];

	scene_up(&s);
	h2 = fake_term(s.peer, held, 2, "Held term", "The second version.");
	g1 = fake_term(s.peer, gone, 1, "Gone term", "Soon deleted.");
	m1 = fake_term(s.peer, moved, 1, "Moved term", "The first version.");
	page = fake_page(3, h2, g1, m1, NULL);
	deliver(&s, page);
	free(page);
	assert_stored(&s, held);
	assert_stored(&s, gone);
	assert_stored(&s, moved);

	h1 = fake_term(s.peer, held, 1, "Held term", "The first version.");
	e.id = gone;
	e.version = 2;
	e.deleted = 1;
	tomb = fake_entry(s.peer, &e);
	n1 = fake_term(s.peer, fresh, 1, "Fresh term", "New here.");
	signed_xml = fake_term(s.peer, forged_id, 1, "Forged term",
	    "What was signed.");
	forged = fake_edit(signed_xml, "What was signed.",
	    "Changed after signing.");
	memset(&e, 0, sizeof(e));
	e.id = claims;
	e.origin = other;
	e.fields = "<acorn:term>Not yours</acorn:term>"
	    "<acorn:definition>In another's name.</acorn:definition>";
	wrong = fake_entry(s.peer, &e);
	/* A term with no definition: the table's check refuses it. */
	memset(&e, 0, sizeof(e));
	e.id = unfit;
	e.fields = "<acorn:term>No definition</acorn:term>";
	misfit = fake_entry(s.peer, &e);
	m2 = fake_term(s.peer, moved, 2, "Moved term", "The second version.");
	page = fake_page(10, h1, tomb, n1, forged, wrong, m2, NULL);
	deliver(&s, page);
	free(page);

	assert_refused(&s, held, "an older version than the one held (a replay)");
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND version = 2 AND definition ="
	    " 'The second version.'", held), 1);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND deleted AND version = 2 AND term IS NULL"
	    " AND definition IS NULL AND entry LIKE '%deleted-entry%'", gone),
	    1);
	assert_stored(&s, fresh);
	assert_refused(&s, forged_id, "signature does not verify");
	ck_assert_int_eq(stored(s.node, forged_id), 0);
	assert_refused(&s, claims,
	    "signed by a node other than the record's origin");
	ck_assert_int_eq(stored(s.node, claims), 0);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM glossary_terms"
	    " WHERE id = $1 AND version = 2 AND definition ="
	    " 'The second version.'", moved), 1);
	/* Those three refused, and nothing else. */
	q[0] = s.peer->id;
	ck_assert_int_eq(node_numv(s.node, "SELECT count(*) FROM rejections j"
	    " JOIN peers p ON p.id = j.peer WHERE p.node = $1", 1, q), 3);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 10);

	/*
	 * One entry that does not fit the tables costs the page's set-based
	 * merge, not its neighbours: they are merged one at a time, and it
	 * is refused alone.
	 */
	n2 = fake_term(s.peer, fresh2, 1, "Second fresh term", "Also new.");
	page = fake_page(12, n2, misfit, NULL);
	deliver(&s, page);
	assert_refused(&s, unfit, "its fields do not fit this node's records");
	ck_assert_int_eq(stored(s.node, unfit), 0);
	assert_stored(&s, fresh2);
	ck_assert_int_eq(node_numv(s.node, "SELECT count(*) FROM rejections j"
	    " JOIN peers p ON p.id = j.peer WHERE p.node = $1", 1, q), 4);
	ck_assert_int_eq(cursor_of(&s, "glossary"), 12);
	assert_serving(s.node);
	free(page);
	free(n2);
	free(fresh2);
	free(m2);
	free(misfit);
	free(wrong);
	free(forged);
	free(signed_xml);
	free(n1);
	free(tomb);
	free(h1);
	free(m1);
	free(g1);
	free(h2);
	free(unfit);
	free(other);
	free(claims);
	free(forged_id);
	free(fresh);
	free(moved);
	free(gone);
	free(held);
	scene_down(&s);
}
END_TEST

/*
 * The database connection dies in the middle of merging a page (a
 * trigger ends it when the middle entry is written): nothing of the
 * page is kept, not even the entries written before it in the same
 * statement, and the cursor stays where it was; once the fault is
 * gone, the page is read again whole.
 */
START_TEST(test_failure_mid_page_keeps_nothing_and_the_cursor)
{
	struct scene s;
	char *a = fake_uuid(), *b = fake_uuid(), *c = fake_uuid();
	char *first, *middle, *last, *page;
	const char *q[3] = { a, b, c };
	long before;

	scene_up(&s);
	before = cursor_of(&s, "glossary");
	ck_assert_int_ge(node_exec(s.node, "CREATE SEQUENCE merge_failures",
	    0, NULL), 0);
	ck_assert_int_ge(node_exec(s.node, "CREATE FUNCTION fail_merge()"
	    " RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
	    " IF NEW.term = 'Failure' THEN"
	    "  PERFORM nextval('merge_failures');"
	    "  PERFORM pg_terminate_backend(pg_backend_pid());"
	    " END IF; RETURN NEW; END $$", 0, NULL), 0);
	ck_assert_int_ge(node_exec(s.node, "CREATE TRIGGER fail_merge"
	    " BEFORE INSERT OR UPDATE ON glossary_terms FOR EACH ROW"
	    " EXECUTE FUNCTION fail_merge()", 0, NULL), 0);
	first = fake_term(s.peer, a, 1, "Before the failure", "Whole or not.");
	middle = fake_term(s.peer, b, 1, "Failure", "The connection goes.");
	last = fake_term(s.peer, c, 1, "After the failure", "Whole or not.");
	page = fake_page(before + 3, first, middle, last, NULL);
	fakepeer_serve(s.peer, "glossary", page);
	ck_assert_int_eq(fakepeer_ping(s.node, s.peer), 202);
	ck_assert_msg(node_wait(s.node, "SELECT is_called FROM"
	    " merge_failures", NULL, SETTLE_MS),
	    "the merge never reached the failing entry");

	ck_assert_int_eq(node_numv(s.node, "SELECT count(*) FROM"
	    " glossary_terms WHERE id IN ($1, $2, $3)", 3, q), 0);
	ck_assert_int_eq(cursor_of(&s, "glossary"), before);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM rejections",
	    NULL), 0);
	assert_serving(s.node);

	ck_assert_int_ge(node_exec(s.node, "DROP TRIGGER fail_merge ON"
	    " glossary_terms", 0, NULL), 0);
	ck_assert_int_eq(fakepeer_ping(s.node, s.peer), 202);
	ck_assert_msg(node_waitv(s.node, "SELECT count(*) = 3 FROM"
	    " glossary_terms WHERE id IN ($1, $2, $3)", 3, q, SETTLE_MS),
	    "the page was not read again whole");
	ck_assert_int_eq(cursor_of(&s, "glossary"), before + 3);
	ck_assert_int_eq(node_num(s.node, "SELECT count(*) FROM rejections",
	    NULL), 0);
	free(page);
	free(last);
	free(middle);
	free(first);
	free(c);
	free(b);
	free(a);
	scene_down(&s);
}
END_TEST

Suite *
federation_hostile_suite(void)
{
	Suite *s = suite_create("federation_hostile");
	TCase *tc = tcase_create("hostile peer");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_forged_signature_is_refused);
	tcase_add_test(tc, test_signature_by_an_unpinned_key_is_refused);
	tcase_add_test(tc, test_key_offered_in_key_info_is_refused);
	tcase_add_test(tc, test_signature_wrapping_is_refused);
	tcase_add_test(tc, test_replayed_older_version_is_refused);
	tcase_add_test(tc, test_entry_claiming_another_origin_is_refused);
	tcase_add_test(tc, test_entry_changing_a_local_record_is_refused);
	tcase_add_test(tc, test_doctype_xxe_and_entity_bombs_refuse_the_page);
	tcase_add_test(tc, test_oversized_page_is_refused_and_the_cursor_stays);
	tcase_add_test(tc, test_truncated_page_is_refused_and_the_cursor_stays);
	tcase_add_test(tc, test_key_claimed_by_a_peer_yields_to_a_pin);
	tcase_add_test(tc, test_hung_peer_holds_up_no_other);
	suite_add_tcase(s, tc);

	tc = tcase_create("faults");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_kill_during_sync_loses_and_repeats_nothing);
	tcase_add_test(tc, test_peer_back_from_an_outage_is_caught_up_at_once);
	tcase_add_test(tc,
	    test_key_rotation_is_learnt_and_the_retired_key_refused);
	tcase_add_test(tc, test_hub_vouches_and_a_plain_peer_does_not);
	tcase_add_test(tc, test_pull_under_way_elsewhere_is_waited_for);
	suite_add_tcase(s, tc);

	tc = tcase_create("identity");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc,
	    test_impostor_claiming_a_vouched_node_is_refused_at_pinning);
	tcase_add_test(tc,
	    test_pinning_shows_the_claim_and_refuses_a_changed_one);
	tcase_add_test(tc, test_plain_peer_speaks_only_for_itself);
	tcase_add_test(tc,
	    test_second_origin_claiming_a_record_is_refused_and_shown);
	tcase_add_test(tc, test_hung_service_document_answers_within_the_bound);
	tcase_add_test(tc,
	    test_key_trusted_for_one_node_is_not_pinned_for_another);
	tcase_add_test(tc, test_unpinning_a_hub_takes_the_keys_it_vouched_for);
	tcase_add_test(tc, test_pinned_peer_is_sent_to_where_it_was_pinned);
	suite_add_tcase(s, tc);

	tc = tcase_create("pages");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_mixed_page_merges_as_entry_by_entry);
	tcase_add_test(tc, test_failure_mid_page_keeps_nothing_and_the_cursor);
	suite_add_tcase(s, tc);

	tc = tcase_create("bounds");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_next_page_that_does_not_move_on_is_refused);
	tcase_add_test(tc, test_key_learnt_rereads_only_what_was_refused);
	suite_add_tcase(s, tc);
	return s;
}
