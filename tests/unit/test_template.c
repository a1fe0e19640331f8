/*
 * Unit tests for template.c: pages put into the layout, text escaped,
 * URLs and attributes kept safe, conditions, lists and form controls,
 * member-written markdown through data-markdown; and the stylesheet the
 * templates share.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "web.h"
#include "unit.h"

/* The output read back as a browser would, to look at attributes. */
static htmlDocPtr
reparse(const char *html)
{
	htmlDocPtr d;

	d = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	ck_assert_ptr_nonnull(d);
	return d;
}

static xmlNodePtr
by_id(xmlNodePtr n, const char *id)
{
	xmlNodePtr hit;
	xmlChar *v;
	int match;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		v = xmlGetProp(n, BAD_CAST "id");
		match = v != NULL && strcmp((char *)v, id) == 0;
		xmlFree(v);
		if (match)
			return n;
		if ((hit = by_id(n->children, id)) != NULL)
			return hit;
	}
	return NULL;
}

static int
has_id(const char *html, const char *id)
{
	htmlDocPtr d = reparse(html);
	int found = by_id(xmlDocGetRootElement(d), id) != NULL;

	xmlFreeDoc(d);
	return found;
}

/* Attribute a of element #id as a browser sees it, malloc'd, or NULL. */
static char *
attr_of(const char *html, const char *id, const char *a)
{
	htmlDocPtr d = reparse(html);
	xmlNodePtr n = by_id(xmlDocGetRootElement(d), id);
	xmlAttrPtr p;
	xmlChar *v;
	char *s = NULL;

	ck_assert_msg(n != NULL, "no element #%s", id);
	if ((p = xmlHasProp(n, BAD_CAST a)) != NULL) {
		v = xmlNodeGetContent((xmlNodePtr)p);
		s = strdup(v != NULL ? (char *)v : "");
		xmlFree(v);
	}
	xmlFreeDoc(d);
	return s;
}

static void
assert_attr(const char *html, const char *id, const char *a,
    const char *want)
{
	char *got = attr_of(html, id, a);

	ck_assert_pstr_eq(got, want);
	free(got);
}

static void
collect(xmlNodePtr n, const char *tag, int selected, char *buf, size_t len)
{
	xmlChar *v;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcasecmp(n->name, BAD_CAST tag) == 0 &&
		    (!selected || xmlHasProp(n, BAD_CAST "selected") != NULL)) {
			v = selected ? xmlGetProp(n, BAD_CAST "value") :
			    xmlNodeGetContent(n);
			if (*buf != '\0')
				strncat(buf, "|", len - strlen(buf) - 1);
			strncat(buf, v != NULL ? (char *)v : "",
			    len - strlen(buf) - 1);
			xmlFree(v);
		}
		collect(n->children, tag, selected, buf, len);
	}
}

/* The text of every <tag>, joined with '|'. */
static void
texts_of(const char *html, const char *tag, char *buf, size_t len)
{
	htmlDocPtr d = reparse(html);

	*buf = '\0';
	collect(xmlDocGetRootElement(d), tag, 0, buf, len);
	xmlFreeDoc(d);
}

/* The values of the selected options, joined with '|'. */
static void
selected_of(const char *html, char *buf, size_t len)
{
	htmlDocPtr d = reparse(html);

	*buf = '\0';
	collect(xmlDocGetRootElement(d), "option", 1, buf, len);
	xmlFreeDoc(d);
}

/* A cell's column name is written out as it stands or from the view. */
START_TEST(test_cells_keep_their_column_names)
{
	struct view *v = view_new();
	char *out;

	view_set(v, "msg", "Ada");
	view_set(v, "col", "Revision <2>");
	out = render("cells", v);
	ck_assert_ptr_nonnull(strstr(out, "<td data-label=\"Name\">Ada</td>"));
	ck_assert_ptr_nonnull(strstr(out, "<td data-label=\"Revision &lt;2&gt;\">"
	    "y</td>"));
	ck_assert_ptr_null(strstr(out, "data-foo"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_puts_page_into_layout)
{
	struct view *v = view_new();
	char *out, buf[256];

	view_set(v, "title", "Members");
	view_set(v, "node_name", "Acorn London");
	view_set(v, "msg", "Hello");
	out = render("text", v);
	/* What the layout's slot holds is kept, before the page. */
	ck_assert_ptr_null(strstr(out, "Layout notice"));
	ck_assert_ptr_nonnull(strstr(out, "<!DOCTYPE html>"));
	texts_of(out, "title", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Members");
	texts_of(out, "main", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Hello");
	texts_of(out, "header", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Acorn London");
	/* The template's own instructions never reach the browser. */
	ck_assert_ptr_null(strstr(out, "data-"));
	free(out);
	view_set(v, "notice", "Saved");
	out = render("text", v);
	ck_assert_ptr_nonnull(strstr(out, "Saved"));
	ck_assert_ptr_nonnull(strstr(out, "Hello"));
	ck_assert(strstr(out, "Saved") < strstr(out, "Hello"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_escapes_text)
{
	struct view *v = view_new();
	char *out, buf[256];

	view_set(v, "msg", "<script>alert(\"x\")</script> & 'quotes'");
	out = render("text", v);
	ck_assert_ptr_null(strstr(out, "<script"));
	ck_assert_ptr_nonnull(strstr(out, "&lt;script&gt;"));
	ck_assert_ptr_nonnull(strstr(out, "&amp; "));
	texts_of(out, "p", buf, sizeof(buf));
	/* The browser sees exactly the text that was set. */
	ck_assert_str_eq(buf, "<script>alert(\"x\")</script> & 'quotes'|");
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_text_unset_empties_element)
{
	struct view *v = view_new();
	char *out;

	out = render("text", v);
	ck_assert_ptr_null(strstr(out, "Placeholder"));
	ck_assert_int_eq(has_id(out, "u"), 1);
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_keeps_utf8_text)
{
	static const char name[] =
	    "Gwenllïan ap Siôn — اردو \xf0\x9f\x8c\xb0";
	struct view *v = view_new();
	char *out;

	view_set(v, "msg", name);
	out = render("text", v);
	ck_assert_ptr_nonnull(strstr(out, name));
	ck_assert_ptr_null(strstr(out, "&#"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_refuses_text_in_script)
{
	struct view *v = view_new();
	char *out;

	view_set(v, "code", "alert(document.cookie)");
	out = render("script", v);
	ck_assert_ptr_null(strstr(out, "alert"));
	ck_assert_ptr_null(strstr(out, "var ready"));
	ck_assert_int_eq(has_id(out, "s"), 1);
	ck_assert_int_eq(has_id(out, "st"), 1);
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_href_refuses_javascript)
{
	static const char *const bad[] = {
		"javascript:alert(1)", "JaVaScRiPt:alert(1)",
		" JaVaScRiPt:alert(1)", "\tjavascript:alert(1)",
		"  \n javascript:alert(1)", "java\tscript:alert(1)",
		"vbscript:msgbox(1)",
		"data:text/html,<script>alert(1)</script>",
		"javascript:alert(1)//http://example.org/",
	};
	struct view *v;
	char *out;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = view_new();
		view_set(v, "url", bad[i]);
		out = render("link", v);
		assert_attr(out, "l", "href", "#");
		assert_attr(out, "f", "action", "#");
		ck_assert_msg(strstr(out, "alert") == NULL &&
		    strstr(out, "msgbox") == NULL, "%s reached the page",
		    bad[i]);
		free(out);
		view_free(v);
	}
}
END_TEST

START_TEST(test_template_href_keeps_safe_urls)
{
	static const char *const good[] = {
		"/members", "/members?page=2", "https://node.example.org/m",
		"http://example.org/", "mailto:ann@example.org", "#main",
		"member/6f1c2b3a",
	};
	struct view *v;
	char *out;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = view_new();
		view_set(v, "url", good[i]);
		out = render("link", v);
		assert_attr(out, "l", "href", good[i]);
		free(out);
		view_free(v);
	}
	/* An unset key leaves the template's own attribute alone. */
	v = view_new();
	out = render("link", v);
	assert_attr(out, "keep", "href", "/fixed");
	assert_attr(out, "l", "href", NULL);
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_value_attribute_holds_quotes)
{
	static const char tricky[] =
	    "x\" onfocus=\"alert(1)\" a='b' <i>&amp;";
	struct view *v = view_new();
	char *out;

	view_set(v, "v", tricky);
	out = render("form", v);
	assert_attr(out, "i", "value", tricky);
	assert_attr(out, "i", "onfocus", NULL);
	assert_attr(out, "i", "a", NULL);
	ck_assert_ptr_null(strstr(out, "<i>"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_if_and_unless)
{
	struct view *v = view_new();
	char *out;

	view_flag(v, "flag", 1);
	out = render("cond", v);
	ck_assert_int_eq(has_id(out, "yes"), 1);
	ck_assert_int_eq(has_id(out, "no"), 0);
	free(out);

	view_flag(v, "flag", 0);
	out = render("cond", v);
	ck_assert_int_eq(has_id(out, "yes"), 0);
	ck_assert_int_eq(has_id(out, "no"), 1);
	free(out);

	/* Text counts as true when it is not empty. */
	view_set(v, "flag", "");
	out = render("cond", v);
	ck_assert_int_eq(has_id(out, "yes"), 0);
	free(out);
	view_set(v, "flag", "yes");
	out = render("cond", v);
	ck_assert_int_eq(has_id(out, "yes"), 1);
	ck_assert_int_eq(has_id(out, "no"), 0);
	free(out);
	view_free(v);

	/* And an unknown key is false. */
	v = view_new();
	out = render("cond", v);
	ck_assert_int_eq(has_id(out, "yes"), 0);
	ck_assert_int_eq(has_id(out, "no"), 1);
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_each_repeats_with_parent_fallback)
{
	struct view *v = view_new(), *it;
	char *out, buf[256];

	view_set(v, "region", "London");
	it = view_add(v, "people");
	view_set(it, "name", "Ann <Lee>");
	view_flag(it, "listed", 1);
	it = view_add(v, "people");
	view_set(it, "name", "Bryn");
	view_set(it, "region", "Wales");
	it = view_add(v, "people");
	view_set(it, "name", "Chidi");
	view_flag(it, "listed", 1);
	out = render("list", v);
	texts_of(out, "li", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Ann <Lee>/London|Bryn/Wales|Chidi/London");
	/* A condition on the repeated element is asked of each item. */
	texts_of(out, "dd", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Ann <Lee>|Chidi");
	ck_assert_int_eq(has_id(out, "after"), 1);
	ck_assert_ptr_null(strstr(out, "data-"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_each_with_no_items_leaves_nothing)
{
	struct view *v = view_new();
	char *out, buf[64];

	out = render("list", v);
	texts_of(out, "li", buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	ck_assert_ptr_null(strstr(out, "<li"));
	ck_assert_int_eq(has_id(out, "after"), 1);
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_checked_follows_flag)
{
	struct view *v = view_new();
	char *out, *checked;

	view_flag(v, "on1", 1);
	view_flag(v, "on2", 0);
	out = render("form", v);
	checked = attr_of(out, "c1", "checked");
	ck_assert_ptr_nonnull(checked);
	free(checked);
	assert_attr(out, "c2", "checked", NULL);
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_value_selects_option_from_each)
{
	struct view *v = view_new(), *it;
	char *out, buf[128];

	it = view_add(v, "opts");
	view_set(it, "code", "gp");
	view_set(it, "label", "GP or primary care");
	it = view_add(v, "opts");
	view_set(it, "code", "vcse");
	view_set(it, "label", "Voluntary and community sector");
	view_set(v, "pick", "vcse");
	out = render("form", v);
	/* One selection only: the template's own one is taken away. */
	selected_of(out, buf, sizeof(buf));
	ck_assert_str_eq(buf, "vcse");
	texts_of(out, "option", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Choose|Fixed|GP or primary care|"
	    "Voluntary and community sector");
	free(out);

	view_set(v, "pick", "nobody");
	out = render("form", v);
	selected_of(out, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_add_class_and_attr_if)
{
	struct view *v = view_new();
	char *out;

	out = render("form", v);
	assert_attr(out, "d", "class", "group");
	assert_attr(out, "a", "aria-describedby", NULL);
	free(out);

	view_set(v, "err", "Enter your full name");
	out = render("form", v);
	assert_attr(out, "d", "class", "group group--error");
	assert_attr(out, "a", "aria-describedby", "hint err-msg");
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_copies_per_render)
{
	struct view *v = view_new();
	char *out;

	view_set(v, "msg", "first visitor's secret");
	out = render("text", v);
	free(out);
	view_free(v);
	v = view_new();
	view_set(v, "msg", "second");
	out = render("text", v);
	ck_assert_ptr_null(strstr(out, "first visitor"));
	ck_assert_ptr_nonnull(strstr(out, "second"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_unknown_name_fails)
{
	struct view *v = view_new();
	char *out = (char *)"untouched";
	size_t len = 0;

	ck_assert_int_eq(template_render("no_such_page", v, &out, &len), -1);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(template_render("layout", v, &out, &len), -1);
	view_free(v);
}
END_TEST

START_TEST(test_templates_load_needs_layout)
{
	char dir[256];

	/* Runs after the fixture's load: the earlier set is dropped first. */
	templates_free();
	make_tempdir(dir, sizeof(dir));
	write_file(dir, "page.html", "<html><body><p>x</p></body></html>");
	ck_assert_int_eq(templates_load(dir), -1);
	remove_file(dir, "page.html");
	rmdir(dir);
}
END_TEST

/*
 * data-include: a page's element filled with a part's body when the
 * templates load, its directives live; a missing part, a name that is
 * not a plain one, or a part that includes another stops the load.
 */
START_TEST(test_templates_include_parts)
{
	static const char layout[] = "<!DOCTYPE html>\n<html><head><title"
	    " data-text=\"title\">T</title></head><body><main data-content>"
	    "</main></body></html>\n";
	char dir[256], parts[300], *out = NULL;
	struct view *v;
	size_t len;

	templates_free();
	make_tempdir(dir, sizeof(dir));
	snprintf(parts, sizeof(parts), "%s/parts", dir);
	ck_assert_int_eq(mkdir(parts, 0700), 0);
	write_file(dir, "layout.html", layout);
	write_file(parts, "greeting.html", "<html><body><p class=\"g\""
	    " data-text=\"who\">Someone</p><p data-if=\"late\">Late</p>"
	    "</body></html>\n");
	write_file(dir, "page.html", "<html><body><div id=\"box\""
	    " data-include=\"greeting\">Replaced</div></body></html>\n");
	ck_assert_int_eq(templates_load(dir), 0);
	v = view_new();
	view_set(v, "who", "Ann <Lee>");
	ck_assert_int_eq(template_render("page", v, &out, &len), 0);
	ck_assert_ptr_nonnull(strstr(out, "<div id=\"box\"><p class=\"g\">"
	    "Ann &lt;Lee&gt;</p></div>"));
	ck_assert_ptr_null(strstr(out, "Replaced"));
	ck_assert_ptr_null(strstr(out, "Late"));
	ck_assert_ptr_null(strstr(out, "data-include"));
	free(out);
	view_free(v);
	templates_free();

	write_file(dir, "page.html", "<html><body><div"
	    " data-include=\"nowhere\"></div></body></html>\n");
	ck_assert_int_eq(templates_load(dir), -1);
	templates_free();
	write_file(dir, "page.html", "<html><body><div"
	    " data-include=\"../layout\"></div></body></html>\n");
	ck_assert_int_eq(templates_load(dir), -1);
	templates_free();
	write_file(parts, "loop.html", "<html><body><p"
	    " data-include=\"loop\"></p></body></html>\n");
	write_file(dir, "page.html", "<html><body><div"
	    " data-include=\"loop\"></div></body></html>\n");
	ck_assert_int_eq(templates_load(dir), -1);
	templates_free();

	remove_file(parts, "greeting.html");
	remove_file(parts, "loop.html");
	rmdir(parts);
	remove_file(dir, "page.html");
	remove_file(dir, "layout.html");
	rmdir(dir);
}
END_TEST

/* data-markdown, in a set of templates of its own. */

static char	mdir[256];

static const struct {
	const char	*name;
	const char	*html;
} mdfiles[] = {
	{ "layout.html", "<!DOCTYPE html>\n<html><head><title "
	    "data-text=\"title\">T</title></head><body><main "
	    "data-content></main></body></html>\n" },
	{ "desc.html", "<html><body><div id=\"d\" data-markdown=\"d\">"
	    "Placeholder</div><p id=\"t\" data-text=\"d\">P</p>"
	    "<script data-markdown=\"d\"></script></body></html>\n" },
};

static void
md_templates_setup(void)
{
	size_t i;

	make_tempdir(mdir, sizeof(mdir));
	for (i = 0; i < sizeof(mdfiles) / sizeof(mdfiles[0]); i++)
		write_file(mdir, mdfiles[i].name, mdfiles[i].html);
	ck_assert_int_eq(templates_load(mdir), 0);
}

static void
md_templates_teardown(void)
{
	size_t i;

	templates_free();
	for (i = 0; i < sizeof(mdfiles) / sizeof(mdfiles[0]); i++)
		remove_file(mdir, mdfiles[i].name);
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

/*
 * A block left open swallows every rule after it into the block's media
 * query: the charts lost their colours on narrow screens that way.
 */
START_TEST(test_stylesheet_every_block_closes)
{
	const char *dir = getenv("ACORN_DATADIR");
	char *path, *css, *p;
	size_t len;
	long depth = 0;

	if (dir == NULL || *dir == '\0')
		return;		/* run outside make check: nothing to read */
	path = util_printf("%s/templates/static/acorn.css", dir);
	ck_assert_ptr_nonnull(path);
	ck_assert_int_eq(util_read_file(path, &css, &len, 1 << 20), 0);
	for (p = css; *p != '\0'; p++) {
		if (p[0] == '/' && p[1] == '*') {
			ck_assert_ptr_nonnull(p = strstr(p + 2, "*/"));
			p++;
		} else if (*p == '{')
			depth++;
		else if (*p == '}')
			ck_assert_int_ge(--depth, 0);
	}
	ck_assert_int_eq(depth, 0);
	free(css);
	free(path);
}
END_TEST

Suite *
template_suite(void)
{
	Suite *s = suite_create("template");
	TCase *tc;

	tc = tcase_create("render");
	tcase_add_checked_fixture(tc, templates_setup, templates_teardown);
	tcase_add_test(tc, test_cells_keep_their_column_names);
	tcase_add_test(tc, test_template_puts_page_into_layout);
	tcase_add_test(tc, test_template_escapes_text);
	tcase_add_test(tc, test_template_text_unset_empties_element);
	tcase_add_test(tc, test_template_keeps_utf8_text);
	tcase_add_test(tc, test_template_refuses_text_in_script);
	tcase_add_test(tc, test_template_href_refuses_javascript);
	tcase_add_test(tc, test_template_href_keeps_safe_urls);
	tcase_add_test(tc, test_template_value_attribute_holds_quotes);
	tcase_add_test(tc, test_template_if_and_unless);
	tcase_add_test(tc, test_template_each_repeats_with_parent_fallback);
	tcase_add_test(tc, test_template_each_with_no_items_leaves_nothing);
	tcase_add_test(tc, test_template_checked_follows_flag);
	tcase_add_test(tc, test_template_value_selects_option_from_each);
	tcase_add_test(tc, test_template_add_class_and_attr_if);
	tcase_add_test(tc, test_template_copies_per_render);
	tcase_add_test(tc, test_template_unknown_name_fails);
	tcase_add_test(tc, test_templates_load_needs_layout);
	suite_add_tcase(s, tc);

	tc = tcase_create("markdown");
	tcase_add_checked_fixture(tc, md_templates_setup,
	    md_templates_teardown);
	tcase_add_test(tc, test_template_markdown_inserts_rendered_html);
	tcase_add_test(tc, test_template_markdown_refuses_plain_text_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("include");
	tcase_add_test(tc, test_templates_include_parts);
	suite_add_tcase(s, tc);

	tc = tcase_create("stylesheet");
	tcase_add_test(tc, test_stylesheet_every_block_closes);
	suite_add_tcase(s, tc);
	return s;
}
