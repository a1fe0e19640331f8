/*
 * Unit tests for util.c: UTF-8 checks, base64url, tokens and ids,
 * constant-time comparison, and sizes and numbers as text.
 */
#include <limits.h>
#include <string.h>

#include <check.h>

#include "core.h"
#include "unit.h"

static int
utf8_ok(const char *s)
{
	return util_utf8_valid(s, strlen(s));
}

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
	/* What util_token makes has the shape util_token_valid takes. */
	ck_assert(util_token_valid(a));
	ck_assert(!util_token_valid(NULL));
	a[42] = '+';
	ck_assert(!util_token_valid(a));
	b[42] = '\0';
	ck_assert(!util_token_valid(b));
	ck_assert(!util_token_valid(""));
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

/* Postcodes as people type them, written as Royal Mail writes them. */
START_TEST(test_postcode_normal_accepts_every_shape_in_any_spacing)
{
	static const char *const good[][2] = {
		{ "m1 1ae", "M1 1AE" }, { "M60 1NW", "M60 1NW" },
		{ "cr26xh", "CR2 6XH" }, { "DN55 1PT", "DN55 1PT" },
		{ "w1a 1hq", "W1A 1HQ" }, { " EC1A  1BB ", "EC1A 1BB" },
		{ "sw1a2aa", "SW1A 2AA" },
	};
	char out[POSTCODE_LEN + 1];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_int_eq(postcode_normal(good[i][0], out), 0);
		ck_assert_str_eq(out, good[i][1]);
	}
}
END_TEST

START_TEST(test_postcode_normal_refuses_what_is_not_a_postcode)
{
	static const char *const bad[] = {
		"", "M1", "1M1 1AE", "M1 AAE", "M1 1A1", "MMM1 1AE",
		"M1A1 1AE", "M1-1AE", "M1 1AE X", "ÅM1 1AE", "M1 1AEE",
		"<script>", "M11A 1AE1",
	};
	char out[POSTCODE_LEN + 1];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(postcode_normal(bad[i], out) == -1,
		    "took \"%s\"", bad[i]);
}
END_TEST

Suite *
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

	tc = tcase_create("postcodes");
	tcase_add_test(tc, test_postcode_normal_accepts_every_shape_in_any_spacing);
	tcase_add_test(tc, test_postcode_normal_refuses_what_is_not_a_postcode);
	suite_add_tcase(s, tc);
	return s;
}
