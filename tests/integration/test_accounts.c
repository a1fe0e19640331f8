/*
 * Identity and sign-in: an address confirmed by its mailed link before
 * the account works, passwords changed and reset, sessions seen and
 * ended, and throttling that slows an attacker without locking anyone
 * out.  Each client comes from its own address (the nodes trust
 * X-Forwarded-For from loopback, as behind a proxy), so what one test
 * throttles never touches another.
 */
#include <ctype.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"

Suite	*accounts_suite(void);

static struct node *closed;	/* a coordinator approves joins */
static struct node *open_node;	/* open joining */
static char *coord_pw;

#define COORD		"coordinator@accounts.example.org"
#define PW		"a long enough password"
#define JOINS		3	/* throttle_joins on the closed node */

static void
start_nodes(void)
{
	closed = node_new("Accounts closed", "trust_proxy = yes\n"
	    "throttle_joins = 3");
	ck_assert_ptr_nonnull(closed);
	coord_pw = node_user_add(closed, COORD, "coordinator");
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_int_eq(node_serve(closed), 0);
	open_node = node_new("Accounts open", "trust_proxy = yes\n"
	    "open_joining = yes\nthrottle_joins = 1000");
	ck_assert_ptr_nonnull(open_node);
	ck_assert_int_eq(node_serve(open_node), 0);
}

static void
stop_nodes(void)
{
	node_free(closed);
	node_free(open_node);
	free(coord_pw);
	closed = open_node = NULL;
}

/*
 * A browser at an address of its own, as a proxy would name it, in a
 * /64 of its own (throttles count an IPv6 address by its /64): each
 * test runs in a process of its own, so the process id keeps addresses
 * apart across tests and the counter within one (shared by the flood's
 * threads, so counted atomically).
 */
static struct client *
client_at(struct node *n)
{
	static int host;
	struct client *c = client_new(n);
	char h[96];

	snprintf(h, sizeof(h), "X-Forwarded-For: fd00:%x:%x:%x::1",
	    (unsigned int)getpid() >> 16, (unsigned int)getpid() & 0xffffu,
	    (unsigned int)__atomic_add_fetch(&host, 1, __ATOMIC_SEQ_CST));
	client_header(c, h);
	return c;
}

/* A unique address per call (malloc'd), from any thread. */
static char *
fresh(const char *who)
{
	char *e = harness_email(who);

	ck_assert_ptr_nonnull(e);
	return e;
}

/*
 * A 429 says in Retry-After how many seconds to wait, the number the
 * page gives in words ("Wait 4 seconds").
 */
static void
assert_retry_after_says_the_wait(const struct resp *r)
{
	const char *w = r->body;

	while ((w = strstr(w, "Wait ")) != NULL &&
	    !isdigit((unsigned char)w[5]))
		w += 5;
	ck_assert_ptr_nonnull(w);
	ck_assert_int_gt(retry_after(r), 0);
	ck_assert_int_eq(strtol(w + 5, NULL, 10), retry_after(r));
}

static long
num(struct node *n, const char *sql, const char *param)
{
	return node_num(n, sql, param);
}

/* How many mails went to an address with a subject. */
static long
mails(struct node *n, const char *to, const char *subject)
{
	const char *p[2] = { to, subject };

	return node_numv(n, "SELECT count(*) FROM outbox WHERE"
	    " lower(recipient) = lower($1) AND subject = $2", 2, p);
}

/* The status of signing in on the open node from a browser of its own. */
static long
signin_elsewhere(const char *email, const char *pw)
{
	struct client *c = client_at(open_node);
	long s = signin_status(c, email, pw);

	client_free(c);
	return s;
}

/* Joined, confirmed and signed in on the open node. */
static struct client *
member(const char *email, const char *name)
{
	struct client *c = client_at(open_node);

	ck_assert_int_eq(join(c, name, email, PW), 303);
	ck_assert_int_eq(http_get_status(c, "/profile"), 200);
	return c;
}

/*
 * Posts a mailed link's form to path with the password PW, as a form
 * kept open in a tab would (its token from another page: a dead link's
 * page has no form).
 */
static struct resp *
follow(struct client *c, const char *path, const char *tok)
{
	struct resp *r = form_post(c, "/signin/forgot", path, "token", tok,
	    "password", PW, "password2", PW, NULL);

	ck_assert_ptr_nonnull(r);
	return r;
}

/* s with the first from replaced by to (malloc'd). */
static char *
replaced(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	char *out;

	ck_assert_ptr_nonnull(at);
	ck_assert_int_ne(asprintf(&out, "%.*s%s%s", (int)(at - s), s, to,
	    at + strlen(from)), -1);
	return out;
}

static int
occurrences(const struct resp *r, const char *s)
{
	const char *p = r->body;
	int n = 0;

	while ((p = strstr(p, s)) != NULL) {
		n++;
		p += strlen(s);
	}
	return n;
}

/* The text of <main> of a page (malloc'd), to compare two replies. */
static char *
main_of(const struct resp *r)
{
	const char *a = strstr(r->body, "<main"), *b;

	ck_assert_ptr_nonnull(a);
	b = strstr(a, "</main>");
	ck_assert_ptr_nonnull(b);
	return strndup(a, (size_t)(b - a));
}

/* --- joining --------------------------------------------------------- */

START_TEST(test_join_confirm_approve_then_sign_in)
{
	struct client *m = client_at(closed), *co = client_at(closed);
	char *em = fresh("joiner"), *tok, *id, page[256];
	struct resp *r;

	r = join_form(m, "Jo Joiner", em, PW, PW);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "We have sent an email to"));
	resp_free(r);
	ck_assert_int_eq(mails(closed, em, "Confirm your email address"), 1);
	ck_assert_int_eq(signin_status(m, em, PW), 403);
	ck_assert(sign_in(co, COORD, coord_pw));
	r = http_get(co, "/admin/members");
	ck_assert(!resp_has(r, "Jo Joiner"));
	resp_free(r);

	tok = mail_token(closed, em, "/join/confirm");
	ck_assert_ptr_nonnull(tok);
	snprintf(page, sizeof(page), "/join/confirm?token=%s", tok);
	r = http_get(m, page);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Confirm your email address"));
	resp_free(r);
	/* Opening the link changed nothing; the wrong password neither. */
	r = form_post(m, page, "/join/confirm", "token", tok, "password",
	    "not the password at all", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "There is a problem"));
	resp_free(r);
	ck_assert_int_eq(num(closed, "SELECT count(*) FROM accounts WHERE"
	    " lower(email) = lower($1) AND confirmed IS NULL", em), 1);

	r = form_post(m, page, "/join/confirm", "token", tok, "password", PW,
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Thank you for joining"));
	resp_free(r);
	ck_assert_int_eq(signin_status(m, em, PW), 403);

	r = http_get(co, "/admin/members");
	ck_assert(resp_has(r, "Jo Joiner"));
	resp_free(r);
	id = node_text(closed, "SELECT member FROM accounts WHERE"
	    " lower(email) = lower($1)", em);
	r = form_post(co, "/admin/members", "/admin/members/approve", "id", id,
	    NULL);
	ck_assert(resp_has(r, "is approved"));
	resp_free(r);
	ck_assert_int_eq(signin_status(m, em, PW), 303);
	ck_assert_int_eq(http_get_status(m, "/profile"), 200);
	free(id);
	free(tok);
	free(em);
	client_free(m);
	client_free(co);
}
END_TEST

START_TEST(test_an_unconfirmed_account_is_never_approved)
{
	struct client *m = client_at(closed), *co = client_at(closed);
	char *em = fresh("unapproved"), *id;
	struct resp *r;

	r = join_form(m, "Una Unconfirmed", em, PW, PW);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	id = node_text(closed, "SELECT member FROM accounts WHERE"
	    " lower(email) = lower($1)", em);
	ck_assert(sign_in(co, COORD, coord_pw));
	r = form_post(co, "/admin/members", "/admin/members/approve", "id", id,
	    NULL);
	ck_assert(resp_has(r, "already been dealt with"));
	resp_free(r);
	/* Nor refused: an address nobody confirmed is not a request. */
	r = form_post(co, "/admin/members", "/admin/members/reject", "id", id,
	    NULL);
	ck_assert(resp_has(r, "already been dealt with"));
	resp_free(r);
	ck_assert_int_eq(num(closed, "SELECT count(*) FROM accounts WHERE"
	    " member = $1 AND status = 'pending'", id), 1);
	ck_assert_int_eq(num(closed, "SELECT count(*) FROM members WHERE"
	    " id = $1 AND name = 'Una Unconfirmed'", id), 1);
	free(id);
	free(em);
	client_free(m);
	client_free(co);
}
END_TEST

START_TEST(test_confirmation_link_works_once)
{
	struct client *a = client_at(open_node), *b = client_at(open_node);
	char *em = fresh("once"), *tok;
	struct resp *r;

	r = join_form(a, "Olive Once", em, PW, PW);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	tok = mail_token(open_node, em, "/join/confirm");
	ck_assert_ptr_nonnull(tok);
	r = follow(a, "/join/confirm", tok);
	ck_assert_int_eq(r->status, 303);	/* confirmed and signed in */
	resp_free(r);
	ck_assert_int_eq(http_get_status(a, "/profile"), 200);
	r = follow(b, "/join/confirm", tok);
	ck_assert_int_eq(r->status, 410);
	ck_assert(resp_has(r, "This link no longer works"));
	resp_free(r);
	ck_assert_int_eq(http_get_status(b, "/profile"), 303);
	ck_assert_int_eq(http_get_status(b, "/healthz"), 200);
	free(tok);
	free(em);
	client_free(a);
	client_free(b);
}
END_TEST

START_TEST(test_confirmation_link_expires_and_a_new_one_can_be_sent)
{
	struct client *a = client_at(open_node);
	char *em = fresh("late"), *tok, *tok2;
	struct resp *r;

	r = join_form(a, "Laura Late", em, PW, PW);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	tok = mail_token(open_node, em, "/join/confirm");
	ck_assert_ptr_nonnull(tok);
	/* A day passes. */
	ck_assert_int_ge(node_exec(open_node, "UPDATE account_tokens SET"
	    " expires = now() - interval '1 second' WHERE account ="
	    " (SELECT id FROM accounts WHERE lower(email) = lower($1))", 1,
	    (const char *const[]){ em }), 1);
	r = follow(a, "/join/confirm", tok);
	ck_assert_int_eq(r->status, 410);
	resp_free(r);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM accounts WHERE"
	    " lower(email) = lower($1) AND confirmed IS NULL", em), 1);
	ck_assert_int_eq(signin_status(a, em, PW), 403);

	r = form_post(a, "/join/resend", "/join/resend", "email", em, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "We have sent an email to"));
	resp_free(r);
	tok2 = mail_token(open_node, em, "/join/confirm");
	ck_assert_ptr_nonnull(tok2);
	ck_assert_str_ne(tok, tok2);
	r = follow(a, "/join/confirm", tok2);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(http_get_status(a, "/profile"), 200);
	free(tok);
	free(tok2);
	free(em);
	client_free(a);
}
END_TEST

START_TEST(test_join_with_an_existing_email_answers_alike_and_tells_the_owner)
{
	struct client *owner, *x = client_at(open_node);
	char *em = fresh("owner"), *other = fresh("newcomer"), *a, *b, *a2;
	struct resp *r1, *r2;

	owner = member(em, "Olwen Owner");
	r1 = join_form(x, "Someone Else", other, "another long password",
	    "another long password");
	r2 = join_form(x, "Someone Else", em, "another long password",
	    "another long password");
	ck_assert_int_eq(r1->status, 200);
	ck_assert_int_eq(r2->status, r1->status);
	/* The same page, but for the address typed. */
	a = main_of(r1);
	b = main_of(r2);
	a2 = replaced(a, other, em);
	ck_assert_str_eq(a2, b);
	free(a2);
	ck_assert_int_eq(mails(open_node, em, "Someone tried to join with your "
	    "address"), 1);
	ck_assert_int_eq(mails(open_node, em, "Confirm your email address"),
	    1);
	/* Nothing of the account changed. */
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM members WHERE"
	    " name = 'Someone Else'", NULL), 1);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM accounts a JOIN"
	    " members m ON m.id = a.member WHERE lower(a.email) = lower($1)"
	    " AND m.name = 'Olwen Owner'", em), 1);
	ck_assert_int_eq(signin_status(x, em, "another long password"), 401);
	ck_assert_int_eq(http_get_status(owner, "/profile"), 200);
	free(a);
	free(b);
	resp_free(r1);
	resp_free(r2);
	free(em);
	free(other);
	client_free(owner);
	client_free(x);
}
END_TEST

/*
 * Someone joins with another person's address first: the owner's own
 * join replaces it, and the link mailed for the squatter's join would
 * need the squatter's password, which the owner does not type.
 */
START_TEST(test_a_squatter_cannot_take_an_address_before_its_owner)
{
	struct client *sq = client_at(open_node), *own = client_at(open_node);
	char *em = fresh("squatted"), *tok, page[256];
	struct resp *r;

	r = join_form(sq, "Squatter", em, "the squatter password",
	    "the squatter password");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = join_form(own, "Rightful Owner", em, PW, PW);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	tok = mail_token(open_node, em, "/join/confirm");
	ck_assert_ptr_nonnull(tok);
	snprintf(page, sizeof(page), "/join/confirm?token=%s", tok);
	r = form_post(own, page, "/join/confirm", "token", tok, "password",
	    "the squatter password", NULL);
	ck_assert_int_eq(r->status, 422);
	resp_free(r);
	r = follow(own, "/join/confirm", tok);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(signin_status(sq, em, "the squatter password"), 401);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM accounts a JOIN"
	    " members m ON m.id = a.member WHERE lower(a.email) = lower($1)"
	    " AND m.name = 'Rightful Owner'", em), 1);
	free(tok);
	free(em);
	client_free(sq);
	client_free(own);
}
END_TEST

START_TEST(test_join_is_throttled_per_address)
{
	struct client *c = client_at(closed), *d = client_at(closed);
	char *em;
	struct resp *r;
	int i;

	for (i = 0; i < JOINS; i++) {
		em = fresh("flood");
		r = join_form(c, "Flo Flood", em, PW, PW);
		ck_assert_int_eq(r->status, 200);
		resp_free(r);
		free(em);
	}
	em = fresh("flood");
	r = join_form(c, "Flo Flood", em, PW, PW);
	ck_assert_int_eq(r->status, 429);
	ck_assert(resp_has(r, "seconds, then try again"));
	assert_retry_after_says_the_wait(r);
	resp_free(r);
	ck_assert_int_eq(num(closed, "SELECT count(*) FROM accounts WHERE"
	    " lower(email) = lower($1)", em), 0);
	/* Another address is not slowed. */
	r = join_form(d, "Del Different", em, PW, PW);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	ck_assert_int_eq(num(closed, "SELECT count(*) FROM accounts WHERE"
	    " lower(email) = lower($1)", em), 1);
	free(em);
	client_free(c);
	client_free(d);
}
END_TEST

/* --- passwords ------------------------------------------------------- */

START_TEST(test_reset_ends_every_session_and_the_link_works_once)
{
	char *em = fresh("forgetful"), *tok, page[256];
	struct client *a = member(em, "Fay Forgetful"), *b = client_at(open_node),
	    *c = client_at(open_node);
	struct resp *r;

	ck_assert_int_eq(signin_status(b, em, PW), 303);
	r = form_post(c, "/signin/forgot", "/signin/forgot", "email", em, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "If an account exists for"));
	resp_free(r);
	tok = mail_token(open_node, em, "/signin/reset");
	ck_assert_ptr_nonnull(tok);
	snprintf(page, sizeof(page), "/signin/reset?token=%s", tok);
	ck_assert_int_eq(http_get_status(c, page), 200);
	r = form_post(c, page, "/signin/reset", "token", tok, "password",
	    "a brand new password", "password2", "a brand new password", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Your password has been changed"));
	resp_free(r);
	ck_assert_int_eq(http_get_status(a, "/profile"), 303);
	ck_assert_int_eq(http_get_status(b, "/profile"), 303);
	ck_assert_int_eq(signin_status(c, em, PW), 401);
	ck_assert_int_eq(signin_status(c, em, "a brand new password"), 303);
	/* Once only. */
	r = form_post(b, "/signin/forgot", "/signin/reset", "token", tok,
	    "password", "a third long password", "password2",
	    "a third long password", NULL);
	ck_assert_int_eq(r->status, 410);
	resp_free(r);
	ck_assert_int_eq(signin_status(b, em, "a brand new password"), 303);
	free(tok);
	free(em);
	client_free(a);
	client_free(b);
	client_free(c);
}
END_TEST

START_TEST(test_reset_link_expires_within_an_hour)
{
	char *em = fresh("slow"), *tok;
	struct client *a = member(em, "Sid Slow"), *b = client_at(open_node);
	struct resp *r;

	r = form_post(b, "/signin/forgot", "/signin/forgot", "email", em, NULL);
	resp_free(r);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM account_tokens t"
	    " JOIN accounts a ON a.id = t.account WHERE lower(a.email) ="
	    " lower($1) AND t.purpose = 'reset' AND t.expires <="
	    " now() + interval '1 hour'", em), 1);
	tok = mail_token(open_node, em, "/signin/reset");
	ck_assert_ptr_nonnull(tok);
	ck_assert_int_ge(node_exec(open_node, "UPDATE account_tokens SET"
	    " expires = now() - interval '1 second' WHERE purpose = 'reset'"
	    " AND account = (SELECT id FROM accounts WHERE lower(email) ="
	    " lower($1))", 1, (const char *const[]){ em }), 1);
	r = follow(b, "/signin/reset", tok);
	ck_assert_int_eq(r->status, 410);
	resp_free(r);
	ck_assert_int_eq(http_get_status(a, "/profile"), 200);
	ck_assert_int_eq(signin_status(b, em, PW), 303);
	free(tok);
	free(em);
	client_free(a);
	client_free(b);
}
END_TEST

START_TEST(test_reset_for_an_unknown_email_gives_the_same_reply)
{
	char *em = fresh("known"), *ghost = fresh("ghost"), *a, *b, *a2;
	struct client *m = member(em, "Kim Known"), *c = client_at(open_node);
	struct resp *r1, *r2;

	r1 = form_post(c, "/signin/forgot", "/signin/forgot", "email", em,
	    NULL);
	r2 = form_post(c, "/signin/forgot", "/signin/forgot", "email", ghost,
	    NULL);
	ck_assert_int_eq(r1->status, 200);
	ck_assert_int_eq(r2->status, r1->status);
	a = main_of(r1);
	b = main_of(r2);
	a2 = replaced(a, em, ghost);
	ck_assert_str_eq(a2, b);
	free(a2);
	ck_assert_int_eq(mails(open_node, em, "Reset your password"), 1);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM outbox WHERE"
	    " lower(recipient) = lower($1)", ghost), 0);
	free(a);
	free(b);
	resp_free(r1);
	resp_free(r2);
	free(em);
	free(ghost);
	client_free(m);
	client_free(c);
}
END_TEST

START_TEST(test_password_change_needs_the_current_one_and_ends_other_sessions)
{
	char *em = fresh("changer");
	struct client *a = member(em, "Cal Changer"), *b = client_at(open_node);
	struct resp *r;

	ck_assert_int_eq(signin_status(b, em, PW), 303);
	r = form_post(a, "/profile/password", "/profile/password", "current",
	    "not my password", "password", "a brand new password",
	    "password2", "a brand new password", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "That is not your current password"));
	ck_assert(!resp_has(r, "not my password"));
	resp_free(r);
	ck_assert_int_eq(http_get_status(b, "/profile"), 200);
	ck_assert_int_eq(signin_elsewhere(em, "a brand new password"), 401);

	r = form_post(a, "/profile/password", "/profile/password", "current",
	    PW, "password", "a brand new password", "password2",
	    "a brand new password", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Your password has been changed"));
	resp_free(r);
	ck_assert_int_eq(http_get_status(a, "/profile"), 200);
	ck_assert_int_eq(http_get_status(b, "/profile"), 303);
	ck_assert_int_eq(signin_status(b, em, PW), 401);
	ck_assert_int_eq(signin_status(b, em, "a brand new password"), 303);
	ck_assert_int_eq(mails(open_node, em, "Your password has been changed"),
	    1);
	free(em);
	client_free(a);
	client_free(b);
}
END_TEST

/* --- sessions -------------------------------------------------------- */

START_TEST(test_sign_out_everywhere_ends_every_session)
{
	char *em = fresh("everywhere");
	struct client *a = member(em, "Eve Everywhere"),
	    *b = client_at(open_node);
	struct resp *r;

	ck_assert_int_eq(signin_status(b, em, PW), 303);
	r = form_post(a, "/profile/sessions", "/signout/everywhere", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "signed out everywhere"));
	resp_free(r);
	ck_assert_int_eq(http_get_status(a, "/profile"), 303);
	ck_assert_int_eq(http_get_status(b, "/profile"), 303);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM sessions s JOIN"
	    " accounts a ON a.id = s.account WHERE lower(a.email) = lower($1)",
	    em), 0);
	free(em);
	client_free(a);
	client_free(b);
}
END_TEST

START_TEST(test_sessions_page_shows_only_ones_own_and_ends_one)
{
	char *em = fresh("devices"), *em2 = fresh("stranger"), *theirs,
	    *other;
	struct client *a, *b, *s;
	struct resp *r;

	a = client_at(open_node);
	client_agent(a, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0)"
	    " Gecko/20100101 Firefox/128.0");
	ck_assert_int_eq(join(a, "Dev Devices", em, PW), 303);
	b = client_at(open_node);
	client_agent(b, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"
	    " AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0"
	    " Mobile/15E148 Safari/604.1");
	ck_assert_int_eq(signin_status(b, em, PW), 303);
	s = member(em2, "Stan Stranger");

	r = http_get(a, "/profile/sessions");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Firefox on Windows"));
	ck_assert(resp_has(r, "Safari on iPhone"));
	ck_assert(resp_has(r, "This device"));
	ck_assert(resp_has(r, "fd00:"));
	/*
	 * Two sessions, each with its own button; none of the stranger's.
	 * This device's asks first, so it is a link to the question.
	 */
	ck_assert_int_eq(occurrences(r, "name=\"session\""), 1);
	ck_assert_int_eq(occurrences(r, "/profile/sessions/end?session="), 1);
	resp_free(r);

	/* Another account's session: nothing ends. */
	theirs = node_text(open_node, "SELECT s.id FROM sessions s JOIN"
	    " accounts a ON a.id = s.account WHERE lower(a.email) = lower($1)",
	    em2);
	r = form_post(a, "/profile/sessions", "/profile/sessions/end",
	    "session", theirs, NULL);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	ck_assert_int_eq(http_get_status(s, "/profile"), 200);

	other = node_text(open_node, "SELECT s.id FROM sessions s JOIN"
	    " accounts a ON a.id = s.account WHERE lower(a.email) = lower($1)"
	    " AND s.user_agent LIKE '%iPhone%'", em);
	r = form_post(a, "/profile/sessions", "/profile/sessions/end",
	    "session", other, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(http_get_status(b, "/profile"), 303);
	ck_assert_int_eq(http_get_status(a, "/profile"), 200);
	r = http_get(a, "/profile/sessions");
	ck_assert(!resp_has(r, "Safari on iPhone"));
	resp_free(r);
	/* Recorded once, with the ending; the refused attempt not at all. */
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM audit_log l JOIN"
	    " accounts a ON a.id = l.actor WHERE lower(a.email) = lower($1)"
	    " AND l.action = 'end session'", em), 1);
	free(theirs);
	free(other);
	free(em);
	free(em2);
	client_free(a);
	client_free(b);
	client_free(s);
}
END_TEST

/* --- changing the email ---------------------------------------------- */

START_TEST(test_email_change_confirms_the_new_address_and_tells_the_old)
{
	char *em = fresh("mover"), *to = fresh("moved"), *tok, page[256];
	struct client *a = member(em, "Mo Mover"), *b = client_at(open_node);
	struct resp *r;

	r = form_post(a, "/profile/email", "/profile/email", "email", to,
	    "current", "not my password", NULL);
	ck_assert_int_eq(r->status, 422);
	resp_free(r);
	ck_assert_int_eq(mails(open_node, to, "Confirm your new email address"),
	    0);
	r = form_post(a, "/profile/email", "/profile/email", "email", to,
	    "current", PW, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "We have sent an email to"));
	resp_free(r);
	/* Nothing changes until the new address answers. */
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM accounts WHERE"
	    " lower(email) = lower($1)", em), 1);
	tok = mail_token(open_node, to, "/profile/email/confirm");
	ck_assert_ptr_nonnull(tok);
	snprintf(page, sizeof(page), "/profile/email/confirm?token=%s", tok);
	r = form_post(b, page, "/profile/email/confirm", "token", tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Your email address has been changed"));
	resp_free(r);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM accounts WHERE"
	    " lower(email) = lower($1)", to), 1);
	ck_assert_int_eq(mails(open_node, em, "Your email address has been "
	    "changed"), 1);
	ck_assert_int_eq(signin_status(b, to, PW), 303);
	ck_assert_int_eq(signin_elsewhere(em, PW), 401);
	/* Once only. */
	r = form_post(b, page, "/profile/email/confirm", "token", tok, NULL);
	ck_assert_int_eq(r->status, 410);
	resp_free(r);
	free(tok);
	free(em);
	free(to);
	client_free(a);
	client_free(b);
}
END_TEST

START_TEST(test_email_change_to_a_taken_address_changes_nothing)
{
	char *em = fresh("taker"), *taken = fresh("taken");
	struct client *a = member(em, "Tad Taker"),
	    *t = member(taken, "Tess Taken");
	struct resp *r;

	r = form_post(a, "/profile/email", "/profile/email", "email", taken,
	    "current", PW, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "We have sent an email to"));
	resp_free(r);
	ck_assert_int_eq(mails(open_node, taken, "Someone tried to use your "
	    "address"), 1);
	ck_assert_ptr_null(mail_token(open_node, taken,
	    "/profile/email/confirm"));
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM accounts WHERE"
	    " lower(email) = lower($1)", em), 1);
	ck_assert_int_eq(http_get_status(t, "/profile"), 200);
	free(em);
	free(taken);
	client_free(a);
	client_free(t);
}
END_TEST

/* --- what a stolen password leaves behind ---------------------------- */

/* What the owner does on finding out: each must end the thief's link. */
enum owner_act { OWNER_RESETS, OWNER_CHANGES, OWNER_SIGNS_OUT };

/*
 * Someone with the member's password asks to move the account to their
 * own address; the owner then resets the password, changes it or signs
 * out everywhere.  The link mailed to the thief no longer moves the
 * account, and the owner keeps it.
 */
static void
stolen_email_link(enum owner_act act)
{
	char *em = fresh("robbed"), *thief = fresh("thief"), *tok, *rtok,
	    page[256];
	struct client *own = member(em, "Rob Robbed"),
	    *x = client_at(open_node);
	struct resp *r;

	ck_assert_int_eq(signin_status(x, em, PW), 303);
	r = form_post(x, "/profile/email", "/profile/email", "email", thief,
	    "current", PW, NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	tok = mail_token(open_node, thief, "/profile/email/confirm");
	ck_assert_ptr_nonnull(tok);

	switch (act) {
	case OWNER_RESETS:
		r = form_post(own, "/signin/forgot", "/signin/forgot", "email",
		    em, NULL);
		resp_free(r);
		rtok = mail_token(open_node, em, "/signin/reset");
		ck_assert_ptr_nonnull(rtok);
		snprintf(page, sizeof(page), "/signin/reset?token=%s", rtok);
		r = form_post(own, page, "/signin/reset", "token", rtok,
		    "password", "the owner's new password", "password2",
		    "the owner's new password", NULL);
		free(rtok);
		break;
	case OWNER_CHANGES:
		r = form_post(own, "/profile/password", "/profile/password",
		    "current", PW, "password", "the owner's new password",
		    "password2", "the owner's new password", NULL);
		break;
	default:
		r = form_post(own, "/profile/sessions", "/signout/everywhere",
		    NULL);
		break;
	}
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM account_tokens t"
	    " JOIN accounts a ON a.id = t.account WHERE lower(a.email) ="
	    " lower($1)", em), 0);

	/* The thief follows the link: dead, and the account stays put. */
	snprintf(page, sizeof(page), "/profile/email/confirm?token=%s", tok);
	ck_assert_int_eq(http_get_status(x, page), 410);
	r = form_post(x, "/signin/forgot", "/profile/email/confirm", "token",
	    tok, NULL);
	ck_assert_int_eq(r->status, 410);
	ck_assert(resp_has(r, "This link no longer works"));
	resp_free(r);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM accounts WHERE"
	    " lower(email) = lower($1)", em), 1);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM accounts WHERE"
	    " lower(email) = lower($1)", thief), 0);
	ck_assert_int_eq(mails(open_node, em, "Your email address has been "
	    "changed"), 0);
	ck_assert_int_eq(http_get_status(x, "/profile"), 303);
	ck_assert_int_eq(http_get_status(x, "/healthz"), 200);
	free(tok);
	free(em);
	free(thief);
	client_free(own);
	client_free(x);
}

START_TEST(test_a_reset_ends_a_thiefs_email_change)
{
	stolen_email_link(OWNER_RESETS);
}
END_TEST

START_TEST(test_a_password_change_ends_a_thiefs_email_change)
{
	stolen_email_link(OWNER_CHANGES);
}
END_TEST

START_TEST(test_signing_out_everywhere_ends_a_thiefs_email_change)
{
	stolen_email_link(OWNER_SIGNS_OUT);
}
END_TEST

/*
 * A browser signed in as one account follows another account's reset
 * link: it is signed out, and its session's row goes with the cookie.
 */
START_TEST(test_a_reset_in_a_browser_signed_in_as_someone_else_ends_that_session)
{
	char *em = fresh("resetter"), *other = fresh("bystander"), *tok,
	    page[256];
	struct client *a = member(em, "Ray Resetter"),
	    *b = member(other, "Bea Bystander");
	struct resp *r;

	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM sessions s JOIN"
	    " accounts a ON a.id = s.account WHERE lower(a.email) = lower($1)",
	    other), 1);
	r = form_post(a, "/signin/forgot", "/signin/forgot", "email", em, NULL);
	resp_free(r);
	tok = mail_token(open_node, em, "/signin/reset");
	ck_assert_ptr_nonnull(tok);
	snprintf(page, sizeof(page), "/signin/reset?token=%s", tok);
	r = form_post(b, page, "/signin/reset", "token", tok, "password",
	    "a brand new password", "password2", "a brand new password", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	ck_assert_int_eq(http_get_status(b, "/profile"), 303);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM sessions s JOIN"
	    " accounts a ON a.id = s.account WHERE lower(a.email) = lower($1)",
	    other), 0);
	ck_assert_int_eq(signin_elsewhere(other, PW), 303);
	free(tok);
	free(em);
	free(other);
	client_free(a);
	client_free(b);
}
END_TEST

/*
 * Guessing the password on a join's confirmation page, with one
 * unconfirmed account, is slowed down as sign-ins are: the guesser's
 * address waits (even with the right password), and the real owner,
 * from their own address, confirms at once.
 */
START_TEST(test_guessing_on_the_confirmation_page_is_slowed_down)
{
	struct client *x = client_at(open_node), *own = client_at(open_node);
	char *em = fresh("guessed"), *tok, page[256];
	struct resp *r;
	int i, refused = 0, slowed = 0;

	r = join_form(own, "Gus Guessed", em, PW, PW);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	tok = mail_token(open_node, em, "/join/confirm");
	snprintf(page, sizeof(page), "/join/confirm?token=%s", tok);
	for (i = 0; i < 8; i++) {
		r = form_post(x, page, "/join/confirm", "token", tok,
		    "password", "a wrong guess at it", NULL);
		if (r->status == 422)
			refused++;
		else if (r->status == 429 && resp_has(r, "Wait")) {
			assert_retry_after_says_the_wait(r);
			slowed++;
		} else
			ck_abort_msg("guesser got %ld", r->status);
		resp_free(r);
	}
	ck_assert_int_eq(refused, 3);
	ck_assert_int_eq(slowed, 5);
	r = form_post(x, page, "/join/confirm", "token", tok, "password", PW,
	    NULL);
	ck_assert_int_eq(r->status, 429);
	resp_free(r);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM accounts WHERE"
	    " lower(email) = lower($1) AND confirmed IS NULL", em), 1);
	r = follow(own, "/join/confirm", tok);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(http_get_status(own, "/profile"), 200);
	free(tok);
	free(em);
	client_free(x);
	client_free(own);
}
END_TEST

/*
 * A member asking for email changes over and over mails addresses of
 * their choosing: after a few, they wait, and nothing more is sent.
 */
START_TEST(test_email_change_requests_are_throttled)
{
	char *em = fresh("spammer"), *to;
	struct client *a = member(em, "Sam Spammer");
	struct resp *r;
	int i;

	for (i = 0; i < 5; i++) {
		to = fresh("spammed");
		r = form_post(a, "/profile/email", "/profile/email", "email",
		    to, "current", PW, NULL);
		ck_assert_int_eq(r->status, 200);
		resp_free(r);
		ck_assert_int_eq(mails(open_node, to,
		    "Confirm your new email address"), 1);
		free(to);
	}
	to = fresh("spammed");
	r = form_post(a, "/profile/email", "/profile/email", "email", to,
	    "current", PW, NULL);
	ck_assert_int_eq(r->status, 429);
	assert_retry_after_says_the_wait(r);
	resp_free(r);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM outbox WHERE"
	    " lower(recipient) = lower($1)", to), 0);
	ck_assert_int_eq(http_get_status(a, "/profile"), 200);
	free(to);
	free(em);
	client_free(a);
}
END_TEST

/*
 * Someone joined with an address and never confirmed it: a member who
 * proves the address is theirs may still move to it, and the
 * unconfirmed account, with its profile, goes.
 */
START_TEST(test_an_unconfirmed_account_does_not_block_an_email_change)
{
	char *em = fresh("blocked"), *to = fresh("squatted"), *tok, *gone,
	    page[256];
	struct client *a = member(em, "Bel Blocked"), *sq = client_at(open_node);
	struct resp *r;

	r = join_form(sq, "Squatter Sid", to, "the squatter password",
	    "the squatter password");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	gone = node_sql(open_node, "SELECT member FROM accounts WHERE"
	    " lower(email) = lower($1)", to);
	ck_assert_ptr_nonnull(gone);
	r = form_post(a, "/profile/email", "/profile/email", "email", to,
	    "current", PW, NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	ck_assert_int_eq(mails(open_node, to, "Someone tried to use your "
	    "address"), 0);
	tok = mail_token(open_node, to, "/profile/email/confirm");
	ck_assert_ptr_nonnull(tok);
	snprintf(page, sizeof(page), "/profile/email/confirm?token=%s", tok);
	r = form_post(a, page, "/profile/email/confirm", "token", tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Your email address has been changed"));
	resp_free(r);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM accounts a JOIN"
	    " members m ON m.id = a.member WHERE lower(a.email) = lower($1)"
	    " AND m.name = 'Bel Blocked'", to), 1);
	ck_assert_int_eq(num(open_node, "SELECT count(*) FROM members WHERE"
	    " id = $1", gone), 0);
	ck_assert_int_eq(signin_status(sq, to, "the squatter password"), 401);
	ck_assert_int_eq(signin_elsewhere(to, PW), 303);
	free(gone);
	free(tok);
	free(em);
	free(to);
	client_free(a);
	client_free(sq);
}
END_TEST

/*
 * `acorn user add` for an address someone joined with but never
 * confirmed makes a new account: a fresh password, usable at once, and
 * nothing of the join (its password, its name, its link) left.
 */
START_TEST(test_acorn_user_add_replaces_an_unconfirmed_join)
{
	struct client *sq = client_at(closed), *c = client_at(closed);
	char *em = fresh("cliuser"), *tok, *pw;
	struct resp *r;

	r = join_form(sq, "Squatter Sue", em, "the squatter password",
	    "the squatter password");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	tok = mail_token(closed, em, "/join/confirm");
	ck_assert_ptr_nonnull(tok);
	pw = node_user_add(closed, em, "coordinator");
	ck_assert_ptr_nonnull(pw);
	ck_assert_str_ne(pw, "the squatter password");
	ck_assert_int_eq(signin_status(c, em, pw), 303);
	ck_assert_int_eq(http_get_status(c, "/admin/members"), 200);
	ck_assert_int_eq(signin_elsewhere(em, "the squatter password"), 401);
	ck_assert_int_eq(num(closed, "SELECT count(*) FROM accounts a JOIN"
	    " members m ON m.id = a.member WHERE lower(a.email) = lower($1)"
	    " AND a.confirmed IS NOT NULL AND a.status = 'active'"
	    " AND a.role = 'coordinator' AND m.name <> 'Squatter Sue'", em), 1);
	ck_assert_int_eq(num(closed, "SELECT count(*) FROM members WHERE"
	    " name = 'Squatter Sue'", NULL), 0);
	r = follow(sq, "/join/confirm", tok);
	ck_assert_int_eq(r->status, 410);
	resp_free(r);
	free(pw);
	free(tok);
	free(em);
	client_free(sq);
	client_free(c);
}
END_TEST

/* --- throttling without lock-outs ------------------------------------ */

START_TEST(test_wrong_passwords_from_elsewhere_never_lock_the_member_out)
{
	char *em = fresh("target");
	struct client *m = member(em, "Tara Target"), *x = client_at(open_node),
	    *home = client_at(open_node);
	struct resp *r = NULL;
	int i;

	/* Three wrong passwords are told so: they cost no wait yet. */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(signin_status(x, em, "guess number one"), 401);
	/*
	 * Then the attacker's address is slowed: told to wait, at least
	 * two seconds.  A guess that arrives after a wait is over is one
	 * more failure and doubles the next wait, so however slow the
	 * machine, guessing on reaches such an answer.
	 */
	for (i = 0; i < 400; i++) {
		resp_free(r);
		r = form_post(x, "/signin", "/signin", "email", em, "password",
		    "guess number one", NULL);
		ck_assert_ptr_nonnull(r);
		ck_assert_msg(r->status == 401 || r->status == 429,
		    "attacker got %ld", r->status);
		if (r->status == 429 && retry_after(r) >= 2)
			break;
		poll(NULL, 0, 25);
	}
	ck_assert_int_eq(r->status, 429);
	ck_assert_int_ge(retry_after(r), 2);
	assert_retry_after_says_the_wait(r);
	resp_free(r);
	/* The attacker's address waits even with the right password... */
	ck_assert_int_eq(signin_status(x, em, PW), 429);
	/* ...while the member, from their own address, signs in at once. */
	ck_assert_int_eq(signin_status(home, em, PW), 303);
	ck_assert_int_eq(http_get_status(home, "/profile"), 200);
	ck_assert_int_eq(http_get_status(m, "/profile"), 200);
	ck_assert_int_eq(http_get_status(x, "/healthz"), 200);
	/*
	 * Once the wait is over, the attacker's address may try again:
	 * the waits of the address that guessed this test's email end.
	 */
	{
		const char *p[1] = { em };

		ck_assert_int_ge(node_exec(open_node, "UPDATE throttle SET"
		    " wait_until = now() WHERE split_part(key, '|', 2) IN"
		    " (SELECT split_part(key, '|', 2) FROM throttle WHERE"
		    " starts_with(key, 'signin:' || lower($1) || '|'))", 1, p),
		    2);
	}
	ck_assert_int_eq(signin_status(x, em, "guess number two"), 401);
	free(em);
	client_free(m);
	client_free(x);
	client_free(home);
}
END_TEST

START_TEST(test_reset_requests_are_throttled_per_address)
{
	struct client *c = client_at(open_node), *d = client_at(open_node);
	char *em = fresh("resetflood");
	struct resp *r;
	int i;

	for (i = 0; i < 5; i++) {
		r = form_post(c, "/signin/forgot", "/signin/forgot", "email",
		    em, NULL);
		ck_assert_int_eq(r->status, 200);
		resp_free(r);
	}
	r = form_post(c, "/signin/forgot", "/signin/forgot", "email", em,
	    NULL);
	ck_assert_int_eq(r->status, 429);
	assert_retry_after_says_the_wait(r);
	resp_free(r);
	r = form_post(c, "/join/resend", "/join/resend", "email", em, NULL);
	ck_assert_int_eq(r->status, 429);
	assert_retry_after_says_the_wait(r);
	resp_free(r);
	r = form_post(d, "/signin/forgot", "/signin/forgot", "email", em,
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(retry_after(r), -1);
	resp_free(r);
	free(em);
	client_free(c);
	client_free(d);
}
END_TEST

START_TEST(test_bad_links_are_refused_and_change_nothing)
{
	struct client *c = client_at(open_node);
	struct resp *r;

	ck_assert_int_eq(http_get_status(c, "/join/confirm"), 410);
	ck_assert_int_eq(http_get_status(c, "/join/confirm?token=nonsense"), 410);
	r = http_get(c, "/signin/reset?token=%3Cscript%3E");
	ck_assert_int_eq(r->status, 410);
	ck_assert(!resp_has(r, "<script>"));
	resp_free(r);
	ck_assert_int_eq(http_get_status(c, "/profile/email/confirm?token="
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 410);
	ck_assert_int_eq(http_get_status(c, "/profile/sessions"), 303);
	ck_assert_int_eq(http_get_status(c, "/healthz"), 200);
	client_free(c);
}
END_TEST

/* --- Argon2id bounded ------------------------------------------------ */

#define FLOOD	12

struct flood {
	struct client		*c;
	char			*csrf, *email;
	pthread_barrier_t	*go;
	long			 status;
	int			 busy;
};

/* One of the flood: the join form is open; all send it at once. */
static void *
flood_join(void *arg)
{
	struct flood *f = arg;
	struct resp *r;

	pthread_barrier_wait(f->go);
	r = http_post(f->c, "/join", "csrf", f->csrf, "name", "Fred Flood",
	    "email", f->email, "password", PW, "password2", PW,
	    "organisation", "Test Health Centre", "group", "gp", "region",
	    "North West", NULL);
	f->status = r != NULL ? r->status : -1;
	f->busy = resp_has(r, "Wait a few seconds, then try again");
	resp_free(r);
	return NULL;
}

/*
 * Hashes made slow and one allowed at a time, with no waiting for it:
 * of joins sent at the same moment, those that find the slot taken are
 * told the node is busy instead of holding a request thread, and the
 * node keeps serving.
 */
START_TEST(test_a_flood_of_joins_is_told_busy_and_the_node_still_serves)
{
	struct node *n = node_new("Accounts slow hash", "trust_proxy = yes\n"
	    "throttle_joins = 1000\nargon2_parallel = 1\nargon2_wait = 0\n"
	    "argon2_passes = 8\nargon2_memory = 65536");
	struct flood f[FLOOD];
	pthread_t t[FLOOD];
	pthread_barrier_t go;
	struct client *c;
	int i, ok = 0, busy = 0;

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	ck_assert_int_eq(pthread_barrier_init(&go, NULL, FLOOD), 0);
	for (i = 0; i < FLOOD; i++) {
		f[i].c = client_at(n);
		f[i].email = fresh("flood");
		f[i].go = &go;
		ck_assert_ptr_nonnull(f[i].csrf = page_csrf(f[i].c, "/join"));
	}
	for (i = 0; i < FLOOD; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, flood_join, &f[i]),
		    0);
	for (i = 0; i < FLOOD; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&go);
	for (i = 0; i < FLOOD; i++) {
		if (f[i].status == 200)
			ok++;
		else if (f[i].status == 503 && f[i].busy)
			busy++;
		else
			ck_abort_msg("join answered %ld", f[i].status);
		client_free(f[i].c);
		free(f[i].csrf);
		free(f[i].email);
	}
	ck_assert_int_ge(ok, 1);
	ck_assert_int_ge(busy, 1);
	ck_assert_int_eq(num(n, "SELECT count(*) FROM accounts", NULL), ok);
	c = client_new(n);
	ck_assert_int_eq(http_get_status(c, "/healthz"), 200);
	client_free(c);
	node_free(n);
}
END_TEST

#define CROWD	8

struct crowd {
	struct client		*c;
	const char		*email, *pw;
	char			*csrf;
	pthread_barrier_t	*go;
	long			 status;
	int			 busy;
};

/* One of the crowd: the sign-in page is open; all press at once. */
static void *
crowd_sign_in(void *arg)
{
	struct crowd *p = arg;
	struct resp *r;

	pthread_barrier_wait(p->go);
	r = http_post(p->c, "/signin", "csrf", p->csrf, "email", p->email,
	    "password", p->pw, NULL);
	p->status = r != NULL ? r->status : -1;
	p->busy = resp_has(r, "Wait a few seconds, then try again");
	resp_free(r);
	return NULL;
}

/*
 * A node as installed (hashing as costly as the defaults, two at once,
 * a second's wait for a turn, 64 connections per address): a crowd of
 * eight people signing in at the same moment, from one address as
 * behind an office's router, are all signed in, none told it is busy.
 */
START_TEST(test_a_crowd_signing_in_at_once_is_served_on_the_defaults)
{
	struct node *n = node_new("Accounts defaults", "argon2_passes = 2\n"
	    "argon2_memory = 19456\nargon2_parallel = 2\nargon2_wait = 1000\n"
	    "connections_per_address = 64\nthreads = 4");
	struct crowd p[CROWD];
	char *emails[CROWD], *pws[CROWD];
	pthread_t t[CROWD];
	pthread_barrier_t go;
	int i;

	ck_assert_ptr_nonnull(n);
	for (i = 0; i < CROWD; i++) {
		ck_assert_ptr_nonnull(emails[i] = fresh("crowd"));
		ck_assert_ptr_nonnull(pws[i] = node_user_add(n, emails[i],
		    "member"));
	}
	ck_assert_int_eq(node_serve(n), 0);
	ck_assert_int_eq(pthread_barrier_init(&go, NULL, CROWD), 0);
	for (i = 0; i < CROWD; i++) {
		p[i].c = client_new(n);
		p[i].email = emails[i];
		p[i].pw = pws[i];
		p[i].go = &go;
		ck_assert_ptr_nonnull(p[i].csrf = page_csrf(p[i].c, "/signin"));
	}
	for (i = 0; i < CROWD; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, crowd_sign_in,
		    &p[i]), 0);
	for (i = 0; i < CROWD; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	for (i = 0; i < CROWD; i++) {
		ck_assert_msg(!p[i].busy, "one of the crowd was told busy");
		ck_assert_msg(p[i].status == 303, "a sign-in answered %ld",
		    p[i].status);
		ck_assert_int_eq(http_get_status(p[i].c, "/profile"), 200);
		client_free(p[i].c);
		free(p[i].csrf);
		free(emails[i]);
		free(pws[i]);
	}
	pthread_barrier_destroy(&go);
	node_free(n);
}
END_TEST

Suite *
accounts_suite(void)
{
	Suite *s = suite_create("accounts");
	TCase *tc = tcase_create("accounts");

	tcase_add_unchecked_fixture(tc, start_nodes, stop_nodes);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_join_confirm_approve_then_sign_in);
	tcase_add_test(tc, test_an_unconfirmed_account_is_never_approved);
	tcase_add_test(tc, test_confirmation_link_works_once);
	tcase_add_test(tc,
	    test_confirmation_link_expires_and_a_new_one_can_be_sent);
	tcase_add_test(tc,
	    test_join_with_an_existing_email_answers_alike_and_tells_the_owner);
	tcase_add_test(tc, test_a_squatter_cannot_take_an_address_before_its_owner);
	tcase_add_test(tc, test_join_is_throttled_per_address);
	tcase_add_test(tc, test_reset_ends_every_session_and_the_link_works_once);
	tcase_add_test(tc, test_reset_link_expires_within_an_hour);
	tcase_add_test(tc, test_reset_for_an_unknown_email_gives_the_same_reply);
	tcase_add_test(tc,
	    test_password_change_needs_the_current_one_and_ends_other_sessions);
	tcase_add_test(tc, test_sign_out_everywhere_ends_every_session);
	tcase_add_test(tc, test_sessions_page_shows_only_ones_own_and_ends_one);
	tcase_add_test(tc,
	    test_email_change_confirms_the_new_address_and_tells_the_old);
	tcase_add_test(tc, test_email_change_to_a_taken_address_changes_nothing);
	tcase_add_test(tc, test_a_reset_ends_a_thiefs_email_change);
	tcase_add_test(tc, test_a_password_change_ends_a_thiefs_email_change);
	tcase_add_test(tc,
	    test_signing_out_everywhere_ends_a_thiefs_email_change);
	tcase_add_test(tc,
	    test_a_reset_in_a_browser_signed_in_as_someone_else_ends_that_session);
	tcase_add_test(tc,
	    test_guessing_on_the_confirmation_page_is_slowed_down);
	tcase_add_test(tc, test_email_change_requests_are_throttled);
	tcase_add_test(tc,
	    test_an_unconfirmed_account_does_not_block_an_email_change);
	tcase_add_test(tc, test_acorn_user_add_replaces_an_unconfirmed_join);
	tcase_add_test(tc,
	    test_wrong_passwords_from_elsewhere_never_lock_the_member_out);
	tcase_add_test(tc, test_reset_requests_are_throttled_per_address);
	tcase_add_test(tc, test_bad_links_are_refused_and_change_nothing);
	tcase_add_test(tc,
	    test_a_flood_of_joins_is_told_busy_and_the_node_still_serves);
	tcase_add_test(tc,
	    test_a_crowd_signing_in_at_once_is_served_on_the_defaults);
	suite_add_tcase(s, tc);
	return s;
}
