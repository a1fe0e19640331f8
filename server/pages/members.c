/*
 * Member profiles and the directory: the home page, a member's own
 * profile, /members with search and filters, and one member's page.
 * Anyone sees listed profiles, this node's and those its peers shared;
 * a coordinator also sees every member of their own region who joined
 * this node, and an admin every member who joined this node
 * (acorn_looks_after), once the address they joined with is confirmed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define PAGE_SIZE	20

/*
 * The account asking, as acorn_looks_after's viewer: "0", nobody, for
 * a visitor.  Whom it may see unlisted is the schema's rule.
 */
static void
viewer(const struct request *r, char out[32])
{
	snprintf(out, 32, "%ld", r->account != NULL ? r->account->id : 0L);
}

/*
 * Whom viewer (a parameter, as viewer() writes it) sees, of members m
 * LEFT JOIN accounts a: listed profiles once their account is in use
 * (acorn_profile_ready), and those they look after; never a profile
 * whose address nobody has confirmed, which proves nothing about who
 * made it.  A visitor (0) looks after nobody: saying so here lets the
 * planner drop the look-up, a call for every unlisted member, from the
 * pages most people see.
 */
#define SQL_VISIBLE(viewer) \
	" NOT m.deleted AND (a.id IS NULL OR a.confirmed IS NOT NULL)" \
	" AND ((m.listed" \
	"   AND acorn_profile_ready(a.id, a.confirmed, a.status))" \
	"  OR (" viewer " <> 0 AND m.origin = (SELECT id FROM node)" \
	"  AND acorn_looks_after(" viewer ", m.region)))"

/* How many of a list the home page names: a count, never a scan. */
#define HOME_LIST	5
#define HOME_COUNT_CAP	100	/* "100 or more" past this */

/* The columns of home_public's query. */
enum { HP_LISTED };

/* The columns of home_events' query. */
enum { HE_ID, HE_TITLE, HE_STARTS, HE_REGION };

/*
 * The next few events anyone may see, for the visitor's home page, and
 * how many members are listed.
 */
static int
home_public(struct request *r, struct view *v)
{
	struct view *e;
	PGresult *res;
	long listed;
	int i, n;

	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT count(*) FROM members m LEFT JOIN accounts a"
	    " ON a.member = m.id WHERE m.listed AND NOT m.deleted"
	    " AND acorn_profile_ready(a.id, a.confirmed, a.status)", 0, NULL);
	if (res == NULL)
		return -1;
	listed = strtol(PQgetvalue(res, 0, HP_LISTED), NULL, 10);
	PQclear(res);
	view_setf(v, "listed_text", "%ld %s chosen to be listed in the "
	    "network directory.", listed, listed == 1 ? "member has" :
	    "members have");
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT e.id, e.title, " SQL_LONDON("e.starts", LONDON_WHEN) ","
	    " e.region FROM events e WHERE NOT e.deleted"
	    " AND e.status = 'published' AND e.starts > now()"
	    " ORDER BY e.starts, e.id LIMIT 3", 0, NULL);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((e = view_add(v, "events")) == NULL)
			break;
		view_setf(e, "href", "/events/%s", PQgetvalue(res, i, HE_ID));
		view_set(e, "title", PQgetvalue(res, i, HE_TITLE));
		view_set(e, "starts", PQgetvalue(res, i, HE_STARTS));
		view_set(e, "region", PQgetvalue(res, i, HE_REGION));
	}
	PQclear(res);
	return 0;
}

/*
 * The person's coming bookings, here and at other nodes, soonest first:
 * the places they hold, their places on waiting lists and what still
 * waits for them or for the other node.  Past events are left out;
 * /registrations has everything.
 */
static const char bookings_query[] =
    "SELECT b.event, b.title, " SQL_LONDON("b.starts", LONDON_WHEN) ","
    " b.status, b.position, b.event_status, count(*) OVER ()"
    " FROM (SELECT e.id AS event, e.title, e.starts, r.status,"
    "  CASE WHEN r.status = 'waiting' THEN acorn_waiting_position(r.id)"
    "  END AS position, e.status AS event_status"
    "  FROM registrations r JOIN events e ON e.id = r.event"
    "  WHERE r.account = $1::bigint AND r.status <> 'cancelled'"
    "  AND e.ends >= now()"
    "  UNION ALL SELECT e.id, e.title, e.starts, a.status, a.position,"
    "  e.status FROM away_registrations a JOIN events e ON e.id = a.event"
    "  WHERE a.account = $1::bigint AND a.wanted = 'registered'"
    "  AND a.status IN ('pending', 'confirmed', 'waiting')"
    "  AND e.ends >= now()) b"
    " ORDER BY b.starts, b.event LIMIT $2::integer";

enum { HB_EVENT, HB_TITLE, HB_STARTS, HB_STATUS, HB_POSITION,
    HB_EVENT_STATUS, HB_TOTAL };

/* What each state of a booking is called, and its tag's colour. */
static const struct {
	const char	*status;
	const char	*tag;
	const char	*tag_class;
} booking_states[] = {
	{ "confirmed", "You're booked", "tag tag--green" },
	{ "waiting", "You're on the waiting list", "tag tag--yellow" },
	{ "unconfirmed", "Confirm your email address", "tag tag--orange" },
	{ "pending", "Waiting for the node that runs it", "tag tag--grey" },
};

static void
booking_row(struct view *b, const PGresult *res, int i)
{
	const char *st = PQgetvalue(res, i, HB_STATUS);
	size_t k;

	view_setf(b, "href", "/events/%s", PQgetvalue(res, i, HB_EVENT));
	view_set(b, "title", PQgetvalue(res, i, HB_TITLE));
	view_set(b, "starts", PQgetvalue(res, i, HB_STARTS));
	if (strcmp(PQgetvalue(res, i, HB_EVENT_STATUS), "cancelled") == 0) {
		view_set(b, "tag", "Event cancelled");
		view_set(b, "tag_class", "tag tag--orange");
		return;
	}
	for (k = 0; k < sizeof(booking_states) / sizeof(booking_states[0]);
	    k++)
		if (strcmp(st, booking_states[k].status) == 0) {
			view_set(b, "tag", booking_states[k].tag);
			view_set(b, "tag_class", booking_states[k].tag_class);
		}
	if (strcmp(st, "waiting") == 0 && !PQgetisnull(res, i, HB_POSITION))
		view_setf(b, "detail", "Number %s on the waiting list",
		    PQgetvalue(res, i, HB_POSITION));
}

static int
home_bookings(struct request *r, struct view *v)
{
	const char *p[2];
	char acc[32], limit[16];
	PGresult *res;
	struct view *b;
	long total = 0;
	int i, n;

	snprintf(acc, sizeof(acc), "%ld", r->account->id);
	snprintf(limit, sizeof(limit), "%d", HOME_LIST);
	p[0] = acc;
	p[1] = limit;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, bookings_query, 2, p)) ==
	    NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((b = view_add(v, "bookings")) == NULL)
			break;
		booking_row(b, res, i);
		total = strtol(PQgetvalue(res, i, HB_TOTAL), NULL, 10);
	}
	PQclear(res);
	view_flag(v, "no_bookings", n == 0);
	if (total > n)
		view_setf(v, "more_bookings", "See all %ld of your coming "
		    "bookings", total);
	return 0;
}

/* The columns of home_prompts' query. */
enum { HQ_BIO, HQ_INTERESTS, HQ_LISTED };

/* What would make the person's profile more use to others. */
static int
home_prompts(struct request *r, struct view *v)
{
	const char *p[1] = { r->account->member };
	PGresult *res;

	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT coalesce(bio, '') = '',"
	    " coalesce(interests, '') = '', listed FROM members"
	    " WHERE id = $1", 1, p);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1) {
		view_flag(v, "prompt_bio", *PQgetvalue(res, 0, HQ_BIO) == 't');
		view_flag(v, "prompt_interests",
		    *PQgetvalue(res, 0, HQ_INTERESTS) == 't');
		view_flag(v, "prompt_listed",
		    *PQgetvalue(res, 0, HQ_LISTED) == 'f');
	}
	PQclear(res);
	view_flag(v, "prompts", view_has(v, "prompt_bio") ||
	    view_has(v, "prompt_interests") || view_has(v, "prompt_listed"));
	return 0;
}

/*
 * What waits for a coordinator ($1): the requests to join they decide,
 * mail held or given up on that they may read (held counts only when it
 * is stuck: no mail server ($2), or a failed try), and peers failing to
 * sync.  Each count stops at HOME_COUNT_CAP ($3), so a long queue costs
 * no more than a short one.
 */
static const char attention_query[] =
    "SELECT (SELECT count(*) FROM (SELECT 1 FROM accounts a"
    "  JOIN members m ON m.id = a.member WHERE" SQL_PENDING_FOR("$1")
    "  LIMIT $3::integer) x),"
    " (SELECT count(*) FROM (SELECT 1" SQL_OUTBOX_SEEN("$1")
    "  AND o.sent IS NULL AND o.failed IS NULL"
    "  AND ($2::boolean OR o.attempts > 0) LIMIT $3::integer) x),"
    " (SELECT count(*) FROM (SELECT 1" SQL_OUTBOX_SEEN("$1")
    "  AND o.failed > now() - interval '7 days' LIMIT $3::integer) x),"
    " (SELECT count(*) FROM peers p WHERE (p.last_error IS NOT NULL"
    "  AND (p.last_success IS NULL OR p.last_attempt IS NULL"
    "  OR p.last_attempt > p.last_success))"
    "  OR EXISTS (SELECT 1 FROM peer_cursors c WHERE c.peer = p.id"
    "  AND c.error IS NOT NULL))";

enum { HA_PENDING, HA_HELD, HA_FAILED, HA_PEERS };

/* "3 people", or "100 or more people" when the count stopped. */
static void
count_text(struct view *v, const char *key, const PGresult *res, int col,
    const char *one, const char *many, const char *rest)
{
	long n = strtol(PQgetvalue(res, 0, col), NULL, 10);

	if (n == 0)
		return;
	view_setf(v, key, "%s%ld %s %s", n >= HOME_COUNT_CAP ? "At least " :
	    "", n, n == 1 ? one : many, rest);
}

static int
home_attention(struct request *r, struct view *v)
{
	const char *p[3];
	char me[32], cap[16];
	int mail_off = cfg->smtp_url[0] == '\0';
	PGresult *res;

	snprintf(me, sizeof(me), "%ld", r->account->id);
	snprintf(cap, sizeof(cap), "%d", HOME_COUNT_CAP);
	p[0] = me;
	p[1] = mail_off ? "true" : "false";
	p[2] = cap;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, attention_query, 3, p)) ==
	    NULL)
		return -1;
	count_text(v, "pending_text", res, HA_PENDING, "person is",
	    "people are", "waiting for your approval.");
	count_text(v, "held_text", res, HA_HELD, "message is", "messages are",
	    mail_off ? "held: nobody receives them until a mail server is "
	    "set up." : "waiting to be tried again.");
	count_text(v, "failed_text", res, HA_FAILED, "message", "messages",
	    "could not be delivered in the last 7 days.");
	count_text(v, "peers_text", res, HA_PEERS, "peer is", "peers are",
	    "failing to sync.");
	PQclear(res);
	view_flag(v, "mail_not_set_up", mail_off);
	view_flag(v, "any_tasks", view_has(v, "pending_text") ||
	    view_has(v, "held_text") || view_has(v, "failed_text") ||
	    view_has(v, "peers_text"));
	view_flag(v, "all_clear", !view_has(v, "pending_text") &&
	    !view_has(v, "held_text") && !view_has(v, "failed_text") &&
	    !view_has(v, "peers_text") && !mail_off);
	return 0;
}

/*
 * The documents and evaluations changed most recently, with who made
 * the change here (their last revision's author) or the node it came
 * from.
 */
static const char recent_query[] =
    "(SELECT 'document', '/library/' || d.slug, d.title,"
    " coalesce(r.author_name, k.name, 'another node'),"
    " " SQL_LONDON("d.updated", LONDON_STAMP)
    " FROM documents d LEFT JOIN document_revisions r"
    " ON r.document = d.id AND r.number = d.revision"
    " LEFT JOIN known_nodes k ON k.id = d.origin"
    " WHERE NOT d.deleted ORDER BY d.updated DESC, d.id LIMIT $1::integer)"
    " UNION ALL"
    " (SELECT 'evaluation', '/evidence/' || e.id, e.title,"
    " coalesce(r.author_name, k.name, 'another node'),"
    " " SQL_LONDON("e.updated", LONDON_STAMP)
    " FROM evaluations e LEFT JOIN evaluation_revisions r"
    " ON r.evaluation = e.id AND r.number = e.revision"
    " LEFT JOIN known_nodes k ON k.id = e.origin"
    " WHERE NOT e.deleted ORDER BY e.updated DESC, e.id LIMIT $1::integer)";

enum { HR_KIND, HR_HREF, HR_TITLE, HR_WHO, HR_WHEN };

static int
home_recent(struct request *r, struct view *v)
{
	const char *p[1];
	char limit[16];
	PGresult *res;
	struct view *d;
	int i, n;

	snprintf(limit, sizeof(limit), "%d", HOME_LIST);
	p[0] = limit;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, recent_query, 1, p)) ==
	    NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((d = view_add(v, strcmp(PQgetvalue(res, i, HR_KIND),
		    "document") == 0 ? "documents" : "evaluations")) == NULL)
			break;
		view_set(d, "href", PQgetvalue(res, i, HR_HREF));
		view_set(d, "title", PQgetvalue(res, i, HR_TITLE));
		view_setf(d, "changed", "Changed by %s, %s",
		    PQgetvalue(res, i, HR_WHO), PQgetvalue(res, i, HR_WHEN));
	}
	PQclear(res);
	return 0;
}

/*
 * GET /: for a visitor, what the network is, how to join and what is
 * coming up; for someone signed in, what to do next: their coming
 * bookings, what would make their profile findable, what waits for a
 * coordinator, and what changed in the library.  A few small queries,
 * each bounded, as it is the page people land on.
 */
int
members_home(struct request *r)
{
	struct view *v;
	int rc;

	if ((v = page_view(r, r->account != NULL ? "Home" :
	    cfg->node_name)) == NULL)
		return http_error(r, 500);
	if (r->account == NULL)
		rc = home_public(r, v);
	else
		rc = home_bookings(r, v) == -1 || home_prompts(r, v) == -1 ||
		    (is_coordinator(r) && home_attention(r, v) == -1) ||
		    home_recent(r, v) == -1 ? -1 : 0;
	if (rc == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	return http_page(r, 200, r->account != NULL ? "home" : "welcome", v);
}

static void
set_group(struct view *v, const char *code)
{
	const char *label = stakeholder_label(code);

	view_set(v, "group", label != NULL ? label : code);
}

/* The columns of members_list's query, SQL_ORIGIN's three last. */
enum {
	ML_ID, ML_NAME, ML_ORGANISATION, ML_ROLE_TITLE, ML_GROUP, ML_REGION,
	ML_INTERESTS, ML_LISTED, ML_PENDING, ML_TOTAL, ML_RECEIVED
};

int
members_list(struct request *r)
{
	struct view *v, *m;
	const struct form *f = &r->form;
	const char *q, *group, *region, *p[6];
	char me[32];
	struct pager pg;
	PGresult *res;
	int i, n;

	if ((v = page_view(r, "Members")) == NULL)
		return http_error(r, 500);
	view_choices(v);
	/* A refused filter is ignored rather than guessed at. */
	q = f->f[KEY_Q].text ? f->f[KEY_Q].text : "";
	group = f->f[KEY_GROUP].text ? f->f[KEY_GROUP].text : "";
	region = f->f[KEY_REGION].text ? f->f[KEY_REGION].text : "";
	pager_init(&pg, r, PAGE_SIZE);
	view_set(v, "v_q", q);
	view_set(v, "v_group", group);
	view_set(v, "v_region", region);
	if (is_admin(r))
		view_flag(v, "admin_view", 1);
	else if (is_coordinator(r)) {
		view_flag(v, "coordinator_view", 1);
		view_set(v, "my_region", r->account->region);
	}
	viewer(r, me);
	p[0] = me;
	p[1] = q;
	p[2] = group;
	p[3] = region;
	p[4] = pg.offset;
	p[5] = pg.limit;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT m.id, m.name, m.organisation, m.role_title, m.stakeholder,"
	    " m.region, m.interests, m.listed, a.status = 'pending',"
	    " count(*) OVER (), " SQL_ORIGIN("m")
	    " FROM members m LEFT JOIN accounts a ON a.member = m.id"
	    SQL_KNOWN("m")
	    " WHERE" SQL_VISIBLE("$1")
	    " AND ($2 = '' OR m.search @@ acorn_prefix_query($2))"
	    " AND ($3 = '' OR m.stakeholder = $3)"
	    " AND ($4 = '' OR m.region = $4)"
	    " ORDER BY CASE WHEN $2 = '' THEN 0"
	    " ELSE ts_rank(m.search, acorn_prefix_query($2)) END DESC,"
	    " lower(m.name), m.id"
	    " LIMIT $6 OFFSET $5", 6, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if ((m = view_add(v, "members")) == NULL)
			break;
		view_setf(m, "href", "/members/%s", PQgetvalue(res, i, ML_ID));
		view_set(m, "name", PQgetvalue(res, i, ML_NAME));
		view_set(m, "organisation", db_value(res, i, ML_ORGANISATION));
		view_set(m, "role_title", db_value(res, i, ML_ROLE_TITLE));
		view_flag(m, "sep", !PQgetisnull(res, i, ML_ORGANISATION) &&
		    !PQgetisnull(res, i, ML_ROLE_TITLE));
		set_group(m, PQgetvalue(res, i, ML_GROUP));
		view_set(m, "region", PQgetvalue(res, i, ML_REGION));
		view_set(m, "interests", db_value(res, i, ML_INTERESTS));
		view_flag(m, "unlisted", strcmp(PQgetvalue(res, i, ML_LISTED),
		    "f") == 0);
		view_flag(m, "pending", strcmp(PQgetvalue(res, i, ML_PENDING),
		    "t") == 0);
		pg.total = strtol(PQgetvalue(res, i, ML_TOTAL), NULL, 10);
		origin_view(m, res, i, ML_RECEIVED);
	}
	PQclear(res);
	view_setf(v, "result_text", "%ld %s found", pg.total,
	    pg.total == 1 ? "member" : "members");
	view_pager(v, r, &pg);
	return http_page(r, 200, "members", v);
}

/* The columns of members_show's query, SQL_ORIGIN's three last. */
enum {
	MS_NAME, MS_ORGANISATION, MS_ROLE_TITLE, MS_GROUP, MS_REGION,
	MS_INTERESTS, MS_BIO, MS_LISTED, MS_PENDING, MS_UPDATED, MS_RECEIVED
};

int
members_show(struct request *r)
{
	struct view *v;
	const char *p[2];
	char me[32];
	PGresult *res;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	viewer(r, me);
	p[0] = r->arg;
	p[1] = me;
	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT m.name, m.organisation, m.role_title, m.stakeholder,"
	    " m.region, m.interests, m.bio, m.listed, a.status = 'pending',"
	    " " SQL_LONDON("m.updated", LONDON_DAY) ", " SQL_ORIGIN("m")
	    " FROM members m LEFT JOIN accounts a ON a.member = m.id"
	    SQL_KNOWN("m")
	    " WHERE m.id = $1 AND" SQL_VISIBLE("$2"), 2, p);
	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	if ((v = page_view(r, PQgetvalue(res, 0, MS_NAME))) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	view_set(v, "name", PQgetvalue(res, 0, MS_NAME));
	view_set(v, "organisation", db_value(res, 0, MS_ORGANISATION));
	view_set(v, "role_title", db_value(res, 0, MS_ROLE_TITLE));
	set_group(v, PQgetvalue(res, 0, MS_GROUP));
	view_set(v, "region", PQgetvalue(res, 0, MS_REGION));
	view_set(v, "interests", db_value(res, 0, MS_INTERESTS));
	view_set(v, "bio", db_value(res, 0, MS_BIO));
	view_flag(v, "unlisted", strcmp(PQgetvalue(res, 0, MS_LISTED),
	    "f") == 0);
	view_flag(v, "pending", strcmp(PQgetvalue(res, 0, MS_PENDING),
	    "t") == 0);
	view_set(v, "updated", PQgetvalue(res, 0, MS_UPDATED));
	origin_view(v, res, 0, MS_RECEIVED);
	PQclear(res);
	return http_page(r, 200, "member", v);
}

/*
 * Whether the signed-in person's region is not theirs to change.  A
 * coordinator's region is whose requests to join they decide and whose
 * unlisted profiles they see, so moving it would open another region's
 * people to them: an admin moves coordinators (/admin/roles).  Members
 * and contributors may move, as people change jobs: their region opens
 * nothing to them, since only coordinators and admins see unlisted
 * profiles, and it is their own profile's word on where they work.
 * Admins see every region already.
 */
static int
region_fixed(const struct request *r)
{
	return is_coordinator(r) && !is_admin(r);
}

/* The columns of profile_load's query. */
enum {
	MP_NAME, MP_ORGANISATION, MP_ROLE_TITLE, MP_GROUP, MP_REGION,
	MP_INTERESTS, MP_BIO, MP_LISTED
};

static int
profile_load(struct request *r, struct view *v)
{
	const char *p[1] = { r->account->member };
	PGresult *res;

	res = db_query(r->db, PGRES_TUPLES_OK,
	    "SELECT name, organisation, role_title, stakeholder, region,"
	    " interests, bio, listed FROM members WHERE id = $1", 1, p);
	if (res == NULL || PQntuples(res) != 1) {
		PQclear(res);
		return -1;
	}
	view_set(v, "v_name", db_value(res, 0, MP_NAME));
	view_set(v, "v_organisation", db_value(res, 0, MP_ORGANISATION));
	view_set(v, "v_role_title", db_value(res, 0, MP_ROLE_TITLE));
	view_set(v, "v_group", db_value(res, 0, MP_GROUP));
	view_set(v, "v_region", db_value(res, 0, MP_REGION));
	view_set(v, "v_interests", db_value(res, 0, MP_INTERESTS));
	view_set(v, "v_bio", db_value(res, 0, MP_BIO));
	view_flag(v, "v_listed", strcmp(PQgetvalue(res, 0, MP_LISTED),
	    "t") == 0);
	PQclear(res);
	return 0;
}

int
members_profile(struct request *r)
{
	struct view *v;
	const char *p[10];
	int listed;

	if ((v = page_view(r, "Your profile")) == NULL)
		return http_error(r, 500);
	view_choices(v);
	view_set(v, "email", r->account->email);
	view_set(v, "role", r->account->role);
	if (region_fixed(r)) {
		view_flag(v, "region_fixed", 1);
		view_set(v, "fixed_region", r->account->region);
	}
	if (r->method != METHOD_POST) {
		if (profile_load(r, v) == -1) {
			view_free(v);
			return http_error(r, 503);
		}
		view_flag(v, "saved", r->form.f[KEY_SAVED].num == 1);
		return http_page(r, 200, "profile", v);
	}
	listed = r->form.f[KEY_LISTED].num == 1;
	p[0] = r->account->member;
	p[1] = node_id;
	p[2] = view_field(v, r, KEY_NAME, "Enter your full name");
	p[3] = view_field(v, r, KEY_ORGANISATION, NULL);
	p[4] = view_field(v, r, KEY_ROLE_TITLE, NULL);
	p[5] = view_field(v, r, KEY_GROUP, "Select your role in social prescribing");
	p[6] = view_field(v, r, KEY_REGION, "Select your region");
	p[7] = view_field(v, r, KEY_INTERESTS, NULL);
	p[8] = view_field(v, r, KEY_BIO, NULL);
	p[9] = listed ? "true" : "false";
	view_flag(v, "v_listed", listed);
	if (p[6] != NULL && region_fixed(r) &&
	    strcmp(p[6], r->account->region) != 0)
		view_error(v, "region", "You cannot move yourself to another "
		    "region as a coordinator: ask an administrator to move "
		    "you");
	if (view_has(v, "errors"))
		return http_page(r, 422, "profile", v);
	/*
	 * Only the origin changes a record; the schema gives each change
	 * peers will see a new version (acorn_take_seq).
	 */
	if (db_exec(r->db, "UPDATE members SET name = $3, organisation = $4,"
	    " role_title = $5, stakeholder = $6, region = $7, interests = $8,"
	    " bio = $9, listed = $10, updated = now()"
	    " WHERE id = $1 AND origin = $2 AND NOT deleted", 10, p) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	view_free(v);
	return http_redirect(r, "/profile?saved=yes");
}

/*
 * The members a search ($1) finds, for search.c, best first: those the
 * viewer ($2, as viewer() writes it) may see, as on /members.
 */
const char members_search_sql[] =
    "SELECT m.id, m.name, m.organisation, m.role_title, m.region"
    " FROM members m LEFT JOIN accounts a ON a.member = m.id"
    " WHERE" SQL_VISIBLE("$2")
    " AND m.search @@ acorn_prefix_query($1)"
    " ORDER BY ts_rank(m.search, acorn_prefix_query($1)) DESC,"
    " lower(m.name), m.id LIMIT 50";

enum { MSR_ID, MSR_NAME, MSR_ORGANISATION, MSR_ROLE_TITLE, MSR_REGION };

void
members_search_row(struct view *s, PGresult *res, int i)
{
	const char *org = db_value(res, i, MSR_ORGANISATION);
	const char *title = db_value(res, i, MSR_ROLE_TITLE);

	view_setf(s, "href", "/members/%s", PQgetvalue(res, i, MSR_ID));
	view_set(s, "result_title", PQgetvalue(res, i, MSR_NAME));
	view_setf(s, "meta", "%s%s%s%s%s", title != NULL ? title : "",
	    title != NULL && org != NULL ? ", " : "", org != NULL ? org : "",
	    title != NULL || org != NULL ? ". " : "",
	    PQgetvalue(res, i, MSR_REGION));
}
