/*
 * Unit tests for password.c: Argon2id hashes, salted, the refusal of
 * wrong passwords and damaged hashes, and a check no slot came free for,
 * which never reads as a match.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	ck_assert_int_eq(password_verify(h, "correct horse battery", NULL), 1);
	free(h);
}
END_TEST

START_TEST(test_password_verify_refuses_wrong_password)
{
	char *h = password_hash("correct horse battery", T_PASSES, T_KIB);

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(password_verify(h, "correct horse battery ", NULL), 0);
	ck_assert_int_eq(password_verify(h, "Correct horse battery", NULL), 0);
	ck_assert_int_eq(password_verify(h, "", NULL), 0);
	ck_assert_int_eq(password_verify(h, NULL, NULL), 0);
	free(h);
}
END_TEST

START_TEST(test_password_verify_refuses_missing_or_malformed_hash)
{
	char *h, *cut;

	ck_assert_int_eq(password_verify(NULL, "pw", NULL), 0);
	ck_assert_int_eq(password_verify("", "pw", NULL), 0);
	ck_assert_int_eq(password_verify("pw", "pw", NULL), 0);
	ck_assert_int_eq(password_verify("$argon2id$garbage", "pw", NULL), 0);
	ck_assert_ptr_nonnull(h = password_hash("pw", T_PASSES, T_KIB));
	/* A hash cut short is refused rather than matched on its prefix. */
	ck_assert_ptr_nonnull(cut = strndup(h, strlen(h) - 8));
	ck_assert_int_eq(password_verify(cut, "pw", NULL), 0);
	/* Another algorithm's hash is not accepted in Argon2id's place. */
	cut[3] = ' ';
	ck_assert_int_eq(password_verify(cut, "pw", NULL), 0);
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
	ck_assert_int_eq(password_verify(a, "same password", NULL), 1);
	ck_assert_int_eq(password_verify(b, "same password", NULL), 1);
	free(a);
	free(b);
}
END_TEST

static atomic_int hashing_stop;

/* Holds the one slot again and again, until told to stop. */
static void *
hash_again(void *arg)
{
	(void)arg;
	while (!atomic_load(&hashing_stop))
		free(password_hash("someone else", 2, 16 * 1024));
	return NULL;
}

/*
 * With the one slot taken by another hash, the right password is not
 * checked: the answer is 0 (so `if (password_verify(...))` lets nobody
 * in) and busy says why.  The other thread hashes over and over, so a
 * check finds the slot taken within a few tries.
 */
START_TEST(test_password_verify_busy_is_never_a_match)
{
	char *h = password_hash("correct horse battery", T_PASSES, T_KIB);
	struct timespec start, now;
	pthread_t t;
	int ok, busy = 0, matched = 0;

	ck_assert_ptr_nonnull(h);
	password_slots(1, 0);
	atomic_store(&hashing_stop, 0);
	ck_assert_int_eq(pthread_create(&t, NULL, hash_again, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		ok = password_verify(h, "correct horse battery", &busy);
		if (!busy) {
			ck_assert_int_eq(ok, 1);
			matched++;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!busy && now.tv_sec - start.tv_sec < 30);
	atomic_store(&hashing_stop, 1);
	pthread_join(t, NULL);
	ck_assert_int_eq(busy, 1);
	ck_assert_int_eq(ok, 0);
	ck_assert_int_eq(password_dummy(), 0);
	/* A slot free again: the same call is a match, and not busy. */
	ck_assert_int_eq(password_verify(h, "correct horse battery", &busy),
	    1);
	ck_assert_int_eq(busy, 0);
	password_slots(2, 1000);
	free(h);
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
	tcase_add_test(tc, test_password_verify_busy_is_never_a_match);
	suite_add_tcase(s, tc);
	return s;
}
