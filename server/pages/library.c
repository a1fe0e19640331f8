/*
 * The best-practice library: documents in CommonMark that any member can
 * write and edit, each save kept as a numbered revision with its author,
 * time and summary.  A save names the revision its form started from and
 * is refused with an edit-conflict page when someone saved in between,
 * so nobody's text is ever silently overwritten.  Coordinators can
 * protect a document so that only they may change it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define MAX_TAGS	10
#define PAGE_SIZE	20	/* documents a page of the list shows */
#define CONTEXT_LINES	3	/* unchanged lines shown around a change */

static const char document_columns[] =
    "SELECT d.id, d.slug, d.title, d.category,"
    " array_to_string(d.tags, E'\\n'), d.protected, d.revision, d.body,"
    " d.origin = $2,"
    " (SELECT r.author_name || ', ' || " SQL_LONDON("r.created", LONDON_STAMP)
    "  FROM document_revisions r WHERE r.document = d.id"
    "  AND r.number = d.revision), " SQL_ORIGIN("d")
    " FROM documents d" SQL_KNOWN("d") " WHERE d.slug = $1 AND NOT d.deleted";

enum {
	D_ID, D_SLUG, D_TITLE, D_CATEGORY, D_TAGS, D_PROTECTED, D_REVISION,
	D_BODY, D_LOCAL, D_LAST, D_RECEIVED
};

static void
category_choices(struct view *v)
{
	view_codes(v, "categories", category_codes, category_labels);
}

/* Lowercase words of a-z and 0-9 joined by single hyphens. */
static int
slug_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 80 || s[0] == '-' || s[n - 1] == '-' ||
	    strcmp(s, "new") == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    (s[i] == '-' && s[i + 1] != '-')))
			return 0;
	return 1;
}

/*
 * Letters of U+00C0 to U+017F as the plain a-z a web address can hold:
 * "e" for "é", "ss" for "ß", "ae" for "æ"; "" for the two signs.
 */
static const char *const latin[] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", "", "o",
	"u", "u", "u", "u", "y", "th", "ss", "a", "a", "a", "a", "a",
	"a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", "d",
	"n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y",
	"th", "y", "a", "a", "a", "a", "a", "a", "c", "c", "c", "c",
	"c", "c", "c", "c", "d", "d", "d", "d", "e", "e", "e", "e",
	"e", "e", "e", "e", "e", "e", "g", "g", "g", "g", "g", "g",
	"g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i",
	"i", "i", "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l",
	"l", "l", "l", "l", "l", "l", "l", "l", "l", "n", "n", "n",
	"n", "n", "n", "n", "n", "n", "o", "o", "o", "o", "o", "o",
	"oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s",
	"s", "s", "s", "s", "t", "t", "t", "t", "t", "t", "u", "u",
	"u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "w", "w",
	"y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

/*
 * A web address made from a title, into out: lowercase words of a-z and
 * 0-9 joined by single hyphens, accented Latin letters written plain
 * and every other character a break between words, at most 72
 * characters cut at a hyphen so a "-2" still fits.  A title with no
 * such letters at all ("Канцелярия", "社会处方") gives "document"; one
 * that gives "new", the address of the form, gives "new-document".
 */
static void
slug_from_title(const char *title, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)title;
	size_t o = 0, max = size - 1 < 72 ? size - 1 : 72;
	unsigned int cp;
	const char *plain;
	char one[2] = { 0, 0 };
	int len, gap = 0;

	while (*p != '\0') {
		plain = NULL;
		len = 1;
		if (*p < 0x80) {
			one[0] = (char)tolower(*p);
			if ((one[0] >= 'a' && one[0] <= 'z') ||
			    (one[0] >= '0' && one[0] <= '9'))
				plain = one;
		} else if ((*p & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
			cp = ((unsigned int)(*p & 0x1f) << 6) | (p[1] & 0x3f);
			len = 2;
			if (cp >= 0xc0 && cp < 0x180 && *latin[cp - 0xc0] != '\0')
				plain = latin[cp - 0xc0];
		} else
			/* Three or four bytes: a break, whatever it is. */
			for (len = 1; (p[len] & 0xc0) == 0x80; len++)
				;
		p += len;
		if (plain == NULL) {
			gap = o > 0;
			continue;
		}
		if (o + (size_t)gap + strlen(plain) > max)
			break;
		if (gap)
			out[o++] = '-';
		gap = 0;
		memcpy(out + o, plain, strlen(plain));
		o += strlen(plain);
	}
	out[o] = '\0';
	if (o == 0)
		snprintf(out, size, "document");
	else if (strcmp(out, "new") == 0)
		snprintf(out, size, "new-document");
}

/*
 * The first of base, base-2, base-3 ... base-99 no document has, into
 * out; -1 when all are taken or on failure.  Deleted and received
 * documents keep their addresses, so they count too.
 */
enum { SF_SLUG };

static int
slug_free(struct request *r, const char *base, char *out, size_t size)
{
	const char *p[1] = { base };
	PGresult *res;
	int rc = -1;

	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT s FROM"
	    " generate_series(1, 99) n, LATERAL (SELECT CASE WHEN n = 1"
	    " THEN $1 ELSE $1 || '-' || n END AS s) x"
	    " WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.slug = x.s)"
	    " ORDER BY n LIMIT 1", 1, p);
	if (res != NULL && PQntuples(res) == 1) {
		snprintf(out, size, "%s", PQgetvalue(res, 0, SF_SLUG));
		rc = 0;
	}
	PQclear(res);
	return rc;
}

/* The document the path names, or NULL (*missing set when there is none). */
static PGresult *
document_fetch(struct request *r, int *missing)
{
	const char *p[2];
	PGresult *res;

	*missing = 0;
	if (!slug_valid(r->arg)) {
		*missing = 1;
		return NULL;
	}
	p[0] = r->arg;
	p[1] = node_id;
	res = db_query(r->db, PGRES_TUPLES_OK, document_columns, 2, p);
	if (res != NULL && PQntuples(res) != 1) {
		PQclear(res);
		*missing = 1;
		return NULL;
	}
	return res;
}

/* Whether this person may change the document: 1, or 0 with a page sent. */
static int
document_may_edit(struct request *r, PGresult *res, int *answer)
{
	struct view *v;
	const char *msg = NULL;

	if (*PQgetvalue(res, 0, D_LOCAL) != 't') {
		*answer = origin_refuse(r, "document", res, 0, D_RECEIVED);
		return 0;
	}
	if (*PQgetvalue(res, 0, D_PROTECTED) == 't' && !is_coordinator(r))
		msg = "This document is protected: only coordinators can "
		    "change it. Ask your regional coordinator if something "
		    "needs correcting.";
	if (msg == NULL)
		return 1;
	if ((v = page_view(r, "You cannot change this document")) == NULL) {
		*answer = http_error(r, 500);
		return 0;
	}
	view_set(v, "message", msg);
	view_setf(v, "link_href", "/library/%s", PQgetvalue(res, 0, D_SLUG));
	view_set(v, "link_text", "Back to the document");
	*answer = http_page(r, 403, "message", v);
	return 0;
}

/* Newlines as "\n" only, so revisions compare line by line. */
static char *
text_unix(const char *s)
{
	char *out, *o;

	if ((out = malloc(strlen(s) + 1)) == NULL)
		return NULL;
	for (o = out; *s != '\0'; s++)
		if (*s != '\r')
			*o++ = *s;
	*o = '\0';
	return out;
}

/*
 * The tags typed, separated by commas, as an array literal of lowercase
 * tags without repeats; problems go into v.  NULL on a problem.
 */
static char *
tags_read(struct view *v, const char *text)
{
	const char *tags[MAX_TAGS];
	char *copy, *t, *next, *out = NULL, *c;
	size_t n = 0, i;

	if ((copy = util_strdup(text != NULL ? text : "")) == NULL)
		return NULL;
	for (t = copy; t != NULL; t = next) {
		if ((next = strchr(t, ',')) != NULL)
			*next++ = '\0';
		t = util_trim(t);
		if (*t == '\0')
			continue;
		for (c = t; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		if (strlen(t) > 40) {
			view_error(v, "tags", "Each tag must be 40 characters "
			    "or fewer");
			goto done;
		}
		for (i = 0; i < n; i++)
			if (strcmp(tags[i], t) == 0)
				break;
		if (i < n)
			continue;
		if (n == MAX_TAGS) {
			view_error(v, "tags", "Give 10 tags or fewer");
			goto done;
		}
		tags[n++] = t;
	}
	out = util_pg_array(tags, n);
done:
	free(copy);
	return out;
}

/* What every document form shows: where it goes and the choices. */
static struct view *
form_view(struct request *r, const char *title, const char *action)
{
	struct view *v;

	if ((v = page_form(r, title, action)) != NULL)
		category_choices(v);
	return v;
}

/* The fields of a document form, checked; problems go into v. */
struct doc_fields {
	const char	*title;
	const char	*category;
	char		*tags;		/* array literal */
	char		*body;		/* "\n" newlines */
	const char	*summary;
};

static void
fields_read(struct request *r, struct view *v, struct doc_fields *f)
{
	const char *body;

	memset(f, 0, sizeof(*f));
	f->title = view_field(v, r, KEY_TITLE, "Enter a title");
	f->category = view_field(v, r, KEY_CATEGORY, "Select a category");
	if (f->category != NULL && category_label(f->category) == NULL) {
		view_error(v, "category", "Select a category from the list");
		f->category = NULL;
	}
	view_field(v, r, KEY_TAGS, NULL);
	if (r->form.f[KEY_TAGS].error == 0)
		f->tags = tags_read(v, r->form.f[KEY_TAGS].text);
	body = view_field(v, r, KEY_BODY, "Enter the text of the document");
	if (body != NULL)
		f->body = text_unix(body);
	f->summary = view_field(v, r, KEY_SUMMARY, NULL);
}

static void
fields_free(struct doc_fields *f)
{
	free(f->tags);
	free(f->body);
}

/*
 * The Preview button: the text as it will read, on the form page, and
 * nothing saved.  1 when the form asked for it.
 */
static int
preview_wanted(struct request *r, struct view *v, const struct doc_fields *f)
{
	if (r->form.f[KEY_PREVIEW].text == NULL)
		return 0;
	if (f->body != NULL) {
		view_flag(v, "previewing", 1);
		view_markdown(v, "preview_html", f->body, 3);
		if (f->title != NULL)
			view_set(v, "preview_title", f->title);
	}
	return 1;
}

/*
 * A new document and its first revision, in one statement: $1 its id,
 * $2 slug, $3 title, $4 category, $5 tags (an array), $6 body, $7 the
 * author's account, $8 their name, $9 the revision's summary.
 */
static const char document_insert[] =
    "WITH d AS (INSERT INTO documents (id, origin,"
    " slug, title, category, tags, body, revision, created_by)"
    " SELECT $1, n.id, $2, $3, $4, $5::text[], $6, 1, $7::bigint"
    " FROM node n RETURNING id)"
    " INSERT INTO document_revisions (document, number, title, body,"
    " author, author_name, summary)"
    " SELECT d.id, 1, $3, $6, $7::bigint, $8, $9 FROM d";

/*
 * Adds a document another page wrote for the signed-in member (an
 * event's feedback summary, say), its web address made from its title,
 * and records it: 0 with its address in slug, or -1 when no address
 * was free or the database failed.
 */
int
library_add(struct request *r, const char *title, const char *category,
    const char *tags, const char *body, const char *summary, char *slug,
    size_t size)
{
	const char *p[9];
	char id[ACORN_UUID_LEN + 1], by[24], base[80];

	slug_from_title(title, base, sizeof(base));
	if (slug_free(r, base, slug, size) == -1 || util_uuid(id) == -1)
		return -1;
	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = id;
	p[1] = slug;
	p[2] = title;
	p[3] = category;
	p[4] = tags;
	p[5] = body;
	p[6] = by;
	p[7] = r->account->name;
	p[8] = summary;
	if (db_begin(r->db) == -1)
		return -1;
	if (db_exec(r->db, document_insert, 9, p) == -1) {
		db_rollback(r->db);
		return -1;
	}
	return audit_commit(r->db, r->account->id, "document_create", id);
}

/*
 * GET and POST /library/new.  The web address is made from the title
 * unless one is typed: an address made from the title that another
 * document has gets the first free "-2", "-3" after it, and is shown in
 * the form (after Preview, or a refusal) where it can still be changed;
 * a typed address another document has is refused, so nobody's chosen
 * address is changed behind their back.
 */
int
library_new(struct request *r)
{
	struct doc_fields f;
	struct view *v;
	const char *slug, *p[9];
	char id[ACORN_UUID_LEN + 1], by[24], made[96], base[80];
	int rc, typed;

	if ((v = form_view(r, "New document", "/library/new")) == NULL)
		return http_error(r, 500);
	view_flag(v, "creating", 1);
	if (r->method != METHOD_POST)
		return http_page(r, 200, "document_form", v);
	fields_read(r, v, &f);
	slug = view_field(v, r, KEY_SLUG, NULL);
	typed = slug != NULL || r->form.f[KEY_SLUG].error;
	if (slug != NULL && !slug_valid(slug)) {
		view_error(v, "slug", "Web address must be lowercase letters "
		    "a to z and numbers, in words joined by single hyphens, "
		    "like social-prescribing-toolkit");
		slug = NULL;
	} else if (!typed && f.title != NULL) {
		slug_from_title(f.title, base, sizeof(base));
		if (slug_free(r, base, made, sizeof(made)) == -1) {
			view_error(v, "slug", "Every web address made from this "
			    "title is taken: type one");
		} else {
			slug = made;
			view_set(v, "v_slug", made);
		}
	}
	if (preview_wanted(r, v, &f)) {
		fields_free(&f);
		return http_page(r, view_has(v, "errors") ? 422 : 200,
		    "document_form", v);
	}
	if (view_has(v, "errors") || slug == NULL || util_uuid(id) == -1)
		goto refused;
	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = id;
	p[1] = slug;
	p[2] = f.title;
	p[3] = f.category;
	p[4] = f.tags;
	p[5] = f.body;
	p[6] = by;
	p[7] = r->account->name;
	p[8] = f.summary != NULL ? f.summary : "First version";
	/* The document and its first revision, in one statement. */
	if (db_begin(r->db) == -1) {
		fields_free(&f);
		view_free(v);
		return http_error(r, 503);
	}
	rc = db_exec(r->db, document_insert, 9, p);
	if (rc == -1 && db_duplicate(r->db)) {
		db_rollback(r->db);
		view_error(v, "slug", "Another document already has this web "
		    "address: choose a different one");
		goto refused;
	}
	fields_free(&f);
	view_free(v);
	if (rc == -1 || audit_commit(r->db, r->account->id,
	    "document_create", id) == -1)
		return http_error(r, 503);
	return http_redirectf(r, "/library/%s", slug);
refused:
	fields_free(&f);
	return http_page(r, 422, "document_form", v);
}

/* Tags as links to the documents that share them. */
static void
tag_links(struct view *v, const char *tags)
{
	struct view *t;
	char *tag, *enc;
	size_t len;

	while (tags != NULL && *tags != '\0') {
		len = strcspn(tags, "\n");
		if ((tag = strndup(tags, len)) == NULL)
			return;
		if ((t = view_add(v, "tags")) != NULL &&
		    (enc = util_url_encode(tag)) != NULL) {
			view_set(t, "tag", tag);
			view_setf(t, "tag_href", "/library?tag=%s", enc);
			free(enc);
		}
		free(tag);
		tags += len;
		if (*tags == '\n')
			tags++;
	}
}

/*
 * GET /library: documents of the whole network by category, narrowed by
 * a search, a category, a tag or the region of the node each comes from.
 */
/* Columns of the list's query, SQL_ORIGIN's last. */
enum {
	LL_SLUG, LL_TITLE, LL_CATEGORY, LL_TAGS, LL_PROTECTED, LL_UPDATED,
	LL_TOTAL, LL_RECEIVED
};

/* The list's filters, in the order the query and the summary name them. */
enum { LF_Q, LF_CATEGORY, LF_TAG, LF_REGION, LF__MAX };

/*
 * The address of the list with every filter but skip (LF__MAX: all).
 */
static char *
list_href(const char *const vals[LF__MAX], int skip)
{
	static const char *const names[LF__MAX] = { "q", "category", "tag",
	    "region" };
	struct strbuf sb = { NULL, 0, 0, 0 };
	char *enc;
	int i;

	strbuf_str(&sb, "/library");
	for (i = 0; i < LF__MAX; i++) {
		if (vals[i] == NULL || i == skip)
			continue;
		if ((enc = util_url_encode(vals[i])) == NULL) {
			strbuf_free(&sb);
			return NULL;
		}
		strbuf_printf(&sb, "%c%s=%s", sb.len == 8 ? '?' : '&',
		    names[i], enc);
		free(enc);
	}
	return strbuf_take(&sb);
}

/*
 * "Showing 3 documents: category Toolkits, tag loneliness", each filter
 * with a link removing it alone, for above the list.
 */
static void
list_summary(struct view *v, const char *const vals[LF__MAX], long total)
{
	static const char *const words[LF__MAX] = { "search", "category",
	    "tag", "region" };
	struct strbuf sb = { NULL, 0, 0, 0 };
	struct view *item;
	const char *shown;
	char *href, *text;
	int i, n = 0;

	strbuf_printf(&sb, "Showing %ld %s", total, total == 1 ?
	    "document" : "documents");
	for (i = 0; i < LF__MAX; i++) {
		if (vals[i] == NULL)
			continue;
		shown = i == LF_CATEGORY && category_label(vals[i]) != NULL ?
		    category_label(vals[i]) : vals[i];
		strbuf_printf(&sb, "%s%s %s%s%s", n++ == 0 ? ": " : ", ",
		    words[i], i == LF_Q ? "\u201c" : "", shown,
		    i == LF_Q ? "\u201d" : "");
		if ((item = view_add(v, "applied")) == NULL ||
		    (href = list_href(vals, i)) == NULL)
			continue;
		view_set(item, "remove_href", href);
		view_setf(item, "remove_text", "%s %s%s%s", words[i],
		    i == LF_Q ? "\u201c" : "", shown, i == LF_Q ? "\u201d" : "");
		free(href);
	}
	if ((text = strbuf_take(&sb)) != NULL)
		view_set(v, "showing", text);
	free(text);
}
enum { LT_TAG, LT_COUNT };

int
library_list(struct request *r)
{
	const char *q = r->form.f[KEY_Q].text, *cat = r->form.f[KEY_CATEGORY].text;
	const char *tag = r->form.f[KEY_TAG].text, *p[6], *code;
	const char *region = r->form.f[KEY_REGION].text, *vals[LF__MAX];
	struct view *v, *c = NULL, *d, *t;
	struct pager pg;
	PGresult *res;
	int i, n;

	/* A region not on the list is a hand-made address, not a choice. */
	if (r->form.f[KEY_REGION].error)
		return http_error(r, 400);
	if (region != NULL && *region == '\0')
		region = NULL;
	if (q != NULL && *q == '\0')
		q = NULL;
	if (cat != NULL && *cat == '\0')
		cat = NULL;
	if (tag != NULL && *tag == '\0')
		tag = NULL;
	pager_init(&pg, r, PAGE_SIZE);
	if ((v = page_view(r, "Library")) == NULL)
		return http_error(r, 500);
	category_choices(v);
	view_regions(v);
	view_set(v, "v_q", q);
	view_set(v, "v_category", cat);
	view_set(v, "v_region", region);
	view_set(v, "tag", tag);
	p[0] = q != NULL ? q : "";
	p[1] = cat != NULL ? cat : "";
	p[2] = tag != NULL ? tag : "";
	p[3] = region != NULL ? region : "";
	p[4] = pg.limit;
	p[5] = pg.offset;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT d.slug, d.title,"
	    " d.category, array_to_string(d.tags, E'\\n'), d.protected,"
	    " " SQL_LONDON("d.updated", LONDON_STAMP) ", count(*) OVER (), "
	    SQL_ORIGIN("d")
	    " FROM documents d" SQL_KNOWN("d") " WHERE NOT d.deleted"
	    " AND ($1 = '' OR d.search @@ acorn_prefix_query($1))"
	    " AND ($2 = '' OR d.category = $2)"
	    " AND ($3 = '' OR $3 = ANY (d.tags))"
	    " AND ($4 = '' OR k.region = $4)"
	    " ORDER BY array_position(ARRAY['toolkit', 'guide', 'case_study',"
	    " 'business_case', 'commissioning'], d.category), lower(d.title),"
	    " d.id LIMIT $5::integer OFFSET $6::integer", 6, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	if (n > 0)
		pg.total = strtol(PQgetvalue(res, 0, LL_TOTAL), NULL, 10);
	for (i = 0, code = NULL; i < n; i++) {
		if (code == NULL ||
		    strcmp(code, PQgetvalue(res, i, LL_CATEGORY)) != 0) {
			code = PQgetvalue(res, i, LL_CATEGORY);
			if ((c = view_add(v, "groups")) == NULL)
				break;
			view_set(c, "heading", category_label(code));
		}
		if ((d = view_add(c, "docs")) == NULL)
			break;
		view_setf(d, "href", "/library/%s", PQgetvalue(res, i, LL_SLUG));
		view_set(d, "doc_title", PQgetvalue(res, i, LL_TITLE));
		view_flag(d, "protected",
		    *PQgetvalue(res, i, LL_PROTECTED) == 't');
		view_set(d, "updated", PQgetvalue(res, i, LL_UPDATED));
		tag_links(d, PQgetvalue(res, i, LL_TAGS));
		origin_view(d, res, i, LL_RECEIVED);
	}
	view_flag(v, "none", n == 0);
	view_flag(v, "narrowed", q != NULL || cat != NULL || tag != NULL ||
	    region != NULL);
	PQclear(res);
	vals[LF_Q] = q;
	vals[LF_CATEGORY] = cat;
	vals[LF_TAG] = tag;
	vals[LF_REGION] = region;
	list_summary(v, vals, pg.total);
	view_pager(v, r, &pg);
	/* Every tag in use, to browse by: LT_TAG, LT_COUNT. */
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT t, count(*)"
	    " FROM documents d, unnest(d.tags) t WHERE NOT d.deleted"
	    " GROUP BY t ORDER BY t LIMIT 200", 0, NULL);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	for (i = 0; i < PQntuples(res); i++) {
		char *enc = util_url_encode(PQgetvalue(res, i, LT_TAG));

		if (enc != NULL && (t = view_add(v, "all_tags")) != NULL) {
			view_set(t, "tag", PQgetvalue(res, i, LT_TAG));
			view_setf(t, "tag_href", "/library?tag=%s", enc);
			view_setf(t, "tag_count", "(%s)",
			    PQgetvalue(res, i, LT_COUNT));
		}
		free(enc);
	}
	PQclear(res);
	return http_page(r, 200, "library", v);
}

/*
 * The glossary terms the document's current text uses, into v's "terms".
 * Title and body are read as words: every run of characters other than
 * letters and digits becomes one space, on the text's side and the
 * term's, so a term matches only as a whole word or phrase ("PAM" is not
 * found in "pamphlet") whatever the case, line breaks or markup around
 * it, and "Warwick-Edinburgh" is found written with a space.  A plural
 * "s" is allowed, as documents talk of link workers and PCNs.  Link
 * addresses are taken out first: a slug such as referral-pathways is not
 * the document using those words.
 */
enum { DT_ID, DT_TERM, DT_DEFINITION };

static int
document_terms(struct request *r, struct view *v, const char *id)
{
	struct view *t;
	PGresult *res;
	const char *p[1];
	int i;

	p[0] = id;
	/*
	 * MATERIALIZED: inlined, the regular expressions over the whole
	 * text would run again for every term and synonym (40 ms against
	 * 1.3 ms with two dozen terms).
	 */
	res = db_query(r->db, PGRES_TUPLES_OK, "WITH d AS MATERIALIZED"
	    " (SELECT ' ' ||"
	    " lower(regexp_replace(title || ' ' || regexp_replace(body,"
	    "  '\\]\\([^)]*\\)', ']', 'g'), '[^[:alnum:]]+', ' ', 'g'))"
	    " || ' ' AS words FROM documents WHERE id = $1)"
	    " SELECT g.id, g.term, g.definition FROM glossary_terms g, d"
	    " WHERE NOT g.deleted AND EXISTS (SELECT 1 FROM (SELECT btrim("
	    "  lower(regexp_replace(n, '[^[:alnum:]]+', ' ', 'g'))) AS w"
	    "  FROM unnest(g.term || g.synonyms) AS n) x WHERE x.w <> ''"
	    "  AND (strpos(d.words, ' ' || x.w || ' ') > 0"
	    "  OR strpos(d.words, ' ' || x.w || 's ') > 0))"
	    " ORDER BY lower(g.term) LIMIT 200", 1, p);
	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		if ((t = view_add(v, "terms")) != NULL) {
			view_setf(t, "term_href", "/glossary#term-%s",
			    PQgetvalue(res, i, DT_ID));
			view_set(t, "term", PQgetvalue(res, i, DT_TERM));
			view_set(t, "definition", PQgetvalue(res, i, DT_DEFINITION));
		}
	PQclear(res);
	return 0;
}

/*
 * The other documents whose current text links to this one, into v's
 * "backlinks": an inline link "](/library/slug" or a reference
 * definition "]: /library/slug", where the slug ends the address or is
 * followed by a query, fragment, title or the closing bracket, so
 * /library/a never counts as a link to /library/ab.  Links are written
 * as paths because a document is read on every node of the network;
 * the slug is safe inside the pattern, slug_valid having allowed only
 * letters, digits and single hyphens.
 */
enum { DB_SLUG, DB_TITLE };

static int
document_backlinks(struct request *r, struct view *v, const char *slug)
{
	struct view *b;
	PGresult *res;
	const char *p[1];
	int i;

	p[0] = slug;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT slug, title"
	    " FROM documents WHERE NOT deleted AND slug <> $1"
	    " AND strpos(body, '/library/' || $1) > 0"
	    " AND body ~ ('\\](\\(|:)[[:space:]]*<?/library/' || $1 ||"
	    "  '([?#)>[:space:]]|$)')"
	    " ORDER BY lower(title) LIMIT 200", 1, p);
	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		if ((b = view_add(v, "backlinks")) != NULL) {
			view_setf(b, "link_href", "/library/%s",
			    PQgetvalue(res, i, DB_SLUG));
			view_set(b, "link_title", PQgetvalue(res, i, DB_TITLE));
		}
	PQclear(res);
	return 0;
}

/* GET /library/{slug}, and an old text with ?revision=N */
/* Columns of an old revision shown instead of the current text. */
enum { LO_TITLE, LO_BODY, LO_AUTHOR, LO_CREATED };

int
library_show(struct request *r)
{
	struct view *v;
	PGresult *res, *old = NULL;
	const char *p[2], *title, *body;
	char num[24];
	int missing;

	if ((res = document_fetch(r, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	title = PQgetvalue(res, 0, D_TITLE);
	body = PQgetvalue(res, 0, D_BODY);
	if (r->form.f[KEY_REVISION].text != NULL) {
		snprintf(num, sizeof(num), "%ld", r->form.f[KEY_REVISION].num);
		p[0] = PQgetvalue(res, 0, D_ID);
		p[1] = num;
		old = db_query(r->db, PGRES_TUPLES_OK, "SELECT title, body,"
		    " author_name, " SQL_LONDON("created", LONDON_STAMP)
		    " FROM document_revisions"
		    " WHERE document = $1 AND number = $2::integer", 2, p);
		if (old == NULL || PQntuples(old) != 1) {
			PQclear(old);
			PQclear(res);
			return http_error(r, old == NULL ? 503 : 404);
		}
		title = PQgetvalue(old, 0, LO_TITLE);
		body = PQgetvalue(old, 0, LO_BODY);
	}
	if ((v = page_view(r, title)) == NULL) {
		PQclear(old);
		PQclear(res);
		return http_error(r, 500);
	}
	view_set(v, "doc_title", title);
	view_markdown(v, "body", body, 2);
	view_set(v, "category", category_label(PQgetvalue(res, 0, D_CATEGORY)));
	view_setf(v, "category_href", "/library?category=%s",
	    PQgetvalue(res, 0, D_CATEGORY));
	tag_links(v, PQgetvalue(res, 0, D_TAGS));
	view_set(v, "revision", PQgetvalue(res, 0, D_REVISION));
	view_set(v, "last", db_value(res, 0, D_LAST));
	view_flag(v, "protected", *PQgetvalue(res, 0, D_PROTECTED) == 't');
	view_flag(v, "may_edit", r->account != NULL &&
	    *PQgetvalue(res, 0, D_LOCAL) == 't' &&
	    (*PQgetvalue(res, 0, D_PROTECTED) != 't' || is_coordinator(r)));
	view_flag(v, "may_protect", is_coordinator(r) &&
	    *PQgetvalue(res, 0, D_LOCAL) == 't');
	origin_view(v, res, 0, D_RECEIVED);
	view_setf(v, "edit_href", "/library/%s/edit", r->arg);
	view_setf(v, "history_href", "/library/%s/history", r->arg);
	view_setf(v, "protect_action", "/library/%s/protect", r->arg);
	view_setf(v, "doc_href", "/library/%s", r->arg);
	if (old != NULL) {
		view_setf(v, "old_revision", "%s", num);
		view_setf(v, "old_by", "%s, %s", PQgetvalue(old, 0, LO_AUTHOR),
		    PQgetvalue(old, 0, LO_CREATED));
	}
	if (document_terms(r, v, PQgetvalue(res, 0, D_ID)) == -1 ||
	    document_backlinks(r, v, PQgetvalue(res, 0, D_SLUG)) == -1) {
		view_free(v);
		PQclear(old);
		PQclear(res);
		return http_error(r, 503);
	}
	PQclear(old);
	PQclear(res);
	return http_page(r, 200, "document", v);
}

/*
 * Puts a side-by-side comparison of a and b into v as "rows": unchanged
 * lines on both sides, removed lines on the left labelled "Removed",
 * added lines on the right labelled "Added", a removal and the addition
 * that replaced it on one row.  Unchanged stretches longer than context
 * lines either side of a change are folded.
 * Returns 0, or -1 when memory ran out; too_long is set when the texts
 * are too long to compare.
 */
static int
compare_view(struct view *v, const char *a, const char *b, size_t context)
{
	struct diff d;
	struct view *row;
	size_t i, j, dels, adds, k, last_change, next_change, after;
	size_t skipped = 0;
	long removed = 0, added = 0;
	int rc;

	if ((rc = diff_lines(a, b, &d)) == 1) {
		view_flag(v, "too_long", 1);
		view_setf(v, "too_long_text", "These revisions differ in more "
		    "than %d lines, which is more than this page can compare "
		    "line by line. Open each revision to read it in full.",
		    DIFF_MAX_LINES);
		return 0;
	}
	if (rc == -1)
		return -1;
	/* One more line after a change than before it, unless none. */
	after = context > 0 ? context + 1 : 0;
	last_change = (size_t)-1;
	for (i = 0; i < d.n;) {
		if (d.line[i].op == DIFF_SAME) {
			for (next_change = i; next_change < d.n &&
			    d.line[next_change].op == DIFF_SAME; next_change++)
				;
			if ((last_change == (size_t)-1 ||
			    i - last_change >= after) &&
			    (next_change == d.n ||
			    next_change - i > context)) {
				skipped++;
				i++;
				continue;
			}
			if (skipped > 0 && (row = view_add(v, "rows")) != NULL)
				view_setf(row, "folded", "%zu unchanged %s not "
				    "shown", skipped, skipped == 1 ? "line" :
				    "lines");
			skipped = 0;
			if ((row = view_add(v, "rows")) != NULL) {
				view_set(row, "left", d.line[i].text);
				view_set(row, "right", d.line[i].text);
				view_flag(row, "same", 1);
			}
			i++;
			continue;
		}
		if (skipped > 0 && (row = view_add(v, "rows")) != NULL)
			view_setf(row, "folded", "%zu unchanged %s not shown",
			    skipped, skipped == 1 ? "line" : "lines");
		skipped = 0;
		for (dels = 0; i + dels < d.n && d.line[i + dels].op ==
		    DIFF_DEL; dels++)
			;
		for (adds = 0; i + dels + adds < d.n &&
		    d.line[i + dels + adds].op == DIFF_ADD; adds++)
			;
		for (k = 0; k < dels || k < adds; k++) {
			if ((row = view_add(v, "rows")) == NULL)
				break;
			if (k < dels) {
				view_set(row, "left", d.line[i + k].text);
				view_set(row, "left_label", "Removed:");
			}
			if (k < adds) {
				j = i + dels + k;
				view_set(row, "right", d.line[j].text);
				view_set(row, "right_label", "Added:");
			}
		}
		removed += (long)dels;
		added += (long)adds;
		i += dels + adds;
		last_change = i;
	}
	if (skipped > 0 && (row = view_add(v, "rows")) != NULL)
		view_setf(row, "folded", "%zu unchanged %s not shown", skipped,
		    skipped == 1 ? "line" : "lines");
	if (removed == 0 && added == 0)
		view_set(v, "change_count", "The texts are the same.");
	else
		view_setf(v, "change_count", "%ld %s removed, %ld %s added.",
		    removed, removed == 1 ? "line" : "lines", added,
		    added == 1 ? "line" : "lines");
	view_flag(v, "has_rows", view_has(v, "rows"));
	diff_free(&d);
	return 0;
}

/*
 * The refused save: the person's own text stays in the form, now based
 * on the current revision, and what others changed since the revision
 * the form started from is shown beside the current text.
 */
enum { EC_REVISION, EC_BODY, EC_TITLE, EC_BASE_BODY };

static int
edit_conflict(struct request *r, struct view *v, const char *id,
    const char *base, const struct doc_fields *f)
{
	PGresult *res, *others = NULL;
	const char *p[2];
	int rc;

	p[0] = id;
	p[1] = base;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT d.revision, d.body,"
	    " d.title, (SELECT b.body FROM document_revisions b"
	    "  WHERE b.document = d.id AND b.number = $2::integer)"
	    " FROM documents d WHERE d.id = $1", 2, p);
	if (res == NULL || PQntuples(res) != 1 ||
	    (others = db_query(r->db, PGRES_TUPLES_OK, "SELECT "
	    SQL_REVISION_COLUMNS("") " FROM document_revisions"
	    " WHERE document = $1 AND number > $2::integer ORDER BY number",
	    2, p)) == NULL) {
		view_free(v);
		rc = http_error(r, 503);
		goto done;
	}
	view_set(v, "v_base", PQgetvalue(res, 0, EC_REVISION));
	view_set(v, "their_body", PQgetvalue(res, 0, EC_BODY));
	view_set(v, "their_title", PQgetvalue(res, 0, EC_TITLE));
	view_set(v, "v_body", f->body);
	view_set(v, "from_label", "Revision you started from");
	view_set(v, "to_label", "Current revision");
	revision_conflict(v, "body", "Someone else saved this document while "
	    "you were editing it. Your text has not been saved yet: it is "
	    "still in the form below. Compare it with their changes, include "
	    "what you need, and save again.", others);
	if (compare_view(v, db_value(res, 0, EC_BASE_BODY) != NULL ?
	    PQgetvalue(res, 0, EC_BASE_BODY) : "",
	    PQgetvalue(res, 0, EC_BODY), CONTEXT_LINES) == -1) {
		view_free(v);
		rc = http_error(r, 500);
		goto done;
	}
	rc = http_page(r, 409, "document_form", v);
done:
	PQclear(others);
	PQclear(res);
	return rc;
}

/*
 * A document's new revision, saved only while the revision the form
 * started from (base) is still the current one: of two saves from the
 * same revision, the second waits for the first's row lock, then finds
 * the revision moved on.  1 when saved, 0 when not (the revision moved
 * on, or the document was protected meanwhile), -1 on failure.
 */
static int
document_save(struct request *r, const char *id, const char *base,
    const struct doc_fields *f)
{
	PGresult *saved;
	const char *p[10];
	char by[24];
	int n;

	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = id;
	p[1] = base;
	p[2] = f->title;
	p[3] = f->category;
	p[4] = f->tags;
	p[5] = f->body;
	p[6] = by;
	p[7] = r->account->name;
	p[8] = is_coordinator(r) ? "true" : "false";
	p[9] = f->summary != NULL ? f->summary : "";
	saved = db_query(r->db, PGRES_TUPLES_OK, "WITH d AS (UPDATE documents"
	    " SET title = $3, category = $4, tags = $5::text[], body = $6,"
	    " revision = revision + 1, updated = now()"
	    " WHERE id = $1 AND revision = $2::integer AND NOT deleted"
	    " AND (NOT protected OR $9::boolean) RETURNING id, revision)"
	    " INSERT INTO document_revisions (document, number, title, body,"
	    " author, author_name, summary)"
	    " SELECT d.id, d.revision, $3, $6, $7::bigint, $8, $10 FROM d"
	    " RETURNING number", 10, p);
	if (saved == NULL)
		return -1;
	n = PQntuples(saved);
	PQclear(saved);
	return n == 1;
}

/* GET and POST /library/{slug}/edit */
int
library_edit(struct request *r)
{
	struct doc_fields f = { 0 };
	struct view *v = NULL;
	PGresult *res;
	char action[160], base[24], *tags, *c;
	int missing, rc, saved;

	if ((res = document_fetch(r, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	if (!document_may_edit(r, res, &rc))
		goto done;
	snprintf(action, sizeof(action), "/library/%s/edit", r->arg);
	if ((v = form_view(r, "Edit document", action)) == NULL) {
		rc = http_error(r, 500);
		goto done;
	}
	view_set(v, "doc_title", PQgetvalue(res, 0, D_TITLE));
	view_setf(v, "doc_href", "/library/%s", r->arg);
	if (r->method != METHOD_POST) {
		view_set(v, "v_title", PQgetvalue(res, 0, D_TITLE));
		view_set(v, "v_category", PQgetvalue(res, 0, D_CATEGORY));
		if ((tags = util_strdup(PQgetvalue(res, 0, D_TAGS))) != NULL)
			for (c = tags; *c != '\0'; c++)
				if (*c == '\n')
					*c = ',';
		view_set(v, "v_tags", tags);
		free(tags);
		view_set(v, "v_body", PQgetvalue(res, 0, D_BODY));
		view_set(v, "v_base", PQgetvalue(res, 0, D_REVISION));
		rc = http_page(r, 200, "document_form", v);
		v = NULL;
		goto done;
	}
	fields_read(r, v, &f);
	revision_base(r, v, "body", PQgetvalue(res, 0, D_REVISION));
	if (preview_wanted(r, v, &f) || view_has(v, "errors")) {
		rc = http_page(r, view_has(v, "errors") ? 422 : 200,
		    "document_form", v);
		v = NULL;
		goto done;
	}
	snprintf(base, sizeof(base), "%ld", r->form.f[KEY_BASE].num);
	if (db_begin(r->db) == -1 || (saved = document_save(r,
	    PQgetvalue(res, 0, D_ID), base, &f)) == -1 || (saved &&
	    audit_commit(r->db, r->account->id, "document_edit",
	    PQgetvalue(res, 0, D_ID)) == -1)) {
		rc = http_error(r, 503);
		goto done;
	}
	if (saved) {
		rc = http_redirectf(r, "/library/%s", r->arg);
		goto done;
	}
	db_rollback(r->db);
	/* Protection may have been switched on meanwhile. */
	PQclear(res);
	if ((res = document_fetch(r, &missing)) == NULL) {
		rc = http_error(r, missing ? 404 : 503);
		goto done;
	}
	if (!document_may_edit(r, res, &rc))
		goto done;
	rc = edit_conflict(r, v, PQgetvalue(res, 0, D_ID), base, &f);
	v = NULL;
done:
	PQclear(res);
	fields_free(&f);
	view_free(v);
	return rc;
}

/* GET /library/{slug}/history, a page of revisions at a time */
enum { LH_SIZE = RV__COLUMNS, LH_TOTAL };

int
library_history(struct request *r)
{
	struct view *v, *h;
	struct pager pg;
	PGresult *res, *revs;
	const char *p[3];
	char home[160];
	long current;
	int missing, i, n, may;

	if ((res = document_fetch(r, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	pager_init(&pg, r, PAGE_SIZE);
	p[0] = PQgetvalue(res, 0, D_ID);
	p[1] = pg.limit;
	p[2] = pg.offset;
	revs = db_query(r->db, PGRES_TUPLES_OK, "SELECT "
	    SQL_REVISION_COLUMNS("") ", char_length(body), count(*) OVER ()"
	    " FROM document_revisions WHERE document = $1"
	    " ORDER BY number DESC LIMIT $2::integer OFFSET $3::integer",
	    3, p);
	if (revs == NULL || (v = page_view(r, "History")) == NULL) {
		PQclear(revs);
		PQclear(res);
		return http_error(r, revs == NULL ? 503 : 500);
	}
	current = strtol(PQgetvalue(res, 0, D_REVISION), NULL, 10);
	may = r->account != NULL && *PQgetvalue(res, 0, D_LOCAL) == 't' &&
	    (*PQgetvalue(res, 0, D_PROTECTED) != 't' || is_coordinator(r));
	snprintf(home, sizeof(home), "/library/%s", r->arg);
	view_setf(v, "title", "History: %s", PQgetvalue(res, 0, D_TITLE));
	view_set(v, "doc_title", PQgetvalue(res, 0, D_TITLE));
	view_set(v, "doc_href", home);
	view_setf(v, "compare_action", "%s/compare", home);
	view_setf(v, "restore_action", "%s/restore", home);
	n = PQntuples(revs);
	for (i = 0; i < n; i++) {
		if ((h = revision_row(v, home, revs, i, current, may)) == NULL)
			break;
		view_setf(h, "size", "%s characters",
		    PQgetvalue(revs, i, LH_SIZE));
	}
	if (n > 0)
		pg.total = strtol(PQgetvalue(revs, 0, LH_TOTAL), NULL, 10);
	view_setf(v, "v_from", "%ld", current > 1 ? current - 1 : 1);
	view_setf(v, "v_to", "%ld", current);
	revision_numbers(v, current);
	view_pager(v, r, &pg);
	PQclear(revs);
	PQclear(res);
	return http_page(r, 200, "document_history", v);
}

/*
 * GET /library/{slug}/compare?from=N&to=M, and with changed=1 the
 * changed lines alone, without the unchanged ones around them.
 */
enum { LC_FROM_BODY, LC_TO_BODY, LC_FROM_BY, LC_TO_BY };

int
library_compare(struct request *r)
{
	struct view *v;
	PGresult *res, *revs;
	const char *p[3];
	char from[24], to[24];
	int missing, only;

	if ((res = document_fetch(r, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	if (r->form.f[KEY_FROM].text == NULL || r->form.f[KEY_TO].text == NULL) {
		PQclear(res);
		return http_error(r, 404);
	}
	snprintf(from, sizeof(from), "%ld", r->form.f[KEY_FROM].num);
	snprintf(to, sizeof(to), "%ld", r->form.f[KEY_TO].num);
	p[0] = PQgetvalue(res, 0, D_ID);
	p[1] = from;
	p[2] = to;
	revs = db_query(r->db, PGRES_TUPLES_OK, "SELECT a.body, b.body,"
	    " a.author_name || ', ' || " SQL_LONDON("a.created", LONDON_STAMP) ","
	    " b.author_name || ', ' || " SQL_LONDON("b.created", LONDON_STAMP)
	    " FROM document_revisions a, document_revisions b"
	    " WHERE a.document = $1 AND a.number = $2::integer"
	    " AND b.document = $1 AND b.number = $3::integer", 3, p);
	if (revs == NULL || PQntuples(revs) != 1) {
		PQclear(res);
		PQclear(revs);
		return http_error(r, revs == NULL ? 503 : 404);
	}
	if ((v = page_view(r, "Compare revisions")) == NULL) {
		PQclear(res);
		PQclear(revs);
		return http_error(r, 500);
	}
	view_set(v, "doc_title", PQgetvalue(res, 0, D_TITLE));
	view_setf(v, "doc_href", "/library/%s", r->arg);
	view_setf(v, "history_href", "/library/%s/history", r->arg);
	view_setf(v, "from_label", "Revision %s (%s)", from,
	    PQgetvalue(revs, 0, LC_FROM_BY));
	view_setf(v, "to_label", "Revision %s (%s)", to,
	    PQgetvalue(revs, 0, LC_TO_BY));
	only = r->form.f[KEY_CHANGED].num == 1;
	view_flag(v, "only_changed", only);
	view_setf(v, only ? "all_href" : "hide_href",
	    "/library/%s/compare?from=%s&to=%s%s", r->arg, from, to,
	    only ? "" : "&changed=1");
	if (compare_view(v, PQgetvalue(revs, 0, LC_FROM_BODY),
	    PQgetvalue(revs, 0, LC_TO_BODY), only ? 0 : CONTEXT_LINES) == -1) {
		PQclear(res);
		PQclear(revs);
		view_free(v);
		return http_error(r, 500);
	}
	PQclear(res);
	PQclear(revs);
	return http_page(r, 200, "document_compare", v);
}

/* POST /library/{slug}/restore: revision N's text as a new revision. */
int
library_restore(struct request *r)
{
	PGresult *res, *saved;
	const char *p[5];
	char num[24], by[24];
	int missing, answer, rc;

	if ((res = document_fetch(r, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	if (!document_may_edit(r, res, &answer)) {
		PQclear(res);
		return answer;
	}
	if (r->form.f[KEY_REVISION].text == NULL) {
		PQclear(res);
		return http_error(r, 400);
	}
	snprintf(num, sizeof(num), "%ld", r->form.f[KEY_REVISION].num);
	snprintf(by, sizeof(by), "%ld", r->account->id);
	p[0] = PQgetvalue(res, 0, D_ID);
	p[1] = num;
	p[2] = by;
	p[3] = r->account->name;
	p[4] = is_coordinator(r) ? "true" : "false";
	if (db_begin(r->db) == -1) {
		PQclear(res);
		return http_error(r, 503);
	}
	saved = db_query(r->db, PGRES_TUPLES_OK, "WITH o AS (SELECT title,"
	    " body FROM document_revisions WHERE document = $1"
	    " AND number = $2::integer),"
	    " d AS (UPDATE documents SET title = o.title, body = o.body,"
	    " revision = revision + 1, updated = now()"
	    " FROM o WHERE id = $1 AND NOT deleted"
	    " AND (NOT protected OR $5::boolean)"
	    " RETURNING documents.id, documents.revision)"
	    " INSERT INTO document_revisions (document, number, title, body,"
	    " author, author_name, summary, restored_from)"
	    " SELECT d.id, d.revision, o.title, o.body, $3::bigint, $4,"
	    " 'Restored revision ' || $2, $2::integer FROM d, o"
	    " RETURNING number", 5, p);
	if (saved == NULL) {
		PQclear(res);
		return http_error(r, 503);
	}
	rc = PQntuples(saved);
	PQclear(saved);
	if (rc != 1) {
		db_rollback(r->db);
		PQclear(res);
		return http_error(r, 404);
	}
	rc = audit_commit(r->db, r->account->id, "document_restore", p[0]);
	PQclear(res);
	if (rc == -1)
		return http_error(r, 503);
	return http_redirectf(r, "/library/%s/history", r->arg);
}

/* POST /library/{slug}/protect: coordinators only, by the route. */
int
library_protect(struct request *r)
{
	PGresult *res;
	const char *p[3];
	int missing, rc;

	if ((res = document_fetch(r, &missing)) == NULL)
		return http_error(r, missing ? 404 : 503);
	if (*PQgetvalue(res, 0, D_LOCAL) != 't') {
		rc = origin_refuse(r, "document", res, 0, D_RECEIVED);
		PQclear(res);
		return rc;
	}
	p[0] = PQgetvalue(res, 0, D_ID);
	p[1] = r->form.f[KEY_PROTECTED].num == 1 ? "true" : "false";
	if ((rc = db_begin(r->db)) == 0 &&
	    (rc = db_exec(r->db, "UPDATE documents SET"
	    " protected = $2::boolean, updated = now()"
	    " WHERE id = $1 AND protected <> $2::boolean", 2, p)) == 0)
		rc = audit_commit(r->db, r->account->id,
		    r->form.f[KEY_PROTECTED].num == 1 ? "document_protect" :
		    "document_unprotect", p[0]);
	PQclear(res);
	if (rc == -1)
		return http_error(r, 503);
	return http_redirectf(r, "/library/%s", r->arg);
}

/* Documents matching a search, for /search: into v's "results". */
enum { LS_SLUG, LS_TITLE, LS_CATEGORY, LS_SNIPPET };

const char library_search_sql[] =
    "SELECT slug, title, category,"
    " ts_headline('simple', body, acorn_prefix_query($1),"
    "  'StartSel=\"\", StopSel=\"\", MaxWords=30, MinWords=12')"
    " FROM documents WHERE NOT deleted"
    " AND search @@ acorn_prefix_query($1)"
    " ORDER BY ts_rank(search, acorn_prefix_query($1)) DESC,"
    " lower(title) LIMIT 50";

void
library_search_row(struct view *s, PGresult *res, int i)
{
	view_setf(s, "href", "/library/%s", PQgetvalue(res, i, LS_SLUG));
	view_set(s, "result_title", PQgetvalue(res, i, LS_TITLE));
	view_set(s, "meta", category_label(PQgetvalue(res, i, LS_CATEGORY)));
	view_set(s, "snippet", PQgetvalue(res, i, LS_SNIPPET));
}
