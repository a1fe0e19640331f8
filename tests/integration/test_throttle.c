/*
 * Throttles and sessions under attack: guesses sent all at once get no
 * more password checks than guesses sent one by one, a network's /64 is
 * one party, mails anyone may ask for cannot flood one inbox from many
 * addresses, any session can be ended whatever its number, and an
 * expired session is refused.  Clients name their address in
 * X-Forwarded-For, as a proxy would.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"

Suite	*throttle_suite(void);

static struct node *node;

#define PW	"a long enough password"

/*
 * Hashes slow enough (tens of milliseconds) that guesses sent at once
 * are all under way together, and as many at once as request threads,
 * so none is told busy.
 */
static void
start_node(void)
{
	/* Behind a proxy, /metrics answers its token alone. */
	node = node_new("Throttle", "trust_proxy = yes\nthreads = 8\n"
	    "argon2_parallel = 8\nargon2_wait = 10000\nargon2_passes = 2\n"
	    "argon2_memory = 16384\n"
	    "metrics_token = throttle-metrics-7d41c09e2b5a4f68a3e1");
	ck_assert_ptr_nonnull(node);
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop_node(void)
{
	node_free(node);
	node = NULL;
}

/* A /64 of its own for this test process: n picks the network. */
static void
network(char *out, size_t len, int n, const char *host)
{
	snprintf(out, len, "fd01:%x:%x:%x:%s", (unsigned int)getpid() >> 16,
	    (unsigned int)getpid() & 0xffffu, (unsigned int)n, host);
}

/* A browser at address addr. */
static struct client *
client_from(const char *addr)
{
	struct client *c = client_new(node);
	char h[128];

	snprintf(h, sizeof(h), "X-Forwarded-For: %s", addr);
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

/* A confirmed, active account made by the node's own tool: no mail. */
static char *
account(const char *email)
{
	char *pw = node_user_add(node, email, "member");

	ck_assert_ptr_nonnull(pw);
	return pw;
}

/* How many mails went to an address. */
static long
mails_to(const char *to)
{
	return node_num(node, "SELECT count(*) FROM outbox WHERE"
	    " lower(recipient) = lower($1)", to);
}

/* --- a burst of guesses ---------------------------------------------- */

#define BURST	16

struct guess {
	const char	*addr;
	const char	*email;
	long		 status;
	long		 retry;
};

static void *
guess(void *arg)
{
	struct guess *g = arg;
	struct client *c = client_from(g->addr);
	struct resp *r = form_post(c, "/signin", "/signin", "email", g->email,
	    "password", "not the password", NULL);

	g->status = r != NULL ? r->status : -1;
	g->retry = r != NULL ? retry_after(r) : -1;
	resp_free(r);
	client_free(c);
	return NULL;
}

/*
 * Sends BURST wrong guesses at once from addr, each for emails[i]; says
 * how many had their password checked (401) and checks that every other
 * was told to wait (429 with Retry-After).
 */
static int
burst(const char *addr, char *const emails[BURST])
{
	struct guess g[BURST];
	pthread_t t[BURST];
	int i, checked = 0;

	for (i = 0; i < BURST; i++) {
		g[i].addr = addr;
		g[i].email = emails[i];
		ck_assert_int_eq(pthread_create(&t[i], NULL, guess, &g[i]), 0);
	}
	for (i = 0; i < BURST; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		if (g[i].status == 401)
			checked++;
		else if (g[i].status == 429)
			ck_assert_int_gt(g[i].retry, 0);
		else
			ck_abort_msg("a guess was answered %ld", g[i].status);
	}
	return checked;
}

/*
 * Guesses at one member's password sent all at once: only the three
 * that cost nothing one by one are checked (a fourth only if the burst
 * outlasts the first wait, two seconds), the rest wait, the record of
 * failed sign-ins holds just those checked, and the member signs in
 * from elsewhere at once.
 */
START_TEST(test_a_burst_of_guesses_gets_only_the_free_checks)
{
	char *em = fresh("burst"), *pw = account(em), *emails[BURST];
	char addr[64], home[64];
	struct client *c;
	int i, checked;

	network(addr, sizeof(addr), 1, ":1");
	network(home, sizeof(home), 2, ":1");
	for (i = 0; i < BURST; i++)
		emails[i] = em;
	checked = burst(addr, emails);
	ck_assert_int_ge(checked, 1);
	ck_assert_int_le(checked, 4);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM"
	    " signin_failures WHERE email = lower($1)", em), checked);
	c = client_from(home);
	ck_assert_int_eq(signin_status(c, em, pw), 303);
	ck_assert_int_eq(http_get_status(c, "/profile"), 200);
	client_free(c);
	free(pw);
	free(em);
}
END_TEST

/*
 * The same burst spread over as many addresses typed: the client
 * address's own allowance (twenty) bounds the checks (one more only if
 * the burst outlasts the first wait).
 */
START_TEST(test_a_burst_over_many_emails_is_bounded_per_address)
{
	char *emails[BURST], addr[64];
	int i, checked, rounds = 0, total = 0;

	network(addr, sizeof(addr), 3, ":7");
	/* Twice BURST guesses in all, more than the address's twenty. */
	for (rounds = 0; rounds < 2; rounds++) {
		for (i = 0; i < BURST; i++)
			emails[i] = fresh("nobody");
		checked = burst(addr, emails);
		total += checked;
		for (i = 0; i < BURST; i++)
			free(emails[i]);
	}
	ck_assert_int_ge(total, 1);
	ck_assert_int_le(total, 21);
}
END_TEST

/* --- one network, one party ------------------------------------------ */

/*
 * Three wrong passwords from one address of a /64 slow down every other
 * address of it, but not the next /64; an IPv4 address written as IPv6
 * is that IPv4 address.
 */
START_TEST(test_a_64_is_one_party_and_mapped_ipv4_is_ipv4)
{
	char *em = fresh("sixtyfour"), *pw = account(em);
	char a1[64], a2[64], other[64], v4[32], mapped[48];
	struct client *c;
	int i;

	network(a1, sizeof(a1), 4, ":1");
	network(a2, sizeof(a2), 4, "ffff:ffff:ffff:fffe");
	network(other, sizeof(other), 5, ":1");
	c = client_from(a1);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(signin_status(c, em, "wrong guess"), 401);
	client_free(c);
	c = client_from(a2);
	ck_assert_int_eq(signin_status(c, em, "wrong guess"), 429);
	client_free(c);
	c = client_from(other);
	ck_assert_int_eq(signin_status(c, em, "wrong guess"), 401);
	client_free(c);

	snprintf(v4, sizeof(v4), "198.51.%u.%u",
	    ((unsigned int)getpid() >> 8) & 0xffu,
	    (unsigned int)getpid() & 0xffu);
	snprintf(mapped, sizeof(mapped), "::ffff:%s", v4);
	c = client_from(mapped);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(signin_status(c, em, "wrong guess"), 401);
	client_free(c);
	c = client_from(v4);
	ck_assert_int_eq(signin_status(c, em, "wrong guess"), 429);
	ck_assert_int_eq(http_get_status(c, "/healthz"), 200);
	client_free(c);
	free(pw);
	free(em);
}
END_TEST

/* --- one inbox, many senders ----------------------------------------- */

/*
 * Reset links asked for one member from many addresses, each within its
 * own allowance: every reply is the same as for an address with no
 * account, but only the first five mails are sent; then joining with
 * that address sends no "already has an account" note either.  Another
 * member's mail still goes.
 */
START_TEST(test_one_inbox_cannot_be_flooded_from_many_addresses)
{
	char *em = fresh("inbox"), *pw = account(em), *nobody = fresh("none");
	char *other = fresh("other"), *pw2 = account(other), addr[64];
	struct client *c;
	struct resp *r;
	int i;

	ck_assert_int_eq(mails_to(em), 0);
	for (i = 0; i < 8; i++) {
		network(addr, sizeof(addr), 16 + i, ":1");
		c = client_from(addr);
		r = form_post(c, "/signin/forgot", "/signin/forgot", "email",
		    em, NULL);
		ck_assert_int_eq(r->status, 200);
		ck_assert(resp_has(r, "If an account exists for"));
		resp_free(r);
		client_free(c);
	}
	ck_assert_int_eq(mails_to(em), 5);

	network(addr, sizeof(addr), 30, ":1");
	c = client_from(addr);
	r = form_post(c, "/join", "/join", "name", "Ivy Inbox", "email", em,
	    "password", PW, "password2", PW, "organisation", "Test Centre",
	    "group", "gp", "region", "North West", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "We have sent an email to"));
	resp_free(r);
	r = form_post(c, "/join/resend", "/join/resend", "email", em, NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	/* The same reply as for an address with no account at all. */
	r = form_post(c, "/signin/forgot", "/signin/forgot", "email", nobody,
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "If an account exists for"));
	resp_free(r);
	ck_assert_int_eq(mails_to(em), 5);
	ck_assert_int_eq(mails_to(nobody), 0);

	r = form_post(c, "/signin/forgot", "/signin/forgot", "email", other,
	    NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	ck_assert_int_eq(mails_to(other), 1);
	/* The member can still sign in and the node still serves. */
	ck_assert_int_eq(signin_status(c, em, pw), 303);
	ck_assert_int_eq(http_get_status(c, "/profile"), 200);
	client_free(c);
	free(pw);
	free(pw2);
	free(em);
	free(other);
	free(nobody);
}
END_TEST

/*
 * A join with a new address, asked again and again from many addresses
 * (each join replaces the unconfirmed one and mails its link): five
 * mails, then none, and every reply the same.
 */
START_TEST(test_repeated_joins_with_one_address_mail_it_only_five_times)
{
	char *em = fresh("rejoin"), addr[64];
	struct client *c;
	struct resp *r;
	int i;

	for (i = 0; i < 8; i++) {
		network(addr, sizeof(addr), 48 + i, ":1");
		c = client_from(addr);
		r = form_post(c, "/join", "/join", "name", "Rae Rejoin",
		    "email", em, "password", PW, "password2", PW,
		    "organisation", "Test Centre", "group", "gp", "region",
		    "North West", NULL);
		ck_assert_int_eq(r->status, 200);
		ck_assert(resp_has(r, "We have sent an email to"));
		resp_free(r);
		client_free(c);
	}
	ck_assert_int_eq(mails_to(em), 5);
	free(em);
}
END_TEST

/* --- sessions -------------------------------------------------------- */

/*
 * Session numbers count every sign-in the node has ever had: one past
 * 100,000 can be ended from the sessions page like any other.
 */
START_TEST(test_a_session_numbered_past_100000_can_be_ended)
{
	char *em = fresh("numbered"), *pw = account(em), *id, addr[64];
	struct client *a, *b;
	struct resp *r;
	long n;

	ck_assert_int_ge(node_num(node, "SELECT setval('sessions_id_seq',"
	    " greatest(200000, (SELECT last_value FROM sessions_id_seq)))",
	    NULL), 200000);
	network(addr, sizeof(addr), 6, ":1");
	a = client_from(addr);
	b = client_from(addr);
	ck_assert_int_eq(signin_status(a, em, pw), 303);
	ck_assert_int_eq(signin_status(b, em, pw), 303);
	id = node_sql(node, "SELECT max(s.id) FROM sessions s JOIN accounts a"
	    " ON a.id = s.account WHERE lower(a.email) = lower($1)", em);
	ck_assert_ptr_nonnull(id);
	n = strtol(id, NULL, 10);
	ck_assert_int_gt(n, 100000);
	r = form_post(a, "/profile/sessions", "/profile/sessions/end",
	    "session", id, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM sessions"
	    " WHERE id = $1", id), 0);
	ck_assert_int_eq(http_get_status(b, "/profile"), 303);
	ck_assert_int_eq(http_get_status(a, "/profile"), 200);
	free(id);
	free(pw);
	free(em);
	client_free(a);
	client_free(b);
}
END_TEST

/*
 * A session idle too long, or signed in too long ago, is refused even
 * while its row is still there (the retention worker removes it later),
 * and its cookie is deleted.
 */
START_TEST(test_an_expired_session_is_refused)
{
	char *em = fresh("expired"), *pw = account(em), addr[64];
	struct client *c;
	struct resp *r;

	network(addr, sizeof(addr), 7, ":1");
	c = client_from(addr);
	ck_assert_int_eq(signin_status(c, em, pw), 303);
	ck_assert_int_eq(http_get_status(c, "/profile"), 200);
	ck_assert_int_eq(node_num(node, "WITH u AS (UPDATE sessions s SET"
	    " last_seen = now() - interval '30 days' FROM accounts a"
	    " WHERE a.id = s.account AND lower(a.email) = lower($1)"
	    " RETURNING 1) SELECT count(*) FROM u", em), 1);
	node_barrier(node, "acorn_sessions");
	r = http_get(c, "/profile");
	ck_assert_int_eq(r->status, 303);
	ck_assert(header_has(r, "acorn_session=;"));
	resp_free(r);
	ck_assert_int_eq(http_get_status(c, "/profile/sessions"), 303);

	ck_assert_int_eq(signin_status(c, em, pw), 303);
	ck_assert_int_eq(http_get_status(c, "/profile"), 200);
	ck_assert_int_eq(node_num(node, "WITH u AS (UPDATE sessions s SET"
	    " created = now() - interval '400 days', last_seen = now()"
	    " FROM accounts a WHERE a.id = s.account"
	    " AND lower(a.email) = lower($1) AND s.last_seen > now()"
	    " - interval '1 day' RETURNING 1) SELECT count(*) FROM u", em), 1);
	ck_assert_int_eq(http_get_status(c, "/profile"), 303);
	/* Signing in does not sweep: the rows wait for the retention worker. */
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM sessions s"
	    " JOIN accounts a ON a.id = s.account"
	    " WHERE lower(a.email) = lower($1)", em), 2);
	client_free(c);
	free(pw);
	free(em);
}
END_TEST

Suite *
throttle_suite(void)
{
	Suite *s = suite_create("throttle");
	TCase *tc = tcase_create("throttle");

	tcase_add_unchecked_fixture(tc, start_node, stop_node);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_a_burst_of_guesses_gets_only_the_free_checks);
	tcase_add_test(tc, test_a_burst_over_many_emails_is_bounded_per_address);
	tcase_add_test(tc, test_a_64_is_one_party_and_mapped_ipv4_is_ipv4);
	tcase_add_test(tc, test_one_inbox_cannot_be_flooded_from_many_addresses);
	tcase_add_test(tc,
	    test_repeated_joins_with_one_address_mail_it_only_five_times);
	tcase_add_test(tc, test_a_session_numbered_past_100000_can_be_ended);
	tcase_add_test(tc, test_an_expired_session_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
