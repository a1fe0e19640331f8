/*
 * The directory's Open Referral UK 3.0 read API, /api/oruk: services,
 * services at their locations, taxonomies and their terms, paged as
 * ORUK pages them, for anyone (no key, CORS open) to read.  The JSON is
 * PostgreSQL's (schema/055's acorn_oruk_* functions); this file checks
 * the parameters and answers.  A parameter not of its shape is a 400
 * with ORUK's {"error", "message"}; an unknown id a 404.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "pages.h"

#define PER_PAGE	50
#define PER_PAGE_MAX	100

/* ORUK's error body, with status. */
static int
oruk_error(struct request *r, unsigned int status, const char *message)
{
	struct json j;
	char *body;
	size_t len;

	json_init(&j);
	json_open(&j, '{');
	json_key(&j, "error");
	json_string(&j, status == 404 ? "Not Found" : "Bad Request");
	json_key(&j, "message");
	json_string(&j, message);
	json_close(&j);
	if ((body = json_finish(&j, &len)) == NULL)
		return http_error(r, 500);
	response_header(r, "Access-Control-Allow-Origin", "*");
	return http_send(r, status, "application/json", body, len, 0);
}

/* A JSON answer of the database's (row 0, column 0 of res, taken). */
static int
oruk_send(struct request *r, PGresult *res)
{
	int rc;

	if (res == NULL)
		return http_error(r, 503);
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return oruk_error(r, 404, "No such record");
	}
	response_header(r, "Access-Control-Allow-Origin", "*");
	rc = http_send_kept(r, 200, "application/json", NULL,
	    PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0), 1);
	PQclear(res);
	return rc;
}

/*
 * Where this page starts: page and per_page checked (ORUK's defaults
 * 1 and PER_PAGE), into the texts of limit, offset and page.  NULL when
 * fine, else the message of the 400.
 */
struct paging {
	char	limit[24];
	char	offset[24];
	char	page[24];
};

static const char *
paging_read(struct request *r, struct paging *pg)
{
	long page = 1, per = PER_PAGE;

	if (r->form.f[KEY_PAGE].error)
		return "page must be a whole number from 1";
	if (r->form.f[KEY_PER_PAGE].error)
		return "per_page must be a whole number from 1 to 100";
	if (r->form.f[KEY_PAGE].text != NULL)
		page = r->form.f[KEY_PAGE].num;
	if (r->form.f[KEY_PER_PAGE].text != NULL)
		per = r->form.f[KEY_PER_PAGE].num;
	if (per > PER_PAGE_MAX)
		return "per_page must be a whole number from 1 to 100";
	snprintf(pg->limit, sizeof(pg->limit), "%ld", per);
	snprintf(pg->offset, sizeof(pg->offset), "%ld", (page - 1) * per);
	snprintf(pg->page, sizeof(pg->page), "%ld", page);
	return NULL;
}

/*
 * A date-time as RFC 3339 writes it (2026-12-07T10:00:00Z, with a
 * fraction or an offset), or a date alone.
 */
static int
stamp_valid(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; shape[i] != '\0'; i++) {
		if (s[i] == '\0')
			return i == 10;
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != shape[i] && !(i == 10 && s[i] == ' '))
			return 0;
	}
	s += i;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			;
	if (*s == 'Z' || *s == '\0')
		return s[*s == 'Z'] == '\0';
	return (*s == '+' || *s == '-') && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && s[3] == ':' &&
	    isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) &&
	    s[6] == '\0';
}

/* The program's vocabularies as the SQL functions take them. */
struct vocab {
	char	*attending_codes;
	char	*attending_labels;
	char	*access_codes;
	char	*access_labels;
};

static size_t
count_of(const char *const *list)
{
	size_t n = 0;

	while (list[n] != NULL)
		n++;
	return n;
}

static int
vocab_make(struct vocab *v)
{
	v->attending_codes = util_pg_array(attending_codes,
	    count_of(attending_codes));
	v->attending_labels = util_pg_array(attending_labels,
	    count_of(attending_labels));
	v->access_codes = util_pg_array(access_codes, count_of(access_codes));
	v->access_labels = util_pg_array(access_labels,
	    count_of(access_labels));
	return v->attending_codes != NULL && v->attending_labels != NULL &&
	    v->access_codes != NULL && v->access_labels != NULL ? 0 : -1;
}

/* The vocabularies as the first four parameters of a statement. */
static void
vocab_params(const struct vocab *v, const char **p)
{
	p[0] = v->attending_codes;
	p[1] = v->attending_labels;
	p[2] = v->access_codes;
	p[3] = v->access_labels;
}

static void
vocab_free(struct vocab *v)
{
	free(v->attending_codes);
	free(v->attending_labels);
	free(v->access_codes);
	free(v->access_labels);
}

/* GET /api/oruk: which standard this speaks, and where it is written. */
int
oruk_root(struct request *r)
{
	struct json j;
	char *body, *url;
	size_t len;

	json_init(&j);
	json_open(&j, '{');
	json_key(&j, "version");
	json_string(&j, "3.0");
	json_key(&j, "profile");
	json_string(&j, "https://openreferraluk.org/specifications/3.0/");
	json_key(&j, "openapi_url");
	url = util_printf("%s%s", cfg->public_url,
	    static_url("oruk-openapi.json"));
	json_string(&j, url != NULL ? url : "");
	free(url);
	json_close(&j);
	if ((body = json_finish(&j, &len)) == NULL)
		return http_error(r, 500);
	response_header(r, "Access-Control-Allow-Origin", "*");
	return http_send(r, 200, "application/json", body, len, 0);
}

/*
 * The filters /services and /service_at_locations share, as $1 to $10:
 * search, taxonomy_term_id, taxonomy_id, organization_id, minimum_age,
 * maximum_age, day, start_time, end_time, modified_after.  s is the
 * service row.
 */
#define SERVICE_FILTERS \
	" NOT s.deleted" \
	" AND ($1::text IS NULL OR s.search @@ acorn_prefix_query($1))" \
	" AND ($2::uuid IS NULL OR $2::uuid = ANY (acorn_oruk_term_ids(s)))" \
	" AND ($3::uuid IS NULL OR CASE $3::uuid" \
	"  WHEN acorn_taxonomy_id('acorn-attending') THEN" \
	"   cardinality(s.attending) > 0" \
	"  WHEN acorn_taxonomy_id('acorn-access') THEN" \
	"   cardinality(s.access) > 0" \
	"  ELSE EXISTS (SELECT 1 FROM taxonomy_terms t WHERE t.id = ANY" \
	"   (s.terms) AND acorn_taxonomy_id(t.taxonomy) = $3::uuid) END)" \
	" AND ($4::uuid IS NULL OR s.organisation = $4::uuid)" \
	" AND ($5::integer IS NULL OR coalesce(s.minimum_age, 0) <=" \
	"  $5::integer)" \
	" AND ($6::integer IS NULL OR coalesce(s.maximum_age, 200) >=" \
	"  $6::integer)" \
	" AND (coalesce($7, $8, $9) IS NULL OR EXISTS (SELECT 1" \
	"  FROM jsonb_array_elements(s.schedules) e" \
	"  WHERE ($7::text IS NULL OR CASE WHEN e->>'freq' = 'WEEKLY'" \
	"   THEN $7 = ANY (string_to_array(e->>'byday', ','))" \
	"   ELSE right(e->>'byday', 2) = $7 END)" \
	"  AND ($8::text IS NULL OR e->>'opens_at' <= $8)" \
	"  AND ($9::text IS NULL OR e->>'closes_at' >= $9)))" \
	" AND ($10::timestamptz IS NULL OR s.updated > $10::timestamptz)"

/*
 * The shared filters' values from the query, into p[0] to p[9]; NULL,
 * else the message of the 400.
 */
static const char *
filters_read(struct request *r, const char *p[10])
{
	static const struct {
		enum key	 key;
		const char	*message;
	} keys[10] = {
		{ KEY_SEARCH, "search must be on one line" },
		{ KEY_TAXONOMY_TERM_ID, "taxonomy_term_id must be a UUID" },
		{ KEY_TAXONOMY_ID, "taxonomy_id must be a UUID" },
		{ KEY_ORGANIZATION_ID, "organization_id must be a UUID" },
		{ KEY_MINIMUM_AGE, "minimum_age must be a whole number" },
		{ KEY_MAXIMUM_AGE, "maximum_age must be a whole number" },
		{ KEY_DAY, "day must be a day's code: MO, TU, WE, TH, FR, SA "
		    "or SU" },
		{ KEY_START_TIME, "start_time must be a time like 09:30" },
		{ KEY_END_TIME, "end_time must be a time like 17:00" },
		{ KEY_MODIFIED_AFTER, "modified_after must be a date and time "
		    "as RFC 3339 writes it, like 2026-01-31T09:00:00Z" },
	};
	const char *t;
	int i;

	for (i = 0; i < 10; i++) {
		t = r->form.f[keys[i].key].text;
		if (r->form.f[keys[i].key].error)
			return keys[i].message;
		p[i] = t != NULL && *t != '\0' ? t : NULL;
	}
	if ((p[6] != NULL && code_index(weekday_codes, p[6]) == -1) ||
	    (p[9] != NULL && !stamp_valid(p[9])))
		return keys[p[6] != NULL &&
		    code_index(weekday_codes, p[6]) == -1 ? 6 : 9].message;
	return NULL;
}

/* GET /api/oruk/services */
int
oruk_services(struct request *r)
{
	struct paging pg;
	const char *p[13], *bad;

	if ((bad = paging_read(r, &pg)) != NULL ||
	    (bad = filters_read(r, p)) != NULL)
		return oruk_error(r, 400, bad);
	p[10] = pg.limit;
	p[11] = pg.offset;
	p[12] = pg.page;
	return oruk_send(r, db_query(r->db, PGRES_TUPLES_OK,
	    "WITH f AS (SELECT s, o FROM services s LEFT JOIN organisations o"
	    " ON o.id = s.organisation WHERE" SERVICE_FILTERS "),"
	    " p AS (SELECT (f.s).id, lower((f.s).name) AS k,"
	    "  acorn_oruk_service_list(f.s, f.o) AS j FROM f"
	    "  ORDER BY lower((f.s).name), (f.s).id"
	    "  LIMIT $11::integer OFFSET $12::bigint)"
	    " SELECT acorn_oruk_page((SELECT count(*) FROM f), $13::integer,"
	    " $11::integer, (SELECT jsonb_agg(j ORDER BY k, id) FROM p))::text",
	    13, p));
}

/* GET /api/oruk/services/{id}: the service whole. */
int
oruk_service(struct request *r)
{
	struct vocab v;
	const char *p[5];
	int rc;

	if (!util_uuid_valid(r->arg))
		return oruk_error(r, 404, "No such service");
	if (vocab_make(&v) == -1) {
		vocab_free(&v);
		return http_error(r, 500);
	}
	vocab_params(&v, p);
	p[4] = r->arg;
	rc = oruk_send(r, db_query(r->db, PGRES_TUPLES_OK, "SELECT"
	    " acorn_oruk_service(s, o, $1::text[], $2::text[], $3::text[],"
	    " $4::text[])::text FROM services s LEFT JOIN organisations o"
	    " ON o.id = s.organisation WHERE s.id = $5 AND NOT s.deleted", 5,
	    p));
	vocab_free(&v);
	return rc;
}

/*
 * Where a postcode is (its district's middle when only that is known),
 * into lat and lon; NULL, else the message of the 400.
 */
static const char *
postcode_read(struct request *r, char lat[32], char lon[32], int *failed)
{
	char pc[POSTCODE_LEN + 1];
	const char *p[1] = { pc };
	const char *t = r->form.f[KEY_POSTCODE].text;
	PGresult *res;

	*lat = *lon = '\0';
	*failed = 0;
	if (r->form.f[KEY_POSTCODE].error || (t != NULL && *t != '\0' &&
	    postcode_normal(t, pc) == -1))
		return "postcode must be a full UK postcode";
	if (r->form.f[KEY_PROXIMITY].error)
		return "proximity must be a whole number of metres from 0";
	if (t == NULL || *t == '\0')
		return r->form.f[KEY_PROXIMITY].text != NULL ?
		    "proximity needs a postcode" : NULL;
	if ((res = db_query(r->db, PGRES_TUPLES_OK, "SELECT latitude,"
	    " longitude FROM acorn_postcode_point($1)", 1, p)) == NULL) {
		*failed = 1;
		return NULL;
	}
	if (PQntuples(res) == 1) {
		snprintf(lat, 32, "%s", PQgetvalue(res, 0, 0));
		snprintf(lon, 32, "%s", PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return *lat == '\0' ? "postcode is not one this node knows" : NULL;
}

/* Services at their locations, $1 to $10 the services' filters. */
#define AT_LOCATIONS \
	"WITH f AS (SELECT s, o, l, acorn_oruk_id(s.id || ':' || l.id) AS sal," \
	" acorn_distance_km($15::float8, $16::float8, coalesce(l.latitude," \
	"  pc.latitude, d.latitude), coalesce(l.longitude, pc.longitude," \
	"  d.longitude)) AS km" \
	" FROM services s CROSS JOIN LATERAL unnest(s.locations) AS x (lid)" \
	" JOIN locations l ON l.id = x.lid AND NOT l.deleted" \
	" LEFT JOIN postcodes pc ON pc.postcode = l.postal_code" \
	" LEFT JOIN postcode_districts d" \
	"  ON d.outcode = split_part(l.postal_code, ' ', 1)" \
	" LEFT JOIN organisations o ON o.id = s.organisation" \
	" WHERE" SERVICE_FILTERS ")"

/* GET /api/oruk/service_at_locations */
int
oruk_service_at_locations(struct request *r)
{
	struct paging pg;
	const char *p[16], *bad;
	char lat[32], lon[32];
	int failed;

	if ((bad = paging_read(r, &pg)) != NULL ||
	    (bad = filters_read(r, p)) != NULL ||
	    (bad = postcode_read(r, lat, lon, &failed)) != NULL)
		return oruk_error(r, 400, bad);
	if (failed)
		return http_error(r, 503);
	p[10] = pg.limit;
	p[11] = pg.offset;
	p[12] = pg.page;
	p[13] = r->form.f[KEY_PROXIMITY].text;
	p[14] = *lat != '\0' ? lat : NULL;
	p[15] = *lon != '\0' ? lon : NULL;
	return oruk_send(r, db_query(r->db, PGRES_TUPLES_OK, AT_LOCATIONS ","
	    " g AS (SELECT * FROM f WHERE $14::integer IS NULL OR"
	    "  f.km * 1000 <= $14::integer + 0.5),"
	    " p AS (SELECT g.sal, g.km, lower((g.s).name) AS k,"
	    "  jsonb_build_object('id', g.sal, 'service_id', (g.s).id,"
	    "  'location_id', (g.l).id, 'location', acorn_oruk_location(g.l),"
	    "  'service', acorn_oruk_service_list(g.s, g.o)) AS j FROM g"
	    "  ORDER BY g.km NULLS LAST, lower((g.s).name), g.sal"
	    "  LIMIT $11::integer OFFSET $12::bigint)"
	    " SELECT acorn_oruk_page((SELECT count(*) FROM g), $13::integer,"
	    " $11::integer, (SELECT jsonb_agg(j ORDER BY km NULLS LAST, k, sal)"
	    " FROM p))::text", 16, p));
}

/* GET /api/oruk/service_at_locations/{id} */
int
oruk_service_at_location(struct request *r)
{
	const char *p[1];

	if (!util_uuid_valid(r->arg))
		return oruk_error(r, 404, "No such service at a location");
	p[0] = r->arg;
	return oruk_send(r, db_query(r->db, PGRES_TUPLES_OK, "SELECT"
	    " jsonb_build_object('id', $1::uuid, 'service_id', s.id,"
	    " 'location_id', l.id, 'location', acorn_oruk_location(l))::text"
	    " FROM services s CROSS JOIN LATERAL unnest(s.locations) AS x (lid)"
	    " JOIN locations l ON l.id = x.lid AND NOT l.deleted"
	    " WHERE NOT s.deleted"
	    " AND acorn_oruk_id(s.id || ':' || l.id) = $1::uuid LIMIT 1", 1,
	    p));
}

/*
 * Acorn's taxonomies, as JSON rows: the needs and activities, how
 * people take part, how they get in.
 */
#define TAXONOMIES \
    "SELECT acorn_taxonomy_id(t.name) AS id, jsonb_build_object(" \
    " 'id', acorn_taxonomy_id(t.name), 'name', t.name," \
    " 'description', t.description, 'version', '1') AS j, t.n" \
    " FROM (VALUES (1, 'acorn-needs', 'Needs and activities common in" \
    " social prescribing, written for Acorn; local terms may be added.')," \
    " (2, 'acorn-attending', 'How people take part in a service.')," \
    " (3, 'acorn-access', 'How people get into a service.'))" \
    " AS t (n, name, description)"

/*
 * A list's paging and its search words, as $1 to $4: the page size, the
 * rows before the page, the page, and the words (NULL for none); NULL,
 * else the message of the 400.
 */
static const char *
search_read(struct request *r, struct paging *pg, const char *p[4])
{
	const char *bad, *t = r->form.f[KEY_SEARCH].text;

	if ((bad = paging_read(r, pg)) != NULL)
		return bad;
	if (r->form.f[KEY_SEARCH].error)
		return "search must be on one line";
	p[0] = pg->limit;
	p[1] = pg->offset;
	p[2] = pg->page;
	p[3] = t != NULL && *t != '\0' ? t : NULL;
	return NULL;
}

/* GET /api/oruk/taxonomies */
int
oruk_taxonomies(struct request *r)
{
	struct paging pg;
	const char *p[4], *bad;

	if ((bad = search_read(r, &pg, p)) != NULL)
		return oruk_error(r, 400, bad);
	return oruk_send(r, db_query(r->db, PGRES_TUPLES_OK, "WITH f AS ("
	    "SELECT * FROM (" TAXONOMIES ") x WHERE $4::text IS NULL OR"
	    " x.j->>'name' ILIKE '%' || $4 || '%' OR x.j->>'description' ILIKE"
	    " '%' || $4 || '%'), p AS (SELECT * FROM f ORDER BY n"
	    " LIMIT $1::integer OFFSET $2::bigint)"
	    " SELECT acorn_oruk_page((SELECT count(*) FROM f), $3::integer,"
	    " $1::integer, (SELECT jsonb_agg(j ORDER BY n) FROM p))::text", 4,
	    p));
}

/* GET /api/oruk/taxonomies/{id} */
int
oruk_taxonomy(struct request *r)
{
	const char *p[1];

	if (!util_uuid_valid(r->arg))
		return oruk_error(r, 404, "No such taxonomy");
	p[0] = r->arg;
	return oruk_send(r, db_query(r->db, PGRES_TUPLES_OK, "SELECT j::text"
	    " FROM (" TAXONOMIES ") x WHERE x.id = $1::uuid", 1, p));
}

/* GET /api/oruk/taxonomy_terms */
int
oruk_taxonomy_terms(struct request *r)
{
	struct vocab v;
	struct paging pg;
	const char *p[11], *bad, *top = r->form.f[KEY_TOP_ONLY].text;
	int rc;

	if ((bad = paging_read(r, &pg)) != NULL)
		return oruk_error(r, 400, bad);
	if (r->form.f[KEY_SEARCH].error || r->form.f[KEY_TAXONOMY_ID].error ||
	    r->form.f[KEY_PARENT_ID].error || (top != NULL &&
	    strcmp(top, "true") != 0 && strcmp(top, "false") != 0))
		return oruk_error(r, 400, "search must be on one line,"
		    " taxonomy_id and parent_id UUIDs, top_only true or false");
	if (vocab_make(&v) == -1) {
		vocab_free(&v);
		return http_error(r, 500);
	}
	vocab_params(&v, p);
	p[4] = pg.limit;
	p[5] = pg.offset;
	p[6] = pg.page;
	p[7] = r->form.f[KEY_SEARCH].text;
	p[8] = r->form.f[KEY_TAXONOMY_ID].text;
	p[9] = r->form.f[KEY_PARENT_ID].text;
	p[10] = top != NULL && strcmp(top, "true") == 0 ? "t" : "f";
	rc = oruk_send(r, db_query(r->db, PGRES_TUPLES_OK, "WITH f AS ("
	    "SELECT * FROM acorn_oruk_terms($1::text[], $2::text[],"
	    " $3::text[], $4::text[]) t"
	    " WHERE ($8::text IS NULL OR t.name ILIKE '%' || $8 || '%')"
	    " AND ($9::uuid IS NULL OR t.taxonomy_id = $9::uuid)"
	    " AND ($10::uuid IS NULL OR t.parent = $10::uuid)"
	    " AND (NOT $11::boolean OR t.parent IS NULL)),"
	    " p AS (SELECT * FROM f ORDER BY lower(f.name), f.id"
	    " LIMIT $5::integer OFFSET $6::bigint)"
	    " SELECT acorn_oruk_page((SELECT count(*) FROM f), $7::integer,"
	    " $5::integer, (SELECT jsonb_agg(body ORDER BY lower(name), id)"
	    " FROM p))::text", 11, p));
	vocab_free(&v);
	return rc;
}

/* GET /api/oruk/taxonomy_terms/{id} */
int
oruk_taxonomy_term(struct request *r)
{
	struct vocab v;
	const char *p[5];
	int rc;

	if (!util_uuid_valid(r->arg))
		return oruk_error(r, 404, "No such taxonomy term");
	if (vocab_make(&v) == -1) {
		vocab_free(&v);
		return http_error(r, 500);
	}
	vocab_params(&v, p);
	p[4] = r->arg;
	rc = oruk_send(r, db_query(r->db, PGRES_TUPLES_OK, "SELECT body::text"
	    " FROM acorn_oruk_terms($1::text[], $2::text[], $3::text[],"
	    " $4::text[]) WHERE id = $5::uuid", 5, p));
	vocab_free(&v);
	return rc;
}

/* GET /api/oruk/organizations (search, page, per_page) */
int
oruk_organizations(struct request *r)
{
	struct paging pg;
	const char *p[4], *bad;

	if ((bad = search_read(r, &pg, p)) != NULL)
		return oruk_error(r, 400, bad);
	return oruk_send(r, db_query(r->db, PGRES_TUPLES_OK, "WITH f AS ("
	    "SELECT o FROM organisations o WHERE NOT o.deleted"
	    " AND ($4::text IS NULL OR to_tsvector('simple', o.name || ' ' ||"
	    " o.description) @@ acorn_prefix_query($4))),"
	    " p AS (SELECT (f.o).id, lower((f.o).name) AS k,"
	    "  acorn_oruk_organization(f.o) AS j FROM f"
	    "  ORDER BY lower((f.o).name), (f.o).id"
	    "  LIMIT $1::integer OFFSET $2::bigint)"
	    " SELECT acorn_oruk_page((SELECT count(*) FROM f), $3::integer,"
	    " $1::integer, (SELECT jsonb_agg(j ORDER BY k, id) FROM p))::text",
	    4, p));
}

/* GET /api/oruk/organizations/{id}: the organisation whole. */
int
oruk_organization(struct request *r)
{
	const char *p[1];

	if (!util_uuid_valid(r->arg))
		return oruk_error(r, 404, "No such organization");
	p[0] = r->arg;
	return oruk_send(r, db_query(r->db, PGRES_TUPLES_OK, "SELECT"
	    " acorn_oruk_organization_full(o)::text FROM organisations o"
	    " WHERE o.id = $1 AND NOT o.deleted", 1, p));
}
