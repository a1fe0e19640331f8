/*
 * The organisations that run the directory's services: what each is,
 * how to reach it, its listings, and the members who look after them
 * here.  Coordinators add organisations and name their managers; a
 * manager keeps the organisation's page and listings right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

/* Every organisation, A to Z, with how many listings it has. */
static const char list_query[] =
    "SELECT o.id, o.name, o.description, (SELECT count(*) FROM services s"
    "  WHERE s.organisation = o.id AND NOT s.deleted"
    "  AND s.status <> 'defunct'), " SQL_ORIGIN("o")
    " FROM organisations o" SQL_KNOWN("o") " WHERE NOT o.deleted"
    " ORDER BY lower(o.name), o.id LIMIT 2000";

enum { OL_ID, OL_NAME, OL_DESCRIPTION, OL_SERVICES, OL_RECEIVED };

/* GET /organisations */
int
organisations_list(struct request *r)
{
	struct view *v, *o;
	PGresult *res;
	long n;
	int i;

	if ((v = page_view(r, "Organisations")) == NULL)
		return http_error(r, 500);
	view_flag(v, "may_add", is_coordinator(r));
	if ((res = db_query(r->db, PGRES_TUPLES_OK, list_query, 0, NULL)) ==
	    NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	for (i = 0; i < PQntuples(res); i++) {
		if ((o = view_add(v, "organisations")) == NULL)
			break;
		view_setf(o, "href", "/organisations/%s", PQgetvalue(res, i,
		    OL_ID));
		view_set(o, "org_name", PQgetvalue(res, i, OL_NAME));
		view_set(o, "summary", PQgetvalue(res, i, OL_DESCRIPTION));
		n = strtol(PQgetvalue(res, i, OL_SERVICES), NULL, 10);
		view_setf(o, "count", "%ld %s", n, n == 1 ? "service" :
		    "services");
		origin_view(o, res, i, OL_RECEIVED);
	}
	view_flag(v, "none", PQntuples(res) == 0);
	PQclear(res);
	return http_page(r, 200, "organisations", v);
}

/*
 * The form of an organisation, checked and saved: a new one when id is
 * NULL.  Returns the answer sent.
 */
static int
organisation_save(struct request *r, struct view *v, const char *id)
{
	const char *p[7];
	char newid[ACORN_UUID_LEN + 1], by[24];
	int rc;

	p[1] = view_field(v, r, KEY_TITLE, "Enter the organisation's name");
	p[2] = view_field(v, r, KEY_DESCRIPTION, "Enter what the "
	    "organisation does, in plain English");
	p[3] = view_field(v, r, KEY_EMAIL, NULL);
	p[4] = view_field(v, r, KEY_WEBSITE, NULL);
	p[5] = view_field(v, r, KEY_PHONE, NULL);
	if (view_has(v, "errors"))
		return http_page(r, 422, "organisation_form", v);
	if (id == NULL && util_uuid(newid) == -1) {
		view_free(v);
		return http_error(r, 500);
	}
	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = id != NULL ? id : newid;
	p[6] = by;
	rc = db_begin(r->db);
	if (rc == 0 && id == NULL)
		rc = db_exec(r->db, "INSERT INTO organisations (id, origin,"
		    " name, description, email, website, phone, created_by)"
		    " VALUES ($1, (SELECT id FROM node), $2, $3, $4, $5, $6,"
		    " $7::bigint)", 7, p);
	else if (rc == 0)
		rc = db_exec(r->db, "UPDATE organisations SET name = $2,"
		    " description = $3, email = $4, website = $5, phone = $6"
		    " WHERE id = $1 AND origin = (SELECT id FROM node)"
		    " AND NOT deleted AND $7::bigint IS NOT NULL", 7, p);
	if (rc == -1 && db_duplicate(r->db)) {
		db_rollback(r->db);
		view_error(v, "title", "The directory already has an "
		    "organisation of this name: edit that one instead");
		return http_page(r, 422, "organisation_form", v);
	}
	view_free(v);
	if (rc == -1 || audit_commit(r->db, r->account->id, id == NULL ?
	    "organisation_add" : "organisation_edit", p[0]) == -1)
		return http_error(r, 503);
	return http_redirectf(r, "/organisations/%s", p[0]);
}

/* GET and POST /organisations/new */
int
organisations_new(struct request *r)
{
	struct view *v;

	if ((v = page_view(r, "Add an organisation")) == NULL)
		return http_error(r, 500);
	view_flag(v, "creating", 1);
	view_set(v, "form_action", "/organisations/new");
	view_set(v, "back_href", "/organisations");
	if (r->method != METHOD_POST)
		return http_page(r, 200, "organisation_form", v);
	return organisation_save(r, v, NULL);
}

/* One organisation: $1 its id. */
static const char show_query[] =
    "SELECT o.name, o.description, o.email, o.website, o.phone, "
    SQL_ORIGIN("o") " FROM organisations o" SQL_KNOWN("o")
    " WHERE o.id = $1 AND NOT o.deleted";

enum { OS_NAME, OS_DESCRIPTION, OS_EMAIL, OS_WEBSITE, OS_PHONE, OS_RECEIVED };

/* Its listings, with their freshness: $1 its id, $2 the review cycle. */
static const char services_query[] =
    "SELECT s.id, s.name, s.status, " SQL_FRESHNESS("s", "$2")
    " FROM services s WHERE s.organisation = $1 AND NOT s.deleted"
    " ORDER BY s.status = 'defunct', lower(s.name), s.id";

enum { OV_ID, OV_NAME, OV_STATUS, OV_FRESHNESS, OV_STAGE };

/* Its managers here: $1 its id. */
static const char managers_query[] =
    "SELECT a.id, m.name, a.email FROM organisation_managers om"
    " JOIN accounts a ON a.id = om.account JOIN members m ON m.id = a.member"
    " WHERE om.organisation = $1 ORDER BY lower(m.name), a.id";

enum { OM_ID, OM_NAME, OM_EMAIL };

/* GET /organisations/{id} */
int
organisations_show(struct request *r)
{
	struct view *v = NULL, *c;
	PGresult *res, *list = NULL, *managers = NULL;
	const char *p[2], *status;
	char cycle[16];
	int i, may, rc;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	snprintf(cycle, sizeof(cycle), "%d", cfg->review_months);
	p[0] = r->arg;
	p[1] = cycle;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, show_query, 1, p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	if ((list = db_query(r->db, PGRES_TUPLES_OK, services_query, 2,
	    p)) == NULL || (may = service_may_edit(r, r->arg)) == -1 ||
	    (may && (managers = db_query(r->db, PGRES_TUPLES_OK,
	    managers_query, 1, p)) == NULL)) {
		rc = http_error(r, 503);
		goto done;
	}
	if ((v = page_view(r, PQgetvalue(res, 0, OS_NAME))) == NULL) {
		rc = http_error(r, 500);
		goto done;
	}
	view_set(v, "org_name", PQgetvalue(res, 0, OS_NAME));
	view_set(v, "description", PQgetvalue(res, 0, OS_DESCRIPTION));
	view_set(v, "email", PQgetvalue(res, 0, OS_EMAIL));
	if (*PQgetvalue(res, 0, OS_EMAIL) != '\0')
		view_setf(v, "mailto", "mailto:%s", PQgetvalue(res, 0,
		    OS_EMAIL));
	view_set(v, "website", PQgetvalue(res, 0, OS_WEBSITE));
	view_set(v, "phone", PQgetvalue(res, 0, OS_PHONE));
	for (i = 0; i < PQntuples(list); i++) {
		if ((c = view_add(v, "services")) == NULL)
			break;
		view_setf(c, "href", "/services/%s", PQgetvalue(list, i,
		    OV_ID));
		view_set(c, "service_name", PQgetvalue(list, i, OV_NAME));
		status = PQgetvalue(list, i, OV_STATUS);
		if (strcmp(status, "active") != 0)
			view_set(c, "status_label", code_label(
			    service_status_codes, service_status_labels,
			    status));
		view_set(c, "freshness", PQgetvalue(list, i, OV_FRESHNESS));
		service_stage_view(c, PQgetvalue(list, i, OV_STAGE));
	}
	view_flag(v, "no_services", PQntuples(list) == 0);
	if (!origin_view(v, res, 0, OS_RECEIVED) && may) {
		view_flag(v, "may_edit", 1);
		view_setf(v, "edit_href", "/organisations/%s/edit", r->arg);
		view_setf(v, "add_href", "/services/new?org=%s", r->arg);
		view_flag(v, "may_manage", is_coordinator(r));
		view_setf(v, "managers_action", "/organisations/%s/managers",
		    r->arg);
		for (i = 0; managers != NULL && i < PQntuples(managers); i++)
			if ((c = view_add(v, "managers")) != NULL) {
				view_set(c, "name", PQgetvalue(managers, i,
				    OM_NAME));
				view_set(c, "email", PQgetvalue(managers, i,
				    OM_EMAIL));
				view_set(c, "account", PQgetvalue(managers, i,
				    OM_ID));
			}
		view_flag(v, "no_managers", managers == NULL ||
		    PQntuples(managers) == 0);
	}
	rc = http_page(r, 200, "organisation", v);
done:
	PQclear(managers);
	PQclear(list);
	PQclear(res);
	return rc;
}

/* GET and POST /organisations/{id}/edit */
int
organisations_edit(struct request *r)
{
	struct view *v;
	PGresult *res;
	const char *p[1];
	int may;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, show_query, 1, p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	if (*PQgetvalue(res, 0, OS_RECEIVED) == 't') {
		may = origin_refuse(r, "organisation", res, 0, OS_RECEIVED);
		PQclear(res);
		return may;
	}
	if ((may = service_may_edit(r, r->arg)) != 1) {
		PQclear(res);
		return http_error(r, may == -1 ? 503 : 403);
	}
	if ((v = page_view(r, "Edit an organisation")) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	view_set(v, "org_title", PQgetvalue(res, 0, OS_NAME));
	view_setf(v, "form_action", "/organisations/%s/edit", r->arg);
	view_setf(v, "back_href", "/organisations/%s", r->arg);
	if (r->method != METHOD_POST) {
		view_set(v, "v_title", PQgetvalue(res, 0, OS_NAME));
		view_set(v, "v_description", PQgetvalue(res, 0,
		    OS_DESCRIPTION));
		view_set(v, "v_email", PQgetvalue(res, 0, OS_EMAIL));
		view_set(v, "v_website", PQgetvalue(res, 0, OS_WEBSITE));
		view_set(v, "v_phone", PQgetvalue(res, 0, OS_PHONE));
	}
	PQclear(res);
	if (r->method != METHOD_POST)
		return http_page(r, 200, "organisation_form", v);
	return organisation_save(r, v, r->arg);
}

/*
 * POST /organisations/{id}/managers: a coordinator names a member of
 * this node as a manager of the organisation (email), or takes one
 * off (id, the account).
 */
int
organisations_managers(struct request *r)
{
	const char *email = r->form.f[KEY_EMAIL].text;
	const char *who = r->form.f[KEY_ACCOUNT_ID].text;
	const char *p[3];
	char by[24], back[160];
	PGresult *res;
	int rc;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	if ((email == NULL || *email == '\0') == (who == NULL || *who == '\0') ||
	    r->form.f[KEY_EMAIL].error || r->form.f[KEY_ACCOUNT_ID].error)
		return http_error(r, 400);
	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = r->arg;
	p[1] = email != NULL && *email != '\0' ? email : who;
	p[2] = by;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	if (email != NULL && *email != '\0')
		res = db_query(r->db, PGRES_TUPLES_OK, "INSERT INTO"
		    " organisation_managers (organisation, account, added_by)"
		    " SELECT o.id, a.id, $3::bigint FROM organisations o,"
		    " accounts a WHERE o.id = $1::uuid AND NOT o.deleted"
		    " AND o.origin = (SELECT id FROM node)"
		    " AND lower(a.email) = lower($2) AND a.status = 'active'"
		    " ON CONFLICT DO NOTHING RETURNING account", 3, p);
	else
		res = db_query(r->db, PGRES_TUPLES_OK, "DELETE FROM"
		    " organisation_managers WHERE organisation = $1::uuid"
		    " AND account = $2::bigint AND $3 IS NOT NULL"
		    " RETURNING account", 3, p);
	if (res == NULL) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	rc = PQntuples(res);
	PQclear(res);
	if (rc == 0 && email != NULL && *email != '\0') {
		db_rollback(r->db);
		snprintf(back, sizeof(back), "/organisations/%s", r->arg);
		return page_message(r, 422, "No member has that email address",
		    "A manager must have an account on this node first. Ask "
		    "them to join, then name them again, or check they are "
		    "not already a manager.", back, "Back to the organisation",
		    0);
	}
	if (audit_commit(r->db, r->account->id, email != NULL &&
	    *email != '\0' ? "organisation_manager_add" :
	    "organisation_manager_remove", r->arg) == -1)
		return http_error(r, 503);
	return http_redirectf(r, "/organisations/%s", r->arg);
}
