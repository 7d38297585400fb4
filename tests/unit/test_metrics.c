/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_metrics.c: unit tests of the metrics counters and their text
 * exposition (metrics.h) and of the listen addresses (listen.h): each
 * record counted under its stage, verdict ("none" on aborts), rule and
 * mode; label values escaped; histogram buckets cumulative, le="+Inf"
 * equal to _count; the listen forms, their port range and what counts
 * as loopback.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "listen.h"
#include "metrics.h"
#include "record_fixture.h"
#include "txn.h"

static char *expose(void)
{
	struct metrics_extra x;
	struct buf b = BUF_INIT;

	memset(&x, 0, sizeof(x));
	x.version = "1.2\"3\\4\n5";
	x.nsinks = 1;
	x.sink_name[0] = "file";
	x.sink_errors[0] = 7;
	metrics_expose(&dg_metrics, &x, &b);
	return b.p;
}

static void has_line(const char *page, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (strstr(page, want) == NULL)
		fail_msg("missing line: %s\n%s", line, page);
}

static void test_records(void **state)
{
	struct dg_txn *t = new_txn();
	char *page;

	(void)state;
	memset(&dg_metrics, 0, sizeof(dg_metrics));
	R.stage = DG_STAGE_MAIL;
	R.mail_rule = GATE_UNAUTHENTICATED;
	R.decision.has_verdict = true;
	R.decision.verdict = DG_VERDICT_REJECT;
	metrics_record(rec(t));
	metrics_record(rec(t));
	R.stage = DG_STAGE_ABORT;	/* no verdict: "none" */
	R.decision.has_verdict = false;
	R.mail_rule = GATE_PASS;
	R.mode = DG_MODE_MONITOR;
	t->size = 1000;
	t->scanned = true;
	t->scan.cls[DG_CLASS_BARE_LF].count = 3;
	R.decision.body_rule = true;
	metrics_record(rec(t));
	/* The header decisions at end of message (dotgate.conf(5), HEADER
	 * FROM) are rules like the others. */
	R.stage = DG_STAGE_EOM;
	R.decision.has_verdict = true;
	R.decision.body_rule = false;
	R.mode = DG_MODE_ENFORCE;
	R.mail_rule = GATE_HEADER_NOT_OWNED;
	metrics_record(rec(t));
	R.mail_rule = GATE_HEADER_MALFORMED;
	R.mode = DG_MODE_MONITOR;
	R.decision.verdict = DG_VERDICT_LOG;
	metrics_record(rec(t));
	page = expose();
	has_line(page, "dotgate_transactions_total{stage=\"eom\",verdict=\"reject\","
		 "rule=\"sender.header_not_owned\",mode=\"enforce\"} 1");
	has_line(page, "dotgate_transactions_total{stage=\"eom\",verdict=\"log\","
		 "rule=\"sender.header_malformed\",mode=\"monitor\"} 1");
	has_line(page, "dotgate_transactions_total{stage=\"mail\",verdict=\"reject\","
		 "rule=\"auth.unauthenticated\",mode=\"enforce\"} 2");
	has_line(page, "dotgate_transactions_total{stage=\"abort\",verdict=\"none\","
		 "rule=\"body\",mode=\"monitor\"} 1");
	has_line(page, "dotgate_anomalies_total{class=\"bare_lf\"} 3");
	has_line(page, "dotgate_anomaly_occurrences_total{class=\"bare_lf\"} 9");
	has_line(page, "dotgate_anomalies_total{class=\"bare_cr\"} 0");
	has_line(page, "dotgate_body_bytes_total 3000");
	has_line(page, "dotgate_audit_write_errors_total{sink=\"file\"} 7");
	has_line(page, "# TYPE dotgate_transactions_total counter");
	free(page);
	txn_free(t);
}

/* Backslash, double quote and newline are escaped in label values. */
static void test_escaping(void **state)
{
	char *page;

	(void)state;
	memset(&dg_metrics, 0, sizeof(dg_metrics));
	page = expose();
	has_line(page, "dotgate_build_info{version=\"1.2\\\"3\\\\4\\n5\"} 1");
	free(page);
}

static void test_histogram(void **state)
{
	char *page;

	(void)state;
	memset(&dg_metrics, 0, sizeof(dg_metrics));
	metrics_observe_callbacks(5000);		/* 5 us: first bucket */
	metrics_observe_callbacks(10000);		/* on the bound: le 1e-05 */
	metrics_observe_callbacks(30000);		/* 5e-05 */
	metrics_observe_callbacks(2000000000);		/* 2 s: only +Inf */
	page = expose();
	has_line(page, "dotgate_callback_duration_seconds_bucket{le=\"1e-05\"} 2");
	has_line(page, "dotgate_callback_duration_seconds_bucket{le=\"2.5e-05\"} 2");
	has_line(page, "dotgate_callback_duration_seconds_bucket{le=\"5e-05\"} 3");
	has_line(page, "dotgate_callback_duration_seconds_bucket{le=\"0.1\"} 3");
	has_line(page, "dotgate_callback_duration_seconds_bucket{le=\"+Inf\"} 4");
	has_line(page, "dotgate_callback_duration_seconds_count 4");
	has_line(page, "dotgate_callback_duration_seconds_sum 2.000045");
	has_line(page, "# TYPE dotgate_callback_duration_seconds histogram");
	free(page);
}

static void test_connections_and_reloads(void **state)
{
	char *page;

	(void)state;
	memset(&dg_metrics, 0, sizeof(dg_metrics));
	metrics_conn_open();
	metrics_conn_open();
	metrics_conn_close();
	metrics_reload(false);
	metrics_reload(true);
	metrics_policy_loaded(2);
	page = expose();
	has_line(page, "dotgate_connections_active 1");
	has_line(page, "dotgate_connections_total 2");
	has_line(page, "dotgate_policy_reloads_total{result=\"ok\"} 1");
	has_line(page, "dotgate_policy_reloads_total{result=\"error\"} 1");
	has_line(page, "dotgate_policy_generation 2");
	free(page);
}

/* -1 (failed) and 1 (found) as remotemap_get() returns them, 0 not found. */
static void test_map_lookups(void **state)
{
	char *page;

	(void)state;
	memset(&dg_metrics, 0, sizeof(dg_metrics));
	metrics_map_lookup(1);
	metrics_map_lookup(0);
	metrics_map_lookup(0);
	metrics_map_lookup(-1);
	metrics_map_lookup(-1);
	metrics_map_lookup(-1);
	page = expose();
	has_line(page, "# TYPE dotgate_login_map_lookups_total counter");
	has_line(page, "dotgate_login_map_lookups_total{result=\"found\"} 1");
	has_line(page, "dotgate_login_map_lookups_total{result=\"notfound\"} 2");
	has_line(page, "dotgate_login_map_lookups_total{result=\"error\"} 3");
	free(page);
}

static void test_listen(void **state)
{
	struct listen_addr a;
	char err[256];

	(void)state;
	assert_int_equal(listen_parse("127.0.0.1:9367", &a, err, sizeof(err)), 0);
	assert_true(a.loopback);
	assert_int_equal(a.sa.ss_family, AF_INET);
	assert_int_equal(listen_parse("127.1.2.3:1", &a, err, sizeof(err)), 0);
	assert_true(a.loopback);
	assert_int_equal(listen_parse("0.0.0.0:65535", &a, err, sizeof(err)), 0);
	assert_false(a.loopback);
	assert_int_equal(listen_parse("[::1]:9367", &a, err, sizeof(err)), 0);
	assert_true(a.loopback);
	assert_int_equal(a.sa.ss_family, AF_INET6);
	assert_int_equal(listen_parse("[2001:db8::1]:80", &a, err, sizeof(err)), 0);
	assert_false(a.loopback);
	assert_int_equal(listen_parse("unix:/run/dotgate/metrics.sock", &a, err, sizeof(err)), 0);
	assert_true(a.loopback);
	assert_int_equal(a.sa.ss_family, AF_UNIX);
	static const char *const bad[] = {
		"127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:99999", "127.0.0.1",
		"localhost:9367", "::1:9367", "[::1]9367", "[127.0.0.1]:80",
		"127.0.0.1:80x", "unix:relative", ":9367", "[::1]:",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (listen_parse(bad[i], &a, err, sizeof(err)) == 0)
			fail_msg("accepted %s", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_connections_and_reloads),
		cmocka_unit_test(test_map_lookups),
		cmocka_unit_test(test_listen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
