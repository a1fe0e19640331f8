/*
 * The compiled template engine against the tree walk it replaced: every
 * template in templates/ (and a set written to reach the directives'
 * corners) rendered with many views, each built the same way for both
 * engines, must come out byte for byte the same.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "web.h"
#include "old_template.h"
#include "unit.h"

/* A view built twice, once for each engine. */
struct pair {
	struct view	*v;
	struct old_view	*o;
};

/* The keys the templates name, and the values their options hold. */
struct names {
	char	**keys;
	size_t	  nkeys;
	char	**lists;		/* data-each's keys */
	size_t	  nlists;
	char	**values;
	size_t	  nvalues;
};

static void
add_name(char ***set, size_t *n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strlen((*set)[i]) == len && strncmp((*set)[i], s, len) == 0)
			return;
	ck_assert_ptr_nonnull(*set = realloc(*set, (*n + 1) * sizeof(**set)));
	ck_assert_ptr_nonnull((*set)[*n] = strndup(s, len));
	(*n)++;
}

/* The key a directive's value names: its last word for two of them. */
static void
scan_attr(struct names *nm, const char *name, size_t nlen, const char *val,
    size_t vlen)
{
	const char *sp;

	if (nlen == 5 && strncmp(name, "value", 5) == 0) {
		add_name(&nm->values, &nm->nvalues, val, vlen);
		return;
	}
	if (nlen < 5 || strncmp(name, "data-", 5) != 0 ||
	    (nlen == 10 && strncmp(name, "data-label", 10) == 0))
		return;
	if ((nlen == 14 && strncmp(name, "data-add-class", 14) == 0) ||
	    (nlen == 12 && strncmp(name, "data-attr-if", 12) == 0)) {
		for (sp = val + vlen; sp > val && sp[-1] != ' '; sp--)
			;
		vlen -= (size_t)(sp - val);
		val = sp;
	}
	if (nlen == 9 && strncmp(name, "data-each", 9) == 0)
		add_name(&nm->lists, &nm->nlists, val, vlen);
	add_name(&nm->keys, &nm->nkeys, val, vlen);
}

static void
scan_text(struct names *nm, const char *s)
{
	const char *name, *val;

	for (; *s != '\0'; s++) {
		if (*s != ' ' && *s != '\n' && *s != '\t')
			continue;
		name = ++s;
		while (*s == '-' || isalnum((unsigned char)*s))
			s++;
		if (s == name || s[0] != '=' || s[1] != '"') {
			s--;
			continue;
		}
		val = s + 2;
		if ((s = strchr(val, '"')) == NULL)
			return;
		scan_attr(nm, name, (size_t)(val - 2 - name), val,
		    (size_t)(s - val));
	}
}

/* The names in one file of dir. */
static void
scan_file(struct names *nm, const char *dir, const char *file)
{
	char *path, *text;
	size_t len;

	ck_assert_ptr_nonnull(path = util_printf("%s/%s", dir, file));
	ck_assert_int_eq(util_read_file(path, &text, &len, 1 << 22), 0);
	scan_text(nm, text);
	free(text);
	free(path);
}

/* The names in every part of dir (parts/, for data-include). */
static void
scan_parts(struct names *nm, const char *dir)
{
	struct dirent *de;
	char *path, *file;
	DIR *dp;

	ck_assert_ptr_nonnull(path = util_printf("%s/parts", dir));
	dp = opendir(path);
	free(path);
	if (dp == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strstr(de->d_name, ".html") == NULL)
			continue;
		ck_assert_ptr_nonnull(file = util_printf("parts/%s",
		    de->d_name));
		scan_file(nm, dir, file);
		free(file);
	}
	closedir(dp);
}

static void
names_free(struct names *nm)
{
	size_t i;

	for (i = 0; i < nm->nkeys; i++)
		free(nm->keys[i]);
	for (i = 0; i < nm->nlists; i++)
		free(nm->lists[i]);
	for (i = 0; i < nm->nvalues; i++)
		free(nm->values[i]);
	free(nm->keys);
	free(nm->lists);
	free(nm->values);
	memset(nm, 0, sizeof(*nm));
}

static uint32_t
next(uint32_t *rng)
{
	*rng ^= *rng << 13;
	*rng ^= *rng >> 17;
	*rng ^= *rng << 5;
	return *rng;
}

static const char *const texts[] = {
	"", "x", "Ann <Lee> & \"Bryn\"\r\n's", "/members?page=2&q=a b",
	"javascript:alert(1)", "https://node.example.org/m", "#main",
	"Gwenllïan ap Siôn — اردو \xf0\x9f\x8c\xb0", "gp", "vcse",
	"London", "group group--error", "  spaced  ",
};

static const char *const markdowns[] = {
	"# Hi\n\n*there* <script>x()</script> [a](javascript:x)",
	"plain", "", "- one\n- two & <three>",
};

/* A value from the templates' own, so options find their match. */
static const char *
pick_text(const struct names *nm, uint32_t *rng)
{
	uint32_t r = next(rng) % 100;

	if (r < 40 && nm->nvalues > 0)
		return nm->values[next(rng) % nm->nvalues];
	return texts[next(rng) % (sizeof(texts) / sizeof(texts[0]))];
}

static int
is_list(const struct names *nm, const char *key)
{
	size_t i;

	for (i = 0; i < nm->nlists; i++)
		if (strcmp(nm->lists[i], key) == 0)
			return 1;
	return 0;
}

static void	fill(struct pair, const struct names *, uint32_t *, int);

static void
fill_key(struct pair p, const struct names *nm, uint32_t *rng, int depth,
    const char *key)
{
	struct pair child;
	const char *s;
	uint32_t r = next(rng) % 100, i, n;

	/* Lists in lists, but not so many that the views explode. */
	if (is_list(nm, key) && depth < 3 && (depth == 0 ? r < 70 :
	    next(rng) % 100 < 30)) {
		n = next(rng) % 4;
		for (i = 0; i < n; i++) {
			child.v = view_add(p.v, key);
			child.o = old_view_add(p.o, key);
			ck_assert_int_eq(child.v == NULL, child.o == NULL);
			if (child.v != NULL)
				fill(child, nm, rng, depth + 1);
		}
		return;
	}
	if (r < 20)
		return;
	if (r < 55) {
		s = pick_text(nm, rng);
		view_set(p.v, key, s);
		old_view_set(p.o, key, s);
	} else if (r < 75) {
		n = next(rng) % 2;
		view_flag(p.v, key, (int)n);
		old_view_flag(p.o, key, (int)n);
	} else if (r < 82) {
		s = markdowns[next(rng) % (sizeof(markdowns) /
		    sizeof(markdowns[0]))];
		view_markdown(p.v, key, s, 2);
		old_view_markdown(p.o, key, s, 2);
	} else if (r < 85) {
		view_set(p.v, key, NULL);
		old_view_set(p.o, key, NULL);
	} else if (r < 90) {
		/* A long value, and the kind of a key changed after. */
		n = next(rng) % 2;
		view_setf(p.v, key, "%0300d<%s>", 7, key);
		old_view_setf(p.o, key, "%0300d<%s>", 7, key);
		view_flag(p.v, key, (int)n);
		old_view_flag(p.o, key, (int)n);
	} else {
		s = pick_text(nm, rng);
		view_setf(p.v, key, "%s", s);
		old_view_setf(p.o, key, "%s", s);
	}
}

/* A list's items set some keys of their own and leave the rest to p. */
static void
fill(struct pair p, const struct names *nm, uint32_t *rng, int depth)
{
	size_t i;

	for (i = 0; i < nm->nkeys; i++)
		if (depth == 0 || next(rng) % 100 < 40)
			fill_key(p, nm, rng, depth, nm->keys[i]);
}

/* Where two renderings part, for the failure message. */
static size_t
parting(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	for (i = 0; i < alen && i < blen && a[i] == b[i]; i++)
		;
	return i;
}

#define SEEDS	40

/* Renders every page of dir with SEEDS views and an empty one. */
static void
same_for_dir(const char *dir)
{
	struct names nm = { 0 };
	struct pair p;
	DIR *dp;
	struct dirent *de;
	char name[256], *a, *b;
	size_t alen, blen, len, at, pages = 0;
	uint32_t seed, rng;

	ck_assert_int_eq(templates_load(dir), 0);
	ck_assert_int_eq(old_templates_load(dir), 0);
	ck_assert_ptr_nonnull(dp = opendir(dir));
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".html") != 0 ||
		    strcmp(de->d_name, "layout.html") == 0 ||
		    len - 5 >= sizeof(name))
			continue;
		memcpy(name, de->d_name, len - 5);
		name[len - 5] = '\0';
		pages++;
		/* The keys the layout and this page name. */
		scan_file(&nm, dir, "layout.html");
		scan_parts(&nm, dir);
		scan_file(&nm, dir, de->d_name);
		for (seed = 0; seed <= SEEDS; seed++) {
			rng = 2463534242u + seed * 2654435761u;
			ck_assert_ptr_nonnull(p.v = view_new());
			ck_assert_ptr_nonnull(p.o = old_view_new());
			if (seed > 0)
				fill(p, &nm, &rng, 0);
			ck_assert_int_eq(template_render(name, p.v, &a, &alen),
			    0);
			ck_assert_int_eq(old_template_render(name, p.o, &b,
			    &blen), 0);
			at = parting(a, alen, b, blen);
			ck_assert_msg(alen == blen && at == alen,
			    "%s, seed %u: %zu and %zu bytes, differing at %zu:"
			    "\nnew: %.120s\nold: %.120s", name, seed, alen,
			    blen, at, a + (at > 40 ? at - 40 : 0),
			    b + (at > 40 ? at - 40 : 0));
			ck_assert_uint_eq(strlen(a), alen);
			free(a);
			free(b);
			view_free(p.v);
			old_view_free(p.o);
		}
		names_free(&nm);
	}
	closedir(dp);
	ck_assert_uint_gt(pages, 0);
	templates_free();
	old_templates_free();
}

START_TEST(test_every_template_renders_as_before)
{
	const char *top = getenv("ACORN_DATADIR");
	char *dir;

	if (top == NULL || *top == '\0')
		return;		/* run outside make check: nothing to read */
	ck_assert_ptr_nonnull(dir = util_printf("%s/templates", top));
	same_for_dir(dir);
	free(dir);
}
END_TEST

/* The directives' corners, which the site's own templates may not reach. */
static const struct {
	const char	*name;
	const char	*html;
} corners[] = {
	{ "layout.html", "<!DOCTYPE html>\n<!-- dropped -->\n<html lang=\"en\">"
	    "<head><meta charset=\"utf-8\"><title data-text=\"title\">T</title>"
	    "<style>p > a { content: \"&\" }</style></head><body class=\"b\" "
	    "id=\"top\"><main data-content><p data-if=\"notice\">N</p></main>"
	    "<script>if (a < b && c) x = \"<\";</script></body></html>\n" },
	{ "attrs.html", "<html><body>"
	    "<a class=\"fixed\" href=\"/x?a=1&amp;b=2\" data-set-href=\"url\" "
	    "data-set-class=\"cls\" title=\"t &quot;q&quot;\">L</a>"
	    "<div class=\"group\" data-add-class=\"group--error err\" "
	    "data-set-class=\"cls\" data-attr-if=\"class swapped err\">d</div>"
	    "<span data-add-class=\"only flag\">s</span>"
	    "<span data-add-class=\"noclass\">s</span>"
	    "<input aria-describedby=\"x\" data-attr-if=\"aria-describedby "
	    "hint err-msg err\" data-set-value=\"v\" value=\"own\">"
	    "<input data-attr-if=\"bad\"><input data-attr-if=\"two words\">"
	    "<input type=\"checkbox\" checked data-checked=\"flag\" "
	    "disabled>"
	    "<td data-label=\"Col\" data-set-data-label=\"col\" data-x=\"y\">"
	    "c</td><img src=\"/a.png\" data-set-src=\"url\" alt=\"\">"
	    "<form data-set-action=\"url\" data-set-formaction=\"url\" "
	    "data-set-poster=\"url\" data-set-cite=\"url\"></form>"
	    "<p data-if=\"flag\" data-unless=\"notice\" data-text=\"msg\">p</p>"
	    "<br data-text=\"msg\"><hr data-if=\"flag\">"
	    "<script data-text=\"msg\">kept()</script>"
	    "<style data-markdown=\"md\">x</style>"
	    "<div data-markdown=\"md\">m</div><div data-markdown=\"msg\">m</div>"
	    "<p data-text=\"md\">m</p>"
	    "</body></html>\n" },
	{ "select.html", "<html><body><form>"
	    "<select data-value=\"pick\"><option value=\"\">Choose</option>"
	    "<option value=\"gp\" selected>GP</option>"
	    "<option>no value</option>"
	    "<optgroup label=\"g\"><option value=\"vcse\">V</option>"
	    "<option data-each=\"opts\" data-set-value=\"code\" value=\"x\" "
	    "data-text=\"label\" data-if=\"flag\">O</option></optgroup>"
	    "<option data-attr-if=\"value London flag\" value=\"gp\">A</option>"
	    "<option class=\"c\" data-add-class=\"d flag\">B</option>"
	    "</select>"
	    "<select data-each=\"opts\" data-value=\"code\">"
	    "<option data-each=\"people\" data-set-value=\"name\">P</option>"
	    "<option value=\"London\">L</option></select>"
	    "<select><option value=\"gp\" selected>outside</option></select>"
	    "<div data-value=\"pick\"><option value=\"gp\">in a div</option>"
	    "<select data-value=\"code\"><option value=\"vcse\">inner</option>"
	    "</select></div>"
	    "</form></body></html>\n" },
	{ "lists.html", "<html><body>"
	    "<ul><li data-each=\"people\" data-unless=\"flag\" class=\"p\" "
	    "data-add-class=\"on flag\"><b data-text=\"name\">N</b>"
	    "<i data-each=\"opts\" data-text=\"msg\">I</i>"
	    "<em data-each=\"people\" data-text=\"name\">nested same</em>"
	    "</li></ul><ol><li data-each=\"opts\">"
	    "<span data-each=\"people\"><a data-set-href=\"url\" "
	    "data-text=\"code\">A</a></span></li></ol>"
	    "<p data-each=\"msg\">not a list</p>"
	    "<p id=\"after\" data-if=\"people\">After</p>"
	    "</body></html>\n" },
};

START_TEST(test_corners_render_as_before)
{
	char dir[256];
	size_t i;

	make_tempdir(dir, sizeof(dir));
	for (i = 0; i < sizeof(corners) / sizeof(corners[0]); i++)
		write_file(dir, corners[i].name, corners[i].html);
	same_for_dir(dir);
	for (i = 0; i < sizeof(corners) / sizeof(corners[0]); i++)
		remove_file(dir, corners[i].name);
	rmdir(dir);
}
END_TEST

/* A view much bigger than the arena's first block still holds. */
START_TEST(test_view_grows_past_its_first_block)
{
	struct view *v = view_new(), *it;
	char key[32], *out;
	int i;

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		view_setf(v, key, "%0500d", i);
		ck_assert_ptr_nonnull(it = view_add(v, "people"));
		view_set(it, "name", key);
	}
	ck_assert_int_eq(strlen(view_get(v, "k1999")), 500);
	ck_assert_str_eq(view_get(v, "k7") + 499, "7");
	out = render("list", v);
	ck_assert_ptr_nonnull(strstr(out, "<b>k1999</b>"));
	free(out);
	view_free(v);
}
END_TEST

Suite *
template_same_suite(void)
{
	Suite *s = suite_create("template_same");
	TCase *tc;

	tc = tcase_create("same");
	tcase_add_test(tc, test_every_template_renders_as_before);
	tcase_add_test(tc, test_corners_render_as_before);
	suite_add_tcase(s, tc);

	tc = tcase_create("arena");
	tcase_add_checked_fixture(tc, templates_setup, templates_teardown);
	tcase_add_test(tc, test_view_grows_past_its_first_block);
	suite_add_tcase(s, tc);
	return s;
}
