/*
 * The unit tests' runner: every module's suite, each in its own file
 * (unit.h names them), for the parts of acorn that need no database or
 * network.
 */
#include <stdlib.h>

#include <check.h>

#include "unit.h"

int
main(void)
{
	SRunner *sr;
	int failed;

	/* Layer by layer, as unit.h lists them. */
	sr = srunner_create(util_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, password_suite());
	srunner_add_suite(sr, vocabulary_suite());
	srunner_add_suite(sr, markdown_suite());
	srunner_add_suite(sr, mail_unit_suite());
	srunner_add_suite(sr, csv_suite());
	srunner_add_suite(sr, json_suite());
	srunner_add_suite(sr, zip_suite());
	srunner_add_suite(sr, diff_suite());
	srunner_add_suite(sr, form_suite());
	srunner_add_suite(sr, session_suite());
	srunner_add_suite(sr, template_suite());
	srunner_add_suite(sr, template_same_suite());
	srunner_add_suite(sr, chart_suite());
	srunner_add_suite(sr, federation_suite());
	srunner_add_suite(sr, entries_suite());
	srunner_add_suite(sr, calendar_suite());
	srunner_add_suite(sr, routes_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
