/*
 * /profile/data: "Download my data", a member's right of access and
 * portability (UK GDPR articles 15 and 20).  GET says what the archive
 * holds; POST sends it: one ZIP of JSON and CSV files with everything
 * this node keeps about the signed-in account and nothing about anyone
 * else, read in one snapshot and recorded in the audit log.
 *
 * Each file is a row of exports[]: its name, its form and one query
 * whose $1 is the account's id and whose column names are the file's
 * field names.  A new kind of personal data is one more row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

/* PostgreSQL's type ids (pg_type.h) for the values written as such. */
#define OID_BOOL	16
#define OID_INT8	20
#define OID_INT2	21
#define OID_INT4	23
#define OID_JSON	114
#define OID_NUMERIC	1700
#define OID_JSONB	3802

enum export_form {
	AS_OBJECT,	/* JSON: the one row, as an object */
	AS_ARRAY,	/* JSON: every row, as an array of objects */
	AS_CSV		/* a spreadsheet: a header row, then the rows */
};

struct export {
	const char	*file;
	enum export_form form;
	const char	*about;		/* for the page and README.txt */
	const char	*sql;		/* $1: the account */
};

/*
 * The account, as a FROM item: every query starts from it, so that a
 * query can only ever reach rows tied to this one account.
 */
#define ME	" (SELECT id, member, email FROM accounts WHERE id = $1) me"

/*
 * The audit log names a person by their member id, never by their
 * account's: an account's number is also the number of a file, a peer
 * and other rows, so matching it would take in other people's entries.
 *
 * A subject in the audit log shown as it is only when it is this member
 * or a shared record (an event, a document, an evaluation, a term); any
 * other (a registration, another member) may be about someone else.
 */
#define AUDIT_ABOUT \
    " CASE WHEN l.subject = me.member::text THEN 'you'" \
    " WHEN EXISTS (SELECT 1 FROM events x WHERE x.id::text = l.subject)" \
    "  OR EXISTS (SELECT 1 FROM documents x WHERE x.id::text = l.subject" \
    "   OR x.slug = l.subject)" \
    "  OR EXISTS (SELECT 1 FROM evaluations x WHERE x.id::text = l.subject)" \
    "  OR EXISTS (SELECT 1 FROM glossary_terms x" \
    "   WHERE x.id::text = l.subject)" \
    " THEN l.subject ELSE 'not shown: it may concern someone else' END"

static const struct export exports[] = {
	{ "profile.json", AS_OBJECT,
	    "your member profile, as this node holds it",
	    "SELECT m.id AS member_id, m.name, m.organisation,"
	    " m.role_title AS job_title, m.stakeholder AS stakeholder_group,"
	    " m.region, m.interests, m.bio AS about_you,"
	    " m.listed AS listed_in_directory, m.version,"
	    " " RFC3339("m.updated") " AS updated"
	    " FROM" ME " JOIN members m ON m.id = me.member" },
	{ "account.json", AS_OBJECT,
	    "your account: email address, role, status and dates",
	    "SELECT a.email, a.role, a.status,"
	    " " RFC3339("a.created") " AS joined,"
	    " " RFC3339("a.confirmed") " AS confirmed,"
	    " " RFC3339("a.approved") " AS approved"
	    " FROM" ME " JOIN accounts a ON a.id = me.id" },
	{ "registrations.csv", AS_CSV,
	    "your registrations for events held on this node",
	    "SELECT r.ref AS registration, e.title AS event,"
	    " " RFC3339("e.starts") " AS event_starts,"
	    " pt.name AS place, r.places, r.role, r.status,"
	    " acorn_waiting_position(r.id) AS waiting_position,"
	    " r.name, r.email, r.organisation,"
	    " r.public AS shown_on_attendee_list,"
	    " " RFC3339("r.created") " AS registered,"
	    " " RFC3339("r.changed") " AS changed,"
	    " " RFC3339("r.attended") " AS checked_in"
	    " FROM" ME " JOIN registrations r ON r.account = me.id"
	    " JOIN events e ON e.id = r.event"
	    " LEFT JOIN place_types pt ON pt.id = r.place_type"
	    " ORDER BY r.created, r.id" },
	{ "away_registrations.csv", AS_CSV,
	    "your registrations for other nodes' events, sent from here",
	    "SELECT w.id AS request, e.title AS event,"
	    " " RFC3339("e.starts") " AS event_starts,"
	    " coalesce(k.name, w.host::text) AS held_by, w.place_name AS place,"
	    " w.places, w.name, w.email, w.organisation,"
	    " w.public AS shown_on_attendee_list, w.wanted, w.status,"
	    " w.position AS waiting_position,"
	    " CASE WHEN w.status = 'refused' THEN acorn_refusal(w.why) END"
	    "  AS refused_because,"
	    " w.joining AS online_joining_link,"
	    " " RFC3339("w.created") " AS registered,"
	    " " RFC3339("w.changed") " AS changed"
	    " FROM" ME " JOIN away_registrations w ON w.account = me.id"
	    " JOIN events e ON e.id = w.event"
	    " LEFT JOIN known_nodes k ON k.id = w.host"
	    " ORDER BY w.created, w.id" },
	{ "answers.csv", AS_CSV,
	    "your answers to events' questions (access, dietary and others)",
	    "SELECT s.event, s.question, s.answer, s.registered_through"
	    " FROM (SELECT e.title AS event, q.label AS question,"
	    "  an.value AS answer, 'this node' AS registered_through,"
	    "  r.created, q.position"
	    "  FROM" ME " JOIN registrations r ON r.account = me.id"
	    "  JOIN answers an ON an.registration = r.id"
	    "  JOIN questions q ON q.id = an.question"
	    "  JOIN events e ON e.id = r.event"
	    " UNION ALL SELECT e.title, x.a->>'label', x.a->>'value',"
	    "  'this node, to the node holding the event', w.created, x.n"
	    "  FROM" ME " JOIN away_registrations w ON w.account = me.id"
	    "  JOIN events e ON e.id = w.event,"
	    "  jsonb_array_elements(w.answers) WITH ORDINALITY AS x (a, n)) s"
	    " ORDER BY s.created, s.event, s.position" },
	{ "feedback.csv", AS_CSV,
	    "your answers to events' feedback forms that said they would "
	    "show your name (anonymous answers are kept with no name, so "
	    "nothing can find them as yours)",
	    "SELECT e.title AS event, q.label AS question, a.value AS answer,"
	    " s.day AS answered_on"
	    " FROM" ME " JOIN registrations r ON r.account = me.id"
	    " JOIN feedback_responses s ON s.registration = r.id"
	    " JOIN feedback_answers a ON a.response = s.id"
	    " JOIN feedback_questions q ON q.id = a.question"
	    " JOIN events e ON e.id = r.event"
	    " ORDER BY s.day, e.title, q.position, q.id" },
	{ "library_revisions.csv", AS_CSV,
	    "the library revisions you saved, with their text",
	    "SELECT d.slug AS document, r.number AS revision, r.title,"
	    " r.summary, r.restored_from AS restored_from_revision,"
	    " " RFC3339("r.created") " AS saved, r.body AS text"
	    " FROM" ME " JOIN document_revisions r ON r.author = me.id"
	    " JOIN documents d ON d.id = r.document"
	    " ORDER BY r.created, d.slug, r.number" },
	{ "evidence_revisions.json", AS_ARRAY,
	    "the evaluation revisions you saved, each whole record",
	    "SELECT r.evaluation, r.number AS revision, r.summary,"
	    " r.restored_from AS restored_from_revision,"
	    " " RFC3339("r.created") " AS saved, r.record"
	    " FROM" ME " JOIN evaluation_revisions r ON r.author = me.id"
	    " ORDER BY r.created, r.evaluation, r.number" },
	{ "evidence_files.csv", AS_CSV,
	    "the report files you attached to evaluations (not their content)",
	    "SELECT f.evaluation, f.filename, f.media_type, f.size, f.sha256,"
	    " " RFC3339("f.created") " AS attached"
	    " FROM" ME " JOIN evaluation_files f ON f.created_by = me.id"
	    " ORDER BY f.created, f.id" },
	{ "glossary_terms.csv", AS_CSV,
	    "the glossary terms you added",
	    "SELECT g.term, g.definition,"
	    " array_to_string(g.synonyms, ', ') AS synonyms,"
	    " " RFC3339("g.updated") " AS updated"
	    " FROM" ME " JOIN glossary_terms g ON g.created_by = me.id"
	    " WHERE NOT g.deleted ORDER BY lower(g.term)" },
	{ "directory_organisations.csv", AS_CSV,
	    "the organisations in the directory whose listings you manage",
	    "SELECT o.name AS organisation, o.id,"
	    " " RFC3339("g.added") " AS manager_since"
	    " FROM" ME " JOIN organisation_managers g ON g.account = me.id"
	    " JOIN organisations o ON o.id = g.organisation"
	    " ORDER BY lower(o.name)" },
	{ "directory_versions.json", AS_ARRAY,
	    "the versions of the directory's listings you saved, each whole",
	    "SELECT v.service, v.revision, v.summary,"
	    " " RFC3339("v.at") " AS saved, v.content AS listing"
	    " FROM" ME " JOIN service_revisions v ON v.account = me.id"
	    " ORDER BY v.at, v.service, v.revision" },
	{ "directory_reports.csv", AS_CSV,
	    "the problems you reported with the directory's listings",
	    "SELECT s.name AS listing, p.service, p.topic, p.details,"
	    " " RFC3339("p.created") " AS reported,"
	    " " RFC3339("p.resolved") " AS settled, p.outcome"
	    " FROM" ME " JOIN service_reports p ON p.account = me.id"
	    " JOIN services s ON s.id = p.service"
	    " ORDER BY p.created, p.id" },
	{ "directory_suggestions.json", AS_ARRAY,
	    "the changes you suggested to the directory's listings",
	    "SELECT g.service, s.name AS listing, g.summary,"
	    " g.content AS suggested, g.place AS suggested_place,"
	    " " RFC3339("g.created") " AS suggested_at,"
	    " " RFC3339("g.decided") " AS decided, g.outcome, g.reason"
	    " FROM" ME " JOIN service_suggestions g ON g.account = me.id"
	    " JOIN services s ON s.id = g.service"
	    " ORDER BY g.created, g.id" },
	{ "directory_referrals.csv", AS_CSV,
	    "the referral outcomes you recorded and that still name you"
	    " (counts only: nothing about the person referred)",
	    "SELECT s.name AS listing, f.service, f.outcome,"
	    " " RFC3339("f.recorded") " AS recorded"
	    " FROM" ME " JOIN service_referrals f ON f.account = me.id"
	    " JOIN services s ON s.id = f.service"
	    " ORDER BY f.recorded, f.id" },
	{ "shortlists.json", AS_ARRAY,
	    "your shortlists of services, with your notes",
	    "SELECT " RFC3339("l.created") " AS created,"
	    " " RFC3339("l.updated") " AS changed,"
	    " " RFC3339("l.expires") " AS shared_link_expires,"
	    " coalesce((SELECT jsonb_agg(jsonb_build_object('listing', s.name,"
	    "  'service', s.id, 'note', i.note) ORDER BY i.position)"
	    "  FROM shortlist_items i JOIN services s ON s.id = i.service"
	    "  WHERE i.shortlist = l.id), '[]') AS services"
	    " FROM" ME " JOIN shortlists l ON l.account = me.id"
	    " ORDER BY l.created, l.id" },
	{ "sessions.csv", AS_CSV,
	    "the browsers signed in as you now: when, what each said it was"
	    " and the address it came from",
	    "SELECT " RFC3339("s.created") " AS signed_in,"
	    " " RFC3339("s.last_seen") " AS last_seen,"
	    " s.user_agent, s.address"
	    " FROM" ME " JOIN sessions s ON s.account = me.id"
	    " ORDER BY s.created" },
	{ "failed_signins.csv", AS_CSV,
	    "when someone failed to sign in with your email address",
	    "SELECT " RFC3339("f.at") " AS at"
	    " FROM" ME " JOIN signin_failures f ON f.email = lower(me.email)"
	    " ORDER BY f.at" },
	{ "audit.csv", AS_CSV,
	    "the audit log's entries of what you did and what was done to"
	    " your account",
	    "SELECT " RFC3339("l.at") " AS at, l.action,"
	    " CASE WHEN l.actor = me.id THEN 'you'"
	    " WHEN l.actor IS NULL THEN 'this node'"
	    " ELSE 'a coordinator or another member' END AS done_by,"
	    AUDIT_ABOUT " AS about"
	    " FROM" ME " JOIN audit_log l ON l.actor = me.id"
	    "  OR l.subject = me.member::text"
	    " ORDER BY l.at, l.id" },
};
#define NEXPORTS	(sizeof(exports) / sizeof(exports[0]))

/* Writes value (row i, column k) as its column's type reads in JSON. */
static void
json_value(struct json *j, const PGresult *res, int i, int k)
{
	if (PQgetisnull(res, i, k)) {
		json_null(j);
		return;
	}
	switch (PQftype(res, k)) {
	case OID_BOOL:
		json_bool(j, strcmp(PQgetvalue(res, i, k), "t") == 0);
		break;
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_NUMERIC:
		json_number(j, PQgetvalue(res, i, k));
		break;
	case OID_JSON:
	case OID_JSONB:
		/* PostgreSQL wrote it, and writes only JSON. */
		json_raw(j, PQgetvalue(res, i, k));
		break;
	default:
		json_string(j, PQgetvalue(res, i, k));
	}
}

static void
json_row(struct json *j, const PGresult *res, int i)
{
	int k, n = PQnfields(res);

	json_open(j, '{');
	for (k = 0; k < n; k++) {
		json_key(j, PQfname(res, k));
		json_value(j, res, i, k);
	}
	json_close(j);
}

/* The rows as a JSON file of form x->form; NULL when memory ran out. */
static char *
export_json(const struct export *x, const PGresult *res, size_t *len)
{
	struct json j;
	int i, n = PQntuples(res);

	json_init(&j);
	if (x->form == AS_OBJECT) {
		if (n > 0)
			json_row(&j, res, 0);
		else
			json_null(&j);
	} else {
		json_open(&j, '[');
		for (i = 0; i < n; i++)
			json_row(&j, res, i);
		json_close(&j);
	}
	return json_finish(&j, len);
}

/* The rows as CSV: the column names, then each row; yes/no for booleans. */
static char *
export_csv(const PGresult *res, size_t *len)
{
	struct csv *c;
	const char *v;
	int i, k, n = PQntuples(res), m = PQnfields(res);

	if ((c = csv_new()) == NULL)
		return NULL;
	for (k = 0; k < m; k++)
		csv_cell(c, PQfname(res, k));
	csv_row(c);
	for (i = 0; i < n; i++) {
		for (k = 0; k < m; k++) {
			v = db_value(res, i, k);
			if (v != NULL && PQftype(res, k) == OID_BOOL)
				v = strcmp(v, "t") == 0 ? "yes" : "no";
			csv_cell(c, v);
		}
		csv_row(c);
	}
	return csv_finish(c, len);
}

/* Runs x for the account and adds its file to z; -1 on failure. */
static int
export_add(struct request *r, struct zip *z, const struct export *x,
    time_t now)
{
	char id[32], *body;
	const char *p[1] = { id };
	PGresult *res;
	size_t len = 0;
	int rc;

	snprintf(id, sizeof(id), "%ld", r->account->id);
	if ((res = db_query(r->db, PGRES_TUPLES_OK, x->sql, 1, p)) == NULL)
		return -1;
	body = x->form == AS_CSV ? export_csv(res, &len) :
	    export_json(x, res, &len);
	PQclear(res);
	if (body == NULL)
		return -1;
	rc = zip_add(z, x->file, body, len, now);
	free(body);
	return rc;
}

/* README.txt: what the archive is and what each file holds. */
static int
export_readme(struct zip *z, const char *when, time_t now)
{
	struct strbuf b = { 0 };
	char *text;
	size_t i;
	int rc;

	strbuf_printf(&b, "Your data from %s (%s)\r\n", cfg->node_name,
	    cfg->public_url);
	strbuf_printf(&b, "Made %s.\r\n\r\n", when);
	strbuf_str(&b, "Everything this node holds about your account, as "
	    "JSON and CSV files\r\n(CSV opens in any spreadsheet; times are "
	    "UTC, as RFC 3339 writes them):\r\n\r\n");
	for (i = 0; i < NEXPORTS; i++)
		strbuf_printf(&b, "  %-24s %s\r\n", exports[i].file,
		    exports[i].about);
	strbuf_str(&b, "\r\nNothing about anyone else is included: the audit "
	    "log does not name who\r\nelse acted, nor records that may be "
	    "about someone else, and failed\r\nsign-ins are listed without "
	    "the address they came from, which may be\r\na stranger's.  How "
	    "long each kind of data is kept, and where it goes:\r\n");
	strbuf_printf(&b, "%s/privacy\r\n", cfg->public_url);
	if ((text = strbuf_take(&b)) == NULL)
		return -1;
	rc = zip_add(z, "README.txt", text, strlen(text), now);
	free(text);
	return rc;
}

/* The columns of the query that dates the archive. */
enum { DT_DAY, DT_STAMP, DT_EPOCH };

/*
 * The archive, read in one snapshot, with its download recorded in the
 * same transaction; NULL when the database or memory failed.  Its file
 * name is put in name.
 */
static char *
mydata_archive(struct request *r, size_t *len, char *name, size_t size)
{
	struct zip *z = NULL;
	PGresult *res = NULL;
	time_t now;
	size_t i;

	if (db_exec(r->db, "BEGIN ISOLATION LEVEL REPEATABLE READ", 0,
	    NULL) == -1)
		return NULL;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT "
	    SQL_LONDON("now()", LONDON_ISO_DATE) ","
	    " " SQL_LONDON("now()", LONDON_STAMP) " || ' (UK time)',"
	    " extract(epoch FROM now())::bigint", 0, NULL)) == NULL ||
	    (z = zip_new()) == NULL)
		goto fail;
	now = (time_t)strtoll(PQgetvalue(res, 0, DT_EPOCH), NULL, 10);
	snprintf(name, size, "acorn-my-data-%s.zip",
	    PQgetvalue(res, 0, DT_DAY));
	if (export_readme(z, PQgetvalue(res, 0, DT_STAMP), now) == -1)
		goto fail;
	for (i = 0; i < NEXPORTS; i++)
		if (export_add(r, z, &exports[i], now) == -1)
			goto fail;
	PQclear(res);
	/* Personal data leaves only once its leaving is recorded. */
	if (audit_commit(r->db, r->account->id, "data_download",
	    r->account->member) == -1) {
		zip_free(z);
		return NULL;
	}
	return zip_finish(z, len);
fail:
	PQclear(res);
	zip_free(z);
	db_rollback(r->db);
	return NULL;
}

/*
 * Each download builds the whole archive in memory: a member asks for
 * one as often as the mails anyone may ask for, counted per account.
 * 0 when this one may go; otherwise 1, and the request is answered.
 */
static int
mydata_throttled(struct request *r, int *rc)
{
	char who[48], *text;
	long wait;

	snprintf(who, sizeof(who), "data-download:%ld", r->account->id);
	if ((wait = throttle_take(r->db, THROTTLE_MAIL, who, "")) == 0)
		return 0;
	if (wait == -1) {
		*rc = http_error(r, 503);
		return 1;
	}
	response_retry_after(r, wait);
	text = util_printf("You have downloaded your data several times in "
	    "a short while, and each download takes the node some work. Wait "
	    "%ld second%s, then try again.", wait, wait == 1 ? "" : "s");
	*rc = page_message_take(r, 429, "Too many downloads", text,
	    "/profile/data", "Back to Download your data", 0);
	return 1;
}

/* GET and POST /profile/data */
int
mydata_page(struct request *r)
{
	struct view *v, *f;
	char name[64], *body;
	size_t i, len;
	int rc;

	if (r->method == METHOD_POST) {
		if (mydata_throttled(r, &rc))
			return rc;
		if ((body = mydata_archive(r, &len, name, sizeof(name))) ==
		    NULL)
			return http_error(r, 503);
		return http_attachment(r, "application/zip", body, len, name);
	}
	if ((v = page_view(r, "Download your data")) == NULL)
		return http_error(r, 500);
	for (i = 0; i < NEXPORTS; i++) {
		if ((f = view_add(v, "files")) == NULL)
			break;
		view_set(f, "file", exports[i].file);
		view_set(f, "about", exports[i].about);
	}
	return http_page(r, 200, "mydata", v);
}
