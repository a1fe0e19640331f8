/*
 * A link worker's shortlist ("what we talked about"): services picked
 * from the directory with a note on each, printed on one page to hand
 * over, or shared by an unguessable link that works for shortlist_days.
 * It stores nothing about the person it is for unless someone types it
 * into a note, and the page says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define SHORTLIST_MAX	20
#define NOTE_MAX	500

/* What the shortlist's forms ask for. */
static const char *const steps[] = {
	"add", "remove", "note", "share", "new", NULL
};

/* The person's shortlist being made: its id into id, "" when none. */
static int
shortlist_current(struct request *r, char id[24])
{
	char who[24];
	const char *p[1] = { who };
	PGresult *res;

	snprintf(who, sizeof(who), "%ld", r->account->id);
	*id = '\0';
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT id FROM shortlists"
	    " WHERE account = $1::bigint ORDER BY id DESC LIMIT 1", 1,
	    p)) == NULL)
		return -1;
	if (PQntuples(res) == 1)
		snprintf(id, 24, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/*
 * A shortlist's services as a page shows them: $1 the shortlist, $2 the
 * node's address for the links to the live listings.
 */
static const char items_query[] =
    "SELECT s.id, s.name, coalesce(o.name, ''), i.note,"
    " (SELECT string_agg(concat_ws(', ', l.name, l.address_1, l.city,"
    "  l.postal_code), E'\\n') FROM locations l"
    "  WHERE l.id = ANY (s.locations) AND NOT l.deleted),"
    " (SELECT string_agg(acorn_schedule_words(e), E'\\n' ORDER BY n)"
    "  FROM jsonb_array_elements(s.schedules) WITH ORDINALITY AS x (e, n)),"
    " acorn_next_opening(s.schedules, now()),"
    " (SELECT string_agg(concat_ws(' ', c->>'name', c->>'phone',"
    "  c->>'email'), E'\\n') FROM jsonb_array_elements(s.contacts) c),"
    " CASE WHEN s.free THEN concat_ws('. ', 'Free', nullif(s.fees, ''))"
    "  ELSE coalesce(s.fees, '') END,"
    " coalesce(s.url, ''), s.email, $2 || '/services/' || s.id, s.status"
    " FROM shortlist_items i JOIN services s ON s.id = i.service"
    " AND NOT s.deleted LEFT JOIN organisations o ON o.id = s.organisation"
    " WHERE i.shortlist = $1::bigint ORDER BY i.position, s.name";

enum {
	SI_ID, SI_NAME, SI_ORG, SI_NOTE, SI_WHERE, SI_WHEN, SI_NEXT,
	SI_CONTACT, SI_COST, SI_URL, SI_EMAIL, SI_LINK, SI_STATUS
};

/* The shortlist's services into v's "items"; -1 when the database failed. */
static int
items_view(struct request *r, struct view *v, const char *id)
{
	const char *p[2] = { id, cfg->public_url };
	struct view *c;
	PGresult *res;
	int i;

	if ((res = db_query(r->db, PGRES_TUPLES_OK, items_query, 2, p)) ==
	    NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		if ((c = view_add(v, "items")) == NULL)
			break;
		view_set(c, "service", PQgetvalue(res, i, SI_ID));
		view_setf(c, "href", "/services/%s", PQgetvalue(res, i, SI_ID));
		view_set(c, "service_name", PQgetvalue(res, i, SI_NAME));
		view_set(c, "org_name", PQgetvalue(res, i, SI_ORG));
		view_set(c, "note", PQgetvalue(res, i, SI_NOTE));
		view_setf(c, "note_id", "note-%d", i + 1);
		service_lines_view(c, "where", PQgetvalue(res, i, SI_WHERE));
		service_lines_view(c, "when", PQgetvalue(res, i, SI_WHEN));
		if (!PQgetisnull(res, i, SI_NEXT))
			view_set(c, "next_opening", PQgetvalue(res, i,
			    SI_NEXT));
		service_lines_view(c, "contact", PQgetvalue(res, i, SI_CONTACT));
		view_set(c, "cost", PQgetvalue(res, i, SI_COST));
		view_set(c, "url", PQgetvalue(res, i, SI_URL));
		view_set(c, "email", PQgetvalue(res, i, SI_EMAIL));
		view_set(c, "link", PQgetvalue(res, i, SI_LINK));
		if (strcmp(PQgetvalue(res, i, SI_STATUS), "active") != 0)
			view_set(c, "status_label", code_label(
			    service_status_codes, service_status_labels,
			    PQgetvalue(res, i, SI_STATUS)));
	}
	view_flag(v, "empty", PQntuples(res) == 0);
	PQclear(res);
	return 0;
}

/*
 * One change to the person's shortlist (the form's step), in one
 * transaction: 0 done, 1 refused (v says why), -1 the database failed.
 * A share's new link goes into link.
 */
static int
shortlist_change(struct request *r, struct view *v, const char *step,
    char *link, size_t linklen)
{
	const char *service = r->form.f[KEY_ID].text, *p[4];
	char id[24], who[24], token[ACORN_TOKEN_LEN + 1], hash[65], days[16];
	PGresult *res;
	int rc = -1, n;

	snprintf(who, sizeof(who), "%ld", r->account->id);
	if (db_begin(r->db) == -1)
		return -1;
	/* One change at a time per person: two tabs add in turn. */
	p[0] = who;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT 1 FROM accounts"
	    " WHERE id = $1::bigint FOR UPDATE", 1, p)) == NULL)
		goto done;
	PQclear(res);
	if (shortlist_current(r, id) == -1)
		goto done;
	if (strcmp(step, "new") == 0 || (*id == '\0' &&
	    strcmp(step, "add") == 0)) {
		if ((res = db_query(r->db, PGRES_TUPLES_OK, "INSERT INTO"
		    " shortlists (account) VALUES ($1::bigint) RETURNING id",
		    1, p)) == NULL)
			goto done;
		snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	if (*id == '\0' || strcmp(step, "new") == 0) {
		rc = 0;
		goto done;
	}
	p[0] = id;
	p[1] = service;
	if (strcmp(step, "add") == 0) {
		if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT count(*)"
		    " FROM shortlist_items WHERE shortlist = $1::bigint", 1,
		    p)) == NULL)
			goto done;
		n = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		if (n >= SHORTLIST_MAX) {
			view_setf(v, "refusal", "A shortlist holds %d services "
			    "at most: remove one, or start a new shortlist.",
			    SHORTLIST_MAX);
			rc = 1;
			goto done;
		}
		snprintf(days, sizeof(days), "%d", n + 1);
		p[2] = days;
		if (db_exec(r->db, "INSERT INTO shortlist_items (shortlist,"
		    " service, position) SELECT $1::bigint, s.id, $3::integer"
		    " FROM services s WHERE s.id = $2::uuid AND NOT s.deleted"
		    " ON CONFLICT DO NOTHING", 3, p) == -1)
			goto done;
	} else if (strcmp(step, "remove") == 0) {
		if (db_exec(r->db, "DELETE FROM shortlist_items WHERE"
		    " shortlist = $1::bigint AND service = $2::uuid", 2,
		    p) == -1)
			goto done;
	} else if (strcmp(step, "note") == 0) {
		p[2] = r->form.f[KEY_DETAILS].text != NULL ?
		    r->form.f[KEY_DETAILS].text : "";
		if (util_utf8_length(p[2]) > NOTE_MAX) {
			view_setf(v, "refusal", "A note must be %d characters "
			    "or fewer.", NOTE_MAX);
			rc = 1;
			goto done;
		}
		if (db_exec(r->db, "UPDATE shortlist_items SET note = $3"
		    " WHERE shortlist = $1::bigint AND service = $2::uuid", 3,
		    p) == -1)
			goto done;
	} else if (strcmp(step, "share") == 0) {
		if (util_token(token) == -1 ||
		    service_token_hash(token, hash) == -1)
			goto done;
		snprintf(days, sizeof(days), "%ld", cfg->shortlist_days);
		p[1] = hash;
		p[2] = days;
		if (db_exec(r->db, "UPDATE shortlists SET token_hash = $2,"
		    " expires = now() + make_interval(days => $3::integer)"
		    " WHERE id = $1::bigint", 3, p) == -1)
			goto done;
		snprintf(link, linklen, "%s/services/shared/%s",
		    cfg->public_url, token);
		explicit_bzero(token, sizeof(token));
	} else {
		rc = 1;
		goto done;
	}
	if (db_exec(r->db, "UPDATE shortlists SET updated = now()"
	    " WHERE id = $1::bigint", 1, p) == -1)
		goto done;
	rc = 0;
done:
	if (rc == 0 && db_commit(r->db) == 0)
		return 0;
	db_rollback(r->db);
	return rc == 0 ? -1 : rc;
}

/*
 * GET and POST /services/shortlist: the person's shortlist, with a note
 * field on each service; adding (from a listing or the search results,
 * which it goes back to), removing, noting, sharing, starting anew.
 */
int
services_shortlist(struct request *r)
{
	const char *step = r->form.f[KEY_STEP].text;
	const char *next = r->form.f[KEY_NEXT].text;
	struct view *v;
	char id[24], link[160] = "";
	int rc;

	if ((v = page_view(r, "Your shortlist")) == NULL)
		return http_error(r, 500);
	if (r->method == METHOD_POST) {
		if (step == NULL || code_index(steps, step) == -1 ||
		    r->form.f[KEY_ID].error ||
		    (strcmp(step, "add") == 0 || strcmp(step, "remove") == 0 ||
		    strcmp(step, "note") == 0) != (r->form.f[KEY_ID].text !=
		    NULL)) {
			view_free(v);
			return http_error(r, 400);
		}
		rc = shortlist_change(r, v, step, link, sizeof(link));
		if (rc == -1) {
			view_free(v);
			return http_error(r, 503);
		}
		/* Added from a list: back to it, which says so. */
		if (rc == 0 && strcmp(step, "add") == 0 && next != NULL &&
		    r->form.f[KEY_NEXT].error == 0) {
			view_free(v);
			return http_redirectf(r, "%s%sadded=yes#results", next,
			    strchr(next, '?') != NULL ? "&" : "?");
		}
		if (rc == 0 && *link == '\0') {
			view_free(v);
			return http_redirect(r, "/services/shortlist");
		}
	}
	view_set(v, "shared_link", *link != '\0' ? link : NULL);
	view_setf(v, "keep_days", "%ld", cfg->shortlist_days);
	if (shortlist_current(r, id) == -1 ||
	    (*id != '\0' && items_view(r, v, id) == -1)) {
		view_free(v);
		return http_error(r, 503);
	}
	if (*id == '\0')
		view_flag(v, "empty", 1);
	return http_page(r, r->method == METHOD_POST && *link == '\0' ? 422 :
	    200, "shortlist", v);
}

/* GET /services/shortlist/print: the person's shortlist on one page. */
int
services_shortlist_print(struct request *r)
{
	struct view *v;
	char id[24];

	if ((v = page_view(r, "Services we talked about")) == NULL)
		return http_error(r, 500);
	if (shortlist_current(r, id) == -1 ||
	    (*id != '\0' && items_view(r, v, id) == -1)) {
		view_free(v);
		return http_error(r, 503);
	}
	if (*id == '\0')
		view_flag(v, "empty", 1);
	view_set(v, "node_name", cfg->node_name);
	view_flag(v, "owner", 1);
	return http_page(r, 200, "shortlist_print", v);
}

/*
 * GET /services/shared/{token}: a shortlist shared by its link, for
 * anyone who has the link, until it expires.
 */
int
services_shortlist_shared(struct request *r)
{
	struct view *v;
	PGresult *res;
	char hash[65], id[24];
	const char *p[1] = { hash };

	if (service_token_hash(r->arg, hash) == -1)
		return http_error(r, 404);
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT id,"
	    " expires > now() FROM shortlists WHERE token_hash = $1", 1,
	    p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1 || *PQgetvalue(res, 0, 1) != 't') {
		PQclear(res);
		return page_message(r, 404, "This shortlist is not available",
		    "The link may be mistyped, or it has expired: shared "
		    "shortlists are removed after a while. Ask for a new one.",
		    "/services", "Find a service", 0);
	}
	snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if ((v = page_view(r, "Services we talked about")) == NULL)
		return http_error(r, 500);
	if (items_view(r, v, id) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	view_set(v, "node_name", cfg->node_name);
	return http_page(r, 200, "shortlist_print", v);
}
