/*
 * Background workers (the mail sender, the retention sweep): a thread
 * with a database pool of its own and a wake pipe, started and stopped
 * here; and the one sleep of every background worker (the feed puller
 * and the courier too): each sleeps here until its time is up, another
 * thread writes its wake pipe, or PostgreSQL has a notification for its
 * connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

struct worker {
	pthread_t	 thread;
	struct db_pool	*pool;		/* one connection, the worker's own */
	int		 wake[2];	/* written to cut a sleep short */
	atomic_int	 stop;
	void		(*run)(struct worker *, void *);
	void		*arg;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	w->run(w, w->arg);
	return NULL;
}

/*
 * Starts a thread that calls run(worker, arg) with a pool of one
 * connection to database; run returns once worker_stopping says so.
 * NULL when it could not be started.
 */
struct worker *
worker_start(const char *database, void (*run)(struct worker *, void *),
    void *arg)
{
	struct worker *w;
	int e;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->run = run;
	w->arg = arg;
	w->wake[0] = w->wake[1] = -1;
	if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_err("pipe: %s", strerror(errno));
		goto fail;
	}
	if ((w->pool = db_pool_new(database, 1)) == NULL)
		goto fail;
	if ((e = pthread_create(&w->thread, NULL, worker_main, w)) != 0) {
		log_err("pthread_create: %s", strerror(e));
		goto fail;
	}
	return w;
fail:
	db_pool_free(w->pool);
	if (w->wake[0] != -1) {
		close(w->wake[0]);
		close(w->wake[1]);
	}
	free(w);
	return NULL;
}

/*
 * Asks the worker to stop, wakes it, and waits for run to return: what
 * it has in hand (a message, a batch) finishes first.
 */
void
worker_stop(struct worker *w)
{
	if (w == NULL)
		return;
	atomic_store(&w->stop, 1);
	if (write(w->wake[1], "x", 1) == -1 && errno != EAGAIN)
		log_warn("wake: %s", strerror(errno));
	pthread_join(w->thread, NULL);
	db_pool_free(w->pool);
	close(w->wake[0]);
	close(w->wake[1]);
	free(w);
}

/* 1 once a stop is asked for: run finishes what it holds and returns. */
int
worker_stopping(struct worker *w)
{
	return atomic_load(&w->stop);
}

struct db_pool *
worker_pool(struct worker *w)
{
	return w->pool;
}

/* The worker's sleep (worker_wait), cut short by worker_stop. */
void
worker_sleep(struct worker *w, struct db *db, long ms)
{
	worker_wait(w->wake[0], db, ms);
}

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
