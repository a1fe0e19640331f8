/*
 * GET /mix: the network's mix at a glance.  Who the network is, by
 * stakeholder group and region, from the listed profiles this node
 * holds, and who came to its events, by group and by quarter, from the
 * counts each event's node publishes once it is over (schema/060).  The
 * hub shows the whole network; a region's node shows its own region.
 * Counts only, as charts with their tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define MAX_QUARTERS	8	/* the most recent, on the chart */
#define NGROUPS		10	/* the groups, then "not given" */

/* The node's region, or NULL for the hub's view of every region. */
static const char *
mix_region(void)
{
	return strcmp(cfg->region, "National") == 0 ? NULL : cfg->region;
}

/* The index of a group among the network's, NGROUPS - 1 for none. */
static int
group_index(const char *code)
{
	int k = code != NULL ? code_index(stakeholder_codes, code) : -1;

	return k >= 0 && k < NGROUPS - 1 ? k : NGROUPS - 1;
}

/* One chart with its table, as list "charts" of v. */
static int
mix_chart(struct view *v, const char *heading, const char *title,
    const char *caption, const struct chart_row *rows, int n)
{
	static const struct chart_series series[1] = {
		{ "count", "People", NULL },
	};
	struct view *c;

	if ((c = view_add(v, "charts")) == NULL)
		return -1;
	view_set(c, "row_heading", heading);
	view_set(c, "total_heading", "People");
	return chart_add(c, "chart", title, caption, series, 1, rows, n);
}

/* Members by group (every group) and, for the hub, by region. */
static int
members_charts(struct request *r, struct view *v, const char *region)
{
	const char *p[1] = { region };
	struct chart_row rows[NGROUPS + 8];
	PGresult *res;
	long total = 0;
	int i, n, rc;

	/* A profile that gives no region is left out of the regions. */
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT by_what, code,"
	    " people FROM acorn_network_members($1)"
	    " WHERE by_what = 'group' OR code IS NOT NULL", 1, p)) == NULL)
		return -1;
	n = chart_rows_by_code(res, "group", stakeholder_codes,
	    stakeholder_labels, 1, 1, rows, NGROUPS + 8);
	for (i = 0; i < n; i++)
		total += rows[i].values[0];
	view_setf(v, "members", "%ld", total);
	rc = mix_chart(v, "Stakeholder group", "Members by stakeholder group",
	    "Members whose profile is listed in the network directory, by "
	    "the group their profile gives.", rows, n);
	if (rc == 0 && region == NULL) {
		n = chart_rows_by_code(res, "region", region_names,
		    region_names, 1, 0, rows, NGROUPS + 8);
		rc = mix_chart(v, "Region", "Members by region", "Members "
		    "whose profile is listed, by their region. Regions with "
		    "nobody listed are left out.", rows, n);
	}
	PQclear(res);
	return rc;
}

/* The columns of acorn_network_attendance, with the quarter's name. */
enum { NA_QUARTER, NA_NAME, NA_CODE, NA_PEOPLE };

/*
 * Who came to the events, by group over the whole time, and by quarter
 * (a chart of the latest quarters, and a table of every quarter by
 * group).
 */
static int
attendance_charts(struct request *r, struct view *v, const char *region)
{
	const char *p[1] = { region };
	struct chart_row groups[NGROUPS], quarters[MAX_QUARTERS];
	char qlabels[MAX_QUARTERS][80];
	long by_group[NGROUPS], events = 0, people = 0, ev;
	PGresult *res;
	struct view *row, *cell, *h;
	int i, j, k, n, nq = 0, used[NGROUPS], rc;
	const char *q;

	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT quarter,"
	    " to_char(quarter, 'FMMonth') || ' to ' || to_char(quarter +"
	    " interval '2 months', 'FMMonth YYYY'), code, people"
	    " FROM acorn_network_attendance($1)"
	    " ORDER BY quarter DESC, code NULLS FIRST", 1, p)) == NULL)
		return -1;
	memset(by_group, 0, sizeof(by_group));
	memset(used, 0, sizeof(used));
	for (i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, NA_CODE)) {
			events += atol(PQgetvalue(res, i, NA_PEOPLE));
			continue;
		}
		k = group_index(PQgetvalue(res, i, NA_CODE));
		by_group[k] += atol(PQgetvalue(res, i, NA_PEOPLE));
		people += atol(PQgetvalue(res, i, NA_PEOPLE));
		used[k] = 1;
	}
	view_setf(v, "events", "%ld", events);
	view_setf(v, "people", "%ld", people);
	view_flag(v, "any_events", events > 0);
	if (events == 0) {
		PQclear(res);
		return 0;
	}
	memset(groups, 0, sizeof(groups));
	for (k = 0, n = 0; k < NGROUPS; k++) {
		if (k == NGROUPS - 1 && !used[k])
			break;
		groups[n].label = k < NGROUPS - 1 ? stakeholder_labels[k] :
		    "Not given";
		groups[n++].values[0] = by_group[k];
	}
	rc = mix_chart(v, "Stakeholder group", "Who came to events, by "
	    "stakeholder group", "People at the events over, by the group "
	    "each registered under: checked in, where the organisers checked "
	    "people in, or with a place.", groups, n);
	/* The table: a row per quarter, a column per group with anyone. */
	for (k = 0; k < NGROUPS; k++)
		if (used[k] && (h = view_add(v, "group_heads")) != NULL)
			view_set(h, "label", k < NGROUPS - 1 ?
			    stakeholder_labels[k] : "Not given");
	memset(quarters, 0, sizeof(quarters));
	for (i = 0; rc == 0 && i < PQntuples(res); i = j) {
		long cells[NGROUPS], total = 0;

		q = PQgetvalue(res, i, NA_QUARTER);
		memset(cells, 0, sizeof(cells));
		ev = 0;
		for (j = i; j < PQntuples(res) &&
		    strcmp(PQgetvalue(res, j, NA_QUARTER), q) == 0; j++) {
			if (PQgetisnull(res, j, NA_CODE))
				ev = atol(PQgetvalue(res, j, NA_PEOPLE));
			else {
				k = group_index(PQgetvalue(res, j, NA_CODE));
				cells[k] += atol(PQgetvalue(res, j,
				    NA_PEOPLE));
				total += atol(PQgetvalue(res, j, NA_PEOPLE));
			}
		}
		if ((row = view_add(v, "quarters")) == NULL)
			break;
		view_set(row, "name", PQgetvalue(res, i, NA_NAME));
		view_setf(row, "events", "%ld", ev);
		view_setf(row, "total", "%ld", total);
		for (k = 0; k < NGROUPS; k++)
			if (used[k] && (cell = view_add(row, "cells")) != NULL) {
				view_setf(cell, "value", "%ld", cells[k]);
				view_set(cell, "label", k < NGROUPS - 1 ?
				    stakeholder_labels[k] : "Not given");
			}
		if (nq < MAX_QUARTERS) {
			snprintf(qlabels[nq], sizeof(qlabels[nq]), "%s (%ld "
			    "%s)", PQgetvalue(res, i, NA_NAME), ev, ev == 1 ?
			    "event" : "events");
			quarters[nq].label = qlabels[nq];
			quarters[nq++].values[0] = total;
		}
	}
	PQclear(res);
	/* Oldest first, as time reads. */
	for (i = 0; i < nq / 2; i++) {
		struct chart_row t = quarters[i];

		quarters[i] = quarters[nq - 1 - i];
		quarters[nq - 1 - i] = t;
	}
	if (rc == 0)
		rc = mix_chart(v, "Quarter", "Who came to events, by quarter",
		    "People at the events of each of the latest quarters, "
		    "with how many events there were.", quarters, nq);
	return rc;
}

/* GET /mix */
int
mix_show(struct request *r)
{
	const char *region = mix_region();
	struct view *v;

	if ((v = page_view(r, region != NULL ? "Our region's mix" :
	    "The network's mix")) == NULL)
		return http_error(r, 500);
	view_set(v, "heading", region != NULL ? "Our region's mix" :
	    "The network's mix");
	view_set(v, "region", region != NULL ? region : "every region");
	view_flag(v, "hub", region == NULL);
	if (members_charts(r, v, region) == -1 ||
	    attendance_charts(r, v, region) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	return http_page(r, 200, "mix", v);
}
