/*
 * Input at the edge: every form and query field a handler may read is
 * declared here with its validator, as in kcgi.  A handler sees only
 * fields that passed: valid UTF-8, trimmed, within their length, and of
 * their kind.  Anything else is marked as an error and never stored.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

enum kind {
	K_LINE,		/* one line of text */
	K_TEXT,		/* several lines */
	K_EMAIL,
	K_TOKEN,	/* base64url */
	K_UUID,
	K_NUMBER,	/* a whole number from 1 to 100000: a page, a revision */
	K_ID,		/* a row's id: a whole number from 1 */
	K_BOOL,		/* a checkbox */
	K_PATH,		/* a local path to return to */
	K_SECRET,	/* a password: kept as typed, not trimmed */
	K_GROUP,
	K_REGION,
	K_COUNT,	/* a whole number from 0 */
	K_SIZE,		/* a whole number from 0 to ten million */
	K_WHEN,		/* a date and time, as GOV.UK date inputs: form_end */
	K_URL,		/* http or https */
	K_KIND,		/* an event kind */
	K_WORDS,	/* repeatable: words of a-z, 0-9 and _ */
	K_UUIDS,	/* repeatable: UUIDs, as K_WORDS keeps words */
	K_CLOCK,	/* a time of day, 24-hour: 09:30 */
	K_POSTCODE	/* a UK postcode, any case and spacing */
};

struct keydef {
	const char	*name;
	enum kind	 kind;
	size_t		 max;	/* characters */
	const char	*label;	/* how error messages name the field */
	const char	*format;	/* the message when the shape is wrong */
	const char	*time_label;	/* K_WHEN: how errors name the time */
};

static const struct keydef keys[KEY__MAX] = {
	[KEY_BIO] = { "bio", K_TEXT, 2000, "About you", NULL },
	[KEY_CSRF] = { "csrf", K_TOKEN, 64, "The form", NULL },
	[KEY_EMAIL] = { "email", K_EMAIL, 254, "Email address",
	    "Enter an email address in the correct format, like "
	    "name@example.org" },
	[KEY_GROUP] = { "group", K_GROUP, 32,
	    "Your role in social prescribing",
	    "Select your role in social prescribing from the list" },
	[KEY_ID] = { "id", K_UUID, 36, "Record", "Unknown record" },
	[KEY_INTERESTS] = { "interests", K_LINE, 500, "Interests",
	    "Interests must be on one line" },
	[KEY_LISTED] = { "listed", K_BOOL, 8, "Network directory",
	    "Choose whether to be listed" },
	[KEY_NAME] = { "name", K_LINE, 120, "Full name",
	    "Full name must be on one line" },
	[KEY_NEXT] = { "next", K_PATH, 512, "Next page", "Unknown page" },
	[KEY_NODE] = { "node", K_LINE, 100, "Node", "Give the node's id" },
	[KEY_ORGANISATION] = { "organisation", K_LINE, 200, "Organisation",
	    "Organisation must be on one line" },
	[KEY_PAGE] = { "page", K_NUMBER, 6, "Page", "Unknown page number" },
	[KEY_PASSWORD] = { "password", K_SECRET, 1024, "Password", NULL },
	[KEY_PASSWORD2] = { "password2", K_SECRET, 1024, "Password", NULL },
	[KEY_Q] = { "q", K_LINE, 200, "Search", "Search on one line" },
	[KEY_REGION] = { "region", K_REGION, 64, "Region",
	    "Select a region from the list" },
	[KEY_ROLE_TITLE] = { "role_title", K_LINE, 120, "Job title",
	    "Job title must be on one line" },
	[KEY_SAVED] = { "saved", K_BOOL, 8, "Saved", NULL },
	[KEY_CONFIRM] = { "confirm", K_BOOL, 8, "Confirmation",
	    "Tick the box to confirm" },
	[KEY_TITLE] = { "title", K_LINE, 200, "Title",
	    "Title must be on one line" },
	[KEY_DESCRIPTION] = { "description", K_TEXT, 20000, "Description",
	    NULL },
	[KEY_KIND] = { "kind", K_KIND, 32, "Kind of event",
	    "Select the kind of event from the list" },
	[KEY_START] = { "start", K_WHEN, 4, "Start date", NULL,
	    "Start time" },
	[KEY_END] = { "end", K_WHEN, 4, "End date", NULL, "End time" },
	[KEY_VENUE] = { "venue", K_LINE, 200, "Venue",
	    "Venue must be on one line" },
	[KEY_ADDRESS] = { "address", K_TEXT, 500, "Address", NULL },
	[KEY_ONLINE_URL] = { "online_url", K_URL, 500, "Joining link",
	    "Enter a joining link starting with https://" },
	[KEY_ORGANISER] = { "organiser", K_LINE, 200, "Organiser",
	    "Organiser must be on one line" },
	[KEY_ORGANISER_EMAIL] = { "organiser_email", K_EMAIL, 254,
	    "Organiser's email address", "Enter the organiser's email "
	    "address in the correct format, like name@example.org" },
	[KEY_OPENS] = { "opens", K_WHEN, 4, "Date registration opens", NULL,
	    "Time registration opens" },
	[KEY_CLOSES] = { "closes", K_WHEN, 4, "Date registration closes",
	    NULL, "Time registration closes" },
	[KEY_CHECK] = { "check", K_BOOL, 8, "Check your answers", NULL },
	[KEY_PLACE_NAME] = { "place_name", K_LINE, 100, "Type of place",
	    "Type of place must be on one line" },
	[KEY_CAPACITY] = { "capacity", K_COUNT, 6, "Number of places",
	    "Number of places must be a whole number, like 100" },
	[KEY_PLACE] = { "place", K_ID, 19, "Place",
	    "Choose a type of place" },
	[KEY_PLACES] = { "places", K_NUMBER, 2, "Number of places",
	    "Number of places must be a whole number from 1 to 10" },
	[KEY_PUBLIC] = { "public", K_BOOL, 8, "Attendee list",
	    "Choose whether to show your name" },
	[KEY_OTHER_NODES] = { "other_nodes", K_BOOL, 8,
	    "Registrations from other nodes",
	    "Choose whether members of other nodes may register" },
	[KEY_REQUEST] = { "request", K_TOKEN, 64, "The form", NULL },
	[KEY_WHEN] = { "when", K_LINE, 8, "When", NULL },
	[KEY_QKIND] = { "qkind", K_LINE, 16, "Kind of question",
	    "Select the kind of question" },
	[KEY_LABEL] = { "label", K_LINE, 300, "Question",
	    "The question must be on one line" },
	[KEY_CHOICES] = { "choices", K_TEXT, 2000, "Choices", NULL },
	[KEY_REQUIRED] = { "required", K_BOOL, 8, "Required",
	    "Choose whether an answer is required" },
	[KEY_QUESTION] = { "question", K_ID, 19, "Question",
	    "Unknown question" },
	[KEY_ROLE] = { "role", K_LINE, 16, "Role",
	    "Select a role from the list" },
	[KEY_COL] = { "col", K_WORDS, 2000, "Columns",
	    "Choose columns from the list" },
	[KEY_WHICH] = { "which", K_LINE, 16, "Who to include",
	    "Choose who to include from the list" },
	[KEY_DONE] = { "done", K_LINE, 16, "Done", NULL },
	[KEY_SLUG] = { "slug", K_LINE, 80, "Web address",
	    "Web address must be on one line" },
	[KEY_CATEGORY] = { "category", K_LINE, 32, "Category",
	    "Select a category from the list" },
	[KEY_TAGS] = { "tags", K_LINE, 400, "Tags",
	    "Tags must be on one line" },
	[KEY_TAG] = { "tag", K_LINE, 40, "Tag", "Tag must be on one line" },
	[KEY_BODY] = { "body", K_TEXT, 60000, "Text", NULL },
	[KEY_SUMMARY] = { "summary", K_LINE, 200, "Summary of your changes",
	    "Summary of your changes must be on one line" },
	[KEY_BASE] = { "base", K_NUMBER, 6, "Revision",
	    "Unknown revision" },
	[KEY_REVISION] = { "revision", K_NUMBER, 6, "Revision",
	    "Unknown revision" },
	[KEY_FROM] = { "from", K_NUMBER, 6, "Revision",
	    "Choose a revision to compare from" },
	[KEY_TO] = { "to", K_NUMBER, 6, "Revision",
	    "Choose a revision to compare with" },
	[KEY_PROTECTED] = { "protected", K_BOOL, 8, "Protection",
	    "Choose whether the document is protected" },
	[KEY_TERM] = { "term", K_LINE, 120, "Term",
	    "Term must be on one line" },
	[KEY_DEFINITION] = { "definition", K_TEXT, 2000, "Definition", NULL },
	[KEY_SYNONYMS] = { "synonyms", K_LINE, 500, "Other names",
	    "Other names must be on one line" },
	[KEY_SCHEME] = { "scheme", K_LINE, 200, "Scheme",
	    "Scheme must be on one line" },
	[KEY_AREA] = { "area", K_LINE, 200, "Area",
	    "Area must be on one line" },
	[KEY_YEAR] = { "year", K_COUNT, 4, "Year",
	    "Enter the year as 4 digits, like 2024" },
	[KEY_DESIGN] = { "design", K_LINE, 32, "Study design",
	    "Select a study design from the list" },
	[KEY_SAMPLE_SIZE] = { "sample_size", K_SIZE, 9, "Sample size",
	    "Sample size must be a whole number, like 120" },
	[KEY_FOLLOW_UP] = { "follow_up", K_COUNT, 3, "Follow-up period",
	    "Follow-up period must be a whole number of months, like 12" },
	[KEY_ABSTRACT] = { "abstract", K_TEXT, 10000, "Summary", NULL },
	[KEY_OUTCOME] = { "outcome", K_LINE, 32, "Outcome",
	    "Select an outcome from the list" },
	[KEY_DIRECTION] = { "direction", K_LINE, 16, "Finding",
	    "Select a finding from the list" },
	[KEY_GP_CONSULTATIONS_DIRECTION] = { "gp_consultations_direction", K_LINE, 16,
	    "GP consultations: finding", "Select a finding from the list" },
	[KEY_GP_CONSULTATIONS_MEASURE] = { "gp_consultations_measure", K_LINE, 120,
	    "GP consultations: measure", "The measure must be on one line" },
	[KEY_GP_CONSULTATIONS_FIGURE] = { "gp_consultations_figure", K_LINE, 120,
	    "GP consultations: result", "The result must be on one line" },
	[KEY_AE_ATTENDANCE_DIRECTION] = { "ae_attendance_direction", K_LINE, 16,
	    "A&E attendance: finding", "Select a finding from the list" },
	[KEY_AE_ATTENDANCE_MEASURE] = { "ae_attendance_measure", K_LINE, 120,
	    "A&E attendance: measure", "The measure must be on one line" },
	[KEY_AE_ATTENDANCE_FIGURE] = { "ae_attendance_figure", K_LINE, 120,
	    "A&E attendance: result", "The result must be on one line" },
	[KEY_WELLBEING_DIRECTION] = { "wellbeing_direction", K_LINE, 16,
	    "Wellbeing: finding", "Select a finding from the list" },
	[KEY_WELLBEING_MEASURE] = { "wellbeing_measure", K_LINE, 120,
	    "Wellbeing: measure", "The measure must be on one line" },
	[KEY_WELLBEING_FIGURE] = { "wellbeing_figure", K_LINE, 120,
	    "Wellbeing: result", "The result must be on one line" },
	[KEY_LONELINESS_DIRECTION] = { "loneliness_direction", K_LINE, 16,
	    "Loneliness: finding", "Select a finding from the list" },
	[KEY_LONELINESS_MEASURE] = { "loneliness_measure", K_LINE, 120,
	    "Loneliness: measure", "The measure must be on one line" },
	[KEY_LONELINESS_FIGURE] = { "loneliness_figure", K_LINE, 120,
	    "Loneliness: result", "The result must be on one line" },
	[KEY_ANXIETY_DEPRESSION_DIRECTION] = { "anxiety_depression_direction", K_LINE, 16,
	    "Anxiety and depression: finding", "Select a finding from the list" },
	[KEY_ANXIETY_DEPRESSION_MEASURE] = { "anxiety_depression_measure", K_LINE, 120,
	    "Anxiety and depression: measure", "The measure must be on one line" },
	[KEY_ANXIETY_DEPRESSION_FIGURE] = { "anxiety_depression_figure", K_LINE, 120,
	    "Anxiety and depression: result", "The result must be on one line" },
	[KEY_ACTIVATION_DIRECTION] = { "activation_direction", K_LINE, 16,
	    "Patient activation: finding", "Select a finding from the list" },
	[KEY_ACTIVATION_MEASURE] = { "activation_measure", K_LINE, 120,
	    "Patient activation: measure", "The measure must be on one line" },
	[KEY_ACTIVATION_FIGURE] = { "activation_figure", K_LINE, 120,
	    "Patient activation: result", "The result must be on one line" },
	[KEY_EMPLOYMENT_VOLUNTEERING_DIRECTION] = { "employment_volunteering_direction", K_LINE, 16,
	    "Employment or volunteering: finding", "Select a finding from the list" },
	[KEY_EMPLOYMENT_VOLUNTEERING_MEASURE] = { "employment_volunteering_measure", K_LINE, 120,
	    "Employment or volunteering: measure", "The measure must be on one line" },
	[KEY_EMPLOYMENT_VOLUNTEERING_FIGURE] = { "employment_volunteering_figure", K_LINE, 120,
	    "Employment or volunteering: result", "The result must be on one line" },
	[KEY_COST_ROI_DIRECTION] = { "cost_roi_direction", K_LINE, 16,
	    "Cost or return on investment: finding", "Select a finding from the list" },
	[KEY_COST_ROI_MEASURE] = { "cost_roi_measure", K_LINE, 120,
	    "Cost or return on investment: measure", "The measure must be on one line" },
	[KEY_COST_ROI_FIGURE] = { "cost_roi_figure", K_LINE, 120,
	    "Cost or return on investment: result", "The result must be on one line" },
	[KEY_URL] = { "url", K_URL, 500, "Address of the peer",
	    "Enter the peer's address starting with https:// or http://, "
	    "like https://london.example.org" },
	[KEY_FINGERPRINT] = { "fingerprint", K_LINE, 200, "Fingerprint",
	    "Fingerprint must be on one line" },
	[KEY_HUB] = { "hub", K_BOOL, 8, "Hub",
	    "Choose whether the peer is a hub" },
	[KEY_PEER] = { "peer", K_ID, 19, "Peer", "Unknown peer" },
	[KEY_CLAIM] = { "claim", K_TOKEN, 64, "What the peer claimed",
	    "Check the peer again" },
	[KEY_TOKEN] = { "token", K_TOKEN, 64, "The link",
	    "This link is not complete. Copy the whole link from the email" },
	[KEY_CURRENT] = { "current", K_SECRET, 1024, "Current password",
	    NULL },
	[KEY_SESSION] = { "session", K_ID, 19, "Session",
	    "Unknown session" },
	[KEY_PREVIEW] = { "preview", K_BOOL, 8, "Preview", NULL },
	[KEY_MEASURED] = { "measured", K_WORDS, 400, "Outcomes measured",
	    "Select the outcomes from the list" },
	[KEY_STEP] = { "step", K_LINE, 16, "Step", "Unknown step" },
	[KEY_CHANGED] = { "changed", K_COUNT, 1, "Changed fields only",
	    "Choose whether to hide unchanged fields" },
	[KEY_REASON] = { "reason", K_TEXT, 1000, "Reason", NULL },
	[KEY_NEWS] = { "news", K_LINE, 200, "News",
	    "Name the collections with news" },
	[KEY_SERVICE] = { "service", K_LINE, 200, "Name of the service",
	    "Name of the service must be on one line" },
	[KEY_STATUS] = { "status", K_LINE, 32, "Status",
	    "Select the status from the list" },
	[KEY_WEBSITE] = { "website", K_URL, 500, "Website",
	    "Enter a website address starting with https://" },
	[KEY_PHONE] = { "phone", K_LINE, 40, "Phone number",
	    "Phone number must be on one line" },
	[KEY_CONTACT_NAME] = { "contact_name", K_LINE, 120, "Contact name",
	    "Contact name must be on one line" },
	[KEY_ALERT] = { "alert", K_LINE, 300, "Alert",
	    "Alert must be on one line" },
	[KEY_MIN_AGE] = { "min_age", K_COUNT, 3, "Youngest age",
	    "Youngest age must be a whole number, like 18" },
	[KEY_MAX_AGE] = { "max_age", K_COUNT, 3, "Oldest age",
	    "Oldest age must be a whole number, like 65" },
	[KEY_ELIGIBILITY] = { "eligibility", K_TEXT, 1000, "Who it is for",
	    NULL },
	[KEY_FEES] = { "fees", K_TEXT, 1000, "Costs", NULL },
	[KEY_FREE] = { "free", K_BOOL, 8, "Free", NULL },
	[KEY_LANGUAGES] = { "languages", K_LINE, 500, "Languages",
	    "Languages must be on one line" },
	[KEY_ACCESSIBILITY] = { "accessibility", K_TEXT, 1000,
	    "Accessibility", NULL },
	[KEY_ATTEND] = { "attend", K_WORDS, 100, "How people take part",
	    "Select how people take part from the list" },
	[KEY_ACCESS] = { "access", K_WORDS, 100, "How people get in",
	    "Select how people get in from the list" },
	[KEY_TERMS] = { "terms", K_WORDS, 1000, "Needs and activities",
	    "Select needs and activities from the list" },
	[KEY_NEED] = { "need", K_LINE, 40, "Need or activity",
	    "Select a need or activity from the list" },
	[KEY_AGE] = { "age", K_COUNT, 3, "Age",
	    "Age must be a whole number, like 70" },
	[KEY_DAY] = { "day", K_LINE, 2, "Day",
	    "Select a day from the list" },
	[KEY_AT] = { "at", K_CLOCK, 5, "Time",
	    "Enter a time like 09:30 or 14:00" },
	[KEY_SORT] = { "sort", K_LINE, 16, "Order",
	    "Select an order from the list" },
	[KEY_ORG] = { "org", K_UUID, 36, "Organisation",
	    "Unknown organisation" },
	[KEY_TOWN] = { "town", K_LINE, 100, "Town or city",
	    "Town or city must be on one line" },
	[KEY_POSTCODE] = { "postcode", K_POSTCODE, 10, "Postcode",
	    "Enter a full UK postcode, like M1 1AE" },
	[KEY_ASSURE] = { "assure", K_BOOL, 8, "Checked", NULL },
	[KEY_ACCOUNT_ID] = { "account", K_ID, 19, "Account",
	    "Unknown account" },
	[KEY_TOPIC] = { "topic", K_LINE, 16, "What is wrong",
	    "Select what is wrong from the list" },
	[KEY_DETAILS] = { "details", K_TEXT, 1000, "Details", NULL },
	[KEY_REPORT] = { "report", K_ID, 19, "Report", "Unknown report" },
	[KEY_DISTANCE] = { "distance", K_LINE, 3, "Distance",
	    "Select a distance from the list" },
	[KEY_ADDED] = { "added", K_BOOL, 8, "Added", NULL },
	[KEY_SEARCH] = { "search", K_LINE, 200, "search", NULL },
	[KEY_PER_PAGE] = { "per_page", K_NUMBER, 6, "per_page", NULL },
	[KEY_TAXONOMY_TERM_ID] = { "taxonomy_term_id", K_UUID, 36,
	    "taxonomy_term_id", NULL },
	[KEY_TAXONOMY_ID] = { "taxonomy_id", K_UUID, 36, "taxonomy_id",
	    NULL },
	[KEY_ORGANIZATION_ID] = { "organization_id", K_UUID, 36,
	    "organization_id", NULL },
	[KEY_MINIMUM_AGE] = { "minimum_age", K_COUNT, 3, "minimum_age", NULL },
	[KEY_MAXIMUM_AGE] = { "maximum_age", K_COUNT, 3, "maximum_age", NULL },
	[KEY_START_TIME] = { "start_time", K_CLOCK, 5, "start_time", NULL },
	[KEY_END_TIME] = { "end_time", K_CLOCK, 5, "end_time", NULL },
	[KEY_MODIFIED_AFTER] = { "modified_after", K_LINE, 40,
	    "modified_after", NULL },
	[KEY_PROXIMITY] = { "proximity", K_COUNT, 7, "proximity", NULL },
	[KEY_PARENT_ID] = { "parent_id", K_UUID, 36, "parent_id", NULL },
	[KEY_TOP_ONLY] = { "top_only", K_LINE, 5, "top_only", NULL },
	[KEY_LOCATIONS] = { "locations", K_UUIDS, 20 * 37, "Places",
	    "Select places from the list" },
	[KEY_HOURS_NOTE] = { "hours_note", K_LINE, 200,
	    "Anything else about when it runs",
	    "Anything else about when it runs must be on one line" },
	[KEY_MONTHLY_WEEK] = { "monthly_week", K_LINE, 2, "Week of the month",
	    "Select the week of the month from the list" },
	[KEY_MONTHLY_DAY] = { "monthly_day", K_LINE, 2, "Day of the week",
	    "Select the day of the week from the list" },
	[KEY_MONTHLY_OPENS] = { "monthly_opens", K_CLOCK, 5, "Opens",
	    "Enter a time like 09:30 or 14:00" },
	[KEY_MONTHLY_CLOSES] = { "monthly_closes", K_CLOCK, 5, "Closes",
	    "Enter a time like 09:30 or 14:00" },
	[KEY_KEEP] = { "keep", K_ID, 19, "Kept places",
	    "Choose kept places from the list" },
	[KEY_KEPT] = { "kept", K_COUNT, 6, "Places to keep",
	    "Places to keep must be a whole number, like 10" },
	[KEY_GROUPS] = { "groups", K_WORDS, 200, "Groups",
	    "Select groups from the list" },
	[KEY_UNTIL] = { "until", K_WHEN, 4, "Date the places are kept until",
	    NULL, "Time the places are kept until" },
	[KEY_KEEPING] = { "keeping", K_BOOL, 8, "Keeping places", NULL },
	[KEY_NAMED] = { "named", K_BOOL, 8, "Names",
	    "Choose whether answers name people" },
	[KEY_SEND] = { "send", K_BOOL, 8, "Send", NULL },
#define HOURS(k, name, label) \
	[k] = { name, K_CLOCK, 5, label, "Enter a time like 09:30 or 14:00" }
	HOURS(KEY_OPENS_MO, "opens_mo", "Monday opens"),
	HOURS(KEY_OPENS_TU, "opens_tu", "Tuesday opens"),
	HOURS(KEY_OPENS_WE, "opens_we", "Wednesday opens"),
	HOURS(KEY_OPENS_TH, "opens_th", "Thursday opens"),
	HOURS(KEY_OPENS_FR, "opens_fr", "Friday opens"),
	HOURS(KEY_OPENS_SA, "opens_sa", "Saturday opens"),
	HOURS(KEY_OPENS_SU, "opens_su", "Sunday opens"),
	HOURS(KEY_CLOSES_MO, "closes_mo", "Monday closes"),
	HOURS(KEY_CLOSES_TU, "closes_tu", "Tuesday closes"),
	HOURS(KEY_CLOSES_WE, "closes_we", "Wednesday closes"),
	HOURS(KEY_CLOSES_TH, "closes_th", "Thursday closes"),
	HOURS(KEY_CLOSES_FR, "closes_fr", "Friday closes"),
	HOURS(KEY_CLOSES_SA, "closes_sa", "Saturday closes"),
	HOURS(KEY_CLOSES_SU, "closes_su", "Sunday closes"),
#undef HOURS
};

const char *
form_key_name(enum key k)
{
	return keys[k].name;
}

/* The most characters a field takes. */
size_t
form_key_max(enum key k)
{
	return keys[k].max;
}

/* A password: never shown again, in a form or anywhere else. */
int
form_key_secret(enum key k)
{
	return keys[k].kind == K_SECRET;
}

int
form_key_lookup(const char *name)
{
	int i;

	for (i = 0; i < KEY__MAX; i++)
		if (strcmp(keys[i].name, name) == 0)
			return i;
	return -1;
}

/* The message a person sees for a refused field, in plain English. */
void
form_error_text(enum key k, int why, char *out, size_t len)
{
	const struct keydef *d = &keys[k];

	switch (why) {
	case FIELD_TOO_LONG:
		if (d->max >= 1000)
			snprintf(out, len, "%s must be %zu,%03zu characters or "
			    "fewer", d->label, d->max / 1000, d->max % 1000);
		else
			snprintf(out, len, "%s must be %zu characters or fewer",
			    d->label, d->max);
		break;
	case FIELD_BAD_CHARS:
		snprintf(out, len, "%s contains characters that cannot be "
		    "used; type it again without them", d->label);
		break;
	default:
		snprintf(out, len, "%s", d->format != NULL ? d->format :
		    "Check what you entered");
		break;
	}
}

/* A time of day on the 24-hour clock, as HH:MM. */
static int
clock_valid(const char *s)
{
	return strlen(s) == 5 && s[2] == ':' && isdigit((unsigned char)s[0]) &&
	    isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[3]) &&
	    isdigit((unsigned char)s[4]) &&
	    (s[0] - '0') * 10 + (s[1] - '0') < 24 && s[3] - '0' < 6;
}

static int
postcode_valid(const char *s)
{
	char out[POSTCODE_LEN + 1];

	return postcode_normal(s, out) == 0;
}

/* A pragmatic email check: one @, a dot in the domain, no spaces. */
static int
email_valid(const char *s)
{
	const char *at = strchr(s, '@'), *p;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL)
		return 0;
	if (strchr(at + 1, '.') == NULL || at[1] == '.' ||
	    s[strlen(s) - 1] == '.')
		return 0;
	for (p = s; *p != '\0'; p++)
		if (*p == ' ' || *p == '\t' || *p == '<' || *p == '>' ||
		    *p == ',' || *p == ';' || *p == '"' || *p == '\\' ||
		    *p == '\n' || *p == '\r')
			return 0;
	return 1;
}

/* The number the n digits at s write (the caller checked they are digits). */
static int
digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* A real calendar date written YYYY-MM-DD, in years 2000 to 2199. */
static int
date_valid(const char *s)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 2000 || y > 2199 || m < 1 || m > 12 || d < 1 ||
	    d > days[m - 1])
		return 0;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	return 1;
}

static int
token_valid(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int
kind_valid(const struct keydef *d, const char *s, struct field *f)
{
	switch (d->kind) {
	case K_LINE:
		return strchr(s, '\n') == NULL && strchr(s, '\r') == NULL;
	case K_TEXT:
	case K_SECRET:
		return 1;
	case K_EMAIL:
		return *s == '\0' || email_valid(s);
	case K_TOKEN:
		return token_valid(s);
	case K_UUID:
		return util_uuid_valid(s);
	case K_NUMBER:
		return util_parse_long(s, 1, 100000, &f->num) == 0;
	case K_ID:
		return util_parse_long(s, 1, LONG_MAX, &f->num) == 0;
	case K_BOOL:
		f->num = strcmp(s, "yes") == 0 || strcmp(s, "on") == 0;
		return f->num || strcmp(s, "no") == 0 || *s == '\0';
	case K_PATH:
		/* Browsers drop tabs and newlines first: "/\t/x" is "//x". */
		return s[0] == '/' && s[1] != '/' && s[1] != '\\' &&
		    strpbrk(s, "\t\r\n") == NULL;
	case K_GROUP:
		return *s == '\0' || code_index(stakeholder_codes, s) != -1;
	case K_REGION:
		return *s == '\0' || code_index(region_names, s) != -1;
	case K_COUNT:
		return *s == '\0' ||
		    util_parse_long(s, 0, 100000, &f->num) == 0;
	case K_SIZE:
		return *s == '\0' ||
		    util_parse_long(s, 0, 10000000, &f->num) == 0;
	case K_WHEN:
		return 0;	/* only its parts are sent: form_take */
	case K_URL:
		return *s == '\0' || ((strncmp(s, "https://", 8) == 0 ||
		    strncmp(s, "http://", 7) == 0) &&
		    strpbrk(s, " \t\r\n<>\"") == NULL);
	case K_KIND:
		return *s == '\0' || code_index(event_kind_codes, s) != -1;
	case K_WORDS:
	case K_UUIDS:
		return 1;	/* checked word by word in accept_word */
	case K_CLOCK:
		return *s == '\0' || clock_valid(s);
	case K_POSTCODE:
		return *s == '\0' || postcode_valid(s);
	}
	return 0;
}

/* Characters, not bytes: a Welsh or Urdu name gets the same room. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * A field sent once per ticked checkbox (col=name&col=email): each value
 * must be one word of a-z, 0-9 and _ (or, K_UUIDS, one UUID), and the
 * words are kept in the order sent, separated by spaces, in num of them.
 * One bad value refuses the whole field, so a handler never acts on part
 * of a choice.
 */
static void
accept_word(struct form *form, const struct keydef *d, struct field *f,
    const char *raw, size_t len)
{
	size_t have, i;
	char *grown, id[ACORN_UUID_LEN + 1];

	if (f->error)
		return;
	if (d->kind == K_UUIDS && len > 0) {
		if (len != ACORN_UUID_LEN) {
			f->error = FIELD_BAD_FORMAT;
			goto bad;
		}
		memcpy(id, raw, len);
		id[len] = '\0';
		if (!util_uuid_valid(id)) {
			f->error = FIELD_BAD_FORMAT;
			goto bad;
		}
	} else
		for (i = 0; i < len; i++)
			if (!((raw[i] >= 'a' && raw[i] <= 'z') ||
			    (raw[i] >= '0' && raw[i] <= '9') ||
			    raw[i] == '_')) {
				f->error = FIELD_BAD_FORMAT;
				goto bad;
			}
	if (len == 0)
		return;
	have = f->text != NULL ? strlen(f->text) : 0;
	if (have + len + 1 > d->max) {
		f->error = FIELD_TOO_LONG;
		goto bad;
	}
	if ((grown = realloc((char *)f->text, have + len + 2)) == NULL) {
		f->error = FIELD_BAD_FORMAT;
		goto bad;
	}
	if (have > 0)
		grown[have++] = ' ';
	memcpy(grown + have, raw, len);
	grown[have + len] = '\0';
	f->text = grown;
	f->num++;
	return;
bad:
	free((char *)f->text);
	f->text = NULL;
	f->num = 0;
	form->nerrors++;
}

/*
 * Takes one raw field.  Unknown names are ignored; a repeated name keeps
 * the first value, so nobody can smuggle a second one past a check (a
 * field of words, which is meant to repeat, is checked value by value).
 */
void
form_accept(struct form *form, enum key k, const char *raw, size_t len)
{
	const struct keydef *d = &keys[k];
	struct field *f = &form->f[k];
	char *copy, *s;

	if (d->kind == K_WORDS || d->kind == K_UUIDS) {
		accept_word(form, d, f, raw, len);
		return;
	}
	if (f->text != NULL || f->error)
		return;
	if (len > d->max * 4 + 64) {
		f->error = FIELD_TOO_LONG;
		goto bad;
	}
	if (!util_utf8_valid(raw, len) || memchr(raw, '\0', len) != NULL) {
		f->error = FIELD_BAD_CHARS;
		goto bad;
	}
	if ((copy = malloc(len + 1)) == NULL) {
		f->error = FIELD_BAD_FORMAT;
		goto bad;
	}
	memcpy(copy, raw, len);
	copy[len] = '\0';
	s = d->kind == K_SECRET ? copy : util_trim(copy);
	if (chars(s) > d->max)
		f->error = FIELD_TOO_LONG;
	else if (!kind_valid(d, s, f))
		f->error = FIELD_BAD_FORMAT;
	if (f->error) {
		/* Valid text goes back into the form, so nothing typed is lost. */
		if (s != copy)
			memmove(copy, s, strlen(s) + 1);
		f->shown = copy;
		goto bad;
	}
	if (s != copy)
		memmove(copy, s, strlen(s) + 1);
	f->text = copy;
	return;
bad:
	form->nerrors++;
}

/*
 * Takes a field that may be an answer to one of an event's questions,
 * named answer_<question id>.  Returns 0 when it was one (kept, or marked
 * refused), -1 when the name is not an answer's.  Which questions exist,
 * and what each accepts, the handler checks against the database.
 */
int
form_answer(struct form *form, const char *name, const char *raw, size_t len)
{
	struct form_answer *a;
	long id;
	char *copy, *s;
	int i;

	if (strncmp(name, "answer_", 7) != 0 ||
	    util_parse_long(name + 7, 1, 1000000000000L, &id) == -1)
		return -1;
	for (i = 0; i < form->nanswers; i++)
		if (form->answers[i].question == id)
			return 0;	/* the first value stands */
	if (form->nanswers == FORM_ANSWERS)
		return 0;
	a = &form->answers[form->nanswers++];
	a->question = id;
	if (len > 2000 * 4 || !util_utf8_valid(raw, len) ||
	    memchr(raw, '\0', len) != NULL) {
		a->error = len > 2000 * 4 ? FIELD_TOO_LONG : FIELD_BAD_CHARS;
		form->nerrors++;
		return 0;
	}
	if ((copy = malloc(len + 1)) == NULL) {
		a->error = FIELD_BAD_FORMAT;
		form->nerrors++;
		return 0;
	}
	memcpy(copy, raw, len);
	copy[len] = '\0';
	s = util_trim(copy);
	memmove(copy, s, strlen(s) + 1);
	if (chars(copy) > 2000) {
		free(copy);
		a->error = FIELD_TOO_LONG;
		form->nerrors++;
		return 0;
	}
	a->text = copy;
	return 0;
}

/* The answer given to a question, or NULL. */
const struct form_answer *
form_answer_get(const struct form *form, long question)
{
	int i;

	for (i = 0; i < form->nanswers; i++)
		if (form->answers[i].question == question)
			return &form->answers[i];
	return NULL;
}

void
form_free(struct form *form)
{
	int i, j;

	for (i = 0; i < form->nanswers; i++) {
		free((char *)form->answers[i].text);
		form->answers[i].text = NULL;
	}
	form->nanswers = 0;

	for (i = 0; i < KEY__MAX; i++) {
		for (j = 0; j < PART__MAX; j++) {
			free(form->f[i].part[j]);
			form->f[i].part[j] = NULL;
		}
		/* Every password field, whichever form it came in. */
		if (keys[i].kind == K_SECRET && form->f[i].text != NULL)
			explicit_bzero((char *)form->f[i].text,
			    strlen(form->f[i].text));
		if (keys[i].kind == K_SECRET && form->f[i].shown != NULL)
			explicit_bzero((char *)form->f[i].shown,
			    strlen(form->f[i].shown));
		free((char *)form->f[i].text);
		free((char *)form->f[i].shown);
		form->f[i].text = NULL;
		form->f[i].shown = NULL;
	}
}

/* Dates and times, typed as GOV.UK date inputs -------------------- */

static const char *const part_names[PART__MAX] = {
	[PART_DAY] = "day", [PART_MONTH] = "month", [PART_YEAR] = "year",
	[PART_HOUR] = "hour", [PART_MINUTE] = "minute"
};
#define PART_MAX	8	/* characters: "2031" with room for a slip */

/* An input's name after its date's: start-day. */
const char *
form_part_name(int part)
{
	return part >= 0 && part < PART__MAX ? part_names[part] : "";
}

/* How messages name a date (Start date) and its time (Start time). */
const char *
form_key_label(enum key k)
{
	return keys[k].label;
}

const char *
form_key_time_label(enum key k)
{
	return keys[k].time_label != NULL ? keys[k].time_label :
	    keys[k].label;
}

/* The problems of a date, not of its time (WHEN_*, web.h). */
#define WHEN_DATE_MASK	(WHEN_NO_DAY | WHEN_NO_MONTH | WHEN_NO_YEAR | \
	WHEN_BAD(PART_DAY) | WHEN_BAD(PART_MONTH) | WHEN_BAD(PART_YEAR) | \
	WHEN_NOT_REAL | WHEN_YEAR_DIGITS | WHEN_YEAR_RANGE)

/*
 * A date's part, NAME-day and so on (K_WHEN): its key in *key and its
 * part in *part, or -1 when name is none.
 */
static int
date_part(const char *name, int *key, int *part)
{
	const char *dash;
	int k, i;

	if ((dash = strrchr(name, '-')) == NULL)
		return -1;
	for (k = 0; k < KEY__MAX; k++)
		if (keys[k].kind == K_WHEN &&
		    strlen(keys[k].name) == (size_t)(dash - name) &&
		    strncmp(keys[k].name, name, dash - name) == 0)
			break;
	for (i = 0; k < KEY__MAX && i < PART__MAX; i++)
		if (strcmp(dash + 1, part_names[i]) == 0)
			break;
	if (k == KEY__MAX || i == PART__MAX)
		return -1;
	*key = k;
	*part = i;
	return 0;
}

/*
 * Query parameters a handler reads as they came (http_query) rather
 * than as form fields: a feed's cursor, whether a peer asks for this
 * node's own records alone, and the cursors a caught-up peer asks
 * about.  http_query reads no other, so that what a page may
 * depend on is known before it is rendered.
 */
static const char *const raw_query[] = { "after", "since", "own", NULL };

/* A query parameter read as it came: one raw_query names. */
int
form_query_raw(const char *name)
{
	int i;

	for (i = 0; raw_query[i] != NULL; i++)
		if (strcmp(raw_query[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Whether any handler can see a query parameter called name: a form
 * key, a date's part, or one read raw.  The response cache leaves the
 * others out of a page's key, since they change nothing on it.
 */
int
form_query_known(const char *name)
{
	int k, i;

	return form_key_lookup(name) != -1 || date_part(name, &k, &i) == 0 ||
	    form_query_raw(name);
}


/*
 * Takes one raw field by its name: a key of the table, or a part of a
 * date (start-day, start-hour).  -1 when the name is neither.  A part
 * is kept as typed (trimmed) so the form can show it again; form_end
 * judges the date once all its parts are in.
 */
int
form_take(struct form *form, const char *name, const char *raw, size_t len)
{
	struct field *f;
	char *copy, *t;
	int k, i;

	if ((k = form_key_lookup(name)) != -1) {
		if (keys[k].kind != K_WHEN)
			form_accept(form, (enum key)k, raw, len);
		return 0;
	}
	if (date_part(name, &k, &i) == -1)
		return -1;
	f = &form->f[k];
	if (f->part[i] != NULL)
		return 0;	/* the first value stands */
	/* Too long or not text: kept as nothing typed, and refused. */
	if (len > PART_MAX * 4 || !util_utf8_valid(raw, len) ||
	    memchr(raw, '\0', len) != NULL) {
		f->part[i] = util_strdup("");
		f->num |= WHEN_BAD(i);
		return 0;
	}
	if ((copy = malloc(len + 1)) == NULL)
		return 0;
	memcpy(copy, raw, len);
	copy[len] = '\0';
	t = util_trim(copy);
	memmove(copy, t, strlen(t) + 1);
	f->part[i] = copy;
	return 0;
}

/* A part as a whole number from lo to hi; -1 when it is not one. */
static long
part_number(const char *s, long lo, long hi)
{
	long n;

	if (s == NULL || *s == '\0' || strlen(s) > 4 ||
	    strspn(s, "0123456789") != strlen(s) ||
	    util_parse_long(s, lo, hi, &n) == -1)
		return -1;
	return n;
}

static int
part_empty(const struct field *f, int i)
{
	return f->part[i] == NULL || f->part[i][0] == '\0';
}

/* The date's problems (WHEN_* bits); when none, the date in out. */
static int
when_date(const struct field *f, int w, char *out, size_t len)
{
	static const long lo[] = { 1, 1, 0 }, hi[] = { 31, 12, 9999 };
	long n[3];
	int i;

	for (i = PART_DAY; i <= PART_YEAR; i++) {
		n[i] = part_number(f->part[i], lo[i], hi[i]);
		if (w & WHEN_BAD(i))
			continue;
		if (part_empty(f, i))
			w |= 1 << i;
		else if (n[i] == -1)
			w |= WHEN_BAD(i);
	}
	if (w != 0)
		return w;
	if (strlen(f->part[PART_YEAR]) != 4)
		return WHEN_YEAR_DIGITS;
	if (n[PART_YEAR] < 2000 || n[PART_YEAR] > 2199)
		return WHEN_YEAR_RANGE;
	snprintf(out, len, "%04ld-%02ld-%02ld", n[PART_YEAR], n[PART_MONTH],
	    n[PART_DAY]);
	return date_valid(out) ? 0 : WHEN_NOT_REAL;
}

/* The time's problems (WHEN_* bits); when none, " HH:MM" in out. */
static int
when_time(const struct field *f, int w, char *out, size_t len)
{
	long hh, mm;

	hh = part_number(f->part[PART_HOUR], 0, 23);
	/* An hour alone is on the hour. */
	mm = part_empty(f, PART_MINUTE) && !(w & WHEN_BAD(PART_MINUTE)) ? 0 :
	    part_number(f->part[PART_MINUTE], 0, 59);
	w &= WHEN_BAD(PART_HOUR) | WHEN_BAD(PART_MINUTE);
	if (part_empty(f, PART_HOUR) && !(w & WHEN_BAD(PART_HOUR)))
		w |= WHEN_NO_HOUR;
	else if (hh == -1)
		w |= WHEN_BAD(PART_HOUR);
	if (mm == -1)
		w |= WHEN_BAD(PART_MINUTE);
	if (w == 0)
		snprintf(out, len, " %02ld:%02ld", hh, mm);
	return w;
}

/*
 * Judges each date sent, once the whole form is in: text becomes
 * "YYYY-MM-DD", or "YYYY-MM-DD HH:MM" with num 1 when a time was given.
 * A date with a problem is refused, what was wrong kept as WHEN_* bits in
 * num for view_date's message.  Nothing typed leaves the field absent.
 */
void
form_end(struct form *form)
{
	struct field *f;
	char date[16], time[8], both[24];
	int k, w, dated, timed;

	for (k = 0; k < KEY__MAX; k++) {
		if (keys[k].kind != K_WHEN)
			continue;
		f = &form->f[k];
		w = (int)f->num;	/* the parts form_take refused */
		f->num = 0;
		dated = !part_empty(f, PART_DAY) ||
		    !part_empty(f, PART_MONTH) || !part_empty(f, PART_YEAR) ||
		    (w & (WHEN_BAD(PART_DAY) | WHEN_BAD(PART_MONTH) |
		    WHEN_BAD(PART_YEAR)));
		timed = !part_empty(f, PART_HOUR) ||
		    !part_empty(f, PART_MINUTE) ||
		    (w & (WHEN_BAD(PART_HOUR) | WHEN_BAD(PART_MINUTE)));
		if (!dated && !timed)
			continue;
		time[0] = '\0';
		w = (dated ? when_date(f, w & WHEN_DATE_MASK, date,
		    sizeof(date)) : WHEN_NO_DATE) |
		    (timed ? when_time(f, w, time, sizeof(time)) : 0);
		if (w == 0) {
			snprintf(both, sizeof(both), "%s%s", date, time);
			f->text = util_strdup(both);
			f->num = timed;
			continue;
		}
		f->error = FIELD_BAD_FORMAT;
		f->num = w;
		form->nerrors++;
	}
}
