/*
 * Importing another publisher's Open Referral UK directory (a council's,
 * say), so that a region can start from what exists: its API (every
 * page of /services, then each /services/{id} whole) or a file of
 * services (one, an array, or a page of them).  The JSON is read by
 * PostgreSQL, and each service kept by acorn_oruk_import (schema/055)
 * under its own id, with where it came from and its own assured date,
 * so that importing again brings the same directory up to date and
 * changes nothing else.  One transaction; a service that cannot be kept
 * is left out alone, and said so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core.h"
#include "federation.h"
#include "fetch.h"

#define IMPORT_MAX	20000			/* services in one import */
#define PAGE_MAX	(16L * 1024 * 1024)	/* one answer, bytes */
#define FILE_MAX	(256L * 1024 * 1024)	/* a file, bytes */
#define FETCH_MS	60000

struct bodies {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

static int
bodies_add(struct bodies *b, const char *s)
{
	char **grown, *copy;

	if (b->n == IMPORT_MAX) {
		log_err("more than %d services: the rest are left out",
		    IMPORT_MAX);
		return -1;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		if ((grown = reallocarray(b->v, b->cap, sizeof(*b->v))) ==
		    NULL)
			return -1;
		b->v = grown;
	}
	if ((copy = util_strdup(s)) == NULL)
		return -1;
	b->v[b->n++] = copy;
	return 0;
}

static void
bodies_free(struct bodies *b)
{
	while (b->n > 0)
		free(b->v[--b->n]);
	free(b->v);
}

/*
 * The services a JSON text holds (a service, an array of them, or an
 * ORUK page of them) as texts into b; for a page, *last says whether it
 * was the last.  -1 when it is not JSON of those shapes.
 */
static int
services_of(struct db *db, const char *json, struct bodies *b, int *last)
{
	const char *p[1] = { json };
	PGresult *res;
	int i, rc = 0;

	res = db_query(db, PGRES_TUPLES_OK, "WITH j AS (SELECT $1::jsonb AS j)"
	    " SELECT x::text, coalesce((SELECT (j->>'last_page')::boolean"
	    " FROM j WHERE jsonb_typeof(j) = 'object'), true)"
	    " FROM j, jsonb_array_elements(CASE jsonb_typeof(j)"
	    " WHEN 'array' THEN j WHEN 'object' THEN CASE WHEN j ? 'contents'"
	    " THEN j->'contents' ELSE jsonb_build_array(j) END"
	    " ELSE '[]' END) x", 1, p);
	if (res == NULL)
		return -1;
	*last = 1;
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		rc = bodies_add(b, PQgetvalue(res, i, 0));
		*last = *PQgetvalue(res, i, 1) == 't';
	}
	PQclear(res);
	return rc;
}

/* The id of a listed service, or NULL: its text parsed by PostgreSQL. */
static char *
id_of(struct db *db, const char *json)
{
	const char *p[1] = { json };
	PGresult *res;
	char *id = NULL;

	res = db_query(db, PGRES_TUPLES_OK, "SELECT $1::jsonb->>'id'", 1, p);
	if (res != NULL && !PQgetisnull(res, 0, 0) &&
	    util_uuid_valid(PQgetvalue(res, 0, 0)))
		id = util_strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return id;
}

/* Every service of the ORUK API at base, whole, into b. */
static int
read_api(struct db *db, const char *base, struct bodies *b)
{
	struct bodies listed = { NULL, 0, 0 };
	struct fetch f;
	CURL *c;
	char *url, *id;
	long page;
	size_t i;
	int last = 0, rc = -1;

	memset(&f, 0, sizeof(f));
	if ((c = curl_easy_init()) == NULL)
		return -1;
	for (page = 1; !last && page <= IMPORT_MAX / 100 + 1; page++) {
		if ((url = util_printf("%s/services?page=%ld&per_page=100",
		    base, page)) == NULL)
			goto done;
		if (fetch_get(c, url, NULL, PAGE_MAX, FETCH_MS, &f) == -1 ||
		    f.status != 200) {
			log_err("%s: %s", url, f.status != 0 ?
			    "not answered 200" : f.error);
			free(url);
			goto done;
		}
		free(url);
		if (services_of(db, f.body, &listed, &last) == -1) {
			log_err("%s/services: page %ld is not an ORUK page",
			    base, page);
			goto done;
		}
	}
	for (i = 0; i < listed.n; i++) {
		if ((id = id_of(db, listed.v[i])) == NULL) {
			log_err("%s/services: a listed service has no id", base);
			continue;
		}
		url = util_printf("%s/services/%s", base, id);
		free(id);
		if (url == NULL)
			goto done;
		if (fetch_get(c, url, NULL, PAGE_MAX, FETCH_MS, &f) == -1 ||
		    f.status != 200) {
			log_err("%s: %s; left out", url, f.status != 0 ?
			    "not answered 200" : f.error);
			free(url);
			continue;
		}
		free(url);
		if (bodies_add(b, f.body) == -1)
			goto done;
	}
	rc = 0;
done:
	fetch_free(&f);
	curl_easy_cleanup(c);
	bodies_free(&listed);
	return rc;
}

/*
 * Imports the directory at source (an ORUK API's address, or a file of
 * services) into this node.  The services added, brought up to date,
 * found the same and left out go into n (in that order); -1 when
 * nothing could be imported (nothing is changed then).
 */
int
oruk_import(struct db *db, const char *source, long n[4])
{
	struct bodies b = { NULL, 0, 0 };
	PGresult *res;
	char *text = NULL, *base = NULL;
	const char *p[2];
	size_t len, i;
	int last, rc = -1;

	memset(n, 0, 4 * sizeof(*n));
	if (strncmp(source, "https://", 8) == 0 ||
	    strncmp(source, "http://", 7) == 0) {
		if ((base = util_strdup(source)) == NULL)
			return -1;
		/* The API's root, whichever of its addresses was given. */
		len = strlen(base);
		while (len > 0 && base[len - 1] == '/')
			base[--len] = '\0';
		if (len > 9 && strcmp(base + len - 9, "/services") == 0)
			base[len - 9] = '\0';
		if (read_api(db, base, &b) == -1)
			goto done;
	} else {
		if (util_read_file(source, &text, &len, FILE_MAX) == -1) {
			log_err("%s: cannot read it", source);
			goto done;
		}
		if (services_of(db, text, &b, &last) == -1) {
			log_err("%s: not JSON of ORUK services", source);
			goto done;
		}
	}
	if (db_begin(db) == -1)
		goto done;
	p[1] = base != NULL ? base : source;
	for (i = 0; i < b.n; i++) {
		p[0] = b.v[i];
		if (db_exec(db, "SAVEPOINT one", 0, NULL) == -1)
			goto fail;
		res = db_query(db, PGRES_TUPLES_OK, "SELECT"
		    " acorn_oruk_import($1::jsonb, $2)", 2, p);
		if (res == NULL) {
			/* This one alone: the rest go on. */
			if (db_exec(db, "ROLLBACK TO SAVEPOINT one", 0,
			    NULL) == -1)
				goto fail;
			n[3]++;
			continue;
		}
		if (strcmp(PQgetvalue(res, 0, 0), "added") == 0)
			n[0]++;
		else if (strcmp(PQgetvalue(res, 0, 0), "updated") == 0)
			n[1]++;
		else if (strcmp(PQgetvalue(res, 0, 0), "same") == 0)
			n[2]++;
		else {
			log_info("a service of %s left out: %s", p[1],
			    PQgetvalue(res, 0, 0));
			n[3]++;
		}
		PQclear(res);
	}
	if (db_commit(db) == -1)
		goto fail;
	rc = 0;
	goto done;
fail:
	db_rollback(db);
done:
	bodies_free(&b);
	free(text);
	free(base);
	return rc;
}
