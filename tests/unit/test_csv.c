/*
 * Unit tests for the CSV writer and for form fields sent once per ticked
 * checkbox: the two pieces the export is built from.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "web.h"
#include "pages.h"
#include "federation.h"

Suite	*csv_suite(void);

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

START_TEST(test_form_words_collect_every_ticked_box_in_order)
{
	struct form form;

	memset(&form, 0, sizeof(form));
	form_accept(&form, KEY_COL, "name", 4);
	form_accept(&form, KEY_COL, "email", 5);
	form_accept(&form, KEY_COL, "", 0);
	form_accept(&form, KEY_COL, "q12", 3);
	ck_assert_int_eq(form.nerrors, 0);
	ck_assert_str_eq(form.f[KEY_COL].text, "name email q12");
	ck_assert_int_eq(form.f[KEY_COL].num, 3);
	form_free(&form);
}
END_TEST

START_TEST(test_form_words_refuse_the_field_for_one_bad_value)
{
	struct form form;

	memset(&form, 0, sizeof(form));
	form_accept(&form, KEY_COL, "name", 4);
	form_accept(&form, KEY_COL, "na me", 5);
	form_accept(&form, KEY_COL, "email", 5);
	ck_assert_ptr_null(form.f[KEY_COL].text);
	ck_assert_int_eq(form.f[KEY_COL].error, FIELD_BAD_FORMAT);
	ck_assert_int_eq(form.nerrors, 1);
	form_free(&form);

	memset(&form, 0, sizeof(form));
	form_accept(&form, KEY_COL, "Name", 4);
	ck_assert_int_eq(form.f[KEY_COL].error, FIELD_BAD_FORMAT);
	form_free(&form);
}
END_TEST

START_TEST(test_form_words_have_a_total_length)
{
	struct form form;
	char word[41];
	int i;

	memset(word, 'a', sizeof(word) - 1);
	word[40] = '\0';
	memset(&form, 0, sizeof(form));
	for (i = 0; i < 100; i++)
		form_accept(&form, KEY_COL, word, 40);
	ck_assert_ptr_null(form.f[KEY_COL].text);
	ck_assert_int_eq(form.f[KEY_COL].error, FIELD_TOO_LONG);
	ck_assert_int_eq(form.nerrors, 1);
	form_free(&form);
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

	tc = tcase_create("words");
	tcase_add_test(tc, test_form_words_collect_every_ticked_box_in_order);
	tcase_add_test(tc, test_form_words_refuse_the_field_for_one_bad_value);
	tcase_add_test(tc, test_form_words_have_a_total_length);
	suite_add_tcase(s, tc);
	return s;
}
