/*
 * Mail from a real node to a real SMTP receiver on 127.0.0.1: what a
 * member finds in their inbox when they register or are promoted, that a
 * mail server that refuses or is down loses nothing and gets each message
 * once, and what a coordinator sees of the outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>

#include <check.h>

#include "harness.h"
#include "smtp.h"

Suite	*mail_suite(void);

#define COORD		"mail.coord@example.org"
#define TEMPLATE	"mail.template@example.org"
#define FROM		"events@north-west.example.org"
#define PUBLIC		"http://acorn.north-west.example.org"
#define WAIT_MS		20000

static struct node *node;
static char *coord_pw;
static char *member_pw;

/* A node sending to s (none: outbox only), retrying after a second. */
static void
start_node(struct smtp *s, const char *extra)
{
	char settings[512];

	if (s != NULL)
		snprintf(settings, sizeof(settings), "smtp_url = "
		    "smtp://127.0.0.1:%d\nmail_from = %s\nmail_retry = 1\n"
		    "public_url = " PUBLIC "\n%s", smtp_port(s), FROM,
		    extra ? extra : "");
	else
		snprintf(settings, sizeof(settings), "%s", extra ? extra : "");
	node = node_new("Mail node", settings);
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	member_pw = node_user_add(node, TEMPLATE, "member");
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_ptr_nonnull(member_pw);
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop_node(void)
{
	node_free(node);
	free(coord_pw);
	free(member_pw);
	node = NULL;
	coord_pw = member_pw = NULL;
}

static long
num(const char *sql, const char *param)
{
	return node_num(node, sql, param);
}

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Polls until a count query gives want, for up to WAIT_MS. */
static int
eventually(const char *sql, const char *param, long want)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (elapsed_ms(&t0) < WAIT_MS) {
		if (num(sql, param) == want)
			return 1;
		poll(NULL, 0, 50);
	}
	return 0;
}

/* An active member with the template's password; name may be any text. */
static struct client *
member(const char *name, const char *email)
{
	char sql[1024];
	struct client *c;

	snprintf(sql, sizeof(sql),
	    "WITH m AS (INSERT INTO members (id, origin, name, stakeholder,"
	    " region) VALUES (gen_random_uuid(), (SELECT id FROM node), '%s',"
	    " 'gp', 'North West') RETURNING id),"
	    " a AS (INSERT INTO accounts (member, email, password_hash, status)"
	    " SELECT m.id, '%s', (SELECT password_hash FROM accounts"
	    " WHERE email = $1), 'active' FROM m RETURNING 1)"
	    " SELECT count(*) FROM a", name, email);
	ck_assert_int_eq(num(sql, TEMPLATE), 1);
	c = client_new(node);
	ck_assert(sign_in(c, email, member_pw));
	return c;
}

static struct client *
coordinator(void)
{
	struct client *c = client_new(node);

	ck_assert(sign_in(c, COORD, coord_pw));
	return c;
}

/* A published event with one kind of place; its id. */
static char *
new_event(const char *title, const char *capacity)
{
	struct client *co = coordinator();
	char *id = event_new_published(co, title, capacity);

	ck_assert_ptr_nonnull(id);
	client_free(co);
	return id;
}

/* Presses Register on the event page; the page that comes back. */
static struct resp *
register_for(struct client *c, const char *id)
{
	struct reg_form f;
	struct resp *r;

	reg_form_open(c, id, &f);
	r = reg_form_send(c, &f, "places", "1", NULL);
	ck_assert_int_eq(r->status, 200);
	reg_form_free(&f);
	return r;
}

/* Cancels the person's first registration from their own page. */
static void
cancel_first(struct client *c)
{
	struct resp *r = http_get(c, "/registrations"), *x;
	char action[128];

	ck_assert(cancel_form_action(r->body, action, sizeof(action)));
	x = form_post(c, action, action, NULL);
	ck_assert_int_eq(x->status, 303);
	resp_free(x);
	resp_free(r);
}

/*
 * The first message to rcpt whose decoded subject starts with subject,
 * waiting for it for up to WAIT_MS.
 */
static const struct smtp_msg *
inbox(struct smtp *s, const char *rcpt, const char *subject)
{
	const struct smtp_msg *m;
	struct timespec t0;
	char *raw, *dec;
	int i, hit;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 1; i <= 256; i++) {
		left = WAIT_MS - elapsed_ms(&t0);
		if ((m = smtp_wait(s, i, left > 0 ? (int)left : 0)) == NULL)
			return NULL;
		raw = mail_header(m->data, "Subject");
		dec = raw != NULL ? mail_decode_words(raw) : NULL;
		hit = strcmp(m->rcpt, rcpt) == 0 && dec != NULL &&
		    strncmp(dec, subject, strlen(subject)) == 0;
		free(raw);
		free(dec);
		if (hit)
			return m;
	}
	return NULL;
}

static int
body_has(const struct smtp_msg *m, const char *text)
{
	char *b = mail_body_text(m->data);
	int hit = b != NULL && strstr(b, text) != NULL;

	free(b);
	return hit;
}

static int
header_is(const struct smtp_msg *m, const char *name, const char *want)
{
	char *v = mail_header(m->data, name);
	int ok = v != NULL && strcmp(v, want) == 0;

	free(v);
	return ok;
}

START_TEST(test_registering_delivers_a_confirmation)
{
	struct smtp *s = smtp_new();
	const struct smtp_msg *m;
	struct client *a, *co;
	struct resp *r;
	char *id, link[256], *v;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(smtp_listen(s), 0);
	start_node(s, NULL);
	id = new_event("Social prescribing summit", "10");
	a = member("Asha Patel", "asha@example.org");
	resp_free(register_for(a, id));

	m = inbox(s, "asha@example.org", "Your place at Social prescribing");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->from, FROM);
	ck_assert(header_is(m, "To", "<asha@example.org>"));
	ck_assert(header_is(m, "Subject",
	    "Your place at Social prescribing summit"));
	ck_assert(header_is(m, "MIME-Version", "1.0"));
	ck_assert(header_is(m, "Content-Type", "text/plain; charset=utf-8"));
	ck_assert(header_is(m, "Content-Transfer-Encoding",
	    "quoted-printable"));
	v = mail_header(m->data, "From");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v, "\"Mail node\" <" FROM ">");
	free(v);
	v = mail_header(m->data, "Date");
	ck_assert_ptr_nonnull(v);
	ck_assert(strstr(v, "+0000") != NULL);
	free(v);
	v = mail_header(m->data, "Message-ID");
	ck_assert_ptr_nonnull(v);
	ck_assert(v[0] == '<' && strstr(v, "@north-west.example.org>"));
	free(v);
	ck_assert(body_has(m, "Dear Asha Patel,"));
	ck_assert(body_has(m, "You have a place at Social prescribing summit,"
	    " on Friday 14 March 2031, 9:30am (UK time), at Manchester Central."));
	/* The link is to the node's public address. */
	snprintf(link, sizeof(link), "\n" PUBLIC "/events/%s\n", id);
	ck_assert(body_has(m, link));

	/* Recorded as sent, and the coordinator can see so. */
	ck_assert(eventually("SELECT count(*) FROM outbox WHERE sent IS NOT"
	    " NULL AND recipient = $1", "asha@example.org", 1));
	co = coordinator();
	r = http_get(co, "/admin/mail");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "asha@example.org"));
	ck_assert(resp_has(r, ">Sent<"));
	ck_assert(resp_has(r, "Accepted by the mail server"));
	resp_free(r);
	ck_assert_int_eq(smtp_count(s), 1);

	client_free(co);
	client_free(a);
	free(id);
	stop_node();
	smtp_free(s);
}
END_TEST

START_TEST(test_cancellation_mails_the_promoted_person)
{
	struct smtp *s = smtp_new();
	const struct smtp_msg *m;
	struct client *a, *b;
	char *id;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(smtp_listen(s), 0);
	start_node(s, NULL);
	id = new_event("Link worker forum", "1");
	a = member("Ann First", "ann@example.org");
	b = member("Ben Second", "ben@example.org");
	resp_free(register_for(a, id));
	resp_free(register_for(b, id));
	m = inbox(s, "ben@example.org", "You are on the waiting list");
	ck_assert_ptr_nonnull(m);
	ck_assert(body_has(m, "you are number 1 on the waiting list for Link"
	    " worker forum"));

	cancel_first(a);
	m = inbox(s, "ben@example.org", "A place has come up for you: Link"
	    " worker forum");
	ck_assert_ptr_nonnull(m);
	ck_assert(body_has(m, "Dear Ben Second,"));
	ck_assert(body_has(m, "You now have a place at Link worker forum"));
	m = inbox(s, "ann@example.org", "Your registration is cancelled");
	ck_assert_ptr_nonnull(m);

	client_free(a);
	client_free(b);
	free(id);
	stop_node();
	smtp_free(s);
}
END_TEST

START_TEST(test_refused_for_now_arrives_once_after_retrying)
{
	struct smtp *s = smtp_new();
	const struct smtp_msg *m;
	struct client *a;
	char *id;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(smtp_listen(s), 0);
	smtp_refuse(s, "RCPT", 451, 1);
	start_node(s, NULL);
	id = new_event("Retry conference", "5");
	a = member("Rita Retry", "rita@example.org");
	resp_free(register_for(a, id));

	m = inbox(s, "rita@example.org", "Your place at Retry conference");
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(smtp_refused(s), 1);
	ck_assert(eventually("SELECT count(*) FROM outbox WHERE recipient = $1"
	    " AND sent IS NOT NULL AND attempts = 2", "rita@example.org", 1));
	/* Once more after the refusal, and never again once accepted. */
	ck_assert_int_eq(smtp_count(s), 1);
	ck_assert_ptr_null(smtp_wait(s, 2, 2500));

	/* A refusal at the end of the data is retried the same way. */
	smtp_refuse(s, "DATA", 452, 1);
	cancel_first(a);
	ck_assert_ptr_nonnull(inbox(s, "rita@example.org",
	    "Your registration is cancelled"));
	ck_assert_int_eq(smtp_refused(s), 2);
	ck_assert_int_eq(smtp_count(s), 2);

	client_free(a);
	free(id);
	stop_node();
	smtp_free(s);
}
END_TEST

START_TEST(test_permanent_refusal_is_marked_failed_with_the_reason)
{
	struct smtp *s = smtp_new();
	struct client *a, *co;
	struct resp *r;
	char *id;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(smtp_listen(s), 0);
	smtp_refuse(s, "RCPT", 550, 1);
	start_node(s, NULL);
	id = new_event("Bounce day", "5");
	a = member("Nobody Here", "nobody@example.org");
	resp_free(register_for(a, id));
	ck_assert(eventually("SELECT count(*) FROM outbox WHERE recipient = $1"
	    " AND failed IS NOT NULL AND sent IS NULL AND attempts = 1"
	    " AND last_error LIKE '%550%'", "nobody@example.org", 1));
	ck_assert_int_eq(smtp_count(s), 0);

	co = coordinator();
	r = http_get(co, "/admin/mail");
	ck_assert(resp_has(r, ">Failed<"));
	ck_assert(resp_has(r, "550 5.0.0 Refused by the test server"));
	resp_free(r);
	client_free(co);
	client_free(a);
	free(id);
	stop_node();
	smtp_free(s);
}
END_TEST

START_TEST(test_mail_server_down_then_up_loses_nothing)
{
	struct smtp *s = smtp_new();
	struct client *a, *co;
	struct resp *r;
	char *id;

	ck_assert_ptr_nonnull(s);	/* bound, refusing connections */
	start_node(s, NULL);
	id = new_event("Outage meeting", "5");
	a = member("Dev Down", "dev@example.org");
	resp_free(register_for(a, id));
	ck_assert(eventually("SELECT count(*) FROM outbox WHERE recipient = $1"
	    " AND sent IS NULL AND attempts >= 1 AND last_error IS NOT NULL",
	    "dev@example.org", 1));

	co = coordinator();
	r = http_get(co, "/admin/mail");
	ck_assert(resp_has(r, "Waiting to retry"));
	ck_assert(resp_has(r, "Next attempt"));
	resp_free(r);

	ck_assert_int_eq(smtp_listen(s), 0);
	ck_assert_ptr_nonnull(inbox(s, "dev@example.org",
	    "Your place at Outage meeting"));
	ck_assert(eventually("SELECT count(*) FROM outbox WHERE sent IS NOT"
	    " NULL", NULL, 1));
	ck_assert_int_eq(smtp_count(s), 1);
	client_free(co);
	client_free(a);
	free(id);
	stop_node();
	smtp_free(s);
}
END_TEST

START_TEST(test_sigterm_keeps_unsent_mail_for_the_next_start)
{
	struct smtp *s = smtp_new();
	struct client *a;
	char *id;

	ck_assert_ptr_nonnull(s);
	start_node(s, NULL);
	id = new_event("Restart rally", "5");
	a = member("Sam Stop", "sam@example.org");
	resp_free(register_for(a, id));
	ck_assert(eventually("SELECT count(*) FROM outbox WHERE attempts >= 1",
	    NULL, 1));
	client_free(a);
	ck_assert_int_eq(node_stop(node), 0);
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE sent IS NULL"
	    " AND failed IS NULL", NULL), 1);

	ck_assert_int_eq(smtp_listen(s), 0);
	ck_assert_int_eq(node_serve(node), 0);
	ck_assert_ptr_nonnull(inbox(s, "sam@example.org",
	    "Your place at Restart rally"));
	ck_assert_int_eq(smtp_count(s), 1);
	free(id);
	stop_node();
	smtp_free(s);
}
END_TEST

/*
 * Two acorn processes sharing one database, both woken by the same batch:
 * every message arrives exactly once.
 */
START_TEST(test_two_senders_on_one_database_send_each_message_once)
{
	struct smtp *s = smtp_new();
	struct node second;
	const struct smtp_msg *m;
	int seen[40], i, k;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(smtp_listen(s), 0);
	start_node(s, NULL);
	second = *node;
	ck_assert_int_eq(node_serve(&second), 0);
	ck_assert_int_eq(num("WITH o AS (INSERT INTO outbox (recipient,"
	    " subject, body) SELECT 'p' || g || '@example.org', 'Batch ' || g,"
	    " 'Hello' FROM generate_series(1, 40) g RETURNING 1)"
	    " SELECT count(*) FROM o", NULL), 40);
	ck_assert(eventually("SELECT count(*) FROM outbox WHERE sent IS NOT"
	    " NULL", NULL, 40));
	memset(seen, 0, sizeof(seen));
	for (i = 1; i <= 40; i++) {
		ck_assert_ptr_nonnull(m = smtp_wait(s, i, WAIT_MS));
		ck_assert_int_eq(sscanf(m->rcpt, "p%d@", &k), 1);
		ck_assert(k >= 1 && k <= 40);
		seen[k - 1]++;
	}
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(seen[i], 1);
	ck_assert_ptr_null(smtp_wait(s, 41, 1500));
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE attempts <> 1",
	    NULL), 0);
	ck_assert_int_eq(node_stop(&second), 0);
	stop_node();
	smtp_free(s);
}
END_TEST

START_TEST(test_non_ascii_subject_and_name_arrive_intact)
{
	static const char title[] = "Cynhadledd Gŵyl Presgripsiynu "
	    "Cymdeithasol — Caerdydd 2031 — croeso i bawb o bob rhan o Gymru";
	struct smtp *s = smtp_new();
	const struct smtp_msg *m;
	struct client *a;
	char *id, *raw, *dec, want[512];
	const char *p;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(smtp_listen(s), 0);
	start_node(s, NULL);
	id = new_event(title, "5");
	a = member("Siân Ó Dónaill", "sian@example.org");
	resp_free(register_for(a, id));
	m = inbox(s, "sian@example.org", "Your place at Cynhadledd Gŵyl");
	ck_assert_ptr_nonnull(m);
	raw = mail_header(m->data, "Subject");
	ck_assert_ptr_nonnull(raw);
	/* On the wire: ASCII only, in encoded words. */
	for (p = raw; *p != '\0'; p++)
		ck_assert((unsigned char)*p < 0x80);
	ck_assert(strncmp(raw, "=?UTF-8?B?", 10) == 0);
	dec = mail_decode_words(raw);
	snprintf(want, sizeof(want), "Your place at %s", title);
	ck_assert_str_eq(dec, want);
	free(raw);
	free(dec);
	/*
	 * Every line is 7-bit text, and within 78 characters but for the
	 * Message-ID, which cannot be folded.
	 */
	for (p = m->data; *p != '\0'; p++)
		ck_assert((unsigned char)*p < 0x80);
	for (p = m->data; *p != '\0'; p = strstr(p, "\r\n") + 2) {
		ck_assert_ptr_nonnull(strstr(p, "\r\n"));
		if (strncmp(p, "Message-ID:", 11) != 0)
			ck_assert_int_le((int)(strstr(p, "\r\n") - p), 78);
	}
	ck_assert(body_has(m, "Dear Siân Ó Dónaill,"));
	snprintf(want, sizeof(want), "You have a place at %s, on", title);
	ck_assert(body_has(m, want));
	client_free(a);
	free(id);
	stop_node();
	smtp_free(s);
}
END_TEST

START_TEST(test_lines_starting_with_a_dot_survive)
{
	static const char body[] =
	    ".\n"
	    "..two dots\n"
	    ".hidden line\n"
	    "a line long enough to be broken by quoted-printable soft line "
	    "breaks, so that one of its pieces..........................."
	    "......... begins with a dot\n"
	    "trailing space \n"
	    "end\n";
	struct smtp *s = smtp_new();
	const struct smtp_msg *m;
	char *got;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(smtp_listen(s), 0);
	start_node(s, NULL);
	ck_assert_int_eq(node_exec(node, "INSERT INTO outbox (recipient,"
	    " subject, body) VALUES ('dot@example.org', 'Dots', $1)", 1,
	    (const char *const[]){ body }), 1);
	m = inbox(s, "dot@example.org", "Dots");
	ck_assert_ptr_nonnull(m);
	got = mail_body_text(m->data);
	ck_assert_str_eq(got, body);
	free(got);
	stop_node();
	smtp_free(s);
}
END_TEST

START_TEST(test_outbox_only_mode_holds_mail_for_coordinators_to_see)
{
	struct smtp *s = smtp_new();
	struct client *a, *co, *anon;
	struct resp *r;
	char *id;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(smtp_listen(s), 0);
	start_node(NULL, NULL);
	id = new_event("Held mail meetup", "5");
	a = member("Hal Held", "hal@example.org");
	resp_free(register_for(a, id));

	co = coordinator();
	r = http_get(co, "/admin/mail");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Mail is not being sent"));
	ck_assert(resp_has(r, "hal@example.org"));
	ck_assert(resp_has(r, "<summary>Your place at Held mail meetup"
	    "</summary>"));
	ck_assert(resp_has(r, "Dear Hal Held,"));
	ck_assert(resp_has(r, ">Held<"));
	ck_assert(resp_has(r, "href=\"/admin/mail\" aria-current=\"page\""));
	resp_free(r);

	/* A member is refused; someone signed out is sent to sign in. */
	r = http_get(a, "/admin/mail");
	ck_assert_int_eq(r->status, 403);
	ck_assert(!resp_has(r, "hal@example.org"));
	ck_assert(!resp_has(r, "href=\"/admin/mail\""));
	resp_free(r);
	anon = client_new(node);
	r = http_get(anon, "/admin/mail");
	ck_assert_int_eq(r->status, 303);
	ck_assert(strstr(r->location, "/signin?next=/admin/mail") != NULL);
	resp_free(r);

	/* Nothing goes anywhere, and the message stays as it was. */
	ck_assert_ptr_null(smtp_wait(s, 1, 2000));
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE sent IS NULL"
	    " AND failed IS NULL AND attempts = 0", NULL), 1);
	client_free(anon);
	client_free(co);
	client_free(a);
	free(id);
	stop_node();
	smtp_free(s);
}
END_TEST

START_TEST(test_bad_mail_settings_stop_the_node_from_starting)
{
	static const char *const bad[] = {
		"smtp_url = http://127.0.0.1:25\nmail_from = a@example.org",
		"smtp_url = smtp://127.0.0.1:25",
		"smtp_url = smtp://127.0.0.1:25\nmail_from = not an address",
		"smtp_url = smtp://127.0.0.1:25\nmail_from = a@example.org\n"
		    "smtp_user = someone",
		"mail_retry = 0",
	};
	struct node *n;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = node_new("Badly set node", bad[i]);
		ck_assert_ptr_nonnull(n);
		ck_assert_msg(node_serve(n) == -1, "started with: %s", bad[i]);
		node_free(n);
	}
}
END_TEST

Suite *
mail_suite(void)
{
	Suite *s = suite_create("mail");
	TCase *tc = tcase_create("mail");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_registering_delivers_a_confirmation);
	tcase_add_test(tc, test_cancellation_mails_the_promoted_person);
	tcase_add_test(tc, test_refused_for_now_arrives_once_after_retrying);
	tcase_add_test(tc,
	    test_permanent_refusal_is_marked_failed_with_the_reason);
	tcase_add_test(tc, test_mail_server_down_then_up_loses_nothing);
	tcase_add_test(tc, test_sigterm_keeps_unsent_mail_for_the_next_start);
	tcase_add_test(tc,
	    test_two_senders_on_one_database_send_each_message_once);
	tcase_add_test(tc, test_non_ascii_subject_and_name_arrive_intact);
	tcase_add_test(tc, test_lines_starting_with_a_dot_survive);
	tcase_add_test(tc,
	    test_outbox_only_mode_holds_mail_for_coordinators_to_see);
	tcase_add_test(tc, test_bad_mail_settings_stop_the_node_from_starting);
	suite_add_tcase(s, tc);
	return s;
}
