/*
 * A date on a form page: what form_end (form.c) made of its inputs goes
 * back into them, and each problem into the error summary in GOV.UK's
 * words, linked to the first input at fault.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "web.h"

#define WHEN_DATE_PARTS	(WHEN_NO_DAY | WHEN_NO_MONTH | WHEN_NO_YEAR)

/*
 * One problem with a date or its time: in the summary, linked to the
 * input of part, and over the fieldset named group ("start", or
 * "start_time").
 */
static void
when_error(struct view *v, const char *name, int part, const char *group,
    const char *msg)
{
	char anchor[80], key[80];

	snprintf(anchor, sizeof(anchor), "%s-%s", name, form_part_name(part));
	view_error(v, anchor, msg);
	snprintf(key, sizeof(key), "e_%s", group);
	view_set(v, key, msg);
}

/* Marks the inputs of the parts in bits red. */
static void
when_mark(struct view *v, const char *name, int bits)
{
	char key[64];
	int i;

	for (i = 0; i < PART__MAX; i++)
		if (bits & (1 << i)) {
			snprintf(key, sizeof(key), "x_%s_%s", name,
			    form_part_name(i));
			view_flag(v, key, 1);
		}
}

/* The first part whose bit is in bits. */
static int
first_part(int bits)
{
	int i;

	for (i = 0; i < PART__MAX; i++)
		if (bits & (1 << i))
			return i;
	return PART_DAY;
}

/* "Start date" in the middle of a sentence: "start date". */
static void
lower_first(char *out, size_t len, const char *label)
{
	snprintf(out, len, "%s", label);
	out[0] = (char)tolower((unsigned char)out[0]);
}

/* What is wrong with the date itself. */
static void
when_date_error(struct view *v, enum key k, int w)
{
	static const char *const missing[] = { "", "a day", "a month",
	    "a day and month", "a year", "a day and year", "a month and year",
	    "" };
	const char *name = form_key_name(k), *label = form_key_label(k);
	int lack = w & WHEN_DATE_PARTS;
	int bad = (w >> WHEN_BAD_SHIFT) & WHEN_DATE_PARTS;
	char msg[160], lower[80];

	lower_first(lower, sizeof(lower), label);
	if (w & WHEN_NO_DATE) {
		snprintf(msg, sizeof(msg), "Enter the %s", lower);
		when_mark(v, name, WHEN_DATE_PARTS);
		when_error(v, name, PART_DAY, name, msg);
	} else if (lack != 0) {
		snprintf(msg, sizeof(msg), "%s must include %s", label,
		    missing[lack]);
		when_mark(v, name, lack);
		when_error(v, name, first_part(lack), name, msg);
	} else if (bad != 0 || (w & WHEN_NOT_REAL)) {
		snprintf(msg, sizeof(msg), "%s must be a real date", label);
		when_mark(v, name, bad != 0 ? bad : WHEN_DATE_PARTS);
		when_error(v, name, first_part(bad), name, msg);
	} else if (w & WHEN_YEAR_DIGITS) {
		snprintf(msg, sizeof(msg), "The year of the %s must include "
		    "4 numbers", lower);
		when_mark(v, name, WHEN_NO_YEAR);
		when_error(v, name, PART_YEAR, name, msg);
	} else if (w & WHEN_YEAR_RANGE) {
		snprintf(msg, sizeof(msg), "%s must be between 2000 and 2199",
		    label);
		when_mark(v, name, WHEN_NO_YEAR);
		when_error(v, name, PART_YEAR, name, msg);
	}
}

/* What is wrong with its time. */
static void
when_time_error(struct view *v, enum key k, int w)
{
	const char *name = form_key_name(k), *label = form_key_time_label(k);
	int bad = (w >> WHEN_BAD_SHIFT) & (WHEN_NO_HOUR | 1 << PART_MINUTE);
	char msg[160], group[64];

	snprintf(group, sizeof(group), "%s_time", name);
	if (w & WHEN_NO_HOUR) {
		snprintf(msg, sizeof(msg), "%s must include an hour", label);
		when_mark(v, name, WHEN_NO_HOUR);
		when_error(v, name, PART_HOUR, group, msg);
	} else if (bad != 0) {
		snprintf(msg, sizeof(msg), "%s must be a real time, like 9 30 "
		    "or 14 0", label);
		when_mark(v, name, bad);
		when_error(v, name, first_part(bad), group, msg);
	}
}

/*
 * Reads a date field for a form page, as view_field does a line: what
 * was typed goes back into the inputs (v_start_day ...), each problem
 * into the summary.  A date that must be given (required) and is not is
 * asked for; a time not given is at (like "00:00"), or asked for when at
 * is NULL.  Returns "YYYY-MM-DD HH:MM" in out, or NULL.
 */
const char *
view_date(struct view *v, struct request *r, enum key k, int required,
    const char *at, char *out, size_t len)
{
	const struct field *f = &r->form.f[k];
	const char *name = form_key_name(k);
	char key[64], msg[160], lower[80];
	int i;

	for (i = 0; i < PART__MAX; i++) {
		snprintf(key, sizeof(key), "v_%s_%s", name, form_part_name(i));
		view_set(v, key, f->part[i]);
	}
	if (f->error) {
		when_date_error(v, k, (int)f->num);
		when_time_error(v, k, (int)f->num);
		return NULL;
	}
	if (f->text == NULL) {
		if (required) {
			lower_first(lower, sizeof(lower), form_key_label(k));
			snprintf(msg, sizeof(msg), "Enter the %s", lower);
			when_error(v, name, PART_DAY, name, msg);
		}
		return NULL;
	}
	if (f->num == 0 && at == NULL) {
		lower_first(lower, sizeof(lower), form_key_time_label(k));
		snprintf(msg, sizeof(msg), "Enter the %s", lower);
		snprintf(key, sizeof(key), "%s_time", name);
		when_mark(v, name, WHEN_NO_HOUR | 1 << PART_MINUTE);
		when_error(v, name, PART_HOUR, key, msg);
		return NULL;
	}
	if (f->num == 0)
		snprintf(out, len, "%s %s", f->text, at);
	else
		snprintf(out, len, "%s", f->text);
	return out;
}
