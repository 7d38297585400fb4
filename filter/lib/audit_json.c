/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit_json.c: the JSON Lines audit record of dotgate.conf(5), AUDIT
 * RECORD, built
 * with jansson from a struct dg_txn (see audit.h), and the two helpers
 * every record format shares: the record time and the UTF-8 repair that
 * makes any client byte string acceptable to jansson.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "anomaly.h"
#include "audit.h"
#include "dgjson.h"
#include "gate.h"
#include "util.h"

/*
 * utf8_seq_len - length of the well-formed UTF-8 sequence at s, or 0.
 * The table is RFC 3629's: it excludes overlong forms, the UTF-16
 * surrogates (ED A0..BF) and code points above U+10FFFF, which is what
 * jansson itself refuses.
 */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	/* The second byte has the narrowed range, the others 80..BF. */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;	/* also stops at the terminating NUL */
	return n;
}

char *audit_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	/* Worst case: every byte becomes the 3-byte U+FFFD. */
	char *out = xmalloc(len * 3 + 1);
	size_t o = 0;

	while (*p) {
		size_t n = utf8_seq_len(p);

		if (n == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
			continue;
		}
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	out[o] = '\0';
	return out;
}

void audit_ts(const struct timespec *ts, char out[AUDIT_TS_LEN])
{
	struct timespec now;
	struct tm tm;
	char date[24];
	unsigned ms;

	if (ts == NULL) {
		if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
			now.tv_sec = time(NULL);
			now.tv_nsec = 0;
		}
		ts = &now;
	}
	if (gmtime_r(&ts->tv_sec, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		strcpy(date, "1970-01-01T00:00:00");
	ms = (unsigned)((ts->tv_nsec / 1000000) % 1000);
	snprintf(out, AUDIT_TS_LEN, "%s.%03uZ", date, ms);
}

static json_t *client_object(const struct dg_txn *t)
{
	json_t *c = dgjson_must(json_object());

	dgjson_set(c, "addr", t->client_addr[0] ? dgjson_str(t->client_addr) : json_null());
	dgjson_set(c, "port", t->client_port >= 0 ? json_integer(t->client_port)
		: json_null());
	dgjson_set(c, "name", dgjson_str(t->client_name));
	return c;
}

static json_t *auth_object(const struct dg_txn *t)
{
	json_t *a;

	if (t->auth_user == NULL)
		return json_null();
	a = dgjson_must(json_object());
	dgjson_set(a, "user", dgjson_str(t->auth_user));
	dgjson_set(a, "mech", dgjson_str(t->auth_mech));
	return a;
}

static json_t *rcpts_array(const struct dg_txn *t)
{
	json_t *r = dgjson_must(json_array());

	for (size_t i = 0; i < t->nrcpts; i++)
		dgjson_push(r, dgjson_str(t->rcpts[i]));
	return r;
}

static json_t *anomalies_object(const struct dg_txn *t)
{
	json_t *a = dgjson_must(json_object());

	if (!t->scanned)
		return a;
	for (int c = 0; c < DG_CLASS_COUNT; c++) {
		const struct scan_class_result *r = &t->scan.cls[c];
		json_t *o;

		if (r->count == 0)
			continue;
		o = dgjson_must(json_object());
		dgjson_set(o, "count", json_integer((json_int_t)r->count));
		dgjson_set(o, "first", json_integer((json_int_t)r->first));
		dgjson_set(a, dg_class_name((enum dg_class)c), o);
	}
	return a;
}

const char *audit_rule_name(const struct dg_txn *t)
{
	return t->body_rule ? "body" : gate_rule_name(t->mail_rule);
}

static json_t *record_object(const struct dg_txn *t, const struct timespec *ts)
{
	char when[AUDIT_TS_LEN];
	json_t *rec = dgjson_must(json_object());

	audit_ts(ts, when);
	dgjson_set(rec, "ts", json_string(when));
	dgjson_set(rec, "host", dgjson_str(t->host));
	dgjson_set(rec, "stage", t->stage ? json_string(t->stage) : json_null());
	dgjson_set(rec, "qid", dgjson_str(t->qid));
	dgjson_set(rec, "client", client_object(t));
	dgjson_set(rec, "helo", dgjson_str(t->helo));
	dgjson_set(rec, "daemon", dgjson_str(t->daemon));
	dgjson_set(rec, "auth", auth_object(t));
	dgjson_set(rec, "tls", dgjson_str(t->tls));
	dgjson_set(rec, "from", dgjson_str(t->from));
	dgjson_set(rec, "rcpts", rcpts_array(t));
	dgjson_set(rec, "size", json_integer((json_int_t)t->size));
	dgjson_set(rec, "anomalies", anomalies_object(t));
	dgjson_set(rec, "verdict", t->has_verdict ?
	    json_string(dg_verdict_name(t->verdict)) : json_null());
	/* dotgate.conf(5), AUDIT RECORD: would is null when enforce mode
	 * would have accepted. */
	dgjson_set(rec, "would", t->has_would && t->would != DG_VERDICT_ACCEPT ?
	    json_string(dg_verdict_name(t->would)) : json_null());
	dgjson_set(rec, "rule", json_string(audit_rule_name(t)));
	dgjson_set(rec, "reply", t->reply[0] ? dgjson_str(t->reply) : json_null());
	dgjson_set(rec, "mode", json_string(t->mode == DG_MODE_MONITOR ?
				     "monitor" : "enforce"));
	return rec;
}

#define JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/* The line in a new buffer, for records too large for the caller's. */
static char *dump_alloc(json_t *rec, size_t *lenp)
{
	char *text = json_dumps(rec, JSON_FLAGS), *line;
	size_t len;

	if (text == NULL)
		dg_panic("out of memory encoding an audit record");
	len = strlen(text);
	line = xmalloc(len + 2);
	memcpy(line, text, len);
	line[len] = '\n';
	line[len + 1] = '\0';
	free(text);
	*lenp = len + 1;
	return line;
}

char *audit_json_into(const struct dg_txn *t, const struct timespec *ts,
		      char *buf, size_t size, size_t *lenp)
{
	json_t *rec = record_object(t, ts);
	size_t n = size > 2 ? json_dumpb(rec, buf, size - 2, JSON_FLAGS) : 0;
	char *line = buf;

	if (n == 0 || n > size - 2) {
		line = dump_alloc(rec, lenp);
	} else {
		buf[n] = '\n';
		buf[n + 1] = '\0';
		*lenp = n + 1;
	}
	json_decref(rec);
	return line;
}

char *audit_json(const struct dg_txn *t, const struct timespec *ts)
{
	size_t len;

	return audit_json_into(t, ts, NULL, 0, &len);
}
