/*
 * The audit log: who did what to which record.  A caller records an
 * action inside the transaction that makes it, so the log never holds
 * an action that did not happen, nor misses one that did.
 */
#include <stdio.h>

#include "core.h"

/* Records action on subject by the account actor (0: the node itself). */
int
audit(struct db *db, long actor, const char *action, const char *subject)
{
	char ids[32];
	const char *p[3];

	snprintf(ids, sizeof(ids), "%ld", actor);
	p[0] = actor > 0 ? ids : NULL;
	p[1] = action;
	p[2] = subject;
	return db_exec(db, "INSERT INTO audit_log (actor, action, subject)"
	    " VALUES ($1, $2, $3)", 3, p);
}

/*
 * Records the action and commits the transaction the caller began for
 * it, so the change and its record are kept together or not at all.
 * -1, with both rolled back, when either failed.
 */
int
audit_commit(struct db *db, long actor, const char *action,
    const char *subject)
{
	if (audit(db, actor, action, subject) == -1 || db_commit(db) == -1) {
		db_rollback(db);
		return -1;
	}
	return 0;
}
