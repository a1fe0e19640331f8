/*
 * The web layer (server/web/): libmicrohttpd, forms, sessions, the
 * template renderer and what every page's view holds.  It knows no
 * resource: the pages (server/pages/) and the route table
 * (server/routes.c) build on it.  One heading per file.
 */
#ifndef ACORN_WEB_H
#define ACORN_WEB_H

#ifdef ACORN_LAYER_CORE
#error "the core layer may not use the web layer"
#endif
#ifdef ACORN_LAYER_FEEDS
#error "the federation library (feeds/) may not use the web layer"
#endif

#include "core.h"

struct MHD_Connection;
struct MHD_Response;

/* template.c */
struct view;
struct view	*view_new(void);
void		 view_free(struct view *);
void		 view_set(struct view *, const char *, const char *);
void		 view_setf(struct view *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
void		 view_flag(struct view *, const char *, int);
struct view	*view_add(struct view *, const char *);
const char	*view_get(const struct view *, const char *);
int		 view_has(const struct view *, const char *);
int		 templates_load(const char *);
void		 templates_free(void);
int		 template_render(const char *, const struct view *, char **,
		    size_t *);
void		 view_markdown(struct view *, const char *, const char *, int);

/* form.c */
enum key {
	KEY_BIO,
	KEY_CSRF,
	KEY_EMAIL,
	KEY_GROUP,
	KEY_ID,
	KEY_INTERESTS,
	KEY_LISTED,
	KEY_NAME,
	KEY_NEXT,
	KEY_NODE,
	KEY_ORGANISATION,
	KEY_PAGE,
	KEY_PASSWORD,
	KEY_PASSWORD2,
	KEY_Q,
	KEY_REGION,
	KEY_ROLE_TITLE,
	KEY_SAVED,
	KEY_CONFIRM,
	KEY_TITLE,
	KEY_DESCRIPTION,
	KEY_KIND,
	KEY_START,
	KEY_END,
	KEY_VENUE,
	KEY_ADDRESS,
	KEY_ONLINE_URL,
	KEY_ORGANISER,
	KEY_ORGANISER_EMAIL,
	KEY_OPENS,
	KEY_CLOSES,
	KEY_CHECK,
	KEY_PLACE_NAME,
	KEY_CAPACITY,
	KEY_PLACE,
	KEY_PLACES,
	KEY_PUBLIC,
	KEY_OTHER_NODES,
	KEY_REQUEST,
	KEY_WHEN,
	KEY_QKIND,
	KEY_LABEL,
	KEY_CHOICES,
	KEY_REQUIRED,
	KEY_QUESTION,
	KEY_ROLE,
	KEY_COL,
	KEY_WHICH,
	KEY_DONE,
	KEY_SLUG,
	KEY_CATEGORY,
	KEY_TAGS,
	KEY_TAG,
	KEY_BODY,
	KEY_SUMMARY,
	KEY_BASE,
	KEY_REVISION,
	KEY_FROM,
	KEY_TO,
	KEY_PROTECTED,
	KEY_TERM,
	KEY_DEFINITION,
	KEY_SYNONYMS,
	KEY_SCHEME,
	KEY_AREA,
	KEY_YEAR,
	KEY_DESIGN,
	KEY_SAMPLE_SIZE,
	KEY_FOLLOW_UP,
	KEY_ABSTRACT,
	KEY_OUTCOME,
	KEY_DIRECTION,
	KEY_GP_CONSULTATIONS_DIRECTION,
	KEY_GP_CONSULTATIONS_MEASURE,
	KEY_GP_CONSULTATIONS_FIGURE,
	KEY_AE_ATTENDANCE_DIRECTION,
	KEY_AE_ATTENDANCE_MEASURE,
	KEY_AE_ATTENDANCE_FIGURE,
	KEY_WELLBEING_DIRECTION,
	KEY_WELLBEING_MEASURE,
	KEY_WELLBEING_FIGURE,
	KEY_LONELINESS_DIRECTION,
	KEY_LONELINESS_MEASURE,
	KEY_LONELINESS_FIGURE,
	KEY_ANXIETY_DEPRESSION_DIRECTION,
	KEY_ANXIETY_DEPRESSION_MEASURE,
	KEY_ANXIETY_DEPRESSION_FIGURE,
	KEY_ACTIVATION_DIRECTION,
	KEY_ACTIVATION_MEASURE,
	KEY_ACTIVATION_FIGURE,
	KEY_EMPLOYMENT_VOLUNTEERING_DIRECTION,
	KEY_EMPLOYMENT_VOLUNTEERING_MEASURE,
	KEY_EMPLOYMENT_VOLUNTEERING_FIGURE,
	KEY_COST_ROI_DIRECTION,
	KEY_COST_ROI_MEASURE,
	KEY_COST_ROI_FIGURE,
	KEY_URL,
	KEY_FINGERPRINT,
	KEY_HUB,
	KEY_CLAIM,
	KEY_PEER,
	KEY_TOKEN,
	KEY_CURRENT,
	KEY_SESSION,
	KEY_PREVIEW,
	KEY_MEASURED,
	KEY_STEP,
	KEY_CHANGED,
	KEY_REASON,
	KEY_NEWS,
	/* The directory of services (services.c). */
	KEY_SERVICE,
	KEY_STATUS,
	KEY_WEBSITE,
	KEY_PHONE,
	KEY_CONTACT_NAME,
	KEY_ALERT,
	KEY_MIN_AGE,
	KEY_MAX_AGE,
	KEY_ELIGIBILITY,
	KEY_FEES,
	KEY_FREE,
	KEY_LANGUAGES,
	KEY_ACCESSIBILITY,
	KEY_ATTEND,
	KEY_ACCESS,
	KEY_TERMS,
	KEY_NEED,
	KEY_AGE,
	KEY_DAY,
	KEY_AT,
	KEY_SORT,
	KEY_ORG,
	KEY_TOWN,
	KEY_POSTCODE,
	KEY_ASSURE,
	KEY_ACCOUNT_ID,
	KEY_TOPIC,
	KEY_DETAILS,
	KEY_REPORT,
	KEY_DISTANCE,
	KEY_ADDED,
	/* The ORUK API (oruk.c). */
	KEY_SEARCH,
	KEY_PER_PAGE,
	KEY_TAXONOMY_TERM_ID,
	KEY_TAXONOMY_ID,
	KEY_ORGANIZATION_ID,
	KEY_MINIMUM_AGE,
	KEY_MAXIMUM_AGE,
	KEY_START_TIME,
	KEY_END_TIME,
	KEY_MODIFIED_AFTER,
	KEY_PROXIMITY,
	KEY_PARENT_ID,
	KEY_LOCATIONS,
	KEY_TOP_ONLY,
	KEY_HOURS_NOTE,
	KEY_MONTHLY_WEEK,
	KEY_MONTHLY_DAY,
	KEY_MONTHLY_OPENS,
	KEY_MONTHLY_CLOSES,
	/* A week's opening hours, Monday first, as weekday_codes. */
	KEY_OPENS_MO,
	KEY_OPENS_TU,
	KEY_OPENS_WE,
	KEY_OPENS_TH,
	KEY_OPENS_FR,
	KEY_OPENS_SA,
	KEY_OPENS_SU,
	KEY_CLOSES_MO,
	KEY_CLOSES_TU,
	KEY_CLOSES_WE,
	KEY_CLOSES_TH,
	KEY_CLOSES_FR,
	KEY_CLOSES_SA,
	KEY_CLOSES_SU,
	/* Places kept for chosen stakeholder groups. */
	KEY_KEEP,
	KEY_KEPT,
	KEY_GROUPS,
	KEY_UNTIL,
	KEY_KEEPING,
	/* Feedback forms. */
	KEY_NAMED,
	KEY_SEND,
	KEY__MAX
};
enum field_error { FIELD_OK, FIELD_TOO_LONG, FIELD_BAD_CHARS, FIELD_BAD_FORMAT };
/*
 * A date and time typed as GOV.UK date inputs: NAME-day, NAME-month,
 * NAME-year, NAME-hour and NAME-minute (form.c, K_WHEN).
 */
enum date_part { PART_DAY, PART_MONTH, PART_YEAR, PART_HOUR, PART_MINUTE,
    PART__MAX };
/*
 * What form_end found wrong with a date, as bits in the field's num
 * (when.c words them):
 * a part left empty, a part that is no number in its range, a date that
 * is not on the calendar, a year not written in full.
 */
enum {
	WHEN_NO_DAY = 1 << PART_DAY, WHEN_NO_MONTH = 1 << PART_MONTH,
	WHEN_NO_YEAR = 1 << PART_YEAR, WHEN_NO_HOUR = 1 << PART_HOUR,
	WHEN_BAD_SHIFT = 8,	/* a part's bit, shifted: not a number */
	WHEN_NOT_REAL = 1 << 16,	/* every part fine, the day is not */
	WHEN_YEAR_DIGITS = 1 << 17,
	WHEN_YEAR_RANGE = 1 << 18,
	WHEN_NO_DATE = 1 << 19	/* a time, and no date to go with it */
};
#define WHEN_BAD(part)	(1 << ((part) + WHEN_BAD_SHIFT))
/* A field as it left validation: text is valid UTF-8, trimmed, in range. */
struct field {
	const char	*text;	/* NULL when absent */
	const char	*shown;	/* a refused value, valid UTF-8, to show again */
	long		 num;	/* numbers, and 1 for a ticked box */
	int		 error;	/* enum field_error: present but refused */
	char		*part[PART__MAX];	/* a date's inputs, as typed */
};
/* An answer to one of an event's questions: a field named answer_<id>. */
#define FORM_ANSWERS	24
struct form_answer {
	long		 question;
	const char	*text;	/* trimmed, valid UTF-8; NULL when refused */
	int		 error;	/* enum field_error */
};
struct form {
	struct field	 f[KEY__MAX];
	struct form_answer answers[FORM_ANSWERS];
	int		 nanswers;
	int		 nerrors;
	int		 oversize;	/* body larger than any field allows */
};
const char	*form_key_name(enum key);
size_t		 form_key_max(enum key);
int		 form_key_secret(enum key);
int		 form_key_lookup(const char *);
int		 form_query_known(const char *);
int		 form_query_raw(const char *);
void		 form_accept(struct form *, enum key, const char *, size_t);
int		 form_take(struct form *, const char *, const char *,
		    size_t);
void		 form_end(struct form *);
const char	*form_part_name(int);
const char	*form_key_label(enum key);
const char	*form_key_time_label(enum key);
int		 form_answer(struct form *, const char *, const char *, size_t);
const struct form_answer *form_answer_get(const struct form *, long);
void		 form_free(struct form *);
void		 form_error_text(enum key, int, char *, size_t);
/* route.c */
/* Who may use a route and how its body is read: or-ed into route.flags. */
enum route_flag {
	NEED_MEMBER	 = 1 << 0,	/* signed in, or sent to sign in */
	NEED_COORDINATOR = 1 << 1,	/* a coordinator or admin */
	NEED_ADMIN	 = 1 << 2,	/* an admin: peers, keys and roles */
	CSRF		 = 1 << 3,	/* a POST carries the session's token */
	NO_DB		 = 1 << 4,	/* answered without the database */
	NO_SESSION	 = 1 << 5,	/* the database, but no session read */
	UPLOAD		 = 1 << 6,	/* takes a file, up to max_upload more */
	ATOM_ENTRY	 = 1 << 7,	/* the body is one Atom entry, kept raw */
	NEED_CONTRIBUTOR = 1 << 8,	/* a contributor, coordinator or admin */
	/*
	 * Its GET answer may be kept (cache.c): for everyone, each class of
	 * viewer (anonymous, or a role in a region) its own copy, for
	 * handlers whose page shows nothing of the person but the header's
	 * name and the form token; or for those not signed in by class and
	 * for each signed-in person a copy of their own, for pages that
	 * show more of the person, all of it from tables whose changes
	 * move the data version (their registrations, say).
	 */
	CACHE		 = 1 << 9,
	CACHE_OWN	 = 1 << 10,
	ATOM_FEED	 = 1 << 11	/* the body is one Atom feed, kept raw */
};
struct request;
struct route {
	const char	*path;		/* "*" matches one segment */
	unsigned int	 methods;	/* bit per enum method */
	unsigned int	 flags;		/* enum route_flag */
	long		 max_body;	/* bytes, when not the configured one */
	const char	*arg;		/* a fixed argument, for a fixed path */
	int		 (*handler)(struct request *);
	const char	*metric;	/* label in /metrics */
	const char	*section;	/* the header link it is under, or NULL */
	int		 clock;		/* seconds: a kept page's time step */
};
const struct route *route_find(const struct route *, size_t, const char *,
		    char *, size_t);
int		 route_is(const struct request *, unsigned int);

/* http.c */
enum method { METHOD_GET, METHOD_HEAD, METHOD_POST, METHOD__MAX };
struct account {
	long	 id;
	char	 member[ACORN_UUID_LEN + 1];
	char	*name;
	char	*email;
	char	*role;		/* member, coordinator, admin */
	char	*region;
};
struct request {
	struct MHD_Connection	*conn;
	enum method		 method;
	const char		*url;
	char			 arg[128];	/* the segment "*" matched */
	const struct route	*route;	/* NULL: no page at this path */
	struct form		 form;
	struct MHD_PostProcessor *pp;
	char			*body_name;	/* field being streamed */
	char			*acc;		/* value being accumulated */
	size_t			 acclen;
	size_t			 total;
	long			 declared;	/* Content-Length, or -1 */
	size_t			 fields;	/* bytes of fields other than files */
	struct {
		char	*filename;	/* as the browser named it */
		int	 fd;		/* a nameless temporary file, or -1 */
		size_t	 len;
		const char *data;	/* fd mapped, while the handler runs */
	}			 upload;	/* a file field, on upload routes */
	struct {
		char	*data;		/* NUL-terminated */
		size_t	 len;
		size_t	 cap;
	}			 entry;		/* the raw body, on ATOM_ routes */
	int			 too_large;
	int			 bad_body;
	int			 raw;		/* entry holds the raw body */
	int			 csrf_refused;	/* a file came without the token */
	int			 store_failed;	/* the file could not be kept */
	int			 answered;	/* a response is queued */
	int			 session_read;	/* session_load has run */
	int			 loopback;	/* the socket's peer is this host */
	int			 slot;		/* a large body's turn, held */
	struct db		*db;
	struct account		*account;	/* signed in, or NULL */
	char			 session[ACORN_TOKEN_LEN + 1];
	char			 csrf[ACORN_TOKEN_LEN + 1];
	/* Headers a handler adds to its response (response_header). */
	struct {
		const char	*name;
		char		*value;
	}			 headers[4];
	int			 nheaders;
	/* The response cache's state for this request (cache.c). */
	struct {
		char	*key;		/* kept under this, when it may be */
		int	 tried;		/* looked up already */
		int	 masked;	/* sentinels stand in for the values */
		int	 nostore;	/* the page is this request's alone */
		char	 csrf[ACORN_TOKEN_LEN + 1];	/* the real token */
		char	*name;		/* the real name in the header */
	}			 cache;
	struct timespec		 start;
	char			 addr[64];
	unsigned int		 status;
};
struct server;
struct server	*server_start(const struct config *, struct db_pool *,
		    const struct route *, size_t, const char *);
void		 server_stop(struct server *, int);
unsigned int	 server_port(const struct server *);
int		 http_error(struct request *, unsigned int);
int		 http_page(struct request *, unsigned int, const char *,
		    struct view *);
int		 http_redirect(struct request *, const char *);
int		 http_redirectf(struct request *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
int		 http_send(struct request *, unsigned int, const char *,
		    const void *, size_t, int);
int		 http_send_kept(struct request *, unsigned int, const char *,
		    const char *, const void *, size_t, int);
int		 http_queue(struct request *, unsigned int,
		    struct MHD_Response *);
int		 http_attachment(struct request *, const char *, char *, size_t,
		    const char *);
void		 http_csv_name(const char *, const char *, char *, size_t);
int		 http_download(struct request *, const char *, int, size_t,
		    const char *, const char *);
int		 http_tmpfile(void);
const char	*http_query(struct request *, const char *);
const char	*http_header(struct request *, const char *);
int		 http_not_modified(struct request *, const char *, const char *);
int		 http_local(struct request *);
struct db	*http_db_try(struct request *);

/* cache.c: responses kept in memory until the data changes. */
int		 cache_init(long);
void		 cache_free(void);
struct MHD_Response *cache_find(struct request *, unsigned int *);
void		 cache_mask(struct request *);
void		 cache_unmask(struct request *);
struct MHD_Response *cache_keep(struct request *, unsigned int *,
		    const char *, const char *, char *, size_t);
void		 cache_text(struct strbuf *);
int		 cache_fits(size_t);
int		 cache_form_key(const struct request *, char[ACORN_TOKEN_LEN + 1]);

/* response.c: the headers a handler adds to its response. */
int		 response_header(struct request *, const char *, const char *);
int		 response_retry_after(struct request *, long);
int		 http_fresh(struct request *, const char *);
struct MHD_Response *response_not_modified(const char *, const char *);

/* counters.c: requests by route and status, and their latency. */
struct strbuf;
int		 counters_init(const struct route *, size_t);
void		 counters_record(const struct route *, unsigned int, double);
void		 counters_text(struct strbuf *);

/* session.c */
/* The node's only cookies, named here for the cookies page to state. */
#define COOKIE_SESSION	"acorn_session"	/* a signed-in session */
#define COOKIE_PRE	"acorn_pre"	/* a form's token before signing in */
int	 session_cookie(struct request *, const char *, const char *, long);
int	 session_load(struct request *);
void	 session_kept_free(void);
void	 session_kept_counts(unsigned long *, unsigned long *);
int	 session_create(struct request *, long);
int	 session_form(struct request *);
int	 session_destroy(struct request *);
void	 session_csrf(const char *, char out[ACORN_TOKEN_LEN + 1]);
int	 session_csrf_ok(struct request *);
int	 is_coordinator(const struct request *);
int	 is_admin(const struct request *);
int	 is_contributor(const struct request *);
int	 session_set_secret(const unsigned char *, size_t);
int	 session_end_all(struct request *, int);
void	 session_token_hash(const char *, char[65]);
/*
 * What throttle_* count: each per client address (an IPv6 one by its
 * /64), sign-ins also per email, and mails anyone may ask for also per
 * address they go to.
 */
enum throttle {
	THROTTLE_SIGNIN,
	THROTTLE_SIGNIN_ADDRESS,
	THROTTLE_JOIN,
	THROTTLE_MAIL,		/* reset links and confirmation resends */
	THROTTLE_MAIL_TO,	/* those, and "already has an account" */
	THROTTLE_REPORT,	/* problems reported with listings */
	THROTTLE__MAX
};
long	 throttle_take(struct db *, enum throttle, const char *, const char *);
long	 throttle_signin_take(struct db *, const char *, const char *);
void	 throttle_signin_give(struct db *, const char *, const char *);
void	 throttle_signin_ok(struct db *, const char *, const char *);
void	 throttle_signin_failed(struct db *, const char *, const char *);
int	 throttle_mail_to(struct db *, const char *);
void	 account_free(struct account *);

/* static.c */
int	 static_load(const char *);
void	 static_free(void);
int	 static_serve(struct request *);
const char *static_url(const char *);

/* chart.c */
#define CHART_SERIES	8
struct chart_series {
	const char	*code;	/* names the fill's class */
	const char	*label;
	const char	*param;	/* the query key code filters a list by */
};
struct chart_row {
	const char	*label;
	long		 values[CHART_SERIES];
	const char	*href;	/* the list behind the row, or NULL */
};
int		 chart_add(struct view *, const char *, const char *,
		    const char *, const struct chart_series *, int,
		    const struct chart_row *, int);
int		 chart_rows_by_code(const PGresult *, const char *,
		    const char *const *, const char *const *, int, int,
		    struct chart_row *, int);

/* page.c */
void		 view_common(struct request *, struct view *, const char *);
struct view	*page_view(struct request *, const char *);
struct view	*page_form(struct request *, const char *, const char *);
void		 view_error(struct view *, const char *, const char *);
char		*view_comma_list(struct view *, const char *, const char *,
		    size_t, size_t, const char *);
const char	*view_field(struct view *, struct request *, enum key,
		    const char *);
/* when.c: a date's inputs on a form page, as view_field a line's */
const char	*view_date(struct view *, struct request *, enum key, int,
		    const char *, char *, size_t);
void		 view_choices(struct view *);
void		 view_regions(struct view *);
void		 view_codes(struct view *, const char *, const char *const *,
		    const char *const *);
char		*view_codes_array(struct view *, struct request *, enum key,
		    const char *, const char *const *, const char *);
void		 view_checkboxes(struct view *, const char *,
		    const char *const *, const char *const *, const char *);
int		 page_message(struct request *, unsigned int, const char *,
		    const char *, const char *, const char *, int);
int		 page_message_take(struct request *, unsigned int, const char *,
		    char *, const char *, const char *, int);

/* pager.c: a list shown a page at a time. */
struct pager {
	long	page;		/* shown, from 1 */
	long	size;		/* rows a page */
	long	total;		/* rows in all, which the caller counts */
	char	limit[24];	/* size and offset, as $n parameters */
	char	offset[24];
};
void		 pager_init(struct pager *, const struct request *, long);
void		 view_pager(struct view *, struct request *,
		    const struct pager *);

/*
 * confirm.c: the "Are you sure?" page a destructive action shows first
 * (GOV.UK pattern): what will happen, a red button that sends the form
 * with the fields that name what is acted on, and "No, go back".
 */
struct confirm {
	const char	*heading;	/* "Refuse Pat's request?" */
	const char	*what[4];	/* sentences, NULL after the last */
	const char	*action;	/* where the button sends the form */
	const char	*fields[8];	/* name, value, …; NULL after the last */
	const char	*button;	/* "Yes, refuse the request" */
	const char	*back;		/* where "No, go back" goes */
	const char	*reason_hint;	/* non-NULL: ask for a reason */
};
int		 page_confirm(struct request *, const struct confirm *);

/* origin.c */
const char *origin_name(const PGresult *, int, int);
int	 origin_view(struct view *, const PGresult *, int, int);
int	 origin_refuse(struct request *, const char *, const PGresult *, int,
	    int);

#endif /* ACORN_WEB_H */
