/*
 * Integration tests: real nodes on 127.0.0.1 and the private PostgreSQL,
 * driven over HTTP the way a browser or a peer would drive them.  Every
 * assertion is on what a person sees (status, page text, headers) or on
 * what the database holds afterwards.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>

#include "harness.h"

Suite	*events_suite(void);
Suite	*attendance_suite(void);
Suite	*feedback_suite(void);
Suite	*restore_suite(void);
Suite	*processes_suite(void);
Suite	*outage_suite(void);
Suite	*health_suite(void);
Suite	*hubs_suite(void);
Suite	*mail_suite(void);
Suite	*feeds_suite(void);
Suite	*library_suite(void);
Suite	*directory_suite(void);
Suite	*evidence_summary_suite(void);
Suite	*evidence_suite(void);
Suite	*federation_suite(void);
Suite	*federation_hostile_suite(void);
Suite	*push_suite(void);
Suite	*feedpages_suite(void);
Suite	*feedbytes_suite(void);
Suite	*inbox_hostile_suite(void);
Suite	*network_suite(void);
Suite	*remote_suite(void);
Suite	*inbox_limits_suite(void);
Suite	*uploads_suite(void);
Suite	*http_limits_suite(void);
Suite	*accounts_suite(void);
Suite	*roles_suite(void);
Suite	*site_suite(void);
Suite	*throttle_suite(void);
Suite	*identity_registrations_suite(void);
Suite	*mydata_suite(void);
Suite	*dates_suite(void);
Suite	*home_suite(void);
Suite	*event_status_suite(void);
Suite	*signing_suite(void);
Suite	*cache_suite(void);
Suite	*pool_suite(void);

static struct node *node;	/* approval needed */
static struct node *open_node;	/* open joining */
static char *coord_pw;

#define COORD	"coord@example.org"

static void
start_node(void)
{
	node = node_new("Integration node", "timeout = 2\nmax_body = 65536\n"
	    "throttle_joins = 1000");
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop_node(void)
{
	node_free(node);
	free(coord_pw);
	node = NULL;
}

static void
start_open_node(void)
{
	open_node = node_new("Open node", "open_joining = yes\n"
	    "throttle_joins = 1000");
	ck_assert_ptr_nonnull(open_node);
	ck_assert_int_eq(node_serve(open_node), 0);
}

static void
stop_open_node(void)
{
	node_free(open_node);
	open_node = NULL;
}

/* A unique email per call, so tests never trip over each other. */
static const char *
fresh_email(const char *who)
{
	static char buf[128];
	char *e = harness_email(who);

	ck_assert_ptr_nonnull(e);
	snprintf(buf, sizeof(buf), "%s", e);
	free(e);
	return buf;
}

static long
count(struct node *n, const char *sql, const char *param)
{
	return node_num(n, sql, param);
}

static char *
member_id(struct node *n, const char *email)
{
	return node_sql(n, "SELECT member FROM accounts WHERE lower(email) ="
	    " lower($1)", email);
}

/* Joins on the open node, signs in and lists the profile with fields. */
static struct client *
listed_member(const char *name, const char *org, const char *interests,
    const char *group)
{
	struct client *c = client_new(open_node);
	const char *email = fresh_email("listed");
	struct resp *r;

	ck_assert_int_eq(join(c, name, email, "a long enough password"), 303);
	r = form_post(c, "/profile", "/profile", "name", name,
	    "organisation", org, "role_title", "Link worker", "group", group,
	    "region", "North West", "interests", interests, "bio", "Hello",
	    "listed", "yes", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	return c;
}

/* --- the server -------------------------------------------------------- */

START_TEST(test_healthz_reports_database_ok)
{
	struct client *c = client_new(node);
	struct resp *r = http_get(c, "/healthz");

	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "ok"));
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_pages_carry_security_headers)
{
	struct client *c = client_new(node);
	struct resp *r = http_get(c, "/");

	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "Content-Security-Policy: default-src 'self'"));
	ck_assert(header_has(r, "frame-ancestors 'none'"));
	ck_assert(!header_has(r, "unsafe-inline"));
	ck_assert(header_has(r, "X-Content-Type-Options: nosniff"));
	ck_assert(header_has(r, "Referrer-Policy: same-origin"));
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_unknown_page_is_404_and_never_echoed)
{
	struct client *c = client_new(node);
	struct resp *r = http_get(c, "/no-such-page-xyzzy%3Cb%3E");

	ck_assert_int_eq(r->status, 404);
	ck_assert(resp_has(r, "Page not found"));
	ck_assert(!resp_has(r, "xyzzy"));
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_wrong_method_is_405)
{
	struct client *c = client_new(node);
	struct resp *r = http_post(c, "/members", "q", "x", NULL);

	ck_assert_int_eq(r->status, 405);
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_static_asset_revalidates_with_etag)
{
	struct client *c = client_new(node);
	struct resp *r = http_get(c, "/static/acorn.css");
	char *etag, *p, hdr[160];
	CURL *curl;
	struct curl_slist *h;
	long status = 0;

	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "Content-Type: text/css"));
	ck_assert(header_has(r, "Cache-Control: public"));
	p = strcasestr(r->headers, "ETag: ");
	ck_assert_ptr_nonnull(p);
	etag = strndup(p + 6, strcspn(p + 6, "\r\n"));
	resp_free(r);

	curl = curl_easy_init();
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s", etag);
	h = curl_slist_append(NULL, hdr);
	snprintf(hdr, sizeof(hdr), "%s/static/acorn.css", node->url);
	curl_easy_setopt(curl, CURLOPT_URL, hdr);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	ck_assert_int_eq(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	ck_assert_int_eq(status, 304);
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	free(etag);
	/* Browsers ask for /favicon.ico whatever the page links to. */
	r = http_get(c, "/favicon.ico");
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "Content-Type: image/svg+xml"));
	ck_assert(resp_has(r, "<svg"));
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_metrics_count_requests_by_route_and_status)
{
	struct client *c = client_new(node);
	struct resp *r;

	resp_free(http_get(c, "/members"));
	resp_free(http_get(c, "/missing"));
	r = http_get(c, "/metrics");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "acorn_http_requests_total{route=\"members\","
	    "status=\"200\"}"));
	ck_assert(resp_has(r, "acorn_http_requests_total{route=\"unmatched\","
	    "status=\"404\"}"));
	ck_assert(resp_has(r, "acorn_http_request_duration_seconds_bucket{"
	    "route=\"members\",le=\"+Inf\"}"));
	ck_assert(resp_has(r, "acorn_db_errors_total"));
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_body_over_the_cap_gets_413_and_stores_nothing)
{
	struct client *c = client_new(node);
	size_t n = 70000;
	char *big = malloc(n + 1);
	struct resp *r;

	memset(big, 'a', n);
	big[n] = '\0';
	r = form_post(c, "/join", "/join", "name", big, "email",
	    "big@example.org", NULL);
	ck_assert_int_eq(r->status, 413);
	ck_assert(resp_has(r, "too large"));
	ck_assert_int_eq(count(node, "SELECT count(*) FROM accounts WHERE"
	    " email = $1", "big@example.org"), 0);
	resp_free(r);
	free(big);
	client_free(c);
}
END_TEST

START_TEST(test_slow_client_is_disconnected)
{
	struct sockaddr_in sa;
	struct pollfd pfd;
	char buf[64];
	int fd, port, rc;

	port = node_port(node);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* Half a request, then silence: the node must hang up on us. */
	ck_assert_int_gt(write(fd, "GET / HTTP/1.1\r\nHost: x\r\n", 25), 0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	rc = poll(&pfd, 1, 20000);
	ck_assert_int_eq(rc, 1);
	ck_assert_int_le(read(fd, buf, sizeof(buf)), 0);
	close(fd);
}
END_TEST

START_TEST(test_reconnects_after_database_connections_drop)
{
	struct client *c = client_new(node);
	struct resp *r;
	char sql[256];
	int i, ok = 0;

	snprintf(sql, sizeof(sql), "ALTER DATABASE %s ALLOW_CONNECTIONS false",
	    node->db);
	ck_assert_int_eq(admin_sql(sql), 0);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(pid) FROM"
	    " pg_stat_activity WHERE datname = '%s'", node->db);
	ck_assert_int_eq(admin_sql(sql), 0);
	/* While the database refuses us: 503, and the node keeps serving. */
	r = http_get(c, "/members");
	ck_assert_int_eq(r->status, 503);
	ck_assert(resp_has(r, "unavailable"));
	resp_free(r);
	r = http_get(c, "/healthz");
	ck_assert_int_eq(r->status, 503);
	resp_free(r);
	snprintf(sql, sizeof(sql), "ALTER DATABASE %s ALLOW_CONNECTIONS true",
	    node->db);
	ck_assert_int_eq(admin_sql(sql), 0);
	/* Every pooled connection was cut; each reconnects on next use. */
	for (i = 0; i < 20 && !ok; i++) {
		r = http_get(c, "/healthz");
		ok = r->status == 200;
		resp_free(r);
	}
	ck_assert(ok);
	r = http_get(c, "/members");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	client_free(c);
}
END_TEST

/* --- joining and approval ---------------------------------------------- */

START_TEST(test_join_waits_for_approval_then_signs_in)
{
	struct client *m = client_new(node), *co = client_new(node);
	const char *email = fresh_email("pending");
	char *id, *em = strdup(email);
	struct resp *r;

	r = join_form(m, "Pat Pending", em,
	    "a long enough password", "a long enough password");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Check your email"));
	resp_free(r);

	/* Not before the address is confirmed, nor shown for approval. */
	r = form_post(m, "/signin", "/signin", "email", em, "password",
	    "a long enough password", NULL);
	ck_assert_int_eq(r->status, 403);
	ck_assert(resp_has(r, "not confirmed"));
	resp_free(r);
	ck_assert(sign_in(co, COORD, coord_pw));
	r = http_get(co, "/admin/members");
	ck_assert(!resp_has(r, "Pat Pending"));
	resp_free(r);

	ck_assert_int_eq(join_confirm(m, em, "a long enough password"), 200);
	r = form_post(m, "/signin", "/signin", "email", em, "password",
	    "a long enough password", NULL);
	ck_assert_int_eq(r->status, 403);
	ck_assert(resp_has(r, "Your account is waiting for approval"));
	ck_assert(!resp_has(r, "error-message"));
	resp_free(r);

	r = http_get(co, "/admin/members");
	ck_assert(resp_has(r, "Pat Pending"));
	resp_free(r);
	id = member_id(node, em);
	ck_assert_ptr_nonnull(id);
	r = form_post(co, "/admin/members", "/admin/members/approve", "id", id,
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Pat Pending is approved and can now sign in"));
	ck_assert(!resp_has(r, "Approve Pat Pending"));
	resp_free(r);

	ck_assert(sign_in(m, em, "a long enough password"));
	r = http_get(m, "/profile");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Pat Pending"));
	resp_free(r);
	free(id);
	free(em);
	client_free(m);
	client_free(co);
}
END_TEST

START_TEST(test_refused_request_is_erased)
{
	struct client *m = client_new(node), *co = client_new(node);
	const char *email = fresh_email("refused");
	char *id, *em = strdup(email);
	struct resp *r;

	ck_assert_int_eq(join(m, "Rita Refused", em, "a long enough password"),
	    200);
	id = member_id(node, em);
	ck_assert(sign_in(co, COORD, coord_pw));
	r = form_post(co, "/admin/members", "/admin/members/reject", "id", id,
	    NULL);
	ck_assert(resp_has(r, "refused"));
	resp_free(r);
	ck_assert_int_eq(count(node, "SELECT count(*) FROM accounts WHERE"
	    " lower(email) = lower($1)", em), 0);
	ck_assert_int_eq(count(node, "SELECT count(*) FROM members WHERE"
	    " id = $1 AND deleted AND name IS NULL", id), 1);
	free(id);
	free(em);
	client_free(m);
	client_free(co);
}
END_TEST

START_TEST(test_member_cannot_open_coordinator_pages)
{
	struct client *c = client_new(open_node);
	struct resp *r;

	ck_assert_int_eq(join(c, "Molly Member", fresh_email("m"),
	    "a long enough password"), 303);
	r = http_get(c, "/admin/members");
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_join_with_an_email_taken_in_any_case_changes_nothing)
{
	struct client *c = client_new(node);
	struct resp *r;

	ck_assert_int_eq(join(c, "First", "Same.Person@example.org",
	    "a long enough password"), 200);
	/* The reply a new address gets: it says nothing about the account. */
	r = join_form(c, "Second", "same.person@EXAMPLE.org",
	    "another long password", "another long password");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "We have sent an email to"));
	resp_free(r);
	ck_assert_int_eq(count(node, "SELECT count(*) FROM accounts WHERE"
	    " lower(email) = 'same.person@example.org'", NULL), 1);
	ck_assert_int_eq(count(node, "SELECT count(*) FROM members WHERE"
	    " name = 'Second'", NULL), 0);
	client_free(c);
}
END_TEST

START_TEST(test_join_refuses_weak_or_mismatched_passwords)
{
	struct client *c = client_new(node);
	struct resp *r;

	r = form_post(c, "/join", "/join", "name", "Shorty", "email",
	    "shorty@example.org", "password", "short", "password2", "short",
	    "group", "gp", "region", "North West", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "at least 10 characters"));
	ck_assert(resp_has(r, "There is a problem"));
	/* What was typed comes back, except the password. */
	ck_assert(resp_has(r, "value=\"Shorty\""));
	ck_assert(!resp_has(r, "value=\"short\""));
	resp_free(r);
	r = join_form(c, "Mismatch", "mismatch@example.org",
	    "one long password", "two long password");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "The passwords do not match"));
	resp_free(r);
	ck_assert_int_eq(count(node, "SELECT count(*) FROM accounts WHERE"
	    " email IN ('shorty@example.org', 'mismatch@example.org')", NULL),
	    0);
	client_free(c);
}
END_TEST

START_TEST(test_join_asks_for_every_required_answer)
{
	struct client *c = client_new(node);
	struct resp *r = form_post(c, "/join", "/join", NULL);

	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Enter your full name"));
	ck_assert(resp_has(r, "Enter your email address"));
	ck_assert(resp_has(r, "Create a password"));
	ck_assert(resp_has(r, "Select your role in social prescribing"));
	ck_assert(resp_has(r, "Select your region"));
	ck_assert(resp_has(r, "href=\"#name\""));
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_post_without_csrf_token_is_refused)
{
	struct client *c = client_new(node);
	struct resp *r;

	resp_free(http_get(c, "/join"));
	r = http_post(c, "/join", "name", "No Token", "email",
	    "notoken@example.org", "password", "a long enough password",
	    "password2", "a long enough password", "group", "gp", "region",
	    "North West", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = http_post(c, "/join", "csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "name", "Bad Token", "email", "badtoken@example.org", "password",
	    "a long enough password", "password2", "a long enough password",
	    "group", "gp", "region", "North West", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(count(node, "SELECT count(*) FROM accounts WHERE"
	    " email IN ('notoken@example.org', 'badtoken@example.org')", NULL),
	    0);
	client_free(c);
}
END_TEST

START_TEST(test_csrf_token_of_another_visitor_is_refused)
{
	struct client *a = client_new(node), *b = client_new(node);
	char *tok = page_csrf(a, "/join");
	struct resp *r;

	resp_free(http_get(b, "/join"));
	r = http_post(b, "/join", "csrf", tok, "name", "Stolen", "email",
	    "stolen@example.org", "password", "a long enough password",
	    "password2", "a long enough password", "group", "gp", "region",
	    "North West", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	free(tok);
	client_free(a);
	client_free(b);
}
END_TEST

START_TEST(test_oversize_field_refused_with_a_clear_message)
{
	struct client *c = client_new(node);
	char name[130];
	struct resp *r;

	memset(name, 'n', 121);
	name[121] = '\0';
	r = join_form(c, name, "longname@example.org",
	    "a long enough password", "a long enough password");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Full name must be 120 characters or fewer"));
	ck_assert(resp_has(r, "<title>Error: Join the network"));
	/* What was typed comes back to be shortened, not lost. */
	ck_assert(resp_has(r, name));
	resp_free(r);
	ck_assert_int_eq(count(node, "SELECT count(*) FROM accounts WHERE"
	    " email = 'longname@example.org'", NULL), 0);
	client_free(c);
}
END_TEST

START_TEST(test_invalid_utf8_refused_with_a_clear_message)
{
	struct client *c = client_new(node);
	char *tok = page_csrf(c, "/join"), body[512];
	struct resp *r;

	snprintf(body, sizeof(body), "csrf=%s&name=Bad%%FF%%FEName&email="
	    "badutf8%%40example.org&password=a+long+enough+password&password2="
	    "a+long+enough+password&group=gp&region=North+West", tok);
	r = http_post_raw(c, "/join", body,
	    "application/x-www-form-urlencoded");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Full name contains characters that cannot be"
	    " used"));
	resp_free(r);
	ck_assert_int_eq(count(node, "SELECT count(*) FROM accounts WHERE"
	    " email = 'badutf8@example.org'", NULL), 0);
	free(tok);
	client_free(c);
}
END_TEST

START_TEST(test_form_with_unknown_content_type_is_refused)
{
	struct client *c = client_new(node);
	struct resp *r = http_post_raw(c, "/join", "{\"name\":\"x\"}",
	    "application/json");

	ck_assert_int_eq(r->status, 415);
	resp_free(r);
	client_free(c);
}
END_TEST

/* --- signing in -------------------------------------------------------- */

START_TEST(test_session_cookie_is_httponly_and_samesite)
{
	struct client *c = client_new(node);
	struct resp *r = form_post(c, "/signin", "/signin", "email", COORD,
	    "password", coord_pw, NULL);

	ck_assert_int_eq(r->status, 303);
	ck_assert(header_has(r, "Set-Cookie: acorn_session="));
	ck_assert(header_has(r, "HttpOnly"));
	ck_assert(header_has(r, "SameSite=Lax"));
	/* The node's public URL is http, so no Secure flag here. */
	ck_assert(!header_has(r, "; Secure"));
	resp_free(r);
	ck_assert_int_ge(count(node, "SELECT count(*) FROM sessions", NULL), 1);
	client_free(c);
}
END_TEST

START_TEST(test_wrong_password_is_refused)
{
	struct client *c = client_new(node);
	struct resp *r = form_post(c, "/signin", "/signin", "email", COORD,
	    "password", "not the password", NULL);

	ck_assert_int_eq(r->status, 401);
	ck_assert(resp_has(r, "email address or password is not right"));
	resp_free(r);
	r = http_get(c, "/profile");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_signin_is_throttled_after_repeated_failures)
{
	struct client *c = client_new(open_node);
	const char *email = fresh_email("throttle");
	char *em = strdup(email);
	struct resp *r;
	int i;

	ck_assert_int_eq(join(c, "Thea Throttle", em, "the right password"),
	    303);
	client_free(c);
	c = client_new(open_node);
	for (i = 0; i < 3; i++) {
		r = form_post(c, "/signin", "/signin", "email", em, "password",
		    "a wrong password", NULL);
		ck_assert_int_eq(r->status, 401);
		resp_free(r);
	}
	/* Even the right password waits now, from this address. */
	r = form_post(c, "/signin", "/signin", "email", em, "password",
	    "the right password", NULL);
	ck_assert_int_eq(r->status, 429);
	ck_assert(resp_has(r, "Too many attempts from your connection"));
	ck_assert(resp_has(r, "then try again"));
	/* The header says the wait the page does, for a script or proxy. */
	ck_assert_int_gt(retry_after(r), 0);
	ck_assert_ptr_nonnull(strstr(r->body, "Wait "));
	ck_assert_int_eq(strtol(strstr(r->body, "Wait ") + 5, NULL, 10),
	    retry_after(r));
	resp_free(r);
	free(em);
	client_free(c);
}
END_TEST

START_TEST(test_sign_out_ends_the_session)
{
	struct client *c = client_new(node);
	struct resp *r;

	ck_assert(sign_in(c, COORD, coord_pw));
	r = http_get(c, "/profile");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = form_post(c, "/profile", "/signout", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = http_get(c, "/profile");
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/signin?next=/profile"));
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_signin_returns_to_the_page_asked_for)
{
	struct client *c = client_new(node);
	struct resp *r;

	r = form_post(c, "/signin?next=/members", "/signin", "email", COORD,
	    "password", coord_pw, "next", "/members", NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/members"));
	resp_free(r);
	/* Never to another site. */
	r = form_post(c, "/signin", "/signin", "email", COORD, "password",
	    coord_pw, "next", "//evil.example/", NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_null(strstr(r->location, "evil"));
	resp_free(r);
	client_free(c);
}
END_TEST

/* --- profiles and the directory ---------------------------------------- */

START_TEST(test_profile_edit_makes_a_new_version)
{
	struct client *c = client_new(open_node);
	const char *email = fresh_email("versions");
	char *id, *seq1, *seq2, *em = strdup(email);
	struct resp *r;

	ck_assert_int_eq(join(c, "Vera Version", em, "a long enough password"),
	    303);
	id = member_id(open_node, em);
	seq1 = node_sql(open_node, "SELECT seq FROM members WHERE id = $1", id);
	r = form_post(c, "/profile", "/profile", "name", "Vera Version",
	    "organisation", "Version Health", "group", "gp", "region",
	    "London", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = http_get(c, "/profile?saved=yes");
	ck_assert(resp_has(r, "Your profile has been saved"));
	ck_assert(resp_has(r, "Version Health"));
	resp_free(r);
	ck_assert_int_eq(count(open_node, "SELECT version FROM members WHERE"
	    " id = $1", id), 2);
	seq2 = node_sql(open_node, "SELECT seq FROM members WHERE id = $1", id);
	ck_assert_int_gt(strtol(seq2, NULL, 10), strtol(seq1, NULL, 10));
	free(id);
	free(seq1);
	free(seq2);
	free(em);
	client_free(c);
}
END_TEST

START_TEST(test_unlisted_member_is_not_in_the_directory)
{
	struct client *c = client_new(open_node), *anon = client_new(open_node);
	const char *email = fresh_email("hidden");
	char *id, path[128], *em = strdup(email);
	struct resp *r;

	ck_assert_int_eq(join(c, "Hilda Hiddenname", em,
	    "a long enough password"), 303);
	id = member_id(open_node, em);
	r = http_get(anon, "/members?q=Hiddenname");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Hilda"));
	ck_assert(resp_has(r, "0 members found"));
	resp_free(r);
	snprintf(path, sizeof(path), "/members/%s", id);
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	free(id);
	free(em);
	client_free(c);
	client_free(anon);
}
END_TEST

START_TEST(test_listed_member_is_found_by_a_prefix_search)
{
	struct client *c = listed_member("Orla Findable", "Riverside Surgery",
	    "green social prescribing, walking", "vcse");
	struct client *anon = client_new(open_node);
	struct resp *r;

	r = http_get(anon, "/members?q=findab");
	ck_assert(resp_has(r, "Orla Findable"));
	resp_free(r);
	r = http_get(anon, "/members?q=riverside+surg");
	ck_assert(resp_has(r, "Orla Findable"));
	resp_free(r);
	r = http_get(anon, "/members?q=walking");
	ck_assert(resp_has(r, "Orla Findable"));
	resp_free(r);
	r = http_get(anon, "/members?q=nomatchatall");
	ck_assert(!resp_has(r, "Orla Findable"));
	resp_free(r);
	client_free(c);
	client_free(anon);
}
END_TEST

START_TEST(test_directory_filters_by_group_and_region)
{
	struct client *c = listed_member("Gwen Groupfilter", "Filter PCN",
	    "filters", "academic");
	struct client *anon = client_new(open_node);
	struct resp *r;

	r = http_get(anon, "/members?q=groupfilter&group=academic");
	ck_assert(resp_has(r, "Gwen Groupfilter"));
	resp_free(r);
	r = http_get(anon, "/members?q=groupfilter&group=gp");
	ck_assert(!resp_has(r, "Gwen Groupfilter"));
	resp_free(r);
	r = http_get(anon, "/members?q=groupfilter&region=North+West");
	ck_assert(resp_has(r, "Gwen Groupfilter"));
	resp_free(r);
	r = http_get(anon, "/members?q=groupfilter&region=London");
	ck_assert(!resp_has(r, "Gwen Groupfilter"));
	resp_free(r);
	client_free(c);
	client_free(anon);
}
END_TEST

START_TEST(test_directory_is_paged)
{
	struct client *anon = client_new(open_node), *c;
	struct resp *r;
	char name[64];
	int i;

	for (i = 0; i < 22; i++) {
		snprintf(name, sizeof(name), "Pager Person%02d", i);
		c = listed_member(name, "Paging Trust", "paging", "citizen");
		client_free(c);
	}
	r = http_get(anon, "/members?q=paging");
	ck_assert(resp_has(r, "22 members found"));
	ck_assert(resp_has(r, "Page 1 of 2"));
	ck_assert(resp_has(r, "rel=\"next\""));
	ck_assert(resp_has(r, "Pager Person00"));
	ck_assert(!resp_has(r, "Pager Person21"));
	/* Each page's link keeps the search; this page is marked. */
	ck_assert(resp_has(r, "href=\"/members?q=paging&amp;page=2\""));
	ck_assert(resp_has(r, "aria-current=\"page\" "
	    "href=\"/members?q=paging&amp;page=1\""));
	resp_free(r);
	r = http_get(anon, "/members?q=paging&group=&region=&page=2");
	ck_assert(resp_has(r, "Page 2 of 2"));
	ck_assert(resp_has(r, "Pager Person21"));
	ck_assert(resp_has(r, "rel=\"prev\""));
	ck_assert(resp_has(r, "href=\"/members?q=paging&amp;group=&amp;"
	    "region=&amp;page=1\""));
	resp_free(r);
	/* A search holding & and quotes stays one value in the links. */
	r = http_get(anon, "/members?q=paging%26%22x%22&page=2");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Pager Person"));
	resp_free(r);
	/* Past the end: nothing listed, and the way back. */
	r = http_get(anon, "/members?q=paging&page=9");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Page 9"));
	ck_assert(resp_has(r, "rel=\"prev\" href=\"/members?q=paging&amp;"
	    "page=1\""));
	ck_assert(!resp_has(r, "Pager Person"));
	resp_free(r);
	/* A page number that is no number is the first page. */
	r = http_get(anon, "/members?q=paging&page=-3");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Page 1 of 2"));
	ck_assert(resp_has(r, "Pager Person00"));
	resp_free(r);
	client_free(anon);
}
END_TEST

START_TEST(test_coordinator_sees_unlisted_members_of_their_region)
{
	struct client *m = client_new(node), *co = client_new(node),
	    *anon = client_new(node);
	const char *email = fresh_email("region");
	char *em = strdup(email);
	struct resp *r;

	ck_assert_int_eq(join(m, "Una Unlistedperson", em,
	    "a long enough password"), 200);
	ck_assert(sign_in(co, COORD, coord_pw));
	r = http_get(co, "/members?q=unlistedperson");
	ck_assert(resp_has(r, "Una Unlistedperson"));
	ck_assert(resp_has(r, "Not listed"));
	resp_free(r);
	r = http_get(anon, "/members?q=unlistedperson");
	ck_assert(!resp_has(r, "Una Unlistedperson"));
	resp_free(r);
	free(em);
	client_free(m);
	client_free(co);
	client_free(anon);
}
END_TEST

START_TEST(test_script_in_every_field_is_shown_as_text)
{
	const char *evil = "<script>alert(1)</script>";
	struct client *c = listed_member(evil, evil, evil, "gp");
	struct client *anon = client_new(open_node);
	char *id, path[128];
	struct resp *r;

	r = form_post(c, "/profile", "/profile", "name", evil, "organisation",
	    evil, "role_title", evil, "group", "gp", "region", "North West",
	    "interests", evil, "bio", evil, "listed", "yes", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	id = node_sql(open_node, "SELECT id FROM members WHERE name = $1",
	    evil);
	ck_assert_ptr_nonnull(id);
	r = http_get(anon, "/members?q=alert");
	ck_assert(resp_has(r, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert(!resp_has(r, "<script>alert"));
	resp_free(r);
	snprintf(path, sizeof(path), "/members/%s", id);
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert(!resp_has(r, "<script>alert"));
	resp_free(r);
	r = http_get(c, "/profile");
	ck_assert(!resp_has(r, "<script>alert"));
	resp_free(r);
	free(id);
	client_free(c);
	client_free(anon);
}
END_TEST

START_TEST(test_sql_metacharacters_are_just_text)
{
	const char *name = "Robert'); DROP TABLE members;--";
	struct client *c = listed_member(name, "O'Brien & Sons \\ 100%",
	    "a' OR '1'='1", "gp");
	struct client *anon = client_new(open_node);
	struct resp *r;

	r = http_get(anon, "/members?q=%27+OR+1%3D1+--");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = http_get(anon, "/members?q=robert");
	ck_assert(resp_has(r, "Robert&#39;); DROP TABLE members;--") ||
	    resp_has(r, "Robert'); DROP TABLE members;--"));
	ck_assert(resp_has(r, "O'Brien &amp; Sons \\ 100%"));
	resp_free(r);
	ck_assert_int_ge(count(open_node, "SELECT count(*) FROM members", NULL),
	    1);
	client_free(c);
	client_free(anon);
}
END_TEST

START_TEST(test_erase_leaves_only_a_tombstone)
{
	struct client *c = listed_member("Eric Erasable", "Erase Ltd",
	    "erasing", "gp");
	struct client *again = client_new(open_node);
	char *id;
	struct resp *r;

	id = node_sql(open_node, "SELECT id FROM members WHERE name ="
	    " 'Eric Erasable'", NULL);
	ck_assert_ptr_nonnull(id);
	r = form_post(c, "/profile/erase", "/profile/erase", "password",
	    "a long enough password", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Tick the box"));
	resp_free(r);
	r = form_post(c, "/profile/erase", "/profile/erase", "password",
	    "a long enough password", "confirm", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Your account has been erased"));
	resp_free(r);
	ck_assert_int_eq(count(open_node, "SELECT count(*) FROM members WHERE"
	    " id = $1 AND deleted AND version = 3 AND name IS NULL AND"
	    " organisation IS NULL AND interests IS NULL AND bio IS NULL AND"
	    " NOT listed", id), 1);
	ck_assert_int_eq(count(open_node, "SELECT count(*) FROM accounts a"
	    " WHERE a.member = $1", id), 0);
	ck_assert_int_eq(count(open_node, "SELECT count(*) FROM sessions s"
	    " LEFT JOIN accounts a ON a.id = s.account WHERE a.id IS NULL",
	    NULL), 0);
	r = http_get(again, "/members?q=erasable");
	ck_assert(!resp_has(r, "Eric"));
	resp_free(r);
	r = http_get(c, "/profile");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	free(id);
	client_free(c);
	client_free(again);
}
END_TEST

START_TEST(test_idle_and_old_sessions_expire)
{
	struct client *c = client_new(node);
	struct resp *r;

	ck_assert(sign_in(c, COORD, coord_pw));
	r = http_get(c, "/profile");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	/* Idle past the two-hour default: signed out. */
	ck_assert_int_ge(node_exec(node, "UPDATE sessions SET last_seen"
	    " = now() - interval '3 hours' WHERE account = (SELECT id"
	    " FROM accounts WHERE email = $1)", 1,
	    (const char *const[]){ COORD }), 1);
	node_barrier(node, "acorn_sessions");
	r = http_get(c, "/profile");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	/* Active, but older than the fourteen-day maximum: signed out too. */
	ck_assert(sign_in(c, COORD, coord_pw));
	ck_assert_int_ge(node_exec(node, "UPDATE sessions SET created"
	    " = now() - interval '15 days' WHERE account = (SELECT id"
	    " FROM accounts WHERE email = $1)", 1,
	    (const char *const[]){ COORD }), 1);
	node_barrier(node, "acorn_sessions");
	r = http_get(c, "/profile");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_signin_is_throttled_per_address)
{
	struct node *n = node_new("Throttle node", NULL);
	struct client *c;
	struct resp *r;
	char email[64], *pw;
	int i;

	ck_assert_ptr_nonnull(n);
	pw = node_user_add(n, "victim@example.org", "member");
	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(node_serve(n), 0);
	c = client_new(n);
	/* One address guessing at many accounts... */
	for (i = 0; i < 20; i++) {
		snprintf(email, sizeof(email), "guess%d@example.org", i);
		r = form_post(c, "/signin", "/signin", "email", email,
		    "password", "guessing", NULL);
		ck_assert_int_eq(r->status, 401);
		resp_free(r);
	}
	/* ...is stopped, whichever account it tries next. */
	r = form_post(c, "/signin", "/signin", "email", "victim@example.org",
	    "password", pw, NULL);
	ck_assert_int_eq(r->status, 429);
	resp_free(r);
	client_free(c);
	free(pw);
	node_free(n);
}
END_TEST

START_TEST(test_throttling_behind_a_proxy_counts_the_real_client)
{
	struct node *n = node_new("Proxied node", "trust_proxy = yes");
	struct client *guesser, *member;
	struct resp *r;
	char email[64], *pw;
	int i;

	ck_assert_ptr_nonnull(n);
	pw = node_user_add(n, "real@example.org", "member");
	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(node_serve(n), 0);
	guesser = client_new(n);
	member = client_new(n);
	/* Both arrive through the same proxy on loopback. */
	client_header(guesser, "X-Forwarded-For: 198.51.100.1, 203.0.113.7");
	client_header(member, "X-Forwarded-For: 198.51.100.9");
	for (i = 0; i < 20; i++) {
		snprintf(email, sizeof(email), "guess%d@example.org", i);
		r = form_post(guesser, "/signin", "/signin", "email", email,
		    "password", "guessing", NULL);
		ck_assert_int_eq(r->status, 401);
		resp_free(r);
	}
	r = form_post(guesser, "/signin", "/signin", "email",
	    "real@example.org", "password", pw, NULL);
	ck_assert_int_eq(r->status, 429);
	resp_free(r);
	/* Someone else behind the same proxy is not locked out. */
	ck_assert(sign_in(member, "real@example.org", pw));
	client_free(guesser);
	client_free(member);
	free(pw);
	node_free(n);
}
END_TEST

/* Reads what the node sends until it closes; NULL if nothing came. */
static char *
read_all(int fd)
{
	char *buf = NULL, *g;
	size_t len = 0;
	ssize_t n;
	struct pollfd pfd = { fd, POLLIN, 0 };

	while (poll(&pfd, 1, 10000) == 1) {
		if ((g = realloc(buf, len + 4097)) == NULL)
			break;
		buf = g;
		if ((n = read(fd, buf + len, 4096)) <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return buf;
}

START_TEST(test_sigterm_finishes_a_request_in_flight)
{
	struct node *n = node_new("Draining node", NULL);
	struct sockaddr_in sa;
	const char *first = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	const char *head = "POST /signin HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 26\r\nConnection: close\r\n\r\nemail=a";
	char buf[512], *rest;
	struct pollfd pfd;
	int fd;
	ssize_t got;

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)node_port(n));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* A whole answer first proves the node has taken the connection. */
	ck_assert_int_gt(write(fd, first, strlen(first)), 0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	got = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_gt(got, 0);
	buf[got] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "200 OK"));
	/* Half a request, the stop signal, then the other half. */
	ck_assert_int_gt(write(fd, head, strlen(head)), 0);
	kill(n->pid, SIGTERM);
	ck_assert_int_gt(write(fd, "@example.org&x=yyyy", 19), 0);
	rest = read_all(fd);
	ck_assert_ptr_nonnull(rest);
	/* Answered in full: refused for want of a CSRF token, not cut off. */
	ck_assert_ptr_nonnull(strstr(rest, "HTTP/1.1 403"));
	ck_assert_ptr_nonnull(strstr(rest, "</html>"));
	free(rest);
	close(fd);
	ck_assert_int_eq(node_stop(n), 0);
	node_free(n);
}
END_TEST

START_TEST(test_sigterm_stops_the_node_cleanly)
{
	struct node *n = node_new("Stopping node", NULL);

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	ck_assert_int_eq(node_stop(n), 0);
	node_free(n);
}
END_TEST

/* Writes a migration file holding sql into the schema folder dir. */
static void
schema_file(const char *dir, const char *name, const char *sql)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(sql, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* 1 when the node's database has a table of that name. */
static int
has_table(struct node *n, const char *name)
{
	return node_num(n, "SELECT count(*) FROM pg_tables"
	    " WHERE tablename = $1", name) == 1;
}

/* The newest version the node's database records, and its file's name. */
static long
newest_version(struct node *n, char *name, size_t len)
{
	char *v = node_sql(n, "SELECT name FROM schema_version"
	    " ORDER BY version DESC LIMIT 1", NULL);

	ck_assert_ptr_nonnull(v);
	snprintf(name, len, "%s", v);
	free(v);
	return node_num(n, "SELECT max(version) FROM schema_version", NULL);
}

/*
 * Two changes made side by side can land in either order.  A database
 * that recorded later migrations first must not then take an earlier
 * one: run after them, it could undo what they changed (a function a
 * later one redefined).  Here 020's row and its indexes go, as if 020
 * had never run while 021 and later had, and a newer file waits too:
 * `acorn migrate` refuses, names the file to renumber, and applies
 * nothing, not even the newer file; the node still serves.
 */
START_TEST(test_migrate_refuses_an_earlier_version_after_later_ones)
{
	struct node *n = node_new("Migrating node", NULL);
	struct client *c;
	struct resp *r;
	char *dir, newest_name[128], later[64], want[512];
	long newest, rows;

	ck_assert_ptr_nonnull(n);
	newest = newest_version(n, newest_name, sizeof(newest_name));
	ck_assert_int_ge(newest, 24);
	ck_assert_ptr_nonnull(dir = node_schema_dir(n));
	snprintf(later, sizeof(later), "%03ld_later.sql", newest + 1);
	schema_file(dir, later, "CREATE TABLE later_change (id integer);");
	ck_assert_int_eq(node_num(n, "WITH gone AS (DELETE FROM schema_version"
	    " WHERE version = 20 RETURNING 1) SELECT count(*) FROM gone",
	    NULL), 1);
	free(node_sql(n, "DROP INDEX audit_log_at_idx, audit_log_actor_idx,"
	    " audit_log_subject_idx, signin_failures_at_idx,"
	    " document_revisions_author_idx, evaluation_revisions_author_idx",
	    NULL));
	rows = node_num(n, "SELECT count(*) FROM schema_version", NULL);

	ck_assert_int_eq(node_run(n, "migrate", NULL), 1);
	snprintf(want, sizeof(want), "migration 020 (020_retention.sql) is"
	    " older than the newest applied %03ld (%s): renumber it", newest,
	    newest_name);
	ck_assert_msg(node_log_has(n, want), "the log does not say: %s", want);
	/* Nothing changed: neither 020 nor the newer file ran. */
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM schema_version",
	    NULL), rows);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM pg_indexes"
	    " WHERE indexname = 'audit_log_at_idx'", NULL), 0);
	ck_assert(!has_table(n, "later_change"));

	ck_assert_int_eq(node_serve(n), 0);
	c = client_new(n);
	r = http_get(c, "/healthz");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	client_free(c);
	free(dir);
	node_free(n);
}
END_TEST

/*
 * The way out the refusal names: the late file, renumbered above the
 * newest, is applied; a second run has nothing left to do.
 */
START_TEST(test_migrate_applies_a_late_change_once_renumbered)
{
	struct node *n = node_new("Renumbering node", NULL);
	char *dir, newest_name[128], late[64], from[1024], to[1024];
	char want[512];
	long newest, rows;

	ck_assert_ptr_nonnull(n);
	newest = newest_version(n, newest_name, sizeof(newest_name));
	ck_assert_ptr_nonnull(dir = node_schema_dir(n));
	schema_file(dir, "000_late.sql",
	    "CREATE TABLE late_change (id integer);");
	rows = node_num(n, "SELECT count(*) FROM schema_version", NULL);

	ck_assert_int_eq(node_run(n, "migrate", NULL), 1);
	snprintf(want, sizeof(want), "migration 000 (000_late.sql) is older"
	    " than the newest applied %03ld (%s): renumber it", newest,
	    newest_name);
	ck_assert_msg(node_log_has(n, want), "the log does not say: %s", want);
	ck_assert(!has_table(n, "late_change"));

	snprintf(late, sizeof(late), "%03ld_late.sql", newest + 1);
	snprintf(from, sizeof(from), "%s/000_late.sql", dir);
	snprintf(to, sizeof(to), "%s/%s", dir, late);
	ck_assert_int_eq(rename(from, to), 0);
	ck_assert_int_eq(node_run(n, "migrate", NULL), 0);
	ck_assert(has_table(n, "late_change"));
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM schema_version"
	    " WHERE name = $1", late), 1);
	ck_assert_int_eq(newest_version(n, newest_name, sizeof(newest_name)),
	    newest + 1);
	ck_assert_str_eq(newest_name, late);
	/* Nothing left to do: a second run applies nothing and succeeds. */
	ck_assert_int_eq(node_run(n, "migrate", NULL), 0);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM schema_version",
	    NULL), rows + 1);
	free(dir);
	node_free(n);
}
END_TEST

/*
 * The database took another line of work's migration under the number
 * this program's newest file has: that file would never run.  migrate
 * refuses, says which name the number is recorded under, and applies
 * nothing after it either.
 */
START_TEST(test_migrate_refuses_a_number_recorded_under_another_name)
{
	struct node *n = node_new("Crossed node", NULL);
	char *dir, newest_name[128], other[64], later[64], want[512];
	char num[32];
	long newest;

	ck_assert_ptr_nonnull(n);
	newest = newest_version(n, newest_name, sizeof(newest_name));
	ck_assert_ptr_nonnull(dir = node_schema_dir(n));
	snprintf(later, sizeof(later), "%03ld_later.sql", newest + 1);
	schema_file(dir, later, "CREATE TABLE later_change (id integer);");
	snprintf(other, sizeof(other), "%03ld_other_work.sql", newest);
	snprintf(num, sizeof(num), "%ld", newest);
	{
		const char *p[2] = { other, num };

		free(node_sqlv(n, "UPDATE schema_version SET name = $1"
		    " WHERE version = $2::integer", 2, p));
	}

	ck_assert_int_eq(node_run(n, "migrate", NULL), 1);
	snprintf(want, sizeof(want), "migration %03ld is recorded as applied"
	    " from %s, not %s: renumber %s", newest, other, newest_name,
	    newest_name);
	ck_assert_msg(node_log_has(n, want), "the log does not say: %s", want);
	ck_assert(!has_table(n, "later_change"));
	ck_assert_int_eq(node_num(n, "SELECT max(version) FROM schema_version",
	    NULL), newest);
	free(dir);
	node_free(n);
}
END_TEST

/*
 * Two files made side by side under one number: migrate refuses before
 * applying either, and takes the one left once the other is renumbered
 * away (here, removed).
 */
START_TEST(test_migrate_refuses_two_files_with_one_number)
{
	struct node *n = node_new("Twin node", NULL);
	char *dir, newest_name[128], a[64], b[64], path[1024], want[512];
	long newest;

	ck_assert_ptr_nonnull(n);
	newest = newest_version(n, newest_name, sizeof(newest_name));
	ck_assert_ptr_nonnull(dir = node_schema_dir(n));
	snprintf(a, sizeof(a), "%03ld_one_side.sql", newest + 1);
	snprintf(b, sizeof(b), "%03ld_other_side.sql", newest + 1);
	schema_file(dir, a, "CREATE TABLE one_side (id integer);");
	schema_file(dir, b, "CREATE TABLE other_side (id integer);");

	ck_assert_int_eq(node_run(n, "migrate", NULL), 1);
	snprintf(want, sizeof(want), "%s and %s share the number %03ld:"
	    " renumber one of them", a, b, newest + 1);
	ck_assert_msg(node_log_has(n, want), "the log does not say: %s", want);
	ck_assert(!has_table(n, "one_side"));
	ck_assert(!has_table(n, "other_side"));
	ck_assert_int_eq(node_num(n, "SELECT max(version) FROM schema_version",
	    NULL), newest);

	snprintf(path, sizeof(path), "%s/%s", dir, b);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(node_run(n, "migrate", NULL), 0);
	ck_assert(has_table(n, "one_side"));
	ck_assert(!has_table(n, "other_side"));
	free(dir);
	node_free(n);
}
END_TEST

static Suite *
integration_suite(void)
{
	Suite *s = suite_create("integration");
	TCase *tc;

	tc = tcase_create("server");
	tcase_add_unchecked_fixture(tc, start_node, stop_node);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_healthz_reports_database_ok);
	tcase_add_test(tc, test_pages_carry_security_headers);
	tcase_add_test(tc, test_unknown_page_is_404_and_never_echoed);
	tcase_add_test(tc, test_wrong_method_is_405);
	tcase_add_test(tc, test_static_asset_revalidates_with_etag);
	tcase_add_test(tc, test_metrics_count_requests_by_route_and_status);
	tcase_add_test(tc, test_body_over_the_cap_gets_413_and_stores_nothing);
	tcase_add_test(tc, test_slow_client_is_disconnected);
	tcase_add_test(tc, test_join_waits_for_approval_then_signs_in);
	tcase_add_test(tc, test_refused_request_is_erased);
	tcase_add_test(tc, test_join_with_an_email_taken_in_any_case_changes_nothing);
	tcase_add_test(tc, test_join_refuses_weak_or_mismatched_passwords);
	tcase_add_test(tc, test_join_asks_for_every_required_answer);
	tcase_add_test(tc, test_post_without_csrf_token_is_refused);
	tcase_add_test(tc, test_csrf_token_of_another_visitor_is_refused);
	tcase_add_test(tc, test_oversize_field_refused_with_a_clear_message);
	tcase_add_test(tc, test_invalid_utf8_refused_with_a_clear_message);
	tcase_add_test(tc, test_form_with_unknown_content_type_is_refused);
	tcase_add_test(tc, test_session_cookie_is_httponly_and_samesite);
	tcase_add_test(tc, test_wrong_password_is_refused);
	tcase_add_test(tc, test_sign_out_ends_the_session);
	tcase_add_test(tc, test_signin_returns_to_the_page_asked_for);
	tcase_add_test(tc, test_coordinator_sees_unlisted_members_of_their_region);
	tcase_add_test(tc, test_idle_and_old_sessions_expire);
	/* Last: it cuts the node's database connections. */
	tcase_add_test(tc, test_reconnects_after_database_connections_drop);
	suite_add_tcase(s, tc);

	tc = tcase_create("members");
	tcase_add_unchecked_fixture(tc, start_open_node, stop_open_node);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_member_cannot_open_coordinator_pages);
	tcase_add_test(tc, test_signin_is_throttled_after_repeated_failures);
	tcase_add_test(tc, test_profile_edit_makes_a_new_version);
	tcase_add_test(tc, test_unlisted_member_is_not_in_the_directory);
	tcase_add_test(tc, test_listed_member_is_found_by_a_prefix_search);
	tcase_add_test(tc, test_directory_filters_by_group_and_region);
	tcase_add_test(tc, test_directory_is_paged);
	tcase_add_test(tc, test_script_in_every_field_is_shown_as_text);
	tcase_add_test(tc, test_sql_metacharacters_are_just_text);
	tcase_add_test(tc, test_erase_leaves_only_a_tombstone);
	suite_add_tcase(s, tc);

	tc = tcase_create("lifecycle");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sigterm_stops_the_node_cleanly);
	tcase_add_test(tc,
	    test_migrate_refuses_an_earlier_version_after_later_ones);
	tcase_add_test(tc, test_migrate_applies_a_late_change_once_renumbered);
	tcase_add_test(tc,
	    test_migrate_refuses_a_number_recorded_under_another_name);
	tcase_add_test(tc, test_migrate_refuses_two_files_with_one_number);
	tcase_add_test(tc, test_signin_is_throttled_per_address);
	tcase_add_test(tc, test_throttling_behind_a_proxy_counts_the_real_client);
	tcase_add_test(tc, test_sigterm_finishes_a_request_in_flight);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (!harness_ready()) {
		fprintf(stderr, "integration tests need ACORN_TEST_PGHOST, "
		    "ACORN_BIN, ACORN_DATADIR and ACORN_TEST_VAR: skipped\n");
		return 77;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	sr = srunner_create(integration_suite());
	srunner_add_suite(sr, events_suite());
	srunner_add_suite(sr, attendance_suite());
	srunner_add_suite(sr, feedback_suite());
	srunner_add_suite(sr, restore_suite());
	srunner_add_suite(sr, processes_suite());
	srunner_add_suite(sr, outage_suite());
	srunner_add_suite(sr, health_suite());
	srunner_add_suite(sr, hubs_suite());
	srunner_add_suite(sr, mail_suite());
	srunner_add_suite(sr, feeds_suite());
	srunner_add_suite(sr, library_suite());
	srunner_add_suite(sr, directory_suite());
	srunner_add_suite(sr, evidence_summary_suite());
	srunner_add_suite(sr, federation_suite());
	srunner_add_suite(sr, federation_hostile_suite());
	srunner_add_suite(sr, push_suite());
	srunner_add_suite(sr, feedpages_suite());
	srunner_add_suite(sr, feedbytes_suite());
	srunner_add_suite(sr, inbox_hostile_suite());
	srunner_add_suite(sr, evidence_suite());
	srunner_add_suite(sr, network_suite());
	srunner_add_suite(sr, remote_suite());
	srunner_add_suite(sr, inbox_limits_suite());
	srunner_add_suite(sr, uploads_suite());
	srunner_add_suite(sr, http_limits_suite());
	srunner_add_suite(sr, accounts_suite());
	srunner_add_suite(sr, roles_suite());
	srunner_add_suite(sr, site_suite());
	srunner_add_suite(sr, throttle_suite());
	srunner_add_suite(sr, identity_registrations_suite());
	srunner_add_suite(sr, mydata_suite());
	srunner_add_suite(sr, dates_suite());
	srunner_add_suite(sr, home_suite());
	srunner_add_suite(sr, event_status_suite());
	srunner_add_suite(sr, signing_suite());
	srunner_add_suite(sr, cache_suite());
	srunner_add_suite(sr, pool_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed == 0 ? 0 : 1;
}
