/*
 * Migrations: the numbered files of schema/ whose version the database
 * has not recorded, in order, each applied in one transaction with its
 * version row, under an advisory lock so that several processes starting
 * at once migrate exactly once.  A file is applied only above the newest
 * version recorded, and only under a number no other file has taken:
 * when changes made side by side collide, migrate refuses and says which
 * file to renumber, rather than skip one or run it out of order.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define MIGRATION_MAX	(4L * 1024 * 1024)	/* bytes in one file */

/* A statement that must end as want; 0, or -1 with the error logged. */
static int
run(PGconn *c, const char *sql, ExecStatusType want, const char *what)
{
	PGresult *r = PQexec(c, sql);
	int rc = 0;

	if (PQresultStatus(r) != want) {
		log_err("%s: %s", what, PQerrorMessage(c));
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/* A file's version: the number its name starts with. */
static long
name_version(const char *name)
{
	return strtol(name, NULL, 10);
}

/* By version, then by name: "100_x" comes after "099_y". */
static int
name_cmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	long vx = name_version(x), vy = name_version(y);

	if (vx != vy)
		return vx < vy ? -1 : 1;
	return strcmp(x, y);
}

static void
names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * The migration files in dir ("NNN_name.sql"), in order of version; -1
 * on failure, and when two files share a number (made side by side,
 * each would take the other's place in schema_version).
 */
static int
migration_list(const char *dir, char ***out, size_t *count)
{
	DIR *dp;
	struct dirent *de;
	char **names = NULL, **grown, *name;
	size_t n = 0, i, len;
	int rc = -1;

	if ((dp = opendir(dir)) == NULL) {
		log_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (len < 8 || strcmp(de->d_name + len - 4, ".sql") != 0 ||
		    de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if ((grown = realloc(names, (n + 1) * sizeof(*names))) ==
		    NULL) {
			log_err("%s: out of memory", dir);
			goto done;
		}
		names = grown;
		if ((name = util_strdup(de->d_name)) == NULL) {
			log_err("%s: out of memory", dir);
			goto done;
		}
		names[n++] = name;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 1; i < n; i++)
		if (name_version(names[i]) == name_version(names[i - 1])) {
			log_err("%s and %s share the number %03ld: renumber "
			    "one of them", names[i - 1], names[i],
			    name_version(names[i]));
			goto done;
		}
	rc = 0;
done:
	closedir(dp);
	if (rc == -1) {
		names_free(names, n);
		names = NULL;
		n = 0;
	}
	*out = names;
	*count = n;
	return rc;
}

/* The versions the database records, oldest first. */
static const char applied_query[] =
    "SELECT version, name FROM schema_version ORDER BY version";

enum { AP_VERSION, AP_NAME };

/*
 * Which files are to be applied: 0 with pending[i] set for each, or -1
 * (nothing is applied then) when the files and the database disagree.
 * A version recorded under another file's name came from another line
 * of work and this file would never run; a file older than the newest
 * version applied would run after the newer ones and could undo what
 * they changed (a function one of them redefined, say).  Either is for
 * a person to settle, by renumbering the file.
 */
static int
migration_plan(PGconn *c, char **names, size_t n, unsigned char *pending)
{
	PGresult *r;
	const char *newest_name = NULL, *got;
	long v, newest = 0;
	size_t i;
	int row, rows, rc = -1;

	r = PQexec(c, applied_query);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_err("schema_version: %s", PQerrorMessage(c));
		PQclear(r);
		return -1;
	}
	rows = PQntuples(r);
	if (rows > 0) {
		newest = strtol(PQgetvalue(r, rows - 1, AP_VERSION), NULL, 10);
		newest_name = PQgetvalue(r, rows - 1, AP_NAME);
	}
	for (i = 0; i < n; i++) {
		v = name_version(names[i]);
		got = NULL;
		for (row = 0; row < rows && got == NULL; row++)
			if (strtol(PQgetvalue(r, row, AP_VERSION), NULL, 10) ==
			    v)
				got = PQgetvalue(r, row, AP_NAME);
		pending[i] = got == NULL;
		if (got != NULL && strcmp(got, names[i]) != 0) {
			log_err("migration %03ld is recorded as applied from "
			    "%s, not %s: renumber %s", v, got, names[i],
			    names[i]);
			goto done;
		}
		if (got == NULL && v < newest) {
			log_err("migration %03ld (%s) is older than the newest "
			    "applied %03ld (%s): renumber it", v, names[i],
			    newest, newest_name);
			goto done;
		}
	}
	rc = 0;
done:
	PQclear(r);
	return rc;
}

/* One migration file, with its version row, in one transaction. */
static int
migration_apply(PGconn *c, const char *dir, const char *name, long version)
{
	PGresult *r;
	const char *params[2];
	char *path, *sql = NULL, num[32];
	int rc = -1;

	if ((path = util_printf("%s/%s", dir, name)) == NULL ||
	    util_read_file(path, &sql, NULL, MIGRATION_MAX) == -1) {
		log_err("%s: cannot read it", name);
		free(path);
		return -1;
	}
	free(path);
	if (run(c, "BEGIN", PGRES_COMMAND_OK, name) == -1)
		goto done;
	/* Trusted text shipped with the program, never user input. */
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_err("%s: %s", name, PQerrorMessage(c));
		PQclear(r);
		goto rollback;
	}
	PQclear(r);
	snprintf(num, sizeof(num), "%ld", version);
	params[0] = num;
	params[1] = name;
	r = PQexecParams(c, "INSERT INTO schema_version (version, name)"
	    " VALUES ($1, $2)", 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		log_err("%s: %s", name, PQerrorMessage(c));
		PQclear(r);
		goto rollback;
	}
	PQclear(r);
	if (run(c, "COMMIT", PGRES_COMMAND_OK, name) == -1)
		goto done;
	log_info("applied %s", name);
	rc = 0;
	goto done;
rollback:
	run(c, "ROLLBACK", PGRES_COMMAND_OK, name);
done:
	free(sql);
	return rc;
}

int
db_migrate(PGconn *c, const char *dir)
{
	PGresult *r;
	char **names = NULL;
	unsigned char *pending = NULL;
	size_t n = 0, i;
	int rc = -1, applied = 0;

	/*
	 * A migration may rewrite a large table: the statement_timeout of
	 * every other connection is not for it, nor is waiting for the lock
	 * while another process migrates.
	 */
	if (run(c, "SET statement_timeout = 0", PGRES_COMMAND_OK,
	    "statement_timeout") == -1)
		return -1;
	r = PQexec(c, "SELECT pg_advisory_lock(" LOCK_MIGRATE ")");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_err("advisory lock: %s", PQerrorMessage(c));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	if (run(c, "CREATE TABLE IF NOT EXISTS schema_version ("
	    " version integer PRIMARY KEY,"
	    " name text NOT NULL,"
	    " applied timestamptz NOT NULL DEFAULT now())", PGRES_COMMAND_OK,
	    "schema_version") == -1)
		goto done;
	if (migration_list(dir, &names, &n) == -1)
		goto done;
	if (n > 0 && (pending = calloc(n, 1)) == NULL) {
		log_err("out of memory");
		goto done;
	}
	if (migration_plan(c, names, n, pending) == -1)
		goto done;
	for (i = 0; i < n; i++) {
		if (!pending[i])
			continue;
		if (migration_apply(c, dir, names[i], name_version(names[i])) ==
		    -1)
			goto done;
		applied++;
	}
	if (applied == 0)
		log_info("schema is up to date (%zu migrations)", n);
	rc = 0;
done:
	free(pending);
	names_free(names, n);
	run(c, "SELECT pg_advisory_unlock(" LOCK_MIGRATE ")", PGRES_TUPLES_OK,
	    "advisory unlock");
	return rc;
}
