/*
 * Coordinators' pages: approving or refusing people who asked to join
 * this node, and the admins' page of who holds which role.  A
 * coordinator sees and decides only the requests of their own region
 * (acorn_looks_after); an admin, every request.  A refused request is
 * erased like an account, after a page that asks first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define APPROVALS_PAGE	20
#define ROLES_PAGE	50

/* Also what a request outside the coordinator's region gets: nothing. */
static const char already_done[] =
    "That request had already been dealt with, or is not yours to decide.";

/* The columns of admin_list's query. */
enum {
	AL_ID, AL_NAME, AL_EMAIL, AL_ORGANISATION, AL_GROUP, AL_REGION,
	AL_CREATED, AL_TOTAL
};

static int
admin_list(struct request *r, const char *done)
{
	struct view *v, *m;
	const char *p[3];
	char me[32];
	struct pager pg;
	PGresult *res;
	int i, n;

	if ((v = page_view(r, "Membership approvals")) == NULL)
		return http_error(r, 500);
	view_set(v, "done_text", done);
	snprintf(me, sizeof(me), "%ld", r->account->id);
	pager_init(&pg, r, APPROVALS_PAGE);
	p[0] = me;
	p[1] = pg.offset;
	p[2] = pg.limit;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT m.id, m.name, a.email, m.organisation, m.stakeholder,"
	    " m.region, " SQL_LONDON("a.created", LONDON_STAMP) ","
	    " count(*) OVER ()"
	    " FROM accounts a JOIN members m ON m.id = a.member"
	    " WHERE" SQL_PENDING_FOR("$1")
	    " ORDER BY a.created, a.id LIMIT $3 OFFSET $2", 3, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		const char *label;
		char *id;

		if ((m = view_add(v, "pending")) == NULL)
			break;
		view_set(m, "id", PQgetvalue(res, i, AL_ID));
		view_set(m, "name", PQgetvalue(res, i, AL_NAME));
		view_set(m, "email", PQgetvalue(res, i, AL_EMAIL));
		view_set(m, "organisation", db_value(res, i, AL_ORGANISATION));
		label = stakeholder_label(PQgetvalue(res, i, AL_GROUP));
		view_set(m, "group", label);
		view_set(m, "region", PQgetvalue(res, i, AL_REGION));
		view_set(m, "created", PQgetvalue(res, i, AL_CREATED));
		view_setf(m, "approve_label", "Approve %s",
		    PQgetvalue(res, i, AL_NAME));
		view_setf(m, "reject_label", "Refuse %s",
		    PQgetvalue(res, i, AL_NAME));
		if ((id = util_url_encode(PQgetvalue(res, i, AL_ID))) != NULL)
			view_setf(m, "reject_href",
			    "/admin/members/reject?id=%s", id);
		free(id);
		pg.total = strtol(PQgetvalue(res, i, AL_TOTAL), NULL, 10);
	}
	PQclear(res);
	if (pg.total > 0)
		view_setf(v, "count_text", "%ld %s waiting for approval.",
		    pg.total, pg.total == 1 ? "person is" : "people are");
	/* Page links go to the list, whichever of its actions showed it. */
	r->url = "/admin/members";
	view_pager(v, r, &pg);
	return http_page(r, 200, "admin_members", v);
}

int
admin_members(struct request *r)
{
	return admin_list(r, NULL);
}

int
admin_approve(struct request *r)
{
	const char *id = r->form.f[KEY_ID].text, *p[2];
	char by[32], *who = NULL, *done;
	PGresult *res;
	int rc;

	if (id == NULL)
		return http_error(r, 400);
	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = id;
	p[1] = by;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK, "UPDATE accounts a SET"
	    " status = 'active', approved = now(), approved_by = $2"
	    " FROM members m WHERE m.id = a.member AND a.member = $1"
	    " AND" SQL_PENDING_FOR("$2") " RETURNING m.name", 2, p);
	if (res == NULL) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	if (PQntuples(res) == 1)
		who = util_strdup(PQgetvalue(res, 0, DB_ONLY));
	PQclear(res);
	if (who == NULL) {	/* a double click is not an error */
		db_rollback(r->db);
		return admin_list(r, already_done);
	}
	if (audit_commit(r->db, r->account->id, "approve", id) == -1) {
		free(who);
		return http_error(r, 503);
	}
	done = util_printf("%s is approved and can now sign in.", who);
	rc = admin_list(r, done);
	free(done);
	free(who);
	return rc;
}

/* The columns of reject_find's query. */
enum { RJ_NAME, RJ_EMAIL, RJ_ACCOUNT };

/*
 * The request from member id that the viewer may still decide, its row
 * locked FOR UPDATE when lock is set (in the caller's transaction); NULL
 * with *gone set when there is none, or NULL on failure.
 */
static PGresult *
reject_find(struct request *r, const char *id, int lock, int *gone)
{
	const char *p[2];
	char by[32];
	PGresult *res;

	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = id;
	p[1] = by;
	*gone = 0;
	res = db_query(r->db, PGRES_TUPLES_OK, lock ?
	    "SELECT m.name, a.email, a.id FROM accounts a"
	    " JOIN members m ON m.id = a.member WHERE a.member = $1"
	    " AND" SQL_PENDING_FOR("$2") " FOR UPDATE OF a, m" :
	    "SELECT m.name, a.email, a.id FROM accounts a"
	    " JOIN members m ON m.id = a.member WHERE a.member = $1"
	    " AND" SQL_PENDING_FOR("$2"), 2, p);
	if (res != NULL && PQntuples(res) != 1) {
		PQclear(res);
		*gone = 1;
		return NULL;
	}
	return res;
}

/* GET /admin/members/reject?id=…: what refusing will do, and the button. */
static int
reject_ask(struct request *r, const char *id)
{
	struct confirm c = { 0 };
	char *heading = NULL, *told = NULL;
	PGresult *res;
	int gone, rc;

	if ((res = reject_find(r, id, 0, &gone)) == NULL)
		return gone ? admin_list(r, already_done) :
		    http_error(r, 503);
	heading = util_printf("Refuse the request from %s?",
	    PQgetvalue(res, 0, RJ_NAME));
	told = cfg->smtp_url[0] != '\0' ? util_printf("%s will get an email "
	    "at %s saying that their request was refused, with your reason "
	    "if you give one.", PQgetvalue(res, 0, RJ_NAME),
	    PQgetvalue(res, 0, RJ_EMAIL)) : util_strdup("This node cannot "
	    "send email, so they will not be told: they will find out if "
	    "they try to sign in.");
	PQclear(res);
	if (heading == NULL || told == NULL) {
		rc = http_error(r, 500);
		goto done;
	}
	c.heading = heading;
	c.what[0] = "Their request to join is refused and everything they "
	    "gave when joining is erased: their name, email address and "
	    "profile. This cannot be undone; they can ask to join again.";
	c.what[1] = told;
	c.action = "/admin/members/reject";
	c.fields[0] = "id";
	c.fields[1] = id;
	c.button = "Yes, refuse the request";
	c.back = "/admin/members";
	if (cfg->smtp_url[0] != '\0')
		c.reason_hint = "If you give a reason, it goes in the email "
		    "they get.";
	rc = page_confirm(r, &c);
done:
	free(heading);
	free(told);
	return rc;
}

/*
 * Refuses a request: the check that it is still waiting and the
 * viewer's to decide holds its row until the erasure, in the same
 * transaction, commits.  The person is told, with the reason given, in
 * that transaction too, when the node sends mail.  GET only asks.
 */
int
admin_reject(struct request *r)
{
	const char *id = r->form.f[KEY_ID].text;
	const char *reason = r->form.f[KEY_REASON].text;
	char *who = NULL, *done;
	PGresult *res;
	long account;
	int rc, gone;

	if (id == NULL || r->form.f[KEY_REASON].error != FIELD_OK)
		return http_error(r, 400);
	if (r->method != METHOD_POST)
		return reject_ask(r, id);
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	if ((res = reject_find(r, id, 1, &gone)) == NULL) {
		db_rollback(r->db);
		return gone ? admin_list(r, already_done) :
		    http_error(r, 503);
	}
	who = util_strdup(PQgetvalue(res, 0, RJ_NAME));
	account = strtol(PQgetvalue(res, 0, RJ_ACCOUNT), NULL, 10);
	rc = who == NULL ? -1 : 0;
	if (rc == 0 && cfg->smtp_url[0] != '\0')
		rc = account_mail(r->db, account, PQgetvalue(res, 0, RJ_EMAIL),
		    "Your request to join was not accepted", "Hello %s,\n\n"
		    "A coordinator of %s has not accepted your request to "
		    "join, and the details you gave when joining have been "
		    "erased.%s%s\n\nIf you think this is a mistake, you can "
		    "ask to join again at %s/join.\n", who, cfg->node_name,
		    reason != NULL && *reason != '\0' ? "\n\nThe reason they "
		    "gave:\n\n" : "", reason != NULL ? reason : "",
		    cfg->public_url);
	PQclear(res);
	if (rc == -1) {
		db_rollback(r->db);
		free(who);
		return http_error(r, 503);
	}
	if (member_erase(r->db, id, r->account->id, "refuse") == -1) {
		free(who);
		return http_error(r, 503);
	}
	done = util_printf("The request from %s was refused and their "
	    "details erased.", who);
	rc = admin_list(r, done);
	free(done);
	free(who);
	return rc;
}

/* The columns of roles_change's query. */
enum { RC_NAME, RC_ROLE, RC_REGION };

/*
 * An admin gives the account of member id role and moves it to region
 * (NULL: where it is); the sentence saying what changed (malloc'd), or NULL with *status set
 * to the page's status when it could not.  An admin's own account is
 * changed by another admin or `acorn user add`, so the node is never
 * left without an admin by a slip of the mouse.
 */
static char *
roles_change(struct request *r, const char *id, const char *role,
    const char *region, unsigned int *status)
{
	const char *p[2];
	PGresult *res;
	char action[32], *done = NULL, *name = NULL, *here = NULL;
	int new_role, new_region;

	if (strcmp(id, r->account->member) == 0) {
		*status = 403;
		return util_strdup("You cannot change your own role or region: "
		    "ask another administrator.");
	}
	*status = 503;
	p[0] = id;
	p[1] = role;
	if (db_begin(r->db) == -1)
		return NULL;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT m.name, a.role,"
	    " m.region FROM accounts a JOIN members m ON m.id = a.member"
	    " WHERE a.member = $1 AND a.status = 'active'"
	    " AND m.origin = (SELECT id FROM node) AND NOT m.deleted"
	    " FOR UPDATE OF a, m", 1, p);
	if (res == NULL)
		goto fail;
	if (PQntuples(res) != 1) {
		PQclear(res);
		db_rollback(r->db);
		*status = 404;
		return util_strdup("That person has no active account here.");
	}
	new_role = strcmp(PQgetvalue(res, 0, RC_ROLE), role) != 0;
	new_region = region != NULL &&
	    strcmp(PQgetvalue(res, 0, RC_REGION), region) != 0;
	name = util_strdup(PQgetvalue(res, 0, RC_NAME));
	here = util_strdup(region != NULL ? region : PQgetvalue(res, 0,
	    RC_REGION));
	PQclear(res);
	if (name == NULL || here == NULL)
		goto fail;
	snprintf(action, sizeof(action), "role_%s", role);
	if (new_role && (db_exec(r->db, "UPDATE accounts SET role = $2"
	    " WHERE member = $1", 2, p) == -1 ||
	    audit(r->db, r->account->id, action, id) == -1))
		goto fail;
	/* A new region is a new version of the profile, for its peers. */
	p[1] = region;
	if (new_region && (db_exec(r->db, "UPDATE members SET region = $2,"
	    " updated = now() WHERE id = $1", 2, p) == -1 ||
	    audit(r->db, r->account->id, "region", id) == -1))
		goto fail;
	if (db_commit(r->db) == -1)
		goto fail;
	*status = 200;
	if (!new_role && !new_region)
		done = util_printf("Nothing changed for %s.", name);
	else
		done = util_printf("%s now has the role %s, in the %s "
		    "region.", name, account_role_label(role), here);
	free(name);
	free(here);
	return done;
fail:
	db_rollback(r->db);
	free(name);
	free(here);
	return NULL;
}

/* The columns of roles_ask's query. */
enum { RA_NAME, RA_ROLE };

/*
 * A change that takes a role away (to a lesser one) asks first, as it
 * takes away what the person could do and see.  1 when it has answered
 * the request (*rc) with the question; 0 when the change goes ahead:
 * it gives a role or keeps it, it was confirmed, or there is no such
 * person (roles_change says so).
 */
static int
roles_ask(struct request *r, const char *id, const char *role,
    const char *region, int *rc)
{
	const char *p[1] = { id };
	struct confirm c = { 0 };
	char *heading = NULL, *what = NULL;
	PGresult *res;
	int from, to;

	if (r->form.f[KEY_CONFIRM].num == 1 ||
	    strcmp(id, r->account->member) == 0)
		return 0;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT m.name, a.role"
	    " FROM accounts a JOIN members m ON m.id = a.member"
	    " WHERE a.member = $1 AND a.status = 'active'", 1, p);
	if (res == NULL) {
		*rc = http_error(r, 503);
		return 1;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	from = code_index(account_role_codes, PQgetvalue(res, 0, RA_ROLE));
	to = code_index(account_role_codes, role);
	if (to >= from) {
		PQclear(res);
		return 0;
	}
	heading = util_printf("Take away the role %s from %s?",
	    account_role_label(PQgetvalue(res, 0, RA_ROLE)),
	    PQgetvalue(res, 0, RA_NAME));
	what = util_printf("%s will be a %s from now on, and can no longer "
	    "do what a %s does: %s", PQgetvalue(res, 0, RA_NAME),
	    account_role_label(role), account_role_label(PQgetvalue(res, 0,
	    RA_ROLE)), from >= code_index(account_role_codes, "coordinator") ?
	    "approve members, see unlisted members of their region and run "
	    "events." : "add and update evaluations in the evidence library.");
	PQclear(res);
	if (heading == NULL || what == NULL) {
		*rc = http_error(r, 500);
		goto done;
	}
	c.heading = heading;
	c.what[0] = what;
	c.what[1] = "You or another administrator can give the role back "
	    "later.";
	c.action = "/admin/roles";
	c.fields[0] = "id";
	c.fields[1] = id;
	c.fields[2] = "role";
	c.fields[3] = role;
	c.fields[4] = "region";
	c.fields[5] = region != NULL ? region : "";
	c.fields[6] = "confirm";
	c.fields[7] = "yes";
	c.button = "Yes, take the role away";
	c.back = "/admin/roles";
	*rc = page_confirm(r, &c);
done:
	free(heading);
	free(what);
	return 1;
}

/* The columns of admin_roles' list of people. */
enum { AR_ID, AR_NAME, AR_EMAIL, AR_ROLE, AR_REGION, AR_TOTAL };

/*
 * GET and POST /admin/roles, for admins: who holds which role, and in
 * which region.  Roles are the admins' alone, because a coordinator who
 * could make coordinators could also make one in another region, and
 * through them see that region's people.
 */
int
admin_roles(struct request *r)
{
	const char *id = r->form.f[KEY_ID].text, *role, *region, *q, *p[3];
	struct view *v, *m;
	struct pager pg;
	PGresult *res;
	char *done = NULL;
	unsigned int status = 200;
	int i, n, rc;

	if (r->method == METHOD_POST) {
		role = r->form.f[KEY_ROLE].text;
		region = r->form.f[KEY_REGION].text;
		if (region != NULL && *region == '\0')
			region = NULL;
		if (id == NULL || account_role_label(role) == NULL ||
		    r->form.f[KEY_REGION].error != FIELD_OK)
			return http_error(r, 400);
		if (roles_ask(r, id, role, region, &rc))
			return rc;
		if ((done = roles_change(r, id, role, region, &status)) ==
		    NULL)
			return http_error(r, status);
	}
	if ((v = page_view(r, "Roles")) == NULL) {
		free(done);
		return http_error(r, 500);
	}
	view_set(v, status == 200 ? "done_text" : "refused_text", done);
	free(done);
	view_codes(v, "roles", account_role_codes, account_role_labels);
	view_regions(v);
	q = view_field(v, r, KEY_Q, NULL);
	pager_init(&pg, r, ROLES_PAGE);
	p[0] = q != NULL ? q : "";
	p[1] = pg.offset;
	p[2] = pg.limit;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT m.id, m.name, a.email,"
	    " a.role, m.region, count(*) OVER () FROM accounts a"
	    " JOIN members m ON m.id = a.member"
	    " WHERE a.status = 'active' AND ($1 = ''"
	    "  OR strpos(lower(m.name || ' ' || a.email || ' ' || m.region),"
	    "  lower($1)) > 0)"
	    " ORDER BY a.role = 'member', lower(m.name), m.id"
	    " LIMIT $3 OFFSET $2", 3, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		const char *rl = PQgetvalue(res, i, AR_ROLE),
		    *who = PQgetvalue(res, i, AR_NAME);

		if ((m = view_add(v, "people")) == NULL)
			break;
		view_set(m, "id", PQgetvalue(res, i, AR_ID));
		view_set(m, "name", who);
		view_set(m, "email", PQgetvalue(res, i, AR_EMAIL));
		view_set(m, "region", PQgetvalue(res, i, AR_REGION));
		view_set(m, "role_code", rl);
		view_set(m, "role", account_role_label(rl));
		view_flag(m, "is_me", strcmp(PQgetvalue(res, i, AR_ID),
		    r->account->member) == 0);
		view_setf(m, "role_label", "Role of %s", who);
		view_setf(m, "region_label", "Region of %s", who);
		view_setf(m, "save_label", "Save the role and region of %s",
		    who);
		pg.total = strtol(PQgetvalue(res, i, AR_TOTAL), NULL, 10);
	}
	view_flag(v, "none", n == 0);
	PQclear(res);
	view_pager(v, r, &pg);
	return http_page(r, status, "admin_roles", v);
}
