/*
 * Shared declarations for the acorn program: one heading per file that
 * defines them, in the order a request meets them.
 */
#ifndef ACORN_H
#define ACORN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libpq-fe.h>
#include <openssl/types.h>

struct MHD_Connection;
struct MHD_Response;

#define ACORN_TOKEN_BYTES	32	/* 256-bit session tokens */
#define ACORN_TOKEN_LEN		43	/* base64url of 32 bytes, no padding */
#define ACORN_UUID_LEN		36

/* A timestamptz column as people read it: "4 March 2027, 09:30", UK time. */
#define SQL_LONDON(col) "to_char(" col " AT TIME ZONE 'Europe/London'," \
	" 'FMDD FMMonth YYYY, HH24:MI')"

/*
 * Where a shared row (table alias t) comes from, as the three columns
 * origin_view() reads: whether another node owns it, that node's name,
 * and the row's page there.  The query joins SQL_KNOWN(t), as alias k.
 */
#define SQL_ORIGIN(t)	t ".origin <> (SELECT id FROM node), k.name, " \
	t ".home"
#define SQL_KNOWN(t)	" LEFT JOIN known_nodes k ON k.id = " t ".origin"
/* A timestamp column as RFC 3339 in UTC, as Atom dates are written. */
#define RFC3339(col)	"to_char(" col " AT TIME ZONE 'UTC'," \
			" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* log.c */
enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };
void	 log_set_level(enum log_level);
int	 log_parse_level(const char *, enum log_level *);
const char *log_level_name(enum log_level);
void	 log_msg(enum log_level, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
#define log_err(...)	log_msg(LOG_ERR, __func__, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __func__, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __func__, __VA_ARGS__)

/* util.c */
int	 util_random(void *, size_t);
int	 util_token(char out[ACORN_TOKEN_LEN + 1]);
void	 util_base64url(const unsigned char *, size_t, char *);
void	 util_hex(const unsigned char *, size_t, char *);
int	 util_uuid(char out[ACORN_UUID_LEN + 1]);
int	 util_uuid_valid(const char *);
size_t	 util_utf8_next(const unsigned char *, size_t, size_t,
	    unsigned long *, size_t *);
int	 util_utf8_valid(const char *, size_t);
int	 util_ct_equal(const char *, const char *);
void	 util_sha256(const void *, size_t, unsigned char[32]);
char	*util_strdup(const char *);
char	*util_printf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*util_trim(char *);
char	*util_url_encode(const char *);
int	 util_parse_long(const char *, long, long, long *);
void	 util_size_text(long, char *, size_t);
int	 util_read_file(const char *, char **, size_t *, size_t);
char	*util_pg_array(const char *const *, size_t);
char	*util_next_part(const char **, int, int *);
int	 util_line_of(const char *, const char *);
size_t	 util_utf8_length(const char *);

/* config.c */
struct config {
	char	*path;
	char	*database;	/* libpq conninfo */
	char	*listen;	/* host:port, host is 127.0.0.1, ::1, 0.0.0.0 or :: */
	char	*public_url;	/* https://node.example.org */
	char	*node_name;
	char	*region;
	char	*datadir;	/* holds templates/ and schema/ */
	int	 threads;
	long	 max_body;	/* bytes */
	long	 max_upload;	/* bytes in one attached file */
	int	 timeout;	/* seconds a client may stay idle */
	int	 open_joining;
	int	 trust_proxy;	/* take the client from X-Forwarded-For */
	long	 session_idle;	/* seconds */
	long	 session_max;	/* seconds */
	int	 argon2_t;	/* Argon2id passes */
	int	 argon2_m;	/* Argon2id memory in KiB */
	int	 db_connections;
	enum log_level log_level;
	int	 secure_cookies;	/* derived: public_url is https */
	int	 public_url_set;	/* given, not the default */
	char	*smtp_url;	/* smtp:// or smtps://; empty: outbox only */
	char	*mail_from;	/* envelope and From: address */
	char	*smtp_user;	/* optional SMTP AUTH */
	char	*smtp_password;
	long	 mail_retry;	/* seconds before the first retry */
	int	 mail_max_attempts;
	char	*key_path;	/* this node's private key (PEM, mode 0600) */
	int	 sync_interval;	/* seconds between polls of a quiet peer */
};
int	 config_load(struct config *, const char *);
void	 config_defaults(struct config *);
int	 config_set(struct config *, const char *, const char *);
int	 config_write(struct config *, const char *);
void	 config_free(struct config *);

/* db.c */
struct db;
struct db_pool;
struct db_pool	*db_pool_new(const char *, int);
void		 db_pool_free(struct db_pool *);
struct db	*db_acquire(struct db_pool *);
void		 db_release(struct db_pool *, struct db *);
PGconn		*db_conn(struct db *);
PGconn		*db_connect(const char *);
PGresult	*db_query(struct db *, ExecStatusType, const char *, int,
		    const char *const *);
int		 db_exec(struct db *, const char *, int, const char *const *);
int		 db_call(struct db *, const char *, int, const char *const *);
long		 db_changes(struct db *, const char *, int,
		    const char *const *);
int		 db_begin(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);
int		 db_ping(struct db *);
int		 db_duplicate(const struct db *);
const char	*db_state(const struct db *);
unsigned long	 db_errors(void);
const char	*db_value(const PGresult *, int, int);
int		 db_migrate(PGconn *, const char *);

/* node.c */
int		 node_init(struct db *, const struct config *);
int		 node_load(struct db *);

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
int		 template_url_safe(const char *);

/* strbuf.c */
struct strbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 failed;	/* an allocation failed: take gives NULL */
};
void		 strbuf_add(struct strbuf *, const char *, size_t);
void		 strbuf_str(struct strbuf *, const char *);
void		 strbuf_printf(struct strbuf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
char		*strbuf_take(struct strbuf *);
void		 strbuf_free(struct strbuf *);

/* markdown.c */
char		*markdown_html(const char *, int);
char		*markdown_text(const char *);

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
	KEY_START_DATE,
	KEY_START_TIME,
	KEY_END_DATE,
	KEY_END_TIME,
	KEY_VENUE,
	KEY_ADDRESS,
	KEY_ONLINE_URL,
	KEY_ORGANISER,
	KEY_ORGANISER_EMAIL,
	KEY_OPENS_DATE,
	KEY_CLOSES_DATE,
	KEY_OPENS_TIME,
	KEY_CLOSES_TIME,
	KEY_PLACE_NAME,
	KEY_CAPACITY,
	KEY_PLACE,
	KEY_PLACES,
	KEY_PUBLIC,
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
	KEY_PEER,
	KEY__MAX
};
enum field_error { FIELD_OK, FIELD_TOO_LONG, FIELD_BAD_CHARS, FIELD_BAD_FORMAT };
/* A field as it left validation: text is valid UTF-8, trimmed, in range. */
struct field {
	const char	*text;	/* NULL when absent */
	const char	*shown;	/* a refused value, valid UTF-8, to show again */
	long		 num;	/* numbers, and 1 for a ticked box */
	int		 error;	/* enum field_error: present but refused */
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
int		 form_key_lookup(const char *);
void		 form_accept(struct form *, enum key, const char *, size_t);
int		 form_answer(struct form *, const char *, const char *, size_t);
const struct form_answer *form_answer_get(const struct form *, long);
void		 form_free(struct form *);
void		 form_error_text(enum key, int, char *, size_t);
extern const char *const stakeholder_codes[];
extern const char *const event_kind_codes[];
extern const char *const event_kind_labels[];
const char	*event_kind_label(const char *);
const char	*code_label(const char *const *, const char *const *,
		    const char *);
int		 code_index(const char *const *, const char *);
extern const char *const stakeholder_labels[];
extern const char *const region_names[];
const char	*stakeholder_label(const char *);
int		 region_valid(const char *);

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
	int			 route;
	struct form		 form;
	struct MHD_PostProcessor *pp;
	char			*body_name;	/* field being streamed */
	char			*acc;		/* value being accumulated */
	size_t			 acclen;
	size_t			 total;
	struct {
		char	*filename;	/* as the browser named it */
		char	*data;
		size_t	 len;
		size_t	 cap;
	}			 upload;	/* a file field, on upload routes */
	int			 too_large;
	int			 bad_body;
	int			 raw;		/* upload holds the raw body */
	struct db		*db;
	struct account		*account;	/* signed in, or NULL */
	char			 session[ACORN_TOKEN_LEN + 1];
	char			 csrf[ACORN_TOKEN_LEN + 1];
	char			*set_cookie[3];
	int			 nset_cookie;
	struct timespec		 start;
	char			 addr[64];
	unsigned int		 status;
};
struct server;
struct server	*server_start(const struct config *, struct db_pool *,
		    const char *);
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
int		 http_queue(struct request *, unsigned int,
		    struct MHD_Response *);
const char	*http_query(struct request *, const char *);
const char	*http_header(struct request *, const char *);
int		 http_fresh(struct request *, const char *);
int		 http_not_modified(struct request *, const char *, const char *);
void		 http_cookie(struct request *, const char *, const char *,
		    long);
const char	*http_cookie_get(struct request *, const char *);
extern const struct config *cfg;
extern const char *node_id;

/* events.c */
PGresult	*event_fetch(struct request *, int *);
int		 event_missing(struct request *, int);
int		 event_own(struct request *, int *);
int		 event_page(struct request *, struct view *, unsigned int);
int		 event_places(struct request *, struct view *, const char *,
		    int *);
int		 events_list(struct request *);
int		 events_show(struct request *);
int		 events_new(struct request *);
int		 events_places(struct request *);
int		 events_publish(struct request *);
int		 events_close(struct request *);
int		 events_reopen(struct request *);
int		 events_edit(struct request *);
int		 events_cancel(struct request *);

/* questions.c */
PGresult	*questions_asked(struct db *, const char *);
int		 events_questions(struct request *);

/* registrations.c */
int		 page_message(struct request *, unsigned int, const char *,
		    const char *, const char *, const char *, int);
struct view	*registration_form(struct request *, const char *, int *);
int		 registration_form_end(struct request *, struct view *, char **,
		    char **, int *);
int		 events_register(struct request *);
int		 events_attendees(struct request *);
int		 events_promote(struct request *);
int		 events_unregister(struct request *);
int		 registrations_mine(struct request *);
int		 registrations_cancel(struct request *);
int		 registrations_public(struct request *);
int		 registrations_guest(struct request *);
int		 registrations_guest_confirm(struct request *);
int		 registrations_guest_cancel(struct request *);
int		 registrations_guest_public(struct request *);
int		 events_people(struct request *);

/* away.c */
int		 away_register(struct request *, const char *);
int		 away_cancel(struct request *);
int		 away_list(struct request *, struct view *);
int		 away_event_status(struct request *, struct view *,
		    const char *);

/* attendance.c */
int		 events_checkin(struct request *);
int		 events_checkin_undo(struct request *);
int		 events_export(struct request *);
int		 events_export_csv(struct request *);

/* csv.c */
struct csv;
struct csv	*csv_new(void);
void		 csv_free(struct csv *);
void		 csv_cell(struct csv *, const char *);
void		 csv_row(struct csv *);
char		*csv_finish(struct csv *, size_t *);

/* mail.c */
struct mail {
	const char	*from_name;
	const char	*from;
	const char	*to;
	const char	*subject;
	const char	*body;
	const char	*message_id;
	time_t		 date;
};
struct mailer;
struct mailer	*mail_start(const struct config *);
void		 mail_stop(struct mailer *);
int		 mail_address_valid(const char *);
char		*mail_message(const struct mail *);

/* outbox.c */
int		 outbox_list(struct request *);

/* calendar.c */
int		 calendar_events(struct request *);
int		 calendar_event(struct request *);
void		 calendar_links(struct view *, const char *, const char *);
char		*calendar_line(const char *, const char *, const char *);
char		*event_where(const char *, const char *, int);

/* feeds.c */
extern const struct signer *server_signer;
int		 feeds_serve(struct request *);
int		 federation_key(struct request *);
int		 federation_service(struct request *);
int		 federation_ping(struct request *);
int		 federation_inbox(struct request *);
char		*feed_xml_text(const char *);

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

/* routes.c */
enum page {
	PAGE_HOME,
	PAGE_HEALTHZ,
	PAGE_METRICS,
	PAGE_STATIC,
	PAGE_FAVICON,
	PAGE_JOIN,
	PAGE_SIGNIN,
	PAGE_SIGNOUT,
	PAGE_PROFILE,
	PAGE_PROFILE_ERASE,
	PAGE_MEMBERS,
	PAGE_MEMBER,
	PAGE_ADMIN_MEMBERS,
	PAGE_ADMIN_APPROVE,
	PAGE_ADMIN_REJECT,
	PAGE_EVENTS,
	PAGE_EVENT_NEW,
	PAGE_EVENT,
	PAGE_EVENT_REGISTER,
	PAGE_EVENT_PLACES,
	PAGE_EVENT_PUBLISH,
	PAGE_EVENT_CLOSE,
	PAGE_EVENT_REOPEN,
	PAGE_EVENT_ATTENDEES,
	PAGE_EVENT_PROMOTE,
	PAGE_REGISTRATIONS,
	PAGE_REGISTRATION_CANCEL,
	PAGE_EVENT_EDIT,
	PAGE_EVENT_CANCEL,
	PAGE_EVENT_QUESTIONS,
	PAGE_EVENT_PEOPLE,
	PAGE_REGISTRATION_PUBLIC,
	PAGE_GUEST,
	PAGE_GUEST_CONFIRM,
	PAGE_GUEST_CANCEL,
	PAGE_GUEST_PUBLIC,
	PAGE_EVENT_CHECKIN,
	PAGE_EVENT_CHECKIN_UNDO,
	PAGE_EVENT_EXPORT,
	PAGE_EVENT_EXPORT_CSV,
	PAGE_ADMIN_MAIL,
	PAGE_EVENTS_ICS,
	PAGE_EVENT_ICS,
	PAGE_FEED,
	PAGE_FED_KEY,
	PAGE_FED_SERVICE,
	PAGE_FED_PING,
	PAGE_FED_INBOX,
	PAGE_EVENT_UNREGISTER,
	PAGE_LIBRARY,
	PAGE_LIBRARY_NEW,
	PAGE_LIBRARY_DOC,
	PAGE_LIBRARY_EDIT,
	PAGE_LIBRARY_HISTORY,
	PAGE_LIBRARY_COMPARE,
	PAGE_LIBRARY_RESTORE,
	PAGE_LIBRARY_PROTECT,
	PAGE_GLOSSARY,
	PAGE_GLOSSARY_NEW,
	PAGE_GLOSSARY_EDIT,
	PAGE_SEARCH,
	PAGE_EVIDENCE,
	PAGE_EVIDENCE_CSV,
	PAGE_EVIDENCE_SUMMARY,
	PAGE_EVIDENCE_NEW,
	PAGE_EVIDENCE_SHOW,
	PAGE_EVIDENCE_EDIT,
	PAGE_EVIDENCE_HISTORY,
	PAGE_EVIDENCE_COMPARE,
	PAGE_EVIDENCE_RESTORE,
	PAGE_EVIDENCE_DELETE,
	PAGE_EVIDENCE_FILES,
	PAGE_EVIDENCE_FILE,
	PAGE_ADMIN_ROLES,
	PAGE_ADMIN_SYNC,
	PAGE_ADMIN_PEERS,
	PAGE_ADMIN_PEER_REMOVE,
	PAGE__MAX
};
struct route {
	enum page	 page;
	const char	*path;	/* "*" matches one segment */
	unsigned int	 methods;	/* bit per enum method */
	int		 csrf;	/* POST must carry the session's token */
	int		 need;	/* 0 anyone, 1 signed in, 2 coordinator */
	int		 (*handler)(struct request *);
	const char	*metric;	/* label in /metrics */
};
const struct route *route_find(const char *, char *, size_t);
const struct route *route_get(int);
int		 route_upload(int);
void		 view_common(struct request *, struct view *, const char *);
void		 view_error(struct view *, const char *, const char *);
const char	*view_field(struct view *, struct request *, enum key,
		    const char *);
void		 view_choices(struct view *);
void		 view_regions(struct view *);
void		 view_codes(struct view *, const char *, const char *const *,
		    const char *const *);
struct view	*page_view(struct request *, const char *);

/* session.c */
int	 session_load(struct request *);
int	 session_create(struct request *, long);
int	 session_form(struct request *);
int	 session_destroy(struct request *);
void	 session_csrf(const char *, char out[ACORN_TOKEN_LEN + 1]);
int	 session_csrf_ok(struct request *);
int	 is_coordinator(const struct request *);
int	 session_set_secret(const unsigned char *, size_t);
int	 throttle_check(struct db *, const char *, const char *);
void	 throttle_fail(struct db *, const char *, const char *);
void	 throttle_clear(struct db *, const char *);
void	 account_free(struct account *);

/* password.c */
char	*password_hash(const char *, int, int);
int	 password_verify(const char *, const char *);
void	 password_dummy(void);

/* static.c */
int	 static_load(const char *);
void	 static_free(void);
int	 static_serve(struct request *);
const char *static_url(const char *);

/* metrics.c */
void	 metrics_record(int, unsigned int, double);
int	 metrics_serve(struct request *);
int	 healthz_serve(struct request *);

/* accounts.c */
int	 accounts_join(struct request *);
int	 accounts_signin(struct request *);
int	 accounts_signout(struct request *);
int	 accounts_erase(struct request *);
int	 account_add(struct db *, const char *, const char *, const char *,
	    const char *, const char *, char **);
int	 member_erase(struct db *, const char *);
void	 audit(struct db *, long, const char *, const char *);

/* admin.c */
int	 admin_members(struct request *);
int	 admin_approve(struct request *);
int	 admin_reject(struct request *);
int	 admin_roles(struct request *);

/* members.c */
int	 members_home(struct request *);
int	 members_profile(struct request *);
int	 members_list(struct request *);
int	 members_show(struct request *);

/* diff.c */
#define DIFF_MAX_LINES	1000	/* changed lines compared, on each side */
enum diff_op { DIFF_SAME, DIFF_DEL, DIFF_ADD };
struct diff_line {
	enum diff_op	 op;
	char		*text;
};
struct diff {
	struct diff_line *line;
	size_t		  n;
};
int	 diff_lines(const char *, const char *, struct diff *);
void	 diff_free(struct diff *);

/* library.c */
const char	*category_label(const char *);
int	 library_list(struct request *);
int	 library_new(struct request *);
int	 library_show(struct request *);
int	 library_edit(struct request *);
int	 library_history(struct request *);
int	 library_compare(struct request *);
int	 library_restore(struct request *);
int	 library_protect(struct request *);
int	 library_search(struct request *, const char *, struct view *);

/* glossary.c */
int	 glossary_list(struct request *);
int	 glossary_new(struct request *);
int	 glossary_edit(struct request *);
int	 glossary_search(struct request *, const char *, struct view *);

/* search.c */
int	 search_page(struct request *);

/* evidence.c */
extern const char *const outcome_codes[];
extern const char *const outcome_labels[];
extern const char *const design_codes[];
extern const char *const design_labels[];
extern const char *const direction_codes[];
extern const char *const direction_labels[];
int	 evidence_list(struct request *);
int	 evidence_csv(struct request *);
int	 evidence_new(struct request *);
int	 evidence_show(struct request *);
int	 evidence_edit(struct request *);
int	 evidence_history(struct request *);
int	 evidence_compare(struct request *);
int	 evidence_restore(struct request *);
int	 evidence_delete(struct request *);
int	 evidence_search(struct request *, const char *, struct view *);
int	 is_contributor(const struct request *);

/* evidence_files.c */
int	 evidence_files(struct request *);
int	 evidence_file(struct request *);

/* evidence_summary.c */
int	 evidence_summary(struct request *);

/* origin.c */
const char *origin_name(const PGresult *, int, int);
int	 origin_view(struct view *, const PGresult *, int, int);
int	 origin_page(struct request *, const char *, const char *,
	    const char *, const PGresult *, int, int);
int	 origin_refuse(struct request *, const char *, const PGresult *, int,
	    int);

/* network.c */
int	 network_sync(struct request *);
int	 network_peers(struct request *);
int	 network_peer_remove(struct request *);

/*
 * The federation library (feeds/): what the server calls.  The wire
 * format's own types are in feeds/federation.h.
 */

/* This node's signing keys: the current one, and during a rotation the
 * one before it. */
struct signer {
	EVP_PKEY	*key;
	char		 fingerprint[65];
	EVP_PKEY	*old_key;
	char		 old_fingerprint[65];
};
int	 signer_load(struct signer *, const char *);
void	 signer_free(struct signer *);
int	 keys_generate(const char *, int, int);

/* feeds/publish.c */
int	 publish_pending(struct db *, const struct signer *);
int	 feed_lock(struct db *);
const char *publish_table(const char *);
const char *publish_collection(size_t);

/* feeds/peers.c */
int	 peer_add(struct db *, const char *, const char *, int, char **);
int	 peer_remove(struct db *, long long);
int	 fingerprint_normalise(const char *, char [65]);
int	 node_self_refresh(struct db *, const struct signer *);
int	 vouch_refresh(struct db *);

/* feeds/inbox.c */
int	 inbox_receive(struct db *, const struct signer *, const char *,
	    size_t, char **, const char **);
int	 away_sign(struct db *, const struct signer *, const char *);
int	 away_send(struct db *, const struct signer *, void *, const char *,
	    long);
int	 outcome_sign(struct db *, const struct signer *, const char *,
	    const char *);
int	 outcome_send(struct db *, const struct signer *, void *,
	    const char *, const char *, long);

/* feeds/courier.c */
struct courier;
struct courier	*courier_start(const struct config *, const struct signer *);
void		 courier_stop(struct courier *);

/* feeds/sync.c */
struct sync;
struct sync *sync_start(const struct config *, const struct signer *);
void	 sync_stop(struct sync *);
void	 worker_wait(int, struct db *, long);
void	 sync_counts(unsigned long *, unsigned long *, unsigned long *);
const char *sync_rejections(int, unsigned long *);

#endif /* ACORN_H */
