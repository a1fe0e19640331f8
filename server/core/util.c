/*
 * Small helpers every module needs: randomness, encodings, UTF-8 checks
 * and constant-time comparison.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core.h"

int
util_random(void *buf, size_t len)
{
	if (RAND_bytes(buf, (int)len) != 1) {
		log_err("RAND_bytes failed");
		return -1;
	}
	return 0;
}

static const char base64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/*
 * Whether s has the shape of a token util_token makes (a session, a
 * mailed link's key): ACORN_TOKEN_LEN base64url characters, no more.
 */
int
util_token_valid(const char *s)
{
	return s != NULL && strlen(s) == ACORN_TOKEN_LEN &&
	    strspn(s, base64url) == ACORN_TOKEN_LEN;
}

void
util_base64url(const unsigned char *in, size_t len, char *out)
{
	const char *tab = base64url;
	size_t i;
	unsigned long v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 |
		    in[i + 2];
		*out++ = tab[v >> 18 & 63];
		*out++ = tab[v >> 12 & 63];
		*out++ = tab[v >> 6 & 63];
		*out++ = tab[v & 63];
	}
	if (len - i == 1) {
		v = (unsigned long)in[i] << 16;
		*out++ = tab[v >> 18 & 63];
		*out++ = tab[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;
		*out++ = tab[v >> 18 & 63];
		*out++ = tab[v >> 12 & 63];
		*out++ = tab[v >> 6 & 63];
	}
	*out = '\0';
}

void
util_hex(const unsigned char *in, size_t len, char *out)
{
	static const char tab[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		*out++ = tab[in[i] >> 4];
		*out++ = tab[in[i] & 15];
	}
	*out = '\0';
}

int
util_token(char out[ACORN_TOKEN_LEN + 1])
{
	unsigned char raw[ACORN_TOKEN_BYTES];

	if (util_random(raw, sizeof(raw)) == -1)
		return -1;
	util_base64url(raw, sizeof(raw), out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

/* A version 4 UUID (RFC 9562), the form of every shared record's id. */
int
util_uuid(char out[ACORN_UUID_LEN + 1])
{
	unsigned char b[16];

	if (util_random(b, sizeof(b)) == -1)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, ACORN_UUID_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
	    b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

int
util_uuid_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != ACORN_UUID_LEN)
		return 0;
	for (i = 0; i < ACORN_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

/*
 * The character whose UTF-8 starts at s[i] (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF): its length in bytes, with *cp
 * set.  0 when the bytes there are not UTF-8, with *skip the bytes to
 * pass over (a stray byte, or a sequence cut short or not allowed).
 */
size_t
util_utf8_next(const unsigned char *s, size_t len, size_t i,
    unsigned long *cp, size_t *skip)
{
	unsigned char c = s[i];
	size_t n, k;

	*skip = 1;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		*cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		*cp = c & 0x07;
	} else
		return 0;	/* not the start of a sequence */
	for (k = 1; k <= n && i + k < len; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			break;
		*cp = *cp << 6 | (s[i + k] & 0x3f);
	}
	if (k <= n) {
		*skip = k;	/* cut short */
		return 0;
	}
	*skip = n + 1;
	if ((n == 2 && *cp < 0x800) || (n == 3 && *cp < 0x10000) ||
	    *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n + 1;
}

/*
 * Strict UTF-8, and no NUL or C0 controls other than tab, LF and CR,
 * which nobody types into a form and which only ever serve to confuse.
 */
int
util_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n, skip;
	unsigned long cp;

	while (i < len) {
		if ((n = util_utf8_next(s, len, i, &cp, &skip)) == 0)
			return 0;
		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
		    cp == 0x7f)
			return 0;
		/* C1 controls are as unwelcome as C0 ones. */
		if (cp >= 0x80 && cp <= 0x9f)
			return 0;
		i += n;
	}
	return 1;
}

int
util_ct_equal(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb || la == 0)
		return 0;
	return CRYPTO_memcmp(a, b, la) == 0;
}

void
util_sha256(const void *in, size_t len, unsigned char out[32])
{
	unsigned int n = 32;

	EVP_Digest(in, len, out, &n, EVP_sha256(), NULL);
}

char *
util_strdup(const char *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		log_err("out of memory");
	return p;
}

char *
util_printf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) == -1) {
		log_err("out of memory");
		p = NULL;
	}
	va_end(ap);
	return p;
}

/* A query-string value: all but unreserved characters as %XX. */
char *
util_url_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out, *o;

	if ((out = malloc(strlen(s) * 3 + 1)) == NULL)
		return NULL;
	for (o = out; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~')
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

char *
util_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int
util_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	/* Digits, perhaps after a minus: strtol would also take " +5". */
	if (s == NULL || !((*s >= '0' && *s <= '9') || (*s == '-' &&
	    s[1] >= '0' && s[1] <= '9')))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * A size limit as people read it, in PostgreSQL's units: "20 MB" when it
 * is whole megabytes, else "64 kB" (rounded down, so a limit is never
 * overstated), and "900 bytes" under a kilobyte.
 */
void
util_size_text(long bytes, char *out, size_t len)
{
	if (bytes >= 1024L * 1024 && bytes % (1024L * 1024) == 0)
		snprintf(out, len, "%ld MB", bytes / (1024L * 1024));
	else if (bytes >= 1024)
		snprintf(out, len, "%ld kB", bytes / 1024);
	else
		snprintf(out, len, "%ld %s", bytes, bytes == 1 ? "byte" :
		    "bytes");
}

/*
 * A PostgreSQL array literal of n texts, each quoted, for a $n parameter
 * cast to text[] or bigint[].  NULL when memory ran out.
 */
char *
util_pg_array(const char *const *items, size_t n)
{
	const char *s;
	size_t i, len = 3;
	char *out, *o;

	for (i = 0; i < n; i++)
		len += 3 + 2 * strlen(items[i]);
	if ((out = o = malloc(len)) == NULL)
		return NULL;
	*o++ = '{';
	for (i = 0; i < n; i++) {
		if (i > 0)
			*o++ = ',';
		*o++ = '"';
		for (s = items[i]; *s != '\0'; s++) {
			if (*s == '"' || *s == '\\')
				*o++ = '\\';
			*o++ = *s;
		}
		*o++ = '"';
	}
	*o++ = '}';
	*o = '\0';
	return out;
}

/* Reads a whole file of at most max bytes, NUL-terminated. */
int
util_read_file(const char *path, char **out, size_t *outlen, size_t max)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || (size_t)st.st_size > max) {
		log_err("%s: unreadable or larger than %zu bytes", path, max);
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0) {
			log_err("%s: short read", path);
			goto fail;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	*out = buf;
	if (outlen != NULL)
		*outlen = got;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

/*
 * The next part of s up to the separator sep, malloc'd, moving *s past
 * it (to NULL after the last part); NULL at the end, or with *failed set
 * when memory ran out.
 */
char *
util_next_part(const char **s, int sep, int *failed)
{
	const char *p = *s;
	size_t len;
	char *one;

	if (p == NULL)
		return NULL;
	for (len = 0; p[len] != '\0' && p[len] != (char)sep; len++)
		continue;
	*s = p[len] == '\0' ? NULL : p + len + 1;
	if ((one = strndup(p, len)) == NULL)
		*failed = 1;
	return one;
}

/* Is s one of the lines of a newline-separated list? */
int
util_line_of(const char *lines, const char *s)
{
	size_t len = strlen(s), n;

	while (lines != NULL && *lines != '\0') {
		n = strcspn(lines, "\n");
		if (n == len && strncmp(lines, s, n) == 0)
			return 1;
		lines += n + (lines[n] == '\n');
	}
	return 0;
}

/* Characters (code points) in valid UTF-8. */
size_t
util_utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Only these schemes may appear in a URL attribute, so a value such as
 * "javascript:..." can never become a link.
 */
int
util_url_safe(const char *u)
{
	const char *p;

	for (p = u; *p != '\0' && *p != '/' && *p != '?' && *p != '#'; p++)
		if (*p == ':')
			return strncasecmp(u, "http:", 5) == 0 ||
			    strncasecmp(u, "https:", 6) == 0 ||
			    strncasecmp(u, "mailto:", 7) == 0;
	return 1;
}

/*
 * A UK postcode in any case and spacing, written as Royal Mail does:
 * capitals, the outward code, one space, the inward code ("sw1a2aa"
 * becomes "SW1A 2AA").  -1 when it is not of a postcode's shape: the
 * outward code a letter or two, a digit, then a digit or a letter
 * perhaps (A9, A99, A9A, AA9, AA99, AA9A); the inward a digit and two
 * letters.
 */
int
postcode_normal(const char *in, char out[POSTCODE_LEN + 1])
{
	char c[8];
	size_t n = 0, i, out_len;

	for (; *in != '\0'; in++) {
		if (*in == ' ')
			continue;
		if (n == sizeof(c) - 1 || !isalnum((unsigned char)*in))
			return -1;
		c[n++] = (char)toupper((unsigned char)*in);
	}
	c[n] = '\0';
	if (n < 5 || n > 7)
		return -1;
	out_len = n - 3;
	/* Inward: digit, letter, letter. */
	if (!isdigit((unsigned char)c[out_len]) ||
	    !isalpha((unsigned char)c[out_len + 1]) ||
	    !isalpha((unsigned char)c[out_len + 2]))
		return -1;
	/* Outward: one or two letters, a digit, then a digit or a letter. */
	if (!isalpha((unsigned char)c[0]))
		return -1;
	i = isalpha((unsigned char)c[1]) ? 2 : 1;
	if (i >= out_len || !isdigit((unsigned char)c[i]))
		return -1;
	if (out_len - i > 2 || (out_len - i == 2 &&
	    !isalnum((unsigned char)c[i + 1])))
		return -1;
	memcpy(out, c, out_len);
	out[out_len] = ' ';
	memcpy(out + out_len + 1, c + out_len, 3);
	out[n + 1] = '\0';
	return 0;
}

/* Whether words (space-separated) hold word. */
int
util_has_word(const char *words, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = words; p != NULL && (p = strstr(p, word)) != NULL; p += n)
		if ((p == words || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}
