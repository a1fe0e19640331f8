/*
 * The evidence summary: across every evaluation this node holds, its own
 * and those its peers shared, how much evidence there is and what it
 * found for each outcome, by study design and by region, with the
 * returns on investment reported.  It answers the two questions
 * commissioners ask on one page they can read in a minute.  The counting
 * is done by PostgreSQL in three queries, whatever the number of
 * evaluations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define SUMMARY_REGIONS	64	/* rows of the region chart */
#define SUMMARY_ROI	200	/* returns on investment listed */

/* Designs with a comparison group, which say most about cause and effect. */
#define CONTROLLED_DESIGNS	"{rct,quasi_experimental}"

/*
 * The rows of one chart as the counts come in.  kind is both what the
 * counting query calls the grouping and the key the evidence list is
 * filtered by.  Rows are the codes of a fixed table in its order, or
 * with codes NULL, the values found, in the order they come.
 */
struct tally {
	const char	*kind;
	const char *const *codes;
	struct chart_row rows[SUMMARY_REGIONS];
	char		*hrefs[SUMMARY_REGIONS];
	int		 nrows;
};

static void
tally_free(struct tally *t)
{
	int i;

	for (i = 0; i < t->nrows; i++)
		free(t->hrefs[i]);
	t->nrows = 0;
}

/* Appends a row for value, labelled label; -1 when full or out of memory. */
static int
tally_row(struct tally *t, const char *value, const char *label)
{
	char *enc;

	if (t->nrows == SUMMARY_REGIONS)
		return -1;
	if ((enc = util_url_encode(value)) == NULL)
		return -1;
	t->hrefs[t->nrows] = util_printf("/evidence?%s=%s", t->kind, enc);
	free(enc);
	if (t->hrefs[t->nrows] == NULL)
		return -1;
	memset(&t->rows[t->nrows], 0, sizeof(t->rows[0]));
	t->rows[t->nrows].label = label;
	t->rows[t->nrows].href = t->hrefs[t->nrows];
	return t->nrows++;
}

/* One row per code of a fixed table, in its order, all at 0. */
static int
tally_codes(struct tally *t, const char *kind, const char *const *codes,
    const char *const *labels)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->codes = codes;
	for (i = 0; codes[i] != NULL; i++)
		if (tally_row(t, codes[i], labels[i]) == -1)
			return -1;
	return 0;
}

/* The row for value; -1 when there is none. */
static int
tally_find(const struct tally *t, const char *value)
{
	int i;

	for (i = 0; i < t->nrows; i++)
		if (strcmp(t->codes != NULL ? t->codes[i] : t->rows[i].label,
		    value) == 0)
			return i;
	return -1;
}

static int
direction_index(const char *code)
{
	int i;

	for (i = 0; code != NULL && direction_codes[i] != NULL; i++)
		if (strcmp(direction_codes[i], code) == 0)
			return i;
	return -1;
}

static const char *
plural(long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The headline figures; $1 the designs counted as controlled. */
static const char headline_query[] =
    "SELECT count(*),"
    " to_char(coalesce(sum(sample_size), 0), 'FM999,999,999,990'),"
    " count(sample_size), min(year), max(year),"
    " count(*) FILTER (WHERE design = ANY ($1::text[]))"
    " FROM evaluations WHERE NOT deleted";

enum {
	HL_COUNT, HL_PARTICIPANTS, HL_GIVEN, HL_FIRST, HL_LAST, HL_CONTROLLED
};

/*
 * The headline figures.  Sets *n to the number of evaluations.  Returns
 * -1 when the database failed.
 */
static int
summary_headline(struct request *r, struct view *v, long *n)
{
	const char *p[1] = { CONTROLLED_DESIGNS };
	PGresult *res;
	long given, controlled;
	const char *first, *last;

	res = db_query(r->db, PGRES_TUPLES_OK, headline_query, 1, p);
	if (res == NULL)
		return -1;
	*n = strtol(PQgetvalue(res, 0, HL_COUNT), NULL, 10);
	given = strtol(PQgetvalue(res, 0, HL_GIVEN), NULL, 10);
	controlled = strtol(PQgetvalue(res, 0, HL_CONTROLLED), NULL, 10);
	first = db_value(res, 0, HL_FIRST);
	last = db_value(res, 0, HL_LAST);
	view_setf(v, "evaluations", "%ld", *n);
	view_set(v, "evaluations_word", plural(*n, "evaluation",
	    "evaluations"));
	view_set(v, "participants", PQgetvalue(res, 0, HL_PARTICIPANTS));
	view_set(v, "participants_word", strcmp(PQgetvalue(res, 0,
	    HL_PARTICIPANTS), "1") == 0 ? "participant" : "participants");
	if (given < *n)
		view_setf(v, "participants_note", "in the %ld %s that gave a "
		    "sample size", given, plural(given, "evaluation",
		    "evaluations"));
	if (first != NULL && last != NULL && strcmp(first, last) != 0)
		view_setf(v, "years", "%s to %s", first, last);
	else
		view_set(v, "years", first);
	view_setf(v, "controlled", "%ld", controlled);
	view_set(v, "controlled_word", plural(controlled, "evaluation",
	    "evaluations"));
	PQclear(res);
	return 0;
}

/*
 * The counts behind the three charts, in one grouped query: outcome
 * results by outcome, by design and by region, each split by direction.
 * An outcome is measured at most once per evaluation, so by outcome the
 * counts are of evaluations.  The outer join keeps a region whose
 * evaluations report no outcome yet.  $1: the regions in their order.
 */
static const char count_query[] =
    "SELECT"
    " CASE WHEN GROUPING(o.outcome) = 0 THEN 'outcome'"
    "  WHEN GROUPING(e.design) = 0 THEN 'design' ELSE 'region' END,"
    " CASE WHEN GROUPING(o.outcome) = 0 THEN o.outcome"
    "  WHEN GROUPING(e.design) = 0 THEN e.design ELSE e.region END,"
    " o.direction, count(o.direction)"
    " FROM evaluations e"
    " LEFT JOIN evaluation_outcomes o ON o.evaluation = e.id"
    " WHERE NOT e.deleted"
    " GROUP BY GROUPING SETS ((o.outcome, o.direction),"
    "  (e.design, o.direction), (e.region, o.direction))"
    " ORDER BY 1, array_position($1::text[], e.region), 2";

enum { CT_KIND, CT_KEY, CT_DIRECTION, CT_COUNT };

/*
 * Fills the tallies from count_query, whose result *keep holds while the
 * region rows' labels point into it.  -1 when the database failed.
 */
static int
summary_count(struct request *r, struct tally *by_outcome,
    struct tally *by_design, struct tally *by_region, PGresult **keep)
{
	struct tally *t;
	PGresult *res;
	char *regions;
	const char *p[1], *kind, *key;
	size_t nregions;
	int i, n, row, d;

	/* Regions in the order the network lists them, any others after. */
	for (nregions = 0; region_names[nregions] != NULL; nregions++)
		continue;
	if ((regions = util_pg_array(region_names, nregions)) == NULL)
		return -1;
	p[0] = regions;
	res = db_query(r->db, PGRES_TUPLES_OK, count_query, 1, p);
	free(regions);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		kind = PQgetvalue(res, i, CT_KIND);
		if ((key = db_value(res, i, CT_KEY)) == NULL)
			continue;	/* an evaluation with no outcomes */
		if (strcmp(kind, "outcome") == 0)
			t = by_outcome;
		else if (strcmp(kind, "design") == 0)
			t = by_design;
		else
			t = by_region;
		/* A region's row is labelled by the result, kept till drawn. */
		if ((row = tally_find(t, key)) == -1 && t->codes == NULL &&
		    (row = tally_row(t, key, key)) == -1) {
			log_warn("more than %d regions: the rest not charted",
			    SUMMARY_REGIONS);
			continue;
		}
		if (row == -1)
			continue;
		if ((d = direction_index(db_value(res, i, CT_DIRECTION))) != -1)
			t->rows[row].values[d] = strtol(PQgetvalue(res, i,
			    CT_COUNT), NULL, 10);
	}
	*keep = res;
	return 0;
}

/* How many evaluations measured each outcome, for the headline. */
static void
summary_measured(struct view *v, const struct tally *t, long all)
{
	struct view *m;
	long total;
	int i, j;

	for (i = 0; i < t->nrows; i++) {
		for (total = 0, j = 0; j < CHART_SERIES; j++)
			total += t->rows[i].values[j];
		if ((m = view_add(v, "measured")) == NULL)
			return;
		view_set(m, "outcome", t->rows[i].label);
		view_setf(m, "measured_count", "%ld of %ld", total, all);
		view_set(m, "outcome_href", t->rows[i].href);
		view_flag(m, "measured_any", total > 0);
	}
}

/*
 * One chart and its table.  Each goes in its own item of "charts", so
 * the headings of its table (what a row is, what the numbers count)
 * sit beside it.
 */
static int
summary_chart(struct view *v, const char *title, const char *caption,
    const char *row_heading, const char *total_heading,
    const struct tally *t)
{
	struct chart_series series[CHART_SERIES];
	struct view *c;
	int j;

	for (j = 0; direction_codes[j] != NULL && j < CHART_SERIES; j++) {
		series[j].code = direction_codes[j];
		series[j].label = direction_labels[j];
		series[j].param = "direction";
	}
	if ((c = view_add(v, "charts")) == NULL)
		return -1;
	view_set(c, "row_heading", row_heading);
	view_set(c, "total_heading", total_heading);
	return chart_add(c, "chart", title, caption, series, j, t->rows,
	    t->nrows);
}

/*
 * The returns on investment reported: every cost or return on
 * investment result that gives a figure, newest study first.  $1 the
 * outcome, $2 how many.
 */
static const char roi_query[] =
    "SELECT e.id, e.title, e.design, e.year, o.measure, o.figure,"
    " o.direction"
    " FROM evaluation_outcomes o"
    " JOIN evaluations e ON e.id = o.evaluation"
    " WHERE NOT e.deleted AND o.outcome = $1 AND o.figure <> ''"
    " ORDER BY e.year DESC, lower(e.title), e.id LIMIT $2::integer";

enum {
	ROI_ID, ROI_TITLE, ROI_DESIGN, ROI_YEAR, ROI_MEASURE, ROI_FIGURE,
	ROI_DIRECTION
};

static int
summary_roi(struct request *r, struct view *v)
{
	const char *p[2] = { "cost_roi", NULL };
	char limit[16];
	struct view *e;
	PGresult *res;
	int i, n;

	snprintf(limit, sizeof(limit), "%d", SUMMARY_ROI);
	p[1] = limit;
	res = db_query(r->db, PGRES_TUPLES_OK, roi_query, 2, p);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((e = view_add(v, "roi")) == NULL)
			break;
		view_setf(e, "roi_href", "/evidence/%s",
		    PQgetvalue(res, i, ROI_ID));
		view_set(e, "roi_title", PQgetvalue(res, i, ROI_TITLE));
		view_set(e, "roi_design", code_label(design_codes,
		    design_labels, PQgetvalue(res, i, ROI_DESIGN)));
		view_set(e, "roi_year", PQgetvalue(res, i, ROI_YEAR));
		view_set(e, "roi_measure", PQgetvalue(res, i, ROI_MEASURE));
		view_set(e, "roi_figure", PQgetvalue(res, i, ROI_FIGURE));
		view_set(e, "roi_direction", code_label(direction_codes,
		    direction_labels, PQgetvalue(res, i, ROI_DIRECTION)));
	}
	view_setf(v, "roi_count", "%d", n);
	view_set(v, "roi_word", plural(n, "evaluation", "evaluations"));
	PQclear(res);
	return 0;
}

/* The three charts, once the counts are in. */
static int
summary_charts(struct view *v, const struct tally *by_outcome,
    const struct tally *by_design, const struct tally *by_region)
{
	if (summary_chart(v, "What evaluations found, by outcome",
	    "Each bar counts the evaluations that measured the outcome, split "
	    "by what they found.", "Outcome", "Evaluations", by_outcome) == -1)
		return -1;
	if (summary_chart(v, "Findings by study design",
	    "Each bar counts outcome results from studies of that design: one "
	    "evaluation can report several outcomes.", "Study design",
	    "All results", by_design) == -1)
		return -1;
	return summary_chart(v, "Findings by region",
	    "Each bar counts outcome results from evaluations in the region.",
	    "Region", "All results", by_region);
}

/* GET /evidence/summary */
int
evidence_summary(struct request *r)
{
	struct tally by_outcome, by_design, by_region;
	struct view *v = NULL;
	PGresult *counts = NULL;
	long n = 0;
	unsigned int status = 503;

	memset(&by_outcome, 0, sizeof(by_outcome));
	memset(&by_design, 0, sizeof(by_design));
	memset(&by_region, 0, sizeof(by_region));
	by_region.kind = "region";
	if (tally_codes(&by_outcome, "outcome", outcome_codes,
	    outcome_labels) == -1 || tally_codes(&by_design, "design",
	    design_codes, design_labels) == -1) {
		status = 500;
		goto done;
	}
	if ((v = page_view(r, "Evidence summary")) == NULL) {
		status = 500;
		goto done;
	}
	view_flag(v, "may_add", is_contributor(r));
	/* One snapshot, so that the headline and the charts agree. */
	if (db_exec(r->db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	    0, NULL) == -1 || summary_headline(r, v, &n) == -1)
		goto done;
	view_flag(v, "none", n == 0);
	if (n > 0) {
		if (summary_count(r, &by_outcome, &by_design, &by_region,
		    &counts) == -1 || summary_roi(r, v) == -1)
			goto done;
		summary_measured(v, &by_outcome, n);
		if (summary_charts(v, &by_outcome, &by_design,
		    &by_region) == -1) {
			status = 500;
			goto done;
		}
	}
	status = 200;
done:
	db_rollback(r->db);	/* it only read */
	PQclear(counts);
	tally_free(&by_outcome);
	tally_free(&by_design);
	tally_free(&by_region);
	if (status != 200) {
		view_free(v);
		return http_error(r, status);
	}
	return http_page(r, 200, "evidence_summary", v);
}
