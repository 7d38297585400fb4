/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_doctor_findings.c: unit tests of dotgate-doctor's findings and
 * their two forms, the lines and the JSON object of dotgate-doctor(8),
 * OUTPUT: the exact line format, escaped control bytes, bounded fields,
 * the JSON members and counts, repaired UTF-8, and the exit status of
 * dotgate-doctor(8), EXIT STATUS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "doctor.h"
#include "util.h"

static char *text_of(const struct dr_report *r, bool json)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	assert_non_null(fp);
	if (json)
		dr_print_json(fp, r);
	else
		dr_print_text(fp, r);
	fclose(fp);
	return out;
}

static void sample(struct dr_report *r)
{
	r->mta = xstrdup("postfix");
	r->mta_version = xstrdup("3.7.11");
	dr_add(r, DR_RISK, "main.cf", "smtpd_forbid_bare_newline", "no",
	       "postconf -e 'smtpd_forbid_bare_newline = normalize'",
	       "a bare LF ends DATA for %s", "every client");
	dr_add(r, DR_WARN, "submission/inet", "smtpd_milters", "", NULL,
	       "no milter");
	dr_add(r, DR_OK, "smtp/inet", "milter_protocol", "6", "", "fine");
}

static void test_text(void **state)
{
	struct dr_report r = { 0 };
	char *out;

	(void)state;
	sample(&r);
	out = text_of(&r, false);
	assert_string_equal(out,
		"dotgate-doctor: postfix 3.7.11: 1 risk, 1 warn, 1 ok\n"
		"risk main.cf smtpd_forbid_bare_newline = no: a bare LF ends "
		"DATA for every client; fix: postconf -e "
		"'smtpd_forbid_bare_newline = normalize'\n"
		"warn submission/inet smtpd_milters = (none): no milter\n"
		"ok   smtp/inet milter_protocol = 6: fine\n");
	free(out);
	dr_report_free(&r);
	out = text_of(&r, false);
	assert_string_equal(out, "dotgate-doctor: unknown (version unknown): "
			    "0 risk, 0 warn, 0 ok\n");
	free(out);
}

static void test_escape_and_bounds(void **state)
{
	struct dr_report r = { 0 };
	char *big = xmalloc(3 * PF_VALUE_MAX), *out;

	(void)state;
	memset(big, 'x', 3 * PF_VALUE_MAX - 1);
	big[3 * PF_VALUE_MAX - 1] = '\0';
	r.mta = xstrdup("post\nfix");
	dr_add(&r, DR_WARN, "a\rb", "s\x1b[2J", "v\nrisk x = y\x7f", "f\t",
	       "m%s", "\x01");
	dr_add(&r, DR_OK, big, big, big, big, "%s", big);
	assert_int_equal(strlen(r.f[1].value), PF_VALUE_MAX + 3);
	assert_memory_equal(r.f[1].value + PF_VALUE_MAX, "...", 4);
	assert_int_equal(strlen(r.f[1].meaning), PF_VALUE_MAX + 3);
	out = text_of(&r, false);
	assert_non_null(strstr(out, "dotgate-doctor: post\\x0afix "));
	assert_non_null(strstr(out, "\nwarn a\\x0db s\\x1b[2J = "
			       "v\\x0arisk x = y\\x7f: m\\x01; fix: f\\x09\n"));
	/* Two findings, one header: three lines whatever the values. */
	{
		size_t lines = 0;

		for (const char *p = out; *p != '\0'; p++)
			lines += *p == '\n';
		assert_int_equal(lines, 3);
	}
	free(out);
	free(big);
	dr_report_free(&r);
}

static void test_json(void **state)
{
	struct dr_report r = { 0 };
	json_error_t e;
	json_t *o, *f;
	char *out;

	(void)state;
	sample(&r);
	dr_add(&r, DR_RISK, "x", "bad\xff" "utf8", "\xc3\xa9", "", "m");
	out = text_of(&r, true);
	assert_non_null(o = json_loads(out, 0, &e));
	assert_int_equal(out[strlen(out) - 1], '\n');
	assert_string_equal(json_string_value(json_object_get(o, "mta")), "postfix");
	assert_string_equal(json_string_value(json_object_get(o, "version")), "3.7.11");
	assert_int_equal(json_integer_value(json_object_get(o, "risk")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "warn")), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "ok")), 1);
	assert_int_equal(json_array_size(json_object_get(o, "findings")), 4);
	f = json_array_get(json_object_get(o, "findings"), 0);
	assert_int_equal(json_object_size(f), 6);
	assert_string_equal(json_string_value(json_object_get(f, "level")), "risk");
	assert_string_equal(json_string_value(json_object_get(f, "service")), "main.cf");
	assert_string_equal(json_string_value(json_object_get(f, "setting")),
			    "smtpd_forbid_bare_newline");
	assert_string_equal(json_string_value(json_object_get(f, "value")), "no");
	assert_string_equal(json_string_value(json_object_get(f, "meaning")),
			    "a bare LF ends DATA for every client");
	assert_string_equal(json_string_value(json_object_get(f, "fix")),
			    "postconf -e 'smtpd_forbid_bare_newline = normalize'");
	f = json_array_get(json_object_get(o, "findings"), 1);
	assert_string_equal(json_string_value(json_object_get(f, "value")), "");
	assert_string_equal(json_string_value(json_object_get(f, "fix")), "");
	f = json_array_get(json_object_get(o, "findings"), 3);
	assert_string_equal(json_string_value(json_object_get(f, "setting")),
			    "bad\xef\xbf\xbdutf8");
	assert_string_equal(json_string_value(json_object_get(f, "value")), "\xc3\xa9");
	json_decref(o);
	free(out);
	free(r.mta_version);
	r.mta_version = NULL;
	out = text_of(&r, true);
	assert_non_null(o = json_loads(out, 0, &e));
	assert_true(json_is_null(json_object_get(o, "version")));
	json_decref(o);
	free(out);
	dr_report_free(&r);
}

static void test_exit_status(void **state)
{
	struct dr_report r = { 0 };

	(void)state;
	assert_int_equal(dr_exit_status(&r), 0);
	dr_add(&r, DR_OK, "a", "b", "c", "", "d");
	dr_add(&r, DR_WARN, "a", "b", "c", "", "d");
	assert_int_equal(dr_exit_status(&r), 0);
	dr_add(&r, DR_RISK, "a", "b", "c", "", "d");
	assert_int_equal(dr_exit_status(&r), 1);
	dr_report_free(&r);
	assert_int_equal(r.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_escape_and_bounds),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_exit_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
