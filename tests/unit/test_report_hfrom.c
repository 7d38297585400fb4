/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_report_hfrom.c: unit tests of dotgate-report's header From part
 * (dotgate-report(1), JSON OUTPUT, header_not_owned): the header_from
 * field read from a JSON record and from dotgate's syslog line, null,
 * absent, empty and hostile (thousands of addresses, huge ones, values
 * of the wrong type), kept bounded through the parsing pipe; and the
 * "From header refusals by login" table in the JSON summary, the text
 * report and the HTML page, enforce and monitor.
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

#include "report.h"
#include "util.h"

#define HUGE 100000			/* bytes of a hostile address */
#define MANY 10000			/* addresses of a hostile header */

#define JREC \
	"{\"ts\":\"2026-12-01T10:00:00.000Z\",\"stage\":\"eom\"," \
	"\"client\":{\"addr\":\"192.0.2.7\"},\"auth\":{\"user\":\"%s\"}," \
	"\"from\":\"%s\",%s%s%s\"verdict\":\"%s\",\"would\":%s," \
	"\"rule\":\"%s\",\"mode\":\"%s\"}"
#define SREC \
	"Dec  1 10:00:00 mx dotgate[7]: Q1: ts=\"2026-12-01T10:00:00.000Z\"" \
	" stage=\"eom\" client=\"192.0.2.7\" auth_user=\"%s\"%s%s%s" \
	" verdict=\"reject\" rule=\"%s\" mode=\"enforce\""

/* jrec - a JSON record of login with header_from written as hf. */
static char *jrec(const char *login, const char *rule, const char *mode,
		  const char *hf)
{
	bool mon = strcmp(mode, "monitor") == 0;
	size_t n = sizeof(JREC) + strlen(hf) + 2 * strlen(login) + 128;
	char *s = xmalloc(n);

	snprintf(s, n, JREC, login, login, hf[0] ? "\"header_from\":" : "", hf,
		 hf[0] ? "," : "", mon ? "log" : "reject",
		 mon ? "\"reject\"" : "null", rule, mode);
	return s;
}

/* srec - dotgate's syslog line of login; hf NULL: no header_from key. */
static char *srec(const char *login, const char *rule, const char *hf)
{
	size_t n = sizeof(SREC) + (hf ? strlen(hf) : 0) + strlen(login) + 64;
	char *s = xmalloc(n);

	snprintf(s, n, SREC, login, hf ? " header_from=\"" : "", hf ? hf : "",
		 hf ? "\"" : "", rule);
	return s;
}

static enum rp_kind parse(struct report_parser *rp, char *line,
			  struct report_rec *r)
{
	enum rp_kind k = report_parser_line(rp, line, strlen(line), r);

	free(line);
	return k;
}

/* The nth address of a record's header From list. */
static const char *addr_n(const struct report_rec *r, unsigned n)
{
	const char *a = r->hfrom;

	assert_non_null(a);
	assert_true(n < r->hfrom_n);
	while (n-- > 0)
		a += strlen(a) + 1;
	return a;
}

static void test_json_forms(void **state)
{
	static const char *const bad[] = {
		"\"a@x\"", "7", "{\"a\":\"b@x\"}", "[\"a@x\",7]",
		"[\"a@x\",null]", "[[\"a@x\"]]", "true",
	};
	struct report_parser *rp = report_parser_new();
	struct report_rec r;
	const char *rule = "sender.header_not_owned";

	(void)state;
	assert_int_equal(parse(rp, jrec("bob", rule, "enforce",
		"[\"ceo@x\",\"\\\"a b\\\"@x\",\"\\u00e9@x\"]"), &r), RP_RECORD);
	assert_int_equal(r.hfrom_n, 3);
	assert_string_equal(addr_n(&r, 0), "ceo@x");
	assert_string_equal(addr_n(&r, 1), "\"a b\"@x");
	assert_string_equal(addr_n(&r, 2), "\xc3\xa9@x");
	assert_int_equal(parse(rp, jrec("bob", rule, "enforce", "[]"), &r),
			 RP_RECORD);
	assert_non_null(r.hfrom);
	assert_int_equal(r.hfrom_n, 0);
	assert_int_equal(parse(rp, jrec("bob", "pass", "enforce", "null"), &r),
			 RP_RECORD);
	assert_null(r.hfrom);
	assert_int_equal(parse(rp, jrec("bob", "pass", "enforce", ""), &r),
			 RP_RECORD);
	assert_null(r.hfrom);
	for (size_t i = 0; i < DG_ARRAY_LEN(bad); i++)
		if (parse(rp, jrec("bob", rule, "enforce", bad[i]), &r) !=
		    RP_MALFORMED)
			fail_msg("header_from %s was read", bad[i]);
	report_parser_free(rp);
}

static void test_syslog_forms(void **state)
{
	struct report_parser *rp = report_parser_new();
	struct report_rec r;
	const char *rule = "sender.header_malformed";
	char *twice;

	(void)state;
	assert_int_equal(parse(rp, srec("bob", rule,
		"a\\x2cb@x,\\\"q\\\"@x,\\xc3\\xa9@x"), &r), RP_RECORD);
	assert_int_equal(r.rule, GATE_HEADER_MALFORMED);
	assert_int_equal(r.hfrom_n, 3);
	assert_string_equal(addr_n(&r, 0), "a,b@x");
	assert_string_equal(addr_n(&r, 1), "\"q\"@x");
	assert_string_equal(addr_n(&r, 2), "\xc3\xa9@x");
	assert_int_equal(parse(rp, srec("bob", rule, ""), &r), RP_RECORD);
	assert_non_null(r.hfrom);
	assert_int_equal(r.hfrom_n, 0);
	assert_int_equal(parse(rp, srec("bob", rule, NULL), &r), RP_RECORD);
	assert_null(r.hfrom);
	/* An empty address between two commas is an address. */
	assert_int_equal(parse(rp, srec("bob", rule, "a@x,,b@x"), &r),
			 RP_RECORD);
	assert_int_equal(r.hfrom_n, 3);
	assert_string_equal(addr_n(&r, 1), "");
	assert_int_equal(parse(rp, srec("bob", rule, "a@x\\q"), &r),
			 RP_MALFORMED);
	twice = srec("bob", rule, "a@x\" header_from=\"b@x");
	assert_int_equal(parse(rp, twice, &r), RP_MALFORMED);
	report_parser_free(rp);
}

/* hostile - many addresses of len bytes: a JSON array or the syslog list. */
static char *hostile(bool json, int many, size_t len)
{
	size_t n = (size_t)many * (len + 3) + 3, o = 0;
	char *s = xmalloc(n);

	if (json)
		s[o++] = '[';
	for (int i = 0; i < many; i++) {
		if (i > 0)
			s[o++] = ',';
		if (json)
			s[o++] = '"';
		memset(s + o, 'a' + i % 26, len);
		o += len;
		if (json)
			s[o++] = '"';
	}
	if (json)
		s[o++] = ']';
	s[o] = '\0';
	return s;
}

/* Thousands of addresses, huge ones: four kept, each cut, nothing grows. */
static void test_hostile(void **state)
{
	/* Within the 1 MiB of a line: 10000 short ones, 100 long ones. */
	static const struct {
		int many;
		size_t len;
	} shapes[] = {{MANY, 8}, {100, 5000}};
	struct report_parser *rp = report_parser_new();
	struct report_rec r;
	char *big = xmalloc(HUGE + 3);

	(void)state;
	for (int json = 0; json <= 1; json++) {
		for (size_t l = 0; l < DG_ARRAY_LEN(shapes); l++) {
			size_t len = shapes[l].len;
			char *hf = hostile(json, shapes[l].many, len);

			assert_int_equal(parse(rp, json ?
				jrec("bob", "sender.header_not_owned",
				     "enforce", hf) :
				srec("bob", "sender.header_not_owned", hf),
				&r), RP_RECORD);
			assert_int_equal(r.hfrom_n, REPORT_HFROM_MAX);
			assert_int_equal(strlen(addr_n(&r, 3)),
				len < REPORT_HFROM_LEN ? len :
				REPORT_HFROM_LEN);
			assert_int_equal(addr_n(&r, 3)[0], 'd');
			free(hf);
		}
	}
	memset(big, 'z', HUGE);
	big[HUGE] = '\0';
	assert_int_equal(parse(rp, srec("bob", "sender.header_not_owned", big),
			       &r), RP_RECORD);
	assert_int_equal(r.hfrom_n, 1);
	assert_int_equal(strlen(addr_n(&r, 0)), REPORT_HFROM_LEN);
	free(big);
	report_parser_free(rp);
}

static const char *jstr(json_t *j, const char *path)
{
	json_t *v = json_object_get(j, path);

	return json_string_value(v);
}

/* rows - the header_not_owned list of a summary, or of its monitor part. */
static json_t *rows(json_t *j, bool monitor)
{
	if (monitor)
		j = json_object_get(j, "monitor");
	return json_object_get(j, "header_not_owned");
}

static void add(struct report_summary *s, struct report_parser *rp,
		char *line)
{
	struct report_rec r;

	assert_int_equal(parse(rp, line, &r), RP_RECORD);
	report_summary_add(s, &r);
}

/* The summary of test_summary and test_outputs, and of the pipe. */
static void fill(struct report_summary *s, struct report_parser *rp)
{
	const char *no = "sender.header_not_owned";
	const char *bad = "sender.header_malformed";

	add(s, rp, jrec("bob", no, "enforce", "[\"ceo@x\"]"));
	add(s, rp, jrec("bob", no, "enforce", "[\"bob@x\",\"ceo@x\"]"));
	add(s, rp, srec("bob", no, "a\\x2cb@x"));
	add(s, rp, jrec("carol", bad, "enforce", "[]"));
	add(s, rp, jrec("alice", "pass", "enforce", "[\"alice@x\"]"));
	add(s, rp, jrec("dave", "sender.not_owned", "enforce", "null"));
	add(s, rp, jrec("erin", bad, "monitor", "[\"x@y\",\"z@y\"]"));
}

static void test_summary(void **state)
{
	struct report_parser *rp = report_parser_new();
	struct report_summary *s = report_summary_new(0);
	json_t *j, *bob, *a;

	(void)state;
	fill(s, rp);
	j = report_summary_json(s);
	assert_int_equal(json_array_size(rows(j, false)), 2);
	bob = json_array_get(rows(j, false), 0);
	assert_string_equal(jstr(bob, "login"), "bob");
	assert_int_equal(json_integer_value(json_object_get(bob, "count")), 3);
	a = json_object_get(bob, "addresses");
	assert_int_equal(json_array_size(a), 3);
	assert_string_equal(json_string_value(json_array_get(a, 0)), "ceo@x");
	assert_string_equal(json_string_value(json_array_get(a, 1)), "a,b@x");
	assert_string_equal(json_string_value(json_array_get(a, 2)), "bob@x");
	a = json_object_get(json_array_get(rows(j, false), 1), "addresses");
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(json_string_value(json_array_get(a, 0)), "");
	assert_int_equal(json_array_size(json_object_get(j, "not_owned")), 1);
	assert_int_equal(json_array_size(rows(j, true)), 1);
	assert_string_equal(jstr(json_array_get(rows(j, true), 0), "login"),
			    "erin");
	assert_true(json_is_false(json_object_get(j, "approximate")));
	json_decref(j);
	report_summary_free(s);
	report_parser_free(rp);
}

/* More addresses than a login keeps, more logins than a table: flagged. */
static void test_summary_approx(void **state)
{
	struct report_parser *rp = report_parser_new();
	struct report_summary *s = report_summary_new(8);
	char hf[64], login[32];
	json_t *j;

	(void)state;
	for (int i = 0; i < 40; i++) {
		snprintf(hf, sizeof(hf), "[\"a%d@x\"]", i);
		add(s, rp, jrec("bob", "sender.header_not_owned", "enforce",
				hf));
	}
	j = report_summary_json(s);
	assert_true(json_is_true(json_object_get(j, "approximate")));
	assert_int_equal(json_array_size(json_object_get(
		json_array_get(rows(j, false), 0), "addresses")), REPORT_SENDERS);
	json_decref(j);
	report_summary_free(s);
	s = report_summary_new(8);
	for (int i = 0; i < 40; i++) {
		snprintf(login, sizeof(login), "u%d", i);
		add(s, rp, jrec(login, "sender.header_malformed", "monitor",
				"[]"));
	}
	j = report_summary_json(s);
	assert_true(json_is_true(json_object_get(j, "approximate")));
	json_decref(j);
	report_summary_free(s);
	report_parser_free(rp);
}

/* A hostile header through worker threads: the same, bounded summary. */
static void test_pipe(void **state)
{
	struct report_window all = {false, false, 0, 0, NULL};
	char *hf = hostile(true, 1000, 300), *line[2];
	char *got[2];

	(void)state;
	line[0] = jrec("bob", "sender.header_not_owned", "enforce", hf);
	line[1] = srec("eve", "sender.header_malformed", "");
	for (int w = 0; w < 2; w++) {
		struct report_summary *s = report_summary_new(0);
		struct report_pipe *p = report_pipe_new(s, &all, w * 2);
		json_t *j;

		for (int i = 0; i < 50; i++)
			report_pipe_line(p, line[i % 2], strlen(line[i % 2]));
		report_pipe_finish(p);
		j = report_summary_json(s);
		got[w] = json_dumps(j, JSON_COMPACT);
		assert_int_equal(json_array_size(json_object_get(json_array_get(
			rows(j, false), 0), "addresses")), REPORT_HFROM_MAX);
		json_decref(j);
		report_summary_free(s);
	}
	assert_string_equal(got[0], got[1]);
	assert_non_null(strstr(got[0], "{\"login\":\"eve\",\"count\":25,"
			       "\"addresses\":[\"\"]}"));
	free(got[0]);
	free(got[1]);
	free(line[0]);
	free(line[1]);
	free(hf);
}

static char *output(struct report_summary *s, bool html)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	if (html)
		report_summary_html(s, fp);
	else
		report_summary_print(s, fp);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* want - needle is in hay, after the text after (when not NULL). */
static void want(const char *hay, const char *after, const char *needle)
{
	const char *from = after ? strstr(hay, after) : hay;

	if (from == NULL || strstr(from, needle) == NULL)
		fail_msg("no \"%s\" after \"%s\"", needle, after ? after : "");
}

static void test_outputs(void **state)
{
	struct report_parser *rp = report_parser_new();
	struct report_summary *s = report_summary_new(0);
	char *text, *html;

	(void)state;
	fill(s, rp);
	text = output(s, false);
	want(text, "\nSender-ownership rejections by login\n",
	     "\n\nFrom header refusals by login\n"
	     "  login  rejections  From addresses tried\n"
	     "  bob             3  ceo@x, a,b@x, bob@x\n"
	     "  carol           1  (none)\n\nAnomalies by class\n");
	want(text, "Monitor mode: sender-ownership refusals by login that "
	     "would have been made\n  (none)\n",
	     "\nMonitor mode: From header refusals by login that would have "
	     "been made\n  login  would-be  From addresses tried\n"
	     "  erin          1  x@y, z@y\n");
	html = output(s, true);
	want(html, "<h2>Sender ownership refusals by login</h2>",
	     "<h2>From header refusals by login</h2>\n");
	want(html, "<h2>From header refusals by login</h2>",
	     "<tr><td>bob</td><td class=\"n\">3</td>"
	     "<td>ceo@x, a,b@x, bob@x</td></tr>\n"
	     "<tr><td>carol</td><td class=\"n\">1</td><td>(none)</td></tr>\n"
	     "</tbody></table></div>\n<h2>Monitor mode");
	want(html, "<h2>Monitor mode: From header refusals that would have "
	     "been made</h2>",
	     "<tr><td>erin</td><td class=\"n\">1</td><td>x@y, z@y</td></tr>");
	free(text);
	free(html);
	report_summary_free(s);
	report_parser_free(rp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_forms),
		cmocka_unit_test(test_syslog_forms),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_approx),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_outputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
