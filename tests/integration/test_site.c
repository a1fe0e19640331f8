/*
 * The site's frame, as each kind of visitor meets it: the header marks
 * the section a page belongs to (detail pages too), search from the
 * header finds events, members, documents, evaluations and glossary
 * terms in sections with their counts, the Manage page and its
 * sub-navigation are for coordinators alone, the footer pages say
 * something true by default and only a coordinator may change them
 * (previewed first, every version kept, any brought back), and a
 * coordinator is told on every page when the node sends no mail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"

Suite	*site_suite(void);

#define COORD		"site.coord@example.org"
#define ADMIN		"site.admin@example.org"
#define MEMBER		"site.member@example.org"
#define HIDDEN		"site.hidden@example.org"
#define PENDING		"site.pending@example.org"

static struct node *node;
static char *coord_pw, *admin_pw, *member_pw, *hidden_pw, *pending_pw;
static char *event_id, *evaluation_id;

static void
run(const char *sql, const char *param)
{
	char *v = node_sql(node, sql, param);

	ck_assert_ptr_nonnull(v);
	free(v);
}

static long
num(const char *sql, const char *param)
{
	return node_num(node, sql, param);
}

/*
 * One of each kind of record, all with the word "zanzibarish", some
 * with markup in them that must come out as text.
 */
static void
records(void)
{
	struct client *co = client_as(node, COORD, coord_pw);

	ck_assert_ptr_nonnull(co);
	event_id = event_new_published(co, "Zanzibarish conference", "50");
	ck_assert_ptr_nonnull(event_id);
	client_free(co);
	run("UPDATE members SET listed = true,"
	    " name = 'Zanzibarish <i>Quill</i>', organisation = 'Quill PCN'"
	    " WHERE id = (SELECT member FROM accounts WHERE email = $1)"
	    " RETURNING id", MEMBER);
	run("UPDATE members SET listed = false, name = 'Zanzibarish Hidden'"
	    " WHERE id = (SELECT member FROM accounts WHERE email = $1)"
	    " RETURNING id", HIDDEN);
	run("INSERT INTO documents (id, origin, slug, title, category, body)"
	    " VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " 'zanzibarish-toolkit', $1, 'toolkit', 'How to run it.')"
	    " RETURNING id", "Zanzibarish toolkit");
	run("INSERT INTO document_revisions (document, number, title, body,"
	    " author_name) SELECT id, 1, title, body, 'Author' FROM documents"
	    " WHERE slug = $1 RETURNING number", "zanzibarish-toolkit");
	run("INSERT INTO glossary_terms (id, origin, term, definition)"
	    " VALUES (gen_random_uuid(), (SELECT id FROM node), $1,"
	    " 'Someone who connects people.') RETURNING id",
	    "Zanzibarish connector");
	evaluation_id = node_sql(node, "WITH e AS (SELECT gen_random_uuid()"
	    " AS id) SELECT e.id FROM e WHERE acorn_evaluation_save(e.id,"
	    " (SELECT id FROM node), 0, jsonb_build_object('title', $1::text,"
	    " 'region', 'North West', 'year', 2024, 'design', 'rct',"
	    " 'summary', 'A trial.', 'outcomes', '[{\"outcome\":"
	    " \"wellbeing\", \"direction\": \"improved\"}]'::jsonb), NULL,"
	    " 'Author', '', NULL) IS NOT NULL",
	    "Zanzibarish study <script>alert(1)</script>");
	ck_assert_ptr_nonnull(evaluation_id);
}

static void
start(void)
{
	node = node_new("Site node", "argon2_memory = 1024\n"
	    "argon2_passes = 1\nthreads = 4\nsession_idle = 3600");
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	admin_pw = node_user_add(node, ADMIN, "admin");
	member_pw = node_user_add(node, MEMBER, "member");
	hidden_pw = node_user_add(node, HIDDEN, "member");
	pending_pw = node_user_add(node, PENDING, "member");
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_ptr_nonnull(admin_pw);
	ck_assert_ptr_nonnull(member_pw);
	ck_assert_ptr_nonnull(hidden_pw);
	ck_assert_ptr_nonnull(pending_pw);
	ck_assert_int_eq(node_serve(node), 0);
	records();
}

static void
stop(void)
{
	node_free(node);
	free(coord_pw);
	free(admin_pw);
	free(member_pw);
	free(hidden_pw);
	free(pending_pw);
	free(event_id);
	free(evaluation_id);
	node = NULL;
}

static int
ends_with(const char *s, const char *end)
{
	size_t n = s != NULL ? strlen(s) : 0, m = strlen(end);

	return n >= m && strcmp(s + n - m, end) == 0;
}

static struct client *
as(const char *email, const char *pw)
{
	struct client *c = client_as(node, email, pw);

	ck_assert_ptr_nonnull(c);
	return c;
}

/* What c is answered for path; the caller frees it. */
static struct resp *
get(struct client *c, const char *path)
{
	struct resp *r = http_get(c, path);

	ck_assert_ptr_nonnull(r);
	return r;
}

static long
versions(const char *page)
{
	return num("SELECT count(*) FROM site_page_versions WHERE page = $1",
	    page);
}

/* The header link of section (its href) is the one marked current. */
static void
marks(struct client *c, const char *path, const char *section)
{
	struct resp *r = get(c, path);
	char want[128];
	const char *at;
	int n = 0;

	ck_assert_msg(r->status == 200, "%s answered %ld", path, r->status);
	snprintf(want, sizeof(want), "href=\"%s\" aria-current=\"true\"",
	    section);
	ck_assert_msg(resp_has(r, want), "%s does not mark %s", path,
	    section);
	/* One section link marked, no more. */
	for (at = r->body; (at = strstr(at, "aria-current=\"true\"")) !=
	    NULL; at++)
		n++;
	ck_assert_msg(n == 1, "%s marks %d links", path, n);
	resp_free(r);
}

START_TEST(test_detail_pages_mark_their_section)
{
	struct client *v = client_new(node);
	struct client *co = as(COORD, coord_pw);
	char path[160];

	snprintf(path, sizeof(path), "/events/%s", event_id);
	marks(v, path, "/events");
	marks(v, "/events", "/events");
	marks(v, "/library/zanzibarish-toolkit", "/library");
	marks(v, "/library/zanzibarish-toolkit/history", "/library");
	snprintf(path, sizeof(path), "/evidence/%s", evaluation_id);
	marks(v, path, "/evidence");
	snprintf(path, sizeof(path), "/evidence/%s/history", evaluation_id);
	marks(v, path, "/evidence");
	marks(v, "/evidence/summary", "/evidence");
	marks(v, "/glossary", "/glossary");
	marks(v, "/members", "/members");
	marks(v, "/signin", "/signin");
	/* A coordinator's tools on an event are the event's section. */
	snprintf(path, sizeof(path), "/events/%s/attendees", event_id);
	marks(co, path, "/events");
	/* The tools elsewhere are under Manage; account pages under theirs. */
	marks(co, "/admin/mail", "/manage");
	marks(co, "/admin/sync", "/manage");
	marks(co, "/site/contact/edit", "/manage");
	marks(co, "/registrations", "/registrations");
	marks(co, "/profile/sessions", "/profile");
	client_free(v);
	client_free(co);
}
END_TEST

START_TEST(test_header_groups_account_links_and_one_manage_link)
{
	struct client *v = client_new(node);
	struct client *m = as(MEMBER, member_pw);
	struct client *co = as(COORD, coord_pw);
	struct resp *r;

	r = get(v, "/events");
	ck_assert(resp_has(r, "aria-label=\"Your account\""));
	ck_assert(resp_has(r, "href=\"/signin\""));
	ck_assert(resp_has(r, "href=\"/join\""));
	ck_assert(!resp_has(r, "href=\"/manage\""));
	ck_assert(!resp_has(r, "href=\"/registrations\""));
	/* The Menu button says what it opens, and its script is the node's. */
	ck_assert(resp_has(r, "aria-controls=\"header-menu\""));
	ck_assert(resp_has(r, "id=\"header-menu\""));
	ck_assert(resp_has(r, "header-menu"));
	ck_assert(resp_has(r, "src=\"/static/header-menu."));
	resp_free(r);

	r = get(m, "/events");
	ck_assert(resp_has(r, ">Your registrations</a>"));
	ck_assert(resp_has(r, ">Your profile</a>"));
	ck_assert(resp_has(r, ">Sign out</button>"));
	ck_assert(!resp_has(r, "href=\"/manage\""));
	ck_assert(!resp_has(r, "href=\"/signin\""));
	resp_free(r);

	/* The tools are not in the main row: one Manage link leads to them. */
	r = get(co, "/events");
	ck_assert(resp_has(r, "href=\"/manage\">Manage</a>"));
	ck_assert(!resp_has(r, "href=\"/admin/members\""));
	ck_assert(!resp_has(r, "href=\"/admin/sync\""));
	ck_assert(!resp_has(r, ">Approvals</a>"));
	resp_free(r);
	client_free(v);
	client_free(m);
	client_free(co);
}
END_TEST

START_TEST(test_manage_is_for_coordinators_with_counts_and_subnav)
{
	struct client *v = client_new(node);
	struct client *m = as(MEMBER, member_pw);
	struct client *co = as(COORD, coord_pw);
	struct client *ad = as(ADMIN, admin_pw);
	struct resp *r;
	long mail;

	r = get(v, "/manage");
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(r->location);
	ck_assert(strstr(r->location, "/signin?next=/manage") != NULL);
	resp_free(r);
	r = get(m, "/manage");
	ck_assert_int_eq(r->status, 403);
	ck_assert(!resp_has(r, "waiting for approval"));
	resp_free(r);

	r = get(co, "/manage");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<h1>Manage</h1>"));
	ck_assert(resp_has(r, "Nobody is waiting for approval."));
	ck_assert(resp_has(r, "aria-label=\"Manage\""));
	ck_assert(resp_has(r, "href=\"/manage\" aria-current=\"page\""));
	ck_assert(resp_has(r, "href=\"/admin/members\">Approvals</a>"));
	/* Roles and peers are an admin's: not offered to a coordinator. */
	ck_assert(!resp_has(r, "href=\"/admin/roles\""));
	ck_assert(resp_has(r, "href=\"/site/accessibility/edit\""));
	resp_free(r);

	/* Someone asks to join; mail waits: the counts say so. */
	mail = num("SELECT count(*) FROM outbox WHERE sent IS NULL AND"
	    " failed IS NULL AND member IS NULL", NULL);
	run("UPDATE accounts SET status = 'pending' WHERE email = $1"
	    " RETURNING id", PENDING);
	run("INSERT INTO outbox (recipient, subject, body) VALUES ($1,"
	    " 'About the conference', 'Hello') RETURNING id",
	    "someone@example.org");
	r = get(co, "/manage");
	ck_assert(resp_has(r, "1 person is waiting for approval."));
	{
		char want[96];

		snprintf(want, sizeof(want), "%ld %s not sent yet: mail is "
		    "not set up.", mail + 1, mail + 1 == 1 ? "message" :
		    "messages");
		ck_assert_msg(resp_has(r, want), "no \"%s\"", want);
	}
	resp_free(r);
	run("UPDATE accounts SET status = 'active' WHERE email = $1"
	    " RETURNING id", PENDING);

	/* Every tool's page carries the sub-navigation, marking itself. */
	r = get(co, "/admin/members");
	ck_assert(resp_has(r, "aria-label=\"Manage\""));
	ck_assert(resp_has(r, "href=\"/admin/members\" aria-current=\"page\""));
	resp_free(r);
	r = get(ad, "/admin/roles");
	ck_assert(resp_has(r, "aria-label=\"Manage\""));
	ck_assert(resp_has(r, "href=\"/admin/roles\" aria-current=\"page\""));
	ck_assert(resp_has(r, "href=\"/admin/peers\">Peers</a>"));
	resp_free(r);
	/* Pages outside Manage do not. */
	r = get(co, "/events");
	ck_assert(!resp_has(r, "aria-label=\"Manage\""));
	resp_free(r);
	client_free(v);
	client_free(m);
	client_free(co);
	client_free(ad);
}
END_TEST

/* The results section of the search page for heading, or fails. */
static const char *
section(const struct resp *r, const char *heading)
{
	char want[96];
	const char *at;

	snprintf(want, sizeof(want), "<h2><span>%s</span>: <span>", heading);
	at = strstr(r->body, want);
	ck_assert_msg(at != NULL, "no section %s", heading);
	return at + strlen(want);
}

START_TEST(test_search_finds_every_kind_grouped_with_counts)
{
	struct client *v = client_new(node);
	struct client *co = as(COORD, coord_pw);
	struct resp *r;
	const char *kinds[] = { "Events", "Members", "Library documents",
	    "Evidence", "Glossary" };
	size_t i;

	/* Every page has the search form in its header. */
	r = get(v, "/glossary");
	ck_assert(resp_has(r, "role=\"search\" aria-label=\"Site\""));
	ck_assert(resp_has(r, "action=\"/search\""));
	ck_assert(resp_has(r, "<label for=\"header-search\" "
	    "class=\"visually-hidden\">"));
	resp_free(r);

	r = get(v, "/search?q=zanzibar");
	ck_assert_int_eq(r->status, 200);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		ck_assert_msg(strncmp(section(r, kinds[i]), "1 result<", 9) ==
		    0, "%s: not 1 result", kinds[i]);
	ck_assert(resp_has(r, "5 results for"));
	ck_assert(resp_has(r, "href=\"#members\""));
	ck_assert(resp_has(r, "Zanzibarish conference"));
	ck_assert(resp_has(r, "Zanzibarish toolkit"));
	ck_assert(resp_has(r, "Zanzibarish connector"));
	/* Markup in a name or a title is text, never markup. */
	ck_assert(resp_has(r, "Zanzibarish &lt;i&gt;Quill&lt;/i&gt;"));
	ck_assert(!resp_has(r, "<i>Quill"));
	ck_assert(resp_has(r, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert(!resp_has(r, "<script>alert"));
	/* An unlisted member is not the visitor's to find. */
	ck_assert(!resp_has(r, "Zanzibarish Hidden"));
	resp_free(r);

	/* Their coordinator finds them, as on /members. */
	r = get(co, "/search?q=zanzibarish");
	ck_assert(resp_has(r, "Zanzibarish Hidden"));
	ck_assert(strncmp(section(r, "Members"), "2 results<", 10) == 0);
	resp_free(r);
	client_free(v);
	client_free(co);
}
END_TEST

START_TEST(test_search_that_finds_nothing_helps)
{
	struct client *v = client_new(node);
	struct resp *r;

	r = get(v, "/search?q=%3Cb%3Equxxlorp");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "No results for"));
	ck_assert(resp_has(r, "&lt;b&gt;quxxlorp"));
	ck_assert(!resp_has(r, "<b>quxxlorp"));
	ck_assert(resp_has(r, "check the spelling"));
	ck_assert(!resp_has(r, "result-count"));
	resp_free(r);
	/* Nothing asked: a prompt, not an empty list. */
	r = get(v, "/search");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Type some words"));
	resp_free(r);
	node_assert_serving(node, "/search?q=zanzibarish");
	client_free(v);
}
END_TEST

START_TEST(test_footer_pages_have_true_defaults)
{
	struct client *v = client_new(node);
	struct client *m = as(MEMBER, member_pw);
	struct resp *r;

	r = get(v, "/events");
	ck_assert(resp_has(r, "href=\"/accessibility\">Accessibility "
	    "statement</a>"));
	ck_assert(resp_has(r, "href=\"/privacy\">Privacy notice</a>"));
	ck_assert(resp_has(r, "href=\"/cookies\">Cookies</a>"));
	ck_assert(resp_has(r, "href=\"/contact\">Contact</a>"));
	resp_free(r);

	r = get(v, "/accessibility");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<h1>Accessibility statement</h1>"));
	ck_assert(resp_has(r, "Compliance status"));
	ck_assert(resp_has(r, "partially compliant"));
	ck_assert(resp_has(r, "How accessible this website is"));
	ck_assert(resp_has(r, "Enforcement procedure"));
	ck_assert(resp_has(r, "How we tested this website"));
	ck_assert(!resp_has(r, "Edit this page"));
	resp_free(r);

	/* The cookies the node sets, for as long as this node keeps them. */
	r = get(v, "/cookies");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "acorn_session"));
	ck_assert(resp_has(r, "acorn_pre"));
	ck_assert(resp_has(r, "1 hour after it was last used"));
	ck_assert(resp_has(r, "no analytics, advertising or tracking"));
	resp_free(r);

	r = get(m, "/contact");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<h1>Contact</h1>"));
	ck_assert(resp_has(r, "have not yet put their contact details"));
	ck_assert(!resp_has(r, "Edit this page"));
	resp_free(r);
	r = get(m, "/privacy");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Your account"));
	ck_assert(!resp_has(r, "Edit this page"));
	resp_free(r);
	client_free(v);
	client_free(m);
}
END_TEST

/* The id of the newest version of page. */
static char *
newest(const char *page)
{
	char *id = node_sql(node, "SELECT max(id) FROM site_page_versions"
	    " WHERE page = $1", page);

	ck_assert_ptr_nonnull(id);
	return id;
}

START_TEST(test_coordinator_previews_saves_and_restores_a_page)
{
	struct client *co = as(COORD, coord_pw);
	struct client *v = client_new(node);
	struct resp *r;
	char *first;
	long before = versions("contact");

	/* The form starts from the default text. */
	r = get(co, "/contact");
	ck_assert(resp_has(r, "href=\"/site/contact/edit\">Edit this page"));
	resp_free(r);
	r = get(co, "/site/contact/edit");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "have not yet put their contact details"));
	ck_assert(!resp_has(r, "Restore the default text"));
	resp_free(r);

	/* A preview shows the text made into HTML, and saves nothing. */
	r = form_post(co, "/site/contact/edit", "/site/contact/edit", "body",
	    "## Call us\n\nRing **0161 496 0000**.", "preview", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<h2 id=\"preview-heading\">Preview</h2>"));
	ck_assert(resp_has(r, "<strong>0161 496 0000</strong>"));
	ck_assert(resp_has(r, "Ring **0161 496 0000**."));
	resp_free(r);
	ck_assert_int_eq(versions("contact"), before);

	r = form_post(co, "/site/contact/edit", "/site/contact/edit", "body",
	    "## Call us\n\nRing **0161 496 0000**.", NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert(ends_with(r->location, "/contact?saved=yes"));
	resp_free(r);
	first = newest("contact");
	r = get(v, "/contact");
	ck_assert(resp_has(r, "<strong>0161 496 0000</strong>"));
	ck_assert(!resp_has(r, "have not yet put their contact details"));
	resp_free(r);

	r = form_post(co, "/site/contact/edit", "/site/contact/edit", "body",
	    "Write to the Zed Network.", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(versions("contact"), before + 2);
	r = get(co, "/site/contact/edit");
	ck_assert(resp_has(r, "Saved versions"));
	ck_assert(resp_has(r, "Restore the default text"));
	ck_assert(resp_has(r, "Shown now"));
	resp_free(r);
	r = get(co, "/contact");
	ck_assert(resp_has(r, "Write to the Zed Network."));
	ck_assert(resp_has(r, "Last changed by"));
	resp_free(r);

	/* The first version comes back, as a version of its own. */
	r = form_post(co, "/site/contact/edit", "/site/contact/restore",
	    "revision", first, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(versions("contact"), before + 3);
	ck_assert_int_eq(num("SELECT count(*) FROM site_page_versions WHERE"
	    " restored_from = $1::bigint", first), 1);
	r = get(v, "/contact");
	ck_assert(resp_has(r, "<strong>0161 496 0000</strong>"));
	resp_free(r);

	/* And so does the default. */
	r = form_post(co, "/site/contact/edit", "/site/contact/restore",
	    "which", "default", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = get(v, "/contact");
	ck_assert(resp_has(r, "have not yet put their contact details"));
	ck_assert(!resp_has(r, "0161 496 0000"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM audit_log WHERE"
	    " action = 'site_page' AND subject = $1", "contact"), before + 4);
	free(first);
	client_free(co);
	client_free(v);
}
END_TEST

START_TEST(test_privacy_keeps_what_the_settings_say_beside_own_text)
{
	struct client *co = as(COORD, coord_pw);
	struct client *v = client_new(node);
	struct resp *r;

	r = form_post(co, "/site/privacy/edit", "/site/privacy/edit", "body",
	    "The controller is **Zed Network Ltd**.", NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert(ends_with(r->location, "/privacy?saved=yes"));
	resp_free(r);
	r = get(v, "/privacy");
	ck_assert(resp_has(r, "<strong>Zed Network Ltd</strong>"));
	/* The part made from the settings is all still there. */
	ck_assert(resp_has(r, "Your account"));
	ck_assert(resp_has(r, "The audit log"));
	ck_assert(resp_has(r, "1 hour after it was last used"));
	resp_free(r);
	r = form_post(co, "/site/cookies/edit", "/site/cookies/edit", "body",
	    "Ask us about cookies.", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = get(v, "/cookies");
	ck_assert(resp_has(r, "Ask us about cookies."));
	ck_assert(resp_has(r, "acorn_session"));
	resp_free(r);
	client_free(co);
	client_free(v);
}
END_TEST

START_TEST(test_only_coordinators_change_footer_pages)
{
	struct client *v = client_new(node);
	struct client *m = as(MEMBER, member_pw);
	struct client *co = as(COORD, coord_pw);
	struct resp *r;
	char *csrf, *id;
	long before = versions("accessibility");

	r = get(v, "/site/accessibility/edit");
	ck_assert_int_eq(r->status, 303);
	ck_assert(strstr(r->location, "/signin") != NULL);
	resp_free(r);
	r = http_post(v, "/site/accessibility/edit", "body", "Defaced", NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, 303);
	ck_assert(strstr(r->location, "/signin") != NULL);
	resp_free(r);

	/* A member, with their own good token, is refused. */
	r = get(m, "/site/accessibility/edit");
	ck_assert_int_eq(r->status, 403);
	ck_assert(!resp_has(r, "textarea"));
	resp_free(r);
	csrf = page_csrf(m, "/profile");
	ck_assert_ptr_nonnull(csrf);
	r = http_post(m, "/site/accessibility/edit", "csrf", csrf, "body",
	    "Defaced", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = http_post(m, "/site/accessibility/restore", "csrf", csrf,
	    "which", "default", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	free(csrf);

	/* A coordinator's post without the token, or with another's. */
	r = http_post(co, "/site/accessibility/edit", "body", "Defaced", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = http_post(co, "/site/accessibility/edit", "csrf",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "body", "Defaced",
	    NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(versions("accessibility"), before);

	/* No such page; another page's version is not this page's. */
	r = get(co, "/site/terms/edit");
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	r = form_post(co, "/site/privacy/edit", "/site/privacy/edit", "body",
	    "Privacy words.", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	id = newest("privacy");
	r = form_post(co, "/site/accessibility/edit",
	    "/site/accessibility/restore", "revision", id, NULL);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	free(id);
	ck_assert_int_eq(versions("accessibility"), before);
	r = get(v, "/accessibility");
	ck_assert(!resp_has(r, "Defaced"));
	ck_assert(!resp_has(r, "Privacy words."));
	resp_free(r);
	node_assert_serving(node, "/accessibility");
	client_free(v);
	client_free(m);
	client_free(co);
}
END_TEST

START_TEST(test_footer_page_text_has_limits_and_no_script)
{
	struct client *co = as(COORD, coord_pw);
	struct client *v = client_new(node);
	struct resp *r;
	char *big;
	long before = versions("accessibility");

	big = malloc(60002);
	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 20001);
	big[20001] = '\0';
	r = form_post(co, "/site/accessibility/edit",
	    "/site/accessibility/edit", "body", big, NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "The text must be 20,000 characters or fewer"));
	resp_free(r);
	memset(big, 'a', 60001);
	big[60001] = '\0';
	r = form_post(co, "/site/accessibility/edit",
	    "/site/accessibility/edit", "body", big, NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "The text must be 20,000 characters or fewer"));
	resp_free(r);
	free(big);
	r = form_post(co, "/site/accessibility/edit",
	    "/site/accessibility/edit", "body", "   ", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Enter the text of the page"));
	resp_free(r);
	ck_assert_int_eq(versions("accessibility"), before);

	/* Script in the Markdown stays out of the page, previewed or saved. */
	r = form_post(co, "/site/accessibility/edit",
	    "/site/accessibility/edit", "body", "Hello <script>alert(1)"
	    "</script>\n\n<img src=x onerror=alert(2)>\n\n[click]"
	    "(javascript:alert(3))", "preview", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "<script>alert"));
	ck_assert(!resp_has(r, "<img src=\"x\""));
	ck_assert(!resp_has(r, "href=\"javascript:"));
	resp_free(r);
	r = form_post(co, "/site/accessibility/edit",
	    "/site/accessibility/edit", "body", "Hello <script>alert(1)"
	    "</script>\n\n<img src=x onerror=alert(2)>\n\n[click]"
	    "(javascript:alert(3))", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = get(v, "/accessibility");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Hello"));
	ck_assert(!resp_has(r, "<script>alert"));
	ck_assert(!resp_has(r, "onerror"));
	ck_assert(!resp_has(r, "href=\"javascript:"));
	resp_free(r);
	r = form_post(co, "/site/accessibility/edit",
	    "/site/accessibility/restore", "which", "default", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	client_free(co);
	client_free(v);
}
END_TEST

START_TEST(test_mail_banner_is_for_coordinators_of_a_node_without_mail)
{
	struct client *v = client_new(node);
	struct client *m = as(MEMBER, member_pw);
	struct client *co = as(COORD, coord_pw);
	struct node *mailing;
	char *pw;
	struct client *mco;
	struct resp *r;

	r = get(co, "/events");
	ck_assert(resp_has(r, "<strong>No emails go out:</strong> <a "
	    "href=\"/admin/mail\">mail is not set up</a>"));
	resp_free(r);
	/* Where the banner leads says what to set. */
	r = get(co, "/admin/mail");
	ck_assert(resp_has(r, "<code>smtp_url</code>"));
	resp_free(r);
	r = get(m, "/events");
	ck_assert(!resp_has(r, "No emails go out"));
	resp_free(r);
	r = get(v, "/events");
	ck_assert(!resp_has(r, "No emails go out"));
	resp_free(r);

	/* A node that sends mail says nothing of it. */
	mailing = node_new("Mailing node", "argon2_memory = 1024\n"
	    "argon2_passes = 1\nsmtp_url = smtp://127.0.0.1:9\n"
	    "mail_from = node@example.org");
	ck_assert_ptr_nonnull(mailing);
	pw = node_user_add(mailing, COORD, "coordinator");
	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(node_serve(mailing), 0);
	mco = client_as(mailing, COORD, pw);
	ck_assert_ptr_nonnull(mco);
	r = http_get(mco, "/events");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "href=\"/manage\""));
	ck_assert(!resp_has(r, "No emails go out"));
	resp_free(r);
	client_free(mco);
	node_free(mailing);
	free(pw);
	client_free(v);
	client_free(m);
	client_free(co);
}
END_TEST

Suite *
site_suite(void)
{
	Suite *s = suite_create("site");
	TCase *tc = tcase_create("site");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_detail_pages_mark_their_section);
	tcase_add_test(tc, test_header_groups_account_links_and_one_manage_link);
	tcase_add_test(tc, test_manage_is_for_coordinators_with_counts_and_subnav);
	tcase_add_test(tc, test_search_finds_every_kind_grouped_with_counts);
	tcase_add_test(tc, test_search_that_finds_nothing_helps);
	tcase_add_test(tc, test_footer_pages_have_true_defaults);
	tcase_add_test(tc, test_coordinator_previews_saves_and_restores_a_page);
	tcase_add_test(tc,
	    test_privacy_keeps_what_the_settings_say_beside_own_text);
	tcase_add_test(tc, test_only_coordinators_change_footer_pages);
	tcase_add_test(tc, test_footer_page_text_has_limits_and_no_script);
	tcase_add_test(tc,
	    test_mail_banner_is_for_coordinators_of_a_node_without_mail);
	suite_add_tcase(s, tc);
	return s;
}
