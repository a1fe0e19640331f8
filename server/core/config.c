/*
 * The node's configuration file: "key = value" lines, '#' comments.  Every
 * key has a default, so a file naming only the database works.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

#ifndef ACORN_DATADIR
#define ACORN_DATADIR "/usr/local/share/acorn"
#endif

const struct config *cfg;

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->database = util_strdup("dbname=acorn");
	c->listen = util_strdup("127.0.0.1:8080");
	c->public_url = util_strdup("http://127.0.0.1:8080");
	c->node_name = util_strdup("Acorn node");
	c->region = util_strdup("London");
	c->datadir = util_strdup(ACORN_DATADIR);
	c->threads = 4;
	c->max_body = 64 * 1024;
	c->max_upload = 20L * 1024 * 1024;
	c->timeout = 15;
	c->session_idle = 2 * 3600;
	c->session_max = 14 * 86400;
	/* OWASP's Argon2id floor: 19 MiB, 2 passes, one lane. */
	c->argon2_t = 2;
	c->argon2_m = 19 * 1024;
	c->db_connections = 0;	/* one per HTTP thread */
	c->log_level = LOG_INFO;
	c->smtp_url = util_strdup("");
	c->mail_from = util_strdup("");
	c->smtp_user = util_strdup("");
	c->smtp_password = util_strdup("");
	c->mail_retry = 60;
	c->mail_max_attempts = 40;
	c->key_path = NULL;	/* beside the config file unless set */
	c->sync_interval = 30;
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

static int
set_str(char **slot, const char *v)
{
	char *p;

	if ((p = util_strdup(v)) == NULL)
		return -1;
	free(*slot);
	*slot = p;
	return 0;
}

static int
set_bool(int *out, const char *v)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
set_num(long *out, const char *v, long min, long max)
{
	return util_parse_long(v, min, max, out);
}

int
config_set(struct config *c, const char *k, const char *v)
{
	long n;

	if (strcmp(k, "database") == 0)
		return set_str(&c->database, v);
	if (strcmp(k, "listen") == 0)
		return set_str(&c->listen, v);
	if (strcmp(k, "public_url") == 0) {
		if (strncmp(v, "http://", 7) != 0 &&
		    strncmp(v, "https://", 8) != 0)
			return -1;
		c->secure_cookies = strncmp(v, "https://", 8) == 0;
		c->public_url_set = 1;
		return set_str(&c->public_url, v);
	}
	if (strcmp(k, "node_name") == 0)
		return set_str(&c->node_name, v);
	if (strcmp(k, "region") == 0)
		return region_valid(v) ? set_str(&c->region, v) : -1;
	if (strcmp(k, "datadir") == 0)
		return set_str(&c->datadir, v);
	if (strcmp(k, "log_level") == 0)
		return log_parse_level(v, &c->log_level);
	if (strcmp(k, "open_joining") == 0)
		return set_bool(&c->open_joining, v);
	if (strcmp(k, "trust_proxy") == 0)
		return set_bool(&c->trust_proxy, v);
	if (strcmp(k, "threads") == 0) {
		if (set_num(&n, v, 1, 256) == -1)
			return -1;
		c->threads = (int)n;
		return 0;
	}
	if (strcmp(k, "db_connections") == 0) {
		if (set_num(&n, v, 1, 1024) == -1)
			return -1;
		c->db_connections = (int)n;
		return 0;
	}
	if (strcmp(k, "max_body") == 0)
		return set_num(&c->max_body, v, 1024, 64L * 1024 * 1024);
	if (strcmp(k, "max_upload") == 0)
		return set_num(&c->max_upload, v, 1024, 256L * 1024 * 1024);
	if (strcmp(k, "timeout") == 0) {
		if (set_num(&n, v, 1, 3600) == -1)
			return -1;
		c->timeout = (int)n;
		return 0;
	}
	if (strcmp(k, "session_idle") == 0)
		return set_num(&c->session_idle, v, 60, 90L * 86400);
	if (strcmp(k, "session_max") == 0)
		return set_num(&c->session_max, v, 60, 365L * 86400);
	if (strcmp(k, "argon2_passes") == 0) {
		if (set_num(&n, v, 1, 16) == -1)
			return -1;
		c->argon2_t = (int)n;
		return 0;
	}
	if (strcmp(k, "smtp_url") == 0) {
		if (*v != '\0' && strncmp(v, "smtp://", 7) != 0 &&
		    strncmp(v, "smtps://", 8) != 0)
			return -1;
		if (strpbrk(v, " \t\r\n") != NULL)
			return -1;
		return set_str(&c->smtp_url, v);
	}
	if (strcmp(k, "mail_from") == 0) {
		if (*v != '\0' && !mail_address_valid(v))
			return -1;
		return set_str(&c->mail_from, v);
	}
	if (strcmp(k, "smtp_user") == 0)
		return set_str(&c->smtp_user, v);
	if (strcmp(k, "smtp_password") == 0)
		return set_str(&c->smtp_password, v);
	if (strcmp(k, "mail_retry") == 0)
		return set_num(&c->mail_retry, v, 1, 86400);
	if (strcmp(k, "mail_max_attempts") == 0) {
		if (set_num(&n, v, 1, 1000) == -1)
			return -1;
		c->mail_max_attempts = (int)n;
		return 0;
	}
	if (strcmp(k, "key") == 0)
		return *v == '\0' ? -1 : set_str(&c->key_path, v);
	if (strcmp(k, "sync_interval") == 0) {
		if (set_num(&n, v, 1, 86400) == -1)
			return -1;
		c->sync_interval = (int)n;
		return 0;
	}
	if (strcmp(k, "argon2_memory") == 0) {
		if (set_num(&n, v, 1024, 4L * 1024 * 1024) == -1)
			return -1;
		c->argon2_m = (int)n;
		return 0;
	}
	return -1;
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

/* Writes a new file; refuses to overwrite, since it may hold a password. */
int
config_write(struct config *c, const char *path)
{
	FILE *f;
	int fd;

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
	fprintf(f,
	    "# Acorn node configuration; see acorn(8).\n"
	    "database = %s\n"
	    "listen = %s\n"
	    "%s%s\n"
	    "node_name = %s\n"
	    "region = %s\n"
	    "datadir = %s\n"
	    "threads = %d\n"
	    "max_body = %ld\n"
	    "max_upload = %ld\n"
	    "timeout = %d\n"
	    "open_joining = %s\n"
	    "trust_proxy = %s\n"
	    "session_idle = %ld\n"
	    "session_max = %ld\n"
	    "argon2_passes = %d\n"
	    "argon2_memory = %d\n"
	    "log_level = %s\n"
	    "# Mail: empty smtp_url keeps mail in the outbox, unsent.\n"
	    "smtp_url = %s\n"
	    "mail_from = %s\n"
	    "mail_retry = %ld\n"
	    "mail_max_attempts = %d\n"
	    "# Federation: this node's signing key, and how often a quiet\n"
	    "# peer is polled (a peer that pings is pulled at once).\n"
	    "key = %s\n"
	    "sync_interval = %d\n",
	    c->database, c->listen,
	    c->public_url_set ? "public_url = " : "# public_url: where people"
	    " and peers reach this node; unset, http://ADDRESS:PORT of listen",
	    c->public_url_set ? c->public_url : "", c->node_name, c->region,
	    c->datadir, c->threads, c->max_body, c->max_upload, c->timeout,
	    c->open_joining ? "yes" : "no", c->trust_proxy ? "yes" : "no",
	    c->session_idle, c->session_max,
	    c->argon2_t, c->argon2_m, log_level_name(c->log_level),
	    c->smtp_url, c->mail_from, c->mail_retry, c->mail_max_attempts,
	    c->key_path, c->sync_interval);
	if (fclose(f) != 0) {
		log_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void
config_free(struct config *c)
{
	free(c->path);
	free(c->database);
	free(c->listen);
	free(c->public_url);
	free(c->node_name);
	free(c->region);
	free(c->datadir);
	free(c->smtp_url);
	free(c->mail_from);
	free(c->smtp_user);
	free(c->key_path);
	if (c->smtp_password != NULL)
		explicit_bzero(c->smtp_password, strlen(c->smtp_password));
	free(c->smtp_password);
	memset(c, 0, sizeof(*c));
}
