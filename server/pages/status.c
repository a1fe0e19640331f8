/*
 * Where an event and a person's place stand, as every page that shows
 * them says it: the status tag of an event (schema/032's
 * acorn_event_status) on the events list, the event's page and the
 * registrations list, and the confirmation of a registration here, as a
 * guest, or at another node's event.  Used by events.c, registrations.c
 * and away.c, and using none of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

/*
 * The tag each status of acorn_event_status shows: words first (a tag is
 * never its colour alone), then the colour NHS.UK tags give such a state.
 * "few" and "opens" take the number of places left and the opening time.
 */
static const struct {
	const char	*status;
	const char	*text;
	const char	*class;
} event_tags[] = {
	{ "open", "Open", "tag" },
	{ "few", NULL, "tag tag--yellow" },
	{ "full", "Full \u2013 waiting list", "tag tag--orange" },
	{ "closed", "Closed", "tag tag--grey" },
	{ "opens", NULL, "tag tag--grey" },
	{ "booked", "You\u2019re booked", "tag tag--green" },
	{ "waiting", "You\u2019re on the waiting list", "tag tag--yellow" },
	{ "cancelled", "Cancelled", "tag tag--red" },
	{ "past", "Past", "tag tag--grey" },
	{ "draft", "Draft", "tag tag--yellow" },
};

/*
 * Puts the tag of the SQL_STATUS_COLUMNS starting at column col of row
 * into v: status_text and status_class.
 */
void
event_status_view(struct view *v, const PGresult *res, int row, int col)
{
	const char *status = PQgetvalue(res, row, col);
	const char *left = PQgetvalue(res, row, col + 1);
	const char *opens = PQgetvalue(res, row, col + 2);
	size_t i;

	for (i = 0; i < sizeof(event_tags) / sizeof(event_tags[0]); i++)
		if (strcmp(event_tags[i].status, status) == 0)
			break;
	if (i == sizeof(event_tags) / sizeof(event_tags[0]))
		return;
	if (strcmp(status, "few") == 0)
		view_setf(v, "status_text", "%s %s left", left,
		    strcmp(left, "1") == 0 ? "place" : "places");
	else if (strcmp(status, "opens") == 0)
		view_setf(v, "status_text", "Opens on %s", opens);
	else
		view_set(v, "status_text", event_tags[i].text);
	view_set(v, "status_class", event_tags[i].class);
}

/* The signed-in person's account as a $n parameter, or NULL. */
const char *
viewer_account(const struct request *r, char buf[32])
{
	if (r->account == NULL)
		return NULL;
	snprintf(buf, 32, "%ld", r->account->id);
	return buf;
}

/*
 * Whether this node sends the mail it queues: pages promise mail only
 * when it is.
 */
int
registration_mail_sent(void)
{
	return cfg->smtp_url[0] != '\0';
}

/*
 * The confirmation page's keys, from a row whose first columns are the
 * CF_* ones (pages.h): the panel or the waiting status, what, when and
 * where, the reference, the calendar file, what happens next and how to
 * cancel (cancel_href, or none when it cannot be cancelled any more).
 */
void
registration_confirmation(struct view *v, const PGresult *res,
    const char *cancel_href)
{
	const char *st = PQgetvalue(res, 0, CF_STATUS);
	int cancelled = strcmp(PQgetvalue(res, 0, CF_EVENT_STATUS),
	    "cancelled") == 0;
	int past = *PQgetvalue(res, 0, CF_PAST) == 't';

	view_set(v, "event_title", PQgetvalue(res, 0, CF_TITLE));
	view_setf(v, "event_href", "/events/%s", PQgetvalue(res, 0, CF_EVENT));
	view_set(v, "when", PQgetvalue(res, 0, CF_WHEN));
	view_set(v, "venue", db_value(res, 0, CF_VENUE));
	view_set(v, "address", db_value(res, 0, CF_ADDRESS));
	view_flag(v, "online", *PQgetvalue(res, 0, CF_ONLINE) == 't' ||
	    db_value(res, 0, CF_JOINING) != NULL);
	view_set(v, "reference", PQgetvalue(res, 0, CF_REFERENCE));
	view_set(v, "place", db_value(res, 0, CF_PLACE));
	view_set(v, "places", PQgetvalue(res, 0, CF_PLACES));
	view_flag(v, "event_cancelled", cancelled);
	view_flag(v, "mail_off", !registration_mail_sent());
	if (!cancelled && !past)
		view_setf(v, "ics_href", "/events/%s.ics",
		    PQgetvalue(res, 0, CF_EVENT));
	if (strcmp(st, "confirmed") == 0) {
		view_flag(v, "confirmed", 1);
		/* The joining link is for people with a place. */
		view_set(v, "online_url", db_value(res, 0, CF_JOINING));
	} else if (strcmp(st, "waiting") == 0) {
		view_flag(v, "waiting", 1);
		view_setf(v, "position_text", "The event is full, so you are "
		    "number %s on the waiting list.",
		    PQgetvalue(res, 0, CF_POSITION));
	} else if (strcmp(st, "unconfirmed") == 0)
		view_flag(v, "unconfirmed", 1);
	else
		view_flag(v, "cancelled", 1);
	view_flag(v, "live", view_has(v, "confirmed") ||
	    view_has(v, "waiting"));
	if (view_has(v, "live") && !cancelled && !past) {
		view_set(v, "cancel_href", cancel_href);
		view_setf(v, "cancel_rest", " %s %s", view_has(v, "waiting") ?
		    "for" : "at", PQgetvalue(res, 0, CF_TITLE));
	}
}
