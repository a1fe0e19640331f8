/*
 * The template renderer's own benchmark: /members' page with twenty
 * members, as members_list builds its view, rendered N times by the
 * compiled engine and, in the same run for reference, by the tree walk
 * it replaced.  Prints renders per second of the process's CPU time
 * (other work on the machine then matters less) for building the view,
 * rendering and freeing (what a request does), and for rendering alone,
 * and the heap each engine's loaded templates hold.
 * Both engines must write the same bytes, or no figure is given.
 *
 *   render TEMPLATES_DIR [N]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web.h"
#include "old_template.h"

#define MEMBERS	20

/* The view built for one engine or the other. */
struct pair {
	struct view	*v;
	struct old_view	*o;
};

static void
set(struct pair p, const char *key, const char *text)
{
	if (p.v != NULL)
		view_set(p.v, key, text);
	else
		old_view_set(p.o, key, text);
}

static void
flag(struct pair p, const char *key, int on)
{
	if (p.v != NULL)
		view_flag(p.v, key, on);
	else
		old_view_flag(p.o, key, on);
}

static struct pair
add(struct pair p, const char *key)
{
	struct pair c = { NULL, NULL };

	if (p.v != NULL)
		c.v = view_add(p.v, key);
	else
		c.o = old_view_add(p.o, key);
	return c;
}

/* What page_view, view_choices, members_list and view_pager set. */
static void
build(struct pair p)
{
	static const char *const orgs[] = { "NHS Leeds", NULL,
	    "Age UK & Friends", "Bradford <Council>" };
	struct pair c;
	char buf[128];
	size_t i;

	set(p, "title", "Members");
	set(p, "node_name", "Acorn London");
	set(p, "node_region", "London");
	set(p, "csrf", "mX3V2Jc8b1kq0wHq9c1mXv2eQbU7z5aT");
	set(p, "css_href", "/static/acorn.css?v=1a2b3c4d");
	set(p, "icon_href", "/static/favicon.svg?v=1a2b3c4d");
	set(p, "menu_js", "/static/header-menu.js?v=1a2b3c4d");
	flag(p, "at_members", 1);
	flag(p, "in_members", 1);
	flag(p, "mail_off", 0);
	for (i = 0; stakeholder_codes[i] != NULL; i++) {
		c = add(p, "groups");
		set(c, "code", stakeholder_codes[i]);
		set(c, "label", stakeholder_labels[i]);
	}
	for (i = 0; region_names[i] != NULL; i++) {
		c = add(p, "regions");
		set(c, "name", region_names[i]);
	}
	set(p, "v_q", "");
	set(p, "v_group", "");
	set(p, "v_region", "");
	for (i = 0; i < MEMBERS; i++) {
		c = add(p, "members");
		snprintf(buf, sizeof(buf),
		    "/members/6f1c2b3a-%04zu-4c1d-9e2f-0a1b2c3d4e5f", i);
		set(c, "href", buf);
		snprintf(buf, sizeof(buf), "Member number %zu O'Neill", i);
		set(c, "name", buf);
		set(c, "organisation", orgs[i % 4]);
		set(c, "role_title", i % 3 ? "Social prescribing link worker" :
		    NULL);
		flag(c, "sep", orgs[i % 4] != NULL && i % 3 != 0);
		set(c, "group", stakeholder_labels[i % 3]);
		set(c, "region", region_names[i % 5]);
		set(c, "interests", i % 2 ? "Green prescribing, walking "
		    "groups, loneliness & isolation" : NULL);
		flag(c, "unlisted", 0);
		flag(c, "pending", 0);
		if (i % 4 == 0) {
			flag(c, "received", 1);
			set(c, "origin_name", "Acorn Wales");
			set(c, "origin_href", "https://wales.example.org/");
		}
	}
	set(p, "result_text", "20 members found");
	flag(p, "paged", 1);
	set(p, "page_text", "Page 1 of 3");
	set(p, "next_href", "/members?page=2");
	for (i = 1; i <= 3; i++) {
		c = add(p, "page_links");
		snprintf(buf, sizeof(buf), "%zu", i);
		set(c, "number", buf);
		flag(c, "current", i == 1);
		flag(c, "other", i != 1);
	}
}

/* Bytes of heap in use, to see what loading templates keeps. */
static size_t
heap(void)
{
	return mallinfo2().uordblks;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
render_new(int whole, struct view *keep, size_t *len)
{
	struct pair p = { keep, NULL };
	char *out;
	int rc;

	if (whole) {
		if ((p.v = view_new()) == NULL)
			return -1;
		build(p);
	}
	rc = template_render("members", p.v, &out, len);
	free(out);
	if (whole)
		view_free(p.v);
	return rc;
}

static int
render_old(int whole, struct old_view *keep, size_t *len)
{
	struct pair p = { NULL, keep };
	char *out;
	int rc;

	if (whole) {
		if ((p.o = old_view_new()) == NULL)
			return -1;
		build(p);
	}
	rc = old_template_render("members", p.o, &out, len);
	free(out);
	if (whole)
		old_view_free(p.o);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct pair pn = { NULL, NULL }, po = { NULL, NULL };
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0, len, h0, held[2];
	double t0, rate[2][2];
	long n, i;
	int whole, rc = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: render TEMPLATES_DIR [N]\n");
		return 2;
	}
	n = argc == 3 ? strtol(argv[2], NULL, 10) : 20000;
	if (n < 1)
		return 2;
	h0 = heap();
	if (templates_load(argv[1]) == -1)
		return 2;
	held[0] = heap() - h0;
	h0 = heap();
	if (old_templates_load(argv[1]) == -1)
		return 2;
	held[1] = heap() - h0;
	if ((pn.v = view_new()) == NULL || (po.o = old_view_new()) == NULL)
		goto done;
	build(pn);
	build(po);
	if (template_render("members", pn.v, &a, &alen) == -1 ||
	    old_template_render("members", po.o, &b, &blen) == -1)
		goto done;
	if (alen != blen || memcmp(a, b, alen) != 0) {
		fprintf(stderr, "render: the engines wrote different pages\n");
		goto done;
	}
	for (whole = 1; whole >= 0; whole--) {
		t0 = now();
		for (i = 0; i < n; i++)
			if (render_new(whole, pn.v, &len) == -1)
				goto done;
		rate[whole][0] = (double)n / (now() - t0);
		t0 = now();
		for (i = 0; i < n; i++)
			if (render_old(whole, po.o, &len) == -1)
				goto done;
		rate[whole][1] = (double)n / (now() - t0);
	}
	printf("/members, %d members, %zu bytes, %ld renders each\n",
	    MEMBERS, alen, n);
	printf("%-34s %12s %12s %7s\n", "", "compiled/s", "tree walk/s",
	    "ratio");
	printf("%-34s %12.0f %12.0f %7.1f\n", "view built, rendered, freed",
	    rate[1][0], rate[1][1], rate[1][0] / rate[1][1]);
	printf("%-34s %12.0f %12.0f %7.1f\n", "rendered alone",
	    rate[0][0], rate[0][1], rate[0][0] / rate[0][1]);
	printf("%-34s %12zu %12zu %7.2f\n", "heap held by the templates, KB",
	    held[0] / 1024, held[1] / 1024, (double)held[0] / held[1]);
	rc = 0;
done:
	free(a);
	free(b);
	view_free(pn.v);
	old_view_free(po.o);
	templates_free();
	old_templates_free();
	return rc;
}
