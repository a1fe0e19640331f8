/*
 * What the pages kept as revisions share, documents (library.c) and
 * evaluations (evidence.c), as a wiki has it: the revision an edit form
 * started from, the refused save when someone else saved in between,
 * and a row of a history page.
 */
#include <stdio.h>
#include <stdlib.h>

#include "web.h"
#include "pages.h"

/*
 * The revision an edit form started from, into "v_base"; -1 when the
 * form did not say, with an error beside field and current, the
 * revision now, put back.
 */
long
revision_base(struct request *r, struct view *v, const char *field,
    const char *current)
{
	const struct field *base = &r->form.f[KEY_BASE];

	if (base->text == NULL) {
		view_error(v, field, "The form did not say which revision it "
		    "started from; open the edit page again");
		view_set(v, "v_base", current);
		return -1;
	}
	view_set(v, "v_base", base->text);
	return base->num;
}

/*
 * A save refused because others saved since the form's revision: the
 * form says so beside field, and lists who saved and why, from the rows
 * of others (SQL_REVISION_COLUMNS, oldest first).
 */
void
revision_conflict(struct view *v, const char *field, const char *message,
    PGresult *others)
{
	struct view *w;
	const char *why;
	int i, n = PQntuples(others);

	view_flag(v, "conflict", 1);
	view_error(v, field, message);
	for (i = 0; i < n; i++) {
		if ((w = view_add(v, "others")) == NULL)
			break;
		why = PQgetvalue(others, i, RV_SUMMARY);
		view_setf(w, "text", "Revision %s by %s, %s%s%s",
		    PQgetvalue(others, i, RV_NUMBER),
		    PQgetvalue(others, i, RV_AUTHOR),
		    PQgetvalue(others, i, RV_CREATED), *why != '\0' ? ": " : "",
		    why);
	}
}

/*
 * Row i of revs (SQL_REVISION_COLUMNS, newest first) on the history page
 * of the record at home ("/library/SLUG"): its link, who and when, why,
 * whether it is the current revision and may be restored, and the link
 * to what it changed.  Returns the row, for the page's own additions,
 * or NULL when memory ran out.
 */
struct view *
revision_row(struct view *v, const char *home, PGresult *revs, int i,
    long current, int may_restore)
{
	struct view *h;
	const char *num = PQgetvalue(revs, i, RV_NUMBER);
	long k = strtol(num, NULL, 10);

	if ((h = view_add(v, "revisions")) == NULL)
		return NULL;
	view_set(h, "number", num);
	view_setf(h, "href", "%s?revision=%s", home, num);
	view_set(h, "author", PQgetvalue(revs, i, RV_AUTHOR));
	view_set(h, "time", PQgetvalue(revs, i, RV_CREATED));
	view_set(h, "summary", PQgetvalue(revs, i, RV_SUMMARY));
	view_flag(h, "current", k == current);
	view_flag(h, "may_restore", may_restore && k != current);
	view_setf(h, "restore_label", "Restore revision %s", num);
	if (k > 1)
		view_setf(h, "changes_href", "%s/compare?from=%ld&to=%ld",
		    home, k - 1, k);
	return h;
}

/*
 * The revisions a history page's compare form offers, newest first:
 * every one, not only those on the page of the history shown.
 */
void
revision_numbers(struct view *v, long current)
{
	struct view *n;
	long k;

	for (k = current; k >= 1; k--)
		if ((n = view_add(v, "numbers")) != NULL)
			view_setf(n, "n", "%ld", k);
}
