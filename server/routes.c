/*
 * The route table: every page the node serves, the methods it accepts,
 * who may use it and how its body is read (enum route_flag), and the
 * handler that answers.  Who may use a route is checked before its body
 * is read, and again once it has all come, so a role a handler would
 * insist on belongs in its flags.  What other nodes ask under
 * /federation/ reads no session: peers have none, so a peer's request
 * takes a database connection for its handler alone.  A page's section
 * names the header link it comes under (events, library, manage …), so
 * the layout marks that link on the section's every page.  CACHE marks
 * a page the node may keep in memory for each class of viewer: a handler is
 * flagged only when its page shows nothing of the person but the
 * header's name and the form token, which cache.c fills in per request.
 * CACHE_OWN keeps a signed-in person's page for them alone (it shows
 * their own registrations), and never anything read from a table that
 * does not move the data version (schema/035's unwatched_tables).  Nothing
 * else in the program matches paths: the web layer is given this table
 * and finds a request's route in it.
 */
#include "web.h"
#include "pages.h"
#include "federation.h"
#include "routes.h"

#define GET	(1u << METHOD_GET | 1u << METHOD_HEAD)
/*
 * A kept page is rendered again each minute at least: every time Acorn
 * shows or judges (an event past, registration open) is to the minute.
 */
#define CLOCK_STEP	60
#define POST	(1u << METHOD_POST)

static const struct route routes[PAGE__MAX] = {
	[PAGE_HOME] = {
		.path = "/", .methods = GET,
		.flags = 0,
		.handler = members_home, .metric = "home",
	},
	[PAGE_HEALTHZ] = {
		.path = "/healthz", .methods = GET,
		.flags = NO_SESSION,
		.handler = metrics_healthz, .metric = "healthz",
	},
	[PAGE_HEALTH_PEERS] = {
		.path = "/healthz/peers", .methods = GET,
		.flags = NO_SESSION,
		.handler = metrics_health_peers, .metric = "healthz_peers",
	},
	[PAGE_METRICS] = {
		.path = "/metrics", .methods = GET,
		.flags = NO_DB,
		.handler = metrics_serve, .metric = "metrics",
	},
	[PAGE_STATIC] = {
		.path = "/static/*", .methods = GET,
		.flags = NO_DB,
		.handler = static_serve, .metric = "static",
	},
	[PAGE_FAVICON] = {
		.path = "/favicon.ico", .methods = GET,
		.flags = NO_DB,
		.arg = "favicon.svg",	/* browsers ask whatever the page links to */
		.handler = static_serve, .metric = "favicon",
	},
	[PAGE_JOIN] = {
		.path = "/join", .methods = GET | POST,
		.flags = CSRF,
		.section = "join",
		.handler = accounts_join, .metric = "join",
	},
	[PAGE_SIGNIN] = {
		.path = "/signin", .methods = GET | POST,
		.flags = CSRF,
		.section = "signin",
		.handler = accounts_signin, .metric = "signin",
	},
	[PAGE_SIGNOUT] = {
		.path = "/signout", .methods = POST,
		.flags = NEED_MEMBER | CSRF,
		.handler = accounts_signout, .metric = "signout",
	},
	[PAGE_PROFILE] = {
		.path = "/profile", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "profile",
		.handler = members_profile, .metric = "profile",
	},
	[PAGE_PROFILE_ERASE] = {
		.path = "/profile/erase", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "profile",
		.handler = accounts_erase, .metric = "erase",
	},
	[PAGE_JOIN_CONFIRM] = {
		.path = "/join/confirm", .methods = GET | POST,
		.flags = CSRF,
		.section = "join",
		.handler = accounts_confirm, .metric = "join_confirm",
	},
	[PAGE_JOIN_RESEND] = {
		.path = "/join/resend", .methods = GET | POST,
		.flags = CSRF,
		.section = "join",
		.handler = accounts_resend, .metric = "join_resend",
	},
	[PAGE_SIGNIN_FORGOT] = {
		.path = "/signin/forgot", .methods = GET | POST,
		.flags = CSRF,
		.section = "signin",
		.handler = passwords_forgot, .metric = "signin_forgot",
	},
	[PAGE_SIGNIN_RESET] = {
		.path = "/signin/reset", .methods = GET | POST,
		.flags = CSRF,
		.section = "signin",
		.handler = passwords_reset, .metric = "signin_reset",
	},
	[PAGE_SIGNOUT_EVERYWHERE] = {
		.path = "/signout/everywhere", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.handler = sessions_end_all, .metric = "signout_everywhere",
	},
	[PAGE_PROFILE_PASSWORD] = {
		.path = "/profile/password", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "profile",
		.handler = passwords_change, .metric = "profile_password",
	},
	[PAGE_PROFILE_EMAIL] = {
		.path = "/profile/email", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "profile",
		.handler = accounts_email, .metric = "profile_email",
	},
	[PAGE_PROFILE_EMAIL_CONFIRM] = {
		.path = "/profile/email/confirm", .methods = GET | POST,
		.flags = CSRF,
		.section = "profile",
		.handler = accounts_email_confirm,
		.metric = "profile_email_confirm",
	},
	[PAGE_PROFILE_SESSIONS] = {
		.path = "/profile/sessions", .methods = GET,
		.flags = NEED_MEMBER | CSRF,
		.section = "profile",
		.handler = sessions_list, .metric = "profile_sessions",
	},
	[PAGE_PROFILE_SESSION_END] = {
		.path = "/profile/sessions/end", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "profile",
		.handler = sessions_end, .metric = "profile_session_end",
	},
	[PAGE_PROFILE_DATA] = {
		.path = "/profile/data", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "profile",
		.handler = mydata_page, .metric = "profile_data",
	},
	[PAGE_PRIVACY] = {
		.path = "/privacy", .methods = GET,
		.flags = 0,
		.handler = privacy_page, .metric = "privacy",
	},
	[PAGE_MEMBERS] = {
		.path = "/members", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.section = "members",
		.handler = members_list, .metric = "members",
	},
	[PAGE_MEMBER] = {
		.path = "/members/*", .methods = GET,
		.flags = CACHE_OWN,
		.clock = CLOCK_STEP,
		.section = "members",
		.handler = members_show, .metric = "member",
	},
	[PAGE_ADMIN_MEMBERS] = {
		.path = "/admin/members", .methods = GET,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "manage",
		.handler = admin_members, .metric = "admin_members",
	},
	[PAGE_ADMIN_APPROVE] = {
		.path = "/admin/members/approve", .methods = POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "manage",
		.handler = admin_approve, .metric = "admin_approve",
	},
	[PAGE_ADMIN_REJECT] = {
		.path = "/admin/members/reject", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "manage",
		.handler = admin_reject, .metric = "admin_reject",
	},
	[PAGE_EVENTS] = {
		.path = "/events", .methods = GET,
		.flags = CACHE_OWN,	/* a member's list tags their bookings */
		.clock = CLOCK_STEP,
		.section = "events",
		.handler = events_list, .metric = "events",
	},
	[PAGE_EVENT_NEW] = {
		.path = "/events/new", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = events_new, .metric = "event_new",
	},
	[PAGE_EVENT] = {
		.path = "/events/*", .methods = GET,
		.flags = CACHE_OWN,
		.clock = CLOCK_STEP,
		.section = "events",
		.handler = events_show, .metric = "event",
	},
	[PAGE_EVENT_REGISTER] = {
		.path = "/events/*/register", .methods = POST,
		.flags = CSRF,
		.section = "events",
		.handler = registrations_new, .metric = "event_register",
	},
	[PAGE_EVENT_PLACES] = {
		.path = "/events/*/places", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = events_places, .metric = "event_places",
	},
	[PAGE_EVENT_PUBLISH] = {
		.path = "/events/*/publish", .methods = POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = events_publish, .metric = "event_publish",
	},
	[PAGE_EVENT_CLOSE] = {
		.path = "/events/*/close", .methods = POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = events_close, .metric = "event_close",
	},
	[PAGE_EVENT_REOPEN] = {
		.path = "/events/*/reopen", .methods = POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = events_reopen, .metric = "event_reopen",
	},
	[PAGE_EVENT_ATTENDEES] = {
		.path = "/events/*/attendees", .methods = GET,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = attendance_list, .metric = "event_attendees",
	},
	[PAGE_EVENT_PROMOTE] = {
		.path = "/events/*/promote", .methods = POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = attendance_promote, .metric = "event_promote",
	},
	[PAGE_REGISTRATIONS] = {
		.path = "/registrations", .methods = GET,
		.flags = NEED_MEMBER | CSRF,
		.section = "registrations",
		.handler = registrations_mine, .metric = "registrations",
	},
	[PAGE_REGISTRATION_CANCEL] = {
		.path = "/registrations/*/cancel", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "registrations",
		.handler = registrations_cancel, .metric = "registration_cancel",
	},
	[PAGE_EVENT_EDIT] = {
		.path = "/events/*/edit", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = events_edit, .metric = "event_edit",
	},
	[PAGE_EVENT_CANCEL] = {
		.path = "/events/*/cancel", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = events_cancel, .metric = "event_cancel",
	},
	[PAGE_EVENT_QUESTIONS] = {
		.path = "/events/*/questions", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = questions_edit, .metric = "event_questions",
	},
	/* Setting up a new event, a step a page: what and when, places,
	 * questions, registration, then check your answers. */
	[PAGE_EVENT_WHAT] = {
		.path = "/events/*/what", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.handler = events_what, .metric = "event_what",
	},
	[PAGE_EVENT_SETTINGS] = {
		.path = "/events/*/registration", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.handler = events_settings, .metric = "event_settings",
	},
	[PAGE_EVENT_CHECK] = {
		.path = "/events/*/check", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.handler = events_check, .metric = "event_check",
	},
	[PAGE_EVENT_PEOPLE] = {
		.path = "/events/*/people", .methods = POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = attendance_people, .metric = "event_people",
	},
	[PAGE_REGISTRATION_AWAY] = {
		.path = "/registrations/*", .methods = GET,
		.flags = NEED_MEMBER,
		.section = "registrations",
		.handler = away_show, .metric = "registration_away",
	},
	[PAGE_REGISTRATION_PUBLIC] = {
		.path = "/registrations/*/public", .methods = POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "registrations",
		.handler = registrations_public, .metric = "registration_public",
	},
	[PAGE_GUEST] = {
		.path = "/registrations/guest/*", .methods = GET,
		.flags = CSRF,
		.section = "events",
		.handler = registrations_guest, .metric = "guest",
	},
	[PAGE_GUEST_CONFIRM] = {
		.path = "/registrations/guest/*/confirm", .methods = POST,
		.flags = CSRF,
		.section = "events",
		.handler = registrations_guest_confirm, .metric = "guest_confirm",
	},
	[PAGE_GUEST_CANCEL] = {
		.path = "/registrations/guest/*/cancel", .methods = GET | POST,
		.flags = CSRF,
		.section = "events",
		.handler = registrations_guest_cancel, .metric = "guest_cancel",
	},
	[PAGE_GUEST_PUBLIC] = {
		.path = "/registrations/guest/*/public", .methods = POST,
		.flags = CSRF,
		.section = "events",
		.handler = registrations_guest_public, .metric = "guest_public",
	},
	[PAGE_EVENT_CHECKIN] = {
		.path = "/events/*/checkin", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = attendance_checkin, .metric = "event_checkin",
	},
	[PAGE_EVENT_CHECKIN_UNDO] = {
		.path = "/events/*/checkin/undo", .methods = POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = attendance_checkin_undo, .metric = "event_checkin_undo",
	},
	[PAGE_EVENT_EXPORT] = {
		.path = "/events/*/export", .methods = GET,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = attendance_export, .metric = "event_export",
	},
	[PAGE_EVENT_EXPORT_CSV] = {
		.path = "/events/*/export.csv", .methods = GET,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = attendance_export_csv, .metric = "event_export_csv",
	},
	[PAGE_EVENT_FEEDBACK] = {
		.path = "/events/*/feedback", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = feedback_edit, .metric = "event_feedback",
	},
	[PAGE_EVENT_FEEDBACK_RESULTS] = {
		.path = "/events/*/feedback/results", .methods = GET,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = feedback_results, .metric = "event_feedback_results",
	},
	[PAGE_EVENT_FEEDBACK_CSV] = {
		.path = "/events/*/feedback/results.csv", .methods = GET,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = feedback_csv, .metric = "event_feedback_csv",
	},
	[PAGE_EVENT_FEEDBACK_PUBLISH] = {
		.path = "/events/*/feedback/publish", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = feedback_publish, .metric = "event_feedback_publish",
	},
	/* A link sent after an event: no account needed. */
	[PAGE_FEEDBACK] = {
		.path = "/feedback/*", .methods = GET | POST,
		.flags = CSRF,
		.section = "events",
		.handler = feedback_answer, .metric = "feedback",
	},
	[PAGE_ADMIN_MAIL] = {
		.path = "/admin/mail", .methods = GET,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "manage",
		.handler = outbox_list, .metric = "admin_mail",
	},
	[PAGE_EVENTS_ICS] = {
		.path = "/events.ics", .methods = GET,
		.flags = 0,
		.section = "events",
		.handler = calendar_events, .metric = "events_ics",
	},
	[PAGE_EVENT_ICS] = {
		.path = "/events/*.ics", .methods = GET,
		.flags = 0,
		.section = "events",
		.handler = calendar_event, .metric = "event_ics",
	},
	[PAGE_FEED] = {
		.path = "/feeds/*", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.handler = feeds_serve, .metric = "feed",
	},
	[PAGE_FEEDS_POLL] = {
		.path = "/feeds", .methods = GET,
		.flags = 0,
		.handler = feeds_poll, .metric = "feeds_poll",
	},
	[PAGE_FED_KEY] = {
		.path = "/federation/key.pem", .methods = GET,
		.flags = NO_DB,
		.handler = federation_key, .metric = "federation_key",
	},
	[PAGE_FED_SERVICE] = {
		.path = "/federation/service", .methods = GET,
		.flags = NO_DB,
		.handler = federation_service, .metric = "federation_service",
	},
	[PAGE_FED_PING] = {
		.path = "/federation/ping", .methods = POST,
		.flags = NO_SESSION,
		.handler = federation_ping, .metric = "federation_ping",
	},
	[PAGE_FED_PUSH] = {
		.path = "/federation/push", .methods = POST,
		.flags = ATOM_FEED | NO_SESSION,
		.max_body = PUSH_MAX_BODY,
		.handler = federation_push, .metric = "federation_push",
	},
	[PAGE_FED_INBOX] = {
		.path = "/federation/inbox", .methods = POST,
		.flags = ATOM_ENTRY | NO_SESSION,
		.max_body = FED_MAX_ENTRY,
		.handler = federation_inbox, .metric = "federation_inbox",
	},
	[PAGE_EVENT_UNREGISTER] = {
		.path = "/events/*/unregister", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "events",
		.handler = attendance_unregister, .metric = "event_unregister",
	},
	[PAGE_LIBRARY] = {
		.path = "/library", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.section = "library",
		.handler = library_list, .metric = "library",
	},
	[PAGE_LIBRARY_NEW] = {
		.path = "/library/new", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "library",
		.handler = library_new, .metric = "library_new",
	},
	[PAGE_LIBRARY_DOC] = {
		.path = "/library/*", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.section = "library",
		.handler = library_show, .metric = "library_doc",
	},
	[PAGE_LIBRARY_EDIT] = {
		.path = "/library/*/edit", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "library",
		.handler = library_edit, .metric = "library_edit",
	},
	[PAGE_LIBRARY_HISTORY] = {
		.path = "/library/*/history", .methods = GET,
		.flags = 0,
		.section = "library",
		.handler = library_history, .metric = "library_history",
	},
	[PAGE_LIBRARY_COMPARE] = {
		.path = "/library/*/compare", .methods = GET,
		.flags = 0,
		.section = "library",
		.handler = library_compare, .metric = "library_compare",
	},
	[PAGE_LIBRARY_RESTORE] = {
		.path = "/library/*/restore", .methods = POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "library",
		.handler = library_restore, .metric = "library_restore",
	},
	[PAGE_LIBRARY_PROTECT] = {
		.path = "/library/*/protect", .methods = POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "library",
		.handler = library_protect, .metric = "library_protect",
	},
	[PAGE_GLOSSARY] = {
		.path = "/glossary", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.section = "glossary",
		.handler = glossary_list, .metric = "glossary",
	},
	[PAGE_GLOSSARY_NEW] = {
		.path = "/glossary/new", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "glossary",
		.handler = glossary_new, .metric = "glossary_new",
	},
	[PAGE_GLOSSARY_EDIT] = {
		.path = "/glossary/*/edit", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "glossary",
		.handler = glossary_edit, .metric = "glossary_edit",
	},
	[PAGE_SERVICES] = {
		.path = "/services", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.section = "services",
		.handler = services_list, .metric = "services",
	},
	[PAGE_SERVICE_NEW] = {
		.path = "/services/new", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "services",
		.handler = services_new, .metric = "service_new",
	},
	[PAGE_SERVICE] = {
		.path = "/services/*", .methods = GET,
		.flags = CACHE_OWN,
		.clock = CLOCK_STEP,
		.section = "services",
		.handler = services_show, .metric = "service",
	},
	[PAGE_SERVICE_EDIT] = {
		.path = "/services/*/edit", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "services",
		.handler = services_edit, .metric = "service_edit",
	},
	[PAGE_SERVICE_CONFIRM] = {
		.path = "/services/*/confirm", .methods = POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "services",
		.handler = services_confirm, .metric = "service_confirm",
	},
	[PAGE_SERVICE_CHECK] = {
		.path = "/services/check/*", .methods = GET | POST,
		.flags = CSRF,
		.section = "services",
		.handler = services_review_check, .metric = "service_check",
	},
	[PAGE_SERVICE_REPORT] = {
		.path = "/services/*/report", .methods = GET | POST,
		.flags = CSRF,
		.section = "services",
		.handler = services_review_report, .metric = "service_report",
	},
	[PAGE_SERVICES_REVIEW] = {
		.path = "/services/review", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "services",
		.handler = services_review, .metric = "services_review",
	},
	[PAGE_SERVICE_SUGGESTION] = {
		.path = "/services/suggestions/*", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "services",
		.handler = services_review_suggestion, .metric = "service_suggestion",
	},
	[PAGE_SERVICE_OUTCOME] = {
		.path = "/services/*/outcome", .methods = POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "services",
		.handler = services_review_outcome, .metric = "service_outcome",
	},
	[PAGE_SERVICE_HISTORY] = {
		.path = "/services/*/history", .methods = GET,
		.flags = CACHE,
		.section = "services",
		.handler = services_review_history, .metric = "service_history",
	},
	[PAGE_SERVICE_REMOVE] = {
		.path = "/services/*/remove", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "services",
		.handler = services_remove, .metric = "service_remove",
	},
	[PAGE_SERVICES_NEEDS] = {
		.path = "/services/needs", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "services",
		.handler = services_review_needs, .metric = "services_needs",
	},
	[PAGE_SHORTLIST] = {
		.path = "/services/shortlist", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "services",
		.handler = services_shortlist, .metric = "shortlist",
	},
	[PAGE_SHORTLIST_PRINT] = {
		.path = "/services/shortlist/print", .methods = GET,
		.flags = NEED_MEMBER,
		.section = "services",
		.handler = services_shortlist_print,
		.metric = "shortlist_print",
	},
	[PAGE_SHORTLIST_SHARED] = {
		.path = "/services/shared/*", .methods = GET,
		.flags = 0,
		.section = "services",
		.handler = services_shortlist_shared, .metric = "shortlist_shared",
	},
	[PAGE_ORUK_ROOT] = {
		.path = "/api/oruk", .methods = GET,
		.flags = CACHE | NO_SESSION,
		.handler = oruk_root, .metric = "oruk",
	},
	[PAGE_ORUK_ROOT_SLASH] = {
		.path = "/api/oruk/", .methods = GET,
		.flags = CACHE | NO_SESSION,
		.handler = oruk_root, .metric = "oruk",
	},
	[PAGE_ORUK_SERVICES] = {
		.path = "/api/oruk/services", .methods = GET,
		.flags = CACHE | NO_SESSION,
		.handler = oruk_services, .metric = "oruk_services",
	},
	[PAGE_ORUK_SERVICE] = {
		.path = "/api/oruk/services/*", .methods = GET,
		.flags = CACHE | NO_SESSION,
		.handler = oruk_service, .metric = "oruk_service",
	},
	[PAGE_ORUK_SALS] = {
		.path = "/api/oruk/service_at_locations", .methods = GET,
		.flags = CACHE | NO_SESSION,
		.handler = oruk_service_at_locations, .metric = "oruk_service_at_locations",
	},
	[PAGE_ORUK_SAL] = {
		.path = "/api/oruk/service_at_locations/*", .methods = GET,
		.flags = CACHE | NO_SESSION,
		.handler = oruk_service_at_location, .metric = "oruk_service_at_location",
	},
	[PAGE_ORUK_TAXONOMIES] = {
		.path = "/api/oruk/taxonomies", .methods = GET,
		.flags = CACHE | NO_SESSION,
		.handler = oruk_taxonomies, .metric = "oruk_taxonomies",
	},
	[PAGE_ORUK_TAXONOMY] = {
		.path = "/api/oruk/taxonomies/*", .methods = GET,
		.flags = CACHE | NO_SESSION,
		.handler = oruk_taxonomy, .metric = "oruk_taxonomy",
	},
	[PAGE_ORUK_TERMS] = {
		.path = "/api/oruk/taxonomy_terms", .methods = GET,
		.flags = CACHE | NO_SESSION,
		.handler = oruk_taxonomy_terms, .metric = "oruk_taxonomy_terms",
	},
	[PAGE_ORUK_TERM] = {
		.path = "/api/oruk/taxonomy_terms/*", .methods = GET,
		.flags = CACHE | NO_SESSION,
		.handler = oruk_taxonomy_term, .metric = "oruk_taxonomy_term",
	},
	[PAGE_ORUK_ORGS] = {
		.path = "/api/oruk/organizations", .methods = GET,
		.flags = CACHE | NO_SESSION,
		.handler = oruk_organizations, .metric = "oruk_organizations",
	},
	[PAGE_ORUK_ORG] = {
		.path = "/api/oruk/organizations/*", .methods = GET,
		.flags = CACHE | NO_SESSION,
		.handler = oruk_organization, .metric = "oruk_organization",
	},
	[PAGE_ORGANISATIONS] = {
		.path = "/organisations", .methods = GET,
		.flags = CACHE,
		.section = "services",
		.handler = organisations_list, .metric = "organisations",
	},
	[PAGE_ORGANISATION_NEW] = {
		.path = "/organisations/new", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "services",
		.handler = organisations_new, .metric = "organisation_new",
	},
	[PAGE_ORGANISATION] = {
		.path = "/organisations/*", .methods = GET,
		.flags = CACHE_OWN,
		.clock = CLOCK_STEP,
		.section = "services",
		.handler = organisations_show, .metric = "organisation",
	},
	[PAGE_ORGANISATION_EDIT] = {
		.path = "/organisations/*/edit", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "services",
		.handler = organisations_edit, .metric = "organisation_edit",
	},
	[PAGE_ORGANISATION_MANAGERS] = {
		.path = "/organisations/*/managers", .methods = POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "services",
		.handler = organisations_managers,
		.metric = "organisation_managers",
	},
	[PAGE_PLACE_NEW] = {
		.path = "/organisations/places/new", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "services",
		.handler = organisations_place_new, .metric = "place_new",
	},
	[PAGE_PLACE] = {
		.path = "/organisations/places/*", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "services",
		.handler = organisations_place, .metric = "place",
	},
	[PAGE_PLACE_REMOVE] = {
		.path = "/organisations/places/*/remove", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "services",
		.handler = organisations_place_remove, .metric = "place_remove",
	},
	[PAGE_SEARCH] = {
		.path = "/search", .methods = GET,
		.flags = 0,
		.section = "search",
		.handler = search_page, .metric = "search",
	},
	[PAGE_EVIDENCE] = {
		.path = "/evidence", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.section = "evidence",
		.handler = evidence_list, .metric = "evidence",
	},
	[PAGE_EVIDENCE_CSV] = {
		.path = "/evidence.csv", .methods = GET,
		.flags = 0,
		.section = "evidence",
		.handler = evidence_csv, .metric = "evidence_csv",
	},
	[PAGE_MIX] = {
		.path = "/mix", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.section = "members",
		.handler = mix_show, .metric = "mix",
	},
	[PAGE_EVIDENCE_SUMMARY] = {
		.path = "/evidence/summary", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.section = "evidence",
		.handler = evidence_summary, .metric = "evidence_summary",
	},
	[PAGE_EVIDENCE_NEW] = {
		.path = "/evidence/new", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "evidence",
		.handler = evidence_new, .metric = "evidence_new",
	},
	[PAGE_EVIDENCE_SHOW] = {
		.path = "/evidence/*", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.section = "evidence",
		.handler = evidence_show, .metric = "evidence_show",
	},
	[PAGE_EVIDENCE_EDIT] = {
		.path = "/evidence/*/edit", .methods = GET | POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "evidence",
		.handler = evidence_edit, .metric = "evidence_edit",
	},
	[PAGE_EVIDENCE_HISTORY] = {
		.path = "/evidence/*/history", .methods = GET,
		.flags = 0,
		.section = "evidence",
		.handler = evidence_history, .metric = "evidence_history",
	},
	[PAGE_EVIDENCE_COMPARE] = {
		.path = "/evidence/*/compare", .methods = GET,
		.flags = 0,
		.section = "evidence",
		.handler = evidence_compare, .metric = "evidence_compare",
	},
	[PAGE_EVIDENCE_RESTORE] = {
		.path = "/evidence/*/restore", .methods = POST,
		.flags = NEED_MEMBER | CSRF,
		.section = "evidence",
		.handler = evidence_restore, .metric = "evidence_restore",
	},
	[PAGE_EVIDENCE_DELETE] = {
		.path = "/evidence/*/delete", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "evidence",
		.handler = evidence_delete, .metric = "evidence_delete",
	},
	[PAGE_EVIDENCE_FILES] = {
		.path = "/evidence/*/files", .methods = GET | POST,
		.flags = NEED_CONTRIBUTOR | CSRF | UPLOAD,
		.section = "evidence",
		.handler = evidence_files, .metric = "evidence_files",
	},
	[PAGE_EVIDENCE_FILE] = {
		.path = "/evidence/files/*", .methods = GET,
		.flags = 0,
		.section = "evidence",
		.handler = evidence_files_one, .metric = "evidence_file",
	},
	[PAGE_ADMIN_ROLES] = {
		.path = "/admin/roles", .methods = GET | POST,
		.flags = NEED_ADMIN | CSRF,
		.section = "manage",
		.handler = admin_roles, .metric = "admin_roles",
	},
	[PAGE_ADMIN_SYNC] = {
		.path = "/admin/sync", .methods = GET,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "manage",
		.handler = network_sync, .metric = "admin_sync",
	},
	[PAGE_ADMIN_PEERS] = {
		.path = "/admin/peers", .methods = GET | POST,
		.flags = NEED_ADMIN | CSRF,
		.section = "manage",
		.handler = network_peers, .metric = "admin_peers",
	},
	[PAGE_ADMIN_PEER_REMOVE] = {
		.path = "/admin/peers/remove", .methods = GET | POST,
		.flags = NEED_ADMIN | CSRF,
		.section = "manage",
		.handler = network_peer_remove, .metric = "admin_peer_remove",
	},
	[PAGE_MANAGE] = {
		.path = "/manage", .methods = GET,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "manage",
		.handler = manage_page, .metric = "manage",
	},
	[PAGE_ACCESSIBILITY] = {
		.path = "/accessibility", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.arg = "accessibility",
		.handler = site_show, .metric = "accessibility",
	},
	[PAGE_COOKIES] = {
		.path = "/cookies", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.arg = "cookies",
		.handler = site_show, .metric = "cookies",
	},
	[PAGE_CONTACT] = {
		.path = "/contact", .methods = GET,
		.flags = CACHE,
		.clock = CLOCK_STEP,
		.arg = "contact",
		.handler = site_show, .metric = "contact",
	},
	[PAGE_SITE_EDIT] = {
		.path = "/site/*/edit", .methods = GET | POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "manage",
		.handler = site_edit, .metric = "site_edit",
	},
	[PAGE_SITE_RESTORE] = {
		.path = "/site/*/restore", .methods = POST,
		.flags = NEED_COORDINATOR | CSRF,
		.section = "manage",
		.handler = site_restore, .metric = "site_restore",
	},
};

const struct route *const routes_table = routes;
const size_t routes_count = PAGE__MAX;
