/*
 * Line differences between two texts, for comparing a document's
 * revisions: the lines both keep, in order, are a longest common
 * subsequence, and every other line was removed from the first or added
 * in the second.
 *
 * The table of common-subsequence lengths grows with the product of the
 * two line counts, so lines shared at the start and the end are set aside
 * first (most edits touch a few lines in the middle) and what remains may
 * hold at most DIFF_MAX_LINES lines on each side: 2 bytes a cell keep the
 * table under 2 MB.  Longer texts are refused, and the page says so.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct span {
	const char	*p;
	size_t		 len;
};

/* The lines of s, without their ends ("\n" or "\r\n"). */
static struct span *
split(const char *s, size_t *n)
{
	struct span *v;
	const char *e;
	size_t count = 1, i;

	for (e = s; *e != '\0'; e++)
		if (*e == '\n')
			count++;
	if ((v = calloc(count, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < count; i++) {
		e = strchr(s, '\n');
		v[i].p = s;
		v[i].len = e != NULL ? (size_t)(e - s) : strlen(s);
		if (v[i].len > 0 && s[v[i].len - 1] == '\r')
			v[i].len--;
		if (e == NULL)
			break;
		s = e + 1;
	}
	/* A text ending in a newline has no empty last line. */
	if (count > 1 && v[count - 1].len == 0 && v[count - 1].p[0] == '\0')
		count--;
	*n = count;
	return v;
}

static int
same(const struct span *a, const struct span *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

static int
emit(struct diff *d, enum diff_op op, const struct span *s)
{
	struct diff_line *l = &d->line[d->n];

	if ((l->text = strndup(s->p, s->len)) == NULL)
		return -1;
	l->op = op;
	d->n++;
	return 0;
}

/*
 * Fills d with the lines of a and b in order, each marked kept, removed
 * or added.  Returns 0, 1 when the changed part is too long to compare,
 * or -1 when memory ran out.  d is emptied first; diff_free releases it.
 */
int
diff_lines(const char *a, const char *b, struct diff *d)
{
	struct span *la = NULL, *lb = NULL;
	uint16_t *t = NULL;
	size_t na, nb, pre = 0, suf = 0, m, n, i, j, w;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	if ((la = split(a, &na)) == NULL || (lb = split(b, &nb)) == NULL)
		goto done;
	while (pre < na && pre < nb && same(&la[pre], &lb[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	    same(&la[na - 1 - suf], &lb[nb - 1 - suf]))
		suf++;
	m = na - pre - suf;
	n = nb - pre - suf;
	if (m > DIFF_MAX_LINES || n > DIFF_MAX_LINES) {
		rc = 1;
		goto done;
	}
	if ((d->line = calloc(na + nb + 1, sizeof(*d->line))) == NULL)
		goto done;
	/* t[i][j]: the longest common run of a's middle from i, b's from j. */
	w = n + 1;
	if ((t = calloc((m + 1) * w, sizeof(*t))) == NULL)
		goto done;
	for (i = m; i-- > 0;)
		for (j = n; j-- > 0;) {
			if (same(&la[pre + i], &lb[pre + j]))
				t[i * w + j] = t[(i + 1) * w + j + 1] + 1;
			else if (t[(i + 1) * w + j] >= t[i * w + j + 1])
				t[i * w + j] = t[(i + 1) * w + j];
			else
				t[i * w + j] = t[i * w + j + 1];
		}
	for (i = 0; i < pre; i++)
		if (emit(d, DIFF_SAME, &la[i]) == -1)
			goto done;
	i = j = 0;
	while (i < m || j < n) {
		if (i < m && j < n && same(&la[pre + i], &lb[pre + j])) {
			if (emit(d, DIFF_SAME, &la[pre + i]) == -1)
				goto done;
			i++;
			j++;
		} else if (j == n || (i < m &&
		    t[(i + 1) * w + j] >= t[i * w + j + 1])) {
			if (emit(d, DIFF_DEL, &la[pre + i++]) == -1)
				goto done;
		} else if (emit(d, DIFF_ADD, &lb[pre + j++]) == -1)
			goto done;
	}
	for (i = na - suf; i < na; i++)
		if (emit(d, DIFF_SAME, &la[i]) == -1)
			goto done;
	rc = 0;
done:
	free(la);
	free(lb);
	free(t);
	if (rc != 0)
		diff_free(d);
	return rc;
}

void
diff_free(struct diff *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		free(d->line[i].text);
	free(d->line);
	d->line = NULL;
	d->n = 0;
}
