/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_parse.c: dotgate-report's reader of audit records (see report.h).
 * It accepts the three ways a record reaches a postmaster: a line of the
 * JSON Lines file, a syslog line whose message is that JSON object (a
 * relay that forwards the file through syslog), and the "QID: key=..."
 * syslog message that dotgate itself logs.  Whatever the form, a record
 * is validated the same way before it is counted, and every line that
 * is not a record is classified so that a mail.log full of other
 * programs' lines is not reported as damaged.
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "report.h"
#include "util.h"

/* The column a record counts in; -1 for a record with no verdict. */
int report_rec_slot(const struct report_rec *r)
{
	if (r->stage == DG_STAGE_ABORT)
		return RR_SLOT_ABORT;
	return r->verdict >= 0 && r->verdict < DG_VERDICT_COUNT ? r->verdict : -1;
}

bool report_rec_anomalous(const struct report_rec *r)
{
	for (int c = 0; c < DG_CLASS_COUNT; c++)
		if (r->count[c] > 0)
			return true;
	return false;
}

/* ---- key="value" syslog form ----------------------------------------- */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * kv_char - the byte of an audit_syslog() value at *pp (before end), its
 * escape undone; *pp moves past it.  -1 for a bad escape.
 */
static int kv_char(const char **pp, const char *end)
{
	const char *p = *pp;
	int c = (unsigned char)*p, h1, h2;

	if (c == '\\') {
		if (++p == end)
			return -1;
		c = (unsigned char)*p;
		if (c == 'x') {
			if (end - p < 3 || (h1 = hexval(p[1])) < 0 ||
			    (h2 = hexval(p[2])) < 0)
				return -1;
			c = h1 * 16 + h2;
			p += 2;
		} else if (c != '\\' && c != '"') {
			return -1;
		}
	}
	*pp = p + 1;
	return c;
}

int report_kv_next(const char **pp, const char *end, char *key, size_t keymax,
		   char *val, size_t valmax, size_t *vallen)
{
	const char *p = *pp;
	size_t k = 0, v = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return 0;
	while (p < end && ((*p >= 'a' && *p <= 'z') || *p == '_' ||
			   (*p >= '0' && *p <= '9'))) {
		if (k + 1 >= keymax)
			return -1;
		key[k++] = *p++;
	}
	key[k] = '\0';
	if (k == 0 || end - p < 2 || p[0] != '=' || p[1] != '"')
		return -1;
	for (p += 2; p == end || *p != '"';) {
		int c = p == end ? -1 : kv_char(&p, end);

		if (c < 0)
			return -1;	/* unterminated (a cut line), bad escape */
		if (v + 1 >= valmax)
			return -1;
		val[v++] = (char)c;
	}
	p++;
	if (p < end && *p != ' ' && *p != '\t')
		return -1;
	val[v] = '\0';
	*vallen = v;
	*pp = p;
	return 1;
}

/* ---- records ---------------------------------------------------------- */

struct report_parser {
	json_t *doc;			/* the last JSON record */
	char *scratch;			/* the last syslog record's values */
	size_t scratch_len;
	char host[REPORT_HOST_MAX + 1];	/* the last syslog header's host */
	/* The last record's header From addresses, back to back. */
	char hfrom[REPORT_HFROM_MAX * (REPORT_HFROM_LEN + 1)];
	size_t hfrom_used;
};

/* The fields that every form yields, before validation. */
struct fields {
	const char *ts, *host, *stage, *addr, *login, *from;
	const char *verdict, *would, *rule, *mode;
};

struct report_parser *report_parser_new(void)
{
	struct report_parser *rp = xcalloc(1, sizeof(*rp));

	rp->scratch_len = REPORT_LINE_MAX + 1;
	rp->scratch = xmalloc(rp->scratch_len);
	return rp;
}

void report_parser_free(struct report_parser *rp)
{
	if (rp == NULL)
		return;
	json_decref(rp->doc);
	free(rp->scratch);
	free(rp);
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static int verdict_from_name(const char *s, int *out)
{
	if (s == NULL) {
		*out = -1;
		return 0;
	}
	*out = name_index(dg_verdict_names, DG_VERDICT_COUNT, s);
	return *out < 0 ? -1 : 0;
}

/* validate - the checks every form of record must pass. */
static enum rp_kind validate(const struct fields *f, struct report_rec *r)
{
	int i;

	if (f->ts == NULL || strlen(f->ts) >= REPORT_TS_LEN ||
	    report_ts_parse(f->ts, &r->ts_ms) != 0)
		return RP_MALFORMED;
	strcpy(r->ts, f->ts);
	if (f->stage == NULL ||
	    (i = name_index(dg_stage_names, DG_STAGE_COUNT, f->stage)) < 0)
		return RP_MALFORMED;
	r->stage = (enum dg_stage)i;
	if (f->rule == NULL ||
	    (i = name_index(gate_rule_names, GATE_RULE_COUNT, f->rule)) < 0)
		return RP_MALFORMED;
	r->rule = (enum gate_rule)i;
	if (f->mode == NULL ||
	    (i = name_index(dg_mode_names, DG_MODE_COUNT, f->mode)) < 0)
		return RP_MALFORMED;
	r->monitor = i == DG_MODE_MONITOR;
	if (verdict_from_name(f->verdict, &r->verdict) != 0 ||
	    verdict_from_name(f->would, &r->would) != 0)
		return RP_MALFORMED;
	/* dotgate.conf(5), AUDIT RECORD: only abort records lack a verdict. */
	if (r->stage != DG_STAGE_ABORT && r->verdict < 0)
		return RP_MALFORMED;
	r->host = f->host;
	r->addr = f->addr ? f->addr : "";
	r->login = f->login;
	r->from = f->from;
	return RP_RECORD;
}

/* opt_str - a member that may be absent or null, else must be a string. */
static int opt_str(json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

/* opt_obj - a member that may be absent or null, else must be an object. */
static int opt_obj(json_t *obj, const char *key, json_t **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return -1;
	*out = v;
	return 0;
}

/*
 * hfrom_start, hfrom_add - the record's header From list, in rp: at most
 * REPORT_HFROM_MAX addresses of at most REPORT_HFROM_LEN bytes, however
 * many and however long the log's are, so a hostile line costs nothing.
 */
static void hfrom_start(struct report_parser *rp, struct report_rec *r)
{
	rp->hfrom_used = 0;
	r->hfrom = rp->hfrom;
	r->hfrom_n = 0;
}

static void hfrom_add(struct report_parser *rp, struct report_rec *r,
		      const char *s, size_t len)
{
	char *d = rp->hfrom + rp->hfrom_used;

	if (r->hfrom_n >= REPORT_HFROM_MAX)
		return;
	if (len > REPORT_HFROM_LEN)
		len = REPORT_HFROM_LEN;
	memcpy(d, s, len);
	d[len] = '\0';
	rp->hfrom_used += len + 1;
	r->hfrom_n++;
}

/* json_hfrom - header_from: absent, null or an array of strings. */
static int json_hfrom(struct report_parser *rp, json_t *obj,
		      struct report_rec *r)
{
	json_t *a = json_object_get(obj, "header_from"), *v;
	size_t i;

	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return -1;
	hfrom_start(rp, r);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return -1;
		hfrom_add(rp, r, json_string_value(v), json_string_length(v));
	}
	return 0;
}

/*
 * kv_hfrom - the syslog header_from value, raw (escapes not undone) from
 * p to end: a comma separates addresses, one inside an address is \x2c.
 */
static int kv_hfrom(struct report_parser *rp, const char *p, const char *end,
		    struct report_rec *r)
{
	char one[REPORT_HFROM_LEN];

	hfrom_start(rp, r);
	if (p == end)
		return 0;	/* checked, no From: address */
	for (;;) {
		size_t n = 0;

		while (p < end && *p != ',') {
			int c = kv_char(&p, end);

			if (c < 0)
				return -1;
			if (n < sizeof(one))
				one[n++] = (char)c;
		}
		hfrom_add(rp, r, one, n);
		if (p == end || r->hfrom_n == REPORT_HFROM_MAX)
			return 0;
		p++;
	}
}

static int json_anomalies(json_t *a, struct report_rec *r)
{
	const char *name;
	json_t *v;

	json_object_foreach(a, name, v) {
		int c = dg_class_from_name(name);
		json_t *n;

		if (!json_is_object(v))
			return -1;
		n = json_object_get(v, "count");
		if (!json_is_integer(n) || json_integer_value(n) < 0)
			return -1;
		if (c >= 0)	/* a class from a later version: not counted */
			r->count[c] = (uint64_t)json_integer_value(n);
	}
	return 0;
}

static enum rp_kind parse_json(struct report_parser *rp, const char *s,
			       size_t len, struct report_rec *r)
{
	struct fields f;
	json_t *client, *auth, *anom;

	rp->doc = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(rp->doc))
		return RP_MALFORMED;
	if (opt_str(rp->doc, "ts", &f.ts) || opt_str(rp->doc, "host", &f.host) ||
	    opt_str(rp->doc, "stage", &f.stage) ||
	    opt_str(rp->doc, "from", &f.from) ||
	    opt_str(rp->doc, "verdict", &f.verdict) ||
	    opt_str(rp->doc, "would", &f.would) ||
	    opt_str(rp->doc, "rule", &f.rule) ||
	    opt_str(rp->doc, "mode", &f.mode) ||
	    opt_obj(rp->doc, "client", &client) ||
	    opt_obj(rp->doc, "auth", &auth) ||
	    opt_obj(rp->doc, "anomalies", &anom))
		return RP_MALFORMED;
	f.addr = f.login = NULL;
	if ((client && opt_str(client, "addr", &f.addr)) ||
	    (auth && opt_str(auth, "user", &f.login)))
		return RP_MALFORMED;
	if (anom && json_anomalies(anom, r) != 0)
		return RP_MALFORMED;
	if (json_hfrom(rp, rp->doc, r) != 0)
		return RP_MALFORMED;
	return validate(&f, r);
}

/* "bare_cr=2@180,nul=1@5": the syslog form of the anomalies object. */
static int kv_anomalies(const char *s, struct report_rec *r)
{
	while (*s) {
		const char *eq = strchr(s, '=');
		char name[32], *end;
		unsigned long long n;
		int c;

		if (eq == NULL || (size_t)(eq - s) >= sizeof(name))
			return -1;
		memcpy(name, s, (size_t)(eq - s));
		name[eq - s] = '\0';
		if (eq[1] < '0' || eq[1] > '9')
			return -1;
		n = strtoull(eq + 1, &end, 10);
		if (*end != '@' || end[1] < '0' || end[1] > '9')
			return -1;
		(void)strtoull(end + 1, &end, 10);
		if (*end != ',' && *end != '\0')
			return -1;
		if ((c = dg_class_from_name(name)) >= 0)
			r->count[c] = n;
		s = *end ? end + 1 : end;
	}
	return 0;
}

static const char *const kv_keys[] = {
	"ts", "stage", "client", "auth_user", "from", "verdict", "would",
	"rule", "mode", "anomalies", "host", "header_from",
};
#define KV_HFROM 11			/* kv_keys[KV_HFROM] */

static enum rp_kind parse_kv(struct report_parser *rp, const char *s,
			     const char *end, struct report_rec *r)
{
	const char *vals[DG_ARRAY_LEN(kv_keys)] = {NULL};
	const char *at = s, *hf = NULL, *hf_end = NULL;
	char key[32];
	size_t used = 0, vlen;
	int k;
	struct fields f;

	while ((k = report_kv_next(&s, end, key, sizeof(key),
				   rp->scratch + used, rp->scratch_len - used,
				   &vlen)) == 1) {
		int i = name_index(kv_keys, DG_ARRAY_LEN(kv_keys), key);

		if (i >= 0) {
			if (vals[i] != NULL)
				return RP_MALFORMED;	/* a key twice */
			vals[i] = rp->scratch + used;
		}
		/* Its commas are lost once unescaped: keep the raw text. */
		if (i == KV_HFROM) {
			hf = (const char *)memchr(at, '"', (size_t)(s - at)) + 1;
			hf_end = s - 1;
		}
		used += vlen + 1;
		at = s;
	}
	if (k < 0 || (hf != NULL && kv_hfrom(rp, hf, hf_end, r) != 0))
		return RP_MALFORMED;
	f.ts = vals[0];
	f.stage = vals[1];
	f.addr = vals[2];
	f.login = vals[3];
	f.from = vals[4];
	f.verdict = vals[5];
	f.would = vals[6];
	f.rule = vals[7];
	f.mode = vals[8];
	f.host = vals[10];
	if (vals[9] && kv_anomalies(vals[9], r) != 0)
		return RP_MALFORMED;
	return validate(&f, r);
}

enum rp_kind report_parser_line(struct report_parser *rp, const char *line,
				size_t len, struct report_rec *r)
{
	const char *q, *host;
	size_t hostlen;
	enum rp_kind k;

	json_decref(rp->doc);
	rp->doc = NULL;
	memset(r, 0, sizeof(*r));
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	if (len == 0)
		return RP_BLANK;
	if (len > REPORT_LINE_MAX)
		return RP_MALFORMED;
	if (line[0] == '{')
		return parse_json(rp, line, len, r);
	/* A syslog message that is a JSON record. */
	if ((q = memmem(line, len, "{\"ts\":\"", 7)) != NULL)
		k = parse_json(rp, q, len - (size_t)(q - line), r);
	/* dotgate's own "QID: ts=\"...\" ..." message. */
	else if ((q = memmem(line, len, ": ts=\"", 6)) != NULL)
		k = parse_kv(rp, q + 1, line + len, r);
	else
		return report_syslog_header(line, len, &host, &hostlen) ?
		       RP_OTHER : RP_MALFORMED;
	/* Records older than the host field: the syslog server's name. */
	if (k == RP_RECORD && r->host == NULL &&
	    report_syslog_header(line, (size_t)(q - line), &host, &hostlen) &&
	    host != NULL) {
		memcpy(rp->host, host, hostlen);
		rp->host[hostlen] = '\0';
		r->host = rp->host;
	}
	return k;
}
