/*
 * Unit tests for what events share with the world: member-written
 * CommonMark rendered safely, the template's one way to show it, the
 * route matcher's "*.ics" segments, iCalendar lines and XML text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <check.h>
#include <cmark.h>

#include "web.h"
#include "pages.h"
#include "federation.h"
#include "routes.h"
#include "routes.h"

Suite	*markdown_suite(void);
Suite	*routes_suite(void);
Suite	*calendar_suite(void);

static char *
html(const char *md)
{
	char *out = markdown_html(md, 2);

	ck_assert_ptr_nonnull(out);
	return out;
}

/* No element, attribute or scheme a browser would act on. */
static void
assert_inert(const char *out)
{
	static const char *const bad[] = { "<script", "<img", "<iframe",
	    "<div", "<object", "<svg", "<style", "onerror", "onclick",
	    "onload", "javascript:", "vbscript:", "file:", "data:",
	    "href=\"\"", "<!--", NULL };
	size_t i;

	for (i = 0; bad[i] != NULL; i++)
		if (strcasestr(out, bad[i]) != NULL)
			ck_abort_msg("\"%s\" in %s", bad[i], out);
}

/* markdown.c */

START_TEST(test_markdown_drops_script)
{
	char *out = html("Before\n\n<script>alert(1)</script>\n\nAfter "
	    "<script>alert(2)</script> inline");

	/* The block goes whole; inline, only the tags go, as text stays. */
	assert_inert(out);
	ck_assert_str_eq(out, "<p>Before</p>\n<p>After alert(2) inline</p>\n");
	free(out);
}
END_TEST

START_TEST(test_markdown_drops_img_onerror)
{
	char *out = html("Look: <img src=x onerror=alert(1)> here\n\n"
	    "<img src=\"x\" onerror=\"alert(1)\">\n");

	assert_inert(out);
	ck_assert_str_eq(out, "<p>Look:  here</p>\n");
	free(out);
}
END_TEST

START_TEST(test_markdown_drops_raw_html_blocks)
{
	char *out = html("<div onclick=\"steal()\">\n\n*inside*\n\n</div>\n\n"
	    "<iframe src=\"https://evil.example/\"></iframe>\n\n"
	    "<!-- a comment -->\n\n<svg onload=alert(1)>\n\n"
	    "<style>body{display:none}</style>\n\nText");

	assert_inert(out);
	ck_assert_ptr_null(strstr(out, "steal"));
	ck_assert_ptr_null(strstr(out, "display:none"));
	ck_assert_ptr_nonnull(strstr(out, "<p><em>inside</em></p>"));
	ck_assert_ptr_nonnull(strstr(out, "<p>Text</p>"));
	free(out);
}
END_TEST

START_TEST(test_markdown_inline_html_keeps_only_its_text)
{
	char *out = html("Hello <b onclick=\"x()\">there</b> <span "
	    "style=\"color:red\">friend</span>");

	ck_assert_str_eq(out, "<p>Hello there friend</p>\n");
	free(out);
}
END_TEST

START_TEST(test_markdown_unsafe_links_keep_only_their_text)
{
	static const char *const md[] = {
		"[click](javascript:alert(1))",
		"[click](JaVaScRiPt:alert(1))",
		"[click](java&#x09;script:alert(1))",
		"[click](&#106;avascript:alert(1))",
		"[click](<javascript:alert(1)>)",
		"[click](vbscript:msgbox(1))",
		"[click](file:///etc/passwd)",
		"[click](data:text/html;base64,PHNjcmlwdD4=)",
		"[click](data:image/png;base64,iVBORw0KGgo=)",
		"[click][r]\n\n[r]: javascript:alert(1)",
		"![click](javascript:alert(1))",
		"[![click](data:image/png;base64,AAAA)](javascript:x)",
		NULL
	};
	size_t i;
	char *out;

	for (i = 0; md[i] != NULL; i++) {
		out = html(md[i]);
		assert_inert(out);
		ck_assert_msg(strstr(out, "href") == NULL, "%s gave %s",
		    md[i], out);
		ck_assert_msg(strstr(out, "click") != NULL, "%s lost its text",
		    md[i]);
		free(out);
	}
}
END_TEST

START_TEST(test_markdown_unsafe_autolink_is_text)
{
	char *out = html("<javascript:alert(1)>");

	ck_assert_ptr_null(strstr(out, "<a"));
	ck_assert_ptr_null(strstr(out, "href"));
	free(out);
}
END_TEST

START_TEST(test_markdown_renders_common_markdown)
{
	char *out = html("# Programme\n\nA *warm* **welcome** and `code`.\n\n"
	    "- coffee\n- talks\n\n1. first\n2. second\n\n"
	    "See [the network](https://example.org/a?b=1&c=2), "
	    "[email](mailto:hello@example.org), [events](/events) and "
	    "<https://example.org/auto>.\n\n> quoted\n");

	ck_assert_ptr_nonnull(strstr(out, "<h2>Programme</h2>"));
	ck_assert_ptr_nonnull(strstr(out, "<em>warm</em>"));
	ck_assert_ptr_nonnull(strstr(out, "<strong>welcome</strong>"));
	ck_assert_ptr_nonnull(strstr(out, "<code>code</code>"));
	ck_assert_ptr_nonnull(strstr(out, "<ul>\n<li>coffee</li>"));
	ck_assert_ptr_nonnull(strstr(out, "<ol>\n<li>first</li>"));
	ck_assert_ptr_nonnull(strstr(out,
	    "<a href=\"https://example.org/a?b=1&amp;c=2\">the network</a>"));
	ck_assert_ptr_nonnull(strstr(out,
	    "<a href=\"mailto:hello@example.org\">email</a>"));
	ck_assert_ptr_nonnull(strstr(out, "<a href=\"/events\">events</a>"));
	ck_assert_ptr_nonnull(strstr(out,
	    "<a href=\"https://example.org/auto\">"));
	ck_assert_ptr_nonnull(strstr(out, "<blockquote>"));
	free(out);
}
END_TEST

START_TEST(test_markdown_headings_never_outrank_the_page)
{
	char *out;

	out = html("# One\n\n## Two\n\n##### Five\n\n###### Six\n\nSetext\n==");
	ck_assert_ptr_null(strstr(out, "<h1"));
	ck_assert_ptr_nonnull(strstr(out, "<h2>One</h2>"));
	ck_assert_ptr_nonnull(strstr(out, "<h3>Two</h3>"));
	ck_assert_ptr_nonnull(strstr(out, "<h6>Five</h6>"));
	ck_assert_ptr_nonnull(strstr(out, "<h6>Six</h6>"));
	ck_assert_ptr_nonnull(strstr(out, "<h2>Setext</h2>"));
	free(out);
	/* A document page with no title of its own may start at h1. */
	ck_assert_ptr_nonnull(out = markdown_html("# One", 1));
	ck_assert_str_eq(out, "<h1>One</h1>\n");
	free(out);
}
END_TEST

START_TEST(test_markdown_escapes_text)
{
	char *out = html("Fish & chips < 5 > 3 \"quoted\" &amp;");

	ck_assert_str_eq(out, "<p>Fish &amp; chips &lt; 5 &gt; 3 "
	    "&quot;quoted&quot; &amp;</p>\n");
	free(out);
}
END_TEST

START_TEST(test_markdown_empty_and_null)
{
	char *out;

	ck_assert_ptr_nonnull(out = markdown_html(NULL, 2));
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_ptr_nonnull(out = markdown_text(NULL));
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

START_TEST(test_markdown_survives_deep_nesting)
{
	size_t n = 20000, i;
	char *md = malloc(n * 2 + 2), *out;

	ck_assert_ptr_nonnull(md);
	for (i = 0; i < n; i++) {
		md[2 * i] = i % 2 ? '>' : '-';
		md[2 * i + 1] = ' ';
	}
	md[2 * n] = 'x';
	md[2 * n + 1] = '\0';
	ck_assert_ptr_nonnull(out = markdown_html(md, 2));
	free(out);
	ck_assert_ptr_nonnull(out = markdown_text(md));
	free(out);
	free(md);
}
END_TEST

/*
 * What the library does by itself, so that a change of Debian's libcmark
 * is noticed: 0.30 leaves raw HTML out unless CMARK_OPT_UNSAFE, but lets
 * a data:image link through, which is why markdown.c cleans the tree
 * itself rather than trusting this default.
 */
START_TEST(test_libcmark_default_is_safe_but_not_enough)
{
	const char *md = "<script>x</script>\n\n[a](data:image/png;base64,AA)";
	char *out = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_DEFAULT);

	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_null(strstr(out, "<script"));
	ck_assert_ptr_nonnull(strstr(out, "raw HTML omitted"));
	ck_assert_ptr_nonnull(strstr(out, "href=\"data:image/png"));
	free(out);
	ck_assert_int_eq(CMARK_OPT_DEFAULT & CMARK_OPT_UNSAFE, 0);
}
END_TEST

START_TEST(test_markdown_text_is_plain)
{
	char *out = markdown_text("# Programme\n\nA *warm* welcome,\nsee "
	    "[the site](https://example.org) or <https://example.org/x>.\n\n"
	    "- coffee\n- talks\n  1. one\n  2. two\n\n<script>alert(1)"
	    "</script>\n\n[bad](javascript:alert(1)) <b>bold</b>\n");

	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "Programme\n\nA warm welcome, see the site "
	    "(https://example.org) or https://example.org/x.\n\n- coffee\n"
	    "- talks\n  1. one\n  2. two\n\nbad bold");
	free(out);
}
END_TEST

/* template.c: data-markdown */

static char	mdir[256];

static void
md_templates_setup(void)
{
	static const char *const files[][2] = {
		{ "layout.html", "<!DOCTYPE html>\n<html><head><title "
		    "data-text=\"title\">T</title></head><body><main "
		    "data-content></main></body></html>\n" },
		{ "desc.html", "<html><body><div id=\"d\" data-markdown=\"d\">"
		    "Placeholder</div><p id=\"t\" data-text=\"d\">P</p>"
		    "<script data-markdown=\"d\"></script></body></html>\n" },
	};
	const char *tmp = getenv("TMPDIR");
	char *path;
	FILE *f;
	size_t i;

	snprintf(mdir, sizeof(mdir), "%s/acorn-md-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(mdir));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		ck_assert_ptr_nonnull(path = util_printf("%s/%s", mdir,
		    files[i][0]));
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs(files[i][1], f);
		fclose(f);
		free(path);
	}
	ck_assert_int_eq(templates_load(mdir), 0);
}

static void
md_templates_teardown(void)
{
	char *path;

	templates_free();
	if ((path = util_printf("%s/layout.html", mdir)) != NULL)
		unlink(path);
	free(path);
	if ((path = util_printf("%s/desc.html", mdir)) != NULL)
		unlink(path);
	free(path);
	rmdir(mdir);
}

static char *
render_desc(struct view *v)
{
	char *out = NULL;
	size_t len;

	ck_assert_int_eq(template_render("desc", v, &out, &len), 0);
	return out;
}

START_TEST(test_template_markdown_inserts_rendered_html)
{
	struct view *v = view_new();
	char *out;

	view_markdown(v, "d", "# Hi\n\n*there* <script>x()</script>", 2);
	out = render_desc(v);
	ck_assert_ptr_nonnull(strstr(out,
	    "<div id=\"d\"><h2>Hi</h2>\n<p><em>there</em> x()</p>\n</div>"));
	/* Never as text, and never inside a script. */
	ck_assert_ptr_nonnull(strstr(out, "<p id=\"t\"></p>"));
	ck_assert_ptr_nonnull(strstr(out, "<script></script>"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_markdown_refuses_plain_text_values)
{
	struct view *v = view_new();
	char *out;

	/* HTML set as ordinary text can never become markup. */
	view_set(v, "d", "<b>bold</b>");
	out = render_desc(v);
	ck_assert_ptr_nonnull(strstr(out, "<div id=\"d\"></div>"));
	ck_assert_ptr_nonnull(strstr(out,
	    "<p id=\"t\">&lt;b&gt;bold&lt;/b&gt;</p>"));
	ck_assert_ptr_null(strstr(out, "<b>"));
	free(out);
	view_free(v);
}
END_TEST

/* routes.c */

#define UUID	"0b6f2a2e-6c1d-4a57-9a0e-3c2d1e0f9a8b"

static int
page_of(const char *url, char *arg)
{
	const struct route *rt = route_find(routes_table, routes_count, url,
	    arg, 128);

	return rt != NULL ? (int)(rt - routes_table) : -1;
}

START_TEST(test_routes_ics_suffix_in_a_segment)
{
	char arg[128];

	ck_assert_int_eq(page_of("/events/" UUID ".ics", arg), PAGE_EVENT_ICS);
	ck_assert_str_eq(arg, UUID);
	ck_assert_int_eq(page_of("/events.ics", arg), PAGE_EVENTS_ICS);
	ck_assert_str_eq(arg, "");
	ck_assert_int_eq(page_of("/feeds/events", arg), PAGE_FEED);
	ck_assert_str_eq(arg, "events");
	/* Nothing before the suffix: not a calendar. */
	ck_assert_int_ne(page_of("/events/.ics", arg), PAGE_EVENT_ICS);
	ck_assert_int_eq(page_of("/events/" UUID ".icsx", arg), PAGE_EVENT);
	ck_assert_int_eq(page_of("/events/" UUID ".ics/x", arg), -1);
}
END_TEST

START_TEST(test_routes_event_pages_still_match)
{
	char arg[128];

	ck_assert_int_eq(page_of("/events/new", arg), PAGE_EVENT_NEW);
	ck_assert_int_eq(page_of("/events", arg), PAGE_EVENTS);
	ck_assert_int_eq(page_of("/events/" UUID, arg), PAGE_EVENT);
	ck_assert_str_eq(arg, UUID);
	ck_assert_int_eq(page_of("/events/" UUID "/register", arg),
	    PAGE_EVENT_REGISTER);
	ck_assert_str_eq(arg, UUID);
	ck_assert_int_eq(page_of("/events/new.ics/register", arg),
	    PAGE_EVENT_REGISTER);
	ck_assert_str_eq(arg, "new.ics");
	ck_assert_int_eq(page_of("/static/acorn.css", arg), PAGE_STATIC);
	ck_assert_str_eq(arg, "acorn.css");
	ck_assert_int_eq(page_of("/events//register", arg), -1);
	ck_assert_int_eq(page_of("/events/a/b", arg), -1);
	ck_assert_int_eq(page_of("/nowhere", arg), -1);
	ck_assert_str_eq(arg, "");
}
END_TEST

START_TEST(test_routes_long_segment_is_not_found)
{
	char arg[128], url[400];

	memset(url, 'a', sizeof(url));
	memcpy(url, "/events/", 8);
	memcpy(url + sizeof(url) - 5, ".ics", 5);
	ck_assert_int_eq(page_of(url, arg), -1);
}
END_TEST

/* calendar.c */

START_TEST(test_calendar_escapes_text)
{
	char *l = calendar_line("SUMMARY", NULL,
	    "a,b;c\\d\ne\r\nf\rg\th\001i\177j");

	ck_assert_ptr_nonnull(l);
	ck_assert_str_eq(l, "SUMMARY:a\\,b\\;c\\\\d\\ne\\nf\\ng\thij\r\n");
	free(l);
}
END_TEST

/* Each physical line: at most 75 octets, whole UTF-8, CRLF-ended. */
static void
assert_folded(const char *l, const char *unfolded)
{
	const char *p = l, *e;
	char *joined = calloc(1, strlen(l) + 1);
	size_t n, first = 1;

	ck_assert_ptr_nonnull(joined);
	while (*p != '\0') {
		ck_assert_ptr_nonnull(e = strstr(p, "\r\n"));
		n = (size_t)(e - p);
		ck_assert_uint_le(n, 75);
		if (!first) {
			ck_assert_int_eq(*p, ' ');
			p++;
			n--;
		}
		ck_assert_msg(util_utf8_valid(p, n), "line split a character");
		strncat(joined, p, n);
		p = e + 2;
		first = 0;
	}
	ck_assert_str_eq(joined, unfolded);
	free(joined);
}

START_TEST(test_calendar_folds_at_75_octets)
{
	char value[400], *l;

	memset(value, 'x', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	ck_assert_ptr_nonnull(l = calendar_line("DESCRIPTION", NULL, value));
	ck_assert_int_eq(strcspn(l, "\r"), 75);
	{
		char want[420];

		snprintf(want, sizeof(want), "DESCRIPTION:%s", value);
		assert_folded(l, want);
	}
	free(l);
}
END_TEST

START_TEST(test_calendar_fold_never_splits_utf8)
{
	char value[800] = "", want[820], *l;
	int i, shift;

	/* Every alignment of a 4-, 3- and 2-octet character at the fold. */
	for (shift = 0; shift < 4; shift++) {
		memset(value, 0, sizeof(value));
		memset(value, 'a', (size_t)shift);
		for (i = 0; i < 40; i++)
			strcat(value, i % 3 == 0 ? "🌱" : i % 3 == 1 ? "ŵ" :
			    "€");
		ck_assert_ptr_nonnull(l = calendar_line("SUMMARY", NULL,
		    value));
		snprintf(want, sizeof(want), "SUMMARY:%s", value);
		assert_folded(l, want);
		free(l);
	}
}
END_TEST

START_TEST(test_event_where_never_has_a_link)
{
	char *w;

	ck_assert_ptr_nonnull(w = event_where("Manchester Central",
	    "Windmill Street\r\n\r\nManchester M2 3GX\n", 0));
	ck_assert_str_eq(w, "Manchester Central, Windmill Street, "
	    "Manchester M2 3GX");
	free(w);
	ck_assert_ptr_nonnull(w = event_where(NULL, NULL, 1));
	ck_assert_str_eq(w, "Online");
	free(w);
	ck_assert_ptr_nonnull(w = event_where("Town Hall", NULL, 1));
	ck_assert_str_eq(w, "Town Hall (or online)");
	free(w);
	ck_assert_ptr_nonnull(w = event_where(NULL, NULL, 0));
	ck_assert_str_eq(w, "");
	free(w);
}
END_TEST

/* feeds.c */

START_TEST(test_feed_xml_text_drops_what_xml_cannot_hold)
{
	char *s;

	ck_assert_ptr_nonnull(s = feed_xml_text("a\001b\013c\td\ne\rf"
	    "\xef\xbf\xbe" "g\xef\xbf\xbf" "h\xff" "i\xe2\x82" "j\xc0\xaf" "k"));
	ck_assert_str_eq(s, "abc\td\ne\rfghijk");
	free(s);
	ck_assert_ptr_nonnull(s = feed_xml_text("Gwenllïan 🌱 اردو €"));
	ck_assert_str_eq(s, "Gwenllïan 🌱 اردو €");
	free(s);
	ck_assert_ptr_nonnull(s = feed_xml_text(NULL));
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

Suite *
markdown_suite(void)
{
	Suite *s = suite_create("markdown");
	TCase *tc;

	tc = tcase_create("safety");
	tcase_add_test(tc, test_markdown_drops_script);
	tcase_add_test(tc, test_markdown_drops_img_onerror);
	tcase_add_test(tc, test_markdown_drops_raw_html_blocks);
	tcase_add_test(tc, test_markdown_inline_html_keeps_only_its_text);
	tcase_add_test(tc, test_markdown_unsafe_links_keep_only_their_text);
	tcase_add_test(tc, test_markdown_unsafe_autolink_is_text);
	tcase_add_test(tc, test_markdown_escapes_text);
	tcase_add_test(tc, test_markdown_survives_deep_nesting);
	tcase_add_test(tc, test_libcmark_default_is_safe_but_not_enough);
	suite_add_tcase(s, tc);

	tc = tcase_create("rendering");
	tcase_add_test(tc, test_markdown_renders_common_markdown);
	tcase_add_test(tc, test_markdown_headings_never_outrank_the_page);
	tcase_add_test(tc, test_markdown_empty_and_null);
	tcase_add_test(tc, test_markdown_text_is_plain);
	suite_add_tcase(s, tc);

	tc = tcase_create("template");
	tcase_add_checked_fixture(tc, md_templates_setup,
	    md_templates_teardown);
	tcase_add_test(tc, test_template_markdown_inserts_rendered_html);
	tcase_add_test(tc, test_template_markdown_refuses_plain_text_values);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
routes_suite(void)
{
	Suite *s = suite_create("routes");
	TCase *tc = tcase_create("match");

	tcase_add_test(tc, test_routes_ics_suffix_in_a_segment);
	tcase_add_test(tc, test_routes_event_pages_still_match);
	tcase_add_test(tc, test_routes_long_segment_is_not_found);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
calendar_suite(void)
{
	Suite *s = suite_create("calendar");
	TCase *tc = tcase_create("ical");

	tcase_add_test(tc, test_calendar_escapes_text);
	tcase_add_test(tc, test_calendar_folds_at_75_octets);
	tcase_add_test(tc, test_calendar_fold_never_splits_utf8);
	tcase_add_test(tc, test_event_where_never_has_a_link);
	tcase_add_test(tc, test_feed_xml_text_drops_what_xml_cannot_hold);
	suite_add_tcase(s, tc);
	return s;
}
