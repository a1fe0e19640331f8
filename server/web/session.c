/*
 * Sessions, CSRF tokens and throttling by delay.  Sessions live in the
 * database, so any acorn process behind a load balancer can serve any
 * request; CSRF tokens are derived from the session (or, before sign-in,
 * from a random pre-session cookie) with the node's secret, so they need
 * no storage of their own.
 *
 * A session read from the database is kept in memory for a GET or a HEAD
 * to find again without a query, until the sessions' version moves
 * (notify.c: a session ended, an account or a name changed), until it
 * is due to be noted as seen again, or until it would end by time.  A
 * POST always reads its session from the database.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <microhttpd.h>

#include "web.h"

#define AGENT_MAX	400	/* bytes of User-Agent kept */

#define KEPT_SLOTS	1024	/* sessions kept in memory, by token hash */
#define SEEN_EVERY	60	/* seconds between notes that a session is
				   seen, as session_query says */

static unsigned char	secret[32];
static int		have_secret;

/* A session as read from the database, for later requests to find. */
struct kept {
	unsigned char	 hash[32];	/* of its token */
	uint64_t	 version;	/* the sessions' version it was read at */
	time_t		 until;		/* monotonic seconds it may be used to */
	struct account	*a;		/* NULL: the slot is empty */
};

static struct kept	kept[KEPT_SLOTS];
static pthread_mutex_t	kept_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong	kept_hits, kept_misses;

/* A cookie the browser sent, or NULL. */
static const char *
session_cookie_get(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/*
 * Sets a cookie for the whole site: max_age 0 deletes it, -1 makes it
 * last until the browser closes.  -1 when it could not be added, so that
 * nothing that needs the cookie is reported done without it.
 */
int
session_cookie(struct request *r, const char *name, const char *value,
    long max_age)
{
	char *c, age[32] = "";
	int rc = -1;

	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
	c = util_printf("%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", name,
	    value, cfg->secure_cookies ? "; Secure" : "", age);
	if (c != NULL)
		rc = response_header(r, "Set-Cookie", c);
	free(c);
	return rc;
}

int
session_set_secret(const unsigned char *s, size_t len)
{
	if (len != sizeof(secret))
		return -1;
	memcpy(secret, s, len);
	have_secret = 1;
	return 0;
}

void
session_csrf(const char *basis, char out[ACORN_TOKEN_LEN + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char *msg;

	out[0] = '\0';
	if (!have_secret || basis == NULL || *basis == '\0' ||
	    (msg = util_printf("csrf:%s", basis)) == NULL)
		return;
	HMAC(EVP_sha256(), secret, sizeof(secret), (unsigned char *)msg,
	    strlen(msg), mac, &len);
	free(msg);
	util_base64url(mac, 32, out);
}

int
session_csrf_ok(struct request *r)
{
	return util_ct_equal(r->form.f[KEY_CSRF].text, r->csrf);
}


/* The hex SHA-256 by which a token (a session's, a mailed link's) is kept. */
void
session_token_hash(const char *token, char hex[65])
{
	unsigned char h[32];

	util_sha256(token, strlen(token), h);
	util_hex(h, sizeof(h), hex);
}

void
account_free(struct account *a)
{
	if (a == NULL)
		return;
	free(a->name);
	free(a->email);
	free(a->role);
	free(a->region);
	free(a);
}

static time_t
monotonic(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

static void
kept_clear(struct kept *k)
{
	account_free(k->a);
	memset(k, 0, sizeof(*k));
}

/* A copy of a's strings; NULL when out of memory. */
static struct account *
account_copy(long id, const char *member, const char *name,
    const char *email, const char *role, const char *region)
{
	struct account *a;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->name = util_strdup(name)) == NULL ||
	    (a->email = util_strdup(email)) == NULL ||
	    (a->role = util_strdup(role)) == NULL ||
	    (a->region = util_strdup(region)) == NULL) {
		account_free(a);
		return NULL;
	}
	a->id = id;
	snprintf(a->member, sizeof(a->member), "%s", member);
	return a;
}

/*
 * The account of the session whose token hashes to h, when it is kept
 * and still good; NULL when it must be read from the database.
 */
static struct account *
kept_find(const unsigned char h[32])
{
	struct kept *k = &kept[(h[0] | h[1] << 8) % KEPT_SLOTS];
	struct account *a = NULL;
	uint64_t v;

	notify_poll();
	if ((v = notify_sessions_version()) == 0)
		return NULL;
	pthread_mutex_lock(&kept_lock);
	if (k->a != NULL && k->version == v &&
	    CRYPTO_memcmp(k->hash, h, sizeof(k->hash)) == 0 &&
	    monotonic() < k->until)
		a = account_copy(k->a->id, k->a->member, k->a->name,
		    k->a->email, k->a->role, k->a->region);
	pthread_mutex_unlock(&kept_lock);
	atomic_fetch_add(a != NULL ? &kept_hits : &kept_misses, 1);
	return a;
}

/*
 * Keeps a session just read, as of the sessions' version v read before
 * the query (so that a change notified meanwhile leaves it unused), for
 * secs seconds at most.
 */
static void
kept_store(const unsigned char h[32], uint64_t v, long secs,
    const struct account *a)
{
	struct kept *k = &kept[(h[0] | h[1] << 8) % KEPT_SLOTS], n;

	if (v == 0 || secs <= 0)
		return;
	memset(&n, 0, sizeof(n));
	memcpy(n.hash, h, sizeof(n.hash));
	n.version = v;
	n.until = monotonic() + secs;
	if ((n.a = account_copy(a->id, a->member, a->name, a->email,
	    a->role, a->region)) == NULL)
		return;
	pthread_mutex_lock(&kept_lock);
	kept_clear(k);
	*k = n;
	pthread_mutex_unlock(&kept_lock);
}

/* At exit, so that a leak check sees nothing kept. */
void
session_kept_free(void)
{
	size_t i;

	pthread_mutex_lock(&kept_lock);
	for (i = 0; i < KEPT_SLOTS; i++)
		kept_clear(&kept[i]);
	pthread_mutex_unlock(&kept_lock);
}

/* For /metrics. */
void
session_kept_counts(unsigned long *hits, unsigned long *misses)
{
	*hits = atomic_load(&kept_hits);
	*misses = atomic_load(&kept_misses);
}

/*
 * The account of a live session ($1 the token's hash, $2 and $3 the
 * idle and whole lifetimes in seconds), whether it is time to note that
 * it was seen, how many seconds ago it last was, and in how many it
 * ends whatever happens.
 */
static const char session_query[] =
    "SELECT a.id, a.member, m.name, a.email, a.role, m.region,"
     " s.last_seen < now() - interval '60 seconds',"
    " extract(epoch FROM now() - s.last_seen)::bigint,"
    " extract(epoch FROM s.created + make_interval(secs => $3)"
    "  - now())::bigint"
    " FROM sessions s JOIN accounts a ON a.id = s.account"
    " JOIN members m ON m.id = a.member"
    " WHERE s.token_hash = decode($1, 'hex')"
    " AND s.last_seen > now() - make_interval(secs => $2)"
    " AND s.created > now() - make_interval(secs => $3)"
    " AND a.status = 'active'";

enum { SE_ID, SE_MEMBER, SE_NAME, SE_EMAIL, SE_ROLE, SE_REGION, SE_TOUCH,
    SE_SEEN_AGO, SE_ENDS_IN };

/*
 * How long a session just read may be kept: until it is due to be noted
 * as seen again, and never past its idle or whole lifetime.
 */
static long
keep_for(long seen_ago, long ends_in)
{
	long secs = SEEN_EVERY - seen_ago;

	if (cfg->session_idle - seen_ago < secs)
		secs = cfg->session_idle - seen_ago;
	if (ends_in < secs)
		secs = ends_in;
	return secs;
}

/*
 * Reads the session of token (hashed to hex) from the database: its
 * account in r->account, and kept for later requests.  -1 only when
 * the database failed.
 */
static int
session_read(struct request *r, const char *cookie,
    const unsigned char h[32])
{
	char hex[65], idle[32], max[32];
	const char *p[3];
	PGresult *res;
	struct account *a;
	uint64_t v = notify_sessions_version();
	long seen_ago;

	util_hex(h, 32, hex);
	snprintf(idle, sizeof(idle), "%ld", cfg->session_idle);
	snprintf(max, sizeof(max), "%ld", cfg->session_max);
	p[0] = hex;
	p[1] = idle;
	p[2] = max;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, session_query, 3,
	    p)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		session_cookie(r, COOKIE_SESSION, "", 0);
		PQclear(res);
		return 0;
	}
	/* Out of memory is a 503, never a sign-out. */
	if ((a = account_copy(strtol(PQgetvalue(res, 0, SE_ID), NULL, 10),
	    PQgetvalue(res, 0, SE_MEMBER), PQgetvalue(res, 0, SE_NAME),
	    PQgetvalue(res, 0, SE_EMAIL), PQgetvalue(res, 0, SE_ROLE),
	    PQgetvalue(res, 0, SE_REGION))) == NULL) {
		PQclear(res);
		return -1;
	}
	r->account = a;
	snprintf(r->session, sizeof(r->session), "%s", cookie);
	seen_ago = strtol(PQgetvalue(res, 0, SE_SEEN_AGO), NULL, 10);
	/* Touch at most once a minute: reads stay reads. */
	if (strcmp(PQgetvalue(res, 0, SE_TOUCH), "t") == 0) {
		if (db_exec(r->db, "UPDATE sessions SET last_seen = now()"
		    " WHERE token_hash = decode($1, 'hex')", 1, p) == -1)
			v = 0;		/* not noted: read it again */
		seen_ago = 0;
	}
	kept_store(h, v, keep_for(seen_ago, strtol(PQgetvalue(res, 0,
	    SE_ENDS_IN), NULL, 10)), a);
	PQclear(res);
	return 0;
}

/*
 * Finds the signed-in account, if any, and works out the CSRF token for
 * this visitor: from memory when the session is kept there and this is
 * not a POST, else from the database.  1 when the session must be read
 * from the database and the request holds no connection (r->db NULL),
 * -1 only when the database failed.
 */
int
session_load(struct request *r)
{
	const char *cookie, *pre;
	unsigned char h[32];

	cookie = session_cookie_get(r, COOKIE_SESSION);
	if (util_token_valid(cookie)) {
		util_sha256(cookie, strlen(cookie), h);
		if (r->method != METHOD_POST &&
		    (r->account = kept_find(h)) != NULL)
			snprintf(r->session, sizeof(r->session), "%s", cookie);
		else if (r->db == NULL)
			return 1;
		else if (session_read(r, cookie, h) == -1)
			return -1;
	}
	if (r->account != NULL) {
		session_csrf(r->session, r->csrf);
		return 0;
	}
	pre = session_cookie_get(r, COOKIE_PRE);
	if (util_token_valid(pre))
		session_csrf(pre, r->csrf);
	return 0;
}

/*
 * Gives a visitor who is not signed in a token for the form about to be
 * shown.  Only pages with such a form set the pre-session cookie, so the
 * public pages stay free of Set-Cookie.
 */
int
session_form(struct request *r)
{
	char tok[ACORN_TOKEN_LEN + 1];

	if (r->csrf[0] != '\0')
		return 0;
	if (util_token(tok) == -1 ||
	    session_cookie(r, COOKIE_PRE, tok, -1) == -1)
		return -1;
	session_csrf(tok, r->csrf);
	return 0;
}

/* Starts a session for account id: a fresh token, never one we were sent. */
int
session_create(struct request *r, long id)
{
	char tok[ACORN_TOKEN_LEN + 1], hex[65], ids[32];
	char agent[AGENT_MAX + 1];
	const char *p[4], *ua;
	size_t n, cut;
	int rc = -1;

	if (util_token(tok) == -1)
		return -1;
	session_token_hash(tok, hex);
	snprintf(ids, sizeof(ids), "%ld", id);
	/* Kept only to show the owner; cut at a character's start. */
	ua = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_USER_AGENT);
	snprintf(agent, sizeof(agent), "%s", ua != NULL ? ua : "");
	/* A character cut in two at the end goes; anything else invalid, all. */
	for (n = strlen(agent), cut = 0; n > 0 && cut < 4 &&
	    !util_utf8_valid(agent, n); cut++)
		agent[--n] = '\0';
	p[0] = hex;
	p[1] = ids;
	p[2] = util_utf8_valid(agent, strlen(agent)) ? agent : "";
	p[3] = r->addr;
	/* Expired sessions are swept by the retention worker, not here. */
	if (db_exec(r->db, "INSERT INTO sessions (token_hash, account,"
	    " user_agent, address) VALUES (decode($1, 'hex'), $2,"
	    " nullif($3, ''), $4)", 4, p) == -1)
		goto done;
	/* A session whose cookie cannot be sent would be signed in nowhere. */
	if (session_cookie(r, COOKIE_SESSION, tok, cfg->session_max) == -1) {
		db_exec(r->db, "DELETE FROM sessions WHERE"
		    " token_hash = decode($1, 'hex')", 1, p);
		goto done;
	}
	snprintf(r->session, sizeof(r->session), "%s", tok);
	session_csrf(tok, r->csrf);
	rc = 0;
done:
	OPENSSL_cleanse(tok, sizeof(tok));
	return rc;
}

/*
 * Ends every session of the signed-in account but this one (keep 1) or
 * all of them (keep 0); the cookie goes with this one.
 */
int
session_end_all(struct request *r, int keep)
{
	char hex[65], ids[32];
	const char *p[3];

	snprintf(ids, sizeof(ids), "%ld", r->account->id);
	session_token_hash(r->session, hex);
	p[0] = ids;
	p[1] = hex;
	p[2] = keep ? "false" : "true";
	if (db_exec(r->db, "DELETE FROM sessions WHERE account = $1"
	    " AND ($3 OR token_hash <> decode($2, 'hex'))", 3, p) == -1)
		return -1;
	if (!keep)
		session_cookie(r, COOKIE_SESSION, "", 0);
	return 0;
}

int
session_destroy(struct request *r)
{
	char hex[65];
	const char *p[1];

	if (r->session[0] == '\0')
		return 0;
	session_token_hash(r->session, hex);
	p[0] = hex;
	session_cookie(r, COOKIE_SESSION, "", 0);
	return db_exec(r->db, "DELETE FROM sessions WHERE"
	    " token_hash = decode($1, 'hex')", 1, p);
}

/* The free attempts a rule takes from the configuration. */
static int
throttle_joins_free(void)
{
	return cfg->throttle_joins;
}

static int
throttle_mails_free(void)
{
	return cfg->throttle_mails;
}

/*
 * How each kind of attempt is slowed: the first free ones within window
 * cost nothing, then each waits base seconds, doubling, at most cap.  A
 * sign-in is counted per (address typed, client address) and per client
 * address, so failures from elsewhere never slow the member down; joins
 * and the mails anyone may ask for are counted per client address, and
 * those mails also per address they go to, so that many clients cannot
 * together fill one person's inbox.
 */
static const struct throttle_rule {
	const char	*name;
	int		 free;
	int		(*free_set)(void);	/* or this, from the config */
	int		 base;
	int		 cap;
	const char	*window;
} throttle_rules[THROTTLE__MAX] = {
	[THROTTLE_SIGNIN] = { .name = "signin", .free = 3, .base = 2,
	    .cap = 300, .window = "1 hour" },
	[THROTTLE_SIGNIN_ADDRESS] = { .name = "signin-address", .free = 20,
	    .base = 2, .cap = 900, .window = "1 hour" },
	[THROTTLE_JOIN] = { .name = "join", .free_set = throttle_joins_free,
	    .base = 60, .cap = 3600, .window = "1 hour" },
	[THROTTLE_MAIL] = { .name = "mail", .free_set = throttle_mails_free,
	    .base = 60, .cap = 3600, .window = "1 hour" },
	[THROTTLE_MAIL_TO] = { .name = "mail-to", .free = 5, .base = 300,
	    .cap = 3600, .window = "1 hour" },
	[THROTTLE_REPORT] = { .name = "report", .free = 5, .base = 60,
	    .cap = 3600, .window = "1 hour" },
};

static int
throttle_free(enum throttle t)
{
	const struct throttle_rule *rule = &throttle_rules[t];

	return rule->free_set != NULL ? rule->free_set() : rule->free;
}

/*
 * The client address as a throttle counts it: an IPv6 address by its
 * /64, the least a single customer is given, so that the 2^64 addresses
 * of one network are one party; an IPv4 address written as IPv6
 * (::ffff:a.b.c.d) as the IPv4 address it is.
 */
static void
throttle_address(const char *addr, char *out, size_t len)
{
	struct in6_addr a6;
	char text[INET6_ADDRSTRLEN];

	snprintf(out, len, "%s", addr != NULL ? addr : "");
	if (addr == NULL || inet_pton(AF_INET6, addr, &a6) != 1)
		return;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		if (inet_ntop(AF_INET, &a6.s6_addr[12], text,
		    sizeof(text)) != NULL)
			snprintf(out, len, "%s", text);
		return;
	}
	memset(&a6.s6_addr[8], 0, 8);
	if (inet_ntop(AF_INET6, &a6, text, sizeof(text)) != NULL)
		snprintf(out, len, "%s/64", text);
}

/* The party a rule counts: its name, who (lower case) and the address. */
static char *
throttle_key(enum throttle t, const char *who, const char *addr)
{
	char party[INET6_ADDRSTRLEN + 8], *k, *c;

	throttle_address(addr, party, sizeof(party));
	if ((k = util_printf("%s:%s|%s", throttle_rules[t].name,
	    who != NULL ? who : "", party)) == NULL)
		return NULL;
	for (c = k; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return k;
}

/*
 * Takes a slot for one attempt by this party, checking and counting it
 * in one step so that attempts sent at once cannot all pass before any
 * is counted.  Seconds before the party may try again (the attempt is
 * refused and not counted), 0 when it may go ahead (it is counted), -1
 * when the database failed (the caller answers 503 rather than let it
 * through).
 */
long
throttle_take(struct db *db, enum throttle t, const char *who,
    const char *addr)
{
	const struct throttle_rule *rule = &throttle_rules[t];
	char fr[16], base[16], cap[16], *k;
	const char *p[5];
	PGresult *res;
	long wait = -1;

	if ((k = throttle_key(t, who, addr)) == NULL)
		return -1;
	snprintf(fr, sizeof(fr), "%d", throttle_free(t));
	snprintf(base, sizeof(base), "%d", rule->base);
	snprintf(cap, sizeof(cap), "%d", rule->cap);
	p[0] = k;
	p[1] = fr;
	p[2] = base;
	p[3] = cap;
	p[4] = rule->window;
	res = db_query(db, PGRES_TUPLES_OK, "SELECT acorn_throttle_take($1,"
	    " $2, $3, $4, $5::interval)", 5, p);
	if (res != NULL)
		wait = strtol(PQgetvalue(res, 0, DB_ONLY), NULL, 10);
	PQclear(res);
	free(k);
	return wait;
}

/* Gives back the slot throttle_take took: the attempt did not count. */
static void
throttle_give(struct db *db, enum throttle t, const char *who,
    const char *addr)
{
	char fr[16], *k;
	const char *p[2];

	if ((k = throttle_key(t, who, addr)) == NULL)
		return;
	snprintf(fr, sizeof(fr), "%d", throttle_free(t));
	p[0] = k;
	p[1] = fr;
	db_call(db, "SELECT acorn_throttle_give($1, $2)", 2, p);
	free(k);
}

/* Forgets this party's attempts. */
static void
throttle_clear(struct db *db, enum throttle t, const char *who,
    const char *addr)
{
	const char *p[1];
	char *k;

	if ((k = throttle_key(t, who, addr)) == NULL)
		return;
	p[0] = k;
	db_exec(db, "DELETE FROM throttle WHERE key = $1", 1, p);
	free(k);
}

/*
 * A sign-in (or a password asked for again) as email from addr is about
 * to be checked: it takes a slot for that pair and one for that address
 * before the password is looked at, so a burst of guesses gets no more
 * checks than the rules allow.  As throttle_take; a refused attempt
 * holds no slot of either.
 */
long
throttle_signin_take(struct db *db, const char *email, const char *addr)
{
	long wait;

	if ((wait = throttle_take(db, THROTTLE_SIGNIN, email, addr)) != 0)
		return wait;
	if ((wait = throttle_take(db, THROTTLE_SIGNIN_ADDRESS, NULL,
	    addr)) != 0)
		throttle_give(db, THROTTLE_SIGNIN, email, addr);
	return wait;
}

/* The password could not be checked (every hash was busy): no slots. */
void
throttle_signin_give(struct db *db, const char *email, const char *addr)
{
	throttle_give(db, THROTTLE_SIGNIN, email, addr);
	throttle_give(db, THROTTLE_SIGNIN_ADDRESS, NULL, addr);
}

/*
 * The password was right: that pair starts again from nothing, and the
 * address gets its slot back, as only failures count against it.
 */
void
throttle_signin_ok(struct db *db, const char *email, const char *addr)
{
	throttle_clear(db, THROTTLE_SIGNIN, email, addr);
	throttle_give(db, THROTTLE_SIGNIN_ADDRESS, NULL, addr);
}

/*
 * The password was wrong: its slots stay taken, and the failure goes in
 * the record of failed sign-ins.
 */
void
throttle_signin_failed(struct db *db, const char *email, const char *addr)
{
	const char *p[2] = { email, addr };

	db_exec(db, "INSERT INTO signin_failures (email, address)"
	    " VALUES (lower($1), $2)", 2, p);
}

/*
 * May a mail anyone can ask for (a reset link, a confirmation link, a
 * note that an address is taken) go to this address now?  1 when it may
 * (it is counted), 0 when the address has had its share for now, so
 * nothing is sent (the reply stays the same, so it says nothing about
 * the address), -1 when the database failed.
 */
int
throttle_mail_to(struct db *db, const char *to)
{
	long wait;

	if ((wait = throttle_take(db, THROTTLE_MAIL_TO, to, NULL)) == -1)
		return -1;
	return wait == 0;
}

/*
 * A role's rank, from account_role_codes[] which lists them from least
 * to most; -1 for no account or a role not in the list, which may then
 * do nothing that needs one.
 */
static int
role_rank(const struct request *r)
{
	return r->account != NULL ?
	    code_index(account_role_codes, r->account->role) : -1;
}

/* Whether the signed-in account's role is at least role. */
static int
role_at_least(const struct request *r, const char *role)
{
	int least = code_index(account_role_codes, role);

	return least != -1 && role_rank(r) >= least;
}

/* Coordinators and admins; contributors only write evaluations. */
int
is_coordinator(const struct request *r)
{
	return role_at_least(r, "coordinator");
}

/*
 * Admins look after the node itself: its peers, keys and people's roles.
 * They can also do everything a coordinator can, in every region.
 */
int
is_admin(const struct request *r)
{
	return role_at_least(r, "admin");
}

/* Contributors, coordinators and admins write evaluations. */
int
is_contributor(const struct request *r)
{
	return role_at_least(r, "contributor");
}
