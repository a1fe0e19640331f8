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

/* Its places, with how many of its listings run at each: $1 its id. */
static const char places_query[] =
    "SELECT l.id, l.name, concat_ws(', ', nullif(l.address_1, ''),"
    " nullif(l.city, ''), nullif(l.postal_code, '')),"
    " (SELECT count(*) FROM services s WHERE s.locations @> ARRAY[l.id]"
    "  AND NOT s.deleted)"
    " FROM locations l WHERE l.organisation = $1 AND NOT l.deleted"
    " ORDER BY lower(l.name), l.id LIMIT 500";

enum { OP_ID, OP_NAME, OP_ADDRESS, OP_SERVICES };

/* GET /organisations/{id} */
int
organisations_show(struct request *r)
{
	struct view *v = NULL, *c;
	PGresult *res, *list = NULL, *managers = NULL, *places = NULL;
	const char *p[2], *status;
	char cycle[16];
	long n;
	int i, may, mine, rc;

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
	    p)) == NULL || (places = db_query(r->db, PGRES_TUPLES_OK,
	    places_query, 1, p)) == NULL ||
	    (may = service_may_edit(r, r->arg)) == -1 ||
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
	mine = !origin_view(v, res, 0, OS_RECEIVED) && may;
	for (i = 0; i < PQntuples(places); i++) {
		if ((c = view_add(v, "places")) == NULL)
			break;
		view_set(c, "place_name", PQgetvalue(places, i, OP_NAME));
		view_set(c, "address", PQgetvalue(places, i, OP_ADDRESS));
		n = strtol(PQgetvalue(places, i, OP_SERVICES), NULL, 10);
		view_setf(c, "used", "%ld %s here", n, n == 1 ?
		    "service runs" : "services run");
		if (mine)
			view_setf(c, "edit_href", "/organisations/places/%s",
			    PQgetvalue(places, i, OP_ID));
	}
	view_flag(v, "no_places", PQntuples(places) == 0);
	if (mine) {
		view_flag(v, "may_edit", 1);
		view_setf(v, "edit_href", "/organisations/%s/edit", r->arg);
		view_setf(v, "add_href", "/services/new?org=%s", r->arg);
		view_setf(v, "add_place_href",
		    "/organisations/places/new?org=%s", r->arg);
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
	PQclear(places);
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

/*
 * An organisation's places: where its services run.  A listing ticks
 * the places it runs at (services.c); a place's name and address are
 * kept here, once, so that correcting an address corrects every
 * listing there.  Each place is a shared record of its own.
 */

/* One place of this node: $1 its id. */
static const char place_query[] =
    "SELECT l.name, l.address_1, l.city, l.postal_code, l.accessibility,"
    " l.organisation, o.name, " SQL_ORIGIN("l")
    " FROM locations l LEFT JOIN organisations o ON o.id = l.organisation"
    SQL_KNOWN("l") " WHERE l.id = $1 AND NOT l.deleted";

enum {
	PL_NAME, PL_ADDRESS, PL_TOWN, PL_POSTCODE, PL_ACCESSIBILITY, PL_ORG,
	PL_ORG_NAME, PL_RECEIVED
};

/*
 * The form of a place of organisation org, checked and saved: a new
 * one when id is NULL.  Returns the answer sent.
 */
static int
place_save(struct request *r, struct view *v, const char *id,
    const char *org)
{
	const char *p[8];
	char newid[ACORN_UUID_LEN + 1], by[24], postcode[POSTCODE_LEN + 1];
	int rc;

	p[2] = view_field(v, r, KEY_VENUE, "Enter the name of the place, "
	    "like Village Hall");
	p[3] = view_field(v, r, KEY_ADDRESS, NULL);
	p[4] = view_field(v, r, KEY_TOWN, NULL);
	p[5] = NULL;
	if (view_field(v, r, KEY_POSTCODE, NULL) != NULL &&
	    postcode_normal(r->form.f[KEY_POSTCODE].text, postcode) == 0)
		p[5] = postcode;
	p[6] = view_field(v, r, KEY_ACCESSIBILITY, NULL);
	if (view_has(v, "errors"))
		return http_page(r, 422, "place_form", v);
	if (id == NULL && util_uuid(newid) == -1) {
		view_free(v);
		return http_error(r, 500);
	}
	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = id != NULL ? id : newid;
	p[1] = org;
	p[7] = by;
	view_free(v);
	rc = db_begin(r->db);
	if (rc == 0 && id == NULL)
		rc = db_exec(r->db, "INSERT INTO locations (id, origin,"
		    " organisation, name, location_type, address_1, city,"
		    " postal_code, accessibility, country, created_by)"
		    " VALUES ($1, (SELECT id FROM node), $2, $3, 'physical',"
		    " $4, $5, $6, $7, 'GB', $8::bigint)", 8, p);
	else if (rc == 0)
		rc = db_exec(r->db, "UPDATE locations SET name = $3,"
		    " address_1 = $4, city = $5, postal_code = $6,"
		    " accessibility = $7 WHERE id = $1 AND organisation = $2"
		    " AND origin = (SELECT id FROM node) AND NOT deleted"
		    " AND $8::bigint IS NOT NULL", 8, p);
	if (rc == -1 || audit_commit(r->db, r->account->id, id == NULL ?
	    "place_add" : "place_edit", p[0]) == -1)
		return http_error(r, 503);
	return http_redirectf(r, "/organisations/%s", org);
}

/* GET and POST /organisations/places/new?org={id} */
int
organisations_place_new(struct request *r)
{
	const char *org = r->form.f[KEY_ORG].text, *p[1];
	struct view *v;
	PGresult *res;
	int may;

	if (org == NULL || r->form.f[KEY_ORG].error)
		return http_redirect(r, "/organisations");
	p[0] = org;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, show_query, 1, p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1 || *PQgetvalue(res, 0, OS_RECEIVED) == 't') {
		PQclear(res);
		return http_error(r, 404);
	}
	if ((may = service_may_edit(r, org)) != 1 ||
	    (v = page_view(r, "Add a place")) == NULL) {
		PQclear(res);
		return http_error(r, may == -1 ? 503 : may == 0 ? 403 : 500);
	}
	view_flag(v, "creating", 1);
	view_set(v, "org_name", PQgetvalue(res, 0, OS_NAME));
	view_set(v, "v_org", org);
	view_set(v, "form_action", "/organisations/places/new");
	view_setf(v, "back_href", "/organisations/%s", org);
	PQclear(res);
	if (r->method != METHOD_POST)
		return http_page(r, 200, "place_form", v);
	return place_save(r, v, NULL, org);
}

/*
 * The place of this node id, for its organisation's managers: *res its
 * row, and 1; else the answer sent (a received place is refused with
 * where it comes from), and 0.
 */
static int
place_open(struct request *r, PGresult **res, int *rc)
{
	const char *p[1] = { r->arg };
	int may;

	*res = NULL;
	if (!util_uuid_valid(r->arg)) {
		*rc = http_error(r, 404);
		return 0;
	}
	if ((*res = db_query(r->db, PGRES_TUPLES_OK, place_query, 1,
	    p)) == NULL) {
		*rc = http_error(r, 503);
		return 0;
	}
	if (PQntuples(*res) != 1 || PQgetisnull(*res, 0, PL_ORG))
		*rc = http_error(r, 404);
	else if (*PQgetvalue(*res, 0, PL_RECEIVED) == 't')
		*rc = origin_refuse(r, "place", *res, 0, PL_RECEIVED);
	else if ((may = service_may_edit(r, PQgetvalue(*res, 0,
	    PL_ORG))) != 1)
		*rc = http_error(r, may == -1 ? 503 : 403);
	else
		return 1;
	PQclear(*res);
	*res = NULL;
	return 0;
}

/* GET and POST /organisations/places/{id} */
int
organisations_place(struct request *r)
{
	static const struct { int col; const char *key; } fields[] = {
		{ PL_NAME, "v_venue" }, { PL_ADDRESS, "v_address" },
		{ PL_TOWN, "v_town" }, { PL_POSTCODE, "v_postcode" },
		{ PL_ACCESSIBILITY, "v_accessibility" },
	};
	struct view *v;
	PGresult *res;
	char *org;
	size_t i;
	int rc;

	if (!place_open(r, &res, &rc))
		return rc;
	if ((v = page_view(r, "Edit a place")) == NULL ||
	    (org = util_strdup(PQgetvalue(res, 0, PL_ORG))) == NULL) {
		view_free(v);
		PQclear(res);
		return http_error(r, 500);
	}
	view_set(v, "place_title", PQgetvalue(res, 0, PL_NAME));
	view_set(v, "org_name", PQgetvalue(res, 0, PL_ORG_NAME));
	view_setf(v, "form_action", "/organisations/places/%s", r->arg);
	view_setf(v, "remove_href", "/organisations/places/%s/remove",
	    r->arg);
	view_setf(v, "back_href", "/organisations/%s", org);
	if (r->method != METHOD_POST)
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			view_set(v, fields[i].key, PQgetvalue(res, 0,
			    fields[i].col));
	PQclear(res);
	rc = r->method != METHOD_POST ? http_page(r, 200, "place_form", v) :
	    place_save(r, v, r->arg, org);
	free(org);
	return rc;
}

/*
 * GET and POST /organisations/places/{id}/remove: a place no listing
 * runs at leaves the directory, after being asked; a signed tombstone
 * tells the network.  A place still in use is refused, with how many.
 */
int
organisations_place_remove(struct request *r)
{
	struct confirm c;
	PGresult *res, *used;
	const char *p[1] = { r->arg };
	char back[160], action[160], *heading;
	long n;
	int rc;

	if (!place_open(r, &res, &rc))
		return rc;
	snprintf(back, sizeof(back), "/organisations/%s", PQgetvalue(res, 0,
	    PL_ORG));
	if ((used = db_query(r->db, PGRES_TUPLES_OK, "SELECT count(*) FROM"
	    " services WHERE locations @> ARRAY[$1::uuid] AND NOT deleted", 1,
	    p)) == NULL) {
		PQclear(res);
		return http_error(r, 503);
	}
	n = strtol(PQgetvalue(used, 0, 0), NULL, 10);
	PQclear(used);
	if (n > 0) {
		PQclear(res);
		heading = util_printf("%ld %s still %s here: untick the place "
		    "on %s first, or change its address instead.", n,
		    n == 1 ? "listing" : "listings", n == 1 ? "runs" : "run",
		    n == 1 ? "it" : "each of them");
		rc = heading == NULL ? http_error(r, 500) : page_message(r,
		    409, "This place is in use", heading, back,
		    "Back to the organisation", 0);
		free(heading);
		return rc;
	}
	if (r->method != METHOD_POST) {
		heading = util_printf("Remove %s from the organisation's "
		    "places?", PQgetvalue(res, 0, PL_NAME));
		PQclear(res);
		if (heading == NULL)
			return http_error(r, 500);
		memset(&c, 0, sizeof(c));
		snprintf(action, sizeof(action),
		    "/organisations/places/%s/remove", r->arg);
		c.heading = heading;
		c.what[0] = "No listing runs there now. The place leaves the "
		    "directory here and on every node of the network.";
		c.action = action;
		c.button = "Yes, remove the place";
		c.back = back;
		rc = page_confirm(r, &c);
		free(heading);
		return rc;
	}
	PQclear(res);
	if (db_begin(r->db) == -1 || db_exec(r->db, "UPDATE locations SET"
	    " deleted = true, name = NULL, location_type = NULL,"
	    " address_1 = NULL, city = NULL, state_province = NULL,"
	    " postal_code = NULL, latitude = NULL, longitude = NULL,"
	    " accessibility = NULL WHERE id = $1"
	    " AND origin = (SELECT id FROM node) AND NOT deleted"
	    " AND NOT EXISTS (SELECT 1 FROM services s WHERE s.locations @>"
	    "  ARRAY[$1::uuid] AND NOT s.deleted)", 1,
	    p) == -1 || audit_commit(r->db, r->account->id, "place_remove",
	    r->arg) == -1)
		return http_error(r, 503);
	return http_redirect(r, back);
}
