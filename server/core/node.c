/*
 * This node's identity: a global id made once by `acorn init`, and the
 * secret CSRF tokens are derived from.  Both live in the database so that
 * every acorn process serving the node agrees on them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core.h"

static char	 id[ACORN_UUID_LEN + 1];
const char	*node_id = id;
unsigned char	 node_secret[32];

/* Creates the identity row if there is none; keeps name and region current. */
int
node_init(struct db *db, const struct config *c)
{
	unsigned char secret[32];
	char uuid[ACORN_UUID_LEN + 1], hex[65];
	const char *p[4];
	int rc;

	if (util_uuid(uuid) == -1 || util_random(secret, sizeof(secret)) == -1)
		return -1;
	util_hex(secret, sizeof(secret), hex);
	p[0] = uuid;
	p[1] = c->node_name;
	p[2] = c->region;
	p[3] = hex;
	rc = db_exec(db, "INSERT INTO node (id, name, region, secret)"
	    " VALUES ($1, $2, $3, decode($4, 'hex'))"
	    " ON CONFLICT (one) DO UPDATE SET name = excluded.name,"
	    " region = excluded.region", 4, p);
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(hex, sizeof(hex));
	return rc;
}

/* The node's id and, in hex, its secret. */
static const char identity_query[] =
    "SELECT id, encode(secret, 'hex') FROM node";

enum { ND_ID, ND_SECRET };

/* Reads the identity into memory for serving. */
int
node_load(struct db *db)
{
	PGresult *r;
	unsigned char secret[32];
	const char *hex;
	size_t i;
	int rc = -1;

	r = db_query(db, PGRES_TUPLES_OK, identity_query, 0, NULL);
	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1) {
		log_err("this database has no node identity: run acorn init");
		goto out;
	}
	snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, ND_ID));
	hex = PQgetvalue(r, 0, ND_SECRET);
	if (strlen(hex) != 64)
		goto out;
	for (i = 0; i < 32; i++) {
		unsigned int b;

		if (sscanf(hex + i * 2, "%2x", &b) != 1)
			goto out;
		secret[i] = (unsigned char)b;
	}
	memcpy(node_secret, secret, sizeof(node_secret));
	rc = 0;
out:
	/* Part of the secret may be read when a later byte is not hex. */
	OPENSSL_cleanse(secret, sizeof(secret));
	PQclear(r);
	return rc;
}
