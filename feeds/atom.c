/*
 * Writing Atom as exclusive canonical XML (W3C Exclusive XML
 * Canonicalization 1.0, without comments), the form signatures are
 * computed over (docs/protocol.md section 4): an entry written here is
 * already what a receiver's canonicalisation of it gives, so signing it
 * is a digest of these very bytes, with no parsing and no second
 * serialisation (sign.c, fed_sign_canonical).  That means: every element
 * has a start and an end tag; a namespace is declared on each element
 * that uses it and whose nearest ancestor declaring it did not already
 * give it the same value; declarations come first on a start tag, in the
 * order of their prefixes, then attributes in the order of their
 * namespace and name; text escapes &, <, > and CR, attribute values &,
 * <, ", tab, LF and CR.  Characters XML 1.0 cannot hold are taken out
 * first, so what is written is well-formed whatever was typed or
 * received.  Raw markup and explicit declarations (atom_raw,
 * atom_xmlns) are for documents that are not signed: a writer that used
 * them is no longer canonical, and atom_sign refuses it.  A writer
 * remembers whether anything failed, so callers check once, at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "federation.h"
#include "atom.h"

enum escape { ESC_NONE, ESC_TEXT, ESC_ATTR };

/*
 * The bytes escape() stops at, by what they need: a look (controls XML
 * cannot hold, the start of a multibyte character), escaping anywhere,
 * escaping in text, escaping in an attribute.  Every other byte is
 * copied as it is.
 */
enum { B_LOOK = 1, B_MARK = 2, B_TEXT = 4, B_ATTR = 8 };

static const unsigned char stops[256] = {
	[0x00] = B_LOOK, [0x01] = B_LOOK, [0x02] = B_LOOK, [0x03] = B_LOOK,
	[0x04] = B_LOOK, [0x05] = B_LOOK, [0x06] = B_LOOK, [0x07] = B_LOOK,
	[0x08] = B_LOOK, ['\t'] = B_ATTR, ['\n'] = B_ATTR, [0x0b] = B_LOOK,
	[0x0c] = B_LOOK, ['\r'] = B_MARK, [0x0e] = B_LOOK, [0x0f] = B_LOOK,
	[0x10] = B_LOOK, [0x11] = B_LOOK, [0x12] = B_LOOK, [0x13] = B_LOOK,
	[0x14] = B_LOOK, [0x15] = B_LOOK, [0x16] = B_LOOK, [0x17] = B_LOOK,
	[0x18] = B_LOOK, [0x19] = B_LOOK, [0x1a] = B_LOOK, [0x1b] = B_LOOK,
	[0x1c] = B_LOOK, [0x1d] = B_LOOK, [0x1e] = B_LOOK, [0x1f] = B_LOOK,
	['&'] = B_MARK, ['<'] = B_MARK, ['>'] = B_TEXT, ['"'] = B_ATTR,
	[0x80 ... 0xff] = B_LOOK,
};

static const unsigned char stop_mask[] = {
	[ESC_NONE] = B_LOOK,
	[ESC_TEXT] = B_LOOK | B_MARK | B_TEXT,
	[ESC_ATTR] = B_LOOK | B_MARK | B_ATTR,
};

/*
 * Appends s to b without what XML 1.0 may not hold (C0 controls but
 * tab, LF and CR, U+FFFE and U+FFFF, bytes that are not UTF-8), escaped
 * as canonical XML escapes text (ESC_TEXT) or an attribute's value
 * (ESC_ATTR), or not at all.  What needs nothing goes in one copy.
 * Whether anything was left out.
 */
static int
escape(struct strbuf *b, const char *s, enum escape how)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t len = strlen((const char *)p), i = 0, from = 0, n, skip;
	unsigned long cp;
	const char *with;
	unsigned char c, mask = stop_mask[how];
	int lossy = 0;

	while (i < len) {
		while (i < len && (stops[p[i]] & mask) == 0)
			i++;
		if (i == len)
			break;
		c = p[i];
		with = NULL;
		n = 1;
		if (c >= 0x80) {
			n = util_utf8_next(p, len, i, &cp, &skip);
			if (n > 0 && cp != 0xfffe && cp != 0xffff) {
				i += n;
				continue;
			}
			with = "";
			n = n > 0 ? n : skip;
		} else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			with = "";
		else if (how != ESC_NONE)
			switch (c) {
			case '&':	with = "&amp;"; break;
			case '<':	with = "&lt;"; break;
			case '\r':	with = "&#xD;"; break;
			case '>':
				if (how == ESC_TEXT)
					with = "&gt;";
				break;
			case '"':
				if (how == ESC_ATTR)
					with = "&quot;";
				break;
			case '\t':
				if (how == ESC_ATTR)
					with = "&#x9;";
				break;
			case '\n':
				if (how == ESC_ATTR)
					with = "&#xA;";
				break;
			}
		if (with == NULL) {
			i++;
			continue;
		}
		if (*with == '\0')
			lossy = 1;
		strbuf_add(b, (const char *)p + from, i - from);
		strbuf_str(b, with);
		i += n;
		from = i;
	}
	strbuf_add(b, (const char *)p + from, len - from);
	return lossy;
}

/*
 * s without what XML 1.0 cannot hold, unescaped.  A malloc'd string, or
 * NULL when memory ran out.
 */
char *
feed_xml_text(const char *s)
{
	struct strbuf b = { NULL, 0, 0, 0 };

	escape(&b, s, ESC_NONE);
	return strbuf_take(&b);
}

/* s as the value of an attribute in double quotes, appended to b. */
void
atom_escape_attr(struct strbuf *b, const char *s)
{
	escape(b, s, ESC_ATTR);
}

int
atom_open(struct atom *a)
{
	memset(a, 0, sizeof(*a));
	a->canonical = 1;
	return 0;
}

static struct atom_el *
top(struct atom *a)
{
	return a->depth > 0 ? &a->el[a->depth - 1] : NULL;
}

/*
 * The namespace prefix stands for where the writer is ("" for no
 * namespace, the default when none was declared), or NULL when it was
 * never declared.
 */
static const char *
in_scope(const struct atom *a, const char *prefix)
{
	int d, k;

	for (d = a->depth - 1; d >= 0; d--)
		for (k = 0; k < a->el[d].ndeclared; k++)
			if (strcmp(a->el[d].declared[k].prefix, prefix) == 0)
				return a->el[d].declared[k].uri;
	return *prefix == '\0' ? "" : NULL;
}

/*
 * What the nearest element above level d that wrote a declaration of
 * prefix gave it, or "" (no namespace) when none did.
 */
static const char *
written_above(const struct atom *a, const char *prefix, int d)
{
	int k;

	while (--d >= 0)
		for (k = 0; k < a->el[d].nwritten; k++)
			if (strcmp(a->el[d].written[k].prefix, prefix) == 0)
				return a->el[d].written[k].uri;
	return "";
}

static void
add_ns(struct atom *a, struct atom_ns *set, int *n, const char *prefix,
    const char *uri)
{
	int k;

	for (k = 0; k < *n; k++)
		if (strcmp(set[k].prefix, prefix) == 0) {
			/* One element cannot bind a prefix twice. */
			if (strcmp(set[k].uri, uri) != 0)
				a->failed = 1;
			return;
		}
	if (*n == ATOM_NS) {
		a->failed = 1;
		return;
	}
	set[*n].prefix = prefix;
	set[(*n)++].uri = uri;
}

/*
 * The open element uses prefix (its own, as no attribute here has one):
 * its declaration goes on the start tag unless the nearest ancestor that
 * wrote one gave the prefix the same namespace.
 */
static void
utilise(struct atom *a, const char *prefix)
{
	struct atom_el *e = top(a);
	const char *uri = in_scope(a, prefix);

	if (uri == NULL) {
		a->failed = 1;
		return;
	}
	if (strcmp(written_above(a, prefix, a->depth - 1), uri) == 0)
		return;
	add_ns(a, e->written, &e->nwritten, prefix, uri);
}

/* Writes the open element's start tag, in canonical order. */
static void
tag_close(struct atom *a)
{
	struct atom_el *e;
	struct atom_ns ns;
	struct atom_attr at;
	const char *names = a->tag.p;
	int i, j;

	if (!a->open)
		return;
	a->open = 0;
	e = top(a);
	utilise(a, a->open_prefix);
	for (i = 1; i < e->nwritten; i++)
		for (j = i; j > 0 && strcmp(e->written[j - 1].prefix,
		    e->written[j].prefix) > 0; j--) {
			ns = e->written[j];
			e->written[j] = e->written[j - 1];
			e->written[j - 1] = ns;
		}
	for (i = 1; i < a->nattrs; i++)
		for (j = i; j > 0 && strcmp(names + a->attrs[j - 1].name,
		    names + a->attrs[j].name) > 0; j--) {
			at = a->attrs[j];
			a->attrs[j] = a->attrs[j - 1];
			a->attrs[j - 1] = at;
		}
	strbuf_add(&a->out, "<", 1);
	strbuf_str(&a->out, e->name);
	for (i = 0; i < e->nwritten; i++) {
		strbuf_add(&a->out, " xmlns", 6);
		if (*e->written[i].prefix != '\0') {
			strbuf_add(&a->out, ":", 1);
			strbuf_str(&a->out, e->written[i].prefix);
		}
		strbuf_add(&a->out, "=\"", 2);
		escape(&a->out, e->written[i].uri, ESC_ATTR);
		strbuf_add(&a->out, "\"", 1);
	}
	for (i = 0; i < a->nattrs; i++) {
		strbuf_add(&a->out, " ", 1);
		strbuf_str(&a->out, names + a->attrs[i].name);
		strbuf_add(&a->out, "=\"", 2);
		strbuf_str(&a->out, names + a->attrs[i].value);
		strbuf_add(&a->out, "\"", 1);
	}
	strbuf_add(&a->out, ">", 1);
	a->nattrs = 0;
	a->tag.len = 0;
}

/*
 * Starts element name, with prefix (NULL for none) and, when uri is not
 * NULL, that prefix declared as uri from here down.  prefix and uri are
 * constants: the writer keeps them.
 */
void
atom_start_ns(struct atom *a, const char *prefix, const char *name,
    const char *uri)
{
	struct atom_el *e;
	size_t pl = prefix != NULL ? strlen(prefix) + 1 : 0, nl = strlen(name);

	tag_close(a);
	if (a->depth == ATOM_DEPTH) {
		a->failed = 1;
		return;
	}
	e = &a->el[a->depth++];
	e->ndeclared = e->nwritten = 0;
	e->name[0] = '\0';
	if (pl + nl >= sizeof(e->name))
		a->failed = 1;
	else {
		if (prefix != NULL) {
			memcpy(e->name, prefix, pl - 1);
			e->name[pl - 1] = ':';
		}
		memcpy(e->name + pl, name, nl + 1);
	}
	a->open = 1;
	a->open_prefix = prefix != NULL ? prefix : "";
	if (uri != NULL)
		atom_declare(a, a->open_prefix, uri);
}

void
atom_start(struct atom *a, const char *name)
{
	atom_start_ns(a, NULL, name, NULL);
}

/*
 * Binds prefix ("" for the default namespace) to uri from the open
 * element down; its declaration is written where it is first used.
 */
void
atom_declare(struct atom *a, const char *prefix, const char *uri)
{
	struct atom_el *e = top(a);

	if (!a->open) {
		a->failed = 1;
		return;
	}
	add_ns(a, e->declared, &e->ndeclared, prefix, uri);
}

/*
 * Binds prefix to uri and writes the declaration on the open element
 * whether it uses it or not, for what raw markup will use (a feed's
 * entries): not canonical.
 */
void
atom_xmlns(struct atom *a, const char *prefix, const char *uri)
{
	struct atom_el *e = top(a);

	atom_declare(a, prefix, uri);
	if (a->open)
		add_ns(a, e->written, &e->nwritten, prefix, uri);
	a->canonical = 0;
}

void
atom_end(struct atom *a)
{
	tag_close(a);
	if (a->depth == 0) {
		a->failed = 1;
		return;
	}
	strbuf_add(&a->out, "</", 2);
	strbuf_str(&a->out, a->el[--a->depth].name);
	strbuf_add(&a->out, ">", 1);
}

/*
 * An attribute of the open element, without a prefix: every attribute
 * Acorn writes is in no namespace.
 */
void
atom_attr(struct atom *a, const char *name, const char *value)
{
	struct atom_attr *at;
	int i;

	if (!a->open || a->nattrs == ATOM_ATTRS || strchr(name, ':') != NULL ||
	    strncmp(name, "xmlns", 5) == 0) {
		a->failed = 1;
		return;
	}
	for (i = 0; i < a->nattrs; i++)
		if (strcmp(a->tag.p + a->attrs[i].name, name) == 0) {
			a->failed = 1;
			return;
		}
	at = &a->attrs[a->nattrs++];
	at->name = a->tag.len;
	strbuf_add(&a->tag, name, strlen(name) + 1);
	at->value = a->tag.len;
	a->lossy |= escape(&a->tag, value, ESC_ATTR);
	strbuf_add(&a->tag, "", 1);
	if (a->tag.failed)
		a->failed = 1;
}

/* Text inside the open element. */
void
atom_string(struct atom *a, const char *text)
{
	tag_close(a);
	a->lossy |= escape(&a->out, text, ESC_TEXT);
}

/* What is already markup (or a feed's mark), as it is: not canonical. */
void
atom_raw(struct atom *a, const char *markup)
{
	tag_close(a);
	strbuf_str(&a->out, markup);
	a->canonical = 0;
}

/* The XML declaration a document served on its own begins with. */
void
atom_declaration(struct atom *a)
{
	if (a->out.len > 0 || a->depth > 0)
		a->failed = 1;
	strbuf_str(&a->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	a->document = 1;
	a->canonical = 0;
}

/*
 * What was written, every element still open ended, as a malloc'd
 * string; NULL if any of it failed.
 */
char *
atom_close(struct atom *a)
{
	char *out;

	while (a->depth > 0 && !a->failed)
		atom_end(a);
	if (a->document)
		strbuf_add(&a->out, "\n", 1);
	if (a->out.failed || a->tag.failed)
		a->failed = 1;
	out = strbuf_take(&a->out);
	strbuf_free(&a->tag);
	if (a->failed) {
		free(out);
		out = NULL;
	}
	return out;
}

/*
 * The entry written, signed with key, whose fingerprint fp is (the
 * caller knows it is: fed_key_is).  NULL when writing or signing failed,
 * or the writer used what canonical XML cannot have.
 */
char *
atom_sign(struct atom *a, EVP_PKEY *key, const char *fp)
{
	char *xml, *entry;
	int canonical = a->canonical && a->depth == 0;

	if ((xml = atom_close(a)) == NULL || !canonical) {
		free(xml);
		return NULL;
	}
	entry = fed_sign_canonical(xml, strlen(xml), key, fp);
	free(xml);
	return entry;
}
/* <name>text</name>, the text escaped by the writer. */
void
atom_text(struct atom *a, const char *name, const char *text)
{
	atom_start(a, name);
	atom_string(a, text);
	atom_end(a);
}

void
atom_link(struct atom *a, const char *rel, const char *type,
    const char *href)
{
	atom_start(a, "link");
	atom_attr(a, "rel", rel);
	if (type != NULL)
		atom_attr(a, "type", type);
	atom_attr(a, "href", href);
	atom_end(a);
}

/* label and scheme may be NULL. */
void
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

/* <content type="html">: html, a NULL for a failure, escaped as text. */
void
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

/* <content type="text">: text as it is, escaped. */
void
atom_content_text(struct atom *a, const char *text)
{
	atom_start(a, "content");
	atom_attr(a, "type", "text");
	atom_string(a, text);
	atom_end(a);
}

/*
 * Content for feed readers: html, unless it is larger than
 * FED_READER_HTML, when the Markdown it was made from (source) goes as
 * text instead.  Markdown can grow many times over into HTML (a link
 * defined once and used on every line), so only this keeps an entry
 * within what peers take whatever a member typed.  html NULL is a
 * failure.
 */
void
atom_reader_content(struct atom *a, const char *html, const char *source)
{
	if (html != NULL && strlen(html) > (size_t)FED_READER_HTML)
		atom_content_text(a, source);
	else
		atom_html(a, html);
}

/* An element of the acorn: namespace, whose prefix the entry declares. */
void
atom_field(struct atom *a, const char *name, const char *value)
{
	if (value == NULL)
		return;
	atom_field_start(a, name);
	atom_string(a, value);
	atom_end(a);
}

void
atom_field_start(struct atom *a, const char *name)
{
	atom_start_ns(a, "acorn", name, NULL);
}

/*
 * The next non-empty line of a newline-separated list, malloc'd; NULL at
 * the end (or, with *failed set, when memory ran out).
 */
static char *
next_line(const char **lines, int *failed)
{
	const char *p = *lines;
	size_t len;
	char *one;

	while (p != NULL && *p != '\0') {
		len = strcspn(p, "\n");
		*lines = p + len + (p[len] == '\n');
		if (len > 0) {
			if ((one = strndup(p, len)) == NULL)
				*failed = 1;
			return one;
		}
		p = *lines;
	}
	return NULL;
}

/* One field per line of a newline-separated list. */
void
atom_field_lines(struct atom *a, const char *name, const char *lines)
{
	char *one;

	while ((one = next_line(&lines, &a->failed)) != NULL) {
		atom_field(a, name, one);
		free(one);
	}
}

/* One category per line of a newline-separated list, in one scheme. */
void
atom_categories(struct atom *a, const char *lines, const char *scheme)
{
	char *one;

	while ((one = next_line(&lines, &a->failed)) != NULL) {
		atom_category(a, one, NULL, scheme);
		free(one);
	}
}
