/*
 * The directory's review cycle: a listing of this node that falls due
 * (a review cycle after it was last confirmed) is put to its
 * organisation's managers by mail, with a one-click "still correct"
 * link that needs no sign-in and a link to edit it; two weeks later
 * they are reminded, and after four weeks the coordinators' review
 * queue shows it.  Where each listing stands is the database's
 * (acorn_review_step, schema/055); this file mails the links, which it
 * makes from RAND_bytes and of which the database keeps only a hash.
 * The node's periodic worker (retention.c) runs a step each time it
 * wakes; of several processes sharing the database, one steps at a
 * time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Days a mailed "still correct" link works. */
#define CHECK_DAYS	28

static const char step_sql[] =
    "SELECT r.service, r.stage, a.id, a.email, m.name, s.name,"
    " coalesce(o.name, ''), coalesce(" SQL_LONDON("s.assured_date::timestamp"
    " AT TIME ZONE 'Europe/London'", LONDON_DAY) ", '')"
    " FROM acorn_review_step($1::integer, now()) r"
    " JOIN services s ON s.id = r.service"
    " LEFT JOIN organisations o ON o.id = s.organisation"
    " LEFT JOIN accounts a ON a.id = r.account"
    " LEFT JOIN members m ON m.id = a.member";

enum {
	RS_SERVICE, RS_STAGE, RS_ACCOUNT, RS_EMAIL, RS_PERSON, RS_NAME,
	RS_ORG, RS_ASSURED
};

/* One manager's mail about one listing, with a new link for them. */
static int
review_mail(struct db *db, const struct config *c, PGresult *res, int i)
{
	char token[ACORN_TOKEN_LEN + 1], hash[65], days[16], *body, *when;
	unsigned char digest[32];
	const char *p[4];
	int reminder = strcmp(PQgetvalue(res, i, RS_STAGE), "reminded") == 0;
	int rc;

	if (util_token(token) == -1)
		return -1;
	util_sha256(token, strlen(token), digest);
	util_hex(digest, sizeof(digest), hash);
	snprintf(days, sizeof(days), "%d", CHECK_DAYS);
	p[0] = hash;
	p[1] = PQgetvalue(res, i, RS_SERVICE);
	p[2] = PQgetvalue(res, i, RS_ACCOUNT);
	p[3] = days;
	if (db_exec(db, "INSERT INTO service_checks (token_hash, service,"
	    " account, expires) VALUES ($1, $2::uuid, $3::bigint,"
	    " now() + make_interval(days => $4::integer))", 4, p) == -1)
		return -1;
	when = *PQgetvalue(res, i, RS_ASSURED) != '\0' ?
	    util_printf("It was last checked on %s.", PQgetvalue(res, i,
	    RS_ASSURED)) : util_strdup("It has not been checked yet.");
	body = when == NULL ? NULL : util_printf("Hello %s,\n\n"
	    "%s%s%s is listed in the %s directory of services, which link\n"
	    "workers use to help people find support. %s\n\n"
	    "If everything on the listing is still right, say so with one\n"
	    "click (you do not need to sign in):\n\n%s/services/check/%s\n\n"
	    "If something has changed, sign in and edit it:\n\n"
	    "%s/services/%s/edit\n\n"
	    "The first link works once, for %d days. Listings are checked\n"
	    "every %d months; one not checked for a while is marked as such\n"
	    "and shown after the others.\n",
	    PQgetvalue(res, i, RS_PERSON), PQgetvalue(res, i, RS_NAME),
	    *PQgetvalue(res, i, RS_ORG) != '\0' ? ", run by " : "",
	    PQgetvalue(res, i, RS_ORG), c->node_name, when,
	    c->public_url, token, c->public_url,
	    PQgetvalue(res, i, RS_SERVICE), CHECK_DAYS, c->review_months);
	explicit_bzero(token, sizeof(token));
	free(when);
	if (body == NULL)
		return -1;
	p[0] = PQgetvalue(res, i, RS_EMAIL);
	p[1] = reminder ? "Reminder: is your listing still right?" :
	    "Is your listing still right?";
	p[2] = body;
	p[3] = PQgetvalue(res, i, RS_ACCOUNT);
	rc = db_exec(db, "INSERT INTO outbox (recipient, subject, body,"
	    " member) SELECT $1, $2, $3, (SELECT member FROM accounts"
	    " WHERE id = $4::bigint)", 4, p);
	free(body);
	return rc;
}

/*
 * One step of the cycle, in one transaction: the mails it queued, or
 * -1 when the database failed (nothing of the step is kept).  0 while
 * another process steps.
 */
long
review_step(struct db *db, const struct config *c)
{
	char months[16];
	const char *p[1] = { months };
	PGresult *res;
	long mailed = 0;
	int i;

	if (db_begin(db) == -1)
		return -1;
	if ((res = db_query(db, PGRES_TUPLES_OK, "SELECT"
	    " pg_try_advisory_xact_lock(" LOCK_REVIEW ")", 0, NULL)) == NULL)
		goto fail;
	if (*PQgetvalue(res, 0, 0) != 't') {
		PQclear(res);
		db_rollback(db);
		return 0;
	}
	PQclear(res);
	snprintf(months, sizeof(months), "%d", c->review_months);
	if ((res = db_query(db, PGRES_TUPLES_OK, step_sql, 1, p)) == NULL)
		goto fail;
	for (i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, RS_ACCOUNT))
			continue;
		if (review_mail(db, c, res, i) == -1) {
			PQclear(res);
			goto fail;
		}
		mailed++;
	}
	PQclear(res);
	if (db_commit(db) == -1)
		return -1;
	if (mailed > 0)
		log_info("asked managers to check %ld listings", mailed);
	return mailed;
fail:
	db_rollback(db);
	return -1;
}

/*
 * A report of a problem with listing service (topic, and details or
 * NULL) mailed to each manager of its organisation, in the caller's
 * transaction; from names the node it was made on, NULL for this one.
 * 0, or -1 when the database failed or memory ran out.
 */
int
review_report_mail(struct db *db, const char *service, const char *topic,
    const char *details, const char *from)
{
	const char *p[3] = { service, NULL, NULL };
	char *where, *body;
	PGresult *res;
	int rc;

	if ((res = db_query(db, PGRES_TUPLES_OK, "SELECT name FROM services"
	    " WHERE id = $1::uuid", 1, p)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	if (details == NULL)
		details = "";
	where = from != NULL ? util_printf(" on %s", from) : util_strdup("");
	body = where == NULL ? NULL : util_printf("Someone%s reported a "
	    "problem with %s in the %s directory of services:\n\n%s\n%s%s\n"
	    "A report changes nothing by itself. Please check the listing, "
	    "and correct it or confirm it is still right:\n\n%s/services/%s\n",
	    where, PQgetvalue(res, 0, 0), cfg->node_name,
	    code_label(report_topic_codes, report_topic_labels, topic),
	    details, *details != '\0' ? "\n" : "", cfg->public_url, service);
	PQclear(res);
	free(where);
	if (body == NULL)
		return -1;
	p[1] = "A problem was reported with your listing";
	p[2] = body;
	rc = db_exec(db, "INSERT INTO outbox (recipient, subject, body,"
	    " member) SELECT a.email, $2, $3, a.member FROM services s"
	    " JOIN organisation_managers m ON m.organisation = s.organisation"
	    " JOIN accounts a ON a.id = m.account AND a.status = 'active'"
	    " WHERE s.id = $1::uuid", 3, p);
	free(body);
	return rc;
}
