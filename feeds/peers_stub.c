/*
 * TEMPORARY: a stand-in for feeds/peers.c, so that the coordinator's peers page
 * (server/network.c) builds and runs before the federation library's
 * pinning is in place.  It pins nothing: peer_add always refuses, with
 * a reason the page shows, and peer_remove only deletes the peer's row
 * (its cursors and refusals go with it).  Delete this file when
 * feeds/peers.c arrives.
 */
#include <stdio.h>
#include <stdlib.h>

#include "acorn.h"

int
peer_add(struct db *db, const char *url, const char *fingerprint, int hub,
    char **error)
{
	(void)db;
	(void)url;
	(void)fingerprint;
	(void)hub;
	*error = util_strdup("peer_add is not available yet");
	return -1;
}

int
peer_remove(struct db *db, long long id)
{
	const char *p[1];
	char num[24];
	PGresult *res;
	int n;

	snprintf(num, sizeof(num), "%lld", id);
	p[0] = num;
	if ((res = db_query(db, PGRES_TUPLES_OK, "DELETE FROM peers"
	    " WHERE id = $1::bigint RETURNING id", 1, p)) == NULL)
		return -1;
	n = PQntuples(res);
	PQclear(res);
	return n == 1 ? 0 : -1;
}
