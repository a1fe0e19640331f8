/*
 * iCalendar (RFC 5545) for the events anyone may see: GET /events/{id}.ics
 * for one event ("Add to your calendar") and GET /events.ics for the
 * upcoming ones, with the filters of /events, to subscribe to.  Drafts
 * never appear; cancelled events do, marked CANCELLED, so that calendars
 * which had them take them out.  The joining link of an online event is
 * for confirmed attendees only and is never written here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "config.h"
#include "web.h"
#include "pages.h"

#define ICAL_LINE	75	/* octets before a fold, CRLF not counted */

/* Times go out in UTC ("Z"), which needs no VTIMEZONE. */
#define ICAL_UTC(col) \
    "to_char(" col " AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"')"

#define ICAL_SELECT \
    "SELECT e.id, e.title, e.description, e.kind, e.venue, e.address," \
    " e.organiser, e.organiser_email, e.status, e.version, " \
    ICAL_UTC("e.starts") ", " ICAL_UTC("e.ends") ", " \
    ICAL_UTC("e.updated") ", " ICAL_UTC("now()") "," \
    " e.online_url IS NOT NULL" \
    " FROM events e WHERE NOT e.deleted AND e.status <> 'draft'"

/* The columns of ICAL_SELECT, for both queries below. */
enum {
	C_ID, C_TITLE, C_DESCRIPTION, C_KIND, C_VENUE, C_ADDRESS, C_ORGANISER,
	C_ORGANISER_EMAIL, C_STATUS, C_VERSION, C_STARTS, C_ENDS, C_UPDATED,
	C_NOW, C_ONLINE
};

static const char ical_one[] = ICAL_SELECT " AND e.id = $1";

/* Upcoming: not yet over, as on /events. */
static const char ical_upcoming[] = ICAL_SELECT
    " AND e.ends >= now() AND ($1 = '' OR e.region = $1)"
    " AND ($2 = '' OR e.kind = $2) ORDER BY e.starts, e.id LIMIT 1000";

/*
 * Writes one content line, folded so that no line is longer than 75
 * octets, never inside a UTF-8 sequence, each ending in CRLF.
 */
static void
ical_fold(struct strbuf *b, const char *line)
{
	size_t len = strlen(line), pos = 0, room = ICAL_LINE, cut;

	while (len - pos > room) {
		cut = pos + room;
		while (cut > pos && ((unsigned char)line[cut] & 0xc0) == 0x80)
			cut--;
		strbuf_add(b, line + pos, cut - pos);
		strbuf_add(b, "\r\n ", 3);
		pos = cut;
		room = ICAL_LINE - 1;	/* the leading space counts */
	}
	strbuf_add(b, line + pos, len - pos);
	strbuf_add(b, "\r\n", 2);
}

/*
 * A TEXT value: backslash, semicolon, comma and line ends escaped; other
 * control characters, which TEXT may not hold, left out.
 */
static void
ical_escape(struct strbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\':
			strbuf_add(b, "\\\\", 2);
			break;
		case ';':
			strbuf_add(b, "\\;", 2);
			break;
		case ',':
			strbuf_add(b, "\\,", 2);
			break;
		case '\r':
			if (s[1] == '\n')
				s++;
			/* FALLTHROUGH */
		case '\n':
			strbuf_add(b, "\\n", 2);
			break;
		case '\t':
			strbuf_add(b, "\t", 1);
			break;
		default:
			if ((unsigned char)*s >= 0x20 && *s != 0x7f)
				strbuf_add(b, s, 1);
			break;
		}
	}
}

/* A parameter value: quoted, without the quotes and controls it cannot hold. */
static void
ical_param(struct strbuf *b, const char *s)
{
	strbuf_add(b, "\"", 1);
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x20 && *s != 0x7f && *s != '"')
			strbuf_add(b, s, 1);
	strbuf_add(b, "\"", 1);
}

/* NAME[;params]:value, the value escaped as TEXT when text is set. */
static void
ical_prop(struct strbuf *b, const char *name, const char *params,
    const char *value, int text)
{
	struct strbuf line = { NULL, 0, 0, 0 };

	strbuf_str(&line, name);
	if (params != NULL) {
		strbuf_add(&line, ";", 1);
		strbuf_str(&line, params);
	}
	strbuf_add(&line, ":", 1);
	if (text)
		ical_escape(&line, value);
	else
		strbuf_str(&line, value);
	if (line.failed)
		b->failed = 1;
	else
		ical_fold(b, line.p);
	strbuf_free(&line);
}

/* A TEXT property, NAME[;params]:value, escaped and folded, with CRLF. */
char *
calendar_line(const char *name, const char *params, const char *value)
{
	struct strbuf b = { NULL, 0, 0, 0 };

	ical_prop(&b, name, params, value, 1);
	return strbuf_take(&b);
}

/* The host of the node's public address, for UIDs. */
static void
public_host(char *out, size_t len)
{
	const char *u = cfg->public_url != NULL ? cfg->public_url : "", *h;
	size_t n;

	h = (h = strstr(u, "://")) != NULL ? h + 3 : u;
	n = h[0] == '[' ? strcspn(h, "]/") + (strchr(h, ']') != NULL) :
	    strcspn(h, ":/");
	if (n == 0 || n >= len)
		snprintf(out, len, "%s", node_id);
	else
		snprintf(out, len, "%.*s", (int)n, h);
}

static void
ical_event(struct strbuf *b, PGresult *res, int i, const char *host)
{
	const char *title = PQgetvalue(res, i, C_TITLE);
	const char *email = db_value(res, i, C_ORGANISER_EMAIL);
	const char *organiser = db_value(res, i, C_ORGANISER);
	const char *kind = event_kind_label(PQgetvalue(res, i, C_KIND));
	char *text, *where, *value;
	struct strbuf p = { NULL, 0, 0, 0 };

	strbuf_str(b, "BEGIN:VEVENT\r\n");
	if ((value = util_printf("%s@%s", PQgetvalue(res, i, C_ID), host)) ==
	    NULL)
		b->failed = 1;
	else
		ical_prop(b, "UID", NULL, value, 0);
	free(value);
	ical_prop(b, "DTSTAMP", NULL, PQgetvalue(res, i, C_NOW), 0);
	ical_prop(b, "DTSTART", NULL, PQgetvalue(res, i, C_STARTS), 0);
	ical_prop(b, "DTEND", NULL, PQgetvalue(res, i, C_ENDS), 0);
	ical_prop(b, "LAST-MODIFIED", NULL, PQgetvalue(res, i, C_UPDATED), 0);
	ical_prop(b, "SEQUENCE", NULL, PQgetvalue(res, i, C_VERSION), 0);
	ical_prop(b, "STATUS", NULL, strcmp(PQgetvalue(res, i, C_STATUS),
	    "cancelled") == 0 ? "CANCELLED" : "CONFIRMED", 0);
	ical_prop(b, "SUMMARY", NULL, title, 1);
	if ((value = util_printf("%s/events/%s", cfg->public_url,
	    PQgetvalue(res, i, C_ID))) == NULL)
		b->failed = 1;
	else {
		ical_prop(b, "URL", NULL, value, 0);
		text = markdown_text(db_value(res, i, C_DESCRIPTION));
		if (text == NULL)
			b->failed = 1;
		else {
			strbuf_str(&p, text);
			strbuf_str(&p, *text != '\0' ? "\n\n" : "");
			strbuf_printf(&p, "Details and registration: %s",
			    value);
			if (!p.failed)
				ical_prop(b, "DESCRIPTION", NULL, p.p, 1);
			strbuf_free(&p);
		}
		free(text);
	}
	free(value);
	where = event_where(db_value(res, i, C_VENUE),
	    db_value(res, i, C_ADDRESS), *PQgetvalue(res, i, C_ONLINE) == 't');
	if (where == NULL)
		b->failed = 1;
	else if (*where != '\0')
		ical_prop(b, "LOCATION", NULL, where, 1);
	free(where);
	if (email != NULL) {
		if (organiser != NULL) {
			strbuf_str(&p, "CN=");
			ical_param(&p, organiser);
		}
		if ((value = util_printf("mailto:%s", email)) == NULL)
			b->failed = 1;
		else
			ical_prop(b, "ORGANIZER", p.p, value, 0);
		free(value);
		strbuf_free(&p);
	}
	if (kind != NULL)
		ical_prop(b, "CATEGORIES", NULL, kind, 1);
	strbuf_str(b, "END:VEVENT\r\n");
}

/* The calendar around the events of res: a malloc'd text, or NULL. */
static char *
ical_calendar(PGresult *res)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	char host[256], *name;
	int i, n = PQntuples(res);

	public_host(host, sizeof(host));
	strbuf_str(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
	ical_prop(&b, "PRODID", NULL, "-//Acorn//Acorn " PACKAGE_VERSION
	    "//EN", 0);
	strbuf_str(&b, "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n");
	if ((name = util_printf("%s: events", cfg->node_name)) == NULL)
		b.failed = 1;
	else
		ical_prop(&b, "X-WR-CALNAME", NULL, name, 1);
	free(name);
	for (i = 0; i < n; i++)
		ical_event(&b, res, i, host);
	strbuf_str(&b, "END:VCALENDAR\r\n");
	return strbuf_take(&b);
}

static int
ical_send(struct request *r, PGresult *res, const char *filename)
{
	struct MHD_Response *resp;
	char *body, *disp;

	body = ical_calendar(res);
	PQclear(res);
	if (body == NULL)
		return http_error(r, 500);
	resp = MHD_create_response_from_buffer(strlen(body), body,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
	    "text/calendar; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	if (filename != NULL && (disp = util_printf("attachment; "
	    "filename=\"%s.ics\"", filename)) != NULL) {
		MHD_add_response_header(resp, "Content-Disposition", disp);
		free(disp);
	}
	return http_queue(r, 200, resp);
}

/* A file name from a title: lower-case letters, digits and hyphens. */
static void
ical_filename(const char *title, char *out, size_t len)
{
	size_t n = 0;
	int gap = 0;

	for (; *title != '\0' && n + 2 < len && n < 60; title++) {
		unsigned char c = (unsigned char)*title;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c >= 'A' && c <= 'Z')) {
			if (gap && n > 0)
				out[n++] = '-';
			out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			gap = 0;
		} else
			gap = 1;
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, len, "event");
}

/* GET /events/{id}.ics */
int
calendar_event(struct request *r)
{
	const char *p[1];
	char name[64];
	PGresult *res;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, ical_one, 1, p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	ical_filename(PQgetvalue(res, 0, C_TITLE), name, sizeof(name));
	return ical_send(r, res, name);
}

/*
 * GET /events.ics?region=&kind=: the upcoming events /events would list
 * with the same filters.  A filter that is not one of the choices is an
 * error, not a calendar of everything.
 */
int
calendar_events(struct request *r)
{
	const struct field *region = &r->form.f[KEY_REGION];
	const struct field *kind = &r->form.f[KEY_KIND];
	const char *p[2];
	PGresult *res;

	if (region->error || kind->error)
		return http_error(r, 400);
	p[0] = region->text != NULL ? region->text : "";
	p[1] = kind->text != NULL ? kind->text : "";
	if ((res = db_query(r->db, PGRES_TUPLES_OK, ical_upcoming, 2, p)) ==
	    NULL)
		return http_error(r, 503);
	return ical_send(r, res, NULL);
}

/* Percent-encodes a query value: all but RFC 3986's unreserved octets. */
static void
url_escape(struct strbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			strbuf_add(b, s, 1);
		else {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			strbuf_add(b, e, 3);
		}
	}
}

/*
 * The links a list of events offers: the calendar to subscribe to, with
 * the filters the page shows (ics_href), and the Atom feed (feed_href).
 */
void
calendar_links(struct view *v, const char *region, const char *kind)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	char *href;
	int q = 0;

	strbuf_str(&b, "/events.ics");
	if (region != NULL && *region != '\0') {
		strbuf_str(&b, "?region=");
		url_escape(&b, region);
		q = 1;
	}
	if (kind != NULL && *kind != '\0') {
		strbuf_str(&b, q ? "&kind=" : "?kind=");
		url_escape(&b, kind);
	}
	if ((href = strbuf_take(&b)) != NULL)
		view_set(v, "ics_href", href);
	free(href);
	view_set(v, "feed_href", "/feeds/events");
}
