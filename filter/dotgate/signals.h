/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	signals - what each signal does to the running daemon
 * SYNOPSIS
 *	#include "signals.h"
 *
 *	int signals_block(void);
 *	int signals_serve(int (*serve)(void), void (*reload)(void),
 *			  void (*reopen)(void));
 * DESCRIPTION
 *	SIGHUP and SIGUSR1 reload the policy (as OpenDKIM and OpenDMARC
 *	do), SIGUSR2 only reopens the audit sinks (logrotate), SIGTERM and
 *	SIGINT stop the milter (libmilter's own signal thread).
 *
 *	signals_block() ignores SIGPIPE and blocks those five signals in
 *	the calling thread, before any other thread exists, so that every
 *	thread started later has them blocked.  signals_serve() runs serve
 *	(smfi_main()) on a thread of its own and makes the calling (main)
 *	thread the one that takes SIGHUP, SIGUSR1 and SIGUSR2: it calls
 *	reload or reopen for them, several signals that arrive during one
 *	reload making one more, until serve returns, whose value it returns.
 * NOTES
 *	libmilter's signal thread sigwait()s for SIGHUP too, and stops the
 *	milter when it gets one.  Linux gives a signal sent to the process
 *	to its main thread whenever that thread does not block it, so the
 *	main thread keeps the three unblocked, with handlers (SA_NODEFER:
 *	never blocked, not even while a handler runs) that only write a
 *	byte to a pipe; reloads happen after the read, outside the handler.
 * DIAGNOSTICS
 *	Both return EX_OSERR (and log why) when a pipe, handler or thread
 *	cannot be had.
 */
#ifndef DG_SIGNALS_H
#define DG_SIGNALS_H

int signals_block(void);
int signals_serve(int (*serve)(void), void (*reload)(void),
		  void (*reopen)(void));

#endif
