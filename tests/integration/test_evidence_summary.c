/*
 * The evidence summary against a real node: the headline figures, the
 * counts in each chart's table and where they link, one chart per
 * table, deleted evaluations left out, markup shown as text, the empty
 * state, and the demo evaluations.  Pages are read with libxml2's HTML
 * parser, so assertions are on the text a reader gets from each table
 * cell, not on the markup around it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "harness.h"

Suite	*evidence_summary_suite(void);

static struct node *node;
static char *walking_id;	/* the evaluation with an SROI ratio */

/* Columns of every findings table, after the row's heading. */
enum column { IMPROVED = 1, NO_CHANGE, WORSE, MIXED, TOTAL };

#define SAVE_SQL "WITH e AS (SELECT gen_random_uuid() AS id)" \
	" SELECT e.id FROM e WHERE acorn_evaluation_save(e.id," \
	" (SELECT id FROM node), 0, $1::jsonb, NULL, 'Test author'," \
	" 'First version', NULL) IS NOT NULL"

/* Saves an evaluation as the pages do; returns its id. */
static char *
save(struct node *n, const char *record)
{
	char *id = node_sql(n, SAVE_SQL, record);

	ck_assert_ptr_nonnull(id);
	return id;
}

/*
 * Five evaluations and a deleted sixth.  Two in the North West, two in
 * London, one whose region, title and figure are markup.
 */
static void
start(void)
{
	char *id, *gone;

	node = node_new("Evidence summary node", NULL);
	ck_assert_ptr_nonnull(node);
	walking_id = save(node, "{\"title\": \"Walking group trial\","
	    " \"region\": \"North West\", \"year\": 2018, \"design\": \"rct\","
	    " \"sample_size\": 100, \"follow_up\": 12, \"summary\": \"S\","
	    " \"outcomes\": ["
	    "{\"outcome\": \"wellbeing\", \"measure\": \"WEMWBS\","
	    " \"direction\": \"improved\", \"figure\": \"+3 points\"},"
	    "{\"outcome\": \"gp_consultations\", \"direction\": \"no_change\"},"
	    "{\"outcome\": \"cost_roi\", \"measure\": \"SROI ratio\","
	    " \"direction\": \"improved\", \"figure\": \"£2.50 per £1\"}]}");
	id = save(node, "{\"title\": \"Befriending study\","
	    " \"region\": \"North West\", \"year\": 2020,"
	    " \"design\": \"quasi_experimental\", \"sample_size\": 50,"
	    " \"summary\": \"S\", \"outcomes\": ["
	    "{\"outcome\": \"wellbeing\", \"direction\": \"improved\"},"
	    "{\"outcome\": \"loneliness\", \"direction\": \"mixed\"}]}");
	free(id);
	id = save(node, "{\"title\": \"Arts pilot\", \"region\": \"London\","
	    " \"year\": 2022, \"design\": \"before_after\", \"summary\": \"S\","
	    " \"outcomes\": ["
	    "{\"outcome\": \"wellbeing\", \"direction\": \"no_change\"},"
	    "{\"outcome\": \"loneliness\", \"direction\": \"improved\"}]}");
	free(id);
	id = save(node, "{\"title\": \"Garden interviews\","
	    " \"region\": \"London\", \"year\": 2024,"
	    " \"design\": \"qualitative\", \"sample_size\": 20,"
	    " \"summary\": \"S\", \"outcomes\": ["
	    "{\"outcome\": \"wellbeing\", \"direction\": \"improved\"},"
	    "{\"outcome\": \"ae_attendance\", \"direction\": \"worse\"}]}");
	free(id);
	id = save(node, "{\"title\": \"Shire <script>alert(1)</script> study\","
	    " \"region\": \"<i>Shire</i> & \\\"Vale\\\"\", \"year\": 2021,"
	    " \"design\": \"economic\", \"sample_size\": 30,"
	    " \"summary\": \"S\", \"outcomes\": [{\"outcome\": \"cost_roi\","
	    " \"measure\": \"Return per £1\", \"direction\": \"mixed\","
	    " \"figure\": \"<b>£1.10</b> per £1\"}]}");
	free(id);
	gone = save(node, "{\"title\": \"Withdrawn evaluation\","
	    " \"region\": \"South East\", \"year\": 2010, \"design\": \"rct\","
	    " \"sample_size\": 1000, \"summary\": \"S\", \"outcomes\": ["
	    "{\"outcome\": \"wellbeing\", \"direction\": \"mixed\"},"
	    "{\"outcome\": \"cost_roi\", \"direction\": \"improved\","
	    " \"figure\": \"£9 per £1\"}]}");
	id = node_sql(node, "UPDATE evaluations SET deleted = true"
	    " WHERE id = $1 RETURNING id", gone);
	ck_assert_ptr_nonnull(id);
	free(id);
	free(gone);
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop(void)
{
	node_free(node);
	free(walking_id);
	node = NULL;
	walking_id = NULL;
}

/* GET /evidence/summary on n, parsed; the body too when body is set. */
static htmlDocPtr
summary_page(struct node *n, char **body)
{
	struct client *c = client_new(n);
	struct resp *r = http_get(c, "/evidence/summary");
	htmlDocPtr d;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, 200);
	d = htmlReadMemory(r->body, (int)r->len, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	ck_assert_ptr_nonnull(d);
	if (body != NULL)
		*body = strdup(r->body);
	resp_free(r);
	client_free(c);
	return d;
}

/* The XPath expression's value as a string, whitespace collapsed. */
static char *
xtext(htmlDocPtr d, const char *fmt, ...)
{
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr o;
	va_list ap;
	char expr[1024], inner[960];
	char *s;

	va_start(ap, fmt);
	vsnprintf(inner, sizeof(inner), fmt, ap);
	va_end(ap);
	snprintf(expr, sizeof(expr), "normalize-space(%s)", inner);
	ctx = xmlXPathNewContext(d);
	ck_assert_ptr_nonnull(ctx);
	o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	ck_assert_msg(o != NULL, "bad XPath %s", expr);
	s = strdup((const char *)(o->stringval != NULL ? o->stringval :
	    (const xmlChar *)""));
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return s;
}

static long
xcount(htmlDocPtr d, const char *fmt, ...)
{
	char inner[960], *s;
	va_list ap;
	long n;

	va_start(ap, fmt);
	vsnprintf(inner, sizeof(inner), fmt, ap);
	va_end(ap);
	s = xtext(d, "count(%s)", inner);
	n = strtol(s, NULL, 10);
	free(s);
	return n;
}

/* The table a chart's figures are in, by the chart's title. */
#define TABLE	"//table[contains(caption, '%s')]"
/* One row of it, by its heading. */
#define ROW	TABLE "//tr[normalize-space(th) = '%s']"

/* The number a reader sees in a cell of a findings table. */
static void
assert_cell(htmlDocPtr d, const char *table, const char *row,
    enum column col, const char *want)
{
	char *got = xtext(d, "(" ROW "/td[%d]//span[not(@aria-hidden)])[1]",
	    table, row, (int)col);

	ck_assert_msg(strcmp(got, want) == 0, "%s, %s, column %d: %s, not %s",
	    table, row, (int)col, got, want);
	free(got);
}

/* Where that cell's number leads ("" for no link). */
static void
assert_link(htmlDocPtr d, const char *table, const char *row,
    enum column col, const char *want)
{
	char *got = xtext(d, ROW "/td[%d]/a/@href", table, row, (int)col);

	ck_assert_msg(strcmp(got, want) == 0, "%s, %s, column %d links to "
	    "\"%s\", not \"%s\"", table, row, (int)col, got, want);
	free(got);
}

#define BY_OUTCOME	"What evaluations found, by outcome"
#define BY_DESIGN	"Findings by study design"
#define BY_REGION	"Findings by region"

START_TEST(test_headline_counts_evaluations_people_years_and_outcomes)
{
	htmlDocPtr d = summary_page(node, NULL);
	char *h = xtext(d, "//section[@aria-labelledby = 'headline']");

	ck_assert_ptr_nonnull(strstr(h, "5 evaluations"));
	/* The one without a sample size adds nobody, and says so. */
	ck_assert_ptr_nonnull(strstr(h, "200 participants in the 4 "
	    "evaluations that gave a sample size"));
	ck_assert_ptr_nonnull(strstr(h, "2018 to 2024"));
	ck_assert_ptr_nonnull(strstr(h, "2 evaluations with a comparison "
	    "group"));
	ck_assert_ptr_nonnull(strstr(h, "Wellbeing: 4 of 5"));
	ck_assert_ptr_nonnull(strstr(h, "Loneliness: 2 of 5"));
	ck_assert_ptr_nonnull(strstr(h, "Anxiety and depression: 0 of 5"));
	free(h);
	xmlFreeDoc(d);
}
END_TEST

START_TEST(test_tables_count_findings_by_outcome_design_and_region)
{
	htmlDocPtr d = summary_page(node, NULL);

	/* Evaluations, by outcome. */
	assert_cell(d, BY_OUTCOME, "Wellbeing", IMPROVED, "3");
	assert_cell(d, BY_OUTCOME, "Wellbeing", NO_CHANGE, "1");
	assert_cell(d, BY_OUTCOME, "Wellbeing", WORSE, "0");
	assert_cell(d, BY_OUTCOME, "Wellbeing", MIXED, "0");
	assert_cell(d, BY_OUTCOME, "Wellbeing", TOTAL, "4");
	assert_cell(d, BY_OUTCOME, "A&E attendance", WORSE, "1");
	assert_cell(d, BY_OUTCOME, "Patient activation", TOTAL, "0");
	/* Outcome results, by design. */
	assert_cell(d, BY_DESIGN, "Randomised controlled trial", IMPROVED,
	    "2");
	assert_cell(d, BY_DESIGN, "Randomised controlled trial", NO_CHANGE,
	    "1");
	assert_cell(d, BY_DESIGN, "Qualitative", WORSE, "1");
	assert_cell(d, BY_DESIGN, "Economic or SROI", MIXED, "1");
	assert_cell(d, BY_DESIGN, "Mixed methods", TOTAL, "0");
	/* Outcome results, by region. */
	assert_cell(d, BY_REGION, "North West", IMPROVED, "3");
	assert_cell(d, BY_REGION, "North West", MIXED, "1");
	assert_cell(d, BY_REGION, "North West", TOTAL, "5");
	assert_cell(d, BY_REGION, "London", WORSE, "1");
	assert_cell(d, BY_REGION, "London", TOTAL, "4");
	/* Each number leads to the evaluations behind it; a 0 nowhere. */
	assert_link(d, BY_OUTCOME, "Wellbeing", IMPROVED,
	    "/evidence?outcome=wellbeing&direction=improved");
	assert_link(d, BY_OUTCOME, "Wellbeing", TOTAL,
	    "/evidence?outcome=wellbeing");
	assert_link(d, BY_OUTCOME, "Wellbeing", WORSE, "");
	assert_link(d, BY_DESIGN, "Qualitative", WORSE,
	    "/evidence?design=qualitative&direction=worse");
	assert_link(d, BY_REGION, "North West", IMPROVED,
	    "/evidence?region=North%20West&direction=improved");
	xmlFreeDoc(d);
}
END_TEST

START_TEST(test_each_table_has_its_chart_and_headers)
{
	htmlDocPtr d = summary_page(node, NULL);
	char *name;

	ck_assert_int_eq(xcount(d, "//svg[@role = 'img']"), 3);
	ck_assert_int_eq(xcount(d, "//table[contains(caption, 'The figures "
	    "in the chart above')]"), 3);
	/* The picture's name tells a screen reader what it shows. */
	name = xtext(d, "//svg[title = '%s']/@aria-label", BY_OUTCOME);
	ck_assert_ptr_nonnull(strstr(name, "Wellbeing: Improved 3, "
	    "No change 1."));
	free(name);
	/* Bars: one per non-zero count, none for a row with nothing. */
	ck_assert_int_eq(xcount(d, "//svg[title = '%s']//rect", BY_REGION),
	    3 + 3 + 1);
	ck_assert_int_eq(xcount(d, ROW "/th[@scope = 'row']", BY_DESIGN,
	    "Qualitative"), 1);
	ck_assert_int_eq(xcount(d, TABLE "//th[@scope = 'col']", BY_REGION),
	    6);
	xmlFreeDoc(d);
}
END_TEST

START_TEST(test_deleted_evaluation_is_not_counted)
{
	char *body;
	htmlDocPtr d = summary_page(node, &body);

	ck_assert_ptr_null(strstr(body, "Withdrawn evaluation"));
	ck_assert_ptr_null(strstr(body, "South East"));
	ck_assert_ptr_null(strstr(body, "£9 per £1"));
	assert_cell(d, BY_OUTCOME, "Wellbeing", MIXED, "0");
	assert_cell(d, BY_DESIGN, "Randomised controlled trial", TOTAL, "3");
	free(body);
	xmlFreeDoc(d);
}
END_TEST

START_TEST(test_markup_in_title_figure_and_region_is_shown_as_text)
{
	char *body, *t;
	htmlDocPtr d = summary_page(node, &body);

	/* Text, wherever it lands: table, SVG label and name, link. */
	ck_assert_int_eq(xcount(d, "//main//script"), 0);
	ck_assert_int_eq(xcount(d, "//main//b"), 0);
	ck_assert_int_eq(xcount(d, "//main//i"), 0);
	ck_assert_ptr_null(strstr(body, "<script>alert"));
	ck_assert_ptr_null(strstr(body, "<b>£1.10"));
	ck_assert_ptr_nonnull(strstr(body, "&lt;b&gt;£1.10&lt;/b&gt; per £1"));
	t = xtext(d, "//a[starts-with(@href, '/evidence/')]"
	    "[contains(., 'Shire')]");
	ck_assert_str_eq(t, "Shire <script>alert(1)</script> study");
	free(t);
	assert_cell(d, BY_REGION, "<i>Shire</i> & \"Vale\"", MIXED, "1");
	assert_link(d, BY_REGION, "<i>Shire</i> & \"Vale\"", MIXED,
	    "/evidence?region=%3Ci%3EShire%3C%2Fi%3E%20%26%20%22Vale%22"
	    "&direction=mixed");
	free(body);
	xmlFreeDoc(d);
}
END_TEST

START_TEST(test_returns_on_investment_name_their_evaluations)
{
	htmlDocPtr d = summary_page(node, NULL);
	char *row, href[128];

	snprintf(href, sizeof(href), "/evidence/%s", walking_id);
	row = xtext(d, "//tr[.//a/@href = '%s']", href);
	ck_assert_str_eq(row, "Walking group trial Randomised controlled "
	    "trial 2018 SROI ratio £2.50 per £1 (Improved)");
	free(row);
	/* Each cell names its column, for the card it becomes on a phone. */
	row = xtext(d, "//tr[.//a/@href = '%s']/td[@data-label = "
	    "'What it found']", href);
	ck_assert_str_eq(row, "£2.50 per £1 (Improved)");
	free(row);
	/* Only results with a figure: the GP count had none. */
	ck_assert_int_eq(xcount(d, "//section[@aria-labelledby = "
	    "'roi-heading']//tbody/tr"), 2);
	xmlFreeDoc(d);
}
END_TEST

/* The cases below each want a node of their own. */
static struct node *own;

static void
start_own(void)
{
	own = node_new("Fresh evidence node", NULL);
	ck_assert_ptr_nonnull(own);
}

static void
stop_own(void)
{
	node_free(own);
	own = NULL;
}

START_TEST(test_no_evaluations_gives_a_helpful_page_and_no_chart)
{
	char *body;
	htmlDocPtr d;

	ck_assert_int_eq(node_serve(own), 0);
	d = summary_page(own, &body);
	ck_assert_ptr_nonnull(strstr(body, "No evaluations yet"));
	ck_assert_int_eq(xcount(d, "//main//svg"), 0);
	ck_assert_int_eq(xcount(d, "//main//table"), 0);
	ck_assert_int_eq(xcount(d, "//main//a[@href = '/evidence']"), 1);
	free(body);
	xmlFreeDoc(d);
}
END_TEST

START_TEST(test_demo_evaluations_fill_the_summary)
{
	char path[1024], *n;
	htmlDocPtr d;

	snprintf(path, sizeof(path), "%s/tests/demo/evidence.sql",
	    getenv("ACORN_DATADIR"));
	ck_assert_int_eq(node_psql(own, path, "region=North West", "part=0",
	    "parts=1", NULL), 0);
	ck_assert_int_eq(node_serve(own), 0);
	d = summary_page(own, NULL);
	n = xtext(d, "//section[@aria-labelledby = 'headline']"
	    "//li[contains(., 'evaluations')][1]/span[1]");
	ck_assert_int_ge(strtol(n, NULL, 10), 12);
	free(n);
	/* Findings go every way, as real evidence does. */
	assert_cell(d, BY_OUTCOME, "A&E attendance", WORSE, "1");
	ck_assert_int_eq(xcount(d, "//section[@aria-labelledby = "
	    "'roi-heading']//tbody/tr"), 6);
	xmlFreeDoc(d);
}
END_TEST

Suite *
evidence_summary_suite(void)
{
	Suite *s = suite_create("evidence_summary");
	TCase *tc;

	tc = tcase_create("summary");
	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc,
	    test_headline_counts_evaluations_people_years_and_outcomes);
	tcase_add_test(tc,
	    test_tables_count_findings_by_outcome_design_and_region);
	tcase_add_test(tc, test_each_table_has_its_chart_and_headers);
	tcase_add_test(tc, test_deleted_evaluation_is_not_counted);
	tcase_add_test(tc,
	    test_markup_in_title_figure_and_region_is_shown_as_text);
	tcase_add_test(tc, test_returns_on_investment_name_their_evaluations);
	suite_add_tcase(s, tc);

	tc = tcase_create("fresh");
	tcase_add_checked_fixture(tc, start_own, stop_own);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc,
	    test_no_evaluations_gives_a_helpful_page_and_no_chart);
	tcase_add_test(tc, test_demo_evaluations_fill_the_summary);
	suite_add_tcase(s, tc);
	return s;
}
