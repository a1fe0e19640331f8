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

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>

#include "core.h"
#include "federation.h"
#include "fed_internal.h"

/*
 * xmlsec reports every failure on stderr by default.  A peer's bad
 * signature is ordinary input, not an incident: callers get a reason
 * string and log it once.
 */
static void
xmlsec_quiet(const char *file, int line, const char *func,
    const char *object, const char *subject, int reason, const char *msg)
{
	(void)file;
	(void)line;
	(void)func;
	(void)object;
	(void)subject;
	(void)reason;
	(void)msg;
}

static int initialised;

int
fed_init(void)
{
	if (initialised)
		return 0;
	xmlInitParser();
	if (xmlSecInit() < 0)
		return -1;
	if (xmlSecCheckVersion() != 1)
		goto fail;
	if (xmlSecCryptoAppInit(NULL) < 0)
		goto fail;
	if (xmlSecCryptoInit() < 0) {
		xmlSecCryptoAppShutdown();
		goto fail;
	}
	xmlSecErrorsSetCallback(xmlsec_quiet);
	initialised = 1;
	return 0;
fail:
	xmlSecShutdown();
	return -1;
}

void
fed_cleanup(void)
{
	if (!initialised)
		return;
	initialised = 0;
	fed_key_cache_clear();
	xmlSecCryptoShutdown();
	xmlSecCryptoAppShutdown();
	xmlSecShutdown();
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

/* The ds:Signature template of protocol.md section 4, last in root. */
static xmlNodePtr
signature_template(xmlDocPtr doc, xmlNodePtr root, const char *fp)
{
	xmlNodePtr sig, ref, info;

	sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId,
	    xmlSecTransformEcdsaSha256Id, NULL, BAD_CAST "ds");
	if (sig == NULL)
		return NULL;
	if (xmlAddChild(root, sig) == NULL) {
		xmlFreeNode(sig);
		return NULL;
	}
	ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id,
	    NULL, BAD_CAST "", NULL);
	if (ref == NULL ||
	    xmlSecTmplReferenceAddTransform(ref,
	    xmlSecTransformEnvelopedId) == NULL ||
	    xmlSecTmplReferenceAddTransform(ref,
	    xmlSecTransformExclC14NId) == NULL)
		return NULL;
	if ((info = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL)) == NULL ||
	    xmlSecTmplKeyInfoAddKeyName(info, BAD_CAST fp) == NULL)
		return NULL;
	return sig;
}

/* Sets a value element's text to the base64 of len bytes. */
static int
set_base64(xmlNodePtr n, const unsigned char *bytes, size_t len)
{
	unsigned char text[4 * ((2 * FED_P256_HALF + 2) / 3) + 1];

	if (len > 2 * FED_P256_HALF)
		return -1;
	EVP_EncodeBlock(text, bytes, (int)len);
	xmlNodeSetContent(n, text);
	return 0;
}

/*
 * Fills in the template's digest and signature values, as section 4
 * has receivers check them (verify.c): the digest of the document but
 * the signature, then ECDSA P-256 with SHA-256 over the canonical
 * SignedInfo, its value r then s.  The general XML-DSig machinery
 * would build node sets to find the same bytes.
 */
static int
signature_fill(xmlDocPtr doc, xmlNodePtr sig, EVP_PKEY *key)
{
	xmlNodePtr si, value, ref, digest;
	unsigned char md[32], raw[2 * FED_P256_HALF], der[80];
	const unsigned char *p;
	EVP_PKEY_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	const BIGNUM *r, *s;
	size_t derlen = sizeof(der);
	int rc = -1;

	si = xmlFirstElementChild(sig);
	value = si != NULL ? xmlNextElementSibling(si) : NULL;
	ref = si != NULL ? xmlLastElementChild(si) : NULL;
	digest = ref != NULL ? xmlLastElementChild(ref) : NULL;
	if (value == NULL || digest == NULL ||
	    fed_c14n_sha256(doc, sig, 0, md) == -1 ||
	    set_base64(digest, md, sizeof(md)) == -1 ||
	    fed_c14n_sha256(doc, si, 1, md) == -1)
		return -1;
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
	    FED_P256_HALF || set_base64(value, raw, sizeof(raw)) == -1)
		goto done;
	rc = 0;
done:
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/*
 * Whether fp is key's own fingerprint, which receivers look the key up
 * by: 0 when it is.  Working it out costs more than a signature, so a
 * batch checks it once (fed_sign_as).
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
 * The input is our own unsigned entry, but it is parsed as strictly as a
 * peer's: what is signed here is what every receiver will accept.  The
 * caller has made sure fp is the key's own (fed_key_is).  Safe to call
 * from several threads at once.
 */
char *
fed_sign_as(const char *xml, size_t len, EVP_PKEY *key, const char *fp)
{
	xmlDocPtr doc;
	xmlNodePtr root, sig, n;
	const char *why;
	char *out = NULL;

	if ((doc = fed_parse(xml, len, &why)) == NULL)
		return NULL;
	root = xmlDocGetRootElement(doc);
	if (!fed_is_entry(root))
		goto done;
	for (n = root; n != NULL; n = fed_next(n, root))
		if (n->ns != NULL && xmlStrEqual(n->ns->href,
		    BAD_CAST FED_DSIG_NS))
			goto done;
	if ((sig = signature_template(doc, root, fp)) == NULL ||
	    signature_fill(doc, sig, key) == -1)
		goto done;
	out = fed_c14n(doc);
done:
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
