/*
 * Merging verified entries into the shared tables.  The rules of
 * docs/protocol.md: a record id belongs to the first origin stored for
 * it, and only that origin changes or deletes it (another's claim is
 * refused and noted); a node describes only itself, and only a hub
 * pinned here describes others; a version not newer than the stored
 * one is ignored; a tombstone deletes the record's data and is kept, to
 * be relayed.  The entry is stored byte for byte as its origin signed
 * it.  This node's own records coming back from its peers are verified
 * against its own keys and taken when they are newer than the copy
 * held (a node restored from a backup gets back what it changed after
 * the backup): otherwise they are passed over, as the same entry by
 * another path, however old.
 *
 * A page is merged a run of entries at a time, set-based: the entries
 * of a run are verified on every core at once (fed_verify_many), their
 * records copied into a staging table, and each kind's rules applied
 * to the whole run by one statement each, prepared once per
 * connection.  A run that does not fit the tables (a constraint, a
 * value of the wrong type) is merged again one entry at a time, so the
 * entry at fault is refused alone, as it always was.  The caller holds
 * a transaction (begun by feed_begin) for the whole page.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "federation.h"

/* Fields that repeat travel to SQL joined by a character XML cannot hold. */
#define SEP	"\x1e"
#define MERGE_FIELDS	19	/* the most fields of any kind */
#define MERGE_COLUMNS	8	/* the most attribute columns of any kind */
#define MERGE_STMTS	8	/* the most statements of a kind's step */

/*
 * The staging table, one per connection.  p1 .. p6 are the record's
 * id, origin, version, updated, entry and home, p7 onwards its fields
 * in the order its kind lists them, a1 onwards its attribute columns.
 * What the classification finds of each row goes to merge_verdicts, by
 * its n: writing it into the row itself wrote the row, entry and all,
 * again, and made the table twice as long for every statement after
 * it to read.  A row lives
 * for one run and is read once: compressing its entry on the way in
 * (as a row over the default two kilobytes would be) cost more than
 * all the rest of staging it, so rows stay whole up to a page's size.
 * It is emptied before each run (acorn_merge_stage_clear), not at each
 * commit, which would truncate it then at every merge's commit.
 */
static const char stage_table[] =
    "CREATE TEMP TABLE IF NOT EXISTS merge_stage (n integer PRIMARY KEY,"
    " kind text NOT NULL, deleted boolean NOT NULL,"
    " p1 uuid NOT NULL, p2 uuid NOT NULL,"
    " p3 integer NOT NULL, p4 text, p5 text, p6 text, p7 text, p8 text,"
    " p9 text, p10 text, p11 text, p12 text, p13 text, p14 text,"
    " p15 text, p16 text, p17 text, p18 text, p19 text, p20 text,"
    " p21 text, p22 text, p23 text, p24 text, p25 text, a1 text,"
    " a2 text, a3 text, a4 text, a5 text, a6 text, a7 text, a8 text)"
    " WITH (toast_tuple_target = 8160)";

static const char verdict_table[] =
    "CREATE TEMP TABLE IF NOT EXISTS merge_verdicts (n integer PRIMARY KEY,"
    " verdict text NOT NULL, held boolean NOT NULL, owner uuid)";

#define STAGE_LIST \
    "merge_stage (n, kind, deleted, p1, p2, p3, p4, p5, p6, p7, p8," \
    " p9, p10, p11, p12, p13, p14, p15, p16, p17, p18, p19, p20, p21," \
    " p22, p23, p24, p25, a1, a2, a3, a4, a5, a6, a7, a8)"
static const char stage_copy[] =
    "COPY " STAGE_LIST " FROM STDIN (FORMAT binary)";

/*
 * A run of at most this many records (a change as it is pushed or
 * pulled, not a catch-up's page) is staged by an INSERT sent with the
 * statements that classify and apply it, its values in the same binary
 * form COPY takes: one round trip for the whole run, where COPY is two
 * of its own.
 */
#define SMALL_RUN	8

/*
 * What the classification decides of each staged record, against the
 * copy held ($1 is the kind): apply it, ignore it (the same entry by
 * another path), or refuse it, for one of three reasons.
 */
#define CLASSIFY(t) \
	"WITH h AS (SELECT t.id, t.origin, t.version, t.entry FROM " t " t" \
	" WHERE t.id IN (SELECT p1 FROM merge_stage WHERE kind = $1)" \
	" FOR UPDATE)" \
	" INSERT INTO merge_verdicts (n, held, owner, verdict)" \
	" SELECT s.n, h.id IS NOT NULL, h.origin," \
	" CASE WHEN h.id IS NULL THEN 'apply'" \
	"  WHEN h.origin <> s.p2 THEN 'claim'" \
	"  WHEN h.version >= s.p3 AND s.p2 = (SELECT id FROM node)" \
	"  THEN 'same'" \
	"  WHEN h.version > s.p3 THEN 'older'" \
	"  WHEN h.version = s.p3 AND h.entry IS DISTINCT FROM s.p5" \
	"  THEN 'different'" \
	"  WHEN h.version = s.p3 THEN 'same' ELSE 'apply' END" \
	" FROM merge_stage s LEFT JOIN h ON h.id = s.p1 WHERE s.kind = $1"

#define APPLIED	"s.kind = $1 AND s.n IN" \
	" (SELECT n FROM merge_verdicts WHERE verdict = 'apply')"
/* Of those, the ones held here already, or not. */
#define HELD	"s.n IN (SELECT n FROM merge_verdicts WHERE held)"
#define NOT_HELD "s.n IN (SELECT n FROM merge_verdicts WHERE NOT held)"
#define LIVE_IDS \
	"(SELECT p1 FROM merge_stage s WHERE " APPLIED " AND NOT s.deleted)"
/* Of those, another node's, not this one's own coming back. */
#define THEIRS	"s.p2 <> (SELECT id FROM node)"
#define THEIR_IDS \
	"(SELECT p1 FROM merge_stage s WHERE " APPLIED " AND NOT s.deleted" \
	" AND " THEIRS ")"
#define GONE_IDS \
	"(SELECT p1 FROM merge_stage s WHERE " APPLIED " AND s.deleted)"

/* Where a record came from: none for this node's own, coming back. */
#define HOME	"CASE WHEN s.p2 <> (SELECT id FROM node) THEN s.p6 END"

/*
 * The live records of a kind, inserted or updated, in page order.  Each
 * takes its seq here (in that order: PostgreSQL calls a volatile
 * function of the select list after sorting), which spares it the seq
 * trigger: a received record is never this node's own change.
 */
#define UPSERT_HEAD(t, cols) \
	"INSERT INTO " t " (id, origin, version, updated, entry, home, seq, " \
	cols ") SELECT s.p1, s.p2, s.p3, s.p4::timestamptz, s.p5," \
	" " HOME ", nextval('change_seq'), "
#define UPSERT_FROM \
	" FROM merge_stage s WHERE " APPLIED " AND NOT s.deleted ORDER BY s.n" \
	" ON CONFLICT (id) DO UPDATE SET version = excluded.version," \
	" updated = excluded.updated, entry = excluded.entry," \
	" home = excluded.home, seq = excluded.seq, deleted = false, "

/* A tombstone: the record's data goes, the signed tombstone stays. */
#define TOMB_HELD(t, clear) \
	"UPDATE " t " t SET deleted = true, version = s.p3," \
	" seq = nextval('change_seq')," \
	" updated = s.p4::timestamptz, entry = s.p5, home = NULL, " clear \
	" FROM merge_stage s WHERE " APPLIED " AND s.deleted AND " HELD \
	" AND t.id = s.p1 AND t.origin = s.p2"
#define TOMB_NEW(t, cols, vals) \
	"INSERT INTO " t " (id, origin, version, updated, deleted, entry, seq" \
	cols ") SELECT s.p1, s.p2, s.p3, s.p4::timestamptz, true, s.p5," \
	" nextval('change_seq')" vals \
	" FROM merge_stage s WHERE " APPLIED " AND s.deleted" \
	" AND " NOT_HELD " ORDER BY s.n"

/* What a received revision says of itself. */
#define RECEIVED(origin) \
	"CASE WHEN " origin " = (SELECT id FROM node)" \
	" THEN 'Restored from the network' ELSE 'Received from its home node'" \
	" END"

/* The name of a node to sign received revisions with. */
#define AUTHOR_OF(origin) \
	"coalesce((SELECT name FROM known_nodes WHERE id = " origin ")," \
	" 'another node')"

/* One column of a record: a field's attribute, or its text (-1). */
struct merge_column {
	const char	*field;
	int		 attr;
};

struct merge_kind {
	const char	*kind;
	const char	*table;
	const char	*fields[MERGE_FIELDS + 1];	/* p7 onwards; NULL ends */
	struct merge_column columns[MERGE_COLUMNS];	/* a1 onwards */
	const char	*classify;
	const char	*gone[MERGE_STMTS];	/* the tombstones, in order */
	const char	*live[MERGE_STMTS];	/* the live records, in order */
};

/*
 * The directory's records arrive as one field, their columns as JSON
 * (publish.c): read into a row of the table, whose checks refuse what
 * does not fit.
 */
#define RECORD_FROM(t) \
	" FROM merge_stage s CROSS JOIN LATERAL jsonb_populate_record(" \
	"NULL::" t ", s.p7::jsonb) r WHERE " APPLIED " AND NOT s.deleted" \
	" ORDER BY s.n ON CONFLICT (id) DO UPDATE SET" \
	" version = excluded.version, updated = excluded.updated," \
	" entry = excluded.entry, home = excluded.home, seq = excluded.seq," \
	" deleted = false, "

static const struct merge_kind kinds[] = {
	{ "member", "members",
	    { "name", "organisation", "role-title", "stakeholder", "region",
	    "interests", "bio", NULL }, { { NULL, 0 } },
	    CLASSIFY("members"),
	    { TOMB_HELD("members", "name = NULL, organisation = NULL,"
	    " role_title = NULL, stakeholder = NULL, region = NULL,"
	    " interests = NULL, bio = NULL, listed = false"),
	    TOMB_NEW("members", "", ""), NULL },
	    { UPSERT_HEAD("members", "deleted, listed, name, organisation,"
	    " role_title, stakeholder, region, interests, bio")
	    "false, true, s.p7, s.p8, s.p9, s.p10, s.p11, s.p12, s.p13"
	    UPSERT_FROM "listed = true, name = excluded.name,"
	    " organisation = excluded.organisation,"
	    " role_title = excluded.role_title,"
	    " stakeholder = excluded.stakeholder, region = excluded.region,"
	    " interests = excluded.interests, bio = excluded.bio", NULL } },
	{ "event", "events",
	    { "title", "description", "kind", "starts", "ends", "venue",
	    "address", "online", "organiser", "region", "status",
	    "registration-opens", "registration-closes",
	    "registration-closed", "published", "other-nodes",
	    "attendance", NULL },
	    { { "place", 0 }, { "place", -1 }, { "question", 0 },
	    { "question", 1 }, { "question", 2 }, { "question", -1 },
	    { "choice", 0 }, { "choice", -1 } },
	    CLASSIFY("events"),
	    { TOMB_HELD("events", "title = NULL, description = NULL,"
	    " kind = NULL, starts = NULL, ends = NULL, venue = NULL,"
	    " address = NULL, online_url = NULL, organiser = NULL,"
	    " region = NULL"),
	    TOMB_NEW("events", "", ""), NULL },
	    /* The way in to an online event is given by its home node. */
	    { UPSERT_HEAD("events", "deleted, title, description, kind, starts,"
	    " ends, venue, address, online_url, organiser, region, status,"
	    " reg_opens, reg_closes, reg_closed, published, accept_remote,"
	    " attendance")
	    "false, s.p7, s.p8, s.p9, s.p10::timestamptz, s.p11::timestamptz,"
	    " s.p12, s.p13, CASE WHEN s.p14 = 'true' THEN " HOME " END, s.p15,"
	    " s.p16, s.p17, s.p18::timestamptz, s.p19::timestamptz,"
	    " coalesce(s.p20 = 'true', false), s.p21::timestamptz,"
	    " s.p22 IS DISTINCT FROM 'false',"
	    /* Counts in any other shape are left out, not refused. */
	    " CASE WHEN acorn_attendance_valid(s.p23) THEN s.p23 END"
	    UPSERT_FROM "title = excluded.title,"
	    " description = excluded.description, kind = excluded.kind,"
	    " starts = excluded.starts, ends = excluded.ends,"
	    " venue = excluded.venue, address = excluded.address,"
	    " online_url = excluded.online_url,"
	    " organiser = excluded.organiser, region = excluded.region,"
	    " status = excluded.status, reg_opens = excluded.reg_opens,"
	    " reg_closes = excluded.reg_closes,"
	    " reg_closed = excluded.reg_closed,"
	    " published = excluded.published,"
	    " accept_remote = excluded.accept_remote,"
	    " attendance = excluded.attendance",
	    /*
	     * What a received event asks of those who register: its place
	     * types and questions, by the host's ids, for the registration
	     * form here; those it no longer lists go.  This node's own
	     * events keep theirs (their capacities are not in the entry).
	     */
	    "WITH n AS (SELECT s.p1 AS event, u.r::bigint AS ref, u.name, u.n"
	    " FROM merge_stage s CROSS JOIN LATERAL unnest("
	    " string_to_array(s.a1, chr(30)), string_to_array(s.a2, chr(30)))"
	    " WITH ORDINALITY AS u (r, name, n)"
	    " WHERE " APPLIED " AND NOT s.deleted AND " THEIRS "),"
	    " gone AS (DELETE FROM place_types p WHERE p.event IN " THEIR_IDS
	    "  AND p.ref NOT IN (SELECT n.ref FROM n WHERE n.event = p.event))"
	    " INSERT INTO place_types (event, ref, name, capacity, position)"
	    " SELECT n.event, n.ref, n.name, 0, n.n FROM n"
	    " ON CONFLICT (event, ref) WHERE ref IS NOT NULL DO UPDATE"
	    " SET name = excluded.name, position = excluded.position",
	    "WITH q AS (SELECT s.p1 AS event, u.r::bigint AS ref, u.k,"
	    " u.req = 'true' AS req, u.l, u.n FROM merge_stage s"
	    " CROSS JOIN LATERAL unnest(string_to_array(s.a3, chr(30)),"
	    " string_to_array(s.a4, chr(30)), string_to_array(s.a5, chr(30)),"
	    " string_to_array(s.a6, chr(30)))"
	    " WITH ORDINALITY AS u (r, k, req, l, n)"
	    " WHERE " APPLIED " AND NOT s.deleted AND " THEIRS "),"
	    " c AS (SELECT s.p1 AS event, u.q::bigint AS ref,"
	    " array_agg(u.v ORDER BY u.n) AS vs FROM merge_stage s"
	    " CROSS JOIN LATERAL unnest(string_to_array(s.a7, chr(30)),"
	    " string_to_array(s.a8, chr(30))) WITH ORDINALITY AS u (q, v, n)"
	    " WHERE " APPLIED " AND NOT s.deleted AND " THEIRS
	    " GROUP BY s.p1, u.q),"
	    " gone AS (DELETE FROM questions x WHERE x.event IN " THEIR_IDS
	    "  AND x.ref NOT IN (SELECT q.ref FROM q WHERE q.event = x.event))"
	    " INSERT INTO questions (event, ref, kind, label, required,"
	    " choices, position)"
	    " SELECT q.event, q.ref, q.k, q.l, q.req,"
	    " CASE WHEN q.k = 'choice' THEN coalesce(c.vs, '{}') END, q.n"
	    " FROM q LEFT JOIN c ON c.event = q.event AND c.ref = q.ref"
	    " ON CONFLICT (event, ref) WHERE ref IS NOT NULL DO UPDATE"
	    " SET kind = excluded.kind, label = excluded.label,"
	    " required = excluded.required, choices = excluded.choices,"
	    " position = excluded.position", NULL } },
	{ "evaluation", "evaluations",
	    { "title", "scheme", "area", "region", "year", "design",
	    "sample-size", "follow-up", "summary", "revision", NULL },
	    { { "outcome", 0 }, { "outcome", 1 }, { "outcome", 2 },
	    { "outcome", 3 } },
	    CLASSIFY("evaluations"),
	    { TOMB_HELD("evaluations", "title = NULL, scheme = NULL,"
	    " area = NULL, region = NULL, year = NULL, design = NULL,"
	    " sample_size = NULL, follow_up = NULL, summary = NULL"),
	    TOMB_NEW("evaluations", "", ""),
	    "DELETE FROM evaluation_outcomes WHERE evaluation IN " GONE_IDS,
	    "DELETE FROM evaluation_revisions WHERE evaluation IN " GONE_IDS,
	    NULL },
	    { UPSERT_HEAD("evaluations", "deleted, title, scheme, area, region,"
	    " year, design, sample_size, follow_up, summary, revision")
	    "false, s.p7, s.p8, s.p9, s.p10, s.p11::integer, s.p12,"
	    " s.p13::integer, s.p14::integer, s.p15,"
	    " coalesce(s.p16::integer, 1)"
	    UPSERT_FROM "title = excluded.title,"
	    " scheme = excluded.scheme, area = excluded.area,"
	    " region = excluded.region, year = excluded.year,"
	    " design = excluded.design, sample_size = excluded.sample_size,"
	    " follow_up = excluded.follow_up, summary = excluded.summary,"
	    " revision = excluded.revision",
	    "DELETE FROM evaluation_outcomes WHERE evaluation IN " LIVE_IDS,
	    /* Its outcomes, then a revision of it, kept for its history. */
	    "INSERT INTO evaluation_outcomes"
	    " (evaluation, outcome, direction, measure, figure)"
	    " SELECT s.p1, u.o, u.d, u.m, u.f FROM merge_stage s"
	    " CROSS JOIN LATERAL unnest(string_to_array(s.a1, chr(30)),"
	    " string_to_array(s.a2, chr(30)), string_to_array(s.a3, chr(30)),"
	    " string_to_array(s.a4, chr(30))) AS u (o, d, m, f)"
	    " WHERE " APPLIED " AND NOT s.deleted AND s.a1 <> ''",
	    /* The search words include the outcomes: let its trigger run. */
	    "UPDATE evaluations SET search = NULL WHERE id IN " LIVE_IDS,
	    "INSERT INTO evaluation_revisions (evaluation, number, record,"
	    " author_name, summary) SELECT e.id, e.revision,"
	    " acorn_evaluation_record(e.id), " AUTHOR_OF("e.origin") ", "
	    RECEIVED("e.origin") " FROM evaluations e"
	    " WHERE e.id IN " LIVE_IDS
	    " ON CONFLICT (evaluation, number) DO UPDATE SET"
	    " record = excluded.record", NULL } },
	{ "document", "documents",
	    { "slug", "title", "category", "tag", "body", "revision", NULL },
	    { { NULL, 0 } },
	    CLASSIFY("documents"),
	    { TOMB_HELD("documents", "title = NULL, category = NULL,"
	    " tags = '{}', body = ''"),
	    TOMB_NEW("documents", ", slug", ", 'deleted-' || s.p1::text"),
	    "DELETE FROM document_revisions WHERE document IN " GONE_IDS,
	    NULL },
	    /* A slug taken here by another document gets the id's start. */
	    { UPSERT_HEAD("documents", "deleted, slug, title, category, tags,"
	    " body, revision, search")
	    "false, CASE WHEN EXISTS (SELECT 1 FROM documents"
	    "  WHERE slug = s.p7 AND id <> s.p1)"
	    " THEN left(s.p7, 71) || '-' || left(s.p1::text, 8) ELSE s.p7 END,"
	    " s.p8, s.p9, coalesce(string_to_array(s.p10, chr(30)), '{}'),"
	    " coalesce(s.p11, ''), coalesce(s.p12::integer, 1),"
	    " acorn_document_words(s.p8,"
	    "  coalesce(string_to_array(s.p10, chr(30)), '{}'),"
	    "  coalesce(s.p11, ''))"
	    UPSERT_FROM "title = excluded.title,"
	    " category = excluded.category, tags = excluded.tags,"
	    " body = excluded.body, revision = excluded.revision,"
	    " search = excluded.search",
	    /* The revision it is at, kept for its history. */
	    "INSERT INTO document_revisions (document, number, title, body,"
	    " author_name, summary) SELECT d.id, d.revision, d.title, d.body, "
	    AUTHOR_OF("d.origin") ", " RECEIVED("d.origin")
	    " FROM documents d WHERE d.id IN " LIVE_IDS
	    " ON CONFLICT (document, number) DO UPDATE SET"
	    " title = excluded.title, body = excluded.body", NULL } },
	{ "term", "glossary_terms",
	    { "term", "definition", "synonym", NULL }, { { NULL, 0 } },
	    CLASSIFY("glossary_terms"),
	    { TOMB_HELD("glossary_terms", "term = NULL, definition = NULL,"
	    " synonyms = '{}'"),
	    TOMB_NEW("glossary_terms", "", ""), NULL },
	    /* Its search words made here, sparing it the trigger. */
	    { UPSERT_HEAD("glossary_terms", "deleted, term, definition,"
	    " synonyms, search")
	    "false, s.p7, s.p8, coalesce(string_to_array(s.p9, chr(30)), '{}'),"
	    " acorn_glossary_words(s.p7,"
	    "  coalesce(string_to_array(s.p9, chr(30)), '{}'), s.p8)"
	    UPSERT_FROM "term = excluded.term,"
	    " definition = excluded.definition,"
	    " synonyms = excluded.synonyms, search = excluded.search", NULL } },
	{ "node", "nodes",
	    { "subject", "name", "region", "url", NULL }, { { NULL, 0 } },
	    CLASSIFY("nodes"),
	    /* A node tombstone takes back the keys its entry taught. */
	    { "DELETE FROM node_keys k USING nodes n, merge_stage s"
	    " WHERE " APPLIED " AND s.deleted AND " HELD " AND n.id = s.p1"
	    " AND k.node = n.subject AND"
	    " ((n.subject = s.p2 AND k.source <> 'pinned') OR"
	    " (k.source = 'vouched' AND k.introducer = s.p2))",
	    TOMB_HELD("nodes", "name = NULL, region = NULL, url = NULL,"
	    " keys = '[]'"),
	    TOMB_NEW("nodes", "", ""),
	    /* What another hub pinned here vouches for stays. */
	    "SELECT acorn_vouches_restore() FROM merge_stage s"
	    " WHERE " APPLIED " AND s.deleted LIMIT 1", NULL },
	    { UPSERT_HEAD("nodes", "deleted, subject, name, region, url")
	    "false, substr(s.p7, 10)::uuid, s.p8, s.p9, s.p10"
	    UPSERT_FROM "subject = excluded.subject, name = excluded.name,"
	    " region = excluded.region, url = excluded.url", NULL } },
	{ "organisation", "organisations", { "record", NULL }, { { NULL, 0 } },
	    CLASSIFY("organisations"),
	    { TOMB_HELD("organisations", "name = NULL, description = NULL,"
	    " email = NULL, website = NULL, phone = NULL"),
	    TOMB_NEW("organisations", "", ""), NULL },
	    { UPSERT_HEAD("organisations", "deleted, name, description, email,"
	    " website, phone, provenance")
	    "false, r.name, r.description, r.email, r.website, r.phone,"
	    " r.provenance" RECORD_FROM("organisations")
	    "name = excluded.name, description = excluded.description,"
	    " email = excluded.email, website = excluded.website,"
	    " phone = excluded.phone, provenance = excluded.provenance",
	    NULL } },
	{ "location", "locations", { "record", NULL }, { { NULL, 0 } },
	    CLASSIFY("locations"),
	    { TOMB_HELD("locations", "name = NULL, address_1 = NULL,"
	    " city = NULL, postal_code = NULL, latitude = NULL,"
	    " longitude = NULL"),
	    TOMB_NEW("locations", "", ""), NULL },
	    { UPSERT_HEAD("locations", "deleted, organisation, name,"
	    " location_type, address_1, city, state_province, postal_code,"
	    " country, latitude, longitude, accessibility, provenance")
	    "false, r.organisation, r.name, r.location_type, r.address_1,"
	    " r.city, r.state_province, r.postal_code, r.country, r.latitude,"
	    " r.longitude, r.accessibility, r.provenance"
	    RECORD_FROM("locations")
	    "organisation = excluded.organisation, name = excluded.name,"
	    " location_type = excluded.location_type,"
	    " address_1 = excluded.address_1, city = excluded.city,"
	    " state_province = excluded.state_province,"
	    " postal_code = excluded.postal_code, country = excluded.country,"
	    " latitude = excluded.latitude, longitude = excluded.longitude,"
	    " accessibility = excluded.accessibility,"
	    " provenance = excluded.provenance", NULL } },
	/* Its search words made here, sparing it the trigger. */
	{ "service", "services", { "record", NULL }, { { NULL, 0 } },
	    CLASSIFY("services"),
	    { TOMB_HELD("services", "name = NULL, description = NULL,"
	    " status = NULL, url = NULL, email = NULL, alert = NULL,"
	    " eligibility = NULL, fees = NULL, accessibility = NULL,"
	    " schedules = '[]', contacts = '[]', locations = '{}',"
	    " terms = '{}', assured_date = NULL, assured_by = NULL"),
	    TOMB_NEW("services", "", ""), NULL },
	    /* The terms of its region's own it carries, first. */
	    { "SELECT acorn_terms_received(s.p7::jsonb, s.p2) FROM merge_stage"
	    " s WHERE " APPLIED " AND NOT s.deleted ORDER BY s.n",
	    UPSERT_HEAD("services", "deleted, organisation, name,"
	    " description, status, url, email, alert, minimum_age,"
	    " maximum_age, eligibility, fees, free, languages, accessibility,"
	    " attending, access, schedules, contacts, locations, terms,"
	    " assured_date, assured_by, provenance, search")
	    "false, r.organisation, r.name, r.description, r.status, r.url,"
	    " r.email, r.alert, r.minimum_age, r.maximum_age, r.eligibility,"
	    " r.fees, coalesce(r.free, false), coalesce(r.languages, '{}'),"
	    " r.accessibility, coalesce(r.attending, '{}'),"
	    " coalesce(r.access, '{}'), coalesce(r.schedules, '[]'),"
	    " coalesce(r.contacts, '[]'), coalesce(r.locations, '{}'),"
	    " coalesce(r.terms, '{}'), r.assured_date, r.assured_by,"
	    " r.provenance, acorn_service_words(r.name, r.description,"
	    " r.eligibility, coalesce(r.terms, '{}'))"
	    RECORD_FROM("services")
	    "organisation = excluded.organisation, name = excluded.name,"
	    " description = excluded.description, status = excluded.status,"
	    " url = excluded.url, email = excluded.email,"
	    " alert = excluded.alert, minimum_age = excluded.minimum_age,"
	    " maximum_age = excluded.maximum_age,"
	    " eligibility = excluded.eligibility, fees = excluded.fees,"
	    " free = excluded.free, languages = excluded.languages,"
	    " accessibility = excluded.accessibility,"
	    " attending = excluded.attending, access = excluded.access,"
	    " schedules = excluded.schedules, contacts = excluded.contacts,"
	    " locations = excluded.locations, terms = excluded.terms,"
	    " assured_date = excluded.assured_date,"
	    " assured_by = excluded.assured_by,"
	    " provenance = excluded.provenance, search = excluded.search",
	    NULL } },
};

#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

static const struct merge_kind *
merge_kind(const char *kind)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return &kinds[i];
	return NULL;
}

/*
 * The keys a node entry lists, as fingerprints worked out here (never
 * taken from the entry's word) and PEMs, each joined by SEP.  -1 when a
 * key is not a P-256 public key.
 */
static int
listed_keys(const struct fed_record *rec, char **fps, char **pems)
{
	struct strbuf f = { NULL, 0, 0, 0 }, p = { NULL, 0, 0, 0 };
	char fp[FED_FP_LEN + 1];
	EVP_PKEY *key;
	size_t i;
	int n = 0;

	for (i = 0; i < rec->nfields; i++) {
		if (strcmp(rec->fields[i].name, "key") != 0)
			continue;
		if ((key = fed_pem_key(rec->fields[i].value)) == NULL ||
		    fed_fingerprint(key, fp) == -1) {
			EVP_PKEY_free(key);
			strbuf_free(&f);
			strbuf_free(&p);
			return -1;
		}
		EVP_PKEY_free(key);
		if (n++ > 0) {
			strbuf_str(&f, SEP);
			strbuf_str(&p, SEP);
		}
		strbuf_str(&f, fp);
		strbuf_str(&p, rec->fields[i].value);
	}
	*fps = strbuf_take(&f);
	*pems = strbuf_take(&p);
	if (n == 0 || *fps == NULL || *pems == NULL) {
		free(*fps);
		free(*pems);
		return -1;
	}
	return 0;
}

static int
yes(struct db *db, const char *sql, int n, const char *const *p)
{
	PGresult *res = db_query(db, PGRES_TUPLES_OK, sql, n, p);
	int rc;

	if (res == NULL)
		return -1;
	rc = PQntuples(res) > 0;
	PQclear(res);
	return rc;
}

/*
 * What a live node entry teaches the trust store.  About its origin
 * itself: its keys are now exactly those listed (key rotation; the
 * entry was signed by a key already trusted for it).  About another
 * node: its keys, if the origin is a peer pinned as a hub and the node
 * is neither this one nor a peer pinned here.  *learnt counts keys
 * added.
 */
static int
node_after(struct db *db, const struct fed_record *rec, int *learnt,
    const char **why)
{
	const char *subject = fed_field(rec, "subject");
	const char *p[3], *k[3];
	char *fps = NULL, *pems = NULL;
	int rc = -1, n;

	if ((subject = fed_urn_uuid(subject)) == NULL) {
		*why = "a node entry without its subject";
		return -1;
	}
	if (listed_keys(rec, &fps, &pems) == -1) {
		*why = "a node entry whose keys are not P-256 public keys";
		return -1;
	}
	p[0] = rec->id;
	p[1] = fps;
	p[2] = pems;
	if (db_exec(db, "UPDATE nodes SET keys = (SELECT"
	    " jsonb_agg(jsonb_build_object('fingerprint', u.f, 'pem', u.p)"
	    " ORDER BY u.n) FROM unnest(string_to_array($2, chr(30)),"
	    " string_to_array($3, chr(30))) WITH ORDINALITY AS u (f, p, n))"
	    " WHERE id = $1", 3, p) == -1)
		goto out;
	/* The rest is about the subject: $1 the subject, $2 and $3 its keys. */
	k[0] = subject;
	k[1] = fps;
	k[2] = pems;
	if (strcmp(subject, rec->origin) == 0) {
		if ((n = yes(db, "SELECT 1 FROM node_keys WHERE node <> $1"
		    " AND fingerprint = ANY (string_to_array($2, chr(30)))",
		    2, k)) != 0) {
			if (n == 1)
				*why = "a node entry listing another node's key";
			goto out;
		}
		if (db_exec(db, "DELETE FROM node_keys WHERE node = $1 AND"
		    " fingerprint <> ALL (string_to_array($2, chr(30)))",
		    2, k) == -1 ||
		    db_exec(db, "UPDATE peers SET fingerprint ="
		    " (string_to_array($2, chr(30)))[1] WHERE node = $1",
		    2, k) == -1)
			goto out;
		n = (int)db_changes(db, "INSERT INTO node_keys (fingerprint,"
		    " node, pem, source) SELECT u.f, $1, u.p, 'announced' FROM unnest("
		    " string_to_array($2, chr(30)), string_to_array($3, chr(30)))"
		    " AS u (f, p) ON CONFLICT (fingerprint) DO NOTHING", 3, k);
	} else {
		if ((n = yes(db, "SELECT 1 FROM peers WHERE node = $2 AND hub"
		    " AND $1::uuid <> (SELECT id FROM node) AND NOT EXISTS"
		    " (SELECT 1 FROM peers WHERE node = $1)", 2,
		    (const char *[]){ subject, rec->origin })) != 1) {
			rc = n == 0 ? 0 : -1;	/* not ours to learn from */
			goto out;
		}
		if (db_exec(db, "DELETE FROM node_keys WHERE node = $1 AND"
		    " source = 'vouched' AND introducer = $3 AND"
		    " fingerprint <> ALL (string_to_array($2, chr(30)))",
		    3, (const char *[]){ subject, fps, rec->origin }) == -1)
			goto out;
		/*
		 * Not a key the node's own entry held here no longer
		 * lists: a hub that has not heard of its retirement yet
		 * does not bring it back.
		 */
		n = (int)db_changes(db, "INSERT INTO node_keys (fingerprint,"
		    " node, pem, source, introducer) SELECT u.f, $1, u.p, 'vouched', $4"
		    " FROM unnest(string_to_array($2, chr(30)),"
		    " string_to_array($3, chr(30))) AS u (f, p)"
		    " WHERE NOT acorn_key_retired($1::uuid, u.f)"
		    " ON CONFLICT (fingerprint) DO NOTHING", 4,
		    (const char *[]){ subject, fps, pems, rec->origin });
		/*
		 * A key this hub no longer vouches for that another hub
		 * still does stays, in that hub's name (not learnt anew).
		 */
		if (n != -1 && db_call(db, "SELECT acorn_vouches_restore()", 0,
		    NULL) == -1)
			goto out;
	}
	if (n == -1)
		goto out;
	*learnt += n;
	rc = 0;
out:
	free(fps);
	free(pems);
	return rc;
}

/*
 * Whether a live node entry may be stored: a node speaks for itself,
 * and only a hub pinned here for others (acorn_may_describe).  1 when
 * it may, 0 when not, -1 when the database failed.
 */
static int
node_speaker(struct db *db, const struct fed_record *rec)
{
	const char *subject = fed_urn_uuid(fed_field(rec, "subject"));
	const char *p[2] = { rec->origin, subject };

	if (subject == NULL)
		return 1;	/* refused for that by node_after */
	if (strcmp(subject, rec->origin) == 0)
		return 1;
	return yes(db, "SELECT 1 WHERE acorn_may_describe($1, $2)", 2, p);
}


/* Statements prepared once per connection, by name. */

#define STMT_PREFIX	"acorn_merge_"

enum shared_stmt { SH_CLEAR, SH_CLAIMS, SH_VERDICTS, SH_KEYS, SH_SAVEPOINT,
	SH_RELEASE, SH__MAX };

static const char *const shared_sql[SH__MAX] = {
	[SH_CLEAR] = "SELECT acorn_merge_stage_clear()",
	/* Claims on records other nodes own are kept, naming both. */
	[SH_CLAIMS] = "SELECT acorn_record_conflict(s.p1, s.kind, v.owner,"
	    " s.p2) FROM merge_stage s JOIN merge_verdicts v ON v.n = s.n"
	    " WHERE v.verdict = 'claim' ORDER BY s.n",
	[SH_VERDICTS] = "SELECT n, verdict FROM merge_verdicts ORDER BY n",
	/* The trust store, as the entries of a run are checked against it. */
	[SH_KEYS] = "SELECT fingerprint, node, pem FROM node_keys"
	    " ORDER BY fingerprint",
	/* Around each run, sent with its first and its last statements. */
	[SH_SAVEPOINT] = "SAVEPOINT merge",
	[SH_RELEASE] = "RELEASE SAVEPOINT merge",
};

enum { VE_N, VE_VERDICT };
enum { KY_FINGERPRINT, KY_NODE, KY_PEM };

/* A statement's name: shared ones by number, a kind's by step. */
static void
stmt_name(char *buf, size_t len, int kind, char step, int i)
{
	if (kind < 0)
		snprintf(buf, len, STMT_PREFIX "%d", i);
	else
		snprintf(buf, len, STMT_PREFIX "%d_%c%d", kind, step, i);
}

static size_t
stmt_count(void)
{
	size_t k, i, n = SH__MAX;

	for (k = 0; k < NKINDS; k++) {
		n++;
		for (i = 0; kinds[k].gone[i] != NULL; i++)
			n++;
		for (i = 0; kinds[k].live[i] != NULL; i++)
			n++;
	}
	return n;
}

/* Prepares one; one there already (42P05) is as good. */
static int
prepare(PGconn *c, const char *name, const char *sql)
{
	PGresult *r = PQprepare(c, name, sql, 0, NULL);
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	    (state != NULL && strcmp(state, "42P05") == 0);

	if (!ok)
		log_err("%s: %s", name, PQerrorMessage(c));
	PQclear(r);
	return ok ? 0 : -1;
}

/*
 * Makes the staging table and prepares the statements, unless this
 * connection has them already.  Outside any transaction: a staging
 * table made inside one that then rolled back would be gone, and the
 * statements prepared on it with it.
 */
int
merge_prepare(struct db *db)
{
	PGconn *c = db_conn(db);
	PGresult *res;
	char name[64];
	size_t k, i;
	int have, rc = -1;

	if (db_marked(db, DB_MARK_MERGE))
		return 0;
	res = db_query(db, PGRES_TUPLES_OK, "SELECT count(*) FROM"
	    " pg_prepared_statements WHERE starts_with(name, $1)", 1,
	    (const char *[]){ STMT_PREFIX });
	if (res == NULL)
		return -1;
	have = (int)strtol(PQgetvalue(res, 0, DB_ONLY), NULL, 10);
	PQclear(res);
	if (have == (int)stmt_count()) {
		db_mark(db, DB_MARK_MERGE, 1);
		return 0;
	}
	if (db_exec(db, stage_table, 0, NULL) == -1 ||
	    db_exec(db, verdict_table, 0, NULL) == -1)
		return -1;
	for (i = 0; i < SH__MAX; i++) {
		stmt_name(name, sizeof(name), -1, 0, (int)i);
		if (prepare(c, name, shared_sql[i]) == -1)
			goto done;
	}
	for (k = 0; k < NKINDS; k++) {
		stmt_name(name, sizeof(name), (int)k, 'c', 0);
		if (prepare(c, name, kinds[k].classify) == -1)
			goto done;
		for (i = 0; kinds[k].gone[i] != NULL; i++) {
			stmt_name(name, sizeof(name), (int)k, 'g', (int)i);
			if (prepare(c, name, kinds[k].gone[i]) == -1)
				goto done;
		}
		for (i = 0; kinds[k].live[i] != NULL; i++) {
			stmt_name(name, sizeof(name), (int)k, 'l', (int)i);
			if (prepare(c, name, kinds[k].live[i]) == -1)
				goto done;
		}
	}
	db_mark(db, DB_MARK_MERGE, 1);
	rc = 0;
done:
	return rc;
}

/*
 * Runs a prepared statement with the kind's name as $1 (shared ones
 * take none).  quiet: a failure is an answer the caller deals with
 * (a run that does not fit the tables), worth a warning, not an error.
 */
static PGresult *
run(struct db *db, int kind, char step, int i, int quiet)
{
	const char *p[1];
	char name[64];
	PGresult *r;
	ExecStatusType st;

	stmt_name(name, sizeof(name), kind, step, i);
	p[0] = kind >= 0 ? kinds[kind].kind : NULL;
	r = PQexecPrepared(db_conn(db), name, kind >= 0 ? 1 : 0, p, NULL,
	    NULL, 0);
	st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	if (quiet)
		log_warn("%s: %s", name, PQerrorMessage(db_conn(db)));
	else
		log_err("%s: %s", name, PQerrorMessage(db_conn(db)));
	/* Looked for again before the next merge: they may be gone. */
	db_mark(db, DB_MARK_MERGE, 0);
	PQclear(r);
	return NULL;
}

static int
run_ok(struct db *db, int kind, char step, int i, int quiet)
{
	PGresult *r = run(db, kind, step, i, quiet);

	PQclear(r);
	return r == NULL ? -1 : 0;
}

/* Fields and columns. */

/* Every value of a repeated field, joined by SEP; NULL when none. */
static char *
joined(const struct fed_record *rec, const char *name)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	size_t i;
	int n = 0;

	for (i = 0; i < rec->nfields; i++) {
		if (strcmp(rec->fields[i].name, name) != 0)
			continue;
		if (n++ > 0)
			strbuf_str(&b, SEP);
		strbuf_str(&b, rec->fields[i].value);
	}
	if (n == 0)
		return NULL;
	return strbuf_take(&b);
}

static int
repeated(const char *name)
{
	return strcmp(name, "tag") == 0 || strcmp(name, "synonym") == 0;
}

/*
 * One column's values of the outcome, place, question or choice
 * fields, joined by SEP, in document order; attr is the attribute's
 * index, -1 for the text.  "" when there are none.
 */
static char *
column(const struct fed_record *rec, const char *name, int attr)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	const char *v;
	size_t i;
	int n = 0;

	for (i = 0; i < rec->nfields; i++) {
		if (strcmp(rec->fields[i].name, name) != 0)
			continue;
		v = attr < 0 ? rec->fields[i].value : rec->fields[i].attr[attr];
		if (n++ > 0)
			strbuf_str(&b, SEP);
		strbuf_str(&b, v != NULL ? v : "");
	}
	if (n == 0)
		strbuf_str(&b, "");
	return strbuf_take(&b);
}

/*
 * The staging rows go in COPY's binary format: each value its length
 * and its bytes, so that PostgreSQL neither looks for escapes in a
 * signed entry's few kilobytes nor parses numbers and ids back from
 * text.  STAGE_COLUMNS values a row: n, kind, deleted, p1 .. p25,
 * a1 .. a8.
 */
#define STAGE_COLUMNS	(3 + 25 + MERGE_COLUMNS)

static const char copy_header[] = "PGCOPY\n\377\r\n";	/* and a NUL */

static void
copy_int32(struct strbuf *b, long v)
{
	unsigned char be[4];

	be[0] = (unsigned char)((unsigned long)v >> 24);
	be[1] = (unsigned char)((unsigned long)v >> 16);
	be[2] = (unsigned char)((unsigned long)v >> 8);
	be[3] = (unsigned char)v;
	strbuf_add(b, (const char *)be, 4);
}

/* A value: its length, then its bytes; NULL as length -1. */
static void
copy_bytes(struct strbuf *b, const void *v, size_t len)
{
	if (v == NULL || len > 0x7fffffff) {
		copy_int32(b, -1);
		return;
	}
	copy_int32(b, (long)len);
	strbuf_add(b, v, len);
}

static void
copy_text(struct strbuf *b, const char *v)
{
	copy_bytes(b, v, v != NULL ? strlen(v) : 0);
}

static void
copy_int(struct strbuf *b, int v)
{
	copy_int32(b, 4);
	copy_int32(b, v);
}

static int
hex_digit(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A uuid, 36 characters with hyphens (fed_uuid_ok), as its 16 bytes. */
static int
copy_uuid(struct strbuf *b, const char *id)
{
	unsigned char raw[16];
	size_t i = 0;
	int hi, lo;

	for (; *id != '\0' && i < sizeof(raw); id++) {
		if (*id == '-')
			continue;
		if ((hi = hex_digit(id[0])) < 0 || (lo = hex_digit(id[1])) < 0)
			return -1;
		raw[i++] = (unsigned char)(hi << 4 | lo);
		id++;
	}
	if (i != sizeof(raw) || *id != '\0')
		return -1;
	copy_bytes(b, raw, sizeof(raw));
	return 0;
}

/* The staging table's row for record rec, the n-th of its run. */
static int
stage_row(struct strbuf *b, int n, const struct merge_kind *mk,
    const struct fed_record *rec, const char *entry)
{
	unsigned char count[2] = { STAGE_COLUMNS >> 8, STAGE_COLUMNS & 0xff };
	char *v;
	size_t i;

	strbuf_add(b, (const char *)count, 2);
	copy_int(b, n);
	copy_text(b, mk->kind);
	copy_bytes(b, rec->deleted ? "\1" : "\0", 1);
	if (copy_uuid(b, rec->id) == -1 || copy_uuid(b, rec->origin) == -1)
		return -1;
	copy_int(b, rec->version);
	copy_text(b, rec->updated);
	copy_text(b, entry);
	copy_text(b, rec->home);
	for (i = 0; i < MERGE_FIELDS; i++) {
		if (mk->fields[i] != NULL) {
			if (repeated(mk->fields[i])) {
				v = joined(rec, mk->fields[i]);
				copy_text(b, v);
				free(v);
			} else
				copy_text(b, fed_field(rec, mk->fields[i]));
		} else
			copy_text(b, NULL);
	}
	for (i = 0; i < MERGE_COLUMNS; i++) {
		if (mk->columns[i].field == NULL) {
			copy_text(b, NULL);
			continue;
		}
		if ((v = column(rec, mk->columns[i].field,
		    mk->columns[i].attr)) == NULL)
			return -1;
		copy_text(b, v);
		free(v);
	}
	return b->failed ? -1 : 0;
}

/* Runs of entries. */

/* A record ready to merge: verified, read, and whose kind is known. */
struct staged {
	size_t		 at;		/* its place in the page */
	const struct merge_kind *mk;
	struct fed_checked *c;
};

/* What the classification's verdicts mean for the entry. */
static const struct {
	const char	*verdict;
	int		 stored;
	const char	*why;
} verdicts[] = {
	{ "apply", 1, NULL },
	{ "same", 0, NULL },		/* the same entry by another path */
	{ "claim", -1, "claims a record that belongs to another node" },
	{ "older", -1, "an older version than the one held (a replay)" },
	{ "different", -1, "a different entry under a version already held" },
};

static int
kind_index(const struct merge_kind *mk)
{
	return (int)(mk - kinds);
}

/* What a run holds of a kind: present[kind] in merge_run. */
#define PRESENT_LIVE	1
#define PRESENT_GONE	2

/* One prepared statement of a run: a kind's, by step, or a shared one. */
struct step {
	int		 kind;		/* -1 for a shared one */
	char		 step;
	int		 i;
	int		 quiet;		/* its failure is the run's, not the db's */
	const struct small_stage *sql;	/* or this, unprepared */
};

/* A small run's INSERT into the staging table (SMALL_RUN). */
struct small_stage {
	struct strbuf	 rows;		/* in COPY's binary form */
	char		*sql;
	int		 n;		/* parameters */
	const char	**values;
	int		*lengths;
	int		*formats;
};

/*
 * Runs st[0] .. st[n - 1] in order in one round trip (libpq's pipeline
 * mode), as run() would one after the other: each result that is not a
 * failure goes to res[j], and none runs after one fails.  The index of
 * the first that failed, n when none did; -1 when the connection
 * failed.
 */
static long
run_all(struct db *db, const struct step *st, size_t n, PGresult **res)
{
	PGconn *c = db_conn(db);
	const char *p[1];
	char name[64];
	ExecStatusType status;
	PGresult *r;
	size_t j, sent;
	long failed = (long)n;
	int broken = 0;

	if (PQenterPipelineMode(c) != 1)
		return -1;
	for (sent = 0; sent < n; sent++) {
		stmt_name(name, sizeof(name), st[sent].kind, st[sent].step,
		    st[sent].i);
		p[0] = st[sent].kind >= 0 ? kinds[st[sent].kind].kind : NULL;
		if (st[sent].sql != NULL) {
			if (PQsendQueryParams(c, st[sent].sql->sql,
			    st[sent].sql->n, NULL, st[sent].sql->values,
			    st[sent].sql->lengths, st[sent].sql->formats, 0) !=
			    1)
				break;
		} else if (PQsendQueryPrepared(c, name, st[sent].kind >= 0 ?
		    1 : 0, p, NULL, NULL, 0) != 1)
			break;
	}
	if (sent < n || PQpipelineSync(c) != 1)
		broken = 1;
	for (j = 0; j < sent; j++) {
		res[j] = NULL;
		while ((r = PQgetResult(c)) != NULL) {
			status = PQresultStatus(r);
			if ((status == PGRES_COMMAND_OK ||
			    status == PGRES_TUPLES_OK) && res[j] == NULL) {
				res[j] = r;
				continue;
			}
			if (failed == (long)n) {
				failed = (long)j;
				stmt_name(name, sizeof(name), st[j].kind,
				    st[j].step, st[j].i);
				if (status != PGRES_PIPELINE_ABORTED &&
				    st[j].quiet)
					log_warn("%s: %s", name,
					    PQresultErrorMessage(r));
				else if (status != PGRES_PIPELINE_ABORTED)
					log_err("%s: %s", name,
					    PQresultErrorMessage(r));
			}
			PQclear(r);
		}
	}
	if (!broken) {
		r = PQgetResult(c);
		broken = PQresultStatus(r) != PGRES_PIPELINE_SYNC;
		PQclear(r);
	}
	/* Looked for again before the next merge: they may be gone. */
	if (failed < (long)n || broken)
		db_mark(db, DB_MARK_MERGE, 0);
	if (PQexitPipelineMode(c) != 1 || broken) {
		for (j = 0; j < sent; j++) {
			PQclear(res[j]);
			res[j] = NULL;
		}
		log_err("merge: %s", PQerrorMessage(c));
		return -1;
	}
	return failed;
}

/* A 32-bit big-endian integer at p, as COPY's binary form writes one. */
static int32_t
copy_read32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (int32_t)((uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	    (uint32_t)u[2] << 8 | (uint32_t)u[3]);
}

/*
 * The INSERT of a small run into the staging table: its rows written
 * as COPY's binary form writes them (stage_row), then each value taken
 * from there as a binary parameter, which is the same form.  -1 when
 * memory ran out or a value could not be written.
 */
static int
small_stage_make(struct small_stage *ss, const struct staged *v, size_t n)
{
	struct strbuf sql = { NULL, 0, 0, 0 };
	size_t i, at = 0;
	int col, k = 0;
	int32_t len;

	memset(ss, 0, sizeof(*ss));
	for (i = 0; i < n; i++)
		if (stage_row(&ss->rows, (int)i, v[i].mk, &v[i].c->rec,
		    v[i].c->canonical) == -1)
			return -1;
	ss->n = (int)n * STAGE_COLUMNS;
	if (ss->rows.failed ||
	    (ss->values = calloc((size_t)ss->n, sizeof(*ss->values))) ==
	    NULL ||
	    (ss->lengths = calloc((size_t)ss->n, sizeof(*ss->lengths))) ==
	    NULL ||
	    (ss->formats = calloc((size_t)ss->n, sizeof(*ss->formats))) ==
	    NULL)
		return -1;
	strbuf_str(&sql, "INSERT INTO " STAGE_LIST " VALUES ");
	for (i = 0; i < n; i++) {
		at += 2;	/* the row's count of values */
		strbuf_str(&sql, i > 0 ? ", (" : "(");
		for (col = 0; col < STAGE_COLUMNS; col++, k++) {
			len = copy_read32(ss->rows.p + at);
			at += 4;
			ss->formats[k] = 1;
			if (len >= 0) {
				ss->values[k] = ss->rows.p + at;
				ss->lengths[k] = len;
				at += (size_t)len;
			}
			strbuf_printf(&sql, "%s$%d", col > 0 ? ", " : "",
			    k + 1);
		}
		strbuf_str(&sql, ")");
	}
	if ((ss->sql = strbuf_take(&sql)) == NULL)
		return -1;
	return 0;
}

static void
small_stage_free(struct small_stage *ss)
{
	strbuf_free(&ss->rows);
	free(ss->sql);
	free(ss->values);
	free(ss->lengths);
	free(ss->formats);
	memset(ss, 0, sizeof(*ss));
}

/*
 * The run's savepoint, and the staging table emptied: one round trip.
 * -1 when the database failed.
 */
static int
clear_stage(struct db *db)
{
	const struct step st[2] = {
		{ -1, 0, SH_SAVEPOINT, 0, NULL }, { -1, 0, SH_CLEAR, 0, NULL },
	};
	PGresult *res[2] = { NULL, NULL };
	long failed = run_all(db, st, 2, res);

	PQclear(res[0]);
	PQclear(res[1]);
	return failed == 2 ? 0 : -1;
}

/*
 * Copies the run into the staging table, emptied first, after the
 * run's savepoint.
 */
static int
stage(struct db *db, const struct staged *v, size_t n)
{
	PGconn *c = db_conn(db);
	struct strbuf b = { NULL, 0, 0, 0 };
	PGresult *r;
	size_t i;
	int rc = -1;

	if (clear_stage(db) == -1)
		return -1;
	r = PQexec(c, stage_copy);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		log_err("%s", PQerrorMessage(c));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	/* The header: signature, flags and extension length, all none. */
	strbuf_add(&b, copy_header, sizeof(copy_header));
	copy_int32(&b, 0);
	copy_int32(&b, 0);
	for (i = 0; i < n && !b.failed; i++) {
		if (stage_row(&b, (int)i, v[i].mk, &v[i].c->rec,
		    v[i].c->canonical) == -1 ||
		    PQputCopyData(c, b.p, (int)b.len) != 1)
			break;
		b.len = 0;
	}
	/* The trailer: a row of -1 values. */
	if (i == n)
		strbuf_add(&b, "\377\377", 2);
	if (i == n && (b.failed || PQputCopyData(c, b.p, (int)b.len) != 1))
		i = 0;
	if (PQputCopyEnd(c, i == n ? NULL : "out of memory") != 1)
		i = 0;
	while ((r = PQgetResult(c)) != NULL) {
		if (PQresultStatus(r) == PGRES_COMMAND_OK && i == n)
			rc = 0;
		else if (i == n)
			log_err("%s", PQerrorMessage(c));
		PQclear(r);
	}
	strbuf_free(&b);
	return rc;
}

/*
 * Classifies the staged run, every kind's records against the copies
 * held, and applies it: each kind's tombstones, then its live records,
 * the statements of either only when the run has some (bit
 * PRESENT_GONE, PRESENT_LIVE of present[kind]), all in one round trip
 * (the statements that apply read the verdicts in the database), with
 * the run's savepoint released after them when release.  A small run
 * (ss not NULL) is staged in the same round trip, after its savepoint
 * and the emptying of the staging table.  Each entry's
 * verdict goes into out, and the claims are noted.  0 when applied, -1
 * when the run does not fit the tables (nothing of it is to be kept,
 * and the savepoint stands), -2 when the database failed.
 */
static int
classify_apply(struct db *db, const struct staged *v, size_t n,
    struct merge_outcome *out, const int *present, int release,
    const struct small_stage *ss)
{
	struct step *st;
	PGresult **res, *vr;
	size_t k, i, j, count = 0, verdicts_at;
	long failed;
	int rc = -2, claims = 0;

	if ((st = calloc(stmt_count() + 4, sizeof(*st))) == NULL ||
	    (res = calloc(stmt_count() + 4, sizeof(*res))) == NULL) {
		free(st);
		return -2;
	}
	if (ss != NULL) {
		st[count++] = (struct step){ -1, 0, SH_SAVEPOINT, 0, NULL };
		st[count++] = (struct step){ -1, 0, SH_CLEAR, 0, NULL };
		st[count++] = (struct step){ -1, 0, -1, 0, ss };
	}
	for (k = 0; k < NKINDS; k++)
		if (present[k])
			st[count++] = (struct step){ (int)k, 'c', 0, 0, NULL };
	verdicts_at = count;
	st[count++] = (struct step){ -1, 0, SH_VERDICTS, 0, NULL };
	for (k = 0; k < NKINDS; k++) {
		for (i = 0; (present[k] & PRESENT_GONE) &&
		    kinds[k].gone[i] != NULL; i++)
			st[count++] = (struct step){ (int)k, 'g', (int)i, 1,
			    NULL };
		for (i = 0; (present[k] & PRESENT_LIVE) &&
		    kinds[k].live[i] != NULL; i++)
			st[count++] = (struct step){ (int)k, 'l', (int)i, 1,
			    NULL };
	}
	if (release)
		st[count++] = (struct step){ -1, 0, SH_RELEASE, 0, NULL };
	if ((failed = run_all(db, st, count, res)) == -1 ||
	    failed <= (long)verdicts_at)
		goto done;
	vr = res[verdicts_at];
	if ((size_t)PQntuples(vr) != n)
		goto done;
	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof(verdicts) / sizeof(verdicts[0]); j++)
			if (strcmp(PQgetvalue(vr, (int)i, VE_VERDICT),
			    verdicts[j].verdict) == 0)
				break;
		if (j == sizeof(verdicts) / sizeof(verdicts[0]))
			goto done;
		out[v[i].at].stored = verdicts[j].stored;
		out[v[i].at].why = verdicts[j].why;
		if (strcmp(verdicts[j].verdict, "claim") == 0)
			claims++;
	}
	if (failed < (long)count)
		rc = -1;
	/* Claims, which are rare, are noted when there are any. */
	else if (claims > 0 && run_ok(db, -1, 0, SH_CLAIMS, 0) == -1)
		rc = -2;
	else
		rc = 0;
done:
	for (i = 0; i < count; i++)
		PQclear(res[i]);
	free(res);
	free(st);
	return rc;
}

/*
 * Merges a run of records set-based, under a savepoint.  0 when merged
 * (out says what became of each), -1 when the run does not fit the
 * tables and nothing of it was kept (*why says why when known), -2
 * when the database failed.
 */
static int
merge_run(struct db *db, const struct staged *v, size_t n,
    struct merge_outcome *out, int *learnt, const char **why)
{
	int present[NKINDS] = { 0 }, taught = 0, nodes = 0, rc;
	struct small_stage ss;
	size_t i;

	*why = NULL;
	for (i = 0; i < n; i++) {
		present[kind_index(v[i].mk)] |= v[i].c->rec.deleted ?
		    PRESENT_GONE : PRESENT_LIVE;
		if (strcmp(v[i].mk->kind, "node") == 0 && !v[i].c->rec.deleted)
			nodes = 1;
	}
	/*
	 * Without live node entries nothing follows the applying
	 * statements, and the savepoint goes with them.
	 */
	if (n <= SMALL_RUN) {
		if (small_stage_make(&ss, v, n) == -1) {
			small_stage_free(&ss);
			return -2;
		}
		rc = classify_apply(db, v, n, out, present, !nodes, &ss);
		small_stage_free(&ss);
	} else if (stage(db, v, n) == -1)
		return -2;
	else
		rc = classify_apply(db, v, n, out, present, !nodes, NULL);
	switch (rc) {
	case -2:
		return -2;
	case -1:
		goto undo;
	}
	if (!nodes)
		return 0;
	/* What a live node entry teaches the trust store; one per run. */
	for (i = 0; i < n; i++)
		if (strcmp(v[i].mk->kind, "node") == 0 &&
		    !v[i].c->rec.deleted && out[v[i].at].stored == 1 &&
		    node_after(db, &v[i].c->rec, &taught, why) == -1)
			goto undo;
	if (db_exec(db, "RELEASE SAVEPOINT merge", 0, NULL) == -1)
		return -2;
	*learnt += taught;
	return 0;
undo:
	if (db_exec(db, "ROLLBACK TO SAVEPOINT merge", 0, NULL) == -1)
		return -2;
	return -1;
}

/* Whether two records of the run are the same record. */
static int
twice(const struct staged *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (v[i].mk == v[j].mk &&
			    strcmp(v[i].c->rec.id, v[j].c->rec.id) == 0)
				return 1;
	return 0;
}

/*
 * Merges a run, set-based when it can: a run holding one record twice
 * (each must see the other merged), or one that does not fit the
 * tables, is merged one record at a time, and a record that does not
 * fit is refused alone.  -1 when the database failed.
 */
static int
merge_all(struct db *db, const struct staged *v, size_t n,
    struct merge_outcome *out, int *learnt)
{
	const char *why;
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	if (n > 1 && !twice(v, n) &&
	    (rc = merge_run(db, v, n, out, learnt, &why)) != -1)
		return rc == 0 ? 0 : -1;
	for (i = 0; i < n; i++) {
		rc = merge_run(db, &v[i], 1, out, learnt, &why);
		if (rc == -2)
			return -1;
		if (rc == -1) {
			out[v[i].at].stored = -1;
			out[v[i].at].why = why != NULL ? why :
			    "its fields do not fit this node's records";
		}
	}
	return 0;
}

/* The trust store as it is now, for the threads that verify a run. */
struct trust_copy {
	PGresult	*res;
};

/*
 * This node's own keys, the current one and the one before it while it
 * is still trusted, set once before the first merge (merge_own_keys):
 * its own records coming back are verified with them.
 */
static struct {
	char	 fingerprint[FED_FP_LEN + 1];
	char	*pem;
} own_keys[2];

int
merge_own_keys(const struct signer *sg)
{
	EVP_PKEY *key[2] = { sg->key, sg->old_key };
	const char *fp[2] = { sg->fingerprint, sg->old_fingerprint };
	int i;

	for (i = 0; i < 2; i++) {
		free(own_keys[i].pem);
		own_keys[i].pem = NULL;
		own_keys[i].fingerprint[0] = '\0';
		if (key[i] == NULL)
			continue;
		if ((own_keys[i].pem = fed_public_pem(key[i])) == NULL)
			return -1;
		snprintf(own_keys[i].fingerprint,
		    sizeof(own_keys[i].fingerprint), "%s", fp[i]);
	}
	return 0;
}

static char *
trust_copy_lookup(void *arg, const char *fingerprint,
    char node[FED_UUID_LEN + 1])
{
	const struct trust_copy *t = arg;
	int i;

	for (i = 0; i < PQntuples(t->res); i++)
		if (strcmp(PQgetvalue(t->res, i, KY_FINGERPRINT),
		    fingerprint) == 0) {
			snprintf(node, FED_UUID_LEN + 1, "%s",
			    PQgetvalue(t->res, i, KY_NODE));
			return util_strdup(PQgetvalue(t->res, i, KY_PEM));
		}
	for (i = 0; i < 2; i++)
		if (own_keys[i].pem != NULL &&
		    strcmp(own_keys[i].fingerprint, fingerprint) == 0) {
			snprintf(node, FED_UUID_LEN + 1, "%s", node_id);
			return util_strdup(own_keys[i].pem);
		}
	return NULL;
}

/* The record's kind as the entry says, read before it is verified. */
static int
says_node(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), n;
	xmlChar *kind;
	int node = 0;

	for (n = root != NULL ? root->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
		    xmlStrEqual(n->ns->href, BAD_CAST FED_ACORN_NS) &&
		    xmlStrEqual(n->name, BAD_CAST "record") &&
		    (kind = xmlGetNoNsProp(n, BAD_CAST "kind")) != NULL) {
			node |= xmlStrEqual(kind, BAD_CAST "node");
			xmlFree(kind);
		}
	return node;
}

/* The entry's id for the record of a refusal, before it was read. */
static char *
doc_id(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), n;
	xmlChar *v;
	char *out = NULL;

	if (root == NULL)
		return NULL;
	if ((v = xmlGetProp(root, BAD_CAST "ref")) != NULL) {
		out = util_strdup((const char *)v);
		xmlFree(v);
		return out;
	}
	for (n = root->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(n->name, BAD_CAST "id")) {
			v = xmlNodeGetContent(n);
			if (v != NULL && xmlStrlen(v) < 200)
				out = util_strdup((const char *)v);
			xmlFree(v);
			break;
		}
	return out;
}

/*
 * What the checks that need no table say of a verified record: NULL
 * when it goes on to be merged, otherwise *stored (0, nothing to do;
 * -1, refused, for the reason returned; -2, the database failed).
 */
static const char *
precheck(struct db *db, const struct fed_checked *c,
    const struct merge_kind **mk, int *stored)
{
	const struct fed_record *rec = &c->rec;
	int rc;

	*stored = -1;
	if (strcmp(rec->origin, c->signer) != 0)
		return "signed by a node that is not its origin";
	*stored = -1;
	if ((*mk = merge_kind(rec->kind)) == NULL)
		return "a kind of record this node does not know";
	/*
	 * This node's own node entry is made from its configuration, and
	 * never taken back from a peer.
	 */
	*stored = 0;
	if (strcmp(rec->origin, node_id) == 0 &&
	    strcmp((*mk)->kind, "node") == 0)
		return "";
	*stored = -1;
	/*
	 * What a node that is not a hub here says of a third node is
	 * passed over: not stored, not relayed, and never an address.
	 */
	if (strcmp((*mk)->kind, "node") == 0 && !rec->deleted &&
	    (rc = node_speaker(db, rec)) != 1) {
		*stored = rc == 0 ? 0 : -2;
		return "";
	}
	return NULL;
}

/* Whether two readings of the trust store (SH_KEYS) are the same. */
static int
same_keys(const PGresult *a, const PGresult *b)
{
	int i, j;

	if (a == NULL || b == NULL || PQntuples(a) != PQntuples(b) ||
	    PQnfields(a) != PQnfields(b))
		return 0;
	for (i = 0; i < PQntuples(a); i++)
		for (j = 0; j < PQnfields(a); j++)
			if (strcmp(PQgetvalue(a, i, j), PQgetvalue(b, i, j)) != 0)
				return 0;
	return 1;
}

/* The trust store as it is now, for merge_ahead_verify; NULL on failure. */
PGresult *
merge_keys(struct db *db)
{
	return run(db, -1, 0, SH_KEYS, 0);
}

/*
 * Verifies a page's entries against a->keys, as merge_span would have
 * with that trust store, from any thread: every entry's verdict, its
 * record read and its canonical form (taken from canon) go into
 * a->checked.  Without keys, or memory, it leaves a->checked NULL and
 * the merge verifies.
 */
void
merge_ahead_verify(struct merge_ahead *a, xmlDocPtr *docs, char **canon,
    size_t n)
{
	struct trust_copy trust = { a->keys };
	size_t i;

	a->checked = NULL;
	a->n = 0;
	if (a->keys == NULL || n == 0 ||
	    (a->checked = calloc(n, sizeof(*a->checked))) == NULL)
		return;
	a->n = n;
	for (i = 0; i < n; i++)
		a->checked[i].wanted = 1;
	fed_verify_many(docs, canon, a->checked, n, trust_copy_lookup,
	    &trust);
}

void
merge_ahead_free(struct merge_ahead *a)
{
	size_t i;

	for (i = 0; a->checked != NULL && i < a->n; i++)
		fed_checked_free(&a->checked[i]);
	free(a->checked);
	PQclear(a->keys);
	a->checked = NULL;
	a->keys = NULL;
	a->n = 0;
}

/*
 * Verifies docs[from] .. docs[to - 1] against the trust store as it is
 * now, on every core, and merges what verified, in one run; out says
 * what became of each.  -1 when the database failed.
 */
static int
merge_span(struct db *db, xmlDocPtr *docs, char **canon, size_t from,
    size_t to, struct fed_checked *checked, struct merge_outcome *out,
    int *learnt, struct merge_ahead *ahead)
{
	struct trust_copy trust;
	struct staged *v;
	const char *why;
	size_t i, n = 0;
	int rc = -1, stored;

	if ((trust.res = run(db, -1, 0, SH_KEYS, 0)) == NULL)
		return -1;
	if ((v = calloc(to - from, sizeof(*v))) == NULL)
		goto done;
	if (ahead != NULL && ahead->checked != NULL && to <= ahead->n &&
	    same_keys(trust.res, ahead->keys))
		for (i = from; i < to; i++) {
			checked[i] = ahead->checked[i];
			memset(&ahead->checked[i], 0,
			    sizeof(ahead->checked[i]));
		}
	else {
		for (i = from; i < to; i++)
			checked[i].wanted = 1;
		fed_verify_many(docs + from,
		    canon != NULL ? canon + from : NULL, checked + from,
		    to - from, trust_copy_lookup, &trust);
	}
	for (i = from; i < to; i++) {
		if (!checked[i].wanted)
			continue;
		if (!checked[i].ok) {
			out[i].stored = -1;
			out[i].why = checked[i].why;
			out[i].id = doc_id(docs[i]);
			continue;
		}
		v[n].at = i;
		v[n].c = &checked[i];
		if ((why = precheck(db, &checked[i], &v[n].mk, &stored)) ==
		    NULL) {
			n++;
			continue;
		}
		if (stored == -2)
			goto done;
		out[i].stored = stored;
		out[i].why = stored == -1 ? why : NULL;
	}
	rc = merge_all(db, v, n, out, learnt);
	for (i = 0; i < n; i++)
		if (out[v[i].at].stored == -1)
			out[v[i].at].id = util_printf("urn:uuid:%s",
			    v[i].c->rec.id);
done:
	free(v);
	PQclear(trust.res);
	return rc;
}

/*
 * Merges the entries of a page, in order: out[i] says what became of
 * docs[i] (its id set, malloc'd, when it was refused); canon, when not
 * NULL, holds their canonical forms, and those stored are taken from it.  The page goes
 * in spans that each end after a node entry, so that what a node entry
 * teaches the trust store counts for the entries after it, as it would
 * one entry at a time.  *learnt grows by the keys the trust store
 * gained.  0 when done, -1 when the database failed.
 */
int
merge_docs(struct db *db, xmlDocPtr *docs, char **canon, size_t n,
    struct merge_outcome *out, int *learnt, struct merge_ahead *ahead)
{
	struct fed_checked *checked;
	size_t from = 0, to, i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		out[i].stored = 0;
		out[i].why = NULL;
		out[i].id = NULL;
	}
	if (n == 0)
		return 0;
	if ((checked = calloc(n, sizeof(*checked))) == NULL)
		return -1;
	while (rc == 0 && from < n) {
		for (to = from; to < n && !says_node(docs[to]); to++)
			;
		if (to < n)
			to++;
		rc = merge_span(db, docs, canon, from, to, checked, out,
		    learnt, ahead);
		from = to;
	}
	for (i = 0; i < n; i++)
		fed_checked_free(&checked[i]);
	free(checked);
	return rc;
}

void
merge_outcomes_free(struct merge_outcome *out, size_t n)
{
	size_t i;

	for (i = 0; out != NULL && i < n; i++)
		free(out[i].id);
}
