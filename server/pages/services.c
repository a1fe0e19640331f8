/*
 * The directory of services: what link workers refer people to, found
 * by need, by how people take part and get in, by age, day and cost,
 * each listing saying how fresh it is.  Coordinators and an
 * organisation's managers edit its listings and confirm they are still
 * right; every change keeps a revision.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define PAGE_SIZE	20
#define MAX_LANGUAGES	30
#define MAX_PLACES	20	/* services.locations holds as many */

/* The review stage (acorn_review_stage) on a listing. */
void
service_stage_view(struct view *v, const char *stage)
{
	view_flag(v, "due", *stage == '1');
	view_flag(v, "overdue", *stage == '2');
}

/* The labels of space-separated codes, as a list of "label"s. */
static void
codes_view(struct view *v, const char *list, const char *text,
    const char *const *codes, const char *const *labels)
{
	struct view *c;
	const char *p, *label;
	char code[32];
	size_t n;

	for (p = text; p != NULL && *p != '\0'; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 0 || n >= sizeof(code))
			continue;
		memcpy(code, p, n);
		code[n] = '\0';
		if ((label = code_label(codes, labels, code)) != NULL &&
		    (c = view_add(v, list)) != NULL)
			view_set(c, "label", label);
	}
}

/* Lines of text as a list of "text"s. */
void
service_lines_view(struct view *v, const char *list, const char *text)
{
	struct view *c;
	const char *p;
	size_t n;
	char *line;

	for (p = text; p != NULL && *p != '\0'; p += n + (p[n] != '\0')) {
		n = strcspn(p, "\n");
		if (n == 0 || (c = view_add(v, list)) == NULL)
			continue;
		if ((line = strndup(p, n)) != NULL)
			view_set(c, "text", line);
		free(line);
	}
}

/* The vocabulary of needs and activities, as list "needs". */
static const char terms_query[] =
    "SELECT t.code, t.name || coalesce(' (' || CASE WHEN t.origin IS NOT"
    " NULL THEN coalesce(k.name, 'another node') END || ')', ''),"
    " t.description FROM taxonomy_terms t"
    " LEFT JOIN known_nodes k ON k.id = t.origin"
    " ORDER BY lower(t.name), t.id";

enum { TT_CODE, TT_NAME, TT_DESCRIPTION };

/*
 * The needs and activities as list (for a select, or checkboxes ticked
 * when chosen holds their code).  -1 when the database failed.
 */
static int
needs_view(struct request *r, struct view *v, const char *list,
    const char *chosen)
{
	struct view *c;
	PGresult *res;
	int i;

	if ((res = db_query(r->db, PGRES_TUPLES_OK, terms_query, 0,
	    NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		if ((c = view_add(v, list)) != NULL) {
			view_set(c, "code", PQgetvalue(res, i, TT_CODE));
			view_set(c, "label", PQgetvalue(res, i, TT_NAME));
			view_set(c, "hint", PQgetvalue(res, i, TT_DESCRIPTION));
			view_setf(c, "input_id", "%s-%s", list,
			    PQgetvalue(res, i, TT_CODE));
			view_flag(c, "checked", util_has_word(chosen,
			    PQgetvalue(res, i, TT_CODE)));
		}
	PQclear(res);
	return 0;
}

/*
 * Whether place l may be a place of listing svc of organisation org:
 * one of the organisation's, or one the listing has already (an
 * imported listing's, say).
 */
#define PLACE_MAY_BE(org, svc) \
    " NOT l.deleted AND (l.organisation = " org "::uuid OR l.id = ANY" \
    " (SELECT unnest(s.locations) FROM services s WHERE s.id = " svc \
    "::uuid))"

/* The places a listing may be at: $1 its organisation, $2 the listing. */
static const char choices_query[] =
    "SELECT l.id, l.name, concat_ws(', ', nullif(l.address_1, ''),"
    " nullif(l.city, ''), nullif(l.postal_code, ''))"
    " FROM locations l WHERE" PLACE_MAY_BE("$1", "$2")
    " ORDER BY lower(l.name), l.id LIMIT 200";

/*
 * The places listing id (NULL: a new one) of organisation org may be
 * at, as checkboxes "place_choices" ticked when chosen (space-separated
 * ids; the form's when it was sent) holds them.  -1 when the database
 * failed.
 */
static int
places_view(struct request *r, struct view *v, const char *org,
    const char *id, const char *chosen)
{
	const char *p[2] = { org, id };
	struct view *c;
	PGresult *res;
	int i;

	if (r->method == METHOD_POST)
		chosen = r->form.f[KEY_LOCATIONS].text;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, choices_query, 2,
	    p)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		if ((c = view_add(v, "place_choices")) != NULL) {
			view_set(c, "code", PQgetvalue(res, i, 0));
			view_set(c, "label", PQgetvalue(res, i, 1));
			view_set(c, "hint", PQgetvalue(res, i, 2));
			view_setf(c, "input_id", "place-%s", PQgetvalue(res,
			    i, 0));
			view_flag(c, "checked", util_has_word(chosen,
			    PQgetvalue(res, i, 0)));
		}
	view_flag(v, "no_places", PQntuples(res) == 0);
	PQclear(res);
	return 0;
}

/*
 * GET /services: the listings a search finds.  $1 words, $2 a need's
 * code, $3 ways of taking part and $4 of getting in (any of them,
 * space-separated), $5 free only ('t'), $6 a person's age, $7 a day
 * code and $8 a time it must be open then, $9 the region a listing
 * comes from, $10 the review cycle, $11 the order, $12 and $13 the
 * page.  Words also find the listings of a need whose glossary entry
 * they find (a search for "companionship" finds befriending when the
 * glossary calls it that).  Listings closed for good are left out;
 * those past their review come after the others.
 */
static const char list_query[] =
    "WITH q AS (SELECT CASE WHEN $1 = '' THEN NULL"
    "  ELSE acorn_prefix_query($1) END AS words),"
    " glossed AS (SELECT coalesce(array_agg(t.id), '{}') AS ids"
    "  FROM q, glossary_terms g, taxonomy_terms t"
    "  WHERE q.words IS NOT NULL AND NOT g.deleted AND g.search @@ q.words"
    "  AND to_tsvector('simple', t.name) @@"
    "   plainto_tsquery('simple', g.term))"
    /* The page's rows are found first; what only they show (their
       next opening, freshness, needs) is worked out for them alone. */
    " , page AS (SELECT s.id AS sid, near.km, count(*) OVER () AS total,"
    "  row_number() OVER (ORDER BY acorn_review_stage(s.assured_date,"
    "  $10::integer, " SQL_LONDON_DATE("now()") ") = 2,"
    "  near.km NULLS LAST,"
    "  CASE WHEN $11 = 'fresh' THEN"
    "   coalesce(s.assured_date, '-infinity') END DESC NULLS LAST,"
    "  CASE WHEN $11 = '' AND q.words IS NOT NULL THEN"
    "   ts_rank(s.search, q.words) END DESC NULLS LAST,"
    "  lower(s.name), s.id) AS at"
    " FROM services s CROSS JOIN q CROSS JOIN glossed"
    " LEFT JOIN LATERAL (SELECT min(acorn_distance_km($14::float8,"
    "  $15::float8, coalesce(l.latitude, p.latitude, d.latitude),"
    "  coalesce(l.longitude, p.longitude, d.longitude))) AS km"
    "  FROM locations l LEFT JOIN postcodes p"
    "  ON p.postcode = l.postal_code LEFT JOIN postcode_districts d"
    "  ON d.outcode = split_part(l.postal_code, ' ', 1)"
    "  WHERE $14 IS NOT NULL AND l.id = ANY (s.locations)"
    "  AND NOT l.deleted) near ON true" SQL_KNOWN("s")
    " WHERE NOT s.deleted AND s.status <> 'defunct'"
    " AND (q.words IS NULL OR s.search @@ q.words OR s.terms && glossed.ids)"
    " AND ($2 = '' OR s.terms @> ARRAY[(SELECT t.id FROM taxonomy_terms t"
    "  WHERE t.code = $2)])"
    " AND ($3 = '' OR s.attending && string_to_array($3, ' '))"
    " AND ($4 = '' OR s.access && string_to_array($4, ' '))"
    " AND ($5 = '' OR s.free)"
    " AND ($6 = '' OR ((s.minimum_age IS NULL OR"
    "  s.minimum_age <= $6::integer) AND (s.maximum_age IS NULL OR"
    "  s.maximum_age >= $6::integer)))"
    " AND ($7 = '' OR EXISTS (SELECT 1"
    "  FROM jsonb_array_elements(s.schedules) e"
    "  WHERE CASE WHEN e->>'freq' = 'WEEKLY'"
    "   THEN $7 = ANY (string_to_array(e->>'byday', ','))"
    "   ELSE right(e->>'byday', 2) = $7 END"
    "  AND ($8 = '' OR (e->>'opens_at' <= $8 AND e->>'closes_at' > $8))))"
    " AND ($9 = '' OR k.region = $9)"
    /* Near a postcode: its places within reach, or none at all and
       reached by phone or online. */
    " AND ($14 IS NULL OR near.km <= $16::float8 OR (near.km IS NULL"
    "  AND cardinality(s.locations) = 0"
    "  AND s.attending && ARRAY['phone', 'online']))"
    " ORDER BY at LIMIT $12::integer OFFSET $13::integer)"
    " SELECT s.id, s.name, o.name, s.status, s.description,"
    " array_to_string(s.attending, ' '),"
    " (SELECT string_agg(t.name, E'\\n' ORDER BY lower(t.name))"
    "  FROM taxonomy_terms t WHERE t.id = ANY (s.terms)), "
    SQL_FRESHNESS("s", "$10") ","
    " acorn_next_opening(s.schedules, now()), s.free,"
    " round(page.km::numeric, 1), round((page.km / 1.609344)::numeric, 1),"
    " page.total, " SQL_ORIGIN("s")
    " FROM page JOIN services s ON s.id = page.sid"
    " LEFT JOIN organisations o ON o.id = s.organisation" SQL_KNOWN("s")
    " ORDER BY page.at";

enum {
	SL_ID, SL_NAME, SL_ORG, SL_STATUS, SL_DESCRIPTION, SL_ATTENDING,
	SL_TERMS, SL_FRESHNESS, SL_STAGE, SL_NEXT, SL_FREE, SL_KM, SL_MILES,
	SL_TOTAL, SL_RECEIVED
};

/* The list's filters, in the order of its address. */
enum {
	SF_Q, SF_NEED, SF_ATTEND, SF_ACCESS, SF_FREE, SF_AGE, SF_DAY, SF_AT,
	SF_REGION, SF_SORT, SF_POSTCODE, SF_DISTANCE, SF__MAX
};
static const enum key filter_keys[SF__MAX] = {
	KEY_Q, KEY_NEED, KEY_ATTEND, KEY_ACCESS, KEY_FREE, KEY_AGE, KEY_DAY,
	KEY_AT, KEY_REGION, KEY_SORT, KEY_POSTCODE, KEY_DISTANCE
};

/* How far from a postcode a search may reach, in kilometres. */
static const char *const distance_codes[] = {
	"1", "2", "5", "10", "25", "50", NULL
};
static const char *const distance_labels[] = {
	"1 km (half a mile)", "2 km (1 mile)", "5 km (3 miles)",
	"10 km (6 miles)", "25 km (15 miles)", "50 km (30 miles)", NULL
};
#define DISTANCE_DEFAULT	"5"

/*
 * The list's address with every filter but skip (SF__MAX: all), for
 * the links that remove one.  NULL when memory ran out.
 */
static char *
filter_href(const char *const vals[SF__MAX], int skip)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	const char *p, *w;
	char *enc;
	size_t n;
	int i;

	strbuf_str(&b, "/services");
	for (i = 0; i < SF__MAX; i++) {
		if (i == skip || vals[i] == NULL)
			continue;
		/* Checkbox groups go back as one field per word. */
		for (p = vals[i]; *p != '\0'; p += n) {
			p += strspn(p, " ");
			n = i == SF_ATTEND || i == SF_ACCESS ? strcspn(p, " ") :
			    strlen(p);
			if (n == 0)
				break;
			if ((w = strndup(p, n)) == NULL ||
			    (enc = util_url_encode(w)) == NULL) {
				free((char *)w);
				strbuf_free(&b);
				return NULL;
			}
			strbuf_str(&b, b.len == 9 ? "?" : "&");
			strbuf_str(&b, form_key_name(filter_keys[i]));
			strbuf_str(&b, "=");
			strbuf_str(&b, enc);
			free(enc);
			free((char *)w);
		}
	}
	return b.failed ? (strbuf_free(&b), NULL) : strbuf_take(&b);
}

/* The words a filter shows as in the summary: "need Befriending". */
static char *
filter_words(int i, const char *val, const char *need_name)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	const char *p, *label;
	char code[32];
	size_t n;

	switch (i) {
	case SF_Q:
		return util_printf("search \u201c%s\u201d", val);
	case SF_NEED:
		return util_printf("need %s", need_name != NULL ? need_name :
		    val);
	case SF_FREE:
		return util_strdup("free only");
	case SF_AGE:
		return util_printf("age %s", val);
	case SF_DAY:
		label = code_label(weekday_codes, weekday_labels, val);
		return util_printf("open %s", label != NULL ? label : val);
	case SF_AT:
		return util_printf("open at %s", val);
	case SF_REGION:
		return util_printf("region %s", val);
	case SF_SORT:
		return util_strdup("most recently checked first");
	case SF_POSTCODE:
		return util_printf("near %s", val);
	case SF_DISTANCE:
		return util_printf("within %s km", val);
	}
	strbuf_str(&b, i == SF_ATTEND ? "taking part " : "getting in ");
	for (p = val; *p != '\0'; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 0 || n >= sizeof(code))
			break;
		memcpy(code, p, n);
		code[n] = '\0';
		label = i == SF_ATTEND ?
		    code_label(attending_codes, attending_labels, code) :
		    code_label(access_codes, access_labels, code);
		if (label == NULL)
			continue;
		if (b.len > 12)
			strbuf_str(&b, " or ");
		strbuf_str(&b, label);
	}
	return strbuf_take(&b);
}

/* "Showing 12 services: need Befriending, open Tuesday", with removers. */
static void
list_summary(struct view *v, const char *const vals[SF__MAX], long total,
    const char *need_name)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	struct view *item;
	char *words, *href;
	int i, any = 0;

	for (i = 0; i < SF__MAX; i++) {
		if (vals[i] == NULL ||
		    (words = filter_words(i, vals[i], need_name)) == NULL)
			continue;
		strbuf_str(&b, any ? ", " : ": ");
		strbuf_str(&b, words);
		any = 1;
		if ((item = view_add(v, "applied")) != NULL &&
		    (href = filter_href(vals, i)) != NULL) {
			view_set(item, "remove_text", words);
			view_set(item, "remove_href", href);
			free(href);
		}
		free(words);
	}
	view_setf(v, "showing", "Showing %ld %s%s", total,
	    total == 1 ? "service" : "services", b.len > 0 && !b.failed ?
	    b.p : "");
	strbuf_free(&b);
}

/*
 * Where postcode pc is, as text into lat and lon (empty when unknown,
 * which v is told beside the field; when only its district is known, v
 * says distances are from the district's middle).  -1 when the
 * database failed.
 */
static int
postcode_place(struct request *r, struct view *v, const char *pc,
    char lat[32], char lon[32])
{
	const char *p[1] = { pc };
	PGresult *res;

	*lat = *lon = '\0';
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT latitude,"
	    " longitude, exact FROM acorn_postcode_point($1)", 1, p)) == NULL)
		return -1;
	if (PQntuples(res) == 0)
		view_setf(v, "postcode_unknown", "We do not know where %s is, "
		    "so the results are not narrowed by distance. Check the "
		    "postcode, or try a nearby one.", pc);
	else {
		snprintf(lat, 32, "%s", PQgetvalue(res, 0, 0));
		snprintf(lon, 32, "%s", PQgetvalue(res, 0, 1));
		if (*PQgetvalue(res, 0, 2) != 't')
			view_setf(v, "postcode_district", "We could not find "
			    "%s exactly, so distances are from the middle of "
			    "the %.*s area.", pc, (int)strcspn(pc, " "), pc);
	}
	PQclear(res);
	return 0;
}

int
services_list(struct request *r)
{
	const char *vals[SF__MAX], *p[16], *need_name = NULL;
	struct view *v, *s;
	struct pager pg;
	PGresult *res;
	char cycle[16], pc[POSTCODE_LEN + 1], lat[32], lon[32], *here;
	int i, n;

	/*
	 * A choice not on the page's lists is a hand-made address; a
	 * postcode is typed, and one that is not is said so beside it.
	 */
	for (i = 0; i < SF__MAX; i++) {
		if (r->form.f[filter_keys[i]].error && i != SF_POSTCODE)
			return http_error(r, 400);
		vals[i] = r->form.f[filter_keys[i]].error ? NULL :
		    r->form.f[filter_keys[i]].text;
		if (vals[i] != NULL && *vals[i] == '\0')
			vals[i] = NULL;
	}
	if ((vals[SF_DAY] != NULL &&
	    code_index(weekday_codes, vals[SF_DAY]) == -1) ||
	    (vals[SF_SORT] != NULL && strcmp(vals[SF_SORT], "fresh") != 0) ||
	    (vals[SF_DISTANCE] != NULL &&
	    code_index(distance_codes, vals[SF_DISTANCE]) == -1))
		return http_error(r, 400);
	if (vals[SF_FREE] != NULL && r->form.f[KEY_FREE].num != 1)
		vals[SF_FREE] = NULL;
	pager_init(&pg, r, PAGE_SIZE);
	if ((v = page_view(r, "Find a service")) == NULL)
		return http_error(r, 500);
	if (needs_view(r, v, "needs", NULL) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	view_regions(v);
	view_checkboxes(v, "attend_choices", attending_codes, attending_labels,
	    vals[SF_ATTEND]);
	view_checkboxes(v, "access_choices", access_codes, access_labels,
	    vals[SF_ACCESS]);
	view_codes(v, "days", weekday_codes, weekday_labels);
	view_set(v, "v_q", vals[SF_Q]);
	view_set(v, "v_need", vals[SF_NEED]);
	view_set(v, "v_age", vals[SF_AGE]);
	view_set(v, "v_day", vals[SF_DAY]);
	view_set(v, "v_at", vals[SF_AT]);
	view_set(v, "v_region", vals[SF_REGION]);
	view_set(v, "v_sort", vals[SF_SORT]);
	view_flag(v, "v_free", vals[SF_FREE] != NULL);
	view_codes(v, "distances", distance_codes, distance_labels);
	view_set(v, "v_distance", vals[SF_DISTANCE] != NULL ?
	    vals[SF_DISTANCE] : DISTANCE_DEFAULT);
	view_set(v, "v_postcode", r->form.f[KEY_POSTCODE].error ?
	    r->form.f[KEY_POSTCODE].shown : vals[SF_POSTCODE]);
	p[13] = p[14] = NULL;
	if (r->form.f[KEY_POSTCODE].error)
		view_error(v, "postcode", "Enter a full UK postcode, like "
		    "M1 1AE");
	else if (vals[SF_POSTCODE] != NULL &&
	    postcode_normal(vals[SF_POSTCODE], pc) == 0) {
		if (postcode_place(r, v, pc, lat, lon) == -1) {
			view_free(v);
			return http_error(r, 503);
		}
		if (*lat != '\0') {
			p[13] = lat;
			p[14] = lon;
			vals[SF_POSTCODE] = pc;
			if (vals[SF_DISTANCE] == NULL)
				vals[SF_DISTANCE] = DISTANCE_DEFAULT;
		}
	}
	/* Without a postcode found, a distance narrows nothing. */
	if (p[13] == NULL) {
		vals[SF_POSTCODE] = NULL;
		vals[SF_DISTANCE] = NULL;
	}
	p[15] = vals[SF_DISTANCE] != NULL ? vals[SF_DISTANCE] :
	    DISTANCE_DEFAULT;
	view_flag(v, "may_add", is_coordinator(r));
	view_flag(v, "may_review", is_coordinator(r));
	snprintf(cycle, sizeof(cycle), "%d", cfg->review_months);
	/* $1 to $9 are the filters up to the region, in their order. */
	for (i = 0; i <= SF_REGION; i++)
		p[i] = vals[i] != NULL ? vals[i] : "";
	p[SF_FREE] = vals[SF_FREE] != NULL ? "t" : "";
	p[9] = cycle;
	p[10] = vals[SF_SORT] != NULL ? vals[SF_SORT] : "";
	p[11] = pg.limit;
	p[12] = pg.offset;
	res = db_query(r->db, PGRES_TUPLES_OK, list_query, 16, p);
	if (res == NULL) {
		view_free(v);
		return http_error(r, 503);
	}
	n = PQntuples(res);
	if (n > 0)
		pg.total = strtol(PQgetvalue(res, 0, SL_TOTAL), NULL, 10);
	for (i = 0; i < n; i++) {
		if ((s = view_add(v, "services")) == NULL)
			break;
		view_setf(s, "href", "/services/%s", PQgetvalue(res, i, SL_ID));
		view_set(s, "service", PQgetvalue(res, i, SL_ID));
		view_set(s, "service_name", PQgetvalue(res, i, SL_NAME));
		view_set(s, "org_name", PQgetvalue(res, i, SL_ORG));
		if (strcmp(PQgetvalue(res, i, SL_STATUS), "active") != 0)
			view_set(s, "status_label", code_label(
			    service_status_codes, service_status_labels,
			    PQgetvalue(res, i, SL_STATUS)));
		view_set(s, "summary", PQgetvalue(res, i, SL_DESCRIPTION));
		codes_view(s, "attending", PQgetvalue(res, i, SL_ATTENDING),
		    attending_codes, attending_labels);
		service_lines_view(s, "terms", PQgetvalue(res, i, SL_TERMS));
		view_set(s, "freshness", PQgetvalue(res, i, SL_FRESHNESS));
		service_stage_view(s, PQgetvalue(res, i, SL_STAGE));
		if (!PQgetisnull(res, i, SL_NEXT))
			view_set(s, "next_opening", PQgetvalue(res, i,
			    SL_NEXT));
		view_flag(s, "free", *PQgetvalue(res, i, SL_FREE) == 't');
		if (p[13] != NULL && !PQgetisnull(res, i, SL_KM))
			view_setf(s, "distance", "%s km away (%s miles)",
			    PQgetvalue(res, i, SL_KM), PQgetvalue(res, i,
			    SL_MILES));
		else if (p[13] != NULL)
			view_set(s, "distance", "By phone or online");
		origin_view(s, res, i, SL_RECEIVED);
	}
	view_flag(v, "none", n == 0);
	PQclear(res);
	if (vals[SF_NEED] != NULL) {
		p[0] = vals[SF_NEED];
		res = db_query(r->db, PGRES_TUPLES_OK, "SELECT name FROM"
		    " taxonomy_terms WHERE code = $1", 1, p);
		if (res == NULL) {
			view_free(v);
			return http_error(r, 503);
		}
		if (PQntuples(res) == 1)
			need_name = PQgetvalue(res, 0, 0);
		list_summary(v, vals, pg.total, need_name);
		PQclear(res);
	} else
		list_summary(v, vals, pg.total, NULL);
	view_flag(v, "narrowed", view_has(v, "applied"));
	view_flag(v, "added", r->form.f[KEY_ADDED].num == 1);
	/* Where adding to the shortlist comes back to: this list. */
	if ((here = filter_href(vals, SF__MAX)) != NULL) {
		if (pg.page > 1)
			view_setf(v, "here", "%s%spage=%ld", here,
			    strchr(here, '?') != NULL ? "&" : "?", pg.page);
		else
			view_set(v, "here", here);
		free(here);
	}
	view_pager(v, r, &pg);
	return http_page(r, 200, "services", v);
}

/*
 * One listing, whole: $1 its id, $2 the review cycle.  Its locations
 * and schedules come as lines of their own (services_show reads them).
 */
static const char show_query[] =
    "SELECT s.name, s.description, s.status, s.url, s.email, s.alert,"
    " s.minimum_age, s.maximum_age, s.eligibility, s.fees, s.free,"
    " array_to_string(s.languages, ', '), s.accessibility,"
    " array_to_string(s.attending, ' '), array_to_string(s.access, ' '),"
    " (SELECT string_agg(t.name, E'\\n' ORDER BY lower(t.name))"
    "  FROM taxonomy_terms t WHERE t.id = ANY (s.terms)),"
    " (SELECT string_agg(acorn_schedule_words(e) ||"
    "   coalesce(' (' || (e->>'description') || ')', ''), E'\\n'"
    "   ORDER BY n) FROM jsonb_array_elements(s.schedules)"
    "   WITH ORDINALITY AS x (e, n)),"
    " acorn_next_opening(s.schedules, now()), "
    SQL_FRESHNESS("s", "$2") ","
    " o.id, o.name, s.origin = (SELECT id FROM node),"
    " " SQL_LONDON("s.updated", LONDON_DAY) ", s.version,"
    " (SELECT count(*) FROM service_reports r WHERE r.service = s.id"
    "  AND r.resolved IS NULL),"
    " (SELECT count(*) FROM service_referrals f WHERE f.service = s.id"
    "  AND f.recorded > now() - interval '6 months'),"
    " (SELECT count(*) FROM service_referrals f WHERE f.service = s.id"
    "  AND f.recorded > now() - interval '6 months'"
    "  AND f.outcome = 'attended'),"
    " acorn_referrals_flag(s.id, s.updated), "
    SQL_ORIGIN("s")
    " FROM services s LEFT JOIN organisations o ON o.id = s.organisation"
    SQL_KNOWN("s") " WHERE s.id = $1 AND NOT s.deleted";

enum {
	SS_NAME, SS_DESCRIPTION, SS_STATUS, SS_URL, SS_EMAIL, SS_ALERT,
	SS_MIN_AGE, SS_MAX_AGE, SS_ELIGIBILITY, SS_FEES, SS_FREE,
	SS_LANGUAGES, SS_ACCESSIBILITY, SS_ATTENDING, SS_ACCESS, SS_TERMS,
	SS_SCHEDULES, SS_NEXT, SS_FRESHNESS, SS_STAGE, SS_ORG_ID, SS_ORG,
	SS_LOCAL, SS_UPDATED, SS_VERSION, SS_REPORTS, SS_REFERRALS,
	SS_TAKEN_UP, SS_FLAGGED, SS_RECEIVED
};

/* A listing's places and contacts: $1 its id. */
static const char places_query[] =
    "SELECT 'place', l.name, concat_ws(', ', nullif(l.address_1, ''),"
    "  nullif(l.city, ''), nullif(l.postal_code, '')), l.accessibility"
    " FROM services s, unnest(s.locations) WITH ORDINALITY AS x (lid, n)"
    " JOIN locations l ON l.id = x.lid AND NOT l.deleted"
    " WHERE s.id = $1"
    " UNION ALL SELECT 'contact', c->>'name', c->>'phone', c->>'email'"
    " FROM services s, jsonb_array_elements(s.contacts) c WHERE s.id = $1";

enum { SP_WHAT, SP_NAME, SP_LINE, SP_EXTRA };

/*
 * Whether the person may change listings of organisation org here:
 * coordinators may, and the organisation's managers.  -1 when the
 * database failed.
 */
int
service_may_edit(struct request *r, const char *org)
{
	const char *p[2];
	char who[24];
	PGresult *res;
	int yes;

	if (r->account == NULL)
		return 0;
	if (is_coordinator(r))
		return 1;
	if (org == NULL || *org == '\0')
		return 0;
	snprintf(who, sizeof(who), "%ld", r->account->id);
	p[0] = org;
	p[1] = who;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT 1 FROM"
	    " organisation_managers WHERE organisation = $1::uuid"
	    " AND account = $2::bigint", 2, p)) == NULL)
		return -1;
	yes = PQntuples(res) == 1;
	PQclear(res);
	return yes;
}

/* GET /services/{id} */
int
services_show(struct request *r)
{
	struct view *v = NULL, *c;
	PGresult *res, *places = NULL;
	const char *p[2];
	char cycle[16];
	long n;
	int i, may, rc = 0;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	snprintf(cycle, sizeof(cycle), "%d", cfg->review_months);
	p[0] = r->arg;
	p[1] = cycle;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, show_query, 2, p)) ==
	    NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	if ((places = db_query(r->db, PGRES_TUPLES_OK, places_query, 1,
	    p)) == NULL ||
	    (may = service_may_edit(r, PQgetvalue(res, 0, SS_ORG_ID))) == -1) {
		rc = http_error(r, 503);
		goto done;
	}
	if ((v = page_view(r, PQgetvalue(res, 0, SS_NAME))) == NULL) {
		rc = http_error(r, 500);
		goto done;
	}
	view_set(v, "service_name", PQgetvalue(res, 0, SS_NAME));
	view_set(v, "service_id", r->arg);
	view_set(v, "description", PQgetvalue(res, 0, SS_DESCRIPTION));
	if (strcmp(PQgetvalue(res, 0, SS_STATUS), "active") != 0)
		view_set(v, "status_label", code_label(service_status_codes,
		    service_status_labels, PQgetvalue(res, 0, SS_STATUS)));
	view_set(v, "alert", PQgetvalue(res, 0, SS_ALERT));
	view_set(v, "url", PQgetvalue(res, 0, SS_URL));
	view_set(v, "email", PQgetvalue(res, 0, SS_EMAIL));
	if (*PQgetvalue(res, 0, SS_EMAIL) != '\0')
		view_setf(v, "mailto", "mailto:%s", PQgetvalue(res, 0,
		    SS_EMAIL));
	if (!PQgetisnull(res, 0, SS_MIN_AGE) &&
	    !PQgetisnull(res, 0, SS_MAX_AGE))
		view_setf(v, "ages", "Ages %s to %s", PQgetvalue(res, 0,
		    SS_MIN_AGE), PQgetvalue(res, 0, SS_MAX_AGE));
	else if (!PQgetisnull(res, 0, SS_MIN_AGE))
		view_setf(v, "ages", "Ages %s and over", PQgetvalue(res, 0,
		    SS_MIN_AGE));
	else if (!PQgetisnull(res, 0, SS_MAX_AGE))
		view_setf(v, "ages", "Ages up to %s", PQgetvalue(res, 0,
		    SS_MAX_AGE));
	view_set(v, "eligibility", PQgetvalue(res, 0, SS_ELIGIBILITY));
	view_flag(v, "free", *PQgetvalue(res, 0, SS_FREE) == 't');
	view_set(v, "fees", PQgetvalue(res, 0, SS_FEES));
	view_set(v, "languages", PQgetvalue(res, 0, SS_LANGUAGES));
	view_set(v, "accessibility", PQgetvalue(res, 0, SS_ACCESSIBILITY));
	codes_view(v, "attending", PQgetvalue(res, 0, SS_ATTENDING),
	    attending_codes, attending_labels);
	codes_view(v, "access", PQgetvalue(res, 0, SS_ACCESS), access_codes,
	    access_labels);
	service_lines_view(v, "terms", PQgetvalue(res, 0, SS_TERMS));
	service_lines_view(v, "schedules", PQgetvalue(res, 0, SS_SCHEDULES));
	if (!PQgetisnull(res, 0, SS_NEXT))
		view_set(v, "next_opening", PQgetvalue(res, 0, SS_NEXT));
	view_set(v, "freshness", PQgetvalue(res, 0, SS_FRESHNESS));
	service_stage_view(v, PQgetvalue(res, 0, SS_STAGE));
	if (!PQgetisnull(res, 0, SS_ORG_ID)) {
		view_setf(v, "org_href", "/organisations/%s", PQgetvalue(res,
		    0, SS_ORG_ID));
		view_set(v, "org_name", PQgetvalue(res, 0, SS_ORG));
	}
	view_set(v, "updated", PQgetvalue(res, 0, SS_UPDATED));
	view_flag(v, "reported", strcmp(PQgetvalue(res, 0, SS_REPORTS), "0") !=
	    0);
	view_setf(v, "report_href", "/services/%s/report", r->arg);
	view_setf(v, "history_href", "/services/%s/history", r->arg);
	n = strtol(PQgetvalue(res, 0, SS_REFERRALS), NULL, 10);
	if (n > 0)
		view_setf(v, "referrals", "%ld %s in the last 6 months, %s "
		    "taken up", n, n == 1 ? "referral" : "referrals",
		    PQgetvalue(res, 0, SS_TAKEN_UP));
	else
		view_set(v, "referrals", "No referrals recorded in the last "
		    "6 months");
	view_flag(v, "flagged", *PQgetvalue(res, 0, SS_FLAGGED) == 't');
	view_setf(v, "outcome_action", "/services/%s/outcome", r->arg);
	view_codes(v, "referral_outcomes", referral_codes, referral_labels);
	for (i = 0; i < PQntuples(places); i++) {
		int place = strcmp(PQgetvalue(places, i, SP_WHAT), "place") == 0;

		if ((c = view_add(v, place ? "places" : "contacts")) == NULL)
			break;
		view_set(c, "name", PQgetvalue(places, i, SP_NAME));
		view_set(c, place ? "address" : "phone", PQgetvalue(places, i,
		    SP_LINE));
		view_set(c, place ? "place_access" : "contact_email",
		    PQgetvalue(places, i, SP_EXTRA));
		if (!place && !PQgetisnull(places, i, SP_EXTRA))
			view_setf(c, "mailto", "mailto:%s",
			    PQgetvalue(places, i, SP_EXTRA));
	}
	if (*PQgetvalue(res, 0, SS_LOCAL) == 't') {
		view_flag(v, "may_edit", may);
		view_flag(v, "may_suggest", !may && r->account != NULL);
		view_setf(v, "edit_href", "/services/%s/edit", r->arg);
		view_setf(v, "confirm_action", "/services/%s/confirm", r->arg);
		view_setf(v, "remove_href", "/services/%s/remove", r->arg);
	}
	origin_view(v, res, 0, SS_RECEIVED);
	rc = http_page(r, 200, "service", v);
done:
	PQclear(places);
	PQclear(res);
	return rc;
}

/*
 * Whether the person may change listing r->arg of this node: a
 * coordinator, or a manager of its organisation.  0 when they may, with
 * the listing's name in *name when name is not NULL (the caller frees
 * it); else the HTTP status to answer with.
 */
static unsigned int
listing_changer(struct request *r, char **name)
{
	const char *p[1] = { r->arg };
	PGresult *res;
	int may;

	if (!util_uuid_valid(r->arg))
		return 404;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT name, organisation,"
	    " origin = (SELECT id FROM node) FROM services WHERE id = $1"
	    " AND NOT deleted", 1, p)) == NULL)
		return 503;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 404;
	}
	may = *PQgetvalue(res, 0, 2) == 't' ?
	    service_may_edit(r, PQgetvalue(res, 0, 1)) : 0;
	if (may == 1 && name != NULL &&
	    (*name = util_strdup(PQgetvalue(res, 0, 0))) == NULL)
		may = -2;
	PQclear(res);
	return may == 1 ? 0 : may == 0 ? 403 : may == -1 ? 503 : 500;
}

/*
 * POST /services/{id}/confirm: a manager of its organisation or a
 * coordinator says the listing is right as it stands.  Its checked date
 * becomes today, and the change goes out with it.
 */
int
services_confirm(struct request *r)
{
	PGresult *res;
	const char *p[3];
	char who[24];
	unsigned int refused;
	int rc;

	if ((refused = listing_changer(r, NULL)) != 0)
		return http_error(r, refused);
	p[0] = r->arg;
	snprintf(who, sizeof(who), "%ld", r->account->id);
	p[1] = who;
	p[2] = is_coordinator(r) ? "coordinator" : "organisation";
	rc = db_begin(r->db);
	if (rc == 0) {
		res = db_query(r->db, PGRES_TUPLES_OK, "SELECT"
		    " acorn_service_assure($1::uuid, $2::bigint, $3)", 3, p);
		rc = res != NULL ? 0 : -1;
		PQclear(res);
	}
	if (rc == -1 || audit_commit(r->db, r->account->id,
	    "service_confirm", r->arg) == -1)
		return http_error(r, 503);
	return http_redirectf(r, "/services/%s", r->arg);
}

/*
 * The week's hours typed into the form as ORUK schedules, into j: days
 * with the same hours share one ("MO,TU,WE" from 09:00 to 17:00), then
 * the monthly one.  Problems go into v.  The number of schedules.
 */
static int
schedules_read(struct view *v, struct request *r, struct json *j)
{
	const char *opens[7], *closes[7], *note, *week, *day, *mo, *mc;
	char byday[24], name[16];
	size_t n;
	int i, k, count = 0, done[7] = { 0 };

	for (i = 0; i < 7; i++) {
		opens[i] = view_field(v, r, KEY_OPENS_MO + i, NULL);
		closes[i] = view_field(v, r, KEY_CLOSES_MO + i, NULL);
		if ((opens[i] == NULL) != (closes[i] == NULL)) {
			snprintf(name, sizeof(name), "%s",
			    form_key_name(opens[i] == NULL ? KEY_OPENS_MO + i :
			    KEY_CLOSES_MO + i));
			view_error(v, name, opens[i] == NULL ?
			    "Enter when it opens as well as when it closes" :
			    "Enter when it closes as well as when it opens");
			done[i] = 1;
		} else if (opens[i] != NULL && strcmp(opens[i], closes[i]) >= 0) {
			snprintf(name, sizeof(name), "%s",
			    form_key_name(KEY_CLOSES_MO + i));
			view_error(v, name, "Closing time must be after the "
			    "opening time");
			done[i] = 1;
		} else if (opens[i] == NULL)
			done[i] = 1;
	}
	note = view_field(v, r, KEY_HOURS_NOTE, NULL);
	json_open(j, '[');
	for (i = 0; i < 7; i++) {
		if (done[i])
			continue;
		snprintf(byday, sizeof(byday), "%s", weekday_codes[i]);
		for (k = i + 1; k < 7; k++)
			if (!done[k] && strcmp(opens[k], opens[i]) == 0 &&
			    strcmp(closes[k], closes[i]) == 0) {
				n = strlen(byday);
				snprintf(byday + n, sizeof(byday) - n, ",%s",
				    weekday_codes[k]);
				done[k] = 1;
			}
		json_open(j, '{');
		json_key(j, "freq");
		json_string(j, "WEEKLY");
		json_key(j, "byday");
		json_string(j, byday);
		json_key(j, "opens_at");
		json_string(j, opens[i]);
		json_key(j, "closes_at");
		json_string(j, closes[i]);
		if (count++ == 0 && note != NULL) {
			json_key(j, "description");
			json_string(j, note);
		}
		json_close(j);
	}
	week = view_field(v, r, KEY_MONTHLY_WEEK, NULL);
	day = view_field(v, r, KEY_MONTHLY_DAY, NULL);
	mo = view_field(v, r, KEY_MONTHLY_OPENS, NULL);
	mc = view_field(v, r, KEY_MONTHLY_CLOSES, NULL);
	if (week != NULL || day != NULL || mo != NULL || mc != NULL) {
		if (week == NULL || (strcmp(week, "-1") != 0 &&
		    (week[0] < '1' || week[0] > '4' || week[1] != '\0')))
			view_error(v, "monthly_week", "Select the week of the "
			    "month");
		else if (day == NULL || code_index(weekday_codes, day) == -1)
			view_error(v, "monthly_day", "Select the day of the "
			    "week");
		else if ((mo == NULL) != (mc == NULL))
			view_error(v, mo == NULL ? "monthly_opens" :
			    "monthly_closes", "Enter both when it opens and "
			    "when it closes, or neither");
		else if (mo != NULL && strcmp(mo, mc) >= 0)
			view_error(v, "monthly_closes", "Closing time must be "
			    "after the opening time");
		else {
			snprintf(byday, sizeof(byday), "%s%s", week, day);
			json_open(j, '{');
			json_key(j, "freq");
			json_string(j, "MONTHLY");
			json_key(j, "byday");
			json_string(j, byday);
			if (mo != NULL) {
				json_key(j, "opens_at");
				json_string(j, mo);
				json_key(j, "closes_at");
				json_string(j, mc);
			}
			if (count++ == 0 && note != NULL) {
				json_key(j, "description");
				json_string(j, note);
			}
			json_close(j);
		}
	}
	json_close(j);
	if (count == 0 && note != NULL)
		view_error(v, "hours_note", "Give the days and times it runs "
		    "as well, or leave this empty");
	return count;
}

/* The contact typed into the form, as ORUK contacts (none or one). */
static void
contacts_read(struct view *v, struct request *r, struct json *j)
{
	const char *name = view_field(v, r, KEY_CONTACT_NAME, NULL);
	const char *phone = view_field(v, r, KEY_PHONE, NULL);

	json_open(j, '[');
	if (name != NULL || phone != NULL) {
		json_open(j, '{');
		if (name != NULL) {
			json_key(j, "name");
			json_string(j, name);
		}
		if (phone != NULL) {
			json_key(j, "phone");
			json_string(j, phone);
		}
		json_close(j);
	}
	json_close(j);
}

/* What a listing's form says, checked: the parameters of its save. */
enum {
	SV_ID, SV_ORG, SV_NAME, SV_DESCRIPTION, SV_STATUS, SV_URL, SV_EMAIL,
	SV_ALERT, SV_MIN_AGE, SV_MAX_AGE, SV_ELIGIBILITY, SV_FEES, SV_FREE,
	SV_LANGUAGES, SV_ACCESSIBILITY, SV_ATTENDING, SV_ACCESS, SV_TERMS,
	SV_SCHEDULES, SV_CONTACTS, SV_ASSURE, SV_BY, SV_WHO, SV_BASE,
	SV_LOCATIONS, SV_KEEP_SCHEDULES, SV_KEEP_CONTACTS, SV_VENUE,
	SV_ADDRESS, SV_TOWN, SV_POSTCODE, SV__MAX
};

/*
 * What of a listing its form cannot show, kept as it is by a save:
 * opening times more detailed than a week's hours and a monthly day,
 * more than one contact or one with an email.
 */
struct keep {
	int	schedules;
	int	contacts;
};

/* A new listing, checked today when the person ticked that it is right. */
static const char insert_sql[] =
    "INSERT INTO services (id, origin, organisation, name, description,"
    " status, url, email, alert, minimum_age, maximum_age, eligibility,"
    " fees, free, languages, accessibility, attending, access, terms,"
    " schedules, contacts, locations, assured_date, assured_by,"
    " created_by)"
    " SELECT $1::uuid, (SELECT id FROM node), $2::uuid, $3, $4, $5, $6,"
    " $7, $8, $9::integer, $10::integer, $11, $12, $13::boolean,"
    " $14::text[], $15, $16::text[],"
    " $17::text[], ARRAY(SELECT t.id FROM taxonomy_terms t"
    "  WHERE t.code = ANY (string_to_array($18, ' ')) ORDER BY t.code),"
    " $19::jsonb, $20::jsonb, string_to_array($25, ' ')::uuid[],"
    " CASE WHEN $21::boolean THEN current_date END,"
    " CASE WHEN $21::boolean THEN $22 END, $23::bigint"
    " WHERE $24::integer IS NULL ON CONFLICT DO NOTHING";

/*
 * An existing listing's new version, from the version the form was made
 * from ($24): when another save came between, nothing changes.  A save
 * that changes nothing makes no version (acorn_take_seq), and its
 * updated time stays (acorn_touch).
 */
static const char update_sql[] =
    "UPDATE services s SET name = $3, description = $4, status = $5,"
    " url = $6, email = $7, alert = $8, minimum_age = $9::integer,"
    " maximum_age = $10::integer, eligibility = $11, fees = $12,"
    " free = $13::boolean, languages = $14::text[], accessibility = $15,"
    " attending = $16::text[],"
    " access = $17::text[],"
    " terms = ARRAY(SELECT t.id FROM taxonomy_terms t"
    "  WHERE t.code = ANY (string_to_array($18, ' ')) ORDER BY t.code),"
    " schedules = CASE WHEN $26::boolean THEN s.schedules"
    "  ELSE $19::jsonb END,"
    " contacts = CASE WHEN $27::boolean THEN s.contacts"
    "  ELSE $20::jsonb END,"
    " locations = string_to_array($25, ' ')::uuid[],"
    " assured_date = CASE WHEN $21::boolean THEN current_date"
    "  ELSE s.assured_date END,"
    " assured_by = CASE WHEN $21::boolean THEN $22"
    "  ELSE s.assured_by END"
    " WHERE s.id = $1::uuid AND s.origin = (SELECT id FROM node)"
    " AND NOT s.deleted AND s.version = $24::integer"
    " AND $2::uuid IS NOT NULL AND $23::bigint IS NOT NULL";

/* A new place of the listing's organisation, made before the listing. */
static const char place_sql[] =
    "INSERT INTO locations (id, origin, organisation, name,"
    " location_type, address_1, city, postal_code, country, created_by)"
    " VALUES ($1::uuid, (SELECT id FROM node), $2::uuid,"
    " coalesce($3, $4, $6), 'physical', $4, $5, $6, 'GB', $7::bigint)";

/*
 * Whether every place ticked ($1, space-separated ids) may be a place of
 * listing $3 of organisation $2.
 */
static const char places_check[] =
    "SELECT cardinality(string_to_array($1, ' ')) = (SELECT count(*)"
    " FROM locations l WHERE l.id = ANY (string_to_array($1, ' ')::uuid[])"
    " AND" PLACE_MAY_BE("$2", "$3") ")";

/*
 * Keeps a suggestion: the listing as the save just tried made it (and
 * its place, when that changed), recorded after the save is undone to
 * its savepoint, and its managers told.  0 when kept, 1 when the save
 * changed nothing, -1 when the database failed.
 */
static int
suggestion_keep(struct request *r, const char *id, const char *place,
    const char *base, const char *who)
{
	const char *p[6];
	PGresult *res;
	char *content = NULL, *where = NULL, *body;
	int rc = -1;

	p[0] = id;
	p[1] = place;
	res = db_query(r->db, PGRES_TUPLES_OK, "SELECT"
	    " acorn_service_content(s), s.changed_in = txid_current(),"
	    " (SELECT acorn_place_content(l) FROM locations l WHERE"
	    "  l.id = $2::uuid AND l.changed_in = txid_current())"
	    " FROM services s WHERE s.id = $1", 2, p);
	if (res == NULL || PQntuples(res) != 1)
		goto done;
	if (*PQgetvalue(res, 0, 1) != 't' && PQgetisnull(res, 0, 2)) {
		rc = 1;
		goto done;
	}
	if ((content = util_strdup(PQgetvalue(res, 0, 0))) == NULL ||
	    (!PQgetisnull(res, 0, 2) &&
	    (where = util_strdup(PQgetvalue(res, 0, 2))) == NULL))
		goto done;
	PQclear(res);
	res = NULL;
	if (db_exec(r->db, "ROLLBACK TO SAVEPOINT suggestion", 0, NULL) == -1)
		goto done;
	p[0] = id;
	p[1] = who;
	p[2] = base;
	p[3] = content;
	p[4] = where;
	p[5] = r->form.f[KEY_SUMMARY].text;
	res = db_query(r->db, PGRES_TUPLES_OK, "INSERT INTO"
	    " service_suggestions (service, account, base, content, place,"
	    " summary) VALUES ($1::uuid, $2::bigint, $3::integer, $4::jsonb,"
	    " $5::jsonb, coalesce($6, '')) RETURNING id", 6, p);
	if (res == NULL)
		goto done;
	body = util_printf("A member suggested a change to a listing you look "
	    "after in the %s directory of services. It changes nothing until "
	    "you or a coordinator accept it. See what they suggest, side by "
	    "side with the listing as it is:\n\n%s/services/suggestions/%s\n",
	    cfg->node_name, cfg->public_url, PQgetvalue(res, 0, 0));
	p[1] = "A change was suggested to your listing";
	p[2] = body;
	rc = body == NULL ? -1 : db_exec(r->db, "INSERT INTO outbox (recipient,"
	    " subject, body, member) SELECT a.email, $2, $3, a.member"
	    " FROM services s JOIN organisation_managers m"
	    " ON m.organisation = s.organisation JOIN accounts a"
	    " ON a.id = m.account AND a.status = 'active'"
	    " WHERE s.id = $1::uuid", 3, p);
	free(body);
done:
	PQclear(res);
	free(content);
	free(where);
	return rc;
}

/* The organisation a listing belongs to: $1 its id. */
static const char org_query[] =
    "SELECT name, origin = (SELECT id FROM node) FROM organisations"
    " WHERE id = $1::uuid AND NOT deleted";

/*
 * The form of a listing, checked and saved: a new one of organisation
 * org when id is NULL, else a new version of id from version base.  It
 * is at the places ticked, and at a new place of the organisation when
 * the form gives one.  Returns the answer sent.
 */
static int
service_save(struct request *r, struct view *v, const char *id,
    const char *org, const char *base, const struct keep *keep,
    int suggest)
{
	const char *p[SV__MAX];
	struct json sched, contacts;
	char *langs = NULL, *attending = NULL, *access = NULL, *terms = NULL;
	char *sched_text = NULL, *contacts_text = NULL, *places = NULL;
	const char *ticked;
	char newid[ACORN_UUID_LEN + 1], newplace[ACORN_UUID_LEN + 1];
	char who[24], postcode[POSTCODE_LEN + 1];
	PGresult *res;
	long lo = -1, hi = -1;
	size_t len;
	int rc, adding;

	memset(p, 0, sizeof(p));
	p[SV_NAME] = view_field(v, r, KEY_SERVICE, "Enter the name of the "
	    "service");
	p[SV_DESCRIPTION] = view_field(v, r, KEY_DESCRIPTION, "Enter what "
	    "the service does, in plain English");
	p[SV_STATUS] = view_field(v, r, KEY_STATUS, "Select the status");
	if (p[SV_STATUS] != NULL &&
	    code_index(service_status_codes, p[SV_STATUS]) == -1) {
		view_error(v, "status", "Select the status from the list");
		p[SV_STATUS] = NULL;
	}
	p[SV_URL] = view_field(v, r, KEY_WEBSITE, NULL);
	p[SV_EMAIL] = view_field(v, r, KEY_EMAIL, NULL);
	p[SV_ALERT] = view_field(v, r, KEY_ALERT, NULL);
	if ((p[SV_MIN_AGE] = view_field(v, r, KEY_MIN_AGE, NULL)) != NULL)
		lo = r->form.f[KEY_MIN_AGE].num;
	if ((p[SV_MAX_AGE] = view_field(v, r, KEY_MAX_AGE, NULL)) != NULL)
		hi = r->form.f[KEY_MAX_AGE].num;
	if (lo > 120)
		view_error(v, "min_age", "Youngest age must be 120 or less");
	if (hi > 120)
		view_error(v, "max_age", "Oldest age must be 120 or less");
	else if (lo >= 0 && hi >= 0 && hi < lo)
		view_error(v, "max_age", "Oldest age must be the same as or "
		    "more than the youngest age");
	p[SV_ELIGIBILITY] = view_field(v, r, KEY_ELIGIBILITY, NULL);
	p[SV_FEES] = view_field(v, r, KEY_FEES, NULL);
	p[SV_FREE] = r->form.f[KEY_FREE].num == 1 ? "t" : "f";
	view_flag(v, "v_free", r->form.f[KEY_FREE].num == 1);
	p[SV_ACCESSIBILITY] = view_field(v, r, KEY_ACCESSIBILITY, NULL);
	langs = view_comma_list(v, "languages", view_field(v, r, KEY_LANGUAGES,
	    NULL), MAX_LANGUAGES, 60, "Give up to 30 languages, each 60 "
	    "characters or fewer");
	attending = view_codes_array(v, r, KEY_ATTEND, "attend", attending_codes,
	    "Select how people take part from the list");
	access = view_codes_array(v, r, KEY_ACCESS, "access", access_codes,
	    "Select how people get in from the list");
	if (r->form.f[KEY_TERMS].error)
		view_error(v, "terms", "Select needs and activities from the "
		    "list");
	json_init(&sched);
	json_init(&contacts);
	if (keep->schedules) {
		json_open(&sched, '[');
		json_close(&sched);
	} else
		schedules_read(v, r, &sched);
	if (keep->contacts) {
		json_open(&contacts, '[');
		json_close(&contacts);
	} else
		contacts_read(v, r, &contacts);
	if (r->form.f[KEY_LOCATIONS].error)
		view_error(v, "locations", "Select places from the list");
	p[SV_VENUE] = view_field(v, r, KEY_VENUE, NULL);
	p[SV_ADDRESS] = view_field(v, r, KEY_ADDRESS, NULL);
	p[SV_TOWN] = view_field(v, r, KEY_TOWN, NULL);
	if (view_field(v, r, KEY_POSTCODE, NULL) != NULL &&
	    postcode_normal(r->form.f[KEY_POSTCODE].text, postcode) == 0)
		p[SV_POSTCODE] = postcode;
	if (p[SV_VENUE] == NULL && p[SV_ADDRESS] == NULL &&
	    p[SV_POSTCODE] == NULL && p[SV_TOWN] != NULL)
		view_error(v, "address", "Enter the address of the new place, "
		    "or leave the town empty too");
	else if (r->form.f[KEY_LOCATIONS].num + (p[SV_VENUE] != NULL ||
	    p[SV_ADDRESS] != NULL || p[SV_POSTCODE] != NULL) > MAX_PLACES)
		view_error(v, "locations", "A listing can be at up to 20 "
		    "places");
	view_field(v, r, KEY_SUMMARY, NULL);
	if (view_has(v, "errors"))
		goto refused;
	sched_text = json_finish(&sched, &len);
	contacts_text = json_finish(&contacts, &len);
	if (langs == NULL || attending == NULL || access == NULL ||
	    sched_text == NULL || contacts_text == NULL ||
	    (id == NULL && util_uuid(newid) == -1) ||
	    util_uuid(newplace) == -1) {
		rc = http_error(r, 500);
		goto done;
	}
	/* The vocabulary's words are checked by the database: see below. */
	terms = util_strdup(r->form.f[KEY_TERMS].text != NULL ?
	    r->form.f[KEY_TERMS].text : "");
	snprintf(who, sizeof(who), "%ld", r->account->id);
	p[SV_ID] = id != NULL ? id : newid;
	p[SV_ORG] = org;
	p[SV_LANGUAGES] = langs;
	p[SV_ATTENDING] = attending;
	p[SV_ACCESS] = access;
	p[SV_TERMS] = terms;
	p[SV_SCHEDULES] = sched_text;
	p[SV_CONTACTS] = contacts_text;
	p[SV_ASSURE] = !suggest && r->form.f[KEY_ASSURE].num == 1 ? "t" : "f";
	p[SV_BY] = is_coordinator(r) ? "coordinator" : "organisation";
	p[SV_WHO] = who;
	p[SV_BASE] = base;
	p[SV_KEEP_SCHEDULES] = keep->schedules ? "t" : "f";
	p[SV_KEEP_CONTACTS] = keep->contacts ? "t" : "f";
	/* The places ticked, then the new place when the form gives one. */
	adding = p[SV_VENUE] != NULL || p[SV_ADDRESS] != NULL ||
	    p[SV_POSTCODE] != NULL;
	ticked = r->form.f[KEY_LOCATIONS].num > 0 ?
	    r->form.f[KEY_LOCATIONS].text : "";
	places = util_printf("%s%s%s", ticked, *ticked != '\0' && adding ?
	    " " : "", adding ? newplace : "");
	if (places == NULL) {
		rc = http_error(r, 500);
		goto done;
	}
	p[SV_LOCATIONS] = places;
	rc = db_begin(r->db);
	if (rc == 0) {
		const char *tp[1] = { terms };

		res = db_query(r->db, PGRES_TUPLES_OK, "SELECT"
		    " cardinality(string_to_array($1, ' ')) = (SELECT count(*)"
		    " FROM taxonomy_terms WHERE code = ANY"
		    " (string_to_array($1, ' ')))", 1, tp);
		if (res == NULL)
			rc = -1;
		else if (*PQgetvalue(res, 0, 0) != 't') {
			PQclear(res);
			db_rollback(r->db);
			view_error(v, "terms", "Select needs and activities "
			    "from the list");
			goto refused;
		}
		PQclear(res);
	}
	if (rc == 0 && r->form.f[KEY_LOCATIONS].num > 0) {
		const char *cp[3] = { r->form.f[KEY_LOCATIONS].text, org,
		    p[SV_ID] };

		res = db_query(r->db, PGRES_TUPLES_OK, places_check, 3, cp);
		if (res == NULL)
			rc = -1;
		else if (*PQgetvalue(res, 0, 0) != 't') {
			PQclear(res);
			db_rollback(r->db);
			view_error(v, "locations", "Select places from the "
			    "list");
			goto refused;
		}
		PQclear(res);
	}
	/* A suggestion is the save tried and undone, then kept aside. */
	if (rc == 0 && suggest)
		rc = db_exec(r->db, "SAVEPOINT suggestion", 0, NULL);
	if (rc == 0 && adding) {
		const char *lp[7] = { newplace, org, p[SV_VENUE],
		    p[SV_ADDRESS], p[SV_TOWN], p[SV_POSTCODE], who };

		rc = db_exec(r->db, place_sql, 7, lp);
	}
	if (rc == 0) {
		res = db_query(r->db, PGRES_COMMAND_OK, id == NULL ?
		    insert_sql : update_sql, id == NULL ? 25 : 27, p);
		if (res == NULL)
			rc = -1;
		else if (strcmp(PQcmdTuples(res), "1") != 0) {
			PQclear(res);
			db_rollback(r->db);
			view_error(v, "service", "Someone else changed this "
			    "listing while you were editing it. Open it again "
			    "to see their changes, then make yours");
			goto refused;
		}
		PQclear(res);
	}
	if (rc == 0 && suggest) {
		switch (suggestion_keep(r, p[SV_ID], adding ? newplace : NULL,
		    base, who)) {
		case 0:
			break;
		case 1:
			db_rollback(r->db);
			view_error(v, "service", "You have not changed anything "
			    "yet: change what is wrong, then send it");
			goto refused;
		default:
			rc = -1;
		}
	} else if (rc == 0) {
		const char *rp[3] = { p[SV_ID], who,
		    r->form.f[KEY_SUMMARY].text };

		res = db_query(r->db, PGRES_TUPLES_OK, "SELECT"
		    " acorn_service_revise($1::uuid, $2::bigint, $3)", 3, rp);
		rc = res != NULL ? 0 : -1;
		PQclear(res);
	}
	if (rc == -1 || audit_commit(r->db, r->account->id, suggest ?
	    "service_suggest" : id == NULL ? "service_add" : "service_edit",
	    p[SV_ID]) == -1) {
		rc = http_error(r, 503);
		goto done;
	}
	if (suggest) {
		char back[64];

		snprintf(back, sizeof(back), "/services/%s", p[SV_ID]);
		rc = page_message(r, 200, "Thank you: your suggestion was sent",
		    "The people who look after this listing will check it. It "
		    "changes when they accept it, and you will get an email "
		    "either way.", back, "Back to the listing", 1);
		goto done;
	}
	rc = http_redirectf(r, "/services/%s", p[SV_ID]);
	goto done;
refused:
	rc = http_page(r, 422, "service_form", v);
	v = NULL;
done:
	json_free(&sched);
	json_free(&contacts);
	free(sched_text);
	free(contacts_text);
	free(places);
	free(langs);
	free(attending);
	free(access);
	free(terms);
	view_free(v);
	return rc;
}

/* The choices every listing form offers; -1 when the database failed. */
static int
form_choices(struct request *r, struct view *v, const char *terms)
{
	view_codes(v, "statuses", service_status_codes,
	    service_status_labels);
	view_codes(v, "days", weekday_codes, weekday_labels);
	view_checkboxes(v, "attend_choices", attending_codes, attending_labels,
	    r->method == METHOD_POST ? r->form.f[KEY_ATTEND].text :
	    view_get(v, "v_attend"));
	view_checkboxes(v, "access_choices", access_codes, access_labels,
	    r->method == METHOD_POST ? r->form.f[KEY_ACCESS].text :
	    view_get(v, "v_access"));
	return needs_view(r, v, "term_choices", r->method == METHOD_POST ?
	    r->form.f[KEY_TERMS].text : terms);
}

/* The week's hours and the monthly day, in their form fields. */
static void
form_hours(struct view *v, const char *week, const char *monthly)
{
	const char *p, *eol;
	char line[64], day[3], opens[6], closes[6], key[16];
	size_t n;
	int i;

	for (p = week; p != NULL && *p != '\0'; p = eol + (*eol != '\0')) {
		eol = p + strcspn(p, "\n");
		n = (size_t)(eol - p);
		if (n >= sizeof(line))
			continue;
		memcpy(line, p, n);
		line[n] = '\0';
		if (sscanf(line, "%2s %5s %5s", day, opens, closes) != 3 ||
		    (i = code_index(weekday_codes, day)) == -1)
			continue;
		snprintf(key, sizeof(key), "v_%s",
		    form_key_name(KEY_OPENS_MO + i));
		view_set(v, key, opens);
		snprintf(key, sizeof(key), "v_%s",
		    form_key_name(KEY_CLOSES_MO + i));
		view_set(v, key, closes);
	}
	if (monthly != NULL && sscanf(monthly, "%2[-0-9]%2s %5s %5s", line,
	    day, opens, closes) >= 2) {
		view_set(v, "v_monthly_week", line);
		view_set(v, "v_monthly_day", day);
		if (sscanf(monthly, "%*s %5s %5s", opens, closes) == 2) {
			view_set(v, "v_monthly_opens", opens);
			view_set(v, "v_monthly_closes", closes);
		}
	}
}

/* GET and POST /services/new?org={id} */
int
services_new(struct request *r)
{
	struct view *v;
	PGresult *res;
	const char *p[1], *org = r->form.f[KEY_ORG].text;
	struct keep keep = { 0, 0 };
	int may;

	if (org == NULL || !util_uuid_valid(org))
		return http_redirect(r, "/organisations");
	p[0] = org;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, org_query, 1, p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1 || *PQgetvalue(res, 0, 1) != 't') {
		PQclear(res);
		return http_error(r, 404);
	}
	if ((may = service_may_edit(r, org)) != 1) {
		PQclear(res);
		return http_error(r, may == -1 ? 503 : 403);
	}
	if ((v = page_view(r, "Add a service")) == NULL) {
		PQclear(res);
		return http_error(r, 500);
	}
	view_flag(v, "creating", 1);
	view_set(v, "org_name", PQgetvalue(res, 0, 0));
	view_setf(v, "back_href", "/organisations/%s", org);
	view_set(v, "form_action", "/services/new");
	view_set(v, "v_org", org);
	PQclear(res);
	view_flag(v, "show_hours", 1);
	view_flag(v, "show_contact", 1);
	if (r->method != METHOD_POST) {
		view_set(v, "v_status", "active");
		view_flag(v, "v_assure", 1);
	} else
		view_flag(v, "v_assure", r->form.f[KEY_ASSURE].num == 1);
	if (form_choices(r, v, NULL) == -1 ||
	    places_view(r, v, org, NULL, NULL) == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	if (r->method != METHOD_POST)
		return http_page(r, 200, "service_form", v);
	return service_save(r, v, NULL, org, NULL, &keep, 0);
}

/*
 * A listing as its form shows it: $1 its id.  The week's hours come as
 * lines "MO 09:00 17:00", the monthly day as "2TU 14:00 16:00".
 */
static const char edit_query[] =
    "SELECT s.name, s.description, s.status, s.url, s.email, s.alert,"
    " s.minimum_age, s.maximum_age, s.eligibility, s.fees, s.free,"
    " array_to_string(s.languages, ', '), s.accessibility,"
    " array_to_string(s.attending, ' '), array_to_string(s.access, ' '),"
    " (SELECT string_agg(t.code, ' ') FROM taxonomy_terms t"
    "  WHERE t.id = ANY (s.terms)),"
    " (SELECT string_agg(d || ' ' || (e->>'opens_at') || ' ' ||"
    "  (e->>'closes_at'), E'\\n') FROM jsonb_array_elements(s.schedules) e,"
    "  unnest(string_to_array(e->>'byday', ',')) d"
    "  WHERE e->>'freq' = 'WEEKLY'),"
    " (SELECT concat_ws(' ', e->>'byday', e->>'opens_at', e->>'closes_at')"
    "  FROM jsonb_array_elements(s.schedules) e"
    "  WHERE e->>'freq' = 'MONTHLY' LIMIT 1),"
    " s.schedules->0->>'description',"
    " acorn_schedules_simple(s.schedules),"
    " s.contacts->0->>'name', s.contacts->0->>'phone',"
    " jsonb_array_length(s.contacts) <= 1 AND NOT (s.contacts->0 ? 'email'),"
    " array_to_string(s.locations, ' '),"
    " s.organisation, o.name, s.version, " SQL_ORIGIN("s")
    " FROM services s LEFT JOIN organisations o ON o.id = s.organisation"
    SQL_KNOWN("s")
    " WHERE s.id = $1 AND NOT s.deleted";

enum {
	SE_NAME, SE_DESCRIPTION, SE_STATUS, SE_URL, SE_EMAIL, SE_ALERT,
	SE_MIN_AGE, SE_MAX_AGE, SE_ELIGIBILITY, SE_FEES, SE_FREE,
	SE_LANGUAGES, SE_ACCESSIBILITY, SE_ATTENDING, SE_ACCESS, SE_TERMS,
	SE_WEEK, SE_MONTHLY, SE_HOURS_NOTE, SE_SIMPLE_HOURS, SE_CONTACT_NAME,
	SE_PHONE, SE_SIMPLE_CONTACTS, SE_PLACES, SE_ORG, SE_ORG_NAME,
	SE_VERSION, SE_RECEIVED
};

/* The form's fields, from the listing as it stands. */
static void
edit_fill(struct view *v, PGresult *res)
{
	static const struct { int col; const char *key; } fields[] = {
		{ SE_NAME, "v_service" }, { SE_DESCRIPTION, "v_description" },
		{ SE_STATUS, "v_status" }, { SE_URL, "v_website" },
		{ SE_EMAIL, "v_email" }, { SE_ALERT, "v_alert" },
		{ SE_MIN_AGE, "v_min_age" }, { SE_MAX_AGE, "v_max_age" },
		{ SE_ELIGIBILITY, "v_eligibility" }, { SE_FEES, "v_fees" },
		{ SE_LANGUAGES, "v_languages" },
		{ SE_ACCESSIBILITY, "v_accessibility" },
		{ SE_ATTENDING, "v_attend" }, { SE_ACCESS, "v_access" },
		{ SE_HOURS_NOTE, "v_hours_note" },
		{ SE_CONTACT_NAME, "v_contact_name" }, { SE_PHONE, "v_phone" },
	};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!PQgetisnull(res, 0, fields[i].col))
			view_set(v, fields[i].key, PQgetvalue(res, 0,
			    fields[i].col));
	view_flag(v, "v_free", *PQgetvalue(res, 0, SE_FREE) == 't');
	form_hours(v, PQgetvalue(res, 0, SE_WEEK), PQgetisnull(res, 0,
	    SE_MONTHLY) ? NULL : PQgetvalue(res, 0, SE_MONTHLY));
}

/* GET and POST /services/{id}/edit */
int
services_edit(struct request *r)
{
	struct view *v = NULL;
	PGresult *res;
	const char *p[1];
	struct keep keep;
	char *org = NULL, *base = NULL, *places = NULL, *terms = NULL;
	int may, rc;

	if (!util_uuid_valid(r->arg))
		return http_error(r, 404);
	p[0] = r->arg;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, edit_query, 1, p)) == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return http_error(r, 404);
	}
	if (*PQgetvalue(res, 0, SE_RECEIVED) == 't') {
		rc = origin_refuse(r, "service", res, 0, SE_RECEIVED);
		PQclear(res);
		return rc;
	}
	/* Any other member suggests a change instead. */
	if ((may = service_may_edit(r, PQgetvalue(res, 0, SE_ORG))) == -1) {
		PQclear(res);
		return http_error(r, 503);
	}
	keep.schedules = *PQgetvalue(res, 0, SE_SIMPLE_HOURS) != 't';
	keep.contacts = *PQgetvalue(res, 0, SE_SIMPLE_CONTACTS) != 't';
	if ((v = page_view(r, may ? "Edit a service" :
	    "Suggest a change to a service")) == NULL ||
	    (org = util_strdup(PQgetvalue(res, 0, SE_ORG))) == NULL ||
	    (base = util_strdup(PQgetvalue(res, 0, SE_VERSION))) == NULL ||
	    (terms = util_strdup(PQgetvalue(res, 0, SE_TERMS))) == NULL ||
	    (places = util_strdup(PQgetvalue(res, 0, SE_PLACES))) == NULL) {
		PQclear(res);
		rc = http_error(r, 500);
		goto done;
	}
	view_set(v, "service_title", PQgetvalue(res, 0, SE_NAME));
	view_set(v, "org_name", PQgetvalue(res, 0, SE_ORG_NAME));
	view_flag(v, "suggesting", !may);
	view_setf(v, "back_href", "/services/%s", r->arg);
	view_setf(v, "form_action", "/services/%s/edit", r->arg);
	view_flag(v, "show_hours", !keep.schedules);
	view_flag(v, "show_contact", !keep.contacts);
	view_flag(v, "kept", keep.schedules || keep.contacts);
	if (r->method != METHOD_POST)
		edit_fill(v, res);
	else {
		view_flag(v, "v_assure", r->form.f[KEY_ASSURE].num == 1);
		/* Saved from the version the form was made from. */
		if (r->form.f[KEY_BASE].text != NULL &&
		    r->form.f[KEY_BASE].error == 0) {
			free(base);
			if ((base = util_strdup(r->form.f[KEY_BASE].text)) ==
			    NULL) {
				PQclear(res);
				rc = http_error(r, 500);
				goto done;
			}
		}
	}
	view_set(v, "v_base", base);
	PQclear(res);
	if (form_choices(r, v, terms) == -1 ||
	    places_view(r, v, org, r->arg, places) == -1) {
		rc = http_error(r, 503);
		goto done;
	}
	if (r->method != METHOD_POST) {
		rc = http_page(r, 200, "service_form", v);
		v = NULL;
		goto done;
	}
	rc = service_save(r, v, r->arg, org, base, &keep, !may);
	v = NULL;
done:
	view_free(v);
	free(org);
	free(base);
	free(places);
	free(terms);
	return rc;
}

/*
 * GET and POST /services/{id}/remove: a coordinator or one of its
 * managers takes a listing of this node out of the directory, after
 * being asked.  Its content goes; a signed tombstone tells the network
 * (a listing that has stopped for now is better marked so, by status).
 */
int
services_remove(struct request *r)
{
	struct confirm c;
	const char *p[1] = { r->arg };
	char *name, *heading, back[160], action[160];
	unsigned int refused;
	int rc;

	if ((refused = listing_changer(r, &name)) != 0)
		return http_error(r, refused);
	snprintf(back, sizeof(back), "/services/%s", r->arg);
	if (r->method != METHOD_POST) {
		heading = util_printf("Remove %s from the directory?", name);
		free(name);
		if (heading == NULL)
			return http_error(r, 500);
		memset(&c, 0, sizeof(c));
		snprintf(action, sizeof(action), "/services/%s/remove", r->arg);
		c.heading = heading;
		c.what[0] = "The listing leaves the directory here and on every "
		    "node of the network. Its history stays with this node. "
		    "This cannot be undone.";
		c.what[1] = "If the service has stopped for now, or for good, "
		    "edit the listing and change its status instead: people "
		    "then see that it is closed.";
		c.action = action;
		c.button = "Yes, remove the listing";
		c.back = back;
		rc = page_confirm(r, &c);
		free(heading);
		return rc;
	}
	free(name);
	if (db_begin(r->db) == -1 || db_exec(r->db, "UPDATE services SET"
	    " deleted = true, name = NULL, description = NULL, status = NULL,"
	    " url = NULL, email = NULL, alert = NULL, eligibility = NULL,"
	    " fees = NULL, accessibility = NULL, schedules = '[]',"
	    " contacts = '[]', locations = '{}', terms = '{}',"
	    " assured_date = NULL, assured_by = NULL"
	    " WHERE id = $1 AND origin = (SELECT id FROM node)"
	    " AND NOT deleted", 1, p) == -1 ||
	    audit_commit(r->db, r->account->id, "service_remove",
	    r->arg) == -1)
		return http_error(r, 503);
	return http_redirect(r, "/services");
}

/*
 * The SHA-256, in hex, a mailed or shared link's token is kept as: -1
 * when token is not of a token's shape (43 characters of base64url).
 */
int
service_token_hash(const char *token, char hash[65])
{
	unsigned char digest[32];

	if (!util_token_valid(token))
		return -1;
	util_sha256(token, ACORN_TOKEN_LEN, digest);
	util_hex(digest, sizeof(digest), hash);
	return 0;
}
