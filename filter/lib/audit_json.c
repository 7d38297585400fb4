/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit_json.c: the JSON Lines audit record of dotgate.conf(5), "AUDIT
 * RECORD", built with jansson from a struct dg_record (see audit.h).
 * Names, rule and time come from record.h, which the syslog encoder
 * reads too; neither encoder depends on the other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "anomaly.h"
#include "audit.h"
#include "dgjson.h"
#include "util.h"

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

/* The From: addresses found, or null when the header was not checked. */
static json_t *header_from_array(const struct dg_txn *t)
{
	json_t *a;

	if (t->header_from == NULL)
		return json_null();
	a = dgjson_must(json_array());
	for (size_t i = 0; i < t->header_from->n; i++)
		dgjson_push(a, dgjson_str(addrlist_addr(t->header_from, i)));
	return a;
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

/* A name from record.h, or null where the record has none. */
static json_t *name_or_null(const char *name)
{
	return name ? json_string(name) : json_null();
}

static json_t *record_object(const struct dg_record *r,
			     const struct timespec *ts)
{
	const struct dg_txn *t = r->txn;
	char when[RECORD_TS_LEN];
	json_t *rec = dgjson_must(json_object());

	record_ts(ts, when);
	dgjson_set(rec, "ts", json_string(when));
	dgjson_set(rec, "host", dgjson_str(r->host));
	dgjson_set(rec, "stage", json_string(verdict_stage_name(r->stage)));
	dgjson_set(rec, "qid", dgjson_str(t->qid));
	dgjson_set(rec, "client", client_object(t));
	dgjson_set(rec, "helo", dgjson_str(t->helo));
	dgjson_set(rec, "daemon", dgjson_str(t->daemon));
	dgjson_set(rec, "auth", auth_object(t));
	dgjson_set(rec, "tls", dgjson_str(t->tls));
	dgjson_set(rec, "from", dgjson_str(t->from));
	dgjson_set(rec, "rcpts", rcpts_array(t));
	dgjson_set(rec, "header_from", header_from_array(t));
	dgjson_set(rec, "size", json_integer((json_int_t)t->size));
	dgjson_set(rec, "anomalies", anomalies_object(t));
	dgjson_set(rec, "verdict", name_or_null(record_verdict(r)));
	dgjson_set(rec, "would", name_or_null(record_would(r)));
	dgjson_set(rec, "rule", json_string(gate_rule_name(record_rule(r))));
	dgjson_set(rec, "reply", r->decision.reply[0] ?
		   dgjson_str(r->decision.reply) : json_null());
	dgjson_set(rec, "mode", json_string(record_mode(r)));
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

char *audit_json_into(const struct dg_record *r, const struct timespec *ts,
		      char *buf, size_t size, size_t *lenp)
{
	json_t *rec = record_object(r, ts);
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

char *audit_json(const struct dg_record *r, const struct timespec *ts)
{
	size_t len;

	return audit_json_into(r, ts, NULL, 0, &len);
}
