/*
 * Finding a request's route in the table the program gives the server
 * (server/routes.c): the web layer matches paths and reads a route's
 * flags, and knows nothing of the pages behind them.
 */
#include <stdio.h>
#include <string.h>

#include "web.h"

/*
 * Matches a path against a pattern in which "*" stands for the non-empty
 * part of one segment before the literal text that follows the "*" in
 * that segment, if any: "*.ics" takes "ID.ics" with "ID".  The first
 * such part is copied to arg.
 */
static int
route_match(const char *pat, const char *url, char *arg, size_t argsz)
{
	size_t n, suffix;
	int captured = 0;

	while (*pat != '\0') {
		if (*pat == '*') {
			pat++;
			suffix = strcspn(pat, "/*");
			n = strcspn(url, "/");
			if (n <= suffix || memcmp(url + n - suffix, pat,
			    suffix) != 0)
				return 0;
			n -= suffix;
			if (n >= argsz)
				return 0;
			if (!captured) {
				memcpy(arg, url, n);
				arg[n] = '\0';
				captured = 1;
			}
			url += n + suffix;
			pat += suffix;
			continue;
		}
		if (*pat++ != *url++)
			return 0;
	}
	return *url == '\0';
}

/* How much of a pattern is literal: the more, the more specific. */
static size_t
route_literal(const char *pat)
{
	size_t n = 0;

	for (; *pat != '\0'; pat++)
		if (*pat != '*')
			n++;
	return n;
}

/*
 * Fixed paths first, then the most specific pattern that matches (the
 * one with the most literal characters), so "*.ics" under events wins
 * over a bare "*" there wherever either sits in the table.  NULL is a 404.
 */
const struct route *
route_find(const struct route *routes, size_t n, const char *url, char *arg,
    size_t argsz)
{
	const struct route *best = NULL;
	char got[sizeof(((struct request *)0)->arg)];
	size_t i, lit, best_lit = 0;

	arg[0] = '\0';
	for (i = 0; i < n; i++)
		if (routes[i].path != NULL &&
		    strchr(routes[i].path, '*') == NULL &&
		    strcmp(url, routes[i].path) == 0)
			return &routes[i];
	for (i = 0; i < n; i++) {
		if (routes[i].path == NULL)
			continue;
		if (strchr(routes[i].path, '*') == NULL ||
		    !route_match(routes[i].path, url, got,
		    argsz < sizeof(got) ? argsz : sizeof(got)))
			continue;
		lit = route_literal(routes[i].path);
		if (best == NULL || lit > best_lit) {
			best = &routes[i];
			best_lit = lit;
			memcpy(arg, got, strlen(got) + 1);
		}
	}
	return best;
}

/* Whether the request's route has flag (enum route_flag). */
int
route_is(const struct request *r, unsigned int flag)
{
	return r->route != NULL && (r->route->flags & flag) != 0;
}
