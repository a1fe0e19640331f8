/*
 * Unit tests for password.c: Argon2id hashes, salted, and the refusal
 * of wrong passwords and damaged hashes.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core.h"
#include "unit.h"

/* The cheapest costs Argon2id allows here, to stay quick. */
#define T_PASSES	1
#define T_KIB		1024

START_TEST(test_password_hash_is_argon2id)
{
	char *h = password_hash("correct horse battery", T_PASSES, T_KIB);

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(strncmp(h, "$argon2id$v=19$m=1024,t=1,p=1$", 30), 0);
	free(h);
}
END_TEST

START_TEST(test_password_verify_accepts_right_password)
{
	char *h = password_hash("correct horse battery", T_PASSES, T_KIB);

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(password_verify(h, "correct horse battery"), 1);
	free(h);
}
END_TEST

START_TEST(test_password_verify_refuses_wrong_password)
{
	char *h = password_hash("correct horse battery", T_PASSES, T_KIB);

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(password_verify(h, "correct horse battery "), 0);
	ck_assert_int_eq(password_verify(h, "Correct horse battery"), 0);
	ck_assert_int_eq(password_verify(h, ""), 0);
	ck_assert_int_eq(password_verify(h, NULL), 0);
	free(h);
}
END_TEST

START_TEST(test_password_verify_refuses_missing_or_malformed_hash)
{
	char *h, *cut;

	ck_assert_int_eq(password_verify(NULL, "pw"), 0);
	ck_assert_int_eq(password_verify("", "pw"), 0);
	ck_assert_int_eq(password_verify("pw", "pw"), 0);
	ck_assert_int_eq(password_verify("$argon2id$garbage", "pw"), 0);
	ck_assert_ptr_nonnull(h = password_hash("pw", T_PASSES, T_KIB));
	/* A hash cut short is refused rather than matched on its prefix. */
	ck_assert_ptr_nonnull(cut = strndup(h, strlen(h) - 8));
	ck_assert_int_eq(password_verify(cut, "pw"), 0);
	/* Another algorithm's hash is not accepted in Argon2id's place. */
	cut[3] = ' ';
	ck_assert_int_eq(password_verify(cut, "pw"), 0);
	free(cut);
	free(h);
}
END_TEST

START_TEST(test_password_hashes_are_salted)
{
	char *a = password_hash("same password", T_PASSES, T_KIB);
	char *b = password_hash("same password", T_PASSES, T_KIB);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(password_verify(a, "same password"), 1);
	ck_assert_int_eq(password_verify(b, "same password"), 1);
	free(a);
	free(b);
}
END_TEST

Suite *
password_suite(void)
{
	Suite *s = suite_create("password");
	TCase *tc;

	tc = tcase_create("argon2id");
	tcase_add_test(tc, test_password_hash_is_argon2id);
	tcase_add_test(tc, test_password_verify_accepts_right_password);
	tcase_add_test(tc, test_password_verify_refuses_wrong_password);
	tcase_add_test(tc,
	    test_password_verify_refuses_missing_or_malformed_hash);
	tcase_add_test(tc, test_password_hashes_are_salted);
	suite_add_tcase(s, tc);
	return s;
}
