/*
 * Helpers for more than one unit test file: tokens' alphabet, files in a
 * directory of their own, and the templates the template and chart tests
 * render.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "web.h"
#include "unit.h"

#define B64URL	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
		"0123456789-_"

int
only_b64url(const char *s)
{
	return strspn(s, B64URL) == strlen(s);
}

void
write_file(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	ck_assert_ptr_nonnull(path = util_printf("%s/%s", dir, name));
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	free(path);
}

void
remove_file(const char *dir, const char *name)
{
	char *path = util_printf("%s/%s", dir, name);

	if (path != NULL)
		unlink(path);
	free(path);
}

void
make_tempdir(char *buf, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, len, "%s/acorn-unit-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

/* The templates the template and chart tests render. */
static char	tdir[256];

static const struct {
	const char	*name;
	const char	*html;
} tfiles[] = {
	{ "layout.html",
	    "<!DOCTYPE html>\n<html lang=\"en-GB\"><head>"
	    "<meta charset=\"utf-8\"><title data-text=\"title\">Acorn</title>"
	    "</head>\n<body>"
	    "<header><span id=\"node\" data-text=\"node_name\">Node</span>"
	    "</header>\n<main id=\"main\" data-content><div data-if=\"notice\">"
	    "<em data-text=\"notice\">Layout notice</em></div>"
	    "</main>\n</body></html>\n" },
	{ "chart.html",
	    "<html><body><div data-each=\"charts\"><h2 data-text=\"chart_title\">"
	    "T</h2><svg role=\"img\" data-set-viewbox=\"viewbox\">"
	    "<g data-each=\"rows\"><text x=\"0\" data-set-y=\"label_y\" "
	    "data-text=\"row_label\">L</text><rect data-each=\"segments\" "
	    "data-set-x=\"x\" data-set-y=\"y\" data-set-width=\"width\" "
	    "data-set-height=\"height\" data-set-class=\"fill_class\">"
	    "<title data-text=\"tip\">tip</title></rect></g></svg>"
	    "<table><tr data-each=\"rows\"><th data-text=\"row_label\">L</th>"
	    "<td data-each=\"cells\" data-text=\"value\">0</td></tr></table>"
	    "</div></body></html>\n" },
	{ "chart_table.html",
	    "<html><body><div data-each=\"charts\"><svg role=\"img\" "
	    "data-set-aria-label=\"chart_summary\"></svg><table>"
	    "<tr data-each=\"rows\"><td data-each=\"cells\"><a "
	    "data-if=\"cell_href\" data-set-href=\"cell_href\" "
	    "data-text=\"value\">0</a><span data-unless=\"cell_href\" "
	    "data-text=\"value\">0</span></td></tr></table></div>"
	    "</body></html>\n" },
	{ "cells.html",
	    "<html><body><table><tr><td data-label=\"Name\" data-text=\"msg\">"
	    "x</td><td data-set-data-label=\"col\" data-foo=\"dropped\">y"
	    "</td></tr></table></body></html>\n" },
	{ "text.html",
	    "<html><body><p id=\"t\" data-text=\"msg\">Placeholder</p>"
	    "<p id=\"u\" data-text=\"unset\">Placeholder</p></body></html>\n" },
	{ "script.html",
	    "<html><body><script id=\"s\" data-text=\"code\">var ready = 1;"
	    "</script><style id=\"st\" data-text=\"code\">p { }</style>"
	    "</body></html>\n" },
	{ "link.html",
	    "<html><body><a id=\"l\" data-set-href=\"url\">Link</a>"
	    "<a id=\"keep\" href=\"/fixed\" data-set-href=\"unset\">Kept</a>"
	    "<form id=\"f\" method=\"post\" data-set-action=\"url\"></form>"
	    "</body></html>\n" },
	{ "form.html",
	    "<html><body><form>\n"
	    "<input id=\"i\" name=\"name\" data-set-value=\"v\">\n"
	    "<input id=\"c1\" type=\"checkbox\" data-checked=\"on1\">\n"
	    "<input id=\"c2\" type=\"checkbox\" checked data-checked=\"on2\">\n"
	    "<select id=\"sel\" name=\"group\" data-value=\"pick\">"
	    "<option value=\"\">Choose</option>"
	    "<option value=\"fixed\" selected>Fixed</option>"
	    "<option data-each=\"opts\" data-set-value=\"code\" "
	    "data-text=\"label\">Option</option></select>\n"
	    "<div id=\"d\" class=\"group\" data-add-class=\"group--error err\">"
	    "<input id=\"a\" "
	    "data-attr-if=\"aria-describedby hint err-msg err\">"
	    "</div>\n</form></body></html>\n" },
	{ "cond.html",
	    "<html><body><p id=\"yes\" data-if=\"flag\">Shown</p>"
	    "<p id=\"no\" data-unless=\"flag\">Other</p></body></html>\n" },
	{ "list.html",
	    "<html><body><ul><li data-each=\"people\"><b data-text=\"name\">N"
	    "</b>/<i data-text=\"region\">R</i></li></ul>\n"
	    "<dl><dd data-each=\"people\" data-if=\"listed\" "
	    "data-text=\"name\">N</dd></dl>\n"
	    "<p id=\"after\">After</p></body></html>\n" },
};

void
templates_setup(void)
{
	size_t i;

	make_tempdir(tdir, sizeof(tdir));
	for (i = 0; i < sizeof(tfiles) / sizeof(tfiles[0]); i++)
		write_file(tdir, tfiles[i].name, tfiles[i].html);
	ck_assert_int_eq(templates_load(tdir), 0);
}

void
templates_teardown(void)
{
	size_t i;

	templates_free();
	for (i = 0; i < sizeof(tfiles) / sizeof(tfiles[0]); i++)
		remove_file(tdir, tfiles[i].name);
	rmdir(tdir);
}

char *
render(const char *name, const struct view *v)
{
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(template_render(name, v, &out, &len), 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(strlen(out), len);
	return out;
}
