/*
 * The library and the glossary against a real node: saves make revisions
 * with their author and summary, history and compare show them, restore
 * brings an old text back as a new revision, two people saving from the
 * same revision get one save and one edit conflict with nothing lost,
 * protection, search, and markup always shown as text.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libxml/parser.h>

#include "harness.h"
#include "federation.h"
#include "fed_internal.h"

Suite	*library_suite(void);

static struct node *node;
static char *coord_pw;
static char *member_pw;
static char *member2_pw;

#define COORD		"library.coord@example.org"
#define MEMBER		"library.member@example.org"
#define MEMBER2		"library.member2@example.org"

static void
start(void)
{
	node = node_new("Library node", "argon2_memory = 1024\n"
	    "argon2_passes = 1\nthreads = 4");
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	member_pw = node_user_add(node, MEMBER, "member");
	member2_pw = node_user_add(node, MEMBER2, "member");
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_ptr_nonnull(member_pw);
	ck_assert_ptr_nonnull(member2_pw);
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop(void)
{
	node_free(node);
	free(coord_pw);
	free(member_pw);
	free(member2_pw);
	node = NULL;
}

static struct client *
signed_in(const char *email, const char *pw)
{
	return client_as(node, email, pw);
}

static long
num(const char *sql, const char *param)
{
	return node_num(node, sql, param);
}

static char *
text(const char *sql, const char *param)
{
	return node_text(node, sql, param);
}

/* Writes a new document as c; the answer must be a redirect to it. */
static void
create(struct client *c, const char *slug, const char *title,
    const char *body)
{
	struct resp *r;
	char where[128];

	r = form_post(c, "/library/new", "/library/new", "title", title,
	    "slug", slug, "category", "toolkit", "tags", "Loneliness, older "
	    "people", "body", body, "summary", "First draft", NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, 303);
	snprintf(where, sizeof(where), "/library/%s", slug);
	ck_assert_ptr_nonnull(strstr(r->location, where));
	resp_free(r);
}

/* Adds a glossary term as c; the answer must be a redirect. */
static void
add_term(struct client *c, const char *term, const char *definition,
    const char *synonyms)
{
	struct resp *r;

	r = form_post(c, "/glossary/new", "/glossary/new", "term", term,
	    "definition", definition, "synonyms", synonyms, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
}

/* How many times needle occurs in hay. */
static int
occurrences(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* What a browser holds after opening the edit page. */
struct draft {
	struct client	*c;
	char		 action[128];
	char		*csrf;
	char		*base;
	const char	*body;
	const char	*summary;
	struct resp	*answer;
};

static void
open_edit(struct draft *d, struct client *c, const char *slug)
{
	struct resp *r;
	char page[128];

	snprintf(page, sizeof(page), "/library/%s/edit", slug);
	snprintf(d->action, sizeof(d->action), "%s", page);
	d->c = c;
	r = http_get(c, page);
	ck_assert_int_eq(r->status, 200);
	d->csrf = form_field(r->body, "csrf");
	d->base = form_field(r->body, "base");
	ck_assert_ptr_nonnull(d->csrf);
	ck_assert_ptr_nonnull(d->base);
	resp_free(r);
	d->answer = NULL;
}

static struct resp *
save(struct draft *d)
{
	return http_post(d->c, d->action, "csrf", d->csrf, "base", d->base,
	    "title", "Referral toolkit", "category", "toolkit", "tags",
	    "referrals", "body", d->body, "summary", d->summary, NULL);
}

static void
draft_free(struct draft *d)
{
	free(d->csrf);
	free(d->base);
	resp_free(d->answer);
}

static void
edit(struct client *c, const char *slug, const char *body,
    const char *summary)
{
	struct draft d;

	open_edit(&d, c, slug);
	d.body = body;
	d.summary = summary;
	d.answer = save(&d);
	ck_assert_int_eq(d.answer->status, 303);
	draft_free(&d);
}

START_TEST(test_create_and_edit_make_revisions_in_history)
{
	struct client *m = signed_in(MEMBER, member_pw);
	struct client *anon = client_new(node);
	struct resp *r;

	create(m, "referral-toolkit", "Referral toolkit",
	    "# Referrals\n\nStep one: listen.\nStep two: plan.\n");
	edit(m, "referral-toolkit", "# Referrals\n\nStep one: listen.\n"
	    "Step two: agree a plan together.\n", "Clearer step two");

	r = http_get(anon, "/library/referral-toolkit");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "agree a plan together"));
	ck_assert(resp_has(r, "<h2>Referrals</h2>"));
	ck_assert(resp_has(r, "Revision <span>2</span>"));
	resp_free(r);

	r = http_get(anon, "/library/referral-toolkit/history");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Clearer step two"));
	ck_assert(resp_has(r, "First draft"));
	ck_assert(resp_has(r, "(current)"));
	ck_assert_int_eq(num("SELECT count(*) FROM document_revisions r"
	    " JOIN documents d ON d.id = r.document WHERE d.slug = $1"
	    " AND r.author_name <> ''", "referral-toolkit"), 2);
	resp_free(r);

	r = http_get(anon, "/library?category=toolkit");
	ck_assert(resp_has(r, "Referral toolkit"));
	ck_assert(resp_has(r, "referrals"));
	resp_free(r);
	client_free(m);
	client_free(anon);
}
END_TEST

START_TEST(test_compare_shows_changed_lines_and_restore_brings_text_back)
{
	struct client *m = signed_in(MEMBER, member_pw);
	struct resp *r;
	char *csrf, *body;

	create(m, "waiting-list-guide", "Waiting list guide",
	    "Keep a list.\nCall people weekly.\nClose the loop.\n");
	edit(m, "waiting-list-guide", "Keep a list.\nCall people every "
	    "fortnight.\nClose the loop.\n", "Less often");

	r = http_get(m, "/library/waiting-list-guide/compare?from=1&to=2");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Removed:"));
	ck_assert(resp_has(r, "Call people weekly."));
	ck_assert(resp_has(r, "Added:"));
	ck_assert(resp_has(r, "Call people every fortnight."));
	ck_assert(resp_has(r, "1 line removed, 1 line added."));
	resp_free(r);

	csrf = page_csrf(m, "/library/waiting-list-guide/history");
	ck_assert_ptr_nonnull(csrf);
	r = http_post(m, "/library/waiting-list-guide/restore", "csrf", csrf,
	    "revision", "1", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	free(csrf);
	body = text("SELECT body FROM documents WHERE slug = $1",
	    "waiting-list-guide");
	ck_assert_str_eq(body, "Keep a list.\nCall people weekly.\n"
	    "Close the loop.");
	free(body);
	r = http_get(m, "/library/waiting-list-guide/history");
	ck_assert(resp_has(r, "Restored revision 1"));
	resp_free(r);
	/* The audit trail names the document that was restored. */
	ck_assert_int_eq(num("SELECT count(*) FROM audit_log a JOIN documents d"
	    " ON a.subject = d.id::text WHERE a.action = 'document_restore'"
	    " AND d.slug = $1", "waiting-list-guide"), 1);
	ck_assert_int_eq(num("SELECT r.restored_from FROM document_revisions r"
	    " JOIN documents d ON d.id = r.document WHERE d.slug = $1"
	    " AND r.number = 3", "waiting-list-guide"), 1);
	client_free(m);
}
END_TEST

struct racer {
	struct draft	*d;
	pthread_barrier_t *go;
};

static void *
race(void *arg)
{
	struct racer *x = arg;

	pthread_barrier_wait(x->go);
	x->d->answer = save(x->d);
	return NULL;
}

START_TEST(test_concurrent_saves_one_wins_one_conflicts_nothing_lost)
{
	struct client *a = signed_in(MEMBER, member_pw);
	struct client *b = signed_in(MEMBER2, member2_pw);
	struct draft da, db;
	struct racer ra = { &da, NULL }, rb = { &db, NULL };
	pthread_barrier_t go;
	pthread_t ta, tb;
	struct draft *lost;
	const char *lost_text;
	char *stored;

	create(a, "shared-plan", "Shared plan", "Line one.\nLine two.\n");
	open_edit(&da, a, "shared-plan");
	open_edit(&db, b, "shared-plan");
	ck_assert_str_eq(da.base, db.base);
	da.body = "Line one.\nLine two from Alice.\n";
	da.summary = "Alice's change";
	db.body = "Line one.\nLine two from Bob.\n";
	db.summary = "Bob's change";
	pthread_barrier_init(&go, NULL, 2);
	ra.go = rb.go = &go;
	pthread_create(&ta, NULL, race, &ra);
	pthread_create(&tb, NULL, race, &rb);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&go);
	ck_assert_ptr_nonnull(da.answer);
	ck_assert_ptr_nonnull(db.answer);

	/* Exactly one saved, the other was told and kept its text. */
	ck_assert((da.answer->status == 303 && db.answer->status == 409) ||
	    (da.answer->status == 409 && db.answer->status == 303));
	lost = da.answer->status == 409 ? &da : &db;
	lost_text = lost == &da ? "Line two from Alice." :
	    "Line two from Bob.";
	ck_assert(resp_has(lost->answer, "Edit conflict"));
	ck_assert(resp_has(lost->answer, lost_text));
	ck_assert(resp_has(lost->answer, lost == &da ? "Line two from Bob." :
	    "Line two from Alice."));
	ck_assert(resp_has(lost->answer, "Added:"));
	ck_assert_int_eq(num("SELECT count(*) FROM document_revisions r"
	    " JOIN documents d ON d.id = r.document WHERE d.slug = $1",
	    "shared-plan"), 2);
	stored = text("SELECT body FROM documents WHERE slug = $1",
	    "shared-plan");
	ck_assert(strstr(stored, lost_text) == NULL);
	free(stored);

	/* Saving again from the conflict page keeps the other change too. */
	free(lost->base);
	lost->base = form_field(lost->answer->body, "base");
	ck_assert_str_eq(lost->base, "2");
	resp_free(lost->answer);
	lost->answer = save(lost);
	ck_assert_int_eq(lost->answer->status, 303);
	ck_assert_int_eq(num("SELECT revision FROM documents WHERE slug = $1",
	    "shared-plan"), 3);
	draft_free(&da);
	draft_free(&db);
	client_free(a);
	client_free(b);
}
END_TEST

START_TEST(test_protected_document_refused_to_member_allowed_to_coordinator)
{
	struct client *co = signed_in(COORD, coord_pw);
	struct client *m = signed_in(MEMBER, member_pw);
	struct resp *r;
	char *csrf;

	create(m, "commissioning-advice", "Commissioning advice",
	    "Agreed text.\n");
	csrf = page_csrf(co, "/library/commissioning-advice");
	ck_assert_ptr_nonnull(csrf);
	r = http_post(co, "/library/commissioning-advice/protect", "csrf",
	    csrf, "protected", "yes", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	free(csrf);

	r = http_get(m, "/library/commissioning-advice/edit");
	ck_assert_int_eq(r->status, 403);
	ck_assert(resp_has(r, "only coordinators can change it"));
	resp_free(r);
	csrf = page_csrf(m, "/library/commissioning-advice");
	r = http_post(m, "/library/commissioning-advice/edit", "csrf", csrf,
	    "base", "1", "title", "Hijacked", "category", "toolkit", "body",
	    "Changed.", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	free(csrf);
	ck_assert_int_eq(num("SELECT revision FROM documents WHERE slug = $1",
	    "commissioning-advice"), 1);

	edit(co, "commissioning-advice", "Agreed text, revised.\n",
	    "Coordinator update");
	ck_assert_int_eq(num("SELECT revision FROM documents WHERE slug = $1",
	    "commissioning-advice"), 2);
	client_free(co);
	client_free(m);
}
END_TEST

START_TEST(test_search_finds_body_word_and_glossary_synonym)
{
	struct client *m = signed_in(MEMBER, member_pw);
	struct client *anon = client_new(node);
	struct resp *r;

	create(m, "allotment-case-study", "Allotment case study",
	    "Members grew vegetables together at the allotment.\n");
	add_term(m, "Link worker", "Someone who helps people find local "
	    "groups and support.", "care navigator, community connector");

	r = http_get(anon, "/search?q=vegetables");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Allotment case study"));
	resp_free(r);
	r = http_get(anon, "/search?q=care+navigator");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Link worker"));
	resp_free(r);
	r = http_get(anon, "/glossary?q=community+connector");
	ck_assert(resp_has(r, "Link worker"));
	ck_assert(resp_has(r, "care navigator, community connector"));
	resp_free(r);
	r = http_get(anon, "/glossary");
	ck_assert(resp_has(r, "<h2>L</h2>"));
	resp_free(r);
	client_free(m);
	client_free(anon);
}
END_TEST

START_TEST(test_markup_shown_as_text)
{
	struct client *m = signed_in(MEMBER, member_pw);
	struct resp *r;

	create(m, "markup-test", "<script>alert(1)</script> title",
	    "Hello <script>alert(2)</script> <b>bold</b>\n\n"
	    "<div onclick=\"x()\">raw block</div>\n");
	add_term(m, "<i>Term</i>", "<script>alert(3)</script>",
	    "<b>other</b>");

	r = http_get(m, "/library/markup-test");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "&lt;script&gt;alert(1)&lt;/script&gt; title"));
	ck_assert(!resp_has(r, "<script>alert"));
	ck_assert(!resp_has(r, "<b>bold</b>"));
	ck_assert(!resp_has(r, "onclick"));
	resp_free(r);
	r = http_get(m, "/library/markup-test/edit");
	ck_assert(resp_has(r, "&lt;script&gt;alert(2)"));
	ck_assert(!resp_has(r, "<script>alert"));
	resp_free(r);
	r = http_get(m, "/glossary");
	ck_assert(resp_has(r, "&lt;i&gt;Term&lt;/i&gt;"));
	ck_assert(resp_has(r, "&lt;script&gt;alert(3)&lt;/script&gt;"));
	ck_assert(resp_has(r, "&lt;b&gt;other&lt;/b&gt;"));
	ck_assert(!resp_has(r, "<script>alert"));
	resp_free(r);
	client_free(m);
}
END_TEST

START_TEST(test_bad_slug_and_empty_title_refused_nothing_stored)
{
	struct client *m = signed_in(MEMBER, member_pw);
	struct resp *r;
	long before = num("SELECT count(*) FROM documents", NULL);
	long revs = num("SELECT count(*) FROM document_revisions", NULL);

	r = form_post(m, "/library/new", "/library/new", "title", "Fine",
	    "slug", "Bad Slug!", "category", "guide", "body", "Text.", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Web address must be lowercase letters"));
	ck_assert(resp_has(r, "value=\"Bad Slug!\""));
	resp_free(r);
	r = form_post(m, "/library/new", "/library/new", "title", "  ",
	    "slug", "fine-slug", "category", "guide", "body", "Text.", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Enter a title"));
	resp_free(r);
	r = form_post(m, "/library/new", "/library/new", "title", "Fine",
	    "slug", "fine-slug", "category", "novel", "body", "Text.", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select a category from the list"));
	resp_free(r);
	r = form_post(m, "/glossary/new", "/glossary/new", "term", "",
	    "definition", "Something.", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Enter the term"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM documents", NULL), before);
	ck_assert_int_eq(num("SELECT count(*) FROM document_revisions", NULL),
	    revs);

	/* A taken address is refused too, keeping the first document. */
	create(m, "only-once", "Only once", "First.\n");
	r = form_post(m, "/library/new", "/library/new", "title", "Again",
	    "slug", "only-once", "category", "guide", "body", "Second.", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Another document already has this web address"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM documents WHERE slug = $1",
	    "only-once"), 1);
	r = http_get(m, "/library/No_Such");
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	client_free(m);
}
END_TEST

START_TEST(test_terms_used_found_by_synonym_as_whole_words_only)
{
	struct client *m = signed_in(MEMBER, member_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char *id, want[256];

	add_term(m, "Link worker", "Someone who connects people to "
	    "community groups and support.", "care navigator, community "
	    "connector, health champion");
	add_term(m, "Patient Activation Measure", "A questionnaire about "
	    "confidence to manage one's own health.", "PAM");
	add_term(m, "Green social prescribing", "Referral to activities in "
	    "nature.", "");
	/*
	 * The synonym split over two lines and capitalised; "pam" only
	 * inside a longer word.
	 */
	create(m, "reception-guide", "Reception guide", "# Booking\n\n"
	    "Ask the Care\nNavigator to call the patient back.\n\n"
	    "Give everyone the pamphlet.\n");

	r = http_get(anon, "/library/reception-guide");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<h2 id=\"terms-used\">Terms used in this "
	    "document</h2>"));
	id = text("SELECT id FROM glossary_terms WHERE term = $1",
	    "Link worker");
	snprintf(want, sizeof(want), "<a href=\"/glossary#term-%s\">Link "
	    "worker</a>", id);
	ck_assert(resp_has(r, want));
	ck_assert(resp_has(r, "Someone who connects people to community "
	    "groups and support."));
	ck_assert(!resp_has(r, "Patient Activation Measure"));
	ck_assert(!resp_has(r, "Green social prescribing"));
	resp_free(r);

	/* The link lands on the term's entry in the glossary. */
	r = http_get(anon, "/glossary");
	snprintf(want, sizeof(want), "id=\"term-%s\"", id);
	ck_assert(resp_has(r, want));
	resp_free(r);
	free(id);

	/* Plurals count; with no glossary word there is no section. */
	create(m, "team-note", "Team note", "Our two link workers and the "
	    "PAM scores.\n");
	r = http_get(anon, "/library/team-note");
	ck_assert(resp_has(r, ">Link worker</a>"));
	ck_assert(resp_has(r, ">Patient Activation Measure</a>"));
	resp_free(r);
	create(m, "plain-note", "Plain note", "Nothing to look up here.\n");
	r = http_get(anon, "/library/plain-note");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Terms used in this document"));
	resp_free(r);
	client_free(m);
	client_free(anon);
}
END_TEST

START_TEST(test_pages_that_link_here_lists_links_to_this_page_only)
{
	struct client *m = signed_in(MEMBER, member_pw);
	struct client *anon = client_new(node);
	struct resp *r;

	create(m, "wellbeing", "Wellbeing", "About wellbeing. "
	    "[This page](/library/wellbeing).\n");
	create(m, "wellbeing-scales", "Wellbeing scales", "About scales.\n");
	create(m, "outcomes-index", "Outcomes index", "Read [the wellbeing "
	    "page](/library/wellbeing#top) first.\n");
	create(m, "scales-index", "Scales index", "See [scales]"
	    "(/library/wellbeing-scales) and [more](/library/wellbeing2).\n");

	r = http_get(anon, "/library/wellbeing");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<h2 id=\"links-here\">Pages that link "
	    "here</h2>"));
	ck_assert(resp_has(r, "<a href=\"/library/outcomes-index\">Outcomes "
	    "index</a>"));
	ck_assert(!resp_has(r, "Scales index"));
	ck_assert(!resp_has(r, "<li><a href=\"/library/wellbeing\">"));
	resp_free(r);
	r = http_get(anon, "/library/wellbeing-scales");
	ck_assert(resp_has(r, "<a href=\"/library/scales-index\">Scales "
	    "index</a>"));
	ck_assert(!resp_has(r, "Outcomes index"));
	resp_free(r);

	/* Only the current text counts. */
	edit(m, "outcomes-index", "No links any more.\n", "Link removed");
	r = http_get(anon, "/library/wellbeing");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Pages that link here"));
	resp_free(r);
	client_free(m);
	client_free(anon);
}
END_TEST

START_TEST(test_glossary_definition_markup_shown_as_text_on_document)
{
	struct client *m = signed_in(MEMBER, member_pw);
	struct resp *r;

	add_term(m, "Warm handover", "<b>Introduce</b> people in person "
	    "<script>alert(4)</script>", "<i>warm referral</i>");
	create(m, "handover-note", "Handover note", "Always do a warm "
	    "handover.\n");
	r = http_get(m, "/library/handover-note");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, ">Warm handover</a>"));
	ck_assert(resp_has(r, "&lt;b&gt;Introduce&lt;/b&gt; people in person "
	    "&lt;script&gt;alert(4)&lt;/script&gt;"));
	ck_assert(!resp_has(r, "<b>Introduce"));
	ck_assert(!resp_has(r, "<script>alert"));
	resp_free(r);
	client_free(m);
}
END_TEST

/*
 * The demo library as ./run demo loads it, into a node of its own: its
 * glossary would clash with the terms the other tests add.
 */
/*
 * docs/protocol.md, section 9: an entry is at most 1 MiB in canonical
 * form, and the largest document the library's form takes is under half
 * of it.  Measured, not modelled: every field of a document at its most
 * characters, of the ones that escape longest ("&" to "&amp;", '"' to
 * "&quot;" in an attribute), written as a member writes it and published
 * by the node; the entry it signs, canonical, is under 512 KiB.
 */
START_TEST(test_largest_document_entry_is_under_half_the_limit)
{
	struct client *c = signed_in(MEMBER, member_pw);
	char title[201], summary[201], tags[401], slug[81], *body, *tok;
	char *form, *entry, *c14n;
	struct mpart *m;
	struct resp *r;
	xmlDocPtr doc;
	size_t len, at = 0;
	int i, k;

	/* Title and summary of 200, the body of 60,000 (form.c's maxima). */
	memset(title, '&', 200);
	title[199] = '"';
	title[200] = '\0';
	memset(summary, '&', 200);
	summary[200] = '\0';
	ck_assert_ptr_nonnull(body = malloc(60000 + 1));
	memset(body, '&', 60000);
	body[60000] = '\0';
	/* Ten tags, as long as 400 characters allow, each with a '"'. */
	for (i = 0; i < 10; i++) {
		k = i < 9 ? 40 : 400 - 9 * 41;
		memset(tags + at, '&', (size_t)k);
		tags[at + (size_t)i % (size_t)k] = '"';
		at += (size_t)k;
		if (i < 9)
			tags[at++] = ',';
	}
	tags[at] = '\0';
	ck_assert_uint_eq(at, 400);
	/* A web address of 80: lowercase words joined by hyphens. */
	for (i = 0; i < 80; i++)
		slug[i] = i % 10 == 9 ? '-' : (char)('a' + i % 26);
	slug[79] = 'z';
	slug[80] = '\0';

	ck_assert_ptr_nonnull(tok = page_csrf(c, "/library/new"));
	ck_assert_ptr_nonnull(m = mpart_new());
	mpart_field(m, "csrf", tok);
	mpart_field(m, "title", title);
	mpart_field(m, "slug", slug);
	mpart_field(m, "category", "business_case");
	mpart_field(m, "tags", tags);
	mpart_field(m, "summary", summary);
	mpart_field(m, "body", body);
	ck_assert_ptr_nonnull(form = mpart_end(m, &len));
	r = http_post_multipart(c, "/library/new", form, len);
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(r->status == 303, "the library answered %ld: %s",
	    r->status, r->body);
	resp_free(r);
	/* Every field was taken whole. */
	ck_assert_int_eq(num("SELECT count(*) FROM documents WHERE slug = $1"
	    " AND length(title) = 200 AND length(body) = 60000"
	    " AND cardinality(tags) = 10 AND category = 'business_case'",
	    slug), 1);

	ck_assert_msg(node_wait(node, "SELECT entry IS NOT NULL AND NOT"
	    " pending FROM documents WHERE slug = $1", slug, 30000),
	    "the document was never published");
	entry = text("SELECT entry FROM documents WHERE slug = $1", slug);
	ck_assert_ptr_nonnull(doc = xmlReadMemory(entry, (int)strlen(entry),
	    NULL, NULL, XML_PARSE_NONET));
	ck_assert_ptr_nonnull(c14n = fed_c14n(doc));
	/* The body went once: 60,000 "&amp;" are most of it. */
	ck_assert_uint_ge(strlen(c14n), (size_t)60000 * 5);
	ck_assert_msg(strlen(c14n) <= (size_t)1024 * 1024 / 2,
	    "the largest document's entry takes %zu bytes", strlen(c14n));
	free(c14n);
	xmlFreeDoc(doc);
	free(entry);
	free(form);
	free(tok);
	free(body);
	client_free(c);
}
END_TEST

START_TEST(test_demo_library_loads_and_toolkit_links_resolve)
{
	struct node *demo = node_new("Demo library", NULL);
	struct client *c;
	struct resp *r, *t;
	char file[1024], path[256], *p, *end;
	size_t len;
	int links = 0;

	ck_assert_ptr_nonnull(demo);
	snprintf(file, sizeof(file), "%s/tests/demo/library.sql",
	    getenv("ACORN_DATADIR"));
	ck_assert_int_eq(node_psql(demo, file, "region=North West",
	    "slug=north-west", NULL), 0);
	ck_assert_int_eq(node_serve(demo), 0);
	c = client_new(demo);

	r = http_get(c, "/library");
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_ge(occurrences(r->body, "<li class=\"member-card\">"),
	    8);
	resp_free(r);
	r = http_get(c, "/glossary");
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_ge(occurrences(r->body, "<dt>"), 15);
	resp_free(r);

	/* Each document's row is its latest revision. */
	ck_assert_int_ge(node_num(demo, "SELECT count(*) FROM documents d"
	    " JOIN document_revisions r ON r.document = d.id"
	    " AND r.number = d.revision"
	    " WHERE r.body = d.body AND r.title = d.title", NULL), 8);

	/* Every page the toolkit's text links to is there. */
	r = http_get(c, "/library/social-prescribing-toolkit");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, ">Link worker</a>"));
	ck_assert_ptr_nonnull(p = strstr(r->body, "<div class=\"document\">"));
	ck_assert_ptr_nonnull(end = strstr(p, "</div>"));
	while ((p = strstr(p, "href=\"/library/")) != NULL && p < end) {
		p += strlen("href=\"");
		len = strcspn(p, "\"");
		ck_assert_uint_lt(len, sizeof(path));
		snprintf(path, sizeof(path), "%.*s", (int)len, p);
		t = http_get(c, path);
		ck_assert_msg(t->status == 200, "%s answered %ld", path,
		    t->status);
		resp_free(t);
		links++;
	}
	ck_assert_int_ge(links, 8);
	resp_free(r);
	client_free(c);
	node_free(demo);
}
END_TEST

/*
 * A new document's web address is made from its title when none is
 * typed: lowercase ASCII words joined by hyphens, accents written
 * plain, the next free "-2" on a clash; a typed one is kept as typed,
 * or refused when it is not a valid address or is taken.
 */
START_TEST(test_web_address_made_from_the_title)
{
	static const struct {
		const char	*title;
		const char	*slug;
	} made[] = {
		{ "Social Prescribing: A Toolkit (2024)",
		  "social-prescribing-a-toolkit-2024" },
		{ "Café società in Łódź – straße", "cafe-societa-in-lodz-strasse" },
		{ "Ymgynghori â’r gymuned: Ŵyl", "ymgynghori-a-r-gymuned-wyl" },
		{ "社会处方", "document" },
		{ "New", "new-document" },
		{ "Social prescribing: a toolkit, 2024!",
		  "social-prescribing-a-toolkit-2024-2" },
	};
	struct client *m = signed_in(MEMBER, member_pw);
	char *csrf = page_csrf(m, "/library/new"), where[160];
	long before;
	struct resp *r;
	size_t i;

	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		r = http_post(m, "/library/new", "csrf", csrf, "title",
		    made[i].title, "slug", "", "category", "guide", "body",
		    "Text.", NULL);
		ck_assert_int_eq(r->status, 303);
		snprintf(where, sizeof(where), "/library/%s", made[i].slug);
		ck_assert_msg(strcmp(r->location + strlen(r->location) -
		    strlen(where), where) == 0, "%s: %s", made[i].title,
		    r->location);
		resp_free(r);
	}

	/* Preview shows the address it would get, still to be changed. */
	r = http_post(m, "/library/new", "csrf", csrf, "title",
	    "Social Prescribing: A Toolkit (2024)", "category", "guide",
	    "body", "Text.", "preview", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "name=\"slug\" type=\"text\" spellcheck=\"false\" "
	    "aria-describedby=\"slug-hint\" value=\""
	    "social-prescribing-a-toolkit-2024-3\""));
	resp_free(r);

	/* A typed address: invalid, or taken, is refused and kept to fix. */
	before = num("SELECT count(*) FROM documents", NULL);
	r = http_post(m, "/library/new", "csrf", csrf, "title", "Typed",
	    "slug", "café-guide", "category", "guide", "body", "Text.", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Web address must be lowercase letters"));
	ck_assert(resp_has(r, "value=\"café-guide\""));
	resp_free(r);
	r = http_post(m, "/library/new", "csrf", csrf, "title", "Typed",
	    "slug", "new", "category", "guide", "body", "Text.", NULL);
	ck_assert_int_eq(r->status, 422);
	resp_free(r);
	r = http_post(m, "/library/new", "csrf", csrf, "title", "Typed",
	    "slug", "document", "category", "guide", "body", "Text.", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Another document already has this web address"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM documents", NULL), before);
	r = http_post(m, "/library/new", "csrf", csrf, "title", "Typed",
	    "slug", "my-own-address", "category", "guide", "body", "Text.",
	    NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert(strstr(r->location, "/library/my-own-address") != NULL);
	resp_free(r);
	free(csrf);
	client_free(m);
}
END_TEST

/*
 * Preview renders the Markdown on the form page, markup escaped, and
 * saves nothing, for a new document and an edit alike.
 */
START_TEST(test_preview_renders_markdown_and_saves_nothing)
{
	struct client *m = signed_in(MEMBER, member_pw);
	char *csrf = page_csrf(m, "/library/new"), *base, *v;
	long docs = num("SELECT count(*) FROM documents", NULL);
	long revs = num("SELECT count(*) FROM document_revisions", NULL);
	struct resp *r;

	r = http_post(m, "/library/new", "csrf", csrf, "title",
	    "Preview <b>me</b>", "category", "guide", "body",
	    "# Heading\n\nSome *emphasis* and <script>alert(1)</script>\n\n"
	    "[bad](javascript:alert(2))", "preview", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Preview: <span>Preview &lt;b&gt;me&lt;/b&gt;"
	    "</span>"));
	ck_assert(resp_has(r, "<h3>Heading</h3>"));
	ck_assert(resp_has(r, "<em>emphasis</em>"));
	ck_assert(!resp_has(r, "<script>alert(1)"));
	ck_assert(!resp_has(r, "href=\"javascript:"));
	/* The text stays in the form to go on with. */
	ck_assert(resp_has(r, "# Heading"));
	ck_assert(resp_has(r, ">Save the document</button>"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM documents", NULL), docs);
	ck_assert_int_eq(num("SELECT count(*) FROM document_revisions", NULL),
	    revs);

	/* Preview of an edit: the stored text unchanged. */
	create(m, "preview-edit", "Preview edit", "Stored text.\n");
	r = http_get(m, "/library/preview-edit/edit");
	base = form_field(r->body, "base");
	resp_free(r);
	r = http_post(m, "/library/preview-edit/edit", "csrf", csrf, "base",
	    base, "title", "Preview edit", "category", "toolkit", "body",
	    "Changed **text**.", "preview", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<strong>text</strong>"));
	ck_assert(resp_has(r, ">Save your changes</button>"));
	resp_free(r);
	v = text("SELECT body || '|' || revision FROM documents"
	    " WHERE slug = $1", "preview-edit");
	ck_assert_str_eq(v, "Stored text.|1");
	free(v);
	free(base);
	free(csrf);
	client_free(m);
}
END_TEST

/*
 * The library comes a page at a time; above it, what it is narrowed by,
 * with links removing each filter and clearing them all.
 */
START_TEST(test_library_pages_and_filter_summary)
{
	struct client *m = signed_in(MEMBER, member_pw);
	struct client *anon = client_new(node);
	char *csrf = page_csrf(m, "/library/new"), title[64];
	struct resp *r;
	int i;

	for (i = 1; i <= 22; i++) {
		snprintf(title, sizeof(title), "Paged guide %02d", i);
		r = http_post(m, "/library/new", "csrf", csrf, "title", title,
		    "category", "case_study", "tags", "paging", "body",
		    "Text.", NULL);
		ck_assert_int_eq(r->status, 303);
		resp_free(r);
	}
	r = http_get(anon, "/library?tag=paging&category=case_study");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Showing 22 documents: category "));
	ck_assert(resp_has(r, ", tag paging</strong>"));
	ck_assert(resp_has(r, "<a href=\"/library\">Clear filters</a>"));
	ck_assert(resp_has(r, "href=\"/library?tag=paging\" "
	    "class=\"filter-summary__remove\""));
	ck_assert(resp_has(r, "href=\"/library?category=case_study\" "
	    "class=\"filter-summary__remove\""));
	ck_assert(resp_has(r, "Paged guide 20"));
	ck_assert(!resp_has(r, "Paged guide 21"));
	ck_assert(resp_has(r, "Page 1 of 2"));
	ck_assert(resp_has(r, "rel=\"next\" href=\"/library?tag=paging&amp;"
	    "category=case_study&amp;page=2\""));
	resp_free(r);
	r = http_get(anon, "/library?tag=paging&category=case_study&page=2");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Paged guide 21"));
	ck_assert(resp_has(r, "Paged guide 22"));
	ck_assert(!resp_has(r, "Paged guide 20"));
	ck_assert(resp_has(r, "Page 2 of 2"));
	resp_free(r);
	free(csrf);
	client_free(m);
	client_free(anon);
}
END_TEST

/* A narrowed glossary says by what, with links removing each filter. */
START_TEST(test_glossary_filter_summary)
{
	struct client *anon = client_new(node);
	struct resp *r;

	r = http_get(anon, "/glossary");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Clear filters"));
	resp_free(r);
	r = http_get(anon, "/glossary?q=%3Cb%3Enowhere&region=London");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<strong>Showing 0 terms: search \xe2\x80\x9c"
	    "&lt;b&gt;nowhere\xe2\x80\x9d, region London</strong>"));
	ck_assert(resp_has(r, "<a href=\"/glossary\">Clear filters</a>"));
	ck_assert(resp_has(r, "href=\"/glossary?region=London\" "
	    "class=\"filter-summary__remove\""));
	ck_assert(resp_has(r, "href=\"/glossary?q=%3Cb%3Enowhere\" "
	    "class=\"filter-summary__remove\""));
	resp_free(r);
	client_free(anon);
}
END_TEST

/*
 * A long history comes a page at a time, newest first, and its compare
 * form still offers every revision.
 */
START_TEST(test_document_history_pages)
{
	struct client *m = signed_in(MEMBER, member_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char body[64], why[64];
	int i;

	create(m, "long-history", "Long history", "Version 1.\n");
	for (i = 2; i <= 22; i++) {
		snprintf(body, sizeof(body), "Version %d.\n", i);
		snprintf(why, sizeof(why), "Change number %d", i);
		edit(m, "long-history", body, why);
	}
	r = http_get(anon, "/library/long-history/history");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Change number 22"));
	ck_assert(resp_has(r, "Change number 3<"));
	ck_assert(!resp_has(r, "First draft"));
	ck_assert(resp_has(r, "Page 1 of 2"));
	ck_assert(resp_has(r, "<option value=\"1\">1</option>"));
	ck_assert(resp_has(r, "rel=\"next\" href=\"/library/long-history/"
	    "history?page=2\""));
	resp_free(r);
	r = http_get(anon, "/library/long-history/history?page=2");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Change number 2<"));
	ck_assert(resp_has(r, "First draft"));
	ck_assert(!resp_has(r, "Change number 22"));
	resp_free(r);
	client_free(m);
	client_free(anon);
}
END_TEST

Suite *
library_suite(void)
{
	Suite *s = suite_create("library");
	TCase *tc = tcase_create("library");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_create_and_edit_make_revisions_in_history);
	tcase_add_test(tc,
	    test_compare_shows_changed_lines_and_restore_brings_text_back);
	tcase_add_test(tc,
	    test_concurrent_saves_one_wins_one_conflicts_nothing_lost);
	tcase_add_test(tc,
	    test_protected_document_refused_to_member_allowed_to_coordinator);
	tcase_add_test(tc, test_search_finds_body_word_and_glossary_synonym);
	tcase_add_test(tc, test_markup_shown_as_text);
	tcase_add_test(tc, test_bad_slug_and_empty_title_refused_nothing_stored);
	tcase_add_test(tc, test_web_address_made_from_the_title);
	tcase_add_test(tc, test_preview_renders_markdown_and_saves_nothing);
	tcase_add_test(tc, test_library_pages_and_filter_summary);
	tcase_add_test(tc, test_glossary_filter_summary);
	tcase_add_test(tc, test_document_history_pages);
	tcase_add_test(tc, test_largest_document_entry_is_under_half_the_limit);
	suite_add_tcase(s, tc);

	/* A node of their own, so the glossary starts empty. */
	tc = tcase_create("glossary and links");
	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_terms_used_found_by_synonym_as_whole_words_only);
	tcase_add_test(tc,
	    test_pages_that_link_here_lists_links_to_this_page_only);
	tcase_add_test(tc,
	    test_glossary_definition_markup_shown_as_text_on_document);
	tcase_add_test(tc, test_demo_library_loads_and_toolkit_links_resolve);
	suite_add_tcase(s, tc);
	return s;
}
