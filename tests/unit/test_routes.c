/*
 * Unit tests for the route table in routes.c: the URLs each page answers,
 * "*.ics" segments among them.
 */
#include <string.h>

#include <check.h>

#include "web.h"
#include "routes.h"
#include "unit.h"

#define UUID	"0b6f2a2e-6c1d-4a57-9a0e-3c2d1e0f9a8b"

static int
page_of(const char *url, char *arg)
{
	const struct route *rt = route_find(routes_table, routes_count, url,
	    arg, 128);

	return rt != NULL ? (int)(rt - routes_table) : -1;
}

START_TEST(test_routes_ics_suffix_in_a_segment)
{
	char arg[128];

	ck_assert_int_eq(page_of("/events/" UUID ".ics", arg), PAGE_EVENT_ICS);
	ck_assert_str_eq(arg, UUID);
	ck_assert_int_eq(page_of("/events.ics", arg), PAGE_EVENTS_ICS);
	ck_assert_str_eq(arg, "");
	ck_assert_int_eq(page_of("/feeds/events", arg), PAGE_FEED);
	ck_assert_str_eq(arg, "events");
	/* Nothing before the suffix: not a calendar. */
	ck_assert_int_ne(page_of("/events/.ics", arg), PAGE_EVENT_ICS);
	ck_assert_int_eq(page_of("/events/" UUID ".icsx", arg), PAGE_EVENT);
	ck_assert_int_eq(page_of("/events/" UUID ".ics/x", arg), -1);
}
END_TEST

START_TEST(test_routes_event_pages_still_match)
{
	char arg[128];

	ck_assert_int_eq(page_of("/events/new", arg), PAGE_EVENT_NEW);
	ck_assert_int_eq(page_of("/events", arg), PAGE_EVENTS);
	ck_assert_int_eq(page_of("/events/" UUID, arg), PAGE_EVENT);
	ck_assert_str_eq(arg, UUID);
	ck_assert_int_eq(page_of("/events/" UUID "/register", arg),
	    PAGE_EVENT_REGISTER);
	ck_assert_str_eq(arg, UUID);
	ck_assert_int_eq(page_of("/events/new.ics/register", arg),
	    PAGE_EVENT_REGISTER);
	ck_assert_str_eq(arg, "new.ics");
	ck_assert_int_eq(page_of("/static/acorn.css", arg), PAGE_STATIC);
	ck_assert_str_eq(arg, "acorn.css");
	ck_assert_int_eq(page_of("/events//register", arg), -1);
	ck_assert_int_eq(page_of("/events/a/b", arg), -1);
	ck_assert_int_eq(page_of("/nowhere", arg), -1);
	ck_assert_str_eq(arg, "");
}
END_TEST

START_TEST(test_routes_long_segment_is_not_found)
{
	char arg[128], url[400];

	memset(url, 'a', sizeof(url));
	memcpy(url, "/events/", 8);
	memcpy(url + sizeof(url) - 5, ".ics", 5);
	ck_assert_int_eq(page_of(url, arg), -1);
}
END_TEST

Suite *
routes_suite(void)
{
	Suite *s = suite_create("routes");
	TCase *tc = tcase_create("match");

	tcase_add_test(tc, test_routes_ics_suffix_in_a_segment);
	tcase_add_test(tc, test_routes_event_pages_still_match);
	tcase_add_test(tc, test_routes_long_segment_is_not_found);
	suite_add_tcase(s, tc);
	return s;
}
