/*
 * Whose registration is it?  A member's registrations are their
 * account's, a guest's are reached by the keys in their letters, and a
 * registration from another node is its home node's member's: never
 * whoever has the same email address.  Each attack below asserts what
 * the attacker sees, that nothing changed, and that the node still
 * serves; and the database holds no guest key in clear, while every
 * link ever mailed (before this rule too) keeps working.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"
#include "fakepeer.h"

Suite	*identity_registrations_suite(void);

#define COORD		"identity.coord@example.org"
#define VICTIM		"victim@identity.example.org"
#define SAME_EMAIL	"same.person@peer.example.org"

static struct node *node;
static char *coord_pw;

static void
start(void)
{
	node = node_new("Identity node", NULL);
	ck_assert_ptr_nonnull(node);
	ck_assert_ptr_nonnull(coord_pw = node_user_add(node, COORD,
	    "coordinator"));
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop(void)
{
	node_free(node);
	free(coord_pw);
	node = NULL;
	coord_pw = NULL;
}

static long
num(const char *sql, const char *param)
{
	return node_num(node, sql, param);
}

static char *
text(const char *sql, const char *param)
{
	return node_text(node, sql, param);
}

static char *
new_event(const char *title, const char *capacity)
{
	struct client *co = client_as(node, COORD, coord_pw);
	char *id = event_new_published(co, title, capacity);

	ck_assert_ptr_nonnull(id);
	client_free(co);
	return id;
}

/* A member of this node, signed in. */
static struct client *
member(const char *email)
{
	char *pw = node_user_add(node, email, "member");
	struct client *c;

	ck_assert_ptr_nonnull(pw);
	c = client_as(node, email, pw);
	free(pw);
	return c;
}

/* Sends a registration form, as a member (name NULL) or a guest; frees it. */
static struct resp *
form_send(struct client *c, struct reg_form *f, const char *name,
    const char *email)
{
	struct resp *r;

	if (name != NULL)
		r = reg_form_send(c, f, "name", name, "email", email, NULL);
	else
		r = reg_form_send(c, f, NULL);
	reg_form_free(f);
	return r;
}

static struct resp *
register_as(struct client *c, const char *event, const char *name,
    const char *email)
{
	struct reg_form f;

	reg_form_open(c, event, &f);
	return form_send(c, &f, name, email);
}

/* The key in the newest letter to an address. */
static char *
mailed_key(const char *to)
{
	char *mail, *p, *key = NULL;

	mail = node_sql(node, "SELECT body FROM outbox WHERE recipient = $1"
	    " ORDER BY id DESC LIMIT 1", to);
	if (mail != NULL && (p = strstr(mail, "/registrations/guest/")) !=
	    NULL)
		key = strndup(p + 21, strcspn(p + 21, "\n"));
	free(mail);
	ck_assert_ptr_nonnull(key);
	return key;
}

static struct resp *
guest_page(struct client *c, const char *key)
{
	char page[160];

	snprintf(page, sizeof(page), "/registrations/guest/%s", key);
	return http_get(c, page);
}

static struct resp *
guest_post(struct client *c, const char *key, const char *what)
{
	char page[160], action[200];

	snprintf(page, sizeof(page), "/registrations/guest/%s", key);
	snprintf(action, sizeof(action), "%s/%s", page, what);
	return form_post(c, page, action, NULL);
}

/* A guest registers with email and follows the link; the key they used. */
static char *
guest_confirmed(const char *event, const char *name, const char *email)
{
	struct client *g = client_new(node);
	struct resp *r;
	char *key;

	r = register_as(g, event, name, email);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "no place is held"));
	resp_free(r);
	key = mailed_key(email);
	r = guest_post(g, key, "confirm");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	client_free(g);
	return key;
}

/* Every registration of the event, as a coordinator's list would read. */
static char *
registrations_of(const char *event)
{
	return text("SELECT coalesce(string_agg(concat_ws(',', id, status,"
	    " account, email, public, places), ';' ORDER BY id), '')"
	    " FROM registrations WHERE event = $1", event);
}

static void
assert_serving(struct node *n, const char *event)
{
	char path[128];

	snprintf(path, sizeof(path), "/events/%s", event);
	node_assert_serving(n, path);
}

/* Posts a form from the member's registrations page to action. */
static struct resp *
member_post(struct client *c, const char *action, const char *pub)
{
	return pub != NULL ? form_post(c, "/registrations", action, "public",
	    pub, NULL) : form_post(c, "/registrations", action, NULL);
}

/*
 * What someone gets who cancels or relists a registration not theirs:
 * not found, as for any registration that does not exist, and their own
 * list shows nothing of it.
 */
static void
assert_told_nothing(struct client *c, struct resp *r, const char *title,
    const char *ref)
{
	struct resp *page;

	/* Not found: nothing says it exists, or that it was cancelled. */
	ck_assert_int_eq(r->status, 404);
	ck_assert(!resp_has(r, title));
	ck_assert(!resp_has(r, ref));
	ck_assert(!resp_has(r, "cancelled"));
	ck_assert_ptr_nonnull(page = http_get(c, "/registrations"));
	ck_assert_int_eq(page->status, 200);
	ck_assert(!resp_has(page, title));
	ck_assert(!resp_has(page, ref));
	resp_free(page);
}

/*
 * Someone registers as a guest with the victim's address and confirms.
 * The account with that address sees none of it, cannot cancel or
 * change it by any address of it, and registers for itself without
 * being told "already registered".
 */
START_TEST(test_an_account_does_not_own_a_guest_registration_with_its_email)
{
	char *event = new_event("Identity summit", "5"), *key, *ref, *id;
	char *before, *after, action[200];
	struct reg_form tab;
	struct client *v, *g;
	struct resp *r;

	key = guest_confirmed(event, "Someone Else", VICTIM);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'confirmed' AND account IS NULL",
	    event), 1);
	ref = text("SELECT ref FROM registrations WHERE event = $1", event);
	id = text("SELECT id FROM registrations WHERE event = $1", event);
	before = registrations_of(event);

	v = member(VICTIM);
	r = http_get(v, "/registrations");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Identity summit"));
	ck_assert(resp_has(r, "You are not registered for any upcoming events"));
	ck_assert(!resp_has(r, ref));
	resp_free(r);
	snprintf(action, sizeof(action), "/events/%s", event);
	r = http_get(v, action);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "You have a place at this event."));
	resp_free(r);

	/* Cancelling or relisting it by its ref, or by its number. */
	snprintf(action, sizeof(action), "/registrations/%s/cancel", ref);
	r = member_post(v, action, NULL);
	assert_told_nothing(v, r, "Identity summit", ref);
	resp_free(r);
	snprintf(action, sizeof(action), "/registrations/%s/public", ref);
	r = member_post(v, action, "yes");
	assert_told_nothing(v, r, "Identity summit", ref);
	resp_free(r);
	snprintf(action, sizeof(action), "/registrations/%s/cancel", id);
	r = member_post(v, action, NULL);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	after = registrations_of(event);
	ck_assert_str_eq(before, after);
	free(after);
	r = guest_page(v, key);
	ck_assert(resp_has(r, "<h1 class=\"panel__title\">You have a place</h1>"));
	resp_free(r);

	/* The member registers as themselves (a second tab open too). */
	reg_form_open(v, event, &tab);
	r = register_as(v, event, NULL, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "You have a place"));
	ck_assert(!resp_has(r, "Already registered"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations r JOIN"
	    " accounts a ON a.id = r.account WHERE r.event = $1"
	    " AND a.email = 'victim@identity.example.org'"
	    " AND r.status = 'confirmed'", event), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'confirmed'", event), 2);
	/* Their own shows, once; the guest's stays the guest's. */
	r = http_get(v, "/registrations");
	ck_assert(resp_has(r, "Identity summit"));
	ck_assert(!resp_has(r, ref));
	resp_free(r);
	/* A second form of theirs is refused as theirs, not the address's. */
	r = form_send(v, &tab, NULL, NULL);
	ck_assert_int_eq(r->status, 409);
	ck_assert(resp_has(r, "You are already registered for this event"));
	resp_free(r);

	/* The other way round: the guest, later, is not told either. */
	g = client_new(node);
	r = guest_post(g, key, "cancel");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	client_free(g);
	free(key);
	key = guest_confirmed(event, "Someone Else", VICTIM);
	r = guest_page(v, key);
	ck_assert(resp_has(r, "<h1 class=\"panel__title\">You have a place</h1>"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'confirmed'", event), 2);
	assert_serving(node, event);
	client_free(v);
	free(before);
	free(key);
	free(ref);
	free(id);
	free(event);
}
END_TEST

/* A member guessing another member's registration gets nothing of it. */
START_TEST(test_a_member_cannot_see_or_cancel_another_members_registration)
{
	char *event = new_event("Two members' day", "5"), *ref, *before, *after;
	struct client *a = member("ann@identity.example.org");
	struct client *b = member("bob@identity.example.org");
	char action[200];
	struct resp *r;

	r = register_as(a, event, NULL, NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	ref = text("SELECT ref FROM registrations WHERE event = $1", event);
	before = registrations_of(event);

	r = http_get(b, "/registrations");
	ck_assert(!resp_has(r, "Two members&#39; day") &&
	    !resp_has(r, "Two members' day"));
	ck_assert(!resp_has(r, ref));
	resp_free(r);
	snprintf(action, sizeof(action), "/events/%s", event);
	r = http_get(b, action);
	ck_assert(!resp_has(r, "You have a place at this event."));
	resp_free(r);
	snprintf(action, sizeof(action), "/registrations/%s/cancel", ref);
	r = member_post(b, action, NULL);
	assert_told_nothing(b, r, "Two members", ref);
	resp_free(r);
	snprintf(action, sizeof(action), "/registrations/%s/public", ref);
	r = member_post(b, action, "yes");
	assert_told_nothing(b, r, "Two members", ref);
	resp_free(r);
	after = registrations_of(event);
	ck_assert_str_eq(before, after);
	free(after);
	/* Nor is the member's registration a guest's: no key reaches it. */
	ck_assert_int_eq(num("SELECT count(*) FROM guest_keys k JOIN"
	    " registrations r ON r.id = k.registration WHERE r.ref = $1",
	    ref), 0);

	/* Its owner still can. */
	snprintf(action, sizeof(action), "/registrations/%s/cancel", ref);
	r = member_post(a, action, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " ref = $1 AND status = 'cancelled'", ref), 1);
	assert_serving(node, event);
	client_free(a);
	client_free(b);
	free(before);
	free(ref);
	free(event);
}
END_TEST

/*
 * A guest on the waiting list is promoted: the letter saying so carries
 * a key of its own, which opens and cancels the registration, and the
 * first key still works too.  No key is kept in clear anywhere in the
 * registration tables.
 */
START_TEST(test_promotion_letter_link_works_and_no_key_is_kept_in_clear)
{
	char *event = new_event("Waiting list day", "1"), *first, *promoted;
	struct client *m = member("holder@identity.example.org");
	struct client *g = client_new(node);
	const char *keys[2];
	char action[200], *ref, *subject;
	struct resp *r;
	int i;

	r = register_as(m, event, NULL, NULL);
	ck_assert(resp_has(r, "You have a place"));
	resp_free(r);
	first = guest_confirmed(event, "Wendy Waiting",
	    "wendy@guest.example.org");
	r = guest_page(g, first);
	ck_assert(resp_has(r, "you are number 1 on the waiting list."));
	resp_free(r);

	ref = text("SELECT r.ref FROM registrations r JOIN accounts a"
	    " ON a.id = r.account WHERE r.event = $1", event);
	snprintf(action, sizeof(action), "/registrations/%s/cancel", ref);
	r = member_post(m, action, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	subject = text("SELECT subject FROM outbox WHERE recipient ="
	    " 'wendy@guest.example.org' ORDER BY id DESC LIMIT 1", NULL);
	ck_assert(strncmp(subject, "A place has come up for you", 27) == 0);
	free(subject);
	promoted = mailed_key("wendy@guest.example.org");
	ck_assert_str_ne(first, promoted);

	keys[0] = first;
	keys[1] = promoted;
	for (i = 0; i < 2; i++) {
		r = guest_page(g, keys[i]);
		ck_assert_int_eq(r->status, 200);
		ck_assert(resp_has(r, "<h1 class=\"panel__title\">You have a place</h1>"));
		resp_free(r);
		/* Only a hash of each is kept. */
		ck_assert_int_eq(num("SELECT count(*) FROM guest_keys"
		    " WHERE hash = sha256(convert_to($1, 'UTF8'))", keys[i]),
		    1);
		ck_assert_int_eq(num("SELECT count(*) FROM registrations r"
		    " WHERE strpos(r::text, $1) > 0", keys[i]), 0);
		ck_assert_int_eq(num("SELECT count(*) FROM guest_keys k"
		    " WHERE strpos(k::text, $1) > 0", keys[i]), 0);
	}
	ck_assert_int_eq(num("SELECT count(*) FROM information_schema.columns"
	    " WHERE table_name = 'registrations' AND column_name = $1",
	    "guest_key"), 0);

	r = guest_post(g, promoted, "cancel");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = guest_page(g, first);
	ck_assert(resp_has(r, "Your registration is cancelled"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT taken FROM place_types WHERE event = $1",
	    event), 0);
	assert_serving(node, event);
	client_free(m);
	client_free(g);
	free(first);
	free(promoted);
	free(ref);
	free(event);
}
END_TEST

/*
 * A node made before keys were hashed: its guests' links, mailed then,
 * still open and confirm their registrations after the migration, and
 * the keys are gone from the table.
 */
#define OLD_KEY_PLACE	"OldLinkMailedBeforeKeysWereHashed0000000001"
#define OLD_KEY_FORM	"OldLinkMailedBeforeKeysWereHashed0000000002"
#define IDENTITY_SCHEMA	16

/* A data directory holding the migrations before version upto. */
static char *
datadir_before(const char *full, int upto)
{
	char *dir, path[1200], from[1200], *end;
	struct dirent *de;
	DIR *d;
	long version;

	ck_assert_int_ge(asprintf(&dir, "%s/old_datadir_%d",
	    getenv("ACORN_TEST_VAR"), (int)getpid()), 0);
	snprintf(path, sizeof(path), "%s/schema", dir);
	ck_assert_int_eq(harness_rmtree(dir), 0);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(from, sizeof(from), "%s/schema", full);
	ck_assert_ptr_nonnull(d = opendir(from));
	while ((de = readdir(d)) != NULL) {
		/* Migrations are named by their number: "016_identity.sql". */
		version = strtol(de->d_name, &end, 10);
		if (end == de->d_name || *end != '_' || version >= upto)
			continue;
		snprintf(from, sizeof(from), "%s/schema/%s", full, de->d_name);
		snprintf(path, sizeof(path), "%s/schema/%s", dir, de->d_name);
		ck_assert_int_eq(symlink(from, path), 0);
	}
	closedir(d);
	return dir;
}

START_TEST(test_links_mailed_before_the_migration_still_work)
{
	char *full = strdup(getenv("ACORN_DATADIR")), *old, *event, *place;
	struct node *n;
	struct client *g;
	struct resp *r;
	FILE *f;

	old = datadir_before(full, IDENTITY_SCHEMA);
	setenv("ACORN_DATADIR", old, 1);
	n = node_new("Node from before", NULL);
	setenv("ACORN_DATADIR", full, 1);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM information_schema"
	    ".columns WHERE table_name = 'registrations' AND column_name = $1",
	    "guest_key"), 1);
	/* An event with a guest holding a place, and one yet to confirm. */
	event = node_text(n, "INSERT INTO events (id, origin, title, kind,"
	    " starts, ends, venue, region, status) SELECT gen_random_uuid(),"
	    " id, 'Old links day', 'conference', now() + interval '30 days',"
	    " now() + interval '30 days 2 hours', 'Leeds', 'North West',"
	    " 'published' FROM node RETURNING id", NULL);
	place = node_text(n, "INSERT INTO place_types (event, name, capacity,"
	    " taken) VALUES ($1, 'In person', 5, 1) RETURNING id", event);
	free(node_text(n, "INSERT INTO registrations (ref, event, place_type,"
	    " name, email, status, arrival, guest_key) SELECT"
	    " gen_random_uuid(), event, id, 'Olive Old',"
	    " 'olive@guest.example.org', 'confirmed',"
	    " nextval('registration_arrival'), '" OLD_KEY_PLACE "'"
	    " FROM place_types WHERE id = $1 RETURNING 1", place));
	free(node_text(n, "INSERT INTO registrations (ref, event, place_type,"
	    " name, email, status, guest_key, confirm_by) SELECT"
	    " gen_random_uuid(), event, id, 'Fred Form',"
	    " 'fred@guest.example.org', 'unconfirmed', '" OLD_KEY_FORM "',"
	    " now() + interval '1 day' FROM place_types WHERE id = $1"
	    " RETURNING 1", place));

	/* The new program migrates it. */
	ck_assert_ptr_nonnull(f = fopen(n->conf, "a"));
	fprintf(f, "datadir = %s\n", full);
	fclose(f);
	ck_assert_int_eq(node_run(n, "migrate", NULL), 0);
	ck_assert_int_eq(node_num(n, "SELECT max(version) FROM schema_version",
	    NULL) >= IDENTITY_SCHEMA, 1);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM information_schema"
	    ".columns WHERE table_name = 'registrations' AND column_name = $1",
	    "guest_key"), 0);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM guest_keys k,"
	    " registrations r WHERE strpos(k::text || r::text, $1) > 0",
	    OLD_KEY_PLACE), 0);
	ck_assert_int_eq(node_serve(n), 0);

	g = client_new(n);
	r = http_get(g, "/registrations/guest/" OLD_KEY_PLACE);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Olive Old"));
	ck_assert(resp_has(r, "<h1 class=\"panel__title\">You have a place</h1>"));
	resp_free(r);
	r = form_post(g, "/registrations/guest/" OLD_KEY_FORM,
	    "/registrations/guest/" OLD_KEY_FORM "/confirm", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = http_get(g, "/registrations/guest/" OLD_KEY_FORM);
	ck_assert(resp_has(r, "Fred Form"));
	ck_assert(resp_has(r, "<h1 class=\"panel__title\">You have a place</h1>"));
	resp_free(r);
	ck_assert_int_eq(node_num(n, "SELECT taken FROM place_types"
	    " WHERE id = $1", place), 2);
	assert_serving(n, event);
	client_free(g);
	node_free(n);
	free(event);
	free(place);
	ck_assert_int_eq(harness_rmtree(old), 0);
	free(old);
	free(full);
}
END_TEST

/*
 * Other nodes' members are known by (home node, member id).  Two members
 * with one address at two home nodes, and two at one home node, all
 * register; the same member twice is refused whatever address the
 * second request carries; and this node's own member with that address
 * is not in the way either.
 */
#define INBOX		"/federation/inbox"
#define ENTRY_TYPE	"application/atom+xml;type=entry"
#define MEMBER_ONE	"urn:uuid:11111111-2222-4333-8444-555555555555"
#define MEMBER_TWO	"urn:uuid:66666666-7777-4888-9999-aaaaaaaaaaaa"

/* Posts a request from peer p for member; what the host answered. */
static struct resp *
remote_request(struct fakepeer *p, const char *event, const char *place,
    const char *member_urn, const char *email)
{
	struct fake_request q = { 0 };
	struct client *c = client_new(node);
	char *id = fake_uuid(), *body;
	struct resp *r;

	q.id = id;
	q.event = event;
	q.place = place;
	q.member = member_urn;
	q.email = email;
	body = fake_request(p, &q);
	r = http_post_bytes(c, INBOX, body, strlen(body), ENTRY_TYPE);
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(r->status == 200, "the host answered %ld: %s",
	    r->status, r->body);
	free(body);
	free(id);
	client_free(c);
	return r;
}

/* The outcome's what, from the host's signed answer. */
static void
assert_what(struct resp *r, const char *what)
{
	char want[64];

	snprintf(want, sizeof(want), "<acorn:what>%s</acorn:what>", what);
	ck_assert_msg(resp_has(r, want), "wanted %s, the host answered: %s",
	    what, r->body);
	resp_free(r);
}

START_TEST(test_remote_members_are_known_by_home_node_and_member_id)
{
	char *event = new_event("Network conference", "10"), *place;
	struct fakepeer *nw = fakepeer_new("North West node");
	struct fakepeer *sw = fakepeer_new("South West node");
	struct client *local;
	struct resp *r;

	ck_assert_int_eq(fakepeer_pin(node, nw, 0), 0);
	ck_assert_int_eq(fakepeer_pin(node, sw, 0), 0);
	place = text("SELECT id FROM place_types WHERE event = $1", event);

	assert_what(remote_request(nw, event, place, MEMBER_ONE, SAME_EMAIL),
	    "confirmed");
	/* The same member id and address, from another home node. */
	assert_what(remote_request(sw, event, place, MEMBER_ONE, SAME_EMAIL),
	    "confirmed");
	/* Another member of the first home node, with the same address. */
	assert_what(remote_request(nw, event, place, MEMBER_TWO, SAME_EMAIL),
	    "confirmed");
	/* The first member again, under another address: still them. */
	assert_what(remote_request(nw, event, place, MEMBER_ONE,
	    "another.address@peer.example.org"), "already_registered");
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'confirmed' AND home IS NOT NULL",
	    event), 3);
	ck_assert_int_eq(num("SELECT count(DISTINCT (home, home_member))"
	    " FROM registrations WHERE event = $1", event), 3);

	/* This node's member with that address registers too. */
	local = member(SAME_EMAIL);
	r = register_as(local, event, NULL, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "You have a place"));
	resp_free(r);
	/* And sees only their own. */
	r = http_get(local, "/registrations");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Network conference"));
	ck_assert(resp_has(r, "Cancel my place</span><span"
	    " class=\"visually-hidden\"> at Network conference</span>"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'confirmed'", event), 4);
	ck_assert_int_eq(num("SELECT taken FROM place_types WHERE id = $1",
	    place), 4);
	assert_serving(node, event);
	client_free(local);
	fakepeer_free(nw);
	fakepeer_free(sw);
	free(place);
	free(event);
}
END_TEST

Suite *
identity_registrations_suite(void)
{
	Suite *s = suite_create("identity_registrations");
	TCase *tc = tcase_create("identity_registrations");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc,
	    test_an_account_does_not_own_a_guest_registration_with_its_email);
	tcase_add_test(tc,
	    test_a_member_cannot_see_or_cancel_another_members_registration);
	tcase_add_test(tc,
	    test_promotion_letter_link_works_and_no_key_is_kept_in_clear);
	tcase_add_test(tc, test_links_mailed_before_the_migration_still_work);
	tcase_add_test(tc,
	    test_remote_members_are_known_by_home_node_and_member_id);
	suite_add_tcase(s, tc);
	return s;
}
