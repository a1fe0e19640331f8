/*
 * Peers and the trust store.  A coordinator pins a peer by its address
 * and its key's fingerprint; adding it fetches the key and the service
 * document and refuses the peer unless the key is the one pinned.  This
 * node vouches, in its node entries, for every peer it pinned, and
 * describes itself (name, region, address, keys) in its own.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/tree.h>

#include "core.h"
#include "federation.h"
#include "fetch.h"

#define PEER_TIMEOUT	10L

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
	    *fingerprint == NULL || strncmp(*id, "urn:uuid:", 9) != 0 ||
	    strlen(*id) != 9 + FED_UUID_LEN) {
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
 * another node listing the key as its own, or a hub's word, which nobody
 * checked: anyone can copy a public key into a node entry.  A key pinned
 * for another peer is for the coordinator to settle.  1 when filed, 0
 * when pinned elsewhere, -1 on failure.
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
	    " OR node_keys.source <> 'pinned'", 3, p);
	return n == -1 ? -1 : n > 0;
}

/*
 * Pins a peer: its key must be the one whose fingerprint was given.
 * hub: it may vouch for other nodes.  Recorded as actor's (0: the node's
 * own command line).  -1 with *error (malloc'd) saying why not.
 */
int
peer_add(struct db *db, const char *url, const char *fingerprint, int hub,
    long actor, char **error)
{
	struct fetch f = { 0 };
	CURL *c = NULL;
	EVP_PKEY *key = NULL;
	char fp[FED_FP_LEN + 1], want[FED_FP_LEN + 1], *base = NULL;
	char *u = NULL, *pem = NULL, *id = NULL, *region = NULL;
	char *name = NULL, *sfp = NULL;
	const char *p[6], *q[1];
	int rc = -1, pinned;

	*error = NULL;
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
	if ((base = peer_base(url)) == NULL || (c = curl_easy_init()) == NULL)
		goto fail;
	u = util_printf("%s/federation/key.pem", base);
	if (fetch_get(c, u, NULL, 64 * 1024, PEER_TIMEOUT, &f) == -1 ||
	    f.status != 200) {
		*error = util_printf("Could not fetch the key of %s: %s.", base,
		    f.error[0] != '\0' ? f.error : "it answered with an error");
		goto fail;
	}
	if ((key = fed_pem_key(f.body)) == NULL ||
	    fed_fingerprint(key, fp) == -1) {
		*error = util_printf("%s did not answer with a P-256 public"
		    " key.", base);
		goto fail;
	}
	if (strcmp(fp, want) != 0) {
		*error = util_printf("The key at %s does not match that"
		    " fingerprint: it is %s.", base, fp);
		goto fail;
	}
	pem = util_strdup(f.body);
	free(u);
	u = util_printf("%s/federation/service", base);
	if (fetch_get(c, u, NULL, 256 * 1024, PEER_TIMEOUT, &f) == -1 ||
	    f.status != 200 || read_service(f.body, f.len, &id, &region, &name,
	    &sfp) == -1) {
		*error = util_printf("%s did not answer with an Acorn service"
		    " document.", base);
		goto fail;
	}
	if (strcmp(sfp, fp) != 0) {
		*error = util_printf("%s names a different key in its service"
		    " document.", base);
		goto fail;
	}
	if (strcmp(id + 9, node_id) == 0) {
		*error = util_printf("%s is this node.", base);
		goto fail;
	}
	p[0] = base;
	p[1] = id + 9;
	p[2] = name;
	p[3] = region;
	p[4] = fp;
	p[5] = hub ? "t" : "f";
	if (db_begin(db) == -1)
		goto fail;
	if (db_exec(db, "INSERT INTO peers (url, node, name, region,"
	    " fingerprint, hub) VALUES ($1, $2, $3, $4, $5, $6)", 6, p) == -1) {
		db_rollback(db);
		*error = util_printf(db_duplicate(db) ? "%s is already a peer." :
		    "Could not save the peer %s.", base);
		goto fail;
	}
	q[0] = id + 9;
	if (db_exec(db, "DELETE FROM node_keys WHERE node = $1"
	    " AND source = 'vouched'", 1, q) == -1 ||
	    (pinned = pin_key(db, fp, id + 9, pem)) == -1) {
		db_rollback(db);
		*error = util_printf("Could not save the peer %s.", base);
		goto fail;
	}
	if (pinned == 0) {
		db_rollback(db);
		*error = util_printf("The key of %s is already pinned for"
		    " another peer.", base);
		goto fail;
	}
	if (vouch_refresh(db) == -1 ||
	    db_exec(db, "NOTIFY acorn_peers", 0, NULL) == -1 ||
	    audit_commit(db, actor, "peer_add", base) == -1) {
		db_rollback(db);
		*error = util_printf("Could not save the peer %s.", base);
		goto fail;
	}
	rc = 0;
fail:
	if (rc == -1 && *error == NULL)
		*error = util_strdup("Could not add the peer.");
	fetch_free(&f);
	if (c != NULL)
		curl_easy_cleanup(c);
	EVP_PKEY_free(key);
	free(base);
	free(u);
	free(pem);
	free(id);
	free(region);
	free(name);
	free(sfp);
	return rc;
}

/* The peer unpinned, and the node it was. */
static const char remove_query[] =
    "DELETE FROM peers WHERE id = $1 RETURNING node";

enum { RM_NODE };

/*
 * Unpins a peer: its keys go, and this node stops vouching for it.
 * Recorded as actor's (0: the node's own command line).
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
		rc = db_exec(db, "DELETE FROM node_keys WHERE node = $1"
		    " AND source <> 'vouched'", 1, q);
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
