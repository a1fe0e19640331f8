/*
 * The evidence library against a real node: contributors add evaluations
 * and members cannot until a coordinator gives them the role; every save
 * is a numbered revision that history, compare and restore work with;
 * two saves from one revision give one save and one edit conflict; the
 * filters, search and CSV select exactly the right evaluations; bad
 * input is refused with its message and stores nothing; markup is shown
 * as text; attached reports are stored only when they are PDFs, hashed,
 * and come back byte for byte as sandboxed downloads; a deleted
 * evaluation leaves only a tombstone.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>

#include "harness.h"

Suite	*evidence_suite(void);

static struct node *node;
static char *coord_pw;
static char *admin_pw;
static char *contrib_pw;
static char *contrib2_pw;
static char *member_pw;
static char *promoted_pw;

#define COORD		"evidence.coord@example.org"
#define ADMIN		"evidence.admin@example.org"
#define CONTRIB		"evidence.contrib@example.org"
#define CONTRIB2	"evidence.contrib2@example.org"
#define MEMBER		"evidence.member@example.org"
#define PROMOTED	"evidence.promoted@example.org"

/* The file size limit the node runs with: small, so a test can pass it. */
#define MAX_UPLOAD	65536

/* acorn user add, then the person's own name, so pages can tell them apart. */
static char *
person(const char *email, const char *role, const char *name)
{
	const char *p[2] = { name, email };
	char *pw = node_user_add(node, email, role);

	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(node_exec(node, "UPDATE members SET name = $1"
	    " WHERE id = (SELECT member FROM accounts WHERE email = $2)", 2,
	    p), 1);
	return pw;
}

static void
start(void)
{
	char settings[128];

	snprintf(settings, sizeof(settings), "argon2_memory = 1024\n"
	    "argon2_passes = 1\nthreads = 4\nmax_upload = %d", MAX_UPLOAD);
	node = node_new("Evidence node", settings);
	ck_assert_ptr_nonnull(node);
	coord_pw = person(COORD, "coordinator", "Carol Coordinator");
	admin_pw = person(ADMIN, "admin", "Ada Admin");
	contrib_pw = person(CONTRIB, "contributor", "Cyril Contributor");
	contrib2_pw = person(CONTRIB2, "contributor", "Dina Contributor");
	member_pw = person(MEMBER, "member", "Mo Member");
	promoted_pw = person(PROMOTED, "member", "Pat Promoted");
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop(void)
{
	node_free(node);
	free(coord_pw);
	free(admin_pw);
	free(contrib_pw);
	free(contrib2_pw);
	free(member_pw);
	free(promoted_pw);
	node = NULL;
}

static struct client *
signed_in(const char *email, const char *pw)
{
	return client_as(node, email, pw);
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

/* How many times s occurs in a page. */
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

/* The evaluation id a redirect after a save points at. */
static char *
saved_id(const struct resp *r)
{
	const char *at;

	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(r->location);
	at = strstr(r->location, "/evidence/");
	ck_assert_ptr_nonnull(at);
	ck_assert_uint_eq(strlen(at + 10), 36);
	return strdup(at + 10);
}

/*
 * Adds an evaluation as c with a summary and at most one outcome
 * (outcome NULL: none); its id.
 */
static char *
add(struct client *c, const char *title, const char *design,
    const char *region, const char *year, const char *outcome,
    const char *direction, const char *measure)
{
	char dir_key[64] = "unused_a", measure_key[64] = "unused_b", *id;
	struct resp *r;

	if (outcome != NULL) {
		snprintf(dir_key, sizeof(dir_key), "%s_direction", outcome);
		snprintf(measure_key, sizeof(measure_key), "%s_measure",
		    outcome);
	}
	r = form_post(c, "/evidence/new", "/evidence/new", "title", title,
	    "region", region, "year", year, "design", design, "abstract",
	    "People referred by their GP met a link worker.", "measured",
	    outcome != NULL ? outcome : "", dir_key,
	    direction != NULL ? direction : "", measure_key,
	    measure != NULL ? measure : "", NULL);
	ck_assert_ptr_nonnull(r);
	id = saved_id(r);
	resp_free(r);
	return id;
}

static void
path_of(char *out, size_t size, const char *id, const char *rest)
{
	snprintf(out, size, "/evidence/%s%s", id, rest);
}

/* The member id behind an email, as the roles page names people. */
static char *
member_id(const char *email)
{
	return text("SELECT member FROM accounts WHERE email = $1", email);
}

/* As an admin, gives a member a role on /admin/roles. */
static void
set_role(const char *email, const char *role, const char *done)
{
	struct client *co = signed_in(ADMIN, admin_pw);
	char *who = member_id(email);
	struct resp *r;

	r = form_post(co, "/admin/roles", "/admin/roles", "id", who, "role",
	    role, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, done));
	resp_free(r);
	free(who);
	client_free(co);
}

START_TEST(test_contributor_adds_evaluation_shown_with_every_field)
{
	struct client *c = signed_in(CONTRIB, contrib_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char path[128], *id, *v;

	r = form_post(c, "/evidence/new", "/evidence/new",
	    "title", "Bolton Community Connectors: the first year",
	    "scheme", "Bolton Community Connectors", "area", "Bolton",
	    "region", "North West", "year", "2023",
	    "design", "quasi_experimental", "sample_size", "240",
	    "follow_up", "12", "measured", "gp_consultations",
	    "measured", "ae_attendance", "measured", "wellbeing",
	    "measured", "loneliness", "measured", "cost_roi",
	    "abstract", "Link workers met 240 people referred by their GP."
	    "\n\nConsultations fell over the year.",
	    "gp_consultations_direction", "improved",
	    "gp_consultations_measure", "Practice appointment records",
	    "gp_consultations_figure", "28% fewer consultations",
	    "ae_attendance_direction", "worse",
	    "ae_attendance_measure", "A&E visits from hospital data",
	    "ae_attendance_figure", "3% more visits",
	    "wellbeing_direction", "improved",
	    "wellbeing_measure", "WEMWBS", "wellbeing_figure", "+4.1 points",
	    "loneliness_direction", "no_change",
	    "loneliness_measure", "UCLA three-item scale",
	    "cost_roi_direction", "mixed",
	    "cost_roi_measure", "Social return on investment",
	    "cost_roi_figure", "2.14 to 1 in year one, 0.9 to 1 after",
	    "summary", "From the published report", NULL);
	id = saved_id(r);
	resp_free(r);

	/* Its page, to anyone, with every field and outcome. */
	path_of(path, sizeof(path), id, "");
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<h1>Bolton Community Connectors: the first "
	    "year</h1>"));
	ck_assert(resp_has(r, "<dd>Bolton Community Connectors</dd>"));
	ck_assert(resp_has(r, "<span>Bolton</span>, </span><span>North West"
	    "</span>"));
	ck_assert(resp_has(r, "<dd>2023</dd>"));
	ck_assert(resp_has(r, ">Quasi-experimental</a>"));
	ck_assert(resp_has(r, "240 participants"));
	ck_assert(resp_has(r, "12 months"));
	ck_assert(resp_has(r, "<p>Link workers met 240 people referred by "
	    "their GP.</p>"));
	ck_assert(resp_has(r, "<p>Consultations fell over the year.</p>"));
	ck_assert(resp_has(r, "GP consultations"));
	ck_assert(resp_has(r, "Practice appointment records"));
	ck_assert(resp_has(r, "28% fewer consultations"));
	ck_assert(resp_has(r, "A&amp;E attendance"));
	ck_assert(resp_has(r, "A&amp;E visits from hospital data"));
	ck_assert(resp_has(r, "3% more visits"));
	ck_assert(resp_has(r, "WEMWBS"));
	ck_assert(resp_has(r, "+4.1 points"));
	ck_assert(resp_has(r, "UCLA three-item scale"));
	ck_assert(resp_has(r, "Social return on investment"));
	ck_assert(resp_has(r, "2.14 to 1 in year one, 0.9 to 1 after"));
	ck_assert_int_eq(occurrences(r, "tag--improved"), 2);
	ck_assert_int_eq(occurrences(r, "tag--worse"), 1);
	ck_assert_int_eq(occurrences(r, "tag--no_change"), 1);
	ck_assert_int_eq(occurrences(r, "tag--mixed"), 1);
	/* Outcomes not measured are not listed as findings. */
	ck_assert(!resp_has(r, "Patient activation"));
	ck_assert(!resp_has(r, "Employment or volunteering"));
	ck_assert(resp_has(r, "Cyril Contributor"));
	resp_free(r);

	/* In the list, with its design, year, region and findings. */
	r = http_get(anon, "/evidence");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Bolton Community Connectors: the first year"));
	ck_assert(resp_has(r, "Quasi-experimental</span>, <span>2023</span>,"
	    " <span>North West</span>"));
	ck_assert(resp_has(r, path));
	resp_free(r);

	/* Stored as revision 1, with the record it saved. */
	ck_assert_int_eq(num("SELECT revision FROM evaluations WHERE id = $1",
	    id), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluation_revisions"
	    " WHERE evaluation = $1 AND number = 1", id), 1);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluation_revisions"
	    " WHERE evaluation = $1", id), 1);
	v = text("SELECT concat_ws('|', record->>'title', record->>'scheme',"
	    " record->>'area', record->>'region', record->>'year',"
	    " record->>'design', record->>'sample_size',"
	    " record->>'follow_up', jsonb_array_length(record->'outcomes'),"
	    " author_name, summary) FROM evaluation_revisions"
	    " WHERE evaluation = $1 AND number = 1", id);
	ck_assert_str_eq(v, "Bolton Community Connectors: the first year|"
	    "Bolton Community Connectors|Bolton|North West|2023|"
	    "quasi_experimental|240|12|5|Cyril Contributor|"
	    "From the published report");
	free(v);
	v = text("SELECT string_agg(o->>'outcome' || '=' || (o->>'direction'),"
	    " ',') FROM evaluation_revisions, jsonb_array_elements(record->"
	    "'outcomes') o WHERE evaluation = $1 AND number = 1", id);
	ck_assert_str_eq(v, "gp_consultations=improved,ae_attendance=worse,"
	    "wellbeing=improved,loneliness=no_change,cost_roi=mixed");
	free(v);
	v = text("SELECT record->>'summary' FROM evaluation_revisions"
	    " WHERE evaluation = $1", id);
	ck_assert_str_eq(v, "Link workers met 240 people referred by their "
	    "GP.\n\nConsultations fell over the year.");
	free(v);
	free(id);
	client_free(c);
	client_free(anon);
}
END_TEST

START_TEST(test_member_refused_until_coordinator_makes_them_contributor)
{
	struct client *m = signed_in(PROMOTED, promoted_pw), *co;
	struct resp *r;
	char *csrf, *id, *who, path[128];
	long before = num("SELECT count(*) FROM evaluations", NULL);

	r = http_get(m, "/evidence/new");
	ck_assert_int_eq(r->status, 403);
	ck_assert(resp_has(r, "ask your regional coordinator to make you a "
	    "contributor"));
	resp_free(r);
	r = http_get(m, "/evidence");
	ck_assert(!resp_has(r, "Add an evaluation"));
	resp_free(r);
	/* Sending the form anyway stores nothing. */
	csrf = page_csrf(m, "/evidence");
	ck_assert_ptr_nonnull(csrf);
	r = http_post(m, "/evidence/new", "csrf", csrf, "title",
	    "Not allowed yet", "region", "North West", "year", "2022",
	    "design", "qualitative", "abstract", "Interviews.", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	free(csrf);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluations", NULL),
	    before);

	set_role(PROMOTED, "contributor",
	    "Pat Promoted now has the role Contributor");
	r = http_get(m, "/evidence/new");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = http_get(m, "/evidence");
	ck_assert(resp_has(r, "Add an evaluation"));
	resp_free(r);
	id = add(m, "Walking group interviews", "qualitative", "North West",
	    "2022", NULL, NULL, NULL);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluations", NULL),
	    before + 1);

	/*
	 * The roles page gives no role that does not exist, and only
	 * admins use it: not even coordinators.
	 */
	co = signed_in(ADMIN, admin_pw);
	who = member_id(PROMOTED);
	r = form_post(co, "/admin/roles", "/admin/roles", "id", who, "role",
	    "overlord", NULL);
	ck_assert_int_eq(r->status, 400);
	resp_free(r);
	client_free(co);
	co = signed_in(COORD, coord_pw);
	r = form_post(co, "/", "/admin/roles", "id", who, "role",
	    "member", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = form_post(m, "/evidence", "/admin/roles", "id", who, "role",
	    "member", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM accounts WHERE email = $1"
	    " AND role = 'contributor'", PROMOTED), 1);
	free(who);
	client_free(co);

	set_role(PROMOTED, "member", "Pat Promoted now has the role Member");
	r = http_get(m, "/evidence/new");
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	/* Not even the evaluation they wrote. */
	path_of(path, sizeof(path), id, "/edit");
	r = http_get(m, path);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	path_of(path, sizeof(path), id, "");
	r = http_get(m, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Edit this evaluation"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluations", NULL),
	    before + 1);
	free(id);
	client_free(m);
}
END_TEST

/* What a browser holds after opening the edit page of an evaluation. */
struct draft {
	struct client	*c;
	char		 action[128];
	char		*csrf;
	char		*base;
	const char	*title;
	const char	*figure;
	const char	*change;
	struct resp	*answer;
};

static void
open_edit(struct draft *d, struct client *c, const char *id)
{
	struct resp *r;

	path_of(d->action, sizeof(d->action), id, "/edit");
	d->c = c;
	r = http_get(c, d->action);
	ck_assert_int_eq(r->status, 200);
	d->csrf = form_field(r->body, "csrf");
	d->base = form_field(r->body, "base");
	ck_assert_ptr_nonnull(d->csrf);
	ck_assert_ptr_nonnull(d->base);
	resp_free(r);
	d->answer = NULL;
}

/* Sends the whole form, as the browser would, with d's own values. */
static struct resp *
save(struct draft *d)
{
	return http_post(d->c, d->action, "csrf", d->csrf, "base", d->base,
	    "title", d->title, "scheme", "Rochdale Connect", "area",
	    "Rochdale", "region", "North West", "year", "2021", "design",
	    "before_after", "sample_size", "85", "abstract",
	    "Before and after scores for 85 people.", "measured",
	    "wellbeing", "wellbeing_direction",
	    "improved", "wellbeing_measure", "SWEMWBS", "wellbeing_figure",
	    d->figure, "summary", d->change, NULL);
}

static void
draft_free(struct draft *d)
{
	free(d->csrf);
	free(d->base);
	resp_free(d->answer);
}

static void
edit(struct client *c, const char *id, const char *title,
    const char *figure, const char *change)
{
	struct draft d;

	open_edit(&d, c, id);
	d.title = title;
	d.figure = figure;
	d.change = change;
	d.answer = save(&d);
	ck_assert_int_eq(d.answer->status, 303);
	draft_free(&d);
}

/* The evaluation every edit test starts from: revision 1. */
static char *
add_rochdale(struct client *c, const char *title)
{
	struct resp *r;
	char *id;

	r = form_post(c, "/evidence/new", "/evidence/new", "title", title,
	    "scheme", "Rochdale Connect", "area", "Rochdale", "region",
	    "North West", "year", "2021", "design", "before_after",
	    "sample_size", "85", "abstract",
	    "Before and after scores for 85 people.", "measured",
	    "wellbeing", "wellbeing_direction",
	    "improved", "wellbeing_measure", "SWEMWBS", "wellbeing_figure",
	    "+2.0 points", NULL);
	id = saved_id(r);
	resp_free(r);
	return id;
}

START_TEST(test_edits_make_revisions_compare_and_restore)
{
	struct client *a = signed_in(CONTRIB, contrib_pw);
	struct client *b = signed_in(CONTRIB2, contrib2_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char path[160], *id, *csrf, *v;

	id = add_rochdale(a, "Rochdale Connect evaluation");
	edit(b, id, "Rochdale Connect: before and after", "+2.6 points",
	    "Corrected the title and the wellbeing result");

	/* The page is the new revision; history lists both, newest first. */
	path_of(path, sizeof(path), id, "");
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<h1>Rochdale Connect: before and after</h1>"));
	ck_assert(resp_has(r, "+2.6 points"));
	ck_assert(resp_has(r, "Revision <span>2</span><span>, last changed by "
	    "<span>Dina Contributor, "));
	resp_free(r);
	path_of(path, sizeof(path), id, "/history");
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Corrected the title and the wellbeing result"));
	ck_assert(resp_has(r, "First version"));
	ck_assert(resp_has(r, "Dina Contributor"));
	ck_assert(resp_has(r, "Cyril Contributor"));
	ck_assert(strstr(r->body, "Dina Contributor") <
	    strstr(r->body, "Cyril Contributor"));
	ck_assert_int_eq(occurrences(r, "(current)"), 1);
	resp_free(r);

	/* The old revision still reads as it was. */
	path_of(path, sizeof(path), id, "?revision=1");
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<h1>Rochdale Connect evaluation</h1>"));
	ck_assert(resp_has(r, "+2.0 points"));
	ck_assert(resp_has(r, "This is an old revision"));
	ck_assert(!resp_has(r, "Rochdale Connect: before and after"));
	resp_free(r);

	/* Compare marks the two fields that changed and no others. */
	path_of(path, sizeof(path), id, "/compare?from=1&to=2");
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "2 fields changed: Title and Wellbeing."));
	ck_assert_int_eq(occurrences(r, "(changed)"), 2);
	ck_assert(resp_has(r, "<span>Title</span><strong class=\"diff__label\">"
	    " (changed)</strong>"));
	ck_assert(resp_has(r, "<span>Wellbeing</span><strong class=\""
	    "diff__label\"> (changed)</strong>"));
	ck_assert(resp_has(r, "<span>Scheme</span></th>"));
	ck_assert(resp_has(r, "Improved (SWEMWBS): +2.0 points"));
	ck_assert(resp_has(r, "Improved (SWEMWBS): +2.6 points"));
	resp_free(r);

	/* Restoring revision 1 makes revision 3 hold exactly its record. */
	path_of(path, sizeof(path), id, "/history");
	csrf = page_csrf(a, path);
	ck_assert_ptr_nonnull(csrf);
	path_of(path, sizeof(path), id, "/restore");
	r = http_post(a, path, "csrf", csrf, "revision", "1", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	free(csrf);
	ck_assert_int_eq(num("SELECT revision FROM evaluations WHERE id = $1",
	    id), 3);
	v = text("SELECT (SELECT record FROM evaluation_revisions"
	    " WHERE evaluation = $1 AND number = 3) = (SELECT record"
	    " FROM evaluation_revisions WHERE evaluation = $1 AND number = 1)",
	    id);
	ck_assert_str_eq(v, "t");
	free(v);
	v = text("SELECT title || '|' || (SELECT figure FROM"
	    " evaluation_outcomes WHERE evaluation = $1) FROM evaluations"
	    " WHERE id = $1", id);
	ck_assert_str_eq(v, "Rochdale Connect evaluation|+2.0 points");
	free(v);
	ck_assert_int_eq(num("SELECT restored_from FROM evaluation_revisions"
	    " WHERE evaluation = $1 AND number = 3", id), 1);
	path_of(path, sizeof(path), id, "/history");
	r = http_get(anon, path);
	ck_assert(resp_has(r, "Restored revision 1"));
	resp_free(r);
	path_of(path, sizeof(path), id, "/compare?from=1&to=3");
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "The two revisions are the same."));
	ck_assert_int_eq(occurrences(r, "(changed)"), 0);
	resp_free(r);
	free(id);
	client_free(a);
	client_free(b);
	client_free(anon);
}
END_TEST

struct racer {
	struct draft		*d;
	pthread_barrier_t	*go;
};

static void *
race(void *arg)
{
	struct racer *x = arg;

	pthread_barrier_wait(x->go);
	x->d->answer = save(x->d);
	return NULL;
}

START_TEST(test_concurrent_saves_one_wins_one_conflicts_nothing_lost)
{
	struct client *a = signed_in(CONTRIB, contrib_pw);
	struct client *b = signed_in(CONTRIB2, contrib2_pw);
	struct draft da, db, *lost, *won;
	struct racer ra = { &da, NULL }, rb = { &db, NULL };
	pthread_barrier_t go;
	pthread_t ta, tb;
	char *id, *v, value[128], by[64];

	id = add_rochdale(a, "Shared evaluation");
	open_edit(&da, a, id);
	open_edit(&db, b, id);
	ck_assert_str_eq(da.base, "1");
	ck_assert_str_eq(db.base, "1");
	da.title = "Shared evaluation, Cyril's title";
	da.figure = "+3.0 points (Cyril)";
	da.change = "Cyril's change";
	db.title = "Shared evaluation, Dina's title";
	db.figure = "+3.5 points (Dina)";
	db.change = "Dina's change";
	pthread_barrier_init(&go, NULL, 2);
	ra.go = rb.go = &go;
	pthread_create(&ta, NULL, race, &ra);
	pthread_create(&tb, NULL, race, &rb);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&go);
	ck_assert_ptr_nonnull(da.answer);
	ck_assert_ptr_nonnull(db.answer);

	/* Exactly one saved; the other was told, and kept what they typed. */
	ck_assert((da.answer->status == 303 && db.answer->status == 409) ||
	    (da.answer->status == 409 && db.answer->status == 303));
	lost = da.answer->status == 409 ? &da : &db;
	won = lost == &da ? &db : &da;
	ck_assert(resp_has(lost->answer, "Edit conflict"));
	snprintf(value, sizeof(value), "value=\"%s\"", lost->title);
	ck_assert(resp_has(lost->answer, value));
	snprintf(value, sizeof(value), "value=\"%s\"", lost->figure);
	ck_assert(resp_has(lost->answer, value));
	snprintf(value, sizeof(value), "value=\"%s\"", lost->change);
	ck_assert(resp_has(lost->answer, value));
	snprintf(by, sizeof(by), "Revision 2 by %s", won == &da ?
	    "Cyril Contributor" : "Dina Contributor");
	ck_assert(resp_has(lost->answer, by));
	ck_assert(resp_has(lost->answer, "compare?from=1&amp;to=2"));
	ck_assert_int_eq(num("SELECT count(*) FROM evaluation_revisions"
	    " WHERE evaluation = $1", id), 2);
	v = text("SELECT title FROM evaluations WHERE id = $1", id);
	ck_assert_str_eq(v, won->title);
	free(v);

	/* Saving again from the conflict page keeps the winner's revision. */
	free(lost->base);
	lost->base = form_field(lost->answer->body, "base");
	ck_assert_str_eq(lost->base, "2");
	resp_free(lost->answer);
	lost->answer = save(lost);
	ck_assert_int_eq(lost->answer->status, 303);
	ck_assert_int_eq(num("SELECT revision FROM evaluations WHERE id = $1",
	    id), 3);
	v = text("SELECT string_agg(record->>'title', '|' ORDER BY number)"
	    " FROM evaluation_revisions WHERE evaluation = $1", id);
	snprintf(value, sizeof(value), "Shared evaluation|%s|%s", won->title,
	    lost->title);
	ck_assert_str_eq(v, value);
	free(v);
	draft_free(&da);
	draft_free(&db);
	free(id);
	client_free(a);
	client_free(b);
}
END_TEST

/* One evaluation of the filter tests: what it is, and a word to spot it. */
struct sample {
	const char	*title;
	const char	*design;
	const char	*region;
	const char	*year;
	const char	*outcome;
	const char	*direction;
	const char	*measure;
	const char	*outcome2;
	const char	*direction2;
	const char	*measure2;
	const char	*spot;	/* as the title shows in HTML */
};

static const struct sample samples[] = {
	{ "Allotment wellbeing study", "rct", "North West", "2021",
	  "wellbeing", "improved", "WEMWBS", NULL, NULL, NULL,
	  "Allotment wellbeing study" },
	{ "Befriending telephone calls", "qualitative", "London", "2022",
	  "loneliness", "no_change", "UCLA loneliness scale", NULL, NULL,
	  NULL, "Befriending telephone calls" },
	{ "Arts on prescription trial", "rct", "London", "2022",
	  "wellbeing", "no_change", "SWEMWBS", "loneliness", "improved",
	  "Campaign to End Loneliness tool", "Arts on prescription trial" },
	{ "Green gym costs", "economic", "South West", "2020",
	  "cost_roi", "improved", "Social return on investment", NULL, NULL,
	  NULL, "Green gym costs" },
	{ "=HYPERLINK(\"http://evil.example/\",\"Formula study\")",
	  "before_after", "North West", "2019", "gp_consultations", "worse",
	  "Appointments counted", NULL, NULL, NULL,
	  "&quot;Formula study&quot;" },
};
#define NSAMPLES	(sizeof(samples) / sizeof(samples[0]))

/* A node holding the samples and nothing else. */
static void
start_with_samples(void)
{
	struct client *c;
	const struct sample *s;
	struct resp *r;
	char k[4][64];
	size_t i;

	start();
	c = signed_in(CONTRIB, contrib_pw);
	for (i = 0; i < NSAMPLES; i++) {
		s = &samples[i];
		snprintf(k[0], sizeof(k[0]), "%s_direction", s->outcome);
		snprintf(k[1], sizeof(k[1]), "%s_measure", s->outcome);
		snprintf(k[2], sizeof(k[2]), "%s_direction",
		    s->outcome2 ? s->outcome2 : "unused_a");
		snprintf(k[3], sizeof(k[3]), "%s_measure",
		    s->outcome2 ? s->outcome2 : "unused_b");
		r = form_post(c, "/evidence/new", "/evidence/new", "title",
		    s->title, "region", s->region, "year", s->year, "design",
		    s->design, "abstract", "What the scheme did and found.",
		    "measured", s->outcome, "measured",
		    s->outcome2 ? s->outcome2 : "", k[0], s->direction, k[1], s->measure, k[2],
		    s->direction2 ? s->direction2 : "", k[3],
		    s->measure2 ? s->measure2 : "", NULL);
		ck_assert_int_eq(r->status, 303);
		resp_free(r);
	}
	client_free(c);
}

/*
 * The list at path shows exactly the samples named by want (indexes,
 * ending with -1), and says how many.
 */
static void
lists_exactly(struct client *c, const char *path, const int *want)
{
	struct resp *r = http_get(c, path);
	char count[64];
	size_t i;
	int n = 0, j, wanted;

	ck_assert_int_eq(r->status, 200);
	for (i = 0; i < NSAMPLES; i++) {
		for (wanted = 0, j = 0; want[j] != -1; j++)
			if ((size_t)want[j] == i)
				wanted = 1;
		n += wanted;
		if (wanted != resp_has(r, samples[i].spot))
			ck_abort_msg("%s: %s %s", path, samples[i].title,
			    wanted ? "missing" : "shown");
	}
	snprintf(count, sizeof(count), "<strong>Showing %d %s", n,
	    n == 1 ? "evaluation" : "evaluations");
	ck_assert_msg(resp_has(r, count), "%s: not %s", path, count);
	resp_free(r);
}

START_TEST(test_each_filter_lists_exactly_the_matching_evaluations)
{
	struct client *anon = client_new(node);
	static const int all[] = { 0, 1, 2, 3, 4, -1 };
	static const int rct[] = { 0, 2, -1 };
	static const int lonely[] = { 1, 2, -1 };
	static const int improved[] = { 0, 2, 3, -1 };
	static const int wellbeing_improved[] = { 0, -1 };
	static const int wellbeing_same[] = { 2, -1 };
	static const int london[] = { 1, 2, -1 };
	static const int y2022[] = { 1, 2, -1 };
	static const int y2020[] = { 3, -1 };
	static const int ucla[] = { 1, -1 };
	static const int allot[] = { 0, -1 };
	static const int london_rct[] = { 2, -1 };
	static const int none[] = { -1 };
	struct resp *r;
	const char *arts, *befriending;

	lists_exactly(anon, "/evidence", all);
	lists_exactly(anon, "/evidence?design=rct", rct);
	lists_exactly(anon, "/evidence?outcome=loneliness", lonely);
	lists_exactly(anon, "/evidence?direction=improved", improved);
	/* Outcome and finding together mean the same outcome's finding. */
	lists_exactly(anon, "/evidence?outcome=wellbeing&direction=improved",
	    wellbeing_improved);
	lists_exactly(anon, "/evidence?outcome=wellbeing&direction=no_change",
	    wellbeing_same);
	lists_exactly(anon, "/evidence?outcome=ae_attendance", none);
	lists_exactly(anon, "/evidence?region=London", london);
	lists_exactly(anon, "/evidence?year=2022", y2022);
	lists_exactly(anon, "/evidence?year=2020", y2020);
	lists_exactly(anon, "/evidence?region=London&design=rct", london_rct);
	/* The form as the page sends it: the other choices left at "All". */
	lists_exactly(anon, "/evidence?q=&design=rct&outcome=&direction="
	    "&region=&year=", rct);
	lists_exactly(anon, "/evidence?q=&design=&outcome=&direction="
	    "&region=&year=2022", y2022);
	/* A word found only in an outcome's measure, and a word's start. */
	lists_exactly(anon, "/evidence?q=ucla", ucla);
	lists_exactly(anon, "/evidence?q=allot", allot);
	lists_exactly(anon, "/evidence?q=nothing+like+this", none);

	/* Newest year first. */
	r = http_get(anon, "/evidence?region=London");
	arts = strstr(r->body, "Arts on prescription trial");
	befriending = strstr(r->body, "Befriending telephone calls");
	ck_assert_ptr_nonnull(arts);
	ck_assert_ptr_nonnull(befriending);
	ck_assert(arts < befriending);	/* same year: by title */
	ck_assert(resp_has(r, "/evidence.csv?region=London"));
	resp_free(r);

	/* A filter the list does not offer is refused, with a message. */
	r = http_get(anon, "/evidence?design=astrology");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select a study design from the list"));
	resp_free(r);
	r = http_get(anon, "/evidence?direction=sideways");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select a finding from the list"));
	resp_free(r);
	r = http_get(anon, "/evidence?outcome=happiness");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Select an outcome from the list"));
	resp_free(r);
	client_free(anon);
}
END_TEST

/*
 * A CSV file as rows of cells (RFC 4180: quoted cells may hold commas,
 * doubled quotes and line breaks; rows end with CRLF).  Returns the
 * number of rows; cells[row][col] are allocated.
 */
#define CSV_ROWS	16
#define CSV_COLS	48

static int
csv_read(const char *s, char *cells[CSV_ROWS][CSV_COLS], int *ncols)
{
	int row = 0, col = 0, quoted;
	char cell[1024];
	size_t n;

	memset(cells, 0, sizeof(char *) * CSV_ROWS * CSV_COLS);
	while (*s != '\0' && row < CSV_ROWS) {
		n = 0;
		quoted = *s == '"';
		if (quoted)
			s++;
		for (; *s != '\0' && n < sizeof(cell) - 1; s++) {
			if (quoted && *s == '"' && s[1] == '"')
				cell[n++] = *s++;
			else if (quoted && *s == '"')
				quoted = 0;
			else if (!quoted && (*s == ',' || *s == '\r'))
				break;
			else
				cell[n++] = *s;
		}
		cell[n] = '\0';
		ck_assert_int_lt(col, CSV_COLS);
		cells[row][col++] = strdup(cell);
		if (*s == ',') {
			s++;
			continue;
		}
		ck_assert(s[0] == '\r' && s[1] == '\n');
		s += 2;
		ncols[row++] = col;
		col = 0;
	}
	return row;
}

static void
csv_free(char *cells[CSV_ROWS][CSV_COLS])
{
	int i, j;

	for (i = 0; i < CSV_ROWS; i++)
		for (j = 0; j < CSV_COLS; j++)
			free(cells[i][j]);
}

/* The column headed name, or -1. */
static int
csv_column(char *cells[CSV_ROWS][CSV_COLS], int ncols, const char *name)
{
	int j;

	for (j = 0; j < ncols; j++)
		if (strcmp(cells[0][j], name) == 0)
			return j;
	return -1;
}

/* The row whose Title is title, or -1. */
static int
csv_row_of(char *cells[CSV_ROWS][CSV_COLS], int rows, const char *title)
{
	int i;

	for (i = 1; i < rows; i++)
		if (strcmp(cells[i][0], title) == 0)
			return i;
	return -1;
}

START_TEST(test_csv_has_the_filtered_rows_with_outcome_columns)
{
	struct client *anon = client_new(node);
	char *cells[CSV_ROWS][CSV_COLS];
	int ncols[CSV_ROWS], rows, arts, bef, i;
	struct resp *r;

	r = http_get(anon, "/evidence.csv?region=London");
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "Content-Type: text/csv; charset=utf-8"));
	ck_assert(header_has(r, "Content-Disposition: attachment"));
	ck_assert(strncmp(r->body, "\xef\xbb\xbf", 3) == 0);
	rows = csv_read(r->body + 3, cells, ncols);
	resp_free(r);
	ck_assert_int_eq(rows, 3);	/* the heading and two evaluations */
	for (i = 1; i < rows; i++)
		ck_assert_int_eq(ncols[i], ncols[0]);
	ck_assert_int_eq(ncols[0], 8 + 8 * 3 + 2);
	ck_assert_str_eq(cells[0][0], "Title");
	arts = csv_row_of(cells, rows, "Arts on prescription trial");
	bef = csv_row_of(cells, rows, "Befriending telephone calls");
	ck_assert_int_ne(arts, -1);
	ck_assert_int_ne(bef, -1);
	ck_assert_str_eq(cells[arts][csv_column(cells, ncols[0],
	    "Study design")], "Randomised controlled trial");
	ck_assert_str_eq(cells[arts][csv_column(cells, ncols[0], "Year")],
	    "2022");
	ck_assert_str_eq(cells[arts][csv_column(cells, ncols[0],
	    "Wellbeing: finding")], "No change");
	ck_assert_str_eq(cells[arts][csv_column(cells, ncols[0],
	    "Wellbeing: measure")], "SWEMWBS");
	ck_assert_str_eq(cells[arts][csv_column(cells, ncols[0],
	    "Loneliness: finding")], "Improved");
	ck_assert_str_eq(cells[arts][csv_column(cells, ncols[0],
	    "Loneliness: measure")], "Campaign to End Loneliness tool");
	ck_assert_str_eq(cells[arts][csv_column(cells, ncols[0],
	    "GP consultations: finding")], "");
	ck_assert_str_eq(cells[bef][csv_column(cells, ncols[0],
	    "Loneliness: finding")], "No change");
	ck_assert_str_eq(cells[bef][csv_column(cells, ncols[0],
	    "Loneliness: measure")], "UCLA loneliness scale");
	ck_assert_str_eq(cells[bef][csv_column(cells, ncols[0],
	    "Wellbeing: finding")], "");
	ck_assert_ptr_nonnull(strstr(cells[bef][csv_column(cells, ncols[0],
	    "Link")], "/evidence/"));
	csv_free(cells);

	/* The same filters as the page: outcome with finding, and a word. */
	r = http_get(anon, "/evidence.csv?outcome=wellbeing"
	    "&direction=improved");
	rows = csv_read(r->body + 3, cells, ncols);
	resp_free(r);
	ck_assert_int_eq(rows, 2);
	ck_assert_str_eq(cells[1][0], "Allotment wellbeing study");
	csv_free(cells);

	/* A filter the list would refuse is refused, not ignored. */
	r = http_get(anon, "/evidence.csv?design=bogus");
	ck_assert_int_eq(r->status, 400);
	ck_assert(!resp_has(r, "Allotment wellbeing study"));
	resp_free(r);

	/* A title a spreadsheet would run as a formula stays text. */
	r = http_get(anon, "/evidence.csv?year=2019");
	rows = csv_read(r->body + 3, cells, ncols);
	resp_free(r);
	ck_assert_int_eq(rows, 2);
	ck_assert_str_eq(cells[1][0],
	    "'=HYPERLINK(\"http://evil.example/\",\"Formula study\")");
	ck_assert_str_eq(cells[1][csv_column(cells, ncols[0],
	    "GP consultations: finding")], "Worse");
	csv_free(cells);
	client_free(anon);
}
END_TEST

/*
 * A valid evaluation's fields but for name=value, which replaces that
 * field's value or, for an outcome's field, comes besides them.
 */
static struct resp *
add_with(struct client *c, const char *name, const char *value)
{
	static const char *const good[][2] = {
		{ "title", "Validation study" }, { "region", "North West" },
		{ "year", "2020" }, { "design", "rct" },
		{ "abstract", "A trial of link workers." },
		{ "sample_size", "120" }, { "follow_up", "6" },
	};
	const char *v[7];
	size_t i;

	for (i = 0; i < 7; i++)
		v[i] = strcmp(good[i][0], name) == 0 ? value : good[i][1];
	return form_post(c, "/evidence/new", "/evidence/new",
	    good[0][0], v[0], good[1][0], v[1], good[2][0], v[2],
	    good[3][0], v[3], good[4][0], v[4], good[5][0], v[5],
	    good[6][0], v[6], "measured", strncmp(name, "wellbeing_", 10) ==
	    0 ? "wellbeing" : "", name, value, NULL);
}

START_TEST(test_each_refused_field_says_why_and_stores_nothing)
{
	static const struct {
		const char	*name;
		const char	*value;
		const char	*message;
	} cases[] = {
		{ "title", "", "Enter the evaluation's title" },
		{ "design", "", "Select a study design" },
		{ "year", "", "Enter the year it was published" },
		{ "abstract", "", "Enter a summary of what the evaluation did "
		  "and found" },
		{ "year", "1850", "Enter a year from 1980 to next year" },
		{ "year", "MMXX", "Enter the year as 4 digits" },
		{ "follow_up", "999", "Follow-up period must be 240 months or "
		  "fewer" },
		{ "sample_size", "many", "Sample size must be a whole number" },
		{ "design", "horoscope", "Select a study design from the "
		  "list" },
		{ "region", "Atlantis", "Select a region from the list" },
		{ "wellbeing_direction", "better", "Wellbeing: select what "
		  "the evaluation found from the list" },
		{ "wellbeing_measure", "WEMWBS", "Wellbeing: select what the "
		  "evaluation found" },
		{ "measured", "horoscopes", "Select the outcomes from the "
		  "list" },
	};
	struct client *c = signed_in(CONTRIB, contrib_pw);
	long evaluations = num("SELECT count(*) FROM evaluations", NULL);
	long revisions = num("SELECT count(*) FROM evaluation_revisions",
	    NULL);
	struct resp *r;
	char shown[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = add_with(c, cases[i].name, cases[i].value);
		ck_assert_ptr_nonnull(r);
		ck_assert_msg(r->status == 422, "%s=%s: %ld", cases[i].name,
		    cases[i].value, r->status);
		ck_assert_msg(resp_has(r, cases[i].message), "%s=%s: no \"%s\"",
		    cases[i].name, cases[i].value, cases[i].message);
		/* What was typed is still there to correct. */
		if (*cases[i].value != '\0' &&
		    strcmp(cases[i].name, "design") != 0 &&
		    strcmp(cases[i].name, "region") != 0 &&
		    strcmp(cases[i].name, "measured") != 0 &&
		    strcmp(cases[i].name, "wellbeing_direction") != 0) {
			snprintf(shown, sizeof(shown), "value=\"%s\"",
			    cases[i].value);
			ck_assert_msg(resp_has(r, shown), "%s lost",
			    cases[i].value);
		}
		resp_free(r);
	}
	ck_assert_int_eq(num("SELECT count(*) FROM evaluations", NULL),
	    evaluations);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluation_revisions",
	    NULL), revisions);

	/* The same form with nothing wrong is saved. */
	r = add_with(c, "unknown_field", "");
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluations", NULL),
	    evaluations + 1);
	client_free(c);
}
END_TEST

/* Markup in a page only ever as text. */
static void
shows_as_text(struct client *c, const char *path, const char *const *want)
{
	struct resp *r = http_get(c, path);

	ck_assert_msg(r->status == 200, "%s: %ld", path, r->status);
	for (; *want != NULL; want++)
		ck_assert_msg(resp_has(r, *want), "%s: no %s", path, *want);
	ck_assert_msg(!resp_has(r, "<script>alert"), "%s: script", path);
	ck_assert_msg(!resp_has(r, "<b>bold"), "%s: bold", path);
	resp_free(r);
}

#define ESC(n)	"&lt;script&gt;alert(" #n ")&lt;/script&gt;"

START_TEST(test_markup_in_every_field_is_shown_as_text)
{
	struct client *c = signed_in(CONTRIB, contrib_pw);
	struct resp *r;
	char path[160], *id;
	static const char *const show[] = { ESC(8), ESC(2), ESC(3), ESC(5),
	    ESC(6), NULL };
	static const char *const old[] = { ESC(1), NULL };
	static const char *const list[] = { ESC(8), ESC(2), ESC(3), NULL };
	static const char *const history[] = { ESC(8), ESC(7), ESC(9), NULL };
	static const char *const compare[] = { ESC(1), ESC(8), ESC(4),
	    ESC(5), ESC(6), NULL };
	static const char *const form[] = { ESC(8), ESC(2), ESC(3), ESC(4),
	    ESC(5), ESC(6), NULL };
	static const char *const search[] = { ESC(8), NULL };

	r = form_post(c, "/evidence/new", "/evidence/new",
	    "title", "<script>alert(1)</script> Markup study",
	    "scheme", "<script>alert(2)</script>",
	    "area", "<script>alert(3)</script>",
	    "region", "North West", "year", "2024", "design", "qualitative",
	    "abstract", "Markup <script>alert(4)</script> <b>bold</b>",
	    "measured", "wellbeing", "wellbeing_direction", "improved",
	    "wellbeing_measure", "<script>alert(5)</script>",
	    "wellbeing_figure", "<script>alert(6)</script>",
	    "summary", "<script>alert(7)</script>", NULL);
	id = saved_id(r);
	resp_free(r);
	path_of(path, sizeof(path), id, "/edit");
	r = form_post(c, path, path,
	    "base", "1", "title", "<script>alert(8)</script> Markup study",
	    "scheme", "<script>alert(2)</script>",
	    "area", "<script>alert(3)</script>",
	    "region", "North West", "year", "2024", "design", "qualitative",
	    "abstract", "Markup <script>alert(4)</script> <b>bold</b>",
	    "measured", "wellbeing", "wellbeing_direction", "improved",
	    "wellbeing_measure", "<script>alert(5)</script>",
	    "wellbeing_figure", "<script>alert(6)</script>",
	    "summary", "<script>alert(9)</script>", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);

	path_of(path, sizeof(path), id, "");
	shows_as_text(c, path, show);
	path_of(path, sizeof(path), id, "?revision=1");
	shows_as_text(c, path, old);
	shows_as_text(c, "/evidence?q=markup", list);
	path_of(path, sizeof(path), id, "/history");
	shows_as_text(c, path, history);
	path_of(path, sizeof(path), id, "/compare?from=1&to=2");
	shows_as_text(c, path, compare);
	path_of(path, sizeof(path), id, "/edit");
	shows_as_text(c, path, form);
	shows_as_text(c, "/search?q=markup", search);
	free(id);
	client_free(c);
}
END_TEST

/* Hex SHA-256 of len bytes, as the node should store it. */
static void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	ck_assert(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) == 1);
	ck_assert_uint_eq(n, 32);
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/*
 * Sends a file from the evaluation's Reports page, as a browser's
 * multipart form would, with the token from a page c can open.
 */
static struct resp *
upload(struct client *c, const char *id, const char *filename,
    const void *data, size_t len)
{
	char page[128], *csrf, *body;
	struct mpart *m;
	size_t total;
	struct resp *r;

	path_of(page, sizeof(page), id, "");
	csrf = page_csrf(c, page);
	ck_assert_ptr_nonnull(csrf);
	ck_assert_ptr_nonnull(m = mpart_new());
	mpart_field(m, "csrf", csrf);
	mpart_file(m, "file", filename, "application/pdf", data, len);
	ck_assert_ptr_nonnull(body = mpart_end(m, &total));
	path_of(page, sizeof(page), id, "/files");
	r = http_post_multipart(c, page, body, total);
	free(body);
	free(csrf);
	return r;
}

/* A small PDF whose body holds bytes of every kind, NUL included. */
static char *
pdf_make(const char *note, size_t size, size_t *len)
{
	static const char head[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
	    "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
	    "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
	    "3 0 obj\n<< /Length 256 >>\nstream\n";
	static const char foot[] = "\nendstream\nendobj\ntrailer\n"
	    "<< /Root 1 0 R >>\n%%EOF\n";
	char *p;
	size_t n = 0, i, fill;

	fill = 256 + strlen(note) + sizeof(head) + sizeof(foot);
	if (size < fill)
		size = fill;
	p = malloc(size);
	ck_assert_ptr_nonnull(p);
	memcpy(p, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	for (i = 0; i < 256; i++)
		p[n++] = (char)i;
	memcpy(p + n, note, strlen(note));
	n += strlen(note);
	/* Padding to the size asked for, before the trailer. */
	fill = size - n - (sizeof(foot) - 1);
	memset(p + n, ' ', fill);
	n += fill;
	memcpy(p + n, foot, sizeof(foot) - 1);
	n += sizeof(foot) - 1;
	*len = n;
	return p;
}

static long
files_of(const char *id)
{
	return num("SELECT count(*) FROM evaluation_files"
	    " WHERE evaluation = $1", id);
}

START_TEST(test_pdf_report_stored_hashed_and_downloaded_unchanged)
{
	struct client *c = signed_in(CONTRIB, contrib_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char hex[65], path[160], etag[80], inm[96], *id, *fid, *v, *pdf;
	size_t len;

	id = add(c, "Report attached", "rct", "North West", "2023",
	    "wellbeing", "improved", "WEMWBS");
	pdf = pdf_make("first report", 0, &len);
	ck_assert(memchr(pdf, '\0', len) != NULL);
	sha256_hex(pdf, len, hex);

	r = upload(c, id, "report-2023.pdf", pdf, len);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(files_of(id), 1);
	v = text("SELECT sha256 FROM evaluation_files WHERE evaluation = $1",
	    id);
	ck_assert_str_eq(v, hex);
	free(v);
	v = text("SELECT concat_ws('|', filename, size, media_type,"
	    " length(content) = size) FROM evaluation_files"
	    " WHERE evaluation = $1", id);
	snprintf(path, sizeof(path), "report-2023.pdf|%zu|application/pdf|t",
	    len);
	ck_assert_str_eq(v, path);
	free(v);
	fid = text("SELECT id FROM evaluation_files WHERE evaluation = $1",
	    id);

	/* The evaluation's page lists it with its hash. */
	path_of(path, sizeof(path), id, "");
	r = http_get(anon, path);
	ck_assert(resp_has(r, "report-2023.pdf"));
	ck_assert(resp_has(r, hex));
	ck_assert(resp_has(r, fid));
	resp_free(r);

	/* Anyone downloads it byte for byte, as a sandboxed attachment. */
	snprintf(path, sizeof(path), "/evidence/files/%s", fid);
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert_uint_eq(r->len, len);
	ck_assert(memcmp(r->body, pdf, len) == 0);
	ck_assert(header_has(r, "Content-Type: application/pdf\r\n"));
	ck_assert(header_has(r, "Content-Disposition: attachment; "
	    "filename=\"report-2023.pdf\""));
	ck_assert(header_has(r, "Content-Security-Policy: sandbox\r\n"));
	ck_assert(header_has(r, "X-Content-Type-Options: nosniff"));
	snprintf(etag, sizeof(etag), "ETag: \"%s\"", hex);
	ck_assert(header_has(r, etag));
	resp_free(r);
	/* A copy the reader already has is not sent again. */
	snprintf(inm, sizeof(inm), "If-None-Match: \"%s\"", hex);
	client_header(anon, inm);
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 304);
	ck_assert_uint_eq(r->len, 0);
	resp_free(r);

	/* The same file again is refused, and kept once. */
	r = upload(c, id, "copy-of-report.pdf", pdf, len);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "This report is already attached to the "
	    "evaluation"));
	resp_free(r);
	ck_assert_int_eq(files_of(id), 1);
	free(pdf);
	free(fid);
	free(id);
	client_free(c);
	client_free(anon);
}
END_TEST

START_TEST(test_files_that_are_not_pdfs_are_refused_and_not_stored)
{
	static const char html[] = "<!DOCTYPE html><html><body><script>"
	    "alert(1)</script></body></html>\n%%EOF\n";
	static const char png[] = "\x89PNG\r\n\x1a\n"
	    "\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
	    "\0\0\0\nIDATx\x9c" "c\0\x01\0\0\x05\0\x01\r\n-\xb4"
	    "\0\0\0\0IEND\xae" "B`\x82";
	static const struct {
		const char	*name;
		const char	*data;
		size_t		 len;
		const char	*message;
	} bad[] = {
		{ "page.pdf", html, sizeof(html) - 1,
		  "The file must be a PDF" },
		{ "chart.png", png, sizeof(png) - 1, "The file must be a PDF" },
		{ "empty.pdf", "", 0, "Choose a PDF report to attach" },
	};
	struct client *c = signed_in(CONTRIB, contrib_pw);
	struct resp *r;
	char *id, *pdf;
	size_t len, i;

	id = add(c, "Refused files", "qualitative", "North West", "2023",
	    NULL, NULL, NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = upload(c, id, bad[i].name, bad[i].data, bad[i].len);
		ck_assert_msg(r->status == 422, "%s: %ld", bad[i].name,
		    r->status);
		ck_assert_msg(resp_has(r, bad[i].message), "%s",
		    bad[i].name);
		resp_free(r);
	}
	/* A PDF cut short: its start is right, its end is missing. */
	pdf = pdf_make("cut short", 0, &len);
	r = upload(c, id, "partial.pdf", pdf, len - 12);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "This file is not a PDF, or is not complete"));
	resp_free(r);
	free(pdf);
	ck_assert_int_eq(files_of(id), 0);
	free(id);
	client_free(c);
}
END_TEST

START_TEST(test_file_over_the_upload_limit_gets_413_and_is_not_stored)
{
	struct client *c = signed_in(CONTRIB, contrib_pw);
	struct resp *r;
	char *id, *pdf, path[160];
	size_t len;

	id = add(c, "Large report", "rct", "North West", "2023", NULL, NULL,
	    NULL);
	/* Just over the limit, and far over it. */
	pdf = pdf_make("just over", MAX_UPLOAD + 1, &len);
	r = upload(c, id, "large.pdf", pdf, len);
	ck_assert_int_eq(r->status, 413);
	ck_assert(resp_has(r, "Files can be up to 64 kB."));
	resp_free(r);
	free(pdf);
	pdf = pdf_make("far over", 4 * MAX_UPLOAD, &len);
	r = upload(c, id, "larger.pdf", pdf, len);
	ck_assert_int_eq(r->status, 413);
	ck_assert(resp_has(r, "Files can be up to 64 kB."));
	resp_free(r);
	free(pdf);
	ck_assert_int_eq(files_of(id), 0);

	/* A file of exactly the limit is taken; the page says what it is. */
	pdf = pdf_make("at the limit", MAX_UPLOAD, &len);
	r = upload(c, id, "limit.pdf", pdf, len);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	free(pdf);
	ck_assert_int_eq(files_of(id), 1);
	path_of(path, sizeof(path), id, "/files");
	r = http_get(c, path);
	ck_assert(resp_has(r, "A PDF of up to <span>64 kB</span>."));
	resp_free(r);
	free(id);
	client_free(c);
}
END_TEST

START_TEST(test_file_name_kept_as_a_clean_base_name)
{
	struct client *c = signed_in(CONTRIB, contrib_pw);
	struct resp *r;
	char *id, *pdf, *v, path[160];
	size_t len;

	id = add(c, "Named reports", "rct", "North West", "2023", NULL, NULL,
	    NULL);
	pdf = pdf_make("unix path", 0, &len);
	r = upload(c, id, "../../etc/\x01pass\twd\x7f.pdf", pdf, len);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	free(pdf);
	pdf = pdf_make("windows path", 0, &len);
	r = upload(c, id, "C:\\Users\\ann\\Desktop\\Final report", pdf, len);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	free(pdf);
	v = text("SELECT string_agg(filename, '|' ORDER BY filename)"
	    " FROM evaluation_files WHERE evaluation = $1", id);
	ck_assert_str_eq(v, "Final report.pdf|passwd.pdf");
	free(v);
	v = text("SELECT id FROM evaluation_files WHERE evaluation = $1"
	    " AND filename = 'passwd.pdf'", id);
	snprintf(path, sizeof(path), "/evidence/files/%s", v);
	free(v);
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "filename=\"passwd.pdf\""));
	resp_free(r);
	free(id);
	client_free(c);
}
END_TEST

START_TEST(test_report_name_with_markup_is_shown_as_text)
{
	struct client *c = signed_in(CONTRIB, contrib_pw);
	struct resp *r;
	char *id, *pdf, path[160];
	size_t len;

	id = add(c, "Report with a strange name", "rct", "North West", "2023",
	    NULL, NULL, NULL);
	pdf = pdf_make("strange name", 0, &len);
	/* No slash in it: that would make it a path. */
	r = upload(c, id, "<img src=x onerror=alert(10)>.pdf", pdf, len);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	free(pdf);
	path_of(path, sizeof(path), id, "");
	r = http_get(c, path);
	ck_assert(resp_has(r, "&lt;img src=x onerror=alert(10)&gt;.pdf"));
	ck_assert(!resp_has(r, "<img src=x"));
	resp_free(r);
	path_of(path, sizeof(path), id, "/files");
	r = http_get(c, path);
	ck_assert(resp_has(r, "&lt;img src=x onerror=alert(10)&gt;.pdf"));
	ck_assert(resp_has(r, "Remove &lt;img src=x onerror=alert(10)&gt;"
	    ".pdf"));
	ck_assert(!resp_has(r, "<img src=x"));
	resp_free(r);
	free(id);
	client_free(c);
}
END_TEST

START_TEST(test_removed_file_is_gone_and_members_cannot_attach)
{
	struct client *c = signed_in(CONTRIB, contrib_pw);
	struct client *m = signed_in(MEMBER, member_pw);
	struct resp *r;
	char *id, *fid, *pdf, path[160], download[160];
	size_t len;

	id = add(c, "Removed report", "rct", "North West", "2023", NULL, NULL,
	    NULL);
	pdf = pdf_make("to be removed", 0, &len);
	r = upload(c, id, "removed.pdf", pdf, len);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	fid = text("SELECT id FROM evaluation_files WHERE evaluation = $1",
	    id);
	snprintf(download, sizeof(download), "/evidence/files/%s", fid);

	/* A member can neither open the Reports page nor send a file. */
	path_of(path, sizeof(path), id, "/files");
	r = http_get(m, path);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = upload(m, id, "member.pdf", pdf, len - 1);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = form_post(m, "/evidence", path, "id", fid, NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(files_of(id), 1);

	/* Removed by a contributor: gone, and its download with it. */
	r = form_post(c, path, path, "id", fid, NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(files_of(id), 0);
	r = http_get(c, download);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	r = http_get(c, path);
	ck_assert(resp_has(r, "No report is attached yet."));
	ck_assert(!resp_has(r, "removed.pdf"));
	resp_free(r);
	free(pdf);
	free(fid);
	free(id);
	client_free(c);
	client_free(m);
}
END_TEST

START_TEST(test_coordinator_deletes_leaving_only_a_tombstone)
{
	struct client *c = signed_in(CONTRIB, contrib_pw);
	struct client *co = signed_in(COORD, coord_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char *id, *fid, *pdf, *v, page[160], del[160], download[160];
	size_t len;

	id = add(c, "Zebra crossing evaluation", "rct", "North West", "2023",
	    "wellbeing", "improved", "Quokka wellbeing index");
	edit(c, id, "Zebra crossing evaluation", "+1 point", "A second "
	    "revision");
	pdf = pdf_make("deleted with it", 0, &len);
	r = upload(c, id, "zebra.pdf", pdf, len);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	free(pdf);
	fid = text("SELECT id FROM evaluation_files WHERE evaluation = $1",
	    id);
	snprintf(download, sizeof(download), "/evidence/files/%s", fid);
	path_of(page, sizeof(page), id, "");
	path_of(del, sizeof(del), id, "/delete");

	/* A contributor may not delete. */
	r = http_get(c, del);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = form_post(c, page, del, "confirm", "yes", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	r = http_get(c, page);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Delete this evaluation"));
	resp_free(r);

	/* A coordinator must confirm, then it is gone. */
	r = http_get(co, page);
	ck_assert(resp_has(r, "Delete this evaluation"));
	resp_free(r);
	r = form_post(co, del, del, NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Tick the box to confirm"));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluations WHERE id = $1"
	    " AND NOT deleted", id), 1);
	r = form_post(co, del, del, "confirm", "yes", NULL);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->location, "/evidence"));
	resp_free(r);

	r = http_get(anon, page);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	r = http_get(anon, "/evidence");
	ck_assert(!resp_has(r, "Zebra crossing"));
	ck_assert(!resp_has(r, id));
	resp_free(r);
	r = http_get(anon, "/search?q=zebra");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Zebra crossing"));
	resp_free(r);
	r = http_get(anon, "/evidence?q=quokka");
	ck_assert(resp_has(r, "<strong>Showing 0 evaluations: search"));
	resp_free(r);
	r = http_get(anon, download);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	path_of(page, sizeof(page), id, "/history");
	r = http_get(anon, page);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);

	/* What is left: the id, that it was deleted, and nothing it said. */
	v = text("SELECT concat_ws('|', deleted, title IS NULL,"
	    " scheme IS NULL, summary IS NULL, year IS NULL,"
	    " created_by IS NULL, coalesce(search, '') = '')"
	    " FROM evaluations WHERE id = $1", id);
	ck_assert_str_eq(v, "t|t|t|t|t|t|t");
	free(v);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluation_revisions"
	    " WHERE evaluation = $1", id), 0);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluation_outcomes"
	    " WHERE evaluation = $1", id), 0);
	ck_assert_int_eq(files_of(id), 0);
	free(fid);
	free(id);
	client_free(c);
	client_free(co);
	client_free(anon);
}
END_TEST

START_TEST(test_bad_input_changes_nothing)
{
	struct client *c = signed_in(CONTRIB, contrib_pw);
	struct client *anon = client_new(node);
	static const char *const unknown[] = {
		"/evidence/00000000-0000-4000-8000-000000000000",
		"/evidence/00000000-0000-4000-8000-000000000000/edit",
		"/evidence/00000000-0000-4000-8000-000000000000/history",
		"/evidence/00000000-0000-4000-8000-000000000000/files",
		"/evidence/00000000-0000-4000-8000-000000000000/compare"
		"?from=1&to=2",
		"/evidence/files/00000000-0000-4000-8000-000000000000",
		"/evidence/not-an-id",
		"/evidence/not-an-id/edit",
		"/evidence/not-an-id/history",
		"/evidence/files/not-an-id",
		"/evidence/1%27%20OR%20%271%27=%271",
	};
	struct resp *r;
	char path[160], *id, *v;
	long before = num("SELECT count(*) FROM evaluations", NULL);
	size_t i;

	/* Without the form's token: refused, nothing stored or changed. */
	r = http_post(c, "/evidence/new", "title", "No token", "region",
	    "North West", "year", "2022", "design", "rct", "abstract",
	    "Text.", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluations", NULL),
	    before);
	id = add_rochdale(c, "Token test");
	path_of(path, sizeof(path), id, "/edit");
	r = http_post(c, path, "base", "1", "title", "Changed without token",
	    "region", "North West", "year", "2022", "design", "rct",
	    "abstract", "Text.", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	path_of(path, sizeof(path), id, "/restore");
	r = http_post(c, path, "revision", "1", NULL);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	v = text("SELECT title || '|' || revision FROM evaluations"
	    " WHERE id = $1", id);
	ck_assert_str_eq(v, "Token test|1");
	free(v);

	/* Ids that name nothing, or are not ids at all. */
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		r = http_get(c, unknown[i]);
		ck_assert_msg(r->status == 404, "%s: %ld", unknown[i],
		    r->status);
		resp_free(r);
	}
	/* Revisions that do not exist. */
	path_of(path, sizeof(path), id, "?revision=7");
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	path_of(path, sizeof(path), id, "/compare?from=1&to=7");
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	free(id);
	client_free(c);
	client_free(anon);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The form in steps                                                   */

/* The details every step test sends, as the hidden fields carry them. */
#define DETAILS	"title", "Steps study", "region", "North West", "year", \
	"2023", "design", "rct", "abstract", "A trial in three practices."

START_TEST(test_evaluation_steps_ask_only_the_chosen_outcomes)
{
	struct client *c = signed_in(CONTRIB, contrib_pw);
	long before = num("SELECT count(*) FROM evaluations", NULL);
	struct resp *r;
	char *csrf, *id, *v;

	/* First the details, with which outcomes were measured. */
	r = http_get(c, "/evidence/new");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Which outcomes did the evaluation measure?"));
	ck_assert(resp_has(r, "name=\"measured\" id=\"measured\" "
	    "value=\"gp_consultations\""));
	ck_assert(!resp_has(r, "name=\"wellbeing_direction\""));
	resp_free(r);
	csrf = page_csrf(c, "/evidence/new");

	/* Then the findings of the two chosen, and no others. */
	r = http_post(c, "/evidence/new", "csrf", csrf, DETAILS, "measured",
	    "wellbeing", "measured", "loneliness", "step", "findings", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "What did the evaluation find?"));
	ck_assert(resp_has(r, "name=\"wellbeing_direction\""));
	ck_assert(resp_has(r, "name=\"loneliness_measure\""));
	ck_assert(!resp_has(r, "name=\"gp_consultations_direction\""));
	ck_assert(!resp_has(r, "name=\"cost_roi_measure\""));
	/* The details travel on as hidden fields. */
	ck_assert(resp_has(r, "type=\"hidden\" name=\"title\" "
	    "value=\"Steps study\""));
	ck_assert(resp_has(r, "type=\"hidden\" name=\"measured\" "
	    "value=\"loneliness\""));
	resp_free(r);

	/* A chosen outcome must say what it found. */
	r = http_post(c, "/evidence/new", "csrf", csrf, DETAILS, "measured",
	    "wellbeing", "measured", "loneliness", "wellbeing_direction",
	    "improved", "step", "check", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "Loneliness: select what the evaluation "
	    "found"));
	ck_assert(resp_has(r, "What did the evaluation find?"));
	resp_free(r);

	/* Check answers: every answer with its Change button, nothing saved. */
	r = http_post(c, "/evidence/new", "csrf", csrf, DETAILS, "measured",
	    "wellbeing", "measured", "loneliness", "wellbeing_direction",
	    "improved", "wellbeing_measure", "WEMWBS", "wellbeing_figure",
	    "+3 points", "loneliness_direction", "no_change", "step", "check",
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Check your answers before saving"));
	ck_assert(resp_has(r, "Improved. Measure: WEMWBS. Result: +3 points"));
	ck_assert(resp_has(r, "No change"));
	ck_assert(resp_has(r, "Wellbeing\nLoneliness"));
	ck_assert(resp_has(r, "name=\"step\" value=\"details\" "
	    "formaction=\"/evidence/new#title\" class=\"link-button\">"
	    "Change<span class=\"visually-hidden\"> Title</span>"));
	ck_assert(resp_has(r, "name=\"step\" value=\"findings\" "
	    "formaction=\"/evidence/new#wellbeing_direction\""));
	ck_assert(resp_has(r, "type=\"hidden\" name=\"wellbeing_figure\" "
	    "value=\"+3 points\""));
	resp_free(r);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluations", NULL),
	    before);

	/* Change goes back to the details with the answers kept. */
	r = http_post(c, "/evidence/new", "csrf", csrf, DETAILS, "measured",
	    "wellbeing", "measured", "loneliness", "wellbeing_direction",
	    "improved", "wellbeing_measure", "WEMWBS", "loneliness_direction",
	    "no_change", "step", "details", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "id=\"title\" name=\"title\" type=\"text\" "
	    "value=\"Steps study\""));
	ck_assert(resp_has(r, "id=\"measured-3\" value=\"wellbeing\" "
	    "class=\"checkbox__input\" checked"));
	ck_assert(!resp_has(r, "value=\"gp_consultations\" "
	    "class=\"checkbox__input\" checked"));
	ck_assert(resp_has(r, "type=\"hidden\" name=\"wellbeing_measure\" "
	    "value=\"WEMWBS\""));
	resp_free(r);

	/* No outcome measured: straight from the details to the check. */
	r = http_post(c, "/evidence/new", "csrf", csrf, DETAILS, "step",
	    "findings", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Check your answers before saving"));
	ck_assert(resp_has(r, "<dd class=\"summary-list__value "
	    "summary-list__value--text\">None</dd>"));
	resp_free(r);

	/* Saved from the check page, with exactly the chosen outcomes. */
	r = http_post(c, "/evidence/new", "csrf", csrf, DETAILS, "measured",
	    "wellbeing", "measured", "loneliness", "wellbeing_direction",
	    "improved", "wellbeing_measure", "WEMWBS", "loneliness_direction",
	    "no_change", "summary", "From the report", "step", "save", NULL);
	id = saved_id(r);
	resp_free(r);
	v = text("SELECT string_agg(o->>'outcome' || '=' || (o->>'direction'),"
	    " ',') || '|' || max(summary) FROM evaluation_revisions,"
	    " jsonb_array_elements(record->'outcomes') o"
	    " WHERE evaluation = $1", id);
	ck_assert_str_eq(v, "wellbeing=improved,loneliness=no_change|"
	    "From the report");
	free(v);
	free(id);
	free(csrf);
	client_free(c);
}
END_TEST

/*
 * Hidden fields are read again on every step: someone who changes them
 * in the page, or sends a form of their own, gets the same refusals as
 * for typed answers, and nothing is saved.
 */
START_TEST(test_evaluation_hidden_fields_are_checked_again)
{
	static const struct {
		const char	*name;
		const char	*value;
		const char	*message;
		int		 status;
	} tampered[] = {
		{ "year", "1850", "Enter a year from 1980 to next year", 422 },
		{ "design", "horoscope", "Select a study design from the list",
		  422 },
		{ "region", "Atlantis", "Select a region from the list", 422 },
		{ "title", "Two\nlines", "Title must be on one line", 422 },
		{ "measured", "telepathy", "Select the outcomes from the list",
		  422 },
		{ "wellbeing_direction", "exploded", "Wellbeing: select what "
		  "the evaluation found from the list", 422 },
		{ "step", "publish-now", "About the evaluation", 200 },
	};
	struct client *c = signed_in(CONTRIB, contrib_pw);
	long evaluations = num("SELECT count(*) FROM evaluations", NULL);
	long revisions = num("SELECT count(*) FROM evaluation_revisions",
	    NULL);
	const char *f[32];
	struct resp *r;
	char *csrf = page_csrf(c, "/evidence/new"), *id, *v, path[160];
	size_t i, j;

	for (i = 0; i < sizeof(tampered) / sizeof(tampered[0]); i++) {
		static const char *const good[] = { "title", "Hidden study",
		    "region", "London", "year", "2022", "design", "rct",
		    "abstract", "Text.", "measured", "wellbeing",
		    "wellbeing_direction", "improved", "step", "save" };
		size_t n = 0;

		f[n++] = "csrf";
		f[n++] = csrf;
		/* The tampered value comes first: a repeat keeps the first. */
		f[n++] = tampered[i].name;
		f[n++] = tampered[i].value;
		for (j = 0; j < sizeof(good) / sizeof(good[0]); j += 2) {
			f[n++] = good[j];
			f[n++] = good[j + 1];
		}
		f[n] = NULL;
		r = http_post(c, "/evidence/new", f[0], f[1], f[2], f[3], f[4],
		    f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13],
		    f[14], f[15], f[16], f[17], f[18], f[19], NULL);
		ck_assert_ptr_nonnull(r);
		ck_assert_msg(r->status == tampered[i].status, "%s: %ld",
		    tampered[i].name, r->status);
		ck_assert_msg(resp_has(r, tampered[i].message), "%s: no \"%s\"",
		    tampered[i].name, tampered[i].message);
		resp_free(r);
	}
	ck_assert_int_eq(num("SELECT count(*) FROM evaluations", NULL),
	    evaluations);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluation_revisions",
	    NULL), revisions);

	/* An outcome that was not ticked is dropped, never saved. */
	r = http_post(c, "/evidence/new", "csrf", csrf, "title",
	    "Smuggled outcome", "region", "London", "year", "2022", "design",
	    "rct", "abstract", "Text.", "measured", "wellbeing",
	    "wellbeing_direction", "improved", "cost_roi_direction", "worse",
	    "cost_roi_figure", "smuggled", "step", "save", NULL);
	id = saved_id(r);
	resp_free(r);
	v = text("SELECT string_agg(o->>'outcome', ',') FROM"
	    " evaluation_revisions, jsonb_array_elements(record->'outcomes') o"
	    " WHERE evaluation = $1", id);
	ck_assert_str_eq(v, "wellbeing");
	free(v);
	ck_assert_int_eq(num("SELECT count(*) FROM evaluation_outcomes"
	    " WHERE figure = $1", "smuggled"), 0);

	/* An edit whose revision was changed to nonsense saves nothing. */
	path_of(path, sizeof(path), id, "/edit");
	r = http_post(c, path, "csrf", csrf, "base", "many", "title",
	    "Smuggled outcome, changed", "region", "London", "year", "2022",
	    "design", "rct", "abstract", "Text.", "measured", "wellbeing",
	    "wellbeing_direction", "improved", "step", "save", NULL);
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "The form did not say which revision"));
	resp_free(r);
	v = text("SELECT title || '|' || revision FROM evaluations"
	    " WHERE id = $1", id);
	ck_assert_str_eq(v, "Smuggled outcome|1");
	free(v);

	/* The node still serves. */
	r = http_get(c, "/evidence");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	free(id);
	free(csrf);
	client_free(c);
}
END_TEST

/*
 * An edit starts at the check page with the stored answers; a save
 * based on a revision someone else replaced meanwhile comes back to the
 * check page as an edit conflict, the answers kept and based anew.
 */
START_TEST(test_evaluation_edit_checks_answers_and_still_finds_conflicts)
{
	struct client *a = signed_in(CONTRIB, contrib_pw);
	struct client *b = signed_in(CONTRIB2, contrib2_pw);
	struct resp *r;
	char path[160], *id, *csrf, *v;

	id = add_rochdale(a, "Edited in steps");
	path_of(path, sizeof(path), id, "/edit");
	r = http_get(a, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Check your answers before saving"));
	ck_assert(resp_has(r, ">Edited in steps</dd>"));
	ck_assert(resp_has(r, "Improved. Measure: SWEMWBS. Result: +2.0 "
	    "points"));
	ck_assert(resp_has(r, "type=\"hidden\" name=\"base\" value=\"1\""));
	ck_assert(resp_has(r, "Change<span class=\"visually-hidden\"> "
	    "Wellbeing</span>"));
	ck_assert(resp_has(r, "Save your changes"));
	resp_free(r);
	csrf = page_csrf(a, path);

	/* Change: the details page of the stored record. */
	r = http_post(a, path, "csrf", csrf, "base", "1", "title",
	    "Edited in steps", "region", "North West", "year", "2021",
	    "design", "before_after", "abstract", "Text.", "measured",
	    "wellbeing", "wellbeing_direction", "improved", "step", "details",
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Change the details"));
	ck_assert(resp_has(r, "value=\"wellbeing\" class=\"checkbox__input\" "
	    "checked"));
	resp_free(r);

	/* Someone else saves revision 2 meanwhile. */
	edit(b, id, "Edited in steps, by Dina", "+2.2 points", "Dina's fix");

	/* The save from revision 1 is refused; nothing is lost. */
	r = http_post(a, path, "csrf", csrf, "base", "1", "title",
	    "Edited in steps, by Cyril", "region", "North West", "year",
	    "2021", "design", "before_after", "abstract", "Text.", "measured",
	    "wellbeing", "wellbeing_direction", "improved", "wellbeing_figure",
	    "+2.4 points", "summary", "Cyril's fix", "step", "save", NULL);
	ck_assert_int_eq(r->status, 409);
	ck_assert(resp_has(r, "Edit conflict"));
	ck_assert(resp_has(r, "Check your answers before saving"));
	ck_assert(resp_has(r, "Revision 2 by Dina Contributor"));
	ck_assert(resp_has(r, ">Edited in steps, by Cyril</dd>"));
	ck_assert(resp_has(r, "type=\"hidden\" name=\"base\" value=\"2\""));
	ck_assert(resp_has(r, "value=\"Cyril's fix\""));
	resp_free(r);
	v = text("SELECT title || '|' || revision FROM evaluations"
	    " WHERE id = $1", id);
	ck_assert_str_eq(v, "Edited in steps, by Dina|2");
	free(v);
	free(csrf);
	free(id);
	client_free(a);
	client_free(b);
}
END_TEST

/*
 * Above the list, what it is narrowed by, with a link removing each
 * filter alone and one clearing them all; the filters themselves fold
 * away in a "Filter results" block.
 */
START_TEST(test_filter_summary_names_filters_and_removes_each)
{
	struct client *anon = client_new(node);
	struct resp *r;

	r = http_get(anon, "/evidence");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<strong>Showing 5 evaluations</strong>"));
	ck_assert(!resp_has(r, "Clear filters"));
	ck_assert(resp_has(r, "<details class=\"filter\">\n  <summary "
	    "class=\"filter__summary\">Filter results</summary>"));
	resp_free(r);

	r = http_get(anon, "/evidence?q=&design=rct&outcome=wellbeing"
	    "&direction=&region=London&year=");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<strong>Showing 1 evaluation: design "
	    "Randomised controlled trial, outcome Wellbeing, region London"
	    "</strong>"));
	ck_assert(resp_has(r, "<a href=\"/evidence\">Clear filters</a>"));
	/* Each remove link keeps the other filters. */
	ck_assert(resp_has(r, "href=\"/evidence?outcome=wellbeing&amp;"
	    "region=London\" class=\"filter-summary__remove\">Remove filter"
	    ": <span>design Randomised controlled trial</span>"));
	ck_assert(resp_has(r, "href=\"/evidence?design=rct&amp;"
	    "region=London\" class"));
	ck_assert(resp_has(r, "href=\"/evidence?design=rct&amp;"
	    "outcome=wellbeing\" class"));
	ck_assert(resp_has(r, "/evidence.csv?design=rct&amp;outcome=wellbeing"
	    "&amp;region=London"));
	resp_free(r);

	/* A search is named in quotes, and markup in it stays text. */
	r = http_get(anon, "/evidence?q=%3Cb%3Eallot");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "search \xe2\x80\x9c&lt;b&gt;allot"
	    "\xe2\x80\x9d"));
	ck_assert(!resp_has(r, "<b>allot"));
	resp_free(r);

	/* A refused filter opens the block to correct it. */
	r = http_get(anon, "/evidence?design=astrology");
	ck_assert_int_eq(r->status, 422);
	ck_assert(resp_has(r, "<details class=\"filter\" open"));
	resp_free(r);
	client_free(anon);
}
END_TEST

/*
 * The list comes a page at a time, and the links to other pages keep
 * the filters.
 */
START_TEST(test_evidence_list_pages_keep_the_filters)
{
	struct client *c = signed_in(CONTRIB, contrib_pw);
	struct client *anon = client_new(node);
	char *csrf = page_csrf(c, "/evidence/new"), title[64];
	struct resp *r;
	int i;

	for (i = 1; i <= 23; i++) {
		snprintf(title, sizeof(title), "Paged study %02d", i);
		r = http_post(c, "/evidence/new", "csrf", csrf, "title", title,
		    "region", "South West", "year", "2020", "design", "mixed_methods",
		    "abstract", "Paging.", "step", "save", NULL);
		ck_assert_int_eq(r->status, 303);
		resp_free(r);
	}
	r = http_get(anon, "/evidence?q=paged");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Showing 23 evaluations: search"));
	ck_assert_int_eq(occurrences(r, "<li class=\"member-card\">"), 20);
	ck_assert(resp_has(r, "Paged study 01"));
	ck_assert(resp_has(r, "Paged study 20"));
	ck_assert(!resp_has(r, "Paged study 21"));
	ck_assert(resp_has(r, "Page 1 of 2"));
	ck_assert(resp_has(r, "rel=\"next\" href=\"/evidence?q=paged&amp;"
	    "page=2\""));
	resp_free(r);
	r = http_get(anon, "/evidence?q=paged&page=2");
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(occurrences(r, "<li class=\"member-card\">"), 3);
	ck_assert(resp_has(r, "Paged study 23"));
	ck_assert(!resp_has(r, "Paged study 20"));
	ck_assert(resp_has(r, "Page 2 of 2"));
	ck_assert(resp_has(r, "rel=\"prev\" href=\"/evidence?q=paged&amp;"
	    "page=1\""));
	resp_free(r);
	free(csrf);
	client_free(c);
	client_free(anon);
}
END_TEST

/* Compare can show only what changed, each change in words. */
START_TEST(test_compare_marks_changes_and_hides_unchanged)
{
	struct client *a = signed_in(CONTRIB, contrib_pw);
	struct client *anon = client_new(node);
	struct resp *r;
	char path[200], *id;

	id = add_rochdale(a, "Compared study");
	edit(a, id, "Compared study, renamed", "+2.0 points", "Title only");
	path_of(path, sizeof(path), id, "/compare?from=1&to=2");
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "1 field changed: Title."));
	ck_assert(resp_has(r, "<del><span class=\"visually-hidden\">Removed: "
	    "</span><span class=\"compare-fields__text\">Compared study"
	    "</span></del>"));
	ck_assert(resp_has(r, "<ins><span class=\"visually-hidden\">Added: "
	    "</span><span class=\"compare-fields__text\">Compared study, "
	    "renamed</span></ins>"));
	ck_assert(resp_has(r, "data-label=\"Revision 1\""));
	ck_assert(resp_has(r, "<span>Scheme</span>"));
	ck_assert(resp_has(r, "compare?from=1&amp;to=2&amp;changed=1\">Hide "
	    "unchanged fields</a>"));
	resp_free(r);
	path_of(path, sizeof(path), id, "/compare?from=1&to=2&changed=1");
	r = http_get(anon, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "1 field changed: Title."));
	ck_assert(resp_has(r, "<span>Title</span>"));
	ck_assert(!resp_has(r, "<span>Scheme</span>"));
	ck_assert(!resp_has(r, "<span>Wellbeing</span>"));
	ck_assert(resp_has(r, "Show all fields"));
	ck_assert(!resp_has(r, "Hide unchanged fields"));
	resp_free(r);
	free(id);
	client_free(a);
	client_free(anon);
}
END_TEST

Suite *
evidence_suite(void)
{
	Suite *s = suite_create("evidence");
	TCase *tc;

	tc = tcase_create("evidence");
	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc,
	    test_contributor_adds_evaluation_shown_with_every_field);
	tcase_add_test(tc,
	    test_member_refused_until_coordinator_makes_them_contributor);
	tcase_add_test(tc, test_edits_make_revisions_compare_and_restore);
	tcase_add_test(tc,
	    test_concurrent_saves_one_wins_one_conflicts_nothing_lost);
	tcase_add_test(tc, test_each_refused_field_says_why_and_stores_nothing);
	tcase_add_test(tc, test_markup_in_every_field_is_shown_as_text);
	tcase_add_test(tc,
	    test_pdf_report_stored_hashed_and_downloaded_unchanged);
	tcase_add_test(tc,
	    test_files_that_are_not_pdfs_are_refused_and_not_stored);
	tcase_add_test(tc,
	    test_file_over_the_upload_limit_gets_413_and_is_not_stored);
	tcase_add_test(tc, test_file_name_kept_as_a_clean_base_name);
	tcase_add_test(tc, test_report_name_with_markup_is_shown_as_text);
	tcase_add_test(tc,
	    test_removed_file_is_gone_and_members_cannot_attach);
	tcase_add_test(tc, test_coordinator_deletes_leaving_only_a_tombstone);
	tcase_add_test(tc, test_bad_input_changes_nothing);
	tcase_add_test(tc, test_evaluation_steps_ask_only_the_chosen_outcomes);
	tcase_add_test(tc, test_evaluation_hidden_fields_are_checked_again);
	tcase_add_test(tc,
	    test_evaluation_edit_checks_answers_and_still_finds_conflicts);
	tcase_add_test(tc, test_evidence_list_pages_keep_the_filters);
	tcase_add_test(tc, test_compare_marks_changes_and_hides_unchanged);
	suite_add_tcase(s, tc);

	/* The filters count every evaluation: a node of their own. */
	tc = tcase_create("evidence filters");
	tcase_add_unchecked_fixture(tc, start_with_samples, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc,
	    test_each_filter_lists_exactly_the_matching_evaluations);
	tcase_add_test(tc, test_csv_has_the_filtered_rows_with_outcome_columns);
	tcase_add_test(tc, test_filter_summary_names_filters_and_removes_each);
	suite_add_tcase(s, tc);
	return s;
}
