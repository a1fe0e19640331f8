/*
 * Charts drawn on the server: a horizontal bar per row, split into
 * segments, one per series (for example what evaluations found for each
 * outcome: improved, no change, worse, mixed).  Only the geometry is
 * worked out here; the SVG itself is template markup, so every label and
 * number goes out through the renderer's escaping like any other text.
 * The same figures fill a table beside the chart for screen readers and
 * for anyone who would rather read numbers; where a row names the list
 * behind it, each number in the table links to that list narrowed to its
 * series.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

/*
 * Each row's label stands on a line of its own above its bar, so the
 * bars can use the whole width and the viewBox stays narrow: drawn 343
 * pixels wide on a 375-pixel phone, a 16-unit label is still 13.7
 * pixels tall, where a label beside its bar in a wider viewBox shrank
 * to 7.  The stylesheet caps how wide the chart grows on a desktop.
 */
#define CHART_WIDTH	400	/* viewBox units */
#define LABEL_HEIGHT	22	/* the label's line above its bar */
#define BAR_HEIGHT	24
#define BAR_GAP		14
#define ROW_HEIGHT	(LABEL_HEIGHT + BAR_HEIGHT + BAR_GAP)
#define TOTAL_ROOM	48	/* after the longest bar, for its total */
#define TOP		4

/*
 * The whole chart in words, for the SVG's accessible name: a picture
 * read aloud says what it shows, not only that it is there.
 */
static void
chart_summary(struct view *c, const char *title,
    const struct chart_series *series, int nseries,
    const struct chart_row *rows, int nrows)
{
	struct strbuf sb = { NULL, 0, 0, 0 };
	char *s;
	int i, j, any;

	strbuf_printf(&sb, "%s.", title != NULL ? title : "Chart");
	for (i = 0; i < nrows; i++) {
		strbuf_printf(&sb, " %s:", rows[i].label);
		for (any = 0, j = 0; j < nseries; j++) {
			if (rows[i].values[j] == 0)
				continue;
			strbuf_printf(&sb, "%s %s %ld", any ? "," : "",
			    series[j].label, rows[i].values[j]);
			any = 1;
		}
		strbuf_str(&sb, any ? "." : " none.");
	}
	if ((s = strbuf_take(&sb)) != NULL)
		view_set(c, "chart_summary", s);
	free(s);
}

/*
 * One number of the table.  A number above 0 links to the row's list
 * narrowed to its series; a 0 would only lead to an empty list.
 */
static int
chart_cell(struct view *row, const struct chart_row *r,
    const struct chart_series *series, long value)
{
	struct view *cell;

	if ((cell = view_add(row, "cells")) == NULL)
		return -1;
	view_setf(cell, "value", "%ld", value);
	view_set(cell, "series_label", series->label);
	view_setf(cell, "cell_label", "%s, %s", r->label, series->label);
	if (value > 0 && r->href != NULL && series->param != NULL)
		view_setf(cell, "cell_href", "%s%c%s=%s", r->href,
		    strchr(r->href, '?') != NULL ? '&' : '?', series->param,
		    series->code);
	return 0;
}

/*
 * Adds one chart to the view's list named list.  Bars are scaled to the
 * largest row total, so rows compare at a glance; a row with nothing
 * shows an empty bar and a 0.  Returns -1 when memory ran out.
 */
int
chart_add(struct view *v, const char *list, const char *title,
    const char *caption, const struct chart_series *series, int nseries,
    const struct chart_row *rows, int nrows)
{
	struct view *c, *row, *seg, *h;
	long max = 0, total;
	double x, w, area = CHART_WIDTH - TOTAL_ROOM;
	int i, j, height;

	if (nseries > CHART_SERIES)
		return -1;
	for (i = 0; i < nrows; i++) {
		for (total = 0, j = 0; j < nseries; j++)
			total += rows[i].values[j];
		if (total > max)
			max = total;
	}
	if ((c = view_add(v, list)) == NULL)
		return -1;
	height = TOP * 2 + nrows * ROW_HEIGHT;
	view_set(c, "chart_title", title);
	view_set(c, "chart_caption", caption);
	view_setf(c, "viewbox", "0 0 %d %d", CHART_WIDTH, height);
	view_setf(c, "chart_height", "%d", height);
	/* A row's total repeats its one figure when there is one series. */
	view_flag(c, "totals", nseries > 1);
	chart_summary(c, title, series, nseries, rows, nrows);
	for (j = 0; j < nseries; j++) {
		if ((h = view_add(c, "series")) == NULL)
			return -1;
		view_set(h, "series_label", series[j].label);
		view_setf(h, "swatch_class", "chart__swatch chart__fill--%s",
		    series[j].code);
	}
	for (i = 0; i < nrows; i++) {
		if ((row = view_add(c, "rows")) == NULL)
			return -1;
		view_set(row, "row_label", rows[i].label);
		view_set(row, "row_href", rows[i].href);
		view_setf(row, "label_y", "%d", TOP + i * ROW_HEIGHT + 16);
		view_setf(row, "total_y", "%d", TOP + i * ROW_HEIGHT +
		    LABEL_HEIGHT + BAR_HEIGHT / 2 + 6);
		x = 0;
		for (total = 0, j = 0; j < nseries; j++) {
			total += rows[i].values[j];
			if (chart_cell(row, &rows[i], &series[j],
			    rows[i].values[j]) == -1)
				return -1;
			if (rows[i].values[j] == 0)
				continue;
			w = max > 0 ? area * (double)rows[i].values[j] /
			    (double)max : 0;
			if ((seg = view_add(row, "segments")) == NULL)
				return -1;
			view_setf(seg, "x", "%.1f", x);
			view_setf(seg, "y", "%d", TOP + i * ROW_HEIGHT +
			    LABEL_HEIGHT);
			view_setf(seg, "width", "%.1f", w);
			view_setf(seg, "height", "%d", BAR_HEIGHT);
			view_setf(seg, "fill_class", "chart__fill--%s",
			    series[j].code);
			view_setf(seg, "tip", "%s: %s %ld", rows[i].label,
			    series[j].label, rows[i].values[j]);
			x += w;
		}
		view_setf(row, "total", "%ld", total);
		view_setf(row, "total_x", "%.1f", x + 6);
	}
	return 0;
}

/*
 * Rows of counts a query gives by code (a stakeholder group, a region):
 * one row per code of codes, labelled by labels, then "Not given" for a
 * NULL code or one not in the list.  Only res's rows whose column 0 is
 * by count; column 1 holds the code and the nvalues columns after it
 * the series' values.  With all, every code has its row even with
 * nothing in it; otherwise, and always for "Not given", only rows with
 * something in them.  The number of rows made, at most max.
 */
int
chart_rows_by_code(const PGresult *res, const char *by,
    const char *const *codes, const char *const *labels, int nvalues,
    int all, struct chart_row *rows, int max)
{
	int i, j, k, n = 0, kept;
	long sum;

	if (nvalues > CHART_SERIES)
		nvalues = CHART_SERIES;
	for (k = 0; codes[k] != NULL && n < max - 1; k++, n++) {
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n].label = labels[k];
	}
	memset(&rows[n], 0, sizeof(rows[n]));
	rows[n].label = "Not given";
	for (i = 0; i < PQntuples(res); i++) {
		if (strcmp(PQgetvalue(res, i, 0), by) != 0)
			continue;
		k = PQgetisnull(res, i, 1) ? -1 :
		    code_index(codes, PQgetvalue(res, i, 1));
		if (k < 0 || k >= n)
			k = n;
		for (j = 0; j < nvalues; j++)
			rows[k].values[j] += strtol(PQgetvalue(res, i, 2 + j),
			    NULL, 10);
	}
	for (kept = 0, k = 0; k <= n; k++) {
		for (sum = 0, j = 0; j < nvalues; j++)
			sum += rows[k].values[j];
		if ((all && k < n) || sum > 0)
			rows[kept++] = rows[k];
	}
	return kept;
}
