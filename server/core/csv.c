/*
 * CSV files for spreadsheets: RFC 4180 (CRLF line ends, fields quoted
 * when they hold a comma, quote or line break, quotes doubled), UTF-8
 * with a byte order mark so that Excel reads it as UTF-8, and cells that
 * a spreadsheet would run as a formula made plain text.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct csv {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 failed;
	int	 cells;	/* in the current row */
};

static void
csv_put(struct csv *c, const char *s, size_t n)
{
	char *grown;
	size_t cap;

	if (c->failed)
		return;
	if (c->len + n + 1 > c->cap) {
		cap = c->cap ? c->cap : 16384;
		while (cap < c->len + n + 1)
			cap *= 2;
		if ((grown = realloc(c->p, cap)) == NULL) {
			c->failed = 1;
			return;
		}
		c->p = grown;
		c->cap = cap;
	}
	memcpy(c->p + c->len, s, n);
	c->len += n;
	c->p[c->len] = '\0';
}

/* A new file, holding the byte order mark. */
struct csv *
csv_new(void)
{
	struct csv *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	csv_put(c, "\xef\xbb\xbf", 3);
	return c;
}

void
csv_free(struct csv *c)
{
	if (c == NULL)
		return;
	free(c->p);
	free(c);
}

/*
 * Appends one cell to the current row.  A cell starting with = + - @,
 * a tab or a carriage return would be taken as a formula by Excel,
 * LibreOffice or Google Sheets (and a formula can reach the network), so
 * it gets a leading apostrophe, which spreadsheets show as text.  NULL is
 * an empty cell.
 */
void
csv_cell(struct csv *c, const char *s)
{
	const char *q;
	int quote;

	if (s == NULL)
		s = "";
	if (c->cells++ > 0)
		csv_put(c, ",", 1);
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		csv_put(c, "\"", 1);
	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL)
		csv_put(c, "'", 1);
	while ((q = strchr(s, '"')) != NULL) {
		csv_put(c, s, (size_t)(q - s) + 1);
		csv_put(c, "\"", 1);
		s = q + 1;
	}
	csv_put(c, s, strlen(s));
	if (quote)
		csv_put(c, "\"", 1);
}

/* Ends the current row. */
void
csv_row(struct csv *c)
{
	csv_put(c, "\r\n", 2);
	c->cells = 0;
}

/*
 * The file so far, handed over to the caller (who frees it), or NULL when
 * memory ran out on the way.  Frees c either way.
 */
char *
csv_finish(struct csv *c, size_t *len)
{
	char *p;

	if (c == NULL)
		return NULL;
	if (c->failed) {
		csv_free(c);
		return NULL;
	}
	p = c->p;
	*len = c->len;
	free(c);
	return p;
}
