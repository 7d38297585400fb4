/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	metrics - dotgate's live counters and their Prometheus text form
 * SYNOPSIS
 *	#include "metrics.h"
 *
 *	extern struct metrics dg_metrics;
 *	void metrics_record(const struct dg_record *r);
 *	void metrics_conn_open(void);
 *	void metrics_conn_close(void);
 *	void metrics_reload(bool ok);
 *	void metrics_policy_loaded(unsigned long long generation);
 *	void metrics_map_lookup(int rc);
 *	void metrics_required_tempfail(void);
 *	void metrics_observe_callbacks(uint64_t ns);
 *	uint64_t metrics_clock(void);
 *	void metrics_enable(bool on);
 *
 *	void metrics_expose(const struct metrics *m, const struct metrics_extra *x,
 *			    struct buf *out);
 * DESCRIPTION
 *	Counters a scrape reads while libmilter threads update them: each
 *	is a C11 atomic, updated with relaxed order (a scrape needs no
 *	snapshot consistency across counters, and a callback never waits
 *	for a scrape).  They change once a record or a connection, never
 *	per body chunk.
 *
 *	metrics_record() counts one audit record (the metrics sink calls
 *	it for every record written): dotgate_transactions_total by
 *	stage, verdict ("none" on abort records), rule and mode, whose
 *	dimensions are the enums of record.h; the anomaly classes found
 *	(records and occurrences); the body bytes.
 *	metrics_conn_open()/metrics_conn_close() keep the connection
 *	gauge and total; metrics_reload() counts a reload by its outcome,
 *	metrics_policy_loaded() sets the running policy's generation (1 at
 *	start, one more for each good reload) and its load time.
 *	metrics_map_lookup() counts one question put to a login map server
 *	(socketmap:, tcp:) by remotemap_get()'s result: 1 found, 0 not
 *	found, -1 failed; cached answers are not questions.
 *	metrics_required_tempfail() counts a transaction deferred because
 *	audit.required is on and no sink kept its record (its record was
 *	counted by metrics_record() with the verdict decided before).  The callback
 *	histogram is fed by metrics_observe_callbacks() with the time a
 *	transaction spent in dotgate's callbacks; metrics_clock() is a
 *	monotonic clock in ns that returns 0 unless metrics_enable(true)
 *	was called, so timing costs nothing when the endpoint is off.
 *
 *	metrics_expose() appends the text exposition format 0.0.4 of m to
 *	out (buf.h): every family with # HELP and # TYPE, label values escaped
 *	(backslash, double quote, newline), histogram buckets cumulative
 *	with le="+Inf" equal to _count, then what x adds: the audit sinks'
 *	lost records, the build version and the process_* figures.
 * DIAGNOSTICS
 *	Out of memory is fatal (util.h); so is a record out of the tables
 *	of record.h, which cannot happen.
 */
#ifndef DG_METRICS_H
#define DG_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "buf.h"
#include "record.h"

#define METRICS_VERDICTS (DG_VERDICT_COUNT + 1)	/* then "none" */
#define METRICS_BUCKETS 12		/* finite bounds of the histogram */
#define METRICS_SINKS 8

struct metrics {
	atomic_ullong txn[DG_STAGE_COUNT][METRICS_VERDICTS][GATE_RULE_COUNT]
			 [DG_MODE_COUNT];
	atomic_ullong anomalies[DG_CLASS_COUNT];
	atomic_ullong occurrences[DG_CLASS_COUNT];
	atomic_ullong body_bytes;
	atomic_llong conn_active;
	atomic_ullong conn_total;
	atomic_ullong reloads_ok, reloads_error;
	atomic_ullong generation;
	atomic_ullong map_lookups[3];	/* found, not found, error */
	atomic_llong loaded_ms;		/* wall clock of the last good load */
	atomic_ullong cb_bucket[METRICS_BUCKETS + 1];	/* not cumulative */
	atomic_ullong cb_sum_ns;
	atomic_ullong required_tempfails;	/* audit.required deferred */
};

/* What a scrape adds to the counters: gathered by the HTTP side. */
struct metrics_extra {
	size_t nsinks;
	const char *sink_name[METRICS_SINKS];
	unsigned long long sink_errors[METRICS_SINKS];
	unsigned long long records_dropped;
	const char *version;
	double start_time;		/* process_start_time_seconds */
	double cpu_seconds;
	double resident_bytes, virtual_bytes;
	double open_fds, max_fds;
};

extern struct metrics dg_metrics;

void metrics_record(const struct dg_record *r);
void metrics_conn_open(void);
void metrics_conn_close(void);
void metrics_reload(bool ok);
void metrics_policy_loaded(unsigned long long generation);
void metrics_map_lookup(int rc);
void metrics_required_tempfail(void);
void metrics_observe_callbacks(uint64_t ns);
uint64_t metrics_clock(void);
void metrics_enable(bool on);

void metrics_expose(const struct metrics *m, const struct metrics_extra *x,
		    struct buf *out);

#endif
