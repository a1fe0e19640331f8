/*
 * CommonMark written by members (event descriptions, library documents),
 * turned into HTML that is safe to put in a page, or into plain text for
 * calendars and feed summaries.  libcmark parses; this file decides what
 * may come out.
 *
 * Safety does not rest on libcmark's defaults (0.30 omits raw HTML unless
 * CMARK_OPT_UNSAFE, but lets data:image/... links through): the parsed
 * tree is cleaned before anything is rendered.
 *
 *   - raw HTML, block or inline, is removed: it never reaches the output,
 *     not even as text;
 *   - a link or image whose address has a scheme other than http, https
 *     or mailto (javascript:, vbscript:, file:, data: ...) loses its
 *     address and keeps only its text;
 *   - headings move down so that "#" becomes the level the caller gives:
 *     a page's own <h1> is never outranked by what a member wrote.
 */
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "core.h"

#define MARKDOWN_OPTIONS	(CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_SAFE)

struct nodes {
	cmark_node	**n;
	size_t		  len;
	size_t		  cap;
};

static int
nodes_push(struct nodes *s, cmark_node *n)
{
	cmark_node **g;
	size_t cap;

	if (s->len == s->cap) {
		cap = s->cap ? s->cap * 2 : 32;
		if ((g = realloc(s->n, cap * sizeof(*g))) == NULL)
			return -1;
		s->n = g;
		s->cap = cap;
	}
	s->n[s->len++] = n;
	return 0;
}

static int
link_safe(cmark_node *n)
{
	const char *url = cmark_node_get_url(n);

	return url == NULL || util_url_safe(url);
}

/* Puts a link's children where it was, then drops the link. */
static void
unwrap(cmark_node *n)
{
	cmark_node *c;

	/* An inline's children may stand where it stood. */
	while ((c = cmark_node_first_child(n)) != NULL)
		if (!cmark_node_insert_before(n, c))
			cmark_node_free(c);
	cmark_node_free(n);
}

/*
 * Removes what must not be rendered and shifts headings.  The tree is
 * changed only after the walk, so the iterator never meets a freed node;
 * nodes are handled last-seen first, so an image inside a link is
 * unwrapped before the link moves it.
 */
static int
clean(cmark_node *doc, int top)
{
	struct nodes drop = { NULL, 0, 0 }, loose = { NULL, 0, 0 };
	cmark_iter *it;
	cmark_event_type ev;
	cmark_node *n;
	int level, rc = -1;
	size_t i;

	if ((it = cmark_iter_new(doc)) == NULL)
		return -1;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		if (ev != CMARK_EVENT_ENTER)
			continue;
		n = cmark_iter_get_node(it);
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE:
			if (nodes_push(&drop, n) == -1)
				goto fail;
			break;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			if (!link_safe(n) && nodes_push(&loose, n) == -1)
				goto fail;
			break;
		case CMARK_NODE_HEADING:
			level = cmark_node_get_heading_level(n) + top - 1;
			cmark_node_set_heading_level(n, level > 6 ? 6 : level);
			break;
		default:
			break;
		}
	}
	for (i = drop.len; i > 0; i--)
		cmark_node_free(drop.n[i - 1]);
	for (i = loose.len; i > 0; i--)
		unwrap(loose.n[i - 1]);
	rc = 0;
fail:
	cmark_iter_free(it);
	free(drop.n);
	free(loose.n);
	return rc;
}

static cmark_node *
parse(const char *text)
{
	return cmark_parse_document(text, strlen(text), MARKDOWN_OPTIONS);
}

/*
 * HTML for a member's CommonMark text; top (1 to 6) is the level a "#"
 * heading gets.  A malloc'd string, or NULL when memory ran out.
 */
char *
markdown_html(const char *text, int top)
{
	cmark_node *doc;
	char *html, *out;

	if (text == NULL)
		text = "";
	if (top < 1)
		top = 1;
	if (top > 6)
		top = 6;
	if ((doc = parse(text)) == NULL)
		return NULL;
	if (clean(doc, top) == -1) {
		cmark_node_free(doc);
		return NULL;
	}
	html = cmark_render_html(doc, MARKDOWN_OPTIONS);
	cmark_node_free(doc);
	if (html == NULL)
		return NULL;
	/* libcmark allocates with its own allocator; hand back ours. */
	out = strdup(html);
	cmark_get_default_mem_allocator()->free(html);
	return out;
}

/* Where the plain-text writer is: list numbers and link starts. */
struct plain {
	struct strbuf	 b;
	long		*number;	/* per open list: next item's number */
	size_t		 depth;
	size_t		 cap;
	size_t		*link_at;	/* per open link: where its text began */
	size_t		 nlinks;
	size_t		 link_cap;
};

static void
plain_break(struct plain *p, int blank)
{
	/* Never more than one blank line, none at the start. */
	if (p->b.len == 0)
		return;
	if (p->b.p[p->b.len - 1] != '\n')
		strbuf_add(&p->b, "\n", 1);
	if (blank && p->b.len >= 2 && p->b.p[p->b.len - 2] != '\n')
		strbuf_add(&p->b, "\n", 1);
}

static int
plain_tight(cmark_node *n)
{
	cmark_node *item = cmark_node_parent(n), *list;

	if (item == NULL || cmark_node_get_type(item) != CMARK_NODE_ITEM ||
	    (list = cmark_node_parent(item)) == NULL)
		return 0;
	return cmark_node_get_list_tight(list);
}

static int
plain_list(struct plain *p, cmark_node *n, int enter)
{
	long *g;
	size_t cap;

	if (!enter) {
		if (p->depth > 0)
			p->depth--;
		plain_break(p, 1);
		return 0;
	}
	if (p->depth == p->cap) {
		cap = p->cap ? p->cap * 2 : 8;
		if ((g = realloc(p->number, cap * sizeof(*g))) == NULL)
			return -1;
		p->number = g;
		p->cap = cap;
	}
	p->number[p->depth++] = cmark_node_get_list_type(n) ==
	    CMARK_ORDERED_LIST ? cmark_node_get_list_start(n) : 0;
	plain_break(p, 0);
	return 0;
}

static void
plain_item(struct plain *p)
{
	size_t i;

	plain_break(p, 0);
	for (i = 1; i < p->depth; i++)
		strbuf_add(&p->b, "  ", 2);
	if (p->depth > 0 && p->number[p->depth - 1] > 0)
		strbuf_printf(&p->b, "%ld. ", p->number[p->depth - 1]++);
	else
		strbuf_add(&p->b, "- ", 2);
}

/* A link's address follows its text, unless the text already says it. */
static int
plain_link(struct plain *p, cmark_node *n, int enter)
{
	const char *url = cmark_node_get_url(n);
	size_t *g, cap, at;

	if (enter) {
		if (p->nlinks == p->link_cap) {
			cap = p->link_cap ? p->link_cap * 2 : 8;
			if ((g = realloc(p->link_at, cap * sizeof(*g))) ==
			    NULL)
				return -1;
			p->link_at = g;
			p->link_cap = cap;
		}
		p->link_at[p->nlinks++] = p->b.len;
		return 0;
	}
	if (p->nlinks == 0)
		return 0;
	at = p->link_at[--p->nlinks];
	if (url == NULL || *url == '\0' || !util_url_safe(url) ||
	    p->b.failed)
		return 0;
	if (p->b.len - at == strlen(url) && memcmp(p->b.p + at, url,
	    p->b.len - at) == 0)
		return 0;
	if (strncmp(url, "mailto:", 7) == 0 && p->b.len - at ==
	    strlen(url + 7) && memcmp(p->b.p + at, url + 7, p->b.len - at) ==
	    0)
		return 0;
	strbuf_printf(&p->b, " (%s)", url);
	return 0;
}

static int
plain_node(struct plain *p, cmark_node *n, cmark_event_type ev)
{
	int enter = ev == CMARK_EVENT_ENTER;

	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_TEXT:
	case CMARK_NODE_CODE:
		strbuf_str(&p->b, cmark_node_get_literal(n));
		break;
	case CMARK_NODE_SOFTBREAK:
		strbuf_add(&p->b, " ", 1);
		break;
	case CMARK_NODE_LINEBREAK:
		strbuf_add(&p->b, "\n", 1);
		break;
	case CMARK_NODE_CODE_BLOCK:
		plain_break(p, 1);
		strbuf_str(&p->b, cmark_node_get_literal(n));
		plain_break(p, 1);
		break;
	case CMARK_NODE_PARAGRAPH:
		if (!enter)
			plain_break(p, !plain_tight(n));
		break;
	case CMARK_NODE_HEADING:
	case CMARK_NODE_BLOCK_QUOTE:
	case CMARK_NODE_THEMATIC_BREAK:
		plain_break(p, 1);
		break;
	case CMARK_NODE_LIST:
		return plain_list(p, n, enter);
	case CMARK_NODE_ITEM:
		if (enter)
			plain_item(p);
		break;
	case CMARK_NODE_LINK:
		return plain_link(p, n, enter);
	default:
		break;	/* raw HTML and the like: nothing */
	}
	return 0;
}

/*
 * The words of a member's CommonMark text without its markup, for
 * calendars and feed summaries: paragraphs apart, list items on their
 * own lines, link addresses in brackets, raw HTML left out.  A malloc'd
 * string, or NULL when memory ran out.
 */
char *
markdown_text(const char *text)
{
	struct plain p;
	cmark_node *doc;
	cmark_iter *it;
	cmark_event_type ev;
	char *out;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	if ((doc = parse(text != NULL ? text : "")) == NULL)
		return NULL;
	if ((it = cmark_iter_new(doc)) == NULL) {
		cmark_node_free(doc);
		return NULL;
	}
	while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
		rc = plain_node(&p, cmark_iter_get_node(it), ev);
	cmark_iter_free(it);
	cmark_node_free(doc);
	free(p.number);
	free(p.link_at);
	if (rc == -1) {
		strbuf_free(&p.b);
		return NULL;
	}
	while (p.b.len > 0 && (p.b.p[p.b.len - 1] == '\n' ||
	    p.b.p[p.b.len - 1] == ' '))
		p.b.p[--p.b.len] = '\0';
	out = strbuf_take(&p.b);
	return out;
}
