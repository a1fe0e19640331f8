/*
 * The signed-in person's sessions (/profile/sessions): where their
 * account is signed in, ending any one of them, and signing out
 * everywhere at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define SESSIONS_PAGE	20

/*
 * A device as a person knows it, from the User-Agent a browser sent:
 * the first browser and the first system whose mark it carries.  Order
 * matters: Edge and Opera also say Chrome, Chrome also says Safari,
 * Android also says Linux.
 */
static const struct ua_mark {
	const char	*mark;
	const char	*name;
} ua_browsers[] = {
	{ "Edg/", "Edge" },
	{ "OPR/", "Opera" },
	{ "Firefox/", "Firefox" },
	{ "Chrome/", "Chrome" },
	{ "Safari/", "Safari" },
	{ "curl/", "curl" },
}, ua_systems[] = {
	{ "Android", "Android" },
	{ "iPhone", "iPhone" },
	{ "iPad", "iPad" },
	{ "Windows", "Windows" },
	{ "Mac OS X", "macOS" },
	{ "CrOS", "ChromeOS" },
	{ "Linux", "Linux" },
};

static const char *
ua_find(const char *ua, const struct ua_mark *marks, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(ua, marks[i].mark) != NULL)
			return marks[i].name;
	return NULL;
}

/* "Firefox on Windows", "Chrome", or "Unknown device". */
static void
sessions_device(struct view *m, const char *ua)
{
	const char *b, *s;

	b = ua_find(ua, ua_browsers, sizeof(ua_browsers) /
	    sizeof(ua_browsers[0]));
	s = ua_find(ua, ua_systems, sizeof(ua_systems) /
	    sizeof(ua_systems[0]));
	if (b != NULL && s != NULL)
		view_setf(m, "device", "%s on %s", b, s);
	else if (b != NULL || s != NULL)
		view_set(m, "device", b != NULL ? b : s);
	else
		view_set(m, "device", "Unknown device");
}

/* The columns of sessions_list's query. */
enum { SL_ID, SL_AGENT, SL_ADDRESS, SL_CREATED, SL_SEEN, SL_THIS, SL_TOTAL };

int
sessions_list(struct request *r)
{
	struct view *v, *m;
	char hex[65], ids[32], idle[32], max[32];
	const char *p[6];
	struct pager pg;
	PGresult *res;
	int i, n;

	if ((v = page_view(r, "Where you are signed in")) == NULL)
		return http_error(r, 500);
	view_flag(v, "ended", r->form.f[KEY_SAVED].num == 1);
	snprintf(ids, sizeof(ids), "%ld", r->account->id);
	snprintf(idle, sizeof(idle), "%ld", cfg->session_idle);
	snprintf(max, sizeof(max), "%ld", cfg->session_max);
	session_token_hash(r->session, hex);
	p[0] = ids;
	p[1] = hex;
	p[2] = idle;
	p[3] = max;
	pager_init(&pg, r, SESSIONS_PAGE);
	p[4] = pg.offset;
	p[5] = pg.limit;
	/*
	 * Only live sessions: an expired one opens nothing, so is not shown.
	 * Every sign-in makes one, so they come a page at a time, this
	 * device's first.
	 */
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT id,"
	    " coalesce(user_agent, ''), coalesce(address, 'unknown'), "
	    SQL_LONDON("created", LONDON_STAMP) ", "
	    SQL_LONDON("last_seen", LONDON_STAMP) ","
	    " token_hash = decode($2, 'hex'), count(*) OVER ()"
	    " FROM sessions WHERE account = $1"
	    " AND last_seen > now() - make_interval(secs => $3)"
	    " AND created > now() - make_interval(secs => $4)"
	    " ORDER BY token_hash = decode($2, 'hex') DESC, last_seen DESC,"
	    " id DESC LIMIT $6 OFFSET $5", 6, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((m = view_add(v, "sessions")) == NULL)
			break;
		view_set(m, "id", PQgetvalue(res, i, SL_ID));
		sessions_device(m, PQgetvalue(res, i, SL_AGENT));
		view_set(m, "address", PQgetvalue(res, i, SL_ADDRESS));
		view_set(m, "created", PQgetvalue(res, i, SL_CREATED));
		view_set(m, "seen", PQgetvalue(res, i, SL_SEEN));
		view_flag(m, "this", strcmp(PQgetvalue(res, i, SL_THIS),
		    "t") == 0);
		view_setf(m, "end_label", "Sign out %s, last seen %s",
		    view_get(m, "device"), PQgetvalue(res, i, SL_SEEN));
		view_setf(m, "end_href", "/profile/sessions/end?session=%s",
		    PQgetvalue(res, i, SL_ID));
		pg.total = strtol(PQgetvalue(res, i, SL_TOTAL), NULL, 10);
	}
	PQclear(res);
	view_pager(v, r, &pg);
	return http_page(r, 200, "sessions", v);
}

/*
 * GET /profile/sessions/end?session=…, for this device's own session:
 * ending it signs this browser out, so it asks first.  Other sessions
 * are ended from the list by their own button, as nothing here is lost.
 */
static int
sessions_end_ask(struct request *r)
{
	struct confirm c = { 0 };

	c.heading = "Sign out of this device?";
	c.what[0] = "This is the browser you are using now. You will need "
	    "your email address and password to sign in again.";
	c.action = "/profile/sessions/end";
	c.fields[0] = "session";
	c.fields[1] = r->form.f[KEY_SESSION].text;
	c.button = "Yes, sign out of this device";
	c.back = "/profile/sessions";
	return page_confirm(r, &c);
}

/*
 * Ends one session of the signed-in account, recorded in the same
 * transaction.  A number that is not one of theirs ends nothing and is
 * answered as if it had already ended.  GET only asks.
 */
int
sessions_end(struct request *r)
{
	char hex[65], ids[32];
	const char *p[3];
	PGresult *res;
	int found, mine;

	if (r->form.f[KEY_SESSION].text == NULL ||
	    r->form.f[KEY_SESSION].error != FIELD_OK)
		return http_error(r, 400);
	if (r->method != METHOD_POST)
		return sessions_end_ask(r);
	snprintf(ids, sizeof(ids), "%ld", r->account->id);
	session_token_hash(r->session, hex);
	p[0] = r->form.f[KEY_SESSION].text;
	p[1] = ids;
	p[2] = hex;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK, "DELETE FROM sessions"
	    " WHERE id = $1 AND account = $2"
	    " RETURNING token_hash = decode($3, 'hex')", 3, p);
	if (res == NULL) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	found = PQntuples(res) == 1;
	mine = found && strcmp(PQgetvalue(res, 0, DB_ONLY), "t") == 0;
	PQclear(res);
	if (!found) {
		db_rollback(r->db);
		return page_message(r, 404, "That session has already ended",
		    "It is not in the list of places where you are signed in.",
		    "/profile/sessions", "See where you are signed in", 0);
	}
	if (audit_commit(r->db, r->account->id, "end session", NULL) == -1)
		return http_error(r, 503);
	if (mine) {
		account_sign_out(r);
		return http_redirect(r, "/");
	}
	return http_redirect(r, "/profile/sessions?saved=yes");
}

/* GET /signout/everywhere: it signs this browser out too, so it asks. */
static int
sessions_end_all_ask(struct request *r)
{
	struct confirm c = { 0 };

	c.heading = "Sign out everywhere?";
	c.what[0] = "Every browser and device where your account is signed "
	    "in is signed out, this one included. You will need your email "
	    "address and password to sign in again.";
	c.what[1] = "Any link we have emailed you to change your email "
	    "address or reset your password stops working.";
	c.action = "/signout/everywhere";
	c.button = "Yes, sign out everywhere";
	c.back = "/profile/sessions";
	return page_confirm(r, &c);
}

/*
 * /signout/everywhere: every session of the account, this one too, and
 * every link mailed to change its address or password, in one
 * transaction with its record.  GET only asks.
 */
int
sessions_end_all(struct request *r)
{
	long id = r->account->id;

	if (r->method != METHOD_POST)
		return sessions_end_all_ask(r);

	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	if (session_end_all(r, 1) == -1 ||
	    account_links_revoke(r->db, id) == -1) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	account_sign_out(r);
	if (audit_commit(r->db, id, "sign out everywhere", NULL) == -1)
		return http_error(r, 503);
	return page_message(r, 200, "You have been signed out everywhere",
	    "Every browser and device where your account was signed in, this "
	    "one included, has been signed out.", "/signin", "Sign in again",
	    1);
}
