/*
 * The route table: every page the node serves, the methods it accepts,
 * whether its POSTs need a CSRF token, and who may see it.  Nothing else
 * in the program matches paths.
 */
#include <stdio.h>
#include <string.h>

#include "acorn.h"

#define GET	(1u << METHOD_GET | 1u << METHOD_HEAD)
#define POST	(1u << METHOD_POST)

static const struct route routes[PAGE__MAX] = {
	{ PAGE_HOME, "/", 0, GET, 0, 0, members_home, "home" },
	{ PAGE_HEALTHZ, "/healthz", 0, GET, 0, 0, NULL, "healthz" },
	{ PAGE_METRICS, "/metrics", 0, GET, 0, 0, NULL, "metrics" },
	{ PAGE_STATIC, "/static/", 1, GET, 0, 0, NULL, "static" },
	{ PAGE_JOIN, "/join", 0, GET | POST, 1, 0, accounts_join, "join" },
	{ PAGE_SIGNIN, "/signin", 0, GET | POST, 1, 0, accounts_signin,
	  "signin" },
	{ PAGE_SIGNOUT, "/signout", 0, POST, 1, 1, accounts_signout,
	  "signout" },
	{ PAGE_PROFILE, "/profile", 0, GET | POST, 1, 1, members_profile,
	  "profile" },
	{ PAGE_PROFILE_ERASE, "/profile/erase", 0, GET | POST, 1, 1,
	  accounts_erase, "erase" },
	{ PAGE_MEMBERS, "/members", 0, GET, 0, 0, members_list, "members" },
	{ PAGE_MEMBER, "/members/", 1, GET, 0, 0, members_show, "member" },
	{ PAGE_ADMIN_MEMBERS, "/admin/members", 0, GET, 1, 2, admin_members,
	  "admin_members" },
	{ PAGE_ADMIN_APPROVE, "/admin/members/approve", 0, POST, 1, 2,
	  admin_approve, "admin_approve" },
	{ PAGE_ADMIN_REJECT, "/admin/members/reject", 0, POST, 1, 2,
	  admin_reject, "admin_reject" },
};

/*
 * Exact paths first; a prefix route captures one further segment, which
 * arrives in *arg.  NULL is a 404.
 */
const struct route *
route_find(const char *url, const char **arg)
{
	size_t i, len;

	*arg = NULL;
	for (i = 0; i < PAGE__MAX; i++)
		if (!routes[i].prefix && strcmp(url, routes[i].path) == 0)
			return &routes[i];
	for (i = 0; i < PAGE__MAX; i++) {
		if (!routes[i].prefix)
			continue;
		len = strlen(routes[i].path);
		if (strncmp(url, routes[i].path, len) == 0 &&
		    url[len] != '\0' && strchr(url + len, '/') == NULL) {
			*arg = url + len;
			return &routes[i];
		}
	}
	return NULL;
}

const struct route *
route_get(int page)
{
	if (page < 0 || page >= PAGE__MAX)
		return NULL;
	return &routes[page];
}

/* What the layout needs on every page: who is signed in, and the token. */
void
view_common(struct request *r, struct view *v, const char *title)
{
	const struct route *rt = route_get(r->route);
	char at[64];

	view_set(v, "title", title);
	view_set(v, "node_name", cfg->node_name);
	view_set(v, "region", cfg->region);
	view_set(v, "csrf", r->csrf);
	view_set(v, "css_href", static_url("acorn.css"));
	view_set(v, "icon_href", static_url("favicon.svg"));
	if (rt != NULL) {
		/* at_members and so on: the layout marks the current link. */
		snprintf(at, sizeof(at), "at_%s", rt->metric);
		view_flag(v, at, 1);
	}
	if (r->account != NULL) {
		view_flag(v, "signed_in", 1);
		view_set(v, "me_name", r->account->name);
		view_flag(v, "is_coordinator",
		    strcmp(r->account->role, "member") != 0);
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
		if (f->shown != NULL && k != KEY_PASSWORD &&
		    k != KEY_PASSWORD2) {
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
	if (k != KEY_PASSWORD && k != KEY_PASSWORD2) {
		snprintf(key, sizeof(key), "v_%s", name);
		view_set(v, key, f->text);
	}
	return f->text;
}

/* The stakeholder groups and regions every member form offers. */
void
view_choices(struct view *v)
{
	struct view *c;
	size_t i;

	for (i = 0; stakeholder_codes[i] != NULL; i++)
		if ((c = view_add(v, "groups")) != NULL) {
			view_set(c, "code", stakeholder_codes[i]);
			view_set(c, "label", stakeholder_labels[i]);
		}
	for (i = 0; region_names[i] != NULL; i++)
		if ((c = view_add(v, "regions")) != NULL)
			view_set(c, "name", region_names[i]);
}
