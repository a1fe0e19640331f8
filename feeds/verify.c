/*
 * Reading what peers send: untrusted XML parsed without DTDs, entities
 * or network, feed pages split into one document per entry, and the
 * signature checks of docs/protocol.md section 4.  Everything a peer
 * sends is refused with a short reason a coordinator can read.  The
 * entries of a page are checked on every core at once.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "core.h"
#include "federation.h"
#include "fed_internal.h"

/*
 * Work on many entries at once.  Each thread takes the next entry not
 * yet taken; every entry becomes its own document, and keys are shared
 * read-only (OpenSSL lets several threads verify with one EVP_PKEY),
 * so the threads share only the counter and what each job says it
 * shares (worker_parallel).
 */
/* Feed pages. */

static int
page_cursor(xmlNodePtr n, long long *cursor)
{
	xmlChar *text;
	const char *p;
	long long v = 0;
	int ok = 1;

	if ((text = xmlNodeGetContent(n)) == NULL)
		return -1;
	p = (const char *)text;
	if (*p == '\0' || strlen(p) > 18 || xmlFirstElementChild(n) != NULL)
		ok = 0;
	for (; ok && *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			ok = 0;
		else
			v = v * 10 + (*p - '0');
	}
	xmlFree(text);
	if (!ok)
		return -1;
	*cursor = v;
	return 0;
}

/* acorn:stream's urn:uuid into out; -1 when it is not one. */
static int
page_stream(xmlNodePtr n, char out[FED_UUID_LEN + 1])
{
	xmlChar *text;
	const char *id;
	int rc = -1;

	if (xmlFirstElementChild(n) != NULL ||
	    (text = xmlNodeGetContent(n)) == NULL)
		return -1;
	if ((id = fed_urn_uuid((const char *)text)) != NULL) {
		memcpy(out, id, FED_UUID_LEN + 1);
		rc = 0;
	}
	xmlFree(text);
	return rc;
}

static int
is_next_link(xmlNodePtr n)
{
	xmlChar *rel;
	int yes;

	if (!fed_is(n, FED_ATOM_NS, "link"))
		return 0;
	rel = xmlGetNoNsProp(n, BAD_CAST "rel");
	yes = rel != NULL && xmlStrEqual(rel, BAD_CAST "next");
	xmlFree(rel);
	return yes;
}

/* Whether ns is declared on e or an element above it up to top. */
static int
declared_within(const xmlNs *ns, xmlNodePtr e, xmlNodePtr top)
{
	xmlNsPtr d;

	for (;; e = e->parent) {
		for (d = e->nsDef; d != NULL; d = d->next)
			if (d == ns)
				return 1;
		if (e == top)
			return 0;
	}
}

/*
 * *ns, used inside entry, as a namespace of entry's document: declared
 * on entry when it was declared above it (by the feed), and the
 * document's own when it is the xml one.  -1 when memory ran out.
 */
static int
own_ns(xmlDocPtr doc, xmlNodePtr entry, xmlNodePtr e, xmlNsPtr *ns)
{
	xmlNsPtr d;

	if (*ns == NULL || declared_within(*ns, e, entry))
		return 0;
	if ((*ns)->prefix != NULL &&
	    xmlStrEqual((*ns)->prefix, BAD_CAST "xml")) {
		*ns = xmlSearchNs(doc, entry, BAD_CAST "xml");
		return *ns != NULL ? 0 : -1;
	}
	for (d = entry->nsDef; d != NULL; d = d->next)
		if (xmlStrEqual(d->prefix, (*ns)->prefix)) {
			/* The entry binds the prefix itself, to the same. */
			if (!xmlStrEqual(d->href, (*ns)->href))
				return -1;
			*ns = d;
			return 0;
		}
	*ns = xmlNewNs(entry, (*ns)->href, (*ns)->prefix);
	return *ns != NULL ? 0 : -1;
}

/*
 * The entry taken out of the page into a document of its own, without
 * copying it: the document shares the page's dictionary of names, which
 * it keeps, and the entry declares on itself every namespace it uses
 * but inherited from the feed, so the page can go.  Exclusive C14N
 * renders a namespace only where it is used, so the entry canonicalises
 * to the bytes its origin signed whatever the feed around it declared.
 * NULL when memory ran out.
 */
static xmlDocPtr
entry_take(xmlNodePtr entry)
{
	xmlDocPtr page = entry->doc, doc;
	xmlNodePtr e;
	xmlAttrPtr at;
	int rc = 0;

	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL)
		return NULL;
	if (page->dict != NULL) {
		doc->dict = page->dict;
		xmlDictReference(doc->dict);
	}
	xmlUnlinkNode(entry);
	xmlDocSetRootElement(doc, entry);
	for (e = entry; e != NULL && rc == 0; e = fed_next(e, entry)) {
		rc = own_ns(doc, entry, e, &e->ns);
		for (at = e->properties; at != NULL && rc == 0; at = at->next)
			rc = own_ns(doc, entry, e, &at->ns);
	}
	if (rc == -1) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

/*
 * The canonical form of an entry taken out, which its size is measured
 * by: it is the form stored once the entry verifies, and verifying does
 * not change the document.  NULL with *why when it has none.
 */
static char *
entry_canonical(xmlDocPtr doc, const char **why)
{
	char *text;

	if ((text = fed_canonical(doc)) == NULL) {
		*why = "an entry that cannot be canonicalised";
		return NULL;
	}
	if (strlen(text) > (size_t)FED_MAX_ENTRY) {
		*why = "an entry larger than 1 MiB";
		free(text);
		return NULL;
	}
	return text;
}

/* The entries of a page being canonicalised, each by whichever thread. */
struct split {
	xmlDocPtr	*docs;
	char		**canon;
	const char	**whys;
};

static void
split_one(void *arg, size_t i)
{
	struct split *sp = arg;

	sp->canon[i] = entry_canonical(sp->docs[i], &sp->whys[i]);
}

/*
 * Takes every entry out into a document of its own, then makes their
 * canonical forms on every core: each thread reads only its entries.
 * The page is refused for the first entry, in order, that cannot be
 * taken out, as it would be one at a time.
 */
static int
page_entries(xmlNodePtr root, struct fed_page *page, const char **why)
{
	struct split sp = { NULL, NULL, NULL };
	xmlNodePtr n, next;
	size_t count = 0, i;
	int rc = -1;

	for (n = xmlFirstElementChild(root); n != NULL;
	    n = xmlNextElementSibling(n))
		if (fed_is_entry(n))
			count++;
	if (count > FED_MAX_ENTRIES)
		return fed_refuse(why, "more than 1000 entries");
	if (count == 0)
		return 0;
	if ((page->docs = calloc(count, sizeof(*page->docs))) == NULL ||
	    (page->canon = calloc(count, sizeof(*page->canon))) == NULL ||
	    (sp.whys = calloc(count, sizeof(*sp.whys))) == NULL)
		return fed_refuse(why, "out of memory");
	page->n = count;	/* every entry is freed with the page */
	for (n = xmlFirstElementChild(root), i = 0; n != NULL; n = next) {
		next = xmlNextElementSibling(n);
		if (!fed_is_entry(n))
			continue;
		if ((page->docs[i++] = entry_take(n)) == NULL) {
			fed_refuse(why, "out of memory");
			goto done;
		}
	}
	sp.docs = page->docs;
	sp.canon = page->canon;
	worker_parallel(count, 1, split_one, &sp);
	for (i = 0; i < count; i++)
		if (page->canon[i] == NULL) {
			*why = sp.whys[i];
			goto done;
		}
	rc = 0;
done:
	free(sp.whys);
	return rc;
}

int
fed_page_parse(const char *buf, size_t len, struct fed_page *page,
    const char **why)
{
	xmlDocPtr doc;
	xmlNodePtr root, n;
	int seen_cursor = 0, seen_stream = 0;

	memset(page, 0, sizeof(*page));
	page->cursor = -1;
	if ((doc = fed_parse(buf, len, why)) == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (!fed_is(root, FED_ATOM_NS, "feed")) {
		fed_refuse(why, "not an Atom feed");
		goto fail;
	}
	for (n = xmlFirstElementChild(root); n != NULL;
	    n = xmlNextElementSibling(n)) {
		if (fed_is(n, FED_ACORN_NS, "cursor")) {
			if (seen_cursor++ || page_cursor(n, &page->cursor)) {
				fed_refuse(why, "a bad cursor");
				goto fail;
			}
		} else if (fed_is(n, FED_ACORN_NS, "stream")) {
			if (seen_stream++ || page_stream(n, page->stream)) {
				fed_refuse(why, "a bad stream");
				goto fail;
			}
		} else if (is_next_link(n))
			page->more = 1;
	}
	if (page_entries(root, page, why) == -1)
		goto fail;
	xmlFreeDoc(doc);
	*why = NULL;
	return 0;
fail:
	xmlFreeDoc(doc);
	fed_page_free(page);
	return -1;
}

void
fed_page_free(struct fed_page *page)
{
	size_t i;

	if (page == NULL)
		return;
	for (i = 0; i < page->n; i++) {
		xmlFreeDoc(page->docs[i]);
		if (page->canon != NULL)
			free(page->canon[i]);
	}
	free(page->docs);
	free(page->canon);
	memset(page, 0, sizeof(*page));
	page->cursor = -1;
}

/* Signature structure, checked before anything is digested. */

static int
ds(xmlNodePtr n, const char *name)
{
	return fed_is(n, FED_DSIG_NS, name);
}

static int
blank(const xmlChar *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (!isspace(*s))
			return 0;
	return 1;
}

/*
 * The element children of n, at most max of them: anything else but
 * whitespace between them (text, comments, processing instructions) is
 * refused, so that what is digested is what was checked here.
 */
static int
children(xmlNodePtr n, xmlNodePtr *v, size_t max, size_t *count)
{
	xmlNodePtr c;

	*count = 0;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE && blank(c->content))
			continue;
		if (c->type != XML_ELEMENT_NODE || *count == max)
			return -1;
		v[(*count)++] = c;
	}
	return 0;
}

/* Exactly one attribute, Algorithm = want, and no children. */
static int
algorithm(xmlNodePtr n, const char *want)
{
	xmlChar *alg;
	int ok;

	if (n->properties == NULL || n->properties->next != NULL ||
	    n->properties->ns != NULL || xmlFirstElementChild(n) != NULL)
		return 0;
	alg = xmlGetNoNsProp(n, BAD_CAST "Algorithm");
	ok = alg != NULL && xmlStrEqual(alg, BAD_CAST want);
	xmlFree(alg);
	return ok;
}

/* A value element (DigestValue, SignatureValue, KeyName): text only. */
static int
value_only(xmlNodePtr n)
{
	xmlNodePtr c;

	if (n->properties != NULL)
		return 0;
	for (c = n->children; c != NULL; c = c->next)
		if (c->type != XML_TEXT_NODE)
			return 0;
	return 1;
}

static int
check_reference(xmlNodePtr ref, const char **why)
{
	xmlNodePtr v[4], t[3];
	xmlChar *uri;
	size_t n, nt;
	int whole;

	uri = xmlGetNoNsProp(ref, BAD_CAST "URI");
	whole = uri != NULL && *uri == '\0' && ref->properties->next == NULL;
	xmlFree(uri);
	if (!whole)
		return fed_refuse(why, "the reference is not to the whole document");
	if (children(ref, v, 3, &n) == -1 || n != 3 ||
	    !ds(v[0], "Transforms") || !ds(v[1], "DigestMethod") ||
	    !ds(v[2], "DigestValue") || !value_only(v[2]))
		return fed_refuse(why, "an unexpected part in the reference");
	if (v[0]->properties != NULL ||
	    children(v[0], t, 3, &nt) == -1 || nt != 2 ||
	    !ds(t[0], "Transform") || !algorithm(t[0], FED_ENVELOPED) ||
	    !ds(t[1], "Transform") || !algorithm(t[1], FED_C14N_EXC))
		return fed_refuse(why, "the transforms are not enveloped-signature "
		    "then exclusive C14N");
	if (!algorithm(v[1], FED_SHA256))
		return fed_refuse(why, "the digest is not SHA-256");
	return 0;
}

static int
check_signed_info(xmlNodePtr si, const char **why)
{
	xmlNodePtr v[4], c;
	size_t n, refs = 0;

	for (c = xmlFirstElementChild(si); c != NULL;
	    c = xmlNextElementSibling(c))
		if (ds(c, "Reference"))
			refs++;
	if (refs > 1)
		return fed_refuse(why, "more than one reference");
	if (si->properties != NULL || children(si, v, 3, &n) == -1 ||
	    n != 3 || !ds(v[0], "CanonicalizationMethod") ||
	    !ds(v[1], "SignatureMethod") || !ds(v[2], "Reference"))
		return fed_refuse(why, "an unexpected part in the signed info");
	if (!algorithm(v[0], FED_C14N_EXC))
		return fed_refuse(why, "the canonicalisation is not exclusive C14N");
	if (!algorithm(v[1], FED_ECDSA_SHA256))
		return fed_refuse(why, "the signature method is not ECDSA-SHA256");
	return check_reference(v[2], why);
}

/* KeyInfo names the key and holds none: the trust store supplies it. */
static int
check_key_info(xmlNodePtr ki, char fp[FED_FP_LEN + 1], const char **why)
{
	xmlNodePtr v[2];
	xmlChar *name;
	size_t n;
	int ok;

	if (ki->properties != NULL || children(ki, v, 1, &n) == -1 ||
	    n != 1 || !ds(v[0], "KeyName"))
		return fed_refuse(why, "the signature carries its own key");
	name = xmlNodeGetContent(v[0]);
	ok = value_only(v[0]) && name != NULL && fed_is_fp((char *)name);
	if (ok)
		memcpy(fp, name, FED_FP_LEN + 1);
	xmlFree(name);
	if (!ok)
		return fed_refuse(why, "the key name is not a fingerprint");
	return 0;
}

static int
check_signature(xmlNodePtr sig, char fp[FED_FP_LEN + 1], const char **why)
{
	xmlNodePtr v[3];
	size_t n;

	if (sig->properties != NULL || children(sig, v, 3, &n) == -1 ||
	    n != 3 || !ds(v[0], "SignedInfo") ||
	    !ds(v[1], "SignatureValue") || !value_only(v[1]) ||
	    !ds(v[2], "KeyInfo"))
		return fed_refuse(why, "an unexpected part in the signature");
	if (check_signed_info(v[0], why) == -1)
		return -1;
	return check_key_info(v[2], fp, why);
}

static int
inside(xmlNodePtr n, xmlNodePtr top)
{
	for (; n != NULL; n = n->parent)
		if (n == top)
			return 1;
	return 0;
}

/*
 * The one ds:Signature, which must be the root's last element; no
 * XML-DSig element may appear outside it, so that nothing signed
 * elsewhere (a wrapped copy, an Object, a Manifest) can be mistaken for
 * the entry.
 */
static xmlNodePtr
find_signature(xmlNodePtr root, const char **why)
{
	xmlNodePtr n, sig = NULL;
	size_t count = 0;

	for (n = root; n != NULL; n = fed_next(n, root))
		if (ds(n, "Signature") && count++ == 0)
			sig = n;
	if (count == 0) {
		fed_refuse(why, "not signed");
		return NULL;
	}
	if (count > 1) {
		fed_refuse(why, "more than one signature");
		return NULL;
	}
	if (sig->parent != root || xmlLastElementChild(root) != sig) {
		fed_refuse(why, "the signature is not the entry's last element");
		return NULL;
	}
	for (n = root; n != NULL; n = fed_next(n, root))
		if (n->ns != NULL && xmlStrEqual(n->ns->href,
		    BAD_CAST FED_DSIG_NS) && !inside(n, sig)) {
			fed_refuse(why, "signature elements outside the signature");
			return NULL;
		}
	return sig;
}

/*
 * The signature's values, checked here for the one shape section 4
 * allows (the structure above): the reference's digest is SHA-256 of
 * the exclusive canonical form, without comments, of the whole
 * document but the signature element (the enveloped-signature
 * transform of URI=""); the signature is ECDSA P-256 with SHA-256 over
 * the exclusive canonical form of SignedInfo alone, its value r then s,
 * 32 bytes each.  This is what the general XML-DSig machinery computes
 * for that shape, without the node sets it builds to be general.
 */

/*
 * Base64 text decoded into buf: whitespace between the characters is
 * allowed, as XML-DSig's base64 is line-broken; 0, or -1 when it is not
 * base64 or is not len bytes long.
 */
static int
base64_exactly(const char *text, unsigned char *buf, size_t len)
{
	const char *p;
	unsigned int acc = 0;
	size_t got = 0;
	int bits = 0, pad = 0, v;

	for (p = text; *p != '\0'; p++) {
		if (isspace((unsigned char)*p))
			continue;
		if (*p == '=') {
			pad++;
			continue;
		}
		if (pad > 0)
			return -1;	/* nothing after the padding */
		if (*p >= 'A' && *p <= 'Z')
			v = *p - 'A';
		else if (*p >= 'a' && *p <= 'z')
			v = *p - 'a' + 26;
		else if (*p >= '0' && *p <= '9')
			v = *p - '0' + 52;
		else if (*p == '+')
			v = 62;
		else if (*p == '/')
			v = 63;
		else
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (got == len)
				return -1;
			buf[got++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Left over: none, or the zero bits of a padded last group. */
	if (pad > 2 || acc != 0 || (pad > 0 && bits != pad * 2))
		return -1;
	return got == len ? 0 : -1;
}

/* A value element's base64 text, decoded into buf (base64_exactly). */
static int
node_base64(xmlNodePtr n, unsigned char *buf, size_t len)
{
	xmlChar *text = xmlNodeGetContent(n);
	int rc;

	if (text == NULL)
		return -1;
	rc = base64_exactly((const char *)text, buf, len);
	xmlFree(text);
	return rc;
}

/* The ECDSA signature r || s in the DER form OpenSSL verifies. */
static unsigned char *
ecdsa_der(const unsigned char raw[2 * FED_P256_HALF], int *len)
{
	ECDSA_SIG *sig;
	BIGNUM *r, *s;
	unsigned char *der = NULL;

	*len = 0;
	if ((sig = ECDSA_SIG_new()) == NULL)
		return NULL;
	r = BN_bin2bn(raw, FED_P256_HALF, NULL);
	s = BN_bin2bn(raw + FED_P256_HALF, FED_P256_HALF, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return NULL;
	}
	if ((*len = i2d_ECDSA_SIG(sig, &der)) <= 0) {
		der = NULL;
		*len = 0;
	}
	ECDSA_SIG_free(sig);
	return der;
}

/*
 * The two digests a signature covers, from the entry's canonical text
 * canon when it ends in the signature exactly as Acorn lays it out
 * (fed_signature_text, from the values read: digest, value, key name),
 * as every entry a node signs does: 0 then.  The text is the canonical
 * form libxml2 made of the parsed entry, not the bytes the peer sent;
 * a "<" there is markup, the root has one ds:Signature (find_signature),
 * and exclusive C14N renders an element's namespaces from its output
 * ancestors alone.  So cutting that signature's text out leaves the
 * canonical form of the document but the signature, which the
 * reference digests, and SignedInfo on its own is the same text with
 * the ds prefix declared on it: two canonicalisations fewer per entry.
 * -1 when the text is laid out otherwise (line-broken base64, say), for
 * the general way.
 */
static int
digests_from_text(const char *canon, const char *fp,
    const unsigned char want[32], const unsigned char raw[2 * FED_P256_HALF],
    unsigned char md[32], unsigned char si_md[32])
{
	struct strbuf sig = { NULL, 0, 0, 0 }, si = { NULL, 0, 0, 0 };
	char digest[FED_B64_LEN(32) + 1];
	char value[FED_B64_LEN(2 * FED_P256_HALF) + 1];
	size_t len, name, tail;
	EVP_MD_CTX *ctx = NULL;
	unsigned int mdlen = 0;
	int rc = -1;

	if (canon == NULL)
		return -1;
	len = strlen(canon);
	if ((name = fed_root_name(canon, len)) == 0)
		return -1;
	EVP_EncodeBlock((unsigned char *)digest, want, 32);
	EVP_EncodeBlock((unsigned char *)value, raw, 2 * FED_P256_HALF);
	fed_signature_text(&sig, digest, value, fp);
	fed_signed_info_text(&si, digest);
	tail = name + 3;	/* </name> */
	if (sig.failed || si.failed || len < sig.len + tail ||
	    memcmp(canon + len - tail - sig.len, sig.p, sig.len) != 0)
		goto done;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, canon, len - tail - sig.len) != 1 ||
	    EVP_DigestUpdate(ctx, canon + len - tail, tail) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
		goto done;
	util_sha256(si.p, si.len, si_md);
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	strbuf_free(&sig);
	strbuf_free(&si);
	return rc;
}

/*
 * Contexts verifying ECDSA-SHA256 signatures, each with one key, kept
 * by a thread until it ends (or needs room for another key): making
 * one is a fetch from OpenSSL's providers, several microseconds, and a
 * page's entries are signed with a few keys at most.  A context holds
 * its own reference to its key, so a key one was made for is never
 * freed, nor its address given to another, while it is kept.
 */
#define VERIFY_CTXS	4

struct verify_ctxs {
	EVP_PKEY_CTX	*ctx[VERIFY_CTXS];
	size_t		 next;		/* the one to give up for a new key */
};

static pthread_key_t verify_key;
static int verify_key_made;
static pthread_once_t verify_once = PTHREAD_ONCE_INIT;

static void
verify_ctxs_free(void *p)
{
	struct verify_ctxs *v = p;
	size_t i;

	for (i = 0; i < VERIFY_CTXS; i++)
		EVP_PKEY_CTX_free(v->ctx[i]);
	free(v);
}

static void
verify_key_make(void)
{
	verify_key_made = pthread_key_create(&verify_key,
	    verify_ctxs_free) == 0;
}

/* The thread's context for key, made when it has none; NULL on failure. */
static EVP_PKEY_CTX *
verify_ctx(EVP_PKEY *key)
{
	struct verify_ctxs *v;
	EVP_PKEY_CTX *ctx;
	size_t i;

	pthread_once(&verify_once, verify_key_make);
	if (!verify_key_made)
		return NULL;
	if ((v = pthread_getspecific(verify_key)) == NULL) {
		if ((v = calloc(1, sizeof(*v))) == NULL)
			return NULL;
		if (pthread_setspecific(verify_key, v) != 0) {
			free(v);
			return NULL;
		}
	}
	for (i = 0; i < VERIFY_CTXS; i++)
		if (v->ctx[i] != NULL && EVP_PKEY_CTX_get0_pkey(v->ctx[i]) == key)
			return v->ctx[i];
	if ((ctx = EVP_PKEY_CTX_new(key, NULL)) == NULL ||
	    EVP_PKEY_verify_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	i = v->next++ % VERIFY_CTXS;
	EVP_PKEY_CTX_free(v->ctx[i]);
	v->ctx[i] = ctx;
	return ctx;
}

/*
 * 0 when the signature sig (whose structure check_signature accepted,
 * with key name fp) verifies with key: the reference's digest, then the
 * signature over SignedInfo.  canon, the document's canonical form, or
 * NULL, spares two canonicalisations when it can (digests_from_text).
 */
static int
signature_values(xmlDocPtr doc, xmlNodePtr sig, EVP_PKEY *key,
    const char *canon, const char *fp)
{
	xmlNodePtr si, value, ref, digest;
	unsigned char md[32], si_md[32], want[32], raw[2 * FED_P256_HALF];
	unsigned char *der = NULL;
	EVP_PKEY_CTX *ctx;
	int derlen, rc = -1;

	si = xmlFirstElementChild(sig);
	value = xmlNextElementSibling(si);
	ref = xmlLastElementChild(si);
	digest = xmlLastElementChild(ref);
	if (node_base64(digest, want, sizeof(want)) == -1 ||
	    node_base64(value, raw, sizeof(raw)) == -1)
		return -1;
	if (digests_from_text(canon, fp, want, raw, md, si_md) == -1 &&
	    (fed_c14n_sha256(doc, sig, 0, md) == -1 ||
	    fed_c14n_sha256(doc, si, 1, si_md) == -1))
		return -1;
	if (memcmp(md, want, sizeof(md)) != 0 ||
	    (der = ecdsa_der(raw, &derlen)) == NULL)
		goto done;
	if ((ctx = verify_ctx(key)) != NULL &&
	    EVP_PKEY_verify(ctx, der, (size_t)derlen, si_md,
	    sizeof(si_md)) == 1)
		rc = 0;
done:
	OPENSSL_free(der);
	return rc;
}

/*
 * 0 when value, base64 of r then s as XML-DSig has them, is key's
 * ECDSA P-256 signature with SHA-256 over the len bytes of text (what
 * fed_sign_text makes); -1 otherwise.
 */
int
fed_verify_text(EVP_PKEY *key, const char *text, size_t len,
    const char *value)
{
	unsigned char md[32], raw[2 * FED_P256_HALF], *der;
	EVP_PKEY_CTX *ctx;
	int derlen, rc = -1;

	if (base64_exactly(value, raw, sizeof(raw)) == -1 ||
	    (der = ecdsa_der(raw, &derlen)) == NULL)
		return -1;
	util_sha256(text, len, md);
	if ((ctx = verify_ctx(key)) != NULL &&
	    EVP_PKEY_verify(ctx, der, (size_t)derlen, md, sizeof(md)) == 1)
		rc = 0;
	OPENSSL_free(der);
	return rc;
}

/*
 * The key comes from the trust store by the fingerprint in KeyName,
 * never from key material in the message; the node the store says
 * holds that key must be the record's origin (protocol.md section 4,
 * item 5).  The one Reference, URI="", covers the whole document but
 * the signature: the caller must read this document, and only it, once
 * it has verified (protocol.md: "only the verified document is read").
 */
static int
verify_doc(xmlDocPtr doc, char **known, fed_lookup lookup, void *arg,
    char signer[FED_UUID_LEN + 1], char **canonical, const char **why)
{
	xmlNodePtr root, sig;
	EVP_PKEY *key = NULL;
	char fp[FED_FP_LEN + 1], node[FED_UUID_LEN + 1], *pem, *canon = NULL;
	char origin[FED_UUID_LEN + 1];
	int rc = -1;

	*canonical = NULL;
	signer[0] = '\0';
	root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	if (!fed_is_entry(root))
		return fed_refuse(why, "not an entry or tombstone");
	if (doc->intSubset != NULL || doc->extSubset != NULL)
		return fed_refuse(why, "a DOCTYPE is not allowed");
	if ((sig = find_signature(root, why)) == NULL ||
	    check_signature(sig, fp, why) == -1)
		return -1;
	memset(node, 0, sizeof(node));
	if ((pem = lookup(arg, fp, node)) == NULL)
		return fed_refuse(why, FED_UNTRUSTED);
	key = fed_pem_key(pem);
	free(pem);
	node[FED_UUID_LEN] = '\0';
	if (key == NULL || !fed_uuid_ok(node)) {
		fed_refuse(why, "the trust store's entry for the key is unusable");
		goto done;
	}
	/*
	 * A record missing, doubled (one slipped in beside the signed one)
	 * or without a usable origin is named as such: it is not a matter
	 * of who signed.
	 */
	if (fed_record_origin(root, origin) == -1) {
		fed_refuse(why, "not one acorn:record naming its origin");
		goto done;
	}
	if (strcmp(origin, node) != 0) {
		fed_refuse(why, "signed by a node other than the record's origin");
		goto done;
	}
	/* Made first: what is stored, and what spares the digests. */
	if (known != NULL && *known != NULL) {
		canon = *known;
		*known = NULL;
	} else if ((canon = fed_canonical(doc)) == NULL) {
		fed_refuse(why, "the entry cannot be canonicalised");
		goto done;
	}
	if (signature_values(doc, sig, key, canon, fp) == -1) {
		fed_refuse(why, "signature does not verify");
		goto done;
	}
	*canonical = canon;
	canon = NULL;
	memcpy(signer, node, sizeof(node));
	*why = NULL;
	rc = 0;
done:
	free(canon);
	EVP_PKEY_free(key);
	return rc;
}

int
fed_verify(xmlDocPtr doc, fed_lookup lookup, void *arg,
    char signer[FED_UUID_LEN + 1], char **canonical, const char **why)
{
	return verify_doc(doc, NULL, lookup, arg, signer, canonical, why);
}

/* Entries being checked, each by whichever thread. */
struct checking {
	xmlDocPtr	*docs;
	char		**canon;
	struct fed_checked *out;
	fed_lookup	 lookup;
	void		*arg;
};

static void
check_one(void *arg, size_t i)
{
	struct checking *ck = arg;
	struct fed_checked *c = &ck->out[i];

	if (!c->wanted)
		return;
	if (verify_doc(ck->docs[i], ck->canon != NULL ? &ck->canon[i] : NULL,
	    ck->lookup, ck->arg, c->signer, &c->canonical, &c->why) == -1) {
		if (c->why == NULL)
			c->why = "signature does not verify";
		return;
	}
	if (fed_record_read(ck->docs[i], &c->rec, &c->why) == -1)
		return;
	c->ok = 1;
}

/*
 * Verifies and reads docs[i] for every out[i] marked wanted, as
 * fed_verify and fed_record_read do one at a time, on every core:
 * out[i].ok when it verified and was read, otherwise out[i].why says
 * why not.  canon, when not NULL, holds each document's canonical form
 * (fed_page_parse made it): an entry that verifies takes its own as
 * out[i].canonical instead of making it again.  lookup is called from
 * several threads at once.
 */
void
fed_verify_many(xmlDocPtr *docs, char **canon, struct fed_checked *out,
    size_t n, fed_lookup lookup, void *arg)
{
	struct checking ck = { docs, canon, out, lookup, arg };
	size_t i;

	for (i = 0; i < n; i++) {
		out[i].ok = 0;
		out[i].why = NULL;
		out[i].canonical = NULL;
		out[i].signer[0] = '\0';
		memset(&out[i].rec, 0, sizeof(out[i].rec));
	}
	worker_parallel(n, 1, check_one, &ck);
}

void
fed_checked_free(struct fed_checked *c)
{
	if (c == NULL)
		return;
	fed_record_free(&c->rec);
	free(c->canonical);
	c->canonical = NULL;
	c->ok = 0;
}
