/*
 * Unit tests for zip.c, read back by a reader written here from the
 * format's description (APPNOTE 6.3): the end record, the central
 * directory and each local header agree, each file inflates (with
 * zlib) to the bytes put in and its CRC-32 is zlib's, big files are
 * deflated and small ones stored, times are MS-DOS's, and names no
 * unzip program would take as meant are refused.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <zlib.h>

#include "core.h"
#include "unit.h"

static unsigned long
get16(const unsigned char *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8;
}

static unsigned long
get32(const unsigned char *p)
{
	return get16(p) | get16(p + 2) << 16;
}

/* One file as the archive's central directory and local header say. */
struct entry {
	char		 name[256];
	unsigned long	 method, crc, packed, size, flags, time, date, mode;
	unsigned char	*data;	/* inflated */
};

/* Inflates n bytes of raw deflate into want bytes; NULL if it does not. */
static unsigned char *
inflate_raw(const unsigned char *in, size_t n, size_t want)
{
	z_stream zs;
	unsigned char *out = malloc(want + 1);
	int rc;

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(inflateInit2(&zs, -MAX_WBITS), Z_OK);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)want + 1;
	rc = inflate(&zs, Z_FINISH);
	inflateEnd(&zs);
	if (rc != Z_STREAM_END || zs.total_out != want) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * Reads every file of the archive into e (at most max); how many.  Each
 * check of the structure is an assertion.
 */
static int
read_zip(const unsigned char *z, size_t len, struct entry *e, int max)
{
	const unsigned char *end, *c, *l;
	unsigned long count, dir_len, dir_off, name_len, extra, comment, off;
	int i;

	ck_assert_uint_ge(len, 22);
	end = z + len - 22;
	ck_assert_uint_eq(get32(end), 0x06054b50UL);
	count = get16(end + 10);
	ck_assert_uint_eq(get16(end + 8), count);
	dir_len = get32(end + 12);
	dir_off = get32(end + 16);
	ck_assert_uint_eq(get16(end + 20), 0);
	ck_assert_uint_eq(dir_off + dir_len, len - 22);
	ck_assert_int_le((int)count, max);
	c = z + dir_off;
	for (i = 0; i < (int)count; i++) {
		ck_assert_uint_eq(get32(c), 0x02014b50UL);
		ck_assert_uint_eq(get16(c + 6), 20);
		e[i].flags = get16(c + 8);
		e[i].method = get16(c + 10);
		e[i].time = get16(c + 12);
		e[i].date = get16(c + 14);
		e[i].crc = get32(c + 16);
		e[i].packed = get32(c + 20);
		e[i].size = get32(c + 24);
		name_len = get16(c + 28);
		extra = get16(c + 30);
		comment = get16(c + 32);
		e[i].mode = get32(c + 38) >> 16;
		off = get32(c + 42);
		ck_assert_uint_lt(name_len, sizeof(e[i].name));
		memcpy(e[i].name, c + 46, name_len);
		e[i].name[name_len] = '\0';
		/* Info-ZIP's UTC time: tag, 5 bytes, flags, seconds. */
		ck_assert_uint_eq(extra, 9);
		ck_assert_uint_eq(get16(c + 46 + name_len), 0x5455);
		ck_assert_uint_eq(get16(c + 48 + name_len), 5);
		c += 46 + name_len + extra + comment;

		/* The local header repeats what the directory says. */
		l = z + off;
		ck_assert_uint_eq(get32(l), 0x04034b50UL);
		ck_assert_uint_eq(get16(l + 6), e[i].flags);
		ck_assert_uint_eq(get16(l + 8), e[i].method);
		ck_assert_uint_eq(get32(l + 14), e[i].crc);
		ck_assert_uint_eq(get32(l + 18), e[i].packed);
		ck_assert_uint_eq(get32(l + 22), e[i].size);
		ck_assert_uint_eq(get16(l + 26), name_len);
		ck_assert_int_eq(memcmp(l + 30, e[i].name, name_len), 0);
		l += 30 + name_len + get16(l + 28);
		ck_assert_uint_le((size_t)(l - z) + e[i].packed, dir_off);
		if (e[i].method == 8) {
			e[i].data = inflate_raw(l, e[i].packed, e[i].size);
			ck_assert_ptr_nonnull(e[i].data);
		} else {
			ck_assert_uint_eq(e[i].method, 0);
			ck_assert_uint_eq(e[i].packed, e[i].size);
			e[i].data = malloc(e[i].size + 1);
			memcpy(e[i].data, l, e[i].size);
		}
		ck_assert_uint_eq(crc32(crc32(0L, Z_NULL, 0), e[i].data,
		    (uInt)e[i].size), e[i].crc);
	}
	ck_assert_ptr_eq(c, end);
	return (int)count;
}

/* 4 March 2027, 09:30:10 UTC */
#define WHEN	((time_t)1804152610)

START_TEST(test_zip_files_read_back_with_zlib)
{
	struct zip *z = zip_new();
	struct entry e[4];
	char big[12000], *out;
	const char *small = "{\"name\": \"Ann\"}\n";
	size_t len, i;
	int n;

	for (i = 0; i + 1 < sizeof(big); i++)
		big[i] = "name,email\r\nAnn,ann@example.org\r\n"[i % 32];
	big[sizeof(big) - 1] = '\0';
	ck_assert_ptr_nonnull(z);
	ck_assert_int_eq(zip_add(z, "profile.json", small, strlen(small),
	    WHEN), 0);
	ck_assert_int_eq(zip_add(z, "registrations.csv", big, strlen(big),
	    WHEN), 0);
	ck_assert_int_eq(zip_add(z, "empty.csv", "", 0, WHEN), 0);
	ck_assert_int_eq(zip_add(z, "donn\xc3\xa9" "es/r\xc3\xa9sum\xc3\xa9.txt",
	    "ok", 2, WHEN), 0);
	ck_assert_ptr_nonnull(out = zip_finish(z, &len));

	n = read_zip((unsigned char *)out, len, e, 4);
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(e[0].name, "profile.json");
	ck_assert_uint_eq(e[0].method, 0);	/* too small to shrink */
	ck_assert_int_eq(memcmp(e[0].data, small, strlen(small)), 0);
	ck_assert_str_eq(e[1].name, "registrations.csv");
	ck_assert_uint_eq(e[1].method, 8);
	ck_assert_uint_lt(e[1].packed, e[1].size / 10);
	ck_assert_uint_eq(e[1].size, strlen(big));
	ck_assert_int_eq(memcmp(e[1].data, big, strlen(big)), 0);
	ck_assert_str_eq(e[2].name, "empty.csv");
	ck_assert_uint_eq(e[2].size, 0);
	ck_assert_uint_eq(e[2].crc, 0);
	ck_assert_str_eq(e[3].name, "donn\xc3\xa9" "es/r\xc3\xa9sum\xc3\xa9.txt");
	for (i = 0; i < 4; i++) {
		/* UTF-8 names, a plain rw-r--r-- file, MS-DOS time. */
		ck_assert_uint_eq(e[i].flags, 0x0800);
		ck_assert_uint_eq(e[i].mode, 0100644);
		ck_assert_uint_eq(e[i].date, (2027 - 1980) << 9 | 3 << 5 | 4);
		ck_assert_uint_eq(e[i].time, 9 << 11 | 30 << 5 | 10 / 2);
		free(e[i].data);
	}
	free(out);
}
END_TEST

START_TEST(test_zip_empty_archive_is_an_end_record)
{
	struct zip *z = zip_new();
	char *out;
	size_t len;

	ck_assert_ptr_nonnull(out = zip_finish(z, &len));
	ck_assert_uint_eq(len, 22);
	ck_assert_int_eq(memcmp(out, "PK\x05\x06", 4), 0);
	ck_assert_int_eq(read_zip((unsigned char *)out, len, NULL, 0), 0);
	free(out);
}
END_TEST

START_TEST(test_zip_refuses_names_unzip_would_misread)
{
	static const char *const bad[] = { "", "/etc/passwd", "../x",
	    "a/../b", "a/..", "./a", "a//b", "a/", "a\\b", "a\nb",
	    "a\x01" "b", "caf\xe9", NULL };
	struct zip *z;
	size_t len;
	int i;

	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(!zip_name_valid(bad[i]), "%s", bad[i]);
	ck_assert(zip_name_valid("README.txt"));
	ck_assert(zip_name_valid("a/b.c"));
	ck_assert(zip_name_valid("..a"));
	/* One bad name spoils the archive: nothing half made is given. */
	z = zip_new();
	ck_assert_int_eq(zip_add(z, "ok.txt", "x", 1, WHEN), 0);
	ck_assert_int_eq(zip_add(z, "../evil", "x", 1, WHEN), -1);
	ck_assert_ptr_null(zip_finish(z, &len));
	zip_free(NULL);
}
END_TEST

START_TEST(test_zip_times_before_1980_are_1980)
{
	struct zip *z = zip_new();
	struct entry e[1];
	char *out;
	size_t len;

	ck_assert_int_eq(zip_add(z, "old.txt", "x", 1, 0), 0);
	ck_assert_ptr_nonnull(out = zip_finish(z, &len));
	ck_assert_int_eq(read_zip((unsigned char *)out, len, e, 1), 1);
	ck_assert_uint_eq(e[0].date, 1 << 5 | 1);
	ck_assert_uint_eq(e[0].time, 0);
	free(e[0].data);
	free(out);
}
END_TEST

Suite *
zip_suite(void)
{
	Suite *s = suite_create("zip");
	TCase *tc = tcase_create("zip");

	tcase_add_test(tc, test_zip_files_read_back_with_zlib);
	tcase_add_test(tc, test_zip_empty_archive_is_an_end_record);
	tcase_add_test(tc, test_zip_refuses_names_unzip_would_misread);
	tcase_add_test(tc, test_zip_times_before_1980_are_1980);
	suite_add_tcase(s, tc);
	return s;
}
