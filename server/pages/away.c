/*
 * A member's registrations for events other nodes hold, as they stand:
 * in their list of registrations, on the event's page, and on each one's
 * own page, where the member follows it after confirming.  Making them
 * is registrations.c's; sending them is the courier's (feeds/courier.c),
 * never a request thread's: it keeps trying a host that could not be
 * reached, and these pages say so rather than guessing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

/*
 * How long the page after sending a registration says it is on its way
 * and offers to check again: long enough for a host that answers; after
 * it, the page says the registration waits to be delivered.
 */
#define AWAY_FRESH	"2 minutes"

/* Columns of AWAY_COLUMNS, for one registration. */
enum {
	A_ID, A_STATUS, A_POSITION, A_WHY, A_WANTED, A_DELIVERED, A_VERSION,
	A_ATTEMPTS, A_HOST, A_PLACES, A_EVENT, A_TITLE, A_STARTS, A_PLACE,
	A_EVENT_STATUS, A_PAST, A_JOINING, A_FRESH, A_REFERENCE
};
#define AWAY_COLUMNS \
    "SELECT a.id, a.status, a.position, acorn_refusal(a.why), a.wanted," \
    " a.delivered, a.version, a.attempts," \
    " coalesce(k.name, 'the node holding the event'), a.places, e.id," \
    " e.title, " SQL_LONDON("e.starts", LONDON_WHEN) ", a.place_name," \
    " e.status," \
    " e.ends < now(), a.joining," \
    " a.changed > now() - interval '" AWAY_FRESH "'," \
    " a.reference" \
    " FROM away_registrations a JOIN events e ON e.id = a.event" \
    " LEFT JOIN known_nodes k ON k.id = a.host"

/*
 * What a member's registration at another node's event stands at, in
 * words, from its status, what the member wants, the courier's attempts,
 * the host's name, the places, the waiting position and the host's
 * reason for refusing.  For its own page and for the registrations list.
 */
char *
away_status_words(const char *st, const char *wanted, const char *attempts,
    const char *host, const char *places, const char *position,
    const char *why)
{
	int tried = strcmp(attempts, "0") != 0;

	if (strcmp(wanted, "cancelled") == 0)
		return util_printf("Cancelling: waiting for %s to confirm",
		    host);
	if (strcmp(st, "pending") == 0)
		return util_printf("%s to %s; waiting for its answer%s",
		    tried ? "Not yet delivered" : "Sending", host,
		    tried ? " (we keep trying)" : "");
	if (strcmp(st, "confirmed") == 0)
		return strcmp(places, "1") == 0 ? util_strdup("You have a "
		    "place") : util_printf("You have %s places", places);
	/* Places ahead can free up without a word: say when it was so. */
	if (strcmp(st, "waiting") == 0)
		return util_printf("Number %s on the waiting list when %s "
		    "last told us", position, host);
	if (strcmp(st, "refused") == 0)
		return util_printf("Not accepted by %s: %s", host, why);
	return util_strdup("Cancelled");
}

static char *
away_status_text(PGresult *res, int i)
{
	return away_status_words(PQgetvalue(res, i, A_STATUS),
	    PQgetvalue(res, i, A_WANTED), PQgetvalue(res, i, A_ATTEMPTS),
	    PQgetvalue(res, i, A_HOST), PQgetvalue(res, i, A_PLACES),
	    PQgetvalue(res, i, A_POSITION), PQgetvalue(res, i, A_WHY));
}

/*
 * On a received event's page: the signed-in member's registration for
 * it, if any, in "registered" and "my_status".  -1 on failure.
 */
int
away_event_status(struct request *r, struct view *v, const char *event)
{
	const char *p[2];
	PGresult *res;
	char *text, acc[32];

	snprintf(acc, sizeof(acc), "%ld", r->account->id);
	p[0] = event;
	p[1] = acc;
	res = db_query(r->db, PGRES_TUPLES_OK, AWAY_COLUMNS
	    " WHERE a.event = $1 AND a.account = $2::bigint"
	    " AND a.wanted = 'registered'"
	    " AND a.status NOT IN ('cancelled', 'refused')", 2, p);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1 && (text = away_status_text(res, 0)) !=
	    NULL) {
		view_flag(v, "registered", 1);
		view_setf(v, "my_status", "%s.", text);
		free(text);
		view_set(v, "my_reference", PQgetvalue(res, 0, A_REFERENCE));
		view_flag(v, "my_waiting", strcmp(PQgetvalue(res, 0,
		    A_STATUS), "waiting") == 0);
		view_setf(v, "my_cancel_href", "/registrations/%s/cancel",
		    PQgetvalue(res, 0, A_ID));
		/* The way in to an online event, as the host gave it. */
		view_set(v, "online_url", db_value(res, 0, A_JOINING));
	}
	PQclear(res);
	return 0;
}

/*
 * The page of a registration on its way (text, which it frees): a status
 * message and a link to check again, which a small script follows by
 * itself and puts the answer in place.
 */
static int
away_sending(struct request *r, const char *title, char *text)
{
	struct view *v;

	if (text == NULL || (v = page_view(r, title)) == NULL) {
		free(text);
		return http_error(r, 500);
	}
	view_set(v, "message", text);
	free(text);
	view_set(v, "link_href", r->url);
	view_set(v, "script_src", static_url("check-again.js"));
	return http_page(r, 200, "sending", v);
}

/*
 * The confirmation page of a registration the host has answered with a
 * place or a waiting position, as the host last told this node.
 */
static int
away_confirmation(struct request *r)
{
	const char *p[2];
	struct view *v;
	PGresult *res;
	const char *host;
	char acc[32], cancel[128];

	p[0] = r->arg;
	p[1] = viewer_account(r, acc);
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT a.status, a.position,"
	    " a.reference, a.places, a.place_name, a.joining,"
	    SQL_CONFIRMATION_EVENT ","
	    " coalesce(k.name, 'the node holding the event')"
	    " FROM away_registrations a JOIN events e ON e.id = a.event"
	    " LEFT JOIN known_nodes k ON k.id = a.host"
	    " WHERE a.id = $1 AND a.account = $2::bigint", 2, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	if ((v = page_view(r, strcmp(PQgetvalue(res, 0, CF_STATUS),
	    "waiting") == 0 ? "You\u2019re on the waiting list" :
	    "You have a place")) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	snprintf(cancel, sizeof(cancel), "/registrations/%.36s/cancel", r->arg);
	registration_confirmation(v, res, cancel);
	view_flag(v, "member", 1);
	view_set(v, "email", r->account->email);
	host = PQgetvalue(res, 0, CF_PAST + 1);
	view_set(v, "host", host);
	/* What the host decided, as the host last told this node. */
	if (view_has(v, "waiting"))
		view_setf(v, "position_text", "%s is full, so %s has put you "
		    "at number %s on its waiting list.", PQgetvalue(res, 0,
		    CF_TITLE), host, PQgetvalue(res, 0, CF_POSITION));
	else
		view_setf(v, "host_text", "%s has given you a place.", host);
	PQclear(res);
	return http_page(r, 200, "registration", v);
}

/*
 * GET /registrations/{id}: one of the member's registrations for another
 * node's event, after it was handed to the courier.  While it is on its
 * way the page says so, in a status message, with a link to check again
 * (an answer usually takes less than a second); then it says what the
 * host said, or that it waits to be delivered.  It never reloads itself
 * (a page that does sends a screen reader back to its start): a script
 * asks again and changes only the status message.
 */
int
away_show(struct request *r)
{
	const char *p[2];
	const char *title, *host, *event, *st;
	char acc[32], heading[200], *text;
	PGresult *res;
	int refused, sending, mail;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	snprintf(acc, sizeof(acc), "%ld", r->account->id);
	p[0] = r->arg;
	p[1] = acc;
	res = db_query(r->db, PGRES_TUPLES_OK, AWAY_COLUMNS
	    " WHERE a.id = $1 AND a.account = $2::bigint", 2, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	st = PQgetvalue(res, 0, A_STATUS);
	host = PQgetvalue(res, 0, A_HOST);
	event = PQgetvalue(res, 0, A_TITLE);
	sending = strcmp(st, "pending") == 0 &&
	    strcmp(PQgetvalue(res, 0, A_ATTEMPTS), "0") == 0 &&
	    *PQgetvalue(res, 0, A_FRESH) == 't';
	if ((strcmp(st, "confirmed") == 0 || strcmp(st, "waiting") == 0) &&
	    strcmp(PQgetvalue(res, 0, A_WANTED), "registered") == 0) {
		PQclear(res);
		return away_confirmation(r);
	} else if (strcmp(st, "refused") == 0) {
		title = "Error: Registration not accepted";
		text = util_printf("%s could not accept your registration for "
		    "%s: %s.", host, event, PQgetvalue(res, 0, A_WHY));
	} else if (strcmp(st, "cancelled") == 0) {
		title = "Your registration is cancelled";
		text = util_printf("Your registration for %s is cancelled.",
		    event);
	} else if (sending) {
		snprintf(heading, sizeof(heading), "Sending your registration "
		    "to %s…", host);
		title = heading;
		mail = registration_mail_sent();
		text = util_printf("Your registration for %s is on its way to "
		    "%s. Check again in a moment; your registrations page "
		    "shows it too%s%s%s.", event, host, mail ? ", and we will "
		    "email you what " : "", mail ? host : "", mail ? " says" :
		    "");
	} else {
		title = "Your registration is waiting to be delivered";
		text = util_printf("We could not reach %s just now. Your "
		    "registration for %s is saved here, and we will keep "
		    "sending it until %s answers; then %s. It will only ever "
		    "count once.", host, event, host, registration_mail_sent() ?
		    "we will email you" : "your registrations page will say "
		    "what it said");
	}
	refused = strcmp(st, "refused") == 0;
	PQclear(res);
	if (sending)
		return away_sending(r, title, text);
	return page_message_take(r, refused ? 409 : 200, title, text,
	    "/registrations", "Your registrations", !refused);
}
