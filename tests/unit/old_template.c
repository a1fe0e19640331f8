/*
 * The template engine as it stood before templates were compiled: every
 * page written by walking libxml2's trees per request.  Kept for the
 * tests, which check that the compiled engine writes the very same
 * bytes, and for the render benchmark's reference figure.
 */
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/entities.h>

#include "web.h"
#include "old_template.h"

enum item_kind { ITEM_TEXT, ITEM_FLAG, ITEM_LIST, ITEM_MARKDOWN };

struct item {
	char		*key;
	enum item_kind	 kind;
	char		*text;	/* ITEM_MARKDOWN: the rendered HTML */
	int		 flag;
	struct old_view	**list;
	size_t		 nlist;
};

struct old_view {
	const struct old_view *parent;
	struct item	*items;
	size_t		 n;
	size_t		 cap;
};

struct tmpl {
	char		*name;
	htmlDocPtr	 doc;
};

static struct tmpl	*tmpls;
static size_t		 ntmpls;

struct old_view *
old_view_new(void)
{
	return calloc(1, sizeof(struct old_view));
}

void
old_view_free(struct old_view *v)
{
	size_t i, j;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		free(v->items[i].key);
		free(v->items[i].text);
		for (j = 0; j < v->items[i].nlist; j++)
			old_view_free(v->items[i].list[j]);
		free(v->items[i].list);
	}
	free(v->items);
	free(v);
}

static struct item *
old_view_slot(struct old_view *v, const char *key, enum item_kind kind)
{
	struct item *it;
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->items[i].key, key) == 0) {
			it = &v->items[i];
			if (it->kind != kind && it->kind != ITEM_LIST) {
				free(it->text);
				it->text = NULL;
				it->kind = kind;
			}
			return it->kind == kind ? it : NULL;
		}
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		struct item *p = realloc(v->items, cap * sizeof(*p));

		if (p == NULL)
			return NULL;
		v->items = p;
		v->cap = cap;
	}
	it = &v->items[v->n];
	memset(it, 0, sizeof(*it));
	if ((it->key = strdup(key)) == NULL)
		return NULL;
	it->kind = kind;
	v->n++;
	return it;
}

void
old_view_set(struct old_view *v, const char *key, const char *text)
{
	struct item *it;

	if ((it = old_view_slot(v, key, ITEM_TEXT)) == NULL)
		return;
	free(it->text);
	it->text = text ? strdup(text) : NULL;
}

void
old_view_setf(struct old_view *v, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *p;
	struct item *it;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) == -1)
		p = NULL;
	va_end(ap);
	if (p == NULL || (it = old_view_slot(v, key, ITEM_TEXT)) == NULL) {
		free(p);
		return;
	}
	free(it->text);
	it->text = p;
}

void
old_view_flag(struct old_view *v, const char *key, int on)
{
	struct item *it;

	if ((it = old_view_slot(v, key, ITEM_FLAG)) != NULL)
		it->flag = on != 0;
}

/*
 * Renders a member's CommonMark text for a data-markdown element; top is
 * the level its "#" headings get (2 below a page's <h1>).
 */
void
old_view_markdown(struct old_view *v, const char *key, const char *text,
    int top)
{
	struct item *it;

	if ((it = old_view_slot(v, key, ITEM_MARKDOWN)) == NULL)
		return;
	free(it->text);
	it->text = text != NULL ? markdown_html(text, top) : NULL;
	if (text != NULL && it->text == NULL)
		log_err("cannot render %s", key);
}

/* Appends an item to list key; lookups inside it fall back to v. */
struct old_view *
old_view_add(struct old_view *v, const char *key)
{
	struct item *it;
	struct old_view *child, **p;

	if ((it = old_view_slot(v, key, ITEM_LIST)) == NULL)
		return NULL;
	if ((child = old_view_new()) == NULL)
		return NULL;
	if ((p = realloc(it->list, (it->nlist + 1) * sizeof(*p))) == NULL) {
		free(child);
		return NULL;
	}
	child->parent = v;
	it->list = p;
	it->list[it->nlist++] = child;
	return child;
}

static const struct item *
old_view_find(const struct old_view *v, const char *key)
{
	size_t i;

	for (; v != NULL; v = v->parent)
		for (i = 0; i < v->n; i++)
			if (strcmp(v->items[i].key, key) == 0)
				return &v->items[i];
	return NULL;
}

const char *
old_view_get(const struct old_view *v, const char *key)
{
	const struct item *it = old_view_find(v, key);

	return it != NULL && it->kind == ITEM_TEXT ? it->text : NULL;
}

int
old_view_has(const struct old_view *v, const char *key)
{
	const struct item *it = old_view_find(v, key);

	if (it == NULL)
		return 0;
	switch (it->kind) {
	case ITEM_TEXT:
	case ITEM_MARKDOWN:
		return it->text != NULL && it->text[0] != '\0';
	case ITEM_FLAG:
		return it->flag;
	case ITEM_LIST:
		return it->nlist > 0;
	}
	return 0;
}

static int
url_attr(const char *a)
{
	return strcmp(a, "href") == 0 || strcmp(a, "src") == 0 ||
	    strcmp(a, "action") == 0 || strcmp(a, "formaction") == 0 ||
	    strcmp(a, "poster") == 0 || strcmp(a, "cite") == 0;
}

static int
raw_text_element(xmlNodePtr n)
{
	return xmlStrcasecmp(n->name, BAD_CAST "script") == 0 ||
	    xmlStrcasecmp(n->name, BAD_CAST "style") == 0;
}

static int
void_element(xmlNodePtr n)
{
	static const char *const names[] = { "area", "base", "br", "col",
	    "embed", "hr", "img", "input", "link", "meta", "source", "track",
	    "wbr", NULL };
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (xmlStrcasecmp(n->name, BAD_CAST names[i]) == 0)
			return 1;
	return 0;
}

/* An attribute's value in the shared template, read without copying. */
static const char *
attr_text(xmlAttrPtr a)
{
	if (a->children == NULL || a->children->type != XML_TEXT_NODE ||
	    a->children->content == NULL)
		return NULL;
	return (const char *)a->children->content;
}

/*
 * Output.  The template trees are shared by every thread and never
 * changed after loading; a page is written by walking them, and every
 * value from a view goes through libxml2's escaper on the way out.
 */
struct out {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

static void
put(struct out *o, const char *s, size_t n)
{
	char *g;
	size_t cap;

	if (o->failed)
		return;
	if (o->len + n + 1 > o->cap) {
		cap = o->cap ? o->cap : 8192;
		while (cap < o->len + n + 1)
			cap *= 2;
		if ((g = realloc(o->p, cap)) == NULL) {
			o->failed = 1;
			return;
		}
		o->p = g;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Text or an attribute value: & < > " and CR become references. */
static void
put_escaped(struct out *o, const char *s)
{
	xmlChar *e;

	if (strpbrk(s, "&<>\"\r") == NULL) {
		put_str(o, s);
		return;
	}
	if ((e = xmlEncodeSpecialChars(NULL, BAD_CAST s)) == NULL) {
		o->failed = 1;
		return;
	}
	put_str(o, (const char *)e);
	xmlFree(e);
}

static void
put_attr(struct out *o, const char *name, const char *value)
{
	put(o, " ", 1);
	put_str(o, name);
	if (value == NULL)
		return;		/* a boolean attribute */
	put(o, "=\"", 2);
	put_escaped(o, value);
	put(o, "\"", 1);
}

/* The directives on one element, found in one pass over its attributes. */
struct directives {
	const char	*if_;
	const char	*unless;
	const char	*each;
	const char	*text;
	const char	*checked;
	const char	*value;
	const char	*add_class;
	const char	*attr_if;
	const char	*markdown;
};

/* What the enclosing <select data-value> wants selected. */
struct within {
	int		 select;
	const char	*want;
};

static int
directives_scan(xmlNodePtr n, struct directives *d)
{
	static const struct { const char *name; size_t off; } tab[] = {
		{ "data-if", offsetof(struct directives, if_) },
		{ "data-unless", offsetof(struct directives, unless) },
		{ "data-each", offsetof(struct directives, each) },
		{ "data-text", offsetof(struct directives, text) },
		{ "data-checked", offsetof(struct directives, checked) },
		{ "data-value", offsetof(struct directives, value) },
		{ "data-add-class", offsetof(struct directives, add_class) },
		{ "data-attr-if", offsetof(struct directives, attr_if) },
		{ "data-markdown", offsetof(struct directives, markdown) },
	};
	xmlAttrPtr a;
	size_t i;
	int any = 0;

	memset(d, 0, sizeof(*d));
	for (a = n->properties; a != NULL; a = a->next) {
		if (strncmp((const char *)a->name, "data-", 5) != 0)
			continue;
		any = 1;
		for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
			if (strcmp((const char *)a->name, tab[i].name) == 0) {
				const char *v = attr_text(a);

				*(const char **)((char *)d + tab[i].off) =
				    v != NULL ? v : "";
				break;
			}
	}
	return any;
}

/* The attribute a data-attr-if="ATTR VALUE KEY" sets, if its KEY holds. */
static int
attr_if_applies(const char *spec, const struct old_view *v, char *attr,
    size_t alen, const char **value, size_t *vlen)
{
	const char *s1 = strchr(spec, ' '), *s2 = strrchr(spec, ' ');

	if (s1 == NULL || s2 == s1 || !old_view_has(v, s2 + 1) ||
	    (size_t)(s1 - spec) >= alen)
		return 0;
	memcpy(attr, spec, (size_t)(s1 - spec));
	attr[s1 - spec] = '\0';
	*value = s1 + 1;
	*vlen = (size_t)(s2 - s1 - 1);
	return 1;
}

/* 1 when a data-set-NAME on n will give NAME a value. */
static int
set_by_view(xmlNodePtr n, const char *name, const struct old_view *v)
{
	xmlAttrPtr a;
	const char *key;

	for (a = n->properties; a != NULL; a = a->next)
		if (strncmp((const char *)a->name, "data-set-", 9) == 0 &&
		    strcmp((const char *)a->name + 9, name) == 0 &&
		    (key = attr_text(a)) != NULL && old_view_get(v, key) != NULL)
			return 1;
	return 0;
}

static void	render_children(struct out *, xmlNodePtr, const struct old_view *,
		    const struct within *);

static void
render_attrs(struct out *o, xmlNodePtr n, const struct directives *d,
    const struct old_view *v, const struct within *w)
{
	xmlAttrPtr a;
	const char *an, *val, *cls = NULL, *optval = NULL, *aiv = NULL;
	char aia[64] = "", *joined;
	size_t aivlen = 0;
	int option = w->select && xmlStrcasecmp(n->name, BAD_CAST "option") ==
	    0;

	if (d->attr_if != NULL && !attr_if_applies(d->attr_if, v, aia,
	    sizeof(aia), &aiv, &aivlen))
		aia[0] = '\0';
	for (a = n->properties; a != NULL; a = a->next) {
		an = (const char *)a->name;
		if (strncmp(an, "data-set-", 9) == 0) {
			an += 9;
			if ((val = old_view_get(v, attr_text(a) ? attr_text(a) :
			    "")) == NULL)
				continue;
			if (url_attr(an) && !util_url_safe(val)) {
				log_warn("refused unsafe URL for %s", an);
				val = "#";
			}
			if (option && strcmp(an, "value") == 0)
				optval = val;
			if (strcmp(an, "class") == 0)
				cls = val;
			else
				put_attr(o, an, val);
			continue;
		}
		/* data-label is a column name, not a directive: kept. */
		if (strncmp(an, "data-", 5) == 0 &&
		    strcmp(an, "data-label") != 0)
			continue;
		/* The view's and the directives' values win over the page's. */
		if (set_by_view(n, an, v) || strcmp(an, aia) == 0 ||
		    (d->checked != NULL && strcmp(an, "checked") == 0) ||
		    (option && strcmp(an, "selected") == 0))
			continue;
		if (option && strcmp(an, "value") == 0)
			optval = attr_text(a);
		if (strcmp(an, "class") == 0) {
			cls = attr_text(a);
			continue;
		}
		put_attr(o, an, attr_text(a));
	}
	if (d->add_class != NULL) {
		const char *sp = strchr(d->add_class, ' ');

		if (sp != NULL && old_view_has(v, sp + 1)) {
			joined = cls != NULL ? util_printf("%s %.*s", cls,
			    (int)(sp - d->add_class), d->add_class) :
			    strndup(d->add_class, (size_t)(sp - d->add_class));
			if (joined != NULL)
				put_attr(o, "class", joined);
			free(joined);
			cls = NULL;
		}
	}
	if (cls != NULL)
		put_attr(o, "class", cls);
	if (aia[0] != '\0') {
		char *value = strndup(aiv, aivlen);

		if (value != NULL)
			put_attr(o, aia, value);
		free(value);
	}
	if (d->checked != NULL && old_view_has(v, d->checked))
		put_attr(o, "checked", NULL);
	if (option && w->want != NULL && optval != NULL &&
	    strcmp(optval, w->want) == 0)
		put_attr(o, "selected", NULL);
}

static void
render_one(struct out *o, xmlNodePtr n, const struct directives *d,
    const struct old_view *v, const struct within *w)
{
	struct within inner = *w;
	const struct item *it;
	const char *val;

	if ((d->if_ != NULL && !old_view_has(v, d->if_)) ||
	    (d->unless != NULL && old_view_has(v, d->unless)))
		return;
	put(o, "<", 1);
	put_str(o, (const char *)n->name);
	render_attrs(o, n, d, v, w);
	put(o, ">", 1);
	if (void_element(n))
		return;
	if (d->markdown != NULL) {
		it = old_view_find(v, d->markdown);
		if (raw_text_element(n))
			log_err("data-markdown on <%s> refused", n->name);
		else if (it != NULL && it->kind == ITEM_MARKDOWN &&
		    it->text != NULL)
			put_str(o, it->text);	/* markdown_html()'s output */
	} else if (d->text != NULL) {
		val = old_view_get(v, d->text);
		if (raw_text_element(n))
			log_err("data-text on <%s> refused", n->name);
		else if (val != NULL)
			put_escaped(o, val);
	} else {
		if (d->value != NULL) {
			inner.select = 1;
			inner.want = old_view_get(v, d->value);
		}
		render_children(o, n, v, &inner);
	}
	put(o, "</", 2);
	put_str(o, (const char *)n->name);
	put(o, ">", 1);
}

static void
render_node(struct out *o, xmlNodePtr n, const struct old_view *v,
    const struct within *w)
{
	struct directives d;
	const struct item *it;
	size_t i;

	switch (n->type) {
	case XML_TEXT_NODE:
		if (n->content == NULL)
			break;
		/* Script and style text is the template's own, never a value. */
		if (n->parent != NULL && raw_text_element(n->parent))
			put_str(o, (const char *)n->content);
		else
			put_escaped(o, (const char *)n->content);
		break;
	case XML_DTD_NODE:
		put_str(o, "<!DOCTYPE html>\n");
		break;
	case XML_ELEMENT_NODE:
		if (!directives_scan(n, &d)) {
			memset(&d, 0, sizeof(d));
			render_one(o, n, &d, v, w);
			break;
		}
		if (d.each == NULL) {
			render_one(o, n, &d, v, w);
			break;
		}
		it = old_view_find(v, d.each);
		for (i = 0; it != NULL && it->kind == ITEM_LIST &&
		    i < it->nlist; i++)
			render_one(o, n, &d, it->list[i], w);
		break;
	default:
		break;	/* comments and the like are not sent */
	}
}

static void
render_children(struct out *o, xmlNodePtr parent, const struct old_view *v,
    const struct within *w)
{
	xmlNodePtr n;

	for (n = parent->children; n != NULL; n = n->next)
		render_node(o, n, v, w);
}

static xmlNodePtr
find_marked(xmlNodePtr n, const char *attr)
{
	xmlNodePtr hit;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlHasProp(n, BAD_CAST attr) != NULL)
			return n;
		if ((hit = find_marked(n->children, attr)) != NULL)
			return hit;
	}
	return NULL;
}

static xmlNodePtr
find_element(xmlNodePtr n, const char *name)
{
	xmlNodePtr hit;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcasecmp(n->name, BAD_CAST name) == 0)
			return n;
		if ((hit = find_element(n->children, name)) != NULL)
			return hit;
	}
	return NULL;
}

/*
 * Read into memory first: libxml2's loading of files by name goes
 * through the external entity loader, which the XML signature library
 * shuts for the whole process (no XXE anywhere).
 */
static htmlDocPtr
parse_file(const char *path)
{
	htmlDocPtr d = NULL;
	char *text;
	size_t len;

	if (util_read_file(path, &text, &len, 4 * 1024 * 1024) == 0) {
		d = htmlReadMemory(text, (int)len, path, "UTF-8",
		    HTML_PARSE_NONET | HTML_PARSE_NOERROR |
		    HTML_PARSE_NOWARNING);
		free(text);
	}
	if (d == NULL || xmlDocGetRootElement(d) == NULL) {
		log_err("%s: cannot parse", path);
		if (d != NULL)
			xmlFreeDoc(d);
		return NULL;
	}
	return d;
}

/*
 * Puts a page's <body> into a copy of the layout, after what the layout's
 * [data-content] element already holds (the error summary every form
 * page shares).
 */
static htmlDocPtr
compose(htmlDocPtr layout, htmlDocPtr page, const char *name)
{
	htmlDocPtr d;
	xmlNodePtr slot, body, c, copy;

	if ((d = xmlCopyDoc(layout, 1)) == NULL)
		return NULL;
	slot = find_marked(xmlDocGetRootElement(d), "data-content");
	body = find_element(xmlDocGetRootElement(page), "body");
	if (slot == NULL || body == NULL) {
		log_err("%s: no [data-content] in layout or no body", name);
		xmlFreeDoc(d);
		return NULL;
	}
	xmlUnsetProp(slot, BAD_CAST "data-content");
	for (c = body->children; c != NULL; c = c->next) {
		if ((copy = xmlDocCopyNode(c, d, 1)) != NULL)
			xmlAddChild(slot, copy);
	}
	return d;
}

/*
 * The loader's data-include (template.c), done the same way here so
 * that the two engines render the same documents: this file compares
 * rendering, not loading.
 */
static int
include_parts(htmlDocPtr d, const char *dir)
{
	xmlNodePtr n, body, c;
	htmlDocPtr part;
	xmlChar *want;
	char *path;

	while ((n = find_marked(xmlDocGetRootElement(d), "data-include")) !=
	    NULL) {
		want = xmlGetProp(n, BAD_CAST "data-include");
		path = util_printf("%s/parts/%s.html", dir, (const char *)want);
		xmlFree(want);
		part = path != NULL ? parse_file(path) : NULL;
		free(path);
		if (part == NULL || (body = find_element(
		    xmlDocGetRootElement(part), "body")) == NULL) {
			if (part != NULL)
				xmlFreeDoc(part);
			return -1;
		}
		while ((c = n->children) != NULL) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
		for (c = body->children; c != NULL; c = c->next)
			xmlAddChild(n, xmlDocCopyNode(c, d, 1));
		xmlFreeDoc(part);
		xmlUnsetProp(n, BAD_CAST "data-include");
	}
	return 0;
}

int
old_templates_load(const char *dir)
{
	DIR *dp;
	struct dirent *de;
	char *path;
	htmlDocPtr layout, page, d;
	size_t len;
	int rc = -1;

	xmlInitParser();
	if ((path = util_printf("%s/layout.html", dir)) == NULL)
		return -1;
	layout = parse_file(path);
	free(path);
	if (layout == NULL)
		return -1;
	if ((dp = opendir(dir)) == NULL) {
		log_err("%s: %s", dir, strerror(errno));
		xmlFreeDoc(layout);
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".html") != 0 ||
		    strcmp(de->d_name, "layout.html") == 0)
			continue;
		if ((path = util_printf("%s/%s", dir, de->d_name)) == NULL)
			goto out;
		page = parse_file(path);
		free(path);
		if (page == NULL)
			goto out;
		d = compose(layout, page, de->d_name);
		xmlFreeDoc(page);
		if (d == NULL)
			goto out;
		if (include_parts(d, dir) == -1) {
			xmlFreeDoc(d);
			goto out;
		}
		struct tmpl *grown = realloc(tmpls,
		    (ntmpls + 1) * sizeof(*tmpls));
		if (grown == NULL) {
			xmlFreeDoc(d);
			goto out;
		}
		tmpls = grown;
		tmpls[ntmpls].name = strndup(de->d_name, len - 5);
		tmpls[ntmpls].doc = d;
		ntmpls++;
	}
	rc = 0;
out:
	closedir(dp);
	xmlFreeDoc(layout);
	return rc;
}

void
old_templates_free(void)
{
	size_t i;

	for (i = 0; i < ntmpls; i++) {
		free(tmpls[i].name);
		xmlFreeDoc(tmpls[i].doc);
	}
	free(tmpls);
	tmpls = NULL;
	ntmpls = 0;
}

/* Renders template name with v into a malloc'd buffer. */
int
old_template_render(const char *name, const struct old_view *v, char **out,
    size_t *outlen)
{
	struct out o = { NULL, 0, 0, 0 };
	struct within w = { 0, NULL };
	size_t i;

	*out = NULL;
	for (i = 0; i < ntmpls; i++)
		if (strcmp(tmpls[i].name, name) == 0)
			break;
	if (i == ntmpls) {
		log_err("no template %s", name);
		return -1;
	}
	render_children(&o, (xmlNodePtr)tmpls[i].doc, v, &w);
	put(&o, "\n", 1);
	if (o.failed) {
		free(o.p);
		return -1;
	}
	*out = o.p;
	*outlen = o.len;
	return 0;
}
