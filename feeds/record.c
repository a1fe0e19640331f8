/*
 * What a verified entry or tombstone says: its id, origin, version and
 * the typed fields of its acorn:record (docs/protocol.md, sections 3 and
 * 5).  The Atom parts for feed readers are not read, except the id, the
 * time, the alternate link, atom:source, which must name the origin, and
 * the content where a record leaves a field to it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "federation.h"
#include "fed_internal.h"

#define MAX_FIELDS	500
#define URN_UUID	"urn:uuid:"

static const char *const kinds[] = {
	"member", "event", "evaluation", "document", "term", "node",
	"registration", "outcome", "organisation", "location", "service",
	"report", "referral",
};

/* The fields that carry attributes, read into fed_field.attr in order. */
static const struct {
	const char	*field;
	const char	*attrs[4];
} field_attrs[] = {
	{ "outcome", { "outcome", "direction", "measure", "figure" } },
	{ "place", { "ref", NULL, NULL, NULL } },
	{ "question", { "ref", "kind", "required", NULL } },
	{ "choice", { "question", NULL, NULL, NULL } },
	{ "answer", { "question", NULL, NULL, NULL } },
	{ "registration", { "version", NULL, NULL, NULL } },
};

/* "urn:uuid:X" to X, or NULL when it is not one. */
const char *
fed_urn_uuid(const char *s)
{
	size_t pre = strlen(URN_UUID);

	if (s == NULL || strncmp(s, URN_UUID, pre) != 0 ||
	    !fed_uuid_ok(s + pre))
		return NULL;
	return s + pre;
}

/* "urn:uuid:<uuid>" into out. */
static int
urn_uuid(const xmlChar *s, char out[FED_UUID_LEN + 1])
{
	const char *id = fed_urn_uuid((const char *)s);

	if (id == NULL)
		return -1;
	memcpy(out, id, FED_UUID_LEN + 1);
	return 0;
}

/* RFC 3339: 2026-11-30T10:15:00Z, seconds' fractions and offsets too. */
static int
rfc3339(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != shape[i])
			return 0;
	s += i;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'Z')
		return s[1] == '\0';
	return (*s == '+' || *s == '-') && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && s[3] == ':' &&
	    isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) &&
	    s[6] == '\0';
}

/* A positive int without sign, leading zeros or anything after. */
static int
version(const xmlChar *s, int *out)
{
	size_t i;
	int v = 0;

	if (s == NULL || s[0] < '1' || s[0] > '9')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (i == 9 || !isdigit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * The one child of parent named ns:name in *out (NULL when there is
 * none); -1 when there are several, since which of them counts would
 * then be a guess.
 */
static int
only_child(xmlNodePtr parent, const char *ns, const char *name,
    xmlNodePtr *out)
{
	xmlNodePtr c;

	*out = NULL;
	for (c = xmlFirstElementChild(parent); c != NULL;
	    c = xmlNextElementSibling(c)) {
		if (!fed_is(c, ns, name))
			continue;
		if (*out != NULL)
			return -1;
		*out = c;
	}
	return 0;
}

/* The text of the one ns:name child of parent, malloc'd, or NULL. */
static xmlChar *
child_text(xmlNodePtr parent, const char *ns, const char *name)
{
	xmlNodePtr c;

	if (only_child(parent, ns, name, &c) == -1 || c == NULL ||
	    xmlFirstElementChild(c) != NULL)
		return NULL;
	return xmlNodeGetContent(c);
}

static char *
alternate_link(xmlNodePtr entry)
{
	xmlNodePtr c;
	xmlChar *rel, *href;
	char *home = NULL;
	int alt;

	for (c = xmlFirstElementChild(entry); c != NULL && home == NULL;
	    c = xmlNextElementSibling(c)) {
		if (!fed_is(c, FED_ATOM_NS, "link"))
			continue;
		/* RFC 4287 4.2.7.2: no rel means "alternate". */
		rel = xmlGetNoNsProp(c, BAD_CAST "rel");
		alt = rel == NULL || xmlStrEqual(rel, BAD_CAST "alternate");
		xmlFree(rel);
		if (alt && (href = xmlGetNoNsProp(c, BAD_CAST "href")) != NULL) {
			home = strdup((const char *)href);
			xmlFree(href);
		}
	}
	return home;
}

static int
read_entry(xmlNodePtr root, struct fed_record *rec, const char **why)
{
	xmlChar *text;
	int rc;

	text = child_text(root, FED_ATOM_NS, "id");
	rc = urn_uuid(text, rec->id);
	xmlFree(text);
	if (rc == -1)
		return fed_refuse(why, "the entry's id is not a urn:uuid");
	text = child_text(root, FED_ATOM_NS, "updated");
	if (text != NULL && rfc3339((const char *)text))
		rec->updated = strdup((const char *)text);
	xmlFree(text);
	if (rec->updated == NULL)
		return fed_refuse(why, "the entry's updated time is not RFC 3339");
	rec->home = alternate_link(root);
	return 0;
}

static int
read_tombstone(xmlNodePtr root, struct fed_record *rec, const char **why)
{
	xmlChar *text;
	int rc;

	text = xmlGetNoNsProp(root, BAD_CAST "ref");
	rc = urn_uuid(text, rec->id);
	xmlFree(text);
	if (rc == -1)
		return fed_refuse(why, "the tombstone's ref is not a urn:uuid");
	text = xmlGetNoNsProp(root, BAD_CAST "when");
	if (text != NULL && rfc3339((const char *)text))
		rec->updated = strdup((const char *)text);
	xmlFree(text);
	if (rec->updated == NULL)
		return fed_refuse(why, "the tombstone's time is not RFC 3339");
	rec->deleted = 1;
	return 0;
}

/*
 * The origin named by the acorn:record of an entry or tombstone, for
 * fed_verify to hold against the signer before reading anything else.
 */
int
fed_record_origin(xmlNodePtr root, char origin[FED_UUID_LEN + 1])
{
	xmlNodePtr r;
	xmlChar *text;
	int rc;

	if (only_child(root, FED_ACORN_NS, "record", &r) == -1 || r == NULL)
		return -1;
	text = xmlGetNoNsProp(r, BAD_CAST "origin");
	rc = urn_uuid(text, origin);
	xmlFree(text);
	return rc;
}

static int
record_kind(xmlNodePtr r, struct fed_record *rec)
{
	xmlChar *kind;
	size_t i;
	int rc = -1;

	if ((kind = xmlGetNoNsProp(r, BAD_CAST "kind")) == NULL)
		return -1;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (xmlStrEqual(kind, BAD_CAST kinds[i])) {
			snprintf(rec->kind, sizeof(rec->kind), "%s", kinds[i]);
			rc = 0;
		}
	xmlFree(kind);
	return rc;
}

/* The record's attributes, which must agree with the root's type. */
static int
record_attrs(xmlNodePtr r, struct fed_record *rec, const char **why)
{
	xmlChar *text;
	int rc, deleted;

	if (record_kind(r, rec) == -1)
		return fed_refuse(why, "an unknown record kind");
	text = xmlGetNoNsProp(r, BAD_CAST "version");
	rc = version(text, &rec->version);
	xmlFree(text);
	if (rc == -1)
		return fed_refuse(why, "the version is not a positive number");
	text = xmlGetNoNsProp(r, BAD_CAST "origin");
	rc = urn_uuid(text, rec->origin);
	xmlFree(text);
	if (rc == -1)
		return fed_refuse(why, "the origin is not a urn:uuid");
	text = xmlGetNoNsProp(r, BAD_CAST "deleted");
	deleted = text != NULL && xmlStrEqual(text, BAD_CAST "true");
	rc = text != NULL && !deleted;
	xmlFree(text);
	if (rc)
		return fed_refuse(why, "deleted is not \"true\"");
	if (rec->deleted && !deleted)
		return fed_refuse(why, "a tombstone's record is not deleted");
	if (!rec->deleted && deleted)
		return fed_refuse(why, "a live entry's record is deleted");
	return 0;
}

static int
read_field(xmlNodePtr c, struct fed_field *f)
{
	size_t i, j;

	f->name = (const char *)c->name;
	if ((f->value = (char *)xmlNodeGetContent(c)) == NULL)
		return -1;
	for (i = 0; i < sizeof(field_attrs) / sizeof(field_attrs[0]); i++) {
		if (!xmlStrEqual(c->name, BAD_CAST field_attrs[i].field))
			continue;
		for (j = 0; j < 4 && field_attrs[i].attrs[j] != NULL; j++)
			f->attr[j] = (char *)xmlGetNoNsProp(c,
			    BAD_CAST field_attrs[i].attrs[j]);
	}
	return 0;
}

static int
record_fields(xmlNodePtr r, struct fed_record *rec, const char **why)
{
	xmlNodePtr c;
	size_t n = 0;

	for (c = xmlFirstElementChild(r); c != NULL;
	    c = xmlNextElementSibling(c)) {
		if (!fed_is(c, FED_ACORN_NS, (const char *)c->name))
			return fed_refuse(why, "a field outside the acorn "
			    "namespace");
		if (xmlFirstElementChild(c) != NULL)
			return fed_refuse(why, "a field holding elements");
		n++;
	}
	if (n > MAX_FIELDS)
		return fed_refuse(why, "more than 500 fields");
	if (n > 0 && rec->deleted)
		return fed_refuse(why, "a tombstone with fields");
	if (n > 0 && (rec->fields = calloc(n, sizeof(*rec->fields))) == NULL)
		return fed_refuse(why, "out of memory");
	for (c = xmlFirstElementChild(r); c != NULL;
	    c = xmlNextElementSibling(c))
		if (read_field(c, &rec->fields[rec->nfields++]) == -1)
			return fed_refuse(why, "out of memory");
	return 0;
}

/*
 * Fields a record may leave to the entry's text content, so that what
 * can be long travels once (docs/protocol.md, section 5): a document's
 * body is its atom:content of type "text".  A record that holds the
 * field itself, as entries written before did, is read as it is.
 */
static const struct {
	const char	*kind;
	const char	*field;
} content_fields[] = {
	{ "document", "body" },
};

static int
record_content(xmlNodePtr root, struct fed_record *rec, const char **why)
{
	struct fed_field *more;
	xmlNodePtr c;
	xmlChar *type;
	size_t i;
	int text;

	for (i = 0; i < sizeof(content_fields) / sizeof(content_fields[0]);
	    i++) {
		if (rec->deleted || strcmp(rec->kind, content_fields[i].kind) !=
		    0 || fed_field(rec, content_fields[i].field) != NULL)
			continue;
		if (only_child(root, FED_ATOM_NS, "content", &c) == -1)
			return fed_refuse(why, "more than one atom:content");
		if (c == NULL)
			continue;
		/* RFC 4287 4.1.3.1: no type means "text". */
		type = xmlGetNoNsProp(c, BAD_CAST "type");
		text = type == NULL || xmlStrEqual(type, BAD_CAST "text");
		xmlFree(type);
		if (!text || xmlFirstElementChild(c) != NULL)
			return fed_refuse(why, "the content is not text");
		more = realloc(rec->fields, (rec->nfields + 1) *
		    sizeof(*rec->fields));
		if (more == NULL)
			return fed_refuse(why, "out of memory");
		rec->fields = more;
		memset(&rec->fields[rec->nfields], 0, sizeof(*more));
		rec->fields[rec->nfields].name = content_fields[i].field;
		if ((rec->fields[rec->nfields].value =
		    (char *)xmlNodeGetContent(c)) == NULL)
			return fed_refuse(why, "out of memory");
		rec->nfields++;
	}
	return 0;
}

/* atom:source/atom:id names the origin, inside the signature. */
static int
check_source(xmlNodePtr root, const struct fed_record *rec,
    const char **why)
{
	xmlNodePtr src;
	xmlChar *text;
	char id[FED_UUID_LEN + 1];
	int rc;

	if (only_child(root, FED_ATOM_NS, "source", &src) == -1 ||
	    src == NULL)
		return fed_refuse(why, "not one atom:source");
	text = child_text(src, FED_ATOM_NS, "id");
	rc = urn_uuid(text, id);
	xmlFree(text);
	if (rc == -1 || strcmp(id, rec->origin) != 0)
		return fed_refuse(why, "source and origin disagree");
	return 0;
}

int
fed_record_read(xmlDocPtr doc, struct fed_record *rec, const char **why)
{
	xmlNodePtr root, r;
	int rc;

	memset(rec, 0, sizeof(*rec));
	rec->doc = doc;
	root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	if (fed_is(root, FED_ATOM_NS, "entry"))
		rc = read_entry(root, rec, why);
	else if (fed_is(root, FED_TOMB_NS, "deleted-entry"))
		rc = read_tombstone(root, rec, why);
	else
		rc = fed_refuse(why, "not an entry or tombstone");
	if (rc == -1)
		goto fail;
	if (only_child(root, FED_ACORN_NS, "record", &r) == -1 || r == NULL) {
		fed_refuse(why, "not one acorn:record");
		goto fail;
	}
	if (record_attrs(r, rec, why) == -1 ||
	    record_fields(r, rec, why) == -1 ||
	    record_content(root, rec, why) == -1 ||
	    check_source(root, rec, why) == -1)
		goto fail;
	*why = NULL;
	return 0;
fail:
	fed_record_free(rec);
	return -1;
}

const char *
fed_field(const struct fed_record *rec, const char *name)
{
	size_t i;

	for (i = 0; i < rec->nfields; i++)
		if (strcmp(rec->fields[i].name, name) == 0)
			return rec->fields[i].value;
	return NULL;
}

void
fed_record_free(struct fed_record *rec)
{
	size_t i, j;

	if (rec == NULL)
		return;
	for (i = 0; i < rec->nfields; i++) {
		xmlFree((char *)rec->fields[i].value);
		for (j = 0; j < 4; j++)
			xmlFree((char *)rec->fields[i].attr[j]);
	}
	free(rec->fields);
	free(rec->updated);
	free(rec->home);
	memset(rec, 0, sizeof(*rec));
}
