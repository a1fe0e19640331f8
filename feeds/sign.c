/*
 * A node's keys and its signatures: ECDSA P-256 key files, public keys
 * in PEM, fingerprints, and the enveloped XML signature over a
 * standalone entry document (docs/protocol.md, sections 1 and 4).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core.h"
#include "federation.h"
#include "fed_internal.h"

static int initialised;

/* Signing and verifying are OpenSSL's and libxml2's: only the parser. */
int
fed_init(void)
{
	if (initialised)
		return 0;
	xmlInitParser();
	initialised = 1;
	return 0;
}

void
fed_cleanup(void)
{
	if (!initialised)
		return;
	initialised = 0;
	fed_key_cache_clear();
}

/*
 * O_EXCL so that a second keygen never replaces the key a node's peers
 * trust; the mode is set again in case the umask took bits away.
 */
int
fed_keygen(const char *path)
{
	EVP_PKEY *key;
	FILE *f = NULL;
	int fd, saved;

	if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL) {
		errno = EIO;
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		goto fail;
	if (fchmod(fd, 0600) == -1 || (f = fdopen(fd, "w")) == NULL)
		goto fail_file;
	errno = EIO;
	if (PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fflush(f) == EOF || fsync(fileno(f)) == -1)
		goto fail_file;
	if (fclose(f) == EOF) {
		f = NULL;
		goto fail_file;
	}
	EVP_PKEY_free(key);
	return 0;
fail_file:
	saved = errno;
	if (f != NULL)
		fclose(f);
	else
		close(fd);
	unlink(path);
	errno = saved;
fail:
	saved = errno;
	EVP_PKEY_free(key);
	errno = saved;
	return -1;
}

EVP_PKEY *
fed_key_load(const char *path)
{
	EVP_PKEY *key;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (key != NULL && !fed_is_p256(key)) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	return key;
}

char *
fed_public_pem(EVP_PKEY *key)
{
	BIO *b;
	char *data, *pem = NULL;
	long len;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if (PEM_write_bio_PUBKEY(b, key) == 1 &&
	    (len = BIO_get_mem_data(b, &data)) > 0)
		pem = strndup(data, (size_t)len);
	BIO_free(b);
	return pem;
}

int
fed_fingerprint(EVP_PKEY *key, char hex[FED_FP_LEN + 1])
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen, i;
	int len, rc = -1;

	hex[0] = '\0';
	if ((len = i2d_PUBKEY(key, &der)) <= 0)
		return -1;
	if (EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1 &&
	    mdlen * 2 == FED_FP_LEN) {
		for (i = 0; i < mdlen; i++)
			snprintf(hex + i * 2, 3, "%02x", md[i]);
		rc = 0;
	}
	OPENSSL_free(der);
	return rc;
}

/*
 * The one signature shape of docs/protocol.md section 4, as exclusive
 * canonical XML lays it out: the text of the ds:SignedInfo element
 * around its digest value, and the rest of ds:Signature.
 */
#define SIGNED_INFO_HEAD \
	"\n<ds:CanonicalizationMethod Algorithm=\"" FED_C14N_EXC "\">" \
	"</ds:CanonicalizationMethod>\n" \
	"<ds:SignatureMethod Algorithm=\"" FED_ECDSA_SHA256 "\">" \
	"</ds:SignatureMethod>\n" \
	"<ds:Reference URI=\"\">\n<ds:Transforms>\n" \
	"<ds:Transform Algorithm=\"" FED_ENVELOPED "\"></ds:Transform>\n" \
	"<ds:Transform Algorithm=\"" FED_C14N_EXC "\"></ds:Transform>\n" \
	"</ds:Transforms>\n" \
	"<ds:DigestMethod Algorithm=\"" FED_SHA256 "\"></ds:DigestMethod>\n" \
	"<ds:DigestValue>"
#define SIGNED_INFO_TAIL \
	"</ds:DigestValue>\n</ds:Reference>\n</ds:SignedInfo>"
#define DS_XMLNS	" xmlns:ds=\"" FED_DSIG_NS "\""

/*
 * ECDSA P-256 with SHA-256 over text, as XML-DSig has the value: r then
 * s, each FED_P256_HALF bytes, in base64.
 */
int
fed_sign_text(EVP_PKEY *key, const char *text, size_t len,
    char out[FED_B64_LEN(2 * FED_P256_HALF) + 1])
{
	unsigned char md[32], raw[2 * FED_P256_HALF], der[80];
	const unsigned char *p;
	EVP_PKEY_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	const BIGNUM *r, *s;
	size_t derlen = sizeof(der);
	int rc = -1;

	util_sha256(text, len, md);
	if ((ctx = EVP_PKEY_CTX_new(key, NULL)) == NULL ||
	    EVP_PKEY_sign_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_sign(ctx, der, &derlen, md, sizeof(md)) != 1)
		goto done;
	p = der;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		goto done;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, raw, FED_P256_HALF) != FED_P256_HALF ||
	    BN_bn2binpad(s, raw + FED_P256_HALF, FED_P256_HALF) !=
	    FED_P256_HALF)
		goto done;
	EVP_EncodeBlock((unsigned char *)out, raw, sizeof(raw));
	rc = 0;
done:
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/*
 * The length of the root element's name in canonical text xml, which
 * must be a single element and nothing else: <name ...>...</name>.  0
 * when it is not.
 */
size_t
fed_root_name(const char *xml, size_t len)
{
	size_t n;

	if (len < 2 || xml[0] != '<')
		return 0;
	n = strcspn(xml + 1, " >");
	if (n == 0 || n + 4 > len || xml[len - 1] != '>' ||
	    xml[len - n - 3] != '<' || xml[len - n - 2] != '/' ||
	    memcmp(xml + 1, xml + len - n - 1, n) != 0)
		return 0;
	return n;
}

/*
 * The canonical text of ds:SignedInfo over a digest (in base64) on its
 * own, as its signature covers it: the ds prefix declared on it.
 */
void
fed_signed_info_text(struct strbuf *b, const char *digest)
{
	strbuf_str(b, "<ds:SignedInfo" DS_XMLNS ">" SIGNED_INFO_HEAD);
	strbuf_str(b, digest);
	strbuf_str(b, SIGNED_INFO_TAIL);
}

/*
 * The canonical text of the whole ds:Signature, as the last element of
 * an entry has it: digest and value in base64, the key's fingerprint.
 */
void
fed_signature_text(struct strbuf *b, const char *digest, const char *value,
    const char *fp)
{
	strbuf_str(b, "<ds:Signature" DS_XMLNS ">\n<ds:SignedInfo>"
	    SIGNED_INFO_HEAD);
	strbuf_str(b, digest);
	strbuf_str(b, SIGNED_INFO_TAIL "\n<ds:SignatureValue>");
	strbuf_str(b, value);
	strbuf_str(b, "</ds:SignatureValue>\n<ds:KeyInfo>\n<ds:KeyName>");
	strbuf_str(b, fp);
	strbuf_str(b, "</ds:KeyName>\n</ds:KeyInfo>\n</ds:Signature>");
}

/*
 * Signs an entry document already in exclusive canonical form (what
 * atom.c writes, or fed_c14n gives): the digest of these very bytes is
 * the digest of the document but the signature, since the signature
 * goes last in the root; then ECDSA over the canonical SignedInfo, and
 * the signature spliced in before the root's end tag.  The result is
 * itself the document's canonical form, as receivers check it
 * (verify.c).  The caller has made sure fp is the key's own
 * (fed_key_is).  Safe to call from several threads at once.
 */
char *
fed_sign_canonical(const char *xml, size_t len, EVP_PKEY *key,
    const char *fp)
{
	struct strbuf b = { NULL, 0, 0, 0 }, si = { NULL, 0, 0, 0 };
	unsigned char md[32];
	char digest[FED_B64_LEN(32) + 1];
	char value[FED_B64_LEN(2 * FED_P256_HALF) + 1];
	size_t name;

	if (key == NULL || fp == NULL || !fed_is_fp(fp) ||
	    (name = fed_root_name(xml, len)) == 0)
		return NULL;
	util_sha256(xml, len, md);
	EVP_EncodeBlock((unsigned char *)digest, md, sizeof(md));
	fed_signed_info_text(&si, digest);
	if (si.failed || fed_sign_text(key, si.p, si.len, value) == -1) {
		strbuf_free(&si);
		return NULL;
	}
	strbuf_free(&si);
	strbuf_add(&b, xml, len - name - 3);
	fed_signature_text(&b, digest, value, fp);
	strbuf_add(&b, xml + len - name - 3, name + 3);
	return strbuf_take(&b);
}

/*
 * Whether fp is key's own fingerprint, which receivers look the key up
 * by: 0 when it is.  Working it out costs more than a signature, so a
 * batch checks it once (publish_pending), and a signer once, when its
 * keys are loaded.
 */
int
fed_key_is(EVP_PKEY *key, const char *fp)
{
	char own[FED_FP_LEN + 1];

	if (key == NULL || fp == NULL || fed_fingerprint(key, own) == -1 ||
	    strcmp(own, fp) != 0)
		return -1;
	return 0;
}

/*
 * Signs any entry document: parsed as strictly as a peer's, so that what
 * is signed here is what every receiver will accept, and then signed in
 * its canonical form.  The caller has made sure fp is the key's own
 * (fed_key_is).  Safe to call from several threads at once.
 */
char *
fed_sign_as(const char *xml, size_t len, EVP_PKEY *key, const char *fp)
{
	xmlDocPtr doc;
	xmlNodePtr root, n;
	const char *why;
	char *c14n = NULL, *out = NULL;

	if ((doc = fed_parse(xml, len, &why)) == NULL)
		return NULL;
	root = xmlDocGetRootElement(doc);
	if (!fed_is_entry(root))
		goto done;
	for (n = root; n != NULL; n = fed_next(n, root))
		if (n->ns != NULL && xmlStrEqual(n->ns->href,
		    BAD_CAST FED_DSIG_NS))
			goto done;
	/* Nothing but the root (and comments, which no form keeps). */
	for (n = doc->children; n != NULL; n = n->next)
		if (n != root && n->type != XML_COMMENT_NODE)
			goto done;
	if ((c14n = fed_c14n(doc)) != NULL)
		out = fed_sign_canonical(c14n, strlen(c14n), key, fp);
done:
	free(c14n);
	xmlFreeDoc(doc);
	return out;
}

/* One entry signed with a key whose fingerprint is checked first. */
char *
fed_sign(const char *xml, size_t len, EVP_PKEY *key, const char *fp)
{
	if (fed_key_is(key, fp) == -1)
		return NULL;
	return fed_sign_as(xml, len, key, fp);
}

/*
 * Building and signing entries is all processor time, and a batch's
 * entries do not depend on each other: they are spread over the
 * processors, a few to a thread at least.
 */
void
fed_parallel(size_t n, void (*fn)(void *, size_t), void *arg)
{
	worker_parallel(n, 8, fn, arg);
}
