/*
 * The node's configuration file: "key = value" lines, '#' comments.  Every
 * key is listed once, in keys[], with its type, bounds and default, so a
 * file naming only the database works and config_write writes them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

#ifndef ACORN_DATADIR
#define ACORN_DATADIR "/usr/local/share/acorn"
#endif

const struct config *cfg;

/* How a key's value is kept: the member of struct config it sets. */
enum conf_type { C_STR, C_BOOL, C_INT, C_LONG, C_LEVEL };

#define C_HIDDEN	0x1	/* never written by config_write */
#define C_SECRET	0x2	/* wiped when replaced or freed */

/*
 * Every key the file may hold, in the order config_write writes them:
 * its member, its bounds (numbers), a check beyond its type (or NULL),
 * its default, and a comment config_write puts before it.
 */
struct conf_key {
	const char	*name;
	enum conf_type	 type;
	size_t		 off;		/* offsetof(struct config, ...) */
	long		 min, max;
	int		 (*check)(struct config *, const char *);
	const char	*def;		/* NULL: none (see its member) */
	unsigned int	 flags;
	const char	*comment;
};

static int	check_public_url(struct config *, const char *);
static int	check_region(struct config *, const char *);
static int	check_smtp_url(struct config *, const char *);
static int	check_mail_from(struct config *, const char *);
static int	check_not_empty(struct config *, const char *);
static int	check_token(struct config *, const char *);

#define OFF(m)	offsetof(struct config, m)
#define KiB	1024L
#define MiB	(1024L * 1024)
#define DAY	86400L

static const struct conf_key keys[] = {
	{ "database", C_STR, OFF(database), 0, 0, NULL, "dbname=acorn", 0,
	    NULL },
	{ "listen", C_STR, OFF(listen), 0, 0, NULL, "127.0.0.1:8080", 0,
	    NULL },
	{ "public_url", C_STR, OFF(public_url), 0, 0, check_public_url,
	    "http://127.0.0.1:8080", 0, NULL },
	{ "node_name", C_STR, OFF(node_name), 0, 0, NULL, "Acorn node", 0,
	    NULL },
	{ "region", C_STR, OFF(region), 0, 0, check_region, "London", 0,
	    NULL },
	{ "datadir", C_STR, OFF(datadir), 0, 0, NULL, ACORN_DATADIR, 0,
	    NULL },
	{ "threads", C_INT, OFF(threads), 1, 256, NULL, "4", 0, NULL },
	{ "max_body", C_LONG, OFF(max_body), KiB, 64 * MiB, NULL, "65536", 0,
	    NULL },
	{ "max_upload", C_LONG, OFF(max_upload), KiB, 256 * MiB, NULL,
	    "20971520", 0, NULL },
	{ "timeout", C_INT, OFF(timeout), 1, 3600, NULL, "15", 0, NULL },
	{ "max_connections", C_INT, OFF(max_connections), 1, 100000, NULL,
	    "1000", 0, NULL },
	/* 0: no limit per address (a reverse proxy limits them instead). */
	{ "connections_per_address", C_INT, OFF(connections_per_address), 0,
	    100000, NULL, "64", 0, NULL },
	/* Empty: $TMPDIR, or /tmp without it. */
	{ "upload_dir", C_STR, OFF(upload_dir), 0, 0, NULL, "", 0, NULL },
	{ "open_joining", C_BOOL, OFF(open_joining), 0, 0, NULL, "no", 0,
	    NULL },
	{ "trust_proxy", C_BOOL, OFF(trust_proxy), 0, 0, NULL, "no", 0,
	    NULL },
	{ "session_idle", C_LONG, OFF(session_idle), 60, 90 * DAY, NULL,
	    "7200", 0, NULL },
	{ "session_max", C_LONG, OFF(session_max), 60, 365 * DAY, NULL,
	    "1209600", 0, NULL },
	/* OWASP's Argon2id floor: 19 MiB, 2 passes, one lane. */
	{ "argon2_passes", C_INT, OFF(argon2_t), 1, 16, NULL, "2", 0, NULL },
	{ "argon2_memory", C_INT, OFF(argon2_m), KiB, 4 * MiB, NULL, "19456",
	    0, NULL },
	/* Empty: /metrics answers loopback alone, with no token. */
	{ "metrics_token", C_STR, OFF(metrics_token), 0, 0, check_token, "",
	    C_HIDDEN | C_SECRET, NULL },
	/* Hashes at once; the rest wait briefly, then are told to retry. */
	{ "argon2_parallel", C_INT, OFF(argon2_parallel), 1, 256, NULL, "2",
	    0, NULL },
	{ "argon2_wait", C_INT, OFF(argon2_wait), 0, 10000, NULL, "1000", 0,
	    NULL },
	/* Within an hour, from one address; each further one waits longer. */
	{ "throttle_joins", C_INT, OFF(throttle_joins), 1, 100000, NULL, "5",
	    0, NULL },
	{ "throttle_mails", C_INT, OFF(throttle_mails), 1, 100000, NULL, "5",
	    0, NULL },
	{ "log_level", C_LEVEL, OFF(log_level), 0, 0, NULL, "info", 0, NULL },
	/* 0 is the default, one per HTTP thread; a file may not say 0. */
	{ "db_connections", C_INT, OFF(db_connections), 1, 1024, NULL, NULL,
	    C_HIDDEN, NULL },
	{ "smtp_url", C_STR, OFF(smtp_url), 0, 0, check_smtp_url, "", 0,
	    "# Mail: empty smtp_url keeps mail in the outbox, unsent.\n" },
	{ "mail_from", C_STR, OFF(mail_from), 0, 0, check_mail_from, "", 0,
	    NULL },
	{ "smtp_user", C_STR, OFF(smtp_user), 0, 0, NULL, "", C_HIDDEN,
	    NULL },
	{ "smtp_password", C_STR, OFF(smtp_password), 0, 0, NULL, "",
	    C_HIDDEN | C_SECRET, NULL },
	{ "mail_retry", C_LONG, OFF(mail_retry), 1, DAY, NULL, "60", 0, NULL },
	{ "mail_max_attempts", C_INT, OFF(mail_max_attempts), 1, 1000, NULL,
	    "40", 0, NULL },
	/* Unset, the key lives beside the config file (default_key_path). */
	{ "key", C_STR, OFF(key_path), 0, 0, check_not_empty, NULL, 0,
	    "# Federation: this node's signing key, and how often a quiet\n"
	    "# peer is polled (a peer that pings is pulled soon).\n" },
	{ "sync_interval", C_INT, OFF(sync_interval), 1, DAY, NULL, "30", 0,
	    NULL },
	{ "ping_gap", C_INT, OFF(ping_gap), 1, 3600, NULL, "5", 0, NULL },
	{ "inbox_quota", C_INT, OFF(inbox_quota), 1, 1000000, NULL, "100", 0,
	    "# What the inbox takes from one other node: places held (or\n"
	    "# waited for) per event, and entries a minute.\n" },
	{ "inbox_rate", C_INT, OFF(inbox_rate), 1, 1000000, NULL, "120", 0,
	    NULL },
	{ "courier_workers", C_INT, OFF(courier_workers), 1, 64, NULL, "4", 0,
	    "# Deliveries to other nodes: how many go at once (one node gets\n"
	    "# one sender fewer), and seconds one delivery may take.\n" },
	{ "courier_timeout", C_INT, OFF(courier_timeout), 1, 300, NULL, "10",
	    0, NULL },
	/* Pages kept in memory (cache.c): a bound, evicting the least used. */
	{ "cache_bytes", C_LONG, OFF(cache_bytes), 0, 64L * 1024 * MiB, NULL,
	    "16777216", 0, "# Bytes of pages kept in memory, least recently "
	    "used going first\n# (0: none kept).\n" },
	{ "review_months", C_INT, OFF(review_months), 1, 60, NULL, "6", 0,
	    "# The directory of services: months after a listing was last\n"
	    "# confirmed as correct before it is due for review.\n" },
	{ "statement_timeout", C_INT, OFF(statement_timeout), 0, DAY, NULL,
	    "30", 0, "# Seconds one SQL statement may run (0: no limit);\n"
	    "# migrations are not limited.\n" },
	/*
	 * Retention (retention.c, and the privacy notice).  Throttling
	 * reads its own counts (the throttle table), which look back an
	 * hour and wait at most an hour more: a day's least keeps every
	 * count that still slows anyone down.
	 */
	{ "retain_mail_days", C_LONG, OFF(retain_mail_days), 1, 3650, NULL,
	    "30", 0,
	    "# Retention: how long personal data is kept before it is removed\n"
	    "# (the privacy notice at /privacy quotes these figures).\n" },
	{ "retain_guest_forms_days", C_LONG, OFF(retain_guest_forms_days), 1,
	    3650, NULL, "7", 0, NULL },
	{ "retain_signin_failures_days", C_LONG,
	    OFF(retain_signin_failures_days), 1, 3650, NULL, "1", 0, NULL },
	{ "retain_audit_months", C_LONG, OFF(retain_audit_months), 1, 1200,
	    NULL, "24", 0, NULL },
	{ "retain_unconfirmed_days", C_LONG, OFF(retain_unconfirmed_days), 1,
	    3650, NULL, "7", 0, NULL },
	{ "retain_throttle_days", C_LONG, OFF(retain_throttle_days), 1, 3650,
	    NULL, "1", 0, NULL },
	{ "shortlist_days", C_LONG, OFF(shortlist_days), 1, 3650, NULL, "90",
	    0, NULL },
	{ "retain_directory_months", C_LONG, OFF(retain_directory_months), 1,
	    1200, NULL, "12", 0, NULL },
	{ "retention_interval", C_INT, OFF(retention_interval), 1, DAY, NULL,
	    "3600", 0, NULL },
	/* Rows one statement removes: each batch is its own transaction. */
	{ "retention_batch", C_INT, OFF(retention_batch), 1, 1000000, NULL,
	    "5000", 0, NULL },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static int
check_public_url(struct config *c, const char *v)
{
	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
		return -1;
	c->secure_cookies = strncmp(v, "https://", 8) == 0;
	c->public_url_set = 1;
	return 0;
}

static int
check_region(struct config *c, const char *v)
{
	(void)c;
	return region_valid(v) ? 0 : -1;
}

static int
check_smtp_url(struct config *c, const char *v)
{
	(void)c;
	if (*v != '\0' && strncmp(v, "smtp://", 7) != 0 &&
	    strncmp(v, "smtps://", 8) != 0)
		return -1;
	return strpbrk(v, " \t\r\n") != NULL ? -1 : 0;
}

static int
check_mail_from(struct config *c, const char *v)
{
	(void)c;
	return *v != '\0' && !mail_address_valid(v) ? -1 : 0;
}

static int
check_not_empty(struct config *c, const char *v)
{
	(void)c;
	return *v == '\0' ? -1 : 0;
}

/* A bearer token: empty (none), or long enough not to be guessed. */
static int
check_token(struct config *c, const char *v)
{
	size_t i, n = strlen(v);

	(void)c;
	if (n == 0)
		return 0;
	if (n < 16)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
			return -1;
	return 0;
}

static const struct conf_key *
key_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* Stores v in k's member of c, by k's type and bounds; -1 if it is bad. */
static int
key_store(struct config *c, const struct conf_key *k, const char *v)
{
	void *slot = (char *)c + k->off;
	char *copy;
	long n;

	switch (k->type) {
	case C_STR:
		if ((copy = util_strdup(v)) == NULL)
			return -1;
		if ((k->flags & C_SECRET) && *(char **)slot != NULL)
			explicit_bzero(*(char **)slot, strlen(*(char **)slot));
		free(*(char **)slot);
		*(char **)slot = copy;
		return 0;
	case C_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
			*(int *)slot = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
			*(int *)slot = 0;
		else
			return -1;
		return 0;
	case C_INT:
	case C_LONG:
		if (util_parse_long(v, k->min, k->max, &n) == -1)
			return -1;
		if (k->type == C_INT)
			*(int *)slot = (int)n;
		else
			*(long *)slot = n;
		return 0;
	case C_LEVEL:
		return log_parse_level(v, (enum log_level *)slot);
	}
	return -1;
}

void
config_defaults(struct config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NKEYS; i++)
		if (keys[i].def != NULL)
			key_store(c, &keys[i], keys[i].def);
	c->secure_cookies = 0;
	c->public_url_set = 0;	/* the default is not given */
}

/*
 * The key's default home: the config file's path with ".key" for its
 * ".conf", so that several nodes configured in one folder keep theirs
 * apart.
 */
static int
default_key_path(struct config *c, const char *path)
{
	size_t n = strlen(path);

	if (c->key_path != NULL)
		return 0;
	if (n > 5 && strcmp(path + n - 5, ".conf") == 0)
		n -= 5;
	c->key_path = util_printf("%.*s.key", (int)n, path);
	return c->key_path == NULL ? -1 : 0;
}

int
config_set(struct config *c, const char *name, const char *v)
{
	const struct conf_key *k;

	if ((k = key_find(name)) == NULL)
		return -1;
	if (k->check != NULL && k->check(c, v) == -1)
		return -1;
	return key_store(c, k, v);
}

int
config_load(struct config *c, const char *path)
{
	FILE *f;
	char line[4096], *k, *v, *eq;
	int lineno = 0, rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		log_err("%s: %s", path, strerror(errno));
		return -1;
	}
	free(c->path);
	c->path = util_strdup(path);
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			log_err("%s:%d: line too long", path, lineno);
			goto fail;
		}
		k = util_trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			log_err("%s:%d: expected key = value", path, lineno);
			goto fail;
		}
		*eq = '\0';
		k = util_trim(k);
		v = util_trim(eq + 1);
		if (config_set(c, k, v) == -1) {
			log_err("%s:%d: bad value for %s", path, lineno, k);
			goto fail;
		}
	}
	if (default_key_path(c, path) == -1)
		goto fail;
	if (c->session_idle > c->session_max) {
		log_err("%s: session_idle is longer than session_max", path);
		goto fail;
	}
	if (c->smtp_url[0] != '\0' && c->mail_from[0] == '\0') {
		log_err("%s: smtp_url is set but mail_from is not", path);
		goto fail;
	}
	if ((c->smtp_user[0] == '\0') != (c->smtp_password[0] == '\0')) {
		log_err("%s: set both smtp_user and smtp_password, or neither",
		    path);
		goto fail;
	}
	rc = 0;
fail:
	fclose(f);
	return rc;
}

/* Writes one key as config_write does; -1 when the write failed. */
static int
key_write(FILE *f, const struct config *c, const struct conf_key *k)
{
	const void *slot = (const char *)c + k->off;

	if (k->comment != NULL && fputs(k->comment, f) == EOF)
		return -1;
	if (k->off == OFF(public_url) && !c->public_url_set)
		return fputs("# public_url: where people and peers reach this "
		    "node; unset, http://ADDRESS:PORT of listen\n", f) == EOF ?
		    -1 : 0;
	switch (k->type) {
	case C_STR:
		return fprintf(f, "%s = %s\n", k->name,
		    *(char *const *)slot != NULL ? *(char *const *)slot : "");
	case C_BOOL:
		return fprintf(f, "%s = %s\n", k->name,
		    *(const int *)slot ? "yes" : "no");
	case C_INT:
		return fprintf(f, "%s = %d\n", k->name, *(const int *)slot);
	case C_LONG:
		return fprintf(f, "%s = %ld\n", k->name, *(const long *)slot);
	case C_LEVEL:
		return fprintf(f, "%s = %s\n", k->name,
		    log_level_name(*(const enum log_level *)slot));
	}
	return -1;
}

/* Writes a new file; refuses to overwrite, since it may hold a password. */
int
config_write(struct config *c, const char *path)
{
	FILE *f;
	size_t i;
	int fd, rc = 0;

	if (default_key_path(c, path) == -1)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd == -1) {
		log_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	if (fputs("# Acorn node configuration; see acorn(8).\n", f) == EOF)
		rc = -1;
	for (i = 0; i < NKEYS && rc == 0; i++)
		if (!(keys[i].flags & C_HIDDEN) && key_write(f, c, &keys[i]) < 0)
			rc = -1;
	if (fclose(f) != 0 || rc == -1) {
		log_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Frees every string the keys hold, wiping the secrets first. */
void
config_free(struct config *c)
{
	char **slot;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].type != C_STR)
			continue;
		slot = (char **)(void *)((char *)c + keys[i].off);
		if ((keys[i].flags & C_SECRET) && *slot != NULL)
			explicit_bzero(*slot, strlen(*slot));
		free(*slot);
	}
	free(c->path);
	memset(c, 0, sizeof(*c));
}
