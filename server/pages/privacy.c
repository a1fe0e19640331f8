/*
 * /privacy: the privacy notice.  What each kind of personal data is for,
 * who sees it, which nodes it travels to and how long it is kept.  The
 * periods come from the retention rules themselves (retention_period),
 * read from this node's configuration, so the notice always says what
 * the node does.  Its coordinators' own text (site.c), such as who runs
 * the node and how to reach them, goes above it.
 */
#include <stdlib.h>

#include "web.h"
#include "pages.h"

/* The view key each retention rule's period is shown under. */
static const char *const period_keys[RETAIN__MAX] = {
	[RETAIN_MAIL] = "keep_mail",
	[RETAIN_GUEST_FORMS] = "keep_guest_forms",
	[RETAIN_SESSIONS] = "keep_sessions",
	[RETAIN_SIGNIN_FAILURES] = "keep_signin_failures",
	[RETAIN_AUDIT] = "keep_audit",
	[RETAIN_UNCONFIRMED] = "keep_unconfirmed",
	[RETAIN_THROTTLE] = "keep_throttle",
	[RETAIN_SHORTLISTS] = "keep_shortlists",
	[RETAIN_REPORTS] = "keep_reports",
	[RETAIN_SUGGESTIONS] = "keep_suggestions",
	[RETAIN_REFERRALS] = "keep_referrals",
	[RETAIN_NOTES] = "keep_notes",
};

/* GET /privacy */
int
privacy_page(struct request *r)
{
	struct view *v;
	char *words;
	int rule;

	if ((v = page_view(r, "Privacy notice")) == NULL)
		return http_error(r, 500);
	view_set(v, "public_url", cfg->public_url);
	for (rule = 0; rule < RETAIN__MAX; rule++) {
		if ((words = retention_period(cfg,
		    (enum retention_rule)rule)) == NULL) {
			view_free(v);
			return http_error(r, 500);
		}
		view_set(v, period_keys[rule], words);
		free(words);
	}
	if (site_text(r, v, "privacy") == -1) {
		view_free(v);
		return http_error(r, 503);
	}
	return http_page(r, 200, "privacy", v);
}
