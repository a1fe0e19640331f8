/*
 * Coordinators' pages: approving or refusing people who asked to join
 * this node.  A refused request is erased like an account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

static const char already_done[] =
    "That request had already been dealt with.";

/* The columns of admin_list's query. */
enum {
	AL_ID, AL_NAME, AL_EMAIL, AL_ORGANISATION, AL_GROUP, AL_REGION,
	AL_CREATED
};

static int
admin_list(struct request *r, const char *done)
{
	struct view *v, *m;
	PGresult *res;
	int i, n;

	if ((v = page_view(r, "Membership approvals")) == NULL)
		return http_error(r, 500);
	view_set(v, "done_text", done);
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT m.id, m.name, a.email, m.organisation, m.stakeholder,"
	    " m.region, " SQL_LONDON("a.created", LONDON_STAMP)
	    " FROM accounts a JOIN members m ON m.id = a.member"
	    " WHERE a.status = 'pending' AND a.confirmed IS NOT NULL"
	    " ORDER BY a.created, a.id", 0, NULL);
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
	    " AND a.status = 'pending' AND a.confirmed IS NOT NULL"
	    " RETURNING m.name", 2, p);
	if (res == NULL)
		return http_error(r, 503);
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

int
admin_reject(struct request *r)
{
	const char *id = r->form.f[KEY_ID].text, *p[1];
	char *who = NULL, *done;
	PGresult *res;
	int rc;

	if (id == NULL)
		return http_error(r, 400);
	p[0] = id;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT m.name FROM accounts a"
	    " JOIN members m ON m.id = a.member"
	    " WHERE a.member = $1 AND a.status = 'pending'", 1, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) == 1)
		who = util_strdup(PQgetvalue(res, 0, DB_ONLY));
	PQclear(res);
	if (who == NULL)
		return admin_list(r, already_done);
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

/* The columns of admin_roles' list of people. */
enum { AR_ID, AR_NAME, AR_EMAIL, AR_ROLE };

/*
 * GET and POST /admin/roles: who may add and edit evaluations.  A
 * coordinator makes an active member a contributor, or a member again;
 * coordinators' own roles are changed with `acorn user add`.
 */
int
admin_roles(struct request *r)
{
	const char *id = r->form.f[KEY_ID].text, *role, *q, *p[2];
	struct view *v, *m;
	PGresult *res;
	char *done = NULL;
	int i, n;

	if (r->method == METHOD_POST) {
		role = r->form.f[KEY_ROLE].text;
		if (id == NULL || role == NULL || (strcmp(role, "member") != 0 &&
		    strcmp(role, "contributor") != 0))
			return http_error(r, 400);
		p[0] = id;
		p[1] = role;
		if (db_begin(r->db) == -1)
			return http_error(r, 503);
		res = db_query(r->db, PGRES_TUPLES_OK, "UPDATE accounts a"
		    " SET role = $2 FROM members m WHERE m.id = a.member"
		    " AND a.member = $1 AND a.status = 'active'"
		    " AND a.role IN ('member', 'contributor') RETURNING m.name",
		    2, p);
		if (res == NULL)
			return http_error(r, 503);
		if (PQntuples(res) == 1) {
			if (audit_commit(r->db, r->account->id,
			    strcmp(role, "member") == 0 ? "role_member" :
			    "role_contributor", id) == -1) {
				PQclear(res);
				return http_error(r, 503);
			}
			done = util_printf(strcmp(role, "member") == 0 ?
			    "%s is a member again and can no longer add "
			    "evaluations." : "%s is now a contributor and can "
			    "add and edit evaluations.",
			    PQgetvalue(res, 0, DB_ONLY));
		} else
			db_rollback(r->db);
		PQclear(res);
	}
	if ((v = page_view(r, "Roles")) == NULL) {
		free(done);
		return http_error(r, 500);
	}
	view_set(v, "done_text", done);
	free(done);
	q = view_field(v, r, KEY_Q, NULL);
	p[0] = q != NULL ? q : "";
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT m.id, m.name, a.email,"
	    " a.role FROM accounts a JOIN members m ON m.id = a.member"
	    " WHERE a.status = 'active' AND ($1 = ''"
	    "  OR strpos(lower(m.name || ' ' || a.email), lower($1)) > 0)"
	    " ORDER BY a.role <> 'contributor', lower(m.name), m.id"
	    " LIMIT 500", 1, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		const char *rl = PQgetvalue(res, i, AR_ROLE);

		if ((m = view_add(v, "people")) == NULL)
			break;
		view_set(m, "id", PQgetvalue(res, i, AR_ID));
		view_set(m, "name", PQgetvalue(res, i, AR_NAME));
		view_set(m, "email", PQgetvalue(res, i, AR_EMAIL));
		view_set(m, "role", strcmp(rl, "contributor") == 0 ?
		    "Contributor" : strcmp(rl, "member") == 0 ? "Member" :
		    strcmp(rl, "admin") == 0 ? "Administrator" : "Coordinator");
		view_flag(m, "is_member", strcmp(rl, "member") == 0);
		view_flag(m, "is_contributor", strcmp(rl, "contributor") == 0);
		view_setf(m, "grant_label", "Make %s a contributor",
		    PQgetvalue(res, i, AR_NAME));
		view_setf(m, "revoke_label", "Make %s a member again",
		    PQgetvalue(res, i, AR_NAME));
	}
	view_flag(v, "none", n == 0);
	PQclear(res);
	return http_page(r, 200, "admin_roles", v);
}
