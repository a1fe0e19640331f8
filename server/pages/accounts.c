/*
 * Accounts: joining, signing in and out, and erasing.  An account is
 * private to this node; the member profile it owns is a shared record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "web.h"
#include "pages.h"

#define PASSWORD_MIN	10

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

int
accounts_join(struct request *r)
{
	struct view *v;
	const char *name, *email, *pw, *pw2, *org, *group, *region;
	const char *p[9];
	char uuid[ACORN_UUID_LEN + 1];
	char *hash = NULL;
	PGresult *res;
	long id;

	if (session_form(r) == -1 ||
	    (v = page_view(r, "Join the network")) == NULL)
		return http_error(r, 500);
	view_choices(v);
	view_flag(v, "open_joining", cfg->open_joining);
	if (r->method != METHOD_POST) {
		view_set(v, "v_region", cfg->region);
		return http_page(r, 200, "join", v);
	}
	name = view_field(v, r, KEY_NAME, "Enter your full name");
	email = view_field(v, r, KEY_EMAIL, "Enter your email address");
	pw = view_field(v, r, KEY_PASSWORD, "Create a password");
	if (pw != NULL && strlen(pw) < PASSWORD_MIN)
		view_error(v, "password",
		    "Your password must be at least 10 characters");
	pw2 = view_field(v, r, KEY_PASSWORD2, NULL);
	if (pw != NULL && (pw2 == NULL || strcmp(pw, pw2) != 0))
		view_error(v, "password2", "The passwords do not match");
	org = view_field(v, r, KEY_ORGANISATION, NULL);
	group = view_field(v, r, KEY_GROUP, "Select your stakeholder group");
	region = view_field(v, r, KEY_REGION, "Select your region");
	if (view_has(v, "errors"))
		return http_page(r, 422, "join", v);

	if ((hash = password_hash(pw, cfg->argon2_t, cfg->argon2_m)) == NULL ||
	    util_uuid(uuid) == -1) {
		free(hash);
		view_free(v);
		return http_error(r, 500);
	}
	p[0] = uuid;
	p[1] = node_id;
	p[2] = name;
	p[3] = org;
	p[4] = group;
	p[5] = region;
	p[6] = email;
	p[7] = hash;
	p[8] = cfg->open_joining ? "active" : "pending";
	/* One statement: a taken email leaves no orphan profile behind. */
	if (db_begin(r->db) == -1) {
		free(hash);
		view_free(v);
		return http_error(r, 503);
	}
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "WITH m AS (INSERT INTO members (id, origin, name, organisation,"
	    " stakeholder, region) VALUES ($1, $2, $3, $4, $5, $6)"
	    " RETURNING id)"
	    " INSERT INTO accounts (member, email, password_hash, status)"
	    " SELECT id, $7, $8, $9 FROM m RETURNING id", 9, p);
	free(hash);
	if (res == NULL) {
		db_rollback(r->db);
		if (!db_duplicate(r->db)) {
			view_free(v);
			return http_error(r, 500);
		}
		view_error(v, "email", "An account with this email address "
		    "already exists. Sign in, or use another address");
		return http_page(r, 422, "join", v);
	}
	id = strtol(PQgetvalue(res, 0, DB_ONLY), NULL, 10);
	PQclear(res);
	if (audit_commit(r->db, id, "join", uuid) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	if (cfg->open_joining) {
		view_free(v);
		if (session_create(r, id) == -1)
			return http_error(r, 500);
		return http_redirect(r, "/profile");
	}
	view_free(v);
	if ((v = page_view(r, "Thank you for joining")) == NULL)
		return http_error(r, 500);
	view_set(v, "title", "Thank you for joining");
	view_set(v, "message", "A coordinator for this region will look at "
	    "your request, usually within two working days. Once it is "
	    "approved you can sign in with your email address and password.");
	view_flag(v, "success", 1);
	return http_page(r, 200, "message", v);
}

/* The columns of accounts_signin's query. */
enum { SI_ID, SI_HASH, SI_STATUS };

int
accounts_signin(struct request *r)
{
	struct view *v;
	const char *email, *pw, *next, *p[1];
	PGresult *res;
	long id = 0;
	int ok = 0, pending = 0;

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
	if (throttle_check(r->db, email, r->addr)) {
		view_error(v, "email", "Too many failed attempts. Wait 15 "
		    "minutes, then try again");
		return http_page(r, 429, "signin", v);
	}
	p[0] = email;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT id, password_hash,"
	    " status FROM accounts WHERE lower(email) = lower($1)", 1, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	if (PQntuples(res) == 1) {
		ok = password_verify(db_value(res, 0, SI_HASH), pw);
		id = strtol(PQgetvalue(res, 0, SI_ID), NULL, 10);
		pending = strcmp(PQgetvalue(res, 0, SI_STATUS),
		    "pending") == 0;
	} else
		password_dummy();
	PQclear(res);
	if (!ok) {
		throttle_fail(r->db, email, r->addr);
		view_error(v, "email", "The email address or password is not "
		    "right. Check them and try again");
		return http_page(r, 401, "signin", v);
	}
	if (pending) {
		view_error(v, "email", "Your membership is waiting for a "
		    "coordinator's approval. You can sign in once it is "
		    "approved");
		return http_page(r, 403, "signin", v);
	}
	throttle_clear(r->db, email);
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

int
accounts_erase(struct request *r)
{
	struct view *v;
	const char *pw, *p[1];
	char ids[32];
	PGresult *res;
	int ok;

	if ((v = page_view(r, "Erase your account")) == NULL)
		return http_error(r, 500);
	if (r->method != METHOD_POST)
		return http_page(r, 200, "erase", v);
	pw = view_field(v, r, KEY_PASSWORD, "Enter your password");
	if (r->form.f[KEY_CONFIRM].num != 1)
		view_error(v, "confirm", "Tick the box to confirm that you "
		    "want your account erased");
	if (view_has(v, "errors"))
		return http_page(r, 422, "erase", v);
	snprintf(ids, sizeof(ids), "%ld", r->account->id);
	p[0] = ids;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT password_hash FROM accounts WHERE id = $1", 1, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	ok = PQntuples(res) == 1 &&
	    password_verify(db_value(res, 0, DB_ONLY), pw);
	PQclear(res);
	if (!ok) {
		view_error(v, "password", "The password is not right");
		return http_page(r, 422, "erase", v);
	}
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
