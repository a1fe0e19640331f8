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

#include "acorn.h"

static int
message(struct request *r, unsigned int status, const char *title,
    const char *text, const char *href, const char *link, int success)
{
	struct view *v;

	if ((v = page_view(r, title)) == NULL)
		return http_error(r, 500);
	view_set(v, "title", title);
	view_set(v, "message", text);
	view_set(v, "link_href", href);
	view_set(v, "link_text", link);
	view_flag(v, "success", success);
	return http_page(r, status, "message", v);
}

/* POST /events/{id}/register */
int
events_register(struct request *r)
{
	const struct field *places = &r->form.f[KEY_PLACES];
	const char *p[10], *state;
	char back[128], acc[32], *text;
	PGresult *res, *who;
	int rc, waiting;

	snprintf(back, sizeof(back), "/events/%.36s", r->arg);
	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	if (r->form.f[KEY_PLACE].text == NULL ||
	    r->form.f[KEY_REQUEST].text == NULL ||
	    places->error || (places->text != NULL &&
	    (places->num < 1 || places->num > 10)))
		return message(r, 422, "Error: Registration not made",
		    "Choose a kind of place and a number of places from 1 to "
		    "10, then try again.", back, "Back to the event", 0);
	p[0] = r->account->member;
	if ((who = db_query(r->db, PGRES_TUPLES_OK, "SELECT name,"
	    " organisation FROM members WHERE id = $1", 1, p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(who) != 1) {
		PQclear(who);
		return http_error(r, 404);
	}
	snprintf(acc, sizeof(acc), "%ld", r->account->id);
	p[0] = r->form.f[KEY_PLACE].text;
	p[1] = acc;
	p[2] = PQgetvalue(who, 0, 0);
	p[3] = r->account->email;
	p[4] = db_value(who, 0, 1);
	p[5] = places->text != NULL ? places->text : "1";
	p[6] = r->form.f[KEY_PUBLIC].num == 1 ? "true" : "false";
	p[7] = r->form.f[KEY_REQUEST].text;
	p[8] = cfg->public_url;
	p[9] = r->arg;
	/*
	 * One statement: the place is decided under the place type's lock
	 * and the mail is queued in the same transaction.  A repeated form
	 * gets its first answer and no second mail.
	 */
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "WITH reg AS (SELECT g.* FROM place_types pt,"
	    " acorn_register(pt.id, $2, $3, $4, $5, $6::integer,"
	    " $7::boolean, $8) AS g WHERE pt.id = $1 AND pt.event = $10),"
	    " told AS (SELECT acorn_tell(reg.registration, reg.status,"
	    " $9) FROM reg WHERE NOT reg.repeated)"
	    " SELECT reg.status, reg.waiting_position, e.title,"
	    " (SELECT count(*) FROM told)"
	    " FROM reg, events e WHERE e.id = $10", 10, p);
	PQclear(who);
	if (res == NULL) {
		state = db_state(r->db);
		if (strcmp(state, "AC001") == 0)
			return message(r, 409, "Error: Registration is not open",
			    "Registration for this event is not open at the "
			    "moment. The event page says when it opens or "
			    "closes.", back, "Back to the event", 0);
		if (strcmp(state, "AC003") == 0)
			return message(r, 409, "Error: Too many places",
			    "There are not that many places of this kind at "
			    "the event. Choose fewer places, or ask the "
			    "organiser.", back, "Back to the event", 0);
		if (strcmp(state, "AC005") == 0)
			return message(r, 409, "Error: Already registered",
			    "You are already registered for this event. Your "
			    "registrations page shows your place or your "
			    "position on the waiting list.", "/registrations",
			    "Your registrations", 0);
		return http_error(r, 503);
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		return message(r, 404, "Error: Registration not made",
		    "That kind of place is not offered at this event.", back,
		    "Back to the event", 0);
	}
	waiting = strcmp(PQgetvalue(res, 0, 0), "waiting") == 0;
	if (waiting)
		text = util_printf("The event is full, so you are number %s on "
		    "the waiting list for %s. If a place becomes free it goes "
		    "to the next person on the list, and we will email you.",
		    PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
	else
		text = util_printf("You have a place at %s. We have sent you "
		    "an email to confirm it.", PQgetvalue(res, 0, 2));
	PQclear(res);
	if (text == NULL)
		return http_error(r, 500);
	rc = message(r, 200, waiting ? "You are on the waiting list" :
	    "You have a place", text, "/registrations", "Your registrations",
	    1);
	free(text);
	return rc;
}

/* GET /registrations: the signed-in person's own. */
int
registrations_mine(struct request *r)
{
	struct view *v, *m;
	const char *p[1];
	PGresult *res;
	int i, n;

	if ((v = page_view(r, "Your registrations")) == NULL)
		return http_error(r, 500);
	view_set(v, "done_text", r->form.f[KEY_SAVED].num == 1 ?
	    "Your registration is cancelled." : NULL);
	p[0] = r->account->email;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT r.ref, r.status, acorn_waiting_position(r.id), r.places,"
	    " e.id, e.title, to_char(e.starts AT TIME ZONE 'Europe/London',"
	    " 'FMDay FMDD FMMonth YYYY, HH24:MI'), pt.name, e.status,"
	    " e.ends < now(), r.public"
	    " FROM registrations r JOIN events e ON e.id = r.event"
	    " LEFT JOIN place_types pt ON pt.id = r.place_type"
	    " WHERE lower(r.email) = lower($1) AND r.status <> 'cancelled'"
	    " ORDER BY e.starts", 1, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		const char *st = PQgetvalue(res, i, 1);

		if ((m = view_add(v, "registrations")) == NULL)
			break;
		view_setf(m, "href", "/events/%s", PQgetvalue(res, i, 4));
		view_set(m, "title", PQgetvalue(res, i, 5));
		view_set(m, "starts", PQgetvalue(res, i, 6));
		view_set(m, "place", db_value(res, i, 7));
		if (strcmp(st, "confirmed") == 0)
			view_setf(m, "status", "You have %s %s",
			    strcmp(PQgetvalue(res, i, 3), "1") == 0 ? "a" :
			    PQgetvalue(res, i, 3), strcmp(PQgetvalue(res, i,
			    3), "1") == 0 ? "place" : "places");
		else if (strcmp(st, "waiting") == 0)
			view_setf(m, "status", "Number %s on the waiting list",
			    PQgetvalue(res, i, 2));
		else
			view_set(m, "status", "Waiting for you to confirm "
			    "your email address");
		view_flag(m, "is_waiting", strcmp(st, "waiting") == 0);
		view_flag(m, "event_cancelled",
		    strcmp(PQgetvalue(res, i, 8), "cancelled") == 0);
		view_flag(m, "can_cancel", *PQgetvalue(res, i, 9) == 'f' &&
		    strcmp(PQgetvalue(res, i, 8), "cancelled") != 0);
		view_setf(m, "cancel_action", "/registrations/%s/cancel",
		    PQgetvalue(res, i, 0));
		/* The spoken name starts with the words on the button. */
		view_setf(m, "cancel_label", "%s %s",
		    strcmp(st, "waiting") == 0 ? "Leave the waiting list for" :
		    "Cancel my place at", PQgetvalue(res, i, 5));
		view_set(m, "cancel_text", strcmp(st, "waiting") == 0 ?
		    "Leave the waiting list" : "Cancel my place");
	}
	view_flag(v, "none", n == 0);
	PQclear(res);
	return http_page(r, 200, "registrations", v);
}

/* POST /registrations/{ref}/cancel: one's own place or waiting spot. */
int
registrations_cancel(struct request *r)
{
	const char *p[3];
	PGresult *res;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	p[1] = r->account->email;
	p[2] = cfg->public_url;
	/*
	 * The person is told their cancellation, and whoever moves up is
	 * told their place, in the one transaction that makes the change.
	 */
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "WITH mine AS (SELECT id FROM registrations WHERE ref = $1"
	    " AND lower(email) = lower($2) AND status <> 'cancelled'),"
	    " promoted AS (SELECT x FROM mine, acorn_cancel(mine.id) AS x),"
	    " told AS (SELECT acorn_tell(x, 'promoted', $3) FROM promoted"
	    " UNION ALL SELECT acorn_tell(id, 'cancelled', $3) FROM mine)"
	    " SELECT (SELECT count(*) FROM mine), (SELECT count(*) FROM told)",
	    3, p);
	if (res == NULL)
		return http_error(r, 503);
	PQclear(res);
	return http_redirect(r, "/registrations?saved=yes");
}

/* GET /events/{id}/attendees: who has a place and who is waiting. */
int
events_attendees(struct request *r)
{
	struct view *v, *a;
	PGresult *res;
	const char *p[2];
	int i, n, missing, confirmed = 0, waiting = 0;

	if ((res = event_fetch(r, &missing)) == NULL)
		return event_missing(r, missing);
	if ((v = page_view(r, "Attendees")) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	view_set(v, "event_title", PQgetvalue(res, 0, 1));
	view_setf(v, "event_href", "/events/%s", r->arg);
	view_setf(v, "promote_action", "/events/%s/promote", r->arg);
	view_setf(v, "checkin_href", "/events/%s/checkin", r->arg);
	view_setf(v, "export_href", "/events/%s/export", r->arg);
	view_set(v, "done_text", r->form.f[KEY_SAVED].num == 1 ?
	    "Promoted from the waiting list." : NULL);
	PQclear(res);
	p[0] = r->arg;
	p[1] = node_id;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT r.ref, r.name, r.organisation, r.email, pt.name, r.places,"
	    " r.status, acorn_waiting_position(r.id), r.role,"
	    " to_char(r.created AT TIME ZONE 'Europe/London',"
	    " 'FMDD FMMon, HH24:MI'),"
	    " pt.capacity - pt.taken >= r.places"
	    " FROM registrations r JOIN events e ON e.id = r.event"
	    " LEFT JOIN place_types pt ON pt.id = r.place_type"
	    " WHERE r.event = $1 AND e.origin = $2"
	    " AND r.status IN ('confirmed', 'waiting')"
	    " ORDER BY r.status, r.arrival, r.name", 2, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		int w = strcmp(PQgetvalue(res, i, 6), "waiting") == 0;

		if ((a = view_add(v, w ? "waiting" : "confirmed")) == NULL)
			break;
		view_set(a, "ref", PQgetvalue(res, i, 0));
		view_set(a, "name", PQgetvalue(res, i, 1));
		view_set(a, "organisation", db_value(res, i, 2));
		view_set(a, "email", PQgetvalue(res, i, 3));
		view_set(a, "place", db_value(res, i, 4));
		view_set(a, "places", PQgetvalue(res, i, 5));
		view_set(a, "position", db_value(res, i, 7));
		view_set(a, "role", PQgetvalue(res, i, 8));
		view_set(a, "created", PQgetvalue(res, i, 9));
		view_flag(a, "fits", *PQgetvalue(res, i, 10) == 't');
		view_setf(a, "promote_label", "Give %s a place",
		    PQgetvalue(res, i, 1));
		if (w)
			waiting++;
		else
			confirmed++;
	}
	PQclear(res);
	view_setf(v, "confirmed_text", "%d %s", confirmed,
	    confirmed == 1 ? "registration" : "registrations");
	view_setf(v, "waiting_text", "%d waiting", waiting);
	view_flag(v, "has_confirmed", confirmed > 0);
	view_flag(v, "has_waiting", waiting > 0);
	return http_page(r, 200, "attendees", v);
}

/* POST /events/{id}/promote: a coordinator gives one waiting entry a place. */
int
events_promote(struct request *r)
{
	const char *p[4];
	PGresult *res;
	char to[128];
	int n;

	if (!util_uuid_valid(r->arg) || r->form.f[KEY_ID].text == NULL)
		return http_error(r, 404);
	p[0] = r->form.f[KEY_ID].text;
	p[1] = r->arg;
	p[2] = node_id;
	p[3] = cfg->public_url;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT acorn_tell(x, 'promoted', $4)"
	    " FROM registrations g JOIN events e ON e.id = g.event,"
	    " acorn_promote_one(g.id) AS x"
	    " WHERE g.ref = $1 AND g.event = $2 AND e.origin = $3", 4, p);
	if (res == NULL)
		return http_error(r, 503);
	n = PQntuples(res);
	PQclear(res);
	if (n == 1)
		audit(r->db, r->account->id, "promote", p[0]);
	snprintf(to, sizeof(to), "/events/%.36s/attendees%s", r->arg,
	    n == 1 ? "?saved=yes" : "");
	return http_redirect(r, to);
}
