/*
 * NAME
 *	audit - one audit record per transaction: JSON Lines and syslog
 * SYNOPSIS
 *	char *audit_json(const struct dg_txn *t, const struct timespec *ts);
 *	char *audit_syslog(const struct dg_txn *t);
 *
 *	struct auditlog *auditlog_open(const char *path);
 *	int  auditlog_write(struct auditlog *a, const char *line);
 *	int  auditlog_reopen(struct auditlog *a);
 *	void auditlog_close(struct auditlog *a);
 *
 *	void audit_emit(const struct dg_policy *p, struct auditlog *a,
 *			const struct dg_txn *t);
 * DESCRIPTION
 *	audit_json() encodes the record of contract section 6 with jansson
 *	as one line ending in "\n" (a malloc'd string): every string is
 *	valid JSON whatever bytes the client sent (control bytes escaped,
 *	invalid UTF-8 as U+FFFD).  audit_syslog() makes the
 *	"QID: key=value ..." (or "NOQUEUE: ...") line, values quoted and
 *	escaped so that no newline or extra key can be forged.
 *	auditlog_write() appends one line with a single write(2), so
 *	records of concurrent connections never interleave; a failure is
 *	logged at most once a minute and never blocks mail.
 *	auditlog_reopen() reopens the path (logrotate, on SIGUSR1).
 *	audit_emit() writes the record to the file (if any) and to syslog
 *	(if the policy says so).
 */
#ifndef DG_AUDIT_H
#define DG_AUDIT_H

#include <time.h>

#include "policy.h"
#include "txn.h"

struct auditlog;

char *audit_json(const struct dg_txn *t, const struct timespec *ts);
char *audit_syslog(const struct dg_txn *t);

struct auditlog *auditlog_open(const char *path);
int auditlog_write(struct auditlog *a, const char *line);
int auditlog_reopen(struct auditlog *a);
void auditlog_close(struct auditlog *a);

void audit_emit(const struct dg_policy *p, struct auditlog *a,
		const struct dg_txn *t);

#endif
