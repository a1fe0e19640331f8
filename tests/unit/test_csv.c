/*
 * Unit tests for csv.c: the writer behind the attendees' export, whose
 * files open safely in any spreadsheet.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core.h"
#include "unit.h"

/* One row of cells, as the file would hold it. */
static char *
row(const char *const *cells)
{
	struct csv *c = csv_new();
	char *out;
	size_t len;

	ck_assert_ptr_nonnull(c);
	for (; *cells != NULL; cells++)
		csv_cell(c, *cells);
	csv_row(c);
	out = csv_finish(c, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(len, strlen(out));
	return out;
}

START_TEST(test_csv_starts_with_a_bom_and_ends_rows_with_crlf)
{
	const char *cells[] = { "Name", "Email", NULL };
	char *out = row(cells);

	ck_assert_str_eq(out, "\xef\xbb\xbfName,Email\r\n");
	free(out);
}
END_TEST

START_TEST(test_csv_quotes_commas_quotes_and_line_breaks)
{
	const char *cells[] = { "Smith, John", "Ann \"Nan\" Lee", "one\ntwo",
	    "cr\rhere", "plain", "", NULL };
	char *out = row(cells);

	ck_assert_str_eq(out, "\xef\xbb\xbf\"Smith, John\",\"Ann \"\"Nan\"\" "
	    "Lee\",\"one\ntwo\",\"cr\rhere\",plain,\r\n");
	free(out);
}
END_TEST

START_TEST(test_csv_makes_formulas_text)
{
	const char *cells[] = { "=1+2", "+44 161", "-5", "@SUM(A1)",
	    "\tTab", "\rCR", "a=b", "=\"x\",y", NULL };
	char *out = row(cells);

	ck_assert_str_eq(out, "\xef\xbb\xbf'=1+2,'+44 161,'-5,'@SUM(A1),"
	    "'\tTab,\"'\rCR\",a=b,\"'=\"\"x\"\",y\"\r\n");
	free(out);
}
END_TEST

START_TEST(test_csv_null_is_an_empty_cell)
{
	struct csv *c = csv_new();
	char *out;
	size_t len;

	csv_cell(c, NULL);
	csv_cell(c, "x");
	csv_row(c);
	csv_cell(c, "y");
	csv_row(c);
	out = csv_finish(c, &len);
	ck_assert_str_eq(out, "\xef\xbb\xbf,x\r\ny\r\n");
	free(out);
	csv_free(NULL);
	ck_assert_ptr_null(csv_finish(NULL, &len));
}
END_TEST

Suite *
csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc;

	tc = tcase_create("csv");
	tcase_add_test(tc, test_csv_starts_with_a_bom_and_ends_rows_with_crlf);
	tcase_add_test(tc, test_csv_quotes_commas_quotes_and_line_breaks);
	tcase_add_test(tc, test_csv_makes_formulas_text);
	tcase_add_test(tc, test_csv_null_is_an_empty_cell);
	suite_add_tcase(s, tc);
	return s;
}
