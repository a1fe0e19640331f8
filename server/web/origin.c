/*
 * Where a shared record comes from.  A record received from a peer is
 * shown with the name of the node that owns it and a link to its page
 * there; only that node may change it, so anyone who tries to here is
 * told where it can be changed.  The queries give the three columns of
 * SQL_ORIGIN, which every function here reads from column col on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

/* A node that sent no entry about itself yet, nor was pinned by name. */
#define ORIGIN_UNKNOWN	"another node of the network"

/* The columns of SQL_ORIGIN (core.h), counted from col. */
enum { ORIGIN_RECEIVED, ORIGIN_NAME, ORIGIN_HOME };

/* The name of the node a row comes from, as people read it. */
const char *
origin_name(const PGresult *res, int row, int col)
{
	const char *name = db_value(res, row, col + ORIGIN_NAME);

	return name != NULL && *name != '\0' ? name : ORIGIN_UNKNOWN;
}

/* The row's page on its home node, when that is a web address. */
static const char *
origin_home(const PGresult *res, int row, int col)
{
	const char *home = db_value(res, row, col + ORIGIN_HOME);

	if (home == NULL || (strncmp(home, "https://", 8) != 0 &&
	    strncmp(home, "http://", 7) != 0))
		return NULL;
	return home;
}

/*
 * For a received row, sets "received", "origin_name" and, when it has
 * one, "origin_href" in v, and returns 1; a row of this node's own
 * leaves v alone and returns 0.
 */
int
origin_view(struct view *v, const PGresult *res, int row, int col)
{
	if (*PQgetvalue(res, row, col + ORIGIN_RECEIVED) != 't')
		return 0;
	view_flag(v, "received", 1);
	view_set(v, "origin_name", origin_name(res, row, col));
	view_set(v, "origin_href", origin_home(res, row, col));
	return 1;
}

/*
 * A 403 page about a received record: title and message, then a link
 * to the record on its home node, whose name link_fmt's one %s takes.
 */
static int
origin_page(struct request *r, const char *title, const char *message,
    const char *link_fmt, const PGresult *res, int row, int col)
{
	struct view *v;
	const char *home = origin_home(res, row, col);

	if ((v = page_view(r, title)) == NULL)
		return http_error(r, 500);
	view_set(v, "message", message);
	if (home != NULL) {
		view_set(v, "link_href", home);
		/* The format is one of this program's, never a record's. */
		view_setf(v, "link_text", link_fmt, origin_name(res, row, col));
	}
	return http_page(r, 403, "message", v);
}

/*
 * The answer to a change asked of a received record, which changes
 * nothing: what says what it is ("event", "document").
 */
int
origin_refuse(struct request *r, const char *what, const PGresult *res,
    int row, int col)
{
	char *title, *message;
	int rc;

	title = util_printf("You cannot change this %s here", what);
	message = util_printf("This %s belongs to %s; it can only be changed "
	    "there.", what, origin_name(res, row, col));
	if (title == NULL || message == NULL)
		rc = http_error(r, 500);
	else
		rc = origin_page(r, title, message, "View it on %s", res, row,
		    col);
	free(title);
	free(message);
	return rc;
}
