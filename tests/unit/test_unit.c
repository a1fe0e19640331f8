/*
 * Unit tests for the parts of acorn that need no database or network:
 * encodings and UTF-8 checks, form validation, the HTML renderer, CSRF
 * tokens, password hashing and the configuration file.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "web.h"
#include "pages.h"
#include "federation.h"

Suite	*diff_suite(void);
Suite	*csv_suite(void);
Suite	*mail_unit_suite(void);	/* test_mail.c */
/* test_markdown.c */
Suite	*markdown_suite(void);
Suite	*routes_suite(void);
Suite	*calendar_suite(void);
Suite	*federation_suite(void);	/* test_federation.c */

#define B64URL	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
		"0123456789-_"

/* A malloc'd string of n copies of unit. */
static char *
repeat(const char *unit, size_t n)
{
	size_t len = strlen(unit), i;
	char *s;

	ck_assert_ptr_nonnull(s = malloc(len * n + 1));
	for (i = 0; i < n; i++)
		memcpy(s + i * len, unit, len);
	s[len * n] = '\0';
	return s;
}

static int
utf8_ok(const char *s)
{
	return util_utf8_valid(s, strlen(s));
}

static int
only_b64url(const char *s)
{
	return strspn(s, B64URL) == strlen(s);
}

/* util.c */

START_TEST(test_utf8_accepts_ascii_and_whitespace)
{
	ck_assert_int_eq(utf8_ok(""), 1);
	ck_assert_int_eq(utf8_ok("Ann Lee, 42 Park Road (Leeds)"), 1);
	ck_assert_int_eq(utf8_ok("line one\r\nline two\tand a tab"), 1);
}
END_TEST

START_TEST(test_utf8_accepts_welsh_urdu_and_emoji)
{
	ck_assert_int_eq(utf8_ok("Gwenllïan ap Siôn, Ŵyr"), 1);
	ck_assert_int_eq(utf8_ok("اردو زبان"), 1);
	ck_assert_int_eq(utf8_ok("Acorn \xf0\x9f\x8c\xb0"), 1);
	/* The last code point there is, and a non-breaking space. */
	ck_assert_int_eq(utf8_ok("\xf4\x8f\xbf\xbf"), 1);
	ck_assert_int_eq(utf8_ok("a\xc2\xa0" "b"), 1);
}
END_TEST

START_TEST(test_utf8_refuses_overlong)
{
	ck_assert_int_eq(utf8_ok("\xc0\xaf"), 0);
	ck_assert_int_eq(utf8_ok("\xc1\xbf"), 0);
	ck_assert_int_eq(utf8_ok("\xe0\x80\xaf"), 0);
	ck_assert_int_eq(utf8_ok("\xe0\x9f\xbf"), 0);
	ck_assert_int_eq(utf8_ok("\xf0\x80\x80\xaf"), 0);
	ck_assert_int_eq(utf8_ok("\xf0\x8f\xbf\xbf"), 0);
}
END_TEST

START_TEST(test_utf8_refuses_surrogates)
{
	ck_assert_int_eq(utf8_ok("\xed\xa0\x80"), 0);
	ck_assert_int_eq(utf8_ok("\xed\xbf\xbf"), 0);
	ck_assert_int_eq(utf8_ok("\xed\xa0\xbd\xed\xb8\x80"), 0);
	/* Just below the surrogates is fine. */
	ck_assert_int_eq(utf8_ok("\xed\x9f\xbf"), 1);
}
END_TEST

START_TEST(test_utf8_refuses_above_10ffff)
{
	ck_assert_int_eq(utf8_ok("\xf4\x90\x80\x80"), 0);
	ck_assert_int_eq(utf8_ok("\xf5\x80\x80\x80"), 0);
	ck_assert_int_eq(utf8_ok("\xf8\x88\x80\x80\x80"), 0);
	ck_assert_int_eq(utf8_ok("\xfe"), 0);
	ck_assert_int_eq(utf8_ok("\xff"), 0);
}
END_TEST

START_TEST(test_utf8_refuses_truncated_sequences)
{
	ck_assert_int_eq(utf8_ok("\xc3"), 0);
	ck_assert_int_eq(utf8_ok("\xe2\x82"), 0);
	ck_assert_int_eq(utf8_ok("\xf0\x9f\x8c"), 0);
	ck_assert_int_eq(utf8_ok("\xe2\x82" "A"), 0);
	ck_assert_int_eq(utf8_ok("a\x80"), 0);
	/* The length given is the end, whatever follows in memory. */
	ck_assert_int_eq(util_utf8_valid("\xc3\xa9", 1), 0);
	ck_assert_int_eq(util_utf8_valid("\xc3\xa9", 2), 1);
}
END_TEST

START_TEST(test_utf8_refuses_nul_and_controls)
{
	ck_assert_int_eq(util_utf8_valid("a\0b", 3), 0);
	ck_assert_int_eq(utf8_ok("\x01"), 0);
	ck_assert_int_eq(utf8_ok("bell\x07"), 0);
	ck_assert_int_eq(utf8_ok("esc\x1b[2J"), 0);
	ck_assert_int_eq(utf8_ok("del\x7f"), 0);
	/* C1 controls, U+0080 to U+009F. */
	ck_assert_int_eq(utf8_ok("\xc2\x80"), 0);
	ck_assert_int_eq(utf8_ok("\xc2\x85"), 0);
	ck_assert_int_eq(utf8_ok("\xc2\x9f"), 0);
}
END_TEST

START_TEST(test_base64url_lengths_and_vectors)
{
	/* RFC 4648 section 10, without padding. */
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
	};
	unsigned char raw[32];
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		util_base64url((const unsigned char *)v[i].in,
		    strlen(v[i].in), out);
		ck_assert_str_eq(out, v[i].out);
	}
	memset(raw, 0xa5, sizeof(raw));
	util_base64url(raw, sizeof(raw), out);
	ck_assert_uint_eq(strlen(out), ACORN_TOKEN_LEN);
}
END_TEST

START_TEST(test_base64url_uses_url_alphabet)
{
	static const unsigned char hi[] = { 0xfb, 0xff, 0xbf };
	char out[8];

	util_base64url(hi, 2, out);
	ck_assert_str_eq(out, "-_8");
	util_base64url(hi, 3, out);
	ck_assert_str_eq(out, "-_-_");
	ck_assert_ptr_null(strpbrk(out, "+/="));
}
END_TEST

START_TEST(test_token_is_43_chars_and_distinct)
{
	char a[ACORN_TOKEN_LEN + 1], b[ACORN_TOKEN_LEN + 1];

	ck_assert_int_eq(util_token(a), 0);
	ck_assert_int_eq(util_token(b), 0);
	ck_assert_uint_eq(strlen(a), 43);
	ck_assert_uint_eq(strlen(b), 43);
	ck_assert_int_eq(only_b64url(a), 1);
	ck_assert_int_eq(only_b64url(b), 1);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_uuid_is_version_4)
{
	char a[ACORN_UUID_LEN + 1], b[ACORN_UUID_LEN + 1];

	ck_assert_int_eq(util_uuid(a), 0);
	ck_assert_int_eq(util_uuid(b), 0);
	ck_assert_uint_eq(strlen(a), ACORN_UUID_LEN);
	ck_assert_int_eq(a[8], '-');
	ck_assert_int_eq(a[13], '-');
	ck_assert_int_eq(a[18], '-');
	ck_assert_int_eq(a[23], '-');
	ck_assert_int_eq(a[14], '4');
	ck_assert_ptr_nonnull(strchr("89ab", a[19]));
	ck_assert_int_eq(util_uuid_valid(a), 1);
	ck_assert_int_eq(util_uuid_valid(b), 1);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_uuid_valid_refuses_bad_shapes)
{
	ck_assert_int_eq(util_uuid_valid(
	    "6f1c2b3a-9d4e-4f70-8a1b-2c3d4e5f6a7b"), 1);
	/* Uppercase: ids are compared as strings, so one spelling only. */
	ck_assert_int_eq(util_uuid_valid(
	    "6F1C2B3A-9D4E-4F70-8A1B-2C3D4E5F6A7B"), 0);
	ck_assert_int_eq(util_uuid_valid(
	    "6f1c2b3a-9d4e-4f70-8a1b-2c3d4e5f6a7"), 0);
	ck_assert_int_eq(util_uuid_valid(
	    "6f1c2b3a-9d4e-4f70-8a1b-2c3d4e5f6a7b0"), 0);
	ck_assert_int_eq(util_uuid_valid(
	    "6f1c2b3a9d4e4f708a1b2c3d4e5f6a7b"), 0);
	ck_assert_int_eq(util_uuid_valid(
	    "6f1c2b3a09d4e-4f70-8a1b-2c3d4e5f6a7b"), 0);
	ck_assert_int_eq(util_uuid_valid(
	    "6f1c2b3a-9d4e-4f70-8a1b-2c3d4e5f6a7g"), 0);
	ck_assert_int_eq(util_uuid_valid(""), 0);
	ck_assert_int_eq(util_uuid_valid(NULL), 0);
}
END_TEST

START_TEST(test_ct_equal_compares_whole_strings)
{
	ck_assert_int_eq(util_ct_equal("abc", "abc"), 1);
	ck_assert_int_eq(util_ct_equal("abc", "abd"), 0);
	ck_assert_int_eq(util_ct_equal("abc", "abcd"), 0);
	ck_assert_int_eq(util_ct_equal("abcd", "abc"), 0);
}
END_TEST

START_TEST(test_ct_equal_refuses_empty_and_null)
{
	/* An empty token matching an empty token must never pass a check. */
	ck_assert_int_eq(util_ct_equal("", ""), 0);
	ck_assert_int_eq(util_ct_equal(NULL, "abc"), 0);
	ck_assert_int_eq(util_ct_equal("abc", NULL), 0);
	ck_assert_int_eq(util_ct_equal(NULL, NULL), 0);
}
END_TEST

START_TEST(test_size_text_never_overstates_a_limit)
{
	static const struct {
		long		 bytes;
		const char	*text;
	} v[] = {
		{ 1, "1 byte" }, { 900, "900 bytes" }, { 1024, "1 kB" },
		{ 65536, "64 kB" }, { 65537, "64 kB" },
		{ 1536L * 1024, "1536 kB" }, { 20L * 1024 * 1024, "20 MB" },
	};
	char out[32];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		util_size_text(v[i].bytes, out, sizeof(out));
		ck_assert_str_eq(out, v[i].text);
	}
}
END_TEST

START_TEST(test_parse_long_accepts_range_inclusive)
{
	long n = 0;

	ck_assert_int_eq(util_parse_long("42", 0, 100, &n), 0);
	ck_assert_int_eq(n, 42);
	ck_assert_int_eq(util_parse_long("-5", -10, 10, &n), 0);
	ck_assert_int_eq(n, -5);
	ck_assert_int_eq(util_parse_long("1", 1, 6, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(util_parse_long("6", 1, 6, &n), 0);
	ck_assert_int_eq(n, 6);
}
END_TEST

START_TEST(test_parse_long_refuses_out_of_range_and_junk)
{
	long n = 7;

	ck_assert_int_eq(util_parse_long("0", 1, 6, &n), -1);
	ck_assert_int_eq(util_parse_long("7", 1, 6, &n), -1);
	ck_assert_int_eq(util_parse_long("12abc", 0, 100, &n), -1);
	ck_assert_int_eq(util_parse_long("abc", 0, 100, &n), -1);
	ck_assert_int_eq(util_parse_long("4 ", 0, 100, &n), -1);
	ck_assert_int_eq(util_parse_long(" 4", 0, 100, &n), -1);
	ck_assert_int_eq(util_parse_long("+4", 0, 100, &n), -1);
	ck_assert_int_eq(util_parse_long("-", -10, 100, &n), -1);
	ck_assert_int_eq(util_parse_long("1.5", 0, 100, &n), -1);
	ck_assert_int_eq(util_parse_long("", 0, 100, &n), -1);
	ck_assert_int_eq(util_parse_long(NULL, 0, 100, &n), -1);
	ck_assert_int_eq(util_parse_long("99999999999999999999999", 0,
	    LONG_MAX, &n), -1);
	/* Nothing is written on failure. */
	ck_assert_int_eq(n, 7);
}
END_TEST

static Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc;

	tc = tcase_create("utf8");
	tcase_add_test(tc, test_utf8_accepts_ascii_and_whitespace);
	tcase_add_test(tc, test_utf8_accepts_welsh_urdu_and_emoji);
	tcase_add_test(tc, test_utf8_refuses_overlong);
	tcase_add_test(tc, test_utf8_refuses_surrogates);
	tcase_add_test(tc, test_utf8_refuses_above_10ffff);
	tcase_add_test(tc, test_utf8_refuses_truncated_sequences);
	tcase_add_test(tc, test_utf8_refuses_nul_and_controls);
	suite_add_tcase(s, tc);

	tc = tcase_create("encodings");
	tcase_add_test(tc, test_base64url_lengths_and_vectors);
	tcase_add_test(tc, test_base64url_uses_url_alphabet);
	tcase_add_test(tc, test_token_is_43_chars_and_distinct);
	tcase_add_test(tc, test_uuid_is_version_4);
	tcase_add_test(tc, test_uuid_valid_refuses_bad_shapes);
	suite_add_tcase(s, tc);

	tc = tcase_create("compare");
	tcase_add_test(tc, test_ct_equal_compares_whole_strings);
	tcase_add_test(tc, test_ct_equal_refuses_empty_and_null);
	tcase_add_test(tc, test_parse_long_accepts_range_inclusive);
	tcase_add_test(tc, test_size_text_never_overstates_a_limit);
	tcase_add_test(tc, test_parse_long_refuses_out_of_range_and_junk);
	suite_add_tcase(s, tc);
	return s;
}

/* form.c */

/* The error one value for k gets in a form of its own. */
static int
field_error(enum key k, const char *raw, size_t len)
{
	struct form form;
	int error;

	memset(&form, 0, sizeof(form));
	form_accept(&form, k, raw, len);
	error = form.f[k].error;
	if (error)
		ck_assert_ptr_null(form.f[k].text);
	ck_assert_int_eq(form.nerrors, error ? 1 : 0);
	form_free(&form);
	return error;
}

static int
refused(enum key k, const char *raw)
{
	return field_error(k, raw, strlen(raw));
}

/* The text a field keeps for raw, malloc'd, or NULL when refused. */
static char *
accepted(enum key k, const char *raw)
{
	struct form form;
	char *text = NULL;

	memset(&form, 0, sizeof(form));
	form_accept(&form, k, raw, strlen(raw));
	if (form.f[k].text != NULL)
		ck_assert_ptr_nonnull(text = strdup(form.f[k].text));
	form_free(&form);
	return text;
}

static void
assert_accepted_as(enum key k, const char *raw, const char *want)
{
	char *text = accepted(k, raw);

	ck_assert_pstr_eq(text, want);
	free(text);
}

START_TEST(test_form_key_names_round_trip)
{
	int k;

	for (k = 0; k < KEY__MAX; k++) {
		ck_assert_ptr_nonnull(form_key_name((enum key)k));
		ck_assert_int_eq(form_key_lookup(form_key_name((enum key)k)),
		    k);
	}
	ck_assert_str_eq(form_key_name(KEY_NEXT), "next");
	ck_assert_int_eq(form_key_lookup("email"), KEY_EMAIL);
	ck_assert_int_eq(form_key_lookup("no_such_field"), -1);
	ck_assert_int_eq(form_key_lookup(""), -1);
	ck_assert_int_eq(form_key_lookup("Email"), -1);
}
END_TEST

START_TEST(test_form_name_counts_characters_not_bytes)
{
	char *s;

	s = repeat("a", 120);
	assert_accepted_as(KEY_NAME, s, s);
	free(s);
	s = repeat("a", 121);
	ck_assert_int_eq(refused(KEY_NAME, s), FIELD_TOO_LONG);
	free(s);
	/* 120 characters in 240 bytes: a Welsh or French name gets room. */
	s = repeat("é", 120);
	ck_assert_uint_eq(strlen(s), 240);
	assert_accepted_as(KEY_NAME, s, s);
	free(s);
	s = repeat("é", 121);
	ck_assert_int_eq(refused(KEY_NAME, s), FIELD_TOO_LONG);
	free(s);
}
END_TEST

START_TEST(test_form_refuses_huge_input_before_decoding)
{
	char *s = repeat("\xff", 5000);

	/* Far too long is reported as too long, not as bad characters. */
	ck_assert_int_eq(refused(KEY_NAME, s), FIELD_TOO_LONG);
	free(s);
}
END_TEST

START_TEST(test_form_refuses_newline_in_one_line_field)
{
	ck_assert_int_eq(refused(KEY_NAME, "Ann\nLee"), FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_NAME, "Ann\rLee"), FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_ORGANISATION, "NHS\r\nTrust"),
	    FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_Q, "a\nb"), FIELD_BAD_FORMAT);
	/* Several lines are what a bio is for. */
	assert_accepted_as(KEY_BIO, "Line one\r\nLine two",
	    "Line one\r\nLine two");
}
END_TEST

START_TEST(test_form_trims_whitespace)
{
	assert_accepted_as(KEY_NAME, "  Ann Lee \t\r\n", "Ann Lee");
	assert_accepted_as(KEY_BIO, "\n\nHello\n\n", "Hello");
	assert_accepted_as(KEY_NAME, "   ", "");
	/* Trimming happens before the length check. */
	{
		char *s = repeat("a", 120), *padded;

		ck_assert_ptr_nonnull(padded = util_printf("   %s   ", s));
		assert_accepted_as(KEY_NAME, padded, s);
		free(padded);
		free(s);
	}
}
END_TEST

START_TEST(test_form_refuses_invalid_utf8_as_bad_chars)
{
	ck_assert_int_eq(refused(KEY_NAME, "Ann \xff"), FIELD_BAD_CHARS);
	ck_assert_int_eq(refused(KEY_NAME, "\xc0\xaf"), FIELD_BAD_CHARS);
	ck_assert_int_eq(refused(KEY_BIO, "\xed\xa0\x80"), FIELD_BAD_CHARS);
	ck_assert_int_eq(refused(KEY_NAME, "Ann\x1b[31m"), FIELD_BAD_CHARS);
	ck_assert_int_eq(field_error(KEY_NAME, "Ann\0Lee", 7),
	    FIELD_BAD_CHARS);
	ck_assert_int_eq(field_error(KEY_PASSWORD, "pass\0word", 9),
	    FIELD_BAD_CHARS);
}
END_TEST

START_TEST(test_form_accepts_good_emails)
{
	assert_accepted_as(KEY_EMAIL, "ann@example.org", "ann@example.org");
	assert_accepted_as(KEY_EMAIL, "ann.lee+acorn@gp.nhs.example.uk",
	    "ann.lee+acorn@gp.nhs.example.uk");
	assert_accepted_as(KEY_EMAIL, " Ann@Example.org\n",
	    "Ann@Example.org");
	/* Empty is left for the handler to call missing. */
	assert_accepted_as(KEY_EMAIL, "", "");
}
END_TEST

START_TEST(test_form_refuses_bad_email_shapes)
{
	static const char *const bad[] = {
		"ann", "ann.example.org", "@example.org", "ann@", "ann@example",
		"ann@.example.org", "ann@example.org.", "ann lee@example.org",
		"ann@exa mple.org", "a@b@example.org", "<ann@example.org>",
		"ann@example.org,bob@example.org", "ann@example.org;x",
		"\"ann\"@example.org", "ann\\@example.org",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(refused(KEY_EMAIL, bad[i]) == FIELD_BAD_FORMAT,
		    "email %s was not refused", bad[i]);
}
END_TEST

START_TEST(test_form_next_refuses_other_sites)
{
	ck_assert_int_eq(refused(KEY_NEXT, "//evil.example"), FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_NEXT, "  //evil.example"),
	    FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_NEXT, "http://x"), FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_NEXT, "https://evil.example/"),
	    FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_NEXT, "/\\x"), FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_NEXT, "evil.example"), FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_NEXT, "javascript:alert(1)"),
	    FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_NEXT, ""), FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_NEXT, "/members\r\nSet-Cookie: a=b"),
	    FIELD_BAD_FORMAT);
}
END_TEST

START_TEST(test_form_next_refuses_tab_that_browsers_strip)
{
	/*
	 * Browsers drop tabs from a Location before parsing it (WHATWG URL),
	 * so "/<TAB>/evil.example" would send a visitor to //evil.example.
	 */
	ck_assert_int_eq(refused(KEY_NEXT, "/\t/evil.example"),
	    FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_NEXT, "/\t\\evil.example"),
	    FIELD_BAD_FORMAT);
}
END_TEST

START_TEST(test_form_next_accepts_local_paths)
{
	assert_accepted_as(KEY_NEXT, "/members", "/members");
	assert_accepted_as(KEY_NEXT, "/", "/");
	assert_accepted_as(KEY_NEXT, "/members?page=2&q=leeds",
	    "/members?page=2&q=leeds");
}
END_TEST

START_TEST(test_form_group_and_region_only_from_lists)
{
	assert_accepted_as(KEY_GROUP, "vcse", "vcse");
	assert_accepted_as(KEY_GROUP, "link_worker", "link_worker");
	ck_assert_int_eq(refused(KEY_GROUP, "VCSE"), FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_GROUP, "hacker"), FIELD_BAD_FORMAT);
	assert_accepted_as(KEY_REGION, "London", "London");
	assert_accepted_as(KEY_REGION, "North East and Yorkshire",
	    "North East and Yorkshire");
	ck_assert_int_eq(refused(KEY_REGION, "london"), FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_REGION, "Atlantis"), FIELD_BAD_FORMAT);
	ck_assert_str_eq(stakeholder_label("vcse"),
	    "Voluntary and community sector");
	ck_assert_ptr_null(stakeholder_label("hacker"));
	ck_assert_ptr_null(stakeholder_label(NULL));
	ck_assert_int_eq(region_valid("Midlands"), 1);
	ck_assert_int_eq(region_valid("Mordor"), 0);
	ck_assert_int_eq(region_valid(NULL), 0);
}
END_TEST

START_TEST(test_form_numbers_bools_tokens_and_ids)
{
	struct form form;

	memset(&form, 0, sizeof(form));
	form_accept(&form, KEY_PAGE, " 7 ", 3);
	form_accept(&form, KEY_LISTED, "yes", 3);
	form_accept(&form, KEY_CONFIRM, "no", 2);
	ck_assert_int_eq(form.nerrors, 0);
	ck_assert_int_eq(form.f[KEY_PAGE].num, 7);
	ck_assert_int_eq(form.f[KEY_LISTED].num, 1);
	ck_assert_int_eq(form.f[KEY_CONFIRM].num, 0);
	form_free(&form);

	ck_assert_int_eq(refused(KEY_PAGE, "0"), FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_PAGE, "2x"), FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_PAGE, "-1"), FIELD_BAD_FORMAT);
	ck_assert_int_eq(refused(KEY_LISTED, "maybe"), FIELD_BAD_FORMAT);
	assert_accepted_as(KEY_CSRF, "abcXYZ019-_", "abcXYZ019-_");
	ck_assert_int_eq(refused(KEY_CSRF, "abc+/="), FIELD_BAD_FORMAT);
	assert_accepted_as(KEY_ID, "6f1c2b3a-9d4e-4f70-8a1b-2c3d4e5f6a7b",
	    "6f1c2b3a-9d4e-4f70-8a1b-2c3d4e5f6a7b");
	ck_assert_int_eq(refused(KEY_ID,
	    "6F1C2B3A-9D4E-4F70-8A1B-2C3D4E5F6A7B"), FIELD_BAD_FORMAT);
}
END_TEST

START_TEST(test_form_first_value_wins)
{
	struct form form;

	memset(&form, 0, sizeof(form));
	form_accept(&form, KEY_REGION, "London", 6);
	form_accept(&form, KEY_REGION, "Midlands", 8);
	ck_assert_str_eq(form.f[KEY_REGION].text, "London");
	/* A refused first value is not replaced by a second that passes. */
	form_accept(&form, KEY_NEXT, "//evil.example", 14);
	form_accept(&form, KEY_NEXT, "/members", 8);
	ck_assert_ptr_null(form.f[KEY_NEXT].text);
	ck_assert_int_eq(form.f[KEY_NEXT].error, FIELD_BAD_FORMAT);
	ck_assert_int_eq(form.nerrors, 1);
	form_free(&form);
}
END_TEST

START_TEST(test_form_password_not_trimmed)
{
	assert_accepted_as(KEY_PASSWORD, "  two spaces either side  ",
	    "  two spaces either side  ");
	assert_accepted_as(KEY_PASSWORD2, "\tsecret\n", "\tsecret\n");
}
END_TEST

START_TEST(test_form_error_text_names_the_field)
{
	char buf[256];

	form_error_text(KEY_NAME, FIELD_TOO_LONG, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Full name must be 120 characters or fewer");
	form_error_text(KEY_BIO, FIELD_TOO_LONG, buf, sizeof(buf));
	ck_assert_str_eq(buf, "About you must be 2,000 characters or fewer");
	form_error_text(KEY_EMAIL, FIELD_BAD_CHARS, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Email address contains characters that "
	    "cannot be used; type it again without them");
	form_error_text(KEY_EMAIL, FIELD_BAD_FORMAT, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Enter an email address in the correct "
	    "format, like name@example.org");
	form_error_text(KEY_REGION, FIELD_BAD_FORMAT, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Select a region from the list");
	/* A field with no message of its own gets a general one. */
	form_error_text(KEY_PASSWORD, FIELD_BAD_FORMAT, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Check what you entered");
	/* A short buffer is cut, never overrun. */
	form_error_text(KEY_NAME, FIELD_TOO_LONG, buf, 10);
	ck_assert_str_eq(buf, "Full name");
}
END_TEST

START_TEST(test_form_free_clears_fields)
{
	struct form form;
	int k;

	memset(&form, 0, sizeof(form));
	form_accept(&form, KEY_NAME, "Ann Lee", 7);
	form_accept(&form, KEY_PASSWORD, "correct horse", 13);
	form_accept(&form, KEY_BIO, "Hello", 5);
	form_free(&form);
	for (k = 0; k < KEY__MAX; k++)
		ck_assert_ptr_null(form.f[k].text);
	/* Safe to free twice, as every _free is. */
	form_free(&form);
}
END_TEST

static Suite *
form_suite(void)
{
	Suite *s = suite_create("form");
	TCase *tc;

	tc = tcase_create("text");
	tcase_add_test(tc, test_form_key_names_round_trip);
	tcase_add_test(tc, test_form_name_counts_characters_not_bytes);
	tcase_add_test(tc, test_form_refuses_huge_input_before_decoding);
	tcase_add_test(tc, test_form_refuses_newline_in_one_line_field);
	tcase_add_test(tc, test_form_trims_whitespace);
	tcase_add_test(tc, test_form_refuses_invalid_utf8_as_bad_chars);
	tcase_add_test(tc, test_form_password_not_trimmed);
	tcase_add_test(tc, test_form_first_value_wins);
	tcase_add_test(tc, test_form_error_text_names_the_field);
	tcase_add_test(tc, test_form_free_clears_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("kinds");
	tcase_add_test(tc, test_form_accepts_good_emails);
	tcase_add_test(tc, test_form_refuses_bad_email_shapes);
	tcase_add_test(tc, test_form_next_refuses_other_sites);
	tcase_add_test(tc, test_form_next_refuses_tab_that_browsers_strip);
	tcase_add_test(tc, test_form_next_accepts_local_paths);
	tcase_add_test(tc, test_form_group_and_region_only_from_lists);
	tcase_add_test(tc, test_form_numbers_bools_tokens_and_ids);
	suite_add_tcase(s, tc);
	return s;
}

/* template.c */

static char	tdir[256];

static const struct {
	const char	*name;
	const char	*html;
} tfiles[] = {
	{ "layout.html",
	    "<!DOCTYPE html>\n<html lang=\"en-GB\"><head>"
	    "<meta charset=\"utf-8\"><title data-text=\"title\">Acorn</title>"
	    "</head>\n<body>"
	    "<header><span id=\"node\" data-text=\"node_name\">Node</span>"
	    "</header>\n<main id=\"main\" data-content><div data-if=\"notice\">"
	    "<em data-text=\"notice\">Layout notice</em></div>"
	    "</main>\n</body></html>\n" },
	{ "chart.html",
	    "<html><body><div data-each=\"charts\"><h2 data-text=\"chart_title\">"
	    "T</h2><svg role=\"img\" data-set-viewbox=\"viewbox\">"
	    "<g data-each=\"rows\"><text x=\"0\" data-set-y=\"label_y\" "
	    "data-text=\"row_label\">L</text><rect data-each=\"segments\" "
	    "data-set-x=\"x\" data-set-y=\"y\" data-set-width=\"width\" "
	    "data-set-height=\"height\" data-set-class=\"fill_class\">"
	    "<title data-text=\"tip\">tip</title></rect></g></svg>"
	    "<table><tr data-each=\"rows\"><th data-text=\"row_label\">L</th>"
	    "<td data-each=\"cells\" data-text=\"value\">0</td></tr></table>"
	    "</div></body></html>\n" },
	{ "chart_table.html",
	    "<html><body><div data-each=\"charts\"><svg role=\"img\" "
	    "data-set-aria-label=\"chart_summary\"></svg><table>"
	    "<tr data-each=\"rows\"><td data-each=\"cells\"><a "
	    "data-if=\"cell_href\" data-set-href=\"cell_href\" "
	    "data-text=\"value\">0</a><span data-unless=\"cell_href\" "
	    "data-text=\"value\">0</span></td></tr></table></div>"
	    "</body></html>\n" },
	{ "text.html",
	    "<html><body><p id=\"t\" data-text=\"msg\">Placeholder</p>"
	    "<p id=\"u\" data-text=\"unset\">Placeholder</p></body></html>\n" },
	{ "script.html",
	    "<html><body><script id=\"s\" data-text=\"code\">var ready = 1;"
	    "</script><style id=\"st\" data-text=\"code\">p { }</style>"
	    "</body></html>\n" },
	{ "link.html",
	    "<html><body><a id=\"l\" data-set-href=\"url\">Link</a>"
	    "<a id=\"keep\" href=\"/fixed\" data-set-href=\"unset\">Kept</a>"
	    "<form id=\"f\" method=\"post\" data-set-action=\"url\"></form>"
	    "</body></html>\n" },
	{ "form.html",
	    "<html><body><form>\n"
	    "<input id=\"i\" name=\"name\" data-set-value=\"v\">\n"
	    "<input id=\"c1\" type=\"checkbox\" data-checked=\"on1\">\n"
	    "<input id=\"c2\" type=\"checkbox\" checked data-checked=\"on2\">\n"
	    "<select id=\"sel\" name=\"group\" data-value=\"pick\">"
	    "<option value=\"\">Choose</option>"
	    "<option value=\"fixed\" selected>Fixed</option>"
	    "<option data-each=\"opts\" data-set-value=\"code\" "
	    "data-text=\"label\">Option</option></select>\n"
	    "<div id=\"d\" class=\"group\" data-add-class=\"group--error err\">"
	    "<input id=\"a\" "
	    "data-attr-if=\"aria-describedby hint err-msg err\">"
	    "</div>\n</form></body></html>\n" },
	{ "cond.html",
	    "<html><body><p id=\"yes\" data-if=\"flag\">Shown</p>"
	    "<p id=\"no\" data-unless=\"flag\">Other</p></body></html>\n" },
	{ "list.html",
	    "<html><body><ul><li data-each=\"people\"><b data-text=\"name\">N"
	    "</b>/<i data-text=\"region\">R</i></li></ul>\n"
	    "<dl><dd data-each=\"people\" data-if=\"listed\" "
	    "data-text=\"name\">N</dd></dl>\n"
	    "<p id=\"after\">After</p></body></html>\n" },
};

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	ck_assert_ptr_nonnull(path = util_printf("%s/%s", dir, name));
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	free(path);
}

static void
remove_file(const char *dir, const char *name)
{
	char *path = util_printf("%s/%s", dir, name);

	if (path != NULL)
		unlink(path);
	free(path);
}

static void
make_tempdir(char *buf, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, len, "%s/acorn-unit-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

static void
templates_setup(void)
{
	size_t i;

	make_tempdir(tdir, sizeof(tdir));
	for (i = 0; i < sizeof(tfiles) / sizeof(tfiles[0]); i++)
		write_file(tdir, tfiles[i].name, tfiles[i].html);
	ck_assert_int_eq(templates_load(tdir), 0);
}

static void
templates_teardown(void)
{
	size_t i;

	templates_free();
	for (i = 0; i < sizeof(tfiles) / sizeof(tfiles[0]); i++)
		remove_file(tdir, tfiles[i].name);
	rmdir(tdir);
}

static char *
render(const char *name, const struct view *v)
{
	char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(template_render(name, v, &out, &len), 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(strlen(out), len);
	return out;
}

/* The output read back as a browser would, to look at attributes. */
static htmlDocPtr
reparse(const char *html)
{
	htmlDocPtr d;

	d = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	ck_assert_ptr_nonnull(d);
	return d;
}

static xmlNodePtr
by_id(xmlNodePtr n, const char *id)
{
	xmlNodePtr hit;
	xmlChar *v;
	int match;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		v = xmlGetProp(n, BAD_CAST "id");
		match = v != NULL && strcmp((char *)v, id) == 0;
		xmlFree(v);
		if (match)
			return n;
		if ((hit = by_id(n->children, id)) != NULL)
			return hit;
	}
	return NULL;
}

static int
has_id(const char *html, const char *id)
{
	htmlDocPtr d = reparse(html);
	int found = by_id(xmlDocGetRootElement(d), id) != NULL;

	xmlFreeDoc(d);
	return found;
}

/* Attribute a of element #id as a browser sees it, malloc'd, or NULL. */
static char *
attr_of(const char *html, const char *id, const char *a)
{
	htmlDocPtr d = reparse(html);
	xmlNodePtr n = by_id(xmlDocGetRootElement(d), id);
	xmlAttrPtr p;
	xmlChar *v;
	char *s = NULL;

	ck_assert_msg(n != NULL, "no element #%s", id);
	if ((p = xmlHasProp(n, BAD_CAST a)) != NULL) {
		v = xmlNodeGetContent((xmlNodePtr)p);
		s = strdup(v != NULL ? (char *)v : "");
		xmlFree(v);
	}
	xmlFreeDoc(d);
	return s;
}

static void
assert_attr(const char *html, const char *id, const char *a,
    const char *want)
{
	char *got = attr_of(html, id, a);

	ck_assert_pstr_eq(got, want);
	free(got);
}

static void
collect(xmlNodePtr n, const char *tag, int selected, char *buf, size_t len)
{
	xmlChar *v;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcasecmp(n->name, BAD_CAST tag) == 0 &&
		    (!selected || xmlHasProp(n, BAD_CAST "selected") != NULL)) {
			v = selected ? xmlGetProp(n, BAD_CAST "value") :
			    xmlNodeGetContent(n);
			if (*buf != '\0')
				strncat(buf, "|", len - strlen(buf) - 1);
			strncat(buf, v != NULL ? (char *)v : "",
			    len - strlen(buf) - 1);
			xmlFree(v);
		}
		collect(n->children, tag, selected, buf, len);
	}
}

/* The text of every <tag>, joined with '|'. */
static void
texts_of(const char *html, const char *tag, char *buf, size_t len)
{
	htmlDocPtr d = reparse(html);

	*buf = '\0';
	collect(xmlDocGetRootElement(d), tag, 0, buf, len);
	xmlFreeDoc(d);
}

/* The values of the selected options, joined with '|'. */
static void
selected_of(const char *html, char *buf, size_t len)
{
	htmlDocPtr d = reparse(html);

	*buf = '\0';
	collect(xmlDocGetRootElement(d), "option", 1, buf, len);
	xmlFreeDoc(d);
}

START_TEST(test_template_puts_page_into_layout)
{
	struct view *v = view_new();
	char *out, buf[256];

	view_set(v, "title", "Members");
	view_set(v, "node_name", "Acorn London");
	view_set(v, "msg", "Hello");
	out = render("text", v);
	/* What the layout's slot holds is kept, before the page. */
	ck_assert_ptr_null(strstr(out, "Layout notice"));
	ck_assert_ptr_nonnull(strstr(out, "<!DOCTYPE html>"));
	texts_of(out, "title", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Members");
	texts_of(out, "main", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Hello");
	texts_of(out, "header", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Acorn London");
	/* The template's own instructions never reach the browser. */
	ck_assert_ptr_null(strstr(out, "data-"));
	free(out);
	view_set(v, "notice", "Saved");
	out = render("text", v);
	ck_assert_ptr_nonnull(strstr(out, "Saved"));
	ck_assert_ptr_nonnull(strstr(out, "Hello"));
	ck_assert(strstr(out, "Saved") < strstr(out, "Hello"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_escapes_text)
{
	struct view *v = view_new();
	char *out, buf[256];

	view_set(v, "msg", "<script>alert(\"x\")</script> & 'quotes'");
	out = render("text", v);
	ck_assert_ptr_null(strstr(out, "<script"));
	ck_assert_ptr_nonnull(strstr(out, "&lt;script&gt;"));
	ck_assert_ptr_nonnull(strstr(out, "&amp; "));
	texts_of(out, "p", buf, sizeof(buf));
	/* The browser sees exactly the text that was set. */
	ck_assert_str_eq(buf, "<script>alert(\"x\")</script> & 'quotes'|");
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_text_unset_empties_element)
{
	struct view *v = view_new();
	char *out;

	out = render("text", v);
	ck_assert_ptr_null(strstr(out, "Placeholder"));
	ck_assert_int_eq(has_id(out, "u"), 1);
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_keeps_utf8_text)
{
	static const char name[] =
	    "Gwenllïan ap Siôn — اردو \xf0\x9f\x8c\xb0";
	struct view *v = view_new();
	char *out;

	view_set(v, "msg", name);
	out = render("text", v);
	ck_assert_ptr_nonnull(strstr(out, name));
	ck_assert_ptr_null(strstr(out, "&#"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_refuses_text_in_script)
{
	struct view *v = view_new();
	char *out;

	view_set(v, "code", "alert(document.cookie)");
	out = render("script", v);
	ck_assert_ptr_null(strstr(out, "alert"));
	ck_assert_ptr_null(strstr(out, "var ready"));
	ck_assert_int_eq(has_id(out, "s"), 1);
	ck_assert_int_eq(has_id(out, "st"), 1);
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_href_refuses_javascript)
{
	static const char *const bad[] = {
		"javascript:alert(1)", "JaVaScRiPt:alert(1)",
		" JaVaScRiPt:alert(1)", "\tjavascript:alert(1)",
		"  \n javascript:alert(1)", "java\tscript:alert(1)",
		"vbscript:msgbox(1)",
		"data:text/html,<script>alert(1)</script>",
		"javascript:alert(1)//http://example.org/",
	};
	struct view *v;
	char *out;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = view_new();
		view_set(v, "url", bad[i]);
		out = render("link", v);
		assert_attr(out, "l", "href", "#");
		assert_attr(out, "f", "action", "#");
		ck_assert_msg(strstr(out, "alert") == NULL &&
		    strstr(out, "msgbox") == NULL, "%s reached the page",
		    bad[i]);
		free(out);
		view_free(v);
	}
}
END_TEST

START_TEST(test_template_href_keeps_safe_urls)
{
	static const char *const good[] = {
		"/members", "/members?page=2", "https://node.example.org/m",
		"http://example.org/", "mailto:ann@example.org", "#main",
		"member/6f1c2b3a",
	};
	struct view *v;
	char *out;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = view_new();
		view_set(v, "url", good[i]);
		out = render("link", v);
		assert_attr(out, "l", "href", good[i]);
		free(out);
		view_free(v);
	}
	/* An unset key leaves the template's own attribute alone. */
	v = view_new();
	out = render("link", v);
	assert_attr(out, "keep", "href", "/fixed");
	assert_attr(out, "l", "href", NULL);
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_value_attribute_holds_quotes)
{
	static const char tricky[] =
	    "x\" onfocus=\"alert(1)\" a='b' <i>&amp;";
	struct view *v = view_new();
	char *out;

	view_set(v, "v", tricky);
	out = render("form", v);
	assert_attr(out, "i", "value", tricky);
	assert_attr(out, "i", "onfocus", NULL);
	assert_attr(out, "i", "a", NULL);
	ck_assert_ptr_null(strstr(out, "<i>"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_if_and_unless)
{
	struct view *v = view_new();
	char *out;

	view_flag(v, "flag", 1);
	out = render("cond", v);
	ck_assert_int_eq(has_id(out, "yes"), 1);
	ck_assert_int_eq(has_id(out, "no"), 0);
	free(out);

	view_flag(v, "flag", 0);
	out = render("cond", v);
	ck_assert_int_eq(has_id(out, "yes"), 0);
	ck_assert_int_eq(has_id(out, "no"), 1);
	free(out);

	/* Text counts as true when it is not empty. */
	view_set(v, "flag", "");
	out = render("cond", v);
	ck_assert_int_eq(has_id(out, "yes"), 0);
	free(out);
	view_set(v, "flag", "yes");
	out = render("cond", v);
	ck_assert_int_eq(has_id(out, "yes"), 1);
	ck_assert_int_eq(has_id(out, "no"), 0);
	free(out);
	view_free(v);

	/* And an unknown key is false. */
	v = view_new();
	out = render("cond", v);
	ck_assert_int_eq(has_id(out, "yes"), 0);
	ck_assert_int_eq(has_id(out, "no"), 1);
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_each_repeats_with_parent_fallback)
{
	struct view *v = view_new(), *it;
	char *out, buf[256];

	view_set(v, "region", "London");
	it = view_add(v, "people");
	view_set(it, "name", "Ann <Lee>");
	view_flag(it, "listed", 1);
	it = view_add(v, "people");
	view_set(it, "name", "Bryn");
	view_set(it, "region", "Wales");
	it = view_add(v, "people");
	view_set(it, "name", "Chidi");
	view_flag(it, "listed", 1);
	out = render("list", v);
	texts_of(out, "li", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Ann <Lee>/London|Bryn/Wales|Chidi/London");
	/* A condition on the repeated element is asked of each item. */
	texts_of(out, "dd", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Ann <Lee>|Chidi");
	ck_assert_int_eq(has_id(out, "after"), 1);
	ck_assert_ptr_null(strstr(out, "data-"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_each_with_no_items_leaves_nothing)
{
	struct view *v = view_new();
	char *out, buf[64];

	out = render("list", v);
	texts_of(out, "li", buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	ck_assert_ptr_null(strstr(out, "<li"));
	ck_assert_int_eq(has_id(out, "after"), 1);
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_checked_follows_flag)
{
	struct view *v = view_new();
	char *out, *checked;

	view_flag(v, "on1", 1);
	view_flag(v, "on2", 0);
	out = render("form", v);
	checked = attr_of(out, "c1", "checked");
	ck_assert_ptr_nonnull(checked);
	free(checked);
	assert_attr(out, "c2", "checked", NULL);
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_value_selects_option_from_each)
{
	struct view *v = view_new(), *it;
	char *out, buf[128];

	it = view_add(v, "opts");
	view_set(it, "code", "gp");
	view_set(it, "label", "GP or primary care");
	it = view_add(v, "opts");
	view_set(it, "code", "vcse");
	view_set(it, "label", "Voluntary and community sector");
	view_set(v, "pick", "vcse");
	out = render("form", v);
	/* One selection only: the template's own one is taken away. */
	selected_of(out, buf, sizeof(buf));
	ck_assert_str_eq(buf, "vcse");
	texts_of(out, "option", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Choose|Fixed|GP or primary care|"
	    "Voluntary and community sector");
	free(out);

	view_set(v, "pick", "nobody");
	out = render("form", v);
	selected_of(out, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_add_class_and_attr_if)
{
	struct view *v = view_new();
	char *out;

	out = render("form", v);
	assert_attr(out, "d", "class", "group");
	assert_attr(out, "a", "aria-describedby", NULL);
	free(out);

	view_set(v, "err", "Enter your full name");
	out = render("form", v);
	assert_attr(out, "d", "class", "group group--error");
	assert_attr(out, "a", "aria-describedby", "hint err-msg");
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_copies_per_render)
{
	struct view *v = view_new();
	char *out;

	view_set(v, "msg", "first visitor's secret");
	out = render("text", v);
	free(out);
	view_free(v);
	v = view_new();
	view_set(v, "msg", "second");
	out = render("text", v);
	ck_assert_ptr_null(strstr(out, "first visitor"));
	ck_assert_ptr_nonnull(strstr(out, "second"));
	free(out);
	view_free(v);
}
END_TEST

START_TEST(test_template_unknown_name_fails)
{
	struct view *v = view_new();
	char *out = (char *)"untouched";
	size_t len = 0;

	ck_assert_int_eq(template_render("no_such_page", v, &out, &len), -1);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(template_render("layout", v, &out, &len), -1);
	view_free(v);
}
END_TEST

START_TEST(test_templates_load_needs_layout)
{
	char dir[256];

	/* Runs after the fixture's load: the earlier set is dropped first. */
	templates_free();
	make_tempdir(dir, sizeof(dir));
	write_file(dir, "page.html", "<html><body><p>x</p></body></html>");
	ck_assert_int_eq(templates_load(dir), -1);
	remove_file(dir, "page.html");
	rmdir(dir);
}
END_TEST

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
	/* 372 units of bar for the largest total, 4: 279 and 93. */
	ck_assert_ptr_nonnull(strstr(out, "x=\"220.0\" y=\"8\" width=\"279.0\""));
	ck_assert_ptr_nonnull(strstr(out, "x=\"499.0\" y=\"8\" width=\"93.0\""));
	ck_assert_ptr_nonnull(strstr(out, "x=\"220.0\" y=\"50\" width=\"93.0\""));
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

/*
 * A block left open swallows every rule after it into the block's media
 * query: the charts lost their colours on narrow screens that way.
 */
START_TEST(test_stylesheet_every_block_closes)
{
	const char *dir = getenv("ACORN_DATADIR");
	char *path, *css, *p;
	size_t len;
	long depth = 0;

	if (dir == NULL || *dir == '\0')
		return;		/* run outside make check: nothing to read */
	path = util_printf("%s/templates/static/acorn.css", dir);
	ck_assert_ptr_nonnull(path);
	ck_assert_int_eq(util_read_file(path, &css, &len, 1 << 20), 0);
	for (p = css; *p != '\0'; p++) {
		if (p[0] == '/' && p[1] == '*') {
			ck_assert_ptr_nonnull(p = strstr(p + 2, "*/"));
			p++;
		} else if (*p == '{')
			depth++;
		else if (*p == '}')
			ck_assert_int_ge(--depth, 0);
	}
	ck_assert_int_eq(depth, 0);
	free(css);
	free(path);
}
END_TEST

static Suite *
template_suite(void)
{
	Suite *s = suite_create("template");
	TCase *tc;

	tc = tcase_create("render");
	tcase_add_checked_fixture(tc, templates_setup, templates_teardown);
	tcase_add_test(tc, test_chart_bars_scale_to_the_largest_row);
	tcase_add_test(tc, test_chart_numbers_link_to_the_list_behind_them);
	tcase_add_test(tc, test_template_puts_page_into_layout);
	tcase_add_test(tc, test_template_escapes_text);
	tcase_add_test(tc, test_template_text_unset_empties_element);
	tcase_add_test(tc, test_template_keeps_utf8_text);
	tcase_add_test(tc, test_template_refuses_text_in_script);
	tcase_add_test(tc, test_template_href_refuses_javascript);
	tcase_add_test(tc, test_template_href_keeps_safe_urls);
	tcase_add_test(tc, test_template_value_attribute_holds_quotes);
	tcase_add_test(tc, test_template_if_and_unless);
	tcase_add_test(tc, test_template_each_repeats_with_parent_fallback);
	tcase_add_test(tc, test_template_each_with_no_items_leaves_nothing);
	tcase_add_test(tc, test_template_checked_follows_flag);
	tcase_add_test(tc, test_template_value_selects_option_from_each);
	tcase_add_test(tc, test_template_add_class_and_attr_if);
	tcase_add_test(tc, test_template_copies_per_render);
	tcase_add_test(tc, test_template_unknown_name_fails);
	tcase_add_test(tc, test_templates_load_needs_layout);
	suite_add_tcase(s, tc);

	tc = tcase_create("stylesheet");
	tcase_add_test(tc, test_stylesheet_every_block_closes);
	suite_add_tcase(s, tc);
	return s;
}

/* session.c */

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

static Suite *
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
	suite_add_tcase(s, tc);
	return s;
}

/* password.c: the cheapest costs Argon2id allows here, to stay quick. */

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

static Suite *
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

/* config.c */

START_TEST(test_config_set_accepts_valid_values)
{
	struct config c;

	config_defaults(&c);
	ck_assert_int_eq(config_set(&c, "region", "North West"), 0);
	ck_assert_str_eq(c.region, "North West");
	ck_assert_int_eq(config_set(&c, "threads", "8"), 0);
	ck_assert_int_eq(c.threads, 8);
	ck_assert_int_eq(config_set(&c, "node_name", "Acorn North West"), 0);
	ck_assert_str_eq(c.node_name, "Acorn North West");
	ck_assert_int_eq(config_set(&c, "open_joining", "yes"), 0);
	ck_assert_int_eq(c.open_joining, 1);
	ck_assert_int_eq(config_set(&c, "max_body", "131072"), 0);
	ck_assert_int_eq(c.max_body, 131072);
	ck_assert_int_eq(config_set(&c, "log_level", "debug"), 0);
	ck_assert_int_eq(c.log_level, LOG_DEBUG);
	ck_assert_int_eq(config_set(&c, "argon2_memory", "65536"), 0);
	ck_assert_int_eq(c.argon2_m, 65536);
	config_free(&c);
}
END_TEST

START_TEST(test_config_set_refuses_bad_values)
{
	struct config c;

	config_defaults(&c);
	ck_assert_int_eq(config_set(&c, "region", "Atlantis"), -1);
	ck_assert_str_eq(c.region, "London");
	ck_assert_int_eq(config_set(&c, "public_url", "ftp://node.example"),
	    -1);
	ck_assert_int_eq(config_set(&c, "public_url", "node.example.org"), -1);
	ck_assert_str_eq(c.public_url, "http://127.0.0.1:8080");
	ck_assert_int_eq(config_set(&c, "threads", "0"), -1);
	ck_assert_int_eq(config_set(&c, "threads", "257"), -1);
	ck_assert_int_eq(config_set(&c, "threads", "four"), -1);
	ck_assert_int_eq(c.threads, 4);
	ck_assert_int_eq(config_set(&c, "open_joining", "perhaps"), -1);
	ck_assert_int_eq(config_set(&c, "log_level", "loud"), -1);
	ck_assert_int_eq(config_set(&c, "max_body", "10"), -1);
	ck_assert_int_eq(config_set(&c, "session_idle", "59"), -1);
	ck_assert_int_eq(config_set(&c, "no_such_key", "1"), -1);
	ck_assert_int_eq(config_set(&c, "", "1"), -1);
	config_free(&c);
}
END_TEST

START_TEST(test_config_https_public_url_sets_secure_cookies)
{
	struct config c;

	config_defaults(&c);
	ck_assert_int_eq(c.secure_cookies, 0);
	ck_assert_int_eq(config_set(&c, "public_url",
	    "https://london.acorn.example"), 0);
	ck_assert_str_eq(c.public_url, "https://london.acorn.example");
	ck_assert_int_eq(c.secure_cookies, 1);
	ck_assert_int_eq(config_set(&c, "public_url",
	    "http://127.0.0.1:8081"), 0);
	ck_assert_int_eq(c.secure_cookies, 0);
	config_free(&c);
}
END_TEST

START_TEST(test_config_load_reads_comments_and_spaces)
{
	char dir[256], *path;
	struct config c;

	make_tempdir(dir, sizeof(dir));
	write_file(dir, "acorn.conf",
	    "# Acorn node\n"
	    "\n"
	    "   # an indented comment\n"
	    "database = host=127.0.0.1 dbname=acorn_test\n"
	    "  node_name=Acorn  Midlands  \n"
	    "region\t=\tMidlands\n"
	    "public_url = https://midlands.acorn.example\n"
	    "threads = 2\n"
	    "open_joining = no\n"
	    "session_idle = 600\n"
	    "session_max = 3600\n");
	ck_assert_ptr_nonnull(path = util_printf("%s/acorn.conf", dir));
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path), 0);
	ck_assert_str_eq(c.path, path);
	ck_assert_str_eq(c.database, "host=127.0.0.1 dbname=acorn_test");
	ck_assert_str_eq(c.node_name, "Acorn  Midlands");
	ck_assert_str_eq(c.region, "Midlands");
	ck_assert_int_eq(c.secure_cookies, 1);
	ck_assert_int_eq(c.threads, 2);
	ck_assert_int_eq(c.open_joining, 0);
	ck_assert_int_eq(c.session_idle, 600);
	ck_assert_int_eq(c.session_max, 3600);
	/* Keys the file leaves out keep their defaults. */
	ck_assert_str_eq(c.listen, "127.0.0.1:8080");
	config_free(&c);
	remove_file(dir, "acorn.conf");
	rmdir(dir);
	free(path);
}
END_TEST

START_TEST(test_config_load_refuses_line_without_equals)
{
	char dir[256], *path;
	struct config c;

	make_tempdir(dir, sizeof(dir));
	write_file(dir, "acorn.conf", "database = dbname=acorn\nthreads 4\n");
	ck_assert_ptr_nonnull(path = util_printf("%s/acorn.conf", dir));
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path), -1);
	config_free(&c);
	remove_file(dir, "acorn.conf");
	rmdir(dir);
	free(path);
}
END_TEST

START_TEST(test_config_load_refuses_bad_value_and_idle_over_max)
{
	char dir[256], *path;
	struct config c;

	make_tempdir(dir, sizeof(dir));
	ck_assert_ptr_nonnull(path = util_printf("%s/acorn.conf", dir));
	write_file(dir, "acorn.conf", "region = Atlantis\n");
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path), -1);
	config_free(&c);
	remove_file(dir, "acorn.conf");

	write_file(dir, "acorn.conf",
	    "session_idle = 7200\nsession_max = 3600\n");
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path), -1);
	config_free(&c);
	remove_file(dir, "acorn.conf");

	/* And a file that is not there. */
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path), -1);
	config_free(&c);
	rmdir(dir);
	free(path);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("settings");
	tcase_add_test(tc, test_config_set_accepts_valid_values);
	tcase_add_test(tc, test_config_set_refuses_bad_values);
	tcase_add_test(tc, test_config_https_public_url_sets_secure_cookies);
	tcase_add_test(tc, test_config_load_reads_comments_and_spaces);
	tcase_add_test(tc, test_config_load_refuses_line_without_equals);
	tcase_add_test(tc,
	    test_config_load_refuses_bad_value_and_idle_over_max);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(util_suite());
	srunner_add_suite(sr, form_suite());
	srunner_add_suite(sr, template_suite());
	srunner_add_suite(sr, session_suite());
	srunner_add_suite(sr, password_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, csv_suite());
	srunner_add_suite(sr, mail_unit_suite());
	srunner_add_suite(sr, markdown_suite());
	srunner_add_suite(sr, routes_suite());
	srunner_add_suite(sr, calendar_suite());
	srunner_add_suite(sr, diff_suite());
	srunner_add_suite(sr, federation_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
