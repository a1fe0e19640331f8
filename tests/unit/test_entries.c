/*
 * How large an entry can be: the largest document, evaluation and
 * glossary term the forms take, written in the worst way their
 * characters can be escaped, against FED_MAX_ENTRY (docs/protocol.md,
 * section 9).  A node must never write an entry its peers refuse, so
 * each must fit with room to spare, and a page of FED_PAGE_BYTES must
 * always have room for one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libxml/tree.h>

#include "web.h"
#include "federation.h"
#include "atom.h"
#include "fed_internal.h"
#include "unit.h"

/*
 * The most bytes one character can take, canonical (the form whose
 * length FED_MAX_ENTRY limits): in text "&" is "&amp;" and a CR
 * "&#xD;"; in an attribute '"' is "&quot;".  test_escaping_is_at_most
 * holds these against what the writer and C14N really do.
 */
#define TEXT_BYTES	5
#define ATTR_BYTES	6

/*
 * What an entry holds beside what people typed: its elements, the
 * address of the node in every link, atom:source and the signature with
 * its key name, generously.  And the markup around each repeated item
 * (a tag's category and acorn:tag, an outcome, a synonym).
 */
#define ENVELOPE	(16 * 1024)
#define PER_ITEM	(300 + 500)	/* markup, and a public_url of 500 */

/* Room to spare: the largest entry stays under half the limit. */
#define SPARE_LIMIT	(FED_MAX_ENTRY / 2)

/* Where a field typed in a form goes in an entry, and how often. */
struct use {
	enum key	 key;
	int		 text;		/* times as text */
	int		 attr;		/* times in an attribute */
};

static long
uses_bytes(const struct use *u, size_t n)
{
	long total = 0;
	size_t i;

	for (i = 0; i < n; i++)
		total += (long)form_key_max(u[i].key) *
		    (u[i].text * TEXT_BYTES + u[i].attr * ATTR_BYTES);
	return total;
}

/* Items in a list of max characters, at least two characters each. */
static long
items(enum key k)
{
	return ((long)form_key_max(k) + 1) / 2;
}

/*
 * Content for feed readers made from Markdown: the HTML up to
 * FED_READER_HTML bytes, escaped, or else the Markdown as text.
 */
static long
reader_content(enum key k)
{
	long html = FED_READER_HTML * TEXT_BYTES;
	long text = (long)form_key_max(k) * TEXT_BYTES;

	return html > text ? html : text;
}

/*
 * A document: the title as atom:title and acorn:title, the slug in the
 * alternate link and acorn:slug, the category as a category and
 * acorn:category, each tag as a category and acorn:tag, and the body
 * once, as the content.
 */
static long
largest_document(void)
{
	static const struct use u[] = {
		{ KEY_TITLE, 2, 0 }, { KEY_SLUG, 1, 1 },
		{ KEY_CATEGORY, 1, 2 }, { KEY_TAGS, 1, 2 },
		{ KEY_BODY, 1, 0 },
	};

	return ENVELOPE + uses_bytes(u, sizeof(u) / sizeof(u[0])) +
	    items(KEY_TAGS) * PER_ITEM;
}

/*
 * An evaluation: its summary as acorn:summary and in the content, each
 * outcome's measure and figure as attributes (in the content too, which
 * reader_content bounds as a whole).
 */
static long
largest_evaluation(void)
{
	static const struct use u[] = {
		{ KEY_TITLE, 2, 0 }, { KEY_SCHEME, 1, 0 }, { KEY_AREA, 1, 0 },
		{ KEY_REGION, 2, 0 }, { KEY_YEAR, 2, 0 },
		{ KEY_DESIGN, 1, 2 }, { KEY_SAMPLE_SIZE, 2, 0 },
		{ KEY_FOLLOW_UP, 2, 0 }, { KEY_ABSTRACT, 1, 0 },
	};
	long outcomes = 0;
	size_t i;

	for (i = 0; outcome_codes[i] != NULL; i++)
		outcomes += PER_ITEM + (long)(form_key_max(KEY_OUTCOME) +
		    form_key_max(KEY_DIRECTION) +
		    form_key_max(KEY_WELLBEING_MEASURE) +
		    form_key_max(KEY_WELLBEING_FIGURE)) * ATTR_BYTES;
	return ENVELOPE + uses_bytes(u, sizeof(u) / sizeof(u[0])) +
	    outcomes + reader_content(KEY_ABSTRACT);
}

/*
 * A glossary term: the term as atom:title and acorn:term, the other
 * names in the summary and one acorn:synonym each, and the definition
 * as acorn:definition and in the content.
 */
static long
largest_term(void)
{
	static const struct use u[] = {
		{ KEY_TERM, 2, 0 }, { KEY_SYNONYMS, 2, 0 },
		{ KEY_DEFINITION, 1, 0 },
	};

	return ENVELOPE + uses_bytes(u, sizeof(u) / sizeof(u[0])) +
	    items(KEY_SYNONYMS) * PER_ITEM + reader_content(KEY_DEFINITION);
}

START_TEST(test_largest_entries_fit_with_room_to_spare)
{
	long doc = largest_document(), eval = largest_evaluation();
	long term = largest_term();

	ck_assert_msg(doc <= SPARE_LIMIT, "a document can take %ld bytes", doc);
	ck_assert_msg(eval <= SPARE_LIMIT, "an evaluation can take %ld bytes",
	    eval);
	ck_assert_msg(term <= SPARE_LIMIT, "a term can take %ld bytes", term);
	/* A document's body of the most characters, once, is most of it. */
	ck_assert_int_ge(doc, (long)form_key_max(KEY_BODY) * TEXT_BYTES);
	ck_assert_int_lt(doc, 2L * (long)form_key_max(KEY_BODY) * TEXT_BYTES);
}
END_TEST

START_TEST(test_a_page_always_has_room_for_an_entry)
{
	/* The largest entry a peer takes, and the feed around it. */
	ck_assert_int_ge(FED_PAGE_BYTES, FED_MAX_ENTRY + 64 * 1024);
	/* Every page served is well inside what a puller takes. */
	ck_assert_int_le(FED_PAGE_BYTES, FED_MAX_FEED / 2);
}
END_TEST

/* The canonical bytes of an entry written by w with value. */
static long
written(void (*w)(struct atom *, const char *), const char *value)
{
	struct atom a;
	xmlDocPtr doc;
	char *xml, *c14n;
	long len;

	ck_assert_int_eq(atom_open(&a), 0);
	atom_entry_start(&a);
	w(&a, value);
	atom_end(&a);
	ck_assert_ptr_nonnull(xml = atom_close(&a));
	ck_assert_ptr_nonnull(doc = xmlReadMemory(xml, (int)strlen(xml), NULL,
	    NULL, XML_PARSE_NONET));
	ck_assert_ptr_nonnull(c14n = fed_c14n(doc));
	len = (long)strlen(c14n);
	free(c14n);
	xmlFreeDoc(doc);
	free(xml);
	return len;
}

static void
as_text(struct atom *a, const char *s)
{
	atom_text(a, "title", s);
}

static void
as_attr(struct atom *a, const char *s)
{
	atom_category(a, s, NULL, NULL);
}

START_TEST(test_escaping_is_at_most)
{
	/* Every ASCII character XML holds, and a four-byte one. */
	char one[8];
	long base_text = written(as_text, ""), base_attr = written(as_attr, "");
	int c;

	for (c = 1; c <= 128; c++) {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			continue;
		if (c == 128)
			snprintf(one, sizeof(one), "\xf0\x9f\x8c\xb3");
		else
			snprintf(one, sizeof(one), "%c", c);
		ck_assert_int_le(written(as_text, one) - base_text,
		    TEXT_BYTES);
		ck_assert_int_le(written(as_attr, one) - base_attr, ATTR_BYTES);
	}
}
END_TEST

/*
 * Markdown that grows many times over into HTML (one long link, used
 * again and again) goes to feed readers as text, so an entry stays
 * within what peers take whatever a member typed.
 */
START_TEST(test_markdown_that_balloons_goes_as_text)
{
	static const char def[] = "[a]: https://example.org/";
	struct atom a;
	char *md, *xml, *p;
	size_t i, len = 20000;

	ck_assert_ptr_nonnull(md = malloc(len + 1));
	memcpy(md, def, sizeof(def) - 1);
	p = md + sizeof(def) - 1;
	while ((size_t)(p - md) < 1000)
		*p++ = 'x';
	*p++ = '\n';
	*p++ = '\n';
	for (i = 0; (size_t)(p - md) + 4 < len; i++) {
		memcpy(p, "[a] ", 4);
		p += 4;
	}
	*p = '\0';
	ck_assert_int_eq(atom_open(&a), 0);
	atom_entry_start(&a);
	atom_markdown(&a, md);
	atom_end(&a);
	ck_assert_ptr_nonnull(xml = atom_close(&a));
	ck_assert_ptr_nonnull(strstr(xml, "<content type=\"text\">[a]: "));
	ck_assert_int_le((long)strlen(xml), (long)len * TEXT_BYTES + 1024);
	free(xml);

	/* Markdown of a sensible size still goes as HTML. */
	ck_assert_int_eq(atom_open(&a), 0);
	atom_entry_start(&a);
	atom_markdown(&a, "*Refer* early.");
	atom_end(&a);
	ck_assert_ptr_nonnull(xml = atom_close(&a));
	ck_assert_ptr_nonnull(strstr(xml, "<content type=\"html\">&lt;p&gt;"
	    "&lt;em&gt;Refer&lt;/em&gt; early."));
	free(xml);
	free(md);
}
END_TEST

Suite *
entries_suite(void)
{
	Suite *s = suite_create("entries");
	TCase *tc;

	tc = tcase_create("size");
	tcase_add_test(tc, test_largest_entries_fit_with_room_to_spare);
	tcase_add_test(tc, test_a_page_always_has_room_for_an_entry);
	tcase_add_test(tc, test_escaping_is_at_most);
	tcase_add_test(tc, test_markdown_that_balloons_goes_as_text);
	suite_add_tcase(s, tc);
	return s;
}
