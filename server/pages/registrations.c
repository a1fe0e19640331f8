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
 * sent a link first (its key made by the letter), and may say which
 * stakeholder group they are in ($13).  Both take the same thirteen
 * parameters, so each names those it does not use (always NULL: a
 * member's $5 and $13, a guest's $2) for PostgreSQL to know their type.
 */
static const char register_member_sql[] =
    "WITH reg AS (SELECT g.* FROM place_types pt, members m,"
    " acorn_register(pt.id, $2, m.name, $4, m.organisation, $6::integer,"
    " $7::boolean, $8) AS g WHERE pt.id = $1 AND pt.event = $10"
    " AND m.id = $3::uuid AND $5::text IS NULL AND $13::text IS NULL),"
    " ans AS (INSERT INTO answers (registration, question, value)"
    " SELECT reg.registration, a.q, a.v FROM reg,"
    " unnest($11::bigint[], $12::text[]) AS a(q, v) WHERE NOT reg.repeated),"
    " told AS (SELECT acorn_tell(reg.registration, reg.status, $9)"
    " FROM reg WHERE NOT reg.repeated)"
    " SELECT reg.status, reg.waiting_position, e.title,"
    " (SELECT count(*) FROM told), reg.ref"
    " FROM reg, events e WHERE e.id = $10";
static const char register_guest_sql[] =
    "WITH reg AS (SELECT g.* FROM place_types pt,"
    " acorn_register_guest(pt.id, $3, $4, $5, $6::integer, $7::boolean,"
    " $8) AS g WHERE pt.id = $1 AND pt.event = $10 AND $2::bigint IS NULL),"
    " ans AS (INSERT INTO answers (registration, question, value)"
    " SELECT reg.registration, a.q, a.v FROM reg,"
    " unnest($11::bigint[], $12::text[]) AS a(q, v) WHERE NOT reg.repeated),"
    " grp AS (SELECT acorn_registration_group(reg.registration, $13)"
    " FROM reg WHERE NOT reg.repeated AND $13 IS NOT NULL),"
    " told AS (SELECT acorn_tell(reg.registration, 'unconfirmed', $9)"
    " FROM reg WHERE NOT reg.repeated)"
    " SELECT 'unconfirmed', NULL, e.title, (SELECT count(*) FROM told),"
    " NULL, (SELECT count(*) FROM grp) FROM reg, events e WHERE e.id = $10";

/*
 * The columns of both: where it stands, how many were told, and (for a
 * member) the registration's ref.
 */
enum { RS_STATUS, RS_POSITION, RS_TITLE, RS_TOLD, RS_REF };

/*
 * The confirmation page of a member's registration here, by its ref:
 * the answer to their registration form.
 */
static int
registration_done(struct request *r, const char *ref)
{
	const char *p[2];
	struct view *v;
	PGresult *res;
	char acc[32], cancel[128];

	p[0] = ref;
	p[1] = viewer_account(r, acc);
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT r.status,"
	    " acorn_waiting_position(r.id), r.reference, r.places, pt.name,"
	    " e.online_url," SQL_CONFIRMATION_EVENT
	    " FROM registrations r JOIN events e ON e.id = r.event"
	    " LEFT JOIN place_types pt ON pt.id = r.place_type"
	    " WHERE r.ref = $1 AND r.account = $2::bigint", 2, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	if ((v = page_view(r, strcmp(PQgetvalue(res, 0, CF_STATUS),
	    "waiting") == 0 ? "You\u2019re on the waiting list" :
	    "You have a place")) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	snprintf(cancel, sizeof(cancel), "/registrations/%.36s/cancel", ref);
	registration_confirmation(v, res, cancel);
	PQclear(res);
	view_flag(v, "member", 1);
	view_set(v, "email", r->account->email);
	return http_page(r, 200, "registration", v);
}

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
	const char *p[13], *name = NULL, *email = NULL, *org = NULL;
	const char *group = NULL;
	char back[128], acc[32], ref[ACORN_UUID_LEN + 1], *text;
	char *ids = NULL, *values = NULL;
	struct view *v;
	PGresult *res;
	int rc;

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
		group = view_field(v, r, KEY_GROUP, NULL);
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
	p[12] = r->account != NULL ? NULL : group;
	res = db_query(r->db, PGRES_TUPLES_OK, r->account != NULL ?
	    register_member_sql : register_guest_sql, 13, p);
	free(ids);
	free(values);
	if (res == NULL)
		return register_refused(r, back);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return page_message(r, 404, "Error: Registration not made",
		    "That type of place is not offered at this event.", back,
		    "Back to the event", 0);
	}
	if (r->account != NULL) {
		snprintf(ref, sizeof(ref), "%.36s", PQgetvalue(res, 0, RS_REF));
		PQclear(res);
		return registration_done(r, ref);
	}
	/* A guest holds nothing until they follow the link mailed to them. */
	if (registration_mail_sent())
		text = util_printf("We have sent an email to %s. Follow the "
		    "link in it within 48 hours to confirm your registration "
		    "for %s. Until you do, no place is held for you.", email,
		    PQgetvalue(res, 0, RS_TITLE));
	else
		text = util_printf("This site does not send email at the "
		    "moment, so the link to confirm your registration for %s "
		    "cannot reach you, and no place is held for you. Ask the "
		    "organiser, or join the network and register as a "
		    "member.", PQgetvalue(res, 0, RS_TITLE));
	PQclear(res);
	return page_message_take(r, 200, registration_mail_sent() ?
	    "Check your email" : "Your registration is not confirmed", text,
	    back, "Back to the event", registration_mail_sent());
}

/* Registrations listed a page at a time. */
#define REGISTRATIONS_PAGE	20

/*
 * The columns of registrations_mine's query: its registrations here and
 * at other nodes' events in one list, then the event, the count of all
 * and the event's tag.
 */
enum {
	RM_AWAY, RM_KEY, RM_REFERENCE, RM_STATUS, RM_POSITION, RM_PLACES,
	RM_PLACE, RM_LISTED, RM_HOST, RM_WHY, RM_WANTED, RM_ATTEMPTS,
	RM_EVENT, RM_TITLE, RM_STARTS, RM_EVENT_STATUS, RM_PAST, RM_TOTAL,
	RM_TAG
};

/* One of registrations_mine's rows, as its card shows it. */
static void
registration_card(struct view *m, PGresult *res, int i)
{
	const char *st = PQgetvalue(res, i, RM_STATUS);
	const char *places = PQgetvalue(res, i, RM_PLACES);
	const char *key = PQgetvalue(res, i, RM_KEY);
	const char *title = PQgetvalue(res, i, RM_TITLE);
	int away = *PQgetvalue(res, i, RM_AWAY) == 't';
	int waiting = strcmp(st, "waiting") == 0;
	int place = strcmp(st, "confirmed") == 0;
	int cancelled = strcmp(PQgetvalue(res, i, RM_EVENT_STATUS),
	    "cancelled") == 0;
	int past = *PQgetvalue(res, i, RM_PAST) == 't';
	int listed = *PQgetvalue(res, i, RM_LISTED) == 't';
	int live = strcmp(PQgetvalue(res, i, RM_WANTED), "registered") == 0 &&
	    strcmp(st, "refused") != 0;
	char *text;

	view_setf(m, "href", "/events/%s", PQgetvalue(res, i, RM_EVENT));
	view_set(m, "title", title);
	view_set(m, "starts", PQgetvalue(res, i, RM_STARTS));
	view_set(m, "place", db_value(res, i, RM_PLACE));
	view_set(m, "reference", PQgetvalue(res, i, RM_REFERENCE));
	event_status_view(m, res, i, RM_TAG);
	if (away) {
		view_setf(m, "host", "Held by %s", PQgetvalue(res, i,
		    RM_HOST));
		text = away_status_words(st, PQgetvalue(res, i, RM_WANTED),
		    PQgetvalue(res, i, RM_ATTEMPTS), PQgetvalue(res, i,
		    RM_HOST), places, PQgetvalue(res, i, RM_POSITION),
		    PQgetvalue(res, i, RM_WHY));
		view_set(m, "status", text);
		free(text);
		view_setf(m, "details_href", "/registrations/%s", key);
		view_setf(m, "details_rest", " of your registration for %s",
		    title);
		/* Not yet answered, its event's tag would say too much. */
		if (strcmp(st, "pending") == 0 || !live) {
			view_set(m, "status_text", strcmp(st, "refused") == 0 ?
			    "Not accepted" : "Waiting for a reply");
			view_set(m, "status_class", strcmp(st, "refused") ==
			    0 ? "tag tag--red" : "tag tag--grey");
		}
	} else if (strcmp(st, "confirmed") == 0)
		view_setf(m, "status", "You have %s %s",
		    strcmp(places, "1") == 0 ? "a" : places,
		    strcmp(places, "1") == 0 ? "place" : "places");
	else if (waiting)
		view_setf(m, "status", "Number %s on the waiting list",
		    PQgetvalue(res, i, RM_POSITION));
	else
		view_set(m, "status", "Waiting for you to confirm your email "
		    "address");
	if (live && !past && !cancelled) {
		view_flag(m, "can_cancel", 1);
		view_setf(m, "cancel_href", "/registrations/%s/cancel", key);
		/* Not yet answered, it is a registration, not a place. */
		view_set(m, "cancel_text", waiting ? "Leave the waiting list" :
		    place ? "Cancel my place" : "Cancel my registration");
		/* Read after the words on the link, to say which. */
		view_setf(m, "cancel_rest", " %s %s", place ? "at" : "for",
		    title);
	}
	if (!away && !past && !cancelled) {
		view_flag(m, "can_list", 1);
		view_flag(m, "listed", listed);
		view_setf(m, "public_action", "/registrations/%s/public", key);
		view_setf(m, "public_label", "%s my name on the attendee list "
		    "for %s", listed ? "Hide" : "Show", title);
	}
}

/*
 * GET /registrations: the signed-in person's own, here and at other
 * nodes' events, upcoming first (soonest first) or, with when=past, the
 * past ones (latest first), a page at a time.
 */
int
registrations_mine(struct request *r)
{
	const char *when = r->form.f[KEY_WHEN].text, *p[4];
	struct view *v, *m;
	struct pager pg;
	char acc[32];
	PGresult *res;
	int past = when != NULL && strcmp(when, "past") == 0, i, n;

	if ((v = page_view(r, past ? "Your past registrations" :
	    "Your registrations")) == NULL)
		return http_error(r, 500);
	view_set(v, "done_text", r->form.f[KEY_SAVED].num == 1 ?
	    "Your registration is cancelled." : r->form.f[KEY_LISTED].num ==
	    1 ? "Your choice about the attendee list is saved." : NULL);
	view_flag(v, "past", past);
	pager_init(&pg, r, REGISTRATIONS_PAGE);
	p[0] = viewer_account(r, acc);
	p[1] = past ? "past" : "upcoming";
	p[2] = pg.offset;
	p[3] = pg.limit;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT m.away, m.key, m.reference, m.status, m.position,"
	    " m.places, m.place, m.listed, m.host, m.why, m.wanted,"
	    " m.attempts, e.id, e.title, "
	    SQL_LONDON("e.starts", LONDON_WHEN) ", e.status, e.ends < now(),"
	    " count(*) OVER (), " SQL_STATUS_COLUMNS
	    " FROM (SELECT false AS away, r.ref::text AS key, r.reference,"
	    "  r.status, acorn_waiting_position(r.id) AS position, r.places,"
	    "  pt.name AS place, r.public AS listed, NULL::text AS host,"
	    "  NULL::text AS why, 'registered'::text AS wanted,"
	    "  0 AS attempts, r.event"
	    "  FROM registrations r"
	    "  LEFT JOIN place_types pt ON pt.id = r.place_type"
	    "  WHERE r.account = $1::bigint AND r.status <> 'cancelled'"
	    " UNION ALL"
	    " SELECT true, a.id::text, a.reference, a.status, a.position,"
	    "  a.places, a.place_name, a.public,"
	    "  coalesce(k.name, 'the node holding the event'),"
	    "  acorn_refusal(a.why), a.wanted, a.attempts, a.event"
	    "  FROM away_registrations a LEFT JOIN known_nodes k"
	    "  ON k.id = a.host WHERE a.account = $1::bigint"
	    "  AND NOT (a.status = 'cancelled' AND a.delivered = a.version)"
	    " ) m JOIN events e ON e.id = m.event"
	    SQL_STATUS_JOIN("$1::bigint")
	    " WHERE (e.ends < now()) = ($2 = 'past')"
	    " ORDER BY CASE WHEN $2 = 'past' THEN NULL ELSE e.starts END,"
	    " e.starts DESC, m.key LIMIT $4 OFFSET $3", 4, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((m = view_add(v, "registrations")) == NULL)
			break;
		registration_card(m, res, i);
		pg.total = strtol(PQgetvalue(res, i, RM_TOTAL), NULL, 10);
	}
	PQclear(res);
	view_flag(v, "none", n == 0);
	view_pager(v, r, &pg);
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

/* The columns of cancel_question's row. */
enum {
	CQ_STATUS, CQ_REFERENCE, CQ_TITLE, CQ_STARTS, CQ_HOST, CQ_CANCELLABLE
};

/*
 * The question before a place is given up (GOV.UK "Are you sure"): what
 * will happen, a red button that sends the form to action, and a way
 * back to back.  res is the row of the registration, CQ_* columns; 404
 * when there is none, or it can no longer be cancelled.
 */
static int
cancel_question(struct request *r, PGresult *res, const char *action,
    const char *back)
{
	struct view *v;
	const char *st, *title, *host;
	int waiting;

	if (PQntuples(res) != 1 ||
	    *PQgetvalue(res, 0, CQ_CANCELLABLE) != 't') {
		PQclear(res);
		return http_error(r, 404);
	}
	st = PQgetvalue(res, 0, CQ_STATUS);
	title = PQgetvalue(res, 0, CQ_TITLE);
	host = db_value(res, 0, CQ_HOST);
	waiting = strcmp(st, "waiting") == 0;
	if ((v = page_view(r, waiting ? "Leave the waiting list" :
	    "Cancel your place")) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	view_setf(v, "question", waiting ? "Are you sure you want to leave "
	    "the waiting list for %s?" : strcmp(st, "confirmed") == 0 ?
	    "Are you sure you want to cancel your place at %s?" :
	    "Are you sure you want to cancel your registration for %s?",
	    title);
	view_set(v, "event_title", title);
	view_set(v, "starts", PQgetvalue(res, 0, CQ_STARTS));
	view_set(v, "reference", PQgetvalue(res, 0, CQ_REFERENCE));
	view_flag(v, "waiting", waiting);
	view_flag(v, "confirmed", strcmp(st, "confirmed") == 0);
	view_set(v, "host", host);
	view_flag(v, "mail_off", !registration_mail_sent());
	view_set(v, "form_action", action);
	view_set(v, "back_href", back);
	view_set(v, "button_text", waiting ? "Yes, leave the waiting list" :
	    strcmp(st, "confirmed") == 0 ? "Yes, cancel my place" :
	    "Yes, cancel my registration");
	view_set(v, "keep_text", waiting ? "No, stay on the waiting list" :
	    strcmp(st, "confirmed") == 0 ? "No, keep my place" :
	    "No, keep my registration");
	PQclear(res);
	return http_page(r, 200, "cancel_place", v);
}

/*
 * The question for a member's own registration, here (by its ref) or at
 * another node's event (by its id).
 */
static int
registrations_cancel_page(struct request *r)
{
	const char *p[2];
	char acc[32], action[128];
	PGresult *res;

	p[0] = r->arg;
	p[1] = viewer_account(r, acc);
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT x.status, x.reference,"
	    " e.title, " SQL_LONDON("e.starts", LONDON_WHEN) ", x.host,"
	    " x.live AND e.status <> 'cancelled' AND e.ends >= now()"
	    " FROM (SELECT r.event, r.status, r.reference, NULL::text AS host,"
	    "  r.status IN ('confirmed', 'waiting') AS live"
	    "  FROM registrations r WHERE r.ref = $1 AND r.account = $2::bigint"
	    " UNION ALL SELECT a.event, a.status, a.reference,"
	    "  coalesce(k.name, 'the node holding the event'),"
	    "  a.wanted = 'registered' AND a.status <> 'refused'"
	    "  FROM away_registrations a LEFT JOIN known_nodes k"
	    "  ON k.id = a.host WHERE a.id = $1 AND a.account = $2::bigint) x"
	    " JOIN events e ON e.id = x.event", 2, p);
	if (res == NULL)
		return http_error(r, 503);
	snprintf(action, sizeof(action), "/registrations/%.36s/cancel", r->arg);
	return cancel_question(r, res, action, "/registrations");
}

/* Whether ref names a registration of the member's, here or away. */
static int
registration_is_mine(struct request *r, int *mine)
{
	const char *p[2];
	char acc[32];
	PGresult *res;

	p[0] = r->arg;
	p[1] = viewer_account(r, acc);
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT EXISTS (SELECT 1"
	    " FROM registrations WHERE ref = $1 AND account = $2::bigint)"
	    " OR EXISTS (SELECT 1 FROM away_registrations WHERE id = $1"
	    " AND account = $2::bigint)", 2, p)) == NULL)
		return -1;
	*mine = *PQgetvalue(res, 0, DB_ONLY) == 't';
	PQclear(res);
	return 0;
}

/*
 * GET and POST /registrations/{ref}/cancel: one's own place or waiting
 * spot, here or at another node's event.  GET asks first; the form it
 * shows cancels.  A registration that is not the member's is not found,
 * whatever is sent: nothing about it changes, and nothing says it exists.
 */
int
registrations_cancel(struct request *r)
{
	const char *p[3];
	char acc[32];
	PGresult *res;
	int rc, n, mine;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	if (r->method != METHOD_POST)
		return registrations_cancel_page(r);
	if ((rc = away_cancel(r)) != -1)
		return rc;
	p[0] = r->arg;
	p[1] = viewer_account(r, acc);
	p[2] = cfg->public_url;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, cancel_member_sql, 3,
	    p)) == NULL)
		return http_error(r, 503);
	n = (int)strtol(PQgetvalue(res, 0, CANCEL_COUNT), NULL, 10);
	PQclear(res);
	/* Sent twice, the second finds it already cancelled. */
	if (n == 0) {
		if (registration_is_mine(r, &mine) == -1)
			return http_error(r, 503);
		if (!mine)
			return http_error(r, 404);
	}
	return http_redirect(r, "/registrations?saved=yes");
}

/*
 * POST /registrations/{ref}/public: show or hide one's name on the
 * event's public attendee list.  Not the member's: not found.
 */
int
registrations_public(struct request *r)
{
	const char *p[3];
	char acc[32];
	PGresult *res;
	int n;

	if (!util_uuid_valid(r->arg) || r->form.f[KEY_PUBLIC].text == NULL)
		return http_error(r, 400);
	p[0] = r->arg;
	p[1] = viewer_account(r, acc);
	p[2] = r->form.f[KEY_PUBLIC].num == 1 ? "true" : "false";
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "UPDATE registrations"
	    " SET public = $3 WHERE ref = $1 AND account = $2::bigint"
	    " RETURNING 1", 3, p)) == NULL)
		return http_error(r, 503);
	n = PQntuples(res);
	PQclear(res);
	if (n == 0)
		return http_error(r, 404);
	return http_redirect(r, "/registrations?listed=yes");
}


static int
back_to_guest(struct request *r, const char *query)
{
	return http_redirectf(r, "/registrations/guest/%s%s", r->arg, query);
}

/* The columns of registrations_guest's query after the CF_* ones. */
enum { GU_NAME = CF_PAST + 1, GU_EMAIL, GU_PUBLIC, GU_EXPIRED };

/*
 * GET /registrations/guest/{key}: the page every link sent to a guest
 * opens.  Following the link changes nothing (mail scanners open links);
 * the guest presses Confirm.  Once confirmed it is their confirmation.
 */
int
registrations_guest(struct request *r)
{
	struct view *v;
	const char *p[1], *st, *title;
	char cancel[160];
	PGresult *res;

	if (!util_token_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT r.status,"
	    " acorn_waiting_position(r.id), r.reference, r.places, pt.name,"
	    " e.online_url," SQL_CONFIRMATION_EVENT ","
	    " r.name, r.email, r.public, r.confirm_by < now()"
	    " FROM registrations r JOIN events e ON e.id = r.event"
	    " LEFT JOIN place_types pt ON pt.id = r.place_type"
	    " WHERE r.id = acorn_guest_registration($1)", 1, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	st = PQgetvalue(res, 0, CF_STATUS);
	title = strcmp(st, "confirmed") == 0 ? "You have a place" :
	    strcmp(st, "waiting") == 0 ? "You\u2019re on the waiting list" :
	    strcmp(st, "unconfirmed") == 0 ? "Confirm your registration" :
	    "Your registration is cancelled";
	if (session_form(r) == -1 || (v = page_view(r, title)) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	snprintf(cancel, sizeof(cancel), "/registrations/guest/%s/cancel",
	    r->arg);
	registration_confirmation(v, res, cancel);
	view_flag(v, "guest", 1);
	view_set(v, "name", PQgetvalue(res, 0, GU_NAME));
	view_set(v, "email", PQgetvalue(res, 0, GU_EMAIL));
	view_flag(v, "listed", *PQgetvalue(res, 0, GU_PUBLIC) == 't');
	view_flag(v, "expired", *PQgetvalue(res, 0, GU_EXPIRED) == 't');
	view_flag(v, "can_list", view_has(v, "cancel_href"));
	view_setf(v, "confirm_action", "/registrations/guest/%s/confirm",
	    r->arg);
	view_setf(v, "public_action", "/registrations/guest/%s/public", r->arg);
	PQclear(res);
	return http_page(r, 200, "registration", v);
}

/* POST /registrations/guest/{key}/confirm */
int
registrations_guest_confirm(struct request *r)
{
	const char *p[2];
	PGresult *res;
	int n;

	if (!util_token_valid(r->arg))
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

/*
 * GET and POST /registrations/guest/{key}/cancel: asks first, as for a
 * member; then cancels.  A key that opens no registration is not found.
 */
int
registrations_guest_cancel(struct request *r)
{
	const char *p[3];
	char action[160], back[160];
	PGresult *res;
	int n;

	if (!util_token_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	p[1] = NULL;
	p[2] = cfg->public_url;
	if (r->method != METHOD_POST) {
		res = db_query(r->db, PGRES_TUPLES_OK, "SELECT r.status,"
		    " r.reference, e.title, " SQL_LONDON("e.starts",
		    LONDON_WHEN) ", NULL, r.status IN ('confirmed', 'waiting')"
		    " AND e.status <> 'cancelled' AND e.ends >= now()"
		    " FROM registrations r JOIN events e ON e.id = r.event"
		    " WHERE r.id = acorn_guest_registration($1)", 1, p);
		if (res == NULL)
			return http_error(r, 503);
		snprintf(action, sizeof(action),
		    "/registrations/guest/%s/cancel", r->arg);
		snprintf(back, sizeof(back), "/registrations/guest/%s", r->arg);
		return cancel_question(r, res, action, back);
	}
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT count(*) FROM"
	    " registrations WHERE id = acorn_guest_registration($1)", 1,
	    p)) == NULL)
		return http_error(r, 503);
	n = (int)strtol(PQgetvalue(res, 0, DB_ONLY), NULL, 10);
	PQclear(res);
	if (n == 0)
		return http_error(r, 404);
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

	if (!util_token_valid(r->arg) || r->form.f[KEY_PUBLIC].text == NULL)
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
	AP_REF, AP_PLACE_NAME, AP_HOST, AP_TITLE, AP_NAME, AP_ORGANISATION,
	AP_GROUP
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
	/* For the host's kept places and its count of who is coming. */
	ROW("Role in social prescribing", PQgetisnull(ev, 0, AP_GROUP) ?
	    "Not given" : stakeholder_label(PQgetvalue(ev, 0, AP_GROUP)));
	ROW("Type of place", PQgetvalue(ev, 0, AP_PLACE_NAME));
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
	    " m.name, coalesce(m.organisation, ''), m.stakeholder"
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
		    "That type of place is not offered at this event.", back,
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
	    " answers, request_key, next_attempt, stakeholder)"
	    " SELECT gen_random_uuid(), e.id, e.origin, $4::bigint, m.name, $5,"
	    " m.organisation, pt.ref, pt.name, $6::integer, $7::boolean,"
	    " (SELECT coalesce(jsonb_agg(jsonb_build_object('question', q.ref,"
	    "  'label', q.label, 'value', a.v) ORDER BY q.position, q.id),"
	    "  '[]') FROM unnest($8::bigint[], $9::text[]) AS a (q, v)"
	    "  JOIN questions q ON q.id = a.q AND q.event = e.id),"
	    " $10, now(), m.stakeholder"
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
