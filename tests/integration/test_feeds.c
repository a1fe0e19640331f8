/*
 * Sharing against a real node: the iCalendar files a calendar
 * application reads and the Atom feeds of events, library documents and
 * evaluations a feed reader reads, with drafts and deleted records left
 * out, cancellations marked, the joining link and members' names never
 * given away, awkward text escaped, and an unchanged feed costing a 304.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libpq-fe.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "harness.h"

Suite	*feeds_suite(void);

static struct node *node;
static char *coord_pw;

#define COORD		"feeds.coord@example.org"
#define ATOM_NS		"http://www.w3.org/2005/Atom"
#define PUBLIC		"http://feeds.example.org"
#define SECRET_LINK	"https://meet.example.org/secret-room-4417"

static void
start(void)
{
	node = node_new("Feeds node", "public_url = " PUBLIC);
	ck_assert_ptr_nonnull(node);
	coord_pw = node_user_add(node, COORD, "coordinator");
	ck_assert_ptr_nonnull(coord_pw);
	ck_assert_int_eq(node_serve(node), 0);
}

static void
stop(void)
{
	node_free(node);
	free(coord_pw);
	node = NULL;
}

/* The first value of a query with several parameters, or NULL. */
static char *
sql(const char *q, int n, const char *const *params)
{
	char info[1024], *v = NULL;
	PGconn *c;
	PGresult *r;

	snprintf(info, sizeof(info), "host=%s user=acorn dbname=%s",
	    getenv("ACORN_TEST_PGHOST"), node->db);
	c = PQconnectdb(info);
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	r = PQexecParams(c, q, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		v = strdup(PQgetvalue(r, 0, 0));
	else if (PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_COMMAND_OK)
		fprintf(stderr, "test_feeds: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return v;
}

struct ev {
	const char	*title;
	const char	*kind;		/* conference unless set */
	const char	*region;	/* North West unless set */
	const char	*status;	/* published unless set */
	const char	*starts;	/* local time; 2031-03-14 09:30 unless set */
	const char	*ends;		/* 2031-03-14 17:00 unless set */
	const char	*description;
	int		 online;
};

/* An event as the node stores it (also as a peer's would arrive). */
static char *
add_event(const struct ev *e)
{
	const char *p[8];
	char *id;

	p[0] = e->title;
	p[1] = e->kind ? e->kind : "conference";
	p[2] = e->region ? e->region : "North West";
	p[3] = e->status ? e->status : "published";
	p[4] = e->starts ? e->starts : "2031-03-14 09:30";
	p[5] = e->ends ? e->ends : "2031-03-14 17:00";
	p[6] = e->description;
	p[7] = e->online ? SECRET_LINK : NULL;
	id = sql("INSERT INTO events (id, origin, title, kind, region, status,"
	    " starts, ends, description, online_url, venue, address,"
	    " organiser, organiser_email)"
	    " SELECT gen_random_uuid(), n.id, $1, $2, $3, $4,"
	    " $5::timestamp AT TIME ZONE 'Europe/London',"
	    " $6::timestamp AT TIME ZONE 'Europe/London', $7, $8,"
	    " 'Manchester Central', E'Windmill Street\\nManchester M2 3GX',"
	    " 'Ann Organiser', 'ann.organiser@example.org'"
	    " FROM node n RETURNING id", 8, p);
	ck_assert_ptr_nonnull(id);
	return id;
}

static char *
add_titled(const char *title)
{
	struct ev e = { 0 };

	e.title = title;
	return add_event(&e);
}

/* The calendar text with its folded lines joined again (RFC 5545 3.1). */
static char *
unfold(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	ck_assert_ptr_nonnull(out);
	while (*s != '\0') {
		if (s[0] == '\r' && s[1] == '\n' && (s[2] == ' ' ||
		    s[2] == '\t')) {
			s += 3;
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	return out;
}

/* Every line ends in CRLF, holds at most 75 octets and whole characters. */
static void
assert_lines_valid(const char *body)
{
	const char *p = body, *e;
	size_t n, i;

	while (*p != '\0') {
		e = strstr(p, "\r\n");
		ck_assert_ptr_nonnull(e);
		n = (size_t)(e - p);
		ck_assert_msg(n <= 75, "line of %zu octets", n);
		ck_assert_msg(memchr(p, '\n', n) == NULL, "bare LF");
		ck_assert_msg(memchr(p, '\r', n) == NULL, "bare CR");
		/* No line starts inside a UTF-8 sequence. */
		ck_assert_msg(((unsigned char)p[p[0] == ' ' ? 1 : 0] & 0xc0) !=
		    0x80, "a fold split a character");
		for (i = 0; i < n; i++)
			ck_assert_msg((unsigned char)p[i] >= 0x20 ||
			    p[i] == '\t', "control character");
		p = e + 2;
	}
}

static struct resp *
get(const char *path)
{
	struct client *c = client_new(node);
	struct resp *r = http_get(c, path);

	client_free(c);
	ck_assert_ptr_nonnull(r);
	return r;
}

/*
 * 1 when s is in what a feed reader shows: the feed outside the typed
 * records (acorn:record) peers read, whose text holds what was typed,
 * escaped as text, and which readers ignore.
 */
static int
reader_has(const struct resp *r, const char *s)
{
	const char *p = r->body, *start, *end;
	size_t n = strlen(s);

	while (*p != '\0') {
		start = strstr(p, "<acorn:record");
		end = start != NULL ? strstr(start, "</acorn:record>") : NULL;
		if (start == NULL)
			return strstr(p, s) != NULL;
		if (memmem(p, (size_t)(start - p), s, n) != NULL)
			return 1;
		if (end == NULL)
			return 0;
		p = end + 15;
	}
	return 0;
}

static struct resp *
get_ics(const char *id)
{
	char path[128];

	snprintf(path, sizeof(path), "/events/%s.ics", id);
	return get(path);
}

/* 1 when the calendar has a VEVENT whose UID is id at the node. */
static int
has_uid(const char *body, const char *id)
{
	char uid[128];

	snprintf(uid, sizeof(uid), "\r\nUID:%s@feeds.example.org\r\n", id);
	return strstr(body, uid) != NULL;
}

/* The VEVENT of id, unfolded, as a malloc'd string. */
static char *
vevent(const char *body, const char *id)
{
	char *all = unfold(body), uid[128], *p, *b = NULL, *q, *e, *out;

	snprintf(uid, sizeof(uid), "\r\nUID:%s@feeds.example.org\r\n", id);
	ck_assert_ptr_nonnull(p = strstr(all, uid));
	for (q = all; (q = strstr(q, "BEGIN:VEVENT\r\n")) != NULL && q < p;
	    q++)
		b = q;
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(e = strstr(p, "END:VEVENT\r\n"));
	out = strndup(b, (size_t)(e - b) + 12);
	free(all);
	return out;
}

START_TEST(test_event_ics_is_a_calendar_with_its_event)
{
	struct ev e = { 0 };
	struct resp *r;
	char *id, *v, want[200];

	e.title = "Spring conference";
	e.online = 1;
	e.description = "## Programme\n\n*Talks* and a [map](https://"
	    "example.org/map).";
	id = add_event(&e);
	r = get_ics(id);
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "Content-Type: text/calendar; charset=utf-8"));
	ck_assert(header_has(r, "Content-Disposition: attachment; "
	    "filename=\"spring-conference.ics\""));
	assert_lines_valid(r->body);
	ck_assert_int_eq(strncmp(r->body, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n",
	    30), 0);
	ck_assert(resp_has(r, "\r\nPRODID:-//Acorn//"));
	ck_assert(resp_has(r, "\r\nCALSCALE:GREGORIAN\r\n"));
	ck_assert(resp_has(r, "\r\nMETHOD:PUBLISH\r\n"));
	ck_assert(resp_has(r, "\r\nX-WR-CALNAME:Feeds node: events\r\n"));
	ck_assert(resp_has(r, "END:VEVENT\r\nEND:VCALENDAR\r\n"));
	v = vevent(r->body, id);
	/* 09:30 in London in March is 09:30 UTC. */
	ck_assert_ptr_nonnull(strstr(v, "\r\nDTSTART:20310314T093000Z\r\n"));
	ck_assert_ptr_nonnull(strstr(v, "\r\nDTEND:20310314T170000Z\r\n"));
	ck_assert_ptr_nonnull(strstr(v, "\r\nDTSTAMP:"));
	ck_assert_ptr_nonnull(strstr(v, "\r\nLAST-MODIFIED:"));
	ck_assert_ptr_nonnull(strstr(v, "\r\nSEQUENCE:1\r\n"));
	ck_assert_ptr_nonnull(strstr(v, "\r\nSTATUS:CONFIRMED\r\n"));
	ck_assert_ptr_nonnull(strstr(v, "\r\nSUMMARY:Spring conference\r\n"));
	ck_assert_ptr_nonnull(strstr(v, "\r\nLOCATION:Manchester Central\\, "
	    "Windmill Street\\, Manchester M2 3GX (or online)\r\n"));
	snprintf(want, sizeof(want), "\r\nURL:" PUBLIC "/events/%s\r\n", id);
	ck_assert_ptr_nonnull(strstr(v, want));
	ck_assert_ptr_nonnull(strstr(v, "\r\nORGANIZER;CN=\"Ann Organiser\":"
	    "mailto:ann.organiser@example.org\r\n"));
	ck_assert_ptr_nonnull(strstr(v, "\r\nCATEGORIES:Conference\r\n"));
	/* The description as words, not markup. */
	ck_assert_ptr_nonnull(strstr(v, "\r\nDESCRIPTION:Programme\\n\\nTalks"
	    " and a map (https://example.org/map).\\n\\nDetails and "
	    "registration: "));
	/* The joining link is for confirmed attendees only. */
	ck_assert(!resp_has(r, "secret-room"));
	free(v);
	resp_free(r);
	free(id);
}
END_TEST

START_TEST(test_summer_times_are_converted_to_utc)
{
	struct ev e = { 0 };
	struct resp *r;
	char *id;

	e.title = "Summer gathering";
	e.starts = "2031-07-01 10:00";
	e.ends = "2031-07-02 16:30";
	id = add_event(&e);
	r = get_ics(id);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "\r\nDTSTART:20310701T090000Z\r\n"));
	ck_assert(resp_has(r, "\r\nDTEND:20310702T153000Z\r\n"));
	resp_free(r);
	free(id);
}
END_TEST

START_TEST(test_drafts_are_never_in_a_calendar)
{
	struct client *co = client_new(node);
	struct ev e = { 0 };
	struct resp *r;
	char *id, path[128];

	e.title = "Unpublished plans";
	e.status = "draft";
	id = add_event(&e);
	r = get_ics(id);
	ck_assert_int_eq(r->status, 404);
	ck_assert(!resp_has(r, "Unpublished plans"));
	resp_free(r);
	/* Not even for the coordinators who can see its page. */
	ck_assert(sign_in(co, COORD, coord_pw));
	snprintf(path, sizeof(path), "/events/%s", id);
	r = http_get(co, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, "Add to your calendar"));
	resp_free(r);
	snprintf(path, sizeof(path), "/events/%s.ics", id);
	r = http_get(co, path);
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	r = http_get(co, "/events.ics");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!has_uid(r->body, id));
	ck_assert(!resp_has(r, "Unpublished plans"));
	resp_free(r);
	r = get("/feeds/events");
	ck_assert(!resp_has(r, id));
	ck_assert(!resp_has(r, "Unpublished plans"));
	resp_free(r);
	client_free(co);
	free(id);
}
END_TEST

START_TEST(test_unknown_or_malformed_calendar_is_404)
{
	struct resp *r;

	r = get("/events/0b6f2a2e-6c1d-4a57-9a0e-3c2d1e0f9a8b.ics");
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
	r = get("/events/not-an-id.ics");
	ck_assert_int_eq(r->status, 404);
	ck_assert(!resp_has(r, "not-an-id"));
	resp_free(r);
	r = get("/events/new.ics");
	ck_assert_int_eq(r->status, 404);
	resp_free(r);
}
END_TEST

START_TEST(test_event_pages_still_answer_beside_calendars)
{
	struct client *co = client_new(node);
	struct resp *r;
	char *id = add_titled("Page and calendar"), path[128];

	snprintf(path, sizeof(path), "/events/%s", id);
	r = get(path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<h1>Page and calendar</h1>"));
	resp_free(r);
	ck_assert(sign_in(co, COORD, coord_pw));
	r = http_get(co, "/events/new");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "New event"));
	resp_free(r);
	client_free(co);
	free(id);
}
END_TEST

START_TEST(test_calendar_of_upcoming_events_follows_filters)
{
	struct ev e = { 0 };
	struct resp *r;
	char *nw, *london, *webinar, *cancelled, *past, *v;

	e.title = "Filter North West conference";
	nw = add_event(&e);
	e.title = "Filter London conference";
	e.region = "London";
	london = add_event(&e);
	e.title = "Filter London webinar";
	e.kind = "webinar";
	webinar = add_event(&e);
	e.title = "Filter cancelled";
	e.kind = NULL;
	e.region = NULL;
	e.status = "cancelled";
	cancelled = add_event(&e);
	e.title = "Filter last year";
	e.status = NULL;
	e.starts = "2020-03-14 09:30";
	e.ends = "2020-03-14 17:00";
	past = add_event(&e);

	r = get("/events.ics");
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r, "Content-Type: text/calendar; charset=utf-8"));
	ck_assert(!header_has(r, "Content-Disposition"));
	assert_lines_valid(r->body);
	ck_assert(has_uid(r->body, nw));
	ck_assert(has_uid(r->body, london));
	ck_assert(has_uid(r->body, webinar));
	ck_assert(has_uid(r->body, cancelled));
	ck_assert(!has_uid(r->body, past));
	v = vevent(r->body, cancelled);
	ck_assert_ptr_nonnull(strstr(v, "\r\nSTATUS:CANCELLED\r\n"));
	free(v);
	resp_free(r);
	/* Its page no longer offers to add it to a calendar. */
	{
		char path[128];

		snprintf(path, sizeof(path), "/events/%s", cancelled);
		r = get(path);
		ck_assert_int_eq(r->status, 200);
		ck_assert(resp_has(r, "This event has been cancelled"));
		ck_assert(!resp_has(r, "Add to your calendar"));
		resp_free(r);
	}

	r = get("/events.ics?region=London");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!has_uid(r->body, nw));
	ck_assert(has_uid(r->body, london));
	ck_assert(has_uid(r->body, webinar));
	resp_free(r);

	r = get("/events.ics?region=London&kind=webinar");
	ck_assert(!has_uid(r->body, london));
	ck_assert(has_uid(r->body, webinar));
	resp_free(r);

	r = get("/events.ics?kind=conference&region=");
	ck_assert(has_uid(r->body, nw));
	ck_assert(has_uid(r->body, london));
	ck_assert(!has_uid(r->body, webinar));
	resp_free(r);

	/* A filter that is not one of the choices is an error. */
	r = get("/events.ics?region=Atlantis");
	ck_assert_int_eq(r->status, 400);
	ck_assert(resp_has(r, "Sorry, we could not read that request"));
	ck_assert(!resp_has(r, "Atlantis"));
	resp_free(r);
	r = get("/events.ics?kind=%3Cscript%3E");
	ck_assert_int_eq(r->status, 400);
	resp_free(r);
	free(nw);
	free(london);
	free(webinar);
	free(cancelled);
	free(past);
}
END_TEST

START_TEST(test_difficult_title_is_escaped_and_folded)
{
	/* Commas, semicolons, a backslash, a new line and emoji. */
	const char *title = "Link workers, GPs; carers \\ friends\n"
	    "🌱🌱 Gwenllïan's \"café\", ŵ € — a long title, long enough; to "
	    "fold 🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳";
	const char *want = "\r\nSUMMARY:Link workers\\, GPs\\; carers \\\\ "
	    "friends\\n🌱🌱 Gwenllïan's \"café\"\\, ŵ € — a long title\\, long "
	    "enough\\; to fold 🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳🌳\r\n";
	struct resp *r;
	char *id = add_titled(title), *all;

	r = get_ics(id);
	ck_assert_int_eq(r->status, 200);
	assert_lines_valid(r->body);
	/* It had to fold: the title alone is longer than a line. */
	ck_assert(!resp_has(r, want));
	all = unfold(r->body);
	ck_assert_ptr_nonnull(strstr(all, want));
	free(all);
	resp_free(r);
	r = get("/events.ics");
	assert_lines_valid(r->body);
	all = unfold(r->body);
	ck_assert_ptr_nonnull(strstr(all, want));
	free(all);
	resp_free(r);
	free(id);
}
END_TEST

/* The feed, parsed as any XML reader would; fails if not well-formed. */
static xmlDocPtr
feed_doc(const struct resp *r)
{
	xmlDocPtr d = xmlReadMemory(r->body, (int)r->len, "feed.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNodePtr root;

	ck_assert_msg(d != NULL, "the feed is not well-formed XML");
	root = xmlDocGetRootElement(d);
	ck_assert_str_eq((const char *)root->name, "feed");
	ck_assert_ptr_nonnull(root->ns);
	ck_assert_str_eq((const char *)root->ns->href, ATOM_NS);
	return d;
}

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	for (n = n->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name,
		    name) == 0)
			return n;
	return NULL;
}

/* The text of n's first child called name, as a malloc'd string. */
static char *
child_text(xmlNodePtr n, const char *name)
{
	xmlNodePtr c = child(n, name);
	xmlChar *t;
	char *s;

	ck_assert_msg(c != NULL, "no <%s>", name);
	t = xmlNodeGetContent(c);
	s = strdup(t != NULL ? (const char *)t : "");
	xmlFree(t);
	return s;
}

/* The <entry> whose id is urn:uuid:id, or NULL; *pos is its place. */
static xmlNodePtr
entry(xmlDocPtr d, const char *id, int *pos)
{
	xmlNodePtr n;
	char want[64], *got;
	int i = 0, hit;

	snprintf(want, sizeof(want), "urn:uuid:%s", id);
	for (n = xmlDocGetRootElement(d)->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, "entry") != 0)
			continue;
		got = child_text(n, "id");
		hit = strcmp(got, want) == 0;
		free(got);
		if (hit) {
			if (pos != NULL)
				*pos = i;
			return n;
		}
		i++;
	}
	return NULL;
}

static char *
attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *s = strdup(v != NULL ? (const char *)v : "");

	xmlFree(v);
	return s;
}

static void
assert_text(xmlNodePtr n, const char *name, const char *want)
{
	char *got = child_text(n, name);

	ck_assert_str_eq(got, want);
	free(got);
}

static void
assert_contains(xmlNodePtr n, const char *name, const char *want)
{
	char *got = child_text(n, name);

	ck_assert_msg(strstr(got, want) != NULL, "<%s> %s lacks %s", name,
	    got, want);
	free(got);
}

START_TEST(test_atom_feed_has_the_right_entries)
{
	struct client *co = client_new(node);
	struct ev e = { 0 };
	struct resp *r;
	xmlDocPtr d;
	xmlNodePtr root, en, n;
	char *id, *made, *s, path[160], want[160];
	int pos = -1;

	e.title = "Feed conference";
	e.online = 1;
	e.description = "## Programme\n\n*Talks* <script>alert(1)</script>";
	id = add_event(&e);
	/* One made and published through the pages, as a coordinator does. */
	ck_assert(sign_in(co, COORD, coord_pw));
	r = form_post(co, "/events/new", "/events/new", "title",
	    "Feed workshop", "kind", "workshop",
	    "start-day", "2", "start-month", "5", "start-year", "2031",
	    "start-hour", "10", "start-minute", "00",
	    "end-day", "3", "end-month", "5", "end-year", "2031",
	    "end-hour", "12", "end-minute", "00", "venue", "Bolton", NULL);
	ck_assert_int_eq(r->status, 303);
	made = strndup(strstr(r->location, "/events/") + 8, 36);
	resp_free(r);
	snprintf(path, sizeof(path), "/events/%s/places", made);
	r = form_post(co, path, path, "place_name", "In person", "capacity",
	    "20", NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	snprintf(path, sizeof(path), "/events/%s/check", made);
	r = form_post(co, path, path, "done", "publish", NULL);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);

	r = get("/feeds/events");
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r,
	    "Content-Type: application/atom+xml; charset=utf-8"));
	ck_assert(header_has(r, "ETag: \""));
	ck_assert(!resp_has(r, "secret-room"));
	ck_assert(!resp_has(r, "ann.organiser@example.org"));
	d = feed_doc(r);
	root = xmlDocGetRootElement(d);
	snprintf(want, sizeof(want), PUBLIC "/feeds/events");
	assert_text(root, "id", want);
	assert_text(root, "title", "Feeds node: events");
	ck_assert_ptr_nonnull(child(root, "updated"));
	for (n = root->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, "link") == 0) {
			s = attr(n, "rel");
			if (strcmp(s, "self") == 0) {
				free(s);
				s = attr(n, "href");
				ck_assert_str_eq(s, want);
			}
			free(s);
		}

	/* Published last, so newest first. */
	ck_assert_ptr_nonnull(en = entry(d, made, &pos));
	ck_assert_int_eq(pos, 0);
	assert_text(en, "title", "Feed workshop");
	assert_contains(en, "summary", "When: Friday 2 May 2031, 10am to "
	    "Saturday 3 May 2031, 12pm (UK time). Where: Bolton.");
	ck_assert_ptr_nonnull(child(en, "published"));
	ck_assert_ptr_null(child(en, "author"));	/* no organiser given */
	ck_assert_ptr_null(child(en, "content"));	/* no description */

	ck_assert_ptr_nonnull(en = entry(d, id, NULL));
	assert_text(en, "title", "Feed conference");
	ck_assert_ptr_nonnull(child(en, "updated"));
	ck_assert_ptr_nonnull(child(en, "published"));
	n = child(en, "link");
	s = attr(n, "rel");
	ck_assert_str_eq(s, "alternate");
	free(s);
	s = attr(n, "href");
	snprintf(want, sizeof(want), PUBLIC "/events/%s", id);
	ck_assert_str_eq(s, want);
	free(s);
	ck_assert_ptr_nonnull(n = child(en, "author"));
	assert_text(n, "name", "Ann Organiser");
	ck_assert_ptr_null(child(n, "email"));
	s = attr(child(en, "category"), "term");
	ck_assert_str_eq(s, "conference");
	free(s);
	assert_text(en, "summary", "When: Friday 14 March 2031, 9:30am to "
	    "5pm (UK time). Where: Manchester Central, Windmill Street, "
	    "Manchester M2 3GX (or online).");
	n = child(en, "content");
	ck_assert_ptr_nonnull(n);
	s = attr(n, "type");
	ck_assert_str_eq(s, "html");
	free(s);
	assert_contains(en, "content", "<h3>Programme</h3>");
	assert_contains(en, "content", "<em>Talks</em>");
	s = child_text(en, "content");
	ck_assert_ptr_null(strstr(s, "<script"));
	free(s);
	xmlFreeDoc(d);
	resp_free(r);
	client_free(co);
	free(made);
	free(id);
}
END_TEST

/*
 * Every feed links to the page people read it on and names what it is:
 * the members, events and glossary feeds once linked to
 * "http://host(null)", a NULL handed to %s.
 */
START_TEST(test_every_feed_links_to_its_page_and_says_what_it_is)
{
	static const struct {
		const char	*collection;
		const char	*page;
		const char	*title;
	} feeds[] = {
		{ "nodes", "/", "nodes of the network" },
		{ "members", "/members", "member directory" },
		{ "events", "/events", "events" },
		{ "evaluations", "/evidence", "evaluations" },
		{ "documents", "/library", "library documents" },
		{ "glossary", "/glossary", "glossary" },
		{ "organisations", "/organisations",
		    "organisations of the directory of services" },
		{ "locations", "/services",
		    "places of the directory of services" },
		{ "services", "/services", "directory of services" },
	};
	struct resp *r;
	xmlDocPtr d;
	xmlNodePtr n;
	char path[64], want[160], *s;
	size_t i;
	int links;

	for (i = 0; i < sizeof(feeds) / sizeof(feeds[0]); i++) {
		snprintf(path, sizeof(path), "/feeds/%s", feeds[i].collection);
		r = get(path);
		ck_assert_int_eq(r->status, 200);
		ck_assert_msg(!resp_has(r, "(null)"), "%s says (null)", path);
		d = feed_doc(r);
		snprintf(want, sizeof(want), "Feeds node: %s", feeds[i].title);
		assert_text(xmlDocGetRootElement(d), "title", want);
		snprintf(want, sizeof(want), PUBLIC "%s", feeds[i].page);
		links = 0;
		for (n = xmlDocGetRootElement(d)->children; n != NULL;
		    n = n->next) {
			if (n->type != XML_ELEMENT_NODE ||
			    strcmp((const char *)n->name, "link") != 0)
				continue;
			s = attr(n, "rel");
			if (strcmp(s, "alternate") == 0) {
				free(s);
				s = attr(n, "href");
				ck_assert_str_eq(s, want);
				links++;
			}
			free(s);
		}
		ck_assert_int_eq(links, 1);
		xmlFreeDoc(d);
		resp_free(r);
	}
}
END_TEST

START_TEST(test_feed_newest_change_first_and_cancellation_shown)
{
	const char *p[1];
	struct resp *r;
	xmlDocPtr d;
	xmlNodePtr en;
	char *a = add_titled("Older news"), *b = add_titled("Newer news");
	int pos = -1;

	/* The older one changes: cancelled, a new version. */
	p[0] = a;
	free(sql("UPDATE events SET status = 'cancelled', version ="
	    " version + 1, updated = clock_timestamp() WHERE id = $1", 1, p));
	r = get("/feeds/events");
	d = feed_doc(r);
	ck_assert_ptr_nonnull(en = entry(d, a, &pos));
	ck_assert_int_eq(pos, 0);
	assert_text(en, "title", "Cancelled: Older news");
	assert_contains(en, "summary", "Cancelled. When:");
	ck_assert_ptr_nonnull(en = entry(d, b, &pos));
	ck_assert_int_eq(pos, 1);
	xmlFreeDoc(d);
	resp_free(r);
	free(a);
	free(b);
}
END_TEST

/* The value of a response header, as a malloc'd string. */
static char *
header(const struct resp *r, const char *name)
{
	const char *p = strcasestr(r->headers, name);

	if (p == NULL)
		return NULL;
	p += strlen(name);
	p += strspn(p, ": ");
	return strndup(p, strcspn(p, "\r\n"));
}

START_TEST(test_feed_answers_304_to_a_matching_etag)
{
	struct client *c = client_new(node);
	struct resp *r;
	char *etag, *again, h[200], *id;

	r = http_get(c, "/feeds/events");
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(etag = header(r, "\nETag"));
	resp_free(r);

	snprintf(h, sizeof(h), "If-None-Match: %s", etag);
	client_header(c, h);
	r = http_get(c, "/feeds/events");
	ck_assert_int_eq(r->status, 304);
	ck_assert_uint_eq(r->len, 0);
	ck_assert_ptr_nonnull(again = header(r, "\nETag"));
	ck_assert_str_eq(again, etag);
	free(again);
	resp_free(r);

	/* A list of tags, weak or not, as caches send them. */
	snprintf(h, sizeof(h), "If-None-Match: \"other\", W/%s", etag);
	client_header(c, h);
	r = http_get(c, "/feeds/events");
	ck_assert_int_eq(r->status, 304);
	resp_free(r);

	client_header(c, "If-None-Match: \"something-else\"");
	r = http_get(c, "/feeds/events");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);

	/* Any change to an event gives a new tag and the whole feed. */
	id = add_titled("Etag changer");
	node_barrier(node, "acorn_data");
	snprintf(h, sizeof(h), "If-None-Match: %s", etag);
	client_header(c, h);
	r = http_get(c, "/feeds/events");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Etag changer"));
	ck_assert_ptr_nonnull(again = header(r, "\nETag"));
	ck_assert_str_ne(again, etag);
	free(again);
	resp_free(r);
	free(id);
	free(etag);
	client_free(c);
}
END_TEST

START_TEST(test_markup_in_titles_is_shown_as_text)
{
	const char *title = "<script>alert(1)</script> & <b>bold</b>";
	struct ev e = { 0 };
	struct resp *r;
	xmlDocPtr d;
	xmlNodePtr en;
	char *id, path[128];

	e.title = title;
	e.description = "<img src=x onerror=alert(2)> [x](javascript:alert(3))";
	id = add_event(&e);
	snprintf(path, sizeof(path), "/events/%s", id);
	r = get(path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
	    "&lt;b&gt;bold&lt;/b&gt;"));
	ck_assert(!resp_has(r, "<script>alert"));
	ck_assert(!resp_has(r, "<b>bold"));
	ck_assert(!resp_has(r, "onerror"));
	ck_assert(!reader_has(r, "javascript:"));
	resp_free(r);

	r = get("/feeds/events");
	ck_assert(!reader_has(r, "<script>"));
	ck_assert(!reader_has(r, "&lt;img"));
	ck_assert(!reader_has(r, "javascript:"));
	d = feed_doc(r);
	ck_assert_ptr_nonnull(en = entry(d, id, NULL));
	assert_text(en, "title", title);	/* type text: shown as typed */
	ck_assert_ptr_null(xmlGetProp(child(en, "title"), BAD_CAST "type"));
	xmlFreeDoc(d);
	resp_free(r);

	r = get_ics(id);
	ck_assert(resp_has(r, "\r\nSUMMARY:<script>alert(1)</script> & "
	    "<b>bold</b>\r\n"));
	ck_assert(!resp_has(r, "onerror"));
	ck_assert(!reader_has(r, "javascript:"));
	resp_free(r);
	free(id);
}
END_TEST

START_TEST(test_feed_is_well_formed_whatever_the_text)
{
	/* A peer's entry may carry what no form accepts. */
	const char *title = "Bell\007 tab\t form\014 feed \357\277\276 end";
	struct resp *r;
	xmlDocPtr d;
	xmlNodePtr en;
	char *id = add_titled(title);

	r = get("/feeds/events");
	ck_assert_int_eq(r->status, 200);
	d = feed_doc(r);
	ck_assert_ptr_nonnull(en = entry(d, id, NULL));
	assert_text(en, "title", "Bell tab\t form feed  end");
	xmlFreeDoc(d);
	resp_free(r);
	r = get_ics(id);
	ck_assert_int_eq(r->status, 200);
	assert_lines_valid(r->body);
	resp_free(r);
	free(id);
}
END_TEST

START_TEST(test_pages_offer_calendar_and_feed)
{
	struct ev e = { 0 };
	struct resp *r;
	char *id, path[128], want[200];

	e.title = "Linked event";
	e.description = "# About\n\nCome *along*.";
	id = add_event(&e);
	r = get("/events");
	ck_assert_int_eq(r->status, 200);
	/* Autodiscovery for feed readers, and links people can see. */
	ck_assert(resp_has(r, "<link rel=\"alternate\" "
	    "type=\"application/atom+xml\""));
	ck_assert(resp_has(r, "<a href=\"/events.ics\">Subscribe to these "
	    "events in your calendar</a>"));
	ck_assert(resp_has(r, "<a href=\"/feeds/events\" "
	    "type=\"application/atom+xml\">Events news feed</a>"));
	resp_free(r);
	r = get("/events?region=North+West&kind=regional_meeting");
	ck_assert(resp_has(r, "href=\"/events.ics?region=North%20West&amp;"
	    "kind=regional_meeting\""));
	resp_free(r);
	r = get("/events?region=Atlantis");
	ck_assert(resp_has(r, "href=\"/events.ics\""));
	resp_free(r);

	snprintf(path, sizeof(path), "/events/%s", id);
	r = get(path);
	snprintf(want, sizeof(want), "<a href=\"/events/%s.ics\">Add to your "
	    "calendar<span class=\"visually-hidden\">: <span>Linked event"
	    "</span></span></a>", id);
	ck_assert(resp_has(r, want));
	/* The description is CommonMark, its heading below the page's. */
	ck_assert(resp_has(r, "<h2>About</h2>"));
	ck_assert(resp_has(r, "<em>along</em>"));
	resp_free(r);
	free(id);
}
END_TEST

/* A document written through the pages by the coordinator. */
static void
add_document(const char *slug, const char *title, const char *tags,
    const char *body)
{
	struct client *co = client_new(node);
	struct resp *r;

	ck_assert(sign_in(co, COORD, coord_pw));
	r = form_post(co, "/library/new", "/library/new", "title", title,
	    "slug", slug, "category", "toolkit", "tags", tags, "body", body,
	    "summary", "First draft by the coordinator", NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	client_free(co);
}

/* The id of the document at slug. */
static char *
document_id(const char *slug)
{
	const char *p[1] = { slug };
	char *id = sql("SELECT id FROM documents WHERE slug = $1", 1, p);

	ck_assert_ptr_nonnull(id);
	return id;
}

struct outcome {
	const char	*outcome;
	const char	*measure;
	const char	*direction;
	const char	*figure;
};

struct eval {
	const char	*title;
	const char	*region;	/* North West unless set */
	const char	*year;		/* 2023 unless set */
	const char	*design;	/* rct unless set */
	const char	*sample_size;
	const char	*follow_up;
	const char	*summary;	/* "Findings." unless set */
	struct outcome	 out[2];
};

/*
 * Saves e as evaluation id through the schema's own save, as the
 * evidence pages do: base 0 creates it, base N saves over revision N.
 */
static void
save_evaluation(const char *id, const char *base, const struct eval *e)
{
	const char *p[17];
	char *n;
	int i;

	p[0] = id;
	p[1] = base;
	p[2] = e->title;
	p[3] = e->region ? e->region : "North West";
	p[4] = e->year ? e->year : "2023";
	p[5] = e->design ? e->design : "rct";
	p[6] = e->sample_size;
	p[7] = e->follow_up;
	p[8] = e->summary ? e->summary : "Findings.";
	for (i = 0; i < 2; i++) {
		p[9 + i * 4] = e->out[i].outcome;
		p[10 + i * 4] = e->out[i].measure;
		p[11 + i * 4] = e->out[i].direction;
		p[12 + i * 4] = e->out[i].figure;
	}
	n = sql("SELECT acorn_evaluation_save($1::uuid, (SELECT id FROM node),"
	    " $2::integer, jsonb_build_object('title', $3::text, 'scheme',"
	    " 'Feeds scheme', 'area', 'Feeds area', 'region', $4::text,"
	    " 'year', $5::integer, 'design', $6::text,"
	    " 'sample_size', $7::integer, 'follow_up', $8::integer,"
	    " 'summary', $9::text, 'outcomes', (SELECT"
	    " coalesce(jsonb_agg(jsonb_build_object('outcome', o, 'measure', m,"
	    " 'direction', d, 'figure', f) ORDER BY k), '[]'::jsonb)"
	    " FROM (VALUES (1, $10::text, $11::text, $12::text, $13::text),"
	    " (2, $14::text, $15::text, $16::text, $17::text))"
	    " AS v (k, o, m, d, f) WHERE o IS NOT NULL)),"
	    " NULL, 'Tester', 'saved', NULL)", 17, p);
	ck_assert_msg(n != NULL, "the evaluation was not saved");
	free(n);
}

static char *
add_evaluation(const struct eval *e)
{
	char *id = sql("SELECT gen_random_uuid()", 0, NULL);

	ck_assert_ptr_nonnull(id);
	save_evaluation(id, "0", e);
	return id;
}

/* The categories of entry en as "term|label|scheme" lines. */
static char *
categories(xmlNodePtr en)
{
	xmlNodePtr n;
	char *out = strdup(""), *t, *l, *s, *more;

	for (n = en->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, "category") != 0)
			continue;
		t = attr(n, "term");
		l = attr(n, "label");
		s = attr(n, "scheme");
		ck_assert_int_ne(asprintf(&more, "%s%s|%s|%s\n", out, t, l, s),
		    -1);
		free(out);
		out = more;
		free(t);
		free(l);
		free(s);
	}
	return out;
}

START_TEST(test_documents_feed_entry_has_title_link_and_body_once)
{
	struct resp *r;
	xmlDocPtr d;
	xmlNodePtr root, en, n;
	char *id, *s, *pub, *upd;
	int pos = -1;

	add_document("referral-pathway", "Referral pathway toolkit",
	    "Loneliness, older people", "## Steps\n\n*Refer* early, then "
	    "[follow up](https://example.org/follow).\n");
	id = document_id("referral-pathway");
	r = get("/feeds/documents");
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r,
	    "Content-Type: application/atom+xml; charset=utf-8"));
	ck_assert(header_has(r, "ETag: \""));
	/* Members' names and edit summaries stay on the node. */
	ck_assert(!resp_has(r, "Test Coordinator"));
	ck_assert(!resp_has(r, "First draft by the coordinator"));
	d = feed_doc(r);
	root = xmlDocGetRootElement(d);
	assert_text(root, "id", PUBLIC "/feeds/documents");
	assert_text(root, "title", "Feeds node: library documents");
	ck_assert_ptr_nonnull(n = child(root, "author"));
	assert_text(n, "name", "Feeds node");
	for (n = root->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, "link") == 0) {
			s = attr(n, "rel");
			ck_assert(strcmp(s, "self") == 0 ||
			    strcmp(s, "alternate") == 0);
			free(s);
			s = attr(n, "href");
			ck_assert(strcmp(s, PUBLIC "/feeds/documents") == 0 ||
			    strcmp(s, PUBLIC "/library") == 0);
			free(s);
		}

	ck_assert_ptr_nonnull(en = entry(d, id, &pos));
	ck_assert_int_eq(pos, 0);
	assert_text(en, "title", "Referral pathway toolkit");
	ck_assert_ptr_null(child(en, "author"));
	ck_assert_ptr_null(child(en, "summary"));
	pub = child_text(en, "published");
	upd = child_text(en, "updated");
	ck_assert_int_eq(strlen(pub), 20);
	ck_assert_str_le(pub, upd);
	free(pub);
	free(upd);
	n = child(en, "link");
	s = attr(n, "rel");
	ck_assert_str_eq(s, "alternate");
	free(s);
	s = attr(n, "href");
	ck_assert_str_eq(s, PUBLIC "/library/referral-pathway");
	free(s);
	/* The category with its label, and each tag, told apart by scheme. */
	s = categories(en);
	ck_assert_str_eq(s,
	    "toolkit|Toolkits|" PUBLIC "/library?category=\n"
	    "loneliness||" PUBLIC "/library?tag=\n"
	    "older people||" PUBLIC "/library?tag=\n");
	free(s);
	/*
	 * The body travels once, as the Markdown it is: the content, as
	 * text, and not again in the record.
	 */
	n = child(en, "content");
	ck_assert_ptr_nonnull(n);
	s = attr(n, "type");
	ck_assert_str_eq(s, "text");
	free(s);
	assert_text(en, "content", "## Steps\n\n*Refer* early, then "
	    "[follow up](https://example.org/follow).");
	ck_assert(!resp_has(r, "<acorn:body>"));
	ck_assert(!resp_has(r, "&lt;h3&gt;"));
	xmlFreeDoc(d);
	resp_free(r);
	free(id);
}
END_TEST

START_TEST(test_documents_feed_shows_markup_as_text)
{
	const char *title = "<script>alert(1)</script> & <b>bold</b>";
	struct resp *r;
	xmlDocPtr d;
	xmlNodePtr en;
	char *id, *s;

	add_document("markup-in-document", title, "", "Type `<b>x</b>` to "
	    "embolden.\n\n<script>alert(2)</script>\n\n<img src=x "
	    "onerror=alert(3)> [x](javascript:alert(4))");
	id = document_id("markup-in-document");
	r = get("/feeds/documents");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!reader_has(r, "<script"));
	ck_assert(!reader_has(r, "<b>"));
	ck_assert(!reader_has(r, "<img"));
	d = feed_doc(r);
	ck_assert_ptr_nonnull(en = entry(d, id, NULL));
	assert_text(en, "title", title);	/* type text: shown as typed */
	ck_assert_ptr_null(xmlGetProp(child(en, "title"), BAD_CAST "type"));
	/*
	 * The body is text too: a reader shows the markup as the
	 * characters typed, and nothing in it is HTML to run.
	 */
	s = attr(child(en, "content"), "type");
	ck_assert_str_eq(s, "text");
	free(s);
	assert_text(en, "content", "Type `<b>x</b>` to embolden.\n\n"
	    "<script>alert(2)</script>\n\n<img src=x onerror=alert(3)> "
	    "[x](javascript:alert(4))");
	xmlFreeDoc(d);
	resp_free(r);
	free(id);
}
END_TEST

START_TEST(test_documents_feed_leaves_out_deleted_documents)
{
	struct resp *r;
	xmlDocPtr d;
	char *kept, *gone;

	add_document("kept-guide", "Kept guide", "", "Still here.");
	add_document("withdrawn-guide", "Withdrawn guide", "", "Gone soon.");
	kept = document_id("kept-guide");
	gone = document_id("withdrawn-guide");
	/* Deleted as its origin's tombstone would delete it. */
	free(sql("UPDATE documents SET deleted = true, version = version + 1,"
	    " updated = clock_timestamp() WHERE slug = 'withdrawn-guide'", 0,
	    NULL));
	r = get("/feeds/documents");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, gone));
	ck_assert(!resp_has(r, "Withdrawn guide"));
	ck_assert(!resp_has(r, "Gone soon"));
	d = feed_doc(r);
	ck_assert_ptr_nonnull(entry(d, kept, NULL));
	ck_assert_ptr_null(entry(d, gone, NULL));
	xmlFreeDoc(d);
	resp_free(r);
	free(kept);
	free(gone);
}
END_TEST

/*
 * path answers 304 to its own ETag until change(arg) runs, then 200 with
 * a new ETag and a body holding want.
 */
static void
assert_304_until_changed(const char *path, void (*change)(const char *),
    const char *arg, const char *want)
{
	struct client *c = client_new(node);
	struct resp *r;
	char *etag, *again, h[200];

	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(etag = header(r, "\nETag"));
	ck_assert(!resp_has(r, want));
	resp_free(r);
	snprintf(h, sizeof(h), "If-None-Match: %s", etag);
	client_header(c, h);
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 304);
	ck_assert_uint_eq(r->len, 0);
	ck_assert_ptr_nonnull(again = header(r, "\nETag"));
	ck_assert_str_eq(again, etag);
	free(again);
	resp_free(r);

	change(arg);
	node_barrier(node, "acorn_data");
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, want));
	ck_assert_ptr_nonnull(again = header(r, "\nETag"));
	ck_assert_str_ne(again, etag);
	free(again);
	resp_free(r);
	free(etag);
	client_free(c);
}

static void
retitle_document(const char *slug)
{
	const char *p[1] = { slug };

	free(sql("UPDATE documents SET title = 'Etag guide, second edition',"
	    " version = version + 1, updated = clock_timestamp()"
	    " WHERE slug = $1", 1, p));
}

START_TEST(test_documents_feed_answers_304_until_a_document_changes)
{
	add_document("etag-guide", "Etag guide", "", "First edition.");
	assert_304_until_changed("/feeds/documents", retitle_document,
	    "etag-guide", "Etag guide, second edition");
}
END_TEST

START_TEST(test_evaluations_feed_entry_has_summary_and_outcomes)
{
	struct eval e = { 0 };
	struct resp *r;
	xmlDocPtr d;
	xmlNodePtr root, en, n;
	char *full, *sparse, *s, *lines, want[160];
	const char *tail;
	int pos = -1;

	e.title = "Sparse evaluation";
	e.region = "London";
	e.year = "2019";
	e.design = "qualitative";
	sparse = add_evaluation(&e);
	e.title = "Full evaluation";
	e.region = NULL;
	e.year = NULL;
	e.design = NULL;
	e.sample_size = "240";
	e.follow_up = "12";
	e.summary = "## Method\n\nA *randomised* trial.";
	/* Given out of order: the feed keeps the form's order. */
	e.out[0] = (struct outcome){ "wellbeing", "WEMWBS", "improved",
	    "+4.1 points" };
	e.out[1] = (struct outcome){ "gp_consultations", "", "no_change",
	    "" };
	full = add_evaluation(&e);

	r = get("/feeds/evaluations");
	ck_assert_int_eq(r->status, 200);
	ck_assert(header_has(r,
	    "Content-Type: application/atom+xml; charset=utf-8"));
	ck_assert(!resp_has(r, "Tester"));
	d = feed_doc(r);
	root = xmlDocGetRootElement(d);
	assert_text(root, "id", PUBLIC "/feeds/evaluations");
	assert_text(root, "title", "Feeds node: evaluations");

	ck_assert_ptr_nonnull(en = entry(d, full, &pos));
	ck_assert_int_eq(pos, 0);
	assert_text(en, "title", "Full evaluation");
	ck_assert_ptr_nonnull(child(en, "updated"));
	ck_assert_ptr_nonnull(child(en, "published"));
	s = attr(child(en, "link"), "href");
	snprintf(want, sizeof(want), PUBLIC "/evidence/%s", full);
	ck_assert_str_eq(s, want);
	free(s);
	s = attr(child(en, "category"), "term");
	ck_assert_str_eq(s, "rct");
	free(s);
	s = attr(child(en, "category"), "scheme");
	ck_assert_str_eq(s, PUBLIC "/evidence?design=");
	free(s);
	/* The design's name is evidence.c's; its code stands in without. */
	s = child_text(en, "summary");
	tail = ", 2023, North West, 240 participants, 12 months' follow-up";
	ck_assert_msg(strlen(s) > strlen(tail) &&
	    strcmp(s + strlen(s) - strlen(tail), tail) == 0, "summary %s", s);
	ck_assert_msg(strncmp(s, "rct,", 4) == 0 ||
	    strncmp(s, "Randomised controlled trial,", 28) == 0,
	    "summary %s", s);
	free(s);
	n = child(en, "content");
	s = attr(n, "type");
	ck_assert_str_eq(s, "html");
	free(s);
	assert_contains(en, "content", "<h3>Method</h3>");
	assert_contains(en, "content", "A <em>randomised</em> trial.");
	lines = child_text(en, "content");
	ck_assert_ptr_nonnull(s = strstr(lines, "<li>"));
	ck_assert_msg(strstr(s, ": ") != NULL && strstr(s,
	    " (WEMWBS): ") != NULL && strstr(s, ", +4.1 points</li>") !=
	    NULL, "outcomes %s", s);
	/* GP consultations come before wellbeing, as on the form. */
	ck_assert_ptr_nonnull(strstr(s, "</li><li>"));
	ck_assert(strstr(s, "WEMWBS") > strstr(s, "</li><li>"));
	free(lines);

	ck_assert_ptr_nonnull(en = entry(d, sparse, &pos));
	ck_assert_int_eq(pos, 1);
	s = child_text(en, "summary");
	ck_assert_msg(strlen(s) > 14 &&
	    strcmp(s + strlen(s) - 14, ", 2019, London") == 0, "summary %s",
	    s);
	free(s);
	s = child_text(en, "content");
	ck_assert_ptr_null(strstr(s, "<li>"));
	free(s);
	xmlFreeDoc(d);
	resp_free(r);
	free(full);
	free(sparse);
}
END_TEST

START_TEST(test_evaluations_feed_shows_markup_as_text)
{
	const char *title = "<script>alert(1)</script> & <b>bold</b>";
	struct eval e = { 0 };
	struct resp *r;
	xmlDocPtr d;
	xmlNodePtr en;
	char *id, *s;

	e.title = title;
	e.summary = "<script>alert(2)</script> Found <img src=x "
	    "onerror=alert(3)>.";
	e.out[0] = (struct outcome){ "loneliness", "<i>UCLA</i> & <script>",
	    "worse", "<b>-2</b>" };
	id = add_evaluation(&e);
	r = get("/feeds/evaluations");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!reader_has(r, "<script"));
	ck_assert(!reader_has(r, "<b>"));
	ck_assert(!reader_has(r, "<i>"));
	ck_assert(!reader_has(r, "&lt;img"));
	d = feed_doc(r);
	ck_assert_ptr_nonnull(en = entry(d, id, NULL));
	assert_text(en, "title", title);
	/* In the HTML a reader shows, what was typed is text. */
	assert_contains(en, "content", " (&lt;i&gt;UCLA&lt;/i&gt; &amp; "
	    "&lt;script&gt;): ");
	assert_contains(en, "content", ", &lt;b&gt;-2&lt;/b&gt;</li>");
	s = child_text(en, "content");
	ck_assert_ptr_null(strstr(s, "<script"));
	ck_assert_ptr_null(strstr(s, "<i>"));
	ck_assert_ptr_null(strstr(s, "<b>"));
	ck_assert_ptr_null(strstr(s, "<img"));
	ck_assert_ptr_null(strstr(s, "onerror"));
	free(s);
	xmlFreeDoc(d);
	resp_free(r);
	free(id);
}
END_TEST

START_TEST(test_evaluations_feed_leaves_out_deleted_evaluations)
{
	struct eval e = { 0 };
	const char *p[1];
	struct resp *r;
	xmlDocPtr d;
	char *kept, *gone;

	e.title = "Kept evaluation";
	kept = add_evaluation(&e);
	e.title = "Withdrawn evaluation";
	gone = add_evaluation(&e);
	p[0] = gone;
	free(sql("UPDATE evaluations SET deleted = true, version ="
	    " version + 1, updated = clock_timestamp() WHERE id = $1", 1, p));
	r = get("/feeds/evaluations");
	ck_assert_int_eq(r->status, 200);
	ck_assert(!resp_has(r, gone));
	ck_assert(!resp_has(r, "Withdrawn evaluation"));
	d = feed_doc(r);
	ck_assert_ptr_nonnull(entry(d, kept, NULL));
	ck_assert_ptr_null(entry(d, gone, NULL));
	xmlFreeDoc(d);
	resp_free(r);
	free(kept);
	free(gone);
}
END_TEST

/* A new revision that changes nothing but an outcome's figure. */
static void
refigure_evaluation(const char *id)
{
	struct eval e = { 0 };

	e.title = "Etag evaluation";
	e.out[0] = (struct outcome){ "wellbeing", "WEMWBS", "improved",
	    "+6.5 points" };
	save_evaluation(id, "1", &e);
}

START_TEST(test_evaluations_feed_answers_304_until_an_outcome_changes)
{
	struct eval e = { 0 };
	char *id;

	e.title = "Etag evaluation";
	e.out[0] = (struct outcome){ "wellbeing", "WEMWBS", "improved",
	    "+4.1 points" };
	id = add_evaluation(&e);
	assert_304_until_changed("/feeds/evaluations", refigure_evaluation,
	    id, "+6.5 points");
	free(id);
}
END_TEST

START_TEST(test_pages_offer_documents_and_evaluations_feeds)
{
	struct resp *r;

	r = get("/library");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "<link rel=\"alternate\" type=\"application/"
	    "atom+xml\" title=\"Library documents (Atom feed)\" href=\""
	    "/feeds/documents\">"));
	ck_assert(resp_has(r, "<link rel=\"alternate\" type=\"application/"
	    "atom+xml\" title=\"Evaluations (Atom feed)\" href=\""
	    "/feeds/evaluations\">"));
	resp_free(r);
}
END_TEST

Suite *
feeds_suite(void)
{
	Suite *s = suite_create("feeds");
	TCase *tc = tcase_create("feeds");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_event_ics_is_a_calendar_with_its_event);
	tcase_add_test(tc,
	    test_every_feed_links_to_its_page_and_says_what_it_is);
	tcase_add_test(tc, test_summer_times_are_converted_to_utc);
	tcase_add_test(tc, test_drafts_are_never_in_a_calendar);
	tcase_add_test(tc, test_unknown_or_malformed_calendar_is_404);
	tcase_add_test(tc, test_event_pages_still_answer_beside_calendars);
	tcase_add_test(tc, test_calendar_of_upcoming_events_follows_filters);
	tcase_add_test(tc, test_difficult_title_is_escaped_and_folded);
	tcase_add_test(tc, test_atom_feed_has_the_right_entries);
	tcase_add_test(tc, test_feed_newest_change_first_and_cancellation_shown);
	tcase_add_test(tc, test_feed_answers_304_to_a_matching_etag);
	tcase_add_test(tc, test_markup_in_titles_is_shown_as_text);
	tcase_add_test(tc, test_feed_is_well_formed_whatever_the_text);
	tcase_add_test(tc, test_pages_offer_calendar_and_feed);
	tcase_add_test(tc,
	    test_documents_feed_entry_has_title_link_and_body_once);
	tcase_add_test(tc, test_documents_feed_shows_markup_as_text);
	tcase_add_test(tc, test_documents_feed_leaves_out_deleted_documents);
	tcase_add_test(tc,
	    test_documents_feed_answers_304_until_a_document_changes);
	tcase_add_test(tc,
	    test_evaluations_feed_entry_has_summary_and_outcomes);
	tcase_add_test(tc, test_evaluations_feed_shows_markup_as_text);
	tcase_add_test(tc,
	    test_evaluations_feed_leaves_out_deleted_evaluations);
	tcase_add_test(tc,
	    test_evaluations_feed_answers_304_until_an_outcome_changes);
	tcase_add_test(tc, test_pages_offer_documents_and_evaluations_feeds);
	suite_add_tcase(s, tc);
	return s;
}
