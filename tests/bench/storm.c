/*
 * One registration storm against a running node: everybody opens the
 * event page first (untimed; it hands out the form's tokens and leaves
 * each person's connection open), then everybody sends the registration
 * form at the same moment through libcurl's multi interface.  Only the
 * sending is timed, from the first byte out to the last answer in.
 *
 *   storm [-c] BASE_URL EVENT_ID SESSIONS_FILE
 *
 * -c: the event is held by another node, and the people are members of
 * this one registering from home.  Each also sends the form once to see
 * what will be shared (untimed), and the timed sending confirms it: the
 * node hands it to its courier, which sends it on to the host, and
 * answers at once with the registration's own page.  The clock runs on
 * until every person's page shows the host's decision.
 *
 * -d CONNINFO (with -c): the home node's database.  The clock then runs
 * until that database holds the host's decision for every person (each
 * person's time is when theirs was applied there, as that database
 * stamped it), watched with one query every 50 ms (the times are the
 * database's own, so looking more often would change no figure, only
 * take processor time from the nodes measured), and only then is every
 * person's page loaded, once and untimed, to check that it shows the
 * decision.
 * Without it, everybody whose page still says "sending" loads it again
 * every tenth of a second: 400 people doing so are thousands of page
 * loads a second that the home node serves while it delivers, where a
 * browser asks every three seconds (templates/static/check-again.js).
 *
 * SESSIONS_FILE holds one session token per line, one line per person.
 * What happened goes to standard output as "key value" lines for the
 * calling script to judge; the exit status is non-zero only when the
 * storm could not be set up (a page that would not load, a form missing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#define MAX_PEOPLE	10000
#define MAX_BODY	(1024 * 1024)
#define PHASE_SECONDS	120	/* each phase ends by then, whatever happens */

struct person {
	CURL	*easy;
	char	 cookie[128];
	char	 csrf[72];
	char	 request[72];
	char	 place[32];
	char	 post[340];
	char	*body;
	size_t	 len;
	int	 overflow;
	CURLcode result;
	long	 status;
	double	 done;		/* seconds after the start of the phase */
	int	 retried;	/* a GET sent again, as a browser would */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Waits until the home node's database (-d) holds a decision for each
 * of the n requests for event, made since wall clock time since; then
 * lat (n of them, sorted) is when each was applied, in seconds after
 * since.  0 when all were, -1 otherwise.
 */
static int
settle_db(PGconn *db, const char *event, int n, double since, double *lat)
{
	const struct timespec pause = { 0, 50 * 1000 * 1000 };
	const char *p[1] = { event };
	PGresult *res;
	int i, decided = -1;

	while (decided < n) {
		res = PQexecParams(db, "SELECT count(*) FROM away_registrations"
		    " WHERE event = $1 AND status <> 'pending'", 1, NULL, p,
		    NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			fprintf(stderr, "storm: %s", PQerrorMessage(db));
			PQclear(res);
			return -1;
		}
		decided = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		if (decided >= n)
			break;
		if (wall() - since > PHASE_SECONDS) {
			fprintf(stderr, "storm: %d registrations still being "
			    "sent after %ds\n", n - decided, PHASE_SECONDS);
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	res = PQexecParams(db, "SELECT extract(epoch FROM changed)::float8"
	    " FROM away_registrations WHERE event = $1 AND status <> 'pending'"
	    " ORDER BY changed", 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != n) {
		fprintf(stderr, "storm: %d decisions, %d people: %s",
		    PQntuples(res), n, PQerrorMessage(db));
		PQclear(res);
		return -1;
	}
	for (i = 0; i < n; i++)
		lat[i] = strtod(PQgetvalue(res, i, 0), NULL) - since;
	PQclear(res);
	return 0;
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	struct person *p = arg;
	size_t len = size * n;
	char *b;

	if (p->len + len > MAX_BODY) {
		p->overflow = 1;
		return 0;
	}
	if ((b = realloc(p->body, p->len + len + 1)) == NULL)
		return 0;
	memcpy(b + p->len, data, len);
	p->len += len;
	b[p->len] = '\0';
	p->body = b;
	return len;
}

static void
reset_answer(struct person *p)
{
	free(p->body);
	p->body = NULL;
	p->len = 0;
	p->overflow = 0;
	p->result = CURLE_OK;
	p->status = 0;
	p->done = -1;
}

/* Tokens and ids only: nothing that would need escaping in a form body. */
static int
plain(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/*
 * The value of the first input called name: the tag around name="...",
 * wherever its value attribute sits within it.
 */
static int
form_value(const char *html, const char *name, char *out, size_t outsz)
{
	char needle[64];
	const char *at, *start, *end, *v, *q;
	size_t n;

	snprintf(needle, sizeof(needle), "name=\"%s\"", name);
	if ((at = strstr(html, needle)) == NULL)
		return -1;
	for (start = at; start > html && *start != '<'; start--)
		;
	if ((end = strchr(at, '>')) == NULL)
		return -1;
	for (v = start; (v = strstr(v, "value=\"")) != NULL && v < end; v++) {
		if (v > start && v[-1] != ' ')
			continue;	/* data-set-value="..." and the like */
		v += 7;
		if ((q = strchr(v, '"')) == NULL || q > end)
			return -1;
		n = (size_t)(q - v);
		if (n == 0 || n >= outsz)
			return -1;
		memcpy(out, v, n);
		out[n] = '\0';
		return plain(out) ? 0 : -1;
	}
	return -1;
}

/* Runs every added transfer to its end, or until the phase runs out. */
static int
run_all(CURLM *m, double start)
{
	struct person *p;
	struct CURLMsg *msg;
	char *method;
	int running = 1, left;
	CURLMcode mc;

	while (running > 0) {
		if ((mc = curl_multi_perform(m, &running)) != CURLM_OK) {
			fprintf(stderr, "storm: %s\n", curl_multi_strerror(mc));
			return -1;
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&p);
			/*
			 * A kept connection the server closed as the GET went
			 * out (it closes those idle for its timeout): sent
			 * again on a new one, once, as browsers do with a
			 * request that changes nothing (RFC 9110, 9.2.2).
			 */
			if ((msg->data.result == CURLE_GOT_NOTHING ||
			    msg->data.result == CURLE_SEND_ERROR ||
			    msg->data.result == CURLE_RECV_ERROR) &&
			    !p->retried && curl_easy_getinfo(msg->easy_handle,
			    CURLINFO_EFFECTIVE_METHOD, &method) == CURLE_OK &&
			    method != NULL && strcmp(method, "GET") == 0) {
				p->retried = 1;
				curl_multi_remove_handle(m, p->easy);
				reset_answer(p);
				curl_easy_setopt(p->easy, CURLOPT_FRESH_CONNECT,
				    1L);
				if (curl_multi_add_handle(m, p->easy) !=
				    CURLM_OK)
					return -1;
				running = 1;
				continue;
			}
			curl_easy_setopt(p->easy, CURLOPT_FRESH_CONNECT, 0L);
			p->done = now() - start;
			p->result = msg->data.result;
			curl_easy_getinfo(msg->easy_handle,
			    CURLINFO_RESPONSE_CODE, &p->status);
		}
		if (running == 0)
			break;
		if (now() - start > PHASE_SECONDS) {
			fprintf(stderr, "storm: still %d transfers after %ds\n",
			    running, PHASE_SECONDS);
			return -1;
		}
		if ((mc = curl_multi_poll(m, NULL, 0, 1000, NULL)) != CURLM_OK) {
			fprintf(stderr, "storm: %s\n", curl_multi_strerror(mc));
			return -1;
		}
	}
	return 0;
}

/*
 * Everybody's transfer, added before the clock starts and run to its
 * end; *start is when it started.
 */
static int
run_everybody(CURLM *m, struct person *ps, int n, double *start)
{
	int i;

	for (i = 0; i < n; i++)
		if (curl_multi_add_handle(m, ps[i].easy) != CURLM_OK)
			return -1;
	*start = now();
	return run_all(m, *start);
}

/*
 * From home: everybody whose page still says their registration is being
 * sent asks for it again, a tenth of a second after the last round,
 * until every page has the host's decision or the phase runs out.
 */
static int
settle(CURLM *m, struct person *ps, int n, double start)
{
	const struct timespec pause = { 0, 100 * 1000 * 1000 };
	char where[512], *at;
	int i, again;

	for (;;) {
		again = 0;
		for (i = 0; i < n; i++) {
			struct person *p = &ps[i];

			curl_multi_remove_handle(m, p->easy);
			if (p->result != CURLE_OK || p->status != 200 ||
			    p->body == NULL || strstr(p->body,
			    "Sending your registration") == NULL)
				continue;
			if (curl_easy_getinfo(p->easy, CURLINFO_EFFECTIVE_URL,
			    &at) != CURLE_OK || at == NULL ||
			    snprintf(where, sizeof(where), "%s", at) >=
			    (int)sizeof(where))
				return -1;
			reset_answer(p);
			curl_easy_setopt(p->easy, CURLOPT_URL, where);
			curl_easy_setopt(p->easy, CURLOPT_HTTPGET, 1L);
			if (curl_multi_add_handle(m, p->easy) != CURLM_OK)
				return -1;
			again++;
		}
		if (again == 0)
			return 0;
		if (now() - start > PHASE_SECONDS) {
			fprintf(stderr, "storm: %d registrations still being "
			    "sent after %ds\n", again, PHASE_SECONDS);
			return -1;
		}
		nanosleep(&pause, NULL);
		if (run_all(m, start) == -1)
			return -1;
	}
}

/* Whether a person's last answer is a 200 saying what; removes it. */
static int
answered(CURLM *m, struct person *p, int who, const char *url,
    const char *what)
{
	curl_multi_remove_handle(m, p->easy);
	if (p->result != CURLE_OK || p->status != 200 || p->body == NULL) {
		fprintf(stderr, "storm: person %d: %s: %s, status %ld\n", who,
		    url, curl_easy_strerror(p->result), p->status);
		return 0;
	}
	if (what != NULL && strstr(p->body, what) == NULL) {
		fprintf(stderr, "storm: person %d: %s does not say \"%s\"\n",
		    who, url, what);
		return 0;
	}
	return 1;
}

static int
by_time(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
read_sessions(const char *path, struct person **out)
{
	FILE *f;
	char line[256];
	struct person *ps;
	int n = 0;
	size_t len;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return -1;
	}
	if ((ps = calloc(MAX_PEOPLE, sizeof(*ps))) == NULL) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (len == 0)
			continue;
		if (n == MAX_PEOPLE || !plain(line) || len > 64) {
			fprintf(stderr, "storm: %s: line %d is not a session "
			    "token, or there are too many\n", path, n + 1);
			fclose(f);
			free(ps);
			return -1;
		}
		snprintf(ps[n].cookie, sizeof(ps[n].cookie),
		    "acorn_session=%.64s", line);
		n++;
	}
	fclose(f);
	*out = ps;
	return n;
}

int
main(int argc, char *argv[])
{
	struct person *ps = NULL;
	CURLM *m = NULL;
	char url[512], action[512];
	double start, seconds, since, *lat = NULL;
	PGconn *db = NULL;
	const char *conninfo = NULL;
	int n = 0, i, ok = 0, placed = 0, waiting = 0, pending = 0, other = 0;
	int told_ok = 1, *seen = NULL, away = 0, rc = 1, ch;
	const char *w;
	long pos;

	while ((ch = getopt(argc, argv, "cd:")) != -1) {
		if (ch == 'c')
			away = 1;
		else if (ch == 'd')
			conninfo = optarg;
		else
			goto usage;
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || (conninfo != NULL && !away)) {
usage:
		fprintf(stderr, "usage: storm [-c [-d CONNINFO]] BASE_URL"
		    " EVENT_ID SESSIONS_FILE\n");
		return 2;
	}
	if (!plain(argv[1])) {
		fprintf(stderr, "storm: bad event id: %s\n", argv[1]);
		return 2;
	}
	snprintf(url, sizeof(url), "%s/events/%s", argv[0], argv[1]);
	snprintf(action, sizeof(action), "%s/events/%s/register", argv[0],
	    argv[1]);
	if ((n = read_sessions(argv[2], &ps)) <= 0) {
		if (n == 0)
			fprintf(stderr, "storm: %s: no sessions\n", argv[2]);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (m = curl_multi_init()) == NULL)
		goto fail;
	/* Keep every person's connection between the two phases. */
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)n);

	/* Untimed: open the event page, as a browser would before Register. */
	for (i = 0; i < n; i++) {
		struct person *p = &ps[i];

		if ((p->easy = curl_easy_init()) == NULL)
			goto fail;
		reset_answer(p);
		curl_easy_setopt(p->easy, CURLOPT_URL, url);
		curl_easy_setopt(p->easy, CURLOPT_COOKIE, p->cookie);
		curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, p);
		curl_easy_setopt(p->easy, CURLOPT_PRIVATE, p);
		curl_easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(p->easy, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(p->easy, CURLOPT_TIMEOUT, (long)PHASE_SECONDS);
		if (curl_multi_add_handle(m, p->easy) != CURLM_OK)
			goto fail;
	}
	if (run_all(m, now()) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		struct person *p = &ps[i];

		if (!answered(m, p, i + 1, url, NULL))
			goto fail;
		if (form_value(p->body, "request", p->request,
		    sizeof(p->request)) == -1 ||
		    form_value(p->body, "csrf", p->csrf, sizeof(p->csrf)) == -1 ||
		    form_value(p->body, "place", p->place,
		    sizeof(p->place)) == -1) {
			fprintf(stderr, "storm: person %d: no registration form "
			    "on %s (not signed in, or not open?)\n", i + 1, url);
			goto fail;
		}
		snprintf(p->post, sizeof(p->post),
		    "csrf=%s&request=%s&place=%s&places=1", p->csrf,
		    p->request, p->place);
		reset_answer(p);
		curl_easy_setopt(p->easy, CURLOPT_URL, action);
		curl_easy_setopt(p->easy, CURLOPT_COPYPOSTFIELDS, p->post);
	}

	/* Untimed, from home: the page of what will be shared. */
	if (away) {
		if (run_everybody(m, ps, n, &start) == -1)
			goto fail;
		for (i = 0; i < n; i++) {
			struct person *p = &ps[i];
			size_t len;

			if (!answered(m, p, i + 1, action,
			    "Check what will be shared"))
				goto fail;
			len = strlen(p->post);
			if (snprintf(p->post + len, sizeof(p->post) - len,
			    "&confirm=yes") >= (int)(sizeof(p->post) - len)) {
				fprintf(stderr, "storm: a form too long to "
				    "confirm\n");
				goto fail;
			}
			reset_answer(p);
			curl_easy_setopt(p->easy, CURLOPT_COPYPOSTFIELDS,
			    p->post);
			/* To the registration's page, as a browser goes. */
			curl_easy_setopt(p->easy, CURLOPT_FOLLOWLOCATION, 1L);
		}
	}

	if ((lat = calloc((size_t)n, sizeof(*lat))) == NULL ||
	    (seen = calloc((size_t)n + 1, sizeof(*seen))) == NULL)
		goto fail;
	if (conninfo != NULL && PQstatus(db = PQconnectdb(conninfo)) !=
	    CONNECTION_OK) {
		fprintf(stderr, "storm: %s", PQerrorMessage(db));
		goto fail;
	}

	/* Timed: everybody presses Register (from home: Confirm). */
	since = wall();
	if (run_everybody(m, ps, n, &start) == -1)
		goto fail;
	if (db != NULL) {
		/* Timed by the database; the pages loaded once after. */
		if (settle_db(db, argv[1], n, since, lat) == -1 ||
		    settle(m, ps, n, start) == -1)
			goto fail;
		seconds = lat[n - 1];
	} else {
		if (away && settle(m, ps, n, start) == -1)
			goto fail;
		seconds = now() - start;
	}

	for (i = 0; i < n; i++) {
		struct person *p = &ps[i];

		if (db == NULL)
			lat[i] = p->done;
		if (p->result != CURLE_OK || p->status != 200 ||
		    p->body == NULL) {
			if (other < 5)
				fprintf(stderr, "storm: person %d: %s, status "
				    "%ld\n", i + 1,
				    curl_easy_strerror(p->result), p->status);
			other++;
			continue;
		}
		ok++;
		/* The home node words the host's answer its own way. */
		if (strstr(p->body, "You have a place") != NULL)
			placed++;
		else if ((w = strstr(p->body, "you are number ")) != NULL ||
		    (w = strstr(p->body, "put you at number ")) != NULL) {
			waiting++;
			pos = strtol(strstr(w, "number ") + 7, NULL, 10);
			/* Each position is told to exactly one person. */
			if (pos < 1 || pos > n || seen[pos]++)
				told_ok = 0;
		} else if (strstr(p->body, "waiting to be delivered") != NULL)
			pending++;	/* the host could not be reached */
		else
			other++;
	}
	for (i = 1; i <= waiting; i++)
		if (seen[i] != 1)
			told_ok = 0;
	qsort(lat, (size_t)n, sizeof(*lat), by_time);

	printf("people %d\n", n);
	printf("seconds %.6f\n", seconds);
	printf("per_second %.1f\n", (double)n / seconds);
	printf("status_200 %d\n", ok);
	printf("placed %d\n", placed);
	printf("waiting %d\n", waiting);
	printf("pending %d\n", pending);
	printf("other %d\n", other);
	printf("told_positions %s\n", told_ok ? "ok" : "wrong");
	printf("latency_p50_ms %.1f\n", lat[n / 2] * 1000);
	printf("latency_p99_ms %.1f\n", lat[(n * 99) / 100] * 1000);
	printf("latency_max_ms %.1f\n", lat[n - 1] * 1000);
	rc = 0;
fail:
	if (ps != NULL)
		for (i = 0; i < n; i++) {
			if (ps[i].easy != NULL) {
				curl_multi_remove_handle(m, ps[i].easy);
				curl_easy_cleanup(ps[i].easy);
			}
			free(ps[i].body);
		}
	if (m != NULL)
		curl_multi_cleanup(m);
	curl_global_cleanup();
	PQfinish(db);
	free(ps);
	free(lat);
	free(seen);
	return rc;
}
