/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report_html.c: the pieces behind dotgate-report --html and the
 * per-host counts: the syslog header reader (which host forwarded a
 * line), the time series (exact counts in bounded buckets whatever the
 * order and span of the records) and the page (every log string shown
 * as text, every section present).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "report_series.h"

static void header_host(const char *line, const char *want)
{
	const char *h;
	size_t n;

	assert_true(report_syslog_header(line, strlen(line), &h, &n));
	if (want == NULL) {
		assert_null(h);
		return;
	}
	assert_non_null(h);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(h, want, n);
}

static void test_syslog_header(void **state)
{
	const char *h;
	size_t n;

	(void)state;
	header_host("Nov 29 01:02:03 mx1 dotgate[7]: x", "mx1");
	header_host("Nov  9 01:02:03 mx2.example.net dotgate[7]: x",
		    "mx2.example.net");
	header_host("2026-11-29T01:02:03.123456+00:00 mx3 dotgate[7]: x", "mx3");
	header_host("<22>1 2026-11-29T01:02:03.1Z mx4 dotgate 7 - - x", "mx4");
	header_host("<22>1 2026-11-29T01:02:03.1Z - dotgate 7 - - x", NULL);
	header_host("<22>Nov 29 01:02:03 mx5 dotgate: x", "mx5");
	header_host("<22>raw message", NULL);
	assert_false(report_syslog_header("{\"ts\":1}", 8, &h, &n));
	assert_false(report_syslog_header("Nov 29 01:02", 12, &h, &n));
	assert_false(report_syslog_header("<x>1 a b", 8, &h, &n));
}

/* A record of verdict v (or an abort, v < 0) at ms, bare_cr if bad. */
static struct report_rec rec_at(int64_t ms, int v, bool bad)
{
	struct report_rec r;

	memset(&r, 0, sizeof(r));
	r.ts_ms = ms;
	r.addr = "";
	r.stage = v < 0 ? DG_STAGE_ABORT : DG_STAGE_EOM;
	r.verdict = v;
	r.count[DG_CLASS_BARE_CR] = bad;
	return r;
}

static uint64_t col_sum(const struct series_view *v, int col)
{
	uint64_t n = 0;

	for (size_t i = 0; i < v->n; i++)
		n += v->v[i][col];
	return n;
}

#define T0 1795914123456LL		/* 2026-11-29T01:02:03.456Z */

static void test_series_minutes(void **state)
{
	struct report_series *s = report_series_new();
	struct series_view v;
	struct report_rec r;

	(void)state;
	assert_false(report_series_view(s, &v));
	for (int i = 0; i < 90; i++) {
		r = rec_at(T0 + i * 60000LL, i % 3 ? 0 : 5, i % 10 == 0);
		report_series_add(s, &r);
	}
	r = rec_at(T0, -1, false);
	report_series_add(s, &r);
	assert_true(report_series_view(s, &v));
	assert_string_equal(v.unit, "minute");
	assert_int_equal(v.n, 90);
	assert_int_equal(v.start_ms, T0 / 60000 * 60000);
	assert_int_equal(v.v[0][5], 1);
	assert_int_equal(v.v[0][SERIES_ABORT], 1);
	assert_int_equal(v.v[1][0], 1);
	assert_int_equal(col_sum(&v, 0), 60);
	assert_int_equal(col_sum(&v, 5), 30);
	assert_int_equal(col_sum(&v, SERIES_ANOMALOUS), 9);
	assert_int_equal(col_sum(&v, SERIES_CLASS(DG_CLASS_BARE_CR)), 9);
	report_series_view_free(&v);
	report_series_free(s);
}

/* Years of records, newest first: the buckets widen, no count is lost. */
static void test_series_reverse_years(void **state)
{
	struct report_series *s = report_series_new();
	struct series_view v;
	const int64_t step = 3600000LL * 7;	/* every 7 hours */
	const int n = 3 * 365 * 24 / 7;
	struct report_rec r;

	(void)state;
	for (int i = n - 1; i >= 0; i--) {
		r = rec_at(T0 + i * step, 5, i % 2 == 0);
		report_series_add(s, &r);
	}
	assert_true(report_series_view(s, &v));
	assert_string_equal(v.unit, "week");
	assert_true(v.n >= 156 && v.n <= 158);
	assert_int_equal(col_sum(&v, 5), n);
	assert_int_equal(col_sum(&v, SERIES_ANOMALOUS), (n + 1) / 2);
	report_series_view_free(&v);
	report_series_free(s);
}

static void test_series_units(void **state)
{
	static const struct { int64_t span; const char *unit; } cases[] = {
		{6 * 3600000LL, "minute"}, {6 * 3600000LL + 60000, "hour"},
		{14 * 86400000LL, "hour"}, {15 * 86400000LL, "day"},
		{1000 * 86400000LL, "day"}, {1001 * 86400000LL, "week"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct report_series *s = report_series_new();
		struct series_view v;
		struct report_rec a = rec_at(T0 / 60000 * 60000, 0, false);
		struct report_rec b = rec_at(a.ts_ms + cases[i].span - 1, 0,
					     false);

		report_series_add(s, &b);
		report_series_add(s, &a);
		assert_true(report_series_view(s, &v));
		assert_string_equal(v.unit, cases[i].unit);
		assert_int_equal(col_sum(&v, 0), 2);
		report_series_view_free(&v);
		report_series_free(s);
	}
}

static char *html_of(struct report_summary *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	report_summary_html(s, fp);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* Strings from the log are text: markup escaped, control bytes \xNN. */
static void test_html_escapes(void **state)
{
	struct report_summary *s = report_summary_new(0);
	struct report_rec r = rec_at(T0, 5, false);
	char *page;

	(void)state;
	r.stage = DG_STAGE_MAIL;
	r.rule = GATE_NOT_OWNED;
	r.login = "<b>eve</b>";
	r.from = "<script>alert(1)</script>";
	r.addr = "\"'&\x1b[31m";
	r.host = "<i>mx</i>";
	report_summary_add(s, &r);
	page = html_of(s);
	assert_null(strstr(page, "<script>"));
	assert_null(strstr(page, "<b>eve"));
	assert_null(strstr(page, "<i>mx"));
	assert_null(strstr(page, "\x1b"));
	assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(page, "&lt;b&gt;eve&lt;/b&gt;"));
	assert_non_null(strstr(page, "<td>&lt;i&gt;mx&lt;/i&gt;</td>"));
	free(page);
	report_summary_free(s);
}

static void test_html_sections(void **state)
{
	static const char *const titles[] = {
		"<!DOCTYPE html>", "<h2>Period and records</h2>",
		"<h2>Decisions over time</h2>", "<h2>Anomalies over time</h2>",
		"<h2>Anomaly classes</h2>", "<h2>Top unauthenticated clients</h2>",
		"<h2>Sender ownership refusals by login</h2>",
		"<h2>Monitor mode: what enforce mode would have done</h2>",
		"<h2>Hosts</h2>", "</html>",
	};
	struct report_summary *s = report_summary_new(0);
	struct report_rec r = rec_at(T0, 0, true);
	char *page;

	(void)state;
	r.host = "mx1";
	report_summary_add(s, &r);
	page = html_of(s);
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strstr(page, titles[i]) == NULL)
			fail_msg("no %s in the page", titles[i]);
	assert_non_null(strstr(page, "<svg class=\"chart\""));
	assert_non_null(strstr(page, "One bar per minute from 2026-11-29 01:02 UTC"));
	assert_null(strstr(page, "<script"));
	/* Self-contained: no address but the SVG namespace. */
	for (const char *p = page; (p = strstr(p, "//")) != NULL; p += 2)
		if (strncmp(p - 5, "http://www.w3.org/2000/svg", 26) != 0)
			fail_msg("a reference to elsewhere: %.40s", p - 5);
	free(page);
	report_summary_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syslog_header),
		cmocka_unit_test(test_series_minutes),
		cmocka_unit_test(test_series_reverse_years),
		cmocka_unit_test(test_series_units),
		cmocka_unit_test(test_html_escapes),
		cmocka_unit_test(test_html_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
