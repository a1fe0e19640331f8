/*
 * Coordinators' pages: approving or refusing people who asked to join
 * this node, and the admins' page of who holds which role.  A
 * coordinator sees and decides only the requests of their own region
 * (acorn_looks_after); an admin, every request.  A refused request is
 * erased like an account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

/* Also what a request outside the coordinator's region gets: nothing. */
static const char already_done[] =
    "That request had already been dealt with, or is not yours to decide.";

/* The columns of admin_list's query. */
enum {
	AL_ID, AL_NAME, AL_EMAIL, AL_ORGANISATION, AL_GROUP, AL_REGION,
	AL_CREATED
};

static int
admin_list(struct request *r, const char *done)
{
	struct view *v, *m;
	const char *p[1];
	char me[32];
	PGresult *res;
	int i, n;

	if ((v = page_view(r, "Membership approvals")) == NULL)
		return http_error(r, 500);
	view_set(v, "done_text", done);
	snprintf(me, sizeof(me), "%ld", r->account->id);
	p[0] = me;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT m.id, m.name, a.email, m.organisation, m.stakeholder,"
	    " m.region, " SQL_LONDON("a.created", LONDON_STAMP)
	    " FROM accounts a JOIN members m ON m.id = a.member"
	    " WHERE" SQL_PENDING_FOR("$1")
	    " ORDER BY a.created, a.id", 1, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		const char *label;

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
	}
	PQclear(res);
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

/*
 * Refuses a request: the check that it is still waiting and the
 * viewer's to decide holds its row until the erasure, in the same
 * transaction, commits.
 */
int
admin_reject(struct request *r)
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
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT m.name FROM accounts a"
	    " JOIN members m ON m.id = a.member WHERE a.member = $1"
	    " AND" SQL_PENDING_FOR("$2") " FOR UPDATE OF a, m", 2, p);
	if (res == NULL) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	if (PQntuples(res) == 1)
		who = util_strdup(PQgetvalue(res, 0, DB_ONLY));
	PQclear(res);
	if (who == NULL) {
		db_rollback(r->db);
		return admin_list(r, already_done);
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

/* The columns of admin_roles' list of people. */
enum { AR_ID, AR_NAME, AR_EMAIL, AR_ROLE, AR_REGION };

/*
 * GET and POST /admin/roles, for admins: who holds which role, and in
 * which region.  Roles are the admins' alone, because a coordinator who
 * could make coordinators could also make one in another region, and
 * through them see that region's people.
 */
int
admin_roles(struct request *r)
{
	const char *id = r->form.f[KEY_ID].text, *role, *region, *q, *p[1];
	struct view *v, *m;
	PGresult *res;
	char *done = NULL;
	unsigned int status = 200;
	int i, n;

	if (r->method == METHOD_POST) {
		role = r->form.f[KEY_ROLE].text;
		region = r->form.f[KEY_REGION].text;
		if (region != NULL && *region == '\0')
			region = NULL;
		if (id == NULL || account_role_label(role) == NULL ||
		    r->form.f[KEY_REGION].error != FIELD_OK)
			return http_error(r, 400);
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
	p[0] = q != NULL ? q : "";
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT m.id, m.name, a.email,"
	    " a.role, m.region FROM accounts a JOIN members m"
	    " ON m.id = a.member"
	    " WHERE a.status = 'active' AND ($1 = ''"
	    "  OR strpos(lower(m.name || ' ' || a.email || ' ' || m.region),"
	    "  lower($1)) > 0)"
	    " ORDER BY a.role = 'member', lower(m.name), m.id"
	    " LIMIT 500", 1, p);
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
	}
	view_flag(v, "none", n == 0);
	PQclear(res);
	return http_page(r, status, "admin_roles", v);
}
