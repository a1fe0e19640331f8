/*
 * The Atom feeds (RFC 4287) of this node for feed readers, each newest
 * change first: events (drafts never), library documents and
 * evaluations.  A table says what differs between them (the queries,
 * the page a feed follows, how one entry is written); the rest is done
 * once, for all of them.  Written with libxml2's xmlTextWriter, which
 * escapes; characters XML 1.0 cannot hold are taken out first, so a feed
 * is well-formed whatever was typed or received.  An unchanged feed
 * answers If-None-Match with a 304 worked out from one small query,
 * before anything is written.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>
#include <microhttpd.h>

#include "config.h"
#include "acorn.h"

#define ATOM_NS		"http://www.w3.org/2005/Atom"
#define RFC3339(col)	"to_char(" col " AT TIME ZONE 'UTC'," \
			" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define LONDON_DAY(col)	"to_char(" col " AT TIME ZONE 'Europe/London'," \
			" 'FMDay FMDD FMMonth YYYY, HH24:MI')"

/*
 * What a feed shows changes only when a row of its table does, and every
 * change takes a new seq: the count and the sum of seq say whether
 * anything changed.  The last update of a shown row dates the feed.
 */
#define FEED_STATE(table, shown) \
	"SELECT count(*), coalesce(sum(seq), 0), " \
	RFC3339("coalesce(max(updated) FILTER (WHERE " shown "), " \
	"(SELECT created FROM node))") \
	" FROM " table

enum { FEED_EVENTS, FEED_DOCUMENTS, FEED_EVALUATIONS };

/*
 * s without what XML 1.0 may not hold: C0 controls but tab, LF and CR,
 * U+FFFE and U+FFFF, and bytes that are not UTF-8.  A malloc'd string.
 */
char *
feed_xml_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0, n, k, o = 0;
	unsigned long cp;
	char *out;

	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	while (i < len) {
		unsigned char c = p[i];

		if (c < 0x80) {
			if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
				out[o++] = (char)c;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			i++;	/* not the start of a sequence */
			continue;
		}
		for (k = 1; k <= n && i + k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				break;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (k <= n) {
			i += k;	/* cut short: drop what there was */
			continue;
		}
		if (!((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp == 0xfffe || cp == 0xffff)) {
			memcpy(out + o, p + i, n + 1);
			o += n + 1;
		}
		i += n + 1;
	}
	out[o] = '\0';
	return out;
}

/*
 * A writer into memory, of a feed or of HTML to go in one, that
 * remembers whether anything failed.
 */
struct atom {
	xmlBufferPtr	 buf;
	xmlTextWriterPtr w;
	int		 failed;
};

static int
atom_open(struct atom *a)
{
	a->failed = 0;
	if ((a->buf = xmlBufferCreate()) == NULL)
		return -1;
	if ((a->w = xmlNewTextWriterMemory(a->buf, 0)) == NULL) {
		xmlBufferFree(a->buf);
		return -1;
	}
	return 0;
}

/* What was written, as a malloc'd string; NULL if any of it failed. */
static char *
atom_close(struct atom *a)
{
	char *out = NULL;

	xmlFreeTextWriter(a->w);	/* flushes into buf */
	if (!a->failed)
		out = strdup((const char *)xmlBufferContent(a->buf));
	xmlBufferFree(a->buf);
	return out;
}

static void
atom_check(struct atom *a, int rc)
{
	if (rc < 0)
		a->failed = 1;
}

static void
atom_start(struct atom *a, const char *name)
{
	atom_check(a, xmlTextWriterStartElement(a->w, BAD_CAST name));
}

static void
atom_end(struct atom *a)
{
	atom_check(a, xmlTextWriterEndElement(a->w));
}

static void
atom_attr(struct atom *a, const char *name, const char *value)
{
	char *clean = feed_xml_text(value);

	if (clean == NULL)
		a->failed = 1;
	else
		atom_check(a, xmlTextWriterWriteAttribute(a->w, BAD_CAST name,
		    BAD_CAST clean));
	free(clean);
}

/* Text inside the open element, escaped by the writer. */
static void
atom_string(struct atom *a, const char *text)
{
	char *clean = feed_xml_text(text);

	if (clean == NULL)
		a->failed = 1;
	else
		atom_check(a, xmlTextWriterWriteString(a->w, BAD_CAST clean));
	free(clean);
}

/* <name>text</name>, the text escaped by the writer. */
static void
atom_text(struct atom *a, const char *name, const char *text)
{
	atom_start(a, name);
	atom_string(a, text);
	atom_end(a);
}

static void
atom_link(struct atom *a, const char *rel, const char *type,
    const char *href)
{
	atom_start(a, "link");
	atom_attr(a, "rel", rel);
	atom_attr(a, "type", type);
	atom_attr(a, "href", href);
	atom_end(a);
}

/* label and scheme may be NULL. */
static void
atom_category(struct atom *a, const char *term, const char *label,
    const char *scheme)
{
	atom_start(a, "category");
	atom_attr(a, "term", term);
	if (label != NULL)
		atom_attr(a, "label", label);
	if (scheme != NULL)
		atom_attr(a, "scheme", scheme);
	atom_end(a);
}

/*
 * An entry up to its link: what every entry of every feed has.  The
 * caller writes the rest and closes it.
 */
static void
atom_entry_start(struct atom *a, const char *id, const char *title,
    const char *updated, const char *published, const char *href)
{
	char *s;

	atom_start(a, "entry");
	s = util_printf("urn:uuid:%s", id);
	atom_text(a, "id", s);
	free(s);
	atom_text(a, "title", title);
	atom_text(a, "updated", updated);
	atom_text(a, "published", published);
	atom_link(a, "alternate", "text/html", href);
}

/* <content type="html">: html, a NULL for a failure, escaped as text. */
static void
atom_html(struct atom *a, const char *html)
{
	if (html == NULL) {
		a->failed = 1;
		return;
	}
	atom_start(a, "content");
	atom_attr(a, "type", "html");
	atom_string(a, html);
	atom_end(a);
}

/* What a member wrote in CommonMark, as content; nothing when empty. */
static void
atom_markdown(struct atom *a, const char *text)
{
	char *html;

	if (text == NULL || *text == '\0')
		return;
	html = markdown_html(text, 2);
	atom_html(a, html);
	free(html);
}

/* Events: published and cancelled ones, never drafts. */
static const char events_state[] =
    FEED_STATE("events", "NOT deleted AND status <> 'draft'");

static const char events_entries[] =
    "SELECT e.id, e.title, e.description, e.kind, e.venue, e.address,"
    " e.organiser, e.status, " RFC3339("e.updated") ","
    " " RFC3339("coalesce(e.published, e.updated)") ","
    " " LONDON_DAY("e.starts") " || ' to ' ||"
    " CASE WHEN (e.starts AT TIME ZONE 'Europe/London')::date ="
    "  (e.ends AT TIME ZONE 'Europe/London')::date"
    " THEN to_char(e.ends AT TIME ZONE 'Europe/London', 'HH24:MI')"
    " ELSE " LONDON_DAY("e.ends") " END || ' (UK time)',"
    " e.online_url IS NOT NULL"
    " FROM events e WHERE NOT e.deleted AND e.status <> 'draft'"
    " ORDER BY e.updated DESC, e.seq DESC LIMIT 50";

enum {
	EV_ID, EV_TITLE, EV_DESCRIPTION, EV_KIND, EV_VENUE, EV_ADDRESS,
	EV_ORGANISER, EV_STATUS, EV_UPDATED, EV_PUBLISHED, EV_WHEN, EV_ONLINE
};

static int
event_entry(struct atom *a, PGresult *res, int i)
{
	const char *id = PQgetvalue(res, i, EV_ID);
	const char *kind = PQgetvalue(res, i, EV_KIND);
	const char *organiser = db_value(res, i, EV_ORGANISER);
	int cancelled = strcmp(PQgetvalue(res, i, EV_STATUS), "cancelled") == 0;
	char *title, *href, *where, *s;

	title = util_printf("%s%s", cancelled ? "Cancelled: " : "",
	    PQgetvalue(res, i, EV_TITLE));
	href = util_printf("%s/events/%s", cfg->public_url, id);
	atom_entry_start(a, id, title, PQgetvalue(res, i, EV_UPDATED),
	    PQgetvalue(res, i, EV_PUBLISHED), href);
	free(title);
	free(href);
	if (organiser != NULL) {
		atom_start(a, "author");
		atom_text(a, "name", organiser);
		atom_end(a);
	}
	atom_category(a, kind, event_kind_label(kind), NULL);
	where = event_where(db_value(res, i, EV_VENUE),
	    db_value(res, i, EV_ADDRESS),
	    *PQgetvalue(res, i, EV_ONLINE) == 't');
	s = util_printf("%sWhen: %s. Where: %s.", cancelled ? "Cancelled. " :
	    "", PQgetvalue(res, i, EV_WHEN), where != NULL && *where != '\0' ?
	    where : "to be announced");
	atom_text(a, "summary", s);
	free(s);
	free(where);
	atom_markdown(a, db_value(res, i, EV_DESCRIPTION));
	atom_end(a);
	return i + 1;
}

/*
 * Library documents.  Who wrote them is left out: members' names are
 * theirs to publish, so the feed's author, the node, stands for them.
 */
static const char documents_state[] =
    FEED_STATE("documents", "NOT deleted");

static const char documents_entries[] =
    "SELECT d.id, d.slug, d.title, d.category,"
    " array_to_string(d.tags, E'\\n'), d.body, " RFC3339("d.updated") ","
    " " RFC3339("coalesce((SELECT r.created FROM document_revisions r"
    " WHERE r.document = d.id ORDER BY r.number LIMIT 1), d.updated)")
    " FROM documents d WHERE NOT d.deleted"
    " ORDER BY d.updated DESC, d.seq DESC LIMIT 50";

enum {
	DOC_ID, DOC_SLUG, DOC_TITLE, DOC_CATEGORY, DOC_TAGS, DOC_BODY,
	DOC_UPDATED, DOC_PUBLISHED
};

static int
document_entry(struct atom *a, PGresult *res, int i)
{
	const char *category = PQgetvalue(res, i, DOC_CATEGORY);
	const char *tags = PQgetvalue(res, i, DOC_TAGS);
	char *href, *scheme, *tag;
	size_t len;

	href = util_printf("%s/library/%s", cfg->public_url,
	    PQgetvalue(res, i, DOC_SLUG));
	atom_entry_start(a, PQgetvalue(res, i, DOC_ID),
	    PQgetvalue(res, i, DOC_TITLE), PQgetvalue(res, i, DOC_UPDATED),
	    PQgetvalue(res, i, DOC_PUBLISHED), href);
	free(href);
	/* Schemes are the library's pages of one category or one tag. */
	scheme = util_printf("%s/library?category=", cfg->public_url);
	atom_category(a, category, category_label(category), scheme);
	free(scheme);
	scheme = util_printf("%s/library?tag=", cfg->public_url);
	while (*tags != '\0') {
		if ((len = strcspn(tags, "\n")) > 0) {
			if ((tag = strndup(tags, len)) == NULL)
				a->failed = 1;
			else
				atom_category(a, tag, NULL, scheme);
			free(tag);
		}
		tags += len;
		if (*tags == '\n')
			tags++;
	}
	free(scheme);
	atom_markdown(a, PQgetvalue(res, i, DOC_BODY));
	atom_end(a);
	return i + 1;
}

/*
 * Evaluations, one row for each outcome they measured (or one row of
 * NULL outcome columns when none), the outcomes in the order of the form
 * as acorn_evaluation_record keeps them.  Saving an outcome saves its
 * evaluation's row, so the state query need not look at outcomes.
 */
static const char evaluations_state[] =
    FEED_STATE("evaluations", "NOT deleted");

static const char evaluations_entries[] =
    "SELECT e.id, e.title, e.design, e.year, e.region, e.sample_size,"
    " e.follow_up, e.summary, " RFC3339("e.updated") ","
    " " RFC3339("coalesce((SELECT r.created FROM evaluation_revisions r"
    " WHERE r.evaluation = e.id ORDER BY r.number LIMIT 1), e.updated)") ","
    " o.v->>'outcome', o.v->>'measure', o.v->>'direction', o.v->>'figure'"
    " FROM (SELECT id, title, design, year, region, sample_size, follow_up,"
    "  summary, updated, seq FROM evaluations WHERE NOT deleted"
    "  ORDER BY updated DESC, seq DESC LIMIT 50) e"
    " LEFT JOIN LATERAL jsonb_array_elements(acorn_evaluation_record(e.id)"
    "  -> 'outcomes') WITH ORDINALITY o (v, n) ON true"
    " ORDER BY e.updated DESC, e.seq DESC, o.n";

enum {
	EVAL_ID, EVAL_TITLE, EVAL_DESIGN, EVAL_YEAR, EVAL_REGION,
	EVAL_SAMPLE, EVAL_FOLLOW_UP, EVAL_SUMMARY, EVAL_UPDATED,
	EVAL_PUBLISHED, EVAL_OUTCOME, EVAL_MEASURE, EVAL_DIRECTION,
	EVAL_FIGURE
};

/* A code's label from evidence.c, or the code while it has none. */
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
	const char *design = db_value(res, i, EVAL_DESIGN);
	const char *sample = db_value(res, i, EVAL_SAMPLE);
	const char *months = db_value(res, i, EVAL_FOLLOW_UP);

	if (design != NULL)
		summary_part(&b, label_or_code(design_codes, design_labels,
		    design));
	summary_part(&b, db_value(res, i, EVAL_YEAR));
	summary_part(&b, db_value(res, i, EVAL_REGION));
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
 * The summary as CommonMark makes it, then what each outcome (rows first
 * to last - 1) showed.  A writer of its own builds the HTML, so every
 * value in it is escaped before the whole is escaped once more as the
 * text of <content type="html">.
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
	if ((html = markdown_html(db_value(res, first, EVAL_SUMMARY), 2)) ==
	    NULL)
		h.failed = 1;
	else
		atom_check(&h, xmlTextWriterWriteRaw(h.w, BAD_CAST html));
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

/* Writes the evaluation starting at row i; the next one starts after. */
static int
evaluation_entry(struct atom *a, PGresult *res, int i)
{
	const char *id = PQgetvalue(res, i, EVAL_ID);
	const char *design = PQgetvalue(res, i, EVAL_DESIGN);
	char *href, *scheme, *s;
	int last;

	for (last = i + 1; last < PQntuples(res) &&
	    strcmp(PQgetvalue(res, last, EVAL_ID), id) == 0; last++)
		;
	href = util_printf("%s/evidence/%s", cfg->public_url, id);
	atom_entry_start(a, id, PQgetvalue(res, i, EVAL_TITLE),
	    PQgetvalue(res, i, EVAL_UPDATED),
	    PQgetvalue(res, i, EVAL_PUBLISHED), href);
	free(href);
	scheme = util_printf("%s/evidence?design=", cfg->public_url);
	atom_category(a, design, code_label(design_codes, design_labels,
	    design), scheme);
	free(scheme);
	if ((s = evaluation_summary(res, i)) == NULL)
		a->failed = 1;
	atom_text(a, "summary", s);
	free(s);
	if ((s = evaluation_html(res, i, last)) == NULL)
		a->failed = 1;
	else if (*s != '\0')
		atom_html(a, s);
	free(s);
	atom_end(a);
	return last;
}

/* What differs between the feeds; feed_serve does the rest. */
static const struct feed {
	const char	*path;		/* of the feed */
	const char	*page;		/* the HTML page it follows */
	const char	*title;		/* after the node's name */
	const char	*state;		/* count, sum of seq, the feed's date */
	const char	*entries;	/* newest change first */
	/* Writes the entry starting at a row; answers the next one's row. */
	int		(*entry)(struct atom *, PGresult *, int);
} feeds[] = {
	[FEED_EVENTS] = { "/feeds/events", "/events", "events",
	    events_state, events_entries, event_entry },
	[FEED_DOCUMENTS] = { "/feeds/documents", "/library",
	    "library documents", documents_state, documents_entries,
	    document_entry },
	[FEED_EVALUATIONS] = { "/feeds/evaluations", "/evidence",
	    "evaluations", evaluations_state, evaluations_entries,
	    evaluation_entry },
};

/* The whole feed: a malloc'd document, or NULL. */
static char *
atom_feed(const struct feed *f, PGresult *res, const char *updated)
{
	struct atom a;
	char *s;
	int i, n = PQntuples(res);

	if (atom_open(&a) == -1)
		return NULL;
	atom_check(&a, xmlTextWriterStartDocument(a.w, NULL, "UTF-8", NULL));
	atom_check(&a, xmlTextWriterStartElementNS(a.w, NULL, BAD_CAST "feed",
	    BAD_CAST ATOM_NS));
	s = util_printf("%s%s", cfg->public_url, f->path);
	atom_text(&a, "id", s);
	atom_link(&a, "self", "application/atom+xml", s);
	free(s);
	s = util_printf("%s%s", cfg->public_url, f->page);
	atom_link(&a, "alternate", "text/html", s);
	free(s);
	s = util_printf("%s: %s", cfg->node_name, f->title);
	atom_text(&a, "title", s);
	free(s);
	atom_text(&a, "updated", updated);
	atom_start(&a, "author");
	atom_text(&a, "name", cfg->node_name);
	atom_end(&a);
	atom_start(&a, "generator");
	atom_attr(&a, "version", PACKAGE_VERSION);
	atom_check(&a, xmlTextWriterWriteString(a.w, BAD_CAST "Acorn"));
	atom_end(&a);
	for (i = 0; i < n && !a.failed; )
		i = f->entry(&a, res, i);
	atom_check(&a, xmlTextWriterEndDocument(a.w));
	return atom_close(&a);
}

/* 1 when an If-None-Match header names etag (or is "*"). */
static int
etag_matches(const char *header, const char *etag)
{
	const char *p = header;
	size_t n, elen = strlen(etag);

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t,");
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		n = strcspn(p, " \t,");
		if ((n == 1 && *p == '*') || (n == elen &&
		    memcmp(p, etag, n) == 0))
			return 1;
		p += n;
	}
	return 0;
}

/* GET of one feed: a 304 when the reader has it already. */
static int
feed_serve(struct request *r, const struct feed *f)
{
	struct MHD_Response *resp;
	PGresult *state, *res;
	const char *inm;
	unsigned char digest[32];
	char etag[2 + 32 + 1], hex[65], *seed, *body;

	if ((state = db_query(r->db, PGRES_TUPLES_OK, f->state, 0, NULL)) ==
	    NULL)
		return http_error(r, 503);
	seed = util_printf("%s|%s|%s|%s|%s", PQgetvalue(state, 0, 0),
	    PQgetvalue(state, 0, 1), cfg->public_url, cfg->node_name,
	    PACKAGE_VERSION);
	if (seed == NULL) {
		PQclear(state);
		return http_error(r, 500);
	}
	util_sha256(seed, strlen(seed), digest);
	free(seed);
	util_hex(digest, 16, hex);
	snprintf(etag, sizeof(etag), "\"%.32s\"", hex);
	inm = http_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm != NULL && etag_matches(inm, etag)) {
		PQclear(state);
		resp = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
		if (resp == NULL)
			return MHD_NO;
		MHD_add_response_header(resp, "ETag", etag);
		MHD_add_response_header(resp, "Cache-Control", "no-cache");
		return http_queue(r, 304, resp);
	}
	if ((res = db_query(r->db, PGRES_TUPLES_OK, f->entries, 0, NULL)) ==
	    NULL) {
		PQclear(state);
		return http_error(r, 503);
	}
	body = atom_feed(f, res, PQgetvalue(state, 0, 2));
	PQclear(res);
	PQclear(state);
	if (body == NULL)
		return http_error(r, 500);
	resp = MHD_create_response_from_buffer(strlen(body), body,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
	    "application/atom+xml; charset=utf-8");
	MHD_add_response_header(resp, "ETag", etag);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	return http_queue(r, 200, resp);
}

/* GET /feeds/events */
int
feeds_events(struct request *r)
{
	return feed_serve(r, &feeds[FEED_EVENTS]);
}

/* GET /feeds/documents */
int
feeds_documents(struct request *r)
{
	return feed_serve(r, &feeds[FEED_DOCUMENTS]);
}

/* GET /feeds/evaluations */
int
feeds_evaluations(struct request *r)
{
	return feed_serve(r, &feeds[FEED_EVALUATIONS]);
}
