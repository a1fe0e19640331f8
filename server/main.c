/*
 * The acorn command: set a node up (init, migrate, user add) and serve it.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <openssl/crypto.h>

#include "backup.h"
#include "config.h"
#include "core.h"
#include "web.h"
#include "pages.h"
#include "federation.h"
#include "routes.h"

#define DEFAULT_CONFIG	SYSCONFDIR "/acorn/acorn.conf"

/*
 * How a serving node keeps its memory small when idle.  glibc gives every
 * thread that allocates an arena of its own (up to eight per core), and
 * each arena keeps what its thread freed; two arenas are enough for two
 * cores' worth of request threads.  Every TRIM_IDLE seconds, what every
 * arena holds free goes back to the system (malloc_trim), so pages kept
 * after a burst of requests do not stay resident while the node is
 * quiet; and first, the request pool's connections that a burst opened
 * and that have had nothing to do since are closed (db_pool_close_idle),
 * with libpq's buffers and their backends in PostgreSQL.  (Mapping
 * large blocks on their own instead, a fixed M_MMAP_THRESHOLD, costs a
 * fresh mapping and its page faults for every large page built: slower,
 * for memory the trim gives back anyway.)
 */
#define MALLOC_ARENAS		2
#define TRIM_IDLE		10

/*
 * OpenSSL's reason strings (some 2,000 of them, put in a hash table at
 * its first initialisation, whoever asks for it: libcurl, say) are not
 * loaded.  The node never prints OpenSSL's error queue itself, and
 * loading them keeps about 0.6 MB of libcrypto's pages and its heap
 * resident in every process for nothing.  The one place they would show is a TLS failure in libcurl's
 * message for mail or a peer, as numbers (the code 0A000086 where the
 * words would be) that `openssl errstr 0A000086` spells out; a
 * certificate that does not verify still reads in words, from a table
 * of its own.
 * Before libcurl initialises OpenSSL: the first call decides.
 */
#define OPENSSL_INIT_FLAGS	OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS

/* The feeds' stream, started anew when the database is not where it was. */
#define STREAM_CHECK	"SELECT acorn_stream()"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acorn [-c config] command [arguments]\n"
	    "\n"
	    "commands:\n"
	    "  init [options]        write the config file if it is missing,\n"
	    "                        migrate the database, create the node\n"
	    "      --database CONNINFO  --name NAME  --region REGION\n"
	    "      --listen ADDR:PORT   --public-url URL  --datadir DIR\n"
	    "      --open-joining\n"
	    "  migrate               apply new schema migrations\n"
	    "  keygen [--rotate | --retire]\n"
	    "                        make the node's signing key if it has\n"
	    "                        none; --rotate makes a new one and keeps\n"
	    "                        the old one trusted until --retire\n"
	    "  peer add URL --fingerprint FP [--hub]\n"
	    "                        pin a peer by its key and pull its feeds;\n"
	    "                        a hub may vouch for other nodes' keys\n"
	    "  peer list             the peers and how syncing them goes\n"
	    "  peer remove URL       stop pulling a peer and trusting its key\n"
	    "  directory import URL|FILE\n"
	    "                        services of another publisher's Open\n"
	    "                        Referral UK API or file, again and again\n"
	    "  postcodes import FILE where postcodes are, from the ONS\n"
	    "                        Postcode Directory's CSV (pcds, lat,\n"
	    "                        long, doterm), for finding services\n"
	    "  backup DIR            the database, configuration and keys,\n"
	    "                        into a new directory only you can read\n"
	    "  restore DIR           the node as a backup holds it; every\n"
	    "                        acorn serve of the node stopped first\n"
	    "  stream [--new]        the stream the node's changes belong\n"
	    "                        to; --new starts one, after a restore\n"
	    "                        made by other means than acorn restore\n"
	    "  serve [--port-file F] serve the node until SIGTERM\n"
	    "  user add EMAIL --role member|contributor|coordinator|admin\n"
	    "      [--name NAME] [--group GROUP] [--region REGION]\n"
	    "                        create an account with a generated\n"
	    "                        password, or change an account's role\n"
	    "\n"
	    "options:\n"
	    "  -c, --config FILE     configuration (default %s,\n"
	    "                        or $ACORN_CONFIG)\n"
	    "  -h, --help            show this help\n"
	    "  -V, --version         show the version\n", DEFAULT_CONFIG);
}

static const char *
schema_dir(const struct config *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s/schema", c->datadir);
	return buf;
}

static int
cmd_migrate(struct config *c)
{
	PGconn *conn;
	char dir[4096];
	int rc;

	if ((conn = db_connect(c->database)) == NULL)
		return 1;
	rc = db_migrate(conn, schema_dir(c, dir, sizeof(dir)));
	PQfinish(conn);
	return rc == 0 ? 0 : 1;
}

static int
with_db(struct config *c, struct db_pool **pool, struct db **db)
{
	if ((*pool = db_pool_new(c->database, 1)) == NULL ||
	    (*db = db_acquire(*pool)) == NULL) {
		db_pool_free(*pool);
		return -1;
	}
	return 0;
}

static int
cmd_init(struct config *c, const char *path, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "database", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "region", required_argument, NULL, 'r' },
		{ "listen", required_argument, NULL, 'l' },
		{ "public-url", required_argument, NULL, 'u' },
		{ "datadir", required_argument, NULL, 't' },
		{ "open-joining", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const keys[] = {
		['d'] = "database", ['n'] = "node_name", ['r'] = "region",
		['l'] = "listen", ['u'] = "public_url", ['t'] = "datadir",
	};
	struct db_pool *pool;
	struct db *db;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'o') {
			c->open_joining = 1;
			continue;
		}
		if (ch == '?' || ch >= (int)(sizeof(keys) / sizeof(keys[0])) ||
		    keys[ch] == NULL)
			return 2;
		if (config_set(c, keys[ch], optarg) == -1) {
			fprintf(stderr, "acorn: bad value for %s\n", keys[ch]);
			return 2;
		}
	}
	if (access(path, F_OK) == 0) {
		/* An existing file wins: init never overwrites settings. */
		config_free(c);
		config_defaults(c);
		if (config_load(c, path) == -1)
			return 1;
		log_info("%s exists; keeping it", path);
	} else if (config_write(c, path) == -1)
		return 1;
	else
		log_info("wrote %s", path);
	if (cmd_migrate(c) != 0)
		return 1;
	if (with_db(c, &pool, &db) == -1)
		return 1;
	rc = node_init(db, c) == 0 && node_load(db) == 0 &&
	    keys_generate(c->key_path, 0, 0) == 0 ? 0 : 1;
	if (rc == 0)
		log_info("node %s (%s) is ready", node_id, c->region);
	db_release(pool, db);
	db_pool_free(pool);
	return rc;
}

/* acorn directory import URL|FILE */
static int
cmd_directory(struct config *c, int argc, char **argv)
{
	struct db_pool *pool;
	struct db *db;
	long n[4];
	int rc;

	if (argc != 3 || strcmp(argv[1], "import") != 0) {
		usage(stderr);
		return 2;
	}
	if (with_db(c, &pool, &db) == -1)
		return 1;
	if (node_load(db) == -1) {
		db_release(pool, db);
		db_pool_free(pool);
		return 1;
	}
	rc = oruk_import(db, argv[2], n);
	db_release(pool, db);
	db_pool_free(pool);
	if (rc == -1) {
		fprintf(stderr, "acorn: %s was not imported; nothing changed\n",
		    argv[2]);
		return 1;
	}
	printf("services: %ld added, %ld brought up to date, %ld the same, "
	    "%ld left out\n", n[0], n[1], n[2], n[3]);
	return 0;
}

/* acorn postcodes import FILE */
static int
cmd_postcodes(struct config *c, int argc, char **argv)
{
	struct db_pool *pool;
	struct db *db;
	long kept, skipped;

	if (argc != 3 || strcmp(argv[1], "import") != 0) {
		usage(stderr);
		return 2;
	}
	if (with_db(c, &pool, &db) == -1)
		return 1;
	kept = postcodes_import(db, argv[2], &skipped);
	db_release(pool, db);
	db_pool_free(pool);
	if (kept == -1) {
		fprintf(stderr, "acorn: %s was not imported; nothing changed\n",
		    argv[2]);
		return 1;
	}
	printf("imported %ld postcodes; left out %ld (terminated, without a "
	    "location, or not a postcode)\n", kept, skipped);
	return 0;
}

static int
cmd_user(struct config *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "group", required_argument, NULL, 'g' },
		{ "region", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	const char *role = NULL, *name = NULL, *group = "link_worker",
	    *region = c->region, *email;
	struct db_pool *pool;
	struct db *db;
	struct form form;
	char *password = NULL;
	int ch, rc;

	if (argc < 3 || strcmp(argv[1], "add") != 0) {
		usage(stderr);
		return 2;
	}
	email = argv[2];
	optind = 3;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': role = optarg; break;
		case 'n': name = optarg; break;
		case 'g': group = optarg; break;
		case 'R': region = optarg; break;
		default: return 2;
		}
	}
	memset(&form, 0, sizeof(form));
	form_accept(&form, KEY_EMAIL, email, strlen(email));
	if (form.nerrors != 0 || form.f[KEY_EMAIL].text == NULL) {
		fprintf(stderr, "acorn: %s is not an email address\n", email);
		form_free(&form);
		return 2;
	}
	form_free(&form);
	if (account_role_label(role) == NULL) {
		fprintf(stderr,
		    "acorn: --role member|contributor|coordinator|admin\n");
		return 2;
	}
	if (stakeholder_label(group) == NULL || !region_valid(region)) {
		fprintf(stderr, "acorn: unknown --group or --region\n");
		return 2;
	}
	if (with_db(c, &pool, &db) == -1)
		return 1;
	if (node_load(db) == -1) {
		db_release(pool, db);
		db_pool_free(pool);
		return 1;
	}
	rc = account_add(db, email, role, name ? name : email, group, region,
	    &password);
	db_release(pool, db);
	db_pool_free(pool);
	if (rc == -1)
		return 1;
	if (rc == 0)
		printf("%s is now %s %s\n", email,
		    strcmp(role, "admin") == 0 ? "an" : "a", role);
	else {
		printf("created %s (%s)\npassword: %s\n", email, role, password);
		OPENSSL_cleanse(password, strlen(password));
		free(password);
	}
	return 0;
}

static int
cmd_keygen(struct config *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rotate", no_argument, NULL, 'r' },
		{ "retire", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rotate = 0, retire = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'r')
			rotate = 1;
		else if (ch == 't')
			retire = 1;
		else
			return 2;
	}
	if (rotate && retire) {
		fprintf(stderr, "acorn: --rotate or --retire, not both\n");
		return 2;
	}
	return keys_generate(c->key_path, rotate, retire) == 0 ? 0 : 1;
}

/* Columns of peer_list's query. */
enum {
	PL_URL, PL_NAME, PL_REGION, PL_FINGERPRINT, PL_HUB, PL_SUCCESS,
	PL_ERROR
};

static int
peer_list(struct db *db)
{
	PGresult *res;
	int i;

	res = db_query(db, PGRES_TUPLES_OK, "SELECT p.url, p.name, p.region,"
	    " p.fingerprint, p.hub, coalesce(to_char(p.last_success"
	    " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'), 'never'),"
	    " coalesce(p.last_error, '')"
	    " FROM peers p ORDER BY p.name", 0, NULL);
	if (res == NULL)
		return 1;
	if (PQntuples(res) == 0)
		printf("no peers\n");
	for (i = 0; i < PQntuples(res); i++) {
		printf("%s  %s (%s)%s\n  fingerprint %s\n  last success %s\n",
		    PQgetvalue(res, i, PL_URL), PQgetvalue(res, i, PL_NAME),
		    PQgetvalue(res, i, PL_REGION),
		    *PQgetvalue(res, i, PL_HUB) == 't' ? ", hub" : "",
		    PQgetvalue(res, i, PL_FINGERPRINT),
		    PQgetvalue(res, i, PL_SUCCESS));
		if (*PQgetvalue(res, i, PL_ERROR) != '\0')
			printf("  last error %s\n", PQgetvalue(res, i, PL_ERROR));
	}
	PQclear(res);
	return 0;
}

static int
peer_remove_url(struct db *db, const char *url)
{
	const char *p[1] = { url };
	PGresult *res;
	long long id = -1;

	res = db_query(db, PGRES_TUPLES_OK, "SELECT id FROM peers"
	    " WHERE url = rtrim($1, '/')", 1, p);
	if (res == NULL)
		return 1;
	if (PQntuples(res) == 1)
		id = strtoll(PQgetvalue(res, 0, DB_ONLY), NULL, 10);
	PQclear(res);
	if (id == -1 || peer_remove(db, id, 0) == -1) {
		fprintf(stderr, "acorn: %s is not a peer\n", url);
		return 1;
	}
	printf("removed %s\n", url);
	return 0;
}

/* The identity a peer was pinned as, for the operator to compare. */
static const char pinned_query[] =
    "SELECT name, 'urn:uuid:' || node, region FROM peers"
    " WHERE url = rtrim($1, '/')";

enum { PN_NAME, PN_ID, PN_REGION };

static int
peer_added_print(struct db *db, const char *url, int hub)
{
	const char *p[1] = { url };
	PGresult *res;

	res = db_query(db, PGRES_TUPLES_OK, pinned_query, 1, p);
	if (res == NULL || PQntuples(res) != 1) {
		PQclear(res);
		printf("added %s%s\n", url, hub ? " as a hub" : "");
		return 0;
	}
	printf("added %s%s: %s (%s), %s\n", url, hub ? " as a hub" : "",
	    PQgetvalue(res, 0, PN_NAME), PQgetvalue(res, 0, PN_ID),
	    PQgetvalue(res, 0, PN_REGION));
	PQclear(res);
	return 0;
}

static int
cmd_peer(struct config *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fingerprint", required_argument, NULL, 'f' },
		{ "hub", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct db_pool *pool;
	struct db *db;
	const char *fingerprint = NULL;
	char *error = NULL;
	int ch, hub = 0, rc;

	if (argc < 2 || (strcmp(argv[1], "list") != 0 && argc < 3) ||
	    (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "list") != 0 &&
	    strcmp(argv[1], "remove") != 0)) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "add") == 0) {
		optind = 3;
		while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
			if (ch == 'f')
				fingerprint = optarg;
			else if (ch == 'h')
				hub = 1;
			else
				return 2;
		}
		if (fingerprint == NULL) {
			fprintf(stderr, "acorn: peer add URL --fingerprint FP"
			    " (the peer's coordinator can read it on its"
			    " peers page or from acorn keygen)\n");
			return 2;
		}
	}
	if (with_db(c, &pool, &db) == -1)
		return 1;
	if (node_load(db) == -1)
		rc = 1;
	else if (strcmp(argv[1], "list") == 0)
		rc = peer_list(db);
	else if (strcmp(argv[1], "remove") == 0)
		rc = peer_remove_url(db, argv[2]);
	else if (peer_add(db, argv[2], fingerprint, hub, NULL, 0, &error) ==
	    -1) {
		fprintf(stderr, "acorn: %s\n", error);
		rc = 1;
	} else
		rc = peer_added_print(db, argv[2], hub);
	free(error);
	db_release(pool, db);
	db_pool_free(pool);
	return rc;
}

/* public_url from the listen address and the port actually bound. */
static int
public_url_bound(struct config *c, unsigned int port)
{
	const char *colon = strrchr(c->listen, ':');
	static char *placeholder;
	char *url;

	url = util_printf("http://%.*s:%u", (int)(colon - c->listen),
	    c->listen, port);
	if (url == NULL)
		return -1;
	/* Kept, not freed: a request already under way may be reading it. */
	free(placeholder);
	placeholder = c->public_url;
	c->public_url = url;
	return 0;
}

static int
cmd_serve(struct config *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port-file", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const struct timespec idle = { TRIM_IDLE, 0 };
	const char *port_file = NULL;
	char dir[4096];
	struct db_pool *pool = NULL;
	struct db *db = NULL;
	struct server *s = NULL;
	struct mailer *mailer = NULL;
	struct sync *sync = NULL;
	struct retention *retention = NULL;
	struct signer signer = { 0 };
	sigset_t set;
	int ch, sig, tries, grace = 0, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'p')
			return 2;
		port_file = optarg;
	}
	/* Before the first thread starts (see MALLOC_ARENAS). */
	mallopt(M_ARENA_MAX, MALLOC_ARENAS);
	snprintf(dir, sizeof(dir), "%s/templates", c->datadir);
	if (templates_load(dir) == -1)
		goto done;
	snprintf(dir, sizeof(dir), "%s/templates/static", c->datadir);
	if (static_load(dir) == -1)
		goto done;
	if ((pool = db_pool_new(c->database, c->db_connections > 0 ?
	    c->db_connections : c->threads + 1)) == NULL)
		goto done;
	if (cache_init(c->cache_bytes) == -1)
		goto done;
	/* The database may still be starting: give it half a minute. */
	for (tries = 0; tries < 30; tries++) {
		if ((db = db_acquire(pool)) != NULL)
			break;
		sleep(1);
	}
	if (db == NULL || node_load(db) == -1) {
		db_release(pool, db);
		goto done;
	}
	/*
	 * Every connection from now on first makes sure the feeds' stream
	 * is this database's (schema/061): this one too.
	 */
	db_on_connect(STREAM_CHECK);
	if (db_call(db, STREAM_CHECK, 0, NULL) == -1) {
		db_release(pool, db);
		goto done;
	}
	db_release(pool, db);
	/* Its own keys also verify its records that come back. */
	if (session_set_secret(node_secret, sizeof(node_secret)) == -1 ||
	    signer_load(&signer, c->key_path) == -1 ||
	    merge_own_keys(&signer) == -1)
		goto done;
	server_signer = &signer;
	password_slots(c->argon2_parallel, c->argon2_wait);

	/* Block the stop signals in every thread; this one waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* After the mask: a stop signal must reach this thread alone. */
	if (c->cache_bytes > 0 && notify_start(c->database) == -1)
		goto done;

	if ((s = server_start(c, pool, routes_table, routes_count,
	    port_file)) == NULL)
		goto done;
	/*
	 * With no public_url given, the node's address is the one it
	 * bound (the kernel chose the port when listen said 0): peers
	 * send inbox entries there, and mail links to it.
	 */
	if (!c->public_url_set && public_url_bound(c, server_port(s)) == -1)
		goto done;
	grace = 10;
	if ((sync = sync_start(c, &signer)) == NULL)
		goto done;
	/* Personal data past its time goes by itself (retention.c). */
	if ((retention = retention_start(c)) == NULL)
		goto done;
	/* Without a mail server, mail waits in the outbox. */
	if (c->smtp_url[0] == '\0')
		log_info("smtp_url is not set: mail stays in the outbox");
	else if ((mailer = mail_start(c)) == NULL)
		goto done;
	/* Loading the templates left the heap with holes: close them. */
	malloc_trim(0);
	for (;;) {
		/*
		 * The wait ends with a stop signal, or every TRIM_IDLE
		 * seconds to give back what the arenas hold free: a few
		 * microseconds when nothing is, and pages the node was
		 * keeping for nothing after a burst of requests.
		 */
		if ((sig = sigtimedwait(&set, NULL, &idle)) == -1) {
			if (errno == EAGAIN) {
				db_pool_close_idle(pool, TRIM_IDLE);
				malloc_trim(0);
			}
			continue;
		}
		if (sig == SIGHUP)
			continue;
		break;
	}
	log_info("stopping: finishing requests in flight");
	rc = 0;
done:
	retention_stop(retention);
	sync_stop(sync);
	server_stop(s, grace);
	notify_stop();
	cache_free();
	session_kept_free();
	/* After the last request: it may have queued mail. */
	mail_stop(mailer);
	db_pool_free(pool);
	server_signer = NULL;
	signer_free(&signer);
	static_free();
	templates_free();
	if (rc == 0)
		log_info("stopped");
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct config c;
	const char *path = getenv("ACORN_CONFIG"), *cmd;
	char dir[4096];
	int ch, rc;

	if (path == NULL)
		path = DEFAULT_CONFIG;
	while ((ch = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("acorn %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	cmd = argv[0];
	config_defaults(&c);
	cfg = &c;
	if (strcmp(cmd, "init") != 0 && config_load(&c, path) == -1) {
		config_free(&c);
		return 1;
	}
	log_set_level(c.log_level);
	db_statement_timeout(c.statement_timeout);
	OPENSSL_init_crypto(OPENSSL_INIT_FLAGS, NULL);
	xmlInitParser();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (fed_init() == -1) {
		fprintf(stderr, "acorn: cannot start XML signatures\n");
		config_free(&c);
		return 1;
	}
	if (strcmp(cmd, "init") == 0)
		rc = cmd_init(&c, path, argc, argv);
	else if (strcmp(cmd, "migrate") == 0)
		rc = cmd_migrate(&c);
	else if (strcmp(cmd, "serve") == 0)
		rc = cmd_serve(&c, argc, argv);
	else if (strcmp(cmd, "user") == 0)
		rc = cmd_user(&c, argc, argv);
	else if (strcmp(cmd, "keygen") == 0)
		rc = cmd_keygen(&c, argc, argv);
	else if (strcmp(cmd, "peer") == 0)
		rc = cmd_peer(&c, argc, argv);
	else if (strcmp(cmd, "postcodes") == 0)
		rc = cmd_postcodes(&c, argc, argv);
	else if (strcmp(cmd, "directory") == 0)
		rc = cmd_directory(&c, argc, argv);
	else if (strcmp(cmd, "backup") == 0 && argc == 2)
		rc = backup_make(&c, path, argv[1]) == 0 ? 0 : 1;
	else if (strcmp(cmd, "restore") == 0 && argc == 2)
		rc = backup_restore(&c, argv[1], schema_dir(&c, dir,
		    sizeof(dir))) == 0 ? 0 : 1;
	else if (strcmp(cmd, "stream") == 0 && (argc == 1 || (argc == 2 &&
	    strcmp(argv[1], "--new") == 0)))
		rc = backup_stream(&c, argc == 2) == 0 ? 0 : 1;
	else if (strcmp(cmd, "backup") == 0 || strcmp(cmd, "restore") == 0 ||
	    strcmp(cmd, "stream") == 0) {
		usage(stderr);
		rc = 2;
	}
	else {
		fprintf(stderr, "acorn: unknown command %s\n", cmd);
		usage(stderr);
		rc = 2;
	}
	config_free(&c);
	fed_cleanup();
	curl_global_cleanup();
	xmlCleanupParser();
	return rc;
}
