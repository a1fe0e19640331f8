/*
 * The footer pages: the accessibility statement (/accessibility), the
 * cookies page (/cookies) and the contact page (/contact), and the text
 * the node's coordinators write for them and for the privacy notice
 * (/site/PAGE/edit, /site/PAGE/restore).  Each page has a default text
 * written for Acorn.  The accessibility statement and the contact page
 * show a coordinator's text in its place; the privacy notice and the
 * cookies page are made from the node's own settings, so they stay true
 * to them, and show a coordinator's text above what they say.  Every
 * saved text is kept (site_page_versions), and any, or the default, can
 * be brought back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

/* What a coordinator may write, in characters (the schema says it too). */
#define SITE_TEXT_MAX	20000

static const char accessibility_text[] =
    "This statement applies to this website, a node of the national social "
    "prescribing network run by the regional network it is named for. It "
    "runs Acorn, free software made for the network.\n"
    "\n"
    "We want as many people as possible to be able to use this website. "
    "You should be able to:\n"
    "\n"
    "- change colours, contrast levels and fonts using your browser or "
    "device settings\n"
    "- zoom in up to 400% without the text spilling off the screen\n"
    "- use the whole website with a keyboard or speech recognition "
    "software\n"
    "- use the website with a screen reader\n"
    "- use every page without JavaScript, and on a phone\n"
    "\n"
    "## How accessible this website is\n"
    "\n"
    "We know some parts of this website are not fully accessible:\n"
    "\n"
    "- documents, evaluations and glossary terms are written by members, "
    "who may not give their headings, links and tables the structure "
    "assistive technology needs\n"
    "- files attached to evaluations (such as PDF reports) are as their "
    "authors made them, and many are not accessible\n"
    "- the charts on the evidence summary are pictures of the figures; each "
    "comes with a table of the same figures\n"
    "\n"
    "## Feedback and contact information\n"
    "\n"
    "If you need information on this website in a different format, or "
    "find a problem not listed on this page, tell this node's coordinators "
    "(see [Contact](/contact)). We will consider your request and aim to "
    "reply within 10 working days.\n"
    "\n"
    "## Enforcement procedure\n"
    "\n"
    "The Equality and Human Rights Commission (EHRC) is responsible for "
    "enforcing the Public Sector Bodies (Websites and Mobile Applications) "
    "(No. 2) Accessibility Regulations 2018 (the accessibility "
    "regulations). If you are not happy with how we respond to your "
    "complaint, contact the [Equality Advisory and Support Service "
    "(EASS)](https://www.equalityadvisoryservice.com/).\n"
    "\n"
    "## Technical information about this website's accessibility\n"
    "\n"
    "The network is committed to making its website accessible, in "
    "accordance with the accessibility regulations.\n"
    "\n"
    "### Compliance status\n"
    "\n"
    "This website is partially compliant with the Web Content "
    "Accessibility Guidelines version 2.2 AA standard, because of the "
    "content listed below.\n"
    "\n"
    "### Non-accessible content\n"
    "\n"
    "Content written or attached by members is not checked before it is "
    "shown, so it may fail success criteria such as 1.1.1 (non-text "
    "content), 1.3.1 (info and relationships) and 2.4.4 (link purpose). "
    "Files attached to evaluations, such as PDF reports, may not be "
    "accessible; where they were published before 23 September 2018 and "
    "are not needed to use the service, they are outside the scope of the "
    "regulations.\n"
    "\n"
    "## How we tested this website\n"
    "\n"
    "Every kind of page is checked automatically each time the software "
    "changes, in Chromium at a desktop width (1280 pixels) and a phone "
    "width (375 pixels), with the axe-core tool against WCAG 2.2 A and AA, "
    "by journeys that sign up, sign in, register for events and edit "
    "documents as a visitor, a member and a coordinator. The website has "
    "not yet been audited by an accessibility specialist or tested with "
    "disabled people.\n"
    "\n"
    "## Preparation of this statement\n"
    "\n"
    "This is the statement that comes with Acorn. This node's coordinators "
    "have not yet reviewed it for their own content.\n";

static const char contact_text[] =
    "This node is run by the coordinators of the regional social "
    "prescribing network it is named for. They have not yet put their "
    "contact details on this page.\n"
    "\n"
    "- About an event: each event's page names its organiser and how to "
    "reach them.\n"
    "- About your account or registrations: [sign in](/signin) and see "
    "your profile and your registrations.\n"
    "- About your personal data: see the [privacy notice](/privacy).\n"
    "- To report an accessibility problem: see the [accessibility "
    "statement](/accessibility).\n";

/*
 * The pages, by the name the URL and the schema give them.  defaults:
 * the Markdown shown until a coordinator saves their own, and where an
 * edit starts; NULL for a page made from the settings, whose own text
 * goes above what the settings say.
 */
static const struct site_page {
	const char	*name;
	const char	*title;
	const char	*what;	/* the page, in the middle of a sentence */
	const char	*href;
	const char	*defaults;
} site_pages[] = {
	{ "accessibility", "Accessibility statement",
	  "accessibility statement", "/accessibility", accessibility_text },
	{ "privacy", "Privacy notice", "privacy notice", "/privacy", NULL },
	{ "cookies", "Cookies", "cookies page", "/cookies", NULL },
	{ "contact", "Contact", "contact page", "/contact", contact_text },
};
#define NSITE_PAGES	(sizeof(site_pages) / sizeof(site_pages[0]))

static const struct site_page *
site_page_find(const char *name)
{
	size_t i;

	for (i = 0; i < NSITE_PAGES; i++)
		if (strcmp(site_pages[i].name, name) == 0)
			return &site_pages[i];
	return NULL;
}

/* A page's versions ($1), newest first: the first is the current one. */
static const char versions_query[] =
    "SELECT v.id, v.body, " SQL_LONDON("v.created", LONDON_STAMP) ","
    " coalesce(m.name, 'A former member'), v.restored_from"
    " FROM site_page_versions v LEFT JOIN accounts a ON a.id = v.author"
    " LEFT JOIN members m ON m.id = a.member"
    " WHERE v.page = $1 ORDER BY v.id DESC LIMIT $2::integer";

enum { SV_ID, SV_BODY, SV_CREATED, SV_AUTHOR, SV_RESTORED };

static PGresult *
site_versions(struct request *r, const char *name, int limit)
{
	char n[16];
	const char *p[2] = { name, n };

	snprintf(n, sizeof(n), "%d", limit);
	return db_query(r->db, PGRES_TUPLES_OK, versions_query, 2, p);
}

/*
 * The coordinators' own text of page name, as Markdown under own_body,
 * and, for those who may change it, where to; 0, or -1 when the
 * database failed.  *own says whether there is such a text.
 */
static int
site_own(struct request *r, struct view *v, const struct site_page *sp,
    int *own)
{
	PGresult *res;

	*own = 0;
	if ((res = site_versions(r, sp->name, 1)) == NULL)
		return -1;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, SV_BODY)) {
		*own = 1;
		view_markdown(v, "own_body", PQgetvalue(res, 0, SV_BODY), 2);
	}
	if (is_coordinator(r)) {
		view_flag(v, "can_edit", 1);
		view_setf(v, "edit_href", "/site/%s/edit", sp->name);
		if (PQntuples(res) == 1)
			view_setf(v, "changed_text", "Last changed by %s on %s.",
			    PQgetvalue(res, 0, SV_AUTHOR),
			    PQgetvalue(res, 0, SV_CREATED));
	}
	view_flag(v, "saved", r->form.f[KEY_SAVED].num);
	PQclear(res);
	return 0;
}

/* The coordinators' text for the privacy notice, for privacy.c. */
int
site_text(struct request *r, struct view *v, const char *name)
{
	const struct site_page *sp = site_page_find(name);
	int own;

	return sp != NULL ? site_own(r, v, sp, &own) : -1;
}

/* The cookies page's table: what each cookie is and how long it lasts. */
static int
site_cookies(struct view *v)
{
	char *ends;

	if ((ends = retention_period(cfg, RETAIN_SESSIONS)) == NULL)
		return -1;
	view_set(v, "session_cookie", COOKIE_SESSION);
	view_set(v, "pre_cookie", COOKIE_PRE);
	view_set(v, "session_ends", ends);
	free(ends);
	return 0;
}

/* GET /accessibility, /cookies, /contact (the route's arg names it). */
int
site_show(struct request *r)
{
	const struct site_page *sp = site_page_find(r->arg);
	struct view *v;
	int own;

	if (sp == NULL)
		return http_error(r, 404);
	if ((v = page_view(r, sp->title)) == NULL)
		return http_error(r, 500);
	if (site_own(r, v, sp, &own) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	if (sp->defaults == NULL) {
		if (site_cookies(v) == -1) {
			view_free(v);
			return http_error(r, 500);
		}
		return http_page(r, 200, "cookies", v);
	}
	if (!own)
		view_markdown(v, "own_body", sp->defaults, 2);
	view_set(v, "page_title", sp->title);
	return http_page(r, 200, "site_page", v);
}

/* The saved versions, newest first, each but the current one restorable. */
static int
site_history(struct request *r, struct view *v, const struct site_page *sp)
{
	PGresult *res;
	struct view *h;
	int i, n;

	if ((res = site_versions(r, sp->name, 100)) == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((h = view_add(v, "versions")) == NULL)
			break;
		view_set(h, "id", PQgetvalue(res, i, SV_ID));
		view_set(h, "created", PQgetvalue(res, i, SV_CREATED));
		view_set(h, "author", PQgetvalue(res, i, SV_AUTHOR));
		if (PQgetisnull(res, i, SV_BODY))
			view_set(h, "what", "The default text");
		else if (!PQgetisnull(res, i, SV_RESTORED))
			view_set(h, "what", "An earlier text, brought back");
		else
			view_set(h, "what", "New text");
		view_flag(h, "current", i == 0);
	}
	/* The default needs no restoring while it is what the page shows. */
	view_flag(v, "own_now", n > 0 && !PQgetisnull(res, 0, SV_BODY));
	view_flag(v, "any_versions", n > 0);
	PQclear(res);
	return 0;
}

/* The edit form's other parts: a preview of text when asked, the versions. */
static int
site_form(struct request *r, struct view *v, const struct site_page *sp,
    const char *text, int preview)
{
	view_set(v, "page_title", sp->title);
	view_set(v, "page_href", sp->href);
	view_setf(v, "form_action", "/site/%s/edit", sp->name);
	view_setf(v, "restore_action", "/site/%s/restore", sp->name);
	view_flag(v, "made_from_settings", sp->defaults == NULL);
	if (preview && text != NULL && *text != '\0') {
		view_flag(v, "preview", 1);
		view_markdown(v, "preview_body", text, 2);
	}
	return site_history(r, v, sp);
}

/* Saves text (NULL: the default) as page sp's new version; 0 or -1. */
static int
site_save(struct request *r, const struct site_page *sp, const char *text,
    const char *from)
{
	char me[32];
	const char *p[4];

	snprintf(me, sizeof(me), "%ld", r->account->id);
	p[0] = sp->name;
	p[1] = text;
	p[2] = from;
	p[3] = me;
	if (db_begin(r->db) == -1)
		return -1;
	if (db_exec(r->db, "INSERT INTO site_page_versions"
	    " (page, body, restored_from, author) VALUES ($1, $2,"
	    " $3::bigint, $4::bigint)", 4, p) == -1) {
		db_rollback(r->db);
		return -1;
	}
	return audit_commit(r->db, r->account->id, "site_page", sp->name);
}

/* GET, POST /site/PAGE/edit: write, preview and save a page's text. */
int
site_edit(struct request *r)
{
	const struct site_page *sp = site_page_find(r->arg);
	const struct field *body = &r->form.f[KEY_BODY];
	const char *text = NULL;
	struct view *v;
	PGresult *res;
	int status = 200;

	if (sp == NULL)
		return http_error(r, 404);
	if ((v = page_form(r, "", NULL)) == NULL)
		return http_error(r, 500);
	view_setf(v, "title", "Change the %s", sp->what);
	if (r->method != METHOD_POST) {
		/* Start from what the page says now. */
		if ((res = site_versions(r, sp->name, 1)) == NULL)
			goto fail;
		view_set(v, "v_body", PQntuples(res) == 1 &&
		    !PQgetisnull(res, 0, SV_BODY) ? PQgetvalue(res, 0,
		    SV_BODY) : sp->defaults);
		PQclear(res);
		if (site_form(r, v, sp, NULL, 0) == -1)
			goto fail;
		return http_page(r, 200, "site_edit", v);
	}
	if (body->error == FIELD_TOO_LONG || (body->text != NULL &&
	    util_utf8_length(body->text) > SITE_TEXT_MAX))
		view_error(v, "body", "The text must be 20,000 characters or "
		    "fewer");
	else if (body->error)
		view_field(v, r, KEY_BODY, NULL);
	else if (body->text == NULL || *body->text == '\0')
		view_error(v, "body", sp->defaults != NULL ? "Enter the text "
		    "of the page, or restore the default text" : "Enter the "
		    "text to show above the notice, or restore the default");
	else
		text = body->text;
	/* Typed back, so that nothing is lost. */
	if (body->text != NULL && body->error == FIELD_OK)
		view_set(v, "v_body", body->text);
	if (text == NULL)
		status = 422;
	else if (!r->form.f[KEY_PREVIEW].num) {
		if (site_save(r, sp, text, NULL) == -1)
			goto fail;
		view_free(v);
		return http_redirectf(r, "%s?saved=yes", sp->href);
	}
	if (site_form(r, v, sp, text, text != NULL) == -1)
		goto fail;
	return http_page(r, status, "site_edit", v);
fail:
	view_free(v);
	return http_error(r, 503);
}

/*
 * POST /site/PAGE/restore: brings back a saved version (revision, a
 * version's id) as a new one, or the default text (which=default).
 */
int
site_restore(struct request *r)
{
	const struct site_page *sp = site_page_find(r->arg);
	const char *which = r->form.f[KEY_WHICH].text;
	const char *p[2];
	char id[32];
	PGresult *res;
	int rc;

	if (sp == NULL)
		return http_error(r, 404);
	if (which != NULL && strcmp(which, "default") == 0) {
		if (site_save(r, sp, NULL, NULL) == -1)
			return http_error(r, 503);
		return http_redirectf(r, "%s?saved=yes", sp->href);
	}
	if (r->form.f[KEY_REVISION].text == NULL)
		return http_error(r, 400);
	snprintf(id, sizeof(id), "%ld", r->form.f[KEY_REVISION].num);
	p[0] = id;
	p[1] = sp->name;
	/* Only this page's own versions: an id is not a licence. */
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT body FROM"
	    " site_page_versions WHERE id = $1::bigint AND page = $2", 2,
	    p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	rc = site_save(r, sp, db_value(res, 0, DB_ONLY), id);
	PQclear(res);
	if (rc == -1)
		return http_error(r, 503);
	return http_redirectf(r, "%s?saved=yes", sp->href);
}

/* Whether each page shows its own text, newest change first in name. */
static const char pages_query[] =
    "SELECT DISTINCT ON (v.page) v.page, v.body IS NOT NULL,"
    " " SQL_LONDON("v.created", LONDON_STAMP) ","
    " coalesce(m.name, 'A former member')"
    " FROM site_page_versions v LEFT JOIN accounts a ON a.id = v.author"
    " LEFT JOIN members m ON m.id = a.member"
    " ORDER BY v.page, v.id DESC";

enum { SP_PAGE, SP_OWN, SP_CREATED, SP_AUTHOR };

/*
 * The footer pages as the list site_pages of the Manage page: each with
 * its links and what it shows now.  0, or -1 when the database failed.
 */
int
site_pages_view(struct request *r, struct view *v)
{
	PGresult *res;
	struct view *s;
	size_t k;
	int i, n;

	if ((res = db_query(r->db, PGRES_TUPLES_OK, pages_query, 0,
	    NULL)) == NULL)
		return -1;
	n = PQntuples(res);
	for (k = 0; k < NSITE_PAGES; k++) {
		if ((s = view_add(v, "site_pages")) == NULL)
			break;
		view_set(s, "name", site_pages[k].title);
		view_set(s, "href", site_pages[k].href);
		view_setf(s, "edit_href", "/site/%s/edit", site_pages[k].name);
		view_set(s, "state", site_pages[k].defaults != NULL ?
		    "Shows the default text." : "Shows what the node's "
		    "settings say, with no text of your own.");
		for (i = 0; i < n; i++) {
			if (strcmp(PQgetvalue(res, i, SP_PAGE),
			    site_pages[k].name) != 0)
				continue;
			if (*PQgetvalue(res, i, SP_OWN) == 't')
				view_setf(s, "state", "Shows your text: last "
				    "changed by %s on %s.",
				    PQgetvalue(res, i, SP_AUTHOR),
				    PQgetvalue(res, i, SP_CREATED));
		}
	}
	PQclear(res);
	return 0;
}
