/*
 * libFuzzer target: any bytes as a peer's feed page, taken through all a
 * receiver does with one before it stores anything (split, verify, read
 * the record).  The trust store knows one key, seed-key.pem's, for every
 * fingerprint, so that forged and mangled signatures reach xmlsec.
 *
 * Besides the sanitizers' findings it aborts when a refusal comes without
 * a reason, when canonical text that verified does not verify again to
 * the same bytes (that text is what relays store and serve), or when
 * the canonical form atom.c's writer makes from an entry's tree is not
 * libxml2's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "federation.h"
#include "fed_internal.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The origin of the seed corpus's records, and seed-key.pem's key. */
#define NODE	"2b1e6c0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
static const char seed_pub[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfU3dF2wvELmFnQErOM1BKcbu62Xf\n"
	"9rrgsWED0n4avVuibvRD9x54UUC7WVtxoAF1xmbNNiTlMsSnTXpB5kIY6Q==\n"
	"-----END PUBLIC KEY-----\n";

static char *
lookup(void *arg, const char *fp, char node[FED_UUID_LEN + 1])
{
	(void)arg;
	(void)fp;
	memcpy(node, NODE, FED_UUID_LEN + 1);
	return strdup(seed_pub);
}

/* Stored bytes must verify again, to themselves. */
static void
reverify(const char *c14n)
{
	xmlDocPtr doc;
	char node[FED_UUID_LEN + 1], *again;
	const char *why;

	if ((doc = fed_parse(c14n, strlen(c14n), &why)) == NULL)
		abort();
	if (fed_verify(doc, lookup, NULL, node, &again, &why) == -1 ||
	    strcmp(again, c14n) != 0 || strcmp(node, NODE) != 0)
		abort();
	free(again);
	xmlFreeDoc(doc);
}

/* Where the writer gives a canonical form, it is libxml2's. */
static void
same_canonical(xmlDocPtr doc)
{
	char *walk, *c14n;

	if ((walk = fed_canonical_walk(doc)) == NULL)
		return;
	if ((c14n = fed_c14n(doc)) == NULL || strcmp(walk, c14n) != 0)
		abort();
	free(c14n);
	free(walk);
}

static void
entry(xmlDocPtr doc)
{
	struct fed_record rec;
	char node[FED_UUID_LEN + 1], *c14n;
	const char *why = NULL;
	size_t i;

	same_canonical(doc);
	if (fed_verify(doc, lookup, NULL, node, &c14n, &why) == 0) {
		reverify(c14n);
		free(c14n);
	} else if (why == NULL || c14n != NULL)
		abort();
	why = NULL;
	if (fed_record_read(doc, &rec, &why) == 0) {
		for (i = 0; i < rec.nfields; i++)
			if (fed_field(&rec, rec.fields[i].name) == NULL)
				abort();
		fed_record_free(&rec);
	} else if (why == NULL)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (fed_init() == -1)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fed_page page;
	const char *why = NULL;
	size_t i;

	if (fed_page_parse((const char *)data, size, &page, &why) == -1) {
		if (why == NULL)
			abort();
		return 0;
	}
	for (i = 0; i < page.n; i++)
		entry(page.docs[i]);
	fed_page_free(&page);
	return 0;
}
