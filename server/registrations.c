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

/* A page saying what happened, with one link on. */
int
page_message(struct request *r, unsigned int status, const char *title,
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

static const char *const role_codes[] = {
	"attendee", "organiser", "speaker", "helper", NULL
};
static const char *const role_labels[] = {
	"Attendee", "Organiser", "Speaker", "Helper", NULL
};

static const char *
role_label(const char *code)
{
	size_t i;

	for (i = 0; role_codes[i] != NULL; i++)
		if (strcmp(code, role_codes[i]) == 0)
			return role_labels[i];
	return NULL;
}

/* One refused answer: in the summary, linked to the question's first input. */
static void
answer_error(struct view *v, const char *id, const char *anchor,
    const char *msg)
{
	struct view *e;
	char key[64];

	if ((e = view_add(v, "errors")) != NULL) {
		view_setf(e, "href", "#answer_%s%s", id, anchor);
		view_set(e, "text", msg);
	}
	snprintf(key, sizeof(key), "e_answer_%s", id);
	view_set(v, key, msg);
}

/*
 * Checks the answers sent against the event's questions: required ones
 * given, yes or no for yes/no, one of the list for choices.  Problems go
 * into v; the answers given are collected as two array literals for the
 * registration's statement.  Returns -1 only when the database failed.
 */
static int
registration_answers(struct request *r, struct view *v, char **ids,
    char **values)
{
	const struct form_answer *a;
	const char *id, *kind, *label, **qs = NULL, **vs = NULL;
	PGresult *res;
	char msg[400];
	int i, n, k = 0;

	*ids = *values = NULL;
	if ((res = questions_asked(r->db, r->arg)) == NULL)
		return -1;
	n = PQntuples(res);
	if ((qs = calloc(n + 1, sizeof(*qs))) == NULL ||
	    (vs = calloc(n + 1, sizeof(*vs))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		id = PQgetvalue(res, i, 0);
		kind = PQgetvalue(res, i, 1);
		label = PQgetvalue(res, i, 2);
		a = form_answer_get(&r->form, atol(id));
		if (a != NULL && a->error) {
			snprintf(msg, sizeof(msg), a->error == FIELD_TOO_LONG ?
			    "Your answer to \u201c%s\u201d must be 2,000 "
			    "characters or fewer" : "Your answer to \u201c%s\u201d "
			    "contains characters that cannot be used", label);
			answer_error(v, id, "", msg);
		} else if (a == NULL || a->text[0] == '\0') {
			if (*PQgetvalue(res, i, 3) != 't')
				continue;
			snprintf(msg, sizeof(msg), "%s \u201c%s\u201d",
			    strcmp(kind, "yesno") == 0 ||
			    strcmp(kind, "choice") == 0 ? "Choose an answer to" :
			    "Enter an answer to", label);
			answer_error(v, id, strcmp(kind, "yesno") == 0 ? "-yes" :
			    strcmp(kind, "choice") == 0 ? "-1" : "", msg);
		} else if ((strcmp(kind, "yesno") == 0 &&
		    strcmp(a->text, "yes") != 0 && strcmp(a->text, "no") != 0) ||
		    (strcmp(kind, "choice") == 0 &&
		    !util_line_of(db_value(res, i, 4), a->text))) {
			snprintf(msg, sizeof(msg), "Choose one of the answers "
			    "to \u201c%s\u201d", label);
			answer_error(v, id, strcmp(kind, "yesno") == 0 ? "-yes" :
			    "-1", msg);
		} else {
			qs[k] = id;
			vs[k++] = a->text;
		}
	}
	if ((*ids = util_pg_array(qs, k)) == NULL ||
	    (*values = util_pg_array(vs, k)) == NULL)
		goto fail;
	free(qs);
	free(vs);
	PQclear(res);
	return 0;
fail:
	free(*ids);
	*ids = NULL;
	free(qs);
	free(vs);
	PQclear(res);
	return -1;
}

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
	if (strcmp(state, "AC005") == 0)
		return page_message(r, 409, "Error: Already registered", "This "
		    "email address is already registered for this event. The "
		    "emails we sent say whether it has a place or where it is "
		    "on the waiting list.", r->account != NULL ?
		    "/registrations" : back, r->account != NULL ?
		    "Your registrations" : "Back to the event", 0);
	if (strcmp(state, "AC006") == 0)
		return page_message(r, 410, "Error: This link has expired",
		    "Links to confirm a registration last 48 hours, and no "
		    "place was held. Register again from the event page.",
		    back, "Back to the event", 0);
	if (strcmp(state, "AC007") == 0)
		return page_message(r, 429, "Error: Too many registrations",
		    "Several registrations are already waiting to be "
		    "confirmed from this email address. Follow the links in "
		    "those emails, or try again in an hour.", back,
		    "Back to the event", 0);
	return http_error(r, 503);
}

/*
 * The statements that register, with answers stored and mail queued in
 * the same statement.  A repeated form gets its first answer, and no
 * second mail.  Members decide at once; guests are sent a link first.
 * Both take the same twelve parameters, so a member's statement names
 * the unused $5 (always NULL) for PostgreSQL to know its type.
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
    " $8, $2) AS g WHERE pt.id = $1 AND pt.event = $10),"
    " ans AS (INSERT INTO answers (registration, question, value)"
    " SELECT reg.registration, a.q, a.v FROM reg,"
    " unnest($11::bigint[], $12::text[]) AS a(q, v) WHERE NOT reg.repeated),"
    " told AS (SELECT acorn_tell(reg.registration, 'unconfirmed', $9)"
    " FROM reg WHERE NOT reg.repeated)"
    " SELECT 'unconfirmed', NULL, e.title, (SELECT count(*) FROM told)"
    " FROM reg, events e WHERE e.id = $10";

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
	int missing, col, rc = -1;

	if ((res = event_fetch(r, &missing)) == NULL)
		return event_missing(r, missing);
	/* An event's last three columns are SQL_ORIGIN's. */
	col = PQnfields(res) - 3;
	if (*PQgetvalue(res, 0, col) == 't') {
		host = util_strdup(origin_name(res, 0, col));
		PQclear(res);
		rc = host == NULL ? http_error(r, 500) :
		    away_register(r, host);
		free(host);
		return rc;
	}
	PQclear(res);
	return rc;
}

/*
 * Starts reading a registration form, here or for another node's event:
 * without a kind of place or the form's key there is nothing to go on
 * (NULL, the answer given in *rc); otherwise a view holding the number
 * of places, the listing choice and the key, and any problem with them.
 */
struct view *
registration_form(struct request *r, const char *back, int *rc)
{
	const struct field *places = &r->form.f[KEY_PLACES];
	struct view *v;

	if (r->form.f[KEY_PLACE].text == NULL ||
	    r->form.f[KEY_REQUEST].text == NULL) {
		*rc = page_message(r, 422, "Error: Registration not made",
		    "Choose a kind of place, then try again.", back,
		    "Back to the event", 0);
		return NULL;
	}
	if ((v = view_new()) == NULL) {
		*rc = http_error(r, 500);
		return NULL;
	}
	if (places->error || (places->text != NULL &&
	    (places->num < 1 || places->num > 10)))
		view_error(v, "places", "Number of places must be a whole "
		    "number from 1 to 10");
	view_set(v, "v_places", places->error ? places->shown : places->text);
	view_flag(v, "v_public", r->form.f[KEY_PUBLIC].num == 1);
	view_set(v, "request_key", r->form.f[KEY_REQUEST].text);
	return v;
}

/*
 * Finishes reading a registration form: the answers, as two array
 * literals.  0 when the form is fit to send (v is freed); otherwise -1,
 * with the answer given in *rc: the event's page again, saying what to
 * put right.
 */
int
registration_form_end(struct request *r, struct view *v, char **ids,
    char **values, int *rc)
{
	if (registration_answers(r, v, ids, values) == -1) {
		view_free(v);
		*rc = http_error(r, 503);
		return -1;
	}
	if (view_has(v, "errors")) {
		free(*ids);
		free(*values);
		*ids = *values = NULL;
		*rc = event_page(r, v, 422);
		return -1;
	}
	view_free(v);
	return 0;
}

/* POST /events/{id}/register, by a member or a guest. */
int
events_register(struct request *r)
{
	const struct field *places = &r->form.f[KEY_PLACES];
	const char *p[12], *email = NULL;
	char back[128], acc[32], guest_key[ACORN_TOKEN_LEN + 1], *text;
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
		p[2] = view_field(v, r, KEY_NAME, "Enter your full name");
		email = view_field(v, r, KEY_EMAIL, "Enter your email address");
		p[4] = view_field(v, r, KEY_ORGANISATION, NULL);
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
		if (util_token(guest_key) == -1) {
			free(ids);
			free(values);
			return http_error(r, 500);
		}
		p[1] = guest_key;
		p[3] = email;
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
	waiting = strcmp(PQgetvalue(res, 0, 0), "waiting") == 0;
	if (r->account == NULL)
		text = util_printf("We have sent an email to %s. Follow the "
		    "link in it within 48 hours to confirm your registration "
		    "for %s. Until you do, no place is held for you.", p[3],
		    PQgetvalue(res, 0, 2));
	else if (waiting)
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
	if (r->account == NULL)
		rc = page_message(r, 200, "Check your email", text, back,
		    "Back to the event", 1);
	else
		rc = page_message(r, 200, waiting ? "You are on the waiting list" :
		    "You have a place", text, "/registrations",
		    "Your registrations", 1);
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
	    "Your registration is cancelled." : r->form.f[KEY_LISTED].num ==
	    1 ? "Your choice about the attendee list is saved." : NULL);
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
		view_flag(m, "can_list", view_has(m, "can_cancel"));
		view_setf(m, "cancel_action", "/registrations/%s/cancel",
		    PQgetvalue(res, i, 0));
		/* The spoken name starts with the words on the button. */
		view_setf(m, "cancel_label", "%s %s",
		    strcmp(st, "waiting") == 0 ? "Leave the waiting list for" :
		    "Cancel my place at", PQgetvalue(res, i, 5));
		view_set(m, "cancel_text", strcmp(st, "waiting") == 0 ?
		    "Leave the waiting list" : "Cancel my place");
		view_flag(m, "listed", *PQgetvalue(res, i, 10) == 't');
		view_setf(m, "public_action", "/registrations/%s/public",
		    PQgetvalue(res, i, 0));
		view_setf(m, "public_label", "%s my name on the attendee list "
		    "for %s", *PQgetvalue(res, i, 10) == 't' ? "Hide" : "Show",
		    PQgetvalue(res, i, 5));
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
 * the way the registration is found differs between members and guests.
 */
/* The guest's statement names the unused $2 (NULL) for the same reason. */
#define CANCEL_REST \
    " SELECT count(*), sum(acorn_cancel_told(id, CASE WHEN status <>" \
    " 'unconfirmed' THEN 'cancelled' END, $3)) FROM mine"
static const char cancel_member_sql[] =
    "WITH mine AS (SELECT id, status FROM registrations WHERE ref = $1"
    " AND lower(email) = lower($2) AND status <> 'cancelled')"
    CANCEL_REST;
static const char cancel_guest_sql[] =
    "WITH mine AS (SELECT id, status FROM registrations"
    " WHERE guest_key = $1 AND $2::text IS NULL AND status <> 'cancelled')"
    CANCEL_REST;

/* POST /registrations/{ref}/cancel: one's own place or waiting spot. */
int
registrations_cancel(struct request *r)
{
	const char *p[3];
	PGresult *res;
	int rc;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	if ((rc = away_cancel(r)) != -1)
		return rc;
	p[0] = r->arg;
	p[1] = r->account->email;
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

	if (!util_uuid_valid(r->arg) || r->form.f[KEY_PUBLIC].text == NULL)
		return http_error(r, 400);
	p[0] = r->arg;
	p[1] = r->account->email;
	p[2] = r->form.f[KEY_PUBLIC].num == 1 ? "true" : "false";
	if (db_exec(r->db, "UPDATE registrations SET public = $3"
	    " WHERE ref = $1 AND lower(email) = lower($2)", 3, p) == -1)
		return http_error(r, 503);
	return http_redirect(r, "/registrations?listed=yes");
}

/* A guest's key: as util_token makes them, so nothing else is looked up. */
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
	    " r.public, e.id, e.title, to_char(e.starts AT TIME ZONE"
	    " 'Europe/London', 'FMDay FMDD FMMonth YYYY, HH24:MI'), pt.name,"
	    " e.status, r.confirm_by < now(), e.online_url, r.email"
	    " FROM registrations r JOIN events e ON e.id = r.event"
	    " LEFT JOIN place_types pt ON pt.id = r.place_type"
	    " WHERE r.guest_key = $1", 1, p);
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
	st = PQgetvalue(res, 0, 0);
	view_set(v, "name", PQgetvalue(res, 0, 3));
	view_set(v, "email", PQgetvalue(res, 0, 12));
	view_setf(v, "event_href", "/events/%s", PQgetvalue(res, 0, 5));
	view_set(v, "event_title", PQgetvalue(res, 0, 6));
	view_set(v, "starts", PQgetvalue(res, 0, 7));
	view_set(v, "place", db_value(res, 0, 8));
	view_set(v, "places", PQgetvalue(res, 0, 2));
	view_setf(v, "confirm_action", "/registrations/guest/%s/confirm",
	    r->arg);
	view_setf(v, "cancel_action", "/registrations/guest/%s/cancel", r->arg);
	view_setf(v, "public_action", "/registrations/guest/%s/public", r->arg);
	view_flag(v, "event_cancelled", strcmp(PQgetvalue(res, 0, 9),
	    "cancelled") == 0);
	view_flag(v, "listed", *PQgetvalue(res, 0, 4) == 't');
	if (strcmp(st, "unconfirmed") == 0) {
		view_flag(v, "unconfirmed", 1);
		view_flag(v, "expired", *PQgetvalue(res, 0, 10) == 't');
	} else if (strcmp(st, "confirmed") == 0) {
		view_flag(v, "live", 1);
		view_set(v, "status", "You have a place at this event.");
		view_set(v, "online_url", db_value(res, 0, 11));
	} else if (strcmp(st, "waiting") == 0) {
		view_flag(v, "live", 1);
		view_flag(v, "waiting", 1);
		view_setf(v, "status", "You are number %s on the waiting list.",
		    PQgetvalue(res, 0, 1));
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
	    " WHERE guest_key = $1", 2, p) == -1)
		return http_error(r, 503);
	return back_to_guest(r, "");
}

/*
 * Who has a place, who is on the team and who is waiting; v is NULL, or
 * holds a refused "add to the team" form.
 */
static int
attendees_page(struct request *r, struct view *v, unsigned int status)
{
	struct view *a;
	PGresult *res;
	const char *p[2];
	int i, n, missing, confirmed = 0, waiting = 0, team = 0;

	if ((res = event_fetch(r, &missing)) == NULL) {
		view_free(v);
		return event_missing(r, missing);
	}
	if (v == NULL && (v = view_new()) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	view_common(r, v, "Attendees");
	view_setf(v, "people_action", "/events/%s/people", r->arg);
	view_set(v, "event_title", PQgetvalue(res, 0, 1));
	view_setf(v, "event_href", "/events/%s", r->arg);
	view_setf(v, "promote_action", "/events/%s/promote", r->arg);
	view_setf(v, "checkin_href", "/events/%s/checkin", r->arg);
	view_setf(v, "export_href", "/events/%s/export", r->arg);
	if (r->method == METHOD_GET && r->form.f[KEY_SAVED].num == 1)
		view_set(v, "done_text", r->form.f[KEY_ROLE].text != NULL ?
		    "Added to the team, and sent an email." :
		    r->form.f[KEY_DONE].text != NULL &&
		    strcmp(r->form.f[KEY_DONE].text, "cancelled") == 0 ?
		    "Registration cancelled. They have been told, and anyone "
		    "it made room for has been given a place." :
		    "Promoted from the waiting list.");
	PQclear(res);
	p[0] = r->arg;
	p[1] = node_id;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT r.ref, r.name, r.organisation, r.email, pt.name, r.places,"
	    " r.status, acorn_waiting_position(r.id), r.role,"
	    " to_char(r.created AT TIME ZONE 'Europe/London',"
	    " 'FMDD FMMon, HH24:MI'),"
	    " pt.capacity - pt.taken >= r.places,"
	    " (SELECT region FROM known_nodes WHERE id = r.home)"
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
		int t = strcmp(PQgetvalue(res, i, 8), "attendee") != 0;

		if ((a = view_add(v, w ? "waiting" : t ? "team" :
		    "confirmed")) == NULL)
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
		if (!PQgetisnull(res, i, 11))
			view_setf(a, "home", "From %s", PQgetvalue(res, i, 11));
		view_setf(a, "promote_label", "Give %s a place",
		    PQgetvalue(res, i, 1));
		view_setf(a, "unregister_label", "Cancel the registration of %s",
		    PQgetvalue(res, i, 1));
		view_setf(a, "unregister_href", "/events/%s/unregister?id=%s",
		    r->arg, PQgetvalue(res, i, 0));
		view_set(a, "role_label", role_label(PQgetvalue(res, i, 8)));
		if (w)
			waiting++;
		else if (t)
			team++;
		else
			confirmed++;
	}
	PQclear(res);
	view_setf(v, "confirmed_text", "%d %s", confirmed,
	    confirmed == 1 ? "registration" : "registrations");
	view_setf(v, "waiting_text", "%d waiting", waiting);
	view_flag(v, "has_confirmed", confirmed > 0);
	view_flag(v, "has_waiting", waiting > 0);
	view_flag(v, "has_team", team > 0);
	view_codes(v, "roles", role_codes + 1, role_labels + 1);
	return http_page(r, status, "attendees", v);
}

/* GET /events/{id}/attendees */
int
events_attendees(struct request *r)
{
	int answer;

	if (!event_own(r, &answer))
		return answer;
	return attendees_page(r, NULL, 200);
}

/*
 * POST /events/{id}/people: an organiser, speaker or helper, who comes
 * without using a place.  They are told by email.
 */
int
events_people(struct request *r)
{
	struct view *v;
	PGresult *res;
	const char *p[7], *role;
	char *done;
	int rc;

	if (!event_own(r, &rc))
		return rc;
	if ((v = view_new()) == NULL)
		return http_error(r, 500);
	p[0] = r->arg;
	p[1] = view_field(v, r, KEY_NAME, "Enter their full name");
	p[2] = view_field(v, r, KEY_EMAIL, "Enter their email address");
	p[3] = view_field(v, r, KEY_ORGANISATION, NULL);
	role = view_field(v, r, KEY_ROLE, "Select their role");
	if (role != NULL && (role_label(role) == NULL ||
	    strcmp(role, "attendee") == 0)) {
		view_error(v, "role", "Select their role from the list");
		role = NULL;
	}
	p[4] = role;
	p[5] = node_id;
	p[6] = cfg->public_url;
	if (view_has(v, "errors"))
		return attendees_page(r, v, 422);
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "WITH add AS (INSERT INTO registrations (ref, event, account, name,"
	    " email, organisation, role, status)"
	    " SELECT gen_random_uuid(), e.id, (SELECT a.id FROM accounts a"
	    "  WHERE lower(a.email) = lower($3)), $2, $3, $4, $5, 'confirmed'"
	    " FROM events e WHERE e.id = $1 AND e.origin = $6"
	    " AND e.status <> 'cancelled' RETURNING id)"
	    " SELECT acorn_tell(id, 'role', $7) FROM add", 7, p);
	if (res == NULL && db_duplicate(r->db)) {
		view_error(v, "email", "Someone with this email address is "
		    "already registered for this event");
		return attendees_page(r, v, 422);
	}
	view_free(v);
	if (res == NULL)
		return http_error(r, 503);
	rc = PQntuples(res);
	PQclear(res);
	if (rc != 1)
		return http_error(r, 404);
	audit(r->db, r->account->id, "event_team_add", r->arg);
	if ((done = util_printf("/events/%s/attendees?saved=yes&role=team",
	    r->arg)) == NULL)
		return http_error(r, 500);
	rc = http_redirect(r, done);
	free(done);
	return rc;
}

/* POST /events/{id}/promote: a coordinator gives one waiting entry a place. */
int
events_promote(struct request *r)
{
	const char *p[4];
	PGresult *res;
	char to[128];
	int n;

	if (!event_own(r, &n))
		return n;
	if (r->form.f[KEY_ID].text == NULL)
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

/* The question before an organiser cancels someone's registration. */
static int
unregister_page(struct request *r, const char *const *p)
{
	struct view *v;
	PGresult *res;

	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT g.name, g.email,"
	    " e.title, g.status, (SELECT region FROM known_nodes"
	    " WHERE id = g.home) FROM registrations g"
	    " JOIN events e ON e.id = g.event WHERE g.ref = $1"
	    " AND g.event = $2 AND e.origin = $3"
	    " AND g.status IN ('confirmed', 'waiting')", 3, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return page_message(r, 404, "Error: Nothing to cancel", "That "
		    "registration is already cancelled, or is not for this "
		    "event.", "/events", "Events", 0);
	}
	if ((v = page_view(r, "Cancel a registration")) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	view_set(v, "name", PQgetvalue(res, 0, 0));
	view_set(v, "email", PQgetvalue(res, 0, 1));
	view_set(v, "event_title", PQgetvalue(res, 0, 2));
	view_flag(v, "waiting", strcmp(PQgetvalue(res, 0, 3), "waiting") == 0);
	if (!PQgetisnull(res, 0, 4))
		view_setf(v, "home", "They registered from %s, which will "
		    "email them.", PQgetvalue(res, 0, 4));
	view_set(v, "ref", p[0]);
	view_setf(v, "form_action", "/events/%s/unregister", r->arg);
	view_setf(v, "attendees_href", "/events/%s/attendees", r->arg);
	PQclear(res);
	return http_page(r, 200, "unregister", v);
}

/*
 * GET and POST /events/{id}/unregister: an organiser cancels someone's
 * place or waiting-list spot, after saying yes to the question.  They
 * are told (through their home node, for a registration made from
 * another node), and whoever moves up too.
 */
int
events_unregister(struct request *r)
{
	const char *p[4];
	PGresult *res;
	char to[128];
	int n;

	if (!event_own(r, &n))
		return n;
	if (r->form.f[KEY_ID].text == NULL ||
	    !util_uuid_valid(r->form.f[KEY_ID].text))
		return http_error(r, 404);
	p[0] = r->form.f[KEY_ID].text;
	p[1] = r->arg;
	p[2] = node_id;
	p[3] = cfg->public_url;
	if (r->method != METHOD_POST || r->form.f[KEY_CONFIRM].num != 1)
		return unregister_page(r, p);
	/* The base address is $3, as CANCEL_REST has it. */
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "WITH mine AS (SELECT g.id, g.status FROM registrations g"
	    " JOIN events e ON e.id = g.event WHERE g.ref = $1"
	    " AND g.event = $2 AND e.origin = $4"
	    " AND g.status IN ('confirmed', 'waiting'))" CANCEL_REST, 4,
	    (const char *[]){ p[0], p[1], p[3], p[2] });
	if (res == NULL)
		return http_error(r, 503);
	n = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (n == 1)
		audit(r->db, r->account->id, "unregister", p[0]);
	snprintf(to, sizeof(to), "/events/%.36s/attendees%s", r->arg,
	    n == 1 ? "?saved=yes&done=cancelled" : "");
	return http_redirect(r, to);
}
