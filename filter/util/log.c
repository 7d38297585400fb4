/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c: the diagnostics of every program (see log.h): the operator's
 * messages, never the audit records, which go through the sinks
 * (sink.h).  The state is set by main() before any thread starts and
 * only read afterwards, so the milter threads may log without a lock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static const char *progname;	/* NULL: program_invocation_short_name */
static bool to_syslog;		/* both set by log_open() only */
static bool to_stderr = true;

static const char *name(void)
{
	return progname != NULL ? progname : program_invocation_short_name;
}

void log_init(const char *prog)
{
	progname = prog;
}

void log_open(int facility, bool also_stderr)
{
	openlog(name(), LOG_PID | LOG_NDELAY, facility);
	to_syslog = true;
	to_stderr = also_stderr;
}

void log_msg(int priority, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (to_syslog)
		syslog(priority, "%s", line);
	if (to_stderr)
		fprintf(stderr, "%s: %s\n", name(), line);
}

void dg_panic(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	syslog(LOG_CRIT, "panic: %s", msg);
	fprintf(stderr, "%s: panic: %s\n", name(), msg);
	abort();
}

void log_conf_error(void *arg, const char *file, unsigned line, const char *msg)
{
	bool *show = arg;

	if (line > 0)
		syslog(LOG_ERR, "%s:%u: %s", file, line, msg);
	else
		syslog(LOG_ERR, "%s: %s", file, msg);
	if (show == NULL || !*show)
		return;
	if (line > 0)
		fprintf(stderr, "%s:%u: %s\n", file, line, msg);
	else
		fprintf(stderr, "%s: %s\n", file, msg);
}
