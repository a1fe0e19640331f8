/*
 * Unit tests for config.c: each setting checked as it is set, and the
 * configuration file read line by line.
 */
#include <stdlib.h>
#include <unistd.h>

#include <check.h>

#include "core.h"
#include "unit.h"

START_TEST(test_config_set_accepts_valid_values)
{
	struct config c;

	config_defaults(&c);
	ck_assert_int_eq(config_set(&c, "region", "North West"), 0);
	ck_assert_str_eq(c.region, "North West");
	ck_assert_int_eq(config_set(&c, "threads", "8"), 0);
	ck_assert_int_eq(c.threads, 8);
	ck_assert_int_eq(config_set(&c, "node_name", "Acorn North West"), 0);
	ck_assert_str_eq(c.node_name, "Acorn North West");
	ck_assert_int_eq(config_set(&c, "open_joining", "yes"), 0);
	ck_assert_int_eq(c.open_joining, 1);
	ck_assert_int_eq(config_set(&c, "max_body", "131072"), 0);
	ck_assert_int_eq(c.max_body, 131072);
	ck_assert_int_eq(config_set(&c, "log_level", "debug"), 0);
	ck_assert_int_eq(c.log_level, LOG_DEBUG);
	ck_assert_int_eq(config_set(&c, "argon2_memory", "65536"), 0);
	ck_assert_int_eq(c.argon2_m, 65536);
	ck_assert_int_eq(c.argon2_wait, 1000);
	ck_assert_int_eq(config_set(&c, "argon2_wait", "0"), 0);
	ck_assert_int_eq(c.argon2_wait, 0);
	ck_assert_int_eq(config_set(&c, "argon2_wait", "-1"), -1);
	ck_assert_int_eq(c.retain_mail_days, 30);
	ck_assert_int_eq(config_set(&c, "retain_mail_days", "90"), 0);
	ck_assert_int_eq(c.retain_mail_days, 90);
	ck_assert_int_eq(c.retain_audit_months, 24);
	ck_assert_int_eq(config_set(&c, "retain_audit_months", "6"), 0);
	ck_assert_int_eq(c.retain_audit_months, 6);
	ck_assert_int_eq(c.retain_unconfirmed_days, 7);
	ck_assert_int_eq(config_set(&c, "retain_unconfirmed_days", "30"), 0);
	ck_assert_int_eq(c.retain_unconfirmed_days, 30);
	ck_assert_int_eq(c.retain_throttle_days, 1);
	ck_assert_int_eq(config_set(&c, "retain_throttle_days", "3"), 0);
	ck_assert_int_eq(c.retain_throttle_days, 3);
	ck_assert_int_eq(c.retention_batch, 5000);
	ck_assert_int_eq(config_set(&c, "retention_batch", "100"), 0);
	ck_assert_int_eq(c.retention_batch, 100);
	ck_assert_int_eq(c.ping_gap, 5);
	ck_assert_int_eq(config_set(&c, "ping_gap", "10"), 0);
	ck_assert_int_eq(c.ping_gap, 10);
	/* A gap of nothing would let pings start pulls again. */
	ck_assert_int_eq(config_set(&c, "ping_gap", "0"), -1);
	ck_assert_int_eq(c.ping_gap, 10);
	ck_assert_int_eq(c.max_connections, 1000);
	ck_assert_int_eq(c.connections_per_address, 64);
	ck_assert_int_eq(config_set(&c, "connections_per_address", "0"), 0);
	ck_assert_int_eq(c.connections_per_address, 0);
	ck_assert_str_eq(c.upload_dir, "");
	ck_assert_int_eq(config_set(&c, "upload_dir", "/var/tmp"), 0);
	ck_assert_str_eq(c.upload_dir, "/var/tmp");
	ck_assert_str_eq(c.metrics_token, "");
	ck_assert_int_eq(config_set(&c, "metrics_token",
	    "0123456789abcdef-token"), 0);
	ck_assert_str_eq(c.metrics_token, "0123456789abcdef-token");
	config_free(&c);
}
END_TEST

START_TEST(test_config_set_refuses_bad_values)
{
	struct config c;

	config_defaults(&c);
	ck_assert_int_eq(config_set(&c, "region", "Atlantis"), -1);
	ck_assert_str_eq(c.region, "London");
	ck_assert_int_eq(config_set(&c, "public_url", "ftp://node.example"),
	    -1);
	ck_assert_int_eq(config_set(&c, "public_url", "node.example.org"), -1);
	ck_assert_str_eq(c.public_url, "http://127.0.0.1:8080");
	ck_assert_int_eq(config_set(&c, "threads", "0"), -1);
	ck_assert_int_eq(config_set(&c, "threads", "257"), -1);
	ck_assert_int_eq(config_set(&c, "threads", "four"), -1);
	ck_assert_int_eq(c.threads, 4);
	ck_assert_int_eq(config_set(&c, "open_joining", "perhaps"), -1);
	ck_assert_int_eq(config_set(&c, "log_level", "loud"), -1);
	ck_assert_int_eq(config_set(&c, "max_body", "10"), -1);
	ck_assert_int_eq(config_set(&c, "session_idle", "59"), -1);
	/* Keeping nothing at all would throttle nobody and lose the log. */
	ck_assert_int_eq(config_set(&c, "retain_signin_failures_days", "0"),
	    -1);
	ck_assert_int_eq(config_set(&c, "retain_audit_months", "0"), -1);
	ck_assert_int_eq(config_set(&c, "retain_unconfirmed_days", "0"), -1);
	ck_assert_int_eq(config_set(&c, "retention_interval", "0"), -1);
	ck_assert_int_eq(config_set(&c, "retain_throttle_days", "0"), -1);
	ck_assert_int_eq(config_set(&c, "retention_batch", "0"), -1);
	/* A token short enough to guess, or one a header cannot carry. */
	ck_assert_int_eq(config_set(&c, "metrics_token", "short"), -1);
	ck_assert_int_eq(config_set(&c, "metrics_token",
	    "0123456789abcdef token"), -1);
	ck_assert_int_eq(config_set(&c, "max_connections", "0"), -1);
	ck_assert_int_eq(config_set(&c, "connections_per_address", "-1"), -1);
	ck_assert_int_eq(config_set(&c, "no_such_key", "1"), -1);
	ck_assert_int_eq(config_set(&c, "", "1"), -1);
	config_free(&c);
}
END_TEST

START_TEST(test_config_https_public_url_sets_secure_cookies)
{
	struct config c;

	config_defaults(&c);
	ck_assert_int_eq(c.secure_cookies, 0);
	ck_assert_int_eq(config_set(&c, "public_url",
	    "https://london.acorn.example"), 0);
	ck_assert_str_eq(c.public_url, "https://london.acorn.example");
	ck_assert_int_eq(c.secure_cookies, 1);
	ck_assert_int_eq(config_set(&c, "public_url",
	    "http://127.0.0.1:8081"), 0);
	ck_assert_int_eq(c.secure_cookies, 0);
	config_free(&c);
}
END_TEST

START_TEST(test_config_load_reads_comments_and_spaces)
{
	char dir[256], *path;
	struct config c;

	make_tempdir(dir, sizeof(dir));
	write_file(dir, "acorn.conf",
	    "# Acorn node\n"
	    "\n"
	    "   # an indented comment\n"
	    "database = host=127.0.0.1 dbname=acorn_test\n"
	    "  node_name=Acorn  Midlands  \n"
	    "region\t=\tMidlands\n"
	    "public_url = https://midlands.acorn.example\n"
	    "threads = 2\n"
	    "open_joining = no\n"
	    "session_idle = 600\n"
	    "session_max = 3600\n");
	ck_assert_ptr_nonnull(path = util_printf("%s/acorn.conf", dir));
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path), 0);
	ck_assert_str_eq(c.path, path);
	ck_assert_str_eq(c.database, "host=127.0.0.1 dbname=acorn_test");
	ck_assert_str_eq(c.node_name, "Acorn  Midlands");
	ck_assert_str_eq(c.region, "Midlands");
	ck_assert_int_eq(c.secure_cookies, 1);
	ck_assert_int_eq(c.threads, 2);
	ck_assert_int_eq(c.open_joining, 0);
	ck_assert_int_eq(c.session_idle, 600);
	ck_assert_int_eq(c.session_max, 3600);
	/* Keys the file leaves out keep their defaults. */
	ck_assert_str_eq(c.listen, "127.0.0.1:8080");
	config_free(&c);
	remove_file(dir, "acorn.conf");
	rmdir(dir);
	free(path);
}
END_TEST

START_TEST(test_config_load_refuses_line_without_equals)
{
	char dir[256], *path;
	struct config c;

	make_tempdir(dir, sizeof(dir));
	write_file(dir, "acorn.conf", "database = dbname=acorn\nthreads 4\n");
	ck_assert_ptr_nonnull(path = util_printf("%s/acorn.conf", dir));
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path), -1);
	config_free(&c);
	remove_file(dir, "acorn.conf");
	rmdir(dir);
	free(path);
}
END_TEST

START_TEST(test_config_load_refuses_bad_value_and_idle_over_max)
{
	char dir[256], *path;
	struct config c;

	make_tempdir(dir, sizeof(dir));
	ck_assert_ptr_nonnull(path = util_printf("%s/acorn.conf", dir));
	write_file(dir, "acorn.conf", "region = Atlantis\n");
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path), -1);
	config_free(&c);
	remove_file(dir, "acorn.conf");

	write_file(dir, "acorn.conf",
	    "session_idle = 7200\nsession_max = 3600\n");
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path), -1);
	config_free(&c);
	remove_file(dir, "acorn.conf");

	/* And a file that is not there. */
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path), -1);
	config_free(&c);
	rmdir(dir);
	free(path);
}
END_TEST

START_TEST(test_config_checks_mail_settings)
{
	struct config c;

	config_defaults(&c);
	ck_assert_str_eq(c.smtp_url, "");
	ck_assert_int_eq(config_set(&c, "smtp_url", "smtp://127.0.0.1:25"), 0);
	ck_assert_int_eq(config_set(&c, "smtp_url", "smtps://m.example.org"),
	    0);
	ck_assert_int_eq(config_set(&c, "smtp_url", ""), 0);
	ck_assert_int_eq(config_set(&c, "smtp_url", "http://x.org"), -1);
	ck_assert_int_eq(config_set(&c, "smtp_url", "smtp://a b"), -1);
	ck_assert_int_eq(config_set(&c, "mail_from", "a@example.org"), 0);
	ck_assert_int_eq(config_set(&c, "mail_from", "A <a@example.org>"), -1);
	ck_assert_int_eq(config_set(&c, "mail_retry", "0"), -1);
	ck_assert_int_eq(config_set(&c, "mail_retry", "5"), 0);
	ck_assert_int_eq(c.mail_retry, 5);
	ck_assert_int_eq(config_set(&c, "mail_max_attempts", "0"), -1);
	ck_assert_int_eq(config_set(&c, "mail_max_attempts", "3"), 0);
	ck_assert_int_eq(c.mail_max_attempts, 3);
	config_free(&c);
}
END_TEST

Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("settings");
	tcase_add_test(tc, test_config_set_accepts_valid_values);
	tcase_add_test(tc, test_config_set_refuses_bad_values);
	tcase_add_test(tc, test_config_https_public_url_sets_secure_cookies);
	tcase_add_test(tc, test_config_load_reads_comments_and_spaces);
	tcase_add_test(tc, test_config_load_refuses_line_without_equals);
	tcase_add_test(tc,
	    test_config_load_refuses_bad_value_and_idle_over_max);
	tcase_add_test(tc, test_config_checks_mail_settings);
	suite_add_tcase(s, tc);
	return s;
}
