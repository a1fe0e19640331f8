/*
 * Publishing: every local shared row that changed (pending) becomes a
 * signed Atom entry, or a signed tombstone once it is deleted, unlisted
 * or withdrawn, stored in its entry column for the feeds to serve.  The
 * entry holds the parts feed readers show (title, summary, content) and
 * the typed record peers read (acorn:record), as docs/protocol.md
 * describes.  A table says what differs between the kinds; the rest is
 * done once.
 *
 * Every transaction that makes an entry visible to peers holds one
 * advisory lock while it takes its sequence numbers and commits, so
 * numbers become visible in order and a peer's cursor never skips one
 * still being written (see feed_begin).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core.h"
#include "atom.h"
#include "federation.h"

/* What a member wrote in CommonMark, as content; nothing when empty. */
void
atom_markdown(struct atom *a, const char *text)
{
	char *html;

	if (text == NULL || *text == '\0')
		return;
	html = markdown_html(text, 2);
	atom_reader_content(a, html, text);
	free(html);
}

#define BATCH_ROWS	1000
#define STR_(x)		#x
#define STR(x)		STR_(x)
#define BATCH		STR(BATCH_ROWS)
#define SEP		'\x1e'	/* joins a batch's entries (batch_store) */

/*
 * The columns every kind's pending query starts with; its own follow.
 * live: what the row is now should be out as an entry (not deleted, and
 * not a draft or an unlisted profile); otherwise a tombstone, if a live
 * entry ever went out.
 */
#define COMMON(t, title, path) \
	"SELECT " t ".id, " t ".version, " t ".deleted, %s, " t ".shared, " \
	t ".seq, " RFC3339(t ".updated") ", %s, " title ", " path

enum {
	P_ID, P_VERSION, P_DELETED, P_LIVE, P_SHARED, P_SEQ, P_UPDATED,
	P_PUBLISHED, P_TITLE, P_PATH, P_KIND
};

struct kind {
	const char	*name;		/* acorn:record kind */
	const char	*collection;	/* /feeds/... */
	const char	*table;
	const char	*page;		/* where people read it on this node */
	const char	*title;		/* the feed's, after the node's name */
	const char	*query;		/* pending rows after seq $1, a record's
					   rows together */
	const char	*gone;		/* tombstone comment */
	/* Reader parts after the link, and the record's fields. */
	void		(*reader)(struct atom *, PGresult *, int, int);
	void		(*fields)(struct atom *, PGresult *, int, int);
};

static const char *
val(PGresult *res, int i, int col)
{
	return db_value(res, i, col);
}

static int
is_true(PGresult *res, int i, int col)
{
	return !PQgetisnull(res, i, col) && *PQgetvalue(res, i, col) == 't';
}

/*
 * Member profiles: only while listed in the network directory, and once
 * their account is confirmed and active (acorn_profile_ready).
 */
static const char member_query[] =
    "SELECT m.id, m.version, m.deleted, NOT m.deleted AND m.listed"
    " AND acorn_profile_ready(a.id, a.confirmed, a.status),"
    " m.shared, m.seq, " RFC3339("m.updated") ", " RFC3339("m.updated") ","
    " m.name, '/members/' || m.id,"
    " m.organisation, m.role_title, m.stakeholder, m.region, m.interests,"
    " m.bio"
    " FROM members m LEFT JOIN accounts a ON a.member = m.id"
    " WHERE m.pending AND m.seq > $1::bigint ORDER BY m.seq LIMIT " BATCH;

enum { M_ORG = P_KIND, M_ROLE, M_GROUP, M_REGION, M_INTERESTS, M_BIO };

static void
member_reader(struct atom *a, PGresult *res, int i, int last)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	const char *group = val(res, i, M_GROUP);
	char *s;

	(void)last;
	if (val(res, i, M_ROLE) != NULL)
		strbuf_str(&b, val(res, i, M_ROLE));
	if (val(res, i, M_ORG) != NULL)
		strbuf_printf(&b, "%s%s", b.len > 0 ? ", " : "",
		    val(res, i, M_ORG));
	if (group != NULL && stakeholder_label(group) != NULL)
		strbuf_printf(&b, "%s%s", b.len > 0 ? ". " : "",
		    stakeholder_label(group));
	strbuf_printf(&b, "%s%s", b.len > 0 ? ". " : "",
	    PQgetvalue(res, i, M_REGION));
	if ((s = strbuf_take(&b)) == NULL)
		a->failed = 1;
	atom_text(a, "summary", s);
	free(s);
	if (val(res, i, M_BIO) != NULL)
		atom_text(a, "content", val(res, i, M_BIO));
}

static void
member_fields(struct atom *a, PGresult *res, int i, int last)
{
	(void)last;
	atom_field(a, "name", val(res, i, P_TITLE));
	atom_field(a, "organisation", val(res, i, M_ORG));
	atom_field(a, "role-title", val(res, i, M_ROLE));
	atom_field(a, "stakeholder", val(res, i, M_GROUP));
	atom_field(a, "region", val(res, i, M_REGION));
	atom_field(a, "interests", val(res, i, M_INTERESTS));
	atom_field(a, "bio", val(res, i, M_BIO));
}

/* Events: published and cancelled ones; a draft has not been announced. */
static const char event_query[] =
    "SELECT e.id, e.version, e.deleted, NOT e.deleted AND e.status <> 'draft',"
    " e.shared, e.seq, " RFC3339("e.updated") ","
    " " RFC3339("coalesce(e.published, e.updated)") ","
    " CASE WHEN e.status = 'cancelled' THEN 'Cancelled: ' ELSE '' END"
    " || e.title, '/events/' || e.id,"
    " e.title, e.description, e.kind, e.venue, e.address, e.organiser,"
    " e.status, " SQL_LONDON_RANGE("e.starts", "e.ends") " || ' (UK time)',"
    " e.online_url IS NOT NULL, " RFC3339("e.starts") ","
    " " RFC3339("e.ends") ", e.region, " RFC3339("e.reg_opens") ","
    " " RFC3339("e.reg_closes") ", e.reg_closed, "
    RFC3339("e.published") ","
    /* What registering asks for: place types, then questions. */
    " (SELECT string_agg(s.x, chr(30) ORDER BY s.o, s.p, s.id) FROM ("
    "  SELECT 1 AS o, pt.position AS p, pt.id,"
    "  concat_ws(chr(31), 'P', pt.id, pt.name) AS x"
    "  FROM place_types pt WHERE pt.event = e.id"
    "  UNION ALL SELECT 2, q.position, q.id, concat_ws(chr(31), 'Q', q.id,"
    "  q.kind, q.required, q.label, array_to_string(q.choices, chr(29)))"
    "  FROM questions q WHERE q.event = e.id AND NOT q.retired) s),"
    " e.accept_remote, e.attendance"
    " FROM events e WHERE e.pending AND e.seq > $1::bigint ORDER BY e.seq LIMIT " BATCH;

enum {
	EV_TITLE = P_KIND, EV_DESCRIPTION, EV_KIND, EV_VENUE, EV_ADDRESS,
	EV_ORGANISER, EV_STATUS, EV_WHEN, EV_ONLINE, EV_STARTS, EV_ENDS,
	EV_REGION, EV_OPENS, EV_CLOSES, EV_CLOSED, EV_PUBLISHED, EV_OFFER,
	EV_ACCEPT_REMOTE, EV_ATTENDANCE
};

static void
event_reader(struct atom *a, PGresult *res, int i, int last)
{
	const char *kind = PQgetvalue(res, i, EV_KIND);
	int cancelled = strcmp(PQgetvalue(res, i, EV_STATUS), "cancelled") == 0;
	char *where, *s;

	(void)last;
	if (val(res, i, EV_ORGANISER) != NULL) {
		atom_start(a, "author");
		atom_text(a, "name", val(res, i, EV_ORGANISER));
		atom_end(a);
	}
	atom_category(a, kind, event_kind_label(kind), NULL);
	where = event_where(val(res, i, EV_VENUE), val(res, i, EV_ADDRESS),
	    is_true(res, i, EV_ONLINE));
	s = util_printf("%sWhen: %s. Where: %s.", cancelled ? "Cancelled. " :
	    "", PQgetvalue(res, i, EV_WHEN), where != NULL && *where != '\0' ?
	    where : "to be announced");
	if (s == NULL)
		a->failed = 1;
	atom_text(a, "summary", s);
	free(s);
	free(where);
	atom_markdown(a, val(res, i, EV_DESCRIPTION));
}

/*
 * The place types and questions of an event, for other nodes' members
 * to register with: items separated by chr(30), their parts by chr(31),
 * a question's choices by chr(29) (event_query).
 */
static void
event_offer(struct atom *a, const char *offer)
{
	char *item, *part[6], *choice;
	const char *rest, *choices;
	int k;

	while ((item = util_next_part(&offer, 30, &a->failed)) != NULL) {
		rest = item;
		for (k = 0; k < 6; k++)
			part[k] = util_next_part(&rest, 31, &a->failed);
		if (part[0] != NULL && part[1] != NULL && part[2] != NULL &&
		    strcmp(part[0], "P") == 0) {
			atom_field_start(a, "place");
			atom_attr(a, "ref", part[1]);
			atom_string(a, part[2]);
			atom_end(a);
		} else if (part[0] != NULL && part[4] != NULL &&
		    strcmp(part[0], "Q") == 0) {
			atom_field_start(a, "question");
			atom_attr(a, "ref", part[1]);
			atom_attr(a, "kind", part[2]);
			atom_attr(a, "required", *part[3] == 't' ? "true" :
			    "false");
			atom_string(a, part[4]);
			atom_end(a);
			choices = part[5] != NULL && *part[5] != '\0' ?
			    part[5] : NULL;
			while ((choice = util_next_part(&choices, 29,
			    &a->failed)) != NULL) {
				atom_field_start(a, "choice");
				atom_attr(a, "question", part[1]);
				atom_string(a, choice);
				atom_end(a);
				free(choice);
			}
		}
		for (k = 0; k < 6; k++)
			free(part[k]);
		free(item);
	}
}

static void
event_fields(struct atom *a, PGresult *res, int i, int last)
{
	(void)last;
	atom_field(a, "title", val(res, i, EV_TITLE));
	atom_field(a, "description", val(res, i, EV_DESCRIPTION));
	atom_field(a, "kind", val(res, i, EV_KIND));
	atom_field(a, "starts", val(res, i, EV_STARTS));
	atom_field(a, "ends", val(res, i, EV_ENDS));
	atom_field(a, "venue", val(res, i, EV_VENUE));
	atom_field(a, "address", val(res, i, EV_ADDRESS));
	if (is_true(res, i, EV_ONLINE))
		atom_field(a, "online", "true");
	atom_field(a, "organiser", val(res, i, EV_ORGANISER));
	atom_field(a, "region", val(res, i, EV_REGION));
	atom_field(a, "status", val(res, i, EV_STATUS));
	atom_field(a, "registration-opens", val(res, i, EV_OPENS));
	atom_field(a, "registration-closes", val(res, i, EV_CLOSES));
	atom_field(a, "registration-closed", is_true(res, i, EV_CLOSED) ?
	    "true" : "false");
	atom_field(a, "published", val(res, i, EV_PUBLISHED));
	/* Said only when not: an entry from before it had the choice
	 * accepts. */
	if (!is_true(res, i, EV_ACCEPT_REMOTE))
		atom_field(a, "other-nodes", "false");
	/* Once it is over: how many of each group came (counts only). */
	atom_field(a, "attendance", val(res, i, EV_ATTENDANCE));
	event_offer(a, val(res, i, EV_OFFER));
}

/*
 * Library documents, the current revision.  Who wrote them is left out:
 * members' names are theirs to publish, so the node stands for them.
 */
static const char document_query[] =
    "SELECT d.id, d.version, d.deleted, NOT d.deleted, d.shared, d.seq,"
    " " RFC3339("d.updated") ","
    " " RFC3339("coalesce((SELECT r.created FROM document_revisions r"
    " WHERE r.document = d.id ORDER BY r.number LIMIT 1), d.updated)") ","
    " d.title, '/library/' || d.slug,"
    " d.slug, d.category, array_to_string(d.tags, E'\\n'), d.body,"
    " d.revision"
    " FROM documents d WHERE d.pending AND d.seq > $1::bigint ORDER BY d.seq LIMIT " BATCH;

enum { DOC_SLUG = P_KIND, DOC_CATEGORY, DOC_TAGS, DOC_BODY, DOC_REVISION };

static void
document_reader(struct atom *a, PGresult *res, int i, int last)
{
	const char *category = PQgetvalue(res, i, DOC_CATEGORY);
	const char *tags = PQgetvalue(res, i, DOC_TAGS);
	char *scheme;

	(void)last;
	/* Schemes are the library's pages of one category or one tag. */
	scheme = util_printf("%s/library?category=", cfg->public_url);
	atom_category(a, category, category_label(category), scheme);
	free(scheme);
	scheme = util_printf("%s/library?tag=", cfg->public_url);
	atom_categories(a, tags, scheme);
	free(scheme);
	/*
	 * The body goes once, as the Markdown it is, in the content: a
	 * receiver reads it from there (fed_record_read) and makes the
	 * HTML itself, so the largest document the library takes stays far
	 * inside FED_MAX_ENTRY.
	 */
	atom_content_text(a, PQgetvalue(res, i, DOC_BODY));
}

static void
document_fields(struct atom *a, PGresult *res, int i, int last)
{
	(void)last;
	atom_field(a, "slug", val(res, i, DOC_SLUG));
	atom_field(a, "title", val(res, i, P_TITLE));
	atom_field(a, "category", val(res, i, DOC_CATEGORY));
	atom_field_lines(a, "tag", val(res, i, DOC_TAGS));
	/* The body is the entry's content (document_reader). */
	atom_field(a, "revision", val(res, i, DOC_REVISION));
}

/* Glossary terms. */
static const char term_query[] =
    "SELECT g.id, g.version, g.deleted, NOT g.deleted, g.shared, g.seq,"
    " " RFC3339("g.updated") ", " RFC3339("g.updated") ","
    " g.term, '/glossary#term-' || g.id,"
    " g.definition, array_to_string(g.synonyms, E'\\n'),"
    " array_to_string(g.synonyms, ', ')"
    " FROM glossary_terms g WHERE g.pending AND g.seq > $1::bigint ORDER BY g.seq LIMIT " BATCH;

enum { T_DEFINITION = P_KIND, T_SYNONYMS, T_ALSO };

static void
term_reader(struct atom *a, PGresult *res, int i, int last)
{
	const char *also = PQgetvalue(res, i, T_ALSO);
	char *s;

	(void)last;
	if (*also != '\0') {
		if ((s = util_printf("Also called: %s", also)) == NULL)
			a->failed = 1;
		atom_text(a, "summary", s);
		free(s);
	}
	atom_markdown(a, val(res, i, T_DEFINITION));
}

static void
term_fields(struct atom *a, PGresult *res, int i, int last)
{
	(void)last;
	atom_field(a, "term", val(res, i, P_TITLE));
	atom_field(a, "definition", val(res, i, T_DEFINITION));
	atom_field_lines(a, "synonym", val(res, i, T_SYNONYMS));
}

/*
 * Evaluations, one row for each outcome they measured (or one row of
 * NULL outcome columns when none), the outcomes in the order of the form
 * as acorn_evaluation_record keeps them.
 */
static const char evaluation_query[] =
    "SELECT e.id, e.version, e.deleted, NOT e.deleted, e.shared, e.seq,"
    " " RFC3339("e.updated") ","
    " " RFC3339("coalesce((SELECT r.created FROM evaluation_revisions r"
    " WHERE r.evaluation = e.id ORDER BY r.number LIMIT 1), e.updated)") ","
    " e.title, '/evidence/' || e.id,"
    " e.scheme, e.area, e.region, e.year, e.design, e.sample_size,"
    " e.follow_up, e.summary, e.revision,"
    " o.v->>'outcome', o.v->>'measure', o.v->>'direction', o.v->>'figure'"
    " FROM (SELECT * FROM evaluations WHERE pending AND seq > $1::bigint"
    " ORDER BY seq"
    "  LIMIT " BATCH ") e"
    " LEFT JOIN LATERAL jsonb_array_elements(CASE WHEN e.deleted THEN NULL"
    "  ELSE acorn_evaluation_record(e.id) -> 'outcomes' END)"
    "  WITH ORDINALITY o (v, n) ON true"
    " ORDER BY e.seq, o.n";

enum {
	EVAL_SCHEME = P_KIND, EVAL_AREA, EVAL_REGION, EVAL_YEAR, EVAL_DESIGN,
	EVAL_SAMPLE, EVAL_FOLLOW_UP, EVAL_SUMMARY, EVAL_REVISION,
	EVAL_OUTCOME, EVAL_MEASURE, EVAL_DIRECTION, EVAL_FIGURE
};

/* A code's label, or the code while it has none. */
static const char *
label_or_code(const char *const *codes, const char *const *labels,
    const char *code)
{
	const char *label = code_label(codes, labels, code);

	return label != NULL ? label : code;
}

static void
summary_part(struct strbuf *b, const char *s)
{
	if (b->len > 0)
		strbuf_str(b, ", ");
	strbuf_str(b, s);
}

/*
 * "Randomised controlled trial, 2023, North West, 240 participants,
 * 12 months' follow-up", without what was not recorded.
 */
static char *
evaluation_summary(PGresult *res, int i)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	const char *design = val(res, i, EVAL_DESIGN);
	const char *sample = val(res, i, EVAL_SAMPLE);
	const char *months = val(res, i, EVAL_FOLLOW_UP);

	if (design != NULL)
		summary_part(&b, label_or_code(design_codes, design_labels,
		    design));
	summary_part(&b, PQgetvalue(res, i, EVAL_YEAR));
	summary_part(&b, PQgetvalue(res, i, EVAL_REGION));
	if (sample != NULL) {
		summary_part(&b, sample);
		strbuf_str(&b, strcmp(sample, "1") == 0 ? " participant" :
		    " participants");
	}
	if (months != NULL) {
		summary_part(&b, months);
		strbuf_str(&b, strcmp(months, "1") == 0 ? " month's follow-up" :
		    " months' follow-up");
	}
	return strbuf_take(&b);
}

/* "Wellbeing (WEMWBS): improved, +4.1 points" */
static char *
outcome_line(PGresult *res, int i)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	const char *measure = PQgetvalue(res, i, EVAL_MEASURE);
	const char *figure = PQgetvalue(res, i, EVAL_FIGURE);

	strbuf_str(&b, label_or_code(outcome_codes, outcome_labels,
	    PQgetvalue(res, i, EVAL_OUTCOME)));
	if (*measure != '\0')
		strbuf_printf(&b, " (%s)", measure);
	strbuf_printf(&b, ": %s", label_or_code(direction_codes,
	    direction_labels, PQgetvalue(res, i, EVAL_DIRECTION)));
	if (*figure != '\0')
		strbuf_printf(&b, ", %s", figure);
	return strbuf_take(&b);
}

/*
 * The summary as CommonMark makes it, then what each outcome showed.  A
 * writer of its own builds the HTML, so every value in it is escaped
 * before the whole is escaped once more as the text of the content.
 */
static char *
evaluation_html(PGresult *res, int first, int last)
{
	struct atom h;
	char *html, *line;
	int i;

	if (atom_open(&h) == -1)
		return NULL;
	/* markdown.c has already made this safe to show: it goes in as is. */
	if ((html = markdown_html(val(res, first, EVAL_SUMMARY), 2)) == NULL)
		h.failed = 1;
	else
		atom_raw(&h, html);
	free(html);
	if (!PQgetisnull(res, first, EVAL_OUTCOME)) {
		atom_text(&h, "h2", "Outcomes");
		atom_start(&h, "ul");
		for (i = first; i < last; i++) {
			if ((line = outcome_line(res, i)) == NULL)
				h.failed = 1;
			atom_text(&h, "li", line);
			free(line);
		}
		atom_end(&h);
	}
	return atom_close(&h);
}

static void
evaluation_reader(struct atom *a, PGresult *res, int i, int last)
{
	char *scheme, *s;

	scheme = util_printf("%s/evidence?design=", cfg->public_url);
	atom_category(a, PQgetvalue(res, i, EVAL_DESIGN),
	    code_label(design_codes, design_labels,
	    PQgetvalue(res, i, EVAL_DESIGN)), scheme);
	free(scheme);
	if ((s = evaluation_summary(res, i)) == NULL)
		a->failed = 1;
	atom_text(a, "summary", s);
	free(s);
	if ((s = evaluation_html(res, i, last)) == NULL)
		a->failed = 1;
	else if (*s != '\0')
		atom_reader_content(a, s, val(res, i, EVAL_SUMMARY));
	free(s);
}

static void
evaluation_fields(struct atom *a, PGresult *res, int i, int last)
{
	int k;

	atom_field(a, "title", val(res, i, P_TITLE));
	atom_field(a, "scheme", val(res, i, EVAL_SCHEME));
	atom_field(a, "area", val(res, i, EVAL_AREA));
	atom_field(a, "region", val(res, i, EVAL_REGION));
	atom_field(a, "year", val(res, i, EVAL_YEAR));
	atom_field(a, "design", val(res, i, EVAL_DESIGN));
	atom_field(a, "sample-size", val(res, i, EVAL_SAMPLE));
	atom_field(a, "follow-up", val(res, i, EVAL_FOLLOW_UP));
	atom_field(a, "summary", val(res, i, EVAL_SUMMARY));
	atom_field(a, "revision", val(res, i, EVAL_REVISION));
	for (k = i; k < last && !PQgetisnull(res, k, EVAL_OUTCOME); k++) {
		atom_field_start(a, "outcome");
		atom_attr(a, "outcome", PQgetvalue(res, k, EVAL_OUTCOME));
		atom_attr(a, "direction", PQgetvalue(res, k, EVAL_DIRECTION));
		atom_attr(a, "measure", PQgetvalue(res, k, EVAL_MEASURE));
		atom_attr(a, "figure", PQgetvalue(res, k, EVAL_FIGURE));
		atom_end(a);
	}
}

/* Node entries: this node about itself, and about the peers it pinned. */
static const char node_query[] =
    "SELECT n.id, n.version, n.deleted, NOT n.deleted, n.shared, n.seq,"
    " " RFC3339("n.updated") ", " RFC3339("n.updated") ","
    " n.name, n.url, n.subject, n.region, k.v->>'fingerprint', k.v->>'pem'"
    " FROM (SELECT * FROM nodes WHERE pending AND seq > $1::bigint ORDER BY seq"
    "  LIMIT " BATCH ") n"
    " LEFT JOIN LATERAL jsonb_array_elements(n.keys) WITH ORDINALITY"
    "  k (v, o) ON true"
    " ORDER BY n.seq, k.o";

enum { N_SUBJECT = P_KIND, N_REGION, N_FINGERPRINT, N_PEM };

static void
node_reader(struct atom *a, PGresult *res, int i, int last)
{
	char *s;

	(void)last;
	s = util_printf("%s region%s", PQgetvalue(res, i, N_REGION),
	    strcmp(PQgetvalue(res, i, N_SUBJECT), node_id) == 0 ? "" :
	    ", vouched for by this node");
	atom_text(a, "summary", s);
	free(s);
}

static void
node_fields(struct atom *a, PGresult *res, int i, int last)
{
	char *s;
	int k;

	s = util_printf("urn:uuid:%s", PQgetvalue(res, i, N_SUBJECT));
	atom_field(a, "subject", s);
	free(s);
	atom_field(a, "name", val(res, i, P_TITLE));
	atom_field(a, "region", val(res, i, N_REGION));
	atom_field(a, "url", val(res, i, P_PATH));
	for (k = i; k < last && !PQgetisnull(res, k, N_PEM); k++) {
		atom_field_start(a, "key");
		atom_attr(a, "fingerprint", PQgetvalue(res, k, N_FINGERPRINT));
		atom_string(a, PQgetvalue(res, k, N_PEM));
		atom_end(a);
	}
}

/*
 * The directory of services: organisations, their places and their
 * services.  Each entry's record is one field, its content as JSON with
 * Open Referral UK's names where the standard has them (the columns of
 * schema/055), which the receiver takes whole; a reader sees its name
 * and description.
 */
#define DIRECTORY_QUERY(t, a, title, path, record) \
    "SELECT " a ".id, " a ".version, " a ".deleted, NOT " a ".deleted," \
    " " a ".shared, " a ".seq, " RFC3339(a ".updated") ", " \
    RFC3339(a ".updated") ", " title ", " path ", " record \
    " FROM " t " " a " WHERE " a ".pending AND " a ".seq > $1::bigint" \
    " ORDER BY " a ".seq LIMIT " BATCH

/* A row's own columns, as its record carries them. */
#define RECORD_OF(a) \
    "(to_jsonb(" a ") - ARRAY['id', 'origin', 'version', 'updated'," \
    " 'deleted', 'seq', 'entry', 'pending', 'shared', 'home'," \
    " 'changed_in', 'created_by', 'search'])::text"

static const char organisation_query[] = DIRECTORY_QUERY("organisations",
    "o", "o.name", "'/organisations/' || o.id", "o.description, "
    RECORD_OF("o"));
static const char location_query[] = DIRECTORY_QUERY("locations", "l",
    "l.name", "'/organisations/' || coalesce(l.organisation::text, '')",
    "concat_ws(', ', l.address_1, l.city, l.postal_code), " RECORD_OF("l"));
/* A service carries the terms of its own not every node ships. */
static const char service_query[] = DIRECTORY_QUERY("services", "s",
    "s.name", "'/services/' || s.id", "s.description,"
    " (acorn_service_content(s) || acorn_service_vocabulary(s.terms))::text");

enum { DIR_SUMMARY = P_KIND, DIR_RECORD };

static void
directory_reader(struct atom *a, PGresult *res, int i, int last)
{
	(void)last;
	if (!PQgetisnull(res, i, DIR_SUMMARY) &&
	    *PQgetvalue(res, i, DIR_SUMMARY) != '\0')
		atom_text(a, "summary", val(res, i, DIR_SUMMARY));
}

static void
directory_fields(struct atom *a, PGresult *res, int i, int last)
{
	(void)last;
	atom_field(a, "record", val(res, i, DIR_RECORD));
}

/* Nodes first: a receiver learns keys before the entries they sign. */
static const struct kind kinds[] = {
	{ "node", "nodes", "nodes", "/", "nodes of the network", node_query,
	    "No longer vouched for.", node_reader, node_fields },
	{ "member", "members", "members", "/members", "member directory",
	    member_query, "Withdrawn from the network directory.",
	    member_reader, member_fields },
	{ "event", "events", "events", "/events", "events", event_query,
	    "Deleted by its organiser.", event_reader, event_fields },
	{ "evaluation", "evaluations", "evaluations", "/evidence",
	    "evaluations", evaluation_query, "Deleted by its origin.",
	    evaluation_reader, evaluation_fields },
	{ "document", "documents", "documents", "/library",
	    "library documents", document_query, "Deleted by its origin.",
	    document_reader, document_fields },
	{ "term", "glossary", "glossary_terms", "/glossary", "glossary",
	    term_query, "Deleted by its origin.", term_reader, term_fields },
	/* Organisations and places before the services that name them. */
	{ "organisation", "organisations", "organisations", "/organisations",
	    "organisations of the directory of services", organisation_query,
	    "Deleted by its origin.", directory_reader, directory_fields },
	{ "location", "locations", "locations", "/services",
	    "places of the directory of services", location_query,
	    "Deleted by its origin.", directory_reader, directory_fields },
	{ "service", "services", "services", "/services",
	    "directory of services", service_query, "Deleted by its origin.",
	    directory_reader, directory_fields },
};

/* The acorn: prefix, declared where an entry's record first uses it. */
static void
declare_namespaces(struct atom *a)
{
	atom_declare(a, "acorn", FED_ACORN_NS);
}

/*
 * atom:source: the origin, inside the signature (RFC 4287 section 5.1);
 * path is where its entries of this kind are found here.
 */
void
atom_source(struct atom *a, const char *path, const char *updated)
{
	char *s;

	atom_start(a, "source");
	s = util_printf("urn:uuid:%s", node_id);
	atom_text(a, "id", s);
	free(s);
	atom_text(a, "title", cfg->node_name);
	atom_text(a, "updated", updated);
	s = util_printf("%s%s", cfg->public_url, path);
	atom_link(a, "self", "application/atom+xml", s);
	free(s);
	atom_end(a);
}

static void
write_source(struct atom *a, const struct kind *k, const char *updated)
{
	char *path = util_printf("/feeds/%s", k->collection);

	if (path == NULL)
		a->failed = 1;
	else
		atom_source(a, path, updated);
	free(path);
}

/* The start of this node's acorn:record of a kind, at a version. */
void
atom_record_start(struct atom *a, const char *kind, const char *version)
{
	char *s;

	atom_field_start(a, "record");
	atom_attr(a, "kind", kind);
	atom_attr(a, "version", version);
	s = util_printf("urn:uuid:%s", node_id);
	atom_attr(a, "origin", s);
	free(s);
}

static void
record_start(struct atom *a, const struct kind *k, PGresult *res, int i)
{
	atom_record_start(a, k->name, PQgetvalue(res, i, P_VERSION));
}

/* The root element of a standalone entry, with the acorn prefix. */
void
atom_entry_start(struct atom *a)
{
	atom_start_ns(a, NULL, "entry", FED_ATOM_NS);
	declare_namespaces(a);
}

/*
 * The entry for rows first to last - 1 of one record, signed with key
 * (fingerprint fp).
 */
static char *
write_entry(const struct kind *k, PGresult *res, int first, int last,
    EVP_PKEY *key, const char *fp)
{
	struct atom a;
	const char *path = PQgetvalue(res, first, P_PATH);
	char *s;

	if (atom_open(&a) == -1)
		return NULL;
	atom_entry_start(&a);
	s = util_printf("urn:uuid:%s", PQgetvalue(res, first, P_ID));
	atom_text(&a, "id", s);
	free(s);
	atom_text(&a, "title", PQgetvalue(res, first, P_TITLE));
	atom_text(&a, "updated", PQgetvalue(res, first, P_UPDATED));
	atom_text(&a, "published", PQgetvalue(res, first, P_PUBLISHED));
	s = *path == '/' ? util_printf("%s%s", cfg->public_url, path) :
	    util_strdup(path);
	atom_link(&a, "alternate", "text/html", s);
	free(s);
	k->reader(&a, res, first, last);
	write_source(&a, k, PQgetvalue(res, first, P_UPDATED));
	record_start(&a, k, res, first);
	k->fields(&a, res, first, last);
	atom_end(&a);
	atom_end(&a);
	return atom_sign(&a, key, fp);
}

/* The tombstone (RFC 6721) of one record, signed as write_entry signs. */
static char *
write_tombstone(const struct kind *k, PGresult *res, int i, EVP_PKEY *key,
    const char *fp)
{
	struct atom a;
	char *s;

	if (atom_open(&a) == -1)
		return NULL;
	atom_start_ns(&a, "at", "deleted-entry", FED_TOMB_NS);
	atom_declare(&a, "", FED_ATOM_NS);
	declare_namespaces(&a);
	s = util_printf("urn:uuid:%s", PQgetvalue(res, i, P_ID));
	atom_attr(&a, "ref", s);
	free(s);
	atom_attr(&a, "when", PQgetvalue(res, i, P_UPDATED));
	atom_start_ns(&a, "at", "comment", NULL);
	atom_string(&a, k->gone);
	atom_end(&a);
	write_source(&a, k, PQgetvalue(res, i, P_UPDATED));
	record_start(&a, k, res, i);
	atom_attr(&a, "deleted", "true");
	atom_end(&a);
	atom_end(&a);
	return atom_sign(&a, key, fp);
}

/*
 * One record of a batch: rows first to last - 1 of the pending query.
 * entry is what goes out, signed, or NULL when nothing does (nothing
 * was ever shared, or the row is too large to send).
 */
struct item {
	int		 first;
	int		 last;
	int		 live;
	char		*entry;
	int		 failed;
};

struct batch {
	const struct kind	*k;
	const struct signer	*sg;
	PGresult		*res;
	struct item		*items;
	size_t			 n;
	int			 rows;		/* of the pending query */
	char			 last[24];	/* the last row's seq */
	pthread_t		 thread;	/* signing it, if a thread is */
	int			 signing;
};

/*
 * Builds and signs one record (from several threads at once: it reads
 * the result and the configuration and writes its own item only).
 */
static void
sign_item(void *arg, size_t idx)
{
	struct batch *bt = arg;
	struct item *it = &bt->items[idx];
	const struct kind *k = bt->k;
	PGresult *res = bt->res;
	EVP_PKEY *key = bt->sg->key;
	const char *fp = bt->sg->fingerprint, *id;

	id = PQgetvalue(res, it->first, P_ID);
	it->live = is_true(res, it->first, P_LIVE);
	if (!it->live && !is_true(res, it->first, P_SHARED))
		return;
	/*
	 * During a key rotation the node's own entry, which announces the
	 * new key, is signed with the old one.
	 */
	if (bt->sg->old_key != NULL && strcmp(k->name, "node") == 0 &&
	    strcmp(id, node_id) == 0) {
		key = bt->sg->old_key;
		fp = bt->sg->old_fingerprint;
	}
	it->entry = it->live ? write_entry(k, res, it->first, it->last, key,
	    fp) : write_tombstone(k, res, it->first, key, fp);
	if (it->entry == NULL) {
		log_err("cannot sign %s %s", k->name, id);
		it->failed = 1;
		return;
	}
	/*
	 * What the forms take always fits (the unit tests hold the largest
	 * against the limit); a row that does not was put there some other
	 * way, and is not sent for peers to refuse: the entry gone out
	 * before stays.
	 */
	if (strlen(it->entry) > (size_t)FED_MAX_ENTRY) {
		log_err("%s %s is larger than an entry may be: not published",
		    k->name, id);
		free(it->entry);
		it->entry = NULL;
	} else if (strchr(it->entry, SEP) != NULL) {
		/* XML cannot hold it; batch_store joins entries with it. */
		log_err("cannot sign %s %s", k->name, id);
		free(it->entry);
		it->entry = NULL;
		it->failed = 1;
	}
}

/* The number of entries the batch sends out. */
static int
batch_entries(const struct batch *bt)
{
	size_t i;
	int n = 0;

	for (i = 0; i < bt->n; i++)
		if (bt->items[i].entry != NULL)
			n++;
	return n;
}

/*
 * Stores a batch's entries in one statement, tells the peers and
 * commits, in one round trip.  A row is written only if
 * nothing changed it since it was read (same seq); otherwise it is still
 * pending and the next round takes it.  A record with no entry keeps
 * the one it had, if any.  The entries, a batch's megabytes, go joined
 * by a character XML cannot hold rather than as an array literal, which
 * both sides would have to escape and read character by character.
 */
static int
batch_store(struct db *db, const struct batch *bt)
{
	const char **ids = NULL, **seqs = NULL, **shares = NULL;
	const char *p[4] = { NULL, NULL, NULL, NULL };
	struct db_step st[3];
	PGresult *res[3];
	size_t n;
	char *arr[4] = { NULL, NULL, NULL, NULL }, *sql = NULL;
	struct strbuf joined = { NULL, 0, 0, 0 };
	const char sep[1] = { SEP };
	size_t i;
	int k, rc = -1;

	ids = calloc(bt->n, sizeof(*ids));
	seqs = calloc(bt->n, sizeof(*seqs));
	shares = calloc(bt->n, sizeof(*shares));
	if (ids == NULL || seqs == NULL || shares == NULL)
		goto done;
	for (i = 0; i < bt->n; i++) {
		ids[i] = PQgetvalue(bt->res, bt->items[i].first, P_ID);
		seqs[i] = PQgetvalue(bt->res, bt->items[i].first, P_SEQ);
		if (i > 0)
			strbuf_add(&joined, sep, 1);
		if (bt->items[i].entry != NULL)
			strbuf_str(&joined, bt->items[i].entry);
		shares[i] = bt->items[i].live && bt->items[i].entry != NULL ?
		    "t" : "f";
	}
	arr[0] = util_pg_array(ids, bt->n);
	arr[1] = util_pg_array(seqs, bt->n);
	arr[2] = strbuf_take(&joined);
	arr[3] = util_pg_array(shares, bt->n);
	for (k = 0; k < 4; k++) {
		if (arr[k] == NULL)
			goto done;
		p[k] = arr[k];
	}
	/* It takes the rows' seqs itself, sparing them the seq trigger. */
	sql = util_printf("UPDATE %s t SET"
	    " entry = coalesce(nullif(v.entry, ''), t.entry),"
	    " seq = nextval('change_seq'),"
	    " pending = false, shared = t.shared OR v.shares"
	    " FROM unnest($1::uuid[], $2::bigint[],"
	    "  string_to_array($3, chr(30)),"
	    "  $4::boolean[]) AS v (id, seq, entry, shares)"
	    " WHERE t.id = v.id AND t.seq = v.seq AND t.pending",
	    bt->k->table);
	if (sql == NULL)
		goto done;
	/*
	 * The notification (named after the collection: the news a ping
	 * carries) and the commit go with it, when it sent anything out.
	 */
	st[0].sql = sql;
	st[0].n = 4;
	st[0].params = p;
	st[0].want = PGRES_COMMAND_OK;
	n = 1;
	if (batch_entries(bt) > 0) {
		st[n].sql = "SELECT pg_notify('acorn_published', $1)";
		st[n].n = 1;
		st[n].params = &bt->k->collection;
		st[n++].want = PGRES_TUPLES_OK;
	}
	st[n].sql = "COMMIT";
	st[n].n = 0;
	st[n].params = NULL;
	st[n++].want = PGRES_COMMAND_OK;
	if (db_batch(db, st, n, res) == (long)n)
		rc = 0;
	while (n > 0)
		PQclear(res[--n]);
done:
	free(sql);
	for (k = 0; k < 4; k++)
		free(arr[k]);
	strbuf_free(&joined);
	free(ids);
	free(seqs);
	free(shares);
	return rc;
}

/*
 * The lock every transaction making entries visible to peers takes
 * before it takes sequence numbers, and holds until it commits.
 */
#define FEED_LOCK	"SELECT pg_advisory_xact_lock(" LOCK_PUBLISH ")"

/*
 * Begins such a transaction and takes the lock, in one round trip; -1
 * when the database failed (and no transaction is open).
 */
int
feed_begin(struct db *db)
{
	const struct db_step st[2] = {
		{ "BEGIN", 0, NULL, PGRES_COMMAND_OK },
		{ FEED_LOCK, 0, NULL, PGRES_TUPLES_OK },
	};
	PGresult *res[2];
	long rc = db_batch(db, st, 2, res);

	PQclear(res[0]);
	PQclear(res[1]);
	if (rc != 2) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/*
 * Takes a batch of one kind from res, the answer to its kind's query:
 * at most BATCH_ROWS of its pending rows after a seq, a record's rows
 * together.  -1 when memory ran out.
 */
static int
batch_take(struct batch *bt, PGresult *res)
{
	int r, last;

	bt->res = res;
	bt->rows = PQntuples(bt->res);
	if (bt->rows == 0)
		return 0;
	snprintf(bt->last, sizeof(bt->last), "%s",
	    PQgetvalue(bt->res, bt->rows - 1, P_SEQ));
	if ((bt->items = calloc((size_t)bt->rows, sizeof(*bt->items))) ==
	    NULL)
		return -1;
	for (r = 0; r < bt->rows; r = last) {
		for (last = r + 1; last < bt->rows && strcmp(PQgetvalue(bt->res,
		    last, P_ID), PQgetvalue(bt->res, r, P_ID)) == 0; last++)
			;
		bt->items[bt->n].first = r;
		bt->items[bt->n++].last = last;
	}
	return 0;
}

/* Reads the batch after seq after; -1 when the database failed. */
static int
batch_read(struct db *db, struct batch *bt, const char *after)
{
	PGresult *res;

	if ((res = db_query(db, PGRES_TUPLES_OK, bt->k->query, 1, &after)) ==
	    NULL)
		return -1;
	return batch_take(bt, res);
}

static void *
batch_sign(void *arg)
{
	struct batch *bt = arg;

	fed_parallel(bt->n, sign_item, bt);
	return NULL;
}

/*
 * Signs a batch in a thread of its own, or here when none starts.  A
 * batch short of BATCH_ROWS is the last of its round, with no next one
 * to read meanwhile: it is signed here, not after waiting for a new
 * thread to be given a processor (the one change a coordinator's edit
 * makes goes out that much sooner).
 */
static void
batch_sign_start(struct batch *bt)
{
	bt->signing = bt->rows >= BATCH_ROWS &&
	    pthread_create(&bt->thread, NULL, batch_sign, bt) == 0;
	if (!bt->signing)
		batch_sign(bt);
}

/* Waits for the batch's signing: 0 when every record was signed. */
static int
batch_signed(struct batch *bt)
{
	size_t i;

	if (bt->signing)
		pthread_join(bt->thread, NULL);
	bt->signing = 0;
	for (i = 0; i < bt->n; i++)
		if (bt->items[i].failed)
			return -1;
	return 0;
}

static void
batch_free(struct batch *bt)
{
	size_t i;

	if (bt->signing)
		pthread_join(bt->thread, NULL);
	for (i = 0; i < bt->n; i++)
		free(bt->items[i].entry);
	free(bt->items);
	PQclear(bt->res);
	memset(bt, 0, sizeof(*bt));
}

/*
 * Signs every pending row of one kind, a batch per transaction: a
 * batch's rows read in one query, their entries built and signed in
 * parallel, and stored in one statement.  The next batch is read
 * before a batch is stored, and signed while the database stores it
 * and commits, so that the processors sign while the database writes;
 * rows it holds that change before it is stored stay pending (see
 * batch_store) and go in a later round.  A record that cannot be signed
 * fails its whole batch, so none of it is stored.  The number of
 * entries that went out, or -1.
 */
static int
publish_kind(struct db *db, const struct signer *sg, const struct kind *k)
{
	struct batch bt[2], *cur = &bt[0], *next = &bt[1], *t;
	const char *from = "-1";
	const struct db_step first[3] = {
		{ "BEGIN", 0, NULL, PGRES_COMMAND_OK },
		{ FEED_LOCK, 0, NULL, PGRES_TUPLES_OK },
		{ k->query, 1, &from, PGRES_TUPLES_OK },
	};
	PGresult *res[3];
	int total = 0, n, rc = -1;

	memset(bt, 0, sizeof(bt));
	cur->k = next->k = k;
	cur->sg = next->sg = sg;
	/* The transaction, its lock and the first batch: one round trip. */
	if (db_batch(db, first, 3, res) != 3) {
		PQclear(res[0]);
		PQclear(res[1]);
		PQclear(res[2]);
		db_rollback(db);
		return -1;
	}
	PQclear(res[0]);
	PQclear(res[1]);
	if (batch_take(cur, res[2]) == -1)
		goto fail;
	/*
	 * Nothing was waiting: nothing was written, and a commit would
	 * move the data version for nothing.
	 */
	if (cur->rows == 0) {
		db_rollback(db);
		rc = 0;
		goto done;
	}
	batch_sign_start(cur);
	for (;;) {
		if (cur->rows >= BATCH_ROWS) {
			if (batch_read(db, next, cur->last) == -1)
				goto fail;
			if (next->rows > 0)
				batch_sign_start(next);
		}
		if (batch_signed(cur) == -1)
			goto fail;
		n = batch_entries(cur);
		if (batch_store(db, cur) == -1)
			goto fail;
		total += n;
		batch_free(cur);
		cur->k = k;
		cur->sg = sg;
		t = cur;
		cur = next;
		next = t;
		if (cur->rows == 0)
			break;
		if (feed_begin(db) == -1)
			goto done;
	}
	rc = total;
	goto done;
fail:
	db_rollback(db);
done:
	batch_free(&bt[0]);
	batch_free(&bt[1]);
	return rc;
}

/*
 * Which kinds have local rows waiting to be signed: bit i for kinds[i].
 * -1 when the database failed.  Asked as the lowest pending seq, which
 * only the partial index on pending rows answers at once: asked as
 * EXISTS, a table that grew faster than its statistics (a node catching
 * up, taking a page at a time) was read whole after every page, as the
 * planner expected half of any column it knows nothing of to be true.
 */
static int
pending_kinds(struct db *db, unsigned int *mask)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	PGresult *res;
	char *sql;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		strbuf_printf(&b, "%s(SELECT min(seq) FROM %s WHERE pending)"
		    " IS NOT NULL", i == 0 ? "SELECT " : ", ", kinds[i].table);
	if ((sql = strbuf_take(&b)) == NULL)
		return -1;
	res = db_query(db, PGRES_TUPLES_OK, sql, 0, NULL);
	free(sql);
	if (res == NULL)
		return -1;
	*mask = 0;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (*PQgetvalue(res, 0, (int)i) == 't')
			*mask |= 1u << i;
	PQclear(res);
	return 0;
}

/*
 * Whether sg's keys are the ones its fingerprints name (what entries
 * say signed them): checked once for each signer's keys, as they do not
 * change while loaded.  -1 when they are not.
 */
static int
signer_checked(const struct signer *sg)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static const EVP_PKEY *key, *old_key;
	static char fp[sizeof(sg->fingerprint)], old_fp[sizeof(fp)];
	int rc = 0;

	pthread_mutex_lock(&lock);
	if (key != sg->key || old_key != sg->old_key ||
	    strcmp(fp, sg->fingerprint) != 0 ||
	    strcmp(old_fp, sg->old_fingerprint) != 0) {
		if (fed_key_is(sg->key, sg->fingerprint) == -1 ||
		    (sg->old_key != NULL &&
		    fed_key_is(sg->old_key, sg->old_fingerprint) == -1))
			rc = -1;
		else {
			key = sg->key;
			old_key = sg->old_key;
			memcpy(fp, sg->fingerprint, sizeof(fp));
			memcpy(old_fp, sg->old_fingerprint, sizeof(old_fp));
		}
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

/*
 * The kind whose table a notification of a change waiting to be signed
 * names (acorn_publish, migration 054): its bit, as publish_kinds takes
 * it; PUBLISH_ALL when it names none this node knows (an empty payload,
 * from a schema before it).
 */
unsigned int
publish_kinds_of(const char *table)
{
	size_t i;

	for (i = 0; table != NULL && i < sizeof(kinds) / sizeof(kinds[0]);
	    i++)
		if (strcmp(kinds[i].table, table) == 0)
			return 1u << i;
	return PUBLISH_ALL;
}

/*
 * Entries this process signed and stored, for /metrics: with several
 * processes on one database, theirs add up to the changes made, each
 * signed by one of them.
 */
static atomic_ulong signed_entries;

unsigned long
publish_signed(void)
{
	return atomic_load(&signed_entries);
}

/*
 * Signs the pending local rows of the kinds of mask (publish_kinds_of's
 * bits), or of every kind that has any when mask is PUBLISH_ALL (one
 * question first).  Peers are told (acorn_published) when anything went
 * out.  Answers how many entries went out, or -1.  Only kinds with rows
 * waiting get a transaction: the worker comes here after every change
 * it hears of, and a transaction for each kind was a dozen round trips
 * on the way of every relayed entry.
 */
int
publish_kinds(struct db *db, const struct signer *sg, unsigned int mask)
{
	size_t i;
	int n, total = 0;

	if (sg == NULL || sg->key == NULL)
		return 0;
	if (mask == PUBLISH_ALL && pending_kinds(db, &mask) == -1)
		return -1;
	if (mask != 0 && signer_checked(sg) == -1) {
		log_err("the signing key is not the one its fingerprint names");
		return -1;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!(mask & 1u << i))
			continue;
		if ((n = publish_kind(db, sg, &kinds[i])) == -1)
			return -1;
		atomic_fetch_add(&signed_entries, (unsigned long)n);
		total += n;
	}
	return total;
}

/* Signs every pending local row (publish_kinds). */
int
publish_pending(struct db *db, const struct signer *sg)
{
	return publish_kinds(db, sg, PUBLISH_ALL);
}

static const struct kind *
kind_of(const char *collection)
{
	size_t i;

	for (i = 0; collection != NULL && i < sizeof(kinds) / sizeof(kinds[0]);
	    i++)
		if (strcmp(kinds[i].collection, collection) == 0)
			return &kinds[i];
	return NULL;
}

/* The table behind a collection's name, or NULL. */
const char *
publish_table(const char *collection)
{
	const struct kind *k = kind_of(collection);

	return k != NULL ? k->table : NULL;
}

/* Where people read a collection on this node's pages, or NULL. */
const char *
publish_page(const char *collection)
{
	const struct kind *k = kind_of(collection);

	return k != NULL ? k->page : NULL;
}

/* What a collection's feed is called, after the node's name, or NULL. */
const char *
publish_title(const char *collection)
{
	const struct kind *k = kind_of(collection);

	return k != NULL ? k->title : NULL;
}

/* The collections in the order peers pull them; NULL ends it. */
const char *
publish_collection(size_t i)
{
	return i < sizeof(kinds) / sizeof(kinds[0]) ?
	    kinds[i].collection : NULL;
}
