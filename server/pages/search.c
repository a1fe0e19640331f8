/*
 * One search across what the node knows, from the box in every page's
 * header.  Each source (events, members, library documents, evaluations,
 * glossary terms) answers in its own section with its count; adding one
 * is a line in the table below: its query (at most 50 rows, best first),
 * kept beside the rest of its SQL in its own page, the values it takes as
 * $1, $2 …, and a function that shows one row.  Whom a source shows to
 * whom is its own page's rule: the searcher is one of its values.
 */
#include <stdio.h>
#include <stdlib.h>

#include "web.h"
#include "pages.h"

/* What a source's query may take as its parameters. */
enum search_param {
	SP_NONE,	/* ends the list */
	SP_WORDS,	/* the words searched for */
	SP_VIEWER,	/* the account searching, "0" for a visitor */
	SP_COORDINATOR	/* "true" when a coordinator or admin searches */
};
#define SEARCH_PARAMS	3

static const struct {
	const char	*heading;
	const char	*anchor;	/* the section's id on the page */
	const char	*all_href;	/* the source's own page */
	const char	*all_text;
	const char	*sql;
	enum search_param params[SEARCH_PARAMS];
	void		(*row)(struct view *, PGresult *, int);
} sources[] = {
	{ "Events", "events", "/events", "Browse all events",
	  events_search_sql, { SP_WORDS, SP_COORDINATOR }, events_search_row },
	{ "Members", "members", "/members", "Browse the members",
	  members_search_sql, { SP_WORDS, SP_VIEWER }, members_search_row },
	{ "Library documents", "library", "/library", "Browse the library",
	  library_search_sql, { SP_WORDS }, library_search_row },
	{ "Evidence", "evidence", "/evidence", "Browse the evidence",
	  evidence_search_sql, { SP_WORDS }, evidence_search_row },
	{ "Glossary", "glossary", "/glossary", "See the whole glossary",
	  glossary_search_sql, { SP_WORDS }, glossary_search_row },
};
#define NSOURCES	(sizeof(sources) / sizeof(sources[0]))

/* One source's results into section s: how many, or -1. */
static int
search_source(struct request *r, size_t k, const char *q, struct view *s)
{
	PGresult *res;
	struct view *row;
	const char *p[SEARCH_PARAMS];
	char viewer[32];
	int i, n, np;

	snprintf(viewer, sizeof(viewer), "%ld",
	    r->account != NULL ? r->account->id : 0L);
	for (np = 0; np < SEARCH_PARAMS && sources[k].params[np] != SP_NONE;
	    np++)
		switch (sources[k].params[np]) {
		case SP_WORDS:
			p[np] = q;
			break;
		case SP_VIEWER:
			p[np] = viewer;
			break;
		case SP_COORDINATOR:
			p[np] = is_coordinator(r) ? "true" : "false";
			break;
		case SP_NONE:
			break;
		}
	if ((res = db_query(r->db, PGRES_TUPLES_OK, sources[k].sql, np,
	    p)) == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++)
		if ((row = view_add(s, "results")) != NULL)
			sources[k].row(row, res, i);
	PQclear(res);
	return n;
}

/* "3 results" and so on, with "50 or more" where a source stopped. */
static void
search_count(struct view *v, const char *key, int n, int capped)
{
	view_setf(v, key, "%s%d %s", capped ? "at least " : "", n,
	    n == 1 ? "result" : "results");
}

/* GET /search?q= */
int
search_page(struct request *r)
{
	const char *q = r->form.f[KEY_Q].text;
	struct view *v, *s, *c;
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
	view_setf(v, "title", "Search: %s", q);
	view_flag(v, "asked", 1);
	for (i = 0; i < NSOURCES; i++) {
		if ((s = view_add(v, "sections")) == NULL)
			break;
		view_set(s, "heading", sources[i].heading);
		view_set(s, "anchor", sources[i].anchor);
		view_set(s, "all_href", sources[i].all_href);
		view_set(s, "all_text", sources[i].all_text);
		if ((n = search_source(r, i, q, s)) == -1) {
			view_free(v);
			return http_error(r, 503);
		}
		search_count(s, "count", n, n == 50);
		view_flag(s, "found", n > 0);
		/* The summary at the top links to the sections with results. */
		if (n > 0 && (c = view_add(v, "counts")) != NULL) {
			view_set(c, "heading", sources[i].heading);
			view_setf(c, "href", "#%s", sources[i].anchor);
			search_count(c, "count", n, n == 50);
		}
		total += n;
	}
	view_flag(v, "none", total == 0);
	if (total > 0)
		view_setf(v, "total_text", "%d %s for \xe2\x80\x98%s\xe2\x80\x99",
		    total, total == 1 ? "result" : "results", q);
	return http_page(r, 200, "search", v);
}
