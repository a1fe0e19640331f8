/*
 * The coordinator's view of the network: how pulling from each peer is
 * going (/admin/sync), and which peers this node trusts (/admin/peers),
 * where a coordinator pins a new one by its address and the fingerprint
 * of its key, confirming the identity it claims, or removes one.
 * Examining, pinning and removing are the federation library's
 * (peer_examine, peer_add, peer_remove); this file only asks and shows.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"
#include "federation.h"

#define FINGERPRINT_LEN	64	/* hex SHA-256 */
#define RECENT_REFUSED	10	/* refused entries shown for each peer */
#define CONFLICTS_PAGE	25	/* records claimed by two nodes, a page */

/* Both pages mark the same navigation link as the current one. */
static struct view *
network_view(struct request *r, const char *title)
{
	struct view *v;

	if ((v = page_view(r, title)) != NULL)
		view_flag(v, "at_network", 1);
	return v;
}

/* "ab12 cd34 …": a fingerprint in groups of four, for people to compare. */
static void
fingerprint_groups(const char *hex, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; hex[i] != '\0'; i++) {
		if (o + (i > 0 && i % 4 == 0) + 1 >= size)
			break;
		if (i > 0 && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = hex[i];
	}
	out[o] = '\0';
}

/* "42 seconds", or with a rounder figure beside it when that helps. */
static void
seconds_text(struct view *v, const char *key, long s)
{
	if (s < 120)
		view_setf(v, key, "%ld %s", s, s == 1 ? "second" : "seconds");
	else if (s < 2 * 3600)
		view_setf(v, key, "%ld seconds (about %ld minutes)", s, s / 60);
	else if (s < 2 * 86400)
		view_setf(v, key, "%ld seconds (about %ld hours)", s, s / 3600);
	else
		view_setf(v, key, "%ld seconds (about %ld days)", s, s / 86400);
}

/* ------------------------------------------------------------------ */
/* GET /admin/sync                                                      */

/*
 * One row per peer.  A peer is failing when its last error is newer
 * than its last success; behind is what it held that this node has not
 * merged yet, over every collection, and for how long the oldest of it
 * has waited.
 */
static const char sync_query[] =
    "SELECT p.id, coalesce(k.name, p.name), coalesce(k.region, p.region),"
    " p.url, p.hub, " SQL_LONDON("p.last_success", LONDON_STAMP) ","
    " p.last_error,"
    " coalesce((SELECT sum(c.behind) FROM peer_cursors c"
    "  WHERE c.peer = p.id), 0),"
    " coalesce((SELECT greatest(0, floor(extract(epoch FROM"
    "  now() - min(c.behind_since))))::bigint FROM peer_cursors c"
    "  WHERE c.peer = p.id AND c.behind > 0), 0),"
    " (SELECT count(*) FROM rejections j WHERE j.peer = p.id),"
    " p.last_error IS NOT NULL AND (p.last_success IS NULL"
    "  OR p.last_attempt IS NULL OR p.last_attempt > p.last_success),"
    " " SQL_LONDON("p.last_attempt", LONDON_STAMP) ","
    " " SQL_LONDON("p.next_attempt", LONDON_STAMP) ","
    " (SELECT string_agg(c.error || ' (since ' || "
    SQL_LONDON("c.error_at", LONDON_STAMP) " || ')', E'\n'"
    "  ORDER BY c.collection) FROM peer_cursors c"
    "  WHERE c.peer = p.id AND c.error IS NOT NULL)"
    " FROM peers p LEFT JOIN known_nodes k ON k.id = p.node"
    " ORDER BY lower(coalesce(k.name, p.name)), p.id";

enum {
	S_ID, S_NAME, S_REGION, S_URL, S_HUB, S_SUCCESS, S_ERROR, S_BEHIND,
	S_SECONDS, S_REFUSED, S_FAILING, S_ATTEMPT, S_NEXT, S_STUCK
};

/* The newest refused entries of every peer, and of no peer (peer NULL). */
static const char refused_query[] =
    "SELECT j.peer, " SQL_LONDON("j.at", LONDON_STAMP) ","
    " j.collection, j.entry_id,"
    " j.reason FROM (SELECT *, row_number() OVER (PARTITION BY peer"
    "  ORDER BY id DESC) AS n FROM rejections) j"
    " WHERE j.n <= $1::integer ORDER BY j.peer NULLS LAST, j.id DESC";

enum { R_PEER, R_AT, R_COLLECTION, R_ENTRY, R_REASON };

/* One peer's row of the sync table; returns 1 when all is well with it. */
static int
sync_row(struct view *p, const PGresult *res, int i)
{
	long behind = strtol(PQgetvalue(res, i, S_BEHIND), NULL, 10);
	long secs = strtol(PQgetvalue(res, i, S_SECONDS), NULL, 10);
	long refused = strtol(PQgetvalue(res, i, S_REFUSED), NULL, 10);
	int stuck = !PQgetisnull(res, i, S_STUCK);
	int failing = *PQgetvalue(res, i, S_FAILING) == 't' || stuck;
	int never = PQgetisnull(res, i, S_SUCCESS);

	view_set(p, "name", PQgetvalue(res, i, S_NAME));
	view_set(p, "peer_region", PQgetvalue(res, i, S_REGION));
	view_set(p, "url", PQgetvalue(res, i, S_URL));
	view_set(p, "hub", *PQgetvalue(res, i, S_HUB) == 't' ? "Hub" :
	    "Not a hub");
	view_set(p, "last_success", never ? "Never" :
	    PQgetvalue(res, i, S_SUCCESS));
	view_set(p, "last_attempt", db_value(res, i, S_ATTEMPT));
	view_set(p, "next_attempt", db_value(res, i, S_NEXT));
	view_set(p, "last_error", db_value(res, i, S_ERROR));
	/* Collections that stopped, each on its own: the others go on. */
	view_set(p, "stuck", db_value(res, i, S_STUCK));
	view_setf(p, "behind", "%ld %s", behind, behind == 1 ? "entry" :
	    "entries");
	seconds_text(p, "seconds", secs);
	view_setf(p, "refused", "%ld", refused);
	view_setf(p, "refused_heading", "Refused from %s",
	    PQgetvalue(res, i, S_NAME));
	/* The state in words: never by colour alone. */
	if (failing)
		view_set(p, "status", "Failing");
	else if (never)
		view_set(p, "status", "Not reached yet");
	else if (behind > 0)
		view_set(p, "status", "Catching up");
	else
		view_set(p, "status", "Up to date");
	view_setf(p, "status_class", "tag %s", failing ? "tag--orange" :
	    never || behind > 0 ? "tag--yellow" : "tag--green");
	return !failing && !never && behind == 0;
}

/*
 * Registrations between this node and others not delivered yet (the
 * inbox, docs/protocol.md section 8): by node and direction, how many,
 * when the next try is and what went wrong last.
 */
static const char deliveries_query[] =
    "SELECT coalesce(k.name, 'Node ' || u.node), u.outbound, count(*),"
    " " SQL_LONDON("min(u.next)", LONDON_SHORT_SECONDS) ","
    " (array_agg(u.err ORDER BY u.next DESC)"
    "  FILTER (WHERE u.err IS NOT NULL))[1]"
    " FROM (SELECT host AS node, true AS outbound,"
    "  next_attempt AS next, last_error AS err FROM away_registrations"
    "  WHERE delivered < version"
    "  UNION ALL SELECT home, false, next_attempt, last_error"
    "  FROM inbox_requests WHERE delivered < out_version) u"
    " LEFT JOIN known_nodes k ON k.id = u.node"
    " GROUP BY 1, 2 ORDER BY 1, 2 DESC";

enum { DV_NODE, DV_OUTBOUND, DV_COUNT, DV_NEXT, DV_ERROR };

static int
deliveries_view(struct request *r, struct view *v)
{
	struct view *d;
	PGresult *res;
	const char *count;
	int i, n;

	res = db_query(r->db, PGRES_TUPLES_OK, deliveries_query, 0, NULL);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((d = view_add(v, "deliveries")) == NULL)
			break;
		count = PQgetvalue(res, i, DV_COUNT);
		view_set(d, "node", PQgetvalue(res, i, DV_NODE));
		view_setf(d, "what", "%s %s", count,
		    *PQgetvalue(res, i, DV_OUTBOUND) == 't' ?
		    (strcmp(count, "1") == 0 ? "registration or cancellation "
		    "by members here" : "registrations or cancellations by "
		    "members here") : (strcmp(count, "1") == 0 ? "answer to "
		    "its members" : "answers to its members"));
		view_set(d, "next", PQgetvalue(res, i, DV_NEXT));
		view_set(d, "last_error", db_value(res, i, DV_ERROR));
	}
	view_flag(v, "any_deliveries", n > 0);
	PQclear(res);
	return 0;
}

/*
 * Record ids two origins claim: the first stored owns the record, and
 * every entry of the other's under that id was refused.
 */
static const char conflicts_query[] =
    "SELECT c.kind, 'urn:uuid:' || c.record,"
    " coalesce(o.name, 'Node urn:uuid:' || c.owner),"
    " coalesce(k.name, 'Node urn:uuid:' || c.claimant), c.times,"
    " " SQL_LONDON("c.last_seen", LONDON_STAMP) ", count(*) OVER ()"
    " FROM record_conflicts c"
    " LEFT JOIN known_nodes o ON o.id = c.owner"
    " LEFT JOIN known_nodes k ON k.id = c.claimant"
    " ORDER BY c.last_seen DESC, c.record LIMIT $2 OFFSET $1";

enum {
	CF_KIND, CF_RECORD, CF_OWNER, CF_CLAIMANT, CF_TIMES, CF_SEEN, CF_TOTAL
};

/* The one list of the page that can grow without bound: a page of it. */
static int
conflicts_view(struct request *r, struct view *v)
{
	struct view *c;
	struct pager pg;
	const char *p[2];
	PGresult *res;
	int i, n;

	pager_init(&pg, r, CONFLICTS_PAGE);
	p[0] = pg.offset;
	p[1] = pg.limit;
	res = db_query(r->db, PGRES_TUPLES_OK, conflicts_query, 2, p);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((c = view_add(v, "conflicts")) == NULL)
			break;
		view_set(c, "record", PQgetvalue(res, i, CF_RECORD));
		view_set(c, "kind", PQgetvalue(res, i, CF_KIND));
		view_set(c, "owner", PQgetvalue(res, i, CF_OWNER));
		view_set(c, "claimant", PQgetvalue(res, i, CF_CLAIMANT));
		view_setf(c, "times", "%s %s", PQgetvalue(res, i, CF_TIMES),
		    strcmp(PQgetvalue(res, i, CF_TIMES), "1") == 0 ? "time" :
		    "times");
		view_set(c, "seen", PQgetvalue(res, i, CF_SEEN));
		pg.total = strtol(PQgetvalue(res, i, CF_TOTAL), NULL, 10);
	}
	view_flag(v, "any_conflicts", n > 0 || pg.page > 1);
	PQclear(res);
	view_pager(v, r, &pg);
	return 0;
}

int
network_sync(struct request *r)
{
	struct view *v, **rows = NULL, *p, *j, *to;
	PGresult *res = NULL, *refused = NULL;
	const char *q[1];
	char limit[16];
	long id;
	int i, k, n, well = 0;
	unsigned int status = 503;

	snprintf(limit, sizeof(limit), "%d", RECENT_REFUSED);
	q[0] = limit;
	if ((v = network_view(r, "Sync with peers")) == NULL)
		return http_error(r, 500);
	if ((res = db_query(r->db, PGRES_TUPLES_OK, sync_query, 0, NULL)) ==
	    NULL || (refused = db_query(r->db, PGRES_TUPLES_OK, refused_query,
	    1, q)) == NULL)
		goto done;
	n = PQntuples(res);
	if (n > 0 && (rows = calloc((size_t)n, sizeof(*rows))) == NULL) {
		status = 500;
		goto done;
	}
	for (i = 0; i < n; i++) {
		if ((p = rows[i] = view_add(v, "peers")) == NULL) {
			status = 500;
			goto done;
		}
		well += sync_row(p, res, i);
	}
	for (i = 0; i < PQntuples(refused); i++) {
		to = NULL;
		if (PQgetisnull(refused, i, R_PEER))
			to = v;	/* refused, but from no peer pinned now */
		else {
			id = strtol(PQgetvalue(refused, i, R_PEER), NULL, 10);
			for (k = 0; k < n && to == NULL; k++)
				if (strtol(PQgetvalue(res, k, S_ID), NULL,
				    10) == id)
					to = rows[k];
		}
		if (to == NULL || (j = view_add(to, to == v ? "unpeered" :
		    "recent")) == NULL)
			continue;
		view_set(j, "at", PQgetvalue(refused, i, R_AT));
		view_set(j, "collection", db_value(refused, i, R_COLLECTION));
		view_set(j, "entry_id", db_value(refused, i, R_ENTRY));
		view_set(j, "reason", PQgetvalue(refused, i, R_REASON));
	}
	if (deliveries_view(r, v) == -1 || conflicts_view(r, v) == -1)
		goto done;
	view_flag(v, "any_refused", PQntuples(refused) > 0);
	view_flag(v, "none_refused", n > 0 && PQntuples(refused) == 0);
	view_flag(v, "no_peers", n == 0);
	view_flag(v, "all_well", n > 0 && well == n);
	if (n > 0 && well < n)
		view_setf(v, "attention", "%d of %d %s %s attention.",
		    n - well, n, n == 1 ? "peer" : "peers",
		    n - well == 1 ? "needs" : "need");
	status = 200;
done:
	free(rows);
	PQclear(refused);
	PQclear(res);
	if (status != 200) {
		view_free(v);
		return http_error(r, status);
	}
	return http_page(r, 200, "sync", v);
}

/* ------------------------------------------------------------------ */
/* GET and POST /admin/peers, POST /admin/peers/remove                  */

/* What a coordinator is told after being sent back to the list. */
static const struct {
	const char	*done;
	const char	*text;
} peers_done[] = {
	{ "added", "The peer was added. This node will pull what it shares "
	    "from now on." },
	{ "removed", "The peer was removed. This node no longer pulls from "
	    "it." },
	{ "gone", "That peer had already been removed." },
};

/* The peers pinned here, by name. */
static const char peers_query[] =
    "SELECT p.id, coalesce(k.name, p.name), coalesce(k.region, p.region),"
    " p.url, p.fingerprint, p.hub FROM peers p"
    " LEFT JOIN known_nodes k ON k.id = p.node"
    " ORDER BY lower(coalesce(k.name, p.name)), p.id";

enum { PL_ID, PL_NAME, PL_REGION, PL_URL, PL_FINGERPRINT, PL_HUB };

/* The list of peers and the form to add one, with what v already holds. */
static int
peers_page(struct request *r, struct view *v, unsigned int status)
{
	struct view *p;
	PGresult *res;
	char groups[FINGERPRINT_LEN + FINGERPRINT_LEN / 4 + 1];
	int i, n;

	res = db_query(r->db, PGRES_TUPLES_OK, peers_query, 0, NULL);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((p = view_add(v, "peers")) == NULL)
			break;
		view_set(p, "peer_id", PQgetvalue(res, i, PL_ID));
		view_set(p, "name", PQgetvalue(res, i, PL_NAME));
		view_set(p, "peer_region", PQgetvalue(res, i, PL_REGION));
		view_set(p, "url", PQgetvalue(res, i, PL_URL));
		fingerprint_groups(PQgetvalue(res, i, PL_FINGERPRINT), groups,
		    sizeof(groups));
		view_set(p, "fingerprint", groups);
		view_set(p, "hub", *PQgetvalue(res, i, PL_HUB) == 't' ? "Yes" :
		    "No");
		view_setf(p, "remove_label", "Remove peer %s",
		    PQgetvalue(res, i, PL_NAME));
		view_setf(p, "remove_href", "/admin/peers/remove?peer=%s",
		    PQgetvalue(res, i, PL_ID));
	}
	PQclear(res);
	/* What this node's peers pin: given to their coordinators. */
	if (server_signer != NULL) {
		fingerprint_groups(server_signer->fingerprint, groups,
		    sizeof(groups));
		view_set(v, "own_fingerprint", groups);
	}
	return http_page(r, status, "peers", v);
}

/* The add form's fields, checked; problems go into v.  NULL on one. */
static const char *
peer_form_read(struct request *r, struct view *v,
    char fingerprint[FINGERPRINT_LEN + 1])
{
	const char *url, *typed, *host;

	url = view_field(v, r, KEY_URL, "Enter the address of the peer, like "
	    "https://london.example.org");
	if (url != NULL) {
		host = url + (strncmp(url, "https://", 8) == 0 ? 8 : 7);
		if (*host == '\0' || *host == '/' || *host == ':') {
			view_error(v, "url", "Enter the peer's address with "
			    "the name of its server, like "
			    "https://london.example.org");
			url = NULL;
		}
	}
	typed = view_field(v, r, KEY_FINGERPRINT, "Enter the fingerprint of "
	    "the peer's key");
	if (typed != NULL && fingerprint_normalise(typed, fingerprint) == -1) {
		view_error(v, "fingerprint", "Enter the fingerprint as 64 "
		    "characters, each 0 to 9 or a to f; spaces and colons "
		    "between them are fine");
		typed = NULL;
	}
	view_flag(v, "v_hub", r->form.f[KEY_HUB].num == 1);
	return typed != NULL ? url : NULL;
}

/*
 * The first step of adding a peer: what it claims to be, for the
 * coordinator to compare with what its own coordinator said.  The
 * confirmation carries the address, fingerprint and hub choice typed,
 * and a digest of everything shown.
 */
static int
peer_confirm_page(struct request *r, struct view *v,
    const struct peer_claim *pc, int hub)
{
	char groups[FINGERPRINT_LEN + FINGERPRINT_LEN / 4 + 1];

	view_set(v, "c_url", pc->url);
	view_setf(v, "c_id", "urn:uuid:%s", pc->id);
	view_set(v, "c_name", pc->name);
	view_set(v, "c_region", pc->region);
	fingerprint_groups(pc->fingerprint, groups, sizeof(groups));
	view_set(v, "c_fingerprint", groups);
	view_set(v, "c_fingerprint_raw", pc->fingerprint);
	view_set(v, "c_claim", pc->digest);
	view_set(v, "c_hub", hub ? "Yes: it may vouch for other nodes" :
	    "No");
	view_set(v, "c_hub_value", hub ? "yes" : "");
	view_setf(v, "c_heading", "Add %s as a peer?", pc->name);
	return http_page(r, 200, "peer_confirm", v);
}

int
network_peers(struct request *r)
{
	struct peer_claim pc;
	struct view *v;
	char fingerprint[FINGERPRINT_LEN + 1], *why = NULL;
	const char *url, *done = r->form.f[KEY_DONE].text;
	const char *claim = r->form.f[KEY_CLAIM].text;
	int hub = r->form.f[KEY_HUB].num == 1, rc;
	size_t i;

	if ((v = network_view(r, "Peers")) == NULL)
		return http_error(r, 500);
	if (r->method != METHOD_POST) {
		for (i = 0; done != NULL && i < sizeof(peers_done) /
		    sizeof(peers_done[0]); i++)
			if (strcmp(done, peers_done[i].done) == 0)
				view_set(v, "done_text", peers_done[i].text);
		return peers_page(r, v, 200);
	}
	if ((url = peer_form_read(r, v, fingerprint)) == NULL)
		return peers_page(r, v, 422);
	if (claim == NULL) {
		/* First step: ask the peer who it is, and show it. */
		if (peer_examine(r->db, url, fingerprint, hub, &pc, &why) ==
		    0) {
			rc = peer_confirm_page(r, v, &pc, hub);
			peer_claim_free(&pc);
			return rc;
		}
	} else if (peer_add(r->db, url, fingerprint, hub, claim,
	    r->account->id, &why) == 0) {
		free(why);
		view_free(v);
		return http_redirect(r, "/admin/peers?done=added");
	}
	/* The reason names the address, the key or the node: all ours. */
	view_error(v, "url", why != NULL ? why : "The peer could not be "
	    "added. Check its address and fingerprint, and try again");
	free(why);
	return peers_page(r, v, 422);
}

/* The columns of peer_remove_ask's query. */
enum { PR_NAME, PR_URL };

/* GET /admin/peers/remove?peer=…: what removing it will do. */
static int
peer_remove_ask(struct request *r, const char *peer)
{
	const char *p[1] = { peer };
	struct confirm c = { 0 };
	char *heading = NULL, *what = NULL;
	PGresult *res;
	int rc;

	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT"
	    " coalesce(k.name, p.name), p.url FROM peers p"
	    " LEFT JOIN known_nodes k ON k.id = p.node"
	    " WHERE p.id = $1::bigint", 1, p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_redirect(r, "/admin/peers?done=gone");
	}
	heading = util_printf("Remove %s as a peer?",
	    PQgetvalue(res, 0, PR_NAME));
	what = util_printf("This node stops pulling members, events, "
	    "evaluations, documents and glossary terms from %s (%s), and "
	    "no longer trusts its key. If it was a hub, the nodes it "
	    "vouched for are no longer trusted through it.",
	    PQgetvalue(res, 0, PR_NAME), PQgetvalue(res, 0, PR_URL));
	PQclear(res);
	if (heading == NULL || what == NULL) {
		rc = http_error(r, 500);
		goto done;
	}
	c.heading = heading;
	c.what[0] = what;
	c.what[1] = "To add it back later you will need its address and the "
	    "fingerprint of its key again.";
	c.action = "/admin/peers/remove";
	c.fields[0] = "peer";
	c.fields[1] = peer;
	c.button = "Yes, remove the peer";
	c.back = "/admin/peers";
	rc = page_confirm(r, &c);
done:
	free(heading);
	free(what);
	return rc;
}

/* GET asks; the POST from its button removes the peer. */
int
network_peer_remove(struct request *r)
{
	const struct field *f = &r->form.f[KEY_PEER];
	const char *p[1];
	PGresult *res;
	int still;

	if (f->text == NULL || f->error != FIELD_OK)
		return http_error(r, 400);
	if (r->method != METHOD_POST)
		return peer_remove_ask(r, f->text);
	if (peer_remove(r->db, (long long)f->num, r->account->id) == 0)
		return http_redirect(r, "/admin/peers?done=removed");
	/* Gone already (a second click), or the database failed. */
	p[0] = f->text;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT 1 FROM peers"
	    " WHERE id = $1::bigint", 1, p)) == NULL)
		return http_error(r, 503);
	still = PQntuples(res) > 0;
	PQclear(res);
	return still ? http_error(r, 503) :
	    http_redirect(r, "/admin/peers?done=gone");
}
