/*
 * Postcodes and where they are, for finding services near someone: the
 * ONS Postcode Directory's CSV (or any CSV with its columns pcds, lat,
 * long and doterm, after lines of "#" that say where it comes from)
 * read row by row, terminated postcodes and those
 * without a location skipped, copied into a staging table and merged in
 * one transaction.  Each district's centre is then the mean of its live
 * postcodes, for a postcode the table lacks (acorn_postcode_point), and
 * this node's places without coordinates take their postcode's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core.h"

/* A line of the file longer than this is not a postcode's row. */
#define LINE_MAX_BYTES	65536
/* Rows sent to COPY at a time. */
#define COPY_BATCH	(256 * 1024)

/* The columns read, wherever the header puts them. */
enum { PC_PCDS, PC_LAT, PC_LONG, PC_DOTERM, PC__MAX };
static const char *const column_names[PC__MAX] = {
	"pcds", "lat", "long", "doterm"
};

/*
 * Splits one CSV line (RFC 4180, without line breaks inside quotes) in
 * place into at most max fields; their number, or -1 when a quote is
 * left open.
 */
static int
csv_split(char *line, char **field, int max)
{
	char *r = line, *w;
	int n = 0, quoted;

	line[strcspn(line, "\r\n")] = '\0';
	for (;;) {
		if (n == max)
			return n;
		field[n++] = w = r;
		quoted = *r == '"';
		if (quoted)
			r++;
		for (;;) {
			if (quoted && *r == '"' && r[1] == '"') {
				*w++ = '"';
				r += 2;
			} else if (quoted && *r == '"') {
				quoted = 0;
				r++;
			} else if (*r == '\0') {
				if (quoted)
					return -1;
				*w = '\0';
				return n;
			} else if (!quoted && *r == ',') {
				*w = '\0';
				r++;
				break;
			} else
				*w++ = *r++;
		}
	}
}

/* A coordinate in range, or -1 (ONS marks "no location" 99.999999). */
static int
coordinate(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || *out < lo || *out > hi)
		return -1;
	return 0;
}

static int
copy_flush(PGconn *c, struct strbuf *b)
{
	if (b->failed || (b->len > 0 &&
	    PQputCopyData(c, b->p, (int)b->len) != 1))
		return -1;
	b->len = 0;
	return 0;
}

/*
 * Reads postcodes from in into the staging table of a COPY already
 * started on c.  The rows kept, or -1; *skipped counts the others.
 */
static long
read_rows(FILE *in, PGconn *c, long *skipped, const char *path)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	char *line = NULL, *field[64], pc[POSTCODE_LEN + 1], row[64];
	int col[PC__MAX], n, i, k;
	size_t cap = 0;
	ssize_t len;
	long kept = 0, lineno = 1;
	double lat, lon;

	/* Lines of "#" before the header say where the data comes from. */
	do {
		if ((len = getline(&line, &cap, in)) <= 0) {
			log_err("%s: empty, or not readable", path);
			goto fail;
		}
	} while (*line == '#' && lineno++ > 0);
	/* A byte order mark before the header is not part of its name. */
	n = csv_split(strncmp(line, "\357\273\277", 3) == 0 ? line + 3 :
	    line, field, 64);
	for (k = 0; k < PC__MAX; k++) {
		col[k] = -1;
		for (i = 0; i < n; i++)
			if (strcasecmp(field[i], column_names[k]) == 0)
				col[k] = i;
		if (col[k] == -1) {
			log_err("%s: no column %s in its first line", path,
			    column_names[k]);
			goto fail;
		}
	}
	while ((len = getline(&line, &cap, in)) > 0) {
		lineno++;
		if (len > LINE_MAX_BYTES ||
		    (n = csv_split(line, field, 64)) == -1) {
			log_err("%s:%ld: not a row of the file", path, lineno);
			goto fail;
		}
		if (n == 1 && *field[0] == '\0')
			continue;
		for (k = 0; k < PC__MAX; k++)
			if (col[k] >= n)
				break;
		if (k < PC__MAX) {
			log_err("%s:%ld: %d fields, fewer than the header's",
			    path, lineno, n);
			goto fail;
		}
		if (*field[col[PC_DOTERM]] != '\0' ||
		    postcode_normal(field[col[PC_PCDS]], pc) == -1 ||
		    coordinate(field[col[PC_LAT]], 49, 61, &lat) == -1 ||
		    coordinate(field[col[PC_LONG]], -9, 3, &lon) == -1) {
			(*skipped)++;
			continue;
		}
		snprintf(row, sizeof(row), "%s\t%.6f\t%.6f\n", pc, lat, lon);
		strbuf_str(&b, row);
		kept++;
		if (b.len >= COPY_BATCH && copy_flush(c, &b) == -1)
			goto fail;
	}
	if (ferror(in)) {
		log_err("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (copy_flush(c, &b) == -1)
		goto fail;
	free(line);
	strbuf_free(&b);
	return kept;
fail:
	free(line);
	strbuf_free(&b);
	return -1;
}

/*
 * Imports the postcodes of file path into the database, in one
 * transaction (a file that fails part way changes nothing).  The
 * postcodes now known from it, or -1; *skipped the rows left out
 * (terminated, without a location, not a postcode).
 */
long
postcodes_import(struct db *db, const char *path, long *skipped)
{
	PGconn *c = db_conn(db);
	PGresult *r;
	FILE *in;
	long kept;
	int ok = 1;

	*skipped = 0;
	if ((in = fopen(path, "r")) == NULL) {
		log_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (db_begin(db) == -1 || db_exec(db, "CREATE TEMP TABLE"
	    " postcode_stage (postcode text, latitude float8,"
	    " longitude float8) ON COMMIT DROP", 0, NULL) == -1) {
		fclose(in);
		db_rollback(db);
		return -1;
	}
	r = PQexec(c, "COPY postcode_stage FROM STDIN");
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		log_err("%s", PQerrorMessage(c));
		PQclear(r);
		fclose(in);
		db_rollback(db);
		return -1;
	}
	PQclear(r);
	kept = read_rows(in, c, skipped, path);
	fclose(in);
	if (PQputCopyEnd(c, kept == -1 ? "the file could not be read" :
	    NULL) != 1)
		kept = -1;
	while ((r = PQgetResult(c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			if (kept != -1)
				log_err("%s", PQerrorMessage(c));
			ok = 0;
		}
		PQclear(r);
	}
	if (kept == -1 || !ok ||
	    db_exec(db, "INSERT INTO postcodes (postcode, latitude,"
	    " longitude) SELECT DISTINCT ON (postcode) postcode, latitude,"
	    " longitude FROM postcode_stage ORDER BY postcode"
	    " ON CONFLICT (postcode) DO UPDATE SET latitude ="
	    " excluded.latitude, longitude = excluded.longitude", 0,
	    NULL) == -1 ||
	    db_exec(db, "CALL acorn_postcodes_imported()", 0, NULL) == -1 ||
	    db_commit(db) == -1) {
		db_rollback(db);
		return -1;
	}
	return kept;
}
