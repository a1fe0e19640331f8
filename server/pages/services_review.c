/*
 * Keeping the directory true: the one-click "still correct" link mailed
 * to a listing's managers (no sign-in), the "report a problem" form on
 * every listing (anyone, throttled, changing nothing by itself), and
 * the coordinators' review queue of reported, overdue and due listings.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

/* The listing a link opens, while it works: $1 the link's hash. */
static const char check_query[] =
    "SELECT s.id, s.name, coalesce(o.name, ''),"
    " c.used IS NULL AND c.expires > now()"
    " FROM service_checks c JOIN services s ON s.id = c.service"
    " AND NOT s.deleted LEFT JOIN organisations o ON o.id = s.organisation"
    " WHERE c.token_hash = $1";

enum { SC_ID, SC_NAME, SC_ORG, SC_WORKS };

/*
 * GET and POST /services/check/{token}: the link mailed to a manager.
 * Opening it asks (a mail scanner that follows links changes nothing);
 * the button confirms the listing, once.
 */
int
services_review_check(struct request *r)
{
	struct view *v;
	PGresult *res;
	char hash[65];
	const char *p[1] = { hash };
	int works;

	if (service_token_hash(r->arg, hash) == -1)
		return http_error(r, 404);
	if ((res = db_query(r->db, PGRES_TUPLES_OK, check_query, 1, p)) ==
	    NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return page_message(r, 404, "This link does not work",
		    "It may have been mistyped. Sign in to check or edit "
		    "your listings.", "/signin", "Sign in", 0);
	}
	works = *PQgetvalue(res, 0, SC_WORKS) == 't';
	if (!works) {
		PQclear(res);
		return page_message(r, 410, "This link has already been used "
		    "or has expired", "Each link works once. Sign in to check "
		    "or edit your listings.", "/signin", "Sign in", 0);
	}
	if (r->method == METHOD_POST) {
		PGresult *done;
		char back[64];

		snprintf(back, sizeof(back), "/services/%s",
		    PQgetvalue(res, 0, SC_ID));
		PQclear(res);
		if (db_begin(r->db) == -1)
			return http_error(r, 503);
		done = db_query(r->db, PGRES_TUPLES_OK, "SELECT"
		    " acorn_service_check($1)", 1, p);
		if (done == NULL || PQgetisnull(done, 0, 0)) {
			PQclear(done);
			db_rollback(r->db);
			return page_message(r, 410, "This link has already "
			    "been used or has expired", "Each link works "
			    "once. Sign in to check or edit your listings.",
			    "/signin", "Sign in", 0);
		}
		PQclear(done);
		if (db_commit(r->db) == -1)
			return http_error(r, 503);
		return page_message(r, 200, "Thank you: the listing is marked "
		    "as checked today", "Link workers will see that it was "
		    "checked by the organisation.", back, "See the listing",
		    1);
	}
	if (session_form(r) == -1 ||
	    (v = page_view(r, "Is this listing still right?")) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	view_set(v, "service_name", PQgetvalue(res, 0, SC_NAME));
	view_set(v, "org_name", PQgetvalue(res, 0, SC_ORG));
	view_setf(v, "service_href", "/services/%s", PQgetvalue(res, 0,
	    SC_ID));
	view_setf(v, "edit_href", "/services/%s/edit", PQgetvalue(res, 0,
	    SC_ID));
	view_setf(v, "form_action", "/services/check/%s", r->arg);
	PQclear(res);
	return http_page(r, 200, "service_check", v);
}

/*
 * A report about a listing received from another node goes to that
 * node, whose managers and coordinators look after the listing
 * (docs/protocol.md section 8.9): $1 the listing, $2 the topic, $3 the
 * details, $4 the note's id.
 */
static const char report_note_sql[] =
    "INSERT INTO directory_notes (id, home, service, kind, topic, details)"
    " SELECT $4::uuid, s.origin, s.id, 'report', $2, $3 FROM services s"
    " WHERE s.id = $1::uuid";

/* GET and POST /services/{id}/report: anyone reports a problem. */
int
services_review_report(struct request *r)
{
	struct view *v;
	PGresult *res;
	const char *p[4], *topic, *details;
	char who[24], note[ACORN_UUID_LEN + 1], *home = NULL, *body;
	int rc, i;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT s.name,"
	    " CASE WHEN s.origin <> (SELECT id FROM node) THEN"
	    "  coalesce(k.name, 'the node it comes from') END"
	    " FROM services s LEFT JOIN known_nodes k ON k.id = s.origin"
	    " WHERE s.id = $1 AND NOT s.deleted", 1, p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	if (session_form(r) == -1 ||
	    (v = page_view(r, "Report a problem with a listing")) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	view_set(v, "service_name", PQgetvalue(res, 0, 0));
	view_set(v, "home_name", db_value(res, 0, 1));
	view_setf(v, "back_href", "/services/%s", r->arg);
	view_setf(v, "form_action", "/services/%s/report", r->arg);
	PQclear(res);
	if (r->method != METHOD_POST) {
		view_codes(v, "topics", report_topic_codes, report_topic_labels);
		return http_page(r, 200, "service_report", v);
	}
	topic = view_field(v, r, KEY_TOPIC, "Select what is wrong");
	if (topic != NULL && code_index(report_topic_codes, topic) == -1) {
		view_error(v, "topic", "Select what is wrong from the list");
		topic = NULL;
	}
	details = view_field(v, r, KEY_DETAILS, NULL);
	if (topic != NULL && strcmp(topic, "other") == 0 && details == NULL)
		view_error(v, "details", "Say what is wrong");
	for (i = 0; report_topic_codes[i] != NULL; i++) {
		struct view *c = view_add(v, "topics");

		if (c == NULL)
			break;
		view_set(c, "code", report_topic_codes[i]);
		view_set(c, "label", report_topic_labels[i]);
		view_flag(c, "checked", topic != NULL &&
		    strcmp(topic, report_topic_codes[i]) == 0);
	}
	if (view_has(v, "errors"))
		return http_page(r, 422, "service_report", v);
	if (account_throttled(r, v, THROTTLE_REPORT, NULL, "topic",
	    "service_report", &rc))
		return rc;
	if (r->account != NULL)
		snprintf(who, sizeof(who), "%ld", r->account->id);
	p[1] = topic;
	p[2] = details != NULL ? details : "";
	p[3] = r->account != NULL ? who : NULL;
	if (view_get(v, "home_name") != NULL &&
	    (home = util_strdup(view_get(v, "home_name"))) == NULL) {
		view_free(v);
		return http_error(r, 500);
	}
	view_free(v);
	if (home != NULL && util_uuid(note) == 0) {
		/* Who made it stays here: the note names nobody. */
		p[3] = note;
		rc = db_begin(r->db) == -1 || db_exec(r->db, report_note_sql, 4,
		    p) == -1 ? -1 : 0;
	} else if (home != NULL)
		rc = -1;
	else
		rc = db_begin(r->db) == -1 || db_exec(r->db, "INSERT INTO"
		    " service_reports (service, topic, details, account)"
		    " VALUES ($1::uuid, $2, $3, $4::bigint)", 4, p) == -1 ||
		    review_report_mail(r->db, r->arg, topic, p[2], NULL) ==
		    -1 ? -1 : 0;
	if (rc == -1 || audit_commit(r->db, r->account != NULL ?
	    r->account->id : 0, "service_report", r->arg) == -1) {
		db_rollback(r->db);
		free(home);
		return http_error(r, 503);
	}
	body = home != NULL ? util_printf("This listing comes from %s, which "
	    "looks after it: your report has been sent there, and the people "
	    "who look after the listing will be told. A report does not "
	    "change the listing by itself: they will check it.", home) : NULL;
	free(home);
	rc = page_message(r, 200, "Thank you for reporting the problem",
	    body != NULL ? body : "The people who look after this listing "
	    "have been told. A report does not change the listing by itself: "
	    "they will check it.", "/services", "Back to services", 1);
	free(body);
	return rc;
}

/* Open reports, oldest first: $1 the review cycle. */
static const char reports_query[] =
    "SELECT r.id, s.id, s.name, r.topic, r.details, "
    SQL_LONDON("r.created", LONDON_STAMP) ", s.origin <> (SELECT id FROM node),"
    " CASE WHEN r.from_node IS NOT NULL THEN coalesce(k.name,"
    "  'another node') END"
    " FROM service_reports r JOIN services s ON s.id = r.service"
    " LEFT JOIN known_nodes k ON k.id = r.from_node"
    " WHERE r.resolved IS NULL ORDER BY r.created, r.id LIMIT 200";

enum { RR_ID, RR_SERVICE, RR_NAME, RR_TOPIC, RR_DETAILS, RR_WHEN,
    RR_RECEIVED, RR_FROM };

/* This node's listings past their review, most overdue first. */
static const char late_query[] =
    "SELECT s.id, s.name, coalesce(o.name, ''),"
    " acorn_freshness(s.assured_date, s.assured_by, $1::integer, "
    SQL_LONDON_DATE("now()") "),"
    " acorn_review_stage(s.assured_date, $1::integer, "
    SQL_LONDON_DATE("now()") "),"
    " coalesce((SELECT CASE WHEN v.escalated IS NOT NULL THEN"
    "  'Managers asked and reminded, with no answer'"
    "  WHEN v.reminded IS NOT NULL THEN 'Managers reminded'"
    "  ELSE 'Managers asked' END FROM service_reviews v"
    "  WHERE v.service = s.id AND v.due_on = acorn_due_on(s.assured_date,"
    "  $1::integer)), 'Not asked yet'),"
    " EXISTS (SELECT 1 FROM organisation_managers m"
    "  WHERE m.organisation = s.organisation)"
    " FROM services s LEFT JOIN organisations o ON o.id = s.organisation"
    " WHERE s.origin = (SELECT id FROM node) AND NOT s.deleted"
    " AND s.status <> 'defunct'"
    " AND acorn_review_stage(s.assured_date, $1::integer, "
    SQL_LONDON_DATE("now()") ") > 0"
    " ORDER BY s.assured_date NULLS FIRST, lower(s.name), s.id LIMIT 500";

/* Listings whose last two referrals found no response or closed. */
static const char flagged_query[] =
    "SELECT s.id, s.name, coalesce(o.name, '')"
    " FROM services s LEFT JOIN organisations o ON o.id = s.organisation"
    " WHERE s.origin = (SELECT id FROM node) AND NOT s.deleted"
    " AND s.status <> 'defunct'"
    " AND EXISTS (SELECT 1 FROM service_referrals f"
    "  WHERE f.service = s.id AND f.outcome IN ('no_response', 'closed'))"
    " AND acorn_referrals_flag(s.id, s.updated)"
    " ORDER BY lower(s.name), s.id LIMIT 500";

enum { RL_ID, RL_NAME, RL_ORG, RL_FRESHNESS, RL_STAGE, RL_ASKED,
    RL_MANAGED };

static int	suggestions_view(struct request *, struct view *);

/* POST /services/review: a coordinator resolves a report. */
static int
review_resolve(struct request *r)
{
	const char *p[3];
	char who[24];
	PGresult *res;
	int n;

	if (r->form.f[KEY_REPORT].error || r->form.f[KEY_REPORT].text == NULL ||
	    r->form.f[KEY_OUTCOME].text == NULL ||
	    code_index(report_outcome_codes, r->form.f[KEY_OUTCOME].text) ==
	    -1)
		return http_error(r, 400);
	snprintf(who, sizeof(who), "%ld", r->account->id);
	p[0] = r->form.f[KEY_REPORT].text;
	p[1] = r->form.f[KEY_OUTCOME].text;
	p[2] = who;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	res = db_query(r->db, PGRES_TUPLES_OK, "UPDATE service_reports SET"
	    " resolved = now(), outcome = $2, resolved_by = $3::bigint"
	    " WHERE id = $1::bigint AND resolved IS NULL RETURNING service",
	    3, p);
	if (res == NULL) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	PQclear(res);
	if (n == 0) {
		db_rollback(r->db);
		return http_redirect(r, "/services/review");
	}
	if (audit_commit(r->db, r->account->id, "service_report_resolve",
	    p[0]) == -1)
		return http_error(r, 503);
	return http_redirect(r, "/services/review");
}

/* GET and POST /services/review: the coordinators' review queue. */
int
services_review(struct request *r)
{
	struct view *v, *c;
	PGresult *res;
	const char *p[1];
	char cycle[16];
	int i;

	if (r->method == METHOD_POST)
		return review_resolve(r);
	if ((v = page_view(r, "Review the directory")) == NULL)
		return http_error(r, 500);
	snprintf(cycle, sizeof(cycle), "%d", cfg->review_months);
	p[0] = cycle;
	view_setf(v, "cycle", "%d months", cfg->review_months);
	if ((res = db_query(r->db, PGRES_TUPLES_OK, reports_query, 0,
	    NULL)) == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	for (i = 0; i < PQntuples(res); i++) {
		int k;

		if ((c = view_add(v, "reports")) == NULL)
			break;
		view_set(c, "report", PQgetvalue(res, i, RR_ID));
		view_setf(c, "href", "/services/%s", PQgetvalue(res, i,
		    RR_SERVICE));
		view_set(c, "service_name", PQgetvalue(res, i, RR_NAME));
		view_set(c, "topic", code_label(report_topic_codes,
		    report_topic_labels, PQgetvalue(res, i, RR_TOPIC)));
		view_set(c, "details", PQgetvalue(res, i, RR_DETAILS));
		view_set(c, "when", PQgetvalue(res, i, RR_WHEN));
		view_flag(c, "received", *PQgetvalue(res, i, RR_RECEIVED) ==
		    't');
		view_set(c, "from_node", db_value(res, i, RR_FROM));
		view_setf(c, "outcome_id", "outcome-%s", PQgetvalue(res, i,
		    RR_ID));
		for (k = 0; report_outcome_codes[k] != NULL; k++) {
			struct view *o = view_add(c, "outcomes");

			if (o == NULL)
				break;
			view_set(o, "code", report_outcome_codes[k]);
			view_set(o, "label", report_outcome_labels[k]);
		}
	}
	view_flag(v, "no_reports", PQntuples(res) == 0);
	PQclear(res);
	if (suggestions_view(r, v) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	if ((res = db_query(r->db, PGRES_TUPLES_OK, late_query, 1, p)) ==
	    NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	for (i = 0; i < PQntuples(res); i++) {
		int overdue = *PQgetvalue(res, i, RL_STAGE) == '2';

		if ((c = view_add(v, overdue ? "overdue" : "due")) == NULL)
			break;
		view_setf(c, "href", "/services/%s", PQgetvalue(res, i,
		    RL_ID));
		view_set(c, "service_name", PQgetvalue(res, i, RL_NAME));
		view_set(c, "org_name", PQgetvalue(res, i, RL_ORG));
		view_set(c, "freshness", PQgetvalue(res, i, RL_FRESHNESS));
		view_set(c, "asked", *PQgetvalue(res, i, RL_MANAGED) == 't' ?
		    PQgetvalue(res, i, RL_ASKED) :
		    "No manager: a coordinator checks it");
	}
	view_flag(v, "no_overdue", !view_has(v, "overdue"));
	PQclear(res);
	if ((res = db_query(r->db, PGRES_TUPLES_OK, flagged_query, 0,
	    NULL)) == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	for (i = 0; i < PQntuples(res); i++)
		if ((c = view_add(v, "flagged")) != NULL) {
			view_setf(c, "href", "/services/%s", PQgetvalue(res, i,
			    0));
			view_set(c, "service_name", PQgetvalue(res, i, 1));
			view_set(c, "org_name", PQgetvalue(res, i, 2));
		}
	view_flag(v, "no_flagged", PQntuples(res) == 0);
	view_flag(v, "no_due", !view_has(v, "due"));
	PQclear(res);
	return http_page(r, 200, "services_review", v);
}

/* Open suggestions, oldest first, for the queue. */
static const char suggestions_query[] =
    "SELECT g.id, s.name, coalesce(m.name, 'A member'), g.summary, "
    SQL_LONDON("g.created", LONDON_STAMP)
    " FROM service_suggestions g JOIN services s ON s.id = g.service"
    " LEFT JOIN accounts a ON a.id = g.account"
    " LEFT JOIN members m ON m.id = a.member"
    " WHERE g.decided IS NULL ORDER BY g.created, g.id LIMIT 200";

enum { SG_ID, SG_NAME, SG_WHO, SG_SUMMARY, SG_WHEN };

/* The queue's suggestions; -1 when the database failed. */
static int
suggestions_view(struct request *r, struct view *v)
{
	struct view *c;
	PGresult *res;
	int i;

	if ((res = db_query(r->db, PGRES_TUPLES_OK, suggestions_query, 0,
	    NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		if ((c = view_add(v, "suggestions")) != NULL) {
			view_setf(c, "href", "/services/suggestions/%s",
			    PQgetvalue(res, i, SG_ID));
			view_set(c, "service_name", PQgetvalue(res, i,
			    SG_NAME));
			view_set(c, "who", PQgetvalue(res, i, SG_WHO));
			view_set(c, "summary", PQgetvalue(res, i, SG_SUMMARY));
			view_set(c, "when", PQgetvalue(res, i, SG_WHEN));
		}
	view_flag(v, "no_suggestions", PQntuples(res) == 0);
	PQclear(res);
	return 0;
}

/* How the side-by-side view names a listing's fields, in form order. */
static const struct {
	const char	*key;
	const char	*label;
} field_labels[] = {
	{ "name", "Name" }, { "description", "What it does" },
	{ "status", "Status" }, { "alert", "Alert" },
	{ "terms", "Needs and activities" },
	{ "attending", "How people take part" },
	{ "access", "How people get in" }, { "schedules", "When" },
	{ "locations", "Where" }, { "contacts", "Contact" },
	{ "email", "Email" }, { "url", "Website" },
	{ "minimum_age", "Youngest age" }, { "maximum_age", "Oldest age" },
	{ "eligibility", "Who it is for" }, { "free", "Free" },
	{ "fees", "Costs" }, { "languages", "Languages" },
	{ "accessibility", "Accessibility" },
	{ "assured_date", "Checked" }, { "assured_by", "Checked by" },
};

/*
 * A suggestion beside the listing as it is: $1 the suggestion.  One row
 * per field that differs, with both in words, and the new place the
 * suggestion would add to the organisation's, if any.
 */
static const char diff_query[] =
    "SELECT d.key, acorn_service_field_words(d.key, d.now),"
    " acorn_service_field_words(d.key, d.then)"
    " FROM service_suggestions g JOIN services s ON s.id = g.service,"
    " LATERAL (SELECT n.key, n.value AS now, w.value AS then"
    "  FROM jsonb_each(acorn_service_content(s)) n"
    "  JOIN jsonb_each(g.content) w USING (key)"
    "  WHERE n.value IS DISTINCT FROM w.value"
    "  AND n.key NOT IN ('organisation', 'assured_date', 'assured_by')) d"
    " WHERE g.id = $1::bigint"
    " UNION ALL SELECT 'place', concat_ws(', ', l.name, l.address_1,"
    "  l.city, l.postal_code), concat_ws(', ', g.place->>'name',"
    "  g.place->>'address_1', g.place->>'city', g.place->>'postal_code')"
    " FROM service_suggestions g LEFT JOIN locations l"
    "  ON l.id = (g.place->>'id')::uuid"
    " WHERE g.id = $1::bigint AND g.place IS NOT NULL";

/* The suggestion itself: $1 its id. */
static const char suggestion_query[] =
    "SELECT g.service, s.name, s.organisation, coalesce(m.name, 'A member'),"
    " g.summary, " SQL_LONDON("g.created", LONDON_STAMP) ","
    " g.decided IS NOT NULL, g.base <> s.version, a.email, a.id"
    " FROM service_suggestions g JOIN services s ON s.id = g.service"
    " AND NOT s.deleted LEFT JOIN accounts a ON a.id = g.account"
    " LEFT JOIN members m ON m.id = a.member WHERE g.id = $1::bigint";

enum {
	GQ_SERVICE, GQ_NAME, GQ_ORG, GQ_WHO, GQ_SUMMARY, GQ_WHEN, GQ_DECIDED,
	GQ_MOVED, GQ_EMAIL, GQ_ACCOUNT
};

/* The words of a field's value: codes as their labels. */
static void
diff_value(struct view *c, const char *name, const char *key,
    const char *value)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	const char *const *codes = NULL, *const *labels = NULL, *p, *label;
	char code[32];
	size_t n;

	if (strcmp(key, "attending") == 0) {
		codes = attending_codes;
		labels = attending_labels;
	} else if (strcmp(key, "access") == 0) {
		codes = access_codes;
		labels = access_labels;
	} else if (strcmp(key, "status") == 0) {
		view_set(c, name, code_label(service_status_codes,
		    service_status_labels, value));
		return;
	}
	if (codes == NULL) {
		view_set(c, name, value);
		return;
	}
	for (p = value; *p != '\0'; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 0 || n >= sizeof(code))
			break;
		memcpy(code, p, n);
		code[n] = '\0';
		if ((label = code_label(codes, labels, code)) == NULL)
			continue;
		if (b.len > 0)
			strbuf_str(&b, ", ");
		strbuf_str(&b, label);
	}
	view_set(c, name, b.failed || b.p == NULL ? "" : b.p);
	strbuf_free(&b);
}

/* The suggestion's author hears what became of it. */
static int
suggestion_tell(struct request *r, PGresult *g, const char *verdict,
    const char *reason)
{
	const char *p[4];
	char *body;
	int rc;

	if (PQgetisnull(g, 0, GQ_EMAIL))
		return 0;
	body = util_printf("Thank you for suggesting a change to %s in the %s "
	    "directory of services.\n\n%s%s%s\n\n%s/services/%s\n",
	    PQgetvalue(g, 0, GQ_NAME), cfg->node_name, verdict,
	    reason != NULL ? "\n\n" : "", reason != NULL ? reason : "",
	    cfg->public_url, PQgetvalue(g, 0, GQ_SERVICE));
	if (body == NULL)
		return -1;
	p[0] = PQgetvalue(g, 0, GQ_EMAIL);
	p[1] = "Your suggested change to a listing";
	p[2] = body;
	p[3] = PQgetvalue(g, 0, GQ_ACCOUNT);
	rc = db_exec(r->db, "INSERT INTO outbox (recipient, subject, body,"
	    " member) SELECT $1, $2, $3, member FROM accounts"
	    " WHERE id = $4::bigint", 4, p);
	free(body);
	return rc;
}

/* POST /services/suggestions/{id}: accepted, or rejected with a reason. */
static int
suggestion_decide(struct request *r, struct view *v, PGresult *g)
{
	const char *step = r->form.f[KEY_STEP].text, *p[3], *reason;
	char who[24];
	PGresult *res;
	int rc;

	snprintf(who, sizeof(who), "%ld", r->account->id);
	p[0] = r->arg;
	p[1] = who;
	if (step != NULL && strcmp(step, "reject") == 0) {
		if ((reason = view_field(v, r, KEY_REASON, "Say why, for the "
		    "member who suggested it")) == NULL)
			return 1;
		p[2] = reason;
		if (db_begin(r->db) == -1)
			return -1;
		res = db_query(r->db, PGRES_TUPLES_OK, "UPDATE"
		    " service_suggestions SET decided = now(),"
		    " decided_by = $2::bigint, outcome = 'rejected',"
		    " reason = $3 WHERE id = $1::bigint AND decided IS NULL"
		    " RETURNING id", 3, p);
		rc = res != NULL ? PQntuples(res) : -1;
		PQclear(res);
		if (rc == -1 || (rc == 1 && suggestion_tell(r, g,
		    "It was not taken, for this reason:", reason) == -1) ||
		    audit_commit(r->db, r->account->id, "suggestion_reject",
		    r->arg) == -1) {
			db_rollback(r->db);
			return -1;
		}
		return 0;
	}
	if (step == NULL || (strcmp(step, "accept") != 0 &&
	    strcmp(step, "accept_edit") != 0))
		return -2;
	if (db_begin(r->db) == -1)
		return -1;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT"
	    " acorn_suggestion_accept($1::bigint, $2::bigint)", 2, p);
	if (res == NULL) {
		db_rollback(r->db);
		return -1;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "changed") == 0) {
		PQclear(res);
		db_rollback(r->db);
		view_error(v, "step", "The listing has changed since this was "
		    "suggested: edit the listing instead, or reject this with "
		    "a reason");
		return 1;
	}
	rc = strcmp(PQgetvalue(res, 0, 0), "accepted") == 0;
	PQclear(res);
	if ((rc && suggestion_tell(r, g, "It was accepted: the listing now "
	    "says what you suggested.", NULL) == -1) ||
	    audit_commit(r->db, r->account->id, "suggestion_accept",
	    r->arg) == -1)
		return -1;
	return 0;
}

/*
 * GET and POST /services/suggestions/{id}: a suggestion side by side
 * with the listing as it is, for a coordinator or one of the listing's
 * managers to accept, accept and then edit, or reject with a reason.
 */
int
services_review_suggestion(struct request *r)
{
	struct view *v = NULL, *c;
	PGresult *g, *res = NULL;
	const char *p[1];
	size_t k;
	long id;
	int i, may, rc;

	if (util_parse_long(r->arg, 1, LONG_MAX, &id) == -1)
		return http_error(r, 404);
	p[0] = r->arg;
	if ((g = db_query(r->db, PGRES_TUPLES_OK, suggestion_query, 1, p)) ==
	    NULL)
		return http_error(r, 503);
	if (PQntuples(g) != 1) {
		PQclear(g);
		return http_error(r, 404);
	}
	if ((may = service_may_edit(r, PQgetvalue(g, 0, GQ_ORG))) != 1) {
		PQclear(g);
		return http_error(r, may == -1 ? 503 : 403);
	}
	if ((v = page_view(r, "A suggested change")) == NULL) {
		rc = http_error(r, 500);
		goto done;
	}
	if (r->method == METHOD_POST) {
		if (*PQgetvalue(g, 0, GQ_DECIDED) == 't') {
			rc = http_redirect(r, "/services/review");
			goto done;
		}
		switch (suggestion_decide(r, v, g)) {
		case 0:
			rc = r->form.f[KEY_STEP].text != NULL &&
			    strcmp(r->form.f[KEY_STEP].text, "accept_edit") ==
			    0 ? http_redirectf(r, "/services/%s/edit",
			    PQgetvalue(g, 0, GQ_SERVICE)) :
			    http_redirect(r, "/services/review");
			goto done;
		case 1:
			break;
		case -2:
			rc = http_error(r, 400);
			goto done;
		default:
			rc = http_error(r, 503);
			goto done;
		}
	}
	view_set(v, "service_name", PQgetvalue(g, 0, GQ_NAME));
	view_setf(v, "service_href", "/services/%s", PQgetvalue(g, 0,
	    GQ_SERVICE));
	view_set(v, "who", PQgetvalue(g, 0, GQ_WHO));
	view_set(v, "summary", PQgetvalue(g, 0, GQ_SUMMARY));
	view_set(v, "when", PQgetvalue(g, 0, GQ_WHEN));
	view_flag(v, "decided", *PQgetvalue(g, 0, GQ_DECIDED) == 't');
	view_flag(v, "moved", *PQgetvalue(g, 0, GQ_MOVED) == 't');
	view_setf(v, "form_action", "/services/suggestions/%s", r->arg);
	if ((res = db_query(r->db, PGRES_TUPLES_OK, diff_query, 1, p)) ==
	    NULL) {
		rc = http_error(r, 503);
		goto done;
	}
	/* In the form's order, whatever order the database gave. */
	for (k = 0; k <= sizeof(field_labels) / sizeof(field_labels[0]);
	    k++)
		for (i = 0; i < PQntuples(res); i++) {
			const char *key = PQgetvalue(res, i, 0);

			if (k < sizeof(field_labels) / sizeof(field_labels[0]) ?
			    strcmp(key, field_labels[k].key) != 0 :
			    strcmp(key, "place") != 0)
				continue;
			if ((c = view_add(v, "changes")) == NULL)
				break;
			view_set(c, "field", k < sizeof(field_labels) /
			    sizeof(field_labels[0]) ? field_labels[k].label :
			    "New place");
			diff_value(c, "now", key, PQgetvalue(res, i, 1));
			diff_value(c, "then", key, PQgetvalue(res, i, 2));
		}
	view_flag(v, "no_changes", !view_has(v, "changes"));
	rc = http_page(r, view_has(v, "errors") ? 422 : 200,
	    "service_suggestion", v);
	v = NULL;
done:
	view_free(v);
	PQclear(res);
	PQclear(g);
	return rc;
}

/*
 * POST /services/{id}/outcome: a member records what happened after
 * they referred someone: a count, nothing about the person.  At most
 * REFERRALS_A_DAY a listing a day from one member, so that nobody
 * weighs a listing's figures alone.
 */
#define REFERRALS_A_DAY	20

int
services_review_outcome(struct request *r)
{
	const char *outcome = r->form.f[KEY_OUTCOME].text, *p[3];
	char who[24], back[160], limit[16], note[ACORN_UUID_LEN + 1];
	PGresult *res;
	int n;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	if (outcome == NULL || code_index(referral_codes, outcome) == -1)
		return http_error(r, 400);
	snprintf(who, sizeof(who), "%ld", r->account->id);
	snprintf(limit, sizeof(limit), "%d", REFERRALS_A_DAY);
	p[0] = r->arg;
	p[1] = who;
	p[2] = limit;
	if (db_begin(r->db) == -1)
		return http_error(r, 503);
	/* Counted and recorded under the listing's lock: one at a time. */
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT (SELECT count(*)"
	    " FROM service_referrals f WHERE f.service = s.id"
	    " AND f.account = $2::bigint AND f.recorded > now() -"
	    " interval '1 day') < $3::integer FROM services s"
	    " WHERE s.id = $1::uuid AND NOT s.deleted FOR UPDATE", 3, p);
	if (res == NULL) {
		db_rollback(r->db);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	if (n == 1 && *PQgetvalue(res, 0, 0) != 't')
		n = -1;
	PQclear(res);
	snprintf(back, sizeof(back), "/services/%s", r->arg);
	if (n != 1) {
		db_rollback(r->db);
		if (n == 0)
			return http_error(r, 404);
		response_retry_after(r, 3600);
		return page_message(r, 429, "You have recorded many outcomes "
		    "for this service today", "Record more tomorrow.", back,
		    "Back to the listing", 0);
	}
	p[2] = outcome;
	if (util_uuid(note) == -1) {
		db_rollback(r->db);
		return http_error(r, 500);
	}
	/*
	 * Counted here; and a listing received from another node is
	 * counted at its home too (docs/protocol.md section 8.9).
	 */
	if (db_exec(r->db, "INSERT INTO service_referrals (service, account,"
	    " outcome) VALUES ($1::uuid, $2::bigint, $3)", 3, p) == -1 ||
	    db_exec(r->db, "INSERT INTO directory_notes (id, home, service,"
	    " kind, outcome) SELECT $3::uuid, s.origin, s.id, 'referral', $2"
	    " FROM services s WHERE s.id = $1::uuid"
	    " AND s.origin <> (SELECT id FROM node)", 3,
	    (const char *[]){ r->arg, outcome, note }) == -1 ||
	    audit_commit(r->db, r->account->id, "service_outcome",
	    r->arg) == -1)
		return http_error(r, 503);
	return http_redirectf(r, "/services/%s#referrals", r->arg);
}

/* A listing's revisions, newest first: $1 the listing. */
static const char history_query[] =
    "SELECT r.revision, " SQL_LONDON("r.at", LONDON_STAMP) ","
    " coalesce(m.name, 'Someone'), r.summary"
    " FROM service_revisions r LEFT JOIN accounts a ON a.id = r.account"
    " LEFT JOIN members m ON m.id = a.member"
    " WHERE r.service = $1::uuid ORDER BY r.revision DESC LIMIT 100";

/* What each revision changed from the one before it, in words. */
static const char history_changes_query[] =
    "SELECT r.revision, n.key,"
    " acorn_service_field_words(n.key, o.value),"
    " acorn_service_field_words(n.key, n.value)"
    " FROM service_revisions r"
    " JOIN LATERAL (SELECT content FROM service_revisions b"
    "  WHERE b.service = r.service AND b.revision < r.revision"
    "  ORDER BY b.revision DESC LIMIT 1) prev ON true"
    " CROSS JOIN LATERAL jsonb_each(r.content) n"
    " LEFT JOIN LATERAL jsonb_each(prev.content) o ON o.key = n.key"
    " WHERE r.service = $1::uuid AND n.value IS DISTINCT FROM o.value"
    " AND n.key <> 'organisation'"
    " ORDER BY r.revision DESC";

/* GET /services/{id}/history: every version made here, and its changes. */
int
services_review_history(struct request *r)
{
	struct view *v = NULL, *h = NULL, *c;
	PGresult *s, *revs = NULL, *changes = NULL;
	const char *p[1];
	size_t k;
	int i, j, rc;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	if ((s = db_query(r->db, PGRES_TUPLES_OK, "SELECT name FROM services"
	    " WHERE id = $1 AND NOT deleted", 1, p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(s) != 1) {
		PQclear(s);
		return http_error(r, 404);
	}
	if ((revs = db_query(r->db, PGRES_TUPLES_OK, history_query, 1,
	    p)) == NULL || (changes = db_query(r->db, PGRES_TUPLES_OK,
	    history_changes_query, 1, p)) == NULL) {
		rc = http_error(r, 503);
		goto done;
	}
	if ((v = page_view(r, "History of a listing")) == NULL) {
		rc = http_error(r, 500);
		goto done;
	}
	view_set(v, "service_name", PQgetvalue(s, 0, 0));
	view_setf(v, "service_href", "/services/%s", r->arg);
	for (i = 0; i < PQntuples(revs); i++) {
		if ((h = view_add(v, "revisions")) == NULL)
			break;
		view_set(h, "revision", PQgetvalue(revs, i, 0));
		view_set(h, "when", PQgetvalue(revs, i, 1));
		view_set(h, "who", PQgetvalue(revs, i, 2));
		view_set(h, "summary", PQgetvalue(revs, i, 3));
		/* Its changes, in the form's order. */
		for (k = 0; k < sizeof(field_labels) / sizeof(field_labels[0]);
		    k++)
			for (j = 0; j < PQntuples(changes); j++) {
				if (strcmp(PQgetvalue(changes, j, 0),
				    PQgetvalue(revs, i, 0)) != 0 ||
				    strcmp(PQgetvalue(changes, j, 1),
				    field_labels[k].key) != 0 ||
				    (c = view_add(h, "changes")) == NULL)
					continue;
				view_set(c, "field", field_labels[k].label);
				diff_value(c, "now", field_labels[k].key,
				    PQgetvalue(changes, j, 2));
				diff_value(c, "then", field_labels[k].key,
				    PQgetvalue(changes, j, 3));
			}
		view_flag(h, "first", i == PQntuples(revs) - 1);
	}
	view_flag(v, "none", PQntuples(revs) == 0);
	rc = http_page(r, 200, "service_history", v);
	v = NULL;
done:
	view_free(v);
	PQclear(changes);
	PQclear(revs);
	PQclear(s);
	return rc;
}

/* The vocabulary, A to Z, with where each term maps to. */
static const char needs_query[] =
    "SELECT t.id, t.code, t.name, t.description, t.local,"
    " coalesce(t.external_taxonomy, ''), coalesce(t.external_id, ''),"
    " (SELECT count(*) FROM services s WHERE s.terms @> ARRAY[t.id]"
    "  AND NOT s.deleted),"
    " CASE WHEN t.origin IS NOT NULL THEN coalesce(k.name,"
    "  'another node') END"
    " FROM taxonomy_terms t LEFT JOIN known_nodes k ON k.id = t.origin"
    " ORDER BY lower(t.name), t.id LIMIT 500";

enum { NQ_ID, NQ_CODE, NQ_NAME, NQ_DESCRIPTION, NQ_LOCAL, NQ_SCHEME,
    NQ_EXTERNAL, NQ_USED, NQ_FROM };

/*
 * A local term from the form (name and description), or a mapping of a
 * term (id) to an external list's identifier (scheme and value): 0
 * saved, 1 refused (v says why), -1 the database failed.
 */
static int
needs_save(struct request *r, struct view *v)
{
	const char *p[4], *id = r->form.f[KEY_ID].text;
	const char *scheme = view_field(v, r, KEY_SCHEME, NULL);
	const char *value = view_field(v, r, KEY_TAG, NULL);
	PGresult *res;
	int n;

	if (r->form.f[KEY_ID].error)
		return -2;
	if (id != NULL) {
		p[0] = id;
		p[1] = scheme;
		p[2] = value;
		if ((scheme == NULL) != (value == NULL)) {
			view_error(v, "scheme", "Give both the list and the "
			    "term's identifier in it, or neither");
			return 1;
		}
		if (db_begin(r->db) == -1)
			return -1;
		res = db_query(r->db, PGRES_TUPLES_OK, "UPDATE taxonomy_terms"
		    " SET external_taxonomy = $2, external_id = $3"
		    " WHERE id = $1::uuid RETURNING id", 3, p);
		n = res != NULL ? PQntuples(res) : -1;
		PQclear(res);
		if (n != 1) {
			db_rollback(r->db);
			return n == -1 ? -1 : -2;
		}
		return audit_commit(r->db, r->account->id, "need_map", id);
	}
	p[0] = view_field(v, r, KEY_TERM, "Enter the name of the need or "
	    "activity");
	p[1] = view_field(v, r, KEY_DEFINITION, "Say what it covers, in "
	    "plain English");
	p[2] = scheme;
	p[3] = value;
	if (p[0] != NULL && util_utf8_length(p[0]) > 80)
		view_error(v, "term", "The name must be 80 characters or fewer");
	if (p[1] != NULL && util_utf8_length(p[1]) > 500)
		view_error(v, "definition", "The description must be 500 "
		    "characters or fewer");
	if ((scheme == NULL) != (value == NULL))
		view_error(v, "scheme", "Give both the list and the term's "
		    "identifier in it, or neither");
	if (view_has(v, "errors"))
		return 1;
	if (db_begin(r->db) == -1)
		return -1;
	res = db_query(r->db, PGRES_TUPLES_OK, "INSERT INTO taxonomy_terms"
	    " (id, code, name, description, external_taxonomy, external_id,"
	    " local) SELECT gen_random_uuid(), left(trim(both '_' FROM"
	    " regexp_replace(lower($1), '[^a-z0-9]+', '_', 'g')), 30) || '_'"
	    " || left(md5($1), 6), $1, $2, $3, $4, true"
	    " WHERE NOT EXISTS (SELECT 1 FROM taxonomy_terms"
	    " WHERE lower(name) = lower($1)) RETURNING id::text", 4, p);
	n = res != NULL ? PQntuples(res) : -1;
	if (n == 1 && audit_commit(r->db, r->account->id, "need_add",
	    PQgetvalue(res, 0, 0)) == -1)
		n = -1;
	PQclear(res);
	if (n != 1) {
		db_rollback(r->db);
		if (n == 0)
			view_error(v, "term", "The vocabulary has a term of this "
			    "name already");
		return n == 0 ? 1 : -1;
	}
	return 0;
}

/*
 * GET and POST /services/needs: the vocabulary of needs and activities,
 * for coordinators to add this region's own terms to and to map any to
 * another list's identifier (a council's taxonomy, say).
 */
int
services_review_needs(struct request *r)
{
	struct view *v, *c;
	PGresult *res;
	int i, rc = 0;

	if ((v = page_view(r, "Needs and activities")) == NULL)
		return http_error(r, 500);
	if (r->method == METHOD_POST) {
		rc = needs_save(r, v);
		if (rc == 0) {
			view_free(v);
			return http_redirect(r, "/services/needs");
		}
		if (rc < 0) {
			view_free(v);
			return http_error(r, rc == -2 ? 400 : 503);
		}
	}
	if ((res = db_query(r->db, PGRES_TUPLES_OK, needs_query, 0, NULL)) ==
	    NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	for (i = 0; i < PQntuples(res); i++)
		if ((c = view_add(v, "needs")) != NULL) {
			view_set(c, "id", PQgetvalue(res, i, NQ_ID));
			view_set(c, "name", PQgetvalue(res, i, NQ_NAME));
			view_set(c, "description", PQgetvalue(res, i,
			    NQ_DESCRIPTION));
			view_flag(c, "local", *PQgetvalue(res, i, NQ_LOCAL) ==
			    't');
			view_set(c, "from_node", db_value(res, i, NQ_FROM));
			view_set(c, "scheme", PQgetvalue(res, i, NQ_SCHEME));
			view_set(c, "external", PQgetvalue(res, i,
			    NQ_EXTERNAL));
			view_setf(c, "used", "%s", PQgetvalue(res, i, NQ_USED));
			view_setf(c, "scheme_id", "scheme-%d", i + 1);
			view_setf(c, "external_id", "external-%d", i + 1);
		}
	PQclear(res);
	return http_page(r, rc == 1 ? 422 : 200, "services_needs", v);
}
