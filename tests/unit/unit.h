/*
 * The unit tests' one header: each test file's suite, for the runner in
 * test_unit.c, and the helpers in unit.c that more than one file uses.
 */
#ifndef ACORN_UNIT_H
#define ACORN_UNIT_H

#include <stddef.h>

#include <check.h>

struct view;

/* One suite a module, named by the file that tests it. */
Suite	*util_suite(void);		/* test_util.c */
Suite	*config_suite(void);		/* test_config.c */
Suite	*password_suite(void);		/* test_password.c */
Suite	*vocabulary_suite(void);	/* test_vocabulary.c */
Suite	*markdown_suite(void);		/* test_markdown.c */
Suite	*mail_unit_suite(void);		/* test_mail.c */
Suite	*csv_suite(void);		/* test_csv.c */
Suite	*json_suite(void);		/* test_json.c */
Suite	*zip_suite(void);		/* test_zip.c */
Suite	*diff_suite(void);		/* test_diff.c */
Suite	*form_suite(void);		/* test_form.c */
Suite	*session_suite(void);		/* test_session.c */
Suite	*template_suite(void);		/* test_template.c */
Suite	*template_same_suite(void);	/* test_template_same.c */
Suite	*chart_suite(void);		/* test_chart.c */
Suite	*federation_suite(void);	/* test_federation.c */
Suite	*entries_suite(void);		/* test_entries.c */
Suite	*calendar_suite(void);		/* test_calendar.c */
Suite	*routes_suite(void);		/* test_routes.c */

/* unit.c */
int	 only_b64url(const char *);
void	 make_tempdir(char *, size_t);
void	 write_file(const char *, const char *, const char *);
void	 remove_file(const char *, const char *);
void	 templates_setup(void);
void	 templates_teardown(void);
char	*render(const char *, const struct view *);

#endif
