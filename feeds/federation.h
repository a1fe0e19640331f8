/*
 * The federation library (feeds/), its public API: signed Atom entries
 * between nodes.  Parsing untrusted XML safely (xml.c), keys and XML-DSig
 * (sign.c), verifying what peers send (verify.c), reading a verified
 * entry's record (record.c); then publishing, merging, pulling peers and
 * the inbox.  It depends on the core layer alone and knows nothing of
 * HTML or HTTP serving; docs/protocol.md is the wire format it
 * implements.
 */
#ifndef FEDERATION_H
#define FEDERATION_H

#ifdef ACORN_LAYER_CORE
#error "the core layer may not use the federation library"
#endif
#ifdef ACORN_LAYER_WEB
#error "the web layer may not use the federation library"
#endif

#include <stdatomic.h>
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
/* The window inbox_rate counts entries over (acorn_inbox_arrive). */
#define FED_INBOX_RATE_WINDOW	60		/* seconds */
#define FED_MAX_ENTRIES	1000			/* entries in one page */
/*
 * What a node sends, well inside what it takes: a page of its feeds
 * stops before FED_PAGE_BYTES (always holding at least one entry, and
 * an entry is never over FED_MAX_ENTRY), and the HTML of a record's
 * Markdown goes into an entry for feed readers only when it is no
 * larger than FED_READER_HTML (otherwise the Markdown goes as text).
 * Pulls that pings ask for and that find nothing are spaced by the
 * ping_gap setting.
 */
#define FED_PAGE_BYTES	(4L * 1024 * 1024)	/* one page served, bytes */
#define FED_READER_HTML	(32L * 1024)		/* HTML for readers, bytes */

/* sign.c */
int	 fed_init(void);		/* once, before threads start */
void	 fed_cleanup(void);
int	 fed_keygen(const char *);	/* new P-256 key, file mode 0600 */
EVP_PKEY *fed_key_load(const char *);	/* a private key file (PEM) */
EVP_PKEY *fed_pem_key(const char *);	/* a public key in PEM */
char	*fed_public_pem(EVP_PKEY *);	/* SubjectPublicKeyInfo PEM */
int	 fed_fingerprint(EVP_PKEY *, char [FED_FP_LEN + 1]);
char	*fed_sign(const char *, size_t, EVP_PKEY *, const char *);
int	 fed_key_is(EVP_PKEY *, const char *);
char	*fed_sign_as(const char *, size_t, EVP_PKEY *, const char *);
char	*fed_sign_canonical(const char *, size_t, EVP_PKEY *, const char *);
void	 fed_parallel(size_t, void (*)(void *, size_t), void *);

/* xml.c: NULL or -1 on refusal, with a short reason for people. */
xmlDocPtr fed_parse(const char *, size_t, const char **);
int	 fed_is_entry(xmlNodePtr);	/* an entry or tombstone element */

/* verify.c */

/* Entries and tombstones of one feed page, each its own document. */
struct fed_page {
	xmlDocPtr	*docs;
	char		**canon;	/* each one's canonical form */
	size_t		 n;
	long long	 cursor;	/* acorn:cursor, -1 when absent */
	int		 more;		/* a rel="next" link */
	/* acorn:stream, the uuid its numbers belong to; "" when absent */
	char		 stream[FED_UUID_LEN + 1];
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
/* fed_verify's reason for a key not in the trust store (sync.c). */
#define FED_UNTRUSTED	"signed by a key this node does not trust"
int	 fed_verify(xmlDocPtr, fed_lookup, void *, char [FED_UUID_LEN + 1],
	    char **, const char **);

/* record.c: what a verified entry says, read from it alone. */
struct fed_checked;
const char *fed_urn_uuid(const char *);	/* "urn:uuid:X" to X, or NULL */
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

/*
 * One entry of many checked at once (fed_verify_many): the caller marks
 * those it wants checked; ok once it verified and its record was read.
 */
struct fed_checked {
	int		 wanted;
	int		 ok;
	const char	*why;		/* why not, when not ok */
	char		 signer[FED_UUID_LEN + 1];
	char		*canonical;	/* the bytes to store */
	struct fed_record rec;
};
void	 fed_verify_many(xmlDocPtr *, char **, struct fed_checked *,
	    size_t, fed_lookup, void *);
void	 fed_checked_free(struct fed_checked *);

/* peers.c: the trust store, as fed_verify looks keys up (arg: a db). */
char	*trust_lookup(void *, const char *, char [FED_UUID_LEN + 1]);

/*
 * What the program calls: keys, publishing, peers, the inbox, and the
 * workers that pull peers' feeds and deliver registrations.
 */
struct db;
struct config;

/* This node's signing keys: the current one, and during a rotation the
 * one before it. */
struct signer {
	EVP_PKEY	*key;
	char		 fingerprint[65];
	EVP_PKEY	*old_key;
	char		 old_fingerprint[65];
};
int	 signer_load(struct signer *, const char *);
void	 signer_free(struct signer *);
int	 keys_generate(const char *, int, int);

/* publish.c: signing what changed, and the collections served. */
int	 publish_pending(struct db *, const struct signer *);
unsigned long publish_signed(void);
#define PUBLISH_ALL	(~0u)
int	 publish_kinds(struct db *, const struct signer *, unsigned int);
unsigned int publish_kinds_of(const char *);
int	 feed_begin(struct db *);
const char *publish_table(const char *);
const char *publish_page(const char *);
const char *publish_title(const char *);
const char *publish_collection(size_t);

/* oruk_import.c: another publisher's ORUK directory, imported. */
int	 oruk_import(struct db *, const char *, long[4]);

/* feed.c: the documents served around stored entries. */
#define FED_ENTRIES_MARK "<?acorn-entries?>"
#define FED_COLLECTIONS	9		/* publish_collection's names */
/* What closes a feed after its entries, each on a line of its own. */
#define FED_FEED_TAIL	"\n</feed>\n"
/* SQL: rows peers may be given: signed, and not changed since. */
#define FED_SERVED	"entry IS NOT NULL AND NOT pending"
/* SQL: of a row, that it is this node's own record (AND, to add). */
#define FED_OWN		"AND origin = (SELECT id FROM node)"
/* SQL: a page's date when it holds nothing: when the node began. */
#define FED_NO_DATE	"(SELECT created FROM node)"

struct feed_frame {
	const char	*collection;
	char		*head;		/* declaration, <feed>, fixed children */
	size_t		 head_len;
	char		*href;		/* the feed's address, escaped */
	char		 version[17];	/* of head and href, for ETags */
};
const struct feed_frame *feed_frame_get(const char *);
/*
 * Room for what feed_frame_page writes: two links to the feed, then
 * the date, cursor, latest and stream, each far under 96 bytes.
 */
#define FEED_FRAME_PAGE_SIZE(f)	(2 * strlen((f)->href) + 512)
int	 feed_frame_page(const struct feed_frame *, char *, size_t,
	    long long, const char *, long long, long long, long long,
	    const char *, int);
char	*feed_service(const char *);

struct pg_result;
struct strbuf;

/*
 * A page of a collection for peers (GET /feeds/C?after=, and a push):
 * feed_peer_sql's query, of at most entries entries, read from after
 * $1 within $2 bytes, and what feed_peer_read finds in its answer.
 */
char	*feed_peer_sql(const char *, int, int);
enum { PE_LATEST, PE_PENDING, PE_SEQ, PE_ENTRY, PE_UPDATED, PE_STREAM };
struct peer_page {
	int		 n;		/* entries, in rows 0 .. n - 1 */
	long long	 next;		/* -1: no page after it */
	long long	 cursor;	/* -1: none */
	long long	 latest;
	const char	*updated;	/* in the answer */
	const char	*stream;	/* in the answer: the numbers' stream */
};
void	 feed_peer_read(const struct pg_result *, struct peer_page *);
int	 feed_page_text(const struct feed_frame *, const struct pg_result *,
	    int, int, int, long long, const char *, long long, long long,
	    long long, const char *, int, struct strbuf *);

/*
 * push.c: a change's entries sent to the peers with its news.  A push
 * is at most this large, the feed around its entries included, and
 * holds at most this many entries.
 */
#define PUSH_MAX_BODY	(80 * 1024)
#define PUSH_ENTRIES	16
struct push {
	const char	*collection;
	long long	 after;		/* where the page starts */
	long long	 cursor;	/* and ends */
	long long	 latest;	/* the newest change served */
	int		 n;
	char		*body;
	size_t		 len;
	char		*sql;		/* push_step's query */
	char		 from[24];
	char		 budget[24];
	const char	*params[2];
};
struct db_step;
int	 push_step(struct push *, const char *, long long, struct db_step *);
int	 push_take(struct push *, struct pg_result *);
void	 push_free(struct push *);
char	*push_header(const struct signer *, const char *, const struct push *);
struct push_answer {
	long long	 peer;		/* when a peer's signature verified */
	const char	*from;		/* its node id then */
	const char	*collection;
	int		 pull;		/* ask for a pull, as a ping does */
	int		 all;		/* of every collection */
	const char	*why;
	char		*copy;
};
/* receive.c: taking one. */
int	 push_receive(struct db *, const char *, const char *, size_t,
	    struct push_answer *);
void	 push_answer_free(struct push_answer *);

/* atom.c: text XML 1.0 can hold, from any UTF-8. */
char	*feed_xml_text(const char *);

/* peers.c */

/* What a would-be peer says it is, for its coordinator to confirm. */
struct peer_claim {
	char	*url;			/* its address, as pinned */
	char	 id[FED_UUID_LEN + 1];	/* the node id it claims */
	char	*name;
	char	*region;
	char	 fingerprint[FED_FP_LEN + 1];
	char	*pem;
	char	 digest[65];		/* of all the above: what was shown */
};

int	 peer_examine(struct db *, const char *, const char *, int,
	    struct peer_claim *, char **);
void	 peer_claim_free(struct peer_claim *);
int	 peer_add(struct db *, const char *, const char *, int, const char *,
	    long, char **);
int	 peer_remove(struct db *, long long, long);
int	 fingerprint_normalise(const char *, char [65]);
int	 node_self_refresh(struct db *, const struct signer *);
int	 vouch_refresh(struct db *);

/* inbox.c */

/*
 * How the courier sends one delivery: with its libcurl handle, waiting
 * timeout seconds for the answer, abandoned once stop is set.
 */
struct courier_call {
	void		*curl;
	long		 timeout;
	atomic_int	*stop;
};
int	 inbox_receive(struct db *, const struct signer *, const char *,
	    size_t, char **, const char **);
int	 away_send(struct db *, const struct signer *,
	    const struct courier_call *, const char *);
int	 outcome_send(struct db *, const struct signer *,
	    const struct courier_call *, const char *, const char *);
int	 note_send(struct db *, const struct signer *,
	    const struct courier_call *, const char *);
void	 inbox_sent_counts(unsigned long *, unsigned long *);

/* courier.c */
struct courier;
struct courier	*courier_start(const struct config *, const struct signer *);
void		 courier_stop(struct courier *);

/* sync.c */
struct sync;
struct sync *sync_start(const struct config *, const struct signer *);
void	 sync_stop(struct sync *);
void	 sync_pinged(long long, unsigned int);
char	*sync_ping_note(unsigned int);
unsigned int sync_news_read(const char *);
void	 sync_counts(unsigned long *, unsigned long *, unsigned long *);
void	 sync_sent_bytes(unsigned long long *, unsigned long long *);
void	 sync_bytes(unsigned long long *, unsigned long long *);
const char *sync_rejections(int, unsigned long *);

/* merge.c: what became of each entry of a page. */
struct merge_outcome {
	int		 stored;	/* 1 stored, 0 nothing to do, -1 refused */
	const char	*why;		/* why it was refused */
	char		*id;		/* the refused entry's id, malloc'd */
};
int	 merge_prepare(struct db *);
int	 merge_own_keys(const struct signer *);
/*
 * A page's entries verified ahead, while the page before it is merged:
 * against the trust store as it was (keys, from merge_keys), which the
 * merge uses only when the store is still the same.
 */
struct merge_ahead {
	struct pg_result *keys;
	struct fed_checked *checked;	/* one per entry, or NULL */
	size_t		 n;
};
struct pg_result *merge_keys(struct db *);
void	 merge_ahead_verify(struct merge_ahead *, xmlDocPtr *, char **,
	    size_t);
void	 merge_ahead_free(struct merge_ahead *);
int	 merge_docs(struct db *, xmlDocPtr *, char **, size_t,
	    struct merge_outcome *, int *, struct merge_ahead *);
void	 merge_outcomes_free(struct merge_outcome *, size_t);

#endif
