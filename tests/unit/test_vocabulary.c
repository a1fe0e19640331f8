/*
 * Unit tests for vocabulary.c: where an event is, said in words.
 */
#include <stdlib.h>

#include <check.h>

#include "core.h"
#include "unit.h"

START_TEST(test_event_where_never_has_a_link)
{
	char *w;

	ck_assert_ptr_nonnull(w = event_where("Manchester Central",
	    "Windmill Street\r\n\r\nManchester M2 3GX\n", 0));
	ck_assert_str_eq(w, "Manchester Central, Windmill Street, "
	    "Manchester M2 3GX");
	free(w);
	ck_assert_ptr_nonnull(w = event_where(NULL, NULL, 1));
	ck_assert_str_eq(w, "Online");
	free(w);
	ck_assert_ptr_nonnull(w = event_where("Town Hall", NULL, 1));
	ck_assert_str_eq(w, "Town Hall (or online)");
	free(w);
	ck_assert_ptr_nonnull(w = event_where(NULL, NULL, 0));
	ck_assert_str_eq(w, "");
	free(w);
}
END_TEST

Suite *
vocabulary_suite(void)
{
	Suite *s = suite_create("vocabulary");
	TCase *tc = tcase_create("events");

	tcase_add_test(tc, test_event_where_never_has_a_link);
	suite_add_tcase(s, tc);
	return s;
}
