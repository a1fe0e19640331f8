/*
 * Report files attached to evaluations.  A file is accepted only when its
 * own bytes say it is a PDF (whatever its name or the browser claimed),
 * up to max_upload, and is kept in the database with its SHA-256 so a
 * reader can check the copy they have.  It is served as a download in a
 * sandbox, never shown inline as part of the site.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "web.h"
#include "pages.h"

#define FILENAME_MAX_CHARS	200

/*
 * A PDF starts with "%PDF-" and a version, and ends with "%%EOF" within
 * its last kilobyte (readers allow trailing junk of about that much).
 */
static int
pdf_valid(const char *data, size_t len)
{
	size_t from, i;

	if (len < 16 || memcmp(data, "%PDF-", 5) != 0 ||
	    data[5] < '1' || data[5] > '2' || data[6] != '.')
		return 0;
	from = len > 1024 ? len - 1024 : 0;
	for (i = len - 5; i + 1 > from; i--) {
		if (memcmp(data + i, "%%EOF", 5) == 0)
			return 1;
		if (i == 0)
			break;
	}
	return 0;
}

/*
 * The name to keep: the last part of what the browser sent (some send a
 * whole path), without control characters or quotes, valid UTF-8, ending
 * in .pdf.  NULL when what is left is not UTF-8.  The controls go before
 * the UTF-8 check, which would otherwise refuse the whole name for them.
 */
static char *
filename_clean(const char *raw)
{
	const char *base = raw, *s;
	struct strbuf sb = { NULL, 0, 0, 0 };
	char *out;
	size_t chars = 0, n;

	for (s = raw; *s != '\0'; s++)
		if (*s == '/' || *s == '\\')
			base = s + 1;
	for (s = base; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"')
			continue;
		/* Cut only where a character starts: the UTF-8 stays whole. */
		if (((unsigned char)*s & 0xc0) != 0x80 &&
		    ++chars > FILENAME_MAX_CHARS - 4)
			break;
		strbuf_add(&sb, s, 1);
	}
	if (sb.p != NULL && !util_utf8_valid(sb.p, sb.len)) {
		strbuf_free(&sb);
		return NULL;
	}
	if (sb.len == 0 || sb.p == NULL)
		strbuf_str(&sb, "report");
	n = sb.len;
	if (n < 4 || strncasecmp(sb.p + n - 4, ".pdf", 4) != 0)
		strbuf_str(&sb, ".pdf");
	out = strbuf_take(&sb);
	if (out != NULL && util_trim(out)[0] == '.') {
		free(out);
		return util_strdup("report.pdf");
	}
	return out;
}

/* The evaluation the path names: its title, and whose it is. */
static const char owner_query[] =
    "SELECT e.title, e.origin = $2, " SQL_ORIGIN("e")
    " FROM evaluations e" SQL_KNOWN("e")
    " WHERE e.id = $1::uuid AND NOT e.deleted";

enum { OW_TITLE, OW_LOCAL, OW_RECEIVED };

/* The evaluation the path names (owner_query), or NULL. */
static PGresult *
files_owner(struct request *r, int *missing)
{
	const char *p[2];
	PGresult *res;

	*missing = 0;
	if (!util_uuid_valid(r->arg)) {
		*missing = 1;
		return NULL;
	}
	p[0] = r->arg;
	p[1] = node_id;
	res = db_query(r->db, PGRES_TUPLES_OK, owner_query, 2, p);
	if (res != NULL && PQntuples(res) != 1) {
		PQclear(res);
		*missing = 1;
		return NULL;
	}
	return res;
}

/* The files attached to an evaluation, oldest first. */
static const char files_query[] =
    "SELECT id, filename, pg_size_pretty(size::bigint), sha256, "
    SQL_LONDON("created", LONDON_STAMP)
    " FROM evaluation_files"
    " WHERE evaluation = $1::uuid ORDER BY created, id";

enum { FL_ID, FL_FILENAME, FL_SIZE, FL_SHA256, FL_ADDED };

static int
files_page(struct request *r, struct view *v, unsigned int status)
{
	struct view *f;
	PGresult *res;
	const char *p[1];
	char limit[32];
	int i;

	p[0] = r->arg;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, files_query, 1, p)) ==
	    NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	for (i = 0; i < PQntuples(res); i++) {
		if ((f = view_add(v, "files")) == NULL)
			break;
		view_set(f, "file_id", PQgetvalue(res, i, FL_ID));
		view_setf(f, "file_href", "/evidence/files/%s",
		    PQgetvalue(res, i, FL_ID));
		view_set(f, "filename", PQgetvalue(res, i, FL_FILENAME));
		view_set(f, "file_size", PQgetvalue(res, i, FL_SIZE));
		view_set(f, "sha256", PQgetvalue(res, i, FL_SHA256));
		view_set(f, "file_added", PQgetvalue(res, i, FL_ADDED));
		view_setf(f, "remove_label", "Remove %s",
		    PQgetvalue(res, i, FL_FILENAME));
	}
	PQclear(res);
	util_size_text(cfg->max_upload, limit, sizeof(limit));
	view_set(v, "max_upload", limit);
	return http_page(r, status, "evaluation_files", v);
}

/* Stores the uploaded file; a problem goes into v.  -1 on a db error. */
static int
files_add(struct request *r, struct view *v)
{
	const char *p[7];
	int lens[7] = { 0 }, formats[7] = { 0 };
	unsigned char digest[32];
	char id[ACORN_UUID_LEN + 1], hex[65], size[24], by[24], *name;
	PGresult *res;
	int rc = 0;

	if (r->upload.filename == NULL || r->upload.len == 0) {
		view_error(v, "file", "Choose a PDF report to attach");
		return 0;
	}
	if (!pdf_valid(r->upload.data, r->upload.len)) {
		view_error(v, "file", "The file must be a PDF. This file is "
		    "not a PDF, or is not complete: save the report as PDF and "
		    "try again");
		return 0;
	}
	if ((name = filename_clean(r->upload.filename)) == NULL) {
		view_error(v, "file", "The file's name cannot be read; rename "
		    "it and try again");
		return 0;
	}
	if (util_uuid(id) == -1) {
		free(name);
		return -1;
	}
	util_sha256(r->upload.data, r->upload.len, digest);
	util_hex(digest, 32, hex);
	snprintf(size, sizeof(size), "%zu", r->upload.len);
	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = id;
	p[1] = r->arg;
	p[2] = name;
	p[3] = size;
	p[4] = hex;
	p[5] = r->upload.data;
	p[6] = by;
	/* The file goes as bytes: escaping it as text would double it. */
	lens[5] = (int)r->upload.len;
	formats[5] = 1;
	if (db_begin(r->db) == -1) {
		free(name);
		return -1;
	}
	res = PQexecParams(db_conn(r->db), "INSERT INTO evaluation_files"
	    " (id, evaluation, filename, media_type, size, sha256, content,"
	    " created_by) VALUES ($1, $2, $3, 'application/pdf', $4::integer,"
	    " $5, $6::bytea, $7::bigint)"
	    " ON CONFLICT (evaluation, sha256) DO NOTHING", 7, NULL, p, lens,
	    formats, 0);
	if (PQresultStatus(res) == PGRES_COMMAND_OK &&
	    strcmp(PQcmdTuples(res), "0") != 0)
		rc = audit_commit(r->db, r->account->id, "evaluation_file_add",
		    id);
	else {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_err("%s", PQerrorMessage(db_conn(r->db)));
			rc = -1;
		} else
			view_error(v, "file", "This report is already attached "
			    "to the evaluation");
		db_rollback(r->db);
	}
	PQclear(res);
	free(name);
	return rc;
}

/*
 * Removes the file the form names (field id), if it is still there.
 * -1 on a db error.
 */
static int
files_remove(struct request *r)
{
	const char *p[2];
	PGresult *res;
	int n;

	p[0] = r->form.f[KEY_ID].text;
	p[1] = r->arg;
	if (db_begin(r->db) == -1 || (res = db_query(r->db, PGRES_TUPLES_OK,
	    "DELETE FROM evaluation_files WHERE id = $1"
	    " AND evaluation = $2::uuid RETURNING id", 2, p)) == NULL) {
		db_rollback(r->db);
		return -1;
	}
	/* None: removed already, by a double click or someone else. */
	n = PQntuples(res);
	PQclear(res);
	if (n != 1) {
		db_rollback(r->db);
		return 0;
	}
	return audit_commit(r->db, r->account->id, "evaluation_file_remove",
	    p[0]);
}

/*
 * GET and POST /evidence/{id}/files: the attached reports, a form to add
 * one (multipart, field "file") and a button to remove each (field id).
 */
int
evidence_files(struct request *r)
{
	struct view *v = NULL;
	PGresult *res;
	int missing, rc;

	if ((res = files_owner(r, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	/* Contributors only: the route says so (NEED_CONTRIBUTOR). */
	if (*PQgetvalue(res, 0, OW_LOCAL) != 't')
		rc = origin_refuse(r, "evaluation", res, 0, OW_RECEIVED);
	else if ((v = page_view(r, "Reports")) == NULL)
		rc = http_error(r, 500);
	else
		view_set(v, "ev_title", PQgetvalue(res, 0, OW_TITLE));
	PQclear(res);
	if (v == NULL)
		return rc;
	view_setf(v, "ev_href", "/evidence/%s", r->arg);
	view_setf(v, "form_action", "/evidence/%s/files", r->arg);
	if (r->method != METHOD_POST)
		return files_page(r, v, 200);
	if (r->form.f[KEY_ID].text != NULL)
		rc = files_remove(r);
	else if ((rc = files_add(r, v)) == 0 && view_has(v, "errors"))
		return files_page(r, v, 422);
	view_free(v);
	if (rc == -1)
		return http_error(r, 503);
	return http_redirectf(r, "/evidence/%s/files", r->arg);
}

/* A file to download, while its evaluation is there: first what names it. */
static const char download_query[] =
    "SELECT f.filename, f.sha256, octet_length(f.content)"
    " FROM evaluation_files f"
    " JOIN evaluations e ON e.id = f.evaluation AND NOT e.deleted"
    " WHERE f.id = $1::uuid";

enum { DL_FILENAME, DL_SHA256, DL_LENGTH };

/* Then its bytes, a piece at a time. */
static const char download_piece[] =
    "SELECT substring(content FROM $2::integer FOR $3::integer)"
    " FROM evaluation_files WHERE id = $1::uuid AND sha256 = $4";

#define DOWNLOAD_PIECE	(1024 * 1024)

/*
 * Copies the file's len bytes into fd, a piece at a time, so that a
 * download holds at most one piece in memory while it is copied and
 * none while it is sent.  -1 when the database failed or the file went.
 */
static int
download_copy(struct request *r, const char *id, const char *sha256,
    size_t len, int fd)
{
	char from[24], count[24];
	const char *p[4];
	PGresult *res = NULL;
	size_t done, n;
	ssize_t w;
	int rc = -1;

	p[0] = id;
	p[1] = from;
	p[2] = count;
	p[3] = sha256;
	for (done = 0; done < len; done += n) {
		n = len - done < DOWNLOAD_PIECE ? len - done : DOWNLOAD_PIECE;
		snprintf(from, sizeof(from), "%zu", done + 1);
		snprintf(count, sizeof(count), "%zu", n);
		/* The bytes come as they are stored: binary results. */
		res = PQexecParams(db_conn(r->db), download_piece, 4, NULL, p,
		    NULL, NULL, 1);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			log_err("%s: %s", __func__,
			    PQerrorMessage(db_conn(r->db)));
			goto done;
		}
		if (PQntuples(res) != 1 || (size_t)PQgetlength(res, 0, 0) != n)
			goto done;
		if ((w = pwrite(fd, PQgetvalue(res, 0, 0), n, (off_t)done)) ==
		    -1 || (size_t)w != n) {
			log_err("%s: %s", __func__, strerror(errno));
			goto done;
		}
		PQclear(res);
		res = NULL;
	}
	rc = 0;
done:
	PQclear(res);
	return rc;
}

/*
 * GET /evidence/files/{id}: the file as a download, in a sandbox that
 * keeps a PDF opened in the browser from running anything as this
 * site.  A reader who holds it already is told so before any of it is
 * read.
 */
int
evidence_files_one(struct request *r)
{
	PGresult *res;
	const char *p[1];
	char etag[70];
	long len;
	int rc, fd;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, download_query, 1, p)) ==
	    NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		rc = http_error(r, 404);
		goto done;
	}
	snprintf(etag, sizeof(etag), "\"%.64s\"",
	    PQgetvalue(res, 0, DL_SHA256));
	if (http_fresh(r, etag)) {
		rc = http_not_modified(r, etag, NULL);
		goto done;
	}
	len = strtol(PQgetvalue(res, 0, DL_LENGTH), NULL, 10);
	if ((fd = http_tmpfile()) == -1) {
		rc = http_error(r, 503);
		goto done;
	}
	if (download_copy(r, r->arg, PQgetvalue(res, 0, DL_SHA256),
	    (size_t)len, fd) == -1) {
		close(fd);
		rc = http_error(r, 503);
		goto done;
	}
	rc = http_download(r, "application/pdf", fd, (size_t)len,
	    PQgetvalue(res, 0, DL_FILENAME), etag);
done:
	PQclear(res);
	return rc;
}
