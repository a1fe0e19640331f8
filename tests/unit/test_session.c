/*
 * Unit tests for session.c: CSRF tokens made from the node's secret and
 * checked against what a form sends.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "web.h"
#include "unit.h"

/* Two node secrets of the 32 bytes a node keeps. */
#define SECRET_A	((const unsigned char *) \
			    "0123456789abcdef0123456789abcdef")
#define SECRET_B	((const unsigned char *) \
			    "fedcba9876543210fedcba9876543210")

START_TEST(test_csrf_empty_without_secret)
{
	char out[ACORN_TOKEN_LEN + 1];

	/* First in its case, so no earlier test has set a secret. */
	memset(out, 'x', sizeof(out));
	session_csrf("some-session-token", out);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_csrf_secret_must_be_32_bytes)
{
	ck_assert_int_eq(session_set_secret(SECRET_A, 16), -1);
	ck_assert_int_eq(session_set_secret(SECRET_A, 33), -1);
	ck_assert_int_eq(session_set_secret(SECRET_A, 32), 0);
}
END_TEST

START_TEST(test_csrf_deterministic_for_same_basis)
{
	char a[ACORN_TOKEN_LEN + 1], b[ACORN_TOKEN_LEN + 1];

	ck_assert_int_eq(session_set_secret(SECRET_A, 32), 0);
	session_csrf("basis-one", a);
	session_csrf("basis-one", b);
	ck_assert_str_eq(a, b);
	ck_assert_uint_eq(strlen(a), ACORN_TOKEN_LEN);
	ck_assert_int_eq(only_b64url(a), 1);
}
END_TEST

START_TEST(test_csrf_differs_for_other_basis)
{
	char a[ACORN_TOKEN_LEN + 1], b[ACORN_TOKEN_LEN + 1];

	ck_assert_int_eq(session_set_secret(SECRET_A, 32), 0);
	session_csrf("basis-one", a);
	session_csrf("basis-two", b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_csrf_differs_for_other_secret)
{
	char a[ACORN_TOKEN_LEN + 1], b[ACORN_TOKEN_LEN + 1];

	ck_assert_int_eq(session_set_secret(SECRET_A, 32), 0);
	session_csrf("basis-one", a);
	ck_assert_int_eq(session_set_secret(SECRET_B, 32), 0);
	session_csrf("basis-one", b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_csrf_empty_without_basis)
{
	char out[ACORN_TOKEN_LEN + 1];

	ck_assert_int_eq(session_set_secret(SECRET_A, 32), 0);
	memset(out, 'x', sizeof(out));
	session_csrf(NULL, out);
	ck_assert_str_eq(out, "");
	memset(out, 'x', sizeof(out));
	session_csrf("", out);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_csrf_check_needs_matching_token)
{
	struct request r;
	char other[ACORN_TOKEN_LEN + 1];

	ck_assert_int_eq(session_set_secret(SECRET_A, 32), 0);
	memset(&r, 0, sizeof(r));
	session_csrf("visitor", r.csrf);
	session_csrf("someone-else", other);

	r.form.f[KEY_CSRF].text = r.csrf;
	ck_assert_int_eq(session_csrf_ok(&r), 1);
	r.form.f[KEY_CSRF].text = other;
	ck_assert_int_eq(session_csrf_ok(&r), 0);
	r.form.f[KEY_CSRF].text = NULL;
	ck_assert_int_eq(session_csrf_ok(&r), 0);
	/* A visitor with no token cannot pass by sending none either. */
	r.csrf[0] = '\0';
	r.form.f[KEY_CSRF].text = "";
	ck_assert_int_eq(session_csrf_ok(&r), 0);
}
END_TEST

/*
 * A cookie that finds every header slot taken says so, so that a
 * sign-in is never reported done without the cookie that carries it.
 */
START_TEST(test_cookie_without_room_is_an_error)
{
	static struct config c;
	struct request r;
	int i, slots = (int)(sizeof(r.headers) / sizeof(r.headers[0]));

	config_defaults(&c);
	cfg = &c;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < slots - 1; i++)
		ck_assert_int_eq(response_header(&r, "X-Filler", "x"), 0);
	ck_assert_int_eq(session_cookie(&r, "acorn_session", "tok", 60), 0);
	ck_assert_str_eq(r.headers[slots - 1].name, "Set-Cookie");
	ck_assert(strncmp(r.headers[slots - 1].value, "acorn_session=tok;",
	    18) == 0);
	ck_assert_int_eq(session_cookie(&r, "acorn_session", "tok2", 60), -1);
	ck_assert_int_eq(r.nheaders, slots);
	for (i = 0; i < r.nheaders; i++)
		free(r.headers[i].value);
}
END_TEST

/*
 * Each role may do what the roles below it may: a role not in the list
 * (or no account) may do nothing that needs one.
 */
START_TEST(test_roles_rank_in_order_and_unknown_ones_fail_closed)
{
	static const struct {
		const char	*role;
		int		 contributor, coordinator, admin;
	} want[] = {
		{ "member", 0, 0, 0 },
		{ "contributor", 1, 0, 0 },
		{ "coordinator", 1, 1, 0 },
		{ "admin", 1, 1, 1 },
		{ "auditor", 0, 0, 0 },
		{ "", 0, 0, 0 },
	};
	struct account a;
	struct request r;
	size_t i;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(is_contributor(&r), 0);
	ck_assert_int_eq(is_coordinator(&r), 0);
	ck_assert_int_eq(is_admin(&r), 0);
	memset(&a, 0, sizeof(a));
	r.account = &a;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		a.role = (char *)want[i].role;
		ck_assert_int_eq(is_contributor(&r), want[i].contributor);
		ck_assert_int_eq(is_coordinator(&r), want[i].coordinator);
		ck_assert_int_eq(is_admin(&r), want[i].admin);
	}
}
END_TEST

Suite *
session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc;

	tc = tcase_create("csrf");
	tcase_add_test(tc, test_csrf_empty_without_secret);
	tcase_add_test(tc, test_csrf_secret_must_be_32_bytes);
	tcase_add_test(tc, test_csrf_deterministic_for_same_basis);
	tcase_add_test(tc, test_csrf_differs_for_other_basis);
	tcase_add_test(tc, test_csrf_differs_for_other_secret);
	tcase_add_test(tc, test_csrf_empty_without_basis);
	tcase_add_test(tc, test_csrf_check_needs_matching_token);
	tcase_add_test(tc, test_cookie_without_room_is_an_error);
	tcase_add_test(tc, test_roles_rank_in_order_and_unknown_ones_fail_closed);
	suite_add_tcase(s, tc);
	return s;
}
