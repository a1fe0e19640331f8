/*
 * ZIP archives (PKWARE's APPNOTE 6.3), made in memory for a download:
 * each file deflated by zlib when that makes it smaller and stored
 * otherwise, with its CRC-32 from zlib, its name in UTF-8 (flag bit 11),
 * its time both as MS-DOS writes it and as Info-ZIP's UTC timestamp, and
 * the central directory at the end.  No ZIP64: an archive past 4 GiB or
 * 65,535 files is refused, which nothing a node makes comes near.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "core.h"

#define ZIP_LOCAL_SIG	0x04034b50UL
#define ZIP_CENTRAL_SIG	0x02014b50UL
#define ZIP_END_SIG	0x06054b50UL
#define ZIP_VERSION	20		/* 2.0: deflate and folders */
#define ZIP_MADE_BY	(3 << 8 | 30)	/* Unix, so the mode below counts */
#define ZIP_UTF8	0x0800		/* general purpose flag bit 11 */
#define ZIP_STORED	0
#define ZIP_DEFLATED	8
#define ZIP_MODE	0100644UL	/* a plain file, rw-r--r-- */
#define ZIP_TIME_TAG	0x5455		/* Info-ZIP's extended timestamp */
#define ZIP_MAX_FILES	0xffffUL
#define ZIP_MAX_BYTES	0xffffffffUL

struct zip {
	struct strbuf	 out;		/* local headers and data so far */
	struct strbuf	 dir;		/* the central directory so far */
	unsigned long	 files;
	int		 failed;
};

static void
put16(struct strbuf *b, unsigned long v)
{
	unsigned char c[2] = { v & 0xff, (v >> 8) & 0xff };

	strbuf_add(b, (const char *)c, 2);
}

static void
put32(struct strbuf *b, unsigned long v)
{
	unsigned char c[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
	    (v >> 24) & 0xff };

	strbuf_add(b, (const char *)c, 4);
}

/* MS-DOS time and date fields of t (UTC), which start in 1980. */
static void
dos_time(time_t t, unsigned long *tm_out, unsigned long *date_out)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 80) {
		*tm_out = 0;
		*date_out = 1 << 5 | 1;	/* 1 January 1980 */
		return;
	}
	if (tm.tm_year > 80 + 127)
		tm.tm_year = 80 + 127;
	*tm_out = (unsigned long)(tm.tm_hour << 11 | tm.tm_min << 5 |
	    tm.tm_sec / 2);
	*date_out = (unsigned long)((tm.tm_year - 80) << 9 |
	    (tm.tm_mon + 1) << 5 | tm.tm_mday);
}

/*
 * 1 when name is a file name every unzip program takes as it is meant:
 * UTF-8 without controls, a relative path, no "." or ".." part, no
 * backslash (a folder separator on Windows), no empty part.
 */
int
zip_name_valid(const char *name)
{
	const char *part = name, *end;
	size_t n = strlen(name);

	if (n == 0 || n > 255 || !util_utf8_valid(name, n) ||
	    strpbrk(name, "\\\t\r\n") != NULL)
		return 0;
	for (;;) {
		end = strchr(part, '/');
		n = end != NULL ? (size_t)(end - part) : strlen(part);
		if (n == 0 || (n == 1 && part[0] == '.') ||
		    (n == 2 && part[0] == '.' && part[1] == '.'))
			return 0;
		if (end == NULL)
			return 1;
		part = end + 1;
	}
}

struct zip *
zip_new(void)
{
	return calloc(1, sizeof(struct zip));
}

void
zip_free(struct zip *z)
{
	if (z == NULL)
		return;
	strbuf_free(&z->out);
	strbuf_free(&z->dir);
	free(z);
}

/*
 * data deflated into *out (the caller frees it): its length, or 0 when
 * deflating does not make it smaller or failed, and it is to be stored.
 */
static size_t
zip_deflate(const void *data, size_t len, unsigned char **out)
{
	z_stream zs;
	uLong bound;
	size_t n = 0;

	*out = NULL;
	if (len == 0 || len > UINT_MAX)
		return 0;
	memset(&zs, 0, sizeof(zs));
	/* Raw deflate (negative window bits): ZIP adds its own framing. */
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS,
	    8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	bound = deflateBound(&zs, (uLong)len);
	if (bound > UINT_MAX || (*out = malloc(bound)) == NULL)
		goto done;
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = *out;
	zs.avail_out = (uInt)bound;
	if (deflate(&zs, Z_FINISH) == Z_STREAM_END && zs.total_out < len)
		n = zs.total_out;
done:
	deflateEnd(&zs);
	if (n == 0) {
		free(*out);
		*out = NULL;
	}
	return n;
}

/*
 * Adds a file called name (checked by zip_name_valid) holding len bytes
 * of data, last changed at mtime.  -1 when it cannot be added; the
 * archive is then spoilt, and zip_finish gives NULL.
 */
int
zip_add(struct zip *z, const char *name, const void *data, size_t len,
    time_t mtime)
{
	unsigned char *packed = NULL;
	unsigned long crc, offset, tm, date, method;
	size_t packed_len, stored_len, name_len;
	const void *body;

	if (z->failed || !zip_name_valid(name) || len > ZIP_MAX_BYTES ||
	    z->files >= ZIP_MAX_FILES)
		goto fail;
	name_len = strlen(name);
	crc = crc32(0L, Z_NULL, 0);
	if (len > 0)
		crc = crc32(crc, data, (uInt)len);
	packed_len = zip_deflate(data, len, &packed);
	method = packed_len > 0 ? ZIP_DEFLATED : ZIP_STORED;
	body = packed_len > 0 ? (const void *)packed : data;
	stored_len = packed_len > 0 ? packed_len : len;
	offset = z->out.len;
	/* Everything up to the end of this file must be reachable in 32 bits. */
	if ((size_t)offset + 30 + name_len + 9 + stored_len > ZIP_MAX_BYTES)
		goto fail;
	dos_time(mtime, &tm, &date);

	put32(&z->out, ZIP_LOCAL_SIG);
	put16(&z->out, ZIP_VERSION);
	put16(&z->out, ZIP_UTF8);
	put16(&z->out, method);
	put16(&z->out, tm);
	put16(&z->out, date);
	put32(&z->out, crc);
	put32(&z->out, stored_len);
	put32(&z->out, len);
	put16(&z->out, name_len);
	put16(&z->out, 9);		/* the timestamp field below */
	strbuf_add(&z->out, name, name_len);
	put16(&z->out, ZIP_TIME_TAG);
	put16(&z->out, 5);
	strbuf_add(&z->out, "\1", 1);	/* flags: the change time follows */
	put32(&z->out, (unsigned long)mtime);
	strbuf_add(&z->out, body, stored_len);

	put32(&z->dir, ZIP_CENTRAL_SIG);
	put16(&z->dir, ZIP_MADE_BY);
	put16(&z->dir, ZIP_VERSION);
	put16(&z->dir, ZIP_UTF8);
	put16(&z->dir, method);
	put16(&z->dir, tm);
	put16(&z->dir, date);
	put32(&z->dir, crc);
	put32(&z->dir, stored_len);
	put32(&z->dir, len);
	put16(&z->dir, name_len);
	put16(&z->dir, 9);		/* extra field */
	put16(&z->dir, 0);		/* comment */
	put16(&z->dir, 0);		/* disk */
	put16(&z->dir, 0);		/* internal attributes: binary */
	put32(&z->dir, ZIP_MODE << 16);
	put32(&z->dir, offset);
	strbuf_add(&z->dir, name, name_len);
	put16(&z->dir, ZIP_TIME_TAG);
	put16(&z->dir, 5);
	strbuf_add(&z->dir, "\1", 1);
	put32(&z->dir, (unsigned long)mtime);

	free(packed);
	if (z->out.failed || z->dir.failed)
		goto fail;
	z->files++;
	return 0;
fail:
	free(packed);
	z->failed = 1;
	return -1;
}

/*
 * The whole archive, handed to the caller (who frees it), or NULL when
 * a file could not be added or memory ran out.  Frees z either way.
 */
char *
zip_finish(struct zip *z, size_t *len)
{
	unsigned long dir_offset, dir_len;
	char *p = NULL;

	if (z == NULL)
		return NULL;
	dir_offset = z->out.len;
	dir_len = z->dir.len;
	if (z->failed || (size_t)dir_offset + dir_len + 22 > ZIP_MAX_BYTES)
		goto done;
	strbuf_add(&z->out, z->dir.p != NULL ? z->dir.p : "", dir_len);
	put32(&z->out, ZIP_END_SIG);
	put16(&z->out, 0);		/* this disk */
	put16(&z->out, 0);		/* the disk the directory starts on */
	put16(&z->out, z->files);	/* files on this disk */
	put16(&z->out, z->files);	/* files in all */
	put32(&z->out, dir_len);
	put32(&z->out, dir_offset);
	put16(&z->out, 0);		/* comment */
	if (z->out.failed)
		goto done;
	*len = z->out.len;
	p = strbuf_take(&z->out);
done:
	zip_free(z);
	return p;
}
