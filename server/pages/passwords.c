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

/*
 * Tells account id's address that its password changed, in db's
 * transaction.
 */
static int
passwords_told(struct db *db, long id, const char *email)
{
	return account_mail(db, id, email, "Your password has been changed",
	    "Hello,\n\nThe password of your account at %s has just been "
	    "changed, and every other place where the account was signed in "
	    "has been signed out.\n\nIf you did not do this, reset your "
	    "password at %s/signin/forgot and tell a coordinator of the "
	    "node.\n", cfg->node_name, cfg->public_url);
}

/*
 * /profile/password: the current password, then a new one twice.  Every
 * other session of the account ends, and every link mailed to change
 * its address or password stops working; this session goes on.
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
	    account_links_revoke(r->db, r->account->id) == 0 &&
	    passwords_told(r->db, r->account->id, r->account->email) == 0 &&
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

/* The link mailed to reset a password. */
static const struct mailed_link reset_link = {
	.purpose = "reset",
	.path = "/signin/reset",
	.life = "1 hour",
	.title = "Choose a new password",
	.tmpl = "reset",
	.again = "/signin/forgot",
	.again_text = "Send a new link",
};

/* The mail with a reset link, for account id. */
static int
forgot_mail(struct db *db, long id, const char *name, const char *email)
{
	char *link;
	int rc;

	if ((rc = throttle_mail_to(db, email)) != 1)
		return rc;
	if ((link = account_link_new(db, id, &reset_link, email)) == NULL)
		return -1;
	rc = account_mail(db, id, email, "Reset your password", "Dear %s,\n\n"
	    "Someone, we hope you, asked to reset the password of your "
	    "account at %s. To choose a new password, follow this link within "
	    "%s:\n\n%s\n\nThe link works once. If you did not ask, ignore this "
	    "email: your password stays as it is.\n", name, cfg->node_name,
	    reset_link.life, link);
	free(link);
	return rc;
}

/* "If an account exists …", whatever the address. */
static int
forgot_sent(struct request *r, const char *email)
{
	return page_message_take(r, 200, "Check your email",
	    util_printf("If an account exists for %s, we have emailed it a "
	    "link to reset the password. The link works once, within %s.",
	    email, reset_link.life), "/signin", "Back to sign in", 1);
}

/* /signin/forgot: a reset link for any account with the address. */
static const struct link_request forgot_request = {
	.title = "Reset your password",
	.tmpl = "forgot",
	.which = "SELECT a.id, m.name, a.email"
	    " FROM accounts a JOIN members m ON m.id = a.member"
	    " WHERE lower(a.email) = lower($1) FOR UPDATE OF a",
	.mail = forgot_mail,
	.sent = forgot_sent,
};

int
passwords_forgot(struct request *r)
{
	return account_link_request(r, &forgot_request);
}

/* The columns of the account whose password a link reset. */
enum { RP_ID, RP_EMAIL };

/*
 * /signin/reset?token=…: the mailed link.  The POST sets a new password,
 * uses the link up, ends every session of the account and stops every
 * other link mailed for it.  This browser is signed out too, whoever it
 * was signed in as.
 */
int
passwords_reset(struct request *r)
{
	struct view *v;
	const char *pw;
	char *hash, *email = NULL;
	PGresult *res;
	long id;
	int rc;

	if ((v = account_link_open(r, &reset_link, &rc)) == NULL)
		return rc;
	if ((pw = passwords_new(v, r)) == NULL)
		return http_page(r, 422, "reset", v);
	view_free(v);
	if ((hash = password_hash(pw, cfg->argon2_t, cfg->argon2_m)) == NULL)
		return errno == EBUSY ? account_busy(r) : http_error(r, 500);
	res = account_link_take(r, &reset_link, "SELECT a.id, a.email FROM"
	    " acorn_reset_password(decode($1, 'hex'), $2) AS t (id)"
	    " JOIN accounts a ON a.id = t.id", hash, &rc);
	free(hash);
	if (res == NULL)
		return rc;
	id = strtol(PQgetvalue(res, 0, RP_ID), NULL, 10);
	email = util_strdup(PQgetvalue(res, 0, RP_EMAIL));
	PQclear(res);
	rc = email != NULL && account_links_revoke(r->db, id) == 0 &&
	    passwords_told(r->db, id, email) == 0 &&
	    audit_commit(r->db, id, "password reset", NULL) == 0;
	free(email);
	if (!rc) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	account_sign_out(r);
	return page_message(r, 200, "Your password has been changed",
	    "Sign in with your new password. Everywhere your account was "
	    "signed in has been signed out.", "/signin", "Sign in", 1);
}
