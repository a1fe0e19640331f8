/*
 * What the federation library's own files share (xml.c above all) and
 * nothing outside it needs.
 */
#ifndef FED_INTERNAL_H
#define FED_INTERNAL_H

#include <libxml/tree.h>
#include <openssl/evp.h>

/* xml.c */
int		 fed_refuse(const char **, const char *);
int		 fed_is(xmlNodePtr, const char *, const char *);
xmlNodePtr	 fed_next(xmlNodePtr, xmlNodePtr);
int		 fed_is_fp(const char *);
int		 fed_uuid_ok(const char *);
int		 fed_is_p256(EVP_PKEY *);
void		 fed_key_cache_clear(void);
char		*fed_c14n(xmlDocPtr);
int		 fed_c14n_sha256(xmlDocPtr, xmlNodePtr, int, unsigned char [32]);

/* canon.c */
char		*fed_canonical(xmlDocPtr);
char		*fed_canonical_walk(xmlDocPtr);

/* The algorithms of the one signature shape (docs/protocol.md section 4). */
#define FED_C14N_EXC	"http://www.w3.org/2001/10/xml-exc-c14n#"
#define FED_ECDSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
#define FED_ENVELOPED	"http://www.w3.org/2000/09/xmldsig#enveloped-signature"
#define FED_SHA256	"http://www.w3.org/2001/04/xmlenc#sha256"

/* An ECDSA P-256 signature's value in XML-DSig: r then s, each this long. */
#define FED_P256_HALF	32
/* The length of the base64 of n bytes, without line breaks. */
#define FED_B64_LEN(n)	(4 * (((n) + 2) / 3))

/* sign.c: the one signature shape's canonical text. */
struct strbuf;
size_t		 fed_root_name(const char *, size_t);
int		 fed_sign_text(EVP_PKEY *, const char *, size_t,
		    char [FED_B64_LEN(2 * FED_P256_HALF) + 1]);
/* verify.c: the other way */
int		 fed_verify_text(EVP_PKEY *, const char *, size_t, const char *);
void		 fed_signed_info_text(struct strbuf *, const char *);
void		 fed_signature_text(struct strbuf *, const char *, const char *,
		    const char *);

/* sync.c: merging a page from a peer */
struct db;
struct fed_page;
struct merge_ahead;
int		 merge_page_commit(struct db *, long long, const char *, long long,
		    const struct fed_page *, struct merge_ahead *, int,
		    const char *, long long, int *, int *, int *);
void		 sync_count_merged(int);
long long	 page_latest(const char *);

/* push.c: what a push's signature covers. */
char		*push_statement(const char *, const char *, const char *,
		    long long, const char *, size_t);

/* record.c */
int		 fed_record_origin(xmlNodePtr, char [FED_UUID_LEN + 1]);

#endif
