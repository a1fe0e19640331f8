/*
 * /manage: the coordinators' tools in one place, each with a line on
 * what it is for and the number that says whether it needs them now
 * (people waiting for approval, mail not sent, peers), and the footer
 * pages they may word for themselves.  The tools' own pages are
 * elsewhere; the layout gives every one of them the same sub-navigation.
 */
#include <stdio.h>
#include <stdlib.h>

#include "web.h"
#include "pages.h"

/* The people waiting for the viewer ($1) to approve them, and the peers. */
static const char counts_query[] =
    "SELECT (SELECT count(*) FROM accounts a JOIN members m"
    "  ON m.id = a.member WHERE" SQL_PENDING_FOR("$1") "),"
    " (SELECT count(*) FROM peers)";

enum { MC_PENDING, MC_PEERS };

/* The columns of outbox_counts_sql. */
enum { MO_TOTAL, MO_WAITING, MO_FAILED };

/* GET /manage */
int
manage_page(struct request *r)
{
	struct view *v;
	PGresult *res = NULL;
	const char *p[1];
	char me[32];
	long pending, peers, waiting, failed;

	if ((v = page_view(r, "Manage")) == NULL)
		return http_error(r, 500);
	snprintf(me, sizeof(me), "%ld", r->account->id);
	p[0] = me;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, counts_query, 1,
	    p)) == NULL)
		goto fail;
	pending = strtol(PQgetvalue(res, 0, MC_PENDING), NULL, 10);
	peers = strtol(PQgetvalue(res, 0, MC_PEERS), NULL, 10);
	PQclear(res);
	if ((res = db_query(r->db, PGRES_TUPLES_OK, outbox_counts_sql, 1,
	    p)) == NULL)
		goto fail;
	waiting = strtol(PQgetvalue(res, 0, MO_WAITING), NULL, 10);
	failed = strtol(PQgetvalue(res, 0, MO_FAILED), NULL, 10);
	PQclear(res);
	res = NULL;

	if (pending == 0)
		view_set(v, "pending_text", "Nobody is waiting for approval.");
	else
		view_setf(v, "pending_text", "%ld %s waiting for approval.",
		    pending, pending == 1 ? "person is" : "people are");
	view_flag(v, "pending", pending > 0);
	view_setf(v, "mail_text", "%ld %s not sent yet%s.", waiting,
	    waiting == 1 ? "message" : "messages",
	    cfg->smtp_url[0] == '\0' ? ": mail is not set up" : "");
	if (failed > 0)
		view_setf(v, "failed_text", "%ld could not be delivered.",
		    failed);
	view_flag(v, "mail_waiting", waiting > 0 || failed > 0);
	if (peers == 0)
		view_set(v, "peers_text", "This node has no peers yet, so it "
		    "shares nothing with the rest of the network.");
	else
		view_setf(v, "peers_text", "%ld %s.", peers, peers == 1 ?
		    "peer" : "peers");
	if (site_pages_view(r, v) == -1)
		goto fail;
	return http_page(r, 200, "manage", v);
fail:
	PQclear(res);
	view_free(v);
	return http_error(r, 503);
}
