/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sinks.c: the seam between a transaction's record and where records go
 * (see sink.h): the table of sink kinds, the immutable set a policy
 * wants, and the process's current set.  Adding a kind of sink is
 * writing its file and adding it to the table below.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sink.h"
#include "snapshot.h"
#include "util.h"

/* Every kind of sink, in the order records are written. */
static const struct audit_sink_ops *const kinds[] = {
	&sink_file_ops,
	&sink_syslog_ops,
	&sink_metrics_ops,
};

/* Lost records per kind since start (sinks come and go with reloads),
 * and records no record-keeping sink kept. */
static atomic_ullong kind_errors[DG_ARRAY_LEN(kinds)];
static atomic_ullong dropped;

struct audit_sinks {
	atomic_int refs;
	size_t n;
	struct audit_sink *sink[SINKS_MAX];
};

static struct snapshot current = SNAPSHOT_INIT;

#define REPORT_INTERVAL 60	/* seconds between two reports of a sink */

void sink_init(struct audit_sink *s, const struct audit_sink_ops *ops)
{
	s->ops = ops;
	atomic_init(&s->refs, 1);
	atomic_init(&s->errors, 0);
	atomic_init(&s->last_report, -2LL * REPORT_INTERVAL);
}

static long long now_seconds(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return (long long)time(NULL);
	return (long long)ts.tv_sec;
}

/* The compare-and-swap lets exactly one thread report per interval. */
void sink_report(struct audit_sink *s, const char *fmt, ...)
{
	long long now = now_seconds();
	long long last = atomic_load(&s->last_report);
	char msg[512];
	va_list ap;

	if (now - last < REPORT_INTERVAL
	    || !atomic_compare_exchange_strong(&s->last_report, &last, now))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg(LOG_ERR, "%s (%llu records lost so far; further errors of "
		"this sink are reported at most once a minute)", msg,
		sink_errors(s) + 1);
}

struct audit_sink *sink_ref(struct audit_sink *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

void sink_unref(struct audit_sink *s)
{
	if (s != NULL && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
		s->ops->close(s);
}

unsigned long long sink_errors(const struct audit_sink *s)
{
	return atomic_load_explicit(&s->errors, memory_order_relaxed);
}

struct audit_sink *sinks_find(const struct audit_sinks *set, const char *name)
{
	for (size_t i = 0; set != NULL && i < set->n; i++)
		if (strcmp(set->sink[i]->ops->name, name) == 0)
			return set->sink[i];
	return NULL;
}

struct audit_sinks *sinks_configure(const struct dg_policy *p,
				    const struct audit_sinks *old, bool *complete)
{
	struct audit_sinks *set = xcalloc(1, sizeof(*set));

	atomic_init(&set->refs, 1);
	*complete = true;
	for (size_t k = 0; k < DG_ARRAY_LEN(kinds); k++) {
		struct audit_sink *s = NULL;

		if (kinds[k]->configure(p, sinks_find(old, kinds[k]->name), &s) < 0)
			*complete = false;
		if (s != NULL)
			set->sink[set->n++] = s;
	}
	return set;
}

static void count_lost(struct audit_sink *s)
{
	atomic_fetch_add_explicit(&s->errors, 1, memory_order_relaxed);
	for (size_t k = 0; k < DG_ARRAY_LEN(kinds); k++)
		if (kinds[k] == s->ops)
			atomic_fetch_add_explicit(&kind_errors[k], 1, memory_order_relaxed);
}

/* Returns the sinks that lost r; *kept: a record-keeping sink has it. */
static int write_set(struct audit_sinks *set, const struct dg_record *r,
		     bool *kept_out)
{
	struct timespec now;
	int lost = 0, keepers = 0, kept = 0;

	if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
		now.tv_sec = time(NULL);
		now.tv_nsec = 0;
	}
	for (size_t i = 0; i < set->n; i++) {
		struct audit_sink *s = set->sink[i];
		bool ok = s->ops->write(s, r, &now) == 0;

		keepers += s->ops->keeps_records;
		kept += s->ops->keeps_records && ok;
		if (!ok) {
			count_lost(s);
			lost++;
		}
	}
	if (keepers > 0 && kept == 0)
		atomic_fetch_add_explicit(&dropped, 1, memory_order_relaxed);
	*kept_out = kept > 0;
	return lost;
}

int sinks_write(struct audit_sinks *set, const struct dg_record *r)
{
	bool kept;

	return write_set(set, r, &kept);
}

size_t sinks_kind_errors(const char *names[], unsigned long long errors[],
			 size_t max)
{
	size_t n = 0;

	for (size_t k = 0; k < DG_ARRAY_LEN(kinds) && n < max; k++) {
		if (!kinds[k]->keeps_records)
			continue;
		names[n] = kinds[k]->name;
		errors[n++] = atomic_load_explicit(&kind_errors[k], memory_order_relaxed);
	}
	return n;
}

unsigned long long sinks_dropped(void)
{
	return atomic_load_explicit(&dropped, memory_order_relaxed);
}

void sinks_reopen(struct audit_sinks *set)
{
	for (size_t i = 0; set != NULL && i < set->n; i++)
		if (set->sink[i]->ops->reopen != NULL)
			(void)set->sink[i]->ops->reopen(set->sink[i]);
}

struct audit_sinks *sinks_ref(struct audit_sinks *set)
{
	atomic_fetch_add_explicit(&set->refs, 1, memory_order_relaxed);
	return set;
}

void sinks_unref(struct audit_sinks *set)
{
	if (set == NULL
	    || atomic_fetch_sub_explicit(&set->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (size_t i = 0; i < set->n; i++)
		sink_unref(set->sink[i]);
	free(set);
}

static void *ref_any(void *set)
{
	return sinks_ref(set);
}

void sinks_install(struct audit_sinks *set)
{
	sinks_unref(snapshot_swap(&current, set));
}

struct audit_sinks *sinks_current(void)
{
	return snapshot_take(&current, ref_any);
}

bool audit_emit(const struct dg_record *r)
{
	struct audit_sinks *set = sinks_current();
	bool kept = false;

	if (set == NULL)
		return false;
	(void)write_set(set, r, &kept);
	sinks_unref(set);
	return kept;
}
