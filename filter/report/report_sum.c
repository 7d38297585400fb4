/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_sum.c: dotgate-report's summary (see report.h).  It is a set of
 * counters and bounded top-K tables that a record updates and that is
 * then turned into the JSON object of dotgate-report(1), JSON OUTPUT; the text
 * tables are printed from that same object (report_print.c), so the two
 * outputs cannot disagree.  No record is ever kept.
 */
#include <stdlib.h>
#include <string.h>

#include "dgjson.h"
#include "report.h"
#include "report_series.h"
#include "topk.h"
#include "util.h"

#define SENDER_CAP 16			/* senders counted per login */

const struct report_tried report_tried_envelope = {
	"senders tried", "senders", "<>"
};
const struct report_tried report_tried_header = {
	"From addresses tried", "addresses", "(none)"
};

/*
 * Who was refused: by client address, by login + envelope senders, and
 * at end of message by login + header From addresses.
 */
struct refusals {
	struct topk *unauth;		/* addr -> records */
	struct topk *not_owned;		/* login -> records, data: senders */
	struct topk *header;		/* login -> records, data: addresses */
};

struct class_sum {
	uint64_t records;
	uint64_t occurrences;
	struct topk *clients;
	struct topk *logins;
};

/* One MTA host's share; the records of a host without a name count as "". */
struct host_sum {
	uint64_t by_verdict[DG_VERDICT_COUNT + 1];
	uint64_t anomalous;		/* records with any class */
	int64_t first_ms, last_ms;
};

struct report_summary {
	size_t cap;
	bool approx;			/* a nested table overflowed */
	uint64_t records, malformed, other;
	int64_t first_ms, last_ms;
	uint64_t by_verdict[DG_VERDICT_COUNT + 1];
	uint64_t by_rule[GATE_RULE_COUNT];
	struct refusals enforce;
	struct class_sum cls[DG_CLASS_COUNT];
	uint64_t mon_records;
	uint64_t mon_would[DG_VERDICT_COUNT];
	uint64_t mon_rule[GATE_RULE_COUNT];
	struct refusals monitor;
	struct topk *hosts;		/* host -> records, data: host_sum */
	struct report_series *series;	/* the charts of --html */
};

struct report_summary *report_summary_new(size_t cap)
{
	struct report_summary *s = xcalloc(1, sizeof(*s));

	s->cap = cap ? cap : REPORT_CAP;
	s->series = report_series_new();
	return s;
}

static void free_topk(void *p)
{
	topk_free(p);
}

/* count - add one to key in *t, creating the table on first use. */
static struct topk_entry *count(struct report_summary *s, struct topk **t,
				void (*free_data)(void *), const char *key)
{
	if (*t == NULL)
		*t = topk_new(s->cap, free_data);
	return topk_add(*t, key, 1);
}

/* tried - count the record under its login in *t; the addresses it tried. */
static struct topk *tried(struct report_summary *s, struct topk **t,
			  const struct report_rec *r)
{
	struct topk_entry *e = count(s, t, free_topk, r->login ? r->login : "");

	if (e->data == NULL)
		e->data = topk_new(SENDER_CAP, NULL);
	return e->data;
}

static void tried_add(struct report_summary *s, struct topk *t, const char *a)
{
	(void)topk_add(t, a, 1);
	if (topk_approximate(t))
		s->approx = true;
}

/*
 * A header From refusal lists the addresses of the record's header_from
 * (its first REPORT_HFROM_MAX); "" stands for a From: without any.
 */
static void add_header(struct report_summary *s, struct refusals *rf,
		       const struct report_rec *r)
{
	struct topk *t = tried(s, &rf->header, r);
	const char *a = r->hfrom;

	if (a != NULL && r->hfrom_n == 0)
		tried_add(s, t, "");
	for (unsigned i = 0; a != NULL && i < r->hfrom_n; i++) {
		tried_add(s, t, a);
		a += strlen(a) + 1;
	}
}

static void add_refusal(struct report_summary *s, struct refusals *rf,
			const struct report_rec *r)
{
	if (r->rule == GATE_UNAUTHENTICATED)
		(void)count(s, &rf->unauth, NULL, r->addr);
	else if (r->rule == GATE_NOT_OWNED)
		tried_add(s, tried(s, &rf->not_owned, r),
			  r->from ? r->from : "");
	else if (r->rule == GATE_HEADER_NOT_OWNED ||
		 r->rule == GATE_HEADER_MALFORMED)
		add_header(s, rf, r);
}

static void add_anomalies(struct report_summary *s, const struct report_rec *r)
{
	for (int c = 0; c < DG_CLASS_COUNT; c++) {
		struct class_sum *cs = &s->cls[c];

		if (r->count[c] == 0)
			continue;
		cs->records++;
		cs->occurrences += r->count[c];
		(void)count(s, &cs->clients, NULL, r->addr);
		if (r->login != NULL)
			(void)count(s, &cs->logins, NULL, r->login);
	}
}

static void add_host(struct report_summary *s, const struct report_rec *r)
{
	struct topk_entry *e = count(s, &s->hosts, free, r->host ? r->host : "");
	struct host_sum *h = e->data;
	int v = report_rec_slot(r);

	if (h == NULL) {
		e->data = h = xcalloc(1, sizeof(*h));
		h->first_ms = h->last_ms = r->ts_ms;
	}
	if (r->ts_ms < h->first_ms)
		h->first_ms = r->ts_ms;
	if (r->ts_ms > h->last_ms)
		h->last_ms = r->ts_ms;
	if (v >= 0)
		h->by_verdict[v]++;
	h->anomalous += report_rec_anomalous(r);
}

void report_summary_add(struct report_summary *s, const struct report_rec *r)
{
	int v = report_rec_slot(r);

	if (s->records == 0 || r->ts_ms < s->first_ms)
		s->first_ms = r->ts_ms;
	if (s->records == 0 || r->ts_ms > s->last_ms)
		s->last_ms = r->ts_ms;
	s->records++;
	if (v >= 0)
		s->by_verdict[v]++;
	s->by_rule[r->rule]++;
	add_host(s, r);
	report_series_add(s->series, r);
	add_anomalies(s, r);
	if (!r->monitor) {
		add_refusal(s, &s->enforce, r);
		return;
	}
	/* Monitor mode: what enforce mode would have done instead. */
	s->mon_records++;
	if (r->would < 0 || r->would == DG_VERDICT_ACCEPT)
		return;
	if (r->would < DG_VERDICT_COUNT)
		s->mon_would[r->would]++;
	s->mon_rule[r->rule]++;
	add_refusal(s, &s->monitor, r);
}

void report_summary_note(struct report_summary *s, enum rp_kind k)
{
	if (k == RP_MALFORMED)
		s->malformed++;
	else if (k == RP_OTHER)
		s->other++;
}

/* ---- JSON -------------------------------------------------------------- */

/* Counts are uint64_t, JSON integers json_int_t: none comes near 2^63. */
static void set_count(json_t *o, const char *key, uint64_t n)
{
	dgjson_set(o, key, json_integer((json_int_t)n));
}

/*
 * Keys come from logs and topk may have cut them inside a character:
 * dgjson_str() repairs their UTF-8, which jansson would refuse.
 */
static json_t *count_list(const struct topk *t, const char *name)
{
	const struct topk_entry *top[REPORT_TOP];
	json_t *a = dgjson_must(json_array());
	size_t n = t ? topk_top(t, REPORT_TOP, top) : 0;

	for (size_t i = 0; i < n; i++) {
		json_t *o = dgjson_must(json_object());

		dgjson_set(o, name, dgjson_str(top[i]->key));
		set_count(o, "count", top[i]->count);
		dgjson_push(a, o);
	}
	return a;
}

/* Logins with the addresses they tried, under the key what. */
static json_t *tried_list(const struct topk *t, const char *what)
{
	const struct topk_entry *top[REPORT_TOP], *snd[REPORT_SENDERS];
	json_t *a = dgjson_must(json_array());
	size_t n = t ? topk_top(t, REPORT_TOP, top) : 0;

	for (size_t i = 0; i < n; i++) {
		json_t *o = dgjson_must(json_object());
		json_t *senders = dgjson_must(json_array());
		size_t m = topk_top(top[i]->data, REPORT_SENDERS, snd);

		for (size_t j = 0; j < m; j++)
			dgjson_push(senders, dgjson_str(snd[j]->key));
		dgjson_set(o, "login", dgjson_str(top[i]->key));
		set_count(o, "count", top[i]->count);
		dgjson_set(o, what, senders);
		dgjson_push(a, o);
	}
	return a;
}

static const char *verdict_key(int v)
{
	return v == RR_SLOT_ABORT ? verdict_stage_name(DG_STAGE_ABORT)
				  : dg_verdict_name((enum dg_verdict)v);
}

static json_t *rule_object(const uint64_t *n, bool all)
{
	json_t *o = dgjson_must(json_object());

	for (int r = 0; r < GATE_RULE_COUNT; r++)
		if (all || n[r] > 0)
			set_count(o, gate_rule_name((enum gate_rule)r), n[r]);
	return o;
}

static json_t *ts_json(int64_t ms)
{
	char buf[REPORT_TS_LEN];

	report_ts_format(ms, buf);
	return json_string(buf);
}

static json_t *ts_or_null(const struct report_summary *s, int64_t ms)
{
	return s->records == 0 ? json_null() : ts_json(ms);
}

static json_t *verdict_object(const uint64_t *n)
{
	json_t *v = dgjson_must(json_object());

	for (int i = 0; i <= RR_SLOT_ABORT; i++)
		set_count(v, verdict_key(i), n[i]);
	return v;
}

/* Every host kept, most records first: a site has tens, not thousands. */
static json_t *hosts_list(const struct topk *t)
{
	size_t n = t ? topk_size(t) : 0;
	const struct topk_entry **top = xcalloc(n + 1, sizeof(*top));
	json_t *a = dgjson_must(json_array());

	n = t ? topk_top(t, n, top) : 0;
	for (size_t i = 0; i < n; i++) {
		const struct host_sum *h = top[i]->data;
		json_t *o = dgjson_must(json_object());

		dgjson_set(o, "host", dgjson_str(top[i]->key));
		set_count(o, "records", top[i]->count);
		dgjson_set(o, "by_verdict", verdict_object(h->by_verdict));
		set_count(o, "anomalous", h->anomalous);
		dgjson_set(o, "from", ts_json(h->first_ms));
		dgjson_set(o, "to", ts_json(h->last_ms));
		dgjson_push(a, o);
	}
	free(top);
	return a;
}

static bool table_approx(const struct topk *t)
{
	return t != NULL && topk_approximate(t);
}

static bool any_approx(const struct report_summary *s)
{
	bool a = s->approx || table_approx(s->enforce.unauth) ||
		 table_approx(s->enforce.not_owned) ||
		 table_approx(s->monitor.unauth) ||
		 table_approx(s->monitor.not_owned) ||
		 table_approx(s->enforce.header) ||
		 table_approx(s->monitor.header) || table_approx(s->hosts);

	for (int c = 0; c < DG_CLASS_COUNT; c++)
		a = a || table_approx(s->cls[c].clients) ||
		    table_approx(s->cls[c].logins);
	return a;
}

static json_t *anomalies_object(const struct report_summary *s)
{
	json_t *o = dgjson_must(json_object());

	for (int c = 0; c < DG_CLASS_COUNT; c++) {
		const struct class_sum *cs = &s->cls[c];
		json_t *k;

		if (cs->records == 0)
			continue;
		k = dgjson_must(json_object());
		set_count(k, "count", cs->records);
		set_count(k, "occurrences", cs->occurrences);
		dgjson_set(k, "clients", count_list(cs->clients, "addr"));
		dgjson_set(k, "logins", count_list(cs->logins, "login"));
		dgjson_set(o, dg_class_name((enum dg_class)c), k);
	}
	return o;
}

static json_t *monitor_object(const struct report_summary *s)
{
	json_t *m = dgjson_must(json_object());
	json_t *w = dgjson_must(json_object());

	for (int v = DG_VERDICT_LOG; v < DG_VERDICT_COUNT; v++)
		set_count(w, verdict_key(v), s->mon_would[v]);
	set_count(m, "records", s->mon_records);
	dgjson_set(m, "would", w);
	dgjson_set(m, "by_rule", rule_object(s->mon_rule, true));
	dgjson_set(m, "unauthenticated", count_list(s->monitor.unauth, "addr"));
	dgjson_set(m, "not_owned",
		   tried_list(s->monitor.not_owned, report_tried_envelope.key));
	dgjson_set(m, "header_not_owned",
		   tried_list(s->monitor.header, report_tried_header.key));
	return m;
}

const struct report_series *report_summary_series(const struct report_summary *s)
{
	return s->series;
}

json_t *report_summary_json(const struct report_summary *s)
{
	json_t *o = dgjson_must(json_object());

	set_count(o, "records", s->records);
	set_count(o, "malformed", s->malformed);
	set_count(o, "other_lines", s->other);
	dgjson_set(o, "from", ts_or_null(s, s->first_ms));
	dgjson_set(o, "to", ts_or_null(s, s->last_ms));
	dgjson_set(o, "approximate", json_boolean(any_approx(s)));
	dgjson_set(o, "by_verdict", verdict_object(s->by_verdict));
	dgjson_set(o, "by_rule", rule_object(s->by_rule, true));
	dgjson_set(o, "unauthenticated", count_list(s->enforce.unauth, "addr"));
	dgjson_set(o, "not_owned",
		   tried_list(s->enforce.not_owned, report_tried_envelope.key));
	dgjson_set(o, "header_not_owned",
		   tried_list(s->enforce.header, report_tried_header.key));
	dgjson_set(o, "anomalies", anomalies_object(s));
	dgjson_set(o, "monitor", monitor_object(s));
	dgjson_set(o, "hosts", hosts_list(s->hosts));
	return o;
}

static void refusals_free(struct refusals *rf)
{
	topk_free(rf->unauth);
	topk_free(rf->not_owned);
	topk_free(rf->header);
}

void report_summary_free(struct report_summary *s)
{
	if (s == NULL)
		return;
	refusals_free(&s->enforce);
	refusals_free(&s->monitor);
	topk_free(s->hosts);
	report_series_free(s->series);
	for (int c = 0; c < DG_CLASS_COUNT; c++) {
		topk_free(s->cls[c].clients);
		topk_free(s->cls[c].logins);
	}
	free(s);
}
