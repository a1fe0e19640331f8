/*
 * Registrations: taking a place or a spot on the waiting list, a member's
 * own registrations, cancelling, and the coordinator's attendee and
 * waiting lists.  Every change of who holds a place is one statement
 * calling the schema's functions, which lock the place type; the mail
 * telling people goes into the outbox in that same statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

static int	 away_register(struct request *, const char *);
static int	 away_cancel(struct request *);

/* The answer to a registration the database refused, by its SQLSTATE. */
static int
register_refused(struct request *r, const char *back)
{
	const char *state = db_state(r->db);

	if (strcmp(state, "AC001") == 0)
		return page_message(r, 409, "Error: Registration is not open",
		    "Registration for this event is not open at the moment. "
		    "The event page says when it opens or closes.", back,
		    "Back to the event", 0);
	if (strcmp(state, "AC003") == 0)
		return page_message(r, 409, "Error: Too many places", "There are "
		    "not that many places of this kind at the event. Choose "
		    "fewer places, or ask the organiser.", back,
		    "Back to the event", 0);
	/* A member is themselves; a guest is known by their address. */
	if (strcmp(state, "AC005") == 0 && r->account != NULL)
		return page_message(r, 409, "Error: Already registered", "You "
		    "are already registered for this event. Your registrations "
		    "page says whether you have a place or where you are on "
		    "the waiting list.", "/registrations",
		    "Your registrations", 0);
	if (strcmp(state, "AC005") == 0)
		return page_message(r, 409, "Error: Already registered", "This "
		    "email address is already registered for this event. The "
		    "emails we sent say whether it has a place or where it is "
		    "on the waiting list.", back, "Back to the event", 0);
	if (strcmp(state, "AC006") == 0)
		return page_message(r, 410, "Error: This link has expired",
		    "Links to confirm a registration last 48 hours, and no "
		    "place was held. Register again from the event page.",
		    back, "Back to the event", 0);
	if (strcmp(state, "AC007") == 0) {
		/* acorn_register_guest counts the last hour's forms. */
		response_retry_after(r, 3600);
		return page_message(r, 429, "Error: Too many registrations",
		    "Several registrations are already waiting to be "
		    "confirmed from this email address. Follow the links in "
		    "those emails, or try again in an hour.", back,
		    "Back to the event", 0);
	}
	return http_error(r, 503);
}

/*
 * The statements that register, with answers stored and mail queued in
 * the same statement.  A repeated form gets its first answer, and no
 * second mail.  Members decide at once, as their account; guests are
 * sent a link first (its key made by the letter).  Both take the same
 * twelve parameters, so each names the one it does not use (always NULL:
 * a member's $5, a guest's $2) for PostgreSQL to know its type.
 */
static const char register_member_sql[] =
    "WITH reg AS (SELECT g.* FROM place_types pt, members m,"
    " acorn_register(pt.id, $2, m.name, $4, m.organisation, $6::integer,"
    " $7::boolean, $8) AS g WHERE pt.id = $1 AND pt.event = $10"
    " AND m.id = $3::uuid AND $5::text IS NULL),"
    " ans AS (INSERT INTO answers (registration, question, value)"
    " SELECT reg.registration, a.q, a.v FROM reg,"
    " unnest($11::bigint[], $12::text[]) AS a(q, v) WHERE NOT reg.repeated),"
    " told AS (SELECT acorn_tell(reg.registration, reg.status, $9)"
    " FROM reg WHERE NOT reg.repeated)"
    " SELECT reg.status, reg.waiting_position, e.title,"
    " (SELECT count(*) FROM told)"
    " FROM reg, events e WHERE e.id = $10";
static const char register_guest_sql[] =
    "WITH reg AS (SELECT g.* FROM place_types pt,"
    " acorn_register_guest(pt.id, $3, $4, $5, $6::integer, $7::boolean,"
    " $8) AS g WHERE pt.id = $1 AND pt.event = $10 AND $2::bigint IS NULL),"
    " ans AS (INSERT INTO answers (registration, question, value)"
    " SELECT reg.registration, a.q, a.v FROM reg,"
    " unnest($11::bigint[], $12::text[]) AS a(q, v) WHERE NOT reg.repeated),"
    " told AS (SELECT acorn_tell(reg.registration, 'unconfirmed', $9)"
    " FROM reg WHERE NOT reg.repeated)"
    " SELECT 'unconfirmed', NULL, e.title, (SELECT count(*) FROM told)"
    " FROM reg, events e WHERE e.id = $10";

/* The columns of both: where it stands, and how many were told. */
enum { RS_STATUS, RS_POSITION, RS_TITLE, RS_TOLD };

/*
 * Registration is taken where an event is held: for an event received
 * from another node, the member's request goes there (away.c); -1 when
 * the event is this node's own.
 */
static int
register_here(struct request *r)
{
	PGresult *res;
	char *host;
	int missing, rc = -1;

	if ((res = event_fetch(r, &missing)) == NULL)
		return event_missing(r, missing);
	if (*PQgetvalue(res, 0, E_RECEIVED) == 't') {
		host = util_strdup(origin_name(res, 0, E_RECEIVED));
		PQclear(res);
		rc = host == NULL ? http_error(r, 500) :
		    away_register(r, host);
		free(host);
		return rc;
	}
	PQclear(res);
	return rc;
}

/* POST /events/{id}/register, by a member or a guest. */
int
registrations_new(struct request *r)
{
	const struct field *places = &r->form.f[KEY_PLACES];
	const char *p[12], *name = NULL, *email = NULL, *org = NULL;
	char back[128], acc[32], *text;
	char *ids = NULL, *values = NULL;
	struct view *v;
	PGresult *res;
	int rc, waiting;

	snprintf(back, sizeof(back), "/events/%.36s", r->arg);
	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	if ((rc = register_here(r)) != -1)
		return rc;
	if ((v = registration_form(r, back, &rc)) == NULL)
		return rc;
	if (r->account == NULL) {
		name = view_field(v, r, KEY_NAME, "Enter your full name");
		email = view_field(v, r, KEY_EMAIL, "Enter your email address");
		org = view_field(v, r, KEY_ORGANISATION, NULL);
	}
	if (registration_form_end(r, v, &ids, &values, &rc) == -1)
		return rc;
	if (r->account != NULL) {
		/* The name and organisation are the member's profile's. */
		snprintf(acc, sizeof(acc), "%ld", r->account->id);
		p[1] = acc;
		p[2] = r->account->member;
		p[3] = r->account->email;
		p[4] = NULL;
	} else {
		p[1] = NULL;
		p[2] = name;
		p[3] = email;
		p[4] = org;
	}
	p[0] = r->form.f[KEY_PLACE].text;
	p[5] = places->text != NULL ? places->text : "1";
	p[6] = r->form.f[KEY_PUBLIC].num == 1 ? "true" : "false";
	p[7] = r->form.f[KEY_REQUEST].text;
	p[8] = cfg->public_url;
	p[9] = r->arg;
	p[10] = ids;
	p[11] = values;
	res = db_query(r->db, PGRES_TUPLES_OK, r->account != NULL ?
	    register_member_sql : register_guest_sql, 12, p);
	free(ids);
	free(values);
	if (res == NULL)
		return register_refused(r, back);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return page_message(r, 404, "Error: Registration not made",
		    "That kind of place is not offered at this event.", back,
		    "Back to the event", 0);
	}
	waiting = strcmp(PQgetvalue(res, 0, RS_STATUS), "waiting") == 0;
	if (r->account == NULL)
		text = util_printf("We have sent an email to %s. Follow the "
		    "link in it within 48 hours to confirm your registration "
		    "for %s. Until you do, no place is held for you.", email,
		    PQgetvalue(res, 0, RS_TITLE));
	else if (waiting)
		text = util_printf("The event is full, so you are number %s on "
		    "the waiting list for %s. If a place becomes free it goes "
		    "to the next person on the list, and we will email you.",
		    PQgetvalue(res, 0, RS_POSITION),
		    PQgetvalue(res, 0, RS_TITLE));
	else
		text = util_printf("You have a place at %s. We have sent you "
		    "an email to confirm it.", PQgetvalue(res, 0, RS_TITLE));
	PQclear(res);
	if (r->account == NULL)
		return page_message_take(r, 200, "Check your email", text, back,
		    "Back to the event", 1);
	return page_message_take(r, 200, waiting ?
	    "You are on the waiting list" : "You have a place", text,
	    "/registrations", "Your registrations", 1);
}

/* The columns of registrations_mine's query. */
enum {
	RM_REF, RM_STATUS, RM_POSITION, RM_PLACES, RM_EVENT, RM_TITLE,
	RM_STARTS, RM_PLACE, RM_EVENT_STATUS, RM_PAST, RM_PUBLIC
};

/* GET /registrations: the signed-in person's own. */
int
registrations_mine(struct request *r)
{
	struct view *v, *m;
	const char *p[1];
	char acc[32];
	PGresult *res;
	int i, n;

	if ((v = page_view(r, "Your registrations")) == NULL)
		return http_error(r, 500);
	view_set(v, "done_text", r->form.f[KEY_SAVED].num == 1 ?
	    "Your registration is cancelled." : r->form.f[KEY_LISTED].num ==
	    1 ? "Your choice about the attendee list is saved." : NULL);
	snprintf(acc, sizeof(acc), "%ld", r->account->id);
	p[0] = acc;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT r.ref, r.status, acorn_waiting_position(r.id), r.places,"
	    " e.id, e.title, " SQL_LONDON("e.starts", LONDON_WHEN) ","
	    " pt.name, e.status,"
	    " e.ends < now(), r.public"
	    " FROM registrations r JOIN events e ON e.id = r.event"
	    " LEFT JOIN place_types pt ON pt.id = r.place_type"
	    " WHERE r.account = $1::bigint AND r.status <> 'cancelled'"
	    " ORDER BY e.starts", 1, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		const char *st = PQgetvalue(res, i, RM_STATUS);
		const char *places = PQgetvalue(res, i, RM_PLACES);
		int cancelled = strcmp(PQgetvalue(res, i, RM_EVENT_STATUS),
		    "cancelled") == 0;
		int listed = *PQgetvalue(res, i, RM_PUBLIC) == 't';

		if ((m = view_add(v, "registrations")) == NULL)
			break;
		view_setf(m, "href", "/events/%s", PQgetvalue(res, i, RM_EVENT));
		view_set(m, "title", PQgetvalue(res, i, RM_TITLE));
		view_set(m, "starts", PQgetvalue(res, i, RM_STARTS));
		view_set(m, "place", db_value(res, i, RM_PLACE));
		if (strcmp(st, "confirmed") == 0)
			view_setf(m, "status", "You have %s %s",
			    strcmp(places, "1") == 0 ? "a" : places,
			    strcmp(places, "1") == 0 ? "place" : "places");
		else if (strcmp(st, "waiting") == 0)
			view_setf(m, "status", "Number %s on the waiting list",
			    PQgetvalue(res, i, RM_POSITION));
		else
			view_set(m, "status", "Waiting for you to confirm "
			    "your email address");
		view_flag(m, "is_waiting", strcmp(st, "waiting") == 0);
		view_flag(m, "event_cancelled", cancelled);
		view_flag(m, "can_cancel", *PQgetvalue(res, i, RM_PAST) == 'f' &&
		    !cancelled);
		view_flag(m, "can_list", view_has(m, "can_cancel"));
		view_setf(m, "cancel_action", "/registrations/%s/cancel",
		    PQgetvalue(res, i, RM_REF));
		/* The spoken name starts with the words on the button. */
		view_setf(m, "cancel_label", "%s %s",
		    strcmp(st, "waiting") == 0 ? "Leave the waiting list for" :
		    "Cancel my place at", PQgetvalue(res, i, RM_TITLE));
		view_set(m, "cancel_text", strcmp(st, "waiting") == 0 ?
		    "Leave the waiting list" : "Cancel my place");
		view_flag(m, "listed", listed);
		view_setf(m, "public_action", "/registrations/%s/public",
		    PQgetvalue(res, i, RM_REF));
		view_setf(m, "public_label", "%s my name on the attendee list "
		    "for %s", listed ? "Hide" : "Show",
		    PQgetvalue(res, i, RM_TITLE));
	}
	PQclear(res);
	if ((i = away_list(r, v)) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	view_flag(v, "none", n + i == 0);
	return http_page(r, 200, "registrations", v);
}

/*
 * Cancelling: the person is told their cancellation, and whoever moves up
 * is told their place, in the one statement that makes the change.  Only
 * the way the registration is found differs: a member's by its ref and
 * their account, a guest's by a key to it.
 */
/* The guest's statement names the unused $2 (NULL) for the same reason. */
static const char cancel_member_sql[] =
    "WITH mine AS (SELECT id, status FROM registrations WHERE ref = $1"
    " AND account = $2::bigint AND status <> 'cancelled')"
    SQL_CANCEL_REST;
static const char cancel_guest_sql[] =
    "WITH mine AS (SELECT id, status FROM registrations"
    " WHERE id = acorn_guest_registration($1) AND $2::text IS NULL"
    " AND status <> 'cancelled')"
    SQL_CANCEL_REST;

/* POST /registrations/{ref}/cancel: one's own place or waiting spot. */
int
registrations_cancel(struct request *r)
{
	const char *p[3];
	char acc[32];
	PGresult *res;
	int rc;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	if ((rc = away_cancel(r)) != -1)
		return rc;
	snprintf(acc, sizeof(acc), "%ld", r->account->id);
	p[0] = r->arg;
	p[1] = acc;
	p[2] = cfg->public_url;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, cancel_member_sql, 3,
	    p)) == NULL)
		return http_error(r, 503);
	PQclear(res);
	return http_redirect(r, "/registrations?saved=yes");
}

/*
 * POST /registrations/{ref}/public: show or hide one's name on the
 * event's public attendee list.
 */
int
registrations_public(struct request *r)
{
	const char *p[3];
	char acc[32];

	if (!util_uuid_valid(r->arg) || r->form.f[KEY_PUBLIC].text == NULL)
		return http_error(r, 400);
	snprintf(acc, sizeof(acc), "%ld", r->account->id);
	p[0] = r->arg;
	p[1] = acc;
	p[2] = r->form.f[KEY_PUBLIC].num == 1 ? "true" : "false";
	if (db_exec(r->db, "UPDATE registrations SET public = $3"
	    " WHERE ref = $1 AND account = $2::bigint", 3, p) == -1)
		return http_error(r, 503);
	return http_redirect(r, "/registrations?listed=yes");
}

/*
 * A guest's key: as util_token makes them and acorn_guest_key writes
 * them, so nothing else is looked up.
 */
static int
guest_key_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_'))
			return 0;
	return i == ACORN_TOKEN_LEN;
}

static int
back_to_guest(struct request *r, const char *query)
{
	return http_redirectf(r, "/registrations/guest/%s%s", r->arg, query);
}

/* The columns of registrations_guest's query. */
enum {
	GU_STATUS, GU_POSITION, GU_PLACES, GU_NAME, GU_PUBLIC, GU_EVENT,
	GU_TITLE, GU_STARTS, GU_PLACE, GU_EVENT_STATUS, GU_EXPIRED,
	GU_ONLINE_URL, GU_EMAIL
};

/*
 * GET /registrations/guest/{key}: the page every link sent to a guest
 * opens.  Following the link changes nothing (mail scanners open links);
 * the guest presses Confirm.
 */
int
registrations_guest(struct request *r)
{
	struct view *v;
	const char *p[1], *st;
	PGresult *res;

	if (!guest_key_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT r.status, acorn_waiting_position(r.id), r.places, r.name,"
	    " r.public, e.id, e.title, " SQL_LONDON("e.starts", LONDON_WHEN)
	    ", pt.name,"
	    " e.status, r.confirm_by < now(), e.online_url, r.email"
	    " FROM registrations r JOIN events e ON e.id = r.event"
	    " LEFT JOIN place_types pt ON pt.id = r.place_type"
	    " WHERE r.id = acorn_guest_registration($1)", 1, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	if (session_form(r) == -1 || (v = page_view(r, "Your registration")) ==
	    NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	st = PQgetvalue(res, 0, GU_STATUS);
	view_set(v, "name", PQgetvalue(res, 0, GU_NAME));
	view_set(v, "email", PQgetvalue(res, 0, GU_EMAIL));
	view_setf(v, "event_href", "/events/%s", PQgetvalue(res, 0, GU_EVENT));
	view_set(v, "event_title", PQgetvalue(res, 0, GU_TITLE));
	view_set(v, "starts", PQgetvalue(res, 0, GU_STARTS));
	view_set(v, "place", db_value(res, 0, GU_PLACE));
	view_set(v, "places", PQgetvalue(res, 0, GU_PLACES));
	view_setf(v, "confirm_action", "/registrations/guest/%s/confirm",
	    r->arg);
	view_setf(v, "cancel_action", "/registrations/guest/%s/cancel", r->arg);
	view_setf(v, "public_action", "/registrations/guest/%s/public", r->arg);
	view_flag(v, "event_cancelled", strcmp(PQgetvalue(res, 0,
	    GU_EVENT_STATUS), "cancelled") == 0);
	view_flag(v, "listed", *PQgetvalue(res, 0, GU_PUBLIC) == 't');
	if (strcmp(st, "unconfirmed") == 0) {
		view_flag(v, "unconfirmed", 1);
		view_flag(v, "expired", *PQgetvalue(res, 0, GU_EXPIRED) == 't');
	} else if (strcmp(st, "confirmed") == 0) {
		view_flag(v, "live", 1);
		view_set(v, "status", "You have a place at this event.");
		view_set(v, "online_url", db_value(res, 0, GU_ONLINE_URL));
	} else if (strcmp(st, "waiting") == 0) {
		view_flag(v, "live", 1);
		view_flag(v, "waiting", 1);
		view_setf(v, "status", "You are number %s on the waiting list.",
		    PQgetvalue(res, 0, GU_POSITION));
		view_set(v, "status_detail", "If a place becomes free it goes "
		    "to the next person on the list, and we will email you.");
	} else
		view_set(v, "status", "This registration is cancelled.");
	PQclear(res);
	return http_page(r, 200, "guest", v);
}

/* POST /registrations/guest/{key}/confirm */
int
registrations_guest_confirm(struct request *r)
{
	const char *p[2];
	PGresult *res;
	int n;

	if (!guest_key_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	p[1] = cfg->public_url;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "WITH c AS (SELECT * FROM acorn_confirm($1)),"
	    " told AS (SELECT acorn_tell(c.registration, c.status, $2)"
	    " FROM c WHERE c.changed)"
	    " SELECT c.status, (SELECT count(*) FROM told) FROM c", 2, p);
	if (res == NULL) {
		char back[160];

		snprintf(back, sizeof(back), "/registrations/guest/%s", r->arg);
		return register_refused(r, back);
	}
	n = PQntuples(res);
	PQclear(res);
	if (n != 1)
		return http_error(r, 404);
	return back_to_guest(r, "");
}

/* POST /registrations/guest/{key}/cancel */
int
registrations_guest_cancel(struct request *r)
{
	const char *p[3];
	PGresult *res;

	if (!guest_key_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	p[1] = NULL;
	p[2] = cfg->public_url;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, cancel_guest_sql, 3,
	    p)) == NULL)
		return http_error(r, 503);
	PQclear(res);
	return back_to_guest(r, "");
}

/* POST /registrations/guest/{key}/public */
int
registrations_guest_public(struct request *r)
{
	const char *p[2];

	if (!guest_key_valid(r->arg) || r->form.f[KEY_PUBLIC].text == NULL)
		return http_error(r, 400);
	p[0] = r->arg;
	p[1] = r->form.f[KEY_PUBLIC].num == 1 ? "true" : "false";
	if (db_exec(r->db, "UPDATE registrations SET public = $2"
	    " WHERE id = acorn_guest_registration($1)", 2, p) == -1)
		return http_error(r, 503);
	return back_to_guest(r, "");
}

/* Registering from home for an event another node holds -------------- */

/*
 * The columns of away_register's query for the kind of place, which
 * away_confirm_page shows.
 */
enum {
	AP_REF, AP_PLACE_NAME, AP_HOST, AP_TITLE, AP_NAME, AP_ORGANISATION
};

/* The columns of away_confirm_page's query for the answers. */
enum { AA_LABEL, AA_VALUE, AA_QUESTION };

/* The confirmation step: everything that will be sent, and to whom. */
static int
away_confirm_page(struct request *r, PGresult *ev, const char *ids,
    const char *values)
{
	const char *p[3];
	struct view *v, *row, *h;
	PGresult *res;
	int i, n;

	if ((v = page_view(r, "Check what will be shared")) == NULL)
		return http_error(r, 500);
	view_set(v, "host", PQgetvalue(ev, 0, AP_HOST));
	view_set(v, "event_title", PQgetvalue(ev, 0, AP_TITLE));
	view_setf(v, "event_href", "/events/%s", r->arg);
	view_setf(v, "action", "/events/%s/register", r->arg);
	view_set(v, "request_key", r->form.f[KEY_REQUEST].text);
#define ROW(label, value) do { \
	if ((row = view_add(v, "rows")) != NULL) { \
		view_set(row, "label", (label)); \
		view_set(row, "value", (value)); \
	} \
} while (0)
	ROW("Name", PQgetvalue(ev, 0, AP_NAME));
	ROW("Email address", r->account->email);
	ROW("Organisation", *PQgetvalue(ev, 0, AP_ORGANISATION) != '\0' ?
	    PQgetvalue(ev, 0, AP_ORGANISATION) : "None given");
	ROW("Kind of place", PQgetvalue(ev, 0, AP_PLACE_NAME));
	ROW("Number of places", r->form.f[KEY_PLACES].text != NULL ?
	    r->form.f[KEY_PLACES].text : "1");
	p[0] = r->arg;
	p[1] = ids;
	p[2] = values;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT q.label, a.v, a.q"
	    " FROM unnest($2::bigint[], $3::text[]) AS a (q, v)"
	    " JOIN questions q ON q.id = a.q AND q.event = $1"
	    " ORDER BY q.position, q.id", 3, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		ROW(PQgetvalue(res, i, AA_LABEL), PQgetvalue(res, i, AA_VALUE));
		if ((h = view_add(v, "answers")) != NULL) {
			view_setf(h, "name", "answer_%s", PQgetvalue(res, i,
			    AA_QUESTION));
			view_set(h, "value", PQgetvalue(res, i, AA_VALUE));
		}
	}
	PQclear(res);
	ROW("Public attendee list", r->form.f[KEY_PUBLIC].num == 1 ?
	    "Show my name" : "Do not show my name");
#undef ROW
	view_set(v, "place", r->form.f[KEY_PLACE].text);
	view_set(v, "places", r->form.f[KEY_PLACES].text != NULL ?
	    r->form.f[KEY_PLACES].text : "1");
	view_flag(v, "public", r->form.f[KEY_PUBLIC].num == 1);
	return http_page(r, 200, "register_confirm", v);
}

/*
 * POST /events/{id}/register for an event another node holds: the form
 * checked as for a local event, then the confirmation step, then the
 * request made and sent.
 */
static int
away_register(struct request *r, const char *host_name)
{
	const struct field *places = &r->form.f[KEY_PLACES];
	const char *p[11];
	char back[128], acc[32], id[ACORN_UUID_LEN + 1], *text;
	char *ids = NULL, *values = NULL;
	struct view *v;
	PGresult *ev, *res;
	int rc;

	snprintf(back, sizeof(back), "/events/%.36s", r->arg);
	if (r->account == NULL) {
		text = util_printf("Registration for this event is handled by "
		    "%s. Sign in here, and this node sends your registration "
		    "to %s for you.", host_name, host_name);
		snprintf(back, sizeof(back), "/signin?next=/events/%.36s",
		    r->arg);
		return page_message_take(r, 403, "Sign in to register", text,
		    back, "Sign in", 0);
	}
	if ((v = registration_form(r, back, &rc)) == NULL)
		return rc;
	if (registration_form_end(r, v, &ids, &values, &rc) == -1)
		return rc;
	p[0] = r->form.f[KEY_PLACE].text;
	p[1] = r->arg;
	p[2] = r->account->member;
	/* Its columns are AP_*, above. */
	ev = db_query(r->db, PGRES_TUPLES_OK, "SELECT pt.ref, pt.name,"
	    " coalesce(k.name, 'the node holding the event'), e.title,"
	    " m.name, coalesce(m.organisation, '')"
	    " FROM place_types pt JOIN events e ON e.id = pt.event"
	    " LEFT JOIN known_nodes k ON k.id = e.origin, members m"
	    " WHERE pt.id = $1::bigint AND pt.event = $2 AND pt.ref IS NOT NULL"
	    " AND m.id = $3::uuid", 3, p);
	if (ev == NULL)
		goto unavailable;
	if (PQntuples(ev) != 1) {
		PQclear(ev);
		free(ids);
		free(values);
		return page_message(r, 404, "Error: Registration not made",
		    "That kind of place is not offered at this event.", back,
		    "Back to the event", 0);
	}
	if (r->form.f[KEY_CONFIRM].num != 1) {
		rc = away_confirm_page(r, ev, ids, values);
		PQclear(ev);
		free(ids);
		free(values);
		return rc;
	}
	PQclear(ev);
	snprintf(acc, sizeof(acc), "%ld", r->account->id);
	p[3] = acc;
	p[4] = r->account->email;
	p[5] = places->text != NULL ? places->text : "1";
	p[6] = r->form.f[KEY_PUBLIC].num == 1 ? "true" : "false";
	p[7] = ids;
	p[8] = values;
	p[9] = r->form.f[KEY_REQUEST].text;
	/* A form sent twice makes one request. */
	res = db_query(r->db, PGRES_TUPLES_OK, "WITH made AS ("
	    " INSERT INTO away_registrations (id, event, host, account, name,"
	    " email, organisation, place_ref, place_name, places, public,"
	    " answers, request_key, next_attempt)"
	    " SELECT gen_random_uuid(), e.id, e.origin, $4::bigint, m.name, $5,"
	    " m.organisation, pt.ref, pt.name, $6::integer, $7::boolean,"
	    " (SELECT coalesce(jsonb_agg(jsonb_build_object('question', q.ref,"
	    "  'label', q.label, 'value', a.v) ORDER BY q.position, q.id),"
	    "  '[]') FROM unnest($8::bigint[], $9::text[]) AS a (q, v)"
	    "  JOIN questions q ON q.id = a.q AND q.event = e.id),"
	    " $10, now()"
	    " FROM place_types pt JOIN events e ON e.id = pt.event, members m"
	    " WHERE pt.id = $1::bigint AND pt.event = $2 AND m.id = $3::uuid"
	    " ON CONFLICT (request_key) DO NOTHING RETURNING id)"
	    " SELECT id FROM made UNION ALL SELECT id FROM away_registrations"
	    " WHERE request_key = $10 AND account = $4::bigint", 10, p);
	free(ids);
	free(values);
	if (res == NULL) {
		if (strcmp(db_state(r->db), "23505") == 0)
			return page_message(r, 409, "Error: Already registered",
			    "You have already registered for this event. Your "
			    "registrations page says where it stands.",
			    "/registrations", "Your registrations", 0);
		return http_error(r, 503);
	}
	if (PQntuples(res) < 1) {
		PQclear(res);
		return http_error(r, 409);
	}
	snprintf(id, sizeof(id), "%.36s", PQgetvalue(res, 0, DB_ONLY));
	PQclear(res);
	/*
	 * The courier sends it (the insert woke it): this thread never
	 * waits on another node.  The member follows it on its own page.
	 */
	snprintf(back, sizeof(back), "/registrations/%s", id);
	return http_redirect(r, back);
unavailable:
	free(ids);
	free(values);
	return http_error(r, 503);
}

/*
 * POST /registrations/{id}/cancel for a registration at another node's
 * event: the cancellation is a new version of the request, which the
 * courier sends at once or, when the host cannot be reached, as soon as
 * it can.  -1 when id is not one of the member's away registrations.
 */
static int
away_cancel(struct request *r)
{
	const char *p[2];
	char acc[32];
	PGresult *res;
	int n;

	snprintf(acc, sizeof(acc), "%ld", r->account->id);
	p[0] = r->arg;
	p[1] = acc;
	res = db_query(r->db, PGRES_TUPLES_OK, "UPDATE away_registrations"
	    " SET wanted = 'cancelled', version = version + 1, attempts = 0,"
	    " last_error = NULL, changed = now(), next_attempt = now()"
	    " WHERE id = $1 AND account = $2::bigint"
	    " AND wanted = 'registered' AND status <> 'refused' RETURNING id",
	    2, p);
	if (res == NULL)
		return http_error(r, 503);
	n = PQntuples(res);
	PQclear(res);
	if (n == 0)
		return -1;
	/* The courier sends it, as it sends the registration. */
	return http_redirect(r, "/registrations?saved=yes");
}
