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
	{ PAGE_HOME, "/", GET, 0, 0, members_home, "home" },
	{ PAGE_HEALTHZ, "/healthz", GET, 0, 0, NULL, "healthz" },
	{ PAGE_METRICS, "/metrics", GET, 0, 0, NULL, "metrics" },
	{ PAGE_STATIC, "/static/*", GET, 0, 0, NULL, "static" },
	{ PAGE_FAVICON, "/favicon.ico", GET, 0, 0, NULL, "favicon" },
	{ PAGE_JOIN, "/join", GET | POST, 1, 0, accounts_join, "join" },
	{ PAGE_SIGNIN, "/signin", GET | POST, 1, 0, accounts_signin,
	  "signin" },
	{ PAGE_SIGNOUT, "/signout", POST, 1, 1, accounts_signout,
	  "signout" },
	{ PAGE_PROFILE, "/profile", GET | POST, 1, 1, members_profile,
	  "profile" },
	{ PAGE_PROFILE_ERASE, "/profile/erase", GET | POST, 1, 1,
	  accounts_erase, "erase" },
	{ PAGE_MEMBERS, "/members", GET, 0, 0, members_list, "members" },
	{ PAGE_MEMBER, "/members/*", GET, 0, 0, members_show, "member" },
	{ PAGE_ADMIN_MEMBERS, "/admin/members", GET, 1, 2, admin_members,
	  "admin_members" },
	{ PAGE_ADMIN_APPROVE, "/admin/members/approve", POST, 1, 2,
	  admin_approve, "admin_approve" },
	{ PAGE_ADMIN_REJECT, "/admin/members/reject", POST, 1, 2,
	  admin_reject, "admin_reject" },
	{ PAGE_EVENTS, "/events", GET, 0, 0, events_list, "events" },
	{ PAGE_EVENT_NEW, "/events/new", GET | POST, 1, 2, events_new,
	  "event_new" },
	{ PAGE_EVENT, "/events/*", GET, 0, 0, events_show, "event" },
	{ PAGE_EVENT_REGISTER, "/events/*/register", POST, 1, 0,
	  events_register, "event_register" },
	{ PAGE_EVENT_PLACES, "/events/*/places", GET | POST, 1, 2,
	  events_places, "event_places" },
	{ PAGE_EVENT_PUBLISH, "/events/*/publish", POST, 1, 2,
	  events_publish, "event_publish" },
	{ PAGE_EVENT_CLOSE, "/events/*/close", POST, 1, 2, events_close,
	  "event_close" },
	{ PAGE_EVENT_REOPEN, "/events/*/reopen", POST, 1, 2, events_reopen,
	  "event_reopen" },
	{ PAGE_EVENT_ATTENDEES, "/events/*/attendees", GET, 1, 2,
	  events_attendees, "event_attendees" },
	{ PAGE_EVENT_PROMOTE, "/events/*/promote", POST, 1, 2,
	  events_promote, "event_promote" },
	{ PAGE_REGISTRATIONS, "/registrations", GET, 1, 1,
	  registrations_mine, "registrations" },
	{ PAGE_REGISTRATION_CANCEL, "/registrations/*/cancel", POST, 1, 1,
	  registrations_cancel, "registration_cancel" },
	{ PAGE_EVENT_EDIT, "/events/*/edit", GET | POST, 1, 2, events_edit,
	  "event_edit" },
	{ PAGE_EVENT_CANCEL, "/events/*/cancel", GET | POST, 1, 2,
	  events_cancel, "event_cancel" },
	{ PAGE_EVENT_QUESTIONS, "/events/*/questions", GET | POST, 1, 2,
	  events_questions, "event_questions" },
	{ PAGE_EVENT_PEOPLE, "/events/*/people", POST, 1, 2, events_people,
	  "event_people" },
	{ PAGE_REGISTRATION_PUBLIC, "/registrations/*/public", POST, 1, 1,
	  registrations_public, "registration_public" },
	{ PAGE_GUEST, "/registrations/guest/*", GET, 1, 0,
	  registrations_guest, "guest" },
	{ PAGE_GUEST_CONFIRM, "/registrations/guest/*/confirm", POST, 1, 0,
	  registrations_guest_confirm, "guest_confirm" },
	{ PAGE_GUEST_CANCEL, "/registrations/guest/*/cancel", POST, 1, 0,
	  registrations_guest_cancel, "guest_cancel" },
	{ PAGE_GUEST_PUBLIC, "/registrations/guest/*/public", POST, 1, 0,
	  registrations_guest_public, "guest_public" },
	[PAGE_EVENT_CHECKIN] = { PAGE_EVENT_CHECKIN, "/events/*/checkin",
	  GET | POST, 1, 2, events_checkin, "event_checkin" },
	[PAGE_EVENT_CHECKIN_UNDO] = { PAGE_EVENT_CHECKIN_UNDO,
	  "/events/*/checkin/undo", POST, 1, 2, events_checkin_undo,
	  "event_checkin_undo" },
	[PAGE_EVENT_EXPORT] = { PAGE_EVENT_EXPORT, "/events/*/export", GET, 1,
	  2, events_export, "event_export" },
	[PAGE_EVENT_EXPORT_CSV] = { PAGE_EVENT_EXPORT_CSV,
	  "/events/*/export.csv", GET, 1, 2, events_export_csv,
	  "event_export_csv" },
	{ PAGE_ADMIN_MAIL, "/admin/mail", GET, 1, 2, outbox_list,
	  "admin_mail" },
	{ PAGE_EVENTS_ICS, "/events.ics", GET, 0, 0, calendar_events,
	  "events_ics" },
	{ PAGE_EVENT_ICS, "/events/*.ics", GET, 0, 0, calendar_event,
	  "event_ics" },
	{ PAGE_FEED, "/feeds/*", GET, 0, 0, feeds_serve, "feed" },
	{ PAGE_FED_KEY, "/federation/key.pem", GET, 0, 0, federation_key,
	  "federation_key" },
	{ PAGE_FED_SERVICE, "/federation/service", GET, 0, 0,
	  federation_service, "federation_service" },
	{ PAGE_FED_PING, "/federation/ping", POST, 0, 0, federation_ping,
	  "federation_ping" },
	{ PAGE_FED_INBOX, "/federation/inbox", POST, 0, 0, federation_inbox,
	  "federation_inbox" },
	[PAGE_EVENT_UNREGISTER] = { PAGE_EVENT_UNREGISTER,
	  "/events/*/unregister", GET | POST, 1, 2, events_unregister,
	  "event_unregister" },
	[PAGE_LIBRARY] = { PAGE_LIBRARY, "/library", GET, 0, 0, library_list,
	  "library" },
	[PAGE_LIBRARY_NEW] = { PAGE_LIBRARY_NEW, "/library/new", GET | POST, 1,
	  1, library_new, "library_new" },
	[PAGE_LIBRARY_DOC] = { PAGE_LIBRARY_DOC, "/library/*", GET, 0, 0,
	  library_show, "library_doc" },
	[PAGE_LIBRARY_EDIT] = { PAGE_LIBRARY_EDIT, "/library/*/edit",
	  GET | POST, 1, 1, library_edit, "library_edit" },
	[PAGE_LIBRARY_HISTORY] = { PAGE_LIBRARY_HISTORY, "/library/*/history",
	  GET, 0, 0, library_history, "library_history" },
	[PAGE_LIBRARY_COMPARE] = { PAGE_LIBRARY_COMPARE, "/library/*/compare",
	  GET, 0, 0, library_compare, "library_compare" },
	[PAGE_LIBRARY_RESTORE] = { PAGE_LIBRARY_RESTORE, "/library/*/restore",
	  POST, 1, 1, library_restore, "library_restore" },
	[PAGE_LIBRARY_PROTECT] = { PAGE_LIBRARY_PROTECT, "/library/*/protect",
	  POST, 1, 2, library_protect, "library_protect" },
	[PAGE_GLOSSARY] = { PAGE_GLOSSARY, "/glossary", GET, 0, 0,
	  glossary_list, "glossary" },
	[PAGE_GLOSSARY_NEW] = { PAGE_GLOSSARY_NEW, "/glossary/new", GET | POST,
	  1, 1, glossary_new, "glossary_new" },
	[PAGE_GLOSSARY_EDIT] = { PAGE_GLOSSARY_EDIT, "/glossary/*/edit",
	  GET | POST, 1, 1, glossary_edit, "glossary_edit" },
	[PAGE_SEARCH] = { PAGE_SEARCH, "/search", GET, 0, 0, search_page,
	  "search" },
	[PAGE_EVIDENCE] = { PAGE_EVIDENCE, "/evidence", GET, 0, 0,
	  evidence_list, "evidence" },
	[PAGE_EVIDENCE_CSV] = { PAGE_EVIDENCE_CSV, "/evidence.csv", GET, 0, 0,
	  evidence_csv, "evidence_csv" },
	[PAGE_EVIDENCE_SUMMARY] = { PAGE_EVIDENCE_SUMMARY, "/evidence/summary",
	  GET, 0, 0, evidence_summary, "evidence_summary" },
	[PAGE_EVIDENCE_NEW] = { PAGE_EVIDENCE_NEW, "/evidence/new",
	  GET | POST, 1, 1, evidence_new, "evidence_new" },
	[PAGE_EVIDENCE_SHOW] = { PAGE_EVIDENCE_SHOW, "/evidence/*", GET, 0, 0,
	  evidence_show, "evidence_show" },
	[PAGE_EVIDENCE_EDIT] = { PAGE_EVIDENCE_EDIT, "/evidence/*/edit",
	  GET | POST, 1, 1, evidence_edit, "evidence_edit" },
	[PAGE_EVIDENCE_HISTORY] = { PAGE_EVIDENCE_HISTORY,
	  "/evidence/*/history", GET, 0, 0, evidence_history,
	  "evidence_history" },
	[PAGE_EVIDENCE_COMPARE] = { PAGE_EVIDENCE_COMPARE,
	  "/evidence/*/compare", GET, 0, 0, evidence_compare,
	  "evidence_compare" },
	[PAGE_EVIDENCE_RESTORE] = { PAGE_EVIDENCE_RESTORE,
	  "/evidence/*/restore", POST, 1, 1, evidence_restore,
	  "evidence_restore" },
	[PAGE_EVIDENCE_DELETE] = { PAGE_EVIDENCE_DELETE, "/evidence/*/delete",
	  GET | POST, 1, 2, evidence_delete, "evidence_delete" },
	[PAGE_EVIDENCE_FILES] = { PAGE_EVIDENCE_FILES, "/evidence/*/files",
	  GET | POST, 1, 1, evidence_files, "evidence_files" },
	[PAGE_EVIDENCE_FILE] = { PAGE_EVIDENCE_FILE, "/evidence/files/*", GET,
	  0, 0, evidence_file, "evidence_file" },
	[PAGE_ADMIN_ROLES] = { PAGE_ADMIN_ROLES, "/admin/roles", GET | POST, 1,
	  2, admin_roles, "admin_roles" },
	[PAGE_ADMIN_SYNC] = { PAGE_ADMIN_SYNC, "/admin/sync", GET, 1, 2,
	  network_sync, "admin_sync" },
	[PAGE_ADMIN_PEERS] = { PAGE_ADMIN_PEERS, "/admin/peers", GET | POST, 1,
	  2, network_peers, "admin_peers" },
	[PAGE_ADMIN_PEER_REMOVE] = { PAGE_ADMIN_PEER_REMOVE,
	  "/admin/peers/remove", POST, 1, 2, network_peer_remove,
	  "admin_peer_remove" },
};

/*
 * Matches a path against a pattern in which "*" stands for the non-empty
 * part of one segment before the literal text that follows the "*" in
 * that segment, if any: "*.ics" takes "ID.ics" with "ID".  The first
 * such part is copied to arg.
 */
static int
route_match(const char *pat, const char *url, char *arg, size_t argsz)
{
	size_t n, suffix;
	int captured = 0;

	while (*pat != '\0') {
		if (*pat == '*') {
			pat++;
			suffix = strcspn(pat, "/*");
			n = strcspn(url, "/");
			if (n <= suffix || memcmp(url + n - suffix, pat,
			    suffix) != 0)
				return 0;
			n -= suffix;
			if (n >= argsz)
				return 0;
			if (!captured) {
				memcpy(arg, url, n);
				arg[n] = '\0';
				captured = 1;
			}
			url += n + suffix;
			pat += suffix;
			continue;
		}
		if (*pat++ != *url++)
			return 0;
	}
	return *url == '\0';
}

/* How much of a pattern is literal: the more, the more specific. */
static size_t
route_literal(const char *pat)
{
	size_t n = 0;

	for (; *pat != '\0'; pat++)
		if (*pat != '*')
			n++;
	return n;
}

/*
 * Fixed paths first, then the most specific pattern that matches (the
 * one with the most literal characters), so "*.ics" under events wins
 * over a bare "*" there wherever either sits in the table.  NULL is a 404.
 */
const struct route *
route_find(const char *url, char *arg, size_t argsz)
{
	const struct route *best = NULL;
	char got[sizeof(((struct request *)0)->arg)];
	size_t i, lit, best_lit = 0;

	arg[0] = '\0';
	for (i = 0; i < PAGE__MAX; i++)
		if (strchr(routes[i].path, '*') == NULL &&
		    strcmp(url, routes[i].path) == 0)
			return &routes[i];
	for (i = 0; i < PAGE__MAX; i++) {
		if (strchr(routes[i].path, '*') == NULL ||
		    !route_match(routes[i].path, url, got,
		    argsz < sizeof(got) ? argsz : sizeof(got)))
			continue;
		lit = route_literal(routes[i].path);
		if (best == NULL || lit > best_lit) {
			best = &routes[i];
			best_lit = lit;
			memcpy(arg, got, strlen(got) + 1);
		}
	}
	return best;
}

const struct route *
route_get(int page)
{
	if (page < 0 || page >= PAGE__MAX)
		return NULL;
	return &routes[page];
}

/* Pages that take a file, and so a body of up to max_upload more. */
static const enum page upload_pages[] = { PAGE_EVIDENCE_FILES };

int
route_upload(int page)
{
	size_t i;

	for (i = 0; i < sizeof(upload_pages) / sizeof(upload_pages[0]); i++)
		if ((int)upload_pages[i] == page)
			return 1;
	return 0;
}

/* What the layout needs on every page: who is signed in, and the token. */
void
view_common(struct request *r, struct view *v, const char *title)
{
	const struct route *rt = route_get(r->route);
	char at[64];

	view_set(v, "title", title);
	view_set(v, "node_name", cfg->node_name);
	view_set(v, "node_region", cfg->region);
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
		view_flag(v, "is_coordinator", is_coordinator(r));
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
