/*
 * Writing Atom with libxml2's xmlTextWriter, which escapes; characters
 * XML 1.0 cannot hold are taken out first, so what is written is
 * well-formed whatever was typed or received.  A writer remembers
 * whether anything failed, so callers check once, at the end.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "core.h"
#include "federation.h"
#include "atom.h"

/*
 * s without what XML 1.0 may not hold: C0 controls but tab, LF and CR,
 * U+FFFE and U+FFFF, and bytes that are not UTF-8.  A malloc'd string.
 */
char *
feed_xml_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0, n, skip, o = 0;
	unsigned long cp;
	char *out;

	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	while (i < len) {
		if ((n = util_utf8_next(p, len, i, &cp, &skip)) == 0) {
			i += skip;
			continue;
		}
		if ((cp >= 0x20 || cp == '\t' || cp == '\n' || cp == '\r') &&
		    cp != 0xfffe && cp != 0xffff) {
			memcpy(out + o, p + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	return out;
}

int
atom_open(struct atom *a)
{
	a->failed = 0;
	if ((a->buf = xmlBufferCreate()) == NULL)
		return -1;
	/*
	 * libxml2's default grows a buffer by exactly what each write
	 * needs: a feed page of a few hundred kilobytes, written 4 KB at a
	 * time, was copied over and over.  Doubling copies it about once.
	 */
	xmlBufferSetAllocationScheme(a->buf, XML_BUFFER_ALLOC_DOUBLEIT);
	if ((a->w = xmlNewTextWriterMemory(a->buf, 0)) == NULL) {
		xmlBufferFree(a->buf);
		return -1;
	}
	return 0;
}

/* What was written, as a malloc'd string; NULL if any of it failed. */
char *
atom_close(struct atom *a)
{
	char *out = NULL;

	xmlFreeTextWriter(a->w);	/* flushes into buf */
	if (!a->failed)
		out = strdup((const char *)xmlBufferContent(a->buf));
	xmlBufferFree(a->buf);
	return out;
}

void
atom_check(struct atom *a, int rc)
{
	if (rc < 0)
		a->failed = 1;
}

void
atom_start(struct atom *a, const char *name)
{
	atom_check(a, xmlTextWriterStartElement(a->w, BAD_CAST name));
}

void
atom_end(struct atom *a)
{
	atom_check(a, xmlTextWriterEndElement(a->w));
}

void
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
void
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

/* HTML made elsewhere and already safe, into the document as it is. */
void
atom_raw(struct atom *a, const char *html)
{
	atom_check(a, xmlTextWriterWriteRaw(a->w, BAD_CAST html));
}

/* An element of the acorn: namespace, its prefix declared on the root. */
void
atom_field(struct atom *a, const char *name, const char *value)
{
	if (value == NULL)
		return;
	atom_check(a, xmlTextWriterStartElementNS(a->w, BAD_CAST "acorn",
	    BAD_CAST name, NULL));
	atom_string(a, value);
	atom_end(a);
}

void
atom_field_start(struct atom *a, const char *name)
{
	atom_check(a, xmlTextWriterStartElementNS(a->w, BAD_CAST "acorn",
	    BAD_CAST name, NULL));
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
