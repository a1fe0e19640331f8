/*
 * Unit tests for calendar.c: iCalendar lines escaped and folded as
 * RFC 5545 asks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "pages.h"
#include "unit.h"

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

Suite *
calendar_suite(void)
{
	Suite *s = suite_create("calendar");
	TCase *tc = tcase_create("ical");

	tcase_add_test(tc, test_calendar_escapes_text);
	tcase_add_test(tc, test_calendar_folds_at_75_octets);
	tcase_add_test(tc, test_calendar_fold_never_splits_utf8);
	suite_add_tcase(s, tc);
	return s;
}
