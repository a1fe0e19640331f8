/*
 * Registering for another node's event (docs/protocol.md, section 8).
 *
 * The member's home node signs a registration entry and POSTs it to the
 * inbox of the node holding the event (the host).  The host decides under
 * the place type's lock, as for its own members, and answers with a
 * signed outcome entry; whenever that outcome changes (a promotion, a
 * cancellation, the event changed) it POSTs the new one to the home
 * node's inbox.  Each side keeps what it owes the other in one table
 * (away_registrations at home, inbox_requests at the host) with the
 * version wanted, the version signed and the version acknowledged, so a
 * node that is down loses nothing and a repeat changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/tree.h>

#include "core.h"
#include "atom.h"
#include "federation.h"
#include "fetch.h"

#define SEND_RETRY	" next_attempt = now() + least(900, power(2, least(attempts, 10)))" \
			" * (0.75 + random() / 2) * interval '1 second'"
#define INBOX_PATH	"/federation/inbox"

static const char *const refusals[] = {
	"not_open", "full_group", "already_registered", "no_place",
	"answers", "closed", "quota", NULL
};
static const char *const statuses[] = {
	"confirmed", "waiting", "cancelled", "refused", NULL
};
static const char *const tellings[] = {
	"confirmed", "waiting", "promoted", "cancelled", "event_cancelled",
	"event_changed", NULL
};

static int
one_of(const char *const *list, const char *s)
{
	return s != NULL && code_index(list, s) != -1;
}

/* What the couriers of this process sent, for /metrics. */
static atomic_ulong sent_total, connects_total;

/*
 * After each request sent with call->curl: how many new connections it
 * took, libcurl's count, to show that connections to peers are kept and
 * used again.
 */
static void
sent_count(const struct courier_call *call)
{
	long n = 0;

	if (curl_easy_getinfo(call->curl, CURLINFO_NUM_CONNECTS, &n) ==
	    CURLE_OK && n > 0)
		atomic_fetch_add(&connects_total, (unsigned long)n);
	atomic_fetch_add(&sent_total, 1);
}

/* Requests the courier sent to peers, and connections it opened. */
void
inbox_sent_counts(unsigned long *sent, unsigned long *connects)
{
	*sent = atomic_load(&sent_total);
	*connects = atomic_load(&connects_total);
}

/* The Atom head of a registration or outcome entry. */
static void
entry_head(struct atom *a, const char *id, const char *title,
    const char *updated, const char *kind, const char *version)
{
	char *s = util_printf("urn:uuid:%s", id);

	atom_entry_start(a);
	atom_text(a, "id", s);
	free(s);
	atom_text(a, "title", title);
	atom_text(a, "updated", updated);
	atom_source(a, INBOX_PATH, updated);
	atom_record_start(a, kind, version);
}

static void
field_urn(struct atom *a, const char *name, const char *uuid)
{
	char *s = util_printf("urn:uuid:%s", uuid);

	if (s == NULL)
		a->failed = 1;
	atom_field(a, name, s);
	free(s);
}

/* Columns of request_query. */
enum {
	RQ_ID, RQ_VERSION, RQ_UPDATED, RQ_EVENT, RQ_WANTED, RQ_ERASED,
	RQ_PLACE, RQ_PLACE_NAME, RQ_PLACES, RQ_NAME, RQ_EMAIL, RQ_ORG,
	RQ_PUBLIC, RQ_ANSWERS, RQ_SIGNED, RQ_MEMBER, RQ_GROUP
};
static const char request_query[] =
    "SELECT a.id, a.version, " RFC3339("now()") ", a.event, a.wanted,"
    " a.erased, a.place_ref, a.place_name, a.places, a.name, a.email,"
    " a.organisation, a.public, (SELECT string_agg(concat_ws(chr(31),"
    "  x->>'question', x->>'value'), chr(30) ORDER BY n)"
    "  FROM jsonb_array_elements(a.answers) WITH ORDINALITY AS j (x, n)),"
    " a.signed, (SELECT m.member FROM accounts m WHERE m.id = a.account),"
    " a.stakeholder FROM away_registrations a WHERE a.id = $1";

/* The registration entry of row 0, signed with the node's current key. */
static char *
request_entry(PGresult *res, const struct signer *sg)
{
	struct atom a;
	const char *answers;
	char *item, *q, *v;
	int failed = 0;

	if (atom_open(&a) == -1)
		return NULL;
	entry_head(&a, PQgetvalue(res, 0, RQ_ID), "Registration",
	    PQgetvalue(res, 0, RQ_UPDATED), "registration",
	    PQgetvalue(res, 0, RQ_VERSION));
	field_urn(&a, "event", PQgetvalue(res, 0, RQ_EVENT));
	atom_field(&a, "state", PQgetvalue(res, 0, RQ_WANTED));
	if (*PQgetvalue(res, 0, RQ_ERASED) == 't')
		atom_field(&a, "erased", "true");
	/* A cancellation says nothing more about the person. */
	if (strcmp(PQgetvalue(res, 0, RQ_WANTED), "registered") == 0) {
		atom_field_start(&a, "place");
		atom_attr(&a, "ref", PQgetvalue(res, 0, RQ_PLACE));
		atom_string(&a, PQgetvalue(res, 0, RQ_PLACE_NAME));
		atom_end(&a);
		atom_field(&a, "places", PQgetvalue(res, 0, RQ_PLACES));
		/*
		 * Who the host knows the person as, never their address.  A
		 * request whose account has gone names nobody, and the host
		 * refuses it.
		 */
		if (!PQgetisnull(res, 0, RQ_MEMBER))
			field_urn(&a, "member", PQgetvalue(res, 0, RQ_MEMBER));
		atom_field(&a, "name", PQgetvalue(res, 0, RQ_NAME));
		atom_field(&a, "email", PQgetvalue(res, 0, RQ_EMAIL));
		atom_field(&a, "organisation", db_value(res, 0, RQ_ORG));
		atom_field(&a, "public", *PQgetvalue(res, 0, RQ_PUBLIC) == 't' ?
		    "true" : "false");
		/* Their stakeholder group, for the host's kept places. */
		if (!PQgetisnull(res, 0, RQ_GROUP))
			atom_field(&a, "stakeholder", PQgetvalue(res, 0,
			    RQ_GROUP));
		answers = db_value(res, 0, RQ_ANSWERS);
		while ((item = util_next_part(&answers, 30, &failed)) != NULL) {
			const char *rest = item;

			q = util_next_part(&rest, 31, &failed);
			v = util_next_part(&rest, 31, &failed);
			if (q != NULL && v != NULL) {
				atom_field_start(&a, "answer");
				atom_attr(&a, "question", q);
				atom_string(&a, v);
				atom_end(&a);
			}
			free(q);
			free(v);
			free(item);
		}
	}
	atom_end(&a);
	atom_end(&a);
	if (failed)
		a.failed = 1;
	return atom_sign(&a, sg->key, sg->fingerprint);
}

/* Columns of outcome_query. */
enum {
	OQ_REF, OQ_VERSION, OQ_UPDATED, OQ_REQUEST, OQ_REQ_VERSION, OQ_HOME,
	OQ_EVENT, OQ_STATUS, OQ_POSITION, OQ_WHAT, OQ_SIGNED, OQ_JOINING,
	OQ_FEEDBACK
};
static const char outcome_query[] =
    "SELECT i.ref, i.out_version, " RFC3339("now()") ", i.request,"
    " i.version, i.home, i.event,"
    " CASE WHEN r.id IS NOT NULL THEN r.status"
    " WHEN i.what = 'cancelled' THEN 'cancelled' ELSE 'refused' END,"
    " acorn_waiting_position(r.id), i.what, i.out_signed,"
    /* The way in to an online event, for those with a place. */
    " CASE WHEN r.status = 'confirmed' THEN e.online_url END,"
    /* The link to the feedback form, once the member was sent one. */
    " i.feedback"
    " FROM inbox_requests i LEFT JOIN registrations r"
    " ON r.id = i.registration JOIN events e ON e.id = i.event"
    " WHERE i.home = $1 AND i.request = $2";

/* The outcome entry of row 0, signed as request_entry signs. */
static char *
outcome_entry(PGresult *res, const struct signer *sg)
{
	struct atom a;

	if (atom_open(&a) == -1)
		return NULL;
	entry_head(&a, PQgetvalue(res, 0, OQ_REF), "Registration outcome",
	    PQgetvalue(res, 0, OQ_UPDATED), "outcome",
	    PQgetvalue(res, 0, OQ_VERSION));
	atom_field_start(&a, "registration");
	atom_attr(&a, "version", PQgetvalue(res, 0, OQ_REQ_VERSION));
	{
		char *s = util_printf("urn:uuid:%s",
		    PQgetvalue(res, 0, OQ_REQUEST));

		if (s == NULL)
			a.failed = 1;
		else
			atom_string(&a, s);
		free(s);
	}
	atom_end(&a);
	field_urn(&a, "home", PQgetvalue(res, 0, OQ_HOME));
	field_urn(&a, "event", PQgetvalue(res, 0, OQ_EVENT));
	atom_field(&a, "status", PQgetvalue(res, 0, OQ_STATUS));
	atom_field(&a, "position", db_value(res, 0, OQ_POSITION));
	atom_field(&a, "what", PQgetvalue(res, 0, OQ_WHAT));
	atom_field(&a, "joining", db_value(res, 0, OQ_JOINING));
	atom_field(&a, "feedback", db_value(res, 0, OQ_FEEDBACK));
	atom_end(&a);
	atom_end(&a);
	return atom_sign(&a, sg->key, sg->fingerprint);
}

/*
 * What one side owes the other (a member's request, a host's outcome):
 * how its row is read, its entry written, and the signed entry stored.
 */
struct owed {
	const char	*query;		/* $1.. the row's key */
	int		 version;	/* column: the newest version */
	int		 signed_at;	/* column: the version signed */
	char		*(*write)(PGresult *, const struct signer *);
	const char	*store;		/* $1.. the key, the version, the entry */
	const char	*what;		/* for the log */
};

static const struct owed owed_request = {
	request_query, RQ_VERSION, RQ_SIGNED, request_entry,
	"UPDATE away_registrations SET entry = $3, signed = $2::integer"
	" WHERE id = $1 AND version = $2::integer AND signed < $2::integer",
	"registration"
};
static const struct owed owed_outcome = {
	outcome_query, OQ_VERSION, OQ_SIGNED, outcome_entry,
	"UPDATE inbox_requests SET out_entry = $4, out_signed = $3::integer"
	" WHERE home = $1 AND request = $2 AND out_version = $3::integer"
	" AND out_signed < $3::integer",
	"the outcome of"
};

/*
 * Signs what is owed at its newest version, unless it is signed
 * already.  Two signing the same version at once store the first
 * signature only (ECDSA signatures differ each time), so everyone
 * answers with the same bytes.  0 when done, -1 when it could not be.
 */
static int
sign_owed(struct db *db, const struct signer *sg, const struct owed *o,
    const char *const *key, int nkey)
{
	const char *p[4];
	PGresult *res;
	char *entry;
	int i, tries;
	long rc = 0;

	/*
	 * rc: 0 while a change made meanwhile moves the version on (sign
	 * again), above 0 once signed or signed already, -1 on failure.
	 */
	for (tries = 0; tries < 3 && rc == 0; tries++) {
		if ((res = db_query(db, PGRES_TUPLES_OK, o->query, nkey,
		    key)) == NULL)
			return -1;
		if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0,
		    o->signed_at), PQgetvalue(res, 0, o->version)) == 0)
			rc = 1;
		else if ((entry = o->write(res, sg)) == NULL) {
			log_err("cannot sign %s %s", o->what, key[nkey - 1]);
			rc = -1;
		} else {
			for (i = 0; i < nkey; i++)
				p[i] = key[i];
			p[nkey] = PQgetvalue(res, 0, o->version);
			p[nkey + 1] = entry;
			rc = db_changes(db, o->store, nkey + 2, p);
			free(entry);
		}
		PQclear(res);
	}
	return rc == -1 ? -1 : 0;
}

/* Signs a member's registration request at its newest version. */
static int
away_sign(struct db *db, const struct signer *sg, const char *id)
{
	return sign_owed(db, sg, &owed_request, &id, 1);
}

/* Signs the outcome a host owes for one request, at its newest version. */
static int
outcome_sign(struct db *db, const struct signer *sg, const char *home,
    const char *request)
{
	const char *key[2] = { home, request };

	return sign_owed(db, sg, &owed_outcome, key, 2);
}

/*
 * A node's inbox, from column col of row 0 of res, which gave its
 * address (acorn_node_url); NULL when the address is not known.
 */
static char *
inbox_url(const PGresult *res, int col)
{
	if (PQgetisnull(res, 0, col))
		return NULL;
	return util_printf("%s" INBOX_PATH, PQgetvalue(res, 0, col));
}

/* Verifies a signed entry and reads its record. */
static int
read_signed(struct db *db, const char *text, size_t len,
    struct fed_record *rec, xmlDocPtr *doc, char **canonical,
    const char **why)
{
	char signer[FED_UUID_LEN + 1];

	*canonical = NULL;
	if ((*doc = fed_parse(text, len, why)) == NULL)
		return 400;
	/* Well-formed but not an entry is malformed, not forged. */
	if (!fed_is_entry(xmlDocGetRootElement(*doc))) {
		*why = "not an entry";
		return 400;
	}
	if (fed_verify(*doc, trust_lookup, db, signer, canonical, why) ==
	    -1) {
		if (*why == NULL)
			*why = "the signature does not verify";
		return 403;
	}
	if (fed_record_read(*doc, rec, why) == -1)
		return 400;
	if (rec->deleted) {
		fed_record_free(rec);
		*why = "a tombstone is neither a registration nor an outcome";
		return 400;
	}
	return 0;
}

/*
 * A link to a host's feedback form, as an outcome carries it: an http
 * or https address ending in /feedback/ and a key of 43 base64url
 * characters (whether the address is the host's, the database checks).
 */
static int
feedback_link_valid(const char *s)
{
	size_t n = strlen(s);
	const char *key = s + n - ACORN_TOKEN_LEN;

	return (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) ==
	    0) && n <= 600 && n >= 10 + ACORN_TOKEN_LEN + 7 &&
	    strncmp(key - 10, "/feedback/", 10) == 0 && util_token_valid(key);
}

/*
 * Home side: an outcome from the host of a member's registration.
 * Applied once, when it is newer than the last; the member is told by
 * mail in the same transaction when what they hold changed
 * (acorn_away_apply).  Answers an HTTP status.
 */
static int
outcome_apply(struct db *db, const struct fed_record *rec,
    const char **why)
{
	const char *reg = fed_urn_uuid(fed_field(rec, "registration"));
	const char *home = fed_urn_uuid(fed_field(rec, "home"));
	const char *event = fed_urn_uuid(fed_field(rec, "event"));
	const char *status = fed_field(rec, "status");
	const char *position = fed_field(rec, "position");
	const char *joining = fed_field(rec, "joining");
	const char *feedback = fed_field(rec, "feedback");
	const char *what = fed_field(rec, "what");
	const char *req_version = NULL;
	char version[16];
	PGresult *res;
	size_t i;
	long n;
	int rc;

	for (i = 0; i < rec->nfields; i++)
		if (strcmp(rec->fields[i].name, "registration") == 0)
			req_version = rec->fields[i].attr[0];
	if (reg == NULL || home == NULL || event == NULL ||
	    req_version == NULL ||
	    util_parse_long(req_version, 1, 1000000000, &n) == -1 ||
	    !one_of(statuses, status) ||
	    (joining != NULL && strncmp(joining, "https://", 8) != 0 &&
	    strncmp(joining, "http://", 7) != 0) ||
	    (feedback != NULL && !feedback_link_valid(feedback)) ||
	    (position != NULL && util_parse_long(position, 1, 1000000000,
	    &n) == -1) ||
	    (!one_of(refusals, what) && !one_of(tellings, what))) {
		*why = "an outcome whose fields are missing or unknown";
		return 400;
	}
	if (strcmp(home, node_id) != 0) {
		*why = "an outcome for a registration made on another node";
		return 404;
	}
	snprintf(version, sizeof(version), "%d", rec->version);
	/* Checked and applied in one statement (acorn_away_apply). */
	res = db_query(db, PGRES_TUPLES_OK, "SELECT acorn_away_apply($1, $2,"
	    " $3, $4, $5::bigint, $6, $7::integer, $8::integer, $9, $10,"
	    " $11)", 11, (const char *[]){ reg, rec->origin, event, status,
	    position, what, version, req_version, joining, cfg->public_url,
	    feedback });
	if (res == NULL)
		return 503;
	rc = (int)strtol(PQgetvalue(res, 0, DB_ONLY), NULL, 10);
	PQclear(res);
	if (rc == 404)
		*why = "no registration made here is held by that node";
	else if (rc == 400)
		*why = "an outcome whose feedback link is not its host's";
	return rc == 404 || rc == 400 ? rc : 204;
}

/*
 * An answer saying the other node read the entry and will never take
 * it: sending it again would change nothing.
 */
static int
refusal_status(long status)
{
	return status == 400 || status == 404 || status == 409 ||
	    status == 422;
}

/*
 * The host will never take the request: the member is told it was not
 * accepted (or, when they were cancelling it, that it is cancelled), and
 * it is not sent again.  1 (the host answered), or -1 when the database
 * failed.
 */
static int
away_give_up(struct db *db, const char *id, const char *err)
{
	const char *p[3] = { id, err, cfg->public_url };

	log_warn("registration %s refused by its host: %s", id, err);
	if (db_begin(db) == -1)
		return -1;
	if (db_exec(db, "UPDATE away_registrations SET"
	    " status = CASE wanted WHEN 'cancelled' THEN 'cancelled'"
	    "  ELSE 'refused' END,"
	    " why = CASE wanted WHEN 'cancelled' THEN why ELSE 'unreadable' END,"
	    " delivered = version, last_error = $2, changed = now()"
	    " WHERE id = $1", 2, p) == -1 ||
	    db_call(db, "SELECT acorn_tell_away(id, 'unreadable', $2)"
	    " FROM away_registrations WHERE id = $1"
	    " AND wanted = 'registered'", 2,
	    (const char *[]){ p[0], p[2] }) == -1 ||
	    db_commit(db) == -1) {
		db_rollback(db);
		return -1;
	}
	return 1;
}

/*
 * A try that did not get the request to the host, or whose answer was
 * refused: the member's request is tried again later, with backoff.
 * 0, or -1 when the database failed.
 */
static int
away_retry(struct db *db, const char *id, const char *err)
{
	const char *p[2] = { id, err };

	log_info("registration %s not delivered yet: %s", id, err);
	return db_exec(db, "UPDATE away_registrations SET"
	    " attempts = attempts + 1, last_error = $2," SEND_RETRY
	    " WHERE id = $1", 2, p) == -1 ? -1 : 0;
}

/* Columns of away_query. */
enum { AW_ENTRY, AW_URL };
/*
 * A member's request ($1), signed and not delivered yet, and where its
 * host is: as pinned here, else as its own node entry says, else as a
 * hub here vouches (acorn_node_url); never another node's word.
 */
static const char away_query[] =
    "SELECT entry, acorn_node_url(host) FROM away_registrations"
    " WHERE id = $1 AND delivered < version AND signed = version";

/*
 * Home side: sends a member's request to the host and applies the
 * outcome it answers with.  1 when the host answered (and took it, or
 * will never take it), 0 when the try failed (tried again later, with
 * backoff), -1 when the database failed.
 */
int
away_send(struct db *db, const struct signer *sg,
    const struct courier_call *call, const char *id)
{
	struct fetch f;
	struct fed_record rec;
	xmlDocPtr doc = NULL;
	const char *p[1], *why = NULL, *reg;
	char *url = NULL, *entry = NULL, *canonical = NULL, err[300];
	PGresult *res;
	int rc = -1, owed;

	memset(&f, 0, sizeof(f));
	f.stop = call->stop;
	memset(&rec, 0, sizeof(rec));
	if (away_sign(db, sg, id) == -1)
		return -1;
	p[0] = id;
	if ((res = db_query(db, PGRES_TUPLES_OK, away_query, 1, p)) == NULL)
		return -1;
	if ((owed = PQntuples(res) == 1)) {
		entry = util_strdup(PQgetvalue(res, 0, AW_ENTRY));
		url = inbox_url(res, AW_URL);
	}
	PQclear(res);
	if (!owed)
		return 1;	/* nothing to send */
	if (entry == NULL)
		goto done;
	if (url == NULL) {
		snprintf(err, sizeof(err), "the host's address is not known");
		rc = away_retry(db, id, err);
		goto done;
	}
	if (fetch_post_entry(call->curl, url, entry, call->timeout, &f) ==
	    -1) {
		sent_count(call);
		snprintf(err, sizeof(err), "%s", f.error);
		rc = away_retry(db, id, err);
		goto done;
	}
	sent_count(call);
	if (f.status != 200) {
		snprintf(err, sizeof(err), "the host answered %ld: %.200s",
		    f.status, f.body != NULL ? f.body : "");
		rc = refusal_status(f.status) ? away_give_up(db, id, err) :
		    away_retry(db, id, err);
		goto done;
	}
	if (read_signed(db, f.body, f.len, &rec, &doc, &canonical, &why) !=
	    0) {
		snprintf(err, sizeof(err), "the host's answer was refused: %s",
		    why);
		rc = away_retry(db, id, err);
		goto done;
	}
	rc = 0;
	if (strcmp(rec.kind, "outcome") != 0 ||
	    (reg = fed_urn_uuid(fed_field(&rec, "registration"))) == NULL ||
	    strcmp(reg, id) != 0 ||
	    (rc = outcome_apply(db, &rec, &why)) != 204) {
		snprintf(err, sizeof(err), "the host's answer was refused: %s",
		    why != NULL ? why : "not the outcome of this request");
		rc = rc == 503 ? -1 : away_retry(db, id, err);
		goto done;
	}
	rc = 1;
done:
	fed_record_free(&rec);
	xmlFreeDoc(doc);
	free(canonical);
	free(entry);
	free(url);
	fetch_free(&f);
	return rc;
}

/* Columns of outcome_owed_query. */
enum { OW_ENTRY, OW_SIGNED, OW_URL };
/*
 * The signed outcome of request $2 from home $1, not delivered yet, and
 * where the home node is (as for away_query).
 */
static const char outcome_owed_query[] =
    "SELECT out_entry, out_signed, acorn_node_url(home) FROM inbox_requests"
    " WHERE home = $1 AND request = $2"
    " AND delivered < out_version AND out_signed = out_version";

/*
 * POSTs a signed entry to a node's inbox at url (NULL when its address
 * is not known), for what a node sends without waiting for an entry in
 * answer (outcomes, notes): err is empty when the node took it (200 or
 * 204), else says why not; f holds the answer.
 */
static void
post_owed(const struct courier_call *call, const char *url,
    const char *entry, struct fetch *f, char *err, size_t len)
{
	if (url == NULL) {
		snprintf(err, len, "the home node's address is not known");
		return;
	}
	if (fetch_post_entry(call->curl, url, entry, call->timeout, f) == -1)
		snprintf(err, len, "%s", f->error);
	else if (f->status != 204 && f->status != 200)
		snprintf(err, len, "the home node answered %ld: %.200s",
		    f->status, f->body != NULL ? f->body : "");
	else
		err[0] = '\0';
	sent_count(call);
}

/*
 * Host side: sends the newest outcome of one request to the member's
 * home node.  1 when it took it, 0 when not (tried again later), -1 when
 * the database failed.
 */
int
outcome_send(struct db *db, const struct signer *sg,
    const struct courier_call *call, const char *home, const char *request)
{
	struct fetch f;
	const char *p[4];
	char *url = NULL, *entry = NULL, err[300], version[16];
	PGresult *res;
	int rc = -1, owed;

	memset(&f, 0, sizeof(f));
	f.stop = call->stop;
	if (outcome_sign(db, sg, home, request) == -1)
		return -1;
	p[0] = home;
	p[1] = request;
	if ((res = db_query(db, PGRES_TUPLES_OK, outcome_owed_query, 2, p)) ==
	    NULL)
		return -1;
	if ((owed = PQntuples(res) == 1)) {
		entry = util_strdup(PQgetvalue(res, 0, OW_ENTRY));
		snprintf(version, sizeof(version), "%s",
		    PQgetvalue(res, 0, OW_SIGNED));
		url = inbox_url(res, OW_URL);
	}
	PQclear(res);
	if (!owed)
		return 1;
	if (entry == NULL)
		goto done;
	post_owed(call, url, entry, &f, err, sizeof(err));
	p[2] = err[0] == '\0' ? version : err;
	/* A home node that will never take it has it as much as it will. */
	if (err[0] != '\0' && refusal_status(f.status)) {
		log_warn("outcome of %s refused by its home node: %s",
		    request, err);
		p[3] = version;
		rc = db_exec(db, "UPDATE inbox_requests SET delivered ="
		    " greatest(delivered, $4::integer), last_error = $3"
		    " WHERE home = $1 AND request = $2", 4, p) == -1 ? -1 : 1;
	} else if (err[0] == '\0')
		rc = db_exec(db, "UPDATE inbox_requests SET delivered ="
		    " greatest(delivered, $3::integer), attempts = 0,"
		    " last_error = NULL WHERE home = $1 AND request = $2", 3,
		    p) == -1 ? -1 : 1;
	else {
		log_info("outcome of %s not delivered yet: %s", request, err);
		rc = db_exec(db, "UPDATE inbox_requests SET"
		    " attempts = attempts + 1, last_error = $3," SEND_RETRY
		    " WHERE home = $1 AND request = $2", 3, p) == -1 ? -1 : 0;
	}
done:
	free(entry);
	free(url);
	fetch_free(&f);
	return rc;
}

/*
 * Reports of problems and referral outcomes about a listing received
 * from another node, owed to the listing's home (protocol.md section
 * 8.8): each a signed entry of version 1, sent once; the row goes once
 * the home takes it, or will never take it.
 */

/* Columns of note_query. */
enum {
	NQ_ID, NQ_VERSION, NQ_SIGNED, NQ_UPDATED, NQ_KIND, NQ_SERVICE,
	NQ_TOPIC, NQ_DETAILS, NQ_OUTCOME, NQ_ENTRY, NQ_URL
};
static const char note_query[] =
    "SELECT id, 1, CASE WHEN entry IS NULL THEN 0 ELSE 1 END, "
    RFC3339("created") ", kind, service, topic, details, outcome, entry,"
    " acorn_node_url(home) FROM directory_notes WHERE id = $1";

/* The note of row 0, signed as request_entry signs. */
static char *
note_entry(PGresult *res, const struct signer *sg)
{
	struct atom a;
	int report = strcmp(PQgetvalue(res, 0, NQ_KIND), "report") == 0;

	if (atom_open(&a) == -1)
		return NULL;
	entry_head(&a, PQgetvalue(res, 0, NQ_ID), report ? "Report" :
	    "Referral outcome", PQgetvalue(res, 0, NQ_UPDATED),
	    PQgetvalue(res, 0, NQ_KIND), "1");
	field_urn(&a, "service", PQgetvalue(res, 0, NQ_SERVICE));
	if (report) {
		atom_field(&a, "topic", PQgetvalue(res, 0, NQ_TOPIC));
		atom_field(&a, "details", db_value(res, 0, NQ_DETAILS));
	} else
		atom_field(&a, "result", PQgetvalue(res, 0, NQ_OUTCOME));
	atom_end(&a);
	atom_end(&a);
	return atom_sign(&a, sg->key, sg->fingerprint);
}

static const struct owed owed_note = {
	note_query, NQ_VERSION, NQ_SIGNED, note_entry,
	"UPDATE directory_notes SET entry = $3"
	" WHERE id = $1 AND $2::integer = 1 AND entry IS NULL",
	"the note"
};

/*
 * Sends one note to its listing's home node.  1 when the home took it
 * (or will never take it), 0 when not (tried again later, with
 * backoff), -1 when the database failed.
 */
int
note_send(struct db *db, const struct signer *sg,
    const struct courier_call *call, const char *id)
{
	struct fetch f;
	const char *p[2] = { id, NULL };
	char *url = NULL, *entry = NULL, err[300];
	PGresult *res;
	int rc = -1;

	memset(&f, 0, sizeof(f));
	f.stop = call->stop;
	if (sign_owed(db, sg, &owed_note, &id, 1) == -1 ||
	    (res = db_query(db, PGRES_TUPLES_OK, note_query, 1, p)) == NULL)
		return -1;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, NQ_ENTRY)) {
		PQclear(res);
		return 1;	/* gone, or given up meanwhile */
	}
	entry = util_strdup(PQgetvalue(res, 0, NQ_ENTRY));
	url = inbox_url(res, NQ_URL);
	PQclear(res);
	if (entry == NULL)
		goto done;
	post_owed(call, url, entry, &f, err, sizeof(err));
	if (err[0] == '\0' || refusal_status(f.status)) {
		if (err[0] != '\0')
			log_warn("note %s refused by its home node: %s", id,
			    err);
		rc = db_exec(db, "DELETE FROM directory_notes WHERE id = $1",
		    1, p) == -1 ? -1 : 1;
	} else {
		log_info("note %s not delivered yet: %s", id, err);
		p[1] = err;
		rc = db_exec(db, "UPDATE directory_notes SET"
		    " attempts = attempts + 1, last_error = $2," SEND_RETRY
		    " WHERE id = $1", 2, p) == -1 ? -1 : 0;
	}
done:
	free(entry);
	free(url);
	fetch_free(&f);
	return rc;
}

/*
 * Home side: a note from another node about a listing of this one.  A
 * report reaches the listing's managers by mail and the coordinators'
 * queue, as one made here does; an outcome is counted.  Taken once,
 * however often it comes.  Answers an HTTP status.
 */
static int
note_receive(struct db *db, const struct fed_record *rec, const char **why)
{
	const char *service = fed_urn_uuid(fed_field(rec, "service"));
	const char *topic = fed_field(rec, "topic");
	const char *details = fed_field(rec, "details");
	const char *result = fed_field(rec, "result");
	int report = strcmp(rec->kind, "report") == 0;
	const char *p[7];
	PGresult *res;
	char *from = NULL;
	int rc = 503;

	if (service == NULL || rec->version != 1 || (report ?
	    code_index(report_topic_codes, topic) == -1 || result != NULL ||
	    (details != NULL && util_utf8_length(details) > 1000) :
	    code_index(referral_codes, result) == -1 || topic != NULL ||
	    details != NULL)) {
		*why = report ? "a report whose fields are missing or unknown" :
		    "a referral outcome whose fields are missing or unknown";
		return 400;
	}
	p[0] = rec->id;
	p[1] = rec->origin;
	p[2] = rec->kind;
	p[3] = service;
	p[4] = topic;
	p[5] = details;
	p[6] = result;
	if (db_begin(db) == -1)
		return 503;
	res = db_query(db, PGRES_TUPLES_OK, "SELECT acorn_directory_note($1,"
	    " $2, $3, $4, $5, $6, $7), coalesce((SELECT name FROM known_nodes"
	    " WHERE id = $2::uuid), 'another node')", 7, p);
	if (res == NULL)
		goto fail;
	if (strcmp(PQgetvalue(res, 0, 0), "unknown") == 0 ||
	    strcmp(PQgetvalue(res, 0, 0), "busy") == 0) {
		rc = *PQgetvalue(res, 0, 0) == 'u' ? 404 : 429;
		PQclear(res);
		db_rollback(db);
		*why = rc == 404 ? "no listing of this node has that id" :
		    "your node has sent as many of these about this listing "
		    "today as it takes; send it again later";
		return rc;
	}
	if (report && strcmp(PQgetvalue(res, 0, 0), "new") == 0 &&
	    ((from = util_strdup(PQgetvalue(res, 0, 1))) == NULL ||
	    review_report_mail(db, service, topic, details, from) == -1)) {
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	if (db_commit(db) == -1)
		goto fail;
	free(from);
	return 204;
fail:
	free(from);
	db_rollback(db);
	return rc;
}

/* Columns of questions_query. */
enum { QS_ID, QS_KIND, QS_REQUIRED, QS_CHOICES };
/* The questions event $1 asks, with the choices of each on lines. */
static const char questions_query[] =
    "SELECT id, kind, required, array_to_string(choices, E'\\n')"
    " FROM questions WHERE event = $1 AND NOT retired";

/*
 * Checks a request's answers against the event's questions, as the
 * registration form here does.  The answers given are collected as two
 * array literals; 0 when they fit, -1 when not, -2 when the database
 * failed.
 */
static int
answers_fit(struct db *db, const struct fed_record *rec, const char *event,
    char **ids, char **values)
{
	const char *p[1] = { event }, **qs = NULL, **vs = NULL, *given;
	PGresult *res;
	size_t i, k = 0, n;
	int q, rc = -1;

	*ids = *values = NULL;
	res = db_query(db, PGRES_TUPLES_OK, questions_query, 1, p);
	if (res == NULL)
		return -2;
	n = (size_t)PQntuples(res);
	if ((qs = calloc(n + 1, sizeof(*qs))) == NULL ||
	    (vs = calloc(n + 1, sizeof(*vs))) == NULL) {
		rc = -2;
		goto out;
	}
	for (q = 0; q < (int)n; q++) {
		const char *kind = PQgetvalue(res, q, QS_KIND);

		given = NULL;
		for (i = 0; i < rec->nfields; i++)
			if (strcmp(rec->fields[i].name, "answer") == 0 &&
			    rec->fields[i].attr[0] != NULL &&
			    strcmp(rec->fields[i].attr[0],
			    PQgetvalue(res, q, QS_ID)) == 0) {
				if (given != NULL)
					goto out;	/* answered twice */
				given = rec->fields[i].value;
			}
		if (given == NULL || *given == '\0') {
			if (*PQgetvalue(res, q, QS_REQUIRED) == 't')
				goto out;
			continue;
		}
		if (util_utf8_length(given) > 2000 ||
		    (strcmp(kind, "yesno") == 0 && strcmp(given, "yes") != 0 &&
		    strcmp(given, "no") != 0) ||
		    (strcmp(kind, "choice") == 0 &&
		    !util_line_of(PQgetvalue(res, q, QS_CHOICES), given)))
			goto out;
		qs[k] = PQgetvalue(res, q, QS_ID);
		vs[k++] = given;
	}
	/* Every answer given is to a question asked, and counted above. */
	for (i = 0, n = 0; i < rec->nfields; i++)
		if (strcmp(rec->fields[i].name, "answer") == 0 &&
		    *rec->fields[i].value != '\0')
			n++;
	if (n != k)
		goto out;
	if ((*ids = util_pg_array(qs, k)) == NULL ||
	    (*values = util_pg_array(vs, k)) == NULL) {
		free(*ids);
		*ids = NULL;
		rc = -2;
		goto out;
	}
	rc = 0;
out:
	free(qs);
	free(vs);
	PQclear(res);
	return rc;
}

/*
 * Host side: a new request to register.  Decides it in the transaction
 * the caller holds, under the place type's lock, and records what this
 * node owes the home node.  0, or an HTTP status with *why.
 */
static int
request_new(struct db *db, const struct fed_record *rec, const char *event,
    const char *digest, const char **why)
{
	const char *place = NULL, *places = fed_field(rec, "places");
	const char *member = fed_urn_uuid(fed_field(rec, "member"));
	const char *name = fed_field(rec, "name");
	const char *email = fed_field(rec, "email");
	const char *org = fed_field(rec, "organisation");
	const char *pub = fed_field(rec, "public");
	const char *group = fed_field(rec, "stakeholder");
	const char *p[15];
	char *ids = NULL, *values = NULL, version[16];
	size_t i;
	long n;
	int rc;

	for (i = 0; i < rec->nfields; i++)
		if (strcmp(rec->fields[i].name, "place") == 0)
			place = rec->fields[i].attr[0];
	if (group != NULL && *group == '\0')
		group = NULL;
	if (place == NULL || util_parse_long(place, 1, 1000000000000L, &n) ==
	    -1 || places == NULL || util_parse_long(places, 1, 10, &n) == -1 ||
	    member == NULL || name == NULL || *name == '\0' ||
	    util_utf8_length(name) > 200 ||
	    email == NULL || !mail_address_valid(email) ||
	    (org != NULL && util_utf8_length(org) > 200) ||
	    (pub != NULL && strcmp(pub, "true") != 0 &&
	    strcmp(pub, "false") != 0) ||
	    (group != NULL && stakeholder_label(group) == NULL)) {
		*why = "a registration whose fields are missing or malformed";
		return 422;
	}
	snprintf(version, sizeof(version), "%d", rec->version);
	if ((rc = answers_fit(db, rec, event, &ids, &values)) == -2)
		return 503;
	p[0] = rec->origin;
	p[1] = rec->id;
	p[2] = version;
	p[3] = digest;
	p[4] = event;
	p[5] = rc == 0 ? place : NULL;	/* NULL: the answers do not fit */
	p[6] = name;
	p[7] = email;
	p[8] = org;
	p[9] = places;
	p[10] = pub != NULL && strcmp(pub, "true") == 0 ? "true" : "false";
	p[11] = ids != NULL ? ids : "{}";
	p[12] = values != NULL ? values : "{}";
	p[13] = member;
	p[14] = group;
	rc = db_call(db, "SELECT acorn_register_remote($1, $14, $2,"
	    " $3::integer, $4, $5, $6::bigint, $7, $8, $9, $10::integer,"
	    " $11::boolean, $12::bigint[], $13::text[], $15)", 15, p);
	free(ids);
	free(values);
	return rc == -1 ? 503 : 0;
}

/*
 * Host side: a later version of a request, which cancels it (and, when
 * the member's account was erased, takes their details away too).
 */
static int
request_cancel(struct db *db, const struct fed_record *rec,
    const char *digest, int erased)
{
	char version[16];
	const char *p[4];

	snprintf(version, sizeof(version), "%d", rec->version);
	p[0] = rec->origin;
	p[1] = rec->id;
	p[2] = version;
	p[3] = cfg->public_url;
	if (db_call(db, "SELECT acorn_cancel_told(registration, NULL, $3)"
	    " FROM inbox_requests WHERE home = $1 AND request = $2"
	    " AND registration IS NOT NULL", 3,
	    (const char *[]){ p[0], p[1], p[3] }) == -1 ||
	    db_exec(db, "UPDATE inbox_requests SET version = $3::integer,"
	    " digest = $4, what = 'cancelled', out_version = out_version + 1,"
	    " next_attempt = now() + interval '1 minute'"
	    " WHERE home = $1 AND request = $2", 4,
	    (const char *[]){ p[0], p[1], p[2], digest }) == -1)
		return 503;
	if (erased && (db_exec(db, "DELETE FROM answers WHERE registration ="
	    " (SELECT registration FROM inbox_requests WHERE home = $1"
	    " AND request = $2)", 2, p) == -1 ||
	    db_exec(db, "UPDATE registrations r SET name = 'Erased member',"
	    " email = 'erased-' || r.ref, organisation = NULL, public = false"
	    " FROM inbox_requests i WHERE i.home = $1 AND i.request = $2"
	    " AND r.id = i.registration", 2, p) == -1))
		return 503;
	return 0;
}

/*
 * Host side: whether a request this node has not seen before is taken,
 * under the quota of protocol.md section 8.4 (acorn_inbox_admit decides,
 * holding the home node's lock to the end of the transaction).  0 when
 * it is, *refused set when it is refused and recorded, to be answered
 * with its outcome; else an HTTP status.  A request that only cancels
 * takes no place, and is never refused here.
 */
static int
request_admit(struct db *db, const struct fed_record *rec,
    const char *event, const char *digest, int *refused)
{
	const char *places = fed_field(rec, "places");
	char quota[16], version[16], what[16];
	PGresult *res;
	long n;

	*refused = 0;
	/* Malformed: refused with the other fields (request_new). */
	if (places == NULL || util_parse_long(places, 1, 10, &n) == -1)
		return 0;
	snprintf(quota, sizeof(quota), "%d", cfg->inbox_quota);
	res = db_query(db, PGRES_TUPLES_OK, "SELECT acorn_inbox_admit($1, $2,"
	    " $3::integer, $4::integer)", 4,
	    (const char *[]){ rec->origin, event, places, quota });
	if (res == NULL)
		return 503;
	snprintf(what, sizeof(what), "%s", db_value(res, 0, DB_ONLY) != NULL ?
	    PQgetvalue(res, 0, DB_ONLY) : "");
	PQclear(res);
	if (what[0] == '\0')
		return 0;
	snprintf(version, sizeof(version), "%d", rec->version);
	if (db_call(db, "SELECT acorn_inbox_refuse($1, $2, $3::integer, $4,"
	    " $5, $6)", 6, (const char *[]){ rec->origin, rec->id, version,
	    digest, event, what }) == -1)
		return 503;
	*refused = 1;
	return 0;
}

/* Columns of request_held_query. */
enum { HR_HERE, HR_VERSION, HR_SAME_EVENT, HR_SAME_DIGEST };
/*
 * Under the lock on request $2 from home $1 (acorn_inbox_hold): whether
 * event $3 is held here; and the request held, if any: at what version,
 * and whether it is for that event and its entry's digest is $4.
 */
static const char request_held_query[] =
    "SELECT here, version, same_event, same_digest"
    " FROM acorn_inbox_hold($1, $2, $3, $4)";

/* Columns of answer_query. */
enum { AN_ENTRY };
/* The signed outcome of request $2 from home $1, given now. */
static const char answer_query[] =
    "UPDATE inbox_requests SET delivered = greatest(delivered, out_signed)"
    " WHERE home = $1 AND request = $2 AND out_entry IS NOT NULL"
    " RETURNING out_entry";

/*
 * Host side: a registration request.  Decided once per version: the same
 * version again is answered with the outcome as it stands, an older one
 * is a replay.  Answers an HTTP status; *reply is the signed outcome.
 */
static int
request_receive(struct db *db, const struct signer *sg,
    const struct fed_record *rec, const char *canonical, char **reply,
    const char **why)
{
	const char *event = fed_urn_uuid(fed_field(rec, "event"));
	const char *state = fed_field(rec, "state");
	const char *erased = fed_field(rec, "erased");
	const char *p[4];
	unsigned char sum[32];
	char digest[65];
	PGresult *res;
	int held, version, rc, refused = 0;

	if (event == NULL || state == NULL ||
	    (strcmp(state, "registered") != 0 &&
	    strcmp(state, "cancelled") != 0)) {
		*why = "a registration without its event or state";
		return 400;
	}
	if (strcmp(rec->origin, node_id) == 0) {
		*why = "a registration from this node itself";
		return 422;
	}
	util_sha256(canonical, strlen(canonical), sum);
	util_hex(sum, sizeof(sum), digest);
	p[0] = rec->origin;
	p[1] = rec->id;
	p[2] = event;
	p[3] = digest;
	if (db_begin(db) == -1)
		return 503;
	rc = 503;	/* until something else is known */
	/*
	 * One request at a time: a repeat waits for the first to decide
	 * (acorn_inbox_hold takes the lock LOCK_INBOX names).
	 */
	if ((res = db_query(db, PGRES_TUPLES_OK, request_held_query, 4,
	    p)) == NULL)
		goto done;
	if (*PQgetvalue(res, 0, HR_HERE) != 't') {
		PQclear(res);
		*why = "the event is not held by this node";
		rc = 404;
		goto done;
	}
	held = !PQgetisnull(res, 0, HR_VERSION);
	version = held ? (int)strtol(PQgetvalue(res, 0, HR_VERSION), NULL,
	    10) : 0;
	rc = 0;
	if (held && *PQgetvalue(res, 0, HR_SAME_EVENT) != 't') {
		*why = "a request already made for another event";
		rc = 409;
	} else if (held && version == rec->version &&
	    *PQgetvalue(res, 0, HR_SAME_DIGEST) != 't') {
		*why = "a different entry under a version already applied";
		rc = 409;
	} else if (held && version > rec->version) {
		*why = "an older version than the one applied (a replay)";
		rc = 409;
	} else if (held && version < rec->version &&
	    strcmp(state, "cancelled") != 0) {
		*why = "a later version can only cancel a registration";
		rc = 422;
	}
	PQclear(res);
	if (rc == 0 && !held && strcmp(state, "registered") == 0 &&
	    (rc = request_admit(db, rec, event, digest, &refused)) == 0 &&
	    refused)
		held = 1;	/* refused and recorded: answered below */
	else if (rc == 0 && held && version < rec->version)
		rc = request_cancel(db, rec, digest, erased != NULL &&
		    strcmp(erased, "true") == 0);
	else if (rc == 0 && !held && strcmp(state, "cancelled") == 0) {
		char v[16];

		snprintf(v, sizeof(v), "%d", rec->version);
		if (db_exec(db, "INSERT INTO inbox_requests (home, request,"
		    " version, digest, event, ref, what) VALUES ($1, $2,"
		    " $5::integer, $4, $3, gen_random_uuid(), 'cancelled')", 5,
		    (const char *[]){ p[0], p[1], p[2], p[3], v }) == -1)
			rc = 503;
	} else if (rc == 0 && !held)
		rc = request_new(db, rec, event, digest, why);
	if (rc == 0 && db_commit(db) == -1)
		rc = 503;
	if (rc != 0)
		goto done;
	/* The answer is the outcome as it stands now, signed. */
	rc = 503;
	if (outcome_sign(db, sg, p[0], p[1]) == -1 ||
	    (res = db_query(db, PGRES_TUPLES_OK, answer_query, 2, p)) == NULL)
		goto done;
	if (PQntuples(res) == 1)
		*reply = util_strdup(PQgetvalue(res, 0, AN_ENTRY));
	PQclear(res);
	if (*reply != NULL)
		rc = 200;
done:
	db_rollback(db);	/* nothing to undo once committed */
	return rc;
}

/*
 * Whether one more entry from node origin is taken now, under the rate
 * of protocol.md section 8.2 (acorn_inbox_arrive): 0 when it is, else an
 * HTTP status with *why (429: too many, nothing was done; send it again
 * later).
 */
static int
inbox_arrive(struct db *db, const char *origin, const char **why)
{
	char rate[16], window[16];
	PGresult *res;
	int taken;

	snprintf(rate, sizeof(rate), "%d", cfg->inbox_rate);
	snprintf(window, sizeof(window), "%d", FED_INBOX_RATE_WINDOW);
	res = db_query(db, PGRES_TUPLES_OK, "SELECT acorn_inbox_arrive($1,"
	    " $2::integer, make_interval(secs => $3::integer))", 3,
	    (const char *[]){ origin, rate, window });
	if (res == NULL)
		return 503;
	taken = *PQgetvalue(res, 0, DB_ONLY) == 't';
	PQclear(res);
	if (taken)
		return 0;
	*why = "too many entries from your node in the last minute; send it "
	    "again later";
	return 429;
}

/*
 * POST /federation/inbox: a signed registration (this node holds the
 * event) or outcome (a member here registered).  Answers an HTTP status;
 * *reply is an entry to answer with, *why what was wrong.
 */
int
inbox_receive(struct db *db, const struct signer *sg, const char *body,
    size_t len, char **reply, const char **why)
{
	struct fed_record rec;
	xmlDocPtr doc = NULL;
	char *canonical = NULL;
	int rc;

	*reply = NULL;
	*why = NULL;
	if (sg == NULL || sg->key == NULL) {
		*why = "this node has no key to answer with";
		return 503;
	}
	memset(&rec, 0, sizeof(rec));
	if ((rc = read_signed(db, body, len, &rec, &doc, &canonical,
	    why)) != 0 || (rc = inbox_arrive(db, rec.origin, why)) != 0)
		goto done;
	if (strcmp(rec.kind, "registration") == 0)
		rc = request_receive(db, sg, &rec, canonical, reply, why);
	else if (strcmp(rec.kind, "outcome") == 0)
		rc = outcome_apply(db, &rec, why);
	else if (strcmp(rec.kind, "report") == 0 ||
	    strcmp(rec.kind, "referral") == 0)
		rc = note_receive(db, &rec, why);
	else {
		*why = "the inbox takes registrations, outcomes, reports and "
		    "referral outcomes only";
		rc = 422;
	}
done:
	fed_record_free(&rec);
	xmlFreeDoc(doc);
	free(canonical);
	return rc;
}
