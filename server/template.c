/*
 * HTML templates: files parsed once by libxml2's HTML parser, copied per
 * request, filled through data-* attributes and serialised by libxml2,
 * which escapes every text node and attribute value for its context.  No
 * HTML is ever put together from strings here, so a value cannot break
 * out of the place the template gave it.
 *
 *   data-text="k"        replace the element's content with the text of k
 *   data-set-ATTR="k"    set attribute ATTR to k (dropped when k is unset)
 *   data-if="k"          keep the element only when k is true
 *   data-unless="k"      keep the element only when k is false
 *   data-each="k"        repeat the element once per item of list k
 *   data-checked="k"     mark a checkbox checked when k is true
 *   data-value="k"       select the <option> whose value equals k
 *   data-add-class="c k" add class c when k is true
 *   data-attr-if="a v k" set attribute a to the literal v when k is true
 *
 * A page template's <body> goes into layout.html's [data-content] element.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "acorn.h"

enum item_kind { ITEM_TEXT, ITEM_FLAG, ITEM_LIST };

struct item {
	char		*key;
	enum item_kind	 kind;
	char		*text;
	int		 flag;
	struct view	**list;
	size_t		 nlist;
};

struct view {
	const struct view *parent;
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

struct view *
view_new(void)
{
	return calloc(1, sizeof(struct view));
}

void
view_free(struct view *v)
{
	size_t i, j;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		free(v->items[i].key);
		free(v->items[i].text);
		for (j = 0; j < v->items[i].nlist; j++)
			view_free(v->items[i].list[j]);
		free(v->items[i].list);
	}
	free(v->items);
	free(v);
}

static struct item *
view_slot(struct view *v, const char *key, enum item_kind kind)
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
view_set(struct view *v, const char *key, const char *text)
{
	struct item *it;

	if ((it = view_slot(v, key, ITEM_TEXT)) == NULL)
		return;
	free(it->text);
	it->text = text ? strdup(text) : NULL;
}

void
view_setf(struct view *v, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *p;
	struct item *it;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) == -1)
		p = NULL;
	va_end(ap);
	if (p == NULL || (it = view_slot(v, key, ITEM_TEXT)) == NULL) {
		free(p);
		return;
	}
	free(it->text);
	it->text = p;
}

void
view_flag(struct view *v, const char *key, int on)
{
	struct item *it;

	if ((it = view_slot(v, key, ITEM_FLAG)) != NULL)
		it->flag = on != 0;
}

/* Appends an item to list key; lookups inside it fall back to v. */
struct view *
view_add(struct view *v, const char *key)
{
	struct item *it;
	struct view *child, **p;

	if ((it = view_slot(v, key, ITEM_LIST)) == NULL)
		return NULL;
	if ((child = view_new()) == NULL)
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
view_find(const struct view *v, const char *key)
{
	size_t i;

	for (; v != NULL; v = v->parent)
		for (i = 0; i < v->n; i++)
			if (strcmp(v->items[i].key, key) == 0)
				return &v->items[i];
	return NULL;
}

const char *
view_get(const struct view *v, const char *key)
{
	const struct item *it = view_find(v, key);

	return it != NULL && it->kind == ITEM_TEXT ? it->text : NULL;
}

int
view_has(const struct view *v, const char *key)
{
	const struct item *it = view_find(v, key);

	if (it == NULL)
		return 0;
	switch (it->kind) {
	case ITEM_TEXT:
		return it->text != NULL && it->text[0] != '\0';
	case ITEM_FLAG:
		return it->flag;
	case ITEM_LIST:
		return it->nlist > 0;
	}
	return 0;
}

/*
 * Only these schemes may appear in a URL attribute, so a value such as
 * "javascript:..." can never become a link.
 */
static int
url_safe(const char *u)
{
	const char *p;

	for (p = u; *p != '\0' && *p != '/' && *p != '?' && *p != '#'; p++)
		if (*p == ':')
			return strncasecmp(u, "http:", 5) == 0 ||
			    strncasecmp(u, "https:", 6) == 0 ||
			    strncasecmp(u, "mailto:", 7) == 0;
	return 1;
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

static char *
take_attr(xmlNodePtr n, const char *name)
{
	xmlAttrPtr a;
	xmlChar *v;
	char *s;

	if ((a = xmlHasProp(n, BAD_CAST name)) == NULL)
		return NULL;
	v = xmlNodeGetContent((xmlNodePtr)a);
	xmlRemoveProp(a);
	s = strdup(v ? (const char *)v : "");
	xmlFree(v);
	return s;
}

static void	fill_children(xmlNodePtr, const struct view *);

static void
select_option(xmlNodePtr sel, const char *want)
{
	xmlNodePtr o;
	xmlChar *v;

	for (o = sel->children; o != NULL; o = o->next) {
		if (o->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcasecmp(o->name, BAD_CAST "optgroup") == 0) {
			select_option(o, want);
			continue;
		}
		if (xmlStrcasecmp(o->name, BAD_CAST "option") != 0)
			continue;
		v = xmlGetProp(o, BAD_CAST "value");
		xmlUnsetProp(o, BAD_CAST "selected");
		if (v != NULL && want != NULL && strcmp((char *)v, want) == 0)
			xmlSetProp(o, BAD_CAST "selected", BAD_CAST "selected");
		xmlFree(v);
	}
}

/* "CLASS KEY": appends CLASS to the class attribute when KEY is true. */
static void
add_class(xmlNodePtr n, const char *spec, const struct view *v)
{
	const char *sp = strchr(spec, ' ');
	xmlChar *old;
	char *cls, *joined;

	if (sp == NULL || !view_has(v, sp + 1))
		return;
	if ((cls = strndup(spec, (size_t)(sp - spec))) == NULL)
		return;
	old = xmlGetProp(n, BAD_CAST "class");
	joined = old != NULL ? util_printf("%s %s", (char *)old, cls) : cls;
	if (joined != NULL)
		xmlSetProp(n, BAD_CAST "class", BAD_CAST joined);
	if (joined != cls)
		free(joined);
	free(cls);
	xmlFree(old);
}

/* "ATTR VALUE KEY": sets ATTR to the template's own VALUE when KEY is true. */
static void
attr_if(xmlNodePtr n, const char *spec, const struct view *v)
{
	const char *s1 = strchr(spec, ' '), *s2;
	char *attr, *val;

	if (s1 == NULL || (s2 = strrchr(spec, ' ')) == s1 ||
	    !view_has(v, s2 + 1))
		return;
	attr = strndup(spec, (size_t)(s1 - spec));
	val = strndup(s1 + 1, (size_t)(s2 - s1 - 1));
	if (attr != NULL && val != NULL)
		xmlSetProp(n, BAD_CAST attr, BAD_CAST val);
	free(attr);
	free(val);
}

/* Fills one element; returns 1 when a condition removed it. */
static int
fill_element(xmlNodePtr n, const struct view *v)
{
	xmlAttrPtr a, next;
	xmlNodePtr t;
	char *k, *sel;
	const char *val;
	int keep;

	/* Most elements carry no directive: skip the lookups for them. */
	for (a = n->properties; a != NULL; a = a->next)
		if (strncmp((const char *)a->name, "data-", 5) == 0)
			break;
	if (a == NULL) {
		fill_children(n, v);
		return 0;
	}
	if ((k = take_attr(n, "data-if")) != NULL) {
		keep = view_has(v, k);
		free(k);
		if (!keep)
			return 1;
	}
	if ((k = take_attr(n, "data-unless")) != NULL) {
		keep = !view_has(v, k);
		free(k);
		if (!keep)
			return 1;
	}
	for (a = n->properties; a != NULL; a = next) {
		const char *an = (const char *)a->name;
		char *key;
		xmlChar *kv;

		next = a->next;
		if (strncmp(an, "data-set-", 9) != 0)
			continue;
		kv = xmlNodeGetContent((xmlNodePtr)a);
		key = strdup(kv ? (const char *)kv : "");
		xmlFree(kv);
		an += 9;
		val = key ? view_get(v, key) : NULL;
		if (val != NULL && url_attr(an) && !url_safe(val)) {
			log_warn("refused unsafe URL for %s", an);
			val = "#";
		}
		if (val != NULL)
			xmlSetProp(n, BAD_CAST an, BAD_CAST val);
		free(key);
		xmlRemoveProp(a);
	}
	if ((k = take_attr(n, "data-checked")) != NULL) {
		if (view_has(v, k))
			xmlSetProp(n, BAD_CAST "checked", BAD_CAST "checked");
		else
			xmlUnsetProp(n, BAD_CAST "checked");
		free(k);
	}
	if ((k = take_attr(n, "data-add-class")) != NULL) {
		add_class(n, k, v);
		free(k);
	}
	if ((k = take_attr(n, "data-attr-if")) != NULL) {
		attr_if(n, k, v);
		free(k);
	}
	if ((k = take_attr(n, "data-text")) != NULL) {
		val = view_get(v, k);
		free(k);
		if (raw_text_element(n)) {
			log_err("data-text on <%s> refused", n->name);
			val = NULL;
		}
		while ((t = n->children) != NULL) {
			xmlUnlinkNode(t);
			xmlFreeNode(t);
		}
		/* xmlNewDocText keeps the bytes as text: no entity parsing. */
		if (val != NULL && (t = xmlNewDocText(n->doc,
		    BAD_CAST val)) != NULL)
			xmlAddChild(n, t);
		return 0;
	}
	sel = take_attr(n, "data-value");
	fill_children(n, v);
	/* After the children: the options may come from a data-each. */
	if (sel != NULL) {
		select_option(n, view_get(v, sel));
		free(sel);
	}
	return 0;
}

static void
fill_children(xmlNodePtr parent, const struct view *v)
{
	xmlNodePtr n, next, copy;
	const struct item *it;
	char *k;
	size_t i;

	for (n = parent->children; n != NULL; n = next) {
		next = n->next;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if ((k = take_attr(n, "data-each")) != NULL) {
			it = view_find(v, k);
			free(k);
			for (i = 0; it != NULL && it->kind == ITEM_LIST &&
			    i < it->nlist; i++) {
				copy = xmlDocCopyNode(n, n->doc, 1);
				if (copy == NULL)
					break;
				xmlAddPrevSibling(n, copy);
				if (fill_element(copy, it->list[i])) {
					xmlUnlinkNode(copy);
					xmlFreeNode(copy);
				}
			}
			xmlUnlinkNode(n);
			xmlFreeNode(n);
			continue;
		}
		if (fill_element(n, v)) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
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

static htmlDocPtr
parse_file(const char *path)
{
	htmlDocPtr d;

	d = htmlReadFile(path, "UTF-8", HTML_PARSE_NONET |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	if (d == NULL || xmlDocGetRootElement(d) == NULL) {
		log_err("%s: cannot parse", path);
		if (d != NULL)
			xmlFreeDoc(d);
		return NULL;
	}
	return d;
}

/* Puts a page's <body> into a copy of the layout. */
static htmlDocPtr
compose(htmlDocPtr layout, htmlDocPtr page, const char *name)
{
	htmlDocPtr d;
	xmlNodePtr slot, body, c, copy, t;

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
	while ((t = slot->children) != NULL) {
		xmlUnlinkNode(t);
		xmlFreeNode(t);
	}
	for (c = body->children; c != NULL; c = c->next) {
		if ((copy = xmlDocCopyNode(c, d, 1)) != NULL)
			xmlAddChild(slot, copy);
	}
	return d;
}

int
templates_load(const char *dir)
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
		struct tmpl *grown = realloc(tmpls,
		    (ntmpls + 1) * sizeof(*tmpls));
		if (grown == NULL) {
			xmlFreeDoc(d);
			goto out;
		}
		tmpls = grown;
		/* Declared UTF-8, so text is written as text, not entities. */
		xmlFree((xmlChar *)d->encoding);
		d->encoding = xmlStrdup(BAD_CAST "UTF-8");
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
templates_free(void)
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
template_render(const char *name, const struct view *v, char **out,
    size_t *outlen)
{
	htmlDocPtr d = NULL;
	xmlOutputBufferPtr ob;
	const xmlChar *mem;
	size_t i, size;
	int rc = -1;

	*out = NULL;
	for (i = 0; i < ntmpls; i++)
		if (strcmp(tmpls[i].name, name) == 0)
			break;
	if (i == ntmpls) {
		log_err("no template %s", name);
		return -1;
	}
	if ((d = xmlCopyDoc(tmpls[i].doc, 1)) == NULL)
		return -1;
	fill_children((xmlNodePtr)d, v);
	ob = xmlAllocOutputBuffer(NULL);
	if (ob == NULL) {
		xmlFreeDoc(d);
		return -1;
	}
	htmlDocContentDumpFormatOutput(ob, d, "UTF-8", 0);
	xmlOutputBufferFlush(ob);
	mem = xmlOutputBufferGetContent(ob);
	size = xmlOutputBufferGetSize(ob);
	if (mem != NULL && size > 0 && (*out = malloc(size + 1)) != NULL) {
		memcpy(*out, mem, size);
		(*out)[size] = '\0';
		*outlen = size;
		rc = 0;
	}
	xmlOutputBufferClose(ob);
	xmlFreeDoc(d);
	return rc;
}
