/*
 * A member's own data, the privacy notice and retention, against a real
 * node.  "Download my data" gives a ZIP that Python's zipfile (an
 * independent reader) opens and checks, holding the member's profile,
 * account, registrations here and away, answers, revisions, sessions,
 * failed sign-ins and audit entries, and nothing of another member with
 * data just like theirs; it needs sign-in and the form's token.  The
 * privacy notice quotes the configured periods; the retention worker
 * removes what is past them, keeps what is not, and passes over a rule
 * another process is applying.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "core.h"
#include "harness.h"

Suite	*mydata_suite(void);

static struct node *node;
static char *coord_pw, *alice_pw, *bob_pw, *carol_pw;

#define COORD	"mydata.coord@example.org"
#define ALICE	"alice.archer@example.org"
#define BOB	"bob.baker@example.org"
#define CAROL	"carol.cole@example.org"

/*
 * Periods unlike the defaults, so the notice can only show them by
 * reading the configuration; the worker sweeps every second.
 */
static void
start(void)
{
	node = node_new("Data node", "retention_interval = 1\n"
	    "retain_mail_days = 45\nretain_guest_forms_days = 3\n"
	    "retain_signin_failures_days = 2\nretain_audit_months = 18\n"
	    "retain_throttle_days = 4\nretain_directory_months = 9\n"
	    "shortlist_days = 20\n"
	    "session_idle = 3600\nsession_max = 172800");
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	alice_pw = node_user_add(node, ALICE, "member");
	bob_pw = node_user_add(node, BOB, "member");
	carol_pw = node_user_add(node, CAROL, "member");
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_ptr_nonnull(alice_pw);
	ck_assert_ptr_nonnull(bob_pw);
	ck_assert_ptr_nonnull(carol_pw);
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop(void)
{
	node_free(node);
	free(coord_pw);
	free(alice_pw);
	free(bob_pw);
	free(carol_pw);
	node = NULL;
}

static long
num(const char *sql, const char *param)
{
	return node_num(node, sql, param);
}

/* Runs a statement with up to three parameters; it must succeed. */
static void
run(const char *sql, const char *a, const char *b, const char *c)
{
	const char *p[3] = { a, b, c };
	char *v;
	int n = c != NULL ? 3 : b != NULL ? 2 : a != NULL ? 1 : 0;

	v = node_sqlv(node, sql, n, p);
	ck_assert_msg(v != NULL, "%s", sql);
	free(v);
}

static char *
member_of(const char *email)
{
	return node_text(node, "SELECT member FROM accounts WHERE email = $1",
	    email);
}

/* A whole file, NUL-terminated; NULL when it cannot be read. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
spill(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/*
 * Python's zipfile checks every file's CRC, takes each name as a plain
 * file at the top, parses each JSON and CSV file, and unpacks them.
 */
static const char unpack_py[] =
    "import csv, io, json, sys, zipfile\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "assert z.testzip() is None\n"
    "for i in z.infolist():\n"
    "    n = i.filename\n"
    "    assert '/' not in n and '\\\\' not in n and not n.startswith('.')\n"
    "    data = z.read(n)\n"
    "    if n.endswith('.json'):\n"
    "        json.loads(data.decode('utf-8'))\n"
    "    if n.endswith('.csv'):\n"
    "        assert data.startswith(b'\\xef\\xbb\\xbf')\n"
    "        list(csv.reader(io.StringIO(data.decode('utf-8-sig'),"
    " newline='')))\n"
    "z.extractall(sys.argv[2])\n"
    "print('\\n'.join(z.namelist()))\n";

/*
 * The archive unpacked into dir by Python; the list of its files.  The
 * archive and the script are removed again; the caller removes dir.
 */
static char *
unpack(const struct resp *r, const char *tag, char *dir, size_t size)
{
	char zip[512], script[512], *list;
	char *argv[] = { "python3", script, zip, dir, NULL };

	snprintf(zip, sizeof(zip), "%s/mydata-%d-%s.zip",
	    getenv("ACORN_TEST_VAR"), (int)getpid(), tag);
	snprintf(script, sizeof(script), "%s/mydata-%d-unpack.py",
	    getenv("ACORN_TEST_VAR"), (int)getpid());
	snprintf(dir, size, "%s/mydata-%d-%s", getenv("ACORN_TEST_VAR"),
	    (int)getpid(), tag);
	spill(zip, r->body, r->len);
	spill(script, unpack_py, strlen(unpack_py));
	ck_assert_int_eq(harness_rmtree(dir), 0);
	list = harness_run(argv);
	unlink(zip);
	unlink(script);
	ck_assert_msg(list != NULL, "python3's zipfile refused the archive");
	return list;
}

/* A file of the unpacked archive; it must be there. */
static char *
member_file(const char *dir, const char *name)
{
	char path[700], *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = slurp(path);
	ck_assert_msg(text != NULL, "%s is not in the archive", name);
	return text;
}

static void
assert_has(const char *text, const char *what, const char *file)
{
	ck_assert_msg(strstr(text, what) != NULL, "%s lacks %s", file, what);
}

static void
assert_lacks(const char *text, const char *what, const char *file)
{
	ck_assert_msg(strstr(text, what) == NULL, "%s holds %s", file, what);
}

/* Registers c for event id with an answer to question q. */
static void
register_with_answer(struct client *c, const char *id, const char *q,
    const char *answer)
{
	char path[128], action[160], field[64];
	char *csrf, *request, *place;
	struct resp *r;

	snprintf(path, sizeof(path), "/events/%s", id);
	snprintf(action, sizeof(action), "/events/%s/register", id);
	snprintf(field, sizeof(field), "answer_%s", q);
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	csrf = form_field(r->body, "csrf");
	request = form_field(r->body, "request");
	place = form_field(r->body, "place");
	ck_assert_ptr_nonnull(place);
	resp_free(r);
	r = http_post(c, action, "csrf", csrf, "request", request, "place",
	    place, "places", "1", field, answer, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "You have a place"));
	resp_free(r);
	free(csrf);
	free(request);
	free(place);
}

/* What a member does: a document, a glossary term, a failed sign-in. */
static void
write_things(struct client *c, const char *email, const char *slug,
    const char *title, const char *term)
{
	struct client *stranger = client_new(node);
	struct resp *r;

	r = form_post(c, "/library/new", "/library/new", "title", title,
	    "slug", slug, "category", "guide", "tags", "referrals", "body",
	    "How we refer people.\n", "summary", "First draft", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = form_post(c, "/glossary/new", "/glossary/new", "term", term,
	    "definition", "Someone who helps people find local support.",
	    "synonyms", "", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert(!sign_in(stranger, email, "not the password at all"));
	client_free(stranger);
}

/*
 * An event of another node that the member registered for from here,
 * with an answer, as the courier leaves the row once the host said yes.
 */
static void
away_registration(const char *event, const char *email, const char *answer)
{
	run("WITH w AS (INSERT INTO away_registrations (id, event, host,"
	    " account, name, email, place_ref, place_name, places, answers,"
	    " status) SELECT gen_random_uuid(), $1::uuid, e.origin, a.id,"
	    " m.name, a.email, 7, 'In person', 1,"
	    " jsonb_build_array(jsonb_build_object('question', 9, 'label',"
	    " 'Dietary needs', 'value', $3::text)), 'confirmed'"
	    " FROM accounts a JOIN members m ON m.id = a.member, events e"
	    " WHERE a.email = $2 AND e.id = $1::uuid RETURNING 1)"
	    " SELECT count(*) FROM w", event, email, answer);
}

/*
 * What a member leaves in the directory: an organisation they manage, a
 * listing with a version they saved, a report, a suggestion, a referral
 * outcome and a shortlist with a note, each named after tag.
 */
static void
directory_things(const char *email, const char *tag)
{
	run("WITH o AS (INSERT INTO organisations (id, origin, name,"
	    " description) SELECT gen_random_uuid(), id, $2 || ' Trust', ''"
	    " FROM node RETURNING id),"
	    " s AS (INSERT INTO services (id, origin, organisation, name,"
	    " description, status) SELECT gen_random_uuid(), n.id, o.id,"
	    " $2 || ' befriending', '', 'active' FROM node n, o RETURNING id),"
	    " a AS (SELECT id FROM accounts WHERE email = $1),"
	    " m AS (INSERT INTO organisation_managers (organisation, account)"
	    " SELECT o.id, a.id FROM o, a),"
	    " v AS (INSERT INTO service_revisions (service, revision, account,"
	    " summary, content) SELECT s.id, 1, a.id, $2 || ' saved it',"
	    " '{}' FROM s, a),"
	    " p AS (INSERT INTO service_reports (service, topic, details,"
	    " account) SELECT s.id, 'phone', $2 || ' found the phone dead',"
	    " a.id FROM s, a),"
	    " g AS (INSERT INTO service_suggestions (service, account, base,"
	    " content, summary) SELECT s.id, a.id, 1, '{}', $2 || ' suggests'"
	    " FROM s, a),"
	    " f AS (INSERT INTO service_referrals (service, account, outcome)"
	    " SELECT s.id, a.id, 'declined' FROM s, a),"
	    " l AS (INSERT INTO shortlists (account) SELECT id FROM a"
	    " RETURNING id),"
	    " i AS (INSERT INTO shortlist_items (shortlist, service, position,"
	    " note) SELECT l.id, s.id, 1, $2 || ' note' FROM l, s)"
	    " SELECT 1", email, tag, NULL);
}

START_TEST(test_download_holds_my_data_and_nobody_elses)
{
	struct client *co = client_as(node, COORD, coord_pw);
	struct client *alice, *bob;
	struct resp *r;
	char *event, *q, *away, *alice_id, *bob_id, *list, *text, *day;
	char dir[600], want[128], qpage[160];
	static const char *const files[] = { "README.txt", "profile.json",
	    "account.json", "registrations.csv", "away_registrations.csv",
	    "answers.csv", "feedback.csv", "library_revisions.csv",
	    "evidence_revisions.json",
	    "evidence_files.csv", "glossary_terms.csv", "sessions.csv",
	    "failed_signins.csv", "audit.csv", "directory_organisations.csv",
	    "directory_versions.json", "directory_reports.csv",
	    "directory_suggestions.json", "directory_referrals.csv",
	    "shortlists.json", NULL };
	/* Everything that would say Bob was here. */
	const char *bob_marks[8];
	int i, k;

	alice_id = member_of(ALICE);
	bob_id = member_of(BOB);
	run("WITH u AS (UPDATE members SET name = $2, bio = $3 WHERE id ="
	    " (SELECT member FROM accounts WHERE email = $1) RETURNING 1)"
	    " SELECT count(*) FROM u", ALICE, "Alice Archer",
	    "Link worker in \"Bolton\"\nsince 2019");
	run("WITH u AS (UPDATE members SET name = $2, bio = $3 WHERE id ="
	    " (SELECT member FROM accounts WHERE email = $1) RETURNING 1)"
	    " SELECT count(*) FROM u", BOB, "Bob Baker",
	    "Link worker in Wigan");
	alice = client_new(node);
	client_agent(alice, "AliceBrowser/1.0 (data test)");
	ck_assert(sign_in(alice, ALICE, alice_pw));
	bob = client_as(node, BOB, bob_pw);

	/* One event here, with a question both answer. */
	event = event_new_published(co, "Data day", "10");
	ck_assert_ptr_nonnull(event);
	snprintf(qpage, sizeof(qpage), "/events/%s/questions", event);
	r = form_post(co, qpage, qpage, "qkind", "text", "label",
	    "Anything we should know?", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	q = node_text(node, "SELECT id FROM questions WHERE event = $1",
	    event);
	register_with_answer(alice, event, q, "Alice: no nuts, please");
	register_with_answer(bob, event, q, "Bob: vegan, please");
	/* Both answered the event's feedback form, which named people. */
	run("WITH f AS (INSERT INTO feedback_forms (event, named, sent)"
	    " VALUES ($1, true, now()) RETURNING event),"
	    " q AS (INSERT INTO feedback_questions (event, kind, label)"
	    " SELECT event, 'text', 'What did you think?' FROM f RETURNING"
	    " id, event),"
	    " s AS (INSERT INTO feedback_responses (event, registration)"
	    " SELECT r.event, r.id FROM registrations r, q WHERE r.event ="
	    " q.event RETURNING id, registration),"
	    " a AS (INSERT INTO feedback_answers (response, question, value)"
	    " SELECT s.id, q.id, split_part(r.name, ' ', 1) || ': '"
	    " || $2 FROM s JOIN registrations r ON r.id = s.registration, q"
	    " RETURNING 1) SELECT count(*) FROM a", event,
	    "worth the journey", NULL);

	/* One event of another node, both registered from here. */
	away = node_text(node, "INSERT INTO events (id, origin, title, kind,"
	    " starts, ends, region, status) VALUES (gen_random_uuid(),"
	    " gen_random_uuid(), $1, 'conference', '2031-05-01 09:00+00',"
	    " '2031-05-01 17:00+00', 'National', 'published') RETURNING id",
	    "Hub conference");
	away_registration(away, ALICE, "Alice away: gluten free");
	away_registration(away, BOB, "Bob away: halal");

	write_things(alice, ALICE, "alice-guide", "Alice's referral guide",
	    "Alice term");
	write_things(bob, BOB, "bob-guide", "Bob's referral guide", "Bob term");
	directory_things(ALICE, "Alpha");
	directory_things(BOB, "Bob");

	/* Audit entries: one about Alice, one by her about Bob. */
	run("WITH l AS (INSERT INTO audit_log (actor, action, subject)"
	    " SELECT a.id, 'approve', $2 FROM accounts a WHERE a.email = $1"
	    " RETURNING 1) SELECT count(*) FROM l", COORD, alice_id, NULL);
	run("WITH l AS (INSERT INTO audit_log (actor, action, subject)"
	    " SELECT a.id, 'promote', $2 FROM accounts a WHERE a.email = $1"
	    " RETURNING 1) SELECT count(*) FROM l", ALICE, bob_id, NULL);

	/* The page says what the archive holds. */
	r = http_get(alice, "/profile/data");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Download my data"));
	ck_assert(resp_has(r, "registrations.csv"));
	ck_assert(resp_has(r, "action=\"/profile/data\""));
	resp_free(r);
	r = http_get(alice, "/profile");
	ck_assert(resp_has(r, "href=\"/profile/data\""));
	resp_free(r);

	r = form_post(alice, "/profile/data", "/profile/data", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "Content-Type: application/zip"));
	day = node_text(node, "SELECT to_char(now() AT TIME ZONE"
	    " 'Europe/London', 'YYYY-MM-DD')", NULL);
	snprintf(want, sizeof(want), "Content-Disposition: attachment;"
	    " filename=\"acorn-my-data-%s.zip\"", day);
	ck_assert_msg(header_has(r, want), "%s", r->headers);
	ck_assert(header_has(r, "Cache-Control: no-store"));
	ck_assert_uint_ge(r->len, 4);
	ck_assert_int_eq(memcmp(r->body, "PK\3\4", 4), 0);
	list = unpack(r, "alice", dir, sizeof(dir));
	resp_free(r);
	ck_assert_ptr_nonnull(list);
	for (i = 0; files[i] != NULL; i++)
		ck_assert_msg(strstr(list, files[i]) != NULL, "%s missing",
		    files[i]);

	text = member_file(dir, "profile.json");
	assert_has(text, "\"name\": \"Alice Archer\"", "profile.json");
	assert_has(text, "\"about_you\": \"Link worker in \\\"Bolton\\\"\\n"
	    "since 2019\"", "profile.json");
	assert_has(text, alice_id, "profile.json");
	assert_has(text, "\"listed_in_directory\": false", "profile.json");
	free(text);
	text = member_file(dir, "account.json");
	assert_has(text, "\"email\": \"" ALICE "\"", "account.json");
	assert_has(text, "\"role\": \"member\"", "account.json");
	assert_has(text, "\"status\": \"active\"", "account.json");
	assert_has(text, "\"joined\": \"20", "account.json");
	assert_has(text, "\"confirmed\": \"20", "account.json");
	free(text);
	text = member_file(dir, "registrations.csv");
	assert_has(text, "Data day", "registrations.csv");
	assert_has(text, ALICE, "registrations.csv");
	assert_has(text, "confirmed", "registrations.csv");
	free(text);
	text = member_file(dir, "away_registrations.csv");
	assert_has(text, "Hub conference", "away_registrations.csv");
	assert_has(text, "Alice Archer", "away_registrations.csv");
	free(text);
	text = member_file(dir, "answers.csv");
	assert_has(text, "Anything we should know?", "answers.csv");
	assert_has(text, "Alice: no nuts, please", "answers.csv");
	assert_has(text, "Alice away: gluten free", "answers.csv");
	free(text);
	text = member_file(dir, "feedback.csv");
	assert_has(text, "Alice: worth the journey", "feedback.csv");
	assert_lacks(text, "Bob: worth the journey", "feedback.csv");
	free(text);
	text = member_file(dir, "library_revisions.csv");
	assert_has(text, "alice-guide", "library_revisions.csv");
	assert_has(text, "How we refer people.", "library_revisions.csv");
	free(text);
	text = member_file(dir, "glossary_terms.csv");
	assert_has(text, "Alice term", "glossary_terms.csv");
	free(text);
	text = member_file(dir, "sessions.csv");
	assert_has(text, "signed_in,last_seen,user_agent,address\r\n20",
	    "sessions.csv");
	assert_has(text, ",AliceBrowser/1.0 (data test),127.0.0.1\r\n",
	    "sessions.csv");
	free(text);
	text = member_file(dir, "failed_signins.csv");
	assert_has(text, "at\r\n20", "failed_signins.csv");
	free(text);
	text = member_file(dir, "audit.csv");
	assert_has(text, "approve,a coordinator or another member,you",
	    "audit.csv");
	assert_has(text, "promote,you,not shown", "audit.csv");
	free(text);
	text = member_file(dir, "README.txt");
	assert_has(text, "/privacy", "README.txt");
	free(text);
	text = member_file(dir, "directory_organisations.csv");
	assert_has(text, "Alpha Trust", "directory_organisations.csv");
	free(text);
	text = member_file(dir, "directory_versions.json");
	assert_has(text, "\"summary\": \"Alpha saved it\"",
	    "directory_versions.json");
	free(text);
	text = member_file(dir, "directory_reports.csv");
	assert_has(text, "Alpha befriending", "directory_reports.csv");
	assert_has(text, "phone,Alpha found the phone dead",
	    "directory_reports.csv");
	free(text);
	text = member_file(dir, "directory_suggestions.json");
	assert_has(text, "\"summary\": \"Alpha suggests\"",
	    "directory_suggestions.json");
	free(text);
	text = member_file(dir, "directory_referrals.csv");
	assert_has(text, ",declined,20", "directory_referrals.csv");
	free(text);
	text = member_file(dir, "shortlists.json");
	assert_has(text, "\"note\": \"Alpha note\"", "shortlists.json");
	free(text);

	/* Not a trace of Bob, though his data is just like Alice's. */
	bob_marks[0] = "Bob";
	bob_marks[1] = BOB;
	bob_marks[2] = bob_id;
	bob_marks[3] = "vegan";
	bob_marks[4] = "halal";
	bob_marks[5] = "bob-guide";
	bob_marks[6] = "Wigan";
	bob_marks[7] = NULL;
	for (i = 0; files[i] != NULL; i++) {
		text = member_file(dir, files[i]);
		for (k = 0; bob_marks[k] != NULL; k++)
			assert_lacks(text, bob_marks[k], files[i]);
		free(text);
	}
	/* The download is in the audit log. */
	ck_assert_int_eq(num("SELECT count(*) FROM audit_log l JOIN accounts a"
	    " ON a.id = l.actor WHERE l.action = 'data_download'"
	    " AND a.email = $1", ALICE), 1);

	/* Bob's archive is his, and holds nothing of Alice's. */
	r = form_post(bob, "/profile/data", "/profile/data", NULL);
	ck_assert_int_eq(r->status, 200);
	free(list);
	ck_assert_int_eq(harness_rmtree(dir), 0);
	list = unpack(r, "bob", dir, sizeof(dir));
	resp_free(r);
	text = member_file(dir, "answers.csv");
	assert_has(text, "Bob: vegan, please", "answers.csv");
	assert_lacks(text, "Alice", "answers.csv");
	free(text);
	text = member_file(dir, "library_revisions.csv");
	assert_lacks(text, "alice-guide", "library_revisions.csv");
	free(text);
	ck_assert_int_eq(harness_rmtree(dir), 0);

	free(list);
	free(day);
	free(away);
	free(q);
	free(event);
	free(alice_id);
	free(bob_id);
	client_free(alice);
	client_free(bob);
	client_free(co);
}
END_TEST

START_TEST(test_download_needs_sign_in_and_the_forms_token)
{
	struct client *anon = client_new(node);
	struct client *carol = client_as(node, CAROL, carol_pw);
	struct resp *r;
	long before = num("SELECT count(*) FROM audit_log WHERE"
	    " action = 'data_download'", NULL);

	/* Not signed in: sent to sign in, or refused; never a file. */
	r = http_get(anon, "/profile/data");
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(r->location);
	ck_assert_ptr_nonnull(strstr(r->location, "/signin"));
	resp_free(r);
	/* Who may use it is settled before the body, token and all. */
	r = http_post(anon, "/profile/data", "csrf", "x", NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(r->location);
	ck_assert_ptr_nonnull(strstr(r->location, "/signin"));
	ck_assert(!header_has(r, "application/zip"));
	resp_free(r);

	/* Signed in, without the form's token, or with a made-up one. */
	r = http_post(carol, "/profile/data", NULL);
	ck_assert_int_eq(r->status, 403);
	ck_assert(!header_has(r, "application/zip"));
	ck_assert(r->len < 4 || memcmp(r->body, "PK", 2) != 0);
	resp_free(r);
	r = http_post(carol, "/profile/data", "csrf",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
	ck_assert_int_eq(r->status, 403);
	ck_assert(!header_has(r, "application/zip"));
	resp_free(r);
	/* A GET never sends the file. */
	r = http_get(carol, "/profile/data");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!header_has(r, "application/zip"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM audit_log WHERE"
	    " action = 'data_download'", NULL), before);

	/* The node still serves, and the real form still works. */
	r = form_post(carol, "/profile/data", "/profile/data", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "application/zip"));
	resp_free(r);
	client_free(anon);
	client_free(carol);
}
END_TEST

/*
 * The audit log names people by their member id; an account's number
 * is also the number of other rows (a file, a peer), so an entry about
 * record 7 is not about account 7.  Someone else's entry whose subject
 * happens to be this account's number is not in its archive.
 */
START_TEST(test_download_leaves_out_entries_about_a_record_with_my_number)
{
	const char *email = "dora.dunn@example.org";
	char *pw, *list, *text, *id, *coord, dir[600];
	struct client *c;
	struct resp *r;

	pw = node_user_add(node, email, "member");
	ck_assert_ptr_nonnull(pw);
	id = node_text(node, "SELECT id FROM accounts WHERE email = $1", email);
	coord = node_text(node, "SELECT id FROM accounts WHERE email = $1",
	    COORD);
	run("WITH i AS (INSERT INTO audit_log (actor, action, subject)"
	    " VALUES ($1, 'evaluation_file_remove', $2) RETURNING 1)"
	    " SELECT count(*) FROM i", coord, id, NULL);
	c = client_as(node, email, pw);
	r = form_post(c, "/profile/data", "/profile/data", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "application/zip"));
	list = unpack(r, "dora", dir, sizeof(dir));
	resp_free(r);
	text = member_file(dir, "audit.csv");
	assert_lacks(text, "evaluation_file_remove", "audit.csv");
	assert_lacks(text, "a coordinator or another member", "audit.csv");
	free(text);
	/* The row is still in the log: it is only not hers. */
	ck_assert_int_eq(num("SELECT count(*) FROM audit_log WHERE"
	    " action = 'evaluation_file_remove' AND subject = $1", id), 1);
	free(list);
	free(id);
	free(coord);
	free(pw);
	client_free(c);
}
END_TEST

/*
 * Each archive is built whole in memory: one member asking again and
 * again is made to wait, with a page that says how long, and nobody
 * else is slowed.
 */
START_TEST(test_downloads_again_and_again_are_made_to_wait)
{
	const char *email = "eric.eddy@example.org";
	struct client *c, *other;
	struct resp *r;
	char *pw;
	int i;

	pw = node_user_add(node, email, "member");
	ck_assert_ptr_nonnull(pw);
	c = client_as(node, email, pw);
	for (i = 0; i < 5; i++) {
		r = form_post(c, "/profile/data", "/profile/data", NULL);
		ck_assert_int_eq(r->status, 200);
		ck_assert(header_has(r, "application/zip"));
		resp_free(r);
	}
	r = form_post(c, "/profile/data", "/profile/data", NULL);
	ck_assert_int_eq(r->status, 429);
	ck_assert(!header_has(r, "application/zip"));
	ck_assert(resp_has(r, "Too many downloads"));
	ck_assert(resp_has(r, "seconds, then try again"));
	ck_assert_int_gt(retry_after(r), 0);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM audit_log l JOIN accounts a"
	    " ON a.id = l.actor WHERE l.action = 'data_download'"
	    " AND a.email = $1", email), 5);
	/* Another member, from the same address, downloads at once. */
	other = client_as(node, CAROL, carol_pw);
	r = form_post(other, "/profile/data", "/profile/data", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "application/zip"));
	resp_free(r);
	r = http_get(c, "/profile");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	free(pw);
	client_free(c);
	client_free(other);
}
END_TEST

START_TEST(test_privacy_notice_quotes_the_configured_periods)
{
	struct client *anon = client_new(node);
	struct resp *r;

	r = http_get(anon, "/privacy");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<h1>Privacy notice</h1>"));
	ck_assert(resp_has(r, "45 days after it was sent or given up on"));
	ck_assert(resp_has(r, "3 days after its confirmation link lapsed"));
	ck_assert(resp_has(r, "1 hour after it was last used, or 2 days"
	    " after signing in"));
	ck_assert(resp_has(r, "for <span>2 days</span>"));
	ck_assert(resp_has(r, "after <span>18 months</span>"));
	ck_assert(resp_has(r, "<span>4 days after the last attempt</span>"));
	ck_assert(resp_has(r, "<span>9 months after it was settled</span>"));
	ck_assert(resp_has(r, "<span>9 months after it was accepted or"
	    " rejected</span>"));
	ck_assert(resp_has(r, "<span>4 days after it was recorded</span>"));
	ck_assert(resp_has(r, "<span>20 days after it was shared"));
	/* Nothing of the defaults is left in it. */
	ck_assert(!resp_has(r, "30 days"));
	ck_assert(!resp_has(r, "24 months"));
	ck_assert(!resp_has(r, "1 day after the last attempt"));
	resp_free(r);

	/* Linked from every page's footer and from joining. */
	r = http_get(anon, "/");
	ck_assert(resp_has(r, "href=\"/privacy\""));
	resp_free(r);
	r = http_get(anon, "/join");
	ck_assert(resp_has(r, "href=\"/privacy\""));
	resp_free(r);
	client_free(anon);
}
END_TEST

/* 1 when the worker has made the query true within 15 seconds. */
static int
eventually(const char *sql, const char *param)
{
	return node_wait(node, sql, param, 15000);
}

/* The hash of the account's newest session. */
#define NEWEST_SESSION	"SELECT encode(s.token_hash, 'hex') FROM sessions s" \
	" JOIN accounts a ON a.id = s.account WHERE a.email = $1" \
	" ORDER BY s.created DESC LIMIT 1"

START_TEST(test_retention_removes_old_rows_and_keeps_fresh_ones)
{
	struct client *co = client_as(node, COORD, coord_pw);
	struct client *old, *fresh, *guest;
	struct resp *r;
	char *event, path[128], action[160], *csrf, *request, *place;
	char *idle, *busy;
	int i;

	/* Mail: sent 46 and 44 days ago, given up 46 days ago, unsent. */
	run("WITH m AS (INSERT INTO outbox (recipient, subject, body, created,"
	    " sent, failed) VALUES"
	    " ('old@example.org', 'Old sent', 'x', now() - interval '50 days',"
	    "  now() - interval '46 days', NULL),"
	    " ('old@example.org', 'Old failed', 'x', now() - interval '50 days',"
	    "  NULL, now() - interval '46 days'),"
	    " ('new@example.org', 'Recent sent', 'x', now() - interval '50 days',"
	    "  now() - interval '44 days', NULL),"
	    " ('new@example.org', 'Still trying', 'x',"
	    "  now() - interval '90 days', NULL, NULL) RETURNING 1)"
	    " SELECT count(*) FROM m", NULL, NULL, NULL);

	/* Two guests' forms, never confirmed: one lapsed 4 days ago. */
	event = event_new_published(co, "Retention day", "10");
	ck_assert_ptr_nonnull(event);
	snprintf(path, sizeof(path), "/events/%s", event);
	snprintf(action, sizeof(action), "/events/%s/register", event);
	for (i = 0; i < 2; i++) {
		guest = client_new(node);
		r = http_get(guest, path);
		csrf = form_field(r->body, "csrf");
		request = form_field(r->body, "request");
		place = form_field(r->body, "place");
		resp_free(r);
		r = http_post(guest, action, "csrf", csrf, "request", request,
		    "place", place, "name", i == 0 ? "Lapsed Guest" :
		    "Recent Guest", "email", i == 0 ? "lapsed@guest.example.org" :
		    "recent@guest.example.org", NULL);
		ck_assert_int_eq(r->status, 200);
		resp_free(r);
		free(csrf);
		free(request);
		free(place);
		client_free(guest);
	}
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " event = $1 AND status = 'unconfirmed'", event), 2);
	run("WITH u AS (UPDATE registrations SET confirm_by = now() -"
	    " CASE name WHEN 'Lapsed Guest' THEN interval '4 days'"
	    " ELSE interval '2 days' END WHERE event = $1 RETURNING 1)"
	    " SELECT count(*) FROM u", event, NULL, NULL);

	/* Two sessions of Carol's: the older idle for over an hour. */
	old = client_as(node, CAROL, carol_pw);
	idle = node_text(node, NEWEST_SESSION, CAROL);
	fresh = client_as(node, CAROL, carol_pw);
	busy = node_text(node, NEWEST_SESSION, CAROL);
	ck_assert_str_ne(idle, busy);
	run("WITH u AS (UPDATE sessions SET last_seen = now() -"
	    " interval '61 minutes' WHERE token_hash = decode($1, 'hex')"
	    " RETURNING 1) SELECT count(*) FROM u", idle, NULL, NULL);
	node_barrier(node, "acorn_sessions");

	/* Failed sign-ins: one three days old, one now. */
	guest = client_new(node);
	ck_assert(!sign_in(guest, "nobody.old@example.org", "wrong password"));
	ck_assert(!sign_in(guest, "nobody.new@example.org", "wrong password"));
	client_free(guest);
	run("WITH u AS (UPDATE signin_failures SET at = now() -"
	    " interval '3 days' WHERE email = $1 RETURNING 1)"
	    " SELECT count(*) FROM u", "nobody.old@example.org", NULL, NULL);

	/* Audit entries of 19 and 17 months ago. */
	run("WITH l AS (INSERT INTO audit_log (at, action, subject) VALUES"
	    " (now() - interval '19 months', 'retention_test', 'old'),"
	    " (now() - interval '17 months', 'retention_test', 'recent')"
	    " RETURNING 1) SELECT count(*) FROM l", NULL, NULL, NULL);

	/*
	 * Counts of attempts: one quiet for 5 days, one quiet as long but
	 * still making its party wait, one from a minute ago.
	 */
	run("WITH t AS (INSERT INTO throttle (key, hits, last, wait_until)"
	    " VALUES ('join:|192.0.2.1', 9, now() - interval '5 days',"
	    "  now() - interval '5 days'),"
	    " ('join:|192.0.2.2', 9, now() - interval '5 days',"
	    "  now() + interval '1 hour'),"
	    " ('join:|192.0.2.3', 1, now() - interval '1 minute',"
	    "  now() - interval '1 minute') RETURNING 1)"
	    " SELECT count(*) FROM t", NULL, NULL, NULL);

	/*
	 * The directory: reports and suggestions settled 10 and 8 months
	 * ago and one not yet settled, though older; referral outcomes
	 * recorded 5 and 3 days ago; a shortlist whose link expired, one
	 * shared that has not, one unshared left for 21 days and one for 19.
	 */
	run("WITH s AS (INSERT INTO services (id, origin, name, description,"
	    " status) SELECT gen_random_uuid(), id, 'Kept service', '',"
	    " 'active' FROM node RETURNING id),"
	    " a AS (SELECT id FROM accounts WHERE email = $1),"
	    " p AS (INSERT INTO service_reports (service, topic, details,"
	    " account, created, resolved, outcome) SELECT s.id, 'phone', d,"
	    " a.id, now() - interval '2 years', now() - r, o"
	    " FROM s, a, (VALUES ('report old', interval '10 months',"
	    " 'corrected'), ('report recent', interval '8 months',"
	    " 'corrected'), ('report open', NULL, NULL)) v (d, r, o)),"
	    " g AS (INSERT INTO service_suggestions (service, account, base,"
	    " content, summary, created, decided, outcome) SELECT s.id, a.id,"
	    " 1, '{}', d, now() - interval '2 years', now() - r, o"
	    " FROM s, a, (VALUES ('suggestion old', interval '10 months',"
	    " 'accepted'), ('suggestion recent', interval '8 months',"
	    " 'accepted'), ('suggestion open', NULL, NULL)) v (d, r, o)),"
	    " f AS (INSERT INTO service_referrals (service, account, outcome,"
	    " recorded) SELECT s.id, a.id, o, now() - r FROM s, a,"
	    " (VALUES ('declined', interval '5 days'), ('attended',"
	    " interval '3 days')) v (o, r)),"
	    " l AS (INSERT INTO shortlists (account, updated, token_hash,"
	    " expires) SELECT a.id, now() - u, h, now() + e FROM a,"
	    " (VALUES (interval '1 day', repeat('a', 64), interval '-1 hour'),"
	    " (interval '1 day', repeat('b', 64), interval '1 hour'),"
	    " (interval '21 days', NULL, NULL), (interval '19 days', NULL,"
	    " NULL)) v (u, h, e))"
	    " SELECT 1", CAROL, NULL, NULL);

	/* The worker removes what is past its time, by itself. */
	ck_assert(eventually("SELECT NOT EXISTS (SELECT 1 FROM outbox"
	    " WHERE recipient = 'old@example.org')", NULL));
	ck_assert(eventually("SELECT NOT EXISTS (SELECT 1 FROM registrations"
	    " WHERE name = 'Lapsed Guest')", NULL));
	ck_assert(eventually("SELECT NOT EXISTS (SELECT 1 FROM sessions"
	    " WHERE token_hash = decode($1, 'hex'))", idle));
	ck_assert(eventually("SELECT NOT EXISTS (SELECT 1 FROM"
	    " signin_failures WHERE email = 'nobody.old@example.org')", NULL));
	ck_assert(eventually("SELECT NOT EXISTS (SELECT 1 FROM audit_log"
	    " WHERE action = 'retention_test' AND subject = 'old')", NULL));
	ck_assert(eventually("SELECT NOT EXISTS (SELECT 1 FROM throttle"
	    " WHERE key = 'join:|192.0.2.1')", NULL));

	ck_assert(eventually("SELECT NOT EXISTS (SELECT 1 FROM"
	    " service_reports WHERE details = 'report old')", NULL));
	ck_assert(eventually("SELECT NOT EXISTS (SELECT 1 FROM"
	    " service_suggestions WHERE summary = 'suggestion old')", NULL));
	ck_assert(eventually("SELECT f.account IS NULL FROM service_referrals"
	    " f JOIN services s ON s.id = f.service WHERE f.outcome ="
	    " 'declined' AND s.name = 'Kept service'", NULL));
	ck_assert(eventually("SELECT count(*) = 2 FROM shortlists s"
	    " JOIN accounts a ON a.id = s.account WHERE a.email = $1", CAROL));

	/* And keeps what is not. */
	ck_assert_int_eq(num("SELECT count(*) FROM outbox WHERE recipient ="
	    " 'new@example.org'", NULL), 2);
	ck_assert_int_eq(num("SELECT count(*) FROM registrations WHERE"
	    " name = 'Recent Guest' AND status = 'unconfirmed'", NULL), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM signin_failures WHERE"
	    " email = 'nobody.new@example.org'", NULL), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM sessions WHERE"
	    " token_hash = decode($1, 'hex')", busy), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM audit_log WHERE"
	    " action = 'retention_test' AND subject = 'recent'", NULL), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM throttle WHERE key IN"
	    " ('join:|192.0.2.2', 'join:|192.0.2.3')", NULL), 2);
	ck_assert_int_eq(num("SELECT count(*) FROM service_reports WHERE"
	    " details IN ('report recent', 'report open')", NULL), 2);
	ck_assert_int_eq(num("SELECT count(*) FROM service_suggestions WHERE"
	    " summary IN ('suggestion recent', 'suggestion open')", NULL), 2);
	/* The outcome forgot who recorded it, and is still counted. */
	ck_assert_int_eq(num("SELECT count(*) FROM service_referrals f"
	    " JOIN services s ON s.id = f.service WHERE s.name = $1"
	    " AND (f.outcome = 'declined' OR f.account IS NOT NULL)",
	    "Kept service"), 2);
	ck_assert_int_eq(num("SELECT count(*) FROM shortlists s JOIN accounts"
	    " a ON a.id = s.account WHERE a.email = $1 AND (s.token_hash ="
	    " repeat('b', 64) OR s.updated > now() - interval '20 days')",
	    CAROL), 2);
	/* The idle browser is signed out; the other is not. */
	r = http_get(old, "/profile");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	r = http_get(fresh, "/profile");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);

	free(event);
	free(idle);
	free(busy);
	client_free(old);
	client_free(fresh);
	client_free(co);
}
END_TEST

/*
 * Another process (here, a connection holding the rule's lock) applying
 * a rule: the sweep passes over it at once rather than waiting or
 * removing the rows twice, applies the others, and applies it too once
 * the lock is free.  Against a node of its own that is not serving, so
 * its worker cannot sweep meanwhile.
 */
START_TEST(test_retention_passes_over_a_rule_another_process_applies)
{
	struct node *n = node_new("Two process node", NULL);
	struct config c;
	struct db_pool *pool;
	struct db *db, *holder;
	char info[512], rule[16];
	const char *p[1] = { rule };

	ck_assert_ptr_nonnull(n);
	free(node_sql(n, "WITH l AS (INSERT INTO audit_log (at, action)"
	    " VALUES (now() - interval '30 months', 'old')),"
	    " m AS (INSERT INTO outbox (recipient, subject, body, sent)"
	    " VALUES ('x@example.org', 's', 'b', now() - interval '60 days'))"
	    " SELECT 1", NULL));
	snprintf(info, sizeof(info), "host=%s user=acorn dbname=%s",
	    getenv("ACORN_TEST_PGHOST"), n->db);
	config_defaults(&c);
	ck_assert_ptr_nonnull(pool = db_pool_new(info, 2));
	ck_assert_ptr_nonnull(db = db_acquire(pool));
	ck_assert_ptr_nonnull(holder = db_acquire(pool));

	snprintf(rule, sizeof(rule), "%d", RETAIN_AUDIT);
	ck_assert_int_eq(db_begin(holder), 0);
	ck_assert_int_eq(db_call(holder, "SELECT pg_advisory_xact_lock("
	    LOCK_RETENTION ", $1::integer)", 1, p), 0);
	/* The mail goes; the audit entry waits for its rule's lock. */
	ck_assert_int_eq(retention_sweep(db, &c), 1);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM outbox", NULL), 0);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM audit_log"
	    " WHERE action = 'old'", NULL), 1);
	db_rollback(holder);
	ck_assert_int_eq(retention_sweep(db, &c), 1);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM audit_log"
	    " WHERE action = 'old'", NULL), 0);
	ck_assert_int_eq(retention_sweep(db, &c), 0);

	db_release(pool, holder);
	db_release(pool, db);
	db_pool_free(pool);
	config_free(&c);
	node_free(n);
}
END_TEST

/* A pool of connections to node n's database, for the core's own calls. */
static struct db_pool *
pool_of(struct node *n, int size)
{
	char info[512];

	snprintf(info, sizeof(info), "host=%s user=acorn dbname=%s",
	    getenv("ACORN_TEST_PGHOST"), n->db);
	return db_pool_new(info, size);
}

/*
 * A first sweep over more rows than one batch takes: each statement
 * removes at most retention_batch rows, and the sweep goes on while
 * whole batches go, so all the old rows go in one sweep and the recent
 * one stays.  Against a node that is not serving, so that only this
 * sweep removes anything.
 */
START_TEST(test_retention_removes_in_batches)
{
	struct node *n = node_new("Batch node", NULL);
	struct config c;
	struct db_pool *pool;
	struct db *db;

	ck_assert_ptr_nonnull(n);
	free(node_sql(n, "WITH l AS (INSERT INTO audit_log (at, action)"
	    " SELECT now() - interval '30 months', 'old'"
	    " FROM generate_series(1, 7)),"
	    " r AS (INSERT INTO audit_log (at, action) VALUES"
	    " (now() - interval '1 month', 'recent'))"
	    " SELECT 1", NULL));
	config_defaults(&c);
	ck_assert_int_eq(config_set(&c, "retention_batch", "2"), 0);
	ck_assert_ptr_nonnull(pool = pool_of(n, 1));
	ck_assert_ptr_nonnull(db = db_acquire(pool));

	ck_assert_int_eq(retention_sweep(db, &c), 7);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM audit_log"
	    " WHERE action = 'old'", NULL), 0);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM audit_log"
	    " WHERE action = 'recent'", NULL), 1);
	ck_assert_int_eq(retention_sweep(db, &c), 0);

	db_release(pool, db);
	db_pool_free(pool);
	config_free(&c);
	node_free(n);
}
END_TEST

/* Tables a sweep removes from, or that refer to what it removes. */
static const char *const swept_tables[] = {
	"outbox", "registrations", "sessions", "signin_failures", "audit_log",
	"accounts", "members", "throttle", "events", "documents",
	"glossary_terms", "evaluations", "evaluation_files",
	"document_revisions", "evaluation_revisions", "away_registrations",
	"account_tokens", "answers", "guest_keys", "inbox_requests",
	"organisations", "locations", "services", "organisation_managers",
	"service_revisions", "service_checks", "service_reports",
	"service_suggestions", "service_referrals", "shortlists",
	"directory_notes", NULL
};

/* An index each rule, and each reference to an account, reads. */
static const char *const sweep_indexes[] = {
	"outbox_done_idx", "registrations_unconfirmed_idx",
	"sessions_last_seen_idx", "sessions_created_idx",
	"signin_failures_at_idx", "audit_log_at_idx",
	"accounts_unconfirmed_idx", "throttle_last_idx",
	"accounts_approved_by_idx", "events_created_by_idx",
	"documents_created_by_idx", "glossary_terms_created_by_idx",
	"evaluations_created_by_idx", "evaluation_files_created_by_idx",
	"shortlists_expires_idx", "shortlists_unshared_idx",
	"service_reports_resolved_idx", "service_suggestions_decided_idx",
	"service_referrals_recorded_idx", "services_created_by_idx",
	"service_checks_account_idx", "shortlists_account_idx",
	"service_reports_resolved_by_idx",
	"service_suggestions_decided_by_idx", "directory_notes_created_idx",
	NULL
};

#define SEQ_SCANS	"SELECT coalesce(sum(seq_scan), 0)" \
	" FROM pg_stat_user_tables WHERE relname = ANY ($1::text[])"
/* ",name=scans,name=scans", so that ",name=" finds one. */
#define INDEX_SCANS	"SELECT string_agg(',' || indexrelname || '=' ||" \
	" idx_scan, '' ORDER BY indexrelname) FROM pg_stat_user_indexes" \
	" WHERE indexrelname = ANY ($1::text[])"

/* names as a PostgreSQL array literal, {a,b,c}, in buf. */
static const char *
array_of(const char *const *names, char *buf, size_t len)
{
	size_t i, at = 0;

	for (i = 0; names[i] != NULL; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
		    i == 0 ? "{" : ",", names[i]);
	snprintf(buf + at, len - at, "}");
	return buf;
}

/*
 * Every rule finds its rows through an index, and so does every
 * reference to an account it removes: with sequential scans turned off
 * for the sweep's connection, a rule with no index it can use would
 * still read its table whole, and the statistics would count it.  (The
 * outbox's first index, from 020, could not serve its rule: PostgreSQL
 * cannot prove its condition from the rule's.)  An account never
 * confirmed is there to be removed, so that the references to it are
 * followed.
 */
START_TEST(test_retention_sweeps_through_indexes)
{
	struct node *n = node_new("Index node", "open_joining = yes\n"
	    "retention_interval = 86400");
	struct client *c;
	struct resp *r;
	struct config cf;
	struct db_pool *pool;
	struct db *db;
	char tables[1024], indexes[1024], *before;
	long seq;
	int i;

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(node_serve(n), 0);
	c = client_new(n);
	r = join_form(c, "Never Confirmed", "never.confirmed@example.org",
	    "a long enough password", "a long enough password");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	client_free(c);
	ck_assert_int_eq(node_stop(n), 0);
	ck_assert_int_eq(node_num(n, "WITH u AS (UPDATE accounts SET"
	    " created = now() - interval '30 days' WHERE confirmed IS NULL"
	    " RETURNING 1) SELECT count(*) FROM u", NULL), 1);

	array_of(swept_tables, tables, sizeof(tables));
	array_of(sweep_indexes, indexes, sizeof(indexes));
	seq = node_num(n, SEQ_SCANS, tables);
	ck_assert_int_ge(seq, 0);
	ck_assert_ptr_nonnull(before = node_text(n, INDEX_SCANS, indexes));

	config_defaults(&cf);
	ck_assert_ptr_nonnull(pool = pool_of(n, 1));
	ck_assert_ptr_nonnull(db = db_acquire(pool));
	ck_assert_int_eq(db_exec(db, "SET enable_seqscan = off", 0, NULL), 0);
	ck_assert_int_eq(retention_sweep(db, &cf), 1);
	/* The connection ends: its statistics are written as it goes. */
	db_release(pool, db);
	db_pool_free(pool);
	config_free(&cf);
	ck_assert_int_eq(node_num(n, "SELECT count(*) FROM accounts"
	    " WHERE confirmed IS NULL", NULL), 0);

	/* Once every index's count has moved, the sweep's are all in. */
	for (i = 0; sweep_indexes[i] != NULL; i++) {
		const char *p[2] = { sweep_indexes[i], before };

		ck_assert_msg(node_waitv(n, "SELECT idx_scan > split_part("
		    "split_part($2, ',' || $1 || '=', 2), ',', 1)::bigint"
		    " FROM pg_stat_user_indexes WHERE indexrelname = $1", 2, p,
		    15000), "the sweep did not read %s", sweep_indexes[i]);
	}
	ck_assert_int_eq(node_num(n, SEQ_SCANS, tables), seq);

	free(before);
	node_free(n);
}
END_TEST

/*
 * The retention worker's locks and the inbox's lock on a home node have
 * first keys of their own (core.h lists them): a rule's lock whose
 * second key happens to be a home node's hash holds up no request from
 * that node, while the inbox's own key, as core.h names it, does.
 */
START_TEST(test_retention_lock_is_not_the_inbox_lock)
{
	static const char admit[] = "SELECT acorn_inbox_admit($1::uuid,"
	    " gen_random_uuid(), 10, 10) IS NULL";
	const char *home = "5b0c8f0e-2f4c-4c53-9a1e-7d1d2f3a4b5c";
	const char *p[1] = { home };
	struct db_pool *pool;
	struct db *holder, *inbox;
	PGresult *res;

	ck_assert_ptr_nonnull(pool = pool_of(node, 2));
	ck_assert_ptr_nonnull(holder = db_acquire(pool));
	ck_assert_ptr_nonnull(inbox = db_acquire(pool));
	ck_assert_int_eq(db_exec(inbox, "SET lock_timeout = '3s'", 0, NULL),
	    0);

	ck_assert_int_eq(db_begin(holder), 0);
	ck_assert_int_eq(db_call(holder, "SELECT pg_advisory_xact_lock("
	    LOCK_RETENTION ", hashtext($1))", 1, p), 0);
	ck_assert_ptr_nonnull(res = db_query(inbox, PGRES_TUPLES_OK, admit, 1,
	    p));
	ck_assert_str_eq(PQgetvalue(res, 0, DB_ONLY), "t");
	PQclear(res);
	db_rollback(holder);

	ck_assert_int_eq(db_begin(holder), 0);
	ck_assert_int_eq(db_call(holder, "SELECT pg_advisory_xact_lock("
	    LOCK_INBOX_HOME ", hashtext($1))", 1, p), 0);
	ck_assert_ptr_null(db_query(inbox, PGRES_TUPLES_OK, admit, 1, p));
	ck_assert_str_eq(db_state(inbox), "55P03");	/* lock_not_available */
	db_rollback(holder);

	db_release(pool, holder);
	db_release(pool, inbox);
	db_pool_free(pool);
}
END_TEST

Suite *
mydata_suite(void)
{
	Suite *s = suite_create("mydata");
	TCase *tc = tcase_create("mydata");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_download_holds_my_data_and_nobody_elses);
	tcase_add_test(tc, test_download_needs_sign_in_and_the_forms_token);
	tcase_add_test(tc,
	    test_download_leaves_out_entries_about_a_record_with_my_number);
	tcase_add_test(tc, test_downloads_again_and_again_are_made_to_wait);
	tcase_add_test(tc, test_privacy_notice_quotes_the_configured_periods);
	tcase_add_test(tc, test_retention_removes_old_rows_and_keeps_fresh_ones);
	tcase_add_test(tc,
	    test_retention_passes_over_a_rule_another_process_applies);
	tcase_add_test(tc, test_retention_removes_in_batches);
	tcase_add_test(tc, test_retention_lock_is_not_the_inbox_lock);
	tcase_add_test(tc, test_retention_sweeps_through_indexes);
	suite_add_tcase(s, tc);
	return s;
}
