/*
 * Starts real nodes and talks to them over HTTP.  Every node gets its own
 * database, config and kernel-chosen port; nothing is shared between tests
 * but the PostgreSQL cluster.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include <check.h>

#include "harness.h"

#define HEARD_MS	30000	/* the most a notification may take */

struct client {
	CURL		*curl;
	struct node	*node;
	char		 extra[256];	/* one more header on every request */
};

static const char *
env(const char *k)
{
	const char *v = getenv(k);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* 1 when there is a PostgreSQL and an acorn binary to test. */
int
harness_ready(void)
{
	return env("ACORN_TEST_PGHOST") && env("ACORN_BIN") &&
	    env("ACORN_DATADIR") && env("ACORN_TEST_VAR");
}

static void
quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static PGconn *
connect_db(const char *db, const char *user)
{
	char info[1024];
	PGconn *c;

	snprintf(info, sizeof(info), "host=%s user=%s dbname=%s",
	    env("ACORN_TEST_PGHOST"), user, db);
	c = PQconnectdb(info);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "harness: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	return c;
}

int
admin_sql(const char *sql)
{
	PGconn *c = connect_db("postgres", "postgres");
	PGresult *r;
	int ok;

	if (c == NULL)
		return -1;
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "harness: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

/*
 * Runs argv (found on PATH) with no shell between, waits, and returns
 * its stdout (malloc'd); NULL when it could not run or did not exit 0.
 */
char *
harness_run(char *const argv[])
{
	int fd[2], status;
	pid_t pid;
	char *out = NULL;
	size_t len = 0;
	ssize_t n;
	char buf[512];

	if (pipe(fd) == -1)
		return NULL;
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(fd[1], 1);
		dup2(null, 2);
		close(fd[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf, sizeof(buf))) > 0) {
		char *g = realloc(out, len + (size_t)n + 1);

		if (g == NULL)
			break;
		out = g;
		memcpy(out + len, buf, (size_t)n);
		len += (size_t)n;
		out[len] = '\0';
	}
	close(fd[0]);
	if (pid == -1 || waitpid(pid, &status, 0) == -1 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(out);
		return NULL;
	}
	return out != NULL ? out : strdup("");
}

/*
 * A fresh node: database, `acorn init`, then the extra settings appended
 * to its config.  Not yet serving.
 */
struct node *
node_new(const char *name, const char *settings)
{
	static int seq;
	struct node *n;
	char sql[256], dbinfo[1024], *out;
	FILE *f;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->db, sizeof(n->db), "acorn_it_%d_%d", (int)getpid(), ++seq);
	snprintf(n->conf, sizeof(n->conf), "%s/%s.conf", env("ACORN_TEST_VAR"),
	    n->db);
	snprintf(n->log, sizeof(n->log), "%s/%s.log", env("ACORN_TEST_VAR"),
	    n->db);
	unlink(n->conf);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
	    n->db);
	admin_sql(sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s OWNER acorn", n->db);
	if (admin_sql(sql) == -1)
		goto fail;
	snprintf(dbinfo, sizeof(dbinfo), "host=%s user=acorn dbname=%s",
	    env("ACORN_TEST_PGHOST"), n->db);
	{
		char *argv[] = { (char *)env("ACORN_BIN"), "-c", n->conf,
		    "init", "--database", dbinfo, "--name", n->name,
		    "--region", "North West", "--listen", "127.0.0.1:0",
		    "--datadir", (char *)env("ACORN_DATADIR"), NULL };

		if ((out = harness_run(argv)) == NULL)
			goto fail;
		free(out);
	}
	if ((f = fopen(n->conf, "a")) == NULL)
		goto fail;
	/*
	 * Cheaper hashing keeps the suite quick; the algorithm is the same.
	 * Pings are spaced by a second, not five: tests that ping change
	 * after change wait less, and those about spacing set their own.
	 * As many hashes at once as request threads: a crowd signing in is
	 * never told "busy" unless a test asks for it.
	 * Every client here comes from 127.0.0.1, standing for many people's
	 * addresses (a crowd of hundreds, each holding a connection): no
	 * limit per address unless a test sets one.
	 */
	fprintf(f, "argon2_passes = 1\nargon2_memory = 8192\nthreads = 4\n"
	    "argon2_parallel = 4\nping_gap = 1\nconnections_per_address = 0\n"
	    "%s\n",
	    settings ? settings : "");
	fclose(f);
	return n;
fail:
	fprintf(stderr, "harness: cannot create node %s\n", name);
	free(n);
	return NULL;
}

/*
 * Sets the node's listen line to 127.0.0.1:port, rewriting its config
 * file in place of the line init wrote.
 */
static int
node_listen(struct node *n, int port)
{
	char tmp[600], line[4096];
	FILE *in, *out;
	int done = 0;

	snprintf(tmp, sizeof(tmp), "%s.new", n->conf);
	if ((in = fopen(n->conf, "r")) == NULL)
		return -1;
	if ((out = fopen(tmp, "w")) == NULL) {
		fclose(in);
		return -1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, "listen", 6) == 0 &&
		    line[6 + strspn(line + 6, " \t")] == '=') {
			if (!done)
				fprintf(out, "listen = 127.0.0.1:%d\n", port);
			done = 1;
		} else
			fputs(line, out);
	}
	if (!done)
		fprintf(out, "listen = 127.0.0.1:%d\n", port);
	fclose(in);
	if (fclose(out) != 0 || rename(tmp, n->conf) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The port the node serves on, from its address; 0 before it served. */
int
node_port(const struct node *n)
{
	const char *colon = strrchr(n->url, ':');
	char *end;
	long port;

	if (colon == NULL || n->url[0] == '\0')
		return 0;
	port = strtol(colon + 1, &end, 10);
	return *end == '\0' && port > 0 && port <= 65535 ? (int)port : 0;
}

int
node_serve(struct node *n)
{
	return node_serve_port(n, 0);
}

/*
 * Serves on port, or on a kernel-chosen one when it is 0.  A node
 * restarted on the port it had keeps the address its peers pinned.
 */
int
node_serve_port(struct node *n, int port_wanted)
{
	char port_file[600], buf[32];
	int i, fd;
	FILE *f;
	long port = 0;

	if (node_listen(n, port_wanted) == -1)
		return -1;
	/* Of the log, which each process of a node has its own of. */
	snprintf(port_file, sizeof(port_file), "%s.port", n->log);
	unlink(port_file);
	if ((n->pid = fork()) == 0) {
		/*
		 * A test that fails before node_free leaves no node behind:
		 * SIGKILL, as a node a test stopped (SIGSTOP) would hold a
		 * SIGTERM pending forever.
		 */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = open(n->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd != -1)
			dup2(fd, 2);
		execl(env("ACORN_BIN"), "acorn", "-c", n->conf, "serve",
		    "--port-file", port_file, (char *)NULL);
		_exit(127);
	}
	if (n->pid == -1)
		return -1;
	/* Bounded wait for the node to say which port it bound. */
	for (i = 0; i < 200 && port == 0; i++) {
		if ((f = fopen(port_file, "r")) != NULL) {
			if (fgets(buf, sizeof(buf), f) != NULL)
				port = strtol(buf, NULL, 10);
			fclose(f);
		}
		if (port == 0) {
			if (waitpid(n->pid, NULL, WNOHANG) == n->pid) {
				n->pid = 0;
				return -1;
			}
			poll(NULL, 0, 50);
		}
	}
	if (port == 0)
		return -1;
	snprintf(n->url, sizeof(n->url), "http://127.0.0.1:%ld", port);
	return 0;
}

/* SIGTERM, then the exit status (0 is a clean stop). */
int
node_stop(struct node *n)
{
	int status, i;

	if (n == NULL || n->pid <= 0)
		return -1;
	kill(n->pid, SIGTERM);
	for (i = 0; i < 300; i++) {
		if (waitpid(n->pid, &status, WNOHANG) == n->pid) {
			n->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		poll(NULL, 0, 50);
	}
	kill(n->pid, SIGKILL);
	waitpid(n->pid, &status, 0);
	n->pid = 0;
	return -1;
}

/* SIGKILL, as a crash or the OOM killer would: no clean stop at all. */
void
node_kill(struct node *n)
{
	if (n == NULL || n->pid <= 0)
		return;
	kill(n->pid, SIGKILL);
	waitpid(n->pid, NULL, 0);
	n->pid = 0;
}

/*
 * A network of n nodes serving, as the README peers one: the first hubs
 * are hubs, pinning each other as hubs and every region (plain); every
 * region pins every hub as a hub.  Node i is called names[i] in region
 * regions[i], with the settings more beside.  -1 when one did not start.
 */
int
network_up(struct node **net, int n, int hubs, const char *const *names,
    const char *const *regions, const char *more)
{
	char settings[256];
	int i, j;

	for (i = 0; i < n; i++) {
		snprintf(settings, sizeof(settings), "region = %s\n%s",
		    regions[i], more);
		if ((net[i] = node_new(names[i], settings)) == NULL ||
		    node_serve(net[i]) == -1)
			return -1;
	}
	for (i = 0; i < hubs; i++)
		for (j = 0; j < n; j++) {
			if (i == j)
				continue;
			if (node_peer(net[i], net[j], j < hubs) == -1 ||
			    (j >= hubs && node_peer(net[j], net[i], 1) == -1))
				return -1;
		}
	return 0;
}

/* Every node of a network stopped and its database gone. */
void
network_down(struct node **net, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		node_free(net[i]);
		net[i] = NULL;
	}
}

/* A glossary term of n's own, defined as definition; its id (malloc'd). */
char *
node_term_add(struct node *n, const char *term, const char *definition)
{
	return node_sqlv(n, "INSERT INTO glossary_terms (id, origin, term,"
	    " definition) VALUES (gen_random_uuid(), (SELECT id FROM node),"
	    " $1, $2) RETURNING id", 2, (const char *[]){ term, definition });
}

/*
 * count members prefix.1 .. prefix.count, each with an active account
 * at "prefix.i@domain" and the password of the account template has.
 * The number made.
 */
long
node_members_add(struct node *n, const char *prefix, int count,
    const char *template, const char *domain)
{
	char k[16];

	snprintf(k, sizeof(k), "%d", count);
	return node_exec(n, "WITH m AS (INSERT INTO members (id, origin, name,"
	    " stakeholder, region) SELECT gen_random_uuid(), (SELECT id FROM"
	    " node), $2 || ' ' || g, 'gp', 'North West'"
	    " FROM generate_series(1, $3::integer) g RETURNING id, name)"
	    " INSERT INTO accounts (member, email, password_hash, status)"
	    " SELECT m.id, replace(m.name, ' ', '.') || '@' || $4,"
	    " (SELECT password_hash FROM accounts WHERE email = $1), 'active'"
	    " FROM m", 4, (const char *[]){ template, prefix, k, domain });
}

/*
 * Another process of node n: the same database and configuration, a
 * log and a port of its own, not serving yet (node_serve).  Freed with
 * node_twin_free, which leaves the database to n.
 */
struct node *
node_twin(const struct node *n, int k)
{
	struct node *t;

	if ((t = malloc(sizeof(*t))) == NULL)
		return NULL;
	*t = *n;
	t->pid = 0;
	t->url[0] = '\0';
	snprintf(t->log, sizeof(t->log), "%s/%s-%d.log",
	    env("ACORN_TEST_VAR"), n->db, k);
	return t;
}

void
node_twin_free(struct node *t)
{
	if (t == NULL)
		return;
	if (t->pid > 0)
		node_stop(t);
	free(t);
}

void
node_free(struct node *n)
{
	char sql[256];

	if (n == NULL)
		return;
	if (n->pid > 0)
		node_stop(n);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
	    n->db);
	admin_sql(sql);
	free(n);
}

/* `acorn user add`; returns the generated password. */
char *
node_user_add(struct node *n, const char *email, const char *role)
{
	char *argv[] = { (char *)env("ACORN_BIN"), "-c", n->conf, "user", "add",
	    (char *)email, "--role", (char *)role, "--name",
	    "Test Coordinator", NULL };
	char *out, *p, *pw = NULL;

	if ((out = harness_run(argv)) == NULL)
		return NULL;
	if ((p = strstr(out, "password: ")) != NULL) {
		p += 10;
		p[strcspn(p, "\n")] = '\0';
		pw = strdup(p);
	}
	free(out);
	return pw;
}

/* The first value of a query on the node's database, with one parameter. */
char *
node_sql(struct node *n, const char *sql, const char *param)
{
	const char *p[1] = { param };

	return node_sqlv(n, sql, param ? 1 : 0, p);
}

/* The first value of a query as a number, or -1 when there is none. */
long
node_num(struct node *n, const char *sql, const char *param)
{
	char *v = node_sql(n, sql, param);
	long x = v != NULL ? strtol(v, NULL, 10) : -1;

	free(v);
	return x;
}

/* The first value of a query, which must have one. */
char *
node_text(struct node *n, const char *sql, const char *param)
{
	char *v = node_sql(n, sql, param);

	ck_assert_ptr_nonnull(v);
	return v;
}

/*
 * The node's metrics_token, when its configuration sets one (a node
 * behind a proxy answers /metrics to it alone), into tok; 0 when set.
 */
static int
metrics_token(const struct node *n, char *tok, size_t len)
{
	char line[512], word[256];
	FILE *f;
	int rc = -1;

	if ((f = fopen(n->conf, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, " metrics_token = %255s", word) == 1 &&
		    strlen(word) < len) {
			snprintf(tok, len, "%s", word);
			rc = 0;
		}
	fclose(f);
	return rc;
}

/* A counter or gauge of the node's /metrics, or -1 when it has none. */
long
node_metric(struct node *n, const char *name)
{
	struct client *c = client_new(n);
	struct resp *r;
	char pat[128], tok[200], auth[240];
	const char *p;
	long v = -1;

	if (metrics_token(n, tok, sizeof(tok)) == 0) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
		client_header(c, auth);
	}
	r = http_get(c, "/metrics");

	snprintf(pat, sizeof(pat), "\n%s ", name);
	if (r != NULL && r->status == 200 && (p = strstr(r->body, pat)) !=
	    NULL)
		v = strtol(p + strlen(pat), NULL, 10);
	resp_free(r);
	client_free(c);
	return v;
}

/*
 * Waits, within HEARD_MS, until the node's counter name has gone past
 * before.  1 when it has.
 */
int
node_heard(struct node *n, const char *name, long before)
{
	int i;

	for (i = 0; i < HEARD_MS / 50; i++) {
		if (node_metric(n, name) > before)
			return 1;
		poll(NULL, 0, 50);
	}
	return 0;
}

/*
 * After a change made on the node's database from outside it (as an
 * operator's SQL is), waits until the node has heard of it: a
 * notification sent now, on the change's channel ("acorn_data" or
 * "acorn_sessions"), arrives after the change's own, so once the node
 * has counted it, it has counted the change's too.  A request needing
 * no query may be answered from memory until then (docs/acorn.8,
 * RESPONSE CACHE).  A node not serving has nothing to hear.
 */
void
node_barrier(struct node *n, const char *channel)
{
	char name[64], sql[96];
	long before;

	if (n->pid == 0)
		return;		/* not serving: nothing is kept */
	snprintf(name, sizeof(name), "%s_notifications_total", channel);
	snprintf(sql, sizeof(sql), "SELECT pg_notify('%s', 'barrier')",
	    channel);
	before = node_metric(n, name);
	ck_assert_int_ge(before, 0);
	free(node_sql(n, sql, NULL));
	ck_assert_msg(node_heard(n, name, before),
	    "the node never heard on %s", channel);
}

/* A new client signed in on the node as email. */
struct client *
client_as(struct node *n, const char *email, const char *password)
{
	struct client *c = client_new(n);

	ck_assert(sign_in(c, email, password));
	return c;
}

/* The first value of a query on the node's database, with n parameters. */
char *
node_sqlv(struct node *n, const char *sql, int nparams,
    const char *const *params)
{
	PGconn *c = connect_db(n->db, "acorn");
	PGresult *r;
	char *v = NULL;

	if (c == NULL)
		return NULL;
	r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		v = strdup(PQgetisnull(r, 0, 0) ? "(null)" :
		    PQgetvalue(r, 0, 0));
	else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "harness: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return v;
}

/*
 * Runs a psql script on the node's database, stopping at its first error;
 * the arguments after the file are "name=value" variables for it, ending
 * with NULL.  0 when the whole script ran.
 */
int
node_psql(struct node *n, const char *file, ...)
{
	char *argv[40], *out;
	const char *var;
	va_list ap;
	int i = 0;

	argv[i++] = "psql";
	argv[i++] = "-X";
	argv[i++] = "-q";
	argv[i++] = "-h";
	argv[i++] = (char *)env("ACORN_TEST_PGHOST");
	argv[i++] = "-U";
	argv[i++] = "acorn";
	argv[i++] = "-d";
	argv[i++] = n->db;
	argv[i++] = "-v";
	argv[i++] = "ON_ERROR_STOP=1";
	va_start(ap, file);
	while ((var = va_arg(ap, const char *)) != NULL && i < 36) {
		argv[i++] = "-v";
		argv[i++] = (char *)var;
	}
	va_end(ap);
	argv[i++] = "-f";
	argv[i++] = (char *)file;
	argv[i] = NULL;
	if ((out = harness_run(argv)) == NULL)
		return -1;
	free(out);
	return 0;
}

struct client *
client_new(struct node *n)
{
	struct client *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->node = n;
	c->curl = curl_easy_init();
	curl_easy_setopt(c->curl, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	return c;
}

/* Sends header (for example a proxy's X-Forwarded-For) from now on. */
void
client_header(struct client *c, const char *header)
{
	snprintf(c->extra, sizeof(c->extra), "%s", header);
}

/*
 * The value of the cookie called name that the client holds, or NULL;
 * the caller frees it.  For requests made outside the client.
 */
char *
client_cookie(struct client *c, const char *name)
{
	struct curl_slist *list = NULL, *l;
	const char *v;
	char *out = NULL;
	size_t n = strlen(name);
	int tab;

	if (curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST, &list) !=
	    CURLE_OK)
		return NULL;
	/* Netscape lines: the name is the sixth field, the value the last. */
	for (l = list; l != NULL && out == NULL; l = l->next) {
		for (v = l->data, tab = 0; *v != '\0' && tab < 5; v++)
			if (*v == '\t')
				tab++;
		if (tab == 5 && strncmp(v, name, n) == 0 && v[n] == '\t')
			out = strdup(v + n + 1);
	}
	curl_slist_free_all(list);
	return out;
}

/* The User-Agent the client sends, as a browser would. */
void
client_agent(struct client *c, const char *ua)
{
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, ua);
}

void
client_free(struct client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

/* Where a response's body or headers gather: bytes, NUL included. */
struct sink {
	char	**p;
	size_t	 *len;
};

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t add = size * n;
	char *g = realloc(*s->p, *s->len + add + 1);

	if (g == NULL)
		return 0;
	memcpy(g + *s->len, data, add);
	*s->len += add;
	g[*s->len] = '\0';
	*s->p = g;
	return add;
}

static struct resp *
perform(struct client *c, const char *path, const void *body, size_t len,
    const char *type)
{
	struct resp *r;
	struct curl_slist *h = NULL;
	struct sink out, head;
	char url[1024], hdr[128], *loc = NULL;
	size_t hlen = 0;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	out.p = &r->body;
	out.len = &r->len;
	head.p = &r->headers;
	head.len = &hlen;
	snprintf(url, sizeof(url), "%s%s", c->node->url, path);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &head);
	if (body != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", type);
		h = curl_slist_append(h, hdr);
	} else
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	if (c->extra[0] != '\0')
		h = curl_slist_append(h, c->extra);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	if ((r->failure = (int)curl_easy_perform(c->curl)) != CURLE_OK)
		r->status = -1;
	else
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &loc);
	if (loc != NULL)
		r->location = strdup(loc);
	if (r->body == NULL)
		r->body = strdup("");
	if (r->headers == NULL)
		r->headers = strdup("");
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	return r;
}

struct resp *
http_get(struct client *c, const char *path)
{
	return perform(c, path, NULL, 0, NULL);
}

struct resp *
http_post_raw(struct client *c, const char *path, const char *body,
    const char *type)
{
	return perform(c, path, body, strlen(body), type);
}

/* A body of len bytes that may hold anything, NUL included. */
struct resp *
http_post_bytes(struct client *c, const char *path, const void *body,
    size_t len, const char *type)
{
	return perform(c, path, body, len, type);
}

/* Encodes name, value, ..., NULL as a form body. */
static char *
encode(CURL *curl, va_list ap)
{
	const char *k, *v;
	char *out = strdup(""), *ek, *ev, *g;

	while (out != NULL && (k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		ek = curl_easy_escape(curl, k, 0);
		ev = curl_easy_escape(curl, v, (int)strlen(v));
		if (asprintf(&g, "%s%s%s=%s", out, *out ? "&" : "", ek, ev) ==
		    -1)
			g = NULL;
		curl_free(ek);
		curl_free(ev);
		free(out);
		out = g;
	}
	return out;
}

struct resp *
http_post(struct client *c, const char *path, ...)
{
	va_list ap;
	char *body;
	struct resp *r;

	va_start(ap, path);
	body = encode(c->curl, ap);
	va_end(ap);
	if (body == NULL)
		return NULL;
	r = perform(c, path, body, strlen(body),
	    "application/x-www-form-urlencoded");
	free(body);
	return r;
}

/* The CSRF token the form on page carries. */
char *
page_csrf(struct client *c, const char *page)
{
	struct resp *r = http_get(c, page);
	char *p, *tok = NULL;

	if (r != NULL && (p = strstr(r->body, "name=\"csrf\" value=\"")) !=
	    NULL) {
		p += 19;
		tok = strndup(p, strcspn(p, "\""));
	}
	resp_free(r);
	return tok;
}

/* Like a person: open the form page, then send it with its token. */
struct resp *
form_post(struct client *c, const char *page, const char *action, ...)
{
	va_list ap;
	char *body, *tok, *full;
	struct resp *r;

	if ((tok = page_csrf(c, page)) == NULL)
		return NULL;
	va_start(ap, action);
	body = encode(c->curl, ap);
	va_end(ap);
	if (body == NULL || asprintf(&full, "csrf=%s%s%s", tok, *body ? "&" :
	    "", body) == -1) {
		free(tok);
		free(body);
		return NULL;
	}
	free(tok);
	free(body);
	r = perform(c, action, full, strlen(full),
	    "application/x-www-form-urlencoded");
	free(full);
	return r;
}

void
resp_free(struct resp *r)
{
	if (r == NULL)
		return;
	free(r->body);
	free(r->headers);
	free(r->location);
	free(r);
}

int
resp_has(const struct resp *r, const char *s)
{
	return r != NULL && strstr(r->body, s) != NULL;
}

int
header_has(const struct resp *r, const char *s)
{
	return r != NULL && strcasestr(r->headers, s) != NULL;
}

/*
 * The seconds a response's Retry-After header gives; -1 when it has
 * none, 0 when its value is not a whole number of seconds.
 */
long
retry_after(const struct resp *r)
{
	const char *h = r != NULL ? strcasestr(r->headers, "\nRetry-After:") :
	    NULL;
	char *end;
	long n;

	if (h == NULL)
		return -1;
	h += 13;
	h += strspn(h, " ");
	n = strtol(h, &end, 10);
	return end == h || (*end != '\r' && *end != '\n') ? 0 : n;
}

/* The value of the first input called name in a page, or NULL. */
char *
form_field(const char *body, const char *name)
{
	char pat[64];
	const char *p, *end, *v;

	snprintf(pat, sizeof(pat), "name=\"%s\"", name);
	if ((p = strstr(body, pat)) == NULL)
		return NULL;
	while (p > body && *p != '<')
		p--;
	end = strchr(p, '>');
	if ((v = strstr(p, " value=\"")) == NULL || end == NULL || v > end)
		return NULL;
	v += 8;
	return strndup(v, strcspn(v, "\""));
}

/*
 * As a coordinator, creates an event with one kind of place and publishes
 * it, through the pages: what and when, its places, then publishing from
 * the check-answers page.  Its id, or NULL.
 */
char *
event_new_published(struct client *co, const char *title,
    const char *capacity)
{
	struct resp *r;
	char *id = NULL, path[128];
	const char *at;

	r = form_post(co, "/events/new", "/events/new", "title", title,
	    "kind", "conference",
	    "start-day", "14", "start-month", "3", "start-year", "2031",
	    "start-hour", "9", "start-minute", "30",
	    "end-day", "14", "end-month", "3", "end-year", "2031",
	    "end-hour", "17", "end-minute", "00",
	    "venue", "Manchester Central", NULL);
	if (r == NULL || r->status != 303 || r->location == NULL ||
	    (at = strstr(r->location, "/events/")) == NULL) {
		resp_free(r);
		return NULL;
	}
	id = strndup(at + 8, strcspn(at + 8, "/"));
	resp_free(r);
	snprintf(path, sizeof(path), "/events/%s/places", id);
	r = form_post(co, path, path, "place_name", "In person", "capacity",
	    capacity, NULL);
	if (r == NULL || r->status != 200) {
		resp_free(r);
		free(id);
		return NULL;
	}
	resp_free(r);
	snprintf(path, sizeof(path), "/events/%s/check", id);
	r = form_post(co, path, path, "done", "publish", NULL);
	if (r == NULL || r->status != 303) {
		free(id);
		id = NULL;
	}
	resp_free(r);
	return id;
}

/*
 * The first "cancel my place" on a registrations page: the address of
 * the page that asks first, which is also where its form is sent.
 */
int
cancel_form_action(const char *body, char *out, size_t size)
{
	const char *p = body, *end;

	while ((p = strstr(p, "=\"/registrations/")) != NULL) {
		p += 2;
		end = strchr(p, '"');
		if (end != NULL && end - p > 7 &&
		    strncmp(end - 7, "/cancel", 7) == 0) {
			snprintf(out, size, "%.*s", (int)(end - p), p);
			return 1;
		}
	}
	return 0;
}

/* Signs in; 1 when the node answered with the redirect of a success. */
int
sign_in(struct client *c, const char *email, const char *password)
{
	struct resp *r = form_post(c, "/signin", "/signin", "email", email,
	    "password", password, NULL);
	int ok = r != NULL && r->status == 303;

	resp_free(r);
	return ok;
}

/* The join form with sensible answers for all but who and the password. */
struct resp *
join_form(struct client *c, const char *name, const char *email,
    const char *password, const char *again)
{
	return form_post(c, "/join", "/join", "name", name, "email", email,
	    "password", password, "password2", again, "organisation",
	    "Test Health Centre", "group", "gp", "region", "North West", NULL);
}

/*
 * The token of the newest link to path mailed to address to (malloc'd),
 * read from the node's outbox as the person would read their mail; NULL
 * when there is none.
 */
char *
mail_token(struct node *n, const char *to, const char *path)
{
	const char *p[2] = { to, path };
	char *body, *at, *tok = NULL;
	size_t len;

	body = node_sqlv(n, "SELECT body FROM outbox WHERE lower(recipient) ="
	    " lower($1) AND strpos(body, $2 || '?token=') > 0"
	    " ORDER BY id DESC LIMIT 1", 2, p);
	if (body == NULL)
		return NULL;
	if ((at = strstr(body, path)) != NULL &&
	    (at = strstr(at, "?token=")) != NULL) {
		at += 7;
		len = strspn(at, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
		    "vwxyz0123456789-_");
		tok = strndup(at, len);
	}
	free(body);
	return tok;
}

/*
 * Follows the confirmation link mailed to email with the password chosen
 * on joining; the status the node answered the confirmation with.
 */
int
join_confirm(struct client *c, const char *email, const char *password)
{
	char *tok, *page;
	struct resp *r;
	int status = -1;

	if ((tok = mail_token(c->node, email, "/join/confirm")) == NULL)
		return -1;
	if (asprintf(&page, "/join/confirm?token=%s", tok) != -1) {
		r = form_post(c, page, "/join/confirm", "token", tok,
		    "password", password, NULL);
		status = r != NULL ? (int)r->status : -1;
		resp_free(r);
		free(page);
	}
	free(tok);
	return status;
}

/*
 * Joins and confirms the address from the mailed link: the status the
 * node answered the confirmation with (303 to the profile, signed in, on
 * a node with open joining; 200 where a coordinator approves), or the
 * join's own status when it was refused.
 */
int
join(struct client *c, const char *name, const char *email,
    const char *password)
{
	struct resp *r = join_form(c, name, email, password, password);
	int status = r != NULL ? (int)r->status : -1;

	resp_free(r);
	if (status != 200)
		return status;
	return join_confirm(c, email, password);
}

/* The node's key fingerprint, as `acorn keygen` prints it (malloc'd). */
char *
node_fingerprint(struct node *n)
{
	char *argv[] = { (char *)env("ACORN_BIN"), "-c", n->conf, "keygen",
	    NULL };
	char *out, *p, *fp = NULL;

	if ((out = harness_run(argv)) == NULL)
		return NULL;
	if ((p = strstr(out, "fingerprint: ")) != NULL) {
		p += 13;
		p[strcspn(p, "\n")] = '\0';
		fp = strdup(p);
	}
	free(out);
	return fp;
}

/* `acorn peer add`: n pins peer (serving) by its key; 0 on success. */
int
node_peer(struct node *n, struct node *peer, int hub)
{
	char *fp = node_fingerprint(peer), *out;
	char *argv[] = { (char *)env("ACORN_BIN"), "-c", n->conf, "peer",
	    "add", peer->url, "--fingerprint", fp, hub ? "--hub" : NULL,
	    NULL };

	if (fp == NULL)
		return -1;
	out = harness_run(argv);
	free(fp);
	if (out == NULL)
		return -1;
	free(out);
	return 0;
}

/*
 * Waits, at most ms, for a query on the node's database to answer true;
 * 1 when it did.  For what another node makes happen in its own time.
 */
int
node_wait(struct node *n, const char *sql, const char *param, int ms)
{
	const char *p[1] = { param };

	return node_waitv(n, sql, param ? 1 : 0, p, ms);
}

/* node_wait with n parameters. */
int
node_waitv(struct node *n, const char *sql, int nparams,
    const char *const *params, int ms)
{
	char *v;
	int i, yes = 0;

	for (i = 0; i <= ms / 25 && !yes; i++) {
		v = node_sqlv(n, sql, nparams, params);
		yes = v != NULL && strcmp(v, "t") == 0;
		free(v);
		if (!yes)
			poll(NULL, 0, 25);
	}
	return yes;
}

/* `acorn -c CONF args...` (NULL-terminated); its exit status. */
int
node_run(struct node *n, ...)
{
	char *argv[24];
	va_list ap;
	pid_t pid;
	int i = 0, status;

	argv[i++] = (char *)env("ACORN_BIN");
	argv[i++] = "-c";
	argv[i++] = n->conf;
	va_start(ap, n);
	while (i < 23 && (argv[i] = va_arg(ap, char *)) != NULL)
		i++;
	va_end(ap);
	argv[i] = NULL;
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);
		int log = open(n->log, O_WRONLY | O_APPEND | O_CREAT, 0600);

		/* What went wrong is kept in the node's log. */
		dup2(null, 1);
		dup2(log != -1 ? log : null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid == -1 || waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Gives the node a data folder of its own: links to the program's
 * templates, and a folder of links to its migrations that a test may add
 * files to, rename or remove.  The node's config names it from now on.
 * The schema folder's path (malloc'd), or NULL.
 */
char *
node_schema_dir(struct node *n)
{
	char dir[600], src[600], dst[700], *out;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/%s.data", env("ACORN_TEST_VAR"), n->db);
	snprintf(src, sizeof(src), "%s/schema", env("ACORN_DATADIR"));
	{
		char *rm[] = { "rm", "-rf", dir, NULL };
		char *mk[] = { "mkdir", "-p", dir, NULL };
		char *cp[] = { "cp", "-rs", src, dir, NULL };

		if ((out = harness_run(rm)) == NULL)
			return NULL;
		free(out);
		if ((out = harness_run(mk)) == NULL)
			return NULL;
		free(out);
		if ((out = harness_run(cp)) == NULL)
			return NULL;
		free(out);
	}
	snprintf(src, sizeof(src), "%s/templates", env("ACORN_DATADIR"));
	snprintf(dst, sizeof(dst), "%s/templates", dir);
	if (symlink(src, dst) == -1)
		return NULL;
	if ((f = fopen(n->conf, "a")) == NULL)
		return NULL;
	fprintf(f, "datadir = %s\n", dir);
	fclose(f);
	snprintf(dst, sizeof(dst), "%s/schema", dir);
	return strdup(dst);
}

/* 1 when what the node's commands wrote to its log holds text. */
int
node_log_has(struct node *n, const char *text)
{
	FILE *f;
	char *buf;
	long len;
	int yes = 0;

	if ((f = fopen(n->log, "r")) == NULL)
		return 0;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len + 1)) != NULL) {
		buf[fread(buf, 1, (size_t)len, f)] = '\0';
		yes = strstr(buf, text) != NULL;
		free(buf);
	}
	fclose(f);
	return yes;
}

/*
 * Runs a statement that changes rows (UPDATE, INSERT, DELETE) on the
 * node's database with nparams parameters; the rows it touched, or -1
 * when it failed.
 */
long
node_exec(struct node *n, const char *sql, int nparams,
    const char *const *params)
{
	PGconn *c = connect_db(n->db, "acorn");
	PGresult *r;
	long rows = -1;

	if (c == NULL)
		return -1;
	r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK)
		rows = *PQcmdTuples(r) != '\0' ? strtol(PQcmdTuples(r), NULL,
		    10) : 0;
	else
		fprintf(stderr, "harness: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return rows;
}

/*
 * Runs one statement on one connection again and again, as a background
 * job of the node would, until *stop is set or max runs are done; how
 * many ran, or -1 when one failed.
 */
long
node_exec_repeat(struct node *n, const char *sql, int nparams,
    const char *const *params, const atomic_int *stop, long max)
{
	PGconn *c = connect_db(n->db, "acorn");
	PGresult *r;
	long runs = 0;

	if (c == NULL)
		return -1;
	while (runs < max && !atomic_load(stop)) {
		r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "harness: %s", PQerrorMessage(c));
			PQclear(r);
			runs = -1;
			break;
		}
		PQclear(r);
		runs++;
	}
	PQfinish(c);
	return runs;
}

/* The first value of a query with n parameters as a number; -1: none. */
long
node_numv(struct node *n, const char *sql, int nparams,
    const char *const *params)
{
	char *v = node_sqlv(n, sql, nparams, params), *end;
	long x = -1;

	if (v != NULL) {
		x = strtol(v, &end, 10);
		if (end == v || *end != '\0')
			x = -1;
	}
	free(v);
	return x;
}

/* The node still answers: its health check, and path, with 200. */
void
node_assert_serving(struct node *n, const char *path)
{
	struct client *c = client_new(n);
	struct resp *r;

	ck_assert_ptr_nonnull(c);
	r = http_get(c, "/healthz");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	if (path != NULL) {
		r = http_get(c, path);
		ck_assert_ptr_nonnull(r);
		ck_assert_msg(r->status == 200, "%s answered %ld", path,
		    r->status);
		resp_free(r);
	}
	client_free(c);
}

/*
 * An address no other call makes (malloc'd): who, this process and a
 * counter that threads may share.  The capital in the domain is as
 * people type it: the node must match addresses without case.
 */
char *
harness_email(const char *who)
{
	static int seq;
	char *e;

	if (asprintf(&e, "%s.%d.%d@Test.example.org", who, (int)getpid(),
	    __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST)) == -1)
		return NULL;
	return e;
}

static int
remove_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes path and all under it (a test's own temporary files). */
int
harness_rmtree(const char *path)
{
	if (access(path, F_OK) == -1)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * A multipart/form-data body as a browser builds one, part by part, in
 * memory (parts may hold any bytes).  mpart_end gives the body.
 */
struct mpart {
	FILE	*f;
	char	*buf;
	size_t	 len;
};

struct mpart *
mpart_new(void)
{
	struct mpart *m = calloc(1, sizeof(*m));

	if (m != NULL && (m->f = open_memstream(&m->buf, &m->len)) == NULL) {
		free(m);
		m = NULL;
	}
	return m;
}

/* A form field called name holding value. */
void
mpart_field(struct mpart *m, const char *name, const char *value)
{
	fprintf(m->f, "--%s\r\nContent-Disposition: form-data;"
	    " name=\"%s\"\r\n\r\n", MULTIPART_BOUNDARY, name);
	fwrite(value, 1, strlen(value), m->f);
	fputs("\r\n", m->f);
}

/* A file field: len bytes of data sent as filename, of type. */
void
mpart_file(struct mpart *m, const char *name, const char *filename,
    const char *type, const void *data, size_t len)
{
	fprintf(m->f, "--%s\r\nContent-Disposition: form-data;"
	    " name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n",
	    MULTIPART_BOUNDARY, name, filename, type);
	fwrite(data, 1, len, m->f);
	fputs("\r\n", m->f);
}

/*
 * Closes the body and frees m: the body (malloc'd) and its length in
 * *len, or NULL.
 */
char *
mpart_end(struct mpart *m, size_t *len)
{
	char *body;

	fprintf(m->f, "--%s--\r\n", MULTIPART_BOUNDARY);
	if (fclose(m->f) != 0) {
		free(m->buf);
		free(m);
		return NULL;
	}
	body = m->buf;
	*len = m->len;
	free(m);
	return body;
}

/* Sends a body mpart_end gave, as a browser sends a multipart form. */
struct resp *
http_post_multipart(struct client *c, const char *path, const char *body,
    size_t len)
{
	return perform(c, path, body, len, MULTIPART_TYPE);
}

/*
 * Opens an event's page as c and keeps its registration form as the
 * browser holds it: the action, the token, the request id and the kind
 * of place.  The page must offer it.
 */
void
reg_form_open(struct client *c, const char *event, struct reg_form *f)
{
	ck_assert_int_eq(reg_form_try(c, event, f), 200);
}

/*
 * reg_form_open for a page that may fail (a database away): the
 * page's status, the form kept only when it is 200 (and then the page
 * must offer it); 0 when no answer came.
 */
long
reg_form_try(struct client *c, const char *event, struct reg_form *f)
{
	char path[128];
	struct resp *r;
	long status;

	snprintf(path, sizeof(path), "/events/%s", event);
	snprintf(f->action, sizeof(f->action), "%s/register", path);
	if ((r = http_get(c, path)) == NULL)
		return 0;
	if ((status = r->status) == 200) {
		ck_assert_ptr_nonnull(f->csrf = form_field(r->body, "csrf"));
		ck_assert_ptr_nonnull(f->request = form_field(r->body,
		    "request"));
		ck_assert_ptr_nonnull(f->place = form_field(r->body, "place"));
	}
	resp_free(r);
	return status;
}

/*
 * Sends the form as c with the fields it holds and the name, value, ...
 * pairs after them (ending with NULL); the answer.
 */
struct resp *
reg_form_send(struct client *c, const struct reg_form *f, ...)
{
	va_list ap;
	char *rest, *body = NULL, *e[3];
	struct resp *r = NULL;

	va_start(ap, f);
	rest = encode(c->curl, ap);
	va_end(ap);
	e[0] = curl_easy_escape(c->curl, f->csrf, 0);
	e[1] = curl_easy_escape(c->curl, f->request, 0);
	e[2] = curl_easy_escape(c->curl, f->place, 0);
	if (rest != NULL && e[0] != NULL && e[1] != NULL && e[2] != NULL &&
	    asprintf(&body, "csrf=%s&request=%s&place=%s%s%s", e[0], e[1],
	    e[2], *rest != '\0' ? "&" : "", rest) != -1) {
		r = perform(c, f->action, body, strlen(body),
		    "application/x-www-form-urlencoded");
		free(body);
	}
	curl_free(e[0]);
	curl_free(e[1]);
	curl_free(e[2]);
	free(rest);
	return r;
}

void
reg_form_free(struct reg_form *f)
{
	free(f->csrf);
	free(f->request);
	free(f->place);
	f->csrf = f->request = f->place = NULL;
}

/* The status of GET path, -1 without an answer; the reply is not kept. */
long
http_get_status(struct client *c, const char *path)
{
	struct resp *r = http_get(c, path);
	long s = r != NULL ? r->status : -1;

	resp_free(r);
	return s;
}

/* The status of signing in as email with pw, not following where it goes. */
long
signin_status(struct client *c, const char *email, const char *pw)
{
	struct resp *r = form_post(c, "/signin", "/signin", "email", email,
	    "password", pw, NULL);
	long s = r != NULL ? r->status : -1;

	resp_free(r);
	return s;
}

/* A figure from the node's /proc/PID/status, in KiB: VmRSS:, VmHWM:. */
long
node_kib(const struct node *n, const char *field)
{
	char path[64], line[256];
	size_t len = strlen(field);
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)n->pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, len) == 0)
			kib = strtol(line + len, NULL, 10);
	fclose(f);
	ck_assert_int_gt(kib, 0);
	return kib;
}
