/*
 * The network's vocabulary: every code the program stores, with the
 * words people read for it, in one place.  Pages, the federation's
 * entries and the command line all label a code from these tables, so a
 * label is never written twice.
 */
#include <string.h>

#include "core.h"

const char *const event_kind_codes[] = {
	"conference", "regional_meeting", "webinar", "workshop", NULL
};
const char *const event_kind_labels[] = {
	"Conference", "Regional meeting", "Webinar", "Workshop", NULL
};

const char *const stakeholder_codes[] = {
	"gp", "link_worker", "social_care", "public_health", "commissioner",
	"vcse", "academic", "local_authority", "citizen", NULL
};
const char *const stakeholder_labels[] = {
	"GP or primary care", "Link worker or care navigator", "Social care",
	"Public health", "Commissioner", "Voluntary and community sector",
	"Academic or researcher", "Local authority", "Citizen or patient",
	NULL
};

/* NHS England's seven regions, and the national hub. */
const char *const region_names[] = {
	"North East and Yorkshire", "North West", "Midlands",
	"East of England", "London", "South East", "South West", "National",
	NULL
};

/*
 * What an account may do on its node, least first: contributors also
 * write evaluations, coordinators look after their region's members and
 * events, admins the node itself (peers, keys, roles) and every region.
 */
const char *const account_role_codes[] = {
	"member", "contributor", "coordinator", "admin", NULL
};
const char *const account_role_labels[] = {
	"Member", "Contributor", "Coordinator", "Administrator", NULL
};

/* What someone comes to an event as: only attendees take places. */
const char *const role_codes[] = {
	"attendee", "organiser", "speaker", "helper", NULL
};
const char *const role_labels[] = {
	"Attendee", "Organiser", "Speaker", "Helper", NULL
};

/* The library's kinds of document. */
const char *const category_codes[] = {
	"toolkit", "guide", "case_study", "business_case", "commissioning",
	NULL
};
const char *const category_labels[] = {
	"Toolkits", "Guides", "Case studies", "Business cases",
	"Commissioning advice", NULL
};

/* What evaluations measure, how they were designed, and what they found. */
const char *const outcome_codes[] = {
	"gp_consultations", "ae_attendance", "wellbeing", "loneliness",
	"anxiety_depression", "activation", "employment_volunteering",
	"cost_roi", NULL
};
const char *const outcome_labels[] = {
	"GP consultations", "A&E attendance", "Wellbeing", "Loneliness",
	"Anxiety and depression", "Patient activation",
	"Employment or volunteering", "Cost or return on investment", NULL
};
const char *const design_codes[] = {
	"rct", "quasi_experimental", "before_after", "qualitative",
	"mixed_methods", "economic", NULL
};
const char *const design_labels[] = {
	"Randomised controlled trial", "Quasi-experimental",
	"Before and after", "Qualitative", "Mixed methods",
	"Economic or SROI", NULL
};
const char *const direction_codes[] = {
	"improved", "no_change", "worse", "mixed", NULL
};
const char *const direction_labels[] = {
	"Improved", "No change", "Worse", "Mixed", NULL
};

/*
 * The directory of services: a service's status (Open Referral UK's
 * codes, which are words already), how people take part in it and how
 * they get in, and the days of the week as ORUK schedules name them.
 */
const char *const service_status_codes[] = {
	"active", "temporarily closed", "inactive", "defunct", NULL
};
const char *const service_status_labels[] = {
	"Running", "Temporarily closed", "Not running for now",
	"Closed for good", NULL
};
const char *const attending_codes[] = {
	"in_person", "phone", "online", "home_visit", NULL
};
const char *const attending_labels[] = {
	"In person", "By phone", "Online", "Home visits", NULL
};
const char *const access_codes[] = {
	"self_referral", "drop_in", "appointment", "professional_referral",
	NULL
};
const char *const access_labels[] = {
	"Contact them yourself", "Drop in", "By appointment",
	"Referral from a professional", NULL
};
/* What a report of a problem with a listing is about, and its ends. */
const char *const report_topic_codes[] = {
	"closed", "phone", "address", "hours", "website", "other", NULL
};
const char *const report_topic_labels[] = {
	"It has closed or stopped running", "The phone number is wrong",
	"The address is wrong", "The days or times are wrong",
	"The website or email is wrong", "Something else", NULL
};
const char *const report_outcome_codes[] = {
	"corrected", "still_correct", "not_a_problem", NULL
};
const char *const report_outcome_labels[] = {
	"The listing was corrected", "The listing was right as it was",
	"Not a problem with the listing", NULL
};
/* What happened after a referral to a listing. */
const char *const referral_codes[] = {
	"attended", "not_attended", "declined", "no_response", "closed", NULL
};
const char *const referral_labels[] = {
	"They went", "They accepted but did not go",
	"They decided not to go", "The service did not respond",
	"The service has closed", NULL
};
const char *const weekday_codes[] = {
	"MO", "TU", "WE", "TH", "FR", "SA", "SU", NULL
};
const char *const weekday_labels[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday", NULL
};

/* Where code stands in a NULL-terminated list, or -1. */
int
code_index(const char *const *codes, const char *code)
{
	int i;

	for (i = 0; code != NULL && codes[i] != NULL; i++)
		if (strcmp(code, codes[i]) == 0)
			return i;
	return -1;
}

/* The label of code in a pair of parallel lists, or NULL. */
const char *
code_label(const char *const *codes, const char *const *labels,
    const char *code)
{
	int i = code_index(codes, code);

	return i == -1 ? NULL : labels[i];
}

const char *
event_kind_label(const char *code)
{
	return code_label(event_kind_codes, event_kind_labels, code);
}

const char *
stakeholder_label(const char *code)
{
	return code_label(stakeholder_codes, stakeholder_labels, code);
}

const char *
role_label(const char *code)
{
	return code_label(role_codes, role_labels, code);
}

const char *
account_role_label(const char *code)
{
	return code_label(account_role_codes, account_role_labels, code);
}

const char *
category_label(const char *code)
{
	return code_label(category_codes, category_labels, code);
}

int
region_valid(const char *r)
{
	return code_index(region_names, r) != -1;
}

/*
 * Where an event is, in words: the venue and its address on one line, or
 * "Online".  Never the joining link.
 */
char *
event_where(const char *venue, const char *address, int online)
{
	struct strbuf b = { NULL, 0, 0, 0 };
	const char *p;
	size_t n;

	if (venue != NULL && *venue != '\0')
		strbuf_str(&b, venue);
	for (p = address; p != NULL && *p != '\0'; p += n) {
		n = strcspn(p, "\r\n");
		if (n > 0) {
			if (b.len > 0)
				strbuf_add(&b, ", ", 2);
			strbuf_add(&b, p, n);
		}
		n += strspn(p + n, "\r\n");
	}
	if (online)
		strbuf_str(&b, b.len > 0 ? " (or online)" : "Online");
	return strbuf_take(&b);
}
