/*
 * HTML templates: files parsed once by libxml2's HTML parser, each page
 * put into the layout and compiled at load into a flat list of ops
 * (runs of ready-made markup and holes for the view's values); a page is
 * written by running down that list with a view into one growing
 * buffer.  Every value from the view is escaped as it goes into the
 * buffer, and values only ever land in the text or attribute a template
 * gave them.  No HTML is put together from strings, so a value cannot
 * break out of its place.
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
 *   data-markdown="k"    replace the element's content with the HTML that
 *                        view_markdown() made from a member's CommonMark
 *
 * data-label="Name" is no directive but a table cell's column name,
 * which the stylesheet shows above the value when a table's rows become
 * cards on a phone: it is written out as it stands (data-set-data-label
 * gives one from the view).
 *
 * data-markdown is the one way HTML that is not the template's own gets
 * into a page, and it takes only what view_markdown() stored: that HTML
 * comes from markdown_html(), which drops raw HTML and unsafe links.
 * view_set() text put in a data-markdown element shows nothing.
 *
 * A page template's <body> goes into layout.html's [data-content] element.
 * data-include="name" fills an element, when the templates load, with the
 * <body> of parts/name.html: markup several pages share (a chart and its
 * table) is written once.  Parts do not include others.
 *
 * A view and everything put into it (its lists' items, their texts) live
 * in one arena that view_free() gives back at once: a request makes one
 * allocation for its view in the common case, not one per value.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "web.h"

/* Views. */

enum item_kind { ITEM_TEXT, ITEM_FLAG, ITEM_LIST, ITEM_MARKDOWN };

struct item {
	const char	*key;
	uint32_t	 hash;		/* of key: compared before the bytes */
	uint8_t		 kind;		/* enum item_kind */
	uint8_t		 flag;
	uint32_t	 nlist;
	uint32_t	 listcap;
	char		*text;		/* ITEM_MARKDOWN: the rendered HTML */
	struct view	**list;
};

struct arena_block {
	struct arena_block *next;
};

struct arena {
	struct arena_block *blocks;
	char		*p;		/* the free part of the newest block */
	size_t		 left;
	size_t		 last;		/* the newest block's size */
};

struct view {
	const struct view *parent;
	struct arena	*arena;		/* the top view's, shared by its items */
	struct item	*items;
	uint32_t	 n;
	uint32_t	 cap;
	uint16_t	*index;		/* items by hash, once there are many */
	uint32_t	 mask;		/* the index's size less one */
};

/* Fewer items than this are looked up by a scan of their hashes. */
#define INDEX_FROM	16
#define INDEX_EMPTY	UINT16_MAX

/*
 * A page's view with its layout's keys and a list of twenty takes about
 * 8 KB; the first block holds that, and later ones double.
 */
#define ARENA_FIRST	(12 * 1024)
#define ARENA_ALIGN	16

static void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b;
	size_t size;
	void *p;

	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (n > a->left) {
		size = a->last * 2;
		while (size < n + ARENA_ALIGN)
			size *= 2;
		if ((b = malloc(size)) == NULL)
			return NULL;
		b->next = a->blocks;
		a->blocks = b;
		a->p = (char *)b + ARENA_ALIGN;
		a->left = size - ARENA_ALIGN;
		a->last = size;
	}
	p = a->p;
	a->p += n;
	a->left -= n;
	return p;
}

static char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if ((p = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* FNV-1a: keys are short, and the templates hash theirs once at load. */
static uint32_t
key_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct view *
view_new(void)
{
	struct arena_block *b;
	struct arena *a;
	struct view *v;

	if ((b = malloc(ARENA_FIRST)) == NULL)
		return NULL;
	b->next = NULL;
	a = (struct arena *)((char *)b + ARENA_ALIGN);
	a->blocks = b;
	a->p = (char *)b + ARENA_ALIGN;
	a->left = ARENA_FIRST - ARENA_ALIGN;
	a->last = ARENA_FIRST;
	a->p += ARENA_ALIGN * ((sizeof(*a) + ARENA_ALIGN - 1) / ARENA_ALIGN);
	a->left -= ARENA_ALIGN * ((sizeof(*a) + ARENA_ALIGN - 1) /
	    ARENA_ALIGN);
	if ((v = arena_alloc(a, sizeof(*v))) == NULL) {
		free(b);
		return NULL;
	}
	memset(v, 0, sizeof(*v));
	v->arena = a;
	return v;
}

/*
 * Frees a top view with all its items; an item of a list belongs to the
 * top view's arena, so freeing one alone does nothing.
 */
void
view_free(struct view *v)
{
	struct arena_block *b, *next;

	if (v == NULL || v->parent != NULL)
		return;
	for (b = v->arena->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
}

static struct item *
view_lookup(const struct view *v, const char *key, uint32_t h)
{
	struct item *it, *end;
	uint32_t i;

	if (v->index != NULL) {
		for (i = h & v->mask; v->index[i] != INDEX_EMPTY;
		    i = (i + 1) & v->mask) {
			it = &v->items[v->index[i]];
			if (it->hash == h && strcmp(it->key, key) == 0)
				return it;
		}
		return NULL;
	}
	for (it = v->items, end = it + v->n; it < end; it++)
		if (it->hash == h && strcmp(it->key, key) == 0)
			return it;
	return NULL;
}

/* Files item i in the index, which has room for it. */
static void
index_put(struct view *v, uint32_t i)
{
	uint32_t j;

	for (j = v->items[i].hash & v->mask; v->index[j] != INDEX_EMPTY;
	    j = (j + 1) & v->mask)
		;
	v->index[j] = (uint16_t)i;
}

/* An index at most half full, for cap items: made again as v grows. */
static int
index_make(struct view *v, uint32_t cap)
{
	uint32_t size = 16, i;

	while (size < cap * 2)
		size *= 2;
	if (size > INDEX_EMPTY || (v->index = arena_alloc(v->arena,
	    size * sizeof(*v->index))) == NULL) {
		v->index = NULL;	/* scanned instead */
		return -1;
	}
	memset(v->index, 0xff, size * sizeof(*v->index));
	v->mask = size - 1;
	for (i = 0; i < v->n; i++)
		index_put(v, i);
	return 0;
}

/*
 * The item for key in v itself, made if it is new; NULL when key already
 * holds a list and kind is not one (a list is never turned into a value).
 */
static struct item *
view_slot(struct view *v, const char *key, enum item_kind kind)
{
	uint32_t h = key_hash(key);
	struct item *it, *grown;
	uint32_t cap;

	if ((it = view_lookup(v, key, h)) != NULL) {
		if (it->kind != kind && it->kind != ITEM_LIST) {
			it->text = NULL;
			it->kind = kind;
		}
		return it->kind == kind ? it : NULL;
	}
	if (v->n == v->cap) {
		cap = v->cap ? v->cap * 2 : 8;
		if ((grown = arena_alloc(v->arena, cap * sizeof(*grown))) ==
		    NULL)
			return NULL;
		if (v->n > 0)
			memcpy(grown, v->items, v->n * sizeof(*grown));
		v->items = grown;
		v->cap = cap;
		if (cap >= INDEX_FROM)
			index_make(v, cap);
	}
	it = &v->items[v->n];
	memset(it, 0, sizeof(*it));
	if ((it->key = arena_strndup(v->arena, key, strlen(key))) == NULL)
		return NULL;
	it->hash = h;
	it->kind = kind;
	if (v->index != NULL)
		index_put(v, v->n);
	v->n++;
	return it;
}

void
view_set(struct view *v, const char *key, const char *text)
{
	struct item *it;

	if ((it = view_slot(v, key, ITEM_TEXT)) == NULL)
		return;
	it->text = text != NULL ? arena_strndup(v->arena, text,
	    strlen(text)) : NULL;
}

void
view_setf(struct view *v, const char *key, const char *fmt, ...)
{
	va_list ap;
	char small[256], *p;
	struct item *it;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0 || (it = view_slot(v, key, ITEM_TEXT)) == NULL)
		return;
	if ((size_t)n < sizeof(small)) {
		it->text = arena_strndup(v->arena, small, (size_t)n);
		return;
	}
	if ((p = arena_alloc(v->arena, (size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	it->text = p;
}

void
view_flag(struct view *v, const char *key, int on)
{
	struct item *it;

	if ((it = view_slot(v, key, ITEM_FLAG)) != NULL)
		it->flag = on != 0;
}

/*
 * Renders a member's CommonMark text for a data-markdown element; top is
 * the level its "#" headings get (2 below a page's <h1>).
 */
void
view_markdown(struct view *v, const char *key, const char *text, int top)
{
	struct item *it;
	char *html = NULL;

	if ((it = view_slot(v, key, ITEM_MARKDOWN)) == NULL)
		return;
	if (text != NULL && (html = markdown_html(text, top)) == NULL)
		log_err("cannot render %s", key);
	it->text = html != NULL ? arena_strndup(v->arena, html,
	    strlen(html)) : NULL;
	free(html);
}

/* Appends an item to list key; lookups inside it fall back to v. */
struct view *
view_add(struct view *v, const char *key)
{
	struct item *it;
	struct view *child, **grown;
	uint32_t cap;

	if ((it = view_slot(v, key, ITEM_LIST)) == NULL)
		return NULL;
	if (it->nlist == it->listcap) {
		cap = it->listcap ? it->listcap * 2 : 8;
		if ((grown = arena_alloc(v->arena, cap * sizeof(*grown))) ==
		    NULL)
			return NULL;
		if (it->nlist > 0)
			memcpy(grown, it->list, it->nlist * sizeof(*grown));
		it->list = grown;
		it->listcap = cap;
	}
	if ((child = arena_alloc(v->arena, sizeof(*child))) == NULL)
		return NULL;
	memset(child, 0, sizeof(*child));
	child->parent = v;
	child->arena = v->arena;
	it->list[it->nlist++] = child;
	return child;
}

/* The first item named key in v or the views it falls back to. */
static const struct item *
view_find(const struct view *v, const char *key, uint32_t h)
{
	const struct item *it;

	for (; v != NULL; v = v->parent)
		if ((it = view_lookup(v, key, h)) != NULL)
			return it;
	return NULL;
}

static const char *
item_text(const struct item *it)
{
	return it != NULL && it->kind == ITEM_TEXT ? it->text : NULL;
}

static int
item_true(const struct item *it)
{
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

const char *
view_get(const struct view *v, const char *key)
{
	return item_text(view_find(v, key, key_hash(key)));
}

int
view_has(const struct view *v, const char *key)
{
	return item_true(view_find(v, key, key_hash(key)));
}

/*
 * Compiled templates.  A template is a list of ops run from the first to
 * the last; literal runs point into the template's pool of ready-made
 * markup, jumps are op indices.  Keys are hashed once, here.
 */

enum op_kind {
	OP_LIT,		/* pool[a, a + b) */
	OP_TEXT,	/* key's text, escaped */
	OP_MARKDOWN,	/* key's markdown_html() output as it stands */
	OP_IF,		/* unless key is true, go to a */
	OP_UNLESS,	/* if key is true, go to a */
	OP_EACH,	/* list key at depth b: go to a when it has no items */
	OP_NEXT,	/* the next item at depth b, back to a; past the last on */
	OP_ATTRS,	/* an element's attributes that depend on the view: a */
	OP_SELECT,	/* slot a: key's text, what its options compare with */
};

struct tkey {
	const char	*name;		/* in the template's strings */
	uint32_t	 hash;
};

#define NOKEY	UINT32_MAX

struct op {
	uint8_t		 kind;		/* enum op_kind */
	uint32_t	 key;		/* index into the template's keys */
	uint32_t	 a;
	uint32_t	 b;
};

/* One attribute of an element with directives, in the element's order. */
enum part_kind {
	PART_LIT,	/* the template's own, always written */
	PART_LIT_UNLESS, /* the template's own, unless key or aif gives one */
	PART_SET,	/* data-set-NAME: name, then key's text if it has one */
};

struct part {
	uint8_t		 kind;		/* enum part_kind */
	uint8_t		 url;		/* NAME is a URL: unsafe ones refused */
	uint32_t	 key;
	uint32_t	 aif;		/* PART_LIT_UNLESS: data-attr-if's key */
	uint32_t	 off;		/* pool: ' name="value"' or ' name' */
	uint32_t	 len;
	const char	*name;		/* PART_SET: for the log */
};

/*
 * class, and an <option>'s value: data-set-NAME's text when the view has
 * it, else the template's own unless data-attr-if replaces it.
 */
struct resolved {
	uint32_t	 set;		/* data-set-NAME's key, or NOKEY */
	uint32_t	 aif;		/* data-attr-if's key when it names NAME */
	int		 present;	/* the template gives NAME */
	const char	*text;		/* its value (NULL: no value) */
};

struct attrs {
	struct part	*parts;
	uint32_t	 nparts;
	struct resolved	 cls;
	uint32_t	 add_key;	/* data-add-class's key, or NOKEY */
	const char	*add_class;	/* and its class */
	uint32_t	 aif_key;	/* data-attr-if's key, or NOKEY */
	uint32_t	 aif_off;	/* pool: ' a="v"' */
	uint32_t	 aif_len;
	uint32_t	 checked;	/* data-checked's key, or NOKEY */
	int		 option;	/* an <option> inside a data-value */
	uint32_t	 slot;		/* that data-value's slot */
	struct resolved	 value;
};

/* How deep data-each and data-value elements may nest in a template. */
#define MAX_DEPTH	16

struct tmpl {
	char		*name;
	struct op	*ops;
	uint32_t	 nops;
	char		*pool;
	size_t		 literal;	/* bytes of ready-made markup in all */
	struct tkey	*keys;
	uint32_t	 nkeys;
	struct attrs	*attrs;
	uint32_t	 nattrs;
	char		**strings;	/* names and values the ops point to */
	size_t		 nstrings;
};

static struct tmpl	*tmpls;		/* sorted by name */
static size_t		 ntmpls;

static int
url_attr(const char *a)
{
	static const char *const names[] = { "href", "src", "action",
	    "formaction", "poster", "cite", NULL };
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(a, names[i]) == 0)
			return 1;
	return 0;
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

/* An attribute's value in the parsed template, read without copying. */
static const char *
attr_text(xmlAttrPtr a)
{
	if (a->children == NULL || a->children->type != XML_TEXT_NODE ||
	    a->children->content == NULL)
		return NULL;
	return (const char *)a->children->content;
}

/*
 * Output: one buffer per page, sized at the start from the template's
 * literal bytes, growing by doubling.  Values are escaped straight into
 * it: & < > " and CR become references, as libxml2's
 * xmlEncodeSpecialChars writes them.
 */
static inline void
put(struct strbuf *o, const char *s, size_t n)
{
	if (o->cap - o->len > n) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
	} else
		strbuf_add(o, s, n);
}

static void
put_escaped(struct strbuf *o, const char *s)
{
	size_t n;

	for (;;) {
		/* Most values have nothing to escape: one copy. */
		n = strcspn(s, "&<>\"\r");
		put(o, s, n);
		s += n;
		switch (*s) {
		case '\0':
			return;
		case '&':
			put(o, "&amp;", 5);
			break;
		case '<':
			put(o, "&lt;", 4);
			break;
		case '>':
			put(o, "&gt;", 4);
			break;
		case '"':
			put(o, "&quot;", 6);
			break;
		default:
			put(o, "&#13;", 5);
			break;
		}
		s++;
	}
}

static void
put_attr(struct strbuf *o, const char *name, const char *value)
{
	put(o, " ", 1);
	put(o, name, strlen(name));
	if (value == NULL)
		return;		/* a boolean attribute */
	put(o, "=\"", 2);
	put_escaped(o, value);
	put(o, "\"", 1);
}

/* The compiler's state for one template. */
struct compiler {
	struct tmpl	*t;
	struct strbuf	 pool;
	uint32_t	 capops;
	uint32_t	 capkeys;
	uint32_t	 capattrs;
	size_t		 capstrings;
	int		 barrier;	/* a jump lands here: start a new run */
	int		 depth;		/* data-each nesting */
	int		 slots;		/* data-value nesting */
	int		 failed;
	const char	*file;
};

static const char *
keep_string(struct compiler *c, const char *s, size_t n)
{
	struct tmpl *t = c->t;
	char **grown, *p;
	size_t cap;

	if (t->nstrings == c->capstrings) {
		cap = c->capstrings ? c->capstrings * 2 : 64;
		if ((grown = realloc(t->strings, cap * sizeof(*grown))) ==
		    NULL) {
			c->failed = 1;
			return "";
		}
		t->strings = grown;
		c->capstrings = cap;
	}
	if ((p = strndup(s, n)) == NULL) {
		c->failed = 1;
		return "";
	}
	t->strings[t->nstrings++] = p;
	return p;
}

/* The index of key in the template's keys, added the first time. */
static uint32_t
intern(struct compiler *c, const char *name, size_t n)
{
	struct tmpl *t = c->t;
	struct tkey *grown;
	uint32_t i, cap;

	for (i = 0; i < t->nkeys; i++)
		if (strncmp(t->keys[i].name, name, n) == 0 &&
		    t->keys[i].name[n] == '\0')
			return i;
	if (t->nkeys == c->capkeys) {
		cap = c->capkeys ? c->capkeys * 2 : 32;
		if ((grown = realloc(t->keys, cap * sizeof(*grown))) == NULL) {
			c->failed = 1;
			return 0;
		}
		t->keys = grown;
		c->capkeys = cap;
	}
	t->keys[t->nkeys].name = keep_string(c, name, n);
	t->keys[t->nkeys].hash = key_hash(t->keys[t->nkeys].name);
	return t->nkeys++;
}

static uint32_t
intern_str(struct compiler *c, const char *name)
{
	return intern(c, name, strlen(name));
}

static uint32_t
emit(struct compiler *c, enum op_kind kind, uint32_t key, uint32_t a,
    uint32_t b)
{
	struct tmpl *t = c->t;
	struct op *grown;
	uint32_t cap;

	if (t->nops == c->capops) {
		cap = c->capops ? c->capops * 2 : 64;
		if ((grown = realloc(t->ops, cap * sizeof(*grown))) == NULL) {
			c->failed = 1;
			return 0;
		}
		t->ops = grown;
		c->capops = cap;
	}
	t->ops[t->nops].kind = kind;
	t->ops[t->nops].key = key;
	t->ops[t->nops].a = a;
	t->ops[t->nops].b = b;
	return t->nops++;
}

/* Where the next op goes, as a jump's target: no run continues past it. */
static uint32_t
here(struct compiler *c)
{
	c->barrier = 1;
	return c->t->nops;
}

/* Markup that never changes: added to the run before it when it can. */
static void
lit(struct compiler *c, const char *s, size_t n)
{
	struct tmpl *t = c->t;
	struct op *last;
	size_t off = c->pool.len;

	if (n == 0)
		return;
	strbuf_add(&c->pool, s, n);
	t->literal += n;
	last = t->nops > 0 ? &t->ops[t->nops - 1] : NULL;
	if (!c->barrier && last != NULL && last->kind == OP_LIT &&
	    last->a + last->b == off)
		last->b += (uint32_t)n;
	else
		emit(c, OP_LIT, NOKEY, (uint32_t)off, (uint32_t)n);
	c->barrier = 0;
}

static void
lit_str(struct compiler *c, const char *s)
{
	lit(c, s, strlen(s));
}

/* Template text, escaped once here rather than on every page. */
static void
lit_escaped(struct compiler *c, const char *s)
{
	struct strbuf b = { NULL, 0, 0, 0 };

	put_escaped(&b, s);
	if (b.failed)
		c->failed = 1;
	else if (b.len > 0)
		lit(c, b.p, b.len);
	free(b.p);
}

static void
lit_attr(struct compiler *c, const char *name, const char *value)
{
	struct strbuf b = { NULL, 0, 0, 0 };

	put_attr(&b, name, value);
	if (b.failed)
		c->failed = 1;
	else
		lit(c, b.p, b.len);
	free(b.p);
}

/* Bytes in the pool that no literal op writes, found by offset. */
static uint32_t
pool_add(struct compiler *c, const char *name, const char *value,
    uint32_t *len)
{
	size_t off = c->pool.len;

	put_attr(&c->pool, name, value);
	*len = (uint32_t)(c->pool.len - off);
	return (uint32_t)off;
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
	int		 set;		/* has a data-set-NAME */
};

static void
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

	memset(d, 0, sizeof(*d));
	for (a = n->properties; a != NULL; a = a->next) {
		if (strncmp((const char *)a->name, "data-", 5) != 0)
			continue;
		if (strncmp((const char *)a->name, "data-set-", 9) == 0)
			d->set = 1;
		for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
			if (strcmp((const char *)a->name, tab[i].name) == 0) {
				const char *v = attr_text(a);

				*(const char **)((char *)d + tab[i].off) =
				    v != NULL ? v : "";
				break;
			}
	}
}

/* The data-set-NAME attribute on n, if any. */
static xmlAttrPtr
set_attr(xmlNodePtr n, const char *name)
{
	xmlAttrPtr a;

	for (a = n->properties; a != NULL; a = a->next)
		if (strncmp((const char *)a->name, "data-set-", 9) == 0 &&
		    strcmp((const char *)a->name + 9, name) == 0)
			return a;
	return NULL;
}

/* What overrides the template's own attribute name: data-set-NAME. */
static uint32_t
set_key(struct compiler *c, xmlNodePtr n, const char *name)
{
	xmlAttrPtr a = set_attr(n, name);

	return a != NULL && attr_text(a) != NULL ?
	    intern_str(c, attr_text(a)) : NOKEY;
}

/*
 * data-attr-if="ATTR VALUE KEY": the attribute it names and its key, or
 * none when the spec has not its three parts.
 */
static int
attr_if_parse(const char *spec, size_t *alen, const char **value,
    size_t *vlen, const char **key)
{
	const char *s1 = strchr(spec, ' '), *s2 = strrchr(spec, ' ');

	if (s1 == NULL || s2 == s1 || (size_t)(s1 - spec) >= 64)
		return 0;
	*alen = (size_t)(s1 - spec);
	*value = s1 + 1;
	*vlen = (size_t)(s2 - s1 - 1);
	*key = s2 + 1;
	return 1;
}

static void
resolve_init(struct compiler *c, xmlNodePtr n, const char *name,
    const char *aif_name, uint32_t aif_key, struct resolved *r)
{
	xmlAttrPtr a;

	memset(r, 0, sizeof(*r));
	r->set = set_key(c, n, name);
	r->aif = aif_name != NULL && strcmp(aif_name, name) == 0 ? aif_key :
	    NOKEY;
	for (a = n->properties; a != NULL; a = a->next)
		if (strcmp((const char *)a->name, name) == 0) {
			r->present = 1;
			r->text = attr_text(a) != NULL ?
			    keep_string(c, attr_text(a),
			    strlen(attr_text(a))) : NULL;
		}
}

/* An element's attributes that depend on the view, as one op. */
static void
compile_attrs(struct compiler *c, xmlNodePtr n, const struct directives *d,
    int option, int slot)
{
	struct tmpl *t = c->t;
	struct attrs *at, *grown;
	struct part *p;
	xmlAttrPtr a;
	const char *an, *aiv = NULL, *aik = NULL, *sp;
	char aia[64] = "";
	size_t alen = 0, aivlen = 0, nattr = 0;
	uint32_t cap, aif_key = NOKEY;

	if (t->nattrs == c->capattrs) {
		cap = c->capattrs ? c->capattrs * 2 : 16;
		if ((grown = realloc(t->attrs, cap * sizeof(*grown))) == NULL) {
			c->failed = 1;
			return;
		}
		t->attrs = grown;
		c->capattrs = cap;
	}
	at = &t->attrs[t->nattrs];
	memset(at, 0, sizeof(*at));
	for (a = n->properties; a != NULL; a = a->next)
		nattr++;
	if (nattr > 0 && (at->parts = calloc(nattr, sizeof(*p))) == NULL) {
		c->failed = 1;
		return;
	}
	if (d->attr_if != NULL &&
	    attr_if_parse(d->attr_if, &alen, &aiv, &aivlen, &aik)) {
		memcpy(aia, d->attr_if, alen);
		aia[alen] = '\0';
		aif_key = intern_str(c, aik);
	}
	for (a = n->properties; a != NULL; a = a->next) {
		an = (const char *)a->name;
		p = &at->parts[at->nparts];
		if (strncmp(an, "data-set-", 9) == 0) {
			an += 9;
			if (strcmp(an, "class") == 0)
				continue;	/* with the class, below */
			p->kind = PART_SET;
			p->url = url_attr(an);
			p->key = intern_str(c, attr_text(a) != NULL ?
			    attr_text(a) : "");
			p->name = keep_string(c, an, strlen(an));
			p->off = pool_add(c, an, NULL, &p->len);
			at->nparts++;
			continue;
		}
		/* data-label is a column name, not a directive: kept. */
		if (strncmp(an, "data-", 5) == 0 &&
		    strcmp(an, "data-label") != 0)
			continue;
		/* The directives' values win over the page's. */
		if (strcmp(an, "class") == 0 ||
		    (d->checked != NULL && strcmp(an, "checked") == 0) ||
		    (option && strcmp(an, "selected") == 0))
			continue;
		p->key = set_key(c, n, an);
		p->aif = strcmp(an, aia) == 0 ? aif_key : NOKEY;
		p->kind = p->key == NOKEY && p->aif == NOKEY ? PART_LIT :
		    PART_LIT_UNLESS;
		p->off = pool_add(c, an, attr_text(a), &p->len);
		at->nparts++;
	}
	resolve_init(c, n, "class", aif_key != NOKEY ? aia : NULL, aif_key,
	    &at->cls);
	at->add_key = NOKEY;
	if (d->add_class != NULL && (sp = strchr(d->add_class, ' ')) != NULL) {
		at->add_key = intern_str(c, sp + 1);
		at->add_class = keep_string(c, d->add_class,
		    (size_t)(sp - d->add_class));
	}
	at->aif_key = aif_key;
	if (aif_key != NOKEY) {
		char *value = strndup(aiv, aivlen);

		if (value == NULL)
			c->failed = 1;
		else
			at->aif_off = pool_add(c, aia, value, &at->aif_len);
		free(value);
	}
	at->checked = d->checked != NULL ? intern_str(c, d->checked) : NOKEY;
	at->option = option;
	at->slot = option ? (uint32_t)slot : 0;
	if (option)
		resolve_init(c, n, "value", aif_key != NOKEY ? aia : NULL,
		    aif_key, &at->value);
	emit(c, OP_ATTRS, NOKEY, t->nattrs++, 0);
}

/* An element's attributes when none depends on the view: ready-made. */
static void
compile_static_attrs(struct compiler *c, xmlNodePtr n)
{
	xmlAttrPtr a, cls = NULL;
	const char *an;

	for (a = n->properties; a != NULL; a = a->next) {
		an = (const char *)a->name;
		if (strncmp(an, "data-", 5) == 0 &&
		    strcmp(an, "data-label") != 0)
			continue;
		if (strcmp(an, "class") == 0)
			cls = a;	/* written last, as with directives */
		else
			lit_attr(c, an, attr_text(a));
	}
	if (cls != NULL && attr_text(cls) != NULL)
		lit_attr(c, "class", attr_text(cls));
}

static void	compile_children(struct compiler *, xmlNodePtr, int);

/*
 * The markup between an element's tags: a hole for data-markdown or
 * data-text, else its children, with the value a data-value gives its
 * options.  slot: the data-value n's own <option>s answer to, or -1.
 */
static void
compile_content(struct compiler *c, xmlNodePtr n, const struct directives *d,
    int slot)
{
	if (d->markdown != NULL) {
		if (raw_text_element(n))
			log_err("%s: data-markdown on <%s> refused", c->file,
			    n->name);
		else
			emit(c, OP_MARKDOWN, intern_str(c, d->markdown), 0, 0);
		return;
	}
	if (d->text != NULL) {
		if (raw_text_element(n))
			log_err("%s: data-text on <%s> refused", c->file,
			    n->name);
		else
			emit(c, OP_TEXT, intern_str(c, d->text), 0, 0);
		return;
	}
	if (d->value == NULL) {
		compile_children(c, n, slot);
		return;
	}
	if (c->slots == MAX_DEPTH) {
		log_err("%s: data-value nested too deep", c->file);
		c->failed = 1;
		return;
	}
	emit(c, OP_SELECT, intern_str(c, d->value), (uint32_t)c->slots, 0);
	c->slots++;
	compile_children(c, n, c->slots - 1);
	c->slots--;
}

/* slot: the data-value n's <option>s answer to, -1 outside any. */
static void
compile_element(struct compiler *c, xmlNodePtr n, int slot)
{
	struct directives d;
	uint32_t each = 0, body = 0, cond[2], end;
	int option, ncond = 0, i;

	directives_scan(n, &d);
	option = slot >= 0 && xmlStrcasecmp(n->name, BAD_CAST "option") == 0;
	if (d.each != NULL && c->depth == MAX_DEPTH) {
		log_err("%s: data-each nested too deep", c->file);
		c->failed = 1;
		return;
	}
	if (d.each != NULL) {
		each = emit(c, OP_EACH, intern_str(c, d.each), 0,
		    (uint32_t)c->depth++);
		body = here(c);
	}
	if (d.if_ != NULL)
		cond[ncond++] = emit(c, OP_IF, intern_str(c, d.if_), 0, 0);
	if (d.unless != NULL)
		cond[ncond++] = emit(c, OP_UNLESS, intern_str(c, d.unless), 0,
		    0);
	lit(c, "<", 1);
	lit_str(c, (const char *)n->name);
	if (d.set || d.add_class != NULL || d.attr_if != NULL ||
	    d.checked != NULL || option)
		compile_attrs(c, n, &d, option, slot);
	else
		compile_static_attrs(c, n);
	lit(c, ">", 1);
	if (!void_element(n)) {
		compile_content(c, n, &d, slot);
		lit(c, "</", 2);
		lit_str(c, (const char *)n->name);
		lit(c, ">", 1);
	}
	if (c->failed)
		return;		/* the ops to patch may not be there */
	/* A condition on a repeated element is asked of each item. */
	end = here(c);
	for (i = 0; i < ncond; i++)
		c->t->ops[cond[i]].a = end;
	if (d.each != NULL) {
		emit(c, OP_NEXT, NOKEY, body, (uint32_t)--c->depth);
		c->t->ops[each].a = here(c);
	}
}

static void
compile_node(struct compiler *c, xmlNodePtr n, int slot)
{
	if (c->failed)
		return;
	switch (n->type) {
	case XML_TEXT_NODE:
		if (n->content == NULL)
			break;
		/* Script and style text is the template's own, never a value. */
		if (n->parent != NULL && raw_text_element(n->parent))
			lit_str(c, (const char *)n->content);
		else
			lit_escaped(c, (const char *)n->content);
		break;
	case XML_DTD_NODE:
		lit_str(c, "<!DOCTYPE html>\n");
		break;
	case XML_ELEMENT_NODE:
		compile_element(c, n, slot);
		break;
	default:
		break;	/* comments and the like are not sent */
	}
}

static void
compile_children(struct compiler *c, xmlNodePtr parent, int slot)
{
	xmlNodePtr n;

	for (n = parent->children; n != NULL; n = n->next)
		compile_node(c, n, slot);
}

static void
tmpl_free(struct tmpl *t)
{
	size_t i;

	for (i = 0; i < t->nattrs; i++)
		free(t->attrs[i].parts);
	for (i = 0; i < t->nstrings; i++)
		free(t->strings[i]);
	free(t->strings);
	free(t->attrs);
	free(t->keys);
	free(t->ops);
	free(t->pool);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

/*
 * An array grown by doubling, cut to its n elements of size bytes: what
 * is kept for the process's life has no room to spare.
 */
static void *
shrink(void *p, size_t n, size_t size)
{
	void *cut;

	if (p == NULL || n == 0 || (cut = realloc(p, n * size)) == NULL)
		return p;
	return cut;
}

/* Compiles a composed page into t; the tree can be freed afterwards. */
static int
compile(htmlDocPtr d, const char *file, struct tmpl *t)
{
	struct compiler c;

	memset(&c, 0, sizeof(c));
	memset(t, 0, sizeof(*t));
	c.t = t;
	c.file = file;
	compile_children(&c, (xmlNodePtr)d, -1);
	lit(&c, "\n", 1);
	if (c.failed || c.pool.failed || t->nops >= NOKEY) {
		log_err("%s: cannot compile", file);
		free(c.pool.p);
		tmpl_free(t);
		return -1;
	}
	t->pool = shrink(c.pool.p, c.pool.len + 1, 1);
	t->ops = shrink(t->ops, t->nops, sizeof(*t->ops));
	t->attrs = shrink(t->attrs, t->nattrs, sizeof(*t->attrs));
	t->keys = shrink(t->keys, t->nkeys, sizeof(*t->keys));
	t->strings = shrink(t->strings, t->nstrings, sizeof(*t->strings));
	return 0;
}

/* Rendering: the ops run top to bottom with a view. */

struct frame {
	struct view	**items;
	uint32_t	 n;
	uint32_t	 i;
	const struct view *outer;
};

static const struct item *
find_key(const struct tmpl *t, const struct view *v, uint32_t k)
{
	return view_find(v, t->keys[k].name, t->keys[k].hash);
}

static const char *
resolve(const struct tmpl *t, const struct resolved *r,
    const struct view *v)
{
	const char *s;

	if (r->set != NOKEY && (s = item_text(find_key(t, v, r->set))) !=
	    NULL)
		return s;
	if (r->present && (r->aif == NOKEY ||
	    !item_true(find_key(t, v, r->aif))))
		return r->text;
	return NULL;
}

static void
render_attrs(struct strbuf *o, const struct tmpl *t, const struct attrs *at,
    const struct view *v, const char *const *want)
{
	const struct part *p, *end;
	const char *val, *cls, *optval;

	for (p = at->parts, end = p + at->nparts; p < end; p++)
		switch (p->kind) {
		case PART_LIT_UNLESS:
			if ((p->key != NOKEY &&
			    item_text(find_key(t, v, p->key)) != NULL) ||
			    (p->aif != NOKEY &&
			    item_true(find_key(t, v, p->aif))))
				break;
			/* FALLTHROUGH */
		case PART_LIT:
			put(o, t->pool + p->off, p->len);
			break;
		case PART_SET:
			if ((val = item_text(find_key(t, v, p->key))) == NULL)
				break;
			if (p->url && !util_url_safe(val)) {
				log_warn("refused unsafe URL for %s", p->name);
				val = "#";
			}
			put(o, t->pool + p->off, p->len);
			put(o, "=\"", 2);
			put_escaped(o, val);
			put(o, "\"", 1);
			break;
		}
	cls = resolve(t, &at->cls, v);
	if (at->add_key != NOKEY && item_true(find_key(t, v, at->add_key))) {
		put(o, " class=\"", 8);
		if (cls != NULL) {
			put_escaped(o, cls);
			put(o, " ", 1);
		}
		put_escaped(o, at->add_class);
		put(o, "\"", 1);
	} else if (cls != NULL)
		put_attr(o, "class", cls);
	if (at->aif_key != NOKEY && item_true(find_key(t, v, at->aif_key)))
		put(o, t->pool + at->aif_off, at->aif_len);
	if (at->checked != NOKEY && item_true(find_key(t, v, at->checked)))
		put(o, " checked", 8);
	if (at->option && want[at->slot] != NULL &&
	    (optval = resolve(t, &at->value, v)) != NULL &&
	    strcmp(optval, want[at->slot]) == 0)
		put(o, " selected", 9);
}

static void
run(struct strbuf *o, const struct tmpl *t, const struct view *v)
{
	struct frame frames[MAX_DEPTH], *f;
	const char *want[MAX_DEPTH];
	const struct item *it;
	const struct op *op;
	uint32_t pc = 0;

	memset(want, 0, sizeof(want));
	while (pc < t->nops) {
		op = &t->ops[pc++];
		switch (op->kind) {
		case OP_LIT:
			put(o, t->pool + op->a, op->b);
			break;
		case OP_TEXT:
			it = find_key(t, v, op->key);
			if (it != NULL && it->kind == ITEM_TEXT &&
			    it->text != NULL)
				put_escaped(o, it->text);
			break;
		case OP_MARKDOWN:
			it = find_key(t, v, op->key);
			if (it != NULL && it->kind == ITEM_MARKDOWN &&
			    it->text != NULL)
				put(o, it->text, strlen(it->text));
			break;
		case OP_IF:
			if (!item_true(find_key(t, v, op->key)))
				pc = op->a;
			break;
		case OP_UNLESS:
			if (item_true(find_key(t, v, op->key)))
				pc = op->a;
			break;
		case OP_EACH:
			it = find_key(t, v, op->key);
			if (it == NULL || it->kind != ITEM_LIST ||
			    it->nlist == 0) {
				pc = op->a;
				break;
			}
			f = &frames[op->b];
			f->items = it->list;
			f->n = it->nlist;
			f->i = 0;
			f->outer = v;
			v = f->items[0];
			break;
		case OP_NEXT:
			f = &frames[op->b];
			if (++f->i < f->n) {
				v = f->items[f->i];
				pc = op->a;
			} else
				v = f->outer;
			break;
		case OP_ATTRS:
			render_attrs(o, t, &t->attrs[op->a], v, want);
			break;
		case OP_SELECT:
			want[op->a] = item_text(find_key(t, v, op->key));
			break;
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
 * Fills each [data-include] element of d with the <body> of its part,
 * parts/NAME.html under dir, in place of what it held.  -1 when a part
 * is missing, cannot be read or is not a plain name.
 */
static int
include_parts(htmlDocPtr d, const char *dir, const char *name)
{
	xmlNodePtr n, body, c, copy;
	htmlDocPtr part;
	xmlChar *want;
	char *path;
	size_t i;
	int bad;

	while ((n = find_marked(xmlDocGetRootElement(d), "data-include")) !=
	    NULL) {
		want = xmlGetProp(n, BAD_CAST "data-include");
		bad = want == NULL || *want == '\0';
		for (i = 0; !bad && want[i] != '\0'; i++)
			bad = !((want[i] >= 'a' && want[i] <= 'z') ||
			    want[i] == '_');
		path = bad ? NULL : util_printf("%s/parts/%s.html", dir,
		    (const char *)want);
		xmlFree(want);
		if (path == NULL) {
			log_err("%s: a data-include that is not a part's name",
			    name);
			return -1;
		}
		part = parse_file(path);
		free(path);
		if (part == NULL || (body = find_element(
		    xmlDocGetRootElement(part), "body")) == NULL ||
		    find_marked(body->children, "data-include") != NULL) {
			log_err("%s: its part cannot be read, or includes "
			    "another", name);
			if (part != NULL)
				xmlFreeDoc(part);
			return -1;
		}
		while (n->children != NULL) {
			c = n->children;
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
		for (c = body->children; c != NULL; c = c->next)
			if ((copy = xmlDocCopyNode(c, d, 1)) != NULL)
				xmlAddChild(n, copy);
		xmlFreeDoc(part);
		xmlUnsetProp(n, BAD_CAST "data-include");
	}
	return 0;
}

static int
tmpl_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tmpl *)a)->name,
	    ((const struct tmpl *)b)->name);
}

/* Parses, composes and compiles one page into tmpls[ntmpls]. */
static int
load_page(const char *dir, const char *file, htmlDocPtr layout)
{
	struct tmpl *grown;
	htmlDocPtr page = NULL, d = NULL;
	char *path;
	int rc = -1;

	if ((path = util_printf("%s/%s", dir, file)) == NULL)
		return -1;
	if ((page = parse_file(path)) == NULL ||
	    (d = compose(layout, page, file)) == NULL ||
	    include_parts(d, dir, file) == -1)
		goto done;
	if ((grown = realloc(tmpls, (ntmpls + 1) * sizeof(*tmpls))) == NULL)
		goto done;
	tmpls = grown;
	if (compile(d, file, &tmpls[ntmpls]) == -1)
		goto done;
	if ((tmpls[ntmpls].name = strndup(file, strlen(file) - 5)) == NULL) {
		tmpl_free(&tmpls[ntmpls]);
		goto done;
	}
	ntmpls++;
	rc = 0;
done:
	if (d != NULL)
		xmlFreeDoc(d);
	if (page != NULL)
		xmlFreeDoc(page);
	free(path);
	return rc;
}

int
templates_load(const char *dir)
{
	DIR *dp;
	struct dirent *de;
	char *path;
	htmlDocPtr layout;
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
		if (load_page(dir, de->d_name, layout) == -1)
			goto out;
	}
	rc = 0;
out:
	/* Found by name with bsearch on every render. */
	if (ntmpls > 0)
		qsort(tmpls, ntmpls, sizeof(*tmpls), tmpl_cmp);
	closedir(dp);
	xmlFreeDoc(layout);
	return rc;
}

void
templates_free(void)
{
	size_t i;

	for (i = 0; i < ntmpls; i++)
		tmpl_free(&tmpls[i]);
	free(tmpls);
	tmpls = NULL;
	ntmpls = 0;
}

/* Renders template name with v into a malloc'd buffer. */
int
template_render(const char *name, const struct view *v, char **out,
    size_t *outlen)
{
	struct strbuf o = { NULL, 0, 0, 0 };
	struct tmpl key, *t;

	*out = NULL;
	key.name = (char *)name;
	if (tmpls == NULL || (t = bsearch(&key, tmpls, ntmpls,
	    sizeof(*tmpls), tmpl_cmp)) == NULL) {
		log_err("no template %s", name);
		return -1;
	}
	/* Room for the markup and as much again of values: one allocation
	 * for most pages. */
	o.cap = t->literal * 2 + 1024;
	if ((o.p = malloc(o.cap)) == NULL)
		return -1;
	run(&o, t, v);
	put(&o, "", 1);		/* the terminating NUL, counted out below */
	if (o.failed) {
		free(o.p);
		return -1;
	}
	*out = o.p;
	*outlen = o.len - 1;
	return 0;
}
