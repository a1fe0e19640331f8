/*
 * The coordinator's view of the outbox (/admin/mail): the messages the
 * node has queued, newest first, with what became of it and the text
 * that was sent, so "did they get the email?" has an answer.  An admin
 * sees every message; a coordinator, the mail about this node's events
 * (which every coordinator manages) and the mail about the people they
 * look after (acorn_looks_after), never another region's members'.
 * Links that act for their recipient (a guest's key, a confirmation or
 * reset token) are shown without their secret (mail_masked): a
 * coordinator who could read them could cancel a guest's place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define OUTBOX_PAGE	25

/*
 * The messages the viewer ($1) may read: those about one person's
 * account name their member (outbox.member), the rest are about events.
 */
#define OUTBOX_SEEN \
    " FROM outbox o WHERE o.member IS NULL OR acorn_looks_after($1," \
    " (SELECT m.region FROM members m WHERE m.id = o.member))"

/*
 * How many messages the viewer ($1) may read, how many are waiting and
 * how many failed: the Manage page counts them too.
 */
const char outbox_counts_sql[] =
    "SELECT count(*),"
    " count(*) FILTER (WHERE sent IS NULL AND failed IS NULL),"
    " count(*) FILTER (WHERE failed IS NOT NULL)" OUTBOX_SEEN;

enum { OC_TOTAL, OC_WAITING, OC_FAILED };

/* One page of messages, newest first: $3 from offset $2. */
static const char messages_query[] =
    "SELECT id, recipient, subject, body,"
    " " SQL_LONDON("created", LONDON_STAMP) ", attempts,"
    " " SQL_LONDON("next_attempt", LONDON_SECONDS) ","
    " " SQL_LONDON("sent", LONDON_SECONDS) ","
    " " SQL_LONDON("failed", LONDON_SECONDS) ", last_error"
    OUTBOX_SEEN " ORDER BY created DESC, id DESC"
    " LIMIT $3 OFFSET $2";

enum {
	MSG_ID, MSG_RECIPIENT, MSG_SUBJECT, MSG_BODY, MSG_CREATED,
	MSG_ATTEMPTS, MSG_NEXT, MSG_SENT, MSG_FAILED, MSG_ERROR
};

/* One row's status: a short word for the tag and a sentence beside it. */
static void
outbox_status(struct view *m, const PGresult *res, int i)
{
	const char *attempts = PQgetvalue(res, i, MSG_ATTEMPTS),
	    *error = db_value(res, i, MSG_ERROR);

	if (!PQgetisnull(res, i, MSG_SENT)) {
		view_set(m, "status", "Sent");
		view_set(m, "status_class", "tag");
		view_setf(m, "status_detail", "Accepted by the mail server "
		    "on %s.", PQgetvalue(res, i, MSG_SENT));
	} else if (!PQgetisnull(res, i, MSG_FAILED)) {
		view_set(m, "status", "Failed");
		view_set(m, "status_class", "tag tag--orange");
		view_setf(m, "status_detail", "Not delivered (%s): %s",
		    PQgetvalue(res, i, MSG_FAILED), error ? error :
		    "no reason given");
	} else if (cfg->smtp_url[0] == '\0') {
		view_set(m, "status", "Held");
		view_set(m, "status_class", "tag tag--grey");
		view_set(m, "status_detail", "No mail server is set up.");
	} else if (strcmp(attempts, "0") == 0) {
		view_set(m, "status", "Waiting to be sent");
		view_set(m, "status_class", "tag tag--yellow");
	} else {
		view_set(m, "status", "Waiting to retry");
		view_set(m, "status_class", "tag tag--yellow");
		view_setf(m, "status_detail", "%s %s failed: %s Next attempt "
		    "%s.", strcmp(attempts, "1") == 0 ? "1 attempt" : attempts,
		    strcmp(attempts, "1") == 0 ? "has" : "attempts have",
		    error ? error : "no reason given",
		    PQgetvalue(res, i, MSG_NEXT));
	}
}

int
outbox_list(struct request *r)
{
	const char *p[3];
	char me[32], *subject, *body;
	struct view *v, *m;
	struct pager pg;
	PGresult *res;
	long total, waiting, failed;
	int i, n;

	pager_init(&pg, r, OUTBOX_PAGE);
	if ((v = page_view(r, "Mail")) == NULL)
		return http_error(r, 500);
	snprintf(me, sizeof(me), "%ld", r->account->id);
	p[0] = me;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, outbox_counts_sql, 1,
	    p)) == NULL)
		goto fail;
	total = strtol(PQgetvalue(res, 0, OC_TOTAL), NULL, 10);
	waiting = strtol(PQgetvalue(res, 0, OC_WAITING), NULL, 10);
	failed = strtol(PQgetvalue(res, 0, OC_FAILED), NULL, 10);
	PQclear(res);

	p[1] = pg.offset;
	p[2] = pg.limit;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, messages_query, 3,
	    p)) == NULL)
		goto fail;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((m = view_add(v, "messages")) == NULL)
			break;
		if ((subject = mail_masked(PQgetvalue(res, i,
		    MSG_SUBJECT))) == NULL || (body = mail_masked(PQgetvalue(res,
		    i, MSG_BODY))) == NULL) {
			free(subject);
			PQclear(res);
			goto fail;
		}
		view_set(m, "recipient", PQgetvalue(res, i, MSG_RECIPIENT));
		view_set(m, "subject", subject);
		view_set(m, "body", body);
		free(subject);
		free(body);
		view_set(m, "created", PQgetvalue(res, i, MSG_CREATED));
		outbox_status(m, res, i);
	}
	PQclear(res);

	view_flag(v, "held", cfg->smtp_url[0] == '\0');
	if (cfg->smtp_url[0] == '\0')
		view_setf(v, "summary_text", "%ld %s, %ld held, %ld failed",
		    total, total == 1 ? "message" : "messages", waiting,
		    failed);
	else
		view_setf(v, "summary_text", "%ld %s, %ld waiting to be sent, "
		    "%ld failed", total, total == 1 ? "message" : "messages",
		    waiting, failed);
	pg.total = total;
	view_pager(v, r, &pg);
	return http_page(r, 200, "outbox", v);
fail:
	view_free(v);
	return http_error(r, 503);
}
