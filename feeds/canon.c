/*
 * The canonical form of what a peer sent, as the receiver stores it and
 * digests it: written again from the parsed tree by the entry writer
 * (atom.c) where that gives exactly libxml2's exclusive C14N, which it
 * does for every entry Acorn writes, and libxml2's (xml.c) otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "core.h"
#include "federation.h"
#include "fed_internal.h"
#include "atom.h"

/*
 * The namespaces the writer of atom.c is given for a tree it writes
 * again (fed_canonical): the ones Acorn's entries use.  Any other is
 * left to libxml2, which also refuses what exclusive C14N cannot take
 * (a relative namespace URI).
 */
static const char *const known_ns[] = {
	FED_ATOM_NS, FED_TOMB_NS, FED_ACORN_NS, FED_DSIG_NS
};

static const char *
known(const xmlNs *ns)
{
	size_t i;

	for (i = 0; i < sizeof(known_ns) / sizeof(known_ns[0]); i++)
		if (xmlStrEqual(ns->href, BAD_CAST known_ns[i]))
			return known_ns[i];
	return NULL;
}

/*
 * Writes element n and all under it with the canonical writer: -1 at
 * anything the writer does not write as exclusive C14N does (a comment,
 * processing instruction or entity reference, an attribute in a
 * namespace, a namespace not known, used or only declared, a name with
 * a colon in it, a character left out) or that goes past its limits.
 */
static int
canon_element(struct atom *a, xmlNodePtr n)
{
	const char *prefix = NULL, *uri = "", *value;
	xmlAttrPtr at;
	xmlNodePtr c;
	xmlNsPtr d;

	/* libxml2 refuses a relative URI even where it is not used. */
	for (d = n->nsDef; d != NULL; d = d->next)
		if (d->href != NULL && *d->href != '\0' && known(d) == NULL)
			return -1;
	if (n->ns != NULL) {
		if ((uri = known(n->ns)) == NULL)
			return -1;
		prefix = (const char *)n->ns->prefix;
	}
	if (strchr((const char *)n->name, ':') != NULL)
		return -1;
	/* No namespace is the default one declared empty (xmlns=""). */
	atom_start_ns(a, prefix, (const char *)n->name, uri);
	for (at = n->properties; at != NULL && !a->failed; at = at->next) {
		if (at->ns != NULL || (at->children != NULL &&
		    (at->children->type != XML_TEXT_NODE ||
		    at->children->next != NULL)))
			return -1;
		value = at->children != NULL ?
		    (const char *)at->children->content : "";
		atom_attr(a, (const char *)at->name, value != NULL ? value : "");
	}
	for (c = n->children; c != NULL && !a->failed; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			if (canon_element(a, c) == -1)
				return -1;
		} else if (c->type == XML_TEXT_NODE)
			atom_string(a, c->content != NULL ?
			    (const char *)c->content : "");
		else
			return -1;
	atom_end(a);
	return a->failed || a->lossy ? -1 : 0;
}

/*
 * The exclusive canonical form of doc, as fed_c14n gives it, malloc'd,
 * written by atom.c's writer straight from the tree: several times
 * faster than libxml2's.  NULL when the tree has what the writer does
 * not write as libxml2 does (canon_element), or memory ran out.  The
 * writer's form is libxml2's (tests/unit and the fuzz target compare
 * them), and whatever it writes holds every element, attribute and text
 * of the tree, so what a signature over it covers is all a reader of
 * doc can find.
 */
char *
fed_canonical_walk(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), n;
	struct atom a;

	if (root == NULL)
		return NULL;
	for (n = doc->children; n != NULL; n = n->next)
		if (n != root)
			return NULL;
	atom_open(&a);
	if (canon_element(&a, root) == -1)
		a.failed = 1;	/* what it wrote, part of the way, goes */
	return atom_close(&a);
}

/* The exclusive canonical form of doc, malloc'd: the writer's, or libxml2's. */
char *
fed_canonical(xmlDocPtr doc)
{
	char *text;

	return (text = fed_canonical_walk(doc)) != NULL ? text : fed_c14n(doc);
}
