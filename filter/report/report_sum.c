/*
 * report_sum.c: dotgate-report's summary (see report.h).  It is a set of
 * counters and bounded top-K tables that a record updates and that is
 * then turned into the JSON object of contract section 7; the text
 * tables are printed from that same object (report_print.c), so the two
 * outputs cannot disagree.  No record is ever kept.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "report.h"
#include "topk.h"
#include "util.h"

#define VERDICTS 6			/* enum dg_verdict */
#define ABORT_SLOT VERDICTS		/* by_verdict["abort"] */
#define SENDER_CAP 16			/* senders counted per login */

/* Who was refused at MAIL: by client address, and by login + senders. */
struct refusals {
	struct topk *unauth;		/* addr -> records */
	struct topk *not_owned;		/* login -> records, data: senders */
};

struct class_sum {
	uint64_t records;
	uint64_t occurrences;
	struct topk *clients;
	struct topk *logins;
};

struct report_summary {
	size_t cap;
	bool approx;			/* a nested table overflowed */
	uint64_t records, malformed, other;
	int64_t first_ms, last_ms;
	uint64_t by_verdict[VERDICTS + 1];
	uint64_t by_rule[RR_RULE_COUNT];
	struct refusals enforce;
	struct class_sum cls[DG_CLASS_COUNT];
	uint64_t mon_records;
	uint64_t mon_would[VERDICTS];
	uint64_t mon_rule[RR_RULE_COUNT];
	struct refusals monitor;
};

struct report_summary *report_summary_new(size_t cap)
{
	struct report_summary *s = xcalloc(1, sizeof(*s));

	s->cap = cap ? cap : REPORT_CAP;
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

static void add_refusal(struct report_summary *s, struct refusals *rf,
			const struct report_rec *r)
{
	struct topk_entry *e;

	if (r->rule == RR_UNAUTHENTICATED) {
		(void)count(s, &rf->unauth, NULL, r->addr);
	} else if (r->rule == RR_NOT_OWNED) {
		e = count(s, &rf->not_owned, free_topk,
			  r->login ? r->login : "");
		if (e->data == NULL)
			e->data = topk_new(SENDER_CAP, NULL);
		(void)topk_add(e->data, r->from ? r->from : "", 1);
		if (topk_approximate(e->data))
			s->approx = true;
	}
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

void report_summary_add(struct report_summary *s, const struct report_rec *r)
{
	if (s->records == 0 || r->ts_ms < s->first_ms)
		s->first_ms = r->ts_ms;
	if (s->records == 0 || r->ts_ms > s->last_ms)
		s->last_ms = r->ts_ms;
	s->records++;
	if (r->stage == RR_ABORT)
		s->by_verdict[ABORT_SLOT]++;
	else if (r->verdict >= 0 && r->verdict < VERDICTS)
		s->by_verdict[r->verdict]++;
	s->by_rule[r->rule]++;
	add_anomalies(s, r);
	if (!r->monitor) {
		add_refusal(s, &s->enforce, r);
		return;
	}
	/* Monitor mode: what enforce mode would have done instead. */
	s->mon_records++;
	if (r->would < 0 || r->would == DG_VERDICT_ACCEPT)
		return;
	if (r->would < VERDICTS)
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

static json_t *must(json_t *v)
{
	if (v == NULL) {
		fprintf(stderr, "dotgate-report: out of memory\n");
		abort();
	}
	return v;
}

static void set(json_t *o, const char *key, json_t *v)
{
	if (json_object_set_new(o, key, must(v)) != 0)
		must(NULL);
}

static void push(json_t *a, json_t *v)
{
	if (json_array_append_new(a, must(v)) != 0)
		must(NULL);
}

/* Keys come from logs (and may have been cut): repair their UTF-8. */
static json_t *str(const char *s)
{
	char *clean = audit_utf8(s);
	json_t *v = json_string(clean);

	free(clean);
	return v;
}

static json_t *count_list(const struct topk *t, const char *name)
{
	const struct topk_entry *top[REPORT_TOP];
	json_t *a = must(json_array());
	size_t n = t ? topk_top(t, REPORT_TOP, top) : 0;

	for (size_t i = 0; i < n; i++) {
		json_t *o = must(json_object());

		set(o, name, str(top[i]->key));
		set(o, "count", json_integer((json_int_t)top[i]->count));
		push(a, o);
	}
	return a;
}

static json_t *not_owned_list(const struct topk *t)
{
	const struct topk_entry *top[REPORT_TOP], *snd[REPORT_SENDERS];
	json_t *a = must(json_array());
	size_t n = t ? topk_top(t, REPORT_TOP, top) : 0;

	for (size_t i = 0; i < n; i++) {
		json_t *o = must(json_object()), *senders = must(json_array());
		size_t m = topk_top(top[i]->data, REPORT_SENDERS, snd);

		for (size_t j = 0; j < m; j++)
			push(senders, str(snd[j]->key));
		set(o, "login", str(top[i]->key));
		set(o, "count", json_integer((json_int_t)top[i]->count));
		set(o, "senders", senders);
		push(a, o);
	}
	return a;
}

static const char *verdict_key(int v)
{
	return v == ABORT_SLOT ? "abort" : dg_verdict_name((enum dg_verdict)v);
}

static json_t *rule_object(const uint64_t *n, bool all)
{
	json_t *o = must(json_object());

	for (int r = 0; r < RR_RULE_COUNT; r++)
		if (all || n[r] > 0)
			set(o, report_rule_name((enum rr_rule)r),
			    json_integer((json_int_t)n[r]));
	return o;
}

static json_t *ts_or_null(const struct report_summary *s, int64_t ms)
{
	char buf[REPORT_TS_LEN];

	if (s->records == 0)
		return json_null();
	report_ts_format(ms, buf);
	return json_string(buf);
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
		 table_approx(s->monitor.not_owned);

	for (int c = 0; c < DG_CLASS_COUNT; c++)
		a = a || table_approx(s->cls[c].clients) ||
		    table_approx(s->cls[c].logins);
	return a;
}

static json_t *anomalies_object(const struct report_summary *s)
{
	json_t *o = must(json_object());

	for (int c = 0; c < DG_CLASS_COUNT; c++) {
		const struct class_sum *cs = &s->cls[c];
		json_t *k;

		if (cs->records == 0)
			continue;
		k = must(json_object());
		set(k, "count", json_integer((json_int_t)cs->records));
		set(k, "occurrences", json_integer((json_int_t)cs->occurrences));
		set(k, "clients", count_list(cs->clients, "addr"));
		set(k, "logins", count_list(cs->logins, "login"));
		set(o, dg_class_name((enum dg_class)c), k);
	}
	return o;
}

static json_t *monitor_object(const struct report_summary *s)
{
	json_t *m = must(json_object()), *w = must(json_object());

	for (int v = DG_VERDICT_LOG; v < VERDICTS; v++)
		set(w, verdict_key(v), json_integer((json_int_t)s->mon_would[v]));
	set(m, "records", json_integer((json_int_t)s->mon_records));
	set(m, "would", w);
	set(m, "by_rule", rule_object(s->mon_rule, true));
	set(m, "unauthenticated", count_list(s->monitor.unauth, "addr"));
	set(m, "not_owned", not_owned_list(s->monitor.not_owned));
	return m;
}

json_t *report_summary_json(const struct report_summary *s)
{
	json_t *o = must(json_object()), *v = must(json_object());

	set(o, "records", json_integer((json_int_t)s->records));
	set(o, "malformed", json_integer((json_int_t)s->malformed));
	set(o, "other_lines", json_integer((json_int_t)s->other));
	set(o, "from", ts_or_null(s, s->first_ms));
	set(o, "to", ts_or_null(s, s->last_ms));
	set(o, "approximate", json_boolean(any_approx(s)));
	for (int i = 0; i <= ABORT_SLOT; i++)
		set(v, verdict_key(i), json_integer((json_int_t)s->by_verdict[i]));
	set(o, "by_verdict", v);
	set(o, "by_rule", rule_object(s->by_rule, true));
	set(o, "unauthenticated", count_list(s->enforce.unauth, "addr"));
	set(o, "not_owned", not_owned_list(s->enforce.not_owned));
	set(o, "anomalies", anomalies_object(s));
	set(o, "monitor", monitor_object(s));
	return o;
}

static void refusals_free(struct refusals *rf)
{
	topk_free(rf->unauth);
	topk_free(rf->not_owned);
}

void report_summary_free(struct report_summary *s)
{
	if (s == NULL)
		return;
	refusals_free(&s->enforce);
	refusals_free(&s->monitor);
	for (int c = 0; c < DG_CLASS_COUNT; c++) {
		topk_free(s->cls[c].clients);
		topk_free(s->cls[c].logins);
	}
	free(s);
}
