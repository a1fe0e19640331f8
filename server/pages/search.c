/*
 * One search across what the node knows.  Each source (library
 * documents, glossary terms, evaluations) answers in its own section;
 * adding one is a line in the table below: its query ($1 the words
 * searched for, at most 50 rows, best first), kept beside the rest of
 * its SQL in its own page, and a function that shows one row.
 */
#include <stdio.h>
#include <stdlib.h>

#include "web.h"
#include "pages.h"

static const struct {
	const char	*heading;
	const char	*all_href;	/* the source's own page */
	const char	*all_text;
	const char	*sql;
	void		(*row)(struct view *, PGresult *, int);
} sources[] = {
	{ "Library documents", "/library", "Browse the library",
	  library_search_sql, library_search_row },
	{ "Glossary", "/glossary", "See the whole glossary",
	  glossary_search_sql, glossary_search_row },
	{ "Evidence", "/evidence", "Browse the evidence",
	  evidence_search_sql, evidence_search_row },
};
#define NSOURCES	(sizeof(sources) / sizeof(sources[0]))

/* One source's results into section s: how many, or -1. */
static int
search_source(struct request *r, size_t k, const char *q, struct view *s)
{
	PGresult *res;
	struct view *row;
	const char *p[1] = { q };
	int i, n;

	if ((res = db_query(r->db, PGRES_TUPLES_OK, sources[k].sql, 1, p)) ==
	    NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++)
		if ((row = view_add(s, "results")) != NULL)
			sources[k].row(row, res, i);
	PQclear(res);
	return n;
}

/* GET /search?q= */
int
search_page(struct request *r)
{
	const char *q = r->form.f[KEY_Q].text;
	struct view *v, *s;
	size_t i;
	int n, total = 0;

	if ((v = page_view(r, "Search")) == NULL)
		return http_error(r, 500);
	view_set(v, "v_q", q);
	if (r->form.f[KEY_Q].error)
		view_field(v, r, KEY_Q, NULL);
	if (q == NULL || *q == '\0') {
		view_flag(v, "asked", 0);
		return http_page(r, view_has(v, "errors") ? 422 : 200,
		    "search", v);
	}
	view_flag(v, "asked", 1);
	for (i = 0; i < NSOURCES; i++) {
		if ((s = view_add(v, "sections")) == NULL)
			break;
		view_set(s, "heading", sources[i].heading);
		view_set(s, "all_href", sources[i].all_href);
		view_set(s, "all_text", sources[i].all_text);
		if ((n = search_source(r, i, q, s)) == -1) {
			view_free(v);
			return http_error(r, 503);
		}
		view_setf(s, "count", "%d %s", n, n == 1 ? "result" :
		    "results");
		view_flag(s, "found", n > 0);
		total += n;
	}
	view_flag(v, "none", total == 0);
	return http_page(r, 200, "search", v);
}
