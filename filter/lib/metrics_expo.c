/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_expo.c: dotgate's counters in the Prometheus text exposition
 * format 0.0.4 (see metrics.h).  Names follow the Prometheus naming
 * conventions: the dotgate_ prefix, _total on counters, base units
 * (seconds, bytes).  A transaction series appears once it is non-zero:
 * most of the 294 stage/verdict/rule/mode combinations cannot happen,
 * and Prometheus treats an absent counter as one that has not started.
 */
#include <stdio.h>

#include "metrics.h"

extern const uint64_t metrics_bounds_ns[METRICS_BUCKETS];

/* A label value: backslash, double quote and newline escaped. */
static void label_value(struct buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			buf_printf(b, "\\\\");
		else if (*v == '"')
			buf_printf(b, "\\\"");
		else if (*v == '\n')
			buf_printf(b, "\\n");
		else
			buf_printf(b, "%c", *v);
	}
}

static void family(struct buf *b, const char *name, const char *type,
		   const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{label="value"} n, or name n when label is NULL. */
static void sample(struct buf *b, const char *name, const char *label,
		   const char *value, double n)
{
	buf_printf(b, "%s", name);
	if (label != NULL) {
		buf_printf(b, "{%s=\"", label);
		label_value(b, value);
		buf_printf(b, "\"}");
	}
	buf_printf(b, " %.17g\n", n);
}

static unsigned long long get(const atomic_ullong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static const char *verdict_label(int v)
{
	return v == DG_VERDICT_COUNT ? "none" : dg_verdict_name((enum dg_verdict)v);
}

static void transactions(struct buf *b, const struct metrics *m)
{
	family(b, "dotgate_transactions_total", "counter",
	       "Audit records written, by stage, verdict (none on aborts), rule and mode.");
	for (int s = 0; s < DG_STAGE_COUNT; s++)
		for (int v = 0; v < METRICS_VERDICTS; v++)
			for (int r = 0; r < GATE_RULE_COUNT; r++)
				for (int o = 0; o < DG_MODE_COUNT; o++) {
					unsigned long long n = get(&m->txn[s][v][r][o]);

					if (n == 0)
						continue;
					buf_printf(b, "dotgate_transactions_total{stage=\"%s\","
						   "verdict=\"%s\",rule=\"%s\",mode=\"%s\"} %llu\n",
						   dg_stage_names[s], verdict_label(v),
						   gate_rule_names[r], dg_mode_names[o], n);
				}
}

static void anomalies(struct buf *b, const struct metrics *m)
{
	family(b, "dotgate_anomalies_total", "counter",
	       "Audit records in which an anomaly class was found.");
	for (int c = 0; c < DG_CLASS_COUNT; c++)
		sample(b, "dotgate_anomalies_total", "class",
		       dg_class_name((enum dg_class)c), (double)get(&m->anomalies[c]));
	family(b, "dotgate_anomaly_occurrences_total", "counter",
	       "Occurrences of each anomaly class, summed over the records.");
	for (int c = 0; c < DG_CLASS_COUNT; c++)
		sample(b, "dotgate_anomaly_occurrences_total", "class",
		       dg_class_name((enum dg_class)c), (double)get(&m->occurrences[c]));
}

static void histogram(struct buf *b, const struct metrics *m)
{
	const char *name = "dotgate_callback_duration_seconds";
	unsigned long long cum = 0;

	family(b, name, "histogram",
	       "Time a transaction spent in dotgate's own milter callbacks.");
	for (int i = 0; i <= METRICS_BUCKETS; i++) {
		cum += get(&m->cb_bucket[i]);
		if (i < METRICS_BUCKETS)
			buf_printf(b, "%s_bucket{le=\"%.9g\"} %llu\n", name,
				    (double)metrics_bounds_ns[i] / 1e9, cum);
		else
			buf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, cum);
	}
	buf_printf(b, "%s_sum %.9g\n%s_count %llu\n", name,
		    (double)get(&m->cb_sum_ns) / 1e9, name, cum);
}

static void connections_and_policy(struct buf *b, const struct metrics *m)
{
	family(b, "dotgate_connections_active", "gauge", "MTA connections open now.");
	sample(b, "dotgate_connections_active", NULL, NULL,
	       (double)atomic_load_explicit(&m->conn_active, memory_order_relaxed));
	family(b, "dotgate_connections_total", "counter", "MTA connections accepted.");
	sample(b, "dotgate_connections_total", NULL, NULL, (double)get(&m->conn_total));
	family(b, "dotgate_policy_reloads_total", "counter",
	       "Configuration reloads, by outcome.");
	sample(b, "dotgate_policy_reloads_total", "result", "ok", (double)get(&m->reloads_ok));
	sample(b, "dotgate_policy_reloads_total", "result", "error",
	       (double)get(&m->reloads_error));
	family(b, "dotgate_policy_generation", "gauge",
	       "Policies loaded since start, the running one's number (1 at start).");
	sample(b, "dotgate_policy_generation", NULL, NULL, (double)get(&m->generation));
	family(b, "dotgate_policy_loaded_timestamp_seconds", "gauge",
	       "When the running policy was loaded.");
	sample(b, "dotgate_policy_loaded_timestamp_seconds", NULL, NULL,
	       (double)atomic_load(&m->loaded_ms) / 1000.0);
	family(b, "dotgate_login_map_lookups_total", "counter",
	       "Questions to the login map server (socketmap:, tcp:), by answer.");
	sample(b, "dotgate_login_map_lookups_total", "result", "found",
	       (double)get(&m->map_lookups[0]));
	sample(b, "dotgate_login_map_lookups_total", "result", "notfound",
	       (double)get(&m->map_lookups[1]));
	sample(b, "dotgate_login_map_lookups_total", "result", "error",
	       (double)get(&m->map_lookups[2]));
	family(b, "dotgate_body_bytes_total", "counter", "Message body bytes scanned.");
	sample(b, "dotgate_body_bytes_total", NULL, NULL, (double)get(&m->body_bytes));
}

static void sinks(struct buf *b, const struct metrics *m,
		  const struct metrics_extra *x)
{
	family(b, "dotgate_audit_write_errors_total", "counter",
	       "Audit records an audit sink lost (write failed, syslog busy or absent).");
	for (size_t i = 0; i < x->nsinks; i++)
		sample(b, "dotgate_audit_write_errors_total", "sink", x->sink_name[i],
		       (double)x->sink_errors[i]);
	family(b, "dotgate_audit_records_dropped_total", "counter",
	       "Audit records that no file or syslog sink kept.");
	sample(b, "dotgate_audit_records_dropped_total", NULL, NULL,
	       (double)x->records_dropped);
	family(b, "dotgate_audit_required_tempfails_total", "counter",
	       "Transactions deferred by audit.required: no sink kept their record.");
	sample(b, "dotgate_audit_required_tempfails_total", NULL, NULL,
	       (double)get(&m->required_tempfails));
}

static void process(struct buf *b, const struct metrics_extra *x)
{
	family(b, "dotgate_build_info", "gauge", "The running dotgate's version.");
	sample(b, "dotgate_build_info", "version", x->version, 1);
	family(b, "process_cpu_seconds_total", "counter", "User and system CPU time.");
	sample(b, "process_cpu_seconds_total", NULL, NULL, x->cpu_seconds);
	family(b, "process_start_time_seconds", "gauge", "Start time, seconds since the epoch.");
	sample(b, "process_start_time_seconds", NULL, NULL, x->start_time);
	family(b, "process_resident_memory_bytes", "gauge", "Resident memory size.");
	sample(b, "process_resident_memory_bytes", NULL, NULL, x->resident_bytes);
	family(b, "process_virtual_memory_bytes", "gauge", "Virtual memory size.");
	sample(b, "process_virtual_memory_bytes", NULL, NULL, x->virtual_bytes);
	family(b, "process_open_fds", "gauge", "Open file descriptors.");
	sample(b, "process_open_fds", NULL, NULL, x->open_fds);
	family(b, "process_max_fds", "gauge", "Limit of open file descriptors.");
	sample(b, "process_max_fds", NULL, NULL, x->max_fds);
}

void metrics_expose(const struct metrics *m, const struct metrics_extra *x,
		    struct buf *out)
{
	transactions(out, m);
	anomalies(out, m);
	histogram(out, m);
	connections_and_policy(out, m);
	sinks(out, m, x);
	process(out, x);
}
