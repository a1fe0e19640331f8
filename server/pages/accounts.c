/*
 * Accounts: joining and confirming the address joined with, signing in
 * and out, and erasing; the mailed links every change of identity uses,
 * and the one password check (with its delays) behind every form that
 * asks for a password.  An account is private to this node; the member
 * profile it owns is a shared record.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "web.h"
#include "pages.h"

/* What a join stores, by field. */
enum { JF_NAME, JF_EMAIL, JF_PASSWORD, JF_ORGANISATION, JF_GROUP, JF_REGION,
    JF_HASH, JF_STATUS, JF__MAX };

/*
 * An erased member's registrations, in the caller's transaction: here,
 * each is cancelled (whoever it frees a place for is promoted and told)
 * and its details go; at other nodes' events, each request becomes a
 * cancellation that also asks the host to remove the details, sent by
 * the courier, and the copy here keeps nothing personal.
 */
static int
registrations_erase(struct db *db, const char *member)
{
	const char *p[2] = { member, cfg->public_url };

	if (db_call(db, "SELECT acorn_cancel_told(r.id, NULL, $2)"
	    " FROM registrations r JOIN accounts a ON a.id = r.account"
	    " WHERE a.member = $1", 2, p) == -1 ||
	    db_exec(db, "WITH mine AS (SELECT r.id FROM registrations r"
	    " JOIN accounts a ON a.id = r.account WHERE a.member = $1),"
	    " gone AS (DELETE FROM answers WHERE registration IN"
	    "  (SELECT id FROM mine)),"
	    /* Feedback they gave under their name stays, with none. */
	    " unnamed AS (UPDATE feedback_responses SET registration = NULL"
	    "  WHERE registration IN (SELECT id FROM mine))"
	    " UPDATE registrations SET name = 'Erased member',"
	    " email = 'erased-' || ref, organisation = NULL, public = false,"
	    " account = NULL WHERE id IN (SELECT id FROM mine)", 1, p) == -1)
		return -1;
	return db_exec(db, "UPDATE away_registrations w SET"
	    " wanted = 'cancelled', erased = true,"
	    " version = w.version + CASE WHEN w.wanted = 'cancelled' AND"
	    "  w.erased THEN 0 ELSE 1 END,"
	    " name = 'Erased member', email = 'erased-' || w.id,"
	    " organisation = NULL, answers = '[]', account = NULL,"
	    " entry = NULL, signed = 0,"
	    " attempts = 0, next_attempt = now(), changed = now()"
	    " FROM accounts a WHERE a.id = w.account AND a.member = $1", 1,
	    p) == -1 ? -1 : 0;
}

/*
 * Deletes an account and every piece of personal data in its profile at
 * once, leaving the tombstone (id, origin, a higher version, the time) that
 * tells peers to delete their copies; recorded as action by actor.  In
 * the caller's transaction, which it commits: -1, rolled back, when
 * anything failed.
 */
int
member_erase(struct db *db, const char *member, long actor,
    const char *action)
{
	const char *p[2] = { member, node_id };

	if (registrations_erase(db, member) == -1 ||
	    db_exec(db, "DELETE FROM accounts WHERE member = $1", 1, p) == -1)
		goto fail;
	if (db_exec(db, "UPDATE members SET name = NULL, organisation = NULL,"
	    " role_title = NULL, stakeholder = NULL, region = NULL,"
	    " interests = NULL, bio = NULL, listed = false, entry = NULL,"
	    " deleted = true, updated = now()"
	    " WHERE id = $1 AND origin = $2 AND NOT deleted", 2, p) == -1)
		goto fail;
	return audit_commit(db, actor, action, member);
fail:
	db_rollback(db);
	return -1;
}

/*
 * Queues a mail to one person, in the caller's transaction if there is
 * one.  It is about the account account: /admin/mail shows it only to
 * those who look after that account's member.  Subjects are fixed text;
 * the body, plain text, is formatted from fmt.
 */
int
account_mail(struct db *db, long account, const char *to,
    const char *subject, const char *fmt, ...)
{
	const char *p[4] = { to, subject, NULL, NULL };
	char ids[32], *body;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&body, fmt, ap);
	va_end(ap);
	if (rc == -1) {
		log_err("out of memory");
		return -1;
	}
	snprintf(ids, sizeof(ids), "%ld", account);
	p[2] = body;
	p[3] = ids;
	rc = db_exec(db, "INSERT INTO outbox (recipient, subject, body, member)"
	    " SELECT $1, $2, $3, (SELECT member FROM accounts WHERE id = $4)",
	    4, p);
	free(body);
	return rc;
}

/*
 * Every link mailed for account id to change its address or password
 * stops working, in the caller's transaction: once the password has
 * changed or every session has ended, a link asked for by whoever held
 * the account before must not hand it back to them.
 */
int
account_links_revoke(struct db *db, long id)
{
	char ids[32];
	const char *p[1] = { ids };

	snprintf(ids, sizeof(ids), "%ld", id);
	return db_exec(db, "DELETE FROM account_tokens WHERE account = $1"
	    " AND purpose IN ('email', 'reset')", 1, p);
}

/*
 * A new link l for account id, sent to email, in the caller's
 * transaction (malloc'd; NULL on failure).  Older links of its purpose
 * stop working; the link holds the token's only copy (the database
 * keeps its SHA-256).
 */
char *
account_link_new(struct db *db, long id, const struct mailed_link *l,
    const char *email)
{
	char tok[ACORN_TOKEN_LEN + 1], hex[65], ids[32], *link = NULL;
	const char *p[5];

	if (util_token(tok) == -1)
		return NULL;
	session_token_hash(tok, hex);
	snprintf(ids, sizeof(ids), "%ld", id);
	p[0] = hex;
	p[1] = ids;
	p[2] = l->purpose;
	p[3] = email;
	p[4] = l->life;
	if (db_call(db, "SELECT acorn_token_issue(decode($1, 'hex'), $2,"
	    " $3, $4, $5::interval)", 5, p) == 0)
		link = util_printf("%s%s?token=%s", cfg->public_url, l->path,
		    tok);
	OPENSSL_cleanse(tok, sizeof(tok));
	return link;
}

/* Too many attempts from this connection: when the next one is allowed. */
static int
account_slow_down(struct request *r, struct view *v, const char *field,
    const char *tmpl, long wait)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "Too many attempts from your connection. "
	    "Wait %ld second%s, then try again", wait, wait == 1 ? "" : "s");
	view_error(v, field, msg);
	response_retry_after(r, wait);
	return http_page(r, 429, tmpl, v);
}

/*
 * Takes this connection's slot for an attempt of kind t (by who, or
 * NULL), counted before the attempt is made; a sign-in also takes one of
 * its connection's count of every sign-in.  0 when it may go on;
 * otherwise 1, and the request has been answered (*rc): the wait,
 * beside field of tmpl's form v, or 503.
 */
int
account_throttled(struct request *r, struct view *v, enum throttle t,
    const char *who, const char *field, const char *tmpl, int *rc)
{
	long wait;

	wait = t == THROTTLE_SIGNIN ? throttle_signin_take(r->db, who,
	    r->addr) : throttle_take(r->db, t, who, r->addr);
	if (wait == -1) {
		view_free(v);
		*rc = http_error(r, 503);
		return 1;
	}
	if (wait == 0)
		return 0;
	*rc = account_slow_down(r, v, field, tmpl, wait);
	return 1;
}

/*
 * /join/resend and /signin/forgot: the form on a GET; on a POST, the
 * address typed, and when an account of q's kind has it, q's mail to
 * it, in one transaction; then the same reply for every address.  A
 * connection that asks for too many mails waits.
 */
int
account_link_request(struct request *r, const struct link_request *q)
{
	struct view *v;
	const char *email, *p[1];
	PGresult *res;
	int rc = 0;

	if (session_form(r) == -1 || (v = page_view(r, q->title)) == NULL)
		return http_error(r, 500);
	if (r->method != METHOD_POST)
		return http_page(r, 200, q->tmpl, v);
	if ((email = view_field(v, r, KEY_EMAIL,
	    "Enter your email address")) == NULL)
		return http_page(r, 422, q->tmpl, v);
	if (account_throttled(r, v, THROTTLE_MAIL, NULL, "email", q->tmpl,
	    &rc))
		return rc;
	view_free(v);
	p[0] = email;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK, q->which, 1, p);
	if (res == NULL) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	if (PQntuples(res) == 1)
		rc = q->mail(r->db, strtol(PQgetvalue(res, 0, LR_ID), NULL,
		    10), PQgetvalue(res, 0, LR_NAME), PQgetvalue(res, 0,
		    LR_EMAIL));
	PQclear(res);
	if (rc == -1 || db_commit(r->db) == -1) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	return q->sent(r, email);
}

/* Every Argon2id slot was busy: try again in a moment. */
int
account_busy(struct request *r)
{
	return page_message(r, 503, "The service is busy", "Too many people "
	    "are signing in or joining at this moment. Wait a few seconds, "
	    "then try again.", NULL, NULL, 0);
}

/* The link mailed on joining. */
static const struct mailed_link confirm_link = {
	.purpose = "confirm",
	.path = "/join/confirm",
	.life = "24 hours",
	.title = "Confirm your email address",
	.tmpl = "confirm",
	.again = "/join/resend",
	.again_text = "Send a new link",
};

/*
 * The mail that asks someone to confirm the address they joined with.
 * The link opens a page that asks for the password chosen when joining,
 * so a link mailed after someone else joined with this address confirms
 * nothing for them.
 */
static int
join_mail(struct db *db, long id, const char *name, const char *email)
{
	char *link;
	int rc;

	if ((rc = throttle_mail_to(db, email)) != 1)
		return rc;
	if ((link = account_link_new(db, id, &confirm_link, email)) == NULL)
		return -1;
	rc = account_mail(db, id, email, "Confirm your email address",
	    "Dear %s,\n\nSomeone, we hope you, asked to join %s with this "
	    "email address. To confirm that it is yours, follow this link "
	    "within %s and enter the password you chose:\n\n%s\n\nIf it was "
	    "not you, ignore this email: nothing happens until the link is "
	    "followed.\n", name, cfg->node_name, confirm_link.life, link);
	free(link);
	return rc;
}

/*
 * Tells the owner of an address that has an account (id) that someone
 * tried.
 */
static int
join_taken_mail(struct db *db, long id, const char *email)
{
	int rc;

	if ((rc = throttle_mail_to(db, email)) != 1)
		return rc;
	return account_mail(db, id, email, "Someone tried to join with your "
	    "address", "Hello,\n\nSomeone asked to join %s with this email "
	    "address, which already has an account here, so nothing has "
	    "changed.\n\nIf it was you, sign in at %s/signin, or if you have "
	    "forgotten your password, reset it at %s/signin/forgot.\n\nIf it "
	    "was not you, you can ignore this email.\n", cfg->node_name,
	    cfg->public_url, cfg->public_url);
}

/* The columns of join_store's look-up. */
enum { JL_ID, JL_CONFIRMED, JL_MEMBER };

/*
 * Stores a join in the caller's transaction and queues its mail.  An
 * address with a confirmed account is left alone and its owner told; one
 * whose account was never confirmed proves nothing about whoever joined
 * first, so the newest join's details replace it.  The reply is the same
 * in every case: it never says whether an address has an account.
 */
static int
join_store(struct db *db, const char *const f[8])
{
	const char *p[9];
	char uuid[ACORN_UUID_LEN + 1];
	PGresult *res;
	long id;
	int confirmed;

	res = db_query(db, PGRES_TUPLES_OK, "SELECT id, confirmed IS NOT NULL,"
	    " member FROM accounts WHERE lower(email) = lower($1) FOR UPDATE",
	    1, &f[JF_EMAIL]);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1) {
		id = strtol(PQgetvalue(res, 0, JL_ID), NULL, 10);
		confirmed = strcmp(PQgetvalue(res, 0, JL_CONFIRMED), "t") == 0;
		snprintf(uuid, sizeof(uuid), "%s",
		    PQgetvalue(res, 0, JL_MEMBER));
		PQclear(res);
		if (confirmed)
			return join_taken_mail(db, id, f[JF_EMAIL]);
		p[0] = uuid;
		p[1] = f[JF_NAME];
		p[2] = f[JF_ORGANISATION];
		p[3] = f[JF_GROUP];
		p[4] = f[JF_REGION];
		p[5] = f[JF_HASH];
		p[6] = f[JF_STATUS];
		if (db_exec(db, "WITH m AS (UPDATE members SET name = $2,"
		    " organisation = $3, stakeholder = $4, region = $5,"
		    " updated = now() WHERE id = $1)"
		    " UPDATE accounts SET password_hash = $6, status = $7,"
		    " created = now() WHERE member = $1 AND confirmed IS NULL",
		    7, p) == -1)
			return -1;
		return join_mail(db, id, f[JF_NAME], f[JF_EMAIL]);
	}
	PQclear(res);
	if (util_uuid(uuid) == -1)
		return -1;
	p[0] = uuid;
	p[1] = node_id;
	p[2] = f[JF_NAME];
	p[3] = f[JF_ORGANISATION];
	p[4] = f[JF_GROUP];
	p[5] = f[JF_REGION];
	p[6] = f[JF_EMAIL];
	p[7] = f[JF_HASH];
	p[8] = f[JF_STATUS];
	res = db_query(db, PGRES_TUPLES_OK,
	    "WITH m AS (INSERT INTO members (id, origin, name, organisation,"
	    " stakeholder, region) VALUES ($1, $2, $3, $4, $5, $6)"
	    " RETURNING id)"
	    " INSERT INTO accounts (member, email, password_hash, status,"
	    " confirmed) SELECT id, $7, $8, $9, NULL FROM m RETURNING id", 9, p);
	if (res == NULL)
		return -1;
	id = strtol(PQgetvalue(res, 0, DB_ONLY), NULL, 10);
	PQclear(res);
	if (audit(db, id, "join", uuid) == -1)
		return -1;
	return join_mail(db, id, f[JF_NAME], f[JF_EMAIL]);
}

/* "We have sent an email to …", whatever the address. */
static int
join_sent(struct request *r, const char *email)
{
	return page_message_take(r, 200, "Check your email",
	    util_printf("We have sent an email to %s. Follow the link in it "
	    "within %s to confirm that the address is yours; you can sign in "
	    "once it is confirmed%s.", email, confirm_link.life,
	    cfg->open_joining ? "" : " and a coordinator has approved your "
	    "membership"), "/join/resend", "No email? Send the link again", 1);
}

int
accounts_join(struct request *r)
{
	struct view *v;
	const char *f[JF__MAX], *pw2;
	char *hash = NULL;
	int rc;

	if (session_form(r) == -1 ||
	    (v = page_view(r, "Join the network")) == NULL)
		return http_error(r, 500);
	view_choices(v);
	view_flag(v, "open_joining", cfg->open_joining);
	if (r->method != METHOD_POST) {
		view_set(v, "v_region", cfg->region);
		return http_page(r, 200, "join", v);
	}
	f[JF_NAME] = view_field(v, r, KEY_NAME, "Enter your full name");
	f[JF_EMAIL] = view_field(v, r, KEY_EMAIL, "Enter your email address");
	f[JF_PASSWORD] = view_field(v, r, KEY_PASSWORD, "Create a password");
	if (f[JF_PASSWORD] != NULL && strlen(f[JF_PASSWORD]) < PASSWORD_MIN)
		view_error(v, "password",
		    "Your password must be at least 10 characters");
	pw2 = view_field(v, r, KEY_PASSWORD2, NULL);
	if (f[JF_PASSWORD] != NULL &&
	    (pw2 == NULL || strcmp(f[JF_PASSWORD], pw2) != 0))
		view_error(v, "password2", "The passwords do not match");
	f[JF_ORGANISATION] = view_field(v, r, KEY_ORGANISATION, NULL);
	f[JF_GROUP] = view_field(v, r, KEY_GROUP,
	    "Select your role in social prescribing");
	f[JF_REGION] = view_field(v, r, KEY_REGION, "Select your region");
	if (view_has(v, "errors"))
		return http_page(r, 422, "join", v);
	if (account_throttled(r, v, THROTTLE_JOIN, NULL, "email", "join", &rc))
		return rc;

	/* Hashed whether or not the address is new: both take as long. */
	if ((hash = password_hash(f[JF_PASSWORD], cfg->argon2_t,
	    cfg->argon2_m)) == NULL) {
		view_free(v);
		return errno == EBUSY ? account_busy(r) : http_error(r, 500);
	}
	f[JF_HASH] = hash;
	f[JF_STATUS] = cfg->open_joining ? "active" : "pending";
	if (db_begin(r->db) == -1) {
		free(hash);
		view_free(v);
		return http_error(r, 503);
	}
	rc = join_store(r->db, f);
	free(hash);
	if (rc == -1) {
		db_rollback(r->db);
		/* Two joins with one new address at once: one of them won. */
		if (!db_duplicate(r->db)) {
			view_free(v);
			return http_error(r, 503);
		}
	} else if (db_commit(r->db) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	view_free(v);
	return join_sent(r, f[JF_EMAIL]);
}

/* The columns of acorn_token_peek. */
enum { TP_ACCOUNT, TP_PURPOSE, TP_EMAIL };

/*
 * What a mailed link is for, if it is live: its row of acorn_token_peek
 * in *res (the caller clears it), 0 when dead, -1 when the database
 * failed.
 */
static int
account_token_peek(struct db *db, const char *tok, const char *purpose,
    PGresult **res)
{
	char hex[65];
	const char *p[2];

	*res = NULL;
	if (tok == NULL)
		return 0;
	session_token_hash(tok, hex);
	p[0] = hex;
	p[1] = purpose;
	*res = db_query(db, PGRES_TUPLES_OK, "SELECT account, purpose, email"
	    " FROM acorn_token_peek(decode($1, 'hex')) WHERE purpose = $2",
	    2, p);
	if (*res == NULL)
		return -1;
	if (PQntuples(*res) != 1) {
		PQclear(*res);
		*res = NULL;
		return 0;
	}
	return 1;
}

/* A link that was used, replaced by a newer one, or left too long. */
static int
account_link_dead(struct request *r, const struct mailed_link *l)
{
	return page_message(r, 410, "This link no longer works", "The link "
	    "has already been used, a newer one has been sent, or it is "
	    "too old.", l->again, l->again_text, 0);
}

/*
 * The first half of every page a mailed link opens.  A dead link is told
 * so, with the way to a new one; a live one gets a view titled for the
 * link, holding the token and the address it was sent to ("email"), and
 * a GET is answered with the link's form, so that mail scanners which
 * open links change nothing.  Returns the view for a POST to go on with;
 * or NULL, when *rc is the reply.
 */
struct view *
account_link_open(struct request *r, const struct mailed_link *l, int *rc)
{
	struct view *v;
	const char *tok = r->form.f[KEY_TOKEN].text;
	PGresult *res;
	int live;

	if (session_form(r) == -1) {
		*rc = http_error(r, 500);
		return NULL;
	}
	if ((live = account_token_peek(r->db, tok, l->purpose, &res)) != 1) {
		*rc = live == -1 ? http_error(r, 503) :
		    account_link_dead(r, l);
		return NULL;
	}
	if ((v = page_view(r, l->title)) != NULL) {
		view_set(v, "v_token", tok);
		view_set(v, "email", PQgetvalue(res, 0, TP_EMAIL));
	}
	PQclear(res);
	if (v == NULL) {
		*rc = http_error(r, 500);
		return NULL;
	}
	if (r->method != METHOD_POST) {
		*rc = http_page(r, 200, l->tmpl, v);
		return NULL;
	}
	return v;
}

/*
 * The second half: uses the link up, in a transaction begun here, by
 * sql, whose $1 is the token's hash and $2 arg (or nothing, when arg is
 * NULL).  Returns its one row, the transaction still open for the
 * caller to finish; or NULL, rolled back, when *rc is the reply: the
 * link was used a moment ago, the address is taken (l->taken says so,
 * for a link that moves an account), or the database failed.
 */
PGresult *
account_link_take(struct request *r, const struct mailed_link *l,
    const char *sql, const char *arg, int *rc)
{
	const char *p[2];
	char hex[65];
	PGresult *res;

	session_token_hash(r->form.f[KEY_TOKEN].text, hex);
	p[0] = hex;
	p[1] = arg;
	if (db_begin(r->db) == -1) {
		*rc = http_error(r, 503);
		return NULL;
	}
	if ((res = db_query(r->db, PGRES_TUPLES_OK, sql, arg != NULL ? 2 : 1,
	    p)) == NULL) {
		db_rollback(r->db);
		*rc = l->taken != NULL && db_duplicate(r->db) ?
		    page_message(r, 409, "This address already has an account",
		    l->taken, l->again, l->again_text, 0) :
		    http_error(r, 503);
		return NULL;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		db_rollback(r->db);
		*rc = account_link_dead(r, l);
		return NULL;
	}
	return res;
}

/* The columns of account_password's look-up. */
enum { PW_ID, PW_HASH, PW_STATUS, PW_CONFIRMED, PW_REGION };

/*
 * Whether pw is the password of the account whose address is email: the
 * one check behind signing in, confirming a join and asking again before
 * a change of identity.  Guesses are slowed down per (address typed,
 * connection) and per connection, never for anyone else, so nobody can
 * lock a member out, and a wrong one is counted.  1 when right, with the
 * account's row (PW_*) in *row when row is not NULL (the caller clears
 * it); 0 when wrong or there is no such account; -1 when the request
 * has been answered (*rc): a wait, beside field of tmpl's form v, "busy"
 * or a failure.
 */
static int
account_password(struct request *r, struct view *v, const char *tmpl,
    const char *field, const char *email, const char *pw, PGresult **row,
    int *rc)
{
	const char *p[1] = { email };
	PGresult *res;
	int ok, busy = 0;

	if (account_throttled(r, v, THROTTLE_SIGNIN, email, field, tmpl, rc))
		return -1;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT a.id, a.password_hash,"
	    " a.status, a.confirmed IS NOT NULL, m.region FROM accounts a"
	    " JOIN members m ON m.id = a.member"
	    " WHERE lower(a.email) = lower($1)", 1, p);
	if (res == NULL) {
		view_free(v);
		*rc = http_error(r, 503);
		return -1;
	}
	/* A missing account takes as long as a wrong password. */
	ok = 0;
	if (PQntuples(res) == 1)
		ok = password_verify(db_value(res, 0, PW_HASH), pw, &busy);
	else
		busy = password_dummy() == -1;
	if (busy) {
		PQclear(res);
		throttle_signin_give(r->db, email, r->addr);
		view_free(v);
		*rc = account_busy(r);
		return -1;
	}
	if (!ok) {
		PQclear(res);
		throttle_signin_failed(r->db, email, r->addr);
		return 0;
	}
	throttle_signin_ok(r->db, email, r->addr);
	if (row != NULL)
		*row = res;
	else
		PQclear(res);
	return 1;
}

/* The columns of the confirming. */
enum { CJ_ACCOUNT, CJ_STATUS };

/*
 * /join/confirm?token=…: the link mailed on joining.  The POST, with the
 * password chosen when joining, confirms the address.  With open joining
 * the person is then signed in.
 */
int
accounts_confirm(struct request *r)
{
	struct view *v;
	const char *pw;
	char email[256];
	PGresult *res;
	long id;
	int ok, rc, active;

	if ((v = account_link_open(r, &confirm_link, &rc)) == NULL)
		return rc;
	snprintf(email, sizeof(email), "%s", view_get(v, "email"));
	if ((pw = view_field(v, r, KEY_PASSWORD, "Enter your password")) ==
	    NULL)
		return http_page(r, 422, "confirm", v);
	if ((ok = account_password(r, v, "confirm", "password", email, pw,
	    NULL, &rc)) == -1)
		return rc;
	if (!ok) {
		view_error(v, "password", "The password is not the one chosen "
		    "when joining. If you joined more than once, use the link "
		    "in the newest email");
		return http_page(r, 422, "confirm", v);
	}
	view_free(v);
	if ((res = account_link_take(r, &confirm_link, "SELECT account, status"
	    " FROM acorn_confirm_join(decode($1, 'hex'))", NULL, &rc)) == NULL)
		return rc;
	id = strtol(PQgetvalue(res, 0, CJ_ACCOUNT), NULL, 10);
	active = strcmp(PQgetvalue(res, 0, CJ_STATUS), "active") == 0;
	PQclear(res);
	if (audit_commit(r->db, id, "confirm", NULL) == -1)
		return http_error(r, 503);
	if (active) {
		session_destroy(r);
		if (session_create(r, id) == -1)
			return http_error(r, 500);
		return http_redirect(r, "/profile");
	}
	return page_message(r, 200, "Thank you for joining", "Your email "
	    "address is confirmed. A coordinator for this region will look "
	    "at your request, usually within two working days. Once it is "
	    "approved you can sign in with your email address and password.",
	    NULL, NULL, 1);
}

/* /join/resend: a new link for an address whose account is unconfirmed. */
static const struct link_request resend_request = {
	.title = "Send the link again",
	.tmpl = "resend",
	.which = "SELECT a.id, m.name, a.email"
	    " FROM accounts a JOIN members m ON m.id = a.member"
	    " WHERE lower(a.email) = lower($1) AND a.confirmed IS NULL"
	    " FOR UPDATE OF a",
	.mail = join_mail,
	.sent = join_sent,
};

int
accounts_resend(struct request *r)
{
	return account_link_request(r, &resend_request);
}

/*
 * The page for someone who gave the right password but cannot sign in
 * yet, which takes v: an address not confirmed (with the link sent
 * again on asking, when the node sends mail), or an account waiting for
 * a coordinator of region.  A page of its own, not an error on the
 * email field: nothing typed was wrong.
 */
static int
signin_not_yet(struct request *r, struct view *v, const char *email,
    const char *region, int confirmed)
{
	int mail_on = cfg->smtp_url[0] != '\0';

	view_set(v, "v_email", email);
	view_set(v, "region", region);
	view_flag(v, "mail_on", mail_on);
	if (!confirmed) {
		view_set(v, "title", "Confirm your email address");
		view_flag(v, "unconfirmed", 1);
	} else
		view_set(v, "title", "Your account is waiting for approval");
	return http_page(r, 403, "signin_wait", v);
}

int
accounts_signin(struct request *r)
{
	struct view *v;
	const char *email, *pw, *next;
	PGresult *res;
	long id;
	int ok, rc, pending, confirmed;

	if (session_form(r) == -1 || (v = page_view(r, "Sign in")) == NULL)
		return http_error(r, 500);
	next = r->form.f[KEY_NEXT].text;
	view_set(v, "v_next", next != NULL ? next : "/");
	if (r->method != METHOD_POST)
		return http_page(r, 200, "signin", v);
	email = view_field(v, r, KEY_EMAIL, "Enter your email address");
	pw = view_field(v, r, KEY_PASSWORD, "Enter your password");
	if (view_has(v, "errors"))
		return http_page(r, 422, "signin", v);
	if ((ok = account_password(r, v, "signin", "email", email, pw, &res,
	    &rc)) == -1)
		return rc;
	if (!ok) {
		view_error(v, "email", "The email address or password is not "
		    "right. Check them and try again");
		return http_page(r, 401, "signin", v);
	}
	id = strtol(PQgetvalue(res, 0, PW_ID), NULL, 10);
	pending = strcmp(PQgetvalue(res, 0, PW_STATUS), "pending") == 0;
	confirmed = strcmp(PQgetvalue(res, 0, PW_CONFIRMED), "t") == 0;
	/* Only after the right password: nobody else learns of the account. */
	if (!confirmed || pending) {
		rc = signin_not_yet(r, v, email, PQgetvalue(res, 0, PW_REGION),
		    confirmed);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	view_free(v);
	/* A new token on every sign-in: a planted cookie buys nothing. */
	session_destroy(r);
	if (session_create(r, id) == -1)
		return http_error(r, 500);
	return http_redirect(r, next != NULL ? next : "/");
}

int
accounts_signout(struct request *r)
{
	session_destroy(r);
	return http_redirect(r, "/");
}

/*
 * This browser is signed out, in the caller's transaction if there is
 * one: its session's row and cookie go (the row may be gone already),
 * and the rest of the request is answered as for someone not signed in.
 */
void
account_sign_out(struct request *r)
{
	session_destroy(r);
	r->session[0] = '\0';
	account_free(r->account);
	r->account = NULL;
}

/*
 * Asks the signed-in person for their password again before a change to
 * who they are (field k of tmpl's form).  1 when it is right; otherwise
 * the request has been answered (*rc is the handler's return) with the
 * form and its error, a wait, or "busy".  Wrong guesses are slowed down
 * as sign-ins are, so a session left open does not let anyone try
 * passwords at speed.
 */
int
account_reauth(struct request *r, struct view *v, const char *tmpl,
    enum key k, int *rc)
{
	const char *pw;
	int ok;

	if ((pw = view_field(v, r, k, "Enter your password")) == NULL) {
		*rc = http_page(r, 422, tmpl, v);
		return 0;
	}
	if ((ok = account_password(r, v, tmpl, form_key_name(k),
	    r->account->email, pw, NULL, rc)) == -1)
		return 0;
	if (!ok) {
		view_error(v, form_key_name(k),
		    "That is not your current password");
		*rc = http_page(r, 422, tmpl, v);
		return 0;
	}
	return 1;
}

int
accounts_erase(struct request *r)
{
	struct view *v;
	int rc;

	if ((v = page_view(r, "Erase your account")) == NULL)
		return http_error(r, 500);
	if (r->method != METHOD_POST)
		return http_page(r, 200, "erase", v);
	if (r->form.f[KEY_CONFIRM].num != 1) {
		view_field(v, r, KEY_PASSWORD, "Enter your password");
		view_error(v, "confirm", "Tick the box to confirm that you "
		    "want your account erased");
		return http_page(r, 422, "erase", v);
	}
	if (!account_reauth(r, v, "erase", KEY_PASSWORD, &rc))
		return rc;
	view_free(v);
	if (db_begin(r->db) == -1 || member_erase(r->db, r->account->member,
	    r->account->id, "erase") == -1)
		return http_error(r, 503);
	account_sign_out(r);
	return page_message(r, 200, "Your account has been erased", "Your "
	    "account and profile have been deleted. Any node that held a copy "
	    "of your profile is being told to delete it.", "/",
	    "Go to the home page", 1);
}

/* The link mailed to a new address. */
static const struct mailed_link email_link = {
	.purpose = "email",
	.path = "/profile/email/confirm",
	.life = "24 hours",
	.title = "Confirm your new email address",
	.tmpl = "email_confirm",
	.again = "/profile/email",
	.again_text = "Change your email address",
	.taken = "Another account has started using this address since the "
	    "link was sent, so your account keeps its old address.",
};

/*
 * /profile/email: moving the account to a new address.  Nothing changes
 * until the link mailed to the new address is followed; an address that
 * already has an account in use gets a note instead, and the reply is
 * the same.  An account whose address was never confirmed proves nothing
 * and stands in nobody's way: it goes when the link is followed.  Each
 * request mails an address the member chose, so it is throttled as the
 * other mails anyone may ask for.
 */
int
accounts_email(struct request *r)
{
	struct view *v;
	const char *email, *p[1];
	char *link = NULL;
	PGresult *res;
	long holder = 0;
	int rc;

	if ((v = page_view(r, "Change your email address")) == NULL)
		return http_error(r, 500);
	view_set(v, "email", r->account->email);
	if (r->method != METHOD_POST)
		return http_page(r, 200, "email_change", v);
	email = view_field(v, r, KEY_EMAIL, "Enter your new email address");
	if (email != NULL && strcasecmp(email, r->account->email) == 0)
		view_error(v, "email", "That is already your email address");
	if (view_has(v, "errors")) {
		view_field(v, r, KEY_CURRENT, "Enter your password");
		return http_page(r, 422, "email_change", v);
	}
	if (account_throttled(r, v, THROTTLE_MAIL, NULL, "email",
	    "email_change", &rc))
		return rc;
	if (!account_reauth(r, v, "email_change", KEY_CURRENT, &rc))
		return rc;
	view_free(v);
	p[0] = email;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT id FROM accounts"
	    " WHERE lower(email) = lower($1) AND confirmed IS NOT NULL", 1, p);
	if (res == NULL) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	if (PQntuples(res) == 1)
		holder = strtol(PQgetvalue(res, 0, DB_ONLY), NULL, 10);
	PQclear(res);
	if (holder != 0)
		rc = account_mail(r->db, holder, email, "Someone tried to use "
		    "your address", "Hello,\n\nSomeone asked to move their "
		    "account at %s to this email address, which already has an "
		    "account there, so nothing has changed.\n\nIf you have "
		    "forgotten your password, reset it at %s/signin/forgot.\n",
		    cfg->node_name, cfg->public_url);
	else if ((link = account_link_new(r->db, r->account->id, &email_link,
	    email)) != NULL)
		rc = account_mail(r->db, r->account->id, email, "Confirm your "
		    "new email address", "Dear %s,\n\nYou asked to use this "
		    "address for your account at %s. Follow this link within "
		    "%s to confirm it:\n\n%s\n\nUntil then your account keeps "
		    "its old address. If it was not you, ignore this email.\n",
		    r->account->name, cfg->node_name, email_link.life, link);
	else
		rc = -1;
	free(link);
	if (rc == -1 || db_commit(r->db) == -1) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	return page_message_take(r, 200, "Check your email",
	    util_printf("We have sent an email to %s. Your address changes "
	    "when you follow the link in it, within %s.", email,
	    email_link.life), "/profile", "Back to your profile", 1);
}

/* The columns of acorn_confirm_email. */
enum { CE_ACCOUNT, CE_OLD, CE_NEW };

/*
 * /profile/email/confirm?token=…: the link mailed to a new address.  The
 * POST moves the account and tells the old address.  No sign-in is
 * needed: the link proves the new address, and the change was asked for
 * with the password.
 */
int
accounts_email_confirm(struct request *r)
{
	struct view *v;
	char *old = NULL, *to = NULL;
	PGresult *res;
	long id;
	int rc;

	if ((v = account_link_open(r, &email_link, &rc)) == NULL)
		return rc;
	view_free(v);
	if ((res = account_link_take(r, &email_link, "SELECT account,"
	    " old_email, new_email FROM acorn_confirm_email(decode($1, 'hex'))",
	    NULL, &rc)) == NULL)
		return rc;
	id = strtol(PQgetvalue(res, 0, CE_ACCOUNT), NULL, 10);
	old = util_strdup(PQgetvalue(res, 0, CE_OLD));
	to = util_strdup(PQgetvalue(res, 0, CE_NEW));
	PQclear(res);
	rc = old != NULL && to != NULL && account_mail(r->db, id, old, "Your "
	    "email address has been changed", "Hello,\n\nThe email address "
	    "of your account at %s has been changed from this address to %s. "
	    "From now on, mail about the account goes there.\n\nIf you did "
	    "not ask for this, contact a coordinator of the node at once.\n",
	    cfg->node_name, to) == 0 &&
	    audit_commit(r->db, id, "email", NULL) == 0 ? 0 : -1;
	free(old);
	free(to);
	if (rc == -1) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	return page_message(r, 200, "Your email address has been changed",
	    "From now on, sign in with your new address. We have told your "
	    "old address about the change.", r->account != NULL ? "/profile" :
	    "/signin", r->account != NULL ? "Back to your profile" :
	    "Sign in", 1);
}

/*
 * For `acorn user add`: creates an active account with a generated
 * password (returned in *password), or gives an existing account the
 * role.  An account whose address was never confirmed is not one: it
 * cannot sign in, its password is whoever joined's, and it would be
 * removed in time, so it goes and a new one is made.  Returns 1 when an
 * account was created, 0 when a role was changed.
 */
int
account_add(struct db *db, const char *email, const char *role,
    const char *name, const char *group, const char *region, char **password)
{
	unsigned char raw[15];
	char pw[21], uuid[ACORN_UUID_LEN + 1], *hash = NULL;
	const char *p[8];
	PGresult *res;
	int rc = -1, found;

	*password = NULL;
	p[0] = email;
	p[1] = role;
	if (db_begin(db) == -1)
		return -1;
	if (db_call(db, "SELECT acorn_unconfirmed_forget($1)", 1, p) == -1 ||
	    (res = db_query(db, PGRES_TUPLES_OK, "UPDATE accounts SET"
	    " role = $2, status = 'active' WHERE lower(email) = lower($1)"
	    " RETURNING id", 2, p)) == NULL)
		goto fail;
	found = PQntuples(res) == 1;
	PQclear(res);
	if (found)
		return db_commit(db) == 0 ? 0 : -1;
	if (util_random(raw, sizeof(raw)) == -1 || util_uuid(uuid) == -1)
		goto fail;
	util_base64url(raw, sizeof(raw), pw);
	OPENSSL_cleanse(raw, sizeof(raw));
	if ((hash = password_hash(pw, cfg->argon2_t, cfg->argon2_m)) == NULL)
		goto fail;
	p[0] = uuid;
	p[1] = node_id;
	p[2] = name;
	p[3] = region;
	p[4] = email;
	p[5] = hash;
	p[6] = role;
	p[7] = group;
	if (db_exec(db, "WITH m AS (INSERT INTO members (id, origin, name,"
	    " stakeholder, region) VALUES ($1, $2, $3, $8, $4)"
	    " RETURNING id)"
	    " INSERT INTO accounts (member, email, password_hash, status, role,"
	    " approved) SELECT id, $5, $6, 'active', $7, now() FROM m", 8,
	    p) == -1 || db_commit(db) == -1)
		goto fail;
	if ((*password = util_strdup(pw)) != NULL)
		rc = 1;
	goto done;
fail:
	db_rollback(db);
done:
	free(hash);
	OPENSSL_cleanse(pw, sizeof(pw));
	return rc;
}
