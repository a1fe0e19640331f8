/*
 * Input at the edge: every form and query field a handler may read is
 * declared here with its validator, as in kcgi.  A handler sees only
 * fields that passed: valid UTF-8, trimmed, within their length, and of
 * their kind.  Anything else is marked as an error and never stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acorn.h"

enum kind {
	K_LINE,		/* one line of text */
	K_TEXT,		/* several lines */
	K_EMAIL,
	K_TOKEN,	/* base64url */
	K_UUID,
	K_NUMBER,
	K_BOOL,		/* a checkbox */
	K_PATH,		/* a local path to return to */
	K_SECRET,	/* a password: kept as typed, not trimmed */
	K_GROUP,
	K_REGION
};

struct keydef {
	const char	*name;
	enum kind	 kind;
	size_t		 max;	/* characters */
	const char	*label;	/* how error messages name the field */
	const char	*format;	/* the message when the shape is wrong */
};

static const struct keydef keys[KEY__MAX] = {
	[KEY_BIO] = { "bio", K_TEXT, 2000, "About you", NULL },
	[KEY_CSRF] = { "csrf", K_TOKEN, 64, "The form", NULL },
	[KEY_EMAIL] = { "email", K_EMAIL, 254, "Email address",
	    "Enter an email address in the correct format, like "
	    "name@example.org" },
	[KEY_GROUP] = { "group", K_GROUP, 32, "Stakeholder group",
	    "Select a stakeholder group from the list" },
	[KEY_ID] = { "id", K_UUID, 36, "Record", "Unknown record" },
	[KEY_INTERESTS] = { "interests", K_LINE, 500, "Interests",
	    "Interests must be on one line" },
	[KEY_LISTED] = { "listed", K_BOOL, 8, "Network directory",
	    "Choose whether to be listed" },
	[KEY_NAME] = { "name", K_LINE, 120, "Full name",
	    "Full name must be on one line" },
	[KEY_NEXT] = { "next", K_PATH, 512, "Next page", "Unknown page" },
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

const char *
stakeholder_label(const char *code)
{
	size_t i;

	for (i = 0; code != NULL && stakeholder_codes[i] != NULL; i++)
		if (strcmp(code, stakeholder_codes[i]) == 0)
			return stakeholder_labels[i];
	return NULL;
}

int
region_valid(const char *r)
{
	size_t i;

	for (i = 0; r != NULL && region_names[i] != NULL; i++)
		if (strcmp(r, region_names[i]) == 0)
			return 1;
	return 0;
}

const char *
form_key_name(enum key k)
{
	return keys[k].name;
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
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
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
	case K_BOOL:
		f->num = strcmp(s, "yes") == 0 || strcmp(s, "on") == 0;
		return f->num || strcmp(s, "no") == 0 || *s == '\0';
	case K_PATH:
		/* Browsers drop tabs and newlines first: "/\t/x" is "//x". */
		return s[0] == '/' && s[1] != '/' && s[1] != '\\' &&
		    strpbrk(s, "\t\r\n") == NULL;
	case K_GROUP:
		return *s == '\0' || in_list(s, stakeholder_codes);
	case K_REGION:
		return *s == '\0' || in_list(s, region_names);
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
 * Takes one raw field.  Unknown names are ignored; a repeated name keeps
 * the first value, so nobody can smuggle a second one past a check.
 */
void
form_accept(struct form *form, enum key k, const char *raw, size_t len)
{
	const struct keydef *d = &keys[k];
	struct field *f = &form->f[k];
	char *copy, *s;

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

void
form_free(struct form *form)
{
	int i;

	for (i = 0; i < KEY__MAX; i++) {
		if (i == KEY_PASSWORD || i == KEY_PASSWORD2)
			if (form->f[i].text != NULL)
				explicit_bzero((char *)form->f[i].text,
				    strlen(form->f[i].text));
		if ((i == KEY_PASSWORD || i == KEY_PASSWORD2) &&
		    form->f[i].shown != NULL)
			explicit_bzero((char *)form->f[i].shown,
			    strlen(form->f[i].shown));
		free((char *)form->f[i].text);
		free((char *)form->f[i].shown);
		form->f[i].text = NULL;
		form->f[i].shown = NULL;
	}
}
