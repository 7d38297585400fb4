/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	sink - where audit records go: a set of sinks behind one seam
 * SYNOPSIS
 *	#include "sink.h"
 *
 *	struct audit_sink_ops { name, configure, write, reopen, close };
 *	void sink_init(struct audit_sink *s, const struct audit_sink_ops *ops);
 *	struct audit_sink *sink_ref(struct audit_sink *s);
 *	void sink_unref(struct audit_sink *s);
 *	unsigned long long sink_errors(const struct audit_sink *s);
 *	void sink_report(struct audit_sink *s, const char *fmt, ...);
 *
 *	struct audit_sinks *sinks_configure(const struct dg_policy *p,
 *					    const struct audit_sinks *old,
 *					    bool *complete);
 *	struct audit_sink *sinks_find(const struct audit_sinks *set,
 *				      const char *name);
 *	int  sinks_write(struct audit_sinks *set, const struct dg_record *r);
 *	void sinks_reopen(struct audit_sinks *set);
 *	struct audit_sinks *sinks_ref(struct audit_sinks *set);
 *	void sinks_unref(struct audit_sinks *set);
 *
 *	void sinks_install(struct audit_sinks *set);
 *	struct audit_sinks *sinks_current(void);
 *	bool audit_emit(const struct dg_record *r);
 *	size_t sinks_kind_errors(const char *names[], unsigned long long errors[],
 *				 size_t max);
 *	unsigned long long sinks_dropped(void);
 *
 *	struct auditlog *auditlog_open(const char *path);
 *	int  auditlog_write(struct auditlog *a, const char *line, size_t len);
 *	int  auditlog_reopen(struct auditlog *a);
 *	const char *auditlog_path(const struct auditlog *a);
 *	void auditlog_close(struct auditlog *a);
 * DESCRIPTION
 *	A sink is one destination of audit records (record.h), each handed
 *	the same struct dg_record as it is: the JSON Lines file
 *	(sink_file.c), syslog (sink_syslog.c), the metrics counters
 *	(sink_metrics.c).  Each kind is one file that
 *	fills a struct audit_sink_ops and is listed in sinks.c's table:
 *	  configure(p, old, &out)  the sink the policy p wants (*out, a new
 *			reference; NULL when p wants none), given the sink
 *			of this kind in force until now (old, may be NULL):
 *			a sink whose settings did not change is kept and
 *			reopened.  It returns -1 (errno set, already logged)
 *			when the sink p wants cannot be had; *out is then
 *			old's, so a reload keeps what works.
 *	  write(s, r, ts)  encodes and writes the record r with time ts;
 *			-1 when it was lost (the sink logs why, rate
 *			limited).  Called by many threads at once.
 *	  reopen(s)	after logrotate; -1 keeps the old destination.
 *	  close(s)	frees the sink (the last reference was dropped).
 *	Every sink counts the records it lost (sink_errors()), for the
 *	operator and the metrics endpoint, and says why with sink_report():
 *	a LOG_ERR line, at most one a minute per sink (a full disk must
 *	not flood the log), with how many records were lost meanwhile.
 *
 *	A set is an immutable list of sinks in table order, reference
 *	counted; sinks_configure() builds the set a policy wants from the
 *	old one (NULL at start-up); *complete is false when a sink the
 *	policy wants could not be had (start-up fails then; a reload goes
 *	on with the old sink of that kind, if there was one).
 *	sinks_write() writes r to every sink of set with one time stamp and
 *	returns the number of sinks that lost it.  sinks_reopen() reopens
 *	every sink.  sinks_find() returns the set's sink of that kind or
 *	NULL (no new reference).
 *
 *	sinks_install() makes set the process's current set (taking over
 *	the reference) and drops the previous one; sinks_current() returns
 *	a new reference to it (NULL before the first install).  Swap and
 *	take are lock-free (snapshot.h), so a reload never blocks a record.
 *	audit_emit() writes r to the current set and returns whether a
 *	record-keeping sink (file, syslog) kept it: false when every one of
 *	them lost it, or the set has none, or no set is installed.  A lost
 *	record is logged and counted by its sink; what it changes for the
 *	mail is the caller's decision (audit.required, dotgate.conf(5)).
 *	sinks_kind_errors() fills the records lost by each kind of sink
 *	that keeps records (file, syslog) since start, across reloads, and
 *	returns how many kinds it filled; sinks_dropped() counts the records
 *	that none of the record-keeping sinks of the set kept.
 *
 *	auditlog_* is the file underneath the file sink: auditlog_open()
 *	opens path for appending (O_APPEND|O_CREAT|O_CLOEXEC, mode 0640).
 *	auditlog_write() appends one line with a single writev(2), so the
 *	records of concurrent connections never interleave; it never
 *	takes a lock.  A failed or short write is reported (sink_report())
 *	and returns -1.  A short write (disk full) leaves a partial line;
 *	the next write that succeeds starts with the "\n" that ends it, in
 *	the same writev(2), so only the records that failed are lost and a
 *	reader skips the one malformed line; a reopen onto another file
 *	forgets it.  The first write that succeeds after failures logs
 *	"writing again" with the count of records lost so far.
 *	auditlog_reopen() opens the path again and swaps the descriptor;
 *	writes in flight finish on the old file, which is closed after the
 *	last of them.  On failure
 *	it keeps the old descriptor and returns -1.  auditlog_path() is the
 *	path given to auditlog_open().
 * DIAGNOSTICS
 *	auditlog_open() returns NULL with errno set when the file cannot be
 *	opened.  Out of memory is fatal (util.h).
 */
#ifndef DG_SINK_H
#define DG_SINK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "policy.h"
#include "record.h"

#define SINKS_MAX 8
#define AUDIT_LINE_BUF 16384	/* a record line on a sink's stack */

struct audit_sink;

struct audit_sink_ops {
	const char *name;
	bool keeps_records;		/* false: counts them only (metrics) */
	int (*configure)(const struct dg_policy *p, struct audit_sink *old,
			 struct audit_sink **out);
	int (*write)(struct audit_sink *s, const struct dg_record *r,
		     const struct timespec *ts);
	int (*reopen)(struct audit_sink *s);
	void (*close)(struct audit_sink *s);
};

/* The first member of every sink's own struct. */
struct audit_sink {
	const struct audit_sink_ops *ops;
	atomic_int refs;
	atomic_ullong errors;
	atomic_llong last_report;	/* monotonic s, for sink_report() */
};

struct audit_sinks;
struct auditlog;

void sink_init(struct audit_sink *s, const struct audit_sink_ops *ops);
struct audit_sink *sink_ref(struct audit_sink *s);
void sink_unref(struct audit_sink *s);
unsigned long long sink_errors(const struct audit_sink *s);
void sink_report(struct audit_sink *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

extern const struct audit_sink_ops sink_file_ops;
extern const struct audit_sink_ops sink_syslog_ops;
extern const struct audit_sink_ops sink_metrics_ops;

struct audit_sinks *sinks_configure(const struct dg_policy *p,
				    const struct audit_sinks *old, bool *complete);
struct audit_sink *sinks_find(const struct audit_sinks *set, const char *name);
int sinks_write(struct audit_sinks *set, const struct dg_record *r);
void sinks_reopen(struct audit_sinks *set);
struct audit_sinks *sinks_ref(struct audit_sinks *set);
void sinks_unref(struct audit_sinks *set);

void sinks_install(struct audit_sinks *set);
struct audit_sinks *sinks_current(void);
bool audit_emit(const struct dg_record *r);
size_t sinks_kind_errors(const char *names[], unsigned long long errors[],
			 size_t max);
unsigned long long sinks_dropped(void);

struct auditlog *auditlog_open(const char *path);
int auditlog_write(struct auditlog *a, const char *line, size_t len);
int auditlog_reopen(struct auditlog *a);
const char *auditlog_path(const struct auditlog *a);
void auditlog_close(struct auditlog *a);

#endif
