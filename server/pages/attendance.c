/*
 * Attendance: checking people in at the door on a phone, and the
 * spreadsheet of registrations a coordinator downloads.  Both read what
 * registrations.c writes; check-in only ever sets or clears
 * registrations.attended, and only for people who hold a place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "web.h"
#include "pages.h"

#define CHECKIN_SHOWN	100	/* people listed at once; a search narrows */

/*
 * The title of the event the path names, when this node hosts it (only
 * the host holds its registrations).  NULL with *answer sent otherwise.
 */
static char *
local_event(struct request *r, int *answer)
{
	const char *p[1];
	PGresult *res;
	char *title = NULL;

	if (!event_own(r, answer))
		return NULL;
	p[0] = r->arg;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT title FROM events"
	    " WHERE id = $1", 1, p)) == NULL) {
		*answer = http_error(r, 503);
		return NULL;
	}
	if (PQntuples(res) != 1)
		*answer = http_error(r, 404);
	else if ((title = util_strdup(PQgetvalue(res, 0, DB_ONLY))) == NULL)
		*answer = http_error(r, 500);
	PQclear(res);
	return title;
}

static const char *
status_label(const char *status)
{
	if (strcmp(status, "confirmed") == 0)
		return "Confirmed";
	if (strcmp(status, "waiting") == 0)
		return "Waiting list";
	if (strcmp(status, "unconfirmed") == 0)
		return "Email not confirmed";
	return "Cancelled";
}

/* Check-in ------------------------------------------------------------ */

/* The address of the check-in page for a search, with what was done. */
static char *
checkin_href(struct request *r, const char *q, const char *done,
    const char *ref)
{
	char *eq, *href;

	if ((eq = util_url_encode(q != NULL ? q : "")) == NULL)
		return NULL;
	href = util_printf("/events/%.36s/checkin?%s%s%sdone=%s&id=%s",
	    r->arg, *eq != '\0' ? "q=" : "", eq, *eq != '\0' ? "&" : "", done,
	    ref);
	free(eq);
	return href;
}

/* The columns of checkin_done's query. */
enum { CD_NAME, CD_AT };

/* "Marked Jane Smith as attended", after the redirect that follows. */
static int
checkin_done(struct request *r, struct view *v)
{
	const char *done = r->form.f[KEY_DONE].text, *p[2];
	PGresult *res;
	const char *name, *at;

	if (done == NULL || r->form.f[KEY_ID].text == NULL)
		return 0;
	p[0] = r->form.f[KEY_ID].text;
	p[1] = r->arg;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT name, "
	    SQL_LONDON("attended", LONDON_TIME)
	    " FROM registrations WHERE ref = $1 AND event = $2", 2, p)) ==
	    NULL)
		return -1;
	if (PQntuples(res) == 1) {
		name = PQgetvalue(res, 0, CD_NAME);
		at = db_value(res, 0, CD_AT);
		if (strcmp(done, "in") == 0)
			view_setf(v, "done_text", "Marked %s as attended", name);
		else if (strcmp(done, "already") == 0)
			view_setf(v, "done_text", "%s was already marked as "
			    "attended%s%s", name, at != NULL ? " at " : "",
			    at != NULL ? at : "");
		else if (strcmp(done, "undone") == 0)
			view_setf(v, "done_text", "%s is no longer marked as "
			    "attended", name);
	}
	PQclear(res);
	return 0;
}

/* The columns of checkin_count's query: registrations, then places. */
enum { CC_IN, CC_ALL, CC_PLACES_IN, CC_PLACES_ALL };

/* "42 of 180 checked in", counting people booked as a group too. */
static int
checkin_count(struct request *r, struct view *v)
{
	const char *p[1] = { r->arg };
	PGresult *res;
	long in, all, pin, pall;

	if ((res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT count(*) FILTER (WHERE attended IS NOT NULL), count(*),"
	    " coalesce(sum(places) FILTER (WHERE attended IS NOT NULL), 0),"
	    " coalesce(sum(places), 0)"
	    " FROM registrations WHERE event = $1 AND status = 'confirmed'",
	    1, p)) == NULL)
		return -1;
	in = strtol(PQgetvalue(res, 0, CC_IN), NULL, 10);
	all = strtol(PQgetvalue(res, 0, CC_ALL), NULL, 10);
	pin = strtol(PQgetvalue(res, 0, CC_PLACES_IN), NULL, 10);
	pall = strtol(PQgetvalue(res, 0, CC_PLACES_ALL), NULL, 10);
	PQclear(res);
	view_setf(v, "count_text", "%ld of %ld checked in", in, all);
	if (pall != all)
		view_setf(v, "places_count_text", "Counting everyone booked "
		    "in a group: %ld of %ld places", pin, pall);
	return 0;
}

/* The columns of checkin_people's query. */
enum {
	CP_REF, CP_NAME, CP_ORGANISATION, CP_PLACE, CP_PLACES, CP_ROLE,
	CP_ATTENDED, CP_AT, CP_TOTAL, CP_HOME
};

/* The people with a place whose name or organisation match q. */
static int
checkin_people(struct request *r, struct view *v, const char *q)
{
	const char *p[3];
	char limit[16];
	PGresult *res;
	struct view *m;
	long total = 0;
	int i, n;

	snprintf(limit, sizeof(limit), "%d", CHECKIN_SHOWN);
	p[0] = r->arg;
	p[1] = q;
	p[2] = limit;
	if ((res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT r.ref, r.name, r.organisation, pt.name, r.places, r.role,"
	    " r.attended IS NOT NULL,"
	    " CASE WHEN " SQL_LONDON_DATE("r.attended") " ="
	    "  " SQL_LONDON_DATE("now()")
	    " THEN " SQL_LONDON("r.attended", LONDON_TIME)
	    " ELSE " SQL_LONDON("r.attended", LONDON_TIME_ON_DAY) " END,"
	    " count(*) OVER (),"
	    " (SELECT region FROM known_nodes WHERE id = r.home)"
	    " FROM registrations r"
	    " LEFT JOIN place_types pt ON pt.id = r.place_type"
	    " WHERE r.event = $1 AND r.status = 'confirmed'"
	    " AND acorn_matches(r.name || ' ' || coalesce(r.organisation, ''),"
	    " $2)"
	    " ORDER BY acorn_fold(r.name), r.name, r.id LIMIT $3::integer",
	    3, p)) == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		const char *name = PQgetvalue(res, i, CP_NAME);
		const char *places = PQgetvalue(res, i, CP_PLACES);
		const char *role = PQgetvalue(res, i, CP_ROLE);

		total = strtol(PQgetvalue(res, i, CP_TOTAL), NULL, 10);
		if ((m = view_add(v, "people")) == NULL)
			break;
		view_set(m, "ref", PQgetvalue(res, i, CP_REF));
		view_setf(m, "card_id", "p-%s", PQgetvalue(res, i, CP_REF));
		view_set(m, "name", name);
		view_set(m, "organisation", db_value(res, i, CP_ORGANISATION));
		if (!PQgetisnull(res, i, CP_HOME))
			view_setf(m, "home", "From %s",
			    PQgetvalue(res, i, CP_HOME));
		view_set(m, "place", db_value(res, i, CP_PLACE) != NULL ?
		    PQgetvalue(res, i, CP_PLACE) : role_label(role));
		view_setf(m, "places_text", "%s %s", places,
		    strcmp(places, "1") == 0 ? "place" : "places");
		view_flag(m, "group", strcmp(places, "1") != 0);
		if (strcmp(role, "attendee") != 0)
			view_set(m, "role_text", role_label(role));
		view_flag(m, "attended",
		    *PQgetvalue(res, i, CP_ATTENDED) == 't');
		view_set(m, "attended_at", db_value(res, i, CP_AT));
		/* Spoken names start with the words on the buttons. */
		view_setf(m, "mark_label", "Mark attended: %s", name);
		view_setf(m, "undo_label", "Undo check-in for %s", name);
	}
	PQclear(res);
	if (*q == '\0' && n == 0)
		view_set(v, "result_text", "Nobody has a place at this event "
		    "yet.");
	else if (n == 0)
		view_setf(v, "result_text", "Nobody with a place matches "
		    "\u201c%s\u201d. Try part of the name or the organisation. "
		    "People on the waiting list are not shown here.", q);
	else if (total > n)
		view_setf(v, "result_text", "Showing the first %d of %ld, by "
		    "name. Type more of the name to narrow the list.", n,
		    total);
	else if (*q == '\0')
		view_setf(v, "result_text", "%ld %s with a place, by name",
		    total, total == 1 ? "person" : "people");
	else
		view_setf(v, "result_text", "%ld found for \u201c%s\u201d",
		    total, q);
	return 0;
}

/*
 * The check-in page for the search in the request.  problem, when given,
 * is why the last button press changed nothing.
 */
static int
checkin_page(struct request *r, unsigned int status, const char *problem)
{
	struct view *v;
	const char *q;
	char *title;
	int answer;

	if ((title = local_event(r, &answer)) == NULL)
		return answer;
	if ((v = page_view(r, "Check-in")) == NULL) {
		free(title);
		return http_error(r, 500);
	}
	view_set(v, "event_title", title);
	free(title);
	view_setf(v, "attendees_href", "/events/%s/attendees", r->arg);
	view_setf(v, "search_action", "/events/%s/checkin", r->arg);
	view_setf(v, "mark_action", "/events/%s/checkin", r->arg);
	view_setf(v, "undo_action", "/events/%s/checkin/undo", r->arg);
	if ((q = view_field(v, r, KEY_Q, NULL)) == NULL)
		q = "";
	if (r->form.f[KEY_Q].error && status == 200)
		status = 422;
	if (problem != NULL)
		view_error(v, "q", problem);
	else if (checkin_done(r, v) == -1)
		goto fail;
	if (checkin_count(r, v) == -1 || checkin_people(r, v, q) == -1 ||
	    event_mix(r, v, r->arg) == -1)
		goto fail;
	return http_page(r, status, "checkin", v);
fail:
	view_free(v);
	return http_error(r, 503);
}

/* The columns of checkin_mark's query. */
enum { CM_STATUS, CM_NAME, CM_MARKED };

/*
 * Marks a person as attended.  Only a registration holding a place can
 * be marked; marking again keeps the first time.  The status is checked
 * on the row being updated, so a cancellation at the same moment wins.
 */
static int
checkin_mark(struct request *r)
{
	const char *ref = r->form.f[KEY_ID].text, *p[3], *status;
	char *to, *why;
	PGresult *res;
	int marked, rc;

	if (ref == NULL)
		return checkin_page(r, 422, "Choose a person from the list");
	p[0] = ref;
	p[1] = r->arg;
	p[2] = node_id;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "WITH g AS (SELECT r.id, r.status, r.name FROM registrations r"
	    "  JOIN events e ON e.id = r.event"
	    "  WHERE r.ref = $1 AND r.event = $2 AND e.origin = $3),"
	    " u AS (UPDATE registrations x SET attended = now() FROM g"
	    "  WHERE x.id = g.id AND x.status = 'confirmed'"
	    "  AND x.attended IS NULL RETURNING x.id)"
	    " SELECT g.status, g.name, (SELECT count(*) FROM u) FROM g", 3, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		db_rollback(r->db);
		return checkin_page(r, 404, "That person is not registered for "
		    "this event");
	}
	status = PQgetvalue(res, 0, CM_STATUS);
	if (strcmp(status, "confirmed") != 0) {
		db_rollback(r->db);
		why = util_printf("%s %s, so cannot be marked as attended",
		    PQgetvalue(res, 0, CM_NAME), strcmp(status, "waiting") ==
		    0 ? "is on the waiting list" : strcmp(status,
		    "unconfirmed") == 0 ? "has not confirmed their email "
		    "address" : "has cancelled their registration");
		PQclear(res);
		if (why == NULL)
			return http_error(r, 500);
		rc = checkin_page(r, 409, why);
		free(why);
		return rc;
	}
	marked = strcmp(PQgetvalue(res, 0, CM_MARKED), "1") == 0;
	PQclear(res);
	if (!marked)
		db_rollback(r->db);
	else if (audit_commit(r->db, r->account->id, "checkin", ref) == -1)
		return http_error(r, 503);
	if ((to = checkin_href(r, r->form.f[KEY_Q].text, marked ? "in" :
	    "already", ref)) == NULL)
		return http_error(r, 500);
	rc = http_redirect(r, to);
	free(to);
	return rc;
}

/* GET /events/{id}/checkin: the page; POST: mark someone as attended. */
int
attendance_checkin(struct request *r)
{
	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	if (r->method == METHOD_POST)
		return checkin_mark(r);
	return checkin_page(r, 200, NULL);
}

/* POST /events/{id}/checkin/undo: a mistaken check-in taken back. */
int
attendance_checkin_undo(struct request *r)
{
	const char *ref = r->form.f[KEY_ID].text, *p[3];
	PGresult *res;
	char *to;
	int n, rc;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	if (ref == NULL)
		return checkin_page(r, 422, "Choose a person from the list");
	p[0] = ref;
	p[1] = r->arg;
	p[2] = node_id;
	if (db_begin(r->db) == -1 || (res = db_query(r->db, PGRES_TUPLES_OK,
	    "UPDATE registrations x SET attended = NULL FROM events e"
	    " WHERE x.ref = $1 AND x.event = $2 AND e.id = x.event"
	    " AND e.origin = $3 RETURNING x.id", 3, p)) == NULL)
		return http_error(r, 503);
	n = PQntuples(res);
	PQclear(res);
	if (n != 1) {
		db_rollback(r->db);
		return checkin_page(r, 404, "That person is not registered for "
		    "this event");
	}
	if (audit_commit(r->db, r->account->id, "checkin_undo", ref) == -1)
		return http_error(r, 503);
	if ((to = checkin_href(r, r->form.f[KEY_Q].text, "undone", ref)) ==
	    NULL)
		return http_error(r, 500);
	rc = http_redirect(r, to);
	free(to);
	return rc;
}

/* Export --------------------------------------------------------------- */

/* The columns every event offers, in the order they are written. */
enum {
	C_NAME, C_EMAIL, C_ORGANISATION, C_PLACE, C_PLACES, C_ROLE, C_STATUS,
	C_REGISTERED, C_POSITION, C_ATTENDED, C_PUBLIC, C_HOME, C__MAX
};

static const struct column {
	const char	*code;	/* the value of col=... */
	const char	*label;	/* the header, and the box's label */
	int		 ticked;	/* offered ticked */
} columns[C__MAX] = {
	[C_NAME] = { "name", "Name", 1 },
	[C_EMAIL] = { "email", "Email", 1 },
	[C_ORGANISATION] = { "organisation", "Organisation", 1 },
	[C_PLACE] = { "place", "Place type", 1 },
	[C_PLACES] = { "places", "Places", 1 },
	[C_ROLE] = { "role", "Role", 0 },
	[C_STATUS] = { "status", "Status", 0 },
	[C_REGISTERED] = { "registered", "Registered at", 0 },
	[C_POSITION] = { "position", "Waiting list position", 0 },
	[C_ATTENDED] = { "attended", "Attended at", 0 },
	[C_PUBLIC] = { "public", "Public listing consent", 0 },
	[C_HOME] = { "home", "Home region", 1 },
};

/* Who goes in the file; the filter itself is in the export's SQL. */
static const struct which {
	const char	*code;
	const char	*label;
	const char	*file;	/* the end of the file name */
} whiches[] = {
	{ "confirmed", "People with a place, by name", "attendees" },
	{ "waiting", "The waiting list, in order", "waiting-list" },
	{ "all", "Everyone except cancellations: places first, then the "
	    "waiting list", "registrations" },
};
#define NWHICH	(sizeof(whiches) / sizeof(whiches[0]))

/* The columns of choice->questions, as choice_read selects them. */
enum { CQ_ID, CQ_LABEL };

/* What a coordinator asked for, read from the form and checked. */
struct choice {
	int		 fixed[C__MAX];
	PGresult	*questions;	/* the event's, in order: CQ_* */
	int		*asked;		/* per question: chosen */
	int		 nquestions;
	int		 ncols;
	const struct which *which;
	int		 bad_cols;	/* a column not offered, or a bad value */
};

static void
choice_free(struct choice *c)
{
	PQclear(c->questions);
	free(c->asked);
}

/*
 * Reads the event's questions and, when from_form, the columns and the
 * people chosen; otherwise the columns offered ticked.  -1 when the
 * database failed.
 */
static int
choice_read(struct request *r, struct choice *c, int from_form)
{
	const char *p[1] = { r->arg }, *w;
	char *words, *word, *save;
	size_t i;
	int k, found;

	memset(c, 0, sizeof(*c));
	if ((c->questions = db_query(r->db, PGRES_TUPLES_OK, "SELECT id, label"
	    " FROM questions WHERE event = $1 ORDER BY position, id", 1, p)) ==
	    NULL)
		return -1;
	c->nquestions = PQntuples(c->questions);
	if ((c->asked = calloc((size_t)c->nquestions + 1, sizeof(int))) ==
	    NULL) {
		choice_free(c);
		return -1;
	}
	if (!from_form) {
		for (i = 0; i < C__MAX; i++)
			c->fixed[i] = columns[i].ticked;
		c->which = &whiches[0];
		return 0;
	}
	for (i = 0, w = r->form.f[KEY_WHICH].text; w != NULL && i < NWHICH;
	    i++)
		if (strcmp(w, whiches[i].code) == 0)
			c->which = &whiches[i];
	c->bad_cols = r->form.f[KEY_COL].error != 0;
	if (r->form.f[KEY_COL].text == NULL)
		return 0;
	if ((words = util_strdup(r->form.f[KEY_COL].text)) == NULL) {
		choice_free(c);
		return -1;
	}
	for (word = strtok_r(words, " ", &save); word != NULL;
	    word = strtok_r(NULL, " ", &save)) {
		found = 0;
		for (i = 0; i < C__MAX; i++)
			if (strcmp(word, columns[i].code) == 0)
				c->fixed[i] = found = 1;
		for (k = 0; k < c->nquestions && !found; k++)
			if (word[0] == 'q' && strcmp(word + 1,
			    PQgetvalue(c->questions, k, CQ_ID)) == 0)
				c->asked[k] = found = 1;
		if (!found)
			c->bad_cols = 1;
	}
	free(words);
	for (i = 0; i < C__MAX; i++)
		c->ncols += c->fixed[i];
	for (k = 0; k < c->nquestions; k++)
		c->ncols += c->asked[k];
	return 0;
}

/* The form: columns to tick, and whom to include. */
static int
export_page(struct request *r, unsigned int status, const char *title,
    const struct choice *c)
{
	struct view *v, *item;
	size_t i;
	int k;

	if ((v = page_view(r, "Download a spreadsheet")) == NULL)
		return http_error(r, 500);
	view_set(v, "event_title", title);
	view_setf(v, "attendees_href", "/events/%s/attendees", r->arg);
	view_setf(v, "csv_action", "/events/%s/export.csv", r->arg);
	if (c->bad_cols)
		view_error(v, "col", "Choose columns from the list; the "
		    "event's questions may have changed since the page was "
		    "opened");
	else if (c->ncols == 0 && status != 200)
		view_error(v, "col", "Choose at least one column");
	if (c->which == NULL)
		view_error(v, "which", "Choose who to include");
	for (i = 0; i < C__MAX; i++) {
		if ((item = view_add(v, "columns")) == NULL)
			break;
		view_set(item, "code", columns[i].code);
		view_set(item, "label", columns[i].label);
		if (i == 0)
			view_set(item, "input_id", "col");
		else
			view_setf(item, "input_id", "col-%s", columns[i].code);
		view_flag(item, "on", c->fixed[i]);
	}
	for (k = 0; k < c->nquestions; k++) {
		if ((item = view_add(v, "questions")) == NULL)
			break;
		view_setf(item, "code", "q%s", PQgetvalue(c->questions, k,
		    CQ_ID));
		view_set(item, "label", PQgetvalue(c->questions, k, CQ_LABEL));
		view_setf(item, "input_id", "col-q%s",
		    PQgetvalue(c->questions, k, CQ_ID));
		view_flag(item, "on", c->asked[k]);
	}
	for (i = 0; i < NWHICH; i++) {
		if ((item = view_add(v, "whiches")) == NULL)
			break;
		view_set(item, "code", whiches[i].code);
		view_set(item, "label", whiches[i].label);
		if (i == 0)
			view_set(item, "input_id", "which");
		else
			view_setf(item, "input_id", "which-%s",
			    whiches[i].code);
		view_flag(item, "on", c->which == &whiches[i]);
	}
	return http_page(r, status, "export", v);
}

/* GET /events/{id}/export: the form. */
int
attendance_export(struct request *r)
{
	struct choice c;
	int answer;
	char *title;
	int rc;

	if ((title = local_event(r, &answer)) == NULL)
		return answer;
	if (choice_read(r, &c, 0) == -1) {
		free(title);
		return http_error(r, 503);
	}
	rc = export_page(r, 200, title, &c);
	choice_free(&c);
	free(title);
	return rc;
}

/* The export's columns, in enum order, then the registration and answer. */
static const char export_sql[] =
    "WITH reg AS (SELECT r.*, acorn_waiting_position(r.id) AS pos"
    "  FROM registrations r JOIN events e ON e.id = r.event"
    "  WHERE r.event = $1 AND e.origin = $2 AND CASE $3"
    "  WHEN 'confirmed' THEN r.status = 'confirmed'"
    "  WHEN 'waiting' THEN r.status = 'waiting'"
    "  ELSE r.status <> 'cancelled' END)"
    " SELECT reg.name, reg.email, reg.organisation, pt.name, reg.places,"
    " reg.role, reg.status, " SQL_LONDON("reg.created", LONDON_ISO) ", reg.pos,"
    " " SQL_LONDON("reg.attended", LONDON_ISO) ", reg.public,"
    " (SELECT region FROM known_nodes WHERE id = coalesce(reg.home, $2)),"
    " reg.id, a.value"
    " FROM reg LEFT JOIN place_types pt ON pt.id = reg.place_type"
    " LEFT JOIN LATERAL unnest($4::bigint[]) WITH ORDINALITY AS q (id, n)"
    "  ON true"
    " LEFT JOIN answers a ON a.registration = reg.id AND a.question = q.id"
    " ORDER BY CASE reg.status WHEN 'confirmed' THEN 0"
    "  WHEN 'waiting' THEN 1 ELSE 2 END,"
    " CASE WHEN reg.status = 'waiting' THEN reg.pos END,"
    " CASE WHEN reg.status = 'waiting' THEN reg.arrival END,"
    " acorn_fold(reg.name), reg.name, reg.id, q.n";

enum { X_ID = C__MAX, X_ANSWER };

/* One registration's own columns, as chosen. */
static void
export_fixed(struct csv *f, const struct choice *c, PGresult *res, int i)
{
	int k;

	for (k = 0; k < C__MAX; k++) {
		if (!c->fixed[k])
			continue;
		if (k == C_ROLE)
			csv_cell(f, role_label(PQgetvalue(res, i, k)));
		else if (k == C_STATUS)
			csv_cell(f, status_label(PQgetvalue(res, i, k)));
		else if (k == C_PUBLIC)
			csv_cell(f, *PQgetvalue(res, i, k) == 't' ? "Yes" :
			    "No");
		else
			csv_cell(f, db_value(res, i, k));
	}
}

/* The chosen questions' ids as a PostgreSQL array literal. */
static char *
export_question_ids(const struct choice *c)
{
	char *ids, *grown;
	size_t len = 1;
	int k;

	if ((ids = util_strdup("{")) == NULL)
		return NULL;
	for (k = 0; k < c->nquestions; k++) {
		const char *id = PQgetvalue(c->questions, k, CQ_ID);

		if (!c->asked[k])
			continue;
		if ((grown = realloc(ids, len + strlen(id) + 3)) == NULL) {
			free(ids);
			return NULL;
		}
		ids = grown;
		len += (size_t)snprintf(ids + len, strlen(id) + 3, "%s%s",
		    len > 1 ? "," : "", id);
	}
	if ((grown = realloc(ids, len + 2)) == NULL) {
		free(ids);
		return NULL;
	}
	memcpy(grown + len, "}", 2);
	return grown;
}

/* Writes the file: a header row, then one row per registration. */
static char *
export_csv(struct request *r, const struct choice *c, size_t *len)
{
	const char *p[4];
	char *ids, *prev = NULL;
	PGresult *res;
	struct csv *f;
	int i, k, n, asked = 0;

	if ((ids = export_question_ids(c)) == NULL)
		return NULL;
	p[0] = r->arg;
	p[1] = node_id;
	p[2] = c->which->code;
	p[3] = ids;
	res = db_query(r->db, PGRES_TUPLES_OK, export_sql, 4, p);
	free(ids);
	if (res == NULL)
		return NULL;
	if ((f = csv_new()) == NULL) {
		PQclear(res);
		return NULL;
	}
	for (k = 0; k < C__MAX; k++)
		if (c->fixed[k])
			csv_cell(f, columns[k].label);
	for (k = 0; k < c->nquestions; k++)
		if (c->asked[k]) {
			csv_cell(f, PQgetvalue(c->questions, k, CQ_LABEL));
			asked++;
		}
	csv_row(f);
	/* One row per registration and chosen question, in order. */
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if (prev == NULL || strcmp(prev, PQgetvalue(res, i, X_ID)) !=
		    0) {
			if (prev != NULL)
				csv_row(f);
			export_fixed(f, c, res, i);
			prev = PQgetvalue(res, i, X_ID);
		}
		if (asked > 0)
			csv_cell(f, db_value(res, i, X_ANSWER));
	}
	if (prev != NULL)
		csv_row(f);
	PQclear(res);
	return csv_finish(f, len);
}

/* GET /events/{id}/export.csv: the file, or the form saying what is wrong. */
int
attendance_export_csv(struct request *r)
{
	struct MHD_Response *resp;
	struct choice c;
	int answer;
	char *title, *body, name[128], *disposition;
	size_t len;
	int rc;

	if ((title = local_event(r, &answer)) == NULL)
		return answer;
	if (choice_read(r, &c, 1) == -1) {
		free(title);
		return http_error(r, 503);
	}
	if (c.bad_cols || c.ncols == 0 || c.which == NULL) {
		rc = export_page(r, 422, title, &c);
		goto out;
	}
	if ((body = export_csv(r, &c, &len)) == NULL) {
		rc = http_error(r, 503);
		goto out;
	}
	http_csv_name(title, c.which->file, name, sizeof(name));
	if ((disposition = util_printf("attachment; filename=\"%s\"",
	    name)) == NULL) {
		free(body);
		rc = http_error(r, 500);
		goto out;
	}
	/* Personal data leaves only once its leaving is recorded. */
	if (audit(r->db, r->account->id, "export", r->arg) == -1) {
		free(body);
		free(disposition);
		rc = http_error(r, 503);
		goto out;
	}
	resp = MHD_create_response_from_buffer(len, body,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		free(disposition);
		rc = MHD_NO;
		goto out;
	}
	MHD_add_response_header(resp, "Content-Disposition", disposition);
	free(disposition);
	MHD_add_response_header(resp, "Content-Type",
	    "text/csv; charset=utf-8; header=present");
	/* Personal data: never kept by a browser or a proxy. */
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	rc = http_queue(r, 200, resp);
out:
	choice_free(&c);
	free(title);
	return rc;
}

/* The attendee list --------------------------------------------------- */

/* The columns of attendees_page's query for the people. */
enum {
	AT_REF, AT_NAME, AT_ORGANISATION, AT_EMAIL, AT_PLACE, AT_PLACES,
	AT_STATUS, AT_POSITION, AT_ROLE, AT_CREATED, AT_FITS, AT_HOME
};

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
	view_set(v, "event_title", PQgetvalue(res, 0, E_TITLE));
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
	    " " SQL_LONDON("r.created", LONDON_SHORT) ","
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
		int w = strcmp(PQgetvalue(res, i, AT_STATUS), "waiting") == 0;
		int t = strcmp(PQgetvalue(res, i, AT_ROLE), "attendee") != 0;

		if ((a = view_add(v, w ? "waiting" : t ? "team" :
		    "confirmed")) == NULL)
			break;
		view_set(a, "ref", PQgetvalue(res, i, AT_REF));
		view_set(a, "name", PQgetvalue(res, i, AT_NAME));
		view_set(a, "organisation", db_value(res, i, AT_ORGANISATION));
		view_set(a, "email", PQgetvalue(res, i, AT_EMAIL));
		view_set(a, "place", db_value(res, i, AT_PLACE));
		view_set(a, "places", PQgetvalue(res, i, AT_PLACES));
		view_set(a, "position", db_value(res, i, AT_POSITION));
		view_set(a, "role", PQgetvalue(res, i, AT_ROLE));
		view_set(a, "created", PQgetvalue(res, i, AT_CREATED));
		view_flag(a, "fits", *PQgetvalue(res, i, AT_FITS) == 't');
		if (!PQgetisnull(res, i, AT_HOME))
			view_setf(a, "home", "From %s",
			    PQgetvalue(res, i, AT_HOME));
		view_setf(a, "promote_label", "Give %s a place",
		    PQgetvalue(res, i, AT_NAME));
		view_setf(a, "unregister_label", "Cancel the registration of %s",
		    PQgetvalue(res, i, AT_NAME));
		view_setf(a, "unregister_href", "/events/%s/unregister?id=%s",
		    r->arg, PQgetvalue(res, i, AT_REF));
		view_set(a, "role_label", role_label(PQgetvalue(res, i,
		    AT_ROLE)));
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
	if (event_mix(r, v, r->arg) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	return http_page(r, status, "attendees", v);
}

/* GET /events/{id}/attendees */
int
attendance_list(struct request *r)
{
	int answer;

	if (!event_own(r, &answer))
		return answer;
	return attendees_page(r, NULL, 200);
}

/*
 * POST /events/{id}/people: an organiser, speaker or helper, who comes
 * without using a place.  They are told by email.  The row is the
 * account's whose address was typed only once that address is
 * confirmed: an unconfirmed account proves nothing about who made it.
 */
int
attendance_people(struct request *r)
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
	if (db_begin(r->db) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "WITH add AS (INSERT INTO registrations (ref, event, account, name,"
	    " email, organisation, role, status)"
	    " SELECT gen_random_uuid(), e.id, (SELECT a.id FROM accounts a"
	    "  WHERE lower(a.email) = lower($3) AND a.confirmed IS NOT NULL),"
	    " $2, $3, $4, $5, 'confirmed'"
	    " FROM events e WHERE e.id = $1 AND e.origin = $6"
	    " AND e.status <> 'cancelled' RETURNING id)"
	    " SELECT acorn_tell(id, 'role', $7) FROM add", 7, p);
	if (res == NULL && db_duplicate(r->db)) {
		db_rollback(r->db);
		view_error(v, "email", "Someone with this email address is "
		    "already registered for this event");
		return attendees_page(r, v, 422);
	}
	view_free(v);
	if (res == NULL)
		return http_error(r, 503);
	rc = PQntuples(res);
	PQclear(res);
	if (rc != 1) {
		db_rollback(r->db);
		return http_error(r, 404);
	}
	if (audit_commit(r->db, r->account->id, "event_team_add", r->arg) ==
	    -1)
		return http_error(r, 503);
	if ((done = util_printf("/events/%s/attendees?saved=yes&role=team",
	    r->arg)) == NULL)
		return http_error(r, 500);
	rc = http_redirect(r, done);
	free(done);
	return rc;
}

/* POST /events/{id}/promote: a coordinator gives one waiting entry a place. */
int
attendance_promote(struct request *r)
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
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT acorn_tell(x, 'promoted', $4)"
	    " FROM registrations g JOIN events e ON e.id = g.event,"
	    " acorn_promote_one(g.id) AS x"
	    " WHERE g.ref = $1 AND g.event = $2 AND e.origin = $3", 4, p);
	if (res == NULL)
		return http_error(r, 503);
	n = PQntuples(res);
	PQclear(res);
	if (n != 1)
		db_rollback(r->db);
	else if (audit_commit(r->db, r->account->id, "promote", p[0]) == -1)
		return http_error(r, 503);
	snprintf(to, sizeof(to), "/events/%.36s/attendees%s", r->arg,
	    n == 1 ? "?saved=yes" : "");
	return http_redirect(r, to);
}

/* The columns of unregister_page's query. */
enum { UR_NAME, UR_EMAIL, UR_TITLE, UR_STATUS, UR_HOME };

/* The question before an organiser cancels someone's registration. */
static int
unregister_page(struct request *r, const char *ref)
{
	const char *p[3];
	struct view *v;
	PGresult *res;

	p[0] = ref;
	p[1] = r->arg;
	p[2] = node_id;
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
	view_set(v, "name", PQgetvalue(res, 0, UR_NAME));
	view_set(v, "email", PQgetvalue(res, 0, UR_EMAIL));
	view_set(v, "event_title", PQgetvalue(res, 0, UR_TITLE));
	view_flag(v, "waiting", strcmp(PQgetvalue(res, 0, UR_STATUS),
	    "waiting") == 0);
	if (!PQgetisnull(res, 0, UR_HOME))
		view_setf(v, "home", "They registered from %s, which will "
		    "email them.", PQgetvalue(res, 0, UR_HOME));
	view_set(v, "ref", ref);
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
attendance_unregister(struct request *r)
{
	const char *ref = r->form.f[KEY_ID].text, *p[4];
	PGresult *res;
	char to[128];
	int n;

	if (!event_own(r, &n))
		return n;
	if (ref == NULL || !util_uuid_valid(ref))
		return http_error(r, 404);
	if (r->method != METHOD_POST || r->form.f[KEY_CONFIRM].num != 1)
		return unregister_page(r, ref);
	/* The base address is $3, as SQL_CANCEL_REST has it. */
	p[0] = ref;
	p[1] = r->arg;
	p[2] = cfg->public_url;
	p[3] = node_id;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "WITH mine AS (SELECT g.id, g.status FROM registrations g"
	    " JOIN events e ON e.id = g.event WHERE g.ref = $1"
	    " AND g.event = $2 AND e.origin = $4"
	    " AND g.status IN ('confirmed', 'waiting'))" SQL_CANCEL_REST, 4,
	    p);
	if (res == NULL)
		return http_error(r, 503);
	n = (int)strtol(PQgetvalue(res, 0, CANCEL_COUNT), NULL, 10);
	PQclear(res);
	if (n != 1)
		db_rollback(r->db);
	else if (audit_commit(r->db, r->account->id, "unregister", ref) == -1)
		return http_error(r, 503);
	snprintf(to, sizeof(to), "/events/%.36s/attendees%s", r->arg,
	    n == 1 ? "?saved=yes&done=cancelled" : "");
	return http_redirect(r, to);
}
