/*
 * The pages (server/pages/): one file per URL prefix, each owning its
 * SQL, its handlers and what its templates are given.  A handler's name
 * starts with its file's.  Pages build on the web layer, the core and
 * the federation library; nothing below them may use them.
 */
#ifndef ACORN_PAGES_H
#define ACORN_PAGES_H

#if defined(ACORN_LAYER_CORE) || defined(ACORN_LAYER_WEB) || \
    defined(ACORN_LAYER_FEEDS)
#error "only the pages and the program itself may use the pages"
#endif

#include "web.h"

struct signer;

/*
 * The end of a statement cancelling the registrations a CTE "mine" holds
 * (id, status), telling each person and whoever moves up; the node's
 * address is $3.  registrations.c and attendance.c both cancel.
 */
#define SQL_CANCEL_REST \
    " SELECT count(*), sum(acorn_cancel_told(id, CASE WHEN status <>" \
    " 'unconfirmed' THEN 'cancelled' END, $3)) FROM mine"
/* Its columns: how many were cancelled, and how many messages went. */
enum { CANCEL_COUNT, CANCEL_TOLD };

/* accounts.c */
#define PASSWORD_MIN	10	/* characters in a new password */
int member_erase(struct db *db, const char *member, long actor,
    const char *action);
int accounts_join(struct request *r);
int accounts_confirm(struct request *r);
int accounts_resend(struct request *r);
int accounts_signin(struct request *r);
int accounts_signout(struct request *r);
int accounts_email(struct request *r);
int accounts_email_confirm(struct request *r);
int accounts_erase(struct request *r);
int account_throttled(struct request *r, struct view *v, enum throttle t,
    const char *who, const char *field, const char *tmpl, int *rc);
int account_mail(struct db *db, long account, const char *to,
    const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int account_links_revoke(struct db *db, long id);
/* A link mailed to prove an address: what it does, and where it leads. */
struct mailed_link {
	const char	*purpose;	/* account_tokens.purpose */
	const char	*path;		/* the page it opens */
	const char	*life;		/* how long it works: an interval, and
					   words for the mail ("24 hours") */
	const char	*title;		/* of that page */
	const char	*tmpl;		/* that page's form */
	const char	*again;		/* where a new link is asked for */
	const char	*again_text;
	const char	*taken;		/* said when its address is taken */
};
char *account_link_new(struct db *db, long id, const struct mailed_link *l,
    const char *email);
struct view *account_link_open(struct request *r,
    const struct mailed_link *l, int *rc);
PGresult *account_link_take(struct request *r, const struct mailed_link *l,
    const char *sql, const char *arg, int *rc);
/*
 * A form that mails a link to an address typed: the account it goes to
 * (which: $1 is the address; its columns LR_*), the mail, and the reply,
 * the same for every address.
 */
enum { LR_ID, LR_NAME, LR_EMAIL };
struct link_request {
	const char	*title;
	const char	*tmpl;
	const char	*which;
	int		(*mail)(struct db *, long, const char *, const char *);
	int		(*sent)(struct request *, const char *);
};
int account_link_request(struct request *r, const struct link_request *q);
void account_sign_out(struct request *r);
int account_busy(struct request *r);
int account_reauth(struct request *r, struct view *v, const char *tmpl,
    enum key k, int *rc);
int account_add(struct db *db, const char *email, const char *role,
    const char *name, const char *group, const char *region,
    char **password);

/* passwords.c */
int passwords_change(struct request *r);
int passwords_forgot(struct request *r);
int passwords_reset(struct request *r);

/* sessions.c */
int sessions_list(struct request *r);
int sessions_end(struct request *r);
int sessions_end_all(struct request *r);

/* admin.c */
/*
 * The requests to join that viewer (a parameter) decides, of accounts a
 * JOIN members m: waiting, their address confirmed, and in a region the
 * viewer looks after.  The home page counts them; admin.c lists them and
 * approves or refuses one.
 */
#define SQL_PENDING_FOR(viewer) \
    " a.status = 'pending' AND a.confirmed IS NOT NULL" \
    " AND acorn_looks_after(" viewer ", m.region)"
int admin_members(struct request *r);
int admin_approve(struct request *r);
int admin_reject(struct request *r);
int admin_roles(struct request *r);

/* attendance.c */
int attendance_checkin(struct request *r);
int attendance_checkin_undo(struct request *r);
int attendance_export(struct request *r);
int attendance_export_csv(struct request *r);
int attendance_list(struct request *r);
int attendance_people(struct request *r);
int attendance_promote(struct request *r);
int attendance_unregister(struct request *r);

/* away.c */
int away_event_status(struct request *r, struct view *v, const char *event);
char *away_status_words(const char *st, const char *wanted,
    const char *attempts, const char *host, const char *places,
    const char *position, const char *why);
int away_show(struct request *r);

/* calendar.c */
char *calendar_line(const char *name, const char *params, const char *value);
int calendar_event(struct request *r);
int calendar_events(struct request *r);
void calendar_links(struct view *v, const char *region, const char *kind);

/* events.c */
/*
 * The columns of the row event_fetch() gives, in the order event_columns
 * in events.c selects them; E_RECEIVED is the first of SQL_ORIGIN's.
 */
enum {
	E_ID, E_TITLE, E_DESCRIPTION, E_KIND, E_REGION, E_VENUE, E_ADDRESS,
	E_ONLINE_URL, E_ORGANISER, E_ORGANISER_EMAIL, E_STATUS, E_STARTS,
	E_ENDS, E_START_DATE, E_STARTS_ISO, E_END_DATE, E_ENDS_ISO,
	E_OPENS_DATE, E_CLOSES_DATE, E_LOCAL, E_OPEN, E_CLOSED, E_PAST,
	E_OPENS, E_CLOSES, E_OPENS_TIME, E_CLOSES_TIME, E_ACCEPT_REMOTE,
	E_RECEIVED
};
PGresult *event_fetch(struct request *r, int *missing);
int event_missing(struct request *r, int missing);
int event_mix(struct request *, struct view *, const char *);
int events_list(struct request *r);
int events_show(struct request *r);
int events_new(struct request *r);
int event_own(struct request *r, int *answer);
int events_publish(struct request *r);
int events_close(struct request *r);
int events_reopen(struct request *r);
int events_places(struct request *r);
int events_edit(struct request *r);
int events_what(struct request *r);
int events_settings(struct request *r);
int events_check(struct request *r);
int event_step(struct request *r, struct view *v, int step);
int events_cancel(struct request *r);
struct view *registration_form(struct request *r, const char *back, int *rc);
int registration_form_end(struct request *r, struct view *v, char **ids,
    char **values, int *rc);

/* evidence.c */
int evidence_list(struct request *r);
int evidence_csv(struct request *r);
int evidence_show(struct request *r);
int evidence_new(struct request *r);
int evidence_edit(struct request *r);
int evidence_history(struct request *r);
int evidence_compare(struct request *r);
int evidence_restore(struct request *r);
int evidence_delete(struct request *r);
extern const char evidence_search_sql[];
void evidence_search_row(struct view *s, PGresult *res, int i);

/* evidence_files.c */
int evidence_files(struct request *r);
int evidence_files_one(struct request *r);

/* evidence_summary.c */
int evidence_summary(struct request *r);

/* feedback.c */
int feedback_edit(struct request *r);
int feedback_answer(struct request *r);
int feedback_results(struct request *r);
int feedback_csv(struct request *r);
int feedback_publish(struct request *r);

/* mix.c */
int mix_show(struct request *r);

/* federation.c */
extern const struct signer *server_signer;
int federation_key(struct request *r);
int federation_service(struct request *r);
int federation_ping(struct request *r);
int federation_inbox(struct request *r);
int federation_push(struct request *r);

/* feeds.c */
int feeds_serve(struct request *r);
int feeds_poll(struct request *r);

/* services.c */
/* A listing's freshness and review stage, for a cycle of months ($n). */
#define SQL_FRESHNESS(s, n) \
	"acorn_freshness(" s ".assured_date, " s ".assured_by, " n \
	"::integer, " SQL_LONDON_DATE("now()") "), acorn_review_stage(" s \
	".assured_date, " n "::integer, " SQL_LONDON_DATE("now()") ")"
void service_stage_view(struct view *v, const char *stage);
void service_lines_view(struct view *v, const char *list, const char *text);
int service_token_hash(const char *token, char hash[65]);
int services_list(struct request *r);
int services_new(struct request *r);
int services_show(struct request *r);
int services_edit(struct request *r);
int services_confirm(struct request *r);
int service_may_edit(struct request *r, const char *org);
int services_remove(struct request *r);

/* services_review.c */
int services_review_check(struct request *r);
int services_review_report(struct request *r);
int services_review(struct request *r);
int services_review_suggestion(struct request *r);
int services_review_outcome(struct request *r);
int services_review_history(struct request *r);
int services_review_needs(struct request *r);

/* services_shortlist.c */
int services_shortlist(struct request *r);
int services_shortlist_print(struct request *r);
int services_shortlist_shared(struct request *r);

/* oruk.c */
int oruk_root(struct request *r);
int oruk_services(struct request *r);
int oruk_service(struct request *r);
int oruk_service_at_locations(struct request *r);
int oruk_service_at_location(struct request *r);
int oruk_taxonomies(struct request *r);
int oruk_taxonomy(struct request *r);
int oruk_taxonomy_terms(struct request *r);
int oruk_taxonomy_term(struct request *r);
int oruk_organizations(struct request *r);
int oruk_organization(struct request *r);

/* organisations.c */
int organisations_list(struct request *r);
int organisations_new(struct request *r);
int organisations_show(struct request *r);
int organisations_edit(struct request *r);
int organisations_managers(struct request *r);
int organisations_place_new(struct request *r);
int organisations_place(struct request *r);
int organisations_place_remove(struct request *r);

/* glossary.c */
int glossary_list(struct request *r);
int glossary_new(struct request *r);
int glossary_edit(struct request *r);
extern const char glossary_search_sql[];
void glossary_search_row(struct view *s, PGresult *res, int i);

/* library.c */
int library_new(struct request *r);
int library_add(struct request *r, const char *title, const char *category,
    const char *tags, const char *body, const char *summary, char *slug,
    size_t size);
int library_list(struct request *r);
int library_show(struct request *r);
int library_edit(struct request *r);
int library_history(struct request *r);
int library_compare(struct request *r);
int library_restore(struct request *r);
int library_protect(struct request *r);
extern const char library_search_sql[];
void library_search_row(struct view *s, PGresult *res, int i);

/* members.c */
int members_home(struct request *r);
int members_list(struct request *r);
int members_show(struct request *r);
int members_profile(struct request *r);

/* metrics.c */
int metrics_serve(struct request *r);
int metrics_healthz(struct request *r);
int metrics_health_peers(struct request *r);

/* network.c */
int network_sync(struct request *r);
int network_peers(struct request *r);
int network_peer_remove(struct request *r);

/* mydata.c */
int mydata_page(struct request *r);

/* outbox.c */
/*
 * The mail the viewer may read, as a FROM … WHERE other conditions may
 * follow with AND: those about one person's account name their member
 * (outbox.member), the rest are about events.
 */
#define SQL_OUTBOX_SEEN(viewer) \
    " FROM outbox o WHERE (o.member IS NULL OR acorn_looks_after(" viewer \
    ", (SELECT m.region FROM members m WHERE m.id = o.member)))"
int outbox_list(struct request *r);
extern const char outbox_counts_sql[];

/* privacy.c */
int privacy_page(struct request *r);

/* site.c */
int site_show(struct request *r);
int site_edit(struct request *r);
int site_restore(struct request *r);
int site_text(struct request *r, struct view *v, const char *name);
int site_pages_view(struct request *r, struct view *v);

/* manage.c */
int manage_page(struct request *r);

/* questions.c */
int questions_edit(struct request *r);
char *questions_choices_read(struct view *v, const char *text);

/* status.c */
/*
 * Where an event stands for the person looking (schema/032's
 * acorn_event_status): SQL_STATUS_JOIN joins it to events e for the
 * account parameter acc (NULL for a visitor), SQL_STATUS_COLUMNS selects
 * its three columns, and event_status_view() puts the tag they make
 * (status_text, status_class) into a view.
 */
#define SQL_STATUS_JOIN(acc) \
    " CROSS JOIN LATERAL acorn_event_status(e, " acc ") st"
#define SQL_STATUS_COLUMNS \
    " st.status, st.left_places, " SQL_LONDON("e.reg_opens", LONDON_WHEN)
void event_status_view(struct view *v, const PGresult *res, int row,
    int col);
const char *viewer_account(const struct request *r, char buf[32]);
/*
 * A confirmation page's row: the registration's status, waiting
 * position, reference, places, type of place and joining link, which
 * each kind of registration selects its own way, then
 * SQL_CONFIRMATION_EVENT's columns of its event e.
 */
enum {
	CF_STATUS, CF_POSITION, CF_REFERENCE, CF_PLACES, CF_PLACE, CF_JOINING,
	CF_EVENT, CF_TITLE, CF_WHEN, CF_VENUE, CF_ADDRESS, CF_ONLINE,
	CF_EVENT_STATUS, CF_PAST
};
#define SQL_CONFIRMATION_EVENT \
    " e.id, e.title, " SQL_LONDON_RANGE("e.starts", "e.ends") "," \
    " e.venue, e.address," \
    " e.online_url IS NOT NULL, e.status, e.ends < now()"
void registration_confirmation(struct view *v, const PGresult *res,
    const char *cancel_href);
int registration_mail_sent(void);

/* registrations.c */
int registrations_new(struct request *r);
int registrations_mine(struct request *r);
int registrations_cancel(struct request *r);
int registrations_public(struct request *r);
int registrations_guest(struct request *r);
int registrations_guest_confirm(struct request *r);
int registrations_guest_cancel(struct request *r);
int registrations_guest_public(struct request *r);

/* revisions.c: documents' and evaluations' revisions. */
#define SQL_REVISION_COLUMNS(t) t "number, " t "author_name, " \
	SQL_LONDON(t "created", LONDON_STAMP) ", " t "summary"
enum {
	RV_NUMBER, RV_AUTHOR, RV_CREATED, RV_SUMMARY,
	RV__COLUMNS	/* a page's own columns follow these */
};
long revision_base(struct request *r, struct view *v, const char *field,
    const char *current);
void revision_conflict(struct view *v, const char *field,
    const char *message, PGresult *others);
struct view *revision_row(struct view *v, const char *home, PGresult *revs,
    int i, long current, int may_restore);
void		revision_numbers(struct view *, long);

/* The other sources search.c reads, beside their pages' own SQL. */
extern const char members_search_sql[];
void members_search_row(struct view *s, PGresult *res, int i);
extern const char events_search_sql[];
void events_search_row(struct view *s, PGresult *res, int i);

/* search.c */
int search_page(struct request *r);

#endif /* ACORN_PAGES_H */
