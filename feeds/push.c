/*
 * Pushes (docs/protocol.md, section 7.1), the sending side: the page
 * of a change that a peer would pull, after the cursor this node last
 * announced, read as GET /feeds/C?after= serves it, and signed for
 * that one peer.  sync.c sends them; receive.c takes them.
 *
 * What the signature covers (push_statement): the receiver, the
 * sender, the collection, where the page starts, and the SHA-256 of
 * the body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "federation.h"
#include "fed_internal.h"

/* What the entries of a push hold at most: a change, not a catch-up. */
#define PUSH_BYTES	(64 * 1024)	/* of entries */

/*
 * The text a push's signature covers, malloc'd, or NULL: receiver and
 * sender are node ids (bare UUIDs), body the page sent.
 */
char *
push_statement(const char *to, const char *from, const char *collection,
    long long after, const char *body, size_t len)
{
	unsigned char digest[32];
	char hex[65];

	util_sha256(body, len, digest);
	util_hex(digest, sizeof(digest), hex);
	return util_printf("acorn-push\n%s\n%s\n%s\n%lld\n%s\n", to, from,
	    collection, after, hex);
}

/*
 * The query of the page of collection after change after that a push
 * would carry, into st, pointing into p (push_take reads its answer).
 * -1 when memory ran out or the collection is unknown.
 */
int
push_step(struct push *p, const char *collection, long long after,
    struct db_step *st)
{
	const char *table = publish_table(collection);

	memset(p, 0, sizeof(*p));
	p->collection = collection;
	p->after = after;
	if (table == NULL || (p->sql = feed_peer_sql(table, PUSH_ENTRIES, 0)) ==
	    NULL)
		return -1;
	snprintf(p->from, sizeof(p->from), "%lld", after);
	snprintf(p->budget, sizeof(p->budget), "%d", PUSH_BYTES);
	p->params[0] = p->from;
	p->params[1] = p->budget;
	*st = (struct db_step){ p->sql, 2, p->params, PGRES_TUPLES_OK };
	return 0;
}

/*
 * The page push_step asked for, from res (taken), into p: 1 when there
 * is one (at most PUSH_ENTRIES entries holding at most PUSH_BYTES, with
 * no page after it), 0 when nothing was signed after it, 2 when more
 * was than a push carries, -1 when res is not an answer.  p->latest is
 * the newest change served whenever the answer is not -1.  The caller
 * frees p (push_free).
 */
int
push_take(struct push *p, PGresult *res)
{
	const struct feed_frame *frame = feed_frame_get(p->collection);
	struct strbuf b = { NULL, 0, 0, 0 };
	struct peer_page pg;
	int rc;

	if (res == NULL || frame == NULL || PQntuples(res) == 0) {
		PQclear(res);
		return -1;
	}
	feed_peer_read(res, &pg);
	p->latest = pg.latest;
	p->cursor = pg.cursor;
	p->n = pg.n;
	if (pg.n == 0)
		rc = 0;
	else if (pg.next >= 0)
		rc = 2;
	else if (feed_page_text(frame, res, PE_ENTRY, 0, pg.n, p->after,
	    pg.updated, -1, pg.cursor, pg.latest, pg.stream, 0, &b) == -1 ||
	    b.failed)
		rc = -1;
	else {
		p->len = b.len;
		p->body = strbuf_take(&b);
		rc = p->body != NULL ? 1 : -1;
	}
	/* One entry alone can be larger than a push carries. */
	if (rc == 1 && p->len > PUSH_MAX_BODY)
		rc = 2;
	strbuf_free(&b);
	PQclear(res);
	if (rc != 1) {
		free(p->body);
		p->body = NULL;
		p->len = 0;
	}
	return rc;
}

void
push_free(struct push *p)
{
	free(p->body);
	free(p->sql);
	p->body = NULL;
	p->sql = NULL;
	p->len = 0;
}

/*
 * The Acorn-Push header of a push of p to the node to (a bare UUID),
 * signed with sg's key: "urn:uuid:SENDER COLLECTION AFTER KEY VALUE".
 * malloc'd, or NULL.
 */
char *
push_header(const struct signer *sg, const char *to, const struct push *p)
{
	char value[FED_B64_LEN(2 * FED_P256_HALF) + 1], *text;

	if (sg == NULL || sg->key == NULL || node_id == NULL ||
	    (text = push_statement(to, node_id, p->collection, p->after,
	    p->body, p->len)) == NULL)
		return NULL;
	if (fed_sign_text(sg->key, text, strlen(text), value) == -1) {
		free(text);
		return NULL;
	}
	free(text);
	return util_printf("urn:uuid:%s %s %lld %s %s", node_id,
	    p->collection, p->after, sg->fingerprint, value);
}

