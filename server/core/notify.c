/*
 * How this process hears of changes to the data.  The data version
 * (db.c holds the number) moves whenever a committed change could alter
 * what a page or a feed shows, so that whatever is kept under an older
 * number is never served again.  Every table whose rows are shown
 * carries a trigger (schema/035) that notifies acorn_data; a thread
 * here LISTENs on a connection of its own and counts each notification.
 * While that thread is not listening (at the start, after a lost
 * connection, while it reconnects) notify_version is 0, "unknown":
 * nothing may be served from memory.  Reconnecting moves the version,
 * since notifications sent meanwhile were missed.
 *
 * This process's own writes move the version before they return, not
 * when the notification comes round: the triggers also send the
 * writing connection a DEBUG message (schema/047), which db.c notes and
 * counts once the transaction commits, on every connection of every
 * pool.  (The pools' connections used to LISTEN for that, and
 * PostgreSQL signals every listening backend at every commit that
 * notifies: each was woken at every write of every process.)
 *
 * What remains is a request just after another process's commit (a
 * second acorn serve, the command line), whose notification is still
 * on its way: for that short time (a notification crossing a local
 * socket) it may get the page as it was just before that commit,
 * exactly as it would had it come a moment earlier.  notify_poll,
 * called before every look-up, reads whatever has already arrived.
 *
 * Sessions are kept in memory the same way (session.c), under a version
 * of their own that acorn_sessions moves (schema/039): whenever a
 * session ends, or an account or its member's name or region changes.
 * A session read from memory has the window above; a POST, which may
 * change something, always reads its session from the database.
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

#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000

static atomic_int	 listening;	/* the thread is connected and LISTENs */
static atomic_ulong	 reconnects;
static atomic_int	 stop;
static pthread_t	 thread;
static int		 running;
static int		 wake[2] = { -1, -1 };
static char		*conninfo;
/* The thread's connection, shared with notify_poll under this lock. */
static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static PGconn		*conn;

/*
 * The version to keep and find things under, or 0 when it is not known
 * (nobody is listening): then nothing is served from memory.
 */
uint64_t
notify_version(void)
{
	if (!atomic_load(&listening))
		return 0;
	return db_data_version();
}

/*
 * The sessions' version to keep sessions under (schema/039), or 0 when
 * it is not known: then every session is read from the database.
 */
uint64_t
notify_sessions_version(void)
{
	if (!atomic_load(&listening))
		return 0;
	return db_sessions_version();
}

/*
 * Reads what has already reached the listening connection, without
 * waiting: a notification on the socket counts before a look-up, even
 * if the thread has not woken for it yet.  Another caller holding the
 * connection is reading it already.
 */
void
notify_poll(void)
{
	if (pthread_mutex_trylock(&lock) != 0)
		return;
	if (conn != NULL && PQconsumeInput(conn) == 1)
		db_notifies(conn);
	pthread_mutex_unlock(&lock);
}

/* Sleeps up to ms, or until notify_stop writes the wake pipe. */
static void
pause_ms(int ms)
{
	struct pollfd p = { .fd = wake[0], .events = POLLIN };

	(void)poll(&p, 1, ms);
}

/* Connects and LISTENs; NULL on failure, logged by db_connect. */
static PGconn *
listen_connect(void)
{
	PGconn *c;
	PGresult *res;

	if ((c = db_connect(conninfo)) == NULL)
		return NULL;
	/* Named, so that pg_stat_activity tells it from the pool's. */
	res = PQexec(c, "SET application_name = 'acorn data version';"
	    " LISTEN acorn_data; LISTEN acorn_sessions");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_err("LISTEN: %s", PQerrorMessage(c));
		PQclear(res);
		PQfinish(c);
		return NULL;
	}
	PQclear(res);
	return c;
}

/* Waits on the connection until it fails or a stop is asked for. */
static void
listen_loop(PGconn *c)
{
	struct pollfd p[2];
	int ok = 1;

	while (ok && !atomic_load(&stop)) {
		p[0].fd = PQsocket(c);
		p[0].events = POLLIN;
		p[1].fd = wake[0];
		p[1].events = POLLIN;
		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN)
			break;
		if (p[0].revents == 0)
			continue;
		pthread_mutex_lock(&lock);
		ok = PQconsumeInput(c) == 1 && PQstatus(c) == CONNECTION_OK;
		db_notifies(c);
		pthread_mutex_unlock(&lock);
	}
	if (!ok)
		log_warn("the data version's connection was lost: %s",
		    PQerrorMessage(c));
}

static void *
listen_main(void *arg)
{
	PGconn *c;
	int backoff = BACKOFF_MIN_MS;

	(void)arg;
	while (!atomic_load(&stop)) {
		if ((c = listen_connect()) == NULL) {
			pause_ms(backoff);
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
			    backoff * 2;
			continue;
		}
		backoff = BACKOFF_MIN_MS;
		pthread_mutex_lock(&lock);
		conn = c;
		pthread_mutex_unlock(&lock);
		/* Whatever was notified while nobody listened is unknown. */
		db_data_changed();
		db_sessions_changed();
		atomic_fetch_add(&reconnects, 1);
		atomic_store(&listening, 1);
		listen_loop(c);
		atomic_store(&listening, 0);
		pthread_mutex_lock(&lock);
		conn = NULL;
		pthread_mutex_unlock(&lock);
		PQfinish(c);
	}
	return NULL;
}

/*
 * Starts the listening thread on a connection of its own to database.
 * Until it listens, notify_version is 0.  -1 when the thread could not
 * be started.
 */
int
notify_start(const char *database)
{
	int e;

	if (running)
		return 0;
	atomic_store(&stop, 0);
	if ((conninfo = util_strdup(database)) == NULL)
		return -1;
	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_err("pipe: %s", strerror(errno));
		goto fail;
	}
	if ((e = pthread_create(&thread, NULL, listen_main, NULL)) != 0) {
		log_err("pthread_create: %s", strerror(e));
		goto fail;
	}
	running = 1;
	return 0;
fail:
	if (wake[0] != -1) {
		close(wake[0]);
		close(wake[1]);
		wake[0] = wake[1] = -1;
	}
	free(conninfo);
	conninfo = NULL;
	return -1;
}

void
notify_stop(void)
{
	if (!running)
		return;
	atomic_store(&stop, 1);
	if (write(wake[1], "x", 1) == -1 && errno != EAGAIN)
		log_warn("wake: %s", strerror(errno));
	pthread_join(thread, NULL);
	running = 0;
	close(wake[0]);
	close(wake[1]);
	wake[0] = wake[1] = -1;
	free(conninfo);
	conninfo = NULL;
}

/* For /metrics. */
void
notify_counts(uint64_t *v, int *up, unsigned long *reconnected,
    unsigned long *notified)
{
	*v = db_data_version();
	*up = atomic_load(&listening);
	*reconnected = atomic_load(&reconnects);
	*notified = db_data_notifications();
}
