/*
 * Migrations: the numbered files of schema/ whose version the database
 * has not recorded, in order, each applied in one transaction with its
 * version row, under an advisory lock so that several processes starting
 * at once migrate exactly once.  Every missing version is applied, not
 * only those above the highest: changes made side by side land in any
 * order, and a database that took a later number first still gets the
 * earlier one.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define MIGRATE_LOCK	"7261001"	/* the advisory lock's key */
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

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The migration files in dir ("NNN_name.sql"), sorted; -1 on failure. */
static int
migration_list(const char *dir, char ***out, size_t *count)
{
	DIR *dp;
	struct dirent *de;
	char **names = NULL, **grown, *name;
	size_t n = 0, len;
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
		if ((grown = realloc(names, (n + 1) * sizeof(*names))) == NULL)
			goto done;
		names = grown;
		if ((name = util_strdup(de->d_name)) == NULL)
			goto done;
		names[n++] = name;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	rc = 0;
done:
	closedir(dp);
	if (rc == -1) {
		log_err("%s: out of memory", dir);
		names_free(names, n);
		names = NULL;
		n = 0;
	}
	*out = names;
	*count = n;
	return rc;
}

/* 1 when version is recorded as applied, 0 when not, -1 on failure. */
static int
migration_applied(PGconn *c, long version)
{
	PGresult *r;
	const char *params[1];
	char num[32];
	int rc = -1;

	snprintf(num, sizeof(num), "%ld", version);
	params[0] = num;
	r = PQexecParams(c, "SELECT count(*) FROM schema_version"
	    " WHERE version = $1", 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		rc = strcmp(PQgetvalue(r, 0, DB_ONLY), "0") != 0;
	else
		log_err("schema_version: %s", PQerrorMessage(c));
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
	size_t n = 0, i;
	long v;
	int rc = -1, applied = 0, have;

	r = PQexec(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")");
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
	for (i = 0; i < n; i++) {
		v = strtol(names[i], NULL, 10);
		if ((have = migration_applied(c, v)) == -1)
			goto done;
		if (have)
			continue;
		if (migration_apply(c, dir, names[i], v) == -1)
			goto done;
		applied++;
	}
	if (applied == 0)
		log_info("schema is up to date (%zu migrations)", n);
	rc = 0;
done:
	names_free(names, n);
	run(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")", PGRES_TUPLES_OK,
	    "advisory unlock");
	return rc;
}
