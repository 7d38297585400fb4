/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.c: the live counters behind dotgate's metrics endpoint (see
 * metrics.h).  Updates are relaxed atomic additions, once a record or a
 * connection: a scrape reads each counter on its own and never holds up
 * a libmilter thread.
 */
#include <time.h>

#include "metrics.h"
#include "util.h"

struct metrics dg_metrics;
static atomic_bool enabled;

/* The histogram's finite upper bounds, in ns (10 us .. 100 ms). */
const uint64_t metrics_bounds_ns[METRICS_BUCKETS] = {
	10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000, 25000000, 100000000,
};

static void add(atomic_ullong *c, unsigned long long n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

void metrics_record(const struct dg_record *r)
{
	const struct dg_txn *t = r->txn;
	unsigned stage = r->stage, rule = record_rule(r), mode = r->mode;
	unsigned verdict = r->decision.has_verdict ? (unsigned)r->decision.verdict
						   : DG_VERDICT_COUNT;

	if (stage >= DG_STAGE_COUNT || verdict >= METRICS_VERDICTS
	    || rule >= GATE_RULE_COUNT || mode >= DG_MODE_COUNT)
		dg_panic("metrics: a record out of the tables (stage %u, "
			 "verdict %u, rule %u, mode %u)", stage, verdict, rule, mode);
	add(&dg_metrics.txn[stage][verdict][rule][mode], 1);
	add(&dg_metrics.body_bytes, t->size);
	for (int c = 0; t->scanned && c < DG_CLASS_COUNT; c++) {
		if (t->scan.cls[c].count == 0)
			continue;
		add(&dg_metrics.anomalies[c], 1);
		add(&dg_metrics.occurrences[c], t->scan.cls[c].count);
	}
}

void metrics_conn_open(void)
{
	atomic_fetch_add_explicit(&dg_metrics.conn_active, 1, memory_order_relaxed);
	add(&dg_metrics.conn_total, 1);
}

void metrics_conn_close(void)
{
	atomic_fetch_sub_explicit(&dg_metrics.conn_active, 1, memory_order_relaxed);
}

void metrics_reload(bool ok)
{
	add(ok ? &dg_metrics.reloads_ok : &dg_metrics.reloads_error, 1);
}

void metrics_policy_loaded(unsigned long long generation)
{
	struct timespec now;

	atomic_store(&dg_metrics.generation, generation);
	if (clock_gettime(CLOCK_REALTIME, &now) == 0)
		atomic_store(&dg_metrics.loaded_ms,
			     (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
}

void metrics_map_lookup(int rc)
{
	add(&dg_metrics.map_lookups[rc > 0 ? 0 : rc == 0 ? 1 : 2], 1);
}

void metrics_required_tempfail(void)
{
	add(&dg_metrics.required_tempfails, 1);
}

void metrics_observe_callbacks(uint64_t ns)
{
	size_t b = 0;

	while (b < METRICS_BUCKETS && ns > metrics_bounds_ns[b])
		b++;
	add(&dg_metrics.cb_bucket[b], 1);
	add(&dg_metrics.cb_sum_ns, ns);
}

uint64_t metrics_clock(void)
{
	struct timespec ts;

	if (!atomic_load_explicit(&enabled, memory_order_relaxed)
	    || clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void metrics_enable(bool on)
{
	atomic_store(&enabled, on);
}
