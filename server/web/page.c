/*
 * What every page's view holds: the layout's keys, the error summary and
 * the fields typed back into a form, the lists of choices forms offer,
 * and the one-message page.  Knows no resource.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

/* What the layout needs on every page: who is signed in, and the token. */
void
view_common(struct request *r, struct view *v, const char *title)
{
	const struct route *rt = r->route;
	char at[64];

	view_set(v, "title", title);
	view_set(v, "node_name", cfg->node_name);
	view_set(v, "node_region", cfg->region);
	view_set(v, "csrf", r->csrf);
	view_set(v, "css_href", static_url("acorn.css"));
	view_set(v, "icon_href", static_url("favicon.svg"));
	view_set(v, "menu_js", static_url("header-menu.js"));
	if (rt != NULL) {
		/* at_admin_mail and so on: the layout marks the current link. */
		snprintf(at, sizeof(at), "at_%s", rt->metric);
		view_flag(v, at, 1);
		/* in_events and so on: the header link of the page's section. */
		if (rt->section != NULL) {
			snprintf(at, sizeof(at), "in_%s", rt->section);
			view_flag(v, at, 1);
		}
	}
	/* Pages that would promise an email say something else instead. */
	view_flag(v, "mail_off", cfg->smtp_url[0] == '\0');
	if (r->account != NULL) {
		view_flag(v, "signed_in", 1);
		view_set(v, "me_name", r->account->name);
		view_flag(v, "is_coordinator", is_coordinator(r));
		view_flag(v, "is_admin", is_admin(r));
		/* Those who can have mail set up are told on every page. */
		view_flag(v, "mail_banner", cfg->smtp_url[0] == '\0' &&
		    is_coordinator(r));
	}
}

/* A view with the layout's keys filled, or NULL when memory ran out. */
struct view *
page_view(struct request *r, const char *title)
{
	struct view *v;

	if ((v = view_new()) != NULL)
		view_common(r, v, title);
	return v;
}

/* A form page's view: the layout's keys and where the form is sent. */
struct view *
page_form(struct request *r, const char *title, const char *action)
{
	struct view *v;

	if ((v = page_view(r, title)) != NULL)
		view_set(v, "form_action", action);
	return v;
}

/* Adds one problem to the error summary and beside its field. */
void
view_error(struct view *v, const char *field, const char *msg)
{
	struct view *e;
	char key[64];

	if ((e = view_add(v, "errors")) != NULL) {
		view_setf(e, "href", "#%s", field);
		view_set(e, "text", msg);
	}
	snprintf(key, sizeof(key), "e_%s", field);
	view_set(v, key, msg);
}

/*
 * Reads a validated field for a form page: a refused value, or a missing
 * one when missing says what to ask for, becomes an error on the page.
 * What was typed goes back into the form (never a password).  Returns the
 * value, or NULL when it is absent, empty or refused.
 */
const char *
view_field(struct view *v, struct request *r, enum key k, const char *missing)
{
	const struct field *f = &r->form.f[k];
	const char *name = form_key_name(k);
	char msg[160], key[64];

	if (f->error) {
		form_error_text(k, f->error, msg, sizeof(msg));
		view_error(v, name, msg);
		if (f->shown != NULL && !form_key_secret(k)) {
			snprintf(key, sizeof(key), "v_%s", name);
			view_set(v, key, f->shown);
		}
		return NULL;
	}
	if (f->text == NULL || f->text[0] == '\0') {
		if (missing != NULL)
			view_error(v, name, missing);
		return NULL;
	}
	if (!form_key_secret(k)) {
		snprintf(key, sizeof(key), "v_%s", name);
		view_set(v, key, f->text);
	}
	return f->text;
}

/* A list of choices named list: one item per code, with its label. */
void
view_codes(struct view *v, const char *list, const char *const *codes,
    const char *const *labels)
{
	struct view *c;
	size_t i;

	for (i = 0; codes[i] != NULL; i++)
		if ((c = view_add(v, list)) != NULL) {
			view_set(c, "code", codes[i]);
			view_set(c, "label", labels[i]);
		}
}

/* The regions, as the list "regions" of names. */
void
view_regions(struct view *v)
{
	struct view *c;
	size_t i;

	for (i = 0; region_names[i] != NULL; i++)
		if ((c = view_add(v, "regions")) != NULL)
			view_set(c, "name", region_names[i]);
}

/* The stakeholder groups and regions every member form offers. */
void
view_choices(struct view *v)
{
	view_codes(v, "groups", stakeholder_codes, stakeholder_labels);
	view_regions(v);
}

/*
 * Space-separated words (a K_WORDS field) that must all be codes of the
 * list: a PostgreSQL array of them; NULL with an error in v otherwise,
 * or when memory ran out.
 */
char *
view_codes_array(struct view *v, struct request *r, enum key k,
    const char *name, const char *const *codes, const char *message)
{
	const struct field *f = &r->form.f[k];
	const char *words[16];
	char *copy, *walk, *w, *out = NULL;
	size_t n = 0;

	if (f->error) {
		view_error(v, name, message);
		return NULL;
	}
	if ((copy = util_strdup(f->text != NULL ? f->text : "")) == NULL)
		return NULL;
	walk = copy;
	while ((w = strsep(&walk, " ")) != NULL) {
		if (*w == '\0')
			continue;
		if (code_index(codes, w) == -1 || n == 16) {
			view_error(v, name, message);
			goto done;
		}
		words[n++] = w;
	}
	out = util_pg_array(words, n);
done:
	free(copy);
	return out;
}

/* Checkboxes of codes, as list, ticked when chosen (space-separated). */
void
view_checkboxes(struct view *v, const char *list, const char *const *codes,
    const char *const *labels, const char *chosen)
{
	struct view *c;
	size_t i;

	for (i = 0; codes[i] != NULL; i++)
		if ((c = view_add(v, list)) != NULL) {
			view_set(c, "code", codes[i]);
			view_set(c, "label", labels[i]);
			view_setf(c, "input_id", "%s-%s", list, codes[i]);
			view_flag(c, "checked", util_has_word(chosen,
			    codes[i]));
		}
}

/* A page saying what happened, with one link on. */
int
page_message(struct request *r, unsigned int status, const char *title,
    const char *text, const char *href, const char *link, int success)
{
	struct view *v;

	if ((v = page_view(r, title)) == NULL)
		return http_error(r, 500);
	view_set(v, "title", title);
	view_set(v, "message", text);
	view_set(v, "link_href", href);
	view_set(v, "link_text", link);
	view_flag(v, "success", success);
	return http_page(r, status, "message", v);
}

/*
 * page_message for a text made for it (by util_printf, say), which it
 * frees: NULL, when making the text failed, is answered 500.
 */
int
page_message_take(struct request *r, unsigned int status, const char *title,
    char *text, const char *href, const char *link, int success)
{
	int rc;

	if (text == NULL)
		return http_error(r, 500);
	rc = page_message(r, status, title, text, href, link, success);
	free(text);
	return rc;
}

/*
 * Names typed with commas between them (other names of a term, the
 * languages of a service), as a PostgreSQL array literal: at most max
 * of them, each of at most len characters, or the problem message
 * beside field in v.  NULL on a problem or when memory ran out.
 */
char *
view_comma_list(struct view *v, const char *field, const char *text,
    size_t max, size_t len, const char *message)
{
	const char **names;
	char *copy, *s, *next, *out = NULL;
	size_t n = 0;

	if ((names = calloc(max + 1, sizeof(*names))) == NULL ||
	    (copy = util_strdup(text != NULL ? text : "")) == NULL) {
		free(names);
		return NULL;
	}
	for (s = copy; s != NULL; s = next) {
		if ((next = strchr(s, ',')) != NULL)
			*next++ = '\0';
		s = util_trim(s);
		if (*s == '\0')
			continue;
		if (n == max || util_utf8_length(s) > len) {
			view_error(v, field, message);
			goto done;
		}
		names[n++] = s;
	}
	out = util_pg_array(names, n);
done:
	free(copy);
	free(names);
	return out;
}
