/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_audit.c: unit tests of the audit record encoders (audit_json.c,
 * audit_syslog.c): exact records for ordinary transactions, and hostile
 * client bytes (CR, LF, NUL, quotes, backslashes, control bytes, invalid
 * UTF-8, 10 KB values, 1000 recipients) that must come out as valid JSON
 * that round-trips through jansson's parser, and as a syslog message
 * that stays one line of printable ASCII with exactly the keys dotgate
 * wrote (parsed back with dotgate-report's own reader, report_kv_next()).
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
#include "txn.h"
#include "utf8.h"
#include "util.h"

/* 2026-11-29T01:02:03.456Z */
static const struct timespec TS = {1795914123, 456000000};

/* Every byte a client could send inside a value, except NUL. */
static const char HOSTILE[] =
	"a\r\nb\"c\\d\te\x01\x1f\x7f"
	" verdict=\"accept\" x=\\\"y"
	"\xc3\xa9"			/* valid: e-acute */
	"\xf0\x9f\x98\x80"		/* valid: 4-byte emoji */
	"\xff"				/* never valid */
	"\xc0\xaf"			/* overlong '/' */
	"\xed\xa0\x80"			/* UTF-16 surrogate */
	"\xf4\x90\x80\x80"		/* above U+10FFFF */
	"\xe2\x82"			/* truncated sequence */
	"z";

/* HOSTILE as audit_json must decode: each invalid byte is U+FFFD. */
#define FFFD "\xef\xbf\xbd"
static const char HOSTILE_UTF8[] =
	"a\r\nb\"c\\d\te\x01\x1f\x7f"
	" verdict=\"accept\" x=\\\"y"
	"\xc3\xa9\xf0\x9f\x98\x80"
	FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD "z";

static struct dg_txn *full_txn(void)
{
	struct dg_txn *t = new_txn();

	R.host = "mx1.example.net";
	strcpy(t->client_addr, "192.0.2.7");
	t->client_port = 43210;
	txn_set(&t->client_name, "mail.example.net");
	txn_set(&t->helo, "client.example");
	txn_set(&t->daemon, "submission");
	txn_set(&t->qid, "4XyZ1abc");
	txn_set(&t->auth_user, "alice@example.test");
	txn_set(&t->auth_mech, "PLAIN");
	txn_set(&t->tls, "TLSv1.3");
	txn_set(&t->from, "alice@example.test");
	txn_add_rcpt(t, "bob@example.test");
	txn_add_rcpt(t, "carol@example.test");
	t->size = 1234;
	t->scanned = true;
	t->scan.cls[DG_CLASS_BARE_CR].count = 2;
	t->scan.cls[DG_CLASS_BARE_CR].first = 180;
	t->scan.cls[DG_CLASS_LONG_LINE].count = 1;
	t->scan.cls[DG_CLASS_LONG_LINE].first = 0;
	R.stage = DG_STAGE_EOM;
	R.mail_rule = GATE_PASS;
	R.decision.body_rule = true;
	R.decision.has_verdict = true;
	R.decision.verdict = DG_VERDICT_REJECT;
	strcpy(R.decision.reply, "550 5.6.0 Message rejected: malformed line endings "
	       "or end-of-data sequence (bare_cr, long_line)");
	return t;
}

static void test_json_full(void **state)
{
	struct dg_txn *t = full_txn();
	char *line = audit_json(rec(t), &TS);

	(void)state;
	assert_string_equal(line,
		"{\"ts\":\"2026-11-29T01:02:03.456Z\","
		"\"host\":\"mx1.example.net\",\"stage\":\"eom\","
		"\"qid\":\"4XyZ1abc\",\"client\":{\"addr\":\"192.0.2.7\","
		"\"port\":43210,\"name\":\"mail.example.net\"},"
		"\"helo\":\"client.example\",\"daemon\":\"submission\","
		"\"auth\":{\"user\":\"alice@example.test\",\"mech\":\"PLAIN\"},"
		"\"tls\":\"TLSv1.3\",\"from\":\"alice@example.test\","
		"\"rcpts\":[\"bob@example.test\",\"carol@example.test\"],"
		"\"header_from\":null,\"size\":1234,\"anomalies\":{\"bare_cr\":{\"count\":2,"
		"\"first\":180},\"long_line\":{\"count\":1,\"first\":0}},"
		"\"verdict\":\"reject\",\"would\":null,\"rule\":\"body\","
		"\"reply\":\"550 5.6.0 Message rejected: malformed line endings "
		"or end-of-data sequence (bare_cr, long_line)\","
		"\"mode\":\"enforce\"}\n");
	free(line);
	txn_free(t);
}

/* A MAIL-stage refusal of a client without IP, queue id or auth. */
static void test_json_nulls(void **state)
{
	struct dg_txn *t = new_txn();
	char *line;

	(void)state;
	txn_set(&t->from, "");
	R.stage = DG_STAGE_MAIL;
	R.mail_rule = GATE_UNAUTHENTICATED;
	R.decision.has_verdict = true;
	R.decision.verdict = DG_VERDICT_REJECT;
	strcpy(R.decision.reply, "530 5.7.0 Authentication required");
	line = audit_json(rec(t), &TS);
	assert_string_equal(line,
		"{\"ts\":\"2026-11-29T01:02:03.456Z\",\"host\":null,"
		"\"stage\":\"mail\",\"qid\":null,\"client\":{\"addr\":null,\"port\":null,"
		"\"name\":null},\"helo\":null,\"daemon\":null,\"auth\":null,"
		"\"tls\":null,\"from\":\"\",\"rcpts\":[],\"header_from\":null,"
		"\"size\":0,"
		"\"anomalies\":{},\"verdict\":\"reject\",\"would\":null,"
		"\"rule\":\"auth.unauthenticated\","
		"\"reply\":\"530 5.7.0 Authentication required\","
		"\"mode\":\"enforce\"}\n");
	free(line);

	/* Abort records have no verdict; no reply is null. */
	R.stage = DG_STAGE_ABORT;
	R.decision.has_verdict = false;
	R.decision.reply[0] = '\0';
	R.mail_rule = GATE_EXEMPT;
	txn_set(&t->auth_user, "bob");
	line = audit_json(rec(t), &TS);
	assert_non_null(strstr(line, "\"auth\":{\"user\":\"bob\",\"mech\":null}"));
	assert_non_null(strstr(line, "\"verdict\":null,\"would\":null,"
			       "\"rule\":\"auth.exempt\",\"reply\":null"));
	free(line);
	txn_free(t);
}

/* header_from: the From: addresses as parsed when the header was
 * checked (dotgate.conf(5), HEADER FROM), escaped like every string, in
 * the JSON record and the syslog line; [] and an empty value when there
 * was no From:. */
static void test_header_from(void **state)
{
	/* As the parser stores them (addrlist.h); the encoders must not
	 * trust even that: a comma, quotes, a backslash, control bytes. */
	static const char *const addrs[] = {
		"alice@example.test", "\"a,\\\"b\"@example.test", "\"x\r\ny\"@evil.test",
	};
	struct dg_txn *t = full_txn();
	struct addrlist from;
	size_t used = 0;
	char *line;

	(void)state;
	addrlist_init(&from);
	for (size_t i = 0; i < DG_ARRAY_LEN(addrs); i++) {
		from.off[from.n++] = (uint16_t)used;
		strcpy(from.text + used, addrs[i]);
		used += strlen(addrs[i]) + 1;
	}
	t->header_from = &from;
	line = audit_json(rec(t), &TS);
	assert_non_null(strstr(line, "\"header_from\":[\"alice@example.test\","
			       "\"\\\"a,\\\\\\\"b\\\"@example.test\","
			       "\"\\\"x\\r\\ny\\\"@evil.test\"],\"size\""));
	free(line);
	line = audit_syslog(rec(t), &TS);
	assert_non_null(strstr(line, " header_from=\"alice@example.test,"
			       "\\\"a\\x2c\\\\\\\"b\\\"@example.test,"
			       "\\\"x\\x0d\\x0ay\\\"@evil.test\" size="));
	free(line);
	from.n = 0;
	line = audit_json(rec(t), &TS);
	assert_non_null(strstr(line, "\"header_from\":[],"));
	free(line);
	line = audit_syslog(rec(t), &TS);
	assert_non_null(strstr(line, " header_from=\"\" size="));
	free(line);
	txn_free(t);
}

static void test_json_monitor(void **state)
{
	struct dg_txn *t = full_txn();
	char *line;

	(void)state;
	R.mode = DG_MODE_MONITOR;
	R.decision.verdict = DG_VERDICT_LOG;
	R.decision.has_would = true;
	R.decision.would = DG_VERDICT_REJECT;
	line = audit_json(rec(t), &TS);
	assert_non_null(strstr(line, "\"verdict\":\"log\",\"would\":\"reject\","
			       "\"rule\":\"body\""));
	assert_non_null(strstr(line, "\"mode\":\"monitor\"}\n"));
	free(line);

	/* dotgate.conf(5), AUDIT RECORD: would is null when enforce mode
	 * would have accepted. */
	R.decision.would = DG_VERDICT_ACCEPT;
	line = audit_json(rec(t), &TS);
	assert_non_null(strstr(line, "\"would\":null"));
	free(line);
	txn_free(t);
}

static void test_utf8(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "plain"},
		{"", ""},
		{"\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"},
		{"\xe2\x82\xac", "\xe2\x82\xac"},		/* euro */
		{"\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"},	/* U+10FFFF */
		{"\xed\x9f\xbf", "\xed\x9f\xbf"},		/* U+D7FF */
		{"\x80", FFFD},
		{"\xc1\xbf", FFFD FFFD},			/* overlong */
		{"\xe0\x80\xaf", FFFD FFFD FFFD},		/* overlong */
		{"\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD},	/* overlong */
		{"\xed\xbf\xbf", FFFD FFFD FFFD},		/* surrogate */
		{"\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD},
		{"\xc3", FFFD},					/* cut at end */
		{"\xc3x", FFFD "x"},
		{"\xf0\x9f\x98", FFFD FFFD FFFD},
		{"a\xfe\xff" "b", "a" FFFD FFFD "b"},
	};

	(void)state;
	for (size_t i = 0; i < DG_ARRAY_LEN(cases); i++) {
		char *o = utf8_repair(cases[i].in);

		if (strcmp(o, cases[i].out) != 0)
			fail_msg("case %zu: wrong repair", i);
		/* What we produce, jansson accepts. */
		json_t *v = json_string(o);
		assert_non_null(v);
		json_decref(v);
		free(o);
	}
}

/* decode - parse a record line with jansson; it must be one object. */
static json_t *decode(const char *line)
{
	json_error_t err;
	size_t len = strlen(line);
	json_t *j;

	assert_true(len > 0 && line[len - 1] == '\n');
	/* One line: the only newline is the terminator. */
	assert_ptr_equal(strchr(line, '\n'), line + len - 1);
	for (const unsigned char *p = (const unsigned char *)line; *p; p++)
		if (*p < 0x20 && *p != '\n')
			fail_msg("raw control byte 0x%02x in the record", *p);
	j = json_loads(line, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL)
		fail_msg("record does not parse: %s", err.text);
	assert_true(json_is_object(j));
	return j;
}

static void test_json_hostile(void **state)
{
	struct dg_txn *t = full_txn();
	char *line;
	json_t *j;

	(void)state;
	txn_set(&t->client_name, HOSTILE);
	txn_set(&t->helo, HOSTILE);
	txn_set(&t->daemon, HOSTILE);
	txn_set(&t->qid, HOSTILE);
	txn_set(&t->auth_user, HOSTILE);
	txn_set(&t->auth_mech, HOSTILE);
	txn_set(&t->tls, HOSTILE);
	txn_set(&t->from, HOSTILE);
	txn_add_rcpt(t, HOSTILE);
	strcpy(t->client_addr, "\"\r\n");
	line = audit_json(rec(t), &TS);
	j = decode(line);
	assert_string_equal(json_string_value(json_object_get(j, "from")),
			    HOSTILE_UTF8);
	assert_string_equal(json_string_value(json_object_get(j, "helo")),
			    HOSTILE_UTF8);
	assert_string_equal(json_string_value(json_object_get(j, "daemon")),
			    HOSTILE_UTF8);
	assert_string_equal(json_string_value(json_object_get(j, "qid")),
			    HOSTILE_UTF8);
	assert_string_equal(json_string_value(json_object_get(j, "tls")),
			    HOSTILE_UTF8);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(j, "client"), "name")), HOSTILE_UTF8);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(j, "client"), "addr")), "\"\r\n");
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(j, "auth"), "user")), HOSTILE_UTF8);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(j, "auth"), "mech")), HOSTILE_UTF8);
	assert_int_equal(json_array_size(json_object_get(j, "rcpts")), 3);
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(j, "rcpts"), 2)), HOSTILE_UTF8);
	/* The fake key inside a value is not a key. */
	assert_string_equal(json_string_value(json_object_get(j, "verdict")),
			    "reject");
	assert_int_equal(json_object_size(j), 19);
	json_decref(j);
	free(line);
	txn_free(t);
}

/* A NUL from the MTA ends the value: nothing after it is recorded. */
static void test_json_nul(void **state)
{
	static const char with_nul[] = "ab\0\r\n{\"x\":1}";
	struct dg_txn *t = full_txn();
	char *line;
	json_t *j;

	(void)state;
	txn_set(&t->from, with_nul);
	line = audit_json(rec(t), &TS);
	j = decode(line);
	assert_string_equal(json_string_value(json_object_get(j, "from")), "ab");
	json_decref(j);
	free(line);
	txn_free(t);
}

static char *repeat(char c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void test_json_long(void **state)
{
	struct dg_txn *t = full_txn();
	char *big = repeat('\xff', 10240), *line;
	json_t *j;

	(void)state;
	/* Through txn_set, as the milter glue stores it: bounded. */
	txn_set(&t->from, big);
	line = audit_json(rec(t), &TS);
	j = decode(line);
	assert_int_equal(strlen(json_string_value(json_object_get(j, "from"))),
			 DG_FIELD_MAX * 3);
	json_decref(j);
	free(line);

	/* Stored unbounded, the encoder still copes. */
	free(t->from);
	t->from = repeat('x', 10240);
	line = audit_json(rec(t), &TS);
	j = decode(line);
	assert_int_equal(strlen(json_string_value(json_object_get(j, "from"))),
			 10240);
	json_decref(j);
	free(line);
	free(big);
	txn_free(t);
}

static void test_syslog_full(void **state)
{
	struct dg_txn *t = full_txn();
	char *msg = audit_syslog(rec(t), &TS);

	(void)state;
	assert_string_equal(msg,
		"4XyZ1abc: ts=\"2026-11-29T01:02:03.456Z\" "
		"host=\"mx1.example.net\" stage=\"eom\" "
		"client=\"192.0.2.7\" port=\"43210\" "
		"client_name=\"mail.example.net\" helo=\"client.example\" "
		"daemon=\"submission\" auth_user=\"alice@example.test\" "
		"auth_mech=\"PLAIN\" tls=\"TLSv1.3\" from=\"alice@example.test\" "
		"rcpts=\"bob@example.test,carol@example.test\" size=\"1234\" "
		"anomalies=\"bare_cr=2@180,long_line=1@0\" verdict=\"reject\" "
		"rule=\"body\" reply=\"550 5.6.0 Message rejected: malformed "
		"line endings or end-of-data sequence (bare_cr, long_line)\" "
		"mode=\"enforce\"");
	free(msg);
	txn_free(t);
}

static void test_syslog_nulls(void **state)
{
	struct dg_txn *t = new_txn();
	char *msg;

	(void)state;
	txn_set(&t->from, "");
	R.stage = DG_STAGE_ABORT;
	R.mail_rule = GATE_EXEMPT;
	R.mode = DG_MODE_MONITOR;
	R.decision.has_would = true;
	R.decision.would = DG_VERDICT_TEMPFAIL;
	msg = audit_syslog(rec(t), &TS);
	assert_string_equal(msg,
		"NOQUEUE: ts=\"2026-11-29T01:02:03.456Z\" stage=\"abort\" "
		"from=\"\" rcpts=\"\" size=\"0\" anomalies=\"\" "
		"would=\"tempfail\" rule=\"auth.exempt\" mode=\"monitor\"");
	free(msg);
	txn_free(t);
}

/*
 * parse_syslog - check a message with dotgate-report's reader: printable
 * ASCII only, a queue id prefix, then key="value" pairs up to the end,
 * none twice.  Returns the keys in order, space-separated, and puts the
 * decoded value of want_key (if any) in *want.
 */
static char *parse_syslog(const char *msg, const char *want_key, char **want)
{
	const char *p = msg, *end = msg + strlen(msg);
	char key[64], *val = xmalloc(strlen(msg) + 1);
	char *keys = xstrdup("");
	size_t vlen;
	int k;

	for (const unsigned char *c = (const unsigned char *)msg; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			fail_msg("byte 0x%02x in the syslog message", *c);
	p = strstr(msg, ": ");
	assert_non_null(p);
	assert_null(memchr(msg, ' ', (size_t)(p - msg)));
	p++;
	while ((k = report_kv_next(&p, end, key, sizeof(key), val,
				   strlen(msg) + 1, &vlen)) == 1) {
		size_t n = strlen(keys);
		char probe[80];

		snprintf(probe, sizeof(probe), " %s ", key);
		if (strstr(keys, probe) != NULL)
			fail_msg("key %s twice", key);
		keys = xrealloc(keys, n + strlen(key) + 3);
		snprintf(keys + n, strlen(key) + 3, "%s%s ", n ? "" : " ", key);
		if (want_key && strcmp(key, want_key) == 0)
			*want = xstrndup(val, vlen);
	}
	assert_int_equal(k, 0);
	free(val);
	return keys;
}

static void test_syslog_hostile(void **state)
{
	struct dg_txn *t = full_txn();
	char *msg, *keys, *from = NULL;

	(void)state;
	txn_set(&t->client_name, HOSTILE);
	txn_set(&t->helo, HOSTILE);
	txn_set(&t->daemon, HOSTILE);
	txn_set(&t->auth_user, HOSTILE);
	txn_set(&t->auth_mech, HOSTILE);
	txn_set(&t->tls, HOSTILE);
	txn_set(&t->from, HOSTILE);
	txn_add_rcpt(t, "x@y\" verdict=\"accept,z@w");
	txn_set(&t->qid, "A B:\" verdict=\"accept\n");
	msg = audit_syslog(rec(t), &TS);
	keys = parse_syslog(msg, "from", &from);
	assert_string_equal(keys, " ts host stage client port client_name helo "
			    "daemon auth_user auth_mech tls from rcpts size "
			    "anomalies verdict rule reply mode ");
	/* The syslog form keeps the raw bytes (escaped), not U+FFFD. */
	assert_non_null(from);
	assert_string_equal(from, HOSTILE);
	/* A comma inside a recipient cannot split it. */
	assert_non_null(strstr(msg, "rcpts=\"bob@example.test,carol@example.test,"
			       "x@y\\\" verdict=\\\"accept\\x2cz@w\""));
	assert_non_null(strstr(msg, "a\\x0d\\x0ab\\\"c\\\\d\\x09e"));
	/* The queue id is a single token, whatever the MTA said. */
	assert_true(strncmp(msg, "A?B???verdict??accept?: ts=",
			    strlen("A?B???verdict??accept?: ts=")) == 0);
	free(from);
	free(keys);
	free(msg);
	txn_free(t);
}

static void test_syslog_bounded(void **state)
{
	struct dg_txn *t = full_txn();
	char *big = repeat('\x01', 10240), *msg, *keys, *from = NULL;

	(void)state;
	free(t->from);
	t->from = xstrdup(big);
	free(t->helo);
	t->helo = xstrdup(big);
	free(t->client_name);
	t->client_name = xstrdup(big);
	free(t->daemon);
	t->daemon = xstrdup(big);
	free(t->auth_user);
	t->auth_user = xstrdup(big);
	for (int i = 0; i < DG_RCPT_MAX; i++)
		txn_add_rcpt(t, big);
	memset(R.decision.reply, '"', DG_REPLY_MAX);
	R.decision.reply[DG_REPLY_MAX] = '\0';
	msg = audit_syslog(rec(t), &TS);
	assert_true(strlen(msg) <= AUDIT_SYSLOG_MAX);
	keys = parse_syslog(msg, "from", &from);
	/* Every field is there, only cut. */
	assert_string_equal(keys, " ts host stage client port client_name helo "
			    "daemon auth_user auth_mech tls from rcpts size "
			    "anomalies verdict rule reply mode ");
	assert_true(strlen(from) > 100);
	assert_string_equal(from + strlen(from) - 3, "...");
	for (size_t i = 0; i + 3 < strlen(from); i++)
		assert_int_equal(from[i], '\x01');
	/* The reply, our own text, is kept whole: 980 escaped quotes. */
	assert_non_null(strstr(msg, " mode=\"enforce\""));
	assert_int_equal(strlen(strstr(msg, "reply=\"")),
			 strlen("reply=\"") + 2 * DG_REPLY_MAX + 1 +
			 strlen(" mode=\"enforce\""));
	free(from);
	free(keys);
	free(msg);
	free(big);
	txn_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_full),
		cmocka_unit_test(test_json_nulls),
		cmocka_unit_test(test_json_monitor),
		cmocka_unit_test(test_header_from),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_json_hostile),
		cmocka_unit_test(test_json_nul),
		cmocka_unit_test(test_json_long),
		cmocka_unit_test(test_syslog_full),
		cmocka_unit_test(test_syslog_nulls),
		cmocka_unit_test(test_syslog_hostile),
		cmocka_unit_test(test_syslog_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
