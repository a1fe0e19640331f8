/*
 * Feedback after an event: the form its organisers attach (ratings from
 * 1 to 5, one answer from a list, written answers), the links sent to
 * the people who came, the page each link opens, and the results with
 * their charts, their spreadsheet and a summary for the library.  Who is
 * sent a link and what a link may do is the database's
 * (schema/059_feedback.sql): a link works once, and an answer names
 * nobody unless the form says it will, before anyone answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define MAX_QUESTIONS	20
#define MAX_TEXT	2000	/* characters in a written answer */
#define MAX_CHOICES_SHOWN 20	/* as questions_choices_read allows */

/* The kinds of question, and how the form names them. */
static const char *const kind_codes[] = { "rating", "choice", "text", NULL };
static const char *const kind_labels[] = {
	"A rating from 1 (poor) to 5 (excellent)", "One answer from a list",
	"A written answer", NULL
};

static const char *const ratings[] = {
	"1 (poor)", "2", "3", "4", "5 (excellent)"
};

/*
 * The one row query (whose $1 is the event in the path) gives, or NULL
 * with *answer set: 404 when there is none, 503 when the database
 * failed.
 */
static PGresult *
event_row(struct request *r, const char *query, int *answer)
{
	const char *p[1] = { r->arg };
	PGresult *res;

	if ((res = db_query(r->db, PGRES_TUPLES_OK, query, 1, p)) == NULL) {
		*answer = http_error(r, 503);
		return NULL;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		*answer = http_error(r, 404);
		return NULL;
	}
	return res;
}

/* The columns of state_query. */
enum {
	FS_TITLE, FS_ENDED, FS_NAMED, FS_SENT, FS_QUESTIONS, FS_LINKS,
	FS_ANSWERED, FS_DUE, FS_DAYS
};
static const char state_query[] =
    "SELECT e.title, e.ends < now(), coalesce(f.named, false),"
    " " SQL_LONDON("f.sent", LONDON_WHEN) ","
    " (SELECT count(*) FROM feedback_questions q WHERE q.event = e.id),"
    " (SELECT count(*) FROM feedback_links l WHERE l.event = e.id),"
    " (SELECT count(*) FROM feedback_links l WHERE l.event = e.id"
    "  AND l.answered),"
    /* Who a link would go to now, as acorn_feedback_send chooses. */
    " (SELECT count(*) FROM registrations x WHERE x.event = e.id"
    "  AND x.status = 'confirmed' AND x.role = 'attendee'"
    "  AND (x.attended IS NOT NULL OR NOT EXISTS (SELECT 1"
    "   FROM registrations y WHERE y.event = e.id"
    "   AND y.attended IS NOT NULL))"
    "  AND NOT EXISTS (SELECT 1 FROM feedback_links l"
    "   WHERE l.registration = x.id)),"
    " coalesce(f.days, 30)"
    " FROM events e LEFT JOIN feedback_forms f ON f.event = e.id"
    " WHERE e.id = $1";

/* The columns of questions_query. */
enum { FQ_ID, FQ_KIND, FQ_LABEL, FQ_CHOICES, FQ_REQUIRED };
static const char questions_query[] =
    "SELECT id, kind, label, array_to_string(choices, E'\\n'), required"
    " FROM feedback_questions WHERE event = $1 ORDER BY position, id";

/* The form's questions as list "questions" of v; -1 on failure. */
static int
questions_view(struct request *r, struct view *v, const char *event,
    int sent)
{
	const char *p[1] = { event };
	PGresult *res;
	struct view *q;
	int i, n, k;

	if ((res = db_query(r->db, PGRES_TUPLES_OK, questions_query, 1,
	    p)) == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((q = view_add(v, "questions")) == NULL)
			break;
		k = code_index(kind_codes, PQgetvalue(res, i, FQ_KIND));
		view_set(q, "id", PQgetvalue(res, i, FQ_ID));
		view_set(q, "label", PQgetvalue(res, i, FQ_LABEL));
		view_set(q, "kind", k >= 0 ? kind_labels[k] : "");
		view_set(q, "choices", db_value(res, i, FQ_CHOICES));
		view_set(q, "required", *PQgetvalue(res, i, FQ_REQUIRED) ==
		    't' ? "Required" : "Optional");
		view_flag(q, "removable", !sent);
		view_setf(q, "remove_label", "Remove: %s",
		    PQgetvalue(res, i, FQ_LABEL));
	}
	view_flag(v, "has_questions", n > 0);
	PQclear(res);
	return 0;
}

/* A new question from the form; problems go into v.  -1 on failure. */
static int
question_add(struct request *r, struct view *v)
{
	const char *p[5], *code, *label;
	char *choices = NULL, max[16];
	PGresult *res;
	int rc;

	code = view_field(v, r, KEY_QKIND, "Select the kind of question");
	if (code != NULL && code_index(kind_codes, code) == -1)
		view_error(v, "qkind", "Select the kind of question from the "
		    "list");
	label = view_field(v, r, KEY_LABEL, "Enter the question");
	if (code != NULL && strcmp(code, "choice") == 0)
		choices = questions_choices_read(v,
		    r->form.f[KEY_CHOICES].text);
	if (view_has(v, "errors")) {
		free(choices);
		return 0;
	}
	snprintf(max, sizeof(max), "%d", MAX_QUESTIONS);
	p[0] = r->arg;
	p[1] = code;
	p[2] = label;
	p[3] = choices;
	p[4] = r->form.f[KEY_REQUIRED].num == 1 ? "true" : "false";
	/* The form is fixed once links have gone out. */
	res = db_query(r->db, PGRES_TUPLES_OK, "WITH f AS (INSERT INTO"
	    " feedback_forms (event)"
	    " VALUES ($1) ON CONFLICT (event) DO UPDATE SET event ="
	    " EXCLUDED.event RETURNING sent)"
	    " INSERT INTO feedback_questions (event, kind, label, choices,"
	    " required, position) SELECT $1, $2, $3, $4::text[], $5::boolean,"
	    " (SELECT coalesce(max(position), 0) + 1 FROM feedback_questions"
	    "  WHERE event = $1) FROM f WHERE f.sent IS NULL"
	    " AND (SELECT count(*) FROM feedback_questions"
	    "  WHERE event = $1) < $6::integer RETURNING id", 6,
	    (const char *[]){ p[0], p[1], p[2], p[3], p[4], max });
	free(choices);
	if (res == NULL)
		return -1;
	rc = PQntuples(res);
	PQclear(res);
	if (rc == 0)
		view_error(v, "qkind", "No more questions can be added: the "
		    "form has been sent, or has 20 questions already");
	else {
		view_set(v, "done_text", "Question added.");
		view_set(v, "v_label", NULL);
		view_set(v, "v_qkind", NULL);
		view_set(v, "v_choices", NULL);
	}
	return 0;
}

/* The letters go out; how many, in done_text.  -1 on failure. */
static int
form_send(struct request *r, struct view *v, PGresult *st)
{
	const char *p[2] = { r->arg, cfg->public_url };
	PGresult *res;
	long n;

	if (*PQgetvalue(st, 0, FS_ENDED) != 't') {
		view_error(v, "send", "The form can be sent once the event "
		    "has ended");
		return 0;
	}
	if (strcmp(PQgetvalue(st, 0, FS_QUESTIONS), "0") == 0) {
		view_error(v, "send", "Add a question before sending the form");
		return 0;
	}
	if (db_begin(r->db) == -1)
		return -1;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT"
	    " acorn_feedback_send($1, $2)", 2, p)) == NULL) {
		db_rollback(r->db);
		return -1;
	}
	n = atol(PQgetvalue(res, 0, DB_ONLY));
	PQclear(res);
	if (audit_commit(r->db, r->account->id, "feedback_send", r->arg) ==
	    -1)
		return -1;
	view_setf(v, "done_text", "The form was sent to %ld %s.", n,
	    n == 1 ? "person" : "people");
	return 0;
}

/*
 * GET and POST /events/{id}/feedback: the form's questions, whether
 * answers name people, and sending it after the event.
 */
int
feedback_edit(struct request *r)
{
	struct view *v;
	PGresult *st = NULL;
	const char *p[2];
	int answer, sent, rc = 0;

	if (!event_own(r, &answer))
		return answer;
	if ((st = event_row(r, state_query, &answer)) == NULL)
		return answer;
	if ((v = page_view(r, "Feedback form")) == NULL) {
		PQclear(st);
		return http_error(r, 500);
	}
	sent = !PQgetisnull(st, 0, FS_SENT);
	p[0] = r->arg;
	if (r->method == METHOD_POST && r->form.f[KEY_SEND].num == 1)
		rc = form_send(r, v, st);
	else if (r->method == METHOD_POST && sent)
		view_error(v, "send", "The form has been sent: its questions "
		    "and whether it asks for names can no longer change");
	else if (r->method == METHOD_POST &&
	    r->form.f[KEY_QUESTION].text != NULL) {
		p[1] = r->form.f[KEY_QUESTION].text;
		rc = db_exec(r->db, "DELETE FROM feedback_questions"
		    " WHERE id = $2 AND event = $1", 2, p) < 0 ? -1 : 0;
		view_set(v, "done_text", "Question removed.");
	} else if (r->method == METHOD_POST &&
	    r->form.f[KEY_NAMED].text != NULL) {
		p[1] = r->form.f[KEY_NAMED].num == 1 ? "true" : "false";
		rc = db_exec(r->db, "INSERT INTO feedback_forms (event, named)"
		    " VALUES ($1, $2::boolean) ON CONFLICT (event) DO UPDATE"
		    " SET named = EXCLUDED.named WHERE feedback_forms.sent"
		    " IS NULL", 2, p) < 0 ? -1 : 0;
		view_set(v, "done_text", "Saved.");
	} else if (r->method == METHOD_POST)
		rc = question_add(r, v);
	if (rc == -1)
		goto unavailable;
	/* What the page shows, as it now stands. */
	PQclear(st);
	if ((st = event_row(r, state_query, &answer)) == NULL) {
		view_free(v);
		return answer;
	}
	sent = !PQgetisnull(st, 0, FS_SENT);
	view_set(v, "event_title", PQgetvalue(st, 0, FS_TITLE));
	view_setf(v, "event_href", "/events/%s", r->arg);
	view_setf(v, "form_action", "/events/%s/feedback", r->arg);
	view_setf(v, "results_href", "/events/%s/feedback/results", r->arg);
	view_flag(v, "sent", sent);
	view_flag(v, "editable", !sent);
	view_flag(v, "ended", *PQgetvalue(st, 0, FS_ENDED) == 't');
	view_flag(v, "named", *PQgetvalue(st, 0, FS_NAMED) == 't');
	view_flag(v, "anonymous", *PQgetvalue(st, 0, FS_NAMED) != 't');
	view_set(v, "sent_at", db_value(st, 0, FS_SENT));
	view_set(v, "links", PQgetvalue(st, 0, FS_LINKS));
	view_set(v, "answered", PQgetvalue(st, 0, FS_ANSWERED));
	view_set(v, "due", PQgetvalue(st, 0, FS_DUE));
	view_set(v, "days", PQgetvalue(st, 0, FS_DAYS));
	view_codes(v, "kinds", kind_codes, kind_labels);
	if (questions_view(r, v, r->arg, sent) == -1)
		goto unavailable;
	PQclear(st);
	return http_page(r, view_has(v, "errors") ? 422 : 200,
	    "feedback_form", v);
unavailable:
	PQclear(st);
	view_free(v);
	return http_error(r, 503);
}

/* Answering ----------------------------------------------------------- */

/* The columns of link_query. */
enum { FL_EVENT, FL_TITLE, FL_WHEN, FL_ANSWERED, FL_EXPIRED, FL_NAMED };
static const char link_query[] =
    "SELECT e.id, e.title, " SQL_LONDON("e.starts", LONDON_DAY) ","
    " l.answered, l.expires <= now(), coalesce(f.named, false)"
    " FROM feedback_links l JOIN events e ON e.id = l.event"
    " LEFT JOIN feedback_forms f ON f.event = l.event"
    " WHERE l.hash = acorn_guest_key_hash($1)";


/*
 * The form's questions (qs, as questions_query) as list "questions" of
 * v, each with its options and, with check, what was sent and what is
 * wrong with it.  With check and nothing wrong, the ids and values of
 * the answers given as arrays in *ids and *values.  -1 when memory ran
 * out.
 */
static int
answer_form(struct request *r, struct view *v, PGresult *qs, int check,
    char **ids, char **values)
{
	const struct form_answer *a;
	const char **qv, **vv, *given, *kind, *err, *choices;
	struct view *q, *o;
	char *copy, *line, *next;
	int i, j, n = PQntuples(qs), k = 0, bad = 0;
	long rating;

	*ids = *values = NULL;
	if ((qv = calloc((size_t)n + 1, sizeof(*qv))) == NULL ||
	    (vv = calloc((size_t)n + 1, sizeof(*vv))) == NULL) {
		free(qv);
		return -1;
	}
	for (i = 0; i < n; i++) {
		kind = PQgetvalue(qs, i, FQ_KIND);
		choices = PQgetvalue(qs, i, FQ_CHOICES);
		a = check ? form_answer_get(&r->form, atol(PQgetvalue(qs, i,
		    FQ_ID))) : NULL;
		given = a != NULL && a->text != NULL ? a->text : "";
		err = NULL;
		if (a != NULL && a->error)
			err = "Your answer is too long or has characters that "
			    "cannot be kept";
		else if (!check)
			;
		else if (*given == '\0') {
			if (*PQgetvalue(qs, i, FQ_REQUIRED) == 't')
				err = strcmp(kind, "text") == 0 ?
				    "Enter an answer" : "Select an answer";
		} else if (strcmp(kind, "rating") == 0 &&
		    util_parse_long(given, 1, 5, &rating) == -1)
			err = "Select a rating from 1 to 5";
		else if (strcmp(kind, "choice") == 0 &&
		    !util_line_of(choices, given))
			err = "Select one of the answers";
		else if (strcmp(kind, "text") == 0 &&
		    util_utf8_length(given) > MAX_TEXT)
			err = "Your answer must be 2000 characters or fewer";
		if ((q = view_add(v, "questions")) == NULL)
			continue;
		view_setf(q, "name", "answer_%s", PQgetvalue(qs, i, FQ_ID));
		view_setf(q, "hint_id", "answer_%s-hint",
		    PQgetvalue(qs, i, FQ_ID));
		view_setf(q, "error_id", "answer_%s-error",
		    PQgetvalue(qs, i, FQ_ID));
		view_set(q, "label", PQgetvalue(qs, i, FQ_LABEL));
		view_flag(q, "optional", *PQgetvalue(qs, i, FQ_REQUIRED) !=
		    't');
		view_flag(q, "text", strcmp(kind, "text") == 0);
		view_flag(q, "radios", strcmp(kind, "text") != 0);
		view_flag(q, "rating", strcmp(kind, "rating") == 0);
		view_set(q, "value", given);
		if (err != NULL) {
			view_set(q, "error", err);
			view_error(v, view_get(q, "name"), err);
		}
		if (strcmp(kind, "rating") == 0) {
			for (j = 0; j < 5; j++) {
				if ((o = view_add(q, "options")) == NULL)
					break;
				view_setf(o, "value", "%d", j + 1);
				view_set(o, "label", ratings[j]);
				view_setf(o, "id", "answer_%s-%d",
				    PQgetvalue(qs, i, FQ_ID), j + 1);
				view_flag(o, "checked", given[0] == '1' + j &&
				    given[1] == '\0');
			}
		} else if (strcmp(kind, "choice") == 0 &&
		    (copy = util_strdup(choices)) != NULL) {
			for (j = 0, line = copy; line != NULL; line = next,
			    j++) {
				if ((next = strchr(line, '\n')) != NULL)
					*next++ = '\0';
				if ((o = view_add(q, "options")) == NULL)
					break;
				view_set(o, "value", line);
				view_set(o, "label", line);
				view_setf(o, "id", "answer_%s-%d",
				    PQgetvalue(qs, i, FQ_ID), j + 1);
				view_flag(o, "checked", strcmp(line, given) ==
				    0);
			}
			free(copy);
		}
		if (err != NULL)
			bad = 1;
		else if (*given != '\0') {
			qv[k] = PQgetvalue(qs, i, FQ_ID);
			vv[k++] = given;
		}
	}
	if (check && !bad &&
	    ((*ids = util_pg_array(qv, (size_t)k)) == NULL ||
	    (*values = util_pg_array(vv, (size_t)k)) == NULL)) {
		free(*ids);
		*ids = NULL;
		bad = -1;
	}
	free(qv);
	free(vv);
	return bad == -1 ? -1 : 0;
}

/*
 * The page for a link that takes no answers (what, as
 * acorn_feedback_answer says: "used", "expired" or "bad"), and nothing
 * more; post when answers were sent to it.
 */
static int
link_refused(struct request *r, const char *what, int post)
{
	if (strcmp(what, "used") == 0)
		return page_message(r, post ? 409 : 200, "Thank you",
		    "Your answers are in: this link has been used. Each link "
		    "works once.", "/events", "Events", 0);
	if (strcmp(what, "expired") == 0)
		return page_message(r, 410, "This link has expired", "The time "
		    "for answering this form is over.", "/events", "Events", 0);
	if (strcmp(what, "bad") == 0)
		return page_message(r, 409, "The form has changed", "The "
		    "questions changed while you were answering. Open the link "
		    "again to see them.", "/events", "Events", 0);
	return http_error(r, 404);
}

/*
 * GET and POST /feedback/{key}: the form a link opens, for anyone with
 * the link (no sign-in: guests and other nodes' members have no account
 * here).  Opening it changes nothing; sending it spends the link.
 */
int
feedback_answer(struct request *r)
{
	struct view *v;
	PGresult *ln, *qs = NULL, *res;
	const char *p[3];
	char *ids = NULL, *values = NULL;
	const char *outcome;
	int post = r->method == METHOD_POST, rc;

	if (!util_token_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	if ((ln = db_query(r->db, PGRES_TUPLES_OK, link_query, 1, p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(ln) != 1) {
		PQclear(ln);
		return http_error(r, 404);
	}
	if (*PQgetvalue(ln, 0, FL_ANSWERED) == 't' ||
	    *PQgetvalue(ln, 0, FL_EXPIRED) == 't') {
		rc = link_refused(r, *PQgetvalue(ln, 0, FL_ANSWERED) == 't' ?
		    "used" : "expired", post);
		PQclear(ln);
		return rc;
	}
	p[0] = PQgetvalue(ln, 0, FL_EVENT);
	if (session_form(r) == -1 ||
	    (v = page_view(r, "Tell us what you thought")) == NULL) {
		PQclear(ln);
		return http_error(r, 503);
	}
	if ((qs = db_query(r->db, PGRES_TUPLES_OK, questions_query, 1,
	    p)) == NULL) {
		PQclear(ln);
		view_free(v);
		return http_error(r, 503);
	}
	view_set(v, "event_title", PQgetvalue(ln, 0, FL_TITLE));
	view_set(v, "event_day", PQgetvalue(ln, 0, FL_WHEN));
	view_flag(v, "named", *PQgetvalue(ln, 0, FL_NAMED) == 't');
	view_setf(v, "form_action", "/feedback/%s", r->arg);
	PQclear(ln);
	if (answer_form(r, v, qs, post, &ids, &values) == -1) {
		PQclear(qs);
		view_free(v);
		return http_error(r, 500);
	}
	PQclear(qs);
	if (!post || view_has(v, "errors"))
		return http_page(r, view_has(v, "errors") ? 422 : 200,
		    "feedback", v);
	view_free(v);
	p[0] = r->arg;
	p[1] = ids;
	p[2] = values;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT"
	    " acorn_feedback_answer($1, $2::bigint[], $3::text[])", 3, p);
	free(ids);
	free(values);
	if (res == NULL)
		return http_error(r, 503);
	outcome = PQgetvalue(res, 0, DB_ONLY);
	rc = strcmp(outcome, "done") == 0 ? page_message(r, 200, "Thank you",
	    "Your answers are in. The organisers read every one.", "/events",
	    "Events", 1) : link_refused(r, outcome, 1);
	PQclear(res);
	return rc;
}

/* Results -------------------------------------------------------------- */

/* A count as a percentage of a total, rounded: "75%"; "no one" at 0. */
static void
share_words(char *buf, size_t size, long part, long whole)
{
	if (whole <= 0)
		snprintf(buf, size, "none sent");
	else
		snprintf(buf, size, "%ld%%", (part * 100 + whole / 2) / whole);
}

/* The share who answered, by stakeholder group, as a chart. */
static int
shares_chart(struct request *r, struct view *v)
{
	static const struct chart_series series[2] = {
		{ "confirmed", "Answered", NULL },
		{ "waiting", "Not answered", NULL },
	};
	const char *p[1] = { r->arg };
	struct chart_row rows[16];
	char labels[16][96], share[16];
	PGresult *res;
	struct view *c;
	int i, n;

	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT 'group',"
	    " stakeholder, count(*) FILTER (WHERE answered),"
	    " count(*) FILTER (WHERE NOT answered) FROM feedback_links"
	    " WHERE event = $1 GROUP BY 2", 1, p)) == NULL)
		return -1;
	n = chart_rows_by_code(res, "group", stakeholder_codes,
	    stakeholder_labels, 2, 0, rows, 16);
	PQclear(res);
	/* Each group's share who answered, after its name. */
	for (i = 0; i < n; i++) {
		share_words(share, sizeof(share), rows[i].values[0],
		    rows[i].values[0] + rows[i].values[1]);
		snprintf(labels[i], sizeof(labels[i]), "%s (%s)",
		    rows[i].label, share);
		rows[i].label = labels[i];
	}
	if (n == 0)
		return 0;
	if ((c = view_add(v, "share_charts")) == NULL)
		return -1;
	view_set(c, "row_heading", "Stakeholder group");
	view_set(c, "total_heading", "Sent");
	return chart_add(c, "chart", "Who answered, by stakeholder group",
	    "People sent the form, by the group they registered under, and "
	    "whether they answered. The share who answered is after each "
	    "group.", series, 2, rows, n);
}

/* The columns of counts_query. */
enum { FC_QUESTION, FC_VALUE, FC_COUNT };
static const char counts_query[] =
    "SELECT a.question, a.value, count(*) FROM feedback_answers a"
    " JOIN feedback_questions q ON q.id = a.question"
    " WHERE q.event = $1 AND q.kind <> 'text' GROUP BY 1, 2";

/* The columns of texts_query. */
enum { FT_QUESTION, FT_VALUE, FT_NAME };
static const char texts_query[] =
    "SELECT a.question, a.value, x.name FROM feedback_answers a"
    " JOIN feedback_questions q ON q.id = a.question"
    " JOIN feedback_responses s ON s.id = a.response"
    " LEFT JOIN registrations x ON x.id = s.registration"
    " WHERE q.event = $1 AND q.kind = 'text' ORDER BY s.id";

/* How many gave value to question (counts, as counts_query). */
static long
count_of(PGresult *counts, const char *question, const char *value)
{
	int i;

	for (i = 0; i < PQntuples(counts); i++)
		if (strcmp(PQgetvalue(counts, i, FC_QUESTION), question) == 0 &&
		    strcmp(PQgetvalue(counts, i, FC_VALUE), value) == 0)
			return atol(PQgetvalue(counts, i, FC_COUNT));
	return 0;
}

/* A chart's figures as Markdown: its question, caption and counts. */
static void
results_md(struct strbuf *md, const char *label, const char *caption,
    const struct chart_row *rows, int n)
{
	int i;

	strbuf_printf(md, "## %s\n\n%s\n\n", label, caption);
	for (i = 0; i < n; i++)
		strbuf_printf(md, "- %s: %ld\n", rows[i].label,
		    rows[i].values[0]);
	strbuf_str(md, "\n");
}

/*
 * One result per question, as list "results" of v: a chart of the
 * answers to a rating or a choice (with the average rating), the written
 * answers listed.  With md, the same in Markdown for the library (the
 * written answers left out: they may name people).  -1 on failure.
 */
static int
results_view(struct request *r, struct view *v, struct strbuf *md)
{
	static const struct chart_series series[1] = {
		{ "count", "Answers", NULL },
	};
	const char *p[1] = { r->arg };
	PGresult *qs, *counts = NULL, *texts = NULL;
	struct chart_row rows[MAX_CHOICES_SHOWN];
	char value[8], *copy, *line, *next, caption[160];
	struct view *q, *t;
	int i, j, n, rc = -1;
	long total, sum;

	if ((qs = db_query(r->db, PGRES_TUPLES_OK, questions_query, 1,
	    p)) == NULL ||
	    (counts = db_query(r->db, PGRES_TUPLES_OK, counts_query, 1,
	    p)) == NULL ||
	    (texts = db_query(r->db, PGRES_TUPLES_OK, texts_query, 1,
	    p)) == NULL)
		goto out;
	for (i = 0; i < PQntuples(qs); i++) {
		const char *id = PQgetvalue(qs, i, FQ_ID);
		const char *kind = PQgetvalue(qs, i, FQ_KIND);
		const char *label = PQgetvalue(qs, i, FQ_LABEL);

		if ((q = view_add(v, "results")) == NULL)
			goto out;
		view_set(q, "label", label);
		n = 0;
		total = sum = 0;
		copy = NULL;
		if (strcmp(kind, "text") == 0) {
			/* Written answers, each as given. */
			view_flag(q, "texts", 1);
			for (j = 0; j < PQntuples(texts); j++) {
				if (strcmp(PQgetvalue(texts, j, FT_QUESTION),
				    id) != 0)
					continue;
				if ((t = view_add(q, "answers")) == NULL)
					goto out;
				view_set(t, "text", PQgetvalue(texts, j,
				    FT_VALUE));
				view_set(t, "name", db_value(texts, j, FT_NAME));
				total++;
			}
			view_setf(q, "count", "%ld written %s", total,
			    total == 1 ? "answer" : "answers");
			if (md != NULL)
				strbuf_printf(md, "## %s\n\n%ld written %s, "
				    "kept with the event's organisers.\n\n",
				    label, total, total == 1 ? "answer" :
				    "answers");
			continue;
		}
		if (strcmp(kind, "rating") == 0) {
			for (j = 0; j < 5; j++) {
				snprintf(value, sizeof(value), "%d", j + 1);
				memset(&rows[n], 0, sizeof(rows[n]));
				rows[n].label = ratings[j];
				rows[n].values[0] = count_of(counts, id, value);
				total += rows[n].values[0];
				sum += rows[n].values[0] * (j + 1);
				n++;
			}
		} else if ((copy = util_strdup(PQgetvalue(qs, i,
		    FQ_CHOICES))) != NULL) {
			for (line = copy; line != NULL && n <
			    MAX_CHOICES_SHOWN; line = next) {
				if ((next = strchr(line, '\n')) != NULL)
					*next++ = '\0';
				memset(&rows[n], 0, sizeof(rows[n]));
				rows[n].label = line;
				rows[n].values[0] = count_of(counts, id, line);
				total += rows[n].values[0];
				n++;
			}
		}
		if (total == 0)
			snprintf(caption, sizeof(caption), "No answers yet.");
		else if (strcmp(kind, "rating") == 0)
			/* The average, to one decimal place, rounded. */
			snprintf(caption, sizeof(caption), "%ld %s; the "
			    "average rating is %ld.%ld out of 5.", total,
			    total == 1 ? "answer" : "answers",
			    (sum * 10 + total / 2) / total / 10,
			    (sum * 10 + total / 2) / total % 10);
		else
			snprintf(caption, sizeof(caption), "%ld %s.", total,
			    total == 1 ? "answer" : "answers");
		view_flag(q, "chart", 1);
		view_set(q, "row_heading", strcmp(kind, "rating") == 0 ?
		    "Rating" : "Answer");
		rc = chart_add(q, "chart", label, caption, series, 1, rows, n);
		if (rc == 0 && md != NULL)
			results_md(md, label, caption, rows, n);
		free(copy);
		if (rc == -1)
			goto out;
		rc = -1;
	}
	view_flag(v, "has_results", PQntuples(qs) > 0);
	rc = 0;
out:
	PQclear(qs);
	PQclear(counts);
	PQclear(texts);
	return rc;
}

/* The columns of the results' head. */
enum { FR_TITLE, FR_DAY, FR_LINKS, FR_ANSWERED, FR_NAMED };
static const char head_query[] =
    "SELECT e.title, " SQL_LONDON("e.starts", LONDON_DAY) ","
    " (SELECT count(*) FROM feedback_links l WHERE l.event = e.id),"
    " (SELECT count(*) FROM feedback_responses s WHERE s.event = e.id),"
    " coalesce(f.named, false)"
    " FROM events e LEFT JOIN feedback_forms f ON f.event = e.id"
    " WHERE e.id = $1";

/* The event's title and counts (head_query), if this node holds it. */
static PGresult *
results_head(struct request *r, int *answer)
{
	if (!event_own(r, answer))
		return NULL;
	return event_row(r, head_query, answer);
}

/* The summary for the library: the figures, never the written words. */
static char *
summary_md(struct request *r, PGresult *head)
{
	struct strbuf md = { 0 };
	struct view *scratch;
	char share[16];
	int rc;

	if ((scratch = view_new()) == NULL)
		return NULL;
	share_words(share, sizeof(share), atol(PQgetvalue(head, 0,
	    FR_ANSWERED)), atol(PQgetvalue(head, 0, FR_LINKS)));
	strbuf_printf(&md, "What the people who came to %s, on %s, said "
	    "about it.\n\nThe form went to %s people and %s answered (%s).\n\n",
	    PQgetvalue(head, 0, FR_TITLE), PQgetvalue(head, 0, FR_DAY),
	    PQgetvalue(head, 0, FR_LINKS), PQgetvalue(head, 0, FR_ANSWERED),
	    share);
	rc = results_view(r, scratch, &md);
	view_free(scratch);
	if (rc == -1) {
		strbuf_free(&md);
		return NULL;
	}
	return strbuf_take(&md);
}

/* GET /events/{id}/feedback/results */
int
feedback_results(struct request *r)
{
	struct view *v;
	PGresult *head;
	char share[16];
	int answer;

	if ((head = results_head(r, &answer)) == NULL)
		return answer;
	if ((v = page_view(r, "Feedback results")) == NULL) {
		PQclear(head);
		return http_error(r, 500);
	}
	view_set(v, "event_title", PQgetvalue(head, 0, FR_TITLE));
	view_setf(v, "event_href", "/events/%s", r->arg);
	view_setf(v, "form_href", "/events/%s/feedback", r->arg);
	view_setf(v, "csv_href", "/events/%s/feedback/results.csv", r->arg);
	view_setf(v, "publish_href", "/events/%s/feedback/publish", r->arg);
	view_set(v, "links", PQgetvalue(head, 0, FR_LINKS));
	view_set(v, "answered", PQgetvalue(head, 0, FR_ANSWERED));
	share_words(share, sizeof(share), atol(PQgetvalue(head, 0,
	    FR_ANSWERED)), atol(PQgetvalue(head, 0, FR_LINKS)));
	view_set(v, "share", share);
	view_flag(v, "named", *PQgetvalue(head, 0, FR_NAMED) == 't');
	view_flag(v, "any_answers", strcmp(PQgetvalue(head, 0, FR_ANSWERED),
	    "0") != 0);
	PQclear(head);
	if (shares_chart(r, v) == -1 || results_view(r, v, NULL) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	return http_page(r, 200, "feedback_results", v);
}

/*
 * GET /events/{id}/feedback/results.csv: one row per response, one
 * column per question (and the person, when the form named them).
 */
int
feedback_csv(struct request *r)
{
	const char *p[1] = { r->arg };
	PGresult *head, *qs = NULL, *res = NULL;
	struct csv *f = NULL;
	char *body, name[128];
	size_t len;
	int answer, named, i, j, nq;

	if ((head = results_head(r, &answer)) == NULL)
		return answer;
	named = *PQgetvalue(head, 0, FR_NAMED) == 't';
	http_csv_name(PQgetvalue(head, 0, FR_TITLE), "feedback", name,
	    sizeof(name));
	PQclear(head);
	/* Each response, and each question in the form's order for it. */
	if ((qs = db_query(r->db, PGRES_TUPLES_OK, questions_query, 1,
	    p)) == NULL ||
	    (res = db_query(r->db, PGRES_TUPLES_OK, "SELECT s.id,"
	    " to_char(s.day, 'YYYY-MM-DD'), coalesce(x.name, ''),"
	    " coalesce(a.value, '') FROM feedback_responses s"
	    " JOIN feedback_questions q ON q.event = s.event"
	    " LEFT JOIN feedback_answers a ON a.response = s.id"
	    "  AND a.question = q.id"
	    " LEFT JOIN registrations x ON x.id = s.registration"
	    " WHERE s.event = $1 ORDER BY s.id, q.position, q.id", 1,
	    p)) == NULL || (f = csv_new()) == NULL)
		goto fail;
	nq = PQntuples(qs);
	csv_cell(f, "Response");
	csv_cell(f, "Date");
	if (named)
		csv_cell(f, "Name");
	for (j = 0; j < nq; j++)
		csv_cell(f, PQgetvalue(qs, j, FQ_LABEL));
	csv_row(f);
	for (i = 0; nq > 0 && i + nq <= PQntuples(res); i += nq) {
		csv_cell(f, PQgetvalue(res, i, 0));
		csv_cell(f, PQgetvalue(res, i, 1));
		if (named)
			csv_cell(f, PQgetvalue(res, i, 2));
		for (j = 0; j < nq; j++)
			csv_cell(f, PQgetvalue(res, i + j, 3));
		csv_row(f);
	}
	PQclear(qs);
	PQclear(res);
	if ((body = csv_finish(f, &len)) == NULL)
		return http_error(r, 500);
	if (named && audit(r->db, r->account->id, "export", r->arg) == -1) {
		free(body);
		return http_error(r, 503);
	}
	return http_attachment(r, "text/csv; charset=utf-8; header=present",
	    body, len, name);
fail:
	PQclear(qs);
	PQclear(res);
	csv_free(f);
	return http_error(r, 503);
}

/*
 * GET and POST /events/{id}/feedback/publish: a summary of the results
 * (the figures; the written answers stay here) to check and change,
 * then added to the library as a case study.
 */
int
feedback_publish(struct request *r)
{
	struct view *v;
	PGresult *head;
	const char *title, *body;
	char *made = NULL, *deftitle, slug[96];
	int answer, rc;

	if ((head = results_head(r, &answer)) == NULL)
		return answer;
	if ((v = page_view(r, "Publish a summary")) == NULL) {
		PQclear(head);
		return http_error(r, 500);
	}
	view_set(v, "event_title", PQgetvalue(head, 0, FR_TITLE));
	view_setf(v, "results_href", "/events/%s/feedback/results", r->arg);
	view_setf(v, "form_action", "/events/%s/feedback/publish", r->arg);
	if (r->method != METHOD_POST) {
		deftitle = util_printf("What people said about %s",
		    PQgetvalue(head, 0, FR_TITLE));
		made = summary_md(r, head);
		PQclear(head);
		if (deftitle == NULL || made == NULL) {
			free(deftitle);
			free(made);
			view_free(v);
			return http_error(r, 503);
		}
		view_set(v, "v_title", deftitle);
		view_set(v, "v_body", made);
		free(deftitle);
		free(made);
		return http_page(r, 200, "feedback_publish", v);
	}
	PQclear(head);
	title = view_field(v, r, KEY_TITLE, "Enter a title");
	body = view_field(v, r, KEY_BODY, "Enter the summary");
	if (view_has(v, "errors"))
		return http_page(r, 422, "feedback_publish", v);
	rc = library_add(r, title, "case_study", "{feedback}", body,
	    "Summary of an event's feedback", slug, sizeof(slug));
	view_free(v);
	if (rc == -1)
		return http_error(r, 503);
	return http_redirectf(r, "/library/%s", slug);
}
