/*
 * The propagation benchmark's probe (tests/bench/propagation.sh): changes
 * a glossary term in one node's database, the way a coordinator's edit
 * does, and times how long until the change is visible elsewhere:
 *
 *   reference  read back from the same database on a second connection
 *              (a write, then a read, with no federation in between)
 *   signed     the writing node has signed it (its feeds serve it)
 *   holder N   the database of each other node given holds it
 *
 *   propagate [-n WRITES] [-p PAUSE_MS] [-t TIMEOUT_S] [-s SAMPLES_FILE]
 *       WRITER_CONNINFO HOLDER_CONNINFO...
 *
 * Every time counts from just before the UPDATE is sent.  The watcher
 * sleeps on the databases' acorn_published notifications (a node sends
 * one when it commits what it signed or merged) and looks at least every
 * 10 ms besides, so a time is exact to within a query, and to 10 ms at
 * worst if a notification never came.  Writes are spaced by PAUSE_MS,
 * jittered by half either way, so each starts on a quiet network.
 *
 * Prints "key value" lines for the calling script; exits non-zero when a
 * database fails or a write is not visible everywhere within TIMEOUT_S.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#define MAX_HOLDERS	8
#define LOOK_MS		10	/* at least this often without a notification */
#define WARMUP_SECONDS	120	/* for the first write to reach everyone */

/* What is watched: the writer's second connection, then each holder. */
struct stage {
	const char	*name;
	PGconn		*conn;
	const char	*query;		/* $1 id, $2 definition */
	double		*ms;		/* one per write */
	int		 done;
};

static const char held[] = "SELECT 1 FROM glossary_terms"
    " WHERE id = $1 AND definition = $2";
static const char signed_[] = "SELECT 1 FROM glossary_terms"
    " WHERE id = $1 AND definition = $2 AND NOT pending"
    " AND entry IS NOT NULL";

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static PGconn *
connect_db(const char *conninfo)
{
	PGconn *c;
	PGresult *res;

	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "propagate: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	res = PQexec(c, "SET search_path = public; LISTEN acorn_published");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "propagate: %s", PQerrorMessage(c));
		PQclear(res);
		PQfinish(c);
		return NULL;
	}
	PQclear(res);
	return c;
}

/* 1 when the stage's database holds the write, 0 not yet, -1 failed. */
static int
holds(struct stage *s, const char *id, const char *text)
{
	const char *p[2] = { id, text };
	PGresult *res;
	int n;

	res = PQexecParams(s->conn, s->query, 2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "propagate: %s: %s", s->name,
		    PQerrorMessage(s->conn));
		PQclear(res);
		return -1;
	}
	n = PQntuples(res);
	PQclear(res);
	return n > 0;
}

/*
 * Sleeps until a watched database sends a notification or ms pass, and
 * throws the notifications away: they only say when to look.
 */
static int
sleep_on(struct stage *st, int n, int ms)
{
	struct pollfd fds[MAX_HOLDERS + 2];
	PGnotify *note;
	int i;

	for (i = 0; i < n; i++) {
		fds[i].fd = PQsocket(st[i].conn);
		fds[i].events = POLLIN;
	}
	if (poll(fds, (nfds_t)n, ms) == -1 && errno != EINTR)
		return -1;
	for (i = 0; i < n; i++) {
		if (!(fds[i].revents & POLLIN))
			continue;
		if (PQconsumeInput(st[i].conn) == 0) {
			fprintf(stderr, "propagate: %s: %s", st[i].name,
			    PQerrorMessage(st[i].conn));
			return -1;
		}
		while ((note = PQnotifies(st[i].conn)) != NULL)
			PQfreemem(note);
	}
	return 0;
}

/*
 * Watches every stage until each holds the write; the time since t0 is
 * kept as write's (unless write is -1).  -1 on a database failure or
 * after timeout ms.
 */
static int
watch(struct stage *st, int n, int write, const char *id, const char *text,
    double t0, double timeout)
{
	int i, left, rc;

	for (i = 0; i < n; i++)
		st[i].done = 0;
	for (;;) {
		left = 0;
		for (i = 0; i < n; i++) {
			if (st[i].done)
				continue;
			if ((rc = holds(&st[i], id, text)) == -1)
				return -1;
			if (rc == 1) {
				st[i].done = 1;
				if (write >= 0)
					st[i].ms[write] = now_ms() - t0;
			} else
				left++;
		}
		if (left == 0)
			return 0;
		if (now_ms() - t0 > timeout) {
			for (i = 0; i < n; i++)
				if (!st[i].done)
					fprintf(stderr, "propagate: write %d"
					    " not seen by %s after %.0f ms\n",
					    write + 1, st[i].name, timeout);
			return -1;
		}
		if (sleep_on(st, n, LOOK_MS) == -1)
			return -1;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* p50, p99, mean and max of one stage's times. */
static void
report(const char *key, double *ms, int n)
{
	double sum = 0;
	int i;

	qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
	for (i = 0; i < n; i++)
		sum += ms[i];
	printf("%s_p50_ms %.3f\n", key, ms[n / 2]);
	printf("%s_p99_ms %.3f\n", key, ms[(n * 99) / 100]);
	printf("%s_mean_ms %.3f\n", key, sum / n);
	printf("%s_max_ms %.3f\n", key, ms[n - 1]);
}

static void
usage(void)
{
	fprintf(stderr, "usage: propagate [-n WRITES] [-p PAUSE_MS]"
	    " [-t TIMEOUT_S] [-s SAMPLES_FILE]\n"
	    "           WRITER_CONNINFO HOLDER_CONNINFO...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct stage st[MAX_HOLDERS + 2];
	PGconn *w = NULL;
	PGresult *res = NULL;
	FILE *samples = NULL;
	const char *samples_path = NULL, *p[2];
	char id[64], text[128], key[32];
	double t0, pause;
	int ch, i, k, n, writes = 200, pause_ms = 300, timeout_s = 30;
	int status = 1;

	while ((ch = getopt(argc, argv, "n:p:t:s:")) != -1) {
		switch (ch) {
		case 'n':
			writes = atoi(optarg);
			break;
		case 'p':
			pause_ms = atoi(optarg);
			break;
		case 't':
			timeout_s = atoi(optarg);
			break;
		case 's':
			samples_path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || argc - 1 > MAX_HOLDERS || writes < 1 ||
	    writes > 100000 || pause_ms < 0 || timeout_s < 1)
		usage();

	/* Stage 0 is the reference, 1 the signing, then the holders. */
	n = argc + 1;
	memset(st, 0, sizeof(st));
	st[0].name = "the writer (second connection)";
	st[0].query = held;
	st[1].name = "the writer's signed entries";
	st[1].query = signed_;
	for (i = 2; i < n; i++) {
		st[i].name = argv[i - 1];
		st[i].query = held;
	}
	if ((w = connect_db(argv[0])) == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		if ((st[i].conn = connect_db(i < 2 ? argv[0] :
		    argv[i - 1])) == NULL)
			goto done;
		if ((st[i].ms = calloc((size_t)writes, sizeof(double))) ==
		    NULL)
			goto done;
	}
	if (samples_path != NULL && (samples = fopen(samples_path, "w")) ==
	    NULL) {
		perror(samples_path);
		goto done;
	}

	/* The probe: a term of the writer's own, known everywhere first. */
	res = PQexec(w, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) SELECT gen_random_uuid(), n.id, 'Propagation probe '"
	    " || left(gen_random_uuid()::text, 8), 'Probe write 0'"
	    " FROM node n RETURNING id");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		fprintf(stderr, "propagate: cannot add the probe term: %s",
		    PQerrorMessage(w));
		goto done;
	}
	snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	if (watch(st, n, -1, id, "Probe write 0", now_ms(),
	    WARMUP_SECONDS * 1e3) == -1) {
		fprintf(stderr, "propagate: the probe term did not reach every"
		    " node: are they peered?\n");
		goto done;
	}
	srand((unsigned)getpid());

	for (k = 0; k < writes; k++) {
		pause = pause_ms * (0.5 + (double)rand() / RAND_MAX);
		usleep((useconds_t)(pause * 1e3));
		snprintf(text, sizeof(text), "Probe write %d", k + 1);
		p[0] = id;
		p[1] = text;
		t0 = now_ms();
		res = PQexecParams(w, "UPDATE glossary_terms SET definition = $2"
		    " WHERE id = $1", 2, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK ||
		    strcmp(PQcmdTuples(res), "1") != 0) {
			fprintf(stderr, "propagate: write %d failed: %s", k + 1,
			    PQerrorMessage(w));
			goto done;
		}
		PQclear(res);
		res = NULL;
		if (watch(st, n, k, id, text, t0, timeout_s * 1e3) == -1)
			goto done;
		if (samples != NULL) {
			fprintf(samples, "%d", k + 1);
			for (i = 0; i < n; i++)
				fprintf(samples, " %.3f", st[i].ms[k]);
			fputc('\n', samples);
		}
	}

	printf("writes %d\n", writes);
	printf("holders %d\n", n - 2);
	report("reference", st[0].ms, writes);
	report("signed", st[1].ms, writes);
	for (i = 2; i < n; i++) {
		snprintf(key, sizeof(key), "holder%d", i - 1);
		report(key, st[i].ms, writes);
	}
	status = 0;
done:
	PQclear(res);
	if (samples != NULL && fclose(samples) != 0) {
		perror(samples_path);
		status = 1;
	}
	for (i = 0; i < n && i < MAX_HOLDERS + 2; i++) {
		PQfinish(st[i].conn);
		free(st[i].ms);
	}
	PQfinish(w);
	return status;
}
