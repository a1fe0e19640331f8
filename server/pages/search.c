/*
 * One search across what the node knows.  Each source (library
 * documents, glossary terms, evaluations) answers in its own
 * section; adding one is a line in the table below and a function that
 * fills a section's "results".
 */
#include <stdio.h>
#include <stdlib.h>

#include "web.h"
#include "pages.h"

static const struct {
	const char	*heading;
	const char	*all_href;	/* the source's own page */
	const char	*all_text;
	int		(*search)(struct request *, const char *,
			    struct view *);
} sources[] = {
	{ "Library documents", "/library", "Browse the library",
	  library_search },
	{ "Glossary", "/glossary", "See the whole glossary", glossary_search },
	{ "Evidence", "/evidence", "Browse the evidence", evidence_search },
};
#define NSOURCES	(sizeof(sources) / sizeof(sources[0]))

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
		if ((n = sources[i].search(r, q, s)) == -1) {
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
