/*
 * The core layer (server/core/): configuration, the database, the node's
 * identity, the vocabulary, mail, Markdown, CSV, JSON, ZIP archives,
 * diffs, passwords and how long personal data is kept.  It
 * knows nothing of HTTP, HTML or XML signatures; the web layer, the pages
 * and the federation library (feeds/) all build on it.  One heading per
 * file that defines what follows it.
 */
#ifndef ACORN_CORE_H
#define ACORN_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libpq-fe.h>

#define ACORN_TOKEN_BYTES	32	/* 256-bit session tokens */
#define ACORN_TOKEN_LEN		43	/* base64url of 32 bytes, no padding */
#define ACORN_UUID_LEN		36

/*
 * Every advisory lock the program takes, here so that no two share a key:
 * a single key, or the first of a (key, n) pair whose second names what
 * is locked.  Two locks on one first key would make unrelated work wait
 * on each other, or pass each other by.
 */
#define LOCK_MIGRATE	"7261001"	/* migrate.c: one process migrates */
#define LOCK_PUBLISH	"7234017"	/* feeds/publish.c: sequence numbers */
#define LOCK_PULL	"7234018"	/* feeds/sync.c: (this, peer) */
#define LOCK_INBOX	"7234019"	/* acorn_inbox_hold (049): (home, request) */
#define LOCK_RETENTION	"7234020"	/* retention.c: (this, rule) */
#define LOCK_COURIER	"7234021"	/* feeds/courier.c: (this, peer) */
/* Taken in SQL, by acorn_inbox_admit (schema/044): (this, home node). */
#define LOCK_INBOX_HOME	"7234022"
/* Taken in SQL, by acorn_inbox_arrive (schema/044): (this, origin). */
#define LOCK_INBOX_ARRIVE	"7234023"
#define LOCK_REVIEW	"7234024"	/* review.c: one review step at once */
/* Taken in SQL, by acorn_known_nodes_refresh (schema/063). */
#define LOCK_KNOWN_NODES	"7234025"

/*
 * Times as people read them, in UK time and in one style, as GOV.UK
 * writes them: "Thursday 12 June 2031, 9:30am", the 12-hour clock with
 * minutes only when they are not :00 ("10am", noon "12pm", midnight
 * "12am").  SQL_LONDON(col, fmt) is a timestamptz column written with one
 * of the LONDON_* patterns below, by acorn_london (schema/031), which
 * drops the ":00"; SQL_LONDON_RANGE(from, to) "Thursday 12 June 2031,
 * 9:30am to 4pm", both dates in full when they differ;
 * SQL_LONDON_DATE(col) its day there; SQL_FROM_LONDON(text) a UK time
 * typed into a form ("YYYY-MM-DD HH:MM"), as a timestamptz.  Pages say
 * "UK time" once where times appear.
 */
#define SQL_LONDON(col, fmt) "acorn_london(" col ", '" fmt "')"
#define SQL_LONDON_RANGE(from, to) "acorn_london_range(" from ", " to ")"
#define SQL_LONDON_DATE(col) "(" col " AT TIME ZONE 'Europe/London')::date"
#define SQL_FROM_LONDON(text) text "::timestamp AT TIME ZONE 'Europe/London'"
#define LONDON_WHEN	"FMDay FMDD FMMonth YYYY, FMHH12:MIam"
#define LONDON_DAY	"FMDay FMDD FMMonth YYYY"	/* Thursday 4 March 2027 */
#define LONDON_TIME	"FMHH12:MIam"			/* 9:30am, 10am */
/* When something happened: the same style. */
#define LONDON_STAMP	LONDON_WHEN
#define LONDON_SHORT	LONDON_WHEN
/* After "at": 9:30am on Thursday 4 March 2027. */
#define LONDON_TIME_ON_DAY "FMHH12:MIam \"on\" FMDay FMDD FMMonth YYYY"
/* Where a second matters (a mail's next try): 9:30:05am. */
#define LONDON_SECONDS	"FMDay FMDD FMMonth YYYY, FMHH12:MI:SSam"
#define LONDON_SHORT_SECONDS LONDON_SECONDS
/*
 * A time as the date inputs of a form take it back: day, month, year,
 * hour (24-hour clock) and minute, separated by spaces ("12 6 2031 9 30").
 */
#define LONDON_FIELDS	"FMDD FMMM YYYY FMHH24 MI"
/* Machine formats: exports and files, never prose. */
#define LONDON_ISO_DATE	"YYYY-MM-DD"
#define LONDON_ISO	"YYYY-MM-DD HH24:MI"

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
int	 util_token_valid(const char *);
void	 util_base64url(const unsigned char *, size_t, char *);
void	 util_hex(const unsigned char *, size_t, char *);
int	 util_uuid(char out[ACORN_UUID_LEN + 1]);
int	 util_uuid_valid(const char *);
/* A UK postcode as written: "M1 1AE", "SW1A 2AA"; at most this long. */
#define POSTCODE_LEN	8
int	 postcode_normal(const char *, char[POSTCODE_LEN + 1]);
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
int	 util_has_word(const char *, const char *);
size_t	 util_utf8_length(const char *);
int	 util_url_safe(const char *);

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
	int	 max_connections;	/* open at once, in all */
	int	 connections_per_address;	/* 0: no limit */
	char	*upload_dir;	/* uploads' temporary files; empty: TMPDIR */
	int	 open_joining;
	int	 trust_proxy;	/* take the client from X-Forwarded-For */
	long	 session_idle;	/* seconds */
	long	 session_max;	/* seconds */
	int	 argon2_t;	/* Argon2id passes */
	int	 argon2_m;	/* Argon2id memory in KiB */
	int	 argon2_parallel;	/* Argon2id runs at once */
	int	 argon2_wait;	/* ms a further one waits for a slot */
	int	 throttle_joins;	/* joins an address makes before waits */
	int	 throttle_mails;	/* reset and confirmation mails, likewise */
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
	int	 ping_gap;	/* seconds between pulls pings ask for */
	int	 inbox_quota;	/* held registrations per other node, event */
	int	 inbox_rate;	/* new requests per other node, minute */
	int	 courier_workers;	/* peers delivered to at once */
	int	 courier_timeout;	/* seconds for one delivery */
	int	 statement_timeout;	/* seconds; 0: none */
	char	*metrics_token;	/* bearer token for /metrics; empty: none */
	/* How long personal data is kept (retention.c). */
	long	 retain_mail_days;	/* after sending or giving up */
	long	 retain_guest_forms_days; /* after the link lapsed */
	long	 retain_signin_failures_days;
	long	 retain_audit_months;
	long	 retain_unconfirmed_days; /* after joining, never confirmed */
	long	 retain_throttle_days;	/* after a party's last attempt */
	long	 shortlist_days;	/* a shortlist and its shared link */
	long	 retain_directory_months; /* settled reports, suggestions */
	int	 retention_interval;	/* seconds between sweeps */
	int	 retention_batch;	/* rows one statement removes */
	long	 cache_bytes;	/* pages kept in memory; 0: none */
	int	 review_months;	/* a service listing's review cycle */
};
int	 config_load(struct config *, const char *);
void	 config_defaults(struct config *);
int	 config_set(struct config *, const char *, const char *);
int	 config_write(struct config *, const char *);
void	 config_free(struct config *);
/* The running program's configuration, set once before any thread starts. */
extern const struct config *cfg;

/* db.c */
struct db;
struct db_pool;
struct db_pool	*db_pool_new(const char *, int);
void		 db_pool_free(struct db_pool *);
void		 db_pool_close_idle(struct db_pool *, int);
struct db	*db_acquire(struct db_pool *);
struct db	*db_acquire_within(struct db_pool *, int);
void		 db_release(struct db_pool *, struct db *);
void		 db_discard(struct db_pool *, struct db *);
PGconn		*db_conn(struct db *);
PGconn		*db_connect(const char *);
void		 db_statement_timeout(int);
void		 db_on_connect(const char *);
PGresult	*db_query(struct db *, ExecStatusType, const char *, int,
		    const char *const *);
int		 db_exec(struct db *, const char *, int, const char *const *);
/* One statement of a batch (db_batch): its answer must be of want. */
#define DB_BATCH_MAX	16
struct db_step {
	const char		*sql;
	int			 n;
	const char *const	*params;
	ExecStatusType		 want;
};
long		 db_batch(struct db *, const struct db_step *, size_t,
		    PGresult **);
int		 db_call(struct db *, const char *, int, const char *const *);
long		 db_changes(struct db *, const char *, int,
		    const char *const *);
/* What a connection's users set up on it (db_marked). */
#define DB_MARK_MERGE	1u	/* feeds/merge.c's statements */
int		 db_marked(const struct db *, unsigned int);
void		 db_mark(struct db *, unsigned int, int);
int		 db_begin(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);
int		 db_ping(struct db *);
int		 db_duplicate(const struct db *);
const char	*db_state(const struct db *);
unsigned long	 db_errors(void);
const char	*db_value(const PGresult *, int, int);
/* The column of a result that has only one. */
#define DB_ONLY		0

/*
 * The data and sessions' versions: moved by this process's own commits
 * (db.c, from the triggers' messages) and by everyone's notifications
 * (notify.c says how).
 */
void		 db_data_changed(void);
uint64_t	 db_data_version(void);
unsigned long	 db_data_notifications(void);
unsigned long	 db_statements_prepared(void);
void		 db_sessions_changed(void);
uint64_t	 db_sessions_version(void);
unsigned long	 db_sessions_notifications(void);
int		 db_notifies(PGconn *);

/* notify.c: the data version, moved by every committed change. */
int		 notify_start(const char *);
void		 notify_stop(void);
uint64_t	 notify_version(void);
uint64_t	 notify_sessions_version(void);
void		 notify_poll(void);
void		 notify_counts(uint64_t *, int *, unsigned long *,
		    unsigned long *);

/* migrate.c */
int		 db_migrate(PGconn *, const char *);

/* audit.c */
int		 audit(struct db *, long, const char *, const char *);
int		 audit_commit(struct db *, long, const char *, const char *);

/* node.c */
int		 node_init(struct db *, const struct config *);
int		 node_load(struct db *);
extern const char *node_id;
extern unsigned char node_secret[32];	/* what CSRF tokens derive from */

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

/* vocabulary.c: codes and labels as parallel NULL-terminated lists. */
extern const char *const event_kind_codes[];
extern const char *const event_kind_labels[];
extern const char *const stakeholder_codes[];
extern const char *const stakeholder_labels[];
extern const char *const region_names[];
extern const char *const account_role_codes[];
extern const char *const account_role_labels[];
extern const char *const role_codes[];
extern const char *const role_labels[];
extern const char *const category_codes[];
extern const char *const category_labels[];
extern const char *const outcome_codes[];
extern const char *const outcome_labels[];
extern const char *const design_codes[];
extern const char *const design_labels[];
extern const char *const direction_codes[];
extern const char *const direction_labels[];
extern const char *const service_status_codes[];
extern const char *const service_status_labels[];
extern const char *const attending_codes[];
extern const char *const attending_labels[];
extern const char *const access_codes[];
extern const char *const access_labels[];
extern const char *const report_topic_codes[];
extern const char *const report_topic_labels[];
extern const char *const report_outcome_codes[];
extern const char *const report_outcome_labels[];
extern const char *const referral_codes[];
extern const char *const referral_labels[];
extern const char *const weekday_codes[];
extern const char *const weekday_labels[];
int		 code_index(const char *const *, const char *);
const char	*code_label(const char *const *, const char *const *,
		    const char *);
const char	*event_kind_label(const char *);
const char	*stakeholder_label(const char *);
const char	*role_label(const char *);
const char	*account_role_label(const char *);
const char	*category_label(const char *);
int		 region_valid(const char *);
char		*event_where(const char *, const char *, int);

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
char		*mail_masked(const char *);

/* password.c */
void	 password_slots(int, int);
char	*password_hash(const char *, int, int);
int	 password_verify(const char *, const char *, int *);
int	 password_dummy(void);

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

/* worker.c */
struct worker;
struct worker	*worker_start(const char *, void (*)(struct worker *, void *),
		    void *);
void		 worker_stop(struct worker *);
int		 worker_stopping(struct worker *);
struct db_pool	*worker_pool(struct worker *);
void		 worker_sleep(struct worker *, struct db *, long);
void		 worker_wait(int, struct db *, long);

/* parallel.c */
void		 worker_parallel(size_t, size_t, void (*)(void *, size_t), void *);

/* retention.c: the rules, in the order they run. */
enum retention_rule {
	RETAIN_MAIL,
	RETAIN_GUEST_FORMS,
	RETAIN_SESSIONS,
	RETAIN_SIGNIN_FAILURES,
	RETAIN_AUDIT,
	RETAIN_UNCONFIRMED,
	RETAIN_THROTTLE,
	RETAIN_SHORTLISTS,
	RETAIN_REPORTS,
	RETAIN_SUGGESTIONS,
	RETAIN_REFERRALS,
	RETAIN_NOTES,
	RETAIN__MAX
};
struct retention;
struct retention *retention_start(const struct config *);
/* postcodes.c */
long		 postcodes_import(struct db *, const char *, long *);
/* review.c */
long		 review_step(struct db *, const struct config *);

/* chores.c */
long		 chores_keeps(struct db *, const struct config *);
long		 chores_attendance(struct db *);
long		 chores_next_ms(struct db *, long);
int		 review_report_mail(struct db *, const char *, const char *,
		    const char *, const char *);
void		 retention_stop(struct retention *);
long		 retention_sweep(struct db *, const struct config *);
char		*retention_period(const struct config *, enum retention_rule);

/* json.c */
#define JSON_DEPTH	16
struct json {
	struct strbuf	 b;
	int		 depth;
	char		 close[JSON_DEPTH];	/* '}' or ']' at each depth */
	unsigned char	 first[JSON_DEPTH];	/* nothing written there yet */
	int		 after_key;	/* a member's name: its value is next */
	int		 done;		/* the one top-level value is written */
	int		 failed;	/* the calls did not make JSON */
};
void		 json_init(struct json *);
void		 json_open(struct json *, char);
void		 json_close(struct json *);
void		 json_key(struct json *, const char *);
void		 json_string(struct json *, const char *);
void		 json_null(struct json *);
void		 json_bool(struct json *, int);
void		 json_number(struct json *, const char *);
int		 json_number_valid(const char *);
void		 json_raw(struct json *, const char *);
char		*json_finish(struct json *, size_t *);
void		 json_free(struct json *);

/* zip.c */
struct zip;
struct zip	*zip_new(void);
void		 zip_free(struct zip *);
int		 zip_name_valid(const char *);
int		 zip_add(struct zip *, const char *, const void *, size_t,
		    time_t);
char		*zip_finish(struct zip *, size_t *);

#endif /* ACORN_CORE_H */
