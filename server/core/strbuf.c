/*
 * A growable string for output that is not HTML: calendars and plain
 * text.  A failed allocation is remembered, so a writer checks once at
 * the end instead of after every piece.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

void
strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	char *g;
	size_t cap;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((g = realloc(b->p, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = g;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
strbuf_str(struct strbuf *b, const char *s)
{
	if (s != NULL)
		strbuf_add(b, s, strlen(s));
}

void
strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n == -1) {
		b->failed = 1;
		return;
	}
	strbuf_add(b, p, (size_t)n);
	free(p);
}

/* The string, now the caller's; NULL (and nothing left) if any add failed. */
char *
strbuf_take(struct strbuf *b)
{
	char *p = b->p;

	if (b->failed || p == NULL) {
		free(p);
		p = b->failed ? NULL : strdup("");
	}
	memset(b, 0, sizeof(*b));
	return p;
}

void
strbuf_free(struct strbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
