/*
 * Chores for events that the node's periodic worker (retention.c) runs
 * each time it wakes.
 *
 * Places kept for chosen stakeholder groups (schema/058) end by
 * themselves at their time: from then on a new registration is decided
 * as if they had never been kept.  What the database cannot do by
 * itself is move the waiting list on at that moment and tell the people
 * it gives places to; the worker does it here, waking when the next
 * keep ends rather than at its usual interval.  Of several processes
 * sharing the database, each place type's list moves once:
 * acorn_keeps_release marks what it released under the place type's
 * lock.
 *
 * Once an event of this node is over, how many people of each group
 * came is kept with it and published with its entry (schema/060), and
 * kept up to date after a late check-in.
 */
#include <stdlib.h>

#include "core.h"

/*
 * Moves on the waiting lists whose kept places have ended, telling
 * whoever gets a place.  The people told, or -1 when the database
 * failed (nothing is kept then).
 */
long
chores_keeps(struct db *db, const struct config *c)
{
	const char *p[1] = { c->public_url };
	PGresult *res;
	long n;

	if (db_begin(db) == -1)
		return -1;
	if ((res = db_query(db, PGRES_TUPLES_OK, "SELECT acorn_tell(x,"
	    " 'promoted', $1) FROM acorn_keeps_release() AS x", 1,
	    p)) == NULL) {
		db_rollback(db);
		return -1;
	}
	n = PQntuples(res);
	PQclear(res);
	if (db_commit(db) == -1)
		return -1;
	if (n > 0)
		log_info("kept places ended: %ld people moved up", n);
	return n;
}

/*
 * Milliseconds until the next keep ends, at most max_ms (and at least
 * a second); max_ms when none will, or when the database failed.
 */
long
chores_next_ms(struct db *db, long max_ms)
{
	PGresult *res;
	double ms;

	if ((res = db_query(db, PGRES_TUPLES_OK, "SELECT ceil(extract(epoch"
	    " FROM acorn_keeps_next() - now()) * 1000)", 0, NULL)) == NULL)
		return max_ms;
	if (PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return max_ms;
	}
	ms = strtod(PQgetvalue(res, 0, 0), NULL);
	PQclear(res);
	if (ms < 1000)
		return 1000 < max_ms ? 1000 : max_ms;
	return ms < (double)max_ms ? (long)ms : max_ms;
}

/*
 * Keeps the attendance of this node's events that are over: the events
 * whose counts changed (each a new version, published as any other), or
 * -1 when the database failed.
 */
long
chores_attendance(struct db *db)
{
	PGresult *res;
	long n;

	if ((res = db_query(db, PGRES_TUPLES_OK, "SELECT"
	    " acorn_attendance_publish()", 0, NULL)) == NULL)
		return -1;
	n = atol(PQgetvalue(res, 0, DB_ONLY));
	PQclear(res);
	return n;
}
