/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report.c: unit tests of dotgate-report's pure parts: time
 * parsing (records and --since/--until), the key="value" reader, line
 * classification, the record read back from both of dotgate's formats
 * (the JSON and syslog encoders round-trip through the parser), the
 * bounded top-K counter, and the summary's numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "audit.h"
#include "report.h"
#include "record_fixture.h"
#include "topk.h"
#include "txn.h"
#include "util.h"

#define T0 1795914123456LL	/* 2026-11-29T01:02:03.456Z */

static void test_ts_parse(void **state)
{
	static const char *const bad[] = {
		"", "2026-11-29", "2026-11-29T01:02Z", "2026-11-29T01:02:03",
		"2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
		"2026-11-31T00:00:00Z", "2026-11-29T24:00:00Z",
		"2026-11-29T01:60:00Z", "2026-11-29T01:02:03.Z",
		"2026-11-29T01:02:03.456Zx", "2026-11-29 01:02:03Z",
		"26-11-29T01:02:03Z", "2026-11-29T01:02:03+2", "x",
	};
	int64_t ms;

	(void)state;
	assert_int_equal(report_ts_parse("2026-11-29T01:02:03.456Z", &ms), 0);
	assert_int_equal(ms, T0);
	assert_int_equal(report_ts_parse("2026-11-29T01:02:03Z", &ms), 0);
	assert_int_equal(ms, T0 - 456);
	assert_int_equal(report_ts_parse("2026-11-29T03:02:03.456+02:00", &ms), 0);
	assert_int_equal(ms, T0);
	assert_int_equal(report_ts_parse("2026-11-28T23:32:03.456-0130", &ms), 0);
	assert_int_equal(ms, T0);
	assert_int_equal(report_ts_parse("1970-01-01T00:00:00Z", &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(report_ts_parse("2024-02-29T00:00:00.1Z", &ms), 0);
	assert_int_equal(ms, 1709164800100LL);
	for (size_t i = 0; i < DG_ARRAY_LEN(bad); i++)
		if (report_ts_parse(bad[i], &ms) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void test_time_arg(void **state)
{
	int64_t ms;

	(void)state;
	assert_int_equal(report_time_arg("2026-11-29", T0, &ms), 0);
	assert_int_equal(ms, 1795910400000LL);
	assert_int_equal(report_time_arg("2026-11-29T01:02", 0, &ms), 0);
	assert_int_equal(ms, 1795910400000LL + 62 * 60000);
	assert_int_equal(report_time_arg("2026-11-29T01:02:03.456Z", 0, &ms), 0);
	assert_int_equal(ms, T0);
	assert_int_equal(report_time_arg("-24h", T0, &ms), 0);
	assert_int_equal(ms, T0 - 86400000LL);
	assert_int_equal(report_time_arg("-7d", T0, &ms), 0);
	assert_int_equal(ms, T0 - 7 * 86400000LL);
	assert_int_equal(report_time_arg("-30m", T0, &ms), 0);
	assert_int_equal(ms, T0 - 30 * 60000LL);
	assert_int_equal(report_time_arg("-45s", T0, &ms), 0);
	assert_int_equal(ms, T0 - 45000);
	assert_int_equal(report_time_arg("-2w", T0, &ms), 0);
	assert_int_equal(ms, T0 - 14 * 86400000LL);
	assert_int_equal(report_time_arg("-24", T0, &ms), -1);
	assert_int_equal(report_time_arg("-h", T0, &ms), -1);
	assert_int_equal(report_time_arg("-24hours", T0, &ms), -1);
	assert_int_equal(report_time_arg("-99999999999999999d", T0, &ms), -1);
	assert_int_equal(report_time_arg("yesterday", T0, &ms), -1);
	assert_int_equal(report_time_arg("2026-11-3x", T0, &ms), -1);
}

static void test_ts_format(void **state)
{
	char buf[REPORT_TS_LEN];
	int64_t ms;

	(void)state;
	report_ts_format(T0, buf);
	assert_string_equal(buf, "2026-11-29T01:02:03.456Z");
	report_ts_format(0, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	report_ts_format(951782400000LL, buf);
	assert_string_equal(buf, "2000-02-29T00:00:00.000Z");
	/* Round trip over a range of days. */
	for (int64_t t = 0; t < 4102444800000LL; t += 86400000LL * 37 + 1234) {
		report_ts_format(t, buf);
		assert_int_equal(report_ts_parse(buf, &ms), 0);
		assert_int_equal(ms, t);
	}
}

static int kv(const char *s, char *key, char *val, size_t *vlen,
	      const char **rest)
{
	const char *p = s;
	int r = report_kv_next(&p, s + strlen(s), key, 32, val, 64, vlen);

	if (rest)
		*rest = p;
	return r;
}

static void test_kv_next(void **state)
{
	char key[32], val[64];
	size_t vlen;
	const char *rest;

	(void)state;
	assert_int_equal(kv(" from=\"a\\\"b\\\\c\\x0a\\x00d\" x=\"\"", key, val,
			    &vlen, &rest), 1);
	assert_string_equal(key, "from");
	assert_int_equal(vlen, 8);
	/* The 9th byte is the terminating NUL. */
	assert_memory_equal(val, "a\"b\\c\n\0d", 9);
	assert_int_equal(kv(rest, key, val, &vlen, &rest), 1);
	assert_string_equal(key, "x");
	assert_int_equal(vlen, 0);
	assert_int_equal(kv(rest, key, val, &vlen, &rest), 0);
	assert_int_equal(kv("   ", key, val, &vlen, NULL), 0);
	/* Not pairs: unterminated, bad escapes, junk after the quote. */
	assert_int_equal(kv("a=\"x", key, val, &vlen, NULL), -1);
	assert_int_equal(kv("a=\"x\\", key, val, &vlen, NULL), -1);
	assert_int_equal(kv("a=\"\\n\"", key, val, &vlen, NULL), -1);
	assert_int_equal(kv("a=\"\\x4\"", key, val, &vlen, NULL), -1);
	assert_int_equal(kv("a=\"\\xg0\"", key, val, &vlen, NULL), -1);
	assert_int_equal(kv("a=\"x\"b", key, val, &vlen, NULL), -1);
	assert_int_equal(kv("a=x", key, val, &vlen, NULL), -1);
	assert_int_equal(kv("A=\"x\"", key, val, &vlen, NULL), -1);
	assert_int_equal(kv("=\"x\"", key, val, &vlen, NULL), -1);
	/* Too long for the buffers. */
	assert_int_equal(kv("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\"\"", key,
			    val, &vlen, NULL), -1);
	assert_int_equal(kv("a=\"0123456789012345678901234567890123456789"
			    "0123456789012345678901234567890123456789\"", key,
			    val, &vlen, NULL), -1);
}

static enum rp_kind line(struct report_parser *rp, const char *s,
			 struct report_rec *r)
{
	return report_parser_line(rp, s, strlen(s), r);
}

static const char REC[] =
	"{\"ts\":\"2026-11-29T01:02:03.456Z\",\"stage\":\"eom\",\"qid\":\"Q1\","
	"\"client\":{\"addr\":\"192.0.2.7\",\"port\":25,\"name\":null},"
	"\"helo\":\"h\",\"daemon\":\"smtpd\",\"auth\":{\"user\":\"alice\","
	"\"mech\":\"PLAIN\"},\"tls\":null,\"from\":\"a@example.test\","
	"\"rcpts\":[\"b@example.test\"],\"size\":10,\"anomalies\":{\"bare_lf\":"
	"{\"count\":3,\"first\":5},\"future_class\":{\"count\":1,\"first\":0}},"
	"\"verdict\":\"tag\",\"would\":null,\"rule\":\"body\",\"reply\":null,"
	"\"mode\":\"enforce\"}";

static void test_classify(void **state)
{
	static const char *const malformed[] = {
		"garbage",
		"{",
		"{\"ts\":\"2026-11-29T01:02:03.456Z\"}",
		"[1,2]",
		"{\"ts\":\"2026-11-29T01:02:03.456Z\",\"stage\":\"eom\","
		"\"rule\":\"pass\",\"mode\":\"enforce\",\"verdict\":null}",
		"{\"ts\":\"2026-11-29T01:02:03.456Z\",\"stage\":\"eom\","
		"\"rule\":\"pass\",\"mode\":\"enforce\",\"verdict\":\"maybe\"}",
		"{\"ts\":\"2026-11-29T01:02:03.456Z\",\"stage\":\"later\","
		"\"rule\":\"pass\",\"mode\":\"enforce\",\"verdict\":\"accept\"}",
		"{\"ts\":\"2026-11-29T01:02:03.456Z\",\"stage\":\"eom\","
		"\"rule\":\"guess\",\"mode\":\"enforce\",\"verdict\":\"accept\"}",
		"{\"ts\":\"2026-11-29T01:02:03.456Z\",\"stage\":\"eom\","
		"\"rule\":\"pass\",\"mode\":\"lax\",\"verdict\":\"accept\"}",
		"{\"ts\":\"yesterday\",\"stage\":\"eom\","
		"\"rule\":\"pass\",\"mode\":\"enforce\",\"verdict\":\"accept\"}",
		"{\"ts\":\"2026-11-29T01:02:03.456Z\",\"stage\":\"eom\","
		"\"rule\":\"pass\",\"mode\":\"enforce\",\"verdict\":\"accept\","
		"\"client\":\"192.0.2.1\"}",
		"{\"ts\":\"2026-11-29T01:02:03.456Z\",\"stage\":\"eom\","
		"\"rule\":\"pass\",\"mode\":\"enforce\",\"verdict\":\"accept\","
		"\"anomalies\":{\"nul\":{\"count\":-1}}}",
		"{\"ts\":\"2026-11-29T01:02:03.456Z\",\"stage\":\"eom\","
		"\"rule\":\"pass\",\"mode\":\"enforce\",\"verdict\":\"accept\","
		"\"verdict\":\"reject\"}",
		"{\"ts\":\"2026-11-29T01:02:03.456Z\",\"stage\":\"eom\","
		"\"rule\":\"pass\",\"mode\":\"enforce\",\"verdict\":\"accept\"} x",
		/* syslog form: cut by the syslog daemon, a key twice */
		"Nov 29 01:02:03 mx dotgate[7]: Q1: ts=\"2026-11-29T01:02:03.456Z\" "
		"stage=\"eom\" from=\"abc",
		"Nov 29 01:02:03 mx dotgate[7]: Q1: ts=\"2026-11-29T01:02:03.456Z\" "
		"stage=\"eom\" verdict=\"accept\" rule=\"pass\" mode=\"enforce\" "
		"verdict=\"reject\"",
		"Nov 29 01:02:03 mx dotgate[7]: Q1: ts=\"2026-11-29T01:02:03.456Z\" "
		"stage=\"eom\" verdict=\"accept\" rule=\"pass\" mode=\"enforce\" "
		"anomalies=\"bare_cr=x@1\"",
		"Nov 29 01:02:03 mx dotgate[7]: {\"ts\":\"2026-11-29T01:02:03.456Z\"",
		"Nov 99 junk",
	};
	struct report_parser *rp = report_parser_new();
	struct report_rec r;

	(void)state;
	assert_int_equal(line(rp, "", &r), RP_BLANK);
	assert_int_equal(line(rp, " \t\r", &r), RP_BLANK);
	assert_int_equal(line(rp, "Nov 29 01:02:03 mx postfix/smtpd[1]: "
			      "connect from x[192.0.2.1]", &r), RP_OTHER);
	assert_int_equal(line(rp, "Nov  9 01:02:03 mx dotgate[7]: "
			      "configuration reloaded", &r), RP_OTHER);
	assert_int_equal(line(rp, "2026-11-29T01:02:03.123456+00:00 mx "
			      "dotgate[7]: started", &r), RP_OTHER);
	assert_int_equal(line(rp, "<22>Nov 29 01:02:03 mx postfix: x", &r),
			 RP_OTHER);
	for (size_t i = 0; i < DG_ARRAY_LEN(malformed); i++)
		if (line(rp, malformed[i], &r) != RP_MALFORMED)
			fail_msg("not malformed: %s", malformed[i]);

	assert_int_equal(line(rp, REC, &r), RP_RECORD);
	assert_int_equal(r.ts_ms, T0);
	assert_string_equal(r.ts, "2026-11-29T01:02:03.456Z");
	assert_int_equal(r.stage, DG_STAGE_EOM);
	assert_string_equal(r.addr, "192.0.2.7");
	assert_string_equal(r.login, "alice");
	assert_string_equal(r.from, "a@example.test");
	assert_int_equal(r.verdict, DG_VERDICT_TAG);
	assert_int_equal(r.would, -1);
	assert_int_equal(r.rule, GATE_BODY);
	assert_false(r.monitor);
	assert_int_equal(r.count[DG_CLASS_BARE_LF], 3);
	for (int c = 0; c < DG_CLASS_COUNT; c++)
		if (c != DG_CLASS_BARE_LF)
			assert_int_equal(r.count[c], 0);

	/* The same object as a syslog message, with CRLF. */
	char *s = xmalloc(strlen(REC) + 64);
	strcpy(s, "Nov 29 01:02:03 mx dotgate[7]: ");
	strcat(s, REC);
	strcat(s, "\r\n");
	assert_int_equal(line(rp, s, &r), RP_RECORD);
	assert_string_equal(r.login, "alice");
	free(s);

	/* Abort records need no verdict. */
	assert_int_equal(line(rp, "{\"ts\":\"2026-11-29T01:02:03Z\","
			      "\"stage\":\"abort\",\"client\":{\"addr\":null},"
			      "\"auth\":null,\"verdict\":null,\"rule\":\"pass\","
			      "\"mode\":\"monitor\",\"would\":\"reject\"}", &r),
			 RP_RECORD);
	assert_int_equal(r.stage, DG_STAGE_ABORT);
	assert_string_equal(r.addr, "");
	assert_null(r.login);
	assert_null(r.from);
	assert_int_equal(r.verdict, -1);
	assert_int_equal(r.would, DG_VERDICT_REJECT);
	assert_true(r.monitor);
	report_parser_free(rp);
}

/* The same transaction read back from the JSON and the syslog forms. */
static void test_roundtrip(void **state)
{
	static const struct timespec ts = {1795914123, 456000000};
	struct report_parser *rp = report_parser_new();
	struct dg_txn *t = new_txn();
	struct report_rec a, b;
	char *json, *sys, *line2;

	(void)state;
	strcpy(t->client_addr, "2001:db8::1");
	t->client_port = 587;
	txn_set(&t->auth_user, "mal\"lory\\ \r\n x=\"1\"");
	txn_set(&t->auth_mech, "LOGIN");
	txn_set(&t->from, "ceo@example.test\" verdict=\"accept");
	txn_add_rcpt(t, "x@example.test");
	R.stage = DG_STAGE_EOM;
	t->scanned = true;
	t->scan.cls[DG_CLASS_SMUGGLE_EOD].count = 1;
	t->scan.cls[DG_CLASS_SMUGGLE_EOD].first = 77;
	t->scan.cls[DG_CLASS_NUL].count = 4;
	t->scan.cls[DG_CLASS_NUL].first = 9;
	R.mail_rule = GATE_NOT_OWNED;
	R.mode = DG_MODE_MONITOR;
	R.decision.has_verdict = true;
	R.decision.verdict = DG_VERDICT_LOG;
	R.decision.has_would = true;
	R.decision.would = DG_VERDICT_REJECT;
	strcpy(R.decision.reply, "553 5.7.1 <x>: Sender address rejected");

	json = audit_json(rec(t), &ts);
	sys = audit_syslog(rec(t), &ts);
	line2 = xmalloc(strlen(sys) + 64);
	sprintf(line2, "Nov 29 01:02:03 mx dotgate[42]: %s", sys);

	assert_int_equal(report_parser_line(rp, json, strlen(json), &a),
			 RP_RECORD);
	char *login_a = xstrdup(a.login), *from_a = xstrdup(a.from);
	char *addr_a = xstrdup(a.addr);
	assert_int_equal(line(rp, line2, &b), RP_RECORD);
	assert_int_equal(a.ts_ms, b.ts_ms);
	assert_int_equal(a.stage, b.stage);
	assert_string_equal(addr_a, b.addr);
	assert_string_equal(addr_a, "2001:db8::1");
	assert_string_equal(login_a, b.login);
	assert_string_equal(login_a, "mal\"lory\\ \r\n x=\"1\"");
	assert_string_equal(from_a, b.from);
	assert_int_equal(a.verdict, b.verdict);
	assert_int_equal(a.would, b.would);
	assert_int_equal(a.would, DG_VERDICT_REJECT);
	assert_int_equal(a.rule, GATE_NOT_OWNED);
	assert_int_equal(b.rule, GATE_NOT_OWNED);
	assert_true(a.monitor && b.monitor);
	assert_memory_equal(a.count, b.count, sizeof(a.count));
	assert_int_equal(b.count[DG_CLASS_NUL], 4);
	free(login_a);
	free(from_a);
	free(addr_a);
	free(json);
	free(sys);
	free(line2);
	txn_free(t);
	report_parser_free(rp);
}

static int freed;

static void count_free(void *p)
{
	freed++;
	free(p);
}

static void test_topk(void **state)
{
	const struct topk_entry *top[8];
	struct topk *t = topk_new(4, count_free);
	struct topk_entry *e;
	char key[16], longkey[400];

	(void)state;
	/* Below the cap: exact, sorted by count then key. */
	for (int i = 0; i < 5; i++)
		topk_add(t, "b", 1);
	for (int i = 0; i < 5; i++)
		topk_add(t, "a", 1);
	e = topk_add(t, "c", 2);
	e->data = xstrdup("payload");
	assert_int_equal(topk_size(t), 3);
	assert_int_equal(topk_top(t, 8, top), 3);
	assert_string_equal(top[0]->key, "a");
	assert_int_equal(top[0]->count, 5);
	assert_string_equal(top[1]->key, "b");
	assert_string_equal(top[2]->key, "c");
	assert_int_equal(top[2]->count, 2);
	assert_false(topk_approximate(t));
	assert_int_equal(topk_top(t, 1, top), 1);

	/* Long keys are cut and still found. */
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	topk_add(t, longkey, 1);
	e = topk_add(t, longkey, 1);
	assert_int_equal(strlen(e->key), TOPK_KEY_MAX);
	assert_int_equal(e->count, 2);
	assert_int_equal(topk_size(t), 4);

	/* Above the cap: the least counted entry ("c" or the long key) is
	 * replaced; its data is freed; heavy hitters survive. */
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "n%d", i);
		topk_add(t, key, 1);
		topk_add(t, "a", 1);
	}
	assert_true(topk_approximate(t));
	assert_int_equal(freed, 1);
	assert_int_equal(topk_size(t), 4);
	assert_int_equal(topk_top(t, 1, top), 1);
	assert_string_equal(top[0]->key, "a");
	assert_int_equal(top[0]->count, 1005);
	assert_int_equal(top[0]->error, 0);
	topk_free(t);

	/* Many distinct keys with a generous cap stay exact. */
	t = topk_new(2048, NULL);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 2000; i++) {
			snprintf(key, sizeof(key), "k%d", i);
			topk_add(t, key, (uint64_t)(i % 7) + 1);
		}
	assert_false(topk_approximate(t));
	assert_int_equal(topk_top(t, 2, top), 2);
	assert_int_equal(top[0]->count, 21);
	assert_string_equal(top[0]->key, "k1000");
	topk_free(t);
}

static const char *const SUMMARY_LINES[] = {
	/* enforce: two unauth rejects from .9, one from .8 */
	"{\"ts\":\"2026-11-29T01:00:00.000Z\",\"stage\":\"mail\",\"client\":{\"addr\":\"192.0.2.9\"},\"verdict\":\"reject\",\"rule\":\"auth.unauthenticated\",\"mode\":\"enforce\"}",
	"{\"ts\":\"2026-11-29T03:00:00.000Z\",\"stage\":\"mail\",\"client\":{\"addr\":\"192.0.2.9\"},\"verdict\":\"reject\",\"rule\":\"auth.unauthenticated\",\"mode\":\"enforce\"}",
	"{\"ts\":\"2026-11-29T02:00:00.000Z\",\"stage\":\"mail\",\"client\":{\"addr\":\"192.0.2.8\"},\"verdict\":\"reject\",\"rule\":\"auth.unauthenticated\",\"mode\":\"enforce\"}",
	/* not owned: bob twice (two senders), eve once */
	"{\"ts\":\"2026-11-29T01:30:00.000Z\",\"stage\":\"mail\",\"client\":{\"addr\":\"198.51.100.1\"},\"auth\":{\"user\":\"bob\"},\"from\":\"ceo@x\",\"verdict\":\"reject\",\"rule\":\"sender.not_owned\",\"mode\":\"enforce\"}",
	"{\"ts\":\"2026-11-29T01:31:00.000Z\",\"stage\":\"mail\",\"client\":{\"addr\":\"198.51.100.1\"},\"auth\":{\"user\":\"bob\"},\"from\":\"\",\"verdict\":\"reject\",\"rule\":\"sender.not_owned\",\"mode\":\"enforce\"}",
	"{\"ts\":\"2026-11-29T01:32:00.000Z\",\"stage\":\"mail\",\"client\":{\"addr\":\"198.51.100.2\"},\"auth\":{\"user\":\"eve\"},\"from\":\"x@y\",\"verdict\":\"reject\",\"rule\":\"sender.not_owned\",\"mode\":\"enforce\"}",
	/* body: bare_cr in two records (3 + 1), one by alice */
	"{\"ts\":\"2026-11-29T01:40:00.000Z\",\"stage\":\"eom\",\"client\":{\"addr\":\"203.0.113.5\"},\"auth\":{\"user\":\"alice\"},\"anomalies\":{\"bare_cr\":{\"count\":3,\"first\":1}},\"verdict\":\"reject\",\"rule\":\"body\",\"mode\":\"enforce\"}",
	"{\"ts\":\"2026-11-29T01:41:00.000Z\",\"stage\":\"abort\",\"client\":{\"addr\":\"203.0.113.6\"},\"anomalies\":{\"bare_cr\":{\"count\":1,\"first\":1}},\"verdict\":null,\"rule\":\"body\",\"mode\":\"enforce\"}",
	/* monitor: would reject unauth, would tempfail body, would accept */
	"{\"ts\":\"2026-11-29T01:50:00.000Z\",\"stage\":\"eom\",\"client\":{\"addr\":\"192.0.2.50\"},\"verdict\":\"accept\",\"would\":\"reject\",\"rule\":\"auth.unauthenticated\",\"mode\":\"monitor\"}",
	"{\"ts\":\"2026-11-29T01:51:00.000Z\",\"stage\":\"eom\",\"client\":{\"addr\":\"192.0.2.51\"},\"anomalies\":{\"nul\":{\"count\":2,\"first\":1}},\"verdict\":\"log\",\"would\":\"tempfail\",\"rule\":\"body\",\"mode\":\"monitor\"}",
	"{\"ts\":\"2026-11-29T01:52:00.000Z\",\"stage\":\"eom\",\"client\":{\"addr\":\"192.0.2.52\"},\"verdict\":\"accept\",\"would\":null,\"rule\":\"pass\",\"mode\":\"monitor\"}",
};

static long long jint(json_t *j, const char *path)
{
	char buf[128], *save = NULL, *tok;

	strcpy(buf, path);
	for (tok = strtok_r(buf, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		if (json_is_array(j))
			j = json_array_get(j, (size_t)atoi(tok));
		else
			j = json_object_get(j, tok);
	}
	if (!json_is_integer(j))
		fail_msg("%s is not an integer", path);
	return (long long)json_integer_value(j);
}

static const char *jstrp(json_t *j, const char *path)
{
	char buf[128], *save = NULL, *tok;

	strcpy(buf, path);
	for (tok = strtok_r(buf, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save))
		j = json_is_array(j) ? json_array_get(j, (size_t)atoi(tok))
				     : json_object_get(j, tok);
	if (!json_is_string(j))
		fail_msg("%s is not a string", path);
	return json_string_value(j);
}

static void test_summary(void **state)
{
	struct report_parser *rp = report_parser_new();
	struct report_summary *s = report_summary_new(0);
	struct report_rec r;
	json_t *j;

	(void)state;
	for (size_t i = 0; i < DG_ARRAY_LEN(SUMMARY_LINES); i++) {
		assert_int_equal(line(rp, SUMMARY_LINES[i], &r), RP_RECORD);
		report_summary_add(s, &r);
	}
	report_summary_note(s, RP_MALFORMED);
	report_summary_note(s, RP_OTHER);
	report_summary_note(s, RP_OTHER);
	report_summary_note(s, RP_BLANK);
	j = report_summary_json(s);
	assert_int_equal(jint(j, "records"), 11);
	assert_int_equal(jint(j, "malformed"), 1);
	assert_int_equal(jint(j, "other_lines"), 2);
	assert_string_equal(jstrp(j, "from"), "2026-11-29T01:00:00.000Z");
	assert_string_equal(jstrp(j, "to"), "2026-11-29T03:00:00.000Z");
	assert_true(json_is_false(json_object_get(j, "approximate")));
	assert_int_equal(jint(j, "by_verdict/reject"), 7);
	assert_int_equal(jint(j, "by_verdict/abort"), 1);
	assert_int_equal(jint(j, "by_verdict/accept"), 2);
	assert_int_equal(jint(j, "by_verdict/log"), 1);
	assert_int_equal(jint(j, "by_verdict/tag"), 0);
	assert_int_equal(jint(j, "by_rule/auth.unauthenticated"), 0 + 0 + 4);
	assert_int_equal(jint(j, "by_rule/sender.not_owned"), 3);
	assert_int_equal(jint(j, "by_rule/body"), 3);
	assert_int_equal(jint(j, "by_rule/pass"), 1);
	assert_int_equal(json_array_size(json_object_get(j, "unauthenticated")), 2);
	assert_string_equal(jstrp(j, "unauthenticated/0/addr"), "192.0.2.9");
	assert_int_equal(jint(j, "unauthenticated/0/count"), 2);
	assert_string_equal(jstrp(j, "unauthenticated/1/addr"), "192.0.2.8");
	assert_string_equal(jstrp(j, "not_owned/0/login"), "bob");
	assert_int_equal(jint(j, "not_owned/0/count"), 2);
	assert_int_equal(json_array_size(json_object_get(
		json_array_get(json_object_get(j, "not_owned"), 0), "senders")), 2);
	assert_string_equal(jstrp(j, "not_owned/0/senders/0"), "");
	assert_string_equal(jstrp(j, "not_owned/0/senders/1"), "ceo@x");
	assert_string_equal(jstrp(j, "not_owned/1/login"), "eve");
	assert_int_equal(json_object_size(json_object_get(j, "anomalies")), 2);
	assert_int_equal(jint(j, "anomalies/bare_cr/count"), 2);
	assert_int_equal(jint(j, "anomalies/bare_cr/occurrences"), 4);
	assert_int_equal(json_array_size(json_object_get(json_object_get(
		json_object_get(j, "anomalies"), "bare_cr"), "clients")), 2);
	assert_string_equal(jstrp(j, "anomalies/bare_cr/logins/0/login"), "alice");
	assert_int_equal(jint(j, "anomalies/nul/occurrences"), 2);
	assert_int_equal(jint(j, "monitor/records"), 3);
	assert_int_equal(jint(j, "monitor/would/reject"), 1);
	assert_int_equal(jint(j, "monitor/would/tempfail"), 1);
	assert_int_equal(jint(j, "monitor/by_rule/auth.unauthenticated"), 1);
	assert_int_equal(jint(j, "monitor/by_rule/body"), 1);
	assert_int_equal(jint(j, "monitor/by_rule/pass"), 0);
	assert_string_equal(jstrp(j, "monitor/unauthenticated/0/addr"),
			    "192.0.2.50");
	json_decref(j);
	report_summary_free(s);
	report_parser_free(rp);
}

/* Beyond the table cap the summary says it is approximate. */
static void test_summary_cap(void **state)
{
	struct report_summary *s = report_summary_new(8);
	struct report_rec r;
	char addr[32];
	json_t *j;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.stage = DG_STAGE_MAIL;
	r.verdict = DG_VERDICT_REJECT;
	r.would = -1;
	r.rule = GATE_UNAUTHENTICATED;
	for (int i = 0; i < 100; i++) {
		snprintf(addr, sizeof(addr), "10.0.0.%d", i);
		r.addr = addr;
		report_summary_add(s, &r);
		r.addr = "10.9.9.9";
		report_summary_add(s, &r);
	}
	j = report_summary_json(s);
	assert_true(json_is_true(json_object_get(j, "approximate")));
	assert_string_equal(jstrp(j, "unauthenticated/0/addr"), "10.9.9.9");
	assert_int_equal(jint(j, "unauthenticated/0/count"), 100);
	json_decref(j);
	report_summary_free(s);
}

/*
 * The parsing pipe gives the summary of a sequential run, with any
 * number of workers, batches that fill up, overlong lines and a record
 * window.
 */
static char *pipe_summary(int workers, const struct report_window *w,
			  int copies)
{
	struct report_summary *s = report_summary_new(0);
	struct report_pipe *p = report_pipe_new(s, w, workers);
	json_t *j;
	char *text;

	for (int c = 0; c < copies; c++) {
		for (size_t i = 0; i < DG_ARRAY_LEN(SUMMARY_LINES); i++)
			report_pipe_line(p, SUMMARY_LINES[i],
					 strlen(SUMMARY_LINES[i]));
		report_pipe_line(p, "garbage", 7);
		report_pipe_line(p, "", 0);
		report_pipe_overlong(p);
	}
	report_pipe_finish(p);
	j = report_summary_json(s);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	report_summary_free(s);
	return text;
}

static void test_pipe(void **state)
{
	struct report_window all = {false, false, 0, 0, NULL};
	struct report_window some = {true, true, 0, 0, NULL};
	char *ref = pipe_summary(0, &all, 1), *got;
	json_t *j = json_loads(ref, 0, NULL);

	(void)state;
	/* 01:00 (included) to 01:40 (excluded): 01:00, 01:30, 01:31, 01:32 */
	assert_int_equal(report_ts_parse("2026-11-29T01:00:00Z", &some.since), 0);
	assert_int_equal(report_ts_parse("2026-11-29T01:40:00Z", &some.until), 0);
	/* The same as test_summary's numbers, plus the non-records. */
	assert_int_equal(jint(j, "records"), 11);
	assert_int_equal(jint(j, "malformed"), 2);
	assert_int_equal(jint(j, "by_verdict/reject"), 7);
	json_decref(j);
	for (int workers = 1; workers <= 4; workers++) {
		got = pipe_summary(workers, &all, 1);
		assert_string_equal(got, ref);
		free(got);
	}
	free(ref);

	/* Many batches in flight, and the window. */
	ref = pipe_summary(0, &some, 3000);
	j = json_loads(ref, 0, NULL);
	assert_int_equal(jint(j, "records"), 3000 * 4);
	assert_int_equal(jint(j, "by_rule/sender.not_owned"), 3000 * 3);
	assert_int_equal(jint(j, "malformed"), 3000 * 2);
	json_decref(j);
	for (int workers = 1; workers <= 3; workers += 2) {
		got = pipe_summary(workers, &some, 3000);
		assert_string_equal(got, ref);
		free(got);
	}
	free(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ts_parse),
		cmocka_unit_test(test_time_arg),
		cmocka_unit_test(test_ts_format),
		cmocka_unit_test(test_kv_next),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_topk),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_cap),
		cmocka_unit_test(test_pipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
