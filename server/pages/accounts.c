/*
 * Accounts: joining and confirming the address joined with, signing in
 * and out, and erasing; and the mailed links every change of identity
 * uses.  An account is private to this node; the member profile it owns
 * is a shared record.
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
	    "  (SELECT id FROM mine))"
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
 * tells peers to delete their copies; recorded as action by actor in the
 * same transaction.
 */
int
member_erase(struct db *db, const char *member, long actor,
    const char *action)
{
	const char *p[2] = { member, node_id };

	if (db_begin(db) == -1)
		return -1;
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

/* How long each kind of mailed link works. */
#define LIFE_CONFIRM	"24 hours"
#define LIFE_RESET	"1 hour"
#define LIFE_EMAIL	"24 hours"

/*
 * Queues a mail to one person, in the caller's transaction if there is
 * one.  Subjects are fixed text; the body, plain text, is formatted from
 * fmt.
 */
int
account_mail(struct db *db, const char *to, const char *subject,
    const char *fmt, ...)
{
	const char *p[3] = { to, subject, NULL };
	char *body;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&body, fmt, ap);
	va_end(ap);
	if (rc == -1) {
		log_err("out of memory");
		return -1;
	}
	p[2] = body;
	rc = db_exec(db, "INSERT INTO outbox (recipient, subject, body)"
	    " VALUES ($1, $2, $3)", 3, p);
	free(body);
	return rc;
}

/*
 * Makes a new link of a purpose for account id, sent to email, and
 * writes its token (the only copy: the database keeps its SHA-256) to
 * tok.  Older links of that purpose stop working.
 */
static int
account_token(struct db *db, long id, const char *purpose,
    const char *email, char tok[ACORN_TOKEN_LEN + 1])
{
	static const struct { const char *purpose, *life; } lives[] = {
		{ "confirm", LIFE_CONFIRM },
		{ "reset", LIFE_RESET },
		{ "email", LIFE_EMAIL },
	};
	char hex[65], ids[32];
	const char *p[5];
	size_t i;

	for (i = 0; i < sizeof(lives) / sizeof(lives[0]); i++)
		if (strcmp(lives[i].purpose, purpose) == 0)
			break;
	if (i == sizeof(lives) / sizeof(lives[0]) || util_token(tok) == -1)
		return -1;
	session_token_hash(tok, hex);
	snprintf(ids, sizeof(ids), "%ld", id);
	p[0] = hex;
	p[1] = ids;
	p[2] = purpose;
	p[3] = email;
	p[4] = lives[i].life;
	return db_call(db, "SELECT acorn_token_issue(decode($1, 'hex'), $2,"
	    " $3, $4, $5::interval)", 5, p);
}

/* A link of the node's to path with token, for a mail (malloc'd). */
static char *
account_link(const char *path, const char *tok)
{
	return util_printf("%s%s?token=%s", cfg->public_url, path, tok);
}

/*
 * A new link of purpose for account id, sent to email, to path on this
 * node, in the caller's transaction (malloc'd; NULL on failure).  Older
 * links of that purpose stop working; the link holds the token's only
 * copy.
 */
char *
account_link_new(struct db *db, long id, const char *purpose,
    const char *email, const char *path)
{
	char tok[ACORN_TOKEN_LEN + 1], *link = NULL;

	if (account_token(db, id, purpose, email, tok) == 0)
		link = account_link(path, tok);
	OPENSSL_cleanse(tok, sizeof(tok));
	return link;
}

/*
 * What every form that mails a link asks first (/join/resend,
 * /signin/forgot): the form on a GET; on a POST the address, and a wait
 * when this connection has asked for too many mails.  The address typed
 * (the form's), or NULL when the request has been answered (*rc is the
 * handler's return).
 */
const char *
account_mail_form(struct request *r, const char *title, const char *tmpl,
    int *rc)
{
	struct view *v;
	const char *email = NULL;
	long wait;

	if (session_form(r) == -1 || (v = page_view(r, title)) == NULL) {
		*rc = http_error(r, 500);
		return NULL;
	}
	if (r->method != METHOD_POST)
		*rc = http_page(r, 200, tmpl, v);
	else if ((email = view_field(v, r, KEY_EMAIL,
	    "Enter your email address")) == NULL)
		*rc = http_page(r, 422, tmpl, v);
	else if ((wait = throttle_wait(r->db, THROTTLE_MAIL, NULL,
	    r->addr)) != 0) {
		email = NULL;
		if (wait == -1) {
			view_free(v);
			*rc = http_error(r, 503);
		} else
			*rc = account_slow_down(r, v, "email", tmpl, wait);
	} else {
		throttle_hit(r->db, THROTTLE_MAIL, NULL, r->addr);
		view_free(v);
	}
	return email;
}

/* Every Argon2id slot was busy: try again in a moment. */
int
account_busy(struct request *r)
{
	return page_message(r, 503, "The service is busy", "Too many people "
	    "are signing in or joining at this moment. Wait a few seconds, "
	    "then try again.", NULL, NULL, 0);
}

/* Too many attempts from this connection: when the next one is allowed. */
int
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

	if ((link = account_link_new(db, id, "confirm", email,
	    "/join/confirm")) == NULL)
		return -1;
	rc = account_mail(db, email, "Confirm your email address", "Dear %s,"
	    "\n\nSomeone, we hope you, asked to join %s with this email "
	    "address. To confirm that it is yours, follow this link within 24 "
	    "hours and enter the password you chose:\n\n%s\n\nIf it was not "
	    "you, ignore this email: nothing happens until the link is "
	    "followed.\n", name, cfg->node_name, link);
	free(link);
	return rc;
}

/* Tells the owner of an address that has an account that someone tried. */
static int
join_taken_mail(struct db *db, const char *email)
{
	return account_mail(db, email, "Someone tried to join with your "
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
			return join_taken_mail(db, f[JF_EMAIL]);
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

/*
 * "Check your email": what was sent (text, made by util_printf and freed
 * here) and the way on.
 */
int
account_sent(struct request *r, char *text, const char *href,
    const char *link)
{
	int rc;

	if (text == NULL)
		return http_error(r, 500);
	rc = page_message(r, 200, "Check your email", text, href, link, 1);
	free(text);
	return rc;
}

/* "We have sent an email to …", whatever the address. */
static int
join_sent(struct request *r, const char *email)
{
	return account_sent(r, util_printf("We have sent an email to %s. "
	    "Follow the link in it within 24 hours to confirm that the address "
	    "is yours; you can sign in once it is confirmed%s.", email,
	    cfg->open_joining ? "" : " and a coordinator has approved your "
	    "membership"), "/join/resend", "No email? Send the link again");
}

int
accounts_join(struct request *r)
{
	struct view *v;
	const char *f[JF__MAX], *pw2;
	char *hash = NULL;
	long wait;
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
	    "Select your stakeholder group");
	f[JF_REGION] = view_field(v, r, KEY_REGION, "Select your region");
	if (view_has(v, "errors"))
		return http_page(r, 422, "join", v);
	if ((wait = throttle_wait(r->db, THROTTLE_JOIN, NULL, r->addr)) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	if (wait > 0)
		return account_slow_down(r, v, "email", "join", wait);
	throttle_hit(r->db, THROTTLE_JOIN, NULL, r->addr);

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
int
account_link_dead(struct request *r, const char *again, const char *text)
{
	return page_message(r, 410, "This link no longer works", "The link "
	    "has already been used, a newer one has been sent, or it is "
	    "too old.", again, text, 0);
}

/*
 * The first half of every page a mailed link opens.  A dead link is told
 * so, with the way to a new one; a live one gets a view titled for the
 * link, holding the token and the address it was sent to, and a GET is
 * answered with the link's form, so that mail scanners which open links
 * change nothing.  Returns the view for a POST to go on with, and the
 * account in *id; or NULL, when *rc is the reply.
 */
struct view *
account_link_open(struct request *r, const struct mailed_link *l, long *id,
    int *rc)
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
		    account_link_dead(r, l->again, l->again_text);
		return NULL;
	}
	*id = strtol(PQgetvalue(res, 0, TP_ACCOUNT), NULL, 10);
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

/* The columns of the account a link confirms, and of the confirming. */
enum { JC_HASH, JC_STATUS };
enum { CJ_ACCOUNT, CJ_STATUS };

/* The link mailed on joining. */
static const struct mailed_link confirm_link = {
	"confirm", "Confirm your email address", "confirm",
	"/join/resend", "Send a new link"
};

/*
 * /join/confirm?token=…: the link mailed on joining.  The POST, with the
 * password chosen when joining, confirms the address.  With open joining
 * the person is then signed in.
 */
int
accounts_confirm(struct request *r)
{
	struct view *v;
	const char *tok = r->form.f[KEY_TOKEN].text, *pw, *p[1];
	char hex[65], ids[32];
	PGresult *res;
	long id;
	int ok, busy = 0, rc, active;

	if ((v = account_link_open(r, &confirm_link, &id, &rc)) == NULL)
		return rc;
	snprintf(ids, sizeof(ids), "%ld", id);
	p[0] = ids;
	if ((pw = view_field(v, r, KEY_PASSWORD, "Enter your password")) ==
	    NULL)
		return http_page(r, 422, "confirm", v);
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT password_hash, status"
	    " FROM accounts WHERE id = $1", 1, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	ok = PQntuples(res) == 1 &&
	    password_verify(db_value(res, 0, JC_HASH), pw, &busy);
	PQclear(res);
	if (busy) {
		view_free(v);
		return account_busy(r);
	}
	if (!ok) {
		view_error(v, "password", "The password is not the one chosen "
		    "when joining. If you joined more than once, use the link "
		    "in the newest email");
		return http_page(r, 422, "confirm", v);
	}
	view_free(v);
	session_token_hash(tok, hex);
	p[0] = hex;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT account, status FROM"
	    " acorn_confirm_join(decode($1, 'hex'))", 1, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {	/* used a moment ago */
		PQclear(res);
		db_rollback(r->db);
		return account_link_dead(r, "/signin", "Sign in");
	}
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

/* The columns of accounts_resend's look-up. */
enum { ML_ID, ML_NAME, ML_EMAIL };

/*
 * /join/resend: a new confirmation link for an address whose account is
 * not confirmed yet.  The reply is the same for every address.
 */
int
accounts_resend(struct request *r)
{
	const char *email, *p[1];
	PGresult *res;
	int rc = 0;

	if ((email = account_mail_form(r, "Send the link again", "resend",
	    &rc)) == NULL)
		return rc;
	p[0] = email;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT a.id, m.name, a.email"
	    " FROM accounts a JOIN members m ON m.id = a.member"
	    " WHERE lower(a.email) = lower($1) AND a.confirmed IS NULL"
	    " FOR UPDATE OF a", 1, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) == 1)
		rc = join_mail(r->db, strtol(PQgetvalue(res, 0, ML_ID), NULL,
		    10), PQgetvalue(res, 0, ML_NAME), PQgetvalue(res, 0,
		    ML_EMAIL));
	PQclear(res);
	if (rc == -1 || db_commit(r->db) == -1) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	return join_sent(r, email);
}

/* The columns of accounts_signin's query. */
enum { SI_ID, SI_HASH, SI_STATUS, SI_CONFIRMED };

int
accounts_signin(struct request *r)
{
	struct view *v;
	const char *email, *pw, *next, *p[1];
	PGresult *res;
	long id = 0, wait, wait2;
	int ok = 0, busy = 0, pending = 0, confirmed = 0;

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
	/*
	 * Failures slow down only the address they came from, for this
	 * email and for any: someone elsewhere can never lock a member out.
	 */
	wait = throttle_wait(r->db, THROTTLE_SIGNIN, email, r->addr);
	wait2 = throttle_wait(r->db, THROTTLE_SIGNIN_ADDRESS, NULL, r->addr);
	if (wait == -1 || wait2 == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	if (wait > 0 || wait2 > 0)
		return account_slow_down(r, v, "email", "signin",
		    wait > wait2 ? wait : wait2);
	p[0] = email;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT id, password_hash,"
	    " status, confirmed IS NOT NULL FROM accounts"
	    " WHERE lower(email) = lower($1)", 1, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	if (PQntuples(res) == 1) {
		ok = password_verify(db_value(res, 0, SI_HASH), pw, &busy);
		id = strtol(PQgetvalue(res, 0, SI_ID), NULL, 10);
		pending = strcmp(PQgetvalue(res, 0, SI_STATUS),
		    "pending") == 0;
		confirmed = strcmp(PQgetvalue(res, 0, SI_CONFIRMED), "t") == 0;
	} else
		busy = password_dummy() == -1;
	PQclear(res);
	if (busy) {
		view_free(v);
		return account_busy(r);
	}
	if (!ok) {
		throttle_signin_failed(r->db, email, r->addr);
		view_error(v, "email", "The email address or password is not "
		    "right. Check them and try again");
		return http_page(r, 401, "signin", v);
	}
	throttle_clear(r->db, THROTTLE_SIGNIN, email, r->addr);
	if (!confirmed) {
		view_error(v, "email", "Your email address is not confirmed "
		    "yet. Follow the link in the email we sent you, or ask "
		    "for a new one");
		view_flag(v, "unconfirmed", 1);
		return http_page(r, 403, "signin", v);
	}
	if (pending) {
		view_error(v, "email", "Your membership is waiting for a "
		    "coordinator's approval. You can sign in once it is "
		    "approved");
		return http_page(r, 403, "signin", v);
	}
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
	const char *pw, *p[1];
	char ids[32];
	PGresult *res;
	long wait;
	int ok, busy = 0;

	if ((pw = view_field(v, r, k, "Enter your password")) == NULL) {
		*rc = http_page(r, 422, tmpl, v);
		return 0;
	}
	if ((wait = throttle_wait(r->db, THROTTLE_SIGNIN, r->account->email,
	    r->addr)) != 0) {
		if (wait == -1) {
			view_free(v);
			*rc = http_error(r, 503);
		} else
			*rc = account_slow_down(r, v, form_key_name(k), tmpl,
			    wait);
		return 0;
	}
	snprintf(ids, sizeof(ids), "%ld", r->account->id);
	p[0] = ids;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT password_hash FROM accounts WHERE id = $1", 1, p);
	if (res == NULL) {
		view_free(v);
		*rc = http_error(r, 503);
		return 0;
	}
	ok = PQntuples(res) == 1 &&
	    password_verify(db_value(res, 0, DB_ONLY), pw, &busy);
	PQclear(res);
	if (busy) {
		view_free(v);
		*rc = account_busy(r);
		return 0;
	}
	if (!ok) {
		throttle_signin_failed(r->db, r->account->email, r->addr);
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
	if (member_erase(r->db, r->account->member, r->account->id,
	    "erase") == -1) {
		view_free(v);
		return http_error(r, 500);
	}
	session_cookie(r, "acorn_session", "", 0);
	view_free(v);
	account_free(r->account);
	r->account = NULL;
	if ((v = page_view(r, "Your account has been erased")) == NULL)
		return http_error(r, 500);
	view_set(v, "message", "Your account and profile have been deleted. "
	    "Any node that held a copy of your profile is being told to "
	    "delete it.");
	view_flag(v, "success", 1);
	view_set(v, "link_href", "/");
	view_set(v, "link_text", "Go to the home page");
	return http_page(r, 200, "message", v);
}

/*
 * /profile/email: moving the account to a new address.  Nothing changes
 * until the link mailed to the new address is followed; an address that
 * already has an account gets a note instead, and the reply is the same.
 */
int
accounts_email(struct request *r)
{
	struct view *v;
	const char *email, *p[1];
	char *link = NULL;
	PGresult *res;
	int rc, taken;

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
	if (!account_reauth(r, v, "email_change", KEY_CURRENT, &rc))
		return rc;
	view_free(v);
	p[0] = email;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT count(*) FROM accounts"
	    " WHERE lower(email) = lower($1)", 1, p);
	if (res == NULL)
		return http_error(r, 503);
	taken = strcmp(PQgetvalue(res, 0, DB_ONLY), "0") != 0;
	PQclear(res);
	if (taken)
		rc = account_mail(r->db, email, "Someone tried to use your "
		    "address", "Hello,\n\nSomeone asked to move their account "
		    "at %s to this email address, which already has an account "
		    "there, so nothing has changed.\n\nIf you have forgotten "
		    "your password, reset it at %s/signin/forgot.\n",
		    cfg->node_name, cfg->public_url);
	else if ((link = account_link_new(r->db, r->account->id, "email",
	    email, "/profile/email/confirm")) != NULL)
		rc = account_mail(r->db, email, "Confirm your new email "
		    "address", "Dear %s,\n\nYou asked to use this address for "
		    "your account at %s. Follow this link within 24 hours to "
		    "confirm it:\n\n%s\n\nUntil then your account keeps its "
		    "old address. If it was not you, ignore this email.\n",
		    r->account->name, cfg->node_name, link);
	else
		rc = -1;
	free(link);
	if (rc == -1 || db_commit(r->db) == -1) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	return account_sent(r, util_printf("We have sent an email to %s. Your "
	    "address changes when you follow the link in it, within 24 hours.",
	    email), "/profile", "Back to your profile");
}

/* The columns of acorn_confirm_email. */
enum { CE_ACCOUNT, CE_OLD, CE_NEW };

/* The link mailed to a new address. */
static const struct mailed_link email_link = {
	"email", "Confirm your new email address", "email_confirm",
	"/profile/email", "Change your email address"
};

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
	const char *tok = r->form.f[KEY_TOKEN].text, *p[1];
	char hex[65], *old = NULL, *to = NULL;
	PGresult *res;
	long id;
	int rc;

	if ((v = account_link_open(r, &email_link, &id, &rc)) == NULL)
		return rc;
	view_free(v);
	session_token_hash(tok, hex);
	p[0] = hex;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT account, old_email,"
	    " new_email FROM acorn_confirm_email(decode($1, 'hex'))", 1, p);
	if (res == NULL) {
		db_rollback(r->db);
		if (db_duplicate(r->db))
			return page_message(r, 409, "This address already has "
			    "an account", "Another account has started using "
			    "this address since the link was sent, so your "
			    "account keeps its old address.", "/profile",
			    "Back to your profile", 0);
		return http_error(r, 503);
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		db_rollback(r->db);
		return account_link_dead(r, email_link.again,
		    email_link.again_text);
	}
	id = strtol(PQgetvalue(res, 0, CE_ACCOUNT), NULL, 10);
	old = util_strdup(PQgetvalue(res, 0, CE_OLD));
	to = util_strdup(PQgetvalue(res, 0, CE_NEW));
	PQclear(res);
	rc = old != NULL && to != NULL && account_mail(r->db, old, "Your "
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
 * password (returned in *password), or gives an existing account the role.
 * Returns 1 when an account was created, 0 when a role was changed.
 */
int
account_add(struct db *db, const char *email, const char *role,
    const char *name, const char *group, const char *region, char **password)
{
	unsigned char raw[15];
	char pw[21], uuid[ACORN_UUID_LEN + 1], *hash;
	const char *p[8];
	PGresult *res;
	int rc;

	*password = NULL;
	p[0] = email;
	p[1] = role;
	res = db_query(db, PGRES_TUPLES_OK, "UPDATE accounts SET role = $2,"
	    " status = 'active' WHERE lower(email) = lower($1) RETURNING id",
	    2, p);
	if (res == NULL)
		return -1;
	rc = PQntuples(res);
	PQclear(res);
	if (rc == 1)
		return 0;
	if (util_random(raw, sizeof(raw)) == -1 || util_uuid(uuid) == -1)
		return -1;
	util_base64url(raw, sizeof(raw), pw);
	OPENSSL_cleanse(raw, sizeof(raw));
	if ((hash = password_hash(pw, cfg->argon2_t, cfg->argon2_m)) == NULL)
		return -1;
	p[0] = uuid;
	p[1] = node_id;
	p[2] = name;
	p[3] = region;
	p[4] = email;
	p[5] = hash;
	p[6] = role;
	p[7] = group;
	rc = db_exec(db, "WITH m AS (INSERT INTO members (id, origin, name,"
	    " stakeholder, region) VALUES ($1, $2, $3, $8, $4)"
	    " RETURNING id)"
	    " INSERT INTO accounts (member, email, password_hash, status, role,"
	    " approved) SELECT id, $5, $6, 'active', $7, now() FROM m", 8, p);
	free(hash);
	if (rc == -1)
		return -1;
	*password = util_strdup(pw);
	OPENSSL_cleanse(pw, sizeof(pw));
	return *password != NULL ? 1 : -1;
}
