/*
 * /federation/: what other nodes ask of this one directly, beside its
 * feeds: its public key and AtomPub service document, the ping a peer
 * sends to have its feeds pulled at once, and the inbox, which takes one
 * signed entry (a registration, or the outcome of one) and answers it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"
#include "federation.h"

/* This node's signing keys, loaded by `acorn serve` before it listens. */
const struct signer *server_signer;

/* GET /federation/key.pem */
int
federation_key(struct request *r)
{
	char *pem;

	if (server_signer == NULL || server_signer->key == NULL)
		return http_error(r, 404);
	if ((pem = fed_public_pem(server_signer->key)) == NULL)
		return http_error(r, 500);
	return http_send(r, 200, "application/x-pem-file", pem, strlen(pem),
	    0);
}

/* GET /federation/service: the AtomPub service document (RFC 5023). */
int
federation_service(struct request *r)
{
	char *body;

	if (server_signer == NULL ||
	    (body = feed_service(server_signer->fingerprint)) == NULL)
		return http_error(r, 500);
	return http_send(r, 200, "application/atomsvc+xml; charset=utf-8",
	    body, strlen(body), 0);
}

/*
 * A ping from node (a bare UUID) naming the collections of news:
 * the schema (acorn_peer_ping) decides whether a pull is asked for,
 * and this process's puller of the peer, if it runs one, is told at
 * once.  -1 when the database failed.
 */
static int
ping_take(struct request *r, const char *node, unsigned int news)
{
	const char *p[3];
	char gap[16], *note;
	PGresult *res;

	/* Only names this node serves go on, whatever the sender wrote. */
	if ((note = sync_ping_note(news)) == NULL)
		return -1;
	p[0] = node;
	snprintf(gap, sizeof(gap), "%d", cfg->ping_gap);
	p[1] = gap;
	p[2] = note;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT acorn_peer_ping($1::uuid,"
	    " make_interval(secs => $2::integer), $3)", 3, p);
	free(note);
	if (res == NULL)
		return -1;
	if (!PQgetisnull(res, 0, DB_ONLY))
		sync_pinged(strtoll(PQgetvalue(res, 0, DB_ONLY), NULL, 10),
		    news);
	PQclear(res);
	return 0;
}

/*
 * POST /federation/ping: node=urn:uuid:SENDER, and news=COLLECTION,...
 * naming the collections with news, which the pull takes first (before
 * it asks which have news).  Anyone may send one, so a ping only asks
 * for the sender's feeds to be pulled soon, and only when the sender is
 * a peer: the schema (acorn_peer_ping) answers at once while pulls of
 * the peer find something, and spaces by ping_gap the pulls that find
 * nothing, which is what a flood is.  Every ping
 * of the right shape gets the same answer, so it tells nobody which
 * nodes are peers or whether a pull started.
 */
int
federation_ping(struct request *r)
{
	const char *node = fed_urn_uuid(r->form.f[KEY_NODE].text);
	unsigned int news = sync_news_read(r->form.f[KEY_NEWS].text);

	if (node == NULL)
		return http_send(r, 400, "text/plain; charset=utf-8",
		    "node=urn:uuid:... is required\n", 30, 1);
	if (ping_take(r, node, news) == -1)
		return http_error(r, 503);
	return http_send(r, 202, "text/plain; charset=utf-8", "noted\n", 6,
	    1);
}

/*
 * POST /federation/push: a peer's page of a change's entries, signed
 * for this node (docs/protocol.md, section 6; feeds/push.c).  When it
 * cannot move this node's cursor, it is also the ping it would have
 * been, and asks for a pull the same way.
 */
int
federation_push(struct request *r)
{
	struct push_answer a;
	char *text;
	int status, rc;

	status = push_receive(r->db, http_header(r, "Acorn-Push"),
	    r->entry.data, r->entry.len, &a);
	if (a.pull && ping_take(r, a.from, a.all ? 0 :
	    sync_news_read(a.collection)) == -1)
		status = 503;
	if (status == 429)
		response_retry_after(r, 1);
	if (status == 503 && a.why == NULL) {
		push_answer_free(&a);
		return http_error(r, 503);
	}
	if (status != 202)
		log_info("push: refused (%d): %s", status, a.why);
	text = util_printf("%s\n", a.why != NULL ? a.why : "refused");
	push_answer_free(&a);
	if (text == NULL)
		return http_error(r, 500);
	rc = http_send(r, (unsigned int)status, "text/plain; charset=utf-8",
	    text, strlen(text), 1);
	free(text);
	return rc;
}

/*
 * POST /federation/inbox: one signed entry from another node, a
 * registration for an event held here or the outcome of one a member
 * here made (docs/protocol.md, section 8).
 */
int
federation_inbox(struct request *r)
{
	const char *why = NULL;
	char *reply = NULL, *text;
	unsigned int status;
	int rc;

	if (r->entry.data == NULL)
		return http_send(r, 400, "text/plain; charset=utf-8",
		    "an Atom entry is required\n", 26, 1);
	status = (unsigned int)inbox_receive(r->db, server_signer,
	    r->entry.data, r->entry.len, &reply, &why);
	if (reply != NULL) {
		rc = http_send(r, status, "application/atom+xml;type=entry",
		    reply, strlen(reply), 1);
		free(reply);
		return rc;
	}
	if (status == 204)
		return http_send(r, 204, "text/plain; charset=utf-8", "", 0, 1);
	if (status == 503 && why == NULL)
		return http_error(r, 503);
	log_info("inbox: refused (%u): %s", status, why != NULL ? why :
	    "no reason");
	/* Only the rate answers 429: its window has passed by then. */
	if (status == 429)
		response_retry_after(r, FED_INBOX_RATE_WINDOW);
	if ((text = util_printf("%s\n", why != NULL ? why : "refused")) ==
	    NULL)
		return http_error(r, 500);
	rc = http_send(r, status, "text/plain; charset=utf-8", text,
	    strlen(text), 1);
	free(text);
	return rc;
}
