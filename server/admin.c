/*
 * Coordinators' pages: approving or refusing people who asked to join
 * this node.  A refused request is erased like an account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acorn.h"

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
	    " m.region, to_char(a.created AT TIME ZONE 'Europe/London',"
	    " 'FMDD FMMonth YYYY, HH24:MI')"
	    " FROM accounts a JOIN members m ON m.id = a.member"
	    " WHERE a.status = 'pending' ORDER BY a.created, a.id", 0, NULL);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		const char *label;

		if ((m = view_add(v, "pending")) == NULL)
			break;
		view_set(m, "id", PQgetvalue(res, i, 0));
		view_set(m, "name", PQgetvalue(res, i, 1));
		view_set(m, "email", PQgetvalue(res, i, 2));
		view_set(m, "organisation", db_value(res, i, 3));
		label = stakeholder_label(PQgetvalue(res, i, 4));
		view_set(m, "group", label);
		view_set(m, "region", PQgetvalue(res, i, 5));
		view_set(m, "created", PQgetvalue(res, i, 6));
		view_setf(m, "approve_label", "Approve %s",
		    PQgetvalue(res, i, 1));
		view_setf(m, "reject_label", "Refuse %s",
		    PQgetvalue(res, i, 1));
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
	char by[32];
	PGresult *res;
	int n;

	if (id == NULL)
		return http_error(r, 400);
	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = id;
	p[1] = by;
	res = db_query(r->db, PGRES_TUPLES_OK, "UPDATE accounts SET"
	    " status = 'active', approved = now(), approved_by = $2"
	    " WHERE member = $1 AND status = 'pending' RETURNING id", 2, p);
	if (res == NULL)
		return http_error(r, 503);
	n = PQntuples(res);
	PQclear(res);
	if (n == 1)
		audit(r->db, r->account->id, "approve", id);
	/* Approving twice (a double click) is not an error. */
	return admin_list(r, n == 1 ? "Membership approved." :
	    "That request had already been dealt with.");
}

int
admin_reject(struct request *r)
{
	const char *id = r->form.f[KEY_ID].text, *p[1];
	PGresult *res;
	int n;

	if (id == NULL)
		return http_error(r, 400);
	p[0] = id;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT 1 FROM accounts"
	    " WHERE member = $1 AND status = 'pending'", 1, p);
	if (res == NULL)
		return http_error(r, 503);
	n = PQntuples(res);
	PQclear(res);
	if (n == 1) {
		if (member_erase(r->db, id) == -1)
			return http_error(r, 503);
		audit(r->db, r->account->id, "refuse", id);
	}
	return admin_list(r, n == 1 ? "Request refused and erased." :
	    "That request had already been dealt with.");
}
