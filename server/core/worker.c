/*
 * The one sleep of every background worker (the feed puller, the
 * courier, the mail sender): each sleeps here until its time is up,
 * another thread writes its wake pipe, or PostgreSQL has a notification
 * for its connection.
 */
#include <poll.h>
#include <unistd.h>

#include "core.h"

/*
 * A worker's sleep: up to ms, until its wake pipe (read end wake) is
 * written or its database connection (db, when there is one) has a
 * notification to read.  The pipe is emptied.
 */
void
worker_wait(int wake, struct db *db, long ms)
{
	struct pollfd fds[2];
	char junk[64];
	nfds_t n = 1;

	fds[0].fd = wake;
	fds[0].events = POLLIN;
	if (db != NULL && PQsocket(db_conn(db)) >= 0) {
		fds[1].fd = PQsocket(db_conn(db));
		fds[1].events = POLLIN;
		n = 2;
	}
	if (poll(fds, n, (int)ms) > 0 && (fds[0].revents & POLLIN))
		while (read(wake, junk, sizeof(junk)) > 0)
			continue;
}
