/*
 * Events: the list and page everyone sees, the forms coordinators use to
 * create, edit, publish, close and cancel them, and their place types.
 * Who gets a place is decided in the database (schema/002_events.sql);
 * registrations.c asks it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"
#include "federation.h"

/* One event, as event_fetch() gives it: its columns are E_* (pages.h). */
static const char event_columns[] =
    "SELECT e.id, e.title, e.description, e.kind, e.region, e.venue,"
    " e.address, e.online_url, e.organiser, e.organiser_email, e.status,"
    " " SQL_LONDON("e.starts", LONDON_WHEN) ","
    " " SQL_LONDON("e.ends", LONDON_WHEN) ","
    " " SQL_LONDON("e.starts", LONDON_FIELDS) ","
    " " SQL_LONDON("e.starts", LONDON_ISO) ","
    " " SQL_LONDON("e.ends", LONDON_FIELDS) ","
    " " SQL_LONDON("e.ends", LONDON_ISO) ","
    " " SQL_LONDON("e.reg_opens", LONDON_FIELDS) ","
    " " SQL_LONDON("e.reg_closes", LONDON_FIELDS) ","
    " e.origin = $2,"
    " e.status = 'published' AND NOT e.reg_closed"
    "  AND now() >= coalesce(e.reg_opens, '-infinity')"
    "  AND now() < coalesce(e.reg_closes, e.starts),"
    " e.reg_closed, e.ends < now(),"
    " " SQL_LONDON("e.reg_opens", LONDON_WHEN) ","
    " " SQL_LONDON("coalesce(e.reg_closes, e.starts)", LONDON_WHEN) ","
    " " SQL_LONDON("e.reg_opens", LONDON_TIME) ","
    " " SQL_LONDON("e.reg_closes", LONDON_TIME) ","
    " e.accept_remote,"
    " " SQL_ORIGIN("e")
    " FROM events e" SQL_KNOWN("e") " WHERE e.id = $1 AND NOT e.deleted";

/* The event named by the path, or NULL (and *missing set) when none. */
PGresult *
event_fetch(struct request *r, int *missing)
{
	const char *p[2];
	PGresult *res;

	*missing = 0;
	if (!util_uuid_valid(r->arg)) {
		*missing = 1;
		return NULL;
	}
	p[0] = r->arg;
	p[1] = node_id;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, event_columns, 2, p)) ==
	    NULL)
		return NULL;
	/* Drafts are for the coordinators who write them. */
	if (PQntuples(res) != 1 || (strcmp(PQgetvalue(res, 0, E_STATUS),
	    "draft") == 0 && !is_coordinator(r))) {
		PQclear(res);
		*missing = 1;
		return NULL;
	}
	return res;
}

/* The answer when event_fetch returned NULL. */
int
event_missing(struct request *r, int missing)
{
	return http_error(r, missing ? 404 : 503);
}

/* Events listed a page at a time. */
#define EVENTS_PAGE	20

/* The columns of events_list's query. */
enum {
	EL_ID, EL_TITLE, EL_KIND, EL_REGION, EL_VENUE, EL_STARTS, EL_ONLINE,
	EL_TOTAL, EL_STATUS, EL_LEFT, EL_OPENS, EL_RECEIVED
};

/*
 * GET /events: upcoming (or past) events across the network, by region
 * and kind, a page at a time, each with where it stands for the person
 * looking and each received one marked with the node it comes from.
 */
int
events_list(struct request *r)
{
	const char *when = r->form.f[KEY_WHEN].text, *p[8];
	const char *region = r->form.f[KEY_REGION].text;
	const char *kind = r->form.f[KEY_KIND].text;
	struct view *v, *e;
	struct pager pg;
	PGresult *res;
	char acc[32];
	int past = when != NULL && strcmp(when, "past") == 0, i, n;

	if ((v = page_view(r, past ? "Past events" : "Events")) == NULL)
		return http_error(r, 500);
	view_choices(v);
	view_codes(v, "kinds", event_kind_codes, event_kind_labels);
	view_flag(v, "past", past);
	view_set(v, "v_region", region);
	view_set(v, "v_kind", kind);
	calendar_links(v, region, kind);
	pager_init(&pg, r, EVENTS_PAGE);
	p[0] = past ? "past" : "upcoming";
	p[1] = region != NULL ? region : "";
	p[2] = kind != NULL ? kind : "";
	p[3] = is_coordinator(r) ? "true" : "false";
	p[4] = node_id;
	p[5] = viewer_account(r, acc);
	p[6] = pg.offset;
	p[7] = pg.limit;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT e.id, e.title, e.kind, e.region, e.venue, "
	    SQL_LONDON("e.starts", LONDON_WHEN) ", e.online_url IS NOT NULL,"
	    " count(*) OVER (), " SQL_STATUS_COLUMNS ","
	    " " SQL_ORIGIN("e")
	    " FROM events e" SQL_KNOWN("e") SQL_STATUS_JOIN("$6::bigint")
	    " WHERE NOT e.deleted"
	    " AND (e.status <> 'draft' OR ($4 AND e.origin = $5))"
	    " AND (e.ends < now()) = ($1 = 'past')"
	    " AND ($2 = '' OR e.region = $2) AND ($3 = '' OR e.kind = $3)"
	    " ORDER BY CASE WHEN $1 = 'past' THEN NULL ELSE e.starts END,"
	    " e.starts DESC, e.id LIMIT $8 OFFSET $7", 8, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((e = view_add(v, "events")) == NULL)
			break;
		view_setf(e, "href", "/events/%s", PQgetvalue(res, i, EL_ID));
		view_set(e, "title", PQgetvalue(res, i, EL_TITLE));
		view_set(e, "kind",
		    event_kind_label(PQgetvalue(res, i, EL_KIND)));
		view_set(e, "region", PQgetvalue(res, i, EL_REGION));
		view_set(e, "venue", db_value(res, i, EL_VENUE));
		view_flag(e, "online", *PQgetvalue(res, i, EL_ONLINE) == 't');
		view_set(e, "starts", PQgetvalue(res, i, EL_STARTS));
		event_status_view(e, res, i, EL_STATUS);
		origin_view(e, res, i, EL_RECEIVED);
		pg.total = strtol(PQgetvalue(res, i, EL_TOTAL), NULL, 10);
	}
	view_flag(v, "none", n == 0);
	PQclear(res);
	view_pager(v, r, &pg);
	return http_page(r, 200, "events", v);
}

/* Puts the event's fields into the view, for its page and its form. */
static void
event_view(struct view *v, PGresult *res)
{
	view_set(v, "id", PQgetvalue(res, 0, E_ID));
	view_set(v, "event_title", PQgetvalue(res, 0, E_TITLE));
	view_set(v, "description", db_value(res, 0, E_DESCRIPTION));
	view_set(v, "kind", event_kind_label(PQgetvalue(res, 0, E_KIND)));
	view_set(v, "region", PQgetvalue(res, 0, E_REGION));
	view_set(v, "venue", db_value(res, 0, E_VENUE));
	view_set(v, "address", db_value(res, 0, E_ADDRESS));
	view_set(v, "organiser", db_value(res, 0, E_ORGANISER));
	view_set(v, "organiser_email", db_value(res, 0, E_ORGANISER_EMAIL));
	if (db_value(res, 0, E_ORGANISER_EMAIL) != NULL)
		view_setf(v, "organiser_mailto", "mailto:%s",
		    PQgetvalue(res, 0, E_ORGANISER_EMAIL));
	view_set(v, "starts", PQgetvalue(res, 0, E_STARTS));
	view_set(v, "ends", PQgetvalue(res, 0, E_ENDS));
	view_set(v, "opens", db_value(res, 0, E_OPENS));
	view_set(v, "closes", db_value(res, 0, E_CLOSES));
	view_flag(v, "online", db_value(res, 0, E_ONLINE_URL) != NULL);
	view_flag(v, "draft", strcmp(PQgetvalue(res, 0, E_STATUS),
	    "draft") == 0);
	view_flag(v, "cancelled", strcmp(PQgetvalue(res, 0, E_STATUS),
	    "cancelled") == 0);
	view_flag(v, "open", *PQgetvalue(res, 0, E_OPEN) == 't');
	view_flag(v, "reg_closed", *PQgetvalue(res, 0, E_CLOSED) == 't');
	view_flag(v, "past", *PQgetvalue(res, 0, E_PAST) == 't');
}

/* Places kept ---------------------------------------------------------- */

/* The columns of keeps_query. */
enum { KQ_ID, KQ_PLACE_NAME, KQ_PLACES, KQ_GROUPS, KQ_UNTIL, KQ_TAKEN };
static const char keeps_query[] =
    "SELECT k.id, pt.name, k.places, array_to_string(k.groups, ' '),"
    " " SQL_LONDON("k.until", LONDON_TIME_ON_DAY) ","
    " k.places - acorn_keep_open(k)"
    " FROM place_keeps k JOIN place_types pt ON pt.id = k.place_type"
    " WHERE pt.event = $1 AND k.until > now()"
    " ORDER BY pt.position, pt.id, k.id";

/* The labels of groups (codes, space-separated), as "A, B or C". */
static char *
groups_words(const char *codes)
{
	struct strbuf b = { 0 };
	const char *label, *word[16];
	char *copy, *walk, *w;
	size_t i, n = 0;

	if ((copy = util_strdup(codes)) == NULL)
		return NULL;
	for (walk = copy; (w = strsep(&walk, " ")) != NULL && n < 16; )
		if ((label = stakeholder_label(w)) != NULL)
			word[n++] = label;
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_str(&b, i + 1 == n ? " or " : ", ");
		strbuf_str(&b, word[i]);
	}
	free(copy);
	return strbuf_take(&b);
}

/*
 * The places an event keeps for chosen groups now, as list "keeps" of
 * v, each with its sentence; "has_keeps" set when there are any.  -1
 * when the database failed.
 */
static int
event_keeps(struct request *r, struct view *v, const char *event)
{
	const char *p[1] = { event };
	struct view *k;
	PGresult *res;
	char *groups;
	int i, n;

	if ((res = db_query(r->db, PGRES_TUPLES_OK, keeps_query, 1,
	    p)) == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		long places = atol(PQgetvalue(res, i, KQ_PLACES));

		if ((k = view_add(v, "keeps")) == NULL)
			break;
		groups = groups_words(PQgetvalue(res, i, KQ_GROUPS));
		view_set(k, "keep_id", PQgetvalue(res, i, KQ_ID));
		view_set(k, "place_name", PQgetvalue(res, i, KQ_PLACE_NAME));
		view_set(k, "places", PQgetvalue(res, i, KQ_PLACES));
		view_set(k, "groups", groups);
		view_set(k, "until", PQgetvalue(res, i, KQ_UNTIL));
		view_set(k, "taken", PQgetvalue(res, i, KQ_TAKEN));
		view_setf(k, "sentence", "%ld %s %s kept for %s until %s.",
		    places, PQgetvalue(res, i, KQ_PLACE_NAME), places == 1 ?
		    "place is" : "places are", groups != NULL ? groups : "",
		    PQgetvalue(res, i, KQ_UNTIL));
		view_setf(k, "stop_label", "Stop keeping %s places for %s",
		    PQgetvalue(res, i, KQ_PLACE_NAME), groups != NULL ?
		    groups : "");
		free(groups);
	}
	view_flag(v, "has_keeps", n > 0);
	PQclear(res);
	return 0;
}

/* The columns of event_places' query. */
enum { EP_ID, EP_NAME, EP_CAPACITY, EP_TAKEN, EP_WAITING, EP_HELD };

/* The place types of an event, with what is left of each. */
static int
event_places(struct request *r, struct view *v, const char *id,
    int *any_free)
{
	const char *p[1];
	struct view *pt;
	PGresult *res;
	int i, n, chosen;

	p[0] = id;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT pt.id, pt.name, pt.capacity, pt.taken,"
	    " (SELECT count(*) FROM registrations w WHERE w.place_type = pt.id"
	    "  AND w.status = 'waiting'),"
	    /* Free places kept for some groups alone. */
	    " (SELECT coalesce(sum(acorn_keep_open(k)), 0) FROM place_keeps k"
	    "  WHERE k.place_type = pt.id AND k.until > now())"
	    " FROM place_types pt WHERE pt.event = $1"
	    " ORDER BY pt.position, pt.id", 1, p);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	*any_free = 0;
	/* The form starts on the first kind of place with room, if any. */
	for (chosen = 0; chosen < n; chosen++)
		if (atol(PQgetvalue(res, chosen, EP_TAKEN)) <
		    atol(PQgetvalue(res, chosen, EP_CAPACITY)) &&
		    atol(PQgetvalue(res, chosen, EP_WAITING)) == 0)
			break;
	if (chosen == n)
		chosen = 0;
	for (i = 0; i < n; i++) {
		long cap = atol(PQgetvalue(res, i, EP_CAPACITY));
		long taken = atol(PQgetvalue(res, i, EP_TAKEN));
		long waiting = atol(PQgetvalue(res, i, EP_WAITING));
		long held = atol(PQgetvalue(res, i, EP_HELD));

		if ((pt = view_add(v, "places")) == NULL)
			break;
		view_set(pt, "place_id", PQgetvalue(res, i, EP_ID));
		view_setf(pt, "input_id", "place-%s",
		    PQgetvalue(res, i, EP_ID));
		view_setf(pt, "capacity_id", "capacity-%s",
		    PQgetvalue(res, i, EP_ID));
		view_setf(pt, "keep_input_id", "keep-place-%s",
		    PQgetvalue(res, i, EP_ID));
		view_set(pt, "name", PQgetvalue(res, i, EP_NAME));
		view_set(pt, "capacity", PQgetvalue(res, i, EP_CAPACITY));
		view_set(pt, "taken", PQgetvalue(res, i, EP_TAKEN));
		view_setf(pt, "waiting", "%ld", waiting);
		view_flag(pt, "first", i == chosen);
		/* What is left of a received event's places, its host knows. */
		if (view_has(v, "away"))
			continue;
		if (taken >= cap && waiting == 0)
			view_set(pt, "left", "Full: you can join the waiting "
			    "list");
		else if (taken < cap && held >= cap - taken) {
			/* Free places, all of them kept for some groups. */
			view_setf(pt, "left", "%ld of %ld %s left, kept for "
			    "the groups below: anyone else can join the "
			    "waiting list", cap - taken, cap, cap == 1 ?
			    "place" : "places");
			*any_free = 1;
		} else if (taken >= cap || waiting > 0)
			view_setf(pt, "left", "Full: you can join the waiting "
			    "list (%ld waiting)", waiting);
		else if (held > 0) {
			view_setf(pt, "left", "%ld of %ld places left, %ld of "
			    "them kept for the groups below", cap - taken, cap,
			    held);
			*any_free = 1;
		} else {
			view_setf(pt, "left", "%ld of %ld %s left", cap - taken,
			    cap, cap == 1 ? "place" : "places");
			*any_free = 1;
		}
		if (n == 1)
			view_set(v, "one_place_left", view_get(pt, "left"));
	}
	view_flag(v, "has_places", n > 0);
	/* One type of place is no choice: the form says what it is. */
	view_flag(v, "one_place", n == 1);
	view_flag(v, "many_places", n > 1);
	if (n == 1) {
		view_set(v, "one_place_id", PQgetvalue(res, 0, EP_ID));
		view_set(v, "one_place_name", PQgetvalue(res, 0, EP_NAME));
	}
	PQclear(res);
	return 0;
}

/*
 * The questions an event asks now, in the order it asks them, with the
 * choices one per line (no choice holds a newline).  For the
 * registration form and for checking its answers.
 */
static PGresult *
questions_asked(struct db *db, const char *event)
{
	const char *p[1];

	p[0] = event;
	return db_query(db, PGRES_TUPLES_OK, "SELECT id, kind, label,"
	    " required, array_to_string(choices, E'\\n') FROM questions"
	    " WHERE event = $1 AND NOT retired ORDER BY position, id", 1, p);
}

/* The columns of questions_asked's rows. */
enum { QA_ID, QA_KIND, QA_LABEL, QA_REQUIRED, QA_CHOICES };

/*
 * The questions an event asks, as fields of its registration form; an
 * answer sent with a refused form goes back into it.
 */
static int
event_questions(struct request *r, struct view *v, const char *id)
{
	const struct form_answer *a;
	struct view *q, *c;
	const char *qid, *kind, *given, *c0;
	char *choice, ekey[64];
	PGresult *res;
	size_t len;
	int i, j, n;

	if ((res = questions_asked(r->db, id)) == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((q = view_add(v, "questions")) == NULL)
			break;
		qid = PQgetvalue(res, i, QA_ID);
		kind = PQgetvalue(res, i, QA_KIND);
		a = form_answer_get(&r->form, atol(qid));
		given = a != NULL ? a->text : NULL;
		view_setf(q, "name", "answer_%s", qid);
		view_setf(q, "hint_id", "answer_%s-hint", qid);
		view_setf(q, "error_id", "answer_%s-error", qid);
		view_set(q, "label", PQgetvalue(res, i, QA_LABEL));
		view_set(q, "value", given);
		view_flag(q, "optional",
		    *PQgetvalue(res, i, QA_REQUIRED) != 't');
		view_flag(q, "long", strcmp(kind, "access") == 0 ||
		    strcmp(kind, "dietary") == 0);
		view_flag(q, "line", strcmp(kind, "text") == 0);
		view_flag(q, "yesno", strcmp(kind, "yesno") == 0);
		view_flag(q, "choice", strcmp(kind, "choice") == 0);
		view_flag(q, "yesno_or_choice", strcmp(kind, "yesno") == 0 ||
		    strcmp(kind, "choice") == 0);
		if (strcmp(kind, "access") == 0)
			view_set(q, "hint", "For example step-free access, a "
			    "hearing loop, large print or a quiet room.");
		else if (strcmp(kind, "dietary") == 0)
			view_set(q, "hint", "For example vegetarian, halal or "
			    "a nut allergy.");
		snprintf(ekey, sizeof(ekey), "e_answer_%s", qid);
		view_set(q, "error", view_get(v, ekey));
		/* What a screen reader reads after the question. */
		if (view_has(q, "hint") || view_has(q, "error"))
			view_setf(q, "describedby", "%s%s%s",
			    view_has(q, "hint") ? view_get(q, "hint_id") : "",
			    view_has(q, "hint") && view_has(q, "error") ?
			    " " : "", view_has(q, "error") ?
			    view_get(q, "error_id") : "");
		if (strcmp(kind, "yesno") == 0) {
			view_setf(q, "yes_id", "answer_%s-yes", qid);
			view_setf(q, "no_id", "answer_%s-no", qid);
			view_flag(q, "is_yes", given != NULL &&
			    strcmp(given, "yes") == 0);
			view_flag(q, "is_no", given != NULL &&
			    strcmp(given, "no") == 0);
		}
		/* Choices are stored one per line: none holds a newline. */
		for (j = 0, c0 = db_value(res, i, QA_CHOICES); c0 != NULL &&
		    *c0 != '\0'; j++) {
			len = strcspn(c0, "\n");
			if ((choice = strndup(c0, len)) == NULL ||
			    (c = view_add(q, "choices")) == NULL) {
				free(choice);
				break;
			}
			view_set(c, "value", choice);
			view_setf(c, "id", "answer_%s-%d", qid, j + 1);
			view_setf(c, "name", "answer_%s", qid);
			view_flag(c, "checked", given != NULL &&
			    strcmp(given, choice) == 0);
			free(choice);
			c0 += len + (c0[len] == '\n');
		}
	}
	view_flag(v, "has_questions", n > 0);
	PQclear(res);
	return 0;
}

/* The columns of event_public_list's query. */
enum { PL_NAME, PL_ORGANISATION };

/* Who chose to be named on the public attendee list, and how many come. */
static int
event_public_list(struct request *r, struct view *v, const char *id)
{
	struct view *a;
	const char *p[1];
	PGresult *res;
	int i, n;

	p[0] = id;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT name, organisation"
	    " FROM registrations WHERE event = $1 AND status = 'confirmed'"
	    " AND public ORDER BY lower(name) LIMIT 500", 1, p);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((a = view_add(v, "public_names")) == NULL)
			break;
		view_set(a, "name", PQgetvalue(res, i, PL_NAME));
		view_set(a, "organisation", db_value(res, i, PL_ORGANISATION));
	}
	view_flag(v, "has_public", n > 0);
	PQclear(res);
	return 0;
}

/* The columns of event_page's query for the member's own registration. */
enum { MY_STATUS, MY_POSITION, MY_PLACES, MY_ROLE, MY_REF, MY_REFERENCE };

/* The columns of event_status's query. */
enum { ES_STATUS };

/* The event's tag at the top of its page, for the person looking. */
static int
event_status(struct request *r, struct view *v)
{
	const char *p[2];
	char acc[32];
	PGresult *res;

	p[0] = r->arg;
	p[1] = viewer_account(r, acc);
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT"
	    SQL_STATUS_COLUMNS " FROM events e" SQL_STATUS_JOIN("$2::bigint")
	    " WHERE e.id = $1", 2, p)) == NULL)
		return -1;
	if (PQntuples(res) == 1)
		event_status_view(v, res, 0, ES_STATUS);
	PQclear(res);
	return 0;
}

/*
 * The event's page.  v is NULL, or a view a refused registration form
 * filled with its errors and what was typed; status is the answer's.
 */
static int
event_page(struct request *r, struct view *v, unsigned int status)
{
	PGresult *res, *mine;
	const char *p[2];
	char key[ACORN_TOKEN_LEN + 1], acc[32];
	int missing, any_free, local;

	if ((res = event_fetch(r, &missing)) == NULL) {
		view_free(v);
		return event_missing(r, missing);
	}
	if (v == NULL && (v = view_new()) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	if (r->account == NULL && session_form(r) == -1)
		goto unavailable;
	view_common(r, v, PQgetvalue(res, 0, E_TITLE));
	event_view(v, res);
	/* Below the page's <h1>, a description's "#" is an <h2>. */
	view_markdown(v, "description_html",
	    db_value(res, 0, E_DESCRIPTION), 2);
	if (!view_has(v, "draft") && !view_has(v, "cancelled"))
		view_setf(v, "ics_href", "/events/%s.ics", r->arg);
	local = *PQgetvalue(res, 0, E_LOCAL) == 't';
	/* A received event's registration is taken by its home node. */
	origin_view(v, res, 0, E_RECEIVED);
	view_flag(v, "manage", local && is_coordinator(r));
	/* Its organisers see who is coming, by group and region. */
	if (local && is_coordinator(r) && event_mix(r, v, r->arg) == -1)
		goto unavailable;
	view_setf(v, "register_action", "/events/%s/register", r->arg);
	view_setf(v, "attendees_href", "/events/%s/attendees", r->arg);
	view_setf(v, "places_href", "/events/%s/places", r->arg);
	view_setf(v, "questions_href", "/events/%s/questions", r->arg);
	view_setf(v, "feedback_href", "/events/%s/feedback", r->arg);
	view_setf(v, "feedback_results_href", "/events/%s/feedback/results",
	    r->arg);
	view_setf(v, "checkin_href", "/events/%s/checkin", r->arg);
	view_setf(v, "export_href", "/events/%s/export", r->arg);
	view_setf(v, "edit_href", "/events/%s/edit", r->arg);
	view_setf(v, "cancel_href", "/events/%s/cancel", r->arg);
	view_setf(v, "check_href", "/events/%s/check", r->arg);
	view_setf(v, "close_action", "/events/%s/close", r->arg);
	view_setf(v, "reopen_action", "/events/%s/reopen", r->arg);
	view_setf(v, "signin_href", "/signin?next=/events/%s", r->arg);
	view_flag(v, "away", !local);
	/* Its host takes no registrations from other nodes' members. */
	if (!local && *PQgetvalue(res, 0, E_ACCEPT_REMOTE) != 't') {
		view_flag(v, "open", 0);
		view_flag(v, "closed_to_others", 1);
	}
	if (event_places(r, v, r->arg, &any_free) == -1 ||
	    (local && event_keeps(r, v, r->arg) == -1) ||
	    event_questions(r, v, r->arg) == -1 ||
	    event_public_list(r, v, r->arg) == -1 ||
	    event_status(r, v) == -1)
		goto unavailable;
	view_flag(v, "any_free", any_free);
	/*
	 * A received event is registered for here, by members, and sent to
	 * its home node; guests register there.
	 */
	view_flag(v, "guest_form", local && r->account == NULL);
	/* A guest may say which group they are in. */
	if (local && r->account == NULL)
		view_codes(v, "groups", stakeholder_codes, stakeholder_labels);
	view_flag(v, "mail_off", !registration_mail_sent());
	view_flag(v, "show_form", local || r->account != NULL);
	if (!local && r->account != NULL &&
	    away_event_status(r, v, r->arg) == -1)
		goto unavailable;
	if (local && r->account != NULL) {
		snprintf(acc, sizeof(acc), "%ld", r->account->id);
		p[0] = r->arg;
		p[1] = acc;
		mine = db_query(r->db, PGRES_TUPLES_OK,
		    "SELECT r.status, acorn_waiting_position(r.id), r.places,"
		    " r.role, r.ref, r.reference FROM registrations r"
		    " WHERE r.event = $1"
		    " AND r.account = $2::bigint"
		    " AND r.status IN ('confirmed', 'waiting')", 2, p);
		if (mine == NULL)
			goto unavailable;
		if (PQntuples(mine) == 1) {
			const char *st = PQgetvalue(mine, 0, MY_STATUS);
			const char *role = PQgetvalue(mine, 0, MY_ROLE);

			view_flag(v, "registered", 1);
			view_set(v, "my_reference",
			    PQgetvalue(mine, 0, MY_REFERENCE));
			view_flag(v, "my_waiting", strcmp(st, "waiting") == 0);
			/* The team is managed from the attendee list. */
			if (strcmp(role, "attendee") == 0)
				view_setf(v, "my_cancel_href",
				    "/registrations/%s/cancel",
				    PQgetvalue(mine, 0, MY_REF));
			if (strcmp(st, "confirmed") == 0) {
				view_set(v, "my_status", strcmp(role,
				    "attendee") == 0 ? "You have a "
				    "place at this event." : "You are on the "
				    "team for this event.");
				/* The joining link is for confirmed people. */
				view_set(v, "online_url",
				    db_value(res, 0, E_ONLINE_URL));
			} else
				view_setf(v, "my_status", "You are number %s on "
				    "the waiting list.",
				    PQgetvalue(mine, 0, MY_POSITION));
		}
		PQclear(mine);
	}
	if (!view_has(v, "v_places"))
		view_set(v, "v_places", "1");
	/* Fresh in every response, kept page or not. */
	if (!view_has(v, "request_key") && cache_form_key(r, key) == 0)
		view_set(v, "request_key", key);
	PQclear(res);
	return http_page(r, status, "event", v);
unavailable:
	PQclear(res);
	view_free(v);
	return http_error(r, 503);
}

/* The mix of people ---------------------------------------------------- */

/* One chart of the mix, with its table, in list "mix_charts" of v. */
static int
mix_chart(struct view *v, const char *heading, const char *title,
    const char *caption, const struct chart_row *rows, int n)
{
	static const struct chart_series series[2] = {
		{ "confirmed", "Confirmed", NULL },
		{ "waiting", "Waiting", NULL },
	};
	struct view *c;

	if ((c = view_add(v, "mix_charts")) == NULL)
		return -1;
	view_set(c, "row_heading", heading);
	view_set(c, "total_heading", "Places");
	return chart_add(c, "chart", title, caption, series, 2, rows, n);
}

/*
 * Who is coming to event (its organisers' view): places confirmed and
 * waiting by stakeholder group and by region, as two charts with their
 * tables in list "mix_charts" of v, and "mix" set when anyone is.  -1
 * when the database failed.
 */
int
event_mix(struct request *r, struct view *v, const char *event)
{
	struct chart_row rows[16];
	const char *p[1] = { event };
	PGresult *res;
	long any = 0;
	int i, n, rc = 0;

	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT * FROM"
	    " acorn_event_mix($1::uuid)", 1, p)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		any += strtol(PQgetvalue(res, i, 2), NULL, 10) +
		    strtol(PQgetvalue(res, i, 3), NULL, 10);
	view_flag(v, "mix", any > 0);
	if (any > 0) {
		n = chart_rows_by_code(res, "group", stakeholder_codes,
		    stakeholder_labels, 2, 1, rows, 16);
		rc = mix_chart(v, "Stakeholder group", "Who is coming, by "
		    "stakeholder group", "Places confirmed and waiting, by the "
		    "group each person registered under: a member's profile, "
		    "a guest's answer, or what another node sent for its "
		    "member. People who gave none are counted as not given.",
		    rows, n);
		n = chart_rows_by_code(res, "region", region_names,
		    region_names, 2, 0, rows, 16);
		if (rc == 0)
			rc = mix_chart(v, "Region", "Who is coming, by region",
			    "Places confirmed and waiting, by each person's "
			    "region: their profile's here, their node's when "
			    "they registered from another node. Regions nobody "
			    "comes from are left out.", rows, n);
	}
	PQclear(res);
	return rc;
}

/* GET /events/{id} */
int
events_show(struct request *r)
{
	return event_page(r, NULL, 200);
}

/* The choice of registrations from other nodes, as the form shows it. */
static void
event_form_other_nodes(struct view *v, int accept)
{
	view_flag(v, "other_nodes_yes", accept);
	view_flag(v, "other_nodes_no", !accept);
}

/*
 * Whether members of other nodes may register through their home nodes,
 * as the form says; NULL when it does not say (the event keeps its
 * choice, and a new event accepts).
 */
static const char *
event_form_accept_remote(struct request *r, struct view *v)
{
	const struct field *f = &r->form.f[KEY_OTHER_NODES];

	if (f->text == NULL)
		return NULL;
	event_form_other_nodes(v, f->num == 1);
	return f->num == 1 ? "true" : "false";
}

/* Stores the choice in the caller's transaction, when the form made it. */
static int
event_save_accept_remote(struct request *r, const char *id,
    const char *accept)
{
	if (accept == NULL)
		return 0;
	return db_exec(r->db, "UPDATE events SET accept_remote = $2::boolean"
	    " WHERE id = $1 AND accept_remote <> $2::boolean", 2,
	    (const char *[]){ id, accept });
}

/* The event form as read: each field, or NULL when not given. */
struct event_form {
	const char	*title;
	const char	*kind;
	const char	*description;
	const char	*starts;	/* "YYYY-MM-DD HH:MM", UK time */
	const char	*ends;
	const char	*venue;
	const char	*address;
	const char	*online_url;
	const char	*organiser;
	const char	*organiser_email;
	const char	*opens;		/* registration opens, or NULL */
	const char	*closes;	/* and closes, or NULL */
	const char	*accept;	/* "true", "false"; NULL: unchanged */
	char		 starts_at[24];	/* what the times point to */
	char		 ends_at[24];
	char		 opens_at[24];
	char		 closes_at[24];
};

/* The form's two parts, for the steps of a new event and for editing. */
enum { FORM_WHAT = 1, FORM_SETTINGS = 2 };

/* A problem with a date as a whole, linked to its first input. */
static void
date_error(struct view *v, const char *name, const char *msg)
{
	char anchor[64], key[64];

	snprintf(anchor, sizeof(anchor), "%s-day", name);
	snprintf(key, sizeof(key), "e_%s", name);
	view_error(v, anchor, msg);
	view_set(v, key, msg);
}

/*
 * What and when: title, type, description, the start and end (each a
 * date and a time) and where.  Errors go into the view.
 */
static void
event_what_read(struct request *r, struct view *v, struct event_form *f)
{
	f->title = view_field(v, r, KEY_TITLE, "Enter a title");
	f->kind = view_field(v, r, KEY_KIND, "Select the kind of event");
	f->description = view_field(v, r, KEY_DESCRIPTION, NULL);
	f->starts = view_date(v, r, KEY_START, 1, NULL, f->starts_at,
	    sizeof(f->starts_at));
	f->ends = view_date(v, r, KEY_END, 1, NULL, f->ends_at,
	    sizeof(f->ends_at));
	f->venue = view_field(v, r, KEY_VENUE, NULL);
	f->address = view_field(v, r, KEY_ADDRESS, NULL);
	f->online_url = view_field(v, r, KEY_ONLINE_URL, NULL);
	/* "YYYY-MM-DD HH:MM" in one time zone sorts as the times do. */
	if (f->starts != NULL && f->ends != NULL &&
	    strcmp(f->ends, f->starts) < 0)
		date_error(v, "end", "The event must end after it starts");
	if (f->venue == NULL && f->online_url == NULL &&
	    !view_has(v, "e_venue") && !view_has(v, "e_online_url"))
		view_error(v, "venue", "Enter a venue, or a joining link for "
		    "an online event");
}

/*
 * Registration and the rest: who organises it, when registration opens
 * and closes (a day alone opens as it starts and closes as it ends), and
 * whether other nodes' members may register.  starts is the event's
 * start, "YYYY-MM-DD HH:MM": registration closes before it.
 */
static void
event_settings_read(struct request *r, struct view *v, struct event_form *f,
    const char *starts)
{
	f->organiser = view_field(v, r, KEY_ORGANISER, NULL);
	f->organiser_email = view_field(v, r, KEY_ORGANISER_EMAIL, NULL);
	f->opens = view_date(v, r, KEY_OPENS, 0, "00:00", f->opens_at,
	    sizeof(f->opens_at));
	f->closes = view_date(v, r, KEY_CLOSES, 0, "23:59", f->closes_at,
	    sizeof(f->closes_at));
	if (f->opens != NULL && f->closes != NULL &&
	    strcmp(f->closes, f->opens) <= 0)
		date_error(v, "closes", "Registration must close after it "
		    "opens");
	else if (f->closes != NULL && starts != NULL &&
	    strcmp(f->closes, starts) > 0)
		date_error(v, "closes", "Registration must close before the "
		    "event starts");
	f->accept = event_form_accept_remote(r, v);
}

/* A stored time, as LONDON_FIELDS wrote it, back into its inputs. */
static void
event_fill_date(struct view *v, const char *name, const char *fields)
{
	static const char *const parts[] = { "day", "month", "year", "hour",
	    "minute" };
	char buf[32], key[64], *word, *next;
	size_t i;

	if (fields == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s", fields);
	for (i = 0, word = buf; word != NULL && i < 5; i++, word = next) {
		if ((next = strchr(word, ' ')) != NULL)
			*next++ = '\0';
		snprintf(key, sizeof(key), "v_%s_%s", name, parts[i]);
		view_set(v, key, word);
	}
}

/* Puts a stored event's fields into its form as values to edit. */
static void
event_form_fill(struct view *v, PGresult *res)
{
	view_set(v, "v_title", PQgetvalue(res, 0, E_TITLE));
	view_set(v, "v_kind", PQgetvalue(res, 0, E_KIND));
	view_set(v, "v_description", db_value(res, 0, E_DESCRIPTION));
	event_fill_date(v, "start", db_value(res, 0, E_START_DATE));
	event_fill_date(v, "end", db_value(res, 0, E_END_DATE));
	view_set(v, "v_venue", db_value(res, 0, E_VENUE));
	view_set(v, "v_address", db_value(res, 0, E_ADDRESS));
	view_set(v, "v_online_url", db_value(res, 0, E_ONLINE_URL));
	view_set(v, "v_organiser", db_value(res, 0, E_ORGANISER));
	view_set(v, "v_organiser_email", db_value(res, 0, E_ORGANISER_EMAIL));
	event_fill_date(v, "opens", db_value(res, 0, E_OPENS_DATE));
	event_fill_date(v, "closes", db_value(res, 0, E_CLOSES_DATE));
	event_form_other_nodes(v, *PQgetvalue(res, 0, E_ACCEPT_REMOTE) ==
	    't');
}

/* The steps of setting up a new event, each a page. */
static const struct {
	const char	*path;		/* under /events/{id}/ */
	const char	*title;
} steps[] = {
	{ "what", "What and when" },
	{ "places", "Places" },
	{ "questions", "Questions to ask" },
	{ "registration", "Registration and other settings" },
	{ "check", "Check your answers" },
};
#define NSTEPS	4	/* before checking the answers */

/*
 * For a step of a draft's setting up (1 to NSTEPS): its caption, its back
 * link and where it continues, which is the check-answers page when the
 * step was reached from it (check=yes).  Nothing for a published event,
 * whose pages are its own.  -1 when the database failed.
 */
int
event_step(struct request *r, struct view *v, int step)
{
	const char *p[1];
	PGresult *res;
	int check = r->form.f[KEY_CHECK].num == 1, draft;

	p[0] = r->arg;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT status = 'draft'"
	    " FROM events WHERE id = $1", 1, p)) == NULL)
		return -1;
	draft = PQntuples(res) == 1 && *PQgetvalue(res, 0, 0) == 't';
	PQclear(res);
	if (!draft)
		return 0;
	view_flag(v, "stepping", 1);
	view_flag(v, "check", check);
	view_setf(v, "step_caption", "New event: step %d of %d", step,
	    NSTEPS);
	if (check || step == NSTEPS)
		view_setf(v, "continue_href", "/events/%s/check", r->arg);
	else
		view_setf(v, "continue_href", "/events/%s/%s", r->arg,
		    steps[step].path);
	view_set(v, "continue_text", check ? "Back to check your answers" :
	    "Continue");
	if (check)
		view_setf(v, "back_href", "/events/%s/check", r->arg);
	else if (step > 1)
		view_setf(v, "back_href", "/events/%s/%s", r->arg,
		    steps[step - 2].path);
	return 0;
}

/* The event form: the parts it shows, and the choices it offers. */
static void
event_form_view(struct view *v, int parts)
{
	view_codes(v, "kinds", event_kind_codes, event_kind_labels);
	view_flag(v, "show_what", parts & FORM_WHAT);
	view_flag(v, "show_settings", parts & FORM_SETTINGS);
}

/* GET and POST /events/new: the first step, which makes the draft. */
int
events_new(struct request *r)
{
	struct event_form f;
	struct view *v;
	const char *p[12];
	char id[ACORN_UUID_LEN + 1], by[32];

	if ((v = page_view(r, "What and when: new event")) == NULL)
		return http_error(r, 500);
	event_form_view(v, FORM_WHAT);
	view_set(v, "form_action", "/events/new");
	view_set(v, "heading", "What and when");
	view_setf(v, "step_caption", "New event: step 1 of %d", NSTEPS);
	view_set(v, "button", "Continue");
	view_set(v, "cancel_href", "/events");
	if (r->method != METHOD_POST)
		return http_page(r, 200, "event_form", v);
	memset(&f, 0, sizeof(f));
	event_what_read(r, v, &f);
	if (view_has(v, "errors"))
		return http_page(r, 422, "event_form", v);
	view_free(v);
	if (util_uuid(id) == -1)
		return http_error(r, 500);
	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = f.title;
	p[1] = f.kind;
	p[2] = f.description;
	p[3] = f.starts;
	p[4] = f.ends;
	p[5] = f.venue;
	p[6] = f.address;
	p[7] = f.online_url;
	p[8] = id;
	p[9] = node_id;
	p[10] = by;
	/* A draft: seen by this node's coordinators, shared with no one. */
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	if (db_exec(r->db, "INSERT INTO events (id, origin, title, kind,"
	    " description, starts, ends, venue, address, online_url,"
	    " region, created_by, status)"
	    " SELECT $9, $10, $1, $2, $3,"
	    " " SQL_FROM_LONDON("$4") ", " SQL_FROM_LONDON("$5") ","
	    " $6, $7, $8, n.region, $11, 'draft' FROM node n", 11, p) == -1 ||
	    audit_commit(r->db, r->account->id, "event_create", id) == -1) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	return http_redirectf(r, "/events/%s/places", id);
}

/*
 * The draft in the path, for a step of its setting up; NULL with the
 * answer in *answer when there is none to set up: a published event is
 * changed on its edit page, which tells the people registered.
 */
static PGresult *
event_draft(struct request *r, int *answer)
{
	PGresult *res;
	int missing;

	if (!event_own(r, answer))
		return NULL;
	if ((res = event_fetch(r, &missing)) == NULL) {
		*answer = event_missing(r, missing);
		return NULL;
	}
	if (strcmp(PQgetvalue(res, 0, E_STATUS), "draft") != 0) {
		PQclear(res);
		*answer = http_redirectf(r, "/events/%s/edit", r->arg);
		return NULL;
	}
	return res;
}

/* Where a step goes once saved: the next, or back to the answers. */
static int
event_step_done(struct request *r, int step)
{
	if (r->form.f[KEY_CHECK].num == 1 || step == NSTEPS)
		return http_redirectf(r, "/events/%s/check", r->arg);
	return http_redirectf(r, "/events/%s/%s", r->arg, steps[step].path);
}

/* A step's page: the event form with one of its parts. */
static struct view *
event_step_view(struct request *r, int step, int parts)
{
	struct view *v;
	char title[120];

	snprintf(title, sizeof(title), "%s: new event", steps[step - 1].title);
	if ((v = page_view(r, title)) == NULL)
		return NULL;
	event_form_view(v, parts);
	view_setf(v, "form_action", "/events/%s/%s", r->arg,
	    steps[step - 1].path);
	view_set(v, "heading", steps[step - 1].title);
	view_set(v, "button", r->form.f[KEY_CHECK].num == 1 ?
	    "Save and go back to check your answers" : "Continue");
	if (event_step(r, v, step) == -1) {
		view_free(v);
		return NULL;
	}
	return v;
}

/* GET and POST /events/{id}/what: the first step, again. */
int
events_what(struct request *r)
{
	struct event_form f;
	struct view *v;
	PGresult *res;
	const char *p[9];
	int answer;

	if ((res = event_draft(r, &answer)) == NULL)
		return answer;
	if ((v = event_step_view(r, 1, FORM_WHAT)) == NULL) {
		PQclear(res);
		return http_error(r, 503);
	}
	if (r->method != METHOD_POST) {
		event_form_fill(v, res);
		PQclear(res);
		return http_page(r, 200, "event_form", v);
	}
	PQclear(res);
	memset(&f, 0, sizeof(f));
	event_what_read(r, v, &f);
	if (view_has(v, "errors"))
		return http_page(r, 422, "event_form", v);
	view_free(v);
	p[0] = f.title;
	p[1] = f.kind;
	p[2] = f.description;
	p[3] = f.starts;
	p[4] = f.ends;
	p[5] = f.venue;
	p[6] = f.address;
	p[7] = f.online_url;
	p[8] = r->arg;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	if (db_exec(r->db, "UPDATE events SET title = $1, kind = $2,"
	    " description = $3, starts = " SQL_FROM_LONDON("$4") ","
	    " ends = " SQL_FROM_LONDON("$5") ", venue = $6, address = $7,"
	    " online_url = $8, updated = now()"
	    " WHERE id = $9 AND status = 'draft'", 9, p) == -1 ||
	    audit_commit(r->db, r->account->id, "event_edit", r->arg) == -1) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	return event_step_done(r, 1);
}

/* Stores the registration part of the form, in the caller's transaction. */
static int
event_settings_save(struct request *r, const struct event_form *f)
{
	const char *p[5];

	p[0] = f->organiser;
	p[1] = f->organiser_email;
	p[2] = f->opens;
	p[3] = f->closes;
	p[4] = r->arg;
	if (db_exec(r->db, "UPDATE events SET organiser = $1,"
	    " organiser_email = $2, reg_opens = " SQL_FROM_LONDON("$3") ","
	    " reg_closes = " SQL_FROM_LONDON("$4") ", updated = now()"
	    " WHERE id = $5", 5, p) == -1)
		return -1;
	return event_save_accept_remote(r, r->arg, f->accept);
}

/* GET and POST /events/{id}/registration: the fourth step. */
int
events_settings(struct request *r)
{
	struct event_form f;
	struct view *v;
	PGresult *res;
	int answer;

	if ((res = event_draft(r, &answer)) == NULL)
		return answer;
	if ((v = event_step_view(r, NSTEPS, FORM_SETTINGS)) == NULL) {
		PQclear(res);
		return http_error(r, 503);
	}
	if (r->method != METHOD_POST) {
		event_form_fill(v, res);
		PQclear(res);
		return http_page(r, 200, "event_form", v);
	}
	memset(&f, 0, sizeof(f));
	event_settings_read(r, v, &f, PQgetvalue(res, 0, E_STARTS_ISO));
	PQclear(res);
	if (view_has(v, "errors"))
		return http_page(r, 422, "event_form", v);
	view_free(v);
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	if (event_settings_save(r, &f) == -1 ||
	    audit_commit(r->db, r->account->id, "event_edit", r->arg) == -1) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	return event_step_done(r, NSTEPS);
}

/* One answer on the check page, with the step that changes it. */
static void
check_row(struct view *v, const char *id, const char *key,
    const char *value, int step, const char *empty)
{
	struct view *row;

	if ((row = view_add(v, "answers")) == NULL)
		return;
	view_set(row, "key", key);
	view_set(row, "value", value != NULL && *value != '\0' ? value :
	    empty);
	view_setf(row, "change_href", "/events/%s/%s?check=yes", id,
	    steps[step - 1].path);
}

/* The columns of events_check's query. */
enum { CK_WHEN, CK_OPENS, CK_CLOSES, CK_PLACES, CK_NPLACES, CK_QUESTIONS };

/*
 * GET and POST /events/{id}/check: every answer given in the steps, each
 * with a link to change it; then publish, or keep it as a draft.
 */
int
events_check(struct request *r)
{
	struct view *v;
	PGresult *res, *ck;
	const char *p[1], *done = r->form.f[KEY_DONE].text;
	int answer, nplaces;

	if ((res = event_draft(r, &answer)) == NULL)
		return answer;
	p[0] = r->arg;
	ck = db_query(r->db, PGRES_TUPLES_OK, "SELECT "
	    SQL_LONDON_RANGE("e.starts", "e.ends") ","
	    " " SQL_LONDON("e.reg_opens", LONDON_WHEN) ","
	    " " SQL_LONDON("e.reg_closes", LONDON_WHEN) ","
	    " (SELECT string_agg(pt.name || ': ' || pt.capacity, E'\\n'"
	    "  ORDER BY pt.position, pt.id) FROM place_types pt"
	    "  WHERE pt.event = e.id),"
	    " (SELECT count(*) FROM place_types pt WHERE pt.event = e.id),"
	    " (SELECT string_agg(q.label, E'\\n' ORDER BY q.position, q.id)"
	    "  FROM questions q WHERE q.event = e.id AND NOT q.retired)"
	    " FROM events e WHERE e.id = $1", 1, p);
	if (ck == NULL || PQntuples(ck) != 1 ||
	    (v = page_view(r, "Check your answers before publishing")) ==
	    NULL) {
		PQclear(ck);
		PQclear(res);
		return http_error(r, 503);
	}
	nplaces = (int)strtol(PQgetvalue(ck, 0, CK_NPLACES), NULL, 10);
	if (r->method == METHOD_POST && done != NULL &&
	    strcmp(done, "publish") == 0 && nplaces == 0)
		view_error(v, "places", "Add at least one type of place "
		    "before publishing");
	else if (r->method == METHOD_POST) {
		PQclear(ck);
		PQclear(res);
		view_free(v);
		if (done == NULL || strcmp(done, "publish") != 0)
			return http_redirectf(r, "/events/%s", r->arg);
		return events_publish(r);
	}
	view_setf(v, "form_action", "/events/%s/check", r->arg);
	view_setf(v, "back_href", "/events/%s/registration", r->arg);
	view_set(v, "step_caption", "New event");
	check_row(v, r->arg, "Title", PQgetvalue(res, 0, E_TITLE), 1, NULL);
	check_row(v, r->arg, "Kind of event",
	    event_kind_label(PQgetvalue(res, 0, E_KIND)), 1, NULL);
	check_row(v, r->arg, "Description", db_value(res, 0, E_DESCRIPTION),
	    1, "None");
	check_row(v, r->arg, "Date and time",
	    PQgetvalue(ck, 0, CK_WHEN), 1, NULL);
	check_row(v, r->arg, "Venue", db_value(res, 0, E_VENUE), 1,
	    "Online");
	check_row(v, r->arg, "Address", db_value(res, 0, E_ADDRESS), 1,
	    "None");
	check_row(v, r->arg, "Online joining link",
	    db_value(res, 0, E_ONLINE_URL), 1, "None");
	check_row(v, r->arg, "Places", db_value(ck, 0, CK_PLACES), 2,
	    "None yet");
	check_row(v, r->arg, "Questions", db_value(ck, 0, CK_QUESTIONS), 3,
	    "None");
	check_row(v, r->arg, "Registration opens",
	    db_value(ck, 0, CK_OPENS), 4, "When you publish");
	check_row(v, r->arg, "Registration closes",
	    db_value(ck, 0, CK_CLOSES), 4, "When the event starts");
	check_row(v, r->arg, "Organiser", db_value(res, 0, E_ORGANISER), 4,
	    "None");
	check_row(v, r->arg, "Organiser's email address",
	    db_value(res, 0, E_ORGANISER_EMAIL), 4, "None");
	check_row(v, r->arg, "Registrations from other nodes",
	    *PQgetvalue(res, 0, E_ACCEPT_REMOTE) == 't' ? "Accepted" :
	    "Only members of this node and guests", 4, NULL);
	PQclear(ck);
	PQclear(res);
	return http_page(r, view_has(v, "errors") ? 422 : 200, "event_check",
	    v);
}

/* event_own's query: SQL_ORIGIN's three columns, named by the first. */
enum { EO_RECEIVED };

/*
 * The event in the path, if this node may manage it; else an answer: a
 * received event is its home node's to change, and says so.
 */
int
event_own(struct request *r, int *answer)
{
	const char *p[1];
	PGresult *res;

	if (!util_uuid_valid(r->arg)) {
		*answer = http_error(r, 404);
		return 0;
	}
	p[0] = r->arg;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT " SQL_ORIGIN("e")
	    " FROM events e" SQL_KNOWN("e") " WHERE e.id = $1"
	    " AND NOT e.deleted", 1, p)) == NULL) {
		*answer = http_error(r, 503);
		return 0;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		*answer = http_error(r, 404);
		return 0;
	}
	if (*PQgetvalue(res, 0, EO_RECEIVED) == 't') {
		*answer = origin_refuse(r, "event", res, 0, EO_RECEIVED);
		PQclear(res);
		return 0;
	}
	PQclear(res);
	return 1;
}

static int
back_to_event(struct request *r, const char *suffix)
{
	return http_redirectf(r, "/events/%s%s", r->arg, suffix);
}

/*
 * POST /events/{id}/publish, /close and /reopen: one statement each,
 * each a new version of the shared record, recorded with it.
 */
static int
event_set(struct request *r, const char *sql, const char *action)
{
	const char *p[1];
	int answer;

	if (!event_own(r, &answer))
		return answer;
	p[0] = r->arg;
	if (db_begin(r->db) == -1 || db_exec(r->db, sql, 1, p) == -1 ||
	    audit_commit(r->db, r->account->id, action, r->arg) == -1)
		return http_error(r, 503);
	return back_to_event(r, "");
}

int
events_publish(struct request *r)
{
	return event_set(r, "UPDATE events SET status = 'published',"
	    " updated = now() WHERE id = $1 AND status = 'draft'", "event_publish");
}

int
events_close(struct request *r)
{
	return event_set(r, "UPDATE events SET reg_closed = true,"
	    " updated = now() WHERE id = $1 AND NOT reg_closed", "event_close");
}

int
events_reopen(struct request *r)
{
	return event_set(r, "UPDATE events SET reg_closed = false,"
	    " updated = now() WHERE id = $1 AND reg_closed", "event_reopen");
}

/*
 * Stops keeping places (the form's keep) at once: the waiting list
 * moves on, and whoever it gives a place is told.  -1 when the
 * database failed; a keep not of this event, or already over, changes
 * nothing.
 */
static int
keep_end(struct request *r, struct view *v)
{
	const char *p[3];
	PGresult *res;

	if ((p[0] = view_field(v, r, KEY_KEEP, "Choose kept places from the "
	    "list")) == NULL)
		return 0;
	p[1] = r->arg;
	p[2] = cfg->public_url;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT acorn_tell(x,"
	    " 'promoted', $3) FROM acorn_keep_end($1::bigint, $2) AS x", 3,
	    p)) == NULL)
		return -1;
	view_setf(v, "done_text", "Those places are no longer kept; %d %s "
	    "promoted from the waiting list.", PQntuples(res),
	    PQntuples(res) == 1 ? "person was" : "people were");
	PQclear(res);
	return 0;
}

/*
 * Keeps a number of a place type's places for chosen groups until a
 * time (the keep form).  Errors go into v; -1 when the database failed.
 */
static int
keep_add(struct request *r, struct view *v)
{
	const char *p[5];
	char until[24], *groups;
	PGresult *res;
	const char *state;

	p[0] = r->form.f[KEY_PLACE].text;
	if (p[0] == NULL || r->form.f[KEY_PLACE].error) {
		/* One type of place is no choice: the form leaves it out. */
		if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT min(id),"
		    " count(*) FROM place_types WHERE event = $1", 1,
		    (const char *[]){ r->arg })) == NULL)
			return -1;
		if (strcmp(PQgetvalue(res, 0, 1), "1") == 0)
			view_set(v, "v_place", PQgetvalue(res, 0, 0));
		else
			view_error(v, "keep_place", "Choose a type of place");
		PQclear(res);
		p[0] = view_get(v, "v_place");
	}
	p[1] = view_field(v, r, KEY_KEPT, "Enter the number of places to "
	    "keep");
	if (p[1] != NULL && atol(p[1]) < 1) {
		view_error(v, "kept", "Keep at least 1 place");
		p[1] = NULL;
	}
	groups = view_codes_array(v, r, KEY_GROUPS, "groups",
	    stakeholder_codes, "Select groups from the list");
	if (groups != NULL && strcmp(groups, "{}") == 0) {
		view_error(v, "groups", "Select the groups to keep places for");
		free(groups);
		groups = NULL;
	}
	p[2] = groups;
	p[3] = view_date(v, r, KEY_UNTIL, 1, "23:59", until, sizeof(until));
	p[4] = r->arg;
	if (view_has(v, "errors") || p[0] == NULL || p[1] == NULL ||
	    p[2] == NULL || p[3] == NULL) {
		free(groups);
		return 0;
	}
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT acorn_keep(pt.id,"
	    " $2::integer, $3::text[], " SQL_FROM_LONDON("$4") ")"
	    " FROM place_types pt WHERE pt.id = $1::bigint AND pt.event = $5",
	    5, p);
	free(groups);
	state = res == NULL ? db_state(r->db) : "";
	if (res == NULL && strcmp(state, "AC008") == 0)
		view_error(v, "kept", "That is more places than there are: "
		    "places kept, for all groups together, can be at most the "
		    "number of places");
	else if (res == NULL && strcmp(state, "AC009") == 0)
		view_error(v, "groups", "Places are already kept for one of "
		    "those groups: stop keeping them first");
	else if (res == NULL && strcmp(state, "AC010") == 0)
		date_error(v, "until", "The date the places are kept until must "
		    "be in the future");
	else if (res == NULL)
		return -1;
	else if (PQntuples(res) != 1)
		view_error(v, "keep_place", "Choose a type of place");
	else {
		view_set(v, "done_text", "Places kept.");
		view_set(v, "v_kept", NULL);
		view_set(v, "v_until_day", NULL);
		view_set(v, "v_until_month", NULL);
		view_set(v, "v_until_year", NULL);
		view_set(v, "v_until_hour", NULL);
		view_set(v, "v_until_minute", NULL);
	}
	PQclear(res);
	return 0;
}

/*
 * GET and POST /events/{id}/places: capacity of each place type, and a
 * new place type.  Lowering a capacity below the places taken is refused;
 * raising it promotes from the waiting list at once.
 */
int
events_places(struct request *r)
{
	struct view *v;
	PGresult *res;
	const char *p[4];
	int answer, any_free;

	if (!event_own(r, &answer))
		return answer;
	if ((v = page_view(r, "Places")) == NULL)
		return http_error(r, 500);
	view_setf(v, "form_action", "/events/%s/places", r->arg);
	view_setf(v, "event_href", "/events/%s", r->arg);
	/* Step 2 of a new event's setting up, while it is a draft. */
	if (event_step(r, v, 2) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	if (r->method == METHOD_POST && (r->form.f[KEY_KEEP].text != NULL ||
	    r->form.f[KEY_KEEP].error)) {
		if (keep_end(r, v) == -1) {
			view_free(v);
			return http_error(r, 503);
		}
	} else if (r->method == METHOD_POST &&
	    r->form.f[KEY_KEEPING].num == 1) {
		if (keep_add(r, v) == -1) {
			view_free(v);
			return http_error(r, 503);
		}
	} else if (r->method == METHOD_POST &&
	    r->form.f[KEY_PLACE].text != NULL) {
		/* A new capacity for one place type. */
		p[0] = r->form.f[KEY_PLACE].text;
		p[1] = view_field(v, r, KEY_CAPACITY, "Enter the number of "
		    "places");
		p[2] = r->arg;
		p[3] = cfg->public_url;
		if (p[1] != NULL) {
			res = db_query(r->db, PGRES_TUPLES_OK,
			    "SELECT acorn_tell(x, 'promoted', $4)"
			    " FROM place_types pt,"
			    " acorn_set_capacity(pt.id, $2::integer) AS x"
			    " WHERE pt.id = $1 AND pt.event = $3", 4, p);
			if (res == NULL && strcmp(db_state(r->db), "AC004") ==
			    0) {
				view_error(v, "capacity", "Some of those places "
				    "are already taken: cancel registrations "
				    "first, or keep the number of places at "
				    "least as high as the places taken");
			} else if (res == NULL && strcmp(db_state(r->db),
			    "AC008") == 0) {
				view_error(v, "capacity", "Some of those places "
				    "are kept for chosen groups: stop keeping "
				    "them first, or keep the number of places "
				    "at least as high as the places kept");
			} else if (res == NULL) {
				view_free(v);
				return http_error(r, 503);
			} else {
				view_setf(v, "done_text", "Places changed; %d "
				    "%s promoted from the waiting list.",
				    PQntuples(res), PQntuples(res) == 1 ?
				    "person was" : "people were");
				PQclear(res);
			}
		}
	} else if (r->method == METHOD_POST) {
		/* A new place type. */
		p[0] = r->arg;
		p[1] = view_field(v, r, KEY_PLACE_NAME, "Enter a name for the "
		    "places, like Online");
		p[2] = view_field(v, r, KEY_CAPACITY, "Enter the number of "
		    "places");
		if (p[1] != NULL && p[2] != NULL) {
			if (db_exec(r->db, "INSERT INTO place_types (event,"
			    " name, capacity, position) SELECT $1, $2, $3,"
			    " coalesce(max(position), 0) + 1 FROM place_types"
			    " WHERE event = $1", 3, p) == -1) {
				if (!db_duplicate(r->db)) {
					view_free(v);
					return http_error(r, 503);
				}
				view_error(v, "place_name", "This event already "
				    "has places with that name");
			} else {
				view_set(v, "done_text", "Places added.");
				view_set(v, "v_place_name", NULL);
				view_set(v, "v_capacity", NULL);
			}
		}
	}
	if (event_places(r, v, r->arg, &any_free) == -1 ||
	    event_keeps(r, v, r->arg) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	view_checkboxes(v, "group_choices", stakeholder_codes,
	    stakeholder_labels, r->method == METHOD_POST &&
	    view_has(v, "errors") ? r->form.f[KEY_GROUPS].text : NULL);
	/* Most events have people in the room: the first type suggested. */
	if (view_has(v, "stepping") && !view_has(v, "has_places") &&
	    r->method != METHOD_POST)
		view_set(v, "v_place_name", "In person");
	return http_page(r, view_has(v, "errors") ? 422 : 200, "places", v);
}

/* What events_edit's update returns: whether the time or place moved. */
enum { ED_CHANGED };

/*
 * GET and POST /events/{id}/edit: one page with both parts of the form,
 * for an event already set up (a coordinator putting one thing right
 * finds it at once; its places and questions have their own pages).  A
 * new time or place is a change people must hear about: everyone with a
 * place or on the waiting list is told, in the transaction that makes it.
 */
int
events_edit(struct request *r)
{
	struct event_form f;
	struct view *v;
	PGresult *res;
	const char *p[14], *q[2];
	int answer, missing, changed;

	if (!event_own(r, &answer))
		return answer;
	if ((res = event_fetch(r, &missing)) == NULL)
		return event_missing(r, missing);
	if ((v = page_view(r, "Edit event")) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	event_form_view(v, FORM_WHAT | FORM_SETTINGS);
	view_setf(v, "form_action", "/events/%s/edit", r->arg);
	view_setf(v, "event_href", "/events/%s", r->arg);
	view_set(v, "heading", "Edit event");
	view_set(v, "button", "Save changes");
	if (r->method != METHOD_POST) {
		event_form_fill(v, res);
		PQclear(res);
		return http_page(r, 200, "event_form", v);
	}
	PQclear(res);
	memset(&f, 0, sizeof(f));
	event_what_read(r, v, &f);
	event_settings_read(r, v, &f, f.starts);
	if (view_has(v, "errors"))
		return http_page(r, 422, "event_form", v);
	view_free(v);
	p[0] = f.title;
	p[1] = f.kind;
	p[2] = f.description;
	p[3] = f.starts;
	p[4] = f.ends;
	p[5] = f.venue;
	p[6] = f.address;
	p[7] = f.online_url;
	p[8] = r->arg;
	p[9] = node_id;
	p[10] = f.organiser;
	p[11] = f.organiser_email;
	p[12] = f.opens;
	p[13] = f.closes;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK, "UPDATE events e SET"
	    " title = $1, kind = $2, description = $3,"
	    " starts = " SQL_FROM_LONDON("$4") ","
	    " ends = " SQL_FROM_LONDON("$5") ","
	    " venue = $6, address = $7, online_url = $8, organiser = $11,"
	    " organiser_email = $12, reg_opens = " SQL_FROM_LONDON("$13") ","
	    " reg_closes = " SQL_FROM_LONDON("$14") ", updated = now()"
	    " FROM (SELECT starts, ends, venue, address, online_url"
	    "  FROM events WHERE id = $9) AS old"
	    " WHERE e.id = $9 AND e.origin = $10 AND NOT e.deleted"
	    " RETURNING (old.starts, old.ends, old.venue, old.address,"
	    "  old.online_url) IS DISTINCT FROM (e.starts, e.ends, e.venue,"
	    "  e.address, e.online_url)", 14, p);
	if (res == NULL)
		goto fail;
	changed = PQntuples(res) == 1 &&
	    *PQgetvalue(res, 0, ED_CHANGED) == 't';
	PQclear(res);
	if (event_save_accept_remote(r, r->arg, f.accept) == -1)
		goto fail;
	q[0] = r->arg;
	q[1] = cfg->public_url;
	if (changed) {
		if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT acorn_tell(id,"
		    " 'event_changed', $2) FROM registrations WHERE event = $1"
		    " AND status IN ('confirmed', 'waiting')", 2, q)) == NULL)
			goto fail;
		PQclear(res);
	}
	if (audit_commit(r->db, r->account->id, "event_edit", r->arg) == -1)
		goto fail;
	return back_to_event(r, "?saved=yes");
fail:
	db_rollback(r->db);
	return http_error(r, 503);
}

/* The columns of events_cancel's count of the people to tell. */
enum { EC_CONFIRMED, EC_WAITING };

/*
 * GET and POST /events/{id}/cancel: asks first, saying how many people
 * will be told; then cancels every registration and tells each of them.
 */
int
events_cancel(struct request *r)
{
	struct view *v;
	PGresult *res;
	const char *p[2], *confirmed, *waiting;
	int answer, missing;

	if (!event_own(r, &answer))
		return answer;
	if ((res = event_fetch(r, &missing)) == NULL)
		return event_missing(r, missing);
	if ((v = page_view(r, "Cancel event")) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	view_set(v, "event_title", PQgetvalue(res, 0, E_TITLE));
	view_set(v, "starts", PQgetvalue(res, 0, E_STARTS));
	view_setf(v, "event_href", "/events/%s", r->arg);
	view_setf(v, "form_action", "/events/%s/cancel", r->arg);
	view_flag(v, "cancelled", strcmp(PQgetvalue(res, 0, E_STATUS),
	    "cancelled") == 0);
	PQclear(res);
	p[0] = r->arg;
	p[1] = cfg->public_url;
	if (r->method == METHOD_POST && r->form.f[KEY_CONFIRM].num == 1) {
		view_free(v);
		if (db_begin(r->db) == -1)
			return http_error(r, 503);
		res = db_query(r->db, PGRES_TUPLES_OK, "SELECT acorn_tell(x,"
		    " 'event_cancelled', $2) FROM acorn_cancel_event($1) AS x",
		    2, p);
		if (res == NULL)
			return http_error(r, 503);
		PQclear(res);
		if (audit_commit(r->db, r->account->id, "event_cancel",
		    r->arg) == -1)
			return http_error(r, 503);
		return back_to_event(r, "");
	}
	if (r->method == METHOD_POST)
		view_error(v, "confirm", "Tick the box to confirm that the "
		    "event is cancelled");
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT count(*) FILTER"
	    " (WHERE status = 'confirmed'), count(*) FILTER"
	    " (WHERE status = 'waiting') FROM registrations WHERE event = $1",
	    1, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	confirmed = PQgetvalue(res, 0, EC_CONFIRMED);
	waiting = PQgetvalue(res, 0, EC_WAITING);
	view_setf(v, "told_text", "%s %s a place and %s %s on the waiting "
	    "list. Each of them will get an email saying the event is "
	    "cancelled.", confirmed, strcmp(confirmed, "1") == 0 ?
	    "person has" : "people have", waiting, strcmp(waiting, "1") == 0 ?
	    "is" : "are");
	PQclear(res);
	return http_page(r, view_has(v, "errors") ? 422 : 200,
	    "event_cancel", v);
}

/* The registration form an event page shows, read back ------------- */

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
		id = PQgetvalue(res, i, QA_ID);
		kind = PQgetvalue(res, i, QA_KIND);
		label = PQgetvalue(res, i, QA_LABEL);
		a = form_answer_get(&r->form, atol(id));
		if (a != NULL && a->error) {
			snprintf(msg, sizeof(msg), a->error == FIELD_TOO_LONG ?
			    "Your answer to \u201c%s\u201d must be 2,000 "
			    "characters or fewer" : "Your answer to \u201c%s\u201d "
			    "contains characters that cannot be used", label);
			answer_error(v, id, "", msg);
		} else if (a == NULL || a->text[0] == '\0') {
			if (*PQgetvalue(res, i, QA_REQUIRED) != 't')
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
		    !util_line_of(db_value(res, i, QA_CHOICES), a->text))) {
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
		    "Choose a type of place, then try again.", back,
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


/*
 * The events a search ($1) finds, for search.c: coming ones first, then
 * past ones, best first within each; drafts only for this node's
 * coordinators ($2 true), as on /events.
 */
const char events_search_sql[] =
    "SELECT e.id, e.title, " SQL_LONDON("e.starts", LONDON_WHEN) ","
    " e.region, e.status, e.ends < now()"
    " FROM events e WHERE NOT e.deleted"
    " AND (e.status <> 'draft' OR ($2 AND e.origin = (SELECT id FROM node)))"
    " AND e.search @@ acorn_prefix_query($1)"
    " ORDER BY e.ends < now(), ts_rank(e.search, acorn_prefix_query($1))"
    " DESC, e.starts LIMIT 50";

enum { ESR_ID, ESR_TITLE, ESR_STARTS, ESR_REGION, ESR_STATUS, ESR_PAST };

void
events_search_row(struct view *s, PGresult *res, int i)
{
	const char *status = PQgetvalue(res, i, ESR_STATUS);

	view_setf(s, "href", "/events/%s", PQgetvalue(res, i, ESR_ID));
	view_set(s, "result_title", PQgetvalue(res, i, ESR_TITLE));
	view_setf(s, "meta", "%s%s. %s",
	    strcmp(status, "draft") == 0 ? "Draft: " :
	    strcmp(status, "cancelled") == 0 ? "Cancelled: " :
	    *PQgetvalue(res, i, ESR_PAST) == 't' ? "Past: " : "",
	    PQgetvalue(res, i, ESR_STARTS), PQgetvalue(res, i, ESR_REGION));
}
