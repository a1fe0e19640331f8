/*
 * The glossary: the network's words in plain English, each with the
 * other names people use for it (a link worker is also a care navigator,
 * a community connector, a health champion), so that searching any of
 * them finds it.  Any member can add a term or improve one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define MAX_SYNONYMS	20

/*
 * The terms a search ($1, or '' for all) finds from the nodes of a region
 * ($3, or '' for any), A to Z, each with the letter it is listed under;
 * $2 is this node.
 */
static const char list_query[] =
    "SELECT g.id, g.term, g.definition, array_to_string(g.synonyms, ', '),"
    " g.origin = $2,"
    " CASE WHEN upper(left(g.term, 1)) ~ '^[A-Z]$'"
    "  THEN upper(left(g.term, 1)) ELSE '#' END, " SQL_ORIGIN("g")
    " FROM glossary_terms g" SQL_KNOWN("g") " WHERE NOT g.deleted"
    " AND ($1 = '' OR g.search @@ acorn_prefix_query($1))"
    " AND ($3 = '' OR k.region = $3)"
    " ORDER BY lower(g.term), g.origin <> $2, k.name LIMIT 2000";

enum {
	GL_ID, GL_TERM, GL_DEFINITION, GL_SYNONYMS, GL_LOCAL, GL_LETTER,
	GL_RECEIVED
};

/*
 * Above a narrowed list, what narrows it: "Showing 3 terms: search
 * “navigator”, region London", each with a link removing it, and
 * Clear filters.
 */
static void
glossary_summary(struct view *v, const char *q, const char *region, int n)
{
	struct view *item;
	char *enc;

	if (q != NULL && *q == '\0')
		q = NULL;
	if (q == NULL && region == NULL)
		return;
	view_setf(v, "showing", "Showing %d %s: %s%s%s%s%s%s", n,
	    n == 1 ? "term" : "terms", q != NULL ? "search \u201c" : "",
	    q != NULL ? q : "", q != NULL ? "\u201d" : "",
	    q != NULL && region != NULL ? ", " : "",
	    region != NULL ? "region " : "", region != NULL ? region : "");
	if (q != NULL && (item = view_add(v, "applied")) != NULL) {
		view_setf(item, "remove_text", "search \u201c%s\u201d", q);
		enc = region != NULL ? util_url_encode(region) : NULL;
		view_setf(item, "remove_href", "/glossary%s%s",
		    enc != NULL ? "?region=" : "", enc != NULL ? enc : "");
		free(enc);
	}
	if (region != NULL && (item = view_add(v, "applied")) != NULL) {
		view_setf(item, "remove_text", "region %s", region);
		enc = q != NULL ? util_url_encode(q) : NULL;
		view_setf(item, "remove_href", "/glossary%s%s",
		    enc != NULL ? "?q=" : "", enc != NULL ? enc : "");
		free(enc);
	}
}

/*
 * GET /glossary: every term of the network A to Z, or those a search
 * finds, narrowed to the region of the node each comes from.  Two
 * regions may both define a term: both are listed, each with its origin.
 */
int
glossary_list(struct request *r)
{
	const char *q = r->form.f[KEY_Q].text, *p[3], *letter = NULL;
	const char *region = r->form.f[KEY_REGION].text;
	struct view *v, *t, *l = NULL;
	PGresult *res;
	int i, n;

	/* A region not on the list is a hand-made address, not a choice. */
	if (r->form.f[KEY_REGION].error)
		return http_error(r, 400);
	if (region != NULL && *region == '\0')
		region = NULL;
	if ((v = page_view(r, "Glossary")) == NULL)
		return http_error(r, 500);
	view_regions(v);
	view_set(v, "v_q", q);
	view_set(v, "v_region", region);
	p[0] = q != NULL ? q : "";
	p[1] = node_id;
	p[2] = region != NULL ? region : "";
	res = db_query(r->db, PGRES_TUPLES_OK, list_query, 3, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if (letter == NULL ||
		    strcmp(letter, PQgetvalue(res, i, GL_LETTER)) != 0) {
			letter = PQgetvalue(res, i, GL_LETTER);
			if ((l = view_add(v, "letters")) == NULL)
				break;
			view_set(l, "letter", letter);
		}
		if ((t = view_add(l, "terms")) == NULL)
			break;
		view_setf(t, "anchor", "term-%s", PQgetvalue(res, i, GL_ID));
		view_set(t, "term", PQgetvalue(res, i, GL_TERM));
		view_set(t, "definition", PQgetvalue(res, i, GL_DEFINITION));
		view_set(t, "synonyms", PQgetvalue(res, i, GL_SYNONYMS));
		view_flag(t, "has_synonyms",
		    *PQgetvalue(res, i, GL_SYNONYMS) != '\0');
		view_flag(t, "may_edit", r->account != NULL &&
		    *PQgetvalue(res, i, GL_LOCAL) == 't');
		view_setf(t, "edit_href", "/glossary/%s/edit",
		    PQgetvalue(res, i, GL_ID));
		view_setf(t, "edit_label", "Edit %s",
		    PQgetvalue(res, i, GL_TERM));
		origin_view(t, res, i, GL_RECEIVED);
	}
	view_flag(v, "none", n == 0);
	PQclear(res);
	glossary_summary(v, q, region, n);
	return http_page(r, 200, "glossary", v);
}

/*
 * The form for a term, checked and saved: a new term when id is NULL.
 * Returns the answer sent.
 */
static int
glossary_save(struct request *r, struct view *v, const char *id)
{
	const char *p[6];
	char *synonyms = NULL, newid[ACORN_UUID_LEN + 1], by[24];
	int rc;

	p[1] = view_field(v, r, KEY_TERM, "Enter the term");
	p[2] = view_field(v, r, KEY_DEFINITION, "Enter what the term means, "
	    "in plain English");
	view_field(v, r, KEY_SYNONYMS, NULL);
	if (r->form.f[KEY_SYNONYMS].error == 0)
		synonyms = view_comma_list(v, "synonyms",
		    r->form.f[KEY_SYNONYMS].text, MAX_SYNONYMS, 120,
		    "Give 20 other names or fewer, each 120 characters or "
		    "fewer");
	if (view_has(v, "errors"))
		goto refused;
	if (id == NULL && util_uuid(newid) == -1) {
		free(synonyms);
		view_free(v);
		return http_error(r, 500);
	}
	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = id != NULL ? id : newid;
	p[3] = synonyms;
	p[4] = node_id;
	p[5] = by;
	rc = db_begin(r->db);
	if (rc == 0 && id == NULL)
		rc = db_exec(r->db, "INSERT INTO glossary_terms (id, origin,"
		    " term, definition, synonyms, created_by) VALUES ($1, $5,"
		    " $2, $3, $4::text[], $6::bigint)", 6, p);
	else if (rc == 0)
		rc = db_exec(r->db, "UPDATE glossary_terms SET term = $2,"
		    " definition = $3, synonyms = $4::text[],"
		    " updated = now()"
		    " WHERE id = $1 AND origin = $5 AND NOT deleted"
		    " AND $6::bigint IS NOT NULL", 6, p);
	if (rc == -1 && db_duplicate(r->db)) {
		db_rollback(r->db);
		view_error(v, "term", "The glossary already has this term: "
		    "edit that one instead");
		goto refused;
	}
	free(synonyms);
	view_free(v);
	if (rc == -1 || audit_commit(r->db, r->account->id, id == NULL ?
	    "glossary_add" : "glossary_edit", p[0]) == -1)
		return http_error(r, 503);
	return http_redirect(r, "/glossary");
refused:
	free(synonyms);
	return http_page(r, 422, "glossary_form", v);
}

/* GET and POST /glossary/new */
int
glossary_new(struct request *r)
{
	struct view *v;

	if ((v = page_view(r, "Add a term to the glossary")) == NULL)
		return http_error(r, 500);
	view_set(v, "form_action", "/glossary/new");
	view_flag(v, "creating", 1);
	if (r->method != METHOD_POST)
		return http_page(r, 200, "glossary_form", v);
	return glossary_save(r, v, NULL);
}

/* A term to edit, and where it comes from. */
static const char edit_query[] =
    "SELECT g.term, g.definition, array_to_string(g.synonyms, ', '), "
    SQL_ORIGIN("g") " FROM glossary_terms g" SQL_KNOWN("g")
    " WHERE g.id = $1 AND NOT g.deleted";

enum { GE_TERM, GE_DEFINITION, GE_SYNONYMS, GE_RECEIVED };

/* GET and POST /glossary/{id}/edit */
int
glossary_edit(struct request *r)
{
	struct view *v = NULL;
	PGresult *res;
	const char *p[1];
	int rc;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, edit_query, 1, p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1)
		rc = http_error(r, 404);
	else if (*PQgetvalue(res, 0, GE_RECEIVED) == 't')
		rc = origin_refuse(r, "glossary term", res, 0, GE_RECEIVED);
	else if ((v = page_view(r, "Edit a glossary term")) == NULL)
		rc = http_error(r, 500);
	else {
		view_setf(v, "form_action", "/glossary/%s/edit", r->arg);
		view_set(v, "term_title", PQgetvalue(res, 0, GE_TERM));
		if (r->method != METHOD_POST) {
			view_set(v, "v_term", PQgetvalue(res, 0, GE_TERM));
			view_set(v, "v_definition", PQgetvalue(res, 0,
			    GE_DEFINITION));
			view_set(v, "v_synonyms", PQgetvalue(res, 0,
			    GE_SYNONYMS));
		}
	}
	PQclear(res);
	if (v == NULL)
		return rc;
	if (r->method != METHOD_POST)
		return http_page(r, 200, "glossary_form", v);
	return glossary_save(r, v, r->arg);
}

/* Terms a search finds ($1), best first. */
const char glossary_search_sql[] =
    "SELECT id, term, definition, array_to_string(synonyms, ', ')"
    " FROM glossary_terms"
    " WHERE NOT deleted AND search @@ acorn_prefix_query($1)"
    " ORDER BY ts_rank(search, acorn_prefix_query($1)) DESC,"
    " lower(term) LIMIT 50";

enum { GS_ID, GS_TERM, GS_DEFINITION, GS_SYNONYMS };

/* Terms matching a search, for /search: into v's "results". */
void
glossary_search_row(struct view *s, PGresult *res, int i)
{
	view_setf(s, "href", "/glossary#term-%s", PQgetvalue(res, i, GS_ID));
	view_set(s, "result_title", PQgetvalue(res, i, GS_TERM));
	if (*PQgetvalue(res, i, GS_SYNONYMS) != '\0')
		view_setf(s, "meta", "Also called: %s",
		    PQgetvalue(res, i, GS_SYNONYMS));
	view_set(s, "snippet", PQgetvalue(res, i, GS_DEFINITION));
}
