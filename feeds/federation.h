/*
 * The federation library: signed Atom entries between nodes.  Keys and
 * XML-DSig (sign.c), parsing untrusted feeds safely and verifying what
 * they hold (verify.c), and reading a verified entry's record
 * (record.c).  It knows nothing of HTML or HTTP serving; docs/protocol.md
 * is the wire format it implements.
 */
#ifndef FEDERATION_H
#define FEDERATION_H

#include <stddef.h>

#include <libxml/tree.h>
#include <openssl/evp.h>

#define FED_ATOM_NS	"http://www.w3.org/2005/Atom"
#define FED_TOMB_NS	"http://purl.org/atompub/tombstones/1.0"
#define FED_DSIG_NS	"http://www.w3.org/2000/09/xmldsig#"
#define FED_ACORN_NS	"urn:x-acorn:federation:1"
#define FED_APP_NS	"http://www.w3.org/2007/app"

#define FED_FP_LEN	64		/* hex SHA-256 */
#define FED_UUID_LEN	36

/* Limits on what is read from a peer. */
#define FED_MAX_FEED	(16L * 1024 * 1024)	/* one page, bytes */
#define FED_MAX_ENTRY	(1024L * 1024)		/* one entry, bytes */
#define FED_MAX_DEPTH	32			/* element nesting */
#define FED_MAX_ENTRIES	1000			/* entries in one page */

/* sign.c */
int	 fed_init(void);		/* once, before threads start */
void	 fed_cleanup(void);
int	 fed_keygen(const char *);	/* new P-256 key, file mode 0600 */
EVP_PKEY *fed_key_load(const char *);	/* a private key file (PEM) */
EVP_PKEY *fed_pem_key(const char *);	/* a public key in PEM */
char	*fed_public_pem(EVP_PKEY *);	/* SubjectPublicKeyInfo PEM */
int	 fed_fingerprint(EVP_PKEY *, char [FED_FP_LEN + 1]);
char	*fed_sign(const char *, size_t, EVP_PKEY *, const char *);

/* verify.c: NULL or -1 on refusal, with a short reason for people. */
xmlDocPtr fed_parse(const char *, size_t, const char **);
int	 fed_is_entry(xmlNodePtr);	/* an entry or tombstone element */

/* Entries and tombstones of one feed page, each its own document. */
struct fed_page {
	xmlDocPtr	*docs;
	size_t		 n;
	long long	 cursor;	/* acorn:cursor, -1 when absent */
	int		 more;		/* a rel="next" link */
};
int	 fed_page_parse(const char *, size_t, struct fed_page *,
	    const char **);
void	 fed_page_free(struct fed_page *);

/*
 * Looks a fingerprint up in the trust store: the key's PEM (malloc'd)
 * and the node it belongs to, or NULL when the key is not trusted.
 * fed_verify makes the checks of protocol.md section 4, items 2 to 5,
 * and gives the signer's node and the canonical text to store.
 */
typedef char	*(*fed_lookup)(void *, const char *, char [FED_UUID_LEN + 1]);
int	 fed_verify(xmlDocPtr, fed_lookup, void *, char [FED_UUID_LEN + 1],
	    char **, const char **);

/* record.c: what a verified entry says, read from it alone. */
struct fed_field {
	const char	*name;		/* element's local name */
	const char	*value;		/* its text */
	const char	*attr[4];	/* by field: see record.c */
};
struct fed_record {
	char		 kind[16];	/* member event ... outcome */
	char		 id[FED_UUID_LEN + 1];
	char		 origin[FED_UUID_LEN + 1];
	int		 version;
	int		 deleted;	/* a tombstone */
	char		*updated;	/* RFC 3339 */
	char		*home;		/* the alternate link */
	struct fed_field *fields;
	size_t		 nfields;
	xmlDocPtr	 doc;		/* read from; must outlive the record */
};
int	 fed_record_read(xmlDocPtr, struct fed_record *, const char **);
const char *fed_field(const struct fed_record *, const char *);
void	 fed_record_free(struct fed_record *);

/* peers.c: the trust store, as fed_verify looks keys up (arg: a db). */
char	*trust_lookup(void *, const char *, char [FED_UUID_LEN + 1]);

/* merge.c */
struct db;
int	 merge_entry(struct db *, const struct fed_record *, const char *,
	    const char *, int *, const char **);

#endif
