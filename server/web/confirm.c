/*
 * The confirmation page every destructive action shows before it acts:
 * the GOV.UK "Are you sure" pattern, where a GET (or a first POST) only
 * says what will happen and the red button's POST, with the form's
 * token, does it.  Knows no resource: the caller says what to ask.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

int
page_confirm(struct request *r, const struct confirm *c)
{
	struct view *v, *i;
	size_t k;

	if ((v = page_view(r, c->heading)) == NULL)
		return http_error(r, 500);
	view_set(v, "heading", c->heading);
	for (k = 0; k < sizeof(c->what) / sizeof(c->what[0]) &&
	    c->what[k] != NULL; k++)
		if ((i = view_add(v, "what")) != NULL)
			view_set(i, "text", c->what[k]);
	view_set(v, "action", c->action);
	for (k = 0; k + 1 < sizeof(c->fields) / sizeof(c->fields[0]) &&
	    c->fields[k] != NULL; k += 2)
		if ((i = view_add(v, "fields")) != NULL) {
			view_set(i, "name", c->fields[k]);
			view_set(i, "value", c->fields[k + 1]);
		}
	view_set(v, "button", c->button);
	view_set(v, "back_href", c->back);
	view_flag(v, "ask_reason", c->reason_hint != NULL);
	view_set(v, "reason_hint", c->reason_hint);
	return http_page(r, 200, "are_you_sure", v);
}
