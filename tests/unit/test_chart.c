/*
 * Unit tests for chart.c: bar charts drawn to scale, with a table of the
 * same numbers that link to what they count.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "web.h"
#include "unit.h"

START_TEST(test_chart_bars_scale_to_the_largest_row)
{
	static const struct chart_series series[] = {
		{ "improved", "Improved", NULL },
		{ "no_change", "No change", NULL },
	};
	struct chart_row rows[2];
	struct view *v = view_new();
	char *out;

	memset(rows, 0, sizeof(rows));
	rows[0].label = "<b>GP</b> consultations";
	rows[0].values[0] = 3;
	rows[0].values[1] = 1;
	rows[1].label = "Loneliness";
	rows[1].values[0] = 1;
	ck_assert_int_eq(chart_add(v, "charts", "What they found", NULL, series,
	    2, rows, 2), 0);
	out = render("chart", v);
	/*
	 * 352 units of bar for the largest total, 4: 264 and 88, each bar
	 * below its label's line, over the whole width.
	 */
	ck_assert_ptr_nonnull(strstr(out, "x=\"0.0\" y=\"26\" width=\"264.0\""));
	ck_assert_ptr_nonnull(strstr(out, "x=\"264.0\" y=\"26\" width=\"88.0\""));
	ck_assert_ptr_nonnull(strstr(out, "x=\"0.0\" y=\"86\" width=\"88.0\""));
	/* The label above the bar, the total after it. */
	ck_assert_ptr_nonnull(strstr(out, "x=\"0\" y=\"20\">&lt;b&gt;GP"));
	/* A zero draws nothing but still counts in the table. */
	ck_assert_ptr_null(strstr(out, "Loneliness: No change"));
	ck_assert_ptr_nonnull(strstr(out, "<td>1</td><td>0</td>"));
	/* Labels are text, in the chart and the table. */
	ck_assert_ptr_nonnull(strstr(out, "&lt;b&gt;GP&lt;/b&gt; consultations"));
	ck_assert_ptr_null(strstr(out, "<b>GP"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_chart_numbers_link_to_the_list_behind_them)
{
	static const struct chart_series series[] = {
		{ "improved", "Improved", "direction" },
		{ "no_change", "No change", "direction" },
	};
	struct chart_row rows[1];
	struct view *v = view_new();
	char *out;

	memset(rows, 0, sizeof(rows));
	rows[0].label = "Wellbeing";
	rows[0].href = "/evidence?outcome=wellbeing";
	rows[0].values[0] = 2;
	ck_assert_int_eq(chart_add(v, "charts", "Findings", NULL, series, 2,
	    rows, 1), 0);
	out = render("chart_table", v);
	/* The 2 leads to its list, narrowed to its series; the 0 nowhere. */
	ck_assert_ptr_nonnull(strstr(out, "<td><a href=\"/evidence?outcome="
	    "wellbeing&amp;direction=improved\">2</a></td><td><span>0</span>"
	    "</td>"));
	/* The picture's name says what it shows. */
	ck_assert_ptr_nonnull(strstr(out, "aria-label=\"Findings. Wellbeing: "
	    "Improved 2.\""));
	free(out);
	view_free(v);
}
END_TEST

Suite *
chart_suite(void)
{
	Suite *s = suite_create("chart");
	TCase *tc;

	tc = tcase_create("render");
	tcase_add_checked_fixture(tc, templates_setup, templates_teardown);
	tcase_add_test(tc, test_chart_bars_scale_to_the_largest_row);
	tcase_add_test(tc, test_chart_numbers_link_to_the_list_behind_them);
	suite_add_tcase(s, tc);
	return s;
}
