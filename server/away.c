/*
 * A member's registrations for events other nodes hold.  The member
 * fills in the event's form here, sees exactly what will be shared with
 * the host, and confirms; this node then signs the request and sends it
 * to the host's inbox (feeds/inbox.c), waiting a few seconds for the
 * answer.  When the host cannot be reached the request stays pending and
 * the courier keeps trying; the page says so rather than guessing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acorn.h"

/* How long a member's page waits for the host before saying "pending". */
#define ANSWER_WAIT	5L

/* Columns of away_columns, for one registration. */
enum {
	A_ID, A_STATUS, A_POSITION, A_WHY, A_WANTED, A_DELIVERED, A_VERSION,
	A_ATTEMPTS, A_HOST, A_PLACES, A_EVENT, A_TITLE, A_STARTS, A_PLACE,
	A_EVENT_STATUS, A_PAST, A_JOINING
};
#define AWAY_COLUMNS \
    "SELECT a.id, a.status, a.position, acorn_refusal(a.why), a.wanted," \
    " a.delivered, a.version, a.attempts," \
    " coalesce(k.name, 'the node holding the event'), a.places, e.id," \
    " e.title, to_char(e.starts AT TIME ZONE 'Europe/London'," \
    " 'FMDay FMDD FMMonth YYYY, HH24:MI'), a.place_name, e.status," \
    " e.ends < now(), a.joining" \
    " FROM away_registrations a JOIN events e ON e.id = a.event" \
    " LEFT JOIN known_nodes k ON k.id = a.host"

/* What the member's registration stands at, in words. */
static char *
away_status_text(PGresult *res, int i)
{
	const char *st = PQgetvalue(res, i, A_STATUS);
	const char *host = PQgetvalue(res, i, A_HOST);
	const char *places = PQgetvalue(res, i, A_PLACES);
	int tried = strcmp(PQgetvalue(res, i, A_ATTEMPTS), "0") != 0;

	if (strcmp(PQgetvalue(res, i, A_WANTED), "cancelled") == 0)
		return util_printf("Cancelling: waiting for %s to confirm",
		    host);
	if (strcmp(st, "pending") == 0)
		return util_printf("%s to %s; waiting for its answer%s",
		    tried ? "Not yet delivered" : "Sent", host,
		    tried ? " (we keep trying)" : "");
	if (strcmp(st, "confirmed") == 0)
		return strcmp(places, "1") == 0 ? util_strdup("You have a "
		    "place") : util_printf("You have %s places", places);
	/* Places ahead can free up without a word: say when it was so. */
	if (strcmp(st, "waiting") == 0)
		return util_printf("Number %s on the waiting list when %s "
		    "last told us", PQgetvalue(res, i, A_POSITION), host);
	if (strcmp(st, "refused") == 0)
		return util_printf("Not accepted by %s: %s", host,
		    PQgetvalue(res, i, A_WHY));
	return util_strdup("Cancelled");
}

/*
 * The member's registrations for other nodes' events, added to the list
 * on their registrations page.  Answers how many, or -1.
 */
int
away_list(struct request *r, struct view *v)
{
	const char *p[1] = { r->account->email };
	struct view *m;
	PGresult *res;
	char *text;
	int i, n;

	res = db_query(r->db, PGRES_TUPLES_OK, AWAY_COLUMNS
	    " WHERE lower(a.email) = lower($1) AND NOT (a.status IN"
	    " ('cancelled') AND a.delivered = a.version)"
	    " ORDER BY e.starts", 1, p);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		int live = strcmp(PQgetvalue(res, i, A_WANTED),
		    "registered") == 0 && strcmp(PQgetvalue(res, i,
		    A_STATUS), "refused") != 0;

		if ((m = view_add(v, "registrations")) == NULL)
			break;
		view_setf(m, "href", "/events/%s", PQgetvalue(res, i, A_EVENT));
		view_set(m, "title", PQgetvalue(res, i, A_TITLE));
		view_set(m, "starts", PQgetvalue(res, i, A_STARTS));
		view_set(m, "place", PQgetvalue(res, i, A_PLACE));
		view_setf(m, "host", "Held by %s", PQgetvalue(res, i, A_HOST));
		if ((text = away_status_text(res, i)) != NULL)
			view_set(m, "status", text);
		free(text);
		view_flag(m, "pending", strcmp(PQgetvalue(res, i, A_STATUS),
		    "pending") == 0 || strcmp(PQgetvalue(res, i, A_WANTED),
		    "cancelled") == 0);
		view_flag(m, "event_cancelled", strcmp(PQgetvalue(res, i,
		    A_EVENT_STATUS), "cancelled") == 0);
		view_flag(m, "can_cancel", live && *PQgetvalue(res, i,
		    A_PAST) == 'f');
		view_flag(m, "away", 1);
		view_setf(m, "cancel_action", "/registrations/%s/cancel",
		    PQgetvalue(res, i, A_ID));
		view_setf(m, "cancel_label", "%s %s", strcmp(PQgetvalue(res, i,
		    A_STATUS), "waiting") == 0 ? "Leave the waiting list for" :
		    "Cancel my registration for", PQgetvalue(res, i, A_TITLE));
		view_set(m, "cancel_text", strcmp(PQgetvalue(res, i, A_STATUS),
		    "waiting") == 0 ? "Leave the waiting list" :
		    "Cancel my registration");
	}
	PQclear(res);
	return n;
}

/*
 * On a received event's page: the signed-in member's registration for
 * it, if any, in "registered" and "my_status".  -1 on failure.
 */
int
away_event_status(struct request *r, struct view *v, const char *event)
{
	const char *p[2] = { event, r->account->email };
	PGresult *res;
	char *text;

	res = db_query(r->db, PGRES_TUPLES_OK, AWAY_COLUMNS
	    " WHERE a.event = $1 AND lower(a.email) = lower($2)"
	    " AND a.wanted = 'registered'"
	    " AND a.status NOT IN ('cancelled', 'refused')", 2, p);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1 && (text = away_status_text(res, 0)) !=
	    NULL) {
		view_flag(v, "registered", 1);
		view_setf(v, "my_status", "%s.", text);
		free(text);
		/* The way in to an online event, as the host gave it. */
		view_set(v, "online_url", db_value(res, 0, A_JOINING));
	}
	PQclear(res);
	return 0;
}

/* The page after a registration was sent: what the host said, if it did. */
static int
away_outcome_page(struct request *r, const char *id)
{
	const char *p[1] = { id };
	const char *title, *host, *event;
	PGresult *res;
	char *text;
	const char *st;
	int rc, refused;

	res = db_query(r->db, PGRES_TUPLES_OK, AWAY_COLUMNS
	    " WHERE a.id = $1", 1, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	st = PQgetvalue(res, 0, A_STATUS);
	host = PQgetvalue(res, 0, A_HOST);
	event = PQgetvalue(res, 0, A_TITLE);
	if (strcmp(st, "confirmed") == 0) {
		title = "You have a place";
		text = util_printf("%s has given you a place at %s. We have "
		    "sent you an email to confirm it.", host, event);
	} else if (strcmp(st, "waiting") == 0) {
		title = "You are on the waiting list";
		text = util_printf("%s is full, so %s has put you at number %s "
		    "on its waiting list. If a place becomes free it goes to "
		    "the next person on the list, and we will email you.",
		    event, host, PQgetvalue(res, 0, A_POSITION));
	} else if (strcmp(st, "refused") == 0) {
		title = "Error: Registration not accepted";
		text = util_printf("%s could not accept your registration for "
		    "%s: %s.", host, event, PQgetvalue(res, 0, A_WHY));
	} else {
		title = "Your registration is waiting to be delivered";
		text = util_printf("We could not reach %s just now. Your "
		    "registration for %s is saved here, and we will keep "
		    "sending it until %s answers; then we will email you. It "
		    "will only ever count once.", host, event, host);
	}
	refused = strcmp(st, "refused") == 0;
	PQclear(res);
	if (text == NULL)
		return http_error(r, 500);
	rc = page_message(r, refused ? 409 : 200, title, text,
	    "/registrations", "Your registrations", !refused);
	free(text);
	return rc;
}

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
	view_set(v, "host", PQgetvalue(ev, 0, 2));
	view_set(v, "event_title", PQgetvalue(ev, 0, 3));
	view_setf(v, "event_href", "/events/%s", r->arg);
	view_setf(v, "action", "/events/%s/register", r->arg);
	view_set(v, "request_key", r->form.f[KEY_REQUEST].text);
#define ROW(label, value) do { \
	if ((row = view_add(v, "rows")) != NULL) { \
		view_set(row, "label", (label)); \
		view_set(row, "value", (value)); \
	} \
} while (0)
	ROW("Name", PQgetvalue(ev, 0, 4));
	ROW("Email address", r->account->email);
	ROW("Organisation", *PQgetvalue(ev, 0, 5) != '\0' ?
	    PQgetvalue(ev, 0, 5) : "None given");
	ROW("Kind of place", PQgetvalue(ev, 0, 1));
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
		ROW(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
		if ((h = view_add(v, "answers")) != NULL) {
			view_setf(h, "name", "answer_%s", PQgetvalue(res, i, 2));
			view_set(h, "value", PQgetvalue(res, i, 1));
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
int
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
		rc = text == NULL ? http_error(r, 500) : page_message(r, 403,
		    "Sign in to register", text, back, "Sign in", 0);
		free(text);
		return rc;
	}
	if ((v = registration_form(r, back, &rc)) == NULL)
		return rc;
	if (registration_form_end(r, v, &ids, &values, &rc) == -1)
		return rc;
	p[0] = r->form.f[KEY_PLACE].text;
	p[1] = r->arg;
	p[2] = r->account->member;
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
	    " $10, now() + interval '1 minute'"
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
	snprintf(id, sizeof(id), "%.36s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (away_send(r->db, server_signer, NULL, id, ANSWER_WAIT) == -1)
		return http_error(r, 503);
	return away_outcome_page(r, id);
unavailable:
	free(ids);
	free(values);
	return http_error(r, 503);
}

/*
 * POST /registrations/{id}/cancel for a registration at another node's
 * event: the cancellation is a new version of the request, sent now or,
 * when the host cannot be reached, as soon as it can.  -1 when id is not
 * one of the member's away registrations.
 */
int
away_cancel(struct request *r)
{
	const char *p[2] = { r->arg, r->account->email };
	PGresult *res;
	int n;

	res = db_query(r->db, PGRES_TUPLES_OK, "UPDATE away_registrations"
	    " SET wanted = 'cancelled', version = version + 1, attempts = 0,"
	    " last_error = NULL, changed = now(),"
	    " next_attempt = now() + interval '1 minute'"
	    " WHERE id = $1 AND lower(email) = lower($2)"
	    " AND wanted = 'registered' AND status <> 'refused' RETURNING id",
	    2, p);
	if (res == NULL)
		return http_error(r, 503);
	n = PQntuples(res);
	PQclear(res);
	if (n == 0)
		return -1;
	if (away_send(r->db, server_signer, NULL, r->arg, ANSWER_WAIT) == -1)
		return http_error(r, 503);
	return http_redirect(r, "/registrations?saved=yes");
}
