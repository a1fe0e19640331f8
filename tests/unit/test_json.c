/*
 * Unit tests for json.c: strings come back as the same characters once
 * escaped, the layout is the one a person reads, numbers are JSON's or
 * strings, and calls that would not make one JSON value give nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core.h"
#include "unit.h"

/* s written as a lone JSON string. */
static char *
string_of(const char *s)
{
	struct json j;
	size_t len;

	json_init(&j);
	json_string(&j, s);
	return json_finish(&j, &len);
}

static void
assert_string(const char *in, const char *want)
{
	char *out = string_of(in);

	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, want);
	free(out);
}

START_TEST(test_json_escapes_quotes_backslashes_and_controls)
{
	assert_string("plain", "\"plain\"\n");
	assert_string("say \"hi\"", "\"say \\\"hi\\\"\"\n");
	assert_string("C:\\temp", "\"C:\\\\temp\"\n");
	assert_string("a\nb\tc\rd", "\"a\\nb\\tc\\rd\"\n");
	assert_string("\b\f", "\"\\b\\f\"\n");
	assert_string("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"\n");
	/* Not characters that end a JSON string, but they end a JS line. */
	assert_string("x\xe2\x80\xa8y\xe2\x80\xa9", "\"x\\u2028y\\u2029\"\n");
	assert_string("</script>", "\"</script>\"\n");
}
END_TEST

START_TEST(test_json_keeps_utf8_and_replaces_what_is_not)
{
	assert_string("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x8c\xb3",
	    "\"Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x8c\xb3\"\n");
	assert_string("a\xff" "b", "\"a\\ufffdb\"\n");
	/* A sequence cut short, an overlong and a surrogate. */
	assert_string("\xe2\x82", "\"\\ufffd\"\n");
	assert_string("\xc0\xaf", "\"\\ufffd\\ufffd\"\n");
	assert_string("\xed\xa0\x80", "\"\\ufffd\"\n");
}
END_TEST

START_TEST(test_json_objects_and_arrays_are_indented)
{
	struct json j;
	char *out;
	size_t len;

	json_init(&j);
	json_open(&j, '{');
	json_key(&j, "name");
	json_string(&j, "Ann");
	json_key(&j, "listed");
	json_bool(&j, 1);
	json_key(&j, "bio");
	json_string(&j, NULL);
	json_key(&j, "places");
	json_number(&j, "2");
	json_key(&j, "tags");
	json_open(&j, '[');
	json_string(&j, "a");
	json_bool(&j, 0);
	json_close(&j);
	json_key(&j, "empty");
	json_open(&j, '[');
	json_close(&j);
	json_key(&j, "record");
	json_raw(&j, "{\"year\": 2026}");
	json_close(&j);
	out = json_finish(&j, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "{\n"
	    "  \"name\": \"Ann\",\n"
	    "  \"listed\": true,\n"
	    "  \"bio\": null,\n"
	    "  \"places\": 2,\n"
	    "  \"tags\": [\n"
	    "    \"a\",\n"
	    "    false\n"
	    "  ],\n"
	    "  \"empty\": [],\n"
	    "  \"record\": {\"year\": 2026}\n"
	    "}\n");
	ck_assert_uint_eq(len, strlen(out));
	free(out);
}
END_TEST

START_TEST(test_json_numbers_are_json_or_strings)
{
	static const char *const good[] = { "0", "-0", "12", "-3.25",
	    "1e10", "2.5E-3", "6.02e+23", NULL };
	static const char *const bad[] = { "", "-", "01", "1.", ".5", "+1",
	    "1e", "NaN", "Infinity", "-Infinity", "0x10", "1 ", NULL };
	struct json j;
	char *out;
	size_t len;
	int i;

	for (i = 0; good[i] != NULL; i++)
		ck_assert_msg(json_number_valid(good[i]), "%s", good[i]);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(!json_number_valid(bad[i]), "%s", bad[i]);
	json_init(&j);
	json_open(&j, '[');
	json_number(&j, "42");
	json_number(&j, "NaN");
	json_number(&j, NULL);
	json_close(&j);
	out = json_finish(&j, &len);
	ck_assert_str_eq(out, "[\n  42,\n  \"NaN\",\n  null\n]\n");
	free(out);
}
END_TEST

START_TEST(test_json_misuse_gives_nothing)
{
	struct json j;
	size_t len;
	int i;

	/* A key outside an object. */
	json_init(&j);
	json_open(&j, '[');
	json_key(&j, "k");
	json_close(&j);
	ck_assert_ptr_null(json_finish(&j, &len));
	/* Left open. */
	json_init(&j);
	json_open(&j, '{');
	ck_assert_ptr_null(json_finish(&j, &len));
	/* A key with no value. */
	json_init(&j);
	json_open(&j, '{');
	json_key(&j, "k");
	json_close(&j);
	ck_assert_ptr_null(json_finish(&j, &len));
	/* A value in an object with no name, of every kind. */
	json_init(&j);
	json_open(&j, '{');
	json_string(&j, "no name");
	json_close(&j);
	ck_assert_ptr_null(json_finish(&j, &len));
	json_init(&j);
	json_open(&j, '{');
	json_key(&j, "k");
	json_null(&j);
	json_number(&j, "1");
	json_close(&j);
	ck_assert_ptr_null(json_finish(&j, &len));
	json_init(&j);
	json_open(&j, '{');
	json_open(&j, '[');
	json_close(&j);
	json_close(&j);
	ck_assert_ptr_null(json_finish(&j, &len));
	json_init(&j);
	json_open(&j, '{');
	json_bool(&j, 1);
	json_raw(&j, "{}");
	json_close(&j);
	ck_assert_ptr_null(json_finish(&j, &len));
	/* Two values at the top. */
	json_init(&j);
	json_null(&j);
	json_null(&j);
	ck_assert_ptr_null(json_finish(&j, &len));
	/* Closed once too often. */
	json_init(&j);
	json_open(&j, '[');
	json_close(&j);
	json_close(&j);
	ck_assert_ptr_null(json_finish(&j, &len));
	/* Nothing at all. */
	json_init(&j);
	ck_assert_ptr_null(json_finish(&j, &len));
	/* Deeper than JSON_DEPTH. */
	json_init(&j);
	for (i = 0; i <= JSON_DEPTH; i++)
		json_open(&j, '[');
	for (i = 0; i <= JSON_DEPTH; i++)
		json_close(&j);
	ck_assert_ptr_null(json_finish(&j, &len));
	json_free(&j);
}
END_TEST

Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");

	tcase_add_test(tc, test_json_escapes_quotes_backslashes_and_controls);
	tcase_add_test(tc, test_json_keeps_utf8_and_replaces_what_is_not);
	tcase_add_test(tc, test_json_objects_and_arrays_are_indented);
	tcase_add_test(tc, test_json_numbers_are_json_or_strings);
	tcase_add_test(tc, test_json_misuse_gives_nothing);
	suite_add_tcase(s, tc);
	return s;
}
