/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit_syslog.c: the audit record as one Postfix-like syslog message,
 * "QID: key=\"value\" ..." (see audit.h).  Syslog lines are read by
 * people and by scripts that split on spaces and "=", so every value is
 * quoted and escaped to printable ASCII: a sender such as
 * "a\r\nDec 1 dotgate: 4Xy: verdict=\"accept\"" stays inside its quotes.
 * Lines are bounded because syslog daemons cut long messages silently.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "audit.h"
#include "util.h"

/* Budgets, in escaped bytes, for each value; with the keys they sum to
 * under 7.7 KB, below AUDIT_SYSLOG_MAX. */
#define CAP_SHORT	32
#define CAP_ADDR	256
#define CAP_NAME	384
#define CAP_HOST	256		/* DG_HOST_MAX, printable ASCII */
#define CAP_DAEMON	128
#define CAP_USER	512
#define CAP_MECH	64
#define CAP_FROM	1024
#define CAP_RCPTS	1024
#define CAP_HFROM	512
#define CAP_ANOMALIES	512
#define CAP_REPLY	1980
#define QID_MAX		64

#define ELLIPSIS	"..."

struct line {
	char *buf;			/* AUDIT_SYSLOG_MAX + 1 bytes */
	size_t len;
};

/*
 * escape_byte - the escaped form of c in out (at most 4 bytes + NUL);
 * returns its length.  extra names one more byte to escape as \xNN.
 */
static size_t escape_byte(unsigned char c, int extra, char out[5])
{
	if (c == '"' || c == '\\') {
		out[0] = '\\';
		out[1] = (char)c;
		out[2] = '\0';
		return 2;
	}
	if (c < 0x20 || c > 0x7e || c == extra) {
		snprintf(out, 5, "\\x%02x", c);
		return 4;
	}
	out[0] = (char)c;
	out[1] = '\0';
	return 1;
}

static void put(struct line *l, const char *s, size_t n)
{
	/* Callers reserve room first; this is the last line of defence. */
	if (l->len + n > AUDIT_SYSLOG_MAX)
		n = AUDIT_SYSLOG_MAX - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

/*
 * put_escaped - append s escaped, spending at most *budget bytes; on
 * running out, append the ellipsis and return false.  An escape
 * sequence is never cut in the middle.
 */
static bool put_escaped(struct line *l, const char *s, int extra,
			size_t *budget)
{
	const unsigned char *p = (const unsigned char *)s;
	char e[5];

	for (; *p; p++) {
		size_t n = escape_byte(*p, extra, e);

		if (n + sizeof(ELLIPSIS) - 1 > *budget) {
			put(l, ELLIPSIS, sizeof(ELLIPSIS) - 1);
			*budget = 0;
			return false;
		}
		put(l, e, n);
		*budget -= n;
	}
	return true;
}

/*
 * open_value - append " key=\"" if the line has room for the key, the
 * quotes and cap bytes of value; shrink cap to what is left otherwise.
 * Returns false (and appends nothing) when not even an ellipsis fits.
 */
static bool open_value(struct line *l, const char *key, size_t *cap)
{
	size_t need = 1 + strlen(key) + 2 + 1;	/* ' ' key '="' '"' */
	size_t room = AUDIT_SYSLOG_MAX - l->len;

	if (need + sizeof(ELLIPSIS) - 1 > room)
		return false;
	if (need + *cap > room)
		*cap = room - need;
	if (l->len > 0)
		put(l, " ", 1);
	put(l, key, strlen(key));
	put(l, "=\"", 2);
	return true;
}

static void field(struct line *l, const char *key, const char *value,
		  size_t cap)
{
	if (value == NULL || !open_value(l, key, &cap))
		return;
	(void)put_escaped(l, value, -1, &cap);
	put(l, "\"", 1);
}

static void field_u64(struct line *l, const char *key, unsigned long long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", v);
	field(l, key, num, CAP_SHORT);
}

/* One item of a list field: the i-th string of what the caller lists. */
typedef const char *list_item_fn(const void *list, size_t i);

/* key="a,b,c": the items escaped, a comma inside one escaped too (it
 * separates), the rest cut with "..." when cap runs out. */
static void field_list(struct line *l, const char *key, const void *list,
		       size_t n, list_item_fn *item, size_t cap)
{
	if (!open_value(l, key, &cap))
		return;
	for (size_t i = 0; i < n; i++) {
		if (i > 0) {
			if (cap < 1 + sizeof(ELLIPSIS) - 1) {
				put(l, ELLIPSIS, sizeof(ELLIPSIS) - 1);
				break;
			}
			put(l, ",", 1);
			cap--;
		}
		if (!put_escaped(l, item(list, i), ',', &cap))
			break;
	}
	put(l, "\"", 1);
}

static const char *rcpt_item(const void *list, size_t i)
{
	return ((const struct dg_txn *)list)->rcpts[i];
}

static const char *hfrom_item(const void *list, size_t i)
{
	return addrlist_addr(list, i);
}

static void field_anomalies(struct line *l, const struct dg_txn *t)
{
	char list[CAP_ANOMALIES];
	size_t n = 0;

	list[0] = '\0';
	for (int c = 0; t->scanned && c < DG_CLASS_COUNT; c++) {
		const struct scan_class_result *r = &t->scan.cls[c];
		int w;

		if (r->count == 0)
			continue;
		w = snprintf(list + n, sizeof(list) - n, "%s%s=%llu@%llu",
			     n ? "," : "", dg_class_name((enum dg_class)c),
			     (unsigned long long)r->count,
			     (unsigned long long)r->first);
		/* Each item is at most 63 bytes: every class fits. */
		if (w < 0 || (size_t)w >= sizeof(list) - n)
			dg_panic("audit_syslog: anomaly list over %zu bytes",
				 sizeof(list));
		n += (size_t)w;
	}
	field(l, "anomalies", list, CAP_ANOMALIES);
}

/* The queue id is the MTA's, but it is still only trusted as a token. */
static void put_qid(struct line *l, const char *qid)
{
	char tok[QID_MAX + 1];
	size_t n = 0;

	for (; qid && qid[n] && n < QID_MAX; n++) {
		unsigned char c = (unsigned char)qid[n];

		tok[n] = (c > 0x20 && c < 0x7f && c != ':' && c != '"' &&
			  c != '\\' && c != '=') ? (char)c : '?';
	}
	tok[n] = '\0';
	if (n == 0)
		put(l, "NOQUEUE", 7);
	else
		put(l, tok, n);
	put(l, ":", 1);
}

size_t audit_syslog_fmt(const struct dg_record *r, const struct timespec *ts,
			char out[AUDIT_SYSLOG_MAX + 1])
{
	const struct dg_txn *t = r->txn;
	struct line line = { out, 0 }, *l = &line;
	char when[RECORD_TS_LEN];

	l->buf[0] = '\0';
	record_ts(ts, when);
	put_qid(l, t->qid);
	field(l, "ts", when, CAP_SHORT);
	field(l, "host", r->host, CAP_HOST);
	field(l, "stage", verdict_stage_name(r->stage), CAP_SHORT);
	field(l, "client", t->client_addr[0] ? t->client_addr : NULL,
	      CAP_ADDR);
	if (t->client_port >= 0)
		field_u64(l, "port", (unsigned long long)t->client_port);
	field(l, "client_name", t->client_name, CAP_NAME);
	field(l, "helo", t->helo, CAP_NAME);
	field(l, "daemon", t->daemon, CAP_DAEMON);
	if (t->auth_user != NULL) {
		field(l, "auth_user", t->auth_user, CAP_USER);
		field(l, "auth_mech", t->auth_mech, CAP_MECH);
	}
	field(l, "tls", t->tls, CAP_MECH);
	field(l, "from", t->from, CAP_FROM);
	field_list(l, "rcpts", t, t->nrcpts, rcpt_item, CAP_RCPTS);
	if (t->header_from != NULL)
		field_list(l, "header_from", t->header_from, t->header_from->n,
			   hfrom_item, CAP_HFROM);
	field_u64(l, "size", (unsigned long long)t->size);
	field_anomalies(l, t);
	field(l, "verdict", record_verdict(r), CAP_SHORT);
	field(l, "would", record_would(r), CAP_SHORT);
	field(l, "rule", gate_rule_name(record_rule(r)), CAP_SHORT);
	field(l, "reply", r->decision.reply[0] ? r->decision.reply : NULL,
	      CAP_REPLY);
	field(l, "mode", record_mode(r), CAP_SHORT);
	return l->len;
}

char *audit_syslog(const struct dg_record *r, const struct timespec *ts)
{
	char *out = xmalloc(AUDIT_SYSLOG_MAX + 1);

	(void)audit_syslog_fmt(r, ts, out);
	return out;
}
