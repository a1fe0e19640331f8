/*
 * The questions an event asks at registration: access needs, dietary
 * needs, and the coordinator's own (a written answer, yes or no, or one
 * answer from a list), each optional or required.  A question that has
 * been answered is never deleted, only no longer asked, so the answers
 * stay in the export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

static const struct {
	const char	*code;
	const char	*label;		/* in the list of kinds */
	const char	*question;	/* asked when none is written */
} kinds[] = {
	{ "access", "Access needs", "Do you have any access needs?" },
	{ "dietary", "Dietary needs", "Do you have any dietary needs?" },
	{ "text", "A question with a written answer", NULL },
	{ "yesno", "A yes or no question", NULL },
	{ "choice", "One answer from a list", NULL },
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))
#define MAX_CHOICES	20

static int
kind_index(const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < NKINDS; i++)
		if (strcmp(code, kinds[i].code) == 0)
			return (int)i;
	return -1;
}

/*
 * The choices typed one per line, as an array literal; blank lines are
 * skipped.  Problems go into v.  NULL when there is none to store.
 * Feedback forms (feedback.c) take their choices the same way.
 */
char *
questions_choices_read(struct view *v, const char *text)
{
	const char *lines[MAX_CHOICES];
	char *copy, *line, *next, *out = NULL;
	size_t n = 0, i;

	if (text == NULL || (copy = util_strdup(text)) == NULL) {
		view_error(v, "choices", "Enter the answers to choose from, "
		    "one on each line");
		return NULL;
	}
	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line = util_trim(line);
		if (*line == '\0')
			continue;
		if (n == MAX_CHOICES) {
			view_error(v, "choices", "Give 20 answers or fewer");
			goto done;
		}
		if (strlen(line) > 200) {
			view_error(v, "choices", "Each answer must be 200 "
			    "characters or fewer");
			goto done;
		}
		for (i = 0; i < n; i++)
			if (strcmp(lines[i], line) == 0) {
				view_error(v, "choices", "Each answer must be "
				    "different");
				goto done;
			}
		lines[n++] = line;
	}
	if (n < 2)
		view_error(v, "choices", "Enter at least two answers to choose "
		    "from, one on each line");
	else
		out = util_pg_array(lines, n);
done:
	free(copy);
	return out;
}

/* A new question, from the form; problems go into v. */
static int
question_add(struct request *r, struct view *v)
{
	const char *p[5], *code, *label;
	char *choices = NULL;
	int k, rc;

	code = view_field(v, r, KEY_QKIND, "Select the kind of question");
	if (code != NULL && (k = kind_index(code)) == -1) {
		view_error(v, "qkind", "Select the kind of question from the "
		    "list");
		return 0;
	}
	if (code == NULL)
		return 0;
	label = view_field(v, r, KEY_LABEL, kinds[k].question != NULL ? NULL :
	    "Enter the question");
	if (label == NULL && !view_has(v, "e_label"))
		label = kinds[k].question;
	if (strcmp(code, "choice") == 0)
		choices = questions_choices_read(v,
		    r->form.f[KEY_CHOICES].text);
	if (view_has(v, "errors")) {
		free(choices);
		return 0;
	}
	p[0] = r->arg;
	p[1] = code;
	p[2] = label;
	p[3] = choices;
	p[4] = r->form.f[KEY_REQUIRED].num == 1 ? "true" : "false";
	rc = db_exec(r->db, "INSERT INTO questions (event, kind, label,"
	    " choices, required, position) SELECT $1, $2, $3, $4::text[],"
	    " $5::boolean, coalesce(max(position), 0) + 1 FROM questions"
	    " WHERE event = $1", 5, p);
	free(choices);
	if (rc == 0) {
		view_set(v, "done_text", "Question added. People registering "
		    "from now on are asked it.");
		view_set(v, "v_label", NULL);
		view_set(v, "v_qkind", NULL);
		view_set(v, "v_choices", NULL);
	}
	return rc;
}

/* The columns of questions_list's query. */
enum {
	QL_ID, QL_KIND, QL_LABEL, QL_REQUIRED, QL_CHOICES, QL_RETIRED,
	QL_ANSWERED
};

/* The event's questions, asked and retired, with how many answered. */
static int
questions_list(struct request *r, struct view *v)
{
	struct view *q;
	const char *p[1];
	PGresult *res;
	int i, n, k;

	p[0] = r->arg;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT q.id, q.kind,"
	    " q.label, q.required, array_to_string(q.choices, ', '),"
	    " q.retired, (SELECT count(*) FROM answers a"
	    "  WHERE a.question = q.id)"
	    " FROM questions q WHERE q.event = $1 ORDER BY q.retired,"
	    " q.position, q.id", 1, p);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((q = view_add(v, "questions")) == NULL)
			break;
		k = kind_index(PQgetvalue(res, i, QL_KIND));
		view_set(q, "id", PQgetvalue(res, i, QL_ID));
		view_set(q, "kind", k >= 0 ? kinds[k].label : "");
		view_set(q, "label", PQgetvalue(res, i, QL_LABEL));
		view_set(q, "required", *PQgetvalue(res, i, QL_REQUIRED) ==
		    't' ? "Required" : "Optional");
		view_set(q, "choices", db_value(res, i, QL_CHOICES));
		view_flag(q, "retired", *PQgetvalue(res, i, QL_RETIRED) == 't');
		view_setf(q, "answered", "%s %s",
		    PQgetvalue(res, i, QL_ANSWERED),
		    strcmp(PQgetvalue(res, i, QL_ANSWERED), "1") == 0 ?
		    "answer" : "answers");
		view_setf(q, "retire_label", "Stop asking: %s",
		    PQgetvalue(res, i, QL_LABEL));
	}
	view_flag(v, "has_questions", n > 0);
	PQclear(res);
	return 0;
}

/* GET and POST /events/{id}/questions */
int
questions_edit(struct request *r)
{
	struct view *v, *c;
	const char *p[2];
	int answer;
	size_t i;

	if (!event_own(r, &answer))
		return answer;
	if ((v = page_view(r, "Questions")) == NULL)
		return http_error(r, 500);
	view_setf(v, "form_action", "/events/%s/questions", r->arg);
	view_setf(v, "event_href", "/events/%s", r->arg);
	/* Step 3 of a new event's setting up, while it is a draft. */
	if (event_step(r, v, 3) == -1)
		goto unavailable;
	for (i = 0; i < NKINDS; i++)
		if ((c = view_add(v, "kinds")) != NULL) {
			view_set(c, "code", kinds[i].code);
			view_set(c, "label", kinds[i].label);
		}
	if (r->method == METHOD_POST && r->form.f[KEY_QUESTION].text != NULL) {
		/* Stop asking one question; its answers stay. */
		p[0] = r->form.f[KEY_QUESTION].text;
		p[1] = r->arg;
		if (db_exec(r->db, "UPDATE questions SET retired = true"
		    " WHERE id = $1 AND event = $2", 2, p) == -1)
			goto unavailable;
		view_set(v, "done_text", "That question is no longer asked. "
		    "Answers already given are kept.");
	} else if (r->method == METHOD_POST && question_add(r, v) == -1)
		goto unavailable;
	if (questions_list(r, v) == -1)
		goto unavailable;
	return http_page(r, view_has(v, "errors") ? 422 : 200, "questions", v);
unavailable:
	view_free(v);
	return http_error(r, 503);
}
