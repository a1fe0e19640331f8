/*
 * Passwords: changing one's own on the profile, and getting back into an
 * account whose password is forgotten by a link mailed to its address.
 * Either way the sessions that knew the old password end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

/*
 * Reads a new password and its repeat (KEY_PASSWORD, KEY_PASSWORD2) into
 * v's errors; the password, or NULL when there was a mistake.
 */
static const char *
passwords_new(struct view *v, struct request *r)
{
	const char *pw, *pw2;

	pw = view_field(v, r, KEY_PASSWORD, "Create a new password");
	if (pw != NULL && strlen(pw) < PASSWORD_MIN) {
		view_error(v, "password",
		    "Your password must be at least 10 characters");
		pw = NULL;
	}
	pw2 = view_field(v, r, KEY_PASSWORD2, NULL);
	if (pw != NULL && (pw2 == NULL || strcmp(pw, pw2) != 0)) {
		view_error(v, "password2", "The passwords do not match");
		pw = NULL;
	}
	return pw;
}

/* Tells an account's address that its password changed, in db's transaction. */
static int
passwords_told(struct db *db, const char *email)
{
	return account_mail(db, email, "Your password has been changed",
	    "Hello,\n\nThe password of your account at %s has just been "
	    "changed, and every other place where the account was signed in "
	    "has been signed out.\n\nIf you did not do this, reset your "
	    "password at %s/signin/forgot and tell a coordinator of the "
	    "node.\n", cfg->node_name, cfg->public_url);
}

/*
 * /profile/password: the current password, then a new one twice.  Every
 * other session of the account ends; this one goes on.
 */
int
passwords_change(struct request *r)
{
	struct view *v;
	const char *pw, *p[2];
	char ids[32], *hash;
	int rc;

	if ((v = page_view(r, "Change your password")) == NULL)
		return http_error(r, 500);
	if (r->method != METHOD_POST)
		return http_page(r, 200, "password", v);
	if (view_field(v, r, KEY_CURRENT, "Enter your current password") ==
	    NULL || (pw = passwords_new(v, r)) == NULL)
		return http_page(r, 422, "password", v);
	if (!account_reauth(r, v, "password", KEY_CURRENT, &rc))
		return rc;
	view_free(v);
	if ((hash = password_hash(pw, cfg->argon2_t, cfg->argon2_m)) == NULL)
		return errno == EBUSY ? account_busy(r) : http_error(r, 500);
	snprintf(ids, sizeof(ids), "%ld", r->account->id);
	p[0] = ids;
	p[1] = hash;
	rc = db_begin(r->db) == 0 &&
	    db_exec(r->db, "UPDATE accounts SET password_hash = $2"
	    " WHERE id = $1", 2, p) == 0 &&
	    session_end_all(r, 1) == 0 &&
	    passwords_told(r->db, r->account->email) == 0 &&
	    audit_commit(r->db, r->account->id, "password", NULL) == 0;
	free(hash);
	if (!rc) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	return page_message(r, 200, "Your password has been changed",
	    "Use your new password from now on. Everywhere else your account "
	    "was signed in has been signed out.", "/profile",
	    "Back to your profile", 1);
}

/* The columns of passwords_forgot's look-up. */
enum { FG_ID, FG_EMAIL, FG_NAME };

/*
 * /signin/forgot: mails a reset link to an address that has an account.
 * The reply is the same whether it has one or not.
 */
int
passwords_forgot(struct request *r)
{
	const char *email, *p[1];
	char *link;
	PGresult *res;
	int rc = 0;

	if ((email = account_mail_form(r, "Reset your password", "forgot",
	    &rc)) == NULL)
		return rc;
	p[0] = email;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT a.id, a.email, m.name"
	    " FROM accounts a JOIN members m ON m.id = a.member"
	    " WHERE lower(a.email) = lower($1) FOR UPDATE OF a", 1, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) == 1 &&
	    (rc = throttle_mail_to(r->db, email)) == 1) {
		rc = -1;
		if ((link = account_link_new(r->db, strtol(PQgetvalue(res, 0,
		    FG_ID), NULL, 10), "reset", PQgetvalue(res, 0, FG_EMAIL),
		    "/signin/reset")) != NULL)
			rc = account_mail(r->db, PQgetvalue(res, 0, FG_EMAIL),
			    "Reset your password", "Dear %s,\n\nSomeone, we hope "
			    "you, asked to reset the password of your account "
			    "at %s. To choose a new password, follow this link "
			    "within an hour:\n\n%s\n\nThe link works once. If "
			    "you did not ask, ignore this email: your password "
			    "stays as it is.\n", PQgetvalue(res, 0, FG_NAME),
			    cfg->node_name, link);
		free(link);
	}
	PQclear(res);
	if (rc == -1 || db_commit(r->db) == -1) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	return account_sent(r, util_printf("If an account exists for %s, we "
	    "have emailed it a link to reset the password. The link works "
	    "once, within an hour.", email), "/signin", "Back to sign in");
}

/* The columns of the account whose password a link reset. */
enum { RP_ID, RP_EMAIL };

/* The link mailed to reset a password. */
static const struct mailed_link reset_link = {
	"reset", "Choose a new password", "reset",
	"/signin/forgot", "Send a new link"
};

/*
 * /signin/reset?token=…: the mailed link.  The POST sets a new password,
 * uses the link up and ends every session of the account.
 */
int
passwords_reset(struct request *r)
{
	struct view *v;
	const char *tok = r->form.f[KEY_TOKEN].text, *pw, *p[2];
	char hex[65], *hash, *email = NULL;
	PGresult *res;
	long id;
	int rc;

	if ((v = account_link_open(r, &reset_link, &id, &rc)) == NULL)
		return rc;
	if ((pw = passwords_new(v, r)) == NULL)
		return http_page(r, 422, "reset", v);
	view_free(v);
	if ((hash = password_hash(pw, cfg->argon2_t, cfg->argon2_m)) == NULL)
		return errno == EBUSY ? account_busy(r) : http_error(r, 500);
	session_token_hash(tok, hex);
	p[0] = hex;
	p[1] = hash;
	if (db_begin(r->db) == -1) {
		free(hash);
		return http_error(r, 503);
	}
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT a.id, a.email FROM"
	    " acorn_reset_password(decode($1, 'hex'), $2) AS t (id)"
	    " JOIN accounts a ON a.id = t.id", 2, p);
	free(hash);
	if (res == NULL)
		return http_error(r, 503);
	id = 0;
	if (PQntuples(res) == 1) {
		id = strtol(PQgetvalue(res, 0, RP_ID), NULL, 10);
		email = util_strdup(PQgetvalue(res, 0, RP_EMAIL));
	}
	PQclear(res);
	if (id == 0) {		/* used a moment ago */
		db_rollback(r->db);
		return account_link_dead(r, reset_link.again,
		    reset_link.again_text);
	}
	rc = email != NULL && passwords_told(r->db, email) == 0 &&
	    audit_commit(r->db, id, "password reset", NULL) == 0;
	free(email);
	if (!rc) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	/* Whatever session this browser had is gone with the others. */
	if (r->account != NULL) {
		session_cookie(r, "acorn_session", "", 0);
		account_free(r->account);
		r->account = NULL;
	}
	return page_message(r, 200, "Your password has been changed",
	    "Sign in with your new password. Everywhere your account was "
	    "signed in has been signed out.", "/signin", "Sign in", 1);
}
