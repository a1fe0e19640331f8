/*
 * JSON text (RFC 8259) for files people download: objects and arrays
 * nested up to JSON_DEPTH, indented two spaces a level so that the file
 * reads in any text editor, and strings escaped so that whatever a
 * member typed comes back as the same characters.  Bytes that are not
 * UTF-8 become U+FFFD rather than text no parser would take.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

void
json_init(struct json *j)
{
	memset(j, 0, sizeof(*j));
}

/* Before a member or an element: its comma, line break and indent. */
static void
json_indent(struct json *j)
{
	int k;

	if (!j->first[j->depth - 1])
		strbuf_add(&j->b, ",", 1);
	j->first[j->depth - 1] = 0;
	strbuf_add(&j->b, "\n", 1);
	for (k = 0; k < j->depth; k++)
		strbuf_add(&j->b, "  ", 2);
}

/*
 * Before a value: where it may stand.  In an object a value follows
 * its member's name (json_key); at the top there is one value and
 * nothing after it; in an array, anywhere.
 */
static void
json_next(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth == 0) {
		if (j->done)
			j->failed = 1;
		j->done = 1;
		return;
	}
	if (j->close[j->depth - 1] == '}')
		j->failed = 1;	/* a value with no name */
	json_indent(j);
}

/* A string's characters between its quotes. */
static void
json_escaped(struct json *j, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len = strlen(s), n, skip, run;
	unsigned long cp;
	char esc[8];

	while (i < len) {
		/* Copy the plain part in one piece. */
		for (run = 0; i + run < len && u[i + run] >= 0x20 &&
		    u[i + run] < 0x7f && u[i + run] != '"' &&
		    u[i + run] != '\\'; run++)
			continue;
		strbuf_add(&j->b, s + i, run);
		i += run;
		if (i >= len)
			break;
		n = util_utf8_next(u, len, i, &cp, &skip);
		if (n == 0) {
			strbuf_str(&j->b, "\\ufffd");
			i += skip;
			continue;
		}
		switch (cp) {
		case '"':
			strbuf_str(&j->b, "\\\"");
			break;
		case '\\':
			strbuf_str(&j->b, "\\\\");
			break;
		case '\b':
			strbuf_str(&j->b, "\\b");
			break;
		case '\f':
			strbuf_str(&j->b, "\\f");
			break;
		case '\n':
			strbuf_str(&j->b, "\\n");
			break;
		case '\r':
			strbuf_str(&j->b, "\\r");
			break;
		case '\t':
			strbuf_str(&j->b, "\\t");
			break;
		default:
			/*
			 * Other controls, DEL, and the two separators that
			 * end a line in JavaScript though not in JSON.
			 */
			if (cp < 0x20 || cp == 0x7f || cp == 0x2028 ||
			    cp == 0x2029) {
				snprintf(esc, sizeof(esc), "\\u%04lx", cp);
				strbuf_str(&j->b, esc);
			} else
				strbuf_add(&j->b, s + i, n);
		}
		i += n;
	}
}

/* Opens an object ('{') or an array ('['). */
void
json_open(struct json *j, char bracket)
{
	json_next(j);
	if (j->depth >= JSON_DEPTH || (bracket != '{' && bracket != '[')) {
		j->failed = 1;
		return;
	}
	strbuf_add(&j->b, &bracket, 1);
	j->close[j->depth] = bracket == '{' ? '}' : ']';
	j->first[j->depth] = 1;
	j->depth++;
}

/* Closes the innermost object or array. */
void
json_close(struct json *j)
{
	int k, empty;

	if (j->depth == 0 || j->after_key) {
		j->failed = 1;
		return;
	}
	empty = j->first[j->depth - 1];
	j->depth--;
	if (!empty) {
		strbuf_add(&j->b, "\n", 1);
		for (k = 0; k < j->depth; k++)
			strbuf_add(&j->b, "  ", 2);
	}
	strbuf_add(&j->b, &j->close[j->depth], 1);
}

/* The name of the next member of the object open now. */
void
json_key(struct json *j, const char *name)
{
	if (j->depth == 0 || j->close[j->depth - 1] != '}' || j->after_key) {
		j->failed = 1;
		return;
	}
	json_indent(j);
	strbuf_add(&j->b, "\"", 1);
	json_escaped(j, name);
	strbuf_add(&j->b, "\": ", 3);
	j->after_key = 1;
}

/* A string value; NULL is null. */
void
json_string(struct json *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	json_next(j);
	strbuf_add(&j->b, "\"", 1);
	json_escaped(j, s);
	strbuf_add(&j->b, "\"", 1);
}

void
json_null(struct json *j)
{
	json_next(j);
	strbuf_str(&j->b, "null");
}

void
json_bool(struct json *j, int yes)
{
	json_next(j);
	strbuf_str(&j->b, yes ? "true" : "false");
}

/* 1 when s is a number as RFC 8259 writes one. */
int
json_number_valid(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/*
 * A number given as text (as PostgreSQL gives one).  Text that is not a
 * JSON number (NaN, Infinity) is written as a string, so the file stays
 * JSON.
 */
void
json_number(struct json *j, const char *s)
{
	if (s == NULL || !json_number_valid(s)) {
		json_string(j, s);
		return;
	}
	json_next(j);
	strbuf_str(&j->b, s);
}

/*
 * A value that is JSON text already, as PostgreSQL writes a json or
 * jsonb column: put in as it is, on the word of whoever made it.
 */
void
json_raw(struct json *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	json_next(j);
	strbuf_str(&j->b, s);
}

/*
 * The text, ending in a line break, handed to the caller (who frees
 * it); NULL when memory ran out or the calls did not make one whole
 * value.  j is left empty either way.
 */
char *
json_finish(struct json *j, size_t *len)
{
	char *p = NULL;

	if (!j->failed && j->depth == 0 && !j->after_key && j->done) {
		strbuf_add(&j->b, "\n", 1);
		if (!j->b.failed) {
			*len = j->b.len;
			p = strbuf_take(&j->b);
		}
	}
	strbuf_free(&j->b);
	json_init(j);
	return p;
}

/* Frees what j holds, for a writer given up on. */
void
json_free(struct json *j)
{
	strbuf_free(&j->b);
	json_init(j);
}
