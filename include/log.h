/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	log - the daemon's own diagnostics: syslog, and stderr in the foreground
 * SYNOPSIS
 *	void log_open(const char *ident, int facility, bool to_stderr);
 *	void log_msg(int priority, const char *fmt, ...);
 *	void log_conf_error(void *arg, const char *file, unsigned line, const char *msg);
 * DESCRIPTION
 *	log_msg() writes one syslog record and, when log_open() was told
 *	so (dotgate -f), the same line on stderr.  Callers never pass
 *	client-controlled text as the format.  log_conf_error() is the
 *	conf_err_fn (conferr.h) that prints configuration errors as
 *	"FILE:LINE: message" (or "FILE: message" when no line applies).
 */
#ifndef DG_LOG_H
#define DG_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_open(const char *ident, int facility, bool to_stderr);
void log_msg(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_conf_error(void *arg, const char *file, unsigned line, const char *msg);

#endif
