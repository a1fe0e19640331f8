/*
 * acorn backup DIR and acorn restore DIR: a node whole, and back.
 *
 * A backup is a directory only its owner can read (the keys and the
 * members' data are in it), holding:
 *
 *   database.dump  pg_dump's custom format: one consistent snapshot of
 *                  the node's database, however busy the node is;
 *   acorn.conf     the configuration file as it was;
 *   node.key       the signing key (and node.key.old while a rotated
 *                  key is still trusted);
 *   MANIFEST       what it is (node, time, schema) and each file's
 *                  SHA-256, so that a damaged copy is refused whole.
 *
 * Restoring checks the manifest, puts the key in place when the machine
 * has none (refusing a different one: peers trust the node by its key),
 * refuses while any acorn process is connected to the database, empties
 * the database and restores the dump in one transaction, applies the
 * migrations newer than the backup, and starts a new stream of changes
 * (schema/061), so that every peer reads the node again from the start
 * and nothing it changes from now on is skipped.  What the node changed
 * after the backup comes back from its peers as it pulls them
 * (docs/protocol.md, section 6.2).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "config.h"
#include "core.h"
#include "backup.h"

#define MANIFEST	"MANIFEST"
#define DUMP		"database.dump"
#define CONF		"acorn.conf"
#define KEY		"node.key"
#define OLD_KEY		"node.key.old"
#define MANIFEST_MAX	(64 * 1024)

extern char **environ;

/* Runs argv (argv[0] looked up in PATH) and waits: 0 when it exited 0. */
static int
run_tool(char *const argv[])
{
	pid_t pid;
	int status, rc;

	if ((rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ)) !=
	    0) {
		fprintf(stderr, "acorn: cannot run %s: %s\n", argv[0],
		    strerror(rc));
		return -1;
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "acorn: %s failed\n", argv[0]);
		return -1;
	}
	return 0;
}

/* The SHA-256 of a file, in hex, into hex; -1 when it cannot be read. */
static int
file_sha256(const char *path, char hex[65])
{
	unsigned char buf[65536], digest[32];
	EVP_MD_CTX *ctx;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto done;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			goto done;
	if (n == 0 && EVP_DigestFinal_ex(ctx, digest, NULL) == 1) {
		util_hex(digest, sizeof(digest), hex);
		rc = 0;
	}
done:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}

/* Copies from to to, created with mode (to must not exist). */
static int
copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	ssize_t n, w, off;
	int in, out, rc = -1;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "acorn: %s: %s\n", from, strerror(errno));
		return -1;
	}
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) ==
	    -1) {
		fprintf(stderr, "acorn: %s: %s\n", to, strerror(errno));
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (off = 0; off < n; off += w)
			if ((w = write(out, buf + off, (size_t)(n - off))) <= 0)
				goto done;
	if (n == 0 && fsync(out) == 0)
		rc = 0;
done:
	if (close(out) == -1)
		rc = -1;
	close(in);
	if (rc == -1)
		fprintf(stderr, "acorn: cannot copy %s to %s\n", from, to);
	return rc;
}

/* Whether two files hold the same bytes. */
static int
same_file(const char *a, const char *b)
{
	char ha[65], hb[65];

	return file_sha256(a, ha) == 0 && file_sha256(b, hb) == 0 &&
	    strcmp(ha, hb) == 0;
}

static char *
in_dir(const char *dir, const char *name)
{
	return util_printf("%s/%s", dir, name);
}

/* One query's single value, malloc'd; NULL on failure. */
static char *
query_value(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	char *v = NULL;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
	    !PQgetisnull(r, 0, 0))
		v = util_strdup(PQgetvalue(r, 0, 0));
	else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "acorn: %s", PQerrorMessage(c));
	PQclear(r);
	return v;
}

/* Appends a file's line to the manifest: its SHA-256 and its name. */
static int
manifest_file(FILE *m, const char *dir, const char *name)
{
	char hex[65], *path = in_dir(dir, name);
	int rc;

	rc = path != NULL && file_sha256(path, hex) == 0 ? 0 : -1;
	if (rc == 0)
		fprintf(m, "sha256 %s %s\n", hex, name);
	else
		fprintf(stderr, "acorn: cannot read %s\n", path != NULL ? path :
		    name);
	free(path);
	return rc;
}

int
backup_make(const struct config *c, const char *config_path,
    const char *dir)
{
	char *dump = NULL, *conf = NULL, *key = NULL, *old = NULL,
	    *oldkey = NULL, *man = NULL, *tmp = NULL, *node = NULL,
	    *schema = NULL, *dbarg = NULL, when[32];
	PGconn *conn = NULL;
	FILE *m = NULL;
	time_t now = time(NULL);
	int rc = -1, has_old;

	umask(077);
	if (mkdir(dir, 0700) == -1) {
		fprintf(stderr, "acorn: %s: %s%s\n", dir, strerror(errno),
		    errno == EEXIST ? " (a backup goes into a new directory)" :
		    "");
		return -1;
	}
	if ((conn = db_connect(c->database)) == NULL)
		goto done;
	if ((node = query_value(conn, "SELECT id FROM node")) == NULL ||
	    (schema = query_value(conn, "SELECT max(version) FROM"
	    " schema_version")) == NULL) {
		fprintf(stderr, "acorn: this database holds no node\n");
		goto done;
	}
	PQfinish(conn);
	conn = NULL;
	if ((dump = in_dir(dir, DUMP)) == NULL ||
	    (conf = in_dir(dir, CONF)) == NULL ||
	    (key = in_dir(dir, KEY)) == NULL ||
	    (old = in_dir(dir, OLD_KEY)) == NULL ||
	    (oldkey = util_printf("%s.old", c->key_path)) == NULL ||
	    (man = in_dir(dir, MANIFEST)) == NULL ||
	    (tmp = in_dir(dir, MANIFEST ".part")) == NULL ||
	    (dbarg = util_printf("--dbname=%s", c->database)) == NULL)
		goto done;
	/* One snapshot, whatever the node does meanwhile. */
	if (run_tool((char *const[]){ "pg_dump", "--format=custom",
	    "--no-owner", "--no-privileges", "--file", dump, dbarg,
	    NULL }) == -1)
		goto done;
	has_old = access(oldkey, F_OK) == 0;
	if (copy_file(config_path, conf, 0600) == -1 ||
	    copy_file(c->key_path, key, 0600) == -1 ||
	    (has_old && copy_file(oldkey, old, 0600) == -1))
		goto done;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if ((m = fopen(tmp, "wx")) == NULL) {
		fprintf(stderr, "acorn: %s: %s\n", tmp, strerror(errno));
		goto done;
	}
	fprintf(m, "acorn-backup 1\nnode %s\nname %s\ntaken %s\n"
	    "schema %s\nacorn %s\n", node, c->node_name, when, schema,
	    PACKAGE_VERSION);
	if (manifest_file(m, dir, DUMP) == -1 ||
	    manifest_file(m, dir, CONF) == -1 ||
	    manifest_file(m, dir, KEY) == -1 ||
	    (has_old && manifest_file(m, dir, OLD_KEY) == -1))
		goto done;
	if (fflush(m) != 0 || fsync(fileno(m)) == -1 || fclose(m) != 0) {
		m = NULL;
		goto done;
	}
	m = NULL;
	/* The manifest last: a backup without one was not finished. */
	if (rename(tmp, man) == -1)
		goto done;
	printf("backed up node %s (%s) to %s\n", node, c->node_name, dir);
	rc = 0;
done:
	if (m != NULL)
		fclose(m);
	if (rc == -1)
		fprintf(stderr, "acorn: the backup in %s is not complete:"
		    " remove it\n", dir);
	PQfinish(conn);
	free(dump);
	free(conf);
	free(key);
	free(old);
	free(oldkey);
	free(man);
	free(tmp);
	free(node);
	free(schema);
	free(dbarg);
	return rc;
}

/* What a backup's manifest says. */
struct manifest {
	char	node[64];
	char	taken[32];
	int	has_old;	/* node.key.old is in it */
};

/*
 * Reads dir's manifest into mf and checks every file it lists against
 * its SHA-256, and that the files a backup needs are listed.
 */
static int
manifest_check(const char *dir, struct manifest *mf)
{
	char line[512], name[256], want[65], hex[65], *path;
	int dump = 0, key = 0, bad = 0, lines = 0;
	FILE *m;

	memset(mf, 0, sizeof(*mf));
	if ((path = in_dir(dir, MANIFEST)) == NULL)
		return -1;
	m = fopen(path, "r");
	free(path);
	if (m == NULL) {
		fprintf(stderr, "acorn: %s holds no finished backup (no "
		    MANIFEST ")\n", dir);
		return -1;
	}
	if (fgets(line, sizeof(line), m) == NULL ||
	    strcmp(line, "acorn-backup 1\n") != 0)
		bad = 1;
	while (!bad && fgets(line, sizeof(line), m) != NULL &&
	    lines++ < 64) {
		if (sscanf(line, "node %63s", mf->node) == 1 ||
		    sscanf(line, "taken %31s", mf->taken) == 1)
			continue;
		if (sscanf(line, "sha256 %64s %255s", want, name) != 2)
			continue;
		if (strchr(name, '/') != NULL ||
		    (path = in_dir(dir, name)) == NULL) {
			bad = 1;
			break;
		}
		if (file_sha256(path, hex) == -1 || strcmp(hex, want) != 0) {
			fprintf(stderr, "acorn: %s is not what the backup"
			    " made: refusing it\n", path);
			bad = 1;
		}
		free(path);
		dump |= strcmp(name, DUMP) == 0;
		key |= strcmp(name, KEY) == 0;
		mf->has_old |= strcmp(name, OLD_KEY) == 0;
	}
	fclose(m);
	if (bad || !dump || !key || mf->node[0] == '\0') {
		if (!bad)
			fprintf(stderr, "acorn: %s/" MANIFEST " is not a"
			    " backup's\n", dir);
		return -1;
	}
	return 0;
}

/*
 * The key of the backup (name) at path: put there when the machine has
 * none, left when it is the same, refused when it is another.
 */
static int
key_place(const char *dir, const char *name, const char *path)
{
	char *from = in_dir(dir, name);
	int rc = -1;

	if (from == NULL)
		return -1;
	if (access(path, F_OK) == -1)
		rc = copy_file(from, path, 0600);
	else if (same_file(from, path))
		rc = 0;
	else
		fprintf(stderr, "acorn: %s is not the backup's key, and peers"
		    " know the node by that: move it away first\n", path);
	free(from);
	return rc;
}

/* Runs a statement; -1, said, when it fails. */
static int
exec_sql(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "acorn: %s", PQerrorMessage(c));
	PQclear(r);
	return ok ? 0 : -1;
}

int
backup_restore(const struct config *c, const char *dir,
    const char *schema_dir)
{
	struct manifest mf;
	PGconn *conn = NULL;
	char *dump = NULL, *dbarg = NULL, *oldkey = NULL, *busy = NULL,
	    *node = NULL, *stream = NULL;
	int rc = -1;

	if (manifest_check(dir, &mf) == -1)
		return -1;
	if ((dump = in_dir(dir, DUMP)) == NULL ||
	    (dbarg = util_printf("--dbname=%s", c->database)) == NULL ||
	    (oldkey = util_printf("%s.old", c->key_path)) == NULL)
		goto done;
	if (key_place(dir, KEY, c->key_path) == -1 ||
	    (mf.has_old && key_place(dir, OLD_KEY, oldkey) == -1))
		goto done;
	if ((conn = db_connect(c->database)) == NULL)
		goto done;
	/* A node serving from the database would write into the restore. */
	busy = query_value(conn, "SELECT count(*) FROM pg_stat_activity"
	    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
	    " AND application_name LIKE 'acorn%'");
	if (busy == NULL || strcmp(busy, "0") != 0) {
		fprintf(stderr, "acorn: %s acorn process(es) use this"
		    " database: stop every acorn serve first\n",
		    busy != NULL ? busy : "some");
		goto done;
	}
	/* Empty, so that the dump is all there is, whatever was here. */
	if (exec_sql(conn, "DROP SCHEMA public CASCADE;"
	    " CREATE SCHEMA public") == -1)
		goto done;
	if (run_tool((char *const[]){ "pg_restore", "--no-owner",
	    "--no-privileges", "--single-transaction", "--exit-on-error",
	    dbarg, dump, NULL }) == -1) {
		fprintf(stderr, "acorn: the database is empty now; restore"
		    " again once the fault is mended\n");
		goto done;
	}
	if (db_migrate(conn, schema_dir) == -1)
		goto done;
	if ((node = query_value(conn, "SELECT id FROM node")) == NULL ||
	    strcmp(node, mf.node) != 0) {
		fprintf(stderr, "acorn: the restored database is not node"
		    " %s's\n", mf.node);
		goto done;
	}
	/* Numbers peers have read will be handed out again: a new stream. */
	if ((stream = query_value(conn, "SELECT acorn_stream("
	    "'a restore from a backup')")) == NULL)
		goto done;
	printf("restored node %s as it was at %s; its changes now belong"
	    " to stream %s.\nStart acorn serve: its peers read it again"
	    " from the start, and what it changed after the backup comes"
	    " back from them.\n", mf.node, mf.taken, stream);
	rc = 0;
done:
	PQfinish(conn);
	free(dump);
	free(dbarg);
	free(oldkey);
	free(busy);
	free(node);
	free(stream);
	return rc;
}

/*
 * acorn stream: the stream the node's changes belong to, since when
 * and why; with fresh, a new one first, for a restore made by other
 * means than acorn restore (a copy of the data directory put back).
 */
int
backup_stream(const struct config *c, int fresh)
{
	PGconn *conn;
	char *said;

	if ((conn = db_connect(c->database)) == NULL)
		return -1;
	if (fresh && exec_sql(conn, "SELECT acorn_stream("
	    "'started by hand (acorn stream --new)')") == -1) {
		PQfinish(conn);
		return -1;
	}
	said = query_value(conn, "SELECT acorn_stream() || ' since ' ||"
	    " to_char(started AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
	    " || ' UTC, after ' || reason FROM feed_stream");
	PQfinish(conn);
	if (said == NULL)
		return -1;
	printf("stream %s\n", said);
	free(said);
	return 0;
}
