/*
 * The XML under everything the federation reads and signs: untrusted
 * documents parsed without DTDs, entities or network and with size and
 * depth caps; walking elements by namespace; exclusive canonical form,
 * whole or hashed for a signature; and public keys imported from PEM
 * (P-256 only), cached by their text.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <openssl/core_names.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

#include "federation.h"
#include "fed_internal.h"

/*
 * Never XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: no entity is
 * expanded, no DTD read, and libxml2's own size limits stay on.  Blanks
 * are kept, since the signatures cover them.
 */
#define PARSE_OPTIONS	(XML_PARSE_NONET | XML_PARSE_NOERROR | \
			    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

/* Its address in a parser's _private marks one that met a DOCTYPE. */
static char doctype_seen;

int
fed_is(xmlNodePtr n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, BAD_CAST ns) &&
	    xmlStrEqual(n->name, BAD_CAST name);
}

int
fed_is_entry(xmlNodePtr n)
{
	return fed_is(n, FED_ATOM_NS, "entry") ||
	    fed_is(n, FED_TOMB_NS, "deleted-entry");
}

/* The element after n in document order, staying inside top. */
xmlNodePtr
fed_next(xmlNodePtr n, xmlNodePtr top)
{
	xmlNodePtr c;

	if ((c = xmlFirstElementChild(n)) != NULL)
		return c;
	for (; n != NULL && n != top; n = n->parent)
		if ((c = xmlNextElementSibling(n)) != NULL)
			return c;
	return NULL;
}

int
fed_is_fp(const char *s)
{
	size_t i;

	for (i = 0; i < FED_FP_LEN; i++)
		if (!isdigit((unsigned char)s[i]) &&
		    (s[i] < 'a' || s[i] > 'f'))
			return 0;
	return s[i] == '\0';
}

/* Gives reason in *why: -1, for "return fed_fed_refuse(why, ...)". */
int
fed_refuse(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

/* Parser messages would only repeat what the reason string says. */
static void
parse_quiet(void *arg, xmlErrorPtr err)
{
	(void)arg;
	(void)err;
}

/*
 * Called when "<!DOCTYPE" has been read, before any of the internal
 * subset: stopping here refuses XXE and entity bombs before a single
 * entity is declared, let alone expanded.
 */
static void
parse_doctype(void *arg, const xmlChar *name, const xmlChar *external,
    const xmlChar *system)
{
	xmlParserCtxtPtr ctxt = arg;

	(void)name;
	(void)external;
	(void)system;
	ctxt->_private = &doctype_seen;
	xmlStopParser(ctxt);
}

static int
too_deep(xmlNodePtr root)
{
	xmlNodePtr n = root, c;
	int depth = 1;

	while (n != NULL) {
		if (depth > FED_MAX_DEPTH)
			return 1;
		if ((c = xmlFirstElementChild(n)) != NULL) {
			n = c;
			depth++;
			continue;
		}
		for (; n != root; n = n->parent, depth--)
			if ((c = xmlNextElementSibling(n)) != NULL)
				break;
		if (n == root)
			break;
		n = c;
	}
	return 0;
}

/* Why a parse is refused, or NULL when doc may be used. */
static const char *
parse_problem(xmlParserCtxtPtr ctxt, xmlDocPtr doc)
{
	if (ctxt->_private == &doctype_seen)
		return "a DOCTYPE is not allowed";
	if (doc == NULL || !ctxt->nsWellFormed ||
	    xmlDocGetRootElement(doc) == NULL)
		return "not well-formed XML";
	if (doc->intSubset != NULL || doc->extSubset != NULL)
		return "a DOCTYPE is not allowed";
	if (too_deep(xmlDocGetRootElement(doc)))
		return "too deeply nested";
	return NULL;
}

xmlDocPtr
fed_parse(const char *buf, size_t len, const char **why)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;

	if (len > (size_t)FED_MAX_FEED) {
		*why = "larger than 16 MiB";
		return NULL;
	}
	/*
	 * libxml2 takes a NUL byte for the end of the input and would
	 * quietly drop what follows; pages are UTF-8, where a NUL is junk.
	 */
	if (buf == NULL || memchr(buf, '\0', len) != NULL) {
		*why = "not well-formed XML";
		return NULL;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	ctxt->sax->serror = parse_quiet;
	ctxt->sax->internalSubset = parse_doctype;
	ctxt->_private = NULL;
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
	    PARSE_OPTIONS);
	if ((*why = parse_problem(ctxt, doc)) != NULL) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/* Lower-case only: ids are compared as strings, so one spelling. */
int
fed_uuid_ok(const char *s)
{
	size_t i;

	for (i = 0; i < FED_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isdigit((unsigned char)s[i]) &&
		    (s[i] < 'a' || s[i] > 'f'))
			return 0;
	}
	return s[i] == '\0';
}

/* Keys of any other type or curve are refused wherever a key comes in. */
int
fed_is_p256(EVP_PKEY *key)
{
	char group[64];
	size_t len;

	if (!EVP_PKEY_is_a(key, "EC"))
		return 0;
	if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &len) != 1)
		return 0;
	return strcmp(group, SN_X9_62_prime256v1) == 0;
}

/*
 * Public keys parsed lately, by their PEM text.  OpenSSL 3 takes longer
 * to decode a PEM key than to verify a signature with it, and a peer's
 * page is up to 200 entries signed with the same few keys.  A key is
 * shared read-only (each caller gets its own reference); the text is
 * compared whole, so a hit is exactly what parsing would give.
 */
#define KEY_CACHE	16

static struct {
	char		*pem;
	EVP_PKEY	*key;
} key_cache[KEY_CACHE];
static size_t key_cache_next;
static pthread_mutex_t key_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static EVP_PKEY *
key_cache_get(const char *pem)
{
	EVP_PKEY *key = NULL;
	size_t i;

	pthread_mutex_lock(&key_cache_lock);
	for (i = 0; i < KEY_CACHE; i++)
		if (key_cache[i].pem != NULL &&
		    strcmp(key_cache[i].pem, pem) == 0) {
			if (EVP_PKEY_up_ref(key_cache[i].key) == 1)
				key = key_cache[i].key;
			break;
		}
	pthread_mutex_unlock(&key_cache_lock);
	return key;
}

/* Keeps a reference to key, in place of the oldest. */
static void
key_cache_put(const char *pem, EVP_PKEY *key)
{
	char *copy;
	size_t i;

	if ((copy = strdup(pem)) == NULL)
		return;
	if (EVP_PKEY_up_ref(key) != 1) {
		free(copy);
		return;
	}
	pthread_mutex_lock(&key_cache_lock);
	i = key_cache_next++ % KEY_CACHE;
	free(key_cache[i].pem);
	EVP_PKEY_free(key_cache[i].key);
	key_cache[i].pem = copy;
	key_cache[i].key = key;
	pthread_mutex_unlock(&key_cache_lock);
}

void
fed_key_cache_clear(void)
{
	size_t i;

	pthread_mutex_lock(&key_cache_lock);
	for (i = 0; i < KEY_CACHE; i++) {
		free(key_cache[i].pem);
		EVP_PKEY_free(key_cache[i].key);
		key_cache[i].pem = NULL;
		key_cache[i].key = NULL;
	}
	pthread_mutex_unlock(&key_cache_lock);
}

EVP_PKEY *
fed_pem_key(const char *pem)
{
	EVP_PKEY *key;
	BIO *b;

	if (pem == NULL)
		return NULL;
	if ((key = key_cache_get(pem)) != NULL)
		return key;
	if ((b = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	key = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	if (key != NULL && !fed_is_p256(key)) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	if (key != NULL)
		key_cache_put(pem, key);
	return key;
}

/* The exclusive canonical form of doc, without comments, malloc'd. */
char *
fed_c14n(xmlDocPtr doc)
{
	xmlChar *buf = NULL;
	char *text;
	int len;

	len = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_EXCLUSIVE_1_0, NULL, 0,
	    &buf);
	if (len < 0 || buf == NULL) {
		xmlFree(buf);
		return NULL;
	}
	text = strndup((const char *)buf, (size_t)len);
	xmlFree(buf);
	return text;
}

/* Which nodes a canonical form takes: those inside top, or those not. */
struct subset {
	xmlNodePtr	 top;
	int		 inside;
};

/*
 * libxml2 asks of every node, attribute and namespace node in document
 * order; a namespace node is not a node and has no parent of its own,
 * so its element's place decides.
 */
static int
subset_has(void *arg, xmlNodePtr node, xmlNodePtr parent)
{
	const struct subset *set = arg;
	xmlNodePtr n;

	if (node == NULL)
		return 0;
	n = node->type == XML_NAMESPACE_DECL ? parent : node;
	for (; n != NULL; n = n->parent)
		if (n == set->top)
			return set->inside;
	return !set->inside;
}

static int
digest_write(void *ctx, const char *buf, int len)
{
	return EVP_DigestUpdate(ctx, buf, (size_t)len) == 1 ? len : -1;
}

static int
digest_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/*
 * SHA-256 of the exclusive canonical form, without comments, of the
 * nodes inside top (inside) or of all but those (!inside), as the one
 * signature shape of docs/protocol.md section 4 digests and signs:
 * written straight into the hash, never held whole.
 */
int
fed_c14n_sha256(xmlDocPtr doc, xmlNodePtr top, int inside,
    unsigned char md[32])
{
	struct subset set = { top, inside };
	xmlOutputBufferPtr out;
	EVP_MD_CTX *ctx;
	unsigned int len = 0;
	int rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    (out = xmlOutputBufferCreateIO(digest_write, digest_close, ctx,
	    NULL)) == NULL)
		goto done;
	if (xmlC14NExecute(doc, subset_has, &set, XML_C14N_EXCLUSIVE_1_0, NULL,
	    0, out) < 0) {
		xmlOutputBufferClose(out);
		goto done;
	}
	if (xmlOutputBufferClose(out) >= 0 &&
	    EVP_DigestFinal_ex(ctx, md, &len) == 1 && len == 32)
		rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	return rc;
}
