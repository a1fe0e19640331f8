/*
 * How long personal data is kept, and the worker that removes it when
 * its time is up: sent mail, guest forms never confirmed, expired
 * sessions, failed sign-ins, old audit entries, accounts whose address
 * was never confirmed, the counts that slow down repeated attempts, and
 * the directory's shortlists, settled reports and suggestions and who
 * recorded a referral.  Each rule is one statement (a DELETE, or an
 * UPDATE that forgets a person) with its period from the configuration;
 * the privacy notice reads its figures from the same rules
 * (retention_period), so the two cannot disagree.  A rule removes at
 * most retention_batch rows a statement, each batch its own transaction,
 * so that a first sweep over years of rows never meets the statement
 * timeout.  Several processes sharing one database each run the worker;
 * a transaction-level advisory lock per rule lets one of them sweep
 * while the others pass.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define RETENTION_RETRY_MS	(60 * 1000L)	/* after a database failure */

enum period_unit { UNIT_SECONDS, UNIT_DAYS, UNIT_MONTHS };

/* A period: the member of struct config (a long) that holds it. */
struct period {
	size_t		 off;
	enum period_unit unit;
};

/*
 * A rule: what it removes (for the log), its statement, whose $1 (and
 * $2) are its periods as intervals and whose last parameter is the most
 * rows one statement removes, and how the privacy notice words the
 * periods (a format with one %s per period).
 */
struct rule {
	const char	*what;
	const char	*sql;
	struct period	 period[2];
	int		 nperiods;
	const char	*words;
};

#define OFF(m)	offsetof(struct config, m)

/*
 * A rule's statement removes the rows (of table t) that the condition
 * cond finds, at most $n of them, where n is the number of the rule's
 * periods plus one.  The rows are found first (through an index on
 * what cond tests: schema/020, schema/024) and removed by their place
 * (ctid), so that no plan reads the whole table to match them up.
 */
#define BATCH(t, cond, n)	"DELETE FROM " t " WHERE ctid = ANY (ARRAY(" \
	"SELECT ctid FROM " t " WHERE " cond " LIMIT $" #n "))"

static const struct rule rules[RETAIN__MAX] = {
	/* Mail still to be sent is never removed: it gives up by itself. */
	[RETAIN_MAIL] = {
		"sent mail",
		BATCH("outbox", "coalesce(sent, failed) < now() - $1::interval",
		    2),
		{ { OFF(retain_mail_days), UNIT_DAYS } }, 1,
		"%s after it was sent or given up on",
	},
	[RETAIN_GUEST_FORMS] = {
		"lapsed guest forms",
		BATCH("registrations", "status = 'unconfirmed'"
		    " AND confirm_by < now() - $1::interval", 2),
		{ { OFF(retain_guest_forms_days), UNIT_DAYS } }, 1,
		"%s after its confirmation link lapsed",
	},
	[RETAIN_SESSIONS] = {
		"expired sessions",
		BATCH("sessions", "last_seen < now() - $1::interval"
		    " OR created < now() - $2::interval", 3),
		{ { OFF(session_idle), UNIT_SECONDS },
		  { OFF(session_max), UNIT_SECONDS } }, 2,
		"%s after it was last used, or %s after signing in",
	},
	[RETAIN_SIGNIN_FAILURES] = {
		"failed sign-ins",
		BATCH("signin_failures", "at < now() - $1::interval", 2),
		{ { OFF(retain_signin_failures_days), UNIT_DAYS } }, 1,
		"%s",
	},
	[RETAIN_AUDIT] = {
		"audit entries",
		BATCH("audit_log", "at < now() - $1::interval", 2),
		{ { OFF(retain_audit_months), UNIT_MONTHS } }, 1,
		"%s",
	},
	/*
	 * An account whose address was never confirmed, with its profile:
	 * never shown nor published (acorn_profile_ready), so nothing of
	 * it is anywhere else.  Joining again with the address restarts
	 * its time.
	 */
	[RETAIN_UNCONFIRMED] = {
		"accounts never confirmed",
		"WITH a AS (" BATCH("accounts", "confirmed IS NULL"
		    " AND created < now() - $1::interval", 2)
		" RETURNING member)"
		" DELETE FROM members m USING a WHERE m.id = a.member",
		{ { OFF(retain_unconfirmed_days), UNIT_DAYS } }, 1,
		"%s after joining",
	},
	/*
	 * The counts that slow down sign-ins, joins and mailed links
	 * (acorn_throttle_take) name an email and an address: kept while
	 * they still slow anyone down, and for the period after the last
	 * attempt.
	 */
	[RETAIN_THROTTLE] = {
		"attempt counts",
		BATCH("throttle", "last < now() - $1::interval"
		    " AND wait_until < now()", 2),
		{ { OFF(retain_throttle_days), UNIT_DAYS } }, 1,
		"%s after the last attempt",
	},
	/* A shortlist lasts as long as its shared link, or unshared as
	   long from its last change. */
	[RETAIN_SHORTLISTS] = {
		"shortlists",
		BATCH("shortlists", "expires < now() OR (expires IS NULL"
		    " AND updated < now() - $1::interval)", 2),
		{ { OFF(shortlist_days), UNIT_DAYS } }, 1,
		"%s after it was shared, or last changed if it was not",
	},
	/* A report about a listing, once a coordinator has settled it. */
	[RETAIN_REPORTS] = {
		"settled reports",
		BATCH("service_reports", "resolved < now() - $1::interval",
		    2),
		{ { OFF(retain_directory_months), UNIT_MONTHS } }, 1,
		"%s after it was settled",
	},
	/* A suggested change, once accepted or rejected: an accepted one
	   lives on as the listing's revision. */
	[RETAIN_SUGGESTIONS] = {
		"settled suggestions",
		BATCH("service_suggestions", "decided < now() - $1::interval",
		    2),
		{ { OFF(retain_directory_months), UNIT_MONTHS } }, 1,
		"%s after it was accepted or rejected",
	},
	/*
	 * A referral outcome is a count: who recorded it matters only to
	 * the daily limit on what one member records (services_review.c),
	 * and is forgotten with the other attempt counts.  The count stays.
	 */
	[RETAIN_REFERRALS] = {
		"who recorded referral outcomes",
		"UPDATE service_referrals SET account = NULL"
		" WHERE ctid = ANY (ARRAY(SELECT ctid FROM service_referrals"
		" WHERE account IS NOT NULL AND recorded < now() - $1::interval"
		" LIMIT $2))",
		{ { OFF(retain_throttle_days), UNIT_DAYS } }, 1,
		"%s after it was recorded",
	},
	/* A report or outcome the listing's home node never took. */
	[RETAIN_NOTES] = {
		"reports and outcomes other nodes did not take",
		BATCH("directory_notes", "created < now() - $1::interval", 2),
		{ { OFF(retain_mail_days), UNIT_DAYS } }, 1,
		"%s after it was made",
	},
};

static long
period_value(const struct config *c, const struct period *p)
{
	return *(const long *)((const char *)c + p->off);
}

/* A period as PostgreSQL reads an interval: "30 days". */
static void
period_interval(const struct config *c, const struct period *p, char *buf,
    size_t len)
{
	static const char *const units[] = {
		[UNIT_SECONDS] = "seconds", [UNIT_DAYS] = "days",
		[UNIT_MONTHS] = "months"
	};

	snprintf(buf, len, "%ld %s", period_value(c, p), units[p->unit]);
}

/* A period as people say it: "14 days", "2 hours", "1 month". */
static void
period_words(const struct config *c, const struct period *p, char *buf,
    size_t len)
{
	long n = period_value(c, p);
	const char *unit;

	switch (p->unit) {
	case UNIT_MONTHS:
		unit = "month";
		break;
	case UNIT_DAYS:
		unit = "day";
		break;
	default:
		unit = "second";
		if (n % 86400 == 0) {
			n /= 86400;
			unit = "day";
		} else if (n % 3600 == 0) {
			n /= 3600;
			unit = "hour";
		} else if (n % 60 == 0) {
			n /= 60;
			unit = "minute";
		}
	}
	snprintf(buf, len, "%ld %s%s", n, unit, n == 1 ? "" : "s");
}

/*
 * How long rule keeps what it removes, in words for the privacy notice
 * ("30 days after it was sent"), from the configuration c; the caller
 * frees it.  NULL when memory ran out.
 */
char *
retention_period(const struct config *c, enum retention_rule rule)
{
	const struct rule *r = &rules[rule];
	char a[64], b[64];

	period_words(c, &r->period[0], a, sizeof(a));
	if (r->nperiods > 1) {
		period_words(c, &r->period[1], b, sizeof(b));
		return util_printf(r->words, a, b);
	}
	return util_printf(r->words, a);
}

/*
 * One batch of a rule, unless another process is applying it now: the
 * rows removed, or -1 when the database failed.  params are the rule's
 * periods and the batch size.
 */
static long
retention_once(struct db *db, enum retention_rule rule,
    const char *const *params)
{
	const struct rule *r = &rules[rule];
	char which[16];
	const char *lock[1] = { which };
	PGresult *res;
	long removed = 0;
	int got;

	snprintf(which, sizeof(which), "%d", (int)rule);
	if (db_begin(db) == -1)
		return -1;
	res = db_query(db, PGRES_TUPLES_OK, "SELECT pg_try_advisory_xact_lock("
	    LOCK_RETENTION ", $1::integer)", 1, lock);
	if (res == NULL)
		goto fail;
	got = strcmp(PQgetvalue(res, 0, DB_ONLY), "t") == 0;
	PQclear(res);
	if (got && (removed = db_changes(db, r->sql, r->nperiods + 1,
	    params)) == -1)
		goto fail;
	if (db_commit(db) == -1)
		goto fail;
	return removed;
fail:
	db_rollback(db);
	return -1;
}

/*
 * Applies one rule, a batch at a time while whole batches go, until
 * the worker w (NULL: none) is asked to stop: the rows removed, or -1
 * when the database failed.
 */
static long
retention_apply(struct db *db, const struct config *c,
    enum retention_rule rule, struct worker *w)
{
	const struct rule *r = &rules[rule];
	char periods[2][64], batch[16];
	const char *params[3];
	long n, removed = 0;
	int k, failed = 0;

	for (k = 0; k < r->nperiods; k++) {
		period_interval(c, &r->period[k], periods[k],
		    sizeof(periods[k]));
		params[k] = periods[k];
	}
	snprintf(batch, sizeof(batch), "%d", c->retention_batch);
	params[r->nperiods] = batch;
	do {
		if ((n = retention_once(db, rule, params)) == -1) {
			failed = 1;
			break;
		}
		removed += n;
	} while (n > 0 && n == c->retention_batch &&
	    (w == NULL || !worker_stopping(w)));
	/* The batches before a failure are committed: say so. */
	if (removed > 0)
		log_info("removed %ld %s", removed, r->what);
	return failed ? -1 : removed;
}

/* Every rule once, for the worker w (NULL: none); as retention_sweep. */
static long
retention_rules(struct db *db, const struct config *c, struct worker *w)
{
	long n, all = 0;
	int rule, failed = 0;

	for (rule = 0; rule < RETAIN__MAX; rule++) {
		if (w != NULL && worker_stopping(w))
			break;
		if ((n = retention_apply(db, c, (enum retention_rule)rule, w)) ==
		    -1)
			failed = 1;
		else
			all += n;
	}
	return failed ? -1 : all;
}

/*
 * One round of every rule: the rows removed in all, or -1 when any rule
 * failed (the others still ran).
 */
long
retention_sweep(struct db *db, const struct config *c)
{
	return retention_rules(db, c, NULL);
}

struct retention {
	const struct config *cfg;
	struct worker	*worker;	/* for retention_stop alone */
};

/*
 * The worker's thread: a sweep, a step of the directory's review cycle
 * (review.c: one timer for the node's periodic chores, not a thread
 * each), the chores for events (chores.c: kept places that have ended,
 * the attendance of events over), then a sleep of retention_interval,
 * or until the next keep ends.
 */
static void
retention_run(struct worker *w, void *arg)
{
	const struct config *c = ((struct retention *)arg)->cfg;
	struct db *db;
	long ms;

	while (!worker_stopping(w)) {
		ms = c->retention_interval * 1000L;
		/* The directory's review cycle steps on the same timer. */
		if ((db = db_acquire(worker_pool(w))) == NULL ||
		    retention_rules(db, c, w) == -1 ||
		    review_step(db, c) == -1 ||
		    chores_keeps(db, c) == -1 || chores_attendance(db) == -1)
			ms = ms < RETENTION_RETRY_MS ? ms : RETENTION_RETRY_MS;
		/* Kept places that end before then move their lists on. */
		if (db != NULL)
			ms = chores_next_ms(db, ms);
		db_release(worker_pool(w), db);
		worker_sleep(w, NULL, ms);
	}
}

/* Starts the worker, which sweeps at once and then every interval. */
struct retention *
retention_start(const struct config *c)
{
	struct retention *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->cfg = c;
	if ((t->worker = worker_start(c->database, retention_run, t)) ==
	    NULL) {
		free(t);
		return NULL;
	}
	return t;
}

/* Lets a batch under way finish, then stops the worker. */
void
retention_stop(struct retention *t)
{
	if (t == NULL)
		return;
	worker_stop(t->worker);
	free(t);
}
