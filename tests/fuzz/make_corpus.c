/*
 * Writes the fuzzer's seed pages into a directory: feed pages of entries
 * signed with seed-key.pem as a peer would send them, and hostile ones
 * (DOCTYPEs, entity bombs, deep nesting, wrapped and forged signatures).
 *
 *	make_corpus seed-key.pem DIR
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation.h"

#define NODE	"2b1e6c0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
#define RECORD	"6f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
#define RECORD2	"0d1e2f3a-4b5c-4d6e-9f0a-1b2c3d4e5f6a"

#define SOURCE \
	"  <source>\n" \
	"    <id>urn:uuid:" NODE "</id>\n" \
	"    <title>London social prescribing network</title>\n" \
	"    <updated>2026-11-30T10:15:00Z</updated>\n" \
	"  </source>\n"

static const char event_xml[] =
	"<entry xmlns=\"" FED_ATOM_NS "\" xmlns:acorn=\"" FED_ACORN_NS "\">\n"
	"  <id>urn:uuid:" RECORD "</id>\n"
	"  <title>Regional link worker forum</title>\n"
	"  <updated>2026-11-30T10:15:00Z</updated>\n"
	"  <link rel=\"alternate\" type=\"text/html\" "
	"href=\"https://london.example.org/events/" RECORD "\"/>\n"
	SOURCE
	"  <acorn:record kind=\"event\" version=\"3\" origin=\"urn:uuid:"
	NODE "\">\n"
	"    <acorn:title>Regional link worker forum</acorn:title>\n"
	"    <acorn:starts>2026-12-01T10:00:00Z</acorn:starts>\n"
	"    <acorn:online>true</acorn:online>\n"
	"  </acorn:record>\n"
	"</entry>\n";

static const char evaluation_xml[] =
	"<entry xmlns=\"" FED_ATOM_NS "\" xmlns:acorn=\"" FED_ACORN_NS "\">\n"
	"  <id>urn:uuid:" RECORD2 "</id>\n"
	"  <title>Green prescribing pilot</title>\n"
	"  <updated>2026-10-01T08:00:00Z</updated>\n"
	SOURCE
	"  <acorn:record kind=\"evaluation\" version=\"12\" origin=\"urn:uuid:"
	NODE "\">\n"
	"    <acorn:title>Green prescribing pilot</acorn:title>\n"
	"    <acorn:outcome outcome=\"wellbeing\" direction=\"improved\" "
	"measure=\"WEMWBS\" figure=\"+4.2\"/>\n"
	"  </acorn:record>\n"
	"</entry>\n";

static const char tombstone_xml[] =
	"<at:deleted-entry xmlns:at=\"" FED_TOMB_NS "\" xmlns=\"" FED_ATOM_NS
	"\" xmlns:acorn=\"" FED_ACORN_NS "\" ref=\"urn:uuid:" RECORD "\" "
	"when=\"2026-11-30T11:00:00Z\">\n"
	"  <at:comment>Withdrawn by its origin.</at:comment>\n"
	SOURCE
	"  <acorn:record kind=\"event\" version=\"4\" origin=\"urn:uuid:"
	NODE "\" deleted=\"true\"/>\n"
	"</at:deleted-entry>\n";

#define FEED_HEAD \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<feed xmlns=\"" FED_ATOM_NS "\" xmlns:acorn=\"" FED_ACORN_NS "\">\n" \
	"  <id>urn:uuid:" NODE "</id>\n" \
	"  <title>London social prescribing network</title>\n" \
	"  <updated>2026-11-30T11:00:00Z</updated>\n" \
	"  <acorn:cursor>42</acorn:cursor>\n" \
	"  <link rel=\"next\" href=\"https://london.example.org/feeds/" \
	"events?after=42\"/>\n"
#define FEED_TAIL	"</feed>\n"

static const char *dir;

static void
put(const char *name, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) == EOF)
		err(1, "%s", path);
}

/* A page of head, the texts and tail; malloc'd. */
static char *
join(const char *head, const char *a, const char *b, const char *c,
    const char *tail)
{
	size_t len = strlen(head) + strlen(tail) + 8;
	char *s;

	len += (a ? strlen(a) : 0) + (b ? strlen(b) : 0) + (c ? strlen(c) : 0);
	if ((s = malloc(len)) == NULL)
		err(1, NULL);
	snprintf(s, len, "%s%s\n%s\n%s\n%s", head, a ? a : "", b ? b : "",
	    c ? c : "", tail);
	return s;
}

/* s with its first from replaced by to; malloc'd. */
static char *
edit(const char *s, const char *from, const char *to)
{
	const char *at;
	size_t len;
	char *out;

	if ((at = strstr(s, from)) == NULL)
		errx(1, "\"%s\" not found", from);
	len = strlen(s) - strlen(from) + strlen(to) + 1;
	if ((out = malloc(len)) == NULL)
		err(1, NULL);
	snprintf(out, len, "%.*s%s%s", (int)(at - s), s, to,
	    at + strlen(from));
	return out;
}

static char *
sign(const char *xml, EVP_PKEY *key, const char *fp)
{
	char *s;

	if ((s = fed_sign(xml, strlen(xml), key, fp)) == NULL)
		errx(1, "signing failed");
	return s;
}

static void
valid_pages(const char *ev, const char *eval, const char *tomb)
{
	char *p;

	p = join(FEED_HEAD, ev, NULL, NULL, FEED_TAIL);
	put("valid-one-entry.xml", p);
	free(p);
	p = join(FEED_HEAD, ev, eval, tomb, FEED_TAIL);
	put("valid-three-entries.xml", p);
	free(p);
	p = join("<a:feed xmlns:a=\"" FED_ATOM_NS "\" xmlns=\"urn:x\" "
	    "xmlns:ds=\"" FED_DSIG_NS "\" xml:lang=\"cy\">"
	    "<acorn:cursor xmlns:acorn=\"" FED_ACORN_NS "\">7</acorn:cursor>",
	    eval, tomb, NULL, "</a:feed>");
	put("valid-other-prefixes.xml", p);
	free(p);
	put("valid-empty.xml", FEED_HEAD FEED_TAIL);
}

static void
forged_pages(const char *ev)
{
	char *e, *p, *ref, *two;
	const char *s0, *s1;

	e = edit(ev, "Regional link", "Regional Link");
	p = join(FEED_HEAD, e, NULL, NULL, FEED_TAIL);
	put("forged-changed-text.xml", p);
	free(p);
	free(e);

	e = edit(ev, "<ds:KeyInfo>", "<ds:KeyInfo><ds:KeyValue/>");
	p = join(FEED_HEAD, e, NULL, NULL, FEED_TAIL);
	put("forged-key-value.xml", p);
	free(p);
	free(e);

	/* The reference twice over. */
	s0 = strstr(ev, "<ds:Reference");
	s1 = strstr(ev, "</ds:Reference>");
	if (s0 == NULL || s1 == NULL)
		errx(1, "no reference");
	ref = strndup(s0, (size_t)(s1 - s0) + strlen("</ds:Reference>"));
	if (ref == NULL || (two = malloc(strlen(ref) + 20)) == NULL)
		err(1, NULL);
	snprintf(two, strlen(ref) + 20, "%s</ds:SignedInfo>", ref);
	e = edit(ev, "</ds:SignedInfo>", two);
	p = join(FEED_HEAD, e, NULL, NULL, FEED_TAIL);
	put("forged-two-references.xml", p);
	free(p);
	free(e);
	free(two);
	free(ref);

	p = join(FEED_HEAD "<entry><id>urn:uuid:" RECORD2 "</id><content "
	    "type=\"xhtml\">", ev, "</content></entry>", NULL, FEED_TAIL);
	put("forged-wrapped.xml", p);
	free(p);

	p = join(FEED_HEAD, ev, NULL, NULL, FEED_TAIL);
	p[strlen(p) / 2] = '\0';
	put("truncated.xml", p);
	free(p);
}

static void
hostile_pages(void)
{
	char deep[64 * 7 + 64], *d = deep;
	int i;

	put("doctype-xxe.xml", "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE feed [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
	    "<feed xmlns=\"" FED_ATOM_NS "\"><title>&xxe;</title></feed>\n");
	put("doctype-laughs.xml", "<!DOCTYPE l [<!ENTITY a \"aaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
	    "<feed xmlns=\"" FED_ATOM_NS "\">&c;</feed>\n");
	d += sprintf(d, "<feed xmlns=\"" FED_ATOM_NS "\">");
	for (i = 0; i < 40; i++)
		d += sprintf(d, "<a>");
	for (i = 0; i < 40; i++)
		d += sprintf(d, "</a>");
	sprintf(d, "</feed>\n");
	put("deep.xml", deep);
	put("bad-cursor.xml", "<feed xmlns=\"" FED_ATOM_NS "\" xmlns:acorn=\""
	    FED_ACORN_NS "\"><acorn:cursor>-1</acorn:cursor></feed>\n");
}

int
main(int argc, char *argv[])
{
	EVP_PKEY *key;
	char fp[FED_FP_LEN + 1], *ev, *eval, *tomb;

	if (argc != 3)
		errx(2, "usage: make_corpus seed-key.pem DIR");
	dir = argv[2];
	if (fed_init() == -1 || (key = fed_key_load(argv[1])) == NULL ||
	    fed_fingerprint(key, fp) == -1)
		errx(1, "cannot load %s", argv[1]);
	ev = sign(event_xml, key, fp);
	eval = sign(evaluation_xml, key, fp);
	tomb = sign(tombstone_xml, key, fp);
	valid_pages(ev, eval, tomb);
	forged_pages(ev);
	hostile_pages();
	free(ev);
	free(eval);
	free(tomb);
	EVP_PKEY_free(key);
	fed_cleanup();
	return 0;
}
