/*
 * A fake federation peer for the integration tests: a small HTTP server
 * on 127.0.0.1 with a key of its own, answering what a node's puller asks
 * for (its key, its service document, the feed pages the test sets), and
 * the means to write the signed entries and pages it serves, honest or
 * not, in the shape of docs/protocol.md.  It signs with the stock
 * xmlsec1 and works out fingerprints with OpenSSL, so that nothing it
 * sends comes from the federation library it tests.
 */
#ifndef FAKEPEER_H
#define FAKEPEER_H

#include <stddef.h>

#include <openssl/evp.h>

#include "federation.h"

struct node;
struct fakepeer_state;

struct fakepeer {
	char			 id[FED_UUID_LEN + 1];	/* its node id */
	char			 url[64];
	char			 fingerprint[FED_FP_LEN + 1];
	char			 key_path[512];	/* its key, for xmlsec1 */
	EVP_PKEY		*key;
	char			*pem;
	struct fakepeer_state	*state;
};

/* An entry as the fake peer writes it; NULL or 0 members take defaults. */
struct fake_entry {
	const char	*kind;		/* "term" */
	const char	*id;		/* the record's UUID (required) */
	int		 version;	/* 1 */
	const char	*origin;	/* acorn:record origin: the peer */
	const char	*source;	/* atom:source id: the origin */
	const char	*title;		/* "A term" */
	const char	*fields;	/* the record's fields, as XML */
	int		 deleted;	/* a tombstone */
};

/*
 * A registration request as a member's home node writes it for the
 * host's inbox; NULL members take defaults.  A cancellation ("cancelled")
 * says only which event, as a home node's does.
 */
struct fake_request {
	const char	*id;		/* the request's UUID (required) */
	int		 version;	/* 1 */
	const char	*origin;	/* acorn:record origin: the peer */
	const char	*source;	/* atom:source id: the origin */
	const char	*event;		/* the host's event (required) */
	const char	*state;		/* "registered" */
	const char	*place;		/* the host's place type (required) */
	const char	*places;	/* "1" */
	const char	*member;	/* "urn:uuid:…": one per email if NULL */
	const char	*name;		/* "Amina Khan" */
	const char	*email;		/* "amina@peer.example.org" */
	const char	*public;	/* "false" */
	const char	*answers;	/* acorn:answer elements, as XML */
};

struct fakepeer	*fakepeer_new(const char *);
void		 fakepeer_free(struct fakepeer *);
/* What /feeds/{collection} answers from now on (any ?after=). */
void		 fakepeer_serve(struct fakepeer *, const char *, const char *);
/* The page gzip-compressed, with Content-Encoding: gzip. */
void		 fakepeer_serve_gzip(struct fakepeer *, const char *,
		    const char *);
/* Polls (GET /feeds?since=) answered as a node does; else 404. */
void		 fakepeer_polling(struct fakepeer *);
int		 fakepeer_polls(struct fakepeer *);
/* A page of more than bytes bytes: entry repeated, streamed. */
void		 fakepeer_serve_huge(struct fakepeer *, const char *,
		    const char *, size_t);
/* The page announced whole but the connection cut after bytes. */
void		 fakepeer_serve_cut(struct fakepeer *, const char *,
		    const char *, size_t);
/* The service document claims id (NULL: its own), name and region. */
void		 fakepeer_claim(struct fakepeer *, const char *, const char *,
		    const char *);
/* Requests for the service document are taken and never answered. */
void		 fakepeer_hang_service(struct fakepeer *);
/* Takes connections but never answers again. */
void		 fakepeer_hang(struct fakepeer *);
/* Requests for the collection's feed; for a path it never served. */
int		 fakepeer_requests(struct fakepeer *, const char *);
double		 fakepeer_last_request(struct fakepeer *, const char *);
long long	 fakepeer_lowest_after(struct fakepeer *, const char *);
int		 fakepeer_order(struct fakepeer *, const char *);
/*
 * What the peer counts: requests for a collection's feed (for a path it
 * never served, -1), pings and pushes (taken or not).  Waiting for a
 * count to pass n gives up after ms: 1 when it passed, 0 if not.
 */
enum fake_count { FAKE_REQUESTS, FAKE_PINGS, FAKE_PUSHES };
int		 fakepeer_count(struct fakepeer *, enum fake_count,
		    const char *);
int		 fakepeer_wait(struct fakepeer *, enum fake_count,
		    const char *, int, int);
int		 fakepeer_strays(struct fakepeer *);

/* The node pins the peer (`acorn peer add`); its exit status. */
int		 fakepeer_pin(struct node *, const struct fakepeer *, int);
/* POST /federation/ping to the node in the peer's name; the status. */
long		 fakepeer_ping(struct node *, const struct fakepeer *);
long		 fakepeer_ping_news(struct node *, const struct fakepeer *,
		    const char *);

/*
 * Pushes (POST /federation/push): the peer answers them 404, as an
 * older node does, until it takes them; either way it keeps the last.
 */
void		 fakepeer_take_pushes(struct fakepeer *);
char		*fakepeer_last_push(struct fakepeer *, char **);
/* A push in the peer's name, signed with a key; sent to a node. */
char		*fake_push_header(const struct fakepeer *, EVP_PKEY *,
		    const char *, const char *, long long, const char *,
		    size_t);
long		 fakepeer_push(struct node *, const char *, const char *,
		    size_t, char **);
int		 fake_push_verifies(const struct fakepeer *, const char *,
		    const char *, EVP_PKEY *, const char *, size_t, char *,
		    size_t, long long *);

void		 fake_fingerprint(EVP_PKEY *, char [FED_FP_LEN + 1]);

/* Entries and pages, malloc'd. */
char		*fake_uuid(void);
char		*fake_entry_xml(const struct fakepeer *,
		    const struct fake_entry *);
char		*fake_sign(const char *, EVP_PKEY *);
char		*fake_entry(const struct fakepeer *, const struct fake_entry *);
char		*fake_term(const struct fakepeer *, const char *, int,
		    const char *, const char *);
char		*fake_request_xml(const struct fakepeer *,
		    const struct fake_request *);
char		*fake_request(const struct fakepeer *,
		    const struct fake_request *);
char		*fake_page(long long, ...);
char		*fake_edit(const char *, const char *, const char *);

#endif
