/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c: dotgate's own diagnostics (startup, reloads, errors) to syslog
 * and, in the foreground, to stderr (see log.h).  Audit records have
 * their own path (audit.c); this is for the operator.
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static bool log_stderr;

void log_open(const char *ident, int facility, bool to_stderr)
{
	openlog(ident, LOG_PID | LOG_NDELAY, facility);
	log_stderr = to_stderr;
}

void log_msg(int priority, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	syslog(priority, "%s", line);
	if (log_stderr)
		fprintf(stderr, "dotgate: %s\n", line);
}

void log_conf_error(void *arg, const char *file, unsigned line, const char *msg)
{
	bool *to_stderr = arg;

	if (line > 0)
		syslog(LOG_ERR, "%s:%u: %s", file, line, msg);
	else
		syslog(LOG_ERR, "%s: %s", file, msg);
	if (to_stderr == NULL || !*to_stderr)
		return;
	if (line > 0)
		fprintf(stderr, "%s:%u: %s\n", file, line, msg);
	else
		fprintf(stderr, "%s: %s\n", file, msg);
}
