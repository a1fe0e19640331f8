/*
 * Sending the outbox: one thread per `acorn serve` that claims due rows,
 * writes each as an RFC 5322 message and hands it to the configured mail
 * server over SMTP with libcurl.
 *
 * A row is claimed with SELECT ... FOR UPDATE SKIP LOCKED and stays locked
 * until the mail server has answered, so processes sharing the database
 * never send a message twice; it is marked sent only after the server
 * accepted it.  A stop request is honoured between messages, never in the
 * middle of one, so SIGTERM neither loses nor repeats mail.
 *
 * Failures: a reply in the 5xx range means the server will never take the
 * message (RFC 5321 4.2.1), so it is marked failed at once with the reply;
 * a refused login is the node's own setting and is retried like anything
 * else.  Everything else (no connection, 4xx, timeouts) is retried after
 * mail_retry seconds, doubling each time up to four hours, with jitter, and
 * the message is marked failed after mail_max_attempts attempts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "core.h"

#define MAIL_POLL_MS		60000	/* fallback when no NOTIFY comes */
#define MAIL_MIN_WAIT_MS	500	/* a due row another sender holds */
#define MAIL_ERROR_WAIT_MS	5000	/* after a database failure */
#define MAIL_BACKOFF_CAP	(4 * 3600.0)
#define MAIL_CONNECT_TIMEOUT	10L
#define MAIL_TIMEOUT		60L

struct mailer {
	const struct config	*cfg;
	struct worker		*worker;	/* for mail_stop alone */
	struct db		*db;	/* held for the thread's life; LISTENs */
	CURL			*curl;
	char			 domain[256];	/* for Message-ID */
	char			 reply[256];	/* the server's last line */
	char			 errbuf[CURL_ERROR_SIZE];
};

enum outcome { MAIL_SENT, MAIL_RETRY, MAIL_FAILED };

/*
 * An address fit for an envelope and a header: one @ with something on
 * both sides, and nothing that could end a header or an SMTP command.
 */
int
mail_address_valid(const char *s)
{
	const char *at = strchr(s, '@');
	const unsigned char *p;

	if (at == NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || strlen(s) > 254)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f || strchr("<>()[],;:\"\\", *p))
			return 0;
	return util_utf8_valid(s, strlen(s));
}

/* Text that may go into a header as it is: printable ASCII only. */
static int
header_plain(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < ' ' || *p > '~')
			return 0;
	return strstr(s, "=?") == NULL;
}

/*
 * RFC 2047 B-encoded words, folded: each word carries whole UTF-8
 * characters and stays within 75 characters, so every line of the header
 * stays under 78.  Control characters become spaces first.
 */
static void
put_encoded(struct strbuf *b, const char *s)
{
	unsigned char chunk[40], out[64];
	size_t len = strlen(s), i = 0, n, k;
	int first = 1;

	while (i < len || first) {
		n = len - i < 39 ? len - i : 39;
		/* Never cut a character: back off over continuation bytes. */
		while (n > 0 && i + n < len &&
		    ((unsigned char)s[i + n] & 0xc0) == 0x80)
			n--;
		if (n == 0 && i < len)
			n = len - i < 39 ? len - i : 39;
		for (k = 0; k < n; k++) {
			chunk[k] = (unsigned char)s[i + k];
			if (chunk[k] < ' ' || chunk[k] == 0x7f)
				chunk[k] = ' ';
		}
		EVP_EncodeBlock(out, chunk, (int)n);
		if (!first)
			strbuf_str(b, "\r\n ");
		strbuf_str(b, "=?UTF-8?B?");
		strbuf_str(b, (const char *)out);
		strbuf_str(b, "?=");
		i += n;
		first = 0;
	}
}

/*
 * A header whose value is unstructured text (Subject): as it is when it
 * is printable ASCII, folded at spaces when long, encoded otherwise.
 */
static void
put_text_header(struct strbuf *b, const char *name, const char *value)
{
	size_t col, w;
	const char *p, *sp;

	strbuf_str(b, name);
	strbuf_str(b, ": ");
	if (!header_plain(value)) {
		put_encoded(b, value);
		strbuf_str(b, "\r\n");
		return;
	}
	col = strlen(name) + 2;
	for (p = value; *p != '\0'; p = sp) {
		sp = strchr(p + 1, ' ');
		if (sp == NULL)
			sp = p + strlen(p);
		w = (size_t)(sp - p);
		/* Fold before a space; the space stays with the next line. */
		if (p != value && *p == ' ' && col + w > 78) {
			strbuf_str(b, "\r\n");
			col = 0;
		}
		strbuf_add(b, p, w);
		col += w;
	}
	strbuf_str(b, "\r\n");
}

/* A display name as a quoted string, or encoded words when not ASCII. */
static void
put_phrase(struct strbuf *b, const char *s)
{
	const char *p;

	if (!header_plain(s)) {
		put_encoded(b, s);
		return;
	}
	strbuf_str(b, "\"");
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_str(b, "\\");
		strbuf_add(b, p, 1);
	}
	strbuf_str(b, "\"");
}

/*
 * Quoted-printable (RFC 2045 6.7): 8-bit text and lines of any length
 * travel through every server as short ASCII lines.  Lines end in CRLF.
 * Leading dots are left alone: libcurl doubles them on the wire.
 */
static void
put_qp(struct strbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	char enc[4];
	size_t col = 0, w;
	int end;

	for (; *p != '\0'; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			strbuf_str(b, "\r\n");
			col = 0;
			continue;
		}
		end = p[1] == '\0' || p[1] == '\n' ||
		    (p[1] == '\r' && (p[2] == '\n' || p[2] == '\0'));
		if ((*p >= 33 && *p <= 126 && *p != '=') ||
		    ((*p == ' ' || *p == '\t') && !end)) {
			enc[0] = (char)*p;
			w = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[*p >> 4];
			enc[2] = hex[*p & 15];
			w = 3;
		}
		/* 76 characters a line, the soft break's '=' included. */
		if (col + w > (end ? 76 : 75)) {
			strbuf_str(b, "=\r\n");
			col = 0;
		}
		strbuf_add(b, enc, w);
		col += w;
	}
	if (col != 0)
		strbuf_str(b, "\r\n");
}

/* The whole message, CRLF line ends, ready for DATA; NULL on no memory. */
char *
mail_message(const struct mail *m)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	struct tm tm;
	char date[64];

	gmtime_r(&m->date, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	strbuf_str(&b, "Date: ");
	strbuf_str(&b, date);
	strbuf_str(&b, "\r\nFrom: ");
	if (m->from_name != NULL && *m->from_name != '\0') {
		put_phrase(&b, m->from_name);
		strbuf_str(&b, " ");
	}
	strbuf_str(&b, "<");
	strbuf_str(&b, m->from);
	strbuf_str(&b, ">\r\nTo: <");
	strbuf_str(&b, m->to);
	strbuf_str(&b, ">\r\n");
	put_text_header(&b, "Subject", m->subject);
	strbuf_str(&b, "Message-ID: ");
	strbuf_str(&b, m->message_id);
	strbuf_str(&b, "\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n");
	put_qp(&b, m->body);
	return strbuf_take(&b);
}

struct upload {
	const char	*p;
	size_t		 left;
};

static size_t
upload_read(char *dst, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t len = size * n;

	if (len > u->left)
		len = u->left;
	memcpy(dst, u->p, len);
	u->p += len;
	u->left -= len;
	return len;
}

/*
 * Keeps the last refusal (a 4xx or 5xx line) the mail server sent, to
 * tell a coordinator what it said; the goodbye that follows it is not
 * news.  The message itself is never logged: it holds personal data.
 */
static int
trace(CURL *c, curl_infotype type, char *data, size_t len, void *arg)
{
	struct mailer *m = arg;
	size_t i, start = 0, end;

	(void)c;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	for (i = 0; i < len; i++)
		if (data[i] == '\n')
			start = i + 1;
	end = len - start;
	if (end == 0 || (data[start] != '4' && data[start] != '5'))
		return 0;
	if (end >= sizeof(m->reply))
		end = sizeof(m->reply) - 1;
	for (i = 0; i < end; i++) {
		unsigned char ch = (unsigned char)data[start + i];

		m->reply[i] = ch >= ' ' && ch < 0x7f ? (char)ch : '?';
	}
	m->reply[end] = '\0';
	return 0;
}

/* Seconds until the next attempt after the attempts already made. */
static double
mail_backoff(const struct config *c, int attempts)
{
	double d = (double)c->mail_retry, cap;
	uint32_t r = 0;
	int i;

	cap = d > MAIL_BACKOFF_CAP ? d : MAIL_BACKOFF_CAP;
	for (i = 0; i < attempts && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	/* Jitter: 0.75 to 1.25 times, so senders do not retry in step. */
	util_random(&r, sizeof(r));
	return d * (0.75 + (double)r / 4294967296.0 * 0.5);
}

/*
 * Hands one message to the mail server.  why gets the reason when it
 * was not accepted.
 */
static enum outcome
mail_deliver(struct mailer *m, const char *id, const char *to,
    const char *subject, const char *body, char *why, size_t whylen)
{
	const struct config *c = m->cfg;
	struct curl_slist *rcpt = NULL;
	struct upload up;
	struct mail mail;
	char from[300], *to_env = NULL, *msgid = NULL, *msg = NULL;
	enum outcome out = MAIL_RETRY;
	long code = 0;
	CURLcode rc;

	if (!mail_address_valid(to)) {
		snprintf(why, whylen, "not a usable email address");
		return MAIL_FAILED;
	}
	msgid = util_printf("<outbox.%s.%s@%s>", id, node_id, m->domain);
	to_env = util_printf("<%s>", to);
	memset(&mail, 0, sizeof(mail));
	mail.from_name = c->node_name;
	mail.from = c->mail_from;
	mail.to = to;
	mail.subject = subject;
	mail.body = body;
	mail.message_id = msgid;
	mail.date = time(NULL);
	if (msgid == NULL || to_env == NULL ||
	    (msg = mail_message(&mail)) == NULL ||
	    (rcpt = curl_slist_append(NULL, to_env)) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto done;
	}
	snprintf(from, sizeof(from), "<%s>", c->mail_from);
	up.p = msg;
	up.left = strlen(msg);
	m->reply[0] = '\0';
	m->errbuf[0] = '\0';

	curl_easy_reset(m->curl);
	curl_easy_setopt(m->curl, CURLOPT_URL, c->smtp_url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(m->curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#endif
	curl_easy_setopt(m->curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(m->curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(m->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(m->curl, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(m->curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(m->curl, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)up.left);
	curl_easy_setopt(m->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(m->curl, CURLOPT_CONNECTTIMEOUT, MAIL_CONNECT_TIMEOUT);
	curl_easy_setopt(m->curl, CURLOPT_TIMEOUT, MAIL_TIMEOUT);
	curl_easy_setopt(m->curl, CURLOPT_ERRORBUFFER, m->errbuf);
	curl_easy_setopt(m->curl, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(m->curl, CURLOPT_DEBUGFUNCTION, trace);
	curl_easy_setopt(m->curl, CURLOPT_DEBUGDATA, m);
	if (c->smtp_user[0] != '\0') {
		curl_easy_setopt(m->curl, CURLOPT_USERNAME, c->smtp_user);
		curl_easy_setopt(m->curl, CURLOPT_PASSWORD, c->smtp_password);
		/* A password never crosses the network in clear. */
		curl_easy_setopt(m->curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	}
	rc = curl_easy_perform(m->curl);
	curl_easy_getinfo(m->curl, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK) {
		out = MAIL_SENT;
		goto done;
	}
	if (code >= 500 && code <= 599 && rc != CURLE_LOGIN_DENIED)
		out = MAIL_FAILED;
	if (m->reply[0] != '\0' && code >= 400)
		snprintf(why, whylen, "%s (the mail server said: %s)",
		    m->errbuf[0] ? m->errbuf : curl_easy_strerror(rc),
		    m->reply);
	else
		snprintf(why, whylen, "%s", m->errbuf[0] ? m->errbuf :
		    curl_easy_strerror(rc));
done:
	/* Send the password only while a transfer needs it. */
	curl_easy_setopt(m->curl, CURLOPT_PASSWORD, NULL);
	curl_slist_free_all(rcpt);
	free(msg);
	free(msgid);
	free(to_env);
	return out;
}

/* Only printable ASCII in what is stored and shown: it came off a wire. */
static void
clean_text(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f)
			*s = '?';
}

/*
 * The message due first, locked until the transaction ends; one another
 * sender holds is left to it.
 */
static const char claim_query[] =
    "SELECT id, recipient, subject, body, attempts FROM outbox"
    " WHERE sent IS NULL AND failed IS NULL"
    " AND next_attempt <= clock_timestamp()"
    " ORDER BY next_attempt, id LIMIT 1 FOR UPDATE SKIP LOCKED";

enum { CL_ID, CL_RECIPIENT, CL_SUBJECT, CL_BODY, CL_ATTEMPTS };

/*
 * Claims one due message, offers it to the mail server and records the
 * outcome, all in one transaction.  1 when one was handled, 0 when none
 * is due, -1 on a database failure.
 */
static int
mail_send_one(struct mailer *m)
{
	const char *p[3];
	char id[32], why[768], delay[32], *to = NULL, *subject = NULL,
	    *body = NULL, *note = NULL;
	PGresult *res = NULL;
	enum outcome out;
	int attempts, rc = -1;

	if (db_begin(m->db) == -1)
		return -1;
	if ((res = db_query(m->db, PGRES_TUPLES_OK, claim_query, 0, NULL)) ==
	    NULL)
		goto done;
	/*
	 * Nothing due: the transaction wrote nothing, and ending it without
	 * a commit says so (a commit would move the data version).
	 */
	if (PQntuples(res) == 0) {
		db_rollback(m->db);
		rc = 0;
		goto done;
	}
	snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, CL_ID));
	to = util_strdup(PQgetvalue(res, 0, CL_RECIPIENT));
	subject = util_strdup(PQgetvalue(res, 0, CL_SUBJECT));
	body = util_strdup(PQgetvalue(res, 0, CL_BODY));
	attempts = (int)strtol(PQgetvalue(res, 0, CL_ATTEMPTS), NULL, 10);
	PQclear(res);
	res = NULL;
	if (to == NULL || subject == NULL || body == NULL)
		goto done;

	why[0] = '\0';
	out = mail_deliver(m, id, to, subject, body, why, sizeof(why));
	clean_text(why);
	if (out == MAIL_RETRY && attempts + 1 >= m->cfg->mail_max_attempts) {
		out = MAIL_FAILED;
		note = util_printf("gave up after %d attempts: %s",
		    attempts + 1, why);
	}
	p[0] = id;
	p[1] = note != NULL ? note : why;
	switch (out) {
	case MAIL_SENT:
		log_info("outbox %s: sent", id);
		if (db_exec(m->db, "UPDATE outbox SET sent = clock_timestamp(),"
		    " attempts = attempts + 1, last_error = NULL"
		    " WHERE id = $1", 1, p) == -1)
			goto done;
		break;
	case MAIL_FAILED:
		log_warn("outbox %s: failed: %s", id, p[1]);
		if (db_exec(m->db, "UPDATE outbox SET failed = clock_timestamp(),"
		    " attempts = attempts + 1, last_error = $2"
		    " WHERE id = $1", 2, p) == -1)
			goto done;
		break;
	case MAIL_RETRY:
		snprintf(delay, sizeof(delay), "%.3f",
		    mail_backoff(m->cfg, attempts));
		p[2] = delay;
		log_warn("outbox %s: will retry in %ss: %s", id, delay, why);
		if (db_exec(m->db, "UPDATE outbox SET attempts = attempts + 1,"
		    " last_error = $2, next_attempt = clock_timestamp() +"
		    " $3::float8 * interval '1 second' WHERE id = $1", 3, p) ==
		    -1)
			goto done;
		break;
	}
	if (db_commit(m->db) == -1) {
		/* Accepted but not recorded: it will be offered again. */
		log_err("outbox %s: outcome not recorded", id);
		goto done;
	}
	rc = 1;
done:
	PQclear(res);
	if (rc == -1)
		db_rollback(m->db);
	free(note);
	free(to);
	free(subject);
	free(body);
	return rc;
}

/* Milliseconds until the first waiting message is due; NULL: none waits. */
static const char due_query[] =
    "SELECT ceil(1000 * extract(epoch FROM min(next_attempt) -"
    " clock_timestamp()))::bigint FROM outbox"
    " WHERE sent IS NULL AND failed IS NULL";

enum { DUE_MS };

/* Milliseconds until the next message is due, MAIL_POLL_MS at most. */
static long
mail_next_due(struct mailer *m)
{
	PGresult *res;
	long ms = MAIL_POLL_MS;

	res = db_query(m->db, PGRES_TUPLES_OK, due_query, 0, NULL);
	if (res == NULL)
		return -1;
	if (!PQgetisnull(res, 0, DUE_MS))
		ms = strtol(PQgetvalue(res, 0, DUE_MS), NULL, 10);
	PQclear(res);
	if (ms > MAIL_POLL_MS)
		ms = MAIL_POLL_MS;
	/* Due but not claimable: another sender holds it. */
	if (ms < MAIL_MIN_WAIT_MS)
		ms = MAIL_MIN_WAIT_MS;
	return ms;
}

static void
mail_disconnect(struct mailer *m, struct worker *w)
{
	db_release(worker_pool(w), m->db);
	m->db = NULL;
}

static int
mail_connect(struct mailer *m, struct worker *w)
{
	if ((m->db = db_acquire(worker_pool(w))) == NULL)
		return -1;
	if (db_exec(m->db, "LISTEN acorn_outbox", 0, NULL) == -1) {
		mail_disconnect(m, w);
		return -1;
	}
	return 0;
}

/*
 * Takes the notifications that arrived.  1 when there were any (look
 * again at once), 0 when none, -1 when the connection is gone.
 */
static int
mail_drain(struct mailer *m)
{
	PGconn *c = db_conn(m->db);
	PGnotify *n;
	int got = 0;

	if (PQconsumeInput(c) == 0)
		return -1;
	while ((n = PQnotifies(c)) != NULL) {
		PQfreemem(n);
		got = 1;
	}
	return got;
}

/*
 * The sender's thread: sends what is due, then sleeps until the next
 * message is due, the database has news, or a stop is asked for.
 */
static void
mail_run(struct worker *w, void *arg)
{
	struct mailer *m = arg;
	long ms = MAIL_POLL_MS;
	int rc = 0;

	while (!worker_stopping(w)) {
		if (m->db == NULL && mail_connect(m, w) == -1) {
			worker_sleep(w, NULL, MAIL_ERROR_WAIT_MS);
			continue;
		}
		while (!worker_stopping(w) && (rc = mail_send_one(m)) == 1)
			continue;
		if (worker_stopping(w))
			break;
		if (rc == -1 || (rc = mail_drain(m)) == -1 ||
		    (rc == 0 && (ms = mail_next_due(m)) == -1)) {
			if (PQstatus(db_conn(m->db)) != CONNECTION_OK)
				mail_disconnect(m, w);
			worker_sleep(w, m->db, MAIL_ERROR_WAIT_MS);
			continue;
		}
		if (rc == 1)
			continue;	/* mail was queued meanwhile */
		worker_sleep(w, m->db, ms);
	}
	mail_disconnect(m, w);
}

/* The server part of smtp_url, without any user name or password. */
static const char *
mail_server_name(const char *url, char *out, size_t len)
{
	const char *p = strstr(url, "://"), *at;
	size_t n;

	p = p != NULL ? p + 3 : url;
	n = strcspn(p, "/?#");
	if ((at = memchr(p, '@', n)) != NULL) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	snprintf(out, len, "%.*s", (int)n, p);
	return out;
}

/* Starts the sender; NULL when it could not be set up. */
struct mailer *
mail_start(const struct config *c)
{
	struct mailer *m;
	const char *at;
	char host[256];

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->cfg = c;
	at = strrchr(c->mail_from, '@');
	snprintf(m->domain, sizeof(m->domain), "%s", at != NULL ? at + 1 :
	    "localhost");
	if ((m->curl = curl_easy_init()) == NULL ||
	    (m->worker = worker_start(c->database, mail_run, m)) == NULL) {
		curl_easy_cleanup(m->curl);
		free(m);
		return NULL;
	}
	log_info("sending mail through %s", mail_server_name(c->smtp_url,
	    host, sizeof(host)));
	return m;
}

/* Lets the message in hand finish, then stops the sender. */
void
mail_stop(struct mailer *m)
{
	if (m == NULL)
		return;
	worker_stop(m->worker);
	curl_easy_cleanup(m->curl);
	free(m);
}

/*
 * Links in mail that are as good as a password: whoever holds one acts
 * as the person it was sent to.  What follows each prefix, up to the
 * first character a secret is not made of, is the secret, so a new kind
 * of link with a token needs only a row here.
 */
static const char *const mail_secret_prefixes[] = {
	"/registrations/guest/",	/* a guest's key, in the path */
	"/feedback/",			/* a feedback link, once only */
	"/services/check/",		/* "still correct", in one click */
	/* An account's links (confirm, reset, new address): a query value. */
	"?token=",
	"&token=",
	NULL
};

/* What a hidden secret reads as. */
#define MAIL_MASKED	"\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"	/* ••• */

/* Characters a token, key or id in a path segment is made of. */
static int
mail_secret_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~' || c == '%';
}

/*
 * The text of a message as people other than its recipient may read it
 * (the outbox page): every secret link keeps its path but not its
 * secret, "/registrations/guest/•••".  Malloc'd; NULL when memory ran
 * out.
 */
char *
mail_masked(const char *text)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	const char *p = text, *s;
	size_t i, n;

	while (*p != '\0') {
		for (i = 0; mail_secret_prefixes[i] != NULL; i++) {
			n = strlen(mail_secret_prefixes[i]);
			if (strncmp(p, mail_secret_prefixes[i], n) == 0)
				break;
		}
		if (mail_secret_prefixes[i] == NULL) {
			strbuf_add(&b, p++, 1);
			continue;
		}
		strbuf_add(&b, p, n);
		for (s = p += n; mail_secret_char((unsigned char)*p); p++)
			;
		if (p > s)
			strbuf_str(&b, MAIL_MASKED);
	}
	return strbuf_take(&b);
}
