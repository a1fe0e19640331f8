/*
 * Lists shown a page at a time: which page was asked for (the query's
 * page field), the offset its query starts at, and the links to the
 * other pages of the same list, GOV.UK pagination style (Previous, the
 * page numbers near this one with the first and last, Next).  A link
 * keeps everything else the query held, so filters survive paging.
 * Knows no resource.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "web.h"

#define NEAR	1	/* page numbers shown either side of this one */

/* The page asked for, from 1; a refused or missing number is page 1. */
void
pager_init(struct pager *pg, const struct request *r, long size)
{
	const struct field *f = &r->form.f[KEY_PAGE];

	pg->size = size;
	pg->page = f->text != NULL && f->error == 0 && f->num > 0 ? f->num : 1;
	pg->total = 0;
	snprintf(pg->limit, sizeof(pg->limit), "%ld", size);
	snprintf(pg->offset, sizeof(pg->offset), "%ld",
	    (pg->page - 1) * size);
}

/* Adds one argument of the query, other than page, to the link. */
static enum MHD_Result
keep_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct strbuf *b = cls;
	char *k, *v;

	(void)kind;
	if (key == NULL || strcmp(key, "page") == 0)
		return MHD_YES;
	k = util_url_encode(key);
	v = util_url_encode(value != NULL ? value : "");
	if (k == NULL || v == NULL)
		b->failed = 1;
	else
		strbuf_printf(b, "%s=%s&", k, v);
	free(k);
	free(v);
	return MHD_YES;
}

/* The address of page n of the same list. */
static char *
page_href(struct request *r, long n)
{
	struct strbuf b = { NULL, 0, 0, 0 };

	strbuf_printf(&b, "%s?", r->url);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, keep_arg,
	    &b);
	strbuf_printf(&b, "page=%ld", n);
	return strbuf_take(&b);
}

static void
set_href(struct view *v, struct request *r, const char *key, long n)
{
	char *href = page_href(r, n);

	if (href != NULL)
		view_set(v, key, href);
	free(href);
}

/*
 * The keys every paginated template reads: paged (more than one page),
 * page_text ("Page 2 of 5"), prev_href and next_href, and the list
 * page_links of {number, href, and current or other}, with {gap}
 * between runs of numbers.
 */
void
view_pager(struct view *v, struct request *r, const struct pager *pg)
{
	struct view *l;
	long pages, n, last = 0;

	pages = (pg->total + pg->size - 1) / pg->size;
	if (pages <= 1 && pg->page <= 1)
		return;
	view_flag(v, "paged", 1);
	/*
	 * A page past the end counted no rows (the count comes with them):
	 * it links back to the last page it knows of, or the first.
	 */
	if (pages == 0 || pg->page > pages)
		view_setf(v, "page_text", "Page %ld", pg->page);
	else
		view_setf(v, "page_text", "Page %ld of %ld", pg->page, pages);
	if (pg->page > 1)
		set_href(v, r, "prev_href", pg->page - 1 <= pages ?
		    pg->page - 1 : (pages > 0 ? pages : 1));
	if (pg->page < pages)
		set_href(v, r, "next_href", pg->page + 1);
	for (n = 1; n <= pages; n++) {
		if (n != 1 && n != pages && (n < pg->page - NEAR ||
		    n > pg->page + NEAR))
			continue;
		if (last != 0 && n > last + 1 &&
		    (l = view_add(v, "page_links")) != NULL)
			view_flag(l, "gap", 1);
		if ((l = view_add(v, "page_links")) == NULL)
			break;
		view_setf(l, "number", "%ld", n);
		set_href(l, r, "href", n);
		view_flag(l, "current", n == pg->page);
		view_flag(l, "other", n != pg->page);
		last = n;
	}
}
