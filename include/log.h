/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	log - every program's diagnostics: stderr, syslog for the daemon
 * SYNOPSIS
 *	void log_init(const char *progname);
 *	void log_open(int facility, bool to_stderr);
 *	void log_msg(int priority, const char *fmt, ...);
 *	void dg_panic(const char *fmt, ...);	  never returns
 *	void log_conf_error(void *arg, const char *file, unsigned line, const char *msg);
 * DESCRIPTION
 *	As Postfix's msg(3), one module says what went wrong, and the
 *	library never names the program: each main() calls log_init()
 *	first with its own name (dotgate, dotgate-report, dotgate-probe).
 *	From then on log_msg() writes "PROGNAME: message" on stderr.  The
 *	daemon calls log_open() once its configuration is loaded: its
 *	messages then go to syslog (ident PROGNAME, with the pid, at
 *	facility), and to stderr as well only when to_stderr (dotgate -f).
 *	Callers never pass client-controlled text as the format.
 *
 *	dg_panic() is for states that cannot happen (a failed mutex call,
 *	a buffer sized wrong, an allocation of 0 bytes): as Postfix's
 *	msg_panic, it says why at LOG_CRIT in syslog and on stderr
 *	("PROGNAME: panic: ..."), whatever log_open() chose, then aborts,
 *	so a core dump and the log line arrive together.  Before log_init()
 *	(unit tests) the name is the one the process was started as.
 *
 *	log_conf_error() is the conf_err_fn (conferr.h) that prints configuration
 *	errors as "FILE:LINE: message" (or "FILE: message" when no line
 *	applies), without the program name, to syslog and, when *(bool *)arg
 *	is true, to stderr (dotgate(8), -n).
 *
 *	Exit statuses are not decided here: a failure is returned to
 *	main(), which returns the status its manual page documents.
 */
#ifndef DG_LOG_H
#define DG_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_init(const char *progname);
void log_open(int facility, bool to_stderr);
void log_msg(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void dg_panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void log_conf_error(void *arg, const char *file, unsigned line, const char *msg);

#endif
