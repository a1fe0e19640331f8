/*
 * The evidence library: evaluations of social prescribing schemes as
 * structured records (who ran what, where, how it was studied, and what
 * each outcome showed), written by contributors and coordinators.  Every
 * save is a numbered revision holding the whole record, so any two can be
 * compared field by field and any old one restored as a new revision; a
 * save names the revision its form started from and is refused with an
 * edit conflict when someone saved in between.  The list filters by
 * design, outcome, finding, region and year, searches the text, and
 * gives the same rows as a spreadsheet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "web.h"
#include "pages.h"

#define NOUTCOMES	8
#define PAGE_SIZE	20	/* evaluations a page of the list shows */

/* Each outcome's three form fields, in the order of outcome_codes. */
static const enum key outcome_keys[NOUTCOMES][3] = {
	{ KEY_GP_CONSULTATIONS_DIRECTION, KEY_GP_CONSULTATIONS_MEASURE,
	  KEY_GP_CONSULTATIONS_FIGURE },
	{ KEY_AE_ATTENDANCE_DIRECTION, KEY_AE_ATTENDANCE_MEASURE,
	  KEY_AE_ATTENDANCE_FIGURE },
	{ KEY_WELLBEING_DIRECTION, KEY_WELLBEING_MEASURE,
	  KEY_WELLBEING_FIGURE },
	{ KEY_LONELINESS_DIRECTION, KEY_LONELINESS_MEASURE,
	  KEY_LONELINESS_FIGURE },
	{ KEY_ANXIETY_DEPRESSION_DIRECTION, KEY_ANXIETY_DEPRESSION_MEASURE,
	  KEY_ANXIETY_DEPRESSION_FIGURE },
	{ KEY_ACTIVATION_DIRECTION, KEY_ACTIVATION_MEASURE,
	  KEY_ACTIVATION_FIGURE },
	{ KEY_EMPLOYMENT_VOLUNTEERING_DIRECTION,
	  KEY_EMPLOYMENT_VOLUNTEERING_MEASURE,
	  KEY_EMPLOYMENT_VOLUNTEERING_FIGURE },
	{ KEY_COST_ROI_DIRECTION, KEY_COST_ROI_MEASURE, KEY_COST_ROI_FIGURE },
};
enum { O_DIRECTION, O_MEASURE, O_FIGURE };

/* The lists every evidence page may offer. */
static void
evidence_choices(struct view *v)
{
	view_codes(v, "designs", design_codes, design_labels);
	view_codes(v, "outcome_choices", outcome_codes, outcome_labels);
	view_codes(v, "directions", direction_codes, direction_labels);
	view_regions(v);
}

/* "1,180 participants" and "12 months", each only when given. */
static void
view_counts(struct view *v, const char *sample, const char *follow)
{
	char grouped[32];
	size_t len, i, o = 0;

	if (sample != NULL && *sample != '\0' &&
	    (len = strlen(sample)) < 20) {
		for (i = 0; i < len; i++) {
			if (i > 0 && (len - i) % 3 == 0)
				grouped[o++] = ',';
			grouped[o++] = sample[i];
		}
		grouped[o] = '\0';
		view_setf(v, "sample", "%s %s", grouped,
		    strcmp(sample, "1") == 0 ? "participant" : "participants");
	}
	if (follow != NULL && *follow != '\0')
		view_setf(v, "follow", "%s %s", follow,
		    strcmp(follow, "1") == 0 ? "month" : "months");
}

/* ------------------------------------------------------------------ */
/* The list, its filters, and the same rows as CSV                    */

struct filters {
	const char	*q;
	const char	*design;
	const char	*outcome;
	const char	*direction;
	const char	*region;
	char		 year[24];
};

/* The filters asked for, checked; a refused one is an error in v. */
static void
filters_read(struct request *r, struct view *v, struct filters *f)
{
	memset(f, 0, sizeof(*f));
	f->q = view_field(v, r, KEY_Q, NULL);
	f->region = view_field(v, r, KEY_REGION, NULL);
	f->design = view_field(v, r, KEY_DESIGN, NULL);
	if (f->design != NULL && code_index(design_codes, f->design) == -1) {
		view_error(v, "design", "Select a study design from the list");
		f->design = NULL;
	}
	f->outcome = view_field(v, r, KEY_OUTCOME, NULL);
	if (f->outcome != NULL && code_index(outcome_codes, f->outcome) ==
	    -1) {
		view_error(v, "outcome", "Select an outcome from the list");
		f->outcome = NULL;
	}
	f->direction = view_field(v, r, KEY_DIRECTION, NULL);
	if (f->direction != NULL && code_index(direction_codes,
	    f->direction) == -1) {
		view_error(v, "direction", "Select a finding from the list");
		f->direction = NULL;
	}
	if (view_field(v, r, KEY_YEAR, NULL) != NULL)
		snprintf(f->year, sizeof(f->year), "%ld",
		    r->form.f[KEY_YEAR].num);
}

/* The filters in the order the query and the summary name them. */
enum { F_Q, F_DESIGN, F_OUTCOME, F_DIRECTION, F_REGION, F_YEAR, F__MAX };
static const char *const filter_names[F__MAX] = { "q", "design", "outcome",
    "direction", "region", "year" };

/* Each filter's value, NULL when it is not applied. */
static void
filters_values(const struct filters *f, const char *vals[F__MAX])
{
	vals[F_Q] = f->q;
	vals[F_DESIGN] = f->design;
	vals[F_OUTCOME] = f->outcome;
	vals[F_DIRECTION] = f->direction;
	vals[F_REGION] = f->region;
	vals[F_YEAR] = f->year[0] != '\0' ? f->year : NULL;
}

/*
 * The filters as a query string, "?a=b&...", or "" when none: all of
 * them, or all but skip (F__MAX: skip none), for a link that removes one.
 */
static char *
filters_query(const struct filters *f, int skip)
{
	struct strbuf sb = { NULL, 0, 0, 0 };
	const char *vals[F__MAX];
	char *enc;
	int i;

	filters_values(f, vals);
	for (i = 0; i < F__MAX; i++) {
		if (vals[i] == NULL || i == skip)
			continue;
		if ((enc = util_url_encode(vals[i])) == NULL) {
			strbuf_free(&sb);
			return NULL;
		}
		strbuf_printf(&sb, "%c%s=%s", sb.len == 0 ? '?' : '&',
		    filter_names[i], enc);
		free(enc);
	}
	if (sb.len == 0)
		strbuf_str(&sb, "");
	return strbuf_take(&sb);
}

/*
 * What the list is narrowed by, above it: "Showing 12 evaluations:
 * outcome Wellbeing, year 2024", each filter with a link that removes
 * it alone, and Clear filters.
 */
static void
filters_summary(struct view *v, const struct filters *f, long total)
{
	struct strbuf sb = { NULL, 0, 0, 0 };
	const char *vals[F__MAX], *shown;
	static const char *const words[F__MAX] = { "search", "design",
	    "outcome", "finding", "region", "year" };
	struct view *item;
	char *q, *text;
	int i, n = 0;

	filters_values(f, vals);
	strbuf_printf(&sb, "Showing %ld %s", total, total == 1 ?
	    "evaluation" : "evaluations");
	for (i = 0; i < F__MAX; i++) {
		if (vals[i] == NULL)
			continue;
		shown = vals[i];
		if (i == F_DESIGN)
			shown = code_label(design_codes, design_labels, shown);
		else if (i == F_OUTCOME)
			shown = code_label(outcome_codes, outcome_labels, shown);
		else if (i == F_DIRECTION)
			shown = code_label(direction_codes, direction_labels,
			    shown);
		strbuf_printf(&sb, "%s%s %s%s%s", n++ == 0 ? ": " : ", ",
		    words[i], i == F_Q ? "\u201c" : "", shown,
		    i == F_Q ? "\u201d" : "");
		if ((item = view_add(v, "applied")) == NULL ||
		    (q = filters_query(f, i)) == NULL)
			continue;
		view_setf(item, "remove_href", "/evidence%s", q);
		view_setf(item, "remove_text", "%s %s%s%s", words[i],
		    i == F_Q ? "\u201c" : "", shown, i == F_Q ? "\u201d" : "");
		free(q);
	}
	if ((text = strbuf_take(&sb)) != NULL)
		view_set(v, "showing", text);
	free(text);
}

enum {
	L_ID, L_TITLE, L_SCHEME, L_AREA, L_REGION, L_YEAR, L_DESIGN,
	L_SAMPLE, L_FOLLOW, L_SUMMARY, L_OUTCOMES, L_TOTAL, L_RECEIVED
};

/*
 * The evaluations the filters select, newest year first, limit of them
 * from offset, with how many there are in all.  The outcomes come as
 * lines of "code<TAB>direction<TAB>measure<TAB>figure".
 */
static PGresult *
filters_run(struct request *r, const struct filters *f, const char *limit,
    const char *offset)
{
	const char *p[8];

	p[0] = f->q != NULL ? f->q : "";
	p[1] = f->design != NULL ? f->design : "";
	p[2] = f->outcome != NULL ? f->outcome : "";
	p[3] = f->direction != NULL ? f->direction : "";
	p[4] = f->region != NULL ? f->region : "";
	p[5] = f->year;
	p[6] = limit;
	p[7] = offset;
	return db_query(r->db, PGRES_TUPLES_OK, "SELECT e.id, e.title,"
	    " e.scheme, e.area, e.region, e.year, e.design, e.sample_size,"
	    " e.follow_up, e.summary,"
	    " (SELECT string_agg(o.outcome || E'\\t' || o.direction || E'\\t'"
	    "  || replace(o.measure, E'\\t', ' ') || E'\\t'"
	    "  || replace(o.figure, E'\\t', ' '), E'\\n'"
	    "  ORDER BY array_position(ARRAY['gp_consultations',"
	    "  'ae_attendance', 'wellbeing', 'loneliness',"
	    "  'anxiety_depression', 'activation', 'employment_volunteering',"
	    "  'cost_roi'], o.outcome))"
	    "  FROM evaluation_outcomes o WHERE o.evaluation = e.id),"
	    " count(*) OVER (), " SQL_ORIGIN("e")
	    " FROM evaluations e" SQL_KNOWN("e") " WHERE NOT e.deleted"
	    " AND ($1 = '' OR e.search @@ acorn_prefix_query($1))"
	    " AND ($2 = '' OR e.design = $2)"
	    " AND ($5 = '' OR e.region = $5)"
	    " AND ($6 = '' OR e.year = $6::integer)"
	    " AND (($3 = '' AND $4 = '') OR EXISTS (SELECT 1"
	    "  FROM evaluation_outcomes o WHERE o.evaluation = e.id"
	    "  AND ($3 = '' OR o.outcome = $3)"
	    "  AND ($4 = '' OR o.direction = $4)))"
	    " ORDER BY e.year DESC, lower(e.title), e.id"
	    " LIMIT $7::integer OFFSET $8::integer", 8, p);
}

/*
 * Walks the outcome lines of a list row: each call fills the four parts
 * of the next line and returns 1, or 0 at the end.  s is changed.
 */
static int
outcome_next(char **s, char **part)
{
	char *line;
	int i;

	if (*s == NULL || **s == '\0')
		return 0;
	line = strsep(s, "\n");
	for (i = 0; i < 4; i++)
		part[i] = line != NULL ? strsep(&line, "\t") : NULL;
	for (i = 0; i < 4; i++)
		if (part[i] == NULL)
			part[i] = (char *)"";
	return 1;
}

/* GET /evidence */
enum { EY_YEAR };

int
evidence_list(struct request *r)
{
	struct filters f;
	struct view *v, *e, *o, *c;
	struct pager pg;
	PGresult *res, *years;
	char *outs, *walk, *part[4], *qs;
	int i, n;

	if ((v = page_view(r, "Evidence")) == NULL)
		return http_error(r, 500);
	evidence_choices(v);
	filters_read(r, v, &f);
	view_set(v, "v_year", f.year);
	view_flag(v, "may_add", is_contributor(r));
	view_flag(v, "ask_role", r->account != NULL && !is_contributor(r));
	if ((years = db_query(r->db, PGRES_TUPLES_OK, "SELECT DISTINCT year"
	    " FROM evaluations WHERE NOT deleted ORDER BY year DESC", 0,
	    NULL)) == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	for (i = 0; i < PQntuples(years); i++)
		if ((c = view_add(v, "years")) != NULL)
			view_set(c, "year", PQgetvalue(years, i, EY_YEAR));
	PQclear(years);
	pager_init(&pg, r, PAGE_SIZE);
	if ((res = filters_run(r, &f, pg.limit, pg.offset)) == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	if (n > 0)
		pg.total = strtol(PQgetvalue(res, 0, L_TOTAL), NULL, 10);
	for (i = 0; i < n; i++) {
		if ((e = view_add(v, "evaluations")) == NULL)
			break;
		view_setf(e, "href", "/evidence/%s", PQgetvalue(res, i, L_ID));
		view_set(e, "ev_title", PQgetvalue(res, i, L_TITLE));
		view_set(e, "scheme", db_value(res, i, L_SCHEME));
		view_set(e, "area", db_value(res, i, L_AREA));
		view_set(e, "ev_region", PQgetvalue(res, i, L_REGION));
		view_set(e, "year", PQgetvalue(res, i, L_YEAR));
		view_set(e, "design", code_label(design_codes, design_labels,
		    PQgetvalue(res, i, L_DESIGN)));
		view_counts(e, db_value(res, i, L_SAMPLE),
		    db_value(res, i, L_FOLLOW));
		origin_view(e, res, i, L_RECEIVED);
		if ((outs = util_strdup(PQgetvalue(res, i, L_OUTCOMES))) ==
		    NULL)
			continue;
		walk = outs;
		while (outcome_next(&walk, part))
			if ((o = view_add(e, "found")) != NULL) {
				view_set(o, "outcome", code_label(outcome_codes,
				    outcome_labels, part[0]));
				view_set(o, "finding", code_label(
				    direction_codes, direction_labels,
				    part[1]));
				view_setf(o, "tag_class", "tag tag--%s",
				    part[1]);
			}
		free(outs);
	}
	view_flag(v, "none", n == 0);
	PQclear(res);
	filters_summary(v, &f, pg.total);
	/* Open while a filter needs correcting; folded otherwise. */
	view_flag(v, "filters_open", view_has(v, "errors"));
	if ((qs = filters_query(&f, F__MAX)) != NULL) {
		view_setf(v, "csv_href", "/evidence.csv%s", qs);
		free(qs);
	}
	view_pager(v, r, &pg);
	return http_page(r, view_has(v, "errors") ? 422 : 200, "evidence", v);
}

/* GET /evidence.csv: the filtered table, one row per evaluation. */
int
evidence_csv(struct request *r)
{
	static const char *const heads[] = { "Title", "Scheme", "Area",
	    "Region", "Year", "Study design", "Participants",
	    "Follow-up (months)" };
	struct filters f;
	struct view *v;
	struct csv *c;
	struct MHD_Response *resp;
	PGresult *res;
	char *outs, *walk, *part[4], *body, *link;
	const char *found[NOUTCOMES][3];
	size_t len, i;
	int row, n, k;

	if ((v = view_new()) == NULL)
		return http_error(r, 500);
	filters_read(r, v, &f);
	/* A spreadsheet that quietly ignored a filter would mislead. */
	if (view_has(v, "errors")) {
		view_free(v);
		return http_error(r, 400);
	}
	view_free(v);
	if ((res = filters_run(r, &f, "100000", "0")) == NULL)
		return http_error(r, 503);
	if ((c = csv_new()) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		csv_cell(c, heads[i]);
	for (k = 0; k < NOUTCOMES; k++) {
		char h[96];

		snprintf(h, sizeof(h), "%s: finding", outcome_labels[k]);
		csv_cell(c, h);
		snprintf(h, sizeof(h), "%s: measure", outcome_labels[k]);
		csv_cell(c, h);
		snprintf(h, sizeof(h), "%s: result", outcome_labels[k]);
		csv_cell(c, h);
	}
	csv_cell(c, "Summary");
	csv_cell(c, "Link");
	csv_row(c);
	n = PQntuples(res);
	for (row = 0; row < n; row++) {
		csv_cell(c, PQgetvalue(res, row, L_TITLE));
		csv_cell(c, PQgetvalue(res, row, L_SCHEME));
		csv_cell(c, PQgetvalue(res, row, L_AREA));
		csv_cell(c, PQgetvalue(res, row, L_REGION));
		csv_cell(c, PQgetvalue(res, row, L_YEAR));
		csv_cell(c, code_label(design_codes, design_labels,
		    PQgetvalue(res, row, L_DESIGN)));
		csv_cell(c, PQgetvalue(res, row, L_SAMPLE));
		csv_cell(c, PQgetvalue(res, row, L_FOLLOW));
		memset(found, 0, sizeof(found));
		outs = util_strdup(PQgetvalue(res, row, L_OUTCOMES));
		walk = outs;
		while (outs != NULL && outcome_next(&walk, part))
			if ((k = code_index(outcome_codes, part[0])) != -1) {
				found[k][0] = code_label(direction_codes,
				    direction_labels, part[1]);
				found[k][1] = part[2];
				found[k][2] = part[3];
			}
		for (k = 0; k < NOUTCOMES; k++) {
			csv_cell(c, found[k][0]);
			csv_cell(c, found[k][1]);
			csv_cell(c, found[k][2]);
		}
		free(outs);
		csv_cell(c, PQgetvalue(res, row, L_SUMMARY));
		link = util_printf("%s/evidence/%s", cfg->public_url,
		    PQgetvalue(res, row, L_ID));
		csv_cell(c, link);
		free(link);
		csv_row(c);
	}
	PQclear(res);
	if ((body = csv_finish(c, &len)) == NULL)
		return http_error(r, 500);
	resp = MHD_create_response_from_buffer(len, body,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
	    "text/csv; charset=utf-8; header=present");
	MHD_add_response_header(resp, "Content-Disposition",
	    "attachment; filename=\"evidence.csv\"");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return http_queue(r, 200, resp);
}

/* ------------------------------------------------------------------ */
/* One evaluation, as it is now or as an old revision held it         */

/*
 * The record of revision number (0: the current one) with what the page
 * needs around it.  Every field comes from the revision's JSON, so the
 * current record and an old one are read the same way.
 */
static const char record_query[] =
    "SELECT e.id, e.origin = $3, e.revision, rec->>'title',"
    " rec->>'scheme', rec->>'area', rec->>'region', rec->>'year',"
    " rec->>'design', rec->>'sample_size', rec->>'follow_up',"
    " rec->>'summary', rec->'outcomes',"
    " (SELECT l.author_name || ', ' || " SQL_LONDON("l.created", LONDON_STAMP)
    "  FROM evaluation_revisions l WHERE l.evaluation = e.id"
    "  AND l.number = CASE WHEN $2::integer = 0 THEN e.revision"
    "  ELSE $2::integer END), " SQL_ORIGIN("e")
    " FROM evaluations e CROSS JOIN LATERAL (SELECT CASE"
    "  WHEN $2::integer = 0 THEN acorn_evaluation_record(e.id)"
    "  ELSE (SELECT r.record FROM evaluation_revisions r"
    "  WHERE r.evaluation = e.id AND r.number = $2::integer) END AS rec) x"
    SQL_KNOWN("e")
    " WHERE e.id = $1::uuid AND NOT e.deleted AND rec IS NOT NULL";

enum {
	R_ID, R_LOCAL, R_REVISION, R_TITLE, R_SCHEME, R_AREA, R_REGION,
	R_YEAR, R_DESIGN, R_SAMPLE, R_FOLLOW, R_SUMMARY, R_OUTCOMES, R_BY,
	R_RECEIVED
};

/* The evaluation the path names, or NULL (*missing set when none). */
static PGresult *
record_fetch(struct request *r, long number, int *missing)
{
	const char *p[3];
	char num[24];
	PGresult *res;

	*missing = 0;
	if (!util_uuid_valid(r->arg)) {
		*missing = 1;
		return NULL;
	}
	snprintf(num, sizeof(num), "%ld", number);
	p[0] = r->arg;
	p[1] = num;
	p[2] = node_id;
	res = db_query(r->db, PGRES_TUPLES_OK, record_query, 3, p);
	if (res != NULL && PQntuples(res) != 1) {
		PQclear(res);
		*missing = 1;
		return NULL;
	}
	return res;
}

/* A record's outcomes: rows of outcome, measure, direction, figure. */
enum { RO_OUTCOME, RO_MEASURE, RO_DIRECTION, RO_FIGURE };

static PGresult *
record_outcomes(struct request *r, const char *json)
{
	const char *p[1];

	p[0] = json;
	return db_query(r->db, PGRES_TUPLES_OK, "SELECT o->>'outcome',"
	    " o->>'measure', o->>'direction', o->>'figure'"
	    " FROM jsonb_array_elements($1::jsonb) o", 1, p);
}

/* Whether this person may change the evaluation: 1, or 0 with a page. */
static int
record_may_edit(struct request *r, PGresult *res, int *answer)
{
	struct view *v;
	const char *msg = NULL;

	if (*PQgetvalue(res, 0, R_LOCAL) != 't') {
		*answer = origin_refuse(r, "evaluation", res, 0, R_RECEIVED);
		return 0;
	}
	if (!is_contributor(r))
		msg = "Evaluations are added and kept up to date by "
		    "contributors and coordinators. Ask your regional "
		    "coordinator to make you a contributor, or to correct "
		    "this evaluation.";
	if (msg == NULL)
		return 1;
	if ((v = page_view(r, "You cannot change this evaluation")) == NULL) {
		*answer = http_error(r, 500);
		return 0;
	}
	view_set(v, "message", msg);
	view_setf(v, "link_href", "/evidence/%s", r->arg);
	view_set(v, "link_text", "Back to the evaluation");
	*answer = http_page(r, 403, "message", v);
	return 0;
}

/* GET /evidence/{id}, and an old revision with ?revision=N */
/* Columns of an evaluation's files, as its page lists them. */
enum { EF_ID, EF_FILENAME, EF_SIZE, EF_SHA256, EF_ADDED };

int
evidence_show(struct request *r)
{
	struct view *v, *o, *fv;
	PGresult *res, *outs, *files;
	const char *p[1];
	long number = 0;
	int missing, i, local;

	if (r->form.f[KEY_REVISION].text != NULL)
		number = r->form.f[KEY_REVISION].num;
	if ((res = record_fetch(r, number, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	if ((outs = record_outcomes(r, PQgetvalue(res, 0, R_OUTCOMES))) ==
	    NULL) {
		PQclear(res);
		return http_error(r, 503);
	}
	p[0] = PQgetvalue(res, 0, R_ID);
	if ((files = db_query(r->db, PGRES_TUPLES_OK, "SELECT id, filename,"
	    " pg_size_pretty(size::bigint), sha256, "
	    SQL_LONDON("created", LONDON_STAMP)
	    " FROM evaluation_files"
	    " WHERE evaluation = $1 ORDER BY created, id", 1, p)) == NULL) {
		PQclear(outs);
		PQclear(res);
		return http_error(r, 503);
	}
	if ((v = page_view(r, PQgetvalue(res, 0, R_TITLE))) == NULL)
		goto fail;
	local = *PQgetvalue(res, 0, R_LOCAL) == 't';
	view_set(v, "ev_title", PQgetvalue(res, 0, R_TITLE));
	view_set(v, "scheme", db_value(res, 0, R_SCHEME));
	view_set(v, "area", db_value(res, 0, R_AREA));
	view_set(v, "ev_region", db_value(res, 0, R_REGION));
	view_set(v, "year", db_value(res, 0, R_YEAR));
	view_set(v, "design", code_label(design_codes, design_labels,
	    db_value(res, 0, R_DESIGN)));
	view_setf(v, "design_href", "/evidence?design=%s",
	    PQgetvalue(res, 0, R_DESIGN));
	view_counts(v, db_value(res, 0, R_SAMPLE), db_value(res, 0, R_FOLLOW));
	view_markdown(v, "summary", PQgetvalue(res, 0, R_SUMMARY), 2);
	for (i = 0; i < PQntuples(outs); i++) {
		if ((o = view_add(v, "outcomes")) == NULL)
			break;
		view_set(o, "outcome", code_label(outcome_codes,
		    outcome_labels, PQgetvalue(outs, i, RO_OUTCOME)));
		view_set(o, "measure", PQgetvalue(outs, i, RO_MEASURE));
		view_set(o, "finding", code_label(direction_codes,
		    direction_labels, PQgetvalue(outs, i, RO_DIRECTION)));
		view_setf(o, "tag_class", "tag tag--%s",
		    PQgetvalue(outs, i, RO_DIRECTION));
		view_set(o, "figure", PQgetvalue(outs, i, RO_FIGURE));
	}
	view_flag(v, "has_outcomes", PQntuples(outs) > 0);
	for (i = 0; i < PQntuples(files); i++) {
		if ((fv = view_add(v, "files")) == NULL)
			break;
		view_setf(fv, "file_href", "/evidence/files/%s",
		    PQgetvalue(files, i, EF_ID));
		view_set(fv, "filename", PQgetvalue(files, i, EF_FILENAME));
		view_setf(fv, "file_size", "PDF, %s", PQgetvalue(files, i, EF_SIZE));
		view_set(fv, "sha256", PQgetvalue(files, i, EF_SHA256));
		view_set(fv, "file_added", PQgetvalue(files, i, EF_ADDED));
	}
	view_set(v, "revision", PQgetvalue(res, 0, R_REVISION));
	view_set(v, "last", db_value(res, 0, R_BY));
	origin_view(v, res, 0, R_RECEIVED);
	view_flag(v, "may_edit", local && is_contributor(r));
	view_flag(v, "may_delete", local && is_coordinator(r));
	view_setf(v, "ev_href", "/evidence/%s", r->arg);
	view_setf(v, "edit_href", "/evidence/%s/edit", r->arg);
	view_setf(v, "history_href", "/evidence/%s/history", r->arg);
	view_setf(v, "files_href", "/evidence/%s/files", r->arg);
	view_setf(v, "delete_href", "/evidence/%s/delete", r->arg);
	if (number != 0)
		view_setf(v, "old_revision", "%ld", number);
	PQclear(files);
	PQclear(outs);
	PQclear(res);
	return http_page(r, 200, "evaluation", v);
fail:
	PQclear(files);
	PQclear(outs);
	PQclear(res);
	return http_error(r, 500);
}

/* ------------------------------------------------------------------ */
/* Writing: the form, its checks, and the save                         */

/*
 * The form comes in steps, one thing per page: the evaluation's details
 * with the outcomes it measured, then what it found for those outcomes
 * alone, then every answer to check, each with a Change button, before
 * anything is saved.  Editing starts at the check page.
 *
 * Answers travel between the steps as hidden fields of the form rather
 * than as a draft kept on the server: nothing to store, expire or clean
 * up, any of several serving processes can take the next step, and a
 * hidden field is read through the same checks as one typed in, on every
 * step and again before the save, so a changed hidden field can make no
 * more than its own field could.  The answers of outcomes not ticked are
 * dropped, never saved.  The revision the edit started from travels the
 * same way and the schema's acorn_evaluation_save still refuses a save
 * based on a revision that is no longer the current one.
 */
enum step { STEP_DETAILS, STEP_FINDINGS, STEP_CHECK, STEP_SAVE };
static const char *const step_names[] = { "details", "findings", "check",
    "save", NULL };

struct ev_fields {
	const char	*title;
	const char	*scheme;
	const char	*area;
	const char	*region;
	char		 year[24];
	const char	*design;
	char		 sample[24];
	char		 follow[24];
	const char	*summary;
	const char	*change;	/* the summary of this change */
	int		 chosen[NOUTCOMES];	/* ticked as measured */
	const char	*dir[NOUTCOMES];
	const char	*measure[NOUTCOMES];
	const char	*figure[NOUTCOMES];
};

/* What every evaluation form shows: its action and its choices. */
static struct view *
form_view(struct request *r, const char *title, const char *action)
{
	struct view *v;

	if ((v = page_form(r, title, action)) != NULL)
		evidence_choices(v);
	return v;
}

/* The step a button asked for; a form sent whole, as a script would, saves. */
static enum step
step_wanted(const struct request *r)
{
	const struct field *s = &r->form.f[KEY_STEP];
	int i;

	if (s->text == NULL && s->error == 0)
		return STEP_SAVE;
	if (s->text != NULL && (i = code_index(step_names, s->text)) != -1)
		return (enum step)i;
	return STEP_DETAILS;
}

/* The outcomes ticked as measured; a code not on the list is refused. */
static void
measured_read(struct request *r, struct view *v, struct ev_fields *f)
{
	const struct field *m = &r->form.f[KEY_MEASURED];
	char *copy, *walk, *w;
	int k;

	memset(f->chosen, 0, sizeof(f->chosen));
	if (m->error) {
		view_error(v, "measured", "Select the outcomes from the list");
		return;
	}
	if (m->text == NULL || (copy = util_strdup(m->text)) == NULL)
		return;
	walk = copy;
	while ((w = strsep(&walk, " ")) != NULL) {
		if (*w == '\0')
			continue;
		if ((k = code_index(outcome_codes, w)) == -1) {
			memset(f->chosen, 0, sizeof(f->chosen));
			view_error(v, "measured", "Select the outcomes from "
			    "the list");
			break;
		}
		f->chosen[k] = 1;
	}
	free(copy);
}

/* The first step's fields, checked; problems go into v. */
static void
details_read(struct request *r, struct view *v, struct ev_fields *f)
{
	time_t now = time(NULL);
	struct tm tm;

	memset(f, 0, sizeof(*f));
	gmtime_r(&now, &tm);
	f->title = view_field(v, r, KEY_TITLE, "Enter the evaluation's title");
	f->scheme = view_field(v, r, KEY_SCHEME, NULL);
	f->area = view_field(v, r, KEY_AREA, NULL);
	f->region = view_field(v, r, KEY_REGION, "Select a region");
	if (view_field(v, r, KEY_YEAR, "Enter the year it was published") !=
	    NULL) {
		if (r->form.f[KEY_YEAR].num < 1980 ||
		    r->form.f[KEY_YEAR].num > tm.tm_year + 1900 + 1)
			view_error(v, "year", "Enter a year from 1980 to next "
			    "year, like 2024");
		else
			snprintf(f->year, sizeof(f->year), "%ld",
			    r->form.f[KEY_YEAR].num);
	}
	f->design = view_field(v, r, KEY_DESIGN, "Select a study design");
	if (f->design != NULL && code_index(design_codes, f->design) == -1) {
		view_error(v, "design", "Select a study design from the list");
		f->design = NULL;
	}
	if (view_field(v, r, KEY_SAMPLE_SIZE, NULL) != NULL)
		snprintf(f->sample, sizeof(f->sample), "%ld",
		    r->form.f[KEY_SAMPLE_SIZE].num);
	if (view_field(v, r, KEY_FOLLOW_UP, NULL) != NULL) {
		if (r->form.f[KEY_FOLLOW_UP].num > 240)
			view_error(v, "follow_up", "Follow-up period must be "
			    "240 months or fewer");
		else
			snprintf(f->follow, sizeof(f->follow), "%ld",
			    r->form.f[KEY_FOLLOW_UP].num);
	}
	f->summary = view_field(v, r, KEY_ABSTRACT, "Enter a summary of what "
	    "the evaluation did and found");
	f->change = view_field(v, r, KEY_SUMMARY, NULL);
	measured_read(r, v, f);
}

/*
 * The findings of the ticked outcomes, checked; problems go into v.
 * With require, each needs what the evaluation found.  Outcomes not
 * ticked are dropped whatever was sent for them.
 */
static void
findings_read(struct request *r, struct view *v, struct ev_fields *f,
    int require)
{
	char msg[200];
	int k;

	for (k = 0; k < NOUTCOMES; k++) {
		f->dir[k] = f->measure[k] = f->figure[k] = NULL;
		if (!f->chosen[k])
			continue;
		f->dir[k] = view_field(v, r, outcome_keys[k][O_DIRECTION],
		    NULL);
		f->measure[k] = view_field(v, r, outcome_keys[k][O_MEASURE],
		    NULL);
		f->figure[k] = view_field(v, r, outcome_keys[k][O_FIGURE],
		    NULL);
		if (f->dir[k] != NULL &&
		    code_index(direction_codes, f->dir[k]) == -1) {
			snprintf(msg, sizeof(msg), "%s: select what the "
			    "evaluation found from the list",
			    outcome_labels[k]);
			view_error(v, form_key_name(
			    outcome_keys[k][O_DIRECTION]), msg);
			f->dir[k] = NULL;
		} else if (require && f->dir[k] == NULL &&
		    r->form.f[outcome_keys[k][O_DIRECTION]].error == 0) {
			snprintf(msg, sizeof(msg), "%s: select what the "
			    "evaluation found", outcome_labels[k]);
			view_error(v, form_key_name(
			    outcome_keys[k][O_DIRECTION]), msg);
		}
	}
}

/*
 * The findings of the ticked outcomes as they were sent, unchecked, to
 * carry back through the details page: they are checked when the person
 * moves on.  Only values the form layer took (one line, in length).
 */
static void
findings_keep(struct request *r, struct ev_fields *f)
{
	int k;

	for (k = 0; k < NOUTCOMES; k++) {
		f->dir[k] = f->chosen[k] ?
		    r->form.f[outcome_keys[k][O_DIRECTION]].text : NULL;
		f->measure[k] = f->chosen[k] ?
		    r->form.f[outcome_keys[k][O_MEASURE]].text : NULL;
		f->figure[k] = f->chosen[k] ?
		    r->form.f[outcome_keys[k][O_FIGURE]].text : NULL;
	}
}

static int
any_chosen(const struct ev_fields *f)
{
	int k;

	for (k = 0; k < NOUTCOMES; k++)
		if (f->chosen[k])
			return 1;
	return 0;
}

/* One hidden field carried to the next step, when it has a value. */
static void
carry(struct view *v, enum key k, const char *value)
{
	struct view *c;

	if (value == NULL || *value == '\0' || (c = view_add(v, "carry")) ==
	    NULL)
		return;
	view_set(c, "name", form_key_name(k));
	view_set(c, "value", value);
}

/* The answers of the steps other than shown, as hidden fields. */
static void
carry_answers(struct view *v, const struct ev_fields *f, enum step shown)
{
	int k, j;
	const char *const *vals[3];

	if (shown != STEP_DETAILS) {
		carry(v, KEY_TITLE, f->title);
		carry(v, KEY_SCHEME, f->scheme);
		carry(v, KEY_AREA, f->area);
		carry(v, KEY_REGION, f->region);
		carry(v, KEY_YEAR, f->year);
		carry(v, KEY_DESIGN, f->design);
		carry(v, KEY_SAMPLE_SIZE, f->sample);
		carry(v, KEY_FOLLOW_UP, f->follow);
		carry(v, KEY_ABSTRACT, f->summary);
		for (k = 0; k < NOUTCOMES; k++)
			if (f->chosen[k])
				carry(v, KEY_MEASURED, outcome_codes[k]);
	}
	if (shown != STEP_FINDINGS) {
		vals[O_DIRECTION] = f->dir;
		vals[O_MEASURE] = f->measure;
		vals[O_FIGURE] = f->figure;
		for (k = 0; k < NOUTCOMES; k++)
			for (j = 0; j < 3 && f->chosen[k]; j++)
				carry(v, outcome_keys[k][j], vals[j][k]);
	}
	if (shown != STEP_CHECK)
		carry(v, KEY_SUMMARY, f->change);
}

/* The details page: its fields are already in v from details_read. */
static void
details_page(struct view *v, const struct ev_fields *f)
{
	struct view *c;
	int k;

	view_flag(v, "step_details", 1);
	for (k = 0; k < NOUTCOMES; k++) {
		if ((c = view_add(v, "measured_choices")) == NULL)
			return;
		view_set(c, "code", outcome_codes[k]);
		view_set(c, "label", outcome_labels[k]);
		if (k == 0)
			view_set(c, "input_id", "measured");
		else
			view_setf(c, "input_id", "measured-%d", k + 1);
		view_flag(c, "on", f->chosen[k]);
	}
}

/* The findings page: a block of the three questions per ticked outcome. */
static void
findings_page(struct request *r, struct view *v, const struct ev_fields *f)
{
	struct view *o, *d;
	const char *name, *err;
	char key[64];
	int k, j, i;
	const char *const *vals[3];

	view_flag(v, "step_findings", 1);
	vals[O_DIRECTION] = f->dir;
	vals[O_MEASURE] = f->measure;
	vals[O_FIGURE] = f->figure;
	for (k = 0; k < NOUTCOMES; k++) {
		if (!f->chosen[k] || (o = view_add(v, "outcome_fields")) ==
		    NULL)
			continue;
		view_set(o, "legend", outcome_labels[k]);
		for (j = 0; j < 3; j++) {
			static const char *const part[3] = { "dir", "measure",
			    "figure" };
			char pk[32];

			name = form_key_name(outcome_keys[k][j]);
			snprintf(pk, sizeof(pk), "%s_name", part[j]);
			view_set(o, pk, name);
			snprintf(pk, sizeof(pk), "%s_error_id", part[j]);
			view_setf(o, pk, "%s-error", name);
			snprintf(pk, sizeof(pk), "v_%s", part[j]);
			/* A refused value is shown again as it was typed. */
			view_set(o, pk, vals[j][k] != NULL ? vals[j][k] :
			    r->form.f[outcome_keys[k][j]].shown);
			snprintf(key, sizeof(key), "e_%s", name);
			if ((err = view_get(v, key)) == NULL)
				continue;
			snprintf(pk, sizeof(pk), "e_%s", part[j]);
			view_set(o, pk, err);
			snprintf(pk, sizeof(pk), "e_%s_id", part[j]);
			view_setf(o, pk, "%s-error", name);
		}
		for (i = 0; direction_codes[i] != NULL; i++) {
			if ((d = view_add(o, "dir_choices")) == NULL)
				break;
			view_set(d, "code", direction_codes[i]);
			view_set(d, "label", direction_labels[i]);
			view_set(d, "dir_input", form_key_name(
			    outcome_keys[k][O_DIRECTION]));
			if (i == 0)
				view_set(d, "input_id", form_key_name(
				    outcome_keys[k][O_DIRECTION]));
			else
				view_setf(d, "input_id", "%s-%d", form_key_name(
				    outcome_keys[k][O_DIRECTION]), i + 1);
			view_flag(d, "on", f->dir[k] != NULL &&
			    strcmp(f->dir[k], direction_codes[i]) == 0);
		}
	}
}

/* One row of the check page: the question, the answer, where to change it. */
static void
check_row(struct view *v, const char *question, const char *answer,
    enum step step, const char *field)
{
	struct view *a;

	if ((a = view_add(v, "answers")) == NULL)
		return;
	view_set(a, "question", question);
	view_set(a, "answer", answer != NULL && *answer != '\0' ? answer :
	    "Not given");
	view_set(a, "change_step", step_names[step]);
	view_setf(a, "change_what", " %s", question);
	view_setf(a, "change_action", "%s#%s", view_get(v, "form_action"),
	    field);
}

/* The check page: every answer, each with its Change button. */
static void
check_page(struct view *v, const struct ev_fields *f)
{
	struct strbuf sb = { NULL, 0, 0, 0 };
	char *text;
	int k;

	view_flag(v, "step_check", 1);
	check_row(v, "Title", f->title, STEP_DETAILS, "title");
	check_row(v, "Scheme", f->scheme, STEP_DETAILS, "scheme");
	check_row(v, "Area", f->area, STEP_DETAILS, "area");
	check_row(v, "Region", f->region, STEP_DETAILS, "region");
	check_row(v, "Year published", f->year, STEP_DETAILS, "year");
	check_row(v, "Study design", code_label(design_codes, design_labels,
	    f->design), STEP_DETAILS, "design");
	check_row(v, "Number of participants", f->sample, STEP_DETAILS,
	    "sample_size");
	check_row(v, "Follow-up period in months", f->follow, STEP_DETAILS,
	    "follow_up");
	check_row(v, "Summary", f->summary, STEP_DETAILS, "abstract");
	for (k = 0; k < NOUTCOMES; k++)
		if (f->chosen[k])
			strbuf_printf(&sb, "%s%s", sb.len > 0 ? "\n" : "",
			    outcome_labels[k]);
	text = strbuf_take(&sb);
	check_row(v, "Outcomes measured", text != NULL && *text != '\0' ?
	    text : "None", STEP_DETAILS, "measured");
	free(text);
	for (k = 0; k < NOUTCOMES; k++) {
		if (!f->chosen[k])
			continue;
		/* "Improved. Measure: WEMWBS. Result: +4 points" */
		text = util_printf("%s%s%s%s%s",
		    f->dir[k] != NULL ? code_label(direction_codes,
		    direction_labels, f->dir[k]) : "Not given",
		    f->measure[k] != NULL ? ". Measure: " : "",
		    f->measure[k] != NULL ? f->measure[k] : "",
		    f->figure[k] != NULL ? ". Result: " : "",
		    f->figure[k] != NULL ? f->figure[k] : "");
		check_row(v, outcome_labels[k], text, STEP_FINDINGS,
		    form_key_name(outcome_keys[k][O_DIRECTION]));
		free(text);
	}
}

/* v made into the page of step, with the other steps' answers hidden. */
static void
step_page(struct request *r, struct view *v, const struct ev_fields *f,
    enum step step)
{
	if (step == STEP_DETAILS)
		details_page(v, f);
	else if (step == STEP_FINDINGS)
		findings_page(r, v, f);
	else
		check_page(v, f);
	view_flag(v, "has_outcomes", any_chosen(f));
	carry_answers(v, f, step);
}

/*
 * Saves f as a new revision of id (base 0: a new evaluation) through the
 * schema's acorn_evaluation_save, which writes the row, its outcomes and
 * the revision together.  Returns the new revision number, 0 when the
 * save was refused because base is no longer current, or -1.
 */
enum { ES_REVISION };

static long
fields_save(struct request *r, const char *id, long base,
    const struct ev_fields *f)
{
	const char *codes[NOUTCOMES], *dirs[NOUTCOMES], *measures[NOUTCOMES];
	const char *figures[NOUTCOMES], *p[18];
	char by[24], basenum[24], *arr[4] = { NULL, NULL, NULL, NULL };
	PGresult *res;
	size_t n = 0;
	long rev = -1;
	int k;

	for (k = 0; k < NOUTCOMES; k++) {
		if (f->dir[k] == NULL)
			continue;
		codes[n] = outcome_codes[k];
		dirs[n] = f->dir[k];
		measures[n] = f->measure[k] != NULL ? f->measure[k] : "";
		figures[n] = f->figure[k] != NULL ? f->figure[k] : "";
		n++;
	}
	if ((arr[0] = util_pg_array(codes, n)) == NULL ||
	    (arr[1] = util_pg_array(measures, n)) == NULL ||
	    (arr[2] = util_pg_array(dirs, n)) == NULL ||
	    (arr[3] = util_pg_array(figures, n)) == NULL)
		goto out;
	snprintf(by, sizeof(by), "%ld", r->account->id);
	snprintf(basenum, sizeof(basenum), "%ld", base);
	p[0] = id;
	p[1] = basenum;
	p[2] = f->title;
	p[3] = f->scheme;
	p[4] = f->area;
	p[5] = f->region;
	p[6] = f->year;
	p[7] = f->design;
	p[8] = f->sample[0] != '\0' ? f->sample : NULL;
	p[9] = f->follow[0] != '\0' ? f->follow : NULL;
	p[10] = f->summary;
	p[11] = arr[0];
	p[12] = arr[1];
	p[13] = arr[2];
	p[14] = arr[3];
	p[15] = by;
	p[16] = r->account->name;
	p[17] = f->change != NULL ? f->change : base == 0 ? "First version" :
	    "";
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT acorn_evaluation_save("
	    "$1::uuid, n.id, $2::integer, jsonb_build_object('title', $3::text,"
	    " 'scheme', $4::text, 'area', $5::text, 'region', $6::text,"
	    " 'year', $7::integer, 'design', $8::text,"
	    " 'sample_size', $9::integer, 'follow_up', $10::integer,"
	    " 'summary', $11::text, 'outcomes', (SELECT coalesce(jsonb_agg("
	    "  jsonb_build_object('outcome', o, 'measure', m, 'direction', d,"
	    "  'figure', f) ORDER BY i), '[]'::jsonb)"
	    "  FROM unnest($12::text[], $13::text[], $14::text[], $15::text[])"
	    "  WITH ORDINALITY AS t(o, m, d, f, i))),"
	    " $16::bigint, $17, $18, NULL) FROM node n", 18, p);
	if (res != NULL) {
		rev = PQgetisnull(res, 0, ES_REVISION) ? 0 :
		    strtol(PQgetvalue(res, 0, ES_REVISION), NULL, 10);
		PQclear(res);
	}
out:
	for (k = 0; k < 4; k++)
		free(arr[k]);
	return rev;
}

/* A page telling a member that only contributors write evaluations. */
static int
not_contributor(struct request *r)
{
	struct view *v;

	if ((v = page_view(r, "Only contributors can add evaluations")) ==
	    NULL)
		return http_error(r, 500);
	view_set(v, "message", "Evaluations are added and kept up to date by "
	    "contributors and coordinators. If you have an evaluation to "
	    "share, ask your regional coordinator to make you a "
	    "contributor.");
	view_set(v, "link_href", "/evidence");
	view_set(v, "link_text", "Back to the evidence");
	return http_page(r, 403, "message", v);
}

/*
 * The refused save: the person's own answers stay on the check page,
 * now based on the current revision, with who saved in between and a
 * link comparing the revision the form started from with the current
 * one.  v is the check page already.
 */
enum { EC_CURRENT = RV__COLUMNS };

static int
edit_conflict(struct request *r, struct view *v, long base)
{
	PGresult *res;
	const char *p[2];
	char num[24];
	int n;

	snprintf(num, sizeof(num), "%ld", base);
	p[0] = r->arg;
	p[1] = num;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT "
	    SQL_REVISION_COLUMNS("r.") ", e.revision"
	    " FROM evaluations e JOIN evaluation_revisions r"
	    " ON r.evaluation = e.id AND r.number > $2::integer"
	    " WHERE e.id = $1::uuid AND NOT e.deleted ORDER BY r.number",
	    2, p);
	if (res == NULL || (n = PQntuples(res)) == 0) {
		PQclear(res);
		view_free(v);
		return http_error(r, res == NULL ? 503 : 404);
	}
	view_set(v, "v_base", PQgetvalue(res, n - 1, EC_CURRENT));
	view_setf(v, "conflict_href", "/evidence/%s/compare?from=%ld&to=%s",
	    r->arg, base, PQgetvalue(res, n - 1, EC_CURRENT));
	revision_conflict(v, "title", "Someone else saved this evaluation "
	    "while you were editing it. Your changes have not been saved yet: "
	    "they are still here. Look at what they changed, change what you "
	    "need, and save again.", res);
	PQclear(res);
	return http_page(r, 409, "evaluation_form", v);
}


/* The answers of a stored record; they point into res and *outs. */
static int
fields_of_record(struct request *r, PGresult *res, PGresult **outs,
    struct ev_fields *f)
{
	const char *s;
	int i, k;

	memset(f, 0, sizeof(*f));
	f->title = PQgetvalue(res, 0, R_TITLE);
	f->scheme = db_value(res, 0, R_SCHEME);
	f->area = db_value(res, 0, R_AREA);
	f->region = db_value(res, 0, R_REGION);
	if ((s = db_value(res, 0, R_YEAR)) != NULL)
		snprintf(f->year, sizeof(f->year), "%s", s);
	f->design = db_value(res, 0, R_DESIGN);
	if ((s = db_value(res, 0, R_SAMPLE)) != NULL)
		snprintf(f->sample, sizeof(f->sample), "%s", s);
	if ((s = db_value(res, 0, R_FOLLOW)) != NULL)
		snprintf(f->follow, sizeof(f->follow), "%s", s);
	f->summary = db_value(res, 0, R_SUMMARY);
	if ((*outs = record_outcomes(r, PQgetvalue(res, 0, R_OUTCOMES))) ==
	    NULL)
		return -1;
	for (i = 0; i < PQntuples(*outs); i++) {
		if ((k = code_index(outcome_codes, PQgetvalue(*outs, i,
		    RO_OUTCOME))) == -1)
			continue;
		f->chosen[k] = 1;
		f->dir[k] = PQgetvalue(*outs, i, RO_DIRECTION);
		if (*(s = PQgetvalue(*outs, i, RO_MEASURE)) != '\0')
			f->measure[k] = s;
		if (*(s = PQgetvalue(*outs, i, RO_FIGURE)) != '\0')
			f->figure[k] = s;
	}
	return 0;
}

/*
 * One POST of the form: a new evaluation (id NULL), or an edit of id,
 * whose current revision is current.  Each step reads every answer
 * sent, hidden or typed, through the same checks; the first step with
 * a problem is shown again with it, so nothing refused goes further.
 */
static int
form_step(struct request *r, struct view *v, const char *id,
    const char *current)
{
	struct ev_fields f;
	enum step want = step_wanted(r);
	char newid[ACORN_UUID_LEN + 1];
	long rev, base;

	details_read(r, v, &f);
	if (id != NULL)
		revision_base(r, v, "title", current);
	if (want == STEP_DETAILS || view_has(v, "errors")) {
		findings_keep(r, &f);
		step_page(r, v, &f, STEP_DETAILS);
		return http_page(r, view_has(v, "errors") ? 422 : 200,
		    "evaluation_form", v);
	}
	findings_read(r, v, &f, want >= STEP_CHECK);
	if (view_has(v, "errors") || (want == STEP_FINDINGS &&
	    any_chosen(&f))) {
		step_page(r, v, &f, STEP_FINDINGS);
		return http_page(r, view_has(v, "errors") ? 422 : 200,
		    "evaluation_form", v);
	}
	if (want != STEP_SAVE) {
		step_page(r, v, &f, STEP_CHECK);
		return http_page(r, 200, "evaluation_form", v);
	}
	if (id == NULL) {
		view_free(v);
		if (util_uuid(newid) == -1 || db_begin(r->db) == -1 ||
		    fields_save(r, newid, 0, &f) <= 0 ||
		    audit_commit(r->db, r->account->id, "evaluation_create",
		    newid) == -1)
			return http_error(r, 503);
		return http_redirectf(r, "/evidence/%s", newid);
	}
	base = r->form.f[KEY_BASE].num;
	if (db_begin(r->db) == -1 ||
	    (rev = fields_save(r, id, base, &f)) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	if (rev == 0) {
		db_rollback(r->db);
		step_page(r, v, &f, STEP_CHECK);
		return edit_conflict(r, v, base);
	}
	view_free(v);
	if (audit_commit(r->db, r->account->id, "evaluation_edit", id) == -1)
		return http_error(r, 503);
	return http_redirectf(r, "/evidence/%s", id);
}

/* GET and POST /evidence/new: the details come first. */
int
evidence_new(struct request *r)
{
	struct ev_fields f;
	struct view *v;

	if (!is_contributor(r))
		return not_contributor(r);
	if ((v = form_view(r, "Add an evaluation", "/evidence/new")) == NULL)
		return http_error(r, 500);
	view_flag(v, "creating", 1);
	if (r->method == METHOD_POST)
		return form_step(r, v, NULL, NULL);
	memset(&f, 0, sizeof(f));
	view_set(v, "v_region", cfg->region);
	step_page(r, v, &f, STEP_DETAILS);
	return http_page(r, 200, "evaluation_form", v);
}

/* GET and POST /evidence/{id}/edit: an edit starts at the check page. */
int
evidence_edit(struct request *r)
{
	struct ev_fields f;
	struct view *v;
	PGresult *res, *outs = NULL;
	char action[160];
	int missing, answer, rc;

	if ((res = record_fetch(r, 0, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	if (!record_may_edit(r, res, &answer)) {
		PQclear(res);
		return answer;
	}
	snprintf(action, sizeof(action), "/evidence/%s/edit", r->arg);
	if ((v = form_view(r, "Edit evaluation", action)) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	view_set(v, "ev_title", PQgetvalue(res, 0, R_TITLE));
	view_setf(v, "ev_href", "/evidence/%s", r->arg);
	if (r->method == METHOD_POST) {
		rc = form_step(r, v, r->arg, PQgetvalue(res, 0, R_REVISION));
		PQclear(res);
		return rc;
	}
	if (fields_of_record(r, res, &outs, &f) == -1) {
		view_free(v);
		rc = http_error(r, 503);
	} else {
		view_set(v, "v_base", PQgetvalue(res, 0, R_REVISION));
		step_page(r, v, &f, STEP_CHECK);
		rc = http_page(r, 200, "evaluation_form", v);
	}
	PQclear(outs);
	PQclear(res);
	return rc;
}

/* ------------------------------------------------------------------ */
/* History, comparison and restore                                     */

/* GET /evidence/{id}/history, a page of revisions at a time */
enum { EH_RESTORED_FROM = RV__COLUMNS, EH_TOTAL };

int
evidence_history(struct request *r)
{
	struct view *v, *h;
	struct pager pg;
	PGresult *res, *revs;
	const char *p[3], *why;
	char home[160];
	long current;
	int missing, i, n, may;

	if ((res = record_fetch(r, 0, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	pager_init(&pg, r, PAGE_SIZE);
	p[0] = PQgetvalue(res, 0, R_ID);
	p[1] = pg.limit;
	p[2] = pg.offset;
	revs = db_query(r->db, PGRES_TUPLES_OK, "SELECT "
	    SQL_REVISION_COLUMNS("") ", restored_from, count(*) OVER ()"
	    " FROM evaluation_revisions WHERE evaluation = $1"
	    " ORDER BY number DESC LIMIT $2::integer OFFSET $3::integer",
	    3, p);
	if (revs == NULL) {
		PQclear(res);
		return http_error(r, 503);
	}
	if ((v = page_view(r, "History")) == NULL) {
		PQclear(revs);
		PQclear(res);
		return http_error(r, 500);
	}
	snprintf(home, sizeof(home), "/evidence/%s", r->arg);
	view_set(v, "ev_title", PQgetvalue(res, 0, R_TITLE));
	view_set(v, "ev_href", home);
	view_setf(v, "compare_action", "%s/compare", home);
	view_setf(v, "restore_action", "%s/restore", home);
	may = *PQgetvalue(res, 0, R_LOCAL) == 't' && is_contributor(r);
	current = strtol(PQgetvalue(res, 0, R_REVISION), NULL, 10);
	n = PQntuples(revs);
	for (i = 0; i < n; i++) {
		if ((h = revision_row(v, home, revs, i, current, may)) == NULL)
			break;
		why = PQgetvalue(revs, i, RV_SUMMARY);
		if (db_value(revs, i, EH_RESTORED_FROM) != NULL)
			view_setf(h, "summary", "%s%sRestored revision %s",
			    why, *why != '\0' ? ". " : "",
			    PQgetvalue(revs, i, EH_RESTORED_FROM));
	}
	if (n > 0)
		pg.total = strtol(PQgetvalue(revs, 0, EH_TOTAL), NULL, 10);
	if (current > 1) {
		view_setf(v, "v_from", "%ld", current - 1);
		view_setf(v, "v_to", "%ld", current);
	}
	view_flag(v, "several", current > 1);
	revision_numbers(v, current);
	view_pager(v, r, &pg);
	PQclear(revs);
	PQclear(res);
	return http_page(r, 200, "evaluation_history", v);
}

/*
 * The fields of two revisions side by side, for the compare page: one
 * row per field or outcome, the ones that differ marked.
 */
static const char compare_query[] =
    "WITH a AS (SELECT record FROM evaluation_revisions"
    "  WHERE evaluation = $1::uuid AND number = $2::integer),"
    " b AS (SELECT record FROM evaluation_revisions"
    "  WHERE evaluation = $1::uuid AND number = $3::integer)"
    " SELECT k, (SELECT record->>k FROM a), (SELECT record->>k FROM b)"
    " FROM unnest(ARRAY['title', 'scheme', 'area', 'region', 'year',"
    "  'design', 'sample_size', 'follow_up', 'summary']) WITH ORDINALITY"
    "  AS f(k, i)"
    " WHERE EXISTS (SELECT 1 FROM a) AND EXISTS (SELECT 1 FROM b)"
    " UNION ALL"
    " SELECT o, (SELECT concat_ws(E'\\t', x->>'direction', x->>'measure',"
    "  x->>'figure') FROM a, jsonb_array_elements(a.record->'outcomes') x"
    "  WHERE x->>'outcome' = o),"
    " (SELECT concat_ws(E'\\t', x->>'direction', x->>'measure',"
    "  x->>'figure') FROM b, jsonb_array_elements(b.record->'outcomes') x"
    "  WHERE x->>'outcome' = o)"
    " FROM unnest(ARRAY['gp_consultations', 'ae_attendance', 'wellbeing',"
    "  'loneliness', 'anxiety_depression', 'activation',"
    "  'employment_volunteering', 'cost_roi']) o"
    " WHERE EXISTS (SELECT 1 FROM a) AND EXISTS (SELECT 1 FROM b)";
enum { CQ_KEY, CQ_FROM, CQ_TO };

static const struct {
	const char	*key;
	const char	*label;
} record_fields[] = {
	{ "title", "Title" }, { "scheme", "Scheme" }, { "area", "Area" },
	{ "region", "Region" }, { "year", "Year" },
	{ "design", "Study design" }, { "sample_size", "Participants" },
	{ "follow_up", "Follow-up (months)" }, { "summary", "Summary" },
};

/* How a compared value reads: labels for codes, outcomes spelled out. */
static char *
compare_text(const char *key, const char *value)
{
	char *copy, *walk, *part[4];
	const char *label;
	char *out;

	if (value == NULL)
		return util_strdup("");
	if (strcmp(key, "design") == 0 &&
	    (label = code_label(design_codes, design_labels, value)) != NULL)
		return util_strdup(label);
	if (code_index(outcome_codes, key) == -1)
		return util_strdup(value);
	/* direction, measure, figure: "Improved (WEMWBS): +4 points" */
	if ((copy = util_strdup(value)) == NULL)
		return NULL;
	walk = copy;
	part[0] = strsep(&walk, "\t");
	part[1] = walk != NULL ? strsep(&walk, "\t") : NULL;
	part[2] = walk;
	label = code_label(direction_codes, direction_labels, part[0]);
	out = util_printf("%s%s%s%s%s%s", label != NULL ? label : part[0],
	    part[1] != NULL && *part[1] != '\0' ? " (" : "",
	    part[1] != NULL && *part[1] != '\0' ? part[1] : "",
	    part[1] != NULL && *part[1] != '\0' ? ")" : "",
	    part[2] != NULL && *part[2] != '\0' ? ": " : "",
	    part[2] != NULL ? part[2] : "");
	free(copy);
	return out;
}

/*
 * "2 fields changed: Title and Wellbeing." from the names of the
 * changed fields, one per line of names.
 */
static void
compare_count(struct view *v, const char *names, int changed)
{
	struct strbuf sb = { NULL, 0, 0, 0 };
	const char *s = names, *nl;
	char *text;
	int i = 0;

	if (changed == 0) {
		view_set(v, "change_count", "The two revisions are the same.");
		return;
	}
	strbuf_printf(&sb, "%d %s changed: ", changed, changed == 1 ?
	    "field" : "fields");
	for (; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
		i++;
		strbuf_printf(&sb, "%s%.*s", i == 1 ? "" : i == changed ?
		    " and " : ", ", (int)(nl - s), s);
	}
	strbuf_str(&sb, ".");
	if ((text = strbuf_take(&sb)) != NULL)
		view_set(v, "change_count", text);
	free(text);
}

/*
 * GET /evidence/{id}/compare?from=N&to=M, and with changed=1 only the
 * fields that changed.
 */
int
evidence_compare(struct request *r)
{
	struct strbuf names = { NULL, 0, 0, 0 };
	struct view *v, *row;
	PGresult *res, *cmp;
	const char *p[3], *key, *label;
	char from[24], to[24], *a, *b, *list;
	int missing, i, differ, changed = 0, shown = 0, only;

	if (r->form.f[KEY_FROM].text == NULL || r->form.f[KEY_TO].text == NULL)
		return http_error(r, 404);
	if ((res = record_fetch(r, 0, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	snprintf(from, sizeof(from), "%ld", r->form.f[KEY_FROM].num);
	snprintf(to, sizeof(to), "%ld", r->form.f[KEY_TO].num);
	only = r->form.f[KEY_CHANGED].num == 1;
	p[0] = PQgetvalue(res, 0, R_ID);
	p[1] = from;
	p[2] = to;
	if ((cmp = db_query(r->db, PGRES_TUPLES_OK, compare_query, 3, p)) ==
	    NULL || PQntuples(cmp) == 0) {
		PQclear(res);
		i = cmp == NULL;
		PQclear(cmp);
		return http_error(r, i ? 503 : 404);
	}
	if ((v = page_view(r, "Compare revisions")) == NULL) {
		PQclear(cmp);
		PQclear(res);
		return http_error(r, 500);
	}
	view_set(v, "ev_title", PQgetvalue(res, 0, R_TITLE));
	view_setf(v, "ev_href", "/evidence/%s", r->arg);
	view_setf(v, "history_href", "/evidence/%s/history", r->arg);
	view_setf(v, "from_label", "Revision %s", from);
	view_setf(v, "to_label", "Revision %s", to);
	for (i = 0; i < PQntuples(cmp); i++) {
		key = PQgetvalue(cmp, i, CQ_KEY);
		if ((label = code_label(outcome_codes, outcome_labels, key)) ==
		    NULL) {
			size_t j;

			for (j = 0; j < sizeof(record_fields) /
			    sizeof(record_fields[0]); j++)
				if (strcmp(record_fields[j].key, key) == 0)
					label = record_fields[j].label;
		}
		a = compare_text(key, db_value(cmp, i, CQ_FROM));
		b = compare_text(key, db_value(cmp, i, CQ_TO));
		if (a == NULL || b == NULL || (*a == '\0' && *b == '\0')) {
			free(a);
			free(b);
			continue;
		}
		if ((differ = strcmp(a, b) != 0)) {
			changed++;
			strbuf_printf(&names, "%s\n", label);
		}
		if ((differ || !only) && (row = view_add(v, "rows")) != NULL) {
			view_set(row, "field", label);
			view_set(row, "left", *a != '\0' ? a : "Not given");
			view_set(row, "right", *b != '\0' ? b : "Not given");
			view_flag(row, "changed", differ);
			shown++;
		}
		free(a);
		free(b);
	}
	list = strbuf_take(&names);
	compare_count(v, list != NULL ? list : "", changed);
	free(list);
	view_set(v, "table_caption", only ? "The fields that changed between "
	    "the two revisions" : "Each field in the two revisions; changed "
	    "fields are marked");
	view_flag(v, "only_changed", only);
	if (only)
		view_setf(v, "all_href", "/evidence/%s/compare?from=%s&to=%s",
		    r->arg, from, to);
	else if (changed > 0 && changed < shown)
		view_setf(v, "hide_href", "/evidence/%s/compare?from=%s&to=%s"
		    "&changed=1", r->arg, from, to);
	PQclear(cmp);
	PQclear(res);
	return http_page(r, 200, "evaluation_compare", v);
}

/* POST /evidence/{id}/restore: an old revision saved again as the newest. */
enum { ER_REVISION };

int
evidence_restore(struct request *r)
{
	PGresult *res, *saved;
	const char *p[4];
	char num[24], by[24];
	int missing, answer, rc;

	if ((res = record_fetch(r, 0, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	if (!record_may_edit(r, res, &answer)) {
		PQclear(res);
		return answer;
	}
	if (r->form.f[KEY_REVISION].text == NULL) {
		PQclear(res);
		return http_error(r, 400);
	}
	snprintf(num, sizeof(num), "%ld", r->form.f[KEY_REVISION].num);
	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = PQgetvalue(res, 0, R_ID);
	p[1] = num;
	p[2] = by;
	p[3] = r->account->name;
	/* Based on whatever is current: restoring is a deliberate overwrite. */
	if (db_begin(r->db) == -1) {
		PQclear(res);
		return http_error(r, 503);
	}
	saved = db_query(r->db, PGRES_TUPLES_OK, "SELECT"
	    " acorn_evaluation_save(e.id, e.origin, e.revision, v.record,"
	    " $3::bigint, $4, '', v.number)"
	    " FROM evaluations e JOIN evaluation_revisions v"
	    " ON v.evaluation = e.id AND v.number = $2::integer"
	    " WHERE e.id = $1::uuid", 4, p);
	PQclear(res);
	if (saved == NULL)
		return http_error(r, 503);
	rc = PQntuples(saved) == 1 && !PQgetisnull(saved, 0, ER_REVISION);
	PQclear(saved);
	if (!rc) {
		db_rollback(r->db);
		return http_error(r, 404);
	}
	if (audit_commit(r->db, r->account->id, "evaluation_restore",
	    r->arg) == -1)
		return http_error(r, 503);
	return http_redirectf(r, "/evidence/%s", r->arg);
}

/*
 * Empties an evaluation down to its tombstone.  The row is emptied only
 * once its outcomes are gone, in a statement of its own: the search
 * trigger reads the outcomes, and within one statement it would still
 * see them and keep their words in the tombstone.  The deletion is
 * recorded as actor's in the same transaction.
 */
static int
evaluation_erase(struct db *db, const char *id, long actor)
{
	const char *p[1] = { id };

	if (db_begin(db) == -1)
		return -1;
	if (db_exec(db, "WITH f AS (DELETE FROM evaluation_files"
	    "  WHERE evaluation = $1::uuid),"
	    " v AS (DELETE FROM evaluation_revisions"
	    "  WHERE evaluation = $1::uuid)"
	    " DELETE FROM evaluation_outcomes WHERE evaluation = $1::uuid",
	    1, p) == -1)
		goto fail;
	if (db_exec(db, "UPDATE evaluations SET deleted = true, title = NULL,"
	    " scheme = NULL, area = NULL, region = NULL, year = NULL,"
	    " design = NULL, sample_size = NULL, follow_up = NULL,"
	    " summary = NULL, entry = NULL, created_by = NULL,"
	    " updated = now()"
	    " WHERE id = $1::uuid AND NOT deleted", 1, p) == -1)
		goto fail;
	return audit_commit(db, actor, "evaluation_delete", id);
fail:
	db_rollback(db);
	return -1;
}

/*
 * GET and POST /evidence/{id}/delete: coordinators only.  What is left
 * is a tombstone (id, origin, version, time) so that every node it was
 * shared with can be told; the record, its revisions and files go.
 */
int
evidence_delete(struct request *r)
{
	struct view *v;
	PGresult *res;
	const char *p[1];
	int missing, answer, rc;

	if ((res = record_fetch(r, 0, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	if (!record_may_edit(r, res, &answer)) {
		PQclear(res);
		return answer;
	}
	if (r->method != METHOD_POST || !r->form.f[KEY_CONFIRM].num) {
		if ((v = page_view(r, "Delete evaluation")) == NULL) {
			PQclear(res);
			return http_error(r, 500);
		}
		view_set(v, "ev_title", PQgetvalue(res, 0, R_TITLE));
		view_setf(v, "ev_href", "/evidence/%s", r->arg);
		view_setf(v, "form_action", "/evidence/%s/delete", r->arg);
		if (r->method == METHOD_POST)
			view_error(v, "confirm", "Tick the box to confirm that "
			    "the evaluation should be deleted");
		PQclear(res);
		return http_page(r, r->method == METHOD_POST ? 422 : 200,
		    "evaluation_delete", v);
	}
	p[0] = PQgetvalue(res, 0, R_ID);
	rc = evaluation_erase(r->db, p[0], r->account->id);
	PQclear(res);
	if (rc == -1)
		return http_error(r, 503);
	return http_redirect(r, "/evidence");
}

/* Evaluations matching a search, for /search: into v's "results". */
enum {
	ESR_ID, ESR_TITLE, ESR_DESIGN, ESR_YEAR, ESR_REGION, ESR_SNIPPET
};

const char evidence_search_sql[] =
    "SELECT id, title, design, year, region,"
    " ts_headline('simple', summary, acorn_prefix_query($1),"
    "  'StartSel=\"\", StopSel=\"\", MaxWords=30, MinWords=12')"
    " FROM evaluations WHERE NOT deleted"
    " AND search @@ acorn_prefix_query($1)"
    " ORDER BY ts_rank(search, acorn_prefix_query($1)) DESC,"
    " year DESC, lower(title) LIMIT 50";

void
evidence_search_row(struct view *s, PGresult *res, int i)
{
	view_setf(s, "href", "/evidence/%s", PQgetvalue(res, i, ESR_ID));
	view_set(s, "result_title", PQgetvalue(res, i, ESR_TITLE));
	view_setf(s, "meta", "%s, %s, %s", code_label(design_codes,
	    design_labels, PQgetvalue(res, i, ESR_DESIGN)),
	    PQgetvalue(res, i, ESR_YEAR), PQgetvalue(res, i, ESR_REGION));
	view_set(s, "snippet", PQgetvalue(res, i, ESR_SNIPPET));
}
