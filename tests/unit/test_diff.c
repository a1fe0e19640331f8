/*
 * The line diff behind the library's compare page: kept, removed and
 * added lines in order, and the refusal of texts too long to compare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core.h"
#include "unit.h"

/* The diff as one string: " kept", "-removed", "+added", one a line. */
static char *
shape(const char *a, const char *b)
{
	struct diff d;
	static char out[1024];
	size_t i, len = 0;

	ck_assert_int_eq(diff_lines(a, b, &d), 0);
	out[0] = '\0';
	for (i = 0; i < d.n; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%c%s\n",
		    d.line[i].op == DIFF_SAME ? ' ' : d.line[i].op == DIFF_DEL ?
		    '-' : '+', d.line[i].text);
	diff_free(&d);
	return out;
}

START_TEST(test_diff_marks_changed_lines)
{
	ck_assert_str_eq(shape("a\nb\nc\n", "a\nx\nc\n"), " a\n-b\n+x\n c\n");
	ck_assert_str_eq(shape("a\nb", "a\nb\nc"), " a\n b\n+c\n");
	ck_assert_str_eq(shape("a\r\nb\r\n", "b\n"), "-a\n b\n");
	ck_assert_str_eq(shape("", "new"), "-\n+new\n");
	ck_assert_str_eq(shape("x\ny\nz", "x\ny\nz"), " x\n y\n z\n");
	/* Moved lines: the longest kept run wins. */
	ck_assert_str_eq(shape("1\n2\n3\n4", "2\n3\n4\n1"),
	    "-1\n 2\n 3\n 4\n+1\n");
}
END_TEST

START_TEST(test_diff_refuses_too_many_changed_lines)
{
	struct diff d;
	char *a, *b;
	size_t i, n = DIFF_MAX_LINES + 1;

	a = malloc(n * 8 + 1);
	b = malloc(n * 8 + 1);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	a[0] = b[0] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(a + strlen(a), 8, "a%zu\n", i);
		snprintf(b + strlen(b), 8, "b%zu\n", i);
	}
	ck_assert_int_eq(diff_lines(a, b, &d), 1);
	ck_assert_int_eq(d.n, 0);
	/* Only changed lines count: a long text compared with itself is fine. */
	ck_assert_int_eq(diff_lines(a, a, &d), 0);
	ck_assert_uint_eq(d.n, n);
	diff_free(&d);
	free(a);
	free(b);
}
END_TEST

Suite *
diff_suite(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("diff");

	tcase_add_test(tc, test_diff_marks_changed_lines);
	tcase_add_test(tc, test_diff_refuses_too_many_changed_lines);
	suite_add_tcase(s, tc);
	return s;
}
