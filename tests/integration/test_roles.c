/*
 * Who may do what on a node: a coordinator looks after their own region
 * only (its requests to join, its unlisted members) and cannot move
 * themselves out of it; peers and roles are an admin's, set by
 * `acorn user` or by another admin; and nobody reads a guest's secret
 * link in the outbox.  A profile whose address nobody has confirmed is
 * nobody's to see or to receive, and goes after its period.  Each attempt is made as the person would make it,
 * over HTTP, and checked for what they see and what the node still
 * holds afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"
#include "smtp.h"

Suite	*roles_suite(void);

#define COORD_NW	"roles.coord.nw@example.org"
#define COORD_LDN	"roles.coord.london@example.org"
#define ADMIN		"roles.admin@example.org"
#define MEMBER		"roles.member@example.org"
#define FINGERPRINT	"0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef"
#define WAIT_MS		20000

static struct node *node;
static char *nw_pw, *ldn_pw, *admin_pw, *member_pw;

/* Moves the account of email to region, as a profile in that region. */
static void
move(const char *email, const char *region)
{
	const char *p[2] = { email, region };

	ck_assert_int_eq(node_exec(node, "UPDATE members SET region = $2"
	    " WHERE id = (SELECT member FROM accounts WHERE email = $1)", 2,
	    p), 1);
	/* A session kept in memory is read again once the node hears. */
	node_barrier(node, "acorn_sessions");
}

static void
start(void)
{
	node = node_new("Roles node", "throttle_joins = 1000\n"
	    "retention_interval = 1\nretain_unconfirmed_days = 5");
	ck_assert_ptr_nonnull(node);
	/* The node is North West's; `user add` puts people there. */
	nw_pw = node_user_add(node, COORD_NW, "coordinator");
	ldn_pw = node_user_add(node, COORD_LDN, "coordinator");
	admin_pw = node_user_add(node, ADMIN, "admin");
	member_pw = node_user_add(node, MEMBER, "member");
	ck_assert_ptr_nonnull(nw_pw);
	ck_assert_ptr_nonnull(ldn_pw);
	ck_assert_ptr_nonnull(admin_pw);
	ck_assert_ptr_nonnull(member_pw);
	move(COORD_LDN, "London");
	move(ADMIN, "South West");
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop(void)
{
	node_free(node);
	free(nw_pw);
	free(ldn_pw);
	free(admin_pw);
	free(member_pw);
	node = NULL;
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

/* Someone asks to join in region; the id of their profile. */
static char *
asks_to_join(const char *name, const char *email, const char *region)
{
	struct client *c = client_new(node);
	struct resp *r;
	char *id;

	r = form_post(c, "/join", "/join", "name", name, "email", email,
	    "password", "a long enough password", "password2",
	    "a long enough password", "organisation", "Test Health Centre",
	    "group", "gp", "region", region, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Check your email"));
	resp_free(r);
	ck_assert_int_eq(join_confirm(c, email, "a long enough password"),
	    200);
	client_free(c);
	id = node_sql(node, "SELECT member FROM accounts WHERE email = $1",
	    email);
	ck_assert_ptr_nonnull(id);
	return id;
}

/* The node still answers, whatever was just tried on it. */
static void
still_serves(void)
{
	node_assert_serving(node, NULL);
}

/* The number of requests the home page says wait for c, or -1. */
static long
waiting_on_home(struct client *c)
{
	struct resp *r = http_get(c, "/");
	const char *at, *p;
	char *end;
	long n = -1;

	if (r != NULL && (at = strstr(r->body,
	    " waiting for your approval.")) != NULL) {
		for (p = at; p > r->body && p[-1] != '>'; p--)
			;
		n = strtol(p, &end, 10);
		if (end == p)
			n = -1;
	} else if (r != NULL && resp_has(r, "Needs your attention"))
		n = 0;	/* a coordinator's home names no count of none */
	resp_free(r);
	return n;
}

START_TEST(test_coordinator_sees_and_decides_only_their_regions_requests)
{
	struct client *nw = client_as(node, COORD_NW, nw_pw);
	struct client *ldn = client_as(node, COORD_LDN, ldn_pw);
	struct client *ad = client_as(node, ADMIN, admin_pw);
	char *north, *london, nemail[128], lemail[128];
	struct resp *r;
	long ldn_waiting = waiting_on_home(ldn);

	ck_assert_int_ge(ldn_waiting, 0);
	snprintf(nemail, sizeof(nemail), "%s", fresh("north"));
	snprintf(lemail, sizeof(lemail), "%s", fresh("london"));
	north = asks_to_join("Nell North", nemail, "North West");
	london = asks_to_join("Len London", lemail, "London");

	/* Each coordinator sees their own region's request alone. */
	r = http_get(nw, "/admin/members");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, nemail));
	ck_assert(!resp_has(r, lemail));
	ck_assert(!resp_has(r, "Len London"));
	resp_free(r);
	r = http_get(ldn, "/admin/members");
	ck_assert(resp_has(r, lemail));
	ck_assert(!resp_has(r, nemail));
	resp_free(r);
	/*
	 * The home page counts only the requests they can decide: of the
	 * two just made, London's alone.
	 */
	ck_assert_int_eq(waiting_on_home(ldn), ldn_waiting + 1);
	/* An admin sees both. */
	r = http_get(ad, "/admin/members");
	ck_assert(resp_has(r, nemail));
	ck_assert(resp_has(r, lemail));
	resp_free(r);

	/* North West's coordinator posts London's id: refused, unchanged. */
	r = form_post(nw, "/admin/members", "/admin/members/approve", "id",
	    london, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "not yours to decide"));
	ck_assert(!resp_has(r, "is approved"));
	ck_assert(!resp_has(r, lemail));
	resp_free(r);
	r = form_post(nw, "/admin/members", "/admin/members/reject", "id",
	    london, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "not yours to decide"));
	ck_assert(!resp_has(r, "was refused"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE member = $1"
	    " AND status = 'pending' AND approved IS NULL", london), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM members WHERE id = $1"
	    " AND NOT deleted AND name = 'Len London'", london), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM audit_log WHERE subject ="
	    " $1 AND action IN ('approve', 'refuse')", london), 0);

	/* London's coordinator can; North West's approves their own. */
	r = form_post(ldn, "/admin/members", "/admin/members/approve", "id",
	    london, NULL);
	ck_assert(resp_has(r, "Len London is approved"));
	resp_free(r);
	r = form_post(nw, "/admin/members", "/admin/members/approve", "id",
	    north, NULL);
	ck_assert(resp_has(r, "Nell North is approved"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE member = $1"
	    " AND status = 'active'", london), 1);
	still_serves();
	free(north);
	free(london);
	client_free(nw);
	client_free(ldn);
	client_free(ad);
}
END_TEST

START_TEST(test_coordinator_sees_unlisted_members_only_of_their_region)
{
	struct client *nw = client_as(node, COORD_NW, nw_pw);
	struct client *ldn = client_as(node, COORD_LDN, ldn_pw);
	struct client *ad = client_as(node, ADMIN, admin_pw);
	char *pw, *id, email[128], path[128];
	struct resp *r;

	snprintf(email, sizeof(email), "%s", fresh("quiet"));
	pw = node_user_add(node, email, "member");
	ck_assert_ptr_nonnull(pw);
	move(email, "London");
	ck_assert_int_eq(num("UPDATE members SET name = 'Quentin Quiet'"
	    " WHERE id = (SELECT member FROM accounts WHERE email = $1)"
	    " AND NOT listed RETURNING 1", email), 1);
	id = node_sql(node, "SELECT member FROM accounts WHERE email = $1",
	    email);
	ck_assert_ptr_nonnull(id);
	snprintf(path, sizeof(path), "/members/%s", id);

	r = http_get(nw, "/members?q=Quentin");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Quentin Quiet"));
	resp_free(r);
	r = http_get(nw, path);
	ck_assert_int_eq(r->status, 404);
	ck_assert(!resp_has(r, "Quentin Quiet"));
	resp_free(r);
	r = http_get(ldn, "/members?q=Quentin");
	ck_assert(resp_has(r, "Quentin Quiet"));
	resp_free(r);
	r = http_get(ldn, path);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = http_get(ad, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Quentin Quiet"));
	resp_free(r);
	free(pw);
	free(id);
	client_free(nw);
	client_free(ldn);
	client_free(ad);
}
END_TEST

/* The profile form with sensible answers, in region. */
static struct resp *
profile_in(struct client *c, const char *name, const char *region)
{
	return form_post(c, "/profile", "/profile", "name", name,
	    "organisation", "Test Health Centre", "group", "gp", "region",
	    region, NULL);
}

START_TEST(test_coordinator_cannot_move_their_own_region)
{
	struct client *nw = client_as(node, COORD_NW, nw_pw);
	struct client *m, *ad;
	char *pw, *london, email[128], lemail[128];
	struct resp *r;
	long before;

	snprintf(lemail, sizeof(lemail), "%s", fresh("elsewhere"));
	london = asks_to_join("Lorna Elsewhere", lemail, "London");
	before = num("SELECT version FROM members WHERE id = (SELECT member"
	    " FROM accounts WHERE email = $1)", COORD_NW);

	r = http_get(nw, "/profile");
	ck_assert(resp_has(r, "an administrator can move you"));
	resp_free(r);
	r = profile_in(nw, "Nadia Coordinator", "London");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "You cannot move yourself to another region as "
	    "a coordinator"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM members WHERE id = (SELECT"
	    " member FROM accounts WHERE email = $1) AND region ="
	    " 'North West' AND name <> 'Nadia Coordinator'", COORD_NW), 1);
	ck_assert_int_eq(num("SELECT version FROM members WHERE id = (SELECT"
	    " member FROM accounts WHERE email = $1)", COORD_NW), before);
	/* So London's requests stay out of sight. */
	r = http_get(nw, "/admin/members");
	ck_assert(!resp_has(r, lemail));
	resp_free(r);
	/* Their own region, with other changes, saves as before. */
	r = profile_in(nw, "Nadia Coordinator", "North West");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);

	/* A member moves, and sees no one more for it. */
	snprintf(email, sizeof(email), "%s", fresh("mover"));
	pw = node_user_add(node, email, "member");
	ck_assert_ptr_nonnull(pw);
	m = client_as(node, email, pw);
	r = profile_in(m, "Morgan Mover", "London");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM members WHERE id = (SELECT"
	    " member FROM accounts WHERE email = $1) AND region = 'London'",
	    email), 1);
	r = http_get(m, "/admin/members");
	ck_assert_int_eq(r->status, 403);
	ck_assert(!resp_has(r, lemail));
	resp_free(r);

	/* An admin may move, and sees every region either way. */
	ad = client_as(node, ADMIN, admin_pw);
	r = profile_in(ad, "Roles Admin", "London");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = profile_in(ad, "Roles Admin", "South West");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	still_serves();
	free(pw);
	free(london);
	client_free(m);
	client_free(ad);
	client_free(nw);
}
END_TEST

START_TEST(test_peers_and_roles_are_for_admins)
{
	struct client *nw = client_as(node, COORD_NW, nw_pw);
	struct client *ad = client_as(node, ADMIN, admin_pw);
	struct resp *r;
	char *csrf, *me, *peer;
	long peers = num("SELECT count(*) FROM peers", NULL);

	/* A coordinator is refused every admin page, and sees no link. */
	r = http_get(nw, "/admin/peers");
	ck_assert_int_eq(r->status, 403);
	ck_assert(!resp_has(r, "Fingerprint"));
	resp_free(r);
	r = http_get(nw, "/admin/roles");
	ck_assert_int_eq(r->status, 403);
	ck_assert(!resp_has(r, MEMBER));
	resp_free(r);
	r = http_get(nw, "/admin/sync");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "href=\"/admin/peers\""));
	ck_assert(!resp_has(r, "href=\"/admin/roles\""));
	ck_assert(resp_has(r, "administrators add and remove its peers"));
	resp_free(r);

	/* Posting anyway, with a good token, changes nothing. */
	csrf = page_csrf(nw, "/admin/sync");
	ck_assert_ptr_nonnull(csrf);
	r = http_post(nw, "/admin/peers", "csrf", csrf, "url",
	    "https://coordinator.example.org", "fingerprint", FINGERPRINT,
	    "hub", "yes", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	me = node_sql(node, "SELECT member FROM accounts WHERE email = $1",
	    COORD_NW);
	ck_assert_ptr_nonnull(me);
	r = http_post(nw, "/admin/roles", "csrf", csrf, "id", me, "role",
	    "admin", "region", "London", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM peers", NULL), peers);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts a JOIN members m"
	    " ON m.id = a.member WHERE a.email = $1 AND a.role = 'coordinator'"
	    " AND m.region = 'North West'", COORD_NW), 1);

	/* An admin's pages, and the peer an admin pins can be removed. */
	r = http_get(ad, "/admin/sync");
	ck_assert(resp_has(r, "href=\"/admin/peers\""));
	ck_assert(resp_has(r, "href=\"/admin/roles\""));
	resp_free(r);
	r = http_get(ad, "/admin/roles");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, MEMBER));
	ck_assert(resp_has(r, "This is you"));
	resp_free(r);
	r = http_get(ad, "/admin/peers");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	/* Coordinators still run their region's events. */
	r = http_get(nw, "/events/new");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	peer = node_sql(node, "INSERT INTO peers (url, node, name, region,"
	    " fingerprint) VALUES ('https://gone.example.org',"
	    " gen_random_uuid(), 'Gone', 'London', '" FINGERPRINT "')"
	    " RETURNING id", NULL);
	ck_assert_ptr_nonnull(peer);
	r = http_post(nw, "/admin/peers/remove", "csrf", csrf, "peer", peer,
	    NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM peers WHERE id = $1::bigint",
	    peer), 1);
	r = form_post(ad, "/admin/peers", "/admin/peers/remove", "peer", peer,
	    NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM peers WHERE id = $1::bigint",
	    peer), 0);
	still_serves();
	free(peer);
	free(me);
	free(csrf);
	client_free(nw);
	client_free(ad);
}
END_TEST

START_TEST(test_acorn_user_makes_an_admin)
{
	char email[128], *pw;
	struct client *c;
	struct resp *r;

	/* A new account, and then an existing one given the role. */
	snprintf(email, sizeof(email), "%s", fresh("newadmin"));
	pw = node_user_add(node, email, "admin");
	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1"
	    " AND role = 'admin' AND status = 'active'", email), 1);
	c = client_as(node, email, pw);
	r = http_get(c, "/admin/peers");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	client_free(c);
	free(pw);

	snprintf(email, sizeof(email), "%s", fresh("promoted"));
	pw = node_user_add(node, email, "coordinator");
	ck_assert_ptr_nonnull(pw);
	c = client_as(node, email, pw);
	r = http_get(c, "/admin/roles");
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(node_run(node, "user", "add", email, "--role", "admin",
	    NULL), 0);
	r = http_get(c, "/admin/roles");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	/* No role that does not exist. */
	ck_assert_int_eq(node_run(node, "user", "add", email, "--role",
	    "overlord", NULL), 2);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1"
	    " AND role = 'admin'", email), 1);
	client_free(c);
	free(pw);
}
END_TEST

START_TEST(test_admin_gives_roles_and_moves_people)
{
	struct client *ad = client_as(node, ADMIN, admin_pw), *c;
	char email[128], lemail[128], *pw, *id, *me, *london;
	struct resp *r;

	snprintf(email, sizeof(email), "%s", fresh("newcoord"));
	pw = node_user_add(node, email, "member");
	ck_assert_ptr_nonnull(pw);
	id = node_sql(node, "SELECT member FROM accounts WHERE email = $1",
	    email);
	ck_assert_ptr_nonnull(id);
	snprintf(lemail, sizeof(lemail), "%s", fresh("waiting"));
	london = asks_to_join("Lola Waiting", lemail, "London");

	r = form_post(ad, "/admin/roles", "/admin/roles", "id", id, "role",
	    "coordinator", "region", "London", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "now has the role Coordinator, in the London "
	    "region"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts a JOIN members m"
	    " ON m.id = a.member WHERE a.email = $1 AND a.role = 'coordinator'"
	    " AND m.region = 'London'", email), 1);
	c = client_as(node, email, pw);
	r = http_get(c, "/admin/members");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, lemail));
	resp_free(r);
	client_free(c);

	/* Not their own role: the node keeps its admin. */
	me = node_sql(node, "SELECT member FROM accounts WHERE email = $1",
	    ADMIN);
	ck_assert_ptr_nonnull(me);
	r = form_post(ad, "/admin/roles", "/admin/roles", "id", me, "role",
	    "member", NULL);
	ck_assert_int_eq(r->status, 403);
	ck_assert(resp_has(r, "You cannot change your own role"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1"
	    " AND role = 'admin'", ADMIN), 1);
	/* Nor a region that does not exist. */
	r = form_post(ad, "/admin/roles", "/admin/roles", "id", id, "role",
	    "member", "region", "Atlantis", NULL);
	ck_assert_int_eq(r->status, 400);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1"
	    " AND role = 'coordinator'", email), 1);
	free(pw);
	free(id);
	free(me);
	free(london);
	client_free(ad);
}
END_TEST

/* A guest fills in the event's form with their name and email. */
static void
guest_registers(struct node *n, const char *event, const char *name,
    const char *email)
{
	struct client *g = client_new(n);
	char path[128], action[160], *csrf, *request, *place;
	struct resp *r;

	snprintf(path, sizeof(path), "/events/%s", event);
	snprintf(action, sizeof(action), "/events/%s/register", event);
	r = http_get(g, path);
	ck_assert_int_eq(r->status, 200);
	csrf = form_field(r->body, "csrf");
	request = form_field(r->body, "request");
	place = form_field(r->body, "place");
	ck_assert_ptr_nonnull(csrf);
	ck_assert_ptr_nonnull(request);
	ck_assert_ptr_nonnull(place);
	resp_free(r);
	r = http_post(g, action, "csrf", csrf, "request", request, "place",
	    place, "name", name, "email", email, NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	free(csrf);
	free(request);
	free(place);
	client_free(g);
}

/* The key in the first message mail server s was given for rcpt. */
static char *
key_received(struct smtp *smtp, const char *rcpt)
{
	const struct smtp_msg *m;
	char *body, *p, *key = NULL;
	int i;

	for (i = 1; key == NULL && (m = smtp_wait(smtp, i, WAIT_MS)) != NULL;
	    i++) {
		if (strcmp(m->rcpt, rcpt) != 0)
			continue;
		body = mail_body_text(m->data);
		ck_assert_ptr_nonnull(body);
		if ((p = strstr(body, "/registrations/guest/")) != NULL)
			key = strndup(p + 21, strcspn(p + 21, "\r\n/"));
		free(body);
	}
	return key;
}

START_TEST(test_outbox_never_shows_a_guest_key)
{
	struct smtp *smtp = smtp_new();
	struct node *n;
	struct client *co, *ad, *g;
	char settings[256], page[200], *pw, *apw, *event, *key;
	struct resp *r;

	/* A node of its own, mailing the receiver this case listens with. */
	ck_assert_ptr_nonnull(smtp);
	ck_assert_int_eq(smtp_listen(smtp), 0);
	snprintf(settings, sizeof(settings), "smtp_url = smtp://127.0.0.1:%d\n"
	    "mail_from = events@north-west.example.org\nmail_retry = 1\n"
	    "public_url = http://acorn.north-west.example.org",
	    smtp_port(smtp));
	n = node_new("Masked mail node", settings);
	ck_assert_ptr_nonnull(n);
	pw = node_user_add(n, COORD_NW, "coordinator");
	apw = node_user_add(n, ADMIN, "admin");
	ck_assert_ptr_nonnull(pw);
	ck_assert_ptr_nonnull(apw);
	ck_assert_int_eq(node_serve(n), 0);
	co = client_as(n, COORD_NW, pw);
	ad = client_as(n, ADMIN, apw);
	g = client_new(n);

	event = event_new_published(co, "Masked mail meetup", "5");
	ck_assert_ptr_nonnull(event);
	guest_registers(n, event, "Gwen Guest", "gwen@guest.example.org");
	key = key_received(smtp, "gwen@guest.example.org");
	ck_assert_ptr_nonnull(key);
	ck_assert_uint_ge(strlen(key), 16);

	/* The mail is there, its link kept, its key not. */
	r = http_get(co, "/admin/mail");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "gwen@guest.example.org"));
	ck_assert(resp_has(r, "/registrations/guest/\xe2\x80\xa2\xe2\x80\xa2"
	    "\xe2\x80\xa2"));
	ck_assert(!resp_has(r, key));
	resp_free(r);
	r = http_get(ad, "/admin/mail");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, key));
	resp_free(r);

	/* The guest's own link still works for the guest. */
	snprintf(page, sizeof(page), "/registrations/guest/%s", key);
	r = http_get(g, page);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Masked mail meetup"));
	resp_free(r);
	free(key);
	free(event);
	free(pw);
	free(apw);
	client_free(g);
	client_free(co);
	client_free(ad);
	node_free(n);
	smtp_free(smtp);
}
END_TEST

/*
 * /admin/mail: a coordinator reads the mail about this node's events and
 * about the people of their own region, never the mail to another
 * region's members (their names, addresses and what happened to their
 * accounts); an admin reads it all.
 */
START_TEST(test_coordinator_reads_only_their_regions_mail)
{
	struct client *nw = client_as(node, COORD_NW, nw_pw);
	struct client *ldn = client_as(node, COORD_LDN, ldn_pw);
	struct client *ad = client_as(node, ADMIN, admin_pw);
	char *north, *london, *event, nemail[128], lemail[128], gemail[128];
	struct resp *r;

	snprintf(nemail, sizeof(nemail), "%s", fresh("mail.north"));
	snprintf(lemail, sizeof(lemail), "%s", fresh("mail.london"));
	snprintf(gemail, sizeof(gemail), "%s", fresh("mail.guest"));
	north = asks_to_join("Nora Northmail", nemail, "North West");
	london = asks_to_join("Lou Londonmail", lemail, "London");
	event = event_new_published(nw, "Mail scope meetup", "5");
	ck_assert_ptr_nonnull(event);
	guest_registers(node, event, "Gail Guestmail", gemail);
	ck_assert_int_ge(num("SELECT count(*) FROM outbox WHERE"
	    " recipient = $1", lemail), 1);

	r = http_get(nw, "/admin/mail");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, nemail));
	ck_assert(resp_has(r, gemail));
	ck_assert(!resp_has(r, lemail));
	ck_assert(!resp_has(r, "Lou Londonmail"));
	resp_free(r);
	r = http_get(ldn, "/admin/mail");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, lemail));
	ck_assert(resp_has(r, gemail));
	ck_assert(!resp_has(r, nemail));
	resp_free(r);
	r = http_get(ad, "/admin/mail");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, nemail));
	ck_assert(resp_has(r, lemail));
	ck_assert(resp_has(r, gemail));
	resp_free(r);
	/* Reading changed nothing. */
	ck_assert_int_ge(num("SELECT count(*) FROM outbox WHERE"
	    " recipient = $1", lemail), 1);
	still_serves();
	free(north);
	free(london);
	free(event);
	client_free(nw);
	client_free(ldn);
	client_free(ad);
}
END_TEST

/* Whether the node's public member feed names name now. */
static int
feed_names(const char *name)
{
	struct client *c = client_new(node);
	struct resp *r = http_get(c, "/feeds/members");
	int has;

	ck_assert_int_eq(r->status, 200);
	has = resp_has(r, name);
	resp_free(r);
	client_free(c);
	return has;
}

/* Whether viewer finds name in the directory and on the profile's page. */
static void
assert_directory(struct client *viewer, const char *id, const char *name,
    int shown)
{
	struct resp *r;
	char path[128];

	r = http_get(viewer, "/members?q=Squatter");
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(resp_has(r, name), shown);
	resp_free(r);
	snprintf(path, sizeof(path), "/members/%s", id);
	r = http_get(viewer, path);
	ck_assert_int_eq(r->status, shown ? 200 : 404);
	ck_assert_int_eq(resp_has(r, name), shown);
	resp_free(r);
}

/*
 * Someone joins with an address that is not theirs and never confirms
 * it.  Even marked listed (as a profile kept from before this rule
 * could be), the profile is in nobody's directory and no feed; it
 * appears once the address is confirmed and a coordinator approves it.
 * One never confirmed is removed, account and profile, after
 * retain_unconfirmed_days, as the privacy notice says.
 */
START_TEST(test_unconfirmed_profile_is_shown_and_sent_nowhere)
{
	struct client *nw = client_as(node, COORD_NW, nw_pw);
	struct client *anon = client_new(node);
	struct client *squat = client_new(node);
	char email[128], other[128], *id, *gone;
	struct resp *r;

	snprintf(email, sizeof(email), "%s", fresh("squatter"));
	snprintf(other, sizeof(other), "%s", fresh("squatter.gone"));
	r = form_post(squat, "/join", "/join", "name", "Sid Squatter", "email",
	    email, "password", "a long enough password", "password2",
	    "a long enough password", "organisation", "Test Health Centre",
	    "group", "gp", "region", "North West", NULL);
	ck_assert(resp_has(r, "Check your email"));
	resp_free(r);
	id = node_sql(node, "SELECT member FROM accounts WHERE email = $1",
	    email);
	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(num("UPDATE members SET listed = true WHERE id = $1"
	    " RETURNING 1", id), 1);
	ck_assert(node_wait(node, "SELECT NOT pending FROM members"
	    " WHERE id = $1", id, WAIT_MS));

	/* Unconfirmed: nobody sees it, nothing goes out. */
	assert_directory(anon, id, "Sid Squatter", 0);
	assert_directory(nw, id, "Sid Squatter", 0);
	ck_assert(!feed_names("Sid Squatter"));
	ck_assert_int_eq(num("SELECT count(*) FROM members WHERE id = $1"
	    " AND (shared OR entry IS NOT NULL)", id), 0);

	/* Confirmed but not approved: its coordinator sees the request only. */
	ck_assert_int_eq(join_confirm(squat, email, "a long enough password"),
	    200);
	assert_directory(anon, id, "Sid Squatter", 0);
	assert_directory(nw, id, "Sid Squatter", 1);
	ck_assert(!feed_names("Sid Squatter"));

	/* Approved: the listed profile is everyone's, and goes out. */
	r = form_post(nw, "/admin/members", "/admin/members/approve", "id", id,
	    NULL);
	ck_assert(resp_has(r, "Sid Squatter is approved"));
	resp_free(r);
	assert_directory(anon, id, "Sid Squatter", 1);
	ck_assert(node_wait(node, "SELECT shared AND NOT pending FROM members"
	    " WHERE id = $1", id, WAIT_MS));
	ck_assert(feed_names("Sid Squatter"));

	/* Never confirmed, past its period: account and profile go. */
	r = form_post(anon, "/join", "/join", "name", "Gone Squatter",
	    "email", other, "password", "a long enough password", "password2",
	    "a long enough password", "organisation", "Test Health Centre",
	    "group", "gp", "region", "North West", NULL);
	ck_assert(resp_has(r, "Check your email"));
	resp_free(r);
	gone = node_sql(node, "SELECT member FROM accounts WHERE email = $1",
	    other);
	ck_assert_ptr_nonnull(gone);
	ck_assert_int_eq(num("UPDATE accounts SET created = now() -"
	    " interval '6 days' WHERE email = $1 RETURNING 1", other), 1);
	ck_assert(node_wait(node, "SELECT NOT EXISTS (SELECT 1 FROM members"
	    " WHERE id = $1::uuid)", gone, WAIT_MS));
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1",
	    other), 0);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1",
	    email), 1);
	r = http_get(anon, "/privacy");
	ck_assert(resp_has(r, "5 days after joining"));
	resp_free(r);
	still_serves();
	free(id);
	free(gone);
	client_free(nw);
	client_free(anon);
	client_free(squat);
}
END_TEST

Suite *
roles_suite(void)
{
	Suite *s = suite_create("roles");
	TCase *tc = tcase_create("roles");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc,
	    test_coordinator_sees_and_decides_only_their_regions_requests);
	tcase_add_test(tc,
	    test_coordinator_sees_unlisted_members_only_of_their_region);
	tcase_add_test(tc, test_coordinator_cannot_move_their_own_region);
	tcase_add_test(tc, test_peers_and_roles_are_for_admins);
	tcase_add_test(tc, test_acorn_user_makes_an_admin);
	tcase_add_test(tc, test_admin_gives_roles_and_moves_people);
	tcase_add_test(tc, test_outbox_never_shows_a_guest_key);
	tcase_add_test(tc, test_coordinator_reads_only_their_regions_mail);
	tcase_add_test(tc, test_unconfirmed_profile_is_shown_and_sent_nowhere);
	suite_add_tcase(s, tc);
	return s;
}
