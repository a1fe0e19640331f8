/*
 * The documents around stored entries: a feed's frame (its head, and for
 * peers the paging links, with a mark where the entries go) and this
 * node's AtomPub service document (RFC 5023).  The entries themselves
 * are never rewritten: the server sends them from where they are stored.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "config.h"
#include "core.h"
#include "atom.h"
#include "federation.h"

/* The feed element up to its entries. */
static void
feed_head(struct atom *a, const char *collection, const char *self,
    const char *updated)
{
	char *s;

	atom_check(a, xmlTextWriterStartDocument(a->w, NULL, "UTF-8", NULL));
	atom_check(a, xmlTextWriterStartElementNS(a->w, NULL, BAD_CAST "feed",
	    BAD_CAST FED_ATOM_NS));
	atom_check(a, xmlTextWriterWriteAttribute(a->w, BAD_CAST "xmlns:at",
	    BAD_CAST FED_TOMB_NS));
	atom_check(a, xmlTextWriterWriteAttribute(a->w,
	    BAD_CAST "xmlns:acorn", BAD_CAST FED_ACORN_NS));
	s = util_printf("%s/feeds/%s", cfg->public_url, collection);
	atom_text(a, "id", s);
	free(s);
	atom_link(a, "self", "application/atom+xml", self);
	s = util_printf("%s%s", cfg->public_url, publish_page(collection));
	atom_link(a, "alternate", "text/html", s);
	free(s);
	s = util_printf("%s: %s", cfg->node_name, publish_title(collection));
	atom_text(a, "title", s);
	free(s);
	atom_text(a, "updated", updated);
	atom_start(a, "author");
	atom_text(a, "name", cfg->node_name);
	atom_end(a);
	atom_start(a, "generator");
	atom_attr(a, "version", PACKAGE_VERSION);
	atom_string(a, "Acorn");
	atom_end(a);
}

/*
 * A feed of collection (a name publish_table knows) at self, updated
 * then, with FED_ENTRIES_MARK where its entries go.  For a page for
 * peers: next, the link to the page after it (NULL on the last), cursor,
 * the change number of its last entry (NULL when it has none), and
 * latest, the newest change number; all three NULL for feed readers.
 * NULL when memory ran out or the collection is unknown.
 */
char *
feed_frame(const char *collection, const char *self, const char *updated,
    const char *next, const char *cursor, const char *latest)
{
	struct atom a;

	if (publish_table(collection) == NULL || atom_open(&a) == -1)
		return NULL;
	feed_head(&a, collection, self, updated);
	if (next != NULL)
		atom_link(&a, "next", "application/atom+xml", next);
	if (cursor != NULL)
		atom_field(&a, "cursor", cursor);
	if (latest != NULL)
		atom_field(&a, "latest", latest);
	atom_raw(&a, FED_ENTRIES_MARK);
	atom_check(&a, xmlTextWriterEndDocument(a.w));
	return atom_close(&a);
}

/* A collection element of the service document. */
static void
service_collection(struct atom *a, const char *href, const char *title,
    const char *accept)
{
	atom_check(a, xmlTextWriterStartElementNS(a->w, BAD_CAST "app",
	    BAD_CAST "collection", NULL));
	atom_attr(a, "href", href);
	atom_text(a, "title", title);
	atom_check(a, xmlTextWriterStartElementNS(a->w, BAD_CAST "app",
	    BAD_CAST "accept", NULL));
	if (accept != NULL)
		atom_string(a, accept);
	atom_end(a);
	atom_end(a);
}

/*
 * This node's AtomPub service document: its id, region, address and
 * key's fingerprint, every collection it serves, and the inbox.  NULL
 * when memory ran out.
 */
char *
feed_service(const char *fingerprint)
{
	struct atom a;
	const char *coll;
	char *s;
	size_t i;

	if (atom_open(&a) == -1)
		return NULL;
	atom_check(&a, xmlTextWriterStartDocument(a.w, NULL, "UTF-8", NULL));
	atom_check(&a, xmlTextWriterStartElementNS(a.w, BAD_CAST "app",
	    BAD_CAST "service", BAD_CAST FED_APP_NS));
	atom_check(&a, xmlTextWriterWriteAttribute(a.w, BAD_CAST "xmlns",
	    BAD_CAST FED_ATOM_NS));
	atom_check(&a, xmlTextWriterWriteAttribute(a.w,
	    BAD_CAST "xmlns:acorn", BAD_CAST FED_ACORN_NS));
	atom_check(&a, xmlTextWriterStartElementNS(a.w, BAD_CAST "app",
	    BAD_CAST "workspace", NULL));
	atom_text(&a, "title", cfg->node_name);
	atom_field_start(&a, "node");
	s = util_printf("urn:uuid:%s", node_id);
	atom_attr(&a, "id", s);
	free(s);
	atom_attr(&a, "region", cfg->region);
	atom_attr(&a, "url", cfg->public_url);
	atom_attr(&a, "fingerprint", fingerprint);
	atom_end(&a);
	for (i = 0; (coll = publish_collection(i)) != NULL; i++) {
		s = util_printf("%s/feeds/%s", cfg->public_url, coll);
		service_collection(&a, s, coll, NULL);
		free(s);
	}
	/* The inbox, which takes one signed entry at a time. */
	s = util_printf("%s/federation/inbox", cfg->public_url);
	service_collection(&a, s, "inbox", "application/atom+xml;type=entry");
	free(s);
	atom_check(&a, xmlTextWriterEndDocument(a.w));
	return atom_close(&a);
}
