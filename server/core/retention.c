/*
 * How long personal data is kept, and the worker that removes it when
 * its time is up: sent mail, guest forms never confirmed, expired
 * sessions, failed sign-ins, old audit entries and accounts whose
 * address was never confirmed.  Each rule is one
 * DELETE with its period from the configuration; the privacy notice
 * reads its figures from the same rules (retention_period), so the two
 * cannot disagree.  Several processes sharing one database each run the
 * worker; a transaction-level advisory lock per rule lets one of them
 * sweep while the others pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

#define RETENTION_LOCK	"7234020"	/* advisory lock: (this, rule) */
#define RETENTION_RETRY_MS	(60 * 1000L)	/* after a database failure */

enum period_unit { UNIT_SECONDS, UNIT_DAYS, UNIT_MONTHS };

/* A period: the member of struct config (a long) that holds it. */
struct period {
	size_t		 off;
	enum period_unit unit;
};

/*
 * A rule: what it removes (for the log), its statement, whose $1 (and
 * $2) are its periods as intervals, and how the privacy notice words
 * them (a format with one %s per period).
 */
struct rule {
	const char	*what;
	const char	*sql;
	struct period	 period[2];
	int		 nperiods;
	const char	*words;
};

#define OFF(m)	offsetof(struct config, m)

static const struct rule rules[RETAIN__MAX] = {
	/* Mail still to be sent is never removed: it gives up by itself. */
	[RETAIN_MAIL] = {
		"sent mail",
		"DELETE FROM outbox WHERE coalesce(sent, failed) <"
		" now() - $1::interval",
		{ { OFF(retain_mail_days), UNIT_DAYS } }, 1,
		"%s after it was sent or given up on",
	},
	[RETAIN_GUEST_FORMS] = {
		"lapsed guest forms",
		"DELETE FROM registrations WHERE status = 'unconfirmed'"
		" AND confirm_by < now() - $1::interval",
		{ { OFF(retain_guest_forms_days), UNIT_DAYS } }, 1,
		"%s after its confirmation link lapsed",
	},
	[RETAIN_SESSIONS] = {
		"expired sessions",
		"DELETE FROM sessions WHERE last_seen < now() - $1::interval"
		" OR created < now() - $2::interval",
		{ { OFF(session_idle), UNIT_SECONDS },
		  { OFF(session_max), UNIT_SECONDS } }, 2,
		"%s after it was last used, or %s after signing in",
	},
	[RETAIN_SIGNIN_FAILURES] = {
		"failed sign-ins",
		"DELETE FROM signin_failures WHERE at < now() - $1::interval",
		{ { OFF(retain_signin_failures_days), UNIT_DAYS } }, 1,
		"%s",
	},
	[RETAIN_AUDIT] = {
		"audit entries",
		"DELETE FROM audit_log WHERE at < now() - $1::interval",
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
		"WITH a AS (DELETE FROM accounts WHERE confirmed IS NULL"
		" AND created < now() - $1::interval RETURNING member)"
		" DELETE FROM members m USING a WHERE m.id = a.member",
		{ { OFF(retain_unconfirmed_days), UNIT_DAYS } }, 1,
		"%s after joining",
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
 * Applies one rule, unless another process is applying it now: the rows
 * removed, or -1 when the database failed.
 */
static long
retention_apply(struct db *db, const struct config *c,
    enum retention_rule rule)
{
	const struct rule *r = &rules[rule];
	char which[16], periods[2][64];
	const char *p[2];
	PGresult *res;
	long removed = 0;
	int k, got;

	snprintf(which, sizeof(which), "%d", (int)rule);
	for (k = 0; k < r->nperiods; k++) {
		period_interval(c, &r->period[k], periods[k],
		    sizeof(periods[k]));
		p[k] = periods[k];
	}
	if (db_begin(db) == -1)
		return -1;
	p[0] = which;
	res = db_query(db, PGRES_TUPLES_OK, "SELECT pg_try_advisory_xact_lock("
	    RETENTION_LOCK ", $1::integer)", 1, p);
	if (res == NULL)
		goto fail;
	got = strcmp(PQgetvalue(res, 0, DB_ONLY), "t") == 0;
	PQclear(res);
	p[0] = periods[0];
	if (got && (removed = db_changes(db, r->sql, r->nperiods, p)) == -1)
		goto fail;
	if (db_commit(db) == -1)
		goto fail;
	if (removed > 0)
		log_info("removed %ld %s", removed, r->what);
	return removed;
fail:
	db_rollback(db);
	return -1;
}

/*
 * One round of every rule: the rows removed in all, or -1 when any rule
 * failed (the others still ran).
 */
long
retention_sweep(struct db *db, const struct config *c)
{
	long n, all = 0;
	int rule, failed = 0;

	for (rule = 0; rule < RETAIN__MAX; rule++) {
		if ((n = retention_apply(db, c, (enum retention_rule)rule)) ==
		    -1)
			failed = 1;
		else
			all += n;
	}
	return failed ? -1 : all;
}

struct retention {
	const struct config *cfg;
	struct db_pool	*pool;
	pthread_t	 thread;
	int		 wake[2];
	atomic_int	 stop;
};

static void *
retention_run(void *arg)
{
	struct retention *t = arg;
	struct db *db;
	long ms;

	while (!atomic_load(&t->stop)) {
		ms = t->cfg->retention_interval * 1000L;
		if ((db = db_acquire(t->pool)) == NULL ||
		    retention_sweep(db, t->cfg) == -1)
			ms = ms < RETENTION_RETRY_MS ? ms : RETENTION_RETRY_MS;
		db_release(t->pool, db);
		worker_wait(t->wake[0], NULL, ms);
	}
	return NULL;
}

/* Starts the worker, which sweeps at once and then every interval. */
struct retention *
retention_start(const struct config *c)
{
	struct retention *t;
	int i;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->cfg = c;
	t->wake[0] = t->wake[1] = -1;
	if (pipe2(t->wake, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_err("pipe: %s", strerror(errno));
		goto fail;
	}
	if ((t->pool = db_pool_new(c->database, 1)) == NULL)
		goto fail;
	if ((i = pthread_create(&t->thread, NULL, retention_run, t)) != 0) {
		log_err("pthread_create: %s", strerror(i));
		goto fail;
	}
	return t;
fail:
	db_pool_free(t->pool);
	if (t->wake[0] != -1) {
		close(t->wake[0]);
		close(t->wake[1]);
	}
	free(t);
	return NULL;
}

/* Lets a sweep under way finish, then stops the worker. */
void
retention_stop(struct retention *t)
{
	if (t == NULL)
		return;
	atomic_store(&t->stop, 1);
	if (write(t->wake[1], "x", 1) == -1 && errno != EAGAIN)
		log_warn("wake: %s", strerror(errno));
	pthread_join(t->thread, NULL);
	db_pool_free(t->pool);
	close(t->wake[0]);
	close(t->wake[1]);
	free(t);
}
