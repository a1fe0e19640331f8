/*
 * Peers and the trust store.  A coordinator pins a peer by its address
 * and its key's fingerprint; adding it fetches the key and the service
 * document, refuses the peer unless the key is the one pinned and the
 * node id it claims is nobody else's here, and shows that identity for
 * the coordinator to confirm before anything is stored.  This
 * node vouches, in its node entries, for every peer it pinned, and
 * describes itself (name, region, address, keys) in its own.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/tree.h>

#include "core.h"
#include "federation.h"
#include "fetch.h"

/*
 * Pinning asks the would-be peer for its key and service document while
 * a coordinator waits: both answers within this, and small.
 */
#define PEER_DEADLINE_MS	4000L
#define PEER_KEY_MAX		(8 * 1024)
#define PEER_SERVICE_MAX	(32 * 1024)

/* A key trusted here, by its fingerprint: its PEM and whose it is. */
static const char trust_query[] =
    "SELECT pem, node FROM node_keys WHERE fingerprint = $1";

enum { TR_PEM, TR_NODE };

/* The trust store, for fed_verify: the key's PEM and its node. */
char *
trust_lookup(void *arg, const char *fingerprint, char node[FED_UUID_LEN + 1])
{
	struct db *db = arg;
	const char *p[1] = { fingerprint };
	PGresult *res;
	char *pem = NULL;

	res = db_query(db, PGRES_TUPLES_OK, trust_query, 1, p);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 1) {
		pem = util_strdup(PQgetvalue(res, 0, TR_PEM));
		snprintf(node, FED_UUID_LEN + 1, "%s",
		    PQgetvalue(res, 0, TR_NODE));
	}
	PQclear(res);
	return pem;
}

/*
 * This node's own node entry: its name, region, address and keys (the
 * new one first during a rotation).  The row changes, and so goes out,
 * only when one of them did.
 */
int
node_self_refresh(struct db *db, const struct signer *sg)
{
	const char *p[8];
	char *pem = NULL, *old_pem = NULL;
	int rc;

	if (sg == NULL || sg->key == NULL)
		return 0;
	if ((pem = fed_public_pem(sg->key)) == NULL ||
	    (sg->old_key != NULL && (old_pem = fed_public_pem(sg->old_key)) ==
	    NULL)) {
		free(pem);
		return -1;
	}
	p[0] = node_id;
	p[1] = cfg->node_name;
	p[2] = cfg->region;
	p[3] = cfg->public_url;
	p[4] = sg->fingerprint;
	p[5] = pem;
	p[6] = sg->old_key != NULL ? sg->old_fingerprint : NULL;
	p[7] = old_pem;
	rc = db_exec(db, "WITH k AS (SELECT jsonb_build_array("
	    " jsonb_build_object('fingerprint', $5::text, 'pem', $6::text)) ||"
	    " CASE WHEN $7::text IS NULL THEN '[]'::jsonb ELSE jsonb_build_array("
	    " jsonb_build_object('fingerprint', $7::text, 'pem', $8::text)) END"
	    " AS keys)"
	    " INSERT INTO nodes (id, origin, subject, name, region, url, keys)"
	    " SELECT $1, $1, $1, $2, $3, $4, k.keys FROM k"
	    " ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
	    " region = excluded.region, url = excluded.url,"
	    " keys = excluded.keys, updated = now(), deleted = false"
	    " WHERE (nodes.name, nodes.region, nodes.url, nodes.keys,"
	    " nodes.deleted) IS DISTINCT FROM (excluded.name, excluded.region,"
	    " excluded.url, excluded.keys, false)", 8, p);
	free(pem);
	free(old_pem);
	return rc;
}

/*
 * The node entries vouching for the peers pinned here: one per peer,
 * listing the keys pinned or announced for it; a tombstone for a peer
 * no longer pinned.
 */
int
vouch_refresh(struct db *db)
{
	if (db_exec(db, "INSERT INTO nodes (id, origin, subject, name, region,"
	    " url, keys)"
	    " SELECT gen_random_uuid(), (SELECT id FROM node), p.node, p.name,"
	    " p.region, p.url, coalesce((SELECT jsonb_agg(jsonb_build_object("
	    "  'fingerprint', k.fingerprint, 'pem', k.pem)"
	    "  ORDER BY k.added DESC, k.fingerprint) FROM node_keys k"
	    "  WHERE k.node = p.node AND k.source <> 'vouched'), '[]')"
	    " FROM peers p"
	    " ON CONFLICT (origin, subject) WHERE NOT deleted DO UPDATE SET"
	    " name = excluded.name, region = excluded.region,"
	    " url = excluded.url, keys = excluded.keys, updated = now()"
	    " WHERE (nodes.name, nodes.region, nodes.url, nodes.keys)"
	    " IS DISTINCT FROM (excluded.name, excluded.region, excluded.url,"
	    " excluded.keys)", 0, NULL) == -1)
		return -1;
	return db_exec(db, "UPDATE nodes SET deleted = true, updated = now(),"
	    " name = NULL, region = NULL, url = NULL, keys = '[]'"
	    " WHERE origin = (SELECT id FROM node) AND subject <> origin"
	    " AND NOT deleted AND subject NOT IN (SELECT node FROM peers)",
	    0, NULL);
}

/* "https://node.example.org" from what was typed: no trailing slash. */
static char *
peer_base(const char *url)
{
	size_t n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		n--;
	return strndup(url, n);
}

static char *
text_of(xmlNodePtr n)
{
	xmlChar *s = xmlNodeGetContent(n);
	char *out = s != NULL ? util_strdup((const char *)s) : NULL;

	xmlFree(s);
	return out;
}

/* The service document's node: id, region and title, malloc'd. */
static int
read_service(const char *body, size_t len, char **id, char **region,
    char **name, char **fingerprint)
{
	const char *why;
	xmlDocPtr doc;
	xmlNodePtr ws, n;
	xmlChar *v;

	*id = *region = *name = *fingerprint = NULL;
	if ((doc = fed_parse(body, len, &why)) == NULL)
		return -1;
	n = xmlDocGetRootElement(doc);
	for (ws = n != NULL ? n->children : NULL; ws != NULL; ws = ws->next)
		if (ws->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(ws->name, BAD_CAST "workspace"))
			break;
	for (n = ws != NULL ? ws->children : NULL; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || n->ns == NULL)
			continue;
		if (xmlStrEqual(n->ns->href, BAD_CAST FED_ATOM_NS) &&
		    xmlStrEqual(n->name, BAD_CAST "title") && *name == NULL)
			*name = text_of(n);
		if (xmlStrEqual(n->ns->href, BAD_CAST FED_ACORN_NS) &&
		    xmlStrEqual(n->name, BAD_CAST "node") && *id == NULL) {
			if ((v = xmlGetProp(n, BAD_CAST "id")) != NULL) {
				*id = util_strdup((const char *)v);
				xmlFree(v);
			}
			if ((v = xmlGetProp(n, BAD_CAST "region")) != NULL) {
				*region = util_strdup((const char *)v);
				xmlFree(v);
			}
			if ((v = xmlGetProp(n, BAD_CAST "fingerprint")) !=
			    NULL) {
				*fingerprint = util_strdup((const char *)v);
				xmlFree(v);
			}
		}
	}
	xmlFreeDoc(doc);
	if (*id == NULL || *region == NULL || *name == NULL ||
	    *fingerprint == NULL || fed_urn_uuid(*id) == NULL) {
		free(*id);
		free(*region);
		free(*name);
		free(*fingerprint);
		*id = *region = *name = *fingerprint = NULL;
		return -1;
	}
	return 0;
}

/* "aa bb:CC.." as 64 lower-case hex digits, or -1. */
int
fingerprint_normalise(const char *in, char out[FED_FP_LEN + 1])
{
	size_t n = 0;

	for (; *in != '\0'; in++) {
		if (*in == ' ' || *in == ':' || *in == '\t' || *in == '-')
			continue;
		if (!((*in >= '0' && *in <= '9') || (*in >= 'a' &&
		    *in <= 'f') || (*in >= 'A' && *in <= 'F')) ||
		    n == FED_FP_LEN)
			return -1;
		out[n++] = (char)(*in >= 'A' && *in <= 'F' ? *in + 32 : *in);
	}
	out[n] = '\0';
	return n == FED_FP_LEN ? 0 : -1;
}

/*
 * Files a key fetched from the peer's own address and matching the
 * fingerprint a coordinator gave, under the peer's node.  That outweighs
 * another node listing the key as its own, which nobody checked: anyone
 * can copy a public key into a node entry.  A key pinned here for
 * another node, or vouched for it by a hub, stays that node's (the pin
 * is refused first, acorn_pin_refusal, saying whose it is).  1 when
 * filed, 0 when another node's, -1 on failure.
 */
static int
pin_key(struct db *db, const char *fingerprint, const char *node,
    const char *pem)
{
	const char *p[3] = { fingerprint, node, pem };
	long n;

	n = db_changes(db, "INSERT INTO node_keys"
	    " (fingerprint, node, pem, source) VALUES ($1, $2, $3, 'pinned')"
	    " ON CONFLICT (fingerprint) DO UPDATE SET node = excluded.node,"
	    " pem = excluded.pem, source = 'pinned', introducer = NULL"
	    " WHERE node_keys.node = excluded.node"
	    " OR node_keys.source = 'announced'", 3, p);
	return n == -1 ? -1 : n > 0;
}

/* Why a peer claiming node $1, with the key $2, may not be pinned. */
static const char refusal_query[] = "SELECT acorn_pin_refusal($1, $2)";

enum { RF_WHY };

/*
 * Why the peer's claim may not be pinned (malloc'd), NULL when it may;
 * -1 when the database failed.  Whoever already speaks for the id here
 * spoke with its own keys (acorn_pin_refusal).
 */
static int
claim_refusal(struct db *db, const struct peer_claim *pc, char **why)
{
	const char *p[2] = { pc->id, pc->fingerprint };
	PGresult *res;

	*why = NULL;
	if ((res = db_query(db, PGRES_TUPLES_OK, refusal_query, 2, p)) ==
	    NULL)
		return -1;
	if (!PQgetisnull(res, 0, RF_WHY))
		*why = util_printf("%s cannot be added. %s", pc->url,
		    PQgetvalue(res, 0, RF_WHY));
	PQclear(res);
	return 0;
}

/* Milliseconds since start. */
static long
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000;
}

/*
 * What was shown, as one digest: the confirmation carries it back, and
 * an answer that differs in anything shown does not match.
 */
static int
claim_digest(struct peer_claim *pc, int hub)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	unsigned char md[32];

	strbuf_str(&b, pc->url);
	strbuf_str(&b, "\n");
	strbuf_str(&b, pc->id);
	strbuf_str(&b, "\n");
	strbuf_str(&b, pc->name);
	strbuf_str(&b, "\n");
	strbuf_str(&b, pc->region);
	strbuf_str(&b, "\n");
	strbuf_str(&b, pc->fingerprint);
	strbuf_str(&b, hub ? "\nhub" : "\npeer");
	if (b.failed || b.p == NULL) {
		strbuf_free(&b);
		return -1;
	}
	util_sha256(b.p, b.len, md);
	util_hex(md, sizeof(md), pc->digest);
	strbuf_free(&b);
	return 0;
}

void
peer_claim_free(struct peer_claim *pc)
{
	free(pc->url);
	free(pc->name);
	free(pc->region);
	free(pc->pem);
	memset(pc, 0, sizeof(*pc));
}

/*
 * Asks a would-be peer who it is: its key, which must be the one whose
 * fingerprint was given, and its service document, whose node id, name
 * and region go into *pc for the coordinator to confirm.  Both requests
 * together take at most PEER_DEADLINE_MS and a few KiB: a person waits
 * on them.  A claim to an id that someone else already speaks for here
 * is refused.  -1 with *error (malloc'd) saying why not.
 */
int
peer_examine(struct db *db, const char *url, const char *fingerprint,
    int hub, struct peer_claim *pc, char **error)
{
	struct fetch f = { 0 };
	struct timespec start;
	CURL *c = NULL;
	EVP_PKEY *key = NULL;
	char want[FED_FP_LEN + 1], *u = NULL, *id = NULL, *sfp = NULL;
	long left;
	int rc = -1;

	memset(pc, 0, sizeof(*pc));
	*error = NULL;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (fingerprint_normalise(fingerprint, want) == -1) {
		*error = util_strdup("A fingerprint is 64 hexadecimal digits.");
		return -1;
	}
	if ((strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) ||
	    strpbrk(url, " \t\r\n?#") != NULL) {
		*error = util_strdup("A peer's address starts with http:// or"
		    " https://.");
		return -1;
	}
	if ((pc->url = peer_base(url)) == NULL ||
	    (c = curl_easy_init()) == NULL)
		goto fail;
	u = util_printf("%s/federation/key.pem", pc->url);
	if (u == NULL || fetch_get_quick(c, u, PEER_KEY_MAX, PEER_DEADLINE_MS,
	    &f) == -1 || f.status != 200) {
		*error = util_printf("Could not fetch the key of %s: %s.",
		    pc->url, f.error[0] != '\0' ? f.error :
		    "it answered with an error");
		goto fail;
	}
	if ((key = fed_pem_key(f.body)) == NULL ||
	    fed_fingerprint(key, pc->fingerprint) == -1) {
		*error = util_printf("%s did not answer with a P-256 public"
		    " key.", pc->url);
		goto fail;
	}
	if (strcmp(pc->fingerprint, want) != 0) {
		*error = util_printf("The key at %s does not match that"
		    " fingerprint: it is %s.", pc->url, pc->fingerprint);
		goto fail;
	}
	pc->pem = util_strdup(f.body);
	free(u);
	u = util_printf("%s/federation/service", pc->url);
	if ((left = PEER_DEADLINE_MS - elapsed_ms(&start)) < 1)
		left = 1;
	if (u == NULL || fetch_get_quick(c, u, PEER_SERVICE_MAX, left, &f) ==
	    -1 || f.status != 200) {
		*error = util_printf("Could not fetch the service document of"
		    " %s: %s.", pc->url, f.error[0] != '\0' ? f.error :
		    "it answered with an error");
		goto fail;
	}
	if (read_service(f.body, f.len, &id, &pc->region, &pc->name, &sfp) ==
	    -1) {
		*error = util_printf("%s did not answer with an Acorn service"
		    " document.", pc->url);
		goto fail;
	}
	/* read_service took only a urn:uuid: */
	snprintf(pc->id, sizeof(pc->id), "%s", fed_urn_uuid(id));
	if (strcmp(sfp, pc->fingerprint) != 0) {
		*error = util_printf("%s names a different key in its service"
		    " document.", pc->url);
		goto fail;
	}
	if (claim_refusal(db, pc, error) == -1 || *error != NULL)
		goto fail;
	if (claim_digest(pc, hub) == -1)
		goto fail;
	rc = 0;
fail:
	if (rc == -1) {
		if (*error == NULL)
			*error = util_strdup("Could not add the peer.");
		peer_claim_free(pc);
	}
	fetch_free(&f);
	if (c != NULL)
		curl_easy_cleanup(c);
	EVP_PKEY_free(key);
	free(u);
	free(id);
	free(sfp);
	return rc;
}

/*
 * Pins a peer once its coordinator has seen what it claims (shown: the
 * digest peer_examine gave; NULL from the command line, where the
 * fingerprint typed is the confirmation).  The peer is asked again, and
 * an answer that is not what was shown is refused.  hub: it may vouch
 * for other nodes.  Recorded as actor's (0: the node's own command
 * line).  -1 with *error (malloc'd) saying why not.
 */
int
peer_add(struct db *db, const char *url, const char *fingerprint, int hub,
    const char *shown, long actor, char **error)
{
	struct peer_claim pc;
	const char *p[6];
	int rc = -1, pinned;

	if (peer_examine(db, url, fingerprint, hub, &pc, error) == -1)
		return -1;
	if (shown != NULL && strcmp(shown, pc.digest) != 0) {
		*error = util_printf("What %s says about itself has changed"
		    " since it was shown to you: it now claims to be %s"
		    " (urn:uuid:%s), region %s. Nothing was added; check it"
		    " again.", pc.url, pc.name, pc.id, pc.region);
		goto done;
	}
	p[0] = pc.url;
	p[1] = pc.id;
	p[2] = pc.name;
	p[3] = pc.region;
	p[4] = pc.fingerprint;
	p[5] = hub ? "t" : "f";
	if (db_begin(db) == -1)
		goto done;
	/* Asked again inside: a hub's word may have come in meanwhile. */
	if (claim_refusal(db, &pc, error) == -1 || *error != NULL) {
		db_rollback(db);
		goto done;
	}
	if (db_exec(db, "INSERT INTO peers (url, node, name, region,"
	    " fingerprint, hub) VALUES ($1, $2, $3, $4, $5, $6)", 6, p) == -1) {
		db_rollback(db);
		*error = util_printf(db_duplicate(db) ? "%s is already a peer." :
		    "Could not save the peer %s.", pc.url);
		goto done;
	}
	if ((pinned = pin_key(db, pc.fingerprint, pc.id, pc.pem)) == -1) {
		db_rollback(db);
		goto done;
	}
	if (pinned == 0) {
		db_rollback(db);
		*error = util_printf("The key of %s is already pinned for"
		    " another peer.", pc.url);
		goto done;
	}
	if (vouch_refresh(db) == -1 ||
	    db_exec(db, "NOTIFY acorn_peers", 0, NULL) == -1 ||
	    audit_commit(db, actor, "peer_add", pc.url) == -1) {
		db_rollback(db);
		goto done;
	}
	rc = 0;
done:
	if (rc == -1 && *error == NULL)
		*error = util_printf("Could not save the peer %s.", pc.url);
	peer_claim_free(&pc);
	return rc;
}

/* The peer unpinned, and the node it was. */
static const char remove_query[] =
    "DELETE FROM peers WHERE id = $1 RETURNING node";

enum { RM_NODE };

/*
 * Unpins a peer: its keys go, and the keys it vouched for as a hub (its
 * word counted only while it was one) unless another hub pinned here
 * vouches for them too, and this node stops vouching for it.  Recorded
 * as actor's (0: the node's own command line).
 */
int
peer_remove(struct db *db, long long id, long actor)
{
	char s[24];
	const char *p[1] = { s }, *q[1];
	PGresult *res;
	int rc;

	snprintf(s, sizeof(s), "%lld", id);
	if (db_begin(db) == -1)
		return -1;
	res = db_query(db, PGRES_TUPLES_OK, remove_query, 1, p);
	if (res == NULL)
		goto fail;
	rc = -1;	/* no row: removed already */
	if (PQntuples(res) == 1) {
		q[0] = PQgetvalue(res, 0, RM_NODE);
		rc = db_exec(db, "DELETE FROM node_keys WHERE (node = $1"
		    " AND source <> 'vouched') OR (source = 'vouched'"
		    " AND introducer = $1)", 1, q);
		/* What another hub still vouches for stays. */
		if (rc == 0)
			rc = db_call(db, "SELECT acorn_vouches_restore()", 0,
			    NULL);
	}
	PQclear(res);
	if (rc == -1 || vouch_refresh(db) == -1 ||
	    db_exec(db, "NOTIFY acorn_peers", 0, NULL) == -1 ||
	    audit_commit(db, actor, "peer_remove", s) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}
