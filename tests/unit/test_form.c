/*
 * Unit tests for form.c: every field checked against its kind before a
 * handler sees it, and fields sent once per ticked checkbox.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "web.h"
#include "unit.h"

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

/*
 * Fields that carry a row's id take any id the database can give, not
 * only the first hundred thousand: a session numbered 100001 can still
 * be ended.
 */
START_TEST(test_form_row_ids_take_any_positive_long)
{
	static const enum key ids[] = { KEY_SESSION, KEY_PEER, KEY_PLACE,
	    KEY_QUESTION };
	struct form form;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		memset(&form, 0, sizeof(form));
		form_accept(&form, ids[i], "100001", 6);
		form_accept(&form, KEY_PAGE, "100001", 6);
		ck_assert_int_eq(form.f[ids[i]].num, 100001);
		ck_assert_int_eq(form.f[KEY_PAGE].error, FIELD_BAD_FORMAT);
		form_free(&form);
		memset(&form, 0, sizeof(form));
		form_accept(&form, ids[i], "9223372036854775807", 19);
		ck_assert_int_eq(form.nerrors, 0);
		ck_assert(form.f[ids[i]].num == 9223372036854775807L);
		form_free(&form);
		ck_assert_int_eq(refused(ids[i], "0"), FIELD_BAD_FORMAT);
		ck_assert_int_eq(refused(ids[i], "-5"), FIELD_BAD_FORMAT);
		ck_assert_int_eq(refused(ids[i], "12a"), FIELD_BAD_FORMAT);
		ck_assert_int_eq(refused(ids[i], "9223372036854775808"),
		    FIELD_BAD_FORMAT);
	}
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

/* Ticked places: UUIDs kept in order; one that is not refuses them all. */
START_TEST(test_form_uuids_collect_ids_and_refuse_anything_else)
{
	static const char a[] = "6f0c2e8a-1b2c-4d3e-8f90-123456789abc";
	static const char b[] = "0badc0de-0000-4000-8000-000000000001";
	struct form form;

	memset(&form, 0, sizeof(form));
	form_accept(&form, KEY_LOCATIONS, a, strlen(a));
	form_accept(&form, KEY_LOCATIONS, b, strlen(b));
	ck_assert_int_eq(form.nerrors, 0);
	ck_assert_str_eq(form.f[KEY_LOCATIONS].text,
	    "6f0c2e8a-1b2c-4d3e-8f90-123456789abc "
	    "0badc0de-0000-4000-8000-000000000001");
	ck_assert_int_eq(form.f[KEY_LOCATIONS].num, 2);
	form_free(&form);

	memset(&form, 0, sizeof(form));
	form_accept(&form, KEY_LOCATIONS, a, strlen(a));
	form_accept(&form, KEY_LOCATIONS, "befriending", 11);
	form_accept(&form, KEY_LOCATIONS, b, strlen(b));
	ck_assert_ptr_null(form.f[KEY_LOCATIONS].text);
	ck_assert_int_eq(form.f[KEY_LOCATIONS].error, FIELD_BAD_FORMAT);
	form_free(&form);

	/* Of a UUID's length, but not one. */
	memset(&form, 0, sizeof(form));
	form_accept(&form, KEY_LOCATIONS,
	    "6f0c2e8a-1b2c-4d3e-8f90-123456789abZ", 36);
	ck_assert_int_eq(form.f[KEY_LOCATIONS].error, FIELD_BAD_FORMAT);
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

/*
 * The text form_end makes of a date sent as its five inputs (NULL ones
 * not sent), malloc'd; NULL when absent or refused (*error says which).
 */
static char *
when_of(const char *d, const char *m, const char *y, const char *h,
    const char *mi, int *error)
{
	const char *parts[] = { d, m, y, h, mi };
	static const char *const names[] = { "start-day", "start-month",
	    "start-year", "start-hour", "start-minute" };
	struct form form;
	char *text = NULL;
	size_t i;

	memset(&form, 0, sizeof(form));
	for (i = 0; i < 5; i++)
		if (parts[i] != NULL)
			ck_assert_int_eq(form_take(&form, names[i], parts[i],
			    strlen(parts[i])), 0);
	form_end(&form);
	*error = form.f[KEY_START].error;
	ck_assert_int_eq(form.nerrors, *error ? 1 : 0);
	if (form.f[KEY_START].text != NULL)
		ck_assert_ptr_nonnull(text = strdup(form.f[KEY_START].text));
	form_free(&form);
	return text;
}

static void
assert_when(const char *d, const char *m, const char *y, const char *h,
    const char *mi, const char *want)
{
	int error;
	char *text = when_of(d, m, y, h, mi, &error);

	ck_assert_pstr_eq(text, want);
	ck_assert_int_eq(error, want != NULL ? 0 : FIELD_BAD_FORMAT);
	free(text);
}

START_TEST(test_form_dates_are_judged_whole)
{
	int error;

	assert_when("12", "6", "2031", "9", "30", "2031-06-12 09:30");
	assert_when(" 01 ", "06", "2031", "14", "0", "2031-06-01 14:00");
	/* An hour alone is on the hour; no time at all is a date alone. */
	assert_when("12", "6", "2031", "9", "", "2031-06-12 09:00");
	assert_when("12", "6", "2031", NULL, NULL, "2031-06-12");
	/* Leap years: every fourth, not every hundredth, every 400th. */
	assert_when("29", "2", "2032", "0", "0", "2032-02-29 00:00");
	assert_when("29", "2", "2000", "0", "0", "2000-02-29 00:00");
	assert_when("29", "2", "2031", "0", "0", NULL);
	assert_when("29", "2", "2100", "0", "0", NULL);
	assert_when("31", "2", "2031", "9", "30", NULL);
	assert_when("31", "4", "2031", "9", "30", NULL);
	assert_when("0", "6", "2031", "9", "30", NULL);
	assert_when("12", "13", "2031", "9", "30", NULL);
	assert_when("12", "6", "31", "9", "30", NULL);
	assert_when("12", "6", "1999", "9", "30", NULL);
	assert_when("12", "6", "2031", "24", "0", NULL);
	assert_when("12", "6", "2031", "9", "60", NULL);
	assert_when("12", "6", "2031", "", "30", NULL);
	assert_when("-1", "6", "2031", "9", "30", NULL);
	assert_when("1e1", "6", "2031", "9", "30", NULL);
	assert_when("12", "6", "2031", "+9", "30", NULL);
	assert_when("", "6", "2031", "9", "30", NULL);
	/* A time with no date is refused; nothing at all is absent. */
	assert_when("", "", "", "9", "30", NULL);
	ck_assert_ptr_null(when_of("", "", "", "", "", &error));
	ck_assert_int_eq(error, 0);
	ck_assert_ptr_null(when_of(NULL, NULL, NULL, NULL, NULL, &error));
	ck_assert_int_eq(error, 0);
}
END_TEST

START_TEST(test_form_date_parts_by_name)
{
	struct form form;
	char *huge = repeat("9", 100);

	memset(&form, 0, sizeof(form));
	/* Only a date key's own parts: no other key, no other part. */
	ck_assert_int_eq(form_take(&form, "start-week", "1", 1), -1);
	ck_assert_int_eq(form_take(&form, "title-day", "1", 1), -1);
	ck_assert_int_eq(form_take(&form, "start", "1", 1), 0);
	ck_assert_ptr_null(form.f[KEY_START].text);
	ck_assert_int_eq(form_take(&form, "answer_3", "x", 1), -1);
	/* The first value of a part stands. */
	ck_assert_int_eq(form_take(&form, "end-day", "2", 1), 0);
	ck_assert_int_eq(form_take(&form, "end-day", "3", 1), 0);
	ck_assert_int_eq(form_take(&form, "end-month", "7", 1), 0);
	ck_assert_int_eq(form_take(&form, "end-year", "2031", 4), 0);
	/* A part too long or not text is refused, and not kept. */
	ck_assert_int_eq(form_take(&form, "opens-day", huge, 100), 0);
	ck_assert_int_eq(form_take(&form, "opens-month", "6", 1), 0);
	ck_assert_int_eq(form_take(&form, "opens-year", "2031", 4), 0);
	ck_assert_int_eq(form_take(&form, "closes-day", "1\xff", 2), 0);
	/* Other fields still go through their key. */
	ck_assert_int_eq(form_take(&form, "title", "Summit", 6), 0);
	form_end(&form);
	ck_assert_str_eq(form.f[KEY_END].text, "2031-07-02");
	ck_assert_str_eq(form.f[KEY_TITLE].text, "Summit");
	ck_assert_int_eq(form.f[KEY_OPENS].error, FIELD_BAD_FORMAT);
	ck_assert_str_eq(form.f[KEY_OPENS].part[PART_DAY], "");
	ck_assert_int_eq(form.f[KEY_CLOSES].error, FIELD_BAD_FORMAT);
	ck_assert_int_eq(form.nerrors, 2);
	form_free(&form);
	ck_assert_ptr_null(form.f[KEY_END].part[PART_DAY]);
	free(huge);
}
END_TEST

Suite *
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
	tcase_add_test(tc, test_form_row_ids_take_any_positive_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("words");
	tcase_add_test(tc, test_form_words_collect_every_ticked_box_in_order);
	tcase_add_test(tc, test_form_words_refuse_the_field_for_one_bad_value);
	tcase_add_test(tc, test_form_words_have_a_total_length);
	tcase_add_test(tc,
	    test_form_uuids_collect_ids_and_refuse_anything_else);
	tcase_add_test(tc, test_form_dates_are_judged_whole);
	tcase_add_test(tc, test_form_date_parts_by_name);
	suite_add_tcase(s, tc);
	return s;
}
