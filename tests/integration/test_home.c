/*
 * The signed-in home page, the pages that ask before something cannot
 * be undone, the pages signing in shows instead of an error, and the
 * coordinators' lists a page at a time.  Each is driven over HTTP as the
 * person would, and checked for what they see and for what the node
 * still holds afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "harness.h"
#include "smtp.h"

Suite	*home_suite(void);

#define COORD		"home.coord@example.org"
#define ADMIN		"home.admin@example.org"
#define MEMBER		"home.member@example.org"
#define MEMBER2		"home.member2@example.org"
#define PASSWORD	"a long enough password"
#define FINGERPRINT	"0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef"
#define BAD_SIGNIN	"The email address or password is not right"

static struct node *node;
static struct smtp *smtp;
static char *coord_pw, *admin_pw, *member_pw, *member2_pw;

/* A node with mail (a fake mail server) or without it. */
static void
start(int mail)
{
	char settings[256] = "throttle_joins = 1000\n";

	if (mail) {
		smtp = smtp_new();
		ck_assert_ptr_nonnull(smtp);
		ck_assert_int_eq(smtp_listen(smtp), 0);
		snprintf(settings, sizeof(settings), "throttle_joins = 1000\n"
		    "smtp_url = smtp://127.0.0.1:%d\n"
		    "mail_from = node@example.org\n", smtp_port(smtp));
	}
	node = node_new("Home node", settings);
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	admin_pw = node_user_add(node, ADMIN, "admin");
	member_pw = node_user_add(node, MEMBER, "member");
	member2_pw = node_user_add(node, MEMBER2, "member");
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_ptr_nonnull(admin_pw);
	ck_assert_ptr_nonnull(member_pw);
	ck_assert_ptr_nonnull(member2_pw);
	ck_assert_int_eq(node_serve(node), 0);
}

static void
start_no_mail(void)
{
	start(0);
}

static void
start_mail(void)
{
	start(1);
}

static void
stop(void)
{
	node_free(node);
	smtp_free(smtp);
	free(coord_pw);
	free(admin_pw);
	free(member_pw);
	free(member2_pw);
	node = NULL;
	smtp = NULL;
}

/* A unique email per call, so the cases never trip over each other. */
static const char *
fresh(const char *who)
{
	static char buf[128];
	char *e = harness_email(who);

	ck_assert_ptr_nonnull(e);
	snprintf(buf, sizeof(buf), "%s", e);
	free(e);
	return buf;
}

static long
num(const char *sql, const char *param)
{
	return node_num(node, sql, param);
}

/* Someone joins in North West and confirms; the id of their profile. */
static char *
asks_to_join(const char *name, const char *email)
{
	struct client *c = client_new(node);
	char *id;

	ck_assert_int_eq(join(c, name, email, PASSWORD), 200);
	client_free(c);
	id = node_sql(node, "SELECT member FROM accounts WHERE email = $1",
	    email);
	ck_assert_ptr_nonnull(id);
	return id;
}

static struct resp *
get(struct client *c, const char *path)
{
	struct resp *r = http_get(c, path);

	ck_assert_ptr_nonnull(r);
	return r;
}

START_TEST(test_home_for_a_visitor_says_what_the_network_is)
{
	struct client *anon = client_new(node);
	struct resp *r = get(anon, "/");

	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "national social prescribing network"));
	ck_assert(resp_has(r, "href=\"/join\""));
	ck_assert(resp_has(r, "href=\"/signin\""));
	ck_assert(resp_has(r, "Coming up"));
	ck_assert(!resp_has(r, "Your bookings"));
	ck_assert(!resp_has(r, "Needs your attention"));
	resp_free(r);
	client_free(anon);
}
END_TEST

START_TEST(test_home_for_a_member_without_bookings_says_what_to_do)
{
	struct client *m = client_as(node, MEMBER2, member2_pw);
	struct resp *r;

	r = get(m, "/");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "You have no bookings."));
	ck_assert(resp_has(r, "<a href=\"/events\">Find an event</a>"));
	ck_assert(resp_has(r, "Add a short bio so others can find you"));
	ck_assert(resp_has(r, "Choose to be listed in the network directory"));
	ck_assert(!resp_has(r, "Needs your attention"));
	ck_assert(!resp_has(r, "href=\"/admin/members\""));
	resp_free(r);

	/* A full profile, listed: nothing left to ask for. */
	ck_assert_int_eq(node_exec(node, "UPDATE members SET bio = 'Link"
	    " worker in Salford', interests = 'Gardening', listed = true"
	    " WHERE id = (SELECT member FROM accounts WHERE email = '"
	    MEMBER2 "')", 0, NULL), 1);
	r = get(m, "/");
	ck_assert(!resp_has(r, "Add a short bio"));
	ck_assert(!resp_has(r, "Choose to be listed"));
	ck_assert(!resp_has(r, "Your profile</h2>"));
	resp_free(r);
	client_free(m);
}
END_TEST

/* Registers c for event's first type of place; the answer's status. */
static long
book(struct client *c, const char *event)
{
	struct reg_form f;
	struct resp *r;
	long status;

	reg_form_open(c, event, &f);
	r = reg_form_send(c, &f, NULL);
	ck_assert_ptr_nonnull(r);
	status = r->status;
	resp_free(r);
	reg_form_free(&f);
	return status;
}

START_TEST(test_home_lists_a_members_bookings_and_waiting_places)
{
	struct client *co = client_as(node, COORD, coord_pw);
	struct client *m = client_as(node, MEMBER, member_pw);
	struct client *m2 = client_as(node, MEMBER2, member2_pw);
	struct resp *r;
	char *event, href[128];

	event = event_new_published(co, "Home page conference", "1");
	ck_assert_ptr_nonnull(event);
	snprintf(href, sizeof(href), "href=\"/events/%s\"", event);
	ck_assert_int_lt(book(m, event), 400);
	ck_assert_int_lt(book(m2, event), 400);

	r = get(m, "/");
	ck_assert(resp_has(r, "Home page conference"));
	ck_assert(resp_has(r, href));
	ck_assert(resp_has(r, "You&#8217;re booked") ||
	    resp_has(r, "You're booked"));
	ck_assert(!resp_has(r, "You have no bookings."));
	resp_free(r);

	r = get(m2, "/");
	ck_assert(resp_has(r, "Home page conference"));
	ck_assert(resp_has(r, "on the waiting list"));
	ck_assert(resp_has(r, "Number 1 on the waiting list"));
	resp_free(r);

	/* Someone else's bookings are never on your home page. */
	r = get(co, "/");
	ck_assert(!resp_has(r, href));
	ck_assert(resp_has(r, "You have no bookings."));
	resp_free(r);
	free(event);
	client_free(co);
	client_free(m);
	client_free(m2);
}
END_TEST

START_TEST(test_home_for_a_coordinator_names_what_waits)
{
	struct client *co = client_as(node, COORD, coord_pw);
	struct client *m = client_as(node, MEMBER, member_pw);
	struct resp *r;
	char *id, *peer;

	id = asks_to_join("Wendy Waiting", fresh("wendy"));
	peer = node_sql(node, "INSERT INTO peers (url, node, name, region,"
	    " fingerprint, last_error, last_attempt) VALUES"
	    " ('https://127.0.0.1:1', gen_random_uuid(), 'Broken peer',"
	    " 'London', '" FINGERPRINT "', 'connection refused', now())"
	    " RETURNING id", NULL);
	ck_assert_ptr_nonnull(peer);
	r = form_post(m, "/library/new", "/library/new", "title",
	    "Home page toolkit", "slug", "home-page-toolkit", "category",
	    "toolkit", "body", "How to start.", "summary", "First", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);

	r = get(co, "/");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Needs your attention"));
	ck_assert(resp_has(r, "waiting for your approval."));
	ck_assert(resp_has(r, "href=\"/admin/members\""));
	/* No mail server: said once, with where to set it. */
	ck_assert(resp_has(r, "Mail is not set up"));
	ck_assert(resp_has(r, "smtp_url"));
	ck_assert(resp_has(r, "held: nobody receives them"));
	ck_assert(resp_has(r, "href=\"/admin/mail\""));
	ck_assert(resp_has(r, "1 peer is failing to sync."));
	ck_assert(resp_has(r, "href=\"/admin/sync\""));
	/* The library's change, with who made it. */
	ck_assert(resp_has(r, "href=\"/library/home-page-toolkit\""));
	ck_assert(resp_has(r, "Home page toolkit"));
	ck_assert(resp_has(r, "Changed by"));
	resp_free(r);

	/* A member sees the change, and none of what waits for coordinators. */
	r = get(m, "/");
	ck_assert(resp_has(r, "Home page toolkit"));
	ck_assert(!resp_has(r, "Needs your attention"));
	ck_assert(!resp_has(r, "Mail is not set up"));
	ck_assert(!resp_has(r, "waiting for your approval"));
	resp_free(r);
	ck_assert_int_eq(num("DELETE FROM peers WHERE id = $1::bigint"
	    " RETURNING 1", peer), 1);
	free(peer);
	free(id);
	client_free(co);
	client_free(m);
}
END_TEST

/*
 * A pending account's page follows only the right password: a wrong one
 * gets what an unknown address gets.
 */
START_TEST(test_signin_when_waiting_for_approval_is_a_page_not_an_error)
{
	struct client *c = client_new(node);
	struct resp *r;
	const char *em = fresh("pending");
	char *id = asks_to_join("Polly Pending", em);

	r = form_post(c, "/signin", "/signin", "email", em, "password",
	    PASSWORD, NULL);
	ck_assert_int_eq(r->status, 403);
	ck_assert(resp_has(r, "<h1>Your account is waiting for approval</h1>"));
	ck_assert(resp_has(r, "A coordinator for <span>North West</span>") ||
	    resp_has(r, "A coordinator for North West"));
	ck_assert(!resp_has(r, "error-summary"));
	/* No mail on this node: no promise of an email. */
	ck_assert(!resp_has(r, "You will get an email"));
	resp_free(r);

	r = form_post(c, "/signin", "/signin", "email", em, "password",
	    "not the password at all", NULL);
	ck_assert_int_eq(r->status, 401);
	ck_assert(resp_has(r, BAD_SIGNIN));
	ck_assert(!resp_has(r, "waiting for approval"));
	resp_free(r);
	r = form_post(c, "/signin", "/signin", "email",
	    "nobody.at.all@example.org", "password", "not the password at all",
	    NULL);
	ck_assert_int_eq(r->status, 401);
	ck_assert(resp_has(r, BAD_SIGNIN));
	resp_free(r);
	/* Still waiting, and not signed in. */
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1"
	    " AND status = 'pending'", em), 1);
	r = get(c, "/profile");
	ck_assert_int_ne(r->status, 200);
	resp_free(r);
	free(id);
	client_free(c);
}
END_TEST

START_TEST(test_signin_unconfirmed_without_mail_says_whom_to_ask)
{
	struct client *c = client_new(node);
	struct resp *r;
	const char *em = fresh("unconfirmed");

	r = join_form(c, "Una Unconfirmed", em, PASSWORD, PASSWORD);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = form_post(c, "/signin", "/signin", "email", em, "password",
	    PASSWORD, NULL);
	ck_assert_int_eq(r->status, 403);
	ck_assert(resp_has(r, "<h1>Confirm your email address</h1>"));
	ck_assert(resp_has(r, "cannot send email"));
	ck_assert(!resp_has(r, "Send the link again"));
	resp_free(r);
	r = form_post(c, "/signin", "/signin", "email", em, "password",
	    "not the password at all", NULL);
	ck_assert_int_eq(r->status, 401);
	ck_assert(resp_has(r, BAD_SIGNIN));
	ck_assert(!resp_has(r, "Confirm your email address"));
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_signin_unconfirmed_with_mail_sends_the_link_again)
{
	struct client *c = client_new(node);
	struct resp *r;
	const char *em = fresh("again");
	char *csrf;
	long before;

	r = join_form(c, "Abe Again", em, PASSWORD, PASSWORD);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	before = num("SELECT count(*) FROM outbox WHERE recipient = $1", em);
	r = form_post(c, "/signin", "/signin", "email", em, "password",
	    PASSWORD, NULL);
	ck_assert_int_eq(r->status, 403);
	ck_assert(resp_has(r, "<h1>Confirm your email address</h1>"));
	ck_assert(resp_has(r, "Send the link again"));
	ck_assert(resp_has(r, "action=\"/join/resend\""));
	csrf = form_field(r->body, "csrf");
	ck_assert_ptr_nonnull(csrf);
	resp_free(r);
	/* The page's button, as the browser sends it. */
	r = http_post(c, "/join/resend", "csrf", csrf, "email", em, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Check your email"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE recipient = $1",
	    em), before + 1);
	free(csrf);
	client_free(c);
}
END_TEST

/* Refusing: GET asks and changes nothing; only the button's POST acts. */
START_TEST(test_refusing_a_request_asks_first)
{
	struct client *co = client_as(node, COORD, coord_pw);
	struct client *m = client_as(node, MEMBER, member_pw);
	struct resp *r;
	const char *em = fresh("refused");
	char *id = asks_to_join("Rita Refused", em), path[128];

	snprintf(path, sizeof(path), "/admin/members/reject?id=%s", id);
	r = get(co, "/admin/members");
	ck_assert(resp_has(r, path));
	ck_assert(!resp_has(r, "action=\"/admin/members/reject\""));
	resp_free(r);

	r = get(co, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Refuse the request from Rita Refused?"));
	ck_assert(resp_has(r, "button--warning"));
	ck_assert(resp_has(r, "Yes, refuse the request"));
	ck_assert(resp_has(r, "No, go back"));
	ck_assert(resp_has(r, "action=\"/admin/members/reject\""));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1"
	    " AND status = 'pending'", em), 1);

	/* Without the form's token, nothing. */
	r = http_post(co, "/admin/members/reject", "id", id, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	/* A member reaches neither the question nor the action. */
	r = get(m, path);
	ck_assert_int_eq(r->status, 403);
	ck_assert(!resp_has(r, "Rita Refused"));
	resp_free(r);
	r = form_post(m, "/", "/admin/members/reject", "id", id, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1",
	    em), 1);
	node_assert_serving(node, NULL);

	r = form_post(co, path, "/admin/members/reject", "id", id, "reason",
	    "We could not match you to a service in the region.", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "The request from Rita Refused was refused"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1",
	    em), 0);
	/* A second look at the question: nothing left to refuse. */
	r = get(co, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "already been dealt with"));
	resp_free(r);
	free(id);
	client_free(co);
	client_free(m);
}
END_TEST

/* With mail, the person refused is told, with the reason given. */
START_TEST(test_refusing_with_mail_tells_the_person_why)
{
	struct client *co = client_as(node, COORD, coord_pw);
	struct resp *r;
	const char *em = fresh("toldwhy");
	char *id = asks_to_join("Tom Told", em), path[128];
	long before;

	snprintf(path, sizeof(path), "/admin/members/reject?id=%s", id);
	r = get(co, path);
	ck_assert(resp_has(r, "will get an email"));
	ck_assert(resp_has(r, "name=\"reason\""));
	resp_free(r);
	before = num("SELECT count(*) FROM outbox WHERE recipient = $1", em);
	r = form_post(co, path, "/admin/members/reject", "id", id, "reason",
	    "Please join through your own region's node.", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE recipient = $1"
	    " AND subject = 'Your request to join was not accepted'"
	    " AND body LIKE '%Please join through your own region''s node.%'",
	    em), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE recipient = $1",
	    em), before + 1);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1",
	    em), 0);
	free(id);
	client_free(co);
}
END_TEST

START_TEST(test_removing_a_peer_asks_first)
{
	struct client *ad = client_as(node, ADMIN, admin_pw);
	struct client *co = client_as(node, COORD, coord_pw);
	struct resp *r;
	char *peer, path[96];

	peer = node_sql(node, "INSERT INTO peers (url, node, name, region,"
	    " fingerprint) VALUES ('https://127.0.0.1:1', gen_random_uuid(),"
	    " 'Leaving peer', 'London', '" FINGERPRINT "') RETURNING id",
	    NULL);
	ck_assert_ptr_nonnull(peer);
	snprintf(path, sizeof(path), "/admin/peers/remove?peer=%s", peer);
	r = get(ad, "/admin/peers");
	ck_assert(resp_has(r, path));
	ck_assert(resp_has(r, "another node of the network that this node "
	    "exchanges records with"));
	ck_assert(resp_has(r, "Vouches for"));
	resp_free(r);
	r = get(ad, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Remove Leaving peer as a peer?"));
	ck_assert(resp_has(r, "Yes, remove the peer"));
	ck_assert(resp_has(r, "No, go back"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM peers WHERE id = $1::bigint",
	    peer), 1);
	/* A coordinator who is not an admin reaches neither. */
	r = get(co, path);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = http_post(ad, "/admin/peers/remove", "peer", peer, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM peers WHERE id = $1::bigint",
	    peer), 1);
	r = form_post(ad, path, "/admin/peers/remove", "peer", peer, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM peers WHERE id = $1::bigint",
	    peer), 0);
	/* Asked again once it is gone: back to the list, which says so. */
	r = get(ad, path);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "done=gone"));
	resp_free(r);
	free(peer);
	client_free(ad);
	client_free(co);
}
END_TEST

START_TEST(test_taking_a_role_away_asks_first)
{
	struct client *ad = client_as(node, ADMIN, admin_pw);
	struct resp *r;
	const char *em = fresh("demoted");
	char *pw = node_user_add(node, em, "coordinator"), *id;

	ck_assert_ptr_nonnull(pw);
	id = node_sql(node, "SELECT member FROM accounts WHERE email = $1", em);
	ck_assert_ptr_nonnull(id);
	r = form_post(ad, "/admin/roles", "/admin/roles", "id", id, "role",
	    "member", "region", "North West", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Take away the role Coordinator from"));
	ck_assert(resp_has(r, "Yes, take the role away"));
	ck_assert(resp_has(r, "name=\"confirm\""));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1"
	    " AND role = 'coordinator'", em), 1);
	r = form_post(ad, "/admin/roles", "/admin/roles", "id", id, "role",
	    "member", "region", "North West", "confirm", "yes", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "now has the role Member"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1"
	    " AND role = 'member'", em), 1);
	/* Giving a role asks nothing. */
	r = form_post(ad, "/admin/roles", "/admin/roles", "id", id, "role",
	    "contributor", "region", "North West", NULL);
	ck_assert(resp_has(r, "now has the role Contributor"));
	resp_free(r);
	free(pw);
	free(id);
	client_free(ad);
}
END_TEST

START_TEST(test_signing_out_this_device_asks_first)
{
	struct client *m = client_as(node, MEMBER, member_pw);
	struct client *other = client_as(node, MEMBER, member_pw);
	struct resp *r;
	char *mine, path[96];
	const char *at;

	/* Only this device's row links to the question; the others post. */
	r = get(m, "/profile/sessions");
	at = strstr(r->body, "/profile/sessions/end?session=");
	ck_assert_ptr_nonnull(at);
	at += strlen("/profile/sessions/end?session=");
	mine = strndup(at, strspn(at, "0123456789"));
	ck_assert_ptr_nonnull(mine);
	ck_assert(*mine != '\0');
	ck_assert(strstr(at, "/profile/sessions/end?session=") == NULL);
	resp_free(r);
	snprintf(path, sizeof(path), "/profile/sessions/end?session=%s", mine);
	r = get(m, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Sign out of this device?"));
	ck_assert(resp_has(r, "No, go back"));
	resp_free(r);
	r = get(m, "/signout/everywhere");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Sign out everywhere?"));
	ck_assert(resp_has(r, "Yes, sign out everywhere"));
	resp_free(r);
	/* Without the form's token, nothing ends. */
	r = http_post(m, "/profile/sessions/end", "session", mine, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = http_post(m, "/signout/everywhere", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	/* Asking changed nothing: still signed in. */
	r = get(m, "/profile");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = form_post(m, path, "/profile/sessions/end", "session", mine, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = get(m, "/profile");
	ck_assert_int_ne(r->status, 200);
	resp_free(r);
	r = get(other, "/profile");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	free(mine);
	client_free(m);
	client_free(other);
}
END_TEST

START_TEST(test_admin_lists_come_a_page_at_a_time)
{
	struct client *ad = client_as(node, ADMIN, admin_pw);
	struct resp *r;

	/* 23 requests and 55 more people than the page holds. */
	ck_assert_int_eq(node_exec(node, "WITH m AS (INSERT INTO members (id,"
	    " origin, name, stakeholder, region) SELECT gen_random_uuid(),"
	    " (SELECT id FROM node), 'Paged Person ' || lpad(g::text, 2, '0'),"
	    " 'gp', 'North West' FROM generate_series(1, 23) g"
	    " RETURNING id, name)"
	    " INSERT INTO accounts (member, email, status, confirmed)"
	    " SELECT id, replace(lower(name), ' ', '.') || '@paged.example.org',"
	    " 'pending', now() FROM m", 0, NULL), 23);
	ck_assert_int_eq(node_exec(node, "WITH m AS (INSERT INTO members (id,"
	    " origin, name, stakeholder, region) SELECT gen_random_uuid(),"
	    " (SELECT id FROM node), 'Active Person ' || lpad(g::text, 2, '0'),"
	    " 'gp', 'North West' FROM generate_series(1, 55) g"
	    " RETURNING id, name)"
	    " INSERT INTO accounts (member, email, status, confirmed)"
	    " SELECT id, replace(lower(name), ' ', '.') || '@paged.example.org',"
	    " 'active', now() FROM m", 0, NULL), 55);

	r = get(ad, "/admin/members");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Paged Person 01"));
	ck_assert(!resp_has(r, "Paged Person 23"));
	ck_assert(resp_has(r, "class=\"pagination\""));
	ck_assert(resp_has(r, "href=\"/admin/members?page=2\""));
	resp_free(r);
	r = get(ad, "/admin/members?page=2");
	ck_assert(resp_has(r, "Paged Person 23"));
	ck_assert(!resp_has(r, "Paged Person 01"));
	resp_free(r);

	r = get(ad, "/admin/roles");
	ck_assert(resp_has(r, "class=\"pagination\""));
	ck_assert(resp_has(r, "Page 1 of 2"));
	resp_free(r);
	/* The search is kept from page to page. */
	r = get(ad, "/admin/roles?q=active");
	ck_assert(resp_has(r, "Active Person 01"));
	ck_assert(resp_has(r, "href=\"/admin/roles?q=active&amp;page=2\""));
	ck_assert(!resp_has(r, "Active Person 55"));
	resp_free(r);
	r = get(ad, "/admin/roles?q=active&page=2");
	ck_assert(resp_has(r, "Active Person 55"));
	resp_free(r);
	/* A page past the end links back rather than failing. */
	r = get(ad, "/admin/members?page=99");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	ck_assert_int_eq(node_exec(node, "DELETE FROM accounts WHERE email"
	    " LIKE '%@paged.example.org'", 0, NULL), 78);
	client_free(ad);
}
END_TEST

/* The new words, on the pages members fill in. */
START_TEST(test_member_pages_use_the_plain_words)
{
	struct client *anon = client_new(node);
	struct client *m = client_as(node, MEMBER, member_pw);
	struct resp *r;

	r = get(anon, "/join");
	ck_assert(resp_has(r, "Your role in social prescribing"));
	ck_assert(!resp_has(r, "Stakeholder group"));
	resp_free(r);
	r = get(m, "/profile");
	ck_assert(resp_has(r, "Your role in social prescribing"));
	ck_assert(!resp_has(r, "Stakeholder group"));
	resp_free(r);
	r = get(anon, "/members");
	ck_assert(resp_has(r, "Role in social prescribing"));
	ck_assert(!resp_has(r, "Stakeholder group"));
	resp_free(r);
	r = form_post(m, "/profile", "/profile", "name", "Home Member",
	    "region", "North West", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select your role in social prescribing"));
	resp_free(r);
	client_free(anon);
	client_free(m);
}
END_TEST

Suite *
home_suite(void)
{
	Suite *s = suite_create("home");
	TCase *tc = tcase_create("no_mail"), *mail = tcase_create("mail");

	tcase_add_unchecked_fixture(tc, start_no_mail, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_home_for_a_visitor_says_what_the_network_is);
	tcase_add_test(tc,
	    test_home_for_a_member_without_bookings_says_what_to_do);
	tcase_add_test(tc, test_home_lists_a_members_bookings_and_waiting_places);
	tcase_add_test(tc, test_home_for_a_coordinator_names_what_waits);
	tcase_add_test(tc,
	    test_signin_when_waiting_for_approval_is_a_page_not_an_error);
	tcase_add_test(tc, test_signin_unconfirmed_without_mail_says_whom_to_ask);
	tcase_add_test(tc, test_refusing_a_request_asks_first);
	tcase_add_test(tc, test_removing_a_peer_asks_first);
	tcase_add_test(tc, test_taking_a_role_away_asks_first);
	tcase_add_test(tc, test_signing_out_this_device_asks_first);
	tcase_add_test(tc, test_admin_lists_come_a_page_at_a_time);
	tcase_add_test(tc, test_member_pages_use_the_plain_words);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(mail, start_mail, stop);
	tcase_set_timeout(mail, 120);
	tcase_add_test(mail, test_signin_unconfirmed_with_mail_sends_the_link_again);
	tcase_add_test(mail, test_refusing_with_mail_tells_the_person_why);
	suite_add_tcase(s, mail);
	return s;
}
