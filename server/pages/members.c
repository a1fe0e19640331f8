/*
 * Member profiles and the directory: the home page, a member's own
 * profile, /members with search and filters, and one member's page.
 * Anyone sees listed profiles, this node's and those its peers shared;
 * a coordinator also sees every member of their own region who joined
 * this node, and an admin every member who joined this node
 * (acorn_looks_after), once the address they joined with is confirmed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define PAGE_SIZE	20

/*
 * The account asking, as acorn_looks_after's viewer: "0", nobody, for
 * a visitor.  Whom it may see unlisted is the schema's rule.
 */
static void
viewer(const struct request *r, char out[32])
{
	snprintf(out, 32, "%ld", r->account != NULL ? r->account->id : 0L);
}

/*
 * Whom viewer (a parameter, as viewer() writes it) sees, of members m
 * LEFT JOIN accounts a: listed profiles once their account is in use
 * (acorn_profile_ready), and those they look after; never a profile
 * whose address nobody has confirmed, which proves nothing about who
 * made it.  A visitor (0) looks after nobody: saying so here lets the
 * planner drop the look-up, a call for every unlisted member, from the
 * pages most people see.
 */
#define SQL_VISIBLE(viewer) \
	" NOT m.deleted AND (a.id IS NULL OR a.confirmed IS NOT NULL)" \
	" AND ((m.listed" \
	"   AND acorn_profile_ready(a.id, a.confirmed, a.status))" \
	"  OR (" viewer " <> 0 AND m.origin = (SELECT id FROM node)" \
	"  AND acorn_looks_after(" viewer ", m.region)))"

/* The columns of members_home's query. */
enum { MH_LISTED, MH_PENDING };

int
members_home(struct request *r)
{
	struct view *v;
	const char *p[1];
	char me[32];
	PGresult *res;
	long listed, pending;

	if ((v = page_view(r, cfg->node_name)) == NULL)
		return http_error(r, 500);
	viewer(r, me);
	p[0] = me;
	/* The requests waiting for this coordinator, not everyone's. */
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT (SELECT count(*) FROM members m LEFT JOIN accounts a"
	    "  ON a.member = m.id WHERE m.listed AND NOT m.deleted"
	    "  AND acorn_profile_ready(a.id, a.confirmed, a.status)),"
	    " (SELECT count(*) FROM accounts a JOIN members m"
	    "  ON m.id = a.member WHERE" SQL_PENDING_FOR("$1") ")",
	    1, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	listed = strtol(PQgetvalue(res, 0, MH_LISTED), NULL, 10);
	pending = strtol(PQgetvalue(res, 0, MH_PENDING), NULL, 10);
	view_setf(v, "listed_text", "%ld %s chosen to be listed in the "
	    "network directory.", listed, listed == 1 ? "member has" :
	    "members have");
	view_setf(v, "pending_text", "%ld %s waiting for approval.", pending,
	    pending == 1 ? "person is" : "people are");
	PQclear(res);
	return http_page(r, 200, "home", v);
}

static void
set_group(struct view *v, const char *code)
{
	const char *label = stakeholder_label(code);

	view_set(v, "group", label != NULL ? label : code);
}

/* The columns of members_list's query, SQL_ORIGIN's three last. */
enum {
	ML_ID, ML_NAME, ML_ORGANISATION, ML_ROLE_TITLE, ML_GROUP, ML_REGION,
	ML_INTERESTS, ML_LISTED, ML_PENDING, ML_TOTAL, ML_RECEIVED
};

int
members_list(struct request *r)
{
	struct view *v, *m;
	const struct form *f = &r->form;
	const char *q, *group, *region, *p[6];
	char me[32];
	struct pager pg;
	PGresult *res;
	int i, n;

	if ((v = page_view(r, "Members")) == NULL)
		return http_error(r, 500);
	view_choices(v);
	/* A refused filter is ignored rather than guessed at. */
	q = f->f[KEY_Q].text ? f->f[KEY_Q].text : "";
	group = f->f[KEY_GROUP].text ? f->f[KEY_GROUP].text : "";
	region = f->f[KEY_REGION].text ? f->f[KEY_REGION].text : "";
	pager_init(&pg, r, PAGE_SIZE);
	view_set(v, "v_q", q);
	view_set(v, "v_group", group);
	view_set(v, "v_region", region);
	if (is_admin(r))
		view_flag(v, "admin_view", 1);
	else if (is_coordinator(r)) {
		view_flag(v, "coordinator_view", 1);
		view_set(v, "my_region", r->account->region);
	}
	viewer(r, me);
	p[0] = me;
	p[1] = q;
	p[2] = group;
	p[3] = region;
	p[4] = pg.offset;
	p[5] = pg.limit;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT m.id, m.name, m.organisation, m.role_title, m.stakeholder,"
	    " m.region, m.interests, m.listed, a.status = 'pending',"
	    " count(*) OVER (), " SQL_ORIGIN("m")
	    " FROM members m LEFT JOIN accounts a ON a.member = m.id"
	    SQL_KNOWN("m")
	    " WHERE" SQL_VISIBLE("$1")
	    " AND ($2 = '' OR m.search @@ acorn_prefix_query($2))"
	    " AND ($3 = '' OR m.stakeholder = $3)"
	    " AND ($4 = '' OR m.region = $4)"
	    " ORDER BY CASE WHEN $2 = '' THEN 0"
	    " ELSE ts_rank(m.search, acorn_prefix_query($2)) END DESC,"
	    " lower(m.name), m.id"
	    " LIMIT $6 OFFSET $5", 6, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((m = view_add(v, "members")) == NULL)
			break;
		view_setf(m, "href", "/members/%s", PQgetvalue(res, i, ML_ID));
		view_set(m, "name", PQgetvalue(res, i, ML_NAME));
		view_set(m, "organisation", db_value(res, i, ML_ORGANISATION));
		view_set(m, "role_title", db_value(res, i, ML_ROLE_TITLE));
		view_flag(m, "sep", !PQgetisnull(res, i, ML_ORGANISATION) &&
		    !PQgetisnull(res, i, ML_ROLE_TITLE));
		set_group(m, PQgetvalue(res, i, ML_GROUP));
		view_set(m, "region", PQgetvalue(res, i, ML_REGION));
		view_set(m, "interests", db_value(res, i, ML_INTERESTS));
		view_flag(m, "unlisted", strcmp(PQgetvalue(res, i, ML_LISTED),
		    "f") == 0);
		view_flag(m, "pending", strcmp(PQgetvalue(res, i, ML_PENDING),
		    "t") == 0);
		pg.total = strtol(PQgetvalue(res, i, ML_TOTAL), NULL, 10);
		origin_view(m, res, i, ML_RECEIVED);
	}
	PQclear(res);
	view_setf(v, "result_text", "%ld %s found", pg.total,
	    pg.total == 1 ? "member" : "members");
	view_pager(v, r, &pg);
	return http_page(r, 200, "members", v);
}

/* The columns of members_show's query, SQL_ORIGIN's three last. */
enum {
	MS_NAME, MS_ORGANISATION, MS_ROLE_TITLE, MS_GROUP, MS_REGION,
	MS_INTERESTS, MS_BIO, MS_LISTED, MS_PENDING, MS_UPDATED, MS_RECEIVED
};

int
members_show(struct request *r)
{
	struct view *v;
	const char *p[2];
	char me[32];
	PGresult *res;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	viewer(r, me);
	p[0] = r->arg;
	p[1] = me;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT m.name, m.organisation, m.role_title, m.stakeholder,"
	    " m.region, m.interests, m.bio, m.listed, a.status = 'pending',"
	    " " SQL_LONDON("m.updated", LONDON_DAY) ", " SQL_ORIGIN("m")
	    " FROM members m LEFT JOIN accounts a ON a.member = m.id"
	    SQL_KNOWN("m")
	    " WHERE m.id = $1 AND" SQL_VISIBLE("$2"), 2, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	if ((v = page_view(r, PQgetvalue(res, 0, MS_NAME))) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	view_set(v, "name", PQgetvalue(res, 0, MS_NAME));
	view_set(v, "organisation", db_value(res, 0, MS_ORGANISATION));
	view_set(v, "role_title", db_value(res, 0, MS_ROLE_TITLE));
	set_group(v, PQgetvalue(res, 0, MS_GROUP));
	view_set(v, "region", PQgetvalue(res, 0, MS_REGION));
	view_set(v, "interests", db_value(res, 0, MS_INTERESTS));
	view_set(v, "bio", db_value(res, 0, MS_BIO));
	view_flag(v, "unlisted", strcmp(PQgetvalue(res, 0, MS_LISTED),
	    "f") == 0);
	view_flag(v, "pending", strcmp(PQgetvalue(res, 0, MS_PENDING),
	    "t") == 0);
	view_set(v, "updated", PQgetvalue(res, 0, MS_UPDATED));
	origin_view(v, res, 0, MS_RECEIVED);
	PQclear(res);
	return http_page(r, 200, "member", v);
}

/*
 * Whether the signed-in person's region is not theirs to change.  A
 * coordinator's region is whose requests to join they decide and whose
 * unlisted profiles they see, so moving it would open another region's
 * people to them: an admin moves coordinators (/admin/roles).  Members
 * and contributors may move, as people change jobs: their region opens
 * nothing to them, since only coordinators and admins see unlisted
 * profiles, and it is their own profile's word on where they work.
 * Admins see every region already.
 */
static int
region_fixed(const struct request *r)
{
	return is_coordinator(r) && !is_admin(r);
}

/* The columns of profile_load's query. */
enum {
	MP_NAME, MP_ORGANISATION, MP_ROLE_TITLE, MP_GROUP, MP_REGION,
	MP_INTERESTS, MP_BIO, MP_LISTED
};

static int
profile_load(struct request *r, struct view *v)
{
	const char *p[1] = { r->account->member };
	PGresult *res;

	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT name, organisation, role_title, stakeholder, region,"
	    " interests, bio, listed FROM members WHERE id = $1", 1, p);
	if (res == NULL || PQntuples(res) != 1) {
		PQclear(res);
		return -1;
	}
	view_set(v, "v_name", db_value(res, 0, MP_NAME));
	view_set(v, "v_organisation", db_value(res, 0, MP_ORGANISATION));
	view_set(v, "v_role_title", db_value(res, 0, MP_ROLE_TITLE));
	view_set(v, "v_group", db_value(res, 0, MP_GROUP));
	view_set(v, "v_region", db_value(res, 0, MP_REGION));
	view_set(v, "v_interests", db_value(res, 0, MP_INTERESTS));
	view_set(v, "v_bio", db_value(res, 0, MP_BIO));
	view_flag(v, "v_listed", strcmp(PQgetvalue(res, 0, MP_LISTED),
	    "t") == 0);
	PQclear(res);
	return 0;
}

int
members_profile(struct request *r)
{
	struct view *v;
	const char *p[10];
	int listed;

	if ((v = page_view(r, "Your profile")) == NULL)
		return http_error(r, 500);
	view_choices(v);
	view_set(v, "email", r->account->email);
	view_set(v, "role", r->account->role);
	if (region_fixed(r)) {
		view_flag(v, "region_fixed", 1);
		view_set(v, "fixed_region", r->account->region);
	}
	if (r->method != METHOD_POST) {
		if (profile_load(r, v) == -1) {
			view_free(v);
			return http_error(r, 503);
		}
		view_flag(v, "saved", r->form.f[KEY_SAVED].num == 1);
		return http_page(r, 200, "profile", v);
	}
	listed = r->form.f[KEY_LISTED].num == 1;
	p[0] = r->account->member;
	p[1] = node_id;
	p[2] = view_field(v, r, KEY_NAME, "Enter your full name");
	p[3] = view_field(v, r, KEY_ORGANISATION, NULL);
	p[4] = view_field(v, r, KEY_ROLE_TITLE, NULL);
	p[5] = view_field(v, r, KEY_GROUP, "Select your stakeholder group");
	p[6] = view_field(v, r, KEY_REGION, "Select your region");
	p[7] = view_field(v, r, KEY_INTERESTS, NULL);
	p[8] = view_field(v, r, KEY_BIO, NULL);
	p[9] = listed ? "true" : "false";
	view_flag(v, "v_listed", listed);
	if (p[6] != NULL && region_fixed(r) &&
	    strcmp(p[6], r->account->region) != 0)
		view_error(v, "region", "You cannot move yourself to another "
		    "region as a coordinator: ask an administrator to move "
		    "you");
	if (view_has(v, "errors"))
		return http_page(r, 422, "profile", v);
	/*
	 * Only the origin changes a record; the schema gives each change
	 * peers will see a new version (acorn_take_seq).
	 */
	if (db_exec(r->db, "UPDATE members SET name = $3, organisation = $4,"
	    " role_title = $5, stakeholder = $6, region = $7, interests = $8,"
	    " bio = $9, listed = $10, updated = now()"
	    " WHERE id = $1 AND origin = $2 AND NOT deleted", 10, p) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	view_free(v);
	return http_redirect(r, "/profile?saved=yes");
}

/*
 * The members a search ($1) finds, for search.c, best first: those the
 * viewer ($2, as viewer() writes it) may see, as on /members.
 */
const char members_search_sql[] =
    "SELECT m.id, m.name, m.organisation, m.role_title, m.region"
    " FROM members m LEFT JOIN accounts a ON a.member = m.id"
    " WHERE" SQL_VISIBLE("$2")
    " AND m.search @@ acorn_prefix_query($1)"
    " ORDER BY ts_rank(m.search, acorn_prefix_query($1)) DESC,"
    " lower(m.name), m.id LIMIT 50";

enum { MSR_ID, MSR_NAME, MSR_ORGANISATION, MSR_ROLE_TITLE, MSR_REGION };

void
members_search_row(struct view *s, PGresult *res, int i)
{
	const char *org = db_value(res, i, MSR_ORGANISATION);
	const char *title = db_value(res, i, MSR_ROLE_TITLE);

	view_setf(s, "href", "/members/%s", PQgetvalue(res, i, MSR_ID));
	view_set(s, "result_title", PQgetvalue(res, i, MSR_NAME));
	view_setf(s, "meta", "%s%s%s%s%s", title != NULL ? title : "",
	    title != NULL && org != NULL ? ", " : "", org != NULL ? org : "",
	    title != NULL || org != NULL ? ". " : "",
	    PQgetvalue(res, i, MSR_REGION));
}
