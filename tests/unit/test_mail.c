/*
 * Unit tests for the messages the mail sender writes: headers that any
 * mail server and reader takes, whatever the subject, names and body hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>

#include "core.h"
#include "unit.h"

static char *
message(const char *from_name, const char *subject, const char *body)
{
	struct mail m;
	char *msg;

	memset(&m, 0, sizeof(m));
	m.from_name = from_name;
	m.from = "events@example.org";
	m.to = "ann@example.org";
	m.subject = subject;
	m.body = body;
	m.message_id = "<outbox.1.x@example.org>";
	m.date = 1931950800;	/* Saturday 22 March 2031, 13:00 UTC */
	ck_assert_ptr_nonnull(msg = mail_message(&m));
	return msg;
}

/* The Subject header as sent, continuation lines included. */
static char *
subject_lines(const char *msg)
{
	const char *p = strstr(msg, "\r\nSubject: "), *end;

	ck_assert_ptr_nonnull(p);
	p += 2;
	for (end = p; (end = strstr(end, "\r\n")) != NULL; end += 2)
		if (end[2] != ' ' && end[2] != '\t')
			break;
	ck_assert_ptr_nonnull(end);
	return strndup(p, (size_t)(end - p));
}

static void
assert_lines_within(const char *text, size_t max)
{
	const char *p = text, *eol;

	for (;;) {
		eol = strstr(p, "\r\n");
		ck_assert_int_le((long)((eol ? eol : p + strlen(p)) - p),
		    (long)max);
		if (eol == NULL)
			break;
		p = eol + 2;
	}
}

START_TEST(test_message_has_the_headers_a_reader_needs)
{
	char *msg = message("North West network", "Your place", "Hello\n");

	ck_assert(strncmp(msg, "Date: Sat, 22 Mar 2031 13:00:00 +0000\r\n",
	    39) == 0);
	ck_assert_ptr_nonnull(strstr(msg, "\r\nFrom: \"North West network\""
	    " <events@example.org>\r\n"));
	ck_assert_ptr_nonnull(strstr(msg, "\r\nTo: <ann@example.org>\r\n"));
	ck_assert_ptr_nonnull(strstr(msg, "\r\nSubject: Your place\r\n"));
	ck_assert_ptr_nonnull(strstr(msg,
	    "\r\nMessage-ID: <outbox.1.x@example.org>\r\n"));
	ck_assert_ptr_nonnull(strstr(msg, "\r\nMIME-Version: 1.0\r\n"));
	ck_assert_ptr_nonnull(strstr(msg,
	    "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	ck_assert_ptr_nonnull(strstr(msg,
	    "\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
	ck_assert_ptr_nonnull(strstr(msg, "\r\n\r\nHello\r\n"));
	/* No bare LF anywhere. */
	{
		const char *p;

		for (p = msg; (p = strchr(p, '\n')) != NULL; p++)
			ck_assert(p > msg && p[-1] == '\r');
	}
	free(msg);
}
END_TEST

START_TEST(test_long_ascii_subject_is_folded_at_spaces)
{
	static const char subject[] = "A place has come up for you: North "
	    "West social prescribing network annual conference and awards "
	    "evening at Manchester Central";
	char *msg = message(NULL, subject, "x"), *s, *p, *q;

	s = subject_lines(msg);
	assert_lines_within(s, 78);
	/* Unfolding (taking out each CRLF) gives the subject back. */
	for (p = q = s; *p != '\0'; p++)
		if (!(p[0] == '\r' && p[1] == '\n'))
			*q++ = *p;
		else
			p++;
	*q = '\0';
	ck_assert_str_eq(s, "Subject: A place has come up for you: North "
	    "West social prescribing network annual conference and awards "
	    "evening at Manchester Central");
	free(s);
	free(msg);
}
END_TEST

START_TEST(test_non_ascii_subject_is_encoded_whole_characters_per_word)
{
	static const char subject[] = "Lle i chi: Gŵyl Presgripsiynu "
	    "Cymdeithasol — سماجی نسخہ — ✓✓✓✓✓✓✓✓✓✓✓✓✓✓";
	char *msg = message("Rhwydwaith Gŵyl", subject, "x"), *s, *p, *end;
	unsigned char out[128];
	char joined[512] = "";
	int n;

	s = subject_lines(msg);
	assert_lines_within(s, 76);
	for (p = s; *p != '\0'; p++)
		ck_assert((unsigned char)*p < 0x80);
	/* Every word decodes on its own to whole UTF-8 characters. */
	for (p = s; (p = strstr(p, "=?UTF-8?B?")) != NULL; p = end + 2) {
		p += 10;
		ck_assert_ptr_nonnull(end = strstr(p, "?="));
		ck_assert_int_le((long)(end - p) + 12, 75);
		n = EVP_DecodeBlock(out, (const unsigned char *)p,
		    (int)(end - p));
		ck_assert_int_ge(n, 0);
		/* EVP_DecodeBlock counts the padding as bytes. */
		n -= (end[-1] == '=') + (end[-2] == '=');
		ck_assert(util_utf8_valid((const char *)out, (size_t)n));
		strncat(joined, (const char *)out, (size_t)n);
	}
	ck_assert_str_eq(joined, subject);
	/* The display name is encoded too, the address left plain. */
	ck_assert_ptr_nonnull(strstr(msg, "\r\nFrom: =?UTF-8?B?"));
	ck_assert_ptr_nonnull(strstr(msg, "?= <events@example.org>\r\n"));
	free(s);
	free(msg);
}
END_TEST

START_TEST(test_body_is_quoted_printable_in_short_lines)
{
	static const char body[] = "Dear Siân,\n"
	    "1 + 1 = 2\n"
	    "trailing space \n"
	    "a very long line that goes on and on and on and on and on and "
	    "on and on and on and on and on and on and on and on and on\n"
	    ".a dot\n";
	char *msg = message(NULL, "s", body);
	const char *b = strstr(msg, "\r\n\r\n") + 4;

	assert_lines_within(b, 76);
	ck_assert_ptr_nonnull(strstr(b, "Dear Si=C3=A2n,\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "1 + 1 =3D 2\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "trailing space=20\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "=\r\n"));
	/* Left for the SMTP client, which doubles leading dots. */
	ck_assert_ptr_nonnull(strstr(b, "\r\n.a dot\r\n"));
	free(msg);
}
END_TEST

START_TEST(test_address_check_refuses_what_could_break_a_header)
{
	ck_assert(mail_address_valid("ann@example.org"));
	ck_assert(mail_address_valid("siân@example.cymru"));
	ck_assert(!mail_address_valid("ann@example.org\r\nBcc: x@y.org"));
	ck_assert(!mail_address_valid("<ann@example.org>"));
	ck_assert(!mail_address_valid("ann example@example.org"));
	ck_assert(!mail_address_valid("ann"));
	ck_assert(!mail_address_valid("@example.org"));
	ck_assert(!mail_address_valid("ann@"));
	ck_assert(!mail_address_valid("a@b@c"));
	ck_assert(!mail_address_valid("ann\xff@example.org"));
}
END_TEST

/* What mail_masked gives for text, compared with want. */
static void
masked_is(const char *text, const char *want)
{
	char *got = mail_masked(text);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}

#define DOTS	"\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"

START_TEST(test_masked_mail_keeps_links_but_not_their_secrets)
{
	masked_is("To confirm:\nhttp://n.example.org/registrations/guest/"
	    "Ab-_9xYz0123\nThanks",
	    "To confirm:\nhttp://n.example.org/registrations/guest/" DOTS
	    "\nThanks");
	/* What follows the secret stays. */
	masked_is("/registrations/guest/k1/confirm and more.",
	    "/registrations/guest/" DOTS "/confirm and more.");
	/* An account's links carry their token in the query. */
	masked_is("http://n.example.org/signin/reset?token=Ab-_9xYz0123\n"
	    "/join/confirm?token=t4, /profile/email/confirm?token=t5",
	    "http://n.example.org/signin/reset?token=" DOTS "\n"
	    "/join/confirm?token=" DOTS ", /profile/email/confirm?token="
	    DOTS);
	/* Wherever in the query the token stands. */
	masked_is("/join/confirm?from=mail&token=t6&x=1",
	    "/join/confirm?from=mail&token=" DOTS "&x=1");
	/* A feedback link works once, for whoever opens it first. */
	masked_is("Tell us:\nhttps://hub.example.org/feedback/Ab-_9xYz0123\n",
	    "Tell us:\nhttps://hub.example.org/feedback/" DOTS "\n");
	/* So does a listing's "still correct". */
	masked_is("/services/check/Zz9_-a\n", "/services/check/" DOTS "\n");
	/* Links without a secret, and text without links, are as they were. */
	masked_is("See /registrations and /events/abc", "See /registrations "
	    "and /events/abc");
	masked_is("/registrations/guest/ end", "/registrations/guest/ end");
	masked_is("", "");
}
END_TEST

Suite *
mail_unit_suite(void)
{
	Suite *s = suite_create("mail");
	TCase *tc = tcase_create("message");

	tcase_add_test(tc, test_message_has_the_headers_a_reader_needs);
	tcase_add_test(tc, test_long_ascii_subject_is_folded_at_spaces);
	tcase_add_test(tc,
	    test_non_ascii_subject_is_encoded_whole_characters_per_word);
	tcase_add_test(tc, test_body_is_quoted_printable_in_short_lines);
	tcase_add_test(tc,
	    test_address_check_refuses_what_could_break_a_header);
	tcase_add_test(tc, test_masked_mail_keeps_links_but_not_their_secrets);
	suite_add_tcase(s, tc);
	return s;
}
