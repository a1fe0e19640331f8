/*
 * The federation library against docs/protocol.md: node keys, entries
 * signed here and checked by the stock xmlsec1 tool, feed pages split
 * into entries that keep their signed bytes, records read from verified
 * entries, and the refusal of hostile XML and forged signatures.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "federation.h"
#include "atom.h"
#include "fed_internal.h"
#include "unit.h"

#define ORIGIN		"2b1e6c0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
#define OTHER		"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
#define RECORD		"6f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
#define RECORD2		"0d1e2f3a-4b5c-4d6e-9f0a-1b2c3d4e5f6a"

#define ENTRY_HEAD \
	"<entry xmlns=\"" FED_ATOM_NS "\" xmlns:acorn=\"" FED_ACORN_NS "\">\n"
#define SOURCE(node) \
	"  <source>\n" \
	"    <id>urn:uuid:" node "</id>\n" \
	"    <title>London social prescribing network</title>\n" \
	"    <updated>2026-11-30T10:15:00Z</updated>\n" \
	"  </source>\n"

/* An event as its origin publishes it, before signing. */
static const char event_xml[] =
	ENTRY_HEAD
	"  <id>urn:uuid:" RECORD "</id>\n"
	"  <title>Regional link worker forum</title>\n"
	"  <updated>2026-11-30T10:15:00Z</updated>\n"
	"  <link rel=\"alternate\" type=\"text/html\"\n"
	"      href=\"https://london.example.org/events/" RECORD "\"/>\n"
	"  <content type=\"html\">&lt;p&gt;Link workers &amp; GPs&lt;/p&gt;"
	"</content>\n"
	SOURCE(ORIGIN)
	"  <acorn:record kind=\"event\" version=\"3\" origin=\"urn:uuid:"
	ORIGIN "\">\n"
	"    <acorn:title>Regional link worker forum</acorn:title>\n"
	"    <acorn:starts>2026-12-01T10:00:00Z</acorn:starts>\n"
	"    <acorn:venue>Caf\xc3\xa9 Gwenll\xc3\xaf" "an, 2 &lt; 3 Road"
	"</acorn:venue>\n"
	"  </acorn:record>\n"
	"</entry>\n";

static const char tombstone_xml[] =
	"<at:deleted-entry xmlns:at=\"" FED_TOMB_NS "\"\n"
	"    xmlns=\"" FED_ATOM_NS "\" xmlns:acorn=\"" FED_ACORN_NS "\"\n"
	"    ref=\"urn:uuid:" RECORD2 "\" when=\"2026-11-30T11:00:00Z\">\n"
	"  <at:comment>Withdrawn by its origin.</at:comment>\n"
	SOURCE(OTHER)
	"  <acorn:record kind=\"member\" version=\"4\" origin=\"urn:uuid:"
	OTHER "\" deleted=\"true\"/>\n"
	"</at:deleted-entry>\n";

static const char evaluation_xml[] =
	ENTRY_HEAD
	"  <id>urn:uuid:" RECORD2 "</id>\n"
	"  <title>Green prescribing pilot</title>\n"
	"  <updated>2026-10-01T08:00:00.250+01:00</updated>\n"
	SOURCE(ORIGIN)
	"  <acorn:record kind=\"evaluation\" version=\"12\" origin=\"urn:uuid:"
	ORIGIN "\">\n"
	"    <acorn:title>Green prescribing pilot</acorn:title>\n"
	"    <acorn:outcome outcome=\"wellbeing\" direction=\"improved\"\n"
	"        measure=\"WEMWBS\" figure=\"+4.2\"/>\n"
	"    <acorn:outcome outcome=\"loneliness\" direction=\"no_change\"/>\n"
	"  </acorn:record>\n"
	"</entry>\n";

/* A registration entry, as a home node sends it to an event's host. */
static const char registration_xml[] =
	ENTRY_HEAD
	"  <id>urn:uuid:" RECORD2 "</id>\n"
	"  <title>Registration</title>\n"
	"  <updated>2026-11-30T10:15:00Z</updated>\n"
	SOURCE(ORIGIN)
	"  <acorn:record kind=\"registration\" version=\"1\" origin=\"urn:uuid:"
	ORIGIN "\">\n"
	"    <acorn:event>urn:uuid:" RECORD "</acorn:event>\n"
	"    <acorn:place ref=\"12\" colour=\"red\">In person</acorn:place>\n"
	"    <acorn:answer question=\"31\">Step-free access</acorn:answer>\n"
	"    <acorn:answer question=\"32\" kind=\"text\">Evaluation</acorn:answer>\n"
	"    <acorn:question ref=\"7\" kind=\"yesno\" required=\"true\">Lunch?"
	"</acorn:question>\n"
	"  </acorn:record>\n"
	"</entry>\n";

/* Made once per test case, before its tests fork. */
static char dir[64];
static char path_a[128], path_b[128];
static EVP_PKEY *key_a, *key_b;
static char fp_a[FED_FP_LEN + 1], fp_b[FED_FP_LEN + 1];
static char *pem_a, *pem_b;

static void
keys_setup(void)
{
	ck_assert_int_eq(fed_init(), 0);
	snprintf(dir, sizeof(dir), "/tmp/acorn-fed-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path_a, sizeof(path_a), "%s/a.pem", dir);
	snprintf(path_b, sizeof(path_b), "%s/b.pem", dir);
	ck_assert_int_eq(fed_keygen(path_a), 0);
	ck_assert_int_eq(fed_keygen(path_b), 0);
	ck_assert_ptr_nonnull(key_a = fed_key_load(path_a));
	ck_assert_ptr_nonnull(key_b = fed_key_load(path_b));
	ck_assert_int_eq(fed_fingerprint(key_a, fp_a), 0);
	ck_assert_int_eq(fed_fingerprint(key_b, fp_b), 0);
	ck_assert_ptr_nonnull(pem_a = fed_public_pem(key_a));
	ck_assert_ptr_nonnull(pem_b = fed_public_pem(key_b));
}

static void
keys_teardown(void)
{
	char cmd[128];

	EVP_PKEY_free(key_a);
	EVP_PKEY_free(key_b);
	free(pem_a);
	free(pem_b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* A trust store: fingerprint, key and node, ended by a NULL fp. */
struct trust {
	const char	*fp;
	const char	*pem;
	const char	*node;
};

static char *
lookup(void *arg, const char *fp, char node[FED_UUID_LEN + 1])
{
	const struct trust *t;

	for (t = arg; t->fp != NULL; t++)
		if (strcmp(t->fp, fp) == 0) {
			snprintf(node, FED_UUID_LEN + 1, "%s", t->node);
			return strdup(t->pem);
		}
	return NULL;
}

/* s with its first from replaced by to, malloc'd; from must be there. */
static char *
edit(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t pre, flen = strlen(from), tlen = strlen(to);
	char *out;

	ck_assert_msg(at != NULL, "\"%s\" is not in the text", from);
	pre = (size_t)(at - s);
	ck_assert_ptr_nonnull(out = malloc(strlen(s) - flen + tlen + 1));
	memcpy(out, s, pre);
	memcpy(out + pre, to, tlen);
	strcpy(out + pre + tlen, at + flen);
	return out;
}

/* The text from the first "from" to the end of the first "to" after it. */
static char *
slice(const char *s, const char *from, const char *to)
{
	const char *a = strstr(s, from), *b;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b = strstr(a, to));
	return strndup(a, (size_t)(b + strlen(to) - a));
}

static char *
sign_with(const char *xml, EVP_PKEY *key, const char *fp)
{
	char *s = fed_sign(xml, strlen(xml), key, fp);

	ck_assert_ptr_nonnull(s);
	return s;
}

/*
 * Parses and verifies text against trust: 0 or -1, the reason in *why,
 * the signer in signer (may be NULL) and, when canonical is not NULL,
 * the canonical text there.
 */
static int
verify_text(const char *text, struct trust *trust, char *signer,
    char **canonical, const char **why)
{
	xmlDocPtr doc;
	char node[FED_UUID_LEN + 1], *c14n = NULL;
	int rc;

	if ((doc = fed_parse(text, strlen(text), why)) == NULL)
		return -1;
	rc = fed_verify(doc, lookup, trust, node, &c14n, why);
	xmlFreeDoc(doc);
	if (rc == 0) {
		ck_assert_ptr_nonnull(c14n);
		ck_assert_ptr_null(*why);
		if (signer != NULL)
			memcpy(signer, node, sizeof(node));
	} else {
		ck_assert_ptr_null(c14n);
		ck_assert_ptr_nonnull(*why);
		ck_assert_str_eq(node, "");
	}
	if (canonical != NULL)
		*canonical = c14n;
	else
		free(c14n);
	return rc;
}

/* The reason text is refused for, trusting key A as ORIGIN's. */
static const char *
refusal(const char *text)
{
	struct trust trust[] = { { fp_a, pem_a, ORIGIN }, { NULL, NULL, NULL } };
	const char *why = NULL;

	ck_assert_int_eq(verify_text(text, trust, NULL, NULL, &why), -1);
	return why;
}

static int
write_text(const char *path, const char *text)
{
	FILE *f;
	int rc;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	rc = fputs(text, f) == EOF ? -1 : 0;
	return fclose(f) == EOF ? -1 : rc;
}

static char *
read_text(const char *path)
{
	static char buf[4096];
	FILE *f;
	size_t n;

	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* sign.c: keys */

START_TEST(test_keygen_writes_0600_file_and_never_overwrites)
{
	struct stat st;
	char path[160], before[4096];
	EVP_PKEY *k;

	snprintf(path, sizeof(path), "%s/node.pem", dir);
	ck_assert_int_eq(fed_keygen(path), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	snprintf(before, sizeof(before), "%s", read_text(path));
	ck_assert_int_eq(strncmp(before, "-----BEGIN PRIVATE KEY-----\n", 28),
	    0);
	ck_assert_ptr_nonnull(k = fed_key_load(path));
	EVP_PKEY_free(k);

	errno = 0;
	ck_assert_int_eq(fed_keygen(path), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_str_eq(read_text(path), before);

	snprintf(path, sizeof(path), "%s/no/such/dir/node.pem", dir);
	errno = 0;
	ck_assert_int_eq(fed_keygen(path), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_keygen_refuses_a_symlink_in_place_of_the_key)
{
	char link[160], target[160];

	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	snprintf(link, sizeof(link), "%s/linked.pem", dir);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(fed_keygen(link), -1);
	ck_assert_int_eq(access(target, F_OK), -1);
}
END_TEST

START_TEST(test_fingerprint_is_sha256_of_der_public_key)
{
	char pub[160], cmd[512], line[128];
	FILE *p;

	ck_assert_uint_eq(strlen(fp_a), FED_FP_LEN);
	ck_assert_uint_eq(strspn(fp_a, "0123456789abcdef"), FED_FP_LEN);
	ck_assert_str_ne(fp_a, fp_b);

	/* The openssl tool, as protocol.md section 1 describes. */
	snprintf(pub, sizeof(pub), "%s/a.pub", dir);
	ck_assert_int_eq(write_text(pub, pem_a), 0);
	snprintf(cmd, sizeof(cmd), "openssl pkey -pubin -in '%s' -outform DER"
	    " | sha256sum", pub);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	ck_assert_int_eq(pclose(p), 0);
	line[FED_FP_LEN] = '\0';
	ck_assert_str_eq(line, fp_a);
}
END_TEST

START_TEST(test_public_pem_round_trips_to_same_fingerprint)
{
	EVP_PKEY *k;
	char fp[FED_FP_LEN + 1];

	ck_assert_int_eq(strncmp(pem_a, "-----BEGIN PUBLIC KEY-----\n", 27), 0);
	ck_assert_ptr_null(strstr(pem_a, "PRIVATE"));
	ck_assert_ptr_nonnull(k = fed_pem_key(pem_a));
	ck_assert_int_eq(fed_fingerprint(k, fp), 0);
	ck_assert_str_eq(fp, fp_a);
	EVP_PKEY_free(k);
}
END_TEST

static char *
pem_of(EVP_PKEY *k)
{
	char *pem;

	ck_assert_ptr_nonnull(k);
	pem = fed_public_pem(k);
	EVP_PKEY_free(k);
	ck_assert_ptr_nonnull(pem);
	return pem;
}

START_TEST(test_pem_key_takes_only_p256_public_keys)
{
	char *pem, other[160];
	FILE *f;
	EVP_PKEY *k;

	pem = pem_of(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"));
	ck_assert_ptr_null(fed_pem_key(pem));
	free(pem);
	pem = pem_of(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1"));
	ck_assert_ptr_null(fed_pem_key(pem));
	free(pem);
	pem = pem_of(EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"));
	ck_assert_ptr_null(fed_pem_key(pem));
	free(pem);
	ck_assert_ptr_null(fed_pem_key(""));
	ck_assert_ptr_null(fed_pem_key(NULL));
	ck_assert_ptr_null(fed_pem_key("-----BEGIN PUBLIC KEY-----\nAAAA\n"
	    "-----END PUBLIC KEY-----\n"));
	/* A private key is not taken for a public one. */
	ck_assert_ptr_null(fed_pem_key(read_text(path_a)));

	/* Nor is a private key file of another curve loaded. */
	snprintf(other, sizeof(other), "%s/p384.pem", dir);
	ck_assert_ptr_nonnull(k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"));
	ck_assert_ptr_nonnull(f = fopen(other, "w"));
	ck_assert_int_eq(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(f);
	EVP_PKEY_free(k);
	ck_assert_ptr_null(fed_key_load(other));
	ck_assert_ptr_null(fed_key_load(dir));
}
END_TEST

/* sign.c and verify.c: signing and verifying */

START_TEST(test_signed_entry_verifies_and_names_its_signer)
{
	struct trust trust[] = { { fp_a, pem_a, ORIGIN }, { NULL, NULL, NULL } };
	char signer[FED_UUID_LEN + 1], *signed_xml, *c14n, *keyname;
	const char *why;

	signed_xml = sign_with(event_xml, key_a, fp_a);
	ck_assert_int_eq(strncmp(signed_xml, "<entry xmlns=", 13), 0);
	ck_assert_ptr_nonnull(strstr(signed_xml, "<ds:Reference URI=\"\">"));
	ck_assert_int_eq(strcmp(signed_xml + strlen(signed_xml) - 23,
	    "</ds:Signature></entry>"), 0);
	ck_assert_ptr_nonnull(keyname = malloc(FED_FP_LEN + 32));
	snprintf(keyname, FED_FP_LEN + 32, "<ds:KeyName>%s</ds:KeyName>", fp_a);
	ck_assert_ptr_nonnull(strstr(signed_xml, keyname));
	free(keyname);

	ck_assert_int_eq(verify_text(signed_xml, trust, signer, &c14n, &why),
	    0);
	ck_assert_str_eq(signer, ORIGIN);
	/* What is stored and relayed is what was signed, byte for byte. */
	ck_assert_str_eq(c14n, signed_xml);
	free(c14n);
	free(signed_xml);
}
END_TEST

START_TEST(test_signed_tombstone_verifies)
{
	struct trust trust[] = { { fp_b, pem_b, OTHER }, { NULL, NULL, NULL } };
	char signer[FED_UUID_LEN + 1], *signed_xml, *c14n;
	const char *why;

	signed_xml = sign_with(tombstone_xml, key_b, fp_b);
	ck_assert_int_eq(strncmp(signed_xml, "<at:deleted-entry", 17), 0);
	ck_assert_int_eq(verify_text(signed_xml, trust, signer, &c14n, &why),
	    0);
	ck_assert_str_eq(signer, OTHER);
	ck_assert_str_eq(c14n, signed_xml);
	free(c14n);
	free(signed_xml);
}
END_TEST

START_TEST(test_stock_xmlsec1_verifies_what_we_sign)
{
	char entry[160], pub_a[160], pub_b[160], cmd[600];
	char *signed_xml, *changed;

	snprintf(entry, sizeof(entry), "%s/entry.xml", dir);
	snprintf(pub_a, sizeof(pub_a), "%s/a.pub", dir);
	snprintf(pub_b, sizeof(pub_b), "%s/b.pub", dir);
	ck_assert_int_eq(write_text(pub_a, pem_a), 0);
	ck_assert_int_eq(write_text(pub_b, pem_b), 0);

	signed_xml = sign_with(event_xml, key_a, fp_a);
	ck_assert_int_eq(write_text(entry, signed_xml), 0);
	snprintf(cmd, sizeof(cmd), "/usr/bin/xmlsec1 --verify --pubkey-pem "
	    "'%s' '%s' >/dev/null 2>&1", pub_a, entry);
	ck_assert_int_eq(system(cmd), 0);

	/* The tool is not simply saying yes. */
	snprintf(cmd, sizeof(cmd), "/usr/bin/xmlsec1 --verify --pubkey-pem "
	    "'%s' '%s' >/dev/null 2>&1", pub_b, entry);
	ck_assert_int_ne(system(cmd), 0);
	changed = edit(signed_xml, "Regional link worker forum</acorn:title>",
	    "Regional link worker forum!</acorn:title>");
	ck_assert_int_eq(write_text(entry, changed), 0);
	snprintf(cmd, sizeof(cmd), "/usr/bin/xmlsec1 --verify --pubkey-pem "
	    "'%s' '%s' >/dev/null 2>&1", pub_a, entry);
	ck_assert_int_ne(system(cmd), 0);
	free(changed);
	free(signed_xml);

	/* And a tombstone. */
	signed_xml = sign_with(tombstone_xml, key_b, fp_b);
	ck_assert_int_eq(write_text(entry, signed_xml), 0);
	snprintf(cmd, sizeof(cmd), "/usr/bin/xmlsec1 --verify --pubkey-pem "
	    "'%s' '%s' >/dev/null 2>&1", pub_b, entry);
	ck_assert_int_eq(system(cmd), 0);
	free(signed_xml);
}
END_TEST

/* The text between from and to in s, malloc'd. */
static char *
between(const char *s, const char *from, const char *to)
{
	const char *a = strstr(s, from), *b;

	ck_assert_ptr_nonnull(a);
	a += strlen(from);
	ck_assert_ptr_nonnull(b = strstr(a, to));
	return strndup(a, (size_t)(b - a));
}

/* signed_xml with the signature value made from raw bytes instead. */
static char *
with_signature_value(const char *signed_xml, const unsigned char *raw,
    size_t len)
{
	char *old, *from, *to, *out;
	unsigned char b64[256];

	ck_assert_uint_le(len, 180);
	EVP_EncodeBlock(b64, raw, (int)len);
	old = between(signed_xml, "<ds:SignatureValue>", "</ds:SignatureValue>");
	ck_assert_int_ge(asprintf(&from, "<ds:SignatureValue>%s<", old), 0);
	ck_assert_int_ge(asprintf(&to, "<ds:SignatureValue>%s<", b64), 0);
	out = edit(signed_xml, from, to);
	free(old);
	free(from);
	free(to);
	return out;
}

/*
 * The signature's values are checked here without xmlsec's general
 * machinery: whatever the stock xmlsec1 tool says of an entry in the
 * one shape the protocol allows, this node says too, and what it
 * stores is still the signed bytes.
 */
START_TEST(test_signature_values_checked_as_xmlsec_checks_them)
{
	struct trust trust[] = { { fp_a, pem_a, ORIGIN }, { NULL, NULL, NULL } };
	char entry[160], pub[160], cmd[600], *signed_xml, *value, *digest;
	char *v[10], *spaced, *c14n;
	unsigned char raw[100], swapped[64];
	const char *why;
	int len, ours, theirs, expect[10];
	size_t i, j, n = 0, comment;

	snprintf(entry, sizeof(entry), "%s/values.xml", dir);
	snprintf(pub, sizeof(pub), "%s/values.pub", dir);
	ck_assert_int_eq(write_text(pub, pem_a), 0);
	signed_xml = sign_with(event_xml, key_a, fp_a);
	value = between(signed_xml, "<ds:SignatureValue>",
	    "</ds:SignatureValue>");
	digest = between(signed_xml, "<ds:DigestValue>", "</ds:DigestValue>");
	/* As signed, the value may be broken over lines already. */
	ck_assert_ptr_nonnull(spaced = strdup(value));
	for (i = 0, j = 0; value[i] != '\0'; i++)
		if (value[i] != '\n' && value[i] != ' ')
			spaced[j++] = value[i];
	spaced[j] = '\0';
	len = EVP_DecodeBlock(raw, (const unsigned char *)spaced,
	    (int)strlen(spaced));
	ck_assert_int_ge(len, 64);	/* 64, and padding's zeros */

	/* As signed. */
	expect[n] = 0;
	v[n++] = strdup(signed_xml);
	/* Base64 broken over lines and spaced otherwise, as XML-DSig allows. */
	ck_assert_ptr_nonnull(c14n = calloc(strlen(spaced) * 2 + 8, 1));
	for (i = 0, j = 0; spaced[i] != '\0'; i++) {
		if (i > 0 && i % 16 == 0)
			c14n[j++] = i % 32 == 0 ? '\n' : ' ';
		c14n[j++] = spaced[i];
	}
	expect[n] = 0;
	v[n++] = edit(signed_xml, value, c14n);
	free(c14n);
	free(spaced);
	/* The digest's value is inside SignedInfo: spacing it is a change. */
	spaced = edit(signed_xml, "<ds:DigestValue>", "<ds:DigestValue>\n  ");
	expect[n] = -1;
	v[n++] = edit(spaced, "</ds:DigestValue>", "\n</ds:DigestValue>");
	free(spaced);
	/* A comment: not signed, and not kept. */
	comment = n;
	expect[n] = 0;
	v[n++] = edit(signed_xml, "<title>", "<!-- an aside --><title>");
	/* The digest changed: one character of it. */
	ck_assert_ptr_nonnull(spaced = strdup(digest));
	spaced[0] = spaced[0] == 'A' ? 'B' : 'A';
	expect[n] = -1;
	v[n++] = edit(signed_xml, digest, spaced);
	free(spaced);
	/* r and s swapped; only r; r, s and more. */
	memcpy(swapped, raw + 32, 32);
	memcpy(swapped + 32, raw, 32);
	expect[n] = -1;
	v[n++] = with_signature_value(signed_xml, swapped, 64);
	expect[n] = -1;
	v[n++] = with_signature_value(signed_xml, raw, 32);
	memset(raw + 64, 0, 3);
	expect[n] = -1;
	v[n++] = with_signature_value(signed_xml, raw, 67);

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(write_text(entry, v[i]), 0);
		snprintf(cmd, sizeof(cmd), "/usr/bin/xmlsec1 --verify "
		    "--pubkey-pem '%s' '%s' >/dev/null 2>&1", pub, entry);
		theirs = system(cmd) == 0 ? 0 : -1;
		c14n = NULL;
		ours = verify_text(v[i], trust, NULL, &c14n, &why);
		ck_assert_msg(ours == theirs && ours == expect[i],
		    "variant %zu: here %d, xmlsec1 %d, expected %d (%s)", i,
		    ours, theirs, expect[i], ours == 0 ? "verified" : why);
		/* What is stored: the entry as received, less its comment. */
		if (ours == 0)
			ck_assert_str_eq(c14n, i == comment ? signed_xml : v[i]);
		else
			ck_assert_str_eq(why, "signature does not verify");
		free(c14n);
		free(v[i]);
	}
	free(value);
	free(digest);
	free(signed_xml);
}
END_TEST

/*
 * An entry signed by another implementation may lay its signature out
 * otherwise (base64 broken into lines, indentation between the parts):
 * it verifies the general way, as one laid out as Acorn lays it out is
 * checked from its canonical text; and either way any change fails.
 */
START_TEST(test_signature_laid_out_otherwise_still_verifies)
{
	struct trust trust[] = { { fp_a, pem_a, ORIGIN }, { NULL, NULL, NULL } };
	char *signed_xml, *value, *broken, *from, *to, *c14n, *changed;
	const char *why;
	char signer[FED_UUID_LEN + 1];

	signed_xml = sign_with(event_xml, key_a, fp_a);
	value = between(signed_xml, "<ds:SignatureValue>",
	    "</ds:SignatureValue>");
	ck_assert_int_ge(asprintf(&from, "<ds:SignatureValue>%s<", value), 0);
	ck_assert_int_ge(asprintf(&to, "<ds:SignatureValue>\n%.40s\n%s\n<",
	    value, value + 40), 0);
	broken = edit(signed_xml, from, to);
	changed = edit(broken, "</ds:SignatureValue>\n<ds:KeyInfo>",
	    "</ds:SignatureValue>\n    <ds:KeyInfo>");
	ck_assert_int_eq(verify_text(changed, trust, signer, &c14n, &why), 0);
	ck_assert_str_eq(signer, ORIGIN);
	/* What is kept is its canonical form, the layout as it came. */
	ck_assert_ptr_nonnull(strstr(c14n, "    <ds:KeyInfo>"));
	free(c14n);
	free(changed);
	changed = edit(broken, "Regional link worker forum</acorn:title>",
	    "Regional link worker forum!</acorn:title>");
	ck_assert_str_eq(refusal(changed), "signature does not verify");
	free(changed);
	/* A text after the signature is content the digest did not cover. */
	changed = edit(signed_xml, "</ds:Signature></entry>",
	    "</ds:Signature>\n</entry>");
	ck_assert_str_eq(refusal(changed), "signature does not verify");
	free(changed);
	free(broken);
	free(from);
	free(to);
	free(value);
	free(signed_xml);
}
END_TEST

START_TEST(test_any_changed_content_fails)
{
	static const char *const changes[][2] = {
		{ "Regional link worker forum</acorn:title>",
		    "Regional link worker forum!</acorn:title>" },
		{ "version=\"3\"", "version=\"4\"" },
		{ "kind=\"event\"", "kind=\"term\"" },
		{ "  <title>", "   <title>" },
		{ "&amp; GPs", "&amp; GPS" },
		{ "Gwenll\xc3\xaf" "an", "Gwenllian" },
		{ "</acorn:record>", "</acorn:record><extra/>" },
	};
	char *signed_xml, *changed;
	size_t i;

	signed_xml = sign_with(event_xml, key_a, fp_a);
	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		changed = edit(signed_xml, changes[i][0], changes[i][1]);
		ck_assert_str_eq(refusal(changed), "signature does not verify");
		free(changed);
	}
	/* The signature value itself: a digit of its base64 changed. */
	changed = edit(signed_xml, "<ds:SignatureValue>",
	    "<ds:SignatureValue>AAAA");
	ck_assert_str_eq(refusal(changed), "signature does not verify");
	free(changed);
	free(signed_xml);
}
END_TEST

START_TEST(test_signature_by_untrusted_key_is_refused)
{
	char *signed_xml = sign_with(event_xml, key_b, fp_b);

	ck_assert_str_eq(refusal(signed_xml),
	    "signed by a key this node does not trust");
	free(signed_xml);
}
END_TEST

/*
 * A key name is only a name: another key's valid signature under the
 * trusted key's fingerprint is checked against the trusted key, and
 * fails.
 */
START_TEST(test_trusted_key_name_lends_no_trust)
{
	char *signed_xml, *forged;

	signed_xml = sign_with(event_xml, key_b, fp_b);
	forged = edit(signed_xml, fp_b, fp_a);
	ck_assert_str_eq(refusal(forged), "signature does not verify");
	free(forged);
	free(signed_xml);

	/* Nor does fed_sign write a name that is not its key's. */
	ck_assert_ptr_null(fed_sign(event_xml, strlen(event_xml), key_b,
	    fp_a));
}
END_TEST

START_TEST(test_key_material_in_key_info_is_refused)
{
	static const char *const extra[] = {
		"<ds:KeyValue><ds:ECKeyValue/></ds:KeyValue>",
		"<ds:X509Data><ds:X509Certificate>MIIB</ds:X509Certificate>"
		    "</ds:X509Data>",
		"<ds:RetrievalMethod URI=\"#key\"/>",
		"<ds:KeyName>0000000000000000000000000000000000000000000000000"
		    "000000000000000</ds:KeyName>",
		"<x:key xmlns:x=\"urn:x\"/>",
	};
	char *signed_xml, *changed, *to;
	size_t i;

	signed_xml = sign_with(event_xml, key_a, fp_a);
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		ck_assert_ptr_nonnull(to = malloc(strlen(extra[i]) + 20));
		sprintf(to, "%s</ds:KeyInfo>", extra[i]);
		changed = edit(signed_xml, "</ds:KeyInfo>", to);
		ck_assert_str_eq(refusal(changed),
		    "the signature carries its own key");
		free(changed);
		/* In place of the name, too. */
		sprintf(to, "<ds:KeyInfo>%s", extra[i]);
		changed = edit(signed_xml, "<ds:KeyInfo>", to);
		ck_assert_str_eq(refusal(changed),
		    "the signature carries its own key");
		free(changed);
		free(to);
	}
	changed = edit(signed_xml, fp_a, "C3BAFB");
	ck_assert_str_eq(refusal(changed), "the key name is not a fingerprint");
	free(changed);
	free(signed_xml);
}
END_TEST

START_TEST(test_references_and_algorithms_other_than_ours_are_refused)
{
#define TR_ENV	"<ds:Transform Algorithm=\"http://www.w3.org/2000/09/" \
		"xmldsig#enveloped-signature\"></ds:Transform>"
#define TR_EXC	"<ds:Transform Algorithm=\"http://www.w3.org/2001/10/" \
		"xml-exc-c14n#\"></ds:Transform>"
#define TR_XPATH "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/" \
		"REC-xpath-19991116\"><ds:XPath>/</ds:XPath></ds:Transform>"
#define NOT_WHOLE	"the reference is not to the whole document"
#define TRANSFORMS	"the transforms are not enveloped-signature then " \
			"exclusive C14N"
	static const char *const cases[][3] = {
		{ "URI=\"\"", "URI=\"#x\"", NOT_WHOLE },
		{ "URI=\"\"", "URI=\" \"", NOT_WHOLE },
		{ " URI=\"\"", "", NOT_WHOLE },
		{ "URI=\"\"", "URI=\"\" Type=\"urn:x\"", NOT_WHOLE },
		{ "URI=\"\"", "xmlns:x=\"urn:x\" x:URI=\"#x\" URI=\"\"",
		    NOT_WHOLE },
		{ TR_ENV, "", TRANSFORMS },
		{ TR_EXC, "", TRANSFORMS },
		{ TR_EXC, TR_EXC TR_XPATH, TRANSFORMS },
		{ TR_ENV "\n" TR_EXC, TR_EXC "\n" TR_ENV, TRANSFORMS },
		{ TR_ENV "\n" TR_EXC, TR_ENV "\n" TR_ENV, TRANSFORMS },
		{ "xml-exc-c14n#\"></ds:Transform>",
		    "xml-exc-c14n#\"><ec:InclusiveNamespaces xmlns:ec="
		    "\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList="
		    "\"acorn\"/></ds:Transform>", TRANSFORMS },
		{ "xmlenc#sha256", "xmldsig#sha1", "the digest is not SHA-256" },
		{ "xmldsig-more#ecdsa-sha256", "xmldsig-more#rsa-sha256",
		    "the signature method is not ECDSA-SHA256" },
		{ "xmldsig-more#ecdsa-sha256", "xmldsig-more#ecdsa-sha1",
		    "the signature method is not ECDSA-SHA256" },
		{ "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/"
		    "10/xml-exc-c14n#\">", "<ds:CanonicalizationMethod "
		    "Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-"
		    "20010315\">", "the canonicalisation is not exclusive C14N" },
		{ "</ds:SignedInfo>", "<!-- a note --></ds:SignedInfo>",
		    "an unexpected part in the signed info" },
		{ "</ds:KeyInfo>", "</ds:KeyInfo><ds:Object><entry/></ds:Object>",
		    "an unexpected part in the signature" },
		{ "<ds:Signature ", "<ds:Signature Id=\"s\" ",
		    "an unexpected part in the signature" },
		{ "<ds:DigestValue>", "<ds:DigestValue><b/>",
		    "an unexpected part in the reference" },
	};
	char *signed_xml, *changed, *ref, *to;
	size_t i;

	signed_xml = sign_with(event_xml, key_a, fp_a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		changed = edit(signed_xml, cases[i][0], cases[i][1]);
		ck_assert_msg(strcmp(refusal(changed), cases[i][2]) == 0,
		    "case %zu: %s", i, refusal(changed));
		free(changed);
	}

	/* Two references, the second a copy of the first. */
	ref = slice(signed_xml, "<ds:Reference", "</ds:Reference>");
	ck_assert_ptr_nonnull(to = malloc(strlen(ref) * 2 + 1));
	sprintf(to, "%s%s", ref, ref);
	changed = edit(signed_xml, ref, to);
	ck_assert_str_eq(refusal(changed), "more than one reference");
	free(changed);
	free(to);
	free(ref);
	free(signed_xml);
}
END_TEST

/*
 * Wrapping: the verified signature must cover the very document that is
 * read, so a signed entry moved inside another, or anything added around
 * it, is refused.
 */
START_TEST(test_signature_wrapping_is_refused)
{
	char *signed_xml, *sig, *body, *changed, *evil;

	signed_xml = sign_with(event_xml, key_a, fp_a);
	sig = slice(signed_xml, "<ds:Signature", "</ds:Signature>");

	/* The signed entry whole, inside an entry of the attacker's. */
	ck_assert_ptr_nonnull(evil = malloc(strlen(signed_xml) + 512));
	sprintf(evil, "<entry xmlns=\"" FED_ATOM_NS "\"><id>urn:uuid:" RECORD2
	    "</id><content type=\"xhtml\">%s</content></entry>", signed_xml);
	ck_assert_str_eq(refusal(evil),
	    "the signature is not the entry's last element");

	/*
	 * The same, with the signature moved out to be the root's last and
	 * a record of the attacker's beside the original.
	 */
	body = edit(signed_xml, sig, "");
	sprintf(evil, "<entry xmlns=\"" FED_ATOM_NS "\" xmlns:acorn=\""
	    FED_ACORN_NS "\"><id>urn:uuid:" RECORD2 "</id><acorn:record "
	    "kind=\"event\" version=\"99\" origin=\"urn:uuid:" ORIGIN "\"/>"
	    "<content type=\"xhtml\">%s</content>%s</entry>", body, sig);
	ck_assert_str_eq(refusal(evil), "signature does not verify");
	free(body);
	free(evil);

	/* Something after the signature. */
	changed = edit(signed_xml, "</ds:Signature>",
	    "</ds:Signature><acorn:record xmlns:acorn=\"" FED_ACORN_NS
	    "\" kind=\"event\" version=\"99\"/>");
	ck_assert_str_eq(refusal(changed),
	    "the signature is not the entry's last element");
	free(changed);

	/* A second signature. */
	ck_assert_ptr_nonnull(evil = malloc(strlen(sig) * 2 + 1));
	sprintf(evil, "%s%s", sig, sig);
	changed = edit(signed_xml, sig, evil);
	ck_assert_str_eq(refusal(changed), "more than one signature");
	free(changed);
	free(evil);

	/* XML-DSig elements outside the signature. */
	changed = edit(signed_xml, "<ds:Signature", "<ds:Object xmlns:ds=\""
	    FED_DSIG_NS "\"><ds:Manifest/></ds:Object><ds:Signature");
	ck_assert_str_eq(refusal(changed),
	    "signature elements outside the signature");
	free(changed);

	/* Not an entry at all: a feed holding the signed entry. */
	ck_assert_ptr_nonnull(evil = malloc(strlen(signed_xml) + 128));
	sprintf(evil, "<feed xmlns=\"" FED_ATOM_NS "\">%s</feed>", signed_xml);
	ck_assert_str_eq(refusal(evil), "not an entry or tombstone");
	free(evil);

	/* Unsigned. */
	ck_assert_str_eq(refusal(event_xml), "not signed");
	free(sig);
	free(signed_xml);
}
END_TEST

/* Item 5: the key's node is the record's origin, not merely trusted. */
START_TEST(test_signer_must_be_the_records_origin)
{
	struct trust trust[] = { { fp_a, pem_a, ORIGIN },
	    { fp_b, pem_b, OTHER }, { NULL, NULL, NULL } };
	static const char no_record[] = ENTRY_HEAD
	    "  <id>urn:uuid:" RECORD "</id>\n" SOURCE(OTHER) "</entry>\n";
	char *signed_xml, *doubled;
	const char *why;

	signed_xml = sign_with(event_xml, key_b, fp_b);
	ck_assert_int_eq(verify_text(signed_xml, trust, NULL, NULL, &why), -1);
	ck_assert_str_eq(why, "signed by a node other than the record's origin");
	free(signed_xml);

	/* No record, or a second one slipped in: named as such. */
	signed_xml = sign_with(no_record, key_b, fp_b);
	ck_assert_int_eq(verify_text(signed_xml, trust, NULL, NULL, &why), -1);
	ck_assert_str_eq(why, "not one acorn:record naming its origin");
	free(signed_xml);
	signed_xml = sign_with(event_xml, key_a, fp_a);
	doubled = edit(signed_xml, "</acorn:record>", "</acorn:record>"
	    "<acorn:record xmlns:acorn=\"" FED_ACORN_NS "\" kind=\"event\""
	    " version=\"9\" origin=\"urn:uuid:" ORIGIN "\"/>");
	ck_assert_int_eq(verify_text(doubled, trust, NULL, NULL, &why), -1);
	ck_assert_str_eq(why, "not one acorn:record naming its origin");
	free(doubled);
	free(signed_xml);
}
END_TEST

START_TEST(test_trust_store_entry_must_be_usable)
{
	struct trust bad_node[] = { { fp_a, pem_a, "not-a-uuid" },
	    { NULL, NULL, NULL } };
	struct trust bad_pem[] = { { fp_a, "junk", ORIGIN },
	    { NULL, NULL, NULL } };
	char *signed_xml = sign_with(event_xml, key_a, fp_a);
	const char *why;

	ck_assert_int_eq(verify_text(signed_xml, bad_node, NULL, NULL, &why),
	    -1);
	ck_assert_str_eq(why, "the trust store's entry for the key is unusable");
	ck_assert_int_eq(verify_text(signed_xml, bad_pem, NULL, NULL, &why),
	    -1);
	ck_assert_str_eq(why, "the trust store's entry for the key is unusable");
	free(signed_xml);
}
END_TEST

START_TEST(test_sign_refuses_what_it_must_not_sign)
{
	char *signed_xml = sign_with(event_xml, key_a, fp_a);
	static const char feed[] = "<feed xmlns=\"" FED_ATOM_NS "\"/>";
	static const char doctype[] = "<!DOCTYPE entry [<!ENTITY x \"y\">]>"
	    "<entry xmlns=\"" FED_ATOM_NS "\">&x;</entry>";

	/* Already signed: one signature per entry. */
	ck_assert_ptr_null(fed_sign(signed_xml, strlen(signed_xml), key_a,
	    fp_a));
	ck_assert_ptr_null(fed_sign(feed, strlen(feed), key_a, fp_a));
	ck_assert_ptr_null(fed_sign(doctype, strlen(doctype), key_a, fp_a));
	ck_assert_ptr_null(fed_sign("<entry", 6, key_a, fp_a));
	ck_assert_ptr_null(fed_sign(event_xml, strlen(event_xml), key_a,
	    "not a fingerprint"));
	ck_assert_ptr_null(fed_sign(event_xml, strlen(event_xml), NULL,
	    fp_a));
	free(signed_xml);
}
END_TEST

/* Several threads signing and verifying at once, each with its own key. */
static void *
sign_many(void *arg)
{
	struct trust trust[2];
	EVP_PKEY *k;
	char fp[FED_FP_LEN + 1], *pem, *s, *c14n;
	const char *why;
	int i, *ok = arg;

	*ok = 0;
	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL ||
	    fed_fingerprint(k, fp) == -1 || (pem = fed_public_pem(k)) == NULL)
		return NULL;
	trust[0].fp = fp;
	trust[0].pem = pem;
	trust[0].node = ORIGIN;
	trust[1].fp = NULL;
	for (i = 0; i < 25; i++) {
		if ((s = fed_sign(event_xml, strlen(event_xml), k, fp)) == NULL)
			break;
		if (verify_text(s, trust, NULL, &c14n, &why) == 0 &&
		    strcmp(c14n, s) == 0)
			(*ok)++;
		free(c14n);
		free(s);
	}
	free(pem);
	EVP_PKEY_free(k);
	return NULL;
}

START_TEST(test_threads_sign_and_verify_at_once)
{
	pthread_t t[4];
	int ok[4], i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, sign_many, &ok[i]),
		    0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_int_eq(ok[i], 25);
	}
}
END_TEST

/* verify.c: parsing untrusted XML */

static const char *
parse_refusal(const char *xml, double *seconds)
{
	struct timespec a, b;
	xmlDocPtr doc;
	const char *why = NULL;

	clock_gettime(CLOCK_MONOTONIC, &a);
	doc = fed_parse(xml, strlen(xml), &why);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(why);
	if (seconds != NULL)
		*seconds = (double)(b.tv_sec - a.tv_sec) +
		    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	return why;
}

START_TEST(test_parse_refuses_doctype_xxe_and_entity_bombs_at_once)
{
	static const char *const hostile[] = {
		/* External entity (XXE). */
		"<?xml version=\"1.0\"?>\n<!DOCTYPE feed [\n"
		"<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
		"<feed xmlns=\"" FED_ATOM_NS "\"><title>&xxe;</title></feed>",
		/* External DTD over the network. */
		"<!DOCTYPE feed SYSTEM \"http://127.0.0.1:9/evil.dtd\">"
		"<feed xmlns=\"" FED_ATOM_NS "\"/>",
		/* Parameter entities. */
		"<!DOCTYPE feed [<!ENTITY % p SYSTEM \"file:///etc/passwd\">"
		"%p;]><feed/>",
		/* Billion laughs. */
		"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
		" <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"
		"&lol;\">\n"
		" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"
		"&lol1;&lol1;&lol1;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"
		"&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"
		"&lol3;&lol3;&lol3;\">\n"
		" <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"
		"&lol4;&lol4;&lol4;\">\n"
		" <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"
		"&lol5;&lol5;&lol5;\">\n"
		" <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"
		"&lol6;&lol6;&lol6;\">\n"
		" <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"
		"&lol7;&lol7;&lol7;\">\n"
		" <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;"
		"&lol8;&lol8;&lol8;\">\n"
		"]>\n<lolz>&lol9;</lolz>",
		/* A harmless-looking one is refused all the same. */
		"<!DOCTYPE entry><entry xmlns=\"" FED_ATOM_NS "\"/>",
	};
	double seconds;
	size_t i;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		ck_assert_str_eq(parse_refusal(hostile[i], &seconds),
		    "a DOCTYPE is not allowed");
		ck_assert_msg(seconds < 0.5, "case %zu took %.2f s", i,
		    seconds);
	}
	/* An entity used without a DOCTYPE declares nothing. */
	ck_assert_str_eq(parse_refusal("<feed>&xxe;</feed>", NULL),
	    "not well-formed XML");
}
END_TEST

static char *
nested(int depth)
{
	char *s, *p;
	int i;

	ck_assert_ptr_nonnull(s = malloc((size_t)depth * 7 + 1));
	p = s;
	for (i = 0; i < depth; i++)
		p += sprintf(p, "<a>");
	for (i = 0; i < depth; i++)
		p += sprintf(p, "</a>");
	return s;
}

START_TEST(test_parse_refuses_deep_nesting)
{
	xmlDocPtr doc;
	const char *why;
	char *s;

	s = nested(FED_MAX_DEPTH);
	ck_assert_ptr_nonnull(doc = fed_parse(s, strlen(s), &why));
	xmlFreeDoc(doc);
	free(s);
	s = nested(FED_MAX_DEPTH + 1);
	ck_assert_str_eq(parse_refusal(s, NULL), "too deeply nested");
	free(s);
	/* Far deeper than libxml2 itself allows. */
	s = nested(100000);
	parse_refusal(s, NULL);
	free(s);
}
END_TEST

START_TEST(test_parse_refuses_more_than_16_mib)
{
	size_t len = (size_t)FED_MAX_FEED + 1;
	const char *why;
	char *s;

	ck_assert_ptr_nonnull(s = malloc(len));
	memset(s, ' ', len);
	memcpy(s, "<a>", 3);
	memcpy(s + len - 4, "</a>", 4);
	ck_assert_ptr_null(fed_parse(s, len, &why));
	ck_assert_str_eq(why, "larger than 16 MiB");
	free(s);
}
END_TEST

START_TEST(test_parse_refuses_junk_without_a_word_on_stderr)
{
	static const char *const junk[] = {
		"", "<", "<a>", "<a></b>", "text", "<a x='1' x='2'/>",
		"<a><b></a></b>", "<p:a/>", "<a/><b/>", "\xff\xfe<\0a\0/\0>\0",
	};
	char path[160];
	const char *why;
	size_t i;
	int saved, fd;

	snprintf(path, sizeof(path), "%s/stderr", dir);
	ck_assert_int_ne(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600),
	    -1);
	fflush(stderr);
	ck_assert_int_ne(saved = dup(2), -1);
	ck_assert_int_ne(dup2(fd, 2), -1);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		why = NULL;
		if (fed_parse(junk[i], strlen(junk[i]), &why) != NULL)
			break;
	}
	why = refusal(event_xml);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	ck_assert_uint_eq(i, sizeof(junk) / sizeof(junk[0]));
	ck_assert_str_eq(why, "not signed");
	ck_assert_str_eq(read_text(path), "");
	ck_assert_str_eq(parse_refusal("<a></b>", NULL), "not well-formed XML");
	/* Bytes after the root, or a NUL inside, are not well-formed. */
	ck_assert_ptr_null(fed_parse("<a/>\0<b/>", 9, &why));
}
END_TEST

/* verify.c: feed pages */

/* A page holding texts, in a feed element opened by head. */
static char *
page(const char *head, const char *const *texts, size_t n, const char *tail)
{
	size_t len = strlen(head) + strlen(tail) + 64, i;
	char *s;

	for (i = 0; i < n; i++)
		len += strlen(texts[i]) + 1;
	ck_assert_ptr_nonnull(s = malloc(len));
	strcpy(s, head);
	for (i = 0; i < n; i++) {
		strcat(s, texts[i]);
		strcat(s, "\n");
	}
	strcat(s, tail);
	return s;
}

static void
assert_entries_verify_as(struct fed_page *p, char *const *signed_xml,
    const char *const *signers)
{
	struct trust trust[] = { { fp_a, pem_a, ORIGIN },
	    { fp_b, pem_b, OTHER }, { NULL, NULL, NULL } };
	char node[FED_UUID_LEN + 1], *c14n;
	const char *why;
	size_t i;

	for (i = 0; i < p->n; i++) {
		ck_assert_msg(fed_verify(p->docs[i], lookup, trust, node, &c14n,
		    &why) == 0, "entry %zu: %s", i, why);
		ck_assert_str_eq(node, signers[i]);
		ck_assert_str_eq(c14n, signed_xml[i]);
		free(c14n);
	}
}

START_TEST(test_page_entries_keep_their_signed_bytes)
{
	static const char head[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<a:feed xmlns:a=\"" FED_ATOM_NS "\" xmlns=\"urn:x-not-atom\"\n"
	    "    xmlns:acorn=\"" FED_ACORN_NS "\" xmlns:ds=\"" FED_DSIG_NS "\"\n"
	    "    xmlns:at=\"" FED_TOMB_NS "\" xmlns:x=\"urn:x\" xml:lang=\"cy\"\n"
	    "    x:note=\"extra\" xml:base=\"https://hub.example.org/\">\n"
	    "  <a:id>urn:uuid:" OTHER "</a:id>\n"
	    "  <a:title>Hub</a:title>\n"
	    "  <acorn:cursor>42</acorn:cursor>\n"
	    "  <a:link rel=\"next\" href=\"?after=42\"/>\n";
	static const char *const signers[] = { ORIGIN, OTHER, ORIGIN };
	struct fed_page p;
	char *signed_xml[3], *text, *ev2;
	const char *why;
	size_t i;

	signed_xml[0] = sign_with(event_xml, key_a, fp_a);
	signed_xml[1] = sign_with(tombstone_xml, key_b, fp_b);
	ev2 = edit(evaluation_xml, "\n", "\n<!-- a comment -->\n");
	signed_xml[2] = sign_with(ev2, key_a, fp_a);
	free(ev2);

	text = page(head, (const char *const *)signed_xml, 3, "</a:feed>\n");
	ck_assert_int_eq(fed_page_parse(text, strlen(text), &p, &why), 0);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_int_eq(p.cursor, 42);
	ck_assert_int_eq(p.more, 1);
	assert_entries_verify_as(&p, signed_xml, signers);
	fed_page_free(&p);
	free(text);
	for (i = 0; i < 3; i++)
		free(signed_xml[i]);
}
END_TEST

/*
 * A page's entries checked on every core at once come out exactly as
 * checked one at a time: the same verdicts, reasons, signers, bytes and
 * records, whatever thread took which, with honest, forged, untrusted
 * and wrongly signed entries mixed; entries not wanted are not read.
 */
START_TEST(test_page_verified_at_once_as_one_at_a_time)
{
	static const char head[] =
	    "<feed xmlns=\"" FED_ATOM_NS "\" xmlns:acorn=\"" FED_ACORN_NS "\">"
	    "<acorn:cursor>9</acorn:cursor>\n";
	struct trust trust[] = { { fp_a, pem_a, ORIGIN },
	    { fp_b, pem_b, OTHER }, { NULL, NULL, NULL } };
	enum { KINDS = 5, ROUNDS = 12, N = KINDS * ROUNDS };
	char *texts[N], *kinds[KINDS], *text, *forged, node[FED_UUID_LEN + 1];
	char *c14n;
	struct fed_checked out[N];
	struct fed_record rec;
	struct fed_page p;
	const char *why;
	size_t i;
	int rc;

	kinds[0] = sign_with(event_xml, key_a, fp_a);
	kinds[1] = sign_with(tombstone_xml, key_b, fp_b);
	forged = sign_with(evaluation_xml, key_a, fp_a);
	kinds[2] = edit(forged, "Green prescribing pilot</acorn:title>",
	    "Changed after signing</acorn:title>");
	free(forged);
	/* Signed by the other node's key in the origin's name. */
	kinds[3] = sign_with(evaluation_xml, key_b, fp_b);
	kinds[4] = sign_with(evaluation_xml, key_a, fp_a);
	for (i = 0; i < N; i++)
		texts[i] = kinds[i % KINDS];
	text = page(head, (const char *const *)texts, N, "</feed>\n");
	ck_assert_int_eq(fed_page_parse(text, strlen(text), &p, &why), 0);
	ck_assert_uint_eq(p.n, N);
	for (i = 0; i < N; i++)
		out[i].wanted = i != 7;
	fed_verify_many(p.docs, p.canon, out, N, lookup, trust);
	for (i = 0; i < N; i++) {
		if (i == 7) {
			ck_assert_int_eq(out[i].ok, 0);
			ck_assert_ptr_null(out[i].canonical);
			continue;
		}
		memset(&rec, 0, sizeof(rec));
		c14n = NULL;
		rc = fed_verify(p.docs[i], lookup, trust, node, &c14n, &why);
		if (rc == 0)
			rc = fed_record_read(p.docs[i], &rec, &why);
		ck_assert_msg(out[i].ok == (rc == 0), "entry %zu: %s", i,
		    why != NULL ? why : "verified");
		if (rc == 0) {
			ck_assert_str_eq(out[i].signer, node);
			ck_assert_str_eq(out[i].canonical, c14n);
			ck_assert_str_eq(out[i].rec.id, rec.id);
			ck_assert_str_eq(out[i].rec.kind, rec.kind);
			ck_assert_int_eq(out[i].rec.version, rec.version);
			ck_assert_uint_eq(out[i].rec.nfields, rec.nfields);
		} else
			ck_assert_str_eq(out[i].why, why);
		ck_assert_int_eq(out[i].ok, i % KINDS != 2 && i % KINDS != 3);
		fed_record_free(&rec);
		free(c14n);
		fed_checked_free(&out[i]);
	}
	fed_page_free(&p);
	free(text);
	for (i = 0; i < KINDS; i++)
		free(kinds[i]);
}
END_TEST

/* An entry removed of its own declarations, leaning on the feed's. */
static char *
undeclared(const char *s)
{
	static const char *const decls[] = {
		" xmlns=\"" FED_ATOM_NS "\"", " xmlns:acorn=\"" FED_ACORN_NS "\"",
		" xmlns:ds=\"" FED_DSIG_NS "\"", " xmlns:at=\"" FED_TOMB_NS "\"",
	};
	char *t = strdup(s), *u;
	size_t i;

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < sizeof(decls) / sizeof(decls[0]); i++)
		while (strstr(t, decls[i]) != NULL) {
			u = edit(t, decls[i], "");
			free(t);
			t = u;
		}
	return t;
}

START_TEST(test_page_entries_leaning_on_feed_namespaces_still_verify)
{
	static const char head[] =
	    "<feed xmlns=\"" FED_ATOM_NS "\" xmlns:acorn=\"" FED_ACORN_NS "\"\n"
	    "    xmlns:ds=\"" FED_DSIG_NS "\" xmlns:at=\"" FED_TOMB_NS "\">\n";
	static const char *const signers[] = { ORIGIN, OTHER };
	struct fed_page p;
	char *signed_xml[2], *bare[2], *text;
	const char *why;
	size_t i;

	signed_xml[0] = sign_with(event_xml, key_a, fp_a);
	signed_xml[1] = sign_with(tombstone_xml, key_b, fp_b);
	for (i = 0; i < 2; i++) {
		bare[i] = undeclared(signed_xml[i]);
		ck_assert_ptr_null(strstr(bare[i], "xmlns"));
	}
	text = page(head, (const char *const *)bare, 2, "</feed>");
	ck_assert_int_eq(fed_page_parse(text, strlen(text), &p, &why), 0);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_int_eq(p.cursor, -1);
	ck_assert_int_eq(p.more, 0);
	assert_entries_verify_as(&p, signed_xml, signers);
	fed_page_free(&p);
	free(text);
	for (i = 0; i < 2; i++) {
		free(signed_xml[i]);
		free(bare[i]);
	}
}
END_TEST

static const char *
page_refusal(const char *text)
{
	struct fed_page p;
	const char *why = NULL;

	ck_assert_int_eq(fed_page_parse(text, strlen(text), &p, &why), -1);
	ck_assert_ptr_null(p.docs);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_ptr_nonnull(why);
	return why;
}

#define FEED_OPEN	"<feed xmlns=\"" FED_ATOM_NS "\" xmlns:acorn=\"" \
			FED_ACORN_NS "\">"

START_TEST(test_page_refuses_truncated_and_foreign_pages)
{
	char *signed_xml, *text;
	const char *arr[1];
	size_t cut;

	signed_xml = sign_with(event_xml, key_a, fp_a);
	arr[0] = signed_xml;
	text = page(FEED_OPEN "<acorn:cursor>7</acorn:cursor>", arr, 1,
	    "</feed>");
	for (cut = strlen(text) - 1; cut > 0; cut -= cut > 200 ? 97 : 1) {
		struct fed_page p;
		const char *why;

		ck_assert_msg(fed_page_parse(text, cut, &p, &why) == -1,
		    "a page cut at %zu was taken", cut);
		ck_assert_ptr_nonnull(why);
	}
	free(text);
	free(signed_xml);

	ck_assert_str_eq(page_refusal("<entry xmlns=\"" FED_ATOM_NS "\"/>"),
	    "not an Atom feed");
	ck_assert_str_eq(page_refusal("<feed/>"), "not an Atom feed");
	ck_assert_str_eq(page_refusal("<feed xmlns=\"urn:x\"/>"),
	    "not an Atom feed");
	ck_assert_str_eq(page_refusal(FEED_OPEN
	    "<acorn:cursor>-1</acorn:cursor></feed>"), "a bad cursor");
	ck_assert_str_eq(page_refusal(FEED_OPEN
	    "<acorn:cursor> 7</acorn:cursor></feed>"), "a bad cursor");
	ck_assert_str_eq(page_refusal(FEED_OPEN
	    "<acorn:cursor></acorn:cursor></feed>"), "a bad cursor");
	ck_assert_str_eq(page_refusal(FEED_OPEN
	    "<acorn:cursor>99999999999999999999</acorn:cursor></feed>"),
	    "a bad cursor");
	ck_assert_str_eq(page_refusal(FEED_OPEN
	    "<acorn:cursor>1</acorn:cursor><acorn:cursor>2</acorn:cursor>"
	    "</feed>"), "a bad cursor");
	ck_assert_str_eq(page_refusal("<!DOCTYPE feed>" FEED_OPEN "</feed>"),
	    "a DOCTYPE is not allowed");
}
END_TEST

#define STREAM_A	"0b7d9b8e-3c1f-4e57-9a51-6f0a3e1d2c4b"
#define STREAM_B	"5e2a8c11-7f4d-4b09-8d3e-a1c2b3d4e5f6"

/* A page's stream is read, and a page with a stream it cannot read is not. */
START_TEST(test_page_says_its_stream)
{
	struct fed_page p;
	const char *why;
	static const char named[] = FEED_OPEN
	    "<acorn:cursor>7</acorn:cursor>"
	    "<acorn:stream>urn:uuid:" STREAM_A "</acorn:stream></feed>";
	static const char unnamed[] = FEED_OPEN
	    "<acorn:cursor>7</acorn:cursor></feed>";

	ck_assert_int_eq(fed_page_parse(named, strlen(named), &p, &why), 0);
	ck_assert_str_eq(p.stream, STREAM_A);
	fed_page_free(&p);
	/* From a node before streams: none. */
	ck_assert_int_eq(fed_page_parse(unnamed, strlen(unnamed), &p, &why),
	    0);
	ck_assert_str_eq(p.stream, "");
	fed_page_free(&p);

	ck_assert_str_eq(page_refusal(FEED_OPEN
	    "<acorn:stream>urn:uuid:" STREAM_A "</acorn:stream>"
	    "<acorn:stream>urn:uuid:" STREAM_B "</acorn:stream></feed>"),
	    "a bad stream");
	ck_assert_str_eq(page_refusal(FEED_OPEN
	    "<acorn:stream>" STREAM_A "</acorn:stream></feed>"),
	    "a bad stream");
	ck_assert_str_eq(page_refusal(FEED_OPEN
	    "<acorn:stream>urn:uuid:not-a-uuid</acorn:stream></feed>"),
	    "a bad stream");
	ck_assert_str_eq(page_refusal(FEED_OPEN
	    "<acorn:stream>urn:uuid:<b>" STREAM_A "</b></acorn:stream></feed>"),
	    "a bad stream");
	ck_assert_str_eq(page_refusal(FEED_OPEN
	    "<acorn:stream></acorn:stream></feed>"), "a bad stream");
}
END_TEST

START_TEST(test_page_refuses_too_many_or_too_large_entries)
{
	struct fed_page p;
	const char *why;
	char *text, *big;
	size_t i, len;

	len = strlen(FEED_OPEN) + 12 * (FED_MAX_ENTRIES + 1) + 16;
	ck_assert_ptr_nonnull(text = malloc(len));
	strcpy(text, FEED_OPEN);
	for (i = 0; i < FED_MAX_ENTRIES; i++)
		strcat(text, "<entry/>");
	ck_assert_int_eq(fed_page_parse(text, strlen(text) , &p, &why), -1);
	ck_assert_str_eq(why, "not well-formed XML");
	strcat(text, "</feed>");
	ck_assert_int_eq(fed_page_parse(text, strlen(text), &p, &why), 0);
	ck_assert_uint_eq(p.n, FED_MAX_ENTRIES);
	fed_page_free(&p);
	ck_assert_ptr_null(p.docs);
	strcpy(text + strlen(text) - 7, "<entry/></feed>");
	ck_assert_str_eq(page_refusal(text), "more than 1000 entries");
	free(text);

	len = (size_t)FED_MAX_ENTRY + 256;
	ck_assert_ptr_nonnull(big = malloc(len));
	i = (size_t)sprintf(big, FEED_OPEN "<entry><title>");
	memset(big + i, 'a', (size_t)FED_MAX_ENTRY);
	strcpy(big + i + FED_MAX_ENTRY, "</title></entry></feed>");
	ck_assert_str_eq(page_refusal(big), "an entry larger than 1 MiB");
	free(big);
}
END_TEST

START_TEST(test_page_without_entries_is_empty)
{
	struct fed_page p;
	const char *why;
	static const char text[] = FEED_OPEN
	    "<acorn:cursor>0</acorn:cursor><link rel=\"self\" href=\"x\"/>"
	    "<acorn:entry/><x:entry xmlns:x=\"urn:x\"/></feed>";

	ck_assert_int_eq(fed_page_parse(text, strlen(text), &p, &why), 0);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_int_eq(p.cursor, 0);
	ck_assert_int_eq(p.more, 0);
	fed_page_free(&p);
	fed_page_free(NULL);
}
END_TEST

/* record.c */

/* Reads xml as a record: 0 with rec filled, or -1 and the reason. */
static int
read_record(const char *xml, xmlDocPtr *doc, struct fed_record *rec,
    const char **why)
{
	ck_assert_ptr_nonnull(*doc = fed_parse(xml, strlen(xml), why));
	return fed_record_read(*doc, rec, why);
}

static const char *
record_refusal(const char *xml)
{
	struct fed_record rec;
	xmlDocPtr doc;
	const char *why = NULL;

	ck_assert_int_eq(read_record(xml, &doc, &rec, &why), -1);
	ck_assert_ptr_null(rec.fields);
	ck_assert_ptr_null(rec.updated);
	xmlFreeDoc(doc);
	return why;
}

START_TEST(test_record_reads_verified_event)
{
	struct trust trust[] = { { fp_a, pem_a, ORIGIN }, { NULL, NULL, NULL } };
	struct fed_record rec;
	xmlDocPtr doc;
	char node[FED_UUID_LEN + 1], *signed_xml, *c14n;
	const char *why;

	signed_xml = sign_with(event_xml, key_a, fp_a);
	ck_assert_ptr_nonnull(doc = fed_parse(signed_xml, strlen(signed_xml),
	    &why));
	ck_assert_int_eq(fed_verify(doc, lookup, trust, node, &c14n, &why), 0);
	ck_assert_int_eq(fed_record_read(doc, &rec, &why), 0);
	ck_assert_str_eq(rec.kind, "event");
	ck_assert_str_eq(rec.id, RECORD);
	ck_assert_str_eq(rec.origin, ORIGIN);
	ck_assert_str_eq(rec.origin, node);
	ck_assert_int_eq(rec.version, 3);
	ck_assert_int_eq(rec.deleted, 0);
	ck_assert_str_eq(rec.updated, "2026-11-30T10:15:00Z");
	ck_assert_str_eq(rec.home,
	    "https://london.example.org/events/" RECORD);
	ck_assert_uint_eq(rec.nfields, 3);
	ck_assert_str_eq(rec.fields[0].name, "title");
	ck_assert_str_eq(rec.fields[1].name, "starts");
	ck_assert_str_eq(rec.fields[2].name, "venue");
	ck_assert_ptr_null(rec.fields[0].attr[0]);
	ck_assert_str_eq(fed_field(&rec, "title"),
	    "Regional link worker forum");
	ck_assert_str_eq(fed_field(&rec, "venue"),
	    "Caf\xc3\xa9 Gwenll\xc3\xaf" "an, 2 < 3 Road");
	ck_assert_ptr_null(fed_field(&rec, "ends"));
	fed_record_free(&rec);
	fed_record_free(&rec);
	fed_record_free(NULL);
	free(c14n);
	free(signed_xml);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(test_record_reads_outcomes_in_order)
{
	struct fed_record rec;
	xmlDocPtr doc;
	const char *why;

	ck_assert_int_eq(read_record(evaluation_xml, &doc, &rec, &why), 0);
	ck_assert_str_eq(rec.kind, "evaluation");
	ck_assert_int_eq(rec.version, 12);
	ck_assert_str_eq(rec.updated, "2026-10-01T08:00:00.250+01:00");
	ck_assert_ptr_null(rec.home);
	ck_assert_uint_eq(rec.nfields, 3);
	ck_assert_str_eq(rec.fields[1].name, "outcome");
	ck_assert_str_eq(rec.fields[1].attr[0], "wellbeing");
	ck_assert_str_eq(rec.fields[1].attr[1], "improved");
	ck_assert_str_eq(rec.fields[1].attr[2], "WEMWBS");
	ck_assert_str_eq(rec.fields[1].attr[3], "+4.2");
	ck_assert_str_eq(rec.fields[1].value, "");
	ck_assert_str_eq(rec.fields[2].attr[0], "loneliness");
	ck_assert_str_eq(rec.fields[2].attr[1], "no_change");
	ck_assert_ptr_null(rec.fields[2].attr[2]);
	ck_assert_ptr_null(rec.fields[2].attr[3]);
	fed_record_free(&rec);
	xmlFreeDoc(doc);
}
END_TEST

/*
 * The inbox's kinds are read like the others, and each field takes only
 * its own attributes, in their order; any other attribute is not read.
 */
START_TEST(test_record_reads_registration_fields_and_their_attributes)
{
	struct fed_record rec;
	xmlDocPtr doc;
	const char *why;

	ck_assert_int_eq(read_record(registration_xml, &doc, &rec, &why), 0);
	ck_assert_str_eq(rec.kind, "registration");
	ck_assert_uint_eq(rec.nfields, 5);
	ck_assert_str_eq(fed_field(&rec, "event"), "urn:uuid:" RECORD);
	ck_assert_str_eq(rec.fields[1].name, "place");
	ck_assert_str_eq(rec.fields[1].value, "In person");
	ck_assert_str_eq(rec.fields[1].attr[0], "12");
	ck_assert_ptr_null(rec.fields[1].attr[1]);
	ck_assert_str_eq(rec.fields[2].attr[0], "31");
	ck_assert_str_eq(rec.fields[3].attr[0], "32");
	ck_assert_ptr_null(rec.fields[3].attr[1]);
	ck_assert_str_eq(rec.fields[4].attr[0], "7");
	ck_assert_str_eq(rec.fields[4].attr[1], "yesno");
	ck_assert_str_eq(rec.fields[4].attr[2], "true");
	ck_assert_ptr_null(rec.fields[4].attr[3]);
	fed_record_free(&rec);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(test_record_reads_tombstone)
{
	struct fed_record rec;
	xmlDocPtr doc;
	const char *why;

	ck_assert_int_eq(read_record(tombstone_xml, &doc, &rec, &why), 0);
	ck_assert_int_eq(rec.deleted, 1);
	ck_assert_str_eq(rec.kind, "member");
	ck_assert_str_eq(rec.id, RECORD2);
	ck_assert_str_eq(rec.origin, OTHER);
	ck_assert_int_eq(rec.version, 4);
	ck_assert_str_eq(rec.updated, "2026-11-30T11:00:00Z");
	ck_assert_ptr_null(rec.home);
	ck_assert_uint_eq(rec.nfields, 0);
	ck_assert_ptr_null(fed_field(&rec, "name"));
	fed_record_free(&rec);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(test_record_refuses_bad_entries)
{
	static const char *const cases[][3] = {
		{ "<id>urn:uuid:" ORIGIN, "<id>urn:uuid:" OTHER,
		    "source and origin disagree" },
		{ "origin=\"urn:uuid:" ORIGIN, "origin=\"urn:uuid:" OTHER,
		    "source and origin disagree" },
		{ SOURCE(ORIGIN), "", "not one atom:source" },
		{ SOURCE(ORIGIN), SOURCE(ORIGIN) SOURCE(ORIGIN),
		    "not one atom:source" },
		{ RECORD "</id>", "6F0C1D2E-3A4B-4C5D-8E6F-7A8B9C0D1E2F</id>",
		    "the entry's id is not a urn:uuid" },
		{ RECORD "</id>", "6f0c1d2e3a4b4c5d8e6f7a8b9c0d1e2f</id>",
		    "the entry's id is not a urn:uuid" },
		{ "<id>urn:uuid:" RECORD, "<id> urn:uuid:" RECORD,
		    "the entry's id is not a urn:uuid" },
		{ "<id>urn:uuid:" RECORD "</id>", "",
		    "the entry's id is not a urn:uuid" },
		{ "origin=\"urn:uuid:" ORIGIN, "origin=\"" ORIGIN,
		    "the origin is not a urn:uuid" },
		{ " version=\"3\"", "", "the version is not a positive number" },
		{ "version=\"3\"", "version=\"0\"",
		    "the version is not a positive number" },
		{ "version=\"3\"", "version=\"-3\"",
		    "the version is not a positive number" },
		{ "version=\"3\"", "version=\"+3\"",
		    "the version is not a positive number" },
		{ "version=\"3\"", "version=\"3x\"",
		    "the version is not a positive number" },
		{ "version=\"3\"", "version=\"99999999999\"",
		    "the version is not a positive number" },
		{ "kind=\"event\"", "kind=\"admin\"", "an unknown record kind" },
		{ "kind=\"event\"", "kind=\"Event\"", "an unknown record kind" },
		{ " kind=\"event\"", "", "an unknown record kind" },
		{ "version=\"3\"", "version=\"3\" deleted=\"true\"",
		    "a live entry's record is deleted" },
		{ "version=\"3\"", "version=\"3\" deleted=\"yes\"",
		    "deleted is not \"true\"" },
		{ "<updated>2026-11-30T10:15:00Z</updated>\n  <link",
		    "<updated>yesterday</updated>\n  <link",
		    "the entry's updated time is not RFC 3339" },
		{ "<acorn:title>Regional link worker forum</acorn:title>",
		    "<title>Regional link worker forum</title>",
		    "a field outside the acorn namespace" },
		{ "<acorn:starts>2026-12-01T10:00:00Z",
		    "<acorn:starts><acorn:b>x</acorn:b>",
		    "a field holding elements" },
		{ "</entry>", "<acorn:record kind=\"event\" version=\"9\" "
		    "origin=\"urn:uuid:" OTHER "\"/></entry>",
		    "not one acorn:record" },
		{ ENTRY_HEAD, "<entry xmlns=\"urn:x\" xmlns:acorn=\""
		    FED_ACORN_NS "\">", "not an entry or tombstone" },
	};
	char *xml;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xml = edit(event_xml, cases[i][0], cases[i][1]);
		ck_assert_msg(strcmp(record_refusal(xml), cases[i][2]) == 0,
		    "case %zu: %s", i, record_refusal(xml));
		free(xml);
	}
}
END_TEST

START_TEST(test_record_refuses_bad_tombstones)
{
	static const char *const cases[][3] = {
		{ " deleted=\"true\"", "", "a tombstone's record is not deleted" },
		{ "deleted=\"true\"", "deleted=\"false\"",
		    "deleted is not \"true\"" },
		{ "deleted=\"true\"/>", "deleted=\"true\"><acorn:name>Ann"
		    "</acorn:name></acorn:record>", "a tombstone with fields" },
		{ " ref=\"urn:uuid:" RECORD2 "\"", "",
		    "the tombstone's ref is not a urn:uuid" },
		{ " when=\"2026-11-30T11:00:00Z\"", " when=\"2026-11-30\"",
		    "the tombstone's time is not RFC 3339" },
		{ "kind=\"member\"", "kind=\"person\"",
		    "an unknown record kind" },
		{ "<id>urn:uuid:" OTHER, "<id>urn:uuid:" ORIGIN,
		    "source and origin disagree" },
	};
	char *xml;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xml = edit(tombstone_xml, cases[i][0], cases[i][1]);
		ck_assert_msg(strcmp(record_refusal(xml), cases[i][2]) == 0,
		    "case %zu: %s", i, record_refusal(xml));
		free(xml);
	}
}
END_TEST

START_TEST(test_record_refuses_more_than_500_fields)
{
	char *fields, *xml, *p;
	int i;

	/* The event has three fields of its own. */
	ck_assert_ptr_nonnull(fields = malloc(498 * 32 + 64));
	p = fields;
	for (i = 0; i < 497; i++)
		p += sprintf(p, "<acorn:tag>t%d</acorn:tag>", i);
	strcpy(p, "</acorn:record>");
	xml = edit(event_xml, "</acorn:record>", fields);
	{
		struct fed_record rec;
		xmlDocPtr doc;
		const char *why;

		ck_assert_int_eq(read_record(xml, &doc, &rec, &why), 0);
		ck_assert_uint_eq(rec.nfields, 500);
		ck_assert_str_eq(rec.fields[499].value, "t496");
		fed_record_free(&rec);
		xmlFreeDoc(doc);
	}
	free(xml);
	strcpy(p, "<acorn:tag>x</acorn:tag></acorn:record>");
	xml = edit(event_xml, "</acorn:record>", fields);
	ck_assert_str_eq(record_refusal(xml), "more than 500 fields");
	free(xml);
	free(fields);
}
END_TEST

/* atom.c */

/*
 * Every character class the writer treats apart: what it escapes in
 * text or attributes (& < > " tab LF CR, CRLF), what XML cannot hold
 * (C0 controls, U+FFFE, bytes that are not UTF-8, a cut sequence), and
 * what goes as it is (an apostrophe, "]]>", two-, three- and four-byte
 * characters, U+0085, DEL).
 */
static const char awkward[] =
    "Tom & Jerry's <b>\"quotes\"</b>\tTab\nLF\rCR\r\nCRLF ]]> x\x01y\x1f"
    "z\x7f \xc2\x85 Gwenll\xc3\xaf" "an \xe2\x82\xac \xf0\x9f\x8c\xb1"
    " \xef\xbf\xbe \xef\xbf\xbd bad\xff\xfe cut\xe2\x82";

/* The exclusive canonical form of xml, parsed as a peer parses it. */
static char *
canonical_of(const char *xml)
{
	xmlDocPtr doc;
	const char *why = NULL;
	char *c14n;

	ck_assert_msg((doc = fed_parse(xml, strlen(xml), &why)) != NULL,
	    "%s: %s", why, xml);
	ck_assert_ptr_nonnull(c14n = fed_c14n(doc));
	xmlFreeDoc(doc);
	return c14n;
}

/* An entry using every part of the writer, text from s. */
static void
write_awkward(struct atom *a, const char *s)
{
	atom_entry_start(a);
	atom_text(a, "id", "urn:uuid:" RECORD);
	atom_text(a, "title", s);
	atom_link(a, "alternate", "text/html", s);
	atom_category(a, s, s, "urn:x-scheme");
	atom_text(a, "summary", "");
	atom_markdown(a, s);
	atom_start(a, "source");
	atom_text(a, "id", "urn:uuid:" ORIGIN);
	atom_end(a);
	atom_record_start(a, "registration", "3");
	atom_field(a, "name", s);
	atom_field_start(a, "answer");
	atom_attr(a, "question", s);
	atom_attr(a, "a-first", "");
	atom_string(a, s);
	atom_end(a);
	atom_field_lines(a, "synonym", s);
	atom_end(a);
	/* A second acorn: element beside the first declares it again. */
	atom_field(a, "note", s);
	atom_end(a);
}

/*
 * What atom.c writes is already its own exclusive canonical form, the
 * bytes a receiver digests: so signing it needs no parse, and what it
 * signs verifies here and with the stock xmlsec1 tool.
 */
START_TEST(test_what_atom_writes_is_canonical_and_verifies)
{
	struct trust trust[] = { { fp_a, pem_a, ORIGIN }, { NULL, NULL, NULL } };
	char signer[FED_UUID_LEN + 1], entry[160], pub[160], cmd[600];
	char one[2], *xml, *c14n, *signed_xml;
	const char *why;
	struct atom a;
	int c;

	node_id = ORIGIN;
	ck_assert_int_eq(atom_open(&a), 0);
	write_awkward(&a, awkward);
	ck_assert_ptr_nonnull(xml = atom_close(&a));
	c14n = canonical_of(xml);
	ck_assert_str_eq(xml, c14n);
	/* Declared where used: on the record, and again on its sibling. */
	ck_assert_int_eq(strncmp(xml, "<entry xmlns=\"" FED_ATOM_NS "\"><id>",
	    strlen(FED_ATOM_NS) + 19), 0);
	ck_assert_ptr_nonnull(strstr(xml, "<acorn:record xmlns:acorn="));
	ck_assert_ptr_nonnull(strstr(xml, "<acorn:note xmlns:acorn="));
	/* Attributes in order of name, whatever order they came in. */
	ck_assert_ptr_nonnull(strstr(xml, "<acorn:answer a-first=\"\" "
	    "question=\"Tom &amp; Jerry's &lt;b>&quot;quotes&quot;&lt;/b>"
	    "&#x9;Tab&#xA;LF&#xD;CR&#xD;&#xA;CRLF ]]> xyz\x7f"));
	free(c14n);
	free(xml);

	/* One character at a time, each in text and in an attribute. */
	for (c = 1; c < 256; c++) {
		one[0] = (char)c;
		one[1] = '\0';
		ck_assert_int_eq(atom_open(&a), 0);
		write_awkward(&a, one);
		ck_assert_ptr_nonnull(xml = atom_close(&a));
		c14n = canonical_of(xml);
		ck_assert_msg(strcmp(xml, c14n) == 0, "character %d", c);
		free(c14n);
		free(xml);
	}

	/* A tombstone: the default namespace first used inside. */
	ck_assert_int_eq(atom_open(&a), 0);
	atom_start_ns(&a, "at", "deleted-entry", FED_TOMB_NS);
	atom_declare(&a, "", FED_ATOM_NS);
	atom_declare(&a, "acorn", FED_ACORN_NS);
	atom_attr(&a, "when", "2026-12-01T09:00:00Z");
	atom_attr(&a, "ref", "urn:uuid:" RECORD);
	atom_start_ns(&a, "at", "comment", NULL);
	atom_string(&a, awkward);
	atom_end(&a);
	atom_start(&a, "source");
	atom_text(&a, "id", "urn:uuid:" ORIGIN);
	atom_end(&a);
	atom_record_start(&a, "event", "2");
	atom_attr(&a, "deleted", "true");
	atom_end(&a);
	atom_end(&a);
	ck_assert_ptr_nonnull(xml = atom_close(&a));
	c14n = canonical_of(xml);
	ck_assert_str_eq(xml, c14n);
	ck_assert_ptr_nonnull(strstr(xml, "<source xmlns=\"" FED_ATOM_NS "\">"));
	free(c14n);
	free(xml);

	/* Signed straight from the writer: it verifies, byte for byte. */
	ck_assert_int_eq(atom_open(&a), 0);
	write_awkward(&a, awkward);
	ck_assert_ptr_nonnull(signed_xml = atom_sign(&a, key_a, fp_a));
	ck_assert_int_eq(verify_text(signed_xml, trust, signer, &c14n, &why),
	    0);
	ck_assert_str_eq(signer, ORIGIN);
	ck_assert_str_eq(c14n, signed_xml);
	free(c14n);
	snprintf(entry, sizeof(entry), "%s/written.xml", dir);
	snprintf(pub, sizeof(pub), "%s/written.pub", dir);
	ck_assert_int_eq(write_text(pub, pem_a), 0);
	ck_assert_int_eq(write_text(entry, signed_xml), 0);
	snprintf(cmd, sizeof(cmd), "/usr/bin/xmlsec1 --verify --pubkey-pem "
	    "'%s' '%s' >/dev/null 2>&1", pub, entry);
	ck_assert_int_eq(system(cmd), 0);
	free(signed_xml);
}
END_TEST

/*
 * A received entry's canonical form is written from its tree by atom.c's
 * writer when it can, and is then exactly libxml2's exclusive C14N of
 * it; what the writer would not write as libxml2 does is left to
 * libxml2, with the same result.
 */
START_TEST(test_canonical_form_from_the_tree_is_libxml2s)
{
#define ATOM	"xmlns=\"" FED_ATOM_NS "\""
	static const char *const walked[] = {
		event_xml, tombstone_xml,
		/* No namespace under a default one, and back. */
		"<entry " ATOM "><x xmlns=\"\"><y " ATOM ">t</y></x>"
		"<a:title xmlns:a=\"" FED_ATOM_NS "\">t</a:title></entry>",
		/* A prefix bound again below, to something else. */
		"<a:entry xmlns:a=\"" FED_ATOM_NS "\"><a:b xmlns:a=\""
		FED_ACORN_NS "\"><a:c/></a:b><a:d/></a:entry>",
		/* Declarations not used, and used only further down. */
		"<entry " ATOM " xmlns:ds=\"" FED_DSIG_NS "\" xmlns:u=\""
		FED_ACORN_NS "\">"
		"<id/><ds:x><ds:y/></ds:x><ds:z/></entry>",
		/* Attributes out of order, and every escape. */
		"<entry " ATOM " z=\"1\" a=\"&lt;&amp;&quot;&#9;&#10;&#13;>'\""
		" m=''><t>&lt;&amp;&gt;&#13;\"' ]]&gt; &#xe9;\xc3\xa9 \xf0\x9f"
		"\x98\x80</t><![CDATA[<x>&\r\n]]></entry>",
		/* Whitespace between elements, and a default left empty. */
		"<entry " ATOM ">\n  <id>\t</id>\n\n  <e xmlns=\"\"/>\n</entry>",
		/* The writer's own limits, at their edge. */
		"<entry " ATOM "><a><b><c><d><e><f><g><h><i><j><k><l><m><n><o>"
		"</o></n></m></l></k></j></i></h></g></f></e></d></c></b></a>"
		"</entry>",
	};
	static const char *const left[] = {
		"<entry " ATOM "><!-- said --><id/></entry>",
		"<entry " ATOM "><?pi data?><id/></entry>",
		"<entry " ATOM " xml:lang=\"cy\"><id/></entry>",
		"<entry " ATOM " xmlns:acorn=\"" FED_ACORN_NS "\" acorn:x=\"1\"/>",
		"<entry " ATOM "><x xmlns=\"urn:x-not-known\"/></entry>",
		"<entry " ATOM " xmlns:r=\"u#n:relative\"><id/></entry>",
		"<entry " ATOM " xmlns:u=\"urn:u\"><id/></entry>",
		"<!-- before --><entry " ATOM "/>",
		"<entry " ATOM "><a><b><c><d><e><f><g><h><i><j><k><l><m><n><o>"
		"<p/></o></n></m></l></k></j></i></h></g></f></e></d></c></b></a>"
		"</entry>",
		"<entry " ATOM "><a-name-longer-than-the-writer-keeps-for-one-element/>"
		"</entry>",
		"<entry " ATOM " a1=\"\" a2=\"\" a3=\"\" a4=\"\" a5=\"\" a6=\"\""
		" a7=\"\" a8=\"\" a9=\"\" b1=\"\" b2=\"\" b3=\"\" b4=\"\" b5=\"\""
		" b6=\"\" b7=\"\" b8=\"\"/>",
	};
#undef ATOM
	xmlDocPtr doc;
	const char *why;
	char *walk, *c14n, *both;
	size_t i;

	for (i = 0; i < sizeof(walked) / sizeof(walked[0]); i++) {
		ck_assert_ptr_nonnull(doc = fed_parse(walked[i],
		    strlen(walked[i]), &why));
		ck_assert_ptr_nonnull(c14n = fed_c14n(doc));
		walk = fed_canonical_walk(doc);
		ck_assert_msg(walk != NULL, "not written: %s", walked[i]);
		ck_assert_msg(strcmp(walk, c14n) == 0, "%s\nwrote  %s\nlibxml2 %s",
		    walked[i], walk, c14n);
		ck_assert_ptr_nonnull(both = fed_canonical(doc));
		ck_assert_str_eq(both, c14n);
		free(both);
		free(walk);
		free(c14n);
		xmlFreeDoc(doc);
	}
	for (i = 0; i < sizeof(left) / sizeof(left[0]); i++) {
		ck_assert_ptr_nonnull(doc = fed_parse(left[i], strlen(left[i]),
		    &why));
		ck_assert_msg(fed_canonical_walk(doc) == NULL, "written: %s",
		    left[i]);
		/* libxml2 has none for a relative namespace URI. */
		c14n = fed_c14n(doc);
		both = fed_canonical(doc);
		ck_assert_int_eq(c14n == NULL, strstr(left[i], "u#n") != NULL);
		if (c14n != NULL)
			ck_assert_str_eq(both, c14n);
		else
			ck_assert_ptr_null(both);
		free(both);
		free(c14n);
		xmlFreeDoc(doc);
	}
}
END_TEST

/* What the writer cannot write as asked, it writes nothing of. */
START_TEST(test_atom_refuses_what_it_cannot_write)
{
	struct atom a;
	char *xml;

	/* An attribute once the element has content. */
	ck_assert_int_eq(atom_open(&a), 0);
	atom_entry_start(&a);
	atom_string(&a, "text");
	atom_attr(&a, "late", "x");
	ck_assert_ptr_null(atom_close(&a));
	/* The same attribute twice, one with a prefix, an xmlns one. */
	ck_assert_int_eq(atom_open(&a), 0);
	atom_entry_start(&a);
	atom_attr(&a, "a", "1");
	atom_attr(&a, "a", "2");
	ck_assert_ptr_null(atom_close(&a));
	ck_assert_int_eq(atom_open(&a), 0);
	atom_entry_start(&a);
	atom_attr(&a, "xml:lang", "en");
	ck_assert_ptr_null(atom_close(&a));
	ck_assert_int_eq(atom_open(&a), 0);
	atom_entry_start(&a);
	atom_attr(&a, "xmlns:x", "urn:x");
	ck_assert_ptr_null(atom_close(&a));
	/* A prefix nobody declared. */
	ck_assert_int_eq(atom_open(&a), 0);
	atom_start(&a, "entry");
	atom_field(&a, "name", "x");
	ck_assert_ptr_null(atom_close(&a));
	/* One prefix bound twice on one element. */
	ck_assert_int_eq(atom_open(&a), 0);
	atom_entry_start(&a);
	atom_declare(&a, "acorn", "urn:x-other");
	ck_assert_ptr_null(atom_close(&a));
	/* More ends than starts. */
	ck_assert_int_eq(atom_open(&a), 0);
	atom_entry_start(&a);
	atom_end(&a);
	atom_end(&a);
	ck_assert_ptr_null(atom_close(&a));
	/* Deeper than it keeps track of. */
	ck_assert_int_eq(atom_open(&a), 0);
	for (int i = 0; i <= ATOM_DEPTH; i++)
		atom_start(&a, "x");
	ck_assert_ptr_null(atom_close(&a));

	/* Raw markup is written, but never signed from the writer. */
	ck_assert_int_eq(atom_open(&a), 0);
	atom_entry_start(&a);
	atom_raw(&a, "<id>urn:uuid:" RECORD "</id>");
	ck_assert_ptr_nonnull(xml = atom_close(&a));
	ck_assert_str_eq(xml, "<entry xmlns=\"" FED_ATOM_NS "\"><id>urn:uuid:"
	    RECORD "</id></entry>");
	free(xml);
	ck_assert_int_eq(atom_open(&a), 0);
	atom_entry_start(&a);
	atom_raw(&a, "<id>urn:uuid:" RECORD "</id>");
	ck_assert_ptr_null(atom_sign(&a, key_a, fp_a));
	/* Nor an element still open. */
	ck_assert_int_eq(atom_open(&a), 0);
	atom_entry_start(&a);
	ck_assert_ptr_null(atom_sign(&a, key_a, fp_a));

	/* Canonical text signs only as one element, nothing around it. */
	ck_assert_ptr_null(fed_sign_canonical("<entry></entry>\n", 16, key_a,
	    fp_a));
	ck_assert_ptr_null(fed_sign_canonical("<a></a><b></b>", 14, key_a,
	    fp_a));
	ck_assert_ptr_null(fed_sign_canonical("<?pi x?><a></a>", 15, key_a,
	    fp_a));
	ck_assert_ptr_null(fed_sign_canonical("<a>", 3, key_a, fp_a));
	ck_assert_ptr_null(fed_sign_canonical("", 0, key_a, fp_a));
	ck_assert_ptr_null(fed_sign_canonical("<a></a>", 7, key_a, "nothex"));
	ck_assert_ptr_nonnull(xml = fed_sign_canonical("<a></a>", 7, key_a,
	    fp_a));
	ck_assert_int_eq(strncmp(xml, "<a><ds:Signature xmlns:ds=", 26), 0);
	ck_assert_str_eq(xml + strlen(xml) - 19, "</ds:Signature></a>");
	free(xml);
}
END_TEST

START_TEST(test_feed_xml_text_drops_what_xml_cannot_hold)
{
	char *s;

	ck_assert_ptr_nonnull(s = feed_xml_text("a\001b\013c\td\ne\rf"
	    "\xef\xbf\xbe" "g\xef\xbf\xbf" "h\xff" "i\xe2\x82" "j\xc0\xaf" "k"));
	ck_assert_str_eq(s, "abc\td\ne\rfghijk");
	free(s);
	ck_assert_ptr_nonnull(s = feed_xml_text("Gwenllïan 🌱 اردو €"));
	ck_assert_str_eq(s, "Gwenllïan 🌱 اردو €");
	free(s);
	ck_assert_ptr_nonnull(s = feed_xml_text(NULL));
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

Suite *
federation_suite(void)
{
	Suite *s = suite_create("federation");
	TCase *tc;

	tc = tcase_create("keys");
	tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
	tcase_add_test(tc, test_keygen_writes_0600_file_and_never_overwrites);
	tcase_add_test(tc, test_keygen_refuses_a_symlink_in_place_of_the_key);
	tcase_add_test(tc, test_fingerprint_is_sha256_of_der_public_key);
	tcase_add_test(tc, test_public_pem_round_trips_to_same_fingerprint);
	tcase_add_test(tc, test_pem_key_takes_only_p256_public_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("signatures");
	tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_signed_entry_verifies_and_names_its_signer);
	tcase_add_test(tc, test_signed_tombstone_verifies);
	tcase_add_test(tc, test_stock_xmlsec1_verifies_what_we_sign);
	tcase_add_test(tc, test_any_changed_content_fails);
	tcase_add_test(tc, test_signature_laid_out_otherwise_still_verifies);
	tcase_add_test(tc, test_signature_values_checked_as_xmlsec_checks_them);
	tcase_add_test(tc, test_signature_by_untrusted_key_is_refused);
	tcase_add_test(tc, test_trusted_key_name_lends_no_trust);
	tcase_add_test(tc, test_key_material_in_key_info_is_refused);
	tcase_add_test(tc,
	    test_references_and_algorithms_other_than_ours_are_refused);
	tcase_add_test(tc, test_signature_wrapping_is_refused);
	tcase_add_test(tc, test_signer_must_be_the_records_origin);
	tcase_add_test(tc, test_trust_store_entry_must_be_usable);
	tcase_add_test(tc, test_sign_refuses_what_it_must_not_sign);
	tcase_add_test(tc, test_threads_sign_and_verify_at_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("parsing");
	tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc,
	    test_parse_refuses_doctype_xxe_and_entity_bombs_at_once);
	tcase_add_test(tc, test_parse_refuses_deep_nesting);
	tcase_add_test(tc, test_parse_refuses_more_than_16_mib);
	tcase_add_test(tc, test_parse_refuses_junk_without_a_word_on_stderr);
	tcase_add_test(tc, test_page_entries_keep_their_signed_bytes);
	tcase_add_test(tc, test_page_verified_at_once_as_one_at_a_time);
	tcase_add_test(tc,
	    test_page_entries_leaning_on_feed_namespaces_still_verify);
	tcase_add_test(tc, test_page_refuses_truncated_and_foreign_pages);
	tcase_add_test(tc, test_page_says_its_stream);
	tcase_add_test(tc, test_page_refuses_too_many_or_too_large_entries);
	tcase_add_test(tc, test_page_without_entries_is_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("records");
	tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
	tcase_add_test(tc, test_record_reads_verified_event);
	tcase_add_test(tc, test_record_reads_outcomes_in_order);
	tcase_add_test(tc,
	    test_record_reads_registration_fields_and_their_attributes);
	tcase_add_test(tc, test_record_reads_tombstone);
	tcase_add_test(tc, test_record_refuses_bad_entries);
	tcase_add_test(tc, test_record_refuses_bad_tombstones);
	tcase_add_test(tc, test_record_refuses_more_than_500_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("atom");
	tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_feed_xml_text_drops_what_xml_cannot_hold);
	tcase_add_test(tc, test_what_atom_writes_is_canonical_and_verifies);
	tcase_add_test(tc, test_atom_refuses_what_it_cannot_write);
	tcase_add_test(tc, test_canonical_form_from_the_tree_is_libxml2s);
	suite_add_tcase(s, tc);
	return s;
}
