/*
 * Merging verified entries into the shared tables.  The rules of
 * docs/protocol.md: a record id belongs to the first origin stored for
 * it, and only that origin changes or deletes it (another's claim is
 * refused and noted); a node describes only itself, and only a hub
 * pinned here describes others; a version not newer than the stored
 * one is ignored; this node's own records coming back are ignored; a
 * tombstone deletes the record's data and is kept, to be relayed.  The entry is stored byte for byte as its
 * origin signed it.
 *
 * The caller holds a transaction (with feed_lock) for the whole page;
 * each entry is merged under a savepoint, so one that does not fit the
 * tables is refused alone.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "federation.h"

/* Fields that repeat travel to SQL joined by a character XML cannot hold. */
#define SEP	"\x1e"
#define MERGE_FIELDS	19	/* the most fields of any kind */

struct merge_kind {
	const char	*kind;
	const char	*table;
	const char	*fields[MERGE_FIELDS + 1];	/* $7 onwards; NULL ends */
	const char	*upsert;	/* $1 id .. $6 home, then fields */
	const char	*clear;		/* a tombstone's UPDATE ... SET */
	const char	*after[4];	/* statements on $1 id after a save */
	const char	*gone[3];	/* statements on $1 id after a tombstone */
};

#define UPSERT_HEAD(t, cols) \
	"INSERT INTO " t " (id, origin, version, updated, entry, home, " cols \
	") VALUES ($1, $2, $3, $4::timestamptz, $5, $6, "

static const struct merge_kind kinds[] = {
	{ "member", "members",
	    { "name", "organisation", "role-title", "stakeholder", "region",
	    "interests", "bio", NULL },
	    UPSERT_HEAD("members", "deleted, listed, name, organisation,"
	    " role_title, stakeholder, region, interests, bio")
	    "false, true, $7, $8, $9, $10, $11, $12, $13)"
	    " ON CONFLICT (id) DO UPDATE SET version = excluded.version,"
	    " updated = excluded.updated, entry = excluded.entry,"
	    " home = excluded.home, deleted = false, listed = true,"
	    " name = $7, organisation = $8, role_title = $9,"
	    " stakeholder = $10, region = $11, interests = $12, bio = $13",
	    "name = NULL, organisation = NULL, role_title = NULL,"
	    " stakeholder = NULL, region = NULL, interests = NULL, bio = NULL,"
	    " listed = false",
	    { NULL }, { NULL } },
	{ "event", "events",
	    { "title", "description", "kind", "starts", "ends", "venue",
	    "address", "online", "organiser", "region", "status",
	    "registration-opens", "registration-closes",
	    "registration-closed", "published", "other-nodes", NULL },
	    /* The way in to an online event is given by its home node. */
	    UPSERT_HEAD("events", "deleted, title, description, kind, starts,"
	    " ends, venue, address, online_url, organiser, region, status,"
	    " reg_opens, reg_closes, reg_closed, published, accept_remote")
	    "false, $7, $8, $9, $10::timestamptz, $11::timestamptz, $12, $13,"
	    " CASE WHEN $14 = 'true' THEN $6 END, $15, $16, $17,"
	    " $18::timestamptz, $19::timestamptz, coalesce($20 = 'true', false),"
	    " $21::timestamptz, $22 IS DISTINCT FROM 'false')"
	    " ON CONFLICT (id) DO UPDATE SET version = excluded.version,"
	    " updated = excluded.updated, entry = excluded.entry,"
	    " home = excluded.home, deleted = false, title = excluded.title,"
	    " description = excluded.description, kind = excluded.kind,"
	    " starts = excluded.starts, ends = excluded.ends,"
	    " venue = excluded.venue, address = excluded.address,"
	    " online_url = excluded.online_url,"
	    " organiser = excluded.organiser, region = excluded.region,"
	    " status = excluded.status, reg_opens = excluded.reg_opens,"
	    " reg_closes = excluded.reg_closes,"
	    " reg_closed = excluded.reg_closed,"
	    " published = excluded.published,"
	    " accept_remote = excluded.accept_remote",
	    "title = NULL, description = NULL, kind = NULL, starts = NULL,"
	    " ends = NULL, venue = NULL, address = NULL, online_url = NULL,"
	    " organiser = NULL, region = NULL",
	    { NULL }, { NULL } },
	{ "evaluation", "evaluations",
	    { "title", "scheme", "area", "region", "year", "design",
	    "sample-size", "follow-up", "summary", "revision", NULL },
	    UPSERT_HEAD("evaluations", "deleted, title, scheme, area, region,"
	    " year, design, sample_size, follow_up, summary, revision")
	    "false, $7, $8, $9, $10, $11::integer, $12, $13::integer,"
	    " $14::integer, $15, coalesce($16::integer, 1))"
	    " ON CONFLICT (id) DO UPDATE SET version = excluded.version,"
	    " updated = excluded.updated, entry = excluded.entry,"
	    " home = excluded.home, deleted = false, title = excluded.title,"
	    " scheme = excluded.scheme, area = excluded.area,"
	    " region = excluded.region, year = excluded.year,"
	    " design = excluded.design, sample_size = excluded.sample_size,"
	    " follow_up = excluded.follow_up, summary = excluded.summary,"
	    " revision = excluded.revision",
	    "title = NULL, scheme = NULL, area = NULL, region = NULL,"
	    " year = NULL, design = NULL, sample_size = NULL,"
	    " follow_up = NULL, summary = NULL",
	    { "DELETE FROM evaluation_outcomes WHERE evaluation = $1", NULL },
	    { "DELETE FROM evaluation_outcomes WHERE evaluation = $1",
	    "DELETE FROM evaluation_revisions WHERE evaluation = $1", NULL } },
	{ "document", "documents",
	    { "slug", "title", "category", "tag", "body", "revision", NULL },
	    /* A slug taken here by another document gets the id's start. */
	    UPSERT_HEAD("documents", "deleted, slug, title, category, tags,"
	    " body, revision")
	    "false, CASE WHEN EXISTS (SELECT 1 FROM documents"
	    "  WHERE slug = $7 AND id <> $1::uuid)"
	    " THEN left($7, 71) || '-' || left($1::text, 8) ELSE $7 END,"
	    " $8, $9, coalesce(string_to_array($10, chr(30)), '{}'),"
	    " coalesce($11, ''), coalesce($12::integer, 1))"
	    " ON CONFLICT (id) DO UPDATE SET version = excluded.version,"
	    " updated = excluded.updated, entry = excluded.entry,"
	    " home = excluded.home, deleted = false, title = excluded.title,"
	    " category = excluded.category, tags = excluded.tags,"
	    " body = excluded.body, revision = excluded.revision",
	    "title = NULL, category = NULL, tags = '{}', body = ''",
	    { NULL },
	    { "DELETE FROM document_revisions WHERE document = $1", NULL } },
	{ "term", "glossary_terms",
	    { "term", "definition", "synonym", NULL },
	    UPSERT_HEAD("glossary_terms", "deleted, term, definition,"
	    " synonyms")
	    "false, $7, $8, coalesce(string_to_array($9, chr(30)), '{}'))"
	    " ON CONFLICT (id) DO UPDATE SET version = excluded.version,"
	    " updated = excluded.updated, entry = excluded.entry,"
	    " home = excluded.home, deleted = false, term = excluded.term,"
	    " definition = excluded.definition,"
	    " synonyms = excluded.synonyms",
	    "term = NULL, definition = NULL, synonyms = '{}'",
	    { NULL }, { NULL } },
	{ "node", "nodes",
	    { "subject", "name", "region", "url", NULL },
	    UPSERT_HEAD("nodes", "deleted, subject, name, region, url")
	    "false, substr($7, 10)::uuid, $8, $9, $10)"
	    " ON CONFLICT (id) DO UPDATE SET version = excluded.version,"
	    " updated = excluded.updated, entry = excluded.entry,"
	    " home = excluded.home, deleted = false,"
	    " subject = excluded.subject, name = excluded.name,"
	    " region = excluded.region, url = excluded.url",
	    "name = NULL, region = NULL, url = NULL, keys = '[]'",
	    { NULL }, { NULL } },
};

static const struct merge_kind *
merge_kind(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return &kinds[i];
	return NULL;
}

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
 * One column's values of the outcome or key fields, joined by SEP, in
 * document order; attr is the attribute's index, -1 for the text.
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

static int
exec_each(struct db *db, const char *const *sqls, const char *id)
{
	const char *p[1] = { id };

	for (; *sqls != NULL; sqls++)
		if (db_exec(db, *sqls, 1, p) == -1)
			return -1;
	return 0;
}

/* The name of a node to sign received revisions with. */
static const char author_of[] =
    "coalesce((SELECT name FROM known_nodes WHERE id = $2::uuid),"
    " 'another node')";

/* Outcomes and a revision of a received evaluation. */
static int
evaluation_after(struct db *db, const struct fed_record *rec)
{
	char *o = column(rec, "outcome", 0), *d = column(rec, "outcome", 1);
	char *m = column(rec, "outcome", 2), *f = column(rec, "outcome", 3);
	const char *p[5] = { rec->id, o, d, m, f };
	const char *q[2] = { rec->id, rec->origin };
	char *sql;
	int rc = -1;

	if (o == NULL || d == NULL || m == NULL || f == NULL)
		goto out;
	if (*o != '\0' && db_exec(db, "INSERT INTO evaluation_outcomes"
	    " (evaluation, outcome, direction, measure, figure)"
	    " SELECT $1, u.o, u.d, u.m, u.f FROM unnest("
	    " string_to_array($2, chr(30)), string_to_array($3, chr(30)),"
	    " string_to_array($4, chr(30)), string_to_array($5, chr(30)))"
	    " AS u (o, d, m, f)", 5, p) == -1)
		goto out;
	/* The search words include the outcomes: let its trigger run. */
	if (db_exec(db, "UPDATE evaluations SET search = NULL WHERE id = $1",
	    1, p) == -1)
		goto out;
	sql = util_printf("INSERT INTO evaluation_revisions (evaluation,"
	    " number, record, author_name, summary)"
	    " SELECT id, revision, acorn_evaluation_record(id), %s,"
	    " 'Received from its home node' FROM evaluations WHERE id = $1"
	    " ON CONFLICT (evaluation, number) DO UPDATE SET"
	    " record = excluded.record", author_of);
	rc = sql == NULL ? -1 : db_exec(db, sql, 2, q);
	free(sql);
out:
	free(o);
	free(d);
	free(m);
	free(f);
	return rc;
}

/*
 * What a received event asks of those who register: its place types and
 * questions, by the host's ids, for the registration form here.
 */
static int
event_after(struct db *db, const struct fed_record *rec)
{
	char *v[7];
	const char *p[7];
	int i, rc = -1;

	v[0] = column(rec, "place", 0);
	v[1] = column(rec, "place", -1);
	v[2] = column(rec, "question", 0);
	v[3] = column(rec, "question", 1);
	v[4] = column(rec, "question", 2);
	v[5] = column(rec, "question", -1);
	v[6] = NULL;
	p[0] = rec->id;
	for (i = 0; i < 6; i++)
		if ((p[i + 1] = v[i]) == NULL)
			goto out;
	if (db_exec(db, "WITH n AS (SELECT u.r::bigint AS ref, u.name, u.n"
	    " FROM unnest(string_to_array($2, chr(30)),"
	    " string_to_array($3, chr(30))) WITH ORDINALITY AS u (r, name, n)),"
	    " gone AS (DELETE FROM place_types WHERE event = $1"
	    "  AND ref NOT IN (SELECT ref FROM n))"
	    " INSERT INTO place_types (event, ref, name, capacity, position)"
	    " SELECT $1, n.ref, n.name, 0, n.n FROM n"
	    " ON CONFLICT (event, ref) WHERE ref IS NOT NULL DO UPDATE"
	    " SET name = excluded.name, position = excluded.position",
	    3, p) == -1)
		goto out;
	free(v[1]);
	v[1] = column(rec, "choice", 0);
	v[6] = column(rec, "choice", -1);
	if (v[1] == NULL || v[6] == NULL)
		goto out;
	p[1] = v[2];
	p[2] = v[3];
	p[3] = v[4];
	p[4] = v[5];
	p[5] = v[1];
	p[6] = v[6];
	rc = db_exec(db, "WITH q AS (SELECT u.r::bigint AS ref, u.k,"
	    " u.req = 'true' AS req, u.l, u.n FROM unnest("
	    " string_to_array($2, chr(30)), string_to_array($3, chr(30)),"
	    " string_to_array($4, chr(30)), string_to_array($5, chr(30)))"
	    " WITH ORDINALITY AS u (r, k, req, l, n)),"
	    " c AS (SELECT u.q::bigint AS ref, array_agg(u.v ORDER BY u.n) AS vs"
	    " FROM unnest(string_to_array($6, chr(30)),"
	    " string_to_array($7, chr(30))) WITH ORDINALITY AS u (q, v, n)"
	    " GROUP BY u.q),"
	    " gone AS (DELETE FROM questions WHERE event = $1"
	    "  AND ref NOT IN (SELECT ref FROM q))"
	    " INSERT INTO questions (event, ref, kind, label, required,"
	    " choices, position)"
	    " SELECT $1, q.ref, q.k, q.l, q.req,"
	    " CASE WHEN q.k = 'choice' THEN coalesce(c.vs, '{}') END, q.n"
	    " FROM q LEFT JOIN c ON c.ref = q.ref"
	    " ON CONFLICT (event, ref) WHERE ref IS NOT NULL DO UPDATE"
	    " SET kind = excluded.kind, label = excluded.label,"
	    " required = excluded.required, choices = excluded.choices,"
	    " position = excluded.position", 7, p);
out:
	for (i = 0; i < 7; i++)
		free(v[i]);
	return rc;
}

/* The revision a received document is at, kept for its history. */
static int
document_after(struct db *db, const struct fed_record *rec)
{
	const char *p[2] = { rec->id, rec->origin };
	char *sql;
	int rc;

	sql = util_printf("INSERT INTO document_revisions (document, number,"
	    " title, body, author_name, summary)"
	    " SELECT id, revision, title, body, %s, 'Received from its home"
	    " node' FROM documents WHERE id = $1"
	    " ON CONFLICT (document, number) DO UPDATE SET"
	    " title = excluded.title, body = excluded.body", author_of);
	rc = sql == NULL ? -1 : db_exec(db, sql, 2, p);
	free(sql);
	return rc;
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
		n = (int)db_changes(db, "INSERT INTO node_keys (fingerprint,"
		    " node, pem, source, introducer) SELECT u.f, $1, u.p, 'vouched', $4"
		    " FROM unnest(string_to_array($2, chr(30)),"
		    " string_to_array($3, chr(30))) AS u (f, p)"
		    " ON CONFLICT (fingerprint) DO NOTHING", 4,
		    (const char *[]){ subject, fps, pems, rec->origin });
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

/* A node tombstone takes back the keys its entry taught. */
static int
node_gone(struct db *db, const struct fed_record *rec)
{
	const char *p[2] = { rec->id, rec->origin };

	return db_exec(db, "DELETE FROM node_keys k USING nodes n"
	    " WHERE n.id = $1 AND k.node = n.subject AND"
	    " ((n.subject = $2::uuid AND k.source <> 'pinned') OR"
	    " (k.source = 'vouched' AND k.introducer = $2::uuid))", 2, p);
}

/* The tombstone: the record's data goes, the signed tombstone stays. */
static int
merge_tombstone(struct db *db, const struct merge_kind *mk,
    const struct fed_record *rec, const char *entry, int held)
{
	const char *p[5] = { rec->id, rec->origin, NULL, rec->updated, entry };
	char version[16], *sql;
	int rc;

	snprintf(version, sizeof(version), "%d", rec->version);
	p[2] = version;
	if (held) {
		if (strcmp(mk->kind, "node") == 0 && node_gone(db, rec) == -1)
			return -1;
		sql = util_printf("UPDATE %s SET deleted = true, version = $3,"
		    " updated = $4::timestamptz, entry = $5, home = NULL, %s"
		    " WHERE id = $1 AND origin = $2", mk->table, mk->clear);
	} else
		sql = util_printf("INSERT INTO %s (id, origin, version, updated,"
		    " deleted, entry%s) VALUES ($1, $2, $3, $4::timestamptz,"
		    " true, $5%s)", mk->table,
		    strcmp(mk->kind, "document") == 0 ? ", slug" : "",
		    strcmp(mk->kind, "document") == 0 ? ", 'deleted-' || $1::text" :
		    "");
	rc = sql == NULL ? -1 : db_exec(db, sql, 5, p);
	free(sql);
	if (rc == -1)
		return -1;
	return exec_each(db, mk->gone, rec->id);
}

static int
merge_live(struct db *db, const struct merge_kind *mk,
    const struct fed_record *rec, const char *entry, int *learnt,
    const char **why)
{
	const char *p[6 + MERGE_FIELDS];
	char *owned[MERGE_FIELDS], version[16];
	int n = 0, i, rc = -1;

	snprintf(version, sizeof(version), "%d", rec->version);
	p[0] = rec->id;
	p[1] = rec->origin;
	p[2] = version;
	p[3] = rec->updated;
	p[4] = entry;
	p[5] = rec->home;
	for (i = 0; mk->fields[i] != NULL; i++) {
		owned[i] = NULL;
		if (repeated(mk->fields[i]))
			p[6 + i] = owned[i] = joined(rec, mk->fields[i]);
		else
			p[6 + i] = fed_field(rec, mk->fields[i]);
		n = i + 1;
	}
	if (db_exec(db, mk->upsert, 6 + n, p) == -1 ||
	    exec_each(db, mk->after, rec->id) == -1)
		goto out;
	if (strcmp(mk->kind, "evaluation") == 0)
		rc = evaluation_after(db, rec);
	else if (strcmp(mk->kind, "event") == 0)
		rc = event_after(db, rec);
	else if (strcmp(mk->kind, "document") == 0)
		rc = document_after(db, rec);
	else if (strcmp(mk->kind, "node") == 0)
		rc = node_after(db, rec, learnt, why);
	else
		rc = 0;
out:
	for (i = 0; i < n; i++)
		free(owned[i]);
	return rc;
}

/*
 * The copy held of a record ($1 its id), in the table its %s names: is
 * it from the same origin ($3), at what version, is it the same entry
 * ($2), and whose it is.
 */
static const char held_query[] =
    "SELECT origin = $3::uuid, version, entry = $2, origin"
    " FROM %s WHERE id = $1 FOR UPDATE";

enum { HELD_SAME_ORIGIN, HELD_VERSION, HELD_SAME_ENTRY, HELD_ORIGIN };

/*
 * A record id belongs to the first origin stored for it: another
 * origin's entry under it is refused, and the claim kept for the sync
 * page, naming both.
 */
static int
claim_noted(struct db *db, const struct fed_record *rec, const char *owner)
{
	const char *p[4] = { rec->id, rec->kind, owner, rec->origin };

	return yes(db, "SELECT acorn_record_conflict($1, $2, $3, $4)", 4,
	    p) == -1 ? -1 : 0;
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

/*
 * Merges one verified entry whose signature belongs to node signer.
 * Answers 1 when it was stored, 0 when there was nothing to do (a copy
 * already held, or this node's own record coming back), -1 when it is
 * refused (*why says why) and -2 when the database failed.  *learnt
 * grows by the keys the trust store gained.
 */
int
merge_entry(struct db *db, const struct fed_record *rec, const char *entry,
    const char *signer, int *learnt, const char **why)
{
	const struct merge_kind *mk;
	const char *p[3] = { rec->id, entry, rec->origin };
	PGresult *res;
	char *sql;
	long version = 0;
	int held, rc;

	if (strcmp(rec->origin, signer) != 0) {
		*why = "signed by a node that is not its origin";
		return -1;
	}
	if (strcmp(rec->origin, node_id) == 0)
		return 0;
	if ((mk = merge_kind(rec->kind)) == NULL) {
		*why = "a kind of record this node does not know";
		return -1;
	}
	/*
	 * What a node that is not a hub here says of a third node is
	 * passed over: not stored, not relayed, and never an address.
	 */
	if (strcmp(mk->kind, "node") == 0 && !rec->deleted &&
	    (rc = node_speaker(db, rec)) != 1)
		return rc == 0 ? 0 : -2;
	if ((sql = util_printf(held_query, mk->table)) == NULL)
		return -2;
	res = db_query(db, PGRES_TUPLES_OK, sql, 3, p);
	free(sql);
	if (res == NULL)
		return -2;
	if ((held = PQntuples(res) == 1)) {
		version = strtol(PQgetvalue(res, 0, HELD_VERSION), NULL, 10);
		*why = NULL;
		if (*PQgetvalue(res, 0, HELD_SAME_ORIGIN) != 't') {
			*why = "claims a record that belongs to another node";
			if (claim_noted(db, rec,
			    PQgetvalue(res, 0, HELD_ORIGIN)) == -1) {
				PQclear(res);
				return -2;
			}
		} else if (version > rec->version)
			*why = "an older version than the one held (a replay)";
		else if (version == rec->version &&
		    *PQgetvalue(res, 0, HELD_SAME_ENTRY) != 't')
			*why = "a different entry under a version already held";
	}
	PQclear(res);
	if (held && *why != NULL)
		return -1;
	if (held && version == rec->version)
		return 0;	/* the same entry by another path */

	if (db_exec(db, "SAVEPOINT merge", 0, NULL) == -1)
		return -2;
	*why = NULL;
	rc = rec->deleted ? merge_tombstone(db, mk, rec, entry, held) :
	    merge_live(db, mk, rec, entry, learnt, why);
	if (rc == -1) {
		if (db_exec(db, "ROLLBACK TO SAVEPOINT merge", 0, NULL) == -1)
			return -2;
		if (*why == NULL)
			*why = "its fields do not fit this node's records";
		return -1;
	}
	return db_exec(db, "RELEASE SAVEPOINT merge", 0, NULL) == -1 ? -2 : 1;
}
