/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	signals - what each signal does to the running daemon
 * SYNOPSIS
 *	#include "signals.h"
 *
 *	int signals_block(void);
 *	int signals_serve(int (*serve)(void), void (*reload)(void),
 *			  void (*reopen)(void), void (*stop)(void));
 * DESCRIPTION
 *	SIGHUP and SIGUSR1 reload the policy (as OpenDKIM and OpenDMARC
 *	do), SIGUSR2 only reopens the audit sinks (logrotate), SIGTERM and
 *	SIGINT stop the milter.
 *
 *	signals_block() ignores SIGPIPE and blocks those five signals in
 *	the calling thread, before any other thread exists, so that every
 *	thread started later has them blocked.  signals_serve() runs serve
 *	(smfi_main()) on a thread of its own and makes the calling (main)
 *	thread the one that takes all five: it calls reload or reopen for
 *	the first three, several signals that arrive during one reload
 *	making one more, and stop once for SIGTERM or SIGINT (after which
 *	nothing is reloaded), until serve returns, whose value it returns.
 * NOTES
 *	libmilter's signal thread sigwait()s for SIGHUP too, and stops the
 *	milter when it gets one.  Linux gives a signal sent to the process
 *	to its main thread whenever that thread does not block it, so the
 *	main thread keeps the five unblocked, with handlers (SA_NODEFER:
 *	never blocked, not even while a handler runs) that only write a
 *	byte to a pipe; reloads happen after the read, outside the handler.
 *	SIGTERM and SIGINT are taken there too, not by libmilter's thread,
 *	because libmilter's listener looks at its stop flag only between
 *	select(2) calls of 5 seconds: stop can wake it (dotgate(8), SIGNALS).
 * DIAGNOSTICS
 *	Both return EX_OSERR (and log why) when a pipe, handler or thread
 *	cannot be had.
 */
#ifndef DG_SIGNALS_H
#define DG_SIGNALS_H

int signals_block(void);
int signals_serve(int (*serve)(void), void (*reload)(void),
		  void (*reopen)(void), void (*stop)(void));

#endif
